"""Batch use: the JSON report schema, --jobs, --shard + migrate.merge, --exclude,
the progress bar, and the pre-commit hooks for real.

Every tree is built in tmp_path. The big tree (>= 400 files, so the process pool
of runner._Workers is really used and the progress bar threshold is passed) is made
of the real configs of ../shared/corpus/truss-examples; tests that need it skip
with a reason when that folder is absent. The CLI runs as `python -m migrate` in a
subprocess (a fork-based pool inside pytest's process is best avoided).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support import snapshot, write

from migrate import diagnostics
from migrate.report import Reporter, merge
from migrate.outcome import FileResult

PROJECT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truss-examples"

TOP_KEYS = {"schema", "version", "files", "summary"}
FILE_KEYS = {"path", "status", "entries", "diagnostics", "order"}
DIAG_KEYS = {"code", "severity", "line", "column", "message"}
SUMMARY_KEYS = {"scanned", "migrated", "would_migrate", "unchanged", "failed", "exit_code", "docs_mentioning"}
STATUSES = {"migrated", "would-migrate", "unchanged", "failed"}
STATUS_KEY = {"migrated": "migrated", "would-migrate": "would_migrate", "unchanged": "unchanged", "failed": "failed"}

# --- trees -------------------------------------------------------------------------------

LEGACY = """\
model_name: legacy
model_cache:
- repo_id: org/legacy
"""
LEGACY_MODEL_PY = """\
from transformers import AutoModel

MODEL_ID = "org/legacy"


class Model:
    def load(self):
        self.model = AutoModel.from_pretrained(MODEL_ID)
"""
BROKEN_KIND = """\
model_name: broken
model_cache:
  - repo_id: org/name
    kind: foo
    use_volume: true
    volume_folder: x
