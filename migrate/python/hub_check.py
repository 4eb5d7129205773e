"""--hub: whether a filtered mount holds every file a loader call reads, from the repository's listing.

The call is described for the loader-needs table (its family, and the arguments that change what
it reads); the mount's files are the listing under the entry's new patterns, read as the weights
matcher surely reads them. The answer is the commit the listing was made at (every needed file is
mounted), or why the loader stays on the Hub: the files missing and the patterns that add them,
or why the table cannot tell.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..core.listing import HubProblem, Listing
from ..core.patterns import mounted
from . import loader_needs
from .syntax import string_value

# The arguments whose value changes which files a call reads (an unknown value: the table cannot tell).
_READ_BY_VALUE = frozenset({"subfolder", "variant", "use_safetensors", "trust_remote_code", "task"})
_UNKNOWN = object()


@dataclass(frozen=True)
class Verdict:
    commit: str | None  # the mount holds every needed file, as listed at this commit
    why: str = ""  # else: what it lacks (and the patterns that add it), or why this cannot be told
    family: str = ""


def check(
    found: Listing | HubProblem | None, names: set[str], call: ast.Call, patterns: dict[str, list[str]]
) -> Verdict:
    """Whether the mount of a listed repository holds every file the call reads."""
    if isinstance(found, HubProblem):
        return Verdict(None, f"--hub could not list it ({found.kind}; see its config's W018)")
    if found is None:
        return Verdict(None)
    name = next((n for n in sorted(names) if loader_needs.family_of(n)), None)
    if name is None:
        return Verdict(None, "--hub: the loader-needs table has no family for this call")
    keywords, unresolved = _arguments(call, loader_needs.family_of(name) == loader_needs.PIPELINE)
    described = loader_needs.describe(name, keywords, unresolved)
    if described is None:
        return Verdict(None, "--hub: the loader-needs table has no family for this call")
    needs = loader_needs.needed(described, frozenset(found.files), found.small.get)
    if not needs.known:
        return Verdict(None, f"--hub cannot tell what it reads: {needs.unknown}", described.family)
    sure, _ = mounted(found.files, patterns)
    lacking = loader_needs.missing(needs, sure)
    if not lacking:
        return Verdict(found.commit, family=described.family)
    added = loader_needs.suggest(lacking, found.files, sure)
    return Verdict(
        None, f"{loader_needs.message(lacking, added)} (--hub, commit {found.commit[:12]})", described.family
    )


def _arguments(call: ast.Call, pipeline: bool) -> tuple[dict[str, object], list[str]]:
    """The call's keyword arguments (a literal's value, else a marker) and the ones that matter whose
    value is unknown. pipeline's first positional argument is its task."""
    keywords: dict[str, object] = {}
    unresolved: list[str] = []
    if pipeline and call.args and not isinstance(call.args[0], ast.Starred):
        keywords["task"] = _literal(call.args[0])
    for keyword in call.keywords:
        if keyword.arg is None:
            unresolved.append("**")
            continue
        keywords[keyword.arg] = _literal(keyword.value)
    unresolved += [key for key, data in keywords.items() if data is _UNKNOWN and key in _READ_BY_VALUE]
    return {k: v for k, v in keywords.items() if v is not _UNKNOWN or k not in _READ_BY_VALUE}, unresolved


def _literal(node: ast.expr) -> object:
    data = string_value(node)
    if data is not None:
        return data
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int))):
        return node.value
    return _UNKNOWN
