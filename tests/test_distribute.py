"""Sending each partner manager a workbook to score in (the send-out half of Distribute)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import build_workbook, digest, table
from xl_prioritize.adapters.files import FileWorkbook
from xl_prioritize.cli import cli
from xl_prioritize.collect import collect_returns
from xl_prioritize.distribute import Distributed, distribute, file_name
from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import read_workbook, rescore_file
from xl_prioritize.template import DEFAULT_CONTENT, write_workbook
from xl_prioritize.workbook import contract as c
from xl_prioritize.workbook.sent import SENT_SHEET

WIDE = {"COLUMNS": "250"}
FACTORS = ["Customer overlap", "Sales engagement", "Solution fit", "Market reach"]
HEADER = ["Partner ID", "Partner", "Segment", "Partner manager", *FACTORS, "Tier override",
          "Override reason", "Notes"]
# Partner ID, Partner, Segment, Partner manager, the four factors (E:H), override, reason, notes
ROWS: list[list[Any]] = [
    ["P1", "Alpha", "Reseller", "Ana", 5, 4, 3, 2, "Tier 1", "Strategic", "a note"],
    ["P2", "Beta", None, None, 3, 3, 3, 3, None, None, None],
    [7, "Gamma", "SI", "Ben", 1, 2, 1, 2, None, None, None],
    ["P4", "Delta", "SI", " ana ", 4, 4, 4, 4, None, None, None],
    ["P5", "Eps", None, "Ben", 2.5, None, 2, 1, None, None, None],
]


def master(tmp_path: Path, rows: list[list[Any]] = ROWS, **kw: Any) -> Path:
    kw.setdefault("settings", {"Quarter": "2026-Q4", "Tier method": "count",
                               "Missing scores": "lowest"})
    return build_workbook(tmp_path / "partners.xlsx", roster_header=HEADER, roster_rows=rows,
                          **kw)


def all_cells(path: Path) -> dict[tuple[str, str], Any]:
    book = openpyxl.load_workbook(path)
    return {(ws.title, cell.coordinate): cell.value for ws in book.worksheets
            for row in ws.iter_rows() for cell in row if cell.value is not None}


class WithoutRecord(FileWorkbook):
    """A copy read as if it kept no record: the re-score's parse of what was sent."""

    def sheet_names(self) -> list[str]:
        return [n for n in super().sheet_names() if n != SENT_SHEET]


def parse_copy(path: Path) -> Any:
    return read_workbook(WithoutRecord(path))[0]


def roster(path: Path) -> list[dict[str, Any]]:
    return [r for r in table(path, "Roster") if r["Partner ID"] is not None]


# --- the full loop ---------------------------------------------------------------------------


def test_distribute_edit_collect_takes_exactly_the_edit(tmp_path: Path) -> None:
    path = master(tmp_path)
    written = distribute(path, tmp_path / "out")
    before = all_cells(path)

    ana = next(w for w in written if w.manager == "Ana")
    book = openpyxl.load_workbook(ana.path)
    ws = book["Roster"]
    header = [cell.value for cell in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "P4")
    ws.cell(row, header.index("Solution fit") + 1).value = 2
    book.save(ana.path)

    outcome = collect_returns(path, [w.path for w in written])
    assert outcome.written
    assert [(ch.cell, ch.old, ch.new) for ch in outcome.changes] == [("Roster!G5", 4, 2)]
    after = all_cells(path)
    assert after.pop(("Roster", "G5")) == 2
    assert before.pop(("Roster", "G5")) == 4
    assert after == before


def test_an_untouched_distribution_collects_to_no_change(tmp_path: Path) -> None:
    path = master(tmp_path)
    written = distribute(path, tmp_path / "out")
    before = digest(path)
    outcome = collect_returns(path, [w.path for w in written])
    assert outcome.changes == [] and not outcome.written
    assert digest(path) == before
    assert sum(r.partners for r in outcome.returns) == len(ROWS)


# --- what each file holds --------------------------------------------------------------------


