"""A sheet as the plan leaves it (values, looks and sheet settings), and the whole worksheet part
for a sheet the tool owns."""

from __future__ import annotations

import itertools
from bisect import bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import NoneType
from typing import Any

from ..workbook.cells import Formula
from ..workbook.ops import Area, ConditionalFormat, DataValidationList, PageSetup, ProtectSheet, Values
from . import cellxml
from .cellxml import column_letter, escape_attr, escape_text, ref
from .package import Deflated, Segment
from .styles import Look, Styles

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DEFAULT_WIDTH = 9.140625
_PLAIN = frozenset({str, int, float, bool, Formula, type(None)})
"""Value types that never ask for a date format."""
Head = tuple[int, str, str]
"""A cell's style and its start tag around the row number: (5, '<c r="J', '" s="5"')."""


@dataclass(frozen=True)
class Block:
    """Values the plan writes from (row, col) on: one line per row."""

    row: int
    col: int
    values: Values

    @property
    def last_row(self) -> int:
        return self.row + len(self.values) - 1


@dataclass
class SheetModel:
    """What the plan did to one sheet. `whole`: the sheet is written from this alone (a sheet the
    tool created or cleared); otherwise these are edits over the sheet's existing XML."""

    name: str
    whole: bool
    blocks: list[Block] = field(default_factory=list)
    """The plan's writes in its order, kept as written: rows are assembled while the sheet is."""
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
        return bool(self.blocks or self.looks or self.widths or self.hidden_columns or self.freeze
                    or self.protect or self.page or self.autofilter or self.validations
                    or self.conditional or self.drawing_rid)

    def write(self, row: int, col: int, values: Values) -> None:
        if any(values):
            self.blocks.append(Block(row, col, values))

    def rows(self) -> Iterator[tuple[int, dict[int, object]]]:
        """Each written row, ascending, as {column: value} with its columns ascending; of two
        writes to a cell the later wins."""
        return self._rows(pairs=False)

    def row_cells(self) -> Iterator[tuple[int, Iterable[tuple[int, object]]]]:
        """`rows()` as (column, value) pairs, columns ascending: a row one block covers alone
        needs no dict."""
        return self._rows(pairs=True)

    def _rows(self, pairs: bool) -> Iterator[tuple[int, Iterable[tuple[int, object]]]]:
        for row, stop, over, side_by_side in self.runs():
            yield from self.run_rows(row, stop, over, side_by_side, pairs)

    def runs(self) -> Iterator[tuple[int, int, list[Block], bool]]:
        """(row, stop, blocks, side by side): rows row..stop-1, which the same blocks cover (in
        plan order), ascending; side by side when no two of them share a column, which then
        ascend from block to block."""
        blocks = self.blocks
        widths = {id(block): max(map(len, block.values)) for block in blocks}
        order = sorted(range(len(blocks)), key=lambda i: blocks[i].row)
        ends = [block.row + len(block.values) for block in blocks]
        never = 1 << 62
        active: list[int] = []  # the blocks over the current row, in plan order
        k, row = 0, 0
        while k < len(order) or active:
            if not active:
                row = max(row, blocks[order[k]].row)
            while k < len(order) and blocks[order[k]].row <= row:
                insort(active, order[k])
                k += 1
            stop = min(blocks[order[k]].row if k < len(order) else never, *(ends[i] for i in active))
            over = [blocks[i] for i in active]
            yield row, stop, over, all(a.col + widths[id(a)] <= b.col for a, b in itertools.pairwise(over))
            row = stop
            active = [i for i in active if ends[i] > row]

    @staticmethod
    def run_rows(row: int, stop: int, over: list[Block], side_by_side: bool,
             pairs: bool) -> Iterator[tuple[int, Iterable[tuple[int, object]]]]:
        """Rows row..stop-1, which the same blocks cover."""
        if len(over) == 1:
            block = over[0]
            for r, line in enumerate(block.values[row - block.row:stop - block.row], row):
                if line:
                    yield r, enumerate(line, block.col) if pairs else dict(enumerate(line, block.col))
            return
        for r in range(row, stop):
            merged: dict[int, object] = {}
            for block in over:
                merged.update(enumerate(block.values[r - block.row], block.col))
            if merged:
                merged = merged if side_by_side else dict(sorted(merged.items()))
                yield r, merged.items() if pairs else merged

    def value(self, row: int, col: int) -> object:
        for block in reversed(self.blocks):
            if block.row <= row <= block.last_row:
                line = block.values[row - block.row]
                if block.col <= col < block.col + len(line):
                    return line[col - block.col]
        return None


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
        self._bands = sorted({edge for first, last in self._tall_rows for edge in (first, last + 1)})
        self._short_rows = sorted(self.by_row)

    def row_styled(self, row: int) -> bool:
        return row in self.by_row or any(first <= row <= last for first, last in self._tall_rows)

    def band(self, row: int) -> int | None:
        """Rows of one band get the same looks in every column; None for a row a short look
        covers (header rows and the like), styled cell by cell."""
        return None if row in self.by_row else bisect_right(self._bands, row)

    def band_end(self, row: int) -> int:
        """The first row past `row` that is not in `row`'s band."""
        ends = [edges[i] for edges in (self._bands, self._short_rows)
                if (i := bisect_right(edges, row)) < len(edges)]
        return min(ends, default=1 << 62)

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


