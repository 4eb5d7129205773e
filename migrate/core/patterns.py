"""Allow and ignore patterns rewritten to select the same files under the weights matcher.

model_cache read a pattern with one of two matchers, and both let `*` cross `/`:
- "fnmatch", legacy entries: huggingface_hub's `filter_repo_objects`, i.e. `fnmatch.fnmatchcase`
  (`*`, `?` and `[...]` match any character, `/` too) after a trailing `/` became `/*`;
- "glob", `use_volume` entries: truss-transfer's `glob_match`, where only `*` is special.

`weights` documents `*` as staying within one folder and `**/` as reaching into sub-folders, and
no more. A rewritten list must select exactly what the old one did, under each reading of it:
(a) fnmatch, (b) `*`, `?` within one folder and `**/` zero or more folders, (c) the same with
`**/` one or more folders, (d) truss-transfer's `glob_match`. A leading dot is matched like any
other character. A repository path is relative: folders and a file name joined by single `/`,
none of them empty, `.` or `..`, and holds no `\\` (huggingface_hub reads one as `/`).

The rule. Consecutive stars are one star to both old matchers, so they become one. Each star of
the old pattern stands for a string holding m >= 0 slashes, and is replaced by the forms below,
every combination of them making one new pattern:
- a star that starts a folder or file name (at the start, or after `/`): `*` (m = 0) and `**/*`
  (m >= 1: what precedes the first slash is a whole folder, so `**/` takes it);
- a star that ends a folder name (just before `/`): `*` and `*/**` (m >= 1, symmetrically);
- any other star: `*` (m = 0), `*/*` (m = 1) and `*/**/*` (m >= 2; m >= 1 under (b)).
Each form matches only strings the old star matched, so no new pattern selects more than the old
one under any reading; under (a) and (d), where `**` is `*`, the first combination is the old
pattern itself, so the list selects all of it; under (b) and (c) every old match has a form per
star that fits its slash count, so it selects all of it. A `**` is always a whole path segment
followed by `/`, never the last one, where (c) would be undefined. Then brevity: a run of folder
segments that are all `*` or `**` means, under every reading, only how many of each it holds, so
patterns equal up to that are one, and a pattern another one covers under every reading goes.

Left as they are: a pattern without a star (it means the same everywhere); one that matches no
repository path for the old matcher and none for any reading (a leading `/`, a `.` folder; for
"glob", a trailing `/`); and one no list can translate exactly, reported with a path the old
matcher and a reading select differently: `?` or `[...]` (special to fnmatch and glob, plain to
truss-transfer), `\\` (a separator to recent huggingface_hub releases, a plain character to older
ones and to truss-transfer, an escape in glob) and `//` (matching nothing for model_cache, but
read as `/` by glob).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

Matcher = Literal["fnmatch", "glob"]
"""The old entry's matcher: "fnmatch" for legacy entries, "glob" for `use_volume: true` ones."""

WITHIN_ONE_FOLDER = "the weights matcher's `*` stays within one folder"
TRAILING_SLASH = "huggingface_hub read a trailing `/` as `/*`"
CONSECUTIVE_STARS = "`**` was one `*` to model_cache, and reaches into folders for weights"

WILDCARDS_OF_FNMATCH = (
    "`?` and `[...]` matched any character for huggingface_hub, but are plain characters to a matcher"
    " like truss-transfer's"
)
PLAIN_TO_TRUSS_TRANSFER = (
    "`?` and `[...]` were plain characters to truss-transfer, but are wildcards to fnmatch and glob"
)
BACKSLASH_OF_HUB = (
    "`\\` separates folders for recent huggingface_hub releases and is a plain character to older ones,"
    " but escapes the next character in glob"
)
BACKSLASH_OF_TRUSS_TRANSFER = "`\\` was a plain character to truss-transfer, but escapes the next character in glob"
DOUBLE_SLASH = "`//` matched no file for model_cache, but reads as `/` in glob"

_FILL = "x"  # what a wildcard stands for in an example path
_CHARACTERS = "xa0_-" + "".join(map(chr, range(33, 127))) + "é"  # those tried for a class
_INSTANCES_TRIED = 4096  # a bound for patterns made of classes that only match `.` or `/`


