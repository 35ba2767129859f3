from __future__ import annotations

import csv
from pathlib import Path

from xl_prioritize.untrusted import console_text, csv_cell, terminal_text, write_csv


def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote() -> None:
    for text in ("=1+1", "+1", "-x", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://e","c")'):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Acme") == "Acme"
    assert csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) is None


def test_csv_is_utf8_with_a_bom_and_neutralised(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_csv(path, ["Partner", "Score"], [["=cmd|' /C calc'!A0", -1.5], ["Café", 2]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [["Partner", "Score"], ["'=cmd|' /C calc'!A0", "-1.5"], ["Café", "2"]]


def test_terminal_text_drops_controls_and_direction_overrides() -> None:
    assert terminal_text("Acme\x1b[31m\u202eevil\x07") == "Acme[31mevil"
    assert terminal_text("line\tone") == "line\tone"
    assert console_text("[red]x[/red]") == "\\[red]x\\[/red]"


def test_a_spreadsheet_opening_the_csv_reads_every_cell_as_text(tmp_path: Path, soffice: str) -> None:
    import openpyxl
    from support.libreoffice import recalculate

    hostile = ["=1+1", '=HYPERLINK("http://evil.example","x")', "+1", "@SUM(A1)", "-2+3"]
    path = tmp_path / "report.csv"
    write_csv(path, ["Partner", "Cells"], [[text, 3] for text in hostile])
    opened = recalculate(path, tmp_path / "opened")
    sheet = openpyxl.load_workbook(opened).active
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(hostile)
    for row, text in zip(rows, hostile, strict=True):
        assert row[0].data_type == "s", f"{text!r} became {row[0].data_type}: {row[0].value!r}"
        assert text in str(row[0].value)
        assert row[1].value == 3  # numbers stay numbers
