"""Edit a worksheet part the user owns (the Roster, an adopted Log) in one pass over its bytes:
only the cells the plan writes or restyles are rewritten; every other `<c>`, every row's
attributes, and every element the plan does not touch are copied through byte for byte."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from . import cellxml
from .cellxml import column_index, column_letter, escape_attr
from .package import Deflated, Segment, parse, serialize
from .safety import safe_xml_parser
from .shared_formulas import OrphanedShares
from .sheet import (
    CellWriter,
    NewRows,
    Restyler,
    SheetModel,
    area_ref,
    conditional_xml,
    page_setup_xml,
    pane_xml,
    protection_xml,
    validation_xml,
)
from .styles import Styles

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = f"{{{NS}}}"
# CT_Worksheet's children in the schema's order: where a new element goes
ORDER = ("sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
         "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
         "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
         "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
         "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
         "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
         "picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst")
_RANK = {name: i for i, name in enumerate(ORDER)}
_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet\b[^>]*>")
_QNAME = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_ROW = re.compile(rb'<ROW\b(?: r="(\d+)")?([^>]*?)(/?)>')
"""A row's start tag: (its number when its first attribute gives it, the other attributes, "/")."""
_CELL = re.compile(rb'<C(?=[\s/>])(?: r="([A-Z]+)\d+")?([^>]*?)(?:/>|>(.*?)</C>)', re.S)
_PLACED_CELL = re.compile(rb'(<C r="([A-Z]+)\d+"([^>/]*(?:/(?!>)[^>/]*)*)'
                          rb'(?:/>|>([^<]*(?:<(?!/C>)[^<]*)*)</C>))')
"""A cell as `_CELL` matches it, when its reference comes first: (markup, letters, attributes,
content); written without lazy repeats, which the regex engine takes a step at a time."""
_LETTERS = re.compile(rb"[A-Z]+")
_R_ATTR = re.compile(rb'\br="([A-Z]*)(\d*)"')
_S_ATTR = re.compile(rb'\ss="(\d+)"')
_REF = re.compile(r"([A-Z]+)(\d+)")
_UNWRITTEN = object()
Cell = tuple[int, bytes, bytes, bytes, bytes]
"""A cell of a row: (column, what stands before it, its markup, its attributes after `r=`, its
content)."""


@dataclass
class Child:
    qname: bytes
    data: bytes

    @property
    def local(self) -> str:
        return self.qname.split(b":")[-1].decode()


@dataclass
class Patched:
    xml: bytes
    dropped_formula: bool
    """A cell that held a formula was written without one (calcChain must not list it)."""


def _element_end(data: bytes, start: int, qname: bytes) -> int:
    """The end of the element starting at `start`, counting nested ones of the same name."""
    open_tag = re.compile(b"<" + re.escape(qname) + rb"(?=[\s/>])")
    close_tag = b"</" + qname + b">"
    tag_end = data.index(b">", start)
    if data[tag_end - 1:tag_end] == b"/":
        return tag_end + 1
    depth, pos = 1, tag_end + 1
    while depth:
        close = data.index(close_tag, pos)
        for found in open_tag.finditer(data, pos, close):
            if data[data.index(b">", found.start()) - 1:data.index(b">", found.start())] != b"/":
                depth += 1
        depth -= 1
        pos = close + len(close_tag)
    return pos


