"""Batch use: the progress bar, colours and what reaches a terminal (trees from batch_support.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from support import environment, migrate_cli

from migrate.core.outcome import FileResult
from migrate.report.text import Reporter

pytestmark = pytest.mark.slow  # the CLI in subprocesses, on pipes and terminals

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
    reporter.finish()
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
    reporter.finish()
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
    reporter.finish()
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
    env = {"NO_COLOR": None, "TERM": "xterm-256color", "FORCE_COLOR": "1", "COLUMNS": "120"}
    for args in (("--check",), ("--diff",), ("-v", "--check"), ("--check", "--format", "json")):
        proc = migrate_cli(*args, ".", cwd=big_tree, env=env, text=False)
        assert proc.returncode == 3
        assert b"\x1b[" not in proc.stderr, (args, proc.stderr[:500])
        assert b"\x1b[" not in proc.stdout, (args, proc.stdout[:500])
        if "json" not in args:
            assert b"E007" in proc.stderr


NO_COLOUR_SETTING = {"NO_COLOR": None, "FORCE_COLOR": None, "CI": None}  # the terminal alone decides


def _run_with_tty_stderr(args: list[str], cwd: Path, env: dict) -> tuple[int, bytes, bytes]:
    """stdout piped, stderr a pseudo-terminal (the `weights-migrate --diff . > patch` case), in the
    environment with env's changes as migrate_cli makes it."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env=environment(env),
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
    env = {**NO_COLOUR_SETTING, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    piped = migrate_cli("--check", "--diff", ".", cwd=big_tree, env=env, text=False)
    code, out, err = _run_with_tty_stderr(["--check", "--diff", "."], big_tree, env)
    assert code == piped.returncode == 3
    assert out == piped.stdout, "stdout (the diff) differs when stderr is a terminal: " + repr(
        [line for line in out.decode().splitlines() if line not in piped.stdout.decode().splitlines()][:5]
    )
    assert b"E007" in err, err[-500:]
    assert b"files scanned" in err


@pytest.mark.skipif(not hasattr(os, "openpty") or sys.platform == "win32", reason="needs a POSIX pty")
def test_terminal_stderr_colours_small_runs_and_no_color_turns_it_off(small_tree):
    env = {**NO_COLOUR_SETTING, "TERM": "xterm-256color"}
    code, out, err = _run_with_tty_stderr(["--check", "."], small_tree, env)
    assert code == 3 and out == b""
    assert b"\x1b[" in err  # coloured codes on a terminal
    code, out, err = _run_with_tty_stderr(["--check", "."], small_tree, dict(env, NO_COLOR="1"))
    assert code == 3 and b"\x1b[" not in err and b"E007" in err
    code, out, err = _run_with_tty_stderr(["--check", "--format", "json", "."], small_tree, env)
    assert code == 3 and err == b"" and json.loads(out)["summary"]["exit_code"] == 3
