"""Collect partner managers' returns into the master: the Distribute moment.

The lead sends the template to partner managers, who fill in factor scores for their partners on
the Roster; `collect_returns` takes every non-blank factor score of a partner the master knows and
writes it into the master's Roster. Everything is checked before anything is written: a score
outside the scale, two returns disagreeing about one cell, or a return without a Roster stops the
whole collection with every problem listed, and the master stays as it was. Only factor-score cells
of the master's Roster are ever written.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .adapters.atomic import workbook_lock
from .adapters.files import FileWorkbook, refuse_if_open
from .ooxml.identify import identify
from .problems import Code, InputErrors, Problem, UnreadableWorkbook, describe
from .workbook import contract as c
from .workbook.cells import Grid, as_number, as_text, cell, is_blank, is_formula
from .workbook.ops import Plan, WriteBlock
from .workbook.parse import EPSILON, Collector, find_sheet, header_columns, keyed_rows, number_in

__all__ = ["Change", "CollectOutcome", "ReturnSummary", "collect_returns",
           "print_outcome"]


@dataclass(frozen=True)
class Change:
    """One master cell that gets a new value."""

    cell: str
    """The master cell, e.g. `Roster!E9`."""
    row: int
    col: int
    """1-based, as Excel counts."""
    partner_id: str
    factor: str
    old: object
    new: float | int
    source: str
    """The return cell the value came from, e.g. `maya.xlsx Roster!F17`."""


@dataclass(frozen=True)
class ReturnSummary:
    path: Path
    name: str
    partners: int
    """Rows whose Partner ID the master has."""
    scores: int
    """Non-blank factor scores taken from those rows."""
    changed: int
    """Master cells this return changes (a cell two returns agree on counts for the first)."""
    unknown: int
    """Rows whose Partner ID the master does not have."""


@dataclass
class CollectOutcome:
    master: Path
    changes: list[Change]
    returns: list[ReturnSummary]
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False
    """True when the master was saved (not a dry run and something changed)."""
    sheet: str = c.ROSTER
    """The master's Roster sheet as the workbook spells it."""

    @property
    def plan(self) -> Plan:
        """The writes: one WriteBlock per changed cell, nothing else."""
        return _plan(self.changes, self.sheet)


class _Out(Collector):
    """A Collector whose every problem names its file first: `maya.xlsx Roster!F17`."""

    def __init__(self, prefix: str, into: Collector) -> None:
        super().__init__()
        self.prefix = prefix
        self.errors = into.errors
        self.warnings = into.warnings

    def _where(self, where: str) -> str:
        return f"{self.prefix} {where}" if where else self.prefix

    def error(self, code: Code, where: str, message: str) -> None:
        self.errors.append(Problem(code, self._where(where), message))

    def warn(self, code: Code, where: str, message: str) -> None:
        self.warnings.append(Problem(code, self._where(where), message))


@dataclass
class _Master:
    sheet: str
    grid: Grid
    factors: list[str]
    factor_cols: list[int]
    """0-based master Roster column of each factor."""
    rows: dict[str, int]
    """Partner ID -> 0-based grid row."""
    low: float
    high: float


@dataclass
class _Taken:
    value: float | int
    source: str


# --- reading ---------------------------------------------------------------------------------


def _open(path: Path, out: _Out, *, master: bool = False) -> FileWorkbook | None:
    """A return that is no workbook is listed with the other problems; a master that is none is
    refused at once, in one line."""
    try:
        identify(path)
        return FileWorkbook(path)
    except UnreadableWorkbook as unreadable:
        if master:
            raise
        out.error(unreadable.codes[0], "", unreadable.problems[0].message)
        return None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        out.error(Code.UNREADABLE, "", f"cannot be read as an Excel workbook (.xlsx or "
                  f".xlsm): {error}; expected a workbook saved from Excel or the template")
        return None


def _grid(book: FileWorkbook, sheet: str, cols: Sequence[int] | None = None) -> Grid:
    """The sheet's values as typed; where a formula stands in a column read, its saved value."""
    grid = book.read_grid(sheet)
    formulas = any(is_formula(v) for line in grid for i, v in enumerate(line)
                   if cols is None or i in cols)
    return book.read_values(sheet) if formulas else grid


