"""Code review: `--format github` annotations, and `--diff` output that git apply and patch take.

The round trip is for real: diff a copy of the corpus, apply the patch with git and with GNU
patch from the folder the command ran in, and compare byte for byte with an in-place run.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import CORPUS, migrate_cli, needs_corpus, snapshot, write

from migrate.core.diagnostics import Diagnostic
from migrate.core.outcome import FileResult
from migrate.report.github import GithubReporter, command, escape_data, escape_property
from migrate.report.tally import Tally

pytestmark = pytest.mark.slow  # the CLI, git apply and patch in subprocesses

LEGACY = "model_name: legacy\nmodel_cache:\n- repo_id: org/legacy\n"
VOLUME = "model_cache:\n- repo_id: org/m\n  use_volume: true\n  volume_folder: m\n"
BROKEN = "model_cache:\n- repo_id: org/m\n  kind: zz\n"


def diff_bytes(*args: str, cwd: Path) -> bytes:
    """The --diff output exactly as printed (text mode would turn its CRLF lines into LF)."""
    run = migrate_cli("--diff", *args, cwd=cwd, text=False)
    assert run.returncode == 0, run.stderr
    return run.stdout


# --- workflow commands --------------------------------------------------------------------------

ESCAPES = [
    pytest.param("plain text", "plain text", "plain text", id="plain"),
    pytest.param("100% done", "100%25 done", "100%25 done", id="percent"),
    pytest.param("%3A stays literal", "%253A stays literal", "%253A stays literal", id="percent-first"),
    pytest.param("a\rb", "a%0Db", "a%0Db", id="carriage-return"),
    pytest.param("a\nb", "a%0Ab", "a%0Ab", id="line-feed"),
    pytest.param("a\r\nb", "a%0D%0Ab", "a%0D%0Ab", id="crlf"),
    pytest.param("key: a, b", "key: a, b", "key%3A a%2C b", id="colon-and-comma"),
    pytest.param("::error::", "::error::", "%3A%3Aerror%3A%3A", id="a-command-inside"),
]


@pytest.mark.parametrize("text, data, prop", ESCAPES)
def test_escaping(text, data, prop):
    assert escape_data(text) == data
    assert escape_property(text) == prop


def test_command_line_exactly():
    assert command("warning", "a,b:c/config.yaml", 3, 5, "W001", "legacy: 50%\nsee x") == (
        "::warning file=a%2Cb%3Ac/config.yaml,line=3,col=5,title=W001::legacy: 50%25%0Asee x\n"
    )
    assert command("error", "x.yaml", 0, 0, "E001", "m") == "::error file=x.yaml,line=1,col=1,title=E001::m\n"


REPORTED = [
    pytest.param(
        FileResult("dir,1/con:fig.yaml", "failed", [Diagnostic(2, 3, "E007", "kind 'z\nz' is 100% wrong, truly: no")]),
        False,
        ["::error file=dir%2C1/con%3Afig.yaml,line=2,col=3,title=E007::kind 'z%0Az' is 100%25 wrong, truly: no"],
        id="error-with-escapes-in-path-and-message",
    ),
    pytest.param(
        FileResult("a/config.yaml", "would-migrate", [Diagnostic(3, 3, "W001", "legacy\r entry")], changed_line=2),
        True,
        [
            "::warning file=a/config.yaml,line=3,col=3,title=W001::legacy%0D entry",
            "::error file=a/config.yaml,line=2,col=1,title=weights-migrate::still on model_cache: "
            "weights-migrate would rewrite this file (see its --diff)",
        ],
        id="pending-under-check-is-an-error",
    ),
    pytest.param(
        FileResult("a/config.yaml", "would-migrate", [], changed_line=7),
        False,
        [
            "::notice file=a/config.yaml,line=7,col=1,title=weights-migrate::still on model_cache: "
            "weights-migrate would rewrite this file (see its --diff)"
        ],
        id="pending-under-diff-is-a-notice",
    ),
    pytest.param(
        FileResult("a/config.yaml", "migrated", [], changed_line=4),
        False,
        ["::notice file=a/config.yaml,line=4,col=1,title=weights-migrate::migrated to weights by weights-migrate"],
        id="migrated-in-place",
    ),
    pytest.param(FileResult("a/config.yaml", "unchanged", []), True, [], id="unchanged-says-nothing"),
]


@pytest.mark.parametrize("result, check, lines", REPORTED)
def test_github_reporter_lines(result, check, lines, monkeypatch):
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    reporter = GithubReporter(tally=Tally(check=check))
    reporter.file(result)
    assert out.getvalue().splitlines() == lines
    assert err.getvalue() == ""


@pytest.fixture
def review_tree(tmp_path) -> Path:
    write(tmp_path / "legacy" / "config.yaml", LEGACY)
    write(tmp_path / "broken" / "config.yaml", BROKEN)
    write(tmp_path / "odd,name:1" / "config.yaml", VOLUME)
    write(tmp_path / "done" / "config.yaml", "weights:\n- source: hf://org/m\n  mount_location: /app/m\n")
    return tmp_path


GITHUB_CHECK = [
    "::error file=broken/config.yaml,line=3,col=3,title=E007::kind 'zz' is not one of hf, s3, gcs, azure",
    "::warning file=legacy/config.yaml,line=3,col=3,title=W001::legacy entry: weights were baked into the "
    "Hugging Face cache of the image; they now mount at runtime at /app/model_cache/org_legacy",
    "::error file=legacy/config.yaml,line=2,col=1,title=weights-migrate::still on model_cache: "
    "weights-migrate would rewrite this file (see its --diff)",
    "::error file=odd%2Cname%3A1/config.yaml,line=1,col=1,title=weights-migrate::still on model_cache: "
    "weights-migrate would rewrite this file (see its --diff)",
]


def test_format_github_check_exact_stdout_and_exit_3(review_tree):
    before = snapshot(review_tree)
    run = migrate_cli("--check", "--format", "github", ".", cwd=review_tree)
    assert run.returncode == 3
    assert run.stdout.splitlines() == GITHUB_CHECK
    assert run.stderr.splitlines() == ["weights-migrate: 4 files scanned, 2 would migrate, 1 unchanged, 1 failed"]
    assert snapshot(review_tree) == before


def test_format_github_exit_1_and_0_like_text(review_tree):
    shutil.rmtree(review_tree / "broken")
    assert migrate_cli("--check", "--format", "github", ".", cwd=review_tree).returncode == 1
    run = migrate_cli("--format", "github", ".", cwd=review_tree)
    assert run.returncode == 0
    assert [line.split("::")[1].split(" ")[0] for line in run.stdout.splitlines()] == ["warning", "notice", "notice"]
    run = migrate_cli("--check", "--format", "github", ".", cwd=review_tree)
    assert run.returncode == 0 and "::error" not in run.stdout and "::notice" not in run.stdout


def test_format_github_keeps_diffs_out_of_stdout_unless_asked(review_tree):
    run = migrate_cli("--check", "--format", "github", ".", cwd=review_tree)
    assert "+++ " not in run.stdout
    run = migrate_cli("--check", "--diff", "--format", "github", ".", cwd=review_tree)
    assert "--- a/legacy/config.yaml\n+++ b/legacy/config.yaml\n" in run.stdout
    assert GITHUB_CHECK[2] in run.stdout.splitlines()


def test_format_github_quiet_keeps_errors_only(review_tree):
    run = migrate_cli("-q", "--check", "--format", "github", ".", cwd=review_tree)
    assert run.stdout.splitlines() == [GITHUB_CHECK[0], GITHUB_CHECK[2], GITHUB_CHECK[3]]
    assert run.stderr == ""


def test_format_github_paths_are_relative_to_the_current_folder(review_tree):
    run = migrate_cli("--check", "--format", "github", str(review_tree / "legacy"), cwd=review_tree)
    assert run.stdout.splitlines() == GITHUB_CHECK[1:3]


# --- the git apply / patch round trip --------------------------------------------------------

CRLF = "model_name: crlf\r\nmodel_cache:\r\n- repo_id: org/crlf\r\n  use_volume: true\r\n  volume_folder: c\r\n"
NO_EOL = "model_cache:\n- repo_id: org/eol\n  use_volume: true\n  volume_folder: e"
BOM = "\ufeff# bom\nmodel_cache:\n- repo_id: org/bom\n"
DOC = "# Doc\r\n\r\n- step\r\n\r\n  ```yaml\r\n  model_cache:\r\n  - repo_id: org/doc\r\n  ```\r\n"
CODE = (
    "from truss.base.truss_config import ModelRepo, TrussConfig\n\n"
    'C = TrussConfig(model_cache=[ModelRepo(repo_id="org/p", use_volume=True, volume_folder="p")])'
)


def build(root: Path, corpus: bool) -> None:
    if corpus:
        shutil.copytree(CORPUS, root)
        for path in root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
    write(root / "extra" / "crlf" / "config.yaml", CRLF)
    write(root / "extra" / "eol" / "config.yaml", NO_EOL)
    write(root / "extra" / "bom" / "config.yaml", BOM)
    write(root / "extra" / "doc" / "README.md", DOC)
    write(root / "extra" / "gen" / "generate.py", CODE)


# (name, folder the command runs in, relative to the tree's parent, the paths it is given)
FORMS = [
    pytest.param(".", ["repo"], id="relative"),
    pytest.param("repo", ["."], id="dot"),
    pytest.param("repo", ["./extra", "./llama"], id="dot-slash"),
    pytest.param("repo", ["{abs}"], id="absolute"),
    pytest.param("repo", ["extra/crlf/config.yaml"], id="single-file"),
    pytest.param("repo", ["{abs}/extra/eol/config.yaml"], id="absolute-single-file"),
    pytest.param("repo", ["llama/../extra"], id="dot-dot-inside"),
    pytest.param("repo/extra", ["../extra/bom/.."], id="dot-dot-back-in"),
]


def apply_with_git(patch: Path, cwd: Path, *extra: str) -> None:
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(cwd.parent.parent)}  # no repository above
    run = subprocess.run(["git", "apply", *extra, str(patch)], cwd=cwd, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr


def apply_with_patch(patch: Path, cwd: Path) -> None:
    run = subprocess.run(["patch", "-p1", "--batch", "-s", "-i", str(patch)], cwd=cwd, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def round_trip(tmp_path: Path, where: str, given: list[str], corpus: bool, *flags: str) -> None:
    trees = {name: tmp_path / name for name in ("ran", "git", "patch")}
    for tree in trees.values():
        build(tree / "repo", corpus)
    patch = tmp_path / "migration.patch"

    def args(tree: Path) -> list[str]:
        return [g.replace("{abs}", str(tree / "repo")) for g in given]

    out = diff_bytes("--docs", *flags, *args(trees["ran"]), cwd=trees["ran"] / where)
    assert out.startswith(b"--- a/") and b"a//" not in out and b"/tmp/" not in out
    patch.write_bytes(out)
    if shutil.which("git"):
        apply_with_git(patch, trees["git"] / where)
    if shutil.which("patch"):
        apply_with_patch(patch, trees["patch"] / where)
    in_place = migrate_cli("--docs", *flags, *args(trees["ran"]), cwd=trees["ran"] / where)
    assert in_place.returncode == 0, in_place.stderr
    expected = snapshot(trees["ran"])
    if shutil.which("git"):
        assert snapshot(trees["git"]) == expected
    if shutil.which("patch"):
        assert snapshot(trees["patch"]) == expected
    return out.decode()


tools = pytest.mark.skipif(
    not (shutil.which("git") or shutil.which("patch")), reason="neither git nor patch is installed"
)


@needs_corpus
@tools
@pytest.mark.parametrize("where, given", FORMS)
def test_diff_applies_with_git_and_patch_from_the_folder_it_ran_in(tmp_path, where, given):
    out = round_trip(tmp_path, where, given, True, "--no-code")
    if "b/extra/crlf/config.yaml" in out:  # the CRLF file's lines travel as they are
        assert "+weights:\r\n" in out


@needs_corpus
@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
@pytest.mark.skipif(not shutil.which("patch"), reason="GNU patch is not installed (apt-get install patch)")
def test_whole_corpus_with_code_and_docs_round_trips(tmp_path):
    out = round_trip(tmp_path, "repo", ["."], True)
    headers = [line for line in out.splitlines() if line.startswith("+++ ")]
    assert "+++ b/extra/eol/config.yaml" in headers and "+++ b/extra/gen/generate.py" in headers
    assert "\\ No newline at end of file" in out
    assert sum(h.endswith("README.md") for h in headers) == 16  # 15 corpus READMEs and extra/doc


@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
def test_paths_outside_the_current_folder_apply_with_git_unsafe_paths(tmp_path):
    """A file above the current folder keeps `../` in its headers: git applies it with
    --unsafe-paths (outside a repository); GNU patch refuses such names, as it should."""
    ran, applied = tmp_path / "ran", tmp_path / "applied"
    for tree in (ran, applied):
        build(tree / "repo", False)
        (tree / "repo" / "here").mkdir()
    out = diff_bytes("--docs", "../extra", cwd=ran / "repo" / "here")
    assert b"--- a/../extra/crlf/config.yaml" in out
    patch = tmp_path / "p.patch"
    patch.write_bytes(out)
    apply_with_git(patch, applied / "repo" / "here", "--unsafe-paths")
    migrate_cli("--docs", "../extra", cwd=ran / "repo" / "here")
    assert snapshot(applied) == snapshot(ran)


@pytest.mark.skipif(not shutil.which("git"), reason="git is not installed")
def test_git_apply_from_a_subfolder_of_a_repository(tmp_path):
    """Inside a repository git apply reads patch paths relative to the current folder too."""
    repo = tmp_path / "repo"
    build(repo / "sub", False)
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    out = diff_bytes("--docs", ".", cwd=repo / "sub")
    patch = tmp_path / "p.patch"
    patch.write_bytes(out)
    run = subprocess.run(["git", "apply", str(patch)], cwd=repo / "sub", capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert migrate_cli("--check", "--docs", ".", cwd=repo / "sub").returncode == 0
