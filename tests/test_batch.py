"""Batch use: the JSON report schema and --jobs changing nothing.

Shards, merge and --exclude are in test_batch_shards.py, the progress bar and the terminal in
test_batch_progress.py, the pre-commit hooks in test_pre_commit.py; the trees are built by
batch_support.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from batch_support import (
    BROKEN_KIND,
    BROKEN_YAML,
    DONE,
    GENERATOR_PY,
    HF_VOL,
    LEGACY,
    LEGACY_MODEL_PY,
    PLAIN_MODEL_PY,
    check_report,
    copy_tree,
    json_run,
)
from support import migrate_cli, snapshot, write

pytestmark = pytest.mark.slow  # the CLI in subprocesses over big trees

# --- 1. the JSON schema -----------------------------------------------------------------------

SMALL_EXPECTED = {
    "schema": "weights-migrate/report",
    "version": 1,
    "files": [
        {
            "path": "broken/config.yaml",
            "status": "failed",
            "entries": 0,
            "diagnostics": [
                {
                    "code": "E007",
                    "severity": "error",
                    "line": 4,
                    "column": 5,
                    "message": "kind 'foo' is not one of hf, s3, gcs, azure",
                },
            ],
            "order": 0,
            "pending": 0,
        },
        {
            "path": "legacy/config.yaml",
            "status": "would-migrate",
            "entries": 1,
            "diagnostics": [
                {
                    "code": "W001",
                    "severity": "warning",
                    "line": 3,
                    "column": 3,
                    "message": "legacy entry: weights were baked into the Hugging Face cache of the image; "
                    "they now mount at runtime at /app/model_cache/org_legacy",
                },
            ],
            "order": 1,
            "pending": 0,
            "uses": [
                {
                    "source": "hf://org/legacy",
                    "mount_location": "/app/model_cache/org_legacy",
                    "loaded_from": "mount",
                    "sites": [{"path": "legacy/model/model.py", "line": 3, "code": "W105"}],
                },
            ],
        },
        {
            "path": "gen/generate.py",
            "status": "would-migrate",
            "entries": 0,
            "diagnostics": [
                {
                    "code": "W104",
                    "severity": "warning",
                    "line": 3,
                    "column": 10,
                    "message": "TrussConfig(model_cache=...) -> TrussConfig(weights=...)",
                },
                {
                    "code": "W101",
                    "severity": "warning",
                    "line": 3,
                    "column": 35,
                    "message": "ModelRepo(...) -> WeightsSource(...)",
                },
            ],
            "order": 2,
            "pending": 0,
        },
        {
            "path": "legacy/model/model.py",
            "status": "would-migrate",
            "entries": 0,
            "diagnostics": [
                {
                    "code": "W105",
                    "severity": "warning",
                    "line": 3,
                    "column": 12,
                    "message": "'org/legacy' -> '/app/model_cache/org_legacy': "
                    "every use of MODEL_ID loads it, and the truss mounts its weights there",
                },
            ],
            "order": 3,
            "pending": 0,
        },
    ],
    "summary": {
        "scanned": 4,
        "migrated": 0,
        "would_migrate": 3,
        "unchanged": 0,
        "failed": 1,
        "exit_code": 3,
        "docs_mentioning": 0,
        "diagnostics": [
            {
                "code": "W119",
                "severity": "warning",
                "message": "Python would be rewritten in the seed dialect: truss 0.18.36 keeps `revision=` and "
                "`runtime_secret_name=` of a WeightsSource without using them, so this code could not run on "
                "released truss; add --dialect truss to target it",
            }
        ],
        "pending": 0,
    },
}


def test_json_small_report_is_pinned_exactly(small_tree):
    before = snapshot(small_tree)
    run, report = json_run("--check", ".", cwd=small_tree)
    assert run.returncode == 3
    assert report == SMALL_EXPECTED
    assert list(report) == ["schema", "version", "files", "summary"]
    assert list(report["summary"]) == [
        "scanned",
        "migrated",
        "would_migrate",
        "unchanged",
        "failed",
        "exit_code",
        "docs_mentioning",
        "diagnostics",
        "pending",
    ]
    assert snapshot(small_tree) == before


def test_json_small_report_with_diff_adds_only_the_diff_key(small_tree):
    run, report = json_run("--check", "--diff", ".", cwd=small_tree, diff=True)
    assert run.returncode == 3
    stripped = {**report, "files": [{k: v for k, v in f.items() if k != "diff"} for f in report["files"]]}
    assert stripped == SMALL_EXPECTED
    with_diff = {f["path"] for f in report["files"] if "diff" in f}
    assert with_diff == {"legacy/config.yaml", "gen/generate.py", "legacy/model/model.py"}
    legacy = next(f for f in report["files"] if f["path"] == "legacy/config.yaml")
    assert legacy["diff"] == (
        "--- a/legacy/config.yaml\n+++ b/legacy/config.yaml\n@@ -1,3 +1,4 @@\n model_name: legacy\n"
        "-model_cache:\n-- repo_id: org/legacy\n+weights:\n+- source: hf://org/legacy\n"
        "+  mount_location: /app/model_cache/org_legacy\n"
    )


def test_json_small_diff_alone_exits_3_and_json_says_so(small_tree):
    run, report = json_run("--diff", ".", cwd=small_tree, diff=True)
    assert run.returncode == 3 and report["summary"]["exit_code"] == 3


def test_json_small_write_mode(small_tree):
    run, report = json_run(".", cwd=small_tree)
    assert run.returncode == 3
    assert [(f["path"], f["status"]) for f in report["files"]] == [
        ("broken/config.yaml", "failed"),
        ("legacy/config.yaml", "migrated"),
        ("gen/generate.py", "migrated"),
        ("legacy/model/model.py", "migrated"),
    ]
    assert report["summary"] == {
        "scanned": 4,
        "migrated": 3,
        "would_migrate": 0,
        "unchanged": 0,
        "failed": 1,
        "exit_code": 3,
        "docs_mentioning": 0,
        "diagnostics": [
            {
                "code": "W119",
                "severity": "warning",
                "message": "Python was rewritten in the seed dialect: truss 0.18.36 keeps `revision=` and "
                "`runtime_secret_name=` of a WeightsSource without using them, so this code cannot run on "
                "released truss; to target it, restore the original files (e.g. `git checkout -- PATH`) and "
                "rerun with --dialect truss",
            }
        ],
        "pending": 0,
    }
    assert (small_tree / "broken" / "config.yaml").read_text() == BROKEN_KIND
    assert "weights:" in (small_tree / "legacy" / "config.yaml").read_text()
    # a second run has nothing left to do
    run, report = json_run("--check", ".", cwd=small_tree)
    assert run.returncode == 3
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "broken/config.yaml": "failed",
        "legacy/config.yaml": "unchanged",
        "gen/generate.py": "unchanged",
        "legacy/model/model.py": "unchanged",
    }


def test_json_exit_codes_0_and_1(tmp_path):
    write(tmp_path / "a" / "config.yaml", LEGACY)
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.returncode == 1 and report["summary"]["exit_code"] == 1
    run, report = json_run("--diff", ".", cwd=tmp_path, diff=True)
    assert run.returncode == 0 and report["summary"]["exit_code"] == 0
    run, report = json_run(".", cwd=tmp_path)
    assert run.returncode == 0 and report["summary"]["migrated"] == 1
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.returncode == 0 and report["summary"] == {
        "scanned": 1,
        "migrated": 0,
        "would_migrate": 0,
        "unchanged": 1,
        "failed": 0,
        "exit_code": 0,
        "docs_mentioning": 0,
        "diagnostics": [],
        "pending": 0,
    }


def test_json_empty_tree_is_still_one_document(tmp_path):
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.returncode == 0
    assert report == {
        "schema": "weights-migrate/report",
        "version": 1,
        "files": [],
        "summary": {
            "scanned": 0,
            "migrated": 0,
            "would_migrate": 0,
            "unchanged": 0,
            "failed": 0,
            "exit_code": 0,
            "docs_mentioning": 0,
            "diagnostics": [],
            "pending": 0,
        },
    }


def test_json_schema_on_the_big_tree(big_tree):
    for args, diff in ((("--check",), False), (("--check", "--diff"), True), (("--diff",), True)):
        run, report = json_run(*args, ".", cwd=big_tree, diff=diff)
        statuses = {f["status"] for f in report["files"]}
        assert {"would-migrate", "unchanged", "failed"} <= statuses, statuses
        assert report["summary"]["scanned"] >= 400
        assert run.returncode == 3
        paths = {f["path"] for f in report["files"]}
        assert not any(p.startswith(".github") for p in paths)
        assert "tools/generate.py" in paths
        assert "org-0/broken-kind/config.yaml" in paths and "org-1/broken-yaml/config.yaml" in paths


def test_json_quiet_and_verbose_change_nothing(small_tree):
    plain = migrate_cli("--format", "json", "--check", ".", cwd=small_tree)
    for flag in ("-q", "-v"):
        run = migrate_cli("--format", "json", flag, "--check", ".", cwd=small_tree)
        assert (run.returncode, run.stdout, run.stderr) == (plain.returncode, plain.stdout, ""), (flag, run)


# --- 2. --jobs changes nothing --------------------------------------------------------------


def test_jobs_identical_check_json_and_diff_text(big_tree):
    runs = {}
    for jobs in (1, 2, 3):
        runs[jobs] = (
            migrate_cli("--jobs", str(jobs), "--check", "--format", "json", ".", cwd=big_tree),
            migrate_cli("-j", str(jobs), "--diff", ".", cwd=big_tree, env={"NO_COLOR": "1"}),
            migrate_cli("--jobs", str(jobs), "--check", "-v", ".", cwd=big_tree),
        )
    for jobs in (2, 3):
        for one, other in zip(runs[1], runs[jobs]):
            assert other.returncode == one.returncode, (jobs, other)
            assert other.stdout == one.stdout, f"--jobs {jobs}: stdout differs"
            assert other.stderr == one.stderr, f"--jobs {jobs}: stderr differs"
    json_one, diff_one, verbose_one = runs[1]
    assert json_one.returncode == 3 and diff_one.returncode == 3 and verbose_one.returncode == 3
    assert (
        diff_one.stdout.count("\n--- a/") + diff_one.stdout.startswith("--- a/")
        == json_one.json()["summary"]["would_migrate"]
    )
    assert "org-0/broken-kind/config.yaml:4:5: E007" in diff_one.stderr


def test_jobs_identical_write_mode(big_tree, tmp_path):
    trees = {jobs: copy_tree(big_tree, tmp_path / f"jobs{jobs}" / "repo") for jobs in (1, 2, 3)}
    before = snapshot(trees[1])
    runs = {jobs: migrate_cli("--jobs", str(jobs), ".", cwd=root) for jobs, root in trees.items()}
    after = {jobs: snapshot(root) for jobs, root in trees.items()}
    assert after[1] != before, "nothing was migrated"
    for jobs in (2, 3):
        assert (runs[jobs].returncode, runs[jobs].stdout, runs[jobs].stderr) == (
            runs[1].returncode,
            runs[1].stdout,
            runs[1].stderr,
        )
        assert sorted(after[jobs]) == sorted(after[1])
        different = [name for name in after[1] if after[jobs][name] != after[1][name]]
        assert not different, f"--jobs {jobs} wrote different files: {different[:10]}"
    assert runs[1].returncode == 3
    # the broken configs are untouched; the migrated ones no longer hold model_cache
    assert after[1]["org-0/broken-kind/config.yaml"] == BROKEN_KIND.encode()
    assert after[1]["org-1/broken-yaml/config.yaml"] == BROKEN_YAML.encode()
    assert after[1]["org-0/team-0/truss-000/model/model.py"] != before["org-0/team-0/truss-000/model/model.py"]
    assert b"WeightsSource(" in after[1]["tools/generate.py"]
    assert not [n for n in after[1] if n.endswith(".weights-migrate.tmp")]


def test_jobs_identical_write_mode_json(big_tree, tmp_path):
    trees = {jobs: copy_tree(big_tree, tmp_path / f"j{jobs}" / "repo") for jobs in (1, 2)}
    runs = {jobs: migrate_cli("--jobs", str(jobs), "--format", "json", ".", cwd=root) for jobs, root in trees.items()}
    assert runs[1].stdout == runs[2].stdout and runs[1].returncode == runs[2].returncode == 3
    check_report(runs[1].json(), 3)
    assert snapshot(trees[1]) == snapshot(trees[2])


def build_streamed(root: Path, trusses: int) -> None:
    """Trusses whose Python files sort before their config (a_lib/ < config.yaml), every
    third a legacy truss whose code loads its repo id, every fifth with a nested truss already
    under `weights` (a truss of its own: its code follows its own entries), and a module at the top."""
    for i in range(trusses):
        truss = root / f"team-{i % 3}" / f"truss-{i:03d}"
        repo = f"org/legacy-{i}"
        if i % 3 == 0:
            write(truss / "config.yaml", LEGACY.replace("org/legacy", repo))
        else:
            write(truss / "config.yaml", (DONE if i % 3 == 1 else HF_VOL) % {"i": i})
        write(truss / "a_lib" / "load.py", LEGACY_MODEL_PY.replace("org/legacy", repo))
        write(truss / "model" / "model.py", PLAIN_MODEL_PY % i)
        if i % 5 == 0:
            write(truss / "inner" / "config.yaml", DONE % {"i": 1000 + i})
            write(truss / "inner" / "model" / "model.py", LEGACY_MODEL_PY.replace("org/legacy", repo))
    write(root / "generate.py", GENERATOR_PY)


def walk_order(root: Path) -> list[str]:
    """Files in the sorted depth-first order the report promises (names sorted, folders entered in place)."""
    out = []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.is_dir():
            out += [f"{entry.name}/{p}" for p in walk_order(Path(entry.path))]
        else:
            out.append(entry.name)
    return out


def test_jobs_identical_with_python_before_its_config_and_nested_trusses(tmp_path):
    """Python files are fed to the workers while the walk goes on, after their truss's config:
    the report (configs first, then Python files, each in walk order) is the same for any --jobs."""
    build_streamed(tmp_path, 120)  # 360+ files: the process pool is used
    runs = {jobs: json_run("--jobs", str(jobs), "--check", ".", cwd=tmp_path) for jobs in (1, 2, 3)}
    assert runs[1][0].stdout == runs[2][0].stdout == runs[3][0].stdout
    files = runs[1][1]["files"]
    order = walk_order(tmp_path)
    configs = [p for p in order if p.endswith(".yaml")]
    modules = [p for p in order if p.endswith(".py")]
    assert [f["path"] for f in files] == configs + modules
    by_path = {f["path"]: f for f in files}
    for i in range(0, 120, 3):  # a legacy truss: its code, found before its config, used its plans
        record = by_path[f"team-{i % 3}/truss-{i:03d}/a_lib/load.py"]
        assert [d["code"] for d in record["diagnostics"]] == ["W105"], record
    for i in range(0, 120, 5):  # the nested truss's code: the outer truss's id is none of its entries
        record = by_path[f"team-{i % 3}/truss-{i:03d}/inner/model/model.py"]
        assert (record["status"], record["diagnostics"]) == ("unchanged", []), record
    assert by_path["team-1/truss-001/a_lib/load.py"]["status"] == "unchanged"  # not a legacy truss
    assert by_path["generate.py"]["status"] == "would-migrate"
