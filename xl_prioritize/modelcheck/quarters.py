"""The quarters a workbook holds, as the model checks need them: factor scores and outcomes.

Archives (`Archive YYYY-Qn`, values) and, when the Quarter has moved on without a re-score, the
hidden snapshot of the last results are past quarters; the Roster is the current one. Factor
columns are found in each by the current Factors' names; the outcome column by the Settings key
`Outcome` or `--outcome`. The current inputs are read and validated as a re-score reads them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..model import Inputs
from ..problems import Code, InputErrors, Problem, describe
from ..rescore import read_workbook
from ..workbook import contract as c
from ..workbook.cells import Grid, as_number, as_text, cell, is_blank
from ..workbook.parse import Parsed, find_sheet, reading_order
from .book import FileBook, open_book

OUTCOME = "Outcome"
OUTCOME_ACCEPTED = "a number ≥ 0, or blank when not known"


@dataclass
class Quarter:
    quarter: str
    sheet: str
    """Where its rows stand: `Archive 2026-Q3`, the snapshot, or `Roster`."""
    ids: list[str]
    names: list[object]
    scores: np.ndarray
    """(n, F) in the current Factors' order; NaN where blank or the factor has no column."""
    outcome: np.ndarray | None
    """(n,), NaN where not known; None when the sheet has no outcome column."""
    groups: list[object] | None
    missing_factors: list[str]


@dataclass
class ModelData:
    parsed: Parsed
    outcome: str | None
    """The outcome column's header, as the Roster spells it; None when none is named."""
    quarters: list[Quarter]
    """Oldest first; the last is the current Roster."""

    @property
    def inputs(self) -> Inputs:
        return self.parsed.inputs


def outcome_setting(settings_grid: Grid) -> tuple[str | None, str | None]:
    """The Settings key `Outcome`: its text and its cell, read from columns A and B."""
    for i in range(1, len(settings_grid)):
        if c.normalize_header(cell(settings_grid, i, 0)) == c.normalize_header(OUTCOME):
            return as_text(cell(settings_grid, i, 1)), c.cell_ref(c.SETTINGS, i + 1, 2)
    return None, None


def load(path: Path | str, outcome: str | None = None, *, outcomes: bool = True) -> ModelData:
    """Read FILE for the model checks; raises InputErrors (every problem) as a re-score would.
    With `outcomes` False the outcome column is not read (checks that do not use it)."""
    book = open_book(path)
    try:
        return load_book(book, outcome, outcomes=outcomes)
    finally:
        book.close()


def load_book(book: FileBook, outcome: str | None = None, *, outcomes: bool = True) -> ModelData:
    parsed, _ = read_workbook(book)
    inputs = parsed.inputs
    names = book.sheet_names()
    settings_grid = book.read_values(find_sheet(names, c.SETTINGS))  # type: ignore[arg-type]
    roster_sheet = find_sheet(names, c.ROSTER)
    assert roster_sheet is not None
    roster_grid = book.read_values(roster_sheet)
    header = list(roster_grid[0]) if roster_grid else []
    named, where = (outcome, "--outcome") if outcome else outcome_setting(settings_grid)
    if not outcomes:
        named = None
    errors: list[Problem] = []
    column: str | None = None
    if named is not None:
        found = c.find_columns(header, (named,))
        if named in found:
            column = as_text(header[found[named]])
        else:
            errors.append(Problem(Code.UNKNOWN_COLUMN, where or "--outcome",
                                  f"{describe(named)} is not a Roster column; expected the header "
                                  "of the Roster column holding each partner's outcome"))
    current_quarter = inputs.settings.quarter
    past: list[tuple[str, str, Grid]] = []
    for sheet in names:
        quarter = c.quarter_of_archive(sheet)
        if quarter and c.quarter_key(quarter) < c.quarter_key(current_quarter):
            past.append((quarter, sheet, book.read_values(sheet)))
    if parsed.archive is not None:
        past.append((parsed.archive[0], c.SNAPSHOT, parsed.archive[1]))
    past.sort(key=lambda q: c.quarter_key(q[0]))
    quarters = [archived_quarter(q, sheet, grid, inputs, column, [] if sheet == c.SNAPSHOT else errors)
                for q, sheet, grid in past]
    quarters.append(current(inputs, roster_sheet, roster_grid, column, errors))
    if errors:
        raise InputErrors(sorted(errors, key=reading_order))
    return ModelData(parsed, column, quarters)


