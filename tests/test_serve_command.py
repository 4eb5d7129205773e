"""A start command whose server is given a mounted repository by id (W016 in a config, W124 in a
Python literal): the mount is served instead where the command names the served model itself and
the mount holds the whole repository; anywhere else it is reported, on every run.

Tables of (source, expected, codes): the config rows run on a config migrating now (`model_cache`)
and on the same config already under `weights`; the result reads, as PyYAML reads it, as the input
with only the command changed, and every byte outside the edited value is kept. Beside each table a
no-op table: inputs that come back untouched, with what they report.
"""

from __future__ import annotations

import pytest
import yaml
from support import d, migrate_cli, truss_of, write

from migrate.config.edit import migrate as migrate_config
from migrate.core import serve
from migrate.core.context import TRUSS, Context
from migrate.core.diagnostics import CODES
from migrate.python.edit import migrate as migrate_python

M = "/app/model_cache/name"  # the mount of org/name, whole
LEGACY_MOUNT = "/app/model_cache/org_name"
MIGRATING = "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: name\n"
MIGRATED = f"weights:\n  - source: hf://org/name\n    mount_location: {M}\n"
FILTERED = (
    "model_cache:\n  - repo_id: org/name\n    use_volume: true\n    volume_folder: name\n"
    "    ignore_patterns:\n      - original/*\n"
)


def command(text: str) -> str:
    """A docker_server block with this start_command line (text holds the value as written)."""
    return f"docker_server:\n  start_command: {text}\n  server_port: 8000\n"


# (start_command as written, as it is after, codes): each row runs under `model_cache` and under `weights`
REWRITES = [
    pytest.param(
        "vllm serve org/name --served-model-name name --port 8000",
        f"vllm serve {M} --served-model-name name --port 8000",
        ["W016"],
        id="vllm-serve",
    ),
    pytest.param(
        "python3 -m vllm.entrypoints.openai.api_server --model  org/name -O3 --served-model-name org/name",
        f"python3 -m vllm.entrypoints.openai.api_server --model  {M} -O3 --served-model-name org/name",
        ["W016"],
        id="vllm-api-server-the-name-is-the-id",
    ),
    pytest.param(
        "python -u -m vllm.entrypoints.openai.api_server --model=org/name --served-model-name=name",
        f"python -u -m vllm.entrypoints.openai.api_server --model={M} --served-model-name=name",
        ["W016"],
        id="vllm-api-server-glued-values",
    ),
    pytest.param(
        "vllm serve org/name --served_model_name name",
        f"vllm serve {M} --served_model_name name",
        ["W016"],
        id="vllm-takes-underscores",
    ),
    pytest.param(
        'sh -c "SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1 python3 -m sglang.launch_server --model-path org/name'
        ' --tp-size 2 --served-model-name org/name --port 8000"',
        f'sh -c "SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1 python3 -m sglang.launch_server --model-path {M}'
        ' --tp-size 2 --served-model-name org/name --port 8000"',
        ["W016"],
        id="sglang-in-sh-c",
    ),
    pytest.param(
        "python3 -m sglang.launch_server --model org/name --served-model-name name",
        f"python3 -m sglang.launch_server --model {M} --served-model-name name",
        ["W016"],
        id="sglang-model-alias",
    ),
    pytest.param(
        "text-generation-launcher --model-id org/name --served-model-name name",
        f"text-generation-launcher --model-id {M} --served-model-name name",
        ["W016"],
        id="text-generation-inference",
    ),
    pytest.param(
        "exec env HF_HUB_ENABLE_HF_TRANSFER=1 /usr/local/bin/text-embeddings-router --model-id org/name"
        " --served-model-name name",
        f"exec env HF_HUB_ENABLE_HF_TRANSFER=1 /usr/local/bin/text-embeddings-router --model-id {M}"
        " --served-model-name name",
        ["W016"],
        id="text-embeddings-inference-after-exec-env",
    ),
    pytest.param(
        f"vllm serve {M} --tokenizer org/name",
        f"vllm serve {M} --tokenizer {M}",
        ["W016"],
        id="a-tokenizer-names-no-model",
    ),
    pytest.param(
        "vllm serve org/name --tokenizer org/name --served-model-name name",
        f"vllm serve {M} --tokenizer {M} --served-model-name name",
        ["W016", "W016"],
        id="model-and-tokenizer",
    ),
    pytest.param(
        """'bash -lc "cd /app && vllm serve \\"org/name\\" --served-model-name name"'""",
        f"""'bash -lc "cd /app && vllm serve \\"{M}\\" --served-model-name name"'""",
        ["W016"],
        id="escaped-quotes-in-a-quoted-script",
    ),
    pytest.param(
        '"vllm serve org/name --served-model-name name"',
        f'"vllm serve {M} --served-model-name name"',
        ["W016"],
        id="double-quoted-scalar",
    ),
    pytest.param(
        "vllm serve org/name --served-model-name name  # the server",
        f"vllm serve {M} --served-model-name name  # the server",
        ["W016"],
        id="comment-kept",
    ),
    pytest.param(
        ">-\n    vllm serve org/name\n    --served-model-name name",
        f">-\n    vllm serve {M}\n    --served-model-name name",
        ["W016"],
        id="folded-block",
    ),
    pytest.param(
        "|\n    vllm serve org/name \\\n      --served-model-name name",
        f"|\n    vllm serve {M} \\\n      --served-model-name name",
        ["W016"],
        id="literal-block-with-a-continued-line",
    ),
]