def _read_scale(book: FileWorkbook, out: _Out) -> tuple[float, float] | None:
    sheet = find_sheet(book.sheet_names(), c.SETTINGS)
    values: dict[str, float] = {c.SCALE_MIN: c.DEFAULT_SCALE_MIN, c.SCALE_MAX: c.DEFAULT_SCALE_MAX}
    where: dict[str, str] = {}
    ok = True
    if sheet is not None:
        grid = _grid(book, sheet, (0, 1))
        for i in range(1, len(grid)):
            key = c.normalize_header(cell(grid, i, 0))
            for name in (c.SCALE_MIN, c.SCALE_MAX):
                if key == c.normalize_header(name) and name not in where:
                    where[name] = c.cell_ref(c.SETTINGS, i + 1, 2)
                    raw = cell(grid, i, 1)
                    if is_blank(raw):
                        continue
                    number = number_in(raw, where[name], out, accepted="a number, e.g. 1 or 5")
                    if number is None:
                        ok = False
                    else:
                        values[name] = number
    low, high = values[c.SCALE_MIN], values[c.SCALE_MAX]
    if ok and high <= low:
        out.error(Code.SCALE_ORDER, where.get(c.SCALE_MAX, f"{c.SETTINGS}!A:B"),
                  f"Scale max {high:g} is not greater than Scale min {low:g}; "
                  "expected Scale max > Scale min")
        ok = False
    return (low, high) if ok else None


def _read_factor_names(book: FileWorkbook, out: _Out) -> list[str]:
    sheet = find_sheet(book.sheet_names(), c.FACTORS)
    if sheet is None:
        out.error(Code.MISSING_SHEET, f"{c.FACTORS}!A1",
                  f"no sheet named {c.FACTORS!r}; expected the master's factors there")
        return []
    grid = book.read_grid(sheet)
    cols = header_columns(grid, c.FACTORS, (c.FACTOR,), (), out)
    if cols is None:
        return []
    key = cols[c.FACTOR]
    names: dict[str, str] = {}
    for i in keyed_rows(grid, c.FACTORS, key, [key], c.FACTOR, out):
        name = as_text(cell(grid, i, key))
        assert name is not None
        names.setdefault(c.normalize_header(name), name)
    if not names:
        out.error(Code.NO_FACTORS, c.cell_ref(c.FACTORS, 2, key + 1),
                  "no factors; expected the factor names the Roster's score columns carry")
    return list(names.values())


def _read_master(book: FileWorkbook, out: _Out) -> _Master | None:
    scale = _read_scale(book, out)
    factors = _read_factor_names(book, out)
    sheet = find_sheet(book.sheet_names(), c.ROSTER)
    if sheet is None:
        out.error(Code.MISSING_SHEET, f"{c.ROSTER}!A1",
                  f"no sheet named {c.ROSTER!r}; expected the master's partners there")
        return None
    grid = book.read_grid(sheet)
    cols = header_columns(grid, c.ROSTER, (c.PARTNER_ID,), (), out)
    if cols is None:
        return None
    header = list(grid[0])
    found = c.find_columns(header, factors)
    for name in factors:
        if name not in found:
            out.error(Code.FACTOR_NOT_IN_ROSTER, c.row_ref(c.ROSTER, 1),
                      f"factor {name!r} has no Roster column; expected a Roster header {name!r}")
    key = cols[c.PARTNER_ID]
    ids = _grid(book, sheet, (key,)) if any(is_formula(cell(grid, i, key))
                                           for i in range(len(grid))) else grid
    rows: dict[str, int] = {}
    for i in keyed_rows(ids, c.ROSTER, key, [key], c.PARTNER_ID, out):
        text = as_text(cell(ids, i, key))
        assert text is not None
        if text in rows:
            out.error(Code.DUPLICATE_KEY, c.cell_ref(c.ROSTER, i + 1, key + 1),
                      f"Partner ID {describe(cell(ids, i, key))} appears again (first at "
                      f"{c.cell_ref(c.ROSTER, rows[text] + 1, key + 1)}); expected each Partner "
                      "ID once, so a return's scores have one row to go to")
        else:
            rows[text] = i
    if scale is None or len(found) < len(factors) or not factors:
        return None
    return _Master(sheet, grid, factors, [found[f] for f in factors], rows, *scale)


