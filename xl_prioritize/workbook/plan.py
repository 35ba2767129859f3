"""Results in, the write plan out: every cell a re-score writes, as data."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import NamedTuple

from ..core.scoring import floats_or_none
from ..model import Inputs, Results
from . import contract as c
from .capacity_sheet import capacity_ops
from .cells import Formula, Grid, Uncalculated, cell, column, is_formula, last_filled_column
from .compare_sheet import compare_ops
from .formulas import absolute, absolute_range, score_formula_for_rows, weight_names
from .integrity import archive_name, grid_fingerprint, log_name, log_row_fingerprint, record
from .ops import (
    Area,
    AutoFilter,
    CellValue,
    ClearSheet,
    ColumnWidths,
    DefineName,
    EnsureSheet,
    FreezePanes,
    Operation,
    PageSetup,
    Plan,
    ProtectSheet,
    Style,
    WriteBlock,
    header_style,
)
from .parse import Parsed, find_sheet
from .scorecard_sheet import RosterRanges, scorecard_ops
from .snapshot import encode_rows
from .staleness import tiered_on_column, tiered_on_ops
from .widths import HEADER_SLACK, PADDING, fitted_widths, widen_to_headers

OVERRIDE_FONT = "C65911"
SCORE_FORMAT = "0.0"
LOG_WIDTHS = {"Run at": 20, "Quarter": 9, "Run by": 14, "Mode": 7, "Partners": 9, "Warnings": 60,
              "Weights": 48, "Input fingerprint": 18}
MAX_CELL_TEXT = 32_000


class RunInfo(NamedTuple):
    """When, by whom and from where a re-score runs: the Log's line."""

    run_at: dt.datetime
    run_by: str
    mode: str
    """`File` for the command line, `Excel` for the button."""


class Seen(NamedTuple):
    """What a re-score reads of the sheets it owns only in part, to keep what people chose there."""

    scorecard_pick: object = None
    """The partner picked on the Scorecard, kept across re-scores."""


class RosterOutput(NamedTuple):
    """Where each output column stands (1-based) and the rows the re-score owns in them."""

    columns: dict[str, int]
    new_columns: tuple[str, ...]
    last_row: int


def roster_output_layout(parsed: Parsed) -> RosterOutput:
    roster = parsed.layout.roster
    columns = {name: col + 1 for name, col in roster.output_columns.items()}
    # right of every filled cell, not just the header: a headerless column of notes is the user's
    next_col = max(last_filled_column(roster.header) + 2, roster.filled_width + 1)
    new = []
    for name in c.OUTPUT_COLUMNS:
        if name not in columns:
            columns[name] = next_col
            next_col += 1
            new.append(name)
    last_row = max(roster.height, roster.rows[-1] if roster.rows else 1, 1)
    return RosterOutput(columns, tuple(new), last_row)


def plain_scores(results: Results) -> list[float | None]:
    """Each partner's Score as a number, None where unscored."""
    return floats_or_none(results.score)


def output_values(parsed: Parsed, results: Results, formulas: bool) -> dict[str, list[CellValue]]:
    """Per output column, one value per partner (roster order). Score as formula or as number."""
    score: list[CellValue] = list(plain_scores(results))
    if formulas:
        inputs = parsed.inputs
        roster = parsed.layout.roster
        formula_at = score_formula_for_rows([col + 1 for col in roster.factor_columns],
                                            weight_names([f.name for f in inputs.factors]),
                                            inputs.settings.missing_scores)
        score = [Formula(formula_at(row), "" if s is None else s)
                 for row, s in zip(roster.rows, score, strict=True)]
    return {
        c.SCORE: score,
        c.RANK: [r if r > 0 else None for r in results.rank.tolist()],
        c.TIER_OUT: list(results.tier),
        c.SERVICE_LEVEL: [s or None for s in results.service_level],
        c.PREVIOUS_TIER: list(results.previous_tier),
        c.MOVEMENT: list(results.movement),
        c.ASSIGNED_TO: list(results.capacity.assigned_to),
    }


