"""The live adapter: a workbook open in Excel, through xlwings.

Every call crosses into Excel (COM on Windows, AppleScript on macOS), so each sheet is read with one
2D range call and each block written as one 2D array: the number of calls depends on the plan's
shape, never on the number of partners. Writes run with screen updating, automatic calculation
and events off, and the user's settings come back however the run ends.

What xlwings has no call for (protecting a sheet with its options, freezing panes, page setup,
turning AutoFilter on, hiding a name) goes through the platform's own object model (`.api`):
Excel's VBA names through pywin32 on Windows, its AppleScript terms through appscript on macOS.
Those, hidden columns, drop-downs and conditional formats are finishing touches: when one fails the
run goes on and says so in `notes`.

What xlwings hands back is normalised to what the file adapter reads from the same cell (see
`from_excel`), and the whole plan is converted to what Excel accepts before the first write (see
`excel_value`): a value Excel cannot hold stops the run with nothing written.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from ..workbook.cells import Formula, Grid
from ..workbook.columns import get_column_letter
from ..workbook.ops import (
    Area,
    AutoFilter,
    Chart,
    ClearSheet,
    ColumnWidths,
    ConditionalFormat,
    DataValidationList,
    DefineName,
    EnsureSheet,
    FreezePanes,
    HideColumns,
    Operation,
    PageSetup,
    Plan,
    ProtectSheet,
    Style,
    WriteBlock,
)

CHART_TYPES = {"column": "column_clustered", "bar": "bar_clustered", "line": "line"}
AUTOMATIC_FONT = "#000000"
"""xlwings sets colours only: black stands in for the automatic font colour."""
MAX_ADDRESS = 240
"""Excel refuses a range address longer than 255 characters."""
MAX_TEXT = 32767
"""The most characters a cell holds."""
TIME_DAY = dt.date(1899, 12, 30)
"""Day zero of Excel's 1900 date system: xlwings hands a time of day back as a datetime on it."""
FIRST_DATE = dt.date(1900, 1, 1)
XL_LANDSCAPE, XL_PORTRAIT = 2, 1
"""XlPageOrientation."""
SHOWN_BAD_VALUES = 5


class PlanValueError(ValueError):
    """Values of the plan Excel cannot hold, found before anything was written."""


def _address(area: Area) -> str:
    first = f"{get_column_letter(area.col)}{area.row}"
    if area.rows == 1 and area.cols == 1:
        return first
    return f"{first}:{get_column_letter(area.last_col)}{area.last_row}"


def addresses(areas: Sequence[Area]) -> list[str]:
    """Areas as comma-joined addresses, each short enough for one range call."""
    chunks: list[str] = []
    for area in areas:
        text = _address(area)
        if chunks and len(chunks[-1]) + 1 + len(text) <= MAX_ADDRESS:
            chunks[-1] += "," + text
        else:
            chunks.append(text)
    return chunks


def to_excel(value: object) -> object:
    """A plan value as Excel should store it: text stays text (`'007`, `'=1+1`, not 7 or 2),
    numbers plain, times and dates as Excel's date serials take them. Raises ValueError (or
    TypeError) for a value no cell can hold."""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"text of {len(value)} characters; a cell holds at most {MAX_TEXT}")
        return "'" + value
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        if abs(int(value)) >= 2**63:
            raise ValueError(f"the whole number {value} is too large for Excel")
        return int(value)
    if isinstance(value, float | np.floating | Decimal):
        number = float(value)
        if math.isnan(number):
            return None
        if math.isinf(number):
            raise ValueError("an infinite number; Excel holds finite numbers only")
        return number
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
        if naive.date() < FIRST_DATE and naive.date() != TIME_DAY:
            raise ValueError(f"the date {value.date()} is before 1900, Excel's first date")
        return naive
    if isinstance(value, dt.date):
        if value < FIRST_DATE:
            raise ValueError(f"the date {value} is before 1900, Excel's first date")
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        # pywin32 and appscript take no time of day: Excel holds it as a datetime on day zero.
        return dt.datetime.combine(TIME_DAY, value.replace(tzinfo=None))
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    raise TypeError(f"a {type(value).__name__} ({value!r}); Excel holds text, numbers, "
                    "booleans, dates and times")


