"""The lines of a module the rewrite parses: the statements that hold an edit, never the whole file.

libcst costs about as much per line as the rest of the run per file, and the edits of a migration
sit in a few statements. Each edit's innermost statement (the whole compound statement, when the
edit is in its header), grown until no statement is cut in two, is parsed on its own: at the top
level as it is, nested under an `if 1:` line that holds its indentation. With imports to add, the
module's head (docstring, the import block and the statement after it) is one more span, where
libcst's AddImportsVisitor sees what it would see in the whole module.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from .syntax import statements as every_statement

_COMPOUND: tuple[type[ast.stmt], ...] = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.If,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.With,
    ast.AsyncWith,
    ast.Try,
    ast.Match,
)
if hasattr(ast, "TryStar"):
    _COMPOUND = (*_COMPOUND, ast.TryStar)


@dataclass
class Span:
    first: int  # 1-based, inclusive
    last: int
    head: bool = False  # the module's head, where imports are added
    statement: int = 0  # the line of its first statement (first may be a comment or blank line above it)


@dataclass(frozen=True)
class _Statement:
    node: ast.stmt
    first: int  # its first line (a decorator's, for a decorated definition)
    last: int
    header_last: int  # the last line before its body (for a compound statement)


def _statements(tree: ast.Module) -> list[_Statement]:
    found = []
    for node in every_statement(tree):
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        last = node.end_lineno or node.lineno
        header_last = last
        if isinstance(node, _COMPOUND):
            body = node.cases if isinstance(node, ast.Match) else getattr(node, "body", [])
            starts = [c.pattern.lineno if isinstance(c, ast.match_case) else c.lineno for c in body] or [last + 1]
            header_last = max(first, starts[0] - 1)
            if starts[0] == node.lineno:  # `if x: y` on one line
                header_last = node.lineno
        found.append(_Statement(node, first, last, header_last))
    return found


def spans(
    tree: ast.Module, edited: list[ast.stmt], head: bool, lines: list[str], removing: Sequence[ast.stmt] = ()
) -> list[Span]:
    """Merged line spans covering every edited statement (and the head, when imports are added).

    A span takes the blank and comment lines right above its first statement too: libcst holds them
    as that statement's own, and removes them with it (an import that lost its last use). A statement
    in removing (an import that may go) comes with its neighbours in its block: the statement after
    it, whose blank lines above take the place of the removed ones, and the one before it, or, first
    in its block, the whole compound statement (its block may be left empty: libcst writes `pass`)."""
    statements = _statements(tree)
    by_node = {id(s.node): s for s in statements}
    found = [_grow(Span(by_node[id(n)].first, by_node[id(n)].last), statements) for n in edited]
    neighbours = _neighbours(tree) if removing else {}
    for node in removing:
        before, after, holder = neighbours[id(node)]
        first = by_node[id(before or holder or node)].first
        last = by_node[id(after or node)].last
        found.append(_grow(Span(first, last), statements))
    if head:
        found.append(_grow(Span(1, _head_end(tree), head=True), statements))
    merged = _merge(found, statements)
    for span in merged:
        span.statement = span.first
        if not span.head:
            span.first = _leading_lines(span.first, statements, lines)
    return merged


def _neighbours(tree: ast.Module) -> dict[int, tuple[ast.stmt | None, ast.stmt | None, ast.stmt | None]]:
    """id(statement) -> the statements before and after it in its block, and the compound statement
    whose block it is (None at the top level; a try's for its except clauses, a match's for its cases)."""
    found: dict[int, tuple[ast.stmt | None, ast.stmt | None, ast.stmt | None]] = {}

    def block(statements: list[ast.stmt], owner: ast.stmt | None) -> None:
        for i, node in enumerate(statements):
            found[id(node)] = (
                statements[i - 1] if i else None,
                statements[i + 1] if i + 1 < len(statements) else None,
                owner,
            )

    block(tree.body, None)
    for node in every_statement(tree):
        for name in ("body", "orelse", "finalbody"):
            statements = getattr(node, name, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                block(statements, node)
        for part in [*getattr(node, "handlers", []), *getattr(node, "cases", [])]:
            block(part.body, node)
    return found


def _leading_lines(first: int, statements: list[_Statement], lines: list[str]) -> int:
    """The first of the blank and comment lines right above line first (after the statement or the
    header before them)."""
    above = [s.last for s in statements if s.last < first]
    above += [s.header_last for s in statements if s.first < first <= s.last and s.header_last < first]
    floor = max(above, default=0)
    while first - 1 > floor and lines[first - 2].strip()[:1] in ("", "#"):
        first -= 1
    return first


def _grow(span: Span, statements: list[_Statement]) -> Span:
    """The span grown until no statement is cut: a statement it overlaps in part comes in whole,
    and so does a compound statement whose header it touches."""
    changed = True
    while changed:
        changed = False
        for s in statements:
            inside = span.first <= s.first and s.last <= span.last
            overlaps = s.first <= span.last and span.first <= s.last
            if inside or not overlaps:
                continue
            holds = s.first <= span.first and span.last <= s.last
            if holds and not (s.first <= span.last and span.first <= s.header_last):
                continue  # an enclosing block whose header lies outside: the span sits in its body
            span = Span(min(span.first, s.first), max(span.last, s.last), span.head)
            changed = True
    return span


def _merge(found: list[Span], statements: list[_Statement]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(found, key=lambda s: (s.first, -s.last)):
        if merged and span.first <= merged[-1].last:
            last = merged[-1]
            merged[-1] = _grow(Span(last.first, max(last.last, span.last), last.head or span.head), statements)
        else:
            merged.append(span)
    return merged


def _head_end(tree: ast.Module) -> int:
    """The last line of the head: the statement after the import block (as AddImportsVisitor splits it)."""
    body = tree.body
    if not body:
        return 1
    start = 1 if _docstring_or_strict(body[0]) else 0
    lines: dict[int, int] = {}
    for statement in body:
        for line in range(statement.lineno, (statement.end_lineno or statement.lineno) + 1):
            lines[line] = lines.get(line, 0) + 1
    index = start
    while index < len(body) and isinstance(body[index], (ast.Import, ast.ImportFrom)):
        statement = body[index]
        if lines[statement.lineno] > 1 or lines[statement.end_lineno or statement.lineno] > 1:
            break  # `import a; x = 1` is one line of two statements: not an import line
        index += 1
    last = body[min(index, len(body) - 1)]
    return last.end_lineno or last.lineno


def _docstring_or_strict(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return isinstance(statement.value.value, str)
    return (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.targets[0].id == "__strict__"
    )
