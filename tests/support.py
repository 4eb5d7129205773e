"""Small file helpers shared by the test modules."""

from __future__ import annotations

import os
from pathlib import Path

from migrate.discover import TEMP_SUFFIX


def write(path: Path, data: str | bytes) -> Path:
    """Write text (as UTF-8) or bytes, creating the folders on the way."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root (symlinks not followed) -> its bytes."""
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if not path.is_symlink():
                out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def temp_files(folder: Path) -> list[Path]:
    """The tool's temporary files left anywhere below folder."""
    return [p for p in folder.rglob("*") if p.name.endswith(TEMP_SUFFIX)]
