"""The package writer's own segment of a re-score: applying the plan and writing the parts it owns.

Run on demand:  python benchmarks/bench_writer.py [--sizes 5000 50000] [--repeat 3]

For each roster size it writes the benchmark roster (bench_rescore.write_roster) and a copy
re-scored once, plans a re-score of each (read, parse, compute and plan are not timed), then in
this process reports the best CPU time of --repeat runs of
  * patch_sheet: the Roster patched (first re-score: new cells at each row's end; again: rows
    already holding the output cells),
  * write_sheet: the sheets the tool owns written whole (Compare, Capacity, Log, Scorecard, the
    results snapshot),
  * write: apply the plan and write every part, deflated, as `save` does before the zip,
and the peak memory traced (tracemalloc, in another run) while writing, over what the plan holds.
Targets (session 3): patch_sheet >= 4x, write_sheet >= 3x faster than before (main at ca2290e).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_rescore import write_roster

from xl_prioritize.adapters.package import PackageWorkbook
from xl_prioritize.ooxml.patch import patch_sheet
from xl_prioritize.ooxml.sheet import write_sheet
from xl_prioritize.rescore import rescore_book, rescore_file
from xl_prioritize.workbook.plan import RunInfo

NOW = dt.datetime(2026, 11, 29, 12)


def plan_of(path: Path) -> list:
    book = PackageWorkbook(path)
    try:
        return list(rescore_book(book, RunInfo(NOW, "bench", "File")).plan)
    finally:
        book.close()


def segments(path: Path, plan: list) -> dict[str, float]:
    book = PackageWorkbook(path)
    book.apply(plan)
    patch = write = 0.0
    for name, model in book.models.items():
        if model.whole:
            start = time.process_time()
            write_sheet(model, book.styles)
            write += time.process_time() - start
        elif model.edited:
            xml = book.package.read(book.workbook.entry(name).part)
            start = time.process_time()
            patch_sheet(xml, model, book.styles)
            patch += time.process_time() - start
    book.close()
    book = PackageWorkbook(path)
    start = time.process_time()
    book.apply(plan)
    book._write_sheets()
    elapsed = time.process_time() - start
    book.close()
    book = PackageWorkbook(path)
    tracemalloc.start()
    book.apply(plan)
    book._write_sheets()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    book.close()
    return {"patch_sheet_s": patch, "write_sheet_s": write, "write_s": elapsed, "peak_mb": peak / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for partners in args.sizes:
            first = write_roster(work / f"roster-{partners}.xlsx", partners)
            again = work / f"rescored-{partners}.xlsx"
            shutil.copy(first, again)
            rescore_file(again, run_by="bench", now=NOW)
            for label, path in (("first", first), ("again", again)):
                plan = plan_of(path)
                runs = [segments(path, plan) for _ in range(args.repeat)]
                best = {key: min(run[key] for run in runs) for key in runs[0]}
                print(f"{partners:>6} {label:5} " + "  ".join(f"{k} {v:.3f}" for k, v in best.items()),
                      flush=True)


if __name__ == "__main__":
    main()
