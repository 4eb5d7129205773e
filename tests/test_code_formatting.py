"""Rewritten Python stays `ruff format`-clean (README "Python code": formatting).

Every migrated row of the code tables (test_code_edit, test_code_truss_objects, test_code_loaders,
test_code_values, test_code_test_modules):
when ruff accepts the row's input at the line limit the rewrite uses (the project's configured
one; else ruff's 88 or the module's own widest code), it accepts the output at the same limit. One
ruff process checks every input and output, each at its own limit.
"""

from __future__ import annotations

import pytest
import test_code_edit
import test_code_loaders
import test_code_test_modules
import test_code_truss_objects
import test_code_values
from support import ruff_formatted, truss_of

from migrate.core.context import Context
from migrate.python.edit import migrate as migrate_python


def _rows() -> list[tuple[str, str, Context]]:
    rows = [(f"edit-{r.id}", r.values[0], test_code_edit.CONTEXTS.get(r.id, Context())) for r in test_code_edit.ROWS]
    rows += [(f"objects-{r.id}", r.values[0], Context()) for r in test_code_truss_objects.REWRITES]
    loaders = Context(truss=test_code_loaders.legacy())
    rows += [(f"loaders-{r.id}", r.values[0], loaders) for r in test_code_loaders.REWRITES]
    rows += [(f"values-{r.id}", r.values[0], test_code_values.TRUSS) for r in test_code_values.ROWS]
    tests = test_code_test_modules
    rows += [(f"test-modules-{r.id}", r.values[0], Context()) for r in tests.NOT_READ]
    included = Context(test_module=True, include_tests=True)
    rows += [
        ("test-modules-generator", tests.GENERATOR, included),
        ("test-modules-chain", tests.CHAIN, included),
        ("test-modules-chain-loader", tests.CHAIN_LOADER, included),
        (
            "test-modules-loaders",
            tests.LOADERS,
            Context(test_module=True, include_tests=True, truss=truss_of({"repo_id": "org/m"})),
        ),
    ]
    return rows


ROWS = _rows()
# Rows that ruff accepts before the rewrite and not after, for a reason the layout does not cover:
# an expression with double quotes, moved into an f-string, keeps them (ruff would swap both kinds).
QUOTES_IN_AN_F_STRING = {"edit-env-repo-id-on-a-volume-becomes-source-expression"}


def _limit(source: str, context: Context) -> int:
    return context.line_length or max([88, *map(len, source.splitlines())])


@pytest.fixture(scope="module")
def accepted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The rows whose input, and whose output, ruff accepts."""
    modules = {}
    for name, source, context in ROWS:
        outcome = migrate_python(source, context)
        if outcome.status == "migrated":
            modules[f"{name}.before"] = (source, _limit(source, context))
            modules[f"{name}.after"] = (outcome.text, _limit(source, context))
    clean = ruff_formatted(modules, tmp_path_factory.mktemp("formatting"))
    rows = {name.rpartition(".")[0] for name in modules}
    return {
        "rows": rows,
        "before": {n for n in rows if f"{n}.before" in clean},
        "after": {n for n in rows if f"{n}.after" in clean},
    }


def test_formatted_rows_stay_formatted(accepted):
    assert accepted["before"] - accepted["after"] == QUOTES_IN_AN_F_STRING
    print(
        f"\n{len(accepted['rows'])} rows, ruff-clean before {len(accepted['before'])}, after {len(accepted['after'])}"
    )


def test_the_check_covers_calls_that_grow_past_the_limit(accepted):
    """The rows that grow a call past the limit are among the checked ones, and end formatted."""
    grown = {name for name in accepted["rows"] if name.endswith("past-the-limit")}
    assert grown and grown <= accepted["before"] & accepted["after"]
