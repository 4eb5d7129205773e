"""W108: any other "model_cache" string in code is reported for review."""

from __future__ import annotations

from typing import ClassVar

from ...core.keys import BLOCK_KEYS
from ..findings import END
from ..survey import post
from .base import Codemod
from .subscripts import Subscripts


class Review(Codemod):
    """Uses of the old key that no rewrite covered."""

    CODES: ClassVar[tuple[str, ...]] = ("W108",)

    def decide(self) -> None:
        survey = self.survey
        reviewed = survey.decided(Subscripts).reviewed
        for piece in survey.strings():
            if piece.formatted or piece.where in survey.claimed or piece.where in reviewed:
                continue
            if piece.value in BLOCK_KEYS:
                order = (END, post(piece.node), self.rule)
                message = f"{piece.raw} in code: the config key is `weights` now; review this use by hand"
                survey.report_at(piece.where, order, "W108", message)
