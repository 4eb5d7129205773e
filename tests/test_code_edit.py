"""code_edit.py and the Python pass of runner.py: ModelRepo / ModelCache / Assets / TrussConfig
constructs and the code that loads weights move with the config (SPEC "Python code (libcst)",
README "Python code").

Most tests are before/after tables: pytest.param(source, expected source, expected diagnostics, id=...). An
expected source of None means "left exactly as it is" (status 'unchanged'). Diagnostics are
written "LINE:CODE" and compared as a multiset, so each rewrite must be reported, at its line,
exactly once.

Every migrated row is also checked for what the issue promises beyond the text:
- the result compiles;
- a second run over it changes nothing and reports no rewrite (W101-W106);
- the result runs against stub `truss` / `truss_chains` / `transformers` modules without a
  NameError, and every name imported from truss modules is used (no unused import left by the
  rewrite, none missing).
"""

from __future__ import annotations

import ast
import sys
import textwrap
import types

import pytest
from support import truss_of

from migrate.core.context import Context
from migrate.python.edit import migrate as migrate_python


def src(text: str) -> str:
    return textwrap.dedent(text)


WHISPER = "openai/whisper-large-v3"
WHISPER_MOUNT = "/app/model_cache/openai_whisper-large-v3"
# The legacy entry of a truss's config.yaml (use_volume absent): the truss the runner passes in the context.
LEGACY_WHISPER = Context(truss=truss_of({"repo_id": WHISPER}))
# index 0 legacy HF, index 1 on a volume: only index 0 loads from a new place.
LEGACY_AND_VOLUME = Context(
    truss=truss_of({"repo_id": WHISPER}, {"repo_id": "org/vol", "use_volume": True, "volume_folder": "vol"})
)
# --mount-root /models, and a volume entry at /app/model_cache/v before: its paths move to /models/v.
MOVES = Context(
    mount_root="/models",
    truss=truss_of({"repo_id": "org/v", "use_volume": True, "volume_folder": "v"}, context=Context("/models")),
)


# --- the before/after table ---------------------------------------------------------

