"""Reading YAML as truss does: PyYAML's SafeLoader rules (YAML 1.1) on ruamel's node trees.

Truss loads config.yaml with `yaml.safe_load`. The node trees (with the exact positions the
edits need) come from ruamel's C parser; the tags follow PyYAML's implicit resolver, and
`construct` turns a scalar into the value SafeConstructor makes of it. PyYAML itself is not
a runtime dependency: its resolver table and scalar constructors are mirrored here.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import re
import warnings
from collections.abc import Callable
from typing import TypeVar

from ruamel.yaml.composer import Composer
from ruamel.yaml.error import ReusedAnchorWarning, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode
from ruamel.yaml.parser import Parser
from ruamel.yaml.reader import Reader
from ruamel.yaml.scanner import Scanner
from ruamel.yaml.tag import Tag

try:
    from _ruamel_yaml import CParser
except ImportError:  # no ruamel.yaml.clib (PyPy): the pure parser reads every file
    CParser = None

P = "tag:yaml.org,2002:"
STR, NULL, BOOL, INT, FLOAT = P + "str", P + "null", P + "bool", P + "int", P + "float"
TIMESTAMP, MERGE, BINARY, SEQ, MAP = P + "timestamp", P + "merge", P + "binary", P + "seq", P + "map"

# PyYAML 6.0 resolver.py (MIT, (c) Kirill Simonov): the implicit resolvers in the order
# they are added there, each with the first characters it is tried for.
_IMPLICIT = (
    (
        BOOL,
        re.compile(
            r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
            re.X,
        ),
        "yYnNtTfFoO",
    ),
    (
        FLOAT,
        re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
            re.X,
        ),
        "-+0123456789.",
    ),
    (
        INT,
        re.compile(
            r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
            re.X,
        ),
        "-+0123456789",
    ),
    (MERGE, re.compile(r"^(?:<<)$"), "<"),
    (
        NULL,
        re.compile(
            r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
            re.X,
        ),
        ("~", "n", "N", ""),
    ),
    (
        TIMESTAMP,
        re.compile(
            r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
            re.X,
        ),
        "0123456789",
    ),
    (P + "value", re.compile(r"^(?:=)$"), "="),
    (P + "yaml", re.compile(r"^(?:!|&|\*)$"), "!&*"),
)
_BY_FIRST: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _regex, _firsts in _IMPLICIT:
    for _first in _firsts:
        _BY_FIRST.setdefault(_first, []).append((_tag, _regex))

_TAGS = {tag: Tag(suffix=tag) for tag, _, _ in _IMPLICIT}  # shared: nodes only read their tags
_STR_TAG, _SEQ_TAG, _MAP_TAG = Tag(suffix=STR), Tag(suffix=SEQ), Tag(suffix=MAP)
_OPEN, _CLOSE = (MappingStartEvent, SequenceStartEvent), (MappingEndEvent, SequenceEndEvent)
_CACHE_SIZE = 4096  # distinct plain scalars; a config has a few dozen, a batch repeats most
_plain_tags: dict[str, Tag] = {}


def plain_tag(value: str) -> str:
    """The tag PyYAML gives a plain (unquoted, untagged) scalar."""
    return str(_plain_tag(value))


def _plain_tag(value: str) -> Tag:
    tag = _plain_tags.get(value)
    if tag is None:
        tag = _STR_TAG
        for name, regex in _BY_FIRST.get(value[:1], ()):
            if regex.match(value):
                tag = _TAGS[name]
                break
        if len(_plain_tags) < _CACHE_SIZE:
            _plain_tags[value] = tag
    return tag


class _Resolution:
    """PyYAML's Resolver without path resolvers (SafeLoader has none)."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool] | bool) -> Tag:
        # Called for every node: the cache is read here, not through a second call.
        if kind is ScalarNode:
            if not implicit[0]:  # type: ignore[index]  # a tuple for scalars, a bool for collections
                return _STR_TAG
            tag = _plain_tags.get(value)  # type: ignore[arg-type]  # a str for scalars
            return tag if tag is not None else _plain_tag(value)  # type: ignore[arg-type]
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    # No path resolvers: the composer's calls before and after every node do nothing. Built-in
    # callables that take the same arguments spare a Python call each (`slice(parent, index)`).
    descend_resolver = slice
    ascend_resolver = tuple


