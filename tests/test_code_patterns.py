"""A ModelRepo's allow/ignore list literal rewritten as the YAML one is (W014), and the lists that
cannot be (W107: a name, a call, a comprehension, a `*` item).

Rows are `pytest.param(source, expected source or None, ["LINE:CODE", ...], id=...)` as in
test_code_edit.py; None means "left exactly as it is". Every migrated row also compiles, migrates
to nothing on a second run, and, run against stub truss modules, builds a WeightsSource whose
lists are the planned ones.
"""

from __future__ import annotations

import sys
import textwrap
import types

import pytest

from migrate.core import mapping
from migrate.core.context import Context
from migrate.python.edit import migrate as migrate_python


def src(text: str) -> str:
    return textwrap.dedent(text)


HEAD = "from truss.base import truss_config\n\n"
TAIL = "CONFIG = truss_config.TrussConfig(model_cache=[REPO])\n"
NEW_TAIL = "CONFIG = truss_config.TrussConfig(weights=[REPO])\n"


def repo(arguments: str) -> str:
    return HEAD + f"REPO = truss_config.ModelRepo({arguments})\n" + TAIL


def source(arguments: str) -> str:
    return HEAD + f"REPO = truss_config.WeightsSource({arguments})\n" + NEW_TAIL


VOLUME = 'use_volume=True, volume_folder="a"'
MOUNT = 'mount_location="/app/model_cache/a"'

ROWS = [
    pytest.param(
        repo(f'repo_id="org/a", allow_patterns=["*.json", "*.safetensors"], {VOLUME}'),
        source(
            f'source="hf://org/a", allow_patterns=["*.json", "**/*.json", "*.safetensors", "**/*.safetensors"], {MOUNT}'
        ),
        ["3:W101", "3:W014", "4:W104"],
        id="one-line-list",
    ),
    pytest.param(
        repo(f"repo_id='org/a', ignore_patterns=['original/*', 'config.json'], {VOLUME}"),
        source(f"source='hf://org/a', ignore_patterns=['original/*', 'original/**/*', 'config.json'], {MOUNT}"),
        ["3:W101", "3:W014", "4:W104"],
        id="single-quotes-kept",
    ),
    pytest.param(
        repo(f'repo_id="org/a", allow_patterns=("*.json",), {VOLUME}'),
        source(f'source="hf://org/a", allow_patterns=("*.json", "**/*.json",), {MOUNT}'),
        ["3:W101", "3:W014", "4:W104"],
        id="one-item-tuple",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="org/a",
                allow_patterns=[
                    "*.json",  # configs
                    # the weights
                    "*.safetensors",
                    "tokenizer.model"  # sentencepiece
                ],
                ignore_patterns=[
                    "*.pth",  # originals
                ],
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://org/a",
                mount_location="/app/model_cache/org_a",
                allow_patterns=[
                    "*.json",  # configs
                    "**/*.json",
                    # the weights
                    "*.safetensors",
                    "**/*.safetensors",
                    "tokenizer.model"  # sentencepiece
                ],
                ignore_patterns=[
                    "*.pth",  # originals
                    "**/*.pth",
                ],
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "3:W014", "15:W104"],
        id="item-per-line-comments-kept",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="org/a",
                ignore_patterns=[
                    "*.pth",
                    "*.md"  # docs
                ],
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://org/a",
                mount_location="/app/model_cache/org_a",
                ignore_patterns=[
                    "*.pth",
                    "**/*.pth",
                    "*.md",  # docs
                    "**/*.md"
                ],
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "3:W014", "10:W104"],
        id="last-item-comment-stays-with-it",
    ),
    pytest.param(
        repo('repo_id="org/a", allow_patterns=["sub/", "a?b"]'),
        source(
            'source="hf://org/a", mount_location="/app/model_cache/org_a", allow_patterns=["sub/*", "sub/**/*", "a?b"]'
        ),
        ["3:W101", "3:W001", "3:W014", "3:W015", "4:W104"],
        id="legacy-trailing-slash-rewritten-question-mark-reported",
    ),
    pytest.param(
        HEAD
        + 'EXT = "*.json"\n'
        + f"REPO = truss_config.ModelRepo(repo_id='org/a', allow_patterns=[EXT], {VOLUME})\n"
        + TAIL,
        HEAD
        + 'EXT = "*.json"\n'
        + f"REPO = truss_config.WeightsSource(source='hf://org/a', allow_patterns=[EXT, \"**/*.json\"], {MOUNT})\n"
        + NEW_TAIL,
        ["4:W101", "4:W014", "5:W104"],
        id="constant-item-followed-by-strings",
    ),
    pytest.param(
        repo(f'repo_id="org/a", allow_patterns=["config.json", "tokenizer.json"], {VOLUME}'),
        source(f'source="hf://org/a", allow_patterns=["config.json", "tokenizer.json"], {MOUNT}'),
        ["3:W101", "4:W104"],
        id="list-without-wildcards-kept",
    ),
]

