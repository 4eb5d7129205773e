"""The registry's codemods applied in one walk over libcst's tree, each at the nodes it decided on.

The survey's findings name each node by its class and its place; the walk looks every node it
leaves up by the same, so only the providers of positions are resolved. At one node the codemods
edit in the registry's order, each on what the one before it made (a string rewritten by W105 is
not also moved by W008).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.metadata import PositionProvider

from ..findings import NodeKey
from .base import Codemod, code_of, newline
from .imports import rename_in_place


class Rewrite(cst.CSTTransformer):
    """Every codemod of the registry over the tree, in one walk."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(
        self, edits: dict[NodeKey, list[Any]], codemods: Sequence[Codemod], lines: list[str], offset: int
    ) -> None:
        super().__init__()
        self.edits = edits
        self.codemods = {type(c): c for c in codemods}
        self.lines = lines  # the module's, for the width of rewritten calls
        self.width = max([88, *map(len, self.lines)])
        self.offset = offset  # the tree is of a part of the module: its line 1 is the module's line 1 + offset

    def where(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """A node's place in the module (the survey's `Where`)."""
        position = self.get_metadata(PositionProvider, node)
        start, end = position.start, position.end
        return start.line + self.offset, start.column, end.line + self.offset, end.column

    def _apply(self, kind: str, method: str, original: cst.CSTNode, updated: Any) -> Any:
        for rule, payload in self.edits.get((kind, self.where(original)), ()):
            updated = getattr(self.codemods[rule], method)(self, original, updated, payload)
        return updated

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        for _rule, plan in self.edits.get(("ImportFrom", self.where(original)), ()):
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
        """A rewritten call that grew past the file's longest line (or 88) gets one argument per line.

        As a formatter would; a call that was on one line stays on it (see README: formatting).
        """
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
