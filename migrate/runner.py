"""The per-file pipeline: read -> plan and edit (yaml_edit) -> write or diff."""

from __future__ import annotations

import os
import re
import stat
import tempfile
import zlib
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from . import rules
from .diagnostics import Diagnostic
from .discover import TEMP_SUFFIX, Target, discover

# A file is parsed only if some line starts with the block key.
MAX_BYTES = 2**20  # real configs are a few KiB; this bounds time and memory on hostile input
PREFILTER = re.compile(rb"""^(?:\xef\xbb\xbf)?["']?(?:model_cache|hf_cache)["']?[ \t]*:""", re.M)
PREFILTER_TRUSS = re.compile(rb"""^(?:\xef\xbb\xbf)?["']?(?:model_cache|hf_cache|external_data)["']?[ \t]*:""", re.M)


@dataclass(frozen=True)
class Options:
    write: bool = True  # False under --diff or --check
    diff: bool = False
    context: rules.Context = rules.Context()
    code: bool = True
    jobs: int = 1
    exclude: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (k, n): only the k-th of n shares, 1-based
    trust_patterns: bool = False  # point loaders at mounts filtered by allow/ignore patterns too


@dataclass
class FileResult:
    path: str
    status: str  # migrated | would-migrate | unchanged | failed
    diagnostics: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    entries: int = 0
    plans: list = field(default_factory=list, repr=False)
    order: int = 0  # place in the report of the whole (unsharded) run


class Conflict(Exception):
    """The file changed on disk after it was read."""


def atomic_write(path: str, data: bytes, original: bytes) -> None:
    """Replace path with data unless it no longer holds original.

    Temp file in the same folder, fsync, mode and owner kept, rename over.
    """
    folder, name = os.path.split(path)
    mode = os.stat(path)
    # The pid in the name lets a later run tell a killed run's leftovers from a live one's.
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(mode.st_mode))
        try:
            os.chown(tmp, mode.st_uid, mode.st_gid)
        except OSError:
            pass
        with open(path, "rb") as handle:
            current = handle.read()
        if current == data:  # another run wrote exactly this already
            os.unlink(tmp)
            return
        if current != original:
            raise Conflict(path)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename durable; some filesystems cannot sync a folder, and the file is written
        dirfd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def _decode(data: bytes, path: str) -> str | Diagnostic:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return Diagnostic(line, col, "E002", f"not UTF-8 text (byte 0x{data[err.start]:02x}); left untouched")


def _read(target: Target) -> bytes | FileResult:
    if target.outside:
        return FileResult(target.path, "unchanged", [
            Diagnostic(1, 1, "W005", f"symlink to {target.real}, outside the given paths: skipped")
        ])
    try:
        if not stat.S_ISREG(os.stat(target.real).st_mode):  # a FIFO or device would block or never end
            return FileResult(target.path, "failed", [Diagnostic(1, 1, "E020", "not a regular file; skipped")])
        with open(target.real, "rb") as handle:
            return handle.read()
    except OSError as err:
        return FileResult(target.path, "failed", [Diagnostic(1, 1, "E020", f"cannot read: {err.strerror}")])


def _pipeline(target: Target, options: Options, wanted, migrate) -> FileResult:
    """read -> (cheap text filter) -> decode -> migrate -> diff and/or write.

    wanted(data) says whether the file can need a change at all; migrate(text)
    returns an outcome with status, text and diagnostics. Never raises.
    """
    from . import report

    data = _read(target)
    if isinstance(data, FileResult):
        return data
    result = FileResult(target.path, "unchanged")
    if not wanted(data):
        return result
    if len(data) > MAX_BYTES:
        message = f"{len(data) / 2**20:.1f} MiB is far beyond any truss config or module; left untouched"
        return FileResult(target.path, "failed", [Diagnostic(1, 1, "E019", message)])
    text = _decode(data, target.path)
    if isinstance(text, Diagnostic):
        return FileResult(target.path, "failed", [text])
    try:
        outcome = migrate(text)
    except Exception as err:  # a bug must cost one file, never the batch or a traceback
        message = f"internal error: {type(err).__name__}: {err}; left untouched"
        return FileResult(target.path, "failed", [Diagnostic(1, 1, "E099", message)])
    result.diagnostics = outcome.diagnostics
    result.plans = getattr(outcome, "plans", [])
    result.entries = len(result.plans)
    if outcome.status != "migrated":
        result.status = outcome.status
        return result
    if options.diff:
        result.diff = report.unified_diff(target.path, text, outcome.text)
    result.status = "would-migrate"
    if options.write:
        failure = _write(target, outcome.text.encode("utf-8"), data)
        result.status = "failed" if failure else "migrated"
        result.diagnostics += [failure] if failure else []
    return result


def _write(target: Target, data: bytes, original: bytes) -> Diagnostic | None:
    try:
        atomic_write(target.real, data, original)
    except Conflict:
        return Diagnostic(1, 1, "E021", "changed on disk while being migrated; left as it is now")
    except OSError as err:
        return Diagnostic(1, 1, "E020", f"cannot write: {err.strerror}; left untouched")
    return None


def process(target: Target, options: Options) -> FileResult:
    """Migrate one config file as options say."""

    def migrate(text: str):
        from . import yaml_edit

        return yaml_edit.migrate_text(text, options.context)

    prefilter = PREFILTER_TRUSS if options.context.dialect == rules.TRUSS else PREFILTER
    return _pipeline(target, options, prefilter.search, migrate)


