"""The mapping: one ``model_cache`` entry -> one ``weights`` entry, as SPEC's table has it.

Pure functions over plain Python values: no I/O, no YAML, no libcst. The YAML
editor and the code editor both apply the `EntryPlan` computed here, so the
mapping is written once. Read it as the table it is: `OLD_KEYS` says what becomes
of each key of the old entry, and one function per key of the new entry
(`source`, `mount_location`, `revision`, `secret`, `patterns`) computes its value.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from .context import DEFAULT_MOUNT_ROOT, SECRET, TRUSS, Context, Dialect
from .diagnostics import Diagnostic
from .entry import EntryPlan, KeyChange, Note, PatternItem, PatternList, Weight
from .listing import DEFAULT_REVISION, Listing, is_commit
from .outcome import MigrationError
from .patterns import Matcher, Translation, translate

HF_SECRET = "hf_access_token"  # the secret model_cache used for Hugging Face when none was named

# What becomes of each key of a model_cache entry: the key of the new entry it turns into, in
# seed's names, or None when it is dropped. A null value is dropped too. `source` and
# `mount_location` get a value of their own (COMPUTED), the pattern lists are rewritten item by
# item (`patterns`); every other key keeps its value as written.
OLD_KEYS: dict[str, str | None] = {
    "repo_id": "source",  # with the kind's scheme (`source`)
    "kind": None,  # its scheme goes into source
    "revision": "revision",  # Hugging Face only; truss writes it into source as @rev (`revision`)
    "use_volume": None,  # false or absent: a legacy entry, whose mount_location is derived (`is_legacy`)
    "volume_folder": "mount_location",  # under the mount root (`mount_location`)
    "runtime_secret_name": SECRET,  # kept; added for Hugging Face when secrets: declares it (`secret`)
    "allow_patterns": "allow_patterns",  # to select the same files under the weights matcher (`patterns`)
    "ignore_patterns": "ignore_patterns",  # likewise
}
COMPUTED = ("source", "mount_location")
PATTERN_KEYS = ("allow_patterns", "ignore_patterns")

# kind -> the scheme its sources carry in `weights` (Hugging Face too: hf://org/name).
KIND_SCHEMES = {"hf": "hf://", "s3": "s3://", "gcs": "gs://", "azure": "azure://"}
SCHEME_KINDS = {scheme[: -len("://")]: kind for kind, scheme in KIND_SCHEMES.items()}
SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")  # a URL scheme, at the start of a repo id or a source
FORBIDDEN_MOUNTS = ("/", "/app")


class RuleError(MigrationError):
    """An entry that cannot be migrated: the package's one error, spelled short for the rules.

    The rules see values, not positions: `key` names the offending entry key, and the editor
    places the diagnostic there.
    """

    def __init__(self, code: str, message: str, key: str | None = None) -> None:
        super().__init__(Diagnostic(1, 1, code, message), key)

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def message(self) -> str:
        return self.diagnostic.message


# -- one function per key of the new entry ------------------------------------------------


def source(kind: str, path: str, repo_id: str, given_revision: str | None, dialect: Dialect) -> str:
    """`source`: the path after its kind's scheme; a Hugging Face id as the dialect writes it."""
    if dialect.revision_in_source and "@" in path:
        raise RuleError("E023", f"repo_id {repo_id!r} holds `@`, which marks the revision in truss sources", "repo_id")
    return dialect.hf_source(repo_id, given_revision) if kind == "hf" else KIND_SCHEMES[kind] + path


def is_legacy(entry: Mapping[str, object]) -> bool:
    """`use_volume` false or absent: the weights were baked into the image, and now mount at runtime."""
    use_volume = entry.get("use_volume")
    if use_volume is not None and not isinstance(use_volume, bool):
        raise RuleError("E014", f"`use_volume` must be true or false, not {use_volume!r}", "use_volume")
    return not use_volume


def mount_location(kind: str, path: str, folder: str | None, legacy: bool, root: str) -> str:
    """`mount_location`: the volume folder under root; derived from the id for a legacy entry."""
    if not legacy:
        if not folder:
            raise RuleError("E010", "use_volume is true but volume_folder is missing", "use_volume")
        return _safe_mount(folder if folder.startswith("/") else f"{root}/{folder}", "volume_folder")
    if kind == "hf":
        bare = path[len("hf://") :] if path.startswith("hf://") else path
        return _safe_mount(f"{root}/{bare.replace('/', '_')}", "repo_id")
    return _safe_mount(f"{root}/{path.rstrip('/')}", "repo_id")


def revision(kind: str, given: str | None, dialect: Dialect) -> str | None:
    """`revision`: a Hugging Face revision where the dialect has the key; None: no `revision` key."""
    return given if kind == "hf" and given and not dialect.revision_in_source else None