if CParser is not None:

    class _CLoader(CParser, _Resolution):  # type: ignore[misc]  # ruamel.yaml.clib ships no types
        """libyaml's reader, scanner, parser and composer in one C object."""


class _PureLoader(Reader, Scanner, Parser, Composer, _Resolution):
    """ruamel's Python parser: reads what the libyaml bundled with ruamel rejects
    (a `:` inside a plain scalar in a flow collection), as PyYAML's Python parser does."""

    processing_version = (1, 1)
    max_depth = None  # the caller bounds nesting before parsing

    def __init__(self, text: str):
        self.comment_handling = None
        self.version = (1, 1)
        self.doc_infos = [_DocInfo()]
        self._resolver = self
        Reader.__init__(self, text, loader=self)
        Scanner.__init__(self, loader=self)
        Parser.__init__(self, loader=self)
        Composer.__init__(self, loader=self)


class _DocInfo:
    doc_version = None


_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")


# Where an anchor may stand (`&a` where a node starts; not the `&&` of a shell command): at the
# start or after a blank or one of `[{,:?-`. The token comes first and the look back after it, so
# the scan skips to each `&` in C instead of trying the look back at every character.
MAY_ANCHOR = re.compile(r"&(?<![^\s\[{,:?-]&)[^\s&]")


def _single_node(loader: _CLoader | _PureLoader, text: str) -> Node | None:
    """The document's node; a reused anchor, which PyYAML refuses where ruamel warns, is left to
    read.compose (its E001) instead of a warning on stderr."""
    if not MAY_ANCHOR.search(text):
        return loader.get_single_node()  # type: ignore[no-any-return]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ReusedAnchorWarning)
        root: Node | None = loader.get_single_node()
        return root


def compose(text: str) -> Node | None:
    """The node tree of text (one document); raises ruamel's YAMLError when it is not YAML.

    The C parser reads almost every file; what it rejects is read again by the Python one,
    which accepts what PyYAML accepts (a `:` inside a plain scalar in a flow collection). Both give
    the same line and column positions. Not a text with NEL, LS or PS: PyYAML breaks a line at each,
    as libyaml does, while ruamel's Python scanner reads them inside a plain scalar.
    """
    root: Node | None
    if CParser is not None:
        loader = _CLoader(text)
        try:
            root = _single_node(loader, text)
            return root
        except YAMLError as first:
            c_error: YAMLError | None = first
            if _UNICODE_BREAKS.search(text):
                raise
        finally:
            loader.dispose()
    else:
        c_error = None
    pure = _PureLoader(text)
    try:
        root = _single_node(pure, text)
        if c_error is not None and not _anchors_read_by_pyyaml(root):
            raise c_error  # an anchor named as YAML 1.2 allows: PyYAML scans only [0-9A-Za-z_-]
        return root
    except YAMLError:
        if c_error is not None:
            raise c_error from None
        raise
    finally:
        pure.dispose()


_ANCHOR = re.compile(r"[0-9A-Za-z_-]+")


def _anchors_read_by_pyyaml(root: Node | None) -> bool:
    """Whether every anchor of the tree has a name PyYAML's scanner reads."""
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        anchor = getattr(node, "anchor", None)
        if anchor is not None and not _ANCHOR.fullmatch(str(anchor)):
            return False
        if isinstance(node.value, list):
            for item in node.value:
                stack.extend(item if isinstance(item, tuple) else (item,))
    return True


def parses(text: str) -> bool:
    """Whether libyaml's parser reads text to its end, run in C with no event or node built.

    False also where only ruamel's Python parser could tell (no C parser, or libyaml rejects it).
    """
    if CParser is None:
        return False
    parser = CParser(text)
    try:
        parser.raw_parse()
        return True
    except YAMLError:
        return False
    finally:
        parser.dispose()


def depth(text: str, limit: int) -> int:
    """The deepest nesting of collections in text, from the parser's events, or limit + 1
    when deeper than limit.

    The parsers keep their own stacks, so unlike the composers they do not recurse however deep
    the text goes (libyaml's scanner slows down quadratically with flow depth: hence the limit).
    On a syntax error: the depth reached before it.
    """
    deepest = 0
    for make in ((_CLoader,) if CParser is not None else ()) + (_PureLoader,):
        loader, level, most = make(text), 0, 0
        try:
            while (event := loader.get_event()) is not None and not isinstance(event, StreamEndEvent):
                if isinstance(event, _OPEN):
                    level += 1
                    most = max(most, level)
                    if most > limit:
                        return most
                elif isinstance(event, _CLOSE):
                    level -= 1
            return most
        except YAMLError:
            deepest = max(deepest, most)
        finally:
            loader.dispose()
    return deepest