def split(xml: bytes) -> tuple[bytes, bytes, list[Child], bytes]:
    """(prolog through the root's start tag, the main prefix like b"x:" or b"", the root's
    children, the rest from the root's end tag)."""
    root = _ROOT.search(xml)
    if root is None:
        raise ValueError("not a worksheet part")
    prefix = root[1] or b""
    end_tag = b"</" + prefix + b"worksheet>"
    close = xml.rindex(end_tag)
    children: list[Child] = []
    pos = root.end()
    if xml[root.end() - 2:root.end()] == b"/>":
        return xml[:root.end() - 2] + b">", prefix, [], end_tag + xml[root.end():]
    while True:
        lt = xml.find(b"<", pos, close)
        if lt < 0:
            break
        qname = _QNAME.match(xml, lt)
        if qname is None:  # a comment or processing instruction between elements
            end = xml.index(b">", lt) + 1
            children.append(Child(b"", xml[pos:end]))
            pos = end
            continue
        end = _element_end(xml, lt, qname[1])
        children.append(Child(qname[1], xml[pos:end]))
        pos = end
    return xml[:root.end()], prefix, children, xml[pos:]


def _wrap_parse(root_tag: bytes, prefix: bytes, fragment: bytes) -> etree._Element:
    """Parse one child element in the namespaces the root declares."""
    found = _ROOT.search(root_tag)
    assert found is not None
    name = found.group(0)
    closing = b"</" + prefix + b"worksheet>"
    tree = etree.fromstring(name + fragment + closing, safe_xml_parser())
    return next(el for el in tree if isinstance(el.tag, str))


def _fragment(el: etree._Element) -> bytes:
    return etree.tostring(el, encoding="utf-8")


def _within(sqref: str, columns: set[int]) -> bool:
    """Every cell of a space-separated reference list lies in the given columns."""
    for part in sqref.split():
        cols = [column_index(m[1]) for m in _REF.finditer(part.replace("$", ""))]
        if not cols:
            return False
        if not all(c in columns for c in range(min(cols), max(cols) + 1)):
            return False
    return True


def written_cells(model: SheetModel) -> tuple[set[int], int]:
    """(every column the plan writes on the sheet, the last row it writes)."""
    columns: set[int] = set()
    for block in model.blocks:
        columns.update(range(block.col, block.col + max(map(len, block.values), default=0)))
    return columns, max((block.last_row for block in model.blocks), default=0)


