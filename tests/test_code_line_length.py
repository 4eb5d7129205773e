"""The line limit of rewritten Python: the formatter's line length as the file's project sets it
(run/formatter.py), looked up as ruff looks up its configuration; else ruff's 88, or the module's
own widest line of code (README "Python code": formatting)."""

from __future__ import annotations

import pytest
from support import migrate_cli, write

from migrate.python.codemods.layout import module_width
from migrate.run.formatter import line_length

# Each row: the files of a project (path -> text), and the line length for its `pkg/sub/model.py`.
PROJECTS = [
    pytest.param({"ruff.toml": "line-length = 100\n"}, 100, id="ruff-toml"),
    pytest.param(
        {".ruff.toml": "line-length = 99\n", "ruff.toml": "line-length = 100\n"}, 99, id="dot-ruff-toml-first"
    ),
    pytest.param({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, 120, id="pyproject-ruff"),
    pytest.param({"pyproject.toml": "[tool.ruff]\ntarget-version = 'py310'\n"}, 88, id="ruff-default"),
    pytest.param({"pyproject.toml": "[tool.black]\nline-length = 79\n"}, 79, id="black"),
    pytest.param(
        {"pyproject.toml": "[tool.ruff]\nline-length = 100\n\n[tool.black]\nline-length = 79\n"},
        100,
        id="ruff-over-black",
    ),
    pytest.param({"pyproject.toml": "[tool.ruff]\nline-length = 120\n", "pkg/ruff.toml": ""}, 88, id="nearest-decides"),
    pytest.param(
        {"pyproject.toml": "[tool.ruff]\nline-length = 120\n", "pkg/pyproject.toml": "[project]\nname = 'x'\n"},
        120,
        id="a-pyproject-without-a-formatter-is-passed",
    ),
    pytest.param(
        {"pyproject.toml": "[tool.ruff]\nline-length = 110\n", "pkg/ruff.toml": 'extend = "../pyproject.toml"\n'},
        110,
        id="extend",
    ),
    pytest.param({"pkg/ruff.toml": 'extend = "ruff.toml"\n'}, None, id="extend-loop"),
    pytest.param({"ruff.toml": "line-length = 'long'\n"}, None, id="not-a-number"),
    pytest.param({"ruff.toml": "line-length = [\n"}, None, id="not-toml"),
    pytest.param({}, None, id="none"),
    pytest.param(
        {"pyproject.toml": "[tool.ruff]\nline-length = 120\n", "pkg/.git/HEAD": ""}, None, id="repository-root"
    ),
]


@pytest.mark.parametrize("files, expected", PROJECTS)
def test_line_length_of_a_project(tmp_path, files, expected):
    for name, text in files.items():
        write(tmp_path / name, text)
    module = write(tmp_path / "pkg" / "sub" / "model.py", "")
    assert line_length(str(module)) == expected


CONFIG = "model_cache:\n  - repo_id: org/full\n"
MODEL = """\
from transformers import AutoModelForCausalLM


class Model:
    def load(self):
        self.model = AutoModelForCausalLM.from_pretrained("org/full", device_map="auto")
"""
ON_ONE_LINE = (
    '        self.model = AutoModelForCausalLM.from_pretrained("/app/model_cache/org_full", device_map="auto")\n'
)
SPLIT = """\
        self.model = AutoModelForCausalLM.from_pretrained(
            "/app/model_cache/org_full", device_map="auto"
        )
"""


@pytest.mark.parametrize(
    "pyproject, expected",
    [
        pytest.param("[tool.ruff]\nline-length = 120\n", ON_ONE_LINE, id="fits-the-project-limit"),
        pytest.param("[tool.black]\n", SPLIT, id="past-the-project-limit"),
        pytest.param(None, SPLIT, id="past-the-longest-line"),
    ],
)
def test_the_cli_lays_code_out_to_the_project_limit(tmp_path, pyproject, expected):
    if pyproject is not None:
        write(tmp_path / "pyproject.toml", pyproject)
    write(tmp_path / "truss" / "config.yaml", CONFIG)
    model = write(tmp_path / "truss" / "model" / "model.py", MODEL)
    proc = migrate_cli("truss", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert model.read_text().endswith(expected)


WIDTHS = [
    pytest.param("x = 1\n", 88, id="short"),
    pytest.param("y = f(" + "a, " * 40 + "b)\n", 128, id="a-wide-call-counts"),
    pytest.param("# " + "c" * 120 + "\n", 88, id="a-comment-line"),
    pytest.param("x = 1  # " + "c" * 100 + "\n", 88, id="long-by-its-comment"),
    pytest.param('URL = "' + "u" * 100 + '"\n', 88, id="a-string-too-long-for-any-line"),
    pytest.param('DOC = """\n' + "d" * 150 + '\n"""\n', 88, id="a-string-over-several-lines"),
    pytest.param('DOC = f"""\n{x}' + "d" * 150 + '\n"""\n', 88, id="an-f-string-over-several-lines"),
    pytest.param(
        'p = pipeline("automatic-speech-recognition", model="openai/whisper-large-v3-turbo-x-y-z-and-w")\n',
        95,
        id="short-strings-in-a-wide-call",
    ),
    pytest.param("def f(:\n" + "x" * 100 + "\n", 100, id="no-python-the-longest-line"),
]


@pytest.mark.parametrize("text, expected", WIDTHS)
def test_the_width_a_module_was_laid_out_to(text, expected):
    assert module_width(text) == expected
