"""Configs read exactly as truss reads them (PyYAML's `safe_load`, YAML 1.1).

1. discovery: every file mentioning a block key is parsed, whatever its layout;
2. scalars: resolved and constructed as PyYAML's SafeLoader does, in the mapping, the
   verification and the validators;
3. files libyaml-in-ruamel rejects but PyYAML reads (a URL in a flow collection) migrate;
6. the nesting bound counts structure, not the lines of block scalars, comments or quotes.
And a property: for every corpus file, generated config and mutated input the tool accepts,
its reading of every scalar (value and position) is PyYAML's.
"""

from __future__ import annotations

import math
import re

import pytest
import test_fuzz
import test_properties
import yaml
from hypothesis import given
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from support import CORPUS, NO_CORPUS

from migrate.config import edit as config_edit
from migrate.config import read
from migrate.config.text import edit as text_edit
from migrate.core.context import SEED, TRUSS, Context
from migrate.run import pipeline
from migrate.run.discover import Target
from migrate.run.pipeline import Options

ENTRY = "  - repo_id: org/a\n    use_volume: true\n    volume_folder: a\n"
WEIGHTS = "weights:\n  - source: hf://org/a\n    mount_location: /app/model_cache/a\n"


def migrate(src: str, dialect=SEED):
    return config_edit.migrate(src, Context(dialect=dialect))


def process(tmp_path, src: str, dialect=SEED):
    path = tmp_path / "config.yaml"
    path.write_bytes(src.encode())
    result = pipeline.process(
        Target(str(path), str(path)), Options(write=True, context=Context(dialect=dialect, code=False))
    )
    return result, path.read_bytes().decode()


# --- 1. discovery: a strict superset is parsed ---------------------------------------------------

DISCOVERY = [
    pytest.param(
        '{"model_cache": [{"repo_id": "org/a", "use_volume": true, "volume_folder": "a"}]}\n',
        '{"weights": [{"source": "hf://org/a", "mount_location": "/app/model_cache/a"}]}\n',
        id="json-one-line",
    ),
    pytest.param(
        '{\n  "model_name": "x",\n  "model_cache": [\n    {\n      "repo_id": "org/a",\n      "use_volume": true,\n'
        '      "volume_folder": "a"\n    }\n  ]\n}\n',
        '{\n  "model_name": "x",\n  "weights": [\n    {\n      "source": "hf://org/a",\n'
        '      "mount_location": "/app/model_cache/a"\n    }\n  ]\n}\n',
        id="json-pretty",
    ),
    pytest.param(
        '{"python_version": "py311", "model_cache": [{"repo_id": "org/a", "use_volume": true, "volume_folder": "a"}],'
        ' "requirements": []}',
        '{"python_version": "py311", "weights": [{"source": "hf://org/a", "mount_location": "/app/model_cache/a"}],'
        ' "requirements": []}',
        id="json-no-final-newline",
    ),
    pytest.param(
        "  model_name: x\n  model_cache:\n    - repo_id: org/a\n      use_volume: true\n      volume_folder: a\n",
        "  model_name: x\n  weights:\n    - source: hf://org/a\n      mount_location: /app/model_cache/a\n",
        id="indented-document",
    ),
    pytest.param(
        "    model_cache:\n    - repo_id: org/a\n      use_volume: true\n      volume_folder: a\n",
        "    weights:\n    - source: hf://org/a\n      mount_location: /app/model_cache/a\n",
        id="indented-four",
    ),
    pytest.param(
        "# c\n  hf_cache:\n    - repo_id: org/a\n      use_volume: true\n      volume_folder: a\n",
        "# c\n  weights:\n    - source: hf://org/a\n      mount_location: /app/model_cache/a\n",
        id="indented-hf-cache",
    ),
    pytest.param(
        "? model_cache\n: - repo_id: org/a\n    use_volume: true\n    volume_folder: a\n",
        "? weights\n: - source: hf://org/a\n    mount_location: /app/model_cache/a\n",
        id="explicit-key",
    ),
    pytest.param(
        "model_name: x\r" + "model_cache:\r" + ENTRY.replace("\n", "\r"),
        "model_name: x\r" + WEIGHTS.replace("\n", "\r"),
        id="bare-cr",
    ),
    pytest.param("model_cache:\r" + ENTRY.replace("\n", "\r"), WEIGHTS.replace("\n", "\r"), id="bare-cr-first"),
    pytest.param(
        "{model_cache: [{repo_id: org/a, use_volume: true, volume_folder: a}]}\n",
        '{weights: [{source: "hf://org/a", mount_location: /app/model_cache/a}]}\n',
        id="flow-top-level",
    ),
    pytest.param(
        "{model_name: x, hf_cache: [{repo_id: org/a, use_volume: true, volume_folder: a}]}\n",
        '{model_name: x, weights: [{source: "hf://org/a", mount_location: /app/model_cache/a}]}\n',
        id="flow-top-hf-cache",
    ),
    pytest.param('"model\\x5fcache":\n' + ENTRY, '"weights":\n' + WEIGHTS.split("\n", 1)[1], id="escaped-key-x"),
    pytest.param('"\\u006dodel_cache":\n' + ENTRY, '"weights":\n' + WEIGHTS.split("\n", 1)[1], id="escaped-key-u"),
    pytest.param("--- \nmodel_cache:\n" + ENTRY, "--- \n" + WEIGHTS, id="document-marker"),
    pytest.param("%YAML 1.1\n---\nmodel_cache:\n" + ENTRY, "%YAML 1.1\n---\n" + WEIGHTS, id="yaml-directive"),
]