"""
BROKEN_YAML = """\
model_name: broken-yaml
model_cache:
  - repo_id: [org/name
    use_volume: true
"""
GENERATOR_PY = """\
from truss.base.truss_config import ModelRepo, TrussConfig

CONFIG = TrussConfig(model_cache=[ModelRepo(repo_id="org/gen", use_volume=True, volume_folder="gen")])
"""
PLAIN_MODEL_PY = """\
class Model:
    def __init__(self, **kwargs):
        self._config = kwargs.get("config")

    def predict(self, request):
        return {"n": %d}
"""
HF_VOL = """\
# HF model on a volume
model_name: hf-vol-%(i)d
model_cache:
  - repo_id: org/model-%(i)d  # the model
    revision: main
    use_volume: true
    volume_folder: model_%(i)d
resources:
  accelerator: A10G
"""
DONE = """\
model_name: done-%(i)d
weights:
  - source: org/done-%(i)d
    mount_location: /app/model_cache/done_%(i)d
"""


def corpus_configs() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus of real truss configs not found at {CORPUS}")
    configs = sorted(p for p in CORPUS.rglob("config.yaml") if b"model_cache" in p.read_bytes())
    if len(configs) < 10:
        pytest.skip(f"corpus at {CORPUS} has only {len(configs)} model_cache configs")
    return configs


def build_big(root: Path, configs: list[Path]) -> None:
    """200 trusses in nested folders (half still on model_cache, half already on weights),
    each with model/model.py; every 10th a legacy truss whose model.py loads its repo id;
    two broken configs; a standalone generator module; a hidden folder that is skipped."""
    for i in range(200):
        truss = root / f"org-{i % 4}" / f"team-{i % 7}" / f"truss-{i:03d}"
        truss.mkdir(parents=True)
        if i % 10 == 0:
            write(truss / "config.yaml", LEGACY.replace("org/legacy", f"org/legacy-{i}"))
            write(truss / "model" / "model.py", LEGACY_MODEL_PY.replace("org/legacy", f"org/legacy-{i}"))
            continue
        if i % 2:
            write(truss / "config.yaml", DONE % {"i": i})
        elif i % 10 == 4:
            write(truss / "config.yaml", HF_VOL % {"i": i})
        else:
            shutil.copyfile(configs[i % len(configs)], truss / "config.yaml")
        write(truss / "model" / "model.py", PLAIN_MODEL_PY % i)
    write(root / "org-0" / "broken-kind" / "config.yaml", BROKEN_KIND)
    write(root / "org-1" / "broken-yaml" / "config.yaml", BROKEN_YAML)
    write(root / "tools" / "generate.py", GENERATOR_PY)
    write(root / ".github" / "workflows" / "ci.yaml", "on: push\nmodel_cache: []\n")


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory) -> Path:
    """Read-only: the big tree (tests that write make their own copies)."""
    configs = corpus_configs()
    root = tmp_path_factory.mktemp("big") / "repo"
    build_big(root, configs)
    return root


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


# --- running the tool ---------------------------------------------------------------------


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Run(code={self.code}, out={self.out[-2000:]!r}, err={self.err[-2000:]!r})"

    def json(self) -> dict:
        return json.loads(self.out)


def cli(*args: str, cwd: Path, env: dict | None = None, timeout: float = 300) -> Run:
    environ = dict(os.environ, **(env or {}))
    proc = subprocess.run(
        [sys.executable, "-m", "migrate", *args], cwd=cwd, capture_output=True, timeout=timeout, env=environ
    )
    run = Run(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
    assert "Traceback" not in run.out + run.err, run
    return run


def check_report(report: dict, exit_code: int, diff: bool = False, whole: bool = True) -> None:
    """Everything the README's schema promises about one report."""
    assert set(report) == TOP_KEYS, report.keys()
    assert report["schema"] == "weights-migrate/report"
    assert report["version"] == 1 and type(report["version"]) is int
    files = report["files"]
    assert isinstance(files, list)
    for record in files:
        keys = set(record)
        if diff:
            assert keys in (FILE_KEYS, FILE_KEYS | {"diff"}), record
            if record["status"] == "would-migrate":
                assert "diff" in record, record
        else:
            assert keys == FILE_KEYS, record
        if "diff" in record:
            assert record["diff"].startswith(f"--- a/{record['path']}\n+++ b/{record['path']}\n"), record
        assert record["status"] in STATUSES, record
        assert isinstance(record["path"], str) and not record["path"].startswith("./")
        assert type(record["entries"]) is int and record["entries"] >= 0
        if record["path"].endswith(".py"):
            assert record["entries"] == 0, record
        assert type(record["order"]) is int and record["order"] >= 0
        for diag in record["diagnostics"]:
            assert set(diag) == DIAG_KEYS, diag
            assert diag["code"] in diagnostics.CODES, diag
            assert diag["severity"] == ("error" if diag["code"].startswith("E") else "warning"), diag
            assert type(diag["line"]) is int and diag["line"] >= 1, diag
            assert type(diag["column"]) is int and diag["column"] >= 1, diag
            assert isinstance(diag["message"], str) and diag["message"], diag
        if record["status"] == "failed":
            assert any(d["severity"] == "error" for d in record["diagnostics"]), record
    paths = [r["path"] for r in files]
    assert len(paths) == len(set(paths)), "a file reported twice"
    orders = [r["order"] for r in files]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    if whole:
        assert orders == list(range(len(files)))
    summary = report["summary"]
    assert set(summary) == SUMMARY_KEYS, summary
    assert all(type(v) is int for v in summary.values()), summary
    assert summary["scanned"] == len(files)
    for status, key in STATUS_KEY.items():
        assert summary[key] == sum(r["status"] == status for r in files), (key, summary)
    assert summary["exit_code"] == exit_code


def json_run(*args: str, cwd: Path, diff: bool = False, whole: bool = True) -> tuple[Run, dict]:
    run = cli("--format", "json", *args, cwd=cwd)
    assert run.err == "", run  # "nothing else is printed"
    assert run.out.endswith("\n")
    report = run.json()  # one document: json.loads refuses anything after it
    check_report(report, run.code, diff=diff, whole=whole)
    return run, report


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
                    "every use of MODEL_ID loads the legacy entry's weights, from its mount location now",
                },
            ],
            "order": 3,
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
    },
}


@pytest.fixture
def small_tree(tmp_path) -> Path:
    root = tmp_path / "small"
    write(root / "legacy" / "config.yaml", LEGACY)
    write(root / "legacy" / "model" / "model.py", LEGACY_MODEL_PY)
    write(root / "broken" / "config.yaml", BROKEN_KIND)
    write(root / "gen" / "generate.py", GENERATOR_PY)
    return root


def test_json_small_report_is_pinned_exactly(small_tree):
    before = snapshot(small_tree)
    run, report = json_run("--check", ".", cwd=small_tree)
    assert run.code == 3
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
    ]
    assert snapshot(small_tree) == before


