"""Which texts may need a change at all: the one pre-filter, checked before anything is parsed.

Two depths, both here. The run reads a file's bytes and asks whether it can need its editor
(`config_wanted`, `code_wanted`, `doc_wanted`): a strict superset of the files truss reads a block
key from, so none that names the key is skipped unread. The config editor then builds a node tree
only for a text that may hold a block key as a whole scalar (`config_may_change`; any other is
checked for being YAML by libyaml's parser alone), and the nested-block walk counts whole
scalars too (`written`): not a key inside a longer word or a path, such as the
`/app/model_cache/x` of a mount location, which every migrated config holds.
"""

from __future__ import annotations

import re

from .context import TRUSS, Context
from .entry import TrussEntry
from .mapping import path_moves

BLOCK_KEYS = ("model_cache", "hf_cache")  # the old block's key (hf_cache: its older name)
CODE_NEEDLES = ("ModelRepo", "ModelCache")  # Python code without these names builds no cache
EXTERNAL_DATA = "external_data"  # the truss dialect folds it into weights

# What can stand right before or after a scalar that is a key: a line break, a blank, a BOM, a
# quote, a flow or block indicator. Any other non-ASCII character counts too (conservative: a
# file read as bytes decoded as Latin-1 sees a multi-byte break or BOM as such characters).
_BEFORE = frozenset(" \t\r\n'\"[{,?:-")
_AFTER = frozenset(" \t\r\n'\"]},:\\")
_TAIL = "_cache"  # what both keys end with: one find per candidate
# In a double-quoted scalar, `\x5f`, `\u0063` or an escaped line break can spell a block key too.
ESCAPE = re.compile(r"\\[xuU\r\n]")
_ESCAPE_BYTES = re.compile(ESCAPE.pattern.encode())
_KEY_BYTES = tuple(key.encode() for key in BLOCK_KEYS)
_CODE_BYTES = tuple(needle.encode() for needle in CODE_NEEDLES)
# A doc mentions the block when a line holds its key (indented, quoted, in a list or a quote):
# a mount path such as /app/model_cache/x is no mention.
_DOC_MENTION = re.compile(rb"""^[ \t>*+-]*["']?(?:model_cache|hf_cache)["']?[ \t]*:""", re.M)
# A yaml fence is migrated when a line of its content starts with a block key.
_FENCE_KEY = re.compile(r"""^["']?(?:model_cache|hf_cache)["']?[ \t]*:""", re.M)
_FENCE_KEY_TRUSS = re.compile(r"""^["']?(?:model_cache|hf_cache|external_data)["']?[ \t]*:""", re.M)


def config_wanted(data: bytes, context: Context) -> bool:
    """Whether a file's bytes can hold a block truss reads: the key's bytes anywhere.

    Any file holding them goes to the editor (a JSON config, a document indented as a whole,
    `? model_cache`, bare-CR line breaks, a top-level flow mapping all hold them), so none that
    names the key is skipped unread; the editor tells a top-level key from a mention in a comment,
    a value, a path or a nested mapping.
    """
    if any(key in data for key in _KEY_BYTES) or (b"\\" in data and _ESCAPE_BYTES.search(data) is not None):
        return True
    return context.dialect == TRUSS and EXTERNAL_DATA.encode() in data


def config_may_change(text: str, context: Context) -> bool:
    """Whether a config's text can hold a block (or, in the truss dialect, external_data) at all."""
    return may_hold_key(text) or (context.dialect == TRUSS and EXTERNAL_DATA in text)


def code_wanted(data: bytes, context: Context) -> bool:
    """Whether a Python file can need a change or name its truss's entries: it builds a cache, or, in
    a truss, names the block, an entry's repo id or mount location, a path that moves, or a key of
    the config that may hold an id."""
    return any(needle in data for needle in code_needles(context))


def code_needles(context: Context) -> tuple[bytes, ...]:
    if not context.truss:
        return _CODE_BYTES
    return (*survey_needles(context), *(entry.mount_location.encode() for entry in context.truss), b"mount_location")


def survey_needles(context: Context) -> tuple[bytes, ...]:
    """What a module of a truss must hold to need more than a look for its mount paths: a cache it
    builds, the block, an id (or faster-whisper's class, which takes a size name for one), a path
    that moves, a key of the config that holds an id."""
    ids = [(entry.repo_id or "").encode() for entry in followed(context.truss)]
    moves = [old.encode() for old in path_moves(context.truss, context)]
    reads = sorted({value.keys[0].encode() for value in context.config_values})
    return (*_CODE_BYTES, *_KEY_BYTES, *ids, *moves, *reads, b"WhisperModel")


def doc_wanted(data: bytes, context: Context) -> bool:
    """Whether a Markdown file can show a config or code to migrate (--docs)."""
    needles = (*_KEY_BYTES, *_CODE_BYTES) + ((EXTERNAL_DATA.encode(),) if context.dialect == TRUSS else ())
    return any(needle in data for needle in needles)


def doc_mentions(data: bytes) -> bool:
    """Whether a Markdown file shows a line with the block's key (without --docs: only counted)."""
    return _DOC_MENTION.search(data) is not None


def fence_wanted(language: str, text: str, context: Context) -> bool:
    """Whether a fence shows a config with the block, or code the code pass looks at."""
    if language == "python":
        return any(needle in text for needle in CODE_NEEDLES)
    return bool((_FENCE_KEY_TRUSS if context.dialect == TRUSS else _FENCE_KEY).search(text))


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


def followed(entries: tuple[TrussEntry, ...]) -> list[TrussEntry]:
    """The entries whose Hugging Face repository code may load by id: every Hugging Face source, migrated
    now or before (loading one by id downloads what the truss mounts)."""
    return [e for e in entries if e.repo_id is not None]