DISCOVERY_TRUSS = [
    pytest.param(
        '{"external_data": [{"url": "https://x.co/a.bin", "local_data_path": "a.bin"}]}\n',
        '{"weights": [{"source": "https://x.co/a.bin", "mount_location": "/app/data/a.bin"}]}\n',
        id="json-external-data",
    ),
    pytest.param(
        "  external_data:\n    - url: https://x.co/a.bin\n      local_data_path: a.bin\n",
        "  weights:\n    - source: https://x.co/a.bin\n      mount_location: /app/data/a.bin\n",
        id="indented-external-data",
    ),
    pytest.param(
        "model_name: x\rexternal_data:\r  - url: https://x.co/a.bin\r    local_data_path: a.bin\r",
        "model_name: x\rweights:\r  - source: https://x.co/a.bin\r    mount_location: /app/data/a.bin\r",
        id="bare-cr-external-data",
    ),
]

DISCOVERY_NOOP = [
    pytest.param("model_name: x\nmodel_metadata:\n  model_cache:\n    - repo_id: org/a\n", id="nested-mapping"),
    pytest.param("a:\n  hf_cache: [x]\n", id="nested-hf-cache"),
    pytest.param("# model_cache:\n#   - repo_id: org/a\nmodel_name: x\n", id="commented-out"),
    pytest.param("environment_variables:\n  CACHE: /app/model_cache\n", id="in-a-value"),
    pytest.param('{"a": {"model_cache": [{"repo_id": "org/a"}]}}\n', id="json-nested"),
    pytest.param("- model_cache:\n  - repo_id: org/a\n", id="top-level-list"),
    pytest.param("model_cache_dir: /x\nmy_hf_cache: y\n", id="longer-keys"),
    pytest.param("model_cache: []\n", id="empty-block"),
    pytest.param("model_cache:\n", id="null-block"),
    pytest.param('start: "a\\x20b"\n', id="escape-but-no-key"),
    pytest.param("model_cache", id="bare-word"),
]


@pytest.mark.parametrize("src, expected", DISCOVERY)
def test_discovery_parses_every_layout(tmp_path, src, expected):
    result, now = process(tmp_path, src)
    assert result.status == "migrated", result.diagnostics
    assert now == expected
    assert yaml.safe_load(now)["weights"][0]["source"] == "hf://org/a"


@pytest.mark.parametrize("src, expected", DISCOVERY_TRUSS)
def test_discovery_parses_every_layout_truss(tmp_path, src, expected):
    result, now = process(tmp_path, src, TRUSS)
    assert result.status == "migrated", result.diagnostics
    assert now == expected


@pytest.mark.parametrize("src", DISCOVERY_NOOP)
def test_discovery_leaves_mentions_that_are_no_block(tmp_path, src):
    result, now = process(tmp_path, src)
    assert result.status == "unchanged", result.diagnostics
    assert now == src


# --- 2. scalars as PyYAML reads them ---------------------------------------------------------------


def revision(value: str) -> str:
    return f"model_cache:\n  - repo_id: org/a\n    revision: {value}\n    use_volume: true\n    volume_folder: a\n"


def with_revision(value: str) -> str:
    return f"weights:\n  - source: hf://org/a\n    revision: {value}\n    mount_location: /app/model_cache/a\n"


# strings to PyYAML (YAML 1.1), however a YAML 1.2 reader or ruamel's 1.1 reader takes them
STRING_REVISIONS = [
    "4831e57",
    "1e3",
    "12e5",
    "8e10",
    "0e1",
    "1E3",
    "0o17",
    "0o777",
    "0b12",
    "0x",
    "0xg1",
    "123abc",
    "y",
    "n",
    "Y",
    "N",
    "yEs",
    "nULL",
    "1_000a",
    "1.2.3",
    "v1.0",
    "+",
    "0b",
    "1e",
    "e5",
    "2024-1-2x",
    "1:3a",
    "1-2",
    "..5",
    "+.inf.",
    "abc1234def",
    "deadbeef",
    "0123x",
    "NaN",
    "inf",
]
NOT_STRINGS = {  # value: what E014 names
    "1.0e+3": "the number 1000.0",
    "1.5": "the number 1.5",
    "012": "the number 10",
    "0x1F": "the number 31",
    "0b101": "the number 5",
    "1_000": "the number 1000",
    "1:30": "the number 90",
    "1:30.5": "the number 90.5",
    "-1:30": "the number -90",
    "190:20:30": "the number 685230",
    "1.": "the number 1.0",
    ".5": "the number 0.5",
    ".inf": "the number inf",
    "-.Inf": "the number -inf",
    ".NaN": "the number nan",
    "+12": "the number 12",
    "0": "the number 0",
    "07": "the number 7",
    "0_": "the number 0",
    "yes": "the boolean true",
    "Off": "the boolean false",
    "ON": "the boolean true",
    "2024-01-02": "the date 2024-01-02",
    "1e+3": None,
}