def test_json_small_report_with_diff_adds_only_the_diff_key(small_tree):
    run, report = json_run("--check", "--diff", ".", cwd=small_tree, diff=True)
    assert run.code == 3
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
    assert run.code == 3 and report["summary"]["exit_code"] == 3


def test_json_small_write_mode(small_tree):
    run, report = json_run(".", cwd=small_tree)
    assert run.code == 3
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
    }
    assert (small_tree / "broken" / "config.yaml").read_text() == BROKEN_KIND
    assert "weights:" in (small_tree / "legacy" / "config.yaml").read_text()
    # a second run has nothing left to do
    run, report = json_run("--check", ".", cwd=small_tree)
    assert run.code == 3
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "broken/config.yaml": "failed",
        "legacy/config.yaml": "unchanged",
        "gen/generate.py": "unchanged",
        "legacy/model/model.py": "unchanged",
    }


def test_json_exit_codes_0_and_1(tmp_path):
    write(tmp_path / "a" / "config.yaml", LEGACY)
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.code == 1 and report["summary"]["exit_code"] == 1
    run, report = json_run("--diff", ".", cwd=tmp_path, diff=True)
    assert run.code == 0 and report["summary"]["exit_code"] == 0
    run, report = json_run(".", cwd=tmp_path)
    assert run.code == 0 and report["summary"]["migrated"] == 1
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.code == 0 and report["summary"] == {
        "scanned": 1,
        "migrated": 0,
        "would_migrate": 0,
        "unchanged": 1,
        "failed": 0,
        "exit_code": 0,
        "docs_mentioning": 0,
    }


def test_json_empty_tree_is_still_one_document(tmp_path):
    run, report = json_run("--check", ".", cwd=tmp_path)
    assert run.code == 0
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
        },
    }


def test_json_schema_on_the_big_tree(big_tree):
    for args, diff in ((("--check",), False), (("--check", "--diff"), True), (("--diff",), True)):
        run, report = json_run(*args, ".", cwd=big_tree, diff=diff)
        statuses = {f["status"] for f in report["files"]}
        assert {"would-migrate", "unchanged", "failed"} <= statuses, statuses
        assert report["summary"]["scanned"] >= 400
        assert run.code == 3
        paths = {f["path"] for f in report["files"]}
        assert not any(p.startswith(".github") for p in paths)
        assert "tools/generate.py" in paths
        assert "org-0/broken-kind/config.yaml" in paths and "org-1/broken-yaml/config.yaml" in paths


def test_json_quiet_and_verbose_change_nothing(small_tree):
    plain = cli("--format", "json", "--check", ".", cwd=small_tree)
    for flag in ("-q", "-v"):
        run = cli("--format", "json", flag, "--check", ".", cwd=small_tree)
        assert (run.code, run.out, run.err) == (plain.code, plain.out, ""), (flag, run)


# --- 2. --jobs changes nothing --------------------------------------------------------------


def test_jobs_identical_check_json_and_diff_text(big_tree):
    runs = {}
    for jobs in (1, 2, 3):
        runs[jobs] = (
            cli("--jobs", str(jobs), "--check", "--format", "json", ".", cwd=big_tree),
            cli("-j", str(jobs), "--diff", ".", cwd=big_tree, env={"NO_COLOR": "1"}),
            cli("--jobs", str(jobs), "--check", "-v", ".", cwd=big_tree),
        )
    for jobs in (2, 3):
        for one, other in zip(runs[1], runs[jobs]):
            assert other.code == one.code, (jobs, other)
            assert other.out == one.out, f"--jobs {jobs}: stdout differs"
            assert other.err == one.err, f"--jobs {jobs}: stderr differs"
    json_one, diff_one, verbose_one = runs[1]
    assert json_one.code == 3 and diff_one.code == 3 and verbose_one.code == 3
    assert (
        diff_one.out.count("\n--- a/") + diff_one.out.startswith("--- a/")
        == json_one.json()["summary"]["would_migrate"]
    )
    assert "org-0/broken-kind/config.yaml:4:5: E007" in diff_one.err


