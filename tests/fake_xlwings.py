"""A fake of the xlwings object model over an openpyxl workbook, recording every call.

Each fake class stands for one real xlwings class (`REAL`); every public attribute read, set or
called, and every `len`/`iter`/`[]`/`in`, is recorded as (real class name, attribute), and every call
with its positional count and keyword names (`Recorder.signatures`). Tests check each recorded
attribute and keyword against the real classes, so the fake cannot invent API, and count the
records: each one is a call into Excel.

It behaves like desktop Excel through xlwings 0.37.8 on the platform it is given (`win32` or
`darwin`). Each rule names the xlwings source it follows (paths relative to the installed
`xlwings` package, line numbers of 0.37.8):

- Reading (`Range.value`, `read_value`): an empty cell and a formula whose result is `""` read as
  None (`_xlwindows.py` L455 `_clean_value_data_element`: `if value in ("", None): return
  empty_as`; `_xlmac.py` L72 `_clean_value_data_element`: `if value == "" or value ==
  kw.missing_value`), after `conversion/standard.py` L238 `CleanDataFromReadStage` calls them. An error
  value reads as None, or as its text (`#N/A`) with `options(err_to_str=True)` (`_xlwindows.py`
  L444 `cell_errors` and L464 in `_clean_value_data_element`; on macOS AppleScript gives `missing
  value`, and `_xlmac.py` L1083 `Range.raw_value` puts `string_value` in its place under
  `err_to_str`). Numbers read
  as floats; on Windows a cell with a currency or accounting format reads as `decimal.Decimal`
  rounded to 4 places (Excel hands pywin32 a VT_CY there; xlwings passes it on untouched in
  `_clean_value_data_element`, issue #65). A time of day reads as a datetime on 1899-12-30
  (`_xlwindows.py` L384 `_com_time_to_datetime`; macOS returns an AppleScript date). A one-cell
  range reads as a scalar unless `ndim=2` (`conversion/standard.py` L312 `Ensure2DStage`).
- `Range.formula` gives what the formula bar shows: a formula's text, a constant as text (a text
  cell `'=1+1` shows `=1+1`), "" for an empty cell; Windows hands back tuples of tuples
  (`_xlwindows.py` L1533 `Range.formula` returns `self.xl.Formula`, a COM SAFEARRAY), macOS lists
  (`_xlmac.py` L1276 `Range.formula`: `self.xl.formula.get()`).
- Writing (`Range.value = ...`): each value goes through `prepare_xl_data_element`
  (`_xlwindows.py` L486 `Engine.prepare_xl_data_element`, whose `time_types` (L109) hold no
  `datetime.time`: dates and datetimes to COM time, NaN and None to "", numpy numbers to float,
  everything else as it is, and pywin32 refuses a type it cannot put in a VARIANT, such as
  `datetime.time`; `_xlmac.py` L107 `Engine.prepare_xl_data_element`: None and NaN to "", ints
  to float, and appscript refuses what it cannot pack, such as `datetime.time` or `Decimal`).
  Excel then parses each string as if typed: `'...` stays text without the apostrophe, `=...`
  (and `+x`, `-x`, `@x` that are not numbers) become formulas; numbers, percentages,
  `TRUE`/`FALSE` and dates are converted.
- Calculation: formulas keep their last value until Excel calculates. The workbook is calculated
  when it opens and when calculation is set back to automatic; a formula written while
  calculation is manual is calculated once as it is entered, against the values then in place;
  `App.calculate()` calculates everything. A small calculator handles arithmetic, comparison,
  `IF`, `ISNUMBER`, `COUNT`, `SUM`, `NA()` and defined names.
- `Sheet.used_range` spans every cell holding a value or a format, as Excel's `UsedRange` does
  (`_xlwindows.py` L1136 `Sheet.used_range`: `self.xl.UsedRange`; `_xlmac.py` L834 the
  AppleScript `used range`); `Sheet.clear()` leaves charts.
- `.api` is the platform's object model: Excel's VBA names through pywin32 on Windows (`COM_MEMBERS`),
  Excel's AppleScript terms through appscript on macOS, checked against xlwings' own
  `mac_dict.py` (the terminology it hands appscript).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterator
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from xlwings import mac_dict

PLATFORMS = ("win32", "darwin")
TIME_DAY = dt.date(1899, 12, 30)
"""Day zero of Excel's 1900 date system: a time of day reads back on this date."""


@dataclass
class Recorder:
    calls: list[tuple[str, str]] = field(default_factory=list)
    signatures: list[tuple[str, str, int, tuple[str, ...]]] = field(default_factory=list)
    """Every method call: (class, method, number of positional arguments, keyword names)."""

    def record(self, cls: str, attr: str) -> None:
        self.calls.append((cls, attr))

    def __len__(self) -> int:
        return len(self.calls)


class _Fake:
    REAL = ""

    def __init__(self, rec: Recorder) -> None:
        object.__setattr__(self, "_rec", rec)

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_") or name == "REAL":
            return object.__getattribute__(self, name)
        rec = object.__getattribute__(self, "_rec")
        cls = type(self).REAL
        rec.record(cls, name)
        value = object.__getattribute__(self, name)
        if callable(value) and hasattr(value, "__self__"):
            def call(*args: Any, **kwargs: Any) -> Any:
                rec.signatures.append((cls, name, len(args), tuple(sorted(kwargs))))
                return value(*args, **kwargs)
            return call
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if not name.startswith("_"):
            self._rec.record(type(self).REAL, name)
        if not self._on_set(name, value):
            object.__setattr__(self, name, value)

    def _on_set(self, name: str, value: Any) -> bool:
        """React to a property being set; True when the value is not to be stored."""
        return False

    def _dunder(self, name: str) -> None:
        self._rec.record(type(self).REAL, name)


