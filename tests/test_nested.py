"""Nested `model_cache` blocks (generator overlays): reported by default, migrated under --nested.

A nested block is a `model_cache`/`hf_cache` key, below the top level, holding a list of entry
mappings. Under --nested each mapping holding one is planned as a config of its own: its
`secrets:` decide W006, --mount-root moves stay within it, its `docker_server.start_command` is
fixed unless it has `trt_llm`. Diagnostics are compared as (line, code) pairs. Inputs left as they
are and errors are in test_nested_errors.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CORPUS, check_finds_only_the_served_ids, d, examples, migrate_cli, needs_corpus

from migrate.config.edit import migrate as migrate_config
from migrate.core import mapping
from migrate.core.context import Context
from migrate.core.diagnostics import CODES

NESTED = Context(nested=True)
DEFAULT = Context()


def lines(outcome, *codes: str) -> list[tuple[int, str]]:
    return [(x.line, x.code) for x in outcome.diagnostics if not codes or x.code in codes]


# --- migrated under --nested: (input, exact output, diagnostics) --------------------------------

MIGRATED = [
    pytest.param(
        d("""
            overlay:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            """),
        d("""
            overlay:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
            """),
        [(2, "W042")],
        id="depth-1",
    ),
    pytest.param(
        d("""
            trusses:
              a:
                model_cache:
                  - repo_id: s3://bucket/key
                    use_volume: true
                    volume_folder: a
            """),
        d("""
            trusses:
              a:
                weights:
                  - source: s3://bucket/key
                    mount_location: /app/model_cache/a
            """),
        [(3, "W042"), (4, "W002")],
        id="depth-2",
    ),
    pytest.param(
        d("""
            x:
              y:
                config:
                  hf_cache:
                    - repo_id: org/a
                      revision: main
                      use_volume: true
                      volume_folder: a
            """),
        d("""
            x:
              y:
                config:
                  weights:
                    - source: hf://org/a
                      revision: main
                      mount_location: /app/model_cache/a
            """),
        [(4, "W042")],
        id="depth-3",
    ),
    pytest.param(
        d("""
            - name: a
              overlays:
                - base:
                    config:
                      model_cache:
                        - repo_id: org/a
                          use_volume: true
                          volume_folder: a
            """),
        d("""
            - name: a
              overlays:
                - base:
                    config:
                      weights:
                        - source: hf://org/a
                          mount_location: /app/model_cache/a
            """),
        [(5, "W042")],
        id="depth-4-in-list",
    ),
    pytest.param(
        d("""
            trusses:
              - name: a
                config:
                  model_cache:
                    - repo_id: org/a
                      use_volume: true
                      volume_folder: a
              - name: b
                config:
                  model_cache:
                    - repo_id: org/b
                      use_volume: true
                      volume_folder: a
            """),
        d("""
            trusses:
              - name: a
                config:
                  weights:
                    - source: hf://org/a
                      mount_location: /app/model_cache/a
              - name: b
                config:
                  weights:
                    - source: hf://org/b
                      mount_location: /app/model_cache/a
            """),
        [(4, "W042"), (10, "W042")],
        id="list-of-overlays",
    ),
    pytest.param(
        d("""
            a: {config: {model_cache: [{repo_id: org/a, use_volume: true, volume_folder: a}], model_name: m}}
            """),
        d("""
            a: {config: {weights: [{source: "hf://org/a", mount_location: /app/model_cache/a}], model_name: m}}
            """),
        [(1, "W042")],
        id="flow",
    ),
    pytest.param(
        d("""
            a:
              config:
                model_cache: [{kind: gcs, repo_id: "gs://b/k", use_volume: true, volume_folder: k}]
            """),
        d("""
            a:
              config:
                weights: [{source: "gs://b/k", mount_location: /app/model_cache/k}]
            """),
        [(3, "W042")],
        id="flow-block-mix",
    ),
    pytest.param(
        d("""
            # a generator
            a:  # overlay a
              config:
                # the cache
                model_cache:  # nested
                  - repo_id: org/a  # which model
                    use_volume: true
                    volume_folder: a  # the folder
                # after
            """),
        d("""
            # a generator
            a:  # overlay a
              config:
                # the cache
                weights:  # nested
                  - source: hf://org/a  # which model
                    mount_location: /app/model_cache/a  # the folder
                # after
            """),
        [(5, "W042")],
        id="comments",
    ),
    pytest.param(
        "a:\r\n  model_cache:\r\n    - repo_id: org/a\r\n      use_volume: true\r\n      volume_folder: a\r\n",
        "a:\r\n  weights:\r\n    - source: hf://org/a\r\n      mount_location: /app/model_cache/a\r\n",
        [(2, "W042")],
        id="crlf",
    ),
    pytest.param(
        d("""
            a:
              secrets:
                hf_access_token: null
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            b:
              model_cache:
                - repo_id: org/b
                  use_volume: true
                  volume_folder: b
            """),
        d("""
            a:
              secrets:
                hf_access_token: null
              weights:
                - source: hf://org/a
                  runtime_secret_name: hf_access_token
                  mount_location: /app/model_cache/a
            b:
              weights:
                - source: hf://org/b
                  mount_location: /app/model_cache/b
            """),
        [(4, "W042"), (5, "W006"), (9, "W042")],
        id="secrets-beside",
    ),
    pytest.param(
        d("""
            secrets:
              hf_access_token: null
            a:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            """),
        d("""
            secrets:
              hf_access_token: null
            a:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
            """),
        [(4, "W042")],
        id="secrets-at-top-only",
    ),
    pytest.param(
        d("""
            a:
              docker_server:
                start_command: truss-transfer-cli && vllm serve /app/model_cache/a
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            b:
              trt_llm:
                build: {}
              docker_server:
                start_command: truss-transfer-cli && serve
              model_cache:
                - repo_id: org/b
                  use_volume: true
                  volume_folder: b
            docker_server:
              start_command: truss-transfer-cli && other
            """),
        d("""
            a:
              docker_server:
                start_command: vllm serve /app/model_cache/a
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
            b:
              trt_llm:
                build: {}
              docker_server:
                start_command: truss-transfer-cli && serve
              weights:
                - source: hf://org/b
                  mount_location: /app/model_cache/b
            docker_server:
              start_command: truss-transfer-cli && other
            """),
        [(3, "W004"), (4, "W042"), (13, "W042")],
        id="start-command",
    ),
    pytest.param(
        d("""
            model_name: m
            model_cache:
              - repo_id: org/top
                use_volume: true
                volume_folder: top
            overlay:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            """),
        d("""
            model_name: m
            weights:
              - source: hf://org/top
                mount_location: /app/model_cache/top
            overlay:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
            """),
        [(7, "W042")],
        id="top-and-nested",
    ),
    pytest.param(
        d("""
            a:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
              variant:
                model_cache:
                  - repo_id: org/b
                    use_volume: true
                    volume_folder: b
            """),
        d("""
            a:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
              variant:
                weights:
                  - source: hf://org/b
                    mount_location: /app/model_cache/b
            """),
        [(2, "W042"), (7, "W042")],
        id="nested-in-nested",
    ),
    pytest.param(
        d("""
            a:
              model_cache:
                - repo_id: org/a
            """),
        d("""
            a:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/org_a
            """),
        [(2, "W042"), (3, "W001")],
        id="legacy-entry",
    ),
    pytest.param(
        d("""
            a:
              weights:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
            """),
        d("""
            a:
              weights:
                - source: hf://org/a
                  mount_location: /app/model_cache/a
            """),
        [(2, "W009"), (3, "W042")],
        id="empty-weights-beside",
    ),
    pytest.param(
        "\ufeffa:\n  model_cache:\n    - {repo_id: org/a, use_volume: true, volume_folder: a}",
        '\ufeffa:\n  weights:\n    - {source: "hf://org/a", mount_location: /app/model_cache/a}',
        [(2, "W042")],
        id="bom-no-final-newline",
    ),
]

# --mount-root /models: paths move within the overlay that mounts them, not in its sibling.
MOVED = [
    pytest.param(
        d("""
            a:
              model_cache:
                - repo_id: org/a
                  use_volume: true
                  volume_folder: a
              model_metadata:
                path: /app/model_cache/a/config.json
            b:
              path: /app/model_cache/a/config.json
            """),
        d("""
            a:
              weights:
                - source: hf://org/a
                  mount_location: /models/a
              model_metadata:
                path: /models/a/config.json
            b:
              path: /app/model_cache/a/config.json
            """),
        [(2, "W042"), (7, "W008")],
        id="mount-root-within-mapping",
    ),
]


def _meaning_kept(before: str, after: str) -> None:
    """PyYAML's reading of the output: each `weights` list is the plan of the `model_cache`
    it replaced, in the same place; every other value is what it was."""

    def swap(old, new):
        if isinstance(old, dict):
            assert isinstance(new, dict)
            old = dict(old)
            for key in ("model_cache", "hf_cache"):
                if old.get(key):
                    ctx = Context(declares_hf_secret=mapping.HF_SECRET in (old.get("secrets") or {}))
                    assert new["weights"] == [mapping.plan_entry(e, ctx).weight for e in old.pop(key)]
                    old["weights"] = new["weights"]
                    if old.get("docker_server", {}).get("start_command") and not old.get("trt_llm"):
                        old["docker_server"] = new["docker_server"]  # checked exactly by the table
            assert old.keys() == new.keys()
            for key in old:
                swap(old[key], new[key])
        elif isinstance(old, list):
            assert isinstance(new, list) and len(old) == len(new)
            for a, b in zip(old, new):
                swap(a, b)
        else:
            assert old == new

    swap(yaml.safe_load(before.lstrip("\ufeff")), yaml.safe_load(after.lstrip("\ufeff")))


@pytest.mark.parametrize("src, expected, diagnostics", MIGRATED)
def test_nested_block_is_migrated(src, expected, diagnostics):
    outcome = migrate_config(src, NESTED)
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert lines(outcome) == diagnostics
    assert all(x.code in CODES for x in outcome.diagnostics)
    _meaning_kept(src, outcome.text)
    assert "model_cache:" not in outcome.text and "hf_cache:" not in outcome.text
    again = migrate_config(outcome.text, NESTED)
    assert again.status == "unchanged" and again.diagnostics == []


@pytest.mark.parametrize("src, expected, diagnostics", MOVED)
def test_mount_root_moves_stay_within_the_mapping(src, expected, diagnostics):
    outcome = migrate_config(src, Context(mount_root="/models", nested=True))
    assert outcome.text == expected
    assert lines(outcome) == diagnostics


@pytest.mark.parametrize("src, expected, diagnostics", MIGRATED)
def test_without_nested_each_block_is_reported_at_its_line(src, expected, diagnostics):
    """The default: nested blocks stay byte for byte, each reported (W040) where --nested
    would migrate it (W042); a top-level block still migrates."""
    outcome = migrate_config(src, DEFAULT)
    assert lines(outcome, "W040") == [(line, "W040") for line, code in diagnostics if code == "W042"]
    if outcome.status == "unchanged":
        assert outcome.text is None
    else:  # only the top-level block changed
        assert outcome.text.count("weights:") == 1
        assert outcome.text.count("model_cache:") == src.count("model_cache:") - 1


def test_the_report_says_what_to_do():
    (report,) = migrate_config("a:\n  hf_cache:\n    - repo_id: org/a\n", DEFAULT).diagnostics
    assert (report.line, report.col, report.code) == (2, 3, "W040")
    assert report.message == "nested hf_cache left as it is: not a truss config; --nested migrates it"


def test_default_moves_do_not_reach_into_an_overlay():
    """A top-level block's --mount-root moves leave a mapping with a nested block alone:
    its paths belong to its own block, which stays under /app/model_cache."""
    src = d("""
        model_cache:
          - repo_id: org/a
            use_volume: true
            volume_folder: a
        path: /app/model_cache/a/x
        overlay:
          start: /app/model_cache/a/x
          model_cache:
            - repo_id: org/a
              use_volume: true
              volume_folder: a
        """)
    outcome = migrate_config(src, Context(mount_root="/models"))
    assert outcome.text == src.replace(
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: a\n",
        "weights:\n  - source: hf://org/a\n    mount_location: /models/a\n",
        1,
    ).replace("path: /app/model_cache/a/x", "path: /models/a/x")
    assert lines(outcome) == [(5, "W008"), (8, "W040")]


# --- the corpus: templates/generate.yaml ----------------------------------------------------------

GENERATOR = Path("templates") / "generate.yaml"
GENERATOR_BLOCKS = [400, 410]  # the lines of its two nested `model_cache:` keys


@pytest.fixture
def corpus_copy(tmp_path):
    tree = tmp_path / "truss-examples"
    shutil.copytree(CORPUS, tree)
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return tree


def _blocks(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith(("model_cache:", "hf_cache:"))]


@pytest.mark.slow  # the CLI over the whole corpus, four times
@needs_corpus
def test_corpus_generator_reported_then_migrated(corpus_copy):
    generator = corpus_copy / GENERATOR
    before = generator.read_text()
    assert _blocks(before) == GENERATOR_BLOCKS

    # without --nested: the generator stays byte for byte, each block reported at its line
    run = migrate_cli(".", cwd=corpus_copy)
    assert run.returncode == 0, run.stderr
    assert generator.read_text() == before
    reported = [line for line in run.stderr.splitlines() if " W040 " in line]
    assert reported == [
        f"{GENERATOR}:{n}:5: W040 nested model_cache left as it is: not a truss config; --nested migrates it"
        for n in GENERATOR_BLOCKS
    ]
    check = migrate_cli("--check", "--no-code", ".", cwd=corpus_copy)  # the code's pending sites: test_corpus
    check_finds_only_the_served_ids(check)
    assert len([x for x in check.stderr.splitlines() if " W040 " in x]) == 2

    # --nested: both blocks migrate; no model_cache key is left in the generator
    run = migrate_cli("--nested", ".", cwd=corpus_copy)
    assert run.returncode == 0, run.stderr
    after = generator.read_text()
    migrated = [line for line in run.stderr.splitlines() if line.startswith(f"{GENERATOR}:") and " W042 " in line]
    assert len(migrated) == 2
    assert _blocks(after) == [] and "hf_cache" not in after
    _meaning_kept(before, after)
    old, new = yaml.safe_load(before), yaml.safe_load(after)
    overlays = [name for name, spec in old.items() if "model_cache" in spec.get("config", {})]
    assert overlays == ["whisper/faster-whisper-v2", "whisper/faster-whisper-v3"]
    for name in overlays:
        plans = [mapping.plan_entry(e, Context()).weight for e in old[name]["config"]["model_cache"]]
        assert new[name]["config"]["weights"] == plans
    check = migrate_cli("--check", "--nested", "--no-code", ".", cwd=corpus_copy)
    check_finds_only_the_served_ids(check)
    assert " W04" not in check.stderr


# --- any depth, any layout: a property --------------------------------------------------------


def _entry(i: int, repo: str, volume: bool) -> dict:
    return {"repo_id": repo, **({"use_volume": True, "volume_folder": f"f{i}"} if volume else {})}


_ENTRIES = st.lists(  # distinct repos: two legacy entries of one repo would share a mount (E012)
    st.tuples(st.sampled_from(["org/a", "org/b", "s3://bucket/k", "gs://b/m"]), st.booleans()),
    min_size=1,
    max_size=3,
    unique_by=lambda item: item[0],
).map(lambda items: [_entry(i, repo, volume) for i, (repo, volume) in enumerate(items)])
_OVERLAY = st.fixed_dictionaries({"model_cache": _ENTRIES}, optional={"name": st.sampled_from(["a", "b"])})
_TREE = st.recursive(
    _OVERLAY,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(st.sampled_from(["a", "config", "x", "y"]), inner, min_size=1, max_size=3),
    ),
    max_leaves=5,
)
_DOC = st.dictionaries(st.sampled_from(["t", "u", "v"]), _TREE, min_size=1, max_size=2)


def _count_blocks(data) -> int:
    if isinstance(data, dict):
        return ("model_cache" in data) + sum(_count_blocks(v) for v in data.values())
    if isinstance(data, list):
        return sum(_count_blocks(v) for v in data)
    return 0


@pytest.mark.slow  # hypothesis: 150 generated documents
@settings(max_examples=examples(150), deadline=None)
@given(doc=_DOC, flow=st.sampled_from([False, True, None]))
def test_any_depth_and_layout(doc, flow):
    text = yaml.safe_dump(doc, default_flow_style=flow, sort_keys=False, width=60)
    blocks = _count_blocks(doc)
    left = migrate_config(text, DEFAULT)
    assert left.status == "unchanged" and [x.code for x in left.diagnostics] == ["W040"] * blocks
    outcome = migrate_config(text, NESTED)
    assert outcome.status == "migrated", outcome.diagnostics
    assert [x.line for x in outcome.diagnostics if x.code == "W042"] == [x.line for x in left.diagnostics]
    _meaning_kept(text, outcome.text)
    assert migrate_config(outcome.text, NESTED).status == "unchanged"


# --- the cheap text check in front of the walk: it never hides a nested key ----------------------

# (input, how many nested keys there are): keys written in every way the text check must see.
WRITTEN = [
    pytest.param('a:\n  "model_cache":\n    - repo_id: org/a\n', 1, id="double-quoted"),
    pytest.param("a:\n  'hf_cache':\n    - repo_id: org/a\n", 1, id="single-quoted"),
    pytest.param("a: {model_cache: [{repo_id: org/a}]}\n", 1, id="flow"),
    pytest.param("a:\n  ? model_cache\n  : - repo_id: org/a\n", 1, id="explicit-key"),
    pytest.param("a:\n  !!str model_cache :\n    - repo_id: org/a\n", 1, id="tagged"),
    pytest.param('a:\n  "model\\x5fcache":\n    - repo_id: org/a\n', 1, id="escaped"),
    pytest.param('a:\n  ? "model\\\n    _cache"\n  : - repo_id: org/a\n', 1, id="escaped-line-break"),
    pytest.param("&k model_cache:\n  - repo_id: org/a\nb:\n  *k :\n    - repo_id: org/b\n", 1, id="alias-of-top-key"),
    pytest.param("model_cache:\n  - repo_id: org/a\nb:\n  model_cache: [x]\n", 1, id="top-and-nested"),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\nb:\n  mount_location: /app/model_cache/x\n  c: model_cache_x\n",
        0,
        id="only-inside-longer-scalars",
    ),
]


@pytest.mark.parametrize("src, count", WRITTEN)
def test_nested_keys_are_found_however_written(src, count):
    from migrate.config.blocks import nested_blocks
    from migrate.config.read import compose

    assert len(nested_blocks(compose(src), src)) == count


def _walk_keys(node, top) -> list[int]:
    """Lines of every non-empty block key below the top level, by a plain walk of the tree."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    found, stack, seen = [], [(node, True)], set()
    while stack:
        node, at_top = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, val in node.value:
                named = not at_top and isinstance(key, ScalarNode) and key.value in ("model_cache", "hf_cache")
                if named and val.value not in ("", [], None) and val.tag != "tag:yaml.org,2002:null":
                    found.append(key.start_mark.line + 1)
                stack.append((val, False))
        elif isinstance(node, SequenceNode):
            stack += [(child, False) for child in node.value]
    return sorted(found)


@needs_corpus
def test_corpus_nested_keys_match_a_full_walk():
    from migrate.config.blocks import nested_blocks
    from migrate.config.read import compose

    for path in sorted(CORPUS.rglob("config.yaml")):
        text = path.read_text()
        root = compose(text)
        found = sorted(n.key.start_mark.line + 1 for n in nested_blocks(root, text))
        assert found == _walk_keys(root, True), path
