"""The mapping: one ``model_cache`` entry -> one ``weights`` entry.

Pure functions over plain Python values: no I/O, no YAML, no libcst. The YAML
editor and the code editor both apply the `EntryPlan` computed here, so the
mapping is written once.
The start command's shell chain is read here too (`fix_start_command`), for the
same reason: both editors drop `truss-transfer-cli` by the same rules.
"""

from __future__ import annotations

import datetime
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .diagnostics import Diagnostic
from .outcome import MigrationError

DEFAULT_MOUNT_ROOT = "/app/model_cache"
HF_SECRET = "hf_access_token"

ENTRY_KEYS = (
    "repo_id",
    "kind",
    "revision",
    "use_volume",
    "volume_folder",
    "runtime_secret_name",
    "allow_patterns",
    "ignore_patterns",
)
# kind -> the scheme its sources carry in `weights`.
KIND_SCHEMES = {"hf": "hf://", "s3": "s3://", "gcs": "gs://", "azure": "azure://"}
SCHEME_KINDS = {scheme[:-3]: kind for kind, scheme in KIND_SCHEMES.items()}
FORBIDDEN_MOUNTS = ("/", "/app")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


@dataclass(frozen=True)
class Dialect:
    """What differs between the target schemas; the mapping itself is shared."""

    name: str
    secret_key: str
    revision_in_source: bool  # truss: hf://org/name@rev, no `revision` key

    def hf_source(self, repo_id: str, revision: str | None) -> str:
        """hf://org/name, with @rev in truss (seed keeps the revision as its own key)."""
        bare = repo_id[len("hf://") :] if repo_id.startswith("hf://") else repo_id
        return f"hf://{bare}@{revision}" if revision and self.revision_in_source else f"hf://{bare}"


SEED = Dialect("seed", secret_key="runtime_secret_name", revision_in_source=False)
TRUSS = Dialect("truss", secret_key="auth_secret_name", revision_in_source=True)
DIALECTS = {d.name: d for d in (SEED, TRUSS)}


@dataclass(frozen=True)
class Context:
    """What the mapping needs to know beyond the entry itself."""

    mount_root: str = DEFAULT_MOUNT_ROOT
    declares_hf_secret: bool = False  # top-level `secrets:` has hf_access_token
    dialect: Dialect = SEED
    nested: bool = False  # --nested: migrate model_cache blocks below the top level too


@dataclass(frozen=True)
class Note:
    """A warning about one entry; `key` names the entry key it concerns."""

    code: str
    message: str
    key: str | None = None


class RuleError(MigrationError):
    """An entry that cannot be migrated: the package's one error, spelled short for the rules.

    The rules see values, not positions: `key` names the offending entry key, and the editor
    places the diagnostic there.
    """

    def __init__(self, code: str, message: str, key: str | None = None):
        super().__init__(Diagnostic(1, 1, code, message), key)

    @property
    def code(self) -> str:
        return self.diagnostic.code

    @property
    def message(self) -> str:
        return self.diagnostic.message


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


@dataclass(frozen=True)
class KeyChange:
    """What becomes of one key of the old entry.

    new is None: the key is dropped. value is UNCHANGED: the value stays as written.
    """

    old: str
    new: str | None
    value: object = UNCHANGED


@dataclass(frozen=True)
class EntryPlan:
    weight: dict  # the new entry's meaning
    changes: tuple[KeyChange, ...]  # one per key of the old entry, in its order
    inserts: tuple[tuple[str, object], ...]  # new keys, placed right after `source`
    notes: tuple[Note, ...] = field(default=())
    kind: str = "hf"
    legacy: bool = False
    old_location: str | None = None  # where the files lived before, if on disk
    repo_id: str = ""  # as the old entry had it


def _string(entry: Mapping, key: str, required: bool = False) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise RuleError("E005", f"entry has no `{key}`", key if key in entry else None)
        return None
    if not isinstance(value, str):
        raise RuleError("E014", f"`{key}` must be a string, not {_type_name(value)}", key)
    return value


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
    return getattr(value, "described", type(value).__name__)


def _patterns(entry: Mapping, key: str) -> None:
    value = entry.get(key)
    if value is None:
        return
    if not isinstance(value, (list, tuple)) or not all(isinstance(p, str) for p in value):
        raise RuleError("E014", f"`{key}` must be a list of strings", key)