# --- what Excel holds, and how xlwings hands it over -------------------------------------------

@dataclass(frozen=True)
class CellError:
    """An error value such as `#N/A`, held by a cell or produced by a formula."""

    text: str


ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
"""`_xlwindows.py` `cell_errors`, `_xlmac.py` `cell_errors`."""

_CURRENCY = re.compile(r"[$€£¥]|\[\$|^_\(|^_-")


def is_currency_format(number_format: str) -> bool:
    """Formats Excel reports through COM as VT_CY: Currency and Accounting."""
    return bool(_CURRENCY.search(number_format or ""))


def read_value(platform: str, value: Any, number_format: str, err_to_str: bool) -> Any:
    """A stored value as `Range.value` returns it on `platform` (see the module's reading rules)."""
    if value is None or value == "":
        return None
    if isinstance(value, CellError):
        return value.text if err_to_str else None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if platform == "win32" and is_currency_format(number_format):
            return Decimal(repr(float(value))).quantize(Decimal("0.0001"))
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return dt.datetime.combine(TIME_DAY, value)
    return value


class CannotConvert(TypeError):
    """What pywin32 or appscript raise for a value they cannot hand to Excel."""


def prepare_value(platform: str, value: Any) -> Any:
    """`Engine.prepare_xl_data_element` of each platform, then what pywin32 / appscript accept."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating) and math.isnan(value):
        return ""
    if isinstance(value, np.number):
        value = float(value)
    if platform == "win32":
        if isinstance(value, bool | int | float | str | Decimal | dt.datetime | dt.date):
            return value
        raise CannotConvert(f"Objects of type '{type(value).__name__}' can not be converted to a "
                            "COM VARIANT")
    if isinstance(value, bool | str | dt.datetime | dt.date):
        return value
    if isinstance(value, int | float):
        return float(value)
    raise CannotConvert(f"Can't pack data into an AEDesc (unsupported type): {value!r}")


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _FormulaText:
    text: str


_DATE_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _number(text: str) -> float | None:
    body = text.strip().replace(",", "")
    percent = body.endswith("%")
    try:
        number = float(body.rstrip("%"))
    except ValueError:
        return None
    if not math.isfinite(number):
        return None
    return number / 100 if percent else number


def excel_parse(value: Any) -> Any:
    """What Excel stores when a value is written to a cell, as if typed."""
    if not isinstance(value, str):
        if isinstance(value, dt.datetime) and value.date() == TIME_DAY:
            return value.time()
        return value
    if value == "":
        return None
    if value.startswith("'"):
        return _Text(value[1:])
    if value.startswith("=") and len(value) > 1:
        return _FormulaText(value)
    number = _number(value)
    if number is not None:
        return number
    if value[0] in "+-" and len(value) > 1:
        return _FormulaText("=" + value)
    if value.startswith("@") and len(value) > 1:
        return _FormulaText("=" + value[1:])
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    for pattern, order in ((_DATE_MDY, (3, 1, 2)), (_DATE_ISO, (1, 2, 3))):
        match = pattern.match(value)
        if match:
            with contextlib.suppress(ValueError):
                return dt.datetime(*(int(match[i]) for i in order))
    return _Text(value)


def store(cell: Any, value: Any) -> None:
    """Put what Excel parsed into an openpyxl cell: text stays text, even `=1+1`, and any
    character (Excel holds control characters; openpyxl's setter would refuse them)."""
    if isinstance(value, _FormulaText):
        cell.value = value.text
    elif isinstance(value, _Text | str):
        cell._value = value.text if isinstance(value, _Text) else value
        cell.data_type = "s"
    elif isinstance(value, CellError):
        cell._value = value.text
        cell.data_type = "e"
    else:
        cell.value = value


def is_formula_cell(cell: Any) -> bool:
    return cell is not None and cell.data_type == "f" and isinstance(cell.value, str)


# --- ranges -------------------------------------------------------------------------------------

_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


@dataclass(frozen=True)
class Box:
    row: int
    col: int
    last_row: int
    last_col: int


def parse_address(address: str) -> list[Box]:
    boxes = []
    for part in address.replace(" ", "").split(","):
        ends = part.split(":")
        cells = []
        for end in ends:
            match = _CELL.match(end.upper())
            if match is None:
                raise ValueError(f"not an address: {address!r}")
            cells.append((int(match[2]), column_index_from_string(match[1])))
        (r1, c1), (r2, c2) = cells[0], cells[-1]
        boxes.append(Box(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
    return boxes


class FakeFont(_Fake):
    REAL = "Font"

    def __init__(self, rec: Recorder, rng: FakeRange) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_range", rng)

    def _set(self, **changes: Any) -> None:
        made: dict[int, Font] = {}
        for cell in self._range._cells():
            font_id = cell._style.fontId if cell._style is not None else 0
            if font_id not in made:
                font = copy(cell.font)
                for key, value in changes.items():
                    setattr(font, key, value)
                made[font_id] = font
            cell.font = made[font_id]

    def _on_set(self, name: str, value: Any) -> bool:
        if name == "bold":
            self._set(b=value)
        elif name == "italic":
            self._set(i=value)
        elif name == "color":
            self._set(color=value.lstrip("#").upper())
        return False


class FakeRangeColumns(_Fake):
    REAL = "RangeColumns"

    def __init__(self, rec: Recorder, rng: FakeRange) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_range", rng)

    def _on_set(self, name: str, value: Any) -> bool:
        if name == "hidden":
            if not isinstance(value, bool):
                raise TypeError("hidden must be a boolean")  # main.py RangeColumns.hidden
            for box in self._range._boxes:
                for c in range(box.col, box.last_col + 1):
                    self._range._ws.column_dimensions[get_column_letter(c)].hidden = value
            return True
        return False


class FakeDataValidation(_Fake):
    REAL = "DataValidation"

    def __init__(self, rec: Recorder, rng: FakeRange) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_range", rng)

    def set_list(self, source: Any, *, in_cell_dropdown: bool = True) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        if not isinstance(source, FakeRange):
            raise TypeError("the fake takes a Range as the list's source")
        if source._sheet._book is not self._range._sheet._book:
            raise ValueError("the source must be in the same workbook")  # main.py _range_source
        ws = self._range._ws
        address = self._range._address()
        for old in list(ws.data_validations.dataValidation):
            if str(old.sqref) == address.replace("$", ""):
                ws.data_validations.dataValidation.remove(old)
        sheet = source._sheet.name
        quoted = "'" + sheet.replace("'", "''") + "'" if not sheet.isalnum() else sheet
        rule = DataValidation(type="list", formula1=f"{quoted}!{source._address()}",
                              showDropDown=not in_cell_dropdown)
        rule.add(address.replace("$", ""))
        ws.add_data_validation(rule)


class FakeConditionalFormats(_Fake):
    REAL = "ConditionalFormats"

    def __init__(self, rec: Recorder, rng: FakeRange) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_range", rng)

    def add_custom(self, formula: str, *, fill_color: Any = None, font_color: Any = None,
                   font_bold: bool | None = None, font_italic: bool | None = None,
                   stop_if_true: bool = False) -> None:
        from openpyxl.formatting.rule import FormulaRule

        if not formula.startswith("="):
            formula = "=" + formula
        fill = PatternFill("solid", start_color=fill_color.lstrip("#").upper(),
                           end_color=fill_color.lstrip("#").upper()) if fill_color else None
        font = Font(color=font_color.lstrip("#").upper() if font_color else None, b=font_bold,
                    i=font_italic) if font_color or font_bold is not None else None
        rule = FormulaRule(formula=[formula[1:]], fill=fill, font=font, stopIfTrue=stop_if_true)
        self._range._ws.conditional_formatting.add(self._range._address().replace("$", ""), rule)

    def clear(self) -> None:
        ws = self._range._ws
        mine = {b for b in self._range._boxes}
        kept = openpyxl.formatting.formatting.ConditionalFormattingList()
        for rules in ws.conditional_formatting:
            ranges = str(rules.sqref).split()
            if any(parse_address(r)[0] in mine for r in ranges):
                continue
            for rule in rules.rules:
                kept.add(str(rules.sqref), rule)
        ws.conditional_formatting = kept


class FakeRange(_Fake):
    REAL = "Range"

    def __init__(self, rec: Recorder, sheet: FakeSheet, boxes: list[Box],
                 options: dict[str, Any] | None = None):
        super().__init__(rec)
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_boxes", boxes)
        object.__setattr__(self, "_options", options or {})

    @property
    def _ws(self) -> Any:
        return self._sheet._ws

    @property
    def _book(self) -> FakeBook:
        return self._sheet._book

    def _cells(self) -> Iterator[Any]:
        """Every cell of the range, created: for setting formats."""
        for box in self._boxes:
            for r in range(box.row, box.last_row + 1):
                for c in range(box.col, box.last_col + 1):
                    yield self._ws.cell(row=r, column=c)

    def _shape_of(self, box: Box) -> tuple[int, int]:
        return box.last_row - box.row + 1, box.last_col - box.col + 1

    def _shaped(self, rows: list[list[Any]]) -> Any:
        if self._options.get("ndim") == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self._rec, self._sheet, self._boxes, options)

    @property
    def row(self) -> int:
        return self._boxes[0].row

    @property
    def column(self) -> int:
        return self._boxes[0].col

    @property
    def shape(self) -> tuple[int, int]:
        return self._shape_of(self._boxes[0])

    @property
    def value(self) -> Any:
        box, book, ws = self._boxes[0], self._book, self._ws
        err_to_str = bool(self._options.get("err_to_str", False))
        read = book._read
        rows = [[read(ws, r, c, err_to_str) for c in range(box.col, box.last_col + 1)]
                for r in range(box.row, box.last_row + 1)]
        return self._shaped(rows)

    @property
    def formula(self) -> Any:
        box = self._boxes[0]
        rows = [[_formula_text(self._ws._cells.get((r, c)))
                 for c in range(box.col, box.last_col + 1)]
                for r in range(box.row, box.last_row + 1)]
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if self._book._platform == "win32":
            return tuple(tuple(r) for r in rows)
        return rows

    def _write(self, value: Any) -> None:
        box, book = self._boxes[0], self._book
        if not isinstance(value, list | tuple):
            value = [[value]]
        elif value and not isinstance(value[0], list | tuple):
            value = [value]
        prepared = [[prepare_value(book._platform, item) for item in line] for line in value]
        entered: list[tuple[int, int]] = []
        for i, line in enumerate(prepared):
            for j, item in enumerate(line):
                r, c = box.row + i, box.col + j
                parsed = excel_parse(item)
                if parsed is None:
                    cell = self._ws._cells.get((r, c))
                    if cell is not None:
                        cell.value = None
                    book._cache.pop((self._ws.title, r, c), None)
                    continue
                store(self._ws.cell(row=r, column=c), parsed)
                if isinstance(parsed, _FormulaText):
                    entered.append((r, c))
        book._entered(self._ws, entered)

    def _on_set(self, name: str, value: Any) -> bool:
        if name == "value":
            self._write(value)
            return True
        if name == "number_format":
            for cell in self._cells():
                cell.number_format = value
        elif name == "color":
            fill = PatternFill("solid", start_color=value.lstrip("#").upper())
            for cell in self._cells():
                cell.fill = fill
        elif name == "wrap_text":
            for cell in self._cells():
                alignment = copy(cell.alignment)
                alignment.wrap_text = value
                cell.alignment = alignment
        elif name == "column_width":
            for box in self._boxes:
                for c in range(box.col, box.last_col + 1):
                    self._ws.column_dimensions[get_column_letter(c)].width = value
        return False

    @property
    def font(self) -> FakeFont:
        return FakeFont(self._rec, self)

    @property
    def columns(self) -> FakeRangeColumns:
        return FakeRangeColumns(self._rec, self)

    @property
    def data_validation(self) -> FakeDataValidation:
        return FakeDataValidation(self._rec, self)

    @property
    def conditional_formats(self) -> FakeConditionalFormats:
        return FakeConditionalFormats(self._rec, self)

    @property
    def api(self) -> Any:
        return self._book._api("Range", self)

    @property
    def left(self) -> float:
        return sum(self._sheet._width(c) for c in range(1, self.column)) * 7.0

    @property
    def top(self) -> float:
        return (self.row - 1) * 15.0

    @property
    def width(self) -> float:
        box = self._boxes[0]
        return sum(self._sheet._width(c) for c in range(box.col, box.last_col + 1)) * 7.0

    @property
    def height(self) -> float:
        return self._shape_of(self._boxes[0])[0] * 15.0

    @property
    def address(self) -> str:
        return self._address()

    def _address(self) -> str:
        return ",".join(f"${get_column_letter(b.col)}${b.row}:${get_column_letter(b.last_col)}"
                        f"${b.last_row}" for b in self._boxes)


def _formula_text(cell: Any) -> str:
    """What Excel's Range.Formula shows for a cell: its formula, or its constant as text."""
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return f"{value.month}/{value.day}/{value.year}"
    return str(value)


# --- charts and names ---------------------------------------------------------------------------

class FakeChartAxis(_Fake):
    REAL = "ChartAxis"

    def __init__(self, rec: Recorder) -> None:
        super().__init__(rec)
        object.__setattr__(self, "title", None)
        object.__setattr__(self, "number_format", None)


class FakeChart(_Fake):
    REAL = "Chart"

    def __init__(self, rec: Recorder, charts: FakeCharts, left: float, top: float, width: float,
                 height: float) -> None:
        super().__init__(rec)
        for key, value in dict(name=f"Chart {len(charts._items) + 1}", chart_type=None,
                               title=None, left=left, top=top, width=width,
                               height=height).items():
            object.__setattr__(self, key, value)
        object.__setattr__(self, "_charts", charts)
        object.__setattr__(self, "_axis", FakeChartAxis(rec))
        object.__setattr__(self, "_source", None)
        object.__setattr__(self, "_x_values", None)

    def set_source_data(self, source: FakeRange, plot_by: str | None = None) -> None:
        object.__setattr__(self, "_source", (source._address(), plot_by))

    def set_x_axis_values(self, source: FakeRange) -> None:
        object.__setattr__(self, "_x_values", source._address())

    @property
    def value_axis(self) -> FakeChartAxis:
        return self._axis

    def delete(self) -> None:
        self._charts._items.remove(self)


class FakeCharts(_Fake):
    REAL = "Charts"

    def __init__(self, rec: Recorder) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_items", [])

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211,
            **kwargs: Any) -> FakeChart:
        chart = FakeChart(self._rec, self, left, top, width, height)
        self._items.append(chart)
        return chart

    def __iter__(self) -> Iterator[FakeChart]:
        self._dunder("__iter__")
        return iter(list(self._items))

    def __len__(self) -> int:
        self._dunder("__len__")
        return len(self._items)


class FakeTables(_Fake):
    REAL = "Tables"

    def __init__(self, rec: Recorder, ws: Any) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_ws", ws)

    def __len__(self) -> int:
        self._dunder("__len__")
        return len(self._ws.tables)


class FakeName(_Fake):
    REAL = "Name"

    def __init__(self, rec: Recorder, book: FakeBook, name: str) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "_name", name)

    @property
    def name(self) -> str:
        return self._name

    @property
    def refers_to(self) -> str:
        return "=" + self._book._wb.defined_names[self._name].attr_text

    @property
    def api(self) -> Any:
        return self._book._api("Name", self)

    def delete(self) -> None:
        del self._book._wb.defined_names[self._name]


