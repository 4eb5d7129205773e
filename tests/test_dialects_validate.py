"""The two target dialects side by side: `schema.problems` for both, cross-checked against
truss's own model (README "The truss dialect", SPEC "Truss dialect").
"""

from __future__ import annotations

import importlib.util

import pytest

from migrate.config import schema
from migrate.core.context import SEED, TRUSS

if importlib.util.find_spec("truss") is None:  # the oracle extra (truss==0.18.36)
    pytest.skip("truss is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from truss.base.truss_config import Weights, WeightsSource

HTTPS = "https://example.com/files/model.bin"

# =====================================================================================
# 4. schema.problems
# =====================================================================================

HF = {"source": "hf://org/name", "mount_location": "/m"}
HF_T = {"source": "hf://org/name@main", "mount_location": "/m"}

ORACLE = pytest.mark.oracle  # the truss rows: truss itself validates them too

VALID = [
    pytest.param(SEED, [], id="seed-empty"),
    pytest.param(SEED, [HF], id="seed-bare-hf"),
    pytest.param(SEED, [{**HF, "revision": "main", "runtime_secret_name": "tok"}], id="seed-hf-revision-secret"),
    pytest.param(SEED, [{"source": "hf://org/name", "mount_location": "/m", "revision": "v1"}], id="seed-hf-prefixed"),
    pytest.param(
        SEED,
        [
            {"source": "s3://b/p", "mount_location": "/a"},
            {"source": "gs://b/p", "mount_location": "/b"},
            {"source": "azure://a/c/p", "mount_location": "/c"},
        ],
        id="seed-cloud",
    ),
    pytest.param(SEED, [{**HF, "allow_patterns": ["*.json"], "ignore_patterns": []}], id="seed-patterns"),
    pytest.param(TRUSS, [], id="truss-empty", marks=ORACLE),
    pytest.param(TRUSS, [HF_T], id="truss-hf-revision", marks=ORACLE),
    pytest.param(
        TRUSS,
        [{"source": "hf://org/name", "mount_location": "/m", "auth_secret_name": "tok"}],
        id="truss-hf-secret",
        marks=ORACLE,
    ),
    pytest.param(
        TRUSS,
        [
            {"source": "s3://b/p", "mount_location": "/a"},
            {"source": "gs://b/p", "mount_location": "/b"},
            {"source": "azure://a/c/p", "mount_location": "/c"},
            {"source": "r2://acct.b/p", "mount_location": "/d"},
            {"source": "cw://b/p", "mount_location": "/e"},
            {"source": HTTPS, "mount_location": "/f"},
        ],
        id="truss-all-schemes",
        marks=ORACLE,
    ),
    pytest.param(
        TRUSS, [{**HF_T, "allow_patterns": ["*.json"], "ignore_patterns": ["*.md"]}], id="truss-patterns", marks=ORACLE
    ),
]


@pytest.mark.parametrize("dialect, weights", VALID)
def test_valid_weights(dialect, weights):
    assert schema.problems(weights, dialect) == []
    if dialect is TRUSS:
        Weights.model_validate(weights)


INVALID = [
    # -- both dialects ----------------------------------------------------------------------
    pytest.param(SEED, {"source": "hf://org/name"}, "weights must be a list", id="seed-not-a-list"),
    pytest.param(SEED, ["org/name"], "must be a mapping", id="seed-entry-not-mapping"),
    pytest.param(SEED, [{"mount_location": "/m"}], "source must be a non-empty string", id="seed-no-source"),
    pytest.param(SEED, [{**HF, "auth_secret_name": "tok"}], "unknown key 'auth_secret_name'", id="seed-unknown-key"),
    pytest.param(SEED, [{**HF, "use_volume": True}], "unknown key 'use_volume'", id="seed-unknown-key-use-volume"),
    pytest.param(
        SEED, [{"source": "r2://b/p", "mount_location": "/m"}], "scheme r2:// is not allowed", id="seed-unknown-scheme"
    ),
    pytest.param(SEED, [{"source": "s3:///p", "mount_location": "/m"}], "empty bucket", id="seed-empty-bucket"),
    pytest.param(
        SEED,
        [{"source": "s3://b/p", "mount_location": "/m", "revision": "v1"}],
        "revision is only for Hugging Face",
        id="seed-revision-on-s3",
    ),
    pytest.param(SEED, [{**HF, "revision": ""}], "revision must be a non-empty string", id="seed-empty-revision"),
    pytest.param(
        SEED,
        [{"source": "org/name", "mount_location": "m"}],
        "mount_location must be an absolute path",
        id="seed-relative-mount",
    ),
    pytest.param(SEED, [{"source": "hf://org/name"}], "mount_location must be an absolute path", id="seed-no-mount"),
    pytest.param(
        SEED,
        [HF, {"source": "hf://org/other", "mount_location": "/m"}],
        "mount_location /m is used twice",
        id="seed-duplicate-mount",
    ),
    pytest.param(
        SEED, [{**HF, "runtime_secret_name": 1}], "runtime_secret_name must be a string", id="seed-secret-not-str"
    ),
    pytest.param(
        SEED,
        [{**HF, "allow_patterns": "*.json"}],
        "allow_patterns must be a list of strings",
        id="seed-patterns-not-list",
    ),
    pytest.param(
        SEED,
        [{**HF, "ignore_patterns": ["*.md", 3]}],
        "ignore_patterns must be a list of strings",
        id="seed-patterns-not-str",
    ),
    # -- truss --------------------------------------------------------------------------------
    pytest.param(
        TRUSS, [{"source": "org/name", "mount_location": "/m"}], "source needs a scheme", id="truss-missing-scheme"
    ),
    pytest.param(TRUSS, [{**HF_T, "revision": "main"}], "unknown key 'revision'", id="truss-revision-key"),
    pytest.param(
        TRUSS, [{**HF_T, "runtime_secret_name": "tok"}], "unknown key 'runtime_secret_name'", id="truss-seed-secret-key"
    ),
    pytest.param(
        TRUSS,
        [{"source": "ftp://host/p", "mount_location": "/m"}],
        "scheme ftp:// is not allowed",
        id="truss-unknown-scheme",
    ),
    pytest.param(TRUSS, [{"source": "gs:///p", "mount_location": "/m"}], "empty bucket", id="truss-empty-bucket"),
    pytest.param(
        TRUSS,
        [{"source": "s3://b/p", "mount_location": "/m", "revision": "v1"}],
        "revision is only for Hugging Face",
        id="truss-revision-on-s3",
    ),
    pytest.param(
        TRUSS,
        [{"source": "hf://org/name", "mount_location": "relative/m"}],
        "mount_location must be an absolute path",
        id="truss-relative-mount",
    ),
    pytest.param(
        TRUSS,
        [HF_T, {"source": "s3://b/p", "mount_location": "/m"}],
        "mount_location /m is used twice",
        id="truss-duplicate-mount",
    ),
    pytest.param(
        TRUSS, [{**HF_T, "auth_secret_name": ["tok"]}], "auth_secret_name must be a string", id="truss-secret-not-str"
    ),
    pytest.param(
        TRUSS,
        [{**HF_T, "allow_patterns": [None]}],
        "allow_patterns must be a list of strings",
        id="truss-patterns-not-str",
    ),
    pytest.param(
        TRUSS,
        [{**HF_T, "ignore_patterns": {"a": 1}}],
        "ignore_patterns must be a list of strings",
        id="truss-patterns-not-list",
    ),
]


@pytest.mark.parametrize("dialect, weights, problem", INVALID)
def test_invalid_weights(dialect, weights, problem):
    found = schema.problems(weights, dialect)
    assert any(problem in p for p in found), found


# The truss validator claims to check "what truss 0.18 accepts" for the sources this
# tool writes: on a single entry it must agree with truss's own WeightsSource model.
TRUSS_SOURCES = [
    "hf://org/name",
    "hf://org/name@main",
    "s3://b/p",
    "gs://b/p",
    "azure://a/c/p",
    "r2://a.b/p",
    "cw://b/p",
    HTTPS,
    "org/name",
    "ftp://h/p",
    "s3:///p",
    "gs:///p",
    "http://example.com/a.bin",  # reachable: an external_data url
    "s3://b/p@v1",  # reachable: kind s3, repo_id b/p@v1
    "hf://",  # reachable: repo_id hf:// with a volume
]


@pytest.mark.oracle
@pytest.mark.parametrize("source", TRUSS_SOURCES)
def test_truss_validator_agrees_with_truss(source):
    entry = {"source": source, "mount_location": "/m"}
    ours = schema.problems([entry], TRUSS)
    try:
        WeightsSource.model_validate(entry)
        theirs = True
    except Exception:  # pydantic.ValidationError
        theirs = False
    assert (ours == []) == theirs, ours


# =====================================================================================
