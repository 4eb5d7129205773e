"""Project settings: the `[tool.weights-migrate]` table of one pyproject.toml.

Tables of rows: where the file is found (upward from the paths given, the repository root the last
folder searched, a pyproject.toml without the table passed over); each key applied, and the command
line winning over it; bad keys, values and TOML refused with exit 2, naming the file and the key;
ignored codes dropped from every format. Every tree is built in tmp_path, which holds a `.git`
folder so that no search leaves it; the CLI runs in-process through typer's CliRunner.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support import d, write
from typer.testing import CliRunner

from migrate.cli import app
from migrate.run.settings import Settings, load

TABLE = "[tool.weights-migrate]\n"

HF = d("""
    model_name: hf
    model_cache:
      - repo_id: org/name
        revision: main
        use_volume: true
        volume_folder: name
      - repo_id: org/legacy
    """)
ARCHIVED = d("""
    model_name: old
    model_cache:
      - repo_id: org/old
        use_volume: true
        volume_folder: old
    """)
GENERATOR = d("""
    overlay:
      model_cache:
        - repo_id: org/small
          use_volume: true
          volume_folder: small
    """)
README = d("""
    # Deploy

    ```yaml
    model_cache:
      - repo_id: org/doc
        use_volume: true
        volume_folder: doc
    ```
    """)
TREE = {
    "trusses/hf/config.yaml": HF,
    "trusses/archive/old/config.yaml": ARCHIVED,
    "trusses/gen/overlays.yaml": GENERATOR,
    "trusses/README.md": README,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as a repository root holding the trusses of TREE; the current folder."""
    (tmp_path / ".git").mkdir()
    for name, text in TREE.items():
        write(tmp_path / name, text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"exception escaped: {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def records(*args: str) -> dict[str, dict[str, Any]]:
    """The JSON report of a --diff run over trusses/: path -> its file record."""
    code, out, err = invoke("--format", "json", "--diff", "--jobs", "1", *args, "trusses")
    assert code == 0, err
    return {record["path"]: record for record in json.loads(out)["files"]}


# --- where the file is found: (files, paths given, the settings' file or None) ---------------------

WITH_TABLE = TABLE + 'dialect = "truss"\n'
OTHER_TOOL = "[tool.black]\nline-length = 100\n"

FOUND = [
    pytest.param({"pyproject.toml": WITH_TABLE}, ["."], "pyproject.toml", id="in-the-folder-given"),
    pytest.param({"pyproject.toml": WITH_TABLE}, ["a/b/c"], "pyproject.toml", id="upward-from-one-folder"),
    pytest.param({"a/pyproject.toml": WITH_TABLE}, ["a/b/config.yaml"], "a/pyproject.toml", id="upward-from-a-file"),
    pytest.param(
        {"a/b/pyproject.toml": WITH_TABLE}, ["a/b/config.yaml"], "a/b/pyproject.toml", id="a-file's-own-folder"
    ),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "a/pyproject.toml": WITH_TABLE},
        ["a/x", "b/y"],
        "pyproject.toml",
        id="from-the-common-parent-of-several",
    ),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "a/pyproject.toml": WITH_TABLE},
        ["a/x", "a/y/config.yaml"],
        "a/pyproject.toml",
        id="common-parent-below-the-root",
    ),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "a/pyproject.toml": WITH_TABLE}, ["a/x"], "a/pyproject.toml", id="nearest-wins"
    ),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "a/pyproject.toml": OTHER_TOOL},
        ["a/x"],
        "pyproject.toml",
        id="one-without-the-table-is-passed-over",
    ),
    pytest.param({"a/pyproject.toml": OTHER_TOOL}, ["a/x"], None, id="only-one-without-the-table"),
    pytest.param({"pyproject.toml": WITH_TABLE, "repo/.git/HEAD": ""}, ["repo/x"], None, id="stops-at-git"),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "repo/.git": "gitdir: ../x"}, ["repo/x"], None, id="stops-at-a-git-file"
    ),
    pytest.param({"pyproject.toml": WITH_TABLE, "repo/.hg/requires": ""}, ["repo/x"], None, id="stops-at-hg"),
    pytest.param(
        {"pyproject.toml": WITH_TABLE, "repo/.git/HEAD": "", "repo/pyproject.toml": WITH_TABLE},
        ["repo/x"],
        "repo/pyproject.toml",
        id="the-repository-root-is-searched",
    ),
    pytest.param({}, ["a/x"], None, id="no-pyproject-at-all"),
]


