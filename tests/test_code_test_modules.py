"""Tests of the old API stay as they are (issue 20, item 5).

A test module (`test_*.py`, `*_test.py`, `conftest.py`, or any file under a folder named `tests`)
asserts the old behaviour: each rewrite it would get is reported as W122 at its place (naming the
code and the message it would have had), none is made, and where it loads a truss's entries does
not count for the truss (its `hub` sites are no pending work). `--include-tests` rewrites it as any
module. In any module, a construct whose object has its `model_cache` read later in the file stays
too (W123), with the entries that flow into it.

Tables of rows: files laid out in tmp_path and run through the pipeline as the CLI runs it (the
name decides), `(source, expected, codes)` rows for the later reads, and the CLI's exit code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import PROJECT, d, migrate_cli, write

from migrate.core.context import Context
from migrate.core.diagnostics import CODES
from migrate.core.outcome import FileResult
from migrate.python.codemods.held_tests import WHY
from migrate.python.edit import migrate as migrate_python
from migrate.run.pipeline import Options
from migrate.run.schedule import run


def codes(diagnostics) -> list[str]:
    """`LINE:CODE` of each diagnostic, a W122 as `LINE:W122(the code it holds back)`, sorted."""
    found = []
    for diagnostic in diagnostics:
        assert diagnostic.code in CODES
        if diagnostic.code == "W122":
            assert diagnostic.message.startswith(WHY + ": "), diagnostic.message
            held = diagnostic.message[len(WHY) + 2 :].split(" ", 1)[0]
            found.append(f"{diagnostic.line}:W122({held})")
        else:
            found.append(f"{diagnostic.line}:{diagnostic.code}")
    return sorted(found)


def run_tree(root: Path, files: dict[str, str], include_tests: bool = False) -> dict[str, FileResult]:
    """The files written below root and migrated in place as the CLI does (`weights-migrate .` in
    root): path as the run names it -> its result."""
    for name, text in files.items():
        write(root / name, text)
    here = os.getcwd()
    os.chdir(root)
    try:
        results = list(run(["."], Options(context=Context(include_tests=include_tests))))
    finally:
        os.chdir(here)
    return {os.path.normpath(result.path).replace(os.sep, "/"): result for result in results}


# --- which modules are tests: (path, the module's fate) --------------------------------------------

GENERATOR = d("""
    from truss.base.truss_config import ModelRepo, TrussConfig

    REPO = ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
    CONFIG = TrussConfig(model_cache=[REPO])
    """)
GENERATED = d("""
    from truss.base.truss_config import TrussConfig, WeightsSource

    REPO = WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")
    CONFIG = TrussConfig(weights=[REPO])
    """)
REWRITES = ["3:W101", "4:W104"]
HELD = ["3:W122(W101)", "4:W122(W104)"]

NAMES = [
    pytest.param("test_config.py", id="test_-prefix"),
    pytest.param("config_test.py", id="_test-suffix"),
    pytest.param("conftest.py", id="conftest"),
    pytest.param("tests/helpers.py", id="under-tests"),
    pytest.param("pkg/tests/unit/builders.py", id="deep-under-tests"),
    pytest.param("tests/test_config.py", id="test-name-under-tests"),
]

NOT_TESTS = [
    pytest.param("testing.py", id="testing"),
    pytest.param("attest.py", id="attest"),
    pytest.param("contest.py", id="contest"),
    pytest.param("latest_tests.py", id="tests-in-the-name"),
    pytest.param("my_tests/builders.py", id="a-folder-named-other-than-tests"),
    pytest.param("testsuite/builders.py", id="a-folder-starting-with-tests"),
]


@pytest.mark.parametrize("path", NAMES)
def test_a_test_module_is_left_each_rewrite_reported(tmp_path, path):
    result = run_tree(tmp_path, {path: GENERATOR})[path]
    assert result.status == "unchanged"
    assert (tmp_path / path).read_text() == GENERATOR
    assert codes(result.diagnostics) == HELD


@pytest.mark.parametrize("path", NAMES)
def test_include_tests_rewrites_a_test_module(tmp_path, path):
    result = run_tree(tmp_path, {path: GENERATOR}, include_tests=True)[path]
    assert result.status == "migrated"
    assert (tmp_path / path).read_text() == GENERATED
    assert codes(result.diagnostics) == REWRITES


@pytest.mark.parametrize("path", NOT_TESTS)
def test_a_module_not_named_as_a_test_is_rewritten(tmp_path, path):
    result = run_tree(tmp_path, {path: GENERATOR})[path]
    assert result.status == "migrated"
    assert (tmp_path / path).read_text() == GENERATED
    assert codes(result.diagnostics) == REWRITES


def test_the_report_says_what_would_be_done():
    outcome = migrate_python(GENERATOR, Context(test_module=True))
    assert outcome.status == "unchanged" and outcome.text is None
    assert [(d.line, d.col, d.code, d.message) for d in outcome.diagnostics] == [
        (3, 8, "W122", f"{WHY}: W101 ModelRepo(...) -> WeightsSource(...)"),
        (4, 10, "W122", f"{WHY}: W104 TrussConfig(model_cache=...) -> TrussConfig(weights=...)"),
    ]
    assert outcome.notices == frozenset()  # no W119: no seed-dialect Python was written


def test_a_python_fence_of_a_doc_under_tests_is_no_test_module(tmp_path):
    doc = f"# Config\n\n```python\n{GENERATOR}```\n"
    write(tmp_path / "tests" / "README.md", doc)
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        [result] = [r for r in run(["."], Options(docs=True)) if r.path.endswith("README.md")]
    finally:
        os.chdir(here)
    assert result.status == "migrated"
    assert (tmp_path / "tests" / "README.md").read_text() == f"# Config\n\n```python\n{GENERATED}```\n"


# --- a test module in a truss: its loaders and the truss's entries ----------------------------------
# (files, the test module, its codes; the text --include-tests makes of it, or None: the same)

LEGACY = "model_name: m\nmodel_cache:\n  - repo_id: org/m\n"
FILTERED = 'model_name: m\nmodel_cache:\n  - repo_id: org/m\n    allow_patterns: ["*.json"]\n'
LOADERS = d("""
    from huggingface_hub import snapshot_download
    from transformers import AutoModel


    def test_load(config):
        assert AutoModel.from_pretrained("org/m")
        assert snapshot_download("org/m")
        assert AutoModel.from_pretrained(config["model_cache"][0]["repo_id"])
    """)
LOADERS_MIGRATED = d("""
    from transformers import AutoModel


    def test_load(config):
        assert AutoModel.from_pretrained("/app/model_cache/org_m")
        assert "/app/model_cache/org_m"
        assert AutoModel.from_pretrained(config["weights"][0]["mount_location"])
    """)
META = "model_name: m\nmodel_metadata:\n  repo_id: org/m\nmodel_cache:\n  - repo_id: org/m\n"
SERVED = d("""
    import subprocess

    from transformers import AutoModel


    class Model:
        def __init__(self, **kwargs):
            self._config = kwargs["config"]

        def load(self):
            self.model = AutoModel.from_pretrained(self._config["model_metadata"]["repo_id"])
            subprocess.Popen(["vllm", "serve", "org/m", "--served-model-name", "m"])
    """)
SERVED_MIGRATED = d("""
    import subprocess

    from transformers import AutoModel


    class Model:
        def __init__(self, **kwargs):
            self._config = kwargs["config"]

        def load(self):
            self.model = AutoModel.from_pretrained(
                self._config["weights"][0]["mount_location"]
            )
            subprocess.Popen(
                ["vllm", "serve", "/app/model_cache/org_m", "--served-model-name", "m"]
            )
    """)
HUB_LOADERS = LOADERS.replace('    assert AutoModel.from_pretrained(config["model_cache"][0]["repo_id"])\n', "")
CHAIN = d("""
    import truss_chains as chains
    from transformers import AutoModel
    from truss.base import truss_config

    ASSETS = chains.Assets(cached=[truss_config.ModelRepo(repo_id="org/a", allow_patterns=["*.json"])])


    def test_chainlet():
        assert AutoModel.from_pretrained("org/a")
        register("org/a")
    """)
CHAIN_MIGRATED = d("""
    import truss_chains as chains
    from transformers import AutoModel
    from truss.base import truss_config

    ASSETS = chains.Assets(
        weights=[
            truss_config.WeightsSource(
                source="hf://org/a",
                mount_location="/app/model_cache/org_a",
                allow_patterns=["*.json", "**/*.json"],
            )
        ]
    )


    def test_chainlet():
        assert AutoModel.from_pretrained("org/a")
        register("org/a")
    """)
CHAIN_LOADER = CHAIN.replace(', allow_patterns=["*.json"]', "")
CHAIN_LOADER_MIGRATED = d("""
    import truss_chains as chains
    from transformers import AutoModel
    from truss.base import truss_config

    ASSETS = chains.Assets(
        weights=[
            truss_config.WeightsSource(
                source="hf://org/a", mount_location="/app/model_cache/org_a"
            )
        ]
    )


    def test_chainlet():
        assert AutoModel.from_pretrained("/app/model_cache/org_a")
        register("org/a")
    """)

IN_A_TRUSS = [
    pytest.param(
        {"m/config.yaml": LEGACY, "m/tests/test_model.py": LOADERS},
        ["6:W122(W105)", "7:W122(W111)", "8:W122(W106)"],
        LOADERS_MIGRATED,
        ["6:W105", "7:W111", "8:W106"],
        id="loader-hub-call-and-config-read-of-the-truss",
    ),
    pytest.param(
        {"m/config.yaml": META, "m/tests/test_model.py": SERVED},
        ["11:W122(W125)", "12:W122(W124)"],
        SERVED_MIGRATED,
        ["11:W125", "12:W124"],
        id="metadata-read-and-served-id-of-the-truss",
    ),
    pytest.param(
        {"m/config.yaml": FILTERED, "m/model/loader_test.py": HUB_LOADERS},
        ["6:W112", "7:W113"],  # about the truss's own entry: reported as in any module
        None,
        ["6:W112", "7:W113"],
        id="filtered-entry-of-the-truss-reported-as-anywhere",
    ),
    pytest.param(
        {"tests/test_chain.py": CHAIN},
        ["5:W122(W101)", "5:W122(W001)", "5:W122(W014)", "5:W122(W102)", "9:W122(W112)", "10:W122(W114)"],
        CHAIN_MIGRATED,
        ["5:W101", "5:W001", "5:W014", "5:W102", "9:W112", "10:W114"],
        id="pattern-list-and-what-rests-on-the-module's-own-entry",
    ),
    pytest.param(
        {"tests/test_chain.py": CHAIN_LOADER},
        ["5:W122(W101)", "5:W122(W001)", "5:W122(W102)", "9:W122(W105)", "10:W122(W114)"],
        CHAIN_LOADER_MIGRATED,
        ["5:W101", "5:W001", "5:W102", "9:W105", "10:W114"],
        id="loader-of-the-module's-own-entry",
    ),
]


@pytest.mark.parametrize("files, held, migrated, rewrites", IN_A_TRUSS)
def test_a_test_module_of_a_truss(tmp_path, files, held, migrated, rewrites):
    path = next(name for name in files if name.endswith(".py"))
    result = run_tree(tmp_path / "held", files)[path]
    assert result.status == "unchanged"
    assert (tmp_path / "held" / path).read_text() == files[path]
    assert codes(result.diagnostics) == sorted(held)
    assert result.sites == () and result.pending == 0  # a test does not run in the served model

    result = run_tree(tmp_path / "included", files, include_tests=True)[path]
    assert result.status == ("unchanged" if migrated is None else "migrated")
    assert (tmp_path / "included" / path).read_text() == (migrated or files[path])
    assert codes(result.diagnostics) == sorted(rewrites)


# --- W123: a construct whose object has its model_cache read later in the file: (source, codes) ------

TRUSS_CONFIG = 'TrussConfig(model_cache=[ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])'
IMPORTS = "from truss.base.truss_config import ModelCache, ModelRepo, TrussConfig\n\n\n"


def module(body: str) -> str:
    return IMPORTS + d(body).replace("CONSTRUCT", TRUSS_CONFIG)


READ_LATER = [
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.model_cache.models[0].repo_id == "org/a"
            """),
        ["4:W123", "5:W118"],
        id="attribute",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.to_dict()["model_cache"][0]["repo_id"] == "org/a"
            """),
        ["4:W123", "5:W108"],
        id="to_dict-subscript",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.to_dict(verbose=True)["model_cache"][0].get("revision") == ""
            """),
        ["4:W123", "5:W108"],
        id="to_dict-with-arguments",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.to_dict().get("model_cache")
            """),
        ["4:W123", "5:W108"],
        id="to_dict-get",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            data = config.to_dict()
            assert data["model_cache"]
            """),
        ["4:W123", "6:W108"],
        id="its-dict-through-a-name",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.model_dump()["model_cache"]
            """),
        ["4:W123", "5:W108"],
        id="model_dump",
    ),
    pytest.param(
        module("""
            config: TrussConfig = CONSTRUCT
            assert config.model_cache
            """),
        ["4:W123", "5:W118"],
        id="annotated-name",
    ),
    pytest.param(
        module("""
            assert CONSTRUCT.to_dict()["model_cache"]
            """),
        ["4:W123", "4:W108"],
        id="on-the-spot",
    ),
    pytest.param(
        module("""
            class Builder:
                def __init__(self):
                    self.config = CONSTRUCT

                def repos(self):
                    return self.config.model_cache
            """),
        ["6:W123", "9:W118"],
        id="attribute-of-self-read-in-another-method",
    ),
    pytest.param(
        module("""
            def test_revision():
                config = TrussConfig(
                    model_cache=ModelCache([ModelRepo(repo_id="org/a", revision="main", use_volume=False)])
                )
                assert config.to_dict()["model_cache"][0]["revision"] == "main"
            """),
        ["5:W123", "8:W108"],  # its ModelCache and ModelRepo stay with it, unreported
        id="model-cache-and-its-entry-stay-with-it",
    ),
    pytest.param(
        module("""
            REPO = ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")
            CONFIG = TrussConfig(model_cache=[REPO])
            print(CONFIG.model_cache)
            """),
        ["5:W123", "6:W118"],
        id="entry-through-a-name",
    ),
    pytest.param(
        d("""
            import truss_chains as chains
            from truss.base import truss_config

            assets = chains.Assets(cached=[truss_config.ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])
            spec = assets.get_spec()
            assert spec.cached[0].repo_id == "org/a"
            """),
        ["4:W123"],
        id="assets-spec",
    ),
]


@pytest.mark.parametrize("source, expected", READ_LATER)
def test_a_construct_whose_model_cache_is_read_later_is_left(source, expected):
    outcome = migrate_python(source, Context())
    assert outcome.status == "unchanged", outcome.text
    assert codes(outcome.diagnostics) == sorted(expected)


def test_the_read_is_named_with_its_lines():
    source = module("""
        config = CONSTRUCT
        assert config.model_cache
        assert config.to_dict()["model_cache"]
        """)
    [held] = [d for d in migrate_python(source, Context()).diagnostics if d.code == "W123"]
    assert held.message == (
        "TrussConfig(model_cache=...) left as it is: its model_cache is read at lines 5, 6, which would then find "
        "nothing; migrate both by hand"
    )


# (source, expected, codes): the object's model_cache is never read, or the read is of another object
NOT_READ = [
    pytest.param(
        module("""
            config = CONSTRUCT
            config.write_to_yaml_file("config.yaml")
            """),
        module("""
            config = TrussConfig(
                weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]
            )
            config.write_to_yaml_file("config.yaml")
            """),
        ["4:W101", "4:W104"],
        id="nothing-reads-it",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            assert config.to_dict()["python_version"] == "py311"
            """),
        module("""
            config = TrussConfig(
                weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]
            )
            assert config.to_dict()["python_version"] == "py311"
            """),
        ["4:W101", "4:W104"],
        id="another-key-read",
    ),
    pytest.param(
        module("""
            config = CONSTRUCT
            other = TrussConfig.from_yaml("config.yaml")
            assert other.model_cache
            """),
        module("""
            config = TrussConfig(
                weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]
            )
            other = TrussConfig.from_yaml("config.yaml")
            assert other.model_cache
            """),
        ["4:W101", "4:W104", "6:W118"],
        id="another-object-read",
    ),
    pytest.param(
        module("""
            def build():
                config = CONSTRUCT
                return config


            def read(config):
                return config.model_cache
            """),
        module("""
            def build():
                config = TrussConfig(
                    weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]
                )
                return config


            def read(config):
                return config.model_cache
            """),
        ["5:W101", "5:W104", "10:W118"],
        id="the-same-name-in-another-function",
    ),
    pytest.param(
        module("""
            class Builder:
                def __init__(self):
                    self.config = CONSTRUCT


            class Reader:
                def repos(self):
                    return self.config.model_cache
            """),
        module("""
            class Builder:
                def __init__(self):
                    self.config = TrussConfig(
                        weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]
                    )


            class Reader:
                def repos(self):
                    return self.config.model_cache
            """),
        ["6:W101", "6:W104", "11:W118"],  # the line limit: the module's longest line, as it had it
        id="the-same-attribute-in-another-class",
    ),
]


