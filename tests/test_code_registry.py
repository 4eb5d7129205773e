"""The registry of Python codemods: one codemod per code, every code documented."""

from __future__ import annotations

import pytest

from migrate.core.diagnostics import CODES
from migrate.python.codemods import REGISTRY
from migrate.python.codemods.rewrite import Rewrite
from migrate.python.codemods.survey import Survey


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
def test_each_codemod_declares_its_metadata_and_runs_in_the_rewrite(codemod):
    assert codemod.METADATA_DEPENDENCIES
    assert issubclass(Rewrite, codemod)
    assert set(codemod.METADATA_DEPENDENCIES) <= set(Rewrite.get_inherited_dependencies())


def test_the_rewrite_runs_the_registry_in_its_order():
    order = [c for c in Rewrite.__mro__ if c in REGISTRY]
    assert order == list(REGISTRY)