@dataclass(frozen=True)
class Truss:
    """What the code of a migrated truss needs from its config."""

    legacy: tuple  # code_edit.LegacyEntry-like (index, plan) pairs
    moves: dict  # old location -> new mount location (--mount-root)

    @classmethod
    def of(cls, plans: list, context: rules.Context) -> "Truss":
        moves = {}
        if context.mount_root != rules.DEFAULT_MOUNT_ROOT:
            moves = {p.old_location: p.weight["mount_location"] for p in plans
                     if p.old_location and p.old_location != p.weight["mount_location"]}
        return cls(tuple(enumerate(plans)), moves)

    def needles(self) -> tuple[bytes, ...]:
        ids = [plan.repo_id.encode() for _, plan in self.legacy if plan.legacy and plan.kind == "hf"]
        return (*CODE_NEEDLES, b"model_cache", b"hf_cache", *ids, *(m.encode() for m in self.moves))


CODE_NEEDLES = (b"ModelRepo", b"ModelCache")  # a Python file without these builds no cache


def process_code(target: Target, options: Options, truss: Truss | None) -> FileResult:
    """Migrate one Python file; truss is set when it belongs to a truss migrated in this run."""
    needles = truss.needles() if truss else CODE_NEEDLES

    def migrate(text: str):
        from . import code_edit  # libcst loads only when there is Python to change

        legacy = [code_edit.LegacyEntry(i, plan) for i, plan in truss.legacy] if truss else []
        return code_edit.migrate_code(text, options.context, legacy, truss.moves if truss else {}, options.trust_patterns)

    return _pipeline(target, options, lambda data: any(n in data for n in needles), migrate)


def _nearest(path: str, folders) -> str | None:
    """The closest folder above path that is in folders (a set or a dict), if any."""
    folder = os.path.dirname(path)
    while folder not in folders:
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def shard_of(key: str, count: int) -> int:
    """The 1-based shard of a truss folder (or a lone file): stable across runs and machines."""
    return zlib.crc32(key.replace(os.sep, "/").encode()) % count + 1


def _truss_folders(configs: list[Target], options: Options) -> set[str]:
    """Folders holding a truss config (a config.yaml, or a file with the block), so every shard agrees."""
    prefilter = PREFILTER_TRUSS if options.context.dialect == rules.TRUSS else PREFILTER
    folders = set()
    for target in configs:
        if os.path.basename(target.path) in ("config.yaml", "config.yml"):
            folders.add(os.path.dirname(target.path))
            continue
        try:
            with open(target.real, "rb") as handle:
                if prefilter.search(handle.read(MAX_BYTES + 1)):
                    folders.add(os.path.dirname(target.path))
        except OSError:
            continue
    return folders


def _mine(key: str, options: Options) -> bool:
    return options.shard is None or shard_of(key, options.shard[1]) == options.shard[0]


class _Workers:
    """imap over a process pool when the batch is big enough to pay for one; in order."""

    MIN_PER_WORKER = 32  # below this, start-up of the pool costs more than it saves

    def __init__(self, jobs: int):
        self.jobs, self.pool = jobs, None

    def map(self, func, items: list):
        if self.jobs <= 1 or len(items) < self.MIN_PER_WORKER * 2:
            return map(func, items)
        if self.pool is None:
            import multiprocessing

            methods = multiprocessing.get_all_start_methods()
            self.pool = multiprocessing.get_context("fork" if "fork" in methods else "spawn").Pool(self.jobs)
        chunk = max(1, min(64, len(items) // (self.jobs * 8)))
        return self.pool.imap(func, items, chunksize=chunk)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


def _process_config(item):
    target, options = item
    return process(target, options)


def _process_code(item):
    target, options, truss = item
    return process_code(target, options, truss)


def run(paths: Iterable[str], options: Options, on_total=None) -> Iterator[FileResult]:
    """One result per file, streamed in discovery order whatever the number of workers:
    configs first, then Python (which needs to know which configs were migrated).

    on_total(n) is told how many files each pass will report, as soon as that is known.
    """
    paths = list(paths)
    workers = _Workers(options.jobs)
    try:
        found = list(discover(paths, exclude=options.exclude, clean=options.write))
        folders = _truss_folders(found, options) if options.shard else set()
        configs = [(i, t) for i, t in enumerate(found) if _mine(os.path.dirname(t.path), options)]
        if on_total:
            on_total(len(configs))
        trusses: dict[str, Truss] = {}
        results = workers.map(_process_config, [(t, options) for _, t in configs])
        for (order, target), result in zip(configs, results):
            if result.status in ("migrated", "would-migrate") and options.code:
                trusses[os.path.dirname(target.real)] = Truss.of(result.plans, options.context)
            result.plans, result.order = [], order
            yield result
        if not options.code:
            return
        offset = len(found)
        found = list(discover(paths, python=True, exclude=options.exclude))
        code = [(offset + i, t) for i, t in enumerate(found) if _mine(_nearest(t.path, folders) or t.path, options)]
        if on_total:
            on_total(len(code))
        results = workers.map(_process_code, [(t, options, trusses.get(_nearest(t.real, trusses))) for _, t in code])
        for (order, _), result in zip(code, results):
            result.order = order
            yield result
    finally:
        workers.close()