def roster_ops(parsed: Parsed, results: Results, out: RosterOutput) -> Plan:
    sheet = parsed.layout.sheets[c.ROSTER]
    roster = parsed.layout.roster
    values = output_values(parsed, results, formulas=True)
    ops: Plan = []
    height = out.last_row - 1
    for run in contiguous_runs(sorted(out.columns.items(), key=lambda item: item[1])):
        start = run[0][1]
        if height > 0:
            columns = [roster.on_sheet_rows(values[name], out.last_row) for name, _ in run]
            ops.append(WriteBlock(sheet, 2, start, tuple(zip(*columns, strict=True))))
    for name in out.new_columns:
        col = out.columns[name]
        ops.append(WriteBlock(sheet, 1, col, ((name,),)))
        ops.append(header_style(sheet, Area(1, col)))
    if height > 0:
        ops.append(Style(sheet, Area(2, out.columns[c.SCORE], height), number_format=SCORE_FORMAT))
        ops.append(Style(sheet, Area(2, out.columns[c.TIER_OUT], height), italic=False,
                         font_color=""))
        tier_col = out.columns[c.TIER_OUT]
        for i, override in enumerate(parsed.inputs.roster.overrides):
            if override is not None:
                ops.append(Style(sheet, Area(roster.rows[i], tier_col), italic=True,
                                 font_color=OVERRIDE_FONT))
    ops.append(AutoFilter(sheet, Area(1, 1, out.last_row, max(out.columns.values()))))
    return ops


def contiguous_runs(columns: list[tuple[str, int]]) -> list[list[tuple[str, int]]]:
    runs: list[list[tuple[str, int]]] = []
    for item in columns:
        if runs and item[1] == runs[-1][-1][1] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


def name_ops(parsed: Parsed) -> Plan:
    """The defined names the Score formula reads: scale bounds and one per factor weight."""
    inputs, layout = parsed.inputs, parsed.layout
    settings_sheet = layout.sheets[c.SETTINGS]
    factors_sheet = layout.sheets[c.FACTORS]
    ops: Plan = []
    for name, setting, value in (
        (c.NAME_SCALE_MIN, c.SCALE_MIN, inputs.settings.scale_min),
        (c.NAME_SCALE_MAX, c.SCALE_MAX, inputs.settings.scale_max),
    ):
        row = layout.setting_rows.get(setting)
        typed = row is not None and setting in layout.numeric_settings
        refers = absolute(settings_sheet, row, 2) if typed and row else f"{value:g}"
        ops.append(DefineName(name, refers))
    names = weight_names([f.name for f in inputs.factors])
    for name, (row, col) in zip(names, layout.weight_cells, strict=True):
        ops.append(DefineName(name, absolute(factors_sheet, row, col)))
    weight_rows = [row for row, _ in layout.weight_cells]
    col = layout.weight_cells[0][1]
    ops.append(DefineName(c.NAME_WEIGHTS, absolute_range(factors_sheet, min(weight_rows), col,
                                                         max(weight_rows), col)))
    return ops


def roster_snapshot(parsed: Parsed, results: Results, grid: Grid, out: RosterOutput,
                    tiered_col: int) -> Grid:
    """The Roster as it stands after this re-score, as values, hidden `Score when tiered` column
    included: the next archive's source."""
    roster = parsed.layout.roster
    values = output_values(parsed, results, formulas=False)
    width = max(max(out.columns.values()), roster.width, tiered_col)
    lines = [*grid[:out.last_row], *[()] * (out.last_row - len(grid))]
    written = {col - 1: (name if name in out.new_columns else _plain(cell(lines, 0, col - 1)),
                         roster.on_sheet_rows(values[name], out.last_row))
               for name, col in out.columns.items()}
    written[tiered_col - 1] = (c.TIERED_ON, roster.on_sheet_rows(values[c.SCORE], out.last_row))
    columns = []
    for k in range(width):
        if k in written:
            head, body = written[k]
            columns.append([head, *body])
        else:
            columns.append(values_of(column(lines, k)))
    return list(zip(*columns, strict=True))


def values_of(cells: list[object]) -> list[object]:
    """A column as values: formulas as None."""
    if any(issubclass(kind, Formula) for kind in set(map(type, cells))):
        return [None if is_formula(v) else v for v in cells]
    return cells


def sheet_order_after(parsed: Parsed, created: list[str]) -> str:
    """The last working sheet once this run's new sheets exist: archives go right after it."""
    order = [n for n in parsed.layout.sheet_order
             if c.quarter_of_archive(n) is None and n != parsed.layout.sheets.get(c.SNAPSHOT)]
    for name in created:
        if name not in order:
            order.append(name)
    return order[-1]


def owned_sheet(parsed: Parsed, name: str, after: str) -> tuple[str, EnsureSheet]:
    actual = parsed.layout.sheets.get(name, name)
    return actual, EnsureSheet(actual, after=after)


