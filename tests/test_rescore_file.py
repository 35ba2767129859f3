"""Hand-built workbooks re-scored in place: numbers worked out by hand, inputs untouched."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.builders import DEFAULT_FACTORS, build_workbook, sheet_rows, table
from xl_prioritize.problems import InputErrors
from xl_prioritize.rescore import rescore_file

TIERED_ON = "Score when tiered"
"""The hidden owned column after the outputs (docs/contract-readings.md)."""
OUTPUTS = ["Score", "Rank", "Tier", "Service level", "Previous tier", "Movement", "Assigned to"]
SERVICE = {"Tier 1": "Biweekly co-sell cadence", "Tier 2": "Monthly pipeline review",
           "Tier 3": "Self-serve portal", "Unscored": None}
NOW = dt.datetime(2026, 11, 2, 9, 30, 15, 123456)

# Columns in a scrambled order, headers in odd case and spacing, and two columns of the user's.
MESSY_HEADER = ["Notes", "SALES ENGAGEMENT", " partner id ", "Partner", "customer overlap",
                "Market  Reach", "Solution fit", "Partner manager", "Owner's flag"]
# Factor scores (Customer overlap, Sales engagement, Solution fit, Market reach), weights
# 35/30/20/15, scale 1–5. Score = 100 × (Σ w·s / 100 − 1) / 4:
#   P1 5,4,3,2 → 3.85 → 71.25      P2 3,3,3,3 → 50        P3 2,5,5,5 → 3.95 → 73.75
#   P4 1,1,1,1 → 0                 P5 4,4,4,4 → 75        P6 5,5,1,1 → 3.60 → 65
PARTNERS = {  # id: (name, manager, CO, SE, SF, MR, notes)
    "P1": ("Alpha", "Ana", 5, 4, 3, 2, "keep me"),
    "P2": ("Beta", None, 3, 3, 3, 3, 42),
    "P3": ("Gamma", None, 2, 5, 5, 5, None),
    "P4": ("Delta", None, 1, 1, 1, 1, "x"),
    "P5": ("Epsilon", None, 4, 4, 4, 4, None),
    "P6": ("Zeta", None, 5, 5, 1, 1, dt.datetime(2026, 1, 5)),
}
SCORES = {"P1": 71.25, "P2": 50.0, "P3": 73.75, "P4": 0.0, "P5": 75.0, "P6": 65.0}
RANKS = {"P5": 1, "P3": 2, "P1": 3, "P6": 4, "P2": 5, "P4": 6}


def messy_rows() -> list[list[Any]]:
    rows = []
    for pid, (name, manager, co, se, sf, mr, notes) in PARTNERS.items():
        rows.append([notes, se, pid, name, co, mr, sf, manager, "flag-" + pid])
    return rows


def messy_workbook(tmp_path: Path, settings: dict[str, Any] | None = None,
                   tiers: list[tuple[Any, ...]] | None = None) -> Path:
    kwargs: dict[str, Any] = {}
    if tiers is not None:
        kwargs["tiers"] = tiers
    return build_workbook(tmp_path / "messy.xlsx", settings=settings, roster_header=MESSY_HEADER,
                          roster_rows=messy_rows(), **kwargs)


def all_cells(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-blank cell of every sheet, as stored (formulas as text)."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row
                       if c.value is not None} for ws in wb.worksheets}


def roster_by_id(path: Path, key: str = " partner id ") -> dict[str, dict[str, Any]]:
    return {str(r[key]): r for r in table(path, "Roster")}


# --- The three tier methods ------------------------------------------------------------------

def test_count_method_on_a_messy_roster(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path)
    before = all_cells(path)
    outcome = rescore_file(path, run_by="tester", now=NOW)

    ids = outcome.inputs.roster.ids
    assert dict(zip(ids, outcome.results.score.tolist(), strict=True)) == pytest.approx(SCORES)
    rows = roster_by_id(path)
    assert {pid: r["Rank"] for pid, r in rows.items()} == RANKS
    # count 2 / 3 / rest by rank
    expected_tier = {"P5": "Tier 1", "P3": "Tier 1", "P1": "Tier 2", "P6": "Tier 2", "P2": "Tier 2",
                     "P4": "Tier 3"}
    assert {pid: r["Tier"] for pid, r in rows.items()} == expected_tier
    assert {pid: r["Service level"] for pid, r in rows.items()} == {
        pid: SERVICE[t] for pid, t in expected_tier.items()}
    assert {r["Movement"] for r in rows.values()} == {"new"}
    assert {r["Previous tier"] for r in rows.values()} == {None}
    # Capacity (Ana 20 h, Ben 10 h, any tier; Tier 1 costs 6 h, Tier 2 2 h): 2 × 6 + 3 × 2 = 18 h
    # serve everyone; P1 goes to Ana, its Partner manager; P4 is in a tier without hours.
    assigned = {pid: r["Assigned to"] for pid, r in rows.items()}
    assert assigned["P1"] == "Ana" and assigned["P4"] is None
    assert {assigned[p] for p in ("P5", "P3", "P6", "P2")} <= {"Ana", "Ben"}
    hours = {"P5": 6, "P3": 6, "P1": 2, "P6": 2, "P2": 2}
    assert sum(h for p, h in hours.items() if assigned[p] == "Ana") <= 20
    assert sum(h for p, h in hours.items() if assigned[p] == "Ben") <= 10

    after = all_cells(path)
    # every input cell as it was: other sheets cell for cell, the Roster's input columns A..I
    for sheet in ("Settings", "Factors", "Tiers", "Team"):
        assert after[sheet] == before[sheet]
    assert {k: v for k, v in after["Roster"].items() if k[0] <= "I"} == before["Roster"]
    # the output columns, created to the right of the inputs in the contract's order
    header = sheet_rows(path, "Roster")[0]
    assert list(header) == [*MESSY_HEADER, *OUTPUTS, TIERED_ON]


def test_score_cells_are_formulas_over_the_rows_factor_cells(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path)
    rescore_file(path, run_by="tester", now=NOW)
    ws = openpyxl.load_workbook(path)["Roster"]
    for row in range(2, 2 + len(PARTNERS)):
        formula = ws.cell(row=row, column=10).value
        assert isinstance(formula, str) and formula.startswith("=")
        # factor cells: B (Sales engagement), E (Customer overlap), F (Market reach), G (Solution fit)
        for col in "BEFG":
            assert f"{col}{row}" in formula
        for col in "ACDHI":
            assert f"{col}{row}" not in formula


def test_percent_method(tmp_path: Path) -> None:
    # Ten partners whose four factor scores all equal v = 1 + 0.4k score exactly 10k (k = 0..9).
    # Tiers 0.2 and 30 (points) → ends at floor(10·0.2+.5) = 2 and floor(10·0.5+.5) = 5.
    rows = [[f"K{k}", f"Partner {k}", None, *([1 + 0.4 * k] * 4)] for k in range(10)]
    tiers = [("Tier 1", 0.2, "Biweekly co-sell cadence", 6), ("Tier 2", 30, "Monthly pipeline review", 2),
             ("Tier 3", None, "Self-serve portal", 0)]
    path = build_workbook(tmp_path / "percent.xlsx", settings={"Quarter": "2026-Q4",
                                                               "Tier method": "percent"},
                          tiers=tiers, roster_rows=rows, team=[("Ana", 100, None)])
    outcome = rescore_file(path, run_by="tester", now=NOW)
    assert outcome.results.score.tolist() == pytest.approx([10.0 * k for k in range(10)])
    got = {r["Partner ID"]: (r["Rank"], r["Tier"]) for r in table(path, "Roster")}
    assert got == {f"K{k}": (10 - k, "Tier 1" if k >= 8 else "Tier 2" if k >= 5 else "Tier 3")
                   for k in range(10)}


def test_percent_is_the_default_method(tmp_path: Path) -> None:
    # 6 partners, default tiers read as percent: Size 2 and 3 are percent points (2%, 3%):
    # floor(6·0.02+.5) = 0, floor(6·0.05+.5) = 0 → everyone in Tier 3.
    path = messy_workbook(tmp_path, settings={"Quarter": "2026-Q4"})
    rescore_file(path, run_by="tester", now=NOW)
    assert {r["Tier"] for r in table(path, "Roster")} == {"Tier 3"}


def test_threshold_method(tmp_path: Path) -> None:
    tiers = [("Tier 1", 71.25, "Biweekly co-sell cadence", 6), ("Tier 2", 40, "Monthly pipeline review", 2),
             ("Tier 3", None, "Self-serve portal", 0)]
    path = messy_workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "threshold"},
                          tiers=tiers)
    rescore_file(path, run_by="tester", now=NOW)
    rows = roster_by_id(path)
    # 75, 73.75 and exactly 71.25 enter Tier 1; 65 and 50 reach 40; 0 falls to the last tier
    assert {pid: r["Tier"] for pid, r in rows.items()} == {
        "P5": "Tier 1", "P3": "Tier 1", "P1": "Tier 1", "P6": "Tier 2", "P2": "Tier 2",
        "P4": "Tier 3"}
    assert {pid: r["Rank"] for pid, r in rows.items()} == RANKS


# --- The three missing-score policies ---------------------------------------------------------

BLANKS = [  # Partner ID, Partner, manager, CO, SE, SF, MR
    ["P1", "Alpha", None, None, 5, 5, 5],
    ["P2", "Beta", None, 3, 3, 3, 3],
    ["P3", "Gamma", None, 5, None, None, 5],
    ["P4", "Delta", None, None, None, None, None],
    ["P5", "Epsilon", None, 4, 4, 4, 4],
]


def test_missing_scores_lowest(tmp_path: Path) -> None:
    # blanks count as 1: P1 (35+150+100+75)/100 = 3.6 → 65; P2 → 50; P3 (175+30+20+75) = 3.0 → 50;
    # P4 → 0; P5 → 75. P2 and P3 tie at 50: the 35% factor decides, 5 > 3, so P3 first.
    path = build_workbook(tmp_path / "lowest.xlsx", roster_rows=BLANKS,
                          settings={"Quarter": "2026-Q4", "Tier method": "count",
                                    "Missing scores": "lowest"},
                          tiers=[("Tier 1", 1, "Biweekly co-sell cadence", 6),
                                 ("Tier 2", 2, "Monthly pipeline review", 2),
                                 ("Tier 3", None, "Self-serve portal", 0)])
    outcome = rescore_file(path, run_by="tester", now=NOW)
    assert outcome.results.score.tolist() == pytest.approx([65.0, 50.0, 50.0, 0.0, 75.0])
    got = {r["Partner ID"]: (r["Rank"], r["Tier"]) for r in table(path, "Roster")}
    assert got == {"P5": (1, "Tier 1"), "P1": (2, "Tier 2"), "P3": (3, "Tier 2"),
                   "P2": (4, "Tier 3"), "P4": (5, "Tier 3")}
    # the blank input cells stay blank
    ws = openpyxl.load_workbook(path)["Roster"]
    assert ws["D2"].value is None and ws["E4"].value is None


def test_missing_scores_exclude(tmp_path: Path) -> None:
    # P1, P3 and P4 have blanks: unscored, not counted. P5 75 → rank 1, P2 50 → rank 2.
    path = build_workbook(tmp_path / "exclude.xlsx", roster_rows=BLANKS,
                          settings={"Quarter": "2026-Q4", "Tier method": "percent",
                                    "Missing scores": "exclude"},
                          tiers=[("Tier 1", 0.5, "Biweekly co-sell cadence", 6),
                                 ("Tier 2", None, "Monthly pipeline review", 2)])
    outcome = rescore_file(path, run_by="tester", now=NOW)
    score = outcome.results.score.tolist()
    assert score[1] == pytest.approx(50.0) and score[4] == pytest.approx(75.0)
    assert all(s != s for s in (score[0], score[2], score[3]))  # NaN
    rows = {r["Partner ID"]: r for r in table(path, "Roster")}
    # 50% of N = 2 scored → floor(1 + .5) = 1 in Tier 1 (of 5 it would be 3)
    assert {pid: (r["Rank"], r["Tier"], r["Service level"]) for pid, r in rows.items()} == {
        "P5": (1, "Tier 1", "Biweekly co-sell cadence"),
        "P2": (2, "Tier 2", "Monthly pipeline review"),
        "P1": (None, "Unscored", None), "P3": (None, "Unscored", None),
        "P4": (None, "Unscored", None)}
    assert outcome.tier_counts == {"Tier 1": 1, "Tier 2": 1, "Unscored": 3}


def test_missing_scores_error_is_the_default(tmp_path: Path) -> None:
    from xl_prioritize.problems import Code, InputErrors

    path = build_workbook(tmp_path / "error.xlsx", roster_rows=BLANKS)
    with pytest.raises(InputErrors) as info:
        rescore_file(path, run_by="tester", now=NOW)
    assert set(info.value.codes) == {Code.MISSING_SCORE}
    # D2; E4, F4; D5..G5 — seven blank cells, each named
    assert [p.where for p in info.value.problems] == [
        "Roster!D2", "Roster!E4", "Roster!F4", "Roster!D5", "Roster!E5", "Roster!F5", "Roster!G5"]


# --- Output columns: created once, found by header afterwards ---------------------------------

def move_columns(path: Path, order: list[int]) -> None:
    """Rewrite the Roster with its columns in a new order (0-based source columns)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    for row in ws.iter_rows():
        for cell in row:
            cell.value = None
    for r, line in enumerate(rows, start=1):
        for c, source in enumerate(order, start=1):
            ws.cell(row=r, column=c).value = line[source] if source < len(line) else None
    wb.save(path)


