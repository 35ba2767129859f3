"""`xl-prioritize audit`: is what the workbook shows what a re-score wrote, and still true?

Read-only. Every finding names its cell: Score cells that are not the formula a re-score writes,
Rank / Tier / Service level / Assigned to that differ from what the current inputs give, Scores
that changed since the tiers were cut (stale), archives and Log rows that no longer match the
fingerprints recorded when they were written, Log rows out of order.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np

from .core.compute import compute
from .model import Results
from .problems import describe
from .workbook import contract as c
from .workbook import integrity
from .workbook.cells import Formula, Grid, as_number, as_text, cell, is_blank, last_filled_row
from .workbook.columns import get_column_letter
from .workbook.formulas import score_formula, weight_names
from .workbook.parse import Parsed, find_sheet
from .workbook.plan import fingerprint
from .workbook.staleness import TOLERANCE


class Finding(StrEnum):
    SCORE_NOT_FORMULA = "score-not-formula"
    """A Score cell holds a value, not the formula (typed over)."""
    SCORE_FORMULA_EDITED = "score-formula-edited"
    """A Score cell holds another formula than the one a re-score writes."""
    OUTPUT_DIFFERS = "output-differs"
    """Rank, Tier, Service level or Assigned to is not what the current inputs give."""
    STALE_SCORE = "stale-score"
    """The live Score differs from the Score the tiers were cut on."""
    ARCHIVE_CHANGED = "archive-changed"
    LOG_EDITED = "log-edited"
    LOG_OUT_OF_ORDER = "log-out-of-order"


@dataclass(frozen=True)
class Item:
    code: Finding
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Report:
    findings: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """What could not be checked, and why (no fingerprint recorded, never re-scored)."""
    partners: int = 0

    @property
    def codes(self) -> list[Finding]:
        return [f.code for f in self.findings]

    def add(self, code: Finding, where: str, message: str) -> None:
        self.findings.append(Item(code, where, message))


CHECKED_OUTPUTS = (c.RANK, c.TIER_OUT, c.SERVICE_LEVEL, c.ASSIGNED_TO)


def formula_key(text: str) -> str:
    """Formula text as compared: no spaces, no `_xlfn.` prefixes, one case."""
    return re.sub(r"\s+", "", text.lstrip("=")).replace("_xlfn.", "").casefold()


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def check_scores(parsed: Parsed, grid: Grid, report: Report) -> None:
    roster = parsed.layout.roster
    sheet = parsed.layout.sheets[c.ROSTER]
    col = roster.output_columns[c.SCORE]
    names = weight_names([f.name for f in parsed.inputs.factors])
    factor_cols = [k + 1 for k in roster.factor_columns]
    policy = parsed.inputs.settings.missing_scores
    for row in roster.rows:
        value = cell(grid, row - 1, col)
        where = c.cell_ref(sheet, row, col + 1)
        expected = score_formula(row, factor_cols, names, policy)
        if not isinstance(value, Formula):
            report.add(Finding.SCORE_NOT_FORMULA, where,
                       f"holds {describe(value)}, not a formula; a re-score writes {expected}")
        elif formula_key(value.text) != formula_key(expected):
            report.add(Finding.SCORE_FORMULA_EDITED, where,
                       f"holds {value.text}; a re-score writes {expected}")


def _shown(name: str, value: object) -> object:
    if name == c.RANK:
        number = as_number(value)
        return int(number) if number is not None and number.is_integer() else as_text(value)
    text = as_text(value)
    return c.normalize_header(text) if text is not None else None


def tiered_scores(parsed: Parsed, grid: Grid) -> np.ndarray | None:
    """The Scores the tiers were last cut on (the hidden column), NaN where unscored."""
    roster = parsed.layout.roster
    col = c.find_columns(roster.header, (c.TIERED_ON,)).get(c.TIERED_ON)
    if col is None:
        return None
    values = [as_number(cell(grid, row - 1, col)) for row in roster.rows]
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def check_outputs(parsed: Parsed, grid: Grid, results: Results, inputs_changed: bool,
                  report: Report) -> int:
    """Outputs against what the current inputs give for the Scores the tiers were cut on, so a
    hand edit is told apart from an output a changed factor score or weight outdated (the stale
    finding covers those). Returns how many output cells those changed scores outdate."""
    roster = parsed.layout.roster
    sheet = parsed.layout.sheets[c.ROSTER]
    want = outputs_of(results)
    why = (" (edited, or an input changed since the last re-score: re-score to update)"
           if inputs_changed else ": edited after the re-score")
    then = want
    tiered = tiered_scores(parsed, grid)
    if tiered is not None:
        then = outputs_of(compute(parsed.inputs, tiered))
    outdated = 0
    for name in CHECKED_OUTPUTS:
        col = roster.output_columns.get(name)
        if col is None:
            continue
        for i, row in enumerate(roster.rows):
            got = _shown(name, cell(grid, row - 1, col))
            if got != _shown(name, then[name][i]):
                report.add(Finding.OUTPUT_DIFFERS, c.cell_ref(sheet, row, col + 1),
                           f"{name} is {describe(cell(grid, row - 1, col))}; the current inputs "
                           f"give {describe(then[name][i])}{why}")
            elif got != _shown(name, want[name][i]):
                outdated += 1
    return outdated


def outputs_of(results: Results) -> dict[str, list[object]]:
    return {
        c.RANK: [int(r) if r > 0 else None for r in results.rank],
        c.TIER_OUT: list(results.tier),
        c.SERVICE_LEVEL: list(results.service_level),
        c.ASSIGNED_TO: list(results.capacity.assigned_to),
    }


def check_stale(parsed: Parsed, grid: Grid, results: Results, report: Report) -> None:
    roster = parsed.layout.roster
    sheet = parsed.layout.sheets[c.ROSTER]
    found = c.find_columns(roster.header, (c.TIERED_ON,))
    if c.TIERED_ON not in found:
        report.notes.append(f"No {c.TIERED_ON!r} column on the Roster (re-scored by an older "
                            "version): stale scores cannot be told; re-score to start tracking.")
        return
    tiered, score_col = found[c.TIERED_ON], roster.output_columns[c.SCORE]
    for i, row in enumerate(roster.rows):
        then = as_number(cell(grid, row - 1, tiered))
        now = _number(results.score[i])
        if then is None and now is None:
            continue
        if then is not None and now is not None and abs(then - now) <= TOLERANCE:
            continue
        report.add(Finding.STALE_SCORE, c.cell_ref(sheet, row, score_col + 1),
                   f"Score is now {_fmt(now)}; the tiers were cut on {_fmt(then)} "
                   f"({c.cell_ref(sheet, row, tiered + 1)}): re-score to re-cut them")


def _fmt(value: float | None) -> str:
    return "blank (unscored)" if value is None else f"{value:.4g}"


def _range(sheet: str, rows: int, cols: int) -> str:
    return f"{c.quote_sheet(sheet)}!A1:{get_column_letter(max(cols, 1))}{max(rows, 1)}"


def check_archives(names: dict[str, str | None], sheets: dict[str, Grid], report: Report) -> None:
    for sheet, grid in sheets.items():
        want = integrity.recorded(names.get(integrity.archive_name(sheet)))
        if want is None:
            report.notes.append(f"{sheet!r} has no fingerprint recorded (archived before audits "
                                "existed): its content cannot be checked.")
            continue
        if integrity.grid_fingerprint(grid) != want:
            width = max((len(r) for r in grid), default=0)
            report.add(Finding.ARCHIVE_CHANGED, _range(sheet, len(grid), width),
                       "the archive's content differs from what the re-score archived "
                       "(an archive is never edited)")


def check_log(names: dict[str, str | None], sheet: str, grid: Grid, report: Report) -> None:
    if not grid:
        return
    cols = c.find_columns(grid[0], c.LOG_HEADERS)
    last = last_filled_row(grid)
    recorded = integrity.log_rows(names)
    first = min(recorded, default=None)
    width = get_column_letter(max(len(grid[0]), 1))
    previous_at: tuple[int, dt.datetime] | None = None
    previous_quarter: tuple[int, str] | None = None
    for row in range(2, max(last + 1, max(recorded, default=1)) + 1):
        line = grid[row - 1] if row - 1 < len(grid) else []
        values = {name: cell([line], 0, col) for name, col in cols.items()}
        where = f"{c.quote_sheet(sheet)}!A{row}:{width}{row}"
        blank = all(is_blank(v) for v in line)
        if row in recorded:
            if blank:
                report.add(Finding.LOG_EDITED, where, "a Log row written by a re-score was "
                           "deleted (Log rows are appended, never rewritten)")
            elif integrity.log_row_fingerprint(values) != recorded[row]:
                report.add(Finding.LOG_EDITED, where, "this Log row differs from what the "
                           "re-score wrote (Log rows are appended, never rewritten)")
        elif not blank and first is not None and row > first:
            report.add(Finding.LOG_EDITED, where, "this Log row was not written by a re-score")
        if blank:
            continue
        at = values.get(c.LOG_HEADERS[0])
        if isinstance(at, dt.datetime):
            if previous_at is not None and at < previous_at[1]:
                report.add(Finding.LOG_OUT_OF_ORDER, c.cell_ref(sheet, row, cols["Run at"] + 1),
                           f"Run at {at:%Y-%m-%d %H:%M:%S} is earlier than row "
                           f"{previous_at[0]}'s {previous_at[1]:%Y-%m-%d %H:%M:%S}")
            previous_at = (row, at)
        quarter = as_text(values.get(c.LOG_HEADERS[1]))
        if quarter is not None and c.QUARTER_PATTERN.match(quarter):
            if previous_quarter is not None and \
                    c.quarter_key(quarter) < c.quarter_key(previous_quarter[1]):
                report.add(Finding.LOG_OUT_OF_ORDER,
                           c.cell_ref(sheet, row, cols["Quarter"] + 1),
                           f"Quarter {quarter} comes after row {previous_quarter[0]}'s "
                           f"{previous_quarter[1]}; quarters only move forward")
            previous_quarter = (row, quarter)
    if first is not None and first > 2:
        report.notes.append(f"Log rows 2 to {first - 1} were written before audits existed: "
                            "they cannot be checked.")


def last_fingerprint(grid: Grid) -> str | None:
    if not grid:
        return None
    col = c.find_columns(grid[0], (c.LOG_HEADERS[-1],)).get(c.LOG_HEADERS[-1])
    if col is None:
        return None
    for r in range(last_filled_row(grid), 0, -1):
        text = as_text(cell(grid, r, col))
        if text is not None:
            return text
    return None


def audit_file(path: Path | str) -> Report:
    """Audit a workbook file; raises InputErrors when its inputs cannot be read as the contract
    says, and whatever openpyxl raises for a file that is not a workbook."""
    from .adapters.files import FileWorkbook
    from .ooxml.identify import identify
    from .rescore import read_workbook

    identify(Path(path))
    book = FileWorkbook(Path(path))
    try:
        parsed, grid = read_workbook(book)
        names = {n: d.attr_text for n, d in book.book.defined_names.items()}
        sheets = book.sheet_names()
        archives = {n: book.read_grid(n) for n in sheets if c.quarter_of_archive(n)}
        log_sheet = find_sheet(sheets, c.LOG)
        log = book.read_grid(log_sheet) if log_sheet else []
    finally:
        book.close()
    report = Report(partners=len(parsed.inputs.roster))
    if c.SCORE not in parsed.layout.roster.output_columns:
        report.notes.append("The Roster has no Score column: it was never re-scored, so there is "
                            "nothing to audit yet.")
        return report
    results = compute(parsed.inputs)
    recorded = last_fingerprint(log)
    changed = recorded is not None and recorded != fingerprint(parsed.inputs)
    if changed:
        report.notes.append("The inputs differ from those of the last re-score (the Log's "
                            "Input fingerprint): re-score to bring the outputs up to date.")
    check_scores(parsed, grid, report)
    outdated = check_outputs(parsed, grid, results, changed, report)
    if outdated:
        report.notes.append(f"{outdated} Rank, Tier, Service level or Assigned to cells will "
                            "change at the next re-score because of the stale scores.")
    check_stale(parsed, grid, results, report)
    check_archives(names, archives, report)
    if log_sheet:
        check_log(names, log_sheet, log, report)
    return report
