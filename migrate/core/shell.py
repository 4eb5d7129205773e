"""The start command's shell chain: where `truss-transfer-cli` is a whole command, and what dropping it leaves.

Pure functions over strings: the YAML editor and the code editor drop `truss-transfer-cli`
from start commands by the same rules.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

Span = tuple[int, int]  # a [start, end) range of characters of a script
Token = tuple[str, int, int]  # ("word" or "op", start, end)
Command = tuple[list[Span], tuple[str | None, str | None]]  # a simple command's words, operators before and after

CLI = "truss-transfer-cli"
# Two readings of the name, both needed: a mention is the name anywhere in a command (in
# quotes, in `$(...)`, as an argument), the sign that something has to be decided; a command
# is one whole shell word that runs it (bare or by path), the only form that can be dropped.
_CLI_MENTION = re.compile(rf"(?<![\w.-]){CLI}(?![\w.-])")
_CLI_COMMAND = re.compile(rf"(?:[\w.~-]*/)*{CLI}")

_SHELL = re.compile(r"(?:[\w.~-]*/)*(?:ba|da|z|k|)sh")
_SHELL_FLAGS = re.compile(r"-[a-zA-Z]*c[a-zA-Z]*")  # -c, -lc, -ec, -euxc
_SEPARATORS = (";", "\n")  # between and-or lists; `&` backgrounds, which we do not edit
_LIST_ENDS = (*_SEPARATORS, "&", None)  # what ends an and-or list


@dataclass(frozen=True)
class CommandFix:
    """What becomes of `truss-transfer-cli` in a start command.

    command: the command without it (None when there is nothing to drop or a mention stays);
    spans: the (start, end) ranges of command deleted to get there;
    unsafe: why a mention cannot be dropped safely (None when every mention goes).
    """

    command: str | None
    spans: tuple[Span, ...] = ()
    unsafe: str | None = None


def fix_start_command(command: str) -> CommandFix:
    """Drop `truss-transfer-cli` wherever it is a whole command of the shell chain.

    Every mention must be one: a bare command joined by `&&` or separated by `;` or a line
    break, at top level or in the script of `sh -c '...'`. Any other mention (in `$(...)`,
    a pipeline, after `||`, with arguments, ...) leaves the command as it is, with the reason.
    """
    if not _CLI_MENTION.search(command):
        return CommandFix(None)
    kept = [(0, len(command))]  # the ranges of the original still there, in order
    current = command
    while _CLI_MENTION.search(current):
        found = _first_drop(current, 0, len(current))
        if isinstance(found, str):
            return CommandFix(None, (), found)
        start, end = found
        kept = _cut(kept, start, end)
        current = current[:start] + current[end:]
    return CommandFix(current, _gaps(kept, len(command)))


def drop_transfer_cli(command: str) -> str | None:
    """The command without `truss-transfer-cli` where it is a whole command, or None.

    None when there is no such command or when a mention cannot be dropped safely
    (`unsafe_transfer_cli` tells why).
    """
    return fix_start_command(command).command


def unsafe_transfer_cli(command: str) -> str | None:
    """Why a `truss-transfer-cli` in command cannot be dropped safely, or None."""
    return fix_start_command(command).unsafe


def _cut(kept: list[Span], start: int, end: int) -> list[Span]:
    """kept without the characters start:end of the string they make up."""
    out: list[Span] = []
    pos = 0
    for lo, hi in kept:
        size = hi - lo
        a, b = max(start - pos, 0), min(end - pos, size)  # the cut, inside this range
        if a >= b:
            out.append((lo, hi))
        else:
            out += [(x, y) for x, y in ((lo, lo + a), (lo + b, hi)) if y > x]
        pos += size
    return out


def _gaps(kept: list[Span], length: int) -> tuple[Span, ...]:
    """The ranges of the original string of length that kept leaves out."""
    spans: list[Span] = []
    pos = 0
    for lo, hi in [*kept, (length, length)]:
        if lo > pos:
            spans.append((pos, lo))
        pos = hi
    return tuple(spans)


def _first_drop(script: str, lo: int, hi: int) -> Span | str:
    """The span to delete for the first mention in script[lo:hi], or why it cannot be."""
    tokens = _shell_tokens(script, lo, hi)
    if tokens is None:
        return "a shell construct this tool does not read (unbalanced quotes or brackets)"
    commands = _simple_commands(script, tokens)
    for index, (words, _ops) in enumerate(commands):
        for w_start, w_end in words:
            if not _CLI_MENTION.search(script, w_start, w_end):
                continue
            word = script[w_start:w_end]
            inner = _shell_script(script, words)
            if inner is not None and w_start == inner[0] - 1:
                if script[w_start] == "'" or "\\" not in word:
                    return _first_drop(script, inner[0], inner[1])
                real, where = _unescape_double(script, inner[0], inner[1])
                found = _first_drop(real, 0, len(real))
                return found if isinstance(found, str) else (where[found[0]], where[found[1]])
            if len(words) == 1 and _CLI_COMMAND.fullmatch(word):
                return _chain_span(commands, index)
            return _why(word, words, script)
    return "in a form this tool does not read"


def _why(word: str, words: list[Span], script: str) -> str:
    if "$(" in word or "`" in word:
        return "inside a command substitution"
    if word[:1] in "'\"" and "\\" in word:
        return "inside a quoted script with escapes"
    if script[words[0][0] : words[0][1]] != word:
        return "as an argument of another command or after an assignment"
    if _CLI_COMMAND.fullmatch(word):
        return "with arguments or redirections"
    return "quoted or inside another word"


def _chain_span(commands: list[Command], index: int) -> Span | str:
    """The cli command at index with the operator that ties it to its neighbour."""
    words, (before, after) = commands[index]
    if "|" in (before, after) or "||" in (before, after) or "&" in (before, after):
        return {"|": "in a pipeline", "||": "next to `||`", "&": "in a background job"}[
            next(op for op in ("|", "||", "&") if op in (before, after))
        ]
    if "(" in (before, after) or ")" in (before, after) or _in_group(commands, index):
        return "inside a subshell or a group"
    if _and_or_has_or(commands, index):
        return "in an and-or list with `||`"
    start, end = words[0]
    nxt = index + 1 if index + 1 < len(commands) and commands[index + 1][0] else None
    if after == "&&" or (after in _SEPARATORS and nxt is not None and before != "&&"):
        if nxt is None:
            return "a shell construct this tool does not read"
        return start, commands[nxt][0][0][0]  # `cli && b` -> `b`, `cli; b` -> `b`
    if index > 0 and commands[index - 1][0]:
        return commands[index - 1][0][-1][1], end  # `a && cli` -> `a`, `a; cli` -> `a`
    return "the only command: dropping it would leave nothing to run"


def _and_or_has_or(commands: list[Command], index: int) -> bool:
    """Whether the and-or list holding commands[index] has `||` (a pipeline binds tighter)."""
    lo = index
    while lo > 0 and commands[lo - 1][1][1] not in _LIST_ENDS:
        lo -= 1
    hi = index
    while hi < len(commands) - 1 and commands[hi][1][1] not in _LIST_ENDS:
        hi += 1
    ops = [commands[i][1][1] for i in range(lo, hi)]
    return "||" in ops


def _in_group(commands: list[Command], index: int) -> bool:
    depth = 0
    for _words, (before, after) in commands[:index]:
        depth += (before == "(") - (after == ")")
    return depth > 0


def _shell_script(script: str, words: list[Span]) -> Span | None:
    """The inner span of the quoted script word of `sh [-flags] -c 'SCRIPT'`, if words are that."""
    texts = [script[s:e] for s, e in words]
    if len(texts) < 3 or not _SHELL.fullmatch(texts[0]):
        return None
    i, has_c = 1, False
    while i < len(texts) and texts[i].startswith("-"):
        has_c = has_c or bool(_SHELL_FLAGS.fullmatch(texts[i]))
        i += 1
    if not has_c or i >= len(texts):
        return None
    s, e = words[i]
    if script[s] == "'" and script.find("'", s + 1, e) == e - 1:
        return s + 1, e - 1
    if script[s] == '"' and _word_end(script, s, e) == e and _closing_quote(script, s) == e - 1:
        return s + 1, e - 1
    return None


_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def _closing_quote(script: str, start: int) -> int:
    match = _DOUBLE_QUOTED.match(script, start)
    return match.end() - 1 if match else len(script)


def _unescape_double(script: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """The text of a double-quoted shell word as the shell passes it on, and where each
    of its characters (and its end) is in script: `\\` drops before $ ` " \\ and a line break."""
    chars: list[str] = []
    where: list[int] = []
    i = lo
    while i < hi:
        if script[i] == "\\" and i + 1 < hi and script[i + 1] in '$`"\\\n':
            if script[i + 1] != "\n":  # an escaped line break joins the lines
                chars.append(script[i + 1])
                where.append(i)
            i += 2
            continue
        chars.append(script[i])
        where.append(i)
        i += 1
    where.append(hi)
    return "".join(chars), where