@pytest.mark.parametrize("value", [pytest.param(v, id=f"str-{v}") for v in STRING_REVISIONS])
def test_revision_strings_to_pyyaml_migrate(value):
    assert yaml.safe_load(revision(value))["model_cache"][0]["revision"] == value  # the reference agrees
    outcome = migrate(revision(value))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == with_revision(value)
    assert yaml.safe_load(outcome.text)["weights"][0]["revision"] == value


@pytest.mark.parametrize("value, named", [pytest.param(v, n, id=f"not-str-{v}") for v, n in NOT_STRINGS.items() if n])
def test_revision_non_strings_to_pyyaml_are_refused(value, named):
    assert not isinstance(yaml.safe_load(revision(value))["model_cache"][0]["revision"], str)
    outcome = migrate(revision(value))
    assert outcome.status == "failed"
    [diag] = outcome.diagnostics
    assert (diag.code, diag.message) == ("E014", f"`revision` must be a string, not {named}")


SCALAR_ROWS = [
    # use_volume is judged as a boolean the way PyYAML reads it
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: yes\n    volume_folder: a\n", WEIGHTS, id="use-volume-yes"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: On\n    volume_folder: a\n", WEIGHTS, id="use-volume-On"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: !!bool true\n    volume_folder: a\n",
        WEIGHTS,
        id="use-volume-tagged",
    ),
    # folders and repositories that PyYAML reads as strings
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: 0o17\n",
        "weights:\n  - source: hf://org/a\n    mount_location: /app/model_cache/0o17\n",
        id="folder-0o17",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: 4831e57\n",
        "weights:\n  - source: hf://org/a\n    mount_location: /app/model_cache/4831e57\n",
        id="folder-hash",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/1e3\n    use_volume: true\n    volume_folder: a\n",
        "weights:\n  - source: hf://org/1e3\n    mount_location: /app/model_cache/a\n",
        id="repo-digits",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    revision: !!str 1.5\n    use_volume: true\n    volume_folder: a\n",
        with_revision("!!str 1.5"),
        id="revision-tagged-str",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    revision: '1.5'\n    use_volume: true\n    volume_folder: a\n",
        with_revision("'1.5'"),
        id="revision-quoted",
    ),
    pytest.param(
        "model_cache:\n  - {repo_id: org/a, revision: 4831e57, use_volume: true, volume_folder: a}\n",
        'weights:\n  - {source: "hf://org/a", revision: 4831e57, mount_location: /app/model_cache/a}\n',
        id="flow-hash",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: [1e3, '*.json']\n    use_volume: true\n    volume_folder: a\n",
        "weights:\n  - source: hf://org/a\n    allow_patterns: [1e3, '*.json', '**/*.json']\n    mount_location: /app/model_cache/a\n",
        id="pattern-1e3",
    ),
    # values beside the block keep their meaning; the verification reads them as PyYAML does
    pytest.param(
        "t: 2001-12-14 21:59:43.10 -5\nn: .NaN\nx: 0o17\ny: 012\nz: 1:30\nmodel_cache:\n" + ENTRY,
        "t: 2001-12-14 21:59:43.10 -5\nn: .NaN\nx: 0o17\ny: 012\nz: 1:30\n" + WEIGHTS,
        id="others-kept",
    ),
    pytest.param(
        "model_cache:\n" + ENTRY + "e: [.inf, -.inf, 1_0, 0b1, 0x_1, 2020-01-01]\n",
        WEIGHTS + "e: [.inf, -.inf, 1_0, 0b1, 0x_1, 2020-01-01]\n",
        id="others-flow",
    ),
]

SCALAR_REFUSED = [
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: y\n    volume_folder: a\n",
        "E014",
        id="use-volume-y-is-a-string",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: 012\n", "E014", id="folder-octal"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    use_volume: true\n    volume_folder: 1:30\n",
        "E014",
        id="folder-sexagesimal",
    ),
    pytest.param(
        "model_cache:\n  - repo_id: 2024-01-02\n    use_volume: true\n    volume_folder: a\n", "E014", id="repo-date"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: [0x1F]\n    use_volume: true\n    volume_folder: a\n",
        "E014",
        id="pattern-hex",
    ),
]


