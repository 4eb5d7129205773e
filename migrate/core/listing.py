"""What the Hub says about one repository at one commit, and the JSON files that keep it.

A `Listing` is every file path of a Hugging Face repository at a commit, with the text of the few
small JSON files a decision about its loaders may need (`small_files` says which). A `HubProblem`
says why a repository could not be listed. Both are plain, frozen, hashable and picklable: they
cross process boundaries.

One listing is written as an *entry*, the same in a lock file, in the user cache and in the tests'
fixtures:

    {"repo_id": "org/name", "revision": "main", "commit": "<40 hex>",
     "files": ["config.json", ...], "small": {"config.json": "<its text>", ...}}

A lock file (`--hub-lock`) is `{"schema": "weights-migrate/hub-lock", "version": 1, "listings":
[entry, ...]}`, its entries sorted by (repo_id, revision); a cached listing is `{"schema":
"weights-migrate/hub-listing", "version": 1, "listing": entry}`. Both are written with sorted keys,
two-space indents, ASCII only and one final newline, so the same listings always give the same
bytes. Reading either refuses another schema or version with a `ListingFileError` naming the file.

Stdlib only; imports nothing of the package.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

DEFAULT_REVISION = "main"
LOCK_SCHEMA = "weights-migrate/hub-lock"
CACHE_SCHEMA = "weights-migrate/hub-listing"
VERSION = 1

ProblemKind = Literal["network", "timeout", "unauthorized", "not-found", "invalid"]
Key = tuple[str, str]  # (repo_id, revision)

_COMMIT = re.compile(r"[0-9a-f]{40}")
_SMALL_NAMES = frozenset(
    {
        "config.json",
        "tokenizer_config.json",
        "preprocessor_config.json",
        "processor_config.json",
        "model_index.json",
        "modules.json",
    }
)
_INDEX_SUFFIX = ".index.json"


class Texts(Mapping[str, str]):
    """An immutable mapping of path to text, in path order; hashable and picklable."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        self._items = dict(sorted(dict(items).items()))

    def __getitem__(self, path: str) -> str:
        return self._items[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __reduce__(self) -> tuple[type[Texts], tuple[dict[str, str]]]:
        return (Texts, (self._items,))

    def __repr__(self) -> str:
        return f"Texts({self._items!r})"


@dataclass(frozen=True)
class Listing:
    """Every file of `repo_id` at `commit` (sorted), and the text of its small files.

    `revision` is the revision as it was asked for (`main` when the entry named none); `commit` is
    the full sha it stood for when it was listed.
    """

    repo_id: str
    revision: str
    commit: str
    files: tuple[str, ...]
    small: Mapping[str, str] = field(default_factory=Texts)

    def __post_init__(self) -> None:
        object.__setattr__(self, "files", tuple(sorted(set(self.files))))
        object.__setattr__(self, "small", Texts(self.small))

    @property
    def key(self) -> Key:
        return (self.repo_id, self.revision)


@dataclass(frozen=True)
class HubProblem:
    """Why `repo_id` at `revision` could not be listed: a kind, and one line saying what to do."""

    repo_id: str
    revision: str
    kind: ProblemKind
    message: str

    @property
    def key(self) -> Key:
        return (self.repo_id, self.revision)


class ListingFileError(Exception):
    """A lock file or a cached listing that cannot be read; the message names the file."""

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = os.fspath(path)
        super().__init__(f"{self.path}: {problem}")


def key_of(repo_id: str, revision: str | None) -> Key:
    """The key of a wanted repository: an entry without a revision reads the `main` branch."""
    return (repo_id, revision or DEFAULT_REVISION)


def is_commit(revision: str) -> bool:
    """Whether a revision is a full commit sha, which names the same files forever."""
    return _COMMIT.fullmatch(revision) is not None


def small_files(files: Iterable[str]) -> list[str]:
    """The files of a listing whose text is read as well: the JSON files that name other files.

    At the root or in any folder (a diffusers component or a sentence-transformers module keeps
    its own files in its folder):

    - `config.json`, `tokenizer_config.json`, `preprocessor_config.json`, `processor_config.json`:
      their `auto_map` names the modules of remote code (`trust_remote_code`) a loader imports;
    - `*.index.json` (`model.safetensors.index.json`, `pytorch_model.bin.index.json`,
      `diffusion_pytorch_model.safetensors.index.json`, ...): their `weight_map` names the shards;
    - `model_index.json`: the components of a diffusers pipeline, each a folder;
    - `modules.json`: the modules of a sentence-transformers model, each a folder.

    Whether a loader reads any other file is known from its name in the listing alone.
    """
    return sorted({path for path in files if _is_small(path.rpartition("/")[2])})


def _is_small(name: str) -> bool:
    return name in _SMALL_NAMES or (name.endswith(_INDEX_SUFFIX) and len(name) > len(_INDEX_SUFFIX))


def is_complete(listing: Listing) -> bool:
    """Whether a listing holds the text of every small file the rule of this version asks for."""
    return set(small_files(listing.files)) <= set(listing.small)


# Entries


def entry(listing: Listing) -> dict[str, Any]:
    """A listing as the JSON object of a lock file, a cached listing or a fixture."""
    return {
        "repo_id": listing.repo_id,
        "revision": listing.revision,
        "commit": listing.commit,
        "files": list(listing.files),
        "small": dict(listing.small),
    }


def from_entry(data: object, path: str | os.PathLike[str], where: str = "the listing") -> Listing:
    """The listing an entry holds; a `ListingFileError` naming path and where when it holds none."""
    if not isinstance(data, dict):
        raise ListingFileError(path, f"{where} is not a JSON object")
    strings = {name: data.get(name) for name in ("repo_id", "revision", "commit")}
    for name, value in strings.items():
        if not isinstance(value, str) or not value:
            raise ListingFileError(path, f"{where} has no {name}")
    if not is_commit(str(strings["commit"])):
        raise ListingFileError(path, f"{where}: commit {strings['commit']!r} is not a full commit sha")
    files, small = data.get("files"), data.get("small")
    if not isinstance(files, list) or not all(isinstance(name, str) for name in files):
        raise ListingFileError(path, f"{where}: files is not a list of paths")
    if not isinstance(small, dict) or not all(isinstance(text, str) for text in small.values()):
        raise ListingFileError(path, f"{where}: small is not an object of texts")
    return Listing(str(strings["repo_id"]), str(strings["revision"]), str(strings["commit"]), tuple(files), small)


# Lock files


def lock_text(listings: Iterable[Listing]) -> str:
    """The lock file of listings: one per key (the last wins), sorted by (repo_id, revision)."""
    by_key = {listing.key: listing for listing in listings}
    document = {
        "schema": LOCK_SCHEMA,
        "version": VERSION,
        "listings": [entry(by_key[key]) for key in sorted(by_key)],
    }
    return _dumps(document)


def parse_lock(text: str, path: str | os.PathLike[str]) -> dict[Key, Listing]:
    """The listings of a lock file's text, by key; a `ListingFileError` naming path otherwise."""
    document = _document(text, path, LOCK_SCHEMA, "a weights-migrate hub lock")
    listings = document.get("listings")
    if not isinstance(listings, list):
        raise ListingFileError(path, "the lock has no list of listings")
    found = [from_entry(data, path, f"listing {number}") for number, data in enumerate(listings, 1)]
    return {listing.key: listing for listing in found}


def read_lock(path: Path) -> dict[Key, Listing]:
    """The listings of the lock file at path, by key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ListingFileError(path, f"cannot read the lock file ({_reason(error)})") from error
    return parse_lock(text, path)


def write_lock(path: Path, listings: Iterable[Listing]) -> bool:
    """Write the lock file of listings at path unless it already holds these bytes; whether it wrote."""
    text = lock_text(listings)
    try:
        if path.is_file() and path.read_bytes() == text.encode("ascii"):
            return False
        write_atomically(path, text)
    except OSError as error:
        raise ListingFileError(path, f"cannot write the lock file ({_reason(error)})") from error
    return True


# Cached listings


def cache_text(listing: Listing) -> str:
    """A listing as a file of the user cache."""
    return _dumps({"schema": CACHE_SCHEMA, "version": VERSION, "listing": entry(listing)})


def parse_cache(text: str, path: str | os.PathLike[str]) -> Listing:
    """The listing of a cached file's text; a `ListingFileError` naming path otherwise."""
    document = _document(text, path, CACHE_SCHEMA, "a cached weights-migrate hub listing")
    return from_entry(document.get("listing"), path)


_UMASK = os.umask(0o022)  # read once, while the importing thread is the only one (reading it means setting it)
os.umask(_UMASK)


def write_atomically(path: Path, text: str) -> None:
    """Write text at path through a temporary file beside it, so a reader never sees half of it."""
    import tempfile  # only --hub writes: not loaded by every run

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="ascii", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_UMASK)  # as any file the user writes: mkstemp's 0600 would hide a lock from CI
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _dumps(document: Mapping[str, Any]) -> str:
    import json  # only --hub reads and writes listings: not loaded by every run

    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=True) + "\n"


def _document(text: str, path: str | os.PathLike[str], schema: str, what: str) -> dict[str, Any]:
    """The top object of a file of ours, once its schema and version are the ones this code reads."""
    import json

    try:
        document = json.loads(text)
    except ValueError as error:
        raise ListingFileError(path, f"not {what}: not JSON ({error})") from error
    if not isinstance(document, dict):
        raise ListingFileError(path, f"not {what}: not a JSON object")
    found = document.get("schema")
    if found != schema:
        raise ListingFileError(path, f"not {what}: its schema is {found!r}, not {schema!r}")
    version = document.get("version")
    if version != VERSION:
        raise ListingFileError(
            path,
            f"{what} of version {version!r}, and this weights-migrate reads version {VERSION} only:"
            " delete the file to list the repositories again",
        )
    return document


def _reason(error: BaseException) -> str:
    return error.strerror if isinstance(error, OSError) and error.strerror else str(error)
