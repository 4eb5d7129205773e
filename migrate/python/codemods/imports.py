"""The imports as the rewrite leaves them: renamed in their own slot, added, or removed when unused.

What changes is decided on `ast` (migrate/python/imports.py); this module writes it with libcst on
the statements concerned. Additions and removals are written as libcst's AddImportsVisitor and
RemoveImportsVisitor write them (the same nodes, so the same text), for the `from m import name`
imports a migration touches; importing libcst's codemod package for them would cost more than the
rest of a rewrite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..imports import ImportPlan
from .base import code_of, cst


def _module_name(node: cst.CSTNode | None) -> str:
    return code_of(node) if node is not None else ""


def _absolute_module(node: cst.ImportFrom) -> str | None:
    """The module of `from m import ...` (None for a relative import: its package is unknown)."""
    return None if node.relative or node.module is None else _module_name(node.module)


def _ordered(names: list[str]) -> bool:
    return names == sorted(names) or names == sorted(names, key=str.lower)


def rename_in_place(updated: cst.ImportFrom, plan: ImportPlan) -> cst.ImportFrom:
    """`from m import A, Old` -> `from m import A, New` in Old's own slot; the block's order kept."""
    if isinstance(updated.names, cst.ImportStar):
        return updated
    module = _module_name(updated.module)
    aliases = list(updated.names)
    names = [_module_name(a.name) for a in aliases]
    new_names = list(names)
    for i, alias in enumerate(aliases):
        new = plan.renames.get((module, names[i]))
        if new is None or names[i] in plan.in_use or new in names or alias.asname is not None:
            continue
        new_names[i] = new
    if new_names == names:
        return updated
    if _ordered(names):
        new_names = sorted(new_names) if names == sorted(names) else sorted(new_names, key=str.lower)
    aliases = [a.with_changes(name=cst.Name(n)) for a, n in zip(aliases, new_names)]
    return updated.with_changes(names=aliases)


def add_imports(tree: cst.Module, plan: ImportPlan) -> cst.Module:
    """The new names imported: into a `from m import` of the module's top, else as statements after it."""
    needed: dict[str, set[str]] = {}
    for i in plan.additions:
        needed.setdefault(i.module, set()).add(i.new)
    return tree.visit(_AddImports(dict(sorted(needed.items()))))


def remove_unused(tree: cst.Module, plan: ImportPlan, prefixed: bool = False) -> cst.Module:
    """The imports whose last use the rewrite took away, removed. prefixed: the tree is a span of the
    module after the `pass` that edit.py puts before it, which stands for no statement."""
    return tree.visit(_RemoveImports(plan, prefixed))


def _top_imports(module: cst.Module) -> tuple[int, list[cst.Import | cst.ImportFrom]]:
    """Where the module's first import block starts (after a docstring), and its imports."""
    start = 1 if _docstring_or_strict(module) else 0
    found: list[cst.Import | cst.ImportFrom] = []
    for statement in module.body[start:]:
        small = statement.body if isinstance(statement, cst.SimpleStatementLine) else []
        if len(small) != 1 or not isinstance(small[0], (cst.Import, cst.ImportFrom)):
            break
        found.append(small[0])
    return start, found


def _docstring_or_strict(module: cst.Module) -> bool:
    first = module.body[0] if module.body else None
    if not isinstance(first, cst.SimpleStatementLine) or not first.body:
        return False
    small = first.body[0]
    if isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString)
    return (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and isinstance(small.targets[0].target, cst.Name)
        and small.targets[0].target.value == "__strict__"
    )


class _AddImports(cst.CSTTransformer):
    """libcst's AddImportsVisitor for `from m import name` imports."""

    def __init__(self, needed: dict[str, set[str]]) -> None:
        super().__init__()
        self.needed = needed
        self.top: list[cst.Import | cst.ImportFrom] = []

    def visit_Module(self, node: cst.Module) -> None:
        _, self.top = _top_imports(node)
        for statement in self.top:
            module = _absolute_module(statement) if isinstance(statement, cst.ImportFrom) else None
            if module is None or module not in self.needed or not isinstance(statement, cst.ImportFrom):
                continue
            if isinstance(statement.names, cst.ImportStar):
                del self.needed[module]
                continue
            self.needed[module] -= {a.evaluated_name for a in statement.names if a.asname is None}
            if not self.needed[module]:
                del self.needed[module]

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated.names, cst.ImportStar) or not any(original is t for t in self.top):
            return updated
        module = _absolute_module(updated)
        if module is None or module not in self.needed:
            return updated
        added = [cst.ImportAlias(name=cst.Name(name)) for name in sorted(self.needed.pop(module))]
        return updated.with_changes(names=[*added, *updated.names])

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        if not self.needed:
            return updated
        start, top = _top_imports(original)
        end = start + len(top)
        after = list(updated.body[end:])
        if after and not after[0].leading_lines:
            after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(),))
        elif after and after[0].leading_lines[0].comment is not None:
            after[0] = after[0].with_changes(leading_lines=(cst.EmptyLine(), *after[0].leading_lines))
        new = [
            cst.parse_statement(f"from {module} import {', '.join(sorted(names))}", config=updated.config_for_parsing)
            for module, names in self.needed.items()
        ]
        return updated.with_changes(body=(*updated.body[:end], *new, *after))


