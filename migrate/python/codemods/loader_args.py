"""W105, W111-W115: a legacy entry's repo id where code loads it.

It becomes the mount location where the loader table knows the slot takes a folder, or where a
Hub call only fetches a file or folder the mount holds; everywhere else it is reported.
"""

from __future__ import annotations

import ast
import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..findings import END, REWRITE
from ..imports import DroppedImport
from ..survey import Call, Patterns, post
from ..syntax import StringPiece, Where, string_value
from .base import Codemod, cst, literal

if TYPE_CHECKING:
    from .rewrite import Rewrite

HUB_ARGS = {"snapshot_download": ("repo_id",), "hf_hub_download": ("repo_id", "filename")}


@dataclass(frozen=True)
class Mount:
    """An argument (by its place in the call) whose legacy id becomes the mount location."""

    index: int
    mount: str


@dataclass(frozen=True)
class HubPath:
    """A Hub call replaced by the path it returned."""

    path: str


@dataclass(frozen=True)
class NewString:
    """A string literal replaced by another (in its quote style)."""

    data: str


def _passes(path: str, patterns: Patterns) -> bool:
    """Whether a file is in an entry's mount: its allow/ignore lists as planned (`weight`), read by the
    matcher that filtered a legacy entry before, huggingface_hub's (fnmatch, a last `/` read as `/*`);
    under it the planned lists select exactly what the old ones did."""
    allow, ignore = patterns.get("allow_patterns"), patterns.get("ignore_patterns", [])
    if allow is not None and not any(_hub_selects(path, p) for p in allow):
        return False
    return not any(_hub_selects(path, p) for p in ignore)


def _hub_selects(path: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern + "*" if pattern.endswith("/") else pattern)


def _describe(patterns: Patterns) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in patterns.items())


