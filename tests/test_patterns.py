"""migrate.core.patterns: old allow/ignore lists rewritten to select the same files for `weights`.

Every check compares against matchers that are not the module's own:
- old, legacy entries: huggingface_hub's `filter_repo_objects` (the installed library);
- old, `use_volume` entries: `glob_match`/`should_ignore_file`, ported below from truss-transfer;
- new, reading (a): `fnmatch.fnmatchcase` (no trailing-slash append);
- new, reading (b): wcmatch's `globmatch` with GLOBSTAR | DOTGLOB (`**/` = zero or more folders);
- new, reading (c): the same, every `**/` made `*/**/` (one or more folders);
- new, reading (d): the `glob_match` port.

The tables hold the rule's cases, one table per shape of pattern;
`test_every_short_pattern_translates_exactly_and_briefly` proves the rule on every pattern of up to
five characters over `a`, `*`, `/` (seven with the large profile), against every path of up to
three folders over a few names plus paths filling each star with deeper ones; the hypothesis tests
draw Hugging Face listings, and patterns from the corpus and at random.

Profiles (chosen with the HYPOTHESIS_PROFILE environment variable, default "ci"):
    ci     100 examples per test; the whole file runs in a few seconds.
    large  5,000 examples per test:

        HYPOTHESIS_PROFILE=large python -m pytest tests/test_patterns.py
"""

from __future__ import annotations

import ast
import functools
import itertools
import os
import re
import sys
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
import yaml
from huggingface_hub.utils import filter_repo_objects
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from wcmatch import glob as wcglob

from migrate.core import patterns
from migrate.core.patterns import (
    BACKSLASH_OF_HUB,
    BACKSLASH_OF_TRUSS_TRANSFER,
    DOUBLE_SLASH,
    PLAIN_TO_TRUSS_TRANSFER,
    WILDCARDS_OF_FNMATCH,
    Matcher,
    Rewrite,
    Translation,
    rewrite_pattern,
    translate,
)

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=_HEALTH)
settings.register_profile("large", max_examples=10_000, deadline=None, suppress_health_check=_HEALTH)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_BASE = settings.get_profile(PROFILE)  # this module's settings only: other modules keep theirs
SETTINGS = settings(_BASE, max_examples={"ci": 100, "large": 5_000}.get(PROFILE, _BASE.max_examples))

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "truss-examples"
MATCHERS: list[Matcher] = ["fnmatch", "glob"]


# --- the old matchers ------------------------------------------------------------------------------


def glob_match(pattern: str, text: str) -> bool:
    """truss-transfer/src/create/filter.rs `glob_match`, line by line (byte offsets become
    character offsets: every offset is the end of a matched part, so both agree)."""
    if pattern == "*":
        return True

    if "*" in pattern:
        parts = pattern.split("*")
        text_pos = 0

        for i, part in enumerate(parts):
            if not part:
                continue

            if i == 0:
                # First part must match from beginning
                if not text[text_pos:].startswith(part):
                    return False
                text_pos += len(part)
            elif i == len(parts) - 1:
                # Last part must match at end
                return text[text_pos:].endswith(part)
            else:
                # Middle parts must exist somewhere
                pos = text[text_pos:].find(part)
                if pos < 0:
                    return False
                text_pos += pos + len(part)
        return True
    else:
        return text == pattern