LEFT = [
    pytest.param(
        HEAD
        + 'PATTERNS = ["*.json"]\n'
        + f'REPO = truss_config.ModelRepo(repo_id="org/a", allow_patterns=PATTERNS, {VOLUME})\n'
        + TAIL,
        ["4:W107"],
        id="a-name",
    ),
    pytest.param(
        HEAD
        + "import os\n"
        + f'REPO = truss_config.ModelRepo(repo_id="org/a", allow_patterns=os.environ["P"].split(), {VOLUME})\n'
        + TAIL,
        ["4:W107"],
        id="a-call",
    ),
    pytest.param(
        repo(f'repo_id="org/a", ignore_patterns=[f"*.{{e}}" for e in ("pt", "bin")], {VOLUME}'),
        ["3:W107"],
        id="a-comprehension",
    ),
    pytest.param(
        repo(f'repo_id="org/a", allow_patterns=[*BASE, "config.json"], {VOLUME}'),
        ["3:W107"],
        id="a-starred-item",
    ),
    pytest.param(
        HEAD + 'SUB = "sub/"\n' + 'REPO = truss_config.ModelRepo(repo_id="org/a", allow_patterns=[SUB])\n' + TAIL,
        ["4:W107"],
        id="a-constant-whose-own-form-changes",
    ),
]


@pytest.mark.parametrize("source_text, expected, codes", ROWS)
def test_pattern_lists_rewritten(source_text, expected, codes):
    outcome = migrate_python(source_text, Context(line_length=200))  # the lists, not the layout: test_code_layout
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics) == sorted(codes)


@pytest.mark.parametrize("source_text, codes", LEFT)
def test_a_list_that_is_no_literal_leaves_the_model_repo(source_text, codes):
    outcome = migrate_python(source_text, Context())
    assert outcome.status == "unchanged"
    assert sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics) == codes


@pytest.mark.parametrize("source_text, expected", [pytest.param(*row.values[:2], id=row.id) for row in ROWS])
def test_a_second_run_changes_nothing(source_text, expected):
    again = migrate_python(expected, Context())
    assert again.status == "unchanged", again.text
    assert again.diagnostics == []


class _Recorder:
    def __init__(self, *args: object, **kwargs: object) -> None:
        self.args, self.kwargs = args, kwargs


def _run(code: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The module run against a stub `truss.base.truss_config`: its globals."""
    config = types.ModuleType("truss.base.truss_config")
    for name in ("ModelRepo", "WeightsSource", "TrussConfig"):
        setattr(config, name, type(name, (_Recorder,), {}))
    base, truss = types.ModuleType("truss.base"), types.ModuleType("truss")
    base.truss_config, truss.base = config, base
    for name, module in (("truss", truss), ("truss.base", base), ("truss.base.truss_config", config)):
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict[str, object] = {"BASE": []}
    exec(compile(code, "<migrated>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("source_text, expected", [pytest.param(*row.values[:2], id=row.id) for row in ROWS])
def test_the_weights_source_gets_the_planned_lists(source_text, expected, monkeypatch):
    old = _run(source_text, monkeypatch)["REPO"].kwargs
    new = _run(expected, monkeypatch)["REPO"].kwargs
    for key in mapping.PATTERN_KEYS:
        if key in old:
            legacy = not old.get("use_volume")
            assert list(new[key]) == mapping.patterns(list(old[key]), legacy)[0].patterns, key


def test_no_pattern_list_is_no_list_to_rewrite():
    outcome = migrate_python(repo(f'repo_id="org/a", allow_patterns=None, {VOLUME}'), Context())
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == source(f'source="hf://org/a", {MOUNT}')