def test_moved_output_columns_are_found_by_header(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path)
    rescore_file(path, run_by="tester", now=NOW)
    first = roster_by_id(path)
    # 0..8 inputs, 9..15 outputs (Score..Assigned to). New order: Tier first, Rank between the
    # inputs, Score last, the others shuffled; the hidden Score when tiered stays last.
    move_columns(path, [11, 2, 0, 10, 1, 3, 4, 15, 5, 6, 7, 13, 8, 14, 12, 9, 16])
    moved_header = sheet_rows(path, "Roster")[0]
    before = all_cells(path)["Roster"]
    rescore_file(path, run_by="tester", now=NOW + dt.timedelta(minutes=1))
    header = sheet_rows(path, "Roster")[0]
    assert header == moved_header  # nothing added, nothing duplicated
    for name in OUTPUTS:
        assert header.count(name) == 1
    second = roster_by_id(path)
    for pid, row in first.items():
        for name in ["Rank", "Tier", "Service level", "Previous tier", "Movement", "Assigned to",
                     *MESSY_HEADER]:
            assert second[pid][name] == row[name], (pid, name)
    # the Score formulas now read the factor cells where they moved to: E, G, I, J
    ws = openpyxl.load_workbook(path)["Roster"]
    score_col = header.index("Score") + 1
    formula = ws.cell(row=2, column=score_col).value
    for col in "EGIJ":
        assert f"{col}2" in formula
    # input cells untouched by the second run
    after = all_cells(path)["Roster"]
    output_letters = {openpyxl.utils.get_column_letter(header.index(n) + 1) for n in OUTPUTS}
    assert {k: v for k, v in after.items() if k.rstrip("0123456789") not in output_letters} == {
        k: v for k, v in before.items() if k.rstrip("0123456789") not in output_letters}


