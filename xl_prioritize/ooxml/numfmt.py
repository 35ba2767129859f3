"""What openpyxl 3.1.5 decides about number formats, Excel dates and cell references, without
importing openpyxl (its import alone costs a re-score ~0.2 s). Each function keeps the behaviour of
the openpyxl function it names; tests/test_ooxml_numfmt.py compares them with openpyxl's:
- `openpyxl/styles/numbers.py`: BUILTIN_FORMATS, is_date_format, is_timedelta_format;
- `openpyxl/utils/datetime.py`: from_excel, MAC_EPOCH, WINDOWS_EPOCH;
- `openpyxl/utils/cell.py`: column_index_from_string, get_column_letter, range_boundaries.
Anything outside the plain forms (lower-case or non-ASCII column letters, `$` in ranges) is handed
to openpyxl itself, imported then."""

from __future__ import annotations

import datetime
import re

BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00",
    5: '"$"#,##0_);("$"#,##0)', 6: '"$"#,##0_);[Red]("$"#,##0)',
    7: '"$"#,##0.00_);("$"#,##0.00)', 8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
    9: "0%", 10: "0.00%", 11: "0.00E+00", 12: "# ?/?", 13: "# ??/??",
    14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM",
    20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm",
    37: "#,##0_);(#,##0)", 38: "#,##0_);[Red](#,##0)", 39: "#,##0.00_);(#,##0.00)",
    40: "#,##0.00_);[Red](#,##0.00)",
    41: r'_(* #,##0_);_(* \(#,##0\);_(* "-"_);_(@_)',
    42: r'_("$"* #,##0_);_("$"* \(#,##0\);_("$"* "-"_);_(@_)',
    43: r'_(* #,##0.00_);_(* \(#,##0.00\);_(* "-"??_);_(@_)',
    44: r'_("$"* #,##0.00_)_("$"* \(#,##0.00\)_("$"* "-"??_)_(@_)',
    45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}

_LITERAL_GROUP = r'".*?"'
_LOCALE_GROUP = r"\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]"
_STRIP = re.compile(f"{_LITERAL_GROUP}|{_LOCALE_GROUP}")
_DATE_PART = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_TIMEDELTA = re.compile(r"\[hh?\](:mm(:ss(\.0*)?)?)?|\[mm?\](:ss(\.0*)?)?|\[ss?\](\.0*)?", re.I)

MAC_EPOCH = datetime.datetime(1904, 1, 1)
WINDOWS_EPOCH = datetime.datetime(1899, 12, 30)
_SECS_PER_DAY = 86400


def is_date_format(fmt: str | None) -> bool:
    if fmt is None:
        return False
    fmt = _STRIP.sub("", fmt.split(";")[0])
    return _DATE_PART.search(fmt) is not None


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
    if not 1 <= index <= 18278:
        raise ValueError(f"Invalid column index {index}")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def range_boundaries(ref: str) -> tuple[int | None, int | None, int | None, int | None]:
    """(min_col, min_row, max_col, max_row) of a range like `A1:C3`."""
    plain = _RANGE.fullmatch(ref)
    if plain:
        first, top, last, bottom = plain.groups()
        return column_index(first), int(top), column_index(last), int(bottom)
    from openpyxl.utils.cell import range_boundaries as openpyxl_boundaries

    return openpyxl_boundaries(ref)
