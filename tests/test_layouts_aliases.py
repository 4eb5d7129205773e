"""Before/after tables for aliases and anchors (class 5 of the layouts truss reads): on values the
migration keeps or replaces, and the ones it refuses (E017). Each migrated row gives the exact
output; PyYAML must read it as the expected text, and every comment of the input must still be there.
"""

from __future__ import annotations

import pytest
from support import check_layout, d

from migrate.config.edit import migrate as migrate_config

# --- class 5: aliases and anchors ------------------------------------------------------------

ALIASES = [
    pytest.param(
        d("""
            pats: &pats ["*.json", "*.safetensors"]
            model_cache:
              - repo_id: org/x
                allow_patterns: *pats
                use_volume: true
                volume_folder: data
            """),
        d("""
            pats: &pats ["*.json", "*.safetensors"]
            weights:
              - source: hf://org/x
                allow_patterns: ["*.json", "**/*.json", "*.safetensors", "**/*.safetensors"]
                mount_location: /app/model_cache/data
            """),
        ["W014"],
        id="alias-on-rewritten-patterns-replaced-by-the-new-list",
    ),
    pytest.param(
        d("""
            pats: &pats [config.json, 'tokenizer.json']
            model_cache:
              - repo_id: org/x
                allow_patterns: *pats
                use_volume: true
                volume_folder: data
            """),
        d("""
            pats: &pats [config.json, 'tokenizer.json']
            weights:
              - source: hf://org/x
                allow_patterns: *pats
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-patterns-without-wildcards-kept",
    ),
    pytest.param(
        d("""
            pats: &pats
              - config.json
              - '*.safetensors'
            model_cache:
              - repo_id: org/x
                allow_patterns: *pats
            """),
        d("""
            pats: &pats
              - config.json
              - '*.safetensors'
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/org_x
                allow_patterns: [config.json, '*.safetensors', '**/*.safetensors']
            """),
        ["W001", "W014"],
        id="alias-on-block-patterns-replaced-by-a-flow-list",
    ),
    pytest.param(
        d("""
            rev: &rev 4a1b2c3
            model_cache:
              - repo_id: org/x
                revision: *rev
                use_volume: true
                volume_folder: data
            """),
        d("""
            rev: &rev 4a1b2c3
            weights:
              - source: hf://org/x
                revision: *rev
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-kept-revision",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                revision: &rev main
                use_volume: true
                volume_folder: data
            model_metadata:
              revision: *rev
            """),
        d("""
            weights:
              - source: hf://org/x
                revision: &rev main
                mount_location: /app/model_cache/data
            model_metadata:
              revision: *rev
            """),
        [],
        id="anchor-on-kept-revision-used-elsewhere",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                allow_patterns: &p ["*.json"]
                use_volume: true
                volume_folder: a
              - repo_id: org/y
                allow_patterns: *p
                use_volume: true
                volume_folder: b
            """),
        d("""
            weights:
              - source: hf://org/x
                allow_patterns: &p ["*.json", "**/*.json"]
                mount_location: /app/model_cache/a
              - source: hf://org/y
                allow_patterns: ["*.json", "**/*.json"]
                mount_location: /app/model_cache/b
            """),
        ["W014", "W014"],
        id="anchor-and-alias-between-entries-both-rewritten",
    ),
    pytest.param(
        d("""
            folder: &f data
            model_cache:
              - repo_id: org/x
                use_volume: true
                volume_folder: *f
            """),
        d("""
            folder: &f data
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-as-changed-folder-replaced-by-literal",
    ),
    pytest.param(
        d("""
            model_cache:
              - repo_id: org/x
                use_volume: true
                volume_folder: &f data
              - repo_id: org/y
                use_volume: true
                volume_folder: *f
            """),
        d("""
            weights:
              - source: hf://org/x
                mount_location: &f /app/model_cache/data
              - source: hf://org/y
                mount_location: /app/model_cache/data
            """),
        ["E012"],
        id="anchor-and-alias-both-replaced-then-duplicate-mount",
    ),
    pytest.param(
        d("""
            hf: &kind hf
            model_cache:
              - repo_id: org/x
                kind: *kind
                use_volume: true
                volume_folder: data
            """),
        d("""
            hf: &kind hf
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-dropped-kind",
    ),
    pytest.param(
        d("""
            repo: &r org/x
            model_cache:
              - repo_id: *r
                use_volume: true
                volume_folder: data
            model_metadata:
              repo: *r
            """),
        d("""
            repo: &r org/x
            weights:
              - source: hf://org/x
                mount_location: /app/model_cache/data
            model_metadata:
              repo: *r
            """),
        [],
        id="alias-as-changed-repo-id-anchor-outside-kept",
    ),
    pytest.param(
        d("""
            model_cache:
              - {repo_id: org/x, allow_patterns: &p ["*.json"], use_volume: true, volume_folder: a}
              - {repo_id: org/y, allow_patterns: *p, kind: hf, use_volume: true, volume_folder: b}
            """),
        d("""
            weights:
              - {source: "hf://org/x", allow_patterns: &p ["*.json", "**/*.json"], mount_location: /app/model_cache/a}
              - {source: "hf://org/y", allow_patterns: ["*.json", "**/*.json"], mount_location: /app/model_cache/b}
            """),
        ["W014", "W014"],
        id="flow-entries-alias-replaced",
    ),
    pytest.param(
        d("""
            secret: &s hf_access_token
            model_cache:
              - repo_id: org/x
                runtime_secret_name: *s
                use_volume: true
                volume_folder: data
            """),
        d("""
            secret: &s hf_access_token
            weights:
              - source: hf://org/x
                runtime_secret_name: *s
                mount_location: /app/model_cache/data
            """),
        [],
        id="alias-on-kept-secret",
    ),
]

ALIASES_REFUSED = [
    pytest.param(
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\nagain: *r\n",
        5,
        id="anchor-on-changed-repo-id-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: &r a/b\n    use_volume: true\n    volume_folder: x\n  - repo_id: c/d\n    revision: *r\n",
        6,
        id="anchor-on-changed-repo-id-aliased-as-kept-revision",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: a/b\n    kind: &k hf\nk: *k\n",
        4,
        id="anchor-on-dropped-kind-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/x\n    use_volume: true\n    volume_folder: &v data\nenv:\n  DIR: *v\n",
        6,
        id="anchor-on-changed-folder-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - &e\n    repo_id: org/x\n    use_volume: true\n    volume_folder: a\nsame: *e\n",
        6,
        id="anchor-on-entry-aliased-outside",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/x\n    &u use_volume: true\n    volume_folder: a\nflag: {*u : 1}\n",
        5,
        id="anchor-on-dropped-key-aliased-as-key",
    ),
    pytest.param(
        "d: &d {kind: hf}\nmodel_cache:\n  - <<: *d\n    repo_id: org/name\n",
        3,
        id="merge-key-in-entry",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/x\n    allow_patterns: &p ['*.json']\nalso: *p\n",
        4,
        id="anchor-on-rewritten-patterns-aliased-outside",
    ),
    pytest.param(
        "ext: &e '*.json'\nmodel_cache:\n  - repo_id: org/x\n    allow_patterns: [config.json, *e]\n",
        4,
        id="alias-item-in-a-rewritten-list",
    ),
]


@pytest.mark.parametrize("src, expected, codes", ALIASES)
def test_aliases(src, expected, codes):
    if "E012" in codes:
        outcome = migrate_config(src)
        assert outcome.status == "failed" and [x.code for x in outcome.diagnostics] == ["E012"]
        return
    check_layout(src, expected, codes)


@pytest.mark.parametrize("src, line", ALIASES_REFUSED)
def test_aliases_refused(src, line):
    outcome = migrate_config(src)
    assert outcome.status == "failed" and outcome.text is None
    assert [(x.code, x.line) for x in outcome.diagnostics] == [("E017", line)]
