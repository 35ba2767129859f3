"""Collecting partner managers' returns into the master (the Distribute moment)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import build_workbook, digest, table
from xl_prioritize.cli import cli
from xl_prioritize.collect import collect_returns
from xl_prioritize.problems import Code, InputErrors, WorkbookBusy
from xl_prioritize.template import DEFAULT_CONTENT, WorkbookContent, write_workbook
from xl_prioritize.workbook.ops import WriteBlock

WIDE = {"COLUMNS": "250"}
FACTORS = ["Customer overlap", "Sales engagement", "Solution fit", "Market reach"]
# Partner ID, Partner, Partner manager, then the four factors (columns D:G)
MASTER_ROWS = [["P1", "Alpha", "Ana", 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3],
               ["P3", "Gamma", None, None, None, None, None], ["P4", "Delta", None, 4, 4, 4, 4]]


def all_cells(path: Path) -> dict[tuple[str, str], Any]:
    """Every non-blank cell of every sheet, formulas as text."""
    book = openpyxl.load_workbook(path)
    return {(ws.title, cell.coordinate): cell.value for ws in book.worksheets
            for row in ws.iter_rows() for cell in row if cell.value is not None}


def master(tmp_path: Path, rows: list[list[Any]] = MASTER_ROWS, **kw: Any) -> Path:
    return build_workbook(tmp_path / "master.xlsx", roster_rows=rows, **kw)


def hand_return(path: Path, header: list[str], rows: list[list[Any]], *,
                sheet: str = "Roster") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def template_return(path: Path, partners: list[dict[str, object]],
                    content: WorkbookContent = DEFAULT_CONTENT) -> Path:
    return write_workbook(path, replace(content, partners=tuple(partners)))


# --- values land in the right cells, nothing else moves -------------------------------------


def test_template_returns_land_in_the_master_and_nothing_else_changes(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = all_cells(path)
    maya = template_return(tmp_path / "maya.xlsx", [
        {"Partner ID": "P3", "Partner": "Gamma (renamed)", "Customer overlap": 2,
         "Sales engagement": 5, "Solution fit": 1, "Market reach": 4},
        {"Partner ID": "P1", "Customer overlap": 1},  # the rest blank: left as they are
    ])
    jonas = template_return(tmp_path / "jonas.xlsx", [
        {"Partner ID": "P4", "Market reach": 4.5, "Solution fit": 4},  # 4 = master's: no change
    ])
    outcome = collect_returns(path, [maya, jonas])
    assert outcome.written
    changed = {ch.cell: (ch.old, ch.new, ch.source) for ch in outcome.changes}
    assert changed == {
        "Roster!D2": (5, 1, "maya.xlsx Roster!E3"),
        "Roster!D4": (None, 2, "maya.xlsx Roster!E2"),
        "Roster!E4": (None, 5, "maya.xlsx Roster!F2"),
        "Roster!F4": (None, 1, "maya.xlsx Roster!G2"),
        "Roster!G4": (None, 4, "maya.xlsx Roster!H2"),
        "Roster!G5": (4, 4.5, "jonas.xlsx Roster!H2"),
    }
    assert [ch.cell for ch in outcome.changes] == sorted(
        changed, key=lambda ref: (int(ref[8:]), ref[7]))  # master row order, then column
    assert all(isinstance(op, WriteBlock) and op.sheet == "Roster" for op in outcome.plan)
    after = all_cells(path)
    expected = dict(before)
    for ref, (_, new, _) in changed.items():
        expected[("Roster", ref.split("!")[1])] = new
    assert after == expected  # the Partner name in maya.xlsx was not taken
    assert {s.name: (s.partners, s.scores, s.changed) for s in outcome.returns} == {
        "maya.xlsx": (2, 5, 5), "jonas.xlsx": (1, 2, 1)}
    assert outcome.warnings == []


def test_columns_in_another_order_extra_columns_and_missing_factors(tmp_path: Path) -> None:
    path = master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx",
                      ["  market REACH ", "Notes", "partner id", "Customer Overlap"],
                      [[1, "called them", "P2", 5], [None, "no reply", "P1", None]])
    outcome = collect_returns(path, [ret])
    assert {(ch.cell, ch.new, ch.source) for ch in outcome.changes} == {
        ("Roster!D3", 5, "r.xlsx Roster!D2"), ("Roster!G3", 1, "r.xlsx Roster!A2")}
    rows = {r["Partner ID"]: r for r in table(path, "Roster")}
    assert [rows["P2"][f] for f in FACTORS] == [5, 3, 3, 1]
    assert [rows["P1"][f] for f in FACTORS] == [5, 4, 3, 2]


def test_master_with_a_rescored_roster_keeps_its_outputs(tmp_path: Path) -> None:
    path = master(tmp_path, [r if r[0] != "P3" else ["P3", "Gamma", None, 1, 2, 1, 2]
                             for r in MASTER_ROWS])
    assert CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE).exit_code == 0
    before = all_cells(path)
    assert any(str(v).startswith("=") for v in before.values())  # the Score formulas
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P3", 5]])
    outcome = collect_returns(path, [ret])
    assert [ch.cell for ch in outcome.changes] == ["Roster!F4"]
    before[("Roster", "F4")] = 5
    assert all_cells(path) == before


def test_numeric_partner_ids_match_as_text(tmp_path: Path) -> None:
    path = master(tmp_path, [[1001, "Alpha", None, 1, 1, 1, 1], ["1002", "Beta", None, 1, 1, 1, 1]])
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Customer overlap"],
                      [["1001", 3], [1002.0, 4]])
    outcome = collect_returns(path, [ret])
    assert [(ch.partner_id, ch.new) for ch in outcome.changes] == [("1001", 3), ("1002", 4)]


def test_scale_from_settings(tmp_path: Path) -> None:
    path = master(tmp_path, settings={"Quarter": "2026-Q4", "Scale min": 0, "Scale max": 10,
                                      "Tier method": "count"})
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Customer overlap", "Market reach"],
                      [["P1", 0, 10], ["P2", 11, None]])
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [ret])
    assert [str(p) for p in caught.value.problems] == [
        "r.xlsx Roster!B3: 11 is outside the scale; expected a number from 0 to 10"]


# --- errors: exit 2, master untouched --------------------------------------------------------


def test_bad_values_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    maya = hand_return(tmp_path / "maya.xlsx",
                       ["Partner ID", "Partner", "Segment", "Partner manager", "Customer overlap",
                        "Sales engagement"],
                       [["P1", None, None, None, 3, None]] * 15 + [["P2", None, None, None, 4, "high"],
                                                                    ["P4", None, None, None, 0, True]])
    good = hand_return(tmp_path / "good.xlsx", ["Partner ID", "Market reach"], [["P3", 5]])
    result = CliRunner().invoke(cli, ["collect", str(path), str(good), str(maya)], env=WIDE)
    assert result.exit_code == 2, result.output
    assert "maya.xlsx Roster!F17: 'high' is not a number; expected a number from 1 to 5" in result.output
    assert "maya.xlsx Roster!E18: 0 is outside the scale; expected a number from 1 to 5" in result.output
    assert "maya.xlsx Roster!F18: TRUE is not a number" in result.output
    assert "3 input errors; nothing was written" in result.output
    assert digest(path) == before


def test_conflicting_returns_name_both_cells(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    maya = hand_return(tmp_path / "maya.xlsx", ["Partner ID", "Solution fit"], [["P2", 4]])
    jonas = hand_return(tmp_path / "jonas.xlsx", ["Solution fit", "Partner ID"],
                        [[None, "P1"], [2, "P2"]])
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [maya, jonas])
    (problem,) = caught.value.problems
    assert problem.code == Code.CONFLICT
    assert problem.where == "jonas.xlsx Roster!A3"
    assert "maya.xlsx Roster!B2" in problem.message and "2" in problem.message
    result = CliRunner().invoke(cli, ["collect", str(path), str(maya), str(jonas)], env=WIDE)
    assert result.exit_code == 2
    assert "jonas.xlsx Roster!A3" in result.output and "maya.xlsx Roster!B2" in result.output
    assert digest(path) == before


def test_agreeing_returns_are_no_conflict(tmp_path: Path) -> None:
    path = master(tmp_path)
    maya = hand_return(tmp_path / "maya.xlsx", ["Partner ID", "Solution fit"], [["P2", 4]])
    jonas = hand_return(tmp_path / "jonas.xlsx", ["Partner ID", "Solution fit"], [["P2", 4.0]])
    outcome = collect_returns(path, [maya, jonas])
    assert [(ch.cell, ch.source) for ch in outcome.changes] == [("Roster!F3", "maya.xlsx Roster!B2")]
    assert [(w.code, w.where) for w in outcome.warnings] == [(Code.NO_CHANGE, "jonas.xlsx")]


def test_a_return_without_roster_or_partner_id_is_an_error(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    no_sheet = hand_return(tmp_path / "a.xlsx", ["Partner ID", "Solution fit"], [["P2", 4]],
                           sheet="Partners")
    no_id = hand_return(tmp_path / "b.xlsx", ["ID", "Solution fit"], [["P2", 4]])
    blank_id = hand_return(tmp_path / "c.xlsx", ["Partner ID", "Solution fit"], [[None, 4]])
    not_excel = tmp_path / "d.xlsx"
    not_excel.write_text("Partner ID,Solution fit\nP2,4\n")
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [no_sheet, no_id, blank_id, not_excel])
    assert [(p.code, p.where) for p in caught.value.problems] == [
        (Code.MISSING_SHEET, "a.xlsx Roster!A1"),
        (Code.MISSING_COLUMN, "b.xlsx Roster!1:1"),
        (Code.BLANK_KEY, "c.xlsx Roster!A2"),
        (Code.UNREADABLE, "d.xlsx"),
    ]
    assert digest(path) == before


def test_master_problems_are_errors(tmp_path: Path) -> None:
    path = master(tmp_path, [*MASTER_ROWS, ["P1", "Again", None, 1, 1, 1, 1]],
                  settings={"Quarter": "2026-Q4", "Scale max": "five"})
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P2", 4]])
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret)], env=WIDE)
    assert result.exit_code == 2
    assert "master.xlsx Settings!B3: 'five' is not a number" in result.output
    assert "master.xlsx Roster!A6: Partner ID 'P1' appears again" in result.output


# --- warnings --------------------------------------------------------------------------------


def test_unknown_partner_ids_are_warned_not_added(tmp_path: Path) -> None:
    path = master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"],
                      [["P2", 5], ["P-NEW", 3], ["P-NEWER", None]])
    outcome = collect_returns(path, [ret])
    (warning,) = outcome.warnings
    assert warning.code == Code.UNKNOWN_PARTNER and warning.where == "r.xlsx Roster!A3"
    assert "'P-NEW', 'P-NEWER'" in warning.message and "not added" in warning.message
    assert [r["Partner ID"] for r in table(path, "Roster")] == ["P1", "P2", "P3", "P4"]
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret)], env=WIDE)
    assert result.exit_code == 0 and "not added" in result.output


def test_a_return_that_changes_nothing_is_warned_and_the_master_not_written(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    same = hand_return(tmp_path / "same.xlsx", ["Partner ID", *FACTORS], [MASTER_ROWS[0][:1] +
                                                                           MASTER_ROWS[0][3:]])
    empty = template_return(tmp_path / "empty.xlsx", [{"Partner ID": "P1"}])
    outcome = collect_returns(path, [same, empty])
    assert not outcome.written and outcome.changes == []
    assert [(w.code, w.where) for w in outcome.warnings] == [
        (Code.NO_CHANGE, "same.xlsx"), (Code.NO_CHANGE, "empty.xlsx")]
    assert "equal the master's" in outcome.warnings[0].message
    assert "no factor scores" in outcome.warnings[1].message
    assert digest(path) == before


# --- dry run, busy, --rescore ----------------------------------------------------------------


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P2", 5]])
    outcome = collect_returns(path, [ret], dry_run=True)
    assert [ch.cell for ch in outcome.changes] == ["Roster!F3"] and not outcome.written
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret), "--dry-run", "--rescore"],
                                env=WIDE)
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output and "Roster!F3" in result.output
    assert "r.xlsx Roster!B2" in result.output
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["master.xlsx", "r.xlsx"]


def test_refuses_while_excel_has_the_master_open(tmp_path: Path) -> None:
    path = master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P2", 5]])
    (tmp_path / "~$master.xlsx").write_bytes(b"\x05owner")
    before = digest(path)
    with pytest.raises(WorkbookBusy):
        collect_returns(path, [ret])
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret)], env=WIDE)
    assert result.exit_code == 3 and "open in Excel" in result.output
    assert digest(path) == before


def test_rescore_after_collecting(tmp_path: Path) -> None:
    path = master(tmp_path)
    ret = template_return(tmp_path / "r.xlsx", [
        {"Partner ID": "P3", "Customer overlap": 1, "Sales engagement": 2, "Solution fit": 1,
         "Market reach": 2}])
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret), "--rescore"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "4 cells changed" in result.output and "4 partners re-scored" in result.output
    rows = {r["Partner ID"]: r for r in table(path, "Roster")}
    assert rows["P3"]["Tier"] == "Tier 2" and rows["P4"]["Tier"] == "Tier 1"
    assert len(table(path, "Log")) == 1


def test_without_rescore_a_blank_master_score_stays_for_rescore_to_report(tmp_path: Path) -> None:
    path = master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P3", 5]])
    result = CliRunner().invoke(cli, ["collect", str(path), str(ret), "--rescore"], env=WIDE)
    assert result.exit_code == 2  # P3's other factors are still blank: the re-score says so
    assert "Roster!D4" in result.output
    assert table(path, "Roster")[2]["Solution fit"] == 5  # the collection itself was saved


def test_template_master_and_template_returns(tmp_path: Path) -> None:
    from xl_prioritize.demo import demo_content

    content = demo_content()
    path = write_workbook(tmp_path / "partners.xlsx", content)
    before = all_cells(path)
    mine = [dict(p) for p in content.partners if p.get("Partner manager") == "Maya Chen"][:5]
    assert mine
    for p in mine:
        p["Sales engagement"] = 6 - int(p["Sales engagement"])  # type: ignore[call-overload]
    ret = template_return(tmp_path / "maya.xlsx", mine, content)
    outcome = collect_returns(path, [ret])
    row_of = {p["Partner ID"]: i + 2 for i, p in enumerate(content.partners)}
    changed = {f"F{row_of[p['Partner ID']]}": p["Sales engagement"] for p in mine
               if p["Sales engagement"] != 3}  # 6 - 3 = 3: no change
    assert changed
    assert {ch.cell: ch.new for ch in outcome.changes} == {f"Roster!{k}": v for k, v in changed.items()}
    expected = dict(before) | {("Roster", ref): value for ref, value in changed.items()}
    assert all_cells(path) == expected
