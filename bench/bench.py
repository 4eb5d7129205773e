"""Whole-process timings: `weights-migrate --check` against a bare C-parse of the same tree.

Builds a synthetic monorepo of N trusses from ../shared/corpus/truss-examples (half
of them already migrated, so without `model_cache`), then runs, alternating, median
of several pairs:
  baseline  read every YAML file of the tree and load it with ruamel's C parser
  tool      weights-migrate --check -q TREE
and prints both times, their ratio, peak RSS and the per-file cost.

    python bench/bench.py                 # N = 1,000 and 10,000, 5 pairs each
    python bench/bench.py --sizes 200 --pairs 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "truss-examples"

BASELINE = r"""
import os, sys
from ruamel.yaml import YAML
yaml = YAML(typ="safe", pure=False)
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as handle:
                yaml.load(handle.read().decode("utf-8"))
            count += 1
print(count)
"""


def build_tree(target: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from migrate import yaml_edit

    configs = sorted(p for p in CORPUS.rglob("config.yaml"))
    texts = [p.read_text() for p in configs]
    migrated = [yaml_edit.migrate_text(t).text or t for t in texts]
    for i in range(n):
        folder = target / f"team-{i % 50:02d}" / f"truss-{i:05d}"
        folder.mkdir(parents=True)
        source = texts if i % 2 == 0 else migrated
        (folder / "config.yaml").write_text(source[i % len(source)])


def timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{cmd} exited {code}")
    return elapsed, usage.ru_maxrss


def measure(n: int, pairs: int, jobs: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
        tree = Path(tmp) / "monorepo"
        build_tree(tree, n)
        tool = [sys.executable, "-m", "migrate", "--check", "-q", *jobs, str(tree)]
        base = [sys.executable, "-c", BASELINE, str(tree)]
        timed(base), timed(tool)  # warm the page cache
        runs = {"baseline": [], "tool": []}
        rss = {"baseline": 0, "tool": 0}
        for _ in range(pairs):
            for name, cmd in (("baseline", base), ("tool", tool)):
                seconds, peak = timed(cmd)
                runs[name].append(seconds)
                rss[name] = max(rss[name], peak)
    med = {k: statistics.median(v) for k, v in runs.items()}
    return {"n": n, **med, "ratio": med["tool"] / med["baseline"], "rss": rss}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--tool-args", default="", help="extra options for the tool, e.g. '--jobs 2'")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.pairs} pairs per size")
    print(f"{'trusses':>8} {'baseline s':>11} {'tool s':>8} {'ratio':>6} {'tool ms/truss':>14} {'tool RSS MiB':>13} {'base RSS MiB':>13}")
    for n in args.sizes:
        r = measure(n, args.pairs, args.tool_args.split())
        print(
            f"{n:>8} {r['baseline']:>11.3f} {r['tool']:>8.3f} {r['ratio']:>6.2f} "
            f"{r['tool'] / n * 1000:>14.3f} {r['rss']['tool'] / 1024:>13.1f} {r['rss']['baseline'] / 1024:>13.1f}"
        )


if __name__ == "__main__":
    main()
