"""W108: any other "model_cache" string in code is reported for review."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT

from ...core.keys import BLOCK_KEYS
from .base import Codemod


class Review(Codemod):
    """Uses of the old key that no rewrite covered."""

    CODES: ClassVar[tuple[str, ...]] = ("W108",)
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (PositionProvider,)

    def review_string(self, original: cst.SimpleString, data: str) -> cst.BaseExpression | None:
        """Held until the module ends: a rewrite later in the walk (W106) may take the string out."""
        if data in BLOCK_KEYS:
            self.review.append(original)
        return None

    def report_review(self) -> None:
        for node in self.review:
            self.report(node, "W108", f"{node.value} in code: the config key is `weights` now; review this use by hand")