def secret(kind: str, given: str | None, ctx: Context) -> str | None:
    """The secret key's value: as given; for Hugging Face, the secret model_cache used implicitly
    when `secrets:` declares it; None: no secret key."""
    if given is None and kind == "hf" and ctx.declares_hf_secret:
        return HF_SECRET
    return given


def matcher(legacy: bool) -> Matcher:
    """The matcher that read the entry's patterns: huggingface_hub's for a legacy entry,
    truss-transfer's for a volume."""
    return "fnmatch" if legacy else "glob"


def patterns(old: list[str], legacy: bool) -> tuple[PatternList, Translation]:
    """`allow_patterns`, `ignore_patterns`: each pattern where it stands (rewritten where its own
    form changes), followed by the patterns that make the list select, under every reading of the
    weights matcher, the files the entry's old matcher did; a pattern the list already holds
    is not added again."""
    translation = translate(old, matcher(legacy))
    written: set[str] = set()
    items = []
    for rewrite in translation.rewrites:
        first, *rest = rewrite.new
        written.add(first)
        added = tuple(dict.fromkeys(pattern for pattern in rest if pattern not in written))
        written.update(added)
        items.append(PatternItem(rewrite.old, first, added))
    return PatternList(tuple(items)), translation


# -- one entry ------------------------------------------------------------------------------


def plan_entry(entry: Mapping[str, object], ctx: Context = Context()) -> EntryPlan:
    """Map one old entry; raises RuleError when it cannot be migrated."""
    for key in entry:
        if key not in OLD_KEYS:
            raise RuleError("E006", f"unknown key {key!r} in model_cache entry", key)
    repo_id = _repo_id(entry)
    kind, path, notes = resolve_kind(repo_id, _string(entry, "kind"))
    given_revision = _string(entry, "revision")
    pinned = _pinned(kind, repo_id, given_revision, ctx)
    given_secret = _string(entry, SECRET)
    legacy = is_legacy(entry)
    planned = {key: patterns(old, legacy) for key in PATTERN_KEYS if (old := _patterns(entry, key)) is not None}
    folder = _string(entry, "volume_folder")
    mount = mount_location(kind, path, folder, legacy, ctx.mount_root)
    dialect = ctx.dialect

    chosen = pinned or given_revision
    weight: Weight = {"source": source(kind, path, repo_id, chosen, dialect), "mount_location": mount}
    if (kept := revision(kind, chosen, dialect)) is not None:
        weight["revision"] = kept
    if (secret_name := secret(kind, given_secret, ctx)) is not None:
        weight[dialect.secret_key] = secret_name
    weight.update({key: pattern_list.patterns for key, (pattern_list, _) in planned.items()})

    notes += _notes(kind, given_revision, legacy, folder, mount)
    if pinned:
        was = given_revision or DEFAULT_REVISION
        notes.append(
            Note(
                "W019",
                f"revision pinned: {was} -> {pinned}, the commit it named (--pin-revisions)",
                "revision" if given_revision else "repo_id",
            )
        )
    if given_secret is None and secret_name is not None:  # the implicit secret, named now
        message = f"{dialect.secret_key}: {HF_SECRET} added: model_cache used that secret implicitly"
        notes.append(Note("W006", message, "repo_id"))
    notes += _pattern_notes(planned)
    rewritten = {key: pattern_list for key, (pattern_list, _) in planned.items() if pattern_list.changed}
    changes = _changes(entry, OLD_KEYS, weight, dialect, rewritten)
    inserts = _inserts(changes, weight)
    old_location = _old_location(kind, path, folder, legacy)
    return EntryPlan(weight, changes, inserts, tuple(notes), kind, legacy, old_location, repo_id)


def _pinned(kind: str, repo_id: str, given: str | None, ctx: Context) -> str | None:
    """--pin-revisions: the commit a Hugging Face entry's branch revision (absent: main) names, as --hub listed it."""
    if not ctx.pin_revisions or kind != "hf" or (given is not None and is_commit(given)):
        return None
    bare = repo_id[len("hf://") :] if repo_id.startswith("hf://") else repo_id
    found = ctx.listing(bare, given)
    return found.commit if isinstance(found, Listing) else None


