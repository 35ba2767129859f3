"""An outside audit of docs/workbook-contract.md: workbooks built by hand, cell by cell, and every
expected value worked out here from the contract's own sentences, never from the package's code.

The workbooks are deliberately awkward: headers in odd case with spaces, factor columns left of
Partner ID, output columns already standing in odd places, Settings in any order, user columns the
re-score must leave alone. Where the contract can be read two ways the reading taken is said in a
comment beside the test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import rescore_file

Recalc = Callable[[Path], Path]
Grid = list[list[Any]]
NOW = dt.datetime(2026, 10, 1, 9, 30)

TIER_HEADER = ["Tier", "Size", "Service level", "Hours per partner per month"]


# --- Building and reading workbooks by hand ------------------------------------------------------

def make(path: Path, sheets: dict[str, Grid]) -> Path:
    """A workbook with exactly these sheets, in this order, each written cell by cell."""
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, line in enumerate(rows, start=1):
            for col, value in enumerate(line, start=1):
                if value is not None:
                    ws.cell(row=r, column=col, value=value)
    wb.save(path)
    return path


def grid(path: Path, sheet: str, *, data_only: bool = False) -> Grid:
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return [list(r) for r in wb[sheet].iter_rows(values_only=True)]


def column(rows: Grid, name: str) -> int:
    """0-based column of a header, matched as the contract says (case and outer spaces ignored)."""
    wanted = name.strip().casefold()
    hits = [i for i, h in enumerate(rows[0]) if isinstance(h, str) and h.strip().casefold() == wanted]
    assert len(hits) == 1, (name, rows[0])
    return hits[0]


def records(path: Path, sheet: str = "Roster", key: str = "Partner ID", *,
            data_only: bool = False) -> dict[Any, dict[str, Any]]:
    """Rows keyed by `key`, each a dict by header (exact header text)."""
    rows = grid(path, sheet, data_only=data_only)
    k = column(rows, key)
    return {r[k]: {str(h).strip(): (r[i] if i < len(r) else None) for i, h in enumerate(rows[0])
                   if h is not None}
            for r in rows[1:] if k < len(r) and r[k] is not None}


def digest(path: Path) -> bytes:
    return path.read_bytes()


def rescore(path: Path, now: dt.datetime = NOW) -> Any:
    return rescore_file(path, run_by="auditor", now=now)


def errors_of(path: Path) -> list[str]:
    """Every problem reported, as `where: message`; asserts the file was not touched."""
    before = digest(path)
    with pytest.raises(InputErrors) as caught:
        rescore(path)
    assert digest(path) == before
    return [str(p) for p in caught.value.problems]


def wheres(problems: list[str]) -> list[str]:
    return [p.split(": ", 1)[0] for p in problems]


# --- The contract's arithmetic, done independently ----------------------------------------------

def ref_score(scores: Sequence[float], weights: Sequence[float], low: float = 1,
              high: float = 5) -> float:
    weighted = sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights)
    return 100 * (weighted - low) / (high - low)


def ref_order(partners: dict[Any, Sequence[float]], weights: Sequence[float],
              low: float = 1, high: float = 5) -> list[Any]:
    """Partner IDs best first: Score desc, factor scores by weight (equal weights: Factors order),
    higher first, then Partner ID ascending as text."""
    by_weight = sorted(range(len(weights)), key=lambda i: (-weights[i], i))

    def key(pid: Any) -> tuple[Any, ...]:
        s = partners[pid]
        return (-round(ref_score(s, weights, low, high), 9), *(-s[i] for i in by_weight), str(pid))

    return sorted(partners, key=key)


def percent_ends(n: int, shares: Sequence[Fraction]) -> list[int]:
    """Tier k ends at rank floor(N × cumulative share + 0.5), exactly."""
    ends, cumulative = [], Fraction(0)
    for share in shares:
        cumulative += share
        ends.append(min(n, math.floor(n * cumulative + Fraction(1, 2))))
    return ends


def tier_by_ends(rank: int, ends: Sequence[int], names: Sequence[str]) -> str:
    for end, name in zip(ends, names, strict=False):
        if rank <= end:
            return name
    return names[-1]


def settings(**values: Any) -> Grid:
    rows: Grid = [["Setting", "Value"]]
    rows += [[k.replace("_", " ").capitalize(), v] for k, v in values.items()]
    return rows


FOUR = [["Factor", "Weight"], ["Customer overlap", 35], ["Sales engagement", 30],
        ["Solution fit", 20], ["Market reach", 15]]
W4 = [35, 30, 20, 15]


# --- Reading tables -------------------------------------------------------------------------------

def test_odd_headers_odd_order_factor_columns_left_of_id_and_user_columns(tmp_path: Path) -> None:
    """Headers in any case with outer spaces, factor columns left of Partner ID, Settings in any
    order with `Tier method` typed `Percent`, and user columns the re-score must not touch."""
    roster: Grid = [["  market REACH ", "Notes", "solution fit", " partner id", "SALES engagement ",
                     "Partner", "customer overlap", "My column"]]
    scores = {"P1": (5, 5, 5, 5), "P2": (4, 3, 2, 1), "P3": (1, 2, 3, 4), "P4": (3, 3, 3, 3),
              "P5": (2, 5, 1, 4), "P6": (5, 1, 5, 1), "P7": (2, 2, 2, 2), "P8": (4, 4, 5, 3),
              "P9": (1, 1, 1, 1), "P10": (3, 4, 2, 5)}
    for n, (pid, (co, se, sf, mr)) in enumerate(scores.items()):
        roster.append([mr, f"note {n}", sf, pid, se, f"Partner {pid}", co, n * 10])
    path = make(tmp_path / "odd.xlsx", {
        "Roster": roster,
        "Tiers": [["service LEVEL", " tier", "HOURS per partner per month", "size "],
                  ["Service A", "Gold", 0, 15], ["Service B", "Silver", 0, 0.2],
                  ["Service C", "Bronze", 0, None]],
        "Settings": [["Setting", "Value"], ["tier METHOD", " Percent "], ["Quarter", "2026-Q4"]],
        "Factors": [[" weight", "FACTOR", "Description"], [35, "Customer overlap", "text"],
                    [30, "Sales engagement", None], [20, "Solution fit", None],
                    [15, "Market reach", None]],
        "Team": [["Member", "Hours per month"], ["Ana", 10]],
    })
    before = grid(path, "Roster")
    rescore(path)
    after = grid(path, "Roster")
    for r, line in enumerate(before):
        assert after[r][: len(line)] == line, f"input row {r + 1} changed"
    recs = records(path)
    order = ref_order(scores, W4)
    ends = percent_ends(10, [Fraction(15, 100), Fraction(20, 100)])  # 2, floor(3.5+.5)=4
    assert ends == [2, 4]
    for rank, pid in enumerate(order, start=1):
        rec = recs[pid]
        assert rec["Rank"] == rank
        assert rec["Tier"] == tier_by_ends(rank, ends, ["Gold", "Silver", "Bronze"])
        assert rec["Service level"] == {"Gold": "Service A", "Silver": "Service B",
                                        "Bronze": "Service C"}[rec["Tier"]]
        assert rec["Movement"] == "new"
        assert rec["Previous tier"] is None
        assert rec["Assigned to"] is None  # tiers with no hours: blank
    # output columns stand right of every input column, in the contract's order
    header = after[0]
    cols = [column(after, n) for n in ("Score", "Rank", "Tier", "Service level", "Previous tier",
                                       "Movement", "Assigned to")]
    assert cols == list(range(len(roster[0]), len(roster[0]) + 7))
    assert header[: len(roster[0])] == roster[0]


def test_scores_recalculated_by_libreoffice_equal_the_formula(tmp_path: Path,
                                                              recalc: Recalc) -> None:
    scores = {"A": (5, 4, 3, 2), "B": (1, 1, 1, 1), "C": (2.5, 4, 1, 5), "D": (5, 5, 5, 5)}
    path = make(tmp_path / "recalc.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count", scale_min=0, scale_max=6),
        "Factors": [["Factor", "Weight"], ["Customer overlap", 0.35], ["Sales engagement", 0.3],
                    ["Solution fit", 0.2], ["Market reach", 0.15]],
        "Tiers": [TIER_HEADER, ["T1", 1, "a", 0], ["T2", None, "b", 0]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]],
                   *[[pid, *s] for pid, s in scores.items()]],
    })
    rescore(path)
    formulas = records(path)
    for pid in scores:
        assert str(formulas[pid]["Score"]).startswith("="), "Score must be an Excel formula"
    values = records(recalc(path), data_only=True)
    for pid, s in scores.items():
        assert abs(values[pid]["Score"] - ref_score(s, [0.35, 0.3, 0.2, 0.15], 0, 6)) <= 1e-9


def test_weights_are_relative(tmp_path: Path) -> None:
    rows = [["Partner ID", *[f[0] for f in FOUR[1:]]], ["X", 5, 1, 2, 4], ["Y", 1, 5, 4, 2],
            ["Z", 3, 3, 3, 3]]
    a = make(tmp_path / "a.xlsx", {"Settings": settings(quarter="2026-Q4", tier_method="count"),
                                   "Factors": FOUR,
                                   "Tiers": [TIER_HEADER, ["T1", 1, "a", 0], ["T2", None, "b", 0]],
                                   "Roster": rows})
    b = make(tmp_path / "b.xlsx", {"Settings": settings(quarter="2026-Q4", tier_method="count"),
                                   "Factors": [["Factor", "Weight"], *[[f, w / 100] for f, w in
                                                                       FOUR[1:]]],
                                   "Tiers": [TIER_HEADER, ["T1", 1, "a", 0], ["T2", None, "b", 0]],
                                   "Roster": rows})
    ra, rb = rescore(a), rescore(b)
    assert ra.results.rank.tolist() == rb.results.rank.tolist()
    for pid in ("X", "Y", "Z"):
        assert records(a)[pid]["Tier"] == records(b)[pid]["Tier"]


def test_fully_blank_rows_are_skipped_and_a_blank_key_beside_values_is_an_error(
        tmp_path: Path) -> None:
    path = make(tmp_path / "blank.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"),
        "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["T1", 1, "a", 0], ["T2", None, "b", 0]],
        "Roster": [["Partner ID", "Partner", *[f[0] for f in FOUR[1:]]],
                   ["A", "Alpha", 5, 5, 5, 5], [None] * 6, ["B", "Beta", 1, 1, 1, 1],
                   [None, "Orphan", 3, 3, 3, 3]],
    })
    problems = errors_of(path)
    assert wheres(problems) == ["Roster!A5"]


# --- Settings -------------------------------------------------------------------------------------

def test_missing_settings_take_defaults_and_unknown_ones_warn(tmp_path: Path) -> None:
    """Only Quarter given: method percent, scale 1–5, missing scores error, no buffer."""
    rows: Grid = [["Partner ID", *[f[0] for f in FOUR[1:]]]]
    scores = {f"P{i}": (1 + i % 5, 1 + (i * 2) % 5, 1 + (i * 3) % 5, 1 + (i * 4) % 5)
              for i in range(1, 9)}
    rows += [[pid, *s] for pid, s in scores.items()]
    path = make(tmp_path / "defaults.xlsx", {
        "Settings": [["Setting", "Value"], ["Colour", "blue"], ["Quarter", "2026-Q4"]],
        "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["T1", 0.25, "a", 0], ["T2", 0.5, "b", 0], ["T3", None, "c", 0]],
        "Roster": rows,
    })
    outcome = rescore(path)
    assert any("Settings!A2" in str(w) for w in outcome.warnings)
    ends = percent_ends(8, [Fraction(1, 4), Fraction(1, 2)])
    recs = records(path)
    for rank, pid in enumerate(ref_order(scores, W4), start=1):
        assert recs[pid]["Tier"] == tier_by_ends(rank, ends, ["T1", "T2", "T3"])


def test_quarter_is_required(tmp_path: Path) -> None:
    path = make(tmp_path / "noquarter.xlsx", {
        "Settings": settings(tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["T1", None, "a", 0]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]], ["A", 1, 2, 3, 4]],
    })
    assert len(errors_of(path)) == 1


# --- Tier sizes -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("n", "sizes", "ends"), [
    (10, [15, 0.2], [2, 4]),          # 1.5 -> 2; 3.5 -> 4: exact .5 points round up
    (10, [0.25, 0.25], [3, 5]),       # 2.5 -> 3; 5
    (6, [0.25, 50], [2, 5]),          # 1.5 -> 2; 4.5 -> 5
    (2, [0.25, 0.5], [1, 2]),         # 0.5 -> 1; 1.5 -> 2
    (10, [0.35, 0.35], [4, 7]),       # 3.5 -> 4 (0.35*10 is 3.4999... in floats); 7
    (3, [1, 0], [3, 3]),              # 1 is 100%, not 1 percent point (only above 1 is points)
    (7, [0, 0.5], [0, 4]),            # an empty first tier; 3.5 -> 4
])
def test_percent_cuts(tmp_path: Path, n: int, sizes: list[float], ends: list[int]) -> None:
    shares = [Fraction(str(s)) / (100 if s > 1 else 1) for s in sizes]
    assert percent_ends(n, shares) == ends  # the reference agrees with the hand-worked ends
    scores = {f"P{i:02d}": (5 - (i % 5), 1 + (i % 3), 1 + (i % 4), 5 - (i % 2)) for i in range(n)}
    path = make(tmp_path / "percent.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="percent"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", sizes[0], "a", 0], ["B", sizes[1], "b", 0],
                  ["C", None, "c", 0]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]],
                   *[[pid, *s] for pid, s in scores.items()]],
    })
    rescore(path)
    recs = records(path)
    for rank, pid in enumerate(ref_order(scores, W4), start=1):
        assert recs[pid]["Rank"] == rank
        assert recs[pid]["Tier"] == tier_by_ends(rank, ends, ["A", "B", "C"]), (pid, rank)


def test_count_sizes_beyond_the_roster_and_a_sized_last_tier(tmp_path: Path) -> None:
    scores = {"P1": (5, 5, 5, 5), "P2": (4, 4, 4, 4), "P3": (3, 3, 3, 3), "P4": (2, 2, 2, 2),
              "P5": (1, 1, 1, 1)}
    roster = [["Partner ID", *[f[0] for f in FOUR[1:]]], *[[p, *s] for p, s in scores.items()]]
    more = make(tmp_path / "more.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 3, "a", 0], ["B", 7, "b", 0], ["C", None, "c", 0]],
        "Roster": roster})
    rescore(more)
    assert [records(more)[p]["Tier"] for p in scores] == ["A", "A", "A", "B", "B"]
    last = make(tmp_path / "last.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", 1, "b", 0], ["C", 1, "c", 0]],
        "Roster": roster})
    rescore(last)
    assert [records(last)[p]["Tier"] for p in scores] == ["A", "B", "C", "C", "C"]


def test_threshold_exactly_at_a_score_enters_the_tier(tmp_path: Path) -> None:
    # weights equal, scale 1..5: (4,4,4,2) -> 3.5 -> 62.5; (3,3,3,3) -> 50; (5,5,5,5) -> 100
    scores = {"Top": (5, 5, 5, 5), "Edge": (4, 4, 4, 2), "Mid": (3, 3, 3, 3), "Low": (1, 1, 1, 2)}
    path = make(tmp_path / "threshold.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="threshold"),
        "Factors": [["Factor", "Weight"], ["F1", 1], ["F2", 1], ["F3", 1], ["F4", 1]],
        "Tiers": [TIER_HEADER, ["A", 100, "a", 0], ["B", 62.5, "b", 0], ["C", 50, "c", 0],
                  ["D", 10, "d", 0]],
        "Roster": [["Partner ID", "F1", "F2", "F3", "F4"], *[[p, *s] for p, s in scores.items()]],
    })
    rescore(path)
    recs = records(path)
    # Low scores 100*(1.25-1)/4 = 6.25, below the last tier's own threshold: falls into it anyway
    assert {p: recs[p]["Tier"] for p in scores} == {"Top": "A", "Edge": "B", "Mid": "C",
                                                   "Low": "D"}


@pytest.mark.parametrize(("method", "tiers", "cell"), [
    ("count", [["A", 1.5, "a", 0], ["B", None, "b", 0]], "Tiers!B2"),
    ("count", [["A", -1, "a", 0], ["B", None, "b", 0]], "Tiers!B2"),
    ("percent", [["A", 0.6, "a", 0], ["B", 50, "b", 0], ["C", None, "c", 0]], "Tiers!B3"),
    ("threshold", [["A", 60, "a", 0], ["B", 60, "b", 0], ["C", None, "c", 0]], "Tiers!B3"),
    ("threshold", [["A", 60, "a", 0], ["B", None, "b", 0], ["C", 10, "c", 0]], "Tiers!B3"),
    ("count", [["A", "two", "a", 0], ["B", None, "b", 0]], "Tiers!B2"),
])
def test_size_errors_name_their_cell(tmp_path: Path, method: str, tiers: Grid, cell: str) -> None:
    path = make(tmp_path / "sizes.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method=method), "Factors": FOUR,
        "Tiers": [TIER_HEADER, *tiers],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]], ["A1", 1, 2, 3, 4]],
    })
    assert cell in wheres(errors_of(path))


# --- Rank ----------------------------------------------------------------------------------------

def test_ties_by_factor_order_with_equal_weights_then_partner_id_as_text(tmp_path: Path) -> None:
    """Equal weights: factors in Factors order (F2 listed first here), higher first; then the
    Partner ID ascending as text, so the number 10 comes before 9."""
    path = make(tmp_path / "ties.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"),
        "Factors": [["Factor", "Weight"], ["F2", 2], ["F1", 2], ["F3", 1]],
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        # Roster columns F1 F2 F3; all scores equal 100*(... ) - same weighted mean 3
        "Roster": [["Partner ID", "F1", "F2", "F3"],
                   ["x", 4, 2, 3],     # F2=2: worst on the first tie-break
                   [9, 2, 4, 3],       # F2=4, F1=2
                   [10, 2, 4, 3],      # same as 9: ID "10" < "9" as text
                   ["b", 3, 3, 3],     # F2=3
                   ["a", 3, 3, 3]],
    })
    rescore(path)
    recs = records(path)
    assert {k: recs[k]["Rank"] for k in recs} == {10: 1, 9: 2, "a": 3, "b": 4, "x": 5}


def test_partner_id_7_and_text_7_are_the_same_partner(tmp_path: Path) -> None:
    path = make(tmp_path / "dup.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner", "Partner ID", *[f[0] for f in FOUR[1:]]],
                   ["Seven", 7, 1, 2, 3, 4], ["Zero-seven", "007", 1, 2, 3, 4],
                   ["Also seven", "7", 2, 2, 2, 2]],
    })
    assert wheres(errors_of(path)) == ["Roster!B4"]


# --- Missing scores -------------------------------------------------------------------------------

def test_exclude_leaves_partner_unscored_and_out_of_percent_n(tmp_path: Path,
                                                              recalc: Recalc) -> None:
    scores: dict[str, tuple[Any, ...]] = {
        "P1": (5, 5, 5, 5), "P2": (4, 4, 4, 4), "P3": (None, 5, 5, 5), "P4": (3, 3, 3, 3),
        "P5": (2, 2, 2, 2)}
    path = make(tmp_path / "exclude.xlsx", {
        "Settings": settings(quarter="2026-Q4", missing_scores="Exclude", tier_method="percent"),
        "Factors": FOUR,
        # N = 4 scored: 0.25 -> floor(1.5) = 1 ... 0.375 cumulative 0.625 -> floor(3) = 3
        "Tiers": [TIER_HEADER, ["A", 0.25, "a", 5], ["B", 0.375, "b", 0], ["C", None, "c", 0]],
        "Team": [["Member", "Hours per month"], ["Ana", 100]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]],
                   *[[p, *s] for p, s in scores.items()]],
    })
    outcome = rescore(path)
    recs = records(path)
    assert recs["P3"]["Rank"] is None and recs["P3"]["Tier"] == "Unscored"
    assert recs["P3"]["Assigned to"] is None
    assert [recs[p]["Rank"] for p in ("P1", "P2", "P4", "P5")] == [1, 2, 3, 4]
    assert [recs[p]["Tier"] for p in ("P1", "P2", "P4", "P5")] == ["A", "B", "B", "C"]
    assert recs["P1"]["Assigned to"] == "Ana"
    assert outcome.results.rank.tolist()[2] == 0
    values = records(recalc(path), data_only=True)
    assert values["P3"]["Score"] in (None, "")  # blank once a spreadsheet computes it
    assert values["P3"]["Rank"] is None
    assert abs(values["P4"]["Score"] - 50) <= 1e-9


def test_lowest_counts_a_blank_as_scale_min(tmp_path: Path, recalc: Recalc) -> None:
    path = make(tmp_path / "lowest.xlsx", {
        "Settings": settings(quarter="2026-Q4", missing_scores="lowest", tier_method="count",
                             scale_min=0, scale_max=10),
        "Factors": [["Factor", "Weight"], ["F1", 3], ["F2", 1]],
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "F1", "F2"], ["P1", None, 10], ["P2", 2, 2]],
    })
    rescore(path)
    values = records(recalc(path), data_only=True)
    assert abs(values["P1"]["Score"] - 25) <= 1e-9   # 100*(0*3+10)/4/10
    assert abs(values["P2"]["Score"] - 20) <= 1e-9
    assert values["P1"]["Rank"] == 1


def test_error_policy_reports_every_blank_score_with_its_cell(tmp_path: Path) -> None:
    path = make(tmp_path / "error.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"),
        "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "Partner", *[f[0] for f in FOUR[1:]]],
                   ["P1", "One", None, 1, 1, 1], ["P2", "Two", 1, 1, "high", 9]],
    })
    assert sorted(wheres(errors_of(path))) == ["Roster!C2", "Roster!E3", "Roster!F3"]


# --- Tier within, buffer, override ----------------------------------------------------------------

def test_tier_within_cuts_per_group_and_ranks_roster_wide(tmp_path: Path) -> None:
    scores = {"E1": (5, 5, 5, 5), "E2": (4, 4, 4, 4), "E3": (3, 3, 3, 3), "E4": (2, 2, 2, 2),
              "N1": (4.5, 4.5, 4.5, 4.5), "N2": (1, 1, 1, 1)}
    segment = {p: "EMEA" if p[0] == "E" else "NA" for p in scores}
    path = make(tmp_path / "within.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="percent", tier_within=" segment"),
        "Factors": FOUR,
        # EMEA N=4: 0.5 -> 2; NA N=2: 0.5 -> 1
        "Tiers": [TIER_HEADER, ["A", 50, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "Segment", *[f[0] for f in FOUR[1:]]],
                   *[[p, segment[p], *s] for p, s in scores.items()]],
    })
    rescore(path)
    recs = records(path)
    assert {p: recs[p]["Rank"] for p in scores} == {"E1": 1, "N1": 2, "E2": 3, "E3": 4, "E4": 5,
                                                   "N2": 6}
    assert {p: recs[p]["Tier"] for p in scores} == {"E1": "A", "E2": "A", "E3": "B", "E4": "B",
                                                   "N1": "A", "N2": "B"}


def _archived_run(tmp_path: Path, name: str, first: dict[str, tuple[float, ...]],
                  second: dict[str, tuple[float, ...]], tiers: Grid, buffer: float,
                  method: str = "count", overrides: dict[str, str] | None = None) -> Path:
    header = ["Partner ID", *[f[0] for f in FOUR[1:]], "Tier override", "Override reason"]
    path = make(tmp_path / name, {
        "Settings": settings(quarter="2026-Q3", tier_method=method, tier_buffer=buffer),
        "Factors": FOUR, "Tiers": [TIER_HEADER, *tiers],
        "Roster": [header, *[[p, *s] for p, s in first.items()]],
    })
    rescore(path, NOW - dt.timedelta(days=90))
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Quarter":
            row[1].value = "2026-Q4"
    ws = wb["Roster"]
    for r in range(2, ws.max_row + 1):
        pid = ws.cell(r, 1).value
        for j, v in enumerate(second[pid]):
            ws.cell(r, 2 + j).value = v
        if overrides and pid in overrides:
            ws.cell(r, 6).value = overrides[pid]
            ws.cell(r, 7).value = "sponsor"
    wb.save(path)
    rescore(path)
    return path


def test_tier_buffer_keeps_the_previous_tier_inside_the_band(tmp_path: Path) -> None:
    """Count 2/rest, buffer 5. Q3 (P4 87.5, P3 75 | P1 25, P2 0): A = P3, P4; B = P1, P2.
    Q4 scores: P1 100, P2 60, P3 56.25, P4 0; computed A = P1, P2; B = P3, P4; boundary
    (60 + 56.25)/2 = 58.125. P1 was B: 100 > 63.125 -> up to A, then its override (B) replaces
    that. P2 was B: 60 is not more than 5 above -> stays B. P3 was A: 56.25 is not more than 5
    below -> stays A. P4 was A: 0 < 53.125 -> down to B."""
    q3 = {"P1": (2, 2, 2, 2), "P2": (1, 1, 1, 1), "P3": (4, 4, 4, 4), "P4": (4.5, 4.5, 4.5, 4.5)}
    q4 = {"P1": (5, 5, 5, 5), "P2": (3.4, 3.4, 3.4, 3.4), "P3": (3.25, 3.25, 3.25, 3.25),
          "P4": (1, 1, 1, 1)}
    path = _archived_run(tmp_path, "buffer.xlsx", q3, q4,
                         [["A", 2, "a", 0], ["B", None, "b", 0]], 5,
                         overrides={"P1": "B"})
    recs = records(path)
    assert {p: recs[p]["Previous tier"] for p in q4} == {"P1": "B", "P2": "B", "P3": "A",
                                                        "P4": "A"}
    # P1's override replaces the tier last
    assert {p: recs[p]["Tier"] for p in q4} == {"P1": "B", "P2": "B", "P3": "A", "P4": "B"}
    assert {p: recs[p]["Movement"] for p in q4} == {"P1": "same", "P2": "same", "P3": "same",
                                                   "P4": "down"}


# --- Capacity -------------------------------------------------------------------------------------

def test_capacity_tables_assignment_and_positions(tmp_path: Path) -> None:
    """Tier 1 costs 10 h, Tier 2 4 h, Tier 3 none. Team: Ana 25 (any), Ben 12 (Tier 2 only),
    Cy 0. Ranks 1..6 = P1..P6 (descending scores). P2's manager is Ben but Ben cannot serve Tier 1.

    Tier 1 first: only Ana serves it, 25 h hold two partners at 10 h: P1 and P2 (the best-ranked);
    P3 Unassigned. Tier 2: Ana's 5 h left hold one at 4 h, Ben's 12 h three: both served. P4's
    manager is Ana, so Ana keeps P4 and Ben serves P5. P6 (Tier 3): blank."""
    scores = {f"P{i}": (6 - i,) * 4 for i in range(1, 7)}
    managers = {"P2": "ben", "P4": " Ana"}
    path = make(tmp_path / "capacity.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count", scale_min=0, scale_max=5),
        "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["Tier 1", 3, "Weekly", 10], ["Tier 2", 2, "Monthly", 4],
                  ["Tier 3", None, "Portal", 0]],
        "Team": [["Member", "Hours per month", "Focus tiers"], ["Ana", 25, None],
                 ["Ben", 12, "tier 2"], ["Cy", 0, None]],
        "Roster": [["Partner ID", "Partner manager", *[f[0] for f in FOUR[1:]]],
                   *[[p, managers.get(p), *s] for p, s in scores.items()]],
    })
    rescore(path)
    recs = records(path)
    assert {p: recs[p]["Assigned to"] for p in scores} == {
        "P1": "Ana", "P2": "Ana", "P3": "Unassigned", "P4": "Ana", "P5": "Ben", "P6": None}
    cap = grid(path, "Capacity")
    table = [list(r[:8]) for r in cap]
    assert table[0] == ["Tier", "Partners", "Hours per partner", "Hours per tier",
                        "Group program by", "Hours needed", "Hours allocated", "Coverage"]
    assert table[1][:7] == ["Tier 1", 3, 10, 0, None, 30, 20]
    assert table[1][7] == pytest.approx(20 / 30)
    assert table[2] == ["Tier 2", 2, 4, 0, None, 8, 8, 1]
    assert table[3][:7] == ["Tier 3", 1, 0, 0, None, 0, 0] and table[3][7] is None  # none needed
    assert table[4][0] == "Total" and table[4][1] == 6
    assert table[4][5:7] == [38, 28] and table[4][7] == pytest.approx(28 / 38)
    assert all(v is None for v in table[5])  # one blank row
    assert table[6][:6] == ["Member", "Hours available", "Focus tiers", "Partners assigned",
                            "Hours assigned", "Load"]
    assert table[7][:5] == ["Ana", 25, None, 3, 24] and table[7][5] == pytest.approx(24 / 25)
    assert table[8][:5] == ["Ben", 12, "Tier 2", 1, 4] and table[8][5] == pytest.approx(4 / 12)
    assert table[9][:5] == ["Cy", 0, None, 0, 0]


def test_ties_between_plans_go_the_same_way_whatever_the_row_order(tmp_path: Path) -> None:
    """T1 costs 3 h: Zed 6, Amy 6 and Bo 4 serve all four partners (2 + 1 + 1 and other splits
    do too). Whichever the implementation picks, it picks it for the same inputs in any row order,
    and nobody is given more than their hours."""
    scores = {f"P{i}": (6 - i,) * 4 for i in range(1, 5)}

    def book(name: str, order: list[str]) -> dict[str, Any]:
        path = make(tmp_path / name, {
            "Settings": settings(quarter="2026-Q4", tier_method="count", scale_min=0, scale_max=5),
            "Factors": FOUR,
            "Tiers": [TIER_HEADER, ["T1", None, "Weekly", 3]],
            "Team": [["Member", "Hours per month"], ["Zed", 6], ["Amy", 6], ["Bo", 4]],
            "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]], *[[p, *scores[p]] for p in order]],
        })
        rescore(path)
        return {p: r["Assigned to"] for p, r in records(path).items()}

    first = book("ties.xlsx", list(scores))
    assert book("reversed.xlsx", list(scores)[::-1]) == first
    assert book("shuffled.xlsx", ["P3", "P1", "P4", "P2"]) == first
    given = [first[p] for p in scores]
    assert "Unassigned" not in given
    assert given.count("Zed") <= 2 and given.count("Amy") <= 2 and given.count("Bo") <= 1


# --- Quarters: archive, Compare, Log --------------------------------------------------------------

def _set(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def test_quarters_archive_compare_log(tmp_path: Path) -> None:
    header = ["Partner ID", "Partner", "Notes", *[f[0] for f in FOUR[1:]]]
    path = make(tmp_path / "quarters.xlsx", {
        "Settings": [["Setting", "Value"], ["Tier method", "count"], ["Quarter", "2026-Q3"]],
        "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [header, [7, "Seven", "keep me", 5, 5, 5, 5], ["L", "Leaver", None, 3, 3, 3, 3],
                   ["S", "Stayer", None, 4, 4, 4, 4]],
    })
    rescore(path, NOW - dt.timedelta(days=100))
    rescore(path, NOW - dt.timedelta(days=99))      # the same quarter again: no archive
    wb = openpyxl.load_workbook(path)
    assert not any(n.startswith("Archive") for n in wb.sheetnames)
    # next quarter's scores typed before the Quarter moves on
    _set(path, "Roster", {"D4": 1, "E4": 1, "F4": 1, "G4": 1})        # S drops to 0
    rescore_before = records(path)
    assert rescore_before["S"]["Tier"] == "B"
    _set(path, "Settings", {"B3": "2026-Q4"})
    _set(path, "Roster", {"A3": "N", "B3": "Newcomer"})                # L leaves, N joins
    rescore(path)
    wb = openpyxl.load_workbook(path)
    assert "Archive 2026-Q3" in wb.sheetnames
    archive = records(path, "Archive 2026-Q3")
    assert set(archive) == {7, "L", "S"}
    # as it stood after the last re-score of Q3: S's old scores, not the ones typed later
    assert archive["S"]["Sales engagement"] == 4
    assert archive["S"]["Score"] == pytest.approx(75)
    assert archive[7]["Notes"] == "keep me"
    assert archive["S"]["Tier"] == "B" and archive[7]["Tier"] == "A"
    for row in grid(path, "Archive 2026-Q3"):
        assert not any(isinstance(v, str) and v.startswith("=") for v in row)
    recs = records(path)
    assert recs[7]["Previous tier"] == "A" and recs[7]["Movement"] == "same"
    assert recs["N"]["Movement"] == "new" and recs["N"]["Previous tier"] is None
    compare = records(path, "Compare")
    # Partner IDs as the workbook holds them (the number 7 read as text is the same partner)
    by_text = {str(k): v for k, v in compare.items()}
    assert set(by_text) == {"7", "L", "S", "N"}
    assert by_text["L"]["Movement"] == "left"
    assert by_text["L"]["Previous tier"] == "B" and by_text["L"]["Tier"] is None
    assert by_text["L"]["Previous score"] == pytest.approx(50)
    assert by_text["S"]["Previous score"] == pytest.approx(75)
    assert by_text["S"]["Score"] == pytest.approx(0)
    assert by_text["S"]["Change"] == pytest.approx(-75)
    assert by_text["N"]["Movement"] == "new"
    assert grid(path, "Compare")[0][:9] == ["Partner ID", "Partner", "Previous score", "Score",
                                            "Change", "Previous tier", "Tier", "Movement", None]
    log = grid(path, "Log")
    assert log[0][:8] == ["Run at", "Quarter", "Run by", "Mode", "Partners", "Warnings",
                          "Weights", "Input fingerprint"]
    body = [r for r in log[1:] if any(v is not None for v in r)]
    assert [r[1] for r in body] == ["2026-Q3", "2026-Q3", "2026-Q4"]
    assert [r[4] for r in body] == [3, 3, 3]
    # an archive is never overwritten: edit it, re-score again in Q4 and in Q1 next year
    wb = openpyxl.load_workbook(path)
    wb["Archive 2026-Q3"]["C2"] = "hand edit"
    wb.save(path)
    rescore(path, NOW + dt.timedelta(days=1))
    _set(path, "Settings", {"B3": "2027-Q1"})
    rescore(path, NOW + dt.timedelta(days=90))
    assert grid(path, "Archive 2026-Q3")[1][2] == "hand edit"
    assert "Archive 2026-Q4" in openpyxl.load_workbook(path).sheetnames
    # going backwards is refused, naming the Quarter cell
    _set(path, "Settings", {"B3": "2026-Q4"})
    assert wheres(errors_of(path)) == ["Settings!B3"]


def test_compare_keeps_a_numeric_partner_id_a_number(tmp_path: Path) -> None:
    """Partner ID is "text or number": the Compare table names the partner as the Roster does,
    so a lookup from the Roster's Partner ID 7 finds its Compare row."""
    path = make(tmp_path / "numeric.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]], [7, 5, 5, 5, 5], ["007", 1, 1, 1, 1]],
    })
    rescore(path)
    compare = records(path, "Compare")
    assert set(compare) == {7, "007"}


