"""W124: a start command in a Python literal whose server is given a mounted repository by id: the
mount is served instead where the command names the served model itself, as W016 does in a config.

A string or an f-string whose text is a server command (`"vllm serve org/name ..."`), or a list of
string literals that is one (`["vllm", "serve", "org/name"]`). A literal is edited where it spells
the id as it reads, and last of the rules at its node: a path moved or a transfer step dropped by
the rules before it stays, as the id is replaced in what they left.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...core import serve
from ..findings import REWRITE
from ..survey import Argv, post
from ..syntax import FText, StringPiece, Where
from .base import Codemod, cst

if TYPE_CHECKING:
    from .rewrite import Rewrite

WHERE = "start command"
_HOLDER = "WMSERVE{}X"  # a word holding an f-string's expression while its text is read as a command


@dataclass(frozen=True)
class Mounts:
    """The ids of a command to serve from their mount: (id, role) -> the mount location."""

    locations: dict[tuple[str, str], str]


@dataclass(frozen=True)
class ItemMount:
    """An argv item giving a server an id, which becomes the mount location: where the id stands in it."""

    start: int
    repo_id: str
    location: str


class ServeCommand(Codemod):
    """Server commands in strings, f-strings and argv lists."""

    CODES: ClassVar[tuple[str, ...]] = ("W124",)

    def decide(self) -> None:
        survey = self.survey
        self.mounts = {
            repo_id: serve.Mount(repo_id, m.mount_location, m.patterns, m.revision, m.index)
            for repo_id, m in survey.mounted.items()
        }
        if not self.mounts:
            return
        for piece in survey.strings():
            node = piece.node
            if id(node) in survey.inert or id(node) in survey.sources or self.docstring(node):
                continue
            if piece.formatted:
                self.fstring(piece)
            elif isinstance(piece.value, str):
                self.string(piece, piece.value)
        for argv in survey.argvs():
            if id(argv.node) not in survey.inert:
                self.argv(argv)

    def docstring(self, node: ast.AST) -> bool:
        """A string standing as a statement of its own (a docstring, a note): it runs nothing."""
        statement = self.survey.statement_of(node)
        return isinstance(statement, ast.Expr) and statement.value is node

    def string(self, piece: StringPiece, value: str) -> None:
        def in_place(found: serve.Served) -> bool:
            return _respelled(piece.raw, value, [(found.start, found.repo_id, "")]) is not None

        found = serve.served(value)
        decisions = serve.decide(found, self.mounts, self.survey.trust_patterns, in_place)
        self.settle(piece, decisions)

    def fstring(self, piece: StringPiece) -> None:
        parts = self.survey.fstring_texts(piece, moved=False)
        whole = _whole([p.value if isinstance(p, FText) else None for p in parts])
        # the raw text is read: an id is replaced where it is spelled, and no escape is in an id
        self.settle(piece, serve.decide(serve.served(whole), self.mounts, self.survey.trust_patterns))

    def argv(self, argv: Argv) -> None:
        survey = self.survey

        def item(found: serve.Served) -> tuple[ast.expr, int]:
            """The item giving the id, and where the id starts in it."""
            index = argv.element(found)
            return argv.node.elts[index], found.start - len(serve.joined([*argv.values[:index], ""]))

        def in_place(found: serve.Served) -> bool:
            element, start = item(found)
            raw = survey.source.segment(element)
            return _respelled(raw, argv.values[argv.element(found)], [(start, found.repo_id, "")]) is not None

        for decision in serve.decide(argv.served, self.mounts, survey.trust_patterns, in_place):
            element, start = item(decision.served)
            where = survey.where(element)
            self.report_decision(where, element, decision)
            if decision.rewritten:
                mount = ItemMount(start, decision.served.repo_id, decision.mount.location)
                self.edit_at("SimpleString", where, mount, element)

    def settle(self, piece: StringPiece, decisions: list[serve.Decision]) -> None:
        """Report each served id at the literal; the literal edited for those that move to their mount."""
        for decision in decisions:
            self.report_decision(piece.where, piece.node, decision)
        locations = {(d.served.repo_id, d.served.role): d.mount.location for d in decisions if d.rewritten}
        if locations:
            self.edit_at(piece.kind, piece.where, Mounts(locations), piece.node)

    def report_decision(self, where: Where, node: ast.AST, decision: serve.Decision) -> None:
        survey, served = self.survey, decision.served
        message = serve.message(decision, WHERE)  # a rewrite's report: a test module holds it back (W122)
        survey.report_at(where, (REWRITE, post(node), self.rule), "W124", message, of_rewrite=decision.rewritten)
        survey.site(served.repo_id, "mount" if decision.rewritten else "hub", where[0], "W124")

    # -- the rewrite: on what the rules before this one left of the literal

    def edit_string(
        self, rewrite: Rewrite, original: cst.SimpleString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        value = updated.evaluated_value if isinstance(updated, cst.SimpleString) else None
        if not isinstance(updated, cst.SimpleString) or not isinstance(value, str):
            return updated
        if isinstance(payload, ItemMount):
            changes = [(payload.start, payload.repo_id, payload.location)]
        elif isinstance(payload, Mounts):
            found = [f for f in serve.served(value) if (f.repo_id, f.role) in payload.locations]
            changes = [(f.start, f.repo_id, payload.locations[(f.repo_id, f.role)]) for f in found]
        else:
            return updated
        raw = _respelled(updated.value, value, changes)
        if raw is None:
            raise ValueError("a served id is no longer spelled as it reads")  # E099, file untouched
        return updated.with_changes(value=raw)

    def edit_fstring(
        self, rewrite: Rewrite, original: cst.FormattedString, updated: cst.BaseExpression, payload: object
    ) -> cst.BaseExpression:
        if not isinstance(payload, Mounts) or not isinstance(updated, cst.FormattedString):
            return updated
        texts = [p.value if isinstance(p, cst.FormattedStringText) else None for p in updated.parts]
        whole = _whole(texts)
        chosen = [f for f in serve.served(whole) if (f.repo_id, f.role) in payload.locations]
        mounts = {repo_id: serve.Mount(repo_id, location, {}) for (repo_id, _), location in payload.locations.items()}
        new = serve.rewrite(whole, [serve.Decision(f, mounts[f.repo_id], None) for f in chosen])
        return updated.with_changes(parts=_parts(updated.parts, new))


def _whole(texts: list[str | None]) -> str:
    """An f-string's raw text, each expression held by a placeholder word."""
    return "".join(_HOLDER.format(i) if text is None else text for i, text in enumerate(texts))