def should_ignore_file(file_path: str, allow_patterns: list[str] | None, ignore_patterns: list[str] | None) -> bool:
    """truss-transfer/src/create/filter.rs `should_ignore_file`, line by line."""
    # If there are ignore patterns and this file matches any, ignore it
    if ignore_patterns is not None:
        for pattern in ignore_patterns:
            if glob_match(pattern, file_path):
                return True

    # If there are allow patterns, file must match at least one
    if allow_patterns is not None:
        for pattern in allow_patterns:  # noqa: SIM110
            if glob_match(pattern, file_path):
                return False  # Found a match, don't ignore
        return True  # No match found, ignore

    return False  # No patterns or no ignore match


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        # test_glob_match
        pytest.param("*.txt", "file.txt", True, id="txt"),
        pytest.param("*.json", "config.json", True, id="json"),
        pytest.param("*.txt", "file.json", False, id="txt-not-json"),
        pytest.param("*", "anything", True, id="star"),
        pytest.param("prefix*", "prefix_file.txt", True, id="prefix"),
        pytest.param("prefix*", "other_file.txt", False, id="other-prefix"),
        pytest.param("*.lock", "tokenizer_config.json.lock", True, id="lock"),
        pytest.param("*.lock", "file.lock", True, id="file-lock"),
        pytest.param("*.lock", "file.txt", False, id="lock-not-txt"),
        # what the issue relies on
        pytest.param("*.json", "unet/config.json", True, id="star-crosses-slash"),
        pytest.param("a?c", "abc", False, id="question-mark-is-plain"),
        pytest.param("a?c", "a?c", True, id="question-mark-matches-itself"),
        pytest.param("[ab]", "a", False, id="bracket-is-plain"),
        pytest.param("a*a", "a", False, id="parts-do-not-overlap"),
    ],
)
def test_the_glob_match_port_passes_the_rust_unit_tests(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


@pytest.mark.parametrize(
    ("file_path", "allow", "ignore", "expected"),
    [
        # test_should_ignore_file
        pytest.param("model.safetensors", ["*.safetensors", "*.json"], ["*.md"], False, id="allowed"),
        pytest.param("README.md", ["*.safetensors", "*.json"], ["*.md"], True, id="ignored"),
        pytest.param("model.txt", ["*.safetensors", "*.json"], ["*.md"], True, id="not-allowed"),
        pytest.param("any_file.txt", None, None, False, id="no-patterns"),
    ],
)
def test_the_should_ignore_file_port_passes_the_rust_unit_tests(
    file_path: str, allow: list[str] | None, ignore: list[str] | None, expected: bool
) -> None:
    assert should_ignore_file(file_path, allow, ignore) is expected


def old_selection(matcher: Matcher, allow: list[str] | None, ignore: list[str] | None, listing: list[str]) -> set[str]:
    if matcher == "fnmatch":
        return set(filter_repo_objects(listing, allow_patterns=allow, ignore_patterns=ignore))
    return {path for path in listing if not should_ignore_file(path, allow, ignore)}


# --- the readings of the new matcher -----------------------------------------------------------------

FLAGS = wcglob.GLOBSTAR | wcglob.DOTGLOB


def one_or_more_folders(pattern: str) -> str:
    """Reading (c) for wcmatch: a globstar segment followed by `/` must take one folder first."""
    segments = pattern.split("/")
    return "/".join(
        "*/**" if segment == "**" and i < len(segments) - 1 else segment for i, segment in enumerate(segments)
    )


def _fnmatch_reading(patterns: list[str]) -> Callable[[str], bool]:
    return lambda path: any(fnmatchcase(path, pattern) for pattern in patterns)


def _wcmatch_reading(patterns: list[str]) -> Callable[[str], bool]:
    compiled = wcglob.compile(patterns, flags=FLAGS)
    return lambda path: bool(compiled.match(path))


def _truss_transfer_reading(patterns: list[str]) -> Callable[[str], bool]:
    return lambda path: any(glob_match(pattern, path) for pattern in patterns)


READINGS: dict[str, Callable[[list[str]], Callable[[str], bool]]] = {
    "a-fnmatch": _fnmatch_reading,
    "b-globstar-zero-or-more": _wcmatch_reading,
    "c-globstar-one-or-more": lambda patterns: _wcmatch_reading([one_or_more_folders(p) for p in patterns]),
    "d-truss-transfer": _truss_transfer_reading,
}


def reads(reading: str, patterns: list[str]) -> Callable[[str], bool]:
    return READINGS[reading](patterns) if patterns else (lambda path: False)


def new_selection(reading: str, allow: list[str] | None, ignore: list[str] | None, listing: list[str]) -> set[str]:
    allowed = reads(reading, allow) if allow is not None else (lambda path: True)
    ignored = reads(reading, ignore or [])
    return {path for path in listing if allowed(path) and not ignored(path)}


def differences(matcher: Matcher, old: list[str], new: list[str], listing: list[str]) -> dict[str, set[str]]:
    """Per reading, the paths the old list (allow) and the new one select differently."""
    before = old_selection(matcher, old, None, listing)
    found = {reading: before ^ new_selection(reading, new, None, listing) for reading in READINGS}
    return {reading: paths for reading, paths in found.items() if paths}


def test_reading_c_makes_each_globstar_take_a_folder() -> None:
    assert one_or_more_folders("**/*.json") == "*/**/*.json"
    assert one_or_more_folders("a/**/b/**/*") == "a/*/**/b/*/**/*"
    assert one_or_more_folders("a**/b") == "a**/b"  # not a globstar: wcmatch reads it as `*`
    c = reads("c-globstar-one-or-more", ["**/*.json"])
    assert not c("x.json") and c("a/x.json") and c("a/b/x.json") and c(".cache/x.json")


def is_repository_path(path: str) -> bool:
    """Relative, single `/` between non-empty names, no `.` or `..`, no `\\` (which
    huggingface_hub reads as `/`)."""
    return "\\" not in path and all(segment not in ("", ".", "..") for segment in path.split("/"))


# --- Hugging Face listings -----------------------------------------------------------------------------

TOP_LEVEL = [
    "config.json",
    "generation_config.json",
    "model-00001-of-00004.safetensors",
    "model-00004-of-00004.safetensors",
    "model.safetensors.index.json",
    "model.fp16.safetensors",
    "pytorch_model.bin",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "merges.txt",
    "tokenizer.model",
    "model_index.json",
    ".gitattributes",
    "README.md",
]
_WEIGHTS = ["config.json", "diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"]
_ENCODER = ["config.json", "model.safetensors", "model.fp16.safetensors"]
_TOKENIZER = ["merges.txt", "special_tokens_map.json", "tokenizer_config.json", "vocab.json"]
IN_FOLDERS = {
    "original": ["consolidated.00.pth", "params.json", "tokenizer.model"],
    "unet": _WEIGHTS,
    "vae": _WEIGHTS,
    "text_encoder": _ENCODER,
    "text_encoder_2": _ENCODER,
    "tokenizer": _TOKENIZER,
    "tokenizer_2": _TOKENIZER,
    "scheduler": ["scheduler_config.json"],
    "1_Pooling": ["config.json"],
    "onnx": ["model.onnx"],
}
REAL_PATHS = TOP_LEVEL + [f"{folder}/{name}" for folder, names in IN_FOLDERS.items() for name in names]
FILE_NAMES = sorted({path.rpartition("/")[2] for path in REAL_PATHS})

_NAME_CHARACTERS = "ab.-_[json"
names = st.text(_NAME_CHARACTERS, min_size=1, max_size=6).filter(lambda name: name not in (".", ".."))
folders = st.sampled_from([*IN_FOLDERS, "sub", "model", "tokenizer", ".cache", "x.y"]) | names
real_paths = st.builds(
    lambda prefix, path: "/".join([*prefix[: 3 - path.count("/")], path]),
    st.lists(folders, max_size=3),
    st.sampled_from(REAL_PATHS),
)
random_paths = st.builds(lambda prefix, name: "/".join([*prefix, name]), st.lists(folders, max_size=3), names)
listings = st.lists(real_paths | random_paths, max_size=30, unique=True)


@functools.cache
def broad_listing() -> list[str]:
    """Every real file name at depths 0 to 3, under real folders and a plain one."""
    prefixes = [p for depth in range(4) for p in itertools.product(["original", "unet", "x"], repeat=depth)]
    found = {"/".join([*prefix, name]) for prefix in prefixes for name in FILE_NAMES}
    found |= {"/".join([*prefix, path]) for prefix in prefixes if len(prefix) < 3 for path in REAL_PATHS}
    return sorted(found)


# --- patterns --------------------------------------------------------------------------------------------


def corpus_entries() -> list[tuple[Path, Matcher, list[str] | None, list[str] | None]]:
    """Each corpus model_cache entry with patterns: its file, old matcher, allow and ignore lists."""
    found = []
    for path in sorted(CORPUS.rglob("config.yaml")) if CORPUS.is_dir() else []:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = (config.get("model_cache") or config.get("hf_cache") or []) if isinstance(config, dict) else []
        for entry in entries:
            allow, ignore = entry.get("allow_patterns"), entry.get("ignore_patterns")
            if allow or ignore:
                found.append((path, "glob" if entry.get("use_volume") else "fnmatch", allow, ignore))
    return found


CORPUS_ENTRIES = corpus_entries()
CORPUS_PATTERNS = sorted({p for _, _, allow, ignore in CORPUS_ENTRIES for p in (allow or []) + (ignore or [])}) or [
    "*.json",
    "*.safetensors",
    "original/*",
    "config.json",
]
ISSUE_PATTERNS = ["*.json", "*", "original/*", "tokenizer*", "sub/", "model-*-of-*.safetensors", "**/*.json"]
_TOKENS = ["*", "**", "/", "a", "b", ".", "-", "_", "json", "model", "tokenizer", "original", "unet", "["]
random_patterns = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=6).map("".join)
pattern_strategy = st.sampled_from(CORPUS_PATTERNS) | st.sampled_from(ISSUE_PATTERNS) | random_patterns
_ODD_TOKENS = [*_TOKENS, "?", "]", "[a]", "[!.]", "[/]", "[./]", "\\", "\\/", "//", "./", "..", "!", "{a,b}"]
odd_patterns = st.lists(st.sampled_from(_ODD_TOKENS), min_size=1, max_size=6).map("".join)

