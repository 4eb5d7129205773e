"""A legacy entry's repo id in Python: rewritten only where its runtime meaning is known.

Classes of issue 9: hub APIs by meaning (W111/W113), loaders pointed at a filtered mount (W112,
--trust-patterns), only the loader table's argument positions (W105/W114), every other use of a
legacy id reported (W115), `.get("repo_id")` like W106. Tables of (source, expected, codes); the
no-op tables hold inputs that must come back untouched, with what they report.

Runtime claims are checked with the real libraries (transformers without torch, huggingface_hub,
offline): each rewritten loader form loads from a tiny mount folder, each reported Hub form would
have raised with a local path.
"""

from __future__ import annotations

import dataclasses
import json
import os
import textwrap

import pytest
from support import truss_of

from migrate.core.context import Context
from migrate.core.entry import TrussEntry
from migrate.python import loader_table
from migrate.python.edit import migrate as migrate_python


def src(text: str) -> str:
    return textwrap.dedent(text)


FULL = "org/full"  # no patterns: the mount holds the whole repository
FILTERED = "org/filtered"  # allow_patterns: the mount holds only some files
PATTERNS = ["*.json", "vocab.txt"]


def legacy(context: Context = Context()) -> tuple[TrussEntry, ...]:
    """A truss's config with two legacy entries: the first whole, the second filtered."""
    return truss_of({"repo_id": FULL}, {"repo_id": FILTERED, "allow_patterns": PATTERNS}, context=context)


M = "/app/model_cache/org_full"
MF = "/app/model_cache/org_filtered"

