"""What the user sees: diagnostics on stderr, diffs on stdout, a closing summary."""

from __future__ import annotations

import difflib
import os
import sys
from dataclasses import dataclass, field

from .runner import FileResult

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, old: str, new: str) -> str:
    """A git-style unified diff; line endings shown as they are."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}"
    )
    out = []
    for line in lines:
        if line.endswith("\n"):
            out.append(line)
        else:
            out += [line + "\n", NO_NEWLINE]
    return "".join(out)


def _colour(stream) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


@dataclass
class Reporter:
    quiet: bool = False
    verbose: bool = False
    counts: dict = field(default_factory=lambda: {"migrated": 0, "would-migrate": 0, "unchanged": 0, "failed": 0})

    def __post_init__(self):
        self.out, self.err = sys.stdout, sys.stderr  # looked up now: tests swap them
        self.paint = _colour(self.err)

    def file(self, result: FileResult) -> None:
        self.counts[result.status] += 1
        if result.diff:
            self.out.write(result.diff)
        for diagnostic in result.diagnostics:
            if self.quiet and diagnostic.severity != "error":
                continue
            line = diagnostic.format(result.path)
            if self.paint:
                colour = "31" if diagnostic.severity == "error" else "33"
                line = line.replace(f" {diagnostic.code} ", f" \033[1;{colour}m{diagnostic.code}\033[0m ", 1)
            print(line, file=self.err)
        if self.verbose:
            print(f"{result.path}: {result.status}", file=self.err)

    def summary(self) -> None:
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

    def exit_code(self, check: bool) -> int:
        if self.counts["failed"]:
            return 3
        if check and self.counts["would-migrate"]:
            return 1
        return 0