# --- Inputs untouched, errors all at once ----------------------------------------------------------

def test_inputs_and_user_columns_untouched_cell_by_cell(tmp_path: Path) -> None:
    sheets: dict[str, Grid] = {
        "Settings": [["Setting", "Value", "Comment"], ["Quarter", "2026-Q4", "mine"],
                     ["Tier method", "threshold", None], ["Scale min", 1, None]],
        "Factors": [["Factor", "Weight", "Description", "Scoring guide"],
                    ["Customer overlap", 35, "d", "g"], ["Sales engagement", 30, None, None],
                    ["Solution fit", 20, None, None], ["Market reach", 15, None, None]],
        "Tiers": [[*TIER_HEADER, "Extra"], ["A", 70, "a", 2, "x"], ["B", 40, "b", 1, None],
                  ["C", None, "c", 0, "y"]],
        "Team": [["Member", "Hours per month", "Focus tiers", "Phone"], ["Ana", 10, None, 123]],
        "Roster": [["Rank", "Partner ID", "Partner", *[f[0] for f in FOUR[1:]], "Segment",
                    "Tier override", "Override reason", "Free"],
                   [99, "P1", "One", 5, 4, 3, 2, "EMEA", None, None, "f1"],
                   [None, "P2", "Two", 2, 2, 2, 2, None, "a", "because", None],
                   [None, "P3", "Three", 3, 3, 4, 4, None, None, None, "f3"]],
    }
    path = make(tmp_path / "untouched.xlsx", sheets)
    rescore(path)
    for name, rows in sheets.items():
        after = grid(path, name)
        for r, line in enumerate(rows):
            for col, value in enumerate(line):
                if name == "Roster" and col == 0 and r > 0:
                    continue  # the pre-existing Rank column is an output, found by header
                assert after[r][col] == value, f"{name}!{r + 1}:{col + 1} changed"
    recs = records(path)
    # Rank written where the Rank header already stood, left of Partner ID
    assert {p: recs[p]["Rank"] for p in ("P1", "P2", "P3")} == {"P1": 1, "P3": 2, "P2": 3}
    header = grid(path, "Roster")[0]
    assert header.count("Rank") == 1
    assert recs["P2"]["Tier"] == "A"  # override


