"""What happened to a text or a file: a Status, the new text, the diagnostics; and the one error type.

Every part's editor (a config's YAML, a Python module, a Markdown document) returns an Outcome;
the run turns it into a FileResult, which the reporters print. The parts, the run and the
reporters all depend on this module and not on each other.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum

from .diagnostics import Diagnostic
from .entry import ConfigValue, EntryPlan, Site, TrussEntry


class Status(str, Enum):
    """What happened to a file (the values are those of the JSON report and the summary).

    A str, so a status equals its value and prints as it.
    """

    MIGRATED = "migrated"  # an editor's text changed; the file was written
    WOULD_MIGRATE = "would-migrate"  # it changes, but --diff or --check writes nothing
    UNCHANGED = "unchanged"  # nothing to change, or skipped with a warning
    FAILED = "failed"  # an error: the file is left byte for byte as it was

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    @property
    def changes(self) -> bool:
        return self in (Status.MIGRATED, Status.WOULD_MIGRATE)


class MigrationError(Exception):
    """A text or file that cannot be migrated; carries the diagnostic that says why.

    `key` names the entry key at fault, when the diagnostic's position is still to be found
    (the rules see values, not where they stand in the file).
    """

    def __init__(self, diagnostic: Diagnostic, key: str | None = None):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.key = key


@dataclass
class Outcome:
    """An editor's result: `text` is the new text when status is MIGRATED, else None."""

    status: Status
    text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plans: list[EntryPlan] = field(default_factory=list)  # the top-level entries, as planned
    truss: tuple[TrussEntry, ...] = ()  # a config's entries as its truss's code sees them
    sites: tuple[Site, ...] = ()  # where the text loads its truss's entries: from the mount, or by id
    config_values: tuple[ConfigValue, ...] = ()  # a config's strings its truss's code may read an id from
    notices: frozenset[str] = frozenset()  # codes of notices about the whole run this text raises (W013, W119)


@dataclass
class FileResult:
    path: str
    status: Status
    diagnostics: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    entries: int = 0
    truss: tuple[TrussEntry, ...] = field(default=(), repr=False)  # a config's entries, for its truss's code
    config_values: tuple[ConfigValue, ...] = field(default=(), repr=False)  # ... and its strings that may be ids
    sites: tuple[Site, ...] = ()  # where the file loads its truss's entries (the path of each filled in)
    uses: list[dict[str, object]] | None = None  # a config: each entry's verdict, once its truss's code is read
    pending: int = 0  # the sites that still fetch by id what the truss mounts (not suppressed)
    order: int = 0  # place in the report of the whole (unsharded) run
    changed_line: int = 0  # 1-based line of the first change, when the file changes
    notices: frozenset[str] = frozenset()  # codes of the run's notices this file raises


def relative(path: str) -> str:
    """A path relative to the current folder, with / separators (`../x` when it lies outside)."""
    try:
        return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")
    except ValueError:  # another drive: no relative form
        return path.replace(os.sep, "/")
