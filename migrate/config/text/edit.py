"""Text edits: spans of the document replaced, and scalars written in a given quoting style.

The output is the input text with a few spans replaced, so every byte outside them is kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from itertools import pairwise

from ...core.diagnostics import Diagnostic
from .. import pyyaml_rules
from ..read import STR, Failure

_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/.~@+=%][A-Za-z0-9_/.~@:+=%-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


def apply(body: str, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for first, second in pairwise(ordered):
        if second.start < first.end:
            raise Failure(Diagnostic(1, 1, "E099", "internal error: overlapping edits"))
    out, pos = [], 0
    for edit in ordered:
        out += [body[pos : edit.start], edit.text]
        pos = edit.end
    out.append(body[pos:])
    return "".join(out)


def render_scalar(data: str, style: str | None, flow: bool = False) -> str:
    """data written as a YAML scalar, in the given quoting style where possible.

    In a flow collection libyaml rejects a plain scalar holding `:`, so those are quoted.
    """
    if style == "'" and "\n" not in data and data.isprintable():
        return "'" + data.replace("'", "''") + "'"
    if style in ("", None) and _plain_safe(data) and not (flow and ":" in data):
        return data
    return json.dumps(data, ensure_ascii=False)


def _plain_safe(data: str) -> bool:
    """Written plain, data reads back as this string to truss (and, stricter, to other YAML readers)."""
    if not _PLAIN_SAFE.fullmatch(data) or data.endswith(":") or pyyaml_rules.plain_tag(data) != STR:
        return False
    if "/" in data:
        return True
    return data.lower() not in _YAML11_WORDS and not data[0].isdigit() and data[0] not in "+-.~"
