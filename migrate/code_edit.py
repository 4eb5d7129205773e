"""Python code: move ModelRepo / ModelCache constructs and the code that loads weights.

libcst keeps every byte it is not asked to change. Two passes over one tree:
`Survey` reads (constants, ModelRepo calls and their plans), `Rewrite` edits.
The mapping of a ModelRepo's arguments is rules.plan_entry, as for the YAML.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import Assignment, GlobalScope, ParentNodeProvider, MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from . import loaders, rules
from .diagnostics import Diagnostic

# old name -> new name, for the constructs that move with the config
RENAMED_CALLS = {"ModelRepo": "WeightsSource", "ModelCache": "Weights"}
RENAMED_KEYWORDS = {"Assets": ("cached", "weights"), "TrussConfig": ("model_cache", "weights")}
KIND_MEMBERS = {"HF": "hf", "GCS": "gcs", "S3": "s3", "AZURE": "azure"}
# Keys whose value the mapping only passes through: an expression there can stay as written.
OPAQUE = {"runtime_secret_name": "secret", "allow_patterns": ["*"], "ignore_patterns": ["*"]}
PLACEHOLDER_ID = "placeholder-org/placeholder-name"


@dataclass
class LegacyEntry:
    """An entry of the truss's migrated config, for the code that used it."""

    index: int
    plan: rules.EntryPlan


@dataclass
class CodeOutcome:
    status: str  # "migrated", "unchanged" or "failed"
    text: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Unresolved(Exception):
    pass


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        data = node.evaluated_value
        return data if isinstance(data, str) else None
    return None


