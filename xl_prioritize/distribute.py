"""Send each partner manager a workbook to score in: the send-out half of the Distribute moment.

`distribute` reads the master through the same parse a re-score uses (so a faulty master gets the
same errors, each naming its cell, and nothing is written), then writes one workbook per Partner
manager with the template writer: the master's Settings, Factors (with descriptions and scoring
guides when the master has them), Tiers and Team, and a Roster of only that manager's partners with
their current factor scores, so the manager edits rather than retypes. No output values are sent.
Partners with a blank Partner manager go to one `<master> - unassigned.xlsx`. The returned files
go back into the master with `collect_returns`. The master itself is only read.

Blank factor scores are what a distribution is for, so a master whose only errors are blank scores
under `Missing scores: error` is distributed all the same; every other error stops it.

Each copy remembers what it was sent with (`workbook/sent.py`, a hidden protected sheet): the
master's Quarter and file name, when it was made, every factor score and Tier override sent, and a
fingerprint of them. `collect` merges against it three ways; a re-score of a copy is refused. Its
Start sheet says whose copy it is, for which quarter, what to fill in, by when and how to return it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .adapters.files import FileWorkbook
from .copy_sheets import record_writer, start_writer
from .core.tiers import percent_share
from .model import Inputs
from .ooxml.identify import identify
from .problems import Code, InputErrors, Problem
from .rescore import read_workbook
from .template import FactorSpec, MemberSpec, TierSpec, WorkbookContent, write_workbook
from .untrusted import console_text
from .workbook import contract as c
from .workbook.cells import Grid, as_number, as_text, cell, is_blank, is_formula
from .workbook.ops import Plan
from .workbook.parse import Parsed, find_sheet
from .workbook.sent import SENT_SHEET, SentRecord, SentRow, fingerprint, read_record

__all__ = ["UNASSIGNED_FILE", "CopyStatus", "Distributed", "distribute", "distribution_status",
           "file_name", "print_distributed", "print_status", "sent_record"]

UNASSIGNED_FILE = "unassigned"
"""The file-name part for partners with a blank Partner manager."""

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')
_RESERVED_STEMS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                   *(f"lpt{i}" for i in range(1, 10))}


@dataclass(frozen=True)
class Distributed:
    """One workbook written for one partner manager."""

    manager: str | None
    """As the master's Roster spells it; None for partners with a blank Partner manager."""
    path: Path
    partners: int


# --- file names ------------------------------------------------------------------------------


def _safe(text: str) -> str:
    """`text` usable in a file name on Windows, macOS and Linux."""
    safe = _UNSAFE.sub("_", text).strip().rstrip(". ")
    return safe or "_"


def file_name(master_stem: str, manager: str | None) -> str:
    """`<master stem> - <manager>.xlsx`, file-name-safe; `… - unassigned.xlsx` for no manager."""
    name = f"{_safe(master_stem)} - {_safe(manager) if manager else UNASSIGNED_FILE}"
    if name.split(".")[0].casefold() in _RESERVED_STEMS:
        name = f"_{name}"
    return f"{name}.xlsx"


def _unique_names(stem: str, managers: Sequence[str | None]) -> list[str]:
    """One file name per manager; names that would collide (case-insensitively) get ` (2)`…"""
    taken: set[str] = set()
    names: list[str] = []
    for manager in managers:
        base = file_name(stem, manager)[: -len(".xlsx")]
        name, n = f"{base}.xlsx", 2
        while name.casefold() in taken:
            name, n = f"{base} ({n}).xlsx", n + 1
        taken.add(name.casefold())
        names.append(name)
    return names


# --- reading the master ----------------------------------------------------------------------


class _Lenient:
    """The master seen with `Missing scores: exclude`, so blank scores are no error.

    Used only when blank scores under `error` are the master's only errors: every other setting
    and cell reads as it is.
    """

    def __init__(self, book: FileWorkbook) -> None:
        self.book = book

    def sheet_names(self) -> list[str]:
        return self.book.sheet_names()

    def _settings(self, sheet: str, grid: Grid) -> Grid:
        if sheet != find_sheet(self.sheet_names(), c.SETTINGS):
            return grid
        grid = [list(line) for line in grid]
        wanted = c.normalize_header(c.MISSING_SCORES)
        for line in grid[1:]:
            if line and c.normalize_header(line[0]) == wanted:
                line[1:2] = ["exclude"]
                return grid
        grid.append([c.MISSING_SCORES, "exclude"])
        return grid

    def read_grid(self, sheet: str) -> Grid:
        return self._settings(sheet, self.book.read_grid(sheet))

    def read_values(self, sheet: str) -> Grid:
        return self._settings(sheet, self.book.read_values(sheet))

    def apply(self, plan: Plan) -> None:  # pragma: no cover - distributing never writes
        raise RuntimeError("distributing never writes the master")