REWRITES = [
    pytest.param(
        'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("org/full")\n',
        f'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("{M}")\n',
        ["2:W105"],
        id="from-pretrained-first",
    ),
    pytest.param(
        'from transformers import AutoConfig\ncfg = AutoConfig.from_pretrained(pretrained_model_name_or_path="org/full")\n',
        f'from transformers import AutoConfig\ncfg = AutoConfig.from_pretrained(\n    pretrained_model_name_or_path="{M}"\n)\n',
        ["2:W105"],
        id="from-pretrained-keyword",
    ),
    pytest.param(
        'from transformers import pipeline\np = pipeline("fill-mask", model="org/full", tokenizer="org/full")\n',
        f'from transformers import pipeline\np = pipeline(\n    "fill-mask",\n    model="{M}",\n    tokenizer="{M}",\n)\n',
        ["2:W105", "2:W105"],
        id="pipeline-model-and-tokenizer",
    ),
    pytest.param(
        "from sentence_transformers import CrossEncoder, SentenceTransformer\n"
        'a = SentenceTransformer("org/full")\nb = CrossEncoder("org/full")\n',
        "from sentence_transformers import CrossEncoder, SentenceTransformer\n"
        f'a = SentenceTransformer("{M}")\nb = CrossEncoder("{M}")\n',
        ["2:W105", "3:W105"],
        id="sentence-transformers",
    ),
    pytest.param(
        'import vllm\nfrom vllm import AsyncEngineArgs\nllm = vllm.LLM(model="org/full")\nargs = AsyncEngineArgs(model="org/full", tokenizer="org/full")\n',
        f'import vllm\nfrom vllm import AsyncEngineArgs\nllm = vllm.LLM(model="{M}")\n'
        f'args = AsyncEngineArgs(\n    model="{M}", tokenizer="{M}"\n)\n',
        ["3:W105", "4:W105", "4:W105"],
        id="vllm",
    ),
    pytest.param(
        'from faster_whisper import WhisperModel\nw = WhisperModel("org/full", device="cuda")\n',
        f'from faster_whisper import WhisperModel\nw = WhisperModel("{M}", device="cuda")\n',
        ["2:W105"],
        id="faster-whisper",
    ),
    pytest.param(
        'from peft import PeftModel\nmodel = PeftModel.from_pretrained(base, "org/full")\n',
        f'from peft import PeftModel\nmodel = PeftModel.from_pretrained(base, "{M}")\n',
        ["2:W105"],
        id="peft-adapter-second",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\npath = snapshot_download(repo_id="org/full")\n',
        f'path = "{M}"\n',
        ["2:W111"],
        id="snapshot-download-is-the-mount",
    ),
    # the import that lost its last use goes; its block keeps a statement, and the blank lines
    # around it come out as a formatted file has them
    pytest.param(
        src("""\
            try:
                from huggingface_hub import snapshot_download
            except ImportError:
                pass
            path = snapshot_download(repo_id="org/full")
            """),
        f'try:\n    pass\nexcept ImportError:\n    pass\npath = "{M}"\n',
        ["5:W111"],
        id="snapshot-download-import-alone-in-its-block",
    ),
    pytest.param(
        src("""\
            import os


            def home():
                return os.environ["HOME"]


            from huggingface_hub import snapshot_download

            path = snapshot_download(repo_id="org/full")
            """),
        f'import os\n\n\ndef home():\n    return os.environ["HOME"]\n\n\npath = "{M}"\n',
        ["10:W111"],
        id="snapshot-download-import-after-a-function",
    ),
    pytest.param(
        src("""\
            class Model:
                from huggingface_hub import snapshot_download

                path = snapshot_download(repo_id="org/full")
            """),
        f'class Model:\n    path = "{M}"\n',
        ["4:W111"],
        id="snapshot-download-import-first-in-a-class",
    ),
    pytest.param(
        src("""\
            import os

            from huggingface_hub import snapshot_download
            import httpx

            path = snapshot_download(repo_id="org/full")
            """),
        f'import os\n\nimport httpx\n\npath = "{M}"\n',
        ["6:W111"],
        id="snapshot-download-import-between-import-groups",
    ),
    pytest.param(
        'import httpx; from huggingface_hub import snapshot_download\npath = snapshot_download(repo_id="org/full")\n',
        f'import httpx\npath = "{M}"\n',
        ["2:W111"],
        id="snapshot-download-import-last-on-its-line",
    ),
    pytest.param(
        'import huggingface_hub\npath = huggingface_hub.snapshot_download("org/full", repo_type="model")\n',
        f'import huggingface_hub\npath = "{M}"\n',
        ["2:W111"],
        id="snapshot-download-module-attribute",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nf = hf_hub_download("org/full", "config.json", subfolder="text")\n',
        f'f = "{M}/text/config.json"\n',
        ["2:W111"],
        id="hf-hub-download-is-a-file-in-the-mount",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nf = hf_hub_download(repo_id="org/filtered", filename="config.json")\n',
        f'f = "{MF}/config.json"\n',
        ["2:W111"],
        id="hf-hub-download-of-a-kept-file",
    ),
    pytest.param(
        # the planned list is ["*.json", "**/*.json", "vocab.txt"]; huggingface_hub's `*.json` took it too
        'from huggingface_hub import hf_hub_download\nf = hf_hub_download("org/filtered", "config.json", subfolder="unet")\n',
        f'f = "{MF}/unet/config.json"\n',
        ["2:W111"],
        id="hf-hub-download-of-a-kept-file-in-a-folder",
    ),
    pytest.param(
        'from transformers import AutoModel, AutoTokenizer\n\nMODEL = "org/full"\n\n\n'
        "def load():\n    return AutoTokenizer.from_pretrained(MODEL), AutoModel.from_pretrained(MODEL)\n",
        f'from transformers import AutoModel, AutoTokenizer\n\nMODEL = "{M}"\n\n\n'
        "def load():\n    return AutoTokenizer.from_pretrained(MODEL), AutoModel.from_pretrained(MODEL)\n",
        ["3:W105"],
        id="constant-changed-once-when-every-use-is-a-loader",
    ),
    pytest.param(
        'from transformers import AutoTokenizer\n\nMODEL = "org/full"\nprint("loading", MODEL)\ntok = AutoTokenizer.from_pretrained(MODEL)\n',
        f'from transformers import AutoTokenizer\n\nMODEL = "org/full"\nprint("loading", MODEL)\ntok = AutoTokenizer.from_pretrained("{M}")\n',
        ["5:W105"],  # the printed name stays what it was
        id="constant-with-other-uses-stays-loader-site-moves",
    ),
    pytest.param(
        'def load(cfg):\n    return cfg["model_cache"][0].get("repo_id")\n',
        'def load(cfg):\n    return "org/full"\n',
        ["2:W106", "2:W115"],
        id="get-repo-id-returned-becomes-the-id",
    ),
    pytest.param(
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained(cfg["model_cache"][0].get("repo_id"))\n',
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained(cfg["weights"][0].get("mount_location"))\n',
        ["5:W106"],
        id="get-repo-id-at-a-loader-reads-the-mount-location",
    ),
    # A call that grows past the line limit (88 here) is split as `ruff format` splits it.
    pytest.param(
        src("""\
            from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline


            class Model:
                def load(self):
                    self.model = AutoModelForCausalLM.from_pretrained("org/full", device_map="auto")
                    self.tokenizer = AutoTokenizer.from_pretrained("org/full")  # the tokenizer
                    self.pipe = pipeline("text-generation", model="org/full", device_map="auto")
            """),
        src("""\
            from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline


            class Model:
                def load(self):
                    self.model = AutoModelForCausalLM.from_pretrained(
                        "/app/model_cache/org_full", device_map="auto"
                    )
                    self.tokenizer = AutoTokenizer.from_pretrained(
                        "/app/model_cache/org_full"
                    )  # the tokenizer
                    self.pipe = pipeline(
                        "text-generation", model="/app/model_cache/org_full", device_map="auto"
                    )
            """),
        ["6:W105", "7:W105", "8:W105"],
        id="loaders-in-a-method-past-the-limit",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModelForSequenceClassification

            MODEL = "org/full"


            def load():
                print("loading", MODEL)
                return AutoModelForSequenceClassification.from_pretrained(MODEL, num_labels=2)
            """),
        src("""\
            from transformers import AutoModelForSequenceClassification

            MODEL = "org/full"


            def load():
                print("loading", MODEL)
                return AutoModelForSequenceClassification.from_pretrained(
                    "/app/model_cache/org_full", num_labels=2
                )
            """),
        ["8:W105"],
        id="constant-at-a-loader-in-a-function-past-the-limit",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained(
                "org/full", revision="main", device_map="auto", trust_remote_code=True
            )
            """),
        src("""\
            from transformers import AutoModelForCausalLM

            model = AutoModelForCausalLM.from_pretrained(
                "/app/model_cache/org_full",
                revision="main",
                device_map="auto",
                trust_remote_code=True,
            )
            """),
        ["4:W105"],
        id="call-on-lines-of-its-own-past-the-limit",
    ),
]

