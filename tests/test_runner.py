"""run/: atomic writes and safety (modes, symlinks, loops, conflicts, I/O errors)."""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from support import temp_files, write
from typer.testing import CliRunner

from migrate.cli import app
from migrate.core import keys
from migrate.core.context import Context
from migrate.run import schedule
from migrate.run import write as run_write
from migrate.run.discover import Target
from migrate.run.pipeline import Options, process
from migrate.run.schedule import run
from migrate.run.write import TEMP_SUFFIX, Conflict, atomic_write

OLD = """\
# a truss
model_name: m
model_cache:
  - repo_id: s3://bucket/path  # weights
    kind: s3
    use_volume: true
    volume_folder: data
"""
NEW = """\
# a truss
model_name: m
weights:
  - source: s3://bucket/path  # weights
    mount_location: /app/model_cache/data
"""


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def results(paths, options=Options()) -> list:
    return list(run([str(p) for p in paths], options))


# --- atomic write ----------------------------------------------------------------------------


def test_migrates_in_place(tmp_path):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    [result] = results([tmp_path / "t"])
    assert result.status == "migrated"
    assert result.entries == 1
    assert path.read_text() == NEW
    assert temp_files(tmp_path) == []


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param(0o640, id="0640-group-readable"),
        pytest.param(0o600, id="0600-owner-only"),
        pytest.param(0o755, id="0755-executable"),
        pytest.param(0o444, id="0444-read-only"),
    ],
)
def test_file_mode_is_kept(tmp_path, mode):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    os.chmod(path, mode)
    [result] = results([tmp_path / "t"])
    assert result.status == "migrated", result
    assert path.read_text() == NEW
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert temp_files(tmp_path) == []


def test_file_mode_kept_through_cli(tmp_path):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    os.chmod(path, 0o640)
    result = CliRunner().invoke(app, [str(tmp_path / "t")])
    assert result.exit_code == 0, result.stderr
    assert path.read_text() == NEW
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_owner_is_kept(tmp_path):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    before = os.stat(path)
    results([tmp_path / "t"])
    after = os.stat(path)
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)