@pytest.mark.parametrize("src, expected", SCALAR_ROWS)
def test_scalars_read_as_pyyaml(src, expected):
    outcome = migrate(src)
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    before, after = yaml.safe_load(src), yaml.safe_load(outcome.text)
    assert {k: v for k, v in before.items() if k != "model_cache"} == {
        k: v for k, v in after.items() if k != "weights"
    } or "n" in before  # NaN is never equal to itself


@pytest.mark.parametrize("src, code", SCALAR_REFUSED)
def test_scalars_refused_as_pyyaml_reads_them(src, code):
    outcome = migrate(src)
    assert outcome.status == "failed"
    assert [d.code for d in outcome.diagnostics] == [code]


PLAIN_TABLE = [  # value: PyYAML's construction of `v: <value>`
    "yes",
    "Yes",
    "YES",
    "y",
    "n",
    "no",
    "on",
    "OFF",
    "true",
    "tRue",
    "~",
    "null",
    "Null",
    "nUll",
    "",
    "0",
    "-0",
    "+0",
    "012",
    "0o17",
    "0x1F",
    "0X1F",
    "0b101",
    "-0b1_1",
    "1_000",
    "1:30",
    "-1:30",
    "190:20:30",
    "1:30.5",
    "1.5",
    "1.",
    ".5",
    "1e3",
    "1.0e+3",
    "1.0e3",
    "1_0.5",
    ".inf",
    "-.inf",
    "+.INF",
    ".NaN",
    "-.nan",
    "4831e57",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2001-12-14 21:59:43 Z",
    "09",
    "08",
    "1__2",
    "+12",
    "-.5",
    "00",
    "1:5",
    "1:60",
    "abc",
    "hf://x",
    ".1E-2",
]


def _same(mine, theirs) -> bool:
    if isinstance(theirs, float) and math.isnan(theirs):
        return isinstance(mine, float) and math.isnan(mine)
    return type(mine) is type(theirs) and mine == theirs


@pytest.mark.parametrize("value", [pytest.param(v, id=f"plain-{v or 'empty'}") for v in PLAIN_TABLE])
def test_plain_scalar_values_are_pyyamls(value):
    [(_, node)] = read.compose(f"v: {value}\n").value
    assert _same(read.scalar_value(node), yaml.safe_load(f"v: {value}\n")["v"])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(t, id=t)
        for t in ["v: =", "v: !!bool maybe", "v: !!int 0b_", "v: 2020-13-45", "v: !foo x", "v: !!timestamp x"]
    ],
)
def test_scalars_pyyaml_cannot_construct_are_no_string(text):
    # PyYAML's constructors raise all four (AttributeError: an explicit !!timestamp that is none)
    with pytest.raises((yaml.YAMLError, ValueError, KeyError, AttributeError)):
        yaml.safe_load(text)
    [(_, node)] = read.compose(text).value
    assert not isinstance(read.scalar_value(node), (str, int, float, bool))


@pytest.mark.parametrize("data", ["=", "yes", "1e+3", "1:30", "012", "~", "null", "2020-01-01"])
def test_rendered_plain_only_when_it_reads_back_as_the_string(data):
    for flow in (False, True):
        text = text_edit.render_scalar(data, None, flow)
        assert yaml.safe_load(f"v: {text}\n")["v"] == data


# --- 3. what PyYAML reads, libyaml-in-ruamel rejects ---------------------------------------------

FLOW_URLS = [
    pytest.param(
        "model_cache:\n  - {repo_id: s3://b/p, kind: s3, use_volume: true, volume_folder: a}\n",
        "weights:\n  - {source: s3://b/p, mount_location: /app/model_cache/a}\n",
        id="s3-in-flow-entry",
    ),
    pytest.param(
        "model_cache:\n  - {repo_id: gs://b/p, kind: gcs, use_volume: true, volume_folder: a}\n",
        "weights:\n  - {source: gs://b/p, mount_location: /app/model_cache/a}\n",
        id="gs-in-flow-entry",
    ),
    pytest.param(
        "model_metadata: {repo: https://h.co/x}\nmodel_cache:\n" + ENTRY,
        "model_metadata: {repo: https://h.co/x}\n" + WEIGHTS,
        id="url-in-model-metadata",
    ),
    pytest.param(
        "model_cache:\n" + ENTRY + "environment_variables: {HF_ENDPOINT: https://hf.co, X: a:b}\n",
        WEIGHTS + "environment_variables: {HF_ENDPOINT: https://hf.co, X: a:b}\n",
        id="url-in-env",
    ),
    pytest.param(
        "model_cache:\n" + ENTRY + "links: [https://a.co/x, http://b.co]\n",
        WEIGHTS + "links: [https://a.co/x, http://b.co]\n",
        id="urls-in-flow-sequence",
    ),
    pytest.param(
        "model_cache: [{repo_id: org/a, use_volume: true, volume_folder: a}]\nm: {u: s3://x}\n",
        'weights: [{source: "hf://org/a", mount_location: /app/model_cache/a}]\nm: {u: s3://x}\n',
        id="flow-block-and-url",
    ),
    pytest.param(
        "model_cache:\n  - {repo_id: org/a, use_volume: true, volume_folder: a, revision: a:b}\n",
        'weights:\n  - {source: "hf://org/a", mount_location: /app/model_cache/a, revision: a:b}\n',
        id="colon-in-revision",
    ),
    pytest.param(
        "x: {a: b:c}\r\nmodel_cache:\r\n" + ENTRY.replace("\n", "\r\n"),
        "x: {a: b:c}\r\n" + WEIGHTS.replace("\n", "\r\n"),
        id="crlf-colon-in-flow",
    ),
    pytest.param(
        "\ufeffx: {u: https://h.co}\nmodel_cache:\n" + ENTRY, "\ufeffx: {u: https://h.co}\n" + WEIGHTS, id="bom"
    ),
]

