"""The Hub listings: the pure data of `migrate.core.listing` (small files, lock files, cache files)
and the client of `migrate.run.hub`, the real huggingface_hub against a stand-in Hub on 127.0.0.1
(`hub_server.py`), run in a process of its own (`hub_list.py`) so that it reads an HF_ENDPOINT
other than the test process's closed port."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hub_server import FIXTURES, Fault, StandIn, fixture, read_fixture, renamed, serve
from pytest_httpserver import HTTPServer

from migrate.core import listing as listing_module
from migrate.core.listing import (
    HubProblem,
    Listing,
    ListingFileError,
    cache_text,
    entry,
    is_complete,
    lock_text,
    parse_lock,
    read_lock,
    small_files,
    write_lock,
)
from migrate.run import hub

DRIVER = Path(__file__).parent / "hub_list.py"
TIMEOUT = 0.5  # the client's timeout in these tests: a SLOW route answers after SLOW_SECONDS
TOKEN = "hf_stand_in_token"

TINY, SHARDED, PIPELINE, EMBEDDER = (
    fixture(name) for name in ("org--tiny", "org--sharded", "org--pipeline", "org--embedder")
)
LISTED = (TINY, SHARDED, PIPELINE, EMBEDDER)


# The stand-in and the client process


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """One threaded server for the module (stopping one takes up to half a second)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