NO_OPS = [
    pytest.param(
        'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("org/filtered")\n',
        ["2:W112"],
        id="loader-on-filtered-mount",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\nsnapshot_download(repo_id="org/full", local_dir="/app/data")\n',
        ["2:W113"],
        id="snapshot-download-local-dir",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\nsnapshot_download("org/filtered")\n',
        ["2:W113"],
        id="snapshot-download-of-filtered-mount",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\nsnapshot_download("org/full", allow_patterns=["*.json"])\n',
        ["2:W113"],
        id="snapshot-download-own-patterns",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nhf_hub_download("org/filtered", "merges.txt")\n',
        ["2:W113"],
        id="hf-hub-download-of-a-filtered-out-file",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nhf_hub_download("org/filtered", "vocab.txt", subfolder="tokenizer")\n',
        ["2:W113"],
        id="hf-hub-download-of-a-file-filtered-out-in-a-folder",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nhf_hub_download("org/full", name)\n',
        ["2:W113"],
        id="hf-hub-download-file-name-unknown",
    ),
    pytest.param(
        'from huggingface_hub import hf_hub_download\nhf_hub_download("org/full", "a.json", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)\n',
        ["2:W113"],
        id="hf-hub-download-more-positional-arguments-than-known",
    ),
    pytest.param('from huggingface_hub import HfApi\nHfApi().model_info("org/full")\n', ["2:W113"], id="hf-api-method"),
    pytest.param(
        'from huggingface_hub import snapshot_download\n\nREPO = "org/full"\nsnapshot_download(REPO)\n',
        ["4:W113"],
        id="snapshot-download-of-a-constant-used-nowhere-else",
    ),
    pytest.param('register("org/full")\n', ["1:W114"], id="not-a-loader"),
    pytest.param('print("org/full")\n', [], id="printed-loads-nothing"),
    pytest.param(
        'import logging\n\nlogger = logging.getLogger(__name__)\nlogger.info("loading %s", "org/full")\n'
        "logging.warning(f\"{'org/full'}\")\n",
        [],
        id="logged-loads-nothing",
    ),
    pytest.param('REPO = "org/full"\nprint(f"loading {REPO}")\n', [], id="constant-only-printed"),
    pytest.param('import warnings\nwarnings.warn("org/full is deprecated")\n', [], id="warned-about-loads-nothing"),
    pytest.param('from transformers import pipeline\np = pipeline("org/full")\n', ["2:W114"], id="pipeline-task-slot"),
    pytest.param(
        'from peft import PeftModel\nm = PeftModel.from_pretrained("org/full", adapter)\n',
        ["2:W114"],
        id="peft-first-is-the-base-model",
    ),
    pytest.param(
        'class Model:\n    def __init__(self):\n        self.repo_id = "org/full"\n', ["3:W115"], id="attribute"
    ),
    pytest.param('ENTRY = {"repo_id": "org/full"}\n', ["1:W115"], id="dict-value"),
    pytest.param(
        'from transformers import AutoModel\nAutoModel.from_pretrained("org/other")\n', [], id="not-a-legacy-id"
    ),
    pytest.param('def load(meta):\n    return meta["repo_id"]\n', [], id="model-metadata"),
    pytest.param(
        'def load(cfg):\n    return cfg["model_cache"][5].get("repo_id")\n', ["2:W108"], id="get-of-an-unknown-entry"
    ),
]


