"""The live adapter and the Re-score button, against a recording fake of xlwings (no Excel needed)."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import xlwings
from builders import build_workbook
from fake_xlwings import COM_MEMBERS, PLATFORMS, FakeBook, Recorder
from openpyxl.utils import get_column_letter

from xl_prioritize.adapters.excel import ExcelWorkbook, addresses, to_excel
from xl_prioritize.audit import audit_file
from xl_prioritize.excel_button import SHOWN_PROBLEMS, rescore_live
from xl_prioritize.rescore import rescore_file
from xl_prioritize.workbook.ops import (
    Area,
    AutoFilter,
    ConditionalFormat,
    DataValidationList,
    DefineName,
    Formula,
    HideColumns,
    Operation,
    PageSetup,
    ProtectSheet,
)

NOW = dt.datetime(2026, 10, 1, 9, 30)
RUN_BY = "tester"

REAL = {
    "App": xlwings.App, "Book": xlwings.Book, "Sheets": xlwings.main.Sheets,
    "Sheet": xlwings.Sheet, "Range": xlwings.Range, "Font": xlwings.main.Font,
    "Names": xlwings.main.Names, "Name": xlwings.main.Name, "Charts": xlwings.main.Charts,
    "Chart": xlwings.Chart, "ChartAxis": xlwings.main.ChartAxis,
    "RangeColumns": xlwings.main.RangeColumns, "DataValidation": xlwings.main.DataValidation,
    "ConditionalFormats": xlwings.main.ConditionalFormats, "Tables": xlwings.main.Tables,
}
PURE_PYTHON = {("Range", "options"), ("App", "properties"), ("Range", "columns"),
               ("Name", "api")}
"""Public attributes xlwings implements in Python itself, not per platform."""
IMPL_NAME = {("Range", "value"): ("Range", "raw_value"),
             ("RangeColumns", "hidden"): ("Range", "column_hidden")}
"""Public attributes whose platform implementation goes by another name."""


def roster(n: int, *, overrides: int = 0) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for i in range(1, n + 1):
        rows.append((f"{i:04d}", f"Partner {i}", "Ana" if i % 3 == 0 else None,
                     i % 5 + 1, i * 7 % 5 + 1, i * 3 % 5 + 1, i % 4 + 1))
    rows[0] = (7, *rows[0][1:])  # a numeric ID beside text IDs like "0002"
    for k in range(overrides):
        rows[k + 1] = (*rows[k + 1], "Tier 1", "Strategic account")
    return rows


HEADER = ("Partner ID", "Partner", "Partner manager", "Customer overlap", "Sales engagement",
          "Solution fit", "Market reach", "Tier override", "Override reason")


def make(path: Path, n: int = 50, *, quarter: str = "2026-Q3", overrides: int = 2) -> Path:
    return build_workbook(path, settings={"Quarter": quarter, "Tier method": "count"},
                          roster_header=HEADER, roster_rows=roster(n, overrides=overrides))


def set_quarter(path: Path, quarter: str) -> None:
    wb = openpyxl.load_workbook(path)
    wb["Settings"]["B2"] = quarter
    wb.save(path)


def live(path: Path, rec: Recorder | None = None, platform: str = "win32") -> FakeBook:
    book = FakeBook(path, rec, platform=platform)
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform=platform)
    assert result.ok, result.message
    book._save_as()
    return book


def every_new_operation(n: int = 50) -> list[Operation]:
    """One of each newer plan operation, over areas as large as a roster of n partners."""
    return [
        PageSetup("Compare", landscape=True, fit_to_width=True, repeat_rows=1),
        AutoFilter("Roster", Area(1, 1, n + 1, 9)),
        DataValidationList("Roster", Area(2, 8, n, 1), "Tiers!$A$2:$A$4"),
        ConditionalFormat("Roster", Area(2, 10, n, 1), "$J2>50", fill="FFC7CE",
                          font_color="9C0006", bold=True),
        HideColumns("Capacity", (7, 8)),
        ProtectSheet("Compare", allow_filter=True, allow_format_columns=True),
        DefineName("Helper_hidden", "Settings!$B$2", hidden=True),
    ]


def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def without_mode(grid: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    mode = grid[0].index("Mode")
    return [r[:mode] + r[mode + 1:] for r in grid]


# --- parity with the file command ---------------------------------------------------------------

@pytest.mark.parametrize("platform", PLATFORMS)
def test_live_and_file_rescores_write_the_same_cells_across_two_quarters(tmp_path: Path,
                                                                         platform: str) -> None:
    file_path = make(tmp_path / "file.xlsx")
    live_path = tmp_path / "live.xlsx"
    shutil.copy(file_path, live_path)
    rec = Recorder()
    for quarter in ("2026-Q3", "2026-Q4"):
        set_quarter(file_path, quarter)
        set_quarter(live_path, quarter)
        rescore_file(file_path, run_by=RUN_BY, now=NOW)
        live(live_path, rec, platform)

    by_file, by_live = sheets(file_path), sheets(live_path)
    assert list(by_live) == list(by_file)
    assert "Archive 2026-Q3" in by_live
    for name in by_file:
        if name == "Log":
            assert without_mode(by_live[name]) == without_mode(by_file[name])
        else:
            assert by_live[name] == by_file[name], name
    log = by_live["Log"]
    assert [r[log[0].index("Mode")] for r in log[1:]] == ["Excel", "Excel"]

    file_wb, live_wb = openpyxl.load_workbook(file_path), openpyxl.load_workbook(live_path)
    live_names = {k: v.attr_text for k, v in live_wb.defined_names.items()}
    file_names = {k: v.attr_text for k, v in file_wb.defined_names.items()}
    assert live_names.keys() == file_names.keys()
    # a Log row's fingerprint covers its Mode (Excel / File), the one cell the two runs differ in
    log_rows = {k for k in file_names if k.startswith("xlpFingerprint_Log_row_")}
    assert len(log_rows) == 2
    assert {k: v for k, v in live_names.items() if k not in log_rows} == \
        {k: v for k, v in file_names.items() if k not in log_rows}
    assert audit_file(live_path).findings == []
    assert live_wb["Results snapshot"].sheet_state == "hidden"
    assert live_wb["Archive 2026-Q3"].protection.sheet is True
    assert live_wb["Capacity"].freeze_panes == file_wb["Capacity"].freeze_panes == "A2"


def test_text_ids_stay_text_and_scores_are_formulas(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx")
    live(path)
    grid = sheets(path)["Roster"]
    header = grid[0]
    ids = [r[0] for r in grid[1:]]
    assert ids[:3] == [7, "0002", "0003"]
    score = grid[1][header.index("Score")]
    assert isinstance(score, str)
    assert score.startswith("=100*((Weight_Customer_overlap*D2")
    compare = sheets(path)["Compare"]
    assert "0002" in [r[0] for r in compare[1:]]


def test_charts_are_replaced_not_duplicated(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx")
    live(path)
    book = live(path)
    capacity = book._chart_list("Capacity")
    assert sorted(c.name for c in capacity) == ["Hours by tier", "Member load"]
    hours = next(c for c in capacity if c.name == "Hours by tier")
    assert hours.chart_type == "column_clustered"
    assert hours._source == ("$F$1:$F$4,$G$1:$G$4", "columns")  # Hours needed, Hours allocated
    assert hours._x_values == "$A$2:$A$4"
    assert hours.value_axis.title == "Hours a month"
    assert [c.name for c in book._chart_list("Compare")] == ["Tier sizes"]


# --- the fake cannot invent API -----------------------------------------------------------------

def _impl_members(module: str) -> dict[str, set[str]]:
    source = Path(xlwings.__file__).parent / module
    members: dict[str, set[str]] = {}
    for node in ast.parse(source.read_text()).body:
        if isinstance(node, ast.ClassDef):
            names = members.setdefault(node.name, set())
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    names.add(item.name)
                elif isinstance(item, ast.Assign):
                    names.update(t.id for t in item.targets if isinstance(t, ast.Name))
    return members


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Recorder:
    """Two quarters on each platform, plus every plan operation the adapter knows."""
    folder = tmp_path_factory.mktemp("api")
    rec = Recorder()
    for platform in PLATFORMS:
        path = make(folder / f"{platform}.xlsx")
        live(path, rec, platform)
        set_quarter(path, "2026-Q4")
        live(path, rec, platform)
        adapter = ExcelWorkbook(FakeBook(path, rec, platform=platform), platform=platform)
        adapter.apply(every_new_operation())
        assert adapter.notes == []
    return rec


@pytest.fixture(scope="module")
def recorded(recording: Recorder) -> set[tuple[str, str]]:
    return set(recording.calls)


def test_every_call_exists_on_the_real_xlwings_classes(recorded: set[tuple[str, str]]) -> None:
    missing = [f"{cls}.{attr}" for cls, attr in sorted(recorded)
               if "." not in cls and cls != "AppleScript" and not hasattr(REAL[cls], attr)]
    assert missing == []
    com = [f"{cls}.{attr}" for cls, attr in sorted(recorded)
           if cls.startswith("COM.") and attr not in COM_MEMBERS[cls[4:]]]
    assert com == []
    assert ("Range", "options") in recorded and ("App", "properties") in recorded
    assert ("COM.Worksheet", "Protect") in recorded and ("AppleScript", "protect_worksheet") in recorded


def test_every_call_passes_arguments_the_real_signature_takes(recording: Recorder) -> None:
    """Keyword names too: `set_source_data(plot_by=)` exists from xlwings 0.37.3 only."""
    wrong = []
    for cls, attr, positional, keywords in sorted(set(recording.signatures)):
        if cls not in REAL:
            continue  # COM and AppleScript keywords are checked by the fake as it is called
        member = inspect.getattr_static(REAL[cls], attr)
        function = member.fget if isinstance(member, property) else member
        try:
            inspect.signature(function).bind(None, *([None] * positional),
                                             **dict.fromkeys(keywords))
        except TypeError as error:
            wrong.append(f"{cls}.{attr}({positional} positional, {keywords}): {error}")
    assert wrong == []
    assert ("Chart", "set_source_data", 1, ("plot_by",)) in recording.signatures
    assert ("Range", "options", 0, ("err_to_str", "ndim")) in recording.signatures


@pytest.mark.parametrize("module", ["_xlwindows.py", "_xlmac.py"])
def test_every_call_is_implemented_for_desktop_excel(recorded: set[tuple[str, str]],
                                                     module: str) -> None:
    members = _impl_members(module)
    missing = []
    for cls, attr in sorted(recorded):
        if "." in cls or cls == "AppleScript" or attr.startswith("__") or (cls, attr) in PURE_PYTHON:
            continue
        impl_cls, impl_attr = IMPL_NAME.get((cls, attr), (cls, attr))
        if impl_attr not in members.get(impl_cls, set()):
            missing.append(f"{cls}.{attr}")
    assert missing == []


# --- calls to Excel do not grow with the roster -------------------------------------------------

@pytest.mark.parametrize("platform", PLATFORMS)
def test_call_count_is_the_same_for_50_and_1000_partners(tmp_path: Path, platform: str) -> None:
    counts = {}
    for n in (50, 1000):
        rec = Recorder()
        path = make(tmp_path / f"{n}.xlsx", n)
        live(path, rec, platform)
        set_quarter(path, "2026-Q4")
        live(path, rec, platform)
        adapter = ExcelWorkbook(FakeBook(path, rec, platform=platform), platform=platform)
        adapter.apply(every_new_operation(n))
        counts[n] = len(rec)
    assert counts[50] == counts[1000]
    # column widths of Compare, Log and archives: ~2 calls a column; ~60 a re-score go to the
    # Scorecard and the staleness column
    assert counts[50] < 1350


def test_each_sheet_is_read_with_one_value_call_from_a1(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Team"].delete_rows(1)
    wb["Team"]["C3"] = "Ana"  # the used range now starts below A1: C3 only
    wb.save(path)
    adapter = ExcelWorkbook(FakeBook(path))
    rec = adapter.book._rec
    before = len(rec)
    grid = adapter.read_grid("Team")
    assert grid[2][2] == "Ana" and len(grid) == 3 and len(grid[0]) == 3
    reads = [c for c in rec.calls[before:] if c == ("Range", "value")]
    assert len(reads) == 1


# --- settings, messages, failures ---------------------------------------------------------------

def test_app_settings_are_restored_even_when_a_write_fails(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx")
    book = FakeBook(path)
    book._app.calculation = "semiautomatic"
    book._rec.calls.clear()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Excel is busy")

    object.__setattr__(book._wb, "create_sheet", broken)
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="win32")
    assert not result.ok
    assert "RuntimeError: Excel is busy" in result.message
    assert "close it without saving" in result.message
    assert book._app._settings() == {"screen_updating": True, "calculation": "semiautomatic",
                                     "enable_events": True}
    assert ("calculation", "manual") in book._app._history


def test_bad_input_writes_nothing_and_lists_the_cells(tmp_path: Path) -> None:
    rows = roster(30)
    rows = [(r[0], r[1], r[2], "high" if i < 25 else r[3], *r[4:]) for i, r in enumerate(rows)]
    path = build_workbook(tmp_path / "bad.xlsx", roster_rows=rows)
    before = sheets(path)
    book = FakeBook(path)
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="win32")
    book._save_as()
    assert not result.ok and result.mode == "critical"
    lines = result.message.splitlines()
    assert lines[0] == "bad.xlsx: 25 input errors; nothing was written."
    assert lines[2].startswith("Roster!D2: ")
    assert len([line for line in lines if line.startswith("Roster!")]) == SHOWN_PROBLEMS
    assert lines[-1] == "... and 5 more."
    assert ("Sheets", "add") not in book._rec.calls
    assert sheets(path) == before


def test_a_score_excel_disagrees_with_is_reported(tmp_path: Path) -> None:
    from fake_xlwings import calculate

    def off_by_one_on_row_5(book: FakeBook, ws: object, formula: str) -> object:
        value = calculate(book, ws, formula)
        on_row_5 = re.search(r"\bD5\b", formula) is not None
        return value + 1 if on_row_5 and isinstance(value, float) else value

    book = FakeBook(make(tmp_path / "live.xlsx"), calculator=off_by_one_on_row_5)
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="win32")
    assert not result.ok
    assert len(result.mismatches) == 1
    assert result.mismatches[0].startswith("Roster!J5: Excel shows ")
    assert "do not match" in result.message


def test_success_message_names_quarter_and_tiers(tmp_path: Path) -> None:
    book = FakeBook(make(tmp_path / "live.xlsx", quarter="2026-Q4"))
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="win32")
    assert result.ok and result.mode == "info"
    assert result.message.splitlines()[0] == "live.xlsx: 2026-Q4, 50 partners re-scored."
    assert "Tier 1: 4\nTier 2: 3\nTier 3: 43" in result.message
    assert "2 warning(s): see the Log sheet." in result.message


def test_without_a_platform_object_model_protection_and_panes_are_noted(tmp_path: Path) -> None:
    book = FakeBook(make(tmp_path / "live.xlsx"))
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="linux")
    assert result.ok
    assert "Could not freeze the panes of sheet 'Capacity'" in result.message


# --- small pieces -------------------------------------------------------------------------------

def test_text_is_written_so_excel_keeps_it_text() -> None:
    assert to_excel("007") == "'007"
    assert to_excel(Formula("=SUM(A1)")) == "=SUM(A1)"
    assert to_excel("=SUM(A1)") == "'=SUM(A1)"  # text that looks like a formula stays text
    assert to_excel(3) == 3 and to_excel(float("nan")) is None and to_excel(None) is None


def test_addresses_stay_under_excels_limit() -> None:
    chunks = addresses([Area(r, 10) for r in range(2, 200)])
    assert all(len(chunk) <= 240 for chunk in chunks)
    assert chunks[0].startswith("J2,J3,")
    assert sum(chunk.count(",") + 1 for chunk in chunks) == 198


# --- the newer plan operations --------------------------------------------------------------------

@pytest.mark.parametrize("platform", PLATFORMS)
def test_the_newer_operations_reach_the_workbook(tmp_path: Path, platform: str) -> None:
    path = make(tmp_path / "live.xlsx")
    live(path, platform=platform)
    book = FakeBook(path, platform=platform)
    adapter = ExcelWorkbook(book, platform=platform)
    adapter.apply(every_new_operation())
    assert adapter.notes == []
    book._save_as()
    wb = openpyxl.load_workbook(path)
    compare, roster = wb["Compare"], wb["Roster"]
    assert compare.page_setup.orientation == "landscape"
    assert compare.sheet_properties.pageSetUpPr.fitToPage and compare.page_setup.fitToWidth == 1
    assert compare.print_title_rows == "$1:$1"
    assert compare.protection.sheet and not compare.protection.autoFilter
    assert not compare.protection.formatColumns
    # the re-score set its own filter over inputs and outputs; the later op finds it and adds none
    header = [cell.value for cell in roster[1]]
    assert roster.auto_filter.ref == f"A1:{get_column_letter(header.index('Assigned to') + 1)}51"
    [validation] = roster.data_validations.dataValidation
    assert (validation.type, validation.formula1, str(validation.sqref)) == \
        ("list", "Tiers!$A$2:$A$4", "H2:H51")
    [rules] = list(roster.conditional_formatting)
    assert str(rules.sqref) == "J2:J51" and rules.rules[0].formula == ["$J2>50"]
    assert wb["Capacity"].column_dimensions["G"].hidden and wb["Capacity"].column_dimensions["H"].hidden
    assert wb.defined_names["Helper_hidden"].hidden


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_users_own_filter_is_kept_and_rules_are_replaced_not_stacked(tmp_path: Path,
                                                                       platform: str) -> None:
    path = make(tmp_path / "live.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Roster"].auto_filter.ref = "A1:C51"
    wb.save(path)
    book = FakeBook(path, platform=platform)
    adapter = ExcelWorkbook(book, platform=platform)
    adapter.apply(every_new_operation())
    ExcelWorkbook(book, platform=platform).apply(every_new_operation())
    roster = book._wb["Roster"]
    assert roster.auto_filter.ref == "A1:C51"
    assert [len(r.rules) for r in roster.conditional_formatting] == [1]


def test_without_an_object_model_the_finishing_touches_are_noted_not_fatal(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx")
    live(path)
    book = FakeBook(path)
    adapter = ExcelWorkbook(book, platform="linux")
    adapter.apply(every_new_operation())
    assert [n.split(":")[0] for n in adapter.notes] == [
        "Could not set up printing of sheet 'Compare'", "Could not turn on the filter of sheet 'Roster'",
        "Could not protect sheet 'Compare'", "Could not hide the name 'Helper_hidden'"]
    assert all(n.endswith("no Excel object model on linux") for n in adapter.notes)
    assert book._wb["Roster"].data_validations.dataValidation  # xlwings' own calls still ran


# --- what Excel hands back, and what it takes -----------------------------------------------------

def test_a_value_excel_cannot_hold_stops_the_run_before_anything_is_written(tmp_path: Path) -> None:
    from xl_prioritize.adapters.excel import PlanValueError
    from xl_prioritize.workbook.ops import EnsureSheet, WriteBlock

    path = make(tmp_path / "live.xlsx")
    book = FakeBook(path)
    before = sheets(path)
    plan = [EnsureSheet("New"), WriteBlock("Roster", 2, 20, (("fine", dt.time(9, 30)),)),
            WriteBlock("Roster", 3, 20, ((object(), float("inf")),))]
    adapter = ExcelWorkbook(book)
    with pytest.raises(PlanValueError, match=r"2 value\(s\).*Roster!T3: a object.*Roster!U3: an "
                                              r"infinite number"):
        adapter.apply(plan)
    assert not adapter.writes_started
    assert ("Sheets", "add") not in book._rec.calls and ("Range", "value") not in book._rec.calls
    book._save_as()
    assert sheets(path) == before


@pytest.mark.parametrize("platform", PLATFORMS)
def test_times_currency_errors_and_empty_results_read_as_the_file_adapter_reads_them(
        tmp_path: Path, platform: str) -> None:
    from xl_prioritize.adapters.files import FileWorkbook

    path = make(tmp_path / "live.xlsx", 3)
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    ws["K1"], ws["L1"], ws["M1"], ws["N1"] = "Pipeline", "Call time", "Check", "Blank"
    ws["K2"], ws["K2"].number_format = 1234.5, '"$"#,##0.00'
    ws["L2"] = dt.time(9, 30)
    ws["M2"] = "#N/A"
    ws["M2"].data_type = "e"
    ws["N2"] = '=IF(1>0,"","x")'
    wb.save(path)
    book = FakeBook(path, platform=platform)
    raw = book.sheets["Roster"].range("K2:N2").value
    assert raw[0] == (1234.5 if platform == "darwin" else __import__("decimal").Decimal("1234.5000"))
    assert raw[1:] == [dt.datetime(1899, 12, 30, 9, 30), None, None]
    row = ExcelWorkbook(book, platform=platform).read_grid("Roster")[1]
    assert row[10:13] == [1234.5, dt.time(9, 30), "#N/A"]
    assert row[13] == Formula('=IF(1>0,"","x")', "")
    file_row = FileWorkbook(path).read_grid("Roster")[1]
    assert file_row[10:13] == row[10:13]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_error_in_an_input_cell_is_named(tmp_path: Path, platform: str) -> None:
    path = make(tmp_path / "live.xlsx", 5)
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["D3"] = "=NA()"
    wb.save(path)
    result = rescore_live(FakeBook(path, platform=platform), now=NOW, run_by=RUN_BY,
                          platform=platform)
    assert not result.ok
    assert "Roster!D3: '#N/A' is not a number" in result.message

    from xl_prioritize.problems import Code, InputErrors
    from xl_prioritize.rescore import read_workbook

    with pytest.raises(InputErrors) as caught:
        read_workbook(ExcelWorkbook(FakeBook(path, platform=platform), platform=platform))
    assert [(p.code, p.where) for p in caught.value.problems] == [(Code.NOT_A_NUMBER, "Roster!D3")]


def test_only_the_sheets_a_run_needs_are_read(tmp_path: Path) -> None:
    from xl_prioritize.rescore import read_workbook

    path = make(tmp_path / "live.xlsx")
    live(path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("My notes")["A1"] = "keep out"
    wb.save(path)
    adapter = ExcelWorkbook(FakeBook(path))
    read_workbook(adapter)
    # the Quarter has not moved on: the snapshot of the last results is not archived, so not read
    assert set(adapter._values) == {"Settings", "Factors", "Tiers", "Team", "Roster", "Log"}


# --- parity over the cases real workbooks bring -------------------------------------------------

def _two_quarters(tmp_path: Path, file_path: Path, platform: str, recalc=None) -> None:
    """Both paths over two quarters. With `recalc`, the file is calculated by LibreOffice before
    each re-score, as a person's Excel does when they open and save it (a file written by
    openpyxl carries no formula results)."""
    live_path = tmp_path / "live.xlsx"
    shutil.copy(file_path, live_path)
    for quarter in ("2026-Q3", "2026-Q4"):
        set_quarter(file_path, quarter)
        set_quarter(live_path, quarter)
        if recalc is not None:
            shutil.copy(recalc(file_path), file_path)
        rescore_file(file_path, run_by=RUN_BY, now=NOW)
        live(live_path, platform=platform)
    by_file, by_live = sheets(file_path), sheets(live_path)
    assert list(by_live) == list(by_file)
    for name in by_file:
        if name == "Log":
            assert without_mode(by_live[name]) == without_mode(by_file[name])
        else:
            assert by_live[name] == by_file[name], name


def _with_blanks(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    return [(*r[:4], None, *r[5:]) if i % 7 == 3 else r for i, r in enumerate(rows)]


CASES = {
    "percent, lowest, within Segment": dict(
        settings={"Quarter": "2026-Q3", "Tier method": "percent", "Missing scores": "lowest",
                  "Tier within": "Segment"},
        tiers=[("Tier 1", 0.1, "Biweekly", 6), ("Tier 2", 0.3, "Monthly", 2),
               ("Tier 3", None, "Portal", 0)],
        roster_header=(*HEADER[:7], "Segment"),
        roster_rows=[(*r[:7], "SMB" if i % 2 else "Enterprise")
                     for i, r in enumerate(_with_blanks(roster(60)))]),
    "threshold, exclude": dict(
        settings={"Quarter": "2026-Q3", "Tier method": "threshold", "Missing scores": "exclude"},
        tiers=[("Tier 1", 70, "Biweekly", 6), ("Tier 2", 40, "Monthly", 2),
               ("Tier 3", 0, "Portal", 0)],
        roster_header=HEADER[:7], roster_rows=[r[:7] for r in _with_blanks(roster(60))]),
    "count, overrides": dict(
        settings={"Quarter": "2026-Q3", "Tier method": "count"},
        roster_header=HEADER, roster_rows=roster(60, overrides=3)),
}


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", list(CASES))
def test_parity_across_methods_policies_and_overrides(tmp_path: Path, case: str,
                                                      platform: str) -> None:
    _two_quarters(tmp_path, build_workbook(tmp_path / "file.xlsx", **CASES[case]), platform)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_parity_on_the_template_with_its_500_formatted_rows(tmp_path: Path, platform: str) -> None:
    from xl_prioritize.demo import demo_content
    from xl_prioritize.template import write_workbook

    path = write_workbook(tmp_path / "file.xlsx", demo_content())
    book = FakeBook(path, platform=platform)
    assert book.sheets["Roster"].used_range.shape[0] >= 500
    _two_quarters(tmp_path, path, platform)


def _user_columns(path: Path, *, empty_result: bool) -> Path:
    """A Roster with the user's own columns: currency-formatted pipeline, a time of day, a formula
    that is #N/A on every fourth row, and (with `empty_result`) a formula whose result is ""."""
    rows = [(*r, 1000.5 * i, dt.time(8 + i % 9, 15), None, None)
            for i, r in enumerate(roster(20, overrides=0), start=1)]
    header = (*HEADER[:7], "Pipeline", "Call time", "Check", "Flag")
    build_workbook(path, settings={"Quarter": "2026-Q3", "Tier method": "count"},
                   roster_header=header if empty_result else header[:-1],
                   roster_rows=rows if empty_result else [r[:-1] for r in rows])
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    for r in range(2, 22):
        ws.cell(r, 8).number_format = '"$"#,##0.00'
        ws.cell(r, 10).value = "=NA()" if r % 4 == 0 else f"=D{r}*2"
        if empty_result:
            ws.cell(r, 11).value = f'=IF(D{r}>3,"","low")'
    wb.save(path)
    return path


