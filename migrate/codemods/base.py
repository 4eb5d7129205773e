"""What every codemod shares: the names that move, literal helpers, and `report`."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

import libcst as cst
from libcst import MetadataDependent
from libcst.metadata import GlobalScope, PositionProvider, ScopeProvider

from .. import rules
from ..diagnostics import Diagnostic

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


def _arg(call: cst.Call, keyword: str) -> cst.Arg | None:
    return next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)


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


class Reporting(MetadataDependent):
    """`report(node, code, message)`: a Diagnostic at the node's position in the parsed source.

    libcst's own `warn` carries a message only; ours carry line, column and a stable code.
    """

    METADATA_DEPENDENCIES = (PositionProvider,)

    def line(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node).start
        return pos.line, pos.column + 1

    def report(self, node: cst.CSTNode, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(*self.line(node), code, message))
