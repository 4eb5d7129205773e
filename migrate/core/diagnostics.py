"""Diagnostics: stable codes, one line each, `PATH:LINE:COL: CODE message`."""

from __future__ import annotations

from dataclasses import dataclass

# Every code the tool emits, with the one-line meaning the README lists.
CODES = {
    "E001": "invalid YAML (or several documents in one file)",
    "E002": "the file is not UTF-8 text",
    "E003": "`model_cache` is not a list",
    "E004": "a `model_cache` entry is not a mapping",
    "E005": "an entry has no `repo_id`, or it is empty",
    "E006": "an entry has a key `model_cache` does not know",
    "E007": "`kind` is not one of hf, s3, gcs, azure (exact, lower case)",
    "E008": "`kind` and the scheme of `repo_id` disagree, or the scheme is unknown",
    "E009": "a cloud `repo_id` has an empty bucket",
    "E010": "`use_volume: true` without `volume_folder`",
    "E011": "a mount location with a `..` segment, or at / or /app",
    "E012": "two entries would mount at the same location",
    "E013": "`model_cache` together with a non-empty `weights` (the design forbids both)",
    "E014": 'a value of the wrong type (e.g. `use_volume: "yes"`, a number as repo_id)',
    "E015": "both `model_cache` and `hf_cache` are set",
    "E016": "duplicate key",
    "E017": (
        "an alias that stays shares a node the migration changes or drops, or merge keys (`<<`) in an entry: "
        "migrate by hand"
    ),
    "E018": "an `external_data` item without `url`/`local_data_path`, with an unknown key, or a url truss cannot fetch",
    "E019": "a file over 1 MiB: far beyond any truss config or module, not parsed",
    "E020": "the file could not be read or written",
    "E021": "the file changed on disk while it was being migrated; left as it is now",
    "E022": (
        "--hub: no file of the repository, at the commit its revision names, is selected by the entry's "
        "patterns; the platform refuses such a source (file left untouched)"
    ),
    "E023": "truss dialect: a repo_id holding `@`, which truss sources reserve for the revision",
    "E030": "a Python file that needed a look does not parse; left untouched",
    "E040": "docs: an unterminated yaml or python fence holding a config or code to migrate",
    "E041": "docs: a fence whose lines cannot be taken out of their container (uneven indentation, tabs)",
    "E060": "--nested: a nested `model_cache` reached through a YAML alias too: migrate by hand",
    "E099": "internal error: the result did not verify, the file was left untouched",
    "W001": "legacy entry (use_volume false or absent): weights now mount at runtime",
    "W002": "no `kind`: inferred from the scheme of `repo_id`",
    "W003": "`revision` dropped from a cloud source (it was ignored before, forbidden now)",
    "W004": "`truss-transfer-cli` dropped from `docker_server.start_command` (a whole command of its shell chain)",
    "W005": "a symlink whose target lies outside the given paths was skipped",
    "W006": "`runtime_secret_name: hf_access_token` added (model_cache used it implicitly)",
    "W007": "`volume_folder` of a legacy entry replaced by the derived mount location",
    "W008": "a path under the old mount root moved to the new mount location",
    "W009": "an empty `weights` key beside the block was removed (the block takes its place)",
    "W010": "seed dialect: `external_data` left as it is (the seed schema has no place for it)",
    "W011": "truss dialect: an `external_data` item's `backend` dropped",
    "W012": "truss dialect: `external_data` folded into `weights` (mounted under /app/data)",
    "W013": (
        "seed dialect: configs were written whose `weights` entries released truss refuses (`revision`, "
        "`runtime_secret_name`; once per run; see `--dialect truss`)"
    ),
    "W014": (
        "`allow_patterns`/`ignore_patterns` rewritten to mount the same files under the weights matcher, whose `*` "
        "stays within one folder (once per entry, one example named)"
    ),
    "W015": "a pattern no list can translate exactly, left as it is; names a path it would select differently",
    "W016": (
        "`docker_server.start_command` gives its server a mounted Hugging Face repository by id: rewritten to serve "
        "the mount location when the command names the served model (`--served-model-name`) and the mount holds the "
        "whole repository, else left (suggests `--served-model-name org/name`)"
    ),
    "W017": "--hub: an allow pattern that selects no file of the repository at its commit (a typo?)",
    "W018": "--hub: the repository could not be listed (network, access, not found); the offline rules apply",
    "W019": "--pin-revisions: a branch revision (or none: main) pinned to the commit --hub resolved it to",
    "W030": (
        "`truss-transfer-cli` left in `docker_server.start_command`: in a form that cannot be dropped safely "
        "(remove it by hand)"
    ),
    "W040": (
        "a nested `model_cache` (not a truss config, e.g. a generator overlay) left as it is; `--nested` migrates it"
    ),
    "W041": "a nested `model_cache` that is not a list of entry mappings, left as it is",
    "W042": "--nested: a nested `model_cache` migrated to `weights` in its own mapping",
    "W101": "Python: `ModelRepo(...)` rewritten to `WeightsSource(...)`, arguments mapped as in the YAML",
    "W102": "Python: `Assets(cached=...)` rewritten to `Assets(weights=...)`",
    "W103": "Python: `ModelCache([...])` rewritten to `Weights([...])`",
    "W104": "Python: `TrussConfig(model_cache=...)` rewritten to `TrussConfig(weights=...)`",
    "W105": (
        "Python: a mounted repository's id at a loader-table position (or in a name only loaders read, or a "
        "faster-whisper size name) replaced by its mount location"
    ),
    "W106": (
        'Python: `X["model_cache"][i]["repo_id"]` (or `.get("repo_id")`), which the migrated config no longer '
        'holds, rewritten: to `X["weights"][i]["mount_location"]` where a loader takes the whole mount, else to '
        "the repository's id"
    ),
    "W107": "Python: a `ModelRepo` left as it is: a value it needs cannot be resolved (needs a person)",
    "W108": 'Python: another use of `"model_cache"` in code, left for a person to review',
    "W110": "Python: a `ModelRepo` left as it is: its arguments break a mapping rule",
    "W111": (
        "Python: `snapshot_download`/`hf_hub_download` of a mounted repository replaced by the path it returned "
        "(under the mount location)"
    ),
    "W112": (
        "Python: a loader given the id of a repository the truss mounts filtered by allow/ignore patterns: "
        "it still downloads from the Hub (see `--trust-patterns`)"
    ),
    "W113": (
        "Python: a Hub API call given the id of a repository the truss mounts: it still downloads; its effect "
        "on a local folder cannot be reproduced"
    ),
    "W114": (
        "Python: the id of a repository the truss mounts at an argument not in the loader table (or a loader "
        "that cannot take a folder there): it may still download"
    ),
    "W115": "Python: another use of the id of a repository the truss mounts; names the mount location",
    "W116": (
        "Python: a `ModelRepo` left: it does not flow into `Assets(cached=)`, `ModelCache([...])` or "
        "`TrussConfig(model_cache=)`"
    ),
    "W117": (
        "Python: an `Assets(cached=)`/`ModelCache(...)`/`TrussConfig(model_cache=)` left: its value is not a "
        "list of `ModelRepo` the tool can follow"
    ),
    "W118": "Python: a `.model_cache` attribute left for a person to move to `.weights`",
    "W119": "seed dialect: Python was rewritten that released truss cannot run (once per run; see `--dialect truss`)",
    "W120": (
        "Python: `truss-transfer-cli &&` dropped from a start command literal built for a rewritten "
        "TrussConfig (as W004)"
    ),
    "W125": (
        "Python: a read of the truss's config that holds a mounted repository's id (`config[\"model_metadata\"]"
        '["repo_id"]`), where a loader takes it, rewritten to `config["weights"][i]["mount_location"]`'
    ),
    "W126": (
        "Python: a loader given a mounted repository's id through a value the tool cannot rewrite where the "
        "loader reads it: it still downloads"
    ),
    "W127": (
        "--hub: a loader given the id of a repository the truss mounts filtered, pointed at the mount: the "
        "repository's listing at the commit named shows the mount holds every file the loader reads"
    ),
    "W121": (
        "Python: `truss-transfer-cli` in a start command literal next to a rewritten TrussConfig left "
        "(trt_llm, or split by an expression)"
    ),
    "W122": (
        "Python: a test module (`test_*.py`, `*_test.py`, `conftest.py`, under `tests/`) left as it is: it asserts "
        "the old API; each rewrite it would get is reported (see `--include-tests`)"
    ),
    "W123": (
        "Python: an `Assets(cached=)`/`TrussConfig(model_cache=)` left: the object it makes has its old key read "
        'later in the file (`.model_cache`, `to_dict()["model_cache"]`)'
    ),
    "W124": (
        "Python: a start command literal gives its server a mounted Hugging Face repository by id: rewritten to "
        "serve the mount location when it names the served model (`--served-model-name`) and the mount holds the "
        "whole repository, else left (as W016)"
    ),
}


