"""Only marketplace/payments/providers/ knows the payment modes: everything else asks the provider interface.

The rule, read from each module's syntax tree (so comments, docstrings and words in messages are free):
- no `import stripe`, and no import of a provider's own module (only the package `payments.providers`);
- no string equal to a provider's name ("invoice", "stripe"), and no identifier or string that says "stripe";
- no comparison of a `.provider` with a literal (`payment.provider != "card"`, `Payment.provider.in_([...])`).
Templates get the same check for quoted provider names and `.provider` comparisons.
"""

import ast
import re
from pathlib import Path

from marketplace.payments.providers import PROVIDERS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "marketplace"
PROVIDERS_DIR = PACKAGE / "payments" / "providers"
TEMPLATES = ROOT / "templates"
MODES = frozenset(PROVIDERS)
PROVIDER_MODULES = tuple(f"marketplace.payments.providers.{path.stem}" for path in PROVIDERS_DIR.glob("*.py"))


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of docstring nodes (documentation may name a provider; code may not)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _is_literal(node: ast.AST) -> bool:
    """A string, or a tuple/list/set of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    return isinstance(node, ast.Tuple | ast.List | ast.Set) and all(_is_literal(e) for e in node.elts)


def _is_provider(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "provider"


def _imported(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    """Dotted names an import statement loads, resolved against the importing module."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module.split(".")[: -node.level] if node.level else []
    source = ".".join([*base, node.module] if node.module else base)
    return [source, *(f"{source}.{alias.name}" for alias in node.names)]


def _identifiers(node: ast.AST) -> list[str]:
    """Names a node introduces or uses."""
    match node:
        case ast.Name():
            return [node.id]
        case ast.Attribute():
            return [node.attr]
        case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
            return [node.name]
        case ast.alias():
            return [node.name, node.asname or ""]
        case ast.keyword():
            return [node.arg or ""]
        case ast.arg():
            return [node.arg]
    return []


def _problem(node: ast.AST, module: str, docstrings: set[int]) -> list[str]:
    """What is wrong with one node, if anything."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        names = _imported(node, module)
        return [f"imports {n}" for n in names if n.split(".")[0] == "stripe" or n.startswith(PROVIDER_MODULES)]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
        return [f"names the mode {node.value!r}"] if node.value in MODES or "stripe" in node.value.lower() else []
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        if any(_is_provider(o) for o in operands) and any(_is_literal(o) for o in operands):
            return ["compares .provider with a literal"]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_provider(node.func.value):
        return [f"calls .provider.{node.func.attr}() with a literal"] if any(map(_is_literal, node.args)) else []
    return []


def mode_names(source: str, module: str = "marketplace.example") -> list[tuple[int, str]]:
    """(line, what) for each place the source names a payment mode or a Stripe type."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        found |= {(line, what) for what in _problem(node, module, docstrings)}
        found |= {(line, f"names {name}") for name in _identifiers(node) if "stripe" in name.lower()}
    return sorted(found)


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_scanner_sees_every_way_of_naming_a_mode():
    """Each way code can name a mode is caught; template names, messages, docstrings and the package are not."""
    source = "\n".join(
        [
            '"""Invoices and stripe are documented here."""',  # 1: a docstring may name them
            "import stripe",  # 2
            "from .providers.stripe_provider import client",  # 3
            "if payment.provider != 'invoice': pass",  # 4 (both the string and the comparison)
            "query.where(Payment.provider.in_(['card']))",  # 5
            "x = StripeProvider",  # 6
            "render_template('emails/training_invoice.html', title='Invoice BSP-1 is ready')",  # 7: fine
            "from .providers import get_provider",  # 8: fine
            "if payment.provider == other.provider: pass",  # 9: fine, no literal
            "origin = 'https://checkout.stripe.com'",  # 10
        ]
    )
    lines = [line for line, _ in mode_names(source, "marketplace.payments.views")]
    assert sorted(set(lines)) == [2, 3, 4, 5, 6, 10]


def test_no_module_outside_the_providers_names_a_mode():
    """Every mode question is answered by the provider interface (marketplace/payments/providers/base.py)."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {what}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if PROVIDERS_DIR not in path.parents
        for line, what in mode_names(path.read_text(), _module(path))
    ]
    assert offenders == [], "Ask the payment's provider instead: " + "; ".join(offenders)


def test_no_template_names_a_mode():
    """Templates ask the payment (its status label, its invoice reference), never which provider made it."""
    names = "|".join(sorted(MODES))
    quoted = re.compile(rf"""['"]({names})['"]|\.provider\s*(==|!=|\bin\b)""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, text in enumerate(path.read_text().splitlines(), 1)
        if quoted.search(text)
    ]
    assert offenders == []
