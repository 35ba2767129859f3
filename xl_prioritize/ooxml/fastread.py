"""The fast path of the sheet and shared-strings readers: compiled regular expressions over the
part's text, for the XML that Excel, LibreOffice, openpyxl and XlsxWriter write.

What stands behind every value it returns:
- inside `sheetData`, every character belongs to the grammar of `_sheet_tokens` (rows; cells with
  `<f>`, `<v>` and a plain `<is><t>`; whitespace between them), attributes are double-quoted with
  declared prefixes, references are the predefined ones or characters XML allows, and the bytes
  hold no character XML forbids: what a parser would check there;
- the part without its data (and a shared-strings part whole) is parsed by lxml, with the
  settings of the lxml reader: its namespaces, a DOCTYPE, anything malformed.
Anything else (a DOCTYPE, comments, CDATA, single quotes, rich inline text, another namespace or
encoding, a value the lxml reader would refuse in its own words) raises `Unusual`, and the caller
reads the part with the lxml reader (`read.read_sheet_lxml`) instead: that reader is the one
behaviour, this is its speed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import IO

from lxml import etree

from ..workbook.cells import Formula, Grid
from . import numfmt
from .safety import DAMAGED, damaged, safe_fromstring

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CHUNK = 1 << 16
"""Bytes read and scanned at a time. The tokens of one chunk are held at once: this few stay in
the processor's cache (a 64 KiB chunk reads a roster ~25% faster than a 256 KiB one)."""


class Unusual(Exception):
    """Something outside the grammar of the fast path: the lxml reader reads this part."""


class WellFormed:
    """libxml2 over the part's bytes, nothing built: a syntax error or a DOCTYPE is `Unusual`."""

    def __init__(self) -> None:
        self._parser = etree.XMLParser(target=self, resolve_entities=False, no_network=True,
                                       load_dtd=False, huge_tree=False)

    def doctype(self, *_: object) -> None:
        raise Unusual("a DOCTYPE")

    def close(self) -> None:
        return None

    def feed(self, data: bytes) -> None:
        try:
            for start in range(0, len(data), 1 << 16):  # libxml2 caps one push at 10 MB
                self._parser.feed(data[start:start + (1 << 16)])
        except etree.XMLSyntaxError as error:
            raise Unusual(str(error)) from None

    def finish(self) -> None:
        try:
            self._parser.close()
        except etree.XMLSyntaxError as error:
            raise Unusual(str(error)) from None


# Text and attributes ---------------------------------------------------------------------------
_REFERENCE = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9A-Fa-f]+));|&")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _one_reference(match: re.Match[str]) -> str:
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named]
    if decimal or hexadecimal:
        character = chr(int(decimal, 10) if decimal else int(hexadecimal, 16))
        if not is_xml_character(ord(character)):
            raise Unusual("a reference to a character XML does not allow")
        return character
    raise Unusual("an entity reference")


def is_xml_character(code: int) -> bool:
    """XML 1.0's `Char`: tab, line feed, carriage return, and U+0020 on, less the surrogates and
    U+FFFE, U+FFFF (compared, not matched: a class over all of Unicode takes ~6 ms to compile)."""
    return (0x20 <= code <= 0xD7FF or code in (0x9, 0xA, 0xD) or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)
_XML_BYTES = b"\t\n\r" + bytes(range(32, 256))
_MAX_TEXT = 10_000_000
"""libxml2's longest text node without `huge_tree`: a longer one is an error for the lxml reader."""


def check_characters(data: bytes) -> None:
    """UTF-8 bytes hold only characters XML 1.0 allows, and no `]]>` outside CDATA (the fast
    grammar has none): the checks a parser makes of text that the grammar leaves open."""
    if (data.translate(None, _XML_BYTES) or b"]]>" in data or len(data) > _MAX_TEXT
            or (not data.isascii() and (b"\xef\xbf\xbe" in data or b"\xef\xbf\xbf" in data))):
        raise Unusual("characters XML does not allow")


