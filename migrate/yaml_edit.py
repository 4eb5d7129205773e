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

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from . import rules, validate
from .diagnostics import Diagnostic

BLOCK_KEYS = ("model_cache", "hf_cache")
STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
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


def _composer() -> YAML:
    yaml = YAML(typ="safe", pure=False)
    yaml.version = (1, 1)  # Truss reads configs with PyYAML: `yes` is a boolean there
    return yaml


_YAML = _composer()


MAX_DEPTH = 500  # libyaml's composer overflows the C stack some ten thousand levels down
_BRACKETS = re.compile(r"[\[\]{}]")
_BLOCK_LEAD = re.compile(r"^[ \t?-]*", re.M)


def nesting_bound(text: str) -> int:
    """An upper bound of the document's nesting depth, cheap enough for every file.

    Flow: brackets counted as if none were quoted. Block: a level needs at least
    one more column of indentation or one more `-`/`?` indicator on its line.
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = max(depth + (1 if match.group() in "[{" else -1), 0)
        deepest = max(deepest, depth)
    lead = max((m.end() - m.start() for m in _BLOCK_LEAD.finditer(text)), default=0)
    return deepest + lead


def compose(text: str) -> Node | None:
    """The node tree of text; raises Failure (E001) when it is not YAML."""
    if nesting_bound(text) > MAX_DEPTH:
        raise Failure(Diagnostic(1, 1, "E001", f"invalid YAML for a config: nested more than {MAX_DEPTH} levels deep"))
    try:
        return _YAML.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "several YAML documents in one file; a truss config has one"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise Failure(Diagnostic(line, col, "E001", f"invalid YAML: {problem}")) from None
    except (YAMLError, RecursionError, ValueError) as exc:
        raise Failure(Diagnostic(1, 1, "E001", f"invalid YAML: {exc}".splitlines()[0])) from None


# --- reading values -----------------------------------------------------------


def scalar_value(node: ScalarNode) -> object:
    tag, raw = node.tag, node.value
    if tag == STR:
        return raw
    if tag == NULL:
        return None
    if tag == "tag:yaml.org,2002:bool":
        if raw in ("y", "Y", "n", "N"):  # booleans to ruamel's YAML 1.1, strings to PyYAML and Truss
            return raw
        return raw.lower() in ("yes", "true", "on")
    if tag == "tag:yaml.org,2002:int":
        try:
            return int(raw.replace("_", ""), 0)
        except ValueError:
            return (tag, raw)
    if tag == "tag:yaml.org,2002:float":
        try:
            return float(raw.replace("_", ""))
        except ValueError:
            return (tag, raw)
    return (tag, raw)


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
    if not _PLAIN_SAFE.fullmatch(data) or data.endswith(":"):
        return False
    if "/" in data:
        return True
    return data.lower() not in _YAML11_WORDS and not data[0].isdigit() and data[0] not in "+-.~"


def comments(text: str) -> list[str]:
    """End-of-line and whole-line comments, for the keep-every-comment check.

    A quote-aware line scan: enough for the short scalars of a config block.
    """
    found = []
    for line in _LINE_BREAK.split(text):
        if "#" not in line:
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
    """The top-level model_cache (or hf_cache) block, or None when there is nothing to do."""
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
                _diag_at(top["weights"][0], "E013", f"`weights` is already set beside `{key.value}`; the design forbids both")
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


def check_anchors(root: MappingNode, block: Block, plans: list, body: str) -> None:
    """A node the migration changes, shared by an alias elsewhere, would change there too."""
    if "*" not in body or "&" not in body:
        return
    inside = {id(block.node)} | {id(entry) for entry in block.entries}
    for entry, plan in zip(block.entries, plans):
        for (key, val), change in zip(entry.value, plan.changes):
            if change.new != change.old:
                inside.add(id(key))
            if change.new is None or change.value is not rules.UNCHANGED:
                inside |= {id(node) for node in _nodes(val, set())}
    for key, val in root.value:
        if key is block.key:
            continue
        for node in _nodes(val, set()):
            if id(node) in inside:
                raise Failure(_diag_at(key, "E017", f"`{key.value}` is an alias of a node in `{block.key.value}`; migrate by hand"))


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
        if key.value in data:
            raise Failure(_diag_at(key, "E016", f"duplicate key {key.value!r} in entry"))
        if val.start_mark.line < key.start_mark.line or (
            val.start_mark.line == key.start_mark.line and val.start_mark.column < key.end_mark.column
        ):
            raise Failure(_diag_at(key, "E017", f"`{key.value}` is an alias; migrate this entry by hand"))
        data[key.value] = value(val)
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


class EntryEditor:
    """Turns one EntryPlan into text edits on one entry mapping node."""

    def __init__(self, text: Text, entry: MappingNode, plan: rules.EntryPlan):
        self.text, self.entry, self.plan = text, entry, plan
        self.pairs = list(entry.value)
        self.in_flow = bool(entry.flow_style)

    def key_span(self, i: int) -> tuple[int, int]:
        key = self.pairs[i][0]
        return self.text.offset(key.start_mark), self.text.offset(key.end_mark)

    def value_span(self, i: int) -> tuple[int, int]:
        node = self.pairs[i][1]
        start, end = self.text.offset(node.start_mark), self.text.offset(node.end_mark)
        if isinstance(node, ScalarNode):  # skip an anchor or tag, which stay
            prefix = re.match(r"(?:[&!][^\s]*\s+)*", self.text.body[start:end])
            start += prefix.end()
        return start, end

    def rename(self, i: int, new: str) -> Edit:
        key = self.pairs[i][0]
        start, end = self.key_span(i)
        quote = key.style if key.style in ("'", '"') else ""
        return Edit(start, end, f"{quote}{new}{quote}")

    def replace(self, i: int, data: str) -> Edit:
        start, end = self.value_span(i)
        return Edit(start, end, render_scalar(data, self.pairs[i][1].style, self.in_flow))

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

    def drop_block(self, dropped: list[bool]) -> list[Edit]:
        edits: list[Edit] = []
        body, covered = self.text.body, -1
        for i, gone in enumerate(dropped):
            start, _ = self.key_span(i)
            if not gone or start < covered:
                continue
            line_start = self.text.line_start(start)
            prefix = body[line_start:start]
            eol, comment = self._tail(i)
            if not prefix.strip():  # the key starts its line
                edits.append(drop_line(self.text, line_start, eol, comment))
            elif re.fullmatch(r"[ \t]*(?:-[ \t]+)+", prefix):  # the first key of a `- ` item
                edits.append(self._drop_first(i, dropped, line_start + len(prefix.rstrip()), comment))
                covered = edits[-1].end
            else:
                raise Failure(_diag_at(self.pairs[i][0], "E099", "internal error: unsupported key layout"))
        return edits

    def _drop_first(self, i: int, dropped: list[bool], dash_end: int, comment: str) -> Edit:
        start, _ = self.key_span(i)
        survivor = next((j for j in range(i, len(dropped)) if not dropped[j]), None)
        if survivor is not None and not comment:
            target = self.key_span(survivor)[0]
            if not comments(self.text.body[start:target]):
                return Edit(start, target, "")  # `- kind: hf\n  repo_id: x` -> `- repo_id: x`
        eol, _ = self._tail(i)
        return Edit(dash_end, eol, f" {comment}" if comment else "")

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
            start, end = self.key_span(i)[0], self.value_span(j)[1]
            if i > 0 and not comments(body[self.value_span(i - 1)[1]:end]):
                edits.append(Edit(self.value_span(i - 1)[1], end, ""))  # `a: 1, kind: hf` -> `a: 1`
            elif j + 1 < len(dropped) and not comments(body[start:self.key_span(j + 1)[0]]):
                edits.append(Edit(start, self.key_span(j + 1)[0], ""))  # `kind: hf, a: 1` -> `a: 1`
            else:
                for k in range(i, j + 1):  # comments in between: each item with its own comma
                    k_start, k_end = self.key_span(k)[0], self.value_span(k)[1]
                    comma = re.compile(r"[ \t]*,[ \t]*").match(body, k_end)
                    stop = comma.end() if comma else k_end
                    if body[stop:stop + 1] == "#" and not body[k_start - 1].isspace():
                        stop -= 1  # `{kind: s3,  # c` -> `{ # c`: a comment needs a space before it
                    edits.append(Edit(k_start, stop, ""))
            i = j + 1
        return edits

    # -- inserting keys

    def inserts(self) -> list[Edit]:
        if not self.plan.inserts:
            return []
        i = next(j for j, c in enumerate(self.plan.changes) if c.new == "source")
        style = self.pairs[i][1].style
        _, end = self.value_span(i)
        if self.entry.flow_style:
            added = "".join(f", {k}: {render_scalar(v, style, flow=True)}" for k, v in self.plan.inserts)
            return [Edit(end, end, added)]
        column = self.pairs[i][0].start_mark.column
        eol = self.text.line_end(end)
        newline = self.text.newline_at(eol)
        lines = [f"{' ' * column}{k}: {render_scalar(v, style)}" for k, v in self.plan.inserts]
        at = self.text.after_break(eol)
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
    return text.offset(node.end_mark)


def append_entries(text: Text, block: Block, plans: list) -> Edit:
    """New entries after the block's last one, in the style of its first."""
    if block.node.flow_style:  # [..., {...}]: before the closing bracket
        end = text.offset(block.node.end_mark) - 1
        added = "".join(", {" + ", ".join(f"{k}: {render_scalar(v, '', flow=True)}" for k, v in p.weight.items()) + "}" for p in plans)
        return Edit(end, end, added)
    first = block.entries[0]
    start = text.offset(first.start_mark)
    prefix = text.body[text.line_start(start):start]
    dash = prefix.rfind("-")
    lead = " " * dash + "-" + " " * (len(prefix) - dash - 1)
    newline = text.newline_at(start)
    lines = []
    for plan in plans:
        pairs = list(plan.weight.items())
        if first.flow_style:
            lines.append(lead + "{" + ", ".join(f"{k}: {render_scalar(v, '', flow=True)}" for k, v in pairs) + "}")
        else:
            lines += [(lead if i == 0 else " " * len(prefix)) + f"{k}: {render_scalar(v, '')}" for i, (k, v) in enumerate(pairs)]
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
    if (rest and not rest.startswith("#")) or text.body[text.line_start(start):start].strip():
        raise Failure(_diag_at(key, "E013", "an empty `weights` key in an unusual layout; remove it by hand"))
    return drop_line(text, text.line_start(start), eol, rest)


