"""What openpyxl 3.1.5 decides about number formats, Excel dates and cell references, without
importing openpyxl (its import alone costs a re-score ~0.2 s). Each function keeps the behaviour of
the openpyxl function it names; tests/test_ooxml_numfmt.py compares them with openpyxl's:
- `openpyxl/styles/numbers.py`: is_timedelta_format (BUILTIN_FORMATS and is_date_format are
  `numformats`', the styles writer's too);
- `openpyxl/utils/datetime.py`: from_excel, MAC_EPOCH, WINDOWS_EPOCH;
- `openpyxl/utils/cell.py`: column_index_from_string, get_column_letter, range_boundaries.
Anything outside the plain forms (lower-case or non-ASCII column letters, `$` in ranges) is handed
to openpyxl itself, imported then."""

from __future__ import annotations

import datetime
import re

from . import cellxml
from .numformats import BUILTIN_FORMATS, is_date_format

__all__ = ["BUILTIN_FORMATS", "MAC_EPOCH", "WINDOWS_EPOCH", "column_index", "column_letter", "from_excel",
           "is_date_format", "is_timedelta_format", "range_boundaries"]

_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)

MAC_EPOCH = datetime.datetime(1904, 1, 1)
WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_SECS_PER_DAY = 86400


def is_timedelta_format(fmt: str | None) -> bool:
    if fmt is None:
        return False
    return _TIMEDELTA.search(fmt.split(";")[0]) is not None


def from_excel(value: float, epoch: datetime.datetime = WINDOWS_EPOCH, timedelta: bool = False) -> object:
    """An Excel serial as a datetime, a time (a fraction of one day) or a timedelta."""
    if timedelta:
        td = datetime.timedelta(days=value)
        if td.microseconds:
            td = datetime.timedelta(seconds=td.total_seconds() // 1, microseconds=round(td.microseconds, -3))
        return td
    day, fraction = divmod(value, 1)
    diff = datetime.timedelta(milliseconds=round(fraction * _SECS_PER_DAY * 1000))
    if 0 <= value < 1 and diff.days == 0:
        minutes, seconds = divmod(diff.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return datetime.time(hours, minutes, seconds, diff.microseconds)
    if 0 < value < 60 and epoch == WINDOWS_EPOCH:
        day += 1
    return epoch + datetime.timedelta(days=day) + diff


_LETTERS = re.compile(r"[A-Z]{1,3}")
_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]*):([A-Z]{1,3})([1-9][0-9]*)")


def column_index(letters: str) -> int:
    """`A` is 1, `AA` 27, `ZZZ` 18278; a name that is not a column raises ValueError."""
    if _LETTERS.fullmatch(letters):
        index = 0
        for letter in letters:
            index = index * 26 + ord(letter) - 64
        return index
    from openpyxl.utils.cell import column_index_from_string

    return column_index_from_string(letters)


def column_letter(index: int) -> str:
    """The cell writer's letters, within openpyxl's bound (columns 1 to 18278)."""
    if not 1 <= index <= 18278:
        raise ValueError(f"Invalid column index {index}")
    return cellxml.column_letter(index)


def range_boundaries(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(min_col, min_row, max_col, max_row) of a range like `A1:C3`."""
    plain = _RANGE.fullmatch(ref)
    if plain:
        first, top, last, bottom = plain.groups()
        return column_index(first), int(top), column_index(last), int(bottom)
    from openpyxl.utils.cell import range_boundaries as openpyxl_boundaries

    return openpyxl_boundaries(ref)
