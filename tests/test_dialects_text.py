"""The two target dialects side by side: `config_edit.migrate` with exact before/after texts.

Every migrated output loads, validates, is stable, and (truss dialect) is accepted by truss itself
(README "The truss dialect", SPEC "Truss dialect").
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml
from support import d

from migrate.config import edit as config_edit
from migrate.config import schema
from migrate.core.context import SEED, TRUSS, Context

if importlib.util.find_spec("truss") is None:  # the oracle extra (truss==0.18.36)
    pytest.skip("truss is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from truss.base.truss_config import TrussConfig


def load(text: str) -> dict:
    return yaml.safe_load(text)  # as truss reads it


def accepted_by_truss(text: str, tmp_path: Path) -> TrussConfig:
    """What `truss push` checks: from_yaml, then no unknown keys anywhere."""
    path = tmp_path / "config.yaml"
    path.write_text(text)
    config = TrussConfig.from_yaml(path)
    config.validate_forbid_extra()
    return config


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


# 3. the config editor, truss dialect: exact texts
# =====================================================================================


def mrow(id_, before, after, warnings=(), dialect=TRUSS):
    """A row; in the truss dialect truss itself reads the output (an oracle row)."""
    marks = pytest.mark.oracle if dialect is TRUSS else ()
    return pytest.param(d(before), d(after), sorted(warnings), dialect, id=id_, marks=marks)


MIGRATIONS = [
    mrow(
        "block-entry-revision-kind-secret",
        """
        model_name: llama  # the name
        secrets:
          hf_access_token: null
        model_cache:
          - repo_id: org/name  # the model
            kind: hf
            revision: main
            use_volume: true
            volume_folder: llama
          - repo_id: org/other
            runtime_secret_name: my_token
            use_volume: true
            volume_folder: other
        python_version: py311
        """,
        """
        model_name: llama  # the name
        secrets:
          hf_access_token: null
        weights:
          - source: hf://org/name@main  # the model
            auth_secret_name: hf_access_token
            mount_location: /app/model_cache/llama
          - source: hf://org/other
            auth_secret_name: my_token
            mount_location: /app/model_cache/other
        python_version: py311
        """,
        ["W006"],
    ),
    mrow(
        "corpus-like-external-data-at-the-end",
        """
        model_name: x
        model_cache:
        - repo_id: org/name
          use_volume: true
          volume_folder: llama
        external_data:
        - url: https://example.com/a.bin
          local_data_path: models/a.bin
          backend: http_public
        - url: https://example.com/b.bin
          local_data_path: b.bin
          name: b
        """,
        """
        model_name: x
        weights:
        - source: hf://org/name
          mount_location: /app/model_cache/llama
        - source: https://example.com/a.bin
          mount_location: /app/data/models/a.bin
        - source: https://example.com/b.bin
          mount_location: /app/data/b.bin
        """,
        ["W012"],
    ),
    mrow(
        "external-data-in-the-middle-with-comments",
        """
        model_name: x
        model_cache:
          - repo_id: org/name
            use_volume: true
            volume_folder: llama
        external_data:
          # the tokenizer
          - url: https://example.com/tok.json
            local_data_path: tok.json  # small
        python_version: py311
        """,
        """
        model_name: x
        weights:
          - source: hf://org/name
            mount_location: /app/model_cache/llama
          - source: https://example.com/tok.json
            mount_location: /app/data/tok.json
          # the tokenizer
            # small
        python_version: py311
        """,
        ["W012"],
    ),
    mrow(
        "only-external-data-renamed-in-place",
        """
        model_name: x
        # data below
        external_data:  # remote files
          - url: https://example.com/a.bin  # weights
            local_data_path: a.bin
            backend: http_public  # the default
            name: a
        resources:
          cpu: "1"
        """,
        """
        model_name: x
        # data below
        weights:  # remote files
          - source: https://example.com/a.bin  # weights
            mount_location: /app/data/a.bin
            # the default
        resources:
          cpu: "1"
        """,
        ["W012"],
    ),
    mrow(
        "flow-model-cache-plus-external-data",
        """
        model_name: x
        model_cache: [{repo_id: org/name, revision: v1, use_volume: true, volume_folder: llama}]
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        """
        model_name: x
        weights: [{source: "hf://org/name@v1", mount_location: /app/model_cache/llama}, {source: "https://example.com/a.bin", mount_location: /app/data/a.bin}]
        """,
        ["W012"],
    ),
    mrow(
        "four-space-indentation",
        """
        model_name: x
        model_cache:
            -   repo_id: org/name
                revision: v1
                use_volume: true
                volume_folder: llama
        external_data:
            -   url: https://example.com/a.bin
                local_data_path: a.bin
        """,
        """
        model_name: x
        weights:
            -   source: hf://org/name@v1
                mount_location: /app/model_cache/llama
            -   source: https://example.com/a.bin
                mount_location: /app/data/a.bin
        """,
        ["W012"],
    ),
    mrow(
        "external-data-first-then-model-cache",
        """
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        model_cache:
          - repo_id: s3://bucket/path
            kind: s3
            use_volume: true
            volume_folder: w
        """,
        """
        weights:
          - source: s3://bucket/path
            mount_location: /app/model_cache/w
          - source: https://example.com/a.bin
            mount_location: /app/data/a.bin
        """,
        ["W012"],
    ),
    mrow(
        "seed-dialect-leaves-external-data",
        """
        model_cache:
          - repo_id: org/name
            use_volume: true
            volume_folder: llama
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        """
        weights:
          - source: hf://org/name
            mount_location: /app/model_cache/llama
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        ["W010"],
        dialect=SEED,
    ),
]


