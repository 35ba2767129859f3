"""Collect partner managers' returns into the master: the Distribute moment, merged three ways.

For every factor-score cell of a distributed copy (one that keeps the record `distribute` wrote,
`workbook/sent.py`) there are three values: what was sent (base), what came back (theirs) and what
the master holds now (ours). Blank or unchanged in the return: ignored, so a score the lead changed
after sending is never reverted by a stale copy. Changed in the return only: taken. Changed in both
to different values: a conflict naming the partner, factor, three values and both cells; nothing
is written while one remains, unless `take_theirs` or `keep_ours` settles them (each still listed).
Two returns changing one cell differently stay an error that no option settles.

A return sent for another quarter than the master's is refused unless that quarter is accepted. A
workbook without a record is collected as before (every filled score counts as changed), with a
warning. Tier override changes are proposals, written only with `take_overrides`; one without an
Override reason is an input error. Everything is checked before anything is written; only the
factor-score (and, when taken, override) cells of the master's Roster are written, as a plan.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .adapters.atomic import workbook_lock
from .adapters.base import WorkbookAdapter
from .adapters.files import refuse_if_open
from .collect_master import (
    MASTER_ADAPTER,
    MasterRoster,
    Out,
    close_book,
    open_book,
    read_master,
)
from .problems import Code, InputErrors, Problem, describe
from .workbook import contract as c
from .workbook.cells import Grid, as_number, as_text, cell, is_blank, is_formula
from .workbook.ops import Plan, WriteBlock
from .workbook.parse import EPSILON, Collector, find_sheet, header_columns, keyed_rows
from .workbook.sent import (
    KEYS,
    QUARTER,
    SENT_SHEET,
    SentRecord,
    SentRow,
    read_record,
)

__all__ = ["Change", "CollectOutcome", "Conflict", "ManagerRow", "Proposal", "ReturnSummary",
           "Unscored", "UnsettledConflicts", "collect_returns"]


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


NOT_SENT = "not sent"
"""A conflict's sent value for a partner the copy did not carry (the manager added the row)."""


@dataclass(frozen=True)
class Conflict:
    """A score changed both in a return and in the master since the copy was sent."""

    partner_id: str
    partner: str
    factor: str
    sent: object
    returned: float | int
    master: object
    source: str
    """The return cell, e.g. `maya.xlsx Roster!F17`."""
    cell: str
    """The master cell, e.g. `Roster!G5`."""
    taken: str | None
    """"theirs" or "ours" once settled by an option; None while it stops the collection."""


@dataclass(frozen=True)
class Proposal:
    """A Tier override a manager set or changed: the lead decides."""

    partner_id: str
    partner: str
    tier: str
    reason: str
    manager: str
    """Who proposes it: the copy's manager, else the return's file name."""
    source: str
    master_tier: str | None
    master_reason: str | None
    row: int
    """1-based master Roster row."""


@dataclass(frozen=True)
class ReturnSummary:
    path: Path
    name: str
    partners: int
    """Rows whose Partner ID the master has."""
    scores: int
    """Non-blank factor scores in those rows."""
    changed: int
    """Master cells this return changes (a cell two returns agree on counts for the first)."""
    unknown: int
    """Rows whose Partner ID the master does not have."""
    distributed: bool = False
    """The return keeps the record of what it was sent with."""
    manager: str | None = None
    quarter: str | None = None
    unchanged: int = 0
    """Scores equal to what was sent: ignored."""
    kept: int = 0
    """Of those, scores the master changed since: the master's newer value stays."""
    conflicts: int = 0
    proposals: int = 0


@dataclass(frozen=True)
class ManagerRow:
    """One line of the collection report: a Partner manager of the master, or a return."""

    manager: str | None
    partners: int
    returned: tuple[str, ...]
    quarter: str
    changed: int
    conflicts: int
    proposals: int


@dataclass(frozen=True)
class Unscored:
    partner_id: str
    partner: str
    manager: str | None
    missing: tuple[str, ...]


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
    conflicts: list[Conflict] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)
    take_overrides: bool = False
    override_cols: tuple[int, int] | None = None
    """1-based master columns of Tier override and Override reason."""
    managers: list[ManagerRow] = field(default_factory=list)
    unscored: list[Unscored] = field(default_factory=list)
    quarter: str | None = None

    @property
    def plan(self) -> Plan:
        """The writes: one WriteBlock per changed cell (and per taken proposal), nothing else."""
        ops: Plan = [WriteBlock(self.sheet, ch.row, ch.col, ((ch.new,),)) for ch in self.changes]
        if self.take_overrides and self.override_cols is not None:
            tier_col, reason_col = self.override_cols
            for p in self.proposals:
                ops.append(WriteBlock(self.sheet, p.row, tier_col, ((p.tier,),)))
                ops.append(WriteBlock(self.sheet, p.row, reason_col, ((p.reason,),)))
        return ops


