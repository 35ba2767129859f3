"""The hidden snapshot: the Roster as it stood after the last re-score, kept for the next archive.

One cell per Roster row, the row's values as JSON: the snapshot is machine state, so it costs
one cell a partner instead of one per column (the archive made from it is a plain sheet).
"""

from __future__ import annotations

import datetime as dt
import json
import numbers

from .cells import Grid, Uncalculated

_DATETIME = "__datetime__"
_DATE = "__date__"
_TIME = "__time__"


def _encode(value: object) -> object:
    """What JSON cannot hold by itself: dates and times tagged, other numbers plain; a formula
    never calculated has no value, so the archive made from this holds none (it holds no formulas)."""
    if isinstance(value, Uncalculated):
        return None
    if isinstance(value, dt.datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, dt.date):
        return {_DATE: value.isoformat()}
    if isinstance(value, dt.time):
        return {_TIME: value.isoformat()}
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return str(value)


def _decode(value: object) -> object:
    if isinstance(value, dict):
        if _DATETIME in value:
            return dt.datetime.fromisoformat(value[_DATETIME])
        if _DATE in value:
            return dt.date.fromisoformat(value[_DATE])
        if _TIME in value:
            return dt.time.fromisoformat(value[_TIME])
    return value


_ROW_BREAK = "\x00"
"""Separates items in `encode_rows`' single encoding: JSON writes a control character inside
text as an escape, so the raw character appears only as a separator."""


def encode_rows(grid: Grid) -> tuple[tuple[str], ...]:
    """Each row as one JSON text, `["a", 1, null]`.

    The grid is encoded in one call (one call a row costs more than the encoding), with
    `_ROW_BREAK` between items; a row's items are plain values or one-key dicts, never lists, so
    `]` + break + `[` occurs only between rows."""
    if not grid:
        return ()
    text = json.JSONEncoder(ensure_ascii=False, default=_encode,
                            separators=(_ROW_BREAK, ": ")).encode(list(grid))  # rows: lists or tuples
    rows = text[2:-2].split(f"]{_ROW_BREAK}[")
    return tuple([(f"[{row.replace(_ROW_BREAK, ', ')}]",) for row in rows])


def decode_rows(cells: Grid) -> Grid:
    """The grid back from the snapshot sheet's column A; rows that are not ours are skipped."""
    grid: list[list[object]] = []
    for line in cells:
        text = line[0] if line else None
        if not isinstance(text, str):
            continue
        try:
            values = json.loads(text)
        except ValueError:
            continue
        if isinstance(values, list):
            grid.append([_decode(v) for v in values])
    return grid
