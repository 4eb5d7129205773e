"""Reading a config as truss does: the node tree, the values it holds, positions and comments.

Positions come from ruamel's C-backed composer; every check here refuses what PyYAML (and so
truss) would read differently or not at all, so the editors below work on the truss meaning.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from itertools import accumulate
from typing import Protocol

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..core.diagnostics import Diagnostic
from ..core.outcome import MigrationError
from . import pyyaml_rules

STR, NULL = pyyaml_rules.STR, pyyaml_rules.NULL
BOM = "\ufeff"
# libyaml (YAML 1.1) breaks lines on these; positions count lines the same way.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAK = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML beside \n and \r


class Mark(Protocol):
    """Where a node starts or ends (ruamel's marks): 0-based line and column."""

    line: int
    column: int


Failure = MigrationError  # the file cannot be migrated; carries the diagnostic that says why


MAX_DEPTH = 500  # libyaml's composer overflows the C stack some ten thousand levels down
_OPENERS = ("[", "{")
# A line led by this many spaces, tabs or `-`/`?`/`:` indicators (after any line break).
_DEEP_LEAD = re.compile(f"(?:^|(?<=[\r\x85\u2028\u2029]))[ \t?:-]{{{MAX_DEPTH // 2}}}", re.M)
# Such a lead is a run of MAX_DEPTH // 2 of those characters, so every _STRIDE-th character of
# the text has MAX_DEPTH // 2 // _STRIDE of them in a row: a scan of a fiftieth of the text.
_STRIDE = 50
_LEAD_SAMPLE = re.compile(f"[ \t?:-]{{{MAX_DEPTH // 2 // _STRIDE}}}")


def nesting_bound(text: str) -> int:
    """An upper bound of the document's nesting depth, exact where it matters.

    Cheap first: a level needs a bracket, or one more column of indentation or one more
    `-`/`?`/`:` on its line, so few brackets and no deeply led line bound the depth by MAX_DEPTH. Only
    past that are the parser's events counted: structure alone (not the lines of a block
    scalar, comments or quoted text), stopping once past MAX_DEPTH.
    """
    brackets = sum(text.count(opener) for opener in _OPENERS)
    if brackets <= MAX_DEPTH // 2 and not (_LEAD_SAMPLE.search(text[::_STRIDE]) and _DEEP_LEAD.search(text)):
        return brackets + MAX_DEPTH // 2
    return pyyaml_rules.depth(text, MAX_DEPTH)


# libyaml skips a byte-order mark that starts a later line; PyYAML (and so truss) reads it as
# the start of a scalar and fails. Such a file is not one truss can load.
_INNER_BOM = re.compile("(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*\ufeff")


def _no_inner_bom(text: str) -> None:
    match = _INNER_BOM.search(text)
    if match:
        line = len(LINE_BREAK.findall(text, 0, match.start() + 1)) + 1
        raise Failure(
            Diagnostic(
                line, 1, "E001", "invalid YAML: a byte-order mark starts this line (PyYAML, as truss, cannot read it)"
            )
        )


# A block scalar's header with a comment glued to it (`|#`, `>-#`): libyaml reads the comment,
# PyYAML (as truss) wants a blank or a line break right after the indicators.
_GLUED_HEADER = re.compile(r"[|>][-+1-9]{0,2}#")


def _glued_headers(text: str, root: Node) -> None:
    index = Text(text)
    for node in nodes(root, set()):
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            at = index.offset(node.start_mark)
            glued = _GLUED_HEADER.match(text, at)
            if glued is not None:
                line, col = node.start_mark.line + 1, node.start_mark.column + len(glued[0])
                problem = "a block scalar's header runs into a comment (PyYAML, as truss, wants a blank before `#`)"
                raise Failure(Diagnostic(line, col, "E001", f"invalid YAML: {problem}"))


_QUOTED_OR_BLOCK = ("'", '"', "|", ">")
_COMMENT_BEFORE = re.compile(r"(?:^|[ ])#", re.M)


def _pyyaml_tabs(text: str, root: Node) -> None:
    """PyYAML (and so truss) reads a tab only inside a quoted or block scalar or a comment;
    libyaml takes more (after a value, between flow items, leading a line inside a flow
    collection or a line of blanks). Such a file is not one truss loads."""
    index = Text(text)
    spans = sorted(
        (index.offset(n.start_mark), index.offset(n.end_mark))
        for n in nodes(root, set())
        if isinstance(n, ScalarNode) and n.style in _QUOTED_OR_BLOCK
    )
    for match in re.finditer("\t", text):
        at = match.start()
        if any(start <= at < end for start, end in spans):
            continue
        line_start = index.line_start(at)
        if _COMMENT_BEFORE.search(text, line_start, at):
            continue
        line = bisect.bisect_right(index.starts, at)
        raise Failure(
            Diagnostic(
                line, at - line_start + 1, "E001", "invalid YAML: a tab where PyYAML (as truss) does not allow one"
            )
        )


# An anchor or an alias (`&a`, `*a` where a scalar or a flow item starts): PyYAML's composer, not
# its parser, refuses an undefined alias; and several documents (`---`, `...`), which compose refuses.
# (The token first, the look back after it: see pyyaml_rules.MAY_ANCHOR.)
_COMPOSER_MATTERS = re.compile(r"[&*](?<![^\s\[{,:?-][&*])[^\s]|---|\.\.\.")


def surely_readable(text: str) -> bool:
    """True when text surely reads as one YAML document truss accepts, checked without building a
    node: libyaml's parser run in C. False when only compose() can tell (it then gives the E001):
    a tab or an inner BOM (PyYAML refuses some libyaml takes), an anchor or alias, several documents,
    deep nesting, or what libyaml rejects."""
    if "\t" in text or BOM in text or _COMPOSER_MATTERS.search(text) or _GLUED_HEADER.search(text):
        return False
    return nesting_bound(text) <= MAX_DEPTH and pyyaml_rules.parses(text)


def compose(text: str) -> Node | None:
    """The node tree of text as truss reads it; raises Failure (E001) when it is not YAML."""
    if nesting_bound(text) > MAX_DEPTH:
        raise Failure(Diagnostic(1, 1, "E001", f"invalid YAML for a config: nested more than {MAX_DEPTH} levels deep"))
    if BOM in text:
        _no_inner_bom(text)
    try:
        root = pyyaml_rules.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "several YAML documents in one file; a truss config has one"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise Failure(Diagnostic(line, col, "E001", f"invalid YAML: {problem}")) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise Failure(Diagnostic(1, 1, "E001", f"invalid YAML: {exc}".splitlines()[0])) from None
    if "\t" in text and root is not None:
        _pyyaml_tabs(text, root)
    if root is not None and _GLUED_HEADER.search(text):
        _glued_headers(text, root)
    if root is not None and pyyaml_rules.MAY_ANCHOR.search(text):
        _unique_anchors(root)
    return root


def _unique_anchors(root: Node) -> None:
    """PyYAML's composer refuses an anchor name given twice (ruamel only warns): E001 at the second."""
    first: dict[str, Node] = {}
    for node in nodes(root, set()):
        anchor = node.anchor
        if anchor is None:
            continue
        if anchor in first:
            mark = node.start_mark
            problem = f"found duplicate anchor {str(anchor)!r} (first at line {first[anchor].start_mark.line + 1})"
            raise Failure(Diagnostic(mark.line + 1, mark.column + 1, "E001", f"invalid YAML: {problem}"))
        first[anchor] = node


# --- reading values -----------------------------------------------------------


def scalar_value(node: ScalarNode) -> object:
    """The value truss (PyYAML's SafeLoader) reads from a scalar."""
    return pyyaml_rules.construct(node.tag or "", node.value)  # a composed scalar always has a tag


VALUE_BUDGET = 100_000  # nodes; aliases can make a tiny text expand without bound


def value(node: Node, budget: list[int] | None = None) -> object:
    """Plain Python data for a small subtree (an entry), refusing alias bombs."""
    budget = budget if budget is not None else [VALUE_BUDGET]
    budget[0] -= 1
    if budget[0] < 0:
        raise Failure(diag_at(node, "E017", "aliases expand this entry beyond any real config; migrate it by hand"))
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [value(child, budget) for child in node.value]
    return {_hashable(value(k, budget)): value(v, budget) for k, v in node.value}


def _hashable(data: object) -> object:
    if isinstance(data, list):
        return tuple(_hashable(x) for x in data)
    if isinstance(data, dict):
        return tuple((k, _hashable(v)) for k, v in data.items())
    return data


def digest(node: Node, memo: dict[int, int], overrides: dict[int, object] | None = None) -> int:
    """A hash of a subtree's meaning, linear in distinct nodes (aliases count once)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 0  # a recursive alias hashes as a constant instead of looping
    if isinstance(node, ScalarNode):
        data = (overrides or {}).get(key, scalar_value(node))
        result = hash(("s", node.tag if not isinstance(data, str) else STR, repr(data)))
    elif isinstance(node, SequenceNode):
        result = hash(("q", tuple(digest(c, memo, overrides) for c in node.value)))
    else:
        pairs = tuple((digest(k, memo, overrides), digest(v, memo, overrides)) for k, v in node.value)
        result = hash(("m", pairs))
    memo[key] = result
    return result


# --- positions ------------------------------------------------------------------


class Text:
    """The document text with (line, column) -> offset."""

    def __init__(self, body: str):
        self.body = body
        if "\r" in body or (not body.isascii() and _RARE_BREAK.search(body)):
            self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(body)]
        else:  # `\n` only (nearly every file): line lengths at C speed, not a regex match per line
            self.starts = list(accumulate(map((1).__add__, map(len, body.split("\n")[:-1])), initial=0))

    def offset(self, mark: Mark) -> int:
        if mark.line >= len(self.starts):  # a block's end past a last line without a line break
            return len(self.body)
        return self.starts[mark.line] + mark.column

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that holds offset (or len)."""
        match = LINE_BREAK.search(self.body, offset)
        return match.start() if match else len(self.body)

    def after_break(self, offset: int) -> int:
        match = LINE_BREAK.match(self.body, offset)
        return match.end() if match else offset

    def newline_at(self, offset: int) -> str:
        match = LINE_BREAK.search(self.body, offset)
        if match:
            return match.group()
        first = LINE_BREAK.search(self.body)
        return first.group() if first else "\n"


def diag_at(node: Node | None, code: str, message: str) -> Diagnostic:
    if node is None:
        return Diagnostic(1, 1, code, message)
    return Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1, code, message)


