"""Who may do what, as machinery: the policy registry, the route decorators that name a policy, and require().

Features define the relationships and register their policies (organisations/permissions.py, training/permissions.py,
payments/permissions.py, cover/permissions.py). Every route names one with @public, @signed_in, @admin_only or
@policy(name, load=...); every service that changes state calls require(actor, name, obj), so a job or a command
cannot skip the check a page makes. A route's policy is on its view as `access_policy` (tests/test_route_policies.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from inspect import signature

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from .errors import NotAllowed

PUBLIC = "public"
SIGNED_IN = "signed_in"
PLATFORM_ADMIN = "platform_admin"
NOT_ALLOWED = "You do not have permission to do this"


@dataclass(frozen=True)
class Policy:
    """A named rule: check(person, object) says whether the person may; a page refuses with `refuse` (403 or 404).

    `within` names a wider policy: people outside it get 404 (they may not know the object exists), people inside it
    whom this check refuses get `refuse` (a member of a council not yet approved may not add its courses: 403).
    """

    name: str
    check: Callable[[object, object], bool]
    refuse: int = 403
    within: str | None = None

    def refusal(self, user, obj) -> int | None:
        """The status a page refuses this person with (404 outside the wider policy), or None if they may."""
        if self.within is not None and lookup(self.within).refusal(user, obj) is not None:
            return 404
        return None if self.check(user, obj) else self.refuse


POLICIES: dict[str, Policy] = {}


def register_policy(
    name: str, check: Callable[[object, object], bool], *, refuse: int = 403, within: str | None = None
) -> Policy:
    """Add a policy by name; refuse=404 where a person who fails it must not learn the object exists."""
    known = POLICIES.get(name)
    if known is not None and known.check.__qualname__ != check.__qualname__:
        raise ValueError(f"Two policies are called {name}")
    if within is not None:
        lookup(within)
    POLICIES[name] = Policy(name, check, refuse, within)
    return POLICIES[name]


def lookup(name: str) -> Policy:
    """The policy of that name (a typo fails when the module loads, not when someone is refused)."""
    try:
        return POLICIES[name]
    except KeyError:
        raise KeyError(f"No policy called {name}: register it in its feature's permissions module") from None


def is_signed_in(user) -> bool:
    """A real person is signed in (not anonymous, not a job)."""
    return bool(user is not None and user.is_authenticated)


def is_admin(user) -> bool:
    """A platform admin."""
    return is_signed_in(user) and bool(user.is_admin)


def allows(user, name: str, obj=None) -> bool:
    """Whether the named policy lets this person act on obj."""
    return lookup(name).refusal(user, obj) is None


def require(actor, name: str, obj=None) -> None:
    """Raise NotAllowed unless the named policy lets the actor act on obj (services call this first)."""
    if not allows(actor, name, obj):
        raise NotAllowed(NOT_ALLOWED)


register_policy(PUBLIC, lambda user, obj: True)
register_policy(SIGNED_IN, lambda user, obj: is_signed_in(user))
register_policy(PLATFORM_ADMIN, lambda user, obj: is_admin(user))


def _declare(view, name: str):
    """Record the route's policy on its view, where the route-policy test reads it."""
    view.access_policy = name
    return view


def public(view):
    """Anyone may open this page, signed in or not (the page itself decides what each person sees)."""
    return _declare(view, PUBLIC)


def signed_in(view):
    """Any signed-in person; anonymous people go to the sign-in page. The page shows only their own things."""
    return _declare(login_required(view), SIGNED_IN)


def _url_arguments(load: Callable) -> list[str]:
    """The URL arguments a loader takes: every parameter except `user`."""
    return [name for name in signature(load).parameters if name != "user"]


def policy(name: str, *, load: Callable | None = None):
    """Only people the named policy allows; anonymous people go to the sign-in page.

    load(user=..., <url arguments>) is a scoped getter: it finds the object the policy is about among those the
    person may see (None answers 404), and the view gets that object in place of the URL arguments it took.
    """
    rule = lookup(name)
    taken = _url_arguments(load) if load is not None else []

    def decorate(view):
        """The view, behind sign-in, the scoped getter and the policy."""

        @wraps(view)
        def checked(**kwargs):
            """Load the object (404 if the person may not see it), check the policy, then show the page."""
            found = load(user=current_user, **{arg: kwargs.pop(arg) for arg in taken}) if load else None
            if load is not None and found is None:
                abort(404)
            refused = rule.refusal(current_user, found)
            if refused is not None:
                abort(refused)
            return view(found, **kwargs) if load is not None else view(**kwargs)

        return _declare(login_required(checked), name)

    return decorate


def admin_only(view):
    """Only platform admins; others get 403, anonymous people the sign-in page."""
    return policy(PLATFORM_ADMIN)(view)


def get_owned_or_404(model, object_id: int, organisation):
    """An object of an organisation, found by id within that organisation only."""
    found = db.session.scalar(select(model).where(model.id == object_id, model.organisation_id == organisation.id))
    if found is None:
        abort(404)
    return found
