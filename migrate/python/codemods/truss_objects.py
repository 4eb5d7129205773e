"""W101-W104: ModelRepo, Assets(cached=), ModelCache, TrussConfig(model_cache=) move to the weights constructs."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...core.entry import UNCHANGED, EntryPlan, PatternList
from ..imports import DroppedImport, RenamedImport
from ..survey import PLACEHOLDER_ID, RENAMED_CALLS, RENAMED_KEYWORDS, Call, post
from . import pattern_lists
from .base import QUOTES, Codemod, code_of, cst, literal

if TYPE_CHECKING:
    from .rewrite import Rewrite


@dataclass(frozen=True)
class RepoEdit:
    """A ModelRepo call that becomes a WeightsSource: its plan, and what the survey knew of its arguments."""

    plan: EntryPlan
    callee: str  # the qualified name of ModelRepo, as imported
    opaque_id: bool  # the Hugging Face repo_id is an expression
    constants: frozenset[int]  # arguments that are a module constant's name


@dataclass(frozen=True)
class Rename:
    """ModelCache(...) -> Weights(...), or a container's keyword: cached= / model_cache= -> weights=."""

    callee: str
    keyword: tuple[str, str] | None = None


def _commented_line(comma: cst.Comma | cst.MaybeSentinel) -> cst.TrailingWhitespace | None:
    """The end of the line a comma closes, where it holds a comment."""
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        line = comma.whitespace_after.first_line
        return line if line.comment is not None else None
    return None


def _comment_of(comma: cst.Comma | cst.MaybeSentinel) -> cst.Comment | None:
    line = _commented_line(comma)
    return line.comment if line is not None else None