def list_in_process(endpoint: str, home: Path, request: dict[str, Any], **env: str) -> dict[str, Any]:
    """The driver's output for request, run against endpoint with its HF and cache folders in home."""
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("HF_", "TRANSFORMERS_"))}
    keep = {name: value for name, value in keep.items() if not name.lower().endswith("_proxy")}
    environment = keep | {
        "HF_ENDPOINT": endpoint,  # 127.0.0.1 only: a test that strays fails at once, it never waits
        "HF_HOME": str(home / "hf-home"),  # no saved login, no cache of the user's
        "XDG_CACHE_HOME": str(home / "cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",  # else the client asks for /api/agent-harnesses once a day
        "NO_PROXY": "*",
    }
    done = subprocess.run(
        [sys.executable, str(DRIVER), json.dumps(request)],
        env=environment | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def by_key(output: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The results of a driver's output by (repo_id, revision)."""
    found = {}
    for result in output["results"]:
        item = result.get("listing") or result["problem"]
        found[(item["repo_id"], item["revision"])] = result
    return found


def wanted(*listings: Listing) -> list[list[str]]:
    return [[listing.repo_id, listing.revision] for listing in listings]


def route_requests(stand_in: StandIn, repo_id: str) -> list[str]:
    """The requests the stand-in received for one repository, its info, tree or files."""
    return [line for line in stand_in.requests() if f"/{repo_id}/" in line or line.endswith(f"/{repo_id}")]


# One run lists every kind of repository and meets every fault


FAULTY = {
    "bad/token": Fault.UNAUTHORIZED,
    "gated/model": Fault.GATED,
    "gone/model": Fault.REPO_NOT_FOUND,
    "moved/model": Fault.REVISION_NOT_FOUND,
    "slow/model": Fault.SLOW,
    "cut/model": Fault.TRUNCATED,
}


@pytest.fixture(scope="module")
def table_run(
    server: HTTPServer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], StandIn, list[str]]:
    """The listed fixtures, a repository per fault, an id that is no id and a repeated pair, all in
    one run: its output, the stand-in and the requests it received."""
    faulty = [renamed(TINY, repo_id) for repo_id in FAULTY]
    stand_in = serve(server, [*LISTED, *faulty], faults=FAULTY, page_size=3)
    request = {
        "wanted": [*wanted(*LISTED, *faulty), ["org/tiny", None], ["not a/repo id!", None]],
        "timeout": TIMEOUT,
        "jobs": 4,
    }
    output = list_in_process(stand_in.url, tmp_path_factory.mktemp("table"), request, HF_TOKEN=TOKEN)
    server.check_assertions()  # every request met a route of the Hub
    return output, stand_in, stand_in.requests()


@pytest.mark.parametrize(
    "expected",
    [
        pytest.param(TINY, id="branch-main"),
        pytest.param(SHARDED, id="tag-remote-code-shards"),
        pytest.param(PIPELINE, id="commit-pinned-diffusers"),
        pytest.param(EMBEDDER, id="sentence-transformers-subfolders"),
    ],
)
def test_a_listing_is_every_file_at_the_commit_and_the_small_files_text(
    table_run: tuple[dict[str, Any], StandIn, list[str]], expected: Listing
) -> None:
    output, _, _ = table_run
    assert by_key(output)[expected.key] == {"listing": entry(expected)}


@pytest.mark.parametrize(
    ("repo_id", "revision", "kind", "says"),
    [
        pytest.param("bad/token", "main", "unauthorized", ["HTTP 401", "HF_TOKEN", "hf auth login"], id="401"),
        pytest.param("gated/model", "main", "unauthorized", ["gated", "/gated/model", "HF_TOKEN"], id="403-gated"),
        pytest.param("gone/model", "main", "not-found", ["no such repository", "private", "HF_TOKEN"], id="404-repo"),
        pytest.param("moved/model", "main", "not-found", ["no revision 'main'"], id="404-revision"),
        pytest.param("slow/model", "main", "timeout", [f"within {TIMEOUT:g} s"], id="slow"),
        pytest.param("cut/model", "main", "invalid", ["cut short or not JSON"], id="truncated-page"),
        pytest.param("not a/repo id!", "main", "not-found", ["not a Hugging Face repository id"], id="bad-id"),
    ],
)
def test_each_failure_is_one_problem_naming_the_repository_and_what_to_do(
    table_run: tuple[dict[str, Any], StandIn, list[str]], repo_id: str, revision: str, kind: str, says: list[str]
) -> None:
    output, _, _ = table_run
    problem = by_key(output)[(repo_id, revision)]["problem"]
    assert problem["kind"] == kind
    assert problem["message"].startswith(f"{repo_id}@{revision}: ")
    assert "\n" not in problem["message"]
    for words in says:
        assert words in problem["message"]


def test_one_run_answers_each_pair_once_in_the_order_first_wanted(
    table_run: tuple[dict[str, Any], StandIn, list[str]],
) -> None:
    output, _, _ = table_run
    keys = list(by_key(output))
    assert keys == [listing.key for listing in LISTED] + [(repo_id, "main") for repo_id in FAULTY] + [
        ("not a/repo id!", "main")
    ]
    assert len(output["results"]) == len(keys)  # ("org/tiny", None) is ("org/tiny", "main")
    assert output["progress"] == [[done, len(keys)] for done in range(1, len(keys) + 1)]


def test_the_client_asks_the_routes_of_the_hub_with_the_token_it_finds(
    table_run: tuple[dict[str, Any], StandIn, list[str]],
) -> None:
    _, stand_in, requests = table_run
    assert route_requests(stand_in, "org/tiny") == [
        "GET /api/models/org/tiny/revision/main?expand=sha",
        f"GET /api/models/org/tiny/tree/{TINY.commit}?recursive=true&expand=false",
        f"GET /api/models/org/tiny/tree/{TINY.commit}?recursive=true&expand=false&cursor=3",
        f"GET /api/models/org/tiny/tree/{TINY.commit}?recursive=true&expand=false&cursor=6",
        f"GET /org/tiny/resolve/{TINY.commit}/config.json",
        f"GET /org/tiny/resolve/{TINY.commit}/tokenizer_config.json",
    ]
    assert not [line for line in requests if "/org/pipeline/revision/" in line]  # a commit is not resolved
    assert all(headers.get("Authorization") == f"Bearer {TOKEN}" for headers in stand_in.headers())


# The cache


def test_a_cached_commit_needs_no_request_and_a_branch_only_its_resolution(server: HTTPServer, tmp_path: Path) -> None:
    stand_in = serve(server, [TINY, PIPELINE])
    request = {"wanted": wanted(TINY, PIPELINE)}
    first = list_in_process(stand_in.url, tmp_path, request)
    stand_in.clear()
    second = list_in_process(stand_in.url, tmp_path, request)
    assert second == first
    assert stand_in.requests() == ["GET /api/models/org/tiny/revision/main?expand=sha"]
    stand_in.clear()
    pinned = list_in_process(stand_in.url, tmp_path, {"wanted": wanted(PIPELINE)}, HF_HUB_DISABLE_TELEMETRY="0")
    assert pinned["results"] == first["results"][1:]
    assert stand_in.requests() == []  # not even huggingface_hub's daily question, telemetry on
    server.check_assertions()
    cached = sorted(path.relative_to(tmp_path / "cache") for path in (tmp_path / "cache").rglob("*.json"))
    assert [path.as_posix() for path in cached] == [
        f"weights-migrate/hub-listings/org--pipeline/{PIPELINE.commit}.json",
        f"weights-migrate/hub-listings/org--tiny/{TINY.commit}.json",
    ]


def test_a_damaged_or_incomplete_cache_entry_is_listed_again(server: HTTPServer, tmp_path: Path) -> None:
    folder = tmp_path / "cache" / "weights-migrate" / "hub-listings"
    older = replace(PIPELINE, small={path: text for path, text in PIPELINE.small.items() if path != "model_index.json"})
    listing_module.write_atomically(folder / "org--pipeline" / f"{PIPELINE.commit}.json", cache_text(older))
    listing_module.write_atomically(
        folder / "org--tiny" / f"{TINY.commit}.json", '{"schema": "weights-migrate/hub-listing", "vers'
    )
    stand_in = serve(server, [TINY, PIPELINE])
    output = list_in_process(stand_in.url, tmp_path, {"wanted": wanted(TINY, PIPELINE)})
    assert by_key(output) == {TINY.key: {"listing": entry(TINY)}, PIPELINE.key: {"listing": entry(PIPELINE)}}
    assert any("/tree/" in line for line in route_requests(stand_in, "org/pipeline"))
    assert any("/tree/" in line for line in route_requests(stand_in, "org/tiny"))
    assert (
        listing_module.parse_cache((folder / "org--pipeline" / f"{PIPELINE.commit}.json").read_text(), "x") == PIPELINE
    )


def test_without_the_cache_nothing_is_read_or_written_there(server: HTTPServer, tmp_path: Path) -> None:
    stand_in = serve(server, [PIPELINE])
    output = list_in_process(stand_in.url, tmp_path, {"wanted": wanted(PIPELINE), "cache": False})
    assert by_key(output) == {PIPELINE.key: {"listing": entry(PIPELINE)}}
    assert not (tmp_path / "cache").exists()


def test_a_cached_commit_is_answered_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process huggingface_hub is offline: a cached commit needs it not; a branch does."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    listing_module.write_atomically(
        hub.cache_folder() / "org--pipeline" / f"{PIPELINE.commit}.json", cache_text(PIPELINE)
    )
    found = hub.list_repositories([("org/pipeline", PIPELINE.commit), ("org/tiny", None)])
    problem = found[TINY.key]
    assert found[PIPELINE.key] == PIPELINE
    assert isinstance(problem, HubProblem)
    assert (problem.kind, problem.message) == (
        "network",
        "org/tiny@main: HF_HUB_OFFLINE is set, so the Hub is not asked: unset it to list the repository",
    )


# The lock


def test_a_lock_is_written_then_answers_a_second_run_offline_with_the_same_listings(
    server: HTTPServer, tmp_path: Path
) -> None:
    stand_in = serve(server, [TINY, SHARDED, EMBEDDER])
    lock = tmp_path / "hub.lock.json"
    first = list_in_process(stand_in.url, tmp_path / "one", {"wanted": wanted(SHARDED, TINY), "lock": str(lock)})
    assert lock.read_text() == lock_text([TINY, SHARDED])
    stand_in.clear()
    again = list_in_process(
        stand_in.url, tmp_path / "two", {"wanted": wanted(SHARDED, TINY), "lock": str(lock)}, HF_HUB_OFFLINE="1"
    )
    assert again == first
    assert stand_in.requests() == []
    more = list_in_process(stand_in.url, tmp_path / "three", {"wanted": wanted(TINY, EMBEDDER), "lock": str(lock)})
    assert by_key(more)[EMBEDDER.key] == {"listing": entry(EMBEDDER)}
    assert not route_requests(stand_in, "org/tiny")  # only the pair the lock lacked was listed
    assert read_lock(lock) == {listing.key: listing for listing in (TINY, SHARDED, EMBEDDER)}


def test_a_lock_answers_its_pairs_as_they_are(tmp_path: Path) -> None:
    """In this process huggingface_hub is offline: the locked pairs need it not; problems are not locked."""
    lock = tmp_path / "hub.lock.json"
    moved = replace(TINY, commit="f" * 40)  # a branch that has moved since: the lock wins
    write_lock(lock, [moved, SHARDED])
    before = lock.read_bytes()
    progress: list[tuple[int, int]] = []
    found = hub.list_repositories(
        [("org/tiny", None), ("org/sharded", "v1.0"), ("org/embedder", None)],
        lock=lock,
        cache=False,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert found[TINY.key] == moved
    assert found[SHARDED.key] == SHARDED
    assert isinstance(found[EMBEDDER.key], HubProblem)
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert lock.read_bytes() == before


def test_no_lock_is_written_when_nothing_was_listed(tmp_path: Path) -> None:
    lock = tmp_path / "hub.lock.json"
    found = hub.list_repositories([("org/tiny", None)], lock=lock, cache=False)
    assert isinstance(found[TINY.key], HubProblem)
    assert not lock.exists()


LOCK_HEAD = '{"schema": "weights-migrate/hub-lock", "version": 1, '
GOOD_ENTRY = json.dumps(entry(TINY))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        pytest.param("{not json", "not a weights-migrate hub lock: not JSON", id="not-json"),
        pytest.param("[]", "not a weights-migrate hub lock: not a JSON object", id="not-an-object"),
        pytest.param('{"schema": "other/tool", "version": 1}', "its schema is 'other/tool'", id="other-schema"),
        pytest.param(
            '{"schema": "weights-migrate/hub-lock", "version": 2, "listings": []}', "of version 2", id="newer-version"
        ),
        pytest.param(LOCK_HEAD + '"listings": {}}', "no list of listings", id="listings-not-a-list"),
        pytest.param(
            LOCK_HEAD + '"listings": [' + GOOD_ENTRY + ", 3]}",
            "listing 2 is not a JSON object",
            id="entry-not-an-object",
        ),
        pytest.param(
            LOCK_HEAD + '"listings": [' + GOOD_ENTRY.replace(TINY.commit, "abc") + "]}",
            "'abc' is not a full commit sha",
            id="short-commit",
        ),
        pytest.param(
            LOCK_HEAD + '"listings": [' + GOOD_ENTRY.replace('"files": [', '"files": [3, ') + "]}",
            "files is not a list of paths",
            id="files",
        ),
        pytest.param(LOCK_HEAD + '"listings": [{"repo_id": "org/x"}]}', "listing 1 has no revision", id="no-revision"),
    ],
)
def test_a_bad_lock_is_refused_naming_the_file_before_any_network(tmp_path: Path, text: str, says: str) -> None:
    lock = tmp_path / "hub.lock.json"
    lock.write_text(text)
    with pytest.raises(ListingFileError) as raised:
        hub.list_repositories([("org/tiny", None)], lock=lock)
    assert str(raised.value).startswith(f"{lock}: ")
    assert says in str(raised.value)
    assert raised.value.path == str(lock)


