"""A stand-in for the Hugging Face Hub on 127.0.0.1: the routes huggingface_hub's client calls,
served by pytest-httpserver from listings, with failures to inject.

    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)   # threaded: slow routes block no one
    server.start()
    stand_in = serve(server, [listing, ...], faults={"org/gated": Fault.GATED}, page_size=2)
    ... run the client with HF_ENDPOINT=stand_in.url (in a process of its own) ...
    stand_in.requests()   # "GET /api/models/org/tiny/revision/main?expand=sha", ...

For each listing (repo R, revision V, commit C), at V and at C alike:

- `GET /api/models/R/revision/{V|C}` and, for `main`, `GET /api/models/R`: the model info, with
  `sha` (and `siblings`, as the Hub gives them when `expand` does not narrow the answer);
- `GET /api/models/R/tree/{V|C}?recursive=true&expand=false`: the files and folders, `page_size`
  entries a page, each page naming the next in a `Link: <url>; rel="next"` header;
- `GET` and `HEAD /R/resolve/{V|C}/{path}`: the file, with `X-Repo-Commit`, `ETag`,
  `Content-Length` as the Hub sends a file kept in git; a small file is its text in the listing,
  any other file a line of synthetic bytes (the tree gives each its true size).

A request no route matches is answered 500 and recorded by pytest-httpserver
(`server.check_assertions()` raises it). Faults, by repository: see `Fault`.

Fixtures are listings kept one per file in `tests/data/hub/`, named `org--name.json` (or
`org--name@revision.json` beside it): a lock entry (see `migrate.core.listing`) and a `source`
saying where the listing came from (`synthetic: ...` for the hand-written ones).
"""

from __future__ import annotations

import enum
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from migrate.core.listing import Listing, entry, from_entry

FIXTURES = Path(__file__).parent / "data" / "hub"
SLOW_SECONDS = 1.5  # a SLOW route's delay: well over the tests' client timeout (0.5 s)


class Fault(enum.Enum):
    """A failure injected for one repository, answered as the Hub answers it."""

    UNAUTHORIZED = "401"  # every route: 401, the token is not valid
    GATED = "403-gated"  # the files: 403 GatedRepo (the Hub's API routes answer for a gated repository)
    REPO_NOT_FOUND = "404-repo"  # every route: 404 RepoNotFound
    REVISION_NOT_FOUND = "404-revision"  # model info and tree at the revision: 404 RevisionNotFound
    SLOW = "slow"  # every route answers after SLOW_SECONDS
    TRUNCATED = "truncated"  # each page of the tree is cut in the middle of its JSON


