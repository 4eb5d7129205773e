"""rules.py against the mapping table: each per-key function by rows, and `OLD_KEYS` against
the table "Mapping of one entry" as SPEC.md (../shared) and README.md print it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.core.context import SEED, TRUSS, Context
from migrate.core.mapping import (
    EXTERNAL_KEYS,
    OLD_KEYS,
    RuleError,
    is_legacy,
    mount_location,
    plan_entry,
    plan_external,
    revision,
    secret,
    source,
)

ROOT = Path(__file__).resolve().parent.parent
ENTRY_KEY = re.compile(r"`([a-z][a-z_]*)(?:: [^`]*)?`")  # `repo_id` or `repo_id: org/name`
NOT_ENTRY_KEYS = {"secrets", "hf_access_token"}  # named in the table, but not keys of an entry


# -- source -------------------------------------------------------------------------------

SOURCE = [
    pytest.param("hf", "org/name", "org/name", None, SEED, "hf://org/name", id="hf-bare"),
    pytest.param("hf", "hf://org/name", "hf://org/name", None, SEED, "hf://org/name", id="hf-prefixed"),
    pytest.param("hf", "org/name", "org/name", "main", SEED, "hf://org/name", id="hf-revision-own-key-in-seed"),
    pytest.param("hf", "org/name", "org/name", "main", TRUSS, "hf://org/name@main", id="hf-revision-in-source-truss"),
    pytest.param("hf", "org/name", "org/name", "", TRUSS, "hf://org/name", id="hf-empty-revision-truss"),
    pytest.param("s3", "b/p", "b/p", None, SEED, "s3://b/p", id="s3-bare"),
    pytest.param("s3", "b/p", "s3://b/p", "main", TRUSS, "s3://b/p", id="s3-revision-not-in-source"),
    pytest.param("gcs", "b/p", "gs://b/p", None, SEED, "gs://b/p", id="gcs"),
    pytest.param("azure", "a/c/p", "a/c/p", None, SEED, "azure://a/c/p", id="azure"),
    pytest.param("s3", "b@x/p", "s3://b@x/p", None, SEED, "s3://b@x/p", id="at-sign-fine-in-seed"),
]


@pytest.mark.parametrize("kind, path, repo_id, given_revision, dialect, expected", SOURCE)
def test_source(kind, path, repo_id, given_revision, dialect, expected):
    assert source(kind, path, repo_id, given_revision, dialect) == expected


@pytest.mark.parametrize(
    "kind, path",
    [pytest.param("hf", "org/na@me", id="hf"), pytest.param("s3", "b@x/p", id="s3")],
)
def test_source_at_sign_in_truss_is_an_error(kind, path):
    with pytest.raises(RuleError) as error:
        source(kind, path, path, None, TRUSS)
    assert (error.value.code, error.value.key) == ("E023", "repo_id")


# -- mount_location (and whether the entry is legacy) ----------------------------------------

R = "/app/model_cache"
MOUNT = [
    pytest.param("hf", "org/name", "m", False, R, f"{R}/m", id="volume-folder-under-root"),
    pytest.param("hf", "org/name", "/abs/m", False, R, "/abs/m", id="absolute-folder-stays"),
    pytest.param("s3", "b/p", "a//b/", False, "/mnt", "/mnt/a/b", id="folder-normalised-other-root"),
    pytest.param("hf", "org/name", None, True, R, f"{R}/org_name", id="legacy-hf-slashes-to-underscores"),
    pytest.param("hf", "hf://org/name", None, True, R, f"{R}/org_name", id="legacy-hf-prefixed"),
    pytest.param("hf", "org/name", "ignored", True, R, f"{R}/org_name", id="legacy-folder-unused"),
    pytest.param("s3", "b/p/", None, True, R, f"{R}/b/p", id="legacy-cloud-where-files-were"),
]


@pytest.mark.parametrize("kind, path, folder, legacy, root, expected", MOUNT)
def test_mount_location(kind, path, folder, legacy, root, expected):
    assert mount_location(kind, path, folder, legacy, root) == expected


MOUNT_ERRORS = [
    pytest.param("org/name", None, False, "E010", "use_volume", id="volume-without-folder"),
    pytest.param("org/name", "", False, "E010", "use_volume", id="volume-empty-folder"),
    pytest.param("org/name", "../x", False, "E011", "volume_folder", id="dotdot-folder"),
    pytest.param("org/name", "/", False, "E011", "volume_folder", id="mount-at-root"),
    pytest.param("org/name", "/app", False, "E011", "volume_folder", id="mount-at-app"),
    pytest.param("..", None, True, "E011", "repo_id", id="legacy-dotdot-id"),
]


@pytest.mark.parametrize("path, folder, legacy, code, key", MOUNT_ERRORS)
def test_mount_location_errors(path, folder, legacy, code, key):
    with pytest.raises(RuleError) as error:
        mount_location("s3", path, folder, legacy, R)
    assert (error.value.code, error.value.key) == (code, key)


LEGACY = [
    pytest.param({}, True, id="absent"),
    pytest.param({"use_volume": None}, True, id="null"),
    pytest.param({"use_volume": False}, True, id="false"),
    pytest.param({"use_volume": True}, False, id="true"),
]


@pytest.mark.parametrize("entry, expected", LEGACY)
def test_is_legacy(entry, expected):
    assert is_legacy(entry) is expected


@pytest.mark.parametrize("value", [pytest.param("true", id="string"), pytest.param(1, id="number")])
def test_is_legacy_needs_a_boolean(value):
    with pytest.raises(RuleError) as error:
        is_legacy({"use_volume": value})
    assert (error.value.code, error.value.key) == ("E014", "use_volume")


# -- revision -----------------------------------------------------------------------------

REVISION = [
    pytest.param("hf", "main", SEED, "main", id="hf-kept-in-seed"),
    pytest.param("hf", "main", TRUSS, None, id="hf-in-source-in-truss"),
    pytest.param("hf", "", SEED, None, id="hf-empty-dropped"),
    pytest.param("hf", None, SEED, None, id="hf-none"),
    pytest.param("s3", "main", SEED, None, id="s3-dropped"),
    pytest.param("gcs", "main", SEED, None, id="gcs-dropped"),
    pytest.param("azure", "main", SEED, None, id="azure-dropped"),
]


@pytest.mark.parametrize("kind, given, dialect, expected", REVISION)
def test_revision(kind, given, dialect, expected):
    assert revision(kind, given, dialect) == expected


# -- the secret ---------------------------------------------------------------------------

SECRET = [
    pytest.param("hf", "tok", False, "tok", id="given-kept"),
    pytest.param("s3", "aws", True, "aws", id="given-kept-cloud"),
    pytest.param("hf", None, True, "hf_access_token", id="implicit-hf-declared"),
    pytest.param("hf", None, False, None, id="hf-not-declared"),
    pytest.param("s3", None, True, None, id="cloud-never-implicit"),
    pytest.param("hf", "", True, "", id="given-empty-kept"),
]


@pytest.mark.parametrize("kind, given, declares, expected", SECRET)
def test_secret(kind, given, declares, expected):
    assert secret(kind, given, Context(declares_hf_secret=declares)) == expected


@pytest.mark.parametrize(
    "dialect, key",
    [pytest.param(SEED, "runtime_secret_name", id="seed"), pytest.param(TRUSS, "auth_secret_name", id="truss")],
)
def test_implicit_secret_in_one_entry(dialect, key):
    """The implicit secret: in the meaning, inserted (no old key turns into it), and told (W006)."""
    plan = plan_entry({"repo_id": "org/name"}, Context(declares_hf_secret=True, dialect=dialect))
    assert plan.weight[key] == "hf_access_token"
    assert (key, "hf_access_token") in plan.inserts
    assert [note.code for note in plan.notes] == ["W001", "W006"]


# -- legacy Hugging Face, asked once ----------------------------------------------------------

LEGACY_HF = [
    pytest.param({"repo_id": "org/name"}, True, id="hf-no-volume"),
    pytest.param({"repo_id": "hf://org/name", "use_volume": False}, True, id="hf-prefixed-volume-false"),
    pytest.param({"repo_id": "org/name", "use_volume": True, "volume_folder": "m"}, False, id="hf-volume"),
    pytest.param({"repo_id": "s3://b/p"}, False, id="legacy-cloud"),
    pytest.param({"repo_id": "b/p", "kind": "gcs"}, False, id="legacy-gcs"),
]


@pytest.mark.parametrize("entry, expected", LEGACY_HF)
def test_legacy_hf(entry, expected):
    assert plan_entry(entry).legacy_hf is expected


def test_external_data_is_never_legacy_hf():
    assert plan_external({"url": "https://x/y.bin", "local_data_path": "y.bin"}).legacy_hf is False


# -- the old-key tables against the documented table ------------------------------------------


def _mapping_rows(document: Path) -> list[tuple[str, str]]:
    """(old, new) cells of the table under the heading "Mapping of one entry"."""
    text = document.read_text(encoding="utf-8")
    section = text.split("## Mapping of one entry", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 2 and cells[0] not in ("old", "---"):
            rows.append((cells[0], cells[1]))
    return rows


def _documents() -> list[object]:
    spec = ROOT.parent / "shared" / "SPEC.md"
    skip = pytest.mark.skipif(not spec.exists(), reason=f"SPEC.md not found at {spec}")
    return [pytest.param(ROOT / "README.md", id="README"), pytest.param(spec, id="SPEC", marks=skip)]


def _keys(cell: str) -> set[str]:
    return set(ENTRY_KEY.findall(cell)) - NOT_ENTRY_KEYS


@pytest.mark.parametrize("document", _documents())
def test_old_keys_are_the_documented_ones(document):
    """Every entry key the table's old column names is in OLD_KEYS, and every key of OLD_KEYS is named there."""
    documented = set().union(*(_keys(old) for old, _ in _mapping_rows(document)))
    assert documented == set(OLD_KEYS)