def _open(master: Path) -> FileWorkbook:
    identify(master)
    try:
        return FileWorkbook(master)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InputErrors([Problem(
            Code.UNREADABLE, master.name,
            f"cannot be read as an Excel workbook (.xlsx or .xlsm): {error}; expected a "
            "workbook saved from Excel or the template")], str(master)) from error


def _parse(book: FileWorkbook) -> tuple[Parsed, Grid]:
    try:
        return read_workbook(book)
    except InputErrors as error:
        if not error.problems or any(p.code != Code.MISSING_SCORE for p in error.problems):
            raise
    parsed, grid = read_workbook(_Lenient(book))
    parsed.inputs.settings = replace(parsed.inputs.settings, missing_scores="error")
    return parsed, grid


def _factor_texts(book: FileWorkbook) -> dict[str, tuple[str, str]]:
    """Normalized factor name -> (Description, Scoring guide) as the master's Factors hold them."""
    sheet = find_sheet(book.sheet_names(), c.FACTORS)
    grid = book.read_grid(sheet) if sheet is not None else []
    if any(is_formula(v) for line in grid for v in line):
        grid = book.read_values(sheet)  # type: ignore[arg-type]
    if not grid:
        return {}
    cols = c.find_columns(grid[0], (c.FACTOR, c.DESCRIPTION, c.SCORING_GUIDE))
    key = cols.get(c.FACTOR)
    if key is None:
        return {}
    texts: dict[str, tuple[str, str]] = {}
    for i in range(1, len(grid)):
        name = c.normalize_header(cell(grid, i, key))
        if name and name not in texts:
            texts[name] = tuple(  # type: ignore[assignment]
                as_text(cell(grid, i, cols[h])) or "" if h in cols else ""
                for h in (c.DESCRIPTION, c.SCORING_GUIDE))
    return texts


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _content(inputs: Inputs, texts: dict[str, tuple[str, str]]) -> WorkbookContent:
    """Everything but the Roster, as the master has it."""
    s = inputs.settings
    within = s.tier_within
    if within is not None and c.normalize_header(within) not in {
            c.normalize_header(c.SEGMENT), c.normalize_header(c.PARTNER_MANAGER)}:
        within = None  # a column of the master's own that the sent Roster does not carry
    factors = tuple(FactorSpec(f.name, _number(f.weight),
                               *texts.get(c.normalize_header(f.name), ("", "")))
                    for f in inputs.factors)
    tiers = tuple(TierSpec(t.name,
                           None if t.size is None else _number(
                               percent_share(t.size) if s.tier_method == "percent" else t.size),
                           t.service_level, _number(t.hours),
                           _number(t.hours_per_tier) if t.hours_per_tier else None)
                  for t in inputs.tiers)
    team = tuple(MemberSpec(m.name, _number(m.hours), ", ".join(m.focus_tiers))
                 for m in inputs.team)
    return WorkbookContent(
        quarter=s.quarter, tier_method=s.tier_method, factors=factors, tiers=tiers, team=team,
        scale_min=_number(s.scale_min), scale_max=_number(s.scale_max),
        missing_scores=s.missing_scores, tier_buffer=_number(s.tier_buffer), tier_within=within,
    )


def _partners(parsed: Parsed, grid: Grid) -> list[tuple[str | None, dict[str, object]]]:
    """Each partner's manager and Roster inputs (ids, names, segment, manager, factor scores)."""
    roster, layout = parsed.inputs.roster, parsed.layout.roster
    segment_col = layout.columns.get(c.SEGMENT)
    id_values = roster.id_values or list(roster.ids)
    rows: list[tuple[str | None, dict[str, object]]] = []
    for n, sheet_row in enumerate(layout.rows):
        manager = roster.managers[n]
        partner: dict[str, object] = {
            c.PARTNER_ID: id_values[n],
            c.PARTNER: roster.names[n],
            c.SEGMENT: None if segment_col is None or is_blank(segment := cell(
                grid, sheet_row - 1, segment_col)) else segment,
            c.PARTNER_MANAGER: manager,
        }
        for j, factor in enumerate(parsed.inputs.factors):
            score = roster.scores[n, j]
            partner[factor.name] = None if score != score else _number(score)  # NaN: blank
        partner[c.TIER_OVERRIDE] = roster.overrides[n]
        partner[c.OVERRIDE_REASON] = roster.override_reasons[n]
        rows.append((manager, partner))
    return rows


