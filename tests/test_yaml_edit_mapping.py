"""The mapping written as text: entries, the implicit Hugging Face secret, start_command and moved paths.

Rows are `pytest.param(input_text, expected_text, expected_codes, id=...)` for
`migrate.config.edit.migrate`; expected_codes is compared sorted. Each migrated row gives the
exact full output text: SPEC "Keeping the file" says the output is the input with only the block
changed (plus the "Beyond the block" edits), so every byte of the expectation is meaningful. Rows
whose expected text equals the input must come back 'unchanged'.
"""

from __future__ import annotations

import pytest
from support import check_actual_output_second_run, check_migration, check_second_run, codes, d, migrated_rows

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import Context

DEFAULT = Context()


MAPPING = [
    # -- the mapping, as text
    pytest.param(
        d("""
            model_cache:
              - repo_id: s3://bkt/p
                revision: main
                use_volume: true
                volume_folder: s
              - repo_id: gs://g/p/
                use_volume: true
                volume_folder: g
              - repo_id: acct/cont/p
                kind: azure
                use_volume: false
            """),
        d("""
            weights:
              - source: s3://bkt/p
                mount_location: /app/model_cache/s
              - source: gs://g/p/
                mount_location: /app/model_cache/g
              - source: azure://acct/cont/p
                mount_location: /app/model_cache/acct/cont/p
            """),
        ["W001", "W002", "W002", "W003"],
        id="cloud-entries-and-revision",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: /data/w
              - repo_id: c/d
                use_volume: true
                volume_folder: ./x//y/
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /data/w
              - source: hf://c/d
                mount_location: /app/model_cache/x/y
            """),
        [],
        id="absolute-and-unnormalised-folders",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: hf://a/b
                allow_patterns: ["*.json", "*.safetensors"]
                ignore_patterns:
                  - original/*
                runtime_secret_name: my_token
                use_volume: true
                volume_folder: x
            """),
        d("""
            weights:
              - source: hf://a/b
                allow_patterns: ["*.json", "**/*.json", "*.safetensors", "**/*.safetensors"]
                ignore_patterns:
                  - original/*
                  - original/**/*
                runtime_secret_name: my_token
                mount_location: /app/model_cache/x
            """),
        ["W014"],
        id="hf-scheme-kept-and-patterns-rewritten",
    ),
    # -- the implicit Hugging Face secret
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: false
            secrets:
              hf_access_token: null
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/a_b
                runtime_secret_name: hf_access_token
            secrets:
              hf_access_token: null
            """),
        ["W001", "W006"],
        id="implicit-secret-added",
    ),
    pytest.param(
        d("""
            secrets: {hf_access_token: null}
            model_cache:
              - repo_id: "a/b"
            """),
        d("""
            secrets: {hf_access_token: null}
            weights:
              - source: "hf://a/b"
                mount_location: "/app/model_cache/a_b"
                runtime_secret_name: "hf_access_token"
            """),
        ["W001", "W006"],
        id="implicit-secret-flow-secrets",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                runtime_secret_name: other
                use_volume: true
                volume_folder: x
              - repo_id: s3://bkt/p
                use_volume: true
                volume_folder: z
            secrets:
              hf_access_token: null
            """),
        d("""
            weights:
              - source: hf://a/b
                runtime_secret_name: other
                mount_location: /app/model_cache/x
              - source: s3://bkt/p
                mount_location: /app/model_cache/z
            secrets:
              hf_access_token: null
            """),
        ["W002"],
        id="implicit-secret-not-added-when-given-or-cloud",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
            secrets:
              other_token: null
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/a_b
            secrets:
              other_token: null
            """),
        ["W001"],
        id="implicit-secret-not-added-without-secrets",
    ),
    # -- beyond the block: start_command
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            docker_server:
              start_command: sh -c "truss-transfer-cli && python x"
              server_port: 8000
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            docker_server:
              start_command: sh -c "python x"
              server_port: 8000
            """),
        ["W004"],
        id="start-command-transfer-cli-dropped",
    ),
    pytest.param(
        d("""
            docker_server:
              start_command: "truss-transfer-cli && vllm serve /app/model_cache/x"
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            """),
        d("""
            docker_server:
              start_command: "vllm serve /app/model_cache/x"
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        ["W004"],
        id="start-command-bare-and-quoted",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            docker_server:
              start_command: sh -c "truss-transfer-cli && python x"
            trt_llm:
              build:
                checkpoint_repository: {source: HF, repo: a/b}
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            docker_server:
              start_command: sh -c "truss-transfer-cli && python x"
            trt_llm:
              build:
                checkpoint_repository: {source: HF, repo: a/b}
            """),
        [],
        id="start-command-kept-with-trt-llm",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            docker_server:
              start_command: |
                truss-transfer-cli && python x
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            docker_server:
              start_command: |
                python x
            """),
        ["W004"],
        id="start-command-block-scalar",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            docker_server:
              start_command: sh -c "python x && truss-transfer-cli"
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            docker_server:
              start_command: sh -c "python x"
            """),
        ["W004"],
        id="start-command-transfer-cli-at-the-end-dropped",
    ),
]


