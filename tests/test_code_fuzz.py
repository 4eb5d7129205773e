"""Fuzzing the Python pass with hypothesis: the real Python files of the corpus, mutated line by line.

Each example takes one non-empty Python file of ../shared/corpus/truss-examples with the context its
truss gives it in a run (the entries and config values of the nearest config above it, migrated
in the drawn dialect, as `run.schedule` hands them to the module; its line length and whether it
is a test module, as `run.pipeline` finds them), and applies 1-4 mutations at the level of lines
and tokens, so that the file mostly still parses: a line deleted, duplicated, commented out,
dedented, joined to the next with `;` or swapped with another; a string literal replaced by one
of the truss's legacy ids, mount locations, old locations or config values, or by
`"model_cache"`; a statement wrapped in `if True:`; a local name renamed everywhere; a loader
given an id (`AutoModel.from_pretrained(x)`, `snapshot_download(repo_id=x)`, `pipeline(...,
model=x)`, `WhisperModel`, `LLM`, `ModelRepo`, `config["model_cache"][0]["repo_id"]`, a server
command, an f-string), with or without its import, inserted before a statement at its
indentation; a `# weights-migrate: ignore[CODE]` comment; tabs for a block's (or the file's)
indentation; CRLF (everywhere or on one line) or a lone CR, a BOM, no final newline; a statement
of syntax newer than Python 3.11 (PEP 695, PEP 701); a stray token.

`test_mutated_corpus_modules` checks, per example, what the editor promises for any input (one
example in ten is read as a test module):

(1) `python.edit.migrate` never raises, never lets a warning out (CPython warns of an invalid
    escape sequence as it parses) and never reports an internal error (E099);
(2) a module that does not parse (`ast`, or libcst for syntax newer than the interpreter's) is
    FAILED with one E030 and no text; a module that parses fails only with E030, where CPython's
    compiler refuses it (`f(a=1, a=2)`, `return` outside a function); a test module is never
    rewritten, and reports W122 where it would be;
(3) a MIGRATED output parses as its input did;
(4) the output migrates to nothing (status unchanged, no text) on a second run, in the same
    context and in that of the run after, the truss's config under `weights`, with the same
    sites: every one that still downloads keeps its code;
(5) every diagnostic has a code of CODES and a line and column inside the file;
(6) the lines the rewrite does not touch are kept byte for byte: every input line outside the
    statements the diagnostics point at (a compound statement's header), the lines carrying a
    suppression comment (a suppressed report's rewrite is still made) and the import statements
    with the blank and comment lines around them (an import that loses its last use goes with
    the lines above it) appears, in order, among the output's lines;
(7) no warning and no site that still downloads on a line whose `# weights-migrate: ignore[...]`
    names its code (an error stays: the file is left, the run must say why).

`test_formatted_modules_stay_formatted` checks (8) on fewer examples, drawn from the mutations
that keep a file formatted (one ruff process for each rewritten one): a rewritten module that
`ruff format` accepted, at ruff's defaults as the corpus has no settings, it accepts after.

Examples: 500 and 60 under the default profile (about 10 s); HYPOTHESIS_PROFILE=large
(tests/conftest.py) runs 50 times as many, about twelve minutes:

        HYPOTHESIS_PROFILE=large python -m pytest tests/test_code_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st
from support import CORPUS, NO_CORPUS, examples, ruff_formatted

from migrate.config.edit import migrate as migrate_config
from migrate.core.context import DIALECTS, Context
from migrate.core.diagnostics import CODES
from migrate.core.outcome import Outcome, Status
from migrate.python import newer, syntax
from migrate.python.edit import migrate as migrate_python
from migrate.run.discover import is_test_module
from migrate.run.formatter import line_length

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
SETTINGS = settings(max_examples=examples(500), deadline=None, suppress_health_check=_HEALTH)
SETTINGS_RUFF = settings(max_examples=examples(60), deadline=None, suppress_health_check=_HEALTH)

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)


# --- the corpus's modules, each with its truss ----------------------------------------------------------


@dataclass(frozen=True)
class Module:
    path: str  # relative to the corpus
    text: str = field(repr=False)
    folder: Path | None = field(repr=False)  # its truss's folder (the nearest config above it with entries), if any
    ids: tuple[str, ...] = field(repr=False)  # the strings its mutations write: its truss's ids, locations, values


@dataclass(frozen=True)
class Truss:
    """A config migrated in one dialect: the context its modules get on the migrating run, and on
    the next run (the config now under `weights`)."""

    now: Context
    later: Context


GENERIC = ("model_cache", "/app/model_cache", "org/other", "large-v3", "Systran/faster-whisper-large-v3")


@functools.cache
def trusses(dialect: str) -> dict[Path, Truss]:
    """Every corpus config with entries for its code: its folder -> the contexts of its modules."""
    base = Context.of(dialect, "/app/model_cache", nested=False)
    found = {}
    for config in sorted(CORPUS.rglob("config.yaml")):
        first = migrate_config(config.read_text(encoding="utf-8"), base)
        if not first.truss:
            continue
        after = migrate_config(first.text, base) if first.text is not None else first
        found[config.parent] = Truss(
            dataclasses.replace(base, truss=first.truss, config_values=first.config_values),
            dataclasses.replace(base, truss=after.truss, config_values=after.config_values),
        )
    return found


@functools.cache
def modules() -> tuple[Module, ...]:
    """The corpus's non-empty Python files, one of each text."""
    found: dict[str, Module] = {}
    for path in sorted(CORPUS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if not text.strip() or text in found:
            continue
        folder = next((p for p in path.parents if p in trusses("seed")), None)
        ids: list[str] = []
        if folder is not None:
            context = trusses("seed")[folder].now
            for entry in context.truss:
                ids += [entry.written_id, entry.source, entry.mount_location]
                ids += [i for i in (entry.repo_id, entry.old_location) if i]
            ids += [value.value for value in context.config_values]
        ids += GENERIC
        found[text] = Module(path.relative_to(CORPUS).as_posix(), text, folder, tuple(dict.fromkeys(ids)))
    return tuple(found.values())


def context_of(module: Module, dialect: str, later: bool = False, held: bool = False) -> Context:
    """The module's context in a run, as run.schedule and run.pipeline build it (held: as if the
    module were a test module)."""
    path = str(CORPUS / module.path)
    truss = trusses(dialect).get(module.folder) if module.folder is not None else None
    context = (truss.later if later else truss.now) if truss else Context.of(dialect, "/app/model_cache", False)
    return dataclasses.replace(context, line_length=line_length(path), test_module=held or is_test_module(path))


# --- mutations ----------------------------------------------------------------------------------------


def parses(text: str) -> ast.Module | None:
    """The tree as the editor reads it (newer syntax included), or None."""
    try:
        return newer.parse(text.removeprefix("\ufeff"))
    except (SyntaxError, ValueError, RecursionError):
        return None


def statements(tree: ast.Module | None) -> list[ast.stmt]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.stmt)] if tree else []