@pytest.mark.parametrize("document", _documents())
def test_new_keys_are_the_documented_ones(document):
    """The keys the table's new column writes are the ones OLD_KEYS turns old keys into."""
    written = set().union(*(_keys(new) for _, new in _mapping_rows(document)))
    assert written <= {new for new in OLD_KEYS.values() if new is not None}
    assert {"source", "mount_location", "runtime_secret_name"} <= written


@pytest.mark.parametrize("document", _documents())
def test_unconditional_rows_match_old_keys(document):
    """A row whose old cell is only keys (`use_volume`, `kind` | dropped) holds for each: dropped or kept."""
    checked = 0
    for old, new in _mapping_rows(document):
        if not re.fullmatch(r"`[a-z_]+`(?:, `[a-z_]+`)*", old):
            continue  # a row with a condition: its keys' functions have their own tables above
        for key in _keys(old):
            assert OLD_KEYS[key] == (None if new.startswith("dropped") else key), (key, new)
            checked += 1
    assert checked >= 4  # use_volume, kind, allow_patterns, ignore_patterns


@pytest.mark.oracle
def test_external_keys_are_truss_external_data_keys():
    """`external_data` items as truss 0.18 reads them (ExternalDataItem) have these keys and no other."""
    external = pytest.importorskip("truss.base.truss_config").ExternalDataItem
    assert set(EXTERNAL_KEYS) == set(external.model_fields)
