"""Python code: move ModelRepo / ModelCache constructs and the code that loads weights.

libcst keeps every byte it is not asked to change. Two passes over one tree:
`Survey` reads (constants, ModelRepo calls and their plans), `Rewrite` edits.
The mapping of a ModelRepo's arguments is rules.plan_entry, as for the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import GlobalScope, MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from . import rules
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

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider)

    def __init__(self, context: rules.Context):
        self.context = context
        self.constants: dict[str, str] = {}
        self.repos: dict[cst.Call, rules.EntryPlan] = {}  # calls to rewrite
        self.diagnostics: list[Diagnostic] = []
        self.legacy_ids: dict[str, str] = {}  # legacy HF repo id -> mount location
        self.containers: list[cst.Call] = []  # the open ModelCache / Assets / TrussConfig calls
        self.members: dict[cst.Call, list[cst.Call]] = {}  # container -> ModelRepo calls in it
        self.blocked: set[cst.Call] = set()  # containers holding a ModelRepo that stays
        self.opaque_ids: set[cst.Call] = set()  # ModelRepo calls whose HF repo_id is an expression

    def visit_Module(self, node: cst.Module) -> None:
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
        name = _truss_name(self.get_metadata(QualifiedNameProvider, node.func, set()))
        short = name.rsplit(".", 1)[-1] if name else None
        if short in ("ModelCache", *RENAMED_KEYWORDS):
            self.containers.append(node)
            self.members[node] = []
        if short != "ModelRepo":
            return
        for container in self.containers:
            self.members[container].append(node)
        try:
            self.repos[node] = self.plan(node)
        except Unresolved as why:
            self.report(node, "W107", f"ModelRepo left as it is: {why} cannot be resolved; migrate it by hand")
            self.blocked.update(self.containers)
        except rules.RuleError as err:
            self.report(node, "W110", f"ModelRepo left as it is: {err.message} ({err.code})")
            self.blocked.update(self.containers)

    def leave_Call(self, node: cst.Call) -> None:
        if self.containers and self.containers[-1] is node:
            self.containers.pop()

    def visit_List(self, node: cst.List) -> None:
        self.containers.append(node)
        self.members[node] = []

    def leave_List(self, node: cst.List) -> None:
        self.containers.pop()

    visit_Tuple, leave_Tuple = visit_List, leave_List

    def leave_Module(self, node: cst.Module) -> None:
        """A list keeps ModelRepo or WeightsSource entries, never a mix of both."""
        for container in self.blocked:
            for call in self.members[container]:
                if self.repos.pop(call, None) is not None:
                    self.report(call, "W107", "ModelRepo left as it is: another entry in its list cannot be migrated")
        for plan in self.repos.values():
            if plan.legacy and plan.kind == "hf" and plan.repo_id != PLACEHOLDER_ID:
                self.legacy_ids[plan.repo_id] = plan.weight["mount_location"]

    def plan(self, call: cst.Call) -> rules.EntryPlan:
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
        plan = rules.plan_entry(entry, self.context)
        if "repo_id" in opaque and (plan.kind != "hf" or plan.legacy):
            raise Unresolved(f"repo_id={cst.Module([]).code_for_node(_arg(call, 'repo_id').value)}")
        for change in plan.changes:
            if change.old in opaque and change.value is not rules.UNCHANGED and change.old != "repo_id":
                raise Unresolved(change.old)
        if "repo_id" in opaque:
            self.opaque_ids.add(call)
        return plan


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


def _arg(call: cst.Call, keyword: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


class Rewrite(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ScopeProvider)

    def __init__(self, survey: Survey, legacy: list[LegacyEntry], moves: dict[str, str]):
        super().__init__()
        self.survey = survey
        self.legacy = {e.index: e.plan for e in legacy}
        self.legacy_ids = dict(survey.legacy_ids)
        for entry in legacy:
            if entry.plan.legacy and entry.plan.kind == "hf":
                self.legacy_ids[entry.plan.repo_id] = entry.plan.weight["mount_location"]
        self.moves = moves
        self.imports: list[tuple[str, str, str | None, str]] = []  # module, old, asname, new
        self.diagnostics: list[Diagnostic] = []
        self.protected: set[cst.Call] = set()
        self.review: list[cst.SimpleString] = []  # "model_cache" strings not rewritten
        self.unused: list[tuple[str, str, str | None]] = []  # imports that may have lost their last use

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

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        name = self.qualified(original.func)
        short = name.rsplit(".", 1)[-1] if name else None
        if original in self.survey.blocked:
            pass
        elif original in self.survey.repos:
            updated = self.rewrite_repo(original, updated, self.survey.repos[original])
        elif short == "ModelCache":
            updated = self.rename_func(original, updated, name)
            self.report(original, "W103", "ModelCache([...]) -> Weights([...])")
        elif short in RENAMED_KEYWORDS:
            old, new = RENAMED_KEYWORDS[short]
            arg = _arg(updated, old)
            if arg is not None:
                updated = updated.with_deep_changes(arg, keyword=cst.Name(new))
                self.report(original, "W102" if short == "Assets" else "W104", f"{short}({old}=...) -> {short}({new}=...)")
        if original not in self.protected and self.legacy_ids:
            updated = self.legacy_arguments(original, updated)
        return updated

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
            elif change.value is not rules.UNCHANGED:
                arg = arg.with_changes(value=_literal(change.value, arg.value))
            args.append(arg)
            if change.new == "source":
                args += [_new_arg(k, v, arg, sep) for k, v in plan.inserts]
        if orphans:
            args = _keep_comments(args, orphans, updated)
        args = _arrange_commas(args, updated, sep)
        updated = self.rename_func(original, updated.with_changes(args=args), self.qualified(original.func))
        self.report(original, "W101", "ModelRepo(...) -> WeightsSource(...)")
        for note in plan.notes:
            self.report(original, note.code, note.message)
        return updated

    def drop_imports(self, value: cst.BaseExpression) -> None:
        """Names only a dropped argument used (kind=ModelRepoSourceKind.S3) lose their import."""
        for name in m.findall(value, m.Name()):
            qualified = self.qualified(name)
            if qualified and "." in qualified:
                module, obj = qualified.rsplit(".", 1)
                self.unused.append((module, obj, name.value if name.value != obj else None))

    def legacy_arguments(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """A legacy HF repo id passed to a call loads from the mount location now."""
        args = list(updated.args)
        for i, arg in enumerate(args):
            data = _string(arg.value)
            if data is None and isinstance(arg.value, cst.Name) and i < len(original.args):
                data = _constant(self, original.args[i].value, self.survey.constants)
            if data in self.legacy_ids:
                mount = self.legacy_ids[data]
                like = arg.value if isinstance(arg.value, cst.SimpleString) else None
                args[i] = arg.with_changes(value=_literal(mount, like))
                self.report(original.args[i], "W105", f"{data!r} -> {mount!r}: a legacy entry's weights load from its mount location")
        return updated.with_changes(args=args)

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
        if data in ("model_cache", "hf_cache"):
            self.review.append(original)
        if self.moves:
            moved = rules.move_path(data, self.moves)
            if moved != data:
                self.report(original, "W008", f"path moved: {data!r} -> {moved!r}")
                return _literal(moved, original)
        return updated

    def leave_FormattedStringText(self, original, updated):
        if self.moves:
            moved = rules.move_path(original.value, self.moves)
            if moved != original.value:
                self.report(original, "W008", f"path moved: {original.value!r} -> {moved!r}")
                return updated.with_changes(value=moved)
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        for node in self.review:
            self.report(node, "W108", f"{node.value} in code: the config key is `weights` now; review this use by hand")
        return updated


def _fix_imports(tree: cst.Module, imports, unused) -> cst.Module:
    if not imports and not unused:
        return tree
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
) -> CodeOutcome:
    """Migrate one Python module's text. Never raises for bad input."""
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    source = source[len(bom):]  # libcst's code would drop it
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        return CodeOutcome("failed", diagnostics=[_syntax_error(source, err)])
    wrapper = MetadataWrapper(module)
    survey = Survey(context)
    wrapper.visit(survey)
    rewrite = Rewrite(survey, legacy or [], moves or {})
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
