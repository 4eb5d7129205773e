"""The README is part of the contract: codes, options and the CI command stay in step."""

import re
from pathlib import Path

from migrate.core.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_code_is_documented_with_its_meaning():
    for code, meaning in CODES.items():
        assert f"| {code} | {meaning} |" in README, code


def test_readme_documents_no_code_the_tool_does_not_have():
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", README, re.M))
    assert documented == set(CODES)


QUICK_START = README.split("## Quick start", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.+?)\n```", QUICK_START.split("\nCI (`.ci/run`)", 1)[0])
    assert len(commands) == 2, "the quick start is two commands"
    ci = (ROOT / ".ci" / "run").read_text()
    for command in commands:
        assert command in ci
    assert "pytest" in commands[1] and "fixtures/" in commands[0]


def test_ci_runs_the_readme_lint_command_before_the_tests():
    [lint] = re.findall(r"```sh\n(.+?)\n```", QUICK_START.split("\nCI (`.ci/run`)", 1)[1])
    ci = (ROOT / ".ci" / "run").read_text()
    assert "ruff check" in lint and "ruff format --check" in lint and "mypy" in lint
    assert lint in ci and ci.index(lint) < ci.index("pytest")


def test_every_option_is_documented():
    from typer.main import get_command

    from migrate.cli import app

    for param in get_command(app).params:
        for opt in param.opts:
            if opt.startswith("-"):
                assert f"`{opt}" in README, opt


def test_every_install_line_installs_this_project_not_an_index_name():
    """The package is not on an index: each pip line installs a checkout or the git spec."""
    targets = [t.rstrip("`,") for t in re.findall(r"pip install (?:-q )?(\S+)", README)]
    assert targets
    for target in targets:
        assert target in ("-e", ".", '"$WEIGHTS_MIGRATE"', '"git+<url>@<tag>"'), target
    specs = re.findall(r"WEIGHTS_MIGRATE: (\S+)", README)
    assert specs and all(re.fullmatch(r"git\+https://\S+@\S+", spec) for spec in specs)
    assert "pip install weights-migrate" not in README


def test_the_review_job_gates_with_github_format_and_keeps_the_patch():
    section = README.split("## Using it in code review", 1)[1].split("\n## ", 1)[0]
    assert "weights-migrate --check --format github ." in section
    assert "weights-migrate --diff . > weights-migration.patch" in section
    assert "actions/upload-artifact" in section and "path: weights-migration.patch" in section
