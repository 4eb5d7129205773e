"""Before/after tables for the layouts truss reads and the tool used to refuse or miss.

Explicit keys, comments between a key and its value, block scalars (class 4); aliases and
anchors on values the migration keeps or replaces (class 5); `truss-transfer-cli` anywhere
in the start command's shell chain (class 7); flow mappings spread over lines (class 8).
Each migrated row gives the exact output; PyYAML (what truss loads configs with) must read
the output as the expected text, and every comment of the input must still be there.
"""

from __future__ import annotations

import re
from pathlib import Path
from textwrap import dedent

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from migrate import rules
from migrate.diagnostics import CODES
from migrate.yaml_edit import comments, migrate_text


def d(text: str) -> str:
    """Dedented text without the leading newline of a triple-quoted literal."""
    return dedent(text).lstrip("\n")


def _check(src: str, expected: str, codes: list[str], ctx: rules.Context = rules.Context()) -> None:
    outcome = migrate_text(src, ctx)
    if expected == src:
        assert outcome.status == "unchanged", outcome.diagnostics
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected
        assert yaml.safe_load(outcome.text) == yaml.safe_load(expected)
        assert yaml.safe_load(outcome.text)["weights"] == [plan.weight for plan in outcome.plans]
        assert sorted(comments(outcome.text)) == sorted(comments(src))
    assert sorted(diag.code for diag in outcome.diagnostics) == sorted(codes)
    assert all(diag.code in CODES for diag in outcome.diagnostics)


# --- class 4: explicit keys, comments between key and value, block scalars -----------------

LAYOUTS = [
    pytest.param(
        d("""
            model_cache:
              - ? repo_id
                : org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - ? source
                : hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="explicit-key-first",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                ? kind
                : hf
                ? use_volume
                : true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="explicit-keys-dropped",
    ),
    pytest.param(
        d("""
            model_cache:
              - ? kind
                : hf
                repo_id: org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="explicit-key-dropped-first-of-item",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                ? revision
                : main
                use_volume: true
                ? volume_folder
                : data
            """),
        d("""
            weights:
              - source: hf://org/x
                ? revision
                : main
                ? mount_location
                : /app/model_cache/data
            """),
        [],
        id="explicit-keys-renamed-and-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - ? repo_id
                : bucket/path
                ? kind
                : s3
                ? revision
                ? use_volume
                : false
            """),
        d("""
            weights:
              - ? source
                : s3://bucket/path
                mount_location: /app/model_cache/bucket/path
            """),
        ["W001"],
        id="explicit-key-without-value-dropped",
    ),
    pytest.param(
        d("""
            model_cache:
              - ? repo_id  # the model
                : org/x  # pinned below
                revision: abc
            """),
        d("""
            weights:
              - ? source  # the model
                : hf://org/x  # pinned below
                mount_location: /app/model_cache/org_x
                revision: abc
            """),
        ["W001"],
        id="explicit-key-with-comments-insert-after-value",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id:  # the model
                  org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source:  # the model
                  hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="comment-between-key-and-value-replaced",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                kind:  # always hf here
                  hf
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                # always hf here
                mount_location: /app/model_cache/data
            """),
        [],
        id="comment-between-key-and-value-dropped",
    ),
    pytest.param(
        d("""
            model_cache:
              - kind:  # c1
                  hf  # c2
                repo_id: org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - # c1
                # c2
                source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="comment-between-key-and-value-dropped-first-of-item",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                use_volume:
                  # a comment line between key and value
                  true
                volume_folder:
                  data
            """),
        d("""
            weights:
              - source: hf://org/x
                  # a comment line between key and value
                mount_location:
                  /app/model_cache/data
            """),
        [],
        id="comment-line-between-key-and-value-dropped",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: |-
                  org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="literal-repo-id-replaced",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: >-  # folded
                  org/x
                revision: main
            """),
        d("""
            weights:
              - source: hf://org/x  # folded
                mount_location: /app/model_cache/org_x
                revision: main
            """),
        ["W001"],
        id="folded-repo-id-replaced-header-comment-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: hf://org/x
                revision: |-
                  main
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                revision: |-
                  main
                mount_location: /app/model_cache/data
            """),
        [],
        id="literal-revision-kept-as-written",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: |2-
                  hf://org/x
                revision: main
            """),
        d("""
            weights:
              - source: |2-
                  hf://org/x
                mount_location: /app/model_cache/org_x
                revision: main
            """),
        ["W001"],
        id="literal-source-kept-with-indentation-indicator-insert-after",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                kind: >-
                  hf
                use_volume: true
                volume_folder: |-
                  data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="block-scalars-dropped-and-replaced",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: bucket/path
                kind: s3
                revision: |
                  v1

                use_volume: true
                volume_folder: /data/w
            """),
        d("""
            weights:
              - source: s3://bucket/path

                mount_location: /data/w
            """),
        ["W003"],
        id="literal-cloud-revision-dropped-trailing-blank-line-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - kind: |-
                  hf
                repo_id: org/x
                use_volume: true
                volume_folder: data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="block-scalar-dropped-first-of-item",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                use_volume: true
                volume_folder: >2
                   data
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: " data\\n"
            """).replace('" data\\n"', '"/app/model_cache/ data\\n"'),
        [],
        id="folded-volume-folder-with-indicator-replaced",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: |-\n      hf://org/x\n\n    revision: main\n",
        "weights:\n  - source: |-\n      hf://org/x\n\n    mount_location: /app/model_cache/org_x\n    revision: main\n",
        ["W001"],
        id="literal-source-kept-insert-after-its-trailing-blank-line",
    ),
    pytest.param(
        "model_cache:\r\n  - ? repo_id\r\n    : org/x\r\n    kind:  # c\r\n      hf\r\n",
        "weights:\r\n  - ? source\r\n    : hf://org/x\r\n    mount_location: /app/model_cache/org_x\r\n    # c\r\n",
        ["W001"],
        id="crlf-explicit-key-and-comment-between",
    ),
]