@pytest.mark.parametrize("platform", PLATFORMS)
def test_parity_with_currency_time_and_error_user_columns(tmp_path: Path, platform: str,
                                                          recalc) -> None:
    path = _user_columns(tmp_path / "base.xlsx", empty_result=False)
    file_path = tmp_path / "file.xlsx"
    shutil.copy(recalc(path), file_path)
    _two_quarters(tmp_path, file_path, platform, recalc)
    archive = sheets(file_path)["Archive 2026-Q3"]
    assert archive[1][7:9] == (1000.5, dt.time(9, 15))
    assert archive[3][9] == "#N/A"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_formula_whose_result_is_empty_is_archived_blank(tmp_path: Path, platform: str) -> None:
    path = _user_columns(tmp_path / "live.xlsx", empty_result=True)
    live(path, platform=platform)
    set_quarter(path, "2026-Q4")
    live(path, platform=platform)
    archive = sheets(path)["Archive 2026-Q3"]
    flags = [row[10] for row in archive[1:]]
    assert set(flags) == {None, "low"}


# --- untrusted text stays text on the live path (issue 14) -----------------------------------------

HOSTILE = ['=HYPERLINK("http://evil.example","click")', "=1+1", "+1", "-1", "@SUM(A1)",
           "=cmd|' /C calc'!A0", "\u202eevil\u202c", "bell\x07tab\tend", "007", "TRUE", "3/4/2026"]


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hostile_partner_names_come_back_as_text_everywhere(tmp_path: Path, platform: str) -> None:
    rows = roster(len(HOSTILE) + 4)
    path = make(tmp_path / "live.xlsx", len(rows))
    book = FakeBook(path, platform=platform)
    roster_ws = book._wb["Roster"]
    from fake_xlwings import store

    for i, name in enumerate(HOSTILE, start=2):
        store(roster_ws.cell(i, 2), name)  # typed with an apostrophe, or imported as text
    for quarter in ("2026-Q3", "2026-Q4"):
        book._wb["Settings"]["B2"] = quarter
        result = rescore_live(book, now=NOW, run_by=RUN_BY, platform=platform)
        assert result.ok, result.message
    found: dict[str, list[str]] = {}
    for ws in book._wb.worksheets:
        for (r, c), cell in ws._cells.items():
            value = cell.value
            if not isinstance(value, str):
                continue
            kind = book._cell_kind(ws.title, r, c)
            for name in HOSTILE:
                if name in value:
                    found.setdefault(ws.title, []).append(name)
                    if value == name:
                        assert kind == "text", (ws.title, r, c, value)
                    else:
                        assert kind != "formula" or (ws.title == "Roster" and c > 9) or \
                            ws.title == "Scorecard", (ws.title, value)
    assert {"Roster", "Compare", "Archive 2026-Q3", "Results snapshot"} <= set(found)
    compare = book._wb["Compare"]
    names = {compare.cell(r, 2).value for r in range(2, compare.max_row + 1)}
    assert set(HOSTILE) <= names


