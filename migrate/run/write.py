"""The last step of a file: its new text written atomically, or shown as a diff; and the clean-up
of temporary files a killed run left behind."""

from __future__ import annotations

import contextlib
import os
import stat

from ..core.diagnostics import Diagnostic
from ..core.outcome import MigrationError, relative

TEMP_SUFFIX = ".weights-migrate.tmp"  # .<name>.<pid>.<random>.weights-migrate.tmp
STALE_AFTER = 3600  # seconds; a temp file this old is stale even if its pid lives again
NO_NEWLINE = "\\ No newline at end of file\n"


class Conflict(Exception):
    """The file changed on disk after it was read."""


def write(path: str, data: bytes, original: bytes) -> None:
    """atomic_write, its failures as the diagnostics a user reads (E021, E020)."""
    try:
        atomic_write(path, data, original)
    except Conflict:
        message = "changed on disk while being migrated; left as it is now"
        raise MigrationError(Diagnostic(1, 1, "E021", message)) from None
    except OSError as err:
        raise MigrationError(Diagnostic(1, 1, "E020", f"cannot write: {err.strerror}; left untouched")) from None


def atomic_write(path: str, data: bytes, original: bytes) -> None:
    """Replace path with data unless it no longer holds original.

    Temp file in the same folder, fsync, mode and owner kept, rename over.
    """
    import tempfile  # only a run that writes needs it

    folder, name = os.path.split(path)
    mode = os.stat(path)
    # The pid in the name lets a later run tell a killed run's leftovers from a live one's.
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=TEMP_SUFFIX, dir=folder or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(mode.st_mode))
        with contextlib.suppress(OSError):
            os.chown(tmp, mode.st_uid, mode.st_gid)
        with open(path, "rb") as handle:
            current = handle.read()
        if current == data:  # another run wrote exactly this already
            os.unlink(tmp)
            return
        if current != original:
            raise Conflict(path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    try:  # make the rename durable; some filesystems cannot sync a folder, and the file is written
        dirfd = os.open(folder or ".", os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def remove_if_stale(path: str) -> None:
    """Remove a temp file left by a run that was killed (its process is gone)."""
    import time

    try:
        pid = int(os.path.basename(path).split(".")[-4])
    except (ValueError, IndexError):
        return
    try:
        os.kill(pid, 0)
        alive = not _zombie(pid)
    except ProcessLookupError:
        alive = False
    except OSError:
        alive = True  # exists, but not ours to signal
    try:
        if not alive or time.time() - os.lstat(path).st_mtime > STALE_AFTER:
            os.unlink(path)
    except OSError:
        pass


def _zombie(pid: int) -> bool:
    """A killed process not yet reaped still answers kill(pid, 0)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


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


def first_changed_line(old: str, new: str) -> int:
    same = 0
    for a, b in zip(old.split("\n"), new.split("\n")):  # lines as editors and diffs number them
        if a != b:
            break
        same += 1
    return same + 1
