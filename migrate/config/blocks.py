"""The blocks to migrate: a config's model_cache (or hf_cache, or truss external_data) block,
its entries planned by the rules, and under --nested the blocks of nested config mappings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core import keys, mapping
from ..core.context import TRUSS, Context
from ..core.diagnostics import Diagnostic
from ..core.entry import EntryPlan
from ..core.keys import BLOCK_KEYS
from .pyyaml_rules import MAP, SEQ
from .read import STR, Failure, diag_at, is_empty, nodes, position, top_level, value


@dataclass
class Block:
    key: ScalarNode
    node: SequenceNode
    entries: list[MappingNode]
    empty_weights: ScalarNode | None = None  # an empty `weights:` key the block replaces


def find_block(root: Node, keys: tuple[str, ...] = BLOCK_KEYS) -> Block | None:
    """The model_cache (or hf_cache) block of a config mapping (the root, or a nested one under
    --nested), or None when there is nothing to do."""
    if not isinstance(root, MappingNode):
        return None
    top = top_level(root)
    present = [top[k] for k in keys if k in top and not is_empty(top[k][1])]
    if not present:
        return None
    if len(present) > 1:
        raise Failure(diag_at(present[1][0], "E015", "both model_cache and hf_cache are set; keep one"))
    key, node = present[0]
    empty_weights = None
    if "weights" in top:
        if not is_empty(top["weights"][1]):
            raise Failure(
                diag_at(
                    top["weights"][0], "E013", f"`weights` is already set beside `{key.value}`; the design forbids both"
                )
            )
        empty_weights = top["weights"][0]
    if node.start_mark.line < key.start_mark.line or (
        node.start_mark.line == key.start_mark.line and node.start_mark.column < key.end_mark.column
    ):
        raise Failure(diag_at(key, "E017", f"`{key.value}` is an alias; migrate it by hand"))
    if not isinstance(node, SequenceNode):
        raise Failure(diag_at(node, "E003", f"`{key.value}` must be a list of entries"))
    if _retagged(node):
        message = f"`{key.value}` is tagged {_tag(node)}: PyYAML (as truss) does not read it as a list of entries"
        raise Failure(diag_at(node, "E003", message))
    for entry in node.value:
        if not isinstance(entry, MappingNode):
            raise Failure(diag_at(entry, "E004", f"a `{key.value}` entry must be a mapping"))
        if _retagged(entry):
            message = f"a `{key.value}` entry is tagged {_tag(entry)}: PyYAML (as truss) does not read it as a mapping"
            raise Failure(diag_at(entry, "E004", message))
    return Block(key, node, list(node.value), empty_weights)


def entry_data(entry: MappingNode) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, val in entry.value:
        if not isinstance(key, ScalarNode) or key.tag != STR:
            if key.tag == "tag:yaml.org,2002:merge":
                raise Failure(diag_at(key, "E017", "merge keys (<<) in an entry: migrate it by hand"))
            raise Failure(diag_at(key, "E006", "entry keys must be plain strings"))
        if position(key.start_mark) < position(entry.start_mark):  # an alias: its text is elsewhere
            raise Failure(diag_at(entry, "E017", f"the key `{key.value}` is an alias; migrate this entry by hand"))
        if key.value in data:
            raise Failure(diag_at(key, "E016", f"duplicate key {key.value!r} in entry"))
        _plain_collections(val, key.value)
        data[key.value] = value(val)  # an alias value reads the node it names
    return data


def _retagged(node: Node) -> bool:
    """Whether a tag makes a list or a mapping something else to PyYAML (`!!set`, `!!omap`, `!!str`)."""
    return not isinstance(node, ScalarNode) and node.tag != (SEQ if isinstance(node, SequenceNode) else MAP)


def _tag(node: Node) -> str:
    return str(node.tag).replace("tag:yaml.org,2002:", "!!")


def _plain_collections(node: Node, key: str) -> None:
    """E014 for a list or mapping in an entry's value that a tag makes something else to PyYAML
    (`!!set`, `!!omap`, `!!str` on a list): truss would not read what the entry seems to say."""
    for found in nodes(node, set()):
        if not _retagged(found):
            continue
        message = f"`{key}` holds a collection tagged {_tag(found)}, which PyYAML (as truss) reads otherwise"
        raise Failure(diag_at(found, "E014", message))


def declares_hf_secret(root: MappingNode) -> bool:
    for key, val in root.value:
        if isinstance(key, ScalarNode) and key.value == "secrets" and isinstance(val, MappingNode):
            return any(isinstance(k, ScalarNode) and k.value == mapping.HF_SECRET for k, _ in val.value)
    return False


def plan_entries(
    block: Block, planner: Callable[[Mapping[str, object]], EntryPlan]
) -> tuple[list[EntryPlan], list[Diagnostic]]:
    """One EntryPlan per entry and the diagnostics; raises Failure on the first error."""
    plans, diagnostics = [], []
    for entry in block.entries:
        data = entry_data(entry)
        keys = {k.value: k for k, _ in entry.value}
        try:
            plan = planner(data)
        except mapping.RuleError as err:
            raise Failure(diag_at(keys.get(err.key, entry), err.code, err.message)) from None
        plans.append(plan)
        diagnostics += [diag_at(keys.get(n.key, entry), n.code, n.message) for n in plan.notes]
    return plans, diagnostics


def check_mounts(plans: list[EntryPlan], entries: list[MappingNode]) -> None:
    dup = mapping.duplicate_mount(plans)
    if dup is not None:
        mount = plans[dup].weight["mount_location"]
        raise Failure(diag_at(entries[dup], "E012", f"a second entry would mount at {mount}"))


# --- nested blocks (generator overlays) ------------------------------------------------

_BEFORE_ANCHOR = frozenset(" \t\r\n\x85\u2028\u2029\ufeff[{,?:-")


# A double-quoted implicit key with an escape in it, or an explicit key (`? `: it may span lines).
_ESCAPED_KEY = re.compile(r'"[^"\\\r\n]*\\[^\r\n](?:[^"\\\r\n]|\\[^\r\n])*"[ \t]*:|(?<![^\s\[{,])\?\s')


_ANCHOR_NAME = re.compile("[0-9A-Za-z_-]")  # libyaml's (and PyYAML's) anchor characters


def _keys_hidden(body: str) -> bool:
    """The text may name a key without spelling it: an escape in a double-quoted key, or an
    anchor (an alias of an anchored key is the same key again)."""
    if "\\" in body and _ESCAPED_KEY.search(body):
        return True
    at = body.find("&")
    while at >= 0:
        if (at == 0 or body[at - 1] in _BEFORE_ANCHOR) and _ANCHOR_NAME.match(body, at + 1):
            return True
        at = body.find("&", at + 1)
    return False


@dataclass
class Nested:
    """A `model_cache`/`hf_cache` key in a mapping below the top level."""

    mapping: MappingNode
    key: ScalarNode
    node: Node
    ancestors: tuple[int, ...]  # ids of the collections from the root down to mapping's parent
    shared: bool = False  # the mapping, or a collection above it, is reached through an alias too

    @property
    def entry_list(self) -> bool:
        """Holds a list of entry mappings: the shape a weights block comes from."""
        node = self.node
        return isinstance(node, SequenceNode) and all(isinstance(entry, MappingNode) for entry in node.value)


def nested_blocks(root: Node, body: str) -> list[Nested]:
    """Every non-empty model_cache/hf_cache key below the top level, in document order.

    The tree is walked only when the text names the keys (as whole scalars) more often than the
    top level does, or may hide one (an escape, an anchor), so a plain config costs one scan.
    """
    top = [k for k, _ in root.value if isinstance(k, ScalarNode)] if isinstance(root, MappingNode) else []
    if keys.written(body) <= sum(k.value in BLOCK_KEYS for k in top) and not _keys_hidden(body):
        return []
    found, seen, shared = [], set(), set()
    stack: list[tuple[Node, tuple[int, ...]]] = [(root, ())]
    while stack:
        node, ancestors = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if node is not root:
                found += [
                    Nested(node, key, val, ancestors)
                    for key, val in node.value
                    if isinstance(key, ScalarNode) and key.tag == STR and key.value in BLOCK_KEYS and not is_empty(val)
                ]
            children = [val for _, val in node.value]
        elif isinstance(node, SequenceNode):
            children = node.value
        else:
            continue
        stack += [(child, (*ancestors, id(node))) for child in reversed(children)]
    for nested in found:
        nested.shared = id(nested.mapping) in shared or any(a in shared for a in nested.ancestors)
    return found


@dataclass
class Config:
    """A mapping migrated as a truss config: the root, or under --nested a nested one."""

    mapping: MappingNode
    block: Block
    plans: list[EntryPlan]
    diagnostics: list[Diagnostic]
    external: Block | None = None  # truss dialect: external_data folded into the block
    extra: list[EntryPlan] = field(default_factory=list)  # the plans of external's items
    ancestors: tuple[int, ...] = ()  # nested: ids of the collections above mapping


def plan_config(node: MappingNode, context: Context, ancestors: tuple[int, ...] = ()) -> Config | None:
    """Plan the block (and truss external_data) of one config mapping; None: nothing to do."""
    block = find_block(node)
    external = find_block(node, ("external_data",)) if context.dialect == TRUSS else None
    if block is None:
        if external is None:
            return None
        block, external = external, None  # only external_data: it becomes the weights block in place
        plans, diagnostics = plan_entries(block, mapping.plan_external)
        diagnostics.append(
            diag_at(block.key, "W012", f"external_data became weights ({len(plans)} entries, under {mapping.DATA_DIR})")
        )
    else:
        ctx = dataclasses.replace(context, declares_hf_secret=declares_hf_secret(node))
        plans, diagnostics = plan_entries(block, lambda data: mapping.plan_entry(data, ctx))
    extra, extra_notes = plan_entries(external, mapping.plan_external) if external else ([], [])
    check_mounts(plans + extra, block.entries + (external.entries if external else []))
    return Config(node, block, plans, diagnostics + extra_notes, external, extra, ancestors)


def find_configs(root: Node, found: list[Nested], context: Context) -> tuple[list[Config], list[Diagnostic]]:
    """The config mappings to migrate (root first) and the reports about nested blocks."""
    configs = [top] if isinstance(root, MappingNode) and (top := plan_config(root, context)) else []
    reports, planned = [], set()
    for nested in found:
        name = nested.key.value
        if not nested.entry_list:
            reports.append(
                diag_at(
                    nested.key,
                    "W041",
                    f"nested `{name}` left as it is: not a list of entry mappings, so nothing to migrate",
                )
            )
        elif not context.nested:
            reports.append(
                diag_at(nested.key, "W040", f"nested {name} left as it is: not a truss config; --nested migrates it")
            )
        elif nested.shared:
            raise Failure(
                diag_at(
                    nested.key, "E060", f"this nested `{name}` is also reached through a YAML alias; migrate it by hand"
                )
            )
        elif id(nested.mapping) not in planned:
            planned.add(id(nested.mapping))
            config = plan_config(nested.mapping, context, nested.ancestors)
            if config is not None:  # always: the nested block is a non-empty list of entry mappings
                configs.append(config)
                reports.append(
                    diag_at(nested.key, "W042", f"nested {name} became weights ({len(config.plans)} entries)")
                )
    return configs, reports