_COMMENT_START = re.compile(r"(?:^|(?<=[ \t]))#")


def comments(text: str) -> list[str]:
    """End-of-line and whole-line comments, for the keep-every-comment check.

    A quote-aware line scan: enough for the short scalars of a config block.
    """
    found = []
    for line in LINE_BREAK.split(text):
        if "#" not in line:
            continue
        start = _COMMENT_START.search(line)
        if start is None:
            continue
        if "'" not in line[: start.start()] and '"' not in line[: start.start()]:
            found.append(line[start.start() :].rstrip())  # no quote before it: the scan below agrees
            continue
        quote = None
        for i, char in enumerate(line):
            if quote:
                if char == quote:
                    quote = None
            elif char in "'\"" and (i == 0 or line[i - 1] in " \t:-[{,"):
                quote = char
            elif char == "#" and (i == 0 or line[i - 1] in " \t"):
                found.append(line[i:].rstrip())
                break
    return found


def top_level(root: MappingNode) -> dict[str, tuple[ScalarNode, Node]]:
    seen: dict[str, tuple[ScalarNode, Node]] = {}
    for key, val in root.value:
        if isinstance(key, ScalarNode) and key.tag == STR:
            if key.value in seen:
                raise Failure(diag_at(key, "E016", f"duplicate top-level key {key.value!r}"))
            seen[key.value] = (key, val)
    return seen


def is_empty(node: Node) -> bool:
    return (isinstance(node, ScalarNode) and node.tag == NULL) or (
        isinstance(node, (SequenceNode, MappingNode)) and not node.value
    )


def position(mark: Mark) -> tuple[int, int]:
    return mark.line, mark.column


def before(node: Node, key: Node) -> bool:
    """Whether a value starts before its key ends: it is an alias of an earlier node."""
    return position(node.start_mark) < position(key.end_mark)


def nodes(node: Node, seen: set[int], keys: bool = True) -> Iterator[Node]:
    """Every node below node, once each however many aliases share it (depth first, in order)."""
    stack = [node]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                stack.append(v)
                if keys:
                    stack.append(k)
