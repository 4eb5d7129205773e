"""Verification: the output re-parsed whole must mean the plan, and everything else what it did."""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from ..core.context import Dialect
from ..core.diagnostics import Diagnostic
from ..core.entry import EntryPlan
from . import schema
from .blocks import Config
from .fixes.plan import FilePlan, Plan
from .read import Failure, Text, comments, compose, diag_at, digest, value


def verify(new_body: str, plan: FilePlan) -> None:
    """Re-parse the output; it must mean the plan and nothing else. Raises Failure."""
    try:
        new_root = compose(new_body)
    except Failure as failure:
        raise Failure(
            Diagnostic(1, 1, "E099", f"internal error: the result is not valid YAML ({failure.diagnostic.message})")
        ) from None
    if len(plan.configs) == 1 and plan.configs[0][0].mapping is plan.root:
        _verify_top(new_body, new_root, plan)
    else:
        _verify_configs(new_body, new_root, plan)


def verify_values(new_body: str, root: Node, body: str, expected: dict[int, object]) -> None:
    """A config whose edits only change values (a start command already under `weights`): the output
    re-parsed whole must read as the input with those values, every comment kept. Raises Failure."""

    def fail(why: str) -> NoReturn:
        message = f"internal error: the result did not verify ({why}); file left untouched"
        raise Failure(Diagnostic(1, 1, "E099", message))

    try:
        new_root = compose(new_body)
    except Failure as failure:
        fail(f"not valid YAML: {failure.diagnostic.message}")
    if new_root is None or digest(root, {}, expected) != digest(new_root, {}):
        fail("the meaning of the document changed")
    if sorted(comments(body)) != sorted(comments(new_body)):
        fail("a comment was lost")


def _failing(config: Config) -> Callable[[str], NoReturn]:
    def fail(why: str) -> NoReturn:
        raise Failure(
            diag_at(config.block.key, "E099", f"internal error: the result did not verify ({why}); file left untouched")
        )

    return fail


def _verify_top(new_body: str, new_root: Node | None, plan: FilePlan) -> None:
    """One config, the document's root: each top-level key means what it did, the block its plan."""
    (config, fixes), old_body = plan.configs[0], plan.body
    fail = _failing(config)
    gone = {id(k) for k in fixes.removed}
    old_pairs = [pair for pair in plan.root.value if id(pair[0]) not in gone]
    if not isinstance(new_root, MappingNode) or len(new_root.value) != len(old_pairs):
        fail("top-level keys changed")
    old_text, new_text = plan.text or Text(old_body), Text(new_body)
    old_memo: dict[int, int] = {}
    new_memo: dict[int, int] = {}
    for (ok, ov), (nk, nv) in zip(old_pairs, new_root.value):
        if ok is config.block.key:
            _check_weights(nk, nv, fixes.weights, plan.dialect, fail)
            continue
        was = old_body[old_text.offset(ok.start_mark) : old_text.offset(ov.end_mark)]
        now = new_body[new_text.offset(nk.start_mark) : new_text.offset(nv.end_mark)]
        own = old_text.offset(ov.start_mark) >= old_text.offset(ok.end_mark)  # not an alias of a node elsewhere
        if own and was == now and "*" not in was and ok.start_mark.column == nk.start_mark.column:
            continue  # the same text at the same place, no aliases: the same meaning
        if digest(ok, old_memo) != digest(nk, new_memo) or digest(ov, old_memo, fixes.expected) != digest(nv, new_memo):
            fail(f"the meaning of {getattr(ok, 'value', '?')!r} changed")
    if sorted(comments(old_body)) != sorted(comments(new_body)):
        fail("a comment was lost")


def _verify_configs(new_body: str, new_root: Node | None, plan: FilePlan) -> None:
    """A file with nested configs: each config mapping must mean its plan and everything else what it did."""
    old_body, expected = plan.body, plan.expected
    by_id = {id(c.mapping): (c, p) for c, p in plan.configs}
    holders = {a for c, _ in plan.configs for a in c.ancestors}  # collections with a config mapping below
    old_text, new_text = Text(old_body), Text(new_body)
    old_memo: dict[int, int] = {}
    new_memo: dict[int, int] = {}

    def same(old: Node, new: Node) -> bool:
        if id(old) in by_id:
            return same_config(*by_id[id(old)], old, new)
        if id(old) not in holders:
            return digest(old, old_memo, expected) == digest(new, new_memo)
        if type(old) is not type(new) or old.tag != new.tag or len(old.value) != len(new.value):
            return False
        if isinstance(old, SequenceNode):
            return all(same(o, n) for o, n in zip(old.value, new.value))
        return all(same_pair(ok, ov, nk, nv) for (ok, ov), (nk, nv) in zip(old.value, new.value))

    def same_pair(ok: Node, ov: Node, nk: Node, nv: Node) -> bool:
        was = old_body[old_text.offset(ok.start_mark) : old_text.offset(ov.end_mark)]
        now = new_body[new_text.offset(nk.start_mark) : new_text.offset(nv.end_mark)]
        own = old_text.offset(ov.start_mark) >= old_text.offset(ok.end_mark)  # not an alias of a node elsewhere
        if own and was == now and "*" not in was and ok.start_mark.column == nk.start_mark.column:
            return True  # the same text at the same place, no aliases: the same meaning
        return digest(ok, old_memo) == digest(nk, new_memo) and same(ov, nv)

    def same_config(config: Config, fixes: Plan, old: Node, new: Node) -> bool:
        fail = _failing(config)
        gone = {id(k) for k in fixes.removed}
        pairs = [pair for pair in old.value if id(pair[0]) not in gone]
        if not isinstance(new, MappingNode) or len(new.value) != len(pairs):
            fail("the keys of the mapping changed")
        for (ok, ov), (nk, nv) in zip(pairs, new.value):
            if ok is config.block.key:
                _check_weights(nk, nv, fixes.weights, plan.dialect, fail)
            elif not same_pair(ok, ov, nk, nv):
                fail(f"the meaning of {getattr(ok, 'value', '?')!r} changed")
        return True

    first = _failing(plan.configs[0][0])
    if new_root is None or not same(plan.root, new_root):
        first("the meaning of the document changed")
    if sorted(comments(old_body)) != sorted(comments(new_body)):
        first("a comment was lost")


def _check_weights(
    key: Node, node: Node, plans: list[EntryPlan], dialect: Dialect, fail: Callable[[str], NoReturn]
) -> None:
    if getattr(key, "value", None) != "weights" or not isinstance(node, SequenceNode):
        fail("the block did not become `weights`")
    weights = value(node)
    if weights != [p.weight for p in plans]:
        fail("`weights` differs from the plan")
    invalid = schema.problems(weights, dialect)
    if invalid:
        fail(f"not valid in the {dialect.name} schema: {invalid[0]}")
    if any(len({k.value for k, _ in e.value}) != len(e.value) for e in node.value):
        fail("a key repeats in a `weights` entry")
