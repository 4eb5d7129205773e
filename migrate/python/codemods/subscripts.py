"""W106: cfg["model_cache"][i]["repo_id"] of a legacy HF entry, which the migrated config no longer holds.

Where a loader takes the whole mount (LoaderArguments decided it), it reads
["weights"][i]["mount_location"]; a read inside a Hub call that became a path goes with the call;
anywhere else it becomes the repository's id, as a literal: the program then does what it did.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...core.keys import BLOCK_KEYS
from ..survey import post
from ..syntax import StringPiece, Where
from .base import Codemod, cst, literal

if TYPE_CHECKING:
    from .rewrite import Rewrite


@dataclass(frozen=True)
class Entry:
    """X["model_cache"][i] of a legacy Hugging Face entry: what the survey read of it."""

    block_key: StringPiece  # the "model_cache" literal
    index: int


@dataclass(frozen=True)
class RepoId:
    """The read replaced by the repository's id."""

    repo_id: str


class Subscripts(Codemod):
    """Reads of a legacy entry's repo id from the loaded config."""

    CODES: ClassVar[tuple[str, ...]] = ("W106",)

    def decide(self) -> None:
        survey = self.survey
        self.reviewed: set[Where] = set()  # block keys rewritten here: the review (W108) leaves them
        found = survey.of_type(ast.Subscript, ast.Call)
        for node in sorted(found, key=post):
            if isinstance(node, ast.Subscript):
                self.subscript(node)
            elif isinstance(node, ast.Call):
                self.get(node)

    def subscript(self, node: ast.Subscript) -> None:
        """X["model_cache"][i]["repo_id"]"""
        entry = self.legacy_entry(node.value)
        key = self.plain_string(node.slice) if entry is not None else None
        if entry is None or key is None or key.value != "repo_id":
            return
        read = f"[{entry.block_key.raw}][{entry.index}][{key.raw}]"
        self.rewrite(node, entry, read, '["weights"][{index}]["mount_location"]', "Subscript")

    def get(self, node: ast.Call) -> None:
        """X["model_cache"][i].get("repo_id")"""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "get") or node.keywords or len(node.args) != 1:
            return
        entry = self.legacy_entry(func.value)
        key = self.plain_string(node.args[0]) if entry is not None else None
        if entry is None or key is None or key.value != "repo_id":
            return
        read = f'[{entry.block_key.raw}][{entry.index}].get("repo_id")'
        self.rewrite(node, entry, read, '["weights"][{index}].get("mount_location")', "Call")

    def rewrite(self, node: ast.expr, entry: Entry, read: str, mounted: str, kind: str) -> None:
        """The read becomes what LoaderArguments decided: the mount location's read, or the id."""
        self.reviewed.add(entry.block_key.where)
        what = self.survey.block_reads.get(id(node), "literal")
        if what == "call":
            return
        if what == "mount":
            self.edit(kind, node, entry)
            self.report(node, "W106", f"{read} -> {mounted.format(index=entry.index)}")
            return
        repo_id = self.survey.entries[entry.index].repo_id or ""
        self.edit(kind, node, RepoId(repo_id))
        message = (
            f"{read} -> {repo_id!r}: the migrated config has no {entry.block_key.value}, so the id is written out "
            "(this still loads it from the Hub by id)"
        )
        self.report(node, "W106", message)

    def legacy_entry(self, node: ast.expr) -> Entry | None:
        """X["model_cache"][i] when entry i is a legacy HF entry."""
        if not isinstance(node, ast.Subscript) or not isinstance(node.value, ast.Subscript):
            return None
        index = node.slice
        if not (isinstance(index, ast.Constant) and type(index.value) is int):
            return None
        key = node.value.slice
        if not (isinstance(key, ast.Constant) and key.value in BLOCK_KEYS):  # the cheap look first
            return None
        block_key = self.plain_string(key)
        entry = self.survey.entries.get(index.value)
        legacy_hf = entry is not None and entry.repo_id is not None and entry.legacy
        if block_key is None or block_key.value not in BLOCK_KEYS or not legacy_hf:
            return None
        return Entry(block_key, index.value)

    def plain_string(self, node: ast.expr) -> StringPiece | None:
        """node when it is one plain string literal (what libcst calls a SimpleString)."""
        if not (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))):
            return None
        pieces = self.survey.pieces(node)
        return pieces[0] if len(pieces) == 1 and not pieces[0].formatted else None

    # -- the rewrite

    def edit_subscript(
        self, rewrite: Rewrite, original: cst.Subscript, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if isinstance(payload, RepoId):
            return literal(payload.repo_id, _index(updated) if isinstance(updated, cst.Subscript) else None)
        if not isinstance(updated, cst.Subscript) or not isinstance(updated.value, cst.Subscript):
            return updated
        entry = updated.value
        field_key = _index(updated)
        return updated.with_changes(value=_weights_entry(entry)).with_deep_changes(
            updated.slice[0].slice, value=literal("mount_location", field_key)
        )

    def edit_call(
        self, rewrite: Rewrite, original: cst.Call, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if isinstance(payload, RepoId):
            return literal(payload.repo_id)
        if not isinstance(payload, Entry) or not isinstance(updated, cst.Call):
            return updated
        attribute = cst.ensure_type(updated.func, cst.Attribute)
        entry = cst.ensure_type(attribute.value, cst.Subscript)
        func = attribute.with_changes(value=_weights_entry(entry))
        arg = updated.args[0].with_changes(value=literal("mount_location", updated.args[0].value))
        return updated.with_changes(func=func, args=[arg, *updated.args[1:]])


def _index(node: cst.BaseExpression) -> cst.BaseExpression:
    """What stands in the brackets of a subscript the patterns above matched (one plain index)."""
    return cst.ensure_type(cst.ensure_type(node, cst.Subscript).slice[0].slice, cst.Index).value


def _weights_entry(node: cst.Subscript) -> cst.Subscript:
    """X["model_cache"][i] -> X["weights"][i], in the quote style of the old key."""
    top = cst.ensure_type(node.value, cst.Subscript)
    top = top.with_deep_changes(top.slice[0].slice, value=literal("weights", _index(top)))
    return node.with_changes(value=top)
