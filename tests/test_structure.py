"""The package's shape: its imports form no cycle, and each module says what it is for."""

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


def test_the_outcome_module_imports_nothing_of_the_package() -> None:
    assert _module_imports(PACKAGE / "core" / "outcome.py") == set()


@pytest.mark.parametrize("path", [pytest.param(p, id=_name(p)) for p in MODULES if p.name != "__main__.py"])
def test_each_module_says_what_it_is_for(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text())), f"{_name(path)} has no module docstring"
