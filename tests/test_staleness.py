"""Staleness you can see without Python: the hidden Score when tiered, one highlight rule on the
Score column, the Scorecard's count (recalculated by LibreOffice), the re-score's message; the Start
sheet is the user's and stays as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from support.libreoffice import Recalc

from xl_prioritize.core.compute import compute
from xl_prioritize.demo import demo_content
from xl_prioritize.excel_button import success_message
from xl_prioritize.rescore import rescore_file
from xl_prioritize.template import write_workbook
from xl_prioritize.workbook import scorecard_sheet as sc
from xl_prioritize.workbook.staleness import STALE_LABEL, Changes

NOW = dt.datetime(2026, 12, 1, 9, 0, 0)
SCORE, TIER, TIERED = "L", "N", "S"   # the demo's Roster columns


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = write_workbook(tmp_path / "demo.xlsx", demo_content())
    rescore_file(path, run_by="t", now=NOW)
    return path


def our_rules(ws: openpyxl.worksheet.worksheet.Worksheet) -> list[tuple[str, list[str]]]:
    return [(str(cf.sqref), list(rule.formula)) for cf in ws.conditional_formatting
            for rule in cf.rules if rule.type == "expression" and rule.formula
            and f"${TIERED}2" in rule.formula[0]]


def test_the_hidden_column_and_one_relative_rule_and_the_start_sheet_untouched(demo: Path) -> None:
    wb = openpyxl.load_workbook(demo)
    ws = wb["Roster"]
    assert ws[f"{TIERED}1"].value == "Score when tiered"
    assert ws.column_dimensions[TIERED].hidden
    scores = compute_scores(demo)
    tiered = [ws[f"{TIERED}{r}"].value for r in range(2, 142)]
    # the Scores the tiers were cut on (a file keeps 16 significant digits)
    assert tiered == pytest.approx(list(scores), rel=1e-15)
    assert our_rules(ws) == [(f"{SCORE}2:{SCORE}501", [f"${SCORE}2<>${TIERED}2"])]
    assert not any(STALE_LABEL in str(c.value) for row in wb["Start"].iter_rows() for c in row)
    rescore_file(demo, run_by="t", now=NOW + dt.timedelta(hours=1))
    again = openpyxl.load_workbook(demo)
    assert our_rules(again["Roster"]) == our_rules(ws)          # replaced, not added twice


def compute_scores(path: Path) -> np.ndarray:
    from xl_prioritize.adapters.files import FileWorkbook
    from xl_prioritize.rescore import read_workbook

    book = FileWorkbook(path)
    try:
        parsed, _ = read_workbook(book)
    finally:
        book.close()
    return compute(parsed.inputs).score


def test_edits_after_a_rescore_are_counted_until_the_next(demo: Path, tmp_path: Path,
                                                          recalc: Recalc) -> None:
    before = compute_scores(demo)
    wb = openpyxl.load_workbook(demo)
    ws = wb["Roster"]
    ws["F9"] = 5 if ws["F9"].value != 5 else 1               # one factor score of P-0008
    ws["E20"] = 5 if ws["E20"].value != 5 else 1              # and one of P-0019
    wb["Scorecard"].cell(row=sc.PICK_ROW, column=2).value = ws["A9"].value
    wb.save(demo)
    after = compute_scores(demo)
    changed = int(np.sum(np.abs(after - before) > 1e-9))
    assert changed == 2
    done = openpyxl.load_workbook(recalc(demo), data_only=True)
    assert done["Scorecard"].cell(row=sc.STALE_ROW, column=2).value == changed
    assert done["Scorecard"].cell(row=sc.CHANGED_ROW, column=2).value == "yes"
    roster = done["Roster"]
    stale_rows = [r for r in range(2, 142)
                  if roster[f"{SCORE}{r}"].value != roster[f"{TIERED}{r}"].value]
    assert stale_rows == [9, 20]                              # what the highlight rule marks

    old_tiers = {r: ws[f"{TIER}{r}"].value for r in (9, 20)}
    outcome = rescore_file(demo, run_by="t", now=NOW + dt.timedelta(hours=1))
    new = openpyxl.load_workbook(demo)["Roster"]
    picked = openpyxl.load_workbook(demo)["Scorecard"].cell(row=sc.PICK_ROW, column=2).value
    assert picked == ws["A9"].value                        # the partner picked is kept
    moved = sum(new[f"{TIER}{r}"].value != old_tiers[r] for r in (9, 20))
    assert outcome.changes == Changes(changed=2, moved=moved)
    message = success_message(outcome, "demo.xlsx", [])
    assert f"2 partners' scores changed since the last re-score; {moved} of them moved" in message
    done = openpyxl.load_workbook(recalc(demo), data_only=True)
    assert done["Scorecard"].cell(row=sc.STALE_ROW, column=2).value == 0


def test_a_first_rescore_reports_no_changes(demo: Path) -> None:
    wb = openpyxl.load_workbook(demo)
    wb["Roster"].delete_cols(19)                               # as written before this feature
    wb.save(demo)
    assert rescore_file(demo, run_by="t", now=NOW).changes is None
    assert rescore_file(demo, run_by="t", now=NOW).changes == Changes(0, 0)
