"""The write plan's vocabulary: what a re-score does to a workbook, as data.

Both adapters (openpyxl for files, xlwings for a live Excel) apply the same list of operations, so
"the button and the command produce the same cells" reduces to "both applied the same plan".
Rows and columns are 1-based, as Excel counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CellValue = str | int | float | None | object
"""A plain value, or a formula as text beginning with `=`. Datetimes are written as dates."""

Values = tuple[tuple[CellValue, ...], ...]


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet."""

    row: int
    col: int
    rows: int = 1
    cols: int = 1

    @property
    def last_row(self) -> int:
        return self.row + self.rows - 1

    @property
    def last_col(self) -> int:
        return self.col + self.cols - 1


@dataclass(frozen=True)
class EnsureSheet:
    """Create the sheet when absent: right after `after` (at the end when None or absent)."""

    sheet: str
    after: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class ClearSheet:
    """Remove every value, format and chart: for sheets a re-score owns whole."""

    sheet: str


@dataclass(frozen=True)
class WriteBlock:
    sheet: str
    row: int
    col: int
    values: Values

    @property
    def area(self) -> Area:
        return Area(self.row, self.col, len(self.values), max((len(r) for r in self.values),
                                                              default=0))


@dataclass(frozen=True)
class Style:
    """Formats for an area; None leaves a property as it is."""

    sheet: str
    area: Area
    number_format: str | None = None
    bold: bool | None = None
    italic: bool | None = None
    fill: str | None = None
    """Hex RGB like `DDEBF7`."""
    font_color: str | None = None
    """Hex RGB; an empty string means the automatic colour."""
    wrap: bool | None = None


HEADER_FILL = "D9D9D9"
"""The grey of every header a re-score writes: output columns, Capacity, Compare, Log."""


def header_style(sheet: str, area: Area) -> Style:
    """Bold on grey: how a re-score marks a header it writes."""
    return Style(sheet, area, bold=True, fill=HEADER_FILL)


@dataclass(frozen=True)
class ColumnWidths:
    sheet: str
    widths: tuple[tuple[int, float], ...]
    """(column, width in characters)."""


@dataclass(frozen=True)
class DefineName:
    """A workbook-level name: a reference like `Settings!$B$3` or a constant like `1`."""

    name: str
    refers_to: str


@dataclass(frozen=True)
class Chart:
    """A chart over ranges of one sheet; a chart of the same name is replaced, never duplicated.

    Each series area is one column whose first cell is the series title.
    """

    sheet: str
    name: str
    kind: Literal["column", "bar", "line"]
    title: str
    categories: Area
    series: tuple[Area, ...]
    anchor: Area
    """Where the chart stands: its top-left cell and the cells it spans."""
    y_title: str | None = None
    percent_axis: bool = False


@dataclass(frozen=True)
class ProtectSheet:
    """Protect against accidental edits, without a password."""

    sheet: str


@dataclass(frozen=True)
class FreezePanes:
    sheet: str
    row: int
    """First unfrozen row (2 freezes the header)."""
    col: int = 1


Operation = EnsureSheet | ClearSheet | WriteBlock | Style | ColumnWidths | DefineName | Chart | \
    ProtectSheet | FreezePanes
Plan = list[Operation]