def test_a_lock_file_is_the_same_bytes_for_the_same_listings_in_any_order(tmp_path: Path) -> None:
    text = lock_text([EMBEDDER, TINY, PIPELINE, SHARDED])
    assert text == lock_text([SHARDED, PIPELINE, TINY, EMBEDDER])
    assert text.endswith("}\n") and text.isascii()
    document = json.loads(text)
    assert [item["repo_id"] for item in document["listings"]] == [
        "org/embedder",
        "org/pipeline",
        "org/sharded",
        "org/tiny",
    ]
    assert json.dumps(document, sort_keys=True, indent=2) + "\n" == text
    assert parse_lock(text, "lock") == {listing.key: listing for listing in LISTED}
    lock = tmp_path / "lock.json"
    assert write_lock(lock, LISTED) is True
    assert write_lock(lock, reversed(LISTED)) is False


# Network, offline, concurrency


def test_an_unreachable_hub_is_a_network_problem_for_each_pair_at_once(tmp_path: Path) -> None:
    output = list_in_process("http://127.0.0.1:9", tmp_path, {"wanted": wanted(TINY, PIPELINE)})  # the discard port
    for result in output["results"]:
        assert result["problem"]["kind"] == "network"
        assert "cannot reach the Hub at http://127.0.0.1:9" in result["problem"]["message"]


