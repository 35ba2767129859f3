"""A sheet as the plan leaves it (values, looks and sheet settings), and the whole worksheet part
for a sheet the tool owns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..workbook.cells import Formula
from ..workbook.ops import Area, ConditionalFormat, DataValidationList, PageSetup, ProtectSheet
from . import cellxml
from .cellxml import column_letter, escape_attr, escape_text, ref
from .styles import Look, Styles

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DEFAULT_WIDTH = 9.140625
_PLAIN = frozenset({str, int, float, bool, Formula, type(None)})
"""Value types that never ask for a date format."""


@dataclass
class SheetModel:
    """What the plan did to one sheet. `whole`: the sheet is written from this alone (a sheet the
    tool created or cleared); otherwise these are edits over the sheet's existing XML."""

    name: str
    whole: bool
    cells: dict[int, dict[int, object]] = field(default_factory=lambda: defaultdict(dict))
    looks: list[tuple[Area, Look]] = field(default_factory=list)
    widths: dict[int, float] = field(default_factory=dict)
    hidden_columns: set[int] = field(default_factory=set)
    freeze: tuple[int, int] | None = None
    protect: ProtectSheet | None = None
    page: PageSetup | None = None
    autofilter: Area | None = None
    validations: list[DataValidationList] = field(default_factory=list)
    conditional: list[tuple[ConditionalFormat, int]] = field(default_factory=list)
    """Each rule with its dxf index."""
    drawing_rid: str | None = None

    @property
    def edited(self) -> bool:
        return bool(self.cells or self.looks or self.widths or self.hidden_columns or self.freeze
                    or self.protect or self.page or self.autofilter or self.validations
                    or self.conditional or self.drawing_rid)

    def write(self, row: int, col: int, values: tuple[tuple[object, ...], ...]) -> None:
        cells = self.cells
        for r, line in enumerate(values, start=row):
            target = cells[r]
            for c, value in enumerate(line, start=col):
                target[c] = value
        for r in [r for r, line in cells.items() if not line]:
            del cells[r]


def area_ref(area: Area) -> str:
    first = ref(area.row, area.col)
    return first if area.rows == 1 and area.cols == 1 else \
        f"{first}:{ref(area.last_row, area.last_col)}"


class Restyler:
    """Each cell's final `s=`: the date format a date written into a General cell gets, then the
    plan's looks over it, in plan order."""

    def __init__(self, model: SheetModel, styles: Styles) -> None:
        self.styles = styles
        self.by_row: dict[int, list[tuple[int, Area, Look]]] = defaultdict(list)
        self.tall: dict[int, list[tuple[int, int, int, Look]]] = defaultdict(list)
        """Per column, the looks over many rows: (plan position, first row, last row, look)."""
        for i, (area, look) in enumerate(model.looks):
            if area.rows <= 8:
                for r in range(area.row, area.last_row + 1):
                    self.by_row[r].append((i, area, look))
            else:
                for col in range(area.col, area.last_col + 1):
                    self.tall[col].append((i, area.row, area.last_row, look))
        self._tall_rows = [(a.row, a.last_row) for a, _ in model.looks if a.rows > 8]
        self._memo: dict[tuple[object, ...], int] = {}

    def row_styled(self, row: int) -> bool:
        return row in self.by_row or any(first <= row <= last for first, last in self._tall_rows)

    def _looks(self, row: int, col: int) -> tuple[Look, ...]:
        found = [(i, look) for i, first, last, look in self.tall.get(col, ()) if first <= row <= last]
        short = self.by_row.get(row)
        if short:
            found += [(i, look) for i, a, look in short if a.col <= col <= a.last_col]
            found.sort(key=lambda item: item[0])
        return tuple(look for _, look in found)

    def style(self, row: int, col: int, base: int, value: object = None) -> int:
        wanted = None if type(value) in _PLAIN or isinstance(value, str | int | float) \
            else cellxml.date_format(value)
        if wanted is None and col not in self.tall and row not in self.by_row:
            return base
        looks = self._looks(row, col)
        key = (base, wanted, looks)
        s = self._memo.get(key)
        if s is not None:
            return s
        s = base
        if wanted is not None and not self.styles.is_date(s):
            s = self.styles.restyle(s, Look(number_format=wanted))
        for look in looks:
            s = self.styles.restyle(s, look)
        self._memo[key] = s
        return s


# whole-sheet markup -----------------------------------------------------------------------------

