"""Column widths from what a block holds, so no header or value is cut off or shown as ###."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

from .ops import HEADER_FILL, ClearSheet, ColumnWidths, Operation, Style, WriteBlock

HEADER_SLACK = 1.15
"""Bold headers run wider than plain text of the same length."""
PADDING = 2.0
MIN_WIDTH = 6.0
MAX_WIDTH = 50.0
PLAIN = frozenset({str, int, float})
NUMBERS = frozenset({int, float})
TEXT = frozenset({str})
DEFAULT_WIDTH = 8.43
"""Excel's width of a column nobody sized."""


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
    n = len(headers)
    rows = list(rows)
    if any(len(row) != n for row in rows):
        rows = [tuple(row[:n]) + (None,) * (n - len(row)) for row in rows]
    columns = list(zip(*rows, strict=True)) or [()] * n
    return fitted_column_widths(headers, columns, first_col, maximum=maximum, decimals=decimals)


def fitted_column_widths(
    headers: Sequence[object],
    columns: Sequence[Sequence[object]],
    first_col: int = 1,
    *,
    maximum: float = MAX_WIDTH,
    decimals: int | None = 1,
) -> tuple[tuple[int, float], ...]:
    """`fitted_widths` of a block given as its columns (one per header) below the header row."""
    widths = []
    for j, header in enumerate(headers):
        widest = column_length(columns[j], decimals) if columns[j] else 0
        w = max(shown_length(header) * HEADER_SLACK, min(widest, maximum))
        widths.append((first_col + j, round(max(MIN_WIDTH, w + PADDING), 1)))
    return tuple(widths)


def column_length(values: Sequence[object], decimals: int | None) -> int:
    """The longest value of a column as shown, looking at each kind once: the longest text, the
    number of most digits, any date."""
    kinds = set(map(type, values))
    texts = of_kinds(values, kinds, TEXT)
    numbers = of_kinds(values, kinds, NUMBERS)
    others = ([v for v in values if v is not None and type(v) not in PLAIN]
              if kinds - PLAIN - {type(None)} else [])
    longest = max(map(len, texts), default=0)
    if numbers:
        longest = max(longest, shown_length(max(numbers), decimals), shown_length(min(numbers), decimals))
    return max([longest, *(shown_length(v, decimals) for v in others[:50])])


def of_kinds(values: Sequence[object], kinds: set[type], wanted: frozenset[type]) -> Sequence[object]:
    """The values whose type is one of `wanted` (`kinds`: the types of all): the column itself when
    it holds nothing else."""
    if kinds <= wanted:
        return values
    return [v for v in values if type(v) in wanted] if kinds & wanted else []


def widen_to_headers(plan: Sequence[Operation], sheets: Collection[str]) -> list[ColumnWidths]:
    """ColumnWidths that widen any column of `sheets` narrower than a header the plan writes in it
    (a cell styled as a header); applied after the plan's own widths, they only ever widen."""
    header_areas = [op for op in plan if isinstance(op, Style) and op.sheet in sheets
                    and op.fill == HEADER_FILL]
    set_widths: dict[tuple[str, int], float] = {}
    for op in plan:
        if isinstance(op, ColumnWidths) and op.sheet in sheets:
            set_widths.update({(op.sheet, col): w for col, w in op.widths})
        elif isinstance(op, ClearSheet) and op.sheet in sheets:
            set_widths = {k: v for k, v in set_widths.items() if k[0] != op.sheet}
    needed: dict[tuple[str, int], float] = {}
    for style in header_areas:
        area = style.area
        for block in plan:
            if not isinstance(block, WriteBlock) or block.sheet != style.sheet:
                continue
            last_row = block.row + len(block.values) - 1
            for r in range(max(area.row, block.row), min(area.last_row, last_row) + 1):
                line = block.values[r - block.row]
                for col in range(max(area.col, block.col), min(area.last_col, block.col + len(line) - 1) + 1):
                    text = line[col - block.col]
                    if text is not None:
                        width = round(shown_length(text) * HEADER_SLACK + PADDING, 1)
                        key = (style.sheet, col)
                        needed[key] = max(needed.get(key, 0.0), width)
    widened: dict[str, list[tuple[int, float]]] = {}
    for (sheet, col), width in sorted(needed.items()):
        if set_widths.get((sheet, col), DEFAULT_WIDTH) < width:
            widened.setdefault(sheet, []).append((col, width))
    return [ColumnWidths(sheet, tuple(cols)) for sheet, cols in widened.items()]