def test_every_error_reported_at_once_and_file_byte_identical(tmp_path: Path) -> None:
    path = make(tmp_path / "errors.xlsx", {
        "Settings": [["Setting", "Value"], ["Quarter", "2026-Q5"], ["Tier method", "ranked"],
                     ["Scale max", 0]],
        "Factors": [["Factor", "Weight"], ["Customer overlap", 0], ["Nope", 10]],
        "Tiers": [TIER_HEADER, ["A", None, "a", -1], ["A", None, "b", 0]],
        "Team": [["Member", "Hours per month"], ["Ana", "lots"]],
        "Roster": [["Partner ID", "Customer overlap", "Tier override"], ["P1", 9, "Z"]],
    })
    found = wheres(errors_of(path))
    for cell in ("Settings!B2", "Settings!B3", "Factors!B2", "Factors!A3", "Tiers!B2",
                 "Tiers!D2", "Tiers!A3", "Team!B2", "Roster!B2"):
        assert cell in found, (cell, found)


def test_a_space_in_a_factor_cell_under_lowest_recalculates_like_python(
        tmp_path: Path, recalc: Recalc) -> None:
    """A cell holding only spaces is blank to the re-score (`lowest` counts it as Scale min); the
    Score formula must agree once a spreadsheet computes it, not show #VALUE!."""
    path = make(tmp_path / "space.xlsx", {
        "Settings": settings(quarter="2026-Q4", missing_scores="lowest", tier_method="count"),
        "Factors": [["Factor", "Weight"], ["F1", 1], ["F2", 1]],
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "F1", "F2"], ["P1", "  ", 5], ["P2", 3, 3]],
    })
    rescore(path)
    values = records(recalc(path), data_only=True)
    assert values["P1"]["Score"] == pytest.approx(50, abs=1e-9)   # (1 + 5)/2 = 3 -> 50


