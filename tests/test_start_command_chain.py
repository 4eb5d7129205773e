"""`truss-transfer-cli` anywhere in the start command's shell chain (class 7 of the layouts truss
reads): the command rules row by row, the command as written in a config (every YAML scalar
style), and a property over generated chains.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import check_layout

from migrate.config.edit import migrate as migrate_config
from migrate.core import shell

# --- class 7: truss-transfer-cli in the shell chain ----------------------------------------

# (command, the command without it or None, why it stays or None)
START_COMMANDS = [
    pytest.param("truss-transfer-cli && python s.py", "python s.py", None, id="first"),
    pytest.param("a && truss-transfer-cli", "a", None, id="last-of-and-chain"),
    pytest.param("a && truss-transfer-cli && b", "a && b", None, id="middle-of-and-chain"),
    pytest.param("truss-transfer-cli; b", "b", None, id="semicolon-after"),
    pytest.param("a; truss-transfer-cli; b", "a; b", None, id="semicolon-both-sides"),
    pytest.param("a;truss-transfer-cli", "a", None, id="semicolon-no-space-last"),
    pytest.param("a && truss-transfer-cli; b", "a; b", None, id="and-then-semicolon"),
    pytest.param("a; truss-transfer-cli && b", "a; b", None, id="semicolon-then-and"),
    pytest.param("truss-transfer-cli &&\n  python s.py", "python s.py", None, id="line-break-after-and"),
    pytest.param("cd /app\ntruss-transfer-cli\npython s.py\n", "cd /app\npython s.py\n", None, id="own-line"),
    pytest.param("/usr/local/bin/truss-transfer-cli && x", "x", None, id="by-path"),
    pytest.param("./truss-transfer-cli && x", "x", None, id="by-relative-path"),
    pytest.param('bash -lc "truss-transfer-cli && python s.py"', 'bash -lc "python s.py"', None, id="bash-lc"),
    pytest.param(
        'sh -c "cd /app && truss-transfer-cli && python s.py"', 'sh -c "cd /app && python s.py"', None, id="sh-c-middle"
    ),
    pytest.param(
        "sh -ec 'truss-transfer-cli; exec python s.py'", "sh -ec 'exec python s.py'", None, id="sh-ec-semicolon"
    ),
    pytest.param("/bin/bash -l -c 'a && truss-transfer-cli'", "/bin/bash -l -c 'a'", None, id="bash-l-c-last"),
    pytest.param(
        'sh -c "truss-transfer-cli && X=$(cat /s) vllm --o \'{\\"a\\": 1}\'"',
        'sh -c "X=$(cat /s) vllm --o \'{\\"a\\": 1}\'"',
        None,
        id="sh-c-with-escaped-quotes",
    ),
    pytest.param(
        'sh -c "echo \\"a && b\\" && truss-transfer-cli && b"',
        'sh -c "echo \\"a && b\\" && b"',
        None,
        id="sh-c-operators-inside-escaped-quotes-kept",
    ),
    pytest.param(
        "truss-transfer-cli && find /m -type f | xargs cat > /dev/null && python s.py",
        "find /m -type f | xargs cat > /dev/null && python s.py",
        None,
        id="pipeline-elsewhere-in-chain",
    ),
    pytest.param("x 2>&1 && truss-transfer-cli && y", "x 2>&1 && y", None, id="redirection-elsewhere"),
    pytest.param("truss-transfer-cli && truss-transfer-cli && b", "b", None, id="twice"),
    pytest.param("a; truss-transfer-cli; truss-transfer-cli", "a", None, id="twice-at-end"),
    # mentions that stay, with the reason
    pytest.param(
        "truss-transfer-cli", None, "the only command: dropping it would leave nothing to run", id="only-command"
    ),
    pytest.param(
        'sh -c "truss-transfer-cli"',
        None,
        "the only command: dropping it would leave nothing to run",
        id="only-in-sh-c",
    ),
    pytest.param("a | truss-transfer-cli", None, "in a pipeline", id="pipeline"),
    pytest.param("truss-transfer-cli | tee log && b", None, "in a pipeline", id="pipeline-first"),
    pytest.param("a || truss-transfer-cli", None, "next to `||`", id="after-or"),
    pytest.param("truss-transfer-cli || true", None, "next to `||`", id="before-or"),
    pytest.param("a || b && truss-transfer-cli && c", None, "in an and-or list with `||`", id="or-in-the-and-or-list"),
    pytest.param("x $(truss-transfer-cli) && y", None, "inside a command substitution", id="command-substitution"),
    pytest.param("x `truss-transfer-cli` && y", None, "inside a command substitution", id="backquotes"),
    pytest.param("truss-transfer-cli --verbose && y", None, "with arguments or redirections", id="with-arguments"),
    pytest.param("truss-transfer-cli > /tmp/log && y", None, "with arguments or redirections", id="with-redirection"),
    pytest.param(
        "FOO=1 truss-transfer-cli && y",
        None,
        "as an argument of another command or after an assignment",
        id="assignment",
    ),
    pytest.param("(truss-transfer-cli && x)", None, "inside a subshell or a group", id="subshell"),
    pytest.param("truss-transfer-cli & x", None, "in a background job", id="background"),
    pytest.param("'truss-transfer-cli' && b", None, "quoted or inside another word", id="quoted"),
    pytest.param(
        "a && truss-transfer-cli 'unterminated",
        None,
        "a shell construct this tool does not read (unbalanced quotes or brackets)",
        id="unbalanced",
    ),
    # nothing to do
    pytest.param("python s.py", None, None, id="no-mention"),
    pytest.param("truss-transfer-cli-v2 && x", None, None, id="other-binary"),
    pytest.param("x && my-truss-transfer-cli && y", None, None, id="other-binary-prefix"),
    pytest.param("", None, None, id="empty"),
]


@pytest.mark.parametrize("command, expected, unsafe", START_COMMANDS)
def test_start_command_chain(command, expected, unsafe):
    fix = shell.fix_start_command(command)
    assert (fix.command, fix.unsafe) == (expected, unsafe)
    assert shell.drop_transfer_cli(command) == expected
    assert shell.unsafe_transfer_cli(command) == unsafe
    if expected is not None:  # the spans are exactly what goes
        kept = "".join(c for i, c in enumerate(command) if not any(a <= i < b for a, b in fix.spans))
        assert kept == expected


CONFIG = "model_cache:\n  - repo_id: a/b\n    use_volume: true\n    volume_folder: x\ndocker_server:\n  start_command: {}\n  server_port: 8000\n"
MIGRATED = "weights:\n  - source: hf://a/b\n    mount_location: /app/model_cache/x\ndocker_server:\n  start_command: {}\n  server_port: 8000\n"

# (start_command as written in YAML, after, codes)
YAML_START_COMMANDS = [
    pytest.param(
        'bash -lc "truss-transfer-cli && python s.py"', 'bash -lc "python s.py"', ["W004"], id="plain-bash-lc"
    ),
    pytest.param(
        "'sh -c \"cd /app && truss-transfer-cli && vllm serve\"'",
        "'sh -c \"cd /app && vllm serve\"'",
        ["W004"],
        id="single-quoted",
    ),
    pytest.param(
        "'echo ''hi'' && truss-transfer-cli && x'", "'echo ''hi'' && x'", ["W004"], id="single-quoted-with-quote"
    ),
    pytest.param('"a; truss-transfer-cli; b"', '"a; b"', ["W004"], id="double-quoted"),
    pytest.param(
        '"sh -c \\"truss-transfer-cli && python s.py\\""',
        '"sh -c \\"python s.py\\""',
        ["W004"],
        id="double-quoted-escapes",
    ),
    pytest.param("a &&\n    truss-transfer-cli && b", "a &&\n    b", ["W004"], id="plain-folded-over-lines"),
    pytest.param(
        'bash -c "truss-transfer-cli && run --a 1\n    --b 2"',
        'bash -c "run --a 1\n    --b 2"',
        ["W004"],
        id="plain-multi-line-sh-c",
    ),
    pytest.param(
        "|\n    cd /app\n    truss-transfer-cli\n    python s.py",
        "|\n    cd /app\n    python s.py",
        ["W004"],
        id="literal-own-line",
    ),
    pytest.param(
        "|-\n    truss-transfer-cli &&\n      python s.py", "|-\n    python s.py", ["W004"], id="literal-continued"
    ),
    pytest.param("a | truss-transfer-cli", None, ["W030"], id="pipeline-reported"),
    pytest.param('"x $(truss-transfer-cli) && y"', None, ["W030"], id="substitution-reported"),
    pytest.param("truss-transfer-cli --check && y", None, ["W030"], id="arguments-reported"),
    pytest.param('truss-transfer-cli && "$HOME/run"', None, ["W030"], id="plain-would-start-with-a-quote"),
    pytest.param("truss-transfer-cli && 1234", None, ["W030"], id="plain-would-read-as-a-number"),
    pytest.param("&cmd truss-transfer-cli && x", None, ["W030"], id="anchored-reported"),
    pytest.param("python s.py", "python s.py", [], id="no-mention"),
]


@pytest.mark.parametrize("command, after, codes", YAML_START_COMMANDS)
def test_start_command_in_config(command, after, codes):
    check_layout(CONFIG.format(command), MIGRATED.format(command if after is None else after), codes)


# A folded block (`>`): the command goes from the text where its place after folding is known, a
# whole line or a line's start or end; the edited text is read again before it is kept.
FOLDED_START_COMMANDS = [
    pytest.param(
        ">\n    truss-transfer-cli &&\n    python s.py", ">\n    python s.py", ["W004"], id="first-whole-line"
    ),
    pytest.param(
        '>-\n    sh -c "cd /app;\n    truss-transfer-cli &&\n    vllm serve"',
        '>-\n    sh -c "cd /app;\n    vllm serve"',
        ["W004"],
        id="strip-middle-whole-line-in-sh-c",
    ),
    pytest.param(
        ">+\n    cd /app &&\n    truss-transfer-cli\n", ">+\n    cd /app\n", ["W004"], id="keep-last-whole-line"
    ),
    pytest.param(
        ">-\n    cd /app && truss-transfer-cli &&\n    vllm serve",
        ">-\n    cd /app && vllm serve",
        ["W004"],
        id="strip-end-of-a-line",
    ),
    pytest.param(
        ">\n    cd /app &&\n    truss-transfer-cli && vllm serve",
        ">\n    cd /app &&\n    vllm serve",
        ["W004"],
        id="clip-start-of-a-line",
    ),
    pytest.param(
        ">2-\n    cd /app && truss-transfer-cli &&\n    vllm serve",
        ">2-\n    cd /app && vllm serve",
        ["W004"],
        id="indentation-indicator",
    ),
    pytest.param(
        ">2\n      x;\n    truss-transfer-cli && y", ">2\n      x;\n    y", ["W004"], id="indicator-first-line-deeper"
    ),
    pytest.param(
        ">+2\n    a;\n    truss-transfer-cli;\n    b\n", ">+2\n    a;\n    b\n", ["W004"], id="keep-and-indicator"
    ),
    pytest.param(
        ">\n    sh -c '\n      cd /app\n      truss-transfer-cli\n      vllm serve'",
        ">\n    sh -c '\n      cd /app\n      vllm serve'",
        ["W004"],
        id="more-indented-lines-kept-as-lines",
    ),
    pytest.param(
        '>-  # the server\n    sh -c "cd /app;\n\n    truss-transfer-cli && vllm serve"',
        '>-  # the server\n    sh -c "cd /app;\n\n    vllm serve"',
        ["W004"],
        id="header-comment-and-empty-line",
    ),
    pytest.param("&cmd >-\n    truss-transfer-cli &&\n    x", None, ["W030"], id="anchored-reported"),
    pytest.param("!!str >-\n    truss-transfer-cli &&\n    x", None, ["W030"], id="tagged-reported"),
    pytest.param(">-\n    a |\n    truss-transfer-cli && b", None, ["W030"], id="pipeline-reported"),
    pytest.param(">-\n    truss-transfer-cli\n    python s.py", None, ["W030"], id="folded-into-arguments-reported"),
    pytest.param(
        # the command left would need its second line unindented but kept apart: no deletion says that
        ">-\n    truss-transfer-cli\n     vllm serve\n    x=1",
        None,
        ["W030"],
        id="joined-to-a-more-indented-line-reported",
    ),
    pytest.param(">-\n    python s.py", ">-\n    python s.py", [], id="no-mention"),
]


@pytest.mark.parametrize("command, after, codes", FOLDED_START_COMMANDS)
def test_start_command_in_a_folded_block(command, after, codes):
    check_layout(CONFIG.format(command), MIGRATED.format(command if after is None else after), codes)


def test_start_command_in_a_folded_block_with_crlf():
    command = '>-\r\n    sh -c "cd /app;\r\n    truss-transfer-cli &&\r\n    vllm serve"'
    after = '>-\r\n    sh -c "cd /app;\r\n    vllm serve"'
    crlf = CONFIG.replace("\n", "\r\n"), MIGRATED.replace("\n", "\r\n")
    check_layout(crlf[0].format(command), crlf[1].format(after), ["W004"])


def test_start_command_left_alone_with_trt_llm():
    src = CONFIG.format("truss-transfer-cli && x") + "trt_llm:\n  build:\n    base_model: llama\n"
    outcome = migrate_config(src)
    assert outcome.status == "migrated" and "truss-transfer-cli && x" in outcome.text


# --- the shell chain, generated ----------------------------------------------------------------

_COMMANDS = st.sampled_from(
    ["cd /app", "python s.py", "echo 'a && b'", "X=1 run", "find . | xargs ls", "vllm serve /m --port 8000"]
)


@given(st.lists(_COMMANDS, min_size=1, max_size=5), st.data())
def test_chain_without_the_cli_is_the_chain_it_was_added_to(commands, data):
    """`a OP b OP ...` with truss-transfer-cli put between two commands (or first) comes back as it was."""
    ops = data.draw(
        st.lists(st.sampled_from([" && ", "; ", "\n", " &&\n  "]), min_size=len(commands), max_size=len(commands))
    )
    chain = "".join(c + (ops[i] if i + 1 < len(commands) else "") for i, c in enumerate(commands))
    at = data.draw(st.integers(0, len(commands)))
    if at == len(commands):  # last: after any separator
        with_cli = chain + data.draw(st.sampled_from([" && ", "; ", "\n", ";"])) + "truss-transfer-cli"
    else:  # before command `at`, tied to it by &&
        head = "".join(c + ops[i] for i, c in enumerate(commands[:at]))
        with_cli = (
            head + "truss-transfer-cli" + data.draw(st.sampled_from([" && ", "&&", " &&\n  "])) + chain[len(head) :]
        )
    wrapped = data.draw(st.sampled_from(["{}", "sh -c '{}'", "bash -lc '{}'"]))
    if "'" in chain:
        wrapped = "{}"
    assert shell.drop_transfer_cli(wrapped.format(with_cli)) == wrapped.format(chain)