class FakeNames(_Fake):
    REAL = "Names"

    def __init__(self, rec: Recorder, book: FakeBook) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_book", book)

    def contains(self, name_or_index: str) -> bool:
        return name_or_index in self._book._wb.defined_names

    def __iter__(self) -> Iterator[FakeName]:
        self._dunder("__iter__")
        return iter([FakeName(self._rec, self._book, name) for name in self._book._wb.defined_names])

    def add(self, name: str, refers_to: str) -> FakeName:
        if not refers_to.startswith("="):
            raise ValueError("refers_to must start with '='")
        if name in self._book._wb.defined_names:
            raise ValueError(f"name {name} exists")
        self._book._wb.defined_names[name] = DefinedName(name, attr_text=refers_to[1:])
        return FakeName(self._rec, self._book, name)

    def __getitem__(self, item: str) -> FakeName:
        self._dunder("__getitem__")
        if item not in self._book._wb.defined_names:
            raise KeyError(item)
        return FakeName(self._rec, self._book, item)


# --- the platform's own object model, for .api ---------------------------------------------------

COM_MEMBERS: dict[str, dict[str, frozenset[str] | None]] = {
    "Worksheet": {
        "Protect": frozenset({
            "Password", "DrawingObjects", "Contents", "Scenarios", "UserInterfaceOnly",
            "AllowFormattingCells", "AllowFormattingColumns", "AllowFormattingRows",
            "AllowInsertingColumns", "AllowInsertingRows", "AllowInsertingHyperlinks",
            "AllowDeletingColumns", "AllowDeletingRows", "AllowSorting", "AllowFiltering",
            "AllowUsingPivotTables"}),
        "PageSetup": None, "AutoFilterMode": None,
    },
    "PageSetup": {"Orientation": None, "Zoom": None, "FitToPagesWide": None,
                  "FitToPagesTall": None, "PrintTitleRows": None},
    "Range": {"AutoFilter": frozenset({"Field", "Criteria1", "Operator", "Criteria2",
                                       "SubField", "VisibleDropDown"})},
    "Name": {"Visible": None},
    "Window": {"FreezePanes": None, "ScrollRow": None, "ScrollColumn": None, "SplitRow": None,
               "SplitColumn": None},
    "Application": {"ActiveWindow": None},
}
"""Excel VBA object-model members the fake's Windows `.api` offers: a method's keyword parameters
as Microsoft's reference names them (Worksheet.Protect, Range.AutoFilter), None for a property."""