def test_a_factor_matching_two_roster_columns_is_an_error(tmp_path: Path) -> None:
    """A factor "must equal the header of one Roster column": with two columns of that header it
    is unclear which holds the scores, so the re-score must not silently read the first."""
    path = make(tmp_path / "twice.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"),
        "Factors": [["Factor", "Weight"], ["F1", 1], ["F2", 1]],
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "F1", "F2", " f1 "], ["P1", 1, 5, 5], ["P2", 3, 3, 1]],
    })
    problems = errors_of(path)
    assert any(w in ("Roster!D1", "Factors!A2") for w in wheres(problems)), problems


def test_second_rescore_finds_outputs_by_header_and_keeps_user_columns_right_of_them(
        tmp_path: Path) -> None:
    path = make(tmp_path / "twice.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", " score ", *[f[0] for f in FOUR[1:]]], ["P1", 77, 5, 5, 5, 5],
                   ["P2", None, 1, 2, 3, 4]],
    })
    rescore(path)
    first = grid(path, "Roster")
    assert str(first[1][1]).startswith("=")           # the existing Score column was used
    width = len(first[0])
    # the contract's outputs, then the hidden owned Score when tiered (docs/contract-readings.md)
    assert first[0][width - 7:] == ["Rank", "Tier", "Service level", "Previous tier", "Movement",
                                    "Assigned to", "Score when tiered"]
    _set(path, "Roster", {f"{openpyxl.utils.get_column_letter(width + 1)}1": "After",
                          f"{openpyxl.utils.get_column_letter(width + 1)}2": "mine"})
    rescore(path, NOW + dt.timedelta(hours=1))
    second = grid(path, "Roster")
    assert second[0] == [*first[0], "After"]
    assert second[1][width] == "mine"
    assert len([r for r in grid(path, "Log")[1:] if any(r)]) == 2