class CellWriter:
    """The markup of cells the plan writes. `Restyler.style` depends on a row only through its
    band, so a cell's start tag is worked out once per band, column, base style and type of
    value, then only the row number and the value change."""

    def __init__(self, restyler: Restyler, date1904: bool) -> None:
        self.restyler, self.date1904 = restyler, date1904
        self.heads: dict[tuple[int, int, int, type], Head] = {}

    def head(self, band: int | None, row: int, col: int, base: int, value: object) -> Head:
        key = (band, col, base, type(value))
        head = self.heads.get(key) if band is not None else None
        if head is None:
            s = self.restyler.style(row, col, base, value)
            head = (s, f'<c r="{column_letter(col)}', f'" s="{s}"' if s else '"')
            if band is not None:
                self.heads[key] = head
        return head

    def cell(self, band: int | None, row: int, col: int, base: int, value: object) -> str:
        """One cell over a cell of style `base` (0 for a new one)."""
        _, opening, closing = self.head(band, row, col, base, value)
        return f"{opening}{row}{closing}{cellxml.after_style(value, self.date1904)}"

    def new_cells(self, row: int, cells: Iterable[tuple[int, object]]) -> tuple[str, int]:
        """(column, value) pairs, columns ascending, as new cells, an empty value writing none;
        and the last column written (0 for none)."""
        band = self.restyler.band(row)
        heads, after, date1904 = self.heads, cellxml.after_style, self.date1904
        plain = cellxml.plain_text
        number = str(row)
        parts = []
        last = 0
        for col, value in cells:
            if value is None:
                continue
            kind = type(value)
            head = heads.get((band, col, 0, kind)) if band is not None else None
            if head is None:
                head = self.head(band, row, col, 0, value)
            # after_style's commonest cases, without the call
            if kind is str and plain(value):
                parts.append(f'{head[1]}{number}{head[2]} t="inlineStr"><is><t>{value}</t></is></c>')
            elif kind is int:
                parts.append(f"{head[1]}{number}{head[2]}><v>{value}</v></c>")
            else:
                parts.append(f"{head[1]}{number}{head[2]}{after(value, date1904)}")
            last = col
        return "".join(parts), last

    SPAN = 1024
    """Rows made column by column at a time, at most."""

    def column_span(self, row: int, stop: int, over: list[Block],
                    side_by_side: bool) -> tuple[list[str], list[int]] | None:
        """`new_cells` of the rows from `row` on that blocks over row..stop-1 write, made column
        by column (`span_cells`) for as many rows as can be, up to `SPAN`: (each row's markup,
        each row's last column). None when `row` cannot be: blocks sharing a column, a row of
        no band, a start tag not made yet."""
        band = self.restyler.band(row)
        if band is None or not side_by_side:
            return None
        stop = min(stop, self.restyler.band_end(row), row + self.SPAN)
        columns = block_columns(row, stop, over)
        known = self.known_rows(band, columns, stop - row)
        if not known:
            return None
        if row + known < stop:
            stop = row + known
            columns = block_columns(row, stop, over)
        return self.span_cells(row, stop, columns)

    def known_rows(self, band: int | None, columns: list[tuple[int, Sequence[object]]],
                   rows: int) -> int:
        """How many of the columns' rows, from the first, need only start tags already made. A new
        one may add a style to the workbook, and styles must be added in the order cell by cell
        adds them: row by row."""
        known = rows
        heads = self.heads
        for col, values in columns:
            missing = {kind for kind in set(map(type, values)) - {NoneType}
                       if (band, col, 0, kind) not in heads}
            if missing:
                known = min(known, next(i for i, value in enumerate(values) if type(value) in missing))
        return known

    def span_cells(self, first: int, stop: int,
                   columns: list[tuple[int, Sequence[object]]]) -> tuple[list[str], list[int]]:
        """`new_cells` of rows first..stop-1, which lie in one band, made column by column from
        each column's values (columns ascending): (each row's markup, each row's last column).
        Their start tags are made already (`known_rows`)."""
        band = self.restyler.band(first)
        numbers = list(map(str, range(first, stop)))
        pieces: list[list[str]] = []
        lasts = [0] * (stop - first)
        for col, values in columns:
            cells = self._column(band, first, numbers, col, values)
            if cells is None:
                continue
            pieces.append(cells)
            lasts = [col if cell else last for cell, last in zip(cells, lasts, strict=True)] \
                if "" in cells else [col] * len(lasts)
        rows = list(map("".join, zip(*pieces, strict=True))) if pieces else [""] * len(lasts)
        return rows, lasts

    def _column(self, band: int | None, first: int, numbers: list[str], col: int,
                values: Sequence[object]) -> list[str] | None:
        """A column's cells, "" where its value is None; None when it has none."""
        kinds = set(map(type, values))
        gaps = NoneType in kinds
        kinds.discard(NoneType)
        if not kinds:
            return None
        cells = None
        if len(kinds) == 1:
            if gaps:
                cells = self._typed_with_gaps(band, first, numbers, col, values)
            else:
                cells = self._typed(band, first, numbers, col, values)
        if cells is None:
            cells = [self.cell(band, row, col, 0, value) if value is not None else ""
                     for row, value in enumerate(values, first)]
        return cells

    def _typed(self, band: int | None, first: int, numbers: list[str], col: int,
               values: Sequence[object]) -> list[str] | None:
        """The cells of values of one type, by that type's maker; None when it has none or the
        values need the maker's slow path."""
        make = _COLUMN_MAKERS.get(type(values[0]))
        if make is None:
            return None
        _, opening, closing = self.head(band, first, col, 0, values[0])
        return make(opening, closing, numbers, values)

    def _typed_with_gaps(self, band: int | None, first: int, numbers: list[str], col: int,
                         values: Sequence[object]) -> list[str] | None:
        at = [i for i, value in enumerate(values) if value is not None]
        made = self._typed(band, first, [numbers[i] for i in at], col, [values[i] for i in at])
        if made is None:
            return None
        cells = [""] * len(values)
        for i, cell in zip(at, made, strict=True):
            cells[i] = cell
        return cells


