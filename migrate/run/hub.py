"""Hugging Face repositories listed on the Hub: the network side of `--hub`.

`list_repositories(wanted)` takes (repo_id, revision) pairs and gives each a `Listing` (every file
of the repository at the commit the revision stands for, and the text of its small files) or a
`HubProblem`; a revision of None (or "") reads `main`, as the loaders do. One pair is answered by the first
of these that can:

1. the lock file (`lock=`), when it holds the pair: its listing is used as it is, with no network;
2. the user cache, by repository and commit, once the commit is known: a revision that is a full
   commit sha is its own commit; a branch or a tag is resolved on the Hub on every run (branches
   move). A cached listing missing a small file that `small_files` now asks for is listed again;
3. the Hub, whose listing is then cached (in `platformdirs.user_cache_dir("weights-migrate")`,
   which honours XDG_CACHE_HOME; `cache=False` neither reads nor writes it).

The Hub is asked with huggingface_hub's own session, endpoint (HF_ENDPOINT, read when it is
imported), token (HF_TOKEN or the saved login) and errors, one request at a time per pair:

    GET {endpoint}/api/models/{repo_id}/revision/{revision}?expand=sha   unless the revision is a sha
    GET {endpoint}/api/models/{repo_id}/tree/{commit}?recursive=true&expand=false
        then each page its Link header names `rel="next"`
    GET {endpoint}/{repo_id}/resolve/{commit}/{path}                    for each small file

Each request has the run's timeout and is not retried. `HfApi.list_repo_tree` is not used because
it passes no timeout and retries five times, sleeping 23 seconds in all; `hf_hub_download` is not used
because it writes each file into the HF cache (and makes a HEAD request first): the small files
are read into memory only, and nothing is left in the HF cache. A small file whose length differs
from the one the listing gave is a cut answer, not a listing.

The lock file, when `lock` is given:

- it exists: it is read first (a `ListingFileError` naming it when it is not a lock of this
  version, before any network); its listings answer their pairs as they are. Pairs it lacks are
  listed as above, and the lock is then rewritten with their listings added (the entries it had,
  wanted this time or not, stay; problems are never written). A second run with the same lock
  and the same pairs touches no network and gives the same listings;
- it does not exist: it is written after listing, with every listing (when there is one).

Errors are values: each pair that fails is one `HubProblem` (network, timeout, unauthorized,
not-found or invalid) whose message names the repository and says what to do, and the others go
on. Only a lock file that cannot be read or written raises (`ListingFileError`), and a missing
huggingface_hub or platformdirs (see `available`, for the caller to ask first).

Pairs are listed by up to `jobs` threads; `on_progress(done, total)` is called on the calling
thread as each pair is answered, from the lock and the cache too.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from migrate.core.listing import (
    HubProblem,
    Key,
    Listing,
    ListingFileError,
    ProblemKind,
    cache_text,
    is_commit,
    is_complete,
    key_of,
    parse_cache,
    read_lock,
    small_files,
    write_atomically,
    write_lock,
)

if TYPE_CHECKING:
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

Outcome = Listing | HubProblem
Progress = Callable[[int, int], None]

APP_NAME = "weights-migrate"
DEFAULT_TIMEOUT = 10.0  # seconds per request: huggingface_hub's own default (HF_HUB_ETAG_TIMEOUT)
_MINIMUM_HUB = 2  # huggingface_hub's major version: 2.x speaks httpx2
_INSTALL = "pip install 'weights-migrate[hub]'"


def available() -> str | None:
    """None when `--hub` can run here; otherwise one line saying what to install."""
    missing = [name for name in ("huggingface_hub", "platformdirs") if importlib.util.find_spec(name) is None]
    if missing:
        return f"--hub needs huggingface_hub and platformdirs: {_INSTALL}"
    version = metadata.version("huggingface_hub")
    if int(version.split(".")[0]) < _MINIMUM_HUB:
        return f"--hub needs huggingface_hub {_MINIMUM_HUB} or newer (found {version}): {_INSTALL}"
    return None


def cache_folder() -> Path:
    """Where listings are cached: the user cache folder of weights-migrate, then `hub-listings`."""
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME)) / "hub-listings"


def list_repositories(
    wanted: Sequence[tuple[str, str | None]],
    *,
    lock: Path | None = None,
    cache: bool = True,
    jobs: int = 8,
    timeout: float = DEFAULT_TIMEOUT,
    on_progress: Progress | None = None,
) -> dict[Key, Outcome]:
    """Each wanted (repo_id, revision) -> its listing or its problem, keyed by (repo_id, revision
    or "main"), in the order first wanted. See the module docstring for the lock and the cache."""
    keys = list(dict.fromkeys(key_of(repo_id, revision) for repo_id, revision in wanted))
    locked = read_lock(lock) if lock is not None and lock.exists() else {}
    tick = _counter(len(keys), on_progress)
    found: dict[Key, Outcome] = {}
    for key in keys:
        if key in locked:
            found[key] = locked[key]
            tick()
    missing = [key for key in keys if key not in found]
    if missing:
        hub = _Hub(timeout=timeout, cache=cache_folder() if cache else None)
        for key, outcome in _list_all(hub, missing, jobs):
            found[key] = outcome
            tick()
    if lock is not None:
        _update_lock(lock, locked, found)
    return {key: found[key] for key in keys}


def _counter(total: int, on_progress: Progress | None) -> Callable[[], None]:
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress is not None:
            on_progress(done, total)

    return tick


def _list_all(hub: _Hub, keys: list[Key], jobs: int) -> Iterator[tuple[Key, Outcome]]:
    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(keys))), thread_name_prefix="hub") as pool:
        futures = {pool.submit(hub.outcome, *key): key for key in keys}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _update_lock(path: Path, locked: dict[Key, Listing], found: dict[Key, Outcome]) -> None:
    added = {key: outcome for key, outcome in found.items() if isinstance(outcome, Listing) and key not in locked}
    if added:
        write_lock(path, [*locked.values(), *added.values()])


class _Unreadable(Exception):
    """An answer of the Hub that holds no listing: not JSON, not the expected shape, cut short."""


class _Hub:
    """One run's client: huggingface_hub's session and headers, the timeout and the cache folder."""

    def __init__(self, *, timeout: float, cache: Path | None) -> None:
        from huggingface_hub import HfApi

        self._api = HfApi(library_name=APP_NAME, library_version=_own_version())
        self._timeout = timeout
        self._cache = cache

    @functools.cached_property
    def _headers(self) -> dict[str, str]:
        # Built on the first request only: building them may ask the Hub for its list of agents
        # (once a day, unless HF_HUB_DISABLE_TELEMETRY), and a run answered from the cache asks nothing.
        from huggingface_hub.utils import build_hf_headers

        headers: dict[str, str] = build_hf_headers(library_name=APP_NAME, library_version=_own_version())
        return headers

    def outcome(self, repo_id: str, revision: str) -> Outcome:
        """The listing of repo_id at revision, or the problem that kept it from being listed."""
        try:
            return self._listing(repo_id, revision)
        except Exception as error:  # every failure of one pair is that pair's problem only
            return problem_of(error, repo_id, revision, endpoint=self._api.endpoint, timeout=self._timeout)

    def _listing(self, repo_id: str, revision: str) -> Listing:
        from huggingface_hub.utils import validate_repo_id

        validate_repo_id(repo_id)  # before the id goes into a URL or a cache path
        commit = revision if is_commit(revision) else self._commit(repo_id, revision)
        cached = self._cached(repo_id, commit)
        if cached is not None:
            return replace(cached, revision=revision)
        sizes = self._tree(repo_id, commit)
        small = {path: self._text(repo_id, commit, path, sizes[path]) for path in small_files(sizes)}
        listing = Listing(repo_id, revision, commit, tuple(sizes), small)
        self._store(listing)
        return listing

    def _commit(self, repo_id: str, revision: str) -> str:
        info = self._api.model_info(repo_id, revision=revision, expand=["sha"], timeout=self._timeout)
        sha = info.sha
        if not isinstance(sha, str) or not is_commit(sha):
            raise _Unreadable(f"the Hub gave no commit for revision {revision!r}")
        return sha

    def _tree(self, repo_id: str, commit: str) -> dict[str, int]:
        """Every file at commit -> its size, page after page of the recursive tree listing."""
        url: str | None = f"{self._api.endpoint}/api/models/{repo_id}/tree/{commit}"
        params: dict[str, str] | None = {"recursive": "true", "expand": "false"}
        seen: set[str] = set()
        sizes: dict[str, int] = {}
        while url is not None:
            if url in seen:
                raise _Unreadable("the pages of the file listing go round in a loop")
            seen.add(url)
            response = self._get(url, params=params)
            sizes.update(_page_files(_json(response, "a page of the file listing")))
            url, params = _next_page(response), None  # the next link carries the query
        return sizes

    def _text(self, repo_id: str, commit: str, path: str, size: int) -> str:
        from huggingface_hub import hf_hub_url

        content: bytes = self._get(hf_hub_url(repo_id, path, revision=commit, endpoint=self._api.endpoint)).content
        if len(content) != size:
            raise _Unreadable(f"{path} came {len(content)} bytes long where the listing says {size}")
        return content.decode("utf-8", errors="replace")

    def _get(self, url: str, params: dict[str, str] | None = None) -> httpx2.Response:
        from huggingface_hub.utils import get_session, hf_raise_for_status

        response = get_session().get(url, params=params, headers=self._headers, timeout=self._timeout)
        hf_raise_for_status(response)
        return response

    def _cache_path(self, repo_id: str, commit: str) -> Path | None:
        return None if self._cache is None else self._cache / repo_id.replace("/", "--") / f"{commit}.json"

    def _cached(self, repo_id: str, commit: str) -> Listing | None:
        path = self._cache_path(repo_id, commit)
        if path is None or not path.is_file():
            return None
        try:
            listing = parse_cache(path.read_text(encoding="utf-8"), path)
        except (OSError, UnicodeDecodeError, ListingFileError):
            return None  # a damaged or older cache entry is listed again, and replaced
        same = listing.repo_id == repo_id and listing.commit == commit
        return listing if same and is_complete(listing) else None

    def _store(self, listing: Listing) -> None:
        path = self._cache_path(listing.repo_id, listing.commit)
        if path is not None:
            with contextlib.suppress(OSError):  # a cache not written only costs the next run a listing
                write_atomically(path, cache_text(listing))


def _own_version() -> str:
    try:
        return metadata.version(APP_NAME)
    except metadata.PackageNotFoundError:
        return "unknown"


def _json(response: httpx2.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise _Unreadable(f"{what} is cut short or not JSON") from error


def _page_files(page: object) -> Iterator[tuple[str, int]]:
    """The files of one page of a tree listing (its folders are left out) and their sizes."""
    if not isinstance(page, list):
        raise _Unreadable("a page of the file listing is not a list")
    for item in page:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise _Unreadable("a page of the file listing holds an entry without a path")
        if item.get("type") == "file":
            size = item.get("size")
            if not isinstance(size, int):
                raise _Unreadable(f"the file listing gives {item['path']} no size")
            yield item["path"], size


def _next_page(response: httpx2.Response) -> str | None:
    link = response.links.get("next", {}).get("url")
    return str(response.url.join(link)) if link else None


# Problems


def problem_of(error: BaseException, repo_id: str, revision: str, *, endpoint: str, timeout: float) -> HubProblem:
    """The problem an exception of huggingface_hub, of httpx2 or of this module stands for."""
    kind, advice = _classify(error, repo_id, revision, endpoint=endpoint, timeout=timeout)
    return HubProblem(repo_id, revision, kind, f"{repo_id}@{revision}: {advice}")


def _classify(
    error: BaseException, repo_id: str, revision: str, *, endpoint: str, timeout: float
) -> tuple[ProblemKind, str]:
    import httpx2
    from huggingface_hub import errors

    if isinstance(error, errors.OfflineModeIsEnabled):
        return "network", "HF_HUB_OFFLINE is set, so the Hub is not asked: unset it to list the repository"
    if isinstance(error, errors.HFValidationError):
        return "not-found", f"{repo_id!r} is not a Hugging Face repository id"
    if isinstance(error, errors.HfHubHTTPError):
        return _http_problem(error, repo_id, revision, endpoint)
    if isinstance(error, httpx2.TimeoutException):
        return "timeout", f"the Hub did not answer within {timeout:g} s: try again later"
    if isinstance(error, httpx2.TransportError):
        return (
            "network",
            f"cannot reach the Hub at {endpoint} ({_one_line(error)}): check the connection and HF_ENDPOINT",
        )
    if isinstance(error, _Unreadable | ValueError | KeyError | TypeError | httpx2.DecodingError):
        return "invalid", f"the Hub's answer cannot be read ({_one_line(error)}): try again later"
    return "invalid", f"the Hub's answer cannot be read ({type(error).__name__}: {_one_line(error)})"


def _http_problem(error: HfHubHTTPError, repo_id: str, revision: str, endpoint: str) -> tuple[ProblemKind, str]:
    from huggingface_hub import errors

    status = error.response.status_code
    login = "log in (`hf auth login`) or set HF_TOKEN"
    if isinstance(error, errors.GatedRepoError):
        return "unauthorized", f"the repository is gated: ask for access on {endpoint}/{repo_id}, then {login}"
    if isinstance(error, errors.RepositoryNotFoundError):
        return "not-found", f"no such repository on the Hub: check the id, or if it is private, {login}"
    if isinstance(error, errors.RevisionNotFoundError):
        return "not-found", f"the repository has no revision {revision!r}: check the entry's revision"
    if isinstance(error, errors.EntryNotFoundError):
        return "not-found", f"a file the Hub listed cannot be read ({_one_line(error)}): try again later"
    if status == 401:
        return "unauthorized", "the Hub refused the token (HTTP 401): log in again (`hf auth login`) or set HF_TOKEN"
    if status == 403:
        return "unauthorized", f"the token may not read the repository (HTTP 403): {login} with a token that can"
    if status == 429:
        return "network", "the Hub limits the requests (HTTP 429): wait a few minutes and try again"
    return "network", f"the Hub answered HTTP {status}: try again later"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] or type(error).__name__
