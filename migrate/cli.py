"""The command line: options -> run.schedule.run() -> a reporter. Nothing else."""

from __future__ import annotations

import gc
import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import typer

from . import __version__
from .core.context import DEFAULT_MOUNT_ROOT, Context
from .report.tally import Tally
from .report.text import Reporter
from .run.pipeline import Options
from .run.schedule import run
from .run.settings import Settings, SettingsError, load

if TYPE_CHECKING:
    from .report.json import JsonReporter

HELP = """Move Truss configs from `model_cache` to `weights`, keeping every other byte.

PATH: config files (any name), truss folders, or any folder to search (default: .).
Folders are searched for *.yaml/*.yml files with a top-level `model_cache` or
`hf_cache`; hidden folders, virtualenvs, node_modules and __pycache__ are skipped.
A block nested deeper is reported and left alone (see --nested).
The Python files of each migrated truss, and any module building ModelRepo or
ModelCache, are rewritten too (see --no-code), except test modules, whose
rewrites are only reported (see --include-tests); with --docs, the yaml and
python fenced code blocks of *.md/*.mdx files as well. Sharded JSON reports
merge with `python -m migrate.merge REPORT...`.

Defaults of --dialect, --mount-root, --exclude, --nested, --docs and
--include-tests, and codes never to report (`ignore`), may come from a
[tool.weights-migrate] table in pyproject.toml: the first found from the folder
holding every PATH upward to the repository root (.git or .hg). An option given
on the command line wins over the table; a --exclude given replaces the table's
list.

Exit status: 0 done or nothing to do; 1 changes pending under --check;
2 bad usage or settings; 3 at least one file could not be migrated (left untouched).
"""


T = TypeVar("T")


class Dialect(str, Enum):
    seed = "seed"
    truss = "truss"


class Format(str, Enum):
    text = "text"
    json = "json"
    github = "github"


def _shard(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None
    k, sep, n = value.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise _usage(f"--shard takes K/N with 1 <= K <= N (e.g. 2/8), not {value!r}")
    return int(k), int(n)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"weights-migrate {__version__}")
        raise typer.Exit()


def _usage(message: str) -> typer.Exit:
    typer.echo(f"weights-migrate: error: {message}", err=True)
    return typer.Exit(2)