def resolve_kind(repo_id: str, kind: str | None) -> tuple[str, str, list[Note]]:
    """The entry's kind and its repo id without a cloud scheme."""
    notes: list[Note] = []
    if kind is not None and kind not in KIND_SCHEMES:
        raise RuleError("E007", f"kind {kind!r} is not one of hf, s3, gcs, azure", "kind")
    match = _SCHEME.match(repo_id)
    scheme_kind = None
    if match:
        scheme_kind = SCHEME_KINDS.get(match.group(1))
        if scheme_kind is None:
            raise RuleError("E008", f"repo_id scheme {match.group(1)}:// is not one of hf, s3, gs, azure", "repo_id")
    if kind is None:
        kind = scheme_kind or "hf"
        if scheme_kind not in (None, "hf"):
            notes.append(Note("W002", f"no kind given: {kind} inferred from the {match.group(1)}:// scheme", "repo_id"))
    elif scheme_kind is not None and scheme_kind != kind:
        raise RuleError("E008", f"kind {kind} disagrees with the {match.group(1)}:// scheme of repo_id", "kind")
    if kind == "hf":
        if match and not repo_id[match.end() :].strip("/ "):
            raise RuleError("E005", "repo_id names no repository after hf://", "repo_id")
        return kind, repo_id, notes
    path = repo_id[match.end() :] if match else repo_id
    if not path.split("/", 1)[0]:
        raise RuleError("E009", f"repo_id {repo_id!r} has an empty bucket", "repo_id")
    return kind, path, notes


def _safe_mount(path: str, key: str) -> str:
    if ".." in path.split("/"):
        raise RuleError("E011", f"{key} {path!r} has a `..` segment", key)
    mount = posixpath.normpath(path)
    if mount.startswith("//"):
        mount = "/" + mount.lstrip("/")
    if mount in FORBIDDEN_MOUNTS:
        raise RuleError("E011", f"weights cannot mount at {mount}", key)
    return mount


def mount_location(kind: str, path: str, entry: Mapping, ctx: Context) -> tuple[str, bool]:
    """The mount location and whether the entry was legacy (baked into the image)."""
    use_volume = entry.get("use_volume")
    if use_volume is not None and not isinstance(use_volume, bool):
        raise RuleError("E014", f"`use_volume` must be true or false, not {use_volume!r}", "use_volume")
    folder = _string(entry, "volume_folder")
    if use_volume:
        if not folder:
            raise RuleError("E010", "use_volume is true but volume_folder is missing", "use_volume")
        target = folder if folder.startswith("/") else f"{ctx.mount_root}/{folder}"
        return _safe_mount(target, "volume_folder"), False
    if kind == "hf":
        bare = path[len("hf://") :] if path.startswith("hf://") else path
        return _safe_mount(f"{ctx.mount_root}/{bare.replace('/', '_')}", "repo_id"), True
    return _safe_mount(f"{ctx.mount_root}/{path.rstrip('/')}", "repo_id"), True