def _shell_tokens(script: str, lo: int, hi: int) -> list[Token] | None:
    """Words and operators of script[lo:hi] as (kind, start, end); None when unbalanced.

    Quotes, escapes, `$(...)` and backquotes stay inside their word; `#` at a word's
    start comments out the rest of the line.
    """
    tokens: list[Token] = []
    i = lo
    while i < hi:
        blank = _BLANK.match(script, i, hi)
        if blank:
            i = blank.end()
            continue
        op = _OPERATOR.match(script, i, hi)
        if op:
            tokens.append(("op", i, op.end()))
            i = op.end()
            continue
        end = _word_end(script, i, hi)
        if end is None:
            return None
        tokens.append(("word", i, end))
        i = end
    return tokens


_BLANK = re.compile(r"(?:[ \t\r]|\\\n)+|#[^\n]*")  # `#` here starts a word: a comment
_OPERATOR = re.compile(r"&&|\|\||;;|[;&|()\n]")
_ORDINARY = re.compile(r"[^\s;&|()<>\\'\"`$]+")


def _word_end(script: str, i: int, hi: int) -> int | None:
    depth = 0
    while i < hi:
        run = _ORDINARY.match(script, i, hi)
        if run:
            i = run.end()
            if i >= hi:
                break
        char = script[i]
        if char == "\\":
            i += 2
            continue
        if char == "'":
            i = script.find("'", i + 1, hi)
            if i < 0:
                return None
        elif char == '"':
            quoted = _DOUBLE_QUOTED.match(script, i, hi)
            if quoted is None:
                return None
            i = quoted.end() - 1
        elif char in "<>" and script.startswith("&", i + 1):
            i += 1  # 2>&1: a redirection, not a background job
        elif char == "`":
            i = script.find("`", i + 1, hi)
            if i < 0:
                return None
        elif script.startswith("$(", i):
            depth += 1
            i += 1
        elif char == ")" and depth:
            depth -= 1
        elif depth == 0 and char in " \t\r\n;&|()":
            return i
        i += 1
    return None if depth or i > hi else hi