def _codes(outcome) -> list[str]:
    return sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics)


@pytest.mark.parametrize("source, expected, codes", REWRITES)
def test_rewrites(source, expected, codes):
    outcome = migrate_python(source, Context(truss=legacy()))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert _codes(outcome) == sorted(codes)
    again = migrate_python(expected, Context(truss=legacy()))
    assert again.status == "unchanged"


@pytest.mark.parametrize("source, codes", NO_OPS)
def test_no_ops(source, codes):
    outcome = migrate_python(source, Context(truss=legacy()))
    assert outcome.status == "unchanged", outcome.text
    assert _codes(outcome) == sorted(codes)


def test_trust_patterns_points_loaders_at_filtered_mounts():
    source = 'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("org/filtered")\n'
    outcome = migrate_python(source, Context(truss=legacy(), trust_patterns=True))
    assert outcome.text == f'from transformers import AutoTokenizer\ntok = AutoTokenizer.from_pretrained("{MF}")\n'
    assert _codes(outcome) == ["2:W105"]


def test_the_loader_table_is_in_the_readme():
    with open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    assert loader_table.table() in readme


# --- the real libraries: what the rewrites and reports claim at runtime -----------------

BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "weights"]


@pytest.fixture
def mount(tmp_path, monkeypatch):
    """A tiny mount root holding org/full as a whole repository would: config and tokenizer."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))  # an empty cache: nothing comes from it
    root = tmp_path / "mount"
    for name in ("org_full", "org_filtered", "org_full/text"):
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(
            json.dumps(
                {
                    "model_type": "bert",
                    "vocab_size": len(BERT_VOCAB),
                    "hidden_size": 8,
                    "num_hidden_layers": 1,
                    "num_attention_heads": 1,
                    "intermediate_size": 8,
                }
            )
        )
        (folder / "vocab.txt").write_text("\n".join(BERT_VOCAB) + "\n")
        (folder / "tokenizer_config.json").write_text(
            json.dumps({"tokenizer_class": "BertTokenizer", "do_lower_case": True})
        )
    return root


# Rewritten forms that load with transformers and no torch (tokenizers and configs).
LOADABLE = [
    pytest.param(
        'from transformers import AutoTokenizer\nresult = AutoTokenizer.from_pretrained("org/full")\n',
        id="auto-tokenizer",
    ),
    pytest.param(
        'from transformers import AutoConfig\nresult = AutoConfig.from_pretrained(pretrained_model_name_or_path="org/full")\n',
        id="auto-config-keyword",
    ),
    pytest.param(
        'from transformers import BertTokenizerFast\n\nMODEL = "org/full"\nresult = BertTokenizerFast.from_pretrained(MODEL)\n',
        id="constant",
    ),
    pytest.param(
        "from huggingface_hub import snapshot_download\nfrom transformers import AutoTokenizer\n"
        'result = AutoTokenizer.from_pretrained(snapshot_download("org/full"))\n',
        id="snapshot-folder",
    ),
    pytest.param(
        "import json\nfrom huggingface_hub import hf_hub_download\n"
        'result = json.load(open(hf_hub_download("org/full", "config.json", subfolder="text")))\n',
        id="hub-file",
    ),
    pytest.param(
        'from transformers import AutoTokenizer\nresult = AutoTokenizer.from_pretrained("org/filtered")\n',
        id="trusted-filtered",
    ),
]


@pytest.mark.slow  # its first row imports transformers (about a second), whichever row runs first
@pytest.mark.parametrize("source", LOADABLE)
def test_rewritten_loaders_load_from_the_mount(source, mount):
    context = Context(mount_root=str(mount))
    outcome = migrate_python(source, dataclasses.replace(context, truss=legacy(context), trust_patterns=True))
    assert outcome.status == "migrated", outcome.diagnostics
    assert str(mount) in outcome.text
    namespace: dict = {}
    exec(compile(outcome.text, "<migrated>", "exec"), namespace)
    assert _from_mount(namespace["result"])
    try:  # and the original could not have loaded these files offline
        exec(compile(source, "<original>", "exec"), namespace)
    except Exception:
        return
    assert not _from_mount(namespace["result"])


def _from_mount(result) -> bool:
    """The object was built from the mount's files (our vocabulary), not a default."""
    if isinstance(result, dict):
        return result["vocab_size"] == len(BERT_VOCAB)
    if hasattr(result, "get_vocab"):
        return set(result.get_vocab()) == set(BERT_VOCAB)
    return result.vocab_size == len(BERT_VOCAB)


REPORTED_HUB_CALLS = [
    pytest.param("snapshot_download", {"repo_id": M, "local_dir": "/tmp/x"}, id="snapshot-download"),
    pytest.param("hf_hub_download", {"repo_id": M, "filename": "merges.txt"}, id="hf-hub-download"),
    pytest.param("model_info", {"repo_id": M}, id="hf-api"),
]


@pytest.mark.parametrize("function, kwargs", REPORTED_HUB_CALLS)
def test_hub_apis_reject_a_local_path(function, kwargs, mount):
    """Why W113 leaves these calls: given the mount path instead of the id, each would raise."""
    import huggingface_hub
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    with pytest.raises(HFValidationError):
        validate_repo_id(kwargs["repo_id"])
    target = getattr(huggingface_hub, function, None) or getattr(huggingface_hub.HfApi(), function)
    with pytest.raises(HFValidationError):
        target(**kwargs)