STILL_INVALID = [
    pytest.param("model_cache:\n  - {repo_id: org/a\n", id="unclosed-flow"),
    pytest.param("model_cache: [a: b: c]\n", id="double-colon"),
    pytest.param("a: {b: c}}\nmodel_cache: []\n", id="stray-brace"),
    pytest.param("model_cache:\n  - repo_id: org/a\n---\nb: 1\n", id="two-documents"),
]


@pytest.mark.parametrize("src, expected", FLOW_URLS)
def test_flow_urls_migrate(src, expected):
    outcome = migrate(src)
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert yaml.safe_load(outcome.text.lstrip("\ufeff"))["weights"]


@pytest.mark.parametrize("src", STILL_INVALID)
def test_invalid_yaml_is_still_e001(src):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(src)
    outcome = migrate(src)
    assert outcome.status == "failed"
    assert [d.code for d in outcome.diagnostics] == ["E001"]


def test_flow_text_written_by_the_tool_is_read_by_the_c_parser():
    from migrate.config import pyyaml_rules

    out = migrate("model_cache: [{repo_id: org/a, use_volume: true, volume_folder: a}]\nm: x\n").text
    pyyaml_rules._CLoader(out).get_single_node()  # `hf://` quoted in flow: no fallback needed


# --- 6. nesting counts structure ----------------------------------------------------------------------


def _deep_lines(levels: int) -> str:
    return "".join(" " * (i + 2) + "x\n" for i in range(levels))


NESTING = [
    pytest.param("start: |\n" + _deep_lines(700), id="literal-block"),
    pytest.param("start: >-\n" + _deep_lines(700), id="folded-block"),
    pytest.param("start: |+\n  a\n" + " " * 900 + "b\n", id="one-deep-line"),
    pytest.param("a:\n  b: |\n" + "".join(" " * (i + 4) + "x\n" for i in range(600)), id="block-in-mapping"),
    pytest.param("c:\n" + "".join(" " * (i + 1) + "# x\n" for i in range(700)), id="deep-comments"),
    pytest.param(
        'q: "a\n' + "".join(" " * (i + 1) + "x\n" for i in range(700)) + '  "\n', id="deep-quoted-continuation"
    ),
    pytest.param('q: "' + "[" * 700 + '"\n', id="brackets-in-quotes"),
    pytest.param("q: '" + "{" * 700 + "'\n", id="braces-in-single-quotes"),
    pytest.param("# " + "[" * 700 + "\n", id="brackets-in-comment"),
    pytest.param("s: |\n  " + "[" * 700 + "\n", id="brackets-in-block"),
    pytest.param("x: " + "[" * 200 + "]" * 200 + "\ny: " + "[" * 200 + "]" * 200 + "\n", id="wide-not-deep"),
    pytest.param("l:\n" + "".join("  - " + "[" * 100 + "]" * 100 + "\n" for _ in range(10)), id="many-flow-items"),
]

TOO_DEEP = [
    pytest.param("model_cache: " + "[" * 600 + "]" * 600 + "\n", id="flow"),
    pytest.param("model_cache:\n" + "- " * 600 + "x\n", id="dashes"),
    pytest.param("model_cache:\n" + "".join(" " * i + f"k{i}:\n" for i in range(600)), id="indentation"),
    pytest.param("model_cache: " + "[" * 600 + "a: s3://x", id="flow-unclosed-with-colon"),
    pytest.param("? a\n: " + "- " * 600 + "x\nmodel_cache: []\n", id="dashes-after-explicit-value"),
    pytest.param("a: |\n  x\nmodel_cache: " + "{a: " * 600 + "}" * 600 + "\n", id="after-a-block"),
]


@pytest.mark.parametrize("other", NESTING)
def test_deep_text_that_is_no_structure_migrates(other):
    src = "model_cache:\n" + ENTRY + other
    outcome = migrate(src)
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == WEIGHTS + other


@pytest.mark.parametrize("src", TOO_DEEP)
def test_deep_structure_is_still_refused(src):
    outcome = migrate(src)
    assert outcome.status == "failed"
    assert [(d.code, d.line) for d in outcome.diagnostics] == [("E001", 1)]


# --- the property: every scalar read as PyYAML reads it --------------------------------------------


