"""The package's shape: parts side by side over a core, imports only downward, no cycle, and each
module says what it is for.

The layers, from the ground up: core/ (imports no part); the parts config/, python/ and markdown/
(each imports core/ and no other part, except markdown/, whose fences hold configs and Python and
so uses the other two parts' editors); run/ (core/ and the parts' editors) and report/ (core/ only);
and at the top the entry points (the package's API, __main__, cli, merge), which may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "migrate"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement, at module level or inside a function (a lazy import still couples two
    modules), but not those under `if TYPE_CHECKING:`."""
    if isinstance(tree, ast.If) and "TYPE_CHECKING" in ast.unparse(tree.test):
        return []
    if isinstance(tree, ast.Import | ast.ImportFrom):
        return [tree]
    return [found for child in ast.iter_child_nodes(tree) for found in _imports(child)]


def _module_imports(path: Path) -> set[str]:
    """The package modules path imports."""
    name = _name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
            if node.level and not node.module:
                found |= {f"{base}.{alias.name}" for alias in node.names}
            else:
                found.add(module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    known = {_name(p) for p in MODULES}
    return {m for m in found if m in known and m != name}


def test_imports_have_no_cycle() -> None:
    graph = {_name(p): _module_imports(p) for p in MODULES}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for child in sorted(graph[module]):
            if state.get(child) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path, module, child]))
            if child not in state:
                visit(child, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


PARTS = ("config", "python", "markdown")
# layer -> the layers it may import (itself included); anything else is an import running up or sideways
ALLOWED = {
    "core": {"core"},
    "config": {"core", "config"},
    "python": {"core", "python"},
    "markdown": {"core", "markdown", "config", "python"},
    "run": {"core", "run", *PARTS},
    "report": {"core", "report"},
}
ENTRY_POINTS = {"migrate", "migrate.__main__", "migrate.cli", "migrate.merge"}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ALLOWED else None


def _imports_by_layer() -> list[tuple[str, str, str, str]]:
    """(module, its layer, an imported module, that module's layer) for every import inside the package."""
    found = []
    for path in MODULES:
        module = _name(path)
        if module in ENTRY_POINTS:
            continue
        layer = _layer(module)
        assert layer is not None, f"{module} stands outside the six folders"
        found += [(module, layer, target, _layer(target) or target) for target in _module_imports(path)]
    return found


def test_every_module_stands_in_a_layer() -> None:
    for path in MODULES:
        module = _name(path)
        assert module in ENTRY_POINTS or _layer(module) is not None, f"{module} stands outside the six folders"


def _wrong(imports: list[tuple[str, str, str, str]], layer: str) -> list[str]:
    """The imports of a layer's modules that reach a layer it does not stand on."""
    return [
        f"{module} -> {target}"
        for module, own, target, theirs in imports
        if own == layer and theirs not in ALLOWED[layer]
    ]


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_run_only_downward(layer: str) -> None:
    wrong = _wrong(_imports_by_layer(), layer)
    assert wrong == [], f"{layer}/ imports only what it stands on: {', '.join(wrong)}"


@pytest.mark.parametrize(
    "imported, layer",
    [
        pytest.param(("migrate.core.keys", "core", "migrate.config.read", "config"), "core", id="core-imports-a-part"),
        pytest.param(("migrate.config.edit", "config", "migrate.python.edit", "python"), "config", id="part-to-part"),
        pytest.param(("migrate.python.edit", "python", "migrate.run.write", "run"), "python", id="part-imports-run"),
        pytest.param(
            ("migrate.report.text", "report", "migrate.run.schedule", "run"), "report", id="report-imports-run"
        ),
    ],
)
def test_the_layer_rule_refuses_an_import_running_up(imported: tuple[str, str, str, str], layer: str) -> None:
    assert _wrong([imported], layer) == [f"{imported[0]} -> {imported[2]}"]


@pytest.mark.parametrize("path", [pytest.param(p, id=_name(p)) for p in MODULES if p.name != "__main__.py"])
def test_each_module_says_what_it_is_for(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text())), f"{_name(path)} has no module docstring"