# start_command as written; each is reported (W016) and comes back untouched
REPORTED = [
    pytest.param("vllm serve org/name --port 8000", ["W016"], id="no-served-name"),
    pytest.param("vllm serve org/name --served-model-name", ["W016"], id="served-name-without-a-value"),
    pytest.param("vllm serve org/name --served-model-name --port 8000", ["W016"], id="served-name-then-a-flag"),
    pytest.param("vllm serve org/name --served-model-name=", ["W016"], id="served-name-empty"),
    pytest.param("vllm serve org/name --revision v2 --served-model-name name", ["W016"], id="another-revision-asked"),
    pytest.param('"vllm serve org\\x2fname --served-model-name name"', ["W016"], id="the-id-spelled-by-an-escape"),
    pytest.param(
        "text-generation-launcher --model-id org/name --tokenizer-config-path /x", ["W016"], id="tgi-without-a-name"
    ),
]

# start_command as written: no server given a mounted id; untouched, nothing reported
NO_OPS = [
    pytest.param(f"vllm serve {M} --served-model-name name", id="serves-the-mount"),
    pytest.param("vllm serve other/repo --served-model-name name", id="another-repository"),
    pytest.param("vllm serve org/name-v2 --served-model-name name", id="a-longer-id"),
    pytest.param("python app.py --model org/name", id="not-a-server"),
    pytest.param("echo vllm serve org/name --served-model-name name", id="echo-arguments"),
    pytest.param(f'sh -c "echo org/name && vllm serve {M} --served-model-name name"', id="echoed-id-served-mount"),
    pytest.param("huggingface-cli download org/name && vllm serve /x", id="download-command"),
    pytest.param('sh -c "$(vllm serve org/name --served-model-name n)"', id="in-a-command-substitution"),
    pytest.param("vllm serve $MODEL --served-model-name org/name", id="id-only-as-the-name"),
    pytest.param("vllm serve --port 8000 org/name", id="positional-after-options-not-read"),
    pytest.param("python -m vllm.entrypoints.openai.api_server --model org/name-x", id="prefix-of-the-id"),
]


def _meaning_with(text: str, start_command: str) -> dict:
    """What text reads as, with this start command."""
    data = yaml.safe_load(text)
    data["docker_server"]["start_command"] = start_command
    return data


def _value(written: str) -> str:
    """What a start_command value as written reads as."""
    return yaml.safe_load(command(written))["docker_server"]["start_command"]


@pytest.mark.parametrize("block", [MIGRATING, MIGRATED], ids=["migrating", "under-weights"])
@pytest.mark.parametrize("written, expected, codes", REWRITES)
def test_rewrites(written, expected, codes, block):
    src = block + command(written)
    outcome = migrate_config(src, Context())
    assert outcome.status == "migrated", outcome.diagnostics
    out = outcome.text or ""
    # the block as migrated, and every byte outside the command's value as it was
    assert out == MIGRATED + command(expected)
    assert yaml.safe_load(out) == _meaning_with(MIGRATED + command(written), _value(expected))
    assert [c.code for c in outcome.diagnostics if c.code == "W016"] == codes
    line = src.splitlines().index(f"  start_command: {written.splitlines()[0]}") + 1
    assert {(s.entry, s.loaded_from, s.line, s.code) for s in outcome.sites} >= {(0, "mount", line, "W016")}
    again = migrate_config(out, Context())
    assert again.status == "unchanged" and again.diagnostics == []
    assert [s.loaded_from for s in again.sites] == ["mount"]  # the command names the mount now


