"""The re-score writes only sheets and names it owns: recorded ones, or ones an earlier re-score
made; a user's sheet or name of the same spelling stops the run with exit 2."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from builders import build_workbook, digest
from click.testing import CliRunner
from openpyxl.workbook.defined_name import DefinedName

from xl_prioritize.cli import cli
from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import rescore_file
from xl_prioritize.workbook import contract as c
from xl_prioritize.workbook.ownership import RECORD_NAME, parse_record, record_text

ROWS = [("P1", "Acme", "Ana", 5, 4, 3, 2), ("P2", "Beta", "Ben", 1, 2, 3, 4),
        ("P3", "Gamma", "Ana", 3, 3, 3, 3)]


def _workbook(folder: Path, **kwargs: object) -> Path:
    return build_workbook(folder / "partners.xlsx", roster_rows=ROWS, **kwargs)  # type: ignore[arg-type]


def _edit(path: Path, change: object) -> None:
    book = openpyxl.load_workbook(path)
    change(book)  # type: ignore[operator]
    book.save(path)


def _record(path: Path) -> tuple[set[str], set[str]]:
    book = openpyxl.load_workbook(path)
    defined = book.defined_names[RECORD_NAME]
    assert defined.hidden
    owned = parse_record(defined.attr_text)
    return set(owned.sheets), set(owned.names)


def _refused(path: Path) -> InputErrors:
    before = digest(path)
    with pytest.raises(InputErrors) as raised:
        rescore_file(path)
    assert digest(path) == before
    return raised.value


def test_a_rescore_records_what_it_made(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    rescore_file(path)
    sheets, names = _record(path)
    assert sheets == {c.CAPACITY, c.COMPARE, c.LOG, c.SNAPSHOT, c.SCORECARD}
    assert {"ScaleMin", "ScaleMax", "Weights", "Weight_Customer_overlap"} <= names


@pytest.mark.parametrize("sheet", ["Compare", "capacity", "Log"])
def test_a_users_sheet_of_an_owned_name_stops_the_run(tmp_path: Path, sheet: str) -> None:
    path = _workbook(tmp_path)

    def add(book: openpyxl.Workbook) -> None:
        ws = book.create_sheet(sheet)
        ws.append(["Competitor", "Notes"])
        ws.append(["Initech", "ask Ana"])

    _edit(path, add)
    error = _refused(path)
    assert [(p.code, p.where) for p in error.problems] == [(Code.NOT_OWNED_SHEET, f"{sheet}!1:1")]
    assert "rename your sheet" in error.problems[0].message


def test_a_users_snapshot_sheet_stops_the_run(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, lambda book: book.create_sheet(c.SNAPSHOT).append(["my notes"]))
    assert _refused(path).codes == [Code.NOT_OWNED_SHEET]


def test_empty_sheets_and_a_hand_made_log_are_adopted_and_recorded(tmp_path: Path) -> None:
    path = _workbook(tmp_path)

    def add(book: openpyxl.Workbook) -> None:
        book.create_sheet("Compare")
        book.create_sheet("Log").append(list(c.LOG_HEADERS))

    _edit(path, add)
    rescore_file(path)
    sheets, _ = _record(path)
    assert {"Compare", "Log"} <= sheets
    log = list(openpyxl.load_workbook(path)["Log"].iter_rows(values_only=True))
    assert log[0][:len(c.LOG_HEADERS)] == c.LOG_HEADERS and log[1][1] == "2026-Q4"


def test_a_recorded_sheet_stays_the_tools_whatever_it_holds(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    rescore_file(path)
    _edit(path, lambda book: book["Compare"].cell(1, 1, "someone typed here"))
    rescore_file(path)
    assert openpyxl.load_workbook(path)["Compare"]["A1"].value == "Partner ID"


def test_a_workbook_rescored_before_the_record_existed_is_adopted(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    rescore_file(path)

    def forget(book: openpyxl.Workbook) -> None:  # as an earlier version left it
        del book.defined_names[RECORD_NAME]

    _edit(path, forget)
    rescore_file(path)
    assert _record(path)[0] == {c.CAPACITY, c.COMPARE, c.LOG, c.SNAPSHOT, c.SCORECARD}


@pytest.mark.parametrize("name", ["Weights", "scalemax", "Weight_Solution_fit"])
def test_a_users_name_of_the_scores_spelling_stops_the_run(tmp_path: Path, name: str) -> None:
    path = _workbook(tmp_path)
    _edit(path, lambda book: book.defined_names.add(DefinedName(name, attr_text="Roster!$A$1:$A$4")))
    error = _refused(path)
    assert [(p.code, p.where) for p in error.problems] == [(Code.NAME_TAKEN, f"name {name}")]
    assert "Roster!$A$1:$A$4" in error.problems[0].message


def test_a_name_pointing_where_the_rescore_would_point_it_is_adopted(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, lambda book: book.defined_names.add(DefinedName("Weights", attr_text="Factors!B2:B5")))
    rescore_file(path)
    assert "Weights" in _record(path)[1]


def test_ownership_problems_are_listed_with_the_input_errors(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "bad.xlsx", roster_rows=[("P1", "Acme", "Ana", 9, 4, 3, 2)])

    def add(book: openpyxl.Workbook) -> None:
        book.create_sheet("Compare").append(["mine"])

    _edit(path, add)
    error = _refused(path)
    assert Code.OUT_OF_RANGE in error.codes and Code.NOT_OWNED_SHEET in error.codes


def test_the_command_exits_2_naming_the_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    _edit(path, lambda book: book.create_sheet("Capacity").append(["Budget"]))
    result = CliRunner().invoke(cli, ["rescore", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "Capacity!1:1" in result.output and "not-owned-sheet" in result.output


def test_the_record_survives_long_lists_and_quotes() -> None:
    sheets = [f'Archive 20{y:02d}-Q{q} "x"' for y in range(10, 40) for q in range(1, 5)]
    names = [f"Weight_factor_{i}" for i in range(40)]
    text = record_text(sheets, names)
    literals = text.split('"&"')
    assert len(literals) > 1 and all(len(s.strip('"')) <= 255 + 2 for s in literals)
    owned = parse_record(text)
    assert list(owned.sheets) == sheets and list(owned.names) == names


def test_the_live_path_checks_names_too(tmp_path: Path) -> None:
    from fake_xlwings import FakeBook

    from xl_prioritize.excel_button import rescore_live

    path = _workbook(tmp_path)
    _edit(path, lambda book: book.defined_names.add(DefinedName("Weights", attr_text="Roster!$A$1")))
    book = FakeBook(path, None)
    result = rescore_live(book, run_by="tester", platform="win32")
    assert not result.ok
    assert "name Weights: is a defined name of the workbook's own" in result.message


def test_model_write_refuses_a_users_model_sheet_and_records_its_own(tmp_path: Path) -> None:
    from tests.model_builders import history_workbook

    args = ["sensitivity", "--draws", "300", "--write"]
    path = history_workbook(tmp_path / "h.xlsx")
    _edit(path, lambda book: book.create_sheet("Model").append(["Revenue model", 2027]))
    before = digest(path)
    result = CliRunner().invoke(cli, [args[0], str(path), *args[1:]], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "Model!1:1" in result.output and "not-owned-sheet" in result.output
    assert digest(path) == before

    mine = history_workbook(tmp_path / "mine.xlsx")
    rescore_file(mine)
    result = CliRunner().invoke(cli, [args[0], str(mine), *args[1:]], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    sheets, names = _record(mine)
    assert {"Model", c.CAPACITY, c.LOG} <= sheets and "Weights" in names  # the re-score's kept
    rescore_file(mine)  # and the re-score keeps the Model sheet's record
    assert "Model" in _record(mine)[0]
