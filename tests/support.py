"""Small helpers shared by the test modules: files on disk and the YAML before/after tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from migrate.config.edit import migrate as migrate_config
from migrate.config.read import comments
from migrate.core.context import Context
from migrate.core.diagnostics import CODES
from migrate.run.write import TEMP_SUFFIX


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


def d(text: str) -> str:
    """Dedented text without the leading newline of a triple-quoted literal."""
    return dedent(text).lstrip("\n")


def codes(outcome: Any) -> list[str]:
    """The sorted diagnostic codes of an outcome."""
    return sorted(diag.code for diag in outcome.diagnostics)


def check_migration(input_text: str, expected_text: str, expected_codes: list[str], ctx: Context) -> Any:
    """One row of a YAML before/after table: the exact output (or 'unchanged') and the codes."""
    outcome = migrate_config(input_text, ctx)
    if expected_text == input_text:
        assert outcome.status == "unchanged", outcome.diagnostics
        assert outcome.text is None
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected_text
        # the output is a single valid document without duplicate keys, and `weights` is the plan
        loaded = YAML(typ="safe").load(outcome.text)
        assert loaded["weights"] == [plan.weight for plan in outcome.plans]
    assert codes(outcome) == sorted(expected_codes)
    for diag in outcome.diagnostics:
        assert diag.code in CODES
        assert diag.line >= 1 and diag.col >= 1
    return outcome


def migrated_rows(table: list[Any], ctx: Context, *, output: bool) -> list[Any]:
    """The rows of a before/after table that migrate, as (expected output or input, ctx) params."""
    return [
        pytest.param(row.values[1] if output else row.values[0], ctx, id=row.id)
        for row in table
        if row.values[0] != row.values[1]
    ]


def check_second_run(output_text: str, ctx: Context) -> None:
    """A migrated output migrates to nothing."""
    outcome = migrate_config(output_text, ctx)
    assert outcome.status == "unchanged", outcome.diagnostics
    assert outcome.text is None


def check_actual_output_second_run(input_text: str, ctx: Context) -> None:
    """The real first output (whatever it is) migrates to nothing on a second run."""
    first = migrate_config(input_text, ctx)
    if first.status != "migrated":
        pytest.skip(f"first run did not migrate ({first.status}); test_migrate_table reports it")
    second = migrate_config(first.text, ctx)
    assert second.status == "unchanged", second.diagnostics


def check_layout(src: str, expected: str, codes: list[str], ctx: Context | None = None) -> None:
    """One row of a layout table: the exact output, read by PyYAML as the expected text, every comment kept."""
    outcome = migrate_config(src, ctx or Context())
    if expected == src:
        assert outcome.status == "unchanged", outcome.diagnostics
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected
        assert yaml.safe_load(outcome.text) == yaml.safe_load(expected)
        assert yaml.safe_load(outcome.text)["weights"] == [plan.weight for plan in outcome.plans]
        assert sorted(comments(outcome.text)) == sorted(comments(src))
    assert sorted(diag.code for diag in outcome.diagnostics) == sorted(codes)
    assert all(diag.code in CODES for diag in outcome.diagnostics)


def migrate_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m migrate ARGS` in a subprocess, its output as text."""
    return subprocess.run([sys.executable, "-m", "migrate", *args], capture_output=True, text=True, cwd=cwd)


def ruff_formatted(modules: dict[str, tuple[str, int]], folder: Path) -> set[str]:
    """The names of the modules (name -> text, line length) that `ruff format --check` accepts,
    each at its own line length: one ruff process over folder, each module in a subfolder with
    a ruff.toml of its line length (ruff reads the nearest config of each file)."""
    for name, (text, width) in modules.items():
        write(folder / name / "ruff.toml", f"line-length = {width}\n")
        write(folder / name / "module.py", text)
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "--output-format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    dirty = {Path(found["filename"]).parent.name for found in json.loads(proc.stdout or "[]")}
    return set(modules) - dirty
