"""The loader-needs table: which files of a repository listing each loader family reads.

Tables of rows: a callable's family (and the unknown ones); the needed set of each family with each
argument that matters, on synthetic listings; the reasons the table cannot tell; the real listings
in tests/data/hub; every W112 site of the corpus, where the config's own patterns mount what
huggingface_hub's filter_repo_objects kept, against what the loaders there read; the patterns
suggested for what a mount lacks.

The last part proves needed sets against the real libraries, offline and without torch: a tiny
mount holding exactly the needed files loads, and without any one of them the load fails or loads
something else.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from huggingface_hub.utils import filter_repo_objects

from migrate.core.patterns import readings
from migrate.python import loader_needs as ln
from migrate.python.loader_needs import describe, missing, needed, suggest

HUB = Path(__file__).parent / "data" / "hub"
CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "truss-examples"


def fixture(repo: str) -> dict:
    return json.loads((HUB / (repo.replace("/", "--") + ".json")).read_text())


def needs_of(name: str, keywords: dict, files: list[str], small: dict | None = None) -> ln.Needs:
    call = describe(name, keywords)
    assert call is not None, name
    texts = {k: v if isinstance(v, str) else json.dumps(v) for k, v in (small or {}).items()}
    return needed(call, frozenset(files), texts.get)


# --- families -----------------------------------------------------------------------------------

FAMILIES = [
    pytest.param("transformers.AutoTokenizer.from_pretrained", ln.TOKENIZER, id="auto-tokenizer"),
    pytest.param(
        "transformers.models.llama.LlamaTokenizerFast.from_pretrained", ln.TOKENIZER, id="tokenizer-module-path"
    ),
    pytest.param("transformers.LlamaForCausalLM.from_pretrained", ln.MODEL, id="model-class"),
    pytest.param("transformers.AutoModel.from_pretrained", ln.MODEL, id="auto-model"),
    pytest.param("transformers.AutoModelForSeq2SeqLM.from_pretrained", ln.MODEL, id="auto-model-for"),
    pytest.param("transformers.AutoConfig.from_pretrained", ln.CONFIG, id="auto-config"),
    pytest.param("transformers.LlamaConfig.from_pretrained", ln.CONFIG, id="config-class"),
    pytest.param("transformers.GenerationConfig.from_pretrained", ln.GENERATION_CONFIG, id="generation-config"),
    pytest.param("transformers.AutoProcessor.from_pretrained", ln.PROCESSOR, id="auto-processor"),
    pytest.param("transformers.WhisperProcessor.from_pretrained", ln.PROCESSOR, id="processor-class"),
    pytest.param("transformers.AutoImageProcessor.from_pretrained", ln.IMAGE_PROCESSOR, id="auto-image-processor"),
    pytest.param("transformers.AutoFeatureExtractor.from_pretrained", ln.IMAGE_PROCESSOR, id="auto-feature-extractor"),
    pytest.param("transformers.pipeline", ln.PIPELINE, id="pipeline"),
    pytest.param("diffusers.StableDiffusionXLPipeline.from_pretrained", ln.DIFFUSERS_PIPELINE, id="sdxl-pipeline"),
    pytest.param("diffusers.DiffusionPipeline.from_pretrained", ln.DIFFUSERS_PIPELINE, id="diffusion-pipeline"),
    pytest.param("diffusers.AutoPipelineForText2Image.from_pretrained", ln.DIFFUSERS_PIPELINE, id="auto-pipeline"),
    pytest.param("diffusers.AutoencoderKL.from_pretrained", ln.DIFFUSERS_MODEL, id="autoencoder"),
    pytest.param("diffusers.UNet2DConditionModel.from_pretrained", ln.DIFFUSERS_MODEL, id="unet"),
    pytest.param("diffusers.EulerDiscreteScheduler.from_pretrained", ln.DIFFUSERS_SCHEDULER, id="scheduler"),
    pytest.param("sentence_transformers.SentenceTransformer", ln.SENTENCE_TRANSFORMER, id="sentence-transformer"),
    pytest.param(
        "sentence_transformers.SentenceTransformer.SentenceTransformer", ln.SENTENCE_TRANSFORMER, id="st-module-path"
    ),
    pytest.param("sentence_transformers.CrossEncoder", ln.CROSS_ENCODER, id="cross-encoder"),
    pytest.param("faster_whisper.WhisperModel", ln.FASTER_WHISPER, id="faster-whisper"),
    pytest.param("vllm.LLM", ln.LLM_SERVER, id="vllm-llm"),
    pytest.param("vllm.EngineArgs", ln.LLM_SERVER, id="vllm-engine-args"),
    pytest.param("vllm serve", ln.LLM_SERVER, id="vllm-serve"),
    pytest.param("sglang.launch_server", ln.LLM_SERVER, id="sglang"),
    pytest.param("text-embeddings-router", ln.EMBEDDINGS_SERVER, id="tei"),
    pytest.param("peft.PeftModel.from_pretrained", ln.PEFT_ADAPTER, id="peft"),
]

UNKNOWN_CALLABLES = [
    pytest.param("mylib.MyModel.from_pretrained", id="other-library"),
    pytest.param("transformers.Trainer.from_pretrained", id="transformers-class-not-a-loader"),
    pytest.param("transformers.AutoTokenizer.register", id="not-from-pretrained"),
    pytest.param("huggingface_hub.snapshot_download", id="hub-api"),
    pytest.param("peft.AutoPeftModelForCausalLM.from_pretrained", id="peft-auto-loads-its-base-elsewhere"),
    pytest.param("vllm.SamplingParams", id="vllm-not-a-loader"),
    pytest.param("from_pretrained", id="bare-name"),
]


@pytest.mark.parametrize("name, family", FAMILIES)
def test_family_of(name, family):
    assert ln.family_of(name) == family


@pytest.mark.parametrize("name", UNKNOWN_CALLABLES)
def test_unknown_callables_have_no_family(name):
    assert ln.family_of(name) is None
    assert describe(name, {}) is None


def test_every_family_has_a_rule_and_a_table_row():
    families = set(ln.NAMED.values()) | {p.values[1] for p in FAMILIES}
    assert families == set(ln.RULES) == {row[0] for row in ln.TABLE}


# --- needed sets on synthetic listings -----------------------------------------------------------

LLAMA = "transformers.LlamaForCausalLM.from_pretrained"
AUTO_MODEL = "transformers.AutoModel.from_pretrained"
CAUSAL = "transformers.AutoModelForCausalLM.from_pretrained"
AUTO_TOKENIZER = "transformers.AutoTokenizer.from_pretrained"
PIPE = "diffusers.DiffusionPipeline.from_pretrained"
MODEL_FILES = ["README.md", "config.json", "generation_config.json", "model.safetensors", "pytorch_model.bin"]
SHARDED = {
    "model.safetensors.index.json": {
        "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}
    }
}
REMOTE = {
    "config.json": {
        "auto_map": {"AutoConfig": "configuration_x.XConfig", "AutoModelForCausalLM": "modeling_x.XForCausalLM"}
    },
    "configuration_x.py": "import json\n",
    "modeling_x.py": "from .configuration_x import XConfig\nfrom .layers import Block\n",
    "layers.py": "import torch\nimport .kernels\n",
    "kernels.py": "",
    "unrelated.py": "",
}
TOKENIZER_FILES = [
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "tokenizer.model",
]
INDEX = {
    "_class_name": "StableDiffusionPipeline",
    "requires_safety_checker": True,
    "scheduler": ["diffusers", "PNDMScheduler"],
    "text_encoder": ["transformers", "CLIPTextModel"],
    "tokenizer": ["transformers", "CLIPTokenizer"],
    "unet": ["diffusers", "UNet2DConditionModel"],
    "vae": ["diffusers", "AutoencoderKL"],
    "safety_checker": [None, None],
}
PIPE_FILES = [
    "model_index.json",
    "v1-5.safetensors",
    "scheduler/scheduler_config.json",
    "text_encoder/config.json",
    "text_encoder/model.safetensors",
    "text_encoder/model.fp16.safetensors",
    "text_encoder/pytorch_model.bin",
    "tokenizer/merges.txt",
    "tokenizer/special_tokens_map.json",
    "tokenizer/tokenizer_config.json",
    "tokenizer/vocab.json",
    "unet/config.json",
    "unet/diffusion_pytorch_model.safetensors",
    "unet/diffusion_pytorch_model.fp16.safetensors",
    "unet/diffusion_pytorch_model.bin",
    "vae/config.json",
    "vae/diffusion_pytorch_model.safetensors",
    "vae/diffusion_pytorch_model.bin",
]
PIPE_COMMON = {"model_index.json", "scheduler/scheduler_config.json", "text_encoder/config.json", "unet/config.json"}
PIPE_TOKENIZER = {
    f"tokenizer/{n}" for n in ("merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json")
}
ST_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    {"idx": 3, "name": "3", "path": "3_Normalize", "type": "sentence_transformers.models.Normalize"},
]
ST_FILES = [
    "modules.json",
    "config_sentence_transformers.json",
    "sentence_bert_config.json",
    "config.json",
    "model.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.txt",
    "1_Pooling/config.json",
    "2_Dense/config.json",
    "2_Dense/model.safetensors",
    "2_Dense/pytorch_model.bin",
    "README.md",
    "onnx/model.onnx",
]

NEEDS = [
    pytest.param(
        LLAMA,
        {},
        MODEL_FILES,
        {},
        {"config.json", "generation_config.json", "model.safetensors"},
        id="model-safetensors-first",
    ),
    pytest.param(
        AUTO_MODEL,
        {},
        MODEL_FILES,
        {},
        {"config.json", "model.safetensors"},
        id="model-base-class-no-generation-config",
    ),
    pytest.param(
        LLAMA,
        {"use_safetensors": False},
        MODEL_FILES,
        {},
        {"config.json", "generation_config.json", "pytorch_model.bin"},
        id="model-use-safetensors-false",
    ),
    pytest.param(
        AUTO_MODEL,
        {"use_safetensors": True},
        ["config.json", "pytorch_model.bin"],
        {},
        {"config.json"},
        id="model-use-safetensors-true-without-them-fails-anyway",
    ),
    pytest.param(
        AUTO_MODEL,
        {"variant": "fp16"},
        ["config.json", "model.safetensors", "model.fp16.safetensors", "pytorch_model.fp16.bin"],
        {},
        {"config.json", "model.fp16.safetensors"},
        id="model-variant",
    ),
    pytest.param(
        AUTO_MODEL,
        {"variant": "fp16"},
        [
            "config.json",
            "model.safetensors.index.fp16.json",
            "model.fp16-00001-of-00002.safetensors",
            "model.fp16-00002-of-00002.safetensors",
            "model.safetensors",
        ],
        {
            "model.safetensors.index.fp16.json": {
                "weight_map": {
                    "a": "model.fp16-00001-of-00002.safetensors",
                    "b": "model.fp16-00002-of-00002.safetensors",
                }
            }
        },
        {
            "config.json",
            "model.safetensors.index.fp16.json",
            "model.fp16-00001-of-00002.safetensors",
            "model.fp16-00002-of-00002.safetensors",
        },
        id="model-variant-sharded",
    ),
    pytest.param(
        CAUSAL,
        {},
        [
            "config.json",
            "model.safetensors.index.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "pytorch_model.bin",
        ],
        SHARDED,
        {
            "config.json",
            "model.safetensors.index.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
        },
        id="model-index-and-every-shard",
    ),
    pytest.param(
        CAUSAL,
        {},
        [
            "config.json",
            "pytorch_model.bin.index.json",
            "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin",
        ],
        {
            "pytorch_model.bin.index.json": {
                "weight_map": {"a": "pytorch_model-00001-of-00002.bin", "b": "pytorch_model-00002-of-00002.bin"}
            }
        },
        {
            "config.json",
            "pytorch_model.bin.index.json",
            "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin",
        },
        id="model-bin-shards-when-no-safetensors",
    ),
    pytest.param(
        "transformers.CLIPTextModel.from_pretrained",
        {"subfolder": "text_encoder"},
        ["config.json", "model.safetensors", "text_encoder/config.json", "text_encoder/model.safetensors"],
        {},
        {"text_encoder/config.json", "text_encoder/model.safetensors"},
        id="model-subfolder",
    ),
    pytest.param(
        CAUSAL,
        {"trust_remote_code": True},
        [*REMOTE, "model.safetensors", "generation_config.json"],
        REMOTE,
        {
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "configuration_x.py",
            "modeling_x.py",
            "layers.py",
            "kernels.py",
        },
        id="remote-code-follows-relative-imports",
    ),
    pytest.param(
        CAUSAL,
        {"trust_remote_code": True},
        [*REMOTE, "model.safetensors", "sub/extra.py"],
        {"config.json": REMOTE["config.json"]},
        {
            "config.json",
            "model.safetensors",
            "configuration_x.py",
            "modeling_x.py",
            "layers.py",
            "kernels.py",
            "unrelated.py",
            "sub/extra.py",
        },
        id="remote-code-unread-means-every-py",
    ),
    pytest.param(
        CAUSAL,
        {},
        [*REMOTE, "model.safetensors"],
        REMOTE,
        {"config.json", "model.safetensors"},
        id="remote-code-needs-trust",
    ),
    pytest.param(
        LLAMA,
        {"trust_remote_code": True},
        [*REMOTE, "model.safetensors"],
        REMOTE,
        {"config.json", "model.safetensors"},
        id="remote-code-only-through-an-auto-class",
    ),
    pytest.param(
        "transformers.AutoConfig.from_pretrained",
        {"trust_remote_code": True},
        ["config.json", "configuration_x.py"],
        {"config.json": {"auto_map": {"AutoConfig": "org/other--configuration_x.XConfig"}}},
        {"config.json"},
        id="remote-code-of-another-repository",
    ),
    pytest.param(
        AUTO_TOKENIZER,
        {},
        [*TOKENIZER_FILES, "model.safetensors", "README.md"],
        {},
        set(TOKENIZER_FILES),
        id="auto-tokenizer-every-file-present-and-config",
    ),
    pytest.param(
        "transformers.LlamaTokenizer.from_pretrained",
        {},
        [*TOKENIZER_FILES, "model.safetensors"],
        {},
        set(TOKENIZER_FILES) - {"config.json"},
        id="tokenizer-class-without-config",
    ),
    pytest.param(
        "transformers.GPT2Tokenizer.from_pretrained",
        {},
        [
            "vocab.json",
            "merges.txt",
            "added_tokens.json",
            "chat_template.jinja",
            "additional_chat_templates/tools.jinja",
            "additional_chat_templates/notes.txt",
        ],
        {},
        {
            "vocab.json",
            "merges.txt",
            "added_tokens.json",
            "chat_template.jinja",
            "additional_chat_templates/tools.jinja",
        },
        id="tokenizer-vocabulary-and-chat-templates",
    ),
    pytest.param(
        "transformers.BertTokenizer.from_pretrained",
        {"subfolder": "tokenizer"},
        ["vocab.txt", "tokenizer/vocab.txt", "tokenizer/tokenizer_config.json"],
        {},
        {"tokenizer/vocab.txt", "tokenizer/tokenizer_config.json"},
        id="tokenizer-subfolder",
    ),
    pytest.param(
        AUTO_TOKENIZER,
        {},
        ["tokenizer_config.json", "tokenizer.json", "tokenizer.4.0.json"],
        {"tokenizer_config.json": {"fast_tokenizer_files": ["tokenizer.4.0.json"]}},
        {"tokenizer_config.json", "tokenizer.json", "tokenizer.4.0.json"},
        id="tokenizer-versioned-fast-files",
    ),
    pytest.param(
        AUTO_TOKENIZER,
        {"trust_remote_code": True},
        ["config.json", "tokenizer_config.json", "tokenization_x.py", "x.tiktoken", "font.ttf", "configuration_x.py"],
        {
            "config.json": {"auto_map": {"AutoConfig": "configuration_x.XConfig"}},
            "configuration_x.py": "",
            "tokenizer_config.json": {"auto_map": {"AutoTokenizer": ["tokenization_x.XTokenizer", None]}},
            "tokenization_x.py": 'VOCAB_FILES_NAMES = {"vocab_file": "x.tiktoken", "ttf": "SimSun.ttf"}\n',
        },
        {"config.json", "tokenizer_config.json", "tokenization_x.py", "x.tiktoken", "configuration_x.py"},
        id="remote-tokenizer-module-and-its-vocabulary",
    ),
    pytest.param(
        "transformers.AutoProcessor.from_pretrained",
        {},
        [
            "config.json",
            "preprocessor_config.json",
            "processor_config.json",
            "chat_template.json",
            "tokenizer.json",
            "tokenizer_config.json",
            "model.safetensors",
        ],
        {},
        {
            "config.json",
            "preprocessor_config.json",
            "processor_config.json",
            "chat_template.json",
            "tokenizer.json",
            "tokenizer_config.json",
        },
        id="processor-bundles-tokenizer",
    ),
    pytest.param(
        "transformers.AutoImageProcessor.from_pretrained",
        {},
        ["config.json", "preprocessor_config.json"],
        {"preprocessor_config.json": {"image_processor_type": "CLIPImageProcessor"}},
        {"preprocessor_config.json"},
        id="image-processor-typed",
    ),
    pytest.param(
        "transformers.AutoFeatureExtractor.from_pretrained",
        {},
        ["config.json", "preprocessor_config.json"],
        {"preprocessor_config.json": {"sampling_rate": 16000}},
        {"config.json", "preprocessor_config.json"},
        id="feature-extractor-untyped-reads-config",
    ),
    pytest.param(
        "transformers.GenerationConfig.from_pretrained",
        {},
        ["config.json", "generation_config.json"],
        {},
        {"generation_config.json"},
        id="generation-config",
    ),
    pytest.param(
        "transformers.pipeline",
        {"task": "text-generation"},
        [*MODEL_FILES, "tokenizer.json", "tokenizer_config.json", "preprocessor_config.json"],
        {},
        {
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "preprocessor_config.json",
        },
        id="pipeline-model-tokenizer-processor",
    ),
    pytest.param(
        PIPE,
        {},
        PIPE_FILES,
        {"model_index.json": INDEX},
        PIPE_COMMON
        | PIPE_TOKENIZER
        | {
            "text_encoder/model.safetensors",
            "unet/diffusion_pytorch_model.safetensors",
            "vae/config.json",
            "vae/diffusion_pytorch_model.safetensors",
        },
        id="diffusers-pipeline",
    ),
    pytest.param(
        PIPE,
        {"variant": "fp16", "torch_dtype": "float16", "vae": "vae"},
        PIPE_FILES,
        {"model_index.json": INDEX},
        PIPE_COMMON
        | PIPE_TOKENIZER
        | {"text_encoder/model.fp16.safetensors", "unet/diffusion_pytorch_model.fp16.safetensors"},
        id="diffusers-pipeline-variant-and-passed-component",
    ),
    pytest.param(
        PIPE,
        {"use_safetensors": False, "safety_checker": None},
        PIPE_FILES,
        {"model_index.json": INDEX},
        PIPE_COMMON
        | PIPE_TOKENIZER
        | {
            "text_encoder/pytorch_model.bin",
            "unet/diffusion_pytorch_model.bin",
            "vae/config.json",
            "vae/diffusion_pytorch_model.bin",
        },
        id="diffusers-pipeline-use-safetensors-false",
    ),
    pytest.param(
        PIPE,
        {"variant": "fp16"},
        [f for f in PIPE_FILES if f != "vae/diffusion_pytorch_model.safetensors"],
        {"model_index.json": INDEX},
        PIPE_COMMON
        | PIPE_TOKENIZER
        | {
            "text_encoder/pytorch_model.bin",
            "unet/diffusion_pytorch_model.bin",
            "vae/config.json",
            "vae/diffusion_pytorch_model.bin",
        },
        id="diffusers-pipeline-bin-when-a-folder-lacks-safetensors",
    ),
    pytest.param(
        "diffusers.AutoencoderKL.from_pretrained",
        {"subfolder": "vae", "variant": "fp16"},
        ["vae/config.json", "vae/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors"],
        {},
        {"vae/config.json", "vae/diffusion_pytorch_model.fp16.safetensors"},
        id="diffusers-model-subfolder-variant",
    ),
    pytest.param(
        "diffusers.AutoencoderKL.from_pretrained",
        {},
        ["config.json", "diffusion_pytorch_model.bin", "sdxl_vae.safetensors"],
        {},
        {"config.json", "diffusion_pytorch_model.bin"},
        id="diffusers-model-bin-when-no-safetensors",
    ),
    pytest.param(
        "diffusers.EulerDiscreteScheduler.from_pretrained",
        {"subfolder": "scheduler"},
        ["scheduler/scheduler_config.json", "model_index.json"],
        {},
        {"scheduler/scheduler_config.json"},
        id="diffusers-scheduler",
    ),
    pytest.param(
        "sentence_transformers.SentenceTransformer",
        {},
        ST_FILES,
        {"modules.json": ST_MODULES},
        set(ST_FILES) - {"pytorch_model.bin", "2_Dense/pytorch_model.bin", "README.md", "onnx/model.onnx"},
        id="sentence-transformer-modules",
    ),
    pytest.param(
        "sentence_transformers.SentenceTransformer",
        {},
        ["config.json", "pytorch_model.bin", "vocab.txt", "tokenizer_config.json"],
        {},
        {"config.json", "pytorch_model.bin", "vocab.txt", "tokenizer_config.json"},
        id="sentence-transformer-plain-model",
    ),
    pytest.param(
        "sentence_transformers.CrossEncoder",
        {},
        ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "README.md"],
        {},
        {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"},
        id="cross-encoder",
    ),
    pytest.param(
        "faster_whisper.WhisperModel",
        {},
        [
            "README.md",
            "config.json",
            "model.bin",
            "preprocessor_config.json",
            "tokenizer.json",
            "vocabulary.txt",
            "extra.bin",
        ],
        {},
        {"config.json", "model.bin", "preprocessor_config.json", "tokenizer.json", "vocabulary.txt"},
        id="faster-whisper",
    ),
    pytest.param(
        "vllm.LLM",
        {},
        [
            "config.json",
            "generation_config.json",
            "model.safetensors.index.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "consolidated.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        ],
        SHARDED,
        {
            "config.json",
            "generation_config.json",
            "model.safetensors.index.json",
            "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        },
        id="vllm-index-shards-not-consolidated",
    ),
    pytest.param(
        "vllm serve",
        {},
        ["config.json", "pytorch_model.bin", "training_args.bin", "tokenizer.json"],
        {},
        {"config.json", "pytorch_model.bin", "tokenizer.json"},
        id="vllm-serve-bin-without-training-files",
    ),
    pytest.param(
        "text-embeddings-router",
        {},
        ST_FILES,
        {"modules.json": ST_MODULES},
        {
            "config.json",
            "tokenizer.json",
            "model.safetensors",
            "modules.json",
            "config_sentence_transformers.json",
            "sentence_bert_config.json",
            "1_Pooling/config.json",
        },
        id="text-embeddings-inference",
    ),
    pytest.param(
        "peft.PeftModel.from_pretrained",
        {},
        ["adapter_config.json", "adapter_model.safetensors", "adapter_model.bin", "README.md"],
        {},
        {"adapter_config.json", "adapter_model.safetensors"},
        id="peft-adapter",
    ),
    pytest.param(
        "peft.PeftModel.from_pretrained",
        {"subfolder": "lora"},
        ["lora/adapter_config.json", "lora/adapter_model.bin"],
        {},
        {"lora/adapter_config.json", "lora/adapter_model.bin"},
        id="peft-adapter-bin-subfolder",
    ),
]


@pytest.mark.parametrize("name, keywords, files, small, expected", NEEDS)
def test_needed(name, keywords, files, small, expected):
    needs = needs_of(name, keywords, files, small)
    assert needs.known, needs.unknown
    assert set(needs.files) == expected


CANNOT_TELL = [
    pytest.param(
        CAUSAL, {}, ["config.json", "model.safetensors.index.json"], {}, (), "cannot be read", id="index-unreadable"
    ),
    pytest.param(
        CAUSAL,
        {},
        ["adapter_config.json", "adapter_model.safetensors"],
        {},
        (),
        "adapter repository",
        id="adapter-repository",
    ),
    pytest.param("transformers.pipeline", {}, MODEL_FILES, {}, (), "without a task", id="pipeline-without-task"),
    pytest.param(PIPE, {}, ["unet/config.json"], {}, (), "model_index.json is not in the listing", id="no-model-index"),
    pytest.param(
        PIPE, {}, ["model_index.json"], {}, (), "model_index.json cannot be read", id="model-index-unreadable"
    ),
    pytest.param(
        "sentence_transformers.SentenceTransformer",
        {},
        ["modules.json"],
        {},
        (),
        "cannot be read",
        id="modules-unreadable",
    ),
    pytest.param(
        "sentence_transformers.SentenceTransformer",
        {},
        ["modules.json"],
        {"modules.json": [{"path": "", "type": "my_package.CustomModule"}]},
        (),
        "my_package.CustomModule",
        id="custom-module-type",
    ),
    pytest.param(AUTO_MODEL, {}, MODEL_FILES, {}, ("variant",), "variant=", id="unresolved-argument"),
    pytest.param(AUTO_MODEL, {"revision": "v2"}, MODEL_FILES, {}, (), "revision=", id="own-revision"),
    pytest.param(AUTO_MODEL, {"gguf_file": "q4.gguf"}, MODEL_FILES, {}, (), "gguf_file=", id="gguf"),
    pytest.param(
        AUTO_TOKENIZER,
        {"trust_remote_code": True},
        ["tokenizer_config.json", "tokenization_x.py"],
        {"tokenizer_config.json": {"auto_map": {"AutoTokenizer": ["tokenization_x.XTokenizer", None]}}},
        (),
        "vocabulary files of tokenization_x.py",
        id="remote-tokenizer-module-unread",
    ),
    pytest.param(
        CAUSAL,
        {"trust_remote_code": True},
        ["config.json", "model.safetensors"],
        {},
        (),
        "auto_map",
        id="remote-config-unread",
    ),
]


@pytest.mark.parametrize("name, keywords, files, small, unresolved, reason", CANNOT_TELL)
def test_cannot_tell(name, keywords, files, small, unresolved, reason):
    call = describe(name, keywords, unresolved)
    texts = {k: json.dumps(v) for k, v in small.items()}
    needs = needed(call, frozenset(files), texts.get)
    assert not needs.known
    assert needs.files == frozenset()
    assert reason in needs.unknown


def test_describe_keeps_the_arguments_that_matter():
    call = describe(PIPE, {"variant": "fp16", "use_safetensors": True, "torch_dtype": "float16", "vae": "vae"})
    assert (call.family, call.variant, call.use_safetensors, call.trust_remote_code) == (
        ln.DIFFUSERS_PIPELINE,
        "fp16",
        True,
        False,
    )
    assert call.keywords == {"variant", "use_safetensors", "torch_dtype", "vae"}
    assert describe("transformers.pipeline", {"model": "org/x"}).task is False
    assert describe(AUTO_TOKENIZER, {"subfolder": "/tokenizer/", "trust_remote_code": True}).subfolder == "tokenizer"


def test_torch_dtype_changes_nothing():
    files, small = PIPE_FILES, {"model_index.json": INDEX}
    assert needs_of(PIPE, {"torch_dtype": "float16"}, files, small) == needs_of(PIPE, {}, files, small)


# --- the real listings ------------------------------------------------------------------------------


def test_fixtures_are_well_formed():
    for path in sorted(HUB.glob("*.json")):
        data = json.loads(path.read_text())
        assert set(data) == {"repo_id", "revision", "commit", "files", "small", "source"}, path.name
        assert path.name == data["repo_id"].replace("/", "--") + ".json"
        assert re.fullmatch(r"[0-9a-f]{40}", data["commit"]), path.name
        assert set(data["small"]) <= set(data["files"]), path.name
        assert data["files"] == sorted(set(data["files"])), path.name
        if data["commit"].startswith("00000000feedface"):
            assert "MADE-UP commit" in data["source"], path.name
        for name, text in data["small"].items():
            if name.endswith(".json"):
                json.loads(text)


def real_needs(repo: str, name: str, keywords: dict) -> ln.Needs:
    data = fixture(repo)
    return needed(describe(name, keywords), frozenset(data["files"]), data["small"].get)


SDXL = "stabilityai/stable-diffusion-xl-base-1.0"
SDXL_TOKENIZERS = {
    f"{t}/{n}"
    for t in ("tokenizer", "tokenizer_2")
    for n in ("merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json")
}
LLAMA7 = {
    "config.json",
    "generation_config.json",
    "model.safetensors.index.json",
    "model-00001-of-00002.safetensors",
    "model-00002-of-00002.safetensors",
}
LLAMA7_TOKENIZER = {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"}
MPT_PY = {
    "adapt_tokenizer.py",
    "attention.py",
    "blocks.py",
    "configuration_mpt.py",
    "custom_embedding.py",
    "flash_attn_triton.py",
    "hf_prefixlm_converter.py",
    "meta_init_context.py",
    "modeling_mpt.py",
    "norm.py",
    "param_init_fns.py",
}

REAL = [
    pytest.param(
        SDXL,
        PIPE,
        {"variant": "fp16", "use_safetensors": True},
        {"model_index.json", "scheduler/scheduler_config.json", *SDXL_TOKENIZERS}
        | {f"{c}/config.json" for c in ("text_encoder", "text_encoder_2", "unet", "vae")}
        | {"text_encoder/model.fp16.safetensors", "text_encoder_2/model.fp16.safetensors"}
        | {"unet/diffusion_pytorch_model.fp16.safetensors", "vae/diffusion_pytorch_model.fp16.safetensors"},
        id="sdxl-pipeline-fp16",
    ),
    pytest.param(
        SDXL,
        "diffusers.UNet2DConditionModel.from_pretrained",
        {"subfolder": "unet"},
        {"unet/config.json", "unet/diffusion_pytorch_model.safetensors"},
        id="sdxl-unet-subfolder",
    ),
    pytest.param(
        SDXL,
        "transformers.CLIPTokenizer.from_pretrained",
        {"subfolder": "tokenizer_2"},
        {n for n in SDXL_TOKENIZERS if n.startswith("tokenizer_2/")},
        id="sdxl-tokenizer-2",
    ),
    pytest.param(
        "stabilityai/stable-diffusion-xl-refiner-1.0",
        PIPE,
        {"variant": "fp16", "use_safetensors": True, "vae": "vae", "text_encoder_2": "te"},
        {
            "model_index.json",
            "scheduler/scheduler_config.json",
            "unet/config.json",
            "unet/diffusion_pytorch_model.fp16.safetensors",
        }
        | {
            f"tokenizer_2/{n}" for n in ("merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json")
        },
        id="refiner-with-two-components-passed",
    ),
    pytest.param("meta-llama/Llama-2-7b-chat-hf", LLAMA, {}, LLAMA7, id="llama-model"),
    pytest.param(
        "meta-llama/Llama-2-7b-chat-hf",
        LLAMA,
        {"use_safetensors": False},
        {
            "config.json",
            "generation_config.json",
            "pytorch_model.bin.index.json",
            "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin",
        },
        id="llama-model-bin",
    ),
    pytest.param(
        "meta-llama/Llama-2-7b-chat-hf",
        "transformers.LlamaTokenizer.from_pretrained",
        {},
        LLAMA7_TOKENIZER,
        id="llama-tokenizer",
    ),
    pytest.param(
        "meta-llama/Llama-2-7b-chat-hf",
        "vllm.LLM",
        {},
        LLAMA7 | LLAMA7_TOKENIZER,
        id="llama-vllm",
    ),
    pytest.param(
        "Qwen/Qwen-VL",
        AUTO_TOKENIZER,
        {"trust_remote_code": True},
        {"config.json", "tokenizer_config.json", "configuration_qwen.py", "tokenization_qwen.py", "qwen.tiktoken"},
        id="qwen-vl-remote-tokenizer",
    ),
    pytest.param(
        "Qwen/Qwen-VL",
        CAUSAL,
        {"trust_remote_code": True},
        {"config.json", "generation_config.json", "pytorch_model.bin.index.json"}
        | {f"pytorch_model-{i:05d}-of-00010.bin" for i in range(1, 11)}
        | {"configuration_qwen.py", "modeling_qwen.py", "qwen_generation_utils.py", "visual.py"},
        id="qwen-vl-remote-model",
    ),
    pytest.param(
        "mosaicml/mpt-7b-instruct",
        CAUSAL,
        {"trust_remote_code": True},
        {
            "config.json",
            "generation_config.json",
            "pytorch_model.bin.index.json",
            "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin",
        }
        | MPT_PY,
        id="mpt-remote-code-every-py",
    ),
    pytest.param(
        "mosaicml/mpt-7b-instruct",
        AUTO_TOKENIZER,
        {},
        {"config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"},
        id="mpt-tokenizer",
    ),
    pytest.param(
        "sentence-transformers/all-MiniLM-L6-v2",
        "sentence_transformers.SentenceTransformer",
        {},
        {
            "modules.json",
            "config_sentence_transformers.json",
            "sentence_bert_config.json",
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "vocab.txt",
            "1_Pooling/config.json",
        },
        id="all-minilm",
    ),
    pytest.param(
        "Systran/faster-whisper-large-v3",
        "faster_whisper.WhisperModel",
        {},
        {"config.json", "model.bin", "preprocessor_config.json", "tokenizer.json", "vocabulary.json"},
        id="faster-whisper-large-v3",
    ),
]


@pytest.mark.parametrize("repo, name, keywords, expected", REAL)
def test_needed_on_real_listings(repo, name, keywords, expected):
    needs = real_needs(repo, name, keywords)
    assert needs.known, needs.unknown
    assert set(needs.files) == expected


# --- every W112 site of the corpus ------------------------------------------------------------------

TO_MERGES = ["tokenizer/merges.txt", "tokenizer_2/merges.txt"]
LLAMA_PATTERNS = ["*.json", "*.safetensors", "*.model"]
SDXL_PATTERNS = ["*.json", "*.fp16.safetensors", "sd_xl_base_1.0.safetensors"]
REFINER_PATTERNS = ["*.json", "*.fp16.safetensors", "sd_xl_refiner_1.0.safetensors"]
VAE_PATTERNS = ["config.json", "diffusion_pytorch_model.safetensors"]
FP16 = {"variant": "fp16", "use_safetensors": True, "torch_dtype": "float16"}
PHI_PATTERNS = ["*.json", "*.safetensors", ".model"]
NOUS_PATTERNS = ["*.json", "*.bin"]
QWEN_PATTERNS = ["*.json", "*.fp16.safetensors", "*.bin", "*.tiktoken", "*.py"]
REMOTE_TRUST = {"trust_remote_code": True}
LLAMA31 = "meta-llama/Llama-3.1-8B-Instruct"
LLAMA31_PATTERNS = {"ignore_patterns": ["original/*", "*.pth"]}  # a config with ignore_patterns only
MISTRAL_PATTERNS = ["*.json", "*.safetensors", "*.model"]
QWEN_IMAGE_PATTERNS = ["*.json", "*.safetensors", "*.bin", "*.txt", "*.md"]
VAE = "diffusers.AutoencoderKL.from_pretrained"
REFINER = "stabilityai/stable-diffusion-xl-refiner-1.0"
PLAYGROUND = "playgroundai/playground-v2-1024px-aesthetic"


def _llama_sites() -> list:
    rows = []
    for size, model_line, tokenizer_line in (
        ("7b", 46, 53),
        ("13b", 46, 50),
        ("70b", 52, 59),
        ("7b-chat", 31, 37),
        ("13b-chat", 31, 36),
        ("70b-chat", 31, 37),
    ):
        repo = f"meta-llama/Llama-2-{size}-hf"
        site = f"llama/llama-2-{size}/model/model.py"
        rows.append(
            pytest.param(f"{site}:{model_line}", repo, LLAMA_PATTERNS, LLAMA, {}, [], [], id=f"llama-2-{size}-model")
        )
        rows.append(
            pytest.param(
                f"{site}:{tokenizer_line}",
                repo,
                LLAMA_PATTERNS,
                "transformers.LlamaTokenizer.from_pretrained",
                {},
                [],
                [],
                id=f"llama-2-{size}-tokenizer",
            )
        )
    return rows


# (site, repository, the config's patterns, loader, keywords, missing, patterns suggested)
SITES = [
    pytest.param(
        "chains-examples/docs/poems/poems.py:48",
        "microsoft/Phi-3-mini-4k-instruct",
        PHI_PATTERNS,
        CAUSAL,
        {},
        [],
        [],
        id="phi-3-model",
    ),
    pytest.param(
        "chains-examples/docs/poems/poems.py:53",
        "microsoft/Phi-3-mini-4k-instruct",
        PHI_PATTERNS,
        AUTO_TOKENIZER,
        {},
        ["tokenizer.model"],
        ["tokenizer.model"],
        id="phi-3-tokenizer-lacks-tokenizer-model",
    ),
    *_llama_sites(),
    pytest.param(
        "nous-capybara/nous-capybara-34b-openai/model/model.py:44",
        "NousResearch/Nous-Capybara-34B",
        NOUS_PATTERNS,
        CAUSAL,
        REMOTE_TRUST,
        [],
        [],
        id="nous-capybara-model",
    ),
    pytest.param(
        "nous-capybara/nous-capybara-34b-openai/model/model.py:50",
        "NousResearch/Nous-Capybara-34B",
        NOUS_PATTERNS,
        AUTO_TOKENIZER,
        REMOTE_TRUST,
        ["tokenizer.model"],
        ["tokenizer.model"],
        id="nous-capybara-tokenizer-lacks-tokenizer-model",
    ),
    pytest.param(
        "playground-v2-aesthetic/model/model.py:38",
        PLAYGROUND,
        ["*.json", "*.txt", "*.fp16.safetensors"],
        PIPE,
        FP16,
        [],
        [],
        id="playground-v2-aesthetic",
    ),
    pytest.param(
        "qwen/qwen-vl/model/model.py:19",
        "Qwen/Qwen-VL",
        QWEN_PATTERNS,
        AUTO_TOKENIZER,
        REMOTE_TRUST,
        [],
        [],
        id="qwen-vl-tokenizer",
    ),
    pytest.param(
        "qwen/qwen-vl/model/model.py:22",
        "Qwen/Qwen-VL",
        QWEN_PATTERNS,
        CAUSAL,
        REMOTE_TRUST,
        [],
        [],
        id="qwen-vl-model",
    ),
    pytest.param(
        "stable-diffusion/playground-v2-trt/model/model.py:28",
        "madebyollin/sdxl-vae-fp16-fix",
        VAE_PATTERNS,
        VAE,
        {"torch_dtype": "float16"},
        [],
        [],
        id="playground-trt-vae",
    ),
    pytest.param(
        "stable-diffusion/playground-v2-trt/model/model.py:31",
        PLAYGROUND,
        ["*.json", "*.fp16.safetensors", "playground-v2.safetensors"],
        PIPE,
        {**FP16, "vae": "vae"},
        TO_MERGES,
        ["**/merges.txt"],
        id="playground-trt-lacks-merges",
    ),
    pytest.param(
        "stable-diffusion/sdxl-turbo/model/model.py:19",
        "stabilityai/sdxl-turbo",
        ["*.json", "*.fp16.safetensors", "*.txt"],
        "diffusers.AutoPipelineForText2Image.from_pretrained",
        {"variant": "fp16", "torch_dtype": "float16"},
        [],
        [],
        id="sdxl-turbo",
    ),
    pytest.param(
        "llama/llama-3_1-8b-instruct/model/model.py:39",
        LLAMA31,
        LLAMA31_PATTERNS,
        "vllm.engine.arg_utils.AsyncEngineArgs",
        REMOTE_TRUST,
        [],
        [],
        id="llama-3.1-vllm-engine",
    ),
    pytest.param(
        "llama/llama-3_1-8b-instruct/model/model.py:49",
        LLAMA31,
        LLAMA31_PATTERNS,
        AUTO_TOKENIZER,
        {},
        [],
        [],
        id="llama-3.1-tokenizer",
    ),
    pytest.param(
        "llama/llama-3_1-8b-instruct-sglang/model/model.py:44",
        LLAMA31,
        LLAMA31_PATTERNS,
        AUTO_TOKENIZER,
        {},
        [],
        [],
        id="llama-3.1-sglang-tokenizer",
    ),
    pytest.param(
        "mistral/mistral-7b-chat/model/model.py:16",
        "mistralai/Mistral-7B-Instruct-v0.1",
        MISTRAL_PATTERNS,
        "transformers.pipeline",
        {"task": "text-generation", "torch_dtype": "bfloat16"},
        [],
        [],
        id="mistral-7b-chat-pipeline",
    ),
    pytest.param(
        "mistral/mistral-7b-instruct/model/model.py:21",
        "mistralai/Mistral-7B-Instruct-v0.2",
        MISTRAL_PATTERNS,
        CAUSAL,
        {"torch_dtype": "float16"},
        [],
        [],
        id="mistral-7b-instruct-model",
    ),
    pytest.param(
        "mistral/mistral-7b-instruct/model/model.py:28",
        "mistralai/Mistral-7B-Instruct-v0.2",
        MISTRAL_PATTERNS,
        AUTO_TOKENIZER,
        {"torch_dtype": "float16"},
        [],
        [],
        id="mistral-7b-instruct-tokenizer",
    ),
    pytest.param(
        "qwen/qwen-image/model/model.py:38",
        "Qwen/Qwen-Image",
        QWEN_IMAGE_PATTERNS,
        PIPE,
        {"torch_dtype": "bfloat16"},
        ["tokenizer/chat_template.jinja"],
        ["**/chat_template.jinja"],
        id="qwen-image-lacks-chat-template",
    ),
]
for folder, base_line, refiner_line, refiner_keywords in (
    ("stable-diffusion-xl-1.0", 22, 41, {**FP16, "vae": "vae", "text_encoder_2": "te"}),
    ("stable-diffusion-xl-1.0-trt", 30, 55, {**FP16, "vae": "vae"}),
    ("stable-diffusion-xl-1.0-trt-h100", 31, 56, {**FP16, "vae": "vae"}),
):
    site = f"stable-diffusion/{folder}/model/model.py"
    SITES += [
        pytest.param(
            f"{site}:{base_line - 3}",
            "madebyollin/sdxl-vae-fp16-fix",
            VAE_PATTERNS,
            VAE,
            {},
            [],
            [],
            id=f"{folder}-vae",
        ),
        pytest.param(
            f"{site}:{base_line}",
            SDXL,
            SDXL_PATTERNS,
            PIPE,
            {**FP16, "vae": "vae"},
            TO_MERGES,
            ["**/merges.txt"],
            id=f"{folder}-base",
        ),
        pytest.param(
            f"{site}:{refiner_line}",
            REFINER,
            REFINER_PATTERNS,
            PIPE,
            refiner_keywords,
            ["tokenizer_2/merges.txt"],
            ["**/merges.txt"],
            id=f"{folder}-refiner",
        ),
    ]


def _filters(patterns: list[str] | dict) -> dict:
    """A row's patterns as filter_repo_objects' keywords: a list is allow_patterns, a dict names its own."""
    return dict(patterns) if isinstance(patterns, dict) else {"allow_patterns": patterns}


@pytest.mark.parametrize("site, repo, patterns, name, keywords, lacking, suggested", SITES)
def test_w112_sites(site, repo, patterns, name, keywords, lacking, suggested):
    data = fixture(repo)
    files = frozenset(data["files"])
    mounted = set(filter_repo_objects(sorted(files), **_filters(patterns)))
    needs = needed(describe(name, keywords), files, data["small"].get)
    assert needs.known, needs.unknown
    assert missing(needs, mounted) == lacking
    assert suggest(lacking, files, mounted) == suggested
    if lacking:  # the suggestion completes the mount, and adds nothing the loader does not read
        fixed = set(filter_repo_objects(sorted(files), allow_patterns=[*patterns, *suggested]))
        assert missing(needs, fixed) == []
        assert fixed - mounted == set(lacking)


def test_every_w112_site_is_in_the_table():
    assert len(SITES) == 38
    assert len({p.values[1] for p in SITES}) == 18


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the corpus is not beside the project")
@pytest.mark.parametrize("site, repo, patterns, name", [pytest.param(*p.values[:4], id=p.id) for p in SITES])
def test_site_patterns_are_the_corpus_configs(site, repo, patterns, name):
    import yaml

    path, line = site.rsplit(":", 1)
    text = (CORPUS / path).read_text()
    loader = "\n".join(text.splitlines()[int(line) - 4 : int(line) + 2])  # the call opens up to 2 lines above
    assert name.rsplit(".", 1)[-1] + "(" in loader
    config = CORPUS / Path(path).parent.parent / "config.yaml"
    if config.is_file():
        entries = yaml.safe_load(config.read_text())["model_cache"]
        entry = next(e for e in entries if e["repo_id"] == repo)
    else:  # a chainlet: the entry is a ModelRepo in the Python file
        assert repo in text
        entry = {"allow_patterns": json.loads(re.search(r"allow_patterns=(\[[^\]]*\])", text).group(1))}
    assert {k: entry[k] for k in ("allow_patterns", "ignore_patterns") if k in entry} == _filters(patterns)


# --- suggested patterns ---------------------------------------------------------------------------

SUGGESTIONS = [
    pytest.param(
        ["tokenizer/merges.txt", "tokenizer_2/merges.txt", "tokenizer/vocab.json", "notes.txt"],
        TO_MERGES,
        ["tokenizer/vocab.json"],
        ["**/merges.txt"],
        id="one-name-in-two-folders",
    ),
    pytest.param(
        ["merges.txt", "tokenizer/merges.txt", "tokenizer/vocab.json"],
        ["tokenizer/merges.txt"],
        ["tokenizer/vocab.json"],
        ["tokenizer/merges.txt"],
        id="root-file-of-that-name-not-wanted",
    ),
    pytest.param(
        ["tokenizer/a.json", "tokenizer/b.txt", "tokenizer/c.model", "other/a.json"],
        ["tokenizer/a.json", "tokenizer/b.txt", "tokenizer/c.model"],
        [],
        ["tokenizer/*"],
        id="a-whole-folder",
    ),
    pytest.param(
        ["x.model", "a/x.model", "b/x.model"],
        ["x.model", "a/x.model", "b/x.model"],
        [],
        ["**/x.model", "x.model"],
        id="one-or-more-reading-misses-the-root",
    ),
    pytest.param(["tokenizer.model", "README.md"], ["tokenizer.model"], [], ["tokenizer.model"], id="a-root-file"),
    pytest.param(
        ["s-1.bin", "s-2.bin", "s-3.bin", "training_args.bin"],
        ["s-1.bin", "s-2.bin", "s-3.bin"],
        [],
        ["s-1.bin", "s-2.bin", "s-3.bin"],
        id="no-wildcard-would-take-a-surplus",
    ),
    pytest.param(["a.bin", "b.bin"], ["a.bin", "b.bin"], [], ["*.bin"], id="a-suffix-when-it-takes-no-surplus"),
]


@pytest.mark.parametrize("files, lacking, mounted, expected", SUGGESTIONS)
def test_suggest(files, lacking, mounted, expected):
    assert suggest(lacking, files, mounted) == expected
    for pattern in expected:  # under every reading, the patterns add only lacking files
        for reading in readings(pattern):
            assert {f for f in files if reading(f)} <= set(lacking) | set(mounted)


READINGS = [
    pytest.param("**/merges.txt", "merges.txt", [False, True, False], id="double-star-root"),
    pytest.param("**/merges.txt", "a/b/merges.txt", [True, True, True], id="double-star-deep"),
    pytest.param("*.json", "a/config.json", [True, False, False], id="star-crosses-only-in-fnmatch"),
    pytest.param("original/*", "original/a/b.pt", [True, False, False], id="folder-star"),
    pytest.param("original/**", "original/a/b.pt", [True, True, True], id="folder-double-star"),
]


@pytest.mark.parametrize("pattern, path, expected", READINGS)
def test_readings(pattern, path, expected):
    assert [bool(r(path)) for r in readings(pattern)] == expected


def test_message():
    assert ln.message(TO_MERGES, ["**/merges.txt"]) == (
        'tokenizer/merges.txt, tokenizer_2/merges.txt not mounted: add "**/merges.txt" to allow_patterns'
    )


def test_the_table_is_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert ln.table() in readme


# --- the real libraries: a tiny mount of exactly the needed files ----------------------------------

CLIP_VOCAB = {"<|startoftext|>": 0, "<|endoftext|>": 1, "!": 2, "a</w>": 3, "b</w>": 4, "ab</w>": 5, "a": 6, "b": 7}
CLIP_FOLDER = {
    "vocab.json": CLIP_VOCAB,
    "merges.txt": "#version: 0.2\na b</w>\n",
    "tokenizer_config.json": {"tokenizer_class": "CLIPTokenizer", "model_max_length": 77},
    "special_tokens_map.json": {"pad_token": "!", "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>"},
}
BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "weights"]
TINY_BERT = {
    "config.json": {
        "model_type": "bert",
        "vocab_size": 8,
        "hidden_size": 8,
        "num_hidden_layers": 1,
        "num_attention_heads": 1,
    },
    "tokenizer_config.json": {"do_lower_case": True, "model_max_length": 128},
    "vocab.txt": "\n".join(BERT_VOCAB) + "\n",
    "special_tokens_map.json": {"additional_special_tokens": ["weights"]},
    "added_tokens.json": {"mounted": 8},
    "chat_template.jinja": "{{ messages }}",
    "model.safetensors": "not read by a tokenizer",
    "README.md": "# tiny",
}
TINY_REMOTE = {
    "config.json": {"model_type": "tiny", "auto_map": {"AutoConfig": "configuration_tiny.TinyConfig"}, "width": 3},
    "configuration_tiny.py": (
        "from transformers import PretrainedConfig\nfrom .defaults import DEPTH\n\n\n"
        "class TinyConfig(PretrainedConfig):\n    model_type = 'tiny'\n\n"
        "    def __init__(self, width=1, depth=DEPTH, **kwargs):\n"
        "        self.width, self.depth = width, depth\n        super().__init__(**kwargs)\n"
    ),
    "defaults.py": "DEPTH = 4\n",
    "modeling_tiny.py": "raise ImportError('a config does not import the model')\n",
}
TINY_FEATURES = {
    "preprocessor_config.json": {
        "feature_extractor_type": "WhisperFeatureExtractor",
        "feature_size": 80,
        "sampling_rate": 16000,
    },
    "config.json": {"model_type": "whisper"},
    "model.bin": "weights",
}


def _tokenizer_print(tokenizer) -> tuple:
    return (
        type(tokenizer).__name__,
        sorted(tokenizer.get_vocab().items()),
        tokenizer.all_special_tokens,
        tokenizer.pad_token,
        tokenizer.model_max_length,
        tokenizer.chat_template,
    )


def _load_clip(root):
    from transformers import CLIPTokenizer

    return _tokenizer_print(CLIPTokenizer.from_pretrained(root, subfolder="tokenizer_2"))


def _load_auto_tokenizer(root):
    from transformers import AutoTokenizer

    return _tokenizer_print(AutoTokenizer.from_pretrained(root))


def _load_remote_config(root):
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(root, trust_remote_code=True)
    return type(config).__name__, config.width, config.depth


def _load_features(root):
    from transformers import AutoFeatureExtractor

    extractor = AutoFeatureExtractor.from_pretrained(root)
    return type(extractor).__name__, extractor.feature_size


def _load_generation_config(root):
    from transformers import GenerationConfig

    return GenerationConfig.from_pretrained(root).max_new_tokens


PROOFS = [
    pytest.param(
        "transformers.CLIPTokenizer.from_pretrained",
        {"subfolder": "tokenizer_2"},
        {f"tokenizer_2/{k}": v for k, v in CLIP_FOLDER.items()}
        | {"tokenizer_2/README.md": "x", "vocab.json": CLIP_VOCAB},
        _load_clip,
        id="clip-tokenizer-of-a-pipeline",
    ),
    pytest.param(AUTO_TOKENIZER, {}, TINY_BERT, _load_auto_tokenizer, id="auto-tokenizer"),
    pytest.param(
        "transformers.AutoConfig.from_pretrained",
        REMOTE_TRUST,
        TINY_REMOTE,
        _load_remote_config,
        id="remote-config-imports",
    ),
    pytest.param(
        "transformers.AutoFeatureExtractor.from_pretrained", {}, TINY_FEATURES, _load_features, id="feature-extractor"
    ),
    pytest.param(
        "transformers.GenerationConfig.from_pretrained",
        {},
        {"generation_config.json": {"max_new_tokens": 7}, "config.json": {"model_type": "gpt2"}},
        _load_generation_config,
        id="generation-config",
    ),
]


def _mount(base: Path, content: dict, names) -> str:
    root = base / f"mount-{uuid.uuid4().hex[:12]}"  # a fresh name: remote modules are cached by folder name
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        value = content[name]
        path.write_text(value if isinstance(value, str) else json.dumps(value))
    root.mkdir(exist_ok=True)
    return str(root)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return tmp_path


@pytest.mark.parametrize("name, keywords, content, load", PROOFS)
def test_the_needed_files_are_what_the_library_reads(name, keywords, content, load, offline):
    texts = {k: v if isinstance(v, str) else json.dumps(v) for k, v in content.items()}
    needs = needed(describe(name, keywords), frozenset(content), texts.get)
    assert needs.known and needs.files < set(content)  # some files of the listing are not needed
    loaded = load(_mount(offline, content, needs.files))
    for dropped in sorted(needs.files):
        try:
            other = load(_mount(offline, content, needs.files - {dropped}))
        except Exception:
            continue
        assert other != loaded, f"{dropped} is needed, yet the load without it is the same"


def test_the_sdxl_corpus_mount_fails_and_the_suggestion_fixes_it(offline):
    """The W112 claim in full: SDXL's tokenizer_2 as the corpus patterns mount it cannot load; with the suggestion it can."""
    data = fixture(SDXL)
    files = frozenset(data["files"])
    needs = needed(describe(PIPE, {**FP16, "vae": "vae"}), files, data["small"].get)
    mounted = set(filter_repo_objects(sorted(files), allow_patterns=SDXL_PATTERNS))
    patterns = [*SDXL_PATTERNS, *suggest(missing(needs, mounted), files, mounted)]
    content = {f"tokenizer_2/{k}": v for k, v in CLIP_FOLDER.items()}
    assert set(content) <= files

    as_mounted = set(filter_repo_objects(sorted(content), allow_patterns=SDXL_PATTERNS))
    assert "tokenizer_2/merges.txt" not in as_mounted
    with pytest.raises((ValueError, OSError, TypeError)):
        _load_clip(_mount(offline, content, as_mounted))

    as_suggested = set(filter_repo_objects(sorted(content), allow_patterns=patterns))
    assert _load_clip(_mount(offline, content, as_suggested))[1] == sorted(CLIP_VOCAB.items())
    assert os.environ["HF_HUB_OFFLINE"] == "1"