def plan_entry(entry: Mapping[str, object], ctx: Context = Context()) -> EntryPlan:
    """Map one old entry; raises RuleError when it cannot be migrated."""
    for key in entry:
        if key not in ENTRY_KEYS:
            raise RuleError("E006", f"unknown key {key!r} in model_cache entry", key)
    repo_id = _string(entry, "repo_id", required=True)
    if not repo_id.strip():
        raise RuleError("E005", "repo_id is empty", "repo_id")
    kind, path, notes = resolve_kind(repo_id, _string(entry, "kind"))
    revision = _string(entry, "revision")
    secret = _string(entry, "runtime_secret_name")
    for key in ("allow_patterns", "ignore_patterns"):
        _patterns(entry, key)
    mount, legacy = mount_location(kind, path, entry, ctx)
    dialect = ctx.dialect

    if dialect.revision_in_source and "@" in path:
        raise RuleError("E023", f"repo_id {repo_id!r} holds `@`, which marks the revision in truss sources", "repo_id")
    source = dialect.hf_source(repo_id, revision) if kind == "hf" else KIND_SCHEMES[kind] + path
    keep_revision = kind == "hf" and bool(revision) and not dialect.revision_in_source
    if revision and kind != "hf":
        notes.append(Note("W003", f"revision dropped: {kind} sources have no revisions", "revision"))
    add_secret = kind == "hf" and secret is None and ctx.declares_hf_secret
    old_location = None
    if legacy:
        old_location = None if kind == "hf" else f"{DEFAULT_MOUNT_ROOT}/{path.rstrip('/')}"
        was = "the Hugging Face cache of the image" if kind == "hf" else "the image"
        notes.append(
            Note(
                "W001", f"legacy entry: weights were baked into {was}; they now mount at runtime at {mount}", "repo_id"
            )
        )
        if entry.get("volume_folder") is not None:
            notes.append(
                Note(
                    "W007",
                    "volume_folder was unused without use_volume: true; replaced by the derived mount_location",
                    "volume_folder",
                )
            )
    else:
        folder = entry["volume_folder"]
        old_location = folder if folder.startswith("/") else f"{DEFAULT_MOUNT_ROOT}/{folder}"
    if add_secret:
        notes.append(
            Note("W006", f"{dialect.secret_key}: {HF_SECRET} added: model_cache used that secret implicitly", "repo_id")
        )

    changes = []
    for key in entry:
        if key == "repo_id":
            changes.append(KeyChange(key, "source", source if source != repo_id else UNCHANGED))
        elif key == "volume_folder" and entry[key] is not None:
            changes.append(KeyChange(key, "mount_location", mount if mount != entry[key] else UNCHANGED))
        elif key == "revision" and keep_revision:
            changes.append(KeyChange(key, key))
        elif key == "runtime_secret_name" and secret is not None:
            changes.append(KeyChange(key, dialect.secret_key))
        elif key in ("allow_patterns", "ignore_patterns") and entry[key] is not None:
            changes.append(KeyChange(key, key))
        else:  # kind, use_volume, a revision the target has no place for, nulls
            changes.append(KeyChange(key, None))
    inserts = []
    if "volume_folder" not in entry or entry["volume_folder"] is None:
        inserts.append(("mount_location", mount))
    if add_secret:
        inserts.append((dialect.secret_key, HF_SECRET))

    weight = {"source": source, "mount_location": mount}
    if keep_revision:
        weight["revision"] = revision
    if secret is not None or add_secret:
        weight[dialect.secret_key] = secret if secret is not None else HF_SECRET
    for key in ("allow_patterns", "ignore_patterns"):
        if entry.get(key) is not None:
            weight[key] = list(entry[key])
    return EntryPlan(weight, tuple(changes), tuple(inserts), tuple(notes), kind, legacy, old_location, repo_id)


DATA_DIR = "/app/data"  # where Truss put external_data files
EXTERNAL_SCHEMES = ("https://", "s3://", "gs://", "azure://", "r2://", "cw://", "hf://")
EXTERNAL_KEYS = ("url", "local_data_path", "backend", "name")


def plan_external(item: Mapping[str, object]) -> EntryPlan:
    """One `external_data` item -> one weights entry (truss dialect only)."""
    for key in item:
        if key not in EXTERNAL_KEYS:
            raise RuleError("E018", f"unknown key {key!r} in external_data item", key)
    for key in ("url", "local_data_path"):
        if not item.get(key):
            raise RuleError("E018", f"external_data item has no `{key}`", key if key in item else None)
    url = _string(item, "url")
    path = _string(item, "local_data_path")
    if not url.startswith(EXTERNAL_SCHEMES):
        raise RuleError(
            "E018", f"url {url!r} is not a source truss weights accept (https://, s3://, gs://, ...)", "url"
        )
    mount = _safe_mount(f"{DATA_DIR}/{path}", "local_data_path")
    changes = []
    notes = []
    for key in item:
        if key == "url":
            changes.append(KeyChange(key, "source"))
        elif key == "local_data_path":
            changes.append(KeyChange(key, "mount_location", mount))
        else:
            changes.append(KeyChange(key, None))
            if key == "backend" and item[key] not in (None, "http_public"):
                notes.append(
                    Note(
                        "W011", f"backend {item[key]!r} dropped: weights pick the download method from the source", key
                    )
                )
    return EntryPlan(
        {"source": url, "mount_location": mount}, tuple(changes), (), tuple(notes), "url", False, None, url
    )


def duplicate_mount(plans: list[EntryPlan]) -> int | None:
    """Index of the first entry whose mount location an earlier entry already uses."""
    seen: set[str] = set()
    for index, plan in enumerate(plans):
        mount = plan.weight["mount_location"]
        if mount in seen:
            return index
        seen.add(mount)
    return None


