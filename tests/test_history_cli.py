"""`xl-prioritize history`: a partner's score, rank and tier per quarter, or tier sizes per quarter.

One factor `Fit` on a 0–100 scale makes each Score the number typed, so every value below is
worked out by hand. Tiers: Gold 1, Silver 1, Bronze the rest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import build_workbook, digest
from xl_prioritize.cli import cli
from xl_prioritize.history_report import QuarterRow, partner_history, tier_sizes
from xl_prioritize.rescore import rescore_file

TIERS: list[tuple[Any, ...]] = [
    ("Gold", 1, "Co-sell", 0), ("Silver", 1, "Review", 0), ("Bronze", None, "Portal", 0),
]
HEADER = ["Partner ID", "Partner", "Fit"]
# Q1: A 90 Gold, B 70 Silver, C 50 Bronze, 7 20 Bronze.
# Q2: C left, D joins.  D 95 Gold, B 80 Silver, A 60 Bronze, 7 20 Bronze.
# Q3: E joins.  A 85 Gold, B 75 Silver, D 40 Bronze, 7 20 Bronze, E 10 Bronze.
YEAR = {
    "2026-Q1": [["A", "Acme", 90], ["B", "Beta", 70], ["C", "Core", 50], [7, "Seven", 20]],
    "2026-Q2": [["A", "Acme", 60], ["B", "Beta", 80], ["D", "Delta", 95], [7, "Seven", 20]],
    "2026-Q3": [["A", "Acme", 85], ["B", "Beta", 75], ["D", "Delta", 40], [7, "Seven", 20],
                ["E", "Echo", 10]],
}


def type_quarter(path: Path, quarter: str, rows: list[list[Any]]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    for r in range(2, max(ws.max_row, len(rows) + 1) + 1):
        line = rows[r - 2] if r - 2 < len(rows) else [None, None, None]
        for col, value in enumerate(line, start=1):
            ws.cell(r, col).value = value
    wb["Settings"]["B2"] = quarter
    wb.save(path)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "partners.xlsx"
    settings = {"Quarter": "2026-Q1", "Tier method": "count", "Scale min": 0, "Scale max": 100}
    build_workbook(path, settings=settings, factors=[("Fit", 1)], tiers=TIERS,
                   roster_header=HEADER, roster_rows=YEAR["2026-Q1"])
    rescore_file(path, run_by="t")
    for quarter in ("2026-Q2", "2026-Q3"):
        type_quarter(path, quarter, YEAR[quarter])
        rescore_file(path, run_by="t")
    # Next quarter's scores typed but not yet re-scored: history shows the re-scored results.
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["C2"] = 5
    wb.save(path)
    return path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, ["history", *args], env={"COLUMNS": "160"})


def test_partner_history_per_quarter(book: Path) -> None:
    found = partner_history(book, "A")
    assert (found.partner_id, found.name) == ("A", "Acme")
    assert found.rows == [
        QuarterRow("2026-Q1", 90, 1, "Gold", current=False),
        QuarterRow("2026-Q2", 60, 3, "Bronze", current=False),
        QuarterRow("2026-Q3", 85, 1, "Gold", current=True),
    ]


def test_partner_history_lists_only_the_quarters_on_the_roster(book: Path) -> None:
    assert [(r.quarter, r.score, r.rank, r.tier) for r in partner_history(book, "C").rows] == [
        ("2026-Q1", 50, 3, "Bronze")]
    assert [(r.quarter, r.rank, r.current) for r in partner_history(book, "E").rows] == [
        ("2026-Q3", 5, True)]
    assert [r.quarter for r in partner_history(book, "D").rows] == ["2026-Q2", "2026-Q3"]


def test_numeric_and_differently_cased_ids_are_found(book: Path) -> None:
    assert [r.rank for r in partner_history(book, "7").rows] == [4, 4, 4]
    assert [r.rank for r in partner_history(book, 7).rows] == [4, 4, 4]
    assert partner_history(book, "b").partner_id == "B"


def test_unknown_partner_raises(book: Path) -> None:
    with pytest.raises(LookupError, match="Z"):
        partner_history(book, "Z")


def test_tier_sizes_per_quarter(book: Path) -> None:
    sizes = tier_sizes(book)
    assert sizes.tiers == ["Gold", "Silver", "Bronze"]
    assert sizes.quarters == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert sizes.counts == [[1, 1, 2], [1, 1, 2], [1, 1, 3]]
    assert sizes.current == "2026-Q3"


def row_of(output: str, start: str) -> list[str]:
    """The cells of the table row whose first cell begins with `start`."""
    for line in output.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").strip("│ ").split("│")]
        if cells and cells[0].startswith(start):
            return cells
    raise AssertionError(f"no row {start!r} in:\n{output}")


def test_cli_partner_history(book: Path) -> None:
    before = digest(book)
    result = invoke(str(book), "A")
    assert result.exit_code == 0, result.output
    assert "A Acme" in result.output
    assert row_of(result.output, "2026-Q1") == ["2026-Q1", "90.0", "1", "Gold"]
    assert row_of(result.output, "2026-Q2") == ["2026-Q2", "60.0", "3", "Bronze"]
    assert row_of(result.output, "2026-Q3") == ["2026-Q3 (current)", "85.0", "1", "Gold"]
    assert digest(book) == before


def test_cli_tier_sizes(book: Path) -> None:
    before = digest(book)
    result = invoke(str(book))
    assert result.exit_code == 0, result.output
    assert row_of(result.output, "Quarter") == ["Quarter", "Gold", "Silver", "Bronze", "Total"]
    assert row_of(result.output, "2026-Q1") == ["2026-Q1", "1", "1", "2", "4"]
    assert row_of(result.output, "2026-Q3") == ["2026-Q3 (current)", "1", "1", "3", "5"]
    assert digest(book) == before


def test_cli_unknown_partner_exits_1_naming_it(book: Path) -> None:
    result = invoke(str(book), "Z-99")
    assert result.exit_code == 1
    assert "Z-99" in result.output


def test_cli_before_any_rescore(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "new.xlsx", roster_rows=[["P1", "One", None, 5, 4, 3, 2]])
    result = invoke(str(path))
    assert result.exit_code == 1
    assert "no results yet" in result.output
    assert invoke(str(path), "P1").exit_code == 1


def test_cli_help_has_an_example() -> None:
    result = CliRunner().invoke(cli, ["history", "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output
    assert "xl-prioritize history partners.xlsx" in result.output
