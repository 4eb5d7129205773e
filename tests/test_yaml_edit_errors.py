"""Errors of the YAML editor: the file is left untouched and the diagnostic points at the problem.

Rows are `pytest.param(input_text, code, line, id=...)`; line is the 1-based line the diagnostic
must point at (None where only the code is pinned).
"""

from __future__ import annotations

import pytest

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import Context
from migrate.core.diagnostics import CODES

DEFAULT = Context()

ERRORS = [
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: [true\nresources: {}\n", "E001", None, id="invalid-yaml"
    ),
    pytest.param("model_cache:\n  - repo_id: a/b\n\tuse_volume: true\n", "E001", 3, id="invalid-yaml-tab"),
    pytest.param("model_cache:\n  - repo_id: a/b\n---\nmodel_name: x\n", "E001", 3, id="several-documents"),
    # PyYAML (truss) reads no tab between a value and its comment; libyaml does
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\t# v\n    volume_folder: x\n",
        "E001",
        3,
        id="tab-before-comment",
    ),
    # libyaml skips it; PyYAML (truss) reads it as a scalar's start and fails
    pytest.param("model_cache:\n  - repo_id: a/b\n\ufeff# c\nx: 1\n", "E001", 3, id="bom-starting-a-later-line"),
    pytest.param("model_cache:\r\n  - repo_id: a/b\r\n  \ufeff# c\r\n", "E001", 3, id="bom-after-indentation-crlf"),
    pytest.param("model_name: m\nmodel_cache: a/b\n", "E003", 2, id="model-cache-string"),
    pytest.param("model_cache:\n  repo_id: a/b\n  use_volume: false\n", "E003", 2, id="model-cache-mapping"),
    pytest.param("model_cache:\n  - repo_id: a/b\n  - c/d\n", "E004", 3, id="entry-string"),
    # a tag PyYAML (truss) reads otherwise: the config would not load, so nothing is written
    pytest.param("model_cache: !!str\n  - repo_id: a/b\n", "E003", 1, id="block-tagged-str"),
    pytest.param("model_cache: !custom\n  - repo_id: a/b\n", "E003", 1, id="block-tagged-unknown"),
    pytest.param("model_cache: !!omap\n  - repo_id: a/b\n", "E003", 1, id="block-tagged-omap"),
    pytest.param("model_cache:\n  - !!str\n    repo_id: a/b\n", "E004", 2, id="entry-tagged-str"),
    pytest.param("model_cache:\n  - !!set\n    repo_id: a/b\n", "E004", 2, id="entry-tagged-set"),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    allow_patterns: !!set {a: null}\n", "E014", 3, id="patterns-tagged-set"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    allow_patterns:\n      - !!set {a: null}\n",
        "E014",
        4,
        id="a-set-in-patterns",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n  - revision: main\n    use_volume: false\n", "E005", 3, id="repo-id-missing"
    ),
    pytest.param("model_cache:\n  - repo_id: ''\n", "E005", 2, id="repo-id-empty"),
    pytest.param("model_cache:\n  - repo_id: a/b\n    use_volume: false\n    folder: x\n", "E006", 4, id="unknown-key"),
    pytest.param("model_cache:\n  - repo_id: a/b\n    kind: HF\n", "E007", 3, id="bad-kind"),
    pytest.param("model_cache:\n  - repo_id: a/b\n    kind: r2\n", "E007", 3, id="bad-kind-unknown"),
    pytest.param("model_cache:\n  - repo_id: s3://bkt/p\n    kind: gcs\n", "E008", 3, id="kind-scheme-mismatch"),
    pytest.param("model_cache:\n  - repo_id: r2://bkt/p\n", "E008", 2, id="unknown-scheme"),
    pytest.param("model_cache:\n  - kind: s3\n    repo_id: s3:///p\n", "E009", 3, id="empty-bucket"),
    pytest.param("model_cache:\n  - kind: gcs\n    repo_id: /p\n", "E009", 3, id="empty-bucket-no-scheme"),
    pytest.param("model_cache:\n  - repo_id: a/b\n    use_volume: true\n", "E010", 3, id="use-volume-without-folder"),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x/../../etc\n",
        "E011",
        4,
        id="dotdot-in-folder",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: /app\n", "E011", 4, id="mount-at-app"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: /\n", "E011", 4, id="mount-at-root"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\n"
        "  - repo_id: c/d\n    use_volume: true\n    volume_folder: x/\n",
        "E012",
        5,
        id="two-entries-one-mount",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n  - repo_id: a/b\n    revision: v2\n",
        "E012",
        3,
        id="two-entries-one-derived-mount",
    ),
    pytest.param("model_cache:\n  - repo_id: a/b\nweights:\n  - source: hf://c/d\n", "E013", 3, id="weights-beside"),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\nhf_cache:\n  - repo_id: c/d\n", "E015", 3, id="model-cache-and-hf-cache"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    kind: hf\n    repo_id: c/d\n", "E016", 4, id="duplicate-key-in-entry"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\nmodel_cache:\n  - repo_id: c/d\n", "E016", 3, id="duplicate-top-level-key"
    ),
    pytest.param(
        'model_cache:\n  - repo_id: a/b\n    use_volume: "yes"\n    volume_folder: x\n',
        "E014",
        3,
        id="use-volume-string-yes",
    ),
    pytest.param("model_cache:\n  - repo_id: 123\n", "E014", 2, id="repo-id-number"),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: 7\n",
        "E014",
        4,
        id="volume-folder-number",
    ),
    pytest.param("model_cache:\n  - repo_id: a/b\n    allow_patterns: '*.json'\n", "E014", 3, id="patterns-not-a-list"),
    pytest.param(
        "base: &d {use_volume: false}\nmodel_cache:\n  - repo_id: a/b\n    <<: *d\n", "E017", 4, id="merge-key-in-entry"
    ),
    pytest.param("base: &m [{repo_id: a/b}]\nmodel_cache: *m\n", "E017", 2, id="block-is-alias"),
    # the repo id becomes hf://a/b: the alias elsewhere would change with it
    pytest.param(
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\nmodel_metadata:\n  repo: *r\n",
        "E017",
        6,
        id="anchor-on-changed-repo-id",
    ),
]


@pytest.mark.parametrize("input_text, code, line", ERRORS)
def test_errors_leave_file_untouched(input_text, code, line):
    outcome = migrate_config(input_text, DEFAULT)
    assert outcome.status == "failed"
    assert outcome.text is None
    assert [diag.code for diag in outcome.diagnostics] == [code]
    diag = outcome.diagnostics[0]
    if line is not None:
        assert diag.line == line, diag
    assert diag.col >= 1
    assert diag.message and "\n" not in diag.message
    assert code in CODES


def test_invalid_yaml_points_at_the_problem():
    outcome = migrate_config("model_cache:\n  - repo_id: a/b\n    use_volume: [true\nresources: {}\n", DEFAULT)
    assert outcome.status == "failed"
    assert outcome.diagnostics[0].code == "E001"
    # the unclosed flow sequence opens on line 3; the error is reported there or just after
    assert outcome.diagnostics[0].line in (3, 4, 5)