def _read_return(
    path: Path, name: str, master: _Master, taken: dict[tuple[int, int], _Taken],
    changes: dict[tuple[int, int], Change], out: _Out,
) -> ReturnSummary | None:
    """Validate one return, recording the values it gives in `taken` and the cells it changes."""
    book = _open(path, out)
    if book is None:
        return None
    try:
        sheet = find_sheet(book.sheet_names(), c.ROSTER)
        if sheet is None:
            out.error(Code.MISSING_SHEET, f"{c.ROSTER}!A1",
                      f"no sheet named {c.ROSTER!r}; expected the partners and their factor "
                      "scores on a Roster sheet, as in the template")
            return None
        raw = book.read_grid(sheet)
        cols = header_columns(raw, c.ROSTER, (c.PARTNER_ID,), tuple(master.factors), out)
        if cols is None:
            return None
        key = cols[c.PARTNER_ID]
        factor_cols = {f: cols[f] for f in master.factors if f in cols}
        read = [key, *factor_cols.values()]
        values = book.read_values(sheet) if any(
            is_formula(cell(raw, i, j)) for i in range(1, len(raw)) for j in read) else raw
    finally:
        book.close()

    accepted = f"a number from {master.low:g} to {master.high:g}"
    partners = scores = changed = 0
    unknown: list[tuple[str, str]] = []
    for i in keyed_rows(values, c.ROSTER, key, read, c.PARTNER_ID, out):
        row = i + 1
        pid = as_text(cell(values, i, key))
        assert pid is not None
        master_row = master.rows.get(pid)
        if master_row is None:
            unknown.append((pid, c.cell_ref(c.ROSTER, row, key + 1)))
            continue
        partners += 1
        for factor, col in factor_cols.items():
            where = c.cell_ref(c.ROSTER, row, col + 1)
            value = cell(values, i, col)
            if is_formula(cell(raw, i, col)) and value is None:
                out.error(Code.FORMULA_ERROR, where,
                          f"the formula {cell(raw, i, col)} has no saved value; expected "
                          f"{accepted}: type the score, or open and save the file in Excel")
                continue
            if is_blank(value):
                continue
            number = as_number(value)
            if number is None:
                out.error(Code.NOT_A_NUMBER, where,
                          f"{describe(value)} is not a number; expected {accepted}")
                continue
            if not master.low - EPSILON <= number <= master.high + EPSILON:
                out.error(Code.OUT_OF_RANGE, where,
                          f"{describe(value)} is outside the scale; expected {accepted}")
                continue
            scores += 1
            new: float | int = int(number) if isinstance(value, int) else number
            source = f"{name} {where}"
            target = (master_row + 1, master.factor_cols[master.factors.index(factor)] + 1)
            first = taken.get(target)
            if first is not None:
                if abs(first.value - number) > EPSILON:
                    out.error(Code.CONFLICT, where,
                              f"{describe(value)} for partner {pid!r}, {factor!r} differs from "
                              f"{describe(first.value)} at {first.source}; expected the returns "
                              "to agree: correct one of them, or clear the score in one")
                continue
            taken[target] = _Taken(new, source)
            old = cell(master.grid, master_row, target[1] - 1)
            old_number = as_number(old)
            if old_number is not None and abs(old_number - number) <= EPSILON:
                continue
            changed += 1
            changes[target] = Change(
                cell=c.cell_ref(master.sheet, *target), row=target[0], col=target[1],
                partner_id=pid, factor=factor, old=old, new=new, source=source,
            )
    if unknown:
        shown = ", ".join(repr(pid) for pid, _ in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        noun = "Partner ID" if len(unknown) == 1 else f"{len(unknown)} Partner IDs"
        out.warn(Code.UNKNOWN_PARTNER, unknown[0][1],
                 f"{noun} the master does not have, not added: {shown}{more}; add the partners "
                 "to the master's Roster first to collect their scores")
    if not changed:
        if not factor_cols:
            why = ("its Roster has none of the factor columns: "
                   + ", ".join(master.factors))
        elif not scores:
            why = "it holds no factor scores for partners in the master"
        else:
            why = f"its {scores} score(s) equal the master's, or another return's"
        out.warn(Code.NO_CHANGE, "", f"changes nothing: {why}")
    return ReturnSummary(path, name, partners, scores, changed, len(unknown))


def _names(paths: Sequence[Path]) -> list[str]:
    """Each return's name in messages: its file name, or its path when two share a name."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.name] = counts.get(p.name, 0) + 1
    return [p.name if counts[p.name] == 1 else str(p) for p in paths]


def _plan(changes: Sequence[Change], sheet: str) -> Plan:
    return [WriteBlock(sheet, ch.row, ch.col, ((ch.new,),)) for ch in changes]


# --- the whole collection --------------------------------------------------------------------


def collect_returns(
    master: Path | str, returns: Sequence[Path | str], *, dry_run: bool = False
) -> CollectOutcome:
    """Write every factor score the returns give into the master's Roster, atomically.

    Raises InputErrors (master untouched) listing every problem in the master or the returns, or
    WorkbookBusy when Excel has the master open. With `dry_run`, works out the changes and writes
    nothing.
    """
    master = Path(master)
    if dry_run:
        return _collect(master, returns, dry_run)
    refuse_if_open(master)
    with workbook_lock(master):  # held from reading to saving: no other run's update is lost
        return _collect(master, returns, dry_run)


def _collect(master: Path, returns: Sequence[Path | str], dry_run: bool) -> CollectOutcome:
    found = Collector()
    book = _open(master, _Out(master.name, found), master=True)
    if book is None:
        raise InputErrors(found.errors, str(master))
    try:
        parsed = _read_master(book, _Out(master.name, found))
        if parsed is None:
            raise InputErrors(found.errors, str(master))

        unique: list[Path] = []
        seen: dict[str, Path] = {}
        for given in map(Path, returns):
            resolved = os.path.realpath(given)
            if resolved == os.path.realpath(master):
                _Out(given.name, found).warn(Code.SAME_FILE, "",
                                             "is the master itself; skipped")
            elif resolved in seen:
                _Out(given.name, found).warn(Code.SAME_FILE, "",
                                             f"is given twice (as {seen[resolved]}); read once")
            else:
                seen[resolved] = given
                unique.append(given)

        taken: dict[tuple[int, int], _Taken] = {}
        changes: dict[tuple[int, int], Change] = {}
        summaries: list[ReturnSummary] = []
        for path, name in zip(unique, _names(unique), strict=True):
            summary = _read_return(path, name, parsed, taken, changes, _Out(name, found))
            if summary is not None:
                summaries.append(summary)
        if found.errors:
            raise InputErrors(found.errors, str(master))

        ordered = sorted(changes.values(), key=lambda ch: (ch.row, ch.col))
        outcome = CollectOutcome(master, ordered, summaries, found.warnings, dry_run,
                                 sheet=parsed.sheet)
        if ordered and not dry_run:
            book.apply(outcome.plan)
            book.save()
            outcome.written = True
        return outcome
    finally:
        book.close()


# --- what a person reads ---------------------------------------------------------------------


def _show(value: object) -> str:
    return "blank" if is_blank(value) else describe(value).strip("'")


def print_outcome(outcome: CollectOutcome, console: Console) -> None:
    """The change list, old → new and from where, then each return's count and the warnings."""
    name = outcome.master.name
    count = len(outcome.changes)
    cells = "cell" if count == 1 else "cells"
    if outcome.dry_run:
        title = f"{name}: dry run, {count} {cells} would change; nothing was written"
    elif outcome.written:
        title = f"{name}: {count} {cells} changed"
    else:
        title = f"{name}: nothing to change; the file was not written"
    if outcome.changes:
        table = Table(title=title, title_justify="left")
        for header, justify in (("Cell", "left"), ("Partner ID", "left"), ("Factor", "left"),
                                ("Old", "right"), ("New", "right"), ("From", "left")):
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        for ch in outcome.changes:
            table.add_row(escape(ch.cell), escape(ch.partner_id), escape(ch.factor),
                          escape(_show(ch.old)), escape(_show(ch.new)), escape(ch.source))
        console.print(table)
    else:
        console.print(title, highlight=False)
    for summary in outcome.returns:
        line = (f"  {summary.name}: {summary.partners} partner(s), {summary.scores} score(s), "
                f"{summary.changed} change(s)")
        if summary.unknown:
            line += f", {summary.unknown} unknown Partner ID(s) skipped"
        console.print(escape(line), highlight=False)
    if outcome.warnings:
        console.print(f"[yellow]{len(outcome.warnings)} warning(s):[/yellow]")
        for warning in outcome.warnings:
            console.print(f"  {escape(str(warning))}", highlight=False)
