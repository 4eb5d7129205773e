"""The line length a file's project gives its formatter, for the layout of rewritten Python.

Looked up as ruff looks up its configuration: in the file's folder, then each folder above it,
the first of `.ruff.toml`, `ruff.toml`, or a `pyproject.toml` with a `[tool.ruff]` table decides
(its `line-length`, through `extend` when it has none, else ruff's default, 88); a
`pyproject.toml` with only `[tool.black]` decides as black reads it. The search stops at the
repository's root (`.git`, `.hg`). Nothing found, or a file that cannot be read as TOML: None, and
the rewrite keeps to ruff's 88, or to the module's own code where it is wider (layout.module_width).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

DEFAULT = 88  # ruff's and black's
_RUFF_FILES = (".ruff.toml", "ruff.toml")
_EXTENDS = 8  # a chain of `extend` longer than this is taken for a loop


def line_length(path: str) -> int | None:
    """The line length for the file at path, or None when its project does not say."""
    return _in_folder(os.path.dirname(os.path.abspath(path)))


@functools.lru_cache(maxsize=1024)
def _in_folder(folder: str) -> int | None:
    for name in _RUFF_FILES:
        config = os.path.join(folder, name)
        if os.path.isfile(config):
            return _ruff(config, _read(config), _EXTENDS)
    pyproject = os.path.join(folder, "pyproject.toml")
    if os.path.isfile(pyproject):
        tool = (_read(pyproject) or {}).get("tool")
        tool = tool if isinstance(tool, dict) else {}
        if "ruff" in tool:
            return _ruff(pyproject, tool["ruff"], _EXTENDS)
        if "black" in tool:
            return _length(tool["black"].get("line-length", DEFAULT) if isinstance(tool["black"], dict) else None)
    parent = os.path.dirname(folder)
    if parent == folder or any(os.path.exists(os.path.join(folder, vcs)) for vcs in (".git", ".hg")):
        return None
    return _in_folder(parent)


def _ruff(path: str, table: Any, extends: int) -> int | None:
    """A ruff configuration's line length: its own, else the one of the file it extends."""
    if not isinstance(table, dict):
        return None
    if "line-length" in table:
        return _length(table["line-length"])
    extend = table.get("extend")
    if not isinstance(extend, str):
        return DEFAULT
    if not extends:
        return None
    base = os.path.join(os.path.dirname(path), os.path.expanduser(extend))
    data = _read(base)
    if os.path.basename(base) == "pyproject.toml":
        tool = (data or {}).get("tool")
        data = tool.get("ruff") if isinstance(tool, dict) else None
    return _ruff(base, data, extends - 1)


def _length(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 320 else None


def _read(path: str) -> dict[str, Any] | None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except (OSError, ValueError):  # tomllib.TOMLDecodeError is a ValueError
        return None
    return data
