"""The 65 real truss-examples configs in ../shared/corpus, checked against SPEC.

The corpus lives beside the project (never copied into it); the module is skipped when it
is absent. Every check here is computed independently of migrate's own helpers: the block's
line range comes from a line scan, comments from ruamel's pure round-trip scanner, and the
expected `weights` from `mapping.plan_entry` over the originally loaded entries.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.tokens import CommentToken
from support import CORPUS, NO_CORPUS, migrate_cli

from migrate.config.edit import migrate as migrate_config
from migrate.core import mapping
from migrate.core.context import Context

if not CORPUS.is_dir():
    pytest.skip(NO_CORPUS, allow_module_level=True)

CONFIGS = sorted(CORPUS.rglob("config.yaml"))
IDS = [str(path.relative_to(CORPUS)) for path in CONFIGS]
GENERATOR = CORPUS / "templates" / "generate.yaml"
CTX = Context()
CLI = "truss-transfer-cli && "
_TOP_LEVEL_BLOCK = re.compile(r"^(model_cache|hf_cache)\s*:")
# Start commands whose server is given a mounted repository by id (W016): those that name the served
# model and mount the whole repository serve the mount instead (id -> mount location, its first
# occurrence: the served name may be the id too); those on a filtered mount are reported.
SERVED_FROM_MOUNT = {
    "qwen/qwen-3-next-80B-A3-instruct-sglang/config.yaml": (
        "Qwen/Qwen3-Next-80B-A3B-Instruct-FP8",
        "/app/model_cache/qwen",
    ),
    "qwen/qwen-3-next-80B-A3-thinking-sglang/config.yaml": (
        "Qwen/Qwen3-Next-80B-A3B-Thinking-FP8",
        "/app/model_cache/qwen",
    ),
    "seed/seed_llm/config.yaml": ("ByteDance-Seed/Seed-OSS-36B-Instruct", "/app/model_cache/glm"),
}
SERVED_BY_ID = {
    "nemotron/Llama-3-1-Nemotron-Nano-VL-8B-V1/config.yaml",
    "nemotron/Nemotron-Nano-12B-v2-VL-BF16/config.yaml",
    "qwen/qwen-3-vl-32b/config.yaml",
}
_TOP_LEVEL_WEIGHTS = re.compile(r"^weights\s*:")


def load(text: str):
    return YAML(typ="safe").load(text)


@functools.cache
def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def migrated(path: Path):
    return migrate_config(read(path), CTX)


def block_range(lines: list[str], start_pattern: re.Pattern) -> tuple[int, int]:
    """(first, last) line index of the top-level block, found by a plain line scan.

    From the key's line to the last line that is indented or starts with `-` before the next
    top-level key; trailing comment and blank lines are not part of it.
    """
    first = next(i for i, line in enumerate(lines) if start_pattern.match(line))
    last = first
    for i in range(first + 1, len(lines)):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] in " \t" or line.startswith("-"):
            last = i
            continue
        break  # the next top-level key
    return first, last


def comment_texts(text: str) -> Counter:
    """Every comment in text (whole-line and end-of-line), as a multiset of stripped texts."""
    found: Counter = Counter()

    def walk(item):
        if item is None:
            return
        if isinstance(item, CommentToken):
            for piece in item.value.splitlines():
                piece = piece.strip()
                if piece.startswith("#"):
                    found[piece] += 1
        elif isinstance(item, (list, tuple)):
            for sub in item:
                walk(sub)

    for token in YAML(typ="rt", pure=True).scan(text):
        walk(getattr(token, "_comment", None))
    return found


def expected_weights(original: dict) -> list[dict]:
    secrets = original.get("secrets") or {}
    ctx = Context(declares_hf_secret=mapping.HF_SECRET in secrets)
    return [mapping.plan_entry(entry, ctx).weight for entry in original["model_cache"]]


def test_corpus_is_the_documented_one():
    assert len(CONFIGS) == 65
    assert GENERATOR.is_file()


def test_comment_extraction_sees_plain_comments():
    """Sanity check of the independent comment extractor used below."""
    text = '# top\na: 1  # one\nb: "x # not"  # two\n# between\nc:\n  - d  # three\n# end\n'
    assert comment_texts(text) == Counter(["# top", "# one", "# two", "# between", "# three", "# end"])


@pytest.mark.parametrize("path", CONFIGS, ids=IDS)
def test_config_migrates_keeping_everything_else(path):
    source = read(path)
    original = load(source)
    assert "model_cache" in original
    outcome = migrated(path)
    assert outcome.status == "migrated", outcome.diagnostics
    assert all(diag.code.startswith("W") for diag in outcome.diagnostics)
    new_text = outcome.text
    result = load(new_text)

    # `weights` means what the mapping says, and the old key is gone
    assert "model_cache" not in result
    assert result["weights"] == expected_weights(original)
    assert list(result).index("weights") == list(original).index("model_cache")

    # every other top-level key means what it meant; start_command loses `truss-transfer-cli && `,
    # or serves the mount it served by id
    command = (original.get("docker_server") or {}).get("start_command")
    cli_dropped = isinstance(command, str) and CLI in command
    name = str(path.relative_to(CORPUS))
    served = SERVED_FROM_MOUNT.get(name)
    new_command = command.replace(CLI, "", 1) if cli_dropped else command.replace(*served, 1) if served else command
    if cli_dropped:
        assert not original.get("trt_llm"), "corpus has trt_llm together with truss-transfer-cli"
    assert set(result) == set(original) - {"model_cache"} | {"weights"}
    for key, value in original.items():
        if key == "model_cache":
            continue
        if key == "docker_server" and new_command != command:
            assert result[key] == dict(value, start_command=new_command)
        else:
            assert result[key] == value, key
    assert ("W004" in [d.code for d in outcome.diagnostics]) == cli_dropped
    assert ("W016" in [d.code for d in outcome.diagnostics]) == (served is not None or name in SERVED_BY_ID)

    # the text outside the block is identical, line for line
    old_lines = source.splitlines(keepends=True)
    new_lines = new_text.splitlines(keepends=True)
    old_first, old_last = block_range(old_lines, _TOP_LEVEL_BLOCK)
    new_first, new_last = block_range(new_lines, _TOP_LEVEL_WEIGHTS)
    assert new_lines[new_first] == old_lines[old_first].replace("model_cache", "weights", 1)
    outside_old = old_lines[:old_first] + old_lines[old_last + 1 :]
    outside_new = new_lines[:new_first] + new_lines[new_last + 1 :]
    assert len(outside_old) == len(outside_new)
    changed = [(o, n) for o, n in zip(outside_old, outside_new) if o != n]
    if new_command != command:
        assert len(changed) == 1, changed
        old_line, new_line = changed[0]
        assert new_line == (old_line.replace(CLI, "", 1) if cli_dropped else old_line.replace(*served, 1))
    else:
        assert changed == []
    # no final-newline or line-ending change sneaks in
    assert source.endswith("\n") == new_text.endswith("\n")
    assert ("\r\n" in source) == ("\r\n" in new_text)

    # every comment survives (an end-of-line comment on a dropped key becomes a line of its own)
    assert comment_texts(new_text) == comment_texts(source)


@pytest.mark.parametrize("path", CONFIGS, ids=IDS)
def test_second_run_is_unchanged(path):
    outcome = migrated(path)
    assert outcome.status == "migrated", outcome.diagnostics
    again = migrate_config(outcome.text, CTX)
    assert again.status == "unchanged", again.diagnostics
    assert again.text is None


def test_generator_template_is_unchanged():
    """A `model_cache` nested in a generator's templates is not a truss config: left alone,
    and each block reported at its line (--nested migrates them, see test_nested)."""
    outcome = migrate_config(read(GENERATOR), CTX)
    assert outcome.status == "unchanged", outcome.diagnostics
    assert outcome.text is None
    assert [(d.line, d.code) for d in outcome.diagnostics] == [(400, "W040"), (410, "W040")]


def test_summary_all_65_configs_migrate():
    statuses = Counter(migrated(path).status for path in CONFIGS)
    failed = {IDS[i]: migrated(p).diagnostics for i, p in enumerate(CONFIGS) if migrated(p).status != "migrated"}
    assert statuses["migrated"] == 65, failed


@pytest.mark.slow  # the CLI over the whole corpus, twice
def test_whole_corpus_through_the_cli_then_check_passes(tmp_path):
    """The one-shot use on a copy of the corpus (in tmp, never in the project):
    every config is written, the generator file is byte-identical, and `--check` on the result
    exits 1 for the sites that still download what their truss mounts, and only for them."""
    import shutil

    tree = tmp_path / "truss-examples"
    shutil.copytree(CORPUS, tree)
    for path in tree.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    before = {p: p.read_bytes() for p in tree.rglob("*.yaml")}
    run = migrate_cli("-q", tree, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    assert len(changed) == 65
    assert (tree / "templates" / "generate.yaml").read_bytes() == before[tree / "templates" / "generate.yaml"]
    check = migrate_cli("--check", "--format", "json", tree, cwd=tmp_path)
    assert check.returncode == 1, check.stdout + check.stderr
    report = json.loads(check.stdout)
    assert report["summary"]["would_migrate"] == 0 and report["summary"]["failed"] == 0
    hub = [s for f in report["files"] for u in f.get("uses", ()) if u["loaded_from"] == "hub" for s in u["sites"]]
    assert report["summary"]["pending"] == len(hub) > 0
    # The configs: the 65 migrated ones and the generator, all scanned and now unchanged
    # (the corpus also holds Python files and READMEs; they are not counted here).
    configs = [f for f in report["files"] if f["path"].endswith((".yaml", ".yml"))]
    assert len(configs) == 66
    assert {f["status"] for f in configs} == {"unchanged"}
