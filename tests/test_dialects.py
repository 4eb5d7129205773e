"""The two target dialects side by side: seed (the design document) and truss (truss 0.18).

Tables, one row per documented behaviour (README "Mapping of one entry" and "The
truss dialect", SPEC "Truss dialect"):

1. `rules.plan_entry` in the truss dialect, plus a property: seed and truss plan
   the same entry the same way, up to the documented surface;
2. `rules.plan_external` (external_data items);
3. `yaml_edit.migrate_text` with exact before/after texts; every migrated output
   loads, validates, is stable, and (truss dialect) is accepted by truss itself;
4. `validate.problems` for both dialects, cross-checked against truss's own model;
5. `code_edit.migrate_code` in the truss dialect, the result run against the real truss.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migrate import code_edit, validate, yaml_edit
from migrate.rules import SEED, TRUSS, Context, RuleError, plan_entry, plan_external

if importlib.util.find_spec("truss") is None:  # the oracle extra (truss==0.18.36)
    pytest.skip("truss is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from truss.base.truss_config import TrussConfig, Weights, WeightsSource

ROOT = "/app/model_cache"
VOL = {"use_volume": True, "volume_folder": "llama"}
LLAMA = f"{ROOT}/llama"
HTTPS = "https://example.com/files/model.bin"


def load(text: str) -> dict:
    return yaml.safe_load(text)  # as truss reads it


def accepted_by_truss(text: str, tmp_path: Path) -> TrussConfig:
    """What `truss push` checks: from_yaml, then no unknown keys anywhere."""
    path = tmp_path / "config.yaml"
    path.write_text(text)
    config = TrussConfig.from_yaml(path)
    config.validate_forbid_extra()
    return config


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


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
        "patterns-kept",
        {"repo_id": "org/name", "allow_patterns": ["*.json"], "ignore_patterns": ["*.md"], **VOL},
        {},
        {"source": "hf://org/name", "mount_location": LLAMA, "allow_patterns": ["*.json"], "ignore_patterns": ["*.md"]},
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


@pytest.mark.parametrize("entry, ctx, weight", TRUSS_MAPPING)
def test_truss_dialect_mapping(entry, ctx, weight):
    plan = plan_entry(entry, Context(dialect=TRUSS, **ctx))
    assert plan.weight == weight
    assert "revision" not in plan.weight and "runtime_secret_name" not in plan.weight
    assert validate.problems([plan.weight], TRUSS) == []
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


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    assert validate.problems([s], SEED) == []
    assert validate.problems([t], TRUSS) == []
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


@pytest.mark.parametrize("item, weight, notes", EXTERNAL)
def test_plan_external(item, weight, notes):
    plan = plan_external(item)
    assert plan.weight == weight
    assert [n.code for n in plan.notes] == notes
    changes = {c.old: c.new for c in plan.changes}
    assert changes["url"] == "source" and changes["local_data_path"] == "mount_location"
    assert all(changes[k] is None for k in ("backend", "name") if k in item)
    assert plan.inserts == ()
    assert validate.problems([plan.weight], TRUSS) == []
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
# 3. migrate_text, truss dialect: exact texts
# =====================================================================================


def d(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def mrow(id_, before, after, warnings=(), dialect=TRUSS):
    return pytest.param(d(before), d(after), sorted(warnings), dialect, id=id_)


MIGRATIONS = [
    mrow(
        "block-entry-revision-kind-secret",
        """
        model_name: llama  # the name
        secrets:
          hf_access_token: null
        model_cache:
          - repo_id: org/name  # the model
            kind: hf
            revision: main
            use_volume: true
            volume_folder: llama
          - repo_id: org/other
            runtime_secret_name: my_token
            use_volume: true
            volume_folder: other
        python_version: py311
        """,
        """
        model_name: llama  # the name
        secrets:
          hf_access_token: null
        weights:
          - source: hf://org/name@main  # the model
            auth_secret_name: hf_access_token
            mount_location: /app/model_cache/llama
          - source: hf://org/other
            auth_secret_name: my_token
            mount_location: /app/model_cache/other
        python_version: py311
        """,
        ["W006"],
    ),
    mrow(
        "corpus-like-external-data-at-the-end",
        """
        model_name: x
        model_cache:
        - repo_id: org/name
          use_volume: true
          volume_folder: llama
        external_data:
        - url: https://example.com/a.bin
          local_data_path: models/a.bin
          backend: http_public
        - url: https://example.com/b.bin
          local_data_path: b.bin
          name: b
        """,
        """
        model_name: x
        weights:
        - source: hf://org/name
          mount_location: /app/model_cache/llama
        - source: https://example.com/a.bin
          mount_location: /app/data/models/a.bin
        - source: https://example.com/b.bin
          mount_location: /app/data/b.bin
        """,
        ["W012"],
    ),
    mrow(
        "external-data-in-the-middle-with-comments",
        """
        model_name: x
        model_cache:
          - repo_id: org/name
            use_volume: true
            volume_folder: llama
        external_data:
          # the tokenizer
          - url: https://example.com/tok.json
            local_data_path: tok.json  # small
        python_version: py311
        """,
        """
        model_name: x
        weights:
          - source: hf://org/name
            mount_location: /app/model_cache/llama
          - source: https://example.com/tok.json
            mount_location: /app/data/tok.json
          # the tokenizer
            # small
        python_version: py311
        """,
        ["W012"],
    ),
    mrow(
        "only-external-data-renamed-in-place",
        """
        model_name: x
        # data below
        external_data:  # remote files
          - url: https://example.com/a.bin  # weights
            local_data_path: a.bin
            backend: http_public  # the default
            name: a
        resources:
          cpu: "1"
        """,
        """
        model_name: x
        # data below
        weights:  # remote files
          - source: https://example.com/a.bin  # weights
            mount_location: /app/data/a.bin
            # the default
        resources:
          cpu: "1"
        """,
        ["W012"],
    ),
    mrow(
        "flow-model-cache-plus-external-data",
        """
        model_name: x
        model_cache: [{repo_id: org/name, revision: v1, use_volume: true, volume_folder: llama}]
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        """
        model_name: x
        weights: [{source: "hf://org/name@v1", mount_location: /app/model_cache/llama}, {source: "https://example.com/a.bin", mount_location: /app/data/a.bin}]
        """,
        ["W012"],
    ),
    mrow(
        "four-space-indentation",
        """
        model_name: x
        model_cache:
            -   repo_id: org/name
                revision: v1
                use_volume: true
                volume_folder: llama
        external_data:
            -   url: https://example.com/a.bin
                local_data_path: a.bin
        """,
        """
        model_name: x
        weights:
            -   source: hf://org/name@v1
                mount_location: /app/model_cache/llama
            -   source: https://example.com/a.bin
                mount_location: /app/data/a.bin
        """,
        ["W012"],
    ),
    mrow(
        "external-data-first-then-model-cache",
        """
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        model_cache:
          - repo_id: s3://bucket/path
            kind: s3
            use_volume: true
            volume_folder: w
        """,
        """
        weights:
          - source: s3://bucket/path
            mount_location: /app/model_cache/w
          - source: https://example.com/a.bin
            mount_location: /app/data/a.bin
        """,
        ["W012"],
    ),
    mrow(
        "seed-dialect-leaves-external-data",
        """
        model_cache:
          - repo_id: org/name
            use_volume: true
            volume_folder: llama
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        """
        weights:
          - source: hf://org/name
            mount_location: /app/model_cache/llama
        external_data:
          - url: https://example.com/a.bin
            local_data_path: a.bin
        """,
        ["W010"],
        dialect=SEED,
    ),
]


@pytest.mark.parametrize("before, after, warnings, dialect", MIGRATIONS)
def test_migrate_text_dialects(before, after, warnings, dialect, tmp_path):
    outcome = yaml_edit.migrate_text(before, Context(dialect=dialect))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == after
    assert codes(outcome.diagnostics) == warnings
    data = load(outcome.text)
    assert validate.problems(data["weights"], dialect) == []
    assert yaml_edit.migrate_text(outcome.text, Context(dialect=dialect)).status == "unchanged"
    if dialect is TRUSS:
        assert "external_data" not in data and "model_cache" not in data
        config = accepted_by_truss(outcome.text, tmp_path)
        assert [w.model_dump(exclude_none=True) for w in config.weights.sources] == data["weights"]


FAILURES = [
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: llama\n"
        "weights:\n  - source: hf://a/b\n    mount_location: /m\n",
        "E013",
        5,
        id="model-cache-beside-non-empty-weights",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: llama\n"
        "external_data:\n  - local_data_path: a.bin\n",
        "E018",
        6,
        id="external-data-item-without-url",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n",
        "E018",
        2,
        id="only-external-data-item-without-local-data-path",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a\n    sha256: abc\n",
        "E018",
        4,
        id="external-data-unknown-key",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: ../a\n",
        "E011",
        3,
        id="external-data-dotdot",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: /app/data/a.bin\n"
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a.bin\n",
        "E012",
        6,
        id="duplicate-mount-across-model-cache-and-external-data",
    ),
    pytest.param(
        "external_data:\n  - url: https://example.com/a.bin\n    local_data_path: a.bin\n"
        "  - url: https://example.com/b.bin\n    local_data_path: ./a.bin\n",
        "E012",
        4,
        id="duplicate-mount-within-external-data",
    ),
]


@pytest.mark.parametrize("text, code, line", FAILURES)
def test_migrate_text_truss_dialect_errors(text, code, line):
    outcome = yaml_edit.migrate_text(text, Context(dialect=TRUSS))
    assert outcome.status == "failed"
    assert outcome.text is None  # the file stays as it is
    assert [(diag.code, diag.line) for diag in outcome.diagnostics] == [(code, line)]


def test_seed_dialect_never_complains_about_external_data_errors():
    """In the seed dialect external_data is not read at all: a broken item is not an error."""
    text = (
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: a\nexternal_data:\n  - url: x\n"
    )
    outcome = yaml_edit.migrate_text(text, Context(dialect=SEED))
    assert outcome.status == "migrated" and codes(outcome.diagnostics) == ["W010"]
    assert outcome.text.endswith("external_data:\n  - url: x\n")


@pytest.mark.parametrize("url", ["http://example.com/a.bin", "https://example.com/a.bin"])
def test_external_data_url_is_either_refused_or_accepted_by_truss(url, tmp_path):
    """The truss dialect must never write a config truss 0.18 refuses (http:// is not one of its schemes)."""
    text = f"external_data:\n  - url: {url}\n    local_data_path: a.bin\n"
    outcome = yaml_edit.migrate_text(text, Context(dialect=TRUSS))
    if outcome.status == "migrated":
        accepted_by_truss(outcome.text, tmp_path)
    else:
        assert outcome.status == "failed" and outcome.text is None


# =====================================================================================
# 4. validate.problems
# =====================================================================================

HF = {"source": "hf://org/name", "mount_location": "/m"}
HF_T = {"source": "hf://org/name@main", "mount_location": "/m"}

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
    pytest.param(TRUSS, [], id="truss-empty"),
    pytest.param(TRUSS, [HF_T], id="truss-hf-revision"),
    pytest.param(
        TRUSS, [{"source": "hf://org/name", "mount_location": "/m", "auth_secret_name": "tok"}], id="truss-hf-secret"
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
    ),
    pytest.param(TRUSS, [{**HF_T, "allow_patterns": ["*.json"], "ignore_patterns": ["*.md"]}], id="truss-patterns"),
]


@pytest.mark.parametrize("dialect, weights", VALID)
def test_valid_weights(dialect, weights):
    assert validate.problems(weights, dialect) == []
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
    found = validate.problems(weights, dialect)
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


@pytest.mark.parametrize("source", TRUSS_SOURCES)
def test_truss_validator_agrees_with_truss(source):
    entry = {"source": source, "mount_location": "/m"}
    ours = validate.problems([entry], TRUSS)
    try:
        WeightsSource.model_validate(entry)
        theirs = True
    except Exception:  # pydantic.ValidationError
        theirs = False
    assert (ours == []) == theirs, ours


# =====================================================================================
# 5. code_edit, truss dialect
# =====================================================================================


def import_file(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(path.stem, None)
    return module


def crow(id_, before, after, expected):
    return pytest.param(d(before), d(after), expected, id=id_)


CODE = [
    crow(
        "literals-revision-and-secret",
        """
        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [
            ModelRepo(repo_id="org/x", revision="v1", use_volume=True, volume_folder="x", runtime_secret_name="tok"),
            ModelRepo(repo_id="bucket/p", kind="s3", use_volume=True, volume_folder="p"),
        ]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [
            WeightsSource(source="hf://org/x@v1", mount_location="/app/model_cache/x", auth_secret_name="tok"),
            WeightsSource(source="s3://bucket/p", mount_location="/app/model_cache/p"),
        ]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/x@v1", "/app/model_cache/x", "tok"), ("s3://bucket/p", "/app/model_cache/p", None)],
    ),
    crow(
        "expression-with-double-quotes",
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ["REPO"], revision="main", use_volume=True, volume_folder="m")]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [WeightsSource(source=f'hf://{os.environ["REPO"]}@main', mount_location="/app/model_cache/m")]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env@main", "/app/model_cache/m", None)],
    ),
    crow(
        "expression-with-single-quotes",
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ['REPO'], revision='main', use_volume=True, volume_folder='m')]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [WeightsSource(source=f"hf://{os.environ['REPO']}@main", mount_location='/app/model_cache/m')]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env@main", "/app/model_cache/m", None)],
    ),
    crow(
        "expression-module-form-no-revision",
        """
        import os

        from truss.base import truss_config

        REPOS = [
            truss_config.ModelRepo(
                repo_id=os.getenv("REPO", "org/default"),
                use_volume=True,
                volume_folder="m",
                runtime_secret_name="hf_access_token",
            ),
        ]
        CONFIG = truss_config.TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base import truss_config

        REPOS = [
            truss_config.WeightsSource(
                source=f'hf://{os.getenv("REPO", "org/default")}',
                mount_location="/app/model_cache/m",
                auth_secret_name="hf_access_token",
            ),
        ]
        CONFIG = truss_config.TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env", "/app/model_cache/m", "hf_access_token")],
    ),
]


@pytest.mark.parametrize("before, after, expected", CODE)
def test_code_in_the_truss_dialect(before, after, expected, tmp_path, monkeypatch):
    outcome = code_edit.migrate_code(before, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == after
    assert "W101" in codes(outcome.diagnostics)
    compile(outcome.text, "migrated.py", "exec")
    monkeypatch.setenv("REPO", "org/from-env")
    path = tmp_path / f"wm_dialects_{abs(hash(before))}.py"
    path.write_text(outcome.text)
    repos = import_file(path).REPOS
    assert all(isinstance(r, WeightsSource) for r in repos)
    assert [(r.source, r.mount_location, r.auth_secret_name) for r in repos] == expected
    for r in repos:  # each passes truss's validation again, and together they form valid weights
        WeightsSource.model_validate(r.model_dump())
    Weights.model_validate([r.model_dump(exclude_none=True) for r in repos])
    assert validate.problems([r.model_dump(exclude_none=True) for r in repos], TRUSS) == []
    # a second run has nothing left to do
    assert code_edit.migrate_code(outcome.text, Context(dialect=TRUSS)).status == "unchanged"


def test_code_expression_with_both_quotes_falls_back_to_concatenation(tmp_path, monkeypatch):
    before = d(
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ.get("R", 'org/d'), revision="main", use_volume=True, volume_folder="m")]
        CONFIG = TrussConfig(model_cache=REPOS)
        """
    )
    outcome = code_edit.migrate_code(before, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert 'source="hf://" + str(os.environ.get("R", \'org/d\')) + "@main"' in outcome.text
    monkeypatch.delenv("R", raising=False)
    path = tmp_path / "wm_dialects_both_quotes.py"
    path.write_text(outcome.text)
    (repo,) = import_file(path).REPOS
    assert (repo.source, repo.mount_location) == ("hf://org/d@main", "/app/model_cache/m")


def test_code_seed_dialect_prefixes_the_expression():
    """The same expression in the seed dialect: hf:// before the expression, revision kept as a key."""
    before = (
        "import os\nfrom truss.base.truss_config import ModelRepo, TrussConfig\n"
        'R = ModelRepo(repo_id=os.environ["REPO"], revision="main", use_volume=True, volume_folder="m")\n'
        "CONFIG = TrussConfig(model_cache=[R])\n"
    )
    outcome = code_edit.migrate_code(before, Context(dialect=SEED))
    assert outcome.status == "migrated", outcome.diagnostics
    assert (
        'WeightsSource(source=f\'hf://{os.environ["REPO"]}\', revision="main", mount_location="/app/model_cache/m")'
        in outcome.text
    )
