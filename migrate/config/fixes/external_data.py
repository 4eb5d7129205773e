"""truss `external_data` beside the block: folded into `weights` (--dialect truss), else reported."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ...core import mapping
from ...core.context import SEED
from ...core.entry import EntryPlan
from ..blocks import Block
from ..read import LINE_BREAK, Text, comments, diag_at, top_level
from ..text.edit import Edit, render_scalar
from .plan import Plan, Scope


def external_data(scope: Scope, done: Plan) -> Plan:
    config, text = scope.config, scope.text
    external = config.external
    if external is not None:
        return Plan(
            [append_entries(text, config.block, config.extra), drop_region(text, external.key, external.node)],
            weights=list(config.extra),
            removed=[external.key],
            diagnostics=[
                diag_at(
                    external.key,
                    "W012",
                    f"external_data folded into weights ({len(config.extra)} entries, under {mapping.DATA_DIR})",
                )
            ],
        )
    if scope.context.dialect == SEED and "external_data" in (top := top_level(config.mapping)):
        return Plan(
            diagnostics=[
                diag_at(
                    top["external_data"][0],
                    "W010",
                    "external_data left as it is: the seed schema has no place for it"
                    " (--dialect truss folds it into weights)",
                )
            ]
        )
    return Plan()


def content_end(text: Text, node: Node) -> int:
    """Where a node's own text ends (a block collection's end mark runs on to the next key)."""
    while isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    start, end = text.offset(node.start_mark), text.offset(node.end_mark)
    if isinstance(node, ScalarNode) and node.style in ("|", ">"):  # its end mark is on the next line
        return start + len(text.body[start:end].rstrip(" \t\r\n\x85\u2028\u2029"))
    return end


def append_entries(text: Text, block: Block, plans: list[EntryPlan]) -> Edit:
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
    for line in LINE_BREAK.split(text.body[start:end])[:-1]:
        found = comments(line)
        if found:
            indent = line[: len(line) - len(line.lstrip())]
            kept.append(line if line.lstrip().startswith("#") else indent + found[0])
    newline = text.newline_at(start)
    return Edit(start, end, "".join(line + newline for line in kept))
