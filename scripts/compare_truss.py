"""Side by side with truss's own `truss migrate` on the corpus; writes docs/comparison.md.

Needs the `[oracle]` extra (truss 0.18.36). Each corpus truss is copied to a
temporary folder and migrated there twice: by `truss migrate` (answered `y` on
its prompt, the only way to apply it) and by weights-migrate `--dialect truss`.
The table compares what every `weights` entry means (source, mount_location,
auth_secret_name, patterns), which comments survive, whether the text outside
the block is kept, and the time and memory of each tool per truss.

    python scripts/compare_truss.py                    # writes docs/comparison.md
    python scripts/compare_truss.py --out - --limit 5  # a quick look on stdout
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "truss-examples"
sys.path.insert(0, str(ROOT))

from ruamel.yaml import YAML  # noqa: E402
from ruamel.yaml.tokens import CommentToken  # noqa: E402

from migrate.core import mapping  # noqa: E402

# The ways the two tools may differ on purpose; anything else is a finding.
DELIBERATE = {
    "secret": "`auth_secret_name`: truss migrate writes `hf_access_token` (ModelRepo's default) on every "
    "entry, cloud ones included; weights-migrate names a secret only where the config gave one, or where "
    "an HF entry relied on `hf_access_token` and `secrets:` declares it",
    "legacy-cloud-path": "legacy cloud entry: truss migrate mounts at `/app/model_cache/<bucket>`; "
    "weights-migrate keeps `/app/model_cache/<bucket>/<path>`, where the files were before",
    "patterns": "`allow_patterns`/`ignore_patterns`: truss migrate copies them, so `*.json` no longer takes "
    "`unet/config.json` under the weights matcher; weights-migrate rewrites them to select the files they did "
    "(`*.json`, `**/*.json`)",
}
PATTERN_KEYS = ("allow_patterns", "ignore_patterns")


@dataclass
class Run:
    status: str  # "ok", "crash" or "failed"
    weights: list = field(default_factory=list)
    text: str = ""
    seconds: float = 0.0
    rss_mib: float = 0.0
    error: str = ""


@dataclass
class Row:
    path: str
    entries: int
    truss: Run
    ours: Run
    same: int = 0
    compared: int = 0  # entries both tools wrote
    deliberate: dict = field(default_factory=dict)  # kind -> entries that differ that way (an entry may count twice)
    other: list = field(default_factory=list)  # undocumented differences
    comments: int = 0
    comments_truss: int = 0
    comments_ours: int = 0
    outside_truss: bool = False
    outside_ours: bool = False


def load(text: str) -> dict:
    return YAML(typ="safe", pure=True).load(text) or {}


def comment_texts(text: str) -> list[str]:
    """Every comment token of the YAML text (ruamel's scanner: block scalars hold none)."""
    found = []

    def walk(item):
        if isinstance(item, CommentToken):
            found.extend(p.strip() for p in item.value.splitlines() if p.strip().startswith("#"))
        elif isinstance(item, (list, tuple)):
            for sub in item:
                walk(sub)

    for token in YAML(typ="rt", pure=True).scan(text):
        walk(getattr(token, "_comment", None))
    return sorted(found)


def truss_executable() -> str:
    found = Path(sys.executable).with_name("truss")
    return str(found) if found.exists() else "truss"


def run_truss(folder: Path) -> Run:
    """`truss migrate FOLDER`, answering its prompt with `y`; wall time and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [truss_executable(), "migrate", str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    proc.stdin.write(b"y\n")
    proc.stdin.close()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    rss = usage.ru_maxrss / 1024
    text = (folder / "config.yaml").read_text()
    if proc.returncode != 0 or "weights" not in load(text):
        error = out.decode(errors="replace").strip().splitlines()
        return Run(
            "crash",
            text=text,
            seconds=seconds,
            rss_mib=rss,
            error=next((line for line in error if "Error" in line or "error" in line), error[-1] if error else ""),
        )
    return Run("ok", load(text)["weights"], text, seconds, rss)


def run_ours(folder: Path) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "migrate", "-q", "--dialect", "truss", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    text = (folder / "config.yaml").read_text()
    if os.waitstatus_to_exitcode(status) != 0:
        return Run("failed", text=text, seconds=seconds, rss_mib=usage.ru_maxrss / 1024)
    return Run("ok", load(text)["weights"], text, seconds, usage.ru_maxrss / 1024)


def _outside_block_kept(original: str, migrated: str) -> bool:
    """The lines before the block and after it are the same (start_command fixes allowed: the transfer
    step dropped, a server given the mount it was given by id)."""

    def around(text: str, key: str) -> tuple[list, list]:
        lines = text.splitlines()
        start = next((i for i, line in enumerate(lines) if re.match(rf"{key}\s*:", line)), None)
        if start is None:
            return lines, []
        end = start + 1
        while end < len(lines) and (lines[end][:1] in (" ", "-", "\t") or not lines[end].strip()):
            end += 1
        return lines[:start], lines[end:]

    def norm(lines: list) -> list:
        return [line.replace("truss-transfer-cli && ", "") for line in lines if not line.startswith("external_data")]

    def same(old: list, new: list) -> bool:
        return len(old) == len(new) and all(a == b or _serves_the_mount(a, b) for a, b in zip(old, new))

    before_o, after_o = around(original, "model_cache")
    before_m, after_m = around(migrated, "weights")
    external = list(after_o)  # external_data folds into weights: compare without it
    if any(line.startswith("external_data") for line in external):
        cut = next(i for i, line in enumerate(external) if line.startswith("external_data"))
        rest = external[cut + 1 :]
        while rest and (rest[0][:1] in (" ", "-") or not rest[0].strip()):
            rest = rest[1:]
        after_o = external[:cut] + rest
    return same(norm(before_o), norm(before_m)) and same(norm(after_o), norm(after_m))


_HF_ID = re.compile(r"[\w.-]+/[\w.-]+")


def _serves_the_mount(old: str, new: str) -> bool:
    """A start command whose server was given a repository by id, now given its mount (W016)."""
    pairs = list(zip(old.split(" "), new.split(" ")))
    changed = [(a, b) for a, b in pairs if a != b]
    return (
        old.lstrip().startswith("start_command:")
        and len(old.split(" ")) == len(new.split(" "))
        and bool(changed)
        and all(_HF_ID.fullmatch(a) and b.startswith("/app/model_cache/") for a, b in changed)
    )


def classify(original: dict, ours: dict, theirs: dict) -> list[str]:
    """Why one entry differs: ["same"], or each documented difference, or something else."""
    keys = ("source", "mount_location", "auth_secret_name", *PATTERN_KEYS)
    diff = {k for k in keys if ours.get(k) != theirs.get(k)}
    if not diff:
        return ["same"]
    rewritten = {k for k in diff & set(PATTERN_KEYS) if _translated(original, k, ours.get(k), theirs.get(k))}
    rest = diff - rewritten
    found = ["patterns"] if rewritten else []
    return found + ([_classify_rest(original, rest, ours, theirs)] if rest else [])


def _translated(original: dict, key: str, ours: object, theirs: object) -> bool:
    """truss migrate copied the list; weights-migrate wrote the mapping's rewrite of it."""
    old = original.get(key)
    legacy = not original.get("use_volume")
    return theirs == old and isinstance(old, list) and ours == mapping.patterns(old, legacy)[0].patterns


def _classify_rest(original: dict, diff: set, ours: dict, theirs: dict) -> str:
    """Why an entry differs beyond its patterns."""
    if (
        diff == {"auth_secret_name"}
        and theirs.get("auth_secret_name") == mapping.HF_SECRET
        and "runtime_secret_name" not in original
    ):
        return "secret"
    kind = original.get("kind") or mapping.resolve_kind(original["repo_id"], None)[0]
    legacy_cloud = diff <= {"mount_location", "auth_secret_name"} and kind != "hf" and not original.get("use_volume")
    if legacy_cloud and ("auth_secret_name" not in diff or "runtime_secret_name" not in original):
        return "legacy-cloud-path"
    return "other: " + ", ".join(f"{k}: ours {ours.get(k)!r} / truss {theirs.get(k)!r}" for k in sorted(diff))


def compare_one(config: Path, corpus: Path) -> Row:
    original = config.read_text()
    with tempfile.TemporaryDirectory(prefix="wm-compare-") as tmp:
        theirs_dir, ours_dir = Path(tmp) / "truss", Path(tmp) / "ours"
        for folder in (theirs_dir, ours_dir):
            folder.mkdir()
            shutil.copyfile(config, folder / "config.yaml")
        truss_run, ours_run = run_truss(theirs_dir), run_ours(ours_dir)
    data = load(original)
    entries = list(data.get("model_cache") or []) + list(data.get("external_data") or [])
    row = Row(str(config.relative_to(corpus)), len(entries), truss_run, ours_run)
    row.comments = len(comment_texts(original))
    kept = Counter(comment_texts(original))
    row.comments_ours = sum((kept & Counter(comment_texts(ours_run.text))).values())
    row.comments_truss = sum((kept & Counter(comment_texts(truss_run.text))).values())
    row.outside_ours = _outside_block_kept(original, ours_run.text)
    row.outside_truss = truss_run.status == "ok" and _outside_block_kept(original, truss_run.text)
    if truss_run.status == "ok" and ours_run.status == "ok":
        for old, mine, theirs in zip(entries, ours_run.weights, truss_run.weights):
            row.compared += 1
            verdicts = classify(
                old if "repo_id" in old else {"repo_id": old.get("url"), "use_volume": True}, mine, theirs
            )
            row.same += verdicts == ["same"]
            for verdict in verdicts:
                if verdict in DELIBERATE:
                    row.deliberate[verdict] = row.deliberate.get(verdict, 0) + 1
                elif verdict != "same":
                    row.other.append(verdict)
        if len(ours_run.weights) != len(truss_run.weights):
            row.other.append(f"entry count: ours {len(ours_run.weights)} / truss {len(truss_run.weights)}")
    return row


def compare_corpus(corpus: Path = CORPUS, limit: int | None = None, jobs: int = 2) -> list[Row]:
    configs = sorted(corpus.rglob("config.yaml"))[:limit]
    with ThreadPoolExecutor(jobs) as pool:
        return list(pool.map(lambda c: compare_one(c, corpus), configs))


def totals(rows: list[Row]) -> dict:
    both = [r for r in rows if r.truss.status == "ok" and r.ours.status == "ok"]
    return {
        "configs": len(rows),
        "ours_ok": sum(r.ours.status == "ok" for r in rows),
        "truss_ok": sum(r.truss.status == "ok" for r in rows),
        "truss_crash": sum(r.truss.status == "crash" for r in rows),
        "entries_compared": sum(r.compared for r in both),
        "entries_same": sum(r.same for r in both),
        "deliberate": {k: sum(r.deliberate.get(k, 0) for r in both) for k in DELIBERATE},
        "other": sum(len(r.other) for r in rows),
        "with_comments": sum(r.comments > 0 for r in rows),
        "comments_lost_ours": sum(r.comments_ours < r.comments for r in rows),
        "comments_lost_truss": sum(r.comments_truss < r.comments for r in rows),
        "outside_kept_ours": sum(r.outside_ours for r in rows),
        "outside_kept_truss": sum(r.outside_truss for r in rows),
        "seconds_truss": statistics.median(r.truss.seconds for r in rows),
        "seconds_ours": statistics.median(r.ours.seconds for r in rows),
        "rss_truss": statistics.median(r.truss.rss_mib for r in rows),
        "rss_ours": statistics.median(r.ours.rss_mib for r in rows),
    }


def markdown(rows: list[Row]) -> str:
    t = totals(rows)
    out = [
        "# weights-migrate and `truss migrate`, side by side",
        "",
        "Generated by `python scripts/compare_truss.py` (truss 0.18.36, `--dialect truss`) on the",
        f"{t['configs']} corpus configs of `../shared/corpus/truss-examples`; each truss migrated in a fresh copy.",
        "",
        "## Summary",
        "",
        "| measure | weights-migrate | truss migrate |",
        "|---|---|---|",
        f"| configs migrated | {t['ours_ok']}/{t['configs']} | {t['truss_ok']}/{t['configs']} ({t['truss_crash']} crash) |",
        f"| files with comments that lose one | {t['comments_lost_ours']} of {t['with_comments']} | {t['comments_lost_truss']} of {t['with_comments']} |",
        f"| text outside the block kept | {t['outside_kept_ours']}/{t['configs']} | {t['outside_kept_truss']}/{t['configs']} |",
        "| applies without a prompt | yes | no (asks `Apply these changes?`) |",
        "| trusses per run | any number | one folder |",
        f"| wall time per truss (median, whole process) | {t['seconds_ours']:.2f} s | {t['seconds_truss']:.2f} s |",
        f"| peak memory per truss (median) | {t['rss_ours']:.0f} MiB | {t['rss_truss']:.0f} MiB |",
        "",
        f"Where both succeed, {t['entries_compared']} `weights` entries are compared: {t['entries_same']} mean the same "
        f"(source, mount_location, auth_secret_name, patterns); "
        + "; ".join(f"{n} differ on purpose ({k})" for k, n in t["deliberate"].items())
        + f"; {t['other']} differ otherwise. An entry may differ in more than one way.",
        "",
        "## Deliberate differences",
        "",
        *[f"- **{k}**: {v}." for k, v in DELIBERATE.items()],
        "- **legacy configs truss migrate crashes on**: entries without `use_volume` fail its `ModelRepo` "
        "validation (`use_volume` is required there); weights-migrate treats an absent `use_volume` as legacy, as Truss did.",
        "- **formatting**: truss migrate re-dumps the whole file with PyYAML (keys sorted, quoting and comments "
        "lost); weights-migrate edits the block's text only.",
        "",
        "## Per config",
        "",
        "| config | entries | truss migrate | same | deliberate | other | comments kept (ours / truss) | outside kept (ours / truss) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        truss = r.truss.status if r.truss.status == "ok" else f"crash: {r.truss.error[:60]}"
        deliberate = ", ".join(f"{k} {n}" for k, n in r.deliberate.items()) or "-"
        out.append(
            f"| {r.path} | {r.entries} | {truss} | {r.same} | {deliberate} | {len(r.other) or '-'} | "
            f"{r.comments_ours}/{r.comments} / {r.comments_truss}/{r.comments} | "
            f"{'yes' if r.outside_ours else 'no'} / {'yes' if r.outside_truss else 'no'} |"
        )
    others = [(r.path, o) for r in rows for o in r.other]
    if others:
        out += ["", "## Other differences", "", *[f"- {p}: {o}" for p, o in others]]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", default=str(ROOT / "docs" / "comparison.md"), help="a file, or - for stdout")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rows = compare_corpus(args.corpus, args.limit, args.jobs)
    text = markdown(rows)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