class UnsettledConflicts(InputErrors):
    """Scores changed both in the master and in a return, and nothing else wrong: nothing was
    written, and `outcome` holds what the collection would be, for the report."""

    def __init__(self, problems: list[Problem], source: str, outcome: CollectOutcome) -> None:
        super().__init__(problems, source)
        self.outcome = outcome


@dataclass
class _Taken:
    value: float | int
    source: str


@dataclass
class _Merge:
    """What the returns add up to, return by return."""

    taken: dict[tuple[int, int], _Taken] = field(default_factory=dict)
    changes: dict[tuple[int, int], Change] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    proposals: dict[str, tuple[Proposal, str]] = field(default_factory=dict)
    """Partner ID -> the proposal and the return cell it came from."""


@dataclass(frozen=True)
class _Options:
    take_theirs: bool = False
    keep_ours: bool = False
    accept_quarters: frozenset[str] = frozenset()


# --- reading ---------------------------------------------------------------------------------


def _read_sent(book: WorkbookAdapter, out: Out) -> tuple[SentRecord | None, bool]:
    """The return's record of what it was sent with (None when it keeps none), and whether the
    return can be read on: False when its record is unusable (an error is given)."""
    sheet = find_sheet(book.sheet_names(), SENT_SHEET)
    if sheet is None:
        return None, True
    record, problem = read_record(book.read_grid(sheet), sheet)
    if problem is not None:
        out.problem(problem)
        return None, False
    return record, True


def _same(a: object, b: object) -> bool:
    x, y = as_number(a), as_number(b)
    if x is None or y is None:
        return x is None and y is None
    return abs(x - y) <= EPSILON


def _same_text(a: str | None, b: str | None) -> bool:
    return c.normalize_header(a or "") == c.normalize_header(b or "")


def _check_record(record: SentRecord | None, master: MasterRoster, options: _Options,
                  out: Out) -> bool:
    """Whether the return may be merged: its quarter is the master's, or accepted."""
    if record is None:
        out.warn(Code.NOT_DISTRIBUTED, "",
                 "is not a distributed copy (it keeps no record of what it was sent with), so "
                 "every filled score counts as changed and replaces the master's; distribute the "
                 "master to send copies whose untouched scores are left alone")
        return True
    if record.master and record.master != master.name:
        out.warn(Code.OTHER_MASTER, "",
                 f"is {record.whose()} of {record.master}, collected into {master.name}: merged "
                 "against what it was sent with all the same")
    if master.quarter and record.quarter != master.quarter \
            and record.quarter not in options.accept_quarters:
        out.error(Code.OTHER_QUARTER, c.cell_ref(SENT_SHEET, KEYS.index(QUARTER) + 2, 2),
                  f"was sent for {record.quarter}, and the master is now in {master.quarter}; "
                  f"expected a return for {master.quarter}: pass --accept-quarter "
                  f"{record.quarter} to take only the scores the manager changed")
        return False
    return True


