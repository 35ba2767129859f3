"""Re-score speed and memory against two floors measured in the same run.

Run on demand:  python benchmarks/bench_rescore.py [--sizes 5000 50000] [--repeat 1]

For each roster size it writes one workbook, then in fresh processes times (best of --repeat
rounds, each running the three in turn on fresh copies, so that a slow spell of the machine falls
on all three alike)
  * the openpyxl floor: a bare openpyxl load-and-save of that file (what re-scoring by re-saving
    the whole book through openpyxl cannot go below),
  * the physical floor: a python-calamine read of every sheet of it (no write at all), and
  * `xl-prioritize rescore` of it: the first re-score, and a re-score of an already re-scored
    file against that file's own floors,
and reports each as a ratio to both floors (best time over best time, and the median of each
round's own ratio), with the peak memory (max RSS) of the processes.
The core alone (no file I/O) is timed in-process on a synthetic roster.
Targets (issue 8): each re-score <= 0.35x the openpyxl load+save at 5,000 and 50,000 partners, peak
memory no higher than openpyxl's; the core under 1 s at 100,000 partners.
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import statistics
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
elif mode == "calamine":
    from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(path)
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
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


Runs = dict[str, list[dict[str, float]]]


def interleaved_runs(sources: dict[str, Path], workdir: Path, repeat: int) -> Runs:
    """`repeat` rounds, each running every mode once on a fresh copy of its file, the modes in turn:
    a slow spell of the machine then falls on all of them alike, not on one mode's block of runs."""
    runs: Runs = {mode: [] for mode in sources}
    for i in range(repeat):
        for mode, source in sources.items():
            copy = workdir / f"{mode}-{i}-{source.name}"
            shutil.copy(source, copy)
            runs[mode].append(run(mode, copy))
            copy.unlink()
    return runs


def summary(runs: list[dict[str, float]]) -> dict[str, float]:
    """The best time (the run least disturbed by whatever else the machine does, as timeit
    reports) and the largest max RSS."""
    return {"seconds": min(r["seconds"] for r in runs),
            "max_rss_mb": max(r["max_rss_mb"] for r in runs)}


def bench_file(partners: int, workdir: Path, repeat: int) -> dict[str, object]:
    source = write_roster(workdir / f"roster-{partners}.xlsx", partners)
    rescored = workdir / f"rescored-{partners}.xlsx"
    shutil.copy(source, rescored)
    run("rescore", rescored)
    row: dict[str, object] = {"partners": partners, "repeat": repeat}
    for label, path in (("first", source), ("again", rescored)):
        runs = interleaved_runs({"floor": path, "calamine": path, "rescore": path}, workdir, repeat)
        floor, calamine, rescore = (summary(runs[mode]) for mode in ("floor", "calamine", "rescore"))
        paired = sorted(r["seconds"] / f["seconds"] for r, f in zip(runs["rescore"], runs["floor"],
                                                                    strict=True))
        row[label] = {
            "openpyxl_load_save_s": floor["seconds"],
            "calamine_read_s": calamine["seconds"],
            "rescore_s": rescore["seconds"],
            "ratio_to_openpyxl": rescore["seconds"] / floor["seconds"],
            "ratio_to_calamine": rescore["seconds"] / calamine["seconds"],
            "round_ratios_to_openpyxl": paired,
            "median_round_ratio_to_openpyxl": statistics.median(paired),
            "openpyxl_rss_mb": floor["max_rss_mb"],
            "calamine_rss_mb": calamine["max_rss_mb"],
            "rescore_rss_mb": rescore["max_rss_mb"],
        }
    return row


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
    parser.add_argument("--sizes", type=int, nargs="*", default=[5_000, 50_000])
    parser.add_argument("--core", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best of)")
    args = parser.parse_args()
    compile_package()
    results: dict[str, object] = {"files": [], "core": None}
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            row = bench_file(size, Path(tmp), args.repeat)
            results["files"].append(row)  # type: ignore[union-attr]
            for label in ("first", "again"):
                m = row[label]
                assert isinstance(m, dict)
                print(f"{size:>7} partners, {label:>5} re-score: openpyxl load+save "
                      f"{m['openpyxl_load_save_s']:.2f} s, calamine read {m['calamine_read_s']:.2f} s, "
                      f"re-score {m['rescore_s']:.2f} s = {m['ratio_to_openpyxl']:.2f}x openpyxl, "
                      f"{m['ratio_to_calamine']:.1f}x calamine (median of the rounds' own ratios "
                      f"{m['median_round_ratio_to_openpyxl']:.2f}x); max RSS openpyxl "
                      f"{m['openpyxl_rss_mb']:.0f} MB, re-score {m['rescore_rss_mb']:.0f} MB",
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
