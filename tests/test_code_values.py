"""Ids followed through the values that carry them: names assigned once (a module constant, a
function's local, `self.x` set once in `__init__`), reads of the truss's own config (which truss
passes to `Model(config=...)`), reads of the old block, and faster-whisper size names.

Each row: the module, what it becomes (None: unchanged), LINE:CODE of its diagnostics, and the
sites it leaves (LINE:loaded_from:CODE). A migrated module, surveyed again in the same truss
(now under `weights`), changes nothing and reports every site that still downloads with the code
it had: a site keeps one code for its whole life.
"""

from __future__ import annotations

from textwrap import dedent

import pytest
from support import truss_of

from migrate.core.context import Context
from migrate.core.entry import ConfigValue
from migrate.python import loader_table
from migrate.python.edit import migrate as migrate_python

FULL, FILTERED, WHISPER = "org/full", "org/filtered", "Systran/faster-whisper-large-v3"
M, MF, MW = (
    "/app/model_cache/org_full",
    "/app/model_cache/org_filtered",
    "/app/model_cache/Systran_faster-whisper-large-v3",
)
ENTRIES = truss_of({"repo_id": FULL}, {"repo_id": FILTERED, "allow_patterns": ["*.json"]}, {"repo_id": WHISPER})
METADATA = (
    ConfigValue(("model_metadata", "repo_id"), FULL),
    ConfigValue(("model_metadata", "filtered"), FILTERED),
    ConfigValue(("model_metadata", "model_id"), "large-v3"),
    ConfigValue(("model_metadata", "pretty_name"), "Full"),
)
TRUSS = Context(truss=ENTRIES, config_values=METADATA)


def src(text: str) -> str:
    return dedent(text)


MODEL = """\
from transformers import AutoModel


class Model:
    def __init__(self, **kwargs):
        self._config = kwargs["config"]

    def load(self):
"""