app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.command(help=HELP, no_args_is_help=False)
def migrate(
    ctx: typer.Context,
    paths: list[str] | None = typer.Argument(None, metavar="[PATH]...", show_default=False),
    diff: bool = typer.Option(False, "--diff", help="Print a unified diff of every change on stdout; write nothing."),
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 if anything would change (add --diff to see it)."
    ),
    dialect: Dialect = typer.Option(
        Dialect.seed,
        "--dialect",
        help="Target schema: seed (the design document's) or truss (what truss 0.18 accepts).",
    ),
    mount_root: str = typer.Option(
        DEFAULT_MOUNT_ROOT,
        "--mount-root",
        metavar="PATH",
        help="Where volume folders live; paths under /app/model_cache/<folder> move there too.",
    ),
    nested: bool = typer.Option(
        False,
        "--nested/--no-nested",
        help="Also migrate model_cache blocks nested below the top level (generator overlays).",
    ),
    no_code: bool = typer.Option(False, "--no-code", help="Leave Python files alone (configs only)."),
    docs: bool = typer.Option(
        False, "--docs/--no-docs", help="Also migrate the yaml/python fenced code blocks of *.md/*.mdx files."
    ),
    include_tests: bool = typer.Option(
        False,
        "--include-tests/--no-include-tests",
        help=(
            "Also rewrite test modules (test_*.py, *_test.py, conftest.py, files under tests/), "
            "which are otherwise left as they are: they assert the old API (W122)."
        ),
    ),
    trust_patterns: bool = typer.Option(
        False,
        "--trust-patterns",
        help=(
            "Also point loaders and start commands' servers at mounts filtered by allow/ignore patterns "
            "(you vouch the patterns keep every file they load)."
        ),
    ),
    jobs: int = typer.Option(
        os.cpu_count() or 1,
        "--jobs",
        "-j",
        metavar="N",
        show_default="the CPU count",
        help="Worker processes; 1 runs in-process. Output is the same for any N.",
    ),
    output_format: Format = typer.Option(
        Format.text,
        "--format",
        help=(
            "text: diagnostics on stderr; json: one JSON report on stdout; "
            "github: GitHub Actions annotations on stdout. Every format writes files in place like the "
            "default mode: combine with --check or --diff to write nothing."
        ),
    ),
    exclude: list[str] | None = typer.Option(
        None,
        "--exclude",
        metavar="GLOB",
        show_default=False,
        help="Skip paths matching GLOB (whole path or one name); repeatable.",
    ),
    shard: str | None = typer.Option(
        None, "--shard", metavar="K/N", help="Take only the K-th of N stable shares of the trusses (for CI matrices)."
    ),
    hub_on: bool = typer.Option(
        False,
        "--hub",
        help=(
            "List each filtered Hugging Face entry's files on the Hub (HF_ENDPOINT, HF_TOKEN or the login) and "
            "point a loader at its mount only when the mount holds every file the loader reads; else name what "
            "is missing. Needs the hub extra."
        ),
    ),
    hub_lock: Path | None = typer.Option(
        None,
        "--hub-lock",
        metavar="FILE",
        help="With --hub: read the listings from FILE, and write there those listed anew (offline reruns).",
    ),
    pin_revisions: bool = typer.Option(
        False,
        "--pin-revisions",
        help="With --hub: a branch revision (or none) of each entry migrated now becomes the commit it names.",
    ),
    quiet: bool = typer.Option(False, "-q", "--quiet", help="Print errors only."),
    verbose: bool = typer.Option(False, "-v", "--verbose", help="Also print each file's status."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    if quiet and verbose:
        raise _usage("--quiet and --verbose exclude each other")
    if not mount_root.startswith("/"):
        raise _usage(f"--mount-root must be an absolute path, not {mount_root!r}")
    if jobs < 1:
        raise _usage("--jobs must be at least 1")
    if (hub_lock is not None or pin_revisions) and not hub_on:
        raise _usage(f"{'--hub-lock' if hub_lock is not None else '--pin-revisions'} needs --hub")
    if hub_on:
        from .run import hub

        if (missing := hub.available()) is not None:
            raise _usage(missing)
    paths = paths or ["."]
    for path in paths:
        if not os.path.exists(path):
            raise _usage(f"{path}: no such file or folder")
    settings = _settings(paths)
    if verbose and settings.path and output_format is not Format.json:
        typer.echo(f"weights-migrate: settings from {settings.path}", err=True)
    context = Context.of(
        _chosen(ctx, "dialect", dialect.value, settings.dialect),
        _chosen(ctx, "mount_root", mount_root, settings.mount_root),
        _chosen(ctx, "nested", nested, settings.nested),
        code=not no_code,
        trust_patterns=trust_patterns,
        ignore=settings.ignore,
        include_tests=_chosen(ctx, "include_tests", include_tests, settings.include_tests),
        pin_revisions=pin_revisions,
    )
    options = Options(
        write=not (diff or check),
        diff=diff,
        context=context,
        jobs=jobs,
        exclude=_chosen(ctx, "exclude", tuple(exclude or ()), settings.exclude),
        shard=_shard(shard),
        docs=_chosen(ctx, "docs", docs, settings.docs),
    )
    tally = Tally(check=check, writes=options.write, ignore=context.ignore)
    reporter = _reporter(output_format, tally, quiet, verbose, tuple(paths))
    if hub_on:
        options = _listed(paths, options, hub_lock, reporter)
    for result in run(paths, options, on_total=reporter.add_total, on_docs=reporter.add_docs):
        reporter.file(result)
    reporter.finish()
    raise typer.Exit(reporter.tally.exit_code())


def _listed(paths: list[str], options: Options, lock: Path | None, reporter: Reporter | JsonReporter) -> Options:
    """--hub: the run's options with the listings its decisions need (a lock that cannot be read: exit 2)."""
    from .core.listing import ListingFileError
    from .run.hub_pass import with_listings

    try:
        return with_listings(paths, options, lock, on_progress=reporter.listing)
    except ListingFileError as err:
        raise _usage(str(err)) from None


def _settings(paths: list[str]) -> Settings:
    try:
        return load(paths)
    except SettingsError as err:
        raise _usage(str(err)) from None


def _chosen(ctx: typer.Context, name: str, given: T, from_settings: T | None) -> T:
    """An option's value: the command line's when given there, else the project's setting, else its default."""
    source = ctx.get_parameter_source(name)
    # By name: typer's own copy of click (0.28) and click itself (before) each have their ParameterSource.
    if from_settings is None or (source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")):
        return given
    return from_settings


def _reporter(
    output_format: Format, tally: Tally, quiet: bool, verbose: bool, paths: tuple[str, ...]
) -> Reporter | JsonReporter:
    if output_format is Format.json:
        from .report.json import JsonReporter  # only a run that reports as JSON loads it

        return JsonReporter(tally)
    if output_format is Format.github:
        from .report.github import GithubReporter

        return GithubReporter(quiet=quiet, verbose=verbose, tally=tally, paths=paths)
    return Reporter(quiet=quiet, verbose=verbose, progress=not quiet, tally=tally, paths=paths)


def main() -> None:
    # The survey allocates an ast tree per module and frees it whole: collecting the youngest
    # generation every 700 allocations (the default) costs about 5% of a run for nothing found.
    # What is loaded by now (the modules) lives as long as the run: the collector no longer
    # looks through it (about 3% of a run), and forked workers share its pages untouched.
    gc.set_threshold(10_000, 10, 10)
    gc.freeze()
    try:
        app(prog_name="weights-migrate")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as err:  # a bug outside any one file's processing: said in one line, never a traceback
        print(f"weights-migrate: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        sys.exit(3)
