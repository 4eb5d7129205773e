"""Text output: diffs on stdout; diagnostics, the run's notices and a closing summary on stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from ..core.diagnostics import Diagnostic
from ..core.outcome import FileResult, Status, relative
from .tally import Tally


def _colour(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


@dataclass
class Reporter:
    """Text output: diffs on stdout, diagnostics and the summary on stderr."""

    quiet: bool = False
    verbose: bool = False
    progress: bool = False  # a progress bar on stderr (only when it is a terminal)
    tally: Tally = field(default_factory=Tally)
    paths: tuple[str, ...] = ()  # the paths given, named when nothing was found under them

    PROGRESS_MIN = 300  # files; fewer finish before a bar would be worth drawing

    def __post_init__(self) -> None:
        self.out, self.err = sys.stdout, sys.stderr  # looked up now: tests swap them
        self.paint = _colour(self.err)
        self.bar: Any = None  # a rich Progress, once drawn (rich loads only then)
        self.task: Any = None
        self.total = 0
        self.trusses: list[str] = []  # the trusses' lines, printed after every file
        self.listing_bar: Any = None  # --hub: a rich Progress while the Hub is asked
        self.listing_task: Any = None

    def add_docs(self, count: int) -> None:
        """Markdown files that mention the block and were left alone (no --docs)."""
        self.tally.docs_mentioning += count

    def add_total(self, count: int) -> None:
        self.total += count
        if self.bar is None and self.progress and self.total >= self.PROGRESS_MIN and self.err.isatty():
            from rich.console import Console  # imported only when a bar is drawn
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=Console(file=self.err, stderr=True))
            self.bar.start()
            self.task = self.bar.add_task("migrating", total=self.total)
        elif self.bar is not None:
            self.bar.update(self.task, total=self.total)

    def listing(self, done: int, total: int) -> None:
        """--hub: a bar while the Hub is asked (a terminal only, not with -q), gone once every answer is in."""
        if not (self.progress and self.err.isatty()):
            return
        if self.listing_bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self.listing_bar = Progress(transient=True, console=Console(file=self.err, stderr=True))
            self.listing_bar.start()
            self.listing_task = self.listing_bar.add_task("listing on the Hub", total=total)
        self.listing_bar.update(self.listing_task, completed=done, total=total)
        if done >= total:
            self.listing_bar.stop()

    def _print(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=self.err)

    def file(self, result: FileResult) -> None:
        result = self.tally.add(result)
        if result.uses is not None and not self.quiet:
            line = summary(result.path, result.uses, self.verbose)
            if line is not None:
                self.trusses.append(line)
        if self.bar is not None:
            self.bar.advance(self.task)
        if result.diff:
            self.out.write(result.diff)
        for diagnostic in result.diagnostics:
            if self.quiet and diagnostic.severity != "error":
                continue
            line = diagnostic.format(result.path)
            if self.paint and self.bar is None:
                colour = "31" if diagnostic.severity == "error" else "33"
                line = line.replace(f" {diagnostic.code} ", f" \033[1;{colour}m{diagnostic.code}\033[0m ", 1)
            self._print(line)
        if self.verbose:
            self._print(f"{result.path}: {result.status}")

    def finish(self) -> None:
        """The run's own diagnostics, then the summary (what -q leaves out: warnings and the summary)."""
        if self.bar is not None:
            self.bar.stop()
        for line in self.trusses:  # each truss's entries still downloaded or named nowhere, after every file
            print(f"weights-migrate: {line}", file=self.err)
        for diagnostic in self.tally.run_diagnostics():
            if not self.quiet or diagnostic.severity == "error":
                self.run_diagnostic(diagnostic)
        if self.quiet:
            return
        print(f"weights-migrate: {summary_line(self.tally.counts, self.tally.pending)}", file=self.err)
        if self.tally.docs_mentioning:
            print(f"weights-migrate: {docs_note(self.tally.docs_mentioning)}", file=self.err)
        if not self.tally.scanned and self.paths:
            print(f"weights-migrate: {nothing_found(self.paths)}", file=self.err)

    def run_diagnostic(self, diagnostic: Diagnostic) -> None:
        print(f"weights-migrate: {diagnostic.code} {diagnostic.message}", file=self.err)


def summary_line(counts: dict[Status, int], downloading: int = 0) -> str:
    scanned = sum(counts.values())
    migrated, pending = counts[Status.MIGRATED], counts[Status.WOULD_MIGRATE]
    changed = f"{migrated} migrated" if not pending else f"{pending} would migrate"
    if migrated and pending:
        changed = f"{migrated} migrated, {pending} would migrate"
    line = (
        f"{scanned} file{'s' if scanned != 1 else ''} scanned, {changed}, "
        f"{counts[Status.UNCHANGED]} unchanged, {counts[Status.FAILED]} failed"
    )
    if downloading:
        sites, verb = ("site", "still downloads") if downloading == 1 else ("sites", "still download")
        line += f"; {downloading} {sites} {verb} mounted weights"
    return line


def docs_note(count: int) -> str:
    docs, mention = f"doc{'s' if count != 1 else ''}", f"mention{'s' if count == 1 else ''}"
    return f"{count} {docs} {mention} model_cache; --docs migrates their fenced configs"


def nothing_found(paths: tuple[str, ...]) -> str:
    """What the summary adds when no file was found: where, and what was looked for (as ruff says it)."""
    return (
        f"no Truss config found under {', '.join(paths)} "
        "(looked for *.yaml and *.yml files with a top-level model_cache or hf_cache)"
    )


def summary(config: str, uses: list[dict[str, object]], verbose: bool) -> str | None:
    """The truss's line in the text output: its entries that are still downloaded or named nowhere
    (and, verbose, those loaded from their mount), each site relative to the truss's folder."""
    folder = os.path.dirname(config)
    parts = [_part(use, folder) for use in uses if verbose or use["loaded_from"] != "mount"]
    return f"{relative(config)}: {' | '.join(parts)}" if parts else None


def _part(use: dict[str, object], folder: str) -> str:
    head = f"{use['source']} mounts at {use['mount_location']}"
    sites = use["sites"]
    assert isinstance(sites, list)
    where = ", ".join(
        f"{os.path.relpath(str(s['path']), folder or '.')}:{s['line']}" + (f" ({s['code']})" if s["code"] else "")
        for s in sites
    )
    if use["loaded_from"] == "hub":
        return f"{head}; still downloaded at {where}"
    if use["loaded_from"] == "mount":
        return f"{head}; loaded from there at {where}"
    return f"{head}; named nowhere in the truss (the server may read it some other way)"
