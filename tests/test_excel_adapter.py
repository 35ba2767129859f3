"""The live adapter and the Re-score button, against a recording fake of xlwings (no Excel needed)."""

from __future__ import annotations

import ast
import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import xlwings
from builders import build_workbook
from fake_xlwings import COM_MEMBERS, FakeBook, Recorder

from xl_prioritize.adapters.excel import ExcelWorkbook, addresses, to_excel
from xl_prioritize.excel_button import SHOWN_PROBLEMS, rescore_live
from xl_prioritize.rescore import rescore_file
from xl_prioritize.workbook.ops import Area, Formula

NOW = dt.datetime(2026, 10, 1, 9, 30)
RUN_BY = "tester"

REAL = {
    "App": xlwings.App, "Book": xlwings.Book, "Sheets": xlwings.main.Sheets,
    "Sheet": xlwings.Sheet, "Range": xlwings.Range, "Font": xlwings.main.Font,
    "Names": xlwings.main.Names, "Name": xlwings.main.Name, "Charts": xlwings.main.Charts,
    "Chart": xlwings.Chart, "ChartAxis": xlwings.main.ChartAxis,
}
PURE_PYTHON = {("Range", "options"), ("App", "properties")}
"""Public attributes xlwings implements in Python itself, not per platform."""
IMPL_NAME = {("Range", "value"): "raw_value"}
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


def live(path: Path, rec: Recorder | None = None) -> FakeBook:
    book = FakeBook(path, rec)
    result = rescore_live(book, now=NOW, run_by=RUN_BY, platform="win32")
    assert result.ok, result.message
    book._save_as()
    return book


def sheets(path: Path) -> dict[str, list[tuple[object, ...]]]:
    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def without_mode(grid: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    mode = grid[0].index("Mode")
    return [r[:mode] + r[mode + 1:] for r in grid]


# --- parity with the file command ---------------------------------------------------------------

def test_live_and_file_rescores_write_the_same_cells_across_two_quarters(tmp_path: Path) -> None:
    file_path = make(tmp_path / "file.xlsx")
    live_path = tmp_path / "live.xlsx"
    shutil.copy(file_path, live_path)
    rec = Recorder()
    for quarter in ("2026-Q3", "2026-Q4"):
        set_quarter(file_path, quarter)
        set_quarter(live_path, quarter)
        rescore_file(file_path, run_by=RUN_BY, now=NOW)
        live(live_path, rec)

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
    assert {k: v.attr_text for k, v in live_wb.defined_names.items()} == \
        {k: v.attr_text for k, v in file_wb.defined_names.items()}
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
def recorded(tmp_path_factory: pytest.TempPathFactory) -> set[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("api")
    path = make(folder / "live.xlsx")
    rec = Recorder()
    live(path, rec)
    set_quarter(path, "2026-Q4")
    live(path, rec)
    return set(rec.calls)


def test_every_call_exists_on_the_real_xlwings_classes(recorded: set[tuple[str, str]]) -> None:
    missing = [f"{cls}.{attr}" for cls, attr in sorted(recorded)
               if not cls.startswith("COM.") and not hasattr(REAL[cls], attr)]
    assert missing == []
    com = [f"{cls}.{attr}" for cls, attr in sorted(recorded)
           if cls.startswith("COM.") and attr not in COM_MEMBERS[cls[4:]]]
    assert com == []
    assert ("Range", "options") in recorded and ("App", "properties") in recorded


@pytest.mark.parametrize("module", ["_xlwindows.py", "_xlmac.py"])
def test_every_call_is_implemented_for_desktop_excel(recorded: set[tuple[str, str]],
                                                     module: str) -> None:
    members = _impl_members(module)
    missing = [
        f"{cls}.{attr}" for cls, attr in sorted(recorded)
        if not cls.startswith("COM.") and not attr.startswith("__")
        and (cls, attr) not in PURE_PYTHON
        and IMPL_NAME.get((cls, attr), attr) not in members.get(cls, set())
    ]
    assert missing == []


# --- calls to Excel do not grow with the roster -------------------------------------------------

def test_call_count_is_the_same_for_50_and_5000_partners(tmp_path: Path) -> None:
    counts = {}
    for n in (50, 5000):
        rec = Recorder()
        live(make(tmp_path / f"{n}.xlsx", n), rec)
        counts[n] = len(rec)
    assert counts[50] == counts[5000]
    assert counts[50] < 500


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