_STAR_FILLS = ["", "a", "b/", "a/b", ".c", "x/y/z", "tokenizer", "model-00001", "[", "json"]


@st.composite
def paths_near(draw: st.DrawFn, pattern: str) -> list[str]:
    """Paths the pattern's old meaning selects or nearly does: each star filled at random."""
    pieces = (pattern + "*" if pattern.endswith("/") else pattern).split("*")
    near = []
    for _ in range(draw(st.integers(1, 6))):
        fills = [draw(st.sampled_from(_STAR_FILLS)) for _ in pieces[1:]]
        near.append("".join(itertools.chain.from_iterable(zip(pieces, [*fills, ""]))))
    return [path for path in near if is_repository_path(path)]


@st.composite
def pattern_and_listing(draw: st.DrawFn, strategy: st.SearchStrategy[str]) -> tuple[str, list[str]]:
    pattern = draw(strategy)
    return pattern, sorted({*draw(listings), *draw(paths_near(pattern))})


# --- the tables ------------------------------------------------------------------------------------------


def rows(matchers: Iterable[Matcher], table: list[tuple[str, list[str]]], shape: str) -> list[object]:
    return [
        pytest.param(matcher, old, new, id=f"{shape}-{matcher}-{old}") for matcher in matchers for old, new in table
    ]


