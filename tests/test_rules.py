"""Table-driven tests of the pure mapping in `migrate.rules` (seed dialect).

One row per row of the SPEC table "Mapping of one entry (seed dialect)", one row
per error of the SPEC error list, and the helpers used beyond the block
(`duplicate_mount`, `drop_transfer_cli`, `move_path`).
"""

from __future__ import annotations

import pytest

from migrate.core.context import Context
from migrate.core.entry import UNCHANGED, KeyChange, PatternItem, PatternList
from migrate.core.mapping import RuleError, duplicate_mount, move_path, plan_entry
from migrate.core.shell import drop_transfer_cli

ROOT = "/app/model_cache"
VOL = {"use_volume": True, "volume_folder": "llama"}  # the plain, non-legacy case
LLAMA = f"{ROOT}/llama"


def row(id_, entry, ctx, weight, warnings=()):
    return pytest.param(entry, ctx, weight, sorted(warnings), id=id_)


MAPPING = [
    # -- sources -----------------------------------------------------------------
    row(
        "hf-with-kind",
        {"repo_id": "org/name", "kind": "hf", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    row("hf-without-kind", {"repo_id": "org/name", **VOL}, {}, {"source": "hf://org/name", "mount_location": LLAMA}),
    row(
        "hf-prefix-kept",
        {"repo_id": "hf://org/name", "kind": "hf", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    row(
        "hf-prefix-kept-no-kind",
        {"repo_id": "hf://org/name", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    row(
        "s3-prefixed",
        {"repo_id": "s3://bucket/models/llama", "kind": "s3", **VOL},
        {},
        {"source": "s3://bucket/models/llama", "mount_location": LLAMA},
    ),
    row(
        "s3-bare",
        {"repo_id": "bucket/models/llama", "kind": "s3", **VOL},
        {},
        {"source": "s3://bucket/models/llama", "mount_location": LLAMA},
    ),
    row(
        "gcs-prefixed",
        {"repo_id": "gs://bucket/models/llama", "kind": "gcs", **VOL},
        {},
        {"source": "gs://bucket/models/llama", "mount_location": LLAMA},
    ),
    row(
        "gcs-bare",
        {"repo_id": "bucket/models/llama", "kind": "gcs", **VOL},
        {},
        {"source": "gs://bucket/models/llama", "mount_location": LLAMA},
    ),
    row(
        "azure-prefixed",
        {"repo_id": "azure://account/container/path", "kind": "azure", **VOL},
        {},
        {"source": "azure://account/container/path", "mount_location": LLAMA},
    ),
    row(
        "azure-bare",
        {"repo_id": "account/container/path", "kind": "azure", **VOL},
        {},
        {"source": "azure://account/container/path", "mount_location": LLAMA},
    ),
    # -- kind inferred from the scheme ------------------------------------------------
    row(
        "infer-s3",
        {"repo_id": "s3://bucket/p", **VOL},
        {},
        {"source": "s3://bucket/p", "mount_location": LLAMA},
        ["W002"],
    ),
    row(
        "infer-gcs",
        {"repo_id": "gs://bucket/p", **VOL},
        {},
        {"source": "gs://bucket/p", "mount_location": LLAMA},
        ["W002"],
    ),
    row(
        "infer-azure",
        {"repo_id": "azure://acct/cont/p", **VOL},
        {},
        {"source": "azure://acct/cont/p", "mount_location": LLAMA},
        ["W002"],
    ),
    # -- revision --------------------------------------------------------------------
    row(
        "hf-revision-kept",
        {"repo_id": "org/name", "revision": "main", **VOL},
        {},
        {"source": "hf://org/name", "revision": "main", "mount_location": LLAMA},
    ),
    row(
        "hf-sha-revision-kept",
        {"repo_id": "org/name", "kind": "hf", "revision": "0" * 7 + "abc", **VOL},
        {},
        {"source": "hf://org/name", "revision": "0000000abc", "mount_location": LLAMA},
    ),
    row(
        "hf-empty-revision-dropped",
        {"repo_id": "org/name", "revision": "", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    row(
        "s3-revision-dropped",
        {"repo_id": "s3://b/p", "kind": "s3", "revision": "main", **VOL},
        {},
        {"source": "s3://b/p", "mount_location": LLAMA},
        ["W003"],
    ),
    row(
        "gcs-revision-dropped",
        {"repo_id": "b/p", "kind": "gcs", "revision": "abc123", **VOL},
        {},
        {"source": "gs://b/p", "mount_location": LLAMA},
        ["W003"],
    ),
    row(
        "azure-revision-dropped",
        {"repo_id": "azure://a/c/p", "revision": "v1", **VOL},
        {},
        {"source": "azure://a/c/p", "mount_location": LLAMA},
        ["W002", "W003"],
    ),
    # -- use_volume: true + volume_folder ----------------------------------------------
    row(
        "volume-relative",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "qwen"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/qwen"},
    ),
    row(
        "volume-relative-nested",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "a/b"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/a/b"},
    ),
    row(
        "volume-absolute",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "/models/qwen"},
        {},
        {"source": "hf://org/name", "mount_location": "/models/qwen"},
    ),
    row(
        "volume-normalised",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "a//b/"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/a/b"},
    ),
    row(
        "volume-normalised-dot",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "./a/./b"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/a/b"},
    ),
    row(
        "volume-absolute-normalised",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "//models//qwen/"},
        {},
        {"source": "hf://org/name", "mount_location": "/models/qwen"},
    ),
    # -- --mount-root ------------------------------------------------------------------
    row(
        "mount-root-relative",
        {"repo_id": "org/name", **VOL},
        {"mount_root": "/models"},
        {"source": "hf://org/name", "mount_location": "/models/llama"},
    ),
    row(
        "mount-root-absolute-stays",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "/data/x"},
        {"mount_root": "/models"},
        {"source": "hf://org/name", "mount_location": "/data/x"},
    ),
    row(
        "mount-root-trailing-slash",
        {"repo_id": "org/name", **VOL},
        {"mount_root": "/models/"},
        {"source": "hf://org/name", "mount_location": "/models/llama"},
    ),
    row(
        "mount-root-legacy-hf",
        {"repo_id": "org/name"},
        {"mount_root": "/models"},
        {"source": "hf://org/name", "mount_location": "/models/org_name"},
        ["W001"],
    ),
    row(
        "mount-root-legacy-s3",
        {"repo_id": "s3://bucket/path", "kind": "s3", "use_volume": False},
        {"mount_root": "/models"},
        {"source": "s3://bucket/path", "mount_location": "/models/bucket/path"},
        ["W001"],
    ),
    # -- legacy (use_volume false or absent) ---------------------------------------------
    row(
        "legacy-hf-use-volume-false",
        {"repo_id": "org/name", "use_volume": False},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"},
        ["W001"],
    ),
    row(
        "legacy-hf-use-volume-absent",
        {"repo_id": "org/name", "kind": "hf"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"},
        ["W001"],
    ),
    row(
        "legacy-hf-prefixed",
        {"repo_id": "hf://org/name"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"},
        ["W001"],
    ),
    row(
        "legacy-hf-no-org",
        {"repo_id": "gpt2", "use_volume": False},
        {},
        {"source": "hf://gpt2", "mount_location": f"{ROOT}/gpt2"},
        ["W001"],
    ),
    row(
        "legacy-s3",
        {"repo_id": "s3://bucket/path/to", "kind": "s3", "use_volume": False},
        {},
        {"source": "s3://bucket/path/to", "mount_location": f"{ROOT}/bucket/path/to"},
        ["W001"],
    ),
    row(
        "legacy-gcs-bare",
        {"repo_id": "bucket/path", "kind": "gcs"},
        {},
        {"source": "gs://bucket/path", "mount_location": f"{ROOT}/bucket/path"},
        ["W001"],
    ),
    row(
        "legacy-azure",
        {"repo_id": "azure://acct/cont/p", "kind": "azure", "use_volume": False},
        {},
        {"source": "azure://acct/cont/p", "mount_location": f"{ROOT}/acct/cont/p"},
        ["W001"],
    ),
    row(
        "legacy-s3-trailing-slash",
        {"repo_id": "s3://bucket/dir/", "kind": "s3"},
        {},
        {"source": "s3://bucket/dir/", "mount_location": f"{ROOT}/bucket/dir"},
        ["W001"],
    ),
    row(
        "legacy-s3-inferred",
        {"repo_id": "s3://bucket/p"},
        {},
        {"source": "s3://bucket/p", "mount_location": f"{ROOT}/bucket/p"},
        ["W001", "W002"],
    ),
    row(
        "legacy-hf-with-volume-folder",
        {"repo_id": "org/name", "use_volume": False, "volume_folder": "llama"},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"},
        ["W001", "W007"],
    ),
    row(
        "legacy-absent-with-volume-folder",
        {"repo_id": "b/p", "kind": "s3", "volume_folder": "llama"},
        {},
        {"source": "s3://b/p", "mount_location": f"{ROOT}/b/p"},
        ["W001", "W007"],
    ),
    # -- runtime_secret_name ----------------------------------------------------------
    row(
        "secret-kept-hf",
        {"repo_id": "org/name", "runtime_secret_name": "my_token", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "runtime_secret_name": "my_token"},
    ),
    row(
        "secret-kept-s3",
        {"repo_id": "s3://b/p", "kind": "s3", "runtime_secret_name": "aws_credentials", **VOL},
        {},
        {"source": "s3://b/p", "mount_location": LLAMA, "runtime_secret_name": "aws_credentials"},
    ),
    row(
        "secret-kept-over-declared",
        {"repo_id": "org/name", "runtime_secret_name": "mine", **VOL},
        {"declares_hf_secret": True},
        {"source": "hf://org/name", "mount_location": LLAMA, "runtime_secret_name": "mine"},
    ),
    row(
        "secret-implicit-added-hf",
        {"repo_id": "org/name", "kind": "hf", **VOL},
        {"declares_hf_secret": True},
        {"source": "hf://org/name", "mount_location": LLAMA, "runtime_secret_name": "hf_access_token"},
        ["W006"],
    ),
    row(
        "secret-implicit-added-no-kind",
        {"repo_id": "org/name", **VOL},
        {"declares_hf_secret": True},
        {"source": "hf://org/name", "mount_location": LLAMA, "runtime_secret_name": "hf_access_token"},
        ["W006"],
    ),
    row(
        "secret-not-added-s3",
        {"repo_id": "s3://b/p", "kind": "s3", **VOL},
        {"declares_hf_secret": True},
        {"source": "s3://b/p", "mount_location": LLAMA},
    ),
    row(
        "secret-not-added-undeclared",
        {"repo_id": "org/name", **VOL},
        {"declares_hf_secret": False},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    # -- patterns ----------------------------------------------------------------------
    row(
        "patterns-rewritten-volume",
        {"repo_id": "org/name", "allow_patterns": ["*.json", "*.safetensors"], "ignore_patterns": ["*.bin"], **VOL},
        {},
        {
            "source": "hf://org/name",
            "mount_location": LLAMA,
            "allow_patterns": ["*.json", "**/*.json", "*.safetensors", "**/*.safetensors"],
            "ignore_patterns": ["*.bin", "**/*.bin"],
        },
        ["W014"],
    ),
    row(
        "patterns-rewritten-legacy-trailing-slash",
        {"repo_id": "org/name", "allow_patterns": ["sub/", "original/*"]},
        {},
        {
            "source": "hf://org/name",
            "mount_location": f"{ROOT}/org_name",
            "allow_patterns": ["sub/*", "sub/**/*", "original/*", "original/**/*"],
        },
        ["W001", "W014"],
    ),
    row(
        "patterns-volume-trailing-slash-matches-nothing-stays",
        {"repo_id": "org/name", "allow_patterns": ["sub/"], **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "allow_patterns": ["sub/"]},
    ),
    row(
        "patterns-without-wildcards-kept",
        {"repo_id": "org/name", "allow_patterns": ["config.json", "original/params.json"], **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "allow_patterns": ["config.json", "original/params.json"]},
    ),
    row(
        "patterns-duplicates-kept-as-written",
        {"repo_id": "org/name", "allow_patterns": ["config.json", "config.json"], **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "allow_patterns": ["config.json", "config.json"]},
    ),
    row(
        "patterns-added-once",
        {"repo_id": "org/name", "ignore_patterns": ["*.md", "**/*.md", "*.md"], **VOL},
        {},
        {
            "source": "hf://org/name",
            "mount_location": LLAMA,
            "ignore_patterns": ["*.md", "**/*.md", "*/*.md", "*/**/*.md", "*.md"],
        },
        ["W014"],
    ),
    row(
        "patterns-untranslatable-left-and-reported",
        {"repo_id": "org/name", "allow_patterns": ["model-0000?.safetensors", "*.json"]},
        {},
        {
            "source": "hf://org/name",
            "mount_location": f"{ROOT}/org_name",
            "allow_patterns": ["model-0000?.safetensors", "*.json", "**/*.json"],
        },
        ["W001", "W014", "W015"],
    ),
    row(
        "patterns-untranslatable-alone",
        {"repo_id": "org/name", "allow_patterns": ["[ab].bin"], **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "allow_patterns": ["[ab].bin"]},
        ["W015"],
    ),
    row(
        "patterns-empty-list-kept",
        {"repo_id": "b/p", "kind": "s3", "ignore_patterns": [], **VOL},
        {},
        {"source": "s3://b/p", "mount_location": LLAMA, "ignore_patterns": []},
    ),
    # -- everything at once --------------------------------------------------------------
    row(
        "full-hf-entry",
        {
            "repo_id": "org/name",
            "kind": "hf",
            "revision": "main",
            "use_volume": True,
            "volume_folder": "m",
            "runtime_secret_name": "tok",
            "allow_patterns": ["*.json"],
            "ignore_patterns": ["*.pt"],
        },
        {},
        {
            "source": "hf://org/name",
            "revision": "main",
            "mount_location": f"{ROOT}/m",
            "runtime_secret_name": "tok",
            "allow_patterns": ["*.json", "**/*.json"],
            "ignore_patterns": ["*.pt", "**/*.pt"],
        },
        ["W014"],
    ),
]


@pytest.mark.parametrize("entry, ctx, weight, warnings", MAPPING)
def test_mapping(entry, ctx, weight, warnings):
    plan = plan_entry(entry, Context(**ctx))
    assert plan.weight == weight
    assert sorted(note.code for note in plan.notes) == warnings


@pytest.mark.parametrize("entry, ctx, weight, warnings", MAPPING)
def test_mapping_does_not_mutate_entry(entry, ctx, weight, warnings):
    before = repr(entry)
    plan_entry(entry, Context(**ctx))
    assert repr(entry) == before


def err(id_, entry, code, key):
    return pytest.param(entry, code, key, id=id_)


ERRORS = [
    # kind not one of hf/s3/gcs/azure (exact, lower case)
    err("kind-upper-HF", {"repo_id": "org/name", "kind": "HF", **VOL}, "E007", "kind"),
    err("kind-gs", {"repo_id": "gs://b/p", "kind": "gs", **VOL}, "E007", "kind"),
    err("kind-empty", {"repo_id": "org/name", "kind": "", **VOL}, "E007", "kind"),
    err("kind-upper-S3", {"repo_id": "s3://b/p", "kind": "S3", **VOL}, "E007", "kind"),
    err("kind-not-string", {"repo_id": "org/name", "kind": 5, **VOL}, "E014", "kind"),
    # kind and scheme disagree; unknown scheme
    err("kind-s3-scheme-gs", {"repo_id": "gs://b/p", "kind": "s3", **VOL}, "E008", "kind"),
    err("kind-hf-scheme-s3", {"repo_id": "s3://b/p", "kind": "hf", **VOL}, "E008", "kind"),
    err("kind-gcs-scheme-hf", {"repo_id": "hf://org/name", "kind": "gcs", **VOL}, "E008", "kind"),
    err("kind-azure-scheme-s3", {"repo_id": "s3://b/p", "kind": "azure", **VOL}, "E008", "kind"),
    err("unknown-scheme-http", {"repo_id": "http://example.com/x", **VOL}, "E008", "repo_id"),
    err("unknown-scheme-gcs", {"repo_id": "gcs://b/p", "kind": "gcs", **VOL}, "E008", "repo_id"),
    # empty bucket
    err("empty-bucket-s3-scheme-only", {"repo_id": "s3://", "kind": "s3", **VOL}, "E009", "repo_id"),
    err("empty-bucket-s3-triple-slash", {"repo_id": "s3:///x", **VOL}, "E009", "repo_id"),
    err("empty-bucket-gs-triple-slash", {"repo_id": "gs:///x/y", "kind": "gcs", **VOL}, "E009", "repo_id"),
    err("empty-bucket-bare-leading-slash", {"repo_id": "/x", "kind": "s3", **VOL}, "E009", "repo_id"),
    # a bare '' with kind s3 is an empty repo_id first of all (E005: "no repo_id, or it is empty")
    err("empty-bucket-bare-empty", {"repo_id": "", "kind": "s3", **VOL}, "E005", "repo_id"),
    # use_volume: true without volume_folder
    err("use-volume-no-folder", {"repo_id": "org/name", "use_volume": True}, "E010", "use_volume"),
    err(
        "use-volume-empty-folder",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": ""},
        "E010",
        "use_volume",
    ),
    err(
        "use-volume-null-folder",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": None},
        "E010",
        "use_volume",
    ),
    # `..` segment, mount of / or /app
    err(
        "dotdot-relative", {"repo_id": "org/name", "use_volume": True, "volume_folder": "../x"}, "E011", "volume_folder"
    ),
    err(
        "dotdot-inner", {"repo_id": "org/name", "use_volume": True, "volume_folder": "a/../b"}, "E011", "volume_folder"
    ),
    err(
        "dotdot-absolute",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "/models/../app"},
        "E011",
        "volume_folder",
    ),
    err("dotdot-legacy-cloud-path", {"repo_id": "s3://b/../x", "kind": "s3"}, "E011", "repo_id"),
    err("mount-root-slash", {"repo_id": "org/name", "use_volume": True, "volume_folder": "/"}, "E011", "volume_folder"),
    err("mount-app", {"repo_id": "org/name", "use_volume": True, "volume_folder": "/app"}, "E011", "volume_folder"),
    err(
        "mount-app-trailing-slash",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "/app/"},
        "E011",
        "volume_folder",
    ),
    err(
        "mount-app-double-slash",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "//app"},
        "E011",
        "volume_folder",
    ),
    # repo_id missing / empty / not a string
    err("repo-id-missing", {"kind": "hf", **VOL}, "E005", None),
    err("repo-id-empty", {"repo_id": "", **VOL}, "E005", "repo_id"),
    err("repo-id-blank", {"repo_id": "   ", **VOL}, "E005", "repo_id"),
    err("repo-id-null", {"repo_id": None, **VOL}, "E005", "repo_id"),
    err("repo-id-number", {"repo_id": 123, **VOL}, "E014", "repo_id"),
    err("repo-id-list", {"repo_id": ["org/name"], **VOL}, "E014", "repo_id"),
    # unknown key
    err("unknown-key", {"repo_id": "org/name", "foo": 1, **VOL}, "E006", "foo"),
    err("unknown-key-new-schema", {"repo_id": "org/name", "mount_location": "/m"}, "E006", "mount_location"),
    # wrong types
    err(
        "use-volume-string-yes",
        {"repo_id": "org/name", "use_volume": "yes", "volume_folder": "x"},
        "E014",
        "use_volume",
    ),
    err("use-volume-number", {"repo_id": "org/name", "use_volume": 1, "volume_folder": "x"}, "E014", "use_volume"),
    err(
        "volume-folder-number", {"repo_id": "org/name", "use_volume": True, "volume_folder": 7}, "E014", "volume_folder"
    ),
    err("allow-patterns-string", {"repo_id": "org/name", "allow_patterns": "*.json", **VOL}, "E014", "allow_patterns"),
    err(
        "ignore-patterns-mapping",
        {"repo_id": "org/name", "ignore_patterns": {"a": 1}, **VOL},
        "E014",
        "ignore_patterns",
    ),
    err(
        "ignore-patterns-non-string-item",
        {"repo_id": "org/name", "ignore_patterns": ["*.bin", 3], **VOL},
        "E014",
        "ignore_patterns",
    ),
    err(
        "secret-not-string", {"repo_id": "org/name", "runtime_secret_name": True, **VOL}, "E014", "runtime_secret_name"
    ),
]


@pytest.mark.parametrize("entry, code, key", ERRORS)
def test_errors(entry, code, key):
    with pytest.raises(RuleError) as info:
        plan_entry(entry, Context())
    assert (info.value.code, info.value.key) == (code, key)
    assert info.value.message  # a message a person can read


# -- what becomes of each key of the old entry -----------------------------------------------


def changes_of(plan):
    return [(c.old, c.new, c.value) for c in plan.changes]


def test_changes_full_entry_in_entry_order():
    entry = {
        "kind": "hf",
        "repo_id": "org/name",
        "revision": "main",
        "use_volume": True,
        "volume_folder": "m",
        "runtime_secret_name": "tok",
        "allow_patterns": ["*.json"],
        "ignore_patterns": ["*.pt"],
    }
    plan = plan_entry(entry, Context())
    assert changes_of(plan) == [
        ("kind", None, UNCHANGED),
        ("repo_id", "source", "hf://org/name"),
        ("revision", "revision", UNCHANGED),
        ("use_volume", None, UNCHANGED),
        ("volume_folder", "mount_location", f"{ROOT}/m"),
        ("runtime_secret_name", "runtime_secret_name", UNCHANGED),
        ("allow_patterns", "allow_patterns", PatternList((PatternItem("*.json", "*.json", ("**/*.json",)),))),
        ("ignore_patterns", "ignore_patterns", PatternList((PatternItem("*.pt", "*.pt", ("**/*.pt",)),))),
    ]
    assert plan.inserts == ()


@pytest.mark.parametrize(
    "entry, ctx, changes, inserts",
    [
        pytest.param(
            {"repo_id": "b/p", "kind": "s3", "use_volume": True, "volume_folder": "/models/x"},
            {},
            [
                ("repo_id", "source", "s3://b/p"),
                ("kind", None, UNCHANGED),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", UNCHANGED),
            ],
            (),
            id="bare-cloud-rewritten-absolute-folder-unchanged",
        ),
        pytest.param(
            {"repo_id": "s3://b/p", "use_volume": True, "volume_folder": "/models//x/"},
            {},
            [
                ("repo_id", "source", UNCHANGED),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", "/models/x"),
            ],
            (),
            id="prefixed-cloud-unchanged-folder-normalised",
        ),
        pytest.param(
            {"repo_id": "s3://b/p", "kind": "s3", "revision": "main", **VOL},
            {},
            [
                ("repo_id", "source", UNCHANGED),
                ("kind", None, UNCHANGED),
                ("revision", None, UNCHANGED),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", LLAMA),
            ],
            (),
            id="cloud-revision-dropped",
        ),
        pytest.param(
            {"repo_id": "org/name", "revision": "", **VOL},
            {},
            [
                ("repo_id", "source", "hf://org/name"),
                ("revision", None, UNCHANGED),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", LLAMA),
            ],
            (),
            id="empty-revision-dropped",
        ),
        pytest.param(
            {"repo_id": "org/name", "kind": "hf"},
            {},
            [("repo_id", "source", "hf://org/name"), ("kind", None, UNCHANGED)],
            (("mount_location", f"{ROOT}/org_name"),),
            id="legacy-mount-location-inserted",
        ),
        pytest.param(
            {"repo_id": "org/name", "use_volume": False, "volume_folder": "x"},
            {},
            [
                ("repo_id", "source", "hf://org/name"),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", f"{ROOT}/org_name"),
            ],
            (),
            id="legacy-volume-folder-renamed-to-derived",
        ),
        pytest.param(
            {"repo_id": "org/name", **VOL},
            {"declares_hf_secret": True},
            [
                ("repo_id", "source", "hf://org/name"),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", LLAMA),
            ],
            (("runtime_secret_name", "hf_access_token"),),
            id="secret-inserted",
        ),
        pytest.param(
            {"repo_id": "org/name"},
            {"declares_hf_secret": True},
            [("repo_id", "source", "hf://org/name")],
            (("mount_location", f"{ROOT}/org_name"), ("runtime_secret_name", "hf_access_token")),
            id="mount-then-secret-inserted",
        ),
        pytest.param(
            {"repo_id": "org/name", "runtime_secret_name": None, **VOL},
            {"declares_hf_secret": True},
            [
                ("repo_id", "source", "hf://org/name"),
                ("runtime_secret_name", None, UNCHANGED),
                ("use_volume", None, UNCHANGED),
                ("volume_folder", "mount_location", LLAMA),
            ],
            (("runtime_secret_name", "hf_access_token"),),
            id="null-secret-replaced-by-implicit",
        ),
        pytest.param(
            {"repo_id": "s3://b/p"},
            {"declares_hf_secret": True},
            [("repo_id", "source", UNCHANGED)],
            (("mount_location", f"{ROOT}/b/p"),),
            id="no-secret-for-cloud",
        ),
    ],
)
def test_changes_and_inserts(entry, ctx, changes, inserts):
    plan = plan_entry(entry, Context(**ctx))
    assert changes_of(plan) == changes
    assert plan.inserts == inserts
    assert all(isinstance(c, KeyChange) for c in plan.changes)


def test_one_change_per_old_key():
    entry = {
        "repo_id": "org/name",
        "kind": "hf",
        "use_volume": False,
        "volume_folder": "x",
        "revision": None,
        "runtime_secret_name": None,
        "allow_patterns": None,
        "ignore_patterns": None,
    }
    plan = plan_entry(entry, Context())
    assert [c.old for c in plan.changes] == list(entry)
    # nulls are dropped, not carried into the new entry
    assert plan.weight == {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"}


# -- duplicate_mount ----------------------------------------------------------------------


def plans(*entries, **ctx):
    return [plan_entry(e, Context(**ctx)) for e in entries]


@pytest.mark.parametrize(
    "entries, expected",
    [
        pytest.param([], None, id="empty"),
        pytest.param([{"repo_id": "a/b", **VOL}], None, id="one"),
        pytest.param(
            [
                {"repo_id": "a/b", "use_volume": True, "volume_folder": "x"},
                {"repo_id": "c/d", "use_volume": True, "volume_folder": "y"},
            ],
            None,
            id="distinct",
        ),
        pytest.param(
            [
                {"repo_id": "a/b", "use_volume": True, "volume_folder": "x"},
                {"repo_id": "c/d", "use_volume": True, "volume_folder": "x"},
            ],
            1,
            id="same-folder",
        ),
        pytest.param(
            [
                {"repo_id": "a/b", "use_volume": True, "volume_folder": "x"},
                {"repo_id": "c/d", "use_volume": True, "volume_folder": "y"},
                {"repo_id": "e/f", "use_volume": True, "volume_folder": f"{ROOT}/x/"},
            ],
            2,
            id="same-after-normalisation",
        ),
        pytest.param(
            [{"repo_id": "org/name"}, {"repo_id": "c/d", "use_volume": True, "volume_folder": "org_name"}],
            1,
            id="legacy-derived-vs-folder",
        ),
        pytest.param(
            [{"repo_id": "org/name"}, {"repo_id": "hf://org/name", "revision": "v2"}], 1, id="same-hf-repo-twice-legacy"
        ),
    ],
)
def test_duplicate_mount(entries, expected):
    assert duplicate_mount(plans(*entries)) == expected


# -- drop_transfer_cli ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, expected",
    [
        pytest.param("truss-transfer-cli && x", "x", id="leading"),
        pytest.param(
            "truss-transfer-cli && python server.py --port 8000", "python server.py --port 8000", id="before-a-server"
        ),
        pytest.param("truss-transfer-cli&&x", "x", id="no-spaces"),
        pytest.param("  truss-transfer-cli && x", "  x", id="indented"),
        pytest.param('sh -c "truss-transfer-cli && x"', 'sh -c "x"', id="sh-c-double-quoted"),
        pytest.param("bash -c 'truss-transfer-cli &&x'", "bash -c 'x'", id="bash-c-single-quoted"),
        pytest.param(
            '/bin/sh -c "truss-transfer-cli && vllm serve /app/model_cache/m"',
            '/bin/sh -c "vllm serve /app/model_cache/m"',
            id="bin-sh-by-path",
        ),
        pytest.param("/usr/bin/bash -c 'truss-transfer-cli && x'", "/usr/bin/bash -c 'x'", id="usr-bin-bash-by-path"),
        # nothing to drop, or a mention that cannot go (unsafe_transfer_cli says why)
        pytest.param("python main.py", None, id="absent"),
        pytest.param("x && truss-transfer-cli && y", "x && y", id="middle-of-a-chain"),
        pytest.param("echo truss-transfer-cli && x", None, id="argument-of-echo-kept"),
        pytest.param("truss-transfer-cli", None, id="alone-kept"),
        pytest.param("truss-transfer-cli; x", "x", id="semicolon"),
        pytest.param("truss-transfer-cli-v2 && x", None, id="longer-command-name-kept"),
        pytest.param('sh -c "python main.py && truss-transfer-cli"', 'sh -c "python main.py"', id="last-in-sh-c"),
        pytest.param("", None, id="empty"),
    ],
)
def test_drop_transfer_cli(command, expected):
    assert drop_transfer_cli(command) == expected


# -- move_path ------------------------------------------------------------------------------

QWEN = {"/app/model_cache/qwen": "/models/qwen"}


@pytest.mark.parametrize(
    "text, moves, expected",
    [
        pytest.param("/app/model_cache/qwen", QWEN, "/models/qwen", id="exact"),
        pytest.param("/app/model_cache/qwen/config.json", QWEN, "/models/qwen/config.json", id="file-below"),
        pytest.param(
            "vllm serve /app/model_cache/qwen --tp 2", QWEN, "vllm serve /models/qwen --tp 2", id="argument-in-command"
        ),
        pytest.param("--model=/app/model_cache/qwen", QWEN, "--model=/models/qwen", id="option-value"),
        pytest.param('sh -c "cd /app/model_cache/qwen && run"', QWEN, 'sh -c "cd /models/qwen && run"', id="in-sh-c"),
        pytest.param(
            "/app/model_cache/qwen:/app/model_cache/qwen/lib", QWEN, "/models/qwen:/models/qwen/lib", id="path-list"
        ),
        pytest.param(
            "a /app/model_cache/qwen b /app/model_cache/qwen", QWEN, "a /models/qwen b /models/qwen", id="twice"
        ),
        # whole path prefix only
        pytest.param("/app/model_cache/qwen3", QWEN, "/app/model_cache/qwen3", id="longer-name-digit"),
        pytest.param(
            "/app/model_cache/qwen3/config.json",
            QWEN,
            "/app/model_cache/qwen3/config.json",
            id="longer-name-file-below",
        ),
        pytest.param("/app/model_cache/qwen-7b", QWEN, "/app/model_cache/qwen-7b", id="longer-name-dash"),
        pytest.param("/app/model_cache/qwen_v2", QWEN, "/app/model_cache/qwen_v2", id="longer-name-underscore"),
        pytest.param("/app/model_cache/qwen.bak", QWEN, "/app/model_cache/qwen.bak", id="longer-name-dot"),
        pytest.param("/app/model_cache", QWEN, "/app/model_cache", id="old-root-itself"),
        pytest.param("/mnt/app/model_cache/qwen", QWEN, "/mnt/app/model_cache/qwen", id="below-another-root"),
        # several moves at once
        pytest.param(
            "/app/model_cache/a /app/model_cache/b",
            {"/app/model_cache/a": "/models/a", "/app/model_cache/b": "/models/b"},
            "/models/a /models/b",
            id="two-moves",
        ),
        pytest.param(
            "/app/model_cache/a /app/model_cache/ab",
            {"/app/model_cache/a": "/models/a", "/app/model_cache/ab": "/models/ab"},
            "/models/a /models/ab",
            id="two-moves-one-a-prefix",
        ),
        # each path moves once: a new location is not moved again by another move
        # (--mount-root /app/model_cache/v2 with volume folders `x` and `v2`)
        pytest.param(
            "/app/model_cache/x/config.json",
            {"/app/model_cache/x": "/app/model_cache/v2/x", "/app/model_cache/v2": "/app/model_cache/v2/v2"},
            "/app/model_cache/v2/x/config.json",
            id="no-chained-moves",
        ),
        pytest.param("nothing here", QWEN, "nothing here", id="no-path"),
        pytest.param("/app/model_cache/qwen", {}, "/app/model_cache/qwen", id="no-moves"),
    ],
)
def test_move_path(text, moves, expected):
    assert move_path(text, moves) == expected
