"""The command line contract of SPEC.md: modes, exit codes, output streams, discovery.

Most tests go through typer's CliRunner (in-process, stdout and stderr kept apart);
a few run the real program as `python -m migrate` / `weights-migrate` in a subprocess.
Every tree is built in tmp_path; tests chdir there so the paths in the output are
short and predictable.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import migrate_cli, snapshot, write
from typer.testing import CliRunner

import migrate
from migrate.cli import app

# --- the trusses ------------------------------------------------------------------

HF_VOL = """\
# HF model on a volume
model_name: hf-vol
model_cache:
  - repo_id: org/name  # the model
    revision: main
    use_volume: true
    volume_folder: my_model
resources:
  accelerator: A10G
"""
HF_VOL_MIGRATED = """\
# HF model on a volume
model_name: hf-vol
weights:
  - source: hf://org/name  # the model
    revision: main
    mount_location: /app/model_cache/my_model
resources:
  accelerator: A10G
"""

LEGACY = """\
model_name: legacy
model_cache:
- repo_id: org/legacy
"""
LEGACY_MIGRATED = """\
model_name: legacy
weights:
- source: hf://org/legacy
  mount_location: /app/model_cache/org_legacy
"""

S3 = """\
model_name: s3
model_cache:
  - repo_id: s3://bucket/path/to/model
    kind: s3
    use_volume: true
    volume_folder: s3data
"""
S3_MIGRATED = """\
model_name: s3
weights:
  - source: s3://bucket/path/to/model
    mount_location: /app/model_cache/s3data
"""

# line 4 holds the bad kind
BROKEN = """\
model_name: broken
model_cache:
  - repo_id: org/name
    kind: foo
    use_volume: true
    volume_folder: x
"""
BROKEN_LINE = 4

DONE = """\
model_name: done
weights:
  - source: hf://org/name
    mount_location: /app/model_cache/x
"""

OTHER = """\
model_name: other
environment_variables:
  A: b
"""

GOOD = {"hf_vol": HF_VOL, "legacy": LEGACY, "s3": S3}
MIGRATED = {"hf_vol": HF_VOL_MIGRATED, "legacy": LEGACY_MIGRATED, "s3": S3_MIGRATED}


def build(root: Path, broken: bool = False, done: bool = True, other: bool = True) -> dict[str, Path]:
    """root/<name>/config.yaml for each truss; returns name -> path."""
    files = {name: write(root / name / "config.yaml", text) for name, text in GOOD.items()}
    if broken:
        files["broken"] = write(root / "broken" / "config.yaml", BROKEN)
    if done:
        files["done"] = write(root / "done" / "config.yaml", DONE)
    if other:
        files["other"] = write(root / "other" / "config.yaml", OTHER)
    return files


def no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".weights-migrate.tmp")]


# --- running the tool ---------------------------------------------------------------


class Run:
    def __init__(self, exit_code: int, stdout: str, stderr: str):
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def __repr__(self) -> str:
        return f"Run(exit={self.exit_code}, stdout={self.stdout!r}, stderr={self.stderr!r})"


def invoke(*args: str) -> Run:
    result = CliRunner().invoke(app, list(args))
    # the tool must never let an exception escape (CliRunner would catch it)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}") from result.exception
    run = Run(result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in run.stdout + run.stderr, run
    return run


NO_COLOR = {"NO_COLOR": "1"}  # the subprocess runs: no colour, whatever the environment says


def summary(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if re.search(r"\bfiles? scanned\b", line)]
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A folder `trusses` of good trusses (no broken one), cwd = tmp_path."""
    monkeypatch.chdir(tmp_path)
    return build(tmp_path / "trusses")


@pytest.fixture
def broken_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return build(tmp_path / "trusses", broken=True)


# --- default write mode ---------------------------------------------------------------