def assert_reads_as_pyyaml(text: str, ends: bool = True) -> None:
    """Our node tree of text has PyYAML's shape, scalar values and scalar positions."""
    text = text.lstrip("\ufeff")
    mine = read.compose(text)
    pyyaml = yaml.SafeLoader(text)
    try:
        theirs = pyyaml.get_single_node()
        _walk(mine, theirs, pyyaml, set(), ends, _character_columns(text))
    finally:
        pyyaml.dispose()


def _character_columns(text: str):
    """PyYAML's (line, column) -> (line, character column): PyYAML does not count a byte-order mark
    inside a line as a column, while positions here (and libyaml's) count every character."""
    if "\ufeff" not in text:
        return lambda line, column: (line, column)
    lines = re.split("\r\n|[\r\n\x85\u2028\u2029]", text)

    def convert(line: int, column: int) -> tuple[int, int]:
        chars = lines[line] if line < len(lines) else ""
        seen = at = 0
        while at < len(chars) and seen < column:
            seen += chars[at] != "\ufeff"
            at += 1
        return line, at

    return convert


def _walk(mine, theirs, pyyaml, seen: set, ends: bool = True, at=lambda line, column: (line, column)) -> None:
    if theirs is None or mine is None:
        assert mine is theirs is None
        return
    if id(mine) in seen:
        return
    seen.add(id(mine))
    assert (mine.start_mark.line, mine.start_mark.column) == at(theirs.start_mark.line, theirs.start_mark.column)
    if isinstance(theirs, yaml.ScalarNode):
        assert isinstance(mine, ScalarNode)
        if ends:  # byte-mutated inputs: libyaml and PyYAML may end an odd scalar a column apart
            assert (mine.end_mark.line, mine.end_mark.column) == at(theirs.end_mark.line, theirs.end_mark.column)
        assert (mine.value, mine.style or None) == (theirs.value, theirs.style or None)
        try:
            expected = pyyaml.construct_object(theirs, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, KeyError):
            assert not isinstance(read.scalar_value(mine), (str, int, float, bool, type(None)))
            return
        assert _same(read.scalar_value(mine), expected), (mine.value, theirs.tag)
    elif isinstance(theirs, yaml.SequenceNode):
        assert isinstance(mine, SequenceNode) and len(mine.value) == len(theirs.value)
        for a, b in zip(mine.value, theirs.value):
            _walk(a, b, pyyaml, seen, ends, at)
    else:
        assert isinstance(mine, MappingNode) and len(mine.value) == len(theirs.value)
        for (ka, va), (kb, vb) in zip(mine.value, theirs.value):
            _walk(ka, kb, pyyaml, seen, ends, at)
            _walk(va, vb, pyyaml, seen, ends, at)


def _accepted(text: str, dialect=SEED) -> list[str]:
    """The texts whose reading must be PyYAML's: the input and output of an accepted migration."""
    outcome = migrate(text.lstrip("\ufeff"), dialect)
    if outcome.status == "failed":
        return []
    return [text] + ([outcome.text] if outcome.text else [])


CORPUS_CONFIGS = sorted(CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS_CONFIGS, reason=NO_CORPUS)
@pytest.mark.parametrize("dialect", [SEED, TRUSS], ids=["seed", "truss"])
def test_corpus_reads_as_pyyaml(dialect):
    checked = 0
    for path in CORPUS_CONFIGS:
        for text in _accepted(path.read_text(encoding="utf-8"), dialect):
            assert_reads_as_pyyaml(text)
            checked += 1
    assert checked > len(CORPUS_CONFIGS)


ALL_ROWS = [
    pytest.param(p.values[0], id=p.id) for table in (DISCOVERY, DISCOVERY_NOOP, SCALAR_ROWS, FLOW_URLS) for p in table
]


@pytest.mark.parametrize("src", ALL_ROWS)
def test_rows_read_as_pyyaml(src):
    for text in _accepted(src):
        assert_reads_as_pyyaml(text)


@pytest.mark.slow  # hypothesis: 200 generated configs
@test_properties.SETTINGS
@given(test_properties.cases())
def test_generated_cases_read_as_pyyaml(case):
    for text in _accepted(case.text):
        assert_reads_as_pyyaml(text)


@pytest.mark.slow  # hypothesis: 150 generated configs
@test_fuzz.SETTINGS_A
@given(test_fuzz.configs())
def test_generated_configs_read_as_pyyaml(case):
    for text in _accepted(case.text()):
        assert_reads_as_pyyaml(text)


@pytest.mark.slow  # hypothesis: 300 mutated corpus configs
@test_fuzz.needs_corpus_files
@test_fuzz.SETTINGS_B
@given(test_fuzz.mutations())
def test_mutated_inputs_read_as_pyyaml(case):
    _, data, _ = case
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    for accepted in _accepted(text):
        assert_reads_as_pyyaml(accepted, ends=False)


def _pyyaml_reads(text: str) -> bool:
    try:
        yaml.safe_load(text.lstrip("\ufeff"))
    except yaml.YAMLError:
        return False
    return True


