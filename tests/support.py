"""Small helpers shared by the test modules: the corpus's place, hypothesis example counts, files on
disk, the YAML before/after tables and the CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
import yaml
from hypothesis import settings
from ruamel.yaml import YAML

from migrate.config.edit import migrate as migrate_config
from migrate.config.read import comments
from migrate.core import mapping
from migrate.core.context import Context
from migrate.core.diagnostics import CODES
from migrate.core.entry import TrussEntry
from migrate.run.write import TEMP_SUFFIX


def truss_of(*entries: dict[str, Any], context: Context | None = None) -> tuple[TrussEntry, ...]:
    """The entries of a truss's model_cache (as a config would list them), as its code sees them once migrated."""
    planned = [mapping.plan_entry(entry, context or Context()) for entry in entries]
    return tuple(TrussEntry.of_plan(index, plan) for index, plan in enumerate(planned))


PROJECT = Path(__file__).resolve().parents[1]

# The real configs: ../shared/corpus beside the project, or the folder WEIGHTS_MIGRATE_CORPUS names
# (a folder that does not exist shows what every corpus test does without it: it skips, with a reason).
CORPUS_ROOT = Path(os.environ.get("WEIGHTS_MIGRATE_CORPUS") or PROJECT.parent / "shared" / "corpus")
CORPUS = CORPUS_ROOT / "truss-examples"
NO_CORPUS = f"corpus not found at {CORPUS} (it lives beside the project, in ../shared/corpus)"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)
# The corpus configs whose start command gives its server, by id, a repository the truss mounts filtered
# by patterns: reported on every run (W016), the config work `--check` finds left after an in-place run.
SERVED_BY_ID = (
    "nemotron/Llama-3-1-Nemotron-Nano-VL-8B-V1/config.yaml",
    "nemotron/Nemotron-Nano-12B-v2-VL-BF16/config.yaml",
    "qwen/qwen-3-vl-32b/config.yaml",
)

# --- hypothesis ---------------------------------------------------------------------------------

BASE_EXAMPLES = 100  # max_examples of hypothesis's own "default" and "ci" profiles


def examples(count: int) -> int:
    """A test's example count under the loaded profile: count itself under "default" (and "ci"),
    scaled by the profile's max_examples over BASE_EXAMPLES under any other ("dev", "large")."""
    return max(1, round(count * settings().max_examples / BASE_EXAMPLES))


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


@dataclass(frozen=True)
class CliRun:
    """A finished `python -m migrate`: its exit code and its two outputs (str, or bytes if asked)."""

    returncode: int
    stdout: Any
    stderr: Any

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __repr__(self) -> str:  # an assertion message: the ends of long outputs are enough
        return f"CliRun(returncode={self.returncode}, stdout={self.stdout[-2000:]!r}, stderr={self.stderr[-2000:]!r})"


def environment(changes: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The test process's environment with changes: a variable set to None is removed."""
    env = dict(os.environ)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def migrate_cli(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    timeout: float = 300,
    text: bool = True,
) -> CliRun:
    """`python -m migrate ARGS` run to its end in cwd, in the test process's environment with env's
    changes (None unsets a variable), killed after timeout seconds.

    The outputs are decoded as UTF-8, strictly and with their line endings as written (text), or kept
    as bytes (text=False). Whatever the exit code, no traceback may reach either output.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        timeout=timeout,
        env=environment(env),
    )
    if text:
        run = CliRun(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
        assert "Traceback" not in run.stdout + run.stderr, run
    else:
        run = CliRun(proc.returncode, proc.stdout, proc.stderr)
        assert b"Traceback" not in run.stdout + run.stderr, run
    return run


def check_finds_only_the_served_ids(check: CliRun) -> None:
    """`--check --no-code` after an in-place run of the corpus: pending work, and only the start
    commands that serve a filtered mount's repository by id."""
    assert check.returncode == 1, check
    served = sorted(line.split(":", 1)[0] for line in check.stderr.splitlines() if " W016 " in line)
    assert served == sorted(SERVED_BY_ID), check.stderr
    assert f"{len(SERVED_BY_ID)} sites still download mounted weights" in check.stderr, check.stderr


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
