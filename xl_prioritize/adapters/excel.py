"""The live adapter: a workbook open in Excel, through xlwings.

Every call crosses into Excel (COM on Windows, AppleScript on macOS), so each sheet is read with one
2D range call and each block written as one 2D array: the number of calls depends on the plan's
shape, never on the number of partners. Writes run with screen updating, automatic calculation
and events off, and the user's settings come back however the run ends.

Two things xlwings has no cross-platform call for, protecting a sheet and freezing panes, go
through the platform's own object model (`.api`): pywin32 on Windows, appscript on macOS. They are
finishing touches: when they fail the run goes on and says so in `notes`.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from openpyxl.utils import get_column_letter

from ..workbook.cells import Formula, Grid
from ..workbook.ops import (
    Area,
    Chart,
    ClearSheet,
    ColumnWidths,
    DefineName,
    EnsureSheet,
    FreezePanes,
    Operation,
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
    """A plan value as Excel should store it: text stays text (`'007`, not 7), numbers plain."""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, str):
        return "'" + value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, dt.date | dt.time | int) or value is None:
        return value
    return "'" + str(value)


def _rectangle(values: Sequence[Sequence[object]]) -> list[list[object]]:
    width = max((len(r) for r in values), default=0)
    return [[to_excel(v) for v in row] + [None] * (width - len(row)) for row in values]


def from_excel(value: object) -> object:
    """A value Excel returned, as the file adapter reads the same cell: Excel holds every number
    as a float; a file stores a whole one as `7`, which reads back as the int 7."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _two_d(value: Any) -> list[list[object]]:
    """Whatever a range read returned (a scalar for one cell), as rows."""
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], list | tuple):
            return [list(r) for r in value]
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
        """Finishing touches that could not be applied (sheet protection, frozen panes)."""
        self.writes_started = False
        self._names: list[str] | None = None
        self._sheets: dict[str, Any] = {}
        self._values: dict[str, Grid] = {}

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
        """(values, formulas) of the sheet's grid: two range reads."""
        rng = self._used(sheet)
        values = [[from_excel(v) for v in row] for row in _two_d(rng.options(ndim=2).value)]
        formulas = _two_d(rng.formula)
        self._values[sheet] = values
        return values, formulas

    def read_grid(self, sheet: str) -> Grid:
        """Values, with `=...` text where a cell holds a formula (as the file adapter reads)."""
        values, formulas = self._read(sheet)
        grid: list[list[object]] = []
        for value_row, formula_row in zip(values, formulas, strict=False):
            grid.append([
                Formula(f, v) if isinstance(f, str) and f.startswith("=") and len(f) > 1 else v
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
        app = self.book.app
        freezes = any(isinstance(op, FreezePanes) for op in plan)
        with app.properties(screen_updating=False, calculation="manual", enable_events=False):
            active = self.book.sheets.active if freezes else None
            self.writes_started = True
            try:
                for item in merge_styles(plan):
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
                    rng.value = _rectangle(op.values)
            case ColumnWidths():
                ws = self._sheet(op.sheet)
                for col, width in op.widths:
                    ws.range((1, col)).column_width = width
            case DefineName():
                names = self.book.names
                if names.contains(op.name):
                    names[op.name].delete()
                names.add(op.name, "=" + op.refers_to)
            case Chart():
                self._chart(op)
            case ProtectSheet():
                self._protect(op.sheet)
            case FreezePanes():
                self._freeze(op)
            case _:
                raise TypeError(f"unknown operation {op!r}")

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

    def _protect(self, sheet: str) -> None:
        try:
            api = self._sheet(sheet).api
            if self.platform.startswith("win"):
                api.Protect()
            elif self.platform == "darwin":
                api.protect_worksheet()
            else:
                raise NotImplementedError(f"no Excel object model on {self.platform}")
        except Exception as error:
            self.notes.append(f"Could not protect sheet '{sheet}': {error}")

    def _freeze(self, op: FreezePanes) -> None:
        try:
            ws = self._sheet(op.sheet)
            ws.activate()
            app = self.book.app.api
            if self.platform.startswith("win"):
                window = app.ActiveWindow
                window.FreezePanes = False
                window.ScrollRow = 1
                window.ScrollColumn = 1
                window.SplitColumn = op.col - 1
                window.SplitRow = op.row - 1
                window.FreezePanes = True
            elif self.platform == "darwin":
                window = app.active_window
                window.freeze_panes.set(False)
                window.split_column.set(op.col - 1)
                window.split_row.set(op.row - 1)
                window.freeze_panes.set(True)
            else:
                raise NotImplementedError(f"no Excel object model on {self.platform}")
        except Exception as error:
            self.notes.append(f"Could not freeze the panes of sheet '{op.sheet}': {error}")
