"""Where a text can name the old block's key: the cheap checks run before any parse.

The config editor builds a node tree only for a text that may hold a block key (any other is
checked for being YAML by libyaml's parser alone), and blocks.py walks a tree for nested blocks
only when the text names the key more often than the top level does. Both count a key name only
where it can be a whole scalar: not inside a longer word or a path (the `/app/model_cache/x` of a
mount location, which every migrated config holds).
"""

from __future__ import annotations

import re

BLOCK_KEYS = ("model_cache", "hf_cache")  # the old block's key (hf_cache: its older name)
CODE_NEEDLES = ("ModelRepo", "ModelCache")  # Python code without these names builds no cache

# What can stand right before or after a scalar that is a key: a line break, a blank, a BOM, a
# quote, a flow or block indicator. Any other non-ASCII character counts too (conservative: a
# file read as bytes decoded as Latin-1 sees a multi-byte break or BOM as such characters).
_BEFORE = frozenset(" \t\r\n'\"[{,?:-")
_AFTER = frozenset(" \t\r\n'\"]},:\\")
_TAIL = "_cache"  # what both keys end with: one find per candidate
# In a double-quoted scalar, `\x5f`, `\u0063` or an escaped line break can spell a block key too.
ESCAPE = re.compile(r"\\[xuU\r\n]")


def written(text: str) -> int:
    """How often text spells `model_cache` or `hf_cache` as a whole scalar.

    Found with str.find: a regex with a look-behind would try every position of the text.
    """
    count, end = 0, text.find(_TAIL)
    while end >= 0:
        end += len(_TAIL)
        for name in BLOCK_KEYS:
            start = end - len(name)
            if start >= 0 and text.startswith(name, start):
                if _bounded(text, start - 1, _BEFORE) and _bounded(text, end, _AFTER):
                    count += 1
                break
        end = text.find(_TAIL, end)
    return count


def may_hold_key(text: str) -> bool:
    """Whether text can hold a block key: spelled as a whole scalar, or behind an escape."""
    return written(text) > 0 or ("\\" in text and ESCAPE.search(text) is not None)


def _bounded(text: str, at: int, boundary: frozenset[str]) -> bool:
    if at < 0 or at >= len(text):
        return True
    char = text[at]
    return char in boundary or char >= "\x80"
