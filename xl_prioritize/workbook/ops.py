"""The write plan's vocabulary: what a re-score does to a workbook, as data.

Both adapters (openpyxl for files, xlwings for a live Excel) apply the same list of operations, so
"the button and the command produce the same cells" reduces to "both applied the same plan".
Rows and columns are 1-based, as Excel counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .cells import Formula

CellValue = str | int | float | None | Formula | object
"""A plain value or a `Formula`. Every `str` is written as text, whatever it begins with (`=1+1`,
`007`, `TRUE`): only a `Formula` becomes a formula. Datetimes are written as dates."""

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
    """Values written from (`row`, `col`) on: one tuple a row."""

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
    """Widths of some columns of a sheet."""

    sheet: str
    widths: tuple[tuple[int, float], ...]
    """(column, width in characters)."""


@dataclass(frozen=True)
class DefineName:
    """A workbook-level name: a reference like `Settings!$B$3` or a constant like `1`."""

    name: str
    refers_to: str
    hidden: bool = False


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
    allow_filter: bool = False
    """Let people use the AutoFilter drop-downs (sorting locked cells stays impossible in Excel)."""
    allow_format_columns: bool = False
    """Let people resize columns."""


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: orientation, fit to one page wide, header rows repeated on each page."""

    sheet: str
    landscape: bool = True
    fit_to_width: bool = True
    """One page wide, as many pages tall as it takes."""
    repeat_rows: int | None = 1
    """Rows 1..n repeat at the top of every printed page; None for none."""


@dataclass(frozen=True)
class AutoFilter:
    """AutoFilter drop-downs over an area whose first row is the header.

    On a sheet the tool does not own (the Roster) it is set only when the sheet has no AutoFilter of
    the user's and is not an Excel table: the adapter checks, since only it sees the sheet."""

    sheet: str
    area: Area


@dataclass(frozen=True)
class DataValidationList:
    """A drop-down on an area: the values of `source`, a reference like `Roster!$A$2:$A$141`."""

    sheet: str
    area: Area
    source: str


@dataclass(frozen=True)
class ConditionalFormat:
    """Format cells of an area where `formula` is true, written for the area's top-left cell
    (relative references move with each cell, as in Excel). On the Roster, areas lie within the
    output columns: a re-score replaces the rules there and never touches the user's others."""

    sheet: str
    area: Area
    formula: str
    """Without a leading `=`, e.g. `ABS($L2-$S2)>1E-9`."""
    fill: str | None = None
    font_color: str | None = None
    bold: bool | None = None


@dataclass(frozen=True)
class HideColumns:
    """Hide whole columns (1-based), e.g. an owned helper column beside the outputs."""

    sheet: str
    columns: tuple[int, ...]


@dataclass(frozen=True)
class FreezePanes:
    """Freeze the rows above `row` and the columns left of `col`."""

    sheet: str
    row: int
    """First unfrozen row (2 freezes the header)."""
    col: int = 1


Operation = EnsureSheet | ClearSheet | WriteBlock | Style | ColumnWidths | DefineName | Chart | \
    ProtectSheet | FreezePanes | PageSetup | AutoFilter | DataValidationList | ConditionalFormat | \
    HideColumns
Plan = list[Operation]