def decoded(text: str) -> str:
    """Character and predefined entity references replaced; any other `&` is `Unusual`."""
    return _REFERENCE.sub(_one_reference, text) if "&" in text else text


_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]{0,199}(?::[A-Za-z_][A-Za-z0-9_.\-]{0,199})?"
_ATTRIBUTES = re.compile(rf'(?:\s+{_NAME}\s*=\s*"[^"<]*")*\s*')
_ATTRIBUTE = re.compile(rf'({_NAME})\s*=\s*"([^"<]*)"')
_ATTRIBUTE_SPACE = str.maketrans("\t\n", "  ")
XML_NS = "http://www.w3.org/XML/1998/namespace"


def attributes(text: str, namespaces: dict[str, str]) -> dict[str, str]:
    """Double-quoted attributes, values as the parser gives them. Anything a namespace-aware
    parser would refuse (a duplicate, an undeclared prefix) or that could change the namespaces
    the grammar assumes (a declaration) is `Unusual`."""
    if not _ATTRIBUTES.fullmatch(text):
        raise Unusual(f"attributes {text!r}")
    found: dict[str, str] = {}
    expanded: set[tuple[str, str]] = set()
    pairs = _ATTRIBUTE.findall(text)
    for name, value in pairs:
        prefix, colon, local = name.partition(":")
        if name == "xmlns" or prefix == "xmlns":
            raise Unusual(f"a namespace declaration {name}")
        if colon:
            if prefix not in namespaces:
                raise Unusual(f"attribute {name}")
            expanded.add((namespaces[prefix], local))
        found[name] = decoded(value.translate(_ATTRIBUTE_SPACE))
    if len(found) != len(pairs) or len(expanded) != sum(":" in name for name in found):
        raise Unusual("a repeated attribute")
    return found