def test_jobs_identical_write_mode(big_tree, tmp_path):
    trees = {jobs: copy_tree(big_tree, tmp_path / f"jobs{jobs}" / "repo") for jobs in (1, 2, 3)}
    before = snapshot(trees[1])
    runs = {jobs: cli("--jobs", str(jobs), ".", cwd=root) for jobs, root in trees.items()}
    after = {jobs: snapshot(root) for jobs, root in trees.items()}
    assert after[1] != before, "nothing was migrated"
    for jobs in (2, 3):
        assert (runs[jobs].code, runs[jobs].out, runs[jobs].err) == (runs[1].code, runs[1].out, runs[1].err)
        assert sorted(after[jobs]) == sorted(after[1])
        different = [name for name in after[1] if after[jobs][name] != after[1][name]]
        assert not different, f"--jobs {jobs} wrote different files: {different[:10]}"
    assert runs[1].code == 3
    # the broken configs are untouched; the migrated ones no longer hold model_cache
    assert after[1]["org-0/broken-kind/config.yaml"] == BROKEN_KIND.encode()
    assert after[1]["org-1/broken-yaml/config.yaml"] == BROKEN_YAML.encode()
    assert after[1]["org-0/team-0/truss-000/model/model.py"] != before["org-0/team-0/truss-000/model/model.py"]
    assert b"WeightsSource(" in after[1]["tools/generate.py"]
    assert not [n for n in after[1] if n.endswith(".weights-migrate.tmp")]


def test_jobs_identical_write_mode_json(big_tree, tmp_path):
    trees = {jobs: copy_tree(big_tree, tmp_path / f"j{jobs}" / "repo") for jobs in (1, 2)}
    runs = {jobs: cli("--jobs", str(jobs), "--format", "json", ".", cwd=root) for jobs, root in trees.items()}
    assert runs[1].out == runs[2].out and runs[1].code == runs[2].code == 3
    check_report(runs[1].json(), 3)
    assert snapshot(trees[1]) == snapshot(trees[2])


def build_streamed(root: Path, trusses: int) -> None:
    """Trusses whose Python files sort before their config (a_lib/ < config.yaml), every
    third a legacy truss whose code loads its repo id, every fifth with a nested truss that
    stays unchanged (its code then belongs to the outer truss), and a module at the top."""
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
    assert runs[1][0].out == runs[2][0].out == runs[3][0].out
    files = runs[1][1]["files"]
    order = walk_order(tmp_path)
    configs = [p for p in order if p.endswith(".yaml")]
    modules = [p for p in order if p.endswith(".py")]
    assert [f["path"] for f in files] == configs + modules
    by_path = {f["path"]: f for f in files}
    for i in range(0, 120, 3):  # a legacy truss: its code, found before its config, used its plans
        for module in ("a_lib/load.py", "inner/model/model.py") if i % 5 == 0 else ("a_lib/load.py",):
            record = by_path[f"team-{i % 3}/truss-{i:03d}/{module}"]
            assert [d["code"] for d in record["diagnostics"]] == ["W105"], record
    assert by_path["team-1/truss-001/a_lib/load.py"]["status"] == "unchanged"  # not a legacy truss
    assert by_path["generate.py"]["status"] == "would-migrate"


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
    assert whole_run.code == 3
    reports, files = [], []
    for k in range(1, count + 1):
        run, report = json_run("--check", "--shard", f"{k}/{count}", ".", cwd=big_tree, whole=False)
        assert report["files"], f"shard {k}/{count} is empty"
        reports.append(report)
        path = tmp_path / f"report-{k}.json"
        path.write_text(run.out, encoding="utf-8")
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
    assert proc.returncode == whole_run.code, proc.stderr
    assert json.loads(proc.stdout) == whole
    assert proc.stderr == b""


def test_shard_exit_codes_merge_to_the_whole_run(tmp_path):
    """A shard without the broken truss exits 1, one with it 3: the merge exits 3."""
    for i in range(12):
        write(tmp_path / f"t{i}" / "config.yaml", LEGACY if i else BROKEN_KIND)
    whole_run, whole = json_run("--check", ".", cwd=tmp_path)
    assert whole_run.code == 3
    reports = []
    for k in (1, 2, 3):
        run, report = json_run("--check", "--shard", f"{k}/3", ".", cwd=tmp_path, whole=False)
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
    assert whole_run.code == 1
    assert all(f["status"] == "would-migrate" for f in whole["files"] if f["path"].endswith("model.py"))
    reports = [json_run("--check", "--shard", f"{k}/3", ".", cwd=tmp_path, whole=False)[1] for k in (1, 2, 3)]
    shard_of = {f["path"]: k for k, r in enumerate(reports, 1) for f in r["files"]}
    misplaced = [
        f"t{i:02d}" for i in range(20) if shard_of[f"t{i:02d}/model/model.py"] != shard_of[f"t{i:02d}/config.yaml"]
    ]
    assert not misplaced, f"model.py sharded apart from its config.yaml in {misplaced}"
    assert merge(reports) == whole


