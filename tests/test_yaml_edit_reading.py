"""YAML 1.1 scalars, anchors, `hf_cache` and empty blocks, read the way truss reads them.

Rows are `pytest.param(input_text, expected_text, expected_codes, id=...)` for
`migrate.config.edit.migrate`; expected_codes is compared sorted. Each migrated row gives the
exact full output text: SPEC "Keeping the file" says the output is the input with only the block
changed (plus the "Beyond the block" edits), so every byte of the expectation is meaningful. Rows
whose expected text equals the input must come back 'unchanged'.
"""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML
from support import check_actual_output_second_run, check_migration, check_second_run, d, migrated_rows

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import Context

DEFAULT = Context()


READINGS = [
    # -- YAML 1.1 scalars, read the way Truss (PyYAML) reads them
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: yes
                volume_folder: x
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        [],
        id="use-volume-yes-is-a-yaml11-boolean",
    ),
    # PyYAML (which Truss uses) reads a bare `n` as the string "n", not a boolean.
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: n
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/n
            """),
        [],
        id="volume-folder-n-is-a-string-for-pyyaml",
    ),
    # a null volume_folder is "absent": exactly one mount_location must come out
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                volume_folder: null
                use_volume: false
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/a_b
            """),
        ["W001"],
        id="volume-folder-null-legacy",
    ),
    # -- anchors and aliases
    pytest.param(
        d("""
            x: &a 1
            y: *a
            base: &base {cpu: "1"}
            resources:
              <<: *base
              use_gpu: true
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            z: *a
            """),
        d("""
            x: &a 1
            y: *a
            base: &base {cpu: "1"}
            resources:
              <<: *base
              use_gpu: true
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            z: *a
            """),
        [],
        id="anchors-aliases-elsewhere",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                revision: &r main
                use_volume: true
                volume_folder: x
            model_metadata:
              revision: *r
            """),
        d("""
            weights:
              - source: hf://a/b
                revision: &r main
                mount_location: /app/model_cache/x
            model_metadata:
              revision: *r
            """),
        [],
        id="anchor-on-kept-revision",
    ),
    # -- hf_cache and empty blocks
    pytest.param(
        d("""
            hf_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        [],
        id="hf-cache-key",
    ),
    pytest.param("model_name: m\nmodel_cache: []\n", "model_name: m\nmodel_cache: []\n", [], id="empty-list-unchanged"),
    pytest.param("model_cache:\nmodel_name: m\n", "model_cache:\nmodel_name: m\n", [], id="null-unchanged"),
    pytest.param("hf_cache: []\n", "hf_cache: []\n", [], id="empty-hf-cache-unchanged"),
    pytest.param(
        "model_name: m\nweights:\n  - source: hf://a/b\n",
        "model_name: m\nweights:\n  - source: hf://a/b\n",
        [],
        id="no-block-unchanged",
    ),
    pytest.param(
        "t:\n  model_cache:\n    - repo_id: a/b\n",
        "t:\n  model_cache:\n    - repo_id: a/b\n",
        ["W040"],
        id="nested-model-cache-unchanged",
    ),
    pytest.param(
        "model_cache: []\nweights: []\n",
        "model_cache: []\nweights: []\n",
        [],
        id="empty-weights-beside-empty-model-cache-unchanged",
    ),
]


@pytest.mark.parametrize("input_text, expected_text, expected_codes", READINGS)
def test_migrate_table(input_text, expected_text, expected_codes):
    check_migration(input_text, expected_text, expected_codes, DEFAULT)


@pytest.mark.parametrize("output_text, ctx", migrated_rows(READINGS, DEFAULT, output=True))
def test_second_run_is_unchanged(output_text, ctx):
    """Run on the expected output of every migrated row (the table fixes it to the real output)."""
    check_second_run(output_text, ctx)


@pytest.mark.parametrize("input_text, ctx", migrated_rows(READINGS, DEFAULT, output=False))
def test_second_run_on_actual_output_is_unchanged(input_text, ctx):
    check_actual_output_second_run(input_text, ctx)


@pytest.mark.parametrize(
    "text",
    ["", "\n", "# only a comment\n", "- a\n- b\n", "just a string\n", "\ufeff", "model_name: m\n"],
    ids=["empty", "newline", "comment", "top-level-list", "scalar", "bom-only", "no-block"],
)
def test_nothing_to_do(text):
    outcome = migrate_config(text, DEFAULT)
    assert outcome.status == "unchanged"
    assert outcome.text is None


@pytest.mark.parametrize("empty", ["[]", "", "null"], ids=["list", "bare", "null"])
def test_empty_weights_beside_model_cache_is_not_an_error(empty):
    """SPEC: only `model_cache` together with a *non-empty* `weights` is an error."""
    text = f"model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\nweights: {empty}\n".replace(
        ": \n", ":\n"
    )
    outcome = migrate_config(text, DEFAULT)
    assert outcome.status == "migrated", outcome.diagnostics
    data = YAML(typ="safe").load(outcome.text)  # the safe loader rejects duplicate keys
    assert data["weights"] == [{"source": "hf://a/b", "mount_location": "/app/model_cache/x"}]
    assert "model_cache" not in data
