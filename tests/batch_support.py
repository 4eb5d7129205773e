"""The trees and the JSON report checks shared by the batch tests (test_batch*.py, test_pre_commit.py).

Every tree is built in tmp_path. The big tree (>= 400 files, so the process pool of
run.schedule._Workers is really used and the progress bar threshold is passed) is made of the real
configs of ../shared/corpus/truss-examples; tests that need it skip with a reason when that folder
is absent. The CLI runs as `python -m migrate` in a subprocess (support.migrate_cli: a fork-based
pool inside pytest's process is best avoided).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import CORPUS, NO_CORPUS, CliRun, migrate_cli, write

from migrate.core import diagnostics

TOP_KEYS = {"schema", "version", "files", "summary"}
FILE_KEYS = {"path", "status", "entries", "diagnostics", "order", "pending"}
USE_KEYS = {"source", "mount_location", "loaded_from", "sites"}
SITE_KEYS = {"path", "line", "code"}
DIAG_KEYS = {"code", "severity", "line", "column", "message"}
SUMMARY_KEYS = {
    "scanned",
    "migrated",
    "would_migrate",
    "unchanged",
    "failed",
    "exit_code",
    "docs_mentioning",
    "diagnostics",
    "pending",
}
RUN_DIAG_KEYS = {"code", "severity", "message"}  # a run-level diagnostic: no path, no line
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
        pytest.skip(NO_CORPUS)
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


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


# --- the JSON report ---------------------------------------------------------------------


def check_uses(record: dict) -> None:
    """A config's `uses`: one verdict per entry, its sites named (a hub site always with its code)."""
    assert record["path"].endswith((".yaml", ".yml")), record
    for use in record["uses"]:
        assert set(use) == USE_KEYS, use
        assert use["loaded_from"] in ("mount", "hub", "none"), use
        assert (use["loaded_from"] == "none") == (not use["sites"]), use
        for site in use["sites"]:
            assert set(site) == SITE_KEYS and type(site["line"]) is int and site["line"] >= 1, site
            assert use["loaded_from"] != "hub" or site["code"] in diagnostics.CODES, site


def check_report(report: dict, exit_code: int, diff: bool = False, whole: bool = True) -> None:
    """Everything the README's schema promises about one report."""
    assert set(report) == TOP_KEYS, report.keys()
    assert report["schema"] == "weights-migrate/report"
    assert report["version"] == 1 and type(report["version"]) is int
    files = report["files"]
    assert isinstance(files, list)
    for record in files:
        keys = set(record)
        if "uses" in record:
            check_uses(record)
            keys.discard("uses")
        if diff:
            assert keys in (FILE_KEYS, FILE_KEYS | {"diff"}), record
            if record["status"] == "would-migrate":
                assert "diff" in record, record
        else:
            assert keys == FILE_KEYS, record
        assert type(record["pending"]) is int and record["pending"] >= 0, record
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
    assert all(type(v) is int for k, v in summary.items() if k != "diagnostics"), summary
    for diag in summary["diagnostics"]:
        assert set(diag) == RUN_DIAG_KEYS and diag["code"] in diagnostics.CODES, diag
    assert summary["scanned"] == len(files)
    assert summary["pending"] == sum(r["pending"] for r in files)
    for status, key in STATUS_KEY.items():
        assert summary[key] == sum(r["status"] == status for r in files), (key, summary)
    assert summary["exit_code"] == exit_code


def json_run(*args: str, cwd: Path, diff: bool = False, whole: bool = True) -> tuple[CliRun, dict]:
    run = migrate_cli("--format", "json", *args, cwd=cwd)
    assert run.stderr == "", run  # "nothing else is printed"
    assert run.stdout.endswith("\n")
    report = run.json()  # one document: json.loads refuses anything after it
    check_report(report, run.returncode, diff=diff, whole=whole)
    return run, report


def build_small(root: Path) -> Path:
    """A legacy truss with its model.py, a broken config and a standalone generator."""
    write(root / "legacy" / "config.yaml", LEGACY)
    write(root / "legacy" / "model" / "model.py", LEGACY_MODEL_PY)
    write(root / "broken" / "config.yaml", BROKEN_KIND)
    write(root / "gen" / "generate.py", GENERATOR_PY)
    return root