def _literal(data: str, like: cst.BaseExpression | None = None) -> cst.SimpleString:
    """A string literal for data, in the quote style of `like` where it is a plain string."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in ("'", '"') and not like.prefix:
        quote = like.quote
    escaped = data.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    return cst.SimpleString(f"{quote}{escaped}{quote}")


def _truss_name(names) -> str | None:
    """The qualified name that comes from truss or truss_chains, if any."""
    for qualified in names:
        if qualified.name.split(".")[0] in ("truss", "truss_chains"):
            return qualified.name
    return None


class Survey(cst.CSTVisitor):
    """Reads the module: string constants, ModelRepo calls and what they become."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider, ParentNodeProvider)

    def __init__(self, context: rules.Context, legacy: list[LegacyEntry] = (), trust_patterns: bool = False):
        self.context = context
        self.trust_patterns = trust_patterns
        self.legacy_plans = {e.plan.repo_id: e.plan for e in legacy if e.plan.legacy and e.plan.kind == "hf"}
        self.constants: dict[str, str] = {}
        self.constant_nodes: dict[str, cst.BaseExpression] = {}  # name -> its one assigned value
        self.rewritten_constants: set[str] = set()  # legacy ids changed once, at their definition
        self.used_constants: set[str] = set()  # legacy-id constants some code reads
        self.accesses: set[cst.CSTNode] = set()  # the Name nodes that read them
        self.slots: dict[cst.CSTNode, str] = {}  # argument value -> what its slot is (classify_slots)
        self.module: cst.Module | None = None
        self.repos: dict[cst.Call, rules.EntryPlan] = {}  # calls to rewrite
        self.diagnostics: list[Diagnostic] = []
        self.legacy_ids: dict[str, str] = {}  # legacy HF repo id -> mount location
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
                targets, val = [], None
                if isinstance(small, cst.Assign):
                    targets, val = [t.target for t in small.targets], small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    targets, val = [small.target], small.value
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

    def line(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node).start
        return pos.line, pos.column + 1

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(*self.line(node), code, message))

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
        raise Unresolved(cst.Module([]).code_for_node(node))

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
        except rules.RuleError as err:
            self.report(node, "W110", f"ModelRepo left as it is: {err.message} ({err.code})")
            self.failed.add(node)

    def leave_Module(self, node: cst.Module) -> None:
        """ModelRepo entries change only with the container they flow into, and a list never mixes old and new."""
        for container, short in self.containers.items():
            if short != "ModelCache":  # a ModelCache changes with the TrussConfig it flows into
                self.follow(container, short)
        for container, short in self.containers.items():
            if short == "ModelCache" and container not in self.changeable and container not in self.blocked:
                self.report(container, "W117", "ModelCache(...) left as it is: it does not flow, as a list of ModelRepo entries, into TrussConfig(model_cache=...); migrate it by hand")
        for call in self.all_repos:
            if call in self.failed:
                continue
            owner = self.flowing.get(call)
            if owner is None:
                self.repos.pop(call, None)
                self.report(call, "W116", "ModelRepo left as it is: it does not flow into Assets(cached=[...]), ModelCache([...]) or TrussConfig(model_cache=...), so the code that uses it still expects a ModelRepo")
            elif owner in self.blocked:
                self.repos.pop(call, None)
                self.report(call, "W107", "ModelRepo left as it is: another entry in its list cannot be migrated")
            elif owner in self.with_secret:
                self.repos[call] = self.plan(call, dataclasses.replace(self.context, declares_hf_secret=True))
        for plan in self.repos.values():
            if plan.legacy and plan.kind == "hf" and plan.repo_id != PLACEHOLDER_ID:
                self.legacy_ids[plan.repo_id] = plan.weight["mount_location"]
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
            self.report(container, "W117", f"{short}({old}=...) left as it is: {what} is not a list of ModelRepo entries the tool can follow; migrate it by hand")
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
        statement = self.get_metadata(ParentNodeProvider, statement, None) if isinstance(statement, cst.AssignTarget) else statement
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
            return any(_string(e.value) == rules.HF_SECRET for e in keys.value.elements)
        secrets = _arg(container, "secrets")
        if secrets is not None and isinstance(secrets.value, cst.Dict):
            return any(_string(getattr(e, "key", None) or cst.Name("x")) == rules.HF_SECRET for e in secrets.value.elements)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # a module path is no attribute access

    visit_ImportFrom = visit_Import

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "model_cache":
            self.report(node, "W118", "`.model_cache` left as it is: code that reads or sets it still expects ModelRepo entries; move it to `.weights` by hand")

    def classify_slots(self, call: cst.Call) -> None:
        """What each argument slot of a call is: "source", "loader", "hub" or "other"."""
        qualified = self.get_metadata(QualifiedNameProvider, call.func, set())
        names = {q.name for q in qualified}
        method = call.func.attr.value if isinstance(call.func, cst.Attribute) else None
        loader = loaders.loader_for(names, method)
        for i, arg in enumerate(call.args):
            keyword = arg.keyword.value if arg.keyword is not None else None
            position = None if keyword or arg.star else i
            if _truss_name(qualified):
                kind = "source"
            elif loaders.is_hub_api(names) or _is_hub_client(call.func, self):
                kind = "hub"
            else:
                kind = "loader" if loader is not None and loader.takes(position, keyword) else "other"
            self.slots[arg.value] = kind

    def loader_slot(self, node: cst.CSTNode) -> str:
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
    def plan(self, call: cst.Call, context: rules.Context | None = None) -> rules.EntryPlan:
        entry: dict[str, object] = {}
        opaque = []
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
                opaque.append(key)
        plan = rules.plan_entry(entry, context or self.context)
        if "repo_id" in opaque and (plan.kind != "hf" or plan.legacy):
            raise Unresolved(f"repo_id={cst.Module([]).code_for_node(_arg(call, 'repo_id').value)}")
        for change in plan.changes:
            if change.old in opaque and change.value is not rules.UNCHANGED and change.old != "repo_id":
                raise Unresolved(change.old)
        if "repo_id" in opaque:
            self.opaque_ids.add(call)
        return plan


def _is_hub_client(func: cst.BaseExpression, visitor) -> bool:
    """HfApi().method(...): a method of a Hub client made in place."""
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        names = {q.name for q in visitor.get_metadata(QualifiedNameProvider, func.value.func, set())}
        return loaders.is_hub_api(names)
    return False


def _patterns_of(plan: rules.EntryPlan) -> dict[str, list[str]]:
    return {k: plan.weight[k] for k in ("allow_patterns", "ignore_patterns") if k in plan.weight}


def _passes(path: str, patterns: dict[str, list[str]]) -> bool:
    """Whether a file survives the entry's allow/ignore patterns (fnmatch, as huggingface_hub filters)."""
    allow, ignore = patterns.get("allow_patterns"), patterns.get("ignore_patterns", [])
    if allow is not None and not any(fnmatch.fnmatch(path, p) for p in allow):
        return False
    return not any(fnmatch.fnmatch(path, p) for p in ignore)


def _describe(patterns: dict[str, list[str]]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in patterns.items())


def _comment_of(comma) -> cst.Comment | None:
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma.whitespace_after.first_line.comment
    return None