# --- tabs: libyaml takes some PyYAML (truss) refuses; the tool refuses them too ---------------

TABS = [
    pytest.param("a: b\t", False, id="after-a-value-at-the-end"),
    pytest.param("a: b\t\n", False, id="after-a-value"),
    pytest.param("a: b\t# c\n", False, id="before-a-comment"),
    pytest.param("a:\t\n", False, id="after-a-key"),
    pytest.param('a: "b"\t', False, id="after-a-quoted-value"),
    pytest.param("a: [b]\t", False, id="after-a-flow-sequence"),
    pytest.param("a: b\tc\n", False, id="inside-a-plain-value"),
    pytest.param("a:\n  - b\t\n", False, id="after-a-list-item"),
    pytest.param("a: [b,\tc]\n", False, id="between-flow-items"),
    pytest.param("a: [b,\n\tc]\n", False, id="leading-a-line-in-a-flow-sequence"),
    pytest.param("a: {b: 1,\n  \tc: 2}\n", False, id="leading-a-line-in-a-flow-mapping"),
    pytest.param("a: 1\n  \t\nb: 2\n", False, id="in-a-line-of-blanks"),
    pytest.param("a: 1\n\t# c\n", False, id="before-a-comment-line"),
    pytest.param('a: ["b",\n  "c\td"]\n', True, id="inside-quotes-in-a-flow-sequence"),
    pytest.param('a: "b\tc"\n', True, id="inside-double-quotes"),
    pytest.param("a: 'x\ty'\n", True, id="inside-single-quotes"),
    pytest.param("a: |\n  x\ty\n", True, id="inside-a-literal-block"),
    pytest.param("a: >\n  x\t\n", True, id="inside-a-folded-block"),
    pytest.param("a: b # c\td\n", True, id="inside-a-comment"),
    pytest.param("# c\td\na: 1\n", True, id="inside-a-comment-line"),
]


@pytest.mark.parametrize("text, reads", TABS)
def test_tabs_are_read_as_pyyaml_reads_them(text, reads):
    assert _pyyaml_reads(text) is reads  # the row says what PyYAML does
    try:
        read.compose(text)
    except read.Failure as failure:
        assert not reads
        assert failure.diagnostic.code == "E001"
    else:
        assert reads


# A tab leading a line inside a flow collection (or a line of blanks): libyaml takes it, PyYAML
# refuses it ("found character '\\t' that cannot start any token"). (config, line, column of the tab)
FLOW_TABS = [
    pytest.param(
        'model_cache:\n  - repo_id: org/a\n    allow_patterns: ["*.json",\n\t"*.bin"]\n', 4, 1, id="flow-list-item"
    ),
    pytest.param(
        "model_cache:\n  - repo_id: org/a\n    allow_patterns: [\n      '*.json',\n  \t'*.bin',\n    ]\n",
        5,
        3,
        id="flow-list-item-after-spaces",
    ),
    pytest.param("model_cache:\n  - {repo_id: org/a,\n\tuse_volume: false}\n", 3, 1, id="flow-entry-key"),
    pytest.param("model_cache: [\n\t{repo_id: org/a}]\n", 2, 1, id="flow-block-value"),
    pytest.param("a: [x,\n\t\ty]\nmodel_cache:\n  - repo_id: org/a\n", 2, 1, id="beside-the-block"),
    pytest.param("model_cache:\n  - repo_id: org/a\n  \t\nb: 1\n", 3, 3, id="line-of-blanks"),
]


@pytest.mark.parametrize("text, line, col", FLOW_TABS)
def test_a_tab_leading_a_line_in_a_flow_collection_is_refused_as_pyyaml_refuses_it(text, line, col):
    with pytest.raises(yaml.YAMLError) as refused:
        yaml.safe_load(text)
    mark = refused.value.problem_mark
    assert "found character '\\t' that cannot start any token" in str(refused.value)
    assert (mark.line + 1, mark.column + 1) == (line, col)
    outcome = migrate(text)
    assert outcome.status == "failed" and outcome.text is None
    assert [(d.line, d.col, d.code) for d in outcome.diagnostics] == [(line, col, "E001")]


# --- a block scalar's header with a comment glued to it: libyaml reads the comment, PyYAML refuses

# (config, whether PyYAML reads it); a refused one is E001 at PyYAML's place, the file left as it is
HEADERS = [
    pytest.param("a: |#c\n  x\n", False, id="literal"),
    pytest.param("a: >#c\n  x\n", False, id="folded"),
    pytest.param("a: |-#c\n  x\n", False, id="with-chomping"),
    pytest.param("a: >2#c\n   x\n", False, id="with-indentation"),
    pytest.param("a: |+2#c\n  x\n", False, id="with-both"),
    pytest.param("a:\n |#image: x\n  image: y\n", False, id="a-commented-line-run-into"),
    pytest.param("a: | #c\n  x\n", True, id="a-blank-before-the-comment"),
    pytest.param("a: |\n  #c\n", True, id="a-hash-in-the-block"),
    pytest.param("a: x |#c\n", True, id="in-a-plain-scalar"),
    pytest.param("a: 'x |#c'\n", True, id="in-a-quoted-scalar"),
    pytest.param("a: b # |#c\n", True, id="in-a-comment"),
]


