"""The two target dialects side by side: seed (the design document) and truss (truss 0.18), entry by entry.

Tables, one row per documented behaviour (README "Mapping of one entry" and "The
truss dialect", SPEC "Truss dialect"):

1. `rules.plan_entry` in the truss dialect, plus a property: seed and truss plan
   the same entry the same way, up to the documented surface;
2. `rules.plan_external` (external_data items).

The other tables of the two dialects: test_dialects_text.py (`yaml_edit.migrate_text`),
test_dialects_validate.py (`schema.problems`), test_dialects_code.py (`python.edit.migrate`).
"""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import examples

from migrate.config import schema
from migrate.core.context import SEED, TRUSS, Context
from migrate.core.mapping import RuleError, plan_entry, plan_external

if importlib.util.find_spec("truss") is None:  # the oracle extra (truss==0.18.36)
    pytest.skip("truss is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from truss.base.truss_config import WeightsSource

ROOT = "/app/model_cache"
VOL = {"use_volume": True, "volume_folder": "llama"}
LLAMA = f"{ROOT}/llama"
HTTPS = "https://example.com/files/model.bin"


# =====================================================================================
# 1. rules.plan_entry, truss dialect
# =====================================================================================


def trow(id_, entry, ctx, weight):
    return pytest.param(entry, ctx, weight, id=id_)


TRUSS_MAPPING = [
    # -- Hugging Face: the revision moves into the source -------------------------------
    trow(
        "hf-revision",
        {"repo_id": "org/name", "revision": "main", **VOL},
        {},
        {"source": "hf://org/name@main", "mount_location": LLAMA},
    ),
    trow(
        "hf-kind-revision",
        {"repo_id": "org/name", "kind": "hf", "revision": "abc123", **VOL},
        {},
        {"source": "hf://org/name@abc123", "mount_location": LLAMA},
    ),
    trow("hf-no-revision", {"repo_id": "org/name", **VOL}, {}, {"source": "hf://org/name", "mount_location": LLAMA}),
    trow(
        "hf-empty-revision",
        {"repo_id": "org/name", "revision": "", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    trow(
        "hf-prefix-not-doubled",
        {"repo_id": "hf://org/name", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    trow(
        "hf-prefix-not-doubled-revision",
        {"repo_id": "hf://org/name", "kind": "hf", "revision": "v2", **VOL},
        {},
        {"source": "hf://org/name@v2", "mount_location": LLAMA},
    ),
    # -- cloud sources: exactly as in the seed dialect ------------------------------------
    trow(
        "s3-scheme", {"repo_id": "s3://b/p", "kind": "s3", **VOL}, {}, {"source": "s3://b/p", "mount_location": LLAMA}
    ),
    trow("s3-bare", {"repo_id": "b/p", "kind": "s3", **VOL}, {}, {"source": "s3://b/p", "mount_location": LLAMA}),
    trow("s3-inferred", {"repo_id": "s3://b/p", **VOL}, {}, {"source": "s3://b/p", "mount_location": LLAMA}),
    trow(
        "s3-revision-dropped",
        {"repo_id": "s3://b/p", "kind": "s3", "revision": "v1", **VOL},
        {},
        {"source": "s3://b/p", "mount_location": LLAMA},
    ),
    trow(
        "gcs-scheme", {"repo_id": "gs://b/p", "kind": "gcs", **VOL}, {}, {"source": "gs://b/p", "mount_location": LLAMA}
    ),
    trow("gcs-bare", {"repo_id": "b/p", "kind": "gcs", **VOL}, {}, {"source": "gs://b/p", "mount_location": LLAMA}),
    trow(
        "azure-scheme",
        {"repo_id": "azure://a/c/p", "kind": "azure", **VOL},
        {},
        {"source": "azure://a/c/p", "mount_location": LLAMA},
    ),
    trow(
        "azure-bare",
        {"repo_id": "a/c/p", "kind": "azure", **VOL},
        {},
        {"source": "azure://a/c/p", "mount_location": LLAMA},
    ),
    # -- secrets: auth_secret_name instead of runtime_secret_name -------------------------
    trow(
        "hf-secret-renamed",
        {"repo_id": "org/name", "runtime_secret_name": "tok", **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "auth_secret_name": "tok"},
    ),
    trow(
        "s3-secret-renamed",
        {"repo_id": "b/p", "kind": "s3", "runtime_secret_name": "aws", **VOL},
        {},
        {"source": "s3://b/p", "mount_location": LLAMA, "auth_secret_name": "aws"},
    ),
    trow(
        "hf-implicit-secret-declared",
        {"repo_id": "org/name", **VOL},
        {"declares_hf_secret": True},
        {"source": "hf://org/name", "mount_location": LLAMA, "auth_secret_name": "hf_access_token"},
    ),
    trow(
        "hf-implicit-secret-not-declared",
        {"repo_id": "org/name", **VOL},
        {"declares_hf_secret": False},
        {"source": "hf://org/name", "mount_location": LLAMA},
    ),
    trow(
        "hf-explicit-secret-wins",
        {"repo_id": "org/name", "runtime_secret_name": "mine", **VOL},
        {"declares_hf_secret": True},
        {"source": "hf://org/name", "mount_location": LLAMA, "auth_secret_name": "mine"},
    ),
    trow(
        "s3-no-implicit-secret",
        {"repo_id": "b/p", "kind": "s3", **VOL},
        {"declares_hf_secret": True},
        {"source": "s3://b/p", "mount_location": LLAMA},
    ),
    # -- patterns, legacy mounts ----------------------------------------------------------
    trow(
        "patterns-rewritten",
        {"repo_id": "org/name", "allow_patterns": ["*.json"], "ignore_patterns": ["*.md"], **VOL},
        {},
        {
            "source": "hf://org/name",
            "mount_location": LLAMA,
            "allow_patterns": ["*.json", "**/*.json"],
            "ignore_patterns": ["*.md", "**/*.md"],
        },
    ),
    trow(
        "legacy-hf",
        {"repo_id": "org/name", "revision": "main"},
        {},
        {"source": "hf://org/name@main", "mount_location": f"{ROOT}/org_name"},
    ),
    trow(
        "legacy-hf-prefixed",
        {"repo_id": "hf://org/name", "use_volume": False},
        {},
        {"source": "hf://org/name", "mount_location": f"{ROOT}/org_name"},
    ),
    trow(
        "legacy-s3",
        {"repo_id": "s3://b/some/path", "kind": "s3", "use_volume": False},
        {},
        {"source": "s3://b/some/path", "mount_location": f"{ROOT}/b/some/path"},
    ),
    trow(
        "legacy-gcs-custom-root",
        {"repo_id": "b/p/", "kind": "gcs"},
        {"mount_root": "/models"},
        {"source": "gs://b/p/", "mount_location": "/models/b/p"},
    ),
    trow(
        "volume-custom-root",
        {"repo_id": "org/name", **VOL},
        {"mount_root": "/models"},
        {"source": "hf://org/name", "mount_location": "/models/llama"},
    ),
    trow(
        "volume-absolute-folder",
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "/weights/x"},
        {},
        {"source": "hf://org/name", "mount_location": "/weights/x"},
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize("entry, ctx, weight", TRUSS_MAPPING)
def test_truss_dialect_mapping(entry, ctx, weight):
    plan = plan_entry(entry, Context(dialect=TRUSS, **ctx))
    assert plan.weight == weight
    assert "revision" not in plan.weight and "runtime_secret_name" not in plan.weight
    assert schema.problems([plan.weight], TRUSS) == []
    # the same entry in the seed dialect mounts at the same place (legacy or not)
    seed = plan_entry(entry, Context(dialect=SEED, **ctx))
    assert seed.weight["mount_location"] == plan.weight["mount_location"]
    assert seed.legacy == plan.legacy and seed.kind == plan.kind
    # truss accepts the entry as written
    WeightsSource.model_validate(plan.weight)


def test_truss_dialect_drops_the_revision_key_and_renames_the_secret_key():
    entry = {"repo_id": "org/name", "revision": "main", "runtime_secret_name": "tok", **VOL}
    plan = plan_entry(entry, Context(dialect=TRUSS))
    changes = {c.old: c for c in plan.changes}
    assert changes["repo_id"].new == "source" and changes["repo_id"].value == "hf://org/name@main"
    assert changes["revision"].new is None
    assert changes["runtime_secret_name"].new == "auth_secret_name"
    assert changes["volume_folder"].new == "mount_location"
    assert changes["use_volume"].new is None


def test_truss_dialect_inserts_the_implicit_secret_under_its_key():
    plan = plan_entry({"repo_id": "org/name", **VOL}, Context(dialect=TRUSS, declares_hf_secret=True))
    assert plan.inserts == (("auth_secret_name", "hf_access_token"),)
    assert [n.code for n in plan.notes] == ["W006"]


# -- property: the two dialects plan the same thing ---------------------------------------

_NAME = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,6}", fullmatch=True)
_REV = st.one_of(st.none(), st.just(""), st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,10}", fullmatch=True))
_SECRET = st.one_of(st.none(), _NAME)
_FOLDER = st.one_of(
    _NAME,
    st.builds(lambda a, b: f"{a}/{b}", _NAME, _NAME),
    st.builds(lambda a: f"/mnt/{a}", _NAME),
    st.builds(lambda a: f"./{a}//", _NAME),
    st.just("../escape"),
)
_PATTERNS = st.one_of(st.none(), st.lists(st.sampled_from(["*.json", "*.bin", "*.md", "tok*"]), max_size=3))
_SCHEME_OF = {"s3": "s3://", "gcs": "gs://", "azure": "azure://"}


@st.composite
def old_entries(draw) -> dict:
    family = draw(st.sampled_from(["hf", "s3", "gcs", "azure"]))
    path = "/".join(draw(st.lists(_NAME, min_size=2, max_size=4)))
    if family == "hf":
        repo_id = draw(st.sampled_from(["", "hf://"])) + path
        kind = draw(st.sampled_from([None, "hf"]))
    else:
        with_scheme = draw(st.booleans())
        repo_id = (_SCHEME_OF[family] if with_scheme else "") + path
        kind = draw(st.sampled_from([None, family])) if with_scheme else family
    entry: dict = {"repo_id": repo_id}
    if kind is not None:
        entry["kind"] = kind
    for key, strategy in (
        ("revision", _REV),
        ("runtime_secret_name", _SECRET),
        ("allow_patterns", _PATTERNS),
        ("ignore_patterns", _PATTERNS),
    ):
        value = draw(strategy)
        if value is not None:
            entry[key] = value
    use_volume = draw(st.sampled_from([None, True, False]))
    if use_volume is not None:
        entry["use_volume"] = use_volume
    if use_volume or draw(st.booleans()):
        entry["volume_folder"] = draw(_FOLDER)
    # a shuffled key order: the plans must not depend on it
    keys = draw(st.permutations(list(entry)))
    return {k: entry[k] for k in keys}


def _plan(entry, dialect, declares, root):
    try:
        return plan_entry(entry, Context(mount_root=root, declares_hf_secret=declares, dialect=dialect))
    except RuleError as err:
        return err


@pytest.mark.oracle
@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(old_entries(), st.booleans(), st.sampled_from([ROOT, "/models", "/app/cache/"]))
def test_seed_and_truss_plans_agree(entry, declares, root):
    seed = _plan(entry, SEED, declares, root)
    truss = _plan(entry, TRUSS, declares, root)
    if isinstance(seed, RuleError) or isinstance(truss, RuleError):
        assert type(seed) is type(truss), (seed, truss)
        assert (seed.code, seed.key) == (truss.code, truss.key)
        return
    s, t = seed.weight, truss.weight
    assert t["mount_location"] == s["mount_location"]
    for key in ("allow_patterns", "ignore_patterns"):
        assert t.get(key) == s.get(key)
    assert seed.kind == truss.kind and seed.legacy == truss.legacy
    assert [n.code for n in seed.notes] == [n.code for n in truss.notes]
    # the documented surface: the source ...
    if seed.kind == "hf":
        bare = s["source"][len("hf://") :] if s["source"].startswith("hf://") else s["source"]
        rev = s.get("revision")
        assert t["source"] == "hf://" + bare + ("@" + rev if rev else "")
    else:
        assert t["source"] == s["source"]
        assert "revision" not in s
    # ... no revision key in truss; one secret under two names
    assert "revision" not in t
    assert ("runtime_secret_name" in s) == ("auth_secret_name" in t)
    assert s.get("runtime_secret_name") == t.get("auth_secret_name")
    assert "auth_secret_name" not in s and "runtime_secret_name" not in t
    assert set(s) - {"revision", "runtime_secret_name"} == set(t) - {"auth_secret_name"}
    # both are valid in their own schema, and truss accepts its own
    assert schema.problems([s], SEED) == []
    assert schema.problems([t], TRUSS) == []
    WeightsSource.model_validate(t)


# =====================================================================================
# 2. rules.plan_external
# =====================================================================================


def xrow(id_, item, weight, notes=()):
    return pytest.param(item, weight, list(notes), id=id_)


EXTERNAL = [
    xrow(
        "plain",
        {"url": HTTPS, "local_data_path": "model.bin"},
        {"source": HTTPS, "mount_location": "/app/data/model.bin"},
    ),
    xrow(
        "nested",
        {"url": HTTPS, "local_data_path": "models/v1/model.bin"},
        {"source": HTTPS, "mount_location": "/app/data/models/v1/model.bin"},
    ),
    xrow(
        "normalised",
        {"url": HTTPS, "local_data_path": "./models//v1/./model.bin"},
        {"source": HTTPS, "mount_location": "/app/data/models/v1/model.bin"},
    ),
    xrow(
        "trailing-slash",
        {"url": HTTPS, "local_data_path": "models/"},
        {"source": HTTPS, "mount_location": "/app/data/models"},
    ),
    xrow(
        "leading-slash",
        {"url": HTTPS, "local_data_path": "/models/x"},
        {"source": HTTPS, "mount_location": "/app/data/models/x"},
    ),
    xrow(
        "backend-http-public-silent",
        {"url": HTTPS, "local_data_path": "a", "backend": "http_public"},
        {"source": HTTPS, "mount_location": "/app/data/a"},
    ),
    xrow(
        "backend-other-warns",
        {"url": HTTPS, "local_data_path": "a", "backend": "s3_private"},
        {"source": HTTPS, "mount_location": "/app/data/a"},
        ["W011"],
    ),
    xrow(
        "name-dropped",
        {"url": HTTPS, "local_data_path": "a", "name": "the-model"},
        {"source": HTTPS, "mount_location": "/app/data/a"},
    ),
    xrow(
        "all-keys",
        {"name": "n", "backend": "http_public", "local_data_path": "a", "url": HTTPS},
        {"source": HTTPS, "mount_location": "/app/data/a"},
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize("item, weight, notes", EXTERNAL)
def test_plan_external(item, weight, notes):
    plan = plan_external(item)
    assert plan.weight == weight
    assert [n.code for n in plan.notes] == notes
    changes = {c.old: c.new for c in plan.changes}
    assert changes["url"] == "source" and changes["local_data_path"] == "mount_location"
    assert all(changes[k] is None for k in ("backend", "name") if k in item)
    assert plan.inserts == ()
    assert schema.problems([plan.weight], TRUSS) == []
    WeightsSource.model_validate(plan.weight)


EXTERNAL_ERRORS = [
    pytest.param({"local_data_path": "a"}, "E018", "url", id="missing-url"),
    pytest.param({"url": "", "local_data_path": "a"}, "E018", "url", id="empty-url"),
    pytest.param({"url": HTTPS}, "E018", "local_data_path", id="missing-local-data-path"),
    pytest.param({"url": HTTPS, "local_data_path": ""}, "E018", "local_data_path", id="empty-local-data-path"),
    pytest.param({"url": HTTPS, "local_data_path": "a", "sha256": "x"}, "E018", "sha256", id="unknown-key"),
    pytest.param({"url": HTTPS, "local_data_path": "../a"}, "E011", "local_data_path", id="dotdot"),
    pytest.param({"url": HTTPS, "local_data_path": "m/../../etc"}, "E011", "local_data_path", id="dotdot-inside"),
]


@pytest.mark.parametrize("item, code, key", EXTERNAL_ERRORS)
def test_plan_external_errors(item, code, key):
    with pytest.raises(RuleError) as info:
        plan_external(item)
    assert info.value.code == code, info.value.message
    if key in item:  # an absent key cannot be pointed at: the diagnostic goes to the item
        assert info.value.key == key


# =====================================================================================
