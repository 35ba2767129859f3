"""The Re-score button's cold start: what a click costs before and while it re-scores.

Run on demand:  python benchmarks/bench_button.py [--partners 500] [--repeat 5]

A click starts a fresh Python process, so both figures are from process start, best of --repeat:
  * import: `python -X importtime -c "import xl_prioritize.excel_button"`, the cumulative time of
    that import (target under 0.35 s), and which heavy libraries it loaded (none of openpyxl,
    XlsxWriter, rich, scipy, highspy should be);
  * first re-score: a fresh process opens a workbook of --partners partners in the fake of xlwings
    (tests/fake_xlwings.py, standing in for Excel: its own load is reported apart, as Excel's), then
    imports the button and re-scores, capacity plan included (target under 1.0 s for the button's
    part: process start to the message, less the fake's load).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "xlsxwriter", "rich", "scipy", "highspy", "pandas")

CLICK = r"""
import time
start, start_cpu = time.perf_counter(), time.process_time()
import json, sys, datetime as dt
import numpy  # the button's own first import: counted as the button's, not the fake's
numpy_loaded, numpy_cpu = time.perf_counter(), time.process_time()
sys.path.insert(0, sys.argv[2])
from fake_xlwings import FakeBook
book = FakeBook(sys.argv[1])
loaded, loaded_cpu = time.perf_counter(), time.process_time()
import xl_prioritize.excel_button as button
result = button.rescore_live(book, now=dt.datetime(2026, 10, 1, 9, 30), run_by="bench")
done, done_cpu = time.perf_counter(), time.process_time()
assert result.ok, result.message
print(json.dumps({"total": done - start, "fake_load": loaded - numpy_loaded,
                  "button": done - loaded + numpy_loaded - start,
                  "button_cpu": done_cpu - loaded_cpu + numpy_cpu - start_cpu,
                  "partners": result.outcome.partners}))
"""


def import_cpu_seconds() -> float:
    """CPU time of a process that only imports the button, less one that imports nothing: the
    figure a busy machine does not inflate."""
    def cpu(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return cpu("import xl_prioritize.excel_button") - cpu("pass")


def import_seconds() -> tuple[float, list[str]]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c",
         "import sys, xl_prioritize.excel_button; "
         f"print([m for m in {HEAVY!r} if m in sys.modules])"],
        capture_output=True, text=True, check=True, cwd=ROOT)
    last = [line for line in done.stderr.splitlines() if line.rstrip().endswith("xl_prioritize.excel_button")]
    cumulative_us = int(last[-1].split("|")[1])
    return cumulative_us / 1e6, eval(done.stdout.strip())


def write_workbook(path: Path, partners: int) -> Path:
    sys.path.insert(0, str(ROOT / "tests"))
    from builders import build_workbook

    rows = [(f"P{i:05d}", f"Partner {i}", "Ana" if i % 3 else "Ben",
             i % 5 + 1, i * 7 % 5 + 1, i * 3 % 5 + 1, i % 4 + 1) for i in range(1, partners + 1)]
    return build_workbook(path, settings={"Quarter": "2026-Q4", "Tier method": "percent"},
                          tiers=[("Tier 1", 0.1, "Biweekly", 6), ("Tier 2", 0.3, "Monthly", 2),
                                 ("Tier 3", None, "Portal", 0)],
                          roster_header=("Partner ID", "Partner", "Partner manager",
                                         "Customer overlap", "Sales engagement", "Solution fit",
                                         "Market reach"),
                          roster_rows=rows)


def first_rescore(source: Path, folder: Path, run: int) -> dict[str, float]:
    copy = folder / f"run{run}.xlsx"
    copy.write_bytes(source.read_bytes())
    spawned = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLICK, str(copy), str(ROOT / "tests")],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    figures = json.loads(done.stdout)
    figures["wall"] = time.perf_counter() - spawned
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    imports = [import_seconds() for _ in range(args.repeat)]
    seconds = [s for s, _ in imports]
    print(f"import xl_prioritize.excel_button: best {min(seconds):.3f} s, "
          f"median {statistics.median(seconds):.3f} s (target < 0.35 s); "
          f"heavy libraries loaded: {imports[0][1] or 'none'}")
    cpu = [import_cpu_seconds() for _ in range(args.repeat)]
    print(f"  CPU time of that import (less a bare interpreter): best {min(cpu):.3f} s, "
          f"median {statistics.median(cpu):.3f} s")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = write_workbook(folder / "source.xlsx", args.partners)
        runs = [first_rescore(source, folder, i) for i in range(args.repeat)]
    button = [r["wall"] - r["fake_load"] for r in runs]
    best = runs[button.index(min(button))]
    print(f"first re-score of {best['partners']:.0f} partners on the fake, from process start, "
          f"less the fake's own load ({best['fake_load']:.3f} s): best {min(button):.3f} s, "
          f"median {statistics.median(button):.3f} s (target < 1.0 s; of which import and "
          f"re-score {best['button']:.3f} s)")
    print(f"  CPU time of the button's part: best {min(r['button_cpu'] for r in runs):.3f} s, "
          f"median {statistics.median(r['button_cpu'] for r in runs):.3f} s")


if __name__ == "__main__":
    main()