def test_no_more_than_jobs_requests_are_in_flight(server: HTTPServer, tmp_path: Path) -> None:
    copies = [renamed(TINY, f"org/copy-{number}") for number in range(4)]
    stand_in = serve(server, copies, delay=0.04)
    output = list_in_process(stand_in.url, tmp_path, {"wanted": wanted(*copies), "jobs": 2, "cache": False})
    assert all("listing" in result for result in output["results"])
    assert stand_in.most_in_flight == 2


def test_the_stand_in_serves_hf_hub_download_as_the_hub_does(server: HTTPServer, tmp_path: Path) -> None:
    stand_in = serve(server, [SHARDED])
    output = list_in_process(stand_in.url, tmp_path, {"wanted": [], "download": ["org/sharded", "v1.0", "config.json"]})
    assert output["download"] == SHARDED.small["config.json"]
    assert "HEAD /org/sharded/resolve/v1.0/config.json" in stand_in.requests()
    server.check_assertions()


# Pure data


@pytest.mark.parametrize(
    ("files", "small"),
    [
        pytest.param(["config.json", "model.safetensors", "README.md"], ["config.json"], id="root-config"),
        pytest.param(
            ["model.safetensors.index.json", "pytorch_model.bin.index.json", "a/b/x.index.json", ".index.json"],
            ["a/b/x.index.json", "model.safetensors.index.json", "pytorch_model.bin.index.json"],
            id="indexes-at-any-depth",
        ),
        pytest.param(
            ["model_index.json", "unet/config.json", "scheduler/scheduler_config.json"],
            ["model_index.json", "unet/config.json"],
            id="diffusers",
        ),
        pytest.param(
            ["modules.json", "1_Pooling/config.json", "config_sentence_transformers.json"],
            ["1_Pooling/config.json", "modules.json"],
            id="sentence-transformers",
        ),
        pytest.param(
            ["tokenizer_config.json", "preprocessor_config.json", "processor_config.json"],
            ["preprocessor_config.json", "processor_config.json", "tokenizer_config.json"],
            id="auto-map-holders",
        ),
        pytest.param(
            ["generation_config.json", "special_tokens_map.json", "myconfig.json", "config.json.bak"],
            [],
            id="names-alone-suffice",
        ),
    ],
)
def test_small_files(files: list[str], small: list[str]) -> None:
    assert small_files(files) == small