@pytest.mark.parametrize("block", [MIGRATING, MIGRATED], ids=["migrating", "under-weights"])
@pytest.mark.parametrize("written, codes", REPORTED)
def test_reported(written, codes, block):
    src = block + command(written)
    outcome = migrate_config(src, Context())
    assert yaml.safe_load(outcome.text or src)["docker_server"]["start_command"] == _value(written)
    assert [c.code for c in outcome.diagnostics if c.code == "W016"] == codes
    line = src.splitlines().index(f"  start_command: {written}") + 1
    assert [(s.loaded_from, s.line, s.code) for s in outcome.sites] == [("hub", line, "W016")]
    if block == MIGRATED:
        assert outcome.status == "unchanged"


@pytest.mark.parametrize("block", [MIGRATING, MIGRATED], ids=["migrating", "under-weights"])
@pytest.mark.parametrize("written", NO_OPS)
def test_no_ops(written, block):
    src = block + command(written)
    outcome = migrate_config(src, Context())
    assert "W016" not in [c.code for c in outcome.diagnostics]
    assert yaml.safe_load(outcome.text or src)["docker_server"] == yaml.safe_load(src)["docker_server"]
    assert all(s.loaded_from == "mount" for s in outcome.sites)
    if block == MIGRATED:
        assert outcome.status == "unchanged"


def test_the_messages_read_right_on_every_run():
    """The message names the id and the mount; a report says why it stays, and what to add."""
    src = MIGRATING + command("vllm serve org/name --port 8000")
    [report] = [c for c in migrate_config(src, Context()).diagnostics if c.code == "W016"]
    assert report.message == (
        f"start_command gives the server 'org/name' by id, which it downloads from the Hub while the truss mounts "
        f"it at '{M}'; serve '{M}' with `--served-model-name org/name` instead (a server given a path names the "
        "model after it, and clients ask for the id)"
    )
    later = migrate_config(MIGRATED + command("vllm serve org/name --port 8000"), Context())
    assert [c.message for c in later.diagnostics] == [report.message]
    src = MIGRATING + command("vllm serve org/name --served-model-name name")
    [rewrite] = [c for c in migrate_config(src, Context()).diagnostics if c.code == "W016"]
    assert rewrite.message == (
        f"start_command: 'org/name' -> '{M}': the server loads the mounted files; "
        "--served-model-name keeps the model's name for clients"
    )
    assert "W016" in CODES and "W124" in CODES


# --- what the entry allows ---------------------------------------------------------------


def test_a_filtered_mount_is_reported_with_its_patterns():
    src = FILTERED + command("vllm serve org/name --served-model-name name")
    outcome = migrate_config(src, Context())
    [report] = [c for c in outcome.diagnostics if c.code == "W016"]
    assert "left: the mount is filtered by ignore_patterns=['original/*', 'original/**/*']" in report.message
    assert "--trust-patterns" in report.message
    assert yaml.safe_load(outcome.text or "")["docker_server"] == yaml.safe_load(src)["docker_server"]
    assert [s.loaded_from for s in outcome.sites] == ["hub"]


def test_trust_patterns_serves_a_filtered_mount():
    src = FILTERED + command("vllm serve org/name --served-model-name name")
    outcome = migrate_config(src, Context(trust_patterns=True))
    assert (
        yaml.safe_load(outcome.text or "")["docker_server"]["start_command"]
        == f"vllm serve {M} --served-model-name name"
    )
    assert [s.loaded_from for s in outcome.sites] == ["mount"]