BOTH: list[Matcher] = ["fnmatch", "glob"]
NAME_START = [  # a star that starts a file or folder name: `*` and `**/*`
    ("*.json", ["*.json", "**/*.json"]),
    ("*.safetensors", ["*.safetensors", "**/*.safetensors"]),
    ("*", ["*", "**/*"]),
    ("original/*", ["original/*", "original/**/*"]),
    ("unet/*.safetensors", ["unet/*.safetensors", "unet/**/*.safetensors"]),
    ("*/config.json", ["*/config.json", "**/*/config.json"]),
    ("*/*", ["*/*", "*/**/*"]),
    ("a/*/*/b", ["a/*/*/b", "a/*/**/*/b"]),
]
NAME_END = [  # a star just before `/`: `*` and `*/**`
    ("text_encoder*/model.safetensors", ["text_encoder*/model.safetensors", "text_encoder*/**/model.safetensors"]),
    ("a*/*b", ["a*/*b", "a*/**/*b"]),
    ("tokenizer*/*", ["tokenizer*/*", "tokenizer*/**/*"]),
]
INSIDE_A_NAME = [  # any other star: `*`, `*/*` and `*/**/*`
    ("tokenizer*", ["tokenizer*", "tokenizer*/*", "tokenizer*/**/*"]),
    ("model*.safetensors", ["model*.safetensors", "model*/*.safetensors", "model*/**/*.safetensors"]),
    (
        "model-*-of-*.safetensors",
        [
            "model-*-of-*.safetensors",
            "model-*-of-*/*.safetensors",
            "model-*-of-*/**/*.safetensors",
            "model-*/*-of-*.safetensors",
            "model-*/*-of-*/*.safetensors",
            "model-*/*-of-*/**/*.safetensors",
            "model-*/**/*-of-*.safetensors",
            "model-*/**/*-of-*/*.safetensors",
            "model-*/**/*-of-*/**/*.safetensors",
        ],
    ),
    ("a[b*", ["a[b*", "a[b*/*", "a[b*/**/*"]),  # a `[` with no `]` after it is plain everywhere
]
CONSECUTIVE_STARS = [  # one star to fnmatch and to truss-transfer, so one star first
    ("**", ["*", "**/*"]),
    ("**/*.json", ["*/*.json", "*/**/*.json"]),
    ("a/**", ["a/*", "a/**/*"]),
    ("model-**.bin", ["model-*.bin", "model-*/*.bin", "model-*/**/*.bin"]),
    ("***/x", ["*/x", "**/*/x"]),
]
TRAILING_SLASH = [  # huggingface_hub appends `*`, to allow and ignore patterns alike
    ("sub/", ["sub/*", "sub/**/*"]),
    ("*/", ["*/*", "*/**/*"]),
    ("tokenizer*/", ["tokenizer*/*", "tokenizer*/**/*"]),
]


