"""config.yaml: locate the block, plan text edits, apply them, verify.

Positions come from ruamel's C-backed composer; the output is the input text
with a few spans replaced, so every byte outside those spans is kept as it was.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from itertools import accumulate

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import loader, rules, validate
from .diagnostics import Diagnostic

BLOCK_KEYS = ("model_cache", "hf_cache")
STR, NULL = loader.STR, loader.NULL
BOM = "\ufeff"
# libyaml (YAML 1.1) breaks lines on these; positions count lines the same way.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_RARE_BREAK = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML beside \n and \r
_COMMENT = re.compile(r"(?:^|(?<=\s))#[^\r\n\x85\u2028\u2029]*")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_/.~@+=%][A-Za-z0-9_/.~@:+=%-]*")
_YAML11_WORDS = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"}


class Failure(Exception):
    """The file cannot be migrated; carries the diagnostic that says why."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass
class Outcome:
    status: str  # "migrated", "unchanged" or "failed"
    text: str | None = None  # the migrated text, when status is "migrated"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    plans: list[rules.EntryPlan] = field(default_factory=list)


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


MAX_DEPTH = 500  # libyaml's composer overflows the C stack some ten thousand levels down
_OPENERS = ("[", "{")
# A line led by this many spaces, tabs or `-`/`?`/`:` indicators (after any line break).
_DEEP_LEAD = re.compile("(?:^|(?<=[\r\x85\u2028\u2029]))[ \t?:-]{%d}" % (MAX_DEPTH // 2), re.M)
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
    return loader.depth(text, MAX_DEPTH)


# libyaml skips a byte-order mark that starts a later line; PyYAML (and so truss) reads it as
# the start of a scalar and fails. Such a file is not one truss can load.
_INNER_BOM = re.compile("(?:\r\n|[\r\n\x85\u2028\u2029])[ \t]*\ufeff")


def _no_inner_bom(text: str) -> None:
    match = _INNER_BOM.search(text)
    if match:
        line = len(_LINE_BREAK.findall(text, 0, match.start() + 1)) + 1
        raise Failure(
            Diagnostic(
                line, 1, "E001", "invalid YAML: a byte-order mark starts this line (PyYAML, as truss, cannot read it)"
            )
        )


_QUOTED_OR_BLOCK = ("'", '"', "|", ">")
_COMMENT_BEFORE = re.compile(r"(?:^|[ ])#", re.M)


def _pyyaml_tabs(text: str, root: Node) -> None:
    """PyYAML (and so truss) reads a tab only inside a quoted or block scalar or a comment;
    libyaml takes more (after a value, between flow items). Such a file is not one truss loads."""
    index = Text(text)
    spans = sorted(
        (index.offset(n.start_mark), index.offset(n.end_mark))
        for n in _nodes(root, set())
        if isinstance(n, ScalarNode) and n.style in _QUOTED_OR_BLOCK
    )
    for match in re.finditer("\t", text):
        at = match.start()
        if any(start <= at < end for start, end in spans):
            continue
        line_start = index.line_start(at)
        if _COMMENT_BEFORE.search(text, line_start, at) or not text[line_start:at].strip(" "):
            continue  # in a comment, or indentation (libyaml refuses a tab there itself)
        line = bisect.bisect_right(index.starts, at)
        raise Failure(
            Diagnostic(
                line, at - line_start + 1, "E001", "invalid YAML: a tab where PyYAML (as truss) does not allow one"
            )
        )


def compose(text: str) -> Node | None:
    """The node tree of text as truss reads it; raises Failure (E001) when it is not YAML."""
    if nesting_bound(text) > MAX_DEPTH:
        raise Failure(Diagnostic(1, 1, "E001", f"invalid YAML for a config: nested more than {MAX_DEPTH} levels deep"))
    if BOM in text:
        _no_inner_bom(text)
    try:
        root = loader.compose(text)
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
    return root


# --- reading values -----------------------------------------------------------


def scalar_value(node: ScalarNode) -> object:
    """The value truss (PyYAML's SafeLoader) reads from a scalar."""
    return loader.construct(node.tag, node.value)


VALUE_BUDGET = 100_000  # nodes; aliases can make a tiny text expand without bound


def value(node: Node, budget: list | None = None) -> object:
    """Plain Python data for a small subtree (an entry), refusing alias bombs."""
    budget = budget if budget is not None else [VALUE_BUDGET]
    budget[0] -= 1
    if budget[0] < 0:
        raise Failure(_diag_at(node, "E017", "aliases expand this entry beyond any real config; migrate it by hand"))
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


def digest(node: Node, memo: dict, overrides: dict | None = None) -> int:
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
            self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(body)]
        else:  # `\n` only (nearly every file): line lengths at C speed, not a regex match per line
            self.starts = list(accumulate(map((1).__add__, map(len, body.split("\n")[:-1])), initial=0))

    def offset(self, mark) -> int:
        if mark.line >= len(self.starts):  # a block's end past a last line without a line break
            return len(self.body)
        return self.starts[mark.line] + mark.column

    def line_start(self, offset: int) -> int:
        return self.starts[bisect.bisect_right(self.starts, offset) - 1]

    def line_end(self, offset: int) -> int:
        """Offset of the line break ending the line that holds offset (or len)."""
        match = _LINE_BREAK.search(self.body, offset)
        return match.start() if match else len(self.body)

    def after_break(self, offset: int) -> int:
        match = _LINE_BREAK.match(self.body, offset)
        return match.end() if match else offset

    def newline_at(self, offset: int) -> str:
        match = _LINE_BREAK.search(self.body, offset)
        if match:
            return match.group()
        first = _LINE_BREAK.search(self.body)
        return first.group() if first else "\n"


def _diag_at(node: Node | None, code: str, message: str) -> Diagnostic:
    if node is None:
        return Diagnostic(1, 1, code, message)
    return Diagnostic(node.start_mark.line + 1, node.start_mark.column + 1, code, message)


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
    if not _PLAIN_SAFE.fullmatch(data) or data.endswith(":") or loader.plain_tag(data) != STR:
        return False
    if "/" in data:
        return True
    return data.lower() not in _YAML11_WORDS and not data[0].isdigit() and data[0] not in "+-.~"


_COMMENT_START = re.compile(r"(?:^|(?<=[ \t]))#")


def comments(text: str) -> list[str]:
    """End-of-line and whole-line comments, for the keep-every-comment check.

    A quote-aware line scan: enough for the short scalars of a config block.
    """
    found = []
    for line in _LINE_BREAK.split(text):
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


# --- the plan -------------------------------------------------------------------


@dataclass
class Block:
    key: ScalarNode
    node: Node
    entries: list[MappingNode]
    empty_weights: ScalarNode | None = None  # an empty `weights:` key the block replaces


def _top_level(root: MappingNode) -> dict[str, tuple[ScalarNode, Node]]:
    seen: dict[str, tuple[ScalarNode, Node]] = {}
    for key, val in root.value:
        if isinstance(key, ScalarNode) and key.tag == STR:
            if key.value in seen:
                raise Failure(_diag_at(key, "E016", f"duplicate top-level key {key.value!r}"))
            seen[key.value] = (key, val)
    return seen


def _is_empty(node: Node) -> bool:
    return (isinstance(node, ScalarNode) and node.tag == NULL) or (
        isinstance(node, (SequenceNode, MappingNode)) and not node.value
    )


def find_block(root: Node, keys: tuple[str, ...] = BLOCK_KEYS) -> Block | None:
    """The model_cache (or hf_cache) block of a config mapping (the root, or a nested one under
    --nested), or None when there is nothing to do."""
    if not isinstance(root, MappingNode):
        return None
    top = _top_level(root)
    present = [top[k] for k in keys if k in top and not _is_empty(top[k][1])]
    if not present:
        return None
    if len(present) > 1:
        raise Failure(_diag_at(present[1][0], "E015", "both model_cache and hf_cache are set; keep one"))
    key, node = present[0]
    empty_weights = None
    if "weights" in top:
        if not _is_empty(top["weights"][1]):
            raise Failure(
                _diag_at(
                    top["weights"][0], "E013", f"`weights` is already set beside `{key.value}`; the design forbids both"
                )
            )
        empty_weights = top["weights"][0]
    if node.start_mark.line < key.start_mark.line or (
        node.start_mark.line == key.start_mark.line and node.start_mark.column < key.end_mark.column
    ):
        raise Failure(_diag_at(key, "E017", f"`{key.value}` is an alias; migrate it by hand"))
    if not isinstance(node, SequenceNode):
        raise Failure(_diag_at(node, "E003", f"`{key.value}` must be a list of entries"))
    for entry in node.value:
        if not isinstance(entry, MappingNode):
            raise Failure(_diag_at(entry, "E004", f"a `{key.value}` entry must be a mapping"))
    return Block(key, node, list(node.value), empty_weights)


def _position(mark) -> tuple[int, int]:
    return mark.line, mark.column


def _before(node: Node, key: Node) -> bool:
    """Whether a value starts before its key ends: it is an alias of an earlier node."""
    return _position(node.start_mark) < _position(key.end_mark)


# An alias or anchor token (what can look like one, in quotes too): `*.json` or `&&` are neither.
_ALIAS_TOKEN = re.compile(r"(?:^|(?<=[\s\[{,]))\*[0-9A-Za-z_-]")
_ANCHOR_TOKEN = re.compile(r"(?:^|(?<=[\s\[{,]))&[0-9A-Za-z_-]")


def check_anchors(root: MappingNode, block: Block, plans: list, body: str) -> None:
    """Refuse when an alias that stays in the file shares a node the migration edits.

    Edited: the block key, renamed or dropped keys, and values replaced or dropped where
    they are written. An alias that is itself the value replaced or dropped goes with its
    edit (the new text replaces `*name`), so it shares nothing; the anchored node stays.
    """
    if "*" not in body or "&" not in body or not (_ALIAS_TOKEN.search(body) and _ANCHOR_TOKEN.search(body)):
        return
    edited: set[int] = {id(block.key)}
    removed: set[tuple[int, int]] = set()  # (entry, pair index) whose alias value goes
    for entry, plan in zip(block.entries, plans):
        for index, ((key, val), change) in enumerate(zip(entry.value, plan.changes)):
            if change.new != change.old:
                edited.add(id(key))
            if change.new is None or change.value is not rules.UNCHANGED:
                if _before(val, key):
                    removed.add((id(entry), index))
                else:
                    edited |= {id(node) for node in _nodes(val, set())}
    memo: dict = {}
    for target, holder in _staying_aliases(root, removed, edited):
        if _touches(target, edited, memo):
            where = f"`{holder.value}`" if isinstance(holder, ScalarNode) and holder is not target else "an alias"
            raise Failure(
                _diag_at(holder, "E017", f"{where} is an alias of a node the migration changes; migrate by hand")
            )


def _changed_nodes(block: Block, plans: list) -> set[int]:
    """Ids of the nodes the migration of block changes (for a nested block's alias check)."""
    inside = {id(block.node)} | {id(entry) for entry in block.entries}
    for entry, plan in zip(block.entries, plans):
        for (key, val), change in zip(entry.value, plan.changes):
            if change.new != change.old:
                inside.add(id(key))
            if change.new is None or change.value is not rules.UNCHANGED:
                inside |= {id(node) for node in _nodes(val, set())}
    return inside


def _staying_aliases(root: Node, removed: set, edited: set) -> list[tuple[Node, Node]]:
    """(node, where) for each alias left in the output, in document order.

    where: the key an alias value belongs to, else the collection holding the alias.
    """
    seen: set[int] = set()
    found: list[tuple[Node, Node]] = []

    def visit(node: Node, gone: bool) -> None:
        seen.add(id(node))
        gone = gone or id(node) in edited  # aliases inside an edited node go with it
        if isinstance(node, SequenceNode):
            children = [(child, node) for child in node.value]
        elif isinstance(node, MappingNode):
            children = []
            for index, (key, val) in enumerate(node.value):
                children.append((key, node))
                if (id(node), index) not in removed:
                    children.append((val, key))
        else:
            children = []
        for child, holder in children:
            if id(child) in seen:
                if not gone:
                    found.append((child, holder))
            else:
                visit(child, gone)

    visit(root, False)
    return found


def _touches(node: Node, edited: set, memo: dict) -> bool:
    """Whether node or a node below it is edited."""
    key = id(node)
    if key not in memo:
        memo[key] = False  # a recursive alias adds nothing new
        children = node.value if isinstance(node, SequenceNode) else []
        if isinstance(node, MappingNode):
            children = [c for pair in node.value for c in pair]
        memo[key] = key in edited or any(_touches(c, edited, memo) for c in children)
    return memo[key]


def _nodes(node: Node, seen: set, keys: bool = True):
    """Every node below node, once each however many aliases share it."""
    if id(node) in seen:
        return
    seen.add(id(node))
    yield node
    if isinstance(node, SequenceNode):
        for child in node.value:
            yield from _nodes(child, seen, keys)
    elif isinstance(node, MappingNode):
        for k, v in node.value:
            if keys:
                yield from _nodes(k, seen, keys)
            yield from _nodes(v, seen, keys)


def entry_data(entry: MappingNode) -> dict:
    data: dict = {}
    for key, val in entry.value:
        if not isinstance(key, ScalarNode) or key.tag != STR:
            if key.tag == "tag:yaml.org,2002:merge":
                raise Failure(_diag_at(key, "E017", "merge keys (<<) in an entry: migrate it by hand"))
            raise Failure(_diag_at(key, "E006", "entry keys must be plain strings"))
        if _position(key.start_mark) < _position(entry.start_mark):  # an alias: its text is elsewhere
            raise Failure(_diag_at(entry, "E017", f"the key `{key.value}` is an alias; migrate this entry by hand"))
        if key.value in data:
            raise Failure(_diag_at(key, "E016", f"duplicate key {key.value!r} in entry"))
        data[key.value] = value(val)  # an alias value reads the node it names
    return data


def declares_hf_secret(root: MappingNode) -> bool:
    for key, val in root.value:
        if isinstance(key, ScalarNode) and key.value == "secrets" and isinstance(val, MappingNode):
            return any(isinstance(k, ScalarNode) and k.value == rules.HF_SECRET for k, _ in val.value)
    return False


def plan_entries(block: Block, planner) -> tuple[list, list]:
    """One EntryPlan per entry and the diagnostics; raises Failure on the first error."""
    plans, diagnostics = [], []
    for entry in block.entries:
        data = entry_data(entry)
        keys = {k.value: k for k, _ in entry.value}
        try:
            plan = planner(data)
        except rules.RuleError as err:
            raise Failure(_diag_at(keys.get(err.key, entry), err.code, err.message)) from None
        plans.append(plan)
        diagnostics += [_diag_at(keys.get(n.key, entry), n.code, n.message) for n in plan.notes]
    return plans, diagnostics


def check_mounts(plans: list, entries: list) -> None:
    dup = rules.duplicate_mount(plans)
    if dup is not None:
        mount = plans[dup].weight["mount_location"]
        raise Failure(_diag_at(entries[dup], "E012", f"a second entry would mount at {mount}"))


# --- text edits -------------------------------------------------------------------


_PREFIX = re.compile(r"(?:[&!][^\s]*\s+)*")  # an anchor or tag before a scalar, which stays
_ALIAS_VALUE = re.compile(  # from a key's end: the `:` indicator, blanks and comments, `*name`
    r"(?:[ \t]|#[^\r\n\x85\u2028\u2029]*|\r\n|[\r\n\x85\u2028\u2029])*:"
    r"(?:[ \t]|#[^\r\n\x85\u2028\u2029]*|\r\n|[\r\n\x85\u2028\u2029])*(\*[0-9A-Za-z_-]+)"
)
_FIRST_KEY = re.compile(r"[ \t]*(?:-[ \t]+)+")  # `- ` (or `- - `) before the first key of an item


class EntryEditor:
    """Turns one EntryPlan into text edits on one entry mapping node."""

    def __init__(self, text: Text, entry: MappingNode, plan: rules.EntryPlan):
        self.text, self.entry, self.plan = text, entry, plan
        self.pairs = list(entry.value)
        self.in_flow = bool(entry.flow_style)
        self.spans = [self._spans(key, val) for key, val in self.pairs]

    def _spans(self, key: ScalarNode, val: Node) -> tuple[int, int, int, int, int]:
        """(pair start, key start, key end, value start, value end) in the text.

        The pair starts at a `?` indicator or at the key's anchor; the key span leaves
        out an anchor or tag; an alias value spans its `*name`; a block scalar ends with
        its last line of text; an empty value ends where its `:` does.
        """
        body = self.text.body
        k_node_start, k_end = self.text.offset(key.start_mark), self.text.offset(key.end_mark)
        k_start = k_node_start
        if body[k_node_start] in "&!":
            k_start = _PREFIX.match(body, k_node_start, k_end).end()
        pair = blank = k_node_start
        while blank > 0 and body[blank - 1] in " \t":
            blank -= 1
        if blank < pair and body[blank - 1 : blank] == "?":  # `? key`
            pair = blank - 1
        if _before(val, key):
            alias = _ALIAS_VALUE.match(body, k_end)
            if alias is None:
                raise Failure(
                    _diag_at(
                        key, "E017", f"`{key.value}` is an alias in a layout this tool does not read; migrate by hand"
                    )
                )
            return pair, k_start, k_end, alias.start(1), alias.end(1)
        v_start, v_end = self.text.offset(val.start_mark), self.text.offset(val.end_mark)
        if isinstance(val, ScalarNode):
            if body[v_start : v_start + 1] in ("&", "!"):
                v_start = _PREFIX.match(body, v_start, max(v_end, v_start)).end()
            if val.style in ("|", ">"):
                v_end = v_start + len(body[v_start:v_end].rstrip(" \t\r\n\x85\u2028\u2029"))
            elif v_start == v_end and not body[k_end:v_start].rstrip(" \t").endswith(":"):
                v_start = v_end = k_end  # `? key` with no `:`: the empty value is the key's
        return pair, k_start, k_end, v_start, v_end

    def key_span(self, i: int) -> tuple[int, int]:
        return self.spans[i][1], self.spans[i][2]

    def value_span(self, i: int) -> tuple[int, int]:
        return self.spans[i][3], self.spans[i][4]

    def pair_start(self, i: int) -> int:
        return self.spans[i][0]

    def rename(self, i: int, new: str) -> Edit:
        key = self.pairs[i][0]
        start, end = self.key_span(i)
        quote = key.style if key.style in ("'", '"') else ""
        return Edit(start, end, f"{quote}{new}{quote}")

    def replace(self, i: int, data: str) -> Edit:
        start, end = self.value_span(i)
        node = self.pairs[i][1]
        block = node.style in ("|", ">")  # a changed block scalar becomes a one-line scalar
        rendered = render_scalar(data, None if block else node.style, self.in_flow)
        if block:  # the header's comment stays, after the new value
            header = _BLOCK_HEADER.match(self.text.body, start)
            comment = re.search(r"[ \t]+#.*", header.group()) if header else None
            rendered += comment.group() if comment else ""
        return Edit(start, end, rendered)

    def edits(self) -> list[Edit]:
        edits: list[Edit] = []
        dropped = [change.new is None for change in self.plan.changes]
        for i, change in enumerate(self.plan.changes):
            if change.new is not None and change.new != change.old:
                edits.append(self.rename(i, change.new))
            if change.new is not None and change.value is not rules.UNCHANGED:
                edits.append(self.replace(i, change.value))
        if self.entry.flow_style:
            edits += self.drop_flow(dropped)
        else:
            edits += self.drop_block(dropped)
        edits += self.inserts()
        return edits

    # -- dropping keys

    def _tail(self, i: int) -> tuple[int, str]:
        """End of the line holding the value's end, and the comment on it."""
        _, end = self.value_span(i)
        eol = self.text.line_end(end)
        rest = self.text.body[end:eol]
        if rest.strip() and not rest.lstrip().startswith("#"):
            raise Failure(_diag_at(self.pairs[i][0], "E099", "internal error: unexpected text after a value"))
        return eol, rest.strip()

    def _comments(self, i: int, start: int, end: int) -> list[tuple[str, str]]:
        """(indent, comment) of each line of text[start:end] that has one, block scalar text aside."""
        body, node = self.text.body, self.pairs[i][1]
        if "#" not in body[start:end]:
            return []
        skip = (0, 0)
        v_start, v_end = self.value_span(i)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            skip = (self.text.line_end(v_start), v_end)
        found, pos = [], start
        while True:
            stop = min(self.text.line_end(pos), end)
            if not skip[0] <= pos < skip[1]:
                comment = comments(body[pos:stop])
                if comment:
                    line_start = self.text.line_start(pos)
                    line = body[line_start:stop]
                    found.append((line[: len(line) - len(line.lstrip())], comment[0]))
            if stop >= end:
                return found
            pos = self.text.after_break(stop)

    def drop_block(self, dropped: list[bool]) -> list[Edit]:
        edits: list[Edit] = []
        body, covered = self.text.body, -1
        for i, gone in enumerate(dropped):
            start = self.pair_start(i)
            if not gone or start < covered:
                continue
            line_start = self.text.line_start(start)
            prefix = body[line_start:start]
            eol, _ = self._tail(i)
            if not prefix.strip():  # the pair starts its line
                edits.append(self._drop_lines(i, line_start, eol))
            elif _FIRST_KEY.fullmatch(prefix):  # the first key of a `- ` item
                edits.append(self._drop_first(i, dropped, line_start + len(prefix.rstrip())))
                covered = edits[-1].end
            else:
                raise Failure(_diag_at(self.pairs[i][0], "E099", "internal error: unsupported key layout"))
        return edits

    def _drop_lines(self, i: int, line_start: int, eol: int) -> Edit:
        """Delete the pair's lines; each comment on them stays, as a comment line."""
        newline = self.text.newline_at(eol)
        lines = [indent + comment for indent, comment in self._comments(i, line_start, eol)]
        return Edit(line_start, self.text.after_break(eol), "".join(line + newline for line in lines))

    def _drop_first(self, i: int, dropped: list[bool], dash_end: int) -> Edit:
        start = self.pair_start(i)
        survivor = next((j for j in range(i, len(dropped)) if not dropped[j]), None)
        if survivor is not None:
            target = self.pair_start(survivor)
            if not comments(self.text.body[start:target]):
                return Edit(start, target, "")  # `- kind: hf\n  repo_id: x` -> `- repo_id: x`
        eol, _ = self._tail(i)
        kept = self._comments(i, start, eol)
        if not kept:
            return Edit(dash_end, eol, "")
        newline = self.text.newline_at(eol)
        column = start - self.text.line_start(start)
        rest = "".join(newline + " " * column + c for _, c in kept[1:])
        return Edit(dash_end, eol, f" {kept[0][1]}{rest}")  # `- kind: hf  # c` -> `- # c`

    def drop_flow(self, dropped: list[bool]) -> list[Edit]:
        """Each run of dropped items goes with the comma before it (or after, at the start)."""
        body, edits, i = self.text.body, [], 0
        while i < len(dropped):
            if not dropped[i]:
                i += 1
                continue
            j = i
            while j + 1 < len(dropped) and dropped[j + 1]:
                j += 1
            start, end = self.pair_start(i), self.value_span(j)[1]
            if i > 0 and not comments(body[self.value_span(i - 1)[1] : end]):
                edits.append(Edit(self.value_span(i - 1)[1], end, ""))  # `a: 1, kind: hf` -> `a: 1`
            elif j + 1 < len(dropped) and not comments(body[start : self.pair_start(j + 1)]):
                edits.append(Edit(start, self.pair_start(j + 1), ""))  # `kind: hf, a: 1` -> `a: 1`
            else:
                edits += [self._drop_flow_item(k) for k in range(i, j + 1)]
            i = j + 1
        return edits

    def _drop_flow_item(self, k: int) -> Edit:
        """One item with its own comma; a line it leaves blank goes too."""
        body = self.text.body
        k_start, k_end = self.pair_start(k), self.value_span(k)[1]
        comma = re.compile(r"[ \t]*,[ \t]*").match(body, k_end)
        stop = comma.end() if comma else k_end
        line_start, eol = self.text.line_start(k_start), self.text.line_end(stop)
        if not body[line_start:k_start].strip() and not body[stop:eol].strip():
            return Edit(line_start, self.text.after_break(eol), "")  # the item had the line to itself
        if body[stop : stop + 1] == "#" and not body[k_start - 1].isspace():
            stop -= 1  # `{kind: s3,  # c` -> `{ # c`: a comment needs a space before it
        return Edit(k_start, stop, "")

    # -- inserting keys

    def inserts(self) -> list[Edit]:
        if not self.plan.inserts:
            return []
        i = next(j for j, c in enumerate(self.plan.changes) if c.new == "source")
        style = self.pairs[i][1].style
        style = None if style in ("|", ">") else style  # new keys are one-line scalars
        _, end = self.value_span(i)
        if self.entry.flow_style:
            added = "".join(f", {k}: {render_scalar(v, style, flow=True)}" for k, v in self.plan.inserts)
            return [Edit(end, end, added)]
        column = self.pair_start(i) - self.text.line_start(self.pair_start(i))
        eol = self.text.line_end(end)
        newline = self.text.newline_at(eol)
        lines = [f"{' ' * column}{k}: {render_scalar(v, style)}" for k, v in self.plan.inserts]
        at = self.text.after_break(eol)
        node = self.pairs[i][1]
        kept = self.plan.changes[i].value is rules.UNCHANGED and not _before(node, self.pairs[i][0])
        if kept and node.style in ("|", ">") and node.end_mark.column == 0:
            at = max(at, self.text.offset(node.end_mark))  # after the trailing lines it keeps
        return [Edit(at, at, "".join(line + newline for line in lines))]


def drop_line(text: Text, line_start: int, eol: int, comment: str) -> Edit:
    """Delete a whole line (through eol), leaving its comment as a comment line."""
    indent = re.compile(r"[ \t]*").match(text.body, line_start).group()
    return Edit(line_start, text.after_break(eol), indent + comment + text.newline_at(eol) if comment else "")


def content_end(text: Text, node: Node) -> int:
    """Where a node's own text ends (a block collection's end mark runs on to the next key)."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    start, end = text.offset(node.start_mark), text.offset(node.end_mark)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):  # its end mark is on the next line
        return start + len(text.body[start:end].rstrip(" \t\r\n\x85\u2028\u2029"))
    return end


def append_entries(text: Text, block: Block, plans: list) -> Edit:
    """New entries after the block's last one, in the style of its first."""
    if block.node.flow_style:  # [..., {...}]: before the closing bracket
        end = text.offset(block.node.end_mark) - 1
        added = "".join(
            ", {" + ", ".join(f"{k}: {render_scalar(v, '', flow=True)}" for k, v in p.weight.items()) + "}"
            for p in plans
        )
        return Edit(end, end, added)
    first = block.entries[0]
    start = text.offset(first.start_mark)
    prefix = text.body[text.line_start(start) : start]
    dash = prefix.rfind("-")
    lead = " " * dash + "-" + " " * (len(prefix) - dash - 1)
    newline = text.newline_at(start)
    lines = []
    for plan in plans:
        pairs = list(plan.weight.items())
        if first.flow_style:
            lines.append(lead + "{" + ", ".join(f"{k}: {render_scalar(v, '', flow=True)}" for k, v in pairs) + "}")
        else:
            lines += [
                (lead if i == 0 else " " * len(prefix)) + f"{k}: {render_scalar(v, '')}"
                for i, (k, v) in enumerate(pairs)
            ]
    at = text.after_break(text.line_end(content_end(text, block.node)))
    return Edit(at, at, "".join(line + newline for line in lines))


def drop_region(text: Text, key: ScalarNode, node: Node) -> Edit:
    """Delete a top-level key and its value; their comments stay, as comment lines."""
    start = text.line_start(text.offset(key.start_mark))
    end = text.after_break(text.line_end(content_end(text, node)))
    kept = []
    for line in _LINE_BREAK.split(text.body[start:end])[:-1]:
        found = comments(line)
        if found:
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(line if line.lstrip().startswith("#") else indent + found[0])
    newline = text.newline_at(start)
    return Edit(start, end, "".join(line + newline for line in kept))


def drop_empty_weights(text: Text, root: MappingNode, key: ScalarNode) -> Edit:
    node = next(v for k, v in root.value if k is key)
    end = max(text.offset(key.end_mark), text.offset(node.end_mark))
    eol = text.line_end(end)
    rest = text.body[end:eol].strip()
    start = text.offset(key.start_mark)
    if (rest and not rest.startswith("#")) or text.body[text.line_start(start) : start].strip():
        raise Failure(_diag_at(key, "E013", "an empty `weights` key in an unusual layout; remove it by hand"))
    return drop_line(text, text.line_start(start), eol, rest)


def apply(body: str, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise Failure(Diagnostic(1, 1, "E099", "internal error: overlapping edits"))
    out, pos = [], 0
    for edit in ordered:
        out += [body[pos : edit.start], edit.text]
        pos = edit.end
    out.append(body[pos:])
    return "".join(out)


# --- beyond the block -------------------------------------------------------------


def outside_edits(text: Text, root: MappingNode, block: Block, plans, options) -> tuple[list, dict, list]:
    """Edits beyond the block: start_command and moved paths.

    Returns the edits, {id(node): expected new value} for verification, diagnostics.
    """
    top = {k.value: (k, v) for k, v in root.value if isinstance(k, ScalarNode)}
    fixes: dict[int, tuple[ScalarNode, list]] = {}
    diagnostics = []
    trt_llm = "trt_llm" in top and not _is_empty(top["trt_llm"][1])
    docker = top.get("docker_server", (None, None))[1]
    if not trt_llm and isinstance(docker, MappingNode):
        for key, val in docker.value:
            if key.value == "start_command" and isinstance(val, ScalarNode) and val.tag == STR:
                fix = _start_command_fix(text, val)
                if isinstance(fix, str):
                    diagnostics.append(
                        _diag_at(
                            val,
                            "W030",
                            f"`truss-transfer-cli` left in start_command ({fix}): the image will not have it; remove it by hand",
                        )
                    )
                elif fix is not None:
                    fixes[id(val)] = (val, [fix])
                    diagnostics.append(
                        _diag_at(
                            val,
                            "W004",
                            "`truss-transfer-cli` dropped from start_command: weights are mounted, not downloaded by it",
                        )
                    )
    moves = {}
    if options.mount_root != rules.DEFAULT_MOUNT_ROOT:
        moves = {
            p.old_location: p.weight["mount_location"]
            for p in plans
            if p.old_location and p.old_location != p.weight["mount_location"]
        }
    if moves:
        seen = {id(block.node)}
        for key, val in root.value:
            if key is block.key:
                continue
            for node in _nodes(val, seen, keys=False):
                if not isinstance(node, ScalarNode):
                    continue
                if node.tag == STR and rules.move_path(node.value, moves) != node.value:
                    fixes.setdefault(id(node), (node, []))[1].append(
                        lambda s, v: (rules.move_path(s, moves), rules.move_path(v, moves))
                    )
                    diagnostics.append(_diag_at(node, "W008", "path moved to the new mount location"))
    edits, expected = [], {}
    for node, steps in fixes.values():
        start, end = text.offset(node.start_mark), text.offset(node.end_mark)
        source, data = text.body[start:end], node.value
        for step in steps:
            source, data = step(source, data)
        edits.append(Edit(start, end, source))
        expected[id(node)] = data
    return edits, expected, sorted(diagnostics, key=lambda d: (d.line, d.col))


def _start_command_fix(text: Text, node: ScalarNode):
    """A (source, value) step dropping `truss-transfer-cli`, None, or why it stays (a str)."""
    fix = rules.fix_start_command(node.value)
    if fix.unsafe is not None:
        return fix.unsafe
    if fix.command is None:
        return None
    source = text.body[text.offset(node.start_mark) : text.offset(node.end_mark)]
    offsets = scalar_offsets(source, node)
    if offsets is None:
        return f"in a {_STYLE_NAMES.get(node.style, 'YAML')} scalar this tool cannot edit in place"
    new_source = apply(source, [Edit(offsets[a], offsets[b], "") for a, b in fix.spans])
    if node.style in (None, "") and _plain_in_doubt(fix.command) and _read_scalar(new_source) != fix.command:
        return "the edited text would read differently in this YAML layout"  # e.g. `"$HOME/run"`
    return lambda _source, _data: (new_source, fix.command)


def _plain_in_doubt(command: str) -> bool:
    """Whether a plain scalar starting the way command now starts may not read as command.

    A first character that is no YAML indicator, and a space (no number, boolean or null
    has one), leave no doubt; what remains is checked by parsing, and verify checks all.
    """
    return not (command[:1].isalnum() or command[:1] in "/._") or " " not in command


def _read_scalar(source: str) -> object:
    """What a scalar's text reads as, as the value of a top-level key; None if not a string."""
    try:
        root = loader.compose("k: " + source + "\n")
    except (YAMLError, ValueError):
        return None
    node = root.value[0][1] if isinstance(root, MappingNode) and root.value else None
    return node.value if isinstance(node, ScalarNode) and node.tag == STR else None


_STYLE_NAMES = {">": "folded", '"': "double-quoted", "'": "single-quoted", "|": "literal", None: "plain", "": "plain"}
_BLOCK_HEADER = re.compile(r"[|>][0-9+-]*[ \t]*(?:#[^\r\n\x85\u2028\u2029]*)?")


def scalar_offsets(source: str, node: ScalarNode) -> list[int] | None:
    """For each character of the scalar's value (and its end), its offset in source.

    Plain and quoted scalars, folded over several lines too, and literal blocks; None
    for escapes, folded blocks, or a tag or anchor in front.
    """
    if node.style == "|":
        return _literal_offsets(source, node.value)
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
    for match in _LINE_BREAK.finditer(source, lo, hi):
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
    header = _BLOCK_HEADER.match(source)
    if header is None or not source.startswith(("|", ">")):
        return None
    breaks = list(_LINE_BREAK.finditer(source, header.end()))
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


# --- verification -------------------------------------------------------------------


def verify(
    new_body: str,
    root: MappingNode,
    block: Block,
    plans,
    expected: dict,
    old_body: str,
    dialect=rules.SEED,
    removed=(),
    old_text: Text | None = None,
) -> None:
    """Re-parse the output; it must mean the plan and nothing else. Raises Failure.

    old_text: old_body's line index, when the caller has it already."""
    try:
        new_root = compose(new_body)
    except Failure as failure:
        raise Failure(
            Diagnostic(1, 1, "E099", f"internal error: the result is not valid YAML ({failure.diagnostic.message})")
        ) from None

    def fail(why: str):
        raise Failure(
            _diag_at(block.key, "E099", f"internal error: the result did not verify ({why}); file left untouched")
        )

    gone = {id(k) for k in (block.empty_weights, *removed) if k is not None}
    old_pairs = [pair for pair in root.value if id(pair[0]) not in gone]
    if not isinstance(new_root, MappingNode) or len(new_root.value) != len(old_pairs):
        fail("top-level keys changed")
    old_text, new_text = old_text or Text(old_body), Text(new_body)
    old_memo, new_memo = {}, {}
    for (ok, ov), (nk, nv) in zip(old_pairs, new_root.value):
        if ok is block.key:
            _check_weights(nk, nv, plans, dialect, fail)
            continue
        was = old_body[old_text.offset(ok.start_mark) : old_text.offset(ov.end_mark)]
        now = new_body[new_text.offset(nk.start_mark) : new_text.offset(nv.end_mark)]
        own = old_text.offset(ov.start_mark) >= old_text.offset(ok.end_mark)  # not an alias of a node elsewhere
        if own and was == now and "*" not in was and ok.start_mark.column == nk.start_mark.column:
            continue  # the same text at the same place, no aliases: the same meaning
        if digest(ok, old_memo) != digest(nk, new_memo) or digest(ov, old_memo, expected) != digest(nv, new_memo):
            fail(f"the meaning of {getattr(ok, 'value', '?')!r} changed")
    if sorted(comments(old_body)) != sorted(comments(new_body)):
        fail("a comment was lost")


# --- nested blocks (generator overlays) ------------------------------------------------

# The key names where they can be a whole scalar: not inside a longer word or path (the
# `/app/model_cache/x` of a mount location). Found with str.find: a regex with a look-behind
# tries every position of the text.
_BEFORE_KEY = frozenset(" \t\r\n\x85\u2028\u2029\ufeff'\"[{,?:-")
_AFTER_KEY = frozenset(" \t\r\n\x85\u2028\u2029'\"]},:\\")
_BEFORE_ANCHOR = frozenset(" \t\r\n\x85\u2028\u2029\ufeff[{,?:-")


def _keys_written(body: str) -> int:
    """How often body spells `model_cache` or `hf_cache` as a whole scalar."""
    count, end = 0, body.find("_cache")
    while end >= 0:
        end += len("_cache")
        for name in BLOCK_KEYS:
            start = end - len(name)
            if start >= 0 and body.startswith(name, start):
                if (start == 0 or body[start - 1] in _BEFORE_KEY) and (end == len(body) or body[end] in _AFTER_KEY):
                    count += 1
                break
        end = body.find("_cache", end)
    return count


# A double-quoted implicit key with an escape in it, or an explicit key (`? `: it may span lines).
_ESCAPED_KEY = re.compile(r'"[^"\\\r\n]*\\[^\r\n](?:[^"\\\r\n]|\\[^\r\n])*"[ \t]*:|(?<![^\s\[{,])\?\s')


_ANCHOR_NAME = re.compile("[0-9A-Za-z_-]")  # libyaml's (and PyYAML's) anchor characters


def _keys_hidden(body: str) -> bool:
    """The text may name a key without spelling it: an escape in a double-quoted key, or an
    anchor (an alias of an anchored key is the same key again)."""
    if "\\" in body and _ESCAPED_KEY.search(body):
        return True
    at = body.find("&")
    while at >= 0:
        if (at == 0 or body[at - 1] in _BEFORE_ANCHOR) and _ANCHOR_NAME.match(body, at + 1):
            return True
        at = body.find("&", at + 1)
    return False


@dataclass
class Nested:
    """A `model_cache`/`hf_cache` key in a mapping below the top level."""

    mapping: MappingNode
    key: ScalarNode
    node: Node
    ancestors: tuple[int, ...]  # ids of the collections from the root down to mapping's parent
    shared: bool = False  # the mapping, or a collection above it, is reached through an alias too

    @property
    def entry_list(self) -> bool:
        """Holds a list of entry mappings: the shape a weights block comes from."""
        node = self.node
        return isinstance(node, SequenceNode) and all(isinstance(entry, MappingNode) for entry in node.value)


def nested_blocks(root: Node, body: str) -> list[Nested]:
    """Every non-empty model_cache/hf_cache key below the top level, in document order.

    The tree is walked only when the text names the keys (as whole scalars) more often than the
    top level does, or may hide one (an escape, an anchor), so a plain config costs one regex scan.
    """
    top = [k for k, _ in root.value if isinstance(k, ScalarNode)] if isinstance(root, MappingNode) else []
    if _keys_written(body) <= sum(k.value in BLOCK_KEYS for k in top) and not _keys_hidden(body):
        return []
    found, seen, shared = [], set(), set()
    stack: list[tuple[Node, tuple]] = [(root, ())]
    while stack:
        node, ancestors = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if node is not root:
                found += [
                    Nested(node, key, val, ancestors)
                    for key, val in node.value
                    if isinstance(key, ScalarNode) and key.tag == STR and key.value in BLOCK_KEYS and not _is_empty(val)
                ]
            children = [val for _, val in node.value]
        elif isinstance(node, SequenceNode):
            children = node.value
        else:
            continue
        stack += [(child, ancestors + (id(node),)) for child in reversed(children)]
    for nested in found:
        nested.shared = id(nested.mapping) in shared or any(a in shared for a in nested.ancestors)
    return found


@dataclass
class Config:
    """A mapping migrated as a truss config: the root, or under --nested a nested one."""

    mapping: MappingNode
    block: Block
    plans: list
    diagnostics: list
    external: Block | None = None  # truss dialect: external_data folded into the block
    extra: list = field(default_factory=list)  # the plans of external's items
    ancestors: tuple[int, ...] = ()  # nested: ids of the collections above mapping

    @property
    def removed(self) -> tuple:
        """Keys of mapping the migration deletes (besides an empty `weights`)."""
        return (self.external.key,) if self.external is not None else ()


def plan_config(mapping: MappingNode, options: rules.Context, ancestors: tuple = ()) -> Config | None:
    """Plan the block (and truss external_data) of one config mapping; None: nothing to do."""
    block = find_block(mapping)
    external = find_block(mapping, ("external_data",)) if options.dialect == rules.TRUSS else None
    if block is None and external is None:
        return None
    if block is None:  # only external_data: it becomes the weights block in place
        block, external = external, None
        plans, diagnostics = plan_entries(block, rules.plan_external)
        diagnostics.append(
            _diag_at(block.key, "W012", f"external_data became weights ({len(plans)} entries, under {rules.DATA_DIR})")
        )
    else:
        ctx = rules.Context(options.mount_root, declares_hf_secret(mapping), options.dialect)
        plans, diagnostics = plan_entries(block, lambda data: rules.plan_entry(data, ctx))
    extra, extra_notes = plan_entries(external, rules.plan_external) if external else ([], [])
    check_mounts(plans + extra, block.entries + (external.entries if external else []))
    return Config(mapping, block, plans, diagnostics + extra_notes, external, extra, ancestors)


def _configs(root: Node, found: list[Nested], options: rules.Context) -> tuple[list[Config], list[Diagnostic]]:
    """The config mappings to migrate (root first) and the reports about nested blocks."""
    configs = [top] if isinstance(root, MappingNode) and (top := plan_config(root, options)) else []
    reports, planned = [], set()
    for nested in found:
        name = nested.key.value
        if not nested.entry_list:
            reports.append(
                _diag_at(
                    nested.key,
                    "W041",
                    f"nested `{name}` left as it is: not a list of entry mappings, so nothing to migrate",
                )
            )
        elif not options.nested:
            reports.append(
                _diag_at(nested.key, "W040", f"nested {name} left as it is: not a truss config; --nested migrates it")
            )
        elif nested.shared:
            raise Failure(
                _diag_at(
                    nested.key, "E060", f"this nested `{name}` is also reached through a YAML alias; migrate it by hand"
                )
            )
        elif id(nested.mapping) not in planned:
            planned.add(id(nested.mapping))
            configs.append(plan_config(nested.mapping, options, nested.ancestors))
            reports.append(
                _diag_at(nested.key, "W042", f"nested {name} became weights ({len(configs[-1].plans)} entries)")
            )
    return configs, reports


def check_nested_anchors(root: Node, config: Config, body: str) -> None:
    """A node a nested migration changes, shared by an alias outside its block, would change there too."""
    if "*" not in body or "&" not in body:
        return
    inside = _changed_nodes(config.block, config.plans)
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in inside:
            raise Failure(
                _diag_at(
                    config.block.key,
                    "E017",
                    f"a node of this `{config.block.key.value}` is shared by an alias elsewhere; migrate by hand",
                )
            )
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            stack += [n for key, val in node.value if key is not config.block.key for n in (key, val)]
        elif isinstance(node, SequenceNode):
            stack += node.value


def config_edits(text: Text, config: Config, options: rules.Context, skip: list[Node]) -> tuple[list, dict, list]:
    """The edits of one config mapping, {id(node): new value} for verification, and notes.

    skip: the mappings with a nested block below this one; they are configs of their own.
    """
    block, mapping = config.block, config.mapping
    key_start, key_end = text.offset(block.key.start_mark), text.offset(block.key.end_mark)
    quote = block.key.style if block.key.style in ("'", '"') else ""
    edits = [Edit(key_start, key_end, f"{quote}weights{quote}")]
    for entry, plan in zip(block.entries, config.plans):
        edits += EntryEditor(text, entry, plan).edits()
    more, expected, notes = outside_edits(text, mapping, block, config.plans, options)
    if skip and expected:
        more, expected, notes = _leave_below(text, skip, more, expected, notes)
    if block.empty_weights is not None:
        more.append(drop_empty_weights(text, mapping, block.empty_weights))
        notes.append(
            _diag_at(block.empty_weights, "W009", "empty `weights` key removed: the migrated block takes its place")
        )
    external = config.external
    if external is not None:
        more += [append_entries(text, block, config.extra), drop_region(text, external.key, external.node)]
        notes.append(
            _diag_at(
                external.key,
                "W012",
                f"external_data folded into weights ({len(config.extra)} entries, under {rules.DATA_DIR})",
            )
        )
    elif options.dialect == rules.SEED and "external_data" in (top := _top_level(mapping)):
        notes.append(
            _diag_at(
                top["external_data"][0],
                "W010",
                "external_data left as it is: the seed schema has no place for it (--dialect truss folds it into weights)",
            )
        )
    return edits + more, expected, notes


def _leave_below(text: Text, skip: list[Node], edits: list, expected: dict, notes: list) -> tuple[list, dict, list]:
    """Drop the fixes outside_edits made inside the subtrees of skip."""
    below = {id(node): node for top in skip for node in _nodes(top, set(), keys=False)}
    dropped = [below[key] for key in expected if key in below]
    spans = {(text.offset(n.start_mark), text.offset(n.end_mark)) for n in dropped}
    marks = {(n.start_mark.line + 1, n.start_mark.column + 1) for n in dropped}
    return (
        [e for e in edits if (e.start, e.end) not in spans],
        {key: data for key, data in expected.items() if key not in below},
        [d for d in notes if (d.line, d.col) not in marks],
    )


def verify_configs(
    new_body: str, root: Node, configs: list[Config], expected: dict, old_body: str, dialect=rules.SEED
) -> None:
    """verify() for a file with nested configs: each config mapping must mean its plan and
    everything else what it did. Raises Failure."""
    try:
        new_root = compose(new_body)
    except Failure as failure:
        raise Failure(
            Diagnostic(1, 1, "E099", f"internal error: the result is not valid YAML ({failure.diagnostic.message})")
        ) from None
    by_id = {id(c.mapping): c for c in configs}
    holders = {a for c in configs for a in c.ancestors}  # collections with a config mapping below
    old_text, new_text = Text(old_body), Text(new_body)
    old_memo, new_memo = {}, {}

    def fail(config: Config, why: str):
        raise Failure(
            _diag_at(
                config.block.key, "E099", f"internal error: the result did not verify ({why}); file left untouched"
            )
        )

    def same(old: Node, new: Node) -> bool:
        if id(old) in by_id:
            return same_config(by_id[id(old)], old, new)
        if id(old) not in holders:
            return digest(old, old_memo, expected) == digest(new, new_memo)
        if type(old) is not type(new) or old.tag != new.tag or len(old.value) != len(new.value):
            return False
        if isinstance(old, SequenceNode):
            return all(same(o, n) for o, n in zip(old.value, new.value))
        return all(same_pair(ok, ov, nk, nv) for (ok, ov), (nk, nv) in zip(old.value, new.value))

    def same_pair(ok: Node, ov: Node, nk: Node, nv: Node) -> bool:
        was = old_body[old_text.offset(ok.start_mark) : old_text.offset(ov.end_mark)]
        now = new_body[new_text.offset(nk.start_mark) : new_text.offset(nv.end_mark)]
        own = old_text.offset(ov.start_mark) >= old_text.offset(ok.end_mark)  # not an alias of a node elsewhere
        if own and was == now and "*" not in was and ok.start_mark.column == nk.start_mark.column:
            return True  # the same text at the same place, no aliases: the same meaning
        return digest(ok, old_memo) == digest(nk, new_memo) and same(ov, nv)

    def same_config(config: Config, old: MappingNode, new: Node) -> bool:
        gone = {id(k) for k in (config.block.empty_weights, *config.removed) if k is not None}
        pairs = [pair for pair in old.value if id(pair[0]) not in gone]
        if not isinstance(new, MappingNode) or len(new.value) != len(pairs):
            fail(config, "the keys of the mapping changed")
        for (ok, ov), (nk, nv) in zip(pairs, new.value):
            if ok is config.block.key:
                _check_weights(nk, nv, config.plans + config.extra, dialect, lambda why: fail(config, why))
            elif not same_pair(ok, ov, nk, nv):
                fail(config, f"the meaning of {getattr(ok, 'value', '?')!r} changed")
        return True

    if not same(root, new_root):
        fail(configs[0], "the meaning of the document changed")
    if sorted(comments(old_body)) != sorted(comments(new_body)):
        fail(configs[0], "a comment was lost")


def _check_weights(key: Node, node: Node, plans: list, dialect, fail) -> None:
    if getattr(key, "value", None) != "weights" or not isinstance(node, SequenceNode):
        fail("the block did not become `weights`")
    weights = value(node)
    if weights != [p.weight for p in plans]:
        fail("`weights` differs from the plan")
    invalid = validate.problems(weights, dialect)
    if invalid:
        fail(f"not valid in the {dialect.name} schema: {invalid[0]}")
    if any(len({k.value for k, _ in e.value}) != len(e.value) for e in node.value):
        fail("a key repeats in a `weights` entry")


# --- the whole file ----------------------------------------------------------------


def migrate_text(source: str, options: rules.Context = rules.Context()) -> Outcome:
    """Migrate one config's text (and, under --nested, the nested blocks). Never raises for bad input."""
    bom = BOM if source.startswith(BOM) else ""
    body = source[len(bom) :]
    reports: list[Diagnostic] = []
    try:
        root = compose(body)
        if not isinstance(root, (MappingNode, SequenceNode)):
            return Outcome("unchanged")
        found = nested_blocks(root, body)
        configs, reports = _configs(root, found, options)
        if not configs:
            return Outcome("unchanged", diagnostics=reports)
        top = configs[0] if configs[0].mapping is root else None
        if top is not None:
            check_anchors(root, top.block, top.plans, body)
        for config in configs:
            if config is not top:
                check_nested_anchors(root, config, body)
        # Edit as if the file ended with a line break, and take it off again after.
        unterminated = body and not _LINE_BREAK.match(body[-1])
        ending = Text(body).newline_at(0) if unterminated else ""
        text = Text(body + ending)
        edits, expected, notes = [], {}, []
        # Moves stay within their own config: none reaches into a mapping with a nested block.
        inner = [n.mapping for n in found if n.entry_list]
        for config in configs:
            more, fixed, config_notes = config_edits(
                text, config, options, [m for m in inner if m is not config.mapping]
            )
            edits += more
            expected.update(fixed)
            notes += config.diagnostics + config_notes
        new_body = apply(text.body, edits)
        if ending:
            if not new_body.endswith(ending):
                raise Failure(Diagnostic(1, 1, "E099", "internal error: lost the end of the file"))
            new_body = new_body[: -len(ending)]
        if len(configs) > 1 or top is None:
            verify_configs(new_body, root, configs, expected, body, options.dialect)
        else:
            verify(
                new_body,
                root,
                top.block,
                top.plans + top.extra,
                expected,
                body,
                options.dialect,
                top.removed,
                None if ending else text,
            )
    except Failure as failure:
        return Outcome("failed", diagnostics=[failure.diagnostic])
    except RecursionError:
        return Outcome("failed", diagnostics=[Diagnostic(1, 1, "E001", "invalid YAML: nested too deeply")])
    ordered = sorted(notes + reports, key=lambda d: (d.line, d.col))
    return Outcome("migrated", bom + new_body, ordered, top.plans + top.extra if top else [])
