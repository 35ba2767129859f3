"""Reading a worksheet part straight from its XML, typed as openpyxl types cells: the shared
strings, which styles make a number a date, and the sheet's grid.

Two readers give the same values: `fastread` (regular expressions over the part's text, for the
XML spreadsheets write) and the lxml reader here (one streaming pass, element by element), which
reads whatever the fast one calls `Unusual` and is the reference the tests hold it to."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO

from ..problems import UnreadableWorkbook
from ..workbook.cells import Formula, Grid
from .fastread import CellTyping, blank_merged, read_shared_strings_fast, read_sheet_fast, unescape
from .numfmt import (
    BUILTIN_FORMATS,
    column_index,
    column_letter,
    is_date_format,
    is_timedelta_format,
)
from .safety import safe_iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS, _T, _R = (MAIN + t for t in ("row", "c", "v", "f", "is", "t", "r"))
_SI, _NUMFMT, _XF, _CELLXFS = (MAIN + t for t in ("si", "numFmt", "xf", "cellXfs"))
_MERGE = MAIN + "mergeCell"

__all__ = ["DateStyles", "date_style_indexes", "read_shared_strings", "read_shared_strings_lxml",
           "read_sheet", "read_sheet_lxml", "unescape", "values_of"]

_DIGITS = "0123456789"

FALL_BACK = Exception
"""What sends a part to the lxml reader: `Unusual` (outside the fast grammar), and any error on
the fast path, which the lxml reader then meets, or not, in its own words and order."""


class DateStyles(frozenset[int]):
    """The cellXfs indexes whose number format shows a date or time; `durations` those of them
    that show elapsed time (`[h]:mm`), read as `timedelta` as openpyxl does."""

    durations: frozenset[int]

    def __new__(cls, dates: frozenset[int] | set[int] = frozenset(),
                durations: frozenset[int] | set[int] = frozenset()) -> DateStyles:
        made = super().__new__(cls, dates)
        made.durations = frozenset(durations)
        return made


def _text_of(element: object) -> str:
    """The text of an `<si>` or `<is>`: its `<t>` and its rich-text runs' `<t>`, phonetic runs
    (`<rPh>`) left out."""
    parts: list[str] = []
    for child in element:  # type: ignore[attr-defined]
        if child.tag == _T:
            parts.append(child.text or "")
        elif child.tag == _R:
            for t in child.iter(_T):
                parts.append(t.text or "")
    return unescape("".join(parts))


def read_shared_strings(xml: bytes | IO[bytes], part: str = "xl/sharedStrings.xml") -> list[str]:
    source = _Rewindable(xml)
    if source.seekable:
        try:
            return read_shared_strings_fast(source.stream.read(), _text_of)
        except FALL_BACK:  # a damaged part too: the lxml reader says so, in its words
            source.stream.seek(0)
    return read_shared_strings_lxml(source.stream, part)


def read_shared_strings_lxml(xml: bytes | IO[bytes], part: str = "xl/sharedStrings.xml") -> list[str]:
    strings: list[str] = []
    for _, si in safe_iterparse(xml, part, tag=_SI):
        strings.append(_text_of(si))
        si.clear()
    return strings


def date_style_indexes(styles_xml: bytes | IO[bytes] | None,
                       part: str = "xl/styles.xml") -> DateStyles:
    """Which `s=` indexes make a number a date: built-in date formats (14-22, 45-47) and custom
    ones with d, m, y, h or s outside quotes and brackets, as openpyxl decides (`numfmt`)."""
    if styles_xml is None:
        return DateStyles()
    custom: dict[int, str] = {}
    dates: set[int] = set()
    durations: set[int] = set()
    index = 0
    for _, element in safe_iterparse(styles_xml, part, tag=(_NUMFMT, _XF)):
        if element.tag == _NUMFMT:
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            continue
        parent = element.getparent()
        if parent is None or parent.tag != _CELLXFS:
            continue
        number_format_id = int(element.get("numFmtId", "0"))
        code = custom.get(number_format_id, BUILTIN_FORMATS.get(number_format_id))
        if is_date_format(code):
            dates.add(index)
        if is_timedelta_format(code):
            durations.add(index)
        index += 1
    return DateStyles(dates, durations)


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _SheetReader(CellTyping):
    def __init__(self, shared: Sequence[str], date_styles: frozenset[int], date1904: bool) -> None:
        super().__init__(shared, date_styles, date1904)
        self.formulas: dict[str, object] = {}

    def value(self, kind: str, text: str | None, style: int, cell: object) -> object:
        if kind == "inlineStr":
            inline = cell.find(_IS)  # type: ignore[attr-defined]
            return _text_of(inline) if inline is not None else None  # its <v>, if any, is ignored
        return self.typed(kind, text, style)

    def formula(self, f: object, coordinate: str) -> str:
        text = "=" + (f.text or "")  # type: ignore[attr-defined]
        kind = f.get("t")  # type: ignore[attr-defined]
        if kind == "shared":
            index = f.get("si")  # type: ignore[attr-defined]
            if index in self.formulas:
                return self.formulas[index].translate_formula(coordinate)  # type: ignore[attr-defined]
            if text != "=":
                from openpyxl.formula.translate import Translator

                self.formulas[index] = Translator(text, coordinate)
        elif kind == "dataTable":
            inputs = ",".join(f.get(a) for a in ("r1", "r2") if f.get(a))  # type: ignore[attr-defined]
            return f"=TABLE({inputs})"
        return text


def read_sheet(xml: bytes | IO[bytes], shared: Sequence[str], date_styles: frozenset[int],
               date1904: bool = False, part: str = "a worksheet") -> Grid:
    """The grid from A1 to the last cell present: rows as lists (not padded to one width),
    formula cells as `Formula(text, cached value)`."""
    source = _Rewindable(xml)
    try:
        return read_sheet_fast(source, shared, date_styles, date1904, part)
    except FALL_BACK as error:
        if isinstance(error, UnreadableWorkbook) and not source.seekable:
            raise  # the stream broke (a damaged zip entry) and cannot be read again
        return read_sheet_lxml(source.rewound(), shared, date_styles, date1904, part)


class _Rewindable:
    """A part's stream that can be read again from its start: seeking back when it can, else
    from the chunks it kept."""

    def __init__(self, source: bytes | IO[bytes]) -> None:
        if isinstance(source, bytes | bytearray | memoryview):
            source = io.BytesIO(bytes(source))
        self.stream = source
        self.seekable = _seekable(source)
        self.kept: list[bytes] = []

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if not self.seekable:
            self.kept.append(data)
        return data

    def rewound(self) -> IO[bytes]:
        if self.seekable:
            self.stream.seek(0)
            return self.stream
        return io.BufferedReader(_Replay(b"".join(self.kept), self.stream))  # type: ignore[arg-type]


class _Replay(io.RawIOBase):
    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = io.BytesIO(head)
        self.rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.head.read(len(buffer)) or self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _seekable(stream: IO[bytes]) -> bool:
    try:
        return bool(stream.seekable()) and stream.tell() == 0
    except (AttributeError, OSError, ValueError):
        return False


def read_sheet_lxml(xml: bytes | IO[bytes], shared: Sequence[str], date_styles: frozenset[int],
                    date1904: bool = False, part: str = "a worksheet") -> Grid:
    """The reference reader: lxml's iterparse, element by element."""
    reader = _SheetReader(shared, date_styles, date1904)
    grid: list[list[object]] = []
    columns: dict[str, int] = {}
    row_number = 0
    for _, row in safe_iterparse(xml, part, tag=(_ROW, _MERGE)):
        if row.tag == _MERGE:
            blank_merged(grid, row.get("ref", ""))
            continue
        r = row.get("r")
        row_number = int(float(r)) if r else row_number + 1
        line: list[object] = []
        column = 0
        for c in row:
            if c.tag != _C:
                continue
            attributes = c.attrib
            coordinate = attributes.get("r")
            if coordinate:
                letters = coordinate.rstrip(_DIGITS)
                index = columns.get(letters)
                if index is None:
                    index = columns[letters] = column_index(letters) if letters else column + 1
                column = index
            else:
                column += 1
            text = f = None
            for child in c:
                tag = child.tag
                if tag == _V:
                    text = child.text
                elif tag == _F:
                    f = child
            kind = attributes.get("t", "n")
            if kind == "n" and f is None and text:
                style = int(attributes.get("s") or 0)
                value = _number(text) if style not in reader.dates else reader.value(kind, text, style, c)
            else:
                value = reader.value(kind, text, int(attributes.get("s") or 0), c)
            if f is not None:
                value = Formula(reader.formula(f, coordinate or _name(row_number, column)), value)
            if column > len(line):
                line.extend([None] * (column - len(line)))
            line[column - 1] = value
        if line:
            if row_number > len(grid):
                grid.extend([] for _ in range(row_number - len(grid)))
            grid[row_number - 1] = line
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]
    return grid


def values_of(grid: Grid) -> Grid:
    """The grid as a reader that never calculates sees it: each formula replaced by its cached
    value (None when the file has none)."""
    return [[v.value if isinstance(v, Formula) else v for v in line] for line in grid]


def _name(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"