@pytest.mark.parametrize("files, paths, found", FOUND)
def test_the_settings_file_is_found_as_black_finds_its(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str], paths: list[str], found: str | None
) -> None:
    (tmp_path / ".git").mkdir()
    for name, text in files.items():
        write(tmp_path / name, text)
    for path in paths:  # the paths given exist: a name with a suffix is a file
        if Path(path).suffix:
            write(tmp_path / path, "")
        else:
            (tmp_path / path).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path)
    assert load(paths).path == found


def test_the_file_is_named_from_the_current_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / "pyproject.toml", WITH_TABLE)
    monkeypatch.chdir(project / "trusses")
    code, _out, err = invoke("-v", "--diff", "hf")
    assert code == 0, err
    assert err.splitlines()[0] == "weights-migrate: settings from ../pyproject.toml"


EVERY_KEY = d("""
    [tool.weights-migrate]
    dialect = "truss"
    mount-root = "/models"
    exclude = ["archive", "*.md"]
    nested = true
    docs = false
    include-tests = true
    ignore = ["W001", "W112"]
    """)


def test_the_table_is_read_into_settings(project: Path) -> None:
    write(project / "pyproject.toml", EVERY_KEY)
    assert load(["trusses"]) == Settings(
        path="pyproject.toml",
        dialect="truss",
        mount_root="/models",
        exclude=("archive", "*.md"),
        nested=True,
        docs=False,
        include_tests=True,
        ignore=frozenset({"W001", "W112"}),
    )


# --- each key applied, and the command line winning: (table, options, what is seen, expected) --------


def dialect(seen: dict[str, dict[str, Any]]) -> str:
    return "truss" if "hf://org/name@main" in seen["trusses/hf/config.yaml"]["diff"] else "seed"


def mount_root(seen: dict[str, dict[str, Any]]) -> str:
    found = re.search(r"mount_location: (\S+)/name\n", seen["trusses/hf/config.yaml"]["diff"])
    assert found, seen
    return found[1]


def scanned(seen: dict[str, dict[str, Any]]) -> list[str]:
    return sorted(seen)


def generator(seen: dict[str, dict[str, Any]]) -> str:
    return str(seen["trusses/gen/overlays.yaml"]["status"])


def readme(seen: dict[str, dict[str, Any]]) -> str:
    return str(seen["trusses/README.md"]["status"]) if "trusses/README.md" in seen else "not read"


def codes(seen: dict[str, dict[str, Any]]) -> list[str]:
    return sorted({diagnostic["code"] for record in seen.values() for diagnostic in record["diagnostics"]})


ALL = ["trusses/archive/old/config.yaml", "trusses/gen/overlays.yaml", "trusses/hf/config.yaml"]

