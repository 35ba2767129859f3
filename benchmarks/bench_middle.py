"""CPU of a re-score between reading and writing: parse, compute, plan, on grids read once.

    python3 benchmarks/bench_middle.py [--sizes 5000 50000] [--repeat 3]

For each size it writes the benchmark roster (`bench_rescore.write_roster`), re-scores one copy so
there is also an already re-scored file, reads every sheet of each file once through the package
adapter, then times in this process (best of --repeat, `time.process_time`) each step of
`rescore_book` that is not reading or writing: `read_workbook` over the grids already read (parse
and validation), `compute`, `build_plan`, and the changes since the last run. It also counts the
sheets `read_workbook` asks for. Issue 8's target for this part: at least 3x below its CPU at
session 3's start (50,000 partners: about 3.0 s first run, 4.2 s again, on a quiet machine).
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_rescore import write_roster  # noqa: E402

from xl_prioritize.adapters.package import PackageWorkbook  # noqa: E402
from xl_prioritize.core.compute import compute  # noqa: E402
from xl_prioritize.rescore import read_seen, read_workbook, rescore_file  # noqa: E402
from xl_prioritize.workbook.cells import Formula, Grid  # noqa: E402
from xl_prioritize.workbook.ownership import read_ownership, record_op  # noqa: E402
from xl_prioritize.workbook.plan import RunInfo, build_plan  # noqa: E402
from xl_prioritize.workbook.staleness import changes_since_last_run  # noqa: E402


class ReadOnce:
    """A workbook's grids, read once: the steps are timed without the reader."""

    def __init__(self, path: Path) -> None:
        book = PackageWorkbook(path)
        try:
            self.names = book.sheet_names()
            self.defined = book.defined_names()
            self.grids = {name: book.read_grid(name) for name in self.names}
        finally:
            book.close()
        self.asked: Counter[str] = Counter()

    def sheet_names(self) -> list[str]:
        return list(self.names)

    def defined_names(self) -> dict[str, str]:
        return dict(self.defined)

    def read_grid(self, sheet: str) -> Grid:
        self.asked[sheet] += 1
        return self.grids[sheet]

    def read_values(self, sheet: str) -> Grid:
        return [[v.value if isinstance(v, Formula) else v for v in row] for row in self.read_grid(sheet)]


def time_steps(book: ReadOnce, repeat: int) -> dict[str, float]:
    best: dict[str, float] = {}
    info = RunInfo(dt.datetime(2026, 11, 29, 12), "bench", "File")
    for _ in range(repeat):
        took: dict[str, float] = {}
        start = time.process_time()
        owned = read_ownership(book.sheet_names(), book.defined_names(), book.read_grid)
        parsed, grid = read_workbook(book)
        took["parse"] = time.process_time() - start
        start = time.process_time()
        results = compute(parsed.inputs)
        took["compute"] = time.process_time() - start
        start = time.process_time()
        plan = build_plan(parsed, results, grid, info, read_seen(book))
        plan.append(record_op(owned, plan))
        took["plan"] = time.process_time() - start
        start = time.process_time()
        changes_since_last_run(parsed, grid, results)
        took["changes"] = time.process_time() - start
        took["middle"] = sum(took.values())
        for step, seconds in took.items():
            best[step] = min(best.get(step, seconds), seconds)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[5_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best of)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for partners in args.sizes:
            first = write_roster(Path(tmp) / f"roster-{partners}.xlsx", partners)
            again = first.with_name(f"again-{partners}.xlsx")
            shutil.copy(first, again)
            rescore_file(again, run_by="bench", now=dt.datetime(2026, 11, 29, 11))
            for label, path in (("first", first), ("again", again)):
                book = ReadOnce(path)
                best = time_steps(book, args.repeat)
                steps = "  ".join(f"{step} {seconds:.3f}s" for step, seconds in best.items())
                sheets = ", ".join(sorted({name for name in book.asked}))
                print(f"{partners:>7,} {label:5}  {steps}\n{'':15}sheets read: {sheets}")


if __name__ == "__main__":
    main()
