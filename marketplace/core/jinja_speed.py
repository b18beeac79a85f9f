"""A faster Jinja template import: every `{% from ... import %}` asks whether the importing context has globals the
imported template lacks, and Jinja 3.1 answers with a set minus a dict view (a Python-level loop over every global,
about 30 µs; a GOV.UK page imports 16 templates). The same question asked with C-level set.difference."""

from jinja2 import Template
from jinja2.environment import TemplateModule
from jinja2.runtime import Context


class FastImportTemplate(Template):
    """A Jinja template whose default module (what an import sees) is found without the slow set difference."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        if ctx is not None:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        if self._module is None:
            self._module = self.make_module()
        return self._module


def register(app) -> None:
    """Make the app's templates FastImportTemplates (before any is loaded)."""
    app.jinja_env.template_class = FastImportTemplate
