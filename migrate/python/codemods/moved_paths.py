"""W008: a path under the old mount root moves with its entry, in strings and f-string text."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT

from ...core import mapping
from .base import Codemod, _literal


class MovedPaths(Codemod):
    """Paths the config's moves map, as in the YAML."""

    CODES: ClassVar[tuple[str, ...]] = ("W008",)
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (PositionProvider,)

    def moved_string(self, original: cst.SimpleString, data: str) -> cst.BaseExpression | None:
        if self.moves:
            moved = mapping.move_path(data, self.moves)
            if moved != data:
                self.report(original, "W008", f"path moved: {data!r} -> {moved!r}")
                return _literal(moved, original)
        return None

    def leave_FormattedStringText(
        self, original: cst.FormattedStringText, updated: cst.FormattedStringText
    ) -> cst.FormattedStringText:
        if self.moves:
            moved = mapping.move_path(original.value, self.moves)
            if moved != original.value:
                self.report(original, "W008", f"path moved: {original.value!r} -> {moved!r}")
                return updated.with_changes(value=moved)
        return updated
