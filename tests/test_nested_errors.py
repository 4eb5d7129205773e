"""Nested `model_cache` blocks left alone and refused: inputs left as they are in both modes, errors
under --nested that leave the whole file untouched (and do not matter by default), and an error
in an overlay through the command line. Diagnostics are compared as (line, code) pairs.
"""

from __future__ import annotations

import pytest
from support import d, migrate_cli, write

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import Context

NESTED = Context(nested=True)
DEFAULT = Context()


def lines(outcome, *codes: str) -> list[tuple[int, str]]:
    return [(x.line, x.code) for x in outcome.diagnostics if not codes or x.code in codes]


# --- left as they are, in both modes: (input, diagnostics) ---------------------------------------

NOOP = [
    pytest.param("a:\n  weights:\n    - source: hf://org/a\n", [], id="nested-already-weights"),
    pytest.param("a:\n  model_cache: []\n", [], id="nested-empty-list"),
    pytest.param("a:\n  model_cache:\n  b: 1\n", [], id="nested-null"),
    pytest.param("a:\n  model_cache: {}\n", [], id="nested-empty-mapping"),
    pytest.param("a:\n  my_model_cache:\n    - repo_id: org/a\n", [], id="other-key"),
    pytest.param("a:\n  note: 'model_cache: [x]'\n", [], id="in-a-string"),
    pytest.param("a:\n  # model_cache:\n  #   - repo_id: org/a\n  b: 1\n", [], id="in-a-comment"),
    pytest.param("a:\n  model_cache: /tmp/cache\n", [(2, "W041")], id="nested-scalar"),
    pytest.param("a:\n  model_cache:\n    repo_id: org/a\n", [(2, "W041")], id="nested-mapping"),
    pytest.param("a:\n  model_cache: [org/a, org/b]\n", [(2, "W041")], id="nested-list-of-strings"),
    pytest.param("- b:\n    - hf_cache: [{repo_id: org/a}, x]\n", [(2, "W041")], id="nested-mixed-list"),
    pytest.param("a: 1\n", [], id="no-block"),
    pytest.param("- a\n- model_cache\n", [], id="top-level-list"),
]


@pytest.mark.parametrize("ctx", [DEFAULT, NESTED], ids=["default", "nested"])
@pytest.mark.parametrize("src, diagnostics", NOOP)
def test_left_as_it_is(src, diagnostics, ctx):
    outcome = migrate_config(src, ctx)
    assert outcome.status == "unchanged"
    assert outcome.text is None
    assert lines(outcome) == diagnostics


# --- errors under --nested: the whole file is left untouched; (input, code, line) ----------------

ERRORS = [
    pytest.param("a:\n  model_cache:\n    - revision: main\n", "E005", 3, id="no-repo-id"),
    pytest.param(
        "- c:\n    x:\n      model_cache:\n        - repo_id: org/a\n          kind: gs\n",
        "E007",
        5,
        id="bad-kind-depth-3",
    ),
    pytest.param(
        "a:\n  model_cache:\n    - repo_id: org/a\n  hf_cache:\n    - repo_id: org/b\n", "E015", 4, id="both-keys"
    ),
    pytest.param(
        "a:\n  weights:\n    - source: hf://org/b\n  model_cache:\n    - repo_id: org/a\n",
        "E013",
        2,
        id="weights-beside",
    ),
    pytest.param(
        d("""
            a:
              model_cache:
                - {repo_id: org/a, use_volume: true, volume_folder: x}
                - {repo_id: org/b, use_volume: true, volume_folder: x}
            """),
        "E012",
        4,
        id="same-mount-twice",
    ),
    pytest.param(
        "a:\n  model_cache:\n    - repo_id: org/a\n      use_volume: true\n", "E010", 4, id="volume-without-folder"
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/top
            trusses:
              - config:
                  model_cache:
                    - repo_id: org/a
              - config:
                  model_cache:
                    - repo_id: org/b
                      extra: 1
            """),
        "E006",
        10,
        id="second-overlay-unknown-key",
    ),
    pytest.param(
        "base: &b\n  model_cache:\n    - repo_id: org/a\nother: *b\n",
        "E060",
        2,
        id="overlay-shared-by-alias",
    ),
    pytest.param(
        "x:\n  - &o\n    config:\n      model_cache:\n        - repo_id: org/a\n  - *o\n",
        "E060",
        4,
        id="ancestor-shared-by-alias",
    ),
    pytest.param(
        "base: &b\n  model_cache:\n    - repo_id: org/a\nother:\n  <<: *b\n  name: x\n",
        "E060",
        2,
        id="overlay-merged-into-another",
    ),
    pytest.param(
        "e: &e\n  - repo_id: org/a\na:\n  model_cache: *e\n",
        "E017",
        4,
        id="block-is-an-alias",
    ),
    pytest.param(
        "a:\n  model_cache:\n    - repo_id: &r org/a\n      use_volume: true\n      volume_folder: a\nb: *r\n",
        "E017",
        2,
        id="entry-value-aliased-elsewhere",
    ),
]


@pytest.mark.parametrize("src, code, line", ERRORS)
def test_errors_name_the_entry_and_leave_the_file(src, code, line):
    outcome = migrate_config(src, NESTED)
    assert outcome.status == "failed"
    assert outcome.text is None
    assert lines(outcome) == [(line, code)]


@pytest.mark.parametrize("src, code, line", ERRORS)
def test_errors_in_nested_blocks_do_not_matter_by_default(src, code, line):
    """Without --nested a nested block is only reported, whatever is wrong in it."""
    outcome = migrate_config(src, DEFAULT)
    nested = [x for x in outcome.diagnostics if x.code == "W040"]
    assert nested and not [x for x in outcome.diagnostics if x.severity == "error"]
    assert outcome.status == ("migrated" if src.startswith("model_cache:") else "unchanged")


# --- the command line -----------------------------------------------------------------------------

OVERLAYS = d("""
    trusses:
      - name: a
        config:
          model_cache:
            - repo_id: org/a
              use_volume: true
              volume_folder: a
      - name: b
        config:
          model_cache:
            - repo_id: org/b
              kind: nope
    """)


def test_cli_error_in_an_overlay_leaves_the_file(tmp_path):
    path = write(tmp_path / "templates" / "generate.yaml", OVERLAYS)
    run = migrate_cli("--nested", "templates", cwd=tmp_path)
    assert run.returncode == 3, run.stderr
    assert "templates/generate.yaml:12:11: E007 " in run.stderr
    assert path.read_text() == OVERLAYS
    fixed = OVERLAYS.replace("kind: nope", "kind: hf")
    write(path, fixed)
    assert migrate_cli("--check", "templates", cwd=tmp_path).returncode == 0
    assert migrate_cli("--check", "--nested", "templates", cwd=tmp_path).returncode == 1
    run = migrate_cli("--nested", "templates", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "model_cache" not in path.read_text().replace("/app/model_cache/", "")
    assert migrate_cli("--check", "--nested", "templates", cwd=tmp_path).returncode == 0