def _without_comment(whitespace):
    if isinstance(whitespace, cst.ParenthesizedWhitespace):
        return whitespace.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return whitespace


def _separator(call: cst.Call) -> cst.Comma:
    """The comma that stands between two arguments of this call, comments left out."""
    commas = [a.comma for a in call.args[:-1] if isinstance(a.comma, cst.Comma)]
    if commas:
        return commas[0].with_changes(whitespace_after=_without_comment(commas[0].whitespace_after))
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):  # one argument per line
        return cst.Comma(whitespace_after=_without_comment(call.whitespace_before_args))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _new_arg(key: str, data: object, beside: cst.Arg, sep: cst.Comma) -> cst.Arg:
    return cst.Arg(keyword=cst.Name(key), value=_literal(str(data), beside.value), equal=beside.equal, comma=sep)


def _arrange_commas(args: list[cst.Arg], call: cst.Call, sep: cst.Comma) -> list[cst.Arg]:
    """Separators between arguments, the call's own trailing comma (or none) after the last.

    An argument's own end-of-line comment stays with it.
    """
    last = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
    out = []
    for i, arg in enumerate(args):
        comment = _comment_of(arg.comma)
        comma = last if i == len(args) - 1 else (sep if arg.comma is last or arg.comma is cst.MaybeSentinel.DEFAULT else arg.comma)
        if comment is not None and _comment_of(comma) is None and isinstance(comma, cst.Comma):
            ws = comma.whitespace_after
            if isinstance(ws, cst.ParenthesizedWhitespace):
                comma = comma.with_changes(whitespace_after=ws.with_changes(first_line=arg.comma.whitespace_after.first_line))
        out.append(arg.with_changes(comma=comma))
    return out


def _keep_comments(args: list[cst.Arg], comments: list[cst.Comment], call: cst.Call) -> list[cst.Arg]:
    """Put comments of dropped arguments on lines of their own after the previous argument."""
    if not args or not isinstance(args[-1].comma, cst.Comma) or not isinstance(args[-1].comma.whitespace_after, cst.ParenthesizedWhitespace):
        return args  # a one-line call has no comments to keep
    ws = args[-1].comma.whitespace_after
    lines = [cst.EmptyLine(indent=ws.indent, whitespace=ws.last_line, comment=c) for c in comments]
    comma = args[-1].comma.with_changes(whitespace_after=ws.with_changes(empty_lines=[*ws.empty_lines, *lines]))
    return [*args[:-1], args[-1].with_changes(comma=comma)]


def _constant(visitor, name: cst.Name, constants: dict[str, str]) -> str | None:
    """The module-level string constant this name refers to, if it refers to one."""
    if name.value not in constants:
        return None
    scope = visitor.get_metadata(ScopeProvider, name, None)
    if scope is None:
        return None
    assignments = scope[name.value]
    if assignments and all(isinstance(a.scope, GlobalScope) for a in assignments):
        return constants[name.value]
    return None


def hf_source(expr: cst.BaseExpression, planned: str) -> cst.BaseExpression:
    """The source for an HF id that is an expression: itself (seed), or f"hf://{expr}@rev" (truss)."""
    if PLACEHOLDER_ID not in planned:
        raise ValueError("planned source lost the placeholder")
    before, after = planned.split(PLACEHOLDER_ID, 1)
    if not before and not after:
        return expr
    code = cst.Module([]).code_for_node(expr)
    quote = next((q for q in ('"', "'") if q not in code), None)
    if quote is None or "{" in before + after or "}" in before + after:  # no f-string can hold it
        parts = [_literal(before)] if before else []
        parts += [cst.Call(cst.Name("str"), [cst.Arg(expr)])] + ([_literal(after)] if after else [])
        result = parts[0]
        for part in parts[1:]:
            result = cst.BinaryOperation(result, cst.Add(), part)
        return result
    return cst.FormattedString(
        parts=[
            *([cst.FormattedStringText(before)] if before else []),
            cst.FormattedStringExpression(expr),
            *([cst.FormattedStringText(after)] if after else []),
        ],
        start=f"f{quote}",
        end=quote,
    )


HUB_ARGS = {"snapshot_download": ("repo_id",), "hf_hub_download": ("repo_id", "filename")}


