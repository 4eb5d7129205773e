"""--docs: the yaml and python fences of Markdown and MDX files, migrated like a config or a module.

Tables of before/after documents (every byte outside a changed fence kept), a no-op table,
a table of fences that are reported and never touched, then the CLI and the real corpus.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import CORPUS, check_finds_only_the_served_ids, examples, migrate_cli, needs_corpus, snapshot, write

from migrate.core.context import Context
from migrate.core.diagnostics import Diagnostic
from migrate.markdown.edit import fences
from migrate.markdown.edit import migrate as migrate_markdown

OLD = "model_cache:\n- repo_id: org/m\n  use_volume: true\n  volume_folder: m\n"
NEW = "weights:\n- source: hf://org/m\n  mount_location: /app/model_cache/m\n"


def indent(text: str, prefix: str) -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


START_OLD = 'docker_server:\n  start_command: sh -c "truss-transfer-cli && vllm serve /app/model_cache/m"\n' + OLD
START_NEW = 'docker_server:\n  start_command: sh -c "vllm serve /app/model_cache/m"\n' + NEW
PY_OLD = (
    "from truss.base.truss_config import ModelRepo, TrussConfig\n\n"
    'config = TrussConfig(model_cache=[ModelRepo(repo_id="org/m", use_volume=True, volume_folder="m")])\n'
)
PY_NEW = (  # grown past the fence's longest line: split
    "from truss.base.truss_config import TrussConfig, WeightsSource\n\n"
    "config = TrussConfig(\n"
    '    weights=[WeightsSource(source="hf://org/m", mount_location="/app/model_cache/m")]\n'
    ")\n"
)
PY_CODES = ("TrussConfig(model_cache=...) -> TrussConfig(weights=...)", "ModelRepo(...) -> WeightsSource(...)")

MIGRATED = [
    pytest.param(
        f"# Title\n\n```yaml\n{OLD}```\n\nText.\n", f"# Title\n\n```yaml\n{NEW}```\n\nText.\n", [], id="backticks-yaml"
    ),
    pytest.param(f"```yml\n{OLD}```\n", f"```yml\n{NEW}```\n", [], id="yml"),
    pytest.param(f"~~~yaml\n{OLD}~~~\n", f"~~~yaml\n{NEW}~~~\n", [], id="tildes"),
    pytest.param(
        f'```YAML title="config.yaml"\n{OLD}```\n',
        f'```YAML title="config.yaml"\n{NEW}```\n',
        [],
        id="mdx-info-string-with-a-title",
    ),
    pytest.param(
        f"   ```yaml\n{indent(OLD, '   ')}   ```\n",
        f"   ```yaml\n{indent(NEW, '   ')}   ```\n",
        [],
        id="indented-fence",
    ),
    pytest.param(
        f"1. Write the config:\n\n   ```yaml\n{indent(OLD, '   ')}   ```\n2. Deploy.\n",
        f"1. Write the config:\n\n   ```yaml\n{indent(NEW, '   ')}   ```\n2. Deploy.\n",
        [],
        id="fence-in-a-numbered-list",
    ),
    pytest.param(
        f"- a\n  - b\n\n    ```yaml\n{indent(OLD, '    ')}\n    ```\n",
        f"- a\n  - b\n\n    ```yaml\n{indent(NEW, '    ')}\n    ```\n",
        [],
        id="fence-in-a-nested-list-with-a-blank-line",
    ),
    pytest.param(
        f"> ```yaml\n{indent(OLD, '> ')}> ```\n",
        f"> ```yaml\n{indent(NEW, '> ')}> ```\n",
        [],
        id="fence-in-a-block-quote",
    ),
    pytest.param(
        crlf(f"Intro\n\n- item\n\n  ```yaml\n{indent(OLD, '  ')}  ```\nEnd\n"),
        crlf(f"Intro\n\n- item\n\n  ```yaml\n{indent(NEW, '  ')}  ```\nEnd\n"),
        [],
        id="crlf-in-a-list",
    ),
    pytest.param(
        f"````yaml\n# a ``` inside\n{OLD}````\n",
        f"````yaml\n# a ``` inside\n{NEW}````\n",
        [],
        id="four-backticks-around-three",
    ),
    pytest.param(
        f"```yaml\n{START_OLD}```\n",
        f"```yaml\n{START_NEW}```\n",
        [
            Diagnostic(
                3,
                18,
                "W004",
                "`truss-transfer-cli` dropped from start_command: weights are mounted, not downloaded by it",
            )
        ],
        id="start-command-fix-at-its-line-in-the-doc",
    ),
    pytest.param(
        f"Text\n\n```python\n{PY_OLD}```\n",
        f"Text\n\n```python\n{PY_NEW}```\n",
        [Diagnostic(6, 10, "W104", PY_CODES[0]), Diagnostic(6, 35, "W101", PY_CODES[1])],
        id="python-through-the-code-pass",
    ),
    pytest.param(
        f"```py\n{PY_OLD}```\n",
        f"```py\n{PY_NEW}```\n",
        [Diagnostic(4, 10, "W104", PY_CODES[0]), Diagnostic(4, 35, "W101", PY_CODES[1])],
        id="py",
    ),
    pytest.param(
        f"```yaml\n{OLD}```\n\n```yaml\nmodel_name: x\n```\n\n```yaml\n{OLD}```",
        f"```yaml\n{NEW}```\n\n```yaml\nmodel_name: x\n```\n\n```yaml\n{NEW}```",
        [],
        id="two-of-three-fences-and-no-final-newline",
    ),
    pytest.param(
        f"\ufeff# T\n\n```yaml\n# keep me\n{OLD}```\n",
        f"\ufeff# T\n\n```yaml\n# keep me\n{NEW}```\n",
        [],
        id="bom-and-a-comment",
    ),
]


@pytest.mark.parametrize("source, expected, diagnostics", MIGRATED)
def test_fence_migrated(source, expected, diagnostics):
    outcome = migrate_markdown(source)
    assert (outcome.status, outcome.text) == ("migrated", expected)
    assert outcome.diagnostics == diagnostics
    assert migrate_markdown(expected).status == "unchanged"  # idempotent


UNTOUCHED = [
    pytest.param(f"```json\n{OLD}```\n", id="json-fence"),
    pytest.param(f"```sh\n{OLD}```\n", id="shell-fence"),
    pytest.param(f"```\n{OLD}```\n", id="fence-without-a-language"),
    pytest.param(f"````markdown\n```yaml\n{OLD}```\n````\n", id="yaml-fence-shown-inside-a-markdown-fence"),
    pytest.param("```yaml\ntemplate:\n  model_cache:\n  - repo_id: org/m\n```\n", id="nested-model-cache-is-no-config"),
    pytest.param(f"Text:\n\n{indent(OLD, '    ')}", id="indented-code-block-is-no-fence"),
    pytest.param("Set `model_cache:` to a list.\n", id="inline-code"),
    pytest.param(f"```yaml\n{NEW}```\n", id="already-migrated"),
    pytest.param("```yaml\nmodel_cache: []\n```\n", id="empty-block"),
    pytest.param("```python\nprint('model_cache')\n```\n", id="python-without-model-repo"),
    pytest.param(f"<!-- \n```yaml\n{OLD}```\n-->\n", id="inside-an-html-comment"),
]


@pytest.mark.parametrize("source", UNTOUCHED)
def test_fence_untouched(source):
    outcome = migrate_markdown(source)
    assert outcome.status == "unchanged"
    assert outcome.diagnostics == []


REPORTED = [
    pytest.param(
        "# T\n\n```yaml\nmodel_cache: [\n```\n",
        [Diagnostic(5, 1, "E001", "invalid YAML: did not find expected node content")],
        id="does-not-parse",
    ),
    pytest.param(
        "- a\n\n  ```yaml\n  model_cache:\n  - repo_id: org/m\n    kind: zz\n  ```\n",
        [Diagnostic(6, 5, "E007", "kind 'zz' is not one of hf, s3, gcs, azure")],
        id="entry-error-at-its-line-and-column-in-a-list",
    ),
    pytest.param(
        f"Text\n\n```yaml\n{OLD}",
        [Diagnostic(3, 1, "E040", "unterminated yaml fence: left as it is (close it and run again)")],
        id="unterminated-fence",
    ),
    pytest.param(
        f"- item\n  ```yaml\n{indent(OLD, '  ')}\nafter\n",
        [Diagnostic(2, 1, "E040", "unterminated yaml fence: left as it is (close it and run again)")],
        id="fence-ended-by-its-list-item",
    ),
    pytest.param(
        f"```yaml\n{OLD}```\n\n```yaml\nmodel_cache:\n- repo_id: ''\n```\n",
        [Diagnostic(10, 3, "E005", "")],
        id="one-bad-fence-keeps-the-whole-doc",
    ),
    pytest.param(
        "  ```yaml\n  model_cache:\n - repo_id: org/m\n  ```\n",
        [Diagnostic(1, 1, "E041", "fence lines indented unevenly inside their container: left as it is")],
        id="uneven-indentation",
    ),
    pytest.param("```python\nModelRepo(\n```\n", [Diagnostic(2, 10, "E030", "")], id="python-that-does-not-parse"),
]


@pytest.mark.parametrize("source, diagnostics", REPORTED)
def test_fence_reported_and_the_doc_untouched(source, diagnostics):
    outcome = migrate_markdown(source)
    assert outcome.status == "failed" and outcome.text is None
    got = [(d.line, d.col, d.code) for d in outcome.diagnostics]
    assert got == [(d.line, d.col, d.code) for d in diagnostics]
    for got_d, want in zip(outcome.diagnostics, diagnostics):
        assert want.message in got_d.message


def test_no_code_leaves_python_fences_alone():
    source = f"```python\n{PY_OLD}```\n\n```yaml\n{OLD}```\n"
    outcome = migrate_markdown(source, Context(code=False))
    assert outcome.text == f"```python\n{PY_OLD}```\n\n```yaml\n{NEW}```\n"


def test_fences_are_found_as_a_renderer_finds_them():
    text = "```yaml\na: 1\n```\n\n- x\n\n  ~~~python\n  b = 2\n  ~~~\n\n```sh\nls\n```\n"
    found = fences(text)
    assert [(f.language, f.opening, f.text, f.closed) for f in found] == [
        ("yaml", 0, "a: 1\n", True),
        ("python", 6, "b = 2\n", True),
    ]


# --- through the command line ---------------------------------------------------------------

README = f"# Deploy\n\n```yaml\n{START_OLD}```\n\nThe config above, with ```sh\ntruss push\n```\n"


def test_docs_option_migrates_docs_and_mdx_and_reports_doc_lines(tmp_path):
    write(tmp_path / "a" / "README.md", README)
    write(tmp_path / "b" / "page.mdx", f"import X from './x'\n\n<X />\n\n```yaml\n{OLD}```\n")
    write(tmp_path / "c" / "notes.txt", f"```yaml\n{OLD}```\n")
    run = migrate_cli("--docs", ".", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "a" / "README.md").read_text() == README.replace(START_OLD, START_NEW)
    assert (tmp_path / "b" / "page.mdx").read_text().endswith(f"```yaml\n{NEW}```\n")
    assert (tmp_path / "c" / "notes.txt").read_text() == f"```yaml\n{OLD}```\n"
    assert "a/README.md:5:18: W004 " in run.stderr
    assert "2 files scanned, 2 migrated" in run.stderr and "--docs migrates" not in run.stderr


def test_a_doc_given_explicitly_is_a_doc(tmp_path):
    doc = write(tmp_path / "guide.md", README)
    run = migrate_cli("--docs", "--check", "guide.md", cwd=tmp_path)
    assert run.returncode == 1 and doc.read_text() == README
    run = migrate_cli("--check", "guide.md", cwd=tmp_path)  # not read as a config; counted as a mention
    assert run.returncode == 0, run.stderr
    assert "1 doc mentions model_cache; --docs migrates their fenced configs" in run.stderr


def test_a_doc_with_a_broken_fence_is_untouched_and_exits_3(tmp_path):
    source = f"```yaml\n{OLD}```\n\n```yaml\nmodel_cache: [\n```\n"
    doc = write(tmp_path / "README.md", source)
    run = migrate_cli("--docs", ".", cwd=tmp_path)
    assert run.returncode == 3
    assert doc.read_text() == source
    assert "README.md:10:1: E001 invalid YAML" in run.stderr


def test_without_docs_the_summary_counts_the_docs_once(tmp_path):
    write(tmp_path / "x" / "README.md", README)
    write(tmp_path / "y" / "README.md", "Mount at /app/model_cache/m: a path is no mention.\n")
    write(tmp_path / "z" / "guide.mdx", f"- step\n\n  ```yaml\n{indent(OLD, '  ')}  ```\n")
    write(tmp_path / "x" / "config.yaml", OLD)
    before = snapshot(tmp_path)
    run = migrate_cli("--check", ".", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.count("--docs") == 1
    assert (
        run.stderr.splitlines()[-1]
        == "weights-migrate: 2 docs mention model_cache; --docs migrates their fenced configs"
    )
    assert snapshot(tmp_path) == before
    report = json.loads(migrate_cli("--check", "--format", "json", ".", cwd=tmp_path).stdout)
    assert report["summary"]["docs_mentioning"] == 2
    assert [f["path"] for f in report["files"]] == ["x/config.yaml"]
    quiet = migrate_cli("-q", "--check", ".", cwd=tmp_path)
    assert quiet.stderr == ""


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_a_doc_never_blocks(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.md")
    assert migrate_cli("--check", "pipe.md", cwd=tmp_path).returncode == 0
    run = migrate_cli("--check", "--docs", "pipe.md", cwd=tmp_path)
    assert run.returncode == 3 and "pipe.md:1:1: E020 not a regular file" in run.stderr


def test_sharded_doc_counts_add_up(tmp_path):
    for i in range(6):
        write(tmp_path / f"t{i}" / "config.yaml", OLD)
        write(tmp_path / f"t{i}" / "README.md", README)
    counts = [
        json.loads(migrate_cli("--check", "--format", "json", "--shard", f"{k}/3", ".", cwd=tmp_path).stdout)[
            "summary"
        ]["docs_mentioning"]
        for k in (1, 2, 3)
    ]
    assert sum(counts) == 6


# --- the real corpus ---------------------------------------------------------------------------

BLOCK_KEY = re.compile(r"^[ \t>]*(?:model_cache|hf_cache)[ \t]*:", re.M)


def _outside_fences(text: str) -> list[str]:
    """The document's lines that are no fence's content."""
    lines = text.splitlines(keepends=True)
    inside = {i for f in fences(text) for i in range(f.opening + 1, f.opening + 1 + len(f.lines))}
    return [line for i, line in enumerate(lines) if i not in inside]


@pytest.mark.slow  # the CLI over the whole corpus, three times
@needs_corpus
def test_corpus_docs_migrate_and_check_passes(tmp_path):
    """The 15 READMEs of truss-examples each show one full config.yaml: 15 fences migrate."""
    tree = tmp_path / "truss-examples"
    shutil.copytree(CORPUS, tree)
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    docs = sorted(tree.rglob("*.md"))
    before = {p: p.read_text() for p in docs}
    assert sum(bool(BLOCK_KEY.search(t)) for t in before.values()) == 15

    plain = migrate_cli("--check", "--no-code", ".", cwd=tree)
    assert "weights-migrate: 15 docs mention model_cache; --docs migrates their fenced configs" in plain.stderr

    run = migrate_cli("--docs", "-q", ".", cwd=tree)
    assert run.returncode == 0, run.stderr
    migrated = 0
    for path, old in before.items():
        new = path.read_text()
        pairs = list(zip(fences(old), fences(new)))
        assert len(pairs) == len(fences(old)) == len(fences(new))
        migrated += sum(a.text != b.text for a, b in pairs)
        assert not BLOCK_KEY.search(new), path
        assert _outside_fences(old) == _outside_fences(new), path  # every line outside the fences kept
    assert migrated == 15
    assert "truss-transfer-cli" not in "".join(p.read_text() for p in docs)

    check = migrate_cli("--check", "--docs", "--no-code", ".", cwd=tree)  # the code's pending sites: test_corpus
    check_finds_only_the_served_ids(check)
    assert "would migrate" not in check.stderr  # the docs leave nothing to do
    again = migrate_cli("--check", "--no-code", ".", cwd=tree)
    assert "docs mention" not in again.stderr


# --- property: any document of paragraphs and fences in containers ------------------------------

CONTAINERS = {
    "top": ("", ""),
    "indented": ("  ", "  "),
    "list": ("- ", "  "),
    "ordered": ("10. ", "    "),
    "quote": ("> ", "> "),
}


def render(container: str, marker: str, language: str, body: str) -> str:
    first, rest = CONTAINERS[container]
    return f"{first}{marker}{language}\n{indent(body, rest)}{rest}{marker}\n"


chunk = st.one_of(
    st.text(alphabet="abc xyz.", min_size=1, max_size=20).filter(str.strip).map(lambda t: ("text", t + "\n")),
    st.tuples(
        st.sampled_from(sorted(CONTAINERS)),
        st.sampled_from(["```", "~~~", "````"]),
        st.sampled_from(["yaml", "yml", "json", "sh", ""]),
        st.sampled_from([OLD, NEW, "model_name: x\n"]),
    ),
)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(chunk, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n"]))
def test_any_document_changes_exactly_its_config_fences(chunks, newline):
    before, after = [], []
    for item in chunks:
        if item[0] == "text":
            before.append(item[1])
            after.append(item[1])
            continue
        container, marker, language, body = item
        before.append(render(container, marker, language, body))
        migrates = language in ("yaml", "yml") and body == OLD
        after.append(render(container, marker, language, NEW if migrates else body))
    source = "\n".join(before).replace("\n", newline)
    expected = "\n".join(after).replace("\n", newline)
    outcome = migrate_markdown(source)
    assert outcome.status == ("migrated" if source != expected else "unchanged"), outcome.diagnostics
    assert (outcome.text or source) == expected
