"""The file adapter: an .xlsx/.xlsm on disk through openpyxl, saved atomically."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from copy import copy
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from lxml import etree
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..ooxml.safety import DAMAGED, damaged, malformed
from ..workbook.cells import Formula, Grid
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
from .atomic import atomic_replace, lock_files, refuse_if_open  # noqa: F401  (re-exported)


@contextlib.contextmanager
def malformed_as_input_error(path: Path) -> Iterator[None]:
    """openpyxl's parse errors (a part that is not well-formed XML) as the input error it is."""
    try:
        yield
    except (ParseError, etree.XMLSyntaxError) as error:
        raise malformed(path.name, error, source=path) from None
    except DAMAGED as error:
        raise damaged(path.name, error, source=path) from None


class FileWorkbook:
    """A workbook file held in memory by openpyxl until `save()` replaces the file atomically."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with malformed_as_input_error(self.path):
            self.book = openpyxl.load_workbook(
                self.path, keep_vba=self.path.suffix.lower() == ".xlsm", keep_links=True
            )
        self._values: openpyxl.Workbook | None = None
        self._fresh_rules: dict[str, set[int]] = {}

    # reading ---------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return list(self.book.sheetnames)

    def read_grid(self, sheet: str) -> Grid:
        return [[Formula(c.value) if c.data_type == "f" and isinstance(c.value, str) else c.value
                 for c in row] for row in self.book[sheet].iter_rows()]

    def defined_names(self) -> dict[str, str]:
        """Workbook-level names and what they refer to, without the leading `=`."""
        return {name: str(defined.attr_text) for name, defined in self.book.defined_names.items()}

    def read_values(self, sheet: str) -> Grid:
        with malformed_as_input_error(self.path):
            if self._values is None:
                self._values = openpyxl.load_workbook(self.path, data_only=True, read_only=True)
            return [list(row) for row in self._values[sheet].iter_rows(values_only=True)]

    # writing ---------------------------------------------------------------------------------
    def apply(self, plan: Plan) -> None:
        for op in plan:
            self._apply(op)
        self.book.calculation.fullCalcOnLoad = True

    def _apply(self, op: Operation) -> None:
        match op:
            case EnsureSheet():
                self._ensure(op)
            case ClearSheet():
                self._clear(op.sheet)
            case WriteBlock():
                self._write(op)
            case Style():
                self._style(op)
            case ColumnWidths():
                ws = self.book[op.sheet]
                for col, width in op.widths:
                    ws.column_dimensions[get_column_letter(col)].width = width
            case DefineName():
                if op.name in self.book.defined_names:
                    del self.book.defined_names[op.name]
                self.book.defined_names[op.name] = DefinedName(op.name, attr_text=op.refers_to,
                                                               hidden=op.hidden or None)
            case Chart():
                self._chart(op)
            case ProtectSheet():
                protection = self.book[op.sheet].protection
                protection.sheet = True
                protection.autoFilter = not op.allow_filter
                protection.formatColumns = not op.allow_format_columns
            case FreezePanes():
                self.book[op.sheet].freeze_panes = f"{get_column_letter(op.col)}{op.row}"
            case PageSetup():
                self._page_setup(op)
            case AutoFilter():
                ws = self.book[op.sheet]
                if not ws.auto_filter.ref and not ws.tables:
                    ws.auto_filter.ref = _range(op.area)
            case DataValidationList():
                self._validation(op)
            case ConditionalFormat():
                self._conditional(op)
            case HideColumns():
                ws = self.book[op.sheet]
                for col in op.columns:
                    ws.column_dimensions[get_column_letter(col)].hidden = True
            case _:
                raise TypeError(f"unknown operation {op!r}")

    def _page_setup(self, op: PageSetup) -> None:
        ws = self.book[op.sheet]
        ws.page_setup.orientation = "landscape" if op.landscape else "portrait"
        if op.fit_to_width:
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0
        if op.repeat_rows:
            ws.print_title_rows = f"1:{op.repeat_rows}"

    def _validation(self, op: DataValidationList) -> None:
        """A drop-down replacing the ones that lay within the same columns (a re-score's own)."""
        ws = self.book[op.sheet]
        columns = set(range(op.area.col, op.area.last_col + 1))
        kept = [dv for dv in ws.data_validations.dataValidation
                if not all(c in columns for r in dv.sqref.ranges
                           for c in range(r.min_col, r.max_col + 1))]
        ws.data_validations.dataValidation = kept
        validation = DataValidation(type="list", formula1=op.source.lstrip("="), allow_blank=True,
                                    showErrorMessage=True, showInputMessage=True)
        validation.add(_range(op.area))
        ws.add_data_validation(validation)

    def _conditional(self, op: ConditionalFormat) -> None:
        """A rule over the area; the rules that lay within its columns before this plan (a
        re-score's own) go first."""
        ws = self.book[op.sheet]
        columns = set(range(op.area.col, op.area.last_col + 1))
        fresh = self._fresh_rules.setdefault(op.sheet, set())
        if not columns <= fresh:
            rules = ws.conditional_formatting._cf_rules
            for cf in [cf for cf in rules if all(
                    c in columns for r in cf.sqref.ranges for c in range(r.min_col, r.max_col + 1))]:
                kept = [r for r in rules[cf] if r.type != "expression"]  # a template's colour scale
                if kept:
                    rules[cf] = kept
                else:
                    del rules[cf]
            fresh.update(columns)
        fill = PatternFill(bgColor=op.fill) if op.fill else None
        font = Font(b=op.bold, color=op.font_color or None) \
            if op.bold is not None or op.font_color else None
        rule = FormulaRule(formula=[op.formula])
        rule.dxf = DifferentialStyle(font=font, fill=fill)
        ws.conditional_formatting.add(_range(op.area), rule)

    def _ensure(self, op: EnsureSheet) -> None:
        if op.sheet in self.book.sheetnames:
            ws = self.book[op.sheet]
        else:
            names = self.book.sheetnames
            index = names.index(op.after) + 1 if op.after in names else len(names)
            ws = self.book.create_sheet(op.sheet, index)
        if op.hidden:
            ws.sheet_state = "hidden"

    def _clear(self, sheet: str) -> None:
        old = self.book[sheet]
        index, state = self.book.index(old), old.sheet_state
        self.book.remove(old)
        new = self.book.create_sheet(sheet, index)
        new.sheet_state = state

    def _write(self, op: WriteBlock) -> None:
        ws: Worksheet = self.book[op.sheet]
        cells = ws._cells
        for r, line in enumerate(op.values, start=op.row):
            for col, value in enumerate(line, start=op.col):
                if value is None and (r, col) not in cells:
                    continue
                target = ws.cell(row=r, column=col)
                if isinstance(value, Formula):
                    target.value = value.text
                else:
                    target.value = value
                    if isinstance(value, str):
                        target.data_type = "s"  # text stays text, even `=1+1`

    def _style(self, op: Style) -> None:
        """Style the area's cells that hold something; cells that share a style before share it
        after, so each distinct style is worked out once and copied to the rest, as openpyxl's
        own sheet copier does."""
        ws = self.book[op.sheet]
        fill = PatternFill("solid", start_color=op.fill) if op.fill else None
        restyled: dict[tuple[int, ...], StyleArray] = {}
        cells = ws._cells
        for r in range(op.area.row, op.area.last_row + 1):
            for col in range(op.area.col, op.area.last_col + 1):
                cell = cells.get((r, col))
                if cell is None:
                    continue  # an empty cell of a sheet we own: styling it would only add bulk
                before = tuple(cell._style or ())
                if before in restyled:
                    cell._style = copy(restyled[before])
                    continue
                self._restyle(cell, op, fill)
                restyled[before] = copy(cell._style)

    @staticmethod
    def _restyle(cell: Cell, op: Style, fill: PatternFill | None) -> None:
        if op.number_format is not None and cell.number_format != op.number_format:
            cell.number_format = op.number_format
        if fill is not None:
            cell.fill = fill
        font = cell.font
        current = {"b": bool(font.b), "i": bool(font.i), "color": _rgb(font.color) or ""}
        wanted = {"b": op.bold, "i": op.italic, "color": op.font_color}
        changes = {k: v for k, v in wanted.items() if v is not None and v != current[k]}
        if changes:
            updated: Font = copy(font)
            for key, value in changes.items():
                setattr(updated, key, value or None)
            cell.font = updated
        if op.wrap is not None and cell.alignment.wrap_text != op.wrap:
            alignment = copy(cell.alignment)
            alignment.wrap_text = op.wrap
            cell.alignment = alignment

    def _chart(self, op: Chart) -> None:
        ws = self.book[op.sheet]
        ws._charts = [ch for ch in ws._charts if getattr(ch, "xlp_name", None) != op.name]
        chart: BarChart | LineChart
        if op.kind == "line":
            chart = LineChart()
        else:
            chart = BarChart()
            chart.type = "bar" if op.kind == "bar" else "col"
            chart.grouping = "clustered"
        chart.title = op.title
        for area in op.series:
            chart.add_data(_reference(ws, area), titles_from_data=True)
        chart.set_categories(_reference(ws, op.categories))
        if op.y_title:
            chart.y_axis.title = op.y_title
        if op.percent_axis:
            chart.y_axis.number_format = "0%"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.anchor = TwoCellAnchor(  # spans exactly the plan's cells, as in Excel
            _from=AnchorMarker(col=op.anchor.col - 1, row=op.anchor.row - 1),
            to=AnchorMarker(col=op.anchor.last_col, row=op.anchor.last_row),
        )
        chart.xlp_name = op.name  # type: ignore[attr-defined]
        ws.add_chart(chart)

    # saving ----------------------------------------------------------------------------------
    def save(self) -> None:
        """Write beside the file, then replace it: the file is whole before or after, never half."""
        refuse_if_open(self.path)
        with atomic_replace(self.path) as temp:
            self.book.save(temp)

    def close(self) -> None:
        if self._values is not None:
            self._values.close()


def _rgb(color: object) -> str | None:
    """A font colour as the 6-digit hex a Style names, None for theme or automatic colours."""
    rgb = getattr(color, "rgb", None)
    return rgb[-6:] if isinstance(rgb, str) else None


def _range(area: Area) -> str:
    first = f"{get_column_letter(area.col)}{area.row}"
    if area.rows == 1 and area.cols == 1:
        return first
    return f"{first}:{get_column_letter(area.last_col)}{area.last_row}"


def _reference(ws: Worksheet, area: Area) -> Reference:
    return Reference(ws, min_col=area.col, min_row=area.row, max_col=area.last_col,
                     max_row=area.last_row)
