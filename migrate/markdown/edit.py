"""Markdown and MDX: migrate the configs and code shown in fenced code blocks (as blacken-docs does).

A fence is found with markdown-it (CommonMark), so fences in lists and block
quotes, tildes, longer fences around shorter ones and unterminated fences mean
what a Markdown renderer makes of them. Its content is taken out of its
container (each line loses the indentation or `> ` before it), migrated by the
same code as a config file or a Python module, and put back with the same
indentation; every other byte of the document stays as it was.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..core import keys
from ..core.context import Context
from ..core.diagnostics import Diagnostic
from ..core.entry import EntryPlan
from ..core.outcome import MigrationError, Outcome, Status

YAML_LANGUAGES = frozenset({"yaml", "yml"})
PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})
# Lines as markdown-it counts them: \r\n, \r and \n all end a line.
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_ENDING = re.compile(r"(?:\r\n|\r|\n)\Z")


class Skip(MigrationError):
    """A fence that needs a change but cannot be taken out of its container safely."""

    def __init__(self, diagnostic: Diagnostic, language: str = "", text: str = ""):
        super().__init__(diagnostic)
        self.language, self.text = language, text


@dataclass
class Fence:
    language: str  # "yaml" or "python"
    opening: int  # 0-based index of the opening fence's line
    lines: list[str]  # the content's source lines, with their container prefixes and line endings
    content: list[str]  # the same lines without the prefixes: what a renderer shows
    prefixes: list[str]
    closed: bool

    @property
    def text(self) -> str:
        return "".join(self.content)

    @property
    def indent(self) -> str:
        """The prefix of every non-blank line (the container's indentation)."""
        found = {p for p, c in zip(self.prefixes, self.content) if c.strip()}
        if len(found) > 1:
            raise Skip(
                Diagnostic(
                    self.opening + 1, 1, "E041", "fence lines indented unevenly inside their container: left as it is"
                )
            )
        return found.pop() if found else ""


def split_lines(text: str) -> list[str]:
    return _LINES.findall(text)


def _language(info: str) -> str | None:
    words = info.split(maxsplit=1)
    word = words[0].lower().strip("{}.") if words else ""
    return "yaml" if word in YAML_LANGUAGES else "python" if word in PYTHON_LANGUAGES else None


def _fence(span: list[int], shown_text: str, lines: list[str], language: str) -> Fence:
    """The fence markdown-it found at lines span[0]:span[1], showing shown_text, in the document's lines."""
    start, end = span
    shown = shown_text.split("\n")
    if shown[-1] == "":  # the content ends with a line break (or is empty)
        shown.pop()
    closed = end - start - 2 == len(shown) and end - 1 > start
    source = lines[start + 1 : start + 1 + len(shown)]
    content: list[str] = []
    prefixes: list[str] = []
    unmapped = Skip(
        Diagnostic(
            start + 1, 1, "E041", "fence content not understood line by line (tabs in its indentation?): left as it is"
        ),
        language,
        shown_text,
    )
    if len(source) != len(shown):
        raise unmapped
    for line, seen in zip(source, shown):
        ending = _ENDING.search(line)
        body = line[: ending.start()] if ending else line
        if not body.endswith(seen):  # markdown-it expanded a tab or replaced a character
            raise unmapped
        prefixes.append(body[: len(body) - len(seen)])
        content.append(seen + (ending.group() if ending else ""))
    return Fence(language, start, source, content, prefixes, closed)


def fences(text: str) -> list[Fence | Skip]:
    """The YAML and Python fences of a Markdown text, in order (a Skip where one cannot be mapped)."""
    from markdown_it import MarkdownIt  # loaded only for documents that mention the block

    lines = split_lines(text)
    found: list[Fence | Skip] = []
    for token in MarkdownIt("commonmark").parse(text):
        language = _language(token.info) if token.type == "fence" else None
        if language is None or token.map is None:  # markdown-it maps every fence to its lines
            continue
        try:
            found.append(_fence(token.map, token.content, lines, language))
        except Skip as skip:
            found.append(skip)
    return found


def _migrate(fence: Fence, context: Context) -> Outcome:
    """The fence's content migrated as a Python module or as a config (the editors load on first use)."""
    if fence.language == "python":
        from ..python import edit as python_edit

        return python_edit.migrate(fence.text, context)
    from ..config import edit as config_edit

    return config_edit.migrate(fence.text, context)


def _place(fence: Fence, diagnostic: Diagnostic) -> Diagnostic:
    """A diagnostic of the fence's content at its line and column in the document."""
    if diagnostic.line < 1:  # the whole content: the opening fence's line
        return Diagnostic(fence.opening + 1, 1, diagnostic.code, diagnostic.message)
    line = min(diagnostic.line, len(fence.lines) + 1)  # past the content (end of input): the closing fence
    prefix = fence.prefixes[line - 1] if line <= len(fence.lines) else ""
    return Diagnostic(
        fence.opening + 1 + line, max(diagnostic.col, 1) + len(prefix), diagnostic.code, diagnostic.message
    )


def _put_back(fence: Fence, new_text: str) -> list[str]:
    """The migrated content's lines in the container: unchanged lines byte for byte, new ones indented."""
    new = split_lines(new_text)
    indent = fence.indent
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, fence.content, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += fence.lines[i1:i2]
        else:
            out += [indent + line if line.strip() else line for line in new[j1:j2]]
    return out


def migrate(source: str, context: Context = Context()) -> Outcome:
    """Migrate the fenced configs (and, unless context.code is False, the Python) of one Markdown document.

    Never raises for bad input.
    """
    lines = split_lines(source)
    found = [
        f
        for f in fences(source)
        if (context.code or f.language != "python") and keys.fence_wanted(f.language, f.text, context)
    ]
    if not found:
        return Outcome(Status.UNCHANGED)
    errors: list[Diagnostic] = []
    notes: list[Diagnostic] = []
    plans: list[EntryPlan] = []
    replaced: dict[int, tuple[Fence, list[str], str]] = {}  # opening line -> fence, its new lines, new content
    for fence in found:
        if isinstance(fence, Skip):
            errors.append(fence.diagnostic)
            continue
        if not fence.closed:
            errors.append(
                Diagnostic(
                    fence.opening + 1,
                    1,
                    "E040",
                    f"unterminated {fence.language} fence: left as it is (close it and run again)",
                )
            )
            continue
        outcome = _migrate(fence, context)
        placed = [_place(fence, d) for d in outcome.diagnostics]
        (errors if outcome.status is Status.FAILED else notes).extend(placed)
        if outcome.status is Status.MIGRATED and outcome.text is not None:
            try:
                replaced[fence.opening] = (fence, _put_back(fence, outcome.text), outcome.text)
            except Skip as skip:
                errors.append(skip.diagnostic)
            plans += outcome.plans
    if errors:
        return Outcome(Status.FAILED, diagnostics=sorted(errors, key=lambda d: (d.line, d.col)))
    diagnostics = sorted(notes, key=lambda d: (d.line, d.col))
    if not replaced:
        return Outcome(Status.UNCHANGED, diagnostics=diagnostics)
    out: list[str] = []
    at = 0
    for opening, (fence, new_lines, _) in sorted(replaced.items()):
        out += lines[at : opening + 1] + new_lines
        at = opening + 1 + len(fence.lines)
    text = "".join(out + lines[at:])
    failure = same_fences(source, text, {f.opening: new for f, _, new in replaced.values()}, context)
    if failure:
        return Outcome(Status.FAILED, diagnostics=[failure])
    return Outcome(Status.MIGRATED, text, diagnostics, plans)


def same_fences(old: str, new: str, changed: dict[int, str], context: Context) -> Diagnostic | None:
    """The new document holds the same fences, and each shows the migrated (or its old) content."""
    before = [f for f in fences(old) if isinstance(f, Fence)]
    after = [f for f in fences(new) if isinstance(f, Fence)]
    shift = 0
    if len(before) != len(after):
        return Diagnostic(1, 1, "E099", "internal error: the migrated document's fences differ; left untouched")
    for old_fence, new_fence in zip(before, after):
        expected = changed.get(old_fence.opening, old_fence.text)
        if (new_fence.opening - shift, new_fence.language, new_fence.text) != (
            old_fence.opening,
            old_fence.language,
            expected,
        ):
            return Diagnostic(
                old_fence.opening + 1,
                1,
                "E099",
                "internal error: a migrated fence did not read back as planned; left untouched",
            )
        shift += len(new_fence.lines) - len(old_fence.lines)
    return None
