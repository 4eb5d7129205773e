"""`--format json`: one JSON document on stdout, written as files finish; and the merge of shards' reports."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from ..core.outcome import FileResult, Status
from .tally import Tally

JSON_SCHEMA = "weights-migrate/report"
JSON_VERSION = 1


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
        "pending": result.pending,
    }
    if result.uses is not None:
        record["uses"] = result.uses
    if result.diff:
        record["diff"] = result.diff
    return record


@dataclass
class JsonReporter:
    """One JSON document on stdout, written as files finish (never held); nothing else is printed."""

    tally: Tally = field(default_factory=Tally)

    def __post_init__(self) -> None:
        self.out = sys.stdout
        self.first = True
        self.out.write(f'{{"schema": "{JSON_SCHEMA}", "version": {JSON_VERSION}, "files": [')

    def add_total(self, count: int) -> None:
        pass

    def listing(self, done: int, total: int) -> None:
        """--hub's progress: nothing but the report is written."""

    def add_docs(self, count: int) -> None:
        self.tally.docs_mentioning += count

    def file(self, result: FileResult) -> None:
        result = self.tally.add(result)
        self.out.write(("\n  " if self.first else ",\n  ") + json.dumps(file_record(result)))
        self.first = False

    def finish(self) -> None:
        self.out.write(f'\n], "summary": {json.dumps(self.tally.summary())}}}\n')


def merge(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """The reports of the N shards of one run -> the report of the unsharded run."""
    for report in reports:
        if report.get("schema") != JSON_SCHEMA or report.get("version") != JSON_VERSION:
            raise ValueError(f"not a {JSON_SCHEMA} v{JSON_VERSION} report")
    files = sorted((f for r in reports for f in r["files"]), key=lambda f: f["order"])
    tally = Tally(docs_mentioning=sum(r["summary"].get("docs_mentioning", 0) for r in reports))
    for record in files:
        tally.counts[Status(record["status"])] += 1
        tally.pending += record.get("pending", 0)
    summary = tally.summary()
    # The shards' codes, not the counts: whether the run was under --check is not in the report.
    codes = [r["summary"]["exit_code"] for r in reports]
    summary["exit_code"] = 3 if 3 in codes else 1 if 1 in codes else 0
    notices = {d["code"]: d for r in reports for d in r["summary"].get("diagnostics", [])}
    summary["diagnostics"] = [notices[code] for code in sorted(notices)]
    return {"schema": JSON_SCHEMA, "version": JSON_VERSION, "files": files, "summary": summary}
