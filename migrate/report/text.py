"""Text output: diffs on stdout; diagnostics, the run's notices and a closing summary on stderr."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from ..core.diagnostics import Diagnostic
from ..core.outcome import FileResult, Status
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

    def _print(self, line: str) -> None:
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=self.err)

    def file(self, result: FileResult) -> None:
        result = self.tally.add(result)
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
        for diagnostic in self.tally.run_diagnostics():
            if not self.quiet or diagnostic.severity == "error":
                self.run_diagnostic(diagnostic)
        if self.quiet:
            return
        print(f"weights-migrate: {summary_line(self.tally.counts)}", file=self.err)
        if self.tally.docs_mentioning:
            print(f"weights-migrate: {docs_note(self.tally.docs_mentioning)}", file=self.err)
        if not self.tally.scanned and self.paths:
            print(f"weights-migrate: {nothing_found(self.paths)}", file=self.err)

    def run_diagnostic(self, diagnostic: Diagnostic) -> None:
        print(f"weights-migrate: {diagnostic.code} {diagnostic.message}", file=self.err)


def summary_line(counts: dict[Status, int]) -> str:
    scanned = sum(counts.values())
    migrated, pending = counts[Status.MIGRATED], counts[Status.WOULD_MIGRATE]
    changed = f"{migrated} migrated" if not pending else f"{pending} would migrate"
    if migrated and pending:
        changed = f"{migrated} migrated, {pending} would migrate"
    return (
        f"{scanned} file{'s' if scanned != 1 else ''} scanned, {changed}, "
        f"{counts[Status.UNCHANGED]} unchanged, {counts[Status.FAILED]} failed"
    )


def docs_note(count: int) -> str:
    docs, mention = f"doc{'s' if count != 1 else ''}", f"mention{'s' if count == 1 else ''}"
    return f"{count} {docs} {mention} model_cache; --docs migrates their fenced configs"


def nothing_found(paths: tuple[str, ...]) -> str:
    """What the summary adds when no file was found: where, and what was looked for (as ruff says it)."""
    return (
        f"no Truss config found under {', '.join(paths)} "
        "(looked for *.yaml and *.yml files with a top-level model_cache or hf_cache)"
    )