@pytest.mark.parametrize(
    "entry, asked, rewritten",
    [
        pytest.param("    revision: abc\n", "--revision abc", True, id="the-entry's-revision"),
        pytest.param("", "--revision main", True, id="the-default-branch"),
        pytest.param("    revision: abc\n", "--revision main", False, id="another-revision"),
        pytest.param("    revision: abc\n", "", True, id="the-mount-is-pinned-the-command-not"),
    ],
)
def test_a_revision_asked_must_be_the_mounted_one(entry, asked, rewritten):
    src = MIGRATING + entry + command(f"vllm serve org/name {asked} --served-model-name name".replace("  ", " "))
    outcome = migrate_config(src, Context())
    served = yaml.safe_load(outcome.text or "")["docker_server"]["start_command"]
    assert (M in served) == rewritten
    assert [s.loaded_from for s in outcome.sites] == ["mount" if rewritten else "hub"]


def test_a_truss_source_pins_its_revision_after_at():
    src = "weights:\n  - source: hf://org/name@abc\n    mount_location: /m\n" + command(
        "vllm serve org/name --revision abc --served-model-name name"
    )
    outcome = migrate_config(src, Context(dialect=TRUSS))
    assert yaml.safe_load(outcome.text or "")["docker_server"]["start_command"].startswith("vllm serve /m ")


def test_a_legacy_entry_serves_its_derived_mount():
    src = "model_cache:\n  - repo_id: org/name\n" + command("vllm serve org/name --served-model-name name")
    outcome = migrate_config(src, Context())
    assert sorted(c.code for c in outcome.diagnostics) == ["W001", "W016"]
    assert yaml.safe_load(outcome.text or "")["docker_server"]["start_command"].startswith(
        f"vllm serve {LEGACY_MOUNT} "
    )


def test_the_transfer_step_dropped_and_the_mount_served_in_one_edit():
    src = MIGRATING + command("truss-transfer-cli && vllm serve org/name --served-model-name name")
    outcome = migrate_config(src, Context())
    assert (outcome.text or "").endswith(command(f"vllm serve {M} --served-model-name name"))
    assert [c.code for c in outcome.diagnostics] == ["W004", "W016"]


def test_a_moved_mount_root_serves_the_new_location():
    src = MIGRATING + command("vllm serve org/name --served-model-name name")
    outcome = migrate_config(src, Context(mount_root="/models"))
    assert yaml.safe_load(outcome.text or "")["docker_server"]["start_command"].startswith("vllm serve /models/name ")


@pytest.mark.parametrize(
    "src",
    [
        pytest.param(
            MIGRATING + "trt_llm:\n  build: {}\n" + command("vllm serve org/name --served-model-name n"), id="trt-llm"
        ),
        pytest.param(
            "model_cache:\n  - repo_id: s3://bucket/org/name\n" + command("vllm serve org/name --served-model-name n"),
            id="a-cloud-source",
        ),
        pytest.param(
            MIGRATING + "docker_server:\n  start_command: [vllm, serve, org/name]\n", id="a-list-truss-does-not-read"
        ),
    ],
)
def test_configs_whose_command_is_not_looked_at(src):
    outcome = migrate_config(src, Context())
    assert "W016" not in [c.code for c in outcome.diagnostics]
    assert yaml.safe_load(outcome.text or src)["docker_server"] == yaml.safe_load(src)["docker_server"]


def test_a_comment_on_the_line_answers_the_report():
    src = MIGRATED + command("vllm serve org/name  # weights-migrate: ignore[W016]")
    outcome = migrate_config(src, Context())
    assert outcome.diagnostics == [] and outcome.sites == ()
    assert migrate_config(src, Context(ignore=frozenset({"W016"}))).sites == ()
    assert [s.code for s in migrate_config(MIGRATED + command("vllm serve org/name"), Context()).sites] == ["W016"]


def test_the_readers_of_a_command():
    """The ids a command gives its servers, with their roles, whether the name is given, and revisions."""
    assert serve.served("A=1 vllm serve org/a --tokenizer org/b --served-model-name x --revision r") == [
        serve.Served("org/a", 15, 20, serve.MODEL, True, ("r",)),
        serve.Served("org/b", 33, 38, serve.TOKENIZER, True, ("r",)),
    ]
    assert serve.served("vllm serve org/a; text-embeddings-router --model-id=org/b") == [
        serve.Served("org/a", 11, 16, serve.MODEL, False),
        serve.Served("org/b", 52, 57, serve.MODEL, False),
    ]
    assert serve.served("vllm serve 'org/a' --served-model-name \"$NAME\"") == [
        serve.Served("org/a", 12, 17, serve.MODEL, True)
    ]
    assert serve.served_argv(["vllm", "serve", "org/a", "--served-model-name", "x"]) == [
        serve.Served("org/a", 11, 16, serve.MODEL, True)
    ]
    assert serve.served("vllm serve 'unbalanced") == []


