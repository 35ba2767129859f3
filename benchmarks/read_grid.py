"""CPU time of reading a workbook's sheets as a re-score does (`PackageWorkbook.read_grid`: shared
strings, date styles and the sheet), with the fast reader and with the lxml reader it falls back to.

    python3 benchmarks/read_grid.py FILE [SHEET ...]    # every sheet when none is named

Both readers run in this process, alternately, best of three, so that a busy machine slows both
alike; the grids are checked equal. The target: the fast reader at least 5 times faster.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from xl_prioritize.adapters import package
from xl_prioritize.ooxml import read


def _cpu(path: Path, sheets: list[str], reader: object) -> tuple[float, list[object]]:
    original = package.read_sheet, package.read_shared_strings
    package.read_sheet, package.read_shared_strings = reader  # type: ignore[assignment]
    try:
        book = package.PackageWorkbook(path)
        start = time.process_time()
        grids = [book.read_grid(sheet) for sheet in sheets]
        spent = time.process_time() - start
        book.close()
    finally:
        package.read_sheet, package.read_shared_strings = original
    return spent, grids


def main(path: Path, sheets: list[str]) -> None:
    book = package.PackageWorkbook(path)
    sheets = sheets or book.sheet_names()
    book.close()
    readers = {"fast": (read.read_sheet, read.read_shared_strings),
               "lxml": (read.read_sheet_lxml, read.read_shared_strings_lxml)}
    best: dict[str, float] = {}
    grids: dict[str, list[object]] = {}
    for _ in range(3):
        for name, reader in readers.items():
            spent, grids[name] = _cpu(path, sheets, reader)
            best[name] = min(best.get(name, spent), spent)
    assert grids["fast"] == grids["lxml"], "the readers disagree"
    cells = sum(len(row) for grid in grids["fast"] for row in grid)  # type: ignore[attr-defined]
    print(f"{path.name}: {len(sheets)} sheets, {cells:,} cells: lxml {best['lxml']:.3f} s, "
          f"fast {best['fast']:.3f} s CPU ({best['lxml'] / best['fast']:.1f}x)")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2:])
