"""Fault injection: kills, a full disk, permissions, races, symlinks, hostile files, and a
verifier that cannot be talked round.

Most tests run the real command (`python -m migrate`) in a subprocess on a tree built in
tmp_path; the rest patch one system call inside `migrate.runner` and run in-process. Trees built
from the real configs read them from ../shared/corpus (beside the project, never copied into
it) and skip with the reason when that folder is absent. The disk-full and immutable-file tests
need root, `mount -t tmpfs` and `chattr`; each skips with the reason when they do not work here.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from support import CORPUS, NO_CORPUS, PROJECT, migrate_cli, temp_files, write
from typer.testing import CliRunner

from migrate.cli import app
from migrate.config import edit as config_edit
from migrate.config.edit import migrate as migrate_config
from migrate.config.text import entry
from migrate.config.text.edit import Edit
from migrate.run import schedule
from migrate.run import write as run_write
from migrate.run.pipeline import Options

pytestmark = pytest.mark.slow  # kills, full disks and races: real runs in subprocesses

ERROR_LINE = re.compile(r"^\S+:\d+:\d+: E\d{3} ")
MiB = 2**20

# A small truss whose migration is known by heart (and grows the file).
GOOD = b"""\
# a good truss beside the hostile one
model_name: good  # keep
model_cache:
  - repo_id: org/good-model  # the weights
    revision: main
    use_volume: true
    volume_folder: good
resources:
  use_gpu: true
"""
GOOD_MIGRATED = b"""\
# a good truss beside the hostile one
model_name: good  # keep
weights:
  - source: hf://org/good-model  # the weights
    revision: main
    mount_location: /app/model_cache/good
resources:
  use_gpu: true