def test_write_mode_rewrites_in_place_and_exits_0(tree):
    run = invoke("trusses")
    assert run.exit_code == 0, run
    for name, expected in MIGRATED.items():
        assert tree[name].read_text() == expected, name
    assert tree["done"].read_text() == DONE
    assert tree["other"].read_text() == OTHER
    assert run.stdout == ""  # diffs only under --diff
    assert no_temp_files(Path("trusses"))


def test_second_run_changes_nothing(tree, tmp_path):
    assert invoke("trusses").exit_code == 0
    after_first = snapshot(tmp_path / "trusses")
    run = invoke("trusses")
    assert run.exit_code == 0, run
    assert snapshot(tmp_path / "trusses") == after_first
    assert re.search(r"\b0 migrated\b", summary(run.stderr)), run
    # and --check agrees that nothing is left to do
    run = invoke("--check", "trusses")
    assert run.exit_code == 0, run


def test_default_path_is_the_current_folder(tree):
    os.chdir("trusses")
    run = invoke()
    assert run.exit_code == 0, run
    for name, expected in MIGRATED.items():
        assert tree[name].read_text() == expected, name


def test_several_paths_and_a_file_given_twice(tree):
    hf = "trusses/hf_vol/config.yaml"
    run = invoke(hf, "trusses/s3", hf)
    assert run.exit_code == 0, run
    assert tree["hf_vol"].read_text() == HF_VOL_MIGRATED
    assert tree["s3"].read_text() == S3_MIGRATED
    assert tree["legacy"].read_text() == LEGACY  # not given
    assert re.search(r"\b2 files scanned\b", summary(run.stderr)), run


# --- --diff / --check ---------------------------------------------------------------------


def test_diff_prints_unified_diff_and_writes_nothing(tree, tmp_path):
    before = snapshot(tmp_path / "trusses")
    run = invoke("--diff", "trusses")
    assert run.exit_code == 0, run
    assert snapshot(tmp_path / "trusses") == before
    out = run.stdout
    for name in GOOD:
        path = f"trusses/{name}/config.yaml"
        assert f"--- a/{path}\n" in out, out
        assert f"+++ b/{path}\n" in out, out
    assert re.search(r"^-model_cache:$", out, re.M), out
    assert re.search(r"^\+weights:$", out, re.M), out
    assert re.search(r"^\+    mount_location: /app/model_cache/my_model$", out, re.M), out
    assert re.search(r"^-    volume_folder: my_model$", out, re.M), out
    # files with nothing to do are not in the diff
    assert "done/config.yaml" not in out and "other/config.yaml" not in out
    # diagnostics go to stderr, never into the diff
    assert "W001" not in out and "W001" in run.stderr


def test_diff_is_exactly_what_write_mode_does(tree, tmp_path):
    originals = {name: tree[name].read_text() for name in GOOD}
    out = invoke("--diff", "trusses").stdout
    assert invoke("trusses").exit_code == 0
    expected = ""
    for name in sorted(GOOD):  # discovery order: sorted
        path = f"trusses/{name}/config.yaml"
        expected += "".join(
            difflib.unified_diff(
                originals[name].splitlines(keepends=True),
                tree[name].read_text().splitlines(keepends=True),
                f"a/{path}",
                f"b/{path}",
            )
        )
    assert out == expected


def test_check_writes_nothing_and_exits_1_when_changes_pending(tree, tmp_path):
    before = snapshot(tmp_path / "trusses")
    run = invoke("--check", "trusses")
    assert run.exit_code == 1, run
    assert snapshot(tmp_path / "trusses") == before
    assert run.stdout == ""  # no diff without --diff
    assert re.search(r"\b3 would migrate\b", summary(run.stderr)), run


def test_check_exits_0_on_an_already_migrated_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "t" / "a" / "config.yaml", DONE)
    write(tmp_path / "t" / "b" / "config.yaml", OTHER)
    for name, text in MIGRATED.items():
        write(tmp_path / "t" / name / "config.yaml", text)
    before = snapshot(tmp_path / "t")
    run = invoke("--check", "t")
    assert run.exit_code == 0, run
    assert snapshot(tmp_path / "t") == before


