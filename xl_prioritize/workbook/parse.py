"""Grids in, typed inputs out, or every problem at once, each naming its cell."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..core.scoring import floats_or_none
from ..model import ArchivedQuarter, Factor, Inputs, Member, Roster, Settings, Tier
from ..problems import Code, InputErrors, Problem, describe
from . import contract as c
from .cells import (
    Grid,
    Uncalculated,
    as_number,
    as_numbers,
    as_text,
    as_texts,
    cell,
    column,
    is_blank,
    last_filled_column,
    last_filled_row,
)

EPSILON = 1e-9


@dataclass
class RosterLayout:
    """Where the Roster's columns and partners stand on the sheet."""

    header: list[object]
    columns: dict[str, int]
    """0-based column of each contract input column found (Partner ID, Partner, ...)."""
    factor_columns: list[int]
    output_columns: dict[str, int]
    """0-based column of each output column already on the sheet."""
    rows: list[int]
    """1-based sheet row of each partner, in roster order."""
    height: int
    """Rows the grid holds, header included."""
    width: int
    filled_width: int = 0
    """Columns up to the last non-blank cell of any row: new output columns go to its right."""
    uncalculated: bool = True
    """Whether a Partner ID or Partner cell is a formula never calculated (the write plan copies
    those as formulas); True when unknown."""

    def on_sheet_rows(self, values: Sequence[object], last_row: int) -> list[object]:
        """One value per partner (roster order) as a column of sheet rows 2 to `last_row`, None in
        the rows between partners."""
        height = last_row - 1
        rows = self.rows
        if len(rows) == height and (not rows or (rows[0] == 2 and rows[-1] == last_row)):
            return list(values)  # rows increase: each row from 2 holds a partner
        column: list[object] = [None] * height
        for row, value in zip(rows, values, strict=True):
            column[row - 2] = value
        return column


@dataclass
class Layout:
    """Where things stand on the sheets: what the write plan needs besides the results."""

    sheets: dict[str, str]
    """Contract sheet name -> the sheet's actual name in this workbook."""
    sheet_order: list[str]
    setting_rows: dict[str, int]
    numeric_settings: set[str]
    """Settings whose Value cell holds a number (the Score formula may reference those)."""
    weight_cells: list[tuple[int, int]]
    """1-based (row, col) of each factor's Weight cell."""
    roster: RosterLayout
    log_header: list[object] = field(default_factory=list)
    log_next_row: int = 2
    archives: list[str] = field(default_factory=list)
    """Archive quarters present, any order."""


@dataclass
class Parsed:
    """A workbook read and validated: the inputs, where they stand, what to archive."""

    inputs: Inputs
    layout: Layout
    results_quarter: str | None
    """The quarter of the current results: the Log's last row."""
    archive: tuple[str, Grid] | None = None
    """The quarter whose results this re-score archives first, and the Roster values to archive."""


_WHERE = re.compile(r"^'?(?P<sheet>[^'!]+)'?!(?P<col>[A-Z]*)(?P<row>\d*)")


def reading_order(problem: Problem) -> tuple[int, int, int]:
    """Sheets in contract order, then row, then column: the order a person fixes them in."""
    match = _WHERE.match(problem.where)
    if match is None:
        return (len(c.INPUT_SHEETS), 0, 0)
    sheets = [s.casefold() for s in c.INPUT_SHEETS]
    sheet = match["sheet"].casefold()
    column = 0
    for letter in match["col"]:
        column = column * 26 + ord(letter) - 64
    return (sheets.index(sheet) if sheet in sheets else len(sheets), int(match["row"] or 0), column)


def not_a_number_code(value: object) -> Code:
    """Why a filled cell gives no number: text, or a formula never calculated."""
    return Code.FORMULA_ERROR if isinstance(value, Uncalculated) else Code.NOT_A_NUMBER


class Collector:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, code: Code, where: str, message: str) -> None:
        self.errors.append(Problem(code, where, message))

    def warn(self, code: Code, where: str, message: str) -> None:
        self.warnings.append(Problem(code, where, message))


def find_sheet(names: list[str], wanted: str) -> str | None:
    folded = wanted.casefold()
    return next((n for n in names if n.casefold() == folded), None)


def header_columns(
    grid: Grid, sheet: str, required: tuple[str, ...], optional: tuple[str, ...], out: Collector
) -> dict[str, int] | None:
    """Find the contract's columns by header; None (with errors) when a required one is missing."""
    header = list(grid[0]) if grid else []
    seen: dict[str, int] = {}
    for i, value in enumerate(header):
        key = c.normalize_header(value)
        if not key:
            continue
        if key in seen and any(key == c.normalize_header(n) for n in required + optional):
            out.error(Code.DUPLICATE_COLUMN, c.cell_ref(sheet, 1, i + 1),
                      f"a second {describe(value)} column; keep one column of that name")
        seen.setdefault(key, i)
    found = c.find_columns(header, required + optional)
    missing = [n for n in required if n not in found]
    for name in missing:
        out.error(Code.MISSING_COLUMN, c.row_ref(sheet, 1),
                  f"no {name!r} column; add a header {name!r} in row 1")
    return None if missing else found