"""


def test_good_fixture_is_what_the_tool_makes():
    outcome = migrate_config(GOOD.decode())
    assert outcome.status == "migrated"
    assert outcome.text.encode() == GOOD_MIGRATED


# --- helpers --------------------------------------------------------------------------------------


def corpus_configs() -> list[bytes]:
    if not CORPUS.is_dir():
        pytest.skip(NO_CORPUS)
    configs = [p.read_bytes() for p in sorted(CORPUS.rglob("config.yaml"))]
    if not configs:
        pytest.skip(f"no config.yaml under {CORPUS}")
    return configs


def expected_of(original: bytes) -> bytes:
    outcome = migrate_config(original.decode("utf-8"))
    assert outcome.status in ("migrated", "unchanged"), outcome.diagnostics
    return outcome.text.encode("utf-8") if outcome.status == "migrated" else original


def corpus_tree(count: int) -> list[tuple[str, bytes, bytes]]:
    """(relative path, original bytes, expected migrated bytes) for count trusses."""
    configs = corpus_configs()
    expected = [expected_of(c) for c in configs]
    assert sum(e != c for c, e in zip(configs, expected)) >= len(configs) - 1
    return [(f"t{i:03d}/config.yaml", configs[i % len(configs)], expected[i % len(configs)]) for i in range(count)]


def build(root: Path, files) -> Path:
    for rel, original, _ in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(original)
    return root


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.match(r"^\S+:\d+:\d+: E\d{3} ", line)]


# --- 1. kill safety ------------------------------------------------------------------------------------


KILL_ROUNDS = 20  # at least; more while the time budget allows
KILL_BUDGET = 18.0  # seconds spent in rounds (the final run and the set-up come on top)


def test_sigkill_at_random_moments_leaves_every_file_old_or_new(tmp_path):
    files = corpus_tree(300)
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 2**32))
    rng = random.Random(seed)

    # one full run on a copy: how long a run takes here
    probe = build(tmp_path / "probe", files)
    started = time.monotonic()
    done = migrate_cli("--jobs", "2", "-q", str(probe), cwd=tmp_path, timeout=120)
    full = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    for rel, _, expected in files:
        assert (probe / rel).read_bytes() == expected, rel
    shutil.rmtree(probe)

    rounds, partial, leftovers, begun, groups = 0, 0, 0, time.monotonic(), []
    trees = tmp_path / "rounds"
    while rounds < KILL_ROUNDS or (time.monotonic() - begun < KILL_BUDGET and rounds < 30):
        tree = build(trees / f"r{rounds:02d}", files)
        delay = rng.uniform(0, full)
        proc = subprocess.Popen(
            [sys.executable, "-m", "migrate", "--jobs", "2", "-q", str(tree)],
            cwd=PROJECT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(delay)
        with contextlib.suppress(ProcessLookupError):  # finished before the kill
            os.killpg(proc.pid, signal.SIGKILL)  # the pool's workers too
        proc.wait(timeout=30)
        groups.append(proc.pid)
        rounds += 1
        migrated = 0
        for rel, original, expected in files:
            now = (tree / rel).read_bytes()
            assert now in (original, expected), f"round {rounds} (delay {delay:.3f}s, seed {seed}): {rel} is torn"
            migrated += now == expected != original
        partial += 0 < migrated < sum(e != o for _, o, e in files)
        leftovers += len(temp_files(tree))

    # A killed worker stays a zombie until its new parent (pid 1) reaps it, and a pid that
    # still exists counts as a live run: wait until every killed group is really gone.
    deadline = time.monotonic() + 15
    for pgid in groups:
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        else:
            pytest.fail(f"killed process group {pgid} still exists after 15 s (zombies nobody reaps?)")

    # one complete run over every killed tree: all migrated, every leftover temp file gone
    done = migrate_cli("--jobs", "2", "-q", str(trees), cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    for r in range(rounds):
        for rel, _, expected in files:
            assert (trees / f"r{r:02d}" / rel).read_bytes() == expected, (r, rel)
    assert temp_files(tmp_path) == []
    print(
        f"\nkill safety: {rounds} rounds survived (seed {seed}, full run {full:.2f}s), "
        f"{partial} killed mid-batch, {leftovers} temp files left by kills and cleaned by the final run"
    )


# --- 2. disk full -----------------------------------------------------------------------------------------


def _padded_truss(target_size: int) -> bytes:
    """A truss of exactly target_size bytes whose migration makes it longer."""
    head = b"model_name: padded\n"
    block = b"model_cache:\n  - repo_id: org/padded-model\n"
    pad = target_size - len(head) - len(block)
    lines = []
    while pad > 0:
        line = min(pad, 70)
        lines.append(b"#" + b"p" * (line - 2) + b"\n" if line >= 2 else b"\n")
        pad -= line
    return head + b"".join(lines) + block


@pytest.fixture
def tiny_tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("mount/umount not installed")
    mnt = tmp_path / "full"
    mnt.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_disk_full_on_a_real_tmpfs(tmp_path, tiny_tmpfs):
    original = _padded_truss(4080)
    migrated = expected_of(original)
    assert len(original) <= 4096 < len(migrated)  # one page before, two after
    hostile = write(tiny_tmpfs / "t" / "config.yaml", original)
    # fill the tmpfs to the last byte, then free one page: the old file fits, the new one does not
    filler = tiny_tmpfs / "filler"
    size = 0
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 4096)
                size += 4096
        except OSError as err:
            assert err.errno == errno.ENOSPC
    os.truncate(filler, size - 4096)
    free = os.statvfs(tiny_tmpfs)
    assert free.f_bavail * free.f_frsize < len(migrated)
    good = write(tmp_path / "normal" / "t" / "config.yaml", GOOD)

    done = migrate_cli("--jobs", "1", str(tiny_tmpfs), str(tmp_path / "normal"), cwd=tmp_path, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    [line] = error_lines(done.stderr)
    assert line.startswith(f"{hostile}:") and " E020 " in line and "No space left on device" in line, line
    assert hostile.read_bytes() == original
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tiny_tmpfs) == [] and temp_files(tmp_path / "normal") == []


def _fails_for(folder: Path, real, exc: OSError):
    """A replacement for a system call taking a file descriptor: fails for files in folder."""

    def call(fd, *args, **kwargs):
        try:
            where = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            where = ""
        if os.path.dirname(where) == os.path.realpath(folder):
            raise exc
        return real(fd, *args, **kwargs)

    return call


def test_disk_full_by_patching_fsync(tmp_path, monkeypatch):
    """ENOSPC from fsync of the temp file (delayed allocation reports it there)."""
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path / "bad" / "config.yaml", GOOD)
    good = write(tmp_path / "good" / "config.yaml", GOOD)
    monkeypatch.setattr(
        run_write.os, "fsync", _fails_for(bad.parent, os.fsync, OSError(errno.ENOSPC, "No space left on device"))
    )
    result = CliRunner().invoke(app, ["--jobs", "1", "bad", "good"])
    assert result.exit_code == 3, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith("bad/config.yaml:") and " E020 " in line and "No space left on device" in line, line
    assert "Traceback" not in result.stderr + result.stdout
    assert bad.read_bytes() == GOOD
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []


def test_disk_full_by_patching_the_temp_file_write(tmp_path, monkeypatch):
    """ENOSPC while the temp file is written (the file object's write or flush)."""
    bad = write(tmp_path / "bad" / "config.yaml", GOOD)
    good = write(tmp_path / "good" / "config.yaml", GOOD)
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.handle, name)

    def fdopen(fd, *args, **kwargs):
        where = os.readlink(f"/proc/self/fd/{fd}")
        handle = real_fdopen(fd, *args, **kwargs)
        return Full(handle) if os.path.dirname(where) == os.path.realpath(bad.parent) else handle

    monkeypatch.setattr(run_write.os, "fdopen", fdopen)
    results = {r.path: r for r in schedule.run([str(tmp_path)], Options(jobs=1))}
    failed = results[str(bad)]
    assert failed.status == "failed"
    assert [d.code for d in failed.diagnostics if d.code.startswith("E")] == ["E020"]
    assert results[str(good)].status == "migrated"
    assert bad.read_bytes() == GOOD
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []


