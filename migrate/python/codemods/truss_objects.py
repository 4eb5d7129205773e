"""W101-W104: ModelRepo, Assets(cached=), ModelCache, TrussConfig(model_cache=) move to the weights constructs."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

import libcst as cst
import libcst.matchers as m
from libcst.metadata import PositionProvider, ProviderT, QualifiedNameProvider

from ...core.entry import UNCHANGED, EntryPlan, PatternList
from . import pattern_lists
from .base import PLACEHOLDER_ID, QUOTES, RENAMED_CALLS, Codemod, DroppedImport, RenamedImport, _code, _literal


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
    return cst.Arg(keyword=cst.Name(key), value=_literal(str(data), beside.value), equal=beside.equal, comma=sep)


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
    code = _code(expr)
    quote = next((q for q in QUOTES if q not in code), None)
    if quote is None or "{" in before + after or "}" in before + after:  # no f-string can hold it
        parts: list[cst.BaseExpression] = [_literal(before)] if before else []
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


class TrussObjects(Codemod):
    """The truss constructs that move with the config, rewritten where their entries flow into a rewritten container."""

    CODES: ClassVar[tuple[str, ...]] = ("W101", "W102", "W103", "W104")
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (
        QualifiedNameProvider,
        PositionProvider,
    )

    def rename_func(self, updated: cst.Call, name: str | None) -> cst.Call:
        """ModelRepo(...) -> WeightsSource(...), ModelCache(...) -> Weights(...); a bare name's import follows."""
        if name is None:
            return updated
        old = name.rsplit(".", 1)[-1]
        new = RENAMED_CALLS[old]
        func = updated.func
        if isinstance(func, cst.Attribute):  # truss_config.ModelRepo: the module import stays
            return updated.with_changes(func=func.with_changes(attr=cst.Name(new)))
        if isinstance(func, cst.Name):
            asname = func.value if func.value != old else None
            self.imports.append(RenamedImport(name.rsplit(".", 1)[0], old, asname, new))
            return updated.with_changes(func=cst.Name(new))
        return updated

    def rewrite_repo(self, original: cst.Call, updated: cst.Call, plan: EntryPlan) -> cst.Call:
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
                self.drop_imports(original.args[i].value)
                continue
            if orphans:
                args = _keep_comments(args, orphans)
                orphans = []
            if change.new != change.old:
                arg = arg.with_changes(keyword=cst.Name(change.new))
            if change.new == "source" and original in self.survey.opaque_ids:
                arg = arg.with_changes(value=hf_source(arg.value, plan.weight["source"]))
            elif change.new == "source" and self.constant_source(original.args[i].value, plan):
                planned = plan.weight["source"].replace(f"hf://{plan.repo_id}", f"hf://{PLACEHOLDER_ID}", 1)
                arg = arg.with_changes(value=hf_source(arg.value, planned))
            elif isinstance(change.value, PatternList):
                arg = arg.with_changes(value=pattern_lists.rewritten(arg.value, change.value))
            elif change.value is not UNCHANGED:
                arg = arg.with_changes(value=_literal(str(change.value), arg.value))
            args.append(arg)
            if change.new == "source":
                args += [_new_arg(k, v, arg, sep) for k, v in plan.inserts]
        if orphans:
            args = _keep_comments(args, orphans)
        args = _arrange_commas(args, updated, sep)
        updated = self.rename_func(updated.with_changes(args=args), self.qualified(original.func))
        updated = self.fit(original, updated)
        self.report(original, "W101", "ModelRepo(...) -> WeightsSource(...)")
        for note in plan.notes:
            self.report(original, note.code, note.message)
        return updated

    def constant_source(self, value: cst.BaseExpression, plan: EntryPlan) -> bool:
        """A constant HF id stays the source's expression, so the constant keeps its other uses."""
        return (
            isinstance(value, cst.Name)
            and plan.kind == "hf"
            and not plan.repo_id.startswith("hf://")
            and value.value in self.survey.constants
            and f"hf://{plan.repo_id}" in plan.weight["source"]
        )

    def drop_imports(self, value: cst.BaseExpression) -> None:
        """Names only a dropped argument used (kind=ModelRepoSourceKind.S3) lose their import."""
        for name in m.findall(value, m.Name()):
            qualified = self.qualified(name)
            if isinstance(name, cst.Name) and qualified and "." in qualified:
                module, obj = qualified.rsplit(".", 1)
                self.unused.append(DroppedImport(module, obj, name.value if name.value != obj else None))
