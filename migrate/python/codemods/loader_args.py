"""W105, W111-W115, W125, W126: the id of a repository the truss mounts, where code loads it.

It becomes the mount location where the loader table knows the slot takes a folder, or where a
Hub call only fetches a file or folder the mount holds; everywhere else it is reported, on every
run, as a site that still downloads. The id is followed back through names assigned once and
reads of the truss's config (values.py); a read of the config becomes a read of the entry's
`mount_location` (W125) where the config object can be written there.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..findings import END, REWRITE
from ..imports import DroppedImport
from ..survey import Argument, Call, Patterns, post, pre
from ..syntax import StringPiece, Where, string_value
from ..values import Held, Holder, Origin
from .base import Codemod, cst, literal

if TYPE_CHECKING:
    from .rewrite import Rewrite

HUB_ARGS = {"snapshot_download": ("repo_id",), "hf_hub_download": ("repo_id", "filename")}


@dataclass(frozen=True)
class Mount:
    """An argument (by its place in the call) whose id becomes the mount location: the path as a
    literal, or (code) a read of the entry's `mount_location` from the config."""

    index: int
    mount: str
    code: str | None = None


@dataclass(frozen=True)
class Replace:
    """An expression (a read of the config, or a whole Hub call) replaced by new code."""

    code: str


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


def _read_key(node: ast.Subscript | ast.Call) -> str | None:
    """The key X["key"] or X.get("key", ...) reads (None for any other node)."""
    if isinstance(node, ast.Subscript):
        return string_value(node.slice)
    if isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return string_value(node.args[0]) if node.args else None
    return None