# --- 3. permissions ----------------------------------------------------------------------------------------


@pytest.fixture
def immutable():
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    made: list[Path] = []

    def make(path: Path) -> None:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr +i does not work on this filesystem: {done.stderr.strip()}")
        made.append(path)

    try:
        yield make
    finally:
        for path in made:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)


def test_immutable_config_is_reported_and_the_batch_goes_on(tmp_path, immutable):
    bad = write(tmp_path / "a" / "config.yaml", GOOD)
    good = write(tmp_path / "b" / "config.yaml", GOOD)
    immutable(bad)
    done = migrate_cli("--jobs", "1", str(tmp_path), cwd=tmp_path, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    [line] = error_lines(done.stderr)
    assert line.startswith(f"{bad}:") and re.search(r" E02[01] ", line), line
    assert bad.read_bytes() == GOOD
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []


def test_eacces_on_rename_is_e020(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = write(tmp_path / "a" / "config.yaml", GOOD)
    good = write(tmp_path / "b" / "config.yaml", GOOD)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if os.path.realpath(dst) == os.path.realpath(bad):
            raise OSError(errno.EACCES, "Permission denied")
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(run_write.os, "replace", replace)
    result = CliRunner().invoke(app, ["--jobs", "1", "."])
    assert result.exit_code == 3, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith("a/config.yaml:") and " E020 " in line and "Permission denied" in line, line
    assert bad.read_bytes() == GOOD
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []


# --- 4. races ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("edit", ["append", "same-length", "replaced-by-rename"])
def test_file_changed_while_migrating_is_not_overwritten(tmp_path, monkeypatch, edit):
    path = write(tmp_path / "a" / "config.yaml", GOOD)
    other = write(tmp_path / "b" / "config.yaml", GOOD)
    theirs = {
        "append": GOOD + b"# added by a colleague\n",
        "same-length": GOOD.replace(b"good-model", b"GOOD-model"),
        "replaced-by-rename": GOOD.replace(b"main", b"dev\n"),
    }[edit]
    real = config_edit.migrate

    def migrate_config(text, *args, **kwargs):
        if "org/good-model" in text and not getattr(migrate_config, "done", False):
            migrate_config.done = True  # only the first file: someone saves it meanwhile
            if edit == "replaced-by-rename":  # an editor's save: a new file renamed over
                fresh = path.with_name("config.yaml.new")
                fresh.write_bytes(theirs)
                os.replace(fresh, path)
            else:
                path.write_bytes(theirs)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(config_edit, "migrate", migrate_config)
    results = list(schedule.run([str(tmp_path)], Options(jobs=1)))
    assert [r.status for r in results] == ["failed", "migrated"]
    assert [d.code for d in results[0].diagnostics if d.code.startswith("E")] == ["E021"]
    assert path.read_bytes() == theirs
    assert other.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []


def test_file_changed_while_migrating_through_cli(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path / "a" / "config.yaml", GOOD)
    write(tmp_path / "b" / "config.yaml", GOOD)
    theirs = b"model_name: rewritten by hand\n"
    real = config_edit.migrate

    def migrate_config(text, *args, **kwargs):
        outcome = real(text, *args, **kwargs)
        if path.read_bytes() == GOOD:
            path.write_bytes(theirs)
        return outcome

    monkeypatch.setattr(config_edit, "migrate", migrate_config)
    result = CliRunner().invoke(app, ["--jobs", "1", "."])
    assert result.exit_code == 3, result.stderr
    [line] = error_lines(result.stderr)
    assert line.startswith("a/config.yaml:") and " E021 " in line, line
    assert path.read_bytes() == theirs
    assert (tmp_path / "b" / "config.yaml").read_bytes() == GOOD_MIGRATED


def test_two_concurrent_runs_over_one_tree(tmp_path):
    files = corpus_tree(200)
    conflicts = 0
    for attempt in range(3):
        tree = build(tmp_path / f"tree{attempt}", files)
        args = [sys.executable, "-m", "migrate", "--jobs", "1", "-q", str(tree)]
        procs = [
            subprocess.Popen(args, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=120) for p in procs]
        for proc, (_out, err) in zip(procs, outs):
            assert "Traceback" not in err
            lines = err.splitlines()
            # losing a race is allowed (E021: the file was already migrated by the other run)
            assert all(re.match(r"^\S+:\d+:\d+: E021 ", line) for line in lines), err
            assert proc.returncode == (3 if lines else 0), err
            conflicts += len(lines)
        for rel, _, expected in files:
            assert (tree / rel).read_bytes() == expected, rel
        assert temp_files(tree) == []
    print(f"\nconcurrent runs: 3 x 2 runs over 200 trusses, {conflicts} E021 races reported")


# --- 5. symlinks ------------------------------------------------------------------------------------------


def json_report(*args: str, cwd: Path) -> tuple[int, dict]:
    done = migrate_cli("--format", "json", "--jobs", "1", *args, cwd=cwd, timeout=60)
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout)


def test_symlinked_config_outside_the_given_paths_is_never_written(tmp_path):
    outside = write(tmp_path / "elsewhere" / "shared.yaml", GOOD)
    tree = tmp_path / "repo"
    link = tree / "t" / "config.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    write(tree / "u" / "config.yaml", GOOD)
    code, report = json_report(str(tree), cwd=tmp_path)
    assert code == 0
    by_path = {f["path"]: f for f in report["files"]}
    assert [d["code"] for d in by_path[str(link)]["diagnostics"]] == ["W005"]
    assert by_path[str(link)]["status"] == "unchanged"
    assert outside.read_bytes() == GOOD and link.is_symlink()
    assert (tree / "u" / "config.yaml").read_bytes() == GOOD_MIGRATED
    # and through the text output
    done = migrate_cli("--jobs", "1", str(tree), cwd=tmp_path, timeout=120)
    assert re.search(rf"^{re.escape(str(link))}:1:1: W005 ", done.stderr, re.M), done.stderr
    assert outside.read_bytes() == GOOD


def test_symlinked_config_inside_is_written_through_and_stays_a_link(tmp_path):
    tree = tmp_path / "repo"
    target = write(tree / "store" / "base.yaml", GOOD)
    link = tree / "t" / "config.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(Path("..") / "store" / "base.yaml")
    code, report = json_report(str(tree), cwd=tmp_path)
    assert code == 0
    assert len(report["files"]) == 1  # link and target are one file
    assert report["files"][0]["status"] == "migrated"
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "store" / "base.yaml")
    assert target.read_bytes() == GOOD_MIGRATED
    assert temp_files(tree) == []