def read_outcomes(
    grid: Grid, sheet: str, col: int, keep: list[int], errors: list[Problem]
) -> np.ndarray:
    """The outcome of each kept row (0-based grid rows): NaN when blank; an error otherwise."""
    values = np.full(len(keep), np.nan)
    for n, i in enumerate(keep):
        raw = cell(grid, i, col)
        if is_blank(raw):
            continue
        number = as_number(raw)
        if number is None or number < 0:
            code = Code.NOT_A_NUMBER if number is None else Code.OUT_OF_RANGE
            errors.append(Problem(code, c.cell_ref(sheet, i + 1, col + 1),
                                  f"{describe(raw)} is not an outcome; expected {OUTCOME_ACCEPTED}"))
            continue
        values[n] = number
    return values


def archived_quarter(
    quarter: str, sheet: str, grid: Grid, inputs: Inputs, outcome: str | None,
    errors: list[Problem],
) -> Quarter:
    header = list(grid[0]) if grid else []
    factor_names = [f.name for f in inputs.factors]
    cols = c.find_columns(header, (c.PARTNER_ID, c.PARTNER, *factor_names))
    key = cols.get(c.PARTNER_ID)
    rows = [i for i in range(1, len(grid)) if key is not None and as_text(cell(grid, i, key))]
    scores = np.full((len(rows), len(factor_names)), np.nan)
    for f, name in enumerate(factor_names):
        if name in cols:
            for n, i in enumerate(rows):
                number = as_number(cell(grid, i, cols[name]))
                scores[n, f] = np.nan if number is None else number
    outcome_values = None
    if outcome is not None and (col := c.find_columns(header, (outcome,)).get(outcome)) is not None:
        outcome_values = read_outcomes(grid, sheet, col, rows, errors)
    within = inputs.settings.tier_within
    group_col = c.find_columns(header, (within,)).get(within) if within else None
    return Quarter(
        quarter=quarter, sheet=sheet,
        ids=[as_text(cell(grid, i, key)) or "" for i in rows] if key is not None else [],
        names=[cell(grid, i, cols[c.PARTNER]) if c.PARTNER in cols else None for i in rows],
        scores=scores, outcome=outcome_values,
        groups=[cell(grid, i, group_col) for i in rows] if group_col is not None else None,
        missing_factors=[name for name in factor_names if name not in cols],
    )


def current(
    inputs: Inputs, sheet: str, grid: Grid, outcome: str | None, errors: list[Problem]
) -> Quarter:
    roster = inputs.roster
    header = list(grid[0]) if grid else []
    key = c.find_columns(header, (c.PARTNER_ID,))[c.PARTNER_ID]
    rows = [i for i in range(1, len(grid)) if as_text(cell(grid, i, key))]
    outcome_values = None
    if outcome is not None:
        col = c.find_columns(header, (outcome,))[outcome]
        by_id = dict(zip((as_text(cell(grid, i, key)) for i in rows),
                         read_outcomes(grid, sheet, col, rows, errors), strict=True))
        outcome_values = np.asarray([by_id.get(pid, np.nan) for pid in roster.ids], dtype=float)
    return Quarter(
        quarter=inputs.settings.quarter, sheet=sheet, ids=list(roster.ids), names=list(roster.names),
        scores=roster.scores.copy(), outcome=outcome_values, groups=roster.groups,
        missing_factors=[],
    )
