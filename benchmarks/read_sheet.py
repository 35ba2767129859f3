"""The one-pass sheet reader against openpyxl: time and peak memory, each in a fresh process.

    python3 benchmarks/read_sheet.py [ROWS ...]    # default 5000 50000

Prints, per size: seconds and peak RSS (MiB) of `ooxml.read.read_sheet` streaming the Roster part
from the zip (its fast path), of the lxml reader behind it, of openpyxl's read-only iteration, and
of python-calamine (the floor). Memory of the
reader must stay flat as rows grow: it clears each row as it goes.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import xlsxwriter

READERS = {
    "ooxml.read": """
import zipfile
from xl_prioritize.ooxml.read import read_sheet, read_shared_strings, date_style_indexes
with zipfile.ZipFile(PATH) as z:
    shared = read_shared_strings(z.open("xl/sharedStrings.xml"))
    styles = date_style_indexes(z.open("xl/styles.xml"))
    rows = len(read_sheet(z.open("xl/worksheets/sheet1.xml"), shared, styles))
""",
    "ooxml.read (lxml)": """
import zipfile
from xl_prioritize.ooxml.read import read_sheet_lxml, read_shared_strings_lxml, date_style_indexes
with zipfile.ZipFile(PATH) as z:
    shared = read_shared_strings_lxml(z.open("xl/sharedStrings.xml"))
    styles = date_style_indexes(z.open("xl/styles.xml"))
    rows = len(read_sheet_lxml(z.open("xl/worksheets/sheet1.xml"), shared, styles))
""",
    "openpyxl read-only": """
import openpyxl
wb = openpyxl.load_workbook(PATH, read_only=True)
rows = len(list(wb["Roster"].iter_rows(values_only=True)))  # kept, as the reader keeps its grid
""",
    "calamine": """
from python_calamine import CalamineWorkbook
rows = len(CalamineWorkbook.from_path(PATH).get_sheet_by_name("Roster").to_python())
""",
}

PROBE = """
import resource, time, sys
PATH = sys.argv[1]
start = time.perf_counter()
{code}
elapsed = time.perf_counter() - start
print(rows, elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def make(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Roster")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Partner ID", "Partner", "Partner manager", "A", "B", "C", "D", "Since", "Score"])
    for r in range(1, rows + 1):
        sheet.write_string(r, 0, f"P-{r:06d}")
        sheet.write_string(r, 1, f"Partner {r} GmbH")
        sheet.write_string(r, 2, ("Ana", "Ben", "Cleo")[r % 3])
        sheet.write_row(r, 3, [r % 5 + 1, r % 4 + 1, r % 3 + 1, r % 2 + 1])
        sheet.write_number(r, 7, 45000 + r % 900, date)
        sheet.write_formula(r, 8, f"=SUMPRODUCT(D{r + 1}:G{r + 1},{{1,2,3,4}})", None, r % 17)
    book.close()


def main(sizes: list[int]) -> None:
    root = Path(__file__).resolve().parents[1]
    for rows in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"roster-{rows}.xlsx"
            subprocess.run([sys.executable, __file__, "--make", str(path), str(rows)], check=True)
            for name, code in READERS.items():
                out = subprocess.run([sys.executable, "-c", PROBE.format(code=code), str(path)],
                                     capture_output=True, text=True, cwd=root, check=True).stdout.split()
                print(f"{rows:>7} rows  {name:<20} {float(out[1]):7.2f} s  {float(out[2]):7.1f} MiB peak")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:  # in its own process, so its memory is no reader's peak
        sys.exit(make(Path(sys.argv[2]), int(sys.argv[3])))
    main([int(a) for a in sys.argv[1:]] or [5000, 50000])
