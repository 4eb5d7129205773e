"""W016: a start command whose server is given a mounted repository by id serves the mount instead,
where the command names the served model itself; anywhere else it is reported (core/serve.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from ...core import serve
from ...core.context import Context
from ...core.entry import Site, TrussEntry
from ...core.keys import followed
from ..read import Text, diag_at
from ..text.edit import Edit, apply
from ..text.scalar import scalar_offsets
from .plan import Plan, Scope
from .start_command import start_commands


def serve_command(scope: Scope, done: Plan) -> Plan:
    entries = tuple(TrussEntry.of_plan(index, plan) for index, plan in enumerate(scope.config.plans))
    return serving(scope.text, scope.config.mapping, entries, scope.context, done, scope.owns)


def serving(
    text: Text,
    config: MappingNode,
    entries: tuple[TrussEntry, ...],
    context: Context,
    done: Plan | None = None,
    owns: Callable[[Node], bool] = lambda node: True,
) -> Plan:
    """The plan of a config's start commands (as the fixes before left them, in done): a config
    migrating now, or one already under `weights`, on every run."""
    mounts = {entry.repo_id: serve.Mount.of(entry) for entry in followed(entries) if entry.repo_id}
    plan = Plan()
    if not mounts:
        return plan
    done = done or Plan()
    earlier = {(e.start, e.end): e.text for e in done.edits}  # truss-transfer-cli dropped already
    for _key, val in start_commands(config, owns):
        command = str(done.expected.get(id(val), val.value))
        if not _may_serve(command, mounts):
            continue
        start, end = text.offset(val.start_mark), text.offset(val.end_mark)
        source = earlier.get((start, end), text.body[start:end])
        # where each character of the command is written, in the scalar as it now reads
        offsets = scalar_offsets(source, ScalarNode(val.tag, command, style=val.style))

        def in_place(found: serve.Served, offsets: list[int] | None = offsets, source: str = source) -> bool:
            """The id is written as it reads (no escape, no fold inside it)."""
            return offsets is not None and source[offsets[found.start] : offsets[found.end]] == found.repo_id

        decisions = serve.decide(serve.served(command), mounts, context.trust_patterns, in_place)
        rewritten = [d for d in decisions if d.rewritten]
        if rewritten and offsets is not None:
            edits = [Edit(offsets[d.served.start], offsets[d.served.end], d.mount.location) for d in rewritten]
            plan.edits.append(Edit(start, end, apply(source, edits)))
            plan.expected[id(val)] = serve.rewrite(command, decisions)
        for decision in decisions:
            plan.diagnostics.append(diag_at(val, "W016", serve.message(decision, "start_command")))
            if decision.mount.index is not None:
                verdict = "mount" if decision.rewritten else "hub"
                plan.sites.append(Site(decision.mount.index, verdict, val.start_mark.line + 1, "W016"))
    return plan


def _may_serve(command: str, mounts: Mapping[str, serve.Mount]) -> bool:
    """Whether a shell command may give a server a mounted id: one is written out in it, or the shell
    may spell one otherwise (quotes or a backslash inside a word)."""
    return any(repo_id in command for repo_id in mounts) or any(c in command for c in "\\'\"")
