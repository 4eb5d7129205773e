"""What a truss's code needs from its config: its entries (as planned, or already under `weights`),
where the config itself names them (a value holding a mount location: a start command, an
environment variable), and the strings its code may read an id from (`model_metadata.repo_id`)."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.entry import ConfigValue, Site, TrussEntry
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


_NAME = re.compile(r"[A-Za-z0-9._-]{1,40}")  # a name a loader may map to a repository (a faster-whisper size)
_DEPTH = 4


def config_values(root: Node, truss: tuple[TrussEntry, ...]) -> tuple[ConfigValue, ...]:
    """The strings at paths of mapping keys outside the blocks that are an entry's Hugging Face id, or
    a short name a loader may map to one (`small`): what the code may read an id from."""
    ids = {entry.repo_id for entry in truss if entry.repo_id}
    if not ids or not isinstance(root, MappingNode):
        return ()
    found: list[ConfigValue] = []
    stack: list[tuple[tuple[str, ...], Node]] = [((), root)]
    while stack:
        keys, node = stack.pop()
        for key, val in node.value:
            if not (isinstance(key, ScalarNode) and key.tag == STR) or (not keys and key.value in _OWN_KEYS):
                continue
            path = (*keys, key.value)
            if isinstance(val, MappingNode) and len(path) < _DEPTH:
                stack.append((path, val))
            elif isinstance(val, ScalarNode) and val.tag == STR and (val.value in ids or _NAME.fullmatch(val.value)):
                found.append(ConfigValue(path, val.value))
    return tuple(sorted(found, key=lambda v: v.keys))


_OWN_KEYS = (*BLOCK_KEYS, "weights", "external_data")


def _may_hold(text: str, path: str) -> bool:
    """Whether a scalar of text may hold path: written out, or spelled otherwise (an escape in double
    quotes, a doubled quote in single ones, a line break folded into a blank)."""
    return path in text or "\\" in text or "'" in path or any(c.isspace() for c in path)


def sites(root: Node, truss: tuple[TrussEntry, ...], text: str) -> tuple[Site, ...]:
    """Where the config's values (outside its blocks) name an entry's mount location, or where the
    entry's files were before it moved. text is the config's: where it cannot hold a path, no value does."""
    if not truss or not isinstance(root, MappingNode):
        return ()
    places = [(e, [p for p in (e.mount_location, e.old_location) if p]) for e in truss]
    if not any(_may_hold(text, path) for _, paths in places for path in paths):
        return ()
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
