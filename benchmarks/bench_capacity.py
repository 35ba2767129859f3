"""What the capacity plan adds to a re-score: the solver's import and its run, guidance included.

Run on demand:  python benchmarks/bench_capacity.py [--sizes 500 5000] [--repeat 5]

The import is timed in a fresh process after numpy (which a re-score has loaded anyway); the plan
(`plan_capacity`: the exact solve, the partners' placement and the guidance with its levers) is
timed in a fresh process, first run and best of --repeat, on synthetic rosters of 5 members and 3 or 4 tiers.
Target: import + first plan at most 0.15 s at 5,000 partners, so a click stays quick. A team
too large for the dynamic program goes to scipy's milp, whose import alone costs more: the table
says which engine ran.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xl_prioritize.model import Member, Tier  # noqa: E402

TARGET = 0.15

IMPORT = r"""
import json, time
import numpy
import xl_prioritize.model  # a re-score has these before it plans capacity
start = time.perf_counter()
import xl_prioritize.core.capacity
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

# name: (tiers as (name, share, hours per partner, hours per tier), team as (name, hours, focus))
TierRow = tuple[str, float, float, float]
MemberRow = tuple[str, float, tuple[str, ...]]
SCENARIOS: dict[str, tuple[list[TierRow], list[MemberRow]]] = {
    "3 tiers, 6/2/0 h": (
        [("Tier 1", 0.10, 6, 0), ("Tier 2", 0.30, 2, 0), ("Tier 3", 0.60, 0, 0)],
        [("Maya", 40, ("Tier 1",)), ("Jonas", 40, ("Tier 1",)), ("Priya", 36, ("Tier 1",)),
         ("Sam", 24, ()), ("Lena", 30, ("Tier 2", "Tier 3"))],
    ),
    "4 tiers, group program": (
        [("Tier 1", 0.05, 6, 0), ("Tier 2", 0.15, 1, 8), ("Tier 3", 0.30, 0.5, 0),
         ("Tier 4", 0.50, 0, 0)],
        [("Maya", 40, ("Tier 1",)), ("Jonas", 40, ("Tier 1", "Tier 2")), ("Priya", 36, ()),
         ("Sam", 24, ("Tier 2", "Tier 3")), ("Lena", 30, ("Tier 3",))],
    ),
    "4 tiers, every tier with hours": (
        [("Tier 1", 0.05, 6, 4), ("Tier 2", 0.15, 2, 8), ("Tier 3", 0.30, 0.5, 0),
         ("Tier 4", 0.50, 0.25, 0)],
        [("Maya", 40, ()), ("Jonas", 40, ("Tier 1", "Tier 2")), ("Priya", 36, ()),
         ("Sam", 24, ("Tier 2", "Tier 3", "Tier 4")), ("Lena", 30, ("Tier 3", "Tier 4"))],
    ),
}


def roster(partners: int, scenario: str, seed: int = 7):
    tiers_spec, team_spec = SCENARIOS[scenario]
    rng = np.random.default_rng(seed)
    tiers = [Tier(name, share, "service", hours, program) for name, share, hours, program in tiers_spec]
    team = [Member(name, float(hours), focus) for name, hours, focus in team_spec]
    rows: list[str] = []
    for name, share, _, _ in tiers_spec:
        rows += [name] * round(partners * share)
    rows = (rows + [tiers[-1].name] * partners)[:partners]
    ranks = np.arange(1, partners + 1)
    order = rng.permutation(partners)
    managers = [str(rng.choice([m.name for m in team] + ["", "Zoe"])) or None for _ in range(partners)]
    return [rows[i] for i in order], ranks[order], managers, tiers, team


PLAN = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from bench_capacity import roster
from xl_prioritize.core import staffing
from xl_prioritize.core.capacity import plan_capacity
args = roster(int(sys.argv[2]), sys.argv[3])
engines = []
real = staffing._work
staffing._work = lambda p, s: engines.append(real(p, s) > staffing.WORK_LIMIT) or real(p, s)
runs = []
for _ in range(int(sys.argv[4])):
    start = time.perf_counter()
    plan = plan_capacity(*args)
    runs.append(time.perf_counter() - start)
served = "/".join(str(r.served) for r in plan.tiers if r.hours_per_partner > 0)
print(json.dumps({"first": runs[0], "best": min(runs), "served": served, "milp": any(engines)}))
"""


def time_plan(partners: int, scenario: str, repeat: int) -> dict:
    """In a fresh process: the first plan (scipy's import included when the integer program is
    needed) and the best of `repeat`."""
    out = subprocess.run([sys.executable, "-c", PLAN, str(Path(__file__).parent), str(partners),
                          scenario, str(repeat)], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout
    return json.loads(out)


def time_import(repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", IMPORT], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout
        runs.append(json.loads(out)["seconds"])
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    imported = time_import(args.repeat)
    print(f"import of the capacity modules after numpy: {imported * 1000:.1f} ms")
    print(f"{'scenario':32} {'partners':>8} {'first ms':>9} {'best ms':>8} {'+import':>8} "
          f"{'engine':>7}  served")
    for size in args.sizes:
        for scenario in SCENARIOS:
            run = time_plan(size, scenario, args.repeat)
            total = run["first"] + imported
            engine = "milp" if run["milp"] else "dp"
            verdict = "ok" if total <= TARGET else "OVER"
            print(f"{scenario:32} {size:>8} {run['first'] * 1000:>9.1f} {run['best'] * 1000:>8.1f} "
                  f"{total * 1000:>8.1f} {engine:>7}  {run['served']}  {verdict}")


if __name__ == "__main__":
    main()
