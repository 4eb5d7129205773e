"""The imports a rewrite changes, decided from the survey: which old names are renamed in place,
which new ones are added, which lose their last use and go.

An import is renamed in place (`from m import ModelRepo` -> `... WeightsSource`) when the module
no longer reads the old name, and removed when a rewrite took away its last use; whether a name
is still read is counted on `ast` (every name, attribute, keyword and definition that spells it,
minus those inside what the rewrite replaces). libcst then edits only the statements concerned.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from .syntax import children
from .syntax import statements as every_statement


class RenamedImport(NamedTuple):
    """`from module import old [as asname]`, whose uses became `new`."""

    module: str
    old: str
    asname: str | None
    new: str


class DroppedImport(NamedTuple):
    """`from module import name [as asname]`, which may have lost its last use."""

    module: str
    name: str
    asname: str | None


@dataclass
class ImportPlan:
    """What the rewrite does to the imports."""

    renames: dict[tuple[str, str], str]  # (module, old) -> new, renamed in place where the old name is unused
    additions: list[RenamedImport]  # new names still to import
    removals: list[DroppedImport]  # imports to remove where their name is no longer read
    in_use: set[str]  # the names concerned that the module still reads after the rewrite
    statements: list[ast.ImportFrom]  # the import statements a rename or a removal touches

    @property
    def changes(self) -> bool:
        return bool(self.renames or self.additions or self.removals)

    @property
    def removing(self) -> list[ast.ImportFrom]:
        """The import statements a removal touches: each may go, when it loses every name."""
        return [s for s in self.statements if _removes(s, self.removals)]


@dataclass
class ImportChanges:
    """What the rules' edits do to names: imports renamed or dropped, and the names they take away."""

    renamed: list[RenamedImport] = field(default_factory=list)
    dropped: list[DroppedImport] = field(default_factory=list)
    taken: Counter[str] = field(default_factory=Counter)  # names the rewrite takes out of the code

    def take(self, node: ast.AST) -> None:
        """The rewrite replaces node (and all below it)."""
        self.taken.update(identifiers(node))

    def take_name(self, name: str) -> None:
        """The rewrite replaces one spelling of name (a callee's attribute, a keyword)."""
        self.taken[name] += 1

    def plan(self, tree: ast.Module) -> ImportPlan:
        concerned = {n for i in self.renamed for n in (i.old, i.asname)} | {
            n for d in self.dropped for n in (d.name, d.asname)
        }
        concerned.discard(None)
        read = identifiers(tree) + _exported(tree)
        in_use = {n for n in concerned if n is not None and read[n] - self.taken[n] > 0}
        renames = {(i.module, i.old): i.new for i in self.renamed if i.asname is None}
        statements, done = self._statements(tree, renames, in_use)
        renamed = {renames[k] for k in done}
        additions = [i for i in self.renamed if i.new not in renamed or (i.module, i.old) not in done]
        removals = [DroppedImport(i.module, i.old, i.asname) for i in additions] + self.dropped
        statements += [s for s in _from_imports(tree) if s not in statements and _removes(s, removals)]
        return ImportPlan({k: renames[k] for k in done}, additions, removals, in_use, statements)

    @staticmethod
    def _statements(
        tree: ast.Module, renames: dict[tuple[str, str], str], in_use: set[str]
    ) -> tuple[list[ast.ImportFrom], set[tuple[str, str]]]:
        """The `from` imports where an old name is renamed in its own slot, and which (module, old) were."""
        statements, done = [], set()
        for statement in _from_imports(tree):
            names = [a.name for a in statement.names]
            module = statement.module or ""
            for alias in statement.names:
                new = renames.get((module, alias.name))
                if new is None or alias.name in in_use or new in names or alias.asname is not None:
                    continue
                done.add((module, alias.name))
                if statement not in statements:
                    statements.append(statement)
        return statements, done


def _from_imports(tree: ast.Module) -> list[ast.ImportFrom]:
    return [n for n in every_statement(tree) if isinstance(n, ast.ImportFrom) and n.names[0].name != "*"]


def _removes(statement: ast.ImportFrom, removals: list[DroppedImport]) -> bool:
    module = statement.module or ""
    return statement.level == 0 and any(
        (r.module, r.name, r.asname) == (module, a.name, a.asname) for r in removals for a in statement.names
    )


def identifiers(node: ast.AST) -> Counter[str]:
    """Every name spelled in the code below node, imports aside: names, attributes, keywords, definitions."""
    found: Counter[str] = Counter()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(item, ast.Name):
            found[item.id] += 1
        elif isinstance(item, ast.Attribute):
            found[item.attr] += 1
        elif isinstance(item, (ast.keyword, ast.arg)):
            name = item.arg
            if name:
                found[name] += 1
        elif isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[item.name] += 1
        elif isinstance(item, (ast.Global, ast.Nonlocal)):
            found.update(item.names)
        elif isinstance(item, ast.ExceptHandler) and item.name:
            found[item.name] += 1
        stack += children(item)
    return found


def _exported(tree: ast.Module) -> Counter[str]:
    """The names a module-level `__all__` lists: they count as read."""
    found: Counter[str] = Counter()
    for statement in tree.body:
        if not isinstance(statement, ast.Assign):
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in statement.targets):
            value = statement.value
            if isinstance(value, (ast.List, ast.Tuple)):
                found.update(e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    return found