def _simple_commands(script: str, tokens: list[Token]) -> list[Command]:
    """[(word spans, (operator before, operator after))] for each simple command.

    A line break right after `&&`, `||` or `|` continues the chain, as in the shell.
    """
    commands: list[Command] = []
    words: list[Span] = []
    before: str | None = None
    for kind, start, end in tokens:
        if kind == "word":
            words.append((start, end))
            continue
        op = script[start:end]
        if op == "\n" and not words and (before in ("&&", "||", "|", "\n", None)):
            continue
        commands.append((words, (before, op)))
        words, before = [], op
    if words or not commands:
        commands.append((words, (before, None)))
    return commands


# --- the words a program is given ---------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A shell word as the program receives it, where it is written plainly or in simple quotes.

    value is None for any other word (an expansion, an escape, quotes within the word); start
    and end are where value's characters stand in the script. The value of `--flag=VALUE` is a
    word of its own, glued to its flag (`--flag=`): one shell word, two parts for the reader.
    """

    value: str | None
    start: int
    end: int
    glued: bool = False


_PLAIN_WORD = re.compile(r"[^\s;&|()<>\\'\"`$]+")
_GLUED_FLAG = re.compile(r"--[\w-]+=")


def words_of(script: str) -> list[list[Word]]:
    """Every simple command of script as its words, the commands of a `sh -c 'SCRIPT'` read
    in place of it; [] when the script does not read (unbalanced quotes or brackets)."""
    return list(_commands(script, 0, len(script)))


def _commands(script: str, lo: int, hi: int) -> Iterator[list[Word]]:
    tokens = _shell_tokens(script, lo, hi)
    if tokens is None:
        return
    for spans, _ops in _simple_commands(script, tokens):
        inner = _shell_script(script, spans)
        if inner is None:
            yield [word for start, end in spans for word in _words(script, start, end)]
        elif script[inner[0] - 1] == "'" or "\\" not in script[inner[0] : inner[1]]:
            yield from _commands(script, inner[0], inner[1])
        else:  # a double-quoted script with escapes: read as the shell passes it on, placed back
            real, where = _unescape_double(script, inner[0], inner[1])
            for command in _commands(real, 0, len(real)):
                yield [_placed(word, real, where, script) for word in command]


def _placed(word: Word, real: str, where: list[int], script: str) -> Word:
    """A word of an unescaped script at its place in the script, if its value is written there as it is."""
    if word.value is None or word.end <= word.start:
        return Word(word.value, where[word.start], where[word.start], word.glued)
    start, end = where[word.start], where[word.end - 1] + 1
    return Word(word.value if script[start:end] == word.value else None, start, end, word.glued)


def _words(script: str, start: int, end: int) -> list[Word]:
    """One shell word: its value, and for `--flag=VALUE` the flag and its glued value."""
    glued = _GLUED_FLAG.match(script, start, end)
    if glued is not None and glued.end() < end:
        flag = Word(script[start : glued.end()], start, glued.end())
        return [flag, dataclasses.replace(_word(script, glued.end(), end), glued=True)]
    return [_word(script, start, end)]


def _word(script: str, start: int, end: int) -> Word:
    text = script[start:end]
    if _PLAIN_WORD.fullmatch(text):
        return Word(text, start, end)
    quote, inner = text[:1], text[1:-1]
    simple = quote == "'" or not any(char in inner for char in "\\$`")  # nothing the shell expands
    if len(text) >= 2 and quote in "'\"" and text.endswith(quote) and quote not in inner and simple:
        return Word(inner, start + 1, end - 1)
    return Word(None, start, end)
