"""The master as `collect` reads it: scale, quarter, factors, tiers and the Roster's rows and columns.

Every problem names its file first (`partners.xlsx Roster!A6`), as the returns' problems do.
"""

from __future__ import annotations

import importlib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils.exceptions import InvalidFileException

from .adapters.base import WorkbookAdapter
from .adapters.files import FileWorkbook
from .ooxml.identify import identify
from .problems import Code, Problem, UnreadableWorkbook, describe
from .workbook import contract as c
from .workbook.cells import Grid, as_text, cell, is_blank, is_formula
from .workbook.parse import Collector, find_sheet, header_columns, keyed_rows, number_in
from .workbook.sent import SENT_SHEET, is_record, manager_copy_problem

__all__ = ["MASTER_ADAPTER", "MasterRoster", "Out", "close_book", "open_book", "read_master"]


class Out(Collector):
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

    def problem(self, problem: Problem) -> None:
        self.errors.append(Problem(problem.code, self._where(problem.where), problem.message))


@dataclass
class MasterRoster:
    name: str
    sheet: str
    grid: Grid
    factors: list[str]
    factor_cols: list[int]
    """0-based master Roster column of each factor."""
    rows: dict[str, int]
    """Partner ID -> 0-based grid row."""
    low: float
    high: float
    quarter: str | None = None
    tiers: list[str] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    """0-based column of Partner, Partner manager, Tier override, Override reason when present."""

    def text(self, row: int, column: str) -> str | None:
        col = self.columns.get(column)
        return None if col is None else as_text(cell(self.grid, row, col))


def master_adapter(path: Path) -> WorkbookAdapter:
    """What writes the master: the part writer (`adapters.package`, which rewrites only the parts
    it owns) where this install has it, else the openpyxl file adapter. Returns are only read."""
    try:
        package = importlib.import_module("xl_prioritize.adapters.package")
    except ModuleNotFoundError:
        return FileWorkbook(path)
    return package.PackageWorkbook(Path(path))  # type: ignore[no-any-return]


MASTER_ADAPTER: Callable[[Path], WorkbookAdapter] = master_adapter


def open_book(path: Path, out: Out, adapter: Callable[[Path], WorkbookAdapter] = FileWorkbook, *,
              master: bool = False) -> Any:
    """A return that is no workbook is listed with the other problems; a master that is none is
    refused at once, in one line (UnreadableWorkbook)."""
    try:
        identify(path)
        return adapter(path)
    except UnreadableWorkbook as unreadable:
        if master:
            raise
        out.error(unreadable.codes[0], "", unreadable.problems[0].message)
        return None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            SyntaxError) as error:  # SyntaxError: XML a part writer cannot parse
        out.error(Code.UNREADABLE, "", f"cannot be read as an Excel workbook (.xlsx or "
                  f".xlsm): {error}; expected a workbook saved from Excel or the template")
        return None


def close_book(book: object) -> None:
    close = getattr(book, "close", None)
    if close is not None:
        close()


def values_grid(book: WorkbookAdapter, sheet: str, cols: Sequence[int] | None = None) -> Grid:
    """The sheet's values as typed; where a formula stands in a column read, its saved value."""
    grid = book.read_grid(sheet)
    formulas = any(is_formula(v) for line in grid for i, v in enumerate(line)
                   if cols is None or i in cols)
    return book.read_values(sheet) if formulas else grid


def read_settings(book: WorkbookAdapter, out: Out) -> tuple[float, float, str | None] | None:
    """Scale min, Scale max and Quarter of the master."""
    sheet = find_sheet(book.sheet_names(), c.SETTINGS)
    values: dict[str, float] = {c.SCALE_MIN: c.DEFAULT_SCALE_MIN, c.SCALE_MAX: c.DEFAULT_SCALE_MAX}
    where: dict[str, str] = {}
    quarter: str | None = None
    ok = True
    if sheet is not None:
        grid = values_grid(book, sheet, (0, 1))
        for i in range(1, len(grid)):
            key = c.normalize_header(cell(grid, i, 0))
            if key == c.normalize_header(c.QUARTER) and quarter is None:
                quarter = as_text(cell(grid, i, 1))
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
    return (low, high, quarter) if ok else None


def read_factor_names(book: WorkbookAdapter, out: Out) -> list[str]:
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


def read_tier_names(book: WorkbookAdapter) -> list[str]:
    """The master's tier names; a re-score reports what is wrong with the Tiers sheet."""
    sheet = find_sheet(book.sheet_names(), c.TIERS)
    grid = book.read_grid(sheet) if sheet is not None else []
    col = c.find_columns(grid[0], (c.TIER,)).get(c.TIER) if grid else None
    if col is None:
        return []
    return [t for i in range(1, len(grid)) if (t := as_text(cell(grid, i, col))) is not None]


def read_master(book: WorkbookAdapter, name: str, out: Out) -> MasterRoster | None:
    names = book.sheet_names()
    copy_sheet = find_sheet(names, SENT_SHEET)
    if copy_sheet is not None and is_record(record := book.read_grid(copy_sheet)):
        out.problem(manager_copy_problem(record, copy_sheet))
        return None
    settings = read_settings(book, out)
    factors = read_factor_names(book, out)
    sheet = find_sheet(names, c.ROSTER)
    if sheet is None:
        out.error(Code.MISSING_SHEET, f"{c.ROSTER}!A1",
                  f"no sheet named {c.ROSTER!r}; expected the master's partners there")
        return None
    grid = book.read_grid(sheet)
    cols = header_columns(grid, c.ROSTER, (c.PARTNER_ID,),
                          (c.PARTNER, c.PARTNER_MANAGER, c.TIER_OVERRIDE, c.OVERRIDE_REASON), out)
    if cols is None:
        return None
    header = list(grid[0])
    found = c.find_columns(header, factors)
    for factor in factors:
        if factor not in found:
            out.error(Code.FACTOR_NOT_IN_ROSTER, c.row_ref(c.ROSTER, 1),
                      f"factor {factor!r} has no Roster column; expected a Roster header {factor!r}")
    key = cols[c.PARTNER_ID]
    if any(is_formula(v) for line in grid for v in line):
        grid = book.read_values(sheet)
    rows: dict[str, int] = {}
    for i in keyed_rows(grid, c.ROSTER, key, [key], c.PARTNER_ID, out):
        text = as_text(cell(grid, i, key))
        assert text is not None
        if text in rows:
            out.error(Code.DUPLICATE_KEY, c.cell_ref(c.ROSTER, i + 1, key + 1),
                      f"Partner ID {describe(cell(grid, i, key))} appears again (first at "
                      f"{c.cell_ref(c.ROSTER, rows[text] + 1, key + 1)}); expected each Partner "
                      "ID once, so a return's scores have one row to go to")
        else:
            rows[text] = i
    if settings is None or len(found) < len(factors) or not factors:
        return None
    low, high, quarter = settings
    return MasterRoster(name, sheet, grid, factors, [found[f] for f in factors], rows, low, high,
                   quarter, read_tier_names(book), cols)