ROWS = [
    # --- names assigned once
    pytest.param(
        src("""\
            from transformers import AutoModel, AutoTokenizer


            def load():
                name = "org/full"
                return AutoModel.from_pretrained(name), AutoTokenizer.from_pretrained(name)
            """),
        src(f"""\
            from transformers import AutoModel, AutoTokenizer


            def load():
                name = "{M}"
                return AutoModel.from_pretrained(name), AutoTokenizer.from_pretrained(name)
            """),
        ["5:W105"],
        ["5:mount:W105"],
        id="local-every-use-loads-changed-once",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            def load():
                name = "org/full"
                register(name)
                return AutoModel.from_pretrained(name)
            """),
        src(f"""\
            from transformers import AutoModel


            def load():
                name = "org/full"
                register(name)
                return AutoModel.from_pretrained("{M}")
            """),
        ["6:W114", "7:W105"],
        ["6:hub:W114", "7:mount:W105"],
        id="local-with-another-use-the-loader-moves",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self.repo_id = "org/full"

                def load(self):
                    self.model = AutoModel.from_pretrained(self.repo_id)
            """),
        src(f"""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self.repo_id = "{M}"

                def load(self):
                    self.model = AutoModel.from_pretrained(self.repo_id)
            """),
        ["6:W105"],
        ["6:mount:W105"],
        id="attribute-set-once-in-init",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self.repo_id = "org/filtered"

                def load(self):
                    self.model = AutoModel.from_pretrained(self.repo_id)
            """),
        None,
        ["9:W112"],
        ["9:hub:W112"],
        id="attribute-of-a-filtered-mount",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self.repo_id = "org/full"

                def load(self):
                    self.repo_id = "org/full"
                    self.model = AutoModel.from_pretrained(self.repo_id)
            """),
        None,
        ["6:W115", "9:W115"],
        ["6:hub:W115", "9:hub:W115"],
        id="attribute-set-twice-is-no-holder",
    ),
    # --- reads of the truss's config
    pytest.param(
        MODEL + '        self.model = AutoModel.from_pretrained(self._config["model_metadata"]["repo_id"])\n',
        MODEL + "        self.model = AutoModel.from_pretrained(\n"
        '            self._config["weights"][0]["mount_location"]\n'
        "        )\n",
        ["9:W125"],
        ["9:mount:W125"],
        id="config-read-at-a-loader",
    ),
    pytest.param(
        MODEL + '        metadata = self._config["model_metadata"]\n'
        "        self.model = AutoModel.from_pretrained(metadata['repo_id'])\n",
        MODEL + '        metadata = self._config["model_metadata"]\n'
        "        self.model = AutoModel.from_pretrained(\n"
        "            self._config['weights'][0]['mount_location']\n"
        "        )\n",
        ["10:W125"],
        ["10:mount:W125"],
        id="config-read-through-a-local",
    ),
    pytest.param(
        MODEL + '        repo = self._config.get("model_metadata", {}).get("repo_id")\n'
        "        self.model = AutoModel.from_pretrained(repo)\n",
        MODEL + '        repo = self._config["weights"][0]["mount_location"]\n'
        "        self.model = AutoModel.from_pretrained(repo)\n",
        ["9:W125"],
        ["9:mount:W125"],
        id="get-chain-held-in-a-local-every-use-loads",
    ),
    pytest.param(
        src("""\
            from transformers import pipeline


            class Model:
                def __init__(self, config, **kwargs):
                    self._repo_id = config["model_metadata"]["repo_id"]

                def load(self):
                    self._pipe = pipeline("text-generation", model=self._repo_id)
            """),
        src("""\
            from transformers import pipeline


            class Model:
                def __init__(self, config, **kwargs):
                    self._repo_id = config["weights"][0]["mount_location"]

                def load(self):
                    self._pipe = pipeline("text-generation", model=self._repo_id)
            """),
        ["6:W125"],
        ["6:mount:W125"],
        id="config-parameter-held-in-an-attribute",
    ),
    pytest.param(
        src("""\
            from transformers import pipeline


            class Model:
                def __init__(self, **kwargs):
                    self._repo_id = kwargs["config"]["model_metadata"]["repo_id"]

                def load(self):
                    self._pipe = pipeline("text-generation", model=self._repo_id)

                def predict(self, request):
                    return {"model": self._repo_id}
            """),
        None,
        ["9:W126", "12:W115"],
        ["9:hub:W126", "12:hub:W115"],
        id="config-read-in-init-not-writable-in-load",
    ),
    pytest.param(
        MODEL + '        self.model = AutoModel.from_pretrained(self._config["model_metadata"]["filtered"])\n',
        None,
        ["9:W112"],
        ["9:hub:W112"],
        id="config-read-of-a-filtered-mount",
    ),
    pytest.param(
        MODEL + '        self.name = self._config["model_metadata"]["repo_id"]\n'
        "        return self.name.split('/')[-1]\n",
        None,
        ["9:W115"],  # an attribute set outside __init__ holds nothing followed: the read itself is the use
        ["9:hub:W115"],
        id="config-read-used-otherwise",
    ),
    pytest.param(
        src("""\
            from huggingface_hub import snapshot_download


            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    self.path = snapshot_download(self._config["model_metadata"]["repo_id"])
            """),
        src("""\
            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    self.path = self._config["weights"][0]["mount_location"]
            """),
        ["9:W111"],
        ["9:mount:W111"],
        id="snapshot-download-of-a-config-read",
    ),
    # --- faster-whisper size names
    pytest.param(
        'from faster_whisper import WhisperModel\n\nmodel = WhisperModel("large-v3", device="cuda")\n',
        f'from faster_whisper import WhisperModel\n\nmodel = WhisperModel("{MW}", device="cuda")\n',
        ["3:W105"],
        ["3:mount:W105"],
        id="whisper-size-name",
    ),
    pytest.param(
        src("""\
            from faster_whisper import WhisperModel


            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    self._model = WhisperModel(self._config["model_metadata"]["model_id"])
            """),
        src("""\
            from faster_whisper import WhisperModel


            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    self._model = WhisperModel(self._config["weights"][2]["mount_location"])
            """),
        ["9:W125"],
        ["9:mount:W125"],
        id="whisper-size-read-from-the-config",
    ),
    # --- pipeline without a task
    pytest.param(
        'from transformers import pipeline\n\np = pipeline(model="org/full")\n',
        None,
        ["3:W114"],
        ["3:hub:W114"],
        id="pipeline-without-a-task",
    ),
    pytest.param(
        'from transformers import pipeline\n\np = pipeline(task="fill-mask", model="org/full")\n',
        f'from transformers import pipeline\n\np = pipeline(task="fill-mask", model="{M}")\n',
        ["3:W105"],
        ["3:mount:W105"],
        id="pipeline-with-a-task-keyword",
    ),
    # --- reads of the old block
    pytest.param(
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained(cfg["model_cache"][1]["repo_id"])\n',
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained("org/filtered")\n',
        ["5:W106", "5:W112"],
        ["5:hub:W112"],
        id="block-read-at-a-loader-of-a-filtered-mount-becomes-the-id",
    ),
    pytest.param(
        'from huggingface_hub import snapshot_download\n\n\ndef load(cfg):\n    return snapshot_download(cfg["model_cache"][0]["repo_id"])\n',
        'def load(cfg):\n    return cfg["weights"][0]["mount_location"]\n',
        ["5:W111"],
        ["5:mount:W111"],
        id="block-read-in-snapshot-download-is-the-mount",
    ),
    pytest.param(
        src("""\
            from huggingface_hub import snapshot_download


            def load(cfg):
                return snapshot_download(cfg["model_cache"][0]["repo_id"], local_dir="/tmp/m")
            """),
        src("""\
            from huggingface_hub import snapshot_download


            def load(cfg):
                return snapshot_download("org/full", local_dir="/tmp/m")
            """),
        ["5:W106", "5:W113"],
        ["5:hub:W113"],
        id="block-read-in-a-hub-call-with-a-local-dir-becomes-the-id",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            def load(cfg):
                repo = cfg["model_cache"][0]["repo_id"]
                register(repo)
                return AutoModel.from_pretrained(repo)
            """),
        src(f"""\
            from transformers import AutoModel


            def load(cfg):
                repo = "org/full"
                register(repo)
                return AutoModel.from_pretrained("{M}")
            """),
        ["5:W106", "6:W114", "7:W105"],
        ["6:hub:W114", "7:mount:W105"],
        id="block-read-held-with-another-use-becomes-the-id",
    ),
    # a suppression answers a report, not where the truss loads: the rewritten site stays a mount site
    pytest.param(
        src("""\
            from transformers import AutoModel

            MODEL = "org/full"  # weights-migrate: ignore[W105]
            model = AutoModel.from_pretrained(MODEL)
            """),
        src(f"""\
            from transformers import AutoModel

            MODEL = "{M}"  # weights-migrate: ignore[W105]
            model = AutoModel.from_pretrained(MODEL)
            """),
        [],
        ["3:mount:W105"],
        id="suppressed-rewrite-still-loads-from-the-mount",
    ),
    pytest.param(  # the comment's line as Python counts it: a form feed (a page break) ends no line
        'from transformers import AutoModel\n\x0c\nmodel = AutoModel.from_pretrained("org/filtered")  # weights-migrate: ignore[W112]\n',
        None,
        [],
        [],
        id="suppression-after-a-form-feed",
    ),
    # W106 rewrites only X["model_cache"][i]["repo_id"] and X["model_cache"][i].get("repo_id"): any
    # other read of the block is left for review, and loads the entry from nowhere (no mount site,
    # no hub site that a later run, the config under weights, would no longer find)
    pytest.param(
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained(cfg.get("model_cache")[0].get("repo_id"))\n',
        None,
        ["5:W108"],
        [],
        id="block-read-through-get-is-left-for-review",
    ),
    pytest.param(
        'from transformers import AutoModel\n\n\ndef load(cfg):\n    return AutoModel.from_pretrained(cfg["model_cache"][1].get("repo_id", "org/x"))\n',
        None,
        ["5:W108"],
        [],
        id="block-read-with-a-default-is-left-for-review",
    ),
]

# Nothing to rewrite: the id is not one the truss mounts, or not followed there.
NO_OPS = [
    pytest.param(
        src("""\
            from transformers import AutoModel


            class Engine:
                def __init__(self, config):
                    self.model = AutoModel.from_pretrained(config["model_metadata"]["repo_id"])
            """),
        [],
        id="config-of-another-class-is-not-the-truss-config",
    ),
    pytest.param(
        MODEL + '        self.model = AutoModel.from_pretrained(self._config["model_metadata"]["pretty_name"])\n',
        [],
        id="config-read-of-no-id",
    ),
    pytest.param('import whisper\n\nmodel = whisper.load_model("large-v3")\n', [], id="size-name-elsewhere"),
    pytest.param('print("large-v3")\nSIZE = "large-v3"\n', [], id="size-name-not-at-whisper"),
    pytest.param(
        'from transformers import AutoModel\n\n\ndef load(name="org/full"):\n    return AutoModel.from_pretrained(name)\n',
        ["4:W115"],
        id="a-default-is-no-holder",
    ),
    pytest.param(
        MODEL + '        print("loading", self._config["model_metadata"]["repo_id"])\n',
        [],
        id="config-read-only-printed",
    ),
]


def _sites(outcome) -> list[str]:
    return sorted(f"{s.line}:{s.loaded_from}:{s.code}" for s in outcome.sites)


def _codes(outcome) -> list[str]:
    return sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics)


@pytest.mark.parametrize("source, expected, codes, sites", ROWS)
def test_followed(source, expected, codes, sites):
    outcome = migrate_python(source, TRUSS)
    if expected is None:
        assert outcome.status == "unchanged", outcome.text
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected
    assert _codes(outcome) == sorted(codes)
    assert _sites(outcome) == sorted(sites)


@pytest.mark.parametrize("source, expected, codes, sites", ROWS)
def test_a_later_run_keeps_each_site_and_its_code(source, expected, codes, sites):
    """The migrated module in its truss now under `weights`: nothing changes, every hub site stays with its code."""
    after = migrate_python(expected or source, TRUSS)
    assert after.status == "unchanged", after.text
    hub = sorted(s for s in sites if ":hub:" in s)
    assert [s for s in _sites(after) if ":hub:" in s] == hub
    assert len(_sites(after)) == len(sites)


@pytest.mark.parametrize("source, codes", NO_OPS)
def test_not_followed(source, codes):
    outcome = migrate_python(source, TRUSS)
    assert outcome.status == "unchanged", outcome.text
    assert _codes(outcome) == codes


def test_the_size_table_is_faster_whispers():
    """The copy in the loader table is the installed faster-whisper's own, read from its source
    (importing faster_whisper would load CTranslate2)."""
    import ast
    from importlib import metadata

    distribution = metadata.distribution("faster-whisper")
    assert distribution.version == loader_table.WHISPER_VERSION
    utils = next(f for f in distribution.files or () if str(f) == "faster_whisper/utils.py")
    tree = ast.parse(utils.read_text())
    table = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "_MODELS" for t in node.targets)
    )
    assert ast.literal_eval(table) == loader_table.WHISPER_SIZES
