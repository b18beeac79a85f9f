"""The package's import graph: no cycles, core/ and accounts/ import no feature, features never import in a cycle.

Every `import` statement is read with ast (module level and inside functions alike, since a function-local
import hides a cycle rather than removing it) and resolved relative to the package. Run this file as a script
(`python -m tests.test_imports`) to print the feature graph and the function-local imports.
"""

import ast
from pathlib import Path

PACKAGE = "marketplace"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
FEATURES = ("organisations", "training", "payments", "cover", "dashboard", "admin", "public", "insurance", "reports")
KNOW_NO_FEATURE = ("core", "accounts")


def module_name(path: Path) -> str:
    """'marketplace.training.views.book' for marketplace/training/views/book.py."""
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _base(name: str, path: Path, level: int) -> str:
    """The package a relative import of `level` dots starts from."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return package


def _targets(node: ast.AST, name: str, path: Path, known: set[str]) -> list[str]:
    """The package modules one import statement loads (from a package, a name may be a submodule)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = _base(name, path, node.level) if node.level else ""
    source = ".".join(part for part in (base, node.module or "") if part)
    found = []
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        found.append(submodule if submodule in known else source)
    return found


def _known_target(target: str, known: set[str]) -> str | None:
    """The longest package module that `target` names (a.b.c → a.b if c is an attribute), or None."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def imports() -> list[tuple[str, str, int, bool]]:
    """(importer, imported module, line, inside a function) for every import of a package module."""
    found = []
    table = modules()
    known = set(table)
    for name, path in table.items():
        tree = ast.parse(path.read_text(), str(path))
        for node, local in _import_nodes(tree):
            for target in _targets(node, name, path, known):
                module = _known_target(target, known)
                if module and module != name and (name, module, node.lineno, local) not in found:
                    found.append((name, module, node.lineno, local))
    return found


def _import_nodes(tree: ast.Module):
    """Each import statement, and whether it sits inside a function."""

    def walk(node, local):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, local
            inside = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            yield from walk(child, inside)

    return walk(tree, False)


def function_local_imports() -> list[tuple[str, int, str]]:
    """(file, line, statement) of every import inside a function, package modules and libraries alike."""
    found = []
    for path in modules().values():
        tree = ast.parse(path.read_text(), str(path))
        for node, local in _import_nodes(tree):
            if local:
                found.append((str(path.relative_to(ROOT.parent)), node.lineno, ast.unparse(node)))
    return found


def graph() -> dict[str, set[str]]:
    """Module → modules it imports (package modules only)."""
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for importer, imported, _line, _local in imports():
        edges[importer].add(imported)
    return edges


def reachable(edges: dict[str, set[str]], start: str) -> set[str]:
    """Every module reached by following imports from start (start itself only if it is on a loop)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each group of modules that import each other round a loop, sorted."""
    reach = {node: reachable(edges, node) for node in edges}
    found: list[list[str]] = []
    for node in sorted(edges):
        if node in reach[node] and not any(node in cycle for cycle in found):
            found.append(sorted(other for other in reach[node] if node in reach.get(other, ())))
    return found


def area(module: str) -> str:
    """The top-level part of the package a module belongs to ('training', 'core', '' for the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def feature_graph() -> dict[str, set[str]]:
    """Feature → features it imports."""
    edges: dict[str, set[str]] = {feature: set() for feature in FEATURES}
    for importer, imported, _line, _local in imports():
        source, target = area(importer), area(imported)
        if source in FEATURES and target in FEATURES and source != target:
            edges[source].add(target)
    return edges


def describe(edges: dict[str, set[str]]) -> str:
    """One line per feature: 'training → organisations, payments'."""
    return "\n".join(f"{name} → {', '.join(sorted(targets)) or '(nothing)'}" for name, targets in edges.items())


def test_no_module_imports_itself_in_a_cycle():
    """No two modules import each other, directly or round a loop, at module level or inside a function."""
    found = cycles(graph())
    assert not found, "Import cycles:\n" + "\n".join(" ↔ ".join(cycle) for cycle in found)


def test_core_and_accounts_import_no_feature():
    """Shared plumbing and accounts know no feature: features plug into them, never the other way round."""
    wrong = [
        f"{importer} (line {line}) imports {imported}"
        for importer, imported, line, _local in imports()
        if area(importer) in KNOW_NO_FEATURE and area(imported) in FEATURES
    ]
    assert not wrong, "\n".join(wrong)


def test_the_feature_graph_is_acyclic():
    """Features may use each other's services and models, but never round a loop."""
    edges = feature_graph()
    print(describe(edges))
    assert not cycles(edges), describe(edges)


def test_the_walker_sees_relative_function_local_and_package_imports():
    """`from ..x import y` resolves to x.y when y is a module and to x when it is a name; local imports count."""
    source = "from ..core import clock\nfrom .models import Course\nimport marketplace.core.money\n\ndef f():\n"
    source += "    from ..payments.services import pay\n"
    known = {"marketplace.core", "marketplace.core.clock", "marketplace.core.money", "marketplace.training.models"}
    known.add("marketplace.payments.services")
    path = ROOT / "training" / "example.py"
    resolved = [
        (target, local)
        for node, local in _import_nodes(ast.parse(source))
        for target in _targets(node, "marketplace.training.example", path, known)
    ]
    assert resolved == [
        ("marketplace.core.clock", False),
        ("marketplace.training.models", False),
        ("marketplace.core.money", False),
        ("marketplace.payments.services", True),
    ]
    assert _known_target("marketplace.core.money.format_pence", known) == "marketplace.core.money"
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


if __name__ == "__main__":
    print("Feature graph:")
    print(describe(feature_graph()))
    print("\nModule cycles:")
    for cycle in cycles(graph()):
        print("  " + " ↔ ".join(cycle))
    local = function_local_imports()
    package_local = [row for row in local if row[2].startswith(("from .", f"import {PACKAGE}", f"from {PACKAGE}"))]
    print(f"\nFunction-local imports: {len(local)} ({len(package_local)} of package modules)")
    for path, line, statement in local:
        print(f"  {path}:{line}: {statement}")
