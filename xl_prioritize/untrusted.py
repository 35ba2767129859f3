"""Text that came from people or other systems, made safe for where it goes next.

A workbook's cells are written as text by every adapter (see `workbook.cells.Formula`); this module
covers the two other places user text reaches: CSV files a spreadsheet will open, and the terminal.
"""

from __future__ import annotations

import csv
import numbers
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula in a CSV cell (OWASP's list)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0/C1 controls (tab and newline aside) and the bidirectional overrides that can make a line
read other than it is."""


def csv_cell(value: object) -> object:
    """A cell for a CSV: text that a spreadsheet would run as a formula gets a leading `'`.
    Numbers pass as they are, so `-3` stays a number."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, numbers.Real):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8 with a byte-order mark, so Excel reads accents right; every cell through `csv_cell`."""
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            writer.writerow([csv_cell(v) for v in row])


def terminal_text(value: object) -> str:
    """User text for the terminal: control and direction-override characters removed."""
    return _CONTROL.sub("", str(value))


def console_text(value: object) -> str:
    """User text inside rich markup: controls removed and markup escaped (`[red]` stays text)."""
    from rich.markup import escape

    return escape(terminal_text(value))