def fingerprint(inputs: Inputs) -> str:
    """A short hash of everything a re-score reads: equal inputs, equal fingerprint."""
    roster = inputs.roster
    payload = {
        "settings": inputs.settings.__dict__,
        "factors": [(f.name, f.weight) for f in inputs.factors],
        "tiers": [(t.name, t.size, t.service_level, t.hours, t.hours_per_tier) for t in inputs.tiers],
        "team": [(m.name, m.hours, m.focus_tiers) for m in inputs.team],
        "ids": roster.ids,
        "names": [str(n) for n in roster.names],
        "managers": roster.managers,
        "scores": floats_or_none(roster.scores.ravel()),
        "overrides": roster.overrides,
        "reasons": roster.override_reasons,
        "groups": roster.groups,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def log_ops(parsed: Parsed, results: Results, info: RunInfo, sheet: str) -> Plan:
    header = parsed.layout.log_header
    found = c.find_columns(header, c.LOG_HEADERS)
    ops: Plan = []
    next_col = last_filled_column(header) + 2
    columns: dict[str, int] = {}
    for name in c.LOG_HEADERS:
        if name in found:
            columns[name] = found[name] + 1
        else:
            columns[name] = next_col
            ops.append(WriteBlock(sheet, 1, next_col, ((name,),)))
            ops.append(header_style(sheet, Area(1, next_col)))
            next_col += 1
    created = [name for name in c.LOG_HEADERS if name not in found]
    if created:  # style and widths come with the headers; afterwards they are the reader's
        ops.append(ColumnWidths(sheet, tuple(
            (columns[name], max(LOG_WIDTHS[name], len(name) * HEADER_SLACK + PADDING))
            for name in created)))
    inputs = parsed.inputs
    warnings = "; ".join(str(w) for w in [*inputs.warnings, *results.warnings])
    weights = "; ".join(f"{f.name} {f.weight:g}" for f in inputs.factors)
    row_values = {
        "Run at": info.run_at.replace(microsecond=0, tzinfo=None),
        "Quarter": inputs.settings.quarter,
        "Run by": info.run_by,
        "Mode": info.mode,
        "Partners": len(inputs.roster),
        "Warnings": warnings[:MAX_CELL_TEXT] or None,
        "Weights": weights,
        "Input fingerprint": fingerprint(inputs),
    }
    row = parsed.layout.log_next_row
    for name, value in row_values.items():
        ops.append(WriteBlock(sheet, row, columns[name], ((value,),)))
    ops.append(record(log_name(row), log_row_fingerprint(row_values)))
    ops.append(Style(sheet, Area(row, columns["Run at"]), number_format="yyyy-mm-dd hh:mm:ss"))
    if not header:
        ops.append(FreezePanes(sheet, 2))
    return ops


def archive_position(parsed: Parsed, earlier: Plan) -> str:
    """The sheet a new archive goes right after: before the newest archive already there, so
    archives stand newest first; with none yet, after the last working sheet."""
    order = list(parsed.layout.sheet_order)
    for op in earlier:
        if isinstance(op, EnsureSheet) and op.sheet not in order:
            at = order.index(op.after) + 1 if op.after in order else len(order)
            order.insert(at, op.sheet)
    first = next((i for i, n in enumerate(order) if c.quarter_of_archive(n) is not None), None)
    if first:
        return order[first - 1]
    snapshot = parsed.layout.sheets.get(c.SNAPSHOT)
    return [n for n in order if n != snapshot and c.quarter_of_archive(n) is None][-1]


def archive_ops(parsed: Parsed, after: str) -> Plan:
    """The archive of the last quarter's results, from the snapshot, as values and protected."""
    if parsed.archive is None:
        return []
    quarter, grid = parsed.archive
    sheet = c.archive_sheet_name(quarter)
    width = max((len(r) for r in grid), default=0)
    values = tuple(tuple(_plain(v) for v in list(r) + [None] * (width - len(r))) for r in grid)
    while values and all(v is None for v in values[-1]):
        values = values[:-1]  # blank rows below the roster are not part of it
    ops: Plan = [EnsureSheet(sheet, after=after), record(archive_name(sheet),
                                                         grid_fingerprint(values))]
    if values and width:
        header, body = values[0], values[1:]
        ops += [
            WriteBlock(sheet, 1, 1, values),
            header_style(sheet, Area(1, 1, 1, width)),
            ColumnWidths(sheet, fitted_widths(header, body, maximum=40)),
            FreezePanes(sheet, 2),
            AutoFilter(sheet, Area(1, 1, len(values), width)),
        ]
        score = c.find_columns(header, (c.SCORE,)).get(c.SCORE)
        if score is not None and body:
            ops.append(Style(sheet, Area(2, score + 1, len(body)), number_format=SCORE_FORMAT))
    ops += [ProtectSheet(sheet, allow_filter=True, allow_format_columns=True), PageSetup(sheet)]
    return ops


def _plain(value: object) -> CellValue:
    return None if is_formula(value) else value


def snapshot_ops(snapshot: Grid, sheet: str) -> Plan:
    return [
        EnsureSheet(sheet, hidden=True),
        ClearSheet(sheet),
        WriteBlock(sheet, 1, 1, encode_rows(snapshot)),
    ]


def roster_ranges(parsed: Parsed, out: RosterOutput, tiered_col: int) -> RosterRanges:
    roster = parsed.layout.roster
    columns = dict(out.columns)
    columns[c.TIERED_ON] = tiered_col
    columns[c.PARTNER_ID] = roster.columns[c.PARTNER_ID] + 1
    columns[c.PARTNER] = roster.columns.get(c.PARTNER, roster.columns[c.PARTNER_ID]) + 1
    settings = parsed.inputs.settings
    group = None
    if settings.tier_within and settings.tier_method != "threshold":
        found = c.find_columns(roster.header, (settings.tier_within,))
        group = found[settings.tier_within] + 1 if found else None
    override = roster.columns.get(c.TIER_OVERRIDE)
    return RosterRanges(parsed.layout.sheets[c.ROSTER], out.last_row, columns,
                        [col + 1 for col in roster.factor_columns],
                        override + 1 if override is not None else None, group)


def audit_ops(parsed: Parsed, results: Results, out: RosterOutput, seen: Seen, earlier: Plan) -> Plan:
    """The hidden Score the tiers were cut on, its highlight and count, and the Scorecard."""
    tiered_col = tiered_on_column(parsed, out.columns)
    ops = tiered_on_ops(parsed, results, out.columns, out.last_row)
    roster = parsed.layout.sheets[c.ROSTER]
    archives = [op.sheet for op in earlier if isinstance(op, EnsureSheet)
                and c.quarter_of_archive(op.sheet)]
    archives += [c.archive_sheet_name(q) for q in parsed.layout.archives
                 if c.archive_sheet_name(q) not in archives]
    archives.sort(key=lambda name: c.quarter_key(c.quarter_of_archive(name) or "0000-Q1"),
                  reverse=True)
    scorecard = find_sheet(parsed.layout.sheet_order, c.SCORECARD) or c.SCORECARD
    ops += scorecard_ops(parsed, results, roster_ranges(parsed, out, tiered_col), scorecard,
                         after=roster, previous=seen.scorecard_pick, archives=archives)
    return ops


def build_plan(parsed: Parsed, results: Results, roster_grid: Grid, info: RunInfo,
               seen: Seen | None = None) -> Plan:
    out = roster_output_layout(parsed)
    ops: list[Operation] = []
    ops += roster_ops(parsed, results, out)
    ops += name_ops(parsed)

    last_working = sheet_order_after(parsed, [])
    created: list[str] = []
    sheets: dict[str, str] = {}
    for name in (c.CAPACITY, c.COMPARE, c.LOG):
        actual, ensure = owned_sheet(parsed, name, after=sheet_order_after(parsed, created)
                                     if created else last_working)
        sheets[name] = actual
        if name not in parsed.layout.sheets:
            created.append(actual)
        ops.append(ensure)
    ops += capacity_ops(parsed, results, sheets[c.CAPACITY])
    ops += compare_ops(parsed, results, sheets[c.COMPARE])
    ops += log_ops(parsed, results, info, sheets[c.LOG])
    ops += [PageSetup(sheets[name]) for name in (c.CAPACITY, c.COMPARE, c.LOG)]
    ops += archive_ops(parsed, after=archive_position(parsed, ops))
    owned = {*sheets.values(), *(op.sheet for op in ops if isinstance(op, ProtectSheet))}
    ops += widen_to_headers(ops, owned)
    ops += audit_ops(parsed, results, out, seen or Seen(), ops)

    snapshot_sheet = parsed.layout.sheets.get(c.SNAPSHOT, c.SNAPSHOT)
    snapshot = roster_snapshot(parsed, results, roster_grid, out, tiered_on_column(parsed, out.columns))
    ops += snapshot_ops(snapshot, snapshot_sheet)
    return copy_unreadable_as_is(ops) if parsed.layout.roster.uncalculated else ops


def copy_unreadable_as_is(plan: Plan) -> Plan:
    """A user's formula that no spreadsheet has calculated has no value to copy: it is copied as
    the formula it is, never replaced by a message or a placeholder. Only a Partner ID or Partner
    cell of the Roster can bring one into the plan (the layout says whether any does)."""
    def as_is(value: CellValue) -> CellValue:
        return Formula(value.formula) if isinstance(value, Uncalculated) else value

    copied: Plan = []
    for op in plan:
        if isinstance(op, WriteBlock) and any(isinstance(v, Uncalculated) for row in op.values for v in row):
            values = tuple(tuple(as_is(v) for v in row) for row in op.values)
            op = WriteBlock(op.sheet, op.row, op.col, values)
        copied.append(op)
    return copied

