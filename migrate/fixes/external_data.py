"""truss `external_data` beside the block: folded into `weights` (--dialect truss), else reported."""

from __future__ import annotations

from .. import rules
from ..text_edit import append_entries, drop_region
from ..yaml_read import diag_at, top_level
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
                    f"external_data folded into weights ({len(config.extra)} entries, under {rules.DATA_DIR})",
                )
            ],
        )
    top = top_level(config.mapping)
    if scope.options.dialect == rules.SEED and "external_data" in top:
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
