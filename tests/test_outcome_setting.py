"""The `Outcome` setting: a known setting naming a Roster column that a re-score never reads."""

from __future__ import annotations

from pathlib import Path

from builders import DEFAULT_FACTORS, build_workbook, table

from xl_prioritize.problems import Code
from xl_prioritize.rescore import rescore_file

FACTORS = [f for f, _ in DEFAULT_FACTORS]
HEADER = ["Partner ID", "Partner", "Partner manager", *FACTORS, "Sourced pipeline"]
ROWS = [["P1", "Alpha", None, 5, 4, 3, 2, 120000], ["P2", "Beta", None, 3, 3, 3, 3, "n/a"],
        ["P3", "Gamma", None, 1, 2, 1, 2, -5], [None, None, None, None, None, None, None, 7]]


def rescore(tmp_path: Path, outcome: object, header: list[str] = HEADER):
    settings = {"Quarter": "2026-Q4", "Tier method": "count", "Outcome": outcome}
    path = build_workbook(tmp_path / "outcome.xlsx", settings=settings, roster_header=header,
                          roster_rows=ROWS)
    return path, rescore_file(path, run_by="test")


def test_outcome_names_a_roster_column_matched_like_headers(tmp_path: Path) -> None:
    # Text, a negative number and a row with only an outcome: none of it is read, none an error.
    path, done = rescore(tmp_path, "  sourced PIPELINE ")
    assert done.inputs.settings.outcome == "Sourced pipeline"
    assert [w.code for w in done.warnings if w.where.startswith("Settings")] == []
    assert [r["Rank"] for r in table(path, "Roster") if r["Partner ID"]] == [1, 2, 3]


def test_the_outcome_column_changes_no_result(tmp_path: Path) -> None:
    _, with_outcome = rescore(tmp_path, "Sourced pipeline")
    _, without = rescore(tmp_path, None)
    assert without.inputs.settings.outcome is None
    assert with_outcome.results.rank.tolist() == without.results.rank.tolist()
    assert with_outcome.results.capacity.assigned_to == without.results.capacity.assigned_to


def test_outcome_naming_no_roster_column_is_a_warning(tmp_path: Path) -> None:
    path, done = rescore(tmp_path, "Revenue")
    warned = [w for w in done.warnings if w.code == Code.OUTCOME_NOT_IN_ROSTER]
    assert [w.where for w in warned] == ["Settings!B4"]
    assert "'Revenue'" in warned[0].message and "Sourced pipeline" in warned[0].message
    assert done.inputs.settings.outcome is None
    assert table(path, "Log")  # the re-score went through
