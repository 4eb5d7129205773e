"""The registry of Python codemods: one codemod per code, every code documented, and the registry's
order is the order the rules decide in and edit in."""

from __future__ import annotations

import pytest

from migrate.core.context import Context
from migrate.core.diagnostics import CODES
from migrate.python.codemods import REGISTRY
from migrate.python.codemods.base import Codemod
from migrate.python.edit import migrate as migrate_python
from migrate.python.survey import Survey


def _owners() -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for codemod in (Survey, *REGISTRY):
        for code in codemod.CODES:
            owners.setdefault(code, []).append(codemod.__name__)
    return owners


@pytest.mark.parametrize("codemod", [Survey, *REGISTRY], ids=lambda c: c.__name__)
def test_every_code_a_codemod_emits_is_documented(codemod):
    assert codemod.CODES, f"{codemod.__name__} lists no code"
    assert [c for c in codemod.CODES if c not in CODES] == []


@pytest.mark.parametrize("code", sorted(_owners()))
def test_one_codemod_per_code(code):
    assert len(_owners()[code]) == 1, _owners()[code]


def test_every_python_code_has_a_codemod():
    python_codes = {c for c, meaning in CODES.items() if meaning.startswith("Python:")}
    assert python_codes - set(_owners()) == set()


@pytest.mark.parametrize("codemod", REGISTRY, ids=lambda c: c.__name__)
def test_each_codemod_is_a_rule_with_its_place(codemod):
    assert issubclass(codemod, Codemod)
    assert codemod.rule == REGISTRY.index(codemod)


def test_the_rules_decide_in_the_registry_order(monkeypatch):
    """Every rule decides once per module, in REGISTRY's order."""
    decided: list[str] = []
    for codemod in REGISTRY:
        original = codemod.decide

        def decide(self, original=original, name=codemod.__name__):
            decided.append(name)
            original(self)

        monkeypatch.setattr(codemod, "decide", decide)
    migrate_python("from truss.base.truss_config import ModelRepo\n", Context())
    assert decided == [c.__name__ for c in REGISTRY]


def test_a_module_with_nothing_to_change_is_not_parsed_by_libcst(monkeypatch):
    import libcst

    def refuse(*args, **kwargs):
        raise AssertionError("libcst parsed a module with nothing to change")

    monkeypatch.setattr(libcst, "parse_module", refuse)
    source = 'from transformers import AutoModel\nAutoModel.from_pretrained("org/other")\nx = "model_cache"\n'
    outcome = migrate_python(source, Context())
    assert outcome.status == "unchanged"