@dataclass(frozen=True)
class Untranslatable:
    """Why no list of new patterns selects what the old pattern did, and a path that shows it:
    the old matcher and one reading of the new one select `example` differently."""

    reason: str
    example: str


@dataclass(frozen=True)
class Rewrite:
    """One old pattern and the new patterns that replace it, the old one first (with consecutive
    stars made one, and for "fnmatch" a trailing `/` made `/*`).

    `new` is `(old,)` when the pattern stays, and also when it is untranslatable: it is left as
    it is and `untranslatable` says why. `why` names what made `new` differ from `(old,)`.
    """

    old: str
    new: tuple[str, ...]
    why: tuple[str, ...] = ()
    untranslatable: Untranslatable | None = None

    @property
    def changed(self) -> bool:
        return self.new != (self.old,)

    def note(self) -> str | None:
        """A line for a diagnostic, or None when the pattern stays as it is and means the same."""
        if self.untranslatable:
            problem = self.untranslatable
            return f"`{self.old}` is left as it is: {problem.reason}; `{problem.example}` would be selected differently"
        if not self.changed:
            return None
        listed = ", ".join(f"`{pattern}`" for pattern in self.new if pattern != self.old)
        also = "also " if self.new[0] == self.old else ""
        return f"`{self.old}` -> {also}{listed}: {'; '.join(self.why)}"


@dataclass(frozen=True)
class Translation:
    """An old allow or ignore list, pattern by pattern, and the new list it becomes."""

    matcher: Matcher
    rewrites: tuple[Rewrite, ...] = field(default_factory=tuple)

    @property
    def patterns(self) -> list[str]:
        """The new list: every rewrite's patterns in order, each once."""
        return list(dict.fromkeys(pattern for rewrite in self.rewrites for pattern in rewrite.new))

    @property
    def exact(self) -> bool:
        """True when the new list selects exactly what the old one did, under every reading."""
        return not self.untranslatable

    @property
    def untranslatable(self) -> tuple[Rewrite, ...]:
        return tuple(rewrite for rewrite in self.rewrites if rewrite.untranslatable)

    @property
    def changed(self) -> bool:
        return self.patterns != [rewrite.old for rewrite in self.rewrites]


def translate(patterns: Iterable[str], matcher: Matcher) -> Translation:
    """The list `patterns`, read by the old `matcher`, for the weights matcher."""
    return Translation(matcher, tuple(rewrite_pattern(pattern, matcher) for pattern in patterns))


@functools.lru_cache(maxsize=4096)  # a monorepo writes the same few patterns in every truss
def rewrite_pattern(pattern: str, matcher: Matcher) -> Rewrite:
    """One old pattern, read by the old `matcher`, for the weights matcher."""
    old = _old_form(pattern, matcher)
    selected = _old_instance(old, matcher)
    if selected is None:
        return _matching_no_old_path(pattern, matcher)
    problem = _backslash_of_hub(pattern, old, selected, matcher) or _wildcard_characters(
        pattern, old, selected, matcher
    )
    if problem:
        return _left(pattern, problem)
    if "*" not in old:
        return Rewrite(pattern, (pattern,))
    new = _fewest(_alternatives(_one_star_each(old)))
    return Rewrite(pattern, new, _why(pattern, old, new))


def _left(pattern: str, problem: Untranslatable) -> Rewrite:
    return Rewrite(pattern, (pattern,), untranslatable=problem)


def _old_form(pattern: str, matcher: Matcher) -> str:
    r"""The pattern as the old matcher compared it: recent huggingface_hub releases read `\` as
    `/`, and all read a trailing `/` as `/*`."""
    if matcher == "glob":
        return pattern
    hub = pattern.replace("\\", "/")
    return hub + "*" if hub.endswith("/") else hub


def _old_instance(old: str, matcher: Matcher) -> str | None:
    """A repository path the old matcher selects with `old`, or None when there is none."""
    return _fnmatch_instance(old) if matcher == "fnmatch" else _truss_transfer_instance(old)