class LoaderArguments(Codemod):
    """Legacy HF ids at loader, Hub API and other arguments, and in module constants."""

    CODES: ClassVar[tuple[str, ...]] = ("W105", "W111", "W112", "W113", "W114", "W115", "W125", "W126")

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
        self.held_values: set[int] = set()  # values of names assigned once that code reads: their reads count
        self.rewritten: set[int] = set()  # origins rewritten once, where they are made
        self.follow_values()
        for item in survey.events():
            if isinstance(item, StringPiece):
                self.string(item)
            elif id(item.node) not in survey.protected:
                self.arguments(item)
        for where, place, repo_id in self.pending.values():
            mount = self.legacy_ids[repo_id]
            message = (
                f"{repo_id!r} left in code: the truss mounts this repository at {mount!r} "
                "(use that path where this loads it)"
            )
            survey.report_at(where, (END, place, self.rule), "W115", message, survey.own(repo_id))
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
            code, why = self.mounted_why(data)
            message = f"{data!r} -> {mount!r}: every use of {constant} loads it, and {why}"
            survey.report_at(piece.where, (REWRITE, post(piece.node), self.rule), code, message)
            survey.site(data, "mount", piece.where[0], code)
        elif id(piece.node) in survey.inert or id(piece.node) in self.held_values or id(piece.node) in self.served:
            return
        elif data in self.legacy_ids and id(piece.node) not in survey.sources and constant not in survey.used_constants:
            key = id(piece.node) if survey.single(piece) else id(piece)
            self.pending[key] = (piece.where, post(piece.node), data)

    def arguments(self, call: Call) -> None:
        """A legacy HF repo id passed to a call: rewritten where the call is known to take a folder there."""
        survey = self.survey
        if id(call.node) in survey.inert:
            return
        mounts: list[Mount] = []
        for i, argument in enumerate(call.arguments):
            repo_id, constant = self.legacy_id_of(argument.value)
            if repo_id is None and not self.may_hold(argument.value):
                continue
            if repo_id is None:
                held = survey.values.held(argument.value, sizes=id(argument.value) in survey.sized)
                if held is not None and self.followed(call, i, argument, held, mounts):
                    return
                continue
            if constant in survey.rewritten_constants:
                continue
            self.pending.pop(id(argument.value), None)
            mount = self.legacy_ids[repo_id]
            slot = survey.loader_slot(argument.value)
            if slot == "hub":
                self.hub_call(call, repo_id, constant)
                return
            line = survey.where(argument.node)[0]
            if slot == "loader" and not survey.loads_whole_repo(repo_id):
                verified = self.filtered(call, argument, repo_id, repr(repo_id))
                if verified is not None:
                    mounts.append(Mount(i, mount))
                    survey.site(repo_id, "mount", line, "W127")
            elif slot == "loader":
                mounts.append(Mount(i, mount))
                survey.site(repo_id, "mount", line, "W105")
                self.report(
                    argument.node,
                    "W105",
                    f"{repo_id!r} -> {mount!r}: the truss mounts its weights there",
                )
            else:
                self.not_a_folder(argument, repo_id)
        if mounts:
            self.edit("Call", call.node, tuple(mounts))
            for replaced in mounts:
                survey.imports.take(call.arguments[replaced.index].value)

    def filtered(
        self, call: Call, argument: Argument, repo_id: str, named: str, report_only: bool = False
    ) -> str | None:
        """A loader given the id of a filtered mount: the commit at which --hub found every file it reads
        in the mount (W127, the caller rewrites it), else None and W112, saying what is missing if known."""
        from .. import hub_check  # only a filtered mount's loader asks it: not loaded by every run

        survey = self.survey
        mounted = survey.mounted[repo_id]
        line = survey.where(argument.node)[0]
        found = survey.context.listing(repo_id, mounted.revision) if survey.context.hub else None
        verdict = hub_check.check(found, call.names, call.node, mounted.patterns)
        if verdict.commit is not None and not report_only:
            message = (
                f"{named} -> {mounted.mount_location!r}: the mount holds every file this {verdict.family} reads "
                f"(--hub, verified at commit {verdict.commit})"
            )
            self.report(argument.node, "W127", message, of_rewrite=survey.own(repo_id))
            return verdict.commit
        survey.site(repo_id, "hub", line, "W112")
        why = verdict.why or "pass --trust-patterns if the patterns keep every file it loads, or --hub to check"
        message = (
            f"loader left: {named} mounts at {mounted.mount_location!r} filtered by {_describe(mounted.patterns)}, "
            f"so it still downloads from the Hub; {why}"
        )
        self.report(argument.node, "W112", message, of_rewrite=survey.own(repo_id))
        return None

    def verifiable(self, held: Held) -> bool:
        """Whether a filtered loader's argument can be rewritten once --hub verifies it: an origin the
        mount location can be written for (a read of the old block only where the loader takes it)."""
        return not held.origin.block or not held.holders

    def may_hold(self, value: ast.expr) -> bool:
        """Whether an argument can hold an id follow_values did not already find: a literal (a size
        name), or any value where a size name is taken; the others it found wait in pending."""
        return id(value) in self.pending or id(value) in self.survey.sized or isinstance(value, ast.Constant)

    def not_a_folder(self, argument: Argument, repo_id: str) -> None:
        survey = self.survey
        why = survey.why_not.get(id(argument.value), "this argument is not one the loader table knows to take a folder")
        survey.site(repo_id, "hub", survey.where(argument.node)[0], "W114")
        message = f"{repo_id!r} left: {why}; the truss mounts it at {self.legacy_ids[repo_id]!r}"
        self.report(argument.node, "W114", message, of_rewrite=survey.own(repo_id))

    # -- ids followed through names and reads of the config

    def follow_values(self) -> None:
        """What the names assigned once hold, followed forward from where ids are made (a literal, a
        read of the config or of the old block, a constant's read): a value held by a name counts at
        the name's reads, which wait (W115) until a call takes them; a read held by nothing waits itself."""
        survey = self.survey
        queue = deque(self.starts())
        seen: set[int] = set()
        while queue:
            node = queue.popleft()
            if id(node) in seen or id(node) in survey.inert or id(node) in survey.sources:
                continue
            seen.add(id(node))
            holder = self.holder_of(node)
            if holder is None or holder.kind == "constant":
                origin = (
                    survey.values.origin(node, sizes=False) if isinstance(node, (ast.Subscript, ast.Call)) else None
                )
                if origin is not None and origin.read:
                    self.pending[id(node)] = (survey.where(node), post(node), origin.repo_id)
                continue
            held = survey.values.held(node)
            if held is None:
                continue
            self.held_values.add(id(node))
            for use in holder.uses:
                if id(use) not in survey.inert and id(use) not in survey.sources:
                    self.pending[id(use)] = (survey.where(use), post(use), held.origin.repo_id)
                    queue.append(use)
        for key in self.held_values:  # a held value counts at its holder's reads, not where it is
            self.pending.pop(key, None)

    def starts(self) -> list[ast.expr]:
        """Where the module's ids are made: literals of them, reads of the config by a key that holds
        one (or the old block's `repo_id`), and the reads of constants that hold one."""
        survey = self.survey
        keys = {value.keys[-1] for value in survey.context.config_values} | {"repo_id"}
        found: list[ast.expr] = [
            piece.node
            for piece in survey.strings()
            if isinstance(piece.node, ast.expr)
            and not piece.formatted
            and piece.value in self.legacy_ids
            and survey.single(piece)
        ]
        found += sorted((node for node in survey.of_type(ast.Subscript, ast.Call) if _read_key(node) in keys), key=pre)
        found += survey.accesses_in_order()
        return found

    def holder_of(self, node: ast.expr) -> Holder | None:
        """The name assigned once whose whole value node is, when code reads it."""
        statement = self.survey.statement_of(node)
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not node:
            return None
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        holder = self.survey.values.holder(targets[0]) if len(targets) == 1 else None
        return holder if holder is not None and holder.uses else None

    def terminals(self, node: ast.expr, depth: int = 0) -> list[ast.expr]:
        """Where a value ends up: node itself, or the reads of each name it is assigned to."""
        statement = self.survey.statement_of(node)
        if depth > 8 or not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is not node:
            return [node]
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        holder = self.survey.values.holder(targets[0]) if len(targets) == 1 else None
        if holder is None:
            return [node]
        return [end for use in holder.uses for end in self.terminals(use, depth + 1)]

    def all_load(self, held: Held) -> bool:
        """Whether every place the origin's value ends up is a loader's slot for a folder (a size
        name: one that takes a size name), the mount holding the whole repository."""
        survey = self.survey
        ends = self.terminals(held.origin.node)
        sized = held.origin.size
        return bool(ends) and all(
            survey.loader_slot(end) == "loader"
            and (not sized or id(end) in survey.sized)
            and survey.loads_whole(held.origin.repo_id, end)
            for end in ends
        )

    def followed(self, call: Call, i: int, argument: Argument, held: Held, mounts: list[Mount]) -> bool:
        """An id reached through a name or a read of the config (or a size name): rewritten as a literal
        of it would be, where that can be written; else reported. True when the whole call is decided."""
        survey, origin = self.survey, held.origin
        self.pending.pop(id(argument.value), None)
        slot = survey.loader_slot(argument.value)
        line = survey.where(argument.node)[0]
        if slot == "hub":
            self.followed_hub(call, held)
            return True
        if slot != "loader":
            self.decide_block(origin, "literal")
            self.not_a_folder(argument, origin.repo_id)
            return False
        if not survey.loads_whole_repo(origin.repo_id) and not self.verifiable(held):
            self.decide_block(origin, "literal")
            self.filtered(call, argument, origin.repo_id, self.named(held), report_only=True)
            return False
        if origin.block and not survey.loads_whole_repo(origin.repo_id):  # read at the loader: --hub verified it
            if self.filtered(call, argument, origin.repo_id, self.named(held)) is None:
                self.decide_block(origin, "literal")
                return False
            self.decide_block(origin, "mount")
            survey.site(origin.repo_id, "mount", line, "W127")
            return False
        if origin.block:
            self.followed_block(i, argument, held, mounts, line)
            return False
        if origin.node is not argument.value and self.all_load(held) and self.at_origin(held):
            return False
        verified = None
        if not survey.loads_whole_repo(origin.repo_id):
            verified = self.filtered(call, argument, origin.repo_id, self.named(held))
            if verified is None:
                return False
        edit = self.at_argument(i, argument, held)
        if edit is not None:
            mounts.append(edit)
            if verified is None:
                self.report_mount(argument.node, held, edit.code, line)
            else:
                survey.site(origin.repo_id, "mount", line, "W127")
            return False
        survey.site(origin.repo_id, "hub", line, "W126")
        through = held.holders[0].name if held.holders else survey.source.segment(origin.root or origin.node)
        message = (
            f"loader left: it is given {self.named(held)} through {through}, which cannot be written here as "
            f"the mount location {self.legacy_ids[origin.repo_id]!r}"
        )
        self.report(argument.node, "W126", message, of_rewrite=survey.own(origin.repo_id))
        return False

    def followed_block(self, i: int, argument: Argument, held: Held, mounts: list[Mount], line: int) -> None:
        """X["model_cache"][i]["repo_id"] where a loader takes the whole mount: read as the entry's mount
        location where every place it ends up loads (Subscripts writes it, W106); else it becomes the
        id and this argument the mount location."""
        origin = held.origin
        if not held.holders or self.all_load(held):
            self.decide_block(origin, "mount")
            self.survey.site(origin.repo_id, "mount", line, "W106")
            return
        self.decide_block(origin, "literal")
        mounts.append(Mount(i, self.legacy_ids[origin.repo_id]))
        self.report_mount(argument.node, held, None, line)

    def at_argument(self, i: int, argument: Argument, held: Held) -> Mount | None:
        """The argument replaced by the mount location: a literal, or a read of the config's entry."""
        origin, mount = held.origin, self.legacy_ids[held.origin.repo_id]
        if not origin.read:
            return Mount(i, mount)
        code = self.mount_read(origin, argument.value)
        return Mount(i, mount, code) if code is not None else None

    def at_origin(self, held: Held) -> bool:
        """The value rewritten once where it is made (every place it ends up loads): a literal becomes
        the mount location, a read of the config reads the entry's mount location."""
        origin, survey = held.origin, self.survey
        if id(origin.node) in self.rewritten:
            return True
        if origin.block:
            return False  # read through a name: it becomes the id (Subscripts), its loaders are not followed
        if not origin.read:
            if not isinstance(origin.node, ast.Constant):
                return False
            pieces = survey.pieces(origin.node)
            if len(pieces) != 1 or pieces[0].formatted:
                return False
            self.rewritten.add(id(origin.node))
            survey.claimed.add(pieces[0].where)
            self.edit_at("SimpleString", pieces[0].where, NewString(self.legacy_ids[origin.repo_id]), origin.node)
            self.report_mount(origin.node, held, None, survey.where(origin.node)[0])
            return True
        code = self.mount_read(origin, origin.node)
        if code is None:
            return False
        self.rewritten.add(id(origin.node))
        self.edit(type(origin.node).__name__, origin.node, Replace(code))
        self.report_mount(origin.node, held, code, survey.where(origin.node)[0])
        return True

    def mount_read(self, origin: Origin, at: ast.AST) -> str | None:
        """`config["weights"][i]["mount_location"]`, the config written as it means the same at `at`."""
        if origin.root is None or origin.entry is None:
            return None
        root = self.survey.values.spelled_at(origin.root, at)
        if root is None:
            return None
        quote = "'" if "['" in self.survey.source.segment(origin.node) else '"'
        return f"{root}[{quote}weights{quote}][{origin.entry}][{quote}mount_location{quote}]"

    def report_mount(self, node: ast.AST, held: Held, code: str | None, line: int) -> None:
        origin, survey = held.origin, self.survey
        mount = self.legacy_ids[origin.repo_id]
        kind, why = self.mounted_why(origin.repo_id)
        survey.site(origin.repo_id, "mount", line, kind if kind == "W127" else self.code_of(held))
        if code is not None:
            before = survey.source.segment(origin.node)
            message = f"{before} -> {code}: the truss mounts {origin.repo_id!r} at {mount!r}"
            self.report(node, "W125" if kind == "W105" else kind, message if kind == "W105" else f"{message}; {why}")
            return
        if held.holders and node is held.origin.node:
            message = f"every use of {held.holders[0].name} loads it, and {why}"
        else:
            message = why
        self.report(node, kind, f"{self.named(held)} -> {mount!r}: {message}")

    def mounted_why(self, repo_id: str) -> tuple[str, str]:
        """W105 where the mount holds the whole repository (or the user vouches); else W127, which only
        --hub's verification of every loader reached gets to."""
        if self.survey.loads_whole_repo(repo_id):
            return "W105", "the truss mounts its weights there"
        return "W127", "the mount holds every file each loader there reads (--hub, verified against its listing)"

    def code_of(self, held: Held) -> str:
        return "W125" if held.origin.read and not held.origin.block else "W105"

    def named(self, held: Held) -> str:
        """The id as the code gives it (a size name with the repository it stands for)."""
        origin = held.origin
        if origin.size:
            data = string_value(origin.node) or self.survey.values.config_value(origin.node)
            return f"{data!r} (faster-whisper's name for {origin.repo_id!r})"
        return repr(origin.repo_id)

    def decide_block(self, origin: Origin, what: str) -> None:
        """What a read of the old block becomes (Subscripts writes it): the first decision holds."""
        if origin.block:
            self.survey.block_reads.setdefault(id(origin.node), what)

    def followed_hub(self, call: Call, held: Held) -> None:
        """A Hub call given an id through a name or a read: replaced by the path it returned (a read of
        the config: only snapshot_download(<id>), by the mount location's read), else reported."""
        survey, origin = self.survey, held.origin
        if not origin.read:
            self.hub_call(call, origin.repo_id, None)
            return
        name = next(iter(sorted(call.names)), "")
        function = name.rsplit(".", 1)[-1]
        code = self.mount_read(origin, call.node) if origin.block or not held.holders else None
        only = call.arguments[0] if len(call.arguments) == 1 else None
        plain = only is not None and not only.star and only.keyword in (None, "repo_id")
        if function == "snapshot_download" and plain and survey.loads_whole_repo(origin.repo_id) and code is not None:
            self.decide_block(origin, "call")
            func = call.node.func
            if isinstance(func, ast.Name) and name:
                asname = func.id if func.id != function else None
                survey.imports.dropped.append(DroppedImport(name.rsplit(".", 1)[0], function, asname))
            survey.imports.take(call.node)
            self.edit("Call", call.node, Replace(code))
            survey.site(origin.repo_id, "mount", call.where[0], "W111")
            message = f"{function}(...) -> {code}: the repository's files are at its mount location"
            self.report(call.node, "W111", message)
            return
        self.decide_block(origin, "literal")
        survey.site(origin.repo_id, "hub", call.where[0], "W113")
        mount = self.legacy_ids[origin.repo_id]
        self.report(
            call.node,
            "W113",
            f"{function or 'Hub API'}(...) left: it takes a repo id, never a folder; the weights of "
            f"{origin.repo_id!r} now mount at {mount!r}",
            of_rewrite=survey.own(origin.repo_id),
        )

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
                of_rewrite=survey.own(repo_id),
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
            call.node, "W111", f"{function}(...) -> {result!r}: the repository's files are at its mount location"
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
        if isinstance(payload, Replace):
            return cst.parse_expression(payload.code)
        if not isinstance(payload, tuple) or not isinstance(updated, cst.Call):
            return updated
        args = list(updated.args)
        for mount in payload:
            value = args[mount.index].value
            like = value if isinstance(value, cst.SimpleString) else None
            new = cst.parse_expression(mount.code) if mount.code else literal(mount.mount, like)
            args[mount.index] = args[mount.index].with_changes(value=new)
        return rewrite.fit(original, updated.with_changes(args=args))

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return literal(payload.data, original) if isinstance(payload, NewString) else updated

    def edit_subscript(
        self, rewrite: Rewrite, original: cst.Subscript, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        return cst.parse_expression(payload.code) if isinstance(payload, Replace) else updated