# --- the whole distribution ------------------------------------------------------------------


def sent_record(master_name: str, quarter: str, manager: str | None, factors: Sequence[str],
                partners: Sequence[dict[str, object]], sent_at: str, due: str | None) -> SentRecord:
    """What one copy is sent with, fingerprinted."""
    names = tuple(factors)
    ids = tuple(p[c.PARTNER_ID] for p in partners)
    rows = {as_text(p[c.PARTNER_ID]) or "": SentRow(
        {c.normalize_header(f): p.get(f) for f in names},  # type: ignore[misc]
        as_text(p.get(c.TIER_OVERRIDE)), as_text(p.get(c.OVERRIDE_REASON))) for p in partners}
    return SentRecord(master_name, fingerprint(names, ids, rows), manager, quarter, sent_at, due,
                      names, ids, rows)


def distribute(master: Path | str, out_dir: Path | str | None = None, *,
               force: bool = False, due: dt.date | None = None,
               now: dt.datetime | None = None) -> list[Distributed]:
    """Write one workbook per Partner manager of `master` into `out_dir` (default: beside it).

    Each copy's Start sheet gives `due` as the date to return it by, and its record the time it
    was made (`now`, default the current time).

    Raises InputErrors (nothing written) when the master's inputs are wrong, FileExistsError
    (nothing written) when a file to write exists and `force` is not set. Managers come in the
    order their first partner stands in the Roster, the unassigned file last.
    """
    master = Path(master)
    out = Path(out_dir) if out_dir is not None else master.parent
    book = _open(master)
    try:
        parsed, grid = _parse(book)
        texts = _factor_texts(book)
    finally:
        book.close()

    groups: dict[str, tuple[str, list[dict[str, object]]]] = {}
    unassigned: list[dict[str, object]] = []
    for manager, partner in _partners(parsed, grid):
        if manager is None:
            unassigned.append(partner)
        else:
            groups.setdefault(c.normalize_header(manager), (manager, []))[1].append(partner)
    batches: list[tuple[str | None, list[dict[str, object]]]] = [*groups.values()]
    if unassigned:
        batches.append((None, unassigned))
    if not batches:
        return []

    names = _unique_names(master.stem, [manager for manager, _ in batches])
    targets = [out / name for name in names]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:5])
        more = f" and {len(existing) - 5} more" if len(existing) > 5 else ""
        verb = "exists" if len(existing) == 1 else "exist"
        raise FileExistsError(f"{shown}{more} already {verb}; nothing was written")
    if any(os.path.realpath(p) == os.path.realpath(master) for p in targets):
        raise FileExistsError(f"{master} would be overwritten; choose another OUTDIR")

    base = _content(parsed.inputs, texts)
    sent_at = (now or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    factor_names = [f.name for f in parsed.inputs.factors]
    out.mkdir(parents=True, exist_ok=True)
    written: list[Distributed] = []
    # Write every file beside its target first, then move them in: all or none.
    with tempfile.TemporaryDirectory(prefix=".~xlp-", dir=out) as temp:
        for (manager, partners), target in zip(batches, targets, strict=True):
            record = sent_record(master.name, parsed.inputs.settings.quarter, manager,
                                 factor_names, partners, sent_at,
                                 due.isoformat() if due else None)
            content = replace(base, partners=tuple(partners))
            write_workbook(Path(temp) / target.name, content,
                           start=start_writer(record, target.name),
                           extra=record_writer(record, content))
            written.append(Distributed(manager, target, len(partners)))
        for item in written:
            os.replace(Path(temp) / item.path.name, item.path)
    return written


# --- what a person reads ---------------------------------------------------------------------


def print_distributed(master: Path, written: Sequence[Distributed], console: Console) -> None:
    """One row per written file: manager, partners, file."""
    if not written:
        console.print(f"{escape(master.name)}: no partners on the Roster; nothing was written",
                      highlight=False)
        return
    total = sum(item.partners for item in written)
    table = Table(title=f"{master.name}: {total} partners sent out in {len(written)} workbook(s)",
                  title_justify="left")
    table.add_column("Manager")
    table.add_column("Partners", justify="right")
    table.add_column("File")
    for item in written:
        table.add_row(escape(item.manager) if item.manager else "[dim](unassigned)[/dim]",
                      str(item.partners), escape(str(item.path)))
    console.print(table)
    out_dir = written[0].path.parent
    console.print(escape(f"Which came back changed: xl-prioritize distribute {master} {out_dir} "
                         "--status"), highlight=False)
    console.print(escape(f"When they come back: xl-prioritize collect {master} <the returned "
                         "files> --dry-run"), highlight=False)


# --- what came back --------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyStatus:
    """One distributed copy found in OUTDIR, against what it was sent with."""

    path: Path
    manager: str | None
    quarter: str | None
    sent_at: str | None
    due: str | None
    changed: int
    """Factor-score, Tier override and Override reason cells that differ from what was sent."""
    problem: str | None = None
    """Why the copy could not be compared, e.g. its record was edited."""

    @property
    def differs(self) -> bool:
        return self.changed > 0


def _changed_cells(book: FileWorkbook, record: SentRecord) -> int:
    sheet = find_sheet(book.sheet_names(), c.ROSTER)
    grid = book.read_grid(sheet) if sheet is not None else []
    if any(is_formula(v) for line in grid for v in line):
        grid = book.read_values(sheet)  # type: ignore[arg-type]
    if not grid:
        return sum(1 for row in record.rows.values() for v in row.scores.values() if v is not None)
    cols = c.find_columns(grid[0], (c.PARTNER_ID, *record.factors, c.TIER_OVERRIDE,
                                    c.OVERRIDE_REASON))
    key = cols.get(c.PARTNER_ID)
    changed = 0
    for i in range(1, len(grid)):
        pid = as_text(cell(grid, i, key)) if key is not None else None
        sent = record.rows.get(pid or "")
        if sent is None:
            continue
        for factor in record.factors:
            col = cols.get(factor)
            now = None if col is None else cell(grid, i, col)
            was = sent.scores.get(c.normalize_header(factor))
            number = as_number(now)
            if (number is None) != (was is None) or (
                    number is not None and was is not None and abs(number - was) > 1e-9):
                changed += not (is_blank(now) and was is None)
        for name, was_text in ((c.TIER_OVERRIDE, sent.override), (c.OVERRIDE_REASON, sent.reason)):
            col = cols.get(name)
            now_text = None if col is None else as_text(cell(grid, i, col))
            changed += c.normalize_header(now_text or "") != c.normalize_header(was_text or "")
    return changed


def distribution_status(master: Path | str, out_dir: Path | str | None = None) -> list[CopyStatus]:
    """Each copy of `master` found in `out_dir` (default: beside it): does it differ from what
    was sent, and in how many cells. Reads only; files that are no copy of `master` are skipped."""
    master = Path(master)
    out = Path(out_dir) if out_dir is not None else master.parent
    found: list[CopyStatus] = []
    for path in sorted(out.glob("*.xls[xm]")):
        if path.name.startswith("~$") or os.path.realpath(path) == os.path.realpath(master):
            continue
        try:
            book = FileWorkbook(path)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
            continue
        try:
            sheet = find_sheet(book.sheet_names(), SENT_SHEET)
            if sheet is None:
                continue
            record, problem = read_record(book.read_grid(sheet), sheet)
            if record is None or record.master != master.name:
                continue
            changed = _changed_cells(book, record) if problem is None else 0
        finally:
            book.close()
        found.append(CopyStatus(path, record.manager, record.quarter, record.sent_at,
                                record.due, changed, None if problem is None else str(problem)))
    return found


def print_status(master: Path, out_dir: Path, found: Sequence[CopyStatus],
                 console: Console) -> None:
    """One row per copy: manager, quarter, sent, due, differs, cells changed."""
    if not found:
        console.print(escape(f"{master.name}: no distributed copy of it in {out_dir}"),
                      highlight=False)
        return
    changed = sum(1 for s in found if s.differs)
    table = Table(title=escape(f"{master.name}: {len(found)} copies in {out_dir}, {changed} "
                               "differ from what was sent"), title_justify="left")
    for header, justify in (("Manager", "left"), ("Quarter", "left"), ("Sent", "left"),
                            ("Due", "left"), ("Differs", "left"), ("Cells changed", "right"),
                            ("File", "left")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for s in found:
        differs = "record edited" if s.problem else "yes" if s.differs else "no"
        table.add_row(console_text(s.manager) if s.manager else "[dim](unassigned)[/dim]",
                      console_text(s.quarter or ""), console_text(s.sent_at or ""),
                      console_text(s.due or ""), differs, str(s.changed),
                      console_text(s.path.name))
    console.print(table)
    for s in found:
        if s.problem:
            console.print(console_text(f"  {s.path.name}: {s.problem}"), highlight=False)
