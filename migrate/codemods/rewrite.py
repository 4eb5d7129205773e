"""The codemods of the registry composed into one transform over the tree.

Each rule family keeps its own module, codes and metadata dependencies; they share one walk,
so every position is one of the parsed source and the rules see each other's work in the order
the registry gives (a string rewritten by W105 is not also moved by W008, W106 takes its key
out of W108's review).
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import QualifiedNameProvider

from ..diagnostics import Diagnostic
from . import REGISTRY
from .base import RENAMED_KEYWORDS, LegacyEntry, _arg, _string, _truss_name
from .survey import Survey


class Rewrite(*REGISTRY):
    """Every codemod of the registry over the tree, in one walk; the survey's analysis shared."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

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

    def qualified(self, node: cst.BaseExpression) -> str | None:
        return _truss_name(self.get_metadata(QualifiedNameProvider, node, set()))

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
                self.report(
                    original, "W102" if short == "Assets" else "W104", f"{short}({old}=...) -> {short}({new}=...)"
                )
        updated = self.get_repo_id(original, updated)
        if original not in self.protected and self.legacy_ids:
            return self.legacy_arguments(original, updated)
        return updated

    def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
        data = _string(original)
        if data is None:
            return updated
        for step in (self.loader_string, self.review_string, self.start_command_string, self.moved_string):
            result = step(original, data)
            if result is not None:
                return result
        return updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        self.report_pending()
        self.report_review()
        return updated