def _hub_path(call: cst.Call, function: str, patterns: dict) -> tuple[str | None, str]:
    """The path under the mount a Hub call returns ("" for the folder), or None and why not."""
    if function not in HUB_ARGS:
        return None, "no local equivalent is known"
    values: dict[str, object] = {}
    for i, arg in enumerate(call.args):
        if arg.star:
            return None, "a * or ** argument"
        key = arg.keyword.value if arg.keyword else (HUB_ARGS[function] + (None,) * 9)[i]
        values[key] = _string(arg.value) if key != "repo_id" else True
        if key is None or values[key] is None:
            return None, f"an argument whose effect cannot be reproduced: {cst.Module([]).code_for_node(arg.value)}"
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


def _arg(call: cst.Call, keyword: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


class Rewrite(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider)

    def __init__(self, survey: Survey, legacy: list[LegacyEntry], moves: dict[str, str]):
        super().__init__()
        self.survey = survey
        self.legacy = {e.index: e.plan for e in legacy}
        self.legacy_ids = {repo_id: plan.weight["mount_location"] for repo_id, plan in survey.legacy_plans.items()}
        self.moves = moves
        self.imports: list[tuple[str, str, str | None, str]] = []  # module, old, asname, new
        self.diagnostics: list[Diagnostic] = []
        self.protected: set[cst.Call] = set()
        self.review: list[cst.SimpleString] = []  # "model_cache" strings not rewritten
        self.unused: list[tuple[str, str, str | None]] = []  # imports that may have lost their last use
        self.pending: dict[cst.CSTNode, str] = {}  # legacy ids in code not yet rewritten or reported
        self.sources = 0  # depth inside ModelRepo / WeightsSource calls, whose ids are sources
        self.lines: list[str] = []  # the source, for the width of rewritten calls
        self.width = 88
        self.configs: list[bool] = []  # open rewritten TrussConfig calls: may their start command change?
        self.rewrites_config = any(self.survey.containers.get(c) == "TrussConfig" for c in survey.changeable)

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        pos = self.get_metadata(PositionProvider, node).start
        self.diagnostics.append(Diagnostic(pos.line, pos.column + 1, code, message))

    def qualified(self, node: cst.BaseExpression) -> str | None:
        return _truss_name(self.get_metadata(QualifiedNameProvider, node, set()))

    # -- calls

    def visit_Call(self, node: cst.Call) -> None:
        name = self.qualified(node.func)
        if name and name.rsplit(".", 1)[-1] in ("ModelRepo", "WeightsSource"):
            self.protected.add(node)  # a repo id there is the source, not a path to load
            self.sources += 1
        if node in self.survey.changeable and name and name.endswith("TrussConfig"):
            self.configs.append(_arg(node, "trt_llm") is None)  # TRT-LLM still installs truss-transfer-cli

    def visit_Name(self, node: cst.Name) -> None:
        if not self.sources and node in self.survey.accesses and node.value not in self.survey.rewritten_constants:
            self.pending[node] = self.survey.constants[node.value]

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = self.qualified(original.func)
        short = name.rsplit(".", 1)[-1] if name else None
        if original in self.protected:
            self.sources -= 1
        if original in self.survey.changeable and name and name.endswith("TrussConfig"):
            self.configs.pop()
        if original in self.survey.blocked:
            pass
        elif original in self.survey.repos:
            updated = self.rewrite_repo(original, updated, self.survey.repos[original])
        elif original not in self.survey.changeable:
            pass
        elif short == "ModelCache":
            updated = self.rename_func(original, updated, name)
            self.report(original, "W103", "ModelCache([...]) -> Weights([...])")
        elif short in RENAMED_KEYWORDS:
            old, new = RENAMED_KEYWORDS[short]
            arg = _arg(updated, old)
            if arg is not None:
                updated = updated.with_deep_changes(arg, keyword=cst.Name(new))
                self.report(original, "W102" if short == "Assets" else "W104", f"{short}({old}=...) -> {short}({new}=...)")
        updated = self.get_repo_id(original, updated)
        if original not in self.protected and self.legacy_ids:
            return self.legacy_arguments(original, updated)
        return updated

    def get_repo_id(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """X["model_cache"][i].get("repo_id") of a legacy HF entry: X["weights"][i].get("mount_location")."""
        pattern = m.Call(
            func=m.Attribute(value=_ENTRY, attr=m.Name("get")),
            args=[m.Arg(m.SimpleString(), keyword=None)],
        )
        if not m.matches(updated, pattern) or _string(updated.args[0].value) != "repo_id":
            return updated
        entry = self.legacy_entry(updated.func.value)
        if entry is None:
            return updated
        block_key, index = entry
        self.report(original, "W106", f'[{block_key.value}][{index}].get("repo_id") -> ["weights"][{index}].get("mount_location")')
        self.review = [n for n in self.review if n is not original.func.value.value.slice[0].slice.value]
        func = updated.func.with_changes(value=self.weights_entry(updated.func.value))
        arg = updated.args[0].with_changes(value=_literal("mount_location", updated.args[0].value))
        return updated.with_changes(func=func, args=[arg, *updated.args[1:]])

    def legacy_entry(self, node: cst.Subscript) -> tuple[cst.SimpleString, int] | None:
        """(block key, index) of X["model_cache"][i] when entry i is a legacy HF entry."""
        top = node.value
        block_key = top.slice[0].slice.value
        index = int(node.slice[0].slice.value.value, 0)
        plan = self.legacy.get(index)
        if _string(block_key) not in ("model_cache", "hf_cache") or plan is None or not (plan.legacy and plan.kind == "hf"):
            return None
        return block_key, index

    def weights_entry(self, node: cst.Subscript) -> cst.Subscript:
        top = node.value
        top = top.with_deep_changes(top.slice[0].slice, value=_literal("weights", top.slice[0].slice.value))
        return node.with_changes(value=top)

    def rename_func(self, original: cst.Call, updated: cst.Call, name: str) -> cst.Call:
        old = name.rsplit(".", 1)[-1]
        new = RENAMED_CALLS[old]
        func = updated.func
        if isinstance(func, cst.Attribute):  # truss_config.ModelRepo: the module import stays
            return updated.with_changes(func=func.with_changes(attr=cst.Name(new)))
        if isinstance(func, cst.Name):
            asname = func.value if func.value != old else None
            self.imports.append((name.rsplit(".", 1)[0], old, asname, new))
            return updated.with_changes(func=cst.Name(new))
        return updated

    def rewrite_repo(self, original: cst.Call, updated: cst.Call, plan: rules.EntryPlan) -> cst.Call:
        changes = {c.old: c for c in plan.changes}
        sep = _separator(updated)
        args: list[cst.Arg] = []
        orphans: list[cst.Comment] = []  # comments of dropped arguments, kept as lines
        for i, arg in enumerate(updated.args):
            change = changes[arg.keyword.value]
            if change.new is None:
                orphans += filter(None, [_comment_of(arg.comma)])
                self.drop_imports(original.args[i].value)
                continue
            if orphans:
                args = _keep_comments(args, orphans, updated)
                orphans = []
            if change.new != change.old:
                arg = arg.with_changes(keyword=cst.Name(change.new))
            if change.new == "source" and original in self.survey.opaque_ids:
                arg = arg.with_changes(value=hf_source(arg.value, plan.weight["source"]))
            elif change.new == "source" and self.constant_source(original.args[i].value, plan):
                planned = plan.weight["source"].replace(f"hf://{plan.repo_id}", f"hf://{PLACEHOLDER_ID}", 1)
                arg = arg.with_changes(value=hf_source(arg.value, planned))
            elif change.value is not rules.UNCHANGED:
                arg = arg.with_changes(value=_literal(change.value, arg.value))
            args.append(arg)
            if change.new == "source":
                args += [_new_arg(k, v, arg, sep) for k, v in plan.inserts]
        if orphans:
            args = _keep_comments(args, orphans, updated)
        args = _arrange_commas(args, updated, sep)
        updated = self.rename_func(original, updated.with_changes(args=args), self.qualified(original.func))
        updated = self.fit(original, updated)
        self.report(original, "W101", "ModelRepo(...) -> WeightsSource(...)")
        for note in plan.notes:
            self.report(original, note.code, note.message)
        return updated

    def constant_source(self, value: cst.BaseExpression, plan: rules.EntryPlan) -> bool:
        """A constant HF id stays the source's expression, so the constant keeps its other uses."""
        return (isinstance(value, cst.Name) and plan.kind == "hf" and not plan.repo_id.startswith("hf://")
                and value.value in self.survey.constants and f"hf://{plan.repo_id}" in plan.weight["source"])

    def drop_imports(self, value: cst.BaseExpression) -> None:
        """Names only a dropped argument used (kind=ModelRepoSourceKind.S3) lose their import."""
        for name in m.findall(value, m.Name()):
            qualified = self.qualified(name)
            if qualified and "." in qualified:
                module, obj = qualified.rsplit(".", 1)
                self.unused.append((module, obj, name.value if name.value != obj else None))

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
                self.report(arg, "W112", f"loader left: {repo_id!r} mounts at {mount!r} filtered by {patterns}, so it still downloads from the Hub; pass --trust-patterns if the patterns keep every file it loads")
            elif slot == "loader":
                like = updated.args[i].value if isinstance(updated.args[i].value, cst.SimpleString) else None
                args[i] = updated.args[i].with_changes(value=_literal(mount, like))
                self.report(arg, "W105", f"{repo_id!r} -> {mount!r}: a legacy entry's weights load from its mount location")
                changed = True
            else:
                self.report(arg, "W114", f"{repo_id!r} left: this argument is not one the loader table knows to take a folder; the weights now mount at {mount!r}")
        updated = updated.with_changes(args=args)
        return self.fit(original, updated) if changed else updated

    def fit(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """A rewritten call that grew past the file's longest line (or 88) gets one argument per line, as a formatter would."""
        code = cst.Module([]).code_for_node(updated)
        if "#" in code or not updated.args or not self.lines:
            return updated
        where = self.get_metadata(PositionProvider, original)
        start, end = where.start, where.end
        if start.line == end.line:
            return updated  # a one-line call stays on its line (see README: formatting)
        tail = len(self.lines[end.line - 1]) - end.column if end.line <= len(self.lines) else 0
        rows = code.split("\n")
        widths = [start.column + len(rows[0])] + [len(r) for r in rows[1:]]
        widths[-1] += tail
        if max(widths) <= self.width:
            return updated
        line = self.lines[start.line - 1]
        indent = line[: len(line) - len(line.lstrip())]
        inner = indent + "    "

        def newline(ws: str) -> cst.ParenthesizedWhitespace:
            return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), indent=False, last_line=cst.SimpleWhitespace(ws))

        args = []
        for i, arg in enumerate(updated.args):
            last = i == len(updated.args) - 1
            comma = cst.Comma(whitespace_after=newline(indent if last else inner))
            args.append(arg.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace("")))
        return updated.with_changes(args=args, whitespace_before_args=newline(inner))

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
        if path is not None and constant is not None and constant in self.survey.used_constants and self.constant_uses(constant) == 1:
            path, why = None, f"its repo id is the constant {constant}, which nothing else would use"
        if path is None:
            self.report(original, "W113", f"{function or 'Hub API'}(...) left: it takes a repo id, never a folder ({why}); the weights of {repo_id!r} now mount at {mount!r}")
            return updated
        result = mount + ("/" + path if path else "")
        if isinstance(original.func, cst.Name) and name:  # the import may have lost its last use
            self.unused.append((name.rsplit(".", 1)[0], function, original.func.value if original.func.value != function else None))
        self.report(original, "W111", f"{function}(...) -> {result!r}: the legacy entry's files are at its mount location")
        return _literal(result)

    def constant_uses(self, constant: str) -> int:
        scope = self.get_metadata(ScopeProvider, self.survey.module, None)
        return sum(len(a.references) for a in scope.assignments[constant]) if scope else 0

    # -- cfg["model_cache"][i]["repo_id"], other uses of "model_cache", moved paths

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        pattern = m.Subscript(
            value=m.Subscript(
                value=m.Subscript(slice=[m.SubscriptElement(m.Index(m.SimpleString()))]),
                slice=[m.SubscriptElement(m.Index(m.Integer()))],
            ),
            slice=[m.SubscriptElement(m.Index(m.SimpleString()))],
        )
        if not m.matches(updated, pattern):
            return updated
        middle = updated.value
        top = middle.value
        block_key = top.slice[0].slice.value
        field_key = updated.slice[0].slice.value
        index = int(middle.slice[0].slice.value.value, 0)
        plan = self.legacy.get(index)
        if _string(block_key) not in ("model_cache", "hf_cache") or _string(field_key) != "repo_id":
            return updated
        if plan is None or not (plan.legacy and plan.kind == "hf"):
            return updated
        self.report(original, "W106", f'[{block_key.value}][{index}][{field_key.value}] -> ["weights"][{index}]["mount_location"]')
        original_key = original.value.value.slice[0].slice.value
        self.review = [n for n in self.review if n is not original_key]
        top = top.with_deep_changes(top.slice[0].slice, value=_literal("weights", block_key))
        middle = middle.with_changes(value=top)
        return updated.with_changes(value=middle).with_deep_changes(
            updated.slice[0].slice, value=_literal("mount_location", field_key)
        )

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        data = _string(original)
        if data is None:
            return updated
        constant = next((n for n, v in self.survey.constant_nodes.items() if v is original), None)
        if constant in self.survey.rewritten_constants:
            mount = self.legacy_ids[data]
            self.report(original, "W105", f"{data!r} -> {mount!r}: every use of {constant} loads the legacy entry's weights, from its mount location now")
            return _literal(mount, original)
        if data in self.legacy_ids and not self.sources and constant not in self.survey.used_constants:
            self.pending[original] = data
        if data in ("model_cache", "hf_cache"):
            self.review.append(original)
        if "truss-transfer-cli" in data:
            command = self.start_command(original, data)
            if command is not None:
                return _literal(command, original)
        if self.moves:
            moved = rules.move_path(data, self.moves)
            if moved != data:
                self.report(original, "W008", f"path moved: {data!r} -> {moved!r}")
                return _literal(moved, original)
        return updated

    def start_command(self, node: cst.CSTNode, command: str) -> str | None:
        """A start command built next to a rewritten TrussConfig loses `truss-transfer-cli &&` (W004)."""
        if not self.rewrites_config:
            return None
        fixed = rules.drop_transfer_cli(command) if self.configs and self.configs[-1] else None
        if fixed is None:
            self.report(node, "W121", "`truss-transfer-cli` in a start command next to a rewritten TrussConfig left: "
                        "weights need no transfer step; drop it by hand unless the config uses trt_llm")
            return None
        self.report(node, "W120", "`truss-transfer-cli &&` dropped from a start command built for a rewritten TrussConfig (as W004)")
        return fixed

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.BaseExpression:
        parts = updated.parts
        if not parts or not any(isinstance(p, cst.FormattedStringText) and "truss-transfer-cli" in p.value for p in parts):
            return updated
        if not isinstance(parts[0], cst.FormattedStringText) or "truss-transfer-cli" not in parts[0].value:
            self.start_command(original, "")  # the command is split by an expression: only reported
            return updated
        # The whole command, each expression held by a placeholder word, so the shell chain reads
        # whole (a quote opened before an expression closes after it); the text parts come back.
        holders = [f"WMHOLD{i}X" for i in range(len(parts))]
        whole = "".join(p.value if isinstance(p, cst.FormattedStringText) else holders[i] for i, p in enumerate(parts))
        command = self.start_command(original, whole)
        if command is None:
            return updated
        pieces, rest = [], command
        for i, part in enumerate(parts):
            if isinstance(part, cst.FormattedStringText):
                continue
            text, sep, rest = rest.partition(holders[i])
            if not sep:
                raise ValueError("a placeholder of the start command was lost")  # E099, file untouched
            pieces.append(text)
        pieces.append(rest)
        texts = iter(pieces)
        new_parts, pending = [], next(texts)
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                continue
            new_parts += [cst.FormattedStringText(pending)] if pending else []
            new_parts.append(part)
            pending = next(texts)
        new_parts += [cst.FormattedStringText(pending)] if pending else []
        return updated.with_changes(parts=new_parts)

    def leave_FormattedStringText(self, original, updated):
        if self.moves:
            moved = rules.move_path(original.value, self.moves)
            if moved != original.value:
                self.report(original, "W008", f"path moved: {original.value!r} -> {moved!r}")
                return updated.with_changes(value=moved)
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        for node, repo_id in self.pending.items():
            mount = self.legacy_ids[repo_id]
            self.report(node, "W115", f"{repo_id!r} left in code: a legacy entry's id; its weights now mount at {mount!r} (use that path where this loads them)")
        for node in self.review:
            self.report(node, "W108", f"{node.value} in code: the config key is `weights` now; review this use by hand")
        return updated


