"""Python code: move ModelRepo / ModelCache constructs and the code that loads weights.

libcst keeps every byte it is not asked to change. The rules are codemods in codemods/,
listed in its REGISTRY: the `Survey` reads the module once (constants, ModelRepo calls and their
plans, what flows where), then the registry's codemods rewrite it in one walk, then the imports
follow. The mapping of a ModelRepo's arguments is mapping.plan_entry, as for the YAML.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper

from ..core.context import SEED, Context
from ..core.diagnostics import Diagnostic
from ..core.mapping import path_moves
from ..core.outcome import Outcome, Status
from .codemods.base import LegacyEntry
from .codemods.imports import fix_imports
from .codemods.rewrite import Rewrite
from .codemods.survey import Survey


def _syntax_error(source: str, err: cst.ParserSyntaxError) -> Diagnostic:
    """Where Python itself places the error (libcst's own line can be off)."""
    try:
        compile(source, "<file>", "exec")
    except SyntaxError as exc:
        return Diagnostic(exc.lineno or 1, exc.offset or 1, "E030", f"Python syntax error: {exc.msg}")
    except ValueError:
        pass
    return Diagnostic(err.raw_line, err.raw_column + 1, "E030", f"Python syntax error: {err.message}")


def migrate(source: str, context: Context = Context()) -> Outcome:
    """Migrate one Python module's text; context.truss holds the entries of its truss's config,
    whose legacy loaders and moved paths are followed into the code. Never raises for bad input."""
    legacy = [LegacyEntry(index, plan) for index, plan in enumerate(context.truss)]
    moves = path_moves(list(context.truss), context)
    bom = "\ufeff" if source.startswith("\ufeff") else ""
    source = source[len(bom) :]  # libcst's code would drop it
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as err:
        return Outcome(Status.FAILED, diagnostics=[_syntax_error(source, err)])
    wrapper = MetadataWrapper(module)
    survey = Survey(context, legacy, context.trust_patterns)
    wrapper.visit(survey)
    rewrite = Rewrite(survey, legacy, moves)
    rewrite.lines = source.splitlines()
    rewrite.width = max([88, *map(len, rewrite.lines)])
    tree = wrapper.visit(rewrite)
    tree = fix_imports(tree, rewrite.imports, rewrite.unused)
    code = tree.code
    diagnostics = sorted(survey.diagnostics + rewrite.diagnostics, key=lambda d: (d.line, d.col))
    if code == source:
        return Outcome(Status.UNCHANGED, diagnostics=diagnostics)
    try:
        compile(code, "<migrated>", "exec")
    except (SyntaxError, ValueError) as err:
        return Outcome(
            Status.FAILED,
            diagnostics=[
                Diagnostic(1, 1, "E099", f"internal error: the rewritten code does not compile ({err}); left untouched")
            ],
        )
    return Outcome(Status.MIGRATED, bom + code, diagnostics, notices=_notices(diagnostics, context))


def _notices(diagnostics: list[Diagnostic], context: Context) -> frozenset[str]:
    """W119: WeightsSource entries written in the seed dialect, which released truss cannot run."""
    seed_sources = context.dialect == SEED and any(d.code == "W101" for d in diagnostics)
    return frozenset({"W119"}) if seed_sources else frozenset()
