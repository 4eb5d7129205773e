"""Model servers a start command runs, the Hugging Face ids they are given, and what becomes of each
id the truss mounts (W016 in a config, W124 in a Python literal).

A server given a repository id downloads it from the Hub at every start, though the truss mounts
it. Given the mount location instead it loads the mounted files, but it then names the model after
that path, and clients asking for `org/name` are refused: so the id becomes the path only where the
command names the served model itself (`--served-model-name`). A tokenizer's id names no model and
can always move. Pure functions over strings: the config fix and the Python codemod read commands
by the same rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .entry import TrussEntry
from .shell import Word, words_of

MODEL, TOKENIZER = "model", "tokenizer"
SERVED_NAME = "--served-model-name"
# The flags that give each server its model and its tokenizer (vLLM takes `_` for `-` in them too).
_MODEL_FLAGS = {
    "vllm": ("--model",),
    "sglang": ("--model-path", "--model"),
    "text-generation-launcher": ("--model-id",),
    "text-embeddings-router": ("--model-id",),
}
_TOKENIZER_FLAGS = {"vllm": ("--tokenizer",), "sglang": ("--tokenizer-path",)}
_REVISION_FLAGS = ("--revision", "--tokenizer-revision", "--code-revision")
_MODULES = {"vllm.entrypoints.openai.api_server": "vllm", "sglang.launch_server": "sglang"}
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)*)?")
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=.*", re.S)
_SHELL_WORD = re.compile(r"[\w@%+=,./-]+")  # a path the shell and YAML read as written


@dataclass(frozen=True)
class Served:
    """An id a server is given: which, where its characters are in the command, and what for."""

    repo_id: str
    start: int
    end: int
    role: str  # MODEL or TOKENIZER
    named: bool  # the command names the served model itself (`--served-model-name NAME`)
    revisions: tuple[str, ...] = ()  # the revisions the command asks for


@dataclass(frozen=True)
class Mount:
    """A Hugging Face repository the truss mounts: where, filtered how, at which revision."""

    repo_id: str
    location: str
    patterns: Mapping[str, Sequence[str]]
    revision: str = ""
    index: int | None = None  # its entry in the truss's config

    @classmethod
    def of(cls, entry: TrussEntry) -> Mount:
        return cls(entry.repo_id or "", entry.mount_location, entry.patterns, entry.revision, entry.index)


@dataclass(frozen=True)
class Decision:
    """What becomes of one served id the truss mounts: the mount served instead, or why it stays."""

    served: Served
    mount: Mount
    why: str | None  # None: rewritten to the mount location

    @property
    def rewritten(self) -> bool:
        return self.why is None


def served(command: str) -> list[Served]:
    """The ids the servers of a shell command are given (every simple command, in `sh -c` too)."""
    return [found for words in words_of(command) for found in _served(words)]


def served_argv(argv: Sequence[str]) -> list[Served]:
    """The ids a server run as argv (a process's argument list) is given; their places are in
    the arguments joined by NUL, as `joined` makes them."""
    words, at = [], 0
    for arg in argv:
        glued = re.match(r"--[\w-]+=", arg)
        cut = glued.end() if glued is not None and glued.end() < len(arg) else 0
        if cut:
            words.append(Word(arg[:cut], at, at + cut))
        words.append(Word(arg[cut:], at + cut, at + len(arg), bool(cut)))
        at += len(arg) + 1
    return _served(words)


def joined(argv: Sequence[str]) -> str:
    return "\0".join(argv)


def decide(
    command: list[Served],
    mounts: Mapping[str, Mount],
    trust_patterns: bool,
    editable: Callable[[Served], bool] = lambda found: True,
) -> list[Decision]:
    """Each served id the truss mounts, and whether its mount can be served instead (why not);
    editable tells whether an id is written so that it can be replaced where it stands."""
    decisions = []
    for found in command:
        mount = mounts.get(found.repo_id)
        if mount is not None:
            decisions.append(Decision(found, mount, _why_left(found, mount, trust_patterns, editable(found))))
    return decisions


def rewrite(command: str, decisions: Sequence[Decision]) -> str:
    """The command with each rewritten id replaced by its mount location."""
    out, done = [], 0
    for decision in sorted((d for d in decisions if d.rewritten), key=lambda d: d.served.start):
        out += [command[done : decision.served.start], decision.mount.location]
        done = decision.served.end
    return "".join(out) + command[done:]


def message(decision: Decision, where: str) -> str:
    """W016/W124: worded for the run that rewrites or reports it and for every run after."""
    served, mount = decision.served, decision.mount
    what = "the tokenizer " if served.role == TOKENIZER else ""
    if decision.rewritten:
        keeps = "" if served.role == TOKENIZER else f"; {SERVED_NAME} keeps the model's name for clients"
        return f"{where}: {what}{served.repo_id!r} -> {mount.location!r}: the server loads the mounted files{keeps}"
    return (
        f"{where} gives the server {what}{served.repo_id!r} by id, which it downloads from the Hub while the truss "
        f"mounts it at {mount.location!r}; {decision.why}"
    )


def _why_left(found: Served, mount: Mount, trust_patterns: bool, editable: bool) -> str | None:
    if mount.patterns and not trust_patterns:
        patterns = ", ".join(f"{k}={list(v)!r}" for k, v in mount.patterns.items())
        return f"left: the mount is filtered by {patterns}; pass --trust-patterns if they keep every file it loads"
    held = mount.revision or "main"
    asked = [r for r in found.revisions if r != held]
    if asked:
        return f"left: the command asks for revision {asked[0]!r}, the mount holds {held!r}"
    if not _SHELL_WORD.fullmatch(mount.location):
        return "left: the mount location is not a plain shell word; serve it by hand"
    if found.role == MODEL and not found.named:
        return (
            f"serve {mount.location!r} with `{SERVED_NAME} {found.repo_id}` instead "
            "(a server given a path names the model after it, and clients ask for the id)"
        )
    if not editable:
        return "left: written in a form this tool cannot edit in place; serve the mount location by hand"
    return None


def _served(words: list[Word]) -> list[Served]:
    """The ids one simple command gives its server, if it runs one."""
    at = _program(words)
    server, args = _server(words[at:]) if at < len(words) else (None, [])
    if server is None:
        return []
    given: list[tuple[str, Word]] = []  # (role, the word giving it)
    named, revisions = False, []
    if server == "vllm serve":
        server = "vllm"
        if args and args[0].value is not None and not args[0].value.startswith("-"):
            given.append((MODEL, args[0]))
    for flag, value in _options(args):
        if flag in _MODEL_FLAGS[server] and value is not None:
            given.append((MODEL, value))
        elif flag in _TOKENIZER_FLAGS.get(server, ()) and value is not None:
            given.append((TOKENIZER, value))
        elif flag == SERVED_NAME:
            named = named or (value is not None and value.value != "")  # a name held in a variable is given too
        elif flag in _REVISION_FLAGS and value is not None and value.value:
            revisions.append(value.value)
    return [
        Served(word.value, word.start, word.end, role, named, tuple(revisions)) for role, word in given if word.value
    ]


def _program(words: list[Word]) -> int:
    """Where the program's name is: past `exec`, `env` and the variables assigned for it."""
    at = 0
    while at < len(words):
        value = words[at].value
        if value is None or not (value in ("exec", "env") or _ASSIGNMENT.fullmatch(value)):
            break
        at += 1
    return at


def _server(words: list[Word]) -> tuple[str | None, list[Word]]:
    """Which server the words run (None: none this module knows), and its arguments."""
    name = os.path.basename(words[0].value or "")
    if name == "vllm" and len(words) > 1 and words[1].value == "serve":
        return "vllm serve", words[2:]
    if name in _MODEL_FLAGS and name not in ("vllm", "sglang"):
        return name, words[1:]
    if _PYTHON.fullmatch(name):
        at = 1
        while at < len(words) and (words[at].value or "").startswith("-") and words[at].value != "-m":
            at += 1  # the interpreter's own flags (-u, -O)
        if at + 1 < len(words) and words[at].value == "-m" and words[at + 1].value in _MODULES:
            return _MODULES[words[at + 1].value or ""], words[at + 2 :]
    return None, []


def _options(args: list[Word]) -> list[tuple[str, Word | None]]:
    """Each long option with its value: the word glued to it, or the next one unless that is an
    option itself (None: no value)."""
    found: list[tuple[str, Word | None]] = []
    for at, word in enumerate(args):
        text = word.value or ""
        if word.glued or not text.startswith("--"):
            continue
        nxt = args[at + 1] if at + 1 < len(args) else None
        if text.endswith("=") and nxt is not None and nxt.glued:
            found.append((_flag(text[:-1]), nxt))
        elif nxt is not None and not nxt.glued and not (nxt.value or "").startswith("-"):
            found.append((_flag(text), nxt))
        else:
            found.append((_flag(text), None))
    return found


def _flag(text: str) -> str:
    return "--" + text[2:].replace("_", "-")
