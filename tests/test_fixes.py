"""One table per fix of migrate/fixes: the text after that fix's own edits, and its diagnostics.

Each row runs the fixes before it in REGISTRY (a fix may build on them) and then applies only the
edits of the fix under test, so a row shows exactly what that one fix changes. Beside each table,
a no-op table: configs the fix must leave alone (no edits, no diagnostics).
"""

from __future__ import annotations

from textwrap import dedent

import pytest

from migrate.config import fixes
from migrate.config.blocks import find_configs, nested_blocks
from migrate.config.fixes import REGISTRY, Fix, Plan, Scope
from migrate.config.fixes.block import block
from migrate.config.fixes.empty_weights import empty_weights
from migrate.config.fixes.external_data import external_data
from migrate.config.fixes.hub_files import hub_files
from migrate.config.fixes.path_moves import path_moves
from migrate.config.fixes.serve_command import serve_command
from migrate.config.fixes.start_command import start_command
from migrate.config.read import Text, compose
from migrate.config.text.edit import Edit, apply
from migrate.core.context import TRUSS, Context

SEED, TRUSS = Context(), Context(dialect=TRUSS)
MOVED = Context(mount_root="/models")
NESTED = Context(mount_root="/models", nested=True)


def d(text: str) -> str:
    return dedent(text).lstrip("\n")


def run(fix: Fix, src: str, options: Context) -> tuple[str, Plan]:
    """The text after fix's own edits, and its plan (the fixes before it in REGISTRY run first)."""
    root = compose(src)
    found = nested_blocks(root, src)
    config, *_ = find_configs(root, found, options)[0]  # the root's; nested ones are skipped below
    scope = Scope(Text(src), config, options, [n.mapping for n in found if n.entry_list and n.mapping is not root])
    done = Plan()
    for earlier in REGISTRY[: REGISTRY.index(fix)]:
        done = done.then(earlier(scope, done))
    plan = fix(scope, done)
    return apply(src, plan.edits), plan


def check(fix: Fix, src: str, expected: str, codes: list[str], options: Context) -> Plan:
    after, plan = run(fix, src, options)
    assert after == expected
    assert [d.code for d in plan.diagnostics] == codes
    return plan


BLOCK = d("""
    model_cache:
      - repo_id: a/b
        use_volume: true
        volume_folder: x
    """)


# --- the registry ------------------------------------------------------------------------


def test_the_registry_lists_each_fix_once_in_the_documented_order():
    assert (block, hub_files, start_command, serve_command, path_moves, empty_weights, external_data) == REGISTRY
    documented = fixes.__doc__ or ""
    names = [f.__name__ for f in REGISTRY]
    assert sorted(names, key=documented.index) == names  # the docstring explains them in run order


def test_plan_runs_every_fix_in_order():
    src = BLOCK + "weights:\ndocker_server:\n  start_command: truss-transfer-cli && python /app/model_cache/x/s.py\n"
    root = compose(src)
    [config], _ = find_configs(root, nested_blocks(root, src), MOVED)
    plan = fixes.plan(Scope(Text(src), config, MOVED))
    assert [d.code for d in plan.diagnostics] == ["W004", "W008", "W009"]
    assert apply(src, plan.edits) == d("""
        weights:
          - source: hf://a/b
            mount_location: /models/x
        docker_server:
          start_command: python /models/x/s.py
        """)


# --- block ----------------------------------------------------------------------------------

BLOCK_ROWS = [
    pytest.param(
        BLOCK,
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\n",
        [],
        SEED,
        id="renamed-with-entries",
    ),
    pytest.param(
        "'hf_cache': [{repo_id: a/b, use_volume: true, volume_folder: x}]\n",
        "'weights': [{source: \"hf://a/b\", mount_location: /app/model_cache/x}]\n",
        [],
        SEED,
        id="quoted-key-flow-entry",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n",
        "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/a_b\n",
        ["W001"],
        SEED,
        id="entry-notes-are-the-blocks",
    ),
]


@pytest.mark.parametrize(("src", "expected", "codes", "options"), BLOCK_ROWS)
def test_block(src, expected, codes, options):
    plan = check(block, src, expected, codes, options)
    assert len(plan.weights) == src.count("repo_id")


# --- start_command --------------------------------------------------------------------------

START_ROWS = [
    pytest.param(
        BLOCK + 'docker_server:\n  start_command: sh -c "truss-transfer-cli && python x"\n',
        BLOCK + 'docker_server:\n  start_command: sh -c "python x"\n',
        ["W004"],
        id="dropped",
    ),
    pytest.param(
        BLOCK + "docker_server:\n  start_command: truss-transfer-cli\n",
        BLOCK + "docker_server:\n  start_command: truss-transfer-cli\n",
        ["W030"],
        id="the-only-command-stays",
    ),
]

START_NOOPS = [
    pytest.param(BLOCK + "docker_server:\n  start_command: python x\n", id="no-transfer-cli"),
    pytest.param(
        BLOCK + "trt_llm: {build: {}}\ndocker_server:\n  start_command: truss-transfer-cli && x\n", id="trt-llm"
    ),
    pytest.param(BLOCK + "docker_server: truss-transfer-cli && x\n", id="docker-server-not-a-mapping"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), START_ROWS)
