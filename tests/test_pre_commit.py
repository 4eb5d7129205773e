"""The pre-commit hooks, for real: git, pre-commit and the hooks of .pre-commit-hooks.yaml (trees from batch_support.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from batch_support import (
    LEGACY,
    LEGACY_MODEL_PY,
)
from support import PROJECT, write

pytestmark = pytest.mark.slow  # git and pre-commit, for real

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


MIGRATED_FILTERED = """\
model_name: llama
weights:
- source: hf://org/llama
  mount_location: /app/model_cache/llama
  allow_patterns: ["*.json"]
"""
LOADS_BY_ID = 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/llama")\n'


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


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_check_hook_fails_while_code_still_downloads_what_its_truss_mounts(tmp_path):
    """A truss already under weights whose loader still fetches its filtered repository by id: the
    check hook fails, whatever file the commit touches, until the site is suppressed."""
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip(f"pre-commit not installed next to {sys.executable}")
    repo = tmp_path / "repo"
    write(repo / "llama" / "config.yaml", MIGRATED_FILTERED)
    model = write(repo / "llama" / "model" / "model.py", LOADS_BY_ID)
    write(repo / "README.md", "notes\n")
    _git("init", "-q", cwd=repo)
    _git("config", "user.email", "test@example.com", cwd=repo)
    _git("config", "user.name", "Test", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "init", cwd=repo)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_COLOR="1")

    def check(*files: str) -> subprocess.CompletedProcess:
        chosen = ["--files", *files] if files else ["--all-files"]
        return subprocess.run(
            [str(pre_commit), "try-repo", str(PROJECT), "weights-migrate-check", *chosen, "--color", "never"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )

    failed = check("README.md")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "W112" in failed.stdout
    model.write_text(LOADS_BY_ID.replace('")\n', '")  # weights-migrate: ignore[W112]\n'))
    passed = check()
    assert passed.returncode == 0, passed.stdout + passed.stderr