def apply(body: str, edits: list[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise Failure(Diagnostic(1, 1, "E099", "internal error: overlapping edits"))
    out, pos = [], 0
    for edit in ordered:
        out += [body[pos:edit.start], edit.text]
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
                if rules.drop_transfer_cli(val.value) is not None:
                    fixes[id(val)] = (val, [_drop_cli])
                    diagnostics.append(_diag_at(val, "W004", "`truss-transfer-cli &&` dropped from start_command: weights are mounted, not downloaded by it"))
    moves = {}
    if options.mount_root != rules.DEFAULT_MOUNT_ROOT:
        moves = {p.old_location: p.weight["mount_location"] for p in plans if p.old_location and p.old_location != p.weight["mount_location"]}
    if moves:
        seen = {id(block.node)}
        for key, val in root.value:
            if key is block.key:
                continue
            for node in _nodes(val, seen, keys=False):
                if not isinstance(node, ScalarNode):
                    continue
                if node.tag == STR and rules.move_path(node.value, moves) != node.value:
                    fixes.setdefault(id(node), (node, []))[1].append(lambda s: rules.move_path(s, moves))
                    diagnostics.append(_diag_at(node, "W008", "path moved to the new mount location"))
    edits, expected = [], {}
    for node, steps in fixes.values():
        start, end = text.offset(node.start_mark), text.offset(node.end_mark)
        source, data = text.body[start:end], node.value
        for step in steps:
            source, data = step(source), step(data)
        edits.append(Edit(start, end, source))
        expected[id(node)] = data
    return edits, expected, sorted(diagnostics, key=lambda d: (d.line, d.col))


def _drop_cli(source: str) -> str:
    """Drops the first `truss-transfer-cli &&` from scalar text or value alike."""
    return re.sub(r"truss-transfer-cli[ \t]*&&\s*", "", source, count=1)


# --- verification -------------------------------------------------------------------


def verify(new_body: str, root: MappingNode, block: Block, plans, expected: dict, old_body: str, dialect=rules.SEED, removed=(),
           old_text: Text | None = None) -> None:
    """Re-parse the output; it must mean the plan and nothing else. Raises Failure.

    old_text: old_body's line index, when the caller has it already."""
    try:
        new_root = compose(new_body)
    except Failure as failure:
        raise Failure(Diagnostic(1, 1, "E099", f"internal error: the result is not valid YAML ({failure.diagnostic.message})")) from None

    def fail(why: str):
        raise Failure(_diag_at(block.key, "E099", f"internal error: the result did not verify ({why}); file left untouched"))

    gone = {id(k) for k in (block.empty_weights, *removed) if k is not None}
    old_pairs = [pair for pair in root.value if id(pair[0]) not in gone]
    if not isinstance(new_root, MappingNode) or len(new_root.value) != len(old_pairs):
        fail("top-level keys changed")
    old_text, new_text = old_text or Text(old_body), Text(new_body)
    old_memo, new_memo = {}, {}
    for (ok, ov), (nk, nv) in zip(old_pairs, new_root.value):
        if ok is block.key:
            if nk.value != "weights" or not isinstance(nv, SequenceNode):
                fail("the block did not become `weights`")
            weights = value(nv)
            if weights != [p.weight for p in plans]:
                fail("`weights` differs from the plan")
            invalid = validate.problems(weights, dialect)
            if invalid:
                fail(f"not valid in the {dialect.name} schema: {invalid[0]}")
            if any(len({k.value for k, _ in e.value}) != len(e.value) for e in nv.value):
                fail("a key repeats in a `weights` entry")
            continue
        was = old_body[old_text.offset(ok.start_mark):old_text.offset(ov.end_mark)]
        now = new_body[new_text.offset(nk.start_mark):new_text.offset(nv.end_mark)]
        own = old_text.offset(ov.start_mark) >= old_text.offset(ok.end_mark)  # not an alias of a node elsewhere
        if own and was == now and "*" not in was and ok.start_mark.column == nk.start_mark.column:
            continue  # the same text at the same place, no aliases: the same meaning
        if digest(ok, old_memo) != digest(nk, new_memo) or digest(ov, old_memo, expected) != digest(nv, new_memo):
            fail(f"the meaning of {getattr(ok, 'value', '?')!r} changed")
    if sorted(comments(old_body)) != sorted(comments(new_body)):
        fail("a comment was lost")


# --- the whole file ----------------------------------------------------------------


def migrate_text(source: str, options: rules.Context = rules.Context()) -> Outcome:
    """Migrate one config's text. Never raises for bad input."""
    bom = BOM if source.startswith(BOM) else ""
    body = source[len(bom):]
    try:
        root = compose(body)
        if not isinstance(root, MappingNode):
            return Outcome("unchanged")
        block = find_block(root)
        external = find_block(root, ("external_data",)) if options.dialect == rules.TRUSS else None
        notes = []
        if block is None and external is None:
            return Outcome("unchanged")
        if block is None:  # only external_data: it becomes the weights block in place
            block, external = external, None
            plans, diagnostics = plan_entries(block, rules.plan_external)
            notes.append(_diag_at(block.key, "W012", f"external_data became weights ({len(plans)} entries, under {rules.DATA_DIR})"))
        else:
            ctx = rules.Context(options.mount_root, declares_hf_secret(root), options.dialect)
            plans, diagnostics = plan_entries(block, lambda data: rules.plan_entry(data, ctx))
        extra, extra_notes = plan_entries(external, rules.plan_external) if external else ([], [])
        check_mounts(plans + extra, block.entries + (external.entries if external else []))
        check_anchors(root, block, plans, body)
        # Edit as if the file ended with a line break, and take it off again after.
        unterminated = body and not _LINE_BREAK.match(body[-1])
        ending = Text(body).newline_at(0) if unterminated else ""
        text = Text(body + ending)
        key_start, key_end = text.offset(block.key.start_mark), text.offset(block.key.end_mark)
        quote = block.key.style if block.key.style in ("'", '"') else ""
        edits = [Edit(key_start, key_end, f"{quote}weights{quote}")]
        for entry, plan in zip(block.entries, plans):
            edits += EntryEditor(text, entry, plan).edits()
        more, expected, outside_notes = outside_edits(text, root, block, plans, options)
        notes += outside_notes
        if block.empty_weights is not None:
            more.append(drop_empty_weights(text, root, block.empty_weights))
            notes.append(_diag_at(block.empty_weights, "W009", "empty `weights` key removed: the migrated block takes its place"))
        if external is not None:
            more += [append_entries(text, block, extra), drop_region(text, external.key, external.node)]
            notes += extra_notes + [_diag_at(external.key, "W012", f"external_data folded into weights ({len(extra)} entries, under {rules.DATA_DIR})")]
        elif options.dialect == rules.SEED and "external_data" in (top := _top_level(root)):
            notes.append(_diag_at(top["external_data"][0], "W010", "external_data left as it is: the seed schema has no place for it (--dialect truss folds it into weights)"))
        new_body = apply(text.body, edits + more)
        if ending:
            if not new_body.endswith(ending):
                raise Failure(Diagnostic(1, 1, "E099", "internal error: lost the end of the file"))
            new_body = new_body[: -len(ending)]
        removed = (external.key,) if external is not None else ()
        verify(new_body, root, block, plans + extra, expected, body, options.dialect, removed, None if ending else text)
    except Failure as failure:
        return Outcome("failed", diagnostics=[failure.diagnostic])
    except RecursionError:
        return Outcome("failed", diagnostics=[Diagnostic(1, 1, "E001", "invalid YAML: nested too deeply")])
    ordered = sorted(diagnostics + notes, key=lambda d: (d.line, d.col))
    return Outcome("migrated", bom + new_body, ordered, plans + extra)