def _parts(parts: Sequence[cst.BaseFormattedStringContent], whole: str) -> list[cst.BaseFormattedStringContent]:
    """The f-string's parts again, its text parts taken from whole (the expressions stay)."""
    out: list[cst.BaseFormattedStringContent] = []
    rest = whole
    for i, part in enumerate(parts):
        if isinstance(part, cst.FormattedStringText):
            continue
        text, sep, rest = rest.partition(_HOLDER.format(i))
        if not sep:
            raise ValueError("an expression of the start command was lost")  # E099, file untouched
        out += [cst.FormattedStringText(text)] if text else []
        out.append(part)
    out += [cst.FormattedStringText(rest)] if rest else []
    return out


def _respelled(raw: str, value: str, changes: list[tuple[int, str, str]]) -> str | None:
    """A literal's source with each (where in value, id, location) change made where the source spells
    the id; None when the source does not spell each id as it reads (an escape in it)."""
    spans = []
    for start, repo_id, location in changes:
        if value[start : start + len(repo_id)] != repo_id or raw.count(repo_id) != value.count(repo_id):
            return None
        at = _nth(raw, repo_id, _occurrence(value, repo_id, start))
        spans.append((at, at + len(repo_id), location))
    out, done = [], 0
    for start, end, location in sorted(spans):
        out += [raw[done:start], location]
        done = end
    new = "".join(out) + raw[done:]
    expected = value
    for start, repo_id, location in sorted(changes, reverse=True):
        expected = expected[:start] + location + expected[start + len(repo_id) :]
    try:
        return new if ast.literal_eval(new) == expected else None
    except (SyntaxError, ValueError):
        return None


def _occurrence(text: str, repo_id: str, start: int) -> int:
    """How many times repo_id stands in text before start (each found after the one before)."""
    count, at = 0, text.find(repo_id)
    while 0 <= at < start:
        count += 1
        at = text.find(repo_id, at + len(repo_id))
    return count


def _nth(text: str, repo_id: str, count: int) -> int:
    """Where repo_id stands in text after count others (each found after the one before)."""
    at = text.find(repo_id)
    for _ in range(count):
        at = text.find(repo_id, at + len(repo_id))
    return at
