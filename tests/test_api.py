"""The Python API: only what the package root exports (`import migrate`), as another tool uses it.

Each row gives a text, the keyword options, and the expected outcome: the status, the new
text (None unless it changes) and the diagnostics as `LINE:COL:CODE`.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

import migrate
from migrate import Diagnostic, Outcome, Status, migrate_config, migrate_markdown, migrate_python

VOLUME = "model_cache:\n  - repo_id: org/m\n    use_volume: true\n    volume_folder: m\n"
LEGACY = "model_cache:\n  - repo_id: org/m\n"
GENERATOR = (
    "from truss.base.truss_config import ModelCache, ModelRepo, TrussConfig\n\n"
    'CONFIG = TrussConfig(model_cache=ModelCache([ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")]))\n'
)


def codes(outcome: Outcome) -> list[str]:
    return [f"{d.line}:{d.col}:{d.code}" for d in outcome.diagnostics]


def check(outcome: Outcome, status: Status, text: str | None, diagnostics: list[str]) -> None:
    assert outcome.status is status
    assert outcome.text == text
    assert codes(outcome) == diagnostics
    assert all(isinstance(d, Diagnostic) for d in outcome.diagnostics)


CONFIGS = [
    pytest.param(
        VOLUME,
        {},
        Status.MIGRATED,
        "weights:\n  - source: hf://org/m\n    mount_location: /app/model_cache/m\n",
        [],
        id="config-migrated",
    ),
    pytest.param(
        LEGACY,
        {},
        Status.MIGRATED,
        "weights:\n  - source: hf://org/m\n    mount_location: /app/model_cache/org_m\n",
        ["2:5:W001"],
        id="legacy-entry-migrated-with-its-warning",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/m\n    revision: main\n    use_volume: true\n    volume_folder: m\n",
        {"dialect": "truss", "mount_root": "/models/"},
        Status.MIGRATED,
        "weights:\n  - source: hf://org/m@main\n    mount_location: /models/m\n",
        [],
        id="options-as-keywords-truss-dialect-and-mount-root",
    ),
    pytest.param(
        "gen:\n  model_cache:\n    - repo_id: org/m\n      use_volume: true\n      volume_folder: m\n",
        {"nested": True},
        Status.MIGRATED,
        "gen:\n  weights:\n    - source: hf://org/m\n      mount_location: /app/model_cache/m\n",
        ["2:3:W042"],
        id="nested-block-under-nested",
    ),
    pytest.param(
        "gen:\n  model_cache:\n    - repo_id: org/m\n      use_volume: true\n      volume_folder: m\n",
        {},
        Status.UNCHANGED,
        None,
        ["2:3:W040"],
        id="nested-block-left-by-default",
    ),
    pytest.param("model_cache:\n  - kind: hf\n", {}, Status.FAILED, None, ["2:5:E005"], id="error-with-its-diagnostic"),
    pytest.param("model_cache: [\n", {}, Status.FAILED, None, ["2:1:E001"], id="invalid-yaml"),
]

UNCHANGED_CONFIGS = [
    pytest.param("python_version: py311\n", id="no-block"),
    pytest.param("", id="empty"),
    pytest.param("weights:\n  - source: hf://org/m\n    mount_location: /m\n", id="already-weights"),
    pytest.param("# model_cache: []\nname: x\n", id="block-in-a-comment"),
]


@pytest.mark.parametrize(("text", "options", "status", "expected", "diagnostics"), CONFIGS)
def test_migrate_config(
    text: str, options: dict[str, Any], status: Status, expected: str | None, diagnostics: list[str]
) -> None:
    check(migrate_config(text, **options), status, expected, diagnostics)


@pytest.mark.parametrize("text", UNCHANGED_CONFIGS)
def test_migrate_config_leaves_text_without_block(text: str) -> None:
    check(migrate_config(text), Status.UNCHANGED, None, [])


PYTHON = [
    pytest.param(
        GENERATOR,
        {},
        Status.MIGRATED,
        "from truss.base.truss_config import TrussConfig, Weights, WeightsSource\n\n"
        "CONFIG = TrussConfig(\n"  # one character longer than the longest line it had: split
        '    weights=Weights([WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")])\n'
        ")\n",
        ["3:10:W104", "3:34:W103", "3:46:W101"],
        id="module-rewritten",
    ),
    pytest.param(
        GENERATOR,
        {"dialect": "truss", "mount_root": "/models"},
        Status.MIGRATED,
        "from truss.base.truss_config import TrussConfig, Weights, WeightsSource\n\n"
        'CONFIG = TrussConfig(weights=Weights([WeightsSource(source="hf://org/a", mount_location="/models/a")]))\n',
        ["3:10:W104", "3:34:W103", "3:46:W101"],
        id="module-options-as-keywords",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\n\npath = snapshot_download("org/m")\n',
        {"truss_config": LEGACY},
        Status.MIGRATED,
        'path = "/app/model_cache/org_m"\n',
        ["3:8:W111"],
        id="loader-of-the-truss-legacy-entry",
    ),
    pytest.param(
        'WEIGHTS = "/app/model_cache/m/config.json"\n',
        {"truss_config": VOLUME, "mount_root": "/models"},
        Status.MIGRATED,
        'WEIGHTS = "/models/m/config.json"\n',
        ["1:11:W008"],
        id="path-moved-with-the-truss-mount-root",
    ),
    pytest.param(
        GENERATOR,
        {"test_module": True},
        Status.UNCHANGED,
        None,
        ["3:10:W122", "3:34:W122", "3:46:W122"],
        id="test-module-left-each-rewrite-reported",
    ),
    pytest.param("def f(:\n", {}, Status.FAILED, None, ["1:7:E030"], id="syntax-error"),
]

UNCHANGED_PYTHON = [
    pytest.param("import os\n", {}, id="no-cache"),
    pytest.param(
        'from huggingface_hub import snapshot_download\n\npath = snapshot_download("org/m")\n', {}, id="no-truss"
    ),
    pytest.param('WEIGHTS = "/app/model_cache/m/config.json"\n', {"truss_config": VOLUME}, id="default-mount-root"),
]


def _python_options(options: dict[str, Any]) -> dict[str, Any]:
    """A row's truss_config is the config's text; the API takes migrate_config's outcome."""
    options = dict(options)
    if "truss_config" in options:
        options["truss_config"] = migrate_config(
            options["truss_config"], mount_root=options.get("mount_root", "/app/model_cache")
        )
    return options


