"""The Python pass of runner.py end to end: a truss's config and code migrated together through
`runner.run` and the command line (`--check` counts Python, libcst loaded only when Python needs a look).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_code_edit import ROWS

from migrate.core.context import Context
from migrate.run.pipeline import Options
from migrate.run.schedule import run


def _row(row_id: str) -> tuple[str, str | None]:
    """The source and expected text of a row of the before/after table in test_code_edit."""
    row = next(row for row in ROWS if row.id == row_id)
    return row.values[0], row.values[1]


# --- end to end through runner.run ------------------------------------------------------

CONFIG = """\
model_name: whisper
model_cache:
  - repo_id: openai/whisper-large-v3  # the model
resources:
  accelerator: A10G
"""
CONFIG_MIGRATED = """\
model_name: whisper
weights:
  - source: hf://openai/whisper-large-v3  # the model
    mount_location: /app/model_cache/openai_whisper-large-v3
resources:
  accelerator: A10G
"""
MODEL_PY = """\
from transformers import AutoTokenizer, pipeline

MODEL_ID = "openai/whisper-large-v3"


class Model:
    def __init__(self, **kwargs):
        self._config = kwargs["config"]
        self._pipe = None

    def load(self):
        self._pipe = pipeline("automatic-speech-recognition", model=MODEL_ID)
        # the tokenizer of the first entry, as the config names it
        cfg = self._config
        self._tok = AutoTokenizer.from_pretrained(cfg["model_cache"][0]["repo_id"])
"""
MODEL_PY_MIGRATED = """\
from transformers import AutoTokenizer, pipeline

MODEL_ID = "/app/model_cache/openai_whisper-large-v3"


class Model:
    def __init__(self, **kwargs):
        self._config = kwargs["config"]
        self._pipe = None

    def load(self):
        self._pipe = pipeline("automatic-speech-recognition", model=MODEL_ID)
        # the tokenizer of the first entry, as the config names it
        cfg = self._config
        self._tok = AutoTokenizer.from_pretrained(cfg["weights"][0]["mount_location"])
