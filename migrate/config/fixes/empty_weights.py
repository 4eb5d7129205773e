"""An empty `weights:` key beside the block removed: the migrated block takes its place."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, ScalarNode

from ..read import Failure, Text, diag_at
from ..text.edit import Edit
from .plan import Plan, Scope


def empty_weights(scope: Scope, done: Plan) -> Plan:
    key = scope.config.block.empty_weights
    if key is None:
        return Plan()
    return Plan(
        [drop_empty_weights(scope.text, scope.config.mapping, key)],
        removed=[key],
        diagnostics=[diag_at(key, "W009", "empty `weights` key removed: the migrated block takes its place")],
    )


def drop_empty_weights(text: Text, root: MappingNode, key: ScalarNode) -> Edit:
    node = next(v for k, v in root.value if k is key)
    end = max(text.offset(key.end_mark), text.offset(node.end_mark))
    eol = text.line_end(end)
    rest = text.body[end:eol].strip()
    start = text.offset(key.start_mark)
    if (rest and not rest.startswith("#")) or text.body[text.line_start(start) : start].strip():
        raise Failure(diag_at(key, "E013", "an empty `weights` key in an unusual layout; remove it by hand"))
    return drop_line(text, text.line_start(start), eol, rest)


def drop_line(text: Text, line_start: int, eol: int, comment: str) -> Edit:
    """Delete a whole line (through eol), leaving its comment as a comment line."""
    line = text.body[line_start:eol]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return Edit(line_start, text.after_break(eol), indent + comment + text.newline_at(eol) if comment else "")