def number_in(
    value: object, where: str, out: Collector, *, low: float | None = None,
    high: float | None = None, strict_low: bool = False, whole: bool = False, accepted: str,
) -> float | None:
    number = as_number(value)
    if number is None:
        code = Code.REQUIRED if is_blank(value) else not_a_number_code(value)
        out.error(code, where, f"{describe(value)} is not a number; expected {accepted}")
        return None
    too_low = low is not None and (number <= low if strict_low else number < low - EPSILON)
    too_high = high is not None and number > high + EPSILON
    if too_low or too_high:
        out.error(Code.OUT_OF_RANGE, where, f"{describe(value)} is out of range; expected {accepted}")
        return None
    if whole and not float(number).is_integer():
        out.error(Code.NOT_WHOLE, where, f"{describe(value)} is not a whole number; expected {accepted}")
        return None
    return number


# --- Settings --------------------------------------------------------------------------------


def parse_settings(
    grid: Grid, roster_header: list[object], out: Collector
) -> tuple[Settings | None, dict[str, int], set[str]]:
    sheet = c.SETTINGS
    values: dict[str, tuple[object, int]] = {}
    known = {c.normalize_header(k): k for k in c.KNOWN_SETTINGS}
    for i in range(1, len(grid)):
        key, value = cell(grid, i, 0), cell(grid, i, 1)
        row = i + 1
        if is_blank(key):
            if not is_blank(value):
                out.error(Code.BLANK_KEY, c.cell_ref(sheet, row, 1),
                          f"blank Setting beside the value {describe(value)}; "
                          "name the setting or clear the row")
            continue
        name = known.get(c.normalize_header(key))
        if name is None:
            out.warn(Code.UNKNOWN_SETTING, c.cell_ref(sheet, row, 1),
                     f"unknown setting {describe(key)} is ignored; known settings: "
                     + ", ".join(c.KNOWN_SETTINGS))
            continue
        if name in values:
            out.error(Code.DUPLICATE_KEY, c.cell_ref(sheet, row, 1),
                      f"{name!r} is set again (first in row {values[name][1]}); keep one row")
            continue
        values[name] = (value, row)
    rows = {name: row for name, (_, row) in values.items()}
    numeric = {name for name, (value, _) in values.items() if as_number(value) is not None}

    def where(name: str) -> str:
        return c.cell_ref(sheet, rows[name], 2) if name in rows else f"{sheet}!A:B"

    def raw(name: str) -> object:
        return values[name][0] if name in values else None

    ok = True
    quarter = as_text(raw(c.QUARTER))
    if quarter is None:
        ok = False
        out.error(Code.REQUIRED, where(c.QUARTER),
                  "the Quarter is blank or missing; expected the quarter as YYYY-Qn, e.g. 2026-Q4")
    elif not c.QUARTER_PATTERN.match(quarter):
        ok = False
        out.error(Code.BAD_QUARTER, where(c.QUARTER),
                  f"{describe(raw(c.QUARTER))} is not a quarter; expected YYYY-Qn, e.g. 2026-Q4")

    def number_setting(name: str, default: float, **limits: object) -> float | None:
        if is_blank(raw(name)):
            return default
        return number_in(raw(name), where(name), out, **limits)  # type: ignore[arg-type]

    low = number_setting(c.SCALE_MIN, c.DEFAULT_SCALE_MIN, accepted="a number, e.g. 1")
    high = number_setting(c.SCALE_MAX, c.DEFAULT_SCALE_MAX, accepted="a number, e.g. 5")
    if low is not None and high is not None and high <= low:
        ok = False
        culprit = c.SCALE_MAX if c.SCALE_MAX in rows else c.SCALE_MIN
        out.error(Code.SCALE_ORDER, where(culprit),
                  f"Scale max {high:g} is not greater than Scale min {low:g}; "
                  "expected Scale max > Scale min")
    buffer = number_setting(c.TIER_BUFFER, c.DEFAULT_BUFFER, low=0.0,
                            accepted="a number of score points ≥ 0 (0 = no buffer)")

    def choice(name: str, options: tuple[str, ...], default: str) -> str | None:
        value = raw(name)
        if is_blank(value):
            return default
        text = str(value).strip().casefold()
        if text in options:
            return text
        out.error(Code.BAD_CHOICE, where(name),
                  f"{describe(value)} is not a choice; expected one of: " + ", ".join(options))
        return None

    method = choice(c.TIER_METHOD, c.TIER_METHODS, c.DEFAULT_TIER_METHOD)
    missing = choice(c.MISSING_SCORES, c.MISSING_POLICIES, c.DEFAULT_MISSING)

    within: str | None = None
    if not is_blank(raw(c.TIER_WITHIN)):
        wanted = c.normalize_header(raw(c.TIER_WITHIN))
        match = next((h for h in roster_header if c.normalize_header(h) == wanted), None)
        if match is None:
            ok = False
            headers = ", ".join(str(h) for h in roster_header if not is_blank(h))
            out.error(Code.UNKNOWN_COLUMN, where(c.TIER_WITHIN),
                      f"{describe(raw(c.TIER_WITHIN))} is no Roster column; expected blank or "
                      f"one of the Roster headers: {headers}")
        else:
            within = str(match).strip()

    outcome: str | None = None
    if not is_blank(raw(c.OUTCOME)):
        wanted = c.normalize_header(raw(c.OUTCOME))
        match = next((h for h in roster_header if c.normalize_header(h) == wanted), None)
        if match is None:
            headers = ", ".join(str(h) for h in roster_header if not is_blank(h))
            out.warn(Code.OUTCOME_NOT_IN_ROSTER, where(c.OUTCOME),
                     f"{describe(raw(c.OUTCOME))} is no Roster column, so the model checks have no "
                     f"outcome to read (a re-score does not use it); expected blank or one of the "
                     f"Roster headers: {headers}")
        else:
            outcome = str(match).strip()

    if not ok or None in (low, high, buffer, method, missing) or quarter is None:
        return None, rows, numeric
    return Settings(
        quarter=quarter, scale_min=float(low), scale_max=float(high),  # type: ignore[arg-type]
        tier_method=method, missing_scores=missing,  # type: ignore[arg-type]
        tier_buffer=float(buffer), tier_within=within, outcome=outcome,  # type: ignore[arg-type]
    ), rows, numeric