def _without_comment(whitespace: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
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
    return cst.Arg(keyword=cst.Name(key), value=literal(str(data), beside.value), equal=beside.equal, comma=sep)


def _arrange_commas(args: list[cst.Arg], call: cst.Call, sep: cst.Comma) -> list[cst.Arg]:
    """Separators between arguments, the call's own trailing comma (or none) after the last.

    An argument's own end-of-line comment stays with it.
    """
    last = call.args[-1].comma if call.args else cst.MaybeSentinel.DEFAULT
    out = []
    for i, arg in enumerate(args):
        commented = _commented_line(arg.comma)
        comma = (
            last
            if i == len(args) - 1
            else (sep if arg.comma is last or arg.comma is cst.MaybeSentinel.DEFAULT else arg.comma)
        )
        if commented is not None and _comment_of(comma) is None and isinstance(comma, cst.Comma):
            ws = comma.whitespace_after
            if isinstance(ws, cst.ParenthesizedWhitespace):
                comma = comma.with_changes(whitespace_after=ws.with_changes(first_line=commented))
        out.append(arg.with_changes(comma=comma))
    return out


def _keep_comments(args: list[cst.Arg], comments: list[cst.Comment]) -> list[cst.Arg]:
    """Put comments of dropped arguments on lines of their own after the previous argument."""
    comma = args[-1].comma if args else None
    if not isinstance(comma, cst.Comma) or not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return args  # a one-line call has no comments to keep
    ws = comma.whitespace_after
    lines = [cst.EmptyLine(indent=ws.indent, whitespace=ws.last_line, comment=c) for c in comments]
    comma = comma.with_changes(whitespace_after=ws.with_changes(empty_lines=[*ws.empty_lines, *lines]))
    return [*args[:-1], args[-1].with_changes(comma=comma)]


def hf_source(expr: cst.BaseExpression, planned: str) -> cst.BaseExpression:
    """The source for an HF id that is an expression: itself (seed), or f"hf://{expr}@rev" (truss)."""
    if PLACEHOLDER_ID not in planned:
        raise ValueError("planned source lost the placeholder")
    before, after = planned.split(PLACEHOLDER_ID, 1)
    if not before and not after:
        return expr
    code = code_of(expr)
    quote = next((q for q in QUOTES if q not in code), None)
    if quote is None or "{" in before + after or "}" in before + after:  # no f-string can hold it
        parts: list[cst.BaseExpression] = [literal(before)] if before else []
        parts += [cst.Call(cst.Name("str"), [cst.Arg(expr)])] + ([literal(after)] if after else [])
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


class TrussObjects(Codemod):
    """The truss constructs that move with the config, rewritten where their entries flow into a rewritten container."""

    CODES: ClassVar[tuple[str, ...]] = ("W101", "W102", "W103", "W104")

    def decide(self) -> None:
        survey = self.survey
        for call in sorted(survey.calls.values(), key=lambda c: post(c.node)):
            key = id(call.node)
            if key in survey.blocked:
                continue
            if key in survey.repos:
                self.repo(call, survey.repos[key])
            elif key not in survey.changeable or call.truss is None:
                continue
            elif call.short == "ModelCache":
                self.edit("Call", call.node, Rename(call.truss))
                self.renamed(call)
                self.report(call.node, "W103", "ModelCache([...]) -> Weights([...])")
            elif call.short in RENAMED_KEYWORDS:
                old, new = RENAMED_KEYWORDS[call.short]
                if call.argument(old) is not None:
                    self.edit("Call", call.node, Rename(call.truss, (old, new)))
                    self.survey.imports.take_name(old)
                    code = "W102" if call.short == "Assets" else "W104"
                    self.report(call.node, code, f"{call.short}({old}=...) -> {call.short}({new}=...)")

    def repo(self, call: Call, plan: EntryPlan) -> None:
        survey = self.survey
        constants = frozenset(
            i for i, a in enumerate(call.arguments) if isinstance(a.value, ast.Name) and a.value.id in survey.constants
        )
        opaque = id(call.node) in survey.opaque_ids
        self.edit("Call", call.node, RepoEdit(plan, call.truss or "", opaque, constants))
        self.renamed(call)
        self.taken_arguments(call, plan, opaque, constants)
        self.report(call.node, "W101", "ModelRepo(...) -> WeightsSource(...)")
        for note in plan.notes:
            self.report(call.node, note.code, note.message)

    def renamed(self, call: Call) -> None:
        """ModelRepo / ModelCache renamed: a bare name's import follows, and the old spelling is gone."""
        name, func = call.truss or "", call.node.func
        old = name.rsplit(".", 1)[-1]
        if isinstance(func, ast.Name):
            asname = func.id if func.id != old else None
            self.survey.imports.renamed.append(RenamedImport(name.rsplit(".", 1)[0], old, asname, RENAMED_CALLS[old]))
            self.survey.imports.take_name(func.id)
        elif isinstance(func, ast.Attribute):
            self.survey.imports.take_name(func.attr)

    def taken_arguments(self, call: Call, plan: EntryPlan, opaque: bool, constants: frozenset[int]) -> None:
        """What the rewrite of a ModelRepo's arguments takes out of the code: dropped arguments with the
        imports only they used, renamed keywords, and values written anew."""
        imports = self.survey.imports
        changes = {c.old: c for c in plan.changes}
        for i, argument in enumerate(call.arguments):
            change = changes[argument.keyword or ""]
            if change.new is None:
                imports.dropped += self.dropped_imports(argument.value)
                imports.take(argument.node)
                continue
            if change.new != change.old:
                imports.take_name(change.old)
            kept = change.new == "source" and (opaque or (i in constants and _constant_source(plan)))
            edited_in_place = isinstance(change.value, PatternList)  # its items stay, new ones join them
            if not kept and not edited_in_place and change.value is not UNCHANGED:
                imports.take(argument.value)

    def dropped_imports(self, value: ast.expr) -> list[DroppedImport]:
        """Names only a dropped argument used (kind=ModelRepoSourceKind.S3) lose their import."""
        found = []
        for node in ast.walk(value):
            if not isinstance(node, ast.Name):
                continue
            names = self.survey.scopes.qualified(node)
            qualified = next((n for n in sorted(names) if n.split(".")[0] in ("truss", "truss_chains")), None)
            if qualified and "." in qualified:
                module, obj = qualified.rsplit(".", 1)
                found.append(DroppedImport(module, obj, node.id if node.id != obj else None))
        return found

    def edit_call(
        self, rewrite: Rewrite, original: cst.Call, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if not isinstance(updated, cst.Call):
            return updated
        if isinstance(payload, RepoEdit):
            return self.rewrite_repo(rewrite, original, updated, payload)
        if isinstance(payload, Rename) and payload.keyword is None:
            return rename_func(updated, payload.callee)
        if isinstance(payload, Rename) and payload.keyword is not None:
            old, new = payload.keyword
            arg = next((a for a in updated.args if a.keyword is not None and a.keyword.value == old), None)
            return updated.with_deep_changes(arg, keyword=cst.Name(new)) if arg is not None else updated
        return updated

    def rewrite_repo(self, rewrite: Rewrite, original: cst.Call, updated: cst.Call, edit: RepoEdit) -> cst.Call:
        plan = edit.plan
        changes = {c.old: c for c in plan.changes}
        sep = _separator(updated)
        args: list[cst.Arg] = []
        orphans: list[cst.Comment] = []  # comments of dropped arguments, kept as lines
        for i, arg in enumerate(updated.args):
            if arg.keyword is None:
                raise ValueError("a ModelRepo argument without a keyword was planned")  # the survey refuses them
            change = changes[arg.keyword.value]
            if change.new is None:
                orphans += filter(None, [_comment_of(arg.comma)])
                continue
            if orphans:
                args = _keep_comments(args, orphans)
                orphans = []
            if change.new != change.old:
                arg = arg.with_changes(keyword=cst.Name(change.new))
            if change.new == "source" and edit.opaque_id:
                arg = arg.with_changes(value=hf_source(arg.value, plan.weight["source"]))
            elif change.new == "source" and i in edit.constants and _constant_source(plan):
                planned = plan.weight["source"].replace(f"hf://{plan.repo_id}", f"hf://{PLACEHOLDER_ID}", 1)
                arg = arg.with_changes(value=hf_source(arg.value, planned))
            elif isinstance(change.value, PatternList):
                arg = arg.with_changes(value=pattern_lists.rewritten(arg.value, change.value))
            elif change.value is not UNCHANGED:
                arg = arg.with_changes(value=literal(str(change.value), arg.value))
            args.append(arg)
            if change.new == "source":
                args += [_new_arg(k, v, arg, sep) for k, v in plan.inserts]
        if orphans:
            args = _keep_comments(args, orphans)
        args = _arrange_commas(args, updated, sep)
        updated = rename_func(updated.with_changes(args=args), edit.callee)
        return rewrite.fit(original, updated)


def _constant_source(plan: EntryPlan) -> bool:
    """A constant HF id stays the source's expression, so the constant keeps its other uses."""
    return (
        plan.kind == "hf" and not plan.repo_id.startswith("hf://") and f"hf://{plan.repo_id}" in plan.weight["source"]
    )


def rename_func(updated: cst.Call, name: str) -> cst.Call:
    """ModelRepo(...) -> WeightsSource(...), ModelCache(...) -> Weights(...) (its import follows: imports.py)."""
    new = RENAMED_CALLS[name.rsplit(".", 1)[-1]]
    func = updated.func
    if isinstance(func, cst.Attribute):  # truss_config.ModelRepo: the module import stays
        return updated.with_changes(func=func.with_changes(attr=cst.Name(new)))
    if isinstance(func, cst.Name):
        return updated.with_changes(func=cst.Name(new))
    return updated