def test_shard_is_stable(big_tree):
    one = cli("--check", "--format", "json", "--shard", "2/3", ".", cwd=big_tree)
    two = cli("--check", "--format", "json", "--shard", "2/3", "--jobs", "1", ".", cwd=big_tree)
    assert one.out == two.out


@pytest.mark.parametrize("value", ["0/3", "4/3", "a/b", "3", "1/0", "/3", "1/", "1/3/5", "-1/3", " 1/3"])
def test_bad_shard_values_exit_2(small_tree, value):
    for fmt in ("text", "json"):
        run = cli("--check", "--format", fmt, f"--shard={value}", ".", cwd=small_tree)
        assert run.code == 2, (value, run)
        assert run.out == "", run
        assert "--shard" in run.err, run


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
    assert run.code == 0
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
    run = cli(
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
    assert run.code == 1, run
    assert "team-1" not in run.err and "archive" not in run.err
    assert "mono/org-a/team-2/x/config.yaml" in run.err
    assert "weights-migrate: 10 files scanned, 10 would migrate, 0 unchanged, 0 failed" in run.err


# --- 5. the progress bar ------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def _results(n: int) -> list[FileResult]:
    return [FileResult(f"t{i}/config.yaml", "unchanged") for i in range(n)]


def test_progress_bar_drawn_on_a_terminal_stderr(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name in ("CI", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS", "JUPYTER_LINES"):
        monkeypatch.delenv(name, raising=False)
    err, out = FakeTTY(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    reporter = Reporter(progress=True)
    reporter.add_total(500)
    assert reporter.bar is not None
    assert "rich" in sys.modules
    for result in _results(500):
        reporter.file(result)
    reporter.summary()
    drawn = err.getvalue()
    assert "\x1b[" in drawn, f"no progress bar drawn on the terminal stderr: {drawn!r}"
    assert "500 files scanned" in drawn
    assert out.getvalue() == "", f"the progress bar went to stdout: {out.getvalue()[:300]!r}"


def test_no_progress_bar_when_stderr_is_not_a_terminal(monkeypatch):
    monkeypatch.setitem(sys.modules, "rich.progress", None)  # importing it now raises ImportError
    err, out = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    reporter = Reporter(progress=True)
    reporter.add_total(500)
    reporter.add_total(500)
    assert reporter.bar is None
    for result in _results(1000):
        reporter.file(result)
    reporter.summary()
    assert err.getvalue() == "weights-migrate: 1000 files scanned, 0 migrated, 1000 unchanged, 0 failed\n"
    assert out.getvalue() == ""


def test_no_progress_bar_under_300_files(monkeypatch):
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    err = FakeTTY()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    reporter = Reporter(progress=True)
    reporter.add_total(150)
    reporter.add_total(149)
    assert reporter.bar is None
    for result in _results(299):
        reporter.file(result)
    reporter.summary()
    assert err.getvalue() == "weights-migrate: 299 files scanned, 0 migrated, 299 unchanged, 0 failed\n"


def test_no_progress_bar_without_progress_flag_or_with_quiet(monkeypatch):
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    monkeypatch.setattr(sys, "stderr", FakeTTY())
    for reporter in (Reporter(progress=False), Reporter(quiet=True, progress=False)):
        reporter.add_total(5000)
        assert reporter.bar is None


def test_cli_does_not_import_rich_when_piped(big_tree):
    code = (
        "import sys, runpy\n"
        "sys.modules['rich'] = None\n"  # any import of rich now fails
        "sys.argv = ['weights-migrate'] + sys.argv[1:]\n"
        "runpy.run_module('migrate', run_name='__main__')\n"
    )
    for args in (("--check",), ("--check", "--format", "json")):
        proc = subprocess.run(
            [sys.executable, "-c", code, *args, "."],
            cwd=big_tree,
            capture_output=True,
            timeout=300,
            env=dict(os.environ, TERM="xterm-256color"),
        )
        assert proc.returncode == 3, proc.stderr[-2000:]
        assert b"Traceback" not in proc.stderr


def test_piped_stderr_never_gets_escape_codes(big_tree):
    env = {"TERM": "xterm-256color", "FORCE_COLOR": "1", "COLUMNS": "120"}
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    for args in (("--check",), ("--diff",), ("-v", "--check"), ("--check", "--format", "json")):
        proc = subprocess.run(
            [sys.executable, "-m", "migrate", *args, "."],
            cwd=big_tree,
            capture_output=True,
            timeout=300,
            env=dict(environ, **env),
        )
        assert proc.returncode == 3
        assert b"\x1b[" not in proc.stderr, (args, proc.stderr[:500])
        assert b"\x1b[" not in proc.stdout, (args, proc.stdout[:500])
        if "json" not in args:
            assert b"E007" in proc.stderr


def _run_with_tty_stderr(args: list[str], cwd: Path, env: dict) -> tuple[int, bytes, bytes]:
    """stdout piped, stderr a pseudo-terminal (the `weights-migrate --diff . > patch` case)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=300)
    finally:
        reader.join(timeout=10)
        os.close(master)
    return proc.returncode, out, b"".join(chunks)


@pytest.mark.skipif(not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a POSIX pty")
def test_terminal_stderr_keeps_progress_and_diagnostics_off_stdout(big_tree):
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    env = dict(environ, TERM="xterm-256color", COLUMNS="120", LINES="40")
    piped = subprocess.run(
        [sys.executable, "-m", "migrate", "--check", "--diff", "."],
        cwd=big_tree,
        capture_output=True,
        timeout=300,
        env=env,
    )
    code, out, err = _run_with_tty_stderr(["--check", "--diff", "."], big_tree, env)
    assert code == piped.returncode == 3
    assert out == piped.stdout, "stdout (the diff) differs when stderr is a terminal: " + repr(
        [line for line in out.decode().splitlines() if line not in piped.stdout.decode().splitlines()][:5]
    )
    assert b"E007" in err, err[-500:]
    assert b"files scanned" in err


@pytest.mark.skipif(not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a POSIX pty")
def test_terminal_stderr_colours_small_runs_and_no_color_turns_it_off(small_tree):
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    env = dict(environ, TERM="xterm-256color")
    code, out, err = _run_with_tty_stderr(["--check", "."], small_tree, env)
    assert code == 3 and out == b""
    assert b"\x1b[" in err  # coloured codes on a terminal
    code, out, err = _run_with_tty_stderr(["--check", "."], small_tree, dict(env, NO_COLOR="1"))
    assert code == 3 and b"\x1b[" not in err and b"E007" in err
    code, out, err = _run_with_tty_stderr(["--check", "--format", "json", "."], small_tree, env)
    assert code == 3 and err == b"" and json.loads(out)["summary"]["exit_code"] == 3


# --- 6. pre-commit, for real ------------------------------------------------------------------


def _git(*args: str, cwd: Path) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_hooks_for_real(tmp_path):
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip(f"pre-commit not installed next to {sys.executable}")
    repo = tmp_path / "repo"
    config = write(repo / "trusses" / "llama" / "config.yaml", LEGACY)
    write(repo / "trusses" / "llama" / "model" / "model.py", LEGACY_MODEL_PY)
    write(repo / "README.md", "hello\n")
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "test@example.com", cwd=repo)
    _git("config", "user.name", "Test", cwd=repo)
    _git("config", "commit.gpgsign", "false", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "init", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1")
    env.pop("PRE_COMMIT", None)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)

    def try_repo(hook: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(pre_commit), "try-repo", str(PROJECT), hook, "--all-files", "--color", "never"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )

    first = try_repo("weights-migrate")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout, first.stdout
    text = config.read_text()
    assert "weights:" in text and "model_cache:" not in text, text
    assert "/app/model_cache/org_legacy" in (repo / "trusses" / "llama" / "model" / "model.py").read_text()

    check = try_repo("weights-migrate-check")
    assert check.returncode == 0, check.stdout + check.stderr
    again = try_repo("weights-migrate")
    assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_check_hook_fails_while_model_cache_remains(tmp_path):
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip(f"pre-commit not installed next to {sys.executable}")
    repo = tmp_path / "repo"
    config = write(repo / "llama" / "config.yaml", LEGACY)
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "test@example.com", cwd=repo)
    _git("config", "user.name", "Test", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "init", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1")
    proc = subprocess.run(
        [str(pre_commit), "try-repo", str(PROJECT), "weights-migrate-check", "--all-files", "--color", "never"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert config.read_text() == LEGACY
