"""W106: cfg["model_cache"][i]["repo_id"] of a legacy HF entry reads ["weights"][i]["mount_location"]."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider, ProviderT

from ...core.keys import BLOCK_KEYS
from .base import Codemod, _literal, _string

# X["model_cache"][i]: a string key, then an integer index
_ENTRY = m.Subscript(
    value=m.Subscript(slice=[m.SubscriptElement(m.Index(m.SimpleString()))]),
    slice=[m.SubscriptElement(m.Index(m.Integer()))],
)
# X["model_cache"][i]["repo_id"]
_FIELD = m.Subscript(value=_ENTRY, slice=[m.SubscriptElement(m.Index(m.SimpleString()))])
# X["model_cache"][i].get("repo_id")
_GET = m.Call(func=m.Attribute(value=_ENTRY, attr=m.Name("get")), args=[m.Arg(m.SimpleString(), keyword=None)])


def _index(node: cst.BaseExpression) -> cst.BaseExpression:
    """What stands in the brackets of a subscript the patterns above matched (one plain index)."""
    return cst.ensure_type(cst.ensure_type(node, cst.Subscript).slice[0].slice, cst.Index).value


def _entry_of(get: cst.Call) -> cst.Subscript:
    """X["model_cache"][i] of a call _GET matched."""
    return cst.ensure_type(cst.ensure_type(get.func, cst.Attribute).value, cst.Subscript)


class Subscripts(Codemod):
    """Reads of a legacy entry's repo id from the loaded config."""

    CODES: ClassVar[tuple[str, ...]] = ("W106",)
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (PositionProvider,)

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        if not m.matches(updated, _FIELD):
            return updated
        entry = cst.ensure_type(updated.value, cst.Subscript)
        field_key = cst.ensure_type(_index(updated), cst.SimpleString)
        found = self.legacy_entry(entry) if _string(field_key) == "repo_id" else None
        if found is None:
            return updated
        block_key, index = found
        self.report(
            original,
            "W106",
            f'[{block_key.value}][{index}][{field_key.value}] -> ["weights"][{index}]["mount_location"]',
        )
        self.reviewed(cst.ensure_type(original.value, cst.Subscript))
        return updated.with_changes(value=self.weights_entry(entry)).with_deep_changes(
            updated.slice[0].slice, value=_literal("mount_location", field_key)
        )

    def get_repo_id(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """X["model_cache"][i].get("repo_id") of a legacy HF entry: X["weights"][i].get("mount_location")."""
        if not m.matches(updated, _GET) or _string(updated.args[0].value) != "repo_id":
            return updated
        found = self.legacy_entry(_entry_of(updated))
        if found is None:
            return updated
        block_key, index = found
        self.report(
            original,
            "W106",
            f'[{block_key.value}][{index}].get("repo_id") -> ["weights"][{index}].get("mount_location")',
        )
        self.reviewed(_entry_of(original))
        func = cst.ensure_type(updated.func, cst.Attribute).with_changes(value=self.weights_entry(_entry_of(updated)))
        arg = updated.args[0].with_changes(value=_literal("mount_location", updated.args[0].value))
        return updated.with_changes(func=func, args=[arg, *updated.args[1:]])

    def legacy_entry(self, node: cst.Subscript) -> tuple[cst.SimpleString, int] | None:
        """(block key, index) of X["model_cache"][i] when entry i is a legacy HF entry."""
        block_key = cst.ensure_type(_index(node.value), cst.SimpleString)
        index = int(cst.ensure_type(_index(node), cst.Integer).value, 0)
        plan = self.legacy.get(index)
        if _string(block_key) not in BLOCK_KEYS or plan is None or not plan.legacy_hf:
            return None
        return block_key, index

    def reviewed(self, entry: cst.Subscript) -> None:
        """The block key of X["model_cache"][i] (in the parsed source) is rewritten: W108 leaves it."""
        key = _index(entry.value)
        self.review = [n for n in self.review if n is not key]

    def weights_entry(self, node: cst.Subscript) -> cst.Subscript:
        """X["model_cache"][i] -> X["weights"][i], in the quote style of the old key."""
        top = cst.ensure_type(node.value, cst.Subscript)
        top = top.with_deep_changes(top.slice[0].slice, value=_literal("weights", _index(top)))
        return node.with_changes(value=top)
