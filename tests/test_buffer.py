"""Tier buffer (hysteresis) and Tier within, at their boundaries, worked out by hand.

The core tests feed `apply_buffer` exact scores with the computed tiers written out by hand. The
workbook tests use one factor `Fit` on a 0–100 scale, so a partner's Score is the number typed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from tests.builders import build_workbook, table
from xl_prioritize.core import tiers
from xl_prioritize.model import Tier
from xl_prioritize.rescore import rescore_file


def make_tiers(sizes: list[float | None]) -> list[Tier]:
    return [Tier(f"Tier {i + 1}", size, f"Service {i + 1}", 0.0) for i, size in enumerate(sizes)]


def buffered(scores: list[float], computed: list[int], previous: list[int | None],
             sizes: list[float | None], method: str, buffer: float,
             groups: list[object] | None = None) -> list[int]:
    """Tier numbers (1 = best, 0 = unscored) after the buffer; inputs use tier numbers too."""
    index = np.asarray([t - 1 for t in computed], dtype=np.int64)
    prior = [p - 1 if p is not None else None for p in previous]
    result = tiers.apply_buffer(np.asarray(scores, dtype=float), index, prior, make_tiers(sizes),
                                method, groups, buffer)
    return [int(t) + 1 for t in result]


# --- count: tiers of 2, 3 and the rest ------------------------------------------------------------
# Scores 90 80 | 70 60 50 | 40 30: boundaries (80 + 70)/2 = 75 and (50 + 40)/2 = 45.
COUNT_SCORES = [90, 80, 70, 60, 50, 40, 30]
COUNT_COMPUTED = [1, 1, 2, 2, 2, 3, 3]
COUNT_SIZES: list[float | None] = [2, 3, None]
#                 90 80  70 60 50 40 30
COUNT_PREVIOUS = [2, 2, 1, 3, 3, 2, 2]


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [
        # b = 0 is no buffer: the computed tiers exactly.
        (0, [1, 1, 2, 2, 2, 3, 3]),
        # b = 5: 90 > 75 + 5 moves up; 80 is not more than 5 above 75: keeps Tier 2;
        # 70 is exactly 5 below 75: keeps Tier 1; 60 > 45 + 5 moves up to Tier 2;
        # 50 is exactly 5 above 45: keeps Tier 3; 40 is exactly 5 below 45: keeps Tier 2;
        # 30 < 45 − 5 moves down.
        (5, [1, 2, 1, 2, 3, 2, 3]),
        # Just under 5: the four partners exactly 5 points beyond a boundary now move.
        (4.999, [1, 1, 2, 2, 2, 3, 3]),
        # b = 20: nobody is more than 20 beyond a boundary of its previous tier (90 is 15 above
        # 75, 30 is 15 below 45): everyone keeps the previous tier.
        (20, [2, 2, 1, 3, 3, 2, 2]),
    ],
)
def test_count_buffer_keeps_partners_within_b_of_a_boundary(buffer, expected) -> None:
    got = buffered(COUNT_SCORES, COUNT_COMPUTED, COUNT_PREVIOUS, COUNT_SIZES, "count", buffer)
    assert got == expected


def test_unknown_previous_tier_takes_the_computed_tier() -> None:
    previous: list[int | None] = [None, 3, None, None, 1, None, None]
    got = buffered(COUNT_SCORES, COUNT_COMPUTED, previous, COUNT_SIZES, "count", 100)
    # 80 was Tier 3: its Tier 3 upper boundary 45 + 100 is not cleared, it stays;
    # 50 was Tier 1: lower boundary 75 − 100 is not passed, it stays; the rest are new.
    assert got == [1, 3, 2, 2, 1, 3, 3]


def test_an_unscored_partner_stays_unscored_whatever_its_previous_tier() -> None:
    scores = [90, 80, float("nan")]
    got = buffered(scores, [1, 2, 0], [2, 1, 1], [1, None], "count", 50)
    assert got == [2, 1, 0]


# --- percent: 25 %, 50 %, the rest of 8 partners --------------------------------------------------
# Tier 1 ends at floor(8·0.25 + 0.5) = 2, Tier 2 at floor(8·0.75 + 0.5) = 6.
# Scores 95 85 | 72 66 58 51 | 40 20: boundaries (85 + 72)/2 = 78.5 and (51 + 40)/2 = 45.5.
PERCENT_SCORES = [95, 85, 72, 66, 58, 51, 40, 20]
PERCENT_COMPUTED = [1, 1, 2, 2, 2, 2, 3, 3]
PERCENT_SIZES: list[float | None] = [0.25, 0.5, None]
#                   95 85 72 66 58 51 40 20
PERCENT_PREVIOUS = [3, 2, 1, 2, 2, 3, 2, 2]


@pytest.mark.parametrize(
    ("buffer", "expected"),
    [
        (0, PERCENT_COMPUTED),
        # 85 is 6.5 above 78.5 and 72 is 6.5 below it: both keep their tier at b = 6.5;
        # 51 is 5.5 above 45.5 and 40 is 5.5 below it: both keep theirs too.
        (6.5, [1, 2, 1, 2, 2, 3, 2, 3]),
        # At b = 6 the 78.5 boundary's pair moves, the 45.5 pair still keeps.
        (6, [1, 1, 2, 2, 2, 3, 2, 3]),
        # At b = 5.5 the 45.5 pair also stays; a hair under, they move.
        (5.499, [1, 1, 2, 2, 2, 2, 3, 3]),
    ],
)
def test_percent_buffer_uses_midpoint_boundaries(buffer, expected) -> None:
    got = buffered(PERCENT_SCORES, PERCENT_COMPUTED, PERCENT_PREVIOUS, PERCENT_SIZES, "percent",
                   buffer)
    assert got == expected


# --- threshold: Tier 1 from 75, Tier 2 from 50 ------------------------------------------------------

@pytest.mark.parametrize(
    ("score", "computed", "previous", "expected"),
    [
        (80, 1, 2, 2),     # exactly 5 above Tier 2's upper boundary 75: keeps Tier 2
        (80.5, 1, 2, 1),   # more than 5 above: up
        (45, 3, 2, 2),     # exactly 5 below Tier 2's lower boundary 50: keeps Tier 2
        (44.5, 3, 2, 3),   # more than 5 below: down
        (70, 2, 1, 1),     # exactly 5 below Tier 1's lower boundary 75: keeps Tier 1
        (69, 2, 1, 2),
        (30, 3, 1, 3),     # far below: takes its computed tier, two steps down
        (99, 1, 3, 1),     # far above Tier 3's upper boundary 50: up two steps
        (54, 2, 3, 3),     # 4 above 50: keeps Tier 3
    ],
)
def test_threshold_buffer_uses_the_thresholds(score, computed, previous, expected) -> None:
    assert buffered([score], [computed], [previous], [75, 50, None], "threshold", 5) == [expected]


def test_threshold_buffer_zero_is_no_buffer() -> None:
    assert buffered([80, 45, 70], [1, 3, 2], [2, 2, 1], [75, 50, None], "threshold", 0) == [1, 3, 2]


# --- Tier within: boundaries per group ----------------------------------------------------------------

def test_buffer_boundaries_are_per_tier_within_group() -> None:
    # Count tiers of 1 and the rest inside each Segment. Segment A: 90 | 60, boundary 75.
    # Segment B: 70 | 20, boundary 45. With b = 20: A's 60 was Tier 1 and is 15 below 75: keeps;
    # B's 70 was Tier 2 and is 25 above 45: up; B's 20 was Tier 1, 25 below 45: down.
    scores = [90, 60, 70, 20]
    computed = [1, 2, 1, 2]
    groups: list[object] = ["a", "a", "b", "b"]
    got = buffered(scores, computed, [1, 1, 2, 1], [1, None], "count", 20, groups)
    assert got == [1, 1, 1, 2]
    # Roster-wide the boundary is (90 + 70)/2 = 80: B's 70 (computed Tier 2) keeps Tier 2 and
    # B's 20 (computed Tier 2), 40 below 60, falls from Tier 1.
    wide = buffered(scores, [1, 2, 2, 2], [1, 1, 2, 1], [1, None], "count", 20)
    assert wide == [1, 1, 2, 2]


# --- Through a workbook --------------------------------------------------------------------------------

FIT = [("Fit", 1)]
TIERS: list[tuple[Any, ...]] = [
    ("Gold", 2, "Co-sell", 4), ("Silver", 3, "Review", 2), ("Bronze", None, "Portal", 0),
]
HEADER = ["Partner ID", "Partner", "Segment", "Fit"]


def fit_settings(quarter: str, **more: Any) -> dict[str, Any]:
    return {"Quarter": quarter, "Tier method": "count", "Scale min": 0, "Scale max": 100, **more}


def set_quarter(path: Path, quarter: str, scores: dict[str, float], **settings: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for key, value in {"Quarter": quarter, **settings}.items():
        if key in rows:
            ws.cell(rows[key], 2).value = value
        else:
            ws.append([key, value])
    roster = wb["Roster"]
    for r in range(2, roster.max_row + 1):
        pid = roster.cell(r, 1).value
        if pid in scores:
            roster.cell(r, 4).value = scores[pid]
    wb.save(path)


def tiers_of(path: Path) -> dict[str, tuple[Any, Any, Any]]:
    return {r["Partner ID"]: (r["Tier"], r["Previous tier"], r["Movement"])
            for r in table(path, "Roster")}


def test_buffer_end_to_end_count(tmp_path: Path) -> None:
    rows = [["A", "a", None, 90], ["B", "b", None, 80], ["C", "c", None, 70],
            ["D", "d", None, 60], ["E", "e", None, 50], ["F", "f", None, 40], ["G", "g", None, 30]]
    path = build_workbook(tmp_path / "b.xlsx", settings=fit_settings("2026-Q1"), factors=FIT,
                          tiers=TIERS, roster_header=HEADER, roster_rows=rows)
    rescore_file(path, run_by="t")
    assert {k: v[0] for k, v in tiers_of(path).items()} == {
        "A": "Gold", "B": "Gold", "C": "Silver", "D": "Silver", "E": "Silver", "F": "Bronze",
        "G": "Bronze"}
    # Q2, b = 3: B80 C76 | A74 D60 F47 | E43 G30 computed; boundaries 75 and 45.
    # A (Gold) is 1 below 75, C (Silver) 1 above; F (Bronze) 2 above 45, E (Silver) 2 below:
    # everyone keeps last quarter's tier.
    set_quarter(path, "2026-Q2", {"A": 74, "C": 76, "E": 43, "F": 47}, **{"Tier buffer": 3})
    rescore_file(path, run_by="t")
    assert {k: v[0] for k, v in tiers_of(path).items()} == {
        "A": "Gold", "B": "Gold", "C": "Silver", "D": "Silver", "E": "Silver", "F": "Bronze",
        "G": "Bronze"}
    assert {v[2] for v in tiers_of(path).values()} == {"same"}
    # Q3: B80 C79 | A74 D60 F49 | E43 G30; boundaries 76.5 and 46. C is exactly 3 above 76.5,
    # A 2.5 below it, F exactly 3 above 46, E exactly 3 below it: all keep their tiers.
    set_quarter(path, "2026-Q3", {"C": 79, "F": 49})
    rescore_file(path, run_by="t")
    got = tiers_of(path)
    assert [got[k][0] for k in "ACEF"] == ["Gold", "Silver", "Silver", "Bronze"]
    # Q4: C81 B80 | A74 D60 F50 | E43 G30; boundaries 77 and 46.5. C is 4 above 77: up;
    # A is 3 below 77: keeps Gold; F is 3.5 above 46.5: up; E is 3.5 below it: down.
    set_quarter(path, "2026-Q4", {"C": 81, "F": 50})
    rescore_file(path, run_by="t")
    assert tiers_of(path) == {
        "A": ("Gold", "Gold", "same"), "B": ("Gold", "Gold", "same"),
        "C": ("Gold", "Silver", "up"), "D": ("Silver", "Silver", "same"),
        "E": ("Bronze", "Silver", "down"), "F": ("Silver", "Bronze", "up"),
        "G": ("Bronze", "Bronze", "same")}
    archived = {r["Partner ID"]: r["Tier"] for r in table(path, "Archive 2026-Q3")}
    assert archived == {"A": "Gold", "B": "Gold", "C": "Silver", "D": "Silver", "E": "Silver",
                        "F": "Bronze", "G": "Bronze"}


def test_override_replaces_the_buffered_tier_and_is_marked(tmp_path: Path) -> None:
    header = [*HEADER, "Tier override", "Override reason"]
    rows = [["A", "a", None, 90], ["B", "b", None, 80], ["C", "c", None, 70],
            ["D", "d", None, 60], ["E", "e", None, 50]]
    path = build_workbook(tmp_path / "o.xlsx", settings=fit_settings("2026-Q1"), factors=FIT,
                          tiers=TIERS, roster_header=header, roster_rows=rows)
    rescore_file(path, run_by="t")
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    ws["E6"], ws["F6"] = "gold", "Strategic launch partner"
    ws["D3"] = 65
    wb["Settings"]["B2"] = "2026-Q2"
    wb["Settings"].append(["Tier buffer", 10])
    wb.save(path)
    # A90 C70 | B65 D60 E50 computed, boundary 67.5: B (Gold) is 2.5 below, C (Silver) 2.5
    # above: both keep their tiers with b = 10. E, buffered Silver, is overridden to Gold.
    outcome = rescore_file(path, run_by="t")
    got = tiers_of(path)
    assert got["B"] == ("Gold", "Gold", "same")
    assert got["C"] == ("Silver", "Silver", "same")
    assert got["E"] == ("Gold", "Silver", "up")
    assert outcome.results.computed_tier == ["Gold", "Silver", "Gold", "Silver", "Silver"]
    service = {r["Partner ID"]: r["Service level"] for r in table(path, "Roster")}
    assert service["E"] == "Co-sell"
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    tier_col = [c.value for c in ws[1]].index("Tier") + 1
    marked = ws.cell(6, tier_col).font
    assert marked.i and marked.color.rgb.endswith("C65911")
    assert not ws.cell(5, tier_col).font.i
    log = table(path, "Log")
    assert len(log) == 2
    assert log[0]["Warnings"] is None or "overridden" not in log[0]["Warnings"]
    assert "overridden to Gold" in log[-1]["Warnings"]
    assert "Strategic launch partner" in log[-1]["Warnings"]
    # Clearing the override clears the mark on the next re-score.
    ws["E6"], ws["F6"] = None, None
    wb.save(path)
    rescore_file(path, run_by="t")
    font = openpyxl.load_workbook(path)["Roster"].cell(6, tier_col).font
    assert not font.i
    assert font.color is None or not str(font.color.rgb).endswith("C65911")


def test_tier_within_cuts_count_tiers_per_segment_and_keeps_rank_roster_wide(tmp_path: Path) -> None:
    rows = [["A", "a", "Reseller", 90], ["B", "b", "SI", 85], ["C", "c", "Reseller", 80],
            ["D", "d", "SI", 40], ["E", "e", "reseller ", 30], ["F", "f", "SI", 20]]
    tiers_spec: list[tuple[Any, ...]] = [("Gold", 1, "Co-sell", 0), ("Silver", 1, "Review", 0),
                                         ("Bronze", None, "Portal", 0)]
    path = build_workbook(tmp_path / "w.xlsx",
                          settings=fit_settings("2026-Q1", **{"Tier within": " segment"}),
                          factors=FIT, tiers=tiers_spec, roster_header=HEADER, roster_rows=rows)
    rescore_file(path, run_by="t")
    got = {r["Partner ID"]: (r["Rank"], r["Tier"]) for r in table(path, "Roster")}
    # Resellers (E's "reseller " matches): A 90, C 80, E 30. SI: B 85, D 40, F 20.
    assert got == {"A": (1, "Gold"), "B": (2, "Gold"), "C": (3, "Silver"), "D": (4, "Silver"),
                   "E": (5, "Bronze"), "F": (6, "Bronze")}


def test_tier_within_percent_rounds_each_group(tmp_path: Path) -> None:
    # Percent 34 % / rest. Group X has 3 partners: Tier 1 ends at floor(3·0.34 + 0.5) = 1.
    # Group Y has 4: floor(4·0.34 + 0.5) = floor(1.86) = 1. Roster-wide (7) it would be
    # floor(7·0.34 + 0.5) = 2.
    rows = [["A", "a", "X", 90], ["B", "b", "X", 80], ["C", "c", "X", 70],
            ["D", "d", "Y", 60], ["E", "e", "Y", 55], ["F", "f", "Y", 50], ["G", "g", "Y", 45]]
    tiers_spec: list[tuple[Any, ...]] = [("Top", 0.34, "Co-sell", 0), ("Rest", None, "Portal", 0)]
    settings = {"Quarter": "2026-Q1", "Tier method": "percent", "Scale min": 0, "Scale max": 100,
                "Tier within": "Segment"}
    path = build_workbook(tmp_path / "p.xlsx", settings=settings, factors=FIT, tiers=tiers_spec,
                          roster_header=HEADER, roster_rows=rows)
    rescore_file(path, run_by="t")
    top = sorted(r["Partner ID"] for r in table(path, "Roster") if r["Tier"] == "Top")
    assert top == ["A", "D"]


def test_threshold_ignores_tier_within_and_buffers_by_threshold(tmp_path: Path) -> None:
    tiers_spec: list[tuple[Any, ...]] = [("Gold", 75, "Co-sell", 0), ("Silver", 50, "Review", 0),
                                         ("Bronze", None, "Portal", 0)]
    rows = [["A", "a", "X", 76], ["B", "b", "X", 74], ["C", "c", "Y", 52], ["D", "d", "Y", 49]]
    settings = {"Quarter": "2026-Q1", "Tier method": "threshold", "Scale min": 0,
                "Scale max": 100, "Tier within": "Segment"}
    path = build_workbook(tmp_path / "t.xlsx", settings=settings, factors=FIT, tiers=tiers_spec,
                          roster_header=HEADER, roster_rows=rows)
    rescore_file(path, run_by="t")
    assert {k: v[0] for k, v in tiers_of(path).items()} == {
        "A": "Gold", "B": "Silver", "C": "Silver", "D": "Bronze"}
    # Q2 with b = 2: A 74 (1 below 75) keeps Gold; B 77 (2 above 75, not more) keeps Silver;
    # C 47.5 (2.5 below 50) falls to Bronze; D 52.5 (2.5 above 50) rises to Silver.
    set_quarter(path, "2026-Q2", {"A": 74, "B": 77, "C": 47.5, "D": 52.5}, **{"Tier buffer": 2})
    rescore_file(path, run_by="t")
    assert tiers_of(path) == {
        "A": ("Gold", "Gold", "same"), "B": ("Silver", "Silver", "same"),
        "C": ("Bronze", "Silver", "down"), "D": ("Silver", "Bronze", "up")}