# --- cold start ---------------------------------------------------------------------------------

def test_the_buttons_import_loads_no_file_library_terminal_library_or_solver() -> None:
    """A click is a fresh process: it pays for every import. (Time is measured in
    benchmarks/bench_button.py, not here.)"""
    import subprocess
    import sys

    heavy = ["openpyxl", "xlsxwriter", "rich", "scipy", "highspy", "pandas", "lxml", "click"]
    done = subprocess.run(
        [sys.executable, "-c", "import sys, xl_prioritize.excel_button, xl_prioritize; "
                               f"print([m for m in {heavy!r} if m in sys.modules])"],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_workbook_calculated_by_hand_is_calculated_before_the_scores_are_checked(
        tmp_path: Path, platform: str) -> None:
    path = make(tmp_path / "live.xlsx")
    book = FakeBook(path, platform=platform)
    book._app.calculation = "manual"
    roster_ws = book._wb["Roster"]
    book.sheets["Roster"].range("D2").value = 5  # an input changed, not yet calculated
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform=platform)
    assert result.ok, result.message
    assert book._app._settings()["calculation"] == "manual"
    assert roster_ws["D2"].value == 5


def test_the_fake_keeps_formula_values_until_excel_calculates(tmp_path: Path) -> None:
    path = make(tmp_path / "live.xlsx", 3)
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["K2"] = "=D2*10"
    wb.save(path)
    book = FakeBook(path)
    cell = book.sheets["Roster"].range("K2")
    assert cell.value == 20.0  # calculated on opening: D2 holds 2
    book._app.calculation = "manual"
    book.sheets["Roster"].range("D2").value = 1
    assert cell.value == 20.0
    book._app.calculate()
    assert cell.value == 10.0


