"""A planned entry: what one `model_cache` entry becomes, as the mapping plans it and the editors apply it.

Plain data, importing nothing of the package: the context, the outcomes and every part refer to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Weight = dict[str, Any]  # one new entry's meaning, as PyYAML reads it: strings, and lists of strings for patterns


@dataclass(frozen=True)
class Note:
    """A warning about one entry; `key` names the entry key it concerns."""

    code: str
    message: str
    key: str | None = None


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


@dataclass(frozen=True)
class PatternItem:
    """One pattern of an old allow or ignore list: what it becomes where it is written (itself, or
    its rewritten form), and the patterns inserted right after it."""

    old: str
    new: str
    added: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return self.new != self.old or bool(self.added)


@dataclass(frozen=True)
class PatternList:
    """An allow or ignore list rewritten in place, pattern by pattern: the list keeps its items and
    its layout, and each item is followed by what it adds."""

    items: tuple[PatternItem, ...]

    @property
    def patterns(self) -> list[str]:
        """The new list, as the new entry holds it."""
        return [pattern for item in self.items for pattern in (item.new, *item.added)]

    @property
    def changed(self) -> bool:
        return any(item.changed for item in self.items)


@dataclass(frozen=True)
class KeyChange:
    """What becomes of one key of the old entry.

    new is None: the key is dropped. value is UNCHANGED: the value stays as written; a PatternList:
    the list is edited item by item; anything else: the new value, a string.
    """

    old: str
    new: str | None
    value: object = UNCHANGED


@dataclass(frozen=True)
class EntryPlan:
    weight: Weight  # the new entry's meaning
    changes: tuple[KeyChange, ...]  # one per key of the old entry, in its order
    inserts: tuple[tuple[str, object], ...]  # new keys, placed right after `source`
    notes: tuple[Note, ...] = field(default=())
    kind: str = "hf"
    legacy: bool = False
    old_location: str | None = None  # where the files lived before, if on disk
    repo_id: str = ""  # as the old entry had it

    @property
    def mount_location(self) -> str:
        location: str = self.weight["mount_location"]
        return location

    @property
    def legacy_hf(self) -> bool:
        """A legacy Hugging Face entry: its files were in the image's HF cache, and code loaded them by repo id."""
        return self.legacy and self.kind == "hf"


@dataclass(frozen=True)
class TrussEntry:
    """One `weights` entry of a truss, as the truss's code sees it: what it fetches, where it mounts.

    Built from the plan of an entry the run migrates, or from an entry already under `weights`.
    """

    index: int  # its place in the config's list (model_cache's, and weights' after it)
    source: str  # as `weights` writes it
    mount_location: str
    repo_id: str | None = None  # the Hugging Face repository, for a Hugging Face source
    patterns: Weight = field(default_factory=dict)  # allow_patterns / ignore_patterns, if any
    written_id: str = ""  # the repo_id code read from model_cache (the source, for an entry under weights)
    migrating: bool = False  # its config moves from model_cache in this run (code may still read that key)
    legacy: bool = False  # model_cache baked it into the image (a legacy entry)
    old_location: str | None = None  # where its files were on disk before, if they were
    revision: str = ""  # the Hugging Face revision it mounts ("": the default branch)

    @classmethod
    def of_plan(cls, index: int, plan: EntryPlan) -> TrussEntry:
        weight = plan.weight
        return cls(
            index,
            weight["source"],
            weight["mount_location"],
            _bare_id(plan.repo_id).split("@", 1)[0] if plan.kind == "hf" else None,
            {k: weight[k] for k in PATTERN_KEYS if k in weight},
            plan.repo_id,
            migrating=True,
            legacy=plan.legacy,
            old_location=plan.old_location,
            revision=revision_of(weight) if plan.kind == "hf" else "",
        )

    @classmethod
    def of_weight(cls, index: int, weight: Weight) -> TrussEntry | None:
        """An entry already under `weights` (None when it is not one a truss could load)."""
        source, mount = weight.get("source"), weight.get("mount_location")
        if not isinstance(source, str) or not isinstance(mount, str):
            return None
        hf = source.startswith("hf://") or "://" not in source  # the design reads a bare id as Hugging Face
        repo_id = _bare_id(source).split("@", 1)[0] if hf else None
        patterns = {k: weight[k] for k in PATTERN_KEYS if isinstance(weight.get(k), list)}
        return cls(index, source, mount, repo_id, patterns, source, revision=revision_of(weight) if hf else "")


PATTERN_KEYS = ("allow_patterns", "ignore_patterns")


def revision_of(weight: Weight) -> str:
    """A Hugging Face entry's revision: its `revision` key (seed), or `@rev` in its source (truss)."""
    given = weight.get("revision")
    if isinstance(given, str) and given:
        return given
    return _bare_id(str(weight.get("source", ""))).partition("@")[2]


def _bare_id(repo_id: str) -> str:
    return repo_id[len("hf://") :] if repo_id.startswith("hf://") else repo_id


@dataclass(frozen=True)
class Site:
    """A place in a truss that names one of its entries: where it loads the entry from its mount,
    or where it still fetches the entry's repository by id (a pending site)."""

    entry: int  # the TrussEntry's index
    loaded_from: str  # "mount" or "hub"
    line: int
    code: str | None = None  # the diagnostic reported there (a hub site always has one)
    path: str = ""  # the file, once the run knows it


@dataclass(frozen=True)
class ConfigValue:
    """A string the truss's config holds at a path of mapping keys (outside its weights block): truss
    passes the parsed config to `Model(config=...)`, so its code may read an id there."""

    keys: tuple[str, ...]
    value: str
