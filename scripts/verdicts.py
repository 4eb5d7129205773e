"""Each entry's verdict over a tree: `python scripts/verdicts.py PATH [--after]`.

Runs the tool with --check --format json on a copy of PATH (and, with --after, once more after an
in-place run), and prints the counts of mount/hub/none verdicts and each non-mount entry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path


def verdicts(tree: Path) -> tuple[Counter[str], list[str], int]:
    run = subprocess.run(
        [sys.executable, "-m", "migrate", "--check", "--format", "json", "."], cwd=tree, capture_output=True, text=True
    )
    report = json.loads(run.stdout)
    counts: Counter[str] = Counter()
    lines = []
    for record in report["files"]:
        for use in record.get("uses") or []:
            counts[use["loaded_from"]] += 1
            if use["loaded_from"] != "mount":
                sites = ", ".join(f"{s['path']}:{s['line']} {s['code']}" for s in use["sites"])
                lines.append(f"{use['loaded_from']:4} {record['path']}: {use['source']} {sites}")
    return counts, lines, run.returncode


def main() -> None:
    source = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / source.name
        shutil.copytree(source, tree)
        counts, lines, code = verdicts(tree)
        print(f"before: {dict(counts)} exit {code}")
        print("\n".join(lines))
        if "--after" in sys.argv:
            subprocess.run([sys.executable, "-m", "migrate", "-q", "."], cwd=tree, capture_output=True, check=False)
            counts, lines, code = verdicts(tree)
            print(f"after: {dict(counts)} exit {code}")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
