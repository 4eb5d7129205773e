"""Project settings: the `[tool.weights-migrate]` table of one pyproject.toml, found as black finds its.

The search starts at the deepest folder holding every path given and goes up, folder by folder,
to the repository root (a folder holding `.git` or `.hg`), which is still searched; nothing above
it is. The first pyproject.toml holding the table is the run's; one without the table is passed
over, as black (24.2 and later) passes over a pyproject.toml without `[tool.black]`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..core.context import DIALECTS
from ..core.diagnostics import CODES
from ..core.outcome import relative

FILE = "pyproject.toml"
TABLE = "weights-migrate"
KEYS = ("dialect", "docs", "exclude", "ignore", "include-tests", "mount-root", "nested")

T = TypeVar("T")


class SettingsError(Exception):
    """A pyproject.toml the run cannot use; the message names the file, and the key at fault."""


@dataclass(frozen=True)
class Settings:
    """The table's values, checked; None where the table leaves an option to the command line's default."""

    path: str | None = None  # the pyproject.toml they come from; None when no table was found
    dialect: str | None = None
    mount_root: str | None = None
    exclude: tuple[str, ...] | None = None
    nested: bool | None = None
    docs: bool | None = None
    include_tests: bool | None = None
    ignore: frozenset[str] = frozenset()  # codes whose reports the project does not want


def load(paths: Sequence[str]) -> Settings:
    """The settings of a run over paths: the first table found on the way up, or none (every key None)."""
    for folder in _upward(common_folder(paths)):
        candidate = folder / FILE
        if candidate.is_file():
            name = relative(str(candidate))
            table = _table(_read(candidate, name), name)
            if table is not None:
                return parse(table, name)
    return Settings()


def common_folder(paths: Sequence[str]) -> Path:
    """The deepest folder holding every path (a folder holds itself), symlinks resolved."""
    resolved = [Path(path).resolve() for path in paths]
    return Path(os.path.commonpath([path if path.is_dir() else path.parent for path in resolved]))


def _upward(start: Path) -> Iterator[Path]:
    """start and the folders above it, the repository root (or the file system's) the last."""
    for folder in (start, *start.parents):
        yield folder
        if (folder / ".git").exists() or (folder / ".hg").is_dir():  # .git is a file in worktrees
            return


def _read(path: Path, name: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        data = path.read_bytes()
        return tomllib.loads(data.decode("utf-8"))
    except OSError as err:
        raise SettingsError(f"{name}: cannot read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise SettingsError(f"{name}:{_place(data, err.start)}: invalid TOML: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as err:
        place, reason = _located(str(err), data)
        raise SettingsError(f"{name}{place}: invalid TOML: {reason}") from None


def _located(message: str, data: bytes) -> tuple[str, str]:
    """(`:LINE:COL`, the reason) of a TOMLDecodeError, whose message ends with its place."""
    at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if at:
        return f":{at[1]}:{at[2]}", message[: at.start()]
    end = " (at end of document)"
    if message.endswith(end):
        return f":{_place(data, len(data))}", message[: -len(end)]
    return "", message


def _place(data: bytes, offset: int) -> str:
    """`LINE:COL` (1-based) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - data.rfind(b"\n", 0, offset)
    return f"{line}:{column}"


def _table(document: dict[str, Any], name: str) -> dict[str, Any] | None:
    tool = document.get("tool")
    if not isinstance(tool, dict) or TABLE not in tool:
        return None
    if not isinstance(tool[TABLE], dict):
        raise SettingsError(f"{name}: [tool.{TABLE}] must be a table, not {_shown(tool[TABLE])}")
    table: dict[str, Any] = tool[TABLE]
    return table


def parse(table: dict[str, Any], name: str = FILE) -> Settings:
    """The table's keys checked and typed; SettingsError names the file and the first key at fault."""
    for key in table:
        if key not in KEYS:
            raise SettingsError(f"{name}: [tool.{TABLE}] {_unknown(key)}")
    return Settings(
        path=name,
        dialect=_value(table, name, "dialect", _dialect),
        mount_root=_value(table, name, "mount-root", _mount_root),
        exclude=_value(table, name, "exclude", _globs),
        nested=_value(table, name, "nested", _flag),
        docs=_value(table, name, "docs", _flag),
        include_tests=_value(table, name, "include-tests", _flag),
        ignore=_value(table, name, "ignore", _codes) or frozenset(),
    )


def _value(table: dict[str, Any], name: str, key: str, check: Callable[[object], T]) -> T | None:
    if key not in table:
        return None
    try:
        return check(table[key])
    except ValueError as err:
        raise SettingsError(f"{name}: [tool.{TABLE}] {key} {err}") from None


def _unknown(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1)
    if close:
        return f"has an unknown key {_shown(key)} (did you mean {_shown(close[0])}?)"
    return f"has an unknown key {_shown(key)} (the keys: {', '.join(KEYS)})"


# Each key's check: the value as the run takes it, or ValueError saying what the key must be.


def _dialect(value: object) -> str:
    if isinstance(value, str) and value in DIALECTS:
        return value
    names = " or ".join(_shown(name) for name in DIALECTS)
    raise ValueError(f"must be {names}, not {_shown(value)}")


def _mount_root(value: object) -> str:
    if isinstance(value, str) and value.startswith("/"):
        return value
    raise ValueError(f"must be an absolute path, not {_shown(value)}")


def _globs(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(glob, str) for glob in value):
        return tuple(value)
    raise ValueError(f'must be a list of globs (e.g. ["archive/*"]), not {_shown(value)}')


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false, not {_shown(value)}")


def _codes(value: object) -> frozenset[str]:
    if not (isinstance(value, list) and all(isinstance(code, str) for code in value)):
        raise ValueError(f'must be a list of warning codes (e.g. ["W112"]), not {_shown(value)}')
    for code in value:
        if code not in CODES:
            raise ValueError(f"holds an unknown code, {_shown(code)}")
        if code.startswith("E"):
            # An error leaves its file untouched: hiding it would hide why the run exits 3.
            raise ValueError(f"holds {_shown(code)}, an error: only warnings can be ignored")
    return frozenset(value)


def _shown(value: object) -> str:
    """A value as TOML writes it (near enough for a message)."""
    import json

    return json.dumps(value, ensure_ascii=False, default=str)