def resolve_kind(repo_id: str, kind: str | None) -> tuple[str, str, list[Note]]:
    """The entry's kind and its repo id without a cloud scheme."""
    if kind is not None and kind not in KIND_SCHEMES:
        raise RuleError("E007", f"kind {kind!r} is not one of hf, s3, gcs, azure", "kind")
    match = SCHEME.match(repo_id)
    scheme = match.group(1) if match else None
    path = repo_id[match.end() :] if match else repo_id
    scheme_kind = None
    if scheme is not None:
        scheme_kind = SCHEME_KINDS.get(scheme)
        if scheme_kind is None:
            raise RuleError("E008", f"repo_id scheme {scheme}:// is not one of hf, s3, gs, azure", "repo_id")
    notes: list[Note] = []
    if kind is None:
        kind = scheme_kind or "hf"
        if kind != "hf":
            notes.append(Note("W002", f"no kind given: {kind} inferred from the {scheme}:// scheme", "repo_id"))
    elif scheme_kind is not None and scheme_kind != kind:
        raise RuleError("E008", f"kind {kind} disagrees with the {scheme}:// scheme of repo_id", "kind")
    if kind == "hf":
        if match and not path.strip("/ "):
            raise RuleError("E005", "repo_id names no repository after hf://", "repo_id")
        return kind, repo_id, notes
    if not path.split("/", 1)[0]:
        raise RuleError("E009", f"repo_id {repo_id!r} has an empty bucket", "repo_id")
    return kind, path, notes


def _notes(kind: str, revision: str | None, legacy: bool, folder: str | None, mount: str) -> list[Note]:
    """What the user is told about the keys whose meaning changes (W003, W001, W007)."""
    notes = []
    if revision and kind != "hf":
        notes.append(Note("W003", f"revision dropped: {kind} sources have no revisions", "revision"))
    if legacy:
        was = "the Hugging Face cache of the image" if kind == "hf" else "the image"
        message = f"legacy entry: weights were baked into {was}; they now mount at runtime at {mount}"
        notes.append(Note("W001", message, "repo_id"))
    if legacy and folder is not None:
        message = "volume_folder was unused without use_volume: true; replaced by the derived mount_location"
        notes.append(Note("W007", message, "volume_folder"))
    return notes


def _pattern_notes(planned: Mapping[str, tuple[PatternList, Translation]]) -> list[Note]:
    """One W014 for an entry whose patterns were rewritten, naming one example; one W015 for each
    pattern left as it is because no list selects exactly what it did."""
    rewritten = [
        (key, rewrite)
        for key, (pattern_list, translation) in planned.items()
        for item, rewrite in zip(pattern_list.items, translation.rewrites)
        if item.changed
    ]
    notes = []
    if rewritten:
        keys = " and ".join(dict.fromkeys(key for key, _ in rewritten))
        count = f"{len(rewritten)} pattern{'s' if len(rewritten) > 1 else ''}"
        message = f"{keys} rewritten to mount the same files ({count}), e.g. {rewritten[0][1].note()}"
        notes.append(Note("W014", message, rewritten[0][0]))
    for key, (_, translation) in planned.items():
        notes += [Note("W015", f"{key}: {rewrite.note()}", key) for rewrite in translation.untranslatable]
    return notes


def _old_location(kind: str, path: str, folder: str | None, legacy: bool) -> str | None:
    """Where the files were on disk before: the volume folder, or where a legacy cloud entry's
    files were baked into the image (a legacy Hugging Face entry's were in the hub cache: None)."""
    if not legacy and folder is not None:
        return folder if folder.startswith("/") else f"{DEFAULT_MOUNT_ROOT}/{folder}"
    return None if kind == "hf" else f"{DEFAULT_MOUNT_ROOT}/{path.rstrip('/')}"


def _changes(
    entry: Mapping[str, object],
    table: Mapping[str, str | None],
    weight: Weight,
    dialect: Dialect,
    rewritten: Mapping[str, PatternList] | None = None,
) -> tuple[KeyChange, ...]:
    """One KeyChange per old key, in the entry's order, as the table maps it."""
    changes = []
    for key, value in entry.items():
        new = table[key]
        new = dialect.key(new) if new is not None else None
        if new is None or value is None or new not in weight:
            changes.append(KeyChange(key, None))  # dropped, or a value the new entry has no place for
        elif (new in COMPUTED or new == "revision") and weight[new] != value:  # a revision --pin-revisions pinned
            changes.append(KeyChange(key, new, weight[new]))
        elif rewritten and key in rewritten:
            changes.append(KeyChange(key, new, rewritten[key]))
        else:
            changes.append(KeyChange(key, new))
    return tuple(changes)


def _inserts(changes: tuple[KeyChange, ...], weight: Weight) -> tuple[tuple[str, object], ...]:
    """The new entry's keys that no old key turns into (a derived mount_location, an implicit secret)."""
    renamed = {change.new for change in changes}
    return tuple((key, value) for key, value in weight.items() if key not in renamed)


# -- reading the old entry ------------------------------------------------------------------


def _repo_id(entry: Mapping[str, object]) -> str:
    repo_id = _string(entry, "repo_id")
    if repo_id is None:
        raise RuleError("E005", "entry has no `repo_id`", "repo_id" if "repo_id" in entry else None)
    if not repo_id.strip():
        raise RuleError("E005", "repo_id is empty", "repo_id")
    return repo_id