# --- values, as SafeConstructor makes them --------------------------------------------

_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_INF = float("inf")
_NAN = float("nan")
_TIMESTAMP = re.compile(
    r"""^(?P<year>[0-9][0-9][0-9][0-9])
        -(?P<month>[0-9][0-9]?)
        -(?P<day>[0-9][0-9]?)
        (?:(?:[Tt]|[ \t]+)
        (?P<hour>[0-9][0-9]?)
        :(?P<minute>[0-9][0-9])
        :(?P<second>[0-9][0-9])
        (?:\.(?P<fraction>[0-9]*))?
        (?:[ \t]*(?P<tz>Z|(?P<tz_sign>[-+])(?P<tz_hour>[0-9][0-9]?)
        (?::(?P<tz_minute>[0-9][0-9]))?))?)?$""",
    re.X,
)


class Unreadable:
    """A scalar SafeConstructor refuses (an unknown tag, `=`, `0b_`): truss cannot load the file."""

    __slots__ = ("raw", "tag")

    def __init__(self, tag: str, raw: str):
        self.tag, self.raw = tag, raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unreadable) and (self.tag, self.raw) == (other.tag, other.raw)

    def __hash__(self) -> int:
        return hash((self.tag, self.raw))

    def __repr__(self) -> str:
        return f"Unreadable({self.tag!r}, {self.raw!r})"

    @property
    def described(self) -> str:
        return f"`{self.raw}`, which truss cannot read as {self.tag}"


def construct(tag: str, raw: str) -> object:
    """The Python value PyYAML's SafeConstructor makes of a scalar node."""
    if tag == STR:
        return raw
    maker = _MAKERS.get(tag)
    if maker is None:
        return Unreadable(tag, raw)
    try:
        return maker(raw)
    except (ValueError, KeyError, IndexError, TypeError, OverflowError, binascii.Error):
        return Unreadable(tag, raw)


def _sign(raw: str) -> tuple[int, str]:
    value = raw.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    return sign, value[1:] if value[0] in "+-" else value


def _int(raw: str) -> int:
    sign, value = _sign(raw)
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        return sign * _sexagesimal(value, int)
    return sign * int(value)


def _float(raw: str) -> float:
    sign, value = _sign(raw.lower())
    if value == ".inf":
        return sign * _INF
    if value == ".nan":
        return _NAN
    if ":" in value:
        return sign * _sexagesimal(value, float)
    return sign * float(value)


_Number = TypeVar("_Number", int, float)


def _sexagesimal(value: str, kind: Callable[[str], _Number]) -> _Number:
    total, base = kind("0"), 1
    for part in reversed(value.split(":")):
        total += kind(part) * base
        base *= 60
    return total


def _timestamp(raw: str) -> datetime.date:
    match = _TIMESTAMP.match(raw)
    if match is None:  # an explicit !!timestamp that is none
        raise ValueError(raw)
    values = match.groupdict()
    year, month, day = int(values["year"]), int(values["month"]), int(values["day"])
    if not values["hour"]:
        return datetime.date(year, month, day)
    fraction = int(values["fraction"][:6].ljust(6, "0")) if values["fraction"] else 0
    tzinfo = None
    if values["tz_sign"]:
        delta = datetime.timedelta(hours=int(values["tz_hour"]), minutes=int(values["tz_minute"] or 0))
        tzinfo = datetime.timezone(-delta if values["tz_sign"] == "-" else delta)
    elif values["tz"]:
        tzinfo = datetime.timezone.utc
    hour, minute, second = int(values["hour"]), int(values["minute"]), int(values["second"])
    return datetime.datetime(year, month, day, hour, minute, second, fraction, tzinfo=tzinfo)


def _binary(raw: str) -> bytes:
    try:
        return base64.decodebytes(raw.encode("ascii"))
    except UnicodeEncodeError as exc:
        raise ValueError(exc) from None


_MAKERS = {
    NULL: lambda raw: None,
    BOOL: lambda raw: _BOOLS[raw.lower()],
    INT: _int,
    FLOAT: _float,
    TIMESTAMP: _timestamp,
    BINARY: _binary,
}
