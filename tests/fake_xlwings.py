"""A fake of the xlwings object model over an openpyxl workbook, recording every call.

Each fake class stands for one real xlwings class (`REAL`); every public attribute read, set or
called, and every `len`/`iter`/`[]`/`in`, is recorded as (real class name, attribute). Tests check
each recorded attribute against the real classes, so the fake cannot invent API, and count the
records: each one is a call into Excel.

It behaves like Excel where that matters to an adapter: numbers read back as floats, an empty cell
as None, a one-cell range as a scalar unless `ndim=2`; text written to a cell is parsed the way
Excel parses typing (`007` becomes the number 7, `TRUE` a boolean) unless it starts with an
apostrophe; `=...` is a formula; formulas read as their calculated value (a small calculator for
arithmetic, IF, COUNT, SUM and defined names); `Sheet.clear()` leaves charts in place.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from copy import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.defined_name import DefinedName


@dataclass
class Recorder:
    calls: list[tuple[str, str]] = field(default_factory=list)

    def record(self, cls: str, attr: str) -> None:
        self.calls.append((cls, attr))

    def __len__(self) -> int:
        return len(self.calls)


class _Fake:
    REAL = ""

    def __init__(self, rec: Recorder) -> None:
        object.__setattr__(self, "_rec", rec)

    def __getattribute__(self, name: str) -> Any:
        if not name.startswith("_") and name != "REAL":
            object.__getattribute__(self, "_rec").record(type(self).REAL, name)
        return object.__getattribute__(self, name)

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


def excel_parse(value: Any) -> Any:
    """What Excel stores when a value is written to a cell, as if typed."""
    if not isinstance(value, str):
        return value
    if value.startswith("'"):
        return value[1:]
    if value.startswith("=") and len(value) > 1:
        return value
    if value.upper() in ("TRUE", "FALSE"):
        return value.upper() == "TRUE"
    try:
        number = float(value.replace(",", ""))
    except ValueError:
        return value
    return number if math.isfinite(number) else value


class FakeFont(_Fake):
    REAL = "Font"

    def __init__(self, rec: Recorder, rng: FakeRange) -> None:
        super().__init__(rec)
        object.__setattr__(self, "_range", rng)

    def _set(self, **changes: Any) -> None:
        for cell in self._range._cells():
            font: Font = copy(cell.font)
            for key, value in changes.items():
                setattr(font, key, value)
            cell.font = font

    def _on_set(self, name: str, value: Any) -> bool:
        if name == "bold":
            self._set(b=value)
        elif name == "italic":
            self._set(i=value)
        elif name == "color":
            self._set(color=value.lstrip("#").upper())
        return False


class FakeRange(_Fake):
    REAL = "Range"

    def __init__(self, rec: Recorder, sheet: FakeSheet, boxes: list[Box], ndim: int | None = None):
        super().__init__(rec)
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "_boxes", boxes)
        object.__setattr__(self, "_ndim", ndim)

    @property
    def _ws(self) -> Any:
        return self._sheet._ws

    def _cells(self) -> Iterator[Any]:
        for box in self._boxes:
            for r in range(box.row, box.last_row + 1):
                for c in range(box.col, box.last_col + 1):
                    yield self._ws.cell(row=r, column=c)

    def _shape_of(self, box: Box) -> tuple[int, int]:
        return box.last_row - box.row + 1, box.last_col - box.col + 1

    def _shaped(self, rows: list[list[Any]]) -> Any:
        if self._ndim == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(r) == 1 for r in rows):
            return [r[0] for r in rows]
        return rows

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self._rec, self._sheet, self._boxes, options.get("ndim"))

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
        box = self._boxes[0]
        rows = [[self._sheet._book._read(self._ws, r, c) for c in range(box.col, box.last_col + 1)]
                for r in range(box.row, box.last_row + 1)]
        return self._shaped(rows)

    @property
    def formula(self) -> Any:
        box = self._boxes[0]
        rows = tuple(tuple(_formula_text(self._ws.cell(row=r, column=c).value)
                           for c in range(box.col, box.last_col + 1))
                     for r in range(box.row, box.last_row + 1))
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def _write(self, value: Any) -> None:
        box = self._boxes[0]
        if not isinstance(value, list | tuple):
            value = [[value]]
        elif value and not isinstance(value[0], list | tuple):
            value = [value]
        for i, line in enumerate(value):
            for j, item in enumerate(line):
                if isinstance(item, bool | int | float | str | dt.date | type(None)):
                    stored = excel_parse(item)
                else:
                    raise TypeError(f"Excel cannot hold {type(item).__name__}: {item!r}")
                cell = self._ws.cell(row=box.row + i, column=box.col + j)
                cell.value = stored

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


def _formula_text(value: Any) -> str:
    """What Excel's Range.Formula shows for a stored value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
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


# --- the platform's own object model (pywin32 COM on Windows), for .api -------------------------

COM_MEMBERS = {
    "Worksheet": {"Protect"},
    "Window": {"FreezePanes", "ScrollRow", "ScrollColumn", "SplitRow", "SplitColumn"},
    "Application": {"ActiveWindow"},
}
"""The Excel VBA object-model members the fake's `.api` offers (Worksheet, Window, Application)."""


