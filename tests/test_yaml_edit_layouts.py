"""Block layouts, quoting, comments and line endings kept byte for byte by the YAML editor.

Rows are `pytest.param(input_text, expected_text, expected_codes, id=...)` for
`migrate.config.edit.migrate`; expected_codes is compared sorted. Each migrated row gives the
exact full output text: SPEC "Keeping the file" says the output is the input with only the block
changed (plus the "Beyond the block" edits), so every byte of the expectation is meaningful. Rows
whose expected text equals the input must come back 'unchanged'.
"""

from __future__ import annotations

import pytest
from support import check_actual_output_second_run, check_migration, check_second_run, d, migrated_rows

from migrate.core.context import Context

DEFAULT = Context()


LAYOUTS = [
    # -- layouts
    pytest.param(
        d("""
            model_name: m
            model_cache:
              - repo_id: a/b
                revision: main
                use_volume: true
                volume_folder: x
            resources:
              accelerator: A10G
            """),
        d("""
            model_name: m
            weights:
              - source: hf://a/b
                revision: main
                mount_location: /app/model_cache/x
            resources:
              accelerator: A10G
            """),
        [],
        id="block-2space-indented-seq",
    ),
    pytest.param(
        d("""
            model_cache:
            - repo_id: a/b
              revision: main
              use_volume: true
              volume_folder: x
            - repo_id: c/d
              use_volume: true
              volume_folder: z
            python_version: py311
            """),
        d("""
            weights:
            - source: hf://a/b
              revision: main
              mount_location: /app/model_cache/x
            - source: hf://c/d
              mount_location: /app/model_cache/z
            python_version: py311
            """),
        [],
        id="block-2space-seq-at-column-0",
    ),
    pytest.param(
        d("""
            model_cache:
                - repo_id: a/b
                  use_volume: true
                  volume_folder: x
                  ignore_patterns:
                      - "*.bin"
            resources:
                use_gpu: true
            """),
        d("""
            weights:
                - source: hf://a/b
                  mount_location: /app/model_cache/x
                  ignore_patterns:
                      - "*.bin"
                      - "**/*.bin"
            resources:
                use_gpu: true
            """),
        ["W014"],
        id="block-4space",
    ),
    pytest.param(
        d("""
            model_cache:
                -   repo_id: a/b
                    use_volume: false
            """),
        d("""
            weights:
                -   source: hf://a/b
                    mount_location: /app/model_cache/a_b
            """),
        ["W001"],
        id="block-4space-dash-then-3-spaces",
    ),
    pytest.param(
        d("""
            model_cache:
            - allow_patterns:
              - '*.json'
              repo_id: a/b
              use_volume: false
            """),
        d("""
            weights:
            - allow_patterns:
              - '*.json'
              - '**/*.json'
              source: hf://a/b
              mount_location: /app/model_cache/a_b
            """),
        ["W001", "W014"],
        id="allow-patterns-first-key-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: a/b, use_volume: true, volume_folder: x, kind: hf}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/x}
            """),
        [],
        id="flow-entry",
    ),
    pytest.param(
        d("""
            model_cache:
              - {kind: hf, repo_id: a/b, use_volume: true, volume_folder: x}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/x}
            """),
        [],
        id="flow-entry-dropped-first-key",
    ),
    pytest.param(
        "model_cache: [{repo_id: a/b}]\n",
        'weights: [{source: "hf://a/b", mount_location: /app/model_cache/a_b}]\n',
        ["W001"],
        id="flow-sequence",
    ),
    pytest.param(
        "model_cache: [{repo_id: 'a/b', kind: hf}, {repo_id: \"s3://bkt/p\", kind: s3}]\n",
        "weights: [{source: 'hf://a/b', mount_location: '/app/model_cache/a_b'},"
        ' {source: "s3://bkt/p", mount_location: "/app/model_cache/bkt/p"}]\n',
        ["W001", "W001"],
        id="flow-sequence-two-entries-quoted",
    ),
    # -- quoting
    pytest.param(
        d("""
            model_cache:
              - repo_id: 'a/b'
                use_volume: true
                volume_folder: "x"
            """),
        d("""
            weights:
              - source: 'hf://a/b'
                mount_location: "/app/model_cache/x"
            """),
        [],
        id="single-quoted-repo-double-quoted-folder",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: "a/b"
                use_volume: true
                volume_folder: 'x'
            """),
        d("""
            weights:
              - source: "hf://a/b"
                mount_location: '/app/model_cache/x'
            """),
        [],
        id="double-quoted-repo-single-quoted-folder",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: false
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/a_b
            """),
        ["W001"],
        id="plain-repo-inserted-mount-plain",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: 'a/b'
            """),
        d("""
            weights:
              - source: 'hf://a/b'
                mount_location: '/app/model_cache/a_b'
            """),
        ["W001"],
        id="single-quoted-repo-inserted-mount-single",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: "a/b"
                kind: "hf"
            """),
        d("""
            weights:
              - source: "hf://a/b"
                mount_location: "/app/model_cache/a_b"
            """),
        ["W001"],
        id="double-quoted-repo-inserted-mount-double",
    ),
    pytest.param(
        d("""
            model_cache:
              - "repo_id": a/b
                "use_volume": true
                'volume_folder': x
            """),
        d("""
            weights:
              - "source": hf://a/b
                'mount_location': /app/model_cache/x
            """),
        [],
        id="quoted-keys",
    ),
    pytest.param(
        d("""
            "model_cache":
              - repo_id: a/b
                use_volume: true
                volume_folder: x
            """),
        d("""
            "weights":
              - source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        [],
        id="quoted-block-key",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: "bkt/path"
                kind: gcs
                use_volume: true
                volume_folder: w
            """),
        d("""
            weights:
              - source: "gs://bkt/path"
                mount_location: /app/model_cache/w
            """),
        [],
        id="cloud-repo-gets-scheme-keeps-quotes",
    ),
    # -- comments
    pytest.param(
        d("""
            model_cache:  # weights to cache
              # the main model
              - repo_id: a/b  # HF repo
                # pinned
                revision: main
                use_volume: true
                # where it goes
                volume_folder: x  # folder
              # a second one
              - repo_id: c/d
                use_volume: true
                volume_folder: z
            """),
        d("""
            weights:  # weights to cache
              # the main model
              - source: hf://a/b  # HF repo
                # pinned
                revision: main
                # where it goes
                mount_location: /app/model_cache/x  # folder
              # a second one
              - source: hf://c/d
                mount_location: /app/model_cache/z
            """),
        [],
        id="comments-between-and-after-keys",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true  # mounted
                volume_folder: x
            """),
        d("""
            weights:
              - source: hf://a/b
                # mounted
                mount_location: /app/model_cache/x
            """),
        [],
        id="eol-comment-on-dropped-key",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
                kind: hf  # always hf
            resources: {}
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
                # always hf
            resources: {}
            """),
        [],
        id="eol-comment-on-dropped-last-key",
    ),
    pytest.param(
        d("""
            model_cache:
            - kind: hf
              repo_id: a/b
              use_volume: true
              volume_folder: x
            """),
        d("""
            weights:
            - source: hf://a/b
              mount_location: /app/model_cache/x
            """),
        [],
        id="dropped-first-key-of-item",
    ),
    pytest.param(
        d("""
            model_cache:
              - kind: hf
                use_volume: true
                repo_id: a/b
                volume_folder: x
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        [],
        id="dropped-first-two-keys-of-item",
    ),
    pytest.param(
        d("""
            model_cache:
              - kind: hf  # the default
                repo_id: a/b
                use_volume: true
                volume_folder: x
            """),
        d("""
            weights:
              - # the default
                source: hf://a/b
                mount_location: /app/model_cache/x
            """),
        [],
        id="dropped-first-key-of-item-with-comment",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: x
                kind: hf
            # The remaining config options are
            # the usual ones.

            resources:
              cpu: "1"
            """),
        d("""
            weights:
              - source: hf://a/b
                mount_location: /app/model_cache/x
            # The remaining config options are
            # the usual ones.

            resources:
              cpu: "1"
            """),
        [],
        id="comment-lines-after-last-entry-untouched",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: a/b  # the model
            # next: resources
            resources: {}
            """),
        d("""
            weights:
              - source: hf://a/b  # the model
                mount_location: /app/model_cache/a_b
            # next: resources
            resources: {}
            """),
        ["W001"],
        id="legacy-insert-before-trailing-comments",
    ),
    pytest.param(
        d("""
            description: "a # b"
            model_cache:
              - repo_id: a/b
                use_volume: true
                volume_folder: 'x#1'
            """),
        d("""
            description: "a # b"
            weights:
              - source: hf://a/b
                mount_location: '/app/model_cache/x#1'
            """),
        [],
        id="hash-inside-quoted-values-is-not-a-comment",
    ),
    # -- line endings, BOM, final newline
    pytest.param(
        "model_cache:\r\n  - repo_id: a/b  # m\r\n    use_volume: true  # v\r\n    volume_folder: x\r\n"
        "resources: {}\r\n",
        "weights:\r\n  - source: hf://a/b  # m\r\n    # v\r\n    mount_location: /app/model_cache/x\r\n"
        "resources: {}\r\n",
        [],
        id="crlf",
    ),
    pytest.param(
        "model_cache:\r\n  - repo_id: a/b\r\n    use_volume: false\r\nresources: {}\r\n",
        "weights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b\r\nresources: {}\r\n",
        ["W001"],
        id="crlf-legacy-insert",
    ),
    pytest.param(
        "\ufeffmodel_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n",
        "\ufeffweights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\n",
        [],
        id="utf8-bom",
    ),
    pytest.param(
        "\ufeff# café ✓\r\nmodel_cache:\r\n  - repo_id: a/b  # modèle\r\n",
        "\ufeff# café ✓\r\nweights:\r\n  - source: hf://a/b  # modèle\r\n    mount_location: /app/model_cache/a_b\r\n",
        ["W001"],
        id="utf8-bom-crlf-non-ascii-comment",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b",
        ["W001"],
        id="no-final-newline-insert-at-end",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x",
        [],
        id="no-final-newline-value-edited-at-end",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    volume_folder: x\n    use_volume: true",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x",
        [],
        id="no-final-newline-dropped-last-key",
    ),
    pytest.param(
        "a: 1\r\nmodel_cache:\r\n  - repo_id: a/b",
        "a: 1\r\nweights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b",
        ["W001"],
        id="no-final-newline-crlf-insert",
    ),
    pytest.param(
        "\ufeffmodel_cache:\r\n  - repo_id: a/b\r\n    kind: hf",
        "\ufeffweights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b",
        ["W001"],
        id="bom-crlf-no-final-newline-dropped-last-key",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n    kind: hf  # k",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\n    # k",
        [],
        id="no-final-newline-dropped-last-key-with-comment",
    ),
    # -- more layouts
    pytest.param(
        "---\nmodel_cache:\n  - repo_id: a/b\n    kind: hf\n...\n",
        "---\nweights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b\n...\n",
        ["W001"],
        id="document-markers",
    ),
    pytest.param(
        "model_cache:\n  -\n    kind: hf\n    repo_id: a/b\n",
        "weights:\n  -\n    source: hf://a/b\n    mount_location: /app/model_cache/a_b\n",
        ["W001"],
        id="dash-alone-on-its-line",
    ),
    pytest.param(
        d("""
            model_cache:
            # first
            - repo_id: a/b
              kind: hf
            # second
            - repo_id: c/d
            """),
        d("""
            weights:
            # first
            - source: hf://a/b
              mount_location: /app/model_cache/a_b
            # second
            - source: hf://c/d
              mount_location: /app/model_cache/c_d
            """),
        ["W001", "W001"],
        id="column-0-comments-between-entries",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: a/b,  # r
                 kind: hf,  # k
                 use_volume: true, volume_folder: x}
            """),
        d("""
            weights:
              - {source: "hf://a/b",  # r
                 # k
                 mount_location: /app/model_cache/x}
            """),
        [],
        id="flow-entry-multiline-with-comments",
    ),
]


@pytest.mark.parametrize("input_text, expected_text, expected_codes", LAYOUTS)
def test_migrate_table(input_text, expected_text, expected_codes):
    check_migration(input_text, expected_text, expected_codes, DEFAULT)


@pytest.mark.parametrize("output_text, ctx", migrated_rows(LAYOUTS, DEFAULT, output=True))
def test_second_run_is_unchanged(output_text, ctx):
    """Run on the expected output of every migrated row (the table fixes it to the real output)."""
    check_second_run(output_text, ctx)


@pytest.mark.parametrize("input_text, ctx", migrated_rows(LAYOUTS, DEFAULT, output=False))
def test_second_run_on_actual_output_is_unchanged(input_text, ctx):
    check_actual_output_second_run(input_text, ctx)
