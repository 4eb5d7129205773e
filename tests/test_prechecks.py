"""The cheap checks in front of costly reads never let through what the costly read would catch."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from migrate import blocks, keys, loader, yaml_read
from migrate.yaml_read import MAX_DEPTH, nesting_bound

LEAD = MAX_DEPTH // 2


def _deep(text: str) -> bool:
    return yaml_read._DEEP_LEAD.search(text) is not None


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
    assert (nesting_bound(text) == loader.depth(text, MAX_DEPTH)) or not deep


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.text(alphabet="ab :\n", max_size=120),
    lead=st.text(alphabet=" \t?:-", min_size=LEAD, max_size=LEAD + 60),
    suffix=st.text(alphabet="x: \n", max_size=40),
)
def test_the_sampled_scan_never_misses_a_deep_lead(prefix, lead, suffix):
    text = prefix + "\n" + lead + suffix
    assert _deep(text)
    assert yaml_read._LEAD_SAMPLE.search(text[:: yaml_read._STRIDE])


# A key name counts where a scalar can start before it and end after it (any non-ASCII
# character counts as a boundary: a line break, a BOM, or a byte of one read as Latin-1).
_WHOLE_KEY = re.compile(
    "(?<![^ \t\r\n'\"\\[{,?:\\-\x80-\U0010ffff])(?:model_cache|hf_cache)(?![^ \t\r\n'\"\\]},:\\\\\x80-\U0010ffff])"
)


@settings(max_examples=500, deadline=None)
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
