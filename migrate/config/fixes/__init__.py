"""The file-level fixes of a config, one module each, and the one registry that runs them.

A fix is a function `(scope, done) -> Plan`: it sees one config (and what the fixes before it
planned) and returns its edits, the meaning the edited config must have, and its diagnostics.
The core (yaml_edit) knows no fix by name: it runs REGISTRY in order, applies the edits and verifies.

Why this order:
- block first: it renames the block and edits its entries; the others read its entry plans.
- hub_files right after it (--hub only): it edits nothing, and refuses an entry whose patterns
  select no file of its repository before any other fix plans around it.
- start_command, then serve_command, before path_moves: a start command is freed of
  `truss-transfer-cli` first, its server is then given the mount it served by id, and a moved path
  in it is moved last in the edited text (each builds on the earlier edit of the same scalar).
- empty_weights and external_data last: they remove keys beside the block, and external_data's new
  entries follow the block's own in `weights`, so the entry edits of the block come before them
  (two insertions at one offset are applied in registry order).
"""

from __future__ import annotations

from .block import block
from .empty_weights import empty_weights
from .external_data import external_data
from .hub_files import hub_files
from .path_moves import path_moves
from .plan import FilePlan, Fix, Plan, Scope
from .serve_command import serve_command
from .start_command import start_command

REGISTRY: tuple[Fix, ...] = (
    block,
    hub_files,
    start_command,
    serve_command,
    path_moves,
    empty_weights,
    external_data,
)

__all__ = ["REGISTRY", "FilePlan", "Fix", "Plan", "Scope", "plan"]


def plan(scope: Scope) -> Plan:
    """Every fix of REGISTRY on one config, in order."""
    done = Plan()
    for fix in REGISTRY:
        done = done.then(fix(scope, done))
    return done