# a column's cells from one start tag around each row number, for values of one type; None when
# one of them needs `after_style`'s slow path
def _text_cells(opening: str, closing: str, numbers: list[str], texts: Sequence[str]) -> list[str] | None:
    if not cellxml.all_plain_text(texts):
        return None
    return [f'{opening}{n}{closing} t="inlineStr"><is><t>{text}</t></is></c>'
            for n, text in zip(numbers, texts, strict=True)]


def _number_cells(opening: str, closing: str, numbers: list[str],
                  texts: Sequence[int | str]) -> list[str]:
    return [f"{opening}{n}{closing}><v>{text}</v></c>" for n, text in zip(numbers, texts, strict=True)]


def _float_cells(opening: str, closing: str, numbers: list[str],
                 values: Sequence[float]) -> list[str] | None:
    texts = cellxml.float_texts(values)
    return None if texts is None else _number_cells(opening, closing, numbers, texts)


def _formula_cells(opening: str, closing: str, numbers: list[str],
                   formulas: Sequence[Formula]) -> list[str] | None:
    """Formulas whose text needs no escaping and whose cached values are all floats or all ints."""
    texts = [formula.text for formula in formulas]
    cached: list[object] = [formula.value for formula in formulas]
    kinds = set(map(type, cached))
    results = cellxml.float_texts(cached) if kinds == {float} else cached if kinds == {int} else None
    if results is None or not cellxml.all_plain(texts):
        return None
    return [f"{opening}{n}{closing}><f>{text[1:]}</f><v>{result}</v></c>"
            for n, text, result in zip(numbers, texts, results, strict=True)]


_COLUMN_MAKERS: dict[type, Callable[[str, str, list[str], Any], list[str] | None]] = {
    str: _text_cells, int: _number_cells, float: _float_cells, Formula: _formula_cells}


def block_columns(first: int, stop: int, over: list[Block]) -> list[tuple[int, Sequence[object]]]:
    """The values of rows first..stop-1 of side-by-side blocks, column by column, None where a
    line ends short."""
    columns: list[tuple[int, Sequence[object]]] = []
    for block in over:
        lines = block.values[first - block.row:stop - block.row]
        width = max(map(len, lines))
        if min(map(len, lines)) == width:
            columns.extend(zip(itertools.count(block.col), zip(*lines, strict=True)))
        else:
            columns.extend((col, [line[i] if i < len(line) else None for line in lines])
                           for i, col in enumerate(range(block.col, block.col + width)))
    return columns