def _string(entry: Mapping[str, object], key: str) -> str | None:
    value = entry.get(key)
    if value is None or isinstance(value, str):
        return value
    raise RuleError("E014", f"`{key}` must be a string, not {_type_name(value)}", key)


def _patterns(entry: Mapping[str, object], key: str) -> list[str] | None:
    value = entry.get(key)
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise RuleError("E014", f"`{key}` must be a list of strings", key)
    return list(value)


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, datetime.date):  # `2024-01-02` is a date to truss (YAML 1.1)
        return f"the date {value.isoformat()}"
    return str(getattr(value, "described", type(value).__name__))


def _safe_mount(path: str, key: str) -> str:
    if ".." in path.split("/"):
        raise RuleError("E011", f"{key} {path!r} has a `..` segment", key)
    mount = posixpath.normpath(path)
    if mount.startswith("//"):
        mount = "/" + mount.lstrip("/")
    if mount in FORBIDDEN_MOUNTS:
        raise RuleError("E011", f"weights cannot mount at {mount}", key)
    return mount


# -- external_data (truss dialect) ----------------------------------------------------------

DATA_DIR = "/app/data"  # where Truss put external_data files
EXTERNAL_SCHEMES = ("https://", "s3://", "gs://", "azure://", "r2://", "cw://", "hf://")
# What becomes of each key of an external_data item.
EXTERNAL_KEYS: dict[str, str | None] = {
    "url": "source",  # as written
    "local_data_path": "mount_location",  # under DATA_DIR
    "backend": None,  # weights pick the download method from the source (W011)
    "name": None,
}


def plan_external(item: Mapping[str, object]) -> EntryPlan:
    """One `external_data` item -> one weights entry (truss dialect only)."""
    for key in item:
        if key not in EXTERNAL_KEYS:
            raise RuleError("E018", f"unknown key {key!r} in external_data item", key)
    for key in ("url", "local_data_path"):
        if not item.get(key):
            raise RuleError("E018", f"external_data item has no `{key}`", key if key in item else None)
    url, path = (_string(item, key) or "" for key in ("url", "local_data_path"))  # both there: checked above
    if not url.startswith(EXTERNAL_SCHEMES):
        raise RuleError(
            "E018", f"url {url!r} is not a source truss weights accept (https://, s3://, gs://, ...)", "url"
        )
    weight: Weight = {"source": url, "mount_location": _safe_mount(f"{DATA_DIR}/{path}", "local_data_path")}
    notes = []
    backend = item.get("backend")
    if backend not in (None, "http_public"):
        message = f"backend {backend!r} dropped: weights pick the download method from the source"
        notes.append(Note("W011", message, "backend"))
    changes = _changes(item, EXTERNAL_KEYS, weight, TRUSS)
    return EntryPlan(weight, changes, (), tuple(notes), "url", False, None, url)


# -- beyond one entry -----------------------------------------------------------------------


def duplicate_mount(plans: list[EntryPlan]) -> int | None:
    """Index of the first entry whose mount location an earlier entry already uses."""
    seen: set[str] = set()
    for index, plan in enumerate(plans):
        mount = plan.weight["mount_location"]
        if mount in seen:
            return index
        seen.add(mount)
    return None


class Placed(Protocol):
    """An entry with a place before and after: a plan, or a truss's entry as its code sees it."""

    @property
    def old_location(self) -> str | None: ...

    @property
    def mount_location(self) -> str: ...


def path_moves(entries: Sequence[Placed], context: Context) -> dict[str, str]:
    """Old location -> new mount location, for the entries --mount-root moves."""
    if context.mount_root == DEFAULT_MOUNT_ROOT:
        return {}
    return {e.old_location: e.mount_location for e in entries if e.old_location and e.old_location != e.mount_location}


def move_path(text: str, moves: Mapping[str, str]) -> str:
    """Replace each old location (a whole path prefix) in text by its new one."""
    if not moves:
        return text
    olds = "|".join(re.escape(old) for old in sorted(moves, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w./-])({olds})(?![\w.-])")  # one pass: moves never chain
    return pattern.sub(lambda match: moves[match.group(1)], text)


_PATH_END = "/\"' \t\r\n;:,)}&|\\"  # what may follow a path in a command or a string (`\\`: the escape of a quote)


def names_path(text: str, path: str) -> bool:
    """Whether text holds path as a whole path, or a path under it (not inside a longer name)."""
    at = text.find(path)
    while at >= 0:
        end = at + len(path)
        starts = at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "_-./")
        if starts and (end == len(text) or text[end] in _PATH_END):
            return True
        at = text.find(path, at + 1)
    return False