def _one_star_each(pattern: str) -> str:
    return re.sub(r"\*+", "*", pattern)


def _why(pattern: str, old: str, new: tuple[str, ...]) -> tuple[str, ...]:
    reasons = [TRAILING_SLASH] if old != pattern else []
    if "**" in old:
        reasons.append(CONSECUTIVE_STARS)
    if len(new) > 1:
        reasons.append(WITHIN_ONE_FOLDER)
    return tuple(reasons)


# --- the alternatives --------------------------------------------------------------------------------


def _star_forms(before: str, after: str) -> tuple[str, ...]:
    """What a star stands for, by the characters around it ("" at either end of the pattern)."""
    if before in ("", "/"):
        return ("*", "**/*")
    if after == "/":
        return ("*", "*/**")
    return ("*", "*/*", "*/**/*")


def _alternatives(pattern: str) -> list[str]:
    """Every combination of forms, the pattern itself first; no two stars touch in `pattern`."""
    literals = pattern.split("*")
    forms = [_star_forms(left[-1:], right[:1]) for left, right in itertools.pairwise(literals)]
    return ["".join(_interleave(literals, chosen)) for chosen in itertools.product(*forms)]


def _interleave(literals: Sequence[str], stars: Sequence[str]) -> Iterable[str]:
    yield literals[0]
    for star, literal in zip(stars, literals[1:]):
        yield star
        yield literal


Run = tuple[int, int]
"""Consecutive folder segments that are all `*` or `**`: how many `*`, how many `**`."""

Shape = tuple[tuple[Run, ...], tuple[str, ...]]
"""A pattern as its other segments and the runs before, between and after them."""


def _shape(pattern: str) -> Shape:
    runs: list[Run] = [(0, 0)]
    others: list[str] = []
    for segment in pattern.split("/"):
        if segment in ("*", "**"):
            stars, globstars = runs[-1]
            runs[-1] = (stars + (segment == "*"), globstars + (segment == "**"))
        else:
            others.append(segment)
            runs.append((0, 0))
    return tuple(runs), tuple(others)


def _run_within(inner: Run, outer: Run) -> bool:
    """True when `outer` matches every folder sequence `inner` does, under every reading.

    A run of n `*` and g `**` matches n folders when g = 0; else n or more under (b), n + g or
    more under (c), and under (a) and (d), where `**` is `*`, at least n + g - 1 slashes.
    """
    (stars, globstars), (outer_stars, outer_globstars) = inner, outer
    if not outer_globstars:
        return inner == outer
    return stars >= outer_stars and stars + globstars >= outer_stars + outer_globstars


def _within(inner: Shape, outer: Shape) -> bool:
    return inner[1] == outer[1] and all(map(_run_within, inner[0], outer[0]))


def _fewest(patterns: list[str]) -> tuple[str, ...]:
    """The first pattern of each shape, without those another one covers under every reading."""
    by_shape: dict[Shape, str] = {}
    for pattern in patterns:
        by_shape.setdefault(_shape(pattern), pattern)
    shapes = list(by_shape)
    return tuple(
        by_shape[shape] for shape in shapes if not any(other != shape and _within(shape, other) for other in shapes)
    )


# --- the patterns left as they are --------------------------------------------------------------------


def _matching_no_old_path(pattern: str, matcher: Matcher) -> Rewrite:
    """A pattern the old matcher matched with no repository path: it stays as it is, unless a
    reading of the new matcher matches one: fnmatch through a `?` or a class, truss-transfer's
    matcher by reading them as plain characters, glob through an escape or by reading `//` as `/`."""
    wildcard = _WILDCARD_REASONS[matcher]
    escape_or_slashes = _BACKSLASH_REASONS[matcher] if "\\" in pattern else DOUBLE_SLASH
    readings = [
        (_fnmatch_instance(pattern), wildcard),
        (_truss_transfer_instance(pattern), wildcard),
        (_glob_instance(pattern), escape_or_slashes),
    ]
    found = [Untranslatable(reason, example) for example, reason in readings if example is not None]
    return _left(pattern, found[0]) if found else Rewrite(pattern, (pattern,))