def test_some_output_columns_present_the_rest_appended(tmp_path: Path) -> None:
    header = ["Partner ID", "rank ", "Partner", *[f for f, _ in DEFAULT_FACTORS], "TIER"]
    rows = [["A", None, "Alpha", 5, 5, 5, 5, None], ["B", 99, "Beta", 1, 1, 1, 1, "old"]]
    path = build_workbook(tmp_path / "partial.xlsx", roster_header=header, roster_rows=rows)
    rescore_file(path, run_by="tester", now=NOW)
    got = sheet_rows(path, "Roster")
    assert list(got[0]) == [*header, "Score", "Service level", "Previous tier", "Movement",
                            "Assigned to", TIERED_ON]
    assert got[1][1] == 1 and got[2][1] == 2          # Rank written in the existing "rank " column
    assert got[1][7] == "Tier 1" and got[2][7] == "Tier 1"   # count: Tier 1 holds 2


# --- Rows and IDs -----------------------------------------------------------------------------

def test_fully_blank_rows_are_skipped(tmp_path: Path) -> None:
    rows = [["P1", "Alpha", None, 5, 5, 5, 5], [None] * 7, ["P2", "Beta", None, 3, 3, 3, 3],
            ["  ", None, None, None, None, None, None], ["P3", "Gamma", None, 1, 1, 1, 1]]
    path = build_workbook(tmp_path / "gaps.xlsx", roster_rows=rows)
    outcome = rescore_file(path, run_by="tester", now=NOW)
    assert outcome.partners == 3
    ws = openpyxl.load_workbook(path)["Roster"]
    # Rank is column I; rows 3 and 5 are blank and stay blank
    assert [ws.cell(row=r, column=9).value for r in range(2, 7)] == [1, None, 2, None, 3]
    assert [ws.cell(row=r, column=10).value for r in range(2, 7)] == [
        "Tier 1", None, "Tier 1", None, "Tier 2"]
    assert table(path, "Log")[0]["Partners"] == 3