def test_one_file_per_manager_holding_only_their_partners(tmp_path: Path) -> None:
    path = master(tmp_path)
    before = digest(path)
    out = tmp_path / "out"
    written = distribute(path, out)
    assert digest(path) == before, "the master is only read"
    assert written == [
        Distributed("Ana", out / "partners - Ana.xlsx", 2),
        Distributed("Ben", out / "partners - Ben.xlsx", 2),
        Distributed(None, out / "partners - unassigned.xlsx", 1),
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(w.path.name for w in written)

    ana = roster(out / "partners - Ana.xlsx")
    assert [(r["Partner ID"], r["Partner"], r["Segment"], r["Partner manager"]) for r in ana] == [
        ("P1", "Alpha", "Reseller", "Ana"), ("P4", "Delta", "SI", "ana")]
    assert [[r[f] for f in FACTORS] for r in ana] == [[5, 4, 3, 2], [4, 4, 4, 4]]
    ben = roster(out / "partners - Ben.xlsx")
    assert [r["Partner ID"] for r in ben] == [7, "P5"], "a numeric Partner ID stays a number"
    assert [r[f] for f in FACTORS for r in ben[1:]] == [2.5, None, 2, 1], "blanks stay blank"
    assert [r["Partner ID"] for r in roster(out / "partners - unassigned.xlsx")] == ["P2"]
    assert [(r[c.TIER_OVERRIDE], r[c.OVERRIDE_REASON]) for r in ana] == [
        ("Tier 1", "Strategic"), (None, None)], "the master's overrides go out, to be kept or changed"
    for r in ana + ben:
        for name in c.OUTPUT_COLUMNS:
            assert r[name] is None, (r["Partner ID"], name)
        assert "Notes" not in r


def test_the_sheets_carry_the_masters_settings_factors_tiers_and_team(tmp_path: Path) -> None:
    content = replace(
        DEFAULT_CONTENT, quarter="2027-Q1", tier_method="percent", scale_min=0, scale_max=10,
        missing_scores="exclude", tier_buffer=2.5, tier_within="Segment",
        partners=({"Partner ID": "P1", "Partner": "Alpha", "Segment": "SI",
                   "Partner manager": "Maya Chen", "Customer overlap": 7},
                  {"Partner ID": "P2", "Partner": "Beta", "Partner manager": "Sam Okafor"}))
    path = write_workbook(tmp_path / "master.xlsx", content)
    rescore_file(path)
    [maya, sam] = distribute(path, tmp_path)
    assert maya.path == tmp_path / "master - Maya Chen.xlsx" and sam.partners == 1

    want, _ = read_workbook(FileWorkbook(path))
    got = parse_copy(maya.path)
    assert got.inputs.settings == want.inputs.settings
    assert got.inputs.factors == want.inputs.factors
    assert got.inputs.tiers == want.inputs.tiers
    assert got.inputs.team == want.inputs.team
    assert got.inputs.roster.ids == ["P1"]
    factors = table(maya.path, "Factors")
    assert [(f["Factor"], f["Description"], f["Scoring guide"]) for f in factors[:4]] == [
        (f.name, f.description, f.scoring_guide) for f in DEFAULT_CONTENT.factors]
    assert "Log" not in openpyxl.load_workbook(maya.path).sheetnames


def test_without_description_columns_the_factors_are_still_sent(tmp_path: Path) -> None:
    path = master(tmp_path, factors=[("Customer overlap", 35, "Shared accounts"),
                                     ("Sales engagement", 30, None), ("Solution fit", 20, None),
                                     ("Market reach", 15, None)],
                  factors_header=("Factor", "Weight", "Description"))
    [ana, *_] = distribute(path, tmp_path / "out")
    factors = table(ana.path, "Factors")
    assert [(f["Factor"], f["Weight"], f["Description"], f["Scoring guide"])
            for f in factors[:2]] == [("Customer overlap", 35, "Shared accounts", None),
                                      ("Sales engagement", 30, None, None)]


def test_percent_points_are_sent_as_a_share_and_a_custom_tier_within_is_dropped(
    tmp_path: Path,
) -> None:
    header = [*HEADER, "Region"]
    rows = [[*r, "EMEA"] for r in ROWS]
    path = build_workbook(
        tmp_path / "partners.xlsx", roster_header=header, roster_rows=rows,
        settings={"Quarter": "2026-Q4", "Tier method": "percent", "Tier within": "region"},
        tiers=[("Tier 1", 15, "A", 6), ("Tier 2", 0.3, "B", 2), ("Tier 3", None, "C", 0)])
    [ana, *_] = distribute(path, tmp_path / "out")
    got = parse_copy(ana.path)
    assert [t.size for t in got.inputs.tiers] == [0.15, 0.3, None]
    assert got.inputs.settings.tier_within is None  # the sent Roster has no Region column


def test_blank_scores_under_missing_scores_error_are_what_distributing_is_for(
    tmp_path: Path,
) -> None:
    path = master(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "count"})
    written = distribute(path, tmp_path / "out")
    assert [w.partners for w in written] == [2, 2, 1]
    got = parse_copy(written[0].path)
    assert got.inputs.settings.missing_scores == "error"


