"""config.yaml: find the configs to migrate, plan each with the fixes, apply the edits, verify.

The output is the input text with a few spans replaced, so every byte outside those spans is kept
as it was. The fixes themselves are in fixes/ (one module each, run in REGISTRY's order);
this module knows none of them by name.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ..core import keys
from ..core.context import SECRET, SEED, Context
from ..core.diagnostics import Diagnostic
from ..core.entry import EntryPlan, TrussEntry
from ..core.outcome import Outcome, Status
from . import aliases, fixes, truss
from .blocks import Config, Nested, find_configs, nested_blocks
from .fixes import FilePlan, Plan, Scope
from .read import BOM, LINE_BREAK, Failure, Text, compose, surely_readable
from .text.edit import apply
from .verify import verify


def migrate(source: str, context: Context = Context()) -> Outcome:
    """Migrate one config's text (and, under --nested, the nested blocks). Never raises for bad input."""
    bom = BOM if source.startswith(BOM) else ""
    body = source[len(bom) :]
    reports: list[Diagnostic] = []
    if not keys.config_may_change(body, context) and surely_readable(body):
        # a mention in a path or a longer word, and valid YAML: no tree needed, unless its code needs its entries
        return _already_migrated(body, context, []) if _has_weights(body, context) else Outcome(Status.UNCHANGED)
    try:
        root = compose(body)
        if not isinstance(root, (MappingNode, SequenceNode)):
            return Outcome(Status.UNCHANGED)
        found = nested_blocks(root, body)
        configs, reports = find_configs(root, found, context)
        if not configs:
            if _has_weights(body, context):
                return _already_migrated(body, context, reports, root)
            return Outcome(Status.UNCHANGED, diagnostics=reports)
        aliases.check(root, configs, body)
        new_body, plan = _plan_and_apply(root, body, found, configs, context)
        verify(new_body, plan)
    except Failure as failure:
        return Outcome(Status.FAILED, diagnostics=[failure.diagnostic])
    except RecursionError:
        return Outcome(Status.FAILED, diagnostics=[Diagnostic(1, 1, "E001", "invalid YAML: nested too deeply")])
    notes = [d for _, config_plan in plan.configs for d in config_plan.diagnostics]
    ordered = sorted(notes + reports, key=lambda d: (d.line, d.col))
    top = plan.configs[0] if plan.configs[0][0].mapping is root else None
    weights = [entry for _, config_plan in plan.configs for entry in config_plan.weights]
    notices = _notices(weights, context)
    plans = top[1].weights if top else []
    entries = tuple(TrussEntry.of_plan(i, plan) for i, plan in enumerate(plans))
    found_sites = truss.sites(root, entries) if context.code else ()
    values = truss.config_values(root, entries) if context.code else ()
    return Outcome(
        Status.MIGRATED, bom + new_body, ordered, plans, entries, found_sites, config_values=values, notices=notices
    )


def _has_weights(body: str, context: Context) -> bool:
    """Whether the code pass needs this config's entries already under `weights`."""
    return context.code and "weights" in body


def _already_migrated(body: str, context: Context, reports: list[Diagnostic], root: Node | None = None) -> Outcome:
    """A config already under `weights`: nothing to change; its entries and where it names them, for its code."""
    try:
        root = root if root is not None else compose(body)
    except Failure:
        return Outcome(Status.UNCHANGED, diagnostics=reports)
    entries = truss.under_weights(root) if root is not None else ()
    if root is None:
        return Outcome(Status.UNCHANGED, diagnostics=reports, truss=entries)
    values = truss.config_values(root, entries)
    found_sites = truss.sites(root, entries)
    return Outcome(Status.UNCHANGED, diagnostics=reports, truss=entries, sites=found_sites, config_values=values)


def _notices(weights: list[EntryPlan], context: Context) -> frozenset[str]:
    """W013: entries written in the seed dialect with keys released truss refuses."""
    refused = context.dialect == SEED and any("revision" in p.weight or SECRET in p.weight for p in weights)
    return frozenset({"W013"}) if refused else frozenset()


def _plan_and_apply(
    root: Node, body: str, found: list[Nested], configs: list[Config], context: Context
) -> tuple[str, FilePlan]:
    """Each config planned by the fixes, and the text with all their edits."""
    # Edit as if the file ended with a line break, and take it off again after.
    unterminated = body and not LINE_BREAK.match(body[-1])
    ending = Text(body).newline_at(0) if unterminated else ""
    text = Text(body + ending)
    # Moves stay within their own config: none reaches into a mapping with a nested block.
    inner = [n.mapping for n in found if n.entry_list]
    planned: list[tuple[Config, Plan]] = [
        (config, fixes.plan(Scope(text, config, context, [m for m in inner if m is not config.mapping])))
        for config in configs
    ]
    new_body = apply(text.body, [edit for _, plan in planned for edit in plan.edits])
    if ending:
        if not new_body.endswith(ending):
            raise Failure(Diagnostic(1, 1, "E099", "internal error: lost the end of the file"))
        new_body = new_body[: -len(ending)]
    return new_body, FilePlan(root, body, planned, context.dialect, None if ending else text)