def tier_method_as_typed(grid: Grid) -> str | None:
    """The Tier method even when another setting is wrong, so Size errors say what is accepted."""
    for i in range(1, len(grid)):
        if c.normalize_header(cell(grid, i, 0)) == c.normalize_header(c.TIER_METHOD):
            value = cell(grid, i, 1)
            text = str(value).strip().casefold() if not is_blank(value) else c.DEFAULT_TIER_METHOD
            return text if text in c.TIER_METHODS else None
    return c.DEFAULT_TIER_METHOD


# --- Factors ---------------------------------------------------------------------------------

RESERVED_ROSTER = (
    c.PARTNER_ID, c.PARTNER, c.SEGMENT, c.PARTNER_MANAGER, c.TIER_OVERRIDE, c.OVERRIDE_REASON,
    *c.OUTPUT_COLUMNS,
)


def keyed_rows(
    grid: Grid, sheet: str, key_col: int, checked: list[int], key_name: str, out: Collector
) -> list[int]:
    """0-based indexes of rows whose key is filled; a blank key beside filled cells is an error."""
    keyed = [not (v is None or (isinstance(v, str) and not v.strip()))  # not is_blank, inlined
             for v in column(grid, key_col)]
    rows = [i for i in range(1, len(grid)) if keyed[i]]
    for i in [i for i in range(1, len(grid)) if not keyed[i]]:
        filled = [col for col in checked if col != key_col and not is_blank(cell(grid, i, col))]
        if filled:
            out.error(Code.BLANK_KEY, c.cell_ref(sheet, i + 1, key_col + 1),
                      f"blank {key_name} in a row that has values (e.g. "
                      f"{c.cell_ref(sheet, i + 1, filled[0] + 1)}); "
                      f"give the row a {key_name} or clear it")
    return rows


def unique_key(
    value: object, where: str, seen: dict[str, str], what: str, out: Collector
) -> str | None:
    text = as_text(value)
    assert text is not None
    key = c.normalize_header(text)
    if key in seen:
        out.error(Code.DUPLICATE_KEY, where,
                  f"{what} {describe(value)} appears again (first at {seen[key]}); "
                  f"expected each {what} once")
        return None
    seen[key] = where
    return text