@pytest.mark.parametrize("before, after, warnings, dialect", MIGRATIONS)
def test_migrate_text_dialects(before, after, warnings, dialect, tmp_path):
    outcome = config_edit.migrate(before, Context(dialect=dialect))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == after
    assert codes(outcome.diagnostics) == warnings
    data = load(outcome.text)
    assert schema.problems(data["weights"], dialect) == []
    assert config_edit.migrate(outcome.text, Context(dialect=dialect)).status == "unchanged"
    if dialect is TRUSS:
        assert "external_data" not in data and "model_cache" not in data
        config = accepted_by_truss(outcome.text, tmp_path)
        assert [w.model_dump(exclude_none=True) for w in config.weights.sources] == data["weights"]


FAILURES = [
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: llama\n"
        "weights:\n  - source: hf://a/b\n    mount_location: /m\n",
        "E013",
        5,
        id="model-cache-beside-non-empty-weights",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: llama\n"
        "external_data:\n  - local_data_path: a.bin\n",
        "E018",
        6,
        id="external-data-item-without-url",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n",
        "E018",
        2,
        id="only-external-data-item-without-local-data-path",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a\n    sha256: abc\n",
        "E018",
        4,
        id="external-data-unknown-key",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: ../a\n",
        "E011",
        3,
        id="external-data-dotdot",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: /app/data/a.bin\n"
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a.bin\n",
        "E012",
        6,
        id="duplicate-mount-across-model-cache-and-external-data",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a.bin\n"
        "  - url: https://example.com/b.bin\n    local_data_path: ./a.bin\n",
        "E012",
        4,
        id="duplicate-mount-within-external-data",
    ),
]


@pytest.mark.parametrize("text, code, line", FAILURES)
def test_migrate_text_truss_dialect_errors(text, code, line):
    outcome = config_edit.migrate(text, Context(dialect=TRUSS))
    assert outcome.status == "failed"
    assert outcome.text is None  # the file stays as it is
    assert [(diag.code, diag.line) for diag in outcome.diagnostics] == [(code, line)]


def test_seed_dialect_never_complains_about_external_data_errors():
    """In the seed dialect external_data is not read at all: a broken item is not an error."""
    text = (
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: a\nexternal_data:\n  - url: x\n"
    )
    outcome = config_edit.migrate(text, Context(dialect=SEED))
    assert outcome.status == "migrated" and codes(outcome.diagnostics) == ["W010"]
    assert outcome.text.endswith("external_data:\n  - url: x\n")


@pytest.mark.oracle
@pytest.mark.parametrize("url", ["http://example.com/a.bin", "https://example.com/a.bin"])
def test_external_data_url_is_either_refused_or_accepted_by_truss(url, tmp_path):
    """The truss dialect must never write a config truss 0.18 refuses (http:// is not one of its schemes)."""
    text = f"external_data:\n  - url: {url}\n    local_data_path: a.bin\n"
    outcome = config_edit.migrate(text, Context(dialect=TRUSS))
    if outcome.status == "migrated":
        accepted_by_truss(outcome.text, tmp_path)
    else:
        assert outcome.status == "failed" and outcome.text is None


# =====================================================================================
