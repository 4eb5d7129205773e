"""config.yaml: find the configs to migrate, plan each with the fixes, apply the edits, verify.

The output is the input text with a few spans replaced, so every byte outside those spans is kept
as it was. The fixes themselves are in fixes/ (one module each, run in REGISTRY's order);
this module knows none of them by name.
"""

from __future__ import annotations

import re

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ..core import keys
from ..core.context import SECRET, SEED, Context
from ..core.diagnostics import Diagnostic
from ..core.entry import EntryPlan, TrussEntry
from ..core.outcome import Outcome, Status
from ..core.suppress import Suppressions
from . import aliases, fixes, truss
from .blocks import Config, Nested, find_configs, nested_blocks
from .fixes import FilePlan, Plan, Scope
from .fixes.serve_command import serving
from .read import BOM, LINE_BREAK, Failure, Text, compose, surely_readable
from .text.edit import apply
from .verify import verify, verify_values


def migrate(source: str, context: Context = Context()) -> Outcome:
    """Migrate one config's text (and, under --nested, the nested blocks). Never raises for bad input."""
    bom = BOM if source.startswith(BOM) else ""
    body = source[len(bom) :]
    reports: list[Diagnostic] = []
    if not keys.config_may_change(body, context) and surely_readable(body):
        # a mention in a path or a longer word, and valid YAML: no tree needed, unless its code needs its entries
        return _already_migrated(body, bom, context, []) if _has_weights(body, context) else Outcome(Status.UNCHANGED)
    try:
        root = compose(body)
        if not isinstance(root, (MappingNode, SequenceNode)):
            return Outcome(Status.UNCHANGED)
        found = nested_blocks(root, body)
        configs, reports = find_configs(root, found, context)
        if not configs:
            if _has_weights(body, context):
                return _already_migrated(body, bom, context, reports, root)
            return Outcome(Status.UNCHANGED, diagnostics=reports)
        aliases.check(root, configs, body)
        new_body, plan = _plan_and_apply(root, body, found, configs, context)
        verify(new_body, plan)
    except Failure as failure:
        return Outcome(Status.FAILED, diagnostics=[failure.diagnostic])
    except RecursionError:
        return Outcome(Status.FAILED, diagnostics=[Diagnostic(1, 1, "E001", "invalid YAML: nested too deeply")])
    notes = [d for _, config_plan in plan.configs for d in config_plan.diagnostics]
    top = plan.configs[0] if plan.configs[0][0].mapping is root else None
    weights = [entry for _, config_plan in plan.configs for entry in config_plan.weights]
    notices = _notices(weights, context)
    plans = top[1].weights if top else []
    entries = tuple(TrussEntry.of_plan(i, plan) for i, plan in enumerate(plans))
    found_sites = (truss.sites(root, entries, body) if context.code else ()) + tuple(top[1].sites if top else ())
    values = truss.config_values(root, entries) if context.code else ()
    suppressed = Suppressions(body, context.ignore)
    return Outcome(
        Status.MIGRATED,
        bom + new_body,
        _answered(notes + reports, suppressed),
        plans,
        entries,
        tuple(s for s in found_sites if not suppressed.answers(s)),
        config_values=values,
        notices=notices,
    )


def _answered(diagnostics: list[Diagnostic], suppressed: Suppressions) -> list[Diagnostic]:
    """The diagnostics in the order of the file, without the warnings a comment or the settings answer."""
    kept = [d for d in diagnostics if not (d.code.startswith("W") and suppressed(d.line, d.code))]
    return sorted(kept, key=lambda d: (d.line, d.col))


def _has_weights(body: str, context: Context) -> bool:
    """Whether a config may be under `weights` already with work left: code that needs its entries,
    or a start command that may serve one by id."""
    return "weights" in body and (context.code or ("start_command" in body and _may_serve_an_entry(body)))


