"""What the user sees: diagnostics on stderr, diffs on stdout, a closing summary."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from ..core.outcome import FileResult, Status


def _colour(stream: IO[str]) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


STATUSES = tuple(Status)
JSON_SCHEMA = "weights-migrate/report"
JSON_VERSION = 1


@dataclass
class Tally:
    """The files of a run by status, and the docs left alone: what the summary and exit code say."""

    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    docs_mentioning: int = 0  # Markdown files that mention the block and were left alone (no --docs)

    def add(self, result: FileResult) -> None:
        self.counts[result.status] += 1

    def exit_code(self, check: bool) -> int:
        """3 when a file failed, 1 when changes are pending under --check, else 0."""
        if self.counts[Status.FAILED]:
            return 3
        if check and self.counts[Status.WOULD_MIGRATE]:
            return 1
        return 0

    def summary(self, exit_code: int) -> dict[str, int]:
        """The JSON report's summary."""
        counts = {status.value.replace("-", "_"): count for status, count in self.counts.items()}
        return {
            "scanned": sum(self.counts.values()),
            **counts,
            "exit_code": exit_code,
            "docs_mentioning": self.docs_mentioning,
        }


@dataclass
class Reporter:
    """Text output: diffs on stdout, diagnostics and the summary on stderr."""

    quiet: bool = False
    verbose: bool = False
    progress: bool = False  # a progress bar on stderr (only when it is a terminal)
    tally: Tally = field(default_factory=Tally)

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
        self.tally.add(result)
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

    def summary(self) -> None:
        if self.bar is not None:
            self.bar.stop()
        if self.quiet:
            return
        print(f"weights-migrate: {summary_line(self.tally.counts)}", file=self.err)
        if self.tally.docs_mentioning:
            print(f"weights-migrate: {docs_note(self.tally.docs_mentioning)}", file=self.err)

    def exit_code(self, check: bool) -> int:
        return self.tally.exit_code(check)


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


def file_record(result: FileResult) -> dict[str, Any]:
    record: dict[str, Any] = {
        "path": result.path.replace(os.sep, "/"),
        "status": result.status.value,
        "entries": result.entries,
        "diagnostics": [
            {
                "code": d.code,
                "severity": d.severity,
                "line": max(d.line, 1),
                "column": max(d.col, 1),
                "message": d.message,
            }
            for d in result.diagnostics
        ],
        "order": result.order,
    }
    if result.diff:
        record["diff"] = result.diff
    return record


@dataclass
class JsonReporter:
    """`--format json`: one JSON document on stdout, written as files finish (never held)."""

    check: bool = False
    tally: Tally = field(default_factory=Tally)

    def __post_init__(self) -> None:
        self.out = sys.stdout
        self.first = True
        self.out.write(f'{{"schema": "{JSON_SCHEMA}", "version": {JSON_VERSION}, "files": [')

    def add_total(self, count: int) -> None:
        pass

    def add_docs(self, count: int) -> None:
        self.tally.docs_mentioning += count

    def file(self, result: FileResult) -> None:
        import json  # only the JSON report needs it (loaded once, then a lookup)

        self.tally.add(result)
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(file_record(result)))
        self.first = False

    def summary(self) -> None:
        import json

        summary = self.tally.summary(self.tally.exit_code(self.check))
        self.out.write(f'\n], "summary": {json.dumps(summary)}}}\n')

    def exit_code(self, check: bool) -> int:
        return self.tally.exit_code(check)


def merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The reports of the N shards of one run -> the report of the unsharded run."""
    for report in reports:
        if report.get("schema") != JSON_SCHEMA or report.get("version") != JSON_VERSION:
            raise ValueError(f"not a {JSON_SCHEMA} v{JSON_VERSION} report")
    files = sorted((f for r in reports for f in r["files"]), key=lambda f: f["order"])
    tally = Tally(docs_mentioning=sum(r["summary"].get("docs_mentioning", 0) for r in reports))
    for record in files:
        tally.counts[Status(record["status"])] += 1
    # The shards' codes, not the counts: whether the run was under --check is not in the report.
    codes = [r["summary"]["exit_code"] for r in reports]
    summary = tally.summary(3 if 3 in codes else 1 if 1 in codes else 0)
    return {"schema": JSON_SCHEMA, "version": JSON_VERSION, "files": files, "summary": summary}
