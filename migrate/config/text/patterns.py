"""An allow or ignore list edited in place: each pattern rewritten where it is written, and the
patterns it adds inserted right after it, in the list's own style (block lines or flow items, the
quoting of the item they follow); every other byte, comments included, stays."""

from __future__ import annotations

import re

from ruamel.yaml.nodes import Node, ScalarNode, SequenceNode

from ...core.entry import PatternItem, PatternList
from .. import pyyaml_rules
from ..read import STR, Failure, Text, diag_at
from .edit import Edit, render_scalar

_PLAIN_PATTERN = re.compile(r"[A-Za-z0-9_/.~+=%][A-Za-z0-9_/.~@+=%*-]*")
_BLOCK_ITEM = re.compile(r"[ \t]*-[ \t]+")  # what precedes a block list's item on its line
_FLOW_SEPARATOR = re.compile(r"[ \t]*,[ \t]*")
_REST_OF_LINE = re.compile(r"[ \t]*(,)?[ \t]*(?:#.*)?")  # after a flow item alone on its line


def render_pattern(pattern: str, style: str | None, flow: bool) -> str:
    """A pattern written as a scalar in the quoting style of the item it follows: plain where it
    reads back as this string (a pattern starting with `*` never does: that is an alias)."""
    if style in ("'", '"'):
        return render_scalar(pattern, style, flow)
    if _PLAIN_PATTERN.fullmatch(pattern) and pyyaml_rules.plain_tag(pattern) == STR:
        return pattern
    return render_scalar(pattern, '"', flow)


def flow_list(patterns: PatternList, like: SequenceNode) -> str:
    """The new list as a flow list, each pattern quoted as the item it comes from: what replaces an
    alias of the old list."""
    rendered = [
        render_pattern(pattern, item.style if isinstance(item, ScalarNode) else '"', flow=True)
        for item, planned in zip(like.value, patterns.items)
        for pattern in (planned.new, *planned.added)
    ]
    return "[" + ", ".join(rendered) + "]"


class ListEditor:
    """The edits that turn one written list into its PatternList, item by item."""

    def __init__(self, text: Text, node: SequenceNode, patterns: PatternList):
        if len(node.value) != len(patterns.items):
            raise Failure(diag_at(node, "E099", "internal error: a pattern list and its plan differ in length"))
        self.text, self.node, self.patterns = text, node, patterns
        self.flow = bool(node.flow_style)

    def edits(self) -> list[Edit]:
        edits: list[Edit] = []
        end = self.text.offset(self.node.start_mark)
        for item, planned in zip(self.node.value, self.patterns.items):
            start = self.text.offset(item.start_mark)
            written_here = isinstance(item, ScalarNode) and start >= end
            if planned.changed and not written_here:
                raise Failure(
                    diag_at(self.node, "E017", "an alias in a pattern list the migration rewrites; migrate it by hand")
                )
            if written_here:
                end = self._content_end(item)
            if planned.changed:
                edits += self._item_edits(item, planned, end)
        return edits

    def _content_end(self, item: Node) -> int:
        """Where an item's own text ends (a block scalar's end mark is on a later line)."""
        end = self.text.offset(item.end_mark)
        if isinstance(item, ScalarNode) and item.style in ("|", ">"):
            start = self.text.offset(item.start_mark)
            return start + len(self.text.body[start:end].rstrip(" \t\r\n\x85\u2028\u2029"))
        return end

    def _item_edits(self, item: ScalarNode, planned: PatternItem, end: int) -> list[Edit]:
        edits = []
        if planned.new != planned.old:
            edits.append(Edit(self._scalar_start(item), end, render_pattern(planned.new, self._style(item), self.flow)))
        if planned.added:
            rendered = [render_pattern(pattern, self._style(item), self.flow) for pattern in planned.added]
            edits += self._flow_inserts(item, end, rendered) if self.flow else [self._block_insert(item, end, rendered)]
        return edits

    def _style(self, item: ScalarNode) -> str | None:
        return None if item.style in ("|", ">") else item.style  # a block scalar's pattern is written on one line

    def _scalar_start(self, item: ScalarNode) -> int:
        """Where the scalar's own text starts, after an anchor or a tag (which stay)."""
        start = self.text.offset(item.start_mark)
        prefix = re.compile(r"(?:[&!][^\s]*\s+)*").match(self.text.body, start)
        return prefix.end() if prefix else start

    def _block_insert(self, item: ScalarNode, end: int, rendered: list[str]) -> Edit:
        """New `- pattern` lines right after the item's last line, led as the item's line is."""
        start = self.text.offset(item.start_mark)
        lead = self.text.body[self.text.line_start(start) : start]
        if not _BLOCK_ITEM.fullmatch(lead):
            raise Failure(
                diag_at(item, "E017", "a pattern list item in a layout this tool does not edit; migrate by hand")
            )
        eol = self.text.line_end(end)
        newline = self.text.newline_at(eol)
        at = self.text.after_break(eol)
        return Edit(at, at, "".join(lead + pattern + newline for pattern in rendered))

    def _flow_inserts(self, item: ScalarNode, end: int, rendered: list[str]) -> list[Edit]:
        """New items after a comma: on lines of their own when the item has its line to itself,
        else on its line, right after it."""
        body, start = self.text.body, self.text.offset(item.start_mark)
        line_start, eol = self.text.line_start(start), self.text.line_end(end)
        indent = body[line_start:start]
        rest = _REST_OF_LINE.fullmatch(body, end, eol)
        if indent.strip(" \t") or rest is None:
            separator = self._separator()
            return [Edit(end, end, "".join(separator + pattern for pattern in rendered))]
        newline = self.text.newline_at(eol)
        if rest.group(1):  # the item's comma is on its line: each new item gets its own
            at = self.text.after_break(eol)
            return [Edit(at, at, "".join(indent + pattern + "," + newline for pattern in rendered))]
        lines = ",".join(newline + indent + pattern for pattern in rendered)
        return [Edit(end, end, ","), Edit(eol, eol, lines)]

    def _separator(self) -> str:
        """The list's own separator between two items on one line, or `, `."""
        body = self.text.body
        for item in self.node.value[:-1]:
            found = _FLOW_SEPARATOR.match(body, self.text.offset(item.end_mark))
            if found and found.end() < len(body) and body[found.end()] not in "\r\n\x85\u2028\u2029#":
                return found.group()
        return ", "