@pytest.mark.parametrize("src, expected, codes", LAYOUTS)
def test_layouts(src, expected, codes):
    _check(src, expected, codes)


# --- class 5: aliases and anchors ------------------------------------------------------------

ALIASES = [
    pytest.param(
        d("""
            pats: &pats ["*.json", "*.safetensors"]
            model_cache:
              - repo_id: org/x
                allow_patterns: *pats
                use_volume: true
                volume_folder: data
            """),
        d("""
            pats: &pats ["*.json", "*.safetensors"]
            weights:
              - source: hf://org/x
                allow_patterns: *pats
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-kept-patterns",
    ),
    pytest.param(
        d("""
            rev: &rev 4a1b2c3
            model_cache:
              - repo_id: org/x
                revision: *rev
                use_volume: true
                volume_folder: data
            """),
        d("""
            rev: &rev 4a1b2c3
            weights:
              - source: hf://org/x
                revision: *rev
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-kept-revision",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                revision: &rev main
                use_volume: true
                volume_folder: data
            model_metadata:
              revision: *rev
            """),
        d("""
            weights:
              - source: hf://org/x
                revision: &rev main
                mount_location: /app/model_cache/data
            model_metadata:
              revision: *rev
            """),
        [],
        id="anchor-on-kept-revision-used-elsewhere",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                allow_patterns: &p ["*.json"]
                use_volume: true
                volume_folder: a
              - repo_id: org/y
                allow_patterns: *p
                use_volume: true
                volume_folder: b
            """),
        d("""
            weights:
              - source: hf://org/x
                allow_patterns: &p ["*.json"]
                mount_location: /app/model_cache/a
              - source: hf://org/y
                allow_patterns: *p
                mount_location: /app/model_cache/b
            """),
        [],
        id="anchor-and-alias-between-entries-kept",
    ),
    pytest.param(
        d("""
            folder: &f data
            model_cache:
              - repo_id: org/x
                use_volume: true
                volume_folder: *f
            """),
        d("""
            folder: &f data
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-as-changed-folder-replaced-by-literal",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                use_volume: true
                volume_folder: &f data
              - repo_id: org/y
                use_volume: true
                volume_folder: *f
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: &f /app/model_cache/data
              - source: hf://org/y
                mount_location: /app/model_cache/data
            """),
        ["E012"],
        id="anchor-and-alias-both-replaced-then-duplicate-mount",
    ),
    pytest.param(
        d("""
            hf: &kind hf
            model_cache:
              - repo_id: org/x
                kind: *kind
                use_volume: true
                volume_folder: data
            """),
        d("""
            hf: &kind hf
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-dropped-kind",
    ),
    pytest.param(
        d("""
            repo: &r org/x
            model_cache:
              - repo_id: *r
                use_volume: true
                volume_folder: data
            model_metadata:
              repo: *r
            """),
        d("""
            repo: &r org/x
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            model_metadata:
              repo: *r
            """),
        [],
        id="alias-as-changed-repo-id-anchor-outside-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: org/x, allow_patterns: &p ["*.json"], use_volume: true, volume_folder: a}
              - {repo_id: org/y, allow_patterns: *p, kind: hf, use_volume: true, volume_folder: b}
            """),
        d("""
            weights:
              - {source: "hf://org/x", allow_patterns: &p ["*.json"], mount_location: /app/model_cache/a}
              - {source: "hf://org/y", allow_patterns: *p, mount_location: /app/model_cache/b}
            """),
        [],
        id="flow-entries-alias-kept",
    ),
    pytest.param(
        d("""
            secret: &s hf_access_token
            model_cache:
              - repo_id: org/x
                runtime_secret_name: *s
                use_volume: true
                volume_folder: data
            """),
        d("""
            secret: &s hf_access_token
            weights:
              - source: hf://org/x
                runtime_secret_name: *s
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-kept-secret",
    ),
]

ALIASES_REFUSED = [
    pytest.param(
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\nagain: *r\n",
        5,
        id="anchor-on-changed-repo-id-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\n  - repo_id: c/d\n    revision: *r\n",
        6,
        id="anchor-on-changed-repo-id-aliased-as-kept-revision",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    kind: &k hf\nk: *k\n",
        4,
        id="anchor-on-dropped-kind-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/x\n    use_volume: true\n    volume_folder: &v data\nenv:\n  DIR: *v\n",
        6,
        id="anchor-on-changed-folder-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - &e\n    repo_id: org/x\n    use_volume: true\n    volume_folder: a\nsame: *e\n",
        6,
        id="anchor-on-entry-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/x\n    &u use_volume: true\n    volume_folder: a\nflag: {*u : 1}\n",
        5,
        id="anchor-on-dropped-key-aliased-as-key",
    ),
    pytest.param(
        "d: &d {kind: hf}\nmodel_cache:\n  - <<: *d\n    repo_id: org/name\n",
        3,
        id="merge-key-in-entry",
    ),
]


@pytest.mark.parametrize("src, expected, codes", ALIASES)
def test_aliases(src, expected, codes):
    if "E012" in codes:
        outcome = migrate_text(src)
        assert outcome.status == "failed" and [x.code for x in outcome.diagnostics] == ["E012"]
        return
    _check(src, expected, codes)


@pytest.mark.parametrize("src, line", ALIASES_REFUSED)
def test_aliases_refused(src, line):
    outcome = migrate_text(src)
    assert outcome.status == "failed" and outcome.text is None
    assert [(x.code, x.line) for x in outcome.diagnostics] == [("E017", line)]


# --- class 7: truss-transfer-cli in the shell chain ----------------------------------------

# (command, the command without it or None, why it stays or None)
START_COMMANDS = [
    pytest.param("truss-transfer-cli && python s.py", "python s.py", None, id="first"),
    pytest.param("a && truss-transfer-cli", "a", None, id="last-of-and-chain"),
    pytest.param("a && truss-transfer-cli && b", "a && b", None, id="middle-of-and-chain"),
    pytest.param("truss-transfer-cli; b", "b", None, id="semicolon-after"),
    pytest.param("a; truss-transfer-cli; b", "a; b", None, id="semicolon-both-sides"),
    pytest.param("a;truss-transfer-cli", "a", None, id="semicolon-no-space-last"),
    pytest.param("a && truss-transfer-cli; b", "a; b", None, id="and-then-semicolon"),
    pytest.param("a; truss-transfer-cli && b", "a; b", None, id="semicolon-then-and"),
    pytest.param("truss-transfer-cli &&\n  python s.py", "python s.py", None, id="line-break-after-and"),
    pytest.param("cd /app\ntruss-transfer-cli\npython s.py\n", "cd /app\npython s.py\n", None, id="own-line"),
    pytest.param("/usr/local/bin/truss-transfer-cli && x", "x", None, id="by-path"),
    pytest.param("./truss-transfer-cli && x", "x", None, id="by-relative-path"),
    pytest.param('bash -lc "truss-transfer-cli && python s.py"', 'bash -lc "python s.py"', None, id="bash-lc"),
    pytest.param(
        'sh -c "cd /app && truss-transfer-cli && python s.py"', 'sh -c "cd /app && python s.py"', None, id="sh-c-middle"
    ),
    pytest.param(
        "sh -ec 'truss-transfer-cli; exec python s.py'", "sh -ec 'exec python s.py'", None, id="sh-ec-semicolon"
    ),
    pytest.param("/bin/bash -l -c 'a && truss-transfer-cli'", "/bin/bash -l -c 'a'", None, id="bash-l-c-last"),
    pytest.param(
        'sh -c "truss-transfer-cli && X=$(cat /s) vllm --o \'{\\"a\\": 1}\'"',
        'sh -c "X=$(cat /s) vllm --o \'{\\"a\\": 1}\'"',
        None,
        id="sh-c-with-escaped-quotes",
    ),
    pytest.param(
        'sh -c "echo \\"a && b\\" && truss-transfer-cli && b"',
        'sh -c "echo \\"a && b\\" && b"',
        None,
        id="sh-c-operators-inside-escaped-quotes-kept",
    ),
    pytest.param(
        "truss-transfer-cli && find /m -type f | xargs cat > /dev/null && python s.py",
        "find /m -type f | xargs cat > /dev/null && python s.py",
        None,
        id="pipeline-elsewhere-in-chain",
    ),
    pytest.param("x 2>&1 && truss-transfer-cli && y", "x 2>&1 && y", None, id="redirection-elsewhere"),
    pytest.param("truss-transfer-cli && truss-transfer-cli && b", "b", None, id="twice"),
    pytest.param("a; truss-transfer-cli; truss-transfer-cli", "a", None, id="twice-at-end"),
    # mentions that stay, with the reason
    pytest.param(
        "truss-transfer-cli", None, "the only command: dropping it would leave nothing to run", id="only-command"
    ),
    pytest.param(
        'sh -c "truss-transfer-cli"',
        None,
        "the only command: dropping it would leave nothing to run",
        id="only-in-sh-c",
    ),
    pytest.param("a | truss-transfer-cli", None, "in a pipeline", id="pipeline"),
    pytest.param("truss-transfer-cli | tee log && b", None, "in a pipeline", id="pipeline-first"),
    pytest.param("a || truss-transfer-cli", None, "next to `||`", id="after-or"),
    pytest.param("truss-transfer-cli || true", None, "next to `||`", id="before-or"),
    pytest.param("a || b && truss-transfer-cli && c", None, "in an and-or list with `||`", id="or-in-the-and-or-list"),
    pytest.param("x $(truss-transfer-cli) && y", None, "inside a command substitution", id="command-substitution"),
    pytest.param("x `truss-transfer-cli` && y", None, "inside a command substitution", id="backquotes"),
    pytest.param("truss-transfer-cli --verbose && y", None, "with arguments or redirections", id="with-arguments"),
    pytest.param("truss-transfer-cli > /tmp/log && y", None, "with arguments or redirections", id="with-redirection"),
    pytest.param(
        "FOO=1 truss-transfer-cli && y",
        None,
        "as an argument of another command or after an assignment",
        id="assignment",
    ),
    pytest.param("(truss-transfer-cli && x)", None, "inside a subshell or a group", id="subshell"),
    pytest.param("truss-transfer-cli & x", None, "in a background job", id="background"),
    pytest.param("'truss-transfer-cli' && b", None, "quoted or inside another word", id="quoted"),
    pytest.param(
        "a && truss-transfer-cli 'unterminated",
        None,
        "a shell construct this tool does not read (unbalanced quotes or brackets)",
        id="unbalanced",
    ),
    # nothing to do
    pytest.param("python s.py", None, None, id="no-mention"),
    pytest.param("truss-transfer-cli-v2 && x", None, None, id="other-binary"),
    pytest.param("x && my-truss-transfer-cli && y", None, None, id="other-binary-prefix"),
    pytest.param("", None, None, id="empty"),
]


@pytest.mark.parametrize("command, expected, unsafe", START_COMMANDS)
def test_start_command_chain(command, expected, unsafe):
    fix = rules.fix_start_command(command)
    assert (fix.command, fix.unsafe) == (expected, unsafe)
    assert rules.drop_transfer_cli(command) == expected
    assert rules.unsafe_transfer_cli(command) == unsafe
    if expected is not None:  # the spans are exactly what goes
        kept = "".join(c for i, c in enumerate(command) if not any(a <= i < b for a, b in fix.spans))
        assert kept == expected


CONFIG = "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\ndocker_server:\n  start_command: {}\n  server_port: 8000\n"
MIGRATED = "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\ndocker_server:\n  start_command: {}\n  server_port: 8000\n"

# (start_command as written in YAML, after, codes)
YAML_START_COMMANDS = [
    pytest.param(
        'bash -lc "truss-transfer-cli && python s.py"', 'bash -lc "python s.py"', ["W004"], id="plain-bash-lc"
    ),
    pytest.param(
        "'sh -c \"cd /app && truss-transfer-cli && vllm serve\"'",
        "'sh -c \"cd /app && vllm serve\"'",
        ["W004"],
        id="single-quoted",
    ),
    pytest.param(
        "'echo ''hi'' && truss-transfer-cli && x'", "'echo ''hi'' && x'", ["W004"], id="single-quoted-with-quote"
    ),
    pytest.param('"a; truss-transfer-cli; b"', '"a; b"', ["W004"], id="double-quoted"),
    pytest.param(
        '"sh -c \\"truss-transfer-cli && python s.py\\""',
        '"sh -c \\"python s.py\\""',
        ["W004"],
        id="double-quoted-escapes",
    ),
    pytest.param("a &&\n    truss-transfer-cli && b", "a &&\n    b", ["W004"], id="plain-folded-over-lines"),
    pytest.param(
        'bash -c "truss-transfer-cli && run --a 1\n    --b 2"',
        'bash -c "run --a 1\n    --b 2"',
        ["W004"],
        id="plain-multi-line-sh-c",
    ),
    pytest.param(
        "|\n    cd /app\n    truss-transfer-cli\n    python s.py",
        "|\n    cd /app\n    python s.py",
        ["W004"],
        id="literal-own-line",
    ),
    pytest.param(
        "|-\n    truss-transfer-cli &&\n      python s.py", "|-\n    python s.py", ["W004"], id="literal-continued"
    ),
    pytest.param(">\n    truss-transfer-cli &&\n    python s.py", None, ["W030"], id="folded-block-reported"),
    pytest.param("a | truss-transfer-cli", None, ["W030"], id="pipeline-reported"),
    pytest.param('"x $(truss-transfer-cli) && y"', None, ["W030"], id="substitution-reported"),
    pytest.param("truss-transfer-cli --check && y", None, ["W030"], id="arguments-reported"),
    pytest.param('truss-transfer-cli && "$HOME/run"', None, ["W030"], id="plain-would-start-with-a-quote"),
    pytest.param("truss-transfer-cli && 1234", None, ["W030"], id="plain-would-read-as-a-number"),
    pytest.param("&cmd truss-transfer-cli && x", None, ["W030"], id="anchored-reported"),
    pytest.param("python s.py", "python s.py", [], id="no-mention"),
]


@pytest.mark.parametrize("command, after, codes", YAML_START_COMMANDS)
def test_start_command_in_config(command, after, codes):
    _check(CONFIG.format(command), MIGRATED.format(command if after is None else after), codes)


def test_start_command_left_alone_with_trt_llm():
    src = CONFIG.format("truss-transfer-cli && x") + "trt_llm:\n  build:\n    base_model: llama\n"
    outcome = migrate_text(src)
    assert outcome.status == "migrated" and "truss-transfer-cli && x" in outcome.text


# --- class 8: a flow mapping over several lines -----------------------------------------------

FLOW_LINES = [
    pytest.param(
        d("""
            model_cache:
              - {repo_id: a/b,
                 # the kind
                 kind: hf,
                 # the folder
                 use_volume: true, volume_folder: x}
            """),
        d("""
            weights:
              - {source: "hf://a/b",
                 # the kind
                 # the folder
                 mount_location: /app/model_cache/x}
            """),
        [],
        id="dropped-item-alone-on-its-line",
    ),
    pytest.param(
        d("""
            model_cache:
              - {
                  repo_id: a/b,  # c
                  use_volume: true,
                  volume_folder: x,
                  # end
                  kind: hf
                }
            """),
        d("""
            weights:
              - {
                  source: "hf://a/b",  # c
                  mount_location: /app/model_cache/x,
                  # end
                }
            """),
        [],
        id="last-item-alone-on-its-line",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: a/b,  # c
                 kind: hf,  # d
                 revision: main}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/a_b,  # c
                 # d
                 revision: main}
            """),
        ["W001"],
        id="item-with-comment-on-its-line-keeps-the-comment",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: a/b,
                 kind: hf,
                 revision: main}
            """),
        d("""
            weights:
              - {source: "hf://a/b", mount_location: /app/model_cache/a_b,
                 revision: main}
            """),
        ["W001"],
        id="no-comments-no-blank-line",
    ),
]


@pytest.mark.parametrize("src, expected, codes", FLOW_LINES)
def test_flow_mapping_lines(src, expected, codes):
    _check(src, expected, codes)
    assert not any(line.strip() == "" for line in expected.splitlines())


# --- no-op: the same layouts without a block come back untouched --------------------------

NOOPS = [
    pytest.param("weights:\n  - ? source\n    : hf://org/x\n    mount_location: /m\n", id="explicit-keys-migrated"),
    pytest.param("weights:\n  - source: |-\n      hf://org/x\n    mount_location: /m\n", id="block-scalar-migrated"),
    pytest.param(
        "p: &p [a]\nweights:\n  - source: hf://o/x\n    allow_patterns: *p\n    mount_location: /m\n",
        id="alias-migrated",
    ),
    pytest.param(
        'model_name: m\ndocker_server:\n  start_command: sh -c "truss-transfer-cli && x"\n',
        id="start-command-without-block",
    ),
    pytest.param(
        'weights:\n  - {source: "hf://o/x",\n     # c\n     mount_location: /m}\n', id="flow-over-lines-migrated"
    ),
    pytest.param("model_cache: []\nx: {a: 1,\n  # c\n  b: 2}\n", id="empty-block"),
]


@pytest.mark.parametrize("src", NOOPS)
def test_noop(src):
    outcome = migrate_text(src)
    assert outcome.status == "unchanged" and outcome.text is None and outcome.diagnostics == []


# --- the corpus, its entries rewritten into each layout ---------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truss-examples"
CORPUS_CONFIGS = sorted(CORPUS.rglob("config.yaml")) if CORPUS.is_dir() else []
_ENTRY_LINE = re.compile(
    r"^(?P<indent>[ ]*)(?P<dash>(?:- )?)(?P<key>repo_id|kind|revision|volume_folder|runtime_secret_name|use_volume): (?P<value>[^#\n]+?)[ ]*$"
)


def _explicit(m: re.Match) -> str:
    pad = m["indent"] + " " * len(m["dash"])
    return f"{m['indent']}{m['dash']}? {m['key']}\n{pad}: {m['value']}"


def _comment_between(m: re.Match) -> str:
    pad = m["indent"] + " " * len(m["dash"])
    return f"{m['indent']}{m['dash']}{m['key']}:  # about {m['key']}\n{pad}  {m['value']}"


def _block_scalar(m: re.Match) -> str:
    if m["key"] == "use_volume" or m["value"][:1] in "'\"":
        return m.group()
    pad = m["indent"] + " " * len(m["dash"])
    return f"{m['indent']}{m['dash']}{m['key']}: |-\n{pad}  {m['value']}"


def _rewrite(text: str, layout) -> str:
    """Each entry line `key: value` of the model_cache block, written in another layout."""
    out, inside = [], False
    for line in text.split("\n"):
        if re.match(r"^[^\s#-]", line):
            inside = line.startswith("model_cache:")
        match = _ENTRY_LINE.match(line) if inside else None
        out.append(layout(match) if match else line)
    return "\n".join(out)


@pytest.mark.skipif(not CORPUS_CONFIGS, reason="corpus not found beside the project (../shared/corpus)")
@pytest.mark.parametrize(
    "layout", [_explicit, _comment_between, _block_scalar], ids=["explicit", "comment-between", "block-scalar"]
)
@pytest.mark.parametrize("dialect", [rules.SEED, rules.TRUSS], ids=lambda d: d.name)
def test_corpus_entries_in_every_layout(layout, dialect):
    """Every corpus config, its entries rewritten, migrates to the weights the original gives."""
    ctx = rules.Context(dialect=dialect)
    migrated = 0
    for path in CORPUS_CONFIGS:
        original = path.read_text(encoding="utf-8")
        before = migrate_text(original, ctx)
        if before.status != "migrated":
            continue
        src = _rewrite(original, layout)
        assert src != original and yaml.safe_load(src) == yaml.safe_load(original), path
        after = migrate_text(src, ctx)
        assert after.status == "migrated", (path, after.diagnostics)
        assert yaml.safe_load(after.text) == yaml.safe_load(before.text), path
        assert sorted(comments(after.text)) == sorted(comments(src)), path
        assert sorted(d.code for d in after.diagnostics) == sorted(d.code for d in before.diagnostics), path
        migrated += 1
    assert migrated == 65


# --- the shell chain, generated ----------------------------------------------------------------

_COMMANDS = st.sampled_from(
    ["cd /app", "python s.py", "echo 'a && b'", "X=1 run", "find . | xargs ls", "vllm serve /m --port 8000"]
)


@given(st.lists(_COMMANDS, min_size=1, max_size=5), st.data())
def test_chain_without_the_cli_is_the_chain_it_was_added_to(commands, data):
    """`a OP b OP ...` with truss-transfer-cli put between two commands (or first) comes back as it was."""
    ops = data.draw(
        st.lists(st.sampled_from([" && ", "; ", "\n", " &&\n  "]), min_size=len(commands), max_size=len(commands))
    )
    chain = "".join(c + (ops[i] if i + 1 < len(commands) else "") for i, c in enumerate(commands))
    at = data.draw(st.integers(0, len(commands)))
    if at == len(commands):  # last: after any separator
        with_cli = chain + data.draw(st.sampled_from([" && ", "; ", "\n", ";"])) + "truss-transfer-cli"
    else:  # before command `at`, tied to it by &&
        head = "".join(c + ops[i] for i, c in enumerate(commands[:at]))
        with_cli = (
            head + "truss-transfer-cli" + data.draw(st.sampled_from([" && ", "&&", " &&\n  "])) + chain[len(head) :]
        )
    wrapped = data.draw(st.sampled_from(["{}", "sh -c '{}'", "bash -lc '{}'"]))
    if "'" in chain:
        wrapped = "{}"
    assert rules.drop_transfer_cli(wrapped.format(with_cli)) == wrapped.format(chain)


# --- truss 0.18.36 reads every layout's truss-dialect output ---------------------------------

TRUSS_REFUSED = {"anchor-on-kept-revision-used-elsewhere"}


@pytest.mark.parametrize(
    "src",
    [p.values[0] for p in LAYOUTS + ALIASES + FLOW_LINES if "E012" not in p.values[2]],
    ids=[p.id for p in LAYOUTS + ALIASES + FLOW_LINES if "E012" not in p.values[2]],
)
def test_truss_reads_the_truss_dialect_output(src, tmp_path, request):
    truss_config = pytest.importorskip("truss.base.truss_config")
    outcome = migrate_text(src, rules.Context(dialect=rules.TRUSS))
    if request.node.callspec.id in TRUSS_REFUSED:  # truss sources hold the revision: its anchor goes
        assert [d.code for d in outcome.diagnostics] == ["E017"]
        return
    assert outcome.status == "migrated", outcome.diagnostics
    path = tmp_path / "config.yaml"
    path.write_text(outcome.text, encoding="utf-8", newline="")
    config = truss_config.TrussConfig.from_yaml(path)  # the anchors' own keys are extra to truss
    assert [w.source for w in config.weights.root] == [plan.weight["source"] for plan in outcome.plans]
