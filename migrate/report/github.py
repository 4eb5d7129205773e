"""`--format github`: GitHub Actions workflow commands, so a pull request shows each finding at its line.

stdout carries the commands (GitHub reads them there), and the diffs only under
--diff; the plain summary goes to stderr, as in the text format.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.diagnostics import Diagnostic
from ..core.outcome import FileResult, Status, relative
from .text import Reporter


def escape_data(text: str) -> str:
    """A command's message, as the workflow-command rules require."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value (file, title): data escapes, and `:` and `,` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, path: str, line: int, col: int, title: str, message: str) -> str:
    properties = f"file={escape_property(path)},line={max(line, 1)},col={max(col, 1)},title={escape_property(title)}"
    return f"::{kind} {properties}::{escape_data(message)}\n"


PENDING = {
    Status.WOULD_MIGRATE: "still on model_cache: weights-migrate would rewrite this file (see its --diff)",
    Status.MIGRATED: "migrated to weights by weights-migrate",
}


@dataclass
class GithubReporter(Reporter):
    """One `::error`/`::warning` per diagnostic, one `::notice` per file that changes
    (`::error` under --check: the migration is still pending), one without a file per run notice."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.paint = False
        self.progress = False

    def file(self, result: FileResult) -> None:
        result = self.tally.add(result)
        if result.diff:
            self.out.write(result.diff)
        path = relative(result.path)
        for diagnostic in result.diagnostics:
            if self.quiet and diagnostic.severity != "error":
                continue
            self.out.write(
                command(diagnostic.severity, path, diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message)
            )
        if result.status in PENDING:
            kind = "error" if self.tally.check and result.status == Status.WOULD_MIGRATE else "notice"
            if kind == "error" or not self.quiet:
                self.out.write(command(kind, path, result.changed_line, 1, "weights-migrate", PENDING[result.status]))
        if self.verbose:
            self._print(f"{result.path}: {result.status}")

    def run_diagnostic(self, diagnostic: Diagnostic) -> None:
        self.out.write(
            f"::{diagnostic.severity} title={escape_property(diagnostic.code)}::{escape_data(diagnostic.message)}\n"
        )
