"""The record a distributed workbook keeps of what it was sent with, as a grid.

`distribute` writes it to a hidden, protected sheet of each manager's copy; `collect` reads it back
to tell what the manager changed from what the master held when the file went out (a three-way
merge), and a re-score refuses a workbook that carries it. The record is keys in column A and values
in column B, then a table of what was sent: Partner ID, each factor score, Tier override, Override
reason. Its fingerprint covers that table, so a record edited by hand is detected.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..problems import Code, Problem
from . import contract as c
from .cells import Grid, as_number, as_text, cell, is_blank

SENT_SHEET = c.SENT
MARKER = "xl-prioritize distributed copy 1"

RECORD = "Record"
MASTER = "Master"
FINGERPRINT = "Fingerprint"
MANAGER = "Manager"
QUARTER = "Quarter"
SENT_AT = "Sent at"
DUE = "Due"
KEYS = (RECORD, MASTER, FINGERPRINT, MANAGER, QUARTER, SENT_AT, DUE)
TAIL = (c.TIER_OVERRIDE, c.OVERRIDE_REASON)


@dataclass(frozen=True)
class SentRow:
    """What one partner's row held when the copy was sent."""

    scores: dict[str, float | None]
    """Normalized factor name -> the score sent (None: sent blank)."""
    override: str | None
    reason: str | None


@dataclass(frozen=True)
class SentRecord:
    """What a manager's copy was sent with, read back from its record sheet."""

    master: str
    """The master's file name when the copy was made."""
    fingerprint: str
    manager: str | None
    quarter: str
    sent_at: str
    due: str | None
    factors: tuple[str, ...]
    ids: tuple[object, ...]
    """Each Partner ID as sent (the number 7 stays a number)."""
    rows: dict[str, SentRow]
    """Partner ID as text -> what was sent."""

    def whose(self) -> str:
        return f"{self.manager}'s copy" if self.manager else "the copy for unassigned partners"


def _canonical(value: object) -> object:
    number = as_number(value)
    if number is not None and not isinstance(value, str):
        return repr(float(number))
    return as_text(value)


def fingerprint(factors: tuple[str, ...], ids: tuple[object, ...], rows: dict[str, SentRow]) -> str:
    """16 hex digits over the factor names and every value sent, in order."""
    table = [[c.normalize_header(f) for f in factors]]
    for pid in ids:
        row = rows[as_text(pid) or ""]
        table.append([as_text(pid), *(_canonical(row.scores.get(c.normalize_header(f)))
                                      for f in factors), row.override, row.reason])
    text = json.dumps(table, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]


def record_grid(record: SentRecord) -> list[list[object]]:
    """The sheet's cells, row by row."""
    values: dict[str, object] = {
        RECORD: MARKER, MASTER: record.master, FINGERPRINT: record.fingerprint,
        MANAGER: record.manager, QUARTER: record.quarter, SENT_AT: record.sent_at,
        DUE: record.due,
    }
    grid: list[list[object]] = [["Key", "Value"], *([k, values[k]] for k in KEYS), []]
    grid.append([c.PARTNER_ID, *record.factors, *TAIL])
    for pid in record.ids:
        row = record.rows[as_text(pid) or ""]
        grid.append([pid, *(row.scores.get(c.normalize_header(f)) for f in record.factors),
                     row.override, row.reason])
    return grid


def is_record(grid: Grid) -> bool:
    """Whether `grid` is a record `distribute` wrote (a sheet of that name without it is the user's)."""
    return any(c.normalize_header(cell(grid, i, 0)) == c.normalize_header(RECORD)
               and as_text(cell(grid, i, 1)) == MARKER for i in range(1, min(len(grid), 20)))


def read_record(grid: Grid, sheet: str) -> tuple[SentRecord | None, Problem | None]:
    """The record on `sheet`, or the problem that makes it unusable; (None, None) when the sheet
    is no record at all."""
    if not is_record(grid):
        return None, None
    keys: dict[str, object] = {}
    header_at = None
    for i in range(1, len(grid)):
        key = as_text(cell(grid, i, 0))
        if key is not None and c.normalize_header(key) == c.normalize_header(c.PARTNER_ID):
            header_at = i
            break
        if key is not None:
            keys.setdefault(c.normalize_header(key), cell(grid, i, 1))

    def key(name: str) -> str | None:
        return as_text(keys.get(c.normalize_header(name)))

    quarter = key(QUARTER)
    if header_at is None or quarter is None:
        return None, Problem(Code.SENT_RECORD, c.cell_ref(sheet, 1, 1),
                             "the record of what this copy was sent with is incomplete; expected "
                             "the sheet as `distribute` wrote it: distribute the master again")
    header = [as_text(v) for v in grid[header_at]]
    factors = tuple(h for h in header[1:len(header) - len(TAIL)] if h is not None)
    ids: list[object] = []
    rows: dict[str, SentRow] = {}
    for i in range(header_at + 1, len(grid)):
        pid = cell(grid, i, 0)
        if is_blank(pid):
            continue
        scores = {c.normalize_header(f): as_number(cell(grid, i, j + 1))
                  for j, f in enumerate(factors)}
        tail = len(factors) + 1
        ids.append(pid)
        rows[as_text(pid) or ""] = SentRow(scores, as_text(cell(grid, i, tail)),
                                           as_text(cell(grid, i, tail + 1)))
    record = SentRecord(
        master=key(MASTER) or "", fingerprint=key(FINGERPRINT) or "", manager=key(MANAGER),
        quarter=quarter, sent_at=key(SENT_AT) or "", due=key(DUE), factors=factors,
        ids=tuple(ids), rows=rows)
    if fingerprint(factors, record.ids, rows) != record.fingerprint:
        return record, Problem(
            Code.SENT_RECORD, c.cell_ref(sheet, KEYS.index(FINGERPRINT) + 2, 2),
            f"the record of what {record.whose()} of {record.master} was sent with has been "
            "edited: it no longer matches its fingerprint, so what the manager changed cannot be "
            "told; expected the hidden sheet untouched: distribute the master again, or copy the "
            "scores into a workbook without the record to collect every filled score")
    return record, None


def manager_copy_problem(grid: Grid, sheet: str) -> Problem:
    """Why a distributed copy is not re-scored, naming whose copy of which master it is."""
    record, _ = read_record(grid, sheet)
    where = c.cell_ref(sheet, KEYS.index(MASTER) + 2, 2)
    if record is None:
        whose, master, quarter = "a partner manager's copy", "a master workbook", ""
    else:
        whose, master = record.whose(), record.master or "the master"
        quarter = f" for {record.quarter}"
    return Problem(
        Code.MANAGER_COPY, where,
        f"this workbook is {whose} of {master}{quarter}, sent out to be scored, not re-scored; "
        f"expected the master: send this file back to the lead, who collects it with "
        f"`xl-prioritize collect {master} <this file>` and re-scores the master")
