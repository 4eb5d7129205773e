"""W008: a path under the old mount root moves with its entry, in strings and f-string text."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ...core import mapping
from ..findings import REWRITE
from ..survey import post
from .base import Codemod, cst, literal
from .loader_args import NewString

if TYPE_CHECKING:
    from .rewrite import Rewrite


class MovedPaths(Codemod):
    """Paths the config's moves map, as in the YAML."""

    CODES: ClassVar[tuple[str, ...]] = ("W008",)

    def decide(self) -> None:
        survey = self.survey
        if not survey.moves:
            return
        for piece in survey.strings():
            if piece.formatted:
                for text in survey.fstring_texts(piece, moved=False):
                    if text is None:
                        continue
                    moved = mapping.move_path(text.value, survey.moves)
                    if moved != text.value:
                        where = survey.source.span(text.start, text.start + len(text.value))
                        self.edit_at("FormattedStringText", where, NewString(moved), piece.node)
                        order = (REWRITE, post(piece.node), self.rule)
                        survey.report_at(where, order, "W008", f"path moved: {text.value!r} -> {moved!r}")
            elif piece.where not in survey.claimed and isinstance(piece.value, str):
                moved = mapping.move_path(piece.value, survey.moves)
                if moved != piece.value:
                    self.edit_at("SimpleString", piece.where, NewString(moved), piece.node)
                    order = (REWRITE, post(piece.node), self.rule)
                    survey.report_at(piece.where, order, "W008", f"path moved: {piece.value!r} -> {moved!r}")

    # -- the rewrite

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return literal(payload.data, original) if isinstance(payload, NewString) else updated

    def edit_fstring_text(
        self, rewrite: Rewrite, original: cst.FormattedStringText, updated: cst.FormattedStringText, payload: object
    ) -> cst.FormattedStringText:
        return updated.with_changes(value=payload.data) if isinstance(payload, NewString) else updated