@pytest.mark.parametrize(
    ("matcher", "old", "new"),
    rows(BOTH, NAME_START, "name-start")
    + rows(BOTH, NAME_END, "name-end")
    + rows(BOTH, INSIDE_A_NAME, "inside-a-name")
    + rows(BOTH, CONSECUTIVE_STARS, "consecutive-stars")
    + rows(["fnmatch"], TRAILING_SLASH, "trailing-slash"),
)
def test_a_pattern_becomes_the_patterns_that_select_what_it_did(matcher: Matcher, old: str, new: list[str]) -> None:
    rewrite = rewrite_pattern(old, matcher)
    assert list(rewrite.new) == new
    assert rewrite.untranslatable is None
    assert differences(matcher, [old], new, broad_listing() + near_paths(old)) == {}


def near_paths(pattern: str) -> list[str]:
    """Paths each star of `pattern` fills with every one of a few strings."""
    pieces = (pattern + "*" if pattern.endswith("/") else pattern).split("*")
    fills = itertools.product(["a", "b/c", "d/e/f", ".g"], repeat=len(pieces) - 1)
    return [p for fill in fills if is_repository_path(p := "".join(itertools.chain(*zip(pieces, [*fill, ""]))))]


@pytest.mark.parametrize(
    ("matcher", "pattern"),
    [
        pytest.param("fnmatch", "config.json", id="fnmatch-name"),
        pytest.param("glob", "config.json", id="glob-name"),
        pytest.param("fnmatch", "original/params.json", id="fnmatch-path"),
        pytest.param("glob", "sub/", id="glob-trailing-slash-selects-nothing"),
        pytest.param("glob", "*/", id="glob-trailing-slash-with-a-star"),
        pytest.param("glob", "tokenizer?/", id="glob-trailing-slash-with-a-question-mark"),
        pytest.param("fnmatch", "/weights/*.bin", id="fnmatch-leading-slash"),
        pytest.param("glob", "/*.json", id="glob-leading-slash"),
        pytest.param("fnmatch", "/model-?.bin", id="fnmatch-leading-slash-with-a-question-mark"),
        pytest.param("fnmatch", "a[b", id="fnmatch-unclosed-bracket"),
        pytest.param("glob", "a[b", id="glob-unclosed-bracket"),
        pytest.param("glob", "a]b", id="glob-closing-bracket-alone"),
        pytest.param("fnmatch", "{a,b}.json", id="fnmatch-braces"),
        pytest.param("fnmatch", "!README.md", id="fnmatch-exclamation-mark"),
        pytest.param("fnmatch", "", id="fnmatch-empty"),
        pytest.param("fnmatch", "./*.json", id="fnmatch-dot-folder"),
        pytest.param("glob", "a/../*.json", id="glob-dot-dot-folder"),
        pytest.param("fnmatch", "a//", id="fnmatch-double-slash-trailing"),
        pytest.param("fnmatch", "\\", id="fnmatch-backslash-alone"),
        pytest.param("glob", "\\/a*", id="glob-escaped-leading-slash"),
        pytest.param("glob", "a/\\/b*", id="glob-escaped-slash-after-a-slash"),  # wcmatch: `a//b*`
        pytest.param("fnmatch", "[\\.]", id="fnmatch-class-of-a-dot-or-backslash"),
    ],
)
def test_a_pattern_that_means_the_same_everywhere_stays(matcher: Matcher, pattern: str) -> None:
    rewrite = rewrite_pattern(pattern, matcher)
    assert rewrite == Rewrite(pattern, (pattern,))
    assert not rewrite.changed and rewrite.note() is None
    assert differences(matcher, [pattern], [pattern], broad_listing() + near_paths(pattern)) == {}