class NewRows:
    """`CellWriter.new_cells` of the model's rows, asked for in ascending order: made a span at a
    time (`CellWriter.column_span`) where they can be; None for any other row."""

    def __init__(self, model: SheetModel, writer: CellWriter) -> None:
        self.writer = writer
        self._runs = model.runs()
        self._run: tuple[int, int, list[Block], bool] | None = None
        self.first = self.stop = 0
        self.rows: list[str] = []
        self.lasts: list[int] = []

    def get(self, row: int) -> tuple[str, int] | None:
        """(the row's new cells, its last column), or None."""
        if not self.first <= row < self.stop and not self._make(row):
            return None
        return self.rows[row - self.first], self.lasts[row - self.first]

    def _make(self, row: int) -> bool:
        while self._run is None or self._run[1] <= row:
            self._run = next(self._runs, None)
            if self._run is None:
                return False
        first, stop, over, side_by_side = self._run
        made = self.writer.column_span(row, stop, over, side_by_side) if first <= row else None
        if made is None:
            return False
        self.rows, self.lasts = made
        self.first, self.stop = row, row + len(self.rows)
        return True


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


class SheetWriter:
    """The whole worksheet part of a sheet the tool owns, its rows first: `head()` (which holds
    the dimension) is known once `body()` is consumed, `tail()` any time."""

    def __init__(self, model: SheetModel, styles: Styles, date1904: bool = False,
                 selected: bool = False) -> None:
        self.model, self.styles, self.date1904, self.selected = model, styles, date1904, selected
        self.max_row = self.max_col = 0

    def body(self) -> Iterator[bytes]:
        """`<sheetData>` with every row, in pieces of some hundred rows."""
        writer = CellWriter(Restyler(self.model, self.styles), self.date1904)
        max_row = max_col = 0
        batch = ["<sheetData>"]
        for first, rows, lasts in self._made_rows(writer):
            batch.extend([f'<row r="{r}">{cells}</row>' for r, cells in enumerate(rows, first) if cells])
            if max(lasts):
                max_col = max(max_col, *lasts)
                max_row = first + next(i for i in range(len(lasts) - 1, -1, -1) if lasts[i])
            if len(batch) >= 512:
                yield "".join(batch).encode()
                batch = []
        batch.append("</sheetData>")
        yield "".join(batch).encode()
        self.max_row, self.max_col = max_row, max_col

    def _made_rows(self, writer: CellWriter) -> Iterator[tuple[int, list[str], list[int]]]:
        """(first row, the cells of each row from there on, each row's last column; 0 for none),
        rows ascending: made a span at a time where they can be, else row by row."""
        for row, stop, over, side_by_side in self.model.runs():
            while row < stop:
                made = writer.column_span(row, stop, over, side_by_side)
                if made is not None:
                    yield row, *made
                    row += len(made[0])
                    continue
                end = row + 1 if side_by_side else stop
                for r, cells in SheetModel.run_rows(row, end, over, side_by_side, pairs=True):
                    markup, last = writer.new_cells(r, cells)
                    yield r, [markup], [last]
                row = end

    def head(self) -> bytes:
        model = self.model
        out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{NS}" xmlns:r="{R_NS}">']
        if model.page is not None and model.page.fit_to_width:
            out.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
        dimension = f"A1:{ref(self.max_row, self.max_col)}" if self.max_row and self.max_col else "A1"
        out.append(f'<dimension ref="{dimension}"/>')
        pane = pane_xml(*model.freeze) if model.freeze else ""
        tab = ' tabSelected="1"' if self.selected else ""
        out.append(f'<sheetViews><sheetView{tab} workbookViewId="0">{pane}</sheetView></sheetViews>')
        out.append('<sheetFormatPr defaultRowHeight="15"/>')
        out.append(cols_xml(model))
        return "".join(out).encode()

    def tail(self) -> bytes:
        model = self.model
        out = []
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
        return "".join(out).encode()


def write_sheet(model: SheetModel, styles: Styles, date1904: bool = False,
                selected: bool = False) -> bytes:
    """The whole worksheet part of a sheet the tool owns."""
    writer = SheetWriter(model, styles, date1904, selected)
    body = b"".join(writer.body())
    return writer.head() + body + writer.tail()


def write_sheet_part(model: SheetModel, styles: Styles, date1904: bool = False,
                     selected: bool = False) -> Deflated:
    """`write_sheet` deflated as its rows are made: the part's XML is never held whole."""
    writer = SheetWriter(model, styles, date1904, selected)
    body = Segment.of(writer.body())
    return Deflated.join([Segment.of([writer.head()]), body, Segment.of([writer.tail()])])
