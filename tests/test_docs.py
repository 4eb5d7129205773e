"""The README is part of the contract: codes, options and the CI command stay in step."""

import re
from pathlib import Path

from migrate.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_every_code_is_documented_with_its_meaning():
    for code, meaning in CODES.items():
        assert f"| {code} | {meaning} |" in README, code


def test_readme_documents_no_code_the_tool_does_not_have():
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", README, re.M))
    assert documented == set(CODES)


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    assert len(commands) == 2, "the quick start is two commands"
    ci = (ROOT / ".ci" / "run").read_text()
    for command in commands:
        assert command in ci
    assert "pytest" in commands[1] and "fixtures/" in commands[0]


def test_every_option_is_documented():
    from typer.main import get_command

    from migrate.cli import app

    for param in get_command(app).params:
        for opt in param.opts:
            if opt.startswith("-"):
                assert f"`{opt}" in README, opt
