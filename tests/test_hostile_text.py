"""Untrusted text stays text: partner names that look like formulas are never written as formulas.

Partner names come from CRM exports and partner managers' returns. A name typed with a leading
apostrophe or imported as text (`=HYPERLINK(...)`, a DDE payload, `=1+1`) must come back as the same
text in every sheet a re-score writes: Roster outputs, Compare, the archive, the snapshot.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from xl_prioritize.rescore import rescore_file

HOSTILE = (
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "TRUE",
    "007",
    "3/4",
    "\u202eevil.exe",
)
CONTROL = ("tab\there", "bell\x07name", "esc\x1bname")


def hostile_master(path: Path, names: tuple[str, ...]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    sheets = {
        "Settings": [("Setting", "Value"), ("Quarter", "2026-Q3"), ("Tier method", "count")],
        "Factors": [("Factor", "Weight"), ("Fit", 60), ("Reach", 40)],
        "Tiers": [("Tier", "Size", "Service level", "Hours per partner per month"),
                  ("Tier 1", 3, "=1+1 co-sell", 4), ("Tier 2", None, "Self-serve", 0)],
        "Team": [("Member", "Hours per month", "Focus tiers"), ("=2+2", 40, None)],
    }
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
    ws = book.add_worksheet("Roster")
    for c, header in enumerate(("Partner ID", "Partner", "Partner manager", "Fit", "Reach",
                                "Tier override", "Override reason")):
        ws.write_string(0, c, header)
    for i, name in enumerate(names, start=1):
        ws.write_string(i, 0, f"P-{i:02d}")
        ws.write_string(i, 1, name)
        ws.write_string(i, 2, "=2+2")
        ws.write_number(i, 3, 1 + i % 5)
        ws.write_number(i, 4, 1 + (i * 3) % 5)
    ws.write_string(1, 5, "Tier 1")
    ws.write_string(1, 6, "=HYPERLINK(\"http://evil.example\",\"why\")")
    book.close()
    return path


def next_quarter(path: Path, quarter: str) -> None:
    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"].value = quarter
    book.save(path)


def text_cells(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Per sheet, every cell whose value is one of the hostile strings: (coordinate, data type)."""
    book = openpyxl.load_workbook(path)
    found: dict[str, list[tuple[str, str]]] = {}
    watched = {*HOSTILE, *CONTROL, "=2+2", "=1+1 co-sell"}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in watched or (cell.data_type == "f" and cell.value in watched):
                    found.setdefault(ws.title, []).append((cell.coordinate, cell.data_type))
    return found


def assert_all_text(path: Path, sheets: tuple[str, ...]) -> None:
    found = text_cells(path)
    for sheet in sheets:
        assert found.get(sheet), f"no hostile text reached {sheet}: the check would prove nothing"
    formulas = [(sheet, ref) for sheet, cells in found.items() for ref, kind in cells if kind == "f"]
    assert not formulas, f"user text written as formulas: {formulas}"
    book = openpyxl.load_workbook(path)
    for sheet in ("Compare", *(s for s in book.sheetnames if s.startswith("Archive "))):
        ws = book[sheet]
        values = {cell.value for row in ws.iter_rows() for cell in row}
        assert set(HOSTILE) <= values, f"{sheet} does not read back every name equal"


def test_hostile_names_stay_text_over_two_quarters(tmp_path: Path) -> None:
    path = hostile_master(tmp_path / "master.xlsx", HOSTILE)
    outcome = rescore_file(path)
    assert outcome.partners == len(HOSTILE)
    assert_all_text(path, ("Roster", "Compare"))
    next_quarter(path, "2026-Q4")
    rescore_file(path)
    assert "Archive 2026-Q3" in openpyxl.load_workbook(path).sheetnames
    assert_all_text(path, ("Roster", "Compare", "Archive 2026-Q3", "Capacity"))


def test_characters_xml_cannot_hold_read_back_equal(tmp_path: Path) -> None:
    pytest.importorskip("xl_prioritize.adapters.package", reason="the package-part writer is not built yet")
    from python_calamine import CalamineWorkbook

    path = hostile_master(tmp_path / "master.xlsx", HOSTILE + CONTROL)
    rescore_file(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Compare").to_python()
    names = {r[1] for r in rows[1:]}
    assert set(CONTROL) <= names
