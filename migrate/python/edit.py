"""Python code: move ModelRepo / ModelCache constructs and the code that loads weights.

The module is read with `ast` (the interpreter's parser, in C): the survey reads it once, and the
registry's codemods (codemods/) decide from that what to report and what to rewrite. Only a module
with something to rewrite is parsed by libcst, which keeps every byte it is not asked to change:
the codemods edit it in one walk, then the imports follow. The mapping of a ModelRepo's arguments
is mapping.plan_entry, as for the YAML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.context import SEED, Context
from ..core.diagnostics import Diagnostic
from ..core.mapping import path_moves
from ..core.outcome import Outcome, Status
from ..core.suppress import Suppressions
from . import newer
from .codemods import REGISTRY
from .spans import Span, spans
from .survey import Survey

if TYPE_CHECKING:
    import libcst as cst


def migrate(source: str, context: Context = Context()) -> Outcome:
    """Migrate one Python module's text; context.truss holds the entries of its truss's config,
    whose legacy loaders and moved paths are followed into the code. Never raises for bad input."""
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    source = source[len(bom) :]  # libcst's code would drop it
    try:
        tree, newer_syntax = newer.parse_module(source)
    except (SyntaxError, ValueError) as err:
        return Outcome(Status.FAILED, diagnostics=[_syntax_error(source, err)])
    survey = Survey(source, tree, context)
    survey.moves = path_moves(context.truss, context)
    survey.read()
    for codemod in REGISTRY:
        rule = codemod(survey)
        survey.rules.append(rule)
        rule.decide()
    survey.mount_reads()
    suppressed = Suppressions(source, context.ignore, survey.source.lines)
    diagnostics = [d for d in survey.findings.ordered() if not suppressed(d.line, d.code)]
    # A test module does not run in the served model: where it loads an entry from says nothing of the truss.
    found = () if context.test_module else survey.sites
    sites = tuple(dict.fromkeys(s for s in found if not suppressed.answers(s)))
    if not survey.findings.edits:
        return Outcome(Status.UNCHANGED, diagnostics=diagnostics, sites=sites)
    code = _rewrite(survey)
    if code == source:
        return Outcome(Status.UNCHANGED, diagnostics=diagnostics, sites=sites)
    problem = _does_not_compile(code, newer_syntax)
    if problem is not None:
        refused = None if newer_syntax else _compile_error(source)
        if refused is not None:  # `ast` reads it, CPython's compiler refuses it (`f(a=1, a=2)`): the module's own error
            return Outcome(Status.FAILED, diagnostics=[_syntax_error(source, refused)])
        message = f"internal error: the rewritten code does not compile ({problem}); left untouched"
        return Outcome(Status.FAILED, diagnostics=[Diagnostic(1, 1, "E099", message)])
    return Outcome(Status.MIGRATED, bom + code, diagnostics, sites=sites, notices=_notices(diagnostics, context))


def filtered_repositories(source: str, context: Context = Context()) -> list[tuple[str, str]]:
    """--hub's first step: (repo_id, revision) of each filtered Hugging Face entry the module's own
    ModelRepo calls mount (the entries of a config are its own part's)."""
    try:
        tree, _ = newer.parse_module(source.removeprefix("\ufeff"))
    except (SyntaxError, ValueError):
        return []
    survey = Survey(source.removeprefix("\ufeff"), tree, context)
    survey.read()
    return [(m.repo_id, m.revision) for m in survey.mounted.values() if m.index is None and m.patterns]


def _does_not_compile(code: str, newer_syntax: bool) -> str | None:
    """Why the rewritten code does not compile, or None. Code written for a newer Python than this
    one is read as its survey was (newer.parse), so the verdict does not depend on the interpreter."""
    try:
        if newer_syntax:
            newer.parse(code)
        else:
            newer.quiet_compile(code, "<migrated>")
    except (SyntaxError, ValueError) as err:
        return str(err)
    return None


def _compile_error(source: str) -> SyntaxError | None:
    """The error CPython's compiler finds in a module `ast` reads (a keyword repeated, `return` outside
    a function, a late `from __future__` import), or None. Asked only when a rewrite does not compile:
    the survey never compiles."""
    try:
        newer.quiet_compile(source, "<module>")
    except SyntaxError as err:
        return err
    return None


def _rewrite(survey: Survey) -> str:
    """The module with the codemods' edits: libcst parses only the statements they touch (and loads only here)."""
    from libcst.metadata import MetadataWrapper

    from .codemods.imports import add_imports, remove_unused
    from .codemods.layout import module_width
    from .codemods.rewrite import Rewrite

    plan = survey.imports.plan(survey.tree)
    for statement in plan.statements:
        if any((m, a.name) in plan.renames for m in [statement.module or ""] for a in statement.names):
            survey.findings.edit("ImportFrom", survey.where(statement), (None, plan), statement)
    edited = [survey.statement_of(node) for node in survey.findings.nodes] + list(plan.statements)
    lines = survey.source.lines
    bare = [line.rstrip("\r\n") for line in lines]
    width = survey.context.line_length or module_width(survey.source.text)
    out: list[str] = []
    done = 0
    for span in spans(survey.tree, edited, bool(plan.additions), lines, plan.removing):
        module, offset, prefix = _parse_span(lines, span, survey.source.newline)
        rewrite = Rewrite(survey.findings.edits, survey.rules, bare, offset, width)
        tree = MetadataWrapper(module, unsafe_skip_copy=True).visit(rewrite)
        if span.head and plan.additions:
            tree = add_imports(tree, plan)
        if plan.removals:
            tree = remove_unused(tree, plan, prefixed=not span.head)
        out += lines[done : span.first - 1]
        text = tree.code[len(prefix) :]
        if lines[span.last - 1].endswith("\r") and not text.endswith("\r"):
            text += "\r"  # libcst drops a lone CR that ends the code it parses
        out.append(text)
        done = span.last
    out += lines[done:]
    code = "".join(out)
    if plan.removals and code[:1] in ("\n", "\r") and lines and lines[0].strip():
        code = code.lstrip("\r\n")  # the first statement, an import, went: so do the blank lines after it
    return code


def _parse_span(lines: list[str], span: Span, newline: str) -> tuple[cst.Module, int, str]:
    """A span's statements as a module of their own, after a `pass` that keeps their block from ever
    being empty and their leading lines their own: nested ones under `if 1:` (keeping their
    indentation). The head, where imports are added, stands as it is: it is the module's start.

    Returns the module, the line offset of its line 1 in the module, and the prefix to take off again."""
    import libcst as cst

    text = "".join(lines[span.first - 1 : span.last])
    statement = lines[span.statement - 1]
    indent = statement[: len(statement) - len(statement.lstrip(" \t"))]
    prefix = ""
    if not span.head:
        prefix = f"if 1:{newline}{indent}pass{newline}" if indent else f"pass{newline}"
    offset = span.first - 1 - prefix.count(newline)
    return cst.parse_module(prefix + text), offset, prefix


def _syntax_error(source: str, err: SyntaxError | ValueError) -> Diagnostic:
    """Where Python itself places the error."""
    if isinstance(err, SyntaxError):
        return Diagnostic(err.lineno or 1, err.offset or 1, "E030", f"Python syntax error: {err.msg}")
    return Diagnostic(1, 1, "E030", f"Python syntax error: {err}")


def _notices(diagnostics: list[Diagnostic], context: Context) -> frozenset[str]:
    """W119: WeightsSource entries written in the seed dialect, which released truss cannot run."""
    seed_sources = context.dialect == SEED and any(d.code == "W101" for d in diagnostics)
    return frozenset({"W119"}) if seed_sources else frozenset()
