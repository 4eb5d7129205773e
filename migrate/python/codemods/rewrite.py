"""The registry's codemods applied in one walk over libcst's tree, each at the nodes it decided on.

The survey's findings name each node by its class and its place; the walk looks every node it
leaves up by the same, so only the providers of positions are resolved. At one node the codemods
edit in the registry's order, each on what the one before it made (a string rewritten by W105 is
not also moved by W008). A statement a codemod edited and that grew past the line limit is then
split as `ruff format` would split it (layout.py), so a formatted file stays formatted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from ..findings import NodeKey
from .base import Codemod, code_of, newline
from .imports import rename_in_place
from .layout import split_statement


class Rewrite(cst.CSTTransformer):
    """Every codemod of the registry over the tree, in one walk."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self,
        edits: dict[NodeKey, list[Any]],
        codemods: Sequence[Codemod],
        lines: list[str],
        offset: int,
        width: int,
    ) -> None:
        super().__init__()
        self.edits = edits
        self.codemods = {type(c): c for c in codemods}
        self.lines = lines  # the module's (without line ends), for the layout of rewritten statements
        self.width = width  # the line limit
        self.offset = offset  # the tree is of a part of the module: its line 1 is the module's line 1 + offset
        self.edited = 0  # nodes edited so far
        self.edited_before = 0  # ... when the walk entered the current statement

    def where(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """A node's place in the module (the survey's `Where`)."""
        position = self.get_metadata(PositionProvider, node)
        start, end = position.start, position.end
        return start.line + self.offset, start.column, end.line + self.offset, end.column

    def _apply(self, kind: str, method: str, original: cst.CSTNode, updated: Any) -> Any:
        edits = self.edits.get((kind, self.where(original)), ())
        self.edited += bool(edits)
        for rule, payload in edits:
            updated = getattr(self.codemods[rule], method)(self, original, updated, payload)
        return updated

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self.edited_before = self.edited
        return True

    def leave_SimpleStatementLine(
        self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        if self.edited == self.edited_before or len(updated.body) != 1:
            return updated
        line, column, end_line, _ = self.where(original)
        indent = self.lines[line - 1][:column]
        if "\t" in indent:  # ruff would indent with tabs too: not followed here
            return updated
        code = _code_at(updated.with_changes(leading_lines=()), indent)
        fitted = split_statement(code, indent, self.width, self.lines[line - 1 : end_line])
        statement = _parse_at(fitted, indent) if fitted is not None else None
        if statement is None:
            return updated
        return updated.with_changes(body=statement.body, trailing_whitespace=statement.trailing_whitespace)

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        edits = self.edits.get(("ImportFrom", self.where(original)), ())
        self.edited += bool(edits)
        for _rule, plan in edits:
            updated = rename_in_place(updated, plan)
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        result: cst.BaseExpression = self._apply("Call", "edit_call", original, updated)
        return result

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        result: cst.BaseExpression = self._apply("SimpleString", "edit_string", original, updated)
        return result

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        result: cst.BaseExpression = self._apply("Subscript", "edit_subscript", original, updated)
        return result

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        result: cst.BaseExpression = self._apply("FormattedString", "edit_fstring", original, updated)
        return result

    def leave_FormattedStringText(
        self, original: cst.FormattedStringText, updated: cst.FormattedStringText
    ) -> cst.FormattedStringText:
        result: cst.FormattedStringText = self._apply("FormattedStringText", "edit_fstring_text", original, updated)
        return result

    def fit(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """A rewritten call on several lines that grew past the line limit gets one argument per line,
        as a formatter would. A call on one line is laid out with its statement, on the way out of it."""
        code = code_of(updated)
        if "#" in code or not updated.args or not self.lines:
            return updated
        line, column, end_line, end_column = self.where(original)
        if line == end_line:
            return updated
        tail = len(self.lines[end_line - 1]) - end_column if end_line <= len(self.lines) else 0
        rows = code.split("\n")
        widths = [column + len(rows[0])] + [len(r) for r in rows[1:]]
        widths[-1] += tail
        if max(widths) <= self.width:
            return updated
        text = self.lines[line - 1]
        indent = text[: len(text) - len(text.lstrip())]
        inner = indent + "    "
        args = []
        for i, arg in enumerate(updated.args):
            last = i == len(updated.args) - 1
            comma = cst.Comma(whitespace_after=newline(indent if last else inner))
            args.append(arg.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace("")))
        return updated.with_changes(args=args, whitespace_before_args=newline(inner))


# libcst keeps the indentation of a line that continues a statement as the enclosing block's plus
# the rest: a statement is written and read back in a block of its indentation to keep its columns.
_BLOCK = "if 1:\n"


def _code_at(statement: cst.SimpleStatementLine, indent: str) -> str:
    """A statement's code as the module has it, its first line without the indentation."""
    if not indent:
        return code_of(statement)
    block = cst.If(test=cst.Integer("1"), body=cst.IndentedBlock(body=[statement], indent=indent))
    return cst.Module([block]).code[len(_BLOCK) + len(indent) :]


def _parse_at(code: str, indent: str) -> cst.SimpleStatementLine | None:
    """The statement of that code (as _code_at writes it)."""
    statement: cst.BaseStatement
    try:
        if not indent:
            statement = cst.parse_statement(code)
        else:
            block = cst.ensure_type(cst.parse_statement(f"{_BLOCK}{indent}{code}"), cst.If).body
            statement = cst.ensure_type(block, cst.IndentedBlock).body[0]
    except cst.ParserSyntaxError:
        return None
    return statement if isinstance(statement, cst.SimpleStatementLine) else None