ROWS = [
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Llama(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        cached=[
                            # 8B weights on a volume, pinned
                            truss_config.ModelRepo(
                                repo_id="meta-llama/Llama-3.1-8B-Instruct",
                                revision="main",
                                use_volume=True,
                                volume_folder="llama",
                            ),
                        ],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Llama(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        weights=[
                            # 8B weights on a volume, pinned
                            truss_config.WeightsSource(
                                source="hf://meta-llama/Llama-3.1-8B-Instruct",
                                runtime_secret_name="hf_access_token",
                                revision="main",
                                mount_location="/app/model_cache/llama",
                            ),
                        ],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        ["7:W102", "10:W101", "10:W006"],
        id="chainlet-volume-comment-in-cached-list",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config
            from transformers import AutoModel

            MODEL_ID = "openai/whisper-large-v3"


            class Whisper(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        cached=[
                            truss_config.ModelRepo(
                                repo_id=MODEL_ID,
                                allow_patterns=["*.json", "*.safetensors"],
                            )
                        ],
                    ),
                )

                def __init__(self):
                    self._model = AutoModel.from_pretrained(MODEL_ID)
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config
            from transformers import AutoModel

            MODEL_ID = "openai/whisper-large-v3"


            class Whisper(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        weights=[
                            truss_config.WeightsSource(
                                source=f"hf://{MODEL_ID}",
                                mount_location="/app/model_cache/openai_whisper-large-v3",
                                allow_patterns=[
                                    "*.json",
                                    "**/*.json",
                                    "*.safetensors",
                                    "**/*.safetensors",
                                ],
                            )
                        ],
                    ),
                )

                def __init__(self):
                    self._model = AutoModel.from_pretrained(MODEL_ID)
            """),
        ["10:W102", "12:W101", "12:W001", "12:W014", "21:W112"],
        id="legacy-chainlet-constant-in-modelrepo-and-from-pretrained",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelCache, ModelRepo, TrussConfig

            CONFIG = TrussConfig(
                model_name="llama",
                model_cache=ModelCache(
                    [
                        ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a"),
                        ModelRepo(repo_id="org/b", revision="v2", use_volume=True, volume_folder="b"),
                    ]
                ),
            )
            """),
        src("""\
            from truss.base.truss_config import TrussConfig, Weights, WeightsSource

            CONFIG = TrussConfig(
                model_name="llama",
                weights=Weights(
                    [
                        WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a"),
                        WeightsSource(
                            source="hf://org/b", revision="v2", mount_location="/app/model_cache/b"
                        ),
                    ]
                ),
            )
            """),
        ["3:W104", "5:W103", "7:W101", "8:W101"],
        id="generator-from-imports-become-weights-weightssource",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelCache, ModelRepo, ModelRepoSourceKind, TrussConfig

            KIND = ModelRepoSourceKind.HF
            REPO = ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
            CONFIG = TrussConfig(model_cache=ModelCache([REPO]))
            """),
        src("""\
            from truss.base.truss_config import (
                ModelRepoSourceKind,
                TrussConfig,
                Weights,
                WeightsSource,
            )

            KIND = ModelRepoSourceKind.HF
            REPO = WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")
            CONFIG = TrussConfig(weights=Weights([REPO]))
            """),
        ["4:W101", "5:W103", "5:W104"],
        id="import-past-the-limit",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelRepo as MR

            REPOS = [MR(repo_id="org/a", use_volume=True, volume_folder="a")]
            """),
        None,
        ["3:W116"],
        id="aliased-import",
    ),
    pytest.param(
        src("""\
            import truss.base.truss_config
            from truss.base import truss_config as tc

            A = tc.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
            B = truss.base.truss_config.ModelRepo(repo_id="org/b", use_volume=True, volume_folder="b")
            CONFIG = tc.TrussConfig(model_cache=[A, B])
            """),
        src("""\
            import truss.base.truss_config
            from truss.base import truss_config as tc

            A = tc.WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")
            B = truss.base.truss_config.WeightsSource(
                source="hf://org/b", mount_location="/app/model_cache/b"
            )
            CONFIG = tc.TrussConfig(weights=[A, B])
            """),
        ["4:W101", "5:W101", "6:W104"],
        id="module-alias-and-dotted-module-need-no-import",
    ),
    pytest.param(
        src("""\
            import os

            from truss.base.truss_config import ModelRepo

            REPO = ModelRepo(repo_id=os.environ["X"], use_volume=False)
            """),
        None,
        ["5:W107"],
        id="env-repo-id-legacy-is-unresolvable",
    ),
    pytest.param(
        src("""\
            import os

            from truss.base.truss_config import ModelRepo, TrussConfig

            REPO = ModelRepo(repo_id=os.environ["X"], use_volume=True, volume_folder="v")
            CONFIG = TrussConfig(model_cache=[REPO])
            """),
        src("""\
            import os

            from truss.base.truss_config import TrussConfig, WeightsSource

            REPO = WeightsSource(
                source=f'hf://{os.environ["X"]}', mount_location="/app/model_cache/v"
            )
            CONFIG = TrussConfig(weights=[REPO])
            """),
        ["5:W101", "6:W104"],
        id="env-repo-id-on-a-volume-becomes-source-expression",
    ),
    pytest.param(
        src("""\
            import os

            from truss.base.truss_config import ModelCache, ModelRepo, TrussConfig

            CONFIG = TrussConfig(
                model_cache=ModelCache([
                    ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a"),
                    ModelRepo(repo_id=os.environ["X"]),
                ]),
            )
            """),
        None,
        ["7:W107", "8:W107"],
        id="one-unresolvable-entry-keeps-list-and-container",
    ),
    pytest.param(
        src("""\
            import os

            import truss_chains as chains
            from truss.base import truss_config

            ASSETS = chains.Assets(
                cached=[
                    truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a"),
                    truss_config.ModelRepo(repo_id="org/b", use_volume=True, volume_folder=os.environ["F"]),
                ],
            )
            """),
        None,
        ["8:W107", "9:W107"],
        id="one-unresolvable-entry-keeps-cached-list",
    ),
    pytest.param(
        # README: "the other entries of its list stay too, so a list never mixes old and new"
        src("""\
            import os

            from truss.base.truss_config import ModelRepo

            REPOS = [
                ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a"),
                ModelRepo(repo_id=os.environ["X"]),
            ]
            """),
        None,
        ["6:W116", "7:W107"],
        id="one-unresolvable-entry-keeps-plain-list",
    ),
    pytest.param(
        src("""\
            # weights used to come from model_cache; see config.yaml
            import os


            def home() -> str:
                return os.environ.get("HOME", "/")  # not model_cache related
            """),
        None,
        [],
        id="model-cache-only-in-a-comment",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="my-bucket/models/llama",
                kind="s3",
                use_volume=True,
                volume_folder="llama",
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="s3://my-bucket/models/llama",
                mount_location="/app/model_cache/llama",
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "9:W104"],
        id="s3-bare-bucket-path-gets-scheme",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="my-bucket/llama",
                kind=truss_config.ModelRepoSourceKind.GCS,
                revision="ignored",
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="gs://my-bucket/llama",
                mount_location="/app/model_cache/my-bucket/llama",
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W003", "3:W001", "8:W104"],
        id="gcs-kind-enum-legacy",
    ),
    pytest.param(
        # the kind enum imported by name is no longer used once `kind` is dropped
        src("""\
            from truss.base.truss_config import ModelRepo, ModelRepoSourceKind, TrussConfig

            REPO = ModelRepo(repo_id="b/p", kind=ModelRepoSourceKind.S3, use_volume=True, volume_folder="w")
            CONFIG = TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base.truss_config import TrussConfig, WeightsSource

            REPO = WeightsSource(source="s3://b/p", mount_location="/app/model_cache/w")
            CONFIG = TrussConfig(weights=[REPO])
            """),
        ["3:W101", "4:W104"],
        id="kind-enum-from-import-is-dropped-with-kind",
    ),
    pytest.param(
        # the issue: a parameter is unresolvable. A module constant of the same name is not it.
        src("""\
            from truss.base.truss_config import ModelRepo

            bucket = "default-bucket/models"


            def make_repo(bucket):
                return ModelRepo(repo_id=bucket, kind="s3", use_volume=True, volume_folder="w")
            """),
        None,
        ["7:W107"],
        id="parameter-shadowing-a-module-constant-is-unresolvable",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelRepo

            REPO = ModelRepo("org/a")
            """),
        None,
        ["3:W107"],
        id="positional-argument-is-unresolvable",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelRepo

            REPO = ModelRepo(repo_id="b/p", kind="gs", use_volume=True, volume_folder="w")
            """),
        None,
        ["3:W110"],
        id="rule-violation-is-w110",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="org/a",
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://org/a",
                mount_location="/app/model_cache/org_a",
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "6:W104"],
        id="legacy-entry-last-argument-multiline",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(
                repo_id="org/a",  # the base model
                allow_patterns=["*.safetensors"],
            )
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://org/a",  # the base model
                mount_location="/app/model_cache/org_a",
                allow_patterns=["*.safetensors", "**/*.safetensors"],
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "3:W014", "7:W104"],
        id="legacy-entry-comment-on-repo-id-kept-once",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    path = self._config["model_cache"][0]["repo_id"]
                    self._model = AutoModel.from_pretrained(path)
            """),
        src("""\
            from transformers import AutoModel


            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    path = self._config["weights"][0]["mount_location"]
                    self._model = AutoModel.from_pretrained(path)
            """),
        ["9:W106"],
        id="config-subscript-of-legacy-entry",
    ),
    pytest.param(
        src("""\
            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    return self._config["model_cache"][1]["repo_id"]
            """),
        None,
        ["6:W108"],
        id="config-subscript-of-volume-entry-is-only-reported",
    ),
    pytest.param(
        src("""\
            from transformers import AutoModel, pipeline

            MODEL_ID = "openai/whisper-large-v3"


            class Model:
                def load(self):
                    self._pipe = pipeline("automatic-speech-recognition", model="openai/whisper-large-v3")
                    self._model = AutoModel.from_pretrained(MODEL_ID)
                    print("loading", "org/vol")
            """),
        src("""\
            from transformers import AutoModel, pipeline

            MODEL_ID = "/app/model_cache/openai_whisper-large-v3"


            class Model:
                def load(self):
                    self._pipe = pipeline(
                        "automatic-speech-recognition", model="/app/model_cache/openai_whisper-large-v3"
                    )
                    self._model = AutoModel.from_pretrained(MODEL_ID)
                    print("loading", "org/vol")
            """),
        ["3:W105", "8:W105"],
        id="legacy-repo-id-passed-to-calls-from-config",
    ),
    pytest.param(
        src("""\
            from transformers import pipeline


            class Model:
                def load(self):
                    self.asr = pipeline("asr", model="openai/whisper-large-v3", device=0)  # GPU 0
            """),
        src("""\
            from transformers import pipeline


            class Model:
                def load(self):
                    self.asr = pipeline(
                        "asr", model="/app/model_cache/openai_whisper-large-v3", device=0
                    )  # GPU 0
            """),
        ["6:W105"],
        id="loader-with-a-comment-past-the-limit",
    ),
    pytest.param(
        src("""\
            class Model:
                def __init__(self, **kwargs):
                    self._config = kwargs["config"]

                def load(self):
                    entries = self._config.get("model_cache") or []
                    return entries
            """),
        None,
        ["6:W108"],
        id="get-model-cache-is-w108",
    ),
    pytest.param(
        src("""\
            import os

            TOKENIZER = "/app/model_cache/v/tokenizer"
            OTHER = "/app/model_cache/vv/tokenizer"
            WEIGHTS = os.path.join('/app/model_cache/v', "model.safetensors")
            """),
        src("""\
            import os

            TOKENIZER = "/models/v/tokenizer"
            OTHER = "/app/model_cache/vv/tokenizer"
            WEIGHTS = os.path.join('/models/v', "model.safetensors")
            """),
        ["3:W008", "5:W008"],
        id="moves-under-old-mount-root",
    ),
    pytest.param(
        # an f-string is a (formatted) string literal: its path moves like any other
        src("""\
            NAME = "tokenizer"
            TOKENIZER = f"/app/model_cache/v/{NAME}"
            """),
        src("""\
            NAME = "tokenizer"
            TOKENIZER = f"/models/v/{NAME}"
            """),
        ["2:W008"],
        id="moves-in-an-f-string",
    ),
]

# The context the runner would pass, for the rows that belong to a migrated truss.
CONTEXTS = {
    "config-subscript-of-legacy-entry": LEGACY_WHISPER,
    "config-subscript-of-volume-entry-is-only-reported": LEGACY_AND_VOLUME,
    "legacy-repo-id-passed-to-calls-from-config": LEGACY_AND_VOLUME,
    "loader-with-a-comment-past-the-limit": LEGACY_WHISPER,
    "moves-under-old-mount-root": MOVES,
    "moves-in-an-f-string": MOVES,
}


def _codes(outcome) -> list[str]:
    return sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics)


@pytest.mark.parametrize("source, expected, codes", ROWS)
def test_before_after(source, expected, codes, request):
    outcome = migrate_python(source, CONTEXTS.get(request.node.callspec.id, Context()))
    if expected is None:
        assert outcome.status == "unchanged", outcome.text
        assert outcome.text in (None, source)
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected
    assert _codes(outcome) == sorted(codes)


# --- what every migrated row must also satisfy ---------------------------------------

MIGRATED_ROWS = [pytest.param(row.id, row.values[1], id=row.id) for row in ROWS if row.values[1] is not None]
REWRITE_CODES = {"W101", "W102", "W103", "W104", "W105", "W106"}
TRUSS_NAMES = {
    "ModelRepo",
    "ModelCache",
    "WeightsSource",
    "Weights",
    "TrussConfig",
    "ModelRepoSourceKind",
    "Assets",
    "ChainletBase",
    "RemoteConfig",
}


def _migrated(row_id: str) -> tuple[str, Context]:
    source = next(row.values[0] for row in ROWS if row.id == row_id)
    context = CONTEXTS.get(row_id, Context())
    outcome = migrate_python(source, context)
    assert outcome.status == "migrated", outcome.diagnostics
    return outcome.text, context


@pytest.mark.parametrize("row_id, expected", MIGRATED_ROWS)
def test_migrated_output_compiles(row_id, expected):
    text, _ = _migrated(row_id)
    compile(text, row_id, "exec")


@pytest.mark.parametrize("row_id, expected", MIGRATED_ROWS)
def test_second_run_changes_nothing(row_id, expected):
    text, context = _migrated(row_id)
    again = migrate_python(text, context)
    assert again.status == "unchanged", again.text
    assert not {d.code for d in again.diagnostics} & REWRITE_CODES, again.diagnostics


class _Recorder:
    """A stand-in for a truss class: keeps what it was built with."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs


def _stub_modules() -> dict[str, types.ModuleType]:
    truss = types.ModuleType("truss")
    base = types.ModuleType("truss.base")
    config = types.ModuleType("truss.base.truss_config")
    for name in ("ModelRepo", "ModelCache", "WeightsSource", "Weights", "TrussConfig"):
        setattr(config, name, type(name, (_Recorder,), {}))
    config.ModelRepoSourceKind = type(
        "ModelRepoSourceKind", (), {"HF": "hf", "S3": "s3", "GCS": "gcs", "AZURE": "azure"}
    )
    truss.base, base.truss_config = base, config
    chains = types.ModuleType("truss_chains")
    chains.Assets = type("Assets", (_Recorder,), {})
    chains.RemoteConfig = type("RemoteConfig", (_Recorder,), {})
    chains.ChainletBase = type("ChainletBase", (), {})
    transformers = types.ModuleType("transformers")
    transformers.AutoModel = type("AutoModel", (), {"from_pretrained": staticmethod(lambda *a, **k: (a, k))})
    transformers.pipeline = lambda *a, **k: (a, k)
    return {
        "truss": truss,
        "truss.base": base,
        "truss.base.truss_config": config,
        "truss_chains": chains,
        "transformers": transformers,
    }


def _truss_imports(tree: ast.Module) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("truss", "truss_chains"):
            names += [alias.asname or alias.name for alias in node.names]
    return names


