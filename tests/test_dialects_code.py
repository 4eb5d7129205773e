"""The two target dialects side by side: `migrate.python.edit.migrate` in the truss dialect, the
result run against the real truss (README "The truss dialect", SPEC "Truss dialect").
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import yaml
from support import d

from migrate.config import schema
from migrate.core.context import SEED, TRUSS, Context
from migrate.python import edit as python_edit

if importlib.util.find_spec("truss") is None:  # the oracle extra (truss==0.18.36)
    pytest.skip("truss is not installed: pip install -e '.[oracle]'", allow_module_level=True)

from truss.base.truss_config import Weights, WeightsSource


def load(text: str) -> dict:
    return yaml.safe_load(text)  # as truss reads it


def codes(diagnostics) -> list[str]:
    return sorted(d.code for d in diagnostics)


# 5. code_edit, truss dialect
# =====================================================================================


def import_file(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(path.stem, None)
    return module


def crow(id_, before, after, expected):
    return pytest.param(d(before), d(after), expected, id=id_)


CODE = [
    crow(
        "literals-revision-and-secret",
        """
        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [
            ModelRepo(repo_id="org/x", revision="v1", use_volume=True, volume_folder="x", runtime_secret_name="tok"),
            ModelRepo(repo_id="bucket/p", kind="s3", use_volume=True, volume_folder="p"),
        ]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [
            WeightsSource(source="hf://org/x@v1", mount_location="/app/model_cache/x", auth_secret_name="tok"),
            WeightsSource(source="s3://bucket/p", mount_location="/app/model_cache/p"),
        ]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/x@v1", "/app/model_cache/x", "tok"), ("s3://bucket/p", "/app/model_cache/p", None)],
    ),
    crow(
        "expression-with-double-quotes",
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ["REPO"], revision="main", use_volume=True, volume_folder="m")]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [
            WeightsSource(source=f'hf://{os.environ["REPO"]}@main', mount_location="/app/model_cache/m")
        ]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env@main", "/app/model_cache/m", None)],
    ),
    crow(
        "expression-with-single-quotes",
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ['REPO'], revision='main', use_volume=True, volume_folder='m')]
        CONFIG = TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base.truss_config import TrussConfig, WeightsSource

        REPOS = [
            WeightsSource(source=f"hf://{os.environ['REPO']}@main", mount_location='/app/model_cache/m')
        ]
        CONFIG = TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env@main", "/app/model_cache/m", None)],
    ),
    crow(
        "expression-module-form-no-revision",
        """
        import os

        from truss.base import truss_config

        REPOS = [
            truss_config.ModelRepo(
                repo_id=os.getenv("REPO", "org/default"),
                use_volume=True,
                volume_folder="m",
                runtime_secret_name="hf_access_token",
            ),
        ]
        CONFIG = truss_config.TrussConfig(model_cache=REPOS)
        """,
        """
        import os

        from truss.base import truss_config

        REPOS = [
            truss_config.WeightsSource(
                source=f'hf://{os.getenv("REPO", "org/default")}',
                mount_location="/app/model_cache/m",
                auth_secret_name="hf_access_token",
            ),
        ]
        CONFIG = truss_config.TrussConfig(weights=REPOS)
        """,
        [("hf://org/from-env", "/app/model_cache/m", "hf_access_token")],
    ),
]


@pytest.mark.oracle
@pytest.mark.parametrize("before, after, expected", CODE)
def test_code_in_the_truss_dialect(before, after, expected, tmp_path, monkeypatch):
    outcome = python_edit.migrate(before, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == after
    assert "W101" in codes(outcome.diagnostics)
    compile(outcome.text, "migrated.py", "exec")
    monkeypatch.setenv("REPO", "org/from-env")
    path = tmp_path / f"wm_dialects_{abs(hash(before))}.py"
    path.write_text(outcome.text)
    repos = import_file(path).REPOS
    assert all(isinstance(r, WeightsSource) for r in repos)
    assert [(r.source, r.mount_location, r.auth_secret_name) for r in repos] == expected
    for r in repos:  # each passes truss's validation again, and together they form valid weights
        WeightsSource.model_validate(r.model_dump())
    Weights.model_validate([r.model_dump(exclude_none=True) for r in repos])
    assert schema.problems([r.model_dump(exclude_none=True) for r in repos], TRUSS) == []
    # a second run has nothing left to do
    assert python_edit.migrate(outcome.text, Context(dialect=TRUSS)).status == "unchanged"


@pytest.mark.oracle
def test_code_expression_with_both_quotes_falls_back_to_concatenation(tmp_path, monkeypatch):
    before = d(
        """
        import os

        from truss.base.truss_config import ModelRepo, TrussConfig

        REPOS = [ModelRepo(repo_id=os.environ.get("R", 'org/d'), revision="main", use_volume=True, volume_folder="m")]
        CONFIG = TrussConfig(model_cache=REPOS)
        """
    )
    outcome = python_edit.migrate(before, Context(dialect=TRUSS))
    assert outcome.status == "migrated", outcome.diagnostics
    assert 'source="hf://" + str(os.environ.get("R", \'org/d\')) + "@main"' in outcome.text
    monkeypatch.delenv("R", raising=False)
    path = tmp_path / "wm_dialects_both_quotes.py"
    path.write_text(outcome.text)
    (repo,) = import_file(path).REPOS
    assert (repo.source, repo.mount_location) == ("hf://org/d@main", "/app/model_cache/m")


def test_code_seed_dialect_prefixes_the_expression():
    """The same expression in the seed dialect: hf:// before the expression, revision kept as a key."""
    before = (
        "import os\nfrom truss.base.truss_config import ModelRepo, TrussConfig\n"
        'R = ModelRepo(repo_id=os.environ["REPO"], revision="main", use_volume=True, volume_folder="m")\n'
        "CONFIG = TrussConfig(model_cache=[R])\n"
    )
    outcome = python_edit.migrate(before, Context(dialect=SEED))
    assert outcome.status == "migrated", outcome.diagnostics
    assert (
        'WeightsSource(\n    source=f\'hf://{os.environ["REPO"]}\', revision="main", mount_location="/app/model_cache/m"\n)'
        in outcome.text
    )
