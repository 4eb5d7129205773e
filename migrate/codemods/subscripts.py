"""W106: cfg["model_cache"][i]["repo_id"] of a legacy HF entry reads ["weights"][i]["mount_location"]."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider

from .base import Reporting, _literal, _string

_ENTRY = m.Subscript(
    value=m.Subscript(slice=[m.SubscriptElement(m.Index(m.SimpleString()))]),
    slice=[m.SubscriptElement(m.Index(m.Integer()))],
)


class Subscripts(Reporting, cst.CSTTransformer):
    """Reads of a legacy entry's repo id from the loaded config."""

    CODES = ("W106",)
    METADATA_DEPENDENCIES = (PositionProvider,)

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        pattern = m.Subscript(
            value=m.Subscript(
                value=m.Subscript(slice=[m.SubscriptElement(m.Index(m.SimpleString()))]),
                slice=[m.SubscriptElement(m.Index(m.Integer()))],
            ),
            slice=[m.SubscriptElement(m.Index(m.SimpleString()))],
        )
        if not m.matches(updated, pattern):
            return updated
        middle = updated.value
        top = middle.value
        block_key = top.slice[0].slice.value
        field_key = updated.slice[0].slice.value
        index = int(middle.slice[0].slice.value.value, 0)
        plan = self.legacy.get(index)
        if _string(block_key) not in ("model_cache", "hf_cache") or _string(field_key) != "repo_id":
            return updated
        if plan is None or not plan.legacy_hf:
            return updated
        self.report(
            original,
            "W106",
            f'[{block_key.value}][{index}][{field_key.value}] -> ["weights"][{index}]["mount_location"]',
        )
        original_key = original.value.value.slice[0].slice.value
        self.review = [n for n in self.review if n is not original_key]
        top = top.with_deep_changes(top.slice[0].slice, value=_literal("weights", block_key))
        middle = middle.with_changes(value=top)
        return updated.with_changes(value=middle).with_deep_changes(
            updated.slice[0].slice, value=_literal("mount_location", field_key)
        )

    def get_repo_id(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """X["model_cache"][i].get("repo_id") of a legacy HF entry: X["weights"][i].get("mount_location")."""
        pattern = m.Call(
            func=m.Attribute(value=_ENTRY, attr=m.Name("get")),
            args=[m.Arg(m.SimpleString(), keyword=None)],
        )
        if not m.matches(updated, pattern) or _string(updated.args[0].value) != "repo_id":
            return updated
        entry = self.legacy_entry(updated.func.value)
        if entry is None:
            return updated
        block_key, index = entry
        self.report(
            original,
            "W106",
            f'[{block_key.value}][{index}].get("repo_id") -> ["weights"][{index}].get("mount_location")',
        )
        self.review = [n for n in self.review if n is not original.func.value.value.slice[0].slice.value]
        func = updated.func.with_changes(value=self.weights_entry(updated.func.value))
        arg = updated.args[0].with_changes(value=_literal("mount_location", updated.args[0].value))
        return updated.with_changes(func=func, args=[arg, *updated.args[1:]])

    def legacy_entry(self, node: cst.Subscript) -> tuple[cst.SimpleString, int] | None:
        """(block key, index) of X["model_cache"][i] when entry i is a legacy HF entry."""
        top = node.value
        block_key = top.slice[0].slice.value
        index = int(node.slice[0].slice.value.value, 0)
        plan = self.legacy.get(index)
        if _string(block_key) not in ("model_cache", "hf_cache") or plan is None or not plan.legacy_hf:
            return None
        return block_key, index

    def weights_entry(self, node: cst.Subscript) -> cst.Subscript:
        top = node.value
        top = top.with_deep_changes(top.slice[0].slice, value=_literal("weights", top.slice[0].slice.value))
        return node.with_changes(value=top)
