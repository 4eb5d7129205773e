"""Before/after tables for `migrate.yaml_edit.migrate_text`.

Each migrated row gives the exact full output text: SPEC "Keeping the file" says the output
is the input with only the block changed (plus the two "Beyond the block" edits), so every
byte of the expectation is meaningful. Rows whose expected text equals the input must come
back 'unchanged'.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from ruamel.yaml import YAML

from migrate import rules
from migrate.diagnostics import CODES
from migrate.yaml_edit import migrate_text

DEFAULT = rules.Context()


def d(text: str) -> str:
    """Dedented text without the leading newline of a triple-quoted literal."""
    return dedent(text).lstrip("\n")


# --- migrated and unchanged files -------------------------------------------------------
#
# (id, input_text, expected_text, expected_codes); expected_codes is compared sorted.

CASES = [
    # -- layouts
    (
        "block-2space-indented-seq",
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
    ),
    (
        "block-2space-seq-at-column-0",
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
    ),
    (
        "block-4space",
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
            resources:
                use_gpu: true
            """),
        [],
    ),
    (
        "block-4space-dash-then-3-spaces",
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
    ),
    (
        "allow-patterns-first-key-kept",
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
              source: hf://a/b
              mount_location: /app/model_cache/a_b
            """),
        ["W001"],
    ),
    (
        "flow-entry",
        d("""
            model_cache:
              - {repo_id: a/b, use_volume: true, volume_folder: x, kind: hf}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/x}
            """),
        [],
    ),
    (
        "flow-entry-dropped-first-key",
        d("""
            model_cache:
              - {kind: hf, repo_id: a/b, use_volume: true, volume_folder: x}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/x}
            """),
        [],
    ),
    (
        "flow-sequence",
        "model_cache: [{repo_id: a/b}]\n",
        'weights: [{source: "hf://a/b", mount_location: /app/model_cache/a_b}]\n',
        ["W001"],
    ),
    (
        "flow-sequence-two-entries-quoted",
        "model_cache: [{repo_id: 'a/b', kind: hf}, {repo_id: \"s3://bkt/p\", kind: s3}]\n",
        "weights: [{source: 'hf://a/b', mount_location: '/app/model_cache/a_b'},"
        ' {source: "s3://bkt/p", mount_location: "/app/model_cache/bkt/p"}]\n',
        ["W001", "W001"],
    ),
    # -- quoting
    (
        "single-quoted-repo-double-quoted-folder",
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
    ),
    (
        "double-quoted-repo-single-quoted-folder",
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
    ),
    (
        "plain-repo-inserted-mount-plain",
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
    ),
    (
        "single-quoted-repo-inserted-mount-single",
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
    ),
    (
        "double-quoted-repo-inserted-mount-double",
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
    ),
    (
        "quoted-keys",
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
    ),
    (
        "quoted-block-key",
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
    ),
    (
        "cloud-repo-gets-scheme-keeps-quotes",
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
    ),
    # -- comments
    (
        "comments-between-and-after-keys",
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
    ),
    (
        "eol-comment-on-dropped-key",
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
    ),
    (
        "eol-comment-on-dropped-last-key",
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
    ),
    (
        "dropped-first-key-of-item",
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
    ),
    (
        "dropped-first-two-keys-of-item",
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
    ),
    (
        "dropped-first-key-of-item-with-comment",
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
    ),
    (
        "comment-lines-after-last-entry-untouched",
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
    ),
    (
        "legacy-insert-before-trailing-comments",
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
    ),
    (
        "hash-inside-quoted-values-is-not-a-comment",
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
    ),
    # -- line endings, BOM, final newline
    (
        "crlf",
        "model_cache:\r\n  - repo_id: a/b  # m\r\n    use_volume: true  # v\r\n    volume_folder: x\r\n"
        "resources: {}\r\n",
        "weights:\r\n  - source: hf://a/b  # m\r\n    # v\r\n    mount_location: /app/model_cache/x\r\n"
        "resources: {}\r\n",
        [],
    ),
    (
        "crlf-legacy-insert",
        "model_cache:\r\n  - repo_id: a/b\r\n    use_volume: false\r\nresources: {}\r\n",
        "weights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b\r\nresources: {}\r\n",
        ["W001"],
    ),
    (
        "utf8-bom",
        "\ufeffmodel_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n",
        "\ufeffweights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\n",
        [],
    ),
    (
        "utf8-bom-crlf-non-ascii-comment",
        "\ufeff# café ✓\r\nmodel_cache:\r\n  - repo_id: a/b  # modèle\r\n",
        "\ufeff# café ✓\r\nweights:\r\n  - source: hf://a/b  # modèle\r\n    mount_location: /app/model_cache/a_b\r\n",
        ["W001"],
    ),
    (
        "no-final-newline-insert-at-end",
        "model_cache:\n  - repo_id: a/b",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b",
        ["W001"],
    ),
    (
        "no-final-newline-value-edited-at-end",
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x",
        [],
    ),
    (
        "no-final-newline-dropped-last-key",
        "model_cache:\n  - repo_id: a/b\n    volume_folder: x\n    use_volume: true",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x",
        [],
    ),
    (
        "no-final-newline-crlf-insert",
        "a: 1\r\nmodel_cache:\r\n  - repo_id: a/b",
        "a: 1\r\nweights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b",
        ["W001"],
    ),
    (
        "bom-crlf-no-final-newline-dropped-last-key",
        "\ufeffmodel_cache:\r\n  - repo_id: a/b\r\n    kind: hf",
        "\ufeffweights:\r\n  - source: hf://a/b\r\n    mount_location: /app/model_cache/a_b",
        ["W001"],
    ),
    (
        "no-final-newline-dropped-last-key-with-comment",
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n    kind: hf  # k",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\n    # k",
        [],
    ),
    # -- more layouts
    (
        "document-markers",
        "---\nmodel_cache:\n  - repo_id: a/b\n    kind: hf\n...\n",
        "---\nweights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b\n...\n",
        ["W001"],
    ),
    (
        "dash-alone-on-its-line",
        "model_cache:\n  -\n    kind: hf\n    repo_id: a/b\n",
        "weights:\n  -\n    source: hf://a/b\n    mount_location: /app/model_cache/a_b\n",
        ["W001"],
    ),
    (
        "column-0-comments-between-entries",
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
    ),
    (
        "flow-entry-multiline-with-comments",
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
    ),
    # -- YAML 1.1 scalars, read the way Truss (PyYAML) reads them
    (
        "use-volume-yes-is-a-yaml11-boolean",
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
    ),
    (
        # PyYAML (which Truss uses) reads a bare `n` as the string "n", not a boolean.
        "volume-folder-n-is-a-string-for-pyyaml",
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
    ),
    (
        # a null volume_folder is "absent": exactly one mount_location must come out
        "volume-folder-null-legacy",
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
    ),
    # -- anchors and aliases
    (
        "anchors-aliases-elsewhere",
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
    ),
    (
        "anchor-on-kept-revision",
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
    ),
    # -- hf_cache and empty blocks
    (
        "hf-cache-key",
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
    ),
    ("empty-list-unchanged", "model_name: m\nmodel_cache: []\n", "model_name: m\nmodel_cache: []\n", []),
    ("null-unchanged", "model_cache:\nmodel_name: m\n", "model_cache:\nmodel_name: m\n", []),
    ("empty-hf-cache-unchanged", "hf_cache: []\n", "hf_cache: []\n", []),
    (
        "no-block-unchanged",
        "model_name: m\nweights:\n  - source: hf://a/b\n",
        "model_name: m\nweights:\n  - source: hf://a/b\n",
        [],
    ),
    (
        "nested-model-cache-unchanged",
        "t:\n  model_cache:\n    - repo_id: a/b\n",
        "t:\n  model_cache:\n    - repo_id: a/b\n",
        ["W040"],
    ),
    (
        "empty-weights-beside-empty-model-cache-unchanged",
        "model_cache: []\nweights: []\n",
        "model_cache: []\nweights: []\n",
        [],
    ),
    # -- the mapping, as text
    (
        "cloud-entries-and-revision",
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
    ),
    (
        "absolute-and-unnormalised-folders",
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
    ),
    (
        "hf-scheme-kept-and-patterns-kept",
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
                allow_patterns: ["*.json", "*.safetensors"]
                ignore_patterns:
                  - original/*
                runtime_secret_name: my_token
                mount_location: /app/model_cache/x
            """),
        [],
    ),
    # -- the implicit Hugging Face secret
    (
        "implicit-secret-added",
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
    ),
    (
        "implicit-secret-flow-secrets",
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
    ),
    (
        "implicit-secret-not-added-when-given-or-cloud",
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
    ),
    (
        "implicit-secret-not-added-without-secrets",
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
    ),
    # -- beyond the block: start_command
    (
        "start-command-transfer-cli-dropped",
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
    ),
    (
        "start-command-bare-and-quoted",
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
    ),
    (
        "start-command-kept-with-trt-llm",
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
    ),
    (
        "start-command-block-scalar",
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
    ),
    (
        "start-command-transfer-cli-at-the-end-dropped",
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
    ),
]

