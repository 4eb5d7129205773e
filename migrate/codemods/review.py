"""W108: any other "model_cache" string in code is reported for review."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import PositionProvider

from .base import Reporting


class Review(Reporting, cst.CSTTransformer):
    """Uses of the old key that no rewrite covered."""

    CODES = ("W108",)
    METADATA_DEPENDENCIES = (PositionProvider,)

    def review_string(self, original: cst.SimpleString, data: str) -> None:
        if data in ("model_cache", "hf_cache"):
            self.review.append(original)

    def report_review(self) -> None:
        for node in self.review:
            self.report(node, "W108", f"{node.value} in code: the config key is `weights` now; review this use by hand")