def test_start_command(src, expected, codes):
    plan = check(start_command, src, expected, codes, SEED)
    assert list(plan.expected.values()) == (['sh -c "python x"'] if plan.edits else [])


# --- path_moves -----------------------------------------------------------------------------

MOVE_ROWS = [
    pytest.param(
        BLOCK + "environment_variables:\n  MODEL: /app/model_cache/x/config.json\n",
        BLOCK + "environment_variables:\n  MODEL: /models/x/config.json\n",
        ["W008"],
        id="moved",
    ),
    pytest.param(
        BLOCK + "docker_server:\n  start_command: truss-transfer-cli && vllm serve /app/model_cache/x\n",
        BLOCK + "docker_server:\n  start_command: vllm serve /models/x\n",
        ["W008"],
        id="moved-in-the-edited-start-command",
    ),
]

MOVE_NOOPS = [
    pytest.param(
        BLOCK
        + "overlay:\n  model_cache: [{repo_id: c/d, use_volume: true, volume_folder: x}]\n  MODEL: /app/model_cache/x\n",
        NESTED,
        id="inside-a-nested-config",
    ),
    pytest.param(BLOCK + "environment_variables:\n  MODEL: /app/model_cache/y\n", MOVED, id="another-folder"),
    pytest.param(BLOCK + "environment_variables:\n  MODEL: /app/model_cache/x\n", SEED, id="default-mount-root"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), MOVE_ROWS)
def test_path_moves(src, expected, codes):
    check(path_moves, src, expected, codes, MOVED)


# --- empty_weights --------------------------------------------------------------------------

EMPTY_ROWS = [
    pytest.param(BLOCK + "weights:  # none yet\n", BLOCK + "# none yet\n", ["W009"], id="comment-stays"),
    pytest.param("weights: []\n" + BLOCK, BLOCK, ["W009"], id="empty-list-before"),
]


@pytest.mark.parametrize(("src", "expected", "codes"), EMPTY_ROWS)
def test_empty_weights(src, expected, codes):
    plan = check(empty_weights, src, expected, codes, SEED)
    assert [k.value for k in plan.removed] == ["weights"]


# --- external_data --------------------------------------------------------------------------

EXTERNAL = "external_data:\n  - url: https://e.com/a.bin\n    local_data_path: a.bin\n"

EXTERNAL_ROWS = [
    pytest.param(
        BLOCK + EXTERNAL,
        BLOCK + "  - source: https://e.com/a.bin\n    mount_location: /app/data/a.bin\n",
        ["W012"],
        TRUSS,
        id="folded-truss",
    ),
    pytest.param(BLOCK + EXTERNAL, BLOCK + EXTERNAL, ["W010"], SEED, id="reported-seed"),
]


@pytest.mark.parametrize(("src", "expected", "codes", "options"), EXTERNAL_ROWS)
def test_external_data(src, expected, codes, options):
    plan = check(external_data, src, expected, codes, options)
    assert len(plan.weights) == len(plan.removed) == (1 if options is TRUSS else 0)


# --- what each fix leaves alone ---------------------------------------------------------------

NOOPS = [
    *[pytest.param(start_command, p.values[0], SEED, id=f"start-command-{p.id}") for p in START_NOOPS],
    *[pytest.param(path_moves, *p.values, id=f"path-moves-{p.id}") for p in MOVE_NOOPS],
    pytest.param(empty_weights, BLOCK, SEED, id="empty-weights-none"),
    pytest.param(external_data, BLOCK, TRUSS, id="external-data-none"),
    pytest.param(external_data, EXTERNAL, TRUSS, id="external-data-is-the-block"),
]


@pytest.mark.parametrize(("fix", "src", "options"), NOOPS)
def test_noop(fix, src, options):
    after, plan = run(fix, src, options)
    assert (after, plan.edits, plan.diagnostics, plan.expected, plan.removed) == (src, [], [], {}, [])


# --- combining plans ------------------------------------------------------------------------

THEN_ROWS = [
    pytest.param([Edit(3, 5, "a")], [Edit(3, 5, "b")], [Edit(3, 5, "b")], id="same-span-replaced"),
    pytest.param([Edit(3, 3, "a")], [Edit(3, 3, "b")], [Edit(3, 3, "a"), Edit(3, 3, "b")], id="inserts-kept-in-order"),
    pytest.param([Edit(3, 5, "a")], [Edit(3, 6, "b")], [Edit(3, 5, "a"), Edit(3, 6, "b")], id="other-span-kept"),
]


@pytest.mark.parametrize(("earlier", "later", "expected"), THEN_ROWS)
def test_then(earlier, later, expected):
    combined = Plan(earlier, {1: "x"}).then(Plan(later, {1: "y", 2: "z"}))
    assert combined.edits == expected
    assert combined.expected == {1: "y", 2: "z"}
