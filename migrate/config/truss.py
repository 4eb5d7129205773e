"""What a truss's code needs from its config: its entries (as planned, or already under `weights`),
and where the config itself names them (a value holding a mount location: a start command, an
environment variable)."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.entry import Site, TrussEntry
from ..core.keys import BLOCK_KEYS
from ..core.mapping import names_path
from .read import STR, nodes, top_level, value


def under_weights(root: Node) -> tuple[TrussEntry, ...]:
    """The entries of a config already under `weights` (none when it has no such list)."""
    if not isinstance(root, MappingNode):
        return ()
    found = top_level(root).get("weights")
    if found is None or not isinstance(found[1], SequenceNode):
        return ()
    entries = []
    for index, item in enumerate(found[1].value):
        data = value(item) if isinstance(item, MappingNode) else None
        entry = TrussEntry.of_weight(index, data) if isinstance(data, dict) else None
        if entry is not None:
            entries.append(entry)
    return tuple(entries)


def sites(root: Node, truss: tuple[TrussEntry, ...]) -> tuple[Site, ...]:
    """Where the config's values (outside its blocks) name an entry's mount location, or where the
    entry's files were before it moved."""
    if not truss or not isinstance(root, MappingNode):
        return ()
    places = [(e, [p for p in (e.mount_location, e.old_location) if p]) for e in truss]
    found = []
    seen: set[int] = set()
    for key, val in root.value:
        if isinstance(key, ScalarNode) and key.value in (*BLOCK_KEYS, "weights"):
            continue
        for node in nodes(val, seen, keys=False):
            if not isinstance(node, ScalarNode) or node.tag != STR:
                continue
            for entry, paths in places:
                if any(names_path(node.value, path) for path in paths):
                    found.append(Site(entry.index, "mount", node.start_mark.line + 1))
    return tuple(dict.fromkeys(found))
