"""What the survey found in a module: the diagnostics, and the edits the rewrite makes, each at the
place of the node it concerns, so the rewrite finds the node in libcst's tree by its position.

A diagnostic keeps the order the rules found it in (`Order`): the module is read in one walk,
the survey's own findings first, then each rule's as the rewrite meets the nodes (children before
their parents), then what is left for the end; diagnostics at one place stay in that order.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ..core.diagnostics import Diagnostic
from .syntax import Where

# When a finding is made, as the walks meet the nodes: the survey's walk (parents first), what it
# decides at the end, the rewrite's walk (children first), what is reported at the very end.
SURVEY, SURVEY_END, REWRITE, END = range(4)
Order = tuple[int, tuple[int, ...], int]  # (phase, the node's place in that walk, the rule's place in the registry)
NodeKey = tuple[str, Where]  # libcst's class name of the node, and where it stands


@dataclass
class Findings:
    """The diagnostics (with the order they were found in) and the edits by node."""

    diagnostics: list[tuple[Order, int, Diagnostic]] = field(default_factory=list)
    edits: dict[NodeKey, list[Any]] = field(default_factory=dict)
    nodes: list[ast.AST] = field(default_factory=list)  # the ast node of each edit, for the lines to parse
    of_rewrite: set[int] = field(default_factory=set)  # the diagnostics (by number) that rest on the module's rewrite

    def report(self, where: Where, code: str, message: str, order: Order, of_rewrite: bool = False) -> None:
        """A diagnostic; of_rewrite: it holds only once the module's own rewrite is made (an id its
        rewritten ModelRepo mounts, or a report whose code also names what is left: a W124 that rewrites)."""
        if of_rewrite:
            self.of_rewrite.add(len(self.diagnostics))
        self.diagnostics.append((order, len(self.diagnostics), Diagnostic(where[0], where[1] + 1, code, message)))

    def edit(self, kind: str, where: Where, edit: Any, node: ast.AST) -> None:
        self.edits.setdefault((kind, where), []).append(edit)
        self.nodes.append(node)

    def hold(self, rewrites: frozenset[str], code: str, why: str) -> None:
        """Nothing is edited: each report of a rewrite (by its code), and each that rests on one, becomes
        a `code` report at its place, `why` followed by what it said."""
        self.diagnostics = [
            (order, n, Diagnostic(d.line, d.col, code, f"{why}: {d.code} {d.message}"))
            if d.code in rewrites or n in self.of_rewrite
            else (order, n, d)
            for order, n, d in self.diagnostics
        ]
        self.edits.clear()
        self.nodes.clear()

    def ordered(self) -> list[Diagnostic]:
        """By line and column; at one place, in the order they were found."""
        found = sorted(self.diagnostics, key=lambda item: (item[0], item[1]))
        return sorted((d for _, _, d in found), key=lambda d: (d.line, d.col))
