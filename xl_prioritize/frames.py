"""A workbook's tables as pandas DataFrames, for analysts: `read(path)` and `history(path)`.

Read-only, values as the cells hold them (a formula as its last calculated value). pandas is
imported here only, never on the Re-score button's path. A Roster output cell whose formula was
never calculated (a file written by the command line and not yet opened in a spreadsheet) takes
the value the last re-score computed, from its hidden snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .workbook import contract as c
from .workbook.cells import Grid, as_text, is_blank, last_filled_row
from .workbook.parse import find_sheet
from .workbook.snapshot import decode_rows

if TYPE_CHECKING:
    import pandas as pd

QUARTER_COLUMN = "Quarter"


@dataclass
class WorkbookFrames:
    roster: pd.DataFrame
    """Every Roster column, inputs and outputs, one row per partner."""
    capacity: pd.DataFrame
    """The Capacity sheet's tier table, its Total row included."""
    team_load: pd.DataFrame
    """The Capacity sheet's member table."""
    log: pd.DataFrame
    archives: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Each `Archive YYYY-Qn` by quarter, oldest first."""
    quarter: str | None = None
    """The Settings Quarter: the quarter the Roster's inputs are for."""


def _frame(grid: Grid) -> pd.DataFrame:
    """A table with its header in row 1: rows up to the last filled one, fully blank rows and
    columns without a header or a value dropped."""
    import pandas as pd

    if not grid:
        return pd.DataFrame()
    header = list(grid[0])
    body = [list(r) + [None] * (len(header) - len(r)) for r in grid[1:last_filled_row(grid) + 1]]
    body = [r for r in body if any(not is_blank(v) for v in r)]
    keep = [i for i, h in enumerate(header)
            if not is_blank(h) or any(not is_blank(r[i]) for r in body)]
    names = [h if not is_blank(h) else f"Column {i + 1}" for i, h in enumerate(header)]
    return pd.DataFrame([[r[i] for i in keep] for r in body], columns=[names[i] for i in keep])


def _leading_table(grid: Grid, top: int = 0) -> tuple[Grid, int]:
    """The table whose header is row `top` (0-based), as wide as its header runs without a gap,
    down to the first row whose first cell is blank; and the row after it."""
    if top >= len(grid):
        return [], top
    header = list(grid[top])
    width = next((i for i, h in enumerate(header) if is_blank(h)), len(header))
    end = top + 1
    while end < len(grid) and grid[end] and not is_blank(grid[end][0]):
        end += 1
    return [list(r[:width]) for r in grid[top:end]], end


def _with_snapshot(roster: Grid, snapshot: Grid) -> Grid:
    """Roster output cells with no calculated value take the snapshot's, matched by Partner ID."""
    if not roster or not snapshot:
        return roster
    cols = c.find_columns(roster[0], (c.PARTNER_ID, *c.OUTPUT_COLUMNS))
    saved = c.find_columns(snapshot[0], (c.PARTNER_ID, *c.OUTPUT_COLUMNS))
    if c.PARTNER_ID not in cols or c.PARTNER_ID not in saved:
        return roster
    by_id = {as_text(r[saved[c.PARTNER_ID]]): r for r in snapshot[1:]
             if saved[c.PARTNER_ID] < len(r)}
    filled: list[list[object]] = [list(roster[0])]
    for line in roster[1:]:
        line = list(line)
        old = by_id.get(as_text(line[cols[c.PARTNER_ID]]) if cols[c.PARTNER_ID] < len(line) else None)
        if old is not None:
            for name in c.OUTPUT_COLUMNS:
                if name in cols and name in saved and cols[name] < len(line) \
                        and line[cols[name]] is None and saved[name] < len(old):
                    line[cols[name]] = old[saved[name]]
        filled.append(line)
    return filled


def read(path: Path | str) -> WorkbookFrames:
    """The Roster (inputs and outputs), the Capacity tables, the Log and every archived quarter.

    >>> book = read("partners.xlsx")
    >>> book.roster.groupby("Tier")["Score"].mean()
    """
    import openpyxl

    wb = openpyxl.load_workbook(Path(path), read_only=True, data_only=True)
    try:
        names = list(wb.sheetnames)

        def grid(name: str) -> Grid:
            sheet = find_sheet(names, name)
            return [list(r) for r in wb[sheet].iter_rows(values_only=True)] if sheet else []

        roster = _with_snapshot(grid(c.ROSTER), decode_rows(grid(c.SNAPSHOT)))
        capacity = grid(c.CAPACITY)
        tiers_table, end = _leading_table(capacity)
        while end < len(capacity) and (not capacity[end] or is_blank(capacity[end][0])):
            end += 1
        members_table, _ = _leading_table(capacity, end)
        archives = {q: _frame([list(r) for r in wb[n].iter_rows(values_only=True)])
                    for n in names if (q := c.quarter_of_archive(n))}
        settings = grid(c.SETTINGS)
        quarter = next((as_text(r[1]) for r in settings[1:] if len(r) > 1
                        and c.normalize_header(r[0]) == c.normalize_header(c.QUARTER)), None)
        return WorkbookFrames(
            roster=_frame(roster), capacity=_frame(tiers_table), team_load=_frame(members_table),
            log=_frame(grid(c.LOG)),
            archives={q: archives[q] for q in sorted(archives, key=c.quarter_key)},
            quarter=quarter,
        )
    finally:
        wb.close()


def history(path: Path | str) -> pd.DataFrame:
    """One long table, partner × quarter: every archived quarter and the current Roster, each
    row led by its `Quarter`, columns as the sheets name them (a column a quarter lacks is blank).
    """
    import pandas as pd

    book = read(path)
    frames = [frame.assign(**{QUARTER_COLUMN: quarter}) for quarter, frame in book.archives.items()]
    if book.quarter is not None and book.quarter not in book.archives:
        frames.append(book.roster.assign(**{QUARTER_COLUMN: book.quarter}))
    if not frames:
        return pd.DataFrame(columns=[QUARTER_COLUMN])
    long = pd.concat(frames, ignore_index=True, sort=False)
    ordered = [QUARTER_COLUMN, *[col for col in long.columns if col != QUARTER_COLUMN]]
    return long[ordered].infer_objects()

