"""A partner's score, rank and tier across the quarters a workbook holds, or tier sizes per quarter.

Read-only: the archives (`Archive YYYY-Qn`, values) and the current results (the hidden snapshot,
or the Roster where there is none), whose quarter is the Log's last row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .adapters.files import malformed_as_input_error
from .model import ArchivedQuarter
from .ooxml.identify import identify
from .workbook import contract as c
from .workbook.cells import Grid, as_text, is_blank
from .workbook.parse import find_sheet, parse_archive, parse_log
from .workbook.snapshot import decode_rows


@dataclass(frozen=True)
class QuarterRow:
    quarter: str
    score: float | None
    rank: int | None
    tier: str | None
    current: bool
    """True for the current results, False for an archived quarter."""


@dataclass(frozen=True)
class PartnerHistory:
    partner_id: str
    name: object
    rows: list[QuarterRow]
    """Only the quarters the partner was on the roster, oldest first."""


@dataclass(frozen=True)
class TierSizes:
    tiers: list[str]
    """The Tiers sheet's tiers, then any other tier seen in a quarter (e.g. `Unscored`)."""
    quarters: list[str]
    counts: list[list[int]]
    """Per quarter, partners per tier (in `tiers` order)."""
    current: str | None
    """The quarter of the current results, if any."""


@dataclass(frozen=True)
class Quarters:
    quarters: list[ArchivedQuarter]
    """Oldest first; the last one is the current results when `current` is set."""
    current: str | None
    tier_names: list[str]


def read_quarters(path: Path | str) -> Quarters:
    """Every archived quarter and the current results, oldest first."""
    path = Path(path)
    identify(path)
    with malformed_as_input_error(path):
        return _read_quarters(openpyxl.load_workbook(path, read_only=True, data_only=True))


def _read_quarters(book: openpyxl.Workbook) -> Quarters:
    try:
        names = list(book.sheetnames)

        def grid(name: str | None) -> Grid | None:
            if name is None:
                return None
            return [list(r) for r in book[name].iter_rows(values_only=True)]

        archived = {q: n for n in names if (q := c.quarter_of_archive(n)) is not None}
        quarters = [parse_archive(grid(archived[q]) or [], q)
                    for q in sorted(archived, key=c.quarter_key)]
        current = parse_log(grid(find_sheet(names, c.LOG)))[2]
        if current is not None and current not in archived:
            results = decode_rows(grid(find_sheet(names, c.SNAPSHOT)) or []) or grid(
                find_sheet(names, c.ROSTER)) or []
            quarters.append(parse_archive(results, current))
        elif current is not None:
            current = None
        tiers_grid = grid(find_sheet(names, c.TIERS)) or []
    finally:
        book.close()
    return Quarters(quarters, current, _tier_names(tiers_grid))


def _tier_names(grid: Grid) -> list[str]:
    if not grid:
        return []
    col = c.find_columns(grid[0], (c.TIER,)).get(c.TIER)
    if col is None:
        return []
    return [text for line in grid[1:] if col < len(line) and (text := as_text(line[col]))]


def partner_history(path: Path | str, partner_id: object) -> PartnerHistory:
    """The partner's score, rank and tier in each quarter it was on the roster.

    Raises LookupError when no quarter holds the Partner ID.
    """
    wanted = as_text(partner_id)
    if wanted is None:
        raise LookupError("a blank Partner ID")
    data = read_quarters(path)
    ids = {pid for q in data.quarters for pid in q.partner_ids}
    if wanted not in ids:
        folded = [pid for pid in ids if pid.casefold() == wanted.casefold()]
        if len(folded) != 1:
            raise LookupError(f"Partner ID {wanted!r} is in no archive nor the current results")
        wanted = folded[0]
    rows: list[QuarterRow] = []
    name: object = None
    for quarter in data.quarters:
        i = quarter.by_id().get(wanted)
        if i is None:
            continue
        if not is_blank(quarter.names[i]):
            name = quarter.names[i]
        rows.append(QuarterRow(quarter.quarter, quarter.scores[i], quarter.ranks[i],
                               quarter.tiers[i], quarter.quarter == data.current))
    return PartnerHistory(wanted, name, rows)


def tier_sizes(path: Path | str) -> TierSizes:
    """Partners per tier in each quarter, oldest first."""
    data = read_quarters(path)
    tiers = list(data.tier_names)
    for quarter in data.quarters:
        for tier in quarter.tiers:
            if tier is not None and tier not in tiers and tier != c.UNSCORED:
                tiers.append(tier)
    if any(c.UNSCORED in q.tiers for q in data.quarters):
        tiers.append(c.UNSCORED)
    counts = [[q.tiers.count(t) for t in tiers] for q in data.quarters]
    return TierSizes(tiers, [q.quarter for q in data.quarters], counts, data.current)


def print_partner_history(path: Path | str, partner_id: object, console: Console) -> None:
    found = partner_history(path, partner_id)
    name = f" {found.name}" if not is_blank(found.name) else ""
    title = escape(f"{Path(path).name}: {found.partner_id}{name}")
    table = Table(title=title, title_justify="left")
    for header, justify in (("Quarter", "left"), ("Score", "right"), ("Rank", "right"),
                            ("Tier", "left")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for row in found.rows:
        quarter = f"{row.quarter} (current)" if row.current else row.quarter
        score = f"{row.score:.1f}" if row.score is not None else "–"
        rank = str(row.rank) if row.rank is not None else "–"
        table.add_row(quarter, score, rank, escape(row.tier or "–"))
    console.print(table)


def print_tier_sizes(path: Path | str, console: Console) -> None:
    sizes = tier_sizes(path)
    if not sizes.quarters:
        raise LookupError("no results yet: no archive and no re-score in the Log")
    title = escape(f"{Path(path).name}: partners per tier by quarter")
    table = Table(title=title, title_justify="left")
    table.add_column("Quarter")
    for tier in sizes.tiers:
        table.add_column(escape(tier), justify="right")
    table.add_column("Total", justify="right")
    for quarter, counts in zip(sizes.quarters, sizes.counts, strict=True):
        label = f"{quarter} (current)" if quarter == sizes.current else quarter
        table.add_row(label, *(str(n) for n in counts), str(sum(counts)))
    console.print(table)