@pytest.mark.parametrize(
    ("matcher", "pattern", "reason", "example"),
    [
        pytest.param(
            "fnmatch",
            "model-0000?-of-00004.safetensors",
            WILDCARDS_OF_FNMATCH,
            "model-0000x-of-00004.safetensors",
            id="fnmatch-question-mark",
        ),
        pytest.param("fnmatch", "*.[jJ]son", WILDCARDS_OF_FNMATCH, "x.Json", id="fnmatch-class"),
        pytest.param("fnmatch", "[!.]*", WILDCARDS_OF_FNMATCH, "xx", id="fnmatch-negated-class"),
        pytest.param("fnmatch", "a?/", WILDCARDS_OF_FNMATCH, "ax/x", id="fnmatch-question-mark-trailing-slash"),
        pytest.param("glob", "what?.json", PLAIN_TO_TRUSS_TRANSFER, "whatx.json", id="glob-question-mark"),
        pytest.param("glob", "[abc].bin", PLAIN_TO_TRUSS_TRANSFER, "a.bin", id="glob-class"),
        pytest.param("glob", "a[b]*", PLAIN_TO_TRUSS_TRANSFER, "abx", id="glob-class-and-star"),
        pytest.param("glob", "[]x]*", PLAIN_TO_TRUSS_TRANSFER, "xx", id="glob-class-holding-a-bracket"),
        pytest.param("fnmatch", "unet\\config.json", BACKSLASH_OF_HUB, "unet/config.json", id="fnmatch-backslash"),
        pytest.param("fnmatch", "a\\*", BACKSLASH_OF_HUB, "a/x", id="fnmatch-backslash-star"),
        pytest.param("glob", "unet\\config.json", BACKSLASH_OF_TRUSS_TRANSFER, "unetconfig.json", id="glob-backslash"),
        pytest.param("glob", "unet\\*.json", BACKSLASH_OF_TRUSS_TRANSFER, "unet*.json", id="glob-escaped-star"),
        pytest.param("glob", "x\\", BACKSLASH_OF_TRUSS_TRANSFER, "x", id="glob-trailing-backslash"),
        pytest.param("fnmatch", "[/]", WILDCARDS_OF_FNMATCH, "[/]", id="fnmatch-class-of-a-slash"),
        pytest.param("fnmatch", "a\\/b", BACKSLASH_OF_HUB, "a/b", id="fnmatch-escaped-slash"),
        pytest.param("fnmatch", "a//b*", DOUBLE_SLASH, "a/bx", id="fnmatch-double-slash"),
        pytest.param("glob", "weights//*.bin", DOUBLE_SLASH, "weights/x.bin", id="glob-double-slash"),
        # huggingface_hub's `//` selects nothing; glob reads a class before the escaped slash
        pytest.param("fnmatch", "[!.]\\/*", BACKSLASH_OF_HUB, "x/x", id="fnmatch-class-before-an-escaped-slash"),
        # a class holding `/` is plain characters to glob: `a[./].`
        pytest.param("fnmatch", "a[./]\\.", BACKSLASH_OF_HUB, "a[./].", id="fnmatch-class-holding-a-slash"),
        pytest.param("fnmatch", "[^x]\\/y", BACKSLASH_OF_HUB, "a/y", id="fnmatch-class-glob-negates-with-a-caret"),
    ],
)
def test_a_pattern_without_an_exact_translation_is_left_and_reported(
    matcher: Matcher, pattern: str, reason: str, example: str
) -> None:
    rewrite = rewrite_pattern(pattern, matcher)
    assert rewrite.new == (pattern,)
    assert rewrite.untranslatable is not None
    assert (rewrite.untranslatable.reason, rewrite.untranslatable.example) == (reason, example)
    assert differences(matcher, [pattern], [pattern], [example])
    assert rewrite.note() == f"`{pattern}` is left as it is: {reason}; `{example}` would be selected differently"


