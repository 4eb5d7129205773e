"""The gallery: every Python file under ../shared/corpus/truss-examples, migrated with its truss.

The whole corpus is copied to tmp_path and migrated through the CLI (each truss with its config,
as a user would). Per file: the exact diagnostics, and no rewrite in the classes of issue 9 that
broke programs (hub APIs given a path, loaders on filtered mounts, ids rewritten outside the
loader table, Weights around what is not a list of entries, secrets lost); and every legacy id
left in the code is reported.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import CORPUS, NO_CORPUS, migrate_cli

from migrate.python import loader_table

if not CORPUS.is_dir():
    pytest.skip(NO_CORPUS, allow_module_level=True)

# LINE:CODE per Python file with diagnostics; every other Python file has none.
EXPECTED = {
    "11-embeddings-reranker-classification-tensorrt/templating/generate_templates.py": [
        "241:W104",
        "244:W103",
        "246:W014",
        "246:W101",
        "256:W120",
    ],
    "chains-examples/docs/poems/poems.py": ["11:W001", "11:W014", "11:W101", "35:W102", "48:W112", "53:W112"],
    "llama/llama-2-13b/model/model.py": ["46:W112", "50:W112"],
    "llama/llama-2-13b-chat/model/model.py": ["31:W112", "36:W112"],
    "llama/llama-2-70b/model/model.py": ["52:W112", "59:W112"],
    "llama/llama-2-70b-chat/model/model.py": ["31:W112", "37:W112"],
    "llama/llama-2-7b/model/model.py": ["46:W112", "53:W112"],
    "llama/llama-2-7b-chat/model/model.py": ["31:W112", "37:W112"],
    "llama/llama-3-8b-instruct/model/model.py": ["12:W105"],
    "metavoice-1b/model/model.py": ["94:W113"],
    "mistral/mistral-7b-instruct/model/model.py": ["21:W106", "28:W106"],
    "nous-capybara/nous-capybara-34b-openai/model/model.py": ["44:W112", "50:W112"],
    "playground-v2-aesthetic/model/model.py": ["38:W112"],
    "qwen/qwen-image/model/model.py": ["18:W115"],
    "qwen/qwen-vl/model/model.py": ["19:W112", "22:W112"],
    "stable-diffusion/playground-v2-trt/model/model.py": ["23:W113", "28:W112", "31:W112"],
    "stable-diffusion/sdxl-turbo/model/model.py": ["19:W112"],
    "stable-diffusion/stable-diffusion-3-medium/model/model.py": ["12:W105"],
    "stable-diffusion/stable-diffusion-xl-1.0/model/model.py": ["19:W112", "22:W112", "41:W112"],
    "stable-diffusion/stable-diffusion-xl-1.0-trt/model/model.py": ["23:W113", "27:W112", "30:W112", "55:W112"],
    "stable-diffusion/stable-diffusion-xl-1.0-trt-h100/model/model.py": ["23:W113", "28:W112", "31:W112", "56:W112"],
    "whisper/whisper-torchserve/model/model.py": ["39:W113"],
}
PYTHON = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.py"))
HUB_CALLS = {"snapshot_download", "hf_hub_download"}


@pytest.fixture(scope="module")
def gallery(tmp_path_factory):
    copy = tmp_path_factory.mktemp("gallery") / "truss-examples"
    shutil.copytree(CORPUS, copy)
    proc = migrate_cli("--format", "json", "--jobs", "1", ".", cwd=copy, timeout=600)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    files = {f["path"].removeprefix("./"): f for f in report["files"]}
    return copy, files


def _legacy(folder: Path) -> dict[str, dict]:
    """Legacy HF entries of the truss that holds folder (original config): id -> entry."""
    for parent in [folder, *folder.parents]:
        config = parent / "config.yaml"
        if config.is_file():
            block = (yaml.safe_load(config.read_text()) or {}).get("model_cache") or []
            return {e["repo_id"]: e for e in block if not e.get("use_volume") and "://" not in e["repo_id"]}
        if parent == CORPUS:
            break
    return {}


def test_the_gallery_is_every_python_file():
    assert len(PYTHON) == 81
    assert set(EXPECTED) <= set(PYTHON)


@pytest.mark.slow  # with the gallery fixture: one CLI run over the whole corpus
@pytest.mark.parametrize("path", PYTHON)
def test_diagnostics_per_file(gallery, path):
    _, files = gallery
    record = files.get(path, {"diagnostics": []})
    assert sorted(f"{d['line']}:{d['code']}" for d in record["diagnostics"]) == sorted(EXPECTED.get(path, []))


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            yield node, func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


@pytest.mark.slow  # with the gallery fixture: one CLI run over the whole corpus
@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_no_rewrite_falls_in_a_broken_class(gallery, path):
    copy, _ = gallery
    before, after = (CORPUS / path).read_text(), (copy / path).read_text()
    tree = ast.parse(after)
    legacy = _legacy((CORPUS / path).parent)
    mounts = {f"/app/model_cache/{i.replace('/', '_')}": e for i, e in legacy.items()}
    new = {m for m in mounts if m in after and m not in before}
    for call, name in _calls(tree):
        values = [a.value for a in [*call.args, *[k.value for k in call.keywords]] if isinstance(a, ast.Constant)]
        if name in HUB_CALLS or name in ("HfApi",):  # class 1: a hub API never gets a path
            assert not any(isinstance(v, str) and v.startswith("/app/model_cache") for v in values), ast.unparse(call)
        if name == "Weights":  # class 4: Weights only around a list of entries
            assert call.args and isinstance(call.args[0], (ast.List, ast.Name)), ast.unparse(call)
    for mount in new:  # class 2: a rewritten loader reads a whole repository
        entry = mounts[mount]
        assert not entry.get("allow_patterns") and not entry.get("ignore_patterns"), (mount, entry)
    for node in ast.walk(tree):  # class 3: a new mount path stands only at a loader position
        if isinstance(node, ast.Constant) and node.value in new:
            assert _at_loader(tree, node), ast.dump(node)


def _at_loader(tree: ast.AST, constant: ast.Constant) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and node.value is constant:  # a constant: every use a loader
            name = node.targets[0].id
            uses = [
                n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
            ]
            return bool(uses) and all(_at_loader(tree, u) for u in uses)
        if isinstance(node, ast.Call):
            method = node.func.attr if isinstance(node.func, ast.Attribute) else None
            names = {ast.unparse(node.func)}
            loader = loader_table.loader_for(names, method)
            for i, arg in enumerate(node.args):
                if arg is constant:
                    return loader is not None and loader.takes(i, None)
            for keyword in node.keywords:
                if keyword.value is constant:
                    return loader is not None and loader.takes(None, keyword.arg)
    return False


@pytest.mark.slow  # with the gallery fixture: one CLI run over the whole corpus
@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_every_legacy_id_left_in_code_is_reported(gallery, path):
    copy, files = gallery
    after = (copy / path).read_text().splitlines()
    reported = {d["line"] for d in files[path]["diagnostics"]}
    reported_text = "\n".join(after[line - 1] for line in reported)
    for repo_id in _legacy((CORPUS / path).parent):
        for number, line in enumerate(after, 1):
            if not re.search(rf"""["']{re.escape(repo_id)}["']""", line):
                continue
            constant = re.match(r"\s*(\w+)\s*=", line)
            near = any(abs(number - r) <= 1 for r in reported)  # a call split over lines
            assert near or (constant and constant.group(1) in reported_text), f"{path}:{number}: {line.strip()}"


@pytest.fixture(scope="module")
def unformatted(gallery) -> set[Path]:
    """The gallery's Python files, before and after the migration, that `ruff format` would change:
    one ruff process, with ruff's defaults as the corpus has no settings of its own (--isolated: not
    the settings of the folder the tests run in, which ruff would take for files without any)."""
    copy, _ = gallery
    paths = [str(root / path) for root in (CORPUS, copy) for path in PYTHON]
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            "--isolated",
            "--no-cache",
            "--output-format",
            "json",
            *paths,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {Path(found["filename"]).resolve() for found in json.loads(proc.stdout or "[]")}


@pytest.mark.slow  # with the gallery fixture: one CLI run over the whole corpus
@pytest.mark.parametrize("path", PYTHON)
def test_rewritten_files_stay_ruff_formatted(gallery, unformatted, path):
    """A file `ruff format` accepted before the migration, it accepts after."""
    copy, _ = gallery
    if (copy / path).read_bytes() == (CORPUS / path).read_bytes() or (CORPUS / path).resolve() in unformatted:
        return
    assert (copy / path).resolve() not in unformatted, path


@pytest.mark.slow
def test_the_format_check_sees_the_rewritten_files(gallery, unformatted):
    copy, _ = gallery
    rewritten = [p for p in PYTHON if (copy / p).read_bytes() != (CORPUS / p).read_bytes()]
    formatted = [p for p in rewritten if (CORPUS / p).resolve() not in unformatted]
    assert len(formatted) >= 5, rewritten
