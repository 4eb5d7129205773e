"""The block itself: `model_cache` (or `hf_cache`) renamed to `weights`, each entry edited to its plan."""

from __future__ import annotations

from ..text.edit import Edit
from ..text.entry import EntryEditor
from .plan import Plan, Scope


def block(scope: Scope, done: Plan) -> Plan:
    config, text = scope.config, scope.text
    key = config.block.key
    quote = key.style if key.style in ("'", '"') else ""
    edits = [Edit(text.offset(key.start_mark), text.offset(key.end_mark), f"{quote}weights{quote}")]
    for entry, plan in zip(config.block.entries, config.plans):
        edits += EntryEditor(text, entry, plan).edits()
    return Plan(edits, weights=list(config.plans), diagnostics=list(config.diagnostics))