@dataclass
class StandIn:
    """A running stand-in: its URL, and what it was asked."""

    server: HTTPServer
    received: list[tuple[str, Mapping[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def requests(self) -> list[str]:
        """Each request received since the routes were served or cleared, in the order it came in:
        `METHOD /path?query`."""
        return [line for line, _ in self.received]

    def headers(self) -> list[Mapping[str, str]]:
        return [headers for _, headers in self.received]

    def clear(self) -> None:
        """Forget the requests (not the routes)."""
        with self._lock:
            self.received.clear()
            self.in_flight = self.most_in_flight = 0

    def counted(self, respond: Callable[[Request], Response], delay: float) -> Callable[[Request], Response]:
        """respond, counting the requests in flight (and each held `delay` seconds)."""

        def handler(request: Request) -> Response:
            with self._lock:
                self.received.append((f"{request.method} {request.full_path.rstrip('?')}", dict(request.headers)))
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                time.sleep(delay)
                return respond(request)
            finally:
                with self._lock:
                    self.in_flight -= 1

        return handler


def serve(
    server: HTTPServer,
    listings: Iterable[Listing],
    *,
    faults: Mapping[str, Fault] | None = None,
    page_size: int = 1000,
    delay: float = 0.0,
) -> StandIn:
    """Register every route of the listings on a started server (its earlier routes are dropped)."""
    server.clear_all_handlers()
    server.clear()
    stand_in = StandIn(server)
    for listing in listings:
        fault = (faults or {}).get(listing.repo_id)
        for uri, method, respond in _routes(stand_in, listing, fault, page_size):
            server.expect_request(uri, method=method).respond_with_handler(stand_in.counted(respond, delay))
    return stand_in


# Fixtures


def read_fixture(path: Path) -> tuple[Listing, str]:
    """The listing a fixture file holds, and where it came from."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return from_entry(data, path), str(data["source"])


def write_fixture(path: Path, listing: Listing, source: str) -> None:
    """Keep a listing as a fixture file, in the shape of a lock entry with its source."""
    document = {**entry(listing), "source": source}
    path.write_text(json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n", encoding="ascii")


def fixture(name: str) -> Listing:
    """The listing of `tests/data/hub/{name}.json`."""
    return read_fixture(FIXTURES / f"{name}.json")[0]


def renamed(listing: Listing, repo_id: str, revision: str | None = None) -> Listing:
    """The same files under another repository id (and revision)."""
    return replace(listing, repo_id=repo_id, revision=revision or listing.revision)


# Routes


Route = tuple[str, str, Callable[[Request], Response]]


def _routes(stand_in: StandIn, listing: Listing, fault: Fault | None, page_size: int) -> list[Route]:
    repo, routes = listing.repo_id, []
    for revision in dict.fromkeys((listing.revision, listing.commit)):
        missing = fault is Fault.REVISION_NOT_FOUND and revision == listing.revision
        answer_info = _missing_revision(revision) if missing else _model_info(listing)
        answer_tree = _missing_revision(revision) if missing else _tree(stand_in, listing, revision, page_size)
        if fault is Fault.TRUNCATED:
            answer_tree = _truncated(answer_tree)
        routes.append((f"/api/models/{repo}/revision/{revision}", "GET", answer_info))
        if revision == "main":
            routes.append((f"/api/models/{repo}", "GET", answer_info))
        routes.append((f"/api/models/{repo}/tree/{revision}", "GET", answer_tree))
        for path in listing.files:
            file = _file(listing, path)
            routes += [(f"/{repo}/resolve/{revision}/{path}", method, file) for method in ("GET", "HEAD")]
    return [(uri, method, _with_fault(respond, repo, fault)) for uri, method, respond in routes]


def _with_fault(
    respond: Callable[[Request], Response], repo: str, fault: Fault | None
) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        if fault is Fault.UNAUTHORIZED:
            return _error(401, message="Invalid credentials in Authorization header")
        if fault is Fault.REPO_NOT_FOUND:
            return _error(404, "RepoNotFound", "Repository not found")
        if fault is Fault.GATED and "/resolve/" in request.path:
            message = f"Access to model {repo} is restricted and you are not in the authorized list."
            return _error(403, "GatedRepo", message)
        if fault is Fault.SLOW:
            time.sleep(SLOW_SECONDS)
        return respond(request)

    return answer


def _error(status: int, code: str | None = None, message: str = "") -> Response:
    headers = {"X-Error-Message": message} | ({"X-Error-Code": code} if code else {})
    return Response(json.dumps({"error": message}), status=status, headers=headers, mimetype="application/json")


def _json(document: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(document), headers=dict(headers or {}), mimetype="application/json")


def _missing_revision(revision: str) -> Callable[[Request], Response]:
    return lambda _request: _error(404, "RevisionNotFound", f"Invalid rev id: {revision}")


def _model_info(listing: Listing) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        info: dict[str, Any] = {"_id": _sha(listing.repo_id)[:24], "id": listing.repo_id, "sha": listing.commit}
        if "expand" not in request.args:
            info |= {"private": False, "gated": False, "siblings": [{"rfilename": path} for path in listing.files]}
        return _json(info)

    return answer


def _tree(stand_in: StandIn, listing: Listing, revision: str, page_size: int) -> Callable[[Request], Response]:
    entries = _tree_entries(listing)

    def answer(request: Request) -> Response:
        start = int(request.args.get("cursor", "0"))
        page, headers = entries[start : start + page_size], {}
        if start + page_size < len(entries):
            query = urlencode({"recursive": "true", "expand": "false", "cursor": start + page_size})
            headers["Link"] = f'<{stand_in.url}/api/models/{listing.repo_id}/tree/{revision}?{query}>; rel="next"'
        return _json(page, headers)

    return answer


def _tree_entries(listing: Listing) -> list[dict[str, Any]]:
    """The recursive tree as the Hub lists it: every folder and every file, each with its oid."""
    folders = {path.rsplit("/", depth)[0] for path in listing.files for depth in range(1, path.count("/") + 1)}
    items = [{"type": "directory", "oid": _sha(folder), "size": 0, "path": folder} for folder in folders]
    for path in listing.files:
        content = _content(listing, path)
        items.append({"type": "file", "oid": _git_oid(content), "size": len(content), "path": path})
    return sorted(items, key=lambda item: str(item["path"]))


def _file(listing: Listing, path: str) -> Callable[[Request], Response]:
    content = _content(listing, path)
    headers = {"X-Repo-Commit": listing.commit, "ETag": f'"{_git_oid(content)}"', "Accept-Ranges": "bytes"}

    def answer(request: Request) -> Response:
        response = Response(content, headers=headers, mimetype="application/octet-stream")
        response.headers["Content-Length"] = str(len(content))  # HEAD too: the client reads the size from it
        return response

    return answer


def _content(listing: Listing, path: str) -> bytes:
    text = listing.small.get(path)
    return text.encode("utf-8") if text is not None else f"synthetic content of {listing.repo_id}/{path}\n".encode()


def _git_oid(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _truncated(respond: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """respond, its body cut in half (the Content-Length of the cut body, as a proxy would send)."""

    def answer(request: Request) -> Response:
        response = respond(request)
        body = response.get_data()
        response.set_data(body[: len(body) // 2])
        return response

    return answer