def test_archive_after_the_workbook_was_saved_by_a_spreadsheet(tmp_path: Path,
                                                                recalc: Recalc) -> None:
    """Re-score, let a spreadsheet (LibreOffice) open and save the workbook, type next quarter's
    scores, move the Quarter on: the archive holds the Roster as it stood after the re-score."""
    path = make(tmp_path / "roundtrip.xlsx", {
        "Settings": settings(quarter="2026-Q3", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", "Partner", *[f[0] for f in FOUR[1:]]],
                   ["P1", "One", 5, 5, 5, 5], ["P2", "Two", 3, 3, 3, 3]],
    })
    rescore(path, NOW - dt.timedelta(days=90))
    saved = recalc(path)
    _set(saved, "Roster", {"C2": 1, "D2": 1, "E2": 1, "F2": 1})
    _set(saved, "Settings", {"B2": "2026-Q4"})
    rescore(saved)
    archive = records(saved, "Archive 2026-Q3")
    assert archive["P1"]["Customer overlap"] == 5
    assert archive["P1"]["Score"] == pytest.approx(100)
    assert archive["P1"]["Tier"] == "A" and archive["P2"]["Tier"] == "B"
    recs = records(saved)
    assert recs["P1"]["Previous tier"] == "A" and recs["P1"]["Tier"] == "B"
    assert recs["P1"]["Movement"] == "down" and recs["P2"]["Movement"] == "up"


