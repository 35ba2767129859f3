"""The Compare sheet: this quarter against the latest archive, transitions, climbers, trend."""

from __future__ import annotations

import math

from ..core import history
from ..model import Results
from . import contract as c
from .ops import Area, Chart, ClearSheet, ColumnWidths, FreezePanes, Plan, Style, WriteBlock, header_style
from .parse import Parsed
from .widths import fitted_column_widths, fitted_widths


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _cells(values: list[object]) -> list[object]:
    """`_cell` of each value; a column without floats (text, or blanks only) as it is."""
    if any(issubclass(kind, float) for kind in set(map(type, values))):
        return [_cell(v) for v in values]
    return values


def partner_id_values(parsed: Parsed) -> dict[str, object]:
    """Each Partner ID's text -> the value its cell holds, so the number 7 stays a number."""
    inputs = parsed.inputs
    values: dict[str, object] = {}
    if inputs.history:
        latest = inputs.history[-1]
        values.update(zip(latest.partner_ids, latest.id_values, strict=False))
    roster = inputs.roster
    if roster.id_values is not None:
        values.update(zip(roster.ids, roster.id_values, strict=True))
    return values


SCORE_FORMAT = "0.0"
LABEL_HEADER = "Last quarter \\ This quarter"
MOVERS_HEADERS = ("Partner ID", "Partner", "Why")


def compare_ops(parsed: Parsed, results: Results, sheet: str) -> Plan:
    """The table from A1; to its right, after a blank column: the transition matrix with the tier
    sizes by quarter under it (label and tier columns aligned), then Climbers and Fallers side by
    side. Each block has columns of its own, sized to what it holds."""
    inputs = parsed.inputs
    tier_names = inputs.tier_names
    table = results.compare
    as_typed = partner_id_values(parsed)
    fields = [list(values) for values in zip(*table, strict=True)] or [[] for _ in c.COMPARE_HEADERS]
    ids, partners, previous_scores = fields[:3]
    # only a name or an archived score can be a NaN the sheet shows blank: the rest are the core's
    columns = [[as_typed.get(pid, pid) for pid in ids], _cells(partners), _cells(previous_scores),
               *fields[3:]]
    body = list(zip(*columns, strict=True))
    ops: Plan = [
        ClearSheet(sheet),
        WriteBlock(sheet, 1, 1, (tuple(c.COMPARE_HEADERS), *body)),
        header_style(sheet, Area(1, 1, 1, len(c.COMPARE_HEADERS))),
        FreezePanes(sheet, 2),
        ColumnWidths(sheet, fitted_column_widths(c.COMPARE_HEADERS, columns, maximum=40)),
    ]
    if body:
        ops.append(Style(sheet, Area(2, 3, len(body), 3), number_format=SCORE_FORMAT))

    side = len(c.COMPARE_HEADERS) + 2
    ops += _matrix_and_trend(parsed, results, sheet, side)
    movers_col = side + len(tier_names) + 4  # label, tiers, Unscored, left, then a blank column
    found_up, found_down = (history.movers(direction, inputs.roster.ids, inputs.roster.names,
                                           results.movement, table, inputs.history, tier_names)
                            for direction in ("up", "down"))
    ops += _movers(sheet, movers_col, "Climbers", found_up, bool(inputs.history))
    ops += _movers(sheet, movers_col + len(MOVERS_HEADERS) + 1, "Fallers", found_down,
                   bool(inputs.history))
    return ops


def _matrix_and_trend(parsed: Parsed, results: Results, sheet: str, side: int) -> Plan:
    inputs = parsed.inputs
    tier_names = inputs.tier_names
    labels, cols, counts = history.transition_matrix(results.compare, tier_names)
    matrix = [(LABEL_HEADER, *cols)]
    matrix += [(label, *line) for label, line in zip(labels, counts, strict=True)]
    quarters, sizes = history.tier_sizes_by_quarter(inputs.history, inputs.settings.quarter,
                                                    results.tier, tier_names)
    trend = [("Quarter", *tier_names)]
    trend += [(q, *line) for q, line in zip(quarters, sizes, strict=True)]
    trend_top = len(matrix) + 3
    widths = fitted_widths(matrix[0], [*matrix[1:], *trend], side)
    return [
        WriteBlock(sheet, 1, side, tuple(matrix)),
        header_style(sheet, Area(1, side, 1, len(cols) + 1)),
        Style(sheet, Area(2, side, len(labels), 1), bold=True),
        WriteBlock(sheet, trend_top - 1, side, (("Tier sizes by quarter",),)),
        Style(sheet, Area(trend_top - 1, side), bold=True),
        WriteBlock(sheet, trend_top, side, tuple(trend)),
        header_style(sheet, Area(trend_top, side, 1, len(tier_names) + 1)),
        Chart(
            sheet, "Tier sizes", "column", "Partners per tier by quarter",
            categories=Area(trend_top + 1, side, len(quarters), 1),
            series=tuple(Area(trend_top, side + 1 + k, len(quarters) + 1, 1)
                         for k in range(len(tier_names))),
            anchor=Area(trend_top + len(trend) + 1, side, 15, len(cols) + 1), y_title="Partners",
        ),
        ColumnWidths(sheet, widths),
    ]


def _movers(sheet: str, col: int, title: str, found: list[tuple[str, object, str]],
            archived: bool) -> Plan:
    none = "(none)" if archived else f"(none yet: {title.lower()} need an archived quarter)"
    block = [(title, None, None), MOVERS_HEADERS, *(found or [(none, None, None)])]
    return [
        WriteBlock(sheet, 1, col, tuple(block)),
        Style(sheet, Area(1, col), bold=True),
        header_style(sheet, Area(2, col, 1, len(MOVERS_HEADERS))),
        ColumnWidths(sheet, fitted_widths(MOVERS_HEADERS, found, col, maximum=36)),
    ]