# --- Python: a start command in a literal ----------------------------------------------------


def _truss():
    return truss_of(
        {"repo_id": "org/name", "use_volume": True, "volume_folder": "name"},
        {"repo_id": "org/filtered", "use_volume": True, "volume_folder": "filtered", "allow_patterns": ["*.json"]},
    )


PY_REWRITES = [
    pytest.param(
        'import subprocess\n\nsubprocess.Popen("vllm serve org/name --served-model-name n")\n',
        f'import subprocess\n\nsubprocess.Popen("vllm serve {M} --served-model-name n")\n',
        ["3:W124"],
        id="a-string",
    ),
    pytest.param(
        "CMD = 'python3 -m sglang.launch_server --model-path org/name --served-model-name org/name'\n",
        f"CMD = 'python3 -m sglang.launch_server --model-path {M} --served-model-name org/name'\n",
        ["1:W124"],
        id="a-constant-in-its-quotes",
    ),
    pytest.param(
        'CMD = r"""vllm serve org/name --served-model-name name"""\n',
        f'CMD = r"""vllm serve {M} --served-model-name name"""\n',
        ["1:W124"],
        id="a-raw-triple-quoted-string-keeps-its-form",
    ),
    pytest.param(
        'PORT = 8000\nCMD = f"vllm serve org/name --port {PORT} --served-model-name name"\n',
        f'PORT = 8000\nCMD = f"vllm serve {M} --port {{PORT}} --served-model-name name"\n',
        ["2:W124"],
        id="an-f-string",
    ),
    pytest.param(
        'ARGV = ["vllm", "serve", "org/name", "--served-model-name", "name"]\n',
        f'ARGV = ["vllm", "serve", "{M}", "--served-model-name", "name"]\n',
        ["1:W124"],
        id="an-argv-list",
    ),
    pytest.param(
        'ARGV = (\n    "text-embeddings-router",\n    "--model-id=org/name",\n    "--served-model-name=n",\n)\n',
        f'ARGV = (\n    "text-embeddings-router",\n    "--model-id={M}",\n    "--served-model-name=n",\n)\n',
        ["3:W124"],
        id="an-argv-tuple-with-a-glued-value",
    ),
    pytest.param(
        f'CMD = "vllm serve {M} --tokenizer org/name"\n',
        f'CMD = "vllm serve {M} --tokenizer {M}"\n',
        ["1:W124"],
        id="a-tokenizer",
    ),
    pytest.param(
        'PORT = 8000\nCMD = "vllm serve org/name --served-model-name n " f"--port {PORT}"\n',
        f'PORT = 8000\nCMD = "vllm serve {M} --served-model-name n " f"--port {{PORT}}"\n',
        ["2:W124"],
        id="the-string-of-a-concatenation-with-an-f-string",
    ),
]

PY_REPORTED = [
    pytest.param('CMD = "vllm serve org/name --port 8000"\n', ["1:W124"], id="no-served-name"),
    pytest.param('ARGV = ["vllm", "serve", "org/name"]\n', ["1:W124"], id="an-argv-list-without-a-name"),
    pytest.param('CMD = "vllm serve org/filtered --served-model-name name"\n', ["1:W124"], id="a-filtered-mount"),
    pytest.param('CMD = "vllm serve org\\x2fname --served-model-name name"\n', ["1:W124"], id="spelled-by-an-escape"),
    pytest.param(
        'ARGV = ["vllm", "serve", "org\\x2fname", "--served-model-name", "n"]\n', ["1:W124"], id="argv-item-escaped"
    ),
    pytest.param(
        'ARGV = ["vllm", "serve", "org" "/name", "--served-model-name", "n"]\n', ["1:W124"], id="argv-item-concatenated"
    ),
    pytest.param(
        'CMD = "vllm serve org/name --port 1"  # weights-migrate: ignore[W124]\n', [], id="answered-on-its-line"
    ),
]