def test_check_with_diff_exits_1_and_shows_the_diff(tree, tmp_path):
    before = snapshot(tmp_path / "trusses")
    run = invoke("--check", "--diff", "trusses")
    assert run.exit_code == 1, run
    assert snapshot(tmp_path / "trusses") == before
    assert "--- a/trusses/hf_vol/config.yaml\n" in run.stdout
    assert "+++ b/trusses/hf_vol/config.yaml\n" in run.stdout
    assert re.search(r"^-model_cache:$", run.stdout, re.M)
    assert re.search(r"^\+weights:$", run.stdout, re.M)


def test_diff_alone_exits_0_even_when_changes_pending(tree):
    assert invoke("--diff", "trusses/s3").exit_code == 0


# --- a file that cannot be migrated ----------------------------------------------------


def test_broken_file_exit_3_untouched_others_migrated(broken_tree):
    run = invoke("trusses")
    assert run.exit_code == 3, run
    assert broken_tree["broken"].read_bytes() == BROKEN.encode()
    for name, expected in MIGRATED.items():
        assert broken_tree[name].read_text() == expected, name
    assert re.search(rf"^trusses/broken/config\.yaml:{BROKEN_LINE}:\d+: E007 ", run.stderr, re.M), run
    assert "E007" not in run.stdout
    assert re.search(r"\b1 failed\b", summary(run.stderr)), run
    assert no_temp_files(Path("trusses"))


def test_broken_file_diagnostic_column_points_at_kind(broken_tree):
    run = invoke("trusses/broken/config.yaml")
    assert re.search(rf"^trusses/broken/config\.yaml:{BROKEN_LINE}:5: E007 .*foo", run.stderr, re.M), run


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param(["--check"], id="check"),
        pytest.param(["--diff"], id="diff"),
        pytest.param(["--check", "--diff"], id="check-and-diff"),
    ],
)
def test_broken_file_exit_3_in_read_only_modes(broken_tree, tmp_path, mode):
    before = snapshot(tmp_path / "trusses")
    run = invoke(*mode, "trusses")
    assert run.exit_code == 3, run
    assert snapshot(tmp_path / "trusses") == before
    assert re.search(rf"^trusses/broken/config\.yaml:{BROKEN_LINE}:\d+: E007 ", run.stderr, re.M), run


@pytest.mark.parametrize(
    "text, code, line",
    [
        pytest.param("model_cache:\n  - repo_id: org/a\n    kind: HF\n", "E007", 3, id="kind-in-capitals"),
        pytest.param("model_cache:\n  - repo_id: s3://b/p\n    kind: gcs\n", "E008", 3, id="kind-contradicts-scheme"),
        pytest.param("model_cache:\n  - repo_id: org/a\n    use_volume: true\n", "E010", 3, id="volume-without-folder"),
        pytest.param(
            "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: ../x\n",
            "E011",
            4,
            id="folder-leaves-the-mount",
        ),
        pytest.param("model_cache:\n  - kind: hf\n", "E005", 2, id="entry-without-repo-id"),
        pytest.param("model_cache:\n  - repo_id: org/a\n    colour: red\n", "E006", 3, id="unknown-key"),
        pytest.param("model_cache: org/a\n", "E003", 1, id="block-is-a-string"),
        pytest.param("a: 1\nmodel_cache:\n  - repo_id: [unclosed\n", "E001", None, id="invalid-yaml"),
        pytest.param(
            "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: a\n"
            "weights:\n  - source: hf://org/b\n    mount_location: /x\n",
            "E013",
            None,
            id="weights-beside-model-cache",
        ),
    ],
)
def test_each_error_exit_3_file_untouched_and_reported(tmp_path, monkeypatch, text, code, line):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "c.yaml", text)
    run = invoke("c.yaml")
    assert run.exit_code == 3, run
    assert path.read_bytes() == text.encode()
    lineno = str(line) if line else r"\d+"
    assert re.search(rf"^c\.yaml:{lineno}:\d+: {code} \S", run.stderr, re.M), run