class _RemoveImports(cst.CSTTransformer):
    """libcst's RemoveImportsVisitor for `from m import name [as alias]` imports the module no longer reads.

    A statement line that loses every import goes with the blank and comment lines above it (libcst's
    leading lines); the blank lines above the statement after it become what a formatted file has
    there: the removed line's, when it was the first of its block, else the more of the two (two
    blank lines after a function stay two). A line that keeps some of its statements loses the `;`
    that the last removed one made dangling."""

    def __init__(self, plan: ImportPlan, prefixed: bool = False) -> None:
        super().__init__()
        self.removals: dict[str, set[tuple[str, str | None]]] = {}
        for d in plan.removals:
            self.removals.setdefault(d.module, set()).add((d.name, d.asname))
        self.in_use = plan.in_use
        self.prefixed = prefixed
        self.stand_in: int | None = None  # id of the `pass` before a span: no statement of the module
        self.emptied: set[int] = set()  # ids of the statement lines whose every import went

    def visit_Module(self, node: cst.Module) -> None:
        top: cst.BaseStatement | None = node.body[0] if self.prefixed and node.body else None
        if isinstance(top, cst.If) and isinstance(top.body, cst.IndentedBlock) and top.body.body:
            top = top.body.body[0]  # a nested span: `if 1:` holding the `pass`
        self.stand_in = id(top) if top is not None else None

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if original.body and not updated.body:
            self.emptied.add(id(original))
        return _without_dangling_semicolon(original, updated)

    def leave_SimpleStatementSuite(
        self, original: cst.SimpleStatementSuite, updated: cst.SimpleStatementSuite
    ) -> cst.SimpleStatementSuite:
        return _without_dangling_semicolon(original, updated)

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._spaced(original.body, updated.body))

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._spaced(original.body, updated.body))

    def _spaced(
        self, original: Sequence[cst.BaseStatement], updated: Sequence[cst.BaseStatement]
    ) -> Sequence[cst.BaseStatement]:
        """The block's statements, the one after each run of removed lines with its blank lines set anew."""
        if not any(id(line) in self.emptied for line in original):
            return updated
        kept = iter(updated)  # libcst drops the emptied lines and keeps every other statement, in order
        body: list[cst.BaseStatement] = []
        blank: list[cst.EmptyLine] | None = None  # the removed run's blank lines: None when none was removed just above
        first = True  # no statement of the block stands above
        for line in original:
            if id(line) in self.emptied and isinstance(line, cst.SimpleStatementLine):
                own = _blank_lines(line)
                blank = own if blank is None else blank if first or len(blank) >= len(own) else own
                continue
            statement = next(kept)
            if blank is not None and isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                below = _blank_lines(statement)
                if first or len(blank) > len(below):
                    statement = statement.with_changes(leading_lines=(*blank, *statement.leading_lines[len(below) :]))
                blank = None
            body.append(statement)
            first = first and id(line) == self.stand_in
        return body

    def leave_ImportFrom(
        self, original: cst.ImportFrom, updated: cst.ImportFrom
    ) -> cst.ImportFrom | cst.RemovalSentinel:
        names = original.names
        module = _absolute_module(updated)
        if isinstance(names, cst.ImportStar) or module is None or module not in self.removals:
            return updated
        keep: list[cst.ImportAlias] = []
        lpar = updated.lpar
        for alias in names:
            bound = alias.evaluated_alias or alias.evaluated_name
            if (alias.evaluated_name, alias.evaluated_alias) not in self.removals[module] or bound in self.in_use:
                keep.append(alias)
                continue
            comma = alias.comma  # a removed alias's comments go to the one before it (or the parenthesis)
            if isinstance(comma, cst.Comma):
                if keep:
                    previous = keep[-1]
                    if isinstance(previous.comma, cst.Comma):
                        merged = _merge_whitespace_after(previous.comma.whitespace_after, comma.whitespace_after)
                        keep[-1] = previous.with_deep_changes(previous.comma, whitespace_after=merged)
                    else:
                        keep[-1] = previous.with_changes(comma=comma)
                elif isinstance(lpar, cst.LeftParen):
                    lpar = lpar.with_changes(
                        whitespace_after=_merge_whitespace_after(lpar.whitespace_after, comma.whitespace_after)
                    )
        if keep == list(names):
            return updated
        if not keep:
            return cst.RemoveFromParent()
        if keep[-1] != names[-1]:  # no trailing comma after what was not the last
            keep[-1] = keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(names=keep, lpar=lpar)


def _blank_lines(statement: cst.SimpleStatementLine | cst.BaseCompoundStatement) -> list[cst.EmptyLine]:
    """The blank lines right above a statement (before the first comment line above it)."""
    lines = []
    for line in statement.leading_lines:
        if line.comment is not None:
            break
        lines.append(line)
    return lines


_Simple = TypeVar("_Simple", cst.SimpleStatementLine, cst.SimpleStatementSuite)


def _without_dangling_semicolon(original: _Simple, updated: _Simple) -> _Simple:
    """`import a; from m import b` without b: `import a`, not `import a; `."""
    if not updated.body or len(updated.body) == len(original.body):
        return updated
    last = updated.body[-1]
    if not isinstance(last.semicolon, cst.Semicolon) or isinstance(original.body[-1].semicolon, cst.Semicolon):
        return updated
    return updated.with_changes(body=[*updated.body[:-1], last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])


def _merge_whitespace_after(
    left: cst.BaseParenthesizableWhitespace, right: cst.BaseParenthesizableWhitespace
) -> cst.BaseParenthesizableWhitespace:
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(empty_lines=tuple(line for line in right.empty_lines if line.comment is not None))
