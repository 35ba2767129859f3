"""Reading single cell values as the contract means them."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

import numpy as np

Grid = list[list[object]] | list[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Formula:
    """A formula cell, never to be confused with text that happens to begin with `=`.

    Adapters read a formula cell as one; the write plan carries every formula as one, and every
    `str` it carries is written as text. `value` is the result: the last calculated value when read,
    the value the core computed when written (a file's cached value, so readers that never
    recalculate still see it). None when unknown."""

    text: str
    """As Excel shows it in the formula bar, with its leading `=`."""
    value: object = None

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula begins with '=': {self.text!r}")

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Uncalculated:
    """An input cell holding a formula that no spreadsheet has calculated yet: there is no value
    to read (files written by scripts carry formulas without their results)."""

    formula: str

    def __str__(self) -> str:
        return f"the formula {self.formula}, never calculated (open and save the file in Excel)"


def with_values(formulas: Grid, values: Grid) -> Grid:
    """The formulas grid with each formula replaced by its last calculated value, or by
    `Uncalculated` where it has none."""
    merged: list[list[object]] = []
    for r, line in enumerate(formulas):
        cached = values[r] if r < len(values) else ()
        merged.append([
            (cached[i] if i < len(cached) and cached[i] is not None else Uncalculated(v.text))
            if is_formula(v) else v
            for i, v in enumerate(line)
        ])
    return merged


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_formula(value: object) -> bool:
    return isinstance(value, Formula)


def as_number(value: object) -> float | None:
    """A real number typed in a cell; None for text, booleans, dates and blanks."""
    if isinstance(value, (bool, dt.date | dt.time | dt.timedelta)):
        return None
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def as_text(value: object) -> str | None:
    """Trimmed text of a cell; whole numbers lose their `.0` (Excel stores 7 as 7.0)."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_texts(values: Iterable[object]) -> list[str | None]:
    """`as_text` of each value; text (the common case) without a call per cell."""
    return [(v.strip() or None) if type(v) is str else as_text(v) for v in values]


_NUMBERS_OR_BLANKS = frozenset({float, int, type(None)})


def as_numbers(values: Sequence[object]) -> np.ndarray:
    """`as_number` of each value, NaN where it gives None; floats and ints without a call per cell,
    and a column of only those and blanks converted whole (numpy reads None as NaN)."""
    if set(map(type, values)) <= _NUMBERS_OR_BLANKS:
        found = np.array(values, dtype=float)
    else:
        found = np.array([v if (kind := type(v)) is float else float(v) if kind is int
                          else _number_or_nan(v) for v in values], dtype=float)
    found[np.isinf(found)] = np.nan
    return found


def _number_or_nan(value: object) -> float:
    number = as_number(value)
    return math.nan if number is None else number


def column(lines: Sequence[Sequence[object]], col: int) -> list[object]:
    """One column of the given rows, None past the end of a short row."""
    try:
        return list(map(itemgetter(col), lines))
    except IndexError:
        return [line[col] if col < len(line) else None for line in lines]


def cell(grid: Grid, row: int, col: int) -> object:
    """Value at 0-based (row, col), None outside the grid."""
    if row >= len(grid):
        return None
    line = grid[row]
    return line[col] if col < len(line) else None


def width(grid: Grid) -> int:
    return max((len(r) for r in grid), default=0)


def last_filled_column(row: list[object] | tuple[object, ...]) -> int:
    """0-based index of the last non-blank cell of a row, -1 if none."""
    for i in range(len(row) - 1, -1, -1):
        if not is_blank(row[i]):
            return i
    return -1


def last_filled_row(grid: Grid) -> int:
    """0-based index of the last row with any non-blank cell, -1 if none."""
    for i in range(len(grid) - 1, -1, -1):
        if any(not is_blank(v) for v in grid[i]):
            return i
    return -1
