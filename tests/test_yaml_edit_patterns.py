"""Allow and ignore lists rewritten in place by the YAML editor, in each list layout.

Rows are `pytest.param(input_text, expected_text, expected_codes, id=...)` for
`migrate.config.edit.migrate`, as in test_yaml_edit_layouts.py: the exact full output, every
byte outside the changed spans kept; new patterns right after the one they come from, quoted as
it is, on lines of their own in block lists and after a comma in flow lists. Beside it, a no-op
table: lists whose text must come back as it was. Then the other places entries are written:
the truss dialect, nested blocks, docs fences, the external_data fold; and a property over
generated layouts (quoting per item, comments, block, flow, flow over lines, CRLF).
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from support import check_actual_output_second_run, check_migration, check_second_run, d, migrated_rows

from migrate import migrate_markdown
from migrate.config.edit import migrate as migrate_config
from migrate.config.read import comments
from migrate.core import mapping
from migrate.core.context import TRUSS, Context

DEFAULT = Context()
VOLUME = "    use_volume: true\n    volume_folder: a\n"

LISTS = [
    # -- block lists
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns:
                  - "*.json"   # configs
                  # the weights
                  - "*.safetensors"
                use_volume: true
                volume_folder: a
            """),
        d("""
            weights:
              - source: hf://org/a
                allow_patterns:
                  - "*.json"   # configs
                  - "**/*.json"
                  # the weights
                  - "*.safetensors"
                  - "**/*.safetensors"
                mount_location: /app/model_cache/a
            """),
        ["W014"],
        id="block-double-quoted-comments-kept",
    ),
    pytest.param(
        d("""
            model_cache:
            - allow_patterns:
              - '*.json'
              - '*.safetensors'
              - '*.model'
              repo_id: meta-llama/Llama-2-7b-hf
            """),
        d("""
            weights:
            - allow_patterns:
              - '*.json'
              - '**/*.json'
              - '*.safetensors'
              - '**/*.safetensors'
              - '*.model'
              - '**/*.model'
              source: hf://meta-llama/Llama-2-7b-hf
              mount_location: /app/model_cache/meta-llama_Llama-2-7b-hf
            """),
        ["W001", "W014"],
        id="block-single-quoted-indentless",
    ),
    pytest.param(
        d("""
            model_cache:
                - repo_id: org/a
                  ignore_patterns:
                      - original/*
                      - config.json
                      - model-*.bin
                  use_volume: true
                  volume_folder: a
            """),
        d("""
            weights:
                - source: hf://org/a
                  ignore_patterns:
                      - original/*
                      - original/**/*
                      - config.json
                      - model-*.bin
                      - model-*/*.bin
                      - model-*/**/*.bin
                  mount_location: /app/model_cache/a
            """),
        ["W014"],
        id="block-plain-4space",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns:
                  -   "tokenizer*"
                  -   sub/
            """),
        d("""
            weights:
              - source: hf://org/a
                mount_location: /app/model_cache/org_a
                allow_patterns:
                  -   "tokenizer*"
                  -   "tokenizer*/*"
                  -   "tokenizer*/**/*"
                  -   sub/*
                  -   sub/**/*
            """),
        ["W001", "W014"],
        id="block-legacy-trailing-slash-rewritten-spacing-after-dash-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns:
                  - "**/*.json"
                use_volume: true
                volume_folder: a
            """),
        d("""
            weights:
              - source: hf://org/a
                allow_patterns:
                  - "*/*.json"
                  - "*/**/*.json"
                mount_location: /app/model_cache/a
            """),
        ["W014"],
        id="block-consecutive-stars-rewritten",
    ),
    pytest.param(
        "model_cache:\r\n  - repo_id: org/a\r\n    allow_patterns:\r\n      - '*.json'\r\n"
        "    ignore_patterns: ['*.md']\r\n",
        "weights:\r\n  - source: hf://org/a\r\n    mount_location: /app/model_cache/org_a\r\n"
        "    allow_patterns:\r\n      - '*.json'\r\n      - '**/*.json'\r\n    ignore_patterns: ['*.md', '**/*.md']\r\n",
        ["W001", "W014"],
        id="crlf-block-and-flow",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    ignore_patterns:\n      - '*.md'",
        "weights:\n  - source: hf://org/a\n    mount_location: /app/model_cache/org_a\n    ignore_patterns:\n"
        "      - '*.md'\n      - '**/*.md'",
        ["W001", "W014"],
        id="block-last-line-without-line-break",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns: &p
                  - !!str "*.json"
                use_volume: true
                volume_folder: a
            """),
        d("""
            weights:
              - source: hf://org/a
                allow_patterns: &p
                  - !!str "*.json"
                  - "**/*.json"
                mount_location: /app/model_cache/a
            """),
        ["W014"],
        id="block-anchored-list-and-tagged-item",
    ),
    # -- flow lists
    pytest.param(
        'model_cache:\n  - repo_id: org/a\n    allow_patterns: ["*.json", "*.safetensors"]\n' + VOLUME,
        'weights:\n  - source: hf://org/a\n    allow_patterns: ["*.json", "**/*.json", "*.safetensors", '
        '"**/*.safetensors"]\n    mount_location: /app/model_cache/a\n',
        ["W014"],
        id="flow-one-line",
    ),
    pytest.param(
        'model_cache:\n  - repo_id: org/a\n    allow_patterns: [ "*.json" ,"*.bin" ]\n' + VOLUME,
        'weights:\n  - source: hf://org/a\n    allow_patterns: [ "*.json" ,"**/*.json" ,"*.bin" ,"**/*.bin" ]\n'
        "    mount_location: /app/model_cache/a\n",
        ["W014"],
        id="flow-own-separator",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                ignore_patterns: [
                    "*.pth",  # originals
                    "*.md"  # docs
                ]
                allow_patterns: [
                  'config.json',
                  '*.safetensors',
                ]
            """),
        d("""
            weights:
              - source: hf://org/a
                mount_location: /app/model_cache/org_a
                ignore_patterns: [
                    "*.pth",  # originals
                    "**/*.pth",
                    "*.md",  # docs
                    "**/*.md"
                ]
                allow_patterns: [
                  'config.json',
                  '*.safetensors',
                  '**/*.safetensors',
                ]
            """),
        ["W001", "W014"],
        id="flow-item-per-line",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns: ["*.json",
                                 "**/*.bin", sub/, "x?y"]
                use_volume: true
                volume_folder: a
            """),
        d("""
            weights:
              - source: hf://org/a
                allow_patterns: ["*.json", "**/*.json",
                                 "*/*.bin", "*/**/*.bin", sub/, "x?y"]
                mount_location: /app/model_cache/a
            """),
        ["W014", "W015"],
        id="flow-over-two-lines-volume-untranslatable-reported",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: org/a, allow_patterns: ["*.json",model-*.bin], kind: hf}
            """),
        d("""
            weights:
              - {source: "hf://org/a", mount_location: /app/model_cache/org_a, allow_patterns: ["*.json","**/*.json",model-*.bin,model-*/*.bin,model-*/**/*.bin]}
            """),
        ["W001", "W014"],
        id="flow-list-in-a-flow-entry",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/a
                allow_patterns:
                  - "*.json"
                  - model-0000?.safetensors
            """),
        d("""
            weights:
              - source: hf://org/a
                mount_location: /app/model_cache/org_a
                allow_patterns:
                  - "*.json"
                  - "**/*.json"
                  - model-0000?.safetensors
            """),
        ["W001", "W014", "W015"],
        id="legacy-question-mark-left-and-reported",
    ),
]


@pytest.mark.parametrize("input_text, expected_text, expected_codes", LISTS)
def test_pattern_lists_rewritten_in_place(input_text, expected_text, expected_codes):
    check_migration(input_text, expected_text, expected_codes, DEFAULT)
    assert yaml.safe_load(expected_text)  # the expectation itself is YAML truss reads


@pytest.mark.parametrize("output_text, ctx", migrated_rows(LISTS, DEFAULT, output=True))
def test_second_run_is_unchanged(output_text, ctx):
    check_second_run(output_text, ctx)


@pytest.mark.parametrize("input_text, ctx", migrated_rows(LISTS, DEFAULT, output=False))
def test_second_run_on_actual_output_is_unchanged(input_text, ctx):
    check_actual_output_second_run(input_text, ctx)


def test_the_messages_name_an_example_and_the_path_that_differs():
    outcome = migrate_config(LISTS[-1].values[0])
    messages = {diag.code: (diag.line, diag.message) for diag in outcome.diagnostics}
    assert messages["W014"] == (
        3,
        "allow_patterns rewritten to mount the same files (1 pattern), e.g. `*.json` -> also `**/*.json`: "
        "the weights matcher's `*` stays within one folder",
    )
    line, message = messages["W015"]
    assert line == 3 and message.startswith("allow_patterns: `model-0000?.safetensors` is left as it is: ")
    assert message.endswith("; `model-0000x.safetensors` would be selected differently")


# --- lists whose text stays ------------------------------------------------------------

LISTS_KEPT = [
    pytest.param("model_cache:\n  - repo_id: org/a\n" + VOLUME, None, id="no-patterns"),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns:\n      - config.json\n      - 'original/params.json'\n"
        + VOLUME,
        "    allow_patterns:\n      - config.json\n      - 'original/params.json'\n",
        id="block-without-wildcards",
    ),
    pytest.param(
        'model_cache:\n  - repo_id: org/a\n    ignore_patterns: ["README.md", 1e3]\n' + VOLUME,
        '    ignore_patterns: ["README.md", 1e3]\n',
        id="flow-without-wildcards",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: []\n" + VOLUME,
        "    allow_patterns: []\n",
        id="empty-list",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: [sub/]\n" + VOLUME,
        "    allow_patterns: [sub/]\n",
        id="volume-trailing-slash-matched-nothing-and-still-does",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: ['[ab].bin']\n" + VOLUME,
        "    allow_patterns: ['[ab].bin']\n",
        id="untranslatable-alone",
    ),
]


@pytest.mark.parametrize("input_text, kept", LISTS_KEPT)
def test_lists_that_need_no_rewriting_stay_as_written(input_text, kept):
    outcome = migrate_config(input_text)
    assert outcome.status == "migrated", outcome.diagnostics
    assert "W014" not in {diag.code for diag in outcome.diagnostics}
    if kept is not None:
        assert kept in outcome.text
    old = yaml.safe_load(input_text)["model_cache"][0]
    new = yaml.safe_load(outcome.text)["weights"][0]
    assert {k: v for k, v in new.items() if k.endswith("_patterns")} == {
        k: v for k, v in old.items() if k.endswith("_patterns")
    }


ALREADY_MIGRATED = [
    pytest.param(
        "weights:\n  - source: hf://org/a\n    mount_location: /m\n    allow_patterns: ['*.json']\n",
        id="weights-entry-with-wildcards",
    ),
    pytest.param(
        'weights:\n  - {source: "hf://org/a", mount_location: /m, ignore_patterns: ["*.pth", sub/]}\n',
        id="weights-flow-entry",
    ),
    pytest.param(
        "templates:\n  - config:\n      weights:\n        - source: hf://org/a\n          mount_location: /m\n"
        "          allow_patterns: ['*.json']\n",
        id="nested-weights-entry",
    ),
]


@pytest.mark.parametrize("input_text", ALREADY_MIGRATED)
@pytest.mark.parametrize("ctx", [DEFAULT, Context(dialect=TRUSS, nested=True)], ids=["seed", "truss-nested"])
def test_entries_already_under_weights_are_never_touched(input_text, ctx):
    outcome = migrate_config(input_text, ctx)
    assert outcome.status == "unchanged" and outcome.text is None
    assert outcome.diagnostics == []


# --- everywhere entries are written ------------------------------------------------------


def _patterns(text: str) -> list[dict[str, list[str]]]:
    return [{k: v for k, v in entry.items() if k.endswith("_patterns")} for entry in yaml.safe_load(text)["weights"]]


@pytest.mark.parametrize("row", [pytest.param(row, id=row.id) for row in LISTS if row.values[0] != row.values[1]])
def test_the_truss_dialect_writes_the_same_lists(row):
    src, expected, _ = row.values
    outcome = migrate_config(src, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert _patterns(outcome.text) == _patterns(expected)


def test_external_data_folds_beside_rewritten_lists():
    src = d("""
        model_cache:
          - repo_id: org/a
            allow_patterns: ["*.json"]
            use_volume: true
            volume_folder: a
        external_data:
          - url: https://example.com/x.bin
            local_data_path: x.bin
        """)
    outcome = migrate_config(src, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == d("""
        weights:
          - source: hf://org/a
            allow_patterns: ["*.json", "**/*.json"]
            mount_location: /app/model_cache/a
          - source: https://example.com/x.bin
            mount_location: /app/data/x.bin
        """)
    assert sorted(diag.code for diag in outcome.diagnostics) == ["W012", "W014"]


def test_nested_blocks_rewrite_their_lists_under_nested():
    src = d("""
        overlays:
          - name: sdxl
            config:
              model_cache:
                - repo_id: org/sdxl
                  allow_patterns:
                    - "*.json"
                    - "*.fp16.safetensors"
        """)
    expected = d("""
        overlays:
          - name: sdxl
            config:
              weights:
                - source: hf://org/sdxl
                  mount_location: /app/model_cache/org_sdxl
                  allow_patterns:
                    - "*.json"
                    - "**/*.json"
                    - "*.fp16.safetensors"
                    - "**/*.fp16.safetensors"
        """)
    outcome = migrate_config(src, Context(nested=True))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert sorted(diag.code for diag in outcome.diagnostics) == ["W001", "W014", "W042"]
    assert migrate_config(src).status == "unchanged"  # without --nested: reported only (W040)


def test_docs_fences_rewrite_their_lists():
    doc = "# Model\n\n```yaml\nmodel_cache:\n  - repo_id: org/a\n    ignore_patterns: ['*.pth']\n```\n"
    outcome = migrate_markdown(doc)
    assert outcome.status == "migrated", outcome.diagnostics
    assert "    ignore_patterns: ['*.pth', '**/*.pth']\n```" in outcome.text
    assert migrate_markdown(outcome.text).status == "unchanged"


# --- any list layout, generated ------------------------------------------------------------

_POOL = ["*.json", "*.safetensors", "config.json", "original/*", "tokenizer*", "sub/", "**/*.bin", "model-*.pt", "a?b"]


def _item(pattern: str, quote: str) -> str:
    if quote == "" and not pattern.startswith("*") and "?" not in pattern:  # `?` ends a plain scalar in a flow list
        return pattern
    mark = quote or '"'
    return mark + pattern + mark


@st.composite
def written_lists(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A config whose one entry has an allow list in a drawn layout, and the list's patterns."""
    patterns = draw(st.lists(st.sampled_from(_POOL), min_size=1, max_size=4))
    items = [_item(p, draw(st.sampled_from(["", "'", '"']))) for p in patterns]
    remarks = [draw(st.sampled_from(["", "  # c"])) for _ in items]
    layout = draw(st.sampled_from(["block", "flow", "flow-lines"]))
    if layout == "block":
        written = "\n" + "".join(f"      - {item}{remark}\n" for item, remark in zip(items, remarks))
    elif layout == "flow":
        written = " [" + ", ".join(items) + "]\n"
    else:
        trailing = draw(st.booleans())
        lines = [
            f"      {item}{',' if i < len(items) - 1 or trailing else ''}{remark}\n"
            for i, (item, remark) in enumerate(zip(items, remarks))
        ]
        written = " [\n" + "".join(lines) + "    ]\n"
    volume = draw(st.booleans())
    text = "model_cache:\n  - repo_id: org/a\n    allow_patterns:" + written + (VOLUME if volume else "") + "x: 1\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, patterns


@settings(max_examples=200, deadline=None)
@given(written_lists())
def test_any_list_layout_is_rewritten_to_the_plan(case):
    text, patterns = case
    outcome = migrate_config(text)
    assert outcome.status == "migrated", outcome.diagnostics
    legacy = "use_volume" not in text
    assert (
        yaml.safe_load(outcome.text)["weights"][0]["allow_patterns"] == mapping.patterns(patterns, legacy)[0].patterns
    )
    assert sorted(comments(outcome.text)) == sorted(comments(text))
    if "\r\n" in text:
        assert outcome.text.count("\n") == outcome.text.count("\r\n")
    assert migrate_config(outcome.text).status == "unchanged"
