"""--hub: each filtered Hugging Face entry checked against its repository's listing at its commit.

No edit of its own. An entry whose patterns select no file is an error (E022): the platform
refuses such a source ("No files matched weights filters"), so the file is left untouched. An allow
pattern that selects nothing is a warning (W017), as is a repository the Hub would not list (W018:
its loaders are then decided offline). Without --hub, nothing here runs.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from ...core.diagnostics import Diagnostic
from ...core.entry import EntryPlan
from ...core.listing import HubProblem, Listing
from ...core.mapping import PATTERN_KEYS, matcher
from ...core.patterns import Matcher, mounted, old_selects
from ..read import Failure, diag_at, value
from .plan import Plan, Scope


def hub_files(scope: Scope, done: Plan) -> Plan:
    if not scope.context.hub:
        return Plan()
    plan = Plan()
    for node, entry_plan in zip(scope.config.block.entries, scope.config.plans):
        if entry_plan.kind == "hf" and any(key in entry_plan.weight for key in PATTERN_KEYS):
            plan.diagnostics += _checked(scope, node, entry_plan)
    return plan


def _checked(scope: Scope, node: Node, entry_plan: EntryPlan) -> list[Diagnostic]:
    read = value(node) if isinstance(node, MappingNode) else None
    old: dict[str, object] = read if isinstance(read, dict) else {}
    repo_id = entry_plan.repo_id.removeprefix("hf://")
    given = old.get("revision")
    revision = given if isinstance(given, str) and given else None
    found = scope.context.listing(repo_id, revision)
    where = f"{repo_id}@{revision or 'main'}"
    if isinstance(found, HubProblem):
        message = f"--hub: {found.message}; its loaders are decided offline"
        return [diag_at(node, "W018", message)]
    if not isinstance(found, Listing):
        return []
    patterns = {key: entry_plan.weight[key] for key in PATTERN_KEYS if key in entry_plan.weight}
    _, maybe = mounted(found.files, patterns)
    if not maybe:
        message = (
            f"no file of {where} (commit {found.commit[:12]}) is selected by {_described(patterns)}: "
            'the platform refuses such a source ("No files matched weights filters"); fix the patterns'
        )
        raise Failure(diag_at(node, "E022", message))
    return _unmatched(node, old, found, where, matcher(entry_plan.legacy))


def _unmatched(node: Node, old: dict[str, object], found: Listing, where: str, kind: Matcher) -> list[Diagnostic]:
    """W017 at each allow pattern, as written, that selected no file of the listing."""
    allow = old.get("allow_patterns")
    if not isinstance(allow, list):
        return []
    items = _items(node, "allow_patterns")
    reports = []
    for i, pattern in enumerate(allow):
        if not isinstance(pattern, str):
            continue
        selects = old_selects(pattern, kind)
        if not any(selects(path) for path in found.files):
            at = items[i] if i < len(items) else node
            hint = f" (a typo for '*{pattern}'?)" if pattern.startswith(".") else ""
            message = f"allow pattern {pattern!r} selects no file of {where} (commit {found.commit[:12]}){hint}"
            reports.append(diag_at(at, "W017", message))
    return reports


def _items(node: Node, key: str) -> list[Node]:
    if not isinstance(node, MappingNode):
        return []
    for k, v in node.value:
        if isinstance(k, ScalarNode) and k.value == key and hasattr(v, "value") and isinstance(v.value, list):
            return list(v.value)
    return []


def _described(patterns: dict[str, list[str]]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in patterns.items())