@dataclass(frozen=True)
class Diagnostic:
    line: int  # 1-based; a finding about the whole file stands at 1:1
    col: int  # 1-based
    code: str
    message: str

    @property
    def severity(self) -> str:
        return "error" if self.code.startswith("E") else "warning"

    def format(self, path: str) -> str:
        return f"{path}:{max(self.line, 1)}:{max(self.col, 1)}: {self.code} {self.message}"


# Notices about a whole run (no path, no line): once per run, worded for a run that writes (True)
# or one that only looks (--check, --diff).
_RETARGET = {
    True: "to target it, restore the original files (e.g. `git checkout -- PATH`) and rerun with --dialect truss",
    False: "add --dialect truss to target it",
}
NOTICES = {
    "W013": (
        "configs {was} migrated in the seed dialect: released truss (0.18.36) refuses a `weights` entry "
        "holding `revision` or `runtime_secret_name` (unknown keys there), so it {can} load them; {retarget}"
    ),
    "W119": (
        "Python {was} rewritten in the seed dialect: truss 0.18.36 keeps `revision=` and `runtime_secret_name=` "
        "of a WeightsSource without using them, so this code {can} run on released truss; {retarget}"
    ),
}


def notice(code: str, writes: bool) -> Diagnostic:
    """A run's notice as a diagnostic without a place (line and column 0)."""
    words = (
        {"was": "were" if code == "W013" else "was", "can": "cannot"}
        if writes
        else {"was": "would be", "can": "could not"}
    )
    return Diagnostic(0, 0, code, NOTICES[code].format(**words, retarget=_RETARGET[writes]))
