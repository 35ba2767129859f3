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
    assert [(w.code, w.where) for w in outcome.warnings] == [
        (Code.NOT_DISTRIBUTED, "maya.xlsx"), (Code.NOT_DISTRIBUTED, "jonas.xlsx")]
    assert "every filled score counts as changed" in outcome.warnings[0].message


def other_warnings(outcome: Any) -> list[Any]:
    """The warnings beyond each hand-made return's `not-distributed`."""
    return [w for w in outcome.warnings if w.code != Code.NOT_DISTRIBUTED]


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
    assert [(w.code, w.where) for w in other_warnings(outcome)] == [(Code.NO_CHANGE, "jonas.xlsx")]


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
    (warning,) = other_warnings(outcome)
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
    warnings = other_warnings(outcome)
    assert [(w.code, w.where) for w in warnings] == [
        (Code.NO_CHANGE, "same.xlsx"), (Code.NO_CHANGE, "empty.xlsx")]
    assert "equal the master's" in warnings[0].message
    assert "no factor scores" in warnings[1].message
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


# --- distributed copies: merged three ways against what was sent ----------------------------

TEAM = [("Ana", 20, None), ("Ben", 10, None), ("Cy", 10, None)]
DIST_HEADER = ["Partner ID", "Partner", "Partner manager", *FACTORS, "Tier override",
               "Override reason"]
DIST_ROWS: list[list[Any]] = [
    ["P1", "Alpha", "Ana", 5, 4, 3, 2, None, None],
    ["P2", "Beta", "Ana", 3, 3, 3, 3, None, None],
    ["P3", "Gamma", "Ben", 2, 2, 2, 2, None, None],
    ["P4", "Delta", "Ben", 4, 4, 4, 4, None, None],
    ["P5", "Eps", "Cy", 1, 1, 1, 1, "Tier 1", "Strategic account"],
    ["P6", "Zeta", "Cy", None, None, None, None, None, None],
]


def dist_master(tmp_path: Path, quarter: str = "2026-Q4") -> Path:
    return build_workbook(tmp_path / "partners.xlsx", roster_header=DIST_HEADER,
                          roster_rows=DIST_ROWS, team=TEAM,
                          settings={"Quarter": quarter, "Tier method": "count",
                                    "Missing scores": "lowest"})


def copies(master_path: Path, tmp_path: Path) -> dict[str, Path]:
    from xl_prioritize.distribute import distribute

    return {w.manager or "": w.path for w in distribute(master_path, tmp_path / "outbox")}


