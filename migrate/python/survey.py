"""The survey: the module read once with `ast`, and what every rule needs to know of it.

String constants, the calls and the slots of their arguments (a truss construct's source, a folder
in the loader table, a Hub repo id, or anything else), the ModelRepo calls and their plans, what
flows into which Assets / ModelCache / TrussConfig call, and the legacy ids held in constants.
The registry's codemods decide from this what to rewrite and what to report; nothing is edited
here, and a module the rules leave as it is is never parsed by libcst.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, NamedTuple, TypeVar

from ..core import mapping, serve
from ..core.context import Context
from ..core.entry import UNCHANGED, EntryPlan, PatternList, Site, TrussEntry, revision_of
from ..core.keys import BLOCK_KEYS, followed
from ..core.mapping import PATTERN_KEYS, names_path
from . import loader_table
from .findings import REWRITE, SURVEY, SURVEY_END, Findings, Order
from .imports import ImportChanges
from .syntax import (
    Binding,
    FText,
    Scopes,
    Source,
    StringPiece,
    Where,
    children,
    fstring_parts,
    string_pieces,
    string_value,
)
from .values import Values

CodemodT = TypeVar("CodemodT")
# What an argument's slot takes: a truss construct's source, a folder (loader table), a Hub repo id, or unknown
Slot = Literal["source", "loader", "hub", "other"]
RENAMED_CALLS = {"ModelRepo": "WeightsSource", "ModelCache": "Weights"}
RENAMED_KEYWORDS = {"Assets": ("cached", "weights"), "TrussConfig": ("model_cache", "weights")}
KIND_MEMBERS = {"HF": "hf", "GCS": "gcs", "S3": "s3", "AZURE": "azure"}
# Keys whose value the mapping only passes through: an expression there can stay as written.
# Not the pattern lists: the mapping rewrites their patterns, so it must know them.
OPAQUE: dict[str, object] = {"runtime_secret_name": "secret"}
PLACEHOLDER_ID = "placeholder-org/placeholder-name"
Patterns = dict[str, list[str]]  # allow_patterns / ignore_patterns of an entry -> the patterns


@dataclass(frozen=True)
class Mounted:
    """A Hugging Face repository the truss mounts, which code may still load by id: where, and filtered how."""

    repo_id: str
    mount_location: str
    patterns: Patterns
    index: int | None = None  # its entry in the truss's config; None: a ModelRepo of this module
    revision: str = ""  # the revision it mounts ("": the default branch)


@dataclass(frozen=True)
class Argv:
    """A list or tuple of string literals that runs a model server (a process's arguments), and the
    ids the truss mounts that it gives the server."""

    node: ast.List | ast.Tuple
    values: list[str]
    served: list[serve.Served]  # their places are in the values joined by NUL (serve.joined)

    def element(self, found: serve.Served) -> int:
        """Which value holds a served id."""
        return serve.joined(self.values)[: found.start].count("\0")


class Unresolved(Exception):
    """An argument of a ModelRepo call whose value the survey cannot know."""


class Argument(NamedTuple):
    """One argument of a call, in the order of the source (as libcst lists them). (A named tuple: a
    module has thousands, and a frozen dataclass costs three times as much to make.)"""

    keyword: str | None
    star: str  # "", "*" or "**"
    value: ast.expr
    node: ast.AST  # what its position is read from: the keyword, or the value


@dataclass
class Call:
    """A call, with what its callee is and what each of its argument slots takes."""

    node: ast.Call
    where: Where
    names: set[str]  # the callee's qualified names
    truss: str | None  # the qualified name that comes from truss or truss_chains, if any
    arguments: list[Argument]

    @property
    def short(self) -> str | None:
        return self.truss.rsplit(".", 1)[-1] if self.truss else None

    def argument(self, keyword: str) -> Argument | None:
        return next((a for a in self.arguments if a.keyword == keyword), None)


def truss_name(names: set[str]) -> str | None:
    """The qualified name that comes from truss or truss_chains, if any."""
    for name in sorted(names):
        if name.split(".")[0] in ("truss", "truss_chains"):
            return name
    return None


def patterns_of(plan: EntryPlan) -> Patterns:
    return {k: plan.weight[k] for k in ("allow_patterns", "ignore_patterns") if k in plan.weight}


def _mounted(entry: TrussEntry) -> Mounted:
    return Mounted(entry.repo_id or "", entry.mount_location, dict(entry.patterns), entry.index, entry.revision)


class Survey:
    """Reads the module: string constants, calls and slots, ModelRepo calls and what they become."""

    CODES = ("W107", "W110", "W116", "W117", "W118", "W123")

    def __init__(self, text: str, tree: ast.Module, context: Context) -> None:
        self.source, self.tree = Source(text), tree
        self.scopes = Scopes(tree, declarations="global" in text or "nonlocal" in text)
        self.context, self.trust_patterns = context, context.trust_patterns
        self.entries = {e.index: e for e in context.truss}  # the truss's entries by their place in the config
        # legacy HF repo id -> its plan: the config's entries, then the ModelRepo calls this module rewrites
        self.mounted = {e.repo_id: _mounted(e) for e in followed(context.truss) if e.repo_id is not None}
        self.findings = Findings()
        self.constants: dict[str, str] = {}
        self.constant_nodes: dict[str, ast.expr] = {}  # name -> its one assigned value
        self.rewritten_constants: set[str] = set()  # legacy ids changed once, at their definition
        self.used_constants: set[str] = set()  # legacy-id constants some code reads
        self.accesses: set[int] = set()  # ids of the Name nodes that read them
        self.slots: dict[int, Slot] = {}  # id(argument value) -> what its slot is
        self.calls: dict[int, Call] = {}  # id(call) -> the call
        self.repos: dict[int, EntryPlan] = {}  # ModelRepo calls to rewrite
        self.containers: dict[int, str] = {}  # ModelCache / Assets / TrussConfig calls -> which
        self.all_repos: list[Call] = []  # every ModelRepo call
        self.failed: set[int] = set()  # ModelRepo calls that cannot be planned
        self.flowing: dict[int, int] = {}  # ModelRepo -> the container it flows into
        self.changeable: set[int] = set()  # containers that change with their entries
        self.blocked: set[int] = set()  # containers holding a ModelRepo that stays
        self.held: set[int] = set()  # containers whose object has its old key read later (W123), with their entries
        self.with_secret: set[int] = set()  # containers whose chainlet declares hf_access_token
        self.opaque_ids: set[int] = set()  # ModelRepo calls whose HF repo_id is an expression
        self.protected: set[int] = set()  # ModelRepo / WeightsSource calls: a repo id there is the source
        self.sources: set[int] = set()  # ids of the nodes inside such calls
        self.claimed: set[Where] = set()  # string literals a rule rewrites: the rules after it leave them
        self._strings: list[StringPiece] | None = None
        self._argvs: list[Argv] | None = None
        self._pieces: dict[int, list[StringPiece]] = {}
        self.moves: dict[str, str] = {}  # old location -> new mount location (--mount-root)
        self.rules: list[Any] = []  # the registry's codemods, in order, once they decide
        self.imports = ImportChanges()  # what the rules' edits do to the imports
        self.sites: list[Site] = []  # where the module loads the truss's entries from
        self.why_not: dict[int, str] = {}  # id(argument value) -> why a loader's slot takes no folder here
        self.sized: set[int] = set()  # ids of argument values a loader also takes a faster-whisper size name at
        self.block_reads: dict[int, str] = {}  # id(X["model_cache"][i]["repo_id"]) -> "mount", "literal" or "call"
        self.argument_calls: dict[int, Call] = {}  # id(argument value) -> its call
        self._verified: dict[tuple[str, int], str | None] = {}  # --hub, per (repository, call): the commit or None
        self.inert: set[int] = set()  # ids of the nodes inside a print or logging call: an id there loads nothing
        self._parents: dict[int, ast.AST] | None = None

    # -- reading

    @cached_property
    def values(self) -> Values:
        return Values(self)

    def of_type(self, *kinds: type[ast.AST]) -> list[Any]:
        """The module's nodes of these types (those of one type in the order the scopes were read)."""
        typed = self.scopes.typed
        return [node for kind in kinds for node in typed.get(kind, ())]

    def read(self) -> None:
        self._constants()
        found = self.of_type(ast.Call)
        found += [n for n in self.of_type(ast.Attribute) if n.attr == "model_cache"]
        for node in sorted(found, key=pre):
            if isinstance(node, ast.Call):
                self._call(node)
                if id(node) not in self.inert and self._is_inert(node):
                    self.inert.update(id(n) for n in ast.walk(node))
            else:
                self.report(node, "W118", _ATTRIBUTE, SURVEY)
        self._follow_containers()
        self._decide_constants()

    def report(
        self, node: ast.AST, code: str, message: str, phase: int, rule: int = 0, of_rewrite: bool = False
    ) -> None:
        order: Order = (phase, post(node) if phase == REWRITE else pre(node), rule)
        self.findings.report(self.where(node), code, message, order, of_rewrite)

    def statement_of(self, node: ast.AST) -> ast.stmt:
        """The innermost statement holding node (a compound one when node is in its header)."""
        if isinstance(node, ast.stmt):
            return node
        key = _span(node)
        body: list[ast.stmt] = self.tree.body
        found: ast.stmt | None = None
        while True:
            holding = next((s for s in body if _contains(_span(s), key)), None)
            if holding is None:
                break
            found = holding
            inner = [s for name in _BODIES for s in getattr(holding, name, ())]
            inner += [s for h in getattr(holding, "handlers", ()) for s in h.body]
            inner += [s for c in getattr(holding, "cases", ()) for s in c.body]
            body = [s for s in inner if isinstance(s, ast.stmt)]
        if found is None:
            raise ValueError("a node outside every statement")
        return found

    def site(self, repo_id: str, loaded_from: str, line: int, code: str | None) -> None:
        """A place that loads a repository the truss mounts: from its mount, or from the Hub by id."""
        mounted = self.mounted.get(repo_id)
        if mounted is not None and mounted.index is not None:
            self.sites.append(Site(mounted.index, loaded_from, line, code))

    def mount_reads(self) -> None:
        """Where the module reads a truss entry's mount location (see mount_sites)."""
        nodes = self.of_type(ast.Call, ast.Subscript)  # the strings given, mount_sites reads only these
        self.sites += mount_sites(self.source, nodes, self.context, self.moves, self.strings())

    def report_at(self, where: Where, order: Order, code: str, message: str, of_rewrite: bool = False) -> None:
        self.findings.report(where, code, message, order, of_rewrite)

    def own(self, repo_id: str) -> bool:
        """Whether only this module's rewritten ModelRepo mounts the id (not its truss's config)."""
        mounted = self.mounted.get(repo_id)
        return mounted is not None and mounted.index is None

    def where(self, node: ast.AST) -> Where:
        return self.source.where(node)

    # -- the strings, and the walk the rewrite takes

    def pieces(self, node: ast.AST) -> list[StringPiece]:
        """The literals one string expression is written as."""
        found = self._pieces.get(id(node))
        if found is None:
            found = self._pieces[id(node)] = string_pieces(self.source, node)
        return found

    def fstring_texts(self, piece: StringPiece, moved: bool = True) -> list[FText | None]:
        """An f-string's raw text parts (None for each expression), with their paths moved (W008) if moved."""
        parts = fstring_parts(self.source.text, piece.piece)
        if not (moved and self.moves):
            return parts
        return [FText(p.start, mapping.move_path(p.value, self.moves)) if p is not None else None for p in parts]

    def decided(self, rule: type[CodemodT]) -> CodemodT:
        """The registry's instance of a rule that decided before the asking one."""
        return next(r for r in self.rules if isinstance(r, rule))

    def strings(self) -> list[StringPiece]:
        """The string literals a rule may read (the parts of a concatenation each), in the order of the source:
        those that spell a legacy id, a block key, `truss-transfer-cli` or a path that moves."""
        if self._strings is None:
            mounts = [e.mount_location for e in self.context.truss]
            needles = (*self.mounted, *BLOCK_KEYS, "truss-transfer-cli", *self.moves, *mounts)
            # a text part of an f-string, or a format spec, is the f-string's own
            parts = {id(v) for n in self.of_type(ast.JoinedStr) for v in n.values}
            parts |= {id(n.format_spec) for n in self.of_type(ast.FormattedValue) if n.format_spec}
            literals = self.of_type(ast.Constant, ast.JoinedStr)
            spelling = sorted((n for n in literals if id(n) not in parts and _spells(n, needles)), key=pre)
            self._strings = [piece for node in spelling for piece in self.pieces(node)]
        return self._strings

    def argvs(self) -> list[Argv]:
        """The lists and tuples of string literals that run a model server given an id the truss mounts
        (`["vllm", "serve", "org/name"]`), in the order of the source."""
        if self._argvs is None:
            self._argvs = []
            for node in sorted(self.of_type(ast.List, ast.Tuple), key=pre):
                values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if (
                    len(values) < 2
                    or len(values) != len(node.elts)
                    or not any(i in v for v in values for i in self.mounted)
                ):
                    continue
                served = [found for found in serve.served_argv(values) if found.repo_id in self.mounted]
                if served:
                    self._argvs.append(Argv(node, values, served))
        return self._argvs

    def served_elements(self) -> set[int]:
        """The ids of the string literals that give a server its model or tokenizer in an argv list."""
        return {id(argv.node.elts[argv.element(found)]) for argv in self.argvs() for found in argv.served}

    def events(self) -> list[StringPiece | Call]:
        """The string literals and the calls in the order the rewrite leaves them (children first)."""
        items: list[tuple[tuple[int, ...], int, StringPiece | Call]] = [
            (post(p.node), i, p) for i, p in enumerate(self.strings())
        ]
        items += [(post(call.node), 0, call) for call in self.calls.values()]
        return [item for _, _, item in sorted(items, key=lambda x: (x[0], x[1]))]

    def single(self, piece: StringPiece) -> bool:
        """Whether the piece is its expression's only literal (a SimpleString, not a concatenation)."""
        return self.where(piece.node) == piece.where

    def constant_of(self, piece: StringPiece) -> str | None:
        """The module constant this literal is the whole value of, if any."""
        if not self.single(piece):
            return None
        return next((name for name, value in self.constant_nodes.items() if value is piece.node), None)

    def accesses_in_order(self) -> list[ast.Name]:
        return sorted(
            (node for node in self.of_type(ast.Name) if id(node) in self.accesses),
            key=pre,
        )

    def _constants(self) -> None:
        assigned: dict[str, int] = {}
        for statement in self.tree.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            for target in targets:
                if isinstance(target, ast.Name):
                    assigned[target.id] = assigned.get(target.id, 0) + 1
                    data = string_value(value)
                    if data is not None:
                        self.constants[target.id] = data
                        self.constant_nodes[target.id] = value
        for name, count in assigned.items():  # a constant assigned twice is no constant
            if count > 1:
                self.constants.pop(name, None)

    def _call(self, node: ast.Call) -> None:
        names = self.scopes.qualified(node.func)
        call = Call(node, self.where(node), names, truss_name(names), arguments(node))
        self.calls[id(node)] = call
        self._classify_slots(call)
        short = call.short
        if short in ("ModelRepo", "WeightsSource"):
            self.protected.add(id(node))
            self.sources.update(id(n) for n in ast.walk(node))
        if short in ("ModelCache", *RENAMED_KEYWORDS):
            self.containers[id(node)] = short
        if short != "ModelRepo":
            return
        self.all_repos.append(call)
        try:
            self.repos[id(node)] = self.plan(call)
        except Unresolved as why:
            self.report(node, "W107", f"ModelRepo left as it is: {why} cannot be resolved; migrate it by hand", SURVEY)
            self.failed.add(id(node))
        except mapping.RuleError as err:
            self.report(node, "W110", f"ModelRepo left as it is: {err.message} ({err.code})", SURVEY)
            self.failed.add(id(node))

    def _classify_slots(self, call: Call) -> None:
        """What each argument slot of a call is: "source", "loader", "hub" or "other"."""
        every: Slot | None = None  # the slot of every argument, for a truss or a Hub call
        if call.truss:
            every = "source"
        elif loader_table.is_hub_api(call.names) or self._is_hub_client(call.node.func):
            every = "hub"
        func = call.node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        loader = loader_table.loader_for(call.names, method)
        untasked = loader is not None and loader.needs_task and not _names_task(call)
        for i, argument in enumerate(call.arguments):
            self.argument_calls[id(argument.value)] = call
            position = None if argument.keyword or argument.star else i
            takes = loader is not None and loader.takes(position, argument.keyword)
            self.slots[id(argument.value)] = every or ("loader" if takes and not untasked else "other")
            if takes and untasked:
                self.why_not[id(argument.value)] = "without a task, pipeline() asks the Hub for it by this id"
            elif takes and loader is not None and loader.sizes:
                self.sized.add(id(argument.value))

    def _is_inert(self, call: ast.Call) -> bool:
        """print(...), warnings.warn(...), or a logging call (`logging.info`, `logger.warning`, ...):
        whatever id it is given, it only writes it out."""
        func = call.func
        if isinstance(func, ast.Name):
            return func.id == "print" and not self.scopes.of(func).lookup("print")
        if not isinstance(func, ast.Attribute) or func.attr not in _LOG_METHODS:
            return False
        names = self.scopes.qualified(func)
        if names:
            return any(n.startswith("logging.") or n == "warnings.warn" or "log" in n.lower() for n in names)
        return "log" in self.source.segment(func.value).lower()

    def _is_hub_client(self, func: ast.expr) -> bool:
        """HfApi().method(...): a method of a Hub client made in place."""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call):
            return loader_table.is_hub_api(self.scopes.qualified(func.value.func))
        return False

    # -- ModelRepo plans

    def evaluate(self, node: ast.expr) -> object:
        data = string_value(node)
        if data is not None:
            return data
        if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
            return node.value
        if isinstance(node, ast.Name):
            constant = self.constant(node)
            if constant is not None:
                return constant
        if isinstance(node, ast.Attribute) and node.attr in KIND_MEMBERS:
            return KIND_MEMBERS[node.attr]  # ModelRepoSourceKind.S3, however imported
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.evaluate(e) for e in node.elts if not isinstance(e, ast.Starred)]
        raise Unresolved(self.source.segment(node))

    def constant(self, name: ast.Name) -> str | None:
        """The module-level string constant this name refers to, if it refers to one."""
        if name.id not in self.constants:
            return None
        bindings = self.scopes.of(name).lookup(name.id)
        if bindings and all(b.scope.kind == "module" for b in bindings):
            return self.constants[name.id]
        return None

    def plan(self, call: Call, context: Context | None = None) -> EntryPlan:
        entry: dict[str, object] = {}
        opaque: dict[str, ast.expr] = {}  # keys whose value is an expression, and the expression
        for argument in call.arguments:
            if argument.keyword is None or argument.star:
                raise Unresolved("a positional or ** argument")
            key = argument.keyword
            try:
                entry[key] = self.evaluate(argument.value)
            except Unresolved:
                if key in OPAQUE:
                    entry[key] = OPAQUE[key]
                elif key == "repo_id":
                    entry[key] = PLACEHOLDER_ID  # an HF id can stay an expression (see hf_source)
                else:
                    raise
                opaque[key] = argument.value
        plan = mapping.plan_entry(entry, context or self.context)
        if "repo_id" in opaque and (plan.kind != "hf" or plan.legacy):
            raise Unresolved(f"repo_id={self.source.segment(opaque['repo_id'])}")
        for change in plan.changes:
            if change.old in opaque and change.value is not UNCHANGED and change.old != "repo_id":
                raise Unresolved(change.old)
        self.check_pattern_lists(call, plan)
        if "repo_id" in opaque:
            self.opaque_ids.add(id(call.node))
        return plan

    def check_pattern_lists(self, call: Call, plan: EntryPlan) -> None:
        """Raise Unresolved unless each pattern list the plan rewrites is a literal it can be written
        into: a list or tuple whose items that change their own form are strings. A `*` item is never
        followed: the survey reads the items around it only."""
        lists = {change.old: change.value for change in plan.changes}
        for argument in call.arguments:
            key = argument.keyword
            if key not in PATTERN_KEYS:
                continue
            value, planned = argument.value, lists.get(key or "")
            items = value.elts if isinstance(value, (ast.List, ast.Tuple)) else None
            if items is not None and any(isinstance(item, ast.Starred) for item in items):
                raise Unresolved(f"{key}={self.source.segment(value)}")
            if not isinstance(planned, PatternList):
                continue
            if items is None or any(
                item.new != item.old and string_value(element) is None  # a constant, which may have other uses
                for element, item in zip(items, planned.items)
            ):
                raise Unresolved(f"{key}={self.source.segment(value)}")

    # -- what flows where

    def _follow_containers(self) -> None:
        """ModelRepo entries change only with the container they flow into, and a list never mixes old and new."""
        for container, short in self.containers.items():
            if short != "ModelCache":  # a ModelCache changes with the TrussConfig it flows into
                self._follow(self.calls[container], short)
        for container, short in self.containers.items():
            if short != "ModelCache" and container in self.changeable:
                self._hold_if_read(self.calls[container], short)
        settled = self.changeable | self.blocked | self.held  # changing, or left for a reason reported elsewhere
        for container, short in self.containers.items():
            if short == "ModelCache" and container not in settled:
                self.report(
                    self.calls[container].node,
                    "W117",
                    "ModelCache(...) left as it is: it does not flow, as a list of ModelRepo entries, "
                    "into TrussConfig(model_cache=...); migrate it by hand",
                    SURVEY_END,
                )
        for call in self.all_repos:
            key = id(call.node)
            if key in self.failed:
                continue
            owner = self.flowing.get(key)
            if owner in self.held:
                self.repos.pop(key, None)  # its container's W123 says why
            elif owner is None:
                self.repos.pop(key, None)
                self.report(
                    call.node,
                    "W116",
                    "ModelRepo left as it is: it does not flow into Assets(cached=[...]), ModelCache([...]) "
                    "or TrussConfig(model_cache=...), so the code that uses it still expects a ModelRepo",
                    SURVEY_END,
                )
            elif owner in self.blocked:
                self.repos.pop(key, None)
                self.report(
                    call.node,
                    "W107",
                    "ModelRepo left as it is: another entry in its list cannot be migrated",
                    SURVEY_END,
                )
            elif owner in self.with_secret:
                self.repos[key] = self.plan(call, dataclasses.replace(self.context, declares_hf_secret=True))
        for plan in self.repos.values():
            if plan.legacy_hf and plan.repo_id != PLACEHOLDER_ID:
                revision = revision_of(plan.weight)
                mounted = Mounted(plan.repo_id, plan.mount_location, patterns_of(plan), revision=revision)
                self.mounted.setdefault(plan.repo_id, mounted)

    def _follow(self, container: Call, short: str) -> None:
        """Mark the container changeable with its ModelRepo entries, or report why it stays."""
        old = RENAMED_KEYWORDS[short][0]
        argument = container.argument(old)
        if argument is None:
            return
        value = self.single_use_value(argument.value)
        entries = value
        inner_call = self.calls.get(id(value)) if isinstance(value, ast.Call) else None
        if short == "TrussConfig" and inner_call is not None and self.containers.get(id(value)) == "ModelCache":
            first = inner_call.arguments[0] if len(inner_call.arguments) == 1 else None
            inner = first if first is not None and first.keyword is None else None
            entries = self.single_use_value(inner.value) if inner is not None else None
            if entries is not None:
                self.changeable.add(id(value))
        members = self._entries(entries)
        if members is None:
            what = "ModelCache(...)" if isinstance(value, ast.Call) else f"{old}=..."
            self.report(
                container.node,
                "W117",
                f"{short}({old}=...) left as it is: {what} is not a list of ModelRepo entries the tool can follow; "
                "migrate it by hand",
                SURVEY_END,
            )
            self.changeable.discard(id(value))
            return
        key = id(container.node)
        self.changeable.add(key)
        secrets = self._declares_secret(container)
        for call in members:
            self.flowing[call] = key
            if call in self.failed:
                self.blocked.add(key)
        if any(call in self.failed for call in members):
            self.changeable.discard(key)
            if isinstance(value, ast.Call):  # a ModelCache(...) between them
                self.changeable.discard(id(value))
                self.blocked.add(id(value))  # reported through its entries (W107)
        if secrets:
            self.with_secret.add(key)

    def _hold_if_read(self, container: Call, short: str) -> None:
        """A container whose object has its old key read later in the file stays, with what flows into it:
        rewritten, that read would find nothing (the W116/W117 rule, applied to the object's later uses)."""
        old = RENAMED_KEYWORDS[short][0]
        reads = self._key_reads(container.node, old)
        if not reads:
            return
        key = id(container.node)
        argument = container.argument(old)
        inner = self.single_use_value(argument.value) if argument is not None else None
        between = [id(inner)] if inner is not None and self.containers.get(id(inner)) == "ModelCache" else []
        for held in (key, *between):
            self.changeable.discard(held)
            self.held.add(held)
        lines = sorted({node.lineno for node in reads})  # type: ignore[attr-defined]
        where = f"line {lines[0]}" if len(lines) == 1 else "lines " + ", ".join(map(str, lines))
        self.report(
            container.node,
            "W123",
            f"{short}({old}=...) left as it is: its {old} is read at {where}, which would then find nothing; "
            "migrate both by hand",
            SURVEY_END,
        )

    def _key_reads(self, node: ast.expr, key: str) -> list[ast.AST]:
        """Where the object node makes has its old key read: `.key`, `[key]` or `.get(key)` of the object
        or of its dict (`to_dict()`, `model_dump()`, `get_spec()`), on the spot or through the name or
        attribute it is assigned to."""
        found = []
        for holder in self._aliases(node):
            found += self._reads(holder, key)
            method, call = self.parent(holder), None
            if isinstance(method, ast.Attribute) and method.attr in _VIEWS:
                call = self.parent(method)
            if isinstance(call, ast.Call) and call.func is method:
                found += [read for view in self._aliases(call) for read in self._reads(view, key)]
        return found

    def _reads(self, node: ast.AST, key: str) -> list[ast.AST]:
        """node.key, node[key] or node.get(key, ...), where node's value is read so."""
        parent = self.parent(node)
        if isinstance(parent, ast.Subscript) and parent.value is node and string_value(parent.slice) == key:
            return [parent]
        if not isinstance(parent, ast.Attribute) or parent.value is not node:
            return []
        if parent.attr == key and isinstance(parent.ctx, ast.Load):
            return [parent]
        call = self.parent(parent)
        if parent.attr == "get" and isinstance(call, ast.Call) and call.func is parent:
            return [call] if call.args and string_value(call.args[0]) == key else []
        return []

    def _aliases(self, node: ast.expr) -> list[ast.expr]:
        """node, and where its value is read again: the name it is assigned to (`x = node`), or the
        attribute (`self.x = node`) as spelt in the class or function holding the assignment."""
        statement = self.parent(node)
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
        elif isinstance(statement, ast.AnnAssign):
            target = statement.target
        else:
            return [node]
        if statement.value is not node:
            return [node]
        if isinstance(target, ast.Name):
            bindings = self.scopes.of(target).lookup(target.id)
            return [node, *(bindings[0].references if bindings else [])]
        if not isinstance(target, ast.Attribute):
            return [node]
        spelt = self.source.segment(target)
        top = next(s for s in self.tree.body if s is statement or holds(s, statement))
        region = top if isinstance(top, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else None
        return [node] + [
            other
            for other in self.of_type(ast.Attribute)
            if other.attr == target.attr
            and isinstance(other.ctx, ast.Load)
            and (region is None or holds(region, other))
            and self.source.segment(other) == spelt
        ]

    def parent(self, node: ast.AST) -> ast.AST | None:
        """The node holding node (None for a statement of the module's body)."""
        if self._parents is None:
            nodes = [n for kind in self.scopes.typed.values() for n in kind]  # every node but ctx
            self._parents = {id(child): n for n in nodes for child in children(n)}
        return self._parents.get(id(node))

    def _entries(self, value: ast.expr | None) -> list[int] | None:
        """The ModelRepo calls a list literal holds (directly or by names used only there), or None."""
        if not isinstance(value, (ast.List, ast.Tuple)):
            return None
        calls = []
        repos = {id(c.node) for c in self.all_repos}
        for element in value.elts:
            item = None if isinstance(element, ast.Starred) else self.single_use_value(element)
            if not isinstance(item, ast.Call) or id(item) not in repos:
                return None
            calls.append(id(item))
        return calls

    def single_use_value(self, node: ast.expr) -> ast.expr | None:
        """node itself, or for a name assigned once and read only here, the value assigned."""
        if not isinstance(node, ast.Name):
            return node
        bindings = self.scopes.of(node).lookup(node.id)
        if len(bindings) != 1 or bindings[0].imported is not None:
            return None
        binding = bindings[0]
        statement = binding.statement
        if len(binding.references) != 1 or statement is None:
            return None
        if isinstance(statement, ast.Assign) and len(statement.targets) != 1:
            return None
        return statement.value

    def _declares_secret(self, container: Call) -> bool:
        """Assets(secret_keys=[..., "hf_access_token"]) or TrussConfig(secrets={"hf_access_token": ...})."""
        if self.context.declares_hf_secret:
            return False  # the plan adds it already
        keys = container.argument("secret_keys")
        if keys is not None and isinstance(keys.value, (ast.List, ast.Tuple)):
            return any(string_value(e) == mapping.HF_SECRET for e in keys.value.elts)
        secrets = container.argument("secrets")
        if secrets is not None and isinstance(secrets.value, ast.Dict):
            return any(k is not None and string_value(k) == mapping.HF_SECRET for k in secrets.value.keys)
        return False

    # -- legacy ids

    def loader_slot(self, node: ast.AST) -> Slot:
        return self.slots.get(id(node), "other")

    def loads_whole_repo(self, repo_id: str) -> bool:
        """A mount holds the whole repository unless the entry's patterns filtered it (or the user vouches)."""
        return self.trust_patterns or not self.mounted[repo_id].patterns

    def global_bindings(self, name: str) -> list[Binding]:
        return self.scopes.module.bindings.get(name, [])

    def _decide_constants(self) -> None:
        """A legacy id held in a module constant changes once, there, when every use of it is a loader."""
        for name, data in self.constants.items():
            if data not in self.mounted:
                continue
            uses = [use for binding in self.global_bindings(name) for use in binding.references]
            if uses:
                self.used_constants.add(name)
                self.accesses.update(id(u) for u in uses)
            if uses and all(self.loader_slot(u) == "loader" and self.loads_whole(data, u) for u in uses):
                self.rewritten_constants.add(name)

    def loads_whole(self, repo_id: str, use: ast.AST) -> bool:
        """Whether the loader taking `use` finds every file it reads in the mount: the mount holds the
        whole repository (or the user vouches), or --hub verified it for this call."""
        return self.loads_whole_repo(repo_id) or self.verified(repo_id, use) is not None

    def verified(self, repo_id: str, use: ast.AST) -> str | None:
        """--hub: the commit at which the mount was found to hold every file the call taking `use` reads."""
        call = self.argument_calls.get(id(use))
        mounted = self.mounted.get(repo_id)
        if not self.context.hub or call is None or mounted is None:
            return None
        key = (repo_id, id(call.node))
        if key not in self._verified:
            from . import hub_check  # only a filtered mount's loader asks it: not loaded by every run

            found = self.context.listing(repo_id, mounted.revision)
            self._verified[key] = hub_check.check(found, call.names, call.node, mounted.patterns).commit
        return self._verified[key]

    def constant_uses(self, constant: str) -> int:
        """How often the module reads a module-level constant."""
        return sum(len(b.references) for b in self.global_bindings(constant))

    def legacy_ids(self) -> dict[str, str]:
        """legacy HF repo id -> its mount location."""
        return {repo_id: m.mount_location for repo_id, m in self.mounted.items()}


# Methods whose result holds a construct's old key as the construct does: its dict, an Assets' spec.
_VIEWS = frozenset({"to_dict", "model_dump", "dict", "get_spec"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log"})

_ATTRIBUTE = (
    "`.model_cache` left as it is: code that reads or sets it still expects ModelRepo entries; "
    "move it to `.weights` by hand"
)


def arguments(call: ast.Call) -> list[Argument]:
    """The call's arguments in the order they are written (ast keeps positional and keyword ones apart)."""
    found: list[Argument] = []
    for value in call.args:
        if isinstance(value, ast.Starred):
            found.append(Argument(None, "*", value.value, value))
        else:
            found.append(Argument(None, "", value, value))
    if not call.keywords:
        return found
    keywords = [Argument(k.arg, "" if k.arg else "**", k.value, k) for k in call.keywords]
    if not found:
        return keywords
    return sorted(found + keywords, key=lambda a: (a.node.lineno, a.node.col_offset))  # type: ignore[attr-defined]


_BODIES = ("body", "orelse", "finalbody")


def _span(node: ast.AST) -> tuple[int, int, int, int]:
    return node.lineno, node.col_offset, node.end_lineno or node.lineno, node.end_col_offset or 0  # type: ignore[attr-defined]


def _contains(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
    return outer[:2] <= inner[:2] and inner[2:] <= outer[2:]


def holds(outer: ast.AST, inner: ast.AST) -> bool:
    """Whether inner stands inside outer (by their places in the source)."""
    return outer is not inner and _contains(_span(outer), _span(inner))


def pre(node: ast.AST) -> tuple[int, ...]:
    """A node's place in a visitor's walk (parents first): by where it starts, the larger first."""
    line, col, end_line, end_col = _span(node)
    return line, col, -end_line, -end_col


def post(node: ast.AST) -> tuple[int, ...]:
    """A node's place in a transformer's walk (children first): by where it ends, the smaller first."""
    line, col, end_line, end_col = _span(node)
    return end_line, end_col, -line, -col


def mount_sites(
    source: Source,
    nodes: Iterable[ast.AST],
    context: Context,
    moves: Mapping[str, str],
    strings: Iterable[StringPiece],
) -> list[Site]:
    """Where a module reads a truss entry's mount location: a path under it in one of the strings
    (after any move of --mount-root), or `X["weights"][i]["mount_location"]` among the nodes."""
    places = [(e, e.mount_location, e.old_location if e.old_location in moves else None) for e in context.truss]
    entries = {e.index for e in context.truss}
    found = []
    for piece in strings:
        text = piece.raw if piece.formatted else piece.value
        if not isinstance(text, str):
            continue
        for entry, mount, old in places:
            if names_path(text, mount) or (old is not None and names_path(text, old)):
                found.append(Site(entry.index, "mount", piece.where[0], None))
    for node in nodes:
        index = _weights_read(node)
        if index is not None and index in entries:
            found.append(Site(index, "mount", source.where(node)[0], None))
    return found


def _names_task(call: Call) -> bool:
    """pipeline(task, ...) or pipeline(task=...)."""
    first = call.arguments[0] if call.arguments else None
    named = first is not None and first.keyword is None and not first.star
    return named or call.argument("task") is not None


def _weights_read(node: ast.AST) -> int | None:
    """i of X["weights"][i]["mount_location"] (or .get("mount_location")), else None."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        key, entry = node.args[0], node.func.value
    elif isinstance(node, ast.Subscript):
        key, entry = node.slice, node.value
    else:
        return None
    if string_value(key) != "mount_location" or not isinstance(entry, ast.Subscript):
        return None
    index = entry.slice
    if not (isinstance(index, ast.Constant) and type(index.value) is int):
        return None
    block = entry.value
    if not (isinstance(block, ast.Subscript) and string_value(block.slice) == "weights"):
        return None
    return index.value


def _spells(node: ast.AST, needles: tuple[str, ...]) -> bool:
    """A str literal or an f-string whose text holds one of the needles."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(n in node.value for n in needles)
    if isinstance(node, ast.JoinedStr):
        texts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        return any(n in text for text in texts for n in needles)
    return False
