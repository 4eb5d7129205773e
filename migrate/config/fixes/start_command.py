"""`truss-transfer-cli` dropped from `docker_server.start_command`: weights are mounted, not downloaded."""

from __future__ import annotations

from collections.abc import Callable

from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from ...core import shell
from .. import pyyaml_rules
from ..read import STR, Text, diag_at, is_empty
from ..text.edit import Edit, apply
from ..text.scalar import STYLE_NAMES, scalar_offsets
from .plan import Plan, Scope


def start_commands(config: MappingNode, owns: Callable[[Node], bool]) -> list[tuple[ScalarNode, ScalarNode]]:
    """The `docker_server.start_command` strings of a config mapping, key and value; none when
    `trt_llm` is set: TensorRT-LLM's own server, whose start command is not this tool's to change."""
    top = {k.value: (k, v) for k, v in config.value if isinstance(k, ScalarNode)}
    if "trt_llm" in top and not is_empty(top["trt_llm"][1]):
        return []
    docker = top.get("docker_server", (None, None))[1]
    if not isinstance(docker, MappingNode):
        return []
    return [
        (key, val)
        for key, val in docker.value
        if key.value == "start_command" and isinstance(val, ScalarNode) and val.tag == STR and owns(val)
    ]


def start_command(scope: Scope, done: Plan) -> Plan:
    plan = Plan()
    for key, val in start_commands(scope.config.mapping, scope.owns):
        fix = _fix(scope.text, val, key.start_mark.column)
        if isinstance(fix, str):
            plan.diagnostics.append(
                diag_at(
                    val,
                    "W030",
                    f"`truss-transfer-cli` left in start_command ({fix}):"
                    " the image will not have it; remove it by hand",
                )
            )
        elif fix is not None:
            plan.edits.append(fix[0])
            plan.expected[id(val)] = fix[1]
            plan.diagnostics.append(
                diag_at(
                    val,
                    "W004",
                    "`truss-transfer-cli` dropped from start_command: weights are mounted, not downloaded by it",
                )
            )
    return plan


def _fix(text: Text, node: ScalarNode, column: int) -> tuple[Edit, str] | str | None:
    """The edit dropping `truss-transfer-cli` and the command after it, None, or why it stays (a str).
    column: where the keys of the scalar's mapping start, from which a block's indentation counts."""
    fix = shell.fix_start_command(node.value)
    if fix.unsafe is not None:
        return fix.unsafe
    if fix.command is None:
        return None
    start, end = text.offset(node.start_mark), text.offset(node.end_mark)
    source = text.body[start:end]
    offsets = scalar_offsets(source, node)
    if offsets is None:
        return f"in a {STYLE_NAMES.get(node.style, 'YAML')} scalar this tool cannot edit in place"
    new_source = apply(source, [Edit(offsets[a], offsets[b], "") for a, b in fix.spans])
    in_doubt = node.style == ">" or (node.style in (None, "") and _plain_in_doubt(fix.command))
    if in_doubt and _read_scalar(new_source, column) != fix.command:
        return "the edited text would read differently in this YAML layout"  # e.g. `"$HOME/run"`
    return Edit(start, end, new_source), fix.command


def _plain_in_doubt(command: str) -> bool:
    """Whether a plain scalar starting the way command now starts may not read as command.

    A first character that is no YAML indicator, and a space (no number, boolean or null
    has one), leave no doubt; what remains is checked by parsing, and verify checks all.
    """
    return not (command[:1].isalnum() or command[:1] in "/._") or " " not in command


def _read_scalar(source: str, column: int) -> object:
    """What a scalar's text reads as, as the value of a key at column; None if not a string.

    A folded block is in doubt wherever the edit joined two lines or left one blank: its
    folding depends on which lines start with a blank and where the empty lines are."""
    try:
        ending = "" if source.endswith(("\n", "\r")) else "\n"  # a kept block's last line break is its own
        root = pyyaml_rules.compose(" " * column + "k: " + source + ending)
    except (YAMLError, ValueError):
        return None
    node = root.value[0][1] if isinstance(root, MappingNode) and root.value else None
    return node.value if isinstance(node, ScalarNode) and node.tag == STR else None
