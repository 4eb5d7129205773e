"""Paths under an old mount location moved to the new one (--mount-root), anywhere outside the block."""

from __future__ import annotations

from ruamel.yaml.nodes import ScalarNode

from ...core import mapping
from ..read import STR, diag_at, nodes
from ..text.edit import Edit
from .plan import Plan, Scope


def path_moves(scope: Scope, done: Plan) -> Plan:
    moves = mapping.path_moves(scope.config.plans, scope.context)
    if not moves:
        return Plan()
    text, block = scope.text, scope.config.block
    earlier = {(e.start, e.end): e.text for e in done.edits}  # a start command fixed already moves as fixed
    plan, seen = Plan(), {id(block.node)}
    for key, val in scope.config.mapping.value:
        if key is block.key:
            continue
        for node in nodes(val, seen, keys=False):
            if not isinstance(node, ScalarNode) or node.tag != STR or not scope.owns(node):
                continue
            if mapping.move_path(node.value, moves) == node.value:
                continue
            start, end = text.offset(node.start_mark), text.offset(node.end_mark)
            source = earlier.get((start, end), text.body[start:end])
            data = str(done.expected.get(id(node), node.value))
            plan.edits.append(Edit(start, end, mapping.move_path(source, moves)))
            plan.expected[id(node)] = mapping.move_path(data, moves)
            plan.diagnostics.append(diag_at(node, "W008", "path moved to the new mount location"))
    return plan
