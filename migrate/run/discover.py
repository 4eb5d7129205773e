"""Paths -> the files to look at: configs (YAML), and on request Python modules and Markdown docs."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .write import TEMP_SUFFIX, remove_if_stale

YAML_SUFFIXES = (".yaml", ".yml")
PYTHON_SUFFIXES = (".py",)
DOC_SUFFIXES = (".md", ".mdx")  # Markdown and MDX: their fenced configs (--docs)
SKIP_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "virtualenv"})
TEST_FOLDER = "tests"


@dataclass(frozen=True)
class Target:
    path: str  # as the user sees it: the given path, or joined below a given folder
    real: str  # the file that is read and written (symlinks resolved)
    outside: bool = False  # a symlink whose target lies outside every given path
    python: bool = False  # a Python module (else a config)
    doc: bool = False  # a Markdown file (with --docs, its fences are migrated)
    context: bool = False  # the config of a given module's truss, read for its entries only: not reported


# Yielded by Walk between files when every folder that could hold the config of a truss
# around the Python files yielded so far has been left: those files' trusses are all known.
SETTLED = object()


def excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """A path matches a GLOB as a whole (`legacy/*`, `*/old/config.yaml`) or by one of its names."""
    if not exclude:
        return False
    import fnmatch  # only --exclude needs it

    path = os.path.normpath(path).replace(os.sep, "/")
    names = path.split("/")
    return any(fnmatch.fnmatchcase(path, g) or any(fnmatch.fnmatchcase(n, g) for n in names) for g in exclude)


def is_test_module(path: str) -> bool:
    """A Python file of a test suite: named as pytest collects them (`test_*.py`, `*_test.py`), a
    `conftest.py`, or any module under a folder named `tests` (the path as the user sees it)."""
    *folders, name = os.path.normpath(path).replace(os.sep, "/").split("/")
    stem = name.removesuffix(".py")
    return stem.startswith("test_") or stem.endswith("_test") or stem == "conftest" or TEST_FOLDER in folders


def _inside(real: str, roots: tuple[str, ...]) -> bool:
    return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def roots_of(paths: Iterable[str]) -> tuple[str, ...]:
    """The folders a write may land in: each given folder, or a given file's folder."""
    return tuple(os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths)


TRUSS_CONFIGS = ("config.yaml", "config.yml")


def truss_config_of(module: str) -> str | None:
    """The config of the truss a module belongs to: the nearest `config.yaml` (or `.yml`) in its
    folder or above, not past the repository's root (`.git`, `.hg`)."""
    folder = os.path.dirname(module)
    while True:
        for name in TRUSS_CONFIGS:
            if os.path.isfile(os.path.join(folder, name)):
                return os.path.join(folder, name)
        parent = os.path.dirname(folder)
        if parent == folder or any(os.path.exists(os.path.join(folder, mark)) for mark in (".git", ".hg")):
            return None
        folder = parent


def _by_name(entry: os.DirEntry[str]) -> str:
    return entry.name