XL_LANDSCAPE = 2
"""XlPageOrientation.xlLandscape."""


def _mac_terms() -> tuple[set[str], dict[str, set[str]], set[str]]:
    """(properties and elements, commands with their parameters, enumerators) of `mac_dict.py`."""
    props = {n for n, _ in mac_dict.properties} | {n for n, _ in mac_dict.elements}
    commands = {n: {p for p, _ in params} for n, _, params in mac_dict.commands}
    enums = {n for n, _ in mac_dict.enums}
    return props, commands, enums


MAC_PROPERTIES, MAC_COMMANDS, MAC_ENUMS = _mac_terms()


class FakeCom:
    """pywin32's dispatch of an Excel object: attribute reads, writes and method calls."""

    def __init__(self, rec: Recorder, kind: str, target: Any) -> None:
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_target", target)

    def _member(self, name: str) -> frozenset[str] | None:
        members = COM_MEMBERS[self._kind]
        if name not in members:
            raise AttributeError(f"Excel's {self._kind} has no {name}")
        self._rec.record(f"COM.{self._kind}", name)
        return members[name]

    def _method(self, name: str, action: Callable[..., Any]) -> Callable[..., Any]:
        allowed = COM_MEMBERS[self._kind][name] or frozenset()

        def call(*args: Any, **kwargs: Any) -> Any:
            unknown = set(kwargs) - allowed
            if unknown:
                raise TypeError(f"{self._kind}.{name} has no parameter {sorted(unknown)}")
            self._rec.signatures.append((f"COM.{self._kind}", name, len(args),
                                         tuple(sorted(kwargs))))
            return action(*args, **kwargs)
        return call

    def __getattr__(self, name: str) -> Any:
        self._member(name)
        target = self._target
        if self._kind == "Worksheet":
            ws = target._ws
            if name == "Protect":
                return self._method(name, lambda **k: target._book._protect(ws, k))
            if name == "PageSetup":
                return FakeCom(self._rec, "PageSetup", target)
            if name == "AutoFilterMode":
                return ws.auto_filter.ref is not None
        if self._kind == "Range" and name == "AutoFilter":
            return self._method(name, lambda **k: target._book._toggle_filter(target))
        if self._kind == "Application" and name == "ActiveWindow":
            return FakeCom(self._rec, "Window", target)
        if self._kind == "Name" and name == "Visible":
            return not target._book._wb.defined_names[target._name].hidden
        if self._kind == "PageSetup":
            return target._book._page_setup(target._ws, name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._member(name)
        target = self._target
        if self._kind == "Window":
            window = target._window
            window[name] = value
            if name == "FreezePanes" and value:
                ws = target._wb[target._active]
                row, col = window.get("SplitRow", 0) + 1, window.get("SplitColumn", 0) + 1
                ws.freeze_panes = f"{get_column_letter(col)}{row}"
        elif self._kind == "Name" and name == "Visible":
            target._book._wb.defined_names[target._name].hidden = not value
        elif self._kind == "Worksheet" and name == "AutoFilterMode" and not value:
            target._ws.auto_filter.ref = None
        elif self._kind == "PageSetup":
            target._book._page_setup(target._ws, name, value)


class FakeAppscript:
    """appscript's reference to an Excel object on macOS: `ref.prop.get()`, `ref.prop.set(v)`,
    `ref.command(**params)`, every term checked against xlwings' `mac_dict.py`."""

    def __init__(self, rec: Recorder, target: Any, path: tuple[str, ...] = ()) -> None:
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Any:
        if name in ("get", "set"):
            return self._property_call(name)
        if name in MAC_COMMANDS:
            return self._command(name)
        if name not in MAC_PROPERTIES:
            raise AttributeError(f"Excel's AppleScript dictionary has no term {name!r}")
        return FakeAppscript(self._rec, self._target, (*self._path, name))

    def _property_call(self, verb: str) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            self._rec.record("AppleScript", ".".join(self._path) + "." + verb)
            return self._book()._appscript(self._target, self._path, verb, args)
        return call

    def _command(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            unknown = set(kwargs) - MAC_COMMANDS[name]
            if unknown:
                raise TypeError(f"AppleScript command {name} has no parameter {sorted(unknown)}")
            self._rec.record("AppleScript", name)
            self._rec.signatures.append(("AppleScript", name, len(args), tuple(sorted(kwargs))))
            return self._book()._appscript(self._target, (*self._path, name), "call", kwargs)
        return call

    def _book(self) -> FakeBook:
        target = self._target
        return target if isinstance(target, FakeBook) else target._book


# --- sheets, book, app --------------------------------------------------------------------------

class FakeSheet(_Fake):
    REAL = "Sheet"

    def __init__(self, rec: Recorder, book: FakeBook, ws: Any) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "_ws", ws)

    def _width(self, col: int) -> float:
        return self._ws.column_dimensions[get_column_letter(col)].width or 8.43

    @property
    def name(self) -> str:
        return self._ws.title

    def range(self, cell1: Any, cell2: Any = None) -> FakeRange:
        if isinstance(cell1, str):
            return FakeRange(self._rec, self, parse_address(cell1))
        r1, c1 = cell1
        r2, c2 = cell2 if cell2 is not None else cell1
        return FakeRange(self._rec, self, [Box(min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))])

    @property
    def used_range(self) -> FakeRange:
        cells = [(r, c) for (r, c), cell in self._ws._cells.items()
                 if cell.value is not None or cell.has_style]
        if not cells:
            return FakeRange(self._rec, self, [Box(1, 1, 1, 1)])
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        return FakeRange(self._rec, self, [Box(min(rows), min(cols), max(rows), max(cols))])

    @property
    def charts(self) -> FakeCharts:
        return self._book._charts.setdefault(self._ws.title, FakeCharts(self._rec))

    @property
    def tables(self) -> FakeTables:
        return FakeTables(self._rec, self._ws)

    def clear(self) -> None:
        self._ws._cells.clear()
        self._ws.conditional_formatting = openpyxl.formatting.formatting.ConditionalFormattingList()
        self._ws.data_validations.dataValidation.clear()
        for key in [k for k in self._book._cache if k[0] == self._ws.title]:
            del self._book._cache[key]

    def activate(self) -> None:
        object.__setattr__(self._book, "_active", self._ws.title)

    @property
    def api(self) -> Any:
        return self._book._api("Worksheet", self)

    def _on_set(self, name: str, value: Any) -> bool:
        if name == "visible":
            self._ws.sheet_state = "visible" if value else "hidden"
        return False