def _backslash_of_hub(pattern: str, old: str, selected: str, matcher: Matcher) -> Untranslatable | None:
    if matcher != "fnmatch" or "\\" not in pattern:
        return None
    return _first_example(BACKSLASH_OF_HUB, [selected, _glob_instance(pattern)], _old_matcher(old, matcher), pattern)


def _wildcard_characters(pattern: str, old: str, selected: str, matcher: Matcher) -> Untranslatable | None:
    if not any(part == "?" or len(part) > 1 for part in _fnmatch_parts(old)):
        return None
    candidates = [_fnmatch_instance(old), selected]
    return _first_example(_WILDCARD_REASONS[matcher], candidates, _old_matcher(old, matcher), pattern)


_WILDCARD_REASONS: dict[Matcher, str] = {"fnmatch": WILDCARDS_OF_FNMATCH, "glob": PLAIN_TO_TRUSS_TRANSFER}
_BACKSLASH_REASONS: dict[Matcher, str] = {"fnmatch": BACKSLASH_OF_HUB, "glob": BACKSLASH_OF_TRUSS_TRANSFER}


def _first_example(
    reason: str, candidates: Sequence[str | None], old_selects: Callable[[str], bool], pattern: str
) -> Untranslatable:
    """The first candidate that the old matcher and `pattern`, left as it is, select differently
    under fnmatch or truss-transfer's matcher; else the first one the old matcher does not select
    (glob reads it differently)."""
    paths = [path for path in candidates if path is not None]
    differ = [path for path in paths if any(old_selects(path) != reads(path) for reads in _readings(pattern))]
    unselected = [path for path in paths if not old_selects(path)]
    return Untranslatable(reason, (differ + unselected + paths)[0])


def _fnmatch_parts(pattern: str) -> list[str]:
    """`*`, `?`, a class `[...]` or one plain character each, as fnmatch splits a pattern: a `[`
    without a later `]` is a plain character."""
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        end = _class_end(pattern, i) if pattern[i] == "[" else None
        parts.append(pattern[i : end + 1] if end is not None else pattern[i])
        i = end + 1 if end is not None else i + 1
    return parts


def _class_end(pattern: str, start: int) -> int | None:
    """Where the class opened at `start` closes, by fnmatch's rule; None for a plain `[`."""
    j = start + 1
    if pattern[j : j + 1] == "!":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    end = pattern.find("]", j)
    return None if end < 0 else end


def _fnmatch_instance(pattern: str) -> str | None:
    """A repository path fnmatch matches with `pattern`, or None when there is none: each `*` and
    `?` as one plain character, each class as a plain member if it has one, else as `.` or `/`."""
    choices = [_part_choices(part) for part in _fnmatch_parts(pattern)]
    instances = itertools.islice(itertools.product(*choices), _INSTANCES_TRIED)
    return next((path for path in map("".join, instances) if _is_repository_path(path)), None)


def _part_choices(part: str) -> list[str]:
    if part in ("*", "?"):
        return [_FILL]
    if len(part) == 1:
        return [part]
    members = [c for c in dict.fromkeys(_CHARACTERS + part[1:-1]) if fnmatchcase(c, part)]
    plain = [c for c in members if c not in "./\\"][:1]
    return plain or [c for c in members if c in "./"]


def _truss_transfer_instance(pattern: str) -> str | None:
    """A repository path truss-transfer's matcher matches with `pattern`, or None when there is none."""
    path = pattern.replace("*", _FILL)
    return path if _is_repository_path(path) else None


def _glob_instance(pattern: str) -> str | None:
    r"""A repository path glob matches with `pattern`, or None when there is none: `\c` is c, a
    last `\` nothing, each wildcard one plain character, a class a plain member (one holding `/`
    is plain characters); a `/` right after another is none, but an escaped one always separates
    (wcmatch reads `a/\/b` as `a//b`)."""
    path, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        end = _class_end(pattern, i) if char == "[" else None
        if end is not None and "/" in pattern[i:end]:
            end = None  # wcmatch reads a class that holds `/` as plain characters
        if end is not None:
            member = _glob_class_member(pattern[i : end + 1])
            if member is None:
                return None
            path, i = path + member, end + 1
        elif char == "\\":
            path, i = path + pattern[i + 1 : i + 2], i + 2
        else:
            if not (char == "/" and path.endswith("/")):
                path += _FILL if char in "*?" else char
            i += 1
    return path if _is_repository_path(path) else None