@pytest.mark.parametrize("input_text, expected_text, expected_codes", MAPPING)
def test_migrate_table(input_text, expected_text, expected_codes):
    check_migration(input_text, expected_text, expected_codes, DEFAULT)


@pytest.mark.parametrize("output_text, ctx", migrated_rows(MAPPING, DEFAULT, output=True))
def test_second_run_is_unchanged(output_text, ctx):
    """Run on the expected output of every migrated row (the table fixes it to the real output)."""
    check_second_run(output_text, ctx)


@pytest.mark.parametrize("input_text, ctx", migrated_rows(MAPPING, DEFAULT, output=False))
def test_second_run_on_actual_output_is_unchanged(input_text, ctx):
    check_actual_output_second_run(input_text, ctx)


# Rows run with Context(mount_root='/models'): /app/model_cache/<folder> paths move (W008).
MOUNT_ROOT_CASES = [
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            docker_server:
              start_command: sh -c "truss-transfer-cli && python serve.py --model /app/model_cache/x"
            environment_variables:
              MODEL_DIR: /app/model_cache/x/sub
              OTHER: /app/model_cache/xy
              KEEP: /somewhere/else
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /models/x
            docker_server:
              start_command: sh -c "python serve.py --model /models/x"
            environment_variables:
              MODEL_DIR: /models/x/sub
              OTHER: /app/model_cache/xy
              KEEP: /somewhere/else
            """),
        ["W004", "W008", "W008"],
        id="mount-root-moves-paths",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: gs://bkt/llama
            environment_variables:
              MODEL_DIR: '/app/model_cache/bkt/llama'
            """),
        d("""
            weights:
              - source: gs://bkt/llama
                mount_location: /models/bkt/llama
            environment_variables:
              MODEL_DIR: '/models/bkt/llama'
            """),
        ["W001", "W002", "W008"],
        id="mount-root-legacy-cloud-path-moves",
    ),
    pytest.param(
        d("""
            model_cache:
            - repo_id: a/b
            """),
        d("""
            weights:
            - source: hf://a/b
              mount_location: /models/a_b
            """),
        ["W001"],
        id="mount-root-legacy-hf-inserted",
    ),
]


@pytest.mark.parametrize("input_text, expected_text, expected_codes", MOUNT_ROOT_CASES)
def test_migrate_table_mount_root(input_text, expected_text, expected_codes):
    check_migration(input_text, expected_text, expected_codes, Context(mount_root="/models"))


@pytest.mark.parametrize(
    "output_text, ctx", migrated_rows(MOUNT_ROOT_CASES, Context(mount_root="/models"), output=True)
)
def test_second_run_is_unchanged_mount_root(output_text, ctx):
    """Run on the expected output of every migrated row (the table fixes it to the real output)."""
    check_second_run(output_text, ctx)


@pytest.mark.parametrize(
    "input_text, ctx", migrated_rows(MOUNT_ROOT_CASES, Context(mount_root="/models"), output=False)
)
def test_second_run_on_actual_output_is_unchanged_mount_root(input_text, ctx):
    check_actual_output_second_run(input_text, ctx)


def test_plans_and_diagnostic_positions():
    text = d("""
        secrets:
          hf_access_token: null
        model_cache:
          - repo_id: a/b
            use_volume: false
          - repo_id: s3://bkt/p
            revision: main
            use_volume: true
            volume_folder: w
        docker_server:
          start_command: sh -c "truss-transfer-cli && python x"
        """)
    outcome = migrate_config(text, DEFAULT)
    assert outcome.status == "migrated"
    assert [p.weight for p in outcome.plans] == [
        {"source": "hf://a/b", "mount_location": "/app/model_cache/a_b", "runtime_secret_name": "hf_access_token"},
        {"source": "s3://bkt/p", "mount_location": "/app/model_cache/w"},
    ]
    where = {(diag.code, diag.line) for diag in outcome.diagnostics}
    assert ("W001", 4) in where  # the legacy entry's repo_id line
    assert ("W006", 4) in where
    assert ("W002", 6) in where  # the s3:// repo_id without kind
    assert ("W003", 7) in where  # the revision line
    assert ("W004", 11) in where  # the start_command line
    for diag in outcome.diagnostics:
        assert diag.message


def test_start_command_diagnostic_only_with_trt_llm_absent():
    text = d("""
        trt_llm:
          build: {max_seq_len: 10}
        model_cache:
          - repo_id: a/b
            use_volume: true
            volume_folder: x
        docker_server:
          start_command: truss-transfer-cli && python x
        """)
    outcome = migrate_config(text, DEFAULT)
    assert outcome.status == "migrated"
    assert "W004" not in codes(outcome)
    assert "start_command: truss-transfer-cli && python x\n" in outcome.text