# The part around the data -------------------------------------------------------------------------
_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml\s[^>]*>")
_VERSION = re.compile(rb"""\sversion\s*=\s*["']1\.0["']""")
_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([^"']*)""")
_NAMESPACE = re.compile(r'\sxmlns(?::([^\s=]+))?\s*=\s*"([^"]*)"')


def _utf8(head: bytes) -> None:
    """XML 1.0 in UTF-8, the only kind the fast path reads."""
    declared = _DECLARATION.match(head)
    if declared is None:
        if head.startswith(b"<?xml"):
            raise Unusual("an XML declaration the fast path does not read")
        return
    encoding = _ENCODING.search(declared[0])
    if not _VERSION.search(declared[0]) or (encoding and encoding[1].lower() != b"utf-8"):
        raise Unusual("not XML 1.0 in UTF-8")


def _prefix_of(root_start: str, element: str, prefix: str) -> dict[str, str]:
    """The namespaces the root start tag declares, by prefix; `prefix` (of `element`) must be
    bound to the main namespace there."""
    declared = dict(_NAMESPACE.findall(root_start))
    if declared.get(prefix.rstrip(":")) != MAIN_NS:
        raise Unusual(f"{element} outside the main namespace")
    declared["xml"] = XML_NS
    return declared


def _check_skeleton(head: str, tail: str, close: str) -> None:
    """The part without its data, parsed whole: namespaces undeclared outside the data are
    errors for lxml's reader too."""
    try:
        safe_fromstring((head + close + tail).encode(), "a worksheet")
    except Exception as error:  # any refusal: the lxml reader names it
        raise Unusual(str(error)) from None


def _elements_named(name: str, text: str) -> list[str]:
    """The prefixes (with their colon) of every `name` element start in `text`."""
    return re.findall(rf"<([^\s<>/!?:]+:)?{name}[\s/>]", text)


# Sheets -------------------------------------------------------------------------------------------
def _sheet_tokens(p: str) -> re.Pattern[str]:
    """One token per match, by groups: 1-5 a plain cell (reference first, then other attributes,
    maybe a formula without attributes, and a `<v>` or a plain `<is><t>`); 6 any other cell,
    whole (read by `_cell_parts`); 7 anything else: a row start, maybe after the previous row's
    end (row number in 8, other attributes in 9), a row end, whitespace, or one stray character."""
    return re.compile(
        rf'<{p}c r="([A-Z]{{1,3}})[0-9]+"([^>/]*)>(?:<{p}f>([^<]+)</{p}f>)?'
        rf"(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t>([^<]+)</{p}t></{p}is>)</{p}c>"
        rf"|(<{p}c(?:\s[^>]*?)?(?:/>|>[^<]*(?:<(?!/{p}c>)[^<]*)*</{p}c>))"
        rf'|((?:</{p}row>)?<{p}row(?: r="([0-9]{{1,15}})")?([^>]*)>|</{p}row>|\s+|.)', re.S)


def _cell_parts(p: str) -> re.Pattern[str]:
    """A cell: its reference when it comes first (letters, digits), its other attributes, its
    content (read by `_cell_content`)."""
    return re.compile(rf'<{p}c(?: r="([A-Z]{{1,3}})([0-9]+)")?([^>]*?)(?:/>|>(.*)</{p}c>)', re.S)


def _cell_content(p: str) -> re.Pattern[str]:
    """What a cell may hold: groups 1-3 `<f>` (attributes, text), 4-5 `<v>` (attributes, text),
    6-8 `<is>` with at most one plain `<t>` (attributes, text), 9 an empty `<is/>`."""
    return re.compile(
        rf"\s*(?:(<{p}f)([^>/]*)(?:/>|>([^<]*)</{p}f>)\s*)?"
        rf"(?:<{p}v(\s[^>/]*)?>([^<]*)</{p}v>\s*|<{p}v/>\s*)?"
        rf"(?:(<{p}is>)\s*(?:<{p}t(\s[^>/]*)?>([^<]*)</{p}t>\s*|<{p}t/>\s*)?</{p}is>\s*|(<{p}is/>)\s*)?")


_DATE = "a number in a date style"
"""The cell type `SheetScan` gives a number whose style shows a date (`t` itself is "n")."""


_COLUMNS: dict[str, int] = {}
"""Each column's number by its letters, for the columns met so far (a plain dict: a scan looks up
every cell's column in it)."""


def column_number(letters: str) -> int:
    """A column's number from its letters (A to ZZZ, all the fast grammar takes), remembered."""
    number = _COLUMNS[letters] = numfmt.column_index(letters)
    return number


class CellTyping:
    """A cell's value from its type attribute, `<v>` text and style, as openpyxl reads it: the
    one typing both readers (this one and the lxml reader) share."""

    def __init__(self, shared: Sequence[str], date_styles: frozenset[int], date1904: bool) -> None:
        self.shared = shared
        self.dates = date_styles
        self.durations = getattr(date_styles, "durations", frozenset())
        self.epoch = numfmt.MAC_EPOCH if date1904 else numfmt.WINDOWS_EPOCH

    def _date(self, number: int | float, style: int) -> object:
        try:
            return numfmt.from_excel(number, self.epoch, timedelta=style in self.durations)
        except (OverflowError, ValueError):
            return "#VALUE!"

    def typed(self, kind: str, text: str | None, style: int) -> object:
        """Any cell but an inline string's (`t="inlineStr"`)."""
        if not text:
            return None
        if kind == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            return self._date(number, style) if style in self.dates else number
        if kind == "s":
            return self.shared[int(text)]
        if kind == "str":
            return unescape(text)
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            from openpyxl.utils.datetime import from_ISO8601

            return from_ISO8601(text)
        return text  # "e": the error as Excel shows it


class SheetScan(CellTyping):
    """The state of one sheet's scan: the grid so far and the row being read."""

    def __init__(self, shared: Sequence[str], date_styles: frozenset[int], date1904: bool,
                 prefix: str, namespaces: dict[str, str]) -> None:
        super().__init__(shared, date_styles, date1904)
        self.prefix = prefix
        self.namespaces = namespaces
        self.tokens = _sheet_tokens(re.escape(prefix))
        self.row_end = f"</{prefix}row>"
        self.grid: list[list[object]] = []
        self.line: list[object] | None = None
        self.row_number = 0
        self.columns: dict[str, int] = {}
        self.cell_attributes: dict[str, tuple[int, str]] = {}
        self.formula_attributes: dict[str, dict[str, str]] = {}
        self.row_attributes: dict[str, tuple[str | None, bool]] = {}
        self.plain_rows: set[str] = set()
        """Attributes after a row's reference known to hold nothing the scan needs (`spans=`)."""
        self.formulas: dict[str | None, object] = {}
        self.checked: set[str] = set()
        self.texts: dict[str, str] = {}
        self.dates_read: dict[tuple[int, str], object] = {}

    # the expressions of cells outside the plain forms, compiled when the first one comes ---------
    @functools.cached_property
    def cell_parts(self) -> re.Pattern[str]:
        return _cell_parts(re.escape(self.prefix))

    @functools.cached_property
    def content(self) -> re.Pattern[str]:
        return _cell_content(re.escape(self.prefix))

    # rows -----------------------------------------------------------------------------------
    def _row(self, token: str, number: str, rest: str) -> None:
        """A row end, a row start, or a row end and the next row's start."""
        if token.startswith(self.row_end):
            self._close_row()
            if len(token) == len(self.row_end):
                return
        if self.line is not None:
            raise Unusual("a row inside a row")
        known = self.row_attributes.get(rest)
        if known is None:
            if len(self.row_attributes) > 4096:
                self.row_attributes.clear()
            closed = rest.endswith("/")
            found = attributes(rest[:-1] if closed else rest, self.namespaces)
            known = self.row_attributes[rest] = (found.get("r"), closed)
        r, closed = known
        if number:
            if r is not None:
                raise Unusual("a repeated attribute")
            self.row_number = int(number)
            if not closed and len(self.plain_rows) < 256:
                self.plain_rows.add(rest)
        else:
            self.row_number = int(float(r)) if r else self.row_number + 1
        self.line = []
        if closed:
            self._close_row()

    def _close_row(self) -> None:
        if self.line is None:
            raise Unusual("a row end outside a row")
        if self.line:
            self._store(self.line)
        self.line = None

    def _store(self, line: list[object]) -> None:
        """A row with cells takes its place; a row without any changes nothing, as in lxml's reader."""
        grid, number = self.grid, self.row_number
        if number == len(grid) + 1:
            grid.append(line)
            return
        if number > len(grid):
            grid.extend([] for _ in range(number - len(grid)))
        grid[number - 1] = line

    # cells ----------------------------------------------------------------------------------
    def _kind(self, text: str) -> tuple[int, str]:
        """Style and type of a cell from its attributes after the reference; a number in a date
        style has its own type, `date`, so that plain numbers are told by the type alone."""
        found = attributes(text, self.namespaces)
        if "r" in found:
            raise Unusual("a cell reference after other attributes")
        style, kind = int(found.get("s") or 0), found.get("t", "n")
        made = self.cell_attributes[text] = (style, _DATE if kind == "n" and style in self.dates else kind)
        return made

    def _column(self, letters: str) -> int:
        index = self.columns[letters] = numfmt.column_index(letters)
        return index

    def _date_of(self, style: int, text: str) -> object:
        """A number in a date style, kept for the cells after it with the same number and style."""
        if len(self.dates_read) >= 4096:
            self.dates_read.clear()
        value = self.dates_read[style, text] = self.value(_DATE, text, style, None)
        return value

    def value(self, kind: str, text: str, style: int, inline: str | None) -> object:
        """What the lxml reader's `value` gives, `inline` the text of `<is>` (None without one)."""
        if kind == "inlineStr":
            return None if inline is None else unescape(inline)
        return self.typed("n" if kind is _DATE else kind, text, style)

    def formula(self, attribute_text: str, text: str, coordinate: str) -> str:
        found = self.formula_attributes.get(attribute_text)
        if found is None:
            if len(self.formula_attributes) > 4096:
                self.formula_attributes.clear()
            found = self.formula_attributes[attribute_text] = attributes(attribute_text, self.namespaces)
        text = "=" + text
        kind = found.get("t")
        if kind == "shared":
            return self._shared_formula(found.get("si"), text, coordinate)
        if kind == "dataTable":
            return "=TABLE(" + ",".join(found[a] for a in ("r1", "r2") if found.get(a)) + ")"
        return text

    def _shared_formula(self, index: str | None, text: str, coordinate: str) -> str:
        """A shared formula's master keeps its text; the cells sharing it get it translated to
        their place (openpyxl's Translator, imported only for a workbook that has one)."""
        if index in self.formulas:
            return self.formulas[index].translate_formula(coordinate)  # type: ignore[attr-defined]
        if text != "=":
            from openpyxl.formula.translate import Translator

            self.formulas[index] = Translator(text, coordinate)
        return text

    def scan(self, text: str) -> None:
        """Every token of `text`, a run of whole rows (or the data's last piece)."""
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        entities = "&" in text
        cell_attributes, columns, shared, texts = self.cell_attributes, _COLUMNS, self.shared, self.texts
        plain_rows = self.plain_rows
        line = self.line
        column = 0
        value: object
        for letters, rest, f, v, inline, cell, other, row_number, row_rest in self.tokens.findall(text):
            if letters:
                if line is None:
                    raise Unusual("a cell outside a row")
                try:
                    column = columns[letters]
                except KeyError:  # the first cell of its column
                    column = column_number(letters)
                style, kind = cell_attributes.get(rest) or self._kind(rest)
                if entities:
                    v, inline = decoded(v), decoded(inline)
                if kind == "n":
                    value = None if not v else float(v) if "." in v or "E" in v or "e" in v else int(v)
                elif kind == "inlineStr":
                    value = (texts.get(inline) or self._text(inline)) if inline else None
                elif kind == "s":
                    value = shared[int(v)] if v else None
                elif kind is _DATE and v:
                    value = self.dates_read.get((style, v)) or self._date_of(style, v)
                else:  # a type of cell the fast path meets seldom
                    value = self.value(kind, v, style, inline or None)
                if f:
                    value = Formula("=" + (decoded(f) if entities else f), value)
            elif other:
                if row_number and (not row_rest or row_rest in plain_rows):  # maybe after the last row's end
                    if other[1] == "/":
                        if line is None:
                            raise Unusual("a row end outside a row")
                        if line:
                            self._store(line)
                    elif line is not None:
                        raise Unusual("a row inside a row")
                    self.row_number = int(row_number)
                    line, column = [], 0
                    self.line = line
                elif other[0] == "<" and len(other) > 1:
                    self.line = line
                    self._row(other, row_number, row_rest)
                    line, column = self.line, 0
                elif not other.isspace():
                    raise Unusual(f"{other!r} in sheetData")
                continue
            else:
                if line is None:
                    raise Unusual("a cell outside a row")
                letters, digits, rest, content = self.cell_parts.fullmatch(cell).groups("")  # type: ignore[union-attr]
                if letters:
                    column = columns.get(letters) or column_number(letters)
                    style, kind = cell_attributes.get(rest) or self._kind(rest)
                    coordinate = letters + digits
                else:
                    column, style, kind, coordinate = self._unusual_cell(rest, column)
                value = self._cell(kind, style, content, coordinate or _name(self.row_number, column))
            if column == len(line) + 1:
                line.append(value)
            elif column > len(line):
                line.extend([None] * (column - 1 - len(line)))
                line.append(value)
            else:
                line[column - 1] = value

    def _cell(self, kind: str, style: int, content: str, coordinate: str) -> object:
        """A cell outside the plain forms: a formula, an empty cell, whitespace between its parts."""
        parts = self.content.fullmatch(content)
        if parts is None:
            raise Unusual(f"a cell holding {content[:40]!r}")
        (f_mark, f_attributes, f_text, v_attributes, v, is_mark, t_attributes, is_text,
         is_empty) = parts.groups("")
        if "&" in content:
            v, f_text, is_text = decoded(v), decoded(f_text), decoded(is_text)
        if t_attributes or v_attributes:
            self._check(t_attributes + v_attributes)
        value = self.value(kind, v, style, is_text if is_mark else ("" if is_empty else None))
        if f_mark:
            return Formula(self.formula(f_attributes, f_text, coordinate), value)
        return value

    def _text(self, inline: str) -> str:
        """An inline string's text, kept for the cells after it with the same text (a roster repeats
        its segments and managers: one string for all of them)."""
        if len(self.texts) >= 8192:
            self.texts.clear()
        text = self.texts[inline] = unescape(inline)
        return text

    def _check(self, text: str) -> None:
        if text not in self.checked:
            attributes(text, self.namespaces)
            self.checked.add(text)

    def _unusual_cell(self, text: str, column: int) -> tuple[int, int, str, str]:
        """A cell whose reference is missing or not its first attribute: column, style, type
        and reference, as the lxml reader reads them."""
        found = attributes(text, self.namespaces)
        coordinate = found.get("r", "")
        if coordinate:  # a reference without letters takes the column the first one did, as there
            letters = coordinate.rstrip("0123456789")
            index = self.columns.get(letters)
            column = index if index is not None else self._column(letters) if letters else column + 1
            self.columns[letters] = column
        else:
            column += 1
        return column, int(found.get("s") or 0), found.get("t", "n"), coordinate

    def merge(self, tail: str) -> None:
        """Merged ranges after the data: only their top-left cell keeps its value."""
        p = self.prefix
        if _elements_named("row", tail):
            raise Unusual("a row outside sheetData")
        merges = _elements_named("mergeCell", tail)
        if not merges:
            return
        if any(prefix != p for prefix in merges) or re.search(rf"xmlns{':' + p[:-1] if p else ''}\s*=", tail):
            raise Unusual("merged cells in another namespace")
        for start in re.findall(rf"<{re.escape(p)}mergeCell(\s[^>]*?)?/?>", tail):
            ref = attributes(start, self.namespaces).get("ref", "")
            blank_merged(self.grid, ref)


def blank_merged(grid: list[list[object]], ref: str) -> None:
    """A merged range shows only its top-left cell: the others read as blank, as in openpyxl."""
    if ":" not in ref:
        return
    min_col, min_row, max_col, max_row = numfmt.range_boundaries(ref)
    for r in range(min_row, min(max_row, len(grid)) + 1):  # type: ignore[arg-type]
        line = grid[r - 1]
        for col in range(min_col, min(max_col, len(line)) + 1):  # type: ignore[arg-type]
            if (r, col) != (min_row, min_col):
                line[col - 1] = None


_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape(text: str) -> str:
    """OOXML's escape of characters XML cannot hold: `_x000D_` is a carriage return, `_x005F_`
    a literal underscore (so `_x005F_x000D_` is the text `_x000D_`)."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def _name(row: int, column: int) -> str:
    return f"{numfmt.column_letter(column)}{row}"


_SHEET_DATA = re.compile(rb"<([^\s<>/!?:]+:)?sheetData(?:\s[^>]*?)?(/?)>")


def _read(stream: IO[bytes], part: str) -> bytes:
    try:
        return stream.read(CHUNK)
    except DAMAGED as error:
        raise damaged(part, error) from None


def read_sheet_fast(stream: IO[bytes], shared: Sequence[str], date_styles: frozenset[int],
                    date1904: bool, part: str) -> Grid:
    """The grid as `read.read_sheet_lxml` reads it, or `Unusual`. Reads `stream` a chunk at a
    time, each chunk cut after its last whole row. The part around the data is parsed whole by
    lxml; the data is held to the grammar and its characters checked."""
    buffer = b""
    while True:  # up to the start of sheetData
        chunk = _read(stream, part)
        buffer += chunk
        start = _SHEET_DATA.search(buffer)
        if start or not chunk:
            break
    if not start:
        raise Unusual("no sheetData")
    _utf8(buffer[:200])
    p = (start[1] or b"").decode()
    head = buffer[:start.end()].decode("utf-8")
    root = re.search(r"<[^\s<>/!?]+(?:\s[^>]*)?>", re.sub(r"<\?.*?\?>|<!--.*?-->", "", head, flags=re.S))
    if root is None:
        raise Unusual("no root element")
    scan = SheetScan(shared, date_styles, date1904, p, _prefix_of(root[0], "sheetData", p))
    colon = ":" + p[:-1] if p else ""
    if any(bound != MAIN_NS for bound in re.findall(rf'\sxmlns{colon}\s*=\s*"([^"]*)"', head)):
        raise Unusual("the main namespace declared again")
    if _elements_named("row", head[:start.start()]) or _elements_named("mergeCell", head[:start.start()]):
        raise Unusual("rows or merged cells before sheetData")
    buffer = buffer[start.end():]
    end_tag = f"</{p}sheetData>".encode()
    row_end = f"</{p}row>".encode()
    empty = start[2] == b"/"
    while True:
        if not empty:
            end = buffer.find(end_tag)
            if end >= 0:
                scan.scan(_data(buffer[:end]))
                buffer = buffer[end + len(end_tag):]
                break
            cut = buffer.rfind(row_end)
            if cut >= 0:
                cut += len(row_end)
                scan.scan(_data(buffer[:cut]))
                buffer = buffer[cut:]
        chunk = _read(stream, part)
        if not chunk:
            if empty:
                break
            raise Unusual("sheetData does not end")
        buffer += chunk
    while chunk:  # the rest of the part: merged cells
        chunk = _read(stream, part)
        buffer += chunk
    if scan.line is not None:
        raise Unusual("a row does not end")
    tail = _text(buffer)
    _check_skeleton(head, tail, "" if empty else f"</{p}sheetData>")
    scan.merge(tail)
    return scan.grid


def _data(data: bytes) -> str:
    check_characters(data)
    return _text(data)


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Unusual(str(error)) from None


# Shared strings -----------------------------------------------------------------------------------
def _shared_tokens(p: str) -> re.Pattern[str]:
    """A plain `<si><t>` (text in group 1), an empty `<si/>` (group 2), any other `<si>` (group
    3, read by lxml), whitespace, or one stray character (group 4)."""
    return re.compile(
        rf"<{p}si><{p}t(\s[^>/]*)?>([^<]*)</{p}t></{p}si>|(<{p}si/>)|(<{p}si(?:\s[^>]*)?>.*?</{p}si>)|(\s+|.)",
        re.S)


def read_shared_strings_fast(xml: bytes, text_of: Callable[[object], str]) -> list[str]:
    """The shared strings as `read.read_shared_strings_lxml` reads them, or `Unusual`; a rich
    string (runs, phonetic text) is parsed by lxml on its own, inside the root's namespaces."""
    check = WellFormed()
    check.feed(xml)
    check.finish()
    _utf8(xml[:200])
    text = _text(xml)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    root = re.search(r"<([^\s<>/!?:]+:)?sst(?:\s[^>]*)?>", text)
    if root is None or root[0].endswith("/>"):
        raise Unusual("no sst")
    p = root[1] or ""
    prefixes = _prefix_of(root[0], "sst", p)
    end = text.rfind(f"</{p}sst>")
    if end < 0:
        raise Unusual("no sst end")
    head, body, tail = text[:root.end()], text[root.end():end], text[end:]
    _check_skeleton(head, tail, "")
    if _elements_named("si", head) or _elements_named("si", tail):
        raise Unusual("strings outside sst")
    entities = "&" in body
    strings: list[str] = []
    for t_attributes, plain, empty, rich, other in _shared_tokens(re.escape(p)).findall(body):
        if other:
            if not other.isspace():
                raise Unusual(f"{other!r} in sst")
            continue
        if rich:
            if "<!" in rich or "<?" in rich or "xmlns" in rich:
                raise Unusual("a comment, CDATA or namespace in a string")
            element = safe_fromstring((root[0] + rich + f"</{p}sst>").encode(), "xl/sharedStrings.xml")
            strings.append(text_of(element[0]))
            continue
        if t_attributes:
            attributes(t_attributes, prefixes)
        if empty:
            strings.append("")
            continue
        strings.append(unescape(decoded(plain) if entities else plain))
    return strings