def parse_factors(
    grid: Grid, roster_header: list[object], out: Collector
) -> tuple[list[Factor], list[tuple[int, int]], list[int]]:
    """Factors, the (row, col) of each weight, and each factor's 0-based Roster column.

    A factor whose Weight is in error keeps its Roster column, so its scores are checked too and
    every error is reported at once; the lists then differ in length, but an error stops the run.
    """
    sheet = c.FACTORS
    cols = header_columns(grid, sheet, (c.FACTOR, c.WEIGHT), (), out)
    if cols is None:
        return [], [], []
    key, weight_col = cols[c.FACTOR], cols[c.WEIGHT]
    roster_index = {c.normalize_header(h): i for i, h in reversed(list(enumerate(roster_header)))
                    if not is_blank(h)}
    reserved = {c.normalize_header(n) for n in RESERVED_ROSTER}
    factors, cells, roster_cols = [], [], []
    seen: dict[str, str] = {}
    for i in keyed_rows(grid, sheet, key, [key, weight_col], c.FACTOR, out):
        row = i + 1
        where = c.cell_ref(sheet, row, key + 1)
        name = unique_key(cell(grid, i, key), where, seen, "factor", out)
        weight = number_in(cell(grid, i, weight_col), c.cell_ref(sheet, row, weight_col + 1), out,
                           low=0.0, strict_low=True, accepted="a weight > 0, e.g. 35 or 0.35")
        if name is None:
            continue
        folded = c.normalize_header(name)
        if folded in reserved:
            out.error(Code.RESERVED_NAME, where,
                      f"{name!r} is a column the Roster uses for something else; "
                      "expected a factor name of its own")
            continue
        if folded not in roster_index:
            out.error(Code.FACTOR_NOT_IN_ROSTER, where,
                      f"factor {name!r} has no Roster column; expected a Roster header {name!r}")
            continue
        twice = [i for i, h in enumerate(roster_header) if c.normalize_header(h) == folded][1:]
        if twice:
            out.error(Code.DUPLICATE_COLUMN, c.cell_ref(c.ROSTER, 1, twice[0] + 1),
                      f"a second Roster column headed {describe(roster_header[twice[0]])} "
                      f"(first at {c.cell_ref(c.ROSTER, 1, roster_index[folded] + 1)}); "
                      f"expected one column for the factor {name!r}")
            continue
        roster_cols.append(roster_index[folded])  # its scores are checked even if the weight is not
        if weight is None:
            continue
        factors.append(Factor(name, weight))
        cells.append((row, weight_col + 1))
    if not factors and not any(p.where.startswith(sheet) for p in out.errors):
        out.error(Code.NO_FACTORS, c.cell_ref(sheet, 2, key + 1),
                  "no factors; expected 3 to 5 factors, each with a Weight")
    elif factors and not 3 <= len(factors) <= 5:
        out.warn(Code.FACTOR_COUNT, f"{sheet}!A:A",
                 f"{len(factors)} factors; the framework advises 3 to 5 that predict pipeline")
    return factors, cells, roster_cols


# --- Tiers -----------------------------------------------------------------------------------


def parse_tiers(grid: Grid, method: str | None, out: Collector) -> list[Tier]:
    sheet = c.TIERS
    cols = header_columns(grid, sheet, (c.TIER, c.SIZE, c.SERVICE_LEVEL, c.HOURS_PER_PARTNER),
                          (c.HOURS_PER_TIER,), out)
    if cols is None:
        return []
    key, size_col = cols[c.TIER], cols[c.SIZE]
    service_col, hours_col = cols[c.SERVICE_LEVEL], cols[c.HOURS_PER_PARTNER]
    program_col = cols.get(c.HOURS_PER_TIER)
    checked = [key, size_col, service_col, hours_col, *([program_col] if program_col is not None else [])]
    rows = keyed_rows(grid, sheet, key, checked, c.TIER, out)
    accepted = {
        "count": "a whole number of partners ≥ 0",
        "percent": "a share ≥ 0, e.g. 15% (0.15) or 15",
        "threshold": "the lowest score that enters the tier, 0 to 100",
    }.get(method or "", "a number ≥ 0")
    tiers: list[Tier] = []
    size_cells: list[str] = []
    service_cells: list[str] = []
    seen: dict[str, str] = {}
    errors_before = len(out.errors)
    for n, i in enumerate(rows):
        row = i + 1
        name = unique_key(cell(grid, i, key), c.cell_ref(sheet, row, key + 1), seen, "tier", out)
        size_where = c.cell_ref(sheet, row, size_col + 1)
        raw_size = cell(grid, i, size_col)
        size: float | None = None
        if is_blank(raw_size):
            if n < len(rows) - 1:
                out.error(Code.SIZE_BLANK, size_where,
                          f"blank Size before the last tier; expected {accepted} "
                          "(only the last tier may leave Size blank to take the rest)")
        else:
            size = number_in(raw_size, size_where, out, low=0.0,
                             high=100.0 if method == "threshold" else None,
                             whole=method == "count", accepted=accepted)
        hours_raw = cell(grid, i, hours_col)
        hours = 0.0 if is_blank(hours_raw) else number_in(
            hours_raw, c.cell_ref(sheet, row, hours_col + 1), out, low=0.0,
            accepted="hours ≥ 0, e.g. 6")
        program, program_where = 0.0, c.cell_ref(sheet, row, (program_col or hours_col) + 1)
        if program_col is not None and not is_blank(cell(grid, i, program_col)):
            program = number_in(cell(grid, i, program_col), program_where, out, low=0.0,
                                accepted="hours ≥ 0 for the tier's group program, e.g. 8 (blank = 0)")
        service = as_text(cell(grid, i, service_col)) or ""
        if not service and name:
            out.warn(Code.NO_SERVICE_LEVEL, c.cell_ref(sheet, row, service_col + 1),
                     f"tier {name!r} names no service level; a tier without its own service "
                     "is just a label")
        if name is not None and hours is not None and program is not None:
            tiers.append(Tier(name, size, service, hours, program, program_where))
            size_cells.append(size_where)
            service_cells.append(c.cell_ref(sheet, row, service_col + 1))
    if not rows:
        out.error(Code.NO_TIERS, c.cell_ref(sheet, 2, key + 1),
                  "no tiers; expected at least one tier, best first")
    if len(out.errors) > errors_before or not tiers:
        return tiers
    check_tier_sizes(tiers, size_cells, method, out)
    pairs: dict[tuple[str, float, float], str] = {}
    for tier, service_cell in zip(tiers, service_cells, strict=True):
        pair = (c.normalize_header(tier.service_level), tier.hours, tier.hours_per_tier)
        if pair in pairs:
            out.warn(Code.UNDIFFERENTIATED_TIERS, service_cell,
                     f"tiers {pairs[pair]!r} and {tier.name!r} have the same service level and "
                     f"hours; a tier with no differentiated service is just a label")
        pairs.setdefault(pair, tier.name)
    return tiers


