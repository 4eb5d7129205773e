"""The corpus's allow and ignore lists, migrated: every config with patterns mounts the files it
mounted before, under each reading of the weights matcher; the run is idempotent and `--check`
stays green after it.

The selections are computed by the independent matchers of test_patterns.py (huggingface_hub's
`filter_repo_objects`, a port of truss-transfer's `glob_match`, fnmatch, wcmatch) on a broad
listing of real Hugging Face file names, 0 to 3 folders deep; the old side reads the corpus file
with PyYAML, the new side the migrated text, both dialects.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import SERVED_BY_ID, check_finds_only_the_served_ids, migrate_cli
from test_patterns import READINGS, broad_listing, new_selection, old_selection

from migrate.config.edit import migrate as migrate_config
from migrate.core import mapping
from migrate.core.context import SEED, TRUSS, Context

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truss-examples"
if not CORPUS.is_dir():
    pytest.skip(f"corpus not found at {CORPUS} (it lives beside the project)", allow_module_level=True)


def _entries(config: dict) -> list[dict]:
    return list(config.get("model_cache") or config.get("hf_cache") or [])


def _has_patterns(path: Path) -> bool:
    return any(entry.get(key) for entry in _entries(_load(path)) for key in mapping.PATTERN_KEYS)


@functools.cache
def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


WITH_PATTERNS = [path for path in sorted(CORPUS.rglob("config.yaml")) if _has_patterns(path)]
IDS = [str(path.relative_to(CORPUS)) for path in WITH_PATTERNS]


def test_the_corpus_figures():
    """47 configs with patterns, 58 entries, 156 patterns: 137 rewritten (each gains one more),
    none untranslatable; 52 entries get a W014."""
    entries = [entry for path in WITH_PATTERNS for entry in _entries(_load(path)) if _lists(entry)]
    plans = [mapping.plan_entry(entry) for entry in entries]
    pattern_lists = [mapping.patterns(old, not entry.get("use_volume")) for entry in entries for old in _lists(entry)]
    items = [item for planned, _ in pattern_lists for item in planned.items]
    assert (len(WITH_PATTERNS), len(entries), len(items)) == (47, 58, 156)
    assert sum(item.changed for item in items) == 137 and sum(len(item.added) for item in items) == 137
    assert sum(len(translation.untranslatable) for _, translation in pattern_lists) == 0
    assert sum(any(note.code == "W014" for note in plan.notes) for plan in plans) == 52


def _lists(entry: dict) -> list[list[str]]:
    return [entry[key] for key in mapping.PATTERN_KEYS if entry.get(key)]


@pytest.mark.parametrize("dialect", [SEED, TRUSS], ids=["seed", "truss"])
@pytest.mark.parametrize("path", WITH_PATTERNS, ids=IDS)
def test_every_config_mounts_what_it_did_under_every_reading(path, dialect):
    outcome = migrate_config(path.read_text(encoding="utf-8"), Context(dialect=dialect))
    assert outcome.status == "migrated", outcome.diagnostics
    listing = broad_listing()
    for old, new in zip(_entries(_load(path)), yaml.safe_load(outcome.text)["weights"]):
        matcher = "fnmatch" if not old.get("use_volume") else "glob"
        before = old_selection(matcher, old.get("allow_patterns"), old.get("ignore_patterns"), listing)
        for reading in READINGS:
            after = new_selection(reading, new.get("allow_patterns"), new.get("ignore_patterns"), listing)
            assert after == before, (reading, sorted(before ^ after)[:5])


@pytest.mark.parametrize("path", WITH_PATTERNS, ids=IDS)
def test_a_second_run_changes_nothing(path):
    first = migrate_config(path.read_text(encoding="utf-8"))
    again = migrate_config(first.text or "")
    served = str(path.relative_to(CORPUS)) in SERVED_BY_ID
    assert again.status == "unchanged" and [d.code for d in again.diagnostics] == (["W016"] if served else [])


def test_check_without_code_after_an_in_place_run_finds_only_the_served_ids(tmp_path):
    """The patterns leave nothing to do; the start commands serving a filtered mount's id by id stay pending."""
    tree = tmp_path / "truss-examples"
    shutil.copytree(CORPUS, tree)
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    run = subprocess.run([sys.executable, "-m", "migrate", "-q", "."], cwd=tree, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    check_finds_only_the_served_ids(migrate_cli("--check", "--no-code", ".", cwd=tree))
    migrated = [tree / path.relative_to(CORPUS) for path in WITH_PATTERNS]
    assert all("**/" in path.read_text() for path in migrated)