class FakeSheets(_Fake):
    REAL = "Sheets"

    def __init__(self, rec: Recorder, book: FakeBook) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_book", book)

    def _wrap(self, ws: Any) -> FakeSheet:
        return FakeSheet(self._rec, self._book, ws)

    def __iter__(self) -> Iterator[FakeSheet]:
        self._dunder("__iter__")
        return iter([self._wrap(ws) for ws in self._book._wb.worksheets])

    def __len__(self) -> int:
        self._dunder("__len__")
        return len(self._book._wb.worksheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        self._dunder("__getitem__")
        if isinstance(key, int):
            return self._wrap(self._book._wb.worksheets[key])
        return self._wrap(self._book._wb[key])

    def add(self, name: str | None = None, before: FakeSheet | None = None,
            after: FakeSheet | None = None) -> FakeSheet:
        wb = self._book._wb
        if after is not None:
            index = wb.worksheets.index(after._ws) + 1
        elif before is not None:
            index = wb.worksheets.index(before._ws)
        else:
            index = wb.worksheets.index(wb[self._book._active])
        ws = wb.create_sheet(name, index)
        object.__setattr__(self._book, "_active", ws.title)
        return self._wrap(ws)

    @property
    def active(self) -> FakeSheet:
        return self._wrap(self._book._wb[self._book._active])


class FakeApp(_Fake):
    REAL = "App"

    def __init__(self, rec: Recorder, book: FakeBook) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "_alerts", [])
        object.__setattr__(self, "screen_updating", True)
        object.__setattr__(self, "calculation", "automatic")
        object.__setattr__(self, "enable_events", True)
        object.__setattr__(self, "_history", [])
        """Every value the app's settings took, in order: (name, value)."""

    def _on_set(self, name: str, value: Any) -> bool:
        if name in ("screen_updating", "calculation", "enable_events"):
            self._history.append((name, value))
        if name == "calculation" and value == "automatic":
            object.__setattr__(self, name, value)
            self._book._calculate_all()
            return True
        return False

    def _settings(self) -> dict[str, Any]:
        return {k: object.__getattribute__(self, k)
                for k in ("screen_updating", "calculation", "enable_events")}

    @contextlib.contextmanager
    def properties(self, **kwargs: Any) -> Iterator[FakeApp]:
        # As xlwings does (main.py App.properties): read each setting, set it, set it back.
        initial = {name: getattr(self, name) for name in kwargs}
        for name, value in kwargs.items():
            setattr(self, name, value)
        try:
            yield self
        finally:
            for name, value in initial.items():
                setattr(self, name, value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str:
        self._alerts.append((prompt, title, mode))
        return "ok"

    def calculate(self) -> None:
        self._book._calculate_all()

    @property
    def api(self) -> Any:
        return self._book._api("Application", self._book)


Calculator = Callable[["FakeBook", Any, str], Any]


class FakeBook(_Fake):
    REAL = "Book"

    def __init__(self, path: Path, rec: Recorder | None = None,
                 calculator: Calculator | None = None, platform: str = "win32") -> None:
        if platform not in PLATFORMS:
            raise ValueError(f"platform is one of {PLATFORMS}")
        rec = rec if rec is not None else Recorder()
        super().__init__(rec)
        object.__setattr__(self, "_path", Path(path))
        object.__setattr__(self, "_platform", platform)
        object.__setattr__(self, "_wb", openpyxl.load_workbook(path))
        object.__setattr__(self, "_charts", {})
        object.__setattr__(self, "_active", self._wb.worksheets[0].title)
        object.__setattr__(self, "_window", {})
        object.__setattr__(self, "_calculator", calculator or calculate)
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "_fresh", None)
        object.__setattr__(self, "_pages", {})
        object.__setattr__(self, "_app", FakeApp(rec, self))
        self._calculate_all()  # Excel calculates a workbook saved by another program on opening

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def app(self) -> FakeApp:
        return self._app

    @property
    def sheets(self) -> FakeSheets:
        return FakeSheets(self._rec, self)

    @property
    def names(self) -> FakeNames:
        return FakeNames(self._rec, self)

    # what cells hold --------------------------------------------------------------------------
    def _raw(self, ws: Any, row: int, col: int) -> Any:
        """What a cell holds for Excel: a formula's last calculated value, an error as CellError."""
        cell = ws._cells.get((row, col))
        if cell is None:
            return None
        if is_formula_cell(cell):
            key = (ws.title, row, col)
            if self._fresh is not None:
                if key not in self._fresh:
                    self._fresh[key] = CellError("#REF!")  # a circular reference while calculating
                    self._fresh[key] = self._calculator(self, ws, cell.value)
                return self._fresh[key]
            return self._cache.get(key)
        if cell.data_type == "e":
            return CellError(str(cell.value))
        return cell.value

    def _read(self, ws: Any, row: int, col: int, err_to_str: bool = False) -> Any:
        cell = ws._cells.get((row, col))
        number_format = cell.number_format if cell is not None else "General"
        return read_value(self._platform, self._raw(ws, row, col), number_format, err_to_str)

    def _calculate_all(self) -> None:
        object.__setattr__(self, "_fresh", {})
        try:
            for ws in self._wb.worksheets:
                for (r, c), cell in list(ws._cells.items()):
                    if is_formula_cell(cell):
                        self._raw(ws, r, c)
            object.__setattr__(self, "_cache", self._fresh)
        finally:
            object.__setattr__(self, "_fresh", None)

    def _entered(self, ws: Any, cells: list[tuple[int, int]]) -> None:
        """Formulas just written: all calculated when calculation is automatic, else each once."""
        if not cells:
            return
        if self._app._settings()["calculation"] == "automatic":
            self._calculate_all()
            return
        for r, c in cells:
            self._cache[(ws.title, r, c)] = self._calculator(self, ws, ws._cells[(r, c)].value)

    # the platform object model -----------------------------------------------------------------
    def _api(self, kind: str, target: Any) -> Any:
        if self._platform == "win32":
            return FakeCom(self._rec, kind, target)
        return FakeAppscript(self._rec, target)

    def _protect(self, ws: Any, options: dict[str, Any]) -> None:
        ws.protection.sheet = True
        ws.protection.autoFilter = not options.get("AllowFiltering", options.get("allow_filtering",
                                                                                 False))
        ws.protection.formatColumns = not options.get(
            "AllowFormattingColumns", options.get("allow_formatting_columns", False))

    def _toggle_filter(self, rng: FakeRange) -> None:
        ws = rng._ws
        ws.auto_filter.ref = None if ws.auto_filter.ref else rng._address().replace("$", "")

    def _page_setup(self, ws: Any, name: str, *value: Any) -> Any:
        setup = self._pages.setdefault(ws.title, {})
        if value:
            setup[name] = value[0]
            ps = ws.page_setup
            if name in ("Orientation", "page_orientation"):
                ps.orientation = "landscape" if value[0] in (XL_LANDSCAPE, "landscape") else \
                    "portrait"
            elif name in ("FitToPagesWide", "fit_to_pages_wide"):
                ws.sheet_properties.pageSetUpPr.fitToPage = True
                ps.fitToWidth = value[0]
            elif name in ("FitToPagesTall", "fit_to_pages_tall"):
                ps.fitToHeight = 0 if value[0] is False else value[0]
            elif name in ("PrintTitleRows", "print_title_rows"):
                ws.print_title_rows = value[0].replace("$", "")
            return None
        return setup.get(name)

    def _appscript(self, target: Any, path: tuple[str, ...], verb: str, args: Any) -> Any:
        """What the macOS object model does with the few terms the adapter uses."""
        ws = getattr(target, "_ws", None)
        if path == ("protect_worksheet",):
            return self._protect(ws, args)
        if path == ("autofilter_mode",) and verb == "get":
            return ws.auto_filter.ref is not None
        if path == ("autofilter_mode",) and verb == "set" and not args[0]:
            ws.auto_filter.ref = None
            return None
        if path == ("autofilter_range",):
            return self._toggle_filter(target)
        if path[:1] == ("page_setup_object",) and len(path) == 2:
            return self._page_setup(ws, path[1], *args)
        if path == ("visible",) and isinstance(target, FakeName):
            names = self._wb.defined_names
            if verb == "set":
                names[target._name].hidden = not args[0]
                return None
            return not names[target._name].hidden
        if path[:1] == ("active_window",) and verb == "set":
            window = self._window
            window[path[1]] = args[0]
            if path[1] == "freeze_panes" and args[0]:
                ws = self._wb[self._active]
                row, col = window.get("split_row", 0) + 1, window.get("split_column", 0) + 1
                ws.freeze_panes = f"{get_column_letter(col)}{row}"
            return None
        raise NotImplementedError(f"the fake's macOS object model has no {'.'.join(path)}.{verb}")

    def _save_as(self, path: Path | None = None) -> Path:
        target = Path(path or self._path)
        self._wb.save(target)
        return target

    def _chart_list(self, sheet: str) -> list[FakeChart]:
        charts = self._charts.get(sheet)
        return list(charts._items) if charts is not None else []

    def _cell_kind(self, sheet: str, row: int, col: int) -> str:
        """'formula', 'text', 'number', 'error', 'empty', ... of a cell as Excel holds it."""
        cell = self._wb[sheet]._cells.get((row, col))
        if cell is None or cell.value is None:
            return "empty"
        if is_formula_cell(cell):
            return "formula"
        return {"s": "text", "n": "number", "b": "bool", "e": "error", "d": "date"}.get(
            cell.data_type, cell.data_type)


