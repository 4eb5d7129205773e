"""Modules written for a newer Python than the one running: read with libcst, surveyed with `ast`.

`ast` parses with the running interpreter's grammar; libcst reads newer syntax too (on 3.11:
PEP 701 f-strings such as `f"{d["a"]}"`, PEP 695 `def f[T]()`, `type X = ...`). So that the
outcome does not depend on the interpreter, a module `ast` refuses but libcst reads is surveyed
as a copy in which that syntax is written the old way, every character where it was:
a type parameter list becomes blanks, `type X = V` becomes `_ =  X = V`, and the expression of an
f-string's replacement field that the old grammar cannot hold becomes a name of underscores.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import libcst as cst


def parse(source: str) -> ast.Module:
    """The module's tree; for syntax newer than the interpreter's, that of the copy written the old way.

    Raises the interpreter's SyntaxError when neither reads it."""
    return parse_module(source)[0]


def parse_module(source: str) -> tuple[ast.Module, bool]:
    """The module's tree, and whether it was read as written the old way (its syntax is newer)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # see quiet_compile
        return _parse_module(source)


def quiet_compile(source: str, filename: str) -> None:
    """compile(), without the warnings CPython gives as it reads a module (an invalid escape
    sequence such as `"\\d"`: a SyntaxWarning on stderr from Python 3.12, under a name that is no
    file of the run). They are the module's own business; raises SyntaxError or ValueError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compile(source, filename, "exec")


def _parse_module(source: str) -> tuple[ast.Module, bool]:
    try:
        return ast.parse(source), False
    except SyntaxError as error:
        older = _written_the_old_way(source)
        if older is None:
            raise error from None
        try:
            return ast.parse(older), True
        except SyntaxError:
            raise error from None


def _written_the_old_way(source: str) -> str | None:
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    found: list[tuple[cst.CSTNode, Callable[[str], str]]] = []

    class Newer(cst.CSTVisitor):
        """The nodes of syntax newer than the interpreter's, and how each is written the old way."""

        def __init__(self) -> None:
            super().__init__()
            self.quotes: list[str] = []

        def visit_FormattedString(self, node: cst.FormattedString) -> None:
            self.quotes.append(node.end)

        def leave_FormattedString(self, node: cst.FormattedString) -> None:
            self.quotes.pop()

        def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
            code = cst.Module([]).code_for_node(node.expression)
            if any(c in code for c in ("\\", "#", *self.quotes)):
                found.append((node.expression, _underscores))

        def visit_TypeParameters(self, node: cst.TypeParameters) -> None:
            found.append((node, _blank))

        def visit_TypeAlias(self, node: cst.TypeAlias) -> None:
            found.append((node, _type_alias))

    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    wrapper.visit(Newer())
    positions = wrapper.resolve(PositionProvider)
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    text = list(source)
    for node, replace in found:
        where = positions[node]
        start = starts[where.start.line - 1] + where.start.column
        end = starts[where.end.line - 1] + where.end.column
        text[start:end] = replace(source[start:end])
    return "".join(text)


def _blank(text: str) -> str:
    return "".join(c if c in "\r\n" else " " for c in text)


def _underscores(text: str) -> str:
    return "_" * len(text) if "\n" not in text and "\r" not in text else _blank(text)


def _type_alias(text: str) -> str:
    """`type X = V` -> `_ =  X = V`: the same length, X and V where they were."""
    return "_ =  " + text[5:] if text.startswith("type ") else text
