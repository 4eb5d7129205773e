"""Before/after tables for the layouts truss reads and the tool used to refuse or miss.

Explicit keys, comments between a key and its value, block scalars (class 4); flow mappings
spread over lines (class 8); the corpus's entries rewritten into each layout; truss itself
reading every layout's truss-dialect output. Aliases and anchors (class 5) are in
test_layouts_aliases.py, `truss-transfer-cli` in the shell chain (class 7) in
test_start_command_chain.py. Each migrated row gives the exact output; PyYAML (what truss loads
configs with) must read the output as the expected text, and every comment of the input must
still be there.
"""

from __future__ import annotations

import re

import pytest
import yaml
from support import CORPUS, NO_CORPUS, check_layout, d
from test_layouts_aliases import ALIASES

from migrate.config.edit import migrate as migrate_config
from migrate.config.read import comments
from migrate.core.context import SEED, TRUSS, Context

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
    check_layout(src, expected, codes)


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
    check_layout(src, expected, codes)
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
    outcome = migrate_config(src)
    assert outcome.status == "unchanged" and outcome.text is None and outcome.diagnostics == []


# --- the corpus, its entries rewritten into each layout ---------------------------------------

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


@pytest.mark.skipif(not CORPUS_CONFIGS, reason=NO_CORPUS)
@pytest.mark.parametrize(
    "layout", [_explicit, _comment_between, _block_scalar], ids=["explicit", "comment-between", "block-scalar"]
)
@pytest.mark.parametrize("dialect", [SEED, TRUSS], ids=lambda d: d.name)
def test_corpus_entries_in_every_layout(layout, dialect):
    """Every corpus config, its entries rewritten, migrates to the weights the original gives."""
    ctx = Context(dialect=dialect)
    migrated = 0
    for path in CORPUS_CONFIGS:
        original = path.read_text(encoding="utf-8")
        before = migrate_config(original, ctx)
        if before.status != "migrated":
            continue
        src = _rewrite(original, layout)
        assert src != original and yaml.safe_load(src) == yaml.safe_load(original), path
        after = migrate_config(src, ctx)
        assert after.status == "migrated", (path, after.diagnostics)
        assert yaml.safe_load(after.text) == yaml.safe_load(before.text), path
        assert sorted(comments(after.text)) == sorted(comments(src)), path
        assert sorted(d.code for d in after.diagnostics) == sorted(d.code for d in before.diagnostics), path
        migrated += 1
    assert migrated == 65


# --- truss 0.18.36 reads every layout's truss-dialect output ---------------------------------

TRUSS_REFUSED = {"anchor-on-kept-revision-used-elsewhere"}


@pytest.mark.oracle
@pytest.mark.parametrize(
    "src",
    [p.values[0] for p in LAYOUTS + ALIASES + FLOW_LINES if "E012" not in p.values[2]],
    ids=[p.id for p in LAYOUTS + ALIASES + FLOW_LINES if "E012" not in p.values[2]],
)
def test_truss_reads_the_truss_dialect_output(src, tmp_path, request):
    truss_config = pytest.importorskip("truss.base.truss_config")
    outcome = migrate_config(src, Context(dialect=TRUSS))
    if request.node.callspec.id in TRUSS_REFUSED:  # truss sources hold the revision: its anchor goes
        assert [d.code for d in outcome.diagnostics] == ["E017"]
        return
    assert outcome.status == "migrated", outcome.diagnostics
    path = tmp_path / "config.yaml"
    path.write_text(outcome.text, encoding="utf-8", newline="")
    config = truss_config.TrussConfig.from_yaml(path)  # the anchors' own keys are extra to truss
    assert [w.source for w in config.weights.root] == [plan.weight["source"] for plan in outcome.plans]
