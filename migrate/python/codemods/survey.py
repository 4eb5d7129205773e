"""The shared analysis every codemod reads: constants, ModelRepo plans, what flows where, loader slots."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import ClassVar, Literal

import libcst as cst
from libcst.metadata import (
    Assignment,
    ParentNodeProvider,
    PositionProvider,
    ProviderT,
    QualifiedNameProvider,
    ScopeProvider,
)

from ...core import mapping
from ...core.context import Context
from ...core.entry import UNCHANGED, EntryPlan
from .. import loader_table
from . import pattern_lists
from .base import (
    KIND_MEMBERS,
    OPAQUE,
    PLACEHOLDER_ID,
    RENAMED_KEYWORDS,
    LegacyEntry,
    Reporting,
    Unresolved,
    _arg,
    _code,
    _constant,
    _patterns_of,
    _string,
    _truss_name,
)

# What an argument's slot takes: a truss construct's source, a folder (loader table), a Hub repo id, or unknown
Slot = Literal["source", "loader", "hub", "other"]


class Survey(Reporting, cst.CSTVisitor):
    """Reads the module: string constants, ModelRepo calls and what they become."""

    CODES: ClassVar[tuple[str, ...]] = ("W107", "W110", "W116", "W117", "W118")

    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (
        QualifiedNameProvider,
        PositionProvider,
        ScopeProvider,
        ParentNodeProvider,
    )

    def __init__(self, context: Context, legacy: Sequence[LegacyEntry] = (), trust_patterns: bool = False):
        super().__init__()
        self.context = context
        self.trust_patterns = trust_patterns
        # legacy HF repo id -> its plan: the config's entries, then the ModelRepo calls this module rewrites
        self.legacy_plans = {e.plan.repo_id: e.plan for e in legacy if e.plan.legacy_hf}
        self.constants: dict[str, str] = {}
        self.constant_nodes: dict[str, cst.BaseExpression] = {}  # name -> its one assigned value
        self.rewritten_constants: set[str] = set()  # legacy ids changed once, at their definition
        self.used_constants: set[str] = set()  # legacy-id constants some code reads
        self.accesses: set[cst.CSTNode] = set()  # the Name nodes that read them
        self.slots: dict[cst.CSTNode, Slot] = {}  # argument value -> what its slot is (classify_slots)
        self.module: cst.Module | None = None
        self.repos: dict[cst.Call, EntryPlan] = {}  # calls to rewrite
        self.containers: dict[cst.Call, str] = {}  # ModelCache / Assets / TrussConfig calls -> which
        self.all_repos: list[cst.Call] = []  # every ModelRepo call
        self.failed: set[cst.Call] = set()  # ModelRepo calls that cannot be planned
        self.flowing: dict[cst.Call, cst.Call] = {}  # ModelRepo -> the container it flows into
        self.changeable: set[cst.Call] = set()  # containers that change with their entries
        self.blocked: set[cst.Call] = set()  # containers holding a ModelRepo that stays
        self.with_secret: set[cst.Call] = set()  # containers whose chainlet declares hf_access_token
        self.opaque_ids: set[cst.Call] = set()  # ModelRepo calls whose HF repo_id is an expression

    def visit_Module(self, node: cst.Module) -> None:
        self.module = node
        assigned: dict[str, int] = {}
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    targets, val = [t.target for t in small.targets], small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets, val = [small.target], small.value
                else:
                    continue
                for target in targets:
                    if isinstance(target, cst.Name):
                        assigned[target.value] = assigned.get(target.value, 0) + 1
                        data = _string(val)
                        if data is not None:
                            self.constants[target.value] = data
                            self.constant_nodes[target.value] = val
        for name, count in assigned.items():  # a constant assigned twice is no constant
            if count > 1:
                self.constants.pop(name, None)

    def evaluate(self, node: cst.BaseExpression) -> object:
        data = _string(node)
        if data is not None:
            return data
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.value]
            constant = _constant(self, node, self.constants)
            if constant is not None:
                return constant
        if isinstance(node, cst.Attribute) and node.attr.value in KIND_MEMBERS:
            return KIND_MEMBERS[node.attr.value]  # ModelRepoSourceKind.S3, however imported
        if isinstance(node, (cst.List, cst.Tuple)):
            return [self.evaluate(el.value) for el in node.elements if not isinstance(el, cst.StarredElement)]
        raise Unresolved(_code(node))

    def visit_Call(self, node: cst.Call) -> None:
        self.classify_slots(node)
        name = _truss_name(self.get_metadata(QualifiedNameProvider, node.func, set()))
        short = name.rsplit(".", 1)[-1] if name else None
        if short in ("ModelCache", *RENAMED_KEYWORDS):
            self.containers[node] = short
        if short != "ModelRepo":
            return
        self.all_repos.append(node)
        try:
            self.repos[node] = self.plan(node)
        except Unresolved as why:
            self.report(node, "W107", f"ModelRepo left as it is: {why} cannot be resolved; migrate it by hand")
            self.failed.add(node)
        except mapping.RuleError as err:
            self.report(node, "W110", f"ModelRepo left as it is: {err.message} ({err.code})")
            self.failed.add(node)

    def leave_Module(self, node: cst.Module) -> None:
        """ModelRepo entries change only with the container they flow into, and a list never mixes old and new."""
        for container, short in self.containers.items():
            if short != "ModelCache":  # a ModelCache changes with the TrussConfig it flows into
                self.follow(container, short)
        for container, short in self.containers.items():
            if short == "ModelCache" and container not in self.changeable and container not in self.blocked:
                self.report(
                    container,
                    "W117",
                    "ModelCache(...) left as it is: it does not flow, as a list of ModelRepo entries, "
                    "into TrussConfig(model_cache=...); migrate it by hand",
                )
        for call in self.all_repos:
            if call in self.failed:
                continue
            owner = self.flowing.get(call)
            if owner is None:
                self.repos.pop(call, None)
                self.report(
                    call,
                    "W116",
                    "ModelRepo left as it is: it does not flow into Assets(cached=[...]), ModelCache([...]) "
                    "or TrussConfig(model_cache=...), so the code that uses it still expects a ModelRepo",
                )
            elif owner in self.blocked:
                self.repos.pop(call, None)
                self.report(call, "W107", "ModelRepo left as it is: another entry in its list cannot be migrated")
            elif owner in self.with_secret:
                self.repos[call] = self.plan(call, dataclasses.replace(self.context, declares_hf_secret=True))
        for plan in self.repos.values():
            if plan.legacy_hf and plan.repo_id != PLACEHOLDER_ID:
                self.legacy_plans.setdefault(plan.repo_id, plan)
        self.decide_constants()

    def follow(self, container: cst.Call, short: str) -> None:
        """Mark the container changeable with its ModelRepo entries, or report why it stays."""
        old = RENAMED_KEYWORDS[short][0]
        arg = _arg(container, old)
        if arg is None:
            return
        value = self.single_use_value(arg.value)
        entries = value
        if short == "TrussConfig" and isinstance(value, cst.Call) and self.containers.get(value) == "ModelCache":
            inner = value.args[0] if len(value.args) == 1 and value.args[0].keyword is None else None
            entries = self.single_use_value(inner.value) if inner is not None else None
            if entries is not None and value not in self.changeable:
                self.changeable.add(value)
        members = self.entries(entries)
        if members is None:
            what = "ModelCache(...)" if isinstance(value, cst.Call) else f"{old}=..."
            self.report(
                container,
                "W117",
                f"{short}({old}=...) left as it is: {what} is not a list of ModelRepo entries the tool can follow; "
                "migrate it by hand",
            )
            self.changeable.discard(value)
            return
        self.changeable.add(container)
        secrets = self.declares_secret(container)
        for call in members:
            self.flowing[call] = container
            if call in self.failed:
                self.blocked.add(container)
        if any(call in self.failed for call in members):
            self.changeable.discard(container)
            if isinstance(value, cst.Call):  # a ModelCache(...) between them
                self.changeable.discard(value)
                self.blocked.add(value)  # reported through its entries (W107)
        if secrets:
            self.with_secret.add(container)

    def entries(self, value: cst.BaseExpression | None) -> list[cst.Call] | None:
        """The ModelRepo calls a list literal holds (directly or by names used only there), or None."""
        if not isinstance(value, (cst.List, cst.Tuple)):
            return None
        calls = []
        for element in value.elements:
            item = None if isinstance(element, cst.StarredElement) else self.single_use_value(element.value)
            if not isinstance(item, cst.Call) or item not in self.all_repos:
                return None
            calls.append(item)
        return calls

    def single_use_value(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """node itself, or for a name assigned once and read only here, the value assigned."""
        if not isinstance(node, cst.Name):
            return node
        scope = self.get_metadata(ScopeProvider, node, None)
        assignments = list(scope[node.value]) if scope is not None else []
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        assignment = assignments[0]
        statement = self.get_metadata(ParentNodeProvider, assignment.node, None)
        statement = (
            self.get_metadata(ParentNodeProvider, statement, None)
            if isinstance(statement, cst.AssignTarget)
            else statement
        )
        if len(assignment.references) != 1 or not isinstance(statement, (cst.Assign, cst.AnnAssign)):
            return None
        if isinstance(statement, cst.Assign) and len(statement.targets) != 1:
            return None
        return statement.value

    def declares_secret(self, container: cst.Call) -> bool:
        """Assets(secret_keys=[..., "hf_access_token"]) or TrussConfig(secrets={"hf_access_token": ...})."""
        if self.context.declares_hf_secret:
            return False  # the plan adds it already
        keys = _arg(container, "secret_keys")
        if keys is not None and isinstance(keys.value, (cst.List, cst.Tuple)):
            return any(_string(e.value) == mapping.HF_SECRET for e in keys.value.elements)
        secrets = _arg(container, "secrets")
        if secrets is not None and isinstance(secrets.value, cst.Dict):
            return any(
                isinstance(e, cst.DictElement) and _string(e.key) == mapping.HF_SECRET for e in secrets.value.elements
            )
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # a module path is no attribute access

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "model_cache":
            self.report(
                node,
                "W118",
                "`.model_cache` left as it is: code that reads or sets it still expects ModelRepo entries; "
                "move it to `.weights` by hand",
            )

    def classify_slots(self, call: cst.Call) -> None:
        """What each argument slot of a call is: "source", "loader", "hub" or "other"."""
        qualified = self.get_metadata(QualifiedNameProvider, call.func, set())
        names = {q.name for q in qualified}
        every: Slot | None = None  # the slot of every argument, for a truss or a Hub call
        if _truss_name(qualified):
            every = "source"
        elif loader_table.is_hub_api(names) or self.is_hub_client(call.func):
            every = "hub"
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
        loader = loader_table.loader_for(names, method)
        for i, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            position = None if keyword or arg.star else i
            takes = loader is not None and loader.takes(position, keyword)
            self.slots[arg.value] = every or ("loader" if takes else "other")

    def loader_slot(self, node: cst.CSTNode) -> Slot:
        return self.slots.get(node, "other")

    def loads_whole_repo(self, repo_id: str) -> bool:
        """A mount holds the whole repository unless the entry's patterns filtered it (or the user vouches)."""
        return self.trust_patterns or not _patterns_of(self.legacy_plans[repo_id])

    def decide_constants(self) -> None:
        """A legacy id held in a module constant changes once, there, when every use of it is a loader."""
        if self.module is None:
            return
        scope = self.get_metadata(ScopeProvider, self.module, None)
        for name, data in self.constants.items():
            if data not in self.legacy_plans or scope is None:
                continue
            uses = [access.node for assignment in scope.assignments[name] for access in assignment.references]
            if uses:
                self.used_constants.add(name)
                self.accesses.update(uses)
            if uses and self.loads_whole_repo(data) and all(self.loader_slot(u) == "loader" for u in uses):
                self.rewritten_constants.add(name)

    def plan(self, call: cst.Call, context: Context | None = None) -> EntryPlan:
        entry: dict[str, object] = {}
        opaque: dict[str, cst.BaseExpression] = {}  # keys whose value is an expression, and the expression
        for arg in call.args:
            if arg.keyword is None or arg.star:
                raise Unresolved("a positional or ** argument")
            key = arg.keyword.value
            try:
                entry[key] = self.evaluate(arg.value)
            except Unresolved:
                if key in OPAQUE:
                    entry[key] = OPAQUE[key]
                elif key == "repo_id":
                    entry[key] = PLACEHOLDER_ID  # an HF id can stay an expression (see hf_source)
                else:
                    raise
                opaque[key] = arg.value
        plan = mapping.plan_entry(entry, context or self.context)
        if "repo_id" in opaque and (plan.kind != "hf" or plan.legacy):
            raise Unresolved(f"repo_id={_code(opaque['repo_id'])}")
        for change in plan.changes:
            if change.old in opaque and change.value is not UNCHANGED and change.old != "repo_id":
                raise Unresolved(change.old)
        pattern_lists.check_writable(call, plan)
        if "repo_id" in opaque:
            self.opaque_ids.add(call)
        return plan

    def is_hub_client(self, func: cst.BaseExpression) -> bool:
        """HfApi().method(...): a method of a Hub client made in place."""
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            names = {q.name for q in self.get_metadata(QualifiedNameProvider, func.value.func, set())}
            return loader_table.is_hub_api(names)
        return False