def _used_names(tree: ast.Module) -> set[str]:
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    return used


def _bound_names(tree: ast.Module) -> set[str]:
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound


@pytest.mark.parametrize("row_id, expected", MIGRATED_ROWS)
def test_imports_after_rewrite(row_id, expected, monkeypatch):
    """No NameError when run, no truss import left unused, no truss name used without import."""
    text, _ = _migrated(row_id)
    for name, module in _stub_modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setenv("X", "org/from-env")
    monkeypatch.setenv("F", "folder")
    exec(compile(text, row_id, "exec"), {"__name__": f"migrated_{row_id}"})

    tree = ast.parse(text)
    imported = _truss_imports(tree)
    assert len(imported) == len(set(imported)), f"a name imported twice: {imported}"
    used = _used_names(tree)
    unused = [name for name in imported if name not in used]
    assert not unused, f"unused after the rewrite: {unused}"
    bare = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in TRUSS_NAMES}
    missing = bare - _bound_names(tree)
    assert not missing, f"used without an import: {missing}"


def test_rewritten_chainlet_builds_the_planned_weights(monkeypatch):
    """The stub records what WeightsSource gets: the planned seed entry."""
    text, _ = _migrated("chainlet-volume-comment-in-cached-list")
    stubs = _stub_modules()
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace = {"__name__": "chainlet"}
    exec(compile(text, "chainlet", "exec"), namespace)
    assets = namespace["Llama"].remote_config.kwargs["assets"]
    assert set(assets.kwargs) == {"weights", "secret_keys"}
    (source,) = assets.kwargs["weights"]
    assert type(source).__name__ == "WeightsSource"
    assert source.kwargs == {
        "source": "hf://meta-llama/Llama-3.1-8B-Instruct",
        "runtime_secret_name": "hf_access_token",  # the chainlet declares it: it was used implicitly
        "revision": "main",
        "mount_location": "/app/model_cache/llama",
    }