# --- a small calculator for the formulas a re-score writes --------------------------------------

class _Blank(float):
    """An empty cell inside a formula: 0 in arithmetic, equal to ""."""

    def __eq__(self, other: object) -> bool:
        return other == "" or float.__eq__(self, other)  # type: ignore[arg-type]

    __hash__ = float.__hash__


class _Failed(Exception):
    def __init__(self, error: CellError) -> None:
        self.error = error


_TOKEN = re.compile(
    r'"(?P<str>[^"]*)"|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|'
    r"(?P<ref>(?:'[^']+'|[A-Za-z_][\w.]*)![$A-Z]+\d+(?::[$A-Z]+\d+)?|\$?[A-Z]{1,3}\$?\d+\b)|"
    r"(?P<name>[A-Za-z_][\w.]*)|(?P<op><>|<=|>=|[-+*/^(),<>=&])"
)


def _plain(value: Any) -> Any:
    """A cell value inside arithmetic: an error stops the formula with that error."""
    if isinstance(value, CellError):
        raise _Failed(value)
    return value


def calculate(book: FakeBook, ws: Any, formula: str) -> Any:
    """The value of `formula` on sheet `ws`; None when it is beyond this calculator."""
    wb = book._wb

    def cell(sheet: Any, ref: str) -> Any:
        value = book._raw(sheet, *_row_col(ref))
        if isinstance(value, dt.time | dt.datetime):
            return value
        return _Blank(0) if value is None or value == "" else value

    def reference(text: str) -> Any:
        sheet = ws
        if "!" in text:
            name, text = text.rsplit("!", 1)
            sheet = wb[name.strip("'").replace("''", "'")]
        if ":" in text:
            return [cell(sheet, f"{get_column_letter(c)}{r}")
                    for box in parse_address(text)
                    for r in range(box.row, box.last_row + 1)
                    for c in range(box.col, box.last_col + 1)]
        return cell(sheet, text.replace("$", ""))

    def name(text: str) -> Any:
        if text not in wb.defined_names:
            raise _Failed(CellError("#NAME?"))
        target = wb.defined_names[text].attr_text
        return float(target) if _is_number(target) else _plain(reference(target))

    namespace = {
        "_REF": reference,
        "_NAME": name,
        "_V": lambda v: v if isinstance(v, list) else _plain(v),
        "_IF": lambda test, yes, no=False: yes if test else no,
        "_SUM": lambda *xs: sum(_numbers(xs)),
        "_COUNT": lambda *xs: len(_numbers(xs)),
        "_ISNUMBER": lambda x: isinstance(x, int | float) and not isinstance(x, bool | _Blank),
        "_NA": lambda: _plain(CellError("#N/A")),
    }
    try:
        result = eval(_compiled(formula), {"__builtins__": {}}, namespace)
    except _Failed as failed:
        return failed.error
    except ZeroDivisionError:
        return CellError("#DIV/0!")
    except Exception:
        return None
    return float(result) if isinstance(result, _Blank) else result


