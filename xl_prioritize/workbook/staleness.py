"""Staleness you can see without Python: the Score the tiers were cut on, kept beside the live one.

A hidden owned Roster column after the outputs holds each partner's Score as a value when the
re-score cut the tiers. One conditional-format rule over the Score column (relative references, no
lookup, so it stays fast at 50,000 rows) highlights the rows whose live Score differs, and the
Scorecard counts them with one formula, until the next re-score rewrites the column. The Start sheet
is the user's: a re-score writes nothing there.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..core.scoring import floats_or_none
from ..model import Results
from . import contract as c
from .cells import Grid, as_numbers, as_text, column, is_blank, last_filled_column
from .columns import get_column_letter
from .ops import Area, ConditionalFormat, HideColumns, Plan, Style, WriteBlock, header_style
from .parse import Parsed

STALE_FILL = "FFEB9C"
STALE_FONT = "9C5700"
STALE_LABEL = "Partners whose Score changed since the last re-score"
TOLERANCE = 1e-9


def tiered_on_column(parsed: Parsed, output_columns: dict[str, int]) -> int:
    """1-based column of `Score when tiered`: where it stands, else right of everything else."""
    roster = parsed.layout.roster
    found = c.find_columns(roster.header, (c.TIERED_ON,))
    if c.TIERED_ON in found:
        return found[c.TIERED_ON] + 1
    return max(max(output_columns.values()) + 1, last_filled_column(roster.header) + 2,
               roster.filled_width + 1)


def stale_condition(score_col: int, tiered_col: int, row: int = 2) -> str:
    """True where a row's live Score differs from the Score its tier was cut on. `<>` treats a
    blank and "" as equal and ignores float noise in the 15th digit, in Excel and LibreOffice."""
    return f"${get_column_letter(score_col)}{row}<>${get_column_letter(tiered_col)}{row}"


def stale_count_formula(sheet: str, score_col: int, tiered_col: int, last_row: int) -> str:
    ref = c.quote_sheet(sheet)
    score, tiered = get_column_letter(score_col), get_column_letter(tiered_col)
    return (f"=SUMPRODUCT(--({ref}!${score}$2:${score}${last_row}"
            f"<>{ref}!${tiered}$2:${tiered}${last_row}))")


def tiered_on_ops(parsed: Parsed, results: Results, output_columns: dict[str, int],
                  last_row: int) -> Plan:
    """The hidden column's header and values, and the highlight rule on the Score column."""
    sheet = parsed.layout.sheets[c.ROSTER]
    col = tiered_on_column(parsed, output_columns)
    score_col = output_columns[c.SCORE]
    scores = floats_or_none(results.score)
    values = tuple(zip(parsed.layout.roster.on_sheet_rows(scores, last_row)))  # one value a row
    ops: Plan = [WriteBlock(sheet, 1, col, ((c.TIERED_ON,),)), header_style(sheet, Area(1, col))]
    if values:
        ops.append(WriteBlock(sheet, 2, col, tuple(values)))
        ops.append(Style(sheet, Area(2, col, len(values)), number_format="0.0"))
        ops.append(ConditionalFormat(sheet, Area(2, score_col, len(values)),
                                     stale_condition(score_col, col), fill=STALE_FILL,
                                     font_color=STALE_FONT))
    ops.append(HideColumns(sheet, (col,)))
    return ops


class Changes(NamedTuple):
    """What moved since the last re-score because its own inputs changed."""

    changed: int
    """Partners whose Score differs from the one their tier was last cut on."""
    moved: int
    """Of those, partners whose Tier differs from the last re-score's."""


def changes_since_last_run(parsed: Parsed, grid: Grid, results: Results) -> Changes | None:
    """Compare the Roster as the last re-score left it (its Tier and hidden Score) with this run;
    None when no re-score wrote the hidden column yet."""
    roster = parsed.layout.roster
    found = c.find_columns(roster.header, (c.TIERED_ON, c.TIER_OUT))
    if c.TIERED_ON not in found:
        return None
    tiered, tier_col = found[c.TIERED_ON], found.get(c.TIER_OUT)
    lines = [grid[row - 1] if row - 1 < len(grid) else () for row in roster.rows]
    before = column(lines, tiered)
    old, now = as_numbers(before), np.asarray(results.score, dtype=float)
    with np.errstate(invalid="ignore"):
        same = np.abs(old - now) <= TOLERANCE  # False where either is NaN
    same |= np.isnan(now) & np.fromiter(map(is_blank, before), dtype=bool, count=len(before))
    changed = np.flatnonzero(~same).tolist()
    moved = 0
    if tier_col is not None:
        old_tiers = column(lines, tier_col)
        for i in changed:
            old_tier = as_text(old_tiers[i])
            if old_tier is not None and c.normalize_header(old_tier) != c.normalize_header(
                    results.tier[i]):
                moved += 1
    return Changes(len(changed), moved)


def changes_line(changes: Changes) -> str:
    """The sentence the button and the command print after a re-score."""
    if not changes.changed:
        return "No partner's scores changed since the last re-score."
    partners = "partner's score" if changes.changed == 1 else "partners' scores"
    return (f"{changes.changed} {partners} changed since the last re-score; "
            f"{changes.moved} of them moved to another tier.")
