"""`--hub` through the CLI: the real huggingface_hub client, in the CLI's own process, against the
stand-in Hub on 127.0.0.1 (tests/hub_server.py) serving the recorded listings of tests/data/hub/.

huggingface_hub reads HF_ENDPOINT once, at import: each run is a subprocess with its own
environment, while this process stays offline.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub_server import Fault, fixture, renamed, serve
from pytest_httpserver import HTTPServer
from support import CORPUS, PROJECT, needs_corpus, write

pytestmark = pytest.mark.slow  # each test starts the CLI (and the client) in a process of its own

SDXL = "stable-diffusion/stable-diffusion-xl-1.0"
LLAMA = "llama/llama-2-7b"
TURBO = "stable-diffusion/sdxl-turbo"
LISTED = [
    "stabilityai--sdxl-turbo",
    "meta-llama--Llama-2-7b-hf",
    "madebyollin--sdxl-vae-fp16-fix",
    "stabilityai--stable-diffusion-xl-base-1.0",
    "stabilityai--stable-diffusion-xl-refiner-1.0",
]


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


def cli(*args: str | Path, cwd: Path, endpoint: str, home: Path) -> subprocess.CompletedProcess[str]:
    """The CLI with its own environment: the stand-in's endpoint, no login, its own caches."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    keep = {k: v for k, v in keep.items() if not k.lower().endswith("_proxy")}
    env = keep | {
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(home / "hf-home"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_ETAG_TIMEOUT": "1",  # seconds, an int to huggingface_hub; the SLOW fault waits 1.5
        "NO_PROXY": "*",
        "PYTHONPATH": str(PROJECT),
    }
    run = subprocess.run(
        [sys.executable, "-m", "migrate", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in run.stderr, run.stderr
    return run


@pytest.fixture
def trusses(tmp_path: Path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip("corpus not found")
    tree = tmp_path / "tree"
    for truss in (SDXL, LLAMA, TURBO):
        shutil.copytree(CORPUS / truss, tree / truss)
    return tree


def _codes(stderr: str) -> list[str]:
    """PATH:LINE:CODE of each diagnostic of the Python files."""
    found = []
    for line in stderr.splitlines():
        parts = line.split(":", 4)
        if len(parts) == 5 and parts[0].endswith(".py"):
            found.append(f"{parts[0]}:{parts[1]}:{parts[3].split()[0]}")
    return sorted(found)


@needs_corpus
def test_each_filtered_loader_is_verified_or_names_what_is_missing(server, trusses, tmp_path):
    stand_in = serve(server, [fixture(name) for name in LISTED])
    run = cli("--check", "--hub", ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    assert run.returncode == 1, run.stderr  # two SDXL loaders still download
    assert _codes(run.stderr) == [
        f"{LLAMA}/model/model.py:6:W127",  # the constant: its two loaders (a model, a tokenizer) both verified
        f"{TURBO}/model/model.py:19:W127",
        f"{SDXL}/model/model.py:19:W127",
        f"{SDXL}/model/model.py:22:W112",
        f"{SDXL}/model/model.py:41:W112",
    ]
    assert (
        'tokenizer/merges.txt, tokenizer_2/merges.txt not mounted: add "**/merges.txt" to allow_patterns' in run.stderr
    )
    assert 'tokenizer_2/merges.txt not mounted: add "**/merges.txt" to allow_patterns' in run.stderr
    assert "2 sites still download mounted weights" in run.stderr


@needs_corpus
def test_without_hub_nothing_is_asked_and_the_loaders_stay(server, trusses, tmp_path):
    stand_in = serve(server, [fixture(name) for name in LISTED])
    run = cli("--check", ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    assert stand_in.requests() == []
    assert {code.rsplit(":", 1)[1] for code in _codes(run.stderr)} == {"W112"}


@needs_corpus
def test_the_lock_makes_a_second_run_offline_and_identical(server, trusses, tmp_path):
    stand_in = serve(server, [fixture(name) for name in LISTED])
    lock = tmp_path / "hub.lock.json"
    first = cli("--check", "--hub", "--hub-lock", lock, ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    data = json.loads(lock.read_text())
    assert data["schema"] == "weights-migrate/hub-lock" and len(data["listings"]) == 5
    assert lock.stat().st_mode & 0o044  # readable by the group and others, as a file to commit
    offline = cli(
        "--check", "--hub", "--hub-lock", lock, ".", cwd=trusses, endpoint="http://127.0.0.1:9", home=tmp_path / "b"
    )
    assert (offline.returncode, offline.stderr) == (first.returncode, first.stderr)


@needs_corpus
def test_a_verified_loader_is_rewritten_in_place(server, trusses, tmp_path):
    stand_in = serve(server, [fixture(name) for name in LISTED])
    run = cli("--hub", "-q", ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    assert run.returncode == 0, run.stderr
    model = (trusses / LLAMA / "model" / "model.py").read_text()
    assert 'CHECKPOINT = "/app/model_cache/meta-llama_Llama-2-7b-hf"' in model  # changed once, at the constant
    sdxl = (trusses / SDXL / "model" / "model.py").read_text()
    assert '"stabilityai/stable-diffusion-xl-base-1.0"' in sdxl  # left: the tokenizers' merges.txt are not mounted
    again = cli("--check", "--hub", ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    assert _codes(again.stderr) == [f"{SDXL}/model/model.py:22:W112", f"{SDXL}/model/model.py:41:W112"]


FAULTS = [
    pytest.param(Fault.UNAUTHORIZED, "unauthorized", id="401"),
    pytest.param(Fault.GATED, "unauthorized", id="403-gated"),
    pytest.param(Fault.REPO_NOT_FOUND, "not-found", id="404"),
    pytest.param(Fault.SLOW, "timeout", id="timeout"),
    pytest.param(Fault.TRUNCATED, "invalid", id="truncated-page"),
]


@needs_corpus
@pytest.mark.parametrize("fault, kind", FAULTS)
def test_a_repository_not_listed_is_one_warning_and_the_offline_rules(server, trusses, tmp_path, fault, kind):
    stand_in = serve(server, [fixture(name) for name in LISTED], faults={"meta-llama/Llama-2-7b-hf": fault})
    run = cli("--check", "--hub", ".", cwd=trusses, endpoint=stand_in.url, home=tmp_path)
    config = [line for line in run.stderr.splitlines() if " W018 " in line]
    assert len(config) == 1 and config[0].startswith(f"{LLAMA}/config.yaml:"), run.stderr
    llama = [code for code in _codes(run.stderr) if code.startswith(LLAMA)]
    assert llama == [f"{LLAMA}/model/model.py:46:W112", f"{LLAMA}/model/model.py:53:W112"]  # as offline
    assert f"({kind};" in run.stderr
    assert f"{TURBO}/model/model.py:19:W127" in _codes(run.stderr)  # the others are decided as listed


EMPTY = "model_name: t\nmodel_cache:\n- repo_id: org/tiny\n  allow_patterns: ['*.gguf']\n"
TYPO = "model_name: t\nmodel_cache:\n- repo_id: org/tiny\n  allow_patterns:\n  - '*.json'\n  - .model\n"
BRANCH = "model_name: t\nmodel_cache:\n- repo_id: org/tiny\n  revision: main\n  allow_patterns: ['*.json']\n"


def test_an_entry_selecting_no_file_is_an_error_and_its_file_stays(server, tmp_path):
    stand_in = serve(server, [fixture("org--tiny")])
    config = write(tmp_path / "t" / "config.yaml", EMPTY)
    run = cli("--hub", "t", cwd=tmp_path, endpoint=stand_in.url, home=tmp_path)
    assert run.returncode == 3
    assert "t/config.yaml:3:3: E022 no file of org/tiny@main" in run.stderr
    assert config.read_text() == EMPTY


def test_an_allow_pattern_selecting_no_file_is_a_warning_at_it(server, tmp_path):
    stand_in = serve(server, [fixture("org--tiny")])
    write(tmp_path / "t" / "config.yaml", TYPO)
    run = cli("--check", "--hub", "t", cwd=tmp_path, endpoint=stand_in.url, home=tmp_path)
    assert "t/config.yaml:6:5: W017 allow pattern '.model' selects no file of org/tiny@main" in run.stderr
    assert "(a typo for '*.model'?)" in run.stderr


def test_pin_revisions_writes_the_commit_a_branch_named(server, tmp_path):
    listing = fixture("org--tiny")
    stand_in = serve(server, [listing])
    config = write(tmp_path / "t" / "config.yaml", BRANCH)
    run = cli("--hub", "--pin-revisions", "t", cwd=tmp_path, endpoint=stand_in.url, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"revision: {listing.commit}\n" in config.read_text()
    assert f"W019 revision pinned: main -> {listing.commit}" in run.stderr


def test_pin_revisions_names_a_commit_for_an_entry_without_a_revision(server, tmp_path):
    listing = renamed(fixture("org--tiny"), "org/other")
    stand_in = serve(server, [listing])
    config = write(tmp_path / "t" / "config.yaml", "model_name: t\nmodel_cache:\n- repo_id: org/other\n")
    run = cli("--hub", "--pin-revisions", "--dialect", "truss", "t", cwd=tmp_path, endpoint=stand_in.url, home=tmp_path)
    assert run.returncode == 0, run.stderr
    assert f"source: hf://org/other@{listing.commit}\n" in config.read_text()


USAGE = [
    pytest.param(("--hub-lock", "x.json", "."), "--hub-lock needs --hub", id="lock-without-hub"),
    pytest.param(("--pin-revisions", "."), "--pin-revisions needs --hub", id="pin-without-hub"),
]


@pytest.mark.parametrize("args, says", USAGE)
def test_usage_errors(tmp_path, args, says):
    run = cli(*args, cwd=tmp_path, endpoint="http://127.0.0.1:9", home=tmp_path)
    assert run.returncode == 2 and says in run.stderr


def test_a_lock_that_is_not_one_is_refused_naming_it(tmp_path):
    write(tmp_path / "t" / "config.yaml", BRANCH)
    (tmp_path / "bad.json").write_text('{"schema": "other"}')
    run = cli(
        "--check", "--hub", "--hub-lock", "bad.json", "t", cwd=tmp_path, endpoint="http://127.0.0.1:9", home=tmp_path
    )
    assert run.returncode == 2 and "bad.json" in run.stderr


@needs_corpus
def test_on_the_corpus_every_filtered_loader_is_verified_or_names_what_it_lacks(server, tmp_path):
    """Against every recorded listing: no W112 site is left undecided where its repository is listed;
    the SDXL pipelines name the tokenizers' merges.txt."""
    from hub_server import FIXTURES

    stand_in = serve(server, [fixture(path.stem) for path in sorted(FIXTURES.glob("*.json"))])
    tree = tmp_path / "truss-examples"
    shutil.copytree(CORPUS, tree)
    run = cli("--check", "--hub", ".", cwd=tree, endpoint=stand_in.url, home=tmp_path)
    lines = run.stderr.splitlines()
    left = [line for line in lines if " W112 " in line]
    verified = [line for line in lines if " W127 " in line]
    assert left and verified
    for line in left:
        assert "not mounted: add" in line or "--hub cannot tell what it reads" in line, line
    sdxl = [line for line in left if "stable-diffusion-xl-base-1.0' mounts" in line]
    assert len(sdxl) == 3 and all("tokenizer/merges.txt, tokenizer_2/merges.txt not mounted" in s for s in sdxl)
