"""W105, W111-W115: a legacy entry's repo id where code loads it.

It becomes the mount location where the loader table knows the slot takes a folder, or where a
Hub call only fetches a file or folder the mount holds; everywhere else it is reported.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT, QualifiedNameProvider, ScopeProvider

from .base import (
    Codemod,
    DroppedImport,
    Patterns,
    _code,
    _constant,
    _describe,
    _literal,
    _passes,
    _patterns_of,
    _string,
)

HUB_ARGS = {"snapshot_download": ("repo_id",), "hf_hub_download": ("repo_id", "filename")}


def _hub_path(call: cst.Call, function: str, patterns: Patterns) -> tuple[str | None, str]:
    """The path under the mount a Hub call returns ("" for the folder), or None and why not."""
    if function not in HUB_ARGS:
        return None, "no local equivalent is known"
    positional = HUB_ARGS[function]
    values: dict[str, str] = {}  # the arguments besides repo_id, which is the legacy id
    for i, arg in enumerate(call.args):
        if arg.star:
            return None, "a * or ** argument"
        key = arg.keyword.value if arg.keyword else (positional[i] if i < len(positional) else None)
        if key == "repo_id":
            continue
        value = _string(arg.value) if key is not None else None
        if key is None or value is None:
            return None, f"an argument whose effect cannot be reproduced: {_code(arg.value)}"
        values[key] = value
    extra = set(values) - {*HUB_ARGS[function], "subfolder", "repo_type"}
    if extra or values.get("repo_type", "model") != "model":
        return None, "an argument whose effect cannot be reproduced: " + ", ".join(sorted(extra) or ["repo_type"])
    if function == "snapshot_download":
        if patterns:
            return None, f"the mount holds only the files of {_describe(patterns)}"
        return "", ""
    if "filename" not in values:
        return None, "no file name"
    path = "/".join(filter(None, [values.get("subfolder"), values["filename"]]))
    if patterns and not _passes(path, patterns):
        return None, f"{path!r} is left out of the mount by {_describe(patterns)}"
    return path, ""


class LoaderArguments(Codemod):
    """Legacy HF ids at loader, Hub API and other arguments, and in module constants."""

    CODES: ClassVar[tuple[str, ...]] = ("W105", "W111", "W112", "W113", "W114", "W115")
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (
        QualifiedNameProvider,
        PositionProvider,
        ScopeProvider,
    )

    def legacy_arguments(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        """A legacy HF repo id passed to a call: rewritten where the call is known to take a folder there."""
        args = list(updated.args)
        changed = False
        for i, arg in enumerate(original.args):
            repo_id, constant = self.legacy_id_of(arg.value)
            if repo_id is None or constant in self.survey.rewritten_constants:
                continue
            self.pending.pop(arg.value, None)
            mount = self.legacy_ids[repo_id]
            slot = self.survey.loader_slot(arg.value)
            if slot == "hub":
                return self.hub_call(original, updated, repo_id, constant)
            if slot == "loader" and not self.survey.loads_whole_repo(repo_id):
                patterns = _describe(_patterns_of(self.survey.legacy_plans[repo_id]))
                self.report(
                    arg,
                    "W112",
                    f"loader left: {repo_id!r} mounts at {mount!r} filtered by {patterns}, so it still downloads "
                    "from the Hub; pass --trust-patterns if the patterns keep every file it loads",
                )
            elif slot == "loader":
                like = updated.args[i].value if isinstance(updated.args[i].value, cst.SimpleString) else None
                args[i] = updated.args[i].with_changes(value=_literal(mount, like))
                self.report(
                    arg, "W105", f"{repo_id!r} -> {mount!r}: a legacy entry's weights load from its mount location"
                )
                changed = True
            else:
                self.report(
                    arg,
                    "W114",
                    f"{repo_id!r} left: this argument is not one the loader table knows to take a folder; "
                    f"the weights now mount at {mount!r}",
                )
        updated = updated.with_changes(args=args)
        return self.fit(original, updated) if changed else updated

    def legacy_id_of(self, node: cst.BaseExpression) -> tuple[str | None, str | None]:
        """The legacy id an argument holds (a literal or a module constant), and the constant's name."""
        data = _string(node)
        constant = None
        if data is None and isinstance(node, cst.Name):
            data, constant = _constant(self, node, self.survey.constants), node.value
        return (data, constant) if data in self.legacy_ids else (None, None)

    def hub_call(self, original: cst.Call, updated: cst.Call, repo_id: str, constant: str | None) -> cst.BaseExpression:
        """snapshot_download(<id>) is the snapshot folder: the mount. hf_hub_download(<id>, F) is a file in it."""
        mount = self.legacy_ids[repo_id]
        name = next(iter(sorted(q.name for q in self.get_metadata(QualifiedNameProvider, original.func, set()))), "")
        function = name.rsplit(".", 1)[-1]
        path, why = _hub_path(original, function, _patterns_of(self.survey.legacy_plans[repo_id]))
        if (
            path is not None
            and constant is not None
            and constant in self.survey.used_constants
            and self.constant_uses(constant) == 1
        ):
            path, why = None, f"its repo id is the constant {constant}, which nothing else would use"
        if path is None:
            self.report(
                original,
                "W113",
                f"{function or 'Hub API'}(...) left: it takes a repo id, never a folder ({why}); "
                f"the weights of {repo_id!r} now mount at {mount!r}",
            )
            return updated
        result = mount + ("/" + path if path else "")
        if isinstance(original.func, cst.Name) and name:  # the import may have lost its last use
            asname = original.func.value if original.func.value != function else None
            self.unused.append(DroppedImport(name.rsplit(".", 1)[0], function, asname))
        self.report(
            original, "W111", f"{function}(...) -> {result!r}: the legacy entry's files are at its mount location"
        )
        return _literal(result)

    def constant_uses(self, constant: str) -> int:
        """How often the module reads a module-level constant."""
        if self.survey.module is None:
            return 0
        scope = self.get_metadata(ScopeProvider, self.survey.module, None)
        return sum(len(a.references) for a in scope.assignments[constant]) if scope else 0

    def loader_string(self, original: cst.SimpleString, data: str) -> cst.BaseExpression | None:
        """A legacy id held in a constant every use of which loads it changes there; other ids wait for W115."""
        constant = next((n for n, v in self.survey.constant_nodes.items() if v is original), None)
        if constant in self.survey.rewritten_constants:
            mount = self.legacy_ids[data]
            self.report(
                original,
                "W105",
                f"{data!r} -> {mount!r}: every use of {constant} loads the legacy entry's weights, "
                "from its mount location now",
            )
            return _literal(mount, original)
        if data in self.legacy_ids and not self.sources and constant not in self.survey.used_constants:
            self.pending[original] = data
        return None

    def report_pending(self) -> None:
        for node, repo_id in self.pending.items():
            mount = self.legacy_ids[repo_id]
            self.report(
                node,
                "W115",
                f"{repo_id!r} left in code: a legacy entry's id; its weights now mount at {mount!r} "
                "(use that path where this loads them)",
            )
