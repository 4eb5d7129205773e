"""Fixtures shared by several test modules."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_support import build_big, build_small, corpus_configs


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only: the big tree of the batch tests (tests that write make their own copies)."""
    configs = corpus_configs()
    root = tmp_path_factory.mktemp("big") / "repo"
    build_big(root, configs)
    return root


@pytest.fixture
def small_tree(tmp_path: Path) -> Path:
    """The small tree of the batch tests: three files to migrate and one broken config."""
    return build_small(tmp_path / "small")
