"""Output sheets a lead can read and print, and a terminal summary that fits 80 columns.

Checked by proxies: every header the re-score writes stands in a column at least as wide as it,
every output sheet prints landscape and one page wide (LibreOffice prints it to PDF), archives can
be filtered and resized but not edited."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from rich.console import Console
from support.libreoffice import recalculate

from xl_prioritize.rescore import Outcome
from xl_prioritize.summary import MOVERS_SHOWN, WIDTH, print_summary, tier_changes
from xl_prioritize.template import START
from xl_prioritize.workbook import contract as c
from xl_prioritize.workbook.ops import HEADER_FILL

OUTPUT_SHEETS = (c.CAPACITY, c.COMPARE, c.LOG, "Archive 2026-Q3", "Archive 2026-Q2")
DEFAULT_WIDTH = 8.43


@pytest.fixture(scope="module")
def book(rescored_demo: tuple[Path, Outcome]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(rescored_demo[0])


def width(ws: Worksheet, col: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(col))
    return dim.width if dim is not None and dim.width else DEFAULT_WIDTH


def headers(ws: Worksheet) -> list[tuple[int, int, str]]:
    """(row, column, text) of every cell styled as a header the re-score writes."""
    return [(cell.row, cell.column, str(cell.value)) for row in ws.iter_rows() for cell in row
            if cell.value is not None and cell.fill is not None
            and str(cell.fill.fgColor.rgb).endswith(HEADER_FILL)]


@pytest.mark.parametrize("sheet", OUTPUT_SHEETS)
def test_every_header_fits_its_column(book: openpyxl.Workbook, sheet: str) -> None:
    ws = book[sheet]
    found = headers(ws)
    assert len(found) >= 5, f"{sheet} has no header style"
    narrow = [(text, get_column_letter(col), width(ws, col)) for _, col, text in found
              if width(ws, col) < len(text)]
    assert not narrow, f"{sheet}: columns narrower than their headers: {narrow}"


@pytest.mark.parametrize("sheet", OUTPUT_SHEETS)
def test_every_output_sheet_prints_landscape_one_page_wide(book: openpyxl.Workbook,
                                                            sheet: str) -> None:
    ws = book[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.print_title_rows in ("1:1", "$1:$1")


def test_the_log_shows_its_dates_and_the_archives_their_scores(book: openpyxl.Workbook) -> None:
    log = book[c.LOG]
    assert width(log, 1) >= 19  # yyyy-mm-dd hh:mm:ss, not ###
    assert log.cell(2, 1).number_format == "yyyy-mm-dd hh:mm:ss"
    archive = book["Archive 2026-Q3"]
    header = [cell.value for cell in archive[1]]
    score = header.index(c.SCORE) + 1
    assert {archive.cell(r, score).number_format for r in range(2, 20)} == {"0.0"}


def test_archives_are_protected_but_filter_and_resize(book: openpyxl.Workbook) -> None:
    for quarter in ("2026-Q2", "2026-Q3"):
        ws = book[f"Archive {quarter}"]
        assert ws.protection.sheet
        assert ws.protection.autoFilter is False  # openpyxl's flags mean "locked"
        assert ws.protection.formatColumns is False
        assert ws.auto_filter.ref == f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"


def test_the_roster_gets_a_filter_over_inputs_and_outputs(book: openpyxl.Workbook) -> None:
    ws = book[c.ROSTER]
    header = [cell.value for cell in ws[1]]
    last = get_column_letter(header.index(c.ASSIGNED_TO) + 1)
    assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith(f"A1:{last}")


def test_the_roster_filter_of_the_user_is_kept(tmp_path: Path,
                                               rescored_demo: tuple[Path, Outcome]) -> None:
    from xl_prioritize.rescore import rescore_file

    path = tmp_path / "own-filter.xlsx"
    shutil.copy(rescored_demo[0], path)
    wb = openpyxl.load_workbook(path)
    wb[c.ROSTER].auto_filter.ref = "B1:D141"
    wb.save(path)
    rescore_file(path, run_by="tester")
    assert openpyxl.load_workbook(path)[c.ROSTER].auto_filter.ref == "B1:D141"


def _find(ws: Worksheet, text: str) -> tuple[int, int]:
    return next((cell.row, cell.column) for row in ws.iter_rows() for cell in row
                if cell.value == text)


def test_compare_blocks_stand_apart_with_fallers_beside_climbers(book: openpyxl.Workbook) -> None:
    ws = book[c.COMPARE]
    matrix = _find(ws, "Last quarter \\ This quarter")
    trend = _find(ws, "Quarter")
    climbers, fallers = _find(ws, "Climbers"), _find(ws, "Fallers")
    assert matrix[1] == trend[1] == len(c.COMPARE_HEADERS) + 2  # one blank column after the table
    # the tier columns of the matrix and of the tier sizes stand under the same letters
    for k, tier in enumerate(("Tier 1", "Tier 2", "Tier 3"), start=1):
        assert ws.cell(matrix[0], matrix[1] + k).value == tier
        assert ws.cell(trend[0], trend[1] + k).value == tier
    right_of_matrix = max(cell.column for cell in ws[matrix[0]] if cell.value is not None
                          and cell.column < climbers[1])
    assert climbers[0] == fallers[0] == 1
    assert climbers[1] == right_of_matrix + 2 and fallers[1] == climbers[1] + 4
    falling = [ws.cell(r, fallers[1] + 2).value for r in range(3, 6)]
    assert all(isinstance(why, str) and ("down" in why or "fell" in why) for why in falling)


def test_start_sheet_explains_overrides_and_archives(book: openpyxl.Workbook) -> None:
    text = " ".join(str(cell.value) for row in book[START].iter_rows() for cell in row
                    if cell.value is not None)
    assert "overridden tier (italic, orange)" in text
    assert "To sort it, copy" in text


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def _printable_copy(src: Path, dest: Path, fit: bool) -> Path:
    """The output sheets alone, 20 rows each and without charts, so that one page tall holds each:
    then one page wide is one page."""
    wb = openpyxl.load_workbook(src)
    for name in wb.sheetnames:
        if name not in OUTPUT_SHEETS:
            del wb[name]
    for ws in wb.worksheets:
        ws._charts = []
        if ws.max_row > 20:
            ws.delete_rows(21, ws.max_row - 20)
        if not fit:
            ws.sheet_properties.pageSetUpPr.fitToPage = False
    wb.save(dest)
    return dest


def test_each_output_sheet_prints_one_page_wide_in_libreoffice(
    soffice: str, tmp_path: Path, rescored_demo: tuple[Path, Outcome]
) -> None:
    fitted = _printable_copy(rescored_demo[0], tmp_path / "fitted.xlsx", fit=True)
    unfitted = _printable_copy(rescored_demo[0], tmp_path / "unfitted.xlsx", fit=False)
    assert _pages(recalculate(fitted, tmp_path / "pdf", fmt="pdf")) == len(OUTPUT_SHEETS)
    # the check can fail: unscaled, these sheets run over more than one page each
    assert _pages(recalculate(unfitted, tmp_path / "pdf", fmt="pdf")) > len(OUTPUT_SHEETS) + 3


# --- the terminal summary ---------------------------------------------------------------------


def _summary(outcome: Outcome, width: int = 200) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, soft_wrap=True, emoji=False, highlight=False)
    print_summary(outcome, console, "demo.xlsx")
    return out.getvalue()


def test_the_summary_fits_80_columns_on_a_wide_terminal(rescored_demo: tuple[Path, Outcome]) -> None:
    text = _summary(rescored_demo[1])
    long = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not long, long
    assert "Strategic" in text and "108.0" in text  # hours as the sheets show them (0.0#)
    assert "Group program of Tier 2: 8.0 h a month, carried by Sam Okafor." in text


def test_hours_read_the_same_in_the_terminal_and_the_sheets(book: openpyxl.Workbook) -> None:
    from xl_prioritize.hours import HOURS_FORMAT, hours_text

    assert [hours_text(h) for h in (6, 0.75, 0.5, 108, 1 / 3)] == ["6.0", "0.75", "0.5", "108.0",
                                                                    "0.33"]
    tiers = book[c.TIERS]
    assert {tiers.cell(r, col).number_format for r in (2, 3) for col in (4, 5)} == {HOURS_FORMAT}
    capacity = book[c.CAPACITY]
    assert capacity.cell(2, 3).number_format == HOURS_FORMAT


def test_the_summary_ends_with_who_changed_tier(rescored_demo: tuple[Path, Outcome]) -> None:
    outcome = rescored_demo[1]
    ups = sum(m == "up" for m in outcome.results.movement)
    downs = sum(m == "down" for m in outcome.results.movement)
    assert ups > MOVERS_SHOWN and downs > MOVERS_SHOWN
    lines = tier_changes(outcome, archived=True)
    assert lines[0] == f"[bold]Moved up ({ups})[/bold]"
    up_lines = lines[1:1 + MOVERS_SHOWN]
    ranks = [int(re.search(r"#(\d+)", line).group(1)) for line in up_lines]  # type: ignore[union-attr]
    assert ranks == sorted(ranks)
    best_up = min((int(r), i) for i, (r, m) in enumerate(zip(outcome.results.rank,
                                                              outcome.results.movement,
                                                              strict=True)) if m == "up")
    assert outcome.inputs.roster.ids[best_up[1]] in up_lines[0]
    assert f"… and {ups - MOVERS_SHOWN} more" in lines[1 + MOVERS_SHOWN]
    assert f"[bold]Moved down ({downs})[/bold]" in lines
    assert f"… and {downs - MOVERS_SHOWN} more" in lines[-1]
    assert "Moved down" in _summary(outcome).splitlines()[-MOVERS_SHOWN - 2]


def test_a_first_quarter_says_every_partner_is_new(rescored_demo: tuple[Path, Outcome]) -> None:
    assert tier_changes(rescored_demo[1], archived=False) == [
        "No earlier quarter is archived: every partner is new."]


def test_partner_names_print_as_text_not_markup(rescored_demo: tuple[Path, Outcome]) -> None:
    from xl_prioritize.summary import _mover_line

    line = _mover_line(3, "P-1", "[red]Evil[/red] Corp\x1b[2J", "Tier 2", "Tier 1")
    out = io.StringIO()
    Console(file=out, width=200).print(line)
    assert "[red]Evil[/red] Corp" in out.getvalue() and "\x1b" not in out.getvalue()


def test_widen_to_headers_only_widens_narrow_header_columns() -> None:
    from xl_prioritize.workbook.ops import Area, ColumnWidths, WriteBlock, header_style
    from xl_prioritize.workbook.widths import widen_to_headers

    plan = [
        WriteBlock("S", 1, 1, (("Partners assigned", "Load", "a much longer value than its header"),)),
        header_style("S", Area(1, 1, 1, 2)),
        ColumnWidths("S", ((1, 12.0), (2, 30.0))),
        WriteBlock("Other", 1, 1, (("Not owned here",),)),
        header_style("Other", Area(1, 1)),
    ]
    widened = widen_to_headers(plan, {"S"})
    assert len(widened) == 1 and widened[0].sheet == "S"
    ((col, width),) = widened[0].widths
    assert col == 1 and width >= len("Partners assigned")


def test_a_later_rescore_keeps_the_log_widths_a_reader_set(
    tmp_path: Path, rescored_demo: tuple[Path, Outcome]
) -> None:
    from xl_prioritize.rescore import rescore_file
    from xl_prioritize.workbook.ops import ColumnWidths

    path = tmp_path / "resized.xlsx"
    shutil.copy(rescored_demo[0], path)
    wb = openpyxl.load_workbook(path)
    wb[c.LOG].column_dimensions["F"].width = 120
    wb.save(path)
    outcome = rescore_file(path, run_by="tester")
    assert not [op for op in outcome.plan if isinstance(op, ColumnWidths) and op.sheet == c.LOG]
    assert openpyxl.load_workbook(path)[c.LOG].column_dimensions["F"].width == 120
