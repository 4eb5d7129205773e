"""Fixtures shared by several test modules, and the one rule every test runs under: no network.

huggingface_hub (and transformers) read HF_HUB_OFFLINE, HF_ENDPOINT and HF_HOME once, when they
are first imported, and the truss oracle tests import them while the tests are collected. So the
offline switches are set here, before any test module is imported; the endpoint is a closed port on
this machine, and a socket that tries any host but this one fails at once, so a test that reaches
for the network fails instead of waiting. Subprocesses inherit the same environment.

Hypothesis profiles, chosen with HYPOTHESIS_PROFILE (or --hypothesis-profile): each test's
`settings(max_examples=examples(N))` runs N examples under "default" (and under hypothesis's
"ci", loaded by itself when the CI variable is set), N / 10 under "dev" and N * 50 under "large".
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"  # the discard port: refused at once, never the Hub
if "HF_HOME" not in os.environ:  # an empty cache for this run; subprocesses and xdist workers inherit it
    os.environ["HF_HOME"] = _HF_HOME = tempfile.mkdtemp(prefix="weights-migrate-hf-home-")
    atexit.register(shutil.rmtree, _HF_HOME, ignore_errors=True)

import pytest
from hypothesis import settings

_LOCAL = ("127.0.0.1", "::1", "localhost")
_connect = socket.socket.connect


def _local_only(sock: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is not None and host not in _LOCAL:
        raise OSError(f"tests never reach the network (tried {host})")
    _connect(sock, address)  # type: ignore[arg-type]


socket.socket.connect = _local_only  # type: ignore[method-assign]
from batch_support import build_big, build_small, corpus_configs  # noqa: E402  (after the socket guard)
from support import BASE_EXAMPLES  # noqa: E402

settings.register_profile("dev", settings.get_profile("default"), max_examples=BASE_EXAMPLES // 10)
settings.register_profile("large", settings.get_profile("default"), max_examples=BASE_EXAMPLES * 50)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only: the big tree of the batch tests (tests that write make their own copies)."""
    configs = corpus_configs()
    root = tmp_path_factory.mktemp("big") / "repo"
    build_big(root, configs)
    return root


@pytest.fixture
def small_tree(tmp_path: Path) -> Path:
    """The small tree of the batch tests: three files to migrate and one broken config."""
    return build_small(tmp_path / "small")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every oracle test (truss itself judging) is also slow: `-m "not slow"` leaves them all out."""
    for item in items:
        if item.get_closest_marker("oracle") is not None:
            item.add_marker(pytest.mark.slow)