class _Patcher:
    def __init__(self, xml: bytes, model: SheetModel, styles: Styles, date1904: bool) -> None:
        if b"<![CDATA[" in xml:  # rare outside Excel: normalise once, then edit as usual
            xml = serialize(parse(xml))
        self.prolog, self.prefix, self.children, self.epilog = split(xml)
        self.model, self.styles, self.date1904 = model, styles, date1904
        self.restyler = Restyler(model, styles)
        self.writer = CellWriter(self.restyler, date1904)
        self.new_rows = NewRows(model, self.writer)
        self.styled_columns: set[int] = set()
        for area, _ in model.looks:
            self.styled_columns.update(range(area.col, area.last_col + 1))
        self.first_styled = min(self.styled_columns, default=1 << 20)
        self._letters: dict[bytes, int] = {}
        self._bases: dict[bytes, int] = {}
        self.last_cell_mark = b"<" + self.prefix + b'c r="'
        self.row_extension = b"<" + self.prefix + b"extLst"
        self.cell_marks = [b"<" + self.prefix + b"c" + end for end in (b" ", b">", b"/", b"\t",
                                                                     b"\n", b"\r")]
        self.dropped_formula = False
        self.max_row = self.max_col = 0
        p = re.escape(self.prefix)
        self.row_re = re.compile(_ROW.pattern.replace(b"ROW", p + b"row"))
        self.cell_re = re.compile(_CELL.pattern.replace(b"C", p + b"c", 1)
                                  .replace(b"</C>", b"</" + p + b"c>"), re.S)
        self.tail_re = re.compile(_PLACED_CELL.pattern.replace(b"<C", b"<" + p + b"c", 1)
                                  .replace(b"/C>", b"/" + p + b"c>"))
        self.row_close = b"</" + self.prefix + b"row>"
        self.cell_close = b"</" + self.prefix + b"c>"
        self.any_c = b"<" + self.prefix + b"c"
        self.formula_mark = b"<" + self.prefix + b"f"
        self.body: Child | None = None
        self.all_placed = False
        self.shared = OrphanedShares(self.prefix, lambda: written_cells(model))

    def q(self, local: str) -> bytes:
        return self.prefix + local.encode()

    # children --------------------------------------------------------------------------------
    def find(self, local: str) -> Child | None:
        return next((c for c in self.children if c.local == local and c.qname), None)

    def put(self, local: str, data: bytes | None) -> None:
        """Replace the child of that name (None removes it), or insert it in schema order."""
        existing = self.find(local)
        if existing is not None:
            if data is None:
                self.children.remove(existing)
            else:
                existing.data = data
            return
        if data is None:
            return
        rank = _RANK[local]
        at = len(self.children)
        for i, child in enumerate(self.children):
            if child.local in _RANK and _RANK[child.local] > rank:
                at = i
                break
        self.children.insert(at, Child(self.q(local), data))

    def _ns(self, text: str) -> bytes:
        """Markup written unprefixed, in the sheet's prefix."""
        if not self.prefix:
            return text.encode()
        p = self.prefix.decode()
        return re.sub(r"<(/?)(?!/)([A-Za-z])", lambda m: f"<{m[1]}{p}{m[2]}", text).encode()

    def parsed(self, child: Child) -> etree._Element:
        return _wrap_parse(self.prolog, self.prefix, child.data.lstrip())

    # sheetData -------------------------------------------------------------------------------
    def sheet_data(self) -> Iterator[bytes]:
        """The patched `<sheetData>` in pieces, start tag to end tag; the child is left empty, to
        be put back by whoever joins the pieces. `max_row`, `max_col` are known once consumed.
        A piece is whole cells, so a cell that shared a rewritten master is found in one."""
        shared = self.shared
        for piece in self._patched_sheet_data():
            yield shared.written_out(piece) if shared.orphans else piece

    def _patched_sheet_data(self) -> Iterator[bytes]:
        child = self.find("sheetData")
        model = self.model
        if child is None:
            child = Child(self.q("sheetData"), self._ns("<sheetData/>"))
            self.put("sheetData", child.data)
            child = self.find("sheetData")
            assert child is not None
        self.body = child
        data = child.data
        open_end = data.index(b">") + 1
        if data[open_end - 2:open_end] == b"/>":
            data = data[:open_end - 2] + b">" + b"</" + self.q("sheetData") + b">"
            open_end -= 1
        body_end = data.rindex(b"</")
        self.all_placed = self._every_cell_placed(data, open_end, body_end)  # then so is each row's
        rows = model.rows()
        pending = next(rows, None)
        yield data[:open_end]
        pos = open_end
        last_row = 0
        styled = self.restyler.row_styled if model.looks else (lambda _r: False)
        row_close = self.row_close
        for match in self.row_re.finditer(data, open_end, body_end):
            if match[1]:
                row = int(match[1])
            else:
                r_attr = _R_ATTR.search(match[2])
                row = int(r_attr[2]) if r_attr and r_attr[2] else last_row + 1
            last_row = row
            if row > self.max_row:
                self.max_row = row
            while pending is not None and pending[0] < row:
                yield data[pos:match.start()]
                pos = match.start()
                yield self._new_row(*pending)
                pending = next(rows, None)
            edits = None
            if pending is not None and pending[0] == row:
                edits = pending[1]
                pending = next(rows, None)
            if edits is None and not styled(row):
                continue
            edits = edits or {}
            if match[3]:  # <row/>
                yield data[pos:match.start()]
                yield self._rewritten(row, match, b"", edits)
                pos = match.end()
                continue
            close = data.index(row_close, match.end())
            patched = self._row(row, data, match.end(), close, edits)
            if patched is None:
                yield data[pos:match.start()]
                yield self._rewritten(row, match, data[match.end():close], edits)
                pos = close + len(row_close)
                continue
            keep, cells = patched  # the row up to `keep` stays; its end tag goes with the next run
            yield data[pos:keep]
            yield cells
            pos = close
        yield data[pos:body_end]
        while pending is not None:
            yield self._new_row(*pending)
            pending = next(rows, None)
        yield data[body_end:]
        child.data = b""

    def _new_row(self, row: int, edits: dict[int, object]) -> bytes:
        cells = self._cells([], edits, row)
        self.max_row = max(self.max_row, row)
        if not cells:
            return b""
        return b'<' + self.q("row") + f' r="{row}">'.encode() + cells + self.row_close

    def _first_owned(self, edits: dict[int, object]) -> int:
        return min(min(edits, default=1 << 20), self.first_styled)

    def _row(self, row: int, data: bytes, start: int, end: int,
             edits: dict[int, object]) -> tuple[int, bytes] | None:
        """The row whose cells are data[start:end], by byte search: (where the cells it keeps
        end, the cells that follow them). None when the row's layout asks for `_rewritten`."""
        last = data.rfind(self.last_cell_mark, start, end)
        if last < 0 or not (self.all_placed or self._every_cell_placed(data, start, end)):
            return None
        col = self._column_at(data, last)
        if col is None:
            return None
        first_owned = min(next(iter(edits), 1 << 20), self.first_styled)  # columns ascend
        if col < first_owned:  # every cell stands left of the plan's: append after them
            self.max_col = max(self.max_col, col)
            return end, self._new_cells(row, edits.items())
        tail = self._tail(data, start, end, row, first_owned, edits)
        if tail is not None:
            self.max_col = max(self.max_col, col)
        return tail

    def _rewritten(self, row: int, match: re.Match[bytes], inner: bytes,
                   edits: dict[int, object]) -> bytes:
        """The row with its edited and restyled cells rewritten, matching every cell: any row,
        whatever its layout. Cells left of the first column the plan touches are copied as one
        run."""
        start = match[0][:-2] + b">" if match[3] else match[0]
        keep_until, found, pos, last_col = self._matched(inner, self._first_owned(edits))
        self.max_col = max(self.max_col, last_col)
        return start + inner[:keep_until] + self._cells(found, edits, row) + inner[pos:] + \
            self.row_close

    def _every_cell_placed(self, data: bytes, start: int, end: int) -> bool:
        """Every cell in data[start:end] opens `<c r="` and nothing follows them but cells: the
        row's cells can be found by searching for that."""
        placed = data.count(self.last_cell_mark, start, end)
        if placed != data.count(self.any_c, start, end) and \
                placed != sum(data.count(m, start, end) for m in self.cell_marks):  # `<color>`...
            return False
        return data.find(self.row_extension, start, end) < 0

    def _column_at(self, data: bytes, at: int) -> int | None:
        """The column of the cell whose `<c r="` starts at `at`."""
        letters = _LETTERS.match(data, at + len(self.last_cell_mark))
        if letters is None:
            return None
        col = self._letters.get(letters[0])
        if col is None:
            col = self._letters[letters[0]] = column_index(letters[0].decode())
        return col

    def _tail(self, data: bytes, start: int, end: int, row: int, first_owned: int,
              edits: dict[int, object]) -> tuple[int, bytes] | None:
        """(where the kept cells end, the cells from the first owned column on, rewritten) of the
        row whose cells are data[start:end], when it holds a cell in that column (the first of
        them, cells standing in column order as Excel requires) and its cells follow it back to
        back, in order. None otherwise."""
        needle = self.last_cell_mark + f'{column_letter(first_owned)}{row}"'.encode()
        at = data.find(needle, start, end)
        if at < 0 or (at > start and data[at - 1] != 62):  # no such cell, or space before it (">")
            return None
        cells = self.tail_re.findall(data, at, end)
        letters_of = self._letters
        columns = []
        size = previous = 0
        for whole, letters, _, _ in cells:
            col = letters_of.get(letters)
            if col is None:
                col = letters_of[letters] = column_index(letters.decode())
            if col <= previous:
                return None
            previous = col
            columns.append(col)
            size += len(whole)
        if size != end - at:
            return None
        return at, self._rewrite(cells, columns, edits, row)

    def _rewrite(self, cells: list[tuple[bytes, bytes, bytes, bytes]], columns: list[int],
                 edits: dict[int, object], row: int) -> bytes:
        """`_cells` for cells back to back in column order (markup, letters, attributes, content):
        the plan's new cells merge in by column."""
        writer = self.writer
        band = writer.restyler.band(row)
        heads, after, date1904 = writer.heads, cellxml.after_style, self.date1904
        bases, formula = self._bases, self.formula_mark
        number = str(row)
        wanted = list(edits)  # columns ascend
        wanted.append(1 << 30)  # past every column
        k = 0
        out: list[bytes] = []
        text: list[str] = []  # markup made here, encoded in one go before the next copied bytes
        for (whole, _, attrs, content), col in zip(cells, columns, strict=True):
            while wanted[k] < col:  # a new cell
                value = edits[wanted[k]]
                if value is not None:
                    text.append(writer.cell(band, row, wanted[k], 0, value))
                    self.max_col = max(self.max_col, wanted[k])
                k += 1
            base = bases.get(attrs)
            if base is None:
                base = self._base_style(attrs)
            if wanted[k] == col:
                k += 1
                value = edits[col]
                head = heads.get((band, col, base, type(value))) if band is not None else None
                if head is not None:
                    if formula in content:
                        self._check_formula(content, value, col, row)
                    text.append(f"{head[1]}{number}{head[2]}{after(value, date1904)}")
                else:
                    text.append(self._edited(band, row, col, base, value, content))
                continue
            out.append(self._encoded(text))
            out.append(self._restyled(band, row, col, base, whole))
        for col in wanted[k:-1]:
            value = edits[col]
            if value is not None:
                text.append(writer.cell(band, row, col, 0, value))
                self.max_col = max(self.max_col, col)
        out.append(self._encoded(text))
        return b"".join(out)

    def _check_formula(self, content: bytes, value: object, col: int, row: int) -> None:
        """The content of a cell the plan rewrites: whether it loses a formula, and whether it
        was the master of a shared formula."""
        if self.formula_mark in content:
            if not isinstance(value, cellxml.Formula):
                self.dropped_formula = True
            self.shared.note(content, f"{column_letter(col)}{row}")

    def _edited(self, band: int | None, row: int, col: int, base: int, value: object,
                content: bytes) -> str:
        """A cell the row holds, with the plan's value."""
        self._check_formula(content, value, col, row)
        if col in self.styled_columns or value is not None:
            return self.writer.cell(band, row, col, base, value)
        return cellxml.cell(f"{column_letter(col)}{row}", value, base)

    def _restyled(self, band: int | None, row: int, col: int, base: int, whole: bytes) -> bytes:
        """A cell the row holds and the plan does not write: copied, with the plan's looks."""
        if col not in self.styled_columns:
            return whole
        s = self.writer.head(band, row, col, base, None)[0]
        return whole if s == base else self._with_style(whole, s)

    def _matched(self, inner: bytes, first_owned: int) -> tuple[int, list[Cell], int, int]:
        """(where the copied run ends, the cells from there on, where the last cell ends, the last
        cell's column), matching every cell: any row, whatever its layout."""
        found: list[Cell] = []
        last_col = pos = keep_until = 0
        letters_of = self._letters
        for cell in self.cell_re.finditer(inner):
            letters = cell[1]
            if letters is None:
                r_attr = _R_ATTR.search(cell[2])
                letters = r_attr[1] if r_attr and r_attr[1] else None
            col = letters_of.get(letters) if letters else last_col + 1
            if col is None:
                col = letters_of[letters] = column_index(letters.decode())
            last_col = col
            if col < first_owned and not found:
                keep_until = pos = cell.end()
                continue
            found.append((col, inner[pos:cell.start()], cell[0], cell[2], cell[3] or b""))
            pos = cell.end()
        return keep_until, found, pos, last_col

    def _cells(self, found: list[Cell], edits: dict[int, object], row: int) -> bytes:
        """The cells from the first owned column on: `found` (the row's own, in order) with the
        plan's values and looks, and the plan's new cells placed among them by column."""
        if not found:
            return self._new_cells(row, sorted(edits.items()))
        new = sorted(edits.keys() - {cell[0] for cell in found})
        new.append(1 << 30)  # past every column
        band = self.writer.restyler.band(row)
        out: list[bytes] = []
        text: list[str] = []  # markup made here, encoded in one go before the next copied bytes
        i = 0
        for col, space, whole, attrs, content in found:
            if new[i] < col:
                j = i + 1
                while new[j] < col:
                    j += 1
                text.append(self._new_markup(row, [(c, edits[c]) for c in new[i:j]]))
                i = j
            if space:
                out.append(self._encoded(text))
                out.append(space)
            base = self._base_style(attrs)
            if col in edits:
                text.append(self._edited(band, row, col, base, edits[col], content))
                continue
            out.append(self._encoded(text))
            out.append(self._restyled(band, row, col, base, whole))
        if len(new) > i + 1:
            text.append(self._new_markup(row, [(c, edits[c]) for c in new[i:-1]]))
        out.append(self._encoded(text))
        return b"".join(out)

    def _base_style(self, attrs: bytes) -> int:
        """The `s=` of a cell's attributes (0 when none); a sheet repeats a few of them."""
        base = self._bases.get(attrs)
        if base is None:
            s_attr = _S_ATTR.search(attrs)
            base = int(s_attr[1]) if s_attr else 0
            if len(self._bases) < 4096:
                self._bases[attrs] = base
        return base

    def _encoded(self, text: list[str]) -> bytes:
        """The markup gathered so far, in the sheet's prefix; empties `text`."""
        if not text:
            return b""
        markup = "".join(text)
        text.clear()
        return self._ns(markup) if self.prefix else markup.encode()

    def _new_markup(self, row: int, cells: Iterable[tuple[int, object]]) -> str:
        """Cells the row did not have, (column, value) with columns ascending: an empty value
        writes none."""
        markup, last = self.writer.new_cells(row, cells)
        if last > self.max_col:
            self.max_col = last
        return markup

    def _new_cells(self, row: int, cells: Iterable[tuple[int, object]]) -> bytes:
        """Every edit of the row (`cells`) as a new cell: made with the rows around it, column by
        column, where it can be."""
        made = self.new_rows.get(row)
        markup, last = made if made is not None else self.writer.new_cells(row, cells)
        if last > self.max_col:
            self.max_col = last
        return self._ns(markup) if self.prefix else markup.encode()

    @staticmethod
    def _with_style(cell: bytes, s: int) -> bytes:
        tag_end = cell.index(b">")
        start = cell[:tag_end]
        if _S_ATTR.search(start):
            start = _S_ATTR.sub(f' s="{s}"'.encode(), start, count=1)
        else:
            start = start.rstrip(b"/") + f' s="{s}"'.encode() + (b"/" if start.endswith(b"/")
                                                                  else b"")
        return start + cell[tag_end:]

    # the other children ----------------------------------------------------------------------
    def dimension(self) -> None:
        child = self.find("dimension")
        if child is None or not self.model.blocks:
            return
        match = re.search(rb'ref="([^"]*)"', child.data)
        if match is None:
            return
        refs = [(column_index(m[1]), int(m[2])) for m in _REF.finditer(match[1].decode())]
        if not refs:
            return
        top = min(r for _, r in refs)
        left = min(c for c, _ in refs)
        cols = max(self.max_col, *(c for c, _ in refs))
        rows = max(self.max_row, *(r for _, r in refs))
        new = f"{cellxml.ref(top, left)}:{cellxml.ref(rows, cols)}"
        if new.encode() != match[1] and (rows, cols) != (top, left):
            child.data = child.data[:match.start(1)] + new.encode() + child.data[match.end(1):]

    def columns(self) -> None:
        model = self.model
        wanted = set(model.widths) | model.hidden_columns
        if not wanted:
            return
        child = self.find("cols")
        ranges: list[dict[str, str]] = []
        if child is not None:
            ranges = [dict(el.attrib) for el in self.parsed(child) if isinstance(el.tag, str)]
        for col in sorted(wanted):
            for i, attrs in enumerate(ranges):
                low, high = int(attrs.get("min", 0)), int(attrs.get("max", 0))
                if low <= col <= high:
                    pieces = []
                    if low < col:
                        pieces.append({**attrs, "max": str(col - 1)})
                    mine = {**attrs, "min": str(col), "max": str(col)}
                    pieces.append(mine)
                    if col < high:
                        pieces.append({**attrs, "min": str(col + 1)})
                    ranges[i:i + 1] = pieces
                    break
            else:
                mine = {"min": str(col), "max": str(col), "width": "9.140625"}
                ranges.append(mine)
            if col in model.widths:
                mine["width"] = f"{model.widths[col]:g}"
                mine["customWidth"] = "1"
            if col in model.hidden_columns:
                mine["hidden"] = "1"
        ranges.sort(key=lambda a: int(a["min"]))
        markup = "<cols>" + "".join(
            "<col" + "".join(f' {k}="{escape_attr(v)}"' for k, v in a.items()) + "/>"
            for a in ranges) + "</cols>"
        self.put("cols", self._ns(markup))

    def panes(self) -> None:
        if self.model.freeze is None:
            return
        child = self.find("sheetViews")
        if child is None:
            markup = f'<sheetViews><sheetView workbookViewId="0">{pane_xml(*self.model.freeze)}' \
                     "</sheetView></sheetViews>"
            self.put("sheetViews", self._ns(markup))
            return
        views = self.parsed(child)
        view = views.find(_Q + "sheetView")
        if view is None:
            return
        for old in view.findall(_Q + "pane") + view.findall(_Q + "selection"):
            view.remove(old)
        fresh = etree.fromstring(f'<v xmlns="{NS}">{pane_xml(*self.model.freeze)}</v>')
        for i, el in enumerate(fresh):
            view.insert(i, el)
        child.data = _fragment(views)

    def page(self) -> None:
        page = self.model.page
        if page is None:
            return
        if page.fit_to_width:
            pr = self.find("sheetPr")
            if pr is None:
                self.put("sheetPr", self._ns('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'))
            else:
                el = self.parsed(pr)
                setup = el.find(_Q + "pageSetUpPr")
                if setup is None:
                    setup = etree.Element(_Q + "pageSetUpPr")
                    outline = el.find(_Q + "outlinePr")
                    el.insert(len(el) if outline is None else el.index(outline) + 1, setup)
                setup.set("fitToPage", "1")
                pr.data = _fragment(el)
        existing = self.find("pageSetup")
        fresh = etree.fromstring(f'<v xmlns="{NS}">{page_setup_xml(page)}</v>')[0]
        if existing is None:
            if self.find("pageMargins") is None:
                self.put("pageMargins", self._ns(
                    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3"'
                    ' footer="0.3"/>'))
            self.put("pageSetup", self._ns(page_setup_xml(page)))
            return
        el = self.parsed(existing)
        for key in ("orientation", "fitToWidth", "fitToHeight"):
            if fresh.get(key) is not None:
                el.set(key, fresh.get(key))
        existing.data = _fragment(el)

    def protection(self) -> None:
        if self.model.protect is not None:
            self.put("sheetProtection", self._ns(protection_xml(self.model.protect)))

    def autofilter(self) -> None:
        area = self.model.autofilter
        if area is None or self.find("autoFilter") is not None or self.find("tableParts"):
            return
        self.put("autoFilter", self._ns(f'<autoFilter ref="{area_ref(area)}"/>'))

    def conditional(self) -> None:
        rules = self.model.conditional
        if not rules:
            return
        owned: set[int] = set()
        for op, _ in rules:
            owned.update(range(op.area.col, op.area.last_col + 1))
        kept: list[Child] = []
        for child in self.children:
            if child.local == "conditionalFormatting" and child.qname:
                sqref = re.search(rb'sqref="([^"]*)"', child.data)
                types = set(re.findall(rb'<(?:\w+:)?cfRule[^>]*?type="([^"]+)"', child.data))
                # formula rules there are a re-score's; a template's colour scale stays
                if sqref is not None and _within(sqref[1].decode(), owned) and types <= {b"expression"}:
                    continue
            kept.append(child)
        self.children = kept
        priorities = [int(p) for c in self.children
                      for p in re.findall(rb'priority="(\d+)"', c.data)]
        markup = self._ns(conditional_xml(rules, max(priorities, default=0) + 1))
        last = [i for i, c in enumerate(self.children) if c.local == "conditionalFormatting"]
        if last:
            self.children.insert(last[-1] + 1, Child(self.q("conditionalFormatting"), markup))
        else:
            self.put("conditionalFormatting", markup)

    def validations(self) -> None:
        ops = self.model.validations
        if not ops:
            return
        owned: set[int] = set()
        for op in ops:
            owned.update(range(op.area.col, op.area.last_col + 1))
        child = self.find("dataValidations")
        fresh = [etree.fromstring(f'<v xmlns="{NS}">{validation_xml(op)}</v>')[0] for op in ops]
        if child is None:
            box = etree.Element(_Q + "dataValidations", nsmap={None: NS})
        else:
            box = self.parsed(child)
            for el in list(box):
                if isinstance(el.tag, str) and _within(el.get("sqref", ""), owned):
                    box.remove(el)
        for el in fresh:
            box.append(el)
        box.set("count", str(sum(1 for el in box if isinstance(el.tag, str))))
        self.put("dataValidations", _fragment(box))

    def other_children(self) -> None:
        """Every child but sheetData, once its rows are through (the dimension needs them)."""
        self.dimension()
        self.columns()
        self.panes()
        self.protection()
        self.autofilter()
        self.conditional()
        self.validations()
        self.page()
        if self.model.drawing_rid and self.find("drawing") is None:
            self.put("drawing", self._ns(f'<drawing r:id="{escape_attr(self.model.drawing_rid)}"/>'))

    def around_body(self) -> tuple[bytes, bytes]:
        """(everything before sheetData, everything after it)."""
        at = self.children.index(self.body)
        return (self.prolog + b"".join(c.data for c in self.children[:at]),
                b"".join(c.data for c in self.children[at + 1:]) + self.epilog)


def patch_sheet(xml: bytes, model: SheetModel, styles: Styles, date1904: bool = False) -> Patched:
    patcher = _Patcher(xml, model, styles, date1904)
    body = b"".join(patcher.sheet_data())
    patcher.other_children()
    before, after = patcher.around_body()
    return Patched(before + body + after, patcher.dropped_formula)


def patch_part(xml: bytes, model: SheetModel, styles: Styles,
               date1904: bool = False) -> tuple[Deflated, bool]:
    """`patch_sheet` deflated as its rows are patched: the patched XML is never held whole.
    Returns (the part, whether a formula cell lost its formula)."""
    patcher = _Patcher(xml, model, styles, date1904)
    del xml  # the patcher holds the part's pieces: the whole need not stay beside them
    body = Segment.of(patcher.sheet_data())
    patcher.other_children()
    before, after = patcher.around_body()
    part = Deflated.join([Segment.of([before]), body, Segment.of([after])])
    return part, patcher.dropped_formula