def test_non_utf8_file_is_e002_exit_3_and_untouched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = b"model_name: caf\xe9\nmodel_cache:\n  - repo_id: org/name\n"
    path = write(tmp_path / "t" / "config.yaml", data)
    good = write(tmp_path / "t2" / "config.yaml", S3)
    run = invoke(".")
    assert run.exit_code == 3, run
    assert path.read_bytes() == data
    assert good.read_text() == S3_MIGRATED
    assert re.search(r"^t/config\.yaml:1:\d+: E002 ", run.stderr, re.M), run


# --- bad usage: exit 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(["--bogus", "trusses"], r"--bogus", id="unknown-option"),
        pytest.param(["does-not-exist"], r"does-not-exist", id="missing-path"),
        pytest.param(["trusses", "nope/config.yaml"], r"nope/config\.yaml", id="missing-file"),
        pytest.param(["--dialect", "mars", "trusses"], r"mars", id="unknown-dialect-mars"),
        pytest.param(["--dialect", "klingon", "trusses"], r"klingon", id="unknown-dialect-klingon"),
        pytest.param(["--mount-root", "relative", "trusses"], r"absolute", id="relative-mount-root"),
        pytest.param(["--mount-root", "models/x", "trusses"], r"absolute", id="relative-mount-root-with-folder"),
        pytest.param(["-q", "-v", "trusses"], r"quiet|verbose", id="quiet-and-verbose-short"),
        pytest.param(["--quiet", "--verbose", "trusses"], r"quiet|verbose", id="quiet-and-verbose-long"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(tree, tmp_path, args, message):
    before = snapshot(tmp_path / "trusses")
    run = invoke(*args)
    assert run.exit_code == 2, run
    assert re.search(message, run.stderr), run
    assert snapshot(tmp_path / "trusses") == before
    assert "scanned" not in run.stderr  # nothing was run


# --- --version, --help -----------------------------------------------------------------------


def test_version():
    run = invoke("--version")
    assert run.exit_code == 0, run
    assert migrate.__version__ in run.stdout
    assert run.stdout.strip() == f"weights-migrate {migrate.__version__}"


def test_version_runs_nothing(tree, tmp_path):
    before = snapshot(tmp_path / "trusses")
    assert invoke("--version", "trusses").exit_code == 0
    assert snapshot(tmp_path / "trusses") == before


def test_help():
    run = invoke("--help")
    assert run.exit_code == 0, run
    for option in ("--diff", "--check", "--mount-root", "--dialect", "--no-code", "--version"):
        assert option in run.stdout, option


def test_help_usage_line_matches_the_contract(tmp_path):
    """SPEC: `weights-migrate [OPTIONS] [PATH]...`."""
    run = migrate_cli("--help", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 0, run
    usage = run.stdout.splitlines()[0]
    assert usage.strip() == "Usage: weights-migrate [OPTIONS] [PATH]...", usage


# --- --mount-root ---------------------------------------------------------------------------------


@pytest.mark.parametrize("root", ["/models", "/models/"])
def test_mount_root(tree, root):
    run = invoke("--mount-root", root, "trusses")
    assert run.exit_code == 0, run
    assert "    mount_location: /models/my_model\n" in tree["hf_vol"].read_text()
    assert "    mount_location: /models/s3data\n" in tree["s3"].read_text()
    assert "  mount_location: /models/org_legacy\n" in tree["legacy"].read_text()
    assert "/app/model_cache" not in tree["hf_vol"].read_text()


def test_mount_root_absolute_volume_folder_stays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(
        tmp_path / "c.yaml",
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: /data/a\n",
    )
    assert invoke("--mount-root", "/models", "c.yaml").exit_code == 0
    assert path.read_text() == "weights:\n  - source: hf://org/a\n    mount_location: /data/a\n"


# --- -q / -v and the summary -------------------------------------------------------------------------


def test_quiet_prints_errors_only(broken_tree):
    run = invoke("-q", "trusses")
    assert run.exit_code == 3, run
    assert "W001" not in run.stderr  # the legacy truss's warning
    assert not re.search(r"\bW\d{3}\b", run.stderr), run
    assert "scanned" not in run.stderr
    assert re.search(rf"^trusses/broken/config\.yaml:{BROKEN_LINE}:\d+: E007 ", run.stderr, re.M), run
    assert broken_tree["legacy"].read_text() == LEGACY_MIGRATED


def test_warnings_without_quiet(tree):
    run = invoke("trusses")
    assert re.search(r"^trusses/legacy/config\.yaml:\d+:\d+: W001 ", run.stderr, re.M), run


def test_verbose_prints_each_status(broken_tree):
    run = invoke("-v", "trusses")
    assert run.exit_code == 3
    for name in ("hf_vol", "legacy", "s3"):
        assert f"trusses/{name}/config.yaml: migrated" in run.stderr
    assert "trusses/broken/config.yaml: failed" in run.stderr
    assert "trusses/done/config.yaml: unchanged" in run.stderr


def test_summary_counts_write_mode(broken_tree):
    run = invoke("trusses")
    line = summary(run.stderr)
    assert line == "weights-migrate: 6 files scanned, 3 migrated, 2 unchanged, 1 failed", line
    assert line == run.stderr.splitlines()[-1]  # it closes the output


def test_summary_counts_check_mode(broken_tree):
    line = summary(invoke("--check", "trusses").stderr)
    assert line == "weights-migrate: 6 files scanned, 3 would migrate, 2 unchanged, 1 failed", line


def test_summary_one_file(tree):
    line = summary(invoke("trusses/s3/config.yaml").stderr)
    assert line == "weights-migrate: 1 file scanned, 1 migrated, 0 unchanged, 0 failed", line


def test_summary_on_stderr_not_stdout(tree):
    run = invoke("--diff", "trusses")
    assert "scanned" not in run.stdout
    assert "scanned" in run.stderr


# --- discovery ----------------------------------------------------------------------------------------


def make_venv(folder: Path) -> Path:
    write(folder / "pyvenv.cfg", "home = /usr/bin\n")
    return folder / "lib" / "python3.11" / "site-packages" / "pkg"


@pytest.mark.parametrize(
    "where",
    [
        ".hidden",
        ".git/sub",
        "node_modules",
        "node_modules/pkg",
        "deep/node_modules/pkg",
        "__pycache__",
        "a/__pycache__",
        "venv-of-mine",  # a virtualenv by its pyvenv.cfg, whatever its name
        ".venv",
    ],
)
def test_discovery_skips(tmp_path, monkeypatch, where):
    monkeypatch.chdir(tmp_path)
    repo = tmp_path / "repo"
    if where == "venv-of-mine":
        skipped_dir = make_venv(repo / "venv-of-mine")
    else:
        skipped_dir = repo / where
    skipped = write(skipped_dir / "config.yaml", S3)
    kept = write(repo / "truss" / "config.yaml", S3)
    run = invoke("repo")
    assert run.exit_code == 0, run
    assert skipped.read_text() == S3
    assert kept.read_text() == S3_MIGRATED
    assert str(where) not in run.stderr
    assert re.search(r"\b1 file scanned\b", summary(run.stderr)), run


def test_discovery_finds_yml_and_deep_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a = write(tmp_path / "r" / "a" / "b" / "c" / "config.yml", S3)
    b = write(tmp_path / "r" / "x" / "truss.yaml", S3)
    txt = write(tmp_path / "r" / "x" / "notes.txt", S3)  # not YAML by name: not searched
    run = invoke("r")
    assert run.exit_code == 0, run
    assert a.read_text() == S3_MIGRATED
    assert b.read_text() == S3_MIGRATED
    assert txt.read_text() == S3


def test_hidden_folder_given_explicitly_is_searched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / ".trusses" / "t" / "config.yaml", S3)
    assert invoke(".trusses").exit_code == 0
    assert path.read_text() == S3_MIGRATED


def test_nested_model_cache_is_left_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    template = """\
# a generator's template: not a truss config
trusses:
  - name: a
    config:
      model_cache:
        - repo_id: org/a
          use_volume: true
          volume_folder: a
defaults:
  model_cache:
    - repo_id: org/b
"""
    path = write(tmp_path / "r" / "templates" / "generate.yaml", template)
    for args in (["r"], ["r/templates/generate.yaml"], ["--check", "r"]):
        run = invoke(*args)
        assert run.exit_code == 0, (args, run)
        assert path.read_text() == template
        assert run.stdout == ""
        # never silent: each nested block is reported at its line
        reported = [line.split(": ", 1)[0].split(":")[-2] for line in run.stderr.splitlines() if " W040 " in line]
        assert reported == ["5", "10"], run.stderr


def test_yaml_without_model_cache_is_not_changed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    texts = {
        "plain.yaml": OTHER,
        "comment.yaml": "# model_cache:\n#   - repo_id: org/a\nmodel_name: x\n",
        "similar.yaml": "model_cache_dir: /x\nhf_cache_size: 3\n",
        "string.yaml": "notes: |\n  model_cache:\n    - repo_id: org/a\n",
        "empty.yaml": "",
        "null.yaml": "model_cache:\n",
        "emptylist.yaml": "model_cache: []\n",
    }
    paths = {name: write(tmp_path / "r" / name, text) for name, text in texts.items()}
    for args in (["r"], ["--check", "r"]):
        run = invoke(*args)
        assert run.exit_code == 0, (args, run)
        assert run.stdout == ""
        for name, text in texts.items():
            assert paths[name].read_text() == text, name


@pytest.mark.parametrize("name", ["my-config.yml", "cfg.txt", "config", "truss.conf"])
def test_explicit_file_of_any_name_is_processed(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "x" / name, HF_VOL)
    run = invoke("--check", f"x/{name}")
    assert run.exit_code == 1, run
    run = invoke(f"x/{name}")
    assert run.exit_code == 0, run
    assert path.read_text() == HF_VOL_MIGRATED


def test_hf_cache_is_migrated_like_model_cache(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "r" / "config.yaml", S3.replace("model_cache", "hf_cache"))
    assert invoke("r").exit_code == 0
    assert path.read_text() == S3_MIGRATED


def test_odd_entries_in_a_tree_do_not_crash(tmp_path, monkeypatch):
    """Dangling symlinks, a folder named like a YAML file, binary junk, an empty file."""
    monkeypatch.chdir(tmp_path)
    r = tmp_path / "r"
    write(r / "good" / "config.yaml", S3)
    (r / "dir.yaml").mkdir()
    write(r / "dir.yaml" / "config.yaml", S3)
    os.symlink("nowhere.yaml", r / "dangling.yaml")
    write(r / "junk.yaml", b"\x00\x01\x02model_cache:\xff\xfe")
    write(r / "empty.yaml", b"")
    run = invoke("r")
    assert run.exit_code in (0, 3), run
    assert (r / "good" / "config.yaml").read_text() == S3_MIGRATED
    assert (r / "dir.yaml" / "config.yaml").read_text() == S3_MIGRATED


# --- the real program in a subprocess --------------------------------------------------------------------------


def test_subprocess_write_then_check(tmp_path):
    files = build(tmp_path / "trusses", broken=True)
    run = migrate_cli("trusses", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 3, run
    assert files["broken"].read_text() == BROKEN
    for name, expected in MIGRATED.items():
        assert files[name].read_text() == expected
    assert re.search(rf"^trusses/broken/config\.yaml:{BROKEN_LINE}:\d+: E007 ", run.stderr, re.M), run
    assert run.stdout == ""
    assert "\033[" not in run.stderr  # not a terminal: no colour
    files["broken"].unlink()
    run = migrate_cli("--check", "trusses", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 0, run


def test_subprocess_check_diff(tmp_path):
    build(tmp_path / "trusses")
    before = snapshot(tmp_path / "trusses")
    run = migrate_cli("--check", "--diff", "trusses", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 1, run
    assert snapshot(tmp_path / "trusses") == before
    assert "--- a/trusses/s3/config.yaml\n+++ b/trusses/s3/config.yaml\n" in run.stdout
    assert re.search(r"^-model_cache:$", run.stdout, re.M)
    assert re.search(r"^\+weights:$", run.stdout, re.M)
    assert "scanned" in run.stderr and "scanned" not in run.stdout


def test_subprocess_diff_exit_0(tmp_path):
    build(tmp_path / "trusses")
    before = snapshot(tmp_path / "trusses")
    run = migrate_cli("--diff", "trusses", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 0, run
    assert snapshot(tmp_path / "trusses") == before
    assert "+weights:" in run.stdout


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--nope"], id="unknown-option"),
        pytest.param(["missing"], id="missing-path"),
        pytest.param(["--dialect", "mars"], id="unknown-dialect"),
        pytest.param(["--mount-root", "rel"], id="relative-mount-root"),
        pytest.param(["-q", "-v"], id="quiet-and-verbose"),
    ],
)
def test_subprocess_bad_usage_exit_2(tmp_path, args):
    run = migrate_cli(*args, cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 2, run
    assert run.stderr.strip(), run


def test_subprocess_version(tmp_path):
    run = migrate_cli("--version", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 0, run
    assert run.stdout.strip() == f"weights-migrate {migrate.__version__}"


def test_console_script(tmp_path):
    script = Path(sys.executable).parent / "weights-migrate"
    if not script.exists():
        script = shutil.which("weights-migrate")
        if script is None:
            pytest.skip("console script not installed")
    build(tmp_path / "trusses")
    proc = subprocess.run([str(script), "--check", "trusses"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stdout + proc.stderr


def test_subprocess_non_utf8_and_invalid_yaml_no_traceback(tmp_path):
    write(tmp_path / "r" / "a.yaml", b"model_cache:\n  - repo_id: org/\xff\n")
    write(tmp_path / "r" / "b.yaml", "model_cache:\n  - repo_id: {a: [}\n")
    write(tmp_path / "r" / "c.yaml", "model_cache:\n  - repo_id: a\n---\nmodel_cache: []\n")
    write(tmp_path / "r" / "d.yaml", "model_cache:\n  - &x {repo_id: a}\n  - *x\n")
    write(tmp_path / "r" / "e.yaml", "model_cache:\n  - repo_id: 42\n")
    before = snapshot(tmp_path / "r")
    run = migrate_cli("r", cwd=tmp_path, env=NO_COLOR, timeout=60)
    assert run.returncode == 3, run
    assert snapshot(tmp_path / "r") == before
    assert re.search(r"^r/a\.yaml:2:\d+: E002 ", run.stderr, re.M), run
    assert re.search(r"^r/b\.yaml:\d+:\d+: E001 ", run.stderr, re.M), run
    assert re.search(r"^r/c\.yaml:\d+:\d+: E001 ", run.stderr, re.M), run
    assert re.search(r"^r/e\.yaml:2:\d+: E014 ", run.stderr, re.M), run
    for line in run.stderr.splitlines()[:-1]:
        assert re.match(r"^\S+:\d+:\d+: [EW]\d{3} \S", line), line
