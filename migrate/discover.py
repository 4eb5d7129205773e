"""Paths -> the YAML files to look at."""

from __future__ import annotations

import fnmatch
import os
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator

YAML_SUFFIXES = (".yaml", ".yml")
PYTHON_SUFFIXES = (".py",)
DOC_SUFFIXES = (".md", ".mdx")  # Markdown and MDX: their fenced configs (--docs)
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "virtualenv"})


@dataclass(frozen=True)
class Target:
    path: str  # as the user sees it: the given path, or joined below a given folder
    real: str  # the file that is read and written (symlinks resolved)
    outside: bool = False  # a symlink whose target lies outside every given path


def _skip_dir(entry: os.DirEntry) -> bool:
    name = entry.name
    return (
        name.startswith(".")
        or name in SKIP_DIRS
        or os.path.exists(os.path.join(entry.path, "pyvenv.cfg"))  # a virtualenv
    )


def excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """A path matches a GLOB as a whole (`legacy/*`, `*/old/config.yaml`) or by one of its names."""
    if not exclude:
        return False
    path = os.path.normpath(path).replace(os.sep, "/")
    names = path.split("/")
    return any(fnmatch.fnmatchcase(path, g) or any(fnmatch.fnmatchcase(n, g) for n in names) for g in exclude)


TEMP_SUFFIX = ".weights-migrate.tmp"  # .<name>.<pid>.<random>.weights-migrate.tmp
STALE_AFTER = 3600  # seconds; a temp file this old is stale even if its pid lives again


def remove_if_stale(path: str) -> None:
    """Remove a temp file left by a run that was killed (its process is gone)."""
    try:
        pid = int(os.path.basename(path).split(".")[-4])
    except (ValueError, IndexError):
        return
    try:
        os.kill(pid, 0)
        alive = not _zombie(pid)
    except ProcessLookupError:
        alive = False
    except OSError:
        alive = True  # exists, but not ours to signal
    try:
        if not alive or time.time() - os.lstat(path).st_mtime > STALE_AFTER:
            os.unlink(path)
    except OSError:
        pass


@dataclass
class _Walk:
    root: str  # the folder given: --exclude globs match paths relative to it
    suffixes: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    clean: bool = False  # remove temp files that killed runs left behind
    visited: set = field(default_factory=set)  # (device, inode) of folders seen: no loops

    def skip(self, path: str) -> bool:
        return excluded(os.path.relpath(path, self.root), self.exclude)


def _zombie(pid: int) -> bool:
    """A killed process not yet reaped still answers kill(pid, 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _walk(folder: str, walk: _Walk) -> Iterator[str]:
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir():  # follows symlinked folders; `visited` stops loops
                st = entry.stat()
                if _skip_dir(entry) or (st.st_dev, st.st_ino) in walk.visited or walk.skip(entry.path):
                    continue
                walk.visited.add((st.st_dev, st.st_ino))
                yield from _walk(entry.path, walk)
            elif walk.clean and entry.name.endswith(TEMP_SUFFIX) and entry.name.startswith("."):
                remove_if_stale(entry.path)
            elif entry.name.endswith(walk.suffixes) and entry.is_file() and not walk.skip(entry.path):
                yield entry.path
        except OSError:
            continue


def _inside(real: str, roots: tuple[str, ...]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def roots_of(paths: Iterable[str]) -> tuple[str, ...]:
    """The folders a write may land in: each given folder, or a given file's folder."""
    return tuple(
        os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p)))
        for p in paths
    )


def discover(
    paths: Iterable[str], python: bool = False, exclude: tuple[str, ...] = (), clean: bool = False,
    also: tuple[str, ...] = (),
) -> Iterator[Target]:
    """Config files: explicit files of any name but *.py/*.md/*.mdx, folders searched for *.yaml/*.yml.

    python=True: the Python files instead (explicit *.py, or found in folders). Each file once.
    also: more suffixes (DOC_SUFFIXES) found in the same walk, for the caller to tell apart.
    """
    suffixes = PYTHON_SUFFIXES if python else YAML_SUFFIXES
    paths = list(paths)
    roots = roots_of(paths)
    seen: set[str] = set()
    for given in paths:
        if os.path.isdir(given):
            st = os.stat(given)
            walk = _Walk(given, suffixes + also, exclude, clean, {(st.st_dev, st.st_ino)})
            found: Iterable[str] = _walk(given, walk)
        else:
            kind = PYTHON_SUFFIXES if given.endswith(PYTHON_SUFFIXES) else DOC_SUFFIXES if given.endswith(DOC_SUFFIXES) else YAML_SUFFIXES
            explicit = (kind == suffixes or bool(also) and given.endswith(also)) and not excluded(given, exclude)
            found = [given] if explicit else []
        for path in found:
            real = os.path.realpath(path)
            if real in seen:
                continue
            seen.add(real)
            yield Target(os.path.normpath(path), real, outside=not _inside(real, roots))