def _migrated_as_pyyaml_reads_it(text: str, reads: bool) -> None:
    """text beside a block: migrated where PyYAML reads it, else E001 where PyYAML refuses it."""
    assert _pyyaml_reads(text) is reads  # the row says what PyYAML does
    src = text + "model_cache:\n  - repo_id: org/a\n"
    outcome = migrate(src)
    if reads:
        assert outcome.status == "migrated"
        return
    with pytest.raises(yaml.YAMLError) as refused:
        yaml.safe_load(src)
    mark = refused.value.problem_mark
    assert outcome.status == "failed" and outcome.text is None
    assert [(d.line, d.col, d.code) for d in outcome.diagnostics] == [(mark.line + 1, mark.column + 1, "E001")]


@pytest.mark.parametrize("text, reads", HEADERS)
def test_a_block_scalar_header_is_read_as_pyyaml_reads_it(text, reads):
    _migrated_as_pyyaml_reads_it(text, reads)
    if not reads:
        assert not read.surely_readable(text)  # the C check leaves it to the full reading


# --- an anchor given twice: ruamel warns, PyYAML (truss) refuses it -------------------------------

ANCHORS = [
    pytest.param("a: &x 1\nb: &x 2\n", False, id="twice"),
    pytest.param("a: &x 1\nb: &x 2\nc: *x\n", False, id="twice-then-an-alias"),
    pytest.param("a: &x [1, &x 2]\n", False, id="inside-its-own-node"),
    pytest.param("&x a: 1\nb: &x 2\n", False, id="on-a-key"),
    pytest.param("a: &x 1\nb: &y 2\nc: *x\n", True, id="two-names"),
    pytest.param("a: &x 1\nb: *x\nc: *x\n", True, id="one-anchor-two-aliases"),
    pytest.param("a: 'x &x'\nb: x &x\n", True, id="in-scalars"),
]


@pytest.mark.parametrize("text, reads", ANCHORS)
def test_an_anchor_given_twice_is_refused_as_pyyaml_refuses_it(text, reads):
    _migrated_as_pyyaml_reads_it(text, reads)


def test_a_tab_after_a_value_is_refused_at_its_place():
    outcome = migrate("model_cache:\n  - repo_id: a/b\t\n")
    assert outcome.status == "failed"
    assert [(d.line, d.col, d.code) for d in outcome.diagnostics] == [(2, 17, "E001")]


ANCHOR_NAMES = [
    pytest.param("model_cache:\n- repo_id: org/a\n  volume_folder: &: m\n", id="colon-anchor"),
    pytest.param("a: &x.y 1\nb: {c: d:e}\nmodel_cache: []\n", id="dotted-anchor-beside-a-flow-colon"),
    pytest.param("a: &x/y 1\nb: *x/y\nc: [d:e]\nmodel_cache: []\n", id="slash-anchor-and-its-alias"),
]


@pytest.mark.parametrize("text", ANCHOR_NAMES)
def test_an_anchor_name_pyyaml_does_not_scan_is_refused(text):
    """ruamel's Python parser (read for a flow `:` libyaml refuses) names an anchor with any
    character YAML 1.2 allows; PyYAML scans only letters, digits, `_` and `-`."""
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(read.Failure) as failure:
        read.compose(text)
    assert failure.value.diagnostic.code == "E001"


def test_an_anchor_pyyaml_scans_beside_a_flow_colon_is_read():
    text = "a: &x-1_b 1\nb: *x-1_b\nc: {d: e:f}\nmodel_cache: []\n"
    assert yaml.safe_load(text)["c"] == {"d": "e:f"}
    assert read.compose(text) is not None


UNICODE_BREAKS = [
    pytest.param("k\u2028ey: 1\nmodel_cache: []\n", id="ls-inside-a-plain-key"),
    pytest.param("a: b\u2028c\nmodel_cache: []\n", id="ls-inside-a-plain-value"),
    pytest.param("a: b\x85c\nmodel_cache: []\n", id="nel-inside-a-plain-value"),
    pytest.param("a: b\u2029c\nmodel_cache: []\n", id="ps-inside-a-plain-value"),
]


@pytest.mark.parametrize("text", UNICODE_BREAKS)
def test_a_unicode_line_break_inside_a_plain_scalar_is_refused_as_pyyaml_refuses_it(text):
    """PyYAML (as truss) breaks a line at NEL, LS and PS, as libyaml does: a key or value split by one
    is no YAML to it, so the file is not migrated (E001), whatever a more lenient reader makes of it."""
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(read.Failure) as failure:
        read.compose(text)
    assert failure.value.diagnostic.code == "E001"