@pytest.mark.parametrize(
    ("matcher", "pattern", "note"),
    [
        pytest.param(
            "fnmatch",
            "*.json",
            "`*.json` -> also `**/*.json`: the weights matcher's `*` stays within one folder",
            id="star",
        ),
        pytest.param(
            "fnmatch",
            "sub/",
            "`sub/` -> `sub/*`, `sub/**/*`: huggingface_hub read a trailing `/` as `/*`; "
            "the weights matcher's `*` stays within one folder",
            id="trailing-slash",
        ),
        pytest.param(
            "glob",
            "**/*.json",
            "`**/*.json` -> `*/*.json`, `*/**/*.json`: `**` was one `*` to model_cache, "
            "and reaches into folders for weights; the weights matcher's `*` stays within one folder",
            id="consecutive-stars",
        ),
        pytest.param("fnmatch", "config.json", None, id="no-wildcard"),
    ],
)
def test_a_rewrite_explains_itself_in_one_line(matcher: Matcher, pattern: str, note: str | None) -> None:
    assert rewrite_pattern(pattern, matcher).note() == note


def test_a_list_is_rewritten_in_order_each_pattern_once() -> None:
    translation = translate(["*.json", "config.json", "**/*.json", "*/*.json", "a?b"], "fnmatch")
    assert translation.patterns == ["*.json", "**/*.json", "config.json", "*/*.json", "*/**/*.json", "a?b"]
    assert [rewrite.old for rewrite in translation.rewrites] == [
        "*.json",
        "config.json",
        "**/*.json",
        "*/*.json",
        "a?b",
    ]
    assert not translation.exact and [r.old for r in translation.untranslatable] == ["a?b"]
    assert translation.changed


def test_a_list_that_means_the_same_is_unchanged() -> None:
    translation = translate(["config.json", "tokenizer.model"], "glob")
    assert translation.exact and not translation.changed
    assert translation == Translation("glob", tuple(Rewrite(p, (p,)) for p in ["config.json", "tokenizer.model"]))


def test_translating_twice_gives_the_same_and_leaves_the_list_alone() -> None:
    old = ["*.json", "sub/", "model-*-of-*.safetensors", "a?b", "**"]
    kept = list(old)
    assert translate(old, "fnmatch") == translate(old, "fnmatch")
    assert old == kept
    assert translate([], "glob").patterns == []


def test_the_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(patterns.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and not node.level}
    relative = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level]
    assert not relative
    assert {name.partition(".")[0] for name in imported} - {"__future__"} <= sys.stdlib_module_names


# --- the rule, on every short pattern ----------------------------------------------------------------------

SHORT = {"ci": 5, "large": 7}.get(PROFILE, 6)  # the longest pattern checked
SHORT_PATTERNS = ["".join(p) for size in range(1, SHORT + 1) for p in itertools.product("a*/", repeat=size)]
_SEGMENTS = ["a", "b", "ab", ".a"]
SMALL_LISTING = ["/".join(p) for depth in range(1, 4) for p in itertools.product(_SEGMENTS, repeat=depth)]


@functools.cache
def _reads_one(reading: str, pattern: str) -> Callable[[str], bool]:
    return reads(reading, [pattern])


def _selections(reading: str, new: list[str], listing: list[str]) -> list[set[str]]:
    return [{path for path in listing if _reads_one(reading, pattern)(path)} for pattern in new]


def _without_each(matcher: Matcher, old: str, new: list[str], listing: list[str]) -> list[bool]:
    """For each new pattern: whether the others alone still select what `old` did, under every reading."""
    before = old_selection(matcher, [old], None, listing)
    selections = {reading: _selections(reading, new, listing) for reading in READINGS}
    return [
        all(set().union(*(s for j, s in enumerate(found) if j != i)) == before for found in selections.values())
        for i in range(len(new) + 1)  # the last one drops nothing: the whole list
    ]


def _is_safe(pattern: str) -> bool:
    """Each `**` is a whole segment followed by `/`."""
    segments = pattern.split("/")
    return all("**" not in s or (s == "**" and i < len(segments) - 1) for i, s in enumerate(segments))


@pytest.mark.parametrize("matcher", MATCHERS)
def test_every_short_pattern_translates_exactly_and_briefly(matcher: Matcher) -> None:
    """Every pattern over `a`, `*`, `/` up to SHORT characters, on every path of up to three folders
    over a few names (and paths filling its stars with deeper ones). Exact: the new list selects
    what the old pattern did under (a)-(d). Brief: without any one of its patterns, it no longer
    does under some reading. Safe: no `**` that (c) leaves undefined. Recognisable: the old pattern
    comes first, with one star for consecutive ones and huggingface_hub's `*` after a last `/`."""
    for old in SHORT_PATTERNS:
        rewrite = rewrite_pattern(old, matcher)
        assert rewrite.untranslatable is None or "//" in old, old
        if rewrite.untranslatable:
            continue
        new = list(rewrite.new)
        *dropped, whole = _without_each(matcher, old, new, SMALL_LISTING + near_paths(old))
        assert whole, (old, new)
        assert not any(dropped) or len(new) == 1, (old, new, dropped)
        assert all(map(_is_safe, new)) or not rewrite.changed, (old, new)
        hub = old + "*" if matcher == "fnmatch" and old.endswith("/") else old
        assert new[0] == re.sub(r"\*+", "*", hub) or not rewrite.changed, (old, new)


