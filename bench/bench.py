"""Whole-process timings: `weights-migrate --check` against the floor, a bare C-parse of the same tree.

Builds a synthetic monorepo of N trusses from ../shared/corpus/truss-examples: each
truss is one corpus truss (its config.yaml and the Python files beside it), half
of them already migrated (the tool's own output, code included). Then it runs,
alternating, median of several pairs:
  baseline  one process reads every YAML file of the tree and loads it with
            PyYAML's C loader: yaml.load(data, Loader=yaml.CSafeLoader); for the
            variants with the code pass, it also parses every .py file with ast.parse
  tool      weights-migrate --check -q [--jobs 1] [--no-code] TREE
and prints both times, their ratio, the per-truss cost after taking off the
start-up (the median of runs on an empty tree; linear growth keeps it constant
across N) and peak memory.

Peak memory is the largest sum of VmRSS over the tool's process tree (the process
and its workers, read from /proc every 20 ms while it runs; pages the workers share
with their parent after fork count twice, so this overstates a little), and the
largest single-process high-water mark (ru_maxrss of the process or its biggest child).

    python bench/bench.py                     # N = 1,000 and 10,000; the code pass at 500 and 5,000; 3 pairs
    python bench/bench.py --sizes 1000 10000 50000 --code-sizes 500 5000
    python bench/bench.py --large             # adds N = 50,000
    python bench/bench.py --sizes 200 --pairs 3 --variants default
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "truss-examples"

BASELINE = r"""
import os, sys, yaml
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(folder, name), "rb") as handle:
                yaml.load(handle.read(), Loader=yaml.CSafeLoader)
            count += 1
print(count)
"""
# The floor of a run with the code pass: the YAML as above, and every Python file parsed by CPython's
# own parser (the least any tool that reads the code must do).
BASELINE_CODE = r"""
import ast, os, sys, yaml
count = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        path = os.path.join(folder, name)
        if name.endswith((".yaml", ".yml")):
            with open(path, "rb") as handle:
                yaml.load(handle.read(), Loader=yaml.CSafeLoader)
            count += 1
        elif name.endswith(".py"):
            with open(path, "rb") as handle:
                ast.parse(handle.read())
            count += 1
