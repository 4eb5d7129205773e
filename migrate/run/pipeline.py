"""One file through its part: read -> pre-filter -> decode -> edit -> diff and/or write.

Every kind of file takes the same way; only the part's editor (config, python, markdown) and its
pre-filter (core.keys) differ. A failure costs the one file it concerns, never the run.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import stat
from dataclasses import dataclass

from ..core import keys
from ..core.context import Context
from ..core.diagnostics import Diagnostic
from ..core.outcome import FileResult, MigrationError, Outcome, Status
from .discover import Target, is_test_module
from .formatter import line_length
from .write import first_changed_line, unified_diff, write

MAX_BYTES = 2**20  # real configs are a few KiB; this bounds time and memory on hostile input


@dataclass(frozen=True)
class Options:
    """How a run treats files: the editors' context, and what the run does with their outcomes."""

    write: bool = True  # False under --diff or --check
    diff: bool = False
    context: Context = Context()
    jobs: int = 1
    exclude: tuple[str, ...] = ()
    shard: tuple[int, int] | None = None  # (k, n): only the k-th of n shares, 1-based
    docs: bool = False  # migrate the fenced configs and code of Markdown files


# Each kind of file: its part's editor (a module with `migrate(text, context) -> Outcome`, loaded on
# first use: libcst only when there is Python to change) and its pre-filter.
PARTS = {
    "config": (".config.edit", keys.config_wanted),
    "python": (".python.edit", keys.code_wanted),
    "markdown": (".markdown.edit", keys.doc_wanted),
}


def part_of(target: Target) -> str:
    return "python" if target.python else "markdown" if target.doc else "config"


def process(target: Target, options: Options, context: Context | None = None) -> FileResult:
    """One file as options say; context (a Python module's, with its truss) overrides the run's.

    Never raises.
    """
    context = context or options.context
    if target.context:  # read for its truss's code only: nothing written, nothing shown
        options = dataclasses.replace(options, write=False, diff=False)
    if target.outside:
        message = f"symlink to {target.real}, outside the given paths: skipped"
        return FileResult(target.path, Status.UNCHANGED, [Diagnostic(1, 1, "W005", message)])
    editor, wanted = PARTS[part_of(target)]
    try:
        data = read(target)
        if not wanted(data, context):
            return FileResult(target.path, Status.UNCHANGED)
        _check_size(data)
        text = _decode(data)
        if target.python or target.doc:  # their Python is laid out to the formatter's line length
            context = dataclasses.replace(context, line_length=line_length(target.path))
        if target.python:  # a test module asserts the old API (a doc's python fences never do)
            context = dataclasses.replace(context, test_module=is_test_module(target.path))
        outcome = _edit(editor, text, context)
    except MigrationError as err:
        return FileResult(target.path, Status.FAILED, [err.diagnostic])
    result = FileResult(target.path, outcome.status, outcome.diagnostics, entries=len(outcome.plans))
    result.truss, result.notices = outcome.truss, outcome.notices
    result.sites, result.config_values = outcome.sites, outcome.config_values
    result.pending = sum(1 for site in outcome.sites if site.loaded_from == "hub")
    if outcome.status is not Status.MIGRATED or outcome.text is None:
        return result
    if options.diff:
        result.diff = unified_diff(target.path, text, outcome.text)
    result.changed_line = first_changed_line(text, outcome.text)
    result.status = Status.WOULD_MIGRATE
    if options.write:
        try:
            write(target.real, outcome.text.encode("utf-8"), data)
            result.status = Status.MIGRATED
        except MigrationError as err:
            result.status = Status.FAILED
            result.diagnostics = [*result.diagnostics, err.diagnostic]
    return result


def _edit(editor: str, text: str, context: Context) -> Outcome:
    try:
        outcome: Outcome = importlib.import_module(editor, __package__.rpartition(".")[0]).migrate(text, context)
        return outcome
    except Exception as err:  # a bug must cost one file, never the batch or a traceback
        message = f"internal error: {type(err).__name__}: {err}; left untouched"
        raise MigrationError(Diagnostic(1, 1, "E099", message)) from None


def read(target: Target, limit: int | None = None) -> bytes:
    """The file's bytes (up to limit); E020 when it cannot be read or is no regular file."""
    try:
        if not stat.S_ISREG(os.stat(target.real).st_mode):  # a FIFO or device would block or never end
            raise MigrationError(Diagnostic(1, 1, "E020", "not a regular file; skipped"))
        with open(target.real, "rb") as handle:
            return handle.read() if limit is None else handle.read(limit)
    except OSError as err:
        raise MigrationError(Diagnostic(1, 1, "E020", f"cannot read: {err.strerror}")) from None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        message = f"not UTF-8 text (byte 0x{data[err.start]:02x}); left untouched"
        raise MigrationError(Diagnostic(line, col, "E002", message)) from None


def _check_size(data: bytes) -> None:
    if len(data) > MAX_BYTES:
        message = f"{len(data) / 2**20:.1f} MiB is far beyond any truss config or module; left untouched"
        raise MigrationError(Diagnostic(1, 1, "E019", message))


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
    return keys.doc_mentions(b"".join(chunks))