@pytest.mark.parametrize(("text", "options", "status", "expected", "diagnostics"), PYTHON)
def test_migrate_python(
    text: str, options: dict[str, Any], status: Status, expected: str | None, diagnostics: list[str]
) -> None:
    check(migrate_python(text, **_python_options(options)), status, expected, diagnostics)


@pytest.mark.parametrize(("text", "options"), UNCHANGED_PYTHON)
def test_migrate_python_leaves_module(text: str, options: dict[str, Any]) -> None:
    check(migrate_python(text, **_python_options(options)), Status.UNCHANGED, None, [])


MARKDOWN = [
    pytest.param(
        f"# Deploy\n\n```yaml\n{VOLUME}```\n",
        {},
        Status.MIGRATED,
        "# Deploy\n\n```yaml\nweights:\n  - source: hf://org/m\n    mount_location: /app/model_cache/m\n```\n",
        [],
        id="yaml-fence-migrated",
    ),
    pytest.param(f"```python\n{GENERATOR}```\n", {"code": False}, Status.UNCHANGED, None, [], id="python-fence-left"),
    pytest.param(
        "```yaml\nmodel_cache:\n  - kind: hf\n```\n", {}, Status.FAILED, None, ["3:5:E005"], id="error-at-doc-line"
    ),
]


@pytest.mark.parametrize(("text", "options", "status", "expected", "diagnostics"), MARKDOWN)
def test_migrate_markdown(
    text: str, options: dict[str, Any], status: Status, expected: str | None, diagnostics: list[str]
) -> None:
    check(migrate_markdown(text, **options), status, expected, diagnostics)


BAD_OPTIONS = [
    pytest.param(migrate_config, {"dialect": "v2"}, ValueError, id="unknown-dialect"),
    pytest.param(migrate_config, {"mount_root": "models"}, ValueError, id="relative-mount-root"),
    pytest.param(migrate_python, {"mount_root": "models"}, ValueError, id="python-relative-mount-root"),
    pytest.param(migrate_config, {"mount": "/m"}, TypeError, id="unknown-option"),
]


@pytest.mark.parametrize(("function", "options", "error"), BAD_OPTIONS)
def test_bad_options_raise(function: Any, options: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        function(VOLUME, **options)


@pytest.mark.parametrize("function", [migrate_config, migrate_python, migrate_markdown])
def test_options_are_keywords_only(function: Any) -> None:
    with pytest.raises(TypeError):
        function(VOLUME, "truss")


def test_statuses_are_the_report_values() -> None:
    assert [s.value for s in Status] == ["migrated", "would-migrate", "unchanged", "failed"]
    assert Status("failed") is Status.FAILED and isinstance(Status.FAILED, str)
    assert f"{Status.WOULD_MIGRATE}" == "would-migrate"


def test_codes_are_exported() -> None:
    outcome = migrate_config("model_cache:\n  - kind: hf\n")
    assert all(d.code in migrate.CODES for d in outcome.diagnostics)


def test_import_is_cheap() -> None:
    """The root loads no editor: neither ruamel.yaml, libcst, nor the editors themselves."""
    heavy = ["ruamel.yaml", "libcst", "migrate.yaml_edit", "migrate.code_edit", "migrate.docs", "migrate.runner"]
    probe = f"import sys, migrate; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
