"""W120/W121: a start command built next to a rewritten TrussConfig loses `truss-transfer-cli &&`."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT

from ...core import shell
from .base import Codemod, _literal


class StartCommand(Codemod):
    """Start commands in strings and f-strings."""

    CODES: ClassVar[tuple[str, ...]] = ("W120", "W121")
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (PositionProvider,)

    def start_command_string(self, original: cst.SimpleString, data: str) -> cst.BaseExpression | None:
        if "truss-transfer-cli" in data:
            command = self.start_command(original, data)
            if command is not None:
                return _literal(command, original)
        return None

    def start_command(self, node: cst.CSTNode, command: str) -> str | None:
        """The command without `truss-transfer-cli &&` (W120, as W004 in a config), or None where it stays (W121)."""
        if not self.rewrites_config:
            return None
        fixed = shell.drop_transfer_cli(command) if self.configs and self.configs[-1] else None
        if fixed is None:
            self.report(
                node,
                "W121",
                "`truss-transfer-cli` in a start command next to a rewritten TrussConfig left: "
                "weights need no transfer step; drop it by hand unless the config uses trt_llm",
            )
            return None
        self.report(
            node,
            "W120",
            "`truss-transfer-cli &&` dropped from a start command built for a rewritten TrussConfig (as W004)",
        )
        return fixed

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        parts = updated.parts
        if not parts or not any(
            isinstance(p, cst.FormattedStringText) and "truss-transfer-cli" in p.value for p in parts
        ):
            return updated
        if not isinstance(parts[0], cst.FormattedStringText) or "truss-transfer-cli" not in parts[0].value:
            self.start_command(original, "")  # the command is split by an expression: only reported
            return updated
        # The whole command, each expression held by a placeholder word, so the shell chain reads
        # whole (a quote opened before an expression closes after it); the text parts come back.
        holders = [f"WMHOLD{i}X" for i in range(len(parts))]
        whole = "".join(p.value if isinstance(p, cst.FormattedStringText) else holders[i] for i, p in enumerate(parts))
        command = self.start_command(original, whole)
        if command is None:
            return updated
        pieces: list[str] = []
        rest = command
        for i, part in enumerate(parts):
            if isinstance(part, cst.FormattedStringText):
                continue
            text, sep, rest = rest.partition(holders[i])
            if not sep:
                raise ValueError("a placeholder of the start command was lost")  # E099, file untouched
            pieces.append(text)
        pieces.append(rest)
        texts = iter(pieces)
        new_parts: list[cst.BaseFormattedStringContent] = []
        pending = next(texts)
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                continue
            new_parts += [cst.FormattedStringText(pending)] if pending else []
            new_parts.append(part)
            pending = next(texts)
        new_parts += [cst.FormattedStringText(pending)] if pending else []
        return updated.with_changes(parts=new_parts)