# untouched, no W124; an id a server is not given stays another use of the id (W115)
PY_NO_OPS = [
    pytest.param(f'CMD = "vllm serve {M} --served-model-name name"\n', [], id="serves-the-mount"),
    pytest.param('CMD = "vllm serve other/repo --served-model-name name"\n', [], id="another-repository"),
    pytest.param('CMD = "echo vllm serve org/name --served-model-name name"\n', [], id="echo-arguments"),
    pytest.param('"""Run it: vllm serve org/name --served-model-name name"""\n', [], id="a-docstring"),
    pytest.param('"vllm serve org/name --served-model-name name"\n', [], id="a-string-statement"),
    pytest.param('print("vllm serve org/name --served-model-name name")\n', [], id="printed"),
    pytest.param('import logging\nlogging.info("vllm serve org/name")\n', [], id="logged"),
    pytest.param('MODEL = "x"\nCMD = f"vllm serve {MODEL} --served-model-name name"\n', [], id="an-expression-id"),
    pytest.param('ARGV = ["echo", "vllm", "serve", "org/name"]\n', ["1:W115"], id="echo-argv"),
]


def _codes(outcome) -> list[str]:
    return sorted(f"{d.line}:{d.code}" for d in outcome.diagnostics)


@pytest.mark.parametrize("source, expected, codes", PY_REWRITES)
def test_python_rewrites(source, expected, codes):
    outcome = migrate_python(source, Context(truss=_truss()))
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected
    assert _codes(outcome) == codes
    assert [(s.loaded_from, s.code) for s in outcome.sites if s.code] == [("mount", "W124")]
    again = migrate_python(expected, Context(truss=_truss()))
    assert again.status == "unchanged" and again.diagnostics == []


@pytest.mark.parametrize("source, codes", PY_REPORTED)
def test_python_reported(source, codes):
    outcome = migrate_python(source, Context(truss=_truss()))
    assert outcome.status == "unchanged", outcome.text
    assert _codes(outcome) == codes
    assert [(s.loaded_from, s.code) for s in outcome.sites] == [("hub", "W124")] * len(codes)


@pytest.mark.parametrize("source, codes", PY_NO_OPS)
def test_python_no_ops(source, codes):
    outcome = migrate_python(source, Context(truss=_truss()))
    assert outcome.status == "unchanged", outcome.text
    assert _codes(outcome) == codes
    assert "W124" not in [s.code for s in outcome.sites]


def test_python_an_argv_id_is_the_servers_not_another_use():
    """The id of an argv list is reported once, as the server's (W124), not as an id left in code (W115)."""
    legacy = truss_of({"repo_id": "org/name"})
    outcome = migrate_python('ARGV = ["vllm", "serve", "org/name"]\nOTHER = "org/name"\n', Context(truss=legacy))
    assert _codes(outcome) == ["1:W124", "2:W115"]


def test_python_message_names_the_mount_and_the_suggestion():
    outcome = migrate_python('CMD = "vllm serve org/name"\n', Context(truss=_truss()))
    [report] = outcome.diagnostics
    assert report.message.startswith("start command gives the server 'org/name' by id")
    assert f"serve '{M}' with `--served-model-name org/name` instead" in report.message


def test_python_trust_patterns_serves_a_filtered_mount():
    source = 'CMD = "vllm serve org/filtered --served-model-name name"\n'
    outcome = migrate_python(source, Context(truss=_truss(), trust_patterns=True))
    assert outcome.text == 'CMD = "vllm serve /app/model_cache/filtered --served-model-name name"\n'


# --- the command line: pending until rewritten or answered ---------------------------------------

UNNAMED = d(f"""
    model_name: served
    weights:
      - source: hf://org/name
        mount_location: {M}
    docker_server:
      start_command: vllm serve org/name --port 8000
      server_port: 8000
    """)


def test_check_exits_1_on_a_migrated_truss_serving_by_id_until_answered(tmp_path):
    config = write(tmp_path / "truss" / "config.yaml", UNNAMED)
    check = migrate_cli("--check", "--format", "json", "truss", cwd=tmp_path)
    assert check.returncode == 1, check
    [record] = check.json()["files"]
    assert record["status"] == "unchanged" and record["pending"] == 1
    assert record["uses"] == [
        {
            "source": "hf://org/name",
            "mount_location": M,
            "loaded_from": "hub",
            "sites": [{"path": "truss/config.yaml", "line": 6, "code": "W016"}],
        }
    ]
    write(config, UNNAMED.replace("--port 8000\n", "--port 8000  # weights-migrate: ignore[W016]\n"))
    answered = migrate_cli("--check", "truss", cwd=tmp_path)
    assert answered.returncode == 0, answered
    assert "W016" not in answered.stderr


