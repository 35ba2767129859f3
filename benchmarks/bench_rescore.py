"""Re-score speed and memory against a floor measured in the same run.

Run on demand:  python benchmarks/bench_rescore.py [--sizes 500 5000 50000] [--core 100000]

For each roster size it writes one workbook, then in fresh processes times (best of --repeat
runs, each on a fresh copy)
  * the floor: a bare openpyxl load-and-save of that file, and
  * `xl-prioritize rescore` of it: the first re-score, and a re-score of an already re-scored
    file against that file's own floor,
and reports each as a ratio to its floor, with the peak memory (max RSS) of the processes.
The core alone (no file I/O) is timed in-process on a synthetic roster.
Targets: re-score within 2x the floor at 5,000 partners; the core under 1 s at 100,000 partners.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import xlsxwriter

HERE = Path(__file__).resolve().parent
FACTORS = [("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20), ("Market reach", 15)]

RUNNER = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if mode == "floor":
    import openpyxl
    book = openpyxl.load_workbook(path)
    book.save(path)
else:
    from xl_prioritize.rescore import rescore_file
    rescore_file(path)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed,
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_roster(path: Path, partners: int, seed: int = 7) -> Path:
    rng = np.random.default_rng(seed)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    settings = book.add_worksheet("Settings")
    for r, row in enumerate([("Setting", "Value"), ("Quarter", "2026-Q4"), ("Tier method", "percent")]):
        settings.write_row(r, 0, row)
    factors = book.add_worksheet("Factors")
    for r, row in enumerate([("Factor", "Weight"), *FACTORS]):
        factors.write_row(r, 0, row)
    tiers = book.add_worksheet("Tiers")
    for r, row in enumerate([("Tier", "Size", "Service level", "Hours per partner per month"),
                             ("Tier 1", 0.15, "Biweekly co-sell", 6), ("Tier 2", 0.30, "Monthly review", 2),
                             ("Tier 3", None, "Self-serve", 0)]):
        tiers.write_row(r, 0, row)
    team = book.add_worksheet("Team")
    members = ["Ana", "Ben", "Chloe", "Dev"]
    for r, row in enumerate([("Member", "Hours per month", "Focus tiers"),
                             ("Ana", 120, "Tier 1"), ("Ben", 120, "Tier 1"), ("Chloe", 100, None),
                             ("Dev", 100, None)]):
        team.write_row(r, 0, row)
    roster = book.add_worksheet("Roster")
    roster.write_row(0, 0, ["Partner ID", "Partner", "Segment", "Partner manager",
                            *[f for f, _ in FACTORS], "Notes"])
    scores = rng.integers(1, 6, size=(partners, len(FACTORS)))
    segments = ["Reseller", "Systems integrator", "Technology", "Referral"]
    for i in range(partners):
        roster.write_row(i + 1, 0, [f"P-{i + 1:06d}", f"Partner {i + 1}", segments[i % 4],
                                    members[i % 4], *scores[i].tolist(), "user note"])
    book.close()
    return path


def run(mode: str, path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", RUNNER, mode, str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_run(mode: str, source: Path, workdir: Path, repeat: int) -> dict[str, float]:
    """The best time of `repeat` runs, each on a fresh copy of `source` (the least disturbed by
    whatever else the machine does, as timeit reports); the largest max RSS."""
    runs = []
    for i in range(repeat):
        copy = workdir / f"{mode}-{i}-{source.name}"
        shutil.copy(source, copy)
        runs.append(run(mode, copy))
    return {"seconds": min(r["seconds"] for r in runs),
            "max_rss_mb": max(r["max_rss_mb"] for r in runs)}


def bench_file(partners: int, workdir: Path, repeat: int) -> dict[str, object]:
    source = write_roster(workdir / f"roster-{partners}.xlsx", partners)
    floor = best_run("floor", source, workdir, repeat)
    rescore = best_run("rescore", source, workdir, repeat)
    rescored = workdir / f"rescored-{partners}.xlsx"
    shutil.copy(source, rescored)
    run("rescore", rescored)
    floor2 = best_run("floor", rescored, workdir, repeat)
    rescore2 = best_run("rescore", rescored, workdir, repeat)
    return {
        "partners": partners,
        "repeat": repeat,
        "floor_s": floor["seconds"],
        "rescore_s": rescore["seconds"],
        "ratio_first": rescore["seconds"] / floor["seconds"],
        "floor_rescored_s": floor2["seconds"],
        "rescore_again_s": rescore2["seconds"],
        "ratio_again": rescore2["seconds"] / floor2["seconds"],
        "floor_rss_mb": floor["max_rss_mb"],
        "rescore_rss_mb": max(rescore["max_rss_mb"], rescore2["max_rss_mb"]),
    }


def bench_core(partners: int) -> dict[str, object]:
    from xl_prioritize.core.compute import compute
    from xl_prioritize.model import Factor, Inputs, Member, Roster, Settings, Tier

    rng = np.random.default_rng(11)
    members = [Member("Ana", 2000, ("Tier 1",)), Member("Ben", 2000, ()), Member("Chloe", 1500, ()),
               Member("Dev", 1500, ())]
    roster = Roster(
        ids=[f"P-{i:06d}" for i in range(partners)],
        names=[f"Partner {i}" for i in range(partners)],
        managers=[members[i % 4].name for i in range(partners)],
        scores=rng.integers(1, 6, size=(partners, 4)).astype(float),
        overrides=[None] * partners,
        override_reasons=[None] * partners,
    )
    inputs = Inputs(
        settings=Settings("2026-Q4", tier_method="percent"),
        factors=[Factor(name, weight) for name, weight in FACTORS],
        tiers=[Tier("Tier 1", 0.15, "Biweekly", 6), Tier("Tier 2", 0.30, "Monthly", 2),
               Tier("Tier 3", None, "Self-serve", 0)],
        team=members,
        roster=roster,
    )
    compute(inputs)  # warm-up: imports and first-call costs are not the core's speed
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        compute(inputs)
        runs.append(time.perf_counter() - start)
    return {"partners": partners, "core_best_s": min(runs), "core_runs_s": runs}


def compile_package() -> None:
    """Byte-compile xl_prioritize as `pip install` would: an editable checkout (and a machine
    with PYTHONDONTWRITEBYTECODE set) would otherwise compile it from source in every run, while
    the floor's openpyxl comes compiled."""
    import xl_prioritize

    compileall.compile_dir(Path(xl_prioritize.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[500, 5_000, 50_000])
    parser.add_argument("--core", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best of)")
    args = parser.parse_args()
    compile_package()
    results: dict[str, object] = {"files": [], "core": None}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            row = bench_file(size, Path(tmp), args.repeat)
            results["files"].append(row)  # type: ignore[union-attr]
            print(f"{size:>7} partners: floor {row['floor_s']:.2f} s, re-score {row['rescore_s']:.2f} s "
                  f"({row['ratio_first']:.2f}x), again {row['rescore_again_s']:.2f} s "
                  f"({row['ratio_again']:.2f}x of {row['floor_rescored_s']:.2f} s), "
                  f"max RSS floor {row['floor_rss_mb']:.0f} MB / re-score {row['rescore_rss_mb']:.0f} MB",
                  flush=True)
    if args.core:
        core = bench_core(args.core)
        results["core"] = core
        print(f"core alone, {args.core} partners: best of 3 {core['core_best_s']:.3f} s")
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
