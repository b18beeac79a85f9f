"""Templates import macros through FastImportTemplate, which sees the same globals as Jinja's own."""

from marketplace.core.jinja_speed import FastImportTemplate


def test_templates_are_fast_import_templates(app):
    assert app.jinja_env.template_class is FastImportTemplate
    assert isinstance(app.jinja_env.get_template("base.html"), FastImportTemplate)


def test_an_imported_macro_sees_globals_added_to_the_importing_template(app):
    """A global given to the importing template only (not the environment) still reaches the imported module."""
    env = app.jinja_env.overlay()
    env.template_class = FastImportTemplate
    env.loader = None
    from jinja2 import DictLoader

    env.loader = DictLoader(
        {
            "m.html": "{% macro shout() %}{{ extra | upper }}{% endmacro %}",
            "page.html": ('{% from "m.html" import shout %}{{ shout() }}'),
        }
    )
    page = env.get_template("page.html", globals={"extra": "hello"})
    assert page.render() == "HELLO"
