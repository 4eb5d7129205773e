"""The per-file pipeline: read -> plan and edit (yaml_edit) -> write or diff."""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from ..core import keys, mapping
from ..core.context import TRUSS, Context
from ..core.diagnostics import Diagnostic
from ..core.outcome import FileResult, MigrationError, Outcome, Status, first_changed_line, unified_diff
from .discover import TEMP_SUFFIX, Target, Walk

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool

MAX_BYTES = 2**20  # real configs are a few KiB; this bounds time and memory on hostile input
# In a double-quoted key, `\x5f`, `\u0063` or an escaped line break can spell a block key too.
_ESCAPE = re.compile(keys.ESCAPE.pattern.encode())


class Prefilter:
    """Which files go to the editor at all: a strict superset of those truss reads a block key from.

    Any file holding a key's bytes anywhere goes (a JSON config, a document indented as a whole,
    `? model_cache`, bare-CR line breaks, a top-level flow mapping all hold them), so none that
    names the key is skipped unread; the editor then tells a top-level key from a mention in a
    comment, a value, a path or a nested mapping.
    """

    def __init__(self, *keys: bytes) -> None:
        self.keys = keys

    def search(self, data: bytes) -> bool:
        return any(key in data for key in self.keys) or (b"\\" in data and _ESCAPE.search(data) is not None)


PREFILTER = Prefilter(b"model_cache", b"hf_cache")
PREFILTER_TRUSS = Prefilter(b"model_cache", b"hf_cache", b"external_data")


@dataclass(frozen=True)
class Options:
    write: bool = True  # False under --diff or --check
    diff: bool = False
    context: Context = Context()
    code: bool = True
    jobs: int = 1
    exclude: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (k, n): only the k-th of n shares, 1-based
    docs: bool = False  # migrate the fenced configs and code of Markdown files
    trust_patterns: bool = False  # point loaders at mounts filtered by allow/ignore patterns too


class Conflict(Exception):
    """The file changed on disk after it was read."""


