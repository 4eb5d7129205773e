"""What every codemod shares: the names that move, literal helpers, `report`, and the state of one rewrite."""

from __future__ import annotations

import fnmatch
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal, NamedTuple

import libcst as cst
from libcst import MetadataDependent
from libcst.metadata import (
    GlobalScope,
    PositionProvider,
    ProviderT,
    QualifiedName,
    QualifiedNameProvider,
    ScopeProvider,
)

from ...core.diagnostics import Diagnostic
from ...core.entry import EntryPlan

if TYPE_CHECKING:
    from .survey import Survey

# old name -> new name, for the constructs that move with the config
RENAMED_CALLS = {"ModelRepo": "WeightsSource", "ModelCache": "Weights"}
RENAMED_KEYWORDS = {"Assets": ("cached", "weights"), "TrussConfig": ("model_cache", "weights")}
KIND_MEMBERS = {"HF": "hf", "GCS": "gcs", "S3": "s3", "AZURE": "azure"}
# Keys whose value the mapping only passes through: an expression there can stay as written. Not the
# pattern lists: the mapping rewrites their patterns, so it must know them.
OPAQUE: dict[str, object] = {"runtime_secret_name": "secret"}
PLACEHOLDER_ID = "placeholder-org/placeholder-name"
QUOTES: tuple[Literal['"'], Literal["'"]] = ('"', "'")

# allow_patterns / ignore_patterns of an entry -> the patterns
Patterns = dict[str, list[str]]


@dataclass
class LegacyEntry:
    """An entry of the truss's migrated config, for the code that used it."""

    index: int
    plan: EntryPlan


class RenamedImport(NamedTuple):
    """`from module import old [as asname]`, whose uses became `new`."""

    module: str
    old: str
    asname: str | None
    new: str


class DroppedImport(NamedTuple):
    """`from module import name [as asname]`, which may have lost its last use."""

    module: str
    name: str
    asname: str | None


class Unresolved(Exception):
    """An argument of a ModelRepo call whose value the survey cannot know."""


def _code(node: cst.CSTNode) -> str:
    """The source text of a node, as the module would print it."""
    return cst.Module([]).code_for_node(node)


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        data = node.evaluated_value
        return data if isinstance(data, str) else None
    return None


def _literal(data: str, like: cst.BaseExpression | None = None) -> cst.SimpleString:
    """A string literal for data, in the quote style of `like` where it is a plain string."""
    quote = '"'
    if isinstance(like, cst.SimpleString) and like.quote in QUOTES and not like.prefix:
        quote = like.quote
    escaped = data.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", "\\n")
    return cst.SimpleString(f"{quote}{escaped}{quote}")


def _truss_name(names: Collection[QualifiedName]) -> str | None:
    """The qualified name that comes from truss or truss_chains, if any."""
    for qualified in names:
        if qualified.name.split(".")[0] in ("truss", "truss_chains"):
            return qualified.name
    return None


def _arg(call: cst.Call, keyword: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


def _constant(visitor: MetadataDependent, name: cst.Name, constants: dict[str, str]) -> str | None:
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


def _patterns_of(plan: EntryPlan) -> Patterns:
    return {k: plan.weight[k] for k in ("allow_patterns", "ignore_patterns") if k in plan.weight}


def _passes(path: str, patterns: Patterns) -> bool:
    """Whether a file is in a legacy entry's mount: its planned allow/ignore lists (`plan.weight`),
    read by the matcher that filtered the entry before, huggingface_hub's (fnmatch, a last `/` read
    as `/*`); under it the planned lists select exactly what the old ones did."""
    allow, ignore = patterns.get("allow_patterns"), patterns.get("ignore_patterns", [])
    if allow is not None and not any(_hub_selects(path, p) for p in allow):
        return False
    return not any(_hub_selects(path, p) for p in ignore)


def _hub_selects(path: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(path, pattern + "*" if pattern.endswith("/") else pattern)


def _describe(patterns: Patterns) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in patterns.items())


def _newline(indent: str) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), indent=False, last_line=cst.SimpleWhitespace(indent)
    )


class Reporting(MetadataDependent):
    """`report(node, code, message)`: a Diagnostic at the node's position in the parsed source.

    libcst's own `warn` carries a message only; ours carry line, column and a stable code.
    """

    CODES: ClassVar[tuple[str, ...]] = ()  # the codes this class reports, each documented in diagnostics.CODES
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.diagnostics: list[Diagnostic] = []

    def line(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node).start
        return pos.line, pos.column + 1

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(*self.line(node), code, message))


class Codemod(Reporting, cst.CSTTransformer):
    """One rule family of the registry. `rewrite.Rewrite` composes them into one walk; this is their shared state."""

    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (QualifiedNameProvider, PositionProvider)

    def __init__(self, survey: Survey, legacy: Sequence[LegacyEntry], moves: dict[str, str]):
        super().__init__()
        self.survey = survey
        self.legacy = {e.index: e.plan for e in legacy}  # entry index in the config -> its plan
        # legacy HF repo id -> mount location
        self.legacy_ids: dict[str, str] = {
            repo_id: plan.weight["mount_location"] for repo_id, plan in survey.legacy_plans.items()
        }
        self.moves = moves
        self.imports: list[RenamedImport] = []
        self.protected: set[cst.Call] = set()
        self.review: list[cst.SimpleString] = []  # "model_cache" strings not rewritten
        self.unused: list[DroppedImport] = []
        self.pending: dict[cst.CSTNode, str] = {}  # legacy ids in code not yet rewritten or reported
        self.sources = 0  # depth inside ModelRepo / WeightsSource calls, whose ids are sources
        self.lines: list[str] = []  # the source, for the width of rewritten calls
        self.width = 88
        self.configs: list[bool] = []  # open rewritten TrussConfig calls: may their start command change?
        self.rewrites_config = any(self.survey.containers.get(c) == "TrussConfig" for c in survey.changeable)

    def qualified(self, node: cst.CSTNode) -> str | None:
        return _truss_name(self.get_metadata(QualifiedNameProvider, node, set()))

    def fit(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """A rewritten call that grew past the file's longest line (or 88) gets one argument per line.

        As a formatter would; a call that was on one line stays on it (see README: formatting).
        """
        code = _code(updated)
        if "#" in code or not updated.args or not self.lines:
            return updated
        where = self.get_metadata(PositionProvider, original)
        start, end = where.start, where.end
        if start.line == end.line:
            return updated
        tail = len(self.lines[end.line - 1]) - end.column if end.line <= len(self.lines) else 0
        rows = code.split("\n")
        widths = [start.column + len(rows[0])] + [len(r) for r in rows[1:]]
        widths[-1] += tail
        if max(widths) <= self.width:
            return updated
        line = self.lines[start.line - 1]
        indent = line[: len(line) - len(line.lstrip())]
        inner = indent + "    "
        args = []
        for i, arg in enumerate(updated.args):
            last = i == len(updated.args) - 1
            comma = cst.Comma(whitespace_after=_newline(indent if last else inner))
            args.append(arg.with_changes(comma=comma, whitespace_after_arg=cst.SimpleWhitespace("")))
        return updated.with_changes(args=args, whitespace_before_args=_newline(inner))
