"""Where each character of a scalar's value is written in its text, so a value can be edited in place."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import ScalarNode

from ..read import LINE_BREAK

STYLE_NAMES = {">": "folded", '"': "double-quoted", "'": "single-quoted", "|": "literal", None: "plain", "": "plain"}
BLOCK_HEADER = re.compile(r"[|>][0-9+-]*[ \t]*(?:#[^\r\n\x85\u2028\u2029]*)?")


def scalar_offsets(source: str, node: ScalarNode) -> list[int] | None:
    """For each character of the scalar's value (and its end), its offset in source.

    Plain and quoted scalars, folded over several lines too, literal and folded blocks; None
    for escapes, or a tag or anchor in front. In a folded block, a line break folded into a
    space (or dropped before an empty line) is at the line break it stands for.
    """
    if node.style == "|":
        return _literal_offsets(source, node.value)
    if node.style == ">":
        return _folded_offsets(source, node.value)
    if node.style not in (None, "", "'", '"'):
        return None
    quoted = node.style in ("'", '"')
    if quoted and not source.startswith(node.style):
        return None
    found = _flow_scalar(source, 1 if quoted else 0, len(source) - 1 if quoted else len(source), node.style or "")
    return found[1] if found is not None and found[0] == node.value else None


_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _flow_scalar(source: str, lo: int, hi: int, style: str) -> tuple[str, list[int]] | None:
    """The value of a plain or quoted scalar's text source[lo:hi] and its offsets.

    Lines fold as YAML folds them: one line break between two lines reads as a space,
    n breaks as n - 1 newlines; the space around a break goes. Folded characters map to
    where the previous line's text ends, an escape's character to its backslash. An
    escaped line break (or one after an escaped space) is left to the caller's check.
    """
    chars: list[str] = []
    offsets: list[int] = []
    lines, pos = [], lo
    for match in LINE_BREAK.finditer(source, lo, hi):
        lines.append((pos, match.start()))
        pos = match.end()
    lines.append((pos, hi))
    breaks, last = 0, lo
    for number, (start, end) in enumerate(lines):
        text_start = start if number == 0 else start + len(source[start:end]) - len(source[start:end].lstrip(" \t"))
        text_end = end if number == len(lines) - 1 else start + len(source[start:end].rstrip(" \t"))
        if number > 0:
            breaks += 1
            if text_start >= text_end and number < len(lines) - 1:
                continue  # an empty line: one more newline
            fold = " " if breaks == 1 else "\n" * (breaks - 1)
            chars += fold
            offsets += [last] * len(fold)
            breaks = 0
        i = text_start
        special = "''" if style == "'" else "\\" if style == '"' else None
        if special is None or special not in source[text_start:text_end]:
            chars.append(source[text_start:text_end])  # no escapes: character for character
            offsets += range(text_start, max(text_end, text_start))
            i = text_end
        while i < text_end:
            char, size = source[i], 1
            if style == "'" and source.startswith("''", i):
                size = 2
            elif style == '"' and char == "\\":
                code = source[i + 1 : i + 2]
                if code in _HEX_ESCAPES:
                    size = 2 + _HEX_ESCAPES[code]
                    try:
                        char = chr(int(source[i + 2 : i + size], 16))
                    except ValueError:
                        return None
                elif code in _ESCAPES:
                    char, size = _ESCAPES[code], 2
                else:
                    return None  # an escaped line break
            chars.append(char)
            offsets.append(i)
            i += size
        last = max(text_end, text_start)
    offsets.append(last)
    return "".join(chars), offsets


def _literal_offsets(source: str, value: str) -> list[int] | None:
    """Offsets for a literal block scalar: each value line ends its source line.

    Lines past the last line break of the value (trailing blank lines a chomping
    indicator strips) do not matter: they are not edited.
    """
    header = BLOCK_HEADER.match(source)
    if header is None or not source.startswith(("|", ">")):
        return None
    breaks = list(LINE_BREAK.finditer(source, header.end()))
    if not breaks or breaks[0].start() != header.end():
        return None
    lines = value.split("\n")
    offsets: list[int] = []
    for number, line in enumerate(lines):
        begin = breaks[number].end() if number < len(breaks) else len(source)
        end = breaks[number + 1].start() if number + 1 < len(breaks) else len(source)
        if number == len(lines) - 1 and line == "" and number > 0:
            offsets.append(offsets[-1] if offsets else begin)  # the value's end: its last line break
            break
        first = end - len(line)
        if first < begin or source[first:end] != line or source[begin:first].strip(" "):
            return None
        offsets += range(first, end + 1)  # the line's characters and its line break
    if len(offsets) == len(value) + 1:
        return offsets
    return None


Line = tuple[int, int, str]  # a line of a block scalar: where its text starts and ends, its line break ("" at the end)


def _folded_offsets(source: str, value: str) -> list[int] | None:
    """Offsets for a folded block scalar, read as PyYAML folds it, at the indentation that reads
    as value (an indentation indicator counts from the parent's, which the text alone does not show)."""
    header = BLOCK_HEADER.match(source)
    if header is None or not source.startswith(">"):
        return None
    breaks = list(LINE_BREAK.finditer(source, header.end()))
    if not breaks or breaks[0].start() != header.end():
        return None
    ends = [(found.start(), found.group()) for found in breaks[1:]] + [(len(source), "")]
    lines = [(found.end(), end, line_break) for found, (end, line_break) in zip(breaks, ends)]
    texts = [source[start:end] for start, end, _ in lines if source[start:end].strip(" ")]
    deepest = len(texts[0]) - len(texts[0].lstrip(" ")) if texts else 0
    for indent in range(deepest, 0, -1):
        folded = _fold(source, lines, indent, header.group()[1:])
        if folded is not None and folded[0] == value:
            return folded[1]
    return None


def _fold(source: str, lines: list[Line], indent: int, indicators: str) -> tuple[str, list[int]] | None:
    """A folded block's value and offsets at one indentation, as PyYAML's scanner builds them: the
    line break between two lines of text that start with no blank reads as a space, or as nothing
    before empty lines, each of which reads as a line break; any other line break is kept."""
    chars: list[str] = []
    offsets: list[int] = []
    empty: list[int] = []  # where the empty lines since the last line of text break
    last: tuple[bool, int, str] | None = None  # the last line of text: led by no blank, its line break
    for start, end, line_break in lines:
        text = source[start:end]
        blanks = len(text) - len(text.lstrip(" "))
        if blanks >= indent and text[indent:]:  # a line of text, or of blanks past the indentation
            if last is not None:
                _join(chars, offsets, last, text[indent] not in " \t", bool(empty))
            chars += ["\n"] * len(empty)
            offsets += empty
            empty = []
            chars.append(text[indent:])
            offsets += range(start + indent, end)
            last = (text[indent] not in " \t", end, line_break)
        elif not text.strip(" ") and line_break:
            empty.append(end)
        else:
            break
    if last is None:
        return None
    _, end, line_break = last
    chomping = indicators.lstrip("0123456789")[:1]
    if chomping != "-" and line_break:
        chars.append(_value_break(line_break))
        offsets.append(end)
    if chomping == "+":
        chars += ["\n"] * len(empty)
        offsets += empty
    return "".join(chars), [*offsets, offsets[-1] + 1 if offsets else 0]


def _join(chars: list[str], offsets: list[int], last: tuple[bool, int, str], next_led: bool, empty: bool) -> None:
    """What the line break after a line of text reads as, when more text follows: where both lines
    start with no blank, a space (nothing before empty lines), else the line break itself."""
    led, end, line_break = last
    if not (led and next_led and _value_break(line_break) == "\n"):
        chars.append(_value_break(line_break))
        offsets.append(end)
    elif not empty:
        chars.append(" ")
        offsets.append(end)


def _value_break(line_break: str) -> str:
    """A line break as a block scalar's value holds it (PyYAML keeps only these two as they are)."""
    return line_break if line_break in ("\u2028", "\u2029") else "\n"