@pytest.mark.parametrize("source, expected, expected_codes", NOT_READ)
def test_a_construct_whose_model_cache_is_not_read_is_rewritten(source, expected, expected_codes):
    expected = expected.replace("ModelCache, ModelRepo, TrussConfig", "ModelCache, TrussConfig, WeightsSource")
    outcome = migrate_python(source, Context())
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert codes(outcome.diagnostics) == sorted(expected_codes)


# --- the CLI: a test module's sites are no pending work of its truss: (path of the loader, exit code) --

MOUNTED = d("""
    model_name: m
    weights:
      - source: hf://org/m
        mount_location: /app/model_cache/org_m
        allow_patterns: ["*.json"]
    """)
LOADER = 'from transformers import AutoModel\n\nMODEL = AutoModel.from_pretrained("org/m")\n'

CHECK = [
    pytest.param("m/model/loader.py", 1, id="truss-code-still-downloading-is-pending"),
    pytest.param("m/tests/test_model.py", 0, id="a-test-module-is-not"),
    pytest.param("m/model/model_test.py", 0, id="a-test-beside-the-model-is-not"),
]


@pytest.mark.parametrize("path, exit_code", CHECK)
def test_check_counts_no_site_of_a_test_module(tmp_path, path, exit_code):
    write(tmp_path / ".git" / "HEAD", "")
    write(tmp_path / "m" / "config.yaml", MOUNTED)
    write(tmp_path / path, LOADER)
    result = migrate_cli("--check", ".", cwd=tmp_path, env={"PYTHONPATH": str(PROJECT)})
    assert result.returncode == exit_code, result
    assert f"{path}:3:" in result.stderr and "W112" in result.stderr  # reported either way
    assert ("still downloaded at" in result.stderr) == (exit_code == 1), result
