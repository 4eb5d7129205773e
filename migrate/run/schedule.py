"""The run: one walk over the paths, files given to the workers in batches while it goes on.

Configs go first; a Python file waits until the configs of its truss are done (their entries make its
context); Markdown files come last. Results come back in discovery order for any number of workers.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

from ..core import keys
from ..core.context import Context
from ..core.entry import ConfigValue, TrussEntry
from ..core.outcome import FileResult, MigrationError, Status
from .discover import Target, Walk
from .pipeline import MAX_BYTES, Options, mentions, process, read
from .uses import TrussUses

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult, Pool


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
        return keys.config_wanted(read(target, MAX_BYTES + 1), options.context)
    except MigrationError:
        return False


def _mine(key: str, options: Options) -> bool:
    return options.shard is None or shard_of(key, options.shard[1]) == options.shard[0]


# A worker's share: ("config", options, [target]) or ("code", options, [(target, its context)]).
Batch = tuple[str, Options, list[Any]]


def _process_batch(batch: Batch) -> list[FileResult]:
    kind, options, items = batch
    if kind == "config":
        results = [process(target, options) for target in items]
        if not options.context.code:  # a config's entries only feed the code pass: not sent back for nothing
            for result in results:
                result.truss, result.config_values = (), ()
        return results
    return [process(target, options, context) for target, context in items]


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
        # [(order, real folder, read for a given module only)] of each config batch in flight, in order
        self.given: deque[list[tuple[int, str, bool]]] = deque()
        self.batches = 0  # config batches given so far
        self.done = 0  # config batches whose results are in
        self.waiting: list[tuple[int, Target]] = []  # Python files since the walk last settled: (order, target)
        # settled Python files waiting for configs: (batches, last config, files)
        self.groups: deque[tuple[int, int, list[tuple[int, Target]]]] = deque()
        # Python files ready for the workers: (order, target, context, the config order of its truss)
        self.code_batch: list[tuple[int, Target, Context, int | None]] = []
        self.code_orders: deque[list[tuple[int, int | None]]] = deque()  # (order, its truss's config order)
        self.uses: dict[int, TrussUses] = {}  # config order -> its truss's sites, while its code is read
        # real folder -> (config order, the entries of its config, its strings that may be ids), for the groups waiting
        self.trusses: dict[str, tuple[int, tuple[TrussEntry, ...], tuple[ConfigValue, ...]]] = {}
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
        self.given.append([(order, os.path.dirname(t.real), t.context) for order, t in batch])
        self.workers.give(("config", self.options, [t for _, t in batch]))

    def give_code(self) -> None:
        if not self.code_batch:
            return
        batch, self.code_batch = self.code_batch, []
        self.on_total(len(batch))
        self.code_orders.append([(order, truss) for order, _, _, truss in batch])
        self.workers.give(("code", self.options, [(t, context) for _, t, context, _ in batch]))

    def collect(self) -> None:
        kind, handle = self.workers.flight.popleft()
        results = handle.get()
        if kind == "code":
            for (order, truss), result in zip(self.code_orders.popleft(), results):
                result.order = order
                if truss is not None:
                    uses = self.uses[truss]
                    uses.sites += [dataclasses.replace(s, path=result.path) for s in result.sites]
                    uses.reading -= 1
                self.hold(result)
            return
        code = self.options.context.code
        for (order, folder, context), result in zip(self.given.popleft(), results):
            # a config read for a given module only counts once it is under weights: the module's
            # loaders must not point at mounts that a config left unmigrated does not have
            known = result.status is Status.UNCHANGED if context else True
            if code and result.truss and known:  # migrated now, or already under weights: its code reads them
                self.trusses[folder] = (order, result.truss, result.config_values)
                sites = [dataclasses.replace(s, path=result.path) for s in result.sites]
                self.uses[order] = TrussUses(result.truss, sites)
            result.truss, result.config_values, result.order = (), (), order
            if not context:
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
                context = self.options.context
                if found:
                    context = dataclasses.replace(context, truss=found[1], config_values=found[2])
                if found:
                    self.uses[found[0]].reading += 1
                self.code_batch.append((order, target, context, found[0] if found else None))
                if len(self.code_batch) >= _Workers.BATCH:
                    self.give_code()
            while self.trusses and next(iter(self.trusses.values()))[0] <= last:
                order = self.trusses.pop(next(iter(self.trusses)))[0]
                self.uses[order].known = True  # every Python file it can have is given

    def report(self) -> Iterator[FileResult]:
        """The config results in order, each once its truss's code is read (its verdicts attached)."""
        while self.reported:
            head = self.reported[0]
            uses = self.uses.get(head.order)
            if uses is not None:
                if not uses.done:
                    return
                head.uses = uses.records()
                del self.uses[head.order]
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
    first, then Python files (each done after the configs of its truss, whose entries it needs),
    then Markdown files under --docs.

    One walk finds them all; files go to the workers while it goes on. on_total(n) is told of
    each n files as they are given to the workers; without --docs, on_docs(n) how many
    Markdown files mention model_cache or hf_cache.
    """
    state = _Run(options, on_total)
    try:
        walk = Walk(list(paths), python=options.context.code, exclude=options.exclude, clean=options.write, docs=True)
        for item in walk:
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
        result = process(target, options)
        result.order = order
        yield result
