"""weights-migrate: move Truss configs from `model_cache` to `weights`.

The Python API: one function per kind of text, options as keywords, an Outcome back (the new
text or None, and the diagnostics). Nothing is read or written; bad input never raises.

    from . import Status, migrate_config

    outcome = migrate_config(text, dialect="truss")
    if outcome.status is Status.MIGRATED:
        new_text = outcome.text

The editors load on first call, so importing the package stays as cheap as the CLI needs.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

from .core.context import DEFAULT_MOUNT_ROOT, DIALECTS, Context
from .core.diagnostics import CODES, Diagnostic
from .core.outcome import MigrationError, Outcome, Status

__version__ = "0.1.0"
__all__ = [
    "CODES",
    "Diagnostic",
    "MigrationError",
    "Outcome",
    "Status",
    "migrate_config",
    "migrate_markdown",
    "migrate_python",
]

DialectName = Literal["seed", "truss"]


def _context(
    dialect: DialectName, mount_root: str, nested: bool = False, code: bool = True, trust_patterns: bool = False
) -> Context:
    if dialect not in DIALECTS:
        raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    if not mount_root.startswith("/"):
        raise ValueError(f"mount_root must be an absolute path, not {mount_root!r}")
    return Context.of(dialect, mount_root, nested, code, trust_patterns)


def migrate_config(
    text: str, *, dialect: DialectName = "seed", mount_root: str = DEFAULT_MOUNT_ROOT, nested: bool = False
) -> Outcome:
    """Migrate a Truss config's text (`--dialect`, `--mount-root`, `--nested` of the CLI).

    Outcome.plans holds the planned entries: pass the outcome as `truss_config` to
    migrate_python for the modules of the same truss.
    """
    from .config import edit as config_edit

    return config_edit.migrate(text, _context(dialect, mount_root, nested))


def migrate_python(
    text: str,
    *,
    dialect: DialectName = "seed",
    mount_root: str = DEFAULT_MOUNT_ROOT,
    truss_config: Outcome | None = None,
    trust_patterns: bool = False,
    test_module: bool = False,
) -> Outcome:
    """Migrate a Python module's text (ModelRepo, ModelCache, and the code that loads weights).

    truss_config is migrate_config's outcome for the config of the truss the module belongs
    to: its legacy entries' loaders and its moved paths are followed into the code, as the
    CLI does for the Python files of a truss it migrates. trust_patterns is `--trust-patterns`.
    test_module says the module is a test (the CLI tells them by their paths): it is left as it
    is, each rewrite it would get reported (W122), as the CLI does without `--include-tests`.
    """
    from .python import edit as python_edit

    context = _context(dialect, mount_root, trust_patterns=trust_patterns)
    context = dataclasses.replace(context, test_module=test_module)
    if truss_config is not None:
        context = dataclasses.replace(context, truss=truss_config.truss)
    return python_edit.migrate(text, context)


def migrate_markdown(
    text: str,
    *,
    dialect: DialectName = "seed",
    mount_root: str = DEFAULT_MOUNT_ROOT,
    nested: bool = False,
    code: bool = True,
) -> Outcome:
    """Migrate the yaml and python fenced code blocks of a Markdown document (`--docs`);
    code=False leaves the python fences alone (`--no-code`)."""
    from .markdown import edit as markdown_edit

    return markdown_edit.migrate(text, _context(dialect, mount_root, nested, code))