_ENTRY = m.Subscript(
    value=m.Subscript(slice=[m.SubscriptElement(m.Index(m.SimpleString()))]),
    slice=[m.SubscriptElement(m.Index(m.Integer()))],
)


def _module_name(node) -> str:
    return cst.Module([]).code_for_node(node) if node is not None else ""


def _names_in_use(tree: cst.Module) -> set[str]:
    """Names the module reads outside its imports."""

    class Names(cst.CSTVisitor):
        def __init__(self):
            self.seen: set[str] = set()

        def visit_Import(self, node) -> bool:
            return False

        visit_ImportFrom = visit_Import

        def visit_Name(self, node: cst.Name) -> None:
            self.seen.add(node.value)

    names = Names()
    tree.visit(names)
    return names.seen


def _ordered(names: list[str]) -> bool:
    return names == sorted(names) or names == sorted(names, key=str.lower)


class _RenameImports(cst.CSTTransformer):
    """`from m import A, Old` -> `from m import A, New` in Old's own slot; the block's order kept.

    An old name still used elsewhere stays, and the new one is left to AddImportsVisitor.
    """

    def __init__(self, renames: dict[tuple[str, str], str], in_use: set[str]):
        super().__init__()
        self.renames, self.in_use, self.done = renames, in_use, set()

    def leave_ImportFrom(self, original: cst.ImportFrom, updated: cst.ImportFrom) -> cst.ImportFrom:
        if isinstance(updated.names, cst.ImportStar):
            return updated
        module = _module_name(updated.module)
        aliases = list(updated.names)
        names = [_module_name(a.name) for a in aliases]
        new_names = list(names)
        for i, alias in enumerate(aliases):
            new = self.renames.get((module, names[i]))
            if new is None or names[i] in self.in_use or new in names or alias.asname is not None:
                continue
            new_names[i] = new
            self.done.add((module, names[i]))
        if new_names == names:
            return updated
        if _ordered(names):
            new_names = sorted(new_names) if names == sorted(names) else sorted(new_names, key=str.lower)
        aliases = [a.with_changes(name=cst.Name(n)) for a, n in zip(aliases, new_names)]
        return updated.with_changes(names=aliases)


