"""--hub's first step: the repositories the run's decisions rest on, listed before any file changes.

Every config under the paths is read (nothing written) for its Hugging Face entries: those with
allow/ignore patterns (their mount is a selection, which the listing checks), and under
--pin-revisions every entry the run migrates (its branch resolves to a commit). Their listings, or
why each could not be had, go into the run's context; the run then decides with them, the same in
every worker. A config that cannot be read is passed over here: the run itself reports it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from ..config.edit import migrate as migrate_config
from ..core import keys
from ..core.context import Context
from ..core.entry import PATTERN_KEYS, TrussEntry
from ..core.outcome import MigrationError
from . import hub
from .discover import Target, Walk
from .pipeline import Options, read

Progress = Callable[[int, int], None]


def with_listings(
    paths: list[str], options: Options, lock: Path | None, on_progress: Progress | None = None
) -> Options:
    """The options of the run, their context holding the listing of every repository that matters."""
    wanted = repositories(paths, options)
    if not wanted:
        return options
    from huggingface_hub import constants  # its timeout setting (HF_HUB_ETAG_TIMEOUT), read as the library reads it

    jobs = min(8, max(1, options.jobs))
    timeout = float(constants.HF_HUB_ETAG_TIMEOUT)
    found = hub.list_repositories(wanted, lock=lock, jobs=jobs, timeout=timeout, on_progress=on_progress)
    context = dataclasses.replace(options.context, hub=tuple(found.values()))
    return dataclasses.replace(options, context=context)


def repositories(paths: list[str], options: Options) -> list[tuple[str, str | None]]:
    """(repo_id, revision) of each Hugging Face entry whose listing a decision needs, in walk order."""
    context = dataclasses.replace(options.context, code=True, hub=())
    wanted: dict[tuple[str, str | None], None] = {}
    for target in Walk(paths, python=context.code, exclude=options.exclude):
        if not isinstance(target, Target) or target.doc:
            continue
        if target.python:
            for repo_id, revision in _modules_repositories(target):
                wanted[(repo_id, revision or None)] = None
            continue
        for entry in _entries(target, context):
            if _matters(entry, context.pin_revisions):
                wanted[(entry.repo_id or "", entry.revision or None)] = None
    return list(wanted)


def _modules_repositories(target: Target) -> list[tuple[str, str]]:
    """The filtered repositories a module's own ModelRepo calls mount (a chainlet's, a generator's)."""
    try:
        data = read(target)
    except MigrationError:
        return []
    if not any(needle in data for needle in keys.code_needles(Context())):
        return []
    from ..python.edit import filtered_repositories  # libcst stays unloaded: the survey is ast's

    try:
        return filtered_repositories(data.decode("utf-8"))
    except UnicodeDecodeError:
        return []


def _entries(target: Target, context: Context) -> tuple[TrussEntry, ...]:
    try:
        data = read(target)
    except MigrationError:
        return ()
    if not (keys.config_wanted(data, context) or b"weights" in data):
        return ()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ()
    return migrate_config(text, context).truss


def _matters(entry: TrussEntry, pin: bool) -> bool:
    if entry.repo_id is None:
        return False
    return any(key in entry.patterns for key in PATTERN_KEYS) or (pin and entry.migrating)