_FUNCTIONS = {"IF": "_IF", "SUM": "_SUM", "COUNT": "_COUNT", "ISNUMBER": "_ISNUMBER", "NA": "_NA"}


@functools.lru_cache(maxsize=100_000)
def _compiled(formula: str) -> Any:
    """A formula as Python code over the calculator's namespace (compiled once per text)."""
    parts: list[str] = []
    for match in _TOKEN.finditer(formula[1:]):
        kind, text = match.lastgroup, match.group()
        if kind == "str":
            parts.append(repr(match["str"]))
        elif kind == "num":
            parts.append(text)
        elif kind == "ref":
            parts.append(f"_V(_REF({text!r}))")
        elif kind == "name":
            parts.append(_FUNCTIONS.get(text.upper(), f"_NAME({text!r})"))
        else:
            parts.append({"=": "==", "<>": "!=", "^": "**", "&": "+"}.get(text, text))
    try:
        return compile(" ".join(parts), "<formula>", "eval")
    except SyntaxError:
        return compile("_NAME('')", "<formula>", "eval")


def _numbers(values: tuple[Any, ...]) -> list[float]:
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    for value in flat:
        _plain(value)
    return [float(v) for v in flat
            if isinstance(v, int | float) and not isinstance(v, bool | _Blank)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _row_col(ref: str) -> tuple[int, int]:
    match = _CELL.match(ref)
    assert match is not None, ref
    return int(match[2]), column_index_from_string(match[1])
