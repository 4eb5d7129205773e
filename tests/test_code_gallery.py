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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import gallery_verdicts

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
    "llama/llama-2-13b-chat/model/model.py": ["31:W112", "36:W112"],
    "llama/llama-2-13b/model/model.py": ["46:W112", "50:W112"],
    "llama/llama-2-70b-chat/model/model.py": ["31:W112", "37:W112"],
    "llama/llama-2-70b/model/model.py": ["52:W112", "59:W112"],
    "llama/llama-2-7b-chat/model/model.py": ["31:W112", "37:W112"],
    "llama/llama-2-7b/model/model.py": ["46:W112", "53:W112"],
    "llama/llama-3-8b-instruct/model/model.py": ["12:W105"],
    "llama/llama-3_1-8b-instruct-sglang/model/model.py": ["37:W114", "44:W112"],
    "llama/llama-3_1-8b-instruct/model/model.py": ["39:W112", "49:W112"],
    "metavoice-1b/model/model.py": ["94:W113"],
    "mistral/mistral-7b-chat/model/model.py": ["16:W112"],
    "mistral/mistral-7b-instruct/model/model.py": ["21:W106", "21:W112", "28:W106", "28:W112"],
    "nous-capybara/nous-capybara-34b-openai/model/model.py": ["44:W112", "50:W112"],
    "playground-v2-aesthetic/model/model.py": ["38:W112"],
    "qwen/qwen-image/model/model.py": ["38:W112"],
    "qwen/qwen-vl/model/model.py": ["19:W112", "22:W112"],
    "stable-diffusion/playground-v2-trt/model/model.py": ["23:W113", "28:W112", "31:W112"],
    "stable-diffusion/sdxl-turbo/model/model.py": ["19:W112"],
    "stable-diffusion/stable-diffusion-3-medium/model/model.py": ["12:W105"],
    "stable-diffusion/stable-diffusion-xl-1.0-trt-h100/model/model.py": ["23:W113", "28:W112", "31:W112", "56:W112"],
    "stable-diffusion/stable-diffusion-xl-1.0-trt/model/model.py": ["23:W113", "27:W112", "30:W112", "55:W112"],
    "stable-diffusion/stable-diffusion-xl-1.0/model/model.py": ["19:W112", "22:W112", "41:W112"],
    "whisper/faster-whisper-small/model/model.py": ["17:W125"],
    "whisper/faster-whisper-v2/model/model.py": ["17:W125"],
    "whisper/faster-whisper-v3/model/model.py": ["17:W125"],
    "whisper/whisper-torchserve/model/model.py": ["39:W113"],
}
# Every entry of every truss, as the migrating run reports it (scripts/gallery_verdicts.py writes it):
# its verdict (loaded from its mount, still downloaded from the Hub, or named nowhere), its source,
# and the sites that decide it (path in the truss:line:code, "-" for a site no diagnostic marks).
VERDICTS = {
    "06-high-performance-cached-weights/config.yaml": [
        "mount hf://NousResearch/Llama-2-7b-chat-hf model/model.py:20:-",
    ],
    "07-high-performance-dynamic-batching/config.yaml": [
        "mount hf://baseten/trtllm-whisper-a10g-large-v2-1 model/model.py:43:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-alibaba-nlp-gte-modernbert-base-embedding/config.yaml": [
        "mount hf://Alibaba-NLP/gte-modernbert-base config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-alibaba-nlp-gte-qwen2-1.5b-instruct-embedding/config.yaml": [
        "mount hf://Alibaba-NLP/gte-Qwen2-1.5B-instruct config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-alibaba-nlp-gte-qwen2-7b-instruct-embedding/config.yaml": [
        "mount hf://Alibaba-NLP/gte-Qwen2-7B-instruct config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-alibaba-nlp-gte-reranker-modernbert-base/config.yaml": [
        "mount hf://Alibaba-NLP/gte-reranker-modernbert-base config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-baai-bge-reranker-large/config.yaml": [
        "mount hf://BAAI/bge-reranker-large config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-google-embeddinggemma-300m/config.yaml": [
        "mount hf://google/embeddinggemma-300m config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-intfloat-multilingual-e5-large-instruct/config.yaml": [
        "mount hf://intfloat/multilingual-e5-large-instruct config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-jina-ai-jina-embeddings-v2-base-en/config.yaml": [
        "mount hf://jinaai/jina-embeddings-v2-base-en config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-jinaai-jina-embeddings-v2-base-code/config.yaml": [
        "mount hf://jinaai/jina-embeddings-v2-base-code config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-mixedbread-ai-mxbai-embed-large-v1-embedding/config.yaml": [
        "mount hf://mixedbread-ai/mxbai-embed-large-v1 config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-nomic-ai-nomic-embed-text-v1.5/config.yaml": [
        "mount hf://nomic-ai/nomic-embed-text-v1.5 config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-nomic-ai-nomic-embed-text-v2-moe/config.yaml": [
        "mount hf://nomic-ai/nomic-embed-text-v2-moe config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-redis-langcache-embed-v2/config.yaml": [
        "mount hf://redis/langcache-embed-v2 config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-sentence-transformers-all-minilm-l6-v2-embedding/config.yaml": [
        "mount hf://sentence-transformers/all-MiniLM-L6-v2 config.yaml:9:-",
    ],
    "11-embeddings-reranker-classification-tensorrt/TEI-taylorai-bge-micro-v2/config.yaml": [
        "mount hf://TaylorAI/bge-micro-v2 config.yaml:9:-",
    ],
    "baseten-inference-stack-v2-templates/glm47/config.yaml": [
        "mount hf://baseten-admin/glm-4.7-fp4 config.yaml:59:-",
    ],
    "baseten-inference-stack-v2-templates/llama-4-maverick/config.yaml": [
        "mount hf://nvidia/Llama-4-Maverick-17B-128E-Instruct-FP8 config.yaml:60:-",
    ],
    "binocular/config.yaml": [
        "none hf://tiiuae/falcon-7b",
        "none hf://tiiuae/falcon-7b-instruct",
    ],
    "gemma/gemma-3-27b-it/config.yaml": [
        "mount hf://google/gemma-3-27b-it config.yaml:33:-",
    ],
    "llama/llama-2-13b-chat/config.yaml": [
        "hub hf://meta-llama/Llama-2-13b-chat-hf model/model.py:31:W112 model/model.py:36:W112",
    ],
    "llama/llama-2-13b/config.yaml": [
        "hub hf://meta-llama/Llama-2-13b-hf model/model.py:46:W112 model/model.py:50:W112",
    ],
    "llama/llama-2-70b-chat/config.yaml": [
        "hub hf://meta-llama/Llama-2-70b-chat-hf model/model.py:31:W112 model/model.py:37:W112",
    ],
    "llama/llama-2-70b/config.yaml": [
        "hub hf://meta-llama/Llama-2-70b-hf model/model.py:52:W112 model/model.py:59:W112",
    ],
    "llama/llama-2-7b-chat/config.yaml": [
        "hub hf://meta-llama/Llama-2-7b-chat-hf model/model.py:31:W112 model/model.py:37:W112",
    ],
    "llama/llama-2-7b/config.yaml": [
        "hub hf://meta-llama/Llama-2-7b-hf model/model.py:46:W112 model/model.py:53:W112",
    ],
    "llama/llama-3-8b-instruct/config.yaml": [
        "mount hf://meta-llama/Meta-Llama-3-8B-Instruct model/model.py:12:W105",
    ],
    "llama/llama-3_1-8b-instruct-sglang/config.yaml": [
        "hub hf://meta-llama/Llama-3.1-8B-Instruct model/model.py:37:W114 model/model.py:44:W112",
    ],
    "llama/llama-3_1-8b-instruct/config.yaml": [
        "hub hf://meta-llama/Llama-3.1-8B-Instruct model/model.py:39:W112 model/model.py:49:W112",
    ],
    "metavoice-1b/config.yaml": [
        "hub hf://metavoiceio/metavoice-1B-v0.1 model/model.py:94:W113",
        "none hf://facebook/multiband-diffusion",
        "none hf://facebook/encodec_24khz",
    ],
    "minimax/minimax_m2_1/config.yaml": [
        "mount hf://MiniMaxAI/MiniMax-M2.1 config.yaml:8:-",
    ],
    "mistral/mistral-7b-chat/config.yaml": [
        "hub hf://mistralai/Mistral-7B-Instruct-v0.1 model/model.py:16:W112",
    ],
    "mistral/mistral-7b-instruct/config.yaml": [
        "hub hf://mistralai/Mistral-7B-Instruct-v0.2 model/model.py:21:W112 model/model.py:28:W112",
    ],
    "model_cach_gcs/config.yaml": [
        "mount gs://llama-3-2-1b-instruct/ model/model.py:23:-",
    ],
    "model_cache/config.yaml": [
        "none hf://madebyollin/sdxl-vae-fp16-fix",
        "mount hf://stabilityai/stable-diffusion-xl-base-1.0 model/model.py:27:-",
    ],
    "nemotron/Llama-3-1-Nemotron-Nano-VL-8B-V1/config.yaml": [
        "hub hf://nvidia/Llama-3.1-Nemotron-Nano-VL-8B-V1 config.yaml:38:W016",
    ],
    "nemotron/Nemotron-Nano-12B-v2-VL-BF16/config.yaml": [
        "hub hf://nvidia/NVIDIA-Nemotron-Nano-12B-v2-VL-BF16 config.yaml:35:W016",
    ],
    "nous-capybara/nous-capybara-34b-openai/config.yaml": [
        "hub hf://NousResearch/Nous-Capybara-34B model/model.py:44:W112 model/model.py:50:W112",
    ],
    "openai/gpt-oss-120b/config.yaml": [
        "mount hf://openai/gpt-oss-120b config.yaml:43:-",
    ],
    "openai/gpt-oss-20b/config.yaml": [
        "mount hf://openai/gpt-oss-20b config.yaml:43:-",
    ],
    "playground-v2-aesthetic/config.yaml": [
        "hub hf://playgroundai/playground-v2-1024px-aesthetic model/model.py:38:W112",
    ],
    "qwen/qwen-3-235B-A22B-instruct-2507-trt/b200-fp8/config.yaml": [
        "mount hf://Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 config.yaml:43:-",
    ],
    "qwen/qwen-3-235B-A22B-instruct-2507-trt/h100-fp8/config.yaml": [
        "mount hf://Qwen/Qwen3-235B-A22B-Instruct-2507-FP8 config.yaml:42:-",
    ],
    "qwen/qwen-3-235B-sglang/config.yaml": [
        "mount hf://Qwen/Qwen3-235B-A22B-FP8 config.yaml:26:-",
    ],
    "qwen/qwen-3-30B-A3-coder/config.yaml": [
        "mount hf://Qwen/Qwen3-Coder-30B-A3B-Instruct config.yaml:26:-",
    ],
    "qwen/qwen-3-30B-A3-sglang/config.yaml": [
        "mount hf://Qwen/Qwen3-30B-A3B-FP8 config.yaml:28:-",
    ],
    "qwen/qwen-3-32B-sglang/config.yaml": [
        "mount hf://Qwen/Qwen3-32B-FP8 config.yaml:26:-",
    ],
    "qwen/qwen-3-next-80B-A3-instruct-sglang/config.yaml": [
        "mount hf://Qwen/Qwen3-Next-80B-A3B-Instruct-FP8 config.yaml:23:W016",
    ],
    "qwen/qwen-3-next-80B-A3-thinking-sglang/config.yaml": [
        "mount hf://Qwen/Qwen3-Next-80B-A3B-Thinking-FP8 config.yaml:23:W016",
    ],
    "qwen/qwen-3-vl-32b/config.yaml": [
        "hub hf://Qwen/Qwen3-VL-32B-Instruct-FP8 config.yaml:35:W016",
    ],
    "qwen/qwen-image/config.yaml": [
        "hub hf://Qwen/Qwen-Image model/model.py:38:W112",
    ],
    "qwen/qwen-vl/config.yaml": [
        "hub hf://Qwen/Qwen-VL model/model.py:19:W112 model/model.py:22:W112",
    ],
    "seed/seed_llm/config.yaml": [
        "mount hf://ByteDance-Seed/Seed-OSS-36B-Instruct config.yaml:22:W016",
    ],
    "stable-diffusion/playground-v2-trt/config.yaml": [
        "hub hf://baseten/playground-v2-trt-8.6.1.post1-engine-A100 model/model.py:23:W113",
        "hub hf://madebyollin/sdxl-vae-fp16-fix model/model.py:28:W112",
        "hub hf://playgroundai/playground-v2-1024px-aesthetic model/model.py:31:W112",
    ],
    "stable-diffusion/sd-turbo/config.yaml": [
        "none hf://stabilityai/sdxl-turbo",
    ],
    "stable-diffusion/sdxl-turbo/config.yaml": [
        "hub hf://stabilityai/sdxl-turbo model/model.py:19:W112",
    ],
    "stable-diffusion/stable-diffusion-3-medium/config.yaml": [
        "mount hf://stabilityai/stable-diffusion-3-medium-diffusers model/model.py:12:W105",
    ],
    "stable-diffusion/stable-diffusion-xl-1.0-trt-h100/config.yaml": [
        "hub hf://baseten/sdxl-1.0-trt-8.6.1.post1-engine-H100 model/model.py:23:W113",
        "hub hf://madebyollin/sdxl-vae-fp16-fix model/model.py:28:W112",
        "hub hf://stabilityai/stable-diffusion-xl-base-1.0 model/model.py:31:W112",
        "hub hf://stabilityai/stable-diffusion-xl-refiner-1.0 model/model.py:56:W112",
    ],
    "stable-diffusion/stable-diffusion-xl-1.0-trt/config.yaml": [
        "hub hf://baseten/sdxl-1.0-trt-8.6.1.post1-engine model/model.py:23:W113",
        "hub hf://madebyollin/sdxl-vae-fp16-fix model/model.py:27:W112",
        "hub hf://stabilityai/stable-diffusion-xl-base-1.0 model/model.py:30:W112",
        "hub hf://stabilityai/stable-diffusion-xl-refiner-1.0 model/model.py:55:W112",
    ],
    "stable-diffusion/stable-diffusion-xl-1.0/config.yaml": [
        "hub hf://madebyollin/sdxl-vae-fp16-fix model/model.py:19:W112",
        "hub hf://stabilityai/stable-diffusion-xl-base-1.0 model/model.py:22:W112",
        "hub hf://stabilityai/stable-diffusion-xl-refiner-1.0 model/model.py:41:W112",
    ],
    "whisper/faster-whisper-small/config.yaml": [
        "mount hf://Systran/faster-whisper-small model/model.py:17:W125",
    ],
    "whisper/faster-whisper-v2/config.yaml": [
        "mount hf://Systran/faster-whisper-large-v2 model/model.py:17:W125",
    ],
    "whisper/faster-whisper-v3/config.yaml": [
        "mount hf://Systran/faster-whisper-large-v3 model/model.py:17:W125",
    ],
    "whisper/whisper-torchserve/config.yaml": [
        "hub hf://htrivedi99/whisper-torchserve model/model.py:39:W113",
    ],
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
            constant = re.match(r"\s*([\w.]+)\s*=", line)  # a name assigned once: its reads are reported
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


@pytest.mark.slow  # with the gallery fixture: one CLI run over the whole corpus
def test_every_entry_has_its_verdict_and_sites(gallery):
    _, files = gallery
    report = {"files": list(files.values())}
    assert gallery_verdicts.rows(report) == VERDICTS


def _hub_sites(files: dict[str, dict]) -> list[tuple[str, int, str]]:
    return sorted(
        (site["path"], site["line"], site["code"])
        for record in files.values()
        for use in record.get("uses") or ()
        if use["loaded_from"] == "hub"
        for site in use["sites"]
    )


@pytest.mark.slow
def test_after_the_migration_check_lists_exactly_the_hub_sites_until_each_is_suppressed(gallery, tmp_path):
    """`--check` on the migrated corpus: exit 1, the same sites with the same codes, nothing else
    pending; with `# weights-migrate: ignore[CODE]` on each site's line, exit 0."""
    copy, files = gallery
    tree = tmp_path / "truss-examples"
    shutil.copytree(copy, tree)
    hub = _hub_sites(files)
    check = migrate_cli("--check", "--format", "json", ".", cwd=tree, timeout=600)
    assert check.returncode == 1, check.stderr
    report = check.json()
    assert report["summary"]["would_migrate"] == 0 and report["summary"]["failed"] == 0
    again = {record["path"]: record for record in report["files"]}
    after = _hub_sites(again)
    # the same sites with the same codes (a config's lines move as its entries grow)
    assert sorted((path, code) for path, _, code in after) == sorted((path, code) for path, _, code in hub)
    assert report["summary"]["pending"] == len(after)
    diagnostics = {(path, d["line"], d["code"]) for path, r in again.items() for d in r["diagnostics"]}
    assert set(after) <= diagnostics
    for path, line, code in after:
        lines = (tree / path).read_text().split("\n")
        lines[line - 1] += f"  # weights-migrate: ignore[{code}]"
        (tree / path).write_text("\n".join(lines))
    quiet = migrate_cli("--check", "--format", "json", ".", cwd=tree, timeout=600)
    assert quiet.returncode == 0, quiet.stdout[-3000:]
    assert quiet.json()["summary"]["pending"] == 0
