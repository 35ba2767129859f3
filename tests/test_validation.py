"""One test per validation rule of the workbook contract.

Each builds a workbook by hand, re-scores it through the command line (exit 2) and through
`rescore_file` (InputErrors), and checks the cell, the reason code, that the message says what is
there and what is accepted, and that the file is byte-identical afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import DEFAULT_FACTORS, DEFAULT_TIERS, build_workbook, digest, table
from xl_prioritize.cli import cli
from xl_prioritize.problems import Code, InputErrors, Problem
from xl_prioritize.rescore import rescore_file

ROWS: list[list[Any]] = [
    ["P1", "Alpha", "Ana", 5, 4, 3, 2],
    ["P2", "Beta", None, 3, 3, 3, 3],
    ["P3", "Gamma", None, 1, 2, 1, 2],
]
COUNT = {"Quarter": "2026-Q4", "Tier method": "count"}
FACTOR_NAMES = [f for f, _ in DEFAULT_FACTORS]
ROSTER_HEADER = ["Partner ID", "Partner", "Partner manager", *FACTOR_NAMES]
OVERRIDE_HEADER = [*ROSTER_HEADER, "Tier override", "Override reason"]


def workbook(tmp_path: Path, **kwargs: Any) -> Path:
    kwargs.setdefault("roster_rows", ROWS)
    return build_workbook(tmp_path / "book.xlsx", **kwargs)


def problems_of(path: Path) -> list[Problem]:
    """Re-score through the CLI and the library; both refuse and leave the file as it was."""
    before = digest(path)
    result = CliRunner().invoke(cli, ["rescore", str(path)])
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output
    assert digest(path) == before
    with pytest.raises(InputErrors) as info:
        rescore_file(path, run_by="tester")
    assert digest(path) == before
    # the terminal shows each problem literally (no emoji codes or markup read into it)
    for problem in info.value.problems:
        assert f"{problem.where}: {problem.message}" in result.output
    return info.value.problems


def expect_error(path: Path, code: Code, where: str, *says: str, only: bool = True) -> Problem:
    problems = problems_of(path)
    found = [p for p in problems if p.code == code and p.where == where]
    assert found, f"no {code} at {where}: {problems}"
    if only:
        assert len(problems) == 1, problems
    for text in says:
        assert text in found[0].message, (text, found[0].message)
    return found[0]


def expect_warning(path: Path, code: Code, where: str | None = None) -> Problem:
    outcome = rescore_file(path, run_by="tester")
    found = [w for w in outcome.warnings if w.code == code]
    assert found, outcome.warnings
    if where is not None:
        assert found[0].where == where
    log = table(path, "Log")
    assert len(log) == 1
    assert str(found[0]) in log[0]["Warnings"]
    return found[0]


# --- Settings ------------------------------------------------------------------------------------

def test_quarter_missing(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={"Tier method": "count"})
    expect_error(path, Code.REQUIRED, "Settings!A:B", "Quarter", "YYYY-Qn")


@pytest.mark.parametrize("blank", [None, "   "])
def test_quarter_blank(tmp_path: Path, blank: object) -> None:
    path = workbook(tmp_path, settings={"Quarter": blank, "Tier method": "count"})
    expect_error(path, Code.REQUIRED, "Settings!B2", "blank", "YYYY-Qn")


@pytest.mark.parametrize(("value", "shown"), [
    ("2026Q4", "'2026Q4'"), ("2026-Q5", "'2026-Q5'"), ("Q4 2026", "'Q4 2026'"), (2026, "2026"),
])
def test_quarter_bad_format(tmp_path: Path, value: object, shown: str) -> None:
    path = workbook(tmp_path, settings={"Tier method": "count", "Quarter": value})
    expect_error(path, Code.BAD_QUARTER, "Settings!B3", shown, "YYYY-Qn")


@pytest.mark.parametrize(("scale", "cell"), [
    ({"Scale min": 5, "Scale max": 5}, "Settings!B5"),
    ({"Scale min": 4, "Scale max": 3}, "Settings!B5"),
    ({"Scale max": 0.5}, "Settings!B4"),  # below the default Scale min of 1
])
def test_scale_max_not_above_min(tmp_path: Path, scale: dict[str, float], cell: str) -> None:
    path = workbook(tmp_path, settings={**COUNT, **scale})
    problem = expect_error(path, Code.SCALE_ORDER, cell, only=False)
    assert f"Scale max {scale['Scale max']:g}" in problem.message
    assert "greater than Scale min" in problem.message


def test_scale_not_a_number(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Scale min": "one"})
    expect_error(path, Code.NOT_A_NUMBER, "Settings!B4", "'one'", "a number")


def test_bad_tier_method(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "ranked"})
    expect_error(path, Code.BAD_CHOICE, "Settings!B3", "'ranked'", "count, percent, threshold")


def test_bad_missing_scores_choice(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Missing scores": "skip"})
    expect_error(path, Code.BAD_CHOICE, "Settings!B4", "'skip'", "error, lowest, exclude")


def test_negative_buffer(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Tier buffer": -1})
    expect_error(path, Code.OUT_OF_RANGE, "Settings!B4", "-1", "≥ 0")


def test_buffer_text(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Tier buffer": "two"})
    expect_error(path, Code.NOT_A_NUMBER, "Settings!B4", "'two'", "≥ 0")


def test_tier_within_naming_no_roster_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Tier within": "Region"})
    expect_error(path, Code.UNKNOWN_COLUMN, "Settings!B4", "'Region'", "Partner ID",
                 "Customer overlap")


def test_blank_setting_beside_a_value(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, None: "percent"})
    expect_error(path, Code.BLANK_KEY, "Settings!A4", "'percent'")


def test_unknown_setting_is_a_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={**COUNT, "Colour": "blue"})
    warning = expect_warning(path, Code.UNKNOWN_SETTING, "Settings!A4")
    assert "'Colour'" in warning.message


# --- Factors -------------------------------------------------------------------------------------

def test_no_factors(tmp_path: Path) -> None:
    path = workbook(tmp_path, factors=[], roster_rows=[["P1", "Alpha", None]])
    expect_error(path, Code.NO_FACTORS, "Factors!A2", "no factors", "expected")


def test_duplicate_factor(tmp_path: Path) -> None:
    path = workbook(tmp_path, factors=[*DEFAULT_FACTORS, (" customer OVERLAP ", 10)],
                    roster_header=ROSTER_HEADER)
    expect_error(path, Code.DUPLICATE_KEY, "Factors!A6", "customer OVERLAP", "Factors!A2", "once")


@pytest.mark.parametrize(("weight", "code", "shown"), [
    (0, Code.OUT_OF_RANGE, "0"),
    (-5, Code.OUT_OF_RANGE, "-5"),
    ("high", Code.NOT_A_NUMBER, "'high'"),
])
def test_bad_weight(tmp_path: Path, weight: object, code: Code, shown: str) -> None:
    factors = [("Customer overlap", weight), *DEFAULT_FACTORS[1:]]
    path = workbook(tmp_path, factors=factors)
    expect_error(path, code, "Factors!B2", shown, "> 0")


def test_factor_with_no_roster_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, factors=[*DEFAULT_FACTORS, ("Deal size", 10)],
                    roster_header=ROSTER_HEADER)
    expect_error(path, Code.FACTOR_NOT_IN_ROSTER, "Factors!A6", "'Deal size'", "Roster")


def test_six_factors_is_a_warning(tmp_path: Path) -> None:
    factors = [*DEFAULT_FACTORS, ("Deal size", 10), ("Certifications", 5)]
    rows = [[*row, 3, 3] for row in ROWS]
    path = workbook(tmp_path, factors=factors, roster_rows=rows)
    warning = expect_warning(path, Code.FACTOR_COUNT)
    assert "6 factors" in warning.message


def test_two_factors_is_a_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path, factors=DEFAULT_FACTORS[:2], roster_rows=[r[:5] for r in ROWS])
    expect_warning(path, Code.FACTOR_COUNT)


# --- Tiers ---------------------------------------------------------------------------------------

def tiers_with(size: object, row: int = 0) -> list[tuple[Any, ...]]:
    tiers = [list(t) for t in DEFAULT_TIERS]
    tiers[row][1] = size
    return [tuple(t) for t in tiers]


@pytest.mark.parametrize(("size", "code", "shown"), [
    ("two", Code.NOT_A_NUMBER, "'two'"),
    (-1, Code.OUT_OF_RANGE, "-1"),
    (2.5, Code.NOT_WHOLE, "2.5"),
])
def test_bad_count_size(tmp_path: Path, size: object, code: Code, shown: str) -> None:
    path = workbook(tmp_path, tiers=tiers_with(size))
    expect_error(path, code, "Tiers!B2", shown, "whole number")


def test_percent_size_negative(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "percent"},
                    tiers=tiers_with(-0.1))
    expect_error(path, Code.OUT_OF_RANGE, "Tiers!B2", "-0.1", "15%")


@pytest.mark.parametrize("sizes", [(0.6, 0.5), (60, 50), (60, 0.5)])
def test_percent_over_100(tmp_path: Path, sizes: tuple[float, float]) -> None:
    tiers = [("Tier 1", sizes[0], "Cadence", 6), ("Tier 2", sizes[1], "Review", 2),
             ("Tier 3", None, "Portal", 0)]
    path = workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "percent"}, tiers=tiers)
    expect_error(path, Code.PERCENT_OVER_100, "Tiers!B3", "110%", "100%")


@pytest.mark.parametrize("sizes", [(50, 60), (50, 50)])
def test_thresholds_not_falling(tmp_path: Path, sizes: tuple[float, float]) -> None:
    tiers = [("Tier 1", sizes[0], "Cadence", 6), ("Tier 2", sizes[1], "Review", 2),
             ("Tier 3", None, "Portal", 0)]
    path = workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "threshold"},
                    tiers=tiers)
    expect_error(path, Code.THRESHOLD_NOT_FALLING, "Tiers!B3", f"{sizes[1]}", f"({sizes[0]})",
                 "falling")


def test_threshold_above_100(tmp_path: Path) -> None:
    path = workbook(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "threshold"},
                    tiers=tiers_with(120))
    expect_error(path, Code.OUT_OF_RANGE, "Tiers!B2", "120", "0 to 100")


def test_blank_size_before_last_tier(tmp_path: Path) -> None:
    path = workbook(tmp_path, tiers=tiers_with(None, row=1))
    expect_error(path, Code.SIZE_BLANK, "Tiers!B3", "blank", "whole number")


def test_duplicate_tier(tmp_path: Path) -> None:
    tiers = [DEFAULT_TIERS[0], ("tier 1", 3, "Other", 1), DEFAULT_TIERS[2]]
    path = workbook(tmp_path, tiers=tiers)
    expect_error(path, Code.DUPLICATE_KEY, "Tiers!A3", "'tier 1'", "Tiers!A2", "once")


def test_negative_tier_hours(tmp_path: Path) -> None:
    tiers = [("Tier 1", 2, "Cadence", -6), *DEFAULT_TIERS[1:]]
    path = workbook(tmp_path, tiers=tiers)
    expect_error(path, Code.OUT_OF_RANGE, "Tiers!D2", "-6", "≥ 0")


def test_same_service_level_and_hours_is_a_warning(tmp_path: Path) -> None:
    tiers = [("Tier 1", 2, "Monthly review", 2), ("Tier 2", 3, "monthly review", 2),
             ("Tier 3", None, "Portal", 0)]
    path = workbook(tmp_path, tiers=tiers)
    warning = expect_warning(path, Code.UNDIFFERENTIATED_TIERS, "Tiers!C3")
    assert "Tier 1" in warning.message and "Tier 2" in warning.message


# --- Team ----------------------------------------------------------------------------------------

def test_duplicate_member(tmp_path: Path) -> None:
    path = workbook(tmp_path, team=[("Ana", 20, None), ("Ana", 10, None)])
    expect_error(path, Code.DUPLICATE_KEY, "Team!A3", "'Ana'", "Team!A2", "once")


@pytest.mark.parametrize(("hours", "code", "shown"), [
    (-10, Code.OUT_OF_RANGE, "-10"), ("lots", Code.NOT_A_NUMBER, "'lots'"),
])
def test_bad_member_hours(tmp_path: Path, hours: object, code: Code, shown: str) -> None:
    path = workbook(tmp_path, team=[("Ana", 20, None), ("Ben", hours, None)])
    expect_error(path, code, "Team!B3", shown, "≥ 0")


def test_focus_tiers_naming_no_tier(tmp_path: Path) -> None:
    path = workbook(tmp_path, team=[("Ana", 20, "Tier 1, Gold"), ("Ben", 10, None)])
    expect_error(path, Code.UNKNOWN_TIER, "Team!C2", "'Gold'", "Tier 1, Tier 2, Tier 3")


# --- Roster --------------------------------------------------------------------------------------

def test_blank_partner_id_with_other_cells(tmp_path: Path) -> None:
    rows = [ROWS[0], [None, "Orphan", None, 3, 3, 3, 3], ROWS[1]]
    path = workbook(tmp_path, roster_rows=rows)
    expect_error(path, Code.BLANK_KEY, "Roster!A3", "blank Partner ID", "Roster!B3")


def test_duplicate_partner_id(tmp_path: Path) -> None:
    rows = [ROWS[0], ROWS[1], ["P1", "Again", None, 2, 2, 2, 2]]
    path = workbook(tmp_path, roster_rows=rows)
    expect_error(path, Code.DUPLICATE_KEY, "Roster!A4", "'P1'", "Roster!A2", "once")


@pytest.mark.parametrize(("value", "code", "shown"), [
    ("high", Code.NOT_A_NUMBER, "'high'"),
    ("[red]:B:", Code.NOT_A_NUMBER, "'[red]:B:'"),
    (6, Code.OUT_OF_RANGE, "6"),
    (0, Code.OUT_OF_RANGE, "0"),
    (5.5, Code.OUT_OF_RANGE, "5.5"),
])
def test_bad_factor_score(tmp_path: Path, value: object, code: Code, shown: str) -> None:
    rows = [ROWS[0], ["P2", "Beta", None, 3, 3, value, 3], ROWS[2]]
    path = workbook(tmp_path, roster_rows=rows)
    expect_error(path, code, "Roster!F3", shown, "1 to 5")


def test_factor_score_out_of_a_custom_scale(tmp_path: Path) -> None:
    rows = [ROWS[0], ["P2", "Beta", None, 3, 3, 11, 0], ROWS[2]]
    path = workbook(tmp_path, settings={**COUNT, "Scale min": 0, "Scale max": 10}, roster_rows=rows)
    expect_error(path, Code.OUT_OF_RANGE, "Roster!F3", "11", "0 to 10")


def test_blank_score_under_error_policy(tmp_path: Path) -> None:
    rows = [ROWS[0], ["P2", "Beta", None, 3, None, 3, 3], ROWS[2]]
    path = workbook(tmp_path, roster_rows=rows)
    expect_error(path, Code.MISSING_SCORE, "Roster!E3", "blank", "1 to 5")


def test_override_naming_no_tier(tmp_path: Path) -> None:
    rows = [ROWS[0], [*ROWS[1], "Platinum", "Strategic"], ROWS[2]]
    path = workbook(tmp_path, roster_header=OVERRIDE_HEADER, roster_rows=rows)
    expect_error(path, Code.UNKNOWN_TIER, "Roster!H3", "'Platinum'", "Tier 1, Tier 2, Tier 3")


def test_override_without_reason(tmp_path: Path) -> None:
    rows = [ROWS[0], [*ROWS[1], "Tier 1", None], ROWS[2]]
    path = workbook(tmp_path, roster_header=OVERRIDE_HEADER, roster_rows=rows)
    expect_error(path, Code.REASON_REQUIRED, "Roster!I3", "Tier 1", "Override reason")


# --- Missing sheets and columns ------------------------------------------------------------------

@pytest.mark.parametrize("sheet", ["Settings", "Factors", "Tiers", "Roster"])
def test_missing_sheet(tmp_path: Path, sheet: str) -> None:
    path = workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    del wb[sheet]
    wb.save(path)
    expect_error(path, Code.MISSING_SHEET, f"{sheet}!A1", f"'{sheet}'")


def test_missing_roster_partner_id_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, roster_header=["ID", "Partner", "Partner manager", *FACTOR_NAMES])
    expect_error(path, Code.MISSING_COLUMN, "Roster!1:1", "'Partner ID'", only=False)


def test_missing_weight_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, factors_header=("Factor", "Importance"))
    expect_error(path, Code.MISSING_COLUMN, "Factors!1:1", "'Weight'")


def test_missing_tiers_hours_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, tiers_header=("Tier", "Size", "Service level", "Hours"))
    expect_error(path, Code.MISSING_COLUMN, "Tiers!1:1", "'Hours per partner per month'",
                 only=False)


def test_missing_team_hours_column(tmp_path: Path) -> None:
    path = workbook(tmp_path, team_header=("Member", "Hours", "Focus tiers"))
    expect_error(path, Code.MISSING_COLUMN, "Team!1:1", "'Hours per month'")


# --- All at once ---------------------------------------------------------------------------------

def test_errors_in_several_sheets_are_reported_together(tmp_path: Path) -> None:
    path = workbook(
        tmp_path,
        settings={"Quarter": "2026-Q9", "Tier method": "count"},
        factors=[("Customer overlap", 35), ("Sales engagement", 0), *DEFAULT_FACTORS[2:]],
        tiers=tiers_with("two"),
        team=[("Ana", 20, None), ("Ben", -1, None)],
        roster_rows=[ROWS[0], ["P2", "Beta", None, 3, 3, 3, 9], ROWS[2]],
    )
    problems = problems_of(path)
    assert [(p.code, p.where) for p in problems] == [
        (Code.BAD_QUARTER, "Settings!B2"),
        (Code.OUT_OF_RANGE, "Factors!B3"),
        (Code.NOT_A_NUMBER, "Tiers!B2"),
        (Code.OUT_OF_RANGE, "Team!B3"),
        (Code.OUT_OF_RANGE, "Roster!G3"),
    ]


def test_an_error_after_a_good_run_writes_nothing(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    rescore_file(path, run_by="tester")
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["D3"] = "n/a"
    wb.save(path)
    expect_error(path, Code.NOT_A_NUMBER, "Roster!D3", "'n/a'", "1 to 5")
    assert len(table(path, "Log")) == 1


def test_an_empty_roster_rescores_with_a_warning(tmp_path: Path) -> None:
    path = workbook(tmp_path, roster_rows=[])
    outcome = rescore_file(path)
    assert outcome.partners == 0
    assert [(w.code, w.where) for w in outcome.warnings if w.code == Code.NO_PARTNERS] == [
        (Code.NO_PARTNERS, "Roster!A2")]