def first_line(node: ast.stmt) -> int:
    """A statement's first line, its decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def newline_of(line: str) -> str:
    return line[len(line.rstrip("\r\n")) :] or "\n"


STRING = re.compile(r"""(?<![\w'"])(["'])([^"'\\\n]*)\1""")
NAME = "fz_id"
# A loader given an id, and its import: each a list of lines (the id as {id}, a name holding it as {v}).
LOADERS = [
    ("from transformers import AutoModel", ["{v} = {id}", "model = AutoModel.from_pretrained({v})"]),
    ("from transformers import AutoModel", ["model = AutoModel.from_pretrained({id}, revision='main')"]),
    ("from transformers import AutoTokenizer", ["tok = AutoTokenizer.from_pretrained(", "    {id},", ")"]),
    ("from huggingface_hub import snapshot_download", ["snapshot_download(repo_id={id})"]),
    ("from huggingface_hub import hf_hub_download", ['path = hf_hub_download({id}, "config.json")']),
    ("from transformers import pipeline", ['pipe = pipeline("text-generation", model={id})']),
    ("from transformers import pipeline", ["pipe = pipeline(model={id})"]),
    ("from faster_whisper import WhisperModel", ['model = WhisperModel({id}, device="cuda")']),
    ("from vllm import LLM", ["llm = LLM(model={v})"]),
    ("from sentence_transformers import SentenceTransformer", ["model = SentenceTransformer({id})"]),
    ("from peft import PeftModel", ["model = PeftModel.from_pretrained(base, {id})"]),
    ("import diffusers", ["pipe = diffusers.DiffusionPipeline.from_pretrained({id}, torch_dtype=dtype)"]),
    (
        "from truss.base.truss_config import ModelRepo",
        ['repo = ModelRepo(repo_id={id}, use_volume=True, volume_folder="fz")'],
    ),
    ("from truss.base.truss_config import ModelRepo", ["repo = ModelRepo(repo_id={id})"]),
    ("import subprocess", ['subprocess.run(["vllm", "serve", {id}, "--port", "8000"])']),
    ("import subprocess", ['command = f"vllm serve {idtext} --served-model-name m"']),
    ("import os", ['path = os.path.join("/app/model_cache", {id})']),
    (
        "from transformers import AutoModel",
        ['model = AutoModel.from_pretrained(self._config["model_cache"][0]["repo_id"])'],
    ),
    (
        "from transformers import AutoModel",
        ['model = AutoModel.from_pretrained(config.get("model_cache")[0].get("repo_id"))'],
    ),
    ("", ['{v} = f"{idtext}"']),
    ("", ['{v} = f"{{root}}/{idtext}"']),
    ("", ["{v} = {id}", "print({v})"]),
]
TOKENS = ["(", ")", ":", "\\", '"', "'''", "#", " ", "\t", "model_cache", "\x0c", "\x00", ",", "=", "*", "é", "\u2028"]
SUPPRESSED = ["W105", "W112", "W113", "W114", "W115", "W108", "W101", "W106", "W125", "W122", "W124", "E030"]


# Each operation, as often as it is drawn: mostly the ones that keep the file parsing and give the rules work.
OPERATIONS = (
    *["loader"] * 6,
    *["string"] * 4,
    *["wrap", "rename", "suppress", "duplicate", "swap", "delete", "join", "comment"] * 2,
    *["tabs", "dedent", "newline", "token", "newer"],
)
# The ones that keep a ruff-formatted file formatted, most of the time.
FORMATTED = ("loader", "loader", "loader", "string", "string", "rename", "wrap", "suppress")
# Syntax newer than Python 3.11 (read by libcst, surveyed as written the old way), each a statement.
NEWER = [
    'fz_path = f"{{config["model_cache"][0]["repo_id"]}}/{{{v}}}"',
    "type FzAlias = list[{id}]",
    "def fz_load[T](name: T = {id}) -> T:",
]
SUPPRESS = re.compile(r"#\s*weights-migrate:\s*ignore\[([A-Za-z0-9,\s]*)\]")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines_of(text: str) -> list[str]:
    """The lines as Python's tokenizer ends them (\n, \r\n or \r; never \f or \u2028), ends kept."""
    return _LINES.findall(text)


def simple(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """The statements that hold no others: a whole one can be moved, copied or commented out."""
    return [s for s in stmts if not hasattr(s, "body")]


@st.composite
def mutate(draw, text: str, ids: tuple[str, ...], ops: tuple[str, ...] = OPERATIONS) -> tuple[str, list]:
    lines = lines_of(text) or ["\n"]
    done: list = []
    for _ in range(draw(st.integers(1, 4))):
        tree = parses("".join(lines))
        stmts = statements(tree)
        op = draw(st.sampled_from(ops))
        i = draw(st.integers(0, len(lines) - 1))
        nl = newline_of(lines[0])
        literal = draw(st.sampled_from(ids))
        quote = draw(st.sampled_from(['"', "'"]))
        # a whole simple statement (its lines first-1..last-1), or one line: lines mostly stay Python
        whole = simple(stmts) and draw(st.integers(0, 3))
        node = draw(st.sampled_from(simple(stmts))) if whole else None
        first, last = (first_line(node), node.end_lineno or node.lineno) if node else (i + 1, i + 1)
        if op == "delete" and len(lines) > last - first + 1:
            del lines[first - 1 : last]
        elif op == "duplicate":
            lines[first - 1 : first - 1] = lines[first - 1 : last]
        elif op == "swap":
            if node:  # with the next simple statement at the same indentation, if any
                after = [s for s in simple(stmts) if first_line(s) > last and s.col_offset == node.col_offset]
                if not after:
                    continue
                other = min(after, key=first_line)
                a, b = lines[first - 1 : last], lines[first_line(other) - 1 : other.end_lineno or other.lineno]
                lines[first_line(other) - 1 : other.end_lineno or other.lineno] = a
                lines[first - 1 : last] = b
            else:
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
        elif op == "string":
            found = [(n, m) for n, line in enumerate(lines) for m in STRING.finditer(line)]
            if not found:
                continue
            n, match = draw(st.sampled_from(found))
            q = match.group(1)
            lines[n] = lines[n][: match.start()] + q + literal + q + lines[n][match.end() :]
            first = n + 1
        elif op == "wrap":  # any statement, compound ones too
            if stmts:
                node = draw(st.sampled_from(stmts))
                first, last = first_line(node), node.end_lineno or node.lineno
            lead = indent_of(lines[first - 1])
            for n in range(first - 1, last):
                lines[n] = "    " + lines[n] if lines[n].strip() else lines[n]
            lines.insert(first - 1, lead + "if True:" + newline_of(lines[first - 1]))
        elif op == "rename":
            names = (
                {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
                | {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments) for a in n.args}
                if tree
                else set()
            )
            if not names:
                continue
            old = draw(st.sampled_from(sorted(names)))
            new = old + draw(st.sampled_from(["_2", "_id", "x"]))
            lines = lines_of(re.sub(rf"\b{re.escape(old)}\b", new, "".join(lines)))
            done.append((op, old, new))
            continue
        elif op in ("loader", "newer"):  # before a statement, at its indentation
            starts = sorted({first_line(n) for n in stmts}) or [i + 1]
            at = draw(st.sampled_from(starts))
            lead, end = indent_of(lines[at - 1]), newline_of(lines[at - 1])
            imported, template = (
                draw(st.sampled_from(LOADERS)) if op == "loader" else ("", [draw(st.sampled_from(NEWER))])
            )
            written = [lead + t.format(v=NAME, id=quote + literal + quote, idtext=literal) + end for t in template]
            if "{v}" in template[-1] and "{id}" not in " ".join(template):
                written.insert(0, f"{lead}{NAME} = {quote}{literal}{quote}{end}")
            if written[-1].rstrip().endswith(":"):
                written.append(lead + "    return name" + end)
            lines[at - 1 : at - 1] = written
            if imported and draw(st.integers(0, 3)):  # its import: beside another, at the top, or just above
                imports = [first_line(n) for n in stmts if isinstance(n, (ast.Import, ast.ImportFrom))]
                where = draw(st.sampled_from([n - 1 for n in imports if n < at] + [0, at - 1]))
                lines.insert(where, indent_of(lines[where]) + imported + nl)
            done.append((op, at, written))
            continue
        elif op == "suppress":
            code = draw(st.sampled_from(SUPPRESSED))
            lines[last - 1] = (
                lines[last - 1].rstrip("\r\n") + f"  # weights-migrate: ignore[{code}]" + newline_of(lines[last - 1])
            )
        elif op == "tabs":
            if draw(st.booleans()) or not stmts:
                first, last = 1, len(lines)
            else:
                node = draw(st.sampled_from(stmts))
                first, last = first_line(node), node.end_lineno or node.lineno
            for n in range(first - 1, last):
                lead = indent_of(lines[n])
                lines[n] = lead.replace("    ", "\t") + lines[n][len(lead) :]
        elif op == "comment":
            for n in range(first - 1, last):
                lead = indent_of(lines[n])
                lines[n] = lead + "# " + lines[n][len(lead) :]
        elif op == "dedent":
            for n in range(first - 1, last):
                lines[n] = lines[n].removeprefix("    ")
        elif op == "join":  # with the next simple statement on its line, after `;`
            if not node:
                if i + 1 >= len(lines):
                    continue
                first, last = i + 1, i + 1
            nxt = [s for s in simple(stmts) if first_line(s) == last + 1] if node else [None]
            if not nxt:
                continue
            lines[last - 1 : last + 1] = [lines[last - 1].rstrip("\r\n") + "; " + lines[last].lstrip(" \t")]
        elif op == "newline":
            how = draw(st.sampled_from(["crlf", "crlf-line", "bom", "no-final", "cr-line"]))
            if how == "crlf":
                lines = [line.rstrip("\r\n") + "\r\n" for line in lines]
            elif how == "crlf-line":
                lines[i] = lines[i].rstrip("\r\n") + "\r\n"
            elif how == "cr-line":
                lines[i] = lines[i].rstrip("\r\n") + "\r"
            elif how == "bom":
                lines[0] = "\ufeff" + lines[0].removeprefix("\ufeff")
            else:
                lines[-1] = lines[-1].rstrip("\r\n")
            done.append((op, how, i + 1))
            lines = lines_of("".join(lines)) or ["\n"]
            continue
        elif op == "token":
            piece = draw(st.sampled_from(TOKENS))
            at = draw(st.integers(0, len(lines[i].rstrip("\r\n"))))
            lines[i] = lines[i][:at] + piece + lines[i][at:]
            first = i + 1
        else:
            continue
        done.append((op, first, "".join(lines[first - 1 : first + 1])))
        lines = lines_of("".join(lines)) or ["\n"]
    return "".join(lines), done


@dataclass(frozen=True)
class Case:
    module: Module
    dialect: str
    held: bool  # read as a test module (its path under tests/): reported, never rewritten
    text: str = field(repr=False)
    done: list = field(repr=False)

    def context(self, later: bool = False) -> Context:
        return context_of(self.module, self.dialect, later, self.held)


@st.composite
def cases(draw, ops: tuple[str, ...] = OPERATIONS) -> Case:
    module = draw(st.sampled_from(modules()))
    dialect = draw(st.sampled_from(sorted(DIALECTS)))
    held = draw(st.integers(0, 9)) == 0
    text, done = draw(mutate(module.text, module.ids, ops))
    return Case(module, dialect, held, text, done)


# --- the invariants ----------------------------------------------------------------------------------


def touched_lines(text: str, tree: ast.Module, outcome: Outcome) -> set[int]:
    """The input's lines the rewrite may change: the statement (a compound one's header) at each
    diagnostic's line and each suppression comment's line, and every import statement with the
    blank and comment lines around it."""
    lines = lines_of(text)
    marks = {d.line for d in outcome.diagnostics}
    marks |= {n for n, line in enumerate(lines, start=1) if "weights-migrate:" in line}
    found: set[int] = set()
    stmts = statements(tree)
    for mark in marks:
        inside = [s for s in stmts if first_line(s) <= mark <= (s.end_lineno or s.lineno)]
        if not inside:
            found.add(mark)
            continue
        node = max(inside, key=first_line)  # the innermost: the last to start
        last = node.end_lineno or node.lineno
        body = [s for field in ("body", "orelse", "finalbody", "handlers") for s in getattr(node, field, [])]
        if body and isinstance(body[0], (ast.stmt, ast.excepthandler)):
            last = min(first_line(s) if isinstance(s, ast.stmt) else s.lineno for s in body) - 1
        if mark > last:  # in a body, but on no statement of it (a comment, a blank line)
            found.add(mark)
            continue
        found.update(range(first_line(node), last + 1))
    for node in stmts:  # an import may go, with the comment and blank lines above it (libcst's leading
        # lines); the blank lines above the statement after it are set anew (README, "Python code")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            first, last = first_line(node), node.end_lineno or node.lineno
            while first > 1 and lines[first - 2].strip()[:1] in ("", "#"):
                first -= 1
            while last < len(lines) and not lines[last].strip():
                last += 1
            found.update(range(first, last + 1))
    return found


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(any(line == other for other in rest) for line in needles)


def check_positions(text: str, outcome: Outcome) -> None:
    lines = [line.rstrip("\r\n") for line in lines_of(text.removeprefix("\ufeff"))] or [""]
    if text.endswith(("\n", "\r")):
        lines.append("")  # the empty line after the last line end
    for diag in outcome.diagnostics:
        assert diag.code in CODES, diag
        assert 1 <= diag.line <= len(lines), (diag, len(lines))
        assert 1 <= diag.col <= len(lines[diag.line - 1]) + 1, (diag, lines[diag.line - 1])


def check_suppressed(text: str, outcome: Outcome) -> None:
    """No report on a line whose `# weights-migrate: ignore[...]` names its code, and no site that
    still downloads there either (one that loads from the mount stays: it is no work to answer)."""
    lines = lines_of(text.removeprefix("\ufeff"))
    ignored = {
        n: set(re.findall(r"[A-Z]\d{3}", m.group(1))) for n, line in enumerate(lines, 1) if (m := SUPPRESS.search(line))
    }
    for diag in outcome.diagnostics:  # an error is never answered: the file is left, and the run must say why
        assert diag.severity == "error" or diag.code not in ignored.get(diag.line, ()), diag
    for site in outcome.sites:
        assert site.loaded_from == "mount" or site.code not in ignored.get(site.line, ()), site


def hub_sites(outcome: Outcome) -> list[tuple[int, str | None]]:
    """The sites that still download, by entry and code: a site keeps its code for its whole life."""
    return sorted((site.entry, site.code) for site in outcome.sites if site.loaded_from == "hub")


def migrate_safely(text: str, context: Context) -> Outcome:
    """The editor's outcome; it must neither raise nor warn (CPython's warnings of the module's
    text, such as an invalid escape sequence, are the module's business)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = migrate_python(text, context)
        except Exception as err:  # pragma: no cover - the failure itself
            pytest.fail(f"the editor raised {type(err).__name__}: {err}")
    assert not caught, [str(w.message) for w in caught]
    return outcome


@pytest.mark.slow  # hypothesis: 500 mutated corpus modules
@needs_corpus
@SETTINGS
@given(cases())
def test_mutated_corpus_modules(case: Case):
    text, context = case.text, case.context()
    note(f"{case.module.path} ({case.dialect}{', held' if case.held else ''}): {case.done}")
    note(text)
    outcome = migrate_safely(text, context)  # (1)
    event(f"status: {outcome.status}")
    for diag in outcome.diagnostics:
        event(f"code: {diag.code}")

    assert not [d for d in outcome.diagnostics if d.code == "E099"], outcome.diagnostics  # (1)
    check_positions(text, outcome)  # (5)
    check_suppressed(text, outcome)  # (7)
    tree = parses(text)
    if tree is None:  # (2)
        assert outcome.status is Status.FAILED, outcome
        assert [d.code for d in outcome.diagnostics] == ["E030"], outcome.diagnostics
        assert outcome.text is None
        return
    if outcome.status is Status.FAILED:  # (2) only what CPython's compiler refuses, though `ast` reads it
        assert [d.code for d in outcome.diagnostics] == ["E030"], outcome.diagnostics
        assert outcome.text is None
        with pytest.raises(SyntaxError):
            newer.quiet_compile(text.removeprefix("\ufeff"), "<module>")
        return
    if case.held:  # (2) reported, never rewritten: each rewrite the module would get is a W122
        assert outcome.status is Status.UNCHANGED and outcome.text is None, outcome
        free = migrate_safely(text, dataclasses.replace(context, test_module=False))
        if free.status is Status.MIGRATED:
            assert "W122" in [d.code for d in outcome.diagnostics], outcome.diagnostics
        return
    if outcome.status is Status.UNCHANGED:
        assert outcome.text is None
        return
    assert outcome.status is Status.MIGRATED, outcome
    out = outcome.text
    assert out is not None and out != text
    assert parses(out) is not None, "the output does not parse"  # (3)
    assert out.startswith("\ufeff") == text.startswith("\ufeff")

    for later in (False, True):  # (4)
        again = migrate_safely(out, case.context(later))
        assert again.status is Status.UNCHANGED, (later, again.diagnostics, again.text)
        assert again.text is None
        assert hub_sites(again) == hub_sites(outcome), (later, again.sites, outcome.sites)
        assert len(again.sites) == len(outcome.sites), (later, again.sites, outcome.sites)

    touched = touched_lines(text.removeprefix("\ufeff"), tree, outcome)  # (6)
    kept = [line for n, line in enumerate(lines_of(text.removeprefix("\ufeff")), 1) if n not in touched]
    assert is_subsequence(kept, lines_of(out.removeprefix("\ufeff"))), (sorted(touched), out)


@pytest.mark.slow  # hypothesis: 60 mutated corpus modules, one ruff process for each rewritten one
@needs_corpus
@SETTINGS_RUFF
@given(case=cases(FORMATTED))
def test_formatted_modules_stay_formatted(case: Case, tmp_path_factory: pytest.TempPathFactory):
    note(f"{case.module.path} ({case.dialect}): {case.done}")
    note(case.text)
    outcome = migrate_safely(case.text, case.context())
    event(f"status: {outcome.status}")
    if outcome.status is not Status.MIGRATED:
        return
    folder = tmp_path_factory.mktemp("ruff")
    formatted = ruff_formatted({"before": (case.text, 88), "after": (outcome.text, 88)}, folder)  # (8)
    event(f"input formatted: {'before' in formatted}")
    if "before" in formatted:
        assert "after" in formatted, outcome.text


# --- the survey's own walks -----------------------------------------------------------------------

WALKED = [
    pytest.param("try:\n    a\nexcept E as e:\n    b\nelse:\n    c\nfinally:\n    d\n", id="try"),
    pytest.param(
        "match x:\n    case [a, *b] if a:\n        c = 1\n    case {'k': v, **r}:\n        pass\n", id="match"
    ),
    pytest.param(
        "@d\nclass C(B, k=1):\n    def f(self, a=1, *b, c, **d):\n        return [x for x in b]\n", id="class"
    ),
    pytest.param(
        "async def f():\n    async with a as b:\n        async for c in b:\n            await c\n", id="async"
    ),
    pytest.param(
        "if a:\n    if b: c\n    elif d:\n        while e:\n            break\n    else:\n        pass\n", id="nested"
    ),
    pytest.param("try:\n    a\nexcept* E:\n    b\n", id="try-star"),
    pytest.param("x = (y := lambda z=1: z)\nglobal g\nf'{a!r:>{w}}'\n", id="expressions"),
]


def _walks_agree(tree: ast.Module) -> None:
    assert syntax.statements(tree) == [n for n in ast.walk(tree) if isinstance(n, ast.stmt)]
    for node in ast.walk(tree):
        expected = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
        assert syntax.children(node) == expected


@pytest.mark.parametrize("source", WALKED)
def test_the_fast_walks_meet_what_ast_walk_meets(source):
    _walks_agree(ast.parse(source))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=NO_CORPUS)
def test_the_fast_walks_meet_what_ast_walk_meets_in_the_corpus():
    for module in modules():
        tree = parses(module.text)
        if tree is not None:
            _walks_agree(tree)


def test_a_type_alias_name_is_a_child():
    """Python 3.12's `type X = ...` holds its name as a Name node (other nodes' `name` is a string)."""

    class TypeAlias(ast.stmt):  # as 3.12 defines it; 3.11 has none to parse
        _fields = ("name", "type_params", "value")

    name, value = ast.Name("X", ast.Store()), ast.Name("int", ast.Load())
    assert syntax.children(TypeAlias(name=name, type_params=[], value=value)) == [name, value]