# --- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(("manager", "expected"), [
    ("Maya Chen", "book - Maya Chen.xlsx"),
    ("A/B: C?", "book - A_B_ C_.xlsx"),
    ("Dots...", "book - Dots.xlsx"),
    (None, "book - unassigned.xlsx"),
])
def test_file_names_are_safe(manager: str | None, expected: str) -> None:
    assert file_name("book", manager) == expected


def test_names_that_collide_get_a_number(tmp_path: Path) -> None:
    rows = [["P1", "Alpha", None, "A/B", 1, 1, 1, 1],
            ["P2", "Beta", None, "A_B", 2, 2, 2, 2]]
    path = master(tmp_path, rows=rows)
    written = distribute(path, tmp_path / "out")
    assert [(w.manager, w.path.name) for w in written] == [
        ("A/B", "partners - A_B.xlsx"), ("A_B", "partners - A_B (2).xlsx")]


# --- refusals --------------------------------------------------------------------------------


def test_existing_files_are_refused_unless_forced(tmp_path: Path) -> None:
    path = master(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "partners - Ben.xlsx").write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=re.escape("partners - Ben.xlsx")):
        distribute(path, out)
    assert [p.name for p in out.iterdir()] == ["partners - Ben.xlsx"], "nothing was written"
    assert (out / "partners - Ben.xlsx").read_bytes() == b"mine"

    result = CliRunner().invoke(cli, ["distribute", str(path), str(out)], env=WIDE)
    assert result.exit_code == 1 and "--force" in result.output

    written = distribute(path, out, force=True)
    assert len(written) == 3
    assert roster(out / "partners - Ben.xlsx")[0]["Partner ID"] == 7


def test_bad_input_names_its_cells_and_writes_nothing(tmp_path: Path) -> None:
    rows = [*ROWS, ["P6", "Zeta", None, "Ana", 3, "n/a", 3, 3, None, None, None]]
    path = master(tmp_path, rows=rows, settings={"Quarter": "Q4 2026"})
    before = digest(path)
    out = tmp_path / "out"
    with pytest.raises(InputErrors) as caught:
        distribute(path, out)
    assert {(p.code, p.where) for p in caught.value.problems} >= {
        (Code.BAD_QUARTER, "Settings!B2"), (Code.NOT_A_NUMBER, "Roster!F7")}

    result = CliRunner().invoke(cli, ["distribute", str(path), str(out)], env=WIDE)
    assert result.exit_code == 2
    assert "Roster!F7" in result.output and "'n/a'" in result.output
    assert "nothing was written" in result.output
    assert not out.exists()
    assert digest(path) == before


