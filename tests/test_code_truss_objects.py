"""Truss objects in Python (issue 9, classes 4 and 5).

A ModelRepo is rewritten only when it flows, directly or through a name used nowhere else, into
Assets(cached=[...]), ModelCache([...]) inside TrussConfig(model_cache=...), or
TrussConfig(model_cache=[...]); the container changes with it. Everything else is left and
reported (W116 ModelRepo, W117 container, W118 `.model_cache`). A chainlet that declares
hf_access_token gets the secret explicitly, as W006 does in YAML. Tables of (source, expected,
codes) and no-ops; with the oracle extra, truss 0.18.36 imports each rewritten module in the
truss dialect.
"""

from __future__ import annotations

import importlib
import sys
import textwrap

import pytest
from support import migrate_cli

from migrate.core.context import TRUSS, Context
from migrate.python.edit import migrate as migrate_python


def src(text: str) -> str:
    return textwrap.dedent(text)


REWRITES = [
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            REPOS = [truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")]
            ASSETS = chains.Assets(cached=REPOS)
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            REPOS = [
                truss_config.WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")
            ]
            ASSETS = chains.Assets(weights=REPOS)
            """),
        ["4:W101", "5:W102"],
        id="through-a-name-used-once",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
            CONFIG = truss_config.TrussConfig(model_cache=truss_config.ModelCache([REPO]))
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://org/a", mount_location="/app/model_cache/a"
            )
            CONFIG = truss_config.TrussConfig(weights=truss_config.Weights([REPO]))
            """),
        ["3:W101", "4:W103", "4:W104"],
        id="model-cache-inside-truss-config",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Phi(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        cached=[truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Phi(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        weights=[
                            truss_config.WeightsSource(
                                source="hf://org/a",
                                runtime_secret_name="hf_access_token",
                                mount_location="/app/model_cache/a",
                            )
                        ],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        ["7:W102", "8:W101", "8:W006"],
        id="chainlet-secret-made-explicit",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            CONFIG = truss_config.TrussConfig(
                secrets={"hf_access_token": None},
                model_cache=[truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")],
            )
            """),
        src("""\
            from truss.base import truss_config

            CONFIG = truss_config.TrussConfig(
                secrets={"hf_access_token": None},
                weights=[
                    truss_config.WeightsSource(
                        source="hf://org/a",
                        runtime_secret_name="hf_access_token",
                        mount_location="/app/model_cache/a",
                    )
                ],
            )
            """),
        ["3:W104", "5:W101", "5:W006"],
        id="truss-config-secret-made-explicit",
    ),
    # A call that grows past the line limit (88 here) is split as `ruff format` splits it.
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(repo_id="meta-llama/Llama-3.1-8B-Instruct")
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://meta-llama/Llama-3.1-8B-Instruct",
                mount_location="/app/model_cache/meta-llama_Llama-3.1-8B-Instruct",
            )
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "4:W104"],
        id="long-repo-id-past-the-limit",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(repo_id="meta-llama/Llama-3.1-8B")  # the base model
            CONFIG = truss_config.TrussConfig(model_cache=[REPO])
            """),
        src("""\
            from truss.base import truss_config

            REPO = truss_config.WeightsSource(
                source="hf://meta-llama/Llama-3.1-8B",
                mount_location="/app/model_cache/meta-llama_Llama-3.1-8B",
            )  # the base model
            CONFIG = truss_config.TrussConfig(weights=[REPO])
            """),
        ["3:W101", "3:W001", "4:W104"],
        id="trailing-comment-past-the-limit",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelRepo, TrussConfig


            def make_config():
                return TrussConfig(model_cache=[ModelRepo(repo_id="org/model")])
            """),
        src("""\
            from truss.base.truss_config import TrussConfig, WeightsSource


            def make_config():
                return TrussConfig(
                    weights=[
                        WeightsSource(
                            source="hf://org/model", mount_location="/app/model_cache/org_model"
                        )
                    ]
                )
            """),
        ["5:W104", "5:W101", "5:W001"],
        id="nested-in-a-function-past-the-limit",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            PHI = truss_config.ModelRepo(repo_id="org/phi-2", use_volume=True, volume_folder="phi")


            class Phi2(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(cached=[PHI], secret_keys=["hf_access_token"]),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            PHI = truss_config.WeightsSource(
                source="hf://org/phi-2",
                runtime_secret_name="hf_access_token",
                mount_location="/app/model_cache/phi",
            )


            class Phi2(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(weights=[PHI], secret_keys=["hf_access_token"]),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        ["4:W101", "4:W006", "9:W102"],
        id="secret-gained-past-the-limit",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Phi3(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        cached=[truss_config.ModelRepo(repo_id="microsoft/phi-2")],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        src("""\
            import truss_chains as chains
            from truss.base import truss_config


            class Phi3(chains.ChainletBase):
                remote_config = chains.RemoteConfig(
                    assets=chains.Assets(
                        weights=[
                            truss_config.WeightsSource(
                                source="hf://microsoft/phi-2",
                                mount_location="/app/model_cache/microsoft_phi-2",
                                runtime_secret_name="hf_access_token",
                            )
                        ],
                        secret_keys=["hf_access_token"],
                    ),
                )

                def run_remote(self, prompt: str) -> str:
                    return prompt
            """),
        ["7:W102", "8:W101", "8:W001", "8:W006"],
        id="argument-line-in-a-class-past-the-limit",
    ),
]

NO_OPS = [
    pytest.param(
        src("""\
            from truss.base import truss_config

            def configure(config, assets):
                config.model_cache = truss_config.ModelCache(assets.cached)
            """),
        ["4:W117", "4:W118"],
        id="model-cache-of-an-expression",
    ),
    pytest.param(
        src("""\
            from truss.base import truss_config

            register(truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a"))
            """),
        ["3:W116"],
        id="passed-to-another-function",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            REPO = truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
            ASSETS = chains.Assets(cached=[REPO])
            print(REPO.repo_id)
            """),
        ["4:W116", "5:W117"],
        id="name-used-twice",
    ),
    pytest.param(
        src("""\
            import truss_chains as chains
            from truss.base import truss_config

            ASSETS = chains.Assets(cached=BASE + [truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])
            """),
        ["4:W116", "4:W117"],
        id="list-expression",
    ),
    pytest.param(
        src("""\
            from truss.base.truss_config import ModelRepo

            def test_model_repo_defaults():
                repo = ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
                assert repo.runtime_secret_name == "hf_access_token"
            """),
        ["4:W116"],
        id="test-of-model-repo-itself",
    ),
    pytest.param(
        src("""\
            def read(config):
                return config.model_cache.models
            """),
        ["2:W118"],
        id="model-cache-attribute",
    ),
]


def _codes(outcome) -> list[str]:
    return sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics)


@pytest.mark.parametrize("source, expected, codes", REWRITES)
def test_rewrites(source, expected, codes):
    outcome = migrate_python(source, Context())
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert _codes(outcome) == sorted(codes)
    assert migrate_python(expected, Context()).status == "unchanged"


@pytest.mark.parametrize("source, codes", NO_OPS)
def test_no_ops(source, codes):
    outcome = migrate_python(source, Context())
    assert outcome.status == "unchanged", outcome.text
    assert _codes(outcome) == sorted(codes)


@pytest.mark.oracle
@pytest.mark.parametrize("source, expected, codes", REWRITES)
def test_truss_imports_the_truss_dialect_output(source, expected, codes, tmp_path, monkeypatch):
    """truss 0.18.36 (the oracle extra) imports every rewritten module of the table, truss dialect."""
    pytest.importorskip("truss")
    pytest.importorskip("truss_chains")
    outcome = migrate_python(source, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    module = tmp_path / "rewritten_module.py"
    module.write_text(outcome.text)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rewritten_module", raising=False)
    importlib.import_module("rewritten_module")


@pytest.mark.slow  # two CLI runs
def test_seed_python_warns_once_per_run(tmp_path):
    """Two rewritten chain modules, one W119 line; none in the truss dialect."""
    for name in ("a.py", "b.py"):
        (tmp_path / name).write_text(REWRITES[0].values[0])
    seed = migrate_cli("--check", tmp_path, cwd=tmp_path)
    truss = migrate_cli("--check", "--dialect", "truss", tmp_path, cwd=tmp_path)
    assert seed.stderr.count("W119") == 1, seed.stderr
    assert "--dialect truss" in seed.stderr
    assert "W119" not in truss.stderr


# --- class 7: generators build the start command next to the TrussConfig --------------

GENERATOR = """\
from truss.base.truss_config import ModelRepo, TrussConfig


def make(flags):
    return TrussConfig(
        model_cache=[ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")],
        docker_server=dict(start_command=COMMAND),
    )
"""
GENERATED = GENERATOR.replace(
    'ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")',
    'WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")',
)
GENERATED = GENERATED.replace("import ModelRepo, TrussConfig", "import TrussConfig, WeightsSource").replace(
    "model_cache=", "weights="
)
# The rewritten entry's line (91 characters) is split unless a longer line (the command's) sets the limit.
GENERATED_SPLIT = GENERATED.replace(
    '        weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")],\n',
    '        weights=[\n            WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")\n        ],\n',
)

START_COMMANDS = [
    pytest.param(
        '"truss-transfer-cli && vllm serve /app/model_cache/a"',
        '"vllm serve /app/model_cache/a"',
        ["5:W104", "6:W101", "7:W120"],
        GENERATED,
        id="plain-literal",
    ),
    pytest.param(
        """f'bash -c "truss-transfer-cli && tei --model-id /app/model_cache/a{flags}"'""",
        """f'bash -c "tei --model-id /app/model_cache/a{flags}"'""",
        ["5:W104", "6:W101", "7:W120"],
        GENERATED,
        id="f-string-as-in-the-corpus",
    ),
    pytest.param(
        'f"{flags} truss-transfer-cli && tei"',
        None,
        ["5:W104", "6:W101", "7:W121"],
        GENERATED_SPLIT,
        id="f-string-split-by-an-expression",
    ),
    pytest.param('"echo ready"', "", ["5:W104", "6:W101"], GENERATED_SPLIT, id="no-transfer-step"),
]


@pytest.mark.parametrize("command, expected, codes, generated", START_COMMANDS)
def test_generator_start_command(command, expected, codes, generated):
    source = GENERATOR.replace("COMMAND", command)
    outcome = migrate_python(source, Context())
    assert outcome.status == "migrated"
    assert outcome.text == generated.replace("COMMAND", expected if expected else command)
    assert _codes(outcome) == sorted(codes)


def test_trt_llm_config_keeps_its_transfer_step():
    source = GENERATOR.replace("COMMAND", '"truss-transfer-cli && serve"').replace(
        "docker_server=", "trt_llm=TRT, docker_server="
    )
    outcome = migrate_python(source, Context())
    assert 'start_command="truss-transfer-cli && serve"' in outcome.text
    assert _codes(outcome) == ["5:W104", "6:W101", "7:W121"]


def test_start_command_without_a_rewritten_truss_config_is_not_looked_at():
    source = 'COMMAND = "truss-transfer-cli && serve"\n'
    outcome = migrate_python(source, Context())
    assert outcome.status == "unchanged" and outcome.diagnostics == []
