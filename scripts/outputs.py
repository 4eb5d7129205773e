"""Every output of the tool on the corpus and the fixtures, in one JSON file, to compare two commits.

Runs `python -m migrate` over fresh copies of ../shared/corpus/truss-examples and fixtures/ in
several modes (diff, check as text, JSON and GitHub annotations, in place, both dialects, docs,
nested, one job and many) and records, for each: stdout, stderr, the exit code and, for runs
that write, every file of the tree afterwards. Two commits that must behave alike give the same
file:

    python scripts/outputs.py > before.json     # on the old commit
    python scripts/outputs.py > after.json      # on the new one
    python scripts/outputs.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "truss-examples"

MODES: dict[str, list[str]] = {
    "diff": ["--diff", "--docs"],
    "diff-jobs1": ["--diff", "--docs", "--jobs", "1"],
    "check-text": ["--check", "--docs", "-v"],
    "check-json": ["--check", "--docs", "--format", "json"],
    "check-github": ["--check", "--docs", "--format", "github"],
    "check-diff-truss": ["--check", "--diff", "--docs", "--dialect", "truss", "--nested"],
    "diff-no-code": ["--diff", "--no-code"],
    "diff-mount-root": ["--diff", "--docs", "--mount-root", "/models", "--trust-patterns"],
    "in-place": ["--docs"],
    "in-place-truss": ["--dialect", "truss", "--nested", "--docs"],
}


def _tree(root: Path) -> dict[str, str]:
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            files[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return files


def _run(source: Path, name: str, args: list[str]) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / name
        shutil.copytree(source, tree)
        env = {**os.environ, "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "migrate", *args, name], cwd=tmp, capture_output=True, text=True, env=env
        )
        record: dict[str, object] = {"rc": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
        writes = not {"--check", "--diff"} & set(args)
        if writes:
            record["tree"] = _tree(tree)
        if writes and done.returncode == 0:
            again = subprocess.run(
                [sys.executable, "-m", "migrate", "--check", *args, name], cwd=tmp, capture_output=True, text=True
            )
            record["check-after"] = {"rc": again.returncode, "stdout": again.stdout, "stderr": again.stderr}
        return record


def collect() -> dict[str, object]:
    sources = {"fixtures": ROOT / "fixtures"}
    if CORPUS.is_dir():
        sources["corpus"] = CORPUS
    return {
        f"{label}:{mode}": _run(source, label, args)
        for label, source in sources.items()
        for mode, args in MODES.items()
    }


def compare(before: dict[str, object], after: dict[str, object]) -> int:
    differ = 0
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            differ += 1
            print(f"differs: {key}")
            old, new = before.get(key), after.get(key)
            if isinstance(old, dict) and isinstance(new, dict):
                for part in sorted(set(old) | set(new)):
                    if old.get(part) != new.get(part):
                        print(f"  {part}")
    print(f"{len(set(before) | set(after))} runs compared, {differ} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(Path(p).read_text()) for p in args.compare)
        return compare(before, after)
    json.dump(collect(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