def check_tier_sizes(tiers: list[Tier], where: list[str], method: str | None, out: Collector) -> None:
    if method == "percent":
        from ..core.tiers import percent_share

        total = 0.0
        for tier, ref in zip(tiers, where, strict=True):
            total += percent_share(tier.size or 0.0)
            if total > 1 + EPSILON:
                out.error(Code.PERCENT_OVER_100, ref,
                          f"the shares add up to {total:.0%} by tier {tier.name!r}; "
                          "expected shares adding up to 100% or less")
                return
    elif method == "threshold":
        previous: float | None = None
        for tier, ref in zip(tiers, where, strict=True):
            if tier.size is None:
                continue
            if previous is not None and tier.size >= previous - EPSILON:
                out.error(Code.THRESHOLD_NOT_FALLING, ref,
                          f"threshold {tier.size:g} does not fall below the tier above "
                          f"({previous:g}); expected thresholds falling from tier to tier")
            previous = tier.size


def canonical_tier(text: str, tiers: list[Tier]) -> str | None:
    wanted = c.normalize_header(text)
    return next((t.name for t in tiers if c.normalize_header(t.name) == wanted), None)


# --- Team ------------------------------------------------------------------------------------


def parse_team(grid: Grid | None, tiers: list[Tier], out: Collector) -> list[Member]:
    sheet = c.TEAM
    if grid is None:
        out.warn(Code.NO_TEAM_SHEET, f"{sheet}!A1",
                 "no Team sheet: partners in tiers with hours will be Unassigned")
        return []
    cols = header_columns(grid, sheet, (c.MEMBER, c.HOURS_PER_MONTH), (c.FOCUS_TIERS,), out)
    if cols is None:
        return []
    key, hours_col = cols[c.MEMBER], cols[c.HOURS_PER_MONTH]
    focus_col = cols.get(c.FOCUS_TIERS)
    checked = [col for col in (key, hours_col, focus_col) if col is not None]
    names = ", ".join(t.name for t in tiers)
    team: list[Member] = []
    seen: dict[str, str] = {}
    rows = keyed_rows(grid, sheet, key, checked, c.MEMBER, out)
    for i in rows:
        row = i + 1
        name = unique_key(cell(grid, i, key), c.cell_ref(sheet, row, key + 1), seen, "member", out)
        raw_hours = cell(grid, i, hours_col)
        hours = 0.0 if is_blank(raw_hours) else number_in(
            raw_hours, c.cell_ref(sheet, row, hours_col + 1), out, low=0.0,
            accepted="hours a month ≥ 0, e.g. 40")
        focus: list[str] = []
        if focus_col is not None and tiers:
            text = as_text(cell(grid, i, focus_col)) or ""
            for part in (p.strip() for p in text.split(",")):
                if not part:
                    continue
                tier = canonical_tier(part, tiers)
                if tier is None:
                    out.error(Code.UNKNOWN_TIER, c.cell_ref(sheet, row, focus_col + 1),
                              f"{part!r} names no tier; expected blank (any tier) or "
                              f"comma-separated tier names from: {names}")
                else:
                    focus.append(tier)
        if name is not None and hours is not None:
            team.append(Member(name, hours, tuple(dict.fromkeys(focus))))
    if not tiers:
        return team
    last = max((i + 1 for i in rows), default=2)

    def column_cells(col: int) -> str:
        return f"{c.cell_ref(sheet, 2, col + 1)}:{c.cell_ref(sheet, last, col + 1).split('!')[-1]}"

    hours_cells = column_cells(hours_col)
    if sum(m.hours for m in team) <= 0:
        out.warn(Code.NO_TEAM_HOURS, hours_cells,
                 "the team has no hours at all: every partner in a tier with hours will be "
                 "Unassigned; expected hours a month for at least one member")
        return team
    focus_cells = hours_cells if focus_col is None else column_cells(focus_col)
    for tier in tiers:
        if (tier.hours > 0 or tier.hours_per_tier > 0) and not any(
                m.serves(tier.name) and m.hours > 0 for m in team):
            costs = " and ".join(part for part in (
                f"{tier.hours:g} h a partner" if tier.hours > 0 else "",
                f"{tier.hours_per_tier:g} h for its group program" if tier.hours_per_tier > 0 else "",
            ) if part)
            out.warn(Code.TIER_WITHOUT_MEMBER, focus_cells,
                     f"tier {tier.name!r} costs {costs} but no member with "
                     "hours may serve it: its partners will be Unassigned; expected its name in "
                     "the Focus tiers of a member with hours, or a blank Focus tiers (any tier)")
    return team


