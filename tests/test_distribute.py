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
    for r in ana + ben:
        for name in (*c.OUTPUT_COLUMNS, c.TIER_OVERRIDE, c.OVERRIDE_REASON):
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
    got, _ = read_workbook(FileWorkbook(maya.path))
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
    got, _ = read_workbook(FileWorkbook(ana.path))
    assert [t.size for t in got.inputs.tiers] == [0.15, 0.3, None]
    assert got.inputs.settings.tier_within is None  # the sent Roster has no Region column


def test_blank_scores_under_missing_scores_error_are_what_distributing_is_for(
    tmp_path: Path,
) -> None:
    path = master(tmp_path, settings={"Quarter": "2026-Q4", "Tier method": "count"})
    written = distribute(path, tmp_path / "out")
    assert [w.partners for w in written] == [2, 2, 1]
    got, _ = read_workbook(FileWorkbook(written[0].path))
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