def edit(path: Path, changes: dict[tuple[str, str], object], *, sheet: str = "Roster",
         key: str = "Partner ID") -> Path:
    """Type values into cells found by row key and column header, as a person would, and save."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    header = [cell.value for cell in ws[1]]
    rows = {str(ws.cell(r, header.index(key) + 1).value): r for r in range(2, ws.max_row + 1)
            if ws.cell(r, header.index(key) + 1).value is not None}
    for (row_key, column), value in changes.items():
        target = ws.cell(rows[row_key], header.index(column) + 1)
        target.value = value
        if isinstance(value, str):
            target.data_type = "s"  # typed text, even `=1+1`
    book.save(path)
    return path


def roster_values(path: Path) -> dict[str, dict[str, Any]]:
    return {r["Partner ID"]: r for r in table(path, "Roster") if r["Partner ID"] is not None}


def test_a_score_the_lead_changed_after_sending_is_not_reverted(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(path, {("P1", "Solution fit"): 5})  # the lead corrects a score after sending
    edit(sent["Ana"], {("P2", "Market reach"): 4})  # Ana changes another one
    outcome = collect_returns(path, [sent["Ana"]])
    assert [(ch.cell, ch.old, ch.new) for ch in outcome.changes] == [("Roster!G3", 3, 4)]
    rows = roster_values(path)
    assert rows["P1"]["Solution fit"] == 5 and rows["P2"]["Market reach"] == 4
    (summary,) = outcome.returns
    assert (summary.distributed, summary.unchanged, summary.kept, summary.changed) == (
        True, 7, 1, 1)
    assert outcome.warnings == []


def test_a_blank_in_a_return_clears_nothing(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P1", "Customer overlap"): None})
    before = digest(path)
    outcome = collect_returns(path, [sent["Ana"]])
    assert outcome.changes == [] and not outcome.written
    assert [w.code for w in outcome.warnings] == [Code.NO_CHANGE]
    assert digest(path) == before


def test_late_return_from_last_quarter_is_refused_then_reverts_nothing(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    late = edit(sent["Ana"], {("P2", "Market reach"): 5})
    # The lead moves on to 2027-Q1 and edits 15 scores, 7 of them Ana's.
    lead = {("P1", f): 1 for f in FACTORS} | {("P2", f): 1 for f in FACTORS[:3]} \
        | {(p, f): 5 for p in ("P3", "P4") for f in FACTORS}
    assert len(lead) == 15
    edit(path, {("2026-Q4" and "Quarter", "Value"): "2027-Q1"}, sheet="Settings", key="Setting")
    edit(path, lead)
    before = digest(path)

    result = CliRunner().invoke(cli, ["collect", str(path), str(late)], env=WIDE)
    assert result.exit_code == 2, result.output
    assert "[other-quarter]" in result.output
    assert "sent for 2026-Q4, and the master is now in 2027-Q1" in result.output
    assert "--accept-quarter 2026-Q4" in result.output
    assert digest(path) == before

    result = CliRunner().invoke(cli, ["collect", str(path), str(late), "--accept-quarter",
                                      "2026-Q4"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "1 cell changed" in result.output
    assert "7 as sent (left alone), of which 7 newer in the master (kept)" in result.output
    rows = roster_values(path)
    assert rows["P2"]["Market reach"] == 5
    for (pid, factor), value in lead.items():
        assert rows[pid][factor] == value, (pid, factor)


def test_changed_in_both_is_a_conflict_until_settled(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(path, {("P3", "Sales engagement"): 4})  # sent 2, the lead now says 4
    ben = edit(sent["Ben"], {("P3", "Sales engagement"): 3, ("P4", "Market reach"): 1})
    before = digest(path)
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [ben])
    (problem,) = caught.value.problems
    assert problem.code == Code.CHANGED_IN_BOTH
    assert problem.where == "partners - Ben.xlsx Roster!F2"
    for part in ("'P3' (Gamma)", "'Sales engagement'", "sent 2", "returned 3", "master now 4",
                 "Roster!E4", "--take-theirs", "--keep-ours"):
        assert part in problem.message, part
    assert digest(path) == before, "nothing is written while a conflict remains"

    kept = collect_returns(path, [ben], keep_ours=True, dry_run=True)
    assert [(k.cell, k.taken) for k in kept.conflicts] == [("Roster!E4", "ours")]
    assert [ch.cell for ch in kept.changes] == ["Roster!G5"]

    result = CliRunner().invoke(cli, ["collect", str(path), str(ben), "--take-theirs"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "1 conflict(s)" in result.output and "returned" in result.output
    rows = roster_values(path)
    assert (rows["P3"]["Sales engagement"], rows["P4"]["Market reach"]) == (3, 1)


def test_take_theirs_and_keep_ours_together_are_refused(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--take-theirs",
                                      "--keep-ours"], env=WIDE)
    assert result.exit_code == 2 and "give one" in result.output


def test_two_returns_changing_one_score_differently_stay_a_conflict(tmp_path: Path) -> None:
    import shutil

    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    second = tmp_path / "Ana again.xlsx"
    shutil.copy(sent["Ana"], second)
    edit(sent["Ana"], {("P1", "Market reach"): 4})
    edit(second, {("P1", "Market reach"): 5})
    before = digest(path)
    for flags in ({}, {"take_theirs": True}, {"keep_ours": True}):
        with pytest.raises(InputErrors) as caught:
            collect_returns(path, [sent["Ana"], second], **flags)  # type: ignore[arg-type]
        assert caught.value.codes == [Code.CONFLICT], flags
        assert "partners - Ana.xlsx Roster!H2" in caught.value.problems[0].message
    assert digest(path) == before


def test_override_proposals_are_listed_and_taken_only_when_asked(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P2", "Tier override"): "tier 2", ("P2", "Override reason"): "=1+1 deal"})
    before = digest(path)
    outcome = collect_returns(path, [sent["Ana"]])
    (proposal,) = outcome.proposals
    assert (proposal.partner_id, proposal.tier, proposal.reason, proposal.manager) == (
        "P2", "Tier 2", "=1+1 deal", "Ana")
    assert not outcome.written and digest(path) == before, "a proposal alone writes nothing"
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"])], env=WIDE)
    assert "1 Tier override proposal(s), not written: pass --take-overrides" in result.output

    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--take-overrides"],
                                env=WIDE)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(path)["Roster"]
    assert (ws["H3"].value, ws["I3"].value, ws["I3"].data_type) == ("Tier 2", "=1+1 deal", "s")
    assert rescore_ok(path)


def rescore_ok(path: Path) -> bool:
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    return result.exit_code == 0


def test_a_proposal_without_a_reason_or_with_an_unknown_tier_is_an_input_error(
    tmp_path: Path,
) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P1", "Tier override"): "Tier 1", ("P2", "Tier override"): "Gold",
                       ("P2", "Override reason"): "big", ("P2", "Solution fit"): 1})
    before = digest(path)
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [sent["Ana"]], take_overrides=True)
    assert [(p.code, p.where) for p in caught.value.problems] == [
        (Code.REASON_REQUIRED, "partners - Ana.xlsx Roster!J2"),
        (Code.UNKNOWN_TIER, "partners - Ana.xlsx Roster!I3")]
    assert digest(path) == before


def test_the_sent_override_left_as_it_is_is_no_proposal(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    assert roster_values(sent["Cy"])["P5"]["Tier override"] == "Tier 1"
    outcome = collect_returns(path, [sent["Cy"]])
    assert outcome.proposals == []


def test_a_copy_whose_record_was_edited_is_an_input_error(tmp_path: Path) -> None:
    from xl_prioritize.workbook.sent import SENT_SHEET

    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    book = openpyxl.load_workbook(sent["Ana"])
    ws = book[SENT_SHEET]
    assert (ws["A11"].value, ws["B10"].value, ws["B11"].value) == ("P1", "Customer overlap", 5)
    ws["B11"] = 1  # what was sent, "corrected" by hand
    book.save(sent["Ana"])
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [sent["Ana"]])
    assert caught.value.codes == [Code.SENT_RECORD]
    assert "'Sent (do not edit)'!B4" in caught.value.problems[0].where


def test_a_copy_given_as_the_master_is_refused(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    with pytest.raises(InputErrors) as caught:
        collect_returns(sent["Ana"], [sent["Ben"]])
    assert caught.value.codes == [Code.MANAGER_COPY]


def test_a_copy_collected_into_another_master_is_warned(tmp_path: Path) -> None:
    import shutil

    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    renamed = tmp_path / "partners-2026.xlsx"
    shutil.copy(path, renamed)
    edit(sent["Ana"], {("P1", "Market reach"): 4})
    outcome = collect_returns(renamed, [sent["Ana"]])
    assert [w.code for w in outcome.warnings] == [Code.OTHER_MASTER]
    assert [ch.cell for ch in outcome.changes] == ["Roster!G2"]


# --- the collection report -------------------------------------------------------------------


def test_the_report_per_manager_and_the_partners_still_unscored(tmp_path: Path) -> None:
    import csv

    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P1", "Market reach"): 4, ("P2", "Tier override"): "Tier 1",
                       ("P2", "Override reason"): "=HYPERLINK(\"x\")"})
    edit(sent["Cy"], {("P6", "Customer overlap"): 3})
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), str(sent["Cy"]),
                                      "--report", str(report)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Not returned: Ben (2 partner(s))" in result.output
    assert "Still unscored: 1 partner(s): P6" in result.output
    lines = list(csv.reader(report.read_text(encoding="utf-8-sig").splitlines()))
    assert lines[0] == ["Partner manager", "Partners", "Returned", "Files", "Quarter",
                        "Cells changed", "Conflicts", "Proposals"]
    assert lines[1:4] == [["Ana", "2", "yes", "partners - Ana.xlsx", "2026-Q4", "1", "0", "1"],
                          ["Ben", "2", "no", "", "", "0", "0", "0"],
                          ["Cy", "2", "yes", "partners - Cy.xlsx", "2026-Q4", "1", "0", "0"]]
    assert ["P2", "Beta", "Tier 1", "'=HYPERLINK(\"x\")", "Ana", "", "partners - Ana.xlsx Roster!I3",
            "proposed"] in lines
    assert ["P6", "Zeta", "Cy", "Sales engagement, Solution fit, Market reach"] in lines
    assert "report.csv" not in openpyxl.load_workbook(path).sheetnames


def test_the_report_as_xlsx_keeps_text_as_text(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P2", "Tier override"): "Tier 1", ("P2", "Override reason"): "=1+1"})
    report = tmp_path / "report.xlsx"
    sheets_before = openpyxl.load_workbook(path).sheetnames
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--report",
                                      str(report), "--dry-run"], env=WIDE)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["Managers", "Changes", "Conflicts", "Proposals", "Unscored"]
    reason = book["Proposals"]["D2"]
    assert (reason.value, reason.data_type) == ("=1+1", "s")
    assert openpyxl.load_workbook(path).sheetnames == sheets_before


def test_the_report_never_goes_into_the_master(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    before = digest(path)
    for target in (path, tmp_path / "report.txt"):
        result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--report",
                                          str(target)], env=WIDE)
        assert result.exit_code == 2, result.output
    assert digest(path) == before


# --- a full quarter --------------------------------------------------------------------------


def test_a_full_quarter_distribute_three_returns_collect_rescore(tmp_path: Path,
                                                                  recalc: Any) -> None:
    path = dist_master(tmp_path)
    assert rescore_ok(path)
    outbox = tmp_path / "outbox"
    result = CliRunner().invoke(cli, ["distribute", str(path), str(outbox), "--due", "2026-12-15"],
                                env=WIDE)
    assert result.exit_code == 0, result.output
    ana, ben, cy = (outbox / f"partners - {m}.xlsx" for m in ("Ana", "Ben", "Cy"))
    edit(path, {("P3", "Sales engagement"): 4})  # the lead, after sending

    # Ana scores one partner higher and proposes a tier, in LibreOffice.
    edit(ana, {("P2", "Solution fit"): 5, ("P2", "Tier override"): "Tier 1",
               ("P2", "Override reason"): "Joint launch next quarter"})
    ana_back = recalc(ana)
    # Ben changes the score the lead changed too, and another.
    edit(ben, {("P3", "Sales engagement"): 3, ("P4", "Customer overlap"): 5})

    returns = [str(ana_back), str(ben)]
    before = digest(path)
    result = CliRunner().invoke(cli, ["collect", str(path), *returns], env=WIDE)
    assert result.exit_code == 2
    assert "partners - Ben.xlsx Roster!F2: partner 'P3' (Gamma), 'Sales engagement': sent 2, " \
           "returned 3, master now 4 at Roster!E4" in result.output
    assert digest(path) == before

    report = tmp_path / "collected.xlsx"
    result = CliRunner().invoke(cli, ["collect", str(path), *returns, "--take-theirs",
                                      "--take-overrides", "--report", str(report), "--rescore"],
                                env=WIDE)
    assert result.exit_code == 0, result.output
    assert "3 cells changed" in result.output and "Not returned: Cy (2 partner(s))" in result.output
    assert "6 partners re-scored" in result.output
    rows = roster_values(path)
    assert (rows["P2"]["Solution fit"], rows["P3"]["Sales engagement"],
            rows["P4"]["Customer overlap"]) == (5, 3, 5)
    assert (rows["P2"]["Tier override"], rows["P2"]["Tier"]) == ("Tier 1", "Tier 1")
    managers = table(report, "Managers")
    assert [(m["Partner manager"], m["Returned"], m["Cells changed"], m["Conflicts"],
             m["Proposals"]) for m in managers] == [
        ("Ana", "yes", 1, 0, 1), ("Ben", "yes", 2, 1, 0), ("Cy", "no", 0, 0, 0)]

    # A new quarter: the lead moves on and rescored Cy's partner P5; Cy's copy comes back late.
    edit(path, {("Quarter", "Value"): "2027-Q1"}, sheet="Settings", key="Setting")
    edit(path, {("P5", f): 3 for f in FACTORS})
    edit(cy, {("P6", f): 4 for f in FACTORS})
    result = CliRunner().invoke(cli, ["collect", str(path), str(cy)], env=WIDE)
    assert result.exit_code == 2 and "[other-quarter]" in result.output
    result = CliRunner().invoke(cli, ["collect", str(path), str(cy), "--accept-quarter", "2026-Q4",
                                      "--rescore"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "4 cells changed" in result.output
    assert "4 as sent (left alone), of which 4 newer in the master (kept)" in result.output
    rows = roster_values(path)
    assert [rows["P5"][f] for f in FACTORS] == [3, 3, 3, 3], "nothing reverted"
    assert [rows["P6"][f] for f in FACTORS] == [4, 4, 4, 4]
    book = openpyxl.load_workbook(path)
    assert "Archive 2026-Q4" in book.sheetnames
    assert [r["Quarter"] for r in table(path, "Log")] == ["2026-Q4", "2026-Q4", "2027-Q1"]


def test_unsettled_conflicts_are_in_the_report_and_the_master_untouched(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(path, {("P1", "Market reach"): 5})
    edit(sent["Ana"], {("P1", "Market reach"): 3})
    before = digest(path)
    report = tmp_path / "conflicts.csv"
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--report",
                                      str(report)], env=WIDE)
    assert result.exit_code == 2 and "[changed-in-both]" in result.output
    assert digest(path) == before
    text = report.read_text(encoding="utf-8-sig")
    assert "P1,Alpha,Market reach,2,3,5,partners - Ana.xlsx Roster!H2,Roster!G2,unsettled" in text


def test_a_hand_made_return_proposes_overrides_too(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Tier override", "Override reason"],
                      [["P5", "Tier 1", "Strategic account"], ["P6", "Tier 2", "New logo"]])
    outcome = collect_returns(path, [ret])
    assert [(p.partner_id, p.tier, p.manager) for p in outcome.proposals] == [
        ("P6", "Tier 2", "r.xlsx")], "P5's override is the master's already"
    assert [w.code for w in outcome.warnings] == [Code.NOT_DISTRIBUTED]


def test_accept_quarter_takes_a_quarter(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--accept-quarter",
                                      "Q4"], env=WIDE)
    assert result.exit_code == 2 and "YYYY-Qn" in result.output


def test_a_partner_added_to_a_copy_by_hand_conflicts_with_the_masters_score(
    tmp_path: Path,
) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    book = openpyxl.load_workbook(sent["Ana"])
    book["Roster"].append(["P3", "Gamma", None, "Ana", 5])  # Ben's partner, typed in by Ana
    book.save(sent["Ana"])
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [sent["Ana"]])
    (problem,) = caught.value.problems
    assert problem.code == Code.CHANGED_IN_BOTH
    assert "sent not sent" not in problem.message and "'P3' (Gamma)" in problem.message
    outcome = collect_returns(path, [sent["Ana"]], keep_ours=True)
    assert [(k.sent, k.returned, k.master) for k in outcome.conflicts] == [("not sent", 5, 2)]
    assert outcome.changes == []


def test_hand_made_returns_disagreeing_where_one_equals_the_master_still_conflict(
    tmp_path: Path,
) -> None:
    path = master(tmp_path)
    same = hand_return(tmp_path / "same.xlsx", ["Partner ID", "Solution fit"], [["P2", 3]])
    other = hand_return(tmp_path / "other.xlsx", ["Partner ID", "Solution fit"], [["P2", 1]])
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [same, other])
    assert caught.value.codes == [Code.CONFLICT]


def test_a_copy_left_as_sent_has_no_say_against_another_return(tmp_path: Path) -> None:
    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    other = hand_return(tmp_path / "other.xlsx", ["Partner ID", "Solution fit"], [["P1", 1]])
    outcome = collect_returns(path, [sent["Ana"], other])
    assert [(ch.cell, ch.new, ch.source) for ch in outcome.changes] == [
        ("Roster!F2", 1, "other.xlsx Roster!B2")]


def test_a_report_that_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import xl_prioritize.collect_report as report_module

    path = dist_master(tmp_path)
    sent = copies(path, tmp_path)
    edit(sent["Ana"], {("P1", "Market reach"): 4})
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--report",
                                      str(tmp_path / "nowhere" / "r.csv")], env=WIDE)
    assert result.exit_code == 2 and "folder does not exist" in result.output

    def disk_full(outcome: object, path: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_module, "write_report", disk_full)
    result = CliRunner().invoke(cli, ["collect", str(path), str(sent["Ana"]), "--report",
                                      str(tmp_path / "r.csv")], env=WIDE)
    assert result.exit_code == 4, result.output
    assert "The report could not be written" in result.output
    assert "No space left on device" in result.output
    assert "1 cell changed" in result.output, "the master was collected; only the report failed"


def test_taking_proposals_needs_the_masters_override_columns(tmp_path: Path) -> None:
    from xl_prioritize.distribute import distribute

    path = master(tmp_path, [["P1", "Alpha", "Ana", 5, 4, 3, 2]], team=TEAM)
    (ana,) = distribute(path, tmp_path / "outbox")
    edit(ana.path, {("P1", "Tier override"): "Tier 2", ("P1", "Override reason"): "new team"})
    assert [p.tier for p in collect_returns(path, [ana.path]).proposals] == ["Tier 2"]
    before = digest(path)
    with pytest.raises(InputErrors) as caught:
        collect_returns(path, [ana.path], take_overrides=True)
    assert [(p.code, p.where) for p in caught.value.problems] == [
        (Code.MISSING_COLUMN, "master.xlsx Roster!1:1")]
    assert digest(path) == before


def test_the_master_is_written_through_the_part_writer_where_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys
    import types

    from xl_prioritize.adapters.files import FileWorkbook

    opened: list[Path] = []

    class PackageWorkbook(FileWorkbook):  # stands in for adapters.package until it lands
        def __init__(self, path: Path) -> None:
            opened.append(path)
            super().__init__(path)

    fake = types.ModuleType("xl_prioritize.adapters.package")
    fake.PackageWorkbook = PackageWorkbook  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "xl_prioritize.adapters.package", fake)
    path = master(tmp_path)
    ret = hand_return(tmp_path / "r.xlsx", ["Partner ID", "Solution fit"], [["P2", 5]])
    outcome = collect_returns(path, [ret])
    assert outcome.written and opened == [path], "the master only; returns are read as files"
    assert roster_values(path)["P2"]["Solution fit"] == 5