# --- Roster ----------------------------------------------------------------------------------


def parse_roster(
    grid: Grid, settings: Settings | None, factor_cols: list[int], tiers: list[Tier],
    out: Collector,
) -> tuple[Roster | None, RosterLayout | None]:
    sheet = c.ROSTER
    optional = (c.PARTNER, c.SEGMENT, c.PARTNER_MANAGER, c.TIER_OVERRIDE, c.OVERRIDE_REASON)
    cols = header_columns(grid, sheet, (c.PARTNER_ID,), optional, out)
    header = list(grid[0]) if grid else []
    width = max((len(r) for r in grid), default=0)
    if cols is None:
        return None, None
    outputs = c.find_columns(header, c.OUTPUT_COLUMNS)
    # "Tier" and "Tier override" are distinct headers, so one lookup serves both.
    key = cols[c.PARTNER_ID]
    within_col = None
    if settings is not None and settings.tier_within is not None:
        within_col = c.find_columns(header, [settings.tier_within])[settings.tier_within]
    checked = sorted({*cols.values(), *factor_cols} | ({within_col} if within_col is not None
                                                         else set()))
    rows = keyed_rows(grid, sheet, key, checked, c.PARTNER_ID, out)

    low = settings.scale_min if settings else c.DEFAULT_SCALE_MIN
    high = settings.scale_max if settings else c.DEFAULT_SCALE_MAX
    policy = settings.missing_scores if settings else c.DEFAULT_MISSING
    lines = [grid[i] for i in rows]
    sheet_rows = [i + 1 for i in rows]
    n = len(rows)

    def values(col: int | None) -> list[object]:
        return column(lines, col) if col is not None else [None] * n

    id_values = values(key)
    ids: list[str] = as_texts(id_values)  # type: ignore[assignment]  # keyed rows: never blank
    check_unique_ids(ids, id_values, sheet_rows, key, out)
    scores = np.full((n, len(factor_cols)), np.nan)
    for j, col in enumerate(factor_cols):
        scores[:, j] = factor_scores(values(col), sheet_rows, col, low, high, policy, out)
    name_col, manager_col = cols.get(c.PARTNER), cols.get(c.PARTNER_MANAGER)
    override_col, reason_col = cols.get(c.TIER_OVERRIDE), cols.get(c.OVERRIDE_REASON)
    overrides = tier_overrides(values(override_col), sheet_rows, override_col, tiers, out)
    reasons = as_texts(values(reason_col))
    for row, override, reason in zip(sheet_rows, overrides, reasons, strict=True):
        if override is not None and reason is None:
            where = (c.cell_ref(sheet, row, reason_col + 1) if reason_col is not None
                     else c.cell_ref(sheet, row, override_col + 1))  # type: ignore[operator]
            out.error(Code.REASON_REQUIRED, where,
                      f"Tier override {override!r} has no reason; expected an Override reason")
    groups: list[object] | None = None
    if within_col is not None:
        groups = [c.normalize_header(as_text(value)) if not is_blank(value) else ""
                  for value in values(within_col)]
    names = values(name_col)
    layout = RosterLayout(
        header=header, columns=cols, factor_columns=factor_cols, output_columns=outputs,
        rows=sheet_rows, height=len(grid), width=width, filled_width=filled_width(grid),
        uncalculated=Uncalculated in map(type, names) or Uncalculated in map(type, id_values),
    )
    override_cells = (c.cell_refs(sheet, sheet_rows, override_col + 1) if override_col is not None
                      else [""] * n)
    roster = Roster(ids, names, as_texts(values(manager_col)) if manager_col is not None
                    else [None] * n, scores, overrides, reasons, groups, override_cells, id_values)
    return roster, layout


