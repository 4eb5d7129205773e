"""Fuzzing with hypothesis: generated configs, and byte-level mutations of the real corpus.

(a) `test_generated_configs_migrate_exactly`: model_cache configs rendered from generated
    entries in every layout a person writes (kinds, bare or prefixed ids, optional keys, plain,
    single- or double-quoted keys and values, block or flow entries, one-line or multi-line flow,
    2- or 4-space indentation, sequences indented or not, comments on every line and between
    every key, CRLF or LF, a BOM, a missing final newline). The output must be `migrated`, mean
    exactly `mapping.plan_entry` of each entry, be valid in the seed schema, keep every byte before
    and after the block, keep every comment the renderer wrote, and migrate to `unchanged`.
(b) `test_mutated_corpus_configs`: 1-5 random byte mutations of a real corpus config (bytes
    replaced, inserted, deleted: YAML indicators, quotes, line breaks, tabs, non-UTF-8 bytes) run
    through `pipeline.process` in write mode on a temp file. Never an exception, a documented
    status and codes, a file that was written parses and has valid `weights` and the same other
    keys, and a file that did not parse (or failed) is byte-for-byte untouched.

Examples: 150 for (a) and 300 for (b) under the default profile; HYPOTHESIS_PROFILE=large
(tests/conftest.py) runs 50 times as many, several minutes:

        HYPOTHESIS_PROFILE=large python -m pytest tests/test_fuzz.py

Add `--hypothesis-show-statistics` to see how many examples ran.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from dataclasses import dataclass, field

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from support import CORPUS, NO_CORPUS, examples

from migrate.config import schema
from migrate.config.edit import migrate as migrate_config
from migrate.core import mapping, shell
from migrate.core.context import SEED, Context
from migrate.core.diagnostics import CODES
from migrate.run import pipeline
from migrate.run.discover import Target
from migrate.run.pipeline import Options

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
SETTINGS_A = settings(max_examples=examples(150), deadline=None, suppress_health_check=_HEALTH)
SETTINGS_B = settings(max_examples=examples(300), deadline=None, suppress_health_check=_HEALTH)

CORPUS_FILES = [p.read_bytes() for p in sorted(CORPUS.rglob("config.yaml"))] if CORPUS.is_dir() else []
# on every test drawing from mutations(): without the corpus it has nothing to draw
needs_corpus_files = pytest.mark.skipif(
    not CORPUS_FILES, reason=NO_CORPUS if not CORPUS.is_dir() else f"no config.yaml under {CORPUS}"
)


def _yaml(version=None, pure=False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    if version:
        yaml.version = version
    yaml.allow_duplicate_keys = True  # PyYAML (and so Truss) accepts them; meaning is compared, not policed
    return yaml


LOAD11 = _yaml((1, 1))  # what Truss's PyYAML reads: `yes` is a boolean
_READERS = [_yaml(), LOAD11, _yaml(pure=True)]


def load(text: str):
    return yaml.safe_load(text.lstrip("\ufeff"))  # as truss reads it


# --- (a) generated configs ---------------------------------------------------------------------------

LOWER = "abcdefghijklmnopqrstuvwxyz"
name = st.builds(lambda a, b: a + b, st.sampled_from(LOWER), st.text(LOWER + "0123456789-_.", max_size=10))
sha = st.binary(min_size=20, max_size=20).map(bytes.hex)
PATTERNS = ["*.json", "*.safetensors", "tokenizer*", "model-0000?-of-*.bin", "onnx/*", "*.md", "README.md"]
SCHEME = {"s3": "s3://", "gcs": "gs://", "azure": "azure://"}


@st.composite
def entries(draw) -> dict:
    kind = draw(st.sampled_from([None, None, "hf", "s3", "gcs", "azure"]))
    family = kind or draw(st.sampled_from(["hf", "hf", "hf", "s3", "gcs", "azure"]))
    if family == "hf":
        repo = f"{draw(name)}/{draw(name)}"
        if draw(st.integers(0, 4)) == 0:
            repo = "hf://" + repo
    else:
        path = "/".join(draw(st.lists(name, min_size=1, max_size=3)))
        if draw(st.integers(0, 5)) == 0:
            path += "/"
        repo = SCHEME[family] + path if kind is None or draw(st.booleans()) else path
    data: dict = {"repo_id": repo}
    if kind is not None:
        data["kind"] = kind
    if draw(st.integers(0, 2)) == 0:
        data["revision"] = draw(st.sampled_from(["main", "v1.0", "refs/pr/1", ""]) | sha)
    use_volume = draw(st.sampled_from(["absent", True, True, False]))
    if use_volume != "absent":
        data["use_volume"] = use_volume
    if use_volume is True or draw(st.integers(0, 4)) == 0:
        folder = draw(name)
        data["volume_folder"] = draw(
            st.sampled_from([folder, f"{folder}/sub", f"/models/{folder}", f"./{folder}", f"{folder}/"])
        )
    if draw(st.integers(0, 2)) == 0:
        data["runtime_secret_name"] = draw(st.sampled_from(["hf_access_token", "my_token", "aws-creds"]))
    for key in ("allow_patterns", "ignore_patterns"):
        if draw(st.integers(0, 3)) == 0:
            data[key] = draw(st.lists(st.sampled_from(PATTERNS), max_size=3, unique=True))
    keys = draw(st.permutations(sorted(data)))
    if draw(st.booleans()):
        keys = ["repo_id"] + [k for k in keys if k != "repo_id"]
    return {k: data[k] for k in keys}


@functools.cache
def plain_ok(value: str, flow: bool) -> bool:
    """Every reader (ruamel C 1.2 and 1.1, pure 1.2) reads value written plain as that string."""
    if not value or value[0] in "!&*%@`'\"#|>-?:,[]{} " or value != value.strip():
        return False
    doc = f"k: [{value}]\n" if flow else f"k: {value}\n"
    for reader in _READERS:
        try:
            if reader.load(doc) != {"k": [value] if flow else value}:
                return False
        except YAMLError:
            return False
    return True


COMMENT_TEXT = st.text(LOWER + " :-'\"#é→,[]{}!", max_size=16).map(lambda s: s.rstrip())


@dataclass
class Rendered:
    prefix: str  # everything before the block key
    block: str
    suffix: str  # everything after the block's last entry line (comments after it included)
    entries: list
    block_key: str
    declares_secret: bool
    comments: list = field(default_factory=list)
    bom: str = ""
    newline: str = "\n"
    final_newline: bool = True

    def text(self) -> str:
        body = (self.prefix + self.block + self.suffix).replace("\n", self.newline)
        if not self.final_newline:
            assert body.endswith(self.newline)
            body = body[: -len(self.newline)]
        return self.bom + body

    def parts(self) -> tuple[str, str]:
        """(prefix, suffix) exactly as they appear in text()."""
        prefix = self.bom + self.prefix.replace("\n", self.newline)
        suffix = self.suffix.replace("\n", self.newline)
        if not self.final_newline:
            suffix = suffix[: -len(self.newline)] if suffix else ""
        return prefix, suffix


class Writer:
    def __init__(self, draw):
        self.draw = draw
        self.comments: list[str] = []

    def new_comment(self) -> str:
        text = f"# c{len(self.comments)}" + ((" " + t) if (t := self.draw(COMMENT_TEXT)) else "")
        self.comments.append(text)
        return text

    def eol(self, chance: int = 2) -> str:
        """An end-of-line comment, sometimes."""
        if self.draw(st.integers(0, chance - 1)):
            return ""
        return self.draw(st.sampled_from([" ", "  ", "   "])) + self.new_comment()

    def line(self, col: int, chance: int = 4) -> list[str]:
        """A whole-line comment, sometimes."""
        if self.draw(st.integers(0, chance - 1)):
            return []
        return [" " * col + self.new_comment()]

    def key(self, key: str) -> str:
        return self.draw(st.sampled_from([key, key, f"'{key}'", f'"{key}"']))

    def scalar(self, value, flow: bool) -> str:
        if isinstance(value, bool):
            return self.draw(st.sampled_from(["true", "True", "TRUE"] if value else ["false", "False", "FALSE"]))
        style = self.draw(st.sampled_from(["plain", "plain", "single", "double"]))
        if style == "plain" and plain_ok(value, flow):
            return value
        if style == "single" or (style == "plain" and self.draw(st.booleans())):
            return "'" + value.replace("'", "''") + "'"
        return json.dumps(value, ensure_ascii=False)

    def flow_seq(self, items) -> str:
        return "[" + ", ".join(self.scalar(i, True) for i in items) + "]"

    def value(self, value, flow: bool) -> str:
        return self.flow_seq(value) if isinstance(value, list) else self.scalar(value, flow)

    def flow_entry(self, data: dict, dash: str, key_col: int) -> list[str]:
        pairs = [f"{self.key(k)}: {self.value(v, True)}" for k, v in data.items()]
        if self.draw(st.booleans()):  # one line
            return [dash + "{" + self.draw(st.sampled_from([", ", ",", ",  "])).join(pairs) + "}" + self.eol()]
        lines = [dash + "{" + pairs[0]]  # over several lines, comments after the commas
        for pair in pairs[1:]:
            lines[-1] += "," + self.eol()
            lines += self.line(key_col + 1, 6)
            lines.append(" " * (key_col + 1) + pair)
        lines[-1] += "}" + self.eol()
        return lines

    def block_entry(self, data: dict, dash: str, key_col: int, indent: int) -> list[str]:
        lines = []
        for j, (key, value) in enumerate(data.items()):
            if j:
                lines += self.line(key_col)
            lead = dash if j == 0 else " " * key_col
            if isinstance(value, list) and value and self.draw(st.booleans()):
                lines.append(f"{lead}{self.key(key)}:{self.eol()}")
                col = key_col + self.draw(st.sampled_from([0, indent]))
                for item in value:
                    lines += self.line(col, 6)
                    lines.append(f"{' ' * col}- {self.scalar(item, False)}{self.eol(3)}")
            else:
                lines.append(f"{lead}{self.key(key)}: {self.value(value, False)}{self.eol()}")
        return lines


OTHERS = [
    "model_name: Fuzz Model  # the name\n",
    "description: 'a model: with # signs'\n",
    "python_version: py311\n",
    "resources:\n  accelerator: A100:2  # two\n  use_gpu: true\n  memory: 16Gi\n",
    "requirements:\n  - torch==2.4.0\n  - transformers  # latest\n",
    'environment_variables:\n  HF_HUB_ENABLE_HF_TRANSFER: "1"\n  CACHE: /app/model_cache\n',
    "model_metadata: {example_model_input: {prompt: hi}, tags: [a, b]}  # flow\n",
    "build_commands: []\n",
    "# a comment between top-level keys\n\n",
]
SECRETS = [("secrets:\n  hf_access_token: null  # from the UI\n", True), ("secrets:\n  other: x\n", False)]


@st.composite
def configs(draw) -> Rendered:
    data = draw(st.lists(entries(), min_size=1, max_size=4))
    secret_snippet, declares = draw(st.sampled_from([("", False), *SECRETS]))
    ctx = Context(declares_hf_secret=declares)
    mounts = [mapping.plan_entry(e, ctx).weight["mount_location"] for e in data]
    assume(len(set(mounts)) == len(mounts))
    w = Writer(draw)
    snippets = draw(st.lists(st.sampled_from(OTHERS), unique=True, max_size=5))
    if secret_snippet:
        snippets.insert(draw(st.integers(0, len(snippets))), secret_snippet)
    cut = draw(st.integers(0, len(snippets)))
    prefix, suffix = "".join(snippets[:cut]), "".join(snippets[cut:])
    for snippet in snippets:
        w.comments += re.findall(r"(?:(?<=  )|^)#[^\n]*", snippet, re.M)
    if draw(st.booleans()):
        prefix = f"{w.new_comment()}\n" + prefix

    block_key = draw(st.sampled_from(["model_cache", "model_cache", "hf_cache"]))
    indent = draw(st.sampled_from([2, 4]))
    seq_col = draw(st.sampled_from([0, indent]))
    key_col = seq_col + draw(st.sampled_from([2, indent]))
    dash = " " * seq_col + "-" + " " * (key_col - seq_col - 1)
    lines = [w.key(block_key) + ":" + w.eol()]
    for i, entry in enumerate(data):
        lines += w.line(draw(st.sampled_from([0, seq_col, key_col])))
        if i and draw(st.integers(0, 5)) == 0:
            lines.append("")
        if draw(st.integers(0, 2)) == 0:
            lines += w.flow_entry(entry, dash, key_col)
        else:
            lines += w.block_entry(entry, dash, key_col, indent)
    block = "\n".join(lines) + "\n"
    after = []  # comments after the block: part of the suffix, which must stay as it is
    for _ in range(draw(st.integers(0, 2))):
        after.append(" " * draw(st.sampled_from([0, seq_col])) + w.new_comment() + "\n")
    if after and draw(st.booleans()):
        after.append("\n")
    suffix = "".join(after) + suffix
    return Rendered(
        prefix,
        block,
        suffix,
        data,
        block_key.strip("'\""),
        declares,
        w.comments,
        bom=draw(st.sampled_from(["", "", "\ufeff"])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        final_newline=draw(st.integers(0, 3)) != 0,
    )


@pytest.mark.slow  # hypothesis: 150 generated configs
@SETTINGS_A
@given(configs())
def test_generated_configs_migrate_exactly(case: Rendered):
    text = case.text()
    before = load(text)
    assert before[case.block_key] == case.entries, "the generator wrote something else than it meant"

    outcome = migrate_config(text)
    assert outcome.status == "migrated", (outcome.diagnostics, text)
    out = outcome.text

    after = load(out)
    ctx = Context(declares_hf_secret=case.declares_secret)
    expected = [mapping.plan_entry(e, ctx).weight for e in case.entries]
    assert after["weights"] == expected
    assert schema.problems(after["weights"], SEED) == []
    assert list(after) == ["weights" if k == case.block_key else k for k in before]
    assert {k: v for k, v in after.items() if k != "weights"} == {
        k: v for k, v in before.items() if k != case.block_key
    }

    prefix, suffix = case.parts()
    assert out.startswith(prefix)
    assert out[len(prefix) :].lstrip("'\"").startswith("weights")
    assert out.endswith(suffix)
    assert out.startswith("\ufeff") == text.startswith("\ufeff")
    assert out.endswith(case.newline) == text.endswith(case.newline)
    if case.newline == "\r\n":
        assert re.search(r"\r(?!\n)|(?<!\r)\n", out) is None, "a line ending is not CRLF"
    else:
        assert "\r" not in out
    for comment in case.comments:
        assert comment in out, comment

    again = migrate_config(out)
    assert again.status == "unchanged", again.diagnostics


# Found by (a), pinned here so they show without hypothesis.


def test_found_no_final_newline_after_a_nested_last_key():
    """A file without a final line break whose last key holds a block mapping or list."""
    text = (
        "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: x\nresources:\n  use_gpu: true"
    )
    outcome = migrate_config(text)  # must never raise
    assert outcome.status == "migrated", outcome.diagnostics
    assert (
        outcome.text
        == "weights:\n  - source: hf://org/name\n    mount_location: /app/model_cache/x\nresources:\n  use_gpu: true"
    )


def test_found_comment_after_a_dropped_key_of_a_multi_line_flow_entry():
    text = "model_cache:\n- {kind: s3,  # the kind\n   repo_id: b/p}\n"
    outcome = migrate_config(text)
    assert outcome.status == "migrated", outcome.diagnostics
    assert "# the kind" in outcome.text
    assert load(outcome.text)["weights"] == [{"source": "s3://b/p", "mount_location": "/app/model_cache/b/p"}]


# --- (b) byte-level mutations of the corpus ----------------------------------------------------------------

TOKENS = [
    b":",
    b": ",
    b"-",
    b"- ",
    b"#",
    b" #",
    b"'",
    b'"',
    b"\n",
    b"\r\n",
    b"\r",
    b"\t",
    b" ",
    b"  ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"&a ",
    b"*a",
    b"!",
    b"!!str ",
    b"|",
    b">",
    b"%",
    b"@",
    b"`",
    b"?",
    b"<<: ",
    b"---\n",
    b"...\n",
    b"~",
    b"null",
    b"true",
    b"yes",
    b"0",
    b"1.5",
    b"s3://",
    b"hf://",
    b"..",
    b"/",
    b"\\",
    b"\xff",
    b"\xfe",
    b"\xc3",
    b"\xe9",
    b"\x00",
    b"\x85",
    "\ufeff".encode(),
    "é".encode(),
    "\u2028".encode(),
    b"kind: s3\n",
    b"use_volume: true\n",
    b"model_cache:",
    b"weights:",
    b"repo_id:",
]
_BLOCK_AT = re.compile(rb"^(?:model_cache|hf_cache)[ \t]*:", re.M)
_NEXT_TOP = re.compile(rb"^[^\s#-]", re.M)


def block_span(data: bytes) -> tuple[int, int]:
    """Where a mutation most likely matters: the block (or the whole file when there is none)."""
    found = _BLOCK_AT.search(data)
    if not found:
        return 0, len(data)
    end = _NEXT_TOP.search(data, found.end())
    return found.start(), end.start() if end else len(data)


@st.composite
def mutations(draw) -> tuple[int, bytes, list]:
    index = draw(st.integers(0, len(CORPUS_FILES) - 1))
    data = bytearray(CORPUS_FILES[index])
    done = []
    for _ in range(draw(st.integers(1, 5))):
        lo, hi = block_span(bytes(data)) if draw(st.integers(0, 3)) else (0, len(data))
        marks = [i for i in range(lo, hi) if data[i] in b":-#'\" \n\t[]{},"]
        if draw(st.integers(0, 19)) == 0:  # the end of the file (its final line break)
            at = max(len(data) - 1, 0)
        elif marks and draw(st.booleans()):  # at (or after) a YAML indicator, a quote, a line break
            at = draw(st.sampled_from(marks)) + draw(st.sampled_from([0, 0, 1]))
        else:
            at = draw(st.integers(lo, max(lo, hi - 1)))
        op = draw(st.sampled_from(["replace", "insert", "delete"]))
        piece = draw(st.binary(min_size=1, max_size=3) if draw(st.integers(0, 4)) == 0 else st.sampled_from(TOKENS))
        if op == "replace":
            data[at : at + len(piece)] = piece
        elif op == "insert":
            data[at:at] = piece
        else:
            piece = b""
            data[at : at + draw(st.integers(1, 4))] = b""
        done.append((op, at, piece))
    return index, bytes(data), done


def composes(data: bytes):
    """The node tree of data as truss (PyYAML's SafeLoader) reads it, or None when it is not YAML text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return yaml.compose(text.lstrip("\ufeff"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None


def constructed(data: bytes):
    try:
        return load(data.decode("utf-8"))
    except (yaml.YAMLError, ValueError, TypeError, KeyError, RecursionError):
        return None  # composes but does not construct (an unknown tag, a bad timestamp...)


def expected_other(key: str, value, before: dict):
    """What a key outside the block must mean after the migration."""
    if key == "docker_server" and isinstance(value, dict) and not before.get("trt_llm"):
        command = value.get("start_command")
        if isinstance(command, str) and shell.drop_transfer_cli(command) is not None:
            return {**value, "start_command": shell.drop_transfer_cli(command)}
    return value


def served_from_mounts(key: str, value, before: dict) -> list:
    """The value as expected, and (a start command) the same with a server given an entry's mount
    location for its repository's id (W016 rewrites that where the served name is given)."""
    command = value.get("start_command") if key == "docker_server" and isinstance(value, dict) else None
    if not isinstance(command, str):
        return [value]
    block = before.get("model_cache") or before.get("hf_cache") or []
    variants = [value]
    for entry in block if isinstance(block, list) else []:
        try:
            plan = mapping.plan_entry(entry, Context())
        except (mapping.RuleError, AttributeError, TypeError):
            continue
        repo_id = plan.repo_id.removeprefix("hf://")
        if plan.kind == "hf" and f" {repo_id} " in f" {command} ":
            served = f" {command} ".replace(f" {repo_id} ", f" {plan.mount_location} ")[1:-1]
            variants.append({**value, "start_command": served})
            # the id a server is given to name the model by stays: clients ask for it
            words = command.split(" ")
            named = [
                plan.mount_location if w == repo_id and i and words[i - 1] not in SERVED_NAME_FLAGS else w
                for i, w in enumerate(words)
            ]
            variants.append({**value, "start_command": " ".join(named)})
    return variants


SERVED_NAME_FLAGS = ("--served-model-name", "--served_model_name")


STATUSES = {"migrated", "unchanged", "failed"}  # write mode: "would-migrate" only under --check/--diff
LINE = re.compile(r"^\S+:\d+:\d+: [EW]\d{3} \S")


# A Unicode line break in a plain start command: its scalar cannot be edited in place (W030)
UNEDITABLE_COMMAND = (
    'docker_server:\n  start_command: bash -c "truss-transfer-cli && router --port 7997\n'
    '    --model-id /app/model_cache/m --max-concurrent-reque\u2028\n    1024"\n'
    "model_cache:\n- repo_id: org/name\n  use_volume: true\n  volume_folder: m\n"
).encode()


@pytest.mark.slow  # hypothesis: 300 mutated corpus configs
@needs_corpus_files
@SETTINGS_B
@given(mutations())
@example((0, UNEDITABLE_COMMAND, []))
def test_mutated_corpus_configs(case):
    _index, data, _done = case
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "config.yaml")
        with open(path, "wb") as handle:
            handle.write(data)
        result = pipeline.process(Target(path, path), Options(write=True, context=Context(code=False)))
        with open(path, "rb") as handle:
            now = handle.read()
        leftovers = [n for n in os.listdir(folder) if n != "config.yaml"]

    event(f"status: {result.status}")
    for diag in result.diagnostics:
        if diag.severity == "error":
            event(f"error: {diag.code}")
    assert leftovers == []
    assert result.status in STATUSES, result
    for diag in result.diagnostics:
        assert diag.code in CODES, diag
        assert LINE.match(diag.format(path)), diag.format(path)
    # runner turns an exception of the editor into E099 "internal error: <Type>: ..."; the editor
    # promises never to raise for bad input, so that is a bug even though the file is safe
    assert not [d for d in result.diagnostics if re.match(r"internal error: \w+(Error|Exception)\b", d.message)], result
    errors = [d for d in result.diagnostics if d.severity == "error"]
    if result.status == "failed":
        assert errors
    else:
        assert not errors, errors
    if result.status != "migrated":
        assert now == data, "a file that was not migrated changed"
        return

    # written: the input was YAML text, and so is the output
    assert composes(data) is not None, "a file that does not parse was written"
    assert now != data
    out = now.decode("utf-8")
    assert composes(now) is not None, "the written file does not parse"
    before, after = constructed(data), constructed(now)
    if before is None:  # the input has a value no safe loader constructs: check `weights` alone
        root = composes(now)
        weights = [v for k, v in root.value if getattr(k, "value", None) == "weights"]
        assert len(weights) == 1
        assert schema.problems(yaml.SafeLoader("").construct_object(weights[0], deep=True), SEED) == []
        return
    assert isinstance(after, dict), out
    assert "model_cache" not in after and "hf_cache" not in after
    assert schema.problems(after.get("weights"), SEED) == []
    block = "model_cache" if before.get("model_cache") else "hf_cache"
    old = [k for k in before if k != "weights" or before["weights"]]
    assert list(after) == ["weights" if k == block else k for k in old]
    # W030: `truss-transfer-cli` stays where its scalar cannot be edited in place (reported, not dropped)
    kept = any(d.code == "W030" for d in result.diagnostics)
    for key in old:
        if key != block:
            allowed = served_from_mounts(key, expected_other(key, before[key], before), before)
            allowed += served_from_mounts(key, before[key], before) if kept else []
            assert after[key] in allowed, key
    # and it means the plan of the entries as loaded (when this loader reads them as the tool
    # does: ruamel's YAML 1.1 takes `y`/`n` for booleans, PyYAML and the tool do not)
    ctx = Context(declares_hf_secret=isinstance(before.get("secrets"), dict) and "hf_access_token" in before["secrets"])
    try:
        planned = [mapping.plan_entry(e, ctx).weight for e in before[block]]
    except (mapping.RuleError, AttributeError, TypeError):
        event("entries read differently by ruamel's YAML 1.1: plan not compared")
        return
    assert after["weights"] == planned