KEYS = [
    pytest.param(None, [], dialect, "seed", id="dialect-default"),
    pytest.param('dialect = "truss"', [], dialect, "truss", id="dialect-from-the-file"),
    pytest.param('dialect = "truss"', ["--dialect", "seed"], dialect, "seed", id="dialect-command-line-wins"),
    pytest.param(None, [], mount_root, "/app/model_cache", id="mount-root-default"),
    pytest.param('mount-root = "/models"', [], mount_root, "/models", id="mount-root-from-the-file"),
    pytest.param('mount-root = "/models/"', [], mount_root, "/models", id="mount-root-trailing-slash-dropped"),
    pytest.param(
        'mount-root = "/models"', ["--mount-root", "/srv"], mount_root, "/srv", id="mount-root-command-line-wins"
    ),
    pytest.param(None, [], scanned, ALL, id="exclude-default"),
    pytest.param('exclude = ["archive"]', [], scanned, ALL[1:], id="exclude-from-the-file"),
    pytest.param('exclude = ["archive", "gen"]', [], scanned, ALL[2:], id="exclude-several-globs"),
    pytest.param(
        'exclude = ["archive"]', ["--exclude", "gen"], scanned, [ALL[0], ALL[2]], id="exclude-command-line-replaces"
    ),
    pytest.param('exclude = ["archive"]', ["--exclude", "archive"], scanned, ALL[1:], id="exclude-same-on-both"),
    pytest.param(None, [], generator, "unchanged", id="nested-default"),
    pytest.param("nested = true", [], generator, "would-migrate", id="nested-from-the-file"),
    pytest.param("nested = false", ["--nested"], generator, "would-migrate", id="nested-command-line-wins"),
    pytest.param("nested = true", ["--no-nested"], generator, "unchanged", id="nested-command-line-turns-it-off"),
    pytest.param(None, [], readme, "not read", id="docs-default"),
    pytest.param("docs = true", [], readme, "would-migrate", id="docs-from-the-file"),
    pytest.param("docs = false", ["--docs"], readme, "would-migrate", id="docs-command-line-wins"),
    pytest.param("docs = true", ["--no-docs"], readme, "not read", id="docs-command-line-turns-it-off"),
    pytest.param(None, [], codes, ["W001", "W040"], id="ignore-default"),
    pytest.param('ignore = ["W001"]', [], codes, ["W040"], id="ignore-one-code"),
    pytest.param('ignore = ["W001", "W040"]', [], codes, [], id="ignore-two-codes"),
    pytest.param("ignore = []", [], codes, ["W001", "W040"], id="ignore-nothing"),
    pytest.param("", [], codes, ["W001", "W040"], id="an-empty-table-changes-nothing"),
]


@pytest.mark.parametrize("table, options, seen, expected", KEYS)
def test_each_key_and_the_command_line_over_it(
    project: Path,
    table: str | None,
    options: list[str],
    seen: Callable[[dict[str, dict[str, Any]]], object],
    expected: object,
) -> None:
    if table is not None:
        write(project / "pyproject.toml", f"{TABLE}{table}\n")
    assert seen(records(*options)) == expected


# A test module of the hf truss: left and reported unless include-tests (or --include-tests) says otherwise.
TEST_MODULE = d("""
    from truss.base.truss_config import ModelRepo, TrussConfig

    CONFIG = TrussConfig(model_cache=[ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])
    """)

INCLUDE_TESTS = [
    pytest.param(None, [], "unchanged", id="include-tests-default"),
    pytest.param("include-tests = true", [], "would-migrate", id="include-tests-from-the-file"),
    pytest.param("include-tests = false", ["--include-tests"], "would-migrate", id="include-tests-command-line-wins"),
    pytest.param(
        "include-tests = true", ["--no-include-tests"], "unchanged", id="include-tests-command-line-turns-it-off"
    ),
]


@pytest.mark.parametrize("table, options, expected", INCLUDE_TESTS)
def test_include_tests_and_the_command_line_over_it(
    project: Path, table: str | None, options: list[str], expected: str
) -> None:
    write(project / "trusses/hf/tests/test_config.py", TEST_MODULE)
    if table is not None:
        write(project / "pyproject.toml", f"{TABLE}{table}\n")
    record = records(*options)["trusses/hf/tests/test_config.py"]
    assert record["status"] == expected
    held = [diagnostic["code"] for diagnostic in record["diagnostics"] if diagnostic["code"] == "W122"]
    assert held == (["W122"] * 2 if expected == "unchanged" else [])


def test_a_pyproject_without_the_table_changes_nothing(project: Path) -> None:
    without = records()
    write(project / "pyproject.toml", OTHER_TOOL + "[project]\nname = 'x'\n")
    assert records() == without


