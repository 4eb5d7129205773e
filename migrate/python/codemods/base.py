"""What every codemod shares: the rule's two halves, and the helpers that write libcst nodes.

A codemod is one rule. `decide` reads the survey (the module as `ast` read it) and records what to
report and what to edit, at the place of each node; the rewrite then calls the codemod's `edit_*`
methods, in the registry's order, on the libcst nodes found at those places. So a module that
needs no edit is never parsed by libcst, and every position is one of the parsed source.
"""

from __future__ import annotations

import ast
import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from ..findings import END, REWRITE

if TYPE_CHECKING:
    import libcst as cst

    from ..survey import Survey
    from .rewrite import Rewrite


class _Lazy:
    """A module imported on first use: libcst loads only when a module has something to rewrite."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


if not TYPE_CHECKING:
    cst = _Lazy("libcst")

__all__ = ["QUOTES", "Codemod", "code_of", "cst", "literal", "newline"]

QUOTES: tuple[Literal['"'], Literal["'"]] = ('"', "'")


class Codemod:
    """One rule: what it decides from the survey, and how it edits the nodes it decided on."""

    CODES: ClassVar[tuple[str, ...]] = ()  # the codes this rule reports, each documented in diagnostics.CODES
    rule: ClassVar[int] = 0  # its place in the registry (set by the registry)

    def __init__(self, survey: Survey) -> None:
        self.survey = survey

    def decide(self) -> None:
        """Record this rule's reports and edits in the survey's findings."""

    def report(self, node: ast.AST, code: str, message: str, phase: int = REWRITE, of_rewrite: bool = False) -> None:
        self.survey.report(node, code, message, phase, self.rule, of_rewrite)

    def report_at_end(self, node: ast.AST, code: str, message: str) -> None:
        self.survey.report(node, code, message, END, self.rule)

    def edit(self, kind: str, node: ast.AST, payload: object) -> None:
        """An edit of the libcst node of this kind that stands where node does."""
        self.survey.findings.edit(kind, self.survey.where(node), (type(self), payload), node)

    def edit_at(self, kind: str, where: tuple[int, int, int, int], payload: object, node: ast.AST) -> None:
        """An edit of the libcst node of this kind at where, a part of node (a literal of a concatenation)."""
        self.survey.findings.edit(kind, where, (type(self), payload), node)

    # The rewrite calls these with the payloads this rule recorded for the node, in recording order.
    def edit_call(
        self, rewrite: Rewrite, original: cst.Call, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return updated

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return updated

    def edit_subscript(
        self, rewrite: Rewrite, original: cst.Subscript, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return updated

    def edit_fstring(
        self, rewrite: Rewrite, original: cst.FormattedString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return updated

    def edit_fstring_text(
        self, rewrite: Rewrite, original: cst.FormattedStringText, updated: cst.FormattedStringText, payload: object
    ) -> cst.FormattedStringText:
        return updated


# --- writing libcst nodes ---------------------------------------------------------------------


def code_of(node: cst.CSTNode) -> str:
    """The source text of a node, as the module would print it."""
    return cst.Module([]).code_for_node(node)


def literal(data: str, like: cst.BaseExpression | None = None) -> cst.SimpleString:
    """A string literal for data, in the quote style of `like` where it is a plain string."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in QUOTES and not like.prefix:
        quote = like.quote
    escaped = data.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    return cst.SimpleString(f"{quote}{escaped}{quote}")


def newline(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=False, last_line=cst.SimpleWhitespace(indent)
    )
