"""Batch use: --shard and migrate.merge, --exclude (trees from batch_support.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from batch_support import (
    BROKEN_KIND,
    GENERATOR_PY,
    LEGACY,
    LEGACY_MODEL_PY,
    json_run,
)
from support import migrate_cli, snapshot, write

from migrate.report.json import merge

pytestmark = pytest.mark.slow  # the CLI in subprocesses over big trees

# --- 3. --shard and migrate.merge -------------------------------------------------------------


def _owner(path: str, config_folders: set[str]) -> str | None:
    folder = os.path.dirname(path)
    while folder:
        if folder in config_folders:
            return folder
        folder = os.path.dirname(folder)
    return "" if "" in config_folders else None


@pytest.mark.parametrize("count", [2, 3, 5])
def test_shards_are_disjoint_cover_and_merge_to_the_whole(big_tree, tmp_path, count):
    whole_run, whole = json_run("--check", ".", cwd=big_tree)
    assert whole_run.returncode == 3
    reports, files = [], []
    for k in range(1, count + 1):
        run, report = json_run("--check", "--shard", f"{k}/{count}", ".", cwd=big_tree, whole=False)
        assert report["files"], f"shard {k}/{count} is empty"
        reports.append(report)
        path = tmp_path / f"report-{k}.json"
        path.write_text(run.stdout, encoding="utf-8")
        files.append(str(path))
    shard_of = {}
    for k, report in enumerate(reports, 1):
        for record in report["files"]:
            assert record["path"] not in shard_of, f"{record['path']} in shards {shard_of[record['path']]} and {k}"
            shard_of[record["path"]] = k
    assert set(shard_of) == {f["path"] for f in whole["files"]}
    # a record in a shard is the record of the whole run (order included)
    by_path = {f["path"]: f for f in whole["files"]}
    for report in reports:
        for record in report["files"]:
            assert record == by_path[record["path"]]
    assert merge(reports) == whole
    assert merge(list(reversed(reports))) == whole
    # a truss's Python files share its config's shard
    configs = {os.path.dirname(p) for p in shard_of if not p.endswith(".py")}
    checked = 0
    for path, k in shard_of.items():
        if path.endswith(".py"):
            owner = _owner(path, configs)
            if owner is not None:
                config = next(p for p in shard_of if not p.endswith(".py") and os.path.dirname(p) == owner)
                assert shard_of[config] == k, (path, config)
                checked += 1
    assert checked >= 200
    # the same, via `python -m migrate.merge`
    proc = subprocess.run([sys.executable, "-m", "migrate.merge", *files], capture_output=True, timeout=120)
    assert proc.returncode == whole_run.returncode, proc.stderr
    assert json.loads(proc.stdout) == whole
    assert proc.stderr == b""


def test_shard_exit_codes_merge_to_the_whole_run(tmp_path):
    """A shard without the broken truss exits 1, one with it 3: the merge exits 3."""
    for i in range(12):
        write(tmp_path / f"t{i}" / "config.yaml", LEGACY if i else BROKEN_KIND)
    whole_run, whole = json_run("--check", ".", cwd=tmp_path)
    assert whole_run.returncode == 3
    reports = []
    for k in (1, 2, 3):
        _run, report = json_run("--check", "--shard", f"{k}/3", ".", cwd=tmp_path, whole=False)
        reports.append(report)
    assert sorted(r["summary"]["exit_code"] for r in reports if r["files"]) in ([1, 1, 3], [1, 3], [1, 3, 3])
    assert merge(reports) == whole


def test_shard_keeps_python_with_its_truss_when_a_subfolder_holds_other_yaml(tmp_path):
    """A truss is its config's folder: another YAML file below it (model/settings.yaml) must
    not pull model/model.py into another shard, where its truss is not migrated."""
    for i in range(20):
        truss = tmp_path / f"t{i:02d}"
        write(truss / "config.yaml", LEGACY.replace("org/legacy", f"org/legacy-{i}"))
        write(truss / "model" / "model.py", LEGACY_MODEL_PY.replace("org/legacy", f"org/legacy-{i}"))
        write(truss / "model" / "settings.yaml", "batch_size: 4\n")
    whole_run, whole = json_run("--check", ".", cwd=tmp_path)
    assert whole_run.returncode == 1
    assert all(f["status"] == "would-migrate" for f in whole["files"] if f["path"].endswith("model.py"))
    reports = [json_run("--check", "--shard", f"{k}/3", ".", cwd=tmp_path, whole=False)[1] for k in (1, 2, 3)]
    shard_of = {f["path"]: k for k, r in enumerate(reports, 1) for f in r["files"]}
    misplaced = [
        f"t{i:02d}" for i in range(20) if shard_of[f"t{i:02d}/model/model.py"] != shard_of[f"t{i:02d}/config.yaml"]
    ]
    assert not misplaced, f"model.py sharded apart from its config.yaml in {misplaced}"
    assert merge(reports) == whole


def test_shard_is_stable(big_tree):
    one = migrate_cli("--check", "--format", "json", "--shard", "2/3", ".", cwd=big_tree)
    two = migrate_cli("--check", "--format", "json", "--shard", "2/3", "--jobs", "1", ".", cwd=big_tree)
    assert one.stdout == two.stdout


@pytest.mark.parametrize("value", ["0/3", "4/3", "a/b", "3", "1/0", "/3", "1/", "1/3/5", "-1/3", " 1/3"])
def test_bad_shard_values_exit_2(small_tree, value):
    for fmt in ("text", "json"):
        run = migrate_cli("--check", "--format", fmt, f"--shard={value}", ".", cwd=small_tree)
        assert run.returncode == 2, (value, run)
        assert run.stdout == "", run
        assert "--shard" in run.stderr, run


def test_merge_cli_refuses_a_wrong_report(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "something-else", "version": 1, "files": [], "summary": {}}')
    proc = subprocess.run([sys.executable, "-m", "migrate.merge", str(bad)], capture_output=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == b""
    proc = subprocess.run([sys.executable, "-m", "migrate.merge"], capture_output=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == b""


# --- 4. --exclude -----------------------------------------------------------------------------


@pytest.fixture
def team_tree(tmp_path) -> Path:
    root = tmp_path / "mono"
    for org in ("org-a", "org-b"):
        for team in ("team-1", "team-2"):
            for name in ("x", "y"):
                write(root / org / team / name / "config.yaml", LEGACY)
                write(root / org / team / name / "model" / "model.py", LEGACY_MODEL_PY)
    write(root / "archive" / "old" / "config.yaml", LEGACY)
    write(root / "archive-2020" / "older" / "config.yaml", LEGACY)
    write(root / "legacy-stuff" / "config.yaml", LEGACY)
    write(root / "tools" / "generate.py", GENERATOR_PY)
    return root


def _reported(root: Path, *args: str) -> set[str]:
    _run, report = json_run("--check", *args, ".", cwd=root)
    return {f["path"] for f in report["files"]}


def test_exclude_folder_name_glob(team_tree):
    everything = _reported(team_tree)
    assert len(everything) == 8 * 2 + 3 + 1
    got = _reported(team_tree, "--exclude", "archive*")
    assert got == {p for p in everything if not p.startswith("archive")}


def test_exclude_whole_path_glob(team_tree):
    everything = _reported(team_tree)
    got = _reported(team_tree, "--exclude", "*/team-1/*")
    assert got == {p for p in everything if "/team-1/" not in p}
    assert len(everything) - len(got) == 8  # 4 configs and their 4 model.py


def test_exclude_exact_name_and_file_glob(team_tree):
    everything = _reported(team_tree)
    assert _reported(team_tree, "--exclude", "y") == {p for p in everything if "/y/" not in p}
    assert _reported(team_tree, "--exclude", "*.py") == {p for p in everything if not p.endswith(".py")}
    assert _reported(team_tree, "--exclude", "generate.py") == everything - {"tools/generate.py"}


def test_exclude_is_repeatable_and_excluded_files_are_not_written(team_tree):
    before = snapshot(team_tree)
    run, report = json_run("--exclude", "archive*", "--exclude", "*/team-1/*", "--exclude", "tools", ".", cwd=team_tree)
    assert run.returncode == 0
    reported = {f["path"] for f in report["files"]}
    expected = {
        f"{org}/team-2/{name}/{leaf}"
        for org in ("org-a", "org-b")
        for name in ("x", "y")
        for leaf in ("config.yaml", "model/model.py")
    } | {"legacy-stuff/config.yaml"}
    assert reported == expected
    assert {f["status"] for f in report["files"]} == {"migrated"}
    after = snapshot(team_tree)
    for name, data in before.items():
        if name in expected:
            assert after[name] != data, f"{name} was not migrated"
        else:
            assert after[name] == data, f"excluded {name} was changed"


def test_exclude_with_a_given_folder_and_text_mode(team_tree):
    run = migrate_cli(
        "--check",
        "-v",
        "--exclude",
        "*/team-1/*",
        "--exclude",
        "archive*",
        "mono",
        cwd=team_tree.parent,
        env={"NO_COLOR": "1"},
    )
    assert run.returncode == 1, run
    assert "team-1" not in run.stderr and "archive" not in run.stderr
    assert "mono/org-a/team-2/x/config.yaml" in run.stderr
    assert "weights-migrate: 10 files scanned, 10 would migrate, 0 unchanged, 0 failed" in run.stderr
