"""What the user sees: diagnostics on stderr, diffs on stdout, a closing summary."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from .runner import FileResult

NO_NEWLINE = "\\ No newline at end of file\n"


def relative(path: str) -> str:
    """A path relative to the current folder, with / separators (`../x` when it lies outside)."""
    try:
        return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")
    except ValueError:  # another drive: no relative form
        return path.replace(os.sep, "/")


def unified_diff(path: str, old: str, new: str) -> str:
    """A git-style unified diff, relative to the current folder (`git apply`, `patch -p1` there);
    line endings shown as they are."""
    import difflib  # only a run with --diff needs it

    name = relative(path)
    lines = difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{name}", f"b/{name}")
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out += [line + "\n", NO_NEWLINE]
    return "".join(out)


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


STATUSES = ("migrated", "would-migrate", "unchanged", "failed")
JSON_SCHEMA = "weights-migrate/report"
JSON_VERSION = 1


def exit_code(counts: dict, check: bool) -> int:
    if counts["failed"]:
        return 3
    if check and counts["would-migrate"]:
        return 1
    return 0


@dataclass
class Reporter:
    """Text output: diffs on stdout, diagnostics and the summary on stderr."""

    quiet: bool = False
    verbose: bool = False
    progress: bool = False  # a progress bar on stderr (only when it is a terminal)
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    PROGRESS_MIN = 300  # files; fewer finish before a bar would be worth drawing

    def __post_init__(self):
        self.out, self.err = sys.stdout, sys.stderr  # looked up now: tests swap them
        self.paint = _colour(self.err)
        self.bar = None
        self.total = 0
        self.docs_mentioning = 0

    def add_docs(self, count: int) -> None:
        """Markdown files that mention the block and were left alone (no --docs)."""
        self.docs_mentioning += count

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
        self.counts[result.status] += 1
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
        c = self.counts
        scanned = sum(c.values())
        changed = f"{c['migrated']} migrated" if not c["would-migrate"] else f"{c['would-migrate']} would migrate"
        if c["migrated"] and c["would-migrate"]:
            changed = f"{c['migrated']} migrated, {c['would-migrate']} would migrate"
        print(
            f"weights-migrate: {scanned} file{'s' if scanned != 1 else ''} scanned, {changed}, "
            f"{c['unchanged']} unchanged, {c['failed']} failed",
            file=self.err,
        )
        if self.docs_mentioning:
            print(f"weights-migrate: {docs_note(self.docs_mentioning)}", file=self.err)

    def exit_code(self, check: bool) -> int:
        return exit_code(self.counts, check)


def docs_note(count: int) -> str:
    return f"{count} doc{'s' if count != 1 else ''} mention{'s' if count == 1 else ''} model_cache; --docs migrates their fenced configs"


def file_record(result: FileResult) -> dict:
    record = {
        "path": result.path.replace(os.sep, "/"),
        "status": result.status,
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
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def __post_init__(self):
        self.out = sys.stdout
        self.first = True
        self.docs_mentioning = 0
        self.out.write(f'{{"schema": "{JSON_SCHEMA}", "version": {JSON_VERSION}, "files": [')

    def add_total(self, count: int) -> None:
        pass

    def add_docs(self, count: int) -> None:
        self.docs_mentioning += count

    def file(self, result: FileResult) -> None:
        import json  # only the JSON report needs it (loaded once, then a lookup)

        self.counts[result.status] += 1
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(file_record(result)))
        self.first = False

    def summary(self) -> None:
        import json

        summary = {"scanned": sum(self.counts.values()), **{k.replace("-", "_"): v for k, v in self.counts.items()}}
        summary["exit_code"] = exit_code(self.counts, self.check)
        summary["docs_mentioning"] = self.docs_mentioning
        self.out.write(f'\n], "summary": {json.dumps(summary)}}}\n')

    def exit_code(self, check: bool) -> int:
        return exit_code(self.counts, check)


def merge(reports: list[dict]) -> dict:
    """The reports of the N shards of one run -> the report of the unsharded run."""
    for report in reports:
        if report.get("schema") != JSON_SCHEMA or report.get("version") != JSON_VERSION:
            raise ValueError(f"not a {JSON_SCHEMA} v{JSON_VERSION} report")
    files = sorted((f for r in reports for f in r["files"]), key=lambda f: f["order"])
    counts = dict.fromkeys(STATUSES, 0)
    for record in files:
        counts[record["status"]] += 1
    summary = {"scanned": len(files), **{k.replace("-", "_"): v for k, v in counts.items()}}
    codes = [r["summary"]["exit_code"] for r in reports]
    summary["exit_code"] = 3 if 3 in codes else 1 if 1 in codes else 0
    summary["docs_mentioning"] = sum(r["summary"].get("docs_mentioning", 0) for r in reports)
    return {"schema": JSON_SCHEMA, "version": JSON_VERSION, "files": files, "summary": summary}
