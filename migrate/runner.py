"""The per-file pipeline: read -> plan and edit (yaml_edit) -> write or diff."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from . import rules
from .diagnostics import Diagnostic
from .discover import Target, discover

# A file is parsed only if some line starts with the block key.
PREFILTER = re.compile(rb"""^(?:\xef\xbb\xbf)?["']?(?:model_cache|hf_cache)["']?[ \t]*:""", re.M)
TEMP_SUFFIX = ".weights-migrate.tmp"  # stale ones are recognisable by name


@dataclass(frozen=True)
class Options:
    write: bool = True  # False under --diff or --check
    diff: bool = False
    context: rules.Context = rules.Context()
    code: bool = True


@dataclass
class FileResult:
    path: str
    status: str  # migrated | would-migrate | unchanged | failed
    diagnostics: list[Diagnostic] = field(default_factory=list)
    diff: str = ""
    entries: int = 0


class Conflict(Exception):
    """The file changed on disk after it was read."""


def atomic_write(path: str, data: bytes, original: bytes) -> None:
    """Replace path with data unless it no longer holds original.

    Temp file in the same folder, fsync, mode and owner kept, rename over.
    """
    folder, name = os.path.split(path)
    mode = os.stat(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(mode.st_mode))
        try:
            os.chown(tmp, mode.st_uid, mode.st_gid)
        except OSError:
            pass
        with open(path, "rb") as handle:
            if handle.read() != original:
                raise Conflict(path)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename durable; some filesystems cannot sync a folder, and the file is written
        dirfd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def _decode(data: bytes, path: str) -> str | Diagnostic:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        return Diagnostic(line, col, "E002", f"not UTF-8 text (byte 0x{data[err.start]:02x}); left untouched")


def process(target: Target, options: Options) -> FileResult:
    """Migrate one file as options say. Never raises for bad input or I/O errors."""
    from . import report, yaml_edit

    result = FileResult(target.path, "unchanged")
    if target.outside:
        result.diagnostics.append(
            Diagnostic(0, 0, "W005", f"symlink to {target.real}, outside the given paths: skipped")
        )
        return result
    try:
        if not stat.S_ISREG(os.stat(target.real).st_mode):  # a FIFO or device would block or never end
            return FileResult(target.path, "failed", [Diagnostic(0, 0, "E020", "not a regular file; skipped")])
        with open(target.real, "rb") as handle:
            data = handle.read()
    except OSError as err:
        return FileResult(target.path, "failed", [Diagnostic(0, 0, "E020", f"cannot read: {err.strerror}")])
    if not PREFILTER.search(data):
        return result
    text = _decode(data, target.path)
    if isinstance(text, Diagnostic):
        return FileResult(target.path, "failed", [text])
    try:
        outcome = yaml_edit.migrate_text(text, options.context)
    except Exception as err:  # a bug must cost one file, never the batch or a traceback
        message = f"internal error: {type(err).__name__}: {err}; left untouched"
        return FileResult(target.path, "failed", [Diagnostic(0, 0, "E099", message)])
    result.diagnostics = outcome.diagnostics
    result.entries = len(outcome.plans)
    if outcome.status != "migrated":
        result.status = outcome.status
        return result
    if options.diff:
        result.diff = report.unified_diff(target.path, text, outcome.text)
    if not options.write:
        result.status = "would-migrate"
        return result
    try:
        atomic_write(target.real, outcome.text.encode("utf-8"), data)
    except Conflict:
        result.diagnostics.append(Diagnostic(0, 0, "E021", "changed on disk while being migrated; left as it is now"))
        result.status = "failed"
        return result
    except OSError as err:
        result.diagnostics.append(Diagnostic(0, 0, "E020", f"cannot write: {err.strerror}; left untouched"))
        result.status = "failed"
        return result
    result.status = "migrated"
    return result


def run(paths: Iterable[str], options: Options) -> Iterator[FileResult]:
    """One result per discovered file, in discovery order, streamed."""
    for target in discover(paths):
        yield process(target, options)