def filled_width(grid: Grid) -> int:
    """Columns up to the last non-blank cell of any row (only rows longer than that can widen it)."""
    width = 0
    for line in grid:
        if len(line) > width:
            width = max(width, last_filled_column(line) + 1)
    return width


def check_unique_ids(ids: list[str], id_values: list[object], sheet_rows: list[int], key: int,
                     out: Collector) -> None:
    if len(set(ids)) == len(ids):
        return
    seen: dict[str, str] = {}
    for text, raw_id, row in zip(ids, id_values, sheet_rows, strict=True):
        where = c.cell_ref(c.ROSTER, row, key + 1)
        if text in seen:
            out.error(Code.DUPLICATE_KEY, where,
                      f"Partner ID {describe(raw_id)} appears again (first at {seen[text]}); "
                      "expected each Partner ID once")
        else:
            seen[text] = where


def factor_scores(values: list[object], sheet_rows: list[int], col: int, low: float, high: float,
                  policy: str, out: Collector) -> np.ndarray:
    """One factor's scores, NaN where blank or in error; an error for each cell that is neither
    blank nor a number on the scale (blanks too when Missing scores is `error`)."""
    found = as_numbers(values)
    on_scale = (found >= low - EPSILON) & (found <= high + EPSILON)
    accepted = f"a number from {low:g} to {high:g}"
    for k in np.flatnonzero(~on_scale).tolist():
        value, where = values[k], c.cell_ref(c.ROSTER, sheet_rows[k], col + 1)
        if is_blank(value):
            if policy == "error":
                out.error(Code.MISSING_SCORE, where,
                          f"blank factor score; expected {accepted} "
                          "(or set Missing scores to lowest or exclude)")
        elif as_number(value) is None:
            out.error(not_a_number_code(value), where,
                      f"{describe(value)} is not a number; expected {accepted}")
        else:
            out.error(Code.OUT_OF_RANGE, where,
                      f"{describe(value)} is outside the scale; expected {accepted}")
    return np.where(on_scale, found, np.nan)


def tier_overrides(values: list[object], sheet_rows: list[int], col: int | None, tiers: list[Tier],
                   out: Collector) -> list[str | None]:
    """Each row's Tier override as the tier's own name; None where blank or naming no tier."""
    canonical: dict[str, str | None] = {}
    overrides: list[str | None] = [None] * len(values)
    for k in [k for k, value in enumerate(values) if value is not None]:
        value, row = values[k], sheet_rows[k]
        if is_blank(value):
            continue
        text = str(value)
        if text not in canonical:
            canonical[text] = canonical_tier(text, tiers)
        override = canonical[text]
        if override is None and tiers:
            out.error(Code.UNKNOWN_TIER, c.cell_ref(c.ROSTER, row, col + 1),  # type: ignore[operator]
                      f"{describe(value)} names no tier; expected blank or one of: "
                      + ", ".join(t.name for t in tiers))
        overrides[k] = override
    return overrides


# --- History and log -------------------------------------------------------------------------


def parse_archive(grid: Grid, quarter: str) -> ArchivedQuarter:
    """An archive is our own output: read leniently, skipping rows without a Partner ID."""
    header = list(grid[0]) if grid else []
    cols = c.find_columns(header, (c.PARTNER_ID, c.PARTNER, c.SCORE, c.RANK, c.TIER_OUT, c.ASSIGNED_TO))
    key = cols.get(c.PARTNER_ID)
    if key is None:
        return ArchivedQuarter(quarter, [], [], [], [], [])
    body = grid[1:]
    ids = as_texts(column(body, key))
    lines = [line for line, pid in zip(body, ids, strict=True) if pid is not None]

    def values(name: str) -> list[object]:
        return column(lines, cols[name]) if name in cols else [None] * len(lines)

    scores = floats_or_none(as_numbers(values(c.SCORE)))
    ranks = [None if v != v else int(v) for v in as_numbers(values(c.RANK)).tolist()]
    return ArchivedQuarter(
        quarter, [pid for pid in ids if pid is not None], values(c.PARTNER), scores, ranks,
        as_texts(values(c.TIER_OUT)), id_values=column(lines, key),
        assigned_to=as_texts(values(c.ASSIGNED_TO)) if c.ASSIGNED_TO in cols else [],
    )