def convert_plan(plan: Plan) -> list[Operation]:
    """The plan with every WriteBlock's values as Excel takes them; raises PlanValueError naming
    each cell whose value Excel cannot hold (the first few), before anything is written."""
    converted: list[Operation] = []
    bad: list[str] = []
    for op in plan:
        if isinstance(op, WriteBlock):
            width = max((len(r) for r in op.values), default=0)
            rows: list[tuple[object, ...]] = []
            for i, line in enumerate(op.values):
                row: list[object] = []
                for j, value in enumerate(line):
                    try:
                        row.append(to_excel(value))
                    except (TypeError, ValueError) as error:
                        bad.append(f"{op.sheet}!{get_column_letter(op.col + j)}{op.row + i}: {error}")
                        row.append(None)
                rows.append((*row, *([None] * (width - len(row)))))
            op = WriteBlock(op.sheet, op.row, op.col, tuple(rows))
        converted.append(op)
    if bad:
        more = f" (and {len(bad) - SHOWN_BAD_VALUES} more)" if len(bad) > SHOWN_BAD_VALUES else ""
        raise PlanValueError(f"{len(bad)} value(s) Excel cannot hold{more}: "
                             + "; ".join(bad[:SHOWN_BAD_VALUES]))
    return converted


def from_excel(value: object) -> object:
    """A value xlwings returned, as the file adapter reads the same cell.

    Excel holds every number as a float; a file stores a whole one as `7`, which reads back as the
    int 7. On Windows a cell with a currency or accounting format comes back as `Decimal` (COM's
    VT_CY; xlwings issue #65): a float like any other number. A time of day comes back as a
    datetime on 1899-12-30 (`_xlwindows.py` `_com_time_to_datetime`): a `time`, as openpyxl reads it.
    """
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.datetime) and value.date() == TIME_DAY:
        return value.time()
    return value


def is_formula(formula: object, value: object) -> bool:
    """Whether a cell holds a formula, from what `Range.formula` and `Range.value` gave for it.

    `Range.formula` (Excel's `Range.Formula`) shows a constant as its text, so a text cell `'=1+1`
    shows `=1+1` just like a formula would. A formula's value differs from its text (its result,
    or None for `""` and errors); a text cell's value is its text, character for character. So a
    cell is a formula where its formula text begins with `=` and is not the very text it holds.
    (A formula whose result is its own text, like `=A1` where A1 holds the text `=A1`, reads as
    text: no such formula is of use in a workbook.)"""
    if not (isinstance(formula, str) and formula.startswith("=") and len(formula) > 1):
        return False
    return not (isinstance(value, str) and value == formula)


def _two_d(value: Any, columns: int | None = None) -> list[list[object]]:
    """Whatever a range read returned (a scalar for one cell, a flat list for one row or, where
    `columns` is 1, one column), as rows."""
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            return [list(r) for r in value]
        if columns == 1 and len(value) > 1:
            return [[v] for v in value]
        return [list(value)]
    return [[value]]


def _style_key(op: Style) -> tuple[object, ...]:
    return (op.sheet, op.number_format, op.bold, op.italic, op.fill, op.font_color, op.wrap)


def merge_styles(plan: Plan) -> Iterator[Operation | tuple[Style, list[Area]]]:
    """The plan with runs of alike Styles on one sheet merged: one range call styles them all."""
    pending: tuple[Style, list[Area]] | None = None
    for op in plan:
        if isinstance(op, Style):
            if pending is not None and _style_key(pending[0]) == _style_key(op):
                pending[1].append(op.area)
                continue
            if pending is not None:
                yield pending
            pending = (op, [op.area])
            continue
        if pending is not None:
            yield pending
            pending = None
        yield op
    if pending is not None:
        yield pending


