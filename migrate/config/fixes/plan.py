"""What a fix plans for one config, what it sees, and the file's plan that verification checks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ruamel.yaml.nodes import Node

from ...core.context import Context, Dialect
from ...core.diagnostics import Diagnostic
from ...core.entry import EntryPlan, Site
from ..blocks import Config
from ..read import Text, nodes
from ..text.edit import Edit


@dataclass
class Plan:
    """A fix's edits of one config, the meaning the edited config must have, and its diagnostics."""

    edits: list[Edit] = field(default_factory=list)
    expected: dict[int, object] = field(default_factory=dict)  # id(scalar node) -> the value it reads as after
    weights: list[EntryPlan] = field(default_factory=list)  # the entries `weights` holds after, in order
    removed: list[Node] = field(default_factory=list)  # keys of the config mapping the edits delete
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)  # where the config itself loads its entries (by id, or the mount)

    def then(self, later: Plan) -> Plan:
        """This plan followed by a later fix's. An edit of the same (non-empty) span replaces the earlier
        one: the later fix has seen it (a path moved in a start command it already edited)."""
        if not (later.edits or later.expected or later.weights or later.removed or later.diagnostics or later.sites):
            return self  # most fixes have nothing to do in most configs
        replaced = {(e.start, e.end) for e in later.edits if e.start < e.end}
        return Plan(
            [e for e in self.edits if (e.start, e.end) not in replaced] + later.edits,
            {**self.expected, **later.expected},
            self.weights + later.weights,
            self.removed + later.removed,
            self.diagnostics + later.diagnostics,
            self.sites + later.sites,
        )


@dataclass
class Scope:
    """What a fix sees: the document, the config it fixes, the run's context."""

    text: Text  # the document, ending in a line break
    config: Config
    context: Context
    skip: list[Node] = field(default_factory=list)  # mappings below with a nested block: configs of their own

    @cached_property
    def _below(self) -> set[int]:
        return {id(node) for top in self.skip for node in nodes(top, set(), keys=False)}

    def owns(self, node: Node) -> bool:
        """Whether node is this config's to fix, not inside a nested config below it."""
        return not self.skip or id(node) not in self._below


Fix = Callable[[Scope, Plan], Plan]  # (what it sees, what the fixes before it planned) -> its own plan


@dataclass
class FilePlan:
    """Everything verification needs: the document before, and each config with its plan."""

    root: Node
    body: str  # the text before, without a byte-order mark
    configs: list[tuple[Config, Plan]]
    dialect: Dialect
    text: Text | None = None  # body's line index, when it has one already

    @property
    def expected(self) -> dict[int, object]:
        return {key: data for _, plan in self.configs for key, data in plan.expected.items()}
