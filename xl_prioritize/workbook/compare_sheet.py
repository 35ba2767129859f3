"""The Compare sheet: this quarter against the latest archive, transitions, climbers, trend."""

from __future__ import annotations

import math

from ..core import history
from ..model import Results
from . import contract as c
from .ops import Area, Chart, ClearSheet, ColumnWidths, FreezePanes, Plan, Style, WriteBlock, header_style
from .parse import Parsed


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


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


def compare_ops(parsed: Parsed, results: Results, sheet: str) -> Plan:
    inputs = parsed.inputs
    tier_names = inputs.tier_names
    table = results.compare
    rows = [tuple(c.COMPARE_HEADERS)]
    as_typed = partner_id_values(parsed)
    rows += [(as_typed.get(record.partner_id, record.partner_id),
              *(_cell(v) for v in record.cells()[1:])) for record in table]
    ops: Plan = [
        ClearSheet(sheet),
        WriteBlock(sheet, 1, 1, tuple(rows)),
        header_style(sheet, Area(1, 1, 1, len(c.COMPARE_HEADERS))),
        FreezePanes(sheet, 2),
    ]
    if len(rows) > 1:
        ops.append(Style(sheet, Area(2, 3, len(rows) - 1, 3), number_format="0.0"))

    side = len(c.COMPARE_HEADERS) + 2
    labels, cols, counts = history.transition_matrix(table, tier_names)
    matrix = [("Last quarter \\ This quarter", *cols)]
    matrix += [(label, *line) for label, line in zip(labels, counts, strict=True)]
    ops += [
        WriteBlock(sheet, 1, side, tuple(matrix)),
        header_style(sheet, Area(1, side, 1, len(cols) + 1)),
        Style(sheet, Area(2, side, len(labels), 1), bold=True),
    ]

    top = len(matrix) + 2
    found = history.climbers(inputs.roster.ids, inputs.roster.names, results.movement, table,
                             inputs.history, tier_names)
    climb = [("Climbers", None, None), ("Partner ID", "Partner", "Why")]
    none = "(none)" if inputs.history else "(none yet: climbers need an archived quarter)"
    climb += found or [(none, None, None)]
    ops += [
        WriteBlock(sheet, top, side, tuple(climb)),
        Style(sheet, Area(top, side), bold=True),
        header_style(sheet, Area(top + 1, side, 1, 3)),
    ]

    trend_top = top + len(climb) + 2
    quarters, sizes = history.tier_sizes_by_quarter(inputs.history, inputs.settings.quarter,
                                                    results.tier, tier_names)
    trend = [("Quarter", *tier_names)]
    trend += [(q, *line) for q, line in zip(quarters, sizes, strict=True)]
    ops += [
        WriteBlock(sheet, trend_top - 1, side, (("Tier sizes by quarter",),)),
        Style(sheet, Area(trend_top - 1, side), bold=True),
        WriteBlock(sheet, trend_top, side, tuple(trend)),
        header_style(sheet, Area(trend_top, side, 1, len(tier_names) + 1)),
        Chart(
            sheet, "Tier sizes", "column", "Partners per tier by quarter",
            categories=Area(trend_top + 1, side, len(quarters), 1),
            series=tuple(Area(trend_top, side + 1 + k, len(quarters) + 1, 1)
                         for k in range(len(tier_names))),
            anchor=Area(trend_top + len(trend) + 1, side, 15, 7), y_title="Partners",
        ),
        ColumnWidths(sheet, ((1, 14), (2, 28), (3, 14), (4, 10), (5, 10), (6, 14), (7, 14),
                             (8, 11), (side, 28), (side + 1, 22), (side + 2, 34))),
    ]
    return ops
