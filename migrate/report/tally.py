"""The tally of a run: its files by status, the notices that concern the whole run, and the exit code.

Every reporter keeps one, so the summary, the run's own diagnostics and the exit code are decided
in one place whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..core.diagnostics import Diagnostic, notice
from ..core.outcome import FileResult, Status


@dataclass
class Tally:
    """The files of a run by status, the docs left alone, and the run-level notices the files raised."""

    check: bool = False  # --check: pending changes make the exit code 1
    writes: bool = True  # files are written (neither --check nor --diff): notices say "was", not "would be"
    counts: dict[Status, int] = field(default_factory=lambda: dict.fromkeys(Status, 0))
    docs_mentioning: int = 0  # Markdown files that mention the block and were left alone (no --docs)
    notices: set[str] = field(default_factory=set)  # codes of the run-level notices the files raised
    pending: int = 0  # sites that still fetch by id what their truss mounts (not suppressed)
    ignore: frozenset[str] = frozenset()  # codes never reported (the project's settings)

    def add(self, result: FileResult) -> FileResult:
        """Count a file; the result as it is reported: without the diagnostics of ignored codes."""
        self.counts[result.status] += 1
        self.notices.update(result.notices - self.ignore)
        self.pending += result.pending
        if not self.ignore:
            return result
        kept = [diagnostic for diagnostic in result.diagnostics if diagnostic.code not in self.ignore]
        return replace(result, diagnostics=kept)

    @property
    def scanned(self) -> int:
        return sum(self.counts.values())

    def exit_code(self) -> int:
        """3 when a file failed; 1 under --check when a file would change or a site still downloads
        what its truss mounts (both are work left); else 0."""
        if self.counts[Status.FAILED]:
            return 3
        if self.check and (self.counts[Status.WOULD_MIGRATE] or self.pending):
            return 1
        return 0

    def run_diagnostics(self) -> list[Diagnostic]:
        """The notices about the whole run, once each, worded for the mode (no path, no line)."""
        return [notice(code, self.writes) for code in sorted(self.notices)]

    def summary(self) -> dict[str, object]:
        """The JSON report's summary."""
        counts = {status.value.replace("-", "_"): count for status, count in self.counts.items()}
        return {
            "scanned": self.scanned,
            **counts,
            "exit_code": self.exit_code(),
            "docs_mentioning": self.docs_mentioning,
            "diagnostics": [run_record(d) for d in self.run_diagnostics()],
            "pending": self.pending,
        }


def run_record(diagnostic: Diagnostic) -> dict[str, str]:
    return {"code": diagnostic.code, "severity": diagnostic.severity, "message": diagnostic.message}
