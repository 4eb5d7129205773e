"""The imports a rewrite needs: renamed in their own slot, added, or removed when unused."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from .base import DroppedImport, RenamedImport, _code


def _module_name(node: cst.CSTNode | None) -> str:
    return _code(node) if node is not None else ""


def _names_in_use(tree: cst.Module) -> set[str]:
    """Names the module reads outside its imports."""

    class Names(cst.CSTVisitor):
        def __init__(self) -> None:
            super().__init__()
            self.seen: set[str] = set()

        def visit_Import(self, node: cst.Import) -> bool:
            return False

        def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            self.seen.add(node.value)

    names = Names()
    tree.visit(names)
    return names.seen


def _ordered(names: list[str]) -> bool:
    return names == sorted(names) or names == sorted(names, key=str.lower)


class _RenameImports(cst.CSTTransformer):
    """`from m import A, Old` -> `from m import A, New` in Old's own slot; the block's order kept.

    An old name still used elsewhere stays, and the new one is left to AddImportsVisitor.
    """

    def __init__(self, renames: dict[tuple[str, str], str], in_use: set[str]):
        super().__init__()
        self.renames, self.in_use = renames, in_use
        self.done: set[tuple[str, str]] = set()  # (module, old name) renamed in place

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated.names, cst.ImportStar):
            return updated
        module = _module_name(updated.module)
        aliases = list(updated.names)
        names = [_module_name(a.name) for a in aliases]
        new_names = list(names)
        for i, alias in enumerate(aliases):
            new = self.renames.get((module, names[i]))
            if new is None or names[i] in self.in_use or new in names or alias.asname is not None:
                continue
            new_names[i] = new
            self.done.add((module, names[i]))
        if new_names == names:
            return updated
        if _ordered(names):
            new_names = sorted(new_names) if names == sorted(names) else sorted(new_names, key=str.lower)
        aliases = [a.with_changes(name=cst.Name(n)) for a, n in zip(aliases, new_names)]
        return updated.with_changes(names=aliases)


def fix_imports(tree: cst.Module, imports: Sequence[RenamedImport], unused: Sequence[DroppedImport]) -> cst.Module:
    """Rename in place where the old name has no other use, add what is still missing, drop what lost its use."""
    if not imports and not unused:
        return tree
    renames = {(i.module, i.old): i.new for i in imports if i.asname is None}
    if renames:
        renamer = _RenameImports(renames, _names_in_use(tree))
        tree = tree.visit(renamer)
        renamed = {renames[k] for k in renamer.done}
        imports = [i for i in imports if i.new not in renamed or (i.module, i.old) not in renamer.done]
    context = CodemodContext()
    for i in imports:
        AddImportsVisitor.add_needed_import(context, i.module, i.new)
        RemoveImportsVisitor.remove_unused_import(context, i.module, i.old, i.asname)
    for d in unused:
        RemoveImportsVisitor.remove_unused_import(context, d.module, d.name, d.asname)
    tree = AddImportsVisitor(context).transform_module(tree)
    return RemoveImportsVisitor(context).transform_module(tree)