def test_a_file_that_is_no_workbook_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "partners.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(InputErrors) as caught:
        distribute(path, tmp_path / "out")
    assert caught.value.codes == [Code.UNREADABLE]


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_a_table_and_defaults_to_beside_the_master(tmp_path: Path) -> None:
    path = master(tmp_path)
    result = CliRunner().invoke(cli, ["distribute", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    for manager, count, name in (("Ana", 2, "partners - Ana.xlsx"),
                                 ("Ben", 2, "partners - Ben.xlsx"),
                                 ("(unassigned)", 1, "partners - unassigned.xlsx")):
        assert re.search(rf"{re.escape(manager)}\s*│\s*{count}\s*│.*{re.escape(name)}",
                         result.output), manager
        assert (tmp_path / name).exists()
    assert "5 partners" in result.output


def test_an_empty_roster_writes_nothing(tmp_path: Path) -> None:
    path = master(tmp_path, rows=[])
    assert distribute(path, tmp_path / "out") == []
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(cli, ["distribute", str(path)], env=WIDE)
    assert result.exit_code == 0 and "nothing was written" in result.output


# --- what each copy remembers and says -------------------------------------------------------


def text_master(tmp_path: Path) -> Path:
    """The master of ROWS with a partner named `=1+1`, typed as text."""
    path = master(tmp_path)
    book = openpyxl.load_workbook(path)
    ws = book["Roster"]
    ws["B2"].value, ws["B2"].data_type = "=1+1", "s"
    book.save(path)
    return path


def test_each_copy_keeps_a_hidden_protected_record_of_what_it_was_sent_with(tmp_path: Path) -> None:
    import datetime as dt

    from xl_prioritize.workbook.sent import fingerprint, read_record

    path = master(tmp_path)
    written = distribute(path, tmp_path / "out", due=dt.date(2026, 12, 15),
                         now=dt.datetime(2026, 11, 30, 9, 5))
    ana = written[0].path
    book = openpyxl.load_workbook(ana)
    ws = book[SENT_SHEET]
    assert ws.sheet_state == "veryHidden" and ws.protection.sheet
    assert book.sheetnames[-1] == SENT_SHEET and book.active.title == "Start"
    record, problem = read_record(FileWorkbook(ana).read_grid(SENT_SHEET), SENT_SHEET)
    assert problem is None and record is not None
    assert (record.master, record.manager, record.quarter, record.sent_at, record.due) == (
        "partners.xlsx", "Ana", "2026-Q4", "2026-11-30 09:05", "2026-12-15")
    assert record.factors == tuple(FACTORS) and record.ids == ("P1", "P4")
    assert record.rows["P1"].scores == {"customer overlap": 5, "sales engagement": 4,
                                        "solution fit": 3, "market reach": 2}
    assert (record.rows["P1"].override, record.rows["P1"].reason) == ("Tier 1", "Strategic")
    assert record.fingerprint == fingerprint(record.factors, record.ids, record.rows)
    ben, _ = read_record(FileWorkbook(written[1].path).read_grid(SENT_SHEET), SENT_SHEET)
    assert ben is not None and ben.ids == (7, "P5")
    assert ben.rows["P5"].scores["sales engagement"] is None, "a blank is sent as blank"
    assert ben.fingerprint != record.fingerprint


def start_text(path: Path) -> str:
    ws = openpyxl.load_workbook(path)["Start"]
    return "\n".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)


def test_the_start_sheet_says_whose_copy_what_to_do_by_when_and_offers_no_rescore(
    tmp_path: Path,
) -> None:
    import datetime as dt

    path = master(tmp_path)
    [ana, _, unassigned] = distribute(path, tmp_path / "out", due=dt.date(2026, 12, 15))
    text = start_text(ana.path)
    for part in ("Partner scores: Ana", "Ana's copy of partners.xlsx, for 2026-Q4",
                 "the 2 partner(s)", "score each partner from 1 to 5 on Customer overlap, "
                 "Sales engagement, Solution fit, Market reach", "Tier override",
                 "Please send it back by 2026-12-15", "keep the name partners - Ana.xlsx",
                 "nothing to re-score in this copy"):
        assert part in text, part
    assert "Re-score button" not in text and "xl-prioritize rescore" not in text
    assert "the copy for unassigned partners" in start_text(unassigned.path).lower()
    undated = distribute(path, tmp_path / "later")[0]
    assert "as soon as you have scored" in start_text(undated.path)


def test_names_that_look_like_formulas_stay_text_in_every_copy(tmp_path: Path) -> None:
    rows = [[*r] for r in ROWS]
    rows[0][3] = "=HYPERLINK(\"x\")"  # P1's manager
    path = master(tmp_path, rows=rows)
    book = openpyxl.load_workbook(path)
    for ref, value in (("B2", "=1+1"), ("D2", "=HYPERLINK(\"x\")")):
        book["Roster"][ref].value, book["Roster"][ref].data_type = value, "s"
    book.save(path)
    written = distribute(path, tmp_path / "out")
    odd = next(w for w in written if w.manager == "=HYPERLINK(\"x\")")
    copy = openpyxl.load_workbook(odd.path)
    assert (copy["Roster"]["B2"].value, copy["Roster"]["B2"].data_type) == ("=1+1", "s")
    assert (copy["Start"]["B1"].value, copy["Start"]["B1"].data_type) == (
        "Partner scores: =HYPERLINK(\"x\")", "s")
    manager = copy[SENT_SHEET]["B5"]
    assert (manager.value, manager.data_type) == ("=HYPERLINK(\"x\")", "s")
    assert collect_returns(path, [odd.path]).changes == []


def test_rescoring_a_copy_is_refused_naming_whose_copy_of_which_master(tmp_path: Path) -> None:
    path = master(tmp_path)
    ana = distribute(path, tmp_path / "out")[0].path
    before = digest(ana)
    with pytest.raises(InputErrors) as caught:
        rescore_file(ana)
    assert caught.value.codes == [Code.MANAGER_COPY]
    result = CliRunner().invoke(cli, ["rescore", str(ana)], env=WIDE)
    assert result.exit_code == 2
    assert "Ana's copy of partners.xlsx for 2026-Q4" in result.output
    assert "[manager-copy]" in result.output
    assert digest(ana) == before
    result = CliRunner().invoke(cli, ["distribute", str(ana), str(tmp_path / "again")], env=WIDE)
    assert result.exit_code == 2 and "[manager-copy]" in result.output


def test_a_copy_saved_by_libreoffice_keeps_its_record(tmp_path: Path, recalc: Any) -> None:
    path = master(tmp_path)
    [ana, *_] = distribute(path, tmp_path / "out")
    book = openpyxl.load_workbook(ana.path)
    book["Roster"]["G3"] = 1  # P4, Solution fit: 4 -> 1
    book.save(ana.path)
    saved = recalc(ana.path)  # opened and saved again by LibreOffice
    assert SENT_SHEET in openpyxl.load_workbook(saved).sheetnames
    assert CliRunner().invoke(cli, ["rescore", str(saved)], env=WIDE).exit_code == 2
    outcome = collect_returns(path, [saved])
    assert [(ch.cell, ch.old, ch.new) for ch in outcome.changes] == [("Roster!G5", 4, 1)]
    assert outcome.warnings == []


# --- distribute --status ---------------------------------------------------------------------


def test_status_says_which_copies_differ_from_what_was_sent(tmp_path: Path) -> None:
    from xl_prioritize.distribute import distribution_status

    path = master(tmp_path)
    out = tmp_path / "out"
    written = distribute(path, out)
    book = openpyxl.load_workbook(written[1].path)  # Ben: a score and an override
    ws = book["Roster"]
    ws["E2"], ws["I3"], ws["J3"] = 3, "Tier 2", "growing fast"
    book.save(written[1].path)
    openpyxl.Workbook().save(out / "unrelated.xlsx")
    before = {p.name: digest(p) for p in out.iterdir()}

    found = distribution_status(path, out)
    assert [(s.path.name, s.manager, s.differs, s.changed) for s in found] == [
        ("partners - Ana.xlsx", "Ana", False, 0), ("partners - Ben.xlsx", "Ben", True, 3),
        ("partners - unassigned.xlsx", None, False, 0)]
    result = CliRunner().invoke(cli, ["distribute", str(path), str(out), "--status"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "3 copies" in result.output and "1 differ from what was sent" in result.output
    assert re.search(r"Ben\s*│\s*2026-Q4.*│\s*yes\s*│\s*3\s*│", result.output)
    assert {p.name: digest(p) for p in out.iterdir()} == before, "--status writes nothing"


def test_status_of_an_empty_folder(tmp_path: Path) -> None:
    path = master(tmp_path)
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(cli, ["distribute", str(path), str(tmp_path / "out"), "--status"],
                                env=WIDE)
    assert result.exit_code == 0 and "no distributed copy" in result.output


def test_due_on_the_command_line(tmp_path: Path) -> None:
    path = master(tmp_path)
    result = CliRunner().invoke(cli, ["distribute", str(path), str(tmp_path / "out"), "--due",
                                      "2026-12-15"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "back by 2026-12-15" in start_text(tmp_path / "out" / "partners - Ana.xlsx")
    result = CliRunner().invoke(cli, ["distribute", str(path), str(tmp_path / "o2"), "--due",
                                      "15/12/2026"], env=WIDE)
    assert result.exit_code == 2 and not (tmp_path / "o2").exists()


def test_a_sheet_of_the_records_name_that_is_no_record_is_the_users(tmp_path: Path) -> None:
    path = master(tmp_path)
    book = openpyxl.load_workbook(path)
    book.create_sheet(SENT_SHEET).append(["Sent to", "Ana, 1 Dec"])
    book.save(path)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    written = distribute(path, tmp_path / "out")
    assert collect_returns(path, [w.path for w in written]).changes == []


def test_a_copy_hides_the_output_columns_it_never_fills(tmp_path: Path) -> None:
    path = master(tmp_path)
    ana = distribute(path, tmp_path / "out")[0].path
    ws = openpyxl.load_workbook(ana)["Roster"]
    header = [cell.value for cell in ws[1]]
    hidden = {header[i - 1] for key, d in ws.column_dimensions.items() if d.hidden
              for i in range(d.min, d.max + 1)}
    assert hidden == set(c.OUTPUT_COLUMNS)


def test_the_excel_button_refuses_a_copy_too(tmp_path: Path) -> None:
    import datetime as dt

    from fake_xlwings import FakeBook

    from xl_prioritize.excel_button import rescore_live

    path = master(tmp_path)
    ana = distribute(path, tmp_path / "out")[0].path
    before = all_cells(ana)
    book = FakeBook(ana)
    result = rescore_live(book, now=dt.datetime(2026, 12, 1, 9, 0), run_by="ana",
                          platform="win32")
    book._save_as()
    assert not result.ok
    assert "Ana's copy of partners.xlsx for 2026-Q4" in result.message
    assert ("Sheets", "add") not in book._rec.calls
    assert all_cells(ana) == before


def test_status_names_a_copy_whose_record_was_edited(tmp_path: Path) -> None:
    from xl_prioritize.distribute import distribution_status

    path = master(tmp_path)
    out = tmp_path / "out"
    ana = distribute(path, out)[0].path
    book = openpyxl.load_workbook(ana)
    book[SENT_SHEET]["B11"] = 1
    book.save(ana)
    found = {s.path.name: s for s in distribution_status(path, out)}
    assert found["partners - Ana.xlsx"].problem is not None
    assert "no longer matches its fingerprint" in found["partners - Ana.xlsx"].problem
    result = CliRunner().invoke(cli, ["distribute", str(path), str(out), "--status"], env=WIDE)
    assert result.exit_code == 0 and "record edited" in result.output
