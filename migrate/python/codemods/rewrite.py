"""The codemods of the registry composed into one transform over the tree.

Each rule family keeps its own module, codes and metadata dependencies; they share one walk,
so every position is one of the parsed source and the rules see each other's work in the order
the registry gives (a string rewritten by W105 is not also moved by W008, W106 takes its key
out of W108's review).
"""

from __future__ import annotations

import libcst as cst

from .base import RENAMED_KEYWORDS, _arg, _string
from .loader_args import LoaderArguments
from .moved_paths import MovedPaths
from .review import Review
from .start_command import StartCommand
from .subscripts import Subscripts
from .truss_objects import TrussObjects


# The bases are REGISTRY (codemods/__init__.py), in its order, written out because a type checker
# cannot read `class Rewrite(*REGISTRY)`; tests/test_code_registry.py checks that the two agree.
class Rewrite(TrussObjects, LoaderArguments, Subscripts, StartCommand, MovedPaths, Review):
    """Every codemod of the registry over the tree, in one walk; the survey's analysis shared."""

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
            updated = self.rename_func(updated, name)
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