def test_an_in_place_run_serves_the_mount_of_a_migrated_truss(tmp_path):
    named = UNNAMED.replace("--port 8000", "--port 8000 --served-model-name org/name")
    config = write(tmp_path / "truss" / "config.yaml", named)
    run = migrate_cli("truss", cwd=tmp_path)
    assert run.returncode == 0, run
    assert config.read_text() == named.replace("serve org/name", f"serve {M}")
    assert "W016" in run.stderr
    check = migrate_cli("--check", "truss", cwd=tmp_path)
    assert check.returncode == 0, check


def test_the_uses_of_a_truss_whose_code_serves_by_id(tmp_path):
    write(tmp_path / "truss" / "config.yaml", UNNAMED.replace("vllm serve org/name --port 8000", "python run.py"))
    write(tmp_path / "truss" / "run.py", 'import subprocess\n\nsubprocess.run(["vllm", "serve", "org/name"])\n')
    check = migrate_cli("--check", "--format", "json", "truss", cwd=tmp_path)
    assert check.returncode == 1, check
    uses = [u for f in check.json()["files"] for u in f.get("uses", ())]
    assert uses[0]["loaded_from"] == "hub"
    assert uses[0]["sites"] == [{"path": "truss/run.py", "line": 3, "code": "W124"}]


def test_every_code_of_this_rule_is_one_code_for_its_whole_life():
    """The same code on the migrating run and on every run after, rewritten or reported."""
    for written in ("vllm serve org/name", "vllm serve org/name --served-model-name n"):
        first = migrate_config(MIGRATING + command(written), Context())
        later = migrate_config(MIGRATED + command(written), Context())
        assert {c.code for c in first.diagnostics} == {c.code for c in later.diagnostics} == {"W016"}


# --- under --no-code, a config already under `weights` is read whole only where a command may serve an id

# (config under `weights`, whether --no-code reads it whole): a plain look at the text decides; what
# it cannot read as written (an alias, a tag, an escape, a source on its own line) is read whole
PLAIN_LOOK = [
    pytest.param(MIGRATED + command("vllm serve org/name"), True, id="the-id-written-twice"),
    pytest.param(MIGRATED + command(f"vllm serve {M}"), False, id="the-mount-served"),
    pytest.param(MIGRATED + command("vllm serve other/model"), False, id="another-id-served"),
    pytest.param(MIGRATED + command("truss-transfer-cli && vllm serve org/name"), True, id="after-and-and"),
    pytest.param(MIGRATED + command('"vllm serve org\\x2Fname"'), True, id="an-escaped-slash"),
    pytest.param(MIGRATED + command('"vllm serve org\\/name"'), True, id="a-slash-escaped-as-itself"),
    pytest.param(
        f"x: &id org/name\nweights:\n  - source: *id\n    mount_location: {M}\n" + command("vllm serve org/name"),
        True,
        id="a-source-by-alias",
    ),
    pytest.param(
        f"weights:\n  - source: >-\n      hf://org/name\n    mount_location: {M}\n" + command("vllm serve org/name"),
        True,
        id="a-source-in-a-block-scalar",
    ),
    pytest.param(
        f"weights:\n  - {{source: 'org/name', mount_location: {M}}}\n" + command("vllm serve org/name"),
        True,
        id="a-bare-id-in-a-flow-mapping",
    ),
    pytest.param(
        f"weights:\n  - source: s3://bucket/org/name\n    mount_location: {M}\n" + command("vllm serve org/name"),
        False,
        id="no-hugging-face-source",
    ),
]


@pytest.mark.parametrize("src, read_whole", PLAIN_LOOK)
def test_no_code_reads_a_config_under_weights_as_the_code_pass_does(src, read_whole):
    from migrate.config import edit

    assert edit._may_serve_an_entry(src) is read_whole
    with_code, without = migrate_config(src, Context()), migrate_config(src, Context(code=False))
    assert (without.status, without.text, without.diagnostics) == (
        with_code.status,
        with_code.text,
        with_code.diagnostics,
    )