def test_a_one_column_sheet_reads_as_a_column_whatever_shape_formula_comes_in(tmp_path: Path) -> None:
    from xl_prioritize.adapters.excel import _two_d

    assert _two_d(["=A1", "x"], 1) == [["=A1"], ["x"]]
    assert _two_d(["=A1", "x"], 2) == [["=A1", "x"]]
    assert _two_d((("=A1",), ("x",)), 1) == [["=A1"], ["x"]]
    path = make(tmp_path / "live.xlsx", 3)
    wb = openpyxl.load_workbook(path)
    notes = wb.create_sheet("Notes")
    notes["A1"], notes["A2"], notes["A3"] = "=1+1", "=1+1", 4
    notes["A2"].data_type = "s"  # the text =1+1, as typed with a leading apostrophe
    wb.save(path)
    for platform in PLATFORMS:
        grid = ExcelWorkbook(FakeBook(path, platform=platform), platform=platform).read_grid("Notes")
        assert grid == [[Formula("=1+1", 2)], ["=1+1"], [4]]


def test_main_shows_one_message_box_on_the_calling_workbook(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import xl_prioritize

    book = FakeBook(make(tmp_path / "live.xlsx"))
    monkeypatch.setattr(xlwings.Book, "caller", staticmethod(lambda: book))
    xl_prioritize.main()
    [(prompt, title, mode)] = book._app._alerts
    assert title == "xl-prioritize" and prompt.startswith("live.xlsx: 2026-Q3, 50 partners re-scored.")
    assert mode == "info"