START_COMMAND_PREFIX = re.compile(
    r"""^(?P<shell>(?:(?:/usr)?/bin/)?(?:ba|z)?sh\s+-c\s+["']?)?truss-transfer-cli\s*&&\s*"""
)  # the layout older configs use; the shell-chain reading below covers it and more

_CLI_MENTION = re.compile(r"(?<![\w.-])truss-transfer-cli(?![\w.-])")
_CLI_COMMAND = re.compile(r"(?:[\w.~-]*/)*truss-transfer-cli")  # bare or by path, unquoted
_SHELL = re.compile(r"(?:[\w.~-]*/)*(?:ba|da|z|k|)sh")
_SHELL_FLAGS = re.compile(r"-[a-zA-Z]*c[a-zA-Z]*")  # -c, -lc, -ec, -euxc
_SEPARATORS = (";", "\n")  # between and-or lists; `&` backgrounds, which we do not edit


@dataclass(frozen=True)
class CommandFix:
    """What becomes of `truss-transfer-cli` in a start command.

    command: the command without it (None when there is nothing to drop or a mention stays);
    spans: the (start, end) ranges of command deleted to get there;
    unsafe: why a mention cannot be dropped safely (None when every mention goes).
    """

    command: str | None
    spans: tuple[tuple[int, int], ...] = ()
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


def _cut(kept: list, start: int, end: int) -> list:
    """kept without the characters start:end of the string they make up."""
    out, pos = [], 0
    for lo, hi in kept:
        size = hi - lo
        a, b = max(start - pos, 0), min(end - pos, size)  # the cut, inside this range
        if a >= b:
            out.append((lo, hi))
        else:
            out += [(x, y) for x, y in ((lo, lo + a), (lo + b, hi)) if y > x]
        pos += size
    return out


def _gaps(kept: list, length: int) -> tuple[tuple[int, int], ...]:
    """The ranges of the original string of length that kept leaves out."""
    spans, pos = [], 0
    for lo, hi in kept + [(length, length)]:
        if lo > pos:
            spans.append((pos, lo))
        pos = hi
    return tuple(spans)


def _first_drop(script: str, lo: int, hi: int) -> tuple[int, int] | str:
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


def _why(word: str, words: list, script: str) -> str:
    if "$(" in word or "`" in word:
        return "inside a command substitution"
    if word[:1] in "'\"" and "\\" in word:
        return "inside a quoted script with escapes"
    if script[words[0][0] : words[0][1]] != word:
        return "as an argument of another command or after an assignment"
    if _CLI_COMMAND.fullmatch(word):
        return "with arguments or redirections"
    return "quoted or inside another word"


def _chain_span(commands: list, index: int) -> tuple[int, int] | str:
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


def _and_or_has_or(commands: list, index: int) -> bool:
    """Whether the and-or list holding commands[index] has `||` (a pipeline binds tighter)."""
    lo = index
    while lo > 0 and commands[lo - 1][1][1] not in _SEPARATORS + ("&", None):
        lo -= 1
    hi = index
    while hi < len(commands) - 1 and commands[hi][1][1] not in _SEPARATORS + ("&", None):
        hi += 1
    ops = [commands[i][1][1] for i in range(lo, hi)]
    return "||" in ops


def _in_group(commands: list, index: int) -> bool:
    depth = 0
    for words, (before, after) in commands[:index]:
        depth += (before == "(") - (after == ")")
    return depth > 0


def _shell_script(script: str, words: list) -> tuple[int, int] | None:
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
    chars, where, i = [], [], lo
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


_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n")


def _shell_tokens(script: str, lo: int, hi: int) -> list | None:
    """Words and operators of script[lo:hi] as (kind, start, end); None when unbalanced.

    Quotes, escapes, `$(...)` and backquotes stay inside their word; `#` at a word's
    start comments out the rest of the line.
    """
    tokens, i = [], lo
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


def _simple_commands(script: str, tokens: list) -> list:
    """[(word spans, (operator before, operator after))] for each simple command.

    A line break right after `&&`, `||` or `|` continues the chain, as in the shell.
    """
    commands, words, before = [], [], None
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


def move_path(text: str, moves: Mapping[str, str]) -> str:
    """Replace each old location (a whole path prefix) in text by its new one."""
    if not moves:
        return text
    olds = "|".join(re.escape(old) for old in sorted(moves, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w./-])({olds})(?![\w.-])")  # one pass: moves never chain
    return pattern.sub(lambda match: moves[match.group(1)], text)