def test_ids_stay_as_typed_and_tie_break_as_text(tmp_path: Path) -> None:
    # three identical partners: Partner ID as text decides, "007" < "10" < "7"
    rows = [[7, "Seven", None, 3, 3, 3, 3], ["007", "Double-o", None, 3, 3, 3, 3],
            [10, "Ten", None, 3, 3, 3, 3]]
    path = build_workbook(tmp_path / "ids.xlsx", roster_rows=rows)
    outcome = rescore_file(path, run_by="tester", now=NOW)
    assert outcome.inputs.roster.ids == ["7", "007", "10"]
    ws = openpyxl.load_workbook(path)["Roster"]
    assert [ws.cell(row=r, column=1).value for r in (2, 3, 4)] == [7, "007", 10]
    assert ws["A3"].data_type == "s"
    assert [ws.cell(row=r, column=9).value for r in (2, 3, 4)] == [3, 1, 2]


# --- Re-running and the Log -------------------------------------------------------------------

def test_second_rescore_of_the_same_quarter(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path)
    rescore_file(path, run_by="tester", now=NOW)
    first = all_cells(path)
    later = NOW + dt.timedelta(hours=1)
    rescore_file(path, run_by="someone else", now=later, mode="Excel")
    second = all_cells(path)
    assert second["Roster"] == first["Roster"]
    for sheet in ("Settings", "Factors", "Tiers", "Team"):
        assert second[sheet] == first[sheet]
    assert not any(name.startswith("Archive") for name in second)
    log = table(path, "Log")
    assert len(log) == 2
    assert log[1]["Run at"] == later.replace(microsecond=0)
    assert (log[1]["Run by"], log[1]["Mode"], log[1]["Quarter"]) == ("someone else", "Excel",
                                                                      "2026-Q4")
    assert log[1]["Input fingerprint"] == log[0]["Input fingerprint"]
    # the first row is kept as written
    assert log[0]["Run at"] == NOW.replace(microsecond=0) and log[0]["Run by"] == "tester"