class Walk:
    """One sorted depth-first walk over the given paths: configs (*.yaml and *.yml in folders,
    explicit files of any name but *.py) and, with python=True, Python modules (*.py), each
    file once. Iterating yields Targets, and SETTLED (see there).

    Real paths are tracked while walking (realpath only at symlinks). Until the first symlink
    (or with several paths given) no file or folder can be met twice, so nothing is
    remembered; from then on what is met is kept, and what was met before is told from its
    place in the sorted order (`_passed`). Memory stays flat in the size of a plain tree.
    """

    def __init__(
        self,
        paths: Iterable[str],
        python: bool = False,
        exclude: tuple[str, ...] = (),
        clean: bool = False,
        docs: bool = False,
    ):
        self.paths = list(paths)
        self.python, self.exclude, self.clean = python, exclude, clean
        self.doc_suffixes = DOC_SUFFIXES if docs else ()
        self.suffixes = YAML_SUFFIXES + (PYTHON_SUFFIXES if python else ()) + self.doc_suffixes
        self.roots = roots_of(self.paths)
        self.linked = len(self.paths) > 1  # remembering what was met
        self.since: tuple[str, ...] | None = None  # where the walk of one folder began remembering
        self.seen: dict[bool, set[str]] = {False: set(), True: set()}  # real paths of configs, of modules
        self.visited: set[tuple[int, int]] = set()  # (device, inode) of folders entered while remembering
        self.open = 0  # folders on the walk's stack holding a YAML file (a truss config, maybe)

    def __iter__(self) -> Iterator[Target | object]:
        for given in self.paths:
            if os.path.isdir(given):
                yield from self._root(given)
            else:
                yield from self._explicit(given)

    def _explicit(self, given: str) -> Iterator[Target]:
        python, doc = given.endswith(PYTHON_SUFFIXES), given.endswith(DOC_SUFFIXES)
        if (python and not self.python) or (doc and not self.doc_suffixes) or excluded(given, self.exclude):
            return
        real = os.path.realpath(given)
        if self._met_file(real, python):
            return
        config = truss_config_of(real) if python else None
        if config is not None:  # a module given alone is read with its truss's entries
            yield Target(config, config, context=True)
        yield Target(os.path.normpath(given), real, not _inside(real, self.roots), python, doc)

    def _root(self, given: str) -> Iterator[Target | object]:
        self.given, self.root_real = given, os.path.realpath(given)
        if self.linked:  # each given folder is walked whole, as if alone (files are still met once)
            st = os.stat(given)
            self.visited = {(st.st_dev, st.st_ino)}
        yield from self._walk(given, self.root_real, True, top=True)
        if not self.linked:
            yield SETTLED

    def _walk(self, folder: str, real: str, inside: bool, top: bool = False) -> Iterator[Target | object]:
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=_by_name)
        except OSError:
            return
        names = {entry.name for entry in entries}
        if not top and "pyvenv.cfg" in names and os.path.exists(os.path.join(folder, "pyvenv.cfg")):
            return  # a virtualenv
        holds_yaml = any(name.endswith(YAML_SUFFIXES) for name in names)
        self.open += holds_yaml
        prefix = real if real.endswith(os.sep) else real + os.sep
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir():  # follows symlinked folders; remembering stops loops
                    if name.startswith(".") or name in SKIP_DIRS or self._skip(entry.path):
                        continue
                    sub = prefix + name
                    sub_inside = inside or _inside(sub, self.roots)  # a way out can lead back in
                    if entry.is_symlink():
                        sub = os.path.realpath(entry.path)
                        sub_inside = _inside(sub, self.roots)
                        self._remember(entry.path)
                        if self._passed(sub):
                            continue
                    if self.linked:
                        st = entry.stat()
                        if (st.st_dev, st.st_ino) in self.visited:
                            continue
                        self.visited.add((st.st_dev, st.st_ino))
                    yield from self._walk(entry.path, sub, sub_inside)
                elif self.clean and name.endswith(TEMP_SUFFIX) and name.startswith("."):
                    remove_if_stale(entry.path)
                elif name.endswith(self.suffixes) and entry.is_file() and not self._skip(entry.path):
                    python = name.endswith(PYTHON_SUFFIXES)
                    path, outside = prefix + name, not inside
                    if entry.is_symlink():
                        path = os.path.realpath(entry.path)
                        outside = not _inside(path, self.roots)
                        self._remember(entry.path)
                        if self._passed(path, python):
                            continue
                    if self._met_file(path, python):
                        continue
                    yield Target(os.path.normpath(entry.path), path, outside, python, name.endswith(DOC_SUFFIXES))
                    if python and not self.open and not self.linked:
                        yield SETTLED
            except OSError:
                continue
        self.open -= holds_yaml
        if holds_yaml and not self.open and not self.linked:
            yield SETTLED

    def _skip(self, path: str) -> bool:
        return bool(self.exclude) and excluded(os.path.relpath(path, self.given), self.exclude)

    def _met_file(self, real: str, python: bool) -> bool:
        if not self.linked:
            return False
        if real in self.seen[python]:
            return True
        self.seen[python].add(real)
        return False

    def _remember(self, path: str) -> None:
        """At the first symlink: from here on, what is met is remembered."""
        if not self.linked:
            self.linked = True
            self.since = tuple(os.path.relpath(path, self.given).split(os.sep))
            st = os.stat(self.given)  # the one folder below it that a way from outside can lead to
            self.visited.add((st.st_dev, st.st_ino))

    def _passed(self, real: str, python: bool | None = None) -> bool:
        """Whether the walk met real (a folder, or a file of the kind python says) before it began
        remembering: it lies below the given folder, before that place in the sorted order, on a
        way the walk takes. Every place below an unpassed folder is unpassed too, so this is
        asked only at symlinks."""
        since = self.since
        if since is None:
            return False
        root = self.root_real
        if not (real == root or real.startswith(root.rstrip(os.sep) + os.sep)):
            return False
        rel = real[len(root) :].strip(os.sep)
        parts = tuple(rel.split(os.sep)) if rel else ()
        if parts >= since:
            return False
        folder = root
        for i, name in enumerate(parts):
            folder = os.path.join(folder, name)
            if excluded("/".join(parts[: i + 1]), self.exclude):
                return False
            if python is not None and i == len(parts) - 1:
                return name.endswith(PYTHON_SUFFIXES if python else YAML_SUFFIXES + self.doc_suffixes)
            if name.startswith(".") or name in SKIP_DIRS or os.path.exists(os.path.join(folder, "pyvenv.cfg")):
                return False
        return python is None