# --- ignored codes, in every format: (options, a line of an ignored code's report) -------------------

FORMATS = [
    pytest.param(["--check"], re.compile(r" W001 "), id="text"),
    pytest.param(["--check", "--format", "json"], re.compile(r'"code": "W001"'), id="json"),
    pytest.param(["--check", "--format", "github"], re.compile(r"title=W001"), id="github"),
]


@pytest.mark.parametrize("options, report", FORMATS)
def test_an_ignored_code_is_not_reported(project: Path, options: list[str], report: re.Pattern[str]) -> None:
    code, out, err = invoke(*options, "trusses")
    assert code == 1 and report.search(out + err), (out, err)
    write(project / "pyproject.toml", f'{TABLE}ignore = ["W001"]\n')
    code, out, err = invoke(*options, "trusses")
    assert code == 1, err  # the work is still pending: ignoring a report does not change the exit code
    assert not report.search(out + err), (out, err)


def test_an_ignored_notice_is_not_reported(project: Path) -> None:
    _code, _out, err = invoke("--check", "trusses")
    assert "weights-migrate: W013 " in err
    write(project / "pyproject.toml", f'{TABLE}ignore = ["W013"]\n')
    _code, out, _err = invoke("--check", "--format", "json", "trusses")
    assert json.loads(out)["summary"]["diagnostics"] == []


# --- bad settings: exit 2, the file and the key named: (pyproject.toml's bytes, the message) ---------

PREFIX = "weights-migrate: error: pyproject.toml: [tool.weights-migrate] "

BAD = [
    pytest.param('dialect = "foo"', 'dialect must be "seed" or "truss", not "foo"', id="dialect-unknown"),
    pytest.param("dialect = 1", 'dialect must be "seed" or "truss", not 1', id="dialect-not-a-string"),
    pytest.param(
        'mount-root = "models"', 'mount-root must be an absolute path, not "models"', id="mount-root-relative"
    ),
    pytest.param("mount-root = true", "mount-root must be an absolute path, not true", id="mount-root-not-a-string"),
    pytest.param(
        'exclude = "archive"',
        'exclude must be a list of globs (e.g. ["archive/*"]), not "archive"',
        id="exclude-a-string",
    ),
    pytest.param(
        'exclude = ["a", 1]',
        'exclude must be a list of globs (e.g. ["archive/*"]), not ["a", 1]',
        id="exclude-a-number",
    ),
    pytest.param('nested = "yes"', 'nested must be true or false, not "yes"', id="nested-a-string"),
    pytest.param("docs = 1", "docs must be true or false, not 1", id="docs-a-number"),
    pytest.param('include-tests = "no"', 'include-tests must be true or false, not "no"', id="include-tests-a-string"),
    pytest.param(
        "include_tests = true",
        'has an unknown key "include_tests" (did you mean "include-tests"?)',
        id="include_tests-spelt-with-an-underscore",
    ),
    pytest.param(
        'ignore = "W001"', 'ignore must be a list of warning codes (e.g. ["W112"]), not "W001"', id="ignore-a-string"
    ),
    pytest.param('ignore = ["W999"]', 'ignore holds an unknown code, "W999"', id="ignore-an-unknown-code"),
    pytest.param('ignore = ["w001"]', 'ignore holds an unknown code, "w001"', id="ignore-lower-case"),
    pytest.param(
        'ignore = ["W001", "E001"]', 'ignore holds "E001", an error: only warnings can be ignored', id="ignore-an-error"
    ),
    pytest.param(
        'mount_root = "/models"',
        'has an unknown key "mount_root" (did you mean "mount-root"?)',
        id="mount_root-spelt-with-an-underscore",
    ),
    pytest.param('dialekt = "truss"', 'has an unknown key "dialekt" (did you mean "dialect"?)', id="a-typo"),
    pytest.param(
        "colour = true",
        'has an unknown key "colour" (the keys: dialect, docs, exclude, ignore, include-tests, mount-root, nested)',
        id="an-unknown-key",
    ),
]


