"""The cheap checks in front of costly reads never let through what the costly read would catch."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import examples

from migrate.config import aliases, blocks, pyyaml_rules, read
from migrate.config import edit as config_edit
from migrate.config.edit import migrate as migrate_config
from migrate.config.read import MAX_DEPTH, nesting_bound
from migrate.core import keys

LEAD = MAX_DEPTH // 2


def _deep(text: str) -> bool:
    return read._DEEP_LEAD.search(text) is not None


# (text, whether a line has a lead of MAX_DEPTH // 2 indentation or indicator characters)
LEADS = [
    pytest.param(" " * LEAD + "x: 1\n", True, id="spaces-at-start"),
    pytest.param("a: 1\n" + "- " * (LEAD // 2) + "x\n", True, id="dashes-after-a-line"),
    pytest.param("a: 1\r" + "\t?:-" * (LEAD // 4) + "  x\n", True, id="mixed-after-cr"),
    pytest.param("x" * 49 + "\n" + " " * LEAD + "y\n", True, id="unaligned"),
    pytest.param(" " * (LEAD - 1) + "x: 1\n", False, id="one-short"),
    pytest.param("a: '" + " " * (LEAD * 2) + "'\n", False, id="inside-a-line"),
    pytest.param("a: 1\n" * 200, False, id="plain"),
]


@pytest.mark.parametrize("text, deep", LEADS)
def test_deep_leads_are_bounded_by_the_parser(text, deep):
    assert _deep(text) == deep
    assert (nesting_bound(text) == pyyaml_rules.depth(text, MAX_DEPTH)) or not deep


@settings(max_examples=examples(300), deadline=None)
@given(
    prefix=st.text(alphabet="ab :\n", max_size=120),
    lead=st.text(alphabet=" \t?:-", min_size=LEAD, max_size=LEAD + 60),
    suffix=st.text(alphabet="x: \n", max_size=40),
)
def test_the_sampled_scan_never_misses_a_deep_lead(prefix, lead, suffix):
    text = prefix + "\n" + lead + suffix
    assert _deep(text)
    assert read._LEAD_SAMPLE.search(text[:: read._STRIDE])


# A key name counts where a scalar can start before it and end after it (any non-ASCII
# character counts as a boundary: a line break, a BOM, or a byte of one read as Latin-1).
_WHOLE_KEY = re.compile(
    "(?<![^ \t\r\n'\"\\[{,?:\\-\x80-\U0010ffff])(?:model_cache|hf_cache)(?![^ \t\r\n'\"\\]},:\\\\\x80-\U0010ffff])"
)


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "model_cache",
                "hf_cache",
                "_cache",
                "model",
                " ",
                "\n",
                "/",
                ":",
                "'",
                '"',
                "x",
                "-",
                "\x85",
                "\ufeff",
                "é",
                ".",
            ]
        )
    )
)
def test_key_names_are_counted_as_whole_scalars(parts):
    text = "".join(parts)
    assert keys.written(text) == len(_WHOLE_KEY.findall(text))


# (text, whether it may name a key without spelling it)
HIDDEN = [
    pytest.param('a:\n  "model\\x5fcache":\n    - x\n', True, id="escaped-key"),
    pytest.param('a: {"hf\\x5fcache" : 1}\n', True, id="escaped-flow-key"),
    pytest.param('a:\n  ? "model\\\n    _cache"\n  : 1\n', True, id="explicit-key"),
    pytest.param("a: &k model_cache\n", True, id="anchor"),
    pytest.param("- &k1\n  x: 1\n", True, id="anchor-on-a-mapping"),
    pytest.param('a: "sh -c \\"x\\" && y"\nb: 1\n', False, id="escapes-in-a-value"),
    pytest.param("a: sh -c 'x && y'\n", False, id="shell-and"),
    pytest.param("url: https://x.org/?a=1&b=2\n", False, id="ampersand-in-a-word"),
]


@pytest.mark.parametrize("text, hidden", HIDDEN)
def test_keys_not_spelled_out_make_the_tree_walk(text, hidden):
    assert blocks._keys_hidden(text) == hidden


# --- files that cannot hold a block key: valid YAML needs no tree -----------------------------

# (text, whether the C parser alone may vouch for it)
READABLE = [
    pytest.param("weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b\n", True, id="migrated"),
    pytest.param("a: {b: [1, 2]}\nc: '*.json'\n", True, id="flow-and-quoted-glob"),
    pytest.param("", True, id="empty"),
    pytest.param("a: [1\n", False, id="libyaml-rejects"),
    pytest.param("a: 1\nb: *x\n", False, id="alias"),
    pytest.param("a: &x 1\n", False, id="anchor"),
    pytest.param("a: 1\n---\nb: 2\n", False, id="second-document"),
    pytest.param("a: 1\t\n", False, id="tab"),
    pytest.param("a: 1\n\ufeffb: 2\n", False, id="inner-bom"),
    pytest.param("a: [s3://b/p]\n", False, id="url-in-flow-libyaml-rejects"),
    pytest.param("[" * 600 + "]" * 600, False, id="nested-too-deep"),
]


@pytest.mark.parametrize("text, readable", READABLE)
def test_the_c_parser_vouches_only_where_it_can(text, readable):
    assert read.surely_readable(text) == readable


@settings(max_examples=examples(800), deadline=None)
@given(st.text(alphabet="ab:-[]{},'\"#\n\t &*!|>?%@`.\\\ufeff", max_size=40))
def test_what_the_c_parser_vouches_for_composes(text):
    """surely_readable never lets through what the full reading refuses (E001)."""
    if read.surely_readable(text):
        read.compose(text)  # raises Failure (E001) on what truss cannot read


# The token scans, each as its comment says: a token character at the start of the text or after a
# blank or one of the given characters, then a character it may be followed by.
TOKEN_SCANS = [
    pytest.param(pyyaml_rules.MAY_ANCHOR, "&", "[{,:?-", lambda c: not c.isspace() and c != "&", id="anchor"),
    pytest.param(read._COMPOSER_MATTERS, "&*", "[{,:?-", lambda c: not c.isspace(), id="anchor-or-alias"),
    pytest.param(aliases._ALIAS_TOKEN, "*", "[{,", lambda c: c.isascii() and (c.isalnum() or c in "_-"), id="alias"),
    pytest.param(
        aliases._ANCHOR_TOKEN, "&", "[{,", lambda c: c.isascii() and (c.isalnum() or c in "_-"), id="anchor-name"
    ),
    pytest.param(config_edit._UNPLAIN, "&*!", "[{,", lambda c: c.isalnum() or c in "_-", id="anchor-alias-or-tag"),
]


@pytest.mark.parametrize("scan, tokens, after, follows", TOKEN_SCANS)
@settings(max_examples=examples(400), deadline=None)
@given(st.text(alphabet=" \n\r\t\x85\u2028[]{},:?-&*!.ab_9#", max_size=12))
def test_token_scans_find_tokens_where_a_node_may_start(scan, tokens, after, follows, text):
    expected = [
        i
        for i, c in enumerate(text[:-1])
        if c in tokens and (i == 0 or text[i - 1].isspace() or text[i - 1] in after) and follows(text[i + 1])
    ]
    found = [m.start() for m in scan.finditer(text) if m[0][0] in tokens]  # `---` and `...` aside
    assert found == expected


# A file naming the key only inside a path or a longer word: answered without a tree when it is
# valid YAML; an invalid one still gets its E001, as any file holding the key's bytes does.
MENTIONS = [
    pytest.param("weights:\n  - mount_location: /app/model_cache/a\n", [], id="valid-path"),
    pytest.param("model_cache_dir: x\n", [], id="valid-longer-word"),
    pytest.param("weights: [\n  - mount_location: /app/model_cache/a\n", ["E001"], id="invalid-path"),
    pytest.param("a: *x\npath: /app/model_cache/a\n", ["E001"], id="undefined-alias-path"),
    pytest.param("a: 1\t\npath: /app/model_cache/a\n", ["E001"], id="tab-path"),
]


@pytest.mark.parametrize("text, codes", MENTIONS)
def test_mentions_are_read_cheaply_but_never_skipped(text, codes):
    outcome = migrate_config(text)
    assert [d.code for d in outcome.diagnostics] == codes
    assert outcome.text is None
