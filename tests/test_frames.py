"""`xl_prioritize.read` and `history`: DataFrames equal what the workbook holds."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import xl_prioritize
from tests.builders import build_workbook, sheet_rows
from tests.model_builders import history_workbook
from xl_prioritize.rescore import rescore_file

ROWS = [["P1", "Alpha", "Ana", 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3],
        ["P3", "Gamma", None, 1, 2, 1, 2], ["P4", "Delta", "Ben", 4, 4, 4, 4]]


def same(a: object, b: object) -> bool:
    blank = [v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)]
    return all(blank) or (not any(blank) and a == b)


def frame_rows(frame) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [[None if (isinstance(v, float) and math.isnan(v)) else v for v in row]
            for row in frame.astype(object).itertuples(index=False)]


def test_read_returns_the_roster_capacity_log_and_archives_as_the_workbook_holds_them(
    tmp_path: Path,
) -> None:
    path = build_workbook(tmp_path / "b.xlsx", roster_rows=ROWS)
    outcome = rescore_file(path)
    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"] = "2027-Q1"
    book["Roster"]["D2"] = 1
    book.save(path)
    outcome = rescore_file(path)
    frames = xl_prioritize.read(path)
    assert frames.quarter == "2027-Q1"

    roster = sheet_rows(path, "Roster")
    assert list(frames.roster.columns) == list(roster[0])
    score_col = list(roster[0]).index("Score")
    got = frame_rows(frames.roster)
    for r, line in enumerate(roster[1:]):
        for col, value in enumerate(line):
            if col == score_col:  # a formula: its value is the one the re-score computed
                assert got[r][col] == pytest.approx(outcome.results.score[r])
            else:
                assert same(got[r][col], value), (r, col, got[r][col], value)

    capacity = sheet_rows(path, "Capacity")
    tiers_n = len(outcome.results.capacity.tiers) + 1
    width = list(capacity[0]).index(None)  # the tier table's header runs to the first blank
    assert list(frames.capacity.columns) == list(capacity[0][:width])
    assert list(frames.capacity["Tier"]) == ["Tier 1", "Tier 2", "Tier 3", "Total"]
    assert frame_rows(frames.capacity) == [list(r[:width]) for r in capacity[1:1 + tiers_n]]
    members = capacity[tiers_n + 2:tiers_n + 2 + 1 + len(outcome.results.capacity.members)]
    width = list(members[0]).index(None) if None in members[0] else len(members[0])
    assert list(frames.team_load.columns) == list(members[0][:width])
    assert list(frames.team_load["Member"]) == ["Ana", "Ben"]
    assert frame_rows(frames.team_load) == [list(r[:width]) for r in members[1:]]

    log = sheet_rows(path, "Log")
    assert frame_rows(frames.log) == [list(r) for r in log[1:]]
    assert list(frames.archives) == ["2026-Q4"]
    archive = sheet_rows(path, "Archive 2026-Q4")
    assert list(frames.archives["2026-Q4"].columns) == list(archive[0])
    assert all(same(a, b) for got_row, row in zip(frame_rows(frames.archives["2026-Q4"]), archive[1:],
                                                  strict=True) for a, b in zip(got_row, row, strict=True))


def test_history_is_one_long_table_partner_by_quarter(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx", partners=20)
    long = xl_prioritize.history(path)
    assert list(long.columns[:3]) == ["Quarter", "Partner ID", "Partner"]
    assert long["Quarter"].value_counts().to_dict() == {"2026-Q2": 20, "2026-Q3": 20, "2026-Q4": 20}
    for quarter, sheet in (("2026-Q3", "Archive 2026-Q3"), ("2026-Q4", "Roster")):
        rows = sheet_rows(path, sheet)
        part = long[long["Quarter"] == quarter].drop(columns="Quarter")
        assert frame_rows(part) == [list(r) for r in rows[1:]]
    assert long["Sourced pipeline"].dtype.kind == "f"  # numbers, blank as NaN, for analysis


def test_pandas_and_scipy_stay_off_the_buttons_path() -> None:
    code = ("import sys, xl_prioritize.excel_button, xl_prioritize.rescore, xl_prioritize.cli; "
            "print('pandas' in sys.modules, 'scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.split() == ["False", "False"]


def test_the_readme_example_runs(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "history(" in b)
    assert len([line for line in block.splitlines() if line.strip()]) == 5
    path = build_workbook(tmp_path / "b.xlsx", roster_rows=ROWS)
    rescore_file(path)
    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"] = "2027-Q1"
    book.save(path)
    rescore_file(path)
    exec(block.replace("partners.xlsx", str(path)), {})
