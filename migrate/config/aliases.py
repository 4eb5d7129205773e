"""Aliases: refuse a migration that would change a node an alias outside the edits still shares."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.entry import UNCHANGED, EntryPlan
from .blocks import Block, Config
from .read import Failure, before, diag_at, nodes

# An alias or anchor token (what can look like one, in quotes too): `*.json` or `&&` are neither.
_ALIAS_TOKEN = re.compile(r"\*(?<![^\s\[{,]\*)[0-9A-Za-z_-]")  # the token first: see pyyaml_rules.MAY_ANCHOR
_ANCHOR_TOKEN = re.compile(r"&(?<![^\s\[{,]&)[0-9A-Za-z_-]")


def check_anchors(root: MappingNode, block: Block, plans: list[EntryPlan], body: str) -> None:
    """Refuse when an alias that stays in the file shares a node the migration edits.

    Edited: the block key, renamed or dropped keys, and values replaced or dropped where
    they are written. An alias that is itself the value replaced or dropped goes with its
    edit (the new text replaces `*name`), so it shares nothing; the anchored node stays.
    """
    if "*" not in body or "&" not in body or not (_ALIAS_TOKEN.search(body) and _ANCHOR_TOKEN.search(body)):
        return
    edited: set[int] = {id(block.key)}
    removed: set[tuple[int, int]] = set()  # (entry, pair index) whose alias value goes
    for entry, plan in zip(block.entries, plans):
        for index, ((key, val), change) in enumerate(zip(entry.value, plan.changes)):
            if change.new != change.old:
                edited.add(id(key))
            if change.new is None or change.value is not UNCHANGED:
                if before(val, key):
                    removed.add((id(entry), index))
                else:
                    edited |= {id(node) for node in nodes(val, set())}
    memo: dict[int, bool] = {}
    for target, holder in _staying_aliases(root, removed, edited):
        if _touches(target, edited, memo):
            where = f"`{holder.value}`" if isinstance(holder, ScalarNode) and holder is not target else "an alias"
            raise Failure(
                diag_at(holder, "E017", f"{where} is an alias of a node the migration changes; migrate by hand")
            )


def _changed_nodes(block: Block, plans: list[EntryPlan]) -> set[int]:
    """Ids of the nodes the migration of block changes (for a nested block's alias check)."""
    inside = {id(block.node)} | {id(entry) for entry in block.entries}
    for entry, plan in zip(block.entries, plans):
        for (key, val), change in zip(entry.value, plan.changes):
            if change.new != change.old:
                inside.add(id(key))
            if change.new is None or change.value is not UNCHANGED:
                inside |= {id(node) for node in nodes(val, set())}
    return inside


def _staying_aliases(root: Node, removed: set[tuple[int, int]], edited: set[int]) -> list[tuple[Node, Node]]:
    """(node, where) for each alias left in the output, in document order.

    where: the key an alias value belongs to, else the collection holding the alias.
    """
    seen: set[int] = set()
    found: list[tuple[Node, Node]] = []

    def visit(node: Node, gone: bool) -> None:
        seen.add(id(node))
        gone = gone or id(node) in edited  # aliases inside an edited node go with it
        children: list[tuple[Node, Node]]
        if isinstance(node, SequenceNode):
            children = [(child, node) for child in node.value]
        elif isinstance(node, MappingNode):
            children = []
            for index, (key, val) in enumerate(node.value):
                children.append((key, node))
                if (id(node), index) not in removed:
                    children.append((val, key))
        else:
            children = []
        for child, holder in children:
            if id(child) in seen:
                if not gone:
                    found.append((child, holder))
            else:
                visit(child, gone)

    visit(root, False)
    return found


def _touches(node: Node, edited: set[int], memo: dict[int, bool]) -> bool:
    """Whether node or a node below it is edited."""
    key = id(node)
    if key not in memo:
        memo[key] = False  # a recursive alias adds nothing new
        children = node.value if isinstance(node, SequenceNode) else []
        if isinstance(node, MappingNode):
            children = [c for pair in node.value for c in pair]
        memo[key] = key in edited or any(_touches(c, edited, memo) for c in children)
    return memo[key]


def check_nested_anchors(root: Node, config: Config, body: str) -> None:
    """A node a nested migration changes, shared by an alias outside its block, would change there too."""
    if "*" not in body or "&" not in body:
        return
    inside = _changed_nodes(config.block, config.plans)
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in inside:
            raise Failure(
                diag_at(
                    config.block.key,
                    "E017",
                    f"a node of this `{config.block.key.value}` is shared by an alias elsewhere; migrate by hand",
                )
            )
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack += [n for key, val in node.value if key is not config.block.key for n in (key, val)]
        elif isinstance(node, SequenceNode):
            stack += node.value


def check(root: Node, configs: list[Config], body: str) -> None:
    """Refuse (E017) when an alias left in the file shares a node any config's migration edits."""
    top = configs[0] if configs[0].mapping is root else None
    if top is not None:
        check_anchors(top.mapping, top.block, top.plans, body)
    for config in configs:
        if config is not top:
            check_nested_anchors(root, config, body)
