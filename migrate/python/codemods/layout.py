"""A line that grew past the line limit, split as `ruff format` (black's style) splits it.

The right-hand split: the last bracket whose opening still fits on the line keeps its opening
there, its contents go on the next line, indented, and the closing bracket (with what follows it)
on the line after. The contents stay on one line when they fit; otherwise each element gets a
line of its own and a trailing comma, and an element still too long is split the same way. A
statement whose target leaves no room for any opening bracket gets its value in parentheses.

Only the shapes a migration produces are laid out: names, calls, attribute chains, keyword
arguments, list, dict and set displays, and `from ... import` lists. A line that needs splitting
anywhere else (an operator, a comprehension, a lambda, a subscript, a chain of two or more method
calls, which ruff lays out one call per line) is left as it is: `split_line` returns None.
"""

from __future__ import annotations

import io
import itertools
import keyword
import tokenize
from collections.abc import Collection
from dataclasses import dataclass

INDENT = "    "
_OPENING = {"(": ")", "[": "]", "{": "}"}
_CLOSING = set(_OPENING.values())
_VALUES = {"None", "True", "False"}  # keywords that are atoms
_PREFIXES = {"return", "await"}  # keywords a value may follow
_ASSIGNMENTS = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "@=", "&=", "|=", "^=", ">>=", "<<=", "**="}
_STRING_STARTS = {getattr(tokenize, name) for name in ("FSTRING_START", "TSTRING_START") if hasattr(tokenize, name)}
_STRING_ENDS = {getattr(tokenize, name) for name in ("FSTRING_END", "TSTRING_END") if hasattr(tokenize, name)}
_SKIPPED = {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
_COLON_PRAGMAS = {"isort", "type", "pyright", "pylint", "flake8", "ruff"}


@dataclass(frozen=True)
class _Token:
    kind: int
    text: str
    start: int  # columns in the line
    end: int


@dataclass(frozen=True)
class _Suffix:
    """What follows a part on its last line: a comma and the line's comment, and the width ruff counts."""

    text: str = ""
    width: int = 0

    def comma(self) -> _Suffix:
        return _Suffix("," + self.text, 1 + self.width)


def module_width(text: str, default: int = 88) -> int:
    """The line limit a module was laid out to when its project names none: ruff's default, unless
    the module's own code is wider. Lines a formatter cannot shorten do not count: a comment's, a
    line of a string over several lines, a line long by its trailing comment, or by a string that
    would not fit on a line of its own."""
    lines = text.splitlines()
    long = {n for n, line in enumerate(lines, start=1) if len(line) > default}
    if not long:
        return default
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return max(default, *map(len, lines))
    unsplittable: set[int] = set()
    starts: list[tokenize.TokenInfo] = []
    for token in tokens:
        if token.type in _STRING_STARTS:
            starts.append(token)
            continue
        first = starts.pop() if token.type in _STRING_ENDS and starts else token
        if starts or token.type not in (tokenize.STRING, tokenize.COMMENT, *_STRING_ENDS):
            continue
        (line, column), (end_line, end_column) = first.start, token.end
        if line != end_line:
            unsplittable.update(range(line, end_line + 1))
        elif token.type == tokenize.COMMENT and column - 2 <= default:
            unsplittable.add(line)  # the code before it fits: only the comment is long
        elif token.type != tokenize.COMMENT and _indent(lines[line - 1]) + end_column - column + len(INDENT) > default:
            unsplittable.add(line)  # the string alone, a level deeper, would not fit either
    counted = [len(lines[n - 1]) for n in long if n not in unsplittable]
    return max([default, *counted])


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def split_statement(code: str, indent: str, width: int, before: Collection[str]) -> str | None:
    """A statement's code with each line that grew past width split, or None if none is.

    code is as libcst writes a statement: its first line without its indentation, the lines after
    it with theirs. A line as it was before (in before) is left, and so is a line of a string.
    """
    rows = code.split("\n")
    lines = [indent + rows[0], *rows[1:]]
    grown = [n for n, line in enumerate(lines) if len(line) > width and line not in before]
    strings = _string_rows(code) if grown else None
    if strings is None or any(row.rstrip().endswith("\\") for row in rows):
        return None
    out = [[row] for row in rows]
    for n in grown:
        text = lines[n].lstrip()
        split = None if n in strings else split_line(text, lines[n][: len(lines[n]) - len(text)], width, n > 0)
        if split is not None and split != [lines[n]]:
            out[n] = [split[0][len(indent) :] if n == 0 else split[0], *split[1:]]
    fitted = "\n".join(line for group in out for line in group)
    return fitted if fitted != code else None


def _string_rows(code: str) -> set[int] | None:
    """The rows (0-based) a string spans over, or None if the code does not tokenize."""
    rows: set[int] = set()
    starts: list[int] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type in _STRING_STARTS:
                starts.append(token.start[0])
                continue
            first = starts.pop() if token.type in _STRING_ENDS else token.start[0]
            if token.type in (tokenize.STRING, *_STRING_ENDS) and first != token.end[0]:
                rows.update(range(first - 1, token.end[0]))
    except (tokenize.TokenError, SyntaxError):
        return None
    return rows


def split_line(text: str, indent: str, width: int, inside: bool) -> list[str] | None:
    """The lines (each with its indentation) ruff would make of `indent + text`, or None.

    inside: the line holds elements of a bracket opened on a line above (an argument of a call
    already split), so a comma separates elements; otherwise it is a whole statement.
    """
    tokens = _tokens(text)
    if not tokens or not _balanced(tokens):
        return None
    suffix = _Suffix()
    if tokens[-1].kind == tokenize.COMMENT:
        comment = text[tokens[-2].end :] if len(tokens) > 1 else ""
        suffix = _Suffix(comment, 0 if _pragma(tokens[-1].text) else len(comment))
        tokens = tokens[:-1]
    if inside and tokens and tokens[-1].text == ",":
        suffix = suffix.comma()
        tokens = tokens[:-1]
    if not tokens:
        return None
    return _Layout(text, tokens, width).place(0, len(tokens), indent, suffix, inside, statement=not inside)


def _pragma(comment: str) -> bool:
    """A comment ruff leaves out of a line's width (`# noqa`, `# type: ignore`, ...)."""
    content = comment[1:].lstrip()
    return (
        content[:4].lower() == "noqa"
        or content.startswith("nosec")
        or (":" in content and content.partition(":")[0] in _COLON_PRAGMAS)
    )


def _tokens(text: str) -> list[_Token] | None:
    """The tokens of one physical line; an f-string (tokenized in parts since Python 3.12) is one."""
    found: list[_Token] = []
    nested, start = 0, 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIPPED:
                continue
            if token.start[0] != 1 or token.end[0] != 1:
                return None  # a string that goes on past the line
            if token.type in _STRING_STARTS:
                nested, start = nested + 1, start if nested else token.start[1]
            elif token.type in _STRING_ENDS:
                nested -= 1
                if not nested:
                    found.append(_Token(tokenize.STRING, text[start : token.end[1]], start, token.end[1]))
            elif not nested:
                found.append(_Token(token.type, token.string, token.start[1], token.end[1]))
    except (tokenize.TokenError, SyntaxError):
        return None
    return found


def _balanced(tokens: list[_Token]) -> bool:
    stack: list[str] = []
    for token in tokens:
        if token.text in _OPENING:
            stack.append(_OPENING[token.text])
        elif token.text in _CLOSING and (not stack or stack.pop() != token.text):
            return False
    return not stack


class _Layout:
    """One line's tokens, laid out part by part: a part is the tokens [a, b) on a line of their own."""

    def __init__(self, text: str, tokens: list[_Token], width: int) -> None:
        self.text = text
        self.tokens = tokens
        self.width = width
        self.partner: dict[int, int] = {}
        stack: list[int] = []
        for i, token in enumerate(tokens):
            if token.text in _OPENING:
                stack.append(i)
            elif token.text in _CLOSING:
                opening = stack.pop()
                self.partner[opening], self.partner[i] = i, opening

    def code(self, a: int, b: int) -> str:
        return self.text[self.tokens[a].start : self.tokens[b - 1].end]

    def fits(self, indent: str, a: int, b: int, suffix: _Suffix = _Suffix()) -> bool:
        return len(indent) + len(self.code(a, b)) + suffix.width <= self.width

    def top(self, a: int, b: int) -> list[int]:
        """The indices of [a, b) outside its brackets (a bracket itself is outside)."""
        found, i = [], a
        while i < b:
            found.append(i)
            i = self.partner[i] + 1 if self.tokens[i].text in _OPENING else i + 1
        return found

    def place(self, a: int, b: int, indent: str, suffix: _Suffix, inside: bool, statement: bool) -> list[str] | None:
        if self.fits(indent, a, b, suffix):
            return [indent + self.code(a, b) + suffix.text]
        commas = [i for i in self.top(a, b) if self.tokens[i].text == ","]
        if statement and self.tokens[a].text == "from":
            return self.import_from(a, b, indent, suffix)
        if commas and not inside:
            return None  # a tuple
        if commas:
            return self.one_per_line([a, *(c + 1 for c in commas)], [*commas, b], indent, suffix)
        if not self.plain(a, b, statement):
            return None
        if statement:
            return self.statement(a, b, indent, suffix)
        return self.split_own(a, b, indent, suffix)

    def import_from(self, a: int, b: int, indent: str, suffix: _Suffix) -> list[str] | None:
        """`from module import (`, then each name on a line of its own with a comma, then `)`."""
        names = next((i + 1 for i in range(a, b) if self.tokens[i].text == "import"), b)
        if names == b or self.tokens[names].text in ("(", "*"):
            return None
        commas = [i for i in range(names, b) if self.tokens[i].text == ","]
        starts, ends = [names, *(c + 1 for c in commas)], [*commas, b]
        lines = [indent + INDENT + self.code(x, y) + "," for x, y in zip(starts, ends) if x < y]
        return [indent + self.code(a, names) + " (", *lines, indent + ")" + suffix.text]

    def one_per_line(self, starts: list[int], ends: list[int], indent: str, suffix: _Suffix) -> list[str] | None:
        """Each element on a line of its own, every one with a comma (the magic trailing comma)."""
        if starts[-1] == ends[-1]:  # the elements ended with a comma already
            starts, ends = starts[:-1], ends[:-1]
        lines: list[str] = []
        for i, (a, b) in enumerate(zip(starts, ends)):
            comma = (suffix if i == len(starts) - 1 else _Suffix()).comma()
            element = self.place(a, b, indent, comma, inside=True, statement=False)
            if element is None:
                return None
            lines += element
        return lines

    def statement(self, a: int, b: int, indent: str, suffix: _Suffix) -> list[str] | None:
        """A statement's layouts in ruff's order of preference: split at the value's own brackets
        when every line then fits, else the value in parentheses when every line then fits, else
        split at its own brackets all the same. A display (`[...]`) is always split at its own
        brackets, and so is a returned value that has brackets."""
        own = self.split_own(a, b, indent, suffix)
        value = self.value(a, b)
        if value is None or self.display(value, b) or (own is not None and self.all_fit(own, suffix)):
            return own
        if self.tokens[a].text == "return" and self.brackets(value, b):
            return own
        parenthesized = self.parenthesized(a, value, b, indent, suffix)
        if parenthesized is not None and self.all_fit(parenthesized, suffix):
            return parenthesized
        return own

    def brackets(self, a: int, b: int) -> list[int]:
        """The openings of the brackets of [a, b) that hold something."""
        return [i for i in self.top(a, b) if self.tokens[i].text in _OPENING and self.partner[i] > i + 1]

    def split_own(self, a: int, b: int, indent: str, suffix: _Suffix) -> list[str] | None:
        """Split at the last bracket whose opening fits on the first line (at the first when none
        does); what holds no bracket to split stays as it is."""
        brackets = self.brackets(a, b)
        if not brackets:
            return [indent + self.code(a, b) + suffix.text]
        fitting = [i for i in brackets if self.fits(indent, a, i + 1)]
        opening = fitting[-1] if fitting else brackets[0]
        if self.subscript(a, opening):
            return None
        closing = self.partner[opening]
        if self.tokens[closing - 1].text == ",":
            return None  # a magic trailing comma on one line: ruff's reading of it is not followed here
        commas = [i for i in self.top(opening + 1, closing) if self.tokens[i].text == ","]
        if commas and self.display_at(a, opening):  # black's should_split_line: a display's elements explode
            starts, ends = [opening + 1, *(c + 1 for c in commas)], [*commas, closing]
            body = self.one_per_line(starts, ends, indent + INDENT, _Suffix())
        else:
            body = self.place(opening + 1, closing, indent + INDENT, _Suffix(), inside=True, statement=False)
        if body is None or not self.fits(indent, closing, b, suffix):
            return None
        return [indent + self.code(a, opening + 1), *body, indent + self.code(closing, b) + suffix.text]

    def parenthesized(self, a: int, value: int, b: int, indent: str, suffix: _Suffix) -> list[str] | None:
        """`target = (` value `)`. The line's comment goes after an unsplittable value, inside."""
        inner, outer = (_Suffix(), suffix) if self.brackets(value, b) else (suffix, _Suffix())
        lines = self.place(value, b, indent + INDENT, inner, inside=False, statement=False)
        if lines is None:
            return None
        return [indent + self.code(a, value) + " (", *lines, indent + ")" + outer.text]

    def all_fit(self, lines: list[str], suffix: _Suffix) -> bool:
        """Whether every line fits, the line that ends with the comment counted as ruff counts it."""
        ends = len(suffix.text) - suffix.width if suffix.text else 0
        return all(len(line) - (ends if line.endswith(suffix.text) else 0) <= self.width for line in lines)

    def value(self, a: int, b: int) -> int | None:
        """Where a statement's value starts: after its one assignment, or after `return`."""
        equals = [i for i in self.top(a, b) if self.tokens[i].text in _ASSIGNMENTS]
        if len(equals) == 1 and equals[0] + 1 < b:
            return equals[0] + 1
        return a + 1 if not equals and self.tokens[a].text == "return" and a + 1 < b else None

    def display(self, value: int, b: int) -> bool:
        """Whether the value is a list, dict, set or tuple written out, which ruff never parenthesizes."""
        return self.tokens[value].text in _OPENING and self.partner[value] == b - 1

    def plain(self, a: int, b: int, statement: bool) -> bool:
        """Whether [a, b) is of the shapes laid out here: an atom with its trailers, after a keyword
        argument's name or a dict key, or a statement's target and `return`/`await`."""
        tokens = [self.tokens[i] for i in self.top(a, b)]
        if sum(1 for t, u in itertools.pairwise(tokens) if t.text in _OPENING and u.text == ".") > 1:
            return False  # a call chain (a bracket stands for its group here): ruff puts each call on a line
        for n, token in enumerate(tokens):
            previous = tokens[n - 1] if n else None
            if token.kind == tokenize.STRING and previous is not None and previous.kind == tokenize.STRING:
                return False  # implicit concatenation
            if token.kind == tokenize.NAME and keyword.iskeyword(token.text) and token.text not in _VALUES:
                after = previous is None or previous.text in _ASSIGNMENTS or previous.text in _PREFIXES
                if token.text not in _PREFIXES or not after:
                    return False
            if token.kind == tokenize.OP and not self.allowed(token.text, previous, statement):
                return False
        return True

    @staticmethod
    def allowed(op: str, previous: _Token | None, statement: bool) -> bool:
        if op in _OPENING or op in _CLOSING or op == ".":
            return True
        if op in ("*", "**"):
            return previous is None and not statement
        return op in (":", "=") or (statement and op in _ASSIGNMENTS)

    def display_at(self, a: int, opening: int) -> bool:
        """Whether the bracket opens a display (a list, set, dict or tuple written out), not a call's
        arguments or a subscript: nothing that ends an atom stands before it."""
        before = self.tokens[opening - 1] if opening > a else None
        if self.tokens[opening].text == "{" or before is None:
            return True
        ends_atom = before.kind in (tokenize.NAME, tokenize.STRING) or before.text in _CLOSING
        return not ends_atom or (keyword.iskeyword(before.text) and before.text not in _VALUES)

    def subscript(self, a: int, opening: int) -> bool:
        before = self.tokens[opening - 1] if opening > a else None
        return (
            self.tokens[opening].text == "["
            and before is not None
            and (before.kind in (tokenize.NAME, tokenize.STRING) or before.text in _CLOSING)
            and not keyword.iskeyword(before.text)
        )