def test_tier_within_count_per_group_threshold_ignores_groups(tmp_path: Path) -> None:
    scores = {"a1": (5,) * 4, "a2": (4,) * 4, "a3": (2,) * 4, "b1": (4.5,) * 4, "b2": (1,) * 4,
              "c1": (3,) * 4}
    group = {"a1": "A", "a2": "A", "a3": "A", "b1": "B", "b2": "B", "c1": None}
    roster = [["Partner ID", "Region", *[f[0] for f in FOUR[1:]]],
              *[[p, group[p], *s] for p, s in scores.items()]]
    count = make(tmp_path / "count.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count", tier_within="REGION"),
        "Factors": FOUR, "Tiers": [TIER_HEADER, ["T1", 1, "a", 0], ["T2", None, "b", 0]],
        "Roster": roster})
    rescore(count)
    recs = records(count)
    assert {p: recs[p]["Rank"] for p in scores} == {"a1": 1, "b1": 2, "a2": 3, "c1": 4, "a3": 5,
                                                   "b2": 6}
    # reading taken: partners with a blank Region form a group of their own
    assert {p: recs[p]["Tier"] for p in scores} == {"a1": "T1", "a2": "T2", "a3": "T2",
                                                   "b1": "T1", "b2": "T2", "c1": "T1"}
    threshold = make(tmp_path / "threshold.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="threshold", tier_within="Region"),
        "Factors": FOUR, "Tiers": [TIER_HEADER, ["T1", 80, "a", 0], ["T2", None, "b", 0]],
        "Roster": roster})
    rescore(threshold)
    recs = records(threshold)
    assert [p for p in scores if recs[p]["Tier"] == "T1"] == ["a1", "b1"]   # 100, 87.5