def _glob_class_member(part: str) -> str | None:
    """A character glob's class matches (never `/`; `[^...]` negates, as `[!...]` does), a plain one first."""
    body = part[1:-1]
    as_fnmatch = "[!" + body[1:] + "]" if body.startswith("^") else part
    members = [c for c in dict.fromkeys(_CHARACTERS + body) if c != "/" and fnmatchcase(c, as_fnmatch)]
    plain = [c for c in members if c not in ".\\"]
    found = plain or members
    return found[0] if found else None


def _old_matcher(old: str, matcher: Matcher) -> Callable[[str], bool]:
    if matcher == "fnmatch":
        return lambda path: fnmatchcase(path, old)
    return lambda path: _truss_transfer_selects(old, path)


def old_selects(pattern: str, matcher: Matcher) -> Callable[[str], bool]:
    """What an old pattern selected: huggingface_hub's fnmatch (a trailing `/` read as `/*`), or truss-transfer's."""
    return _old_matcher(pattern + "*" if matcher == "fnmatch" and pattern.endswith("/") else pattern, matcher)


def _readings(pattern: str) -> tuple[Callable[[str], bool], ...]:
    """The readings of the new matcher this module can run: (a) fnmatch and (d) truss-transfer's."""
    return (lambda path: fnmatchcase(path, pattern), lambda path: _truss_transfer_selects(pattern, path))


def _truss_transfer_selects(pattern: str, path: str) -> bool:
    """truss-transfer's `glob_match`: `*` matches any string, `/` too; every other character itself."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), path, flags=re.DOTALL) is not None


def _is_repository_path(path: str) -> bool:
    return "\\" not in path and all(segment not in ("", ".", "..") for segment in path.split("/"))


# --- what a list of new patterns selects ---------------------------------------------------------


def _segment_glob(pattern: str, folders: str) -> re.Pattern[str]:
    """The weights matcher: `*` and `?` stay within one folder; `**/` crosses `folders` ("*" or "+") folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append(f"(?:[^/]+/){folders}")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def readings(pattern: str) -> list[Callable[[str], bool]]:
    """The plausible readings of one pattern under the weights matcher (fnmatch; `**/` zero or more; one or more)."""
    zero, one = _segment_glob(pattern, "*"), _segment_glob(pattern, "+")
    return [
        lambda path: fnmatchcase(path, pattern),
        lambda path: zero.match(path) is not None,
        lambda path: one.match(path) is not None,
    ]


def selects(pattern: str, files: Iterable[str]) -> tuple[set[str], set[str]]:
    """The files a pattern selects under every reading, and under any reading."""
    matchers = readings(pattern)
    every, any_ = set(), set()
    for f in files:
        hits = [bool(m(f)) for m in matchers]
        if all(hits):
            every.add(f)
        if any(hits):
            any_.add(f)
    return every, any_


def mounted(files: Iterable[str], patterns: Mapping[str, Sequence[str]]) -> tuple[frozenset[str], frozenset[str]]:
    """The files of a listing an entry's new allow/ignore lists mount: surely (under every reading of
    every pattern), and maybe (under some reading)."""
    allow, ignore = patterns.get("allow_patterns"), patterns.get("ignore_patterns") or ()
    every_allowed, any_allowed = _union([selects(p, files) for p in allow]) if allow is not None else (None, None)
    every_ignored, any_ignored = _union([selects(p, files) for p in ignore])
    listed = set(files)
    sure = (every_allowed if every_allowed is not None else listed) - any_ignored
    maybe = (any_allowed if any_allowed is not None else listed) - every_ignored
    return frozenset(sure), frozenset(maybe)


def _union(selections: list[tuple[set[str], set[str]]]) -> tuple[set[str], set[str]]:
    every: set[str] = set()
    any_: set[str] = set()
    for one, some in selections:
        every |= one
        any_ |= some
    return every, any_