# A source as a plain look reads it (`source: hf://org/name@rev`, quoted or not): its scheme and the rest.
_SOURCE = re.compile(r"""\bsource["']?[ \t]*:[ \t]*["']?(?:([a-z][a-z0-9+.-]*)://)?([^\s"'@#,\]}]*)""")
_ID = re.compile(r"[A-Za-z0-9][\w.-]*(?:/[\w.-]+)?")
# What a plain look cannot read as written: an anchor, an alias or a tag starting a node; an escape
# that spells a character of an id in a double-quoted scalar.
# (The token first, the look back after it: see pyyaml_rules.MAY_ANCHOR.)
_UNPLAIN = re.compile(r"[&*!](?<![^\s\[{,][&*!])[\w-]|\\[xuU\r\n/]")


def _may_serve_an_entry(body: str) -> bool:
    """Whether a start command may name an entry by id: some Hugging Face source's id is written a
    second time. Where the text holds what a plain look cannot read, the answer is yes."""
    if _UNPLAIN.search(body):
        return True
    ids = [rest for scheme, rest in _SOURCE.findall(body) if scheme in ("", "hf")]
    return any(not _ID.fullmatch(repo_id) or body.count(repo_id) > 1 for repo_id in ids)


def _already_migrated(
    body: str, bom: str, context: Context, reports: list[Diagnostic], root: Node | None = None
) -> Outcome:
    """A config already under `weights`: its entries and where it names them, for its code; a start
    command that still serves one by id is reported, or given its mount (W016), on every run."""
    try:
        root = root if root is not None else compose(body)
    except Failure:
        return Outcome(Status.UNCHANGED, diagnostics=reports)
    if root is None:
        return Outcome(Status.UNCHANGED, diagnostics=reports)
    entries = truss.under_weights(root)
    values = truss.config_values(root, entries)
    text, ending = _framed(body)
    commands = serving(text, root, entries, context) if isinstance(root, MappingNode) else Plan()
    suppressed = Suppressions(body, context.ignore)
    diagnostics = _answered(reports + commands.diagnostics, suppressed)
    found = truss.sites(root, entries, body) + tuple(commands.sites)
    sites = tuple(s for s in found if not suppressed.answers(s))
    if not commands.edits:
        return Outcome(Status.UNCHANGED, diagnostics=diagnostics, truss=entries, sites=sites, config_values=values)
    try:
        new_body = _unframed(apply(text.body, commands.edits), ending)
        verify_values(new_body, root, body, commands.expected)
    except Failure as failure:
        return Outcome(Status.FAILED, diagnostics=[failure.diagnostic])
    return Outcome(Status.MIGRATED, bom + new_body, diagnostics, truss=entries, sites=sites, config_values=values)


def _notices(weights: list[EntryPlan], context: Context) -> frozenset[str]:
    """W013: entries written in the seed dialect with keys released truss refuses."""
    refused = context.dialect == SEED and any("revision" in p.weight or SECRET in p.weight for p in weights)
    return frozenset({"W013"}) if refused else frozenset()


def _plan_and_apply(
    root: Node, body: str, found: list[Nested], configs: list[Config], context: Context
) -> tuple[str, FilePlan]:
    """Each config planned by the fixes, and the text with all their edits."""
    text, ending = _framed(body)
    # Moves stay within their own config: none reaches into a mapping with a nested block.
    inner = [n.mapping for n in found if n.entry_list]
    planned: list[tuple[Config, Plan]] = [
        (config, fixes.plan(Scope(text, config, context, [m for m in inner if m is not config.mapping])))
        for config in configs
    ]
    new_body = _unframed(apply(text.body, [edit for _, plan in planned for edit in plan.edits]), ending)
    return new_body, FilePlan(root, body, planned, context.dialect, None if ending else text)


def _framed(body: str) -> tuple[Text, str]:
    """The text the fixes edit: the body as if it ended with a line break, and the one added, if any."""
    unterminated = body and not LINE_BREAK.match(body[-1])
    ending = Text(body).newline_at(0) if unterminated else ""
    return Text(body + ending), ending


def _unframed(new_body: str, ending: str) -> str:
    """The edited text without the line break _framed added."""
    if not ending:
        return new_body
    if not new_body.endswith(ending):
        raise Failure(Diagnostic(1, 1, "E099", "internal error: lost the end of the file"))
    return new_body[: -len(ending)]
