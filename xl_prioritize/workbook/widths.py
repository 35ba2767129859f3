"""Column widths from what a block holds, so no header or value is cut off or shown as ###."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

HEADER_SLACK = 1.15
"""Bold headers run wider than plain text of the same length."""
PADDING = 2.0
MIN_WIDTH = 6.0
MAX_WIDTH = 50.0


def shown_length(value: object, decimals: int | None = None) -> int:
    """About how many characters Excel shows for `value`."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float) and decimals is not None:
        return len(f"{value:.{decimals}f}")
    if isinstance(value, float):
        return len(f"{value:g}")
    return len(str(value))


def fitted_widths(
    headers: Sequence[object],
    rows: Iterable[Sequence[object]],
    first_col: int = 1,
    *,
    maximum: float = MAX_WIDTH,
    decimals: int | None = 1,
) -> tuple[tuple[int, float], ...]:
    """(column, width) for a block whose header row is `headers`: each column at least as wide as
    its header, and as its widest value up to `maximum`."""
    widest = [shown_length(h) * HEADER_SLACK for h in headers]
    for row in rows:
        for j, value in enumerate(row[: len(widest)]):
            widest[j] = max(widest[j], min(shown_length(value, decimals), maximum))
    return tuple((first_col + j, round(max(MIN_WIDTH, w + PADDING), 1)) for j, w in enumerate(widest))