class LoaderArguments(Codemod):
    """Legacy HF ids at loader, Hub API and other arguments, and in module constants."""

    CODES: ClassVar[tuple[str, ...]] = ("W105", "W111", "W112", "W113", "W114", "W115")

    def decide(self) -> None:
        survey = self.survey
        self.legacy_ids = survey.legacy_ids()
        # legacy ids in code not yet rewritten or reported: the node (or piece) -> where it is, its id
        self.pending: dict[int, tuple[Where, tuple[int, ...], str]] = {}
        if not self.legacy_ids:
            return
        self.served = survey.served_elements()  # a server's argument: its own rule (W124) reports it
        for name in survey.accesses_in_order():
            if id(name) in survey.inert:
                continue
            if id(name) not in survey.sources and name.id not in survey.rewritten_constants:
                self.pending[id(name)] = (survey.where(name), post(name), survey.constants[name.id])
        for item in survey.events():
            if isinstance(item, StringPiece):
                self.string(item)
            elif id(item.node) not in survey.protected:
                self.arguments(item)
        for where, place, repo_id in self.pending.values():
            mount = self.legacy_ids[repo_id]
            message = (
                f"{repo_id!r} left in code: a legacy entry's id; its weights now mount at {mount!r} "
                "(use that path where this loads them)"
            )
            survey.report_at(where, (END, place, self.rule), "W115", message)
            survey.site(repo_id, "hub", where[0], "W115")

    def string(self, piece: StringPiece) -> None:
        """A legacy id held in a constant every use of which loads it changes there; other ids wait for W115."""
        survey, data = self.survey, piece.value
        if not isinstance(data, str):
            return
        constant = survey.constant_of(piece)
        if constant in survey.rewritten_constants:
            mount = self.legacy_ids[data]
            survey.claimed.add(piece.where)
            self.edit_at("SimpleString", piece.where, NewString(mount), piece.node)
            message = (
                f"{data!r} -> {mount!r}: every use of {constant} loads the legacy entry's weights, "
                "from its mount location now"
            )
            survey.report_at(piece.where, (REWRITE, post(piece.node), self.rule), "W105", message)
            survey.site(data, "mount", piece.where[0], "W105")
        elif id(piece.node) in survey.inert or id(piece.node) in self.served:
            return
        elif data in self.legacy_ids and id(piece.node) not in survey.sources and constant not in survey.used_constants:
            key = id(piece.node) if survey.single(piece) else id(piece)
            self.pending[key] = (piece.where, post(piece.node), data)

    def arguments(self, call: Call) -> None:
        """A legacy HF repo id passed to a call: rewritten where the call is known to take a folder there."""
        survey = self.survey
        if id(call.node) in survey.inert:
            return
        mounts = []
        for i, argument in enumerate(call.arguments):
            repo_id, constant = self.legacy_id_of(argument.value)
            if repo_id is None or constant in survey.rewritten_constants:
                continue
            self.pending.pop(id(argument.value), None)
            mount = self.legacy_ids[repo_id]
            slot = survey.loader_slot(argument.value)
            if slot == "hub":
                self.hub_call(call, repo_id, constant)
                return
            line = survey.where(argument.node)[0]
            if slot == "loader" and not survey.loads_whole_repo(repo_id):
                patterns = _describe(survey.mounted[repo_id].patterns)
                survey.site(repo_id, "hub", line, "W112")
                self.report(
                    argument.node,
                    "W112",
                    f"loader left: {repo_id!r} mounts at {mount!r} filtered by {patterns}, so it still downloads "
                    "from the Hub; pass --trust-patterns if the patterns keep every file it loads",
                )
            elif slot == "loader":
                mounts.append(Mount(i, mount))
                survey.site(repo_id, "mount", line, "W105")
                self.report(
                    argument.node,
                    "W105",
                    f"{repo_id!r} -> {mount!r}: a legacy entry's weights load from its mount location",
                )
            else:
                survey.site(repo_id, "hub", line, "W114")
                self.report(
                    argument.node,
                    "W114",
                    f"{repo_id!r} left: this argument is not one the loader table knows to take a folder; "
                    f"the weights now mount at {mount!r}",
                )
        if mounts:
            self.edit("Call", call.node, tuple(mounts))
            for replaced in mounts:
                survey.imports.take(call.arguments[replaced.index].value)

    def legacy_id_of(self, node: ast.expr) -> tuple[str | None, str | None]:
        """The legacy id an argument holds (a literal or a module constant), and the constant's name."""
        data = string_value(node)
        constant = None
        if data is None and isinstance(node, ast.Name):
            data, constant = self.survey.constant(node), node.id
        return (data, constant) if data in self.legacy_ids else (None, None)

    def hub_call(self, call: Call, repo_id: str, constant: str | None) -> None:
        """snapshot_download(<id>) is the snapshot folder: the mount. hf_hub_download(<id>, F) is a file in it."""
        survey = self.survey
        mount = self.legacy_ids[repo_id]
        name = next(iter(sorted(call.names)), "")
        function = name.rsplit(".", 1)[-1]
        path, why = self.hub_path(call, function, survey.mounted[repo_id].patterns)
        if path is not None and constant in survey.used_constants and survey.constant_uses(constant or "") == 1:
            path, why = None, f"its repo id is the constant {constant}, which nothing else would use"
        if path is None:
            survey.site(repo_id, "hub", call.where[0], "W113")
            self.report(
                call.node,
                "W113",
                f"{function or 'Hub API'}(...) left: it takes a repo id, never a folder ({why}); "
                f"the weights of {repo_id!r} now mount at {mount!r}",
            )
            return
        result = mount + ("/" + path if path else "")
        func = call.node.func
        if isinstance(func, ast.Name) and name:  # the import may have lost its last use
            asname = func.id if func.id != function else None
            survey.imports.dropped.append(DroppedImport(name.rsplit(".", 1)[0], function, asname))
        survey.imports.take(call.node)
        self.edit("Call", call.node, HubPath(result))
        survey.site(repo_id, "mount", call.where[0], "W111")
        self.report(
            call.node, "W111", f"{function}(...) -> {result!r}: the legacy entry's files are at its mount location"
        )

    def hub_path(self, call: Call, function: str, patterns: Patterns) -> tuple[str | None, str]:
        """The path under the mount a Hub call returns ("" for the folder), or None and why not."""
        if function not in HUB_ARGS:
            return None, "no local equivalent is known"
        positional = HUB_ARGS[function]
        values: dict[str, str] = {}  # the arguments besides repo_id, which is the legacy id
        for i, argument in enumerate(call.arguments):
            if argument.star:
                return None, "a * or ** argument"
            key = argument.keyword or (positional[i] if i < len(positional) else None)
            if key == "repo_id":
                continue
            value = string_value(argument.value) if key is not None else None
            if key is None or value is None:
                segment = self.survey.source.segment(argument.value)
                return None, f"an argument whose effect cannot be reproduced: {segment}"
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

    # -- the rewrite

    def edit_call(
        self, rewrite: Rewrite, original: cst.Call, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if isinstance(payload, HubPath):
            return literal(payload.path)
        if not isinstance(payload, tuple) or not isinstance(updated, cst.Call):
            return updated
        args = list(updated.args)
        for mount in payload:
            value = args[mount.index].value
            like = value if isinstance(value, cst.SimpleString) else None
            args[mount.index] = args[mount.index].with_changes(value=literal(mount.mount, like))
        return rewrite.fit(original, updated.with_changes(args=args))

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return literal(payload.data, original) if isinstance(payload, NewString) else updated