def test_override_on_an_excluded_partner_and_unscored_movement(tmp_path: Path) -> None:
    """An override replaces even `Unscored` (it replaces the tier last); its Rank stays blank."""
    path = make(tmp_path / "override.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count", missing_scores="exclude"),
        "Factors": FOUR, "Tiers": [TIER_HEADER, ["T1", 1, "Weekly", 5], ["T2", None, "b", 0]],
        "Team": [["Member", "Hours per month"], ["Ana", 5], ["Ben", 5]],
        "Roster": [["Partner ID", "Tier override", "Override reason", *[f[0] for f in FOUR[1:]]],
                   ["P1", None, None, 5, 5, 5, 5], ["P2", "t1", "exec ask", None, 5, 5, 5],
                   ["P3", None, None, 1, 1, 1, 1]],
    })
    rescore(path)
    recs = records(path)
    assert recs["P2"]["Tier"] == "T1" and recs["P2"]["Rank"] is None
    assert recs["P2"]["Service level"] == "Weekly"
    assert recs["P1"]["Assigned to"] == "Ana" and recs["P2"]["Assigned to"] == "Ben"
    assert recs["P3"]["Tier"] == "T2" and recs["P3"]["Rank"] == 2


def test_a_formula_input_without_a_cached_value_is_named_not_read_as_blank(tmp_path: Path) -> None:
    # A file written by a script carries =2+3 without its result, and reading it needs a
    # spreadsheet engine: the re-score names the cell and says what to do, rather than
    # calling it a blank score.
    path = make(tmp_path / "formula.xlsx", {
        "Settings": settings(quarter="2026-Q4", tier_method="count"), "Factors": FOUR,
        "Tiers": [TIER_HEADER, ["A", 1, "a", 0], ["B", None, "b", 0]],
        "Roster": [["Partner ID", *[f[0] for f in FOUR[1:]]], ["P1", "=2+3", 5, 5, 5],
                   ["P2", 1, 1, 1, 1]],
    })
    before = digest(path)
    with pytest.raises(InputErrors) as caught:
        rescore_file(path)
    (problem,) = caught.value.problems
    assert (problem.code, problem.where) == (Code.FORMULA_ERROR, "Roster!B2")
    assert "=2+3" in problem.message and "Excel" in problem.message
    assert digest(path) == before