"""


@pytest.fixture
def truss(tmp_path) -> Path:
    folder = tmp_path / "whisper"
    (folder / "model").mkdir(parents=True)
    (folder / "config.yaml").write_text(CONFIG)
    (folder / "model" / "model.py").write_text(MODEL_PY)
    (folder / "model" / "__init__.py").write_text("")
    return folder


def _by_name(results) -> dict[str, object]:
    return {Path(r.path).name: r for r in results}


def test_run_write_rewrites_config_and_code(truss):
    results = _by_name(run([str(truss)], Options()))
    assert results["config.yaml"].status == "migrated"
    assert results["model.py"].status == "migrated"
    assert results["__init__.py"].status == "unchanged"
    assert (truss / "config.yaml").read_text() == CONFIG_MIGRATED
    assert (truss / "model" / "model.py").read_text() == MODEL_PY_MIGRATED
    codes = sorted(f"{d.line}:{d.code}" for d in results["model.py"].diagnostics)
    assert codes == ["15:W106", "3:W105"]


def test_run_write_twice_second_run_changes_nothing(truss):
    list(run([str(truss)], Options()))
    results = list(run([str(truss)], Options()))
    assert all(r.status == "unchanged" for r in results), [(r.path, r.status) for r in results]
    assert (truss / "model" / "model.py").read_text() == MODEL_PY_MIGRATED


def test_run_diff_shows_config_and_code_writes_nothing(truss):
    results = _by_name(run([str(truss)], Options(write=False, diff=True)))
    assert results["config.yaml"].status == "would-migrate"
    assert results["model.py"].status == "would-migrate"
    assert "+weights:" in results["config.yaml"].diff
    code_diff = results["model.py"].diff
    assert code_diff.startswith("--- a/")
    assert '-MODEL_ID = "openai/whisper-large-v3"\n' in code_diff
    assert '+        self._tok = AutoTokenizer.from_pretrained(cfg["weights"][0]["mount_location"])\n' in code_diff
    assert (truss / "config.yaml").read_text() == CONFIG
    assert (truss / "model" / "model.py").read_text() == MODEL_PY


def test_run_without_code_leaves_python_alone(truss):
    results = list(run([str(truss)], Options(context=Context(code=False))))
    assert [Path(r.path).name for r in results] == ["config.yaml"]
    assert (truss / "config.yaml").read_text() == CONFIG_MIGRATED
    assert (truss / "model" / "model.py").read_text() == MODEL_PY


def test_run_mount_root_moves_paths_in_code(tmp_path):
    folder = tmp_path / "llama"
    (folder / "model").mkdir(parents=True)
    (folder / "config.yaml").write_text(
        "model_name: llama\nmodel_cache:\n  - repo_id: org/llama\n    use_volume: true\n    volume_folder: v\n"
    )
    (folder / "model" / "model.py").write_text('TOKENIZER = "/app/model_cache/v/tokenizer"\n')
    context = Context(mount_root="/models")
    results = _by_name(run([str(tmp_path)], Options(context=context)))
    assert results["model.py"].status == "migrated"
    assert (folder / "model" / "model.py").read_text() == 'TOKENIZER = "/models/v/tokenizer"\n'
    assert [d.code for d in results["model.py"].diagnostics] == ["W008"]


def test_run_syntax_error_in_truss_code_fails_that_file_only(truss):
    bad = truss / "model" / "broken.py"
    bad.write_text("MODEL = 'openai/whisper-large-v3'\ndef f(:\n")
    results = _by_name(run([str(truss)], Options()))
    assert results["broken.py"].status == "failed"
    assert [d.code for d in results["broken.py"].diagnostics] == ["E030"]
    assert bad.read_text() == "MODEL = 'openai/whisper-large-v3'\ndef f(:\n"
    assert results["model.py"].status == "migrated"
    assert results["config.yaml"].status == "migrated"


def test_run_generator_outside_any_truss_is_migrated(tmp_path):
    gen = tmp_path / "tools" / "gen.py"
    gen.parent.mkdir()
    source, expected = _row("generator-from-imports-become-weights-weightssource")
    gen.write_text(source)
    (tmp_path / "tools" / "util.py").write_text("X = 'model_cache'\n")  # no ModelRepo: never parsed
    results = _by_name(run([str(tmp_path)], Options(write=False)))
    assert results["gen.py"].status == "would-migrate"
    assert results["util.py"].status == "unchanged" and results["util.py"].diagnostics == []
    list(run([str(tmp_path)], Options()))
    assert gen.read_text() == expected


# --- the command line: --check counts Python, libcst only when Python needs a look -------


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    script = (
        "import sys\n"
        f"sys.argv = ['weights-migrate', *{args!r}]\n"
        "from migrate.cli import main\n"
        "code = 0\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    code = exit.code\n"
        "print('EXIT', code)\n"
        "print('LIBCST', 'libcst' in sys.modules)\n"
    )
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=120)


def _result(proc: subprocess.CompletedProcess) -> tuple[int, bool]:
    lines = proc.stdout.splitlines()
    exit_line = next(line for line in lines if line.startswith("EXIT "))
    libcst_line = next(line for line in lines if line.startswith("LIBCST "))
    return int(exit_line.split()[1]), libcst_line.split()[1] == "True"


def test_check_counts_python_changes_as_pending(tmp_path):
    gen = tmp_path / "gen.py"
    gen.write_text(_row("module-alias-and-dotted-module-need-no-import")[0])
    before = gen.read_bytes()
    proc = _cli(["--check", str(tmp_path)], tmp_path)
    assert _result(proc)[0] == 1, proc.stderr
    assert gen.read_bytes() == before
    assert "W101" in proc.stderr


def test_check_after_write_has_nothing_pending(truss):
    assert _result(_cli([str(truss)], truss))[0] == 0
    proc = _cli(["--check", str(truss)], truss)
    assert _result(proc)[0] == 0, proc.stderr


def test_yaml_only_run_does_not_import_libcst(tmp_path):
    folder = tmp_path / "tree" / "llama"
    (folder / "model").mkdir(parents=True)
    (folder / "config.yaml").write_text(
        "model_name: llama\nmodel_cache:\n  - repo_id: org/llama\n    use_volume: true\n    volume_folder: llama\n"
    )
    (folder / "model" / "model.py").write_text("class Model:\n    def load(self):\n        return 1\n")
    (tmp_path / "tree" / "helpers.py").write_text("import os\n\nROOT = os.getcwd()\n")
    proc = _cli(["--check", str(tmp_path / "tree")], tmp_path)
    code, loaded = _result(proc)
    assert code == 1, proc.stderr  # the config is pending
    assert loaded is False


def test_run_that_rewrites_python_imports_libcst(truss):
    proc = _cli(["--check", str(truss)], truss)
    code, loaded = _result(proc)
    assert code == 1, proc.stderr
    assert loaded is True
    assert "model.py:3:" in proc.stderr and "W105" in proc.stderr
