"""Whole-process timings: `weights-migrate --check` against a bare C-parse of the same tree.

Builds a synthetic monorepo of N trusses from ../shared/corpus/truss-examples (half
of them already migrated, so without `model_cache`), then runs, alternating, median
of several pairs:
  baseline  read every YAML file of the tree and load it with ruamel's C parser
  tool      weights-migrate --check -q TREE
and prints both times, their ratio, peak RSS and the per-truss cost: whole
wall time / N, and the same after taking off the start-up (the median time of
a run on an empty tree), which shows the cost grows linearly with N.
With truss installed (the `[oracle]` extra) it also times `truss migrate`, one
truss per process as it works, on a sample of trusses, and a single-truss
`weights-migrate --check` beside it.

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


def commands(tree: Path, extra: list[str]) -> dict:
    return {
        "baseline": [sys.executable, "-c", BASELINE, str(tree)],
        "tool": [sys.executable, "-m", "migrate", "--check", "-q", *extra, str(tree)],
    }


def alternate(cmds: dict, pairs: int) -> tuple[dict, dict]:
    """Median wall time and peak RSS of each command, run in alternation."""
    for cmd in cmds.values():
        timed(cmd)  # warm the page cache
    runs = {name: [] for name in cmds}
    rss = dict.fromkeys(cmds, 0)
    for _ in range(pairs):
        for name, cmd in cmds.items():
            seconds, peak = timed(cmd)
            runs[name].append(seconds)
            rss[name] = max(rss[name], peak)
    return {k: statistics.median(v) for k, v in runs.items()}, rss


def startup(pairs: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="wm-bench-empty-") as tmp:
        return alternate(commands(Path(tmp), extra), pairs)[0]


def measure(n: int, pairs: int, extra: list[str], empty: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
        tree = Path(tmp) / "monorepo"
        build_tree(tree, n)
        med, rss = alternate(commands(tree, extra), pairs)
    marginal = {k: (med[k] - empty[k]) / n * 1000 for k in med}
    return {"n": n, **med, "ratio": med["tool"] / med["baseline"], "rss": rss, "marginal": marginal}


def versus_truss(sample: int) -> None:
    """`truss migrate` (one truss per process, `y` piped to its prompt) vs a single-truss --check."""
    truss = Path(sys.executable).with_name("truss")
    if not truss.exists():
        print("truss not installed: skipping the side-by-side (pip install -e '.[oracle]')")
        return
    configs = sorted(CORPUS.rglob("config.yaml"))[:: max(1, 65 // sample)][:sample]
    theirs, ours = [], []
    with tempfile.TemporaryDirectory(prefix="wm-bench-truss-") as tmp:
        for i, config in enumerate(configs):
            for name, runs in (("truss", theirs), ("ours", ours)):
                folder = Path(tmp) / f"{name}-{i}"
                folder.mkdir()
                shutil.copyfile(config, folder / "config.yaml")
                if name == "truss":
                    start = time.perf_counter()
                    proc = subprocess.Popen([str(truss), "migrate", str(folder)], stdin=subprocess.PIPE,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    proc.stdin.write(b"y\n")
                    proc.stdin.close()
                    _, _, usage = os.wait4(proc.pid, 0)
                    proc.returncode = 0
                    runs.append((time.perf_counter() - start, usage.ru_maxrss))
                else:
                    runs.append(timed([sys.executable, "-m", "migrate", "--check", "-q", str(folder)]))
    t_truss = statistics.median(s for s, _ in theirs)
    t_ours = statistics.median(s for s, _ in ours)
    print(f"single truss, median of {len(configs)}: truss migrate {t_truss:.3f} s, "
          f"{statistics.median(r for _, r in theirs) / 1024:.0f} MiB; weights-migrate --check {t_ours:.3f} s, "
          f"{statistics.median(r for _, r in ours) / 1024:.0f} MiB; {t_truss / t_ours:.1f}x faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--tool-args", default="", help="extra options for the tool, e.g. '--jobs 1'")
    parser.add_argument("--truss-sample", type=int, default=8, help="trusses for the truss migrate timing (0: skip)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    extra = args.tool_args.split()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.pairs} pairs per size")
    empty = startup(args.pairs, extra)
    print(f"start-up (empty tree): baseline {empty['baseline']:.3f} s, tool {empty['tool']:.3f} s")
    print(f"{'trusses':>8} {'baseline s':>11} {'tool s':>8} {'ratio':>6} {'tool ms/truss':>14} "
          f"{'ms/truss w/o start-up':>22} {'tool RSS MiB':>13} {'base RSS MiB':>13}")
    for n in args.sizes:
        r = measure(n, args.pairs, extra, empty)
        print(
            f"{n:>8} {r['baseline']:>11.3f} {r['tool']:>8.3f} {r['ratio']:>6.2f} "
            f"{r['tool'] / n * 1000:>14.3f} {r['marginal']['tool']:>22.3f} "
            f"{r['rss']['tool'] / 1024:>13.1f} {r['rss']['baseline'] / 1024:>13.1f}"
        )
    if args.truss_sample:
        versus_truss(args.truss_sample)


if __name__ == "__main__":
    main()
