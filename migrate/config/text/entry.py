"""One entry's edits, in place: keys renamed, values replaced, keys dropped and inserted as its EntryPlan says."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...core.entry import UNCHANGED, EntryPlan, PatternList
from ..read import Failure, Text, before, comments, diag_at
from .edit import Edit, render_scalar
from .patterns import ListEditor, flow_list
from .scalar import BLOCK_HEADER

_PREFIX = re.compile(r"(?:[&!][^\s]*\s+)*")  # an anchor or tag before a scalar, which stays
_ALIAS_VALUE = re.compile(  # from a key's end: the `:` indicator, blanks and comments, `*name`
    r"(?:[ \t]|#[^\r\n\x85\u2028\u2029]*|\r\n|[\r\n\x85\u2028\u2029])*:"
    r"(?:[ \t]|#[^\r\n\x85\u2028\u2029]*|\r\n|[\r\n\x85\u2028\u2029])*(\*[0-9A-Za-z_-]+)"
)
_FIRST_KEY = re.compile(r"[ \t]*(?:-[ \t]+)+")  # `- ` (or `- - `) before the first key of an item


def _prefix_end(body: str, start: int, end: int) -> int:
    """Where a scalar's text starts after its anchor or tag."""
    match = _PREFIX.match(body, start, end)
    return match.end() if match else start


class EntryEditor:
    """Turns one EntryPlan into text edits on one entry mapping node."""

    def __init__(self, text: Text, entry: MappingNode, plan: EntryPlan):
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
            k_start = _prefix_end(body, k_node_start, k_end)
        pair = blank = k_node_start
        while blank > 0 and body[blank - 1] in " \t":
            blank -= 1
        if blank < pair and body[blank - 1 : blank] == "?":  # `? key`
            pair = blank - 1
        if before(val, key):
            alias = _ALIAS_VALUE.match(body, k_end)
            if alias is None:
                raise Failure(
                    diag_at(
                        key, "E017", f"`{key.value}` is an alias in a layout this tool does not read; migrate by hand"
                    )
                )
            return pair, k_start, k_end, alias.start(1), alias.end(1)
        v_start, v_end = self.text.offset(val.start_mark), self.text.offset(val.end_mark)
        if isinstance(val, ScalarNode):
            if body[v_start : v_start + 1] in ("&", "!"):
                v_start = _prefix_end(body, v_start, max(v_end, v_start))
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
            header = BLOCK_HEADER.match(self.text.body, start)
            comment = re.search(r"[ \t]+#.*", header.group()) if header else None
            rendered += comment.group() if comment else ""
        return Edit(start, end, rendered)

    def rewrite_patterns(self, i: int, patterns: PatternList) -> list[Edit]:
        """A pattern list edited item by item; an alias of one is replaced by the new list (the
        anchored list stays as it is)."""
        key, node = self.pairs[i]
        if not isinstance(node, SequenceNode):
            raise Failure(diag_at(key, "E099", "internal error: a rewritten pattern list is not a list"))
        if before(node, key):
            start, end = self.value_span(i)
            return [Edit(start, end, flow_list(patterns, node))]
        return ListEditor(self.text, node, patterns).edits()

    def edits(self) -> list[Edit]:
        edits: list[Edit] = []
        dropped = [change.new is None for change in self.plan.changes]
        for i, change in enumerate(self.plan.changes):
            if change.new is not None and change.new != change.old:
                edits.append(self.rename(i, change.new))
            if isinstance(change.value, PatternList):
                edits += self.rewrite_patterns(i, change.value)
            elif change.new is not None and change.value is not UNCHANGED:
                edits.append(self.replace(i, str(change.value)))  # every other value planned is a string
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
            raise Failure(diag_at(self.pairs[i][0], "E099", "internal error: unexpected text after a value"))
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
                raise Failure(diag_at(self.pairs[i][0], "E099", "internal error: unsupported key layout"))
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
            added = "".join(f", {k}: {render_scalar(str(v), style, flow=True)}" for k, v in self.plan.inserts)
            return [Edit(end, end, added)]
        column = self.pair_start(i) - self.text.line_start(self.pair_start(i))
        eol = self.text.line_end(end)
        newline = self.text.newline_at(eol)
        lines = [f"{' ' * column}{k}: {render_scalar(str(v), style)}" for k, v in self.plan.inserts]
        at = self.text.after_break(eol)
        node = self.pairs[i][1]
        kept = self.plan.changes[i].value is UNCHANGED and not before(node, self.pairs[i][0])
        if kept and node.style in ("|", ">") and node.end_mark.column == 0:
            at = max(at, self.text.offset(node.end_mark))  # after the trailing lines it keeps
        return [Edit(at, at, "".join(line + newline for line in lines))]
