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
    def legacy_hf(self) -> bool:
        """A legacy Hugging Face entry: its files were in the image's HF cache, and code loaded them by repo id."""
        return self.legacy and self.kind == "hf"
