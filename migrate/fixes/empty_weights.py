"""An empty `weights:` key beside the block removed: the migrated block takes its place."""

from __future__ import annotations

from ..text_edit import drop_empty_weights
from ..yaml_read import diag_at
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
