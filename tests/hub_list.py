"""`python tests/hub_list.py REQUEST`: `migrate.run.hub.list_repositories` in a process of its own,
what it returned printed as JSON on stdout.

huggingface_hub reads HF_ENDPOINT and HF_HUB_OFFLINE once, when it is imported, and the test
process has imported it offline; so the tests run the client here, with the environment they
choose. REQUEST is a JSON object: `wanted` ([repo_id, revision or null] pairs), and optionally
`lock` (a path), `cache`, `jobs`, `timeout`, and `download` ([repo_id, revision, filename]: also
fetched with `hf_hub_download`, to check the stand-in serves it). The output is
`{"results": [...], "progress": [[done, total], ...], "download": text}`, or `{"error": message}`
with exit status 2 when the lock file cannot be read. As in the test process, a connection to any
host but this one fails at once.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import Any

_LOCAL = ("127.0.0.1", "::1", "localhost")
_connect = socket.socket.connect


def _local_only(sock: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in _LOCAL:
        raise OSError(f"tests never reach the network (tried {host})")
    _connect(sock, address)  # type: ignore[arg-type]


socket.socket.connect = _local_only  # type: ignore[method-assign]


def main(request: dict[str, Any]) -> int:
    from migrate.core.listing import Listing, ListingFileError, entry
    from migrate.run.hub import list_repositories

    progress: list[tuple[int, int]] = []
    try:
        found = list_repositories(
            [(repo_id, revision) for repo_id, revision in request["wanted"]],
            lock=Path(request["lock"]) if request.get("lock") else None,
            cache=request.get("cache", True),
            jobs=request.get("jobs", 8),
            timeout=request.get("timeout", 5.0),
            on_progress=lambda done, total: progress.append((done, total)),
        )
    except ListingFileError as error:
        print(json.dumps({"error": str(error)}))
        return 2
    results = [
        {"listing": entry(outcome)} if isinstance(outcome, Listing) else {"problem": vars(outcome)}
        for outcome in found.values()
    ]
    output: dict[str, Any] = {"results": results, "progress": progress}
    if request.get("download"):
        from huggingface_hub import hf_hub_download

        repo_id, revision, filename = request["download"]
        output["download"] = Path(hf_hub_download(repo_id, filename, revision=revision)).read_text()
    print(json.dumps(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