def test_log_row_fields(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "count",
                                              "Favourite colour": "green"})
    rescore_file(path, run_by="tester", now=NOW)
    header = sheet_rows(path, "Log")[0]
    assert list(header) == ["Run at", "Quarter", "Run by", "Mode", "Partners", "Warnings",
                            "Weights", "Input fingerprint"]
    [row] = table(path, "Log")
    assert row["Run at"] == dt.datetime(2026, 11, 2, 9, 30, 15)
    assert row["Quarter"] == "2026-Q4"
    assert row["Run by"] == "tester"
    assert row["Mode"] == "File"
    assert row["Partners"] == 6
    assert "Settings!A4" in row["Warnings"] and "Favourite colour" in row["Warnings"]
    for name, weight in DEFAULT_FACTORS:
        assert f"{name} {weight:g}" in row["Weights"]
    fingerprint = row["Input fingerprint"]
    assert isinstance(fingerprint, str) and len(fingerprint) >= 8

    # a changed input changes the fingerprint
    wb = openpyxl.load_workbook(path)
    wb["Factors"]["B2"] = 40
    wb.save(path)
    rescore_file(path, run_by="tester", now=NOW)
    log = table(path, "Log")
    assert len(log) == 2 and log[1]["Input fingerprint"] != fingerprint
    assert "Customer overlap 40" in log[1]["Weights"]


