"""The run's context: what the parts need to know beyond the text they edit.

The target dialect (what differs between the seed schema and released truss), the mount root,
and the switches of a run that change what an editor does.
"""

from __future__ import annotations

from dataclasses import dataclass

from .entry import ConfigValue, TrussEntry
from .listing import DEFAULT_REVISION, HubProblem, Listing

DEFAULT_MOUNT_ROOT = "/app/model_cache"  # truss's MODEL_CACHE_PATH
SECRET = "runtime_secret_name"  # the secret's key in seed's names; each dialect names it (`Dialect.secret_key`)


@dataclass(frozen=True)
class Dialect:
    """What differs between the target schemas; the mapping itself is shared."""

    name: str
    secret_key: str
    revision_in_source: bool  # truss: hf://org/name@rev, no `revision` key

    def key(self, seed_key: str) -> str:
        """A new entry's key as this dialect names it."""
        return self.secret_key if seed_key == SECRET else seed_key

    def hf_source(self, repo_id: str, revision: str | None) -> str:
        """hf://org/name, with @rev in truss (seed keeps the revision as its own key)."""
        bare = repo_id[len("hf://") :] if repo_id.startswith("hf://") else repo_id
        return f"hf://{bare}@{revision}" if revision and self.revision_in_source else f"hf://{bare}"


SEED = Dialect("seed", secret_key=SECRET, revision_in_source=False)
TRUSS = Dialect("truss", secret_key="auth_secret_name", revision_in_source=True)
DIALECTS = {d.name: d for d in (SEED, TRUSS)}


@dataclass(frozen=True)
class Context:
    """What an editor needs to know beyond the text it edits: the target, and the switches of a run."""

    mount_root: str = DEFAULT_MOUNT_ROOT
    declares_hf_secret: bool = False  # the config's top-level `secrets:` has hf_access_token
    dialect: Dialect = SEED
    nested: bool = False  # --nested: migrate model_cache blocks below the top level too
    code: bool = True  # False (--no-code): Python files and python fences are left alone
    trust_patterns: bool = False  # --trust-patterns: loaders point at filtered mounts too
    truss: tuple[TrussEntry, ...] = ()  # for a Python module: the entries of its truss's config
    ignore: frozenset[str] = frozenset()  # codes the project's settings suppress everywhere
    config_values: tuple[ConfigValue, ...] = ()  # for a Python module: what its truss's config holds that may be an id
    hub: tuple[Listing | HubProblem, ...] = ()  # --hub: what the Hub said of each repository that matters
    pin_revisions: bool = False  # --pin-revisions: a branch revision of an entry becomes its commit

    def listing(self, repo_id: str, revision: str | None) -> Listing | HubProblem | None:
        """--hub: the listing (or the problem) of a repository at a revision (absent: main)."""
        key = (repo_id, revision or DEFAULT_REVISION)
        return next((found for found in self.hub if found.key == key), None)

    line_length: int | None = None  # the formatter's, as the file's project sets it; None: not set
    include_tests: bool = False  # --include-tests: test modules are rewritten as any other module
    test_module: bool = False  # for a Python file: a test module (test_*.py, *_test.py, conftest.py, under tests/)

    @property
    def held_test(self) -> bool:
        """A test module the run leaves as it is (it asserts the old API): its rewrites are reported (W122)."""
        return self.test_module and not self.include_tests

    @classmethod
    def of(
        cls,
        dialect: str,
        mount_root: str,
        nested: bool,
        code: bool = True,
        trust_patterns: bool = False,
        ignore: frozenset[str] = frozenset(),
        include_tests: bool = False,
        pin_revisions: bool = False,
    ) -> Context:
        """The context of a run from its options' values (checked by the caller): a dialect's
        name and a mount root, whose trailing slash is dropped."""
        return cls(
            mount_root=mount_root.rstrip("/") or "/",
            dialect=DIALECTS[dialect],
            nested=nested,
            code=code,
            trust_patterns=trust_patterns,
            ignore=ignore,
            include_tests=include_tests,
            pin_revisions=pin_revisions,
        )