def test_the_number_of_patterns_follows_the_stars() -> None:
    """2 for a star that starts or ends a name, 3 for one inside a name, multiplied: 3^k for k
    stars inside names (before runs of `*` folders are collapsed)."""
    assert len(rewrite_pattern("a*b*c*d", "glob").new) == 27
    assert len(rewrite_pattern("*a*b*", "glob").new) == 2 * 3 * 3
    assert len(rewrite_pattern("*a/b*/c*", "glob").new) == 2 * 2 * 3


# --- properties --------------------------------------------------------------------------------------------


@SETTINGS
@given(st.sampled_from(MATCHERS), pattern_and_listing(pattern_strategy))
def test_each_pattern_selects_what_it_did_under_every_reading(
    matcher: Matcher, pattern_listing: tuple[str, list[str]]
) -> None:
    pattern, listing = pattern_listing
    rewrite = rewrite_pattern(pattern, matcher)
    event("untranslatable" if rewrite.untranslatable else "changed" if rewrite.changed else "stays")
    assume(rewrite.untranslatable is None)
    assert differences(matcher, [pattern], list(rewrite.new), listing) == {}


@SETTINGS
@given(
    st.sampled_from(MATCHERS),
    st.none() | st.lists(pattern_strategy, max_size=4),
    st.none() | st.lists(pattern_strategy, max_size=4),
    listings,
)
def test_allow_and_ignore_lists_select_what_they_did_under_every_reading(
    matcher: Matcher, allow: list[str] | None, ignore: list[str] | None, listing: list[str]
) -> None:
    translations = [translate(old, matcher) if old is not None else None for old in (allow, ignore)]
    assume(all(translation.exact for translation in translations if translation is not None))
    new_allow, new_ignore = (translation.patterns if translation is not None else None for translation in translations)
    before = old_selection(matcher, allow, ignore, listing)
    for reading in READINGS:
        assert new_selection(reading, new_allow, new_ignore, listing) == before, reading
    if not any(p.endswith("/") or "\\" in p for new in (new_allow, new_ignore) for p in new or []):
        assert old_selection("fnmatch", new_allow, new_ignore, listing) == before  # (a) by huggingface_hub itself


@SETTINGS
@given(st.sampled_from(MATCHERS), pattern_and_listing(odd_patterns))
def test_odd_patterns_are_exact_or_reported_with_a_path_that_shows_it(
    matcher: Matcher, pattern_listing: tuple[str, list[str]]
) -> None:
    pattern, listing = pattern_listing
    rewrite = rewrite_pattern(pattern, matcher)
    if rewrite.untranslatable is None:
        assert differences(matcher, [pattern], list(rewrite.new), listing) == {}
        return
    event(rewrite.untranslatable.reason)
    example = rewrite.untranslatable.example
    assert is_repository_path(example), example
    assert differences(matcher, [pattern], [pattern], [example]), example


# --- the corpus --------------------------------------------------------------------------------------------


@pytest.mark.skipif(not CORPUS_ENTRIES, reason="../shared/corpus is absent")
def test_every_corpus_entry_selects_what_it_did_under_every_reading() -> None:
    listing = broad_listing()
    unique = {
        (matcher, _key(allow), _key(ignore)): entry for entry in CORPUS_ENTRIES for _, matcher, allow, ignore in [entry]
    }
    for path, matcher, allow, ignore in unique.values():
        new_allow = translate(allow, matcher).patterns if allow is not None else None
        new_ignore = translate(ignore, matcher).patterns if ignore is not None else None
        before = old_selection(matcher, allow, ignore, listing)
        for reading in READINGS:
            assert new_selection(reading, new_allow, new_ignore, listing) == before, (path, reading)


def _key(patterns: list[str] | None) -> tuple[str, ...] | None:
    return None if patterns is None else tuple(patterns)