class FakeCom:
    def __init__(self, rec: Recorder, kind: str, target: Any) -> None:
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_target", target)

    def __getattr__(self, name: str) -> Any:
        if name not in COM_MEMBERS[self._kind]:
            raise AttributeError(f"Excel's {self._kind} has no {name}")
        self._rec.record(f"COM.{self._kind}", name)
        if name == "Protect":
            return lambda *a, **k: setattr(self._target._ws.protection, "sheet", True)
        if name == "ActiveWindow":
            return FakeCom(self._rec, "Window", self._target)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in COM_MEMBERS[self._kind]:
            raise AttributeError(f"Excel's {self._kind} has no {name}")
        self._rec.record(f"COM.{self._kind}", name)
        window = self._target._window
        window[name] = value
        if name == "FreezePanes" and value:
            ws = self._target._wb[self._target._active]
            row, col = window.get("SplitRow", 0) + 1, window.get("SplitColumn", 0) + 1
            ws.freeze_panes = f"{get_column_letter(col)}{row}"


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
        cells = [(r, c) for (r, c), cell in self._ws._cells.items() if cell.value is not None]
        if not cells:
            return FakeRange(self._rec, self, [Box(1, 1, 1, 1)])
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        return FakeRange(self._rec, self, [Box(min(rows), min(cols), max(rows), max(cols))])

    @property
    def charts(self) -> FakeCharts:
        return self._book._charts.setdefault(self._ws.title, FakeCharts(self._rec))

    def clear(self) -> None:
        self._ws._cells.clear()

    def activate(self) -> None:
        object.__setattr__(self._book, "_active", self._ws.title)

    @property
    def api(self) -> FakeCom:
        return FakeCom(self._rec, "Worksheet", self)

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
        return False

    def _settings(self) -> dict[str, Any]:
        return {k: object.__getattribute__(self, k)
                for k in ("screen_updating", "calculation", "enable_events")}

    @contextlib.contextmanager
    def properties(self, **kwargs: Any) -> Iterator[FakeApp]:
        # As xlwings does: read each setting, set it, set it back whatever happens.
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
        pass

    @property
    def api(self) -> FakeCom:
        return FakeCom(self._rec, "Application", self._book)


Calculator = Callable[["FakeBook", Any, str], Any]


class FakeBook(_Fake):
    REAL = "Book"

    def __init__(self, path: Path, rec: Recorder | None = None,
                 calculator: Calculator | None = None) -> None:
        rec = rec if rec is not None else Recorder()
        super().__init__(rec)
        object.__setattr__(self, "_path", Path(path))
        object.__setattr__(self, "_wb", openpyxl.load_workbook(path))
        object.__setattr__(self, "_charts", {})
        object.__setattr__(self, "_active", self._wb.worksheets[0].title)
        object.__setattr__(self, "_window", {})
        object.__setattr__(self, "_calculator", calculator or calculate)
        object.__setattr__(self, "_app", FakeApp(rec, self))

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

    def _read(self, ws: Any, row: int, col: int) -> Any:
        """A cell's value as Excel reports it: numbers as floats, formulas calculated."""
        value = ws._cells[(row, col)].value if (row, col) in ws._cells else None
        if isinstance(value, str) and value.startswith("=") and len(value) > 1:
            value = self._calculator(self, ws, value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return dt.datetime(value.year, value.month, value.day)
        return value

    def _save_as(self, path: Path | None = None) -> Path:
        target = Path(path or self._path)
        self._wb.save(target)
        return target

    def _chart_list(self, sheet: str) -> list[FakeChart]:
        charts = self._charts.get(sheet)
        return list(charts._items) if charts is not None else []


# --- a small calculator for the formulas a re-score writes --------------------------------------

class _Blank(float):
    """An empty cell inside a formula: 0 in arithmetic, equal to ""."""

    def __eq__(self, other: object) -> bool:
        return other == "" or float.__eq__(self, other)  # type: ignore[arg-type]

    __hash__ = float.__hash__


_TOKEN = re.compile(
    r'"(?P<str>[^"]*)"|(?P<num>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|'
    r"(?P<ref>(?:'[^']+'|[A-Za-z_][\w.]*)![$A-Z]+\d+(?::[$A-Z]+\d+)?|\$?[A-Z]{1,3}\$?\d+\b)|"
    r"(?P<name>[A-Za-z_][\w.]*)|(?P<op><>|<=|>=|[-+*/^(),<>=&])"
)


def calculate(book: FakeBook, ws: Any, formula: str) -> Any:
    """The value of `formula` on sheet `ws`; None when it is beyond this calculator."""
    wb = book._wb

    def cell(sheet: Any, ref: str) -> Any:
        value = book._read(sheet, *_row_col(ref))
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

    functions = {
        "IF": "_IF", "SUM": "_SUM", "COUNT": "_COUNT",
    }
    parts: list[str] = []
    for match in _TOKEN.finditer(formula[1:]):
        kind, text = match.lastgroup, match.group()
        if kind == "str":
            parts.append(repr(match["str"]))
        elif kind == "num":
            parts.append(text)
        elif kind == "ref":
            parts.append(f"_REF({text!r})")
        elif kind == "name":
            if text.upper() in functions:
                parts.append(functions[text.upper()])
            elif text in wb.defined_names:
                target = wb.defined_names[text].attr_text
                parts.append(f"({target})" if _is_number(target) else f"_REF({target!r})")
            else:
                return None
        else:
            parts.append({"=": "==", "<>": "!=", "^": "**", "&": "+"}.get(text, text))
    namespace = {
        "_REF": reference,
        "_IF": lambda test, yes, no=False: yes if test else no,
        "_SUM": lambda *xs: sum(_numbers(xs)),
        "_COUNT": lambda *xs: len(_numbers(xs)),
    }
    try:
        return eval(" ".join(parts), {"__builtins__": {}}, namespace)
    except Exception:
        return None


def _numbers(values: tuple[Any, ...]) -> list[float]:
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
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
