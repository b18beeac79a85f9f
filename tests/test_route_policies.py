"""Every route declares who may use it, at the route: a policy decorator on its view names a registered policy."""

from marketplace.core import permissions

from .test_access_matrix import PUBLIC as PUBLIC_IN_MATRIX

FLASK_STATIC_FILES = {"static", "govuk_assets.static"}  # Flask's own file views: public by nature


def _declared(app) -> dict[str, str | None]:
    """Each endpoint's declared policy (None: the route declares none)."""
    return {
        rule.endpoint: getattr(app.view_functions[rule.endpoint], "access_policy", None)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in FLASK_STATIC_FILES
    }


def test_every_route_declares_a_policy(app):
    """A route whose view has no @public, @signed_in, @admin_only or @policy(...) fails the suite."""
    undeclared = sorted(endpoint for endpoint, name in _declared(app).items() if name is None)
    assert undeclared == [], f"routes that declare no policy: {undeclared}"


def test_every_declared_policy_is_registered(app):
    """A route names only policies some permissions module defines."""
    unknown = {endpoint: name for endpoint, name in _declared(app).items() if name and name not in permissions.POLICIES}
    assert unknown == {}


def test_the_public_routes_are_the_ones_the_access_matrix_lists(app):
    """Declaring a route public is a decision the access matrix records too: the two lists agree."""
    declared_public = {endpoint for endpoint, name in _declared(app).items() if name == permissions.PUBLIC}
    assert declared_public == PUBLIC_IN_MATRIX - FLASK_STATIC_FILES


def test_the_walker_sees_a_view_without_a_policy(app):
    """The check reads the attribute the decorators set, and nothing else marks a view."""

    def bare():
        """No policy."""

    assert getattr(bare, "access_policy", None) is None
    assert permissions.public(lambda: None).access_policy == "public"
    assert permissions.signed_in(lambda: None).access_policy == "signed_in"
    assert permissions.policy("platform_admin")(lambda: None).access_policy == "platform_admin"