@pytest.mark.parametrize("table, message", BAD)
def test_a_bad_setting_exits_2_naming_the_file_and_the_key(project: Path, table: str, message: str) -> None:
    write(project / "pyproject.toml", f"{TABLE}{table}\n")
    code, out, err = invoke("trusses")
    assert (code, out, err) == (2, "", PREFIX + message + "\n")
    assert project.joinpath("trusses/hf/config.yaml").read_text() == HF


UNREADABLE = [
    pytest.param(
        "pyproject.toml",
        b"[tool.weights-migrate]\ndialect = \n",
        "pyproject.toml:2:11: invalid TOML: Invalid value",
        id="a-value-missing",
    ),
    pytest.param(
        "pyproject.toml",
        b"[project]\nname = 'x'\n[tool.weights-migrate",
        "pyproject.toml:3:22: invalid TOML: Expected ']' at the end of a table declaration",
        id="at-the-end-of-the-document",
    ),
    pytest.param(
        "pyproject.toml",
        b'[tool.weights-migrate]\ndialect = "truss"\ndialect = "seed"\n',
        "pyproject.toml:3:17: invalid TOML: Cannot overwrite a value",
        id="a-key-twice",
    ),
    pytest.param(
        "pyproject.toml",
        b'[tool.weights-migrate]\nexclude = ["caf\xe9"]\n',
        "pyproject.toml:2:16: invalid TOML: not UTF-8 text",
        id="not-utf-8",
    ),
    pytest.param(
        "trusses/pyproject.toml",
        b"[tool.black\n",
        "trusses/pyproject.toml:1:12: invalid TOML: Expected ']' at the end of a table declaration",
        id="on-the-way-up",
    ),
    pytest.param(
        "pyproject.toml",
        b"[tool]\nweights-migrate = 1\n",
        "pyproject.toml: [tool.weights-migrate] must be a table, not 1",
        id="not-a-table",
    ),
]


@pytest.mark.parametrize("name, data, message", UNREADABLE)
def test_a_file_that_does_not_read_as_toml_exits_2_naming_its_line(
    project: Path, name: str, data: bytes, message: str
) -> None:
    write(project / name, data)
    code, out, err = invoke("trusses")
    assert (code, out, err) == (2, "", f"weights-migrate: error: {message}\n")


def test_a_bad_setting_is_reported_even_when_the_command_line_overrides_it(project: Path) -> None:
    write(project / "pyproject.toml", f'{TABLE}dialect = "foo"\n')
    code, _out, err = invoke("--dialect", "truss", "trusses")
    assert code == 2 and 'dialect must be "seed" or "truss", not "foo"' in err


# --- the cost of looking --------------------------------------------------------------------------

PROBES = [
    pytest.param("import migrate.cli", False, False, id="importing-the-cli"),
    pytest.param("from migrate.run.settings import load; load(['.'])", False, False, id="no-pyproject-found"),
    pytest.param("from migrate.run.settings import load; load(['.'])", True, True, id="a-pyproject-found"),
]


@pytest.mark.parametrize("probe, pyproject, parsed", PROBES)
def test_toml_is_loaded_only_when_a_pyproject_is_found(
    tmp_path: Path, probe: str, pyproject: bool, parsed: bool
) -> None:
    (tmp_path / ".git").mkdir()
    if pyproject:
        write(tmp_path / "pyproject.toml", OTHER_TOOL)
    code = f"import sys; {probe}; print('tomllib' in sys.modules or 'tomli' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(parsed)


def test_the_readme_example_is_a_valid_table(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    [example] = re.findall(r"```toml\n(.+?)```", readme, re.S)
    write(tmp_path / ".git" / "HEAD", "")
    write(tmp_path / "pyproject.toml", example)
    assert load([str(tmp_path)]).dialect == "truss"