def parse_log(grid: Grid | None) -> tuple[list[object], int, str | None]:
    """The Log's header, the row to append at (1-based), and the quarter of its last row."""
    if not grid:
        return [], 2, None
    header = list(grid[0])
    last = last_filled_row(grid)
    quarter_col = c.find_columns(header, (c.LOG_HEADERS[1],)).get(c.LOG_HEADERS[1])
    quarter = None
    if quarter_col is not None:
        for i in range(last, 0, -1):
            text = as_text(cell(grid, i, quarter_col))
            if text is not None:
                quarter = text if c.QUARTER_PATTERN.match(text) else None
                break
    return header, max(last + 2, 2), quarter


# --- The whole workbook ----------------------------------------------------------------------


def parse_workbook(
    sheet_names: list[str],
    read: Mapping[str, Grid],
    archives: Mapping[str, Grid] | None = None,
    snapshot: Grid | Callable[[], Grid | None] | None = None,
) -> Parsed:
    """Parse every input sheet; raise InputErrors carrying every problem when anything is wrong.

    `read` maps contract sheet names (Settings, Factors, ...) to grids of the sheets present;
    `archives` maps archived quarters to their grids (only those before the Quarter are looked
    up); `snapshot` is the Roster as it stood after the last re-score, archived first when the
    Quarter has moved on (or a function that reads it then).
    """
    out = Collector()
    archives = archives or {}
    quarters = list(archives)
    sheets = {name: found for name in (*c.INPUT_SHEETS, c.LOG, c.CAPACITY, c.COMPARE, c.SNAPSHOT)
              if (found := find_sheet(sheet_names, name)) is not None}
    for name in (c.SETTINGS, c.FACTORS, c.TIERS, c.ROSTER):
        if name not in read:
            out.error(Code.MISSING_SHEET, f"{name}!A1",
                      f"no sheet named {name!r}; expected the sheets "
                      + ", ".join(c.INPUT_SHEETS))
    if out.errors:
        raise InputErrors(out.errors)

    roster_grid = read[c.ROSTER]
    roster_header = list(roster_grid[0]) if roster_grid else []
    settings, setting_rows, numeric = parse_settings(read[c.SETTINGS], roster_header, out)
    factors, weight_cells, factor_cols = parse_factors(read[c.FACTORS], roster_header, out)
    tiers = parse_tiers(read[c.TIERS], settings.tier_method if settings else
                        tier_method_as_typed(read[c.SETTINGS]), out)
    team = parse_team(read.get(c.TEAM), tiers, out)
    roster, roster_layout = parse_roster(roster_grid, settings, factor_cols, tiers, out)
    log_header, log_next, results_quarter = parse_log(read.get(c.LOG))

    history: list[ArchivedQuarter] = []
    archive: tuple[str, Grid] | None = None
    if settings is not None:
        current = c.quarter_key(settings.quarter)
        if results_quarter is not None and current < c.quarter_key(results_quarter):
            out.error(Code.QUARTER_BACKWARDS, c.cell_ref(c.SETTINGS, setting_rows[c.QUARTER], 2),
                      f"{settings.quarter} is earlier than the current results' quarter "
                      f"{results_quarter}; expected {results_quarter} or later")
        elif results_quarter is not None and current > c.quarter_key(results_quarter):
            if results_quarter in archives:
                out.warn(Code.ARCHIVE_EXISTS, c.archive_sheet_name(results_quarter),
                         f"{c.archive_sheet_name(results_quarter)!r} exists already and is kept "
                         "as it is; the current results were not archived again")
            elif (last := snapshot() if callable(snapshot) else snapshot) is not None:
                archive = (results_quarter, last)
                quarters.append(results_quarter)
        for quarter in sorted(quarters, key=c.quarter_key):
            if c.quarter_key(quarter) < current:
                grid = archive[1] if archive and quarter == archive[0] else archives[quarter]
                history.append(parse_archive(grid, quarter))

    if out.errors:
        raise InputErrors(sorted(out.errors, key=reading_order))
    assert settings is not None and roster is not None and roster_layout is not None
    if not len(roster):
        out.warn(Code.NO_PARTNERS, c.cell_ref(c.ROSTER, 2, roster_layout.columns[c.PARTNER_ID] + 1),
                 "the Roster has no partners yet; add one row per partner from row 2")
    inputs = Inputs(settings, factors, tiers, team, roster, history, out.warnings)
    layout = Layout(
        sheets=sheets, sheet_order=list(sheet_names), setting_rows=setting_rows,
        numeric_settings=numeric, weight_cells=weight_cells, roster=roster_layout,
        log_header=log_header, log_next_row=log_next, archives=quarters,
    )
    return Parsed(inputs, layout, results_quarter, archive)