def _fix_imports(tree: cst.Module, imports, unused) -> cst.Module:
    if not imports and not unused:
        return tree
    renames = {(module, old): new for module, old, asname, new in imports if asname is None}
    if renames:
        renamer = _RenameImports(renames, _names_in_use(tree))
        tree = tree.visit(renamer)
        imports = [i for i in imports if i[3] not in {renames[k] for k in renamer.done} or (i[0], i[1]) not in renamer.done]
    context = CodemodContext()
    for module, old, asname, new in imports:
        AddImportsVisitor.add_needed_import(context, module, new)
        RemoveImportsVisitor.remove_unused_import(context, module, old, asname)
    for module, obj, asname in unused:
        RemoveImportsVisitor.remove_unused_import(context, module, obj, asname)
    tree = AddImportsVisitor(context).transform_module(tree)
    return RemoveImportsVisitor(context).transform_module(tree)


def _syntax_error(source: str, err: cst.ParserSyntaxError) -> Diagnostic:
    """Where Python itself places the error (libcst's own line can be off)."""
    try:
        compile(source, "<file>", "exec")
    except SyntaxError as exc:
        return Diagnostic(exc.lineno or 1, exc.offset or 1, "E030", f"Python syntax error: {exc.msg}")
    except ValueError:
        pass
    return Diagnostic(err.raw_line, err.raw_column + 1, "E030", f"Python syntax error: {err.message}")