def test_symlinked_folder_loop_terminates_and_each_file_is_processed_once(tmp_path):
    tree = tmp_path / "repo"
    write(tree / "a" / "config.yaml", GOOD)
    write(tree / "b" / "c" / "config.yaml", GOOD)
    (tree / "a" / "loop").symlink_to("..")
    (tree / "b" / "c" / "up").symlink_to("../..")
    (tree / "b" / "self").symlink_to(".")
    code, report = json_report(str(tree), cwd=tmp_path)
    assert code == 0
    reals = [os.path.realpath(f["path"]) for f in report["files"]]
    assert sorted(reals) == sorted({str(tree / "a" / "config.yaml"), str(tree / "b" / "c" / "config.yaml")})
    assert all(f["status"] == "migrated" for f in report["files"])
    assert (tree / "a" / "config.yaml").read_bytes() == GOOD_MIGRATED
    assert (tree / "b" / "c" / "config.yaml").read_bytes() == GOOD_MIGRATED


# --- 6. hostile files -----------------------------------------------------------------------------------


def _billion_laughs(use: str) -> bytes:
    lines = ['a0: &a0 "lol"']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    head = "\n".join(lines) + "\n"
    if use == "inside":  # the alias inside an entry
        return (head + "model_cache:\n  - repo_id: org/name\n    allow_patterns: *a9\n").encode()
    # the block itself is clean; the bomb is used outside it
    return (head + "model_cache:\n  - repo_id: org/name\n    kind: hf\nboom: *a9\n").encode()