def test_a_headerless_user_column_is_not_overwritten(tmp_path: Path) -> None:
    # a note typed in column I, right of the last header (G), with no header of its own
    rows = [["P1", "Alpha", None, 5, 4, 3, 2, None, "call back in May"],
            ["P2", "Beta", None, 3, 3, 3, 3]]
    path = build_workbook(tmp_path / "notes.xlsx", roster_rows=rows)
    rescore_file(path, run_by="tester", now=NOW)
    ws = openpyxl.load_workbook(path)["Roster"]
    assert ws["I2"].value == "call back in May"
    header = [c.value for c in ws[1]]
    assert header[9:] == [*OUTPUTS, TIERED_ON]   # created from column J on
    assert ws["K2"].value == 1 and ws["K3"].value == 2


def test_a_cleared_partner_row_loses_its_outputs(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "cleared.xlsx", roster_rows=[
        ["P1", "Alpha", None, 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3],
        ["P3", "Gamma", None, 1, 1, 1, 1]])
    rescore_file(path, run_by="tester", now=NOW)
    wb = openpyxl.load_workbook(path)
    for col in range(1, 8):
        wb["Roster"].cell(row=3, column=col).value = None
    wb.save(path)
    outcome = rescore_file(path, run_by="tester", now=NOW)
    assert outcome.partners == 2
    rows = sheet_rows(path, "Roster")
    assert all(v is None for v in rows[2])
    assert [rows[1][8], rows[3][8]] == [1, 2]


def test_a_user_formula_never_calculated_is_copied_as_is_never_as_a_message(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "m.xlsx", roster_rows=[
        ["P1", '="Al"&"pha"', "Ana", 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3]])
    rescore_file(path)
    book = openpyxl.load_workbook(path)
    compare = {row[0].value: row[1] for row in book["Compare"].iter_rows(min_row=2)}
    assert compare["P1"].data_type == "f" and compare["P1"].value == '="Al"&"pha"'
    book["Settings"]["B2"].value = "2027-Q1"
    book.save(path)
    rescore_file(path)
    book = openpyxl.load_workbook(path)
    texts = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert not [t for t in texts if "never calculated" in t]
    archived = {row[0].value: row[1].value for row in book["Archive 2026-Q4"].iter_rows(min_row=2)}
    assert archived["P1"] is None and archived["P2"] == "Beta"


def test_the_cycle_collector_is_off_during_a_file_rescore_and_as_it_was_after(tmp_path: Path) -> None:
    path = messy_workbook(tmp_path)
    seen: list[bool] = []
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            rescore_file(path, progress=lambda _: seen.append(gc.isenabled()))
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
    assert seen and not any(seen)


def test_the_cycle_collector_comes_back_when_a_rescore_fails(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "bad.xlsx", factors=[("Only factor", "heavy")],
                          roster_rows=messy_rows())
    with pytest.raises(InputErrors):
        rescore_file(path)
    assert gc.isenabled()