def test_temp_file_is_in_the_same_folder_and_recognisable(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    seen = []
    real_replace = os.replace

    def spy(src, dst, *args, **kwargs):
        seen.append((str(src), str(dst)))
        # the temp file is complete and has the final mode before the rename
        assert Path(src).read_text() == NEW
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", spy)
    [result] = results([tmp_path / "t"])
    assert result.status == "migrated"
    [(src, dst)] = seen
    assert os.path.dirname(src) == os.path.dirname(str(path))
    assert src.endswith(TEMP_SUFFIX)
    assert os.path.realpath(dst) == os.path.realpath(path)


def test_atomic_write_direct(tmp_path):
    path = write(tmp_path / "f.yaml", "old\n")
    os.chmod(path, 0o640)
    atomic_write(str(path), b"new\n", b"old\n")
    assert path.read_bytes() == b"new\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert temp_files(tmp_path) == []


def test_check_and_diff_never_write(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)

    def boom(*args, **kwargs):
        raise AssertionError("wrote under --check/--diff")

    monkeypatch.setattr(run_write, "atomic_write", boom)
    for options in (Options(write=False), Options(write=False, diff=True)):
        [result] = results([tmp_path / "t"], options)
        assert result.status == "would-migrate"
    assert path.read_text() == OLD


# --- conflicts: the file changed between read and write ------------------------------------------


def test_atomic_write_conflict(tmp_path):
    path = write(tmp_path / "f.yaml", OLD)
    with pytest.raises(Conflict):
        atomic_write(str(path), NEW.encode(), original=b"something else")
    assert path.read_text() == OLD
    assert temp_files(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def _change_before_write(monkeypatch, path: Path, concurrent: bytes):
    """Make someone else write path after the tool read it and before it renames."""
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        path.write_bytes(concurrent)
        return real_mkstemp(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)


def test_conflict_through_process(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)
    concurrent = OLD.encode() + b"# edited by someone else\n"
    _change_before_write(monkeypatch, path, concurrent)
    [result] = results([tmp_path / "t"])
    assert result.status == "failed"
    assert "E021" in codes(result)
    assert path.read_bytes() == concurrent
    assert temp_files(tmp_path) == []


def test_conflict_through_cli_exit_3(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "t" / "config.yaml", OLD)
    other = write(tmp_path / "u" / "config.yaml", OLD)
    concurrent = b"model_name: rewritten\n"
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if os.path.realpath(dir) == os.path.realpath(path.parent):
            path.write_bytes(concurrent)
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = CliRunner().invoke(app, ["t", "u"])
    assert result.exit_code == 3, result.stderr
    assert re.search(r"^t/config\.yaml:\d+:\d+: E021 ", result.stderr, re.M), result.stderr
    assert path.read_bytes() == concurrent
    assert other.read_text() == NEW  # the rest of the batch still ran
    assert temp_files(tmp_path) == []


# --- write failures ------------------------------------------------------------------------------------


def test_replace_failure_is_e020_and_leaves_the_file(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)

    def deny(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    [result] = results([tmp_path / "t"])
    assert result.status == "failed"
    assert "E020" in codes(result)
    [diag] = [d for d in result.diagnostics if d.code == "E020"]
    assert "Permission denied" in diag.message
    assert path.read_text() == OLD
    assert temp_files(tmp_path) == []
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == ["config.yaml"]


def test_replace_failure_through_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "t" / "config.yaml", OLD)

    def deny(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", deny)
    result = CliRunner().invoke(app, ["t"])
    assert result.exit_code == 3, result.stderr
    assert re.search(r"^t/config\.yaml:\d+:\d+: E020 .*Permission denied", result.stderr, re.M), result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert path.read_text() == OLD
    assert temp_files(tmp_path) == []


def test_temp_file_creation_failure_is_e020(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)

    def deny(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(tempfile, "mkstemp", deny)
    [result] = results([tmp_path / "t"])
    assert result.status == "failed"
    assert "E020" in codes(result)
    assert path.read_text() == OLD


def test_fsync_failure_is_e020_and_no_temp_left(tmp_path, monkeypatch):
    path = write(tmp_path / "t" / "config.yaml", OLD)

    def nospace(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", nospace)
    [result] = results([tmp_path / "t"])
    assert result.status == "failed"
    assert "E020" in codes(result)
    assert path.read_text() == OLD
    assert temp_files(tmp_path) == []


def test_read_failure_is_e020(tmp_path):
    folder = tmp_path / "x.yaml"
    folder.mkdir()
    result = process(Target(str(folder), str(folder)), Options())
    assert result.status == "failed"
    assert codes(result) == ["E020"]


# --- symlinks ----------------------------------------------------------------------------------------------


def test_symlink_inside_is_written_through_and_stays_a_link(tmp_path):
    root = tmp_path / "repo"
    target = write(root / "store" / "real.txt", OLD)  # not *.yaml: reached only through the link
    link = root / "truss" / "config.yaml"
    link.parent.mkdir(parents=True)
    os.symlink(os.path.join("..", "store", "real.txt"), link)
    [result] = results([root])
    assert result.status == "migrated", result
    assert os.path.islink(link)
    assert os.readlink(link) == os.path.join("..", "store", "real.txt")
    assert target.read_text() == NEW
    assert link.read_text() == NEW
    assert temp_files(tmp_path) == []


def test_symlink_inside_given_as_file(tmp_path):
    target = write(tmp_path / "real.yaml", OLD)
    link = tmp_path / "config.yaml"
    os.symlink("real.yaml", link)
    [result] = results([link])
    assert result.status == "migrated", result
    assert os.path.islink(link)
    assert target.read_text() == NEW


def test_symlink_and_target_both_found_processed_once(tmp_path):
    root = tmp_path / "repo"
    target = write(root / "a" / "config.yaml", OLD)
    (root / "b").mkdir()
    os.symlink(os.path.join("..", "a", "config.yaml"), root / "b" / "config.yaml")
    got = results([root])
    assert len(got) == 1, got
    assert got[0].status == "migrated"
    assert target.read_text() == NEW
    assert os.path.islink(root / "b" / "config.yaml")


def test_symlink_outside_is_not_written(tmp_path):
    outside = write(tmp_path / "elsewhere" / "config.yaml", OLD)
    root = tmp_path / "repo"
    (root / "truss").mkdir(parents=True)
    link = root / "truss" / "config.yaml"
    os.symlink(outside, link)
    [result] = results([root])
    assert result.status == "unchanged"
    assert "W005" in codes(result)
    assert outside.read_text() == OLD
    assert os.path.islink(link)
    assert temp_files(tmp_path) == []


def test_symlink_outside_through_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = write(tmp_path / "elsewhere" / "config.yaml", OLD)
    (tmp_path / "repo").mkdir()
    os.symlink(outside, tmp_path / "repo" / "config.yaml")
    for args in (["repo"], ["--check", "repo"], ["--diff", "repo"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, (args, result.stderr)
        assert re.search(r"^repo/config\.yaml:\d+:\d+: W005 ", result.stderr, re.M), result.stderr
        assert result.stdout == ""
        assert outside.read_text() == OLD


def test_symlinked_folder_loop_does_not_hang(tmp_path):
    root = tmp_path / "repo"
    a = write(root / "a" / "config.yaml", OLD)
    b = write(root / "b" / "config.yaml", OLD)
    os.symlink("..", root / "a" / "loop")
    out: list = []
    worker = threading.Thread(target=lambda: out.extend(results([root])), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "discovery loops on a symlinked folder cycle"
    reals = [os.path.realpath(r.path) for r in out]
    assert sorted(reals) == sorted({os.path.realpath(a), os.path.realpath(b)}), out
    assert all(r.status == "migrated" for r in out), out
    assert a.read_text() == NEW and b.read_text() == NEW


def test_symlinked_folder_loop_to_parent_of_the_given_folder(tmp_path):
    root = tmp_path / "repo"
    a = write(root / "a" / "config.yaml", OLD)
    b = write(root / "b" / "config.yaml", OLD)
    os.symlink("..", root / "a" / "loop")  # leads out of the given folder `a`
    out: list = []
    worker = threading.Thread(target=lambda: out.extend(results([root / "a"])), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), "discovery loops on a symlinked folder cycle"
    assert a.read_text() == NEW
    assert b.read_text() == OLD  # outside the given path: never written
    reals = [os.path.realpath(r.path) for r in out]
    assert len(reals) == len(set(reals)), out


def test_symlinked_folder_loop_through_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "repo" / "a" / "config.yaml", OLD)
    write(tmp_path / "repo" / "b" / "config.yaml", OLD)
    os.symlink("..", tmp_path / "repo" / "a" / "loop")
    os.symlink(".", tmp_path / "repo" / "b" / "self")
    result = CliRunner().invoke(app, ["-v", "repo"])
    assert result.exit_code == 0, result.stderr
    status_lines = [line for line in result.stderr.splitlines() if line.endswith(": migrated")]
    assert sorted(status_lines) == ["repo/a/config.yaml: migrated", "repo/b/config.yaml: migrated"]


# --- the prefilter ----------------------------------------------------------------------------------------------


P = pytest.param


@pytest.mark.parametrize(
    "data",
    [
        P(b"model_cache:\n", id="key"),
        P(b"hf_cache:\n", id="older-key"),
        P(b'"hf_cache":\n', id="double-quoted"),
        P(b"'model_cache': []\n", id="single-quoted"),
        P(b"model_cache :\n", id="blank-before-colon"),
        P(b"model_cache:[]\n", id="no-blank-after-colon"),
        P(b"\xef\xbb\xbfmodel_cache:\n", id="after-bom"),
        P(b"\xef\xbb\xbfhf_cache:\n", id="older-key-after-bom"),
        P(b"model_name: x\nmodel_cache:\n  - repo_id: a\n", id="second-key"),
        P(b"model_name: x\r\nmodel_cache:\r\n", id="crlf"),
        P(b"# c\n\nmodel_cache: # note\n", id="after-comment"),
        # a strict superset: the parse tells a top-level key from any other mention
        P(b"  model_cache:\n", id="indented"),
        P(b"model_name: x\n  model_cache:\n", id="nested"),
        P(b"\tmodel_cache:\n", id="after-tab"),
        P(b"# model_cache:\n", id="in-comment"),
        P(b"model_cache\n", id="plain-scalar"),
        P(b'{"model_cache": [{"repo_id": "a/b"}]}', id="json"),
        P(b"? model_cache\n: []\n", id="explicit-key"),
        P(b"model_name: x\rmodel_cache:\r", id="bare-cr"),
        P(b"{model_cache: [{repo_id: a/b}]}\n", id="flow-mapping"),
        P(b'"model\\x5fcache": []\n', id="hex-escape"),
        P(b'"\\u006dodel_cache": []\n', id="unicode-escape"),
        P(b'"model_\\\n  cache": []\n', id="escaped-line-break"),
        P(b"a: {model_cache: []}\n", id="flow-value"),
        P(b"- config:\n    hf_cache:\n", id="in-sequence"),
        P(b"a: x\xc2\x85model_cache: []\n", id="after-nel-line-break"),
        P(b"a: x\xe2\x80\xa8model_cache: []\n", id="after-line-separator"),
        P(b"[model_cache,x]\n", id="flow-sequence"),
        P(b"a: -model_cache\n", id="after-dash"),
        # a mention in a longer word or a path goes to the editor too, which tells it from a key
        P(b"model_cache_dir: x\n", id="longer-word-after"),
        P(b"my_model_cache: x\n", id="longer-word-before"),
        P(b"weights:\n  - mount_location: /app/model_cache/llama\n", id="mount-location-path"),
        P(b"cmd: ls /root/.cache/hf_cache/x\n", id="older-key-in-path"),
        P(b"a: model_cache.yaml\n", id="file-name"),
    ],
)
def test_prefilter_matches(data):
    assert keys.config_wanted(data, Context())


@pytest.mark.parametrize(
    "data",
    [
        P(b"weights:\n  - source: a\n", id="weights"),
        P(b"model-cache:\n", id="dash-not-underscore"),
        P(b"hf-cache: []\n", id="older-key-dash"),
        P(b"modelcache: []\n", id="no-underscore"),
        P(b'start: "a\\tb \\"c\\""\n', id="escapes-that-spell-no-key"),
        P(b"", id="empty"),
    ],
)
def test_prefilter_does_not_match(data):
    assert not keys.config_wanted(data, Context())


def test_file_mentioning_the_key_only_elsewhere_is_unchanged(tmp_path):
    text = "a:\n  my_model_cache:\n    - repo_id: org/a\n  path: /app/model_cache/a\n"
    path = write(tmp_path / "c.yaml", text)
    [result] = results([path])
    assert result.status == "unchanged"
    assert result.diagnostics == []
    assert path.read_text() == text


def test_failure_after_the_rename_is_not_reported_as_left_untouched(tmp_path, monkeypatch):
    """If the folder fsync fails after the rename, the file *was* changed: a report
    saying "left untouched" would be false. Either succeed or tell the truth."""
    path = write(tmp_path / "t" / "config.yaml", OLD)
    real_fsync = os.fsync
    calls = []

    def fsync(fd):
        calls.append(fd)
        if stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EIO, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    [result] = results([tmp_path / "t"])
    assert temp_files(tmp_path) == []
    if path.read_text() == NEW:
        untouched = [d for d in result.diagnostics if "left untouched" in d.message]
        assert not untouched, (result.status, result.diagnostics)
    else:
        assert path.read_text() == OLD
        assert result.status == "failed"


# --- state kept while a batch runs -------------------------------------------------------------------


def _tree(root, trusses: int) -> None:
    for i in range(trusses):
        truss = root / f"team-{i % 4}" / f"truss-{i:03d}"
        repo = f"org/legacy-{i}"
        write(truss / "config.yaml", f"model_name: t{i}\nmodel_cache:\n- repo_id: {repo}\n")
        write(truss / "a_lib" / "load.py", f'from transformers import AutoModel\nAutoModel.from_pretrained("{repo}")\n')
        write(truss / "model" / "model.py", "class Model:\n    pass\n")


STATE = ("batch", "waiting", "groups", "code_batch", "trusses", "reported", "held")


def _drive(root, hold: int, monkeypatch) -> tuple[list, dict]:
    """run() by hand, in-process, noting the most each piece of state held."""
    from migrate.run.discover import Walk

    monkeypatch.setattr(schedule._Run, "HOLD", hold)
    monkeypatch.setattr(schedule._Workers, "BATCH", 4)  # small batches: the bounds are reached by small trees
    state = schedule._Run(Options(write=False, jobs=1), None)
    peak = dict.fromkeys(STATE, 0)
    walk = Walk([str(root)], python=True)
    out = []
    for item in walk:
        state.add(item)
        out += state.report()
        for name in STATE:
            peak[name] = max(peak[name], len(getattr(state, name)))
    out += state.finish()
    assert not (walk.seen[False] or walk.seen[True] or walk.visited), "a tree without symlinks needs no memory of paths"
    assert all(len(getattr(state, name)) == 0 for name in STATE), "state left after the run"
    return [(r.path, r.status, r.order, [d.code for d in r.diagnostics]) for r in out], peak


@pytest.mark.slow  # three in-process runs over 30 and 90 trusses
def test_state_is_dropped_as_files_finish(tmp_path, monkeypatch):
    """Memory is flat in the number of trusses: what is kept per file lives only while it is in flight."""
    small, large = tmp_path / "small", tmp_path / "large"
    _tree(small, 30)
    _tree(large, 90)
    _, peak_small = _drive(small, 8, monkeypatch)
    results, peak_large = _drive(large, 8, monkeypatch)
    assert peak_large == peak_small, (peak_small, peak_large)
    assert peak_large["held"] <= 8 and peak_large["trusses"] <= 4 and peak_large["groups"] <= 4
    held, _ = _drive(large, 10**6, monkeypatch)  # nothing spilled: the same results
    assert results == held
    assert [r[2] for r in results] == list(range(90 * 3))
    assert all(r[3] == ["W105"] for r in results if r[0].endswith("load.py"))


# --- each file once: what the walk met before its first symlink is told from its place ---------------

WALK_ONCE = [
    pytest.param(
        {"a/config.yaml": "x", "b/link.yaml": "../a/config.yaml"}, ["a/config.yaml"], id="file-link-after-target"
    ),
    pytest.param(
        {"a/link.yaml": "../b/config.yaml", "b/config.yaml": "x"}, ["a/link.yaml"], id="file-link-before-target"
    ),
    pytest.param({"a/config.yaml": "x", "b/l": "../a"}, ["a/config.yaml"], id="folder-link-after-target"),
    pytest.param({"a/l": "../b", "b/config.yaml": "x"}, ["a/l/config.yaml"], id="folder-link-before-target"),
    pytest.param({"a/l": "../.h", ".h/config.yaml": "x"}, ["a/l/config.yaml"], id="link-into-a-skipped-folder"),
    pytest.param(
        {"a/x.yaml": "../.h/c.yaml", "b/y.yaml": "../.h/c.yaml", ".h/c.yaml": "x"},
        ["a/x.yaml"],
        id="two-links-one-target",
    ),
    pytest.param(
        {"a/config.yaml": "x", "a/sub/up": "..", "b/config.yaml": "x"}, ["a/config.yaml", "b/config.yaml"], id="loop"
    ),
    pytest.param(
        {"a/b/config.yaml": "x", "a/c/l": "../b", "a/d/config.yaml": "x"},
        ["a/b/config.yaml", "a/d/config.yaml"],
        id="sibling-walked",
    ),
    pytest.param({"a/x.yaml": "m.py", "a/m.py": "x"}, ["a/x.yaml", "a/m.py"], id="config-link-to-a-module"),
]


@pytest.mark.parametrize("layout, expected", WALK_ONCE)
def test_walk_meets_each_file_once(tmp_path, layout, expected):
    from migrate.run.discover import SETTLED, Walk

    root = tmp_path / "repo"
    for name, content in layout.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == "x":
            path.write_text("model_name: m\n")
        else:
            os.symlink(content, path)
    found = [t for t in Walk([str(root)], python=True) if t is not SETTLED]
    configs = [os.path.relpath(t.path, root) for t in found if not t.python]
    modules = [os.path.relpath(t.path, root) for t in found if t.python]
    assert configs + modules == expected