def _read_return(path: Path, name: str, master: MasterRoster, merge: _Merge, options: _Options,
                 out: Out) -> ReturnSummary | None:
    """Validate one return and merge what it changes into `merge`."""
    book = open_book(path, out)
    if book is None:
        return None
    try:
        record, readable = _read_sent(book, out)
        if not readable or not _check_record(record, master, options, out):
            return None
        sheet = find_sheet(book.sheet_names(), c.ROSTER)
        if sheet is None:
            out.error(Code.MISSING_SHEET, f"{c.ROSTER}!A1",
                      f"no sheet named {c.ROSTER!r}; expected the partners and their factor "
                      "scores on a Roster sheet, as in the template")
            return None
        raw = book.read_grid(sheet)
        cols = header_columns(raw, c.ROSTER, (c.PARTNER_ID,),
                              (*master.factors, c.TIER_OVERRIDE, c.OVERRIDE_REASON), out)
        if cols is None:
            return None
        key = cols[c.PARTNER_ID]
        factor_cols = {f: cols[f] for f in master.factors if f in cols}
        read = [key, *factor_cols.values(), *(cols[h] for h in (c.TIER_OVERRIDE, c.OVERRIDE_REASON)
                                              if h in cols)]
        values = book.read_values(sheet) if any(
            is_formula(cell(raw, i, j)) for i in range(1, len(raw)) for j in read) else raw
    finally:
        close_book(book)

    manager = record.manager if record is not None else None
    accepted = f"a number from {master.low:g} to {master.high:g}"
    partners = scores = changed = unchanged = kept = conflicts = proposals = 0
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
        sent = record.rows.get(pid) if record is not None else None
        partner_name = master.text(master_row, c.PARTNER) or ""
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
            target = (master_row + 1, master.factor_cols[master.factors.index(factor)] + 1)
            old = cell(master.grid, master_row, target[1] - 1)
            if record is None:
                base = old
            else:
                base = None if sent is None else sent.scores.get(c.normalize_header(factor))
            new: float | int = int(number) if isinstance(value, int) else number
            source = f"{name} {where}"
            # A copy's score as sent is no opinion; any filled score of a hand-made return is.
            if record is None or not _same(number, base):
                first = merge.taken.get(target)
                if first is not None:
                    if abs(first.value - number) > EPSILON:
                        out.error(Code.CONFLICT, where,
                                  f"{describe(value)} for partner {pid!r}, {factor!r} differs "
                                  f"from {describe(first.value)} at {first.source}; expected the "
                                  "returns to agree: correct one of them, or clear the score in one")
                    continue
                merge.taken[target] = _Taken(new, source)
            if _same(number, base):
                unchanged += 1
                kept += not _same(old, base)
                continue
            if _same(old, number):
                continue
            master_cell = c.cell_ref(master.sheet, *target)
            if not _same(old, base):
                taken = "theirs" if options.take_theirs else "ours" if options.keep_ours else None
                shown_base = NOT_SENT if record is not None and sent is None else base
                merge.conflicts.append(Conflict(pid, partner_name, factor, shown_base, new, old,
                                                source, master_cell, taken))
                conflicts += 1
                if taken != "theirs":
                    continue
            changed += 1
            merge.changes[target] = Change(cell=master_cell, row=target[0], col=target[1],
                                           partner_id=pid, factor=factor, old=old, new=new,
                                           source=source)
        proposals += _proposal(values, i, cols, pid, partner_name, master_row, master, sent,
                               record, name, merge, out)
    if unknown:
        shown = ", ".join(repr(pid) for pid, _ in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        noun = "Partner ID" if len(unknown) == 1 else f"{len(unknown)} Partner IDs"
        out.warn(Code.UNKNOWN_PARTNER, unknown[0][1],
                 f"{noun} the master does not have, not added: {shown}{more}; add the partners "
                 "to the master's Roster first to collect their scores")
    if not changed and not conflicts and not proposals:
        if not factor_cols:
            why = ("its Roster has none of the factor columns: "
                   + ", ".join(master.factors))
        elif not scores:
            why = "it holds no factor scores for partners in the master"
        elif record is not None:
            why = (f"its {scores} score(s) are as they were sent, equal the master's, or "
                   "another return's")
        else:
            why = f"its {scores} score(s) equal the master's, or another return's"
        out.warn(Code.NO_CHANGE, "", f"changes nothing: {why}")
    return ReturnSummary(path, name, partners, scores, changed, len(unknown),
                         distributed=record is not None, manager=manager,
                         quarter=record.quarter if record is not None else None,
                         unchanged=unchanged, kept=kept, conflicts=conflicts,
                         proposals=proposals)


def _proposal(values: Grid, i: int, cols: dict[str, int], pid: str, partner: str,
              master_row: int, master: MasterRoster, sent: SentRow | None, record: SentRecord | None,
              name: str, merge: _Merge, out: Out) -> int:
    """1 when row `i` of a return proposes a Tier override the master does not have yet."""
    tier_col, reason_col = cols.get(c.TIER_OVERRIDE), cols.get(c.OVERRIDE_REASON)
    tier = None if tier_col is None else as_text(cell(values, i, tier_col))
    if tier is None:
        return 0  # a manager clears nothing in the master
    assert tier_col is not None
    reason = None if reason_col is None else as_text(cell(values, i, reason_col))
    ours = (master.text(master_row, c.TIER_OVERRIDE), master.text(master_row, c.OVERRIDE_REASON))
    base = ours if record is None else (None, None) if sent is None else (sent.override, sent.reason)
    if _same_text(tier, base[0]) and _same_text(reason, base[1]):
        return 0
    row = i + 1
    where = c.cell_ref(c.ROSTER, row, (reason_col if reason_col is not None else tier_col) + 1)
    if reason is None:
        out.error(Code.REASON_REQUIRED, where,
                  f"Tier override {tier!r} for partner {pid!r} has no Override reason; expected "
                  "why this partner should get another tier than its score gives")
        return 0
    canonical = next((t for t in master.tiers if _same_text(t, tier)), None)
    if master.tiers and canonical is None:
        out.error(Code.UNKNOWN_TIER, c.cell_ref(c.ROSTER, row, tier_col + 1),
                  f"{tier!r} is not a tier of the master; expected one of "
                  + ", ".join(repr(t) for t in master.tiers))
        return 0
    tier = canonical or tier
    if _same_text(tier, ours[0]) and _same_text(reason, ours[1]):
        return 0
    source = f"{name} {c.cell_ref(c.ROSTER, row, tier_col + 1)}"
    first = merge.proposals.get(pid)
    if first is not None:
        if not (_same_text(first[0].tier, tier) and _same_text(first[0].reason, reason)):
            out.error(Code.CONFLICT, where,
                      f"Tier override {tier!r} for partner {pid!r} differs from "
                      f"{first[0].tier!r} proposed at {first[1]}; expected the returns to agree")
        return 0
    who = (record.manager if record is not None else None) or name
    merge.proposals[pid] = (Proposal(pid, partner, tier, reason, who, source, ours[0], ours[1],
                                     master_row + 1), source)
    return 1


def _names(paths: Sequence[Path]) -> list[str]:
    """Each return's name in messages: its file name, or its path when two share a name."""
    counts: dict[str, int] = {}
    for p in paths:
        counts[p.name] = counts.get(p.name, 0) + 1
    return [p.name if counts[p.name] == 1 else str(p) for p in paths]


def _conflict_problem(conflict: Conflict) -> Problem:
    def show(value: object) -> str:
        return describe(value).strip("'")

    name = f" ({conflict.partner})" if conflict.partner else ""
    if conflict.sent == NOT_SENT:
        sent, why = "not sent (a row added to the copy)", "the copy did not carry this partner"
    else:
        sent, why = f"sent {show(conflict.sent)}", "changed in both since the copy was sent"
    return Problem(
        Code.CHANGED_IN_BOTH, conflict.source,
        f"partner {conflict.partner_id!r}{name}, {conflict.factor!r}: {sent}, "
        f"returned {show(conflict.returned)}, master now {show(conflict.master)} at "
        f"{conflict.cell}: {why}; expected one value: pass --take-theirs to take "
        f"{show(conflict.returned)} or --keep-ours to keep {show(conflict.master)}")


# --- the report ------------------------------------------------------------------------------


def _report(master: MasterRoster, summaries: Sequence[ReturnSummary],
            changes: dict[tuple[int, int], Change]) -> tuple[list[ManagerRow], list[Unscored]]:
    """Per Partner manager of the master: returned or not, cells changed, conflicts, proposals;
    then the partners still unscored once the changes are in."""
    partners: dict[str, tuple[str | None, int]] = {}
    for row in master.rows.values():
        manager = master.text(row, c.PARTNER_MANAGER)
        key = c.normalize_header(manager or "")
        first, count = partners.get(key, (manager, 0))
        partners[key] = (first, count + 1)
    returns: dict[str, list[ReturnSummary]] = {}
    loose: list[ReturnSummary] = []
    for s in summaries:
        key = c.normalize_header(s.manager or "")
        if s.distributed and key in partners:
            returns.setdefault(key, []).append(s)
        else:
            loose.append(s)

    def line(manager: str | None, count: int, got: Sequence[ReturnSummary]) -> ManagerRow:
        return ManagerRow(manager, count, tuple(s.name for s in got),
                          ", ".join(sorted({s.quarter for s in got if s.quarter})),
                          sum(s.changed for s in got), sum(s.conflicts for s in got),
                          sum(s.proposals for s in got))

    rows = [line(manager, count, returns.get(key, []))
            for key, (manager, count) in sorted(partners.items(), key=lambda kv: kv[0] == "")]
    rows += [line(s.manager, 0, [s]) for s in loose]
    unscored: list[Unscored] = []
    for pid, row in master.rows.items():
        missing = []
        for factor, col in zip(master.factors, master.factor_cols, strict=True):
            change = changes.get((row + 1, col + 1))
            value = change.new if change is not None else cell(master.grid, row, col)
            if as_number(value) is None:
                missing.append(factor)
        if missing:
            unscored.append(Unscored(pid, master.text(row, c.PARTNER) or "",
                                     master.text(row, c.PARTNER_MANAGER), tuple(missing)))
    return rows, unscored


# --- the whole collection --------------------------------------------------------------------


def collect_returns(
    master: Path | str, returns: Sequence[Path | str], *, dry_run: bool = False,
    take_theirs: bool = False, keep_ours: bool = False,
    accept_quarters: Collection[str] = (), take_overrides: bool = False,
) -> CollectOutcome:
    """Merge the returns' changed factor scores into the master's Roster, atomically.

    Raises InputErrors (master untouched) listing every problem in the master or the returns,
    every score changed both in a return and in the master unless `take_theirs` or `keep_ours`,
    and every return for another quarter than the master's unless it is in `accept_quarters`;
    WorkbookBusy when Excel has the master open. With `dry_run`, works out the changes and
    writes nothing. Tier override proposals are written only with `take_overrides`.
    """
    if take_theirs and keep_ours:
        raise ValueError("take_theirs and keep_ours settle conflicts opposite ways; give one")
    master = Path(master)
    options = _Options(take_theirs, keep_ours, frozenset(accept_quarters))
    if dry_run:
        return _collect(master, returns, dry_run, options, take_overrides)
    refuse_if_open(master)
    with workbook_lock(master):  # held from reading to saving: no other run's update is lost
        return _collect(master, returns, dry_run, options, take_overrides)


def _collect(master: Path, returns: Sequence[Path | str], dry_run: bool, options: _Options,
             take_overrides: bool) -> CollectOutcome:
    found = Collector()
    book = open_book(master, Out(master.name, found), MASTER_ADAPTER, master=True)
    if book is None:
        raise InputErrors(found.errors, str(master))
    try:
        parsed = read_master(book, master.name, Out(master.name, found))
        if parsed is None:
            raise InputErrors(found.errors, str(master))

        unique: list[Path] = []
        seen: dict[str, Path] = {}
        for given in map(Path, returns):
            resolved = os.path.realpath(given)
            if resolved == os.path.realpath(master):
                Out(given.name, found).warn(Code.SAME_FILE, "",
                                             "is the master itself; skipped")
            elif resolved in seen:
                Out(given.name, found).warn(Code.SAME_FILE, "",
                                             f"is given twice (as {seen[resolved]}); read once")
            else:
                seen[resolved] = given
                unique.append(given)

        merge = _Merge()
        summaries: list[ReturnSummary] = []
        for path, name in zip(unique, _names(unique), strict=True):
            summary = _read_return(path, name, parsed, merge, options, Out(name, found))
            if summary is not None:
                summaries.append(summary)
        settled = not found.errors
        found.errors.extend(_conflict_problem(k) for k in merge.conflicts if k.taken is None)
        proposals = [p for p, _ in merge.proposals.values()]
        tier_col, reason_col = (parsed.columns.get(h) for h in (c.TIER_OVERRIDE, c.OVERRIDE_REASON))
        if take_overrides and proposals and (tier_col is None or reason_col is None):
            Out(master.name, found).error(
                Code.MISSING_COLUMN, c.row_ref(parsed.sheet, 1),
                f"no {c.TIER_OVERRIDE!r} and {c.OVERRIDE_REASON!r} columns to take the proposed "
                "overrides into; add both headers in row 1")

        ordered = sorted(merge.changes.values(), key=lambda ch: (ch.row, ch.col))
        managers, unscored = _report(parsed, summaries, merge.changes)
        outcome = CollectOutcome(
            master, ordered, summaries, found.warnings, dry_run, sheet=parsed.sheet,
            conflicts=merge.conflicts, proposals=sorted(proposals, key=lambda p: p.row),
            take_overrides=take_overrides and bool(proposals),
            override_cols=None if tier_col is None or reason_col is None
            else (tier_col + 1, reason_col + 1),
            managers=managers, unscored=unscored, quarter=parsed.quarter)
        if found.errors:
            if settled and all(p.code == Code.CHANGED_IN_BOTH for p in found.errors):
                raise UnsettledConflicts(found.errors, str(master), outcome)
            raise InputErrors(found.errors, str(master))
        if outcome.plan and not dry_run:
            book.apply(outcome.plan)
            book.save()
            outcome.written = True
        return outcome
    finally:
        close_book(book)
