"""W120/W121: a start command built next to a rewritten TrussConfig loses `truss-transfer-cli &&`."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...core import shell
from ..findings import REWRITE
from ..survey import holds, post, pre
from ..syntax import FText, StringPiece
from .base import Codemod, cst, literal

if TYPE_CHECKING:
    from .rewrite import Rewrite

CLI = "truss-transfer-cli"


@dataclass(frozen=True)
class Command:
    """The start command without `truss-transfer-cli`: a string's new value, or an f-string's whole
    text with each expression held by a placeholder word."""

    command: str
    holders: tuple[str, ...] = ()


class StartCommand(Codemod):
    """Start commands in strings and f-strings."""

    CODES: ClassVar[tuple[str, ...]] = ("W120", "W121")

    def decide(self) -> None:
        survey = self.survey
        self.rewrites_config = any(survey.containers.get(c) == "TrussConfig" for c in survey.changeable)
        if not self.rewrites_config:
            return
        for piece in survey.strings():
            if piece.formatted and CLI in piece.raw:
                self.fstring(piece)
            elif not piece.formatted and piece.where not in survey.claimed:
                data = piece.value
                if isinstance(data, str) and CLI in data:
                    self.string(piece, data)

    def string(self, piece: StringPiece, data: str) -> None:
        command = self.start_command(piece, data)
        if command is not None:
            self.survey.claimed.add(piece.where)
            self.edit_at("SimpleString", piece.where, Command(command), piece.node)

    def fstring(self, piece: StringPiece) -> None:
        parts = self.survey.fstring_texts(piece)
        if not any(isinstance(p, FText) and CLI in p.value for p in parts):
            return
        first = parts[0] if parts else None
        if not isinstance(first, FText) or CLI not in first.value:
            self.start_command(piece, "")  # the command is split by an expression: only reported
            return
        # The whole command, each expression held by a placeholder word, so the shell chain reads
        # whole (a quote opened before an expression closes after it); the text parts come back.
        holders = tuple(f"WMHOLD{i}X" for i in range(len(parts)))
        whole = "".join(p.value if isinstance(p, FText) else holders[i] for i, p in enumerate(parts))
        command = self.start_command(piece, whole)
        if command is not None:
            self.edit_at("FormattedString", piece.where, Command(command, holders), piece.node)

    def start_command(self, piece: StringPiece, command: str) -> str | None:
        """The command without `truss-transfer-cli &&` (W120, as W004 in a config), or None where it stays (W121)."""
        configs = self.enclosing_configs(piece.node)
        fixed = shell.drop_transfer_cli(command) if configs and configs[-1] else None
        order = (REWRITE, post(piece.node), self.rule)
        if fixed is None:
            self.survey.report_at(
                piece.where,
                order,
                "W121",
                "`truss-transfer-cli` in a start command next to a rewritten TrussConfig left: "
                "weights need no transfer step; drop it by hand unless the config uses trt_llm",
            )
            return None
        self.survey.report_at(
            piece.where,
            order,
            "W120",
            "`truss-transfer-cli &&` dropped from a start command built for a rewritten TrussConfig (as W004)",
        )
        return fixed

    def enclosing_configs(self, node: ast.AST) -> list[bool]:
        """The rewritten TrussConfig calls around node, outermost first: may their start command change?"""
        survey = self.survey
        configs = [
            call
            for key, call in survey.calls.items()
            if key in survey.changeable and (call.truss or "").endswith("TrussConfig") and holds(call.node, node)
        ]
        return [call.argument("trt_llm") is None for call in sorted(configs, key=lambda c: pre(c.node))]

    # -- the rewrite

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return literal(payload.command, original) if isinstance(payload, Command) else updated

    def edit_fstring(
        self, rewrite: Rewrite, original: cst.FormattedString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if not isinstance(payload, Command) or not isinstance(updated, cst.FormattedString):
            return updated
        parts = updated.parts
        pieces: list[str] = []
        rest = payload.command
        for i, part in enumerate(parts):
            if isinstance(part, cst.FormattedStringText):
                continue
            text, sep, rest = rest.partition(payload.holders[i])
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
