"""Property tests: whole config.yaml texts through `migrate_text`.

The strategy builds model_cache entries (kinds, bare or prefixed ids, revisions,
volumes, secrets, patterns), renders them inside a config with other keys and
comments, in block or flow style with random indentation and quoting, and
checks that the migration means exactly what the rules plan and keeps
everything else byte for byte.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from support import examples

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import DEFAULT_MOUNT_ROOT, Context
from migrate.core.mapping import plan_entry

pytestmark = pytest.mark.slow  # hypothesis: 200 generated configs per test

SETTINGS = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
SCHEMES = {"s3": "s3://", "gcs": "gs://", "azure": "azure://"}
PATTERNS = ["*.json", "*.safetensors", "*.bin", "tokenizer*", "model-*.gguf", "*.md", "config.json"]


def _loader(version=None, pure=False) -> YAML:
    yaml = YAML(typ="safe", pure=pure)
    if version:
        yaml.version = version
    return yaml


# The tool reads with libyaml (YAML 1.1, as Truss's PyYAML does); the tests read with
# ruamel's safe loader. A plain scalar is only written when every reader agrees on it.
_READERS = [_loader(), _loader((1, 1)), _loader(pure=True)]
LOAD = _loader()


def load(text: str):
    return LOAD.load(text)


@functools.cache
def plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or value[0] in "*&!|>'\"%@`#,[]{}?:-":
        return False
    doc = f"k: [{value}]" if flow else f"k: {value}"
    for reader in _READERS:
        try:
            data = reader.load(doc)
        except Exception:
            return False
        if data != {"k": [value] if flow else value}:
            return False
    return True


# -- entries ------------------------------------------------------------------------------

segment = st.text(ALNUM + "-_.", min_size=1, max_size=8).filter(lambda s: s[0] in ALNUM)
sha = st.binary(min_size=20, max_size=20).map(bytes.hex)


@st.composite
def repo_and_kind(draw):
    """(kind or None, repo_id) consistent with each other."""
    kind = draw(st.sampled_from([None, "hf", "s3", "gcs", "azure"]))
    family = kind
    if kind is None:  # bare/hf:// HF ids, or a cloud scheme the kind is inferred from
        family = draw(st.sampled_from(["hf", "hf", "s3", "gcs", "azure"]))
    if family == "hf":
        repo = f"{draw(segment)}/{draw(segment)}"
        if draw(st.booleans()) and draw(st.booleans()):
            repo = "hf://" + repo
        return kind, repo
    parts = [draw(segment) for _ in range(draw(st.integers(1, 3)))]
    path = "/".join(parts) + ("/" if len(parts) > 1 and draw(st.integers(0, 5)) == 0 else "")
    prefixed = kind is None or draw(st.booleans())
    return kind, (SCHEMES[family] + path if prefixed else path)


@st.composite
def folder(draw):
    name = draw(segment)
    form = draw(st.sampled_from(["rel", "rel", "nested", "abs", "messy", "dot"]))
    if form == "nested":
        return f"{name}/{draw(segment)}"
    if form == "abs":
        return f"/models/{name}"
    if form == "messy":
        return f"{name}//{draw(segment)}/"
    if form == "dot":
        return f"./{name}"
    return name


@st.composite
def entry(draw):
    kind, repo = draw(repo_and_kind())
    data = {"repo_id": repo}
    if kind is not None:
        data["kind"] = kind
    revision = draw(st.one_of(st.none(), st.just("main"), sha, st.just("")))
    if revision is not None:
        data["revision"] = revision
    elif draw(st.integers(0, 9)) == 0:
        data["revision"] = None  # written `revision: null`: dropped
    use_volume = draw(st.sampled_from([None, True, True, False]))
    if use_volume is not None:
        data["use_volume"] = use_volume
    if use_volume or draw(st.integers(0, 3)) == 0:
        data["volume_folder"] = draw(folder())
    if draw(st.booleans()):
        data["runtime_secret_name"] = draw(st.sampled_from(["hf_access_token", "aws_credentials", "my_secret"]))
    for key in ("allow_patterns", "ignore_patterns"):
        if draw(st.integers(0, 2)) == 0:
            data[key] = draw(st.lists(st.sampled_from(PATTERNS), min_size=0, max_size=3, unique=True))
    order = draw(st.permutations(list(data)))
    if draw(st.booleans()):  # most real entries start with repo_id
        order = ["repo_id"] + [k for k in order if k != "repo_id"]
    return {k: data[k] for k in order}


# -- rendering --------------------------------------------------------------------------


@dataclass
class Case:
    prefix: str
    block: str
    suffix: str
    entries: list
    block_key: str
    ctx: Context  # what migrate_text is given
    expected_ctx: Context  # with declares_hf_secret as the text says
    comments: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.prefix + self.block + self.suffix


class Renderer:
    def __init__(self, draw):
        self.draw = draw
        self.comments: list[str] = []

    def comment(self, chance: int = 3) -> str:
        """Sometimes an end-of-line comment (with its leading spaces)."""
        if self.draw(st.integers(0, chance - 1)) != 0:
            return ""
        text = f"# note {len(self.comments)}."
        self.comments.append(text)
        return self.draw(st.sampled_from(["  ", " ", "    "])) + text

    def line_comment(self, indent: int) -> str:
        text = f"# note {len(self.comments)}."
        self.comments.append(text)
        return " " * indent + text

    def key(self, key: str) -> str:
        return self.draw(st.sampled_from([key, key, key, f'"{key}"', f"'{key}'"]))

    def scalar(self, value, flow: bool) -> str:
        if value is None:
            return self.draw(st.sampled_from(["null", "~"]))
        if isinstance(value, bool):
            return self.draw(st.sampled_from(["true", "True"] if value else ["false", "False"]))
        style = self.draw(st.sampled_from(["plain", "single", "double"]))
        if style == "plain" and plain_ok(value, flow):
            return value
        if style == "plain":
            style = self.draw(st.sampled_from(["single", "double"]))
        if style == "single":
            return "'" + value.replace("'", "''") + "'"
        return json.dumps(value)

    def flow_list(self, items) -> str:
        return "[" + ", ".join(self.scalar(i, True) for i in items) + "]"

    def flow_entry(self, data: dict, dash: str) -> list[str]:
        pairs = []
        for key, value in data.items():
            rendered = self.flow_list(value) if isinstance(value, list) else self.scalar(value, True)
            pairs.append(f"{self.key(key)}: {rendered}")
        sep = self.draw(st.sampled_from([", ", ",  "]))
        return [dash + "{" + sep.join(pairs) + "}" + self.comment()]

    def block_entry(self, data: dict, dash: str, key_col: int, indent: int) -> list[str]:
        lines = []
        for j, (key, value) in enumerate(data.items()):
            lead = dash if j == 0 else " " * key_col
            if j > 0 and self.draw(st.integers(0, 9)) == 0:
                lines.append(self.line_comment(key_col))
            key = self.key(key)
            if isinstance(value, list):
                if not value or self.draw(st.booleans()):
                    lines.append(f"{lead}{key}: {self.flow_list(value)}{self.comment()}")
                else:
                    lines.append(f"{lead}{key}:{self.comment()}")
                    item_col = key_col + self.draw(st.sampled_from([0, indent]))
                    for item in value:
                        lines.append(f"{' ' * item_col}- {self.scalar(item, False)}{self.comment(4)}")
            else:
                lines.append(f"{lead}{key}: {self.scalar(value, False)}{self.comment()}")
        return lines


OTHER_KEYS = {
    "model_name": "model_name: my-model  # name\n",
    "description": "description: 'A model: with a colon'\n",
    "python_version": "python_version: py311\n",
    "resources": "resources:\n  accelerator: A10G  # gpu\n  use_gpu: true\n  cpu: '4'\n",
    "environment_variables": 'environment_variables:\n  HF_HUB_ENABLE_HF_TRANSFER: "1"  # faster\n  EMPTY: ""\n',
    "requirements": "requirements:\n- torch==2.3.0  # pinned\n- transformers\n",
    "model_metadata": "model_metadata:\n    tags: ['llm', \"chat\"]\n    example_model_input: {prompt: hi, max_tokens: 16}\n",
    "build_commands": "build_commands: []\n",
}
SECRETS = {
    "declared": "secrets:\n  hf_access_token: null  # set in the UI\n",
    "other": "secrets:\n  aws_credentials: null\n",
}


@st.composite
def cases(draw):
    entries = draw(st.lists(entry(), min_size=1, max_size=4))
    mount_root = draw(st.sampled_from([DEFAULT_MOUNT_ROOT, DEFAULT_MOUNT_ROOT, "/models"]))
    secrets = draw(st.sampled_from([None, "declared", "other"]))
    ctx = Context(mount_root=mount_root)
    expected_ctx = Context(mount_root=mount_root, declares_hf_secret=secrets == "declared")
    mounts = [plan_entry(e, expected_ctx).weight["mount_location"] for e in entries]
    assume(len(set(mounts)) == len(mounts))

    r = Renderer(draw)
    # the other top-level keys, split around the block
    others = draw(st.lists(st.sampled_from(sorted(OTHER_KEYS)), unique=True, max_size=5))
    snippets = [OTHER_KEYS[k] for k in others]
    if secrets:
        snippets.insert(draw(st.integers(0, len(snippets))), SECRETS[secrets])
    cut = draw(st.integers(0, len(snippets)))
    for snippet in snippets:
        r.comments += re.findall(r"# [^\n]*", snippet)
    prefix = "".join(snippets[:cut])
    if draw(st.booleans()):
        prefix = "# Truss config, header comment\n" + prefix
        r.comments.append("# Truss config, header comment")
    if prefix and draw(st.booleans()):
        prefix += "\n"
    suffix = "".join(snippets[cut:])
    if suffix and draw(st.booleans()):
        suffix = "\n# after the block\n" + suffix
        r.comments.append("# after the block")

    # the block
    block_key = draw(st.sampled_from(["model_cache", "model_cache", "model_cache", "hf_cache"]))
    indent = draw(st.sampled_from([2, 4]))
    seq_col = draw(st.sampled_from([0, indent]))
    gap = draw(st.sampled_from([1, indent - 1])) if indent == 4 else 1
    key_col = seq_col + 1 + gap
    dash = " " * seq_col + "-" + " " * gap
    lines = [f"{block_key}:{r.comment(2)}"]
    for i, data in enumerate(entries):
        if i > 0 and draw(st.integers(0, 5)) == 0:
            lines.append("")
        if draw(st.integers(0, 5)) == 0:
            lines.append(r.line_comment(draw(st.sampled_from([seq_col, key_col]))))
        if draw(st.integers(0, 2)) == 0:
            lines += r.flow_entry(data, dash)
        else:
            lines += r.block_entry(data, dash, key_col, indent)
    if draw(st.integers(0, 5)) == 0:
        lines.append(r.line_comment(seq_col))
    block = "\n".join(lines)
    if suffix or draw(st.integers(0, 4)) != 0:  # sometimes no final newline
        block += "\n"
    return Case(prefix, block, suffix, entries, block_key, ctx, expected_ctx, r.comments)


# -- the properties ------------------------------------------------------------------------


def check(case: Case, text: str, newline: str = "\n") -> str:
    """Runs the migration of text (case rendered with `newline`) and checks (a)-(f)."""
    prefix, suffix = case.prefix.replace("\n", newline), case.suffix.replace("\n", newline)
    before = load(text)
    # the generator's own sanity: the text means what was generated
    assert before[case.block_key] == case.entries, "test generator bug"

    outcome = migrate_config(text, case.ctx)
    # (a)
    assert outcome.status == "migrated", outcome.diagnostics
    out = outcome.text
    # (b)
    after = load(out)
    assert case.block_key not in after
    assert after["weights"] == [plan_entry(e, case.expected_ctx).weight for e in case.entries]
    # (c)
    assert list(after) == ["weights" if k == case.block_key else k for k in before]
    for key, value in before.items():
        if key != case.block_key:
            assert after[key] == value, key
    # (d)
    assert out.startswith(prefix)
    assert out.endswith(suffix)
    assert out[len(prefix) :].startswith("weights:")
    # (e)
    again = migrate_config(out, case.ctx)
    assert again.status == "unchanged", again.diagnostics
    # (f)
    for comment in case.comments:
        assert comment in out, comment
    return out


# A flow entry whose first two keys are both dropped (found by this test).
FLOW_TWO_DROPPED_FIRST = Case(
    prefix="model_name: x  # name\n",
    block="model_cache:\n  - {kind: hf, use_volume: true, repo_id: org/name, volume_folder: x}\n",
    suffix="python_version: py311\n",
    entries=[{"kind": "hf", "use_volume": True, "repo_id": "org/name", "volume_folder": "x"}],
    block_key="model_cache",
    ctx=Context(),
    expected_ctx=Context(),
    comments=["# name"],
)


@SETTINGS
@example(FLOW_TWO_DROPPED_FIRST)
@given(cases())
def test_migrate_whole_config(case):
    check(case, case.text)


@SETTINGS
@given(cases())
def test_migrate_whole_config_crlf(case):
    text = case.text.replace("\n", "\r\n")
    out = check(case, text, "\r\n")
    assert re.search(r"\r(?!\n)|(?<!\r)\n", out) is None, "a line ending is not CRLF"
    assert out.endswith("\r\n") == text.endswith("\r\n")