class ExcelWorkbook:
    """The WorkbookAdapter over an xlwings Book (or anything with its shape)."""

    def __init__(self, book: Any, platform: str = sys.platform) -> None:
        self.book = book
        self.platform = platform
        self.notes: list[str] = []
        """Finishing touches that could not be applied (protection, panes, print setup, filters,
        hidden columns and names, drop-downs, highlighting), one sentence each."""
        self.writes_started = False
        self._names: list[str] | None = None
        self._sheets: dict[str, Any] = {}
        self._values: dict[str, Grid] = {}
        self._cleared: set[str] = set()
        """Sheets the plan being applied clears: the tool's own."""
        self._rules_cleared: set[tuple[str, Area]] = set()

    # reading ---------------------------------------------------------------------------------
    def defined_names(self) -> dict[str, str]:
        """Workbook-level names (hidden ones too) and what they refer to, without the leading
        `=`: two calls a name, however long the roster."""
        found: dict[str, str] = {}
        for name in self.book.names:
            text = name.name
            if "!" not in text:  # `Sheet!Name` is scoped to a sheet
                found[text] = str(name.refers_to).removeprefix("=")
        return found

    def sheet_names(self) -> list[str]:
        if self._names is None:
            self._names = [sheet.name for sheet in self.book.sheets]
        return list(self._names)

    def _sheet(self, name: str) -> Any:
        if name not in self._sheets:
            self._sheets[name] = self.book.sheets[name]
        return self._sheets[name]

    def _used(self, sheet: str) -> Any:
        """The range from A1 to the used range's last cell: a grid always starts at A1."""
        ws = self._sheet(sheet)
        used = ws.used_range
        first_row, first_col = used.row, used.column
        rows, cols = used.shape
        return ws.range((1, 1), (first_row + rows - 1, first_col + cols - 1))

    def _read(self, sheet: str) -> tuple[Grid, Grid]:
        """(values, formulas) of the sheet's grid: two range reads. Values as the file adapter
        reads them (`from_excel`); an error cell as its text (`#N/A`, as a file holds it), read
        with `err_to_str` (xlwings >= 0.28); a formula whose result is `""` as "" (xlwings gives
        None for it, which would read as a formula never calculated)."""
        rng = self._used(sheet)
        raw = _two_d(rng.options(ndim=2, err_to_str=True).value)
        formulas = _two_d(rng.formula, len(raw[0]) if raw else None)
        values: list[list[object]] = []
        for raw_row, formula_row in zip(raw, formulas, strict=False):
            row: list[object] = []
            for i, value in enumerate(raw_row):
                formula = formula_row[i] if i < len(formula_row) else ""
                if value is None and is_formula(formula, value):
                    value = ""
                row.append(from_excel(value))
            values.append(row)
        values += [[from_excel(v) for v in r] for r in raw[len(formulas):]]
        self._values[sheet] = values
        return values, formulas

    def read_grid(self, sheet: str) -> Grid:
        """Values, with a `Formula` where a cell holds a formula (as the file adapter reads)."""
        values, formulas = self._read(sheet)
        grid: list[list[object]] = []
        for value_row, formula_row in zip(values, formulas, strict=False):
            grid.append([
                Formula(f, v) if is_formula(f, v) else v
                for v, f in zip(value_row, formula_row, strict=False)
            ] + value_row[len(formula_row):])
        return grid

    def read_values(self, sheet: str) -> Grid:
        if sheet not in self._values:
            self._read(sheet)
        return [list(r) for r in self._values[sheet]]

    def refresh(self) -> None:
        """Forget what was read: the next read asks Excel again."""
        self._values.clear()
        self._names = None
        self._sheets.clear()

    # writing ---------------------------------------------------------------------------------
    def apply(self, plan: Plan) -> None:
        """Carry out the plan. Every value is converted first: PlanValueError, nothing written,
        when one cannot go into a cell."""
        ops = convert_plan(plan)
        app = self.book.app
        freezes = any(isinstance(op, FreezePanes) for op in ops)
        self._cleared = {op.sheet for op in ops if isinstance(op, ClearSheet)}
        self._rules_cleared = set()
        with app.properties(screen_updating=False, calculation="manual", enable_events=False):
            active = self.book.sheets.active if freezes else None
            self.writes_started = True
            try:
                for item in merge_styles(ops):
                    if isinstance(item, tuple):
                        self._style(*item)
                    else:
                        self._apply(item)
            finally:
                if active is not None:
                    active.activate()
        self._values.clear()

    def _apply(self, op: Operation) -> None:
        match op:
            case EnsureSheet():
                self._ensure(op)
            case ClearSheet():
                ws = self._sheet(op.sheet)
                for chart in list(ws.charts):
                    chart.delete()
                ws.clear()
            case WriteBlock():
                area = op.area
                if area.rows and area.cols:
                    ws = self._sheet(op.sheet)
                    rng = ws.range((area.row, area.col), (area.last_row, area.last_col))
                    rng.value = [list(row) for row in op.values]
            case ColumnWidths():
                ws = self._sheet(op.sheet)
                for col, width in op.widths:
                    ws.range((1, col)).column_width = width
            case DefineName():
                self._define_name(op)
            case Chart():
                self._chart(op)
            case ProtectSheet():
                self._finish(f"Could not protect sheet '{op.sheet}'", self._protect, op)
            case FreezePanes():
                self._finish(f"Could not freeze the panes of sheet '{op.sheet}'", self._freeze, op)
            case PageSetup():
                self._finish(f"Could not set up printing of sheet '{op.sheet}'", self._page_setup, op)
            case AutoFilter():
                self._finish(f"Could not turn on the filter of sheet '{op.sheet}'", self._autofilter,
                             op)
            case HideColumns():
                self._finish(f"Could not hide columns of sheet '{op.sheet}'", self._hide, op)
            case DataValidationList():
                self._finish(f"Could not add the drop-down to {op.sheet}!{_address(op.area)}",
                             self._validation, op)
            case ConditionalFormat():
                self._finish(f"Could not add the highlighting of {op.sheet}!{_address(op.area)}",
                             self._highlight, op)
            case _:
                raise TypeError(f"unknown operation {op!r}")

    def _finish(self, failure: str, action: Any, op: Operation) -> None:
        """A finishing touch: when Excel refuses it the run goes on and the message says so."""
        try:
            action(op)
        except Exception as error:
            self.notes.append(f"{failure}: {error}")

    def _on(self) -> str:
        if self.platform.startswith("win"):
            return "win"
        if self.platform == "darwin":
            return "mac"
        raise NotImplementedError(f"no Excel object model on {self.platform}")

    def _ensure(self, op: EnsureSheet) -> None:
        names = self.sheet_names()
        if op.sheet in names:
            ws = self._sheet(op.sheet)
        else:
            after = op.after if op.after in names else names[-1]
            ws = self.book.sheets.add(op.sheet, after=self._sheet(after))
            self._sheets[op.sheet] = ws
            names.insert(names.index(after) + 1, op.sheet)
            self._names = names
        if op.hidden:
            ws.visible = False

    def _style(self, op: Style, areas: list[Area]) -> None:
        ws = self._sheet(op.sheet)
        for address in addresses(areas):
            rng = ws.range(address)
            if op.number_format is not None:
                rng.number_format = op.number_format
            if op.fill:
                rng.color = "#" + op.fill
            if op.wrap is not None:
                rng.wrap_text = op.wrap
            if op.bold is not None or op.italic is not None or op.font_color is not None:
                font = rng.font
                if op.bold is not None:
                    font.bold = op.bold
                if op.italic is not None:
                    font.italic = op.italic
                if op.font_color is not None:
                    font.color = "#" + op.font_color if op.font_color else AUTOMATIC_FONT

    def _chart(self, op: Chart) -> None:
        ws = self._sheet(op.sheet)
        charts = ws.charts
        for old in list(charts):
            if old.name == op.name:
                old.delete()
        a = op.anchor
        anchor = ws.range((a.row, a.col), (a.last_row, a.last_col))
        chart = charts.add(anchor.left, anchor.top, anchor.width, anchor.height)
        chart.name = op.name
        chart.chart_type = CHART_TYPES[op.kind]
        chart.set_source_data(ws.range(",".join(_address(s) for s in op.series)),
                              plot_by="columns")
        chart.set_x_axis_values(ws.range(_address(op.categories)))
        chart.title = op.title
        if op.y_title or op.percent_axis:
            axis = chart.value_axis
            if op.y_title:
                axis.title = op.y_title
            if op.percent_axis:
                axis.number_format = "0%"

    def _define_name(self, op: DefineName) -> None:
        names = self.book.names
        if names.contains(op.name):
            names[op.name].delete()
        name = names.add(op.name, "=" + op.refers_to)
        if op.hidden:
            self._finish(f"Could not hide the name '{op.name}'", lambda _: self._hide_name(name), op)

    def _hide_name(self, name: Any) -> None:
        if self._on() == "win":
            name.api.Visible = False
        else:
            name.api.visible.set(False)

    def _protect(self, op: ProtectSheet) -> None:
        api = self._sheet(op.sheet).api
        if self._on() == "win":
            api.Protect(DrawingObjects=True, Contents=True, AllowFiltering=op.allow_filter,
                        AllowFormattingColumns=op.allow_format_columns)
        else:
            api.protect_worksheet(drawing_objects=True, worksheet_contents=True,
                                  allow_filtering=op.allow_filter,
                                  allow_formatting_columns=op.allow_format_columns)

    def _freeze(self, op: FreezePanes) -> None:
        on = self._on()
        ws = self._sheet(op.sheet)
        ws.activate()
        app = self.book.app.api
        if on == "win":
            window = app.ActiveWindow
            window.FreezePanes = False
            window.ScrollRow = 1
            window.ScrollColumn = 1
            window.SplitColumn = op.col - 1
            window.SplitRow = op.row - 1
            window.FreezePanes = True
        else:
            window = app.active_window
            window.freeze_panes.set(False)
            window.split_column.set(op.col - 1)
            window.split_row.set(op.row - 1)
            window.freeze_panes.set(True)

    def _page_setup(self, op: PageSetup) -> None:
        api = self._sheet(op.sheet).api
        titles = f"$1:${op.repeat_rows}" if op.repeat_rows else ""
        if self._on() == "win":
            setup = api.PageSetup
            setup.Orientation = XL_LANDSCAPE if op.landscape else XL_PORTRAIT
            if op.fit_to_width:
                setup.Zoom = False
                setup.FitToPagesWide = 1
                setup.FitToPagesTall = False
            setup.PrintTitleRows = titles
        else:
            setup = api.page_setup_object
            setup.page_orientation.set(_mac_keyword("landscape" if op.landscape else "portrait"))
            if op.fit_to_width:
                setup.zoom.set(False)
                setup.fit_to_pages_wide.set(1)
                setup.fit_to_pages_tall.set(False)
            setup.print_title_rows.set(titles)

    def _autofilter(self, op: AutoFilter) -> None:
        """Filter drop-downs over the area. A sheet the plan does not clear (the Roster) keeps an
        AutoFilter or an Excel table of the user's: nothing is added there."""
        ws = self._sheet(op.sheet)
        a = op.area
        rng = ws.range((a.row, a.col), (a.last_row, a.last_col))
        owned = op.sheet in self._cleared
        api = ws.api
        win = self._on() == "win"
        if api.AutoFilterMode if win else api.autofilter_mode.get():
            if not owned:
                return
            if win:
                api.AutoFilterMode = False
            else:
                api.autofilter_mode.set(False)
        elif not owned and len(ws.tables):
            return
        if win:
            rng.api.AutoFilter()
        else:
            rng.api.autofilter_range()

    def _hide(self, op: HideColumns) -> None:
        ws = self._sheet(op.sheet)
        for col in op.columns:
            ws.range((1, col)).columns.hidden = True

    def _validation(self, op: DataValidationList) -> None:
        sheet, _, address = op.source.rpartition("!")
        name = sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet
        source = self._sheet(name or op.sheet).range(address.replace("$", ""))
        a = op.area
        target = self._sheet(op.sheet).range((a.row, a.col), (a.last_row, a.last_col))
        target.data_validation.set_list(source)

    def _highlight(self, op: ConditionalFormat) -> None:
        """A rule on the area; the rules the area had before this run are replaced, once."""
        a = op.area
        rules = self._sheet(op.sheet).range((a.row, a.col), (a.last_row, a.last_col)) \
            .conditional_formats
        if (op.sheet, a) not in self._rules_cleared:
            rules.clear()
            self._rules_cleared.add((op.sheet, a))
        style: dict[str, object] = {}
        if op.fill:
            style["fill_color"] = "#" + op.fill
        if op.font_color:
            style["font_color"] = "#" + op.font_color
        if op.bold is not None:
            style["font_bold"] = op.bold
        rules.add_custom("=" + op.formula, **style)


def _mac_keyword(name: str) -> object:
    """An AppleScript enumerator (`k.landscape`) where appscript is installed (macOS)."""
    try:
        from appscript import k  # type: ignore[import-not-found]
    except ImportError:
        return name
    return getattr(k, name)