# Rows run with Context(mount_root='/models'): /app/model_cache/<folder> paths move (W008).
MOUNT_ROOT_CASES = [
    (
        "mount-root-moves-paths",
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
    ),
    (
        "mount-root-legacy-cloud-path-moves",
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
    ),
    (
        "mount-root-legacy-hf-inserted",
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
    ),
]


def _codes(outcome) -> list[str]:
    return sorted(diag.code for diag in outcome.diagnostics)


def _check(input_text, expected_text, expected_codes, ctx):
    outcome = migrate_text(input_text, ctx)
    if expected_text == input_text:
        assert outcome.status == "unchanged", outcome.diagnostics
        assert outcome.text is None
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected_text
        # the output is a single valid document without duplicate keys, and `weights` is the plan
        loaded = YAML(typ="safe").load(outcome.text)
        assert loaded["weights"] == [plan.weight for plan in outcome.plans]
    assert _codes(outcome) == sorted(expected_codes)
    for diag in outcome.diagnostics:
        assert diag.code in CODES
        assert diag.line >= 1 and diag.col >= 1
    return outcome


@pytest.mark.parametrize("input_text, expected_text, expected_codes", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_migrate_table(input_text, expected_text, expected_codes):
    _check(input_text, expected_text, expected_codes, DEFAULT)


@pytest.mark.parametrize(
    "input_text, expected_text, expected_codes",
    [c[1:] for c in MOUNT_ROOT_CASES],
    ids=[c[0] for c in MOUNT_ROOT_CASES],
)
def test_migrate_table_mount_root(input_text, expected_text, expected_codes):
    _check(input_text, expected_text, expected_codes, rules.Context(mount_root="/models"))


ALL_MIGRATED = [(c[0], c[2], DEFAULT) for c in CASES if c[1] != c[2]] + [
    (c[0], c[2], rules.Context(mount_root="/models")) for c in MOUNT_ROOT_CASES
]


@pytest.mark.parametrize("output_text, ctx", [c[1:] for c in ALL_MIGRATED], ids=[c[0] for c in ALL_MIGRATED])
def test_second_run_is_unchanged(output_text, ctx):
    """Run on the expected output of every migrated row (the table fixes it to the real output)."""
    outcome = migrate_text(output_text, ctx)
    assert outcome.status == "unchanged", outcome.diagnostics
    assert outcome.text is None


@pytest.mark.parametrize(
    "input_text, ctx",
    [(c[1], DEFAULT) for c in CASES if c[1] != c[2]]
    + [(c[1], rules.Context(mount_root="/models")) for c in MOUNT_ROOT_CASES],
    ids=[c[0] for c in ALL_MIGRATED],
)
def test_second_run_on_actual_output_is_unchanged(input_text, ctx):
    first = migrate_text(input_text, ctx)
    if first.status != "migrated":
        pytest.skip(f"first run did not migrate ({first.status}); test_migrate_table reports it")
    second = migrate_text(first.text, ctx)
    assert second.status == "unchanged", second.diagnostics


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
    outcome = migrate_text(text, DEFAULT)
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
    outcome = migrate_text(text, DEFAULT)
    assert outcome.status == "migrated"
    assert "W004" not in _codes(outcome)
    assert "start_command: truss-transfer-cli && python x\n" in outcome.text


# --- errors: the file is left untouched ----------------------------------------------------
#
# (id, input_text, code, line) -- line is the 1-based line the diagnostic must point at.

ERRORS = [
    ("invalid-yaml", "model_cache:\n  - repo_id: a/b\n    use_volume: [true\nresources: {}\n", "E001", None),
    ("invalid-yaml-tab", "model_cache:\n  - repo_id: a/b\n\tuse_volume: true\n", "E001", 3),
    ("several-documents", "model_cache:\n  - repo_id: a/b\n---\nmodel_name: x\n", "E001", 3),
    # libyaml skips it; PyYAML (truss) reads it as a scalar's start and fails
    # PyYAML (truss) reads no tab between a value and its comment; libyaml does
    (
        "tab-before-comment",
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\t# v\n    volume_folder: x\n",
        "E001",
        3,
    ),
    ("bom-starting-a-later-line", "model_cache:\n  - repo_id: a/b\n\ufeff# c\nx: 1\n", "E001", 3),
    ("bom-after-indentation-crlf", "model_cache:\r\n  - repo_id: a/b\r\n  \ufeff# c\r\n", "E001", 3),
    ("model-cache-string", "model_name: m\nmodel_cache: a/b\n", "E003", 2),
    ("model-cache-mapping", "model_cache:\n  repo_id: a/b\n  use_volume: false\n", "E003", 2),
    ("entry-string", "model_cache:\n  - repo_id: a/b\n  - c/d\n", "E004", 3),
    ("repo-id-missing", "model_cache:\n  - repo_id: a/b\n  - revision: main\n    use_volume: false\n", "E005", 3),
    ("repo-id-empty", "model_cache:\n  - repo_id: ''\n", "E005", 2),
    ("unknown-key", "model_cache:\n  - repo_id: a/b\n    use_volume: false\n    folder: x\n", "E006", 4),
    ("bad-kind", "model_cache:\n  - repo_id: a/b\n    kind: HF\n", "E007", 3),
    ("bad-kind-unknown", "model_cache:\n  - repo_id: a/b\n    kind: r2\n", "E007", 3),
    ("kind-scheme-mismatch", "model_cache:\n  - repo_id: s3://bkt/p\n    kind: gcs\n", "E008", 3),
    ("unknown-scheme", "model_cache:\n  - repo_id: r2://bkt/p\n", "E008", 2),
    ("empty-bucket", "model_cache:\n  - kind: s3\n    repo_id: s3:///p\n", "E009", 3),
    ("empty-bucket-no-scheme", "model_cache:\n  - kind: gcs\n    repo_id: /p\n", "E009", 3),
    ("use-volume-without-folder", "model_cache:\n  - repo_id: a/b\n    use_volume: true\n", "E010", 3),
    (
        "dotdot-in-folder",
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x/../../etc\n",
        "E011",
        4,
    ),
    ("mount-at-app", "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: /app\n", "E011", 4),
    ("mount-at-root", "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: /\n", "E011", 4),
    (
        "two-entries-one-mount",
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n"
        "  - repo_id: c/d\n    use_volume: true\n    volume_folder: x/\n",
        "E012",
        5,
    ),
    (
        "two-entries-one-derived-mount",
        "model_cache:\n  - repo_id: a/b\n  - repo_id: a/b\n    revision: v2\n",
        "E012",
        3,
    ),
    ("weights-beside", "model_cache:\n  - repo_id: a/b\nweights:\n  - source: hf://c/d\n", "E013", 3),
    (
        "model-cache-and-hf-cache",
        "model_cache:\n  - repo_id: a/b\nhf_cache:\n  - repo_id: c/d\n",
        "E015",
        3,
    ),
    ("duplicate-key-in-entry", "model_cache:\n  - repo_id: a/b\n    kind: hf\n    repo_id: c/d\n", "E016", 4),
    ("duplicate-top-level-key", "model_cache:\n  - repo_id: a/b\nmodel_cache:\n  - repo_id: c/d\n", "E016", 3),
    (
        "use-volume-string-yes",
        'model_cache:\n  - repo_id: a/b\n    use_volume: "yes"\n    volume_folder: x\n',
        "E014",
        3,
    ),
    ("repo-id-number", "model_cache:\n  - repo_id: 123\n", "E014", 2),
    ("volume-folder-number", "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: 7\n", "E014", 4),
    ("patterns-not-a-list", "model_cache:\n  - repo_id: a/b\n    allow_patterns: '*.json'\n", "E014", 3),
    (
        "merge-key-in-entry",
        "base: &d {use_volume: false}\nmodel_cache:\n  - repo_id: a/b\n    <<: *d\n",
        "E017",
        4,
    ),
    ("block-is-alias", "base: &m [{repo_id: a/b}]\nmodel_cache: *m\n", "E017", 2),
    (  # the repo id becomes hf://a/b: the alias elsewhere would change with it
        "anchor-on-changed-repo-id",
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\nmodel_metadata:\n  repo: *r\n",
        "E017",
        6,
    ),
]


@pytest.mark.parametrize("input_text, code, line", [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS])
def test_errors_leave_file_untouched(input_text, code, line):
    outcome = migrate_text(input_text, DEFAULT)
    assert outcome.status == "failed"
    assert outcome.text is None
    assert [diag.code for diag in outcome.diagnostics] == [code]
    diag = outcome.diagnostics[0]
    if line is not None:
        assert diag.line == line, diag
    assert diag.col >= 1
    assert diag.message and "\n" not in diag.message
    assert code in CODES


def test_invalid_yaml_points_at_the_problem():
    outcome = migrate_text("model_cache:\n  - repo_id: a/b\n    use_volume: [true\nresources: {}\n", DEFAULT)
    assert outcome.status == "failed"
    assert outcome.diagnostics[0].code == "E001"
    # the unclosed flow sequence opens on line 3; the error is reported there or just after
    assert outcome.diagnostics[0].line in (3, 4, 5)


@pytest.mark.parametrize(
    "text",
    ["", "\n", "# only a comment\n", "- a\n- b\n", "just a string\n", "\ufeff", "model_name: m\n"],
    ids=["empty", "newline", "comment", "top-level-list", "scalar", "bom-only", "no-block"],
)
def test_nothing_to_do(text):
    outcome = migrate_text(text, DEFAULT)
    assert outcome.status == "unchanged"
    assert outcome.text is None


@pytest.mark.parametrize("empty", ["[]", "", "null"], ids=["list", "bare", "null"])
def test_empty_weights_beside_model_cache_is_not_an_error(empty):
    """SPEC: only `model_cache` together with a *non-empty* `weights` is an error."""
    text = f"model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\nweights: {empty}\n".replace(
        ": \n", ":\n"
    )
    outcome = migrate_text(text, DEFAULT)
    assert outcome.status == "migrated", outcome.diagnostics
    data = YAML(typ="safe").load(outcome.text)  # the safe loader rejects duplicate keys
    assert data["weights"] == [{"source": "hf://a/b", "mount_location": "/app/model_cache/x"}]
    assert "model_cache" not in data