def test_a_listing_is_sorted_frozen_hashable_and_picklable() -> None:
    listing = Listing("org/x", "main", "a" * 40, ("b", "a", "b"), {"z": "1", "a": "2"})
    assert listing.files == ("a", "b")
    assert list(listing.small) == ["a", "z"]
    assert pickle.loads(pickle.dumps(listing)) == listing
    assert hash(listing) == hash(Listing("org/x", "main", "a" * 40, ("a", "b"), {"a": "2", "z": "1"}))
    assert {listing, HubProblem("org/x", "main", "timeout", "m")}
    assert pickle.loads(pickle.dumps(HubProblem("org/x", "main", "timeout", "m"))) == HubProblem(
        "org/x", "main", "timeout", "m"
    )
    with pytest.raises(AttributeError):
        listing.repo_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda path: path.stem)
def test_each_fixture_is_a_listing_with_its_source(path: Path) -> None:
    listing, source = read_fixture(path)
    assert source
    assert path.stem == listing.repo_id.replace("/", "--") or path.stem.startswith(
        listing.repo_id.replace("/", "--") + "@"
    )
    assert set(listing.small) <= set(listing.files)
    if source.startswith("synthetic"):
        assert is_complete(listing)


def test_available_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    assert hub.available() is None
    monkeypatch.setattr(hub.importlib.util, "find_spec", lambda name: None)
    assert hub.available() == "--hub needs huggingface_hub and platformdirs: pip install 'weights-migrate[hub]'"