def _deep_block(levels: int) -> bytes:
    lines = ["model_cache:", "  - repo_id: org/name", "    allow_patterns:"]
    lines += [" " * (4 + i) + f"k{i}:" for i in range(levels)]
    return ("\n".join(lines) + " x\n").encode()


def _junk(seed: int, size: int) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(size))


HOSTILE = {
    "not-utf8": b"model_cache:\n  - repo_id: org/n\xe9e\n",
    "latin1-comment": b"# caf\xe9\nmodel_cache:\n  - repo_id: org/name\n",
    "binary-junk": _junk(1, 3000) + b"\nmodel_cache:\n" + _junk(2, 3000),
    "utf8-junk-with-nul": b"\x00\x01\x02\nmodel_cache:\n  - repo_id: org/\x00name\n",
    "alias-bomb-in-entry": _billion_laughs("inside"),
    "alias-bomb-outside-block": _billion_laughs("outside"),
    "anchor-in-block-alias-outside": b"model_cache:\n  - repo_id: &r bucket/path\n    kind: s3\nagain: *r\n",
    "anchor-on-folder-alias-outside": (
        b"model_cache:\n  - repo_id: org/name\n    use_volume: true\n"
        b"    volume_folder: &v data\nenvironment_variables:\n  WEIGHTS_DIR: *v\n"
    ),
    "anchor-on-folder-top-level-alias": (
        b"model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: &v data\nweights_dir: *v\n"
    ),
    "alias-as-block": b"base: &b\n  - repo_id: org/name\nmodel_cache: *b\n",
    "merge-key-in-entry": b"d: &d {kind: hf}\nmodel_cache:\n  - <<: *d\n    repo_id: org/name\n",
    "unknown-alias": b"model_cache:\n  - repo_id: *nope\n",
    "deep-flow-nesting": b"model_cache: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "deep-flow-in-entry": b"model_cache:\n  - repo_id: org/name\n    allow_patterns: "
    + b"[" * 100_000
    + b"]" * 100_000
    + b"\n",
    "deep-block-dashes": b"model_cache:\n" + b"- " * 100_000 + b"x\n",
    "deep-block-indent": _deep_block(1200),
    "over-1-MiB": b"model_cache:\n  - repo_id: org/name\n"
    + b"# padding to twenty megabytes ........\n" * (20 * MiB // 40),
    "over-1-MiB-one-line": b"model_cache:\n  - repo_id: org/" + b"n" * (20 * MiB) + b"\n",
    "duplicate-top-level": b"model_cache:\n  - repo_id: org/a\nmodel_cache:\n  - repo_id: org/b\n",
    "duplicate-in-entry": b"model_cache:\n  - repo_id: org/a\n    repo_id: org/b\n",
    "tab-indentation": b"model_cache:\n\t- repo_id: org/name\n",
    "tab-in-entry": b"model_cache:\n  - repo_id: org/name\n\tkind: hf\n",
    "several-documents": b"model_cache:\n  - repo_id: org/name\n---\nmodel_name: two\n",
    "model-cache-string": b"model_cache: org/name\n",
    "model-cache-mapping": b"model_cache:\n  repo_id: org/name\n",
    "entry-string": b"model_cache:\n  - org/name\n",
    "repo-id-number": b"model_cache:\n  - repo_id: 1234\n",
    "repo-id-list": b"model_cache:\n  - repo_id: [org, name]\n",
    "use-volume-yes-string": b'model_cache:\n  - repo_id: org/name\n    use_volume: "yes"\n    volume_folder: x\n',
}
# Codes each may give (all leave the file untouched); None: migrating it is right too.
EXPECTED = {
    "not-utf8": {"E002"},
    "latin1-comment": {"E002"},
    "binary-junk": {"E002"},
    "utf8-junk-with-nul": {"E001"},
    "alias-bomb-in-entry": {"E017"},
    "alias-bomb-outside-block": None,
    "anchor-in-block-alias-outside": {"E017", "E099"},
    "anchor-on-folder-alias-outside": {"E017", "E099"},
    "anchor-on-folder-top-level-alias": {"E017", "E099"},
    "alias-as-block": {"E017"},
    "merge-key-in-entry": {"E017"},
    "unknown-alias": {"E001"},
    "deep-flow-nesting": {"E001"},
    "deep-flow-in-entry": {"E001"},
    "deep-block-dashes": {"E001"},
    "deep-block-indent": {"E001"},
    "over-1-MiB": {"E019"},
    "over-1-MiB-one-line": {"E019"},
    "duplicate-top-level": {"E016"},
    "duplicate-in-entry": {"E016"},
    "tab-indentation": {"E001"},
    "tab-in-entry": {"E001"},
    "several-documents": {"E001"},
    "model-cache-string": {"E003"},
    "model-cache-mapping": {"E003"},
    "entry-string": {"E004"},
    "repo-id-number": {"E014"},
    "repo-id-list": {"E014"},
    "use-volume-yes-string": {"E014"},
}
RSS_LIMIT_KIB = 300 * 1024


# ru_maxrss survives exec and starts from the forking process's own peak (subprocess forks
# with vfork, so the child would report pytest's RSS): a tiny launcher forks the command and
# reports the command's own ru_maxrss from os.wait4.
_LAUNCHER = r"""
import os, sys
report, args = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    try:
        os.execv(args[0], args)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as handle:
    handle.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
"""


def run_bounded(args: list[str], timeout: float = 60) -> tuple[int, str, str, int]:
    """(exit code, stdout, stderr, peak RSS in KiB) of a run, killed after timeout seconds."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        proc = subprocess.Popen(
            [sys.executable, "-S", "-c", _LAUNCHER, rss.name, *args],
            cwd=PROJECT,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            pytest.fail(f"no answer within {timeout} s: {args}")
        out.seek(0)
        err.seek(0)
        peak = int(rss.read() or 0)
        assert peak > 0, "the launcher reported no rusage"
        return code, out.read().decode(errors="replace"), err.read().decode(errors="replace"), peak


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_beside_a_good_truss(tmp_path, name):
    data = HOSTILE[name]
    hostile = write(tmp_path / "hostile" / "config.yaml", data)
    good = write(tmp_path / "good" / "config.yaml", GOOD)
    code, out, err, rss = run_bounded([sys.executable, "-m", "migrate", "--jobs", "1", "-q", str(tmp_path)])
    print(f"\n{name}: exit {code}, peak RSS {rss / 1024:.1f} MiB, {err.strip()[:160]}")
    assert "Traceback" not in out + err
    assert rss < RSS_LIMIT_KIB, f"peak RSS {rss / 1024:.0f} MiB"
    assert good.read_bytes() == GOOD_MIGRATED
    assert temp_files(tmp_path) == []
    lines = err.splitlines()
    if EXPECTED[name] is None and code == 0:  # migrating it is fine: only the block may change
        assert lines == []
        after = hostile.read_bytes()
        cut = data.index(b"model_cache:")
        assert after[:cut] == data[:cut]
        assert after.endswith(data[data.index(b"\nboom:") :])
        return
    assert code == 3, err
    assert hostile.read_bytes() == data
    assert len(lines) == 1, err
    [line] = lines
    assert ERROR_LINE.match(line), line
    assert line.startswith(f"{hostile}:"), line
    if EXPECTED[name] is not None:
        assert line.split()[1] in EXPECTED[name], line


# --- 7. verify-before-write cannot be bypassed ------------------------------------------------------------


VERIFY = b"""\
# header: keep me
model_name: m
model_cache:
  - repo_id: bucket/path  # weights
    kind: s3
    use_volume: true
    volume_folder: data
    allow_patterns: ["*.json"]
python_version: py311  # keep me too
"""


def _inject(kind: str):
    def change(editor, edits: list[Edit]) -> list[Edit]:
        body = editor.text.body
        if kind == "outside-value":  # also edit a byte outside the block
            at = body.index("py311") + 4
            return [*edits, Edit(at, at + 1, "2")]
        if kind == "outside-comment":  # and lose a comment there
            at = body.index("  # keep me too")
            return [*edits, Edit(at, at + len("  # keep me too"), "")]
        if kind == "wrong-rename":
            return [Edit(e.start, e.end, "sorce") if e.text == "source" else e for e in edits]
        if kind == "wrong-value":
            return [
                Edit(e.start, e.end, e.text.replace("/data", "/dat")) if e.text.endswith("/data") else e for e in edits
            ]
        if kind == "drop-surviving-key":
            at = body.index("    allow_patterns")
            return [*edits, Edit(at, body.index("\n", at) + 1, "")]
        if kind == "keep-dropped-key":  # the edit that drops `kind: s3` goes missing
            return [e for e in edits if body[e.start : e.end].strip() != "kind: s3"]
        raise AssertionError(kind)

    return change


INJECTIONS = [
    "outside-value",
    "outside-comment",
    "wrong-rename",
    "wrong-value",
    "drop-surviving-key",
    "keep-dropped-key",
]


@pytest.mark.parametrize("kind", INJECTIONS)
def test_a_wrong_edit_never_reaches_the_disk(tmp_path, monkeypatch, kind):
    real = entry.EntryEditor.edits
    change = _inject(kind)
    calls = []

    def edits(self):
        result = change(self, real(self))
        calls.append(result)
        return result

    monkeypatch.setattr(entry.EntryEditor, "edits", edits)
    outcome = migrate_config(VERIFY.decode())
    assert calls, "the injection was not used"
    assert outcome.status == "failed", outcome.text
    assert [d.code for d in outcome.diagnostics] == ["E099"]
    assert outcome.text is None

    path = write(tmp_path / "t" / "config.yaml", VERIFY)
    [result] = list(schedule.run([str(tmp_path)], Options(jobs=1)))
    assert result.status == "failed"
    assert [d.code for d in result.diagnostics] == ["E099"]
    assert path.read_bytes() == VERIFY
    assert temp_files(tmp_path) == []


def test_the_injection_target_migrates_without_it():
    outcome = migrate_config(VERIFY.decode())
    assert outcome.status == "migrated"
    assert outcome.text == VERIFY.decode().replace("model_cache", "weights").replace(
        "repo_id: bucket/path", "source: s3://bucket/path"
    ).replace("    kind: s3\n    use_volume: true\n", "").replace(
        "volume_folder: data", "mount_location: /app/model_cache/data"
    ).replace('["*.json"]', '["*.json", "**/*.json"]')