def atomic_write(path: str, data: bytes, original: bytes) -> None:
    """Replace path with data unless it no longer holds original.

    Temp file in the same folder, fsync, mode and owner kept, rename over.
    """
    import tempfile  # only a run that writes needs it

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
        with contextlib.suppress(OSError):
            os.chown(tmp, mode.st_uid, mode.st_gid)
        with open(path, "rb") as handle:
            current = handle.read()
        if current == data:  # another run wrote exactly this already
            os.unlink(tmp)
            return
        if current != original:
            raise Conflict(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:  # make the rename durable; some filesystems cannot sync a folder, and the file is written
        dirfd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        message = f"not UTF-8 text (byte 0x{data[err.start]:02x}); left untouched"
        raise MigrationError(Diagnostic(line, col, "E002", message)) from None


def _read(target: Target) -> bytes:
    try:
        if not stat.S_ISREG(os.stat(target.real).st_mode):  # a FIFO or device would block or never end
            raise MigrationError(Diagnostic(1, 1, "E020", "not a regular file; skipped"))
        with open(target.real, "rb") as handle:
            return handle.read()
    except OSError as err:
        raise MigrationError(Diagnostic(1, 1, "E020", f"cannot read: {err.strerror}")) from None


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        message = f"{len(data) / 2**20:.1f} MiB is far beyond any truss config or module; left untouched"
        raise MigrationError(Diagnostic(1, 1, "E019", message))


Wanted = Callable[[bytes], bool]
Editor = Callable[[str], Outcome]


def _migrate(migrate: Editor, text: str) -> Outcome:
    try:
        return migrate(text)
    except Exception as err:  # a bug must cost one file, never the batch or a traceback
        message = f"internal error: {type(err).__name__}: {err}; left untouched"
        raise MigrationError(Diagnostic(1, 1, "E099", message)) from None


def _pipeline(target: Target, options: Options, wanted: Wanted, migrate: Editor) -> FileResult:
    """read -> (cheap text filter) -> decode -> migrate -> diff and/or write.

    wanted(data) says whether the file can need a change at all; migrate(text)
    returns the editor's Outcome. Never raises.
    """
    if target.outside:
        message = f"symlink to {target.real}, outside the given paths: skipped"
        return FileResult(target.path, Status.UNCHANGED, [Diagnostic(1, 1, "W005", message)])
    try:
        data = _read(target)
        if not wanted(data):
            return FileResult(target.path, Status.UNCHANGED)
        _check_size(data)
        text = _decode(data)
        outcome = _migrate(migrate, text)
    except MigrationError as err:
        return FileResult(target.path, Status.FAILED, [err.diagnostic])
    result = FileResult(target.path, outcome.status, outcome.diagnostics, entries=len(outcome.plans))
    result.plans = outcome.plans
    if outcome.status is not Status.MIGRATED or outcome.text is None:
        return result
    if options.diff:
        result.diff = unified_diff(target.path, text, outcome.text)
    result.changed_line = first_changed_line(text, outcome.text)
    result.status = Status.WOULD_MIGRATE
    if options.write:
        try:
            _write(target, outcome.text.encode("utf-8"), data)
            result.status = Status.MIGRATED
        except MigrationError as err:
            result.status = Status.FAILED
            result.diagnostics = [*result.diagnostics, err.diagnostic]
    return result


def _write(target: Target, data: bytes, original: bytes) -> None:
    try:
        atomic_write(target.real, data, original)
    except Conflict:
        message = "changed on disk while being migrated; left as it is now"
        raise MigrationError(Diagnostic(1, 1, "E021", message)) from None
    except OSError as err:
        raise MigrationError(Diagnostic(1, 1, "E020", f"cannot write: {err.strerror}; left untouched")) from None


def config_prefilter(context: Context) -> Prefilter:
    """The truss dialect folds external_data into weights, so a file with only that changes too."""
    return PREFILTER_TRUSS if context.dialect == TRUSS else PREFILTER


def process(target: Target, options: Options) -> FileResult:
    """Migrate one config file as options say."""

    def migrate(text: str) -> Outcome:
        from ..config import edit as config_edit

        return config_edit.migrate_text(text, options.context)

    return _pipeline(target, options, config_prefilter(options.context).search, migrate)


@dataclass(frozen=True)
class Truss:
    """What the code of a migrated truss needs from its config."""

    legacy: tuple[tuple[int, mapping.EntryPlan], ...]  # (index, plan) of each entry, for python_edit.LegacyEntry
    moves: dict[str, str]  # old location -> new mount location (--mount-root)

    @classmethod
    def of(cls, plans: list[mapping.EntryPlan], context: Context) -> Truss:
        return cls(tuple(enumerate(plans)), mapping.path_moves(plans, context))

    def needles(self) -> tuple[bytes, ...]:
        ids = [plan.repo_id.encode() for _, plan in self.legacy if plan.legacy_hf]
        return (*CODE_NEEDLES, b"model_cache", b"hf_cache", *ids, *(m.encode() for m in self.moves))


CODE_NEEDLES = tuple(needle.encode() for needle in keys.CODE_NEEDLES)


def process_code(target: Target, options: Options, truss: Truss | None) -> FileResult:
    """Migrate one Python file; truss is set when it belongs to a truss migrated in this run."""
    needles = truss.needles() if truss else CODE_NEEDLES

    def migrate(text: str) -> Outcome:
        from ..python import edit as python_edit  # libcst loads only when there is Python to change

        legacy = [python_edit.LegacyEntry(i, plan) for i, plan in truss.legacy] if truss else []
        return python_edit.migrate_code(
            text, options.context, legacy, truss.moves if truss else {}, options.trust_patterns
        )

    return _pipeline(target, options, lambda data: any(n in data for n in needles), migrate)


DOC_NEEDLES = (b"model_cache", b"hf_cache")
# A doc mentions the block when a line holds its key (indented, quoted, in a list or a quote):
# a mount path such as /app/model_cache/x is no mention.
DOC_MENTION = re.compile(rb"""^[ \t>*+-]*["']?(?:model_cache|hf_cache)["']?[ \t]*:""", re.M)


def process_doc(target: Target, options: Options) -> FileResult:
    """Migrate the fenced configs and code of one Markdown file."""
    needles = (*DOC_NEEDLES, *CODE_NEEDLES) + ((b"external_data",) if options.context.dialect == TRUSS else ())

    def migrate(text: str) -> Outcome:
        from ..markdown import edit as markdown_edit

        return markdown_edit.migrate_doc(text, options.context, code=options.code)

    return _pipeline(target, options, lambda data: any(n in data for n in needles), migrate)


def mentions(target: Target) -> bool:
    """Whether a Markdown file mentions the block's key (a byte search; nothing parsed).

    Plain os.read in 64 KiB chunks: half the cost of a buffered file object, and no 1 MiB buffer.
    """
    chunks: list[bytes] = []
    try:
        fd = os.open(target.real, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO given by name must not block
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            while sum(len(chunk) for chunk in chunks) <= MAX_BYTES and (chunk := os.read(fd, 1 << 16)):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError:
        return False
    return DOC_MENTION.search(b"".join(chunks)) is not None


def _nearest(path: str, folders: Container[str], cache: dict[str, str | None]) -> str | None:
    """The closest folder above path that is in folders (a set or a dict), if any; cached per folder."""
    start = os.path.dirname(path)
    if start in cache:
        return cache[start]
    folder: str | None = start
    while folder is not None and folder not in folders:
        parent = os.path.dirname(folder)
        folder = None if parent == folder else parent
    cache[start] = folder
    return folder


def shard_of(key: str, count: int) -> int:
    """The 1-based shard of a truss folder (or a lone file): stable across runs and machines."""
    import zlib  # only --shard needs it

    return zlib.crc32(key.replace(os.sep, "/").encode()) % count + 1


def _truss_folder(target: Target, options: Options) -> bool:
    """Whether target makes its folder a truss (a config.yaml, or a file with the block), so every shard agrees."""
    if os.path.basename(target.path) in ("config.yaml", "config.yml"):
        return True
    try:
        with open(target.real, "rb") as handle:
            return bool(config_prefilter(options.context).search(handle.read(MAX_BYTES + 1)))
    except OSError:
        return False


def _mine(key: str, options: Options) -> bool:
    return options.shard is None or shard_of(key, options.shard[1]) == options.shard[0]


# A worker's share: ("config", options, [target]) or ("code", options, [(target, truss)]).
Batch = tuple[str, Options, list[Any]]


def _process_batch(batch: Batch) -> list[FileResult]:
    kind, options, items = batch
    if kind == "config":
        results = [process(target, options) for target in items]
        if not options.code:  # the plans only feed the code pass: not sent back for nothing
            for result in results:
                result.plans = []
        return results
    return [process_code(target, options, truss) for target, truss in items]


class _Done:
    """A batch computed in this process."""

    def __init__(self, results: list[FileResult]) -> None:
        self.results = results

    def get(self) -> list[FileResult]:
        return self.results


class _Workers:
    """Batches run in a process pool once the run is big enough to pay for one, else in-process.

    Batches are fed while the walk goes on, at most AHEAD per worker in flight; results come
    back in the order the batches were given.
    """

    MIN_PER_WORKER = 32  # below this, start-up of the pool costs more than it saves
    BATCH = 32  # files per batch
    AHEAD = 4  # batches in flight per worker

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.pool: Pool | None = None
        self.decided = jobs <= 1  # a pool or not: known once enough files are found or the walk ends
        self.held: list[Batch] = []  # batches given before that is known
        self.flight: deque[tuple[str, _Done | AsyncResult[list[FileResult]]]] = deque()  # (kind, handle) in order

    def decide(self, found: int, done: bool) -> None:
        if self.decided or not (done or found >= self.MIN_PER_WORKER * 2):
            return
        self.decided = True
        if found >= self.MIN_PER_WORKER * 2:
            import multiprocessing

            methods = multiprocessing.get_all_start_methods()
            self.pool = multiprocessing.get_context("fork" if "fork" in methods else "spawn").Pool(self.jobs)
        held, self.held = self.held, []
        for batch in held:
            self.give(batch)

    def give(self, batch: Batch) -> None:
        if not self.decided:
            self.held.append(batch)
        elif self.pool is None:
            self.flight.append((batch[0], _Done(_process_batch(batch))))
        else:
            self.flight.append((batch[0], self.pool.apply_async(_process_batch, (batch,))))

    def full(self) -> bool:
        return len(self.flight) >= (self.AHEAD * self.jobs if self.pool else 1)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool.join()


class _Run:
    """The state of one run, kept only for the files in flight.

    Configs go to the workers as they are found, in batches. A Python file waits for the
    walk to settle (every config that can be its truss's found) and for those configs'
    results, then goes with its truss. Config results are reported as they come; Python
    results are held (spilled to a temporary file past a few hundred) to follow them, as
    the report lists every config before any Python file.
    """

    HOLD = 256  # Python results kept in memory before spilling

    def __init__(self, options: Options, on_total: Counter | None) -> None:
        self.options, self.on_total = options, on_total or (lambda count: None)
        self.workers = _Workers(options.jobs)
        self.found = 0  # files found so far
        self.configs = 0  # configs found so far (the place of the next in the report)
        self.modules = 0  # Python files found so far
        self.batch: list[tuple[int, Target]] = []  # configs not yet given to the workers: (order, target)
        # [(order, real folder)] of each config batch in flight, in order
        self.given: deque[list[tuple[int, str]]] = deque()
        self.batches = 0  # config batches given so far
        self.done = 0  # config batches whose results are in
        self.waiting: list[tuple[int, Target]] = []  # Python files since the walk last settled: (order, target)
        # settled Python files waiting for configs: (batches, last config, files)
        self.groups: deque[tuple[int, int, list[tuple[int, Target]]]] = deque()
        self.code_batch: list[tuple[int, Target, Truss | None]] = []  # Python files ready for the workers
        self.code_orders: deque[list[int]] = deque()
        # real folder -> (config order, Truss), for the groups still waiting
        self.trusses: dict[str, tuple[int, Truss]] = {}
        self.folders: set[str] = set()  # truss folders (under --shard) since the walk last settled
        self.docs: list[Target] = []  # Markdown files, for their own pass after the Python files
        self.doc_folders: set[str] = set()  # every truss folder, under --shard when docs were found
        self.reported: deque[FileResult] = deque()  # config results to report
        self.held: list[FileResult] = []
        self.spill: IO[bytes] | None = None

    # --- the walk's side

    def add(self, item: Target | object) -> None:
        if not isinstance(item, Target):  # SETTLED: every config that can be a truss of the waiting files is found
            self.settle()
            return
        if item.doc:
            self.docs.append(item)
            return
        self.found += 1
        if item.python:
            self.waiting.append((self.modules, item))
            self.modules += 1
        else:
            order, self.configs = self.configs, self.configs + 1
            if self.options.shard and _truss_folder(item, self.options):
                self.folders.add(os.path.dirname(item.path))
                self.doc_folders.add(os.path.dirname(item.path))
            if _mine(os.path.dirname(item.path), self.options):
                self.batch.append((order, item))
                if len(self.batch) >= _Workers.BATCH:
                    self.give_configs()
        self.workers.decide(self.found, done=False)
        while self.workers.full():
            self.collect()

    def settle(self) -> None:
        if not self.waiting:
            self.folders.clear()
            return
        files, self.waiting = self.waiting, []
        if self.options.shard:
            cache: dict[str, str | None] = {}
            files = [(i, t) for i, t in files if _mine(_nearest(t.path, self.folders, cache) or t.path, self.options)]
            self.folders.clear()
        self.groups.append((self.batches + bool(self.batch), self.configs - 1, files))
        self.release()

    def finish(self) -> Iterator[FileResult]:
        self.settle()
        self.workers.decide(self.found, done=True)
        self.give_configs()
        while self.workers.flight or self.code_batch or self.groups:
            if not self.workers.flight:
                self.give_code()  # the last, partial batch
                if not self.workers.flight:
                    break
            self.collect()
            yield from self.report()
        yield from self.report()
        yield from self.held_results()

    # --- the workers' side

    def give_configs(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        self.on_total(len(batch))
        self.batches += 1
        self.given.append([(order, os.path.dirname(t.real)) for order, t in batch])
        self.workers.give(("config", self.options, [t for _, t in batch]))

    def give_code(self) -> None:
        if not self.code_batch:
            return
        batch, self.code_batch = self.code_batch, []
        self.on_total(len(batch))
        self.code_orders.append([order for order, _, _ in batch])
        self.workers.give(("code", self.options, [(t, truss) for _, t, truss in batch]))

    def collect(self) -> None:
        kind, handle = self.workers.flight.popleft()
        results = handle.get()
        if kind == "code":
            for order, result in zip(self.code_orders.popleft(), results):
                result.order = order
                self.hold(result)
            return
        code = self.options.code
        for (order, folder), result in zip(self.given.popleft(), results):
            if code and result.status.changes and result.plans:  # not nested only
                self.trusses[folder] = (order, Truss.of(result.plans, self.options.context))
            result.plans, result.order = [], order
            self.reported.append(result)
        self.done += 1
        self.release()

    def release(self) -> None:
        """Python files whose configs' results are all in go to the workers, with their truss."""
        while self.groups and self.groups[0][0] <= self.done:
            _, last, files = self.groups.popleft()
            cache: dict[str, str | None] = {}
            for order, target in files:
                folder = _nearest(target.real, self.trusses, cache) if self.trusses else None
                found = self.trusses.get(folder) if folder is not None else None
                self.code_batch.append((order, target, found[1] if found else None))
                if len(self.code_batch) >= _Workers.BATCH:
                    self.give_code()
            while self.trusses and next(iter(self.trusses.values()))[0] <= last:
                del self.trusses[next(iter(self.trusses))]

    def report(self) -> Iterator[FileResult]:
        while self.reported:
            yield self.reported.popleft()

    def hold(self, result: FileResult) -> None:
        if len(self.held) < self.HOLD:
            self.held.append(result)
            return
        import pickle

        if self.spill is None:
            import tempfile

            self.spill = tempfile.TemporaryFile(prefix="weights-migrate-")  # noqa: SIM115 - open until read back
        pickle.dump(result, self.spill, pickle.HIGHEST_PROTOCOL)

    def held_results(self) -> Iterator[FileResult]:
        """The Python results, after every config's: their places follow the configs'."""
        for result in self.held:
            result.order += self.configs
            yield result
        self.held = []
        if self.spill is None:
            return
        import pickle

        self.spill.seek(0)
        while True:
            try:
                result = pickle.load(self.spill)
            except EOFError:
                break
            result.order += self.configs
            yield result
        self.spill.close()


Counter = Callable[[int], None]  # told of a number of files


def run(
    paths: Iterable[str], options: Options, on_total: Counter | None = None, on_docs: Counter | None = None
) -> Iterator[FileResult]:
    """One result per file, in discovery order whatever the number of workers: configs
    first, then Python files (each done after the configs of its truss, whose plans it needs),
    then Markdown files under --docs.

    One walk finds them all; files go to the workers while it goes on. on_total(n) is told of
    each n files as they are given to the workers; without --docs, on_docs(n) how many
    Markdown files mention model_cache or hf_cache.
    """
    state = _Run(options, on_total)
    try:
        for item in Walk(list(paths), python=options.code, exclude=options.exclude, clean=options.write, docs=True):
            state.add(item)
            yield from state.report()
        yield from state.finish()
    finally:
        state.workers.close()
    yield from _docs(state, on_total, on_docs)


def _docs(state: _Run, on_total: Counter | None, on_docs: Counter | None) -> Iterator[FileResult]:
    """Under --docs, the Markdown files' results (in-process: docs are few); otherwise only
    the count of those mentioning the block."""
    options, offset = state.options, state.configs + state.modules
    cache: dict[str, str | None] = {}
    docs = [
        (offset + i, t)
        for i, t in enumerate(state.docs)
        if _mine(_nearest(t.path, state.doc_folders, cache) or t.path, options)
    ]
    if not options.docs:
        if on_docs:
            on_docs(sum(mentions(t) for _, t in docs))
        return
    if on_total:
        on_total(len(docs))
    for order, target in docs:
        result = process_doc(target, options)
        result.plans, result.order = [], order
        yield result