def migrate_code(
    source: str,
    context: rules.Context = rules.Context(),
    legacy: list[LegacyEntry] | None = None,
    moves: dict[str, str] | None = None,
    trust_patterns: bool = False,
) -> CodeOutcome:
    """Migrate one Python module's text. Never raises for bad input."""
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    source = source[len(bom):]  # libcst's code would drop it
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        return CodeOutcome("failed", diagnostics=[_syntax_error(source, err)])
    wrapper = MetadataWrapper(module)
    survey = Survey(context, legacy or [], trust_patterns)
    wrapper.visit(survey)
    rewrite = Rewrite(survey, legacy or [], moves or {})
    rewrite.lines = source.splitlines()
    rewrite.width = max([88, *map(len, rewrite.lines)])
    tree = wrapper.visit(rewrite)
    tree = _fix_imports(tree, rewrite.imports, rewrite.unused)
    code = tree.code
    diagnostics = sorted(survey.diagnostics + rewrite.diagnostics, key=lambda d: (d.line, d.col))
    if code == source:
        return CodeOutcome("unchanged", diagnostics=diagnostics)
    try:
        compile(code, "<migrated>", "exec")
    except (SyntaxError, ValueError) as err:
        return CodeOutcome("failed", diagnostics=[Diagnostic(1, 1, "E099", f"internal error: the rewritten code does not compile ({err}); left untouched")])
    return CodeOutcome("migrated", bom + code, diagnostics)