print(count)
"""

VARIANTS = {
    "default": [],
    "jobs1": ["--jobs", "1"],
    "no-code": ["--no-code"],
    "jobs1-no-code": ["--jobs", "1", "--no-code"],
}


def _truss_files(config: Path) -> dict[str, bytes]:
    """A corpus truss: its config and the Python files below its folder (not those of nested trusses)."""
    folder = config.parent
    files = {"config.yaml": config.read_bytes()}
    for path in sorted(folder.rglob("*.py")):
        if any((p / "config.yaml").exists() for p in path.parents if p != folder and folder in p.parents):
            continue
        files[str(path.relative_to(folder))] = path.read_bytes()
    return files


def templates() -> tuple[list[dict], list[dict]]:
    """The corpus trusses as they are, and as the tool migrates them."""
    originals = [_truss_files(c) for c in sorted(CORPUS.rglob("config.yaml"))]
    with tempfile.TemporaryDirectory(prefix="wm-bench-template-") as tmp:
        for i, files in enumerate(originals):
            _write(Path(tmp) / f"t{i:03d}", files)
        subprocess.run(
            [sys.executable, "-m", "migrate", "-q", "--jobs", "1", tmp],
            cwd=ROOT,
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        migrated = [
            {name: (Path(tmp) / f"t{i:03d}" / name).read_bytes() for name in files} for i, files in enumerate(originals)
        ]
    return originals, migrated


def _write(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def build_tree(target: Path, n: int, sources: tuple[list[dict], list[dict]]) -> None:
    originals, migrated = sources
    for i in range(n):
        source = originals if i % 2 == 0 else migrated
        _write(target / f"team-{i % 50:02d}" / f"truss-{i:05d}", source[i % len(source)])


def _tree_rss(pid: int) -> int:
    """Sum of VmRSS (KiB) of pid and its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as handle:
                    todo += [int(c) for c in handle.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str]) -> tuple[float, int, int, float]:
    """Wall seconds, peak tree RSS (KiB, sampled), peak single-process RSS (KiB) and CPU seconds
    (user + system, the workers included) of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, done = [0], threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} exited {proc.returncode}")
    return elapsed, max(peak[0], usage.ru_maxrss), usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def commands(tree: Path, extra: list[str]) -> dict:
    floor = BASELINE if "--no-code" in extra else BASELINE_CODE
    return {
        "baseline": [sys.executable, "-c", floor, str(tree)],
        "tool": [sys.executable, "-m", "migrate", "--check", "-q", *extra, str(tree)],
    }


def alternate(cmds: dict, pairs: int) -> tuple[dict, dict, dict, dict]:
    """Median wall time, peak memory and median CPU time of each command, run in alternation."""
    for cmd in cmds.values():
        timed(cmd)  # warm the page cache
    runs = {name: [] for name in cmds}
    tree = dict.fromkeys(cmds, 0)
    single = dict.fromkeys(cmds, 0)
    cpu = {name: [] for name in cmds}
    for _ in range(pairs):
        for name, cmd in cmds.items():
            seconds, peak, one, used = timed(cmd)
            runs[name].append(seconds)
            cpu[name].append(used)
            tree[name], single[name] = max(tree[name], peak), max(single[name], one)
    median = statistics.median
    return {k: median(v) for k, v in runs.items()}, tree, single, {k: median(v) for k, v in cpu.items()}


def startup(pairs: int, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory(prefix="wm-bench-empty-") as tmp:
        return alternate(commands(Path(tmp), extra), pairs)[0]


def single_truss(pairs: int) -> None:
    """One truss, --check, whole process: the start-up a pre-commit hook pays."""
    fixture = ROOT / "fixtures" / "llama-volume"
    runs = [timed([sys.executable, "-m", "migrate", "--check", "-q", str(fixture)]) for _ in range(2 * pairs + 1)][1:]
    print(
        f"one truss --check ({fixture.name}): median {statistics.median(r[0] for r in runs):.3f} s wall, "
        f"{max(r[2] for r in runs) / 1024:.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--large", action="store_true", help="add N = 50,000 (slow: minutes per variant)")
    parser.add_argument(
        "--code-sizes",
        type=int,
        nargs="+",
        default=[500, 5000],
        help="sizes at which the variants with the code pass run (their floor also parses every .py with ast)",
    )
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    args = parser.parse_args()
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}")
    sizes = sorted(set(args.sizes + args.code_sizes + ([50000] if args.large else [])))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.pairs} pairs per cell")
    # The package's bytecode, as `pip install` writes it: under PYTHONDONTWRITEBYTECODE an
    # editable checkout would compile every module again at each start.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "migrate")], check=True)
    single_truss(args.pairs)
    sources = templates()
    empty = {v: startup(args.pairs, VARIANTS[v]) for v in args.variants}
    for v in args.variants:
        print(f"start-up (empty tree) {v}: baseline {empty[v]['baseline']:.3f} s, tool {empty[v]['tool']:.3f} s")
    print(
        f"{'trusses':>8} {'variant':>14} {'baseline s':>11} {'tool s':>8} {'ratio':>6} "
        f"{'base ms/truss':>14} {'tool ms/truss':>14} {'tree RSS MiB':>13} {'max proc MiB':>13} "
        f"{'base CPU s':>11} {'tool CPU s':>11}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="wm-bench-") as tmp:
            tree = Path(tmp) / "monorepo"
            build_tree(tree, n, sources)
            for v in args.variants:
                if "no-code" not in v and n not in args.code_sizes:
                    continue
                med, rss, one, cpu = alternate(commands(tree, VARIANTS[v]), args.pairs)
                marginal = {k: (med[k] - empty[v][k]) / n * 1000 for k in med}
                print(
                    f"{n:>8} {v:>14} {med['baseline']:>11.3f} {med['tool']:>8.3f} "
                    f"{med['tool'] / med['baseline']:>6.2f} {marginal['baseline']:>14.3f} "
                    f"{marginal['tool']:>14.3f} {rss['tool'] / 1024:>13.1f} {one['tool'] / 1024:>13.1f} "
                    f"{cpu['baseline']:>11.3f} {cpu['tool']:>11.3f}",
                    flush=True,
                )
            shutil.rmtree(tree)


if __name__ == "__main__":
    main()