def cols_xml(model: SheetModel) -> str:
    columns = sorted(set(model.widths) | model.hidden_columns)
    if not columns:
        return ""
    parts = []
    for col in columns:
        width = model.widths.get(col)
        attrs = f' width="{width if width is not None else DEFAULT_WIDTH:g}"'
        if width is not None:
            attrs += ' customWidth="1"'
        if col in model.hidden_columns:
            attrs += ' hidden="1"'
        parts.append(f'<col min="{col}" max="{col}"{attrs}/>')
    return "<cols>" + "".join(parts) + "</cols>"


def pane_xml(row: int, col: int) -> str:
    x, y = col - 1, row - 1
    if not x and not y:
        return ""
    pane = "bottomRight" if x and y else ("bottomLeft" if y else "topRight")
    split = (f' xSplit="{x}"' if x else "") + (f' ySplit="{y}"' if y else "")
    return (f'<pane{split} topLeftCell="{ref(row, col)}" activePane="{pane}" state="frozen"/>'
            f'<selection pane="{pane}" activeCell="{ref(row, col)}" sqref="{ref(row, col)}"/>')


def protection_xml(op: ProtectSheet) -> str:
    attrs = ' sheet="1" objects="1" scenarios="1"'
    if op.allow_format_columns:
        attrs += ' formatColumns="0"'
    if op.allow_filter:
        attrs += ' autoFilter="0"'
    return f"<sheetProtection{attrs}/>"


def conditional_xml(rules: list[tuple[ConditionalFormat, int]], first_priority: int = 1) -> str:
    parts = []
    for priority, (op, dxf) in enumerate(rules, start=first_priority):
        parts.append(f'<conditionalFormatting sqref="{area_ref(op.area)}">'
                     f'<cfRule type="expression" dxfId="{dxf}" priority="{priority}">'
                     f'<formula>{escape_text(op.formula)}</formula></cfRule>'
                     "</conditionalFormatting>")
    return "".join(parts)


def validation_xml(op: DataValidationList) -> str:
    return (f'<dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1"'
            f' sqref="{area_ref(op.area)}"><formula1>{escape_text(op.source.lstrip("="))}'
            "</formula1></dataValidation>")


def page_setup_xml(op: PageSetup) -> str:
    attrs = f' orientation="{"landscape" if op.landscape else "portrait"}"'
    if op.fit_to_width:
        attrs += ' fitToWidth="1" fitToHeight="0"'
    return f"<pageSetup{attrs}/>"


PAGE_MARGINS = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'


def write_sheet(model: SheetModel, styles: Styles, date1904: bool = False,
                selected: bool = False) -> bytes:
    """The whole worksheet part of a sheet the tool owns."""
    restyler = Restyler(model, styles)
    rows = []
    max_row = max_col = 0
    for r in sorted(model.cells):
        line = model.cells[r]
        cells = []
        for col in sorted(line):
            value = line[col]
            if value is None:
                continue
            s = restyler.style(r, col, 0, value)
            cells.append(cellxml.cell(f"{column_letter(col)}{r}", value, s, date1904))
            max_col = max(max_col, col)
        if cells:
            rows.append(f'<row r="{r}">{"".join(cells)}</row>')
            max_row = r
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<worksheet xmlns="{NS}" xmlns:r="{R_NS}">']
    if model.page is not None and model.page.fit_to_width:
        out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    dimension = f"A1:{ref(max_row, max_col)}" if max_row and max_col else "A1"
    out.append(f'<dimension ref="{dimension}"/>')
    pane = pane_xml(*model.freeze) if model.freeze else ""
    tab = ' tabSelected="1"' if selected else ""
    out.append(f'<sheetViews><sheetView{tab} workbookViewId="0">{pane}</sheetView></sheetViews>')
    out.append('<sheetFormatPr defaultRowHeight="15"/>')
    out.append(cols_xml(model))
    out.append("<sheetData>" + "".join(rows) + "</sheetData>")
    if model.protect is not None:
        out.append(protection_xml(model.protect))
    if model.autofilter is not None:
        out.append(f'<autoFilter ref="{area_ref(model.autofilter)}"/>')
    out.append(conditional_xml(model.conditional))
    if model.validations:
        out.append(f'<dataValidations count="{len(model.validations)}">'
                   + "".join(validation_xml(v) for v in model.validations) + "</dataValidations>")
    out.append(PAGE_MARGINS)
    if model.page is not None:
        out.append(page_setup_xml(model.page))
    if model.drawing_rid:
        out.append(f'<drawing r:id="{escape_attr(model.drawing_rid)}"/>')
    out.append("</worksheet>")
    return "".join(out).encode("utf-8")
