"""The Capacity sheet: hours by tier, load by member, plain-word guidance and two charts."""

from __future__ import annotations

import re

from ..hours import HOURS_FORMAT
from ..model import Results
from . import contract as c
from .ops import Area, Chart, ClearSheet, ColumnWidths, FreezePanes, Plan, Style, WriteBlock, header_style
from .parse import Parsed

GUIDANCE_COL = 10
"""Column J: one blank column right of the tier table."""
PERCENT_FORMAT = "0%"
WIDTHS = ((1, 22), (2, 16), (3, 18), (4, 16), (5, 18), (6, 16), (7, 16), (8, 12), (9, 3),
          (GUIDANCE_COL, 100))


SENTENCE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z])")


def guidance_lines(paragraphs: list[str]) -> list[str]:
    """One sentence a row, unwrapped, so no line hides another: a paragraph's first sentence
    carries a bullet, the rest are indented under it."""
    lines: list[str] = []
    for paragraph in paragraphs:
        for i, sentence in enumerate(SENTENCE_END.split(paragraph)):
            lines.append(("• " if i == 0 else "   ") + sentence)
    return lines


def capacity_ops(parsed: Parsed, results: Results, sheet: str) -> Plan:
    plan = results.capacity
    tier_rows: list[tuple[object, ...]] = [c.CAPACITY_TIER_HEADERS]
    for row in plan.tiers:
        tier_rows.append((row.tier, row.partners, row.hours_per_partner, row.hours_per_tier,
                          row.program_by, row.hours_needed, row.hours_allocated, row.coverage))
    needed = sum(r.hours_needed for r in plan.tiers)
    allocated = sum(r.hours_allocated for r in plan.tiers)
    tier_rows.append((c.TOTAL, sum(r.partners for r in plan.tiers), None, None, None, needed,
                      allocated, allocated / needed if needed else None))
    member_top = len(tier_rows) + 2
    member_rows: list[tuple[object, ...]] = [c.CAPACITY_MEMBER_HEADERS]
    for load in plan.members:
        member_rows.append((load.member.name, load.member.hours,
                            ", ".join(load.member.focus_tiers) or None, load.partners, load.hours,
                            load.load))
    tiers_n, members_n = len(plan.tiers), len(plan.members)
    tier_width, member_width = len(c.CAPACITY_TIER_HEADERS), len(c.CAPACITY_MEMBER_HEADERS)
    guidance = guidance_lines(plan.guidance or ["No tier costs hours."])
    guidance_rows = tuple((line,) for line in ["What the hours say", *guidance])
    body = tiers_n + 1  # tier rows and Total

    ops: Plan = [
        ClearSheet(sheet),
        WriteBlock(sheet, 1, 1, tuple(tier_rows)),
        WriteBlock(sheet, member_top, 1, tuple(member_rows)),
        WriteBlock(sheet, 1, GUIDANCE_COL, guidance_rows),
        header_style(sheet, Area(1, 1, 1, tier_width)),
        header_style(sheet, Area(member_top, 1, 1, member_width)),
        Style(sheet, Area(len(tier_rows), 1, 1, tier_width), bold=True),
        Style(sheet, Area(1, GUIDANCE_COL), bold=True),
        Style(sheet, Area(2, 3, body, 2), number_format=HOURS_FORMAT),
        Style(sheet, Area(2, 6, body, 2), number_format=HOURS_FORMAT),
        Style(sheet, Area(2, 8, body, 1), number_format=PERCENT_FORMAT),
        Style(sheet, Area(member_top + 1, 2, max(members_n, 1), 1), number_format=HOURS_FORMAT),
        Style(sheet, Area(member_top + 1, 5, max(members_n, 1), 1), number_format=HOURS_FORMAT),
        Style(sheet, Area(member_top + 1, 6, max(members_n, 1), 1), number_format=PERCENT_FORMAT),
        ColumnWidths(sheet, WIDTHS),
        FreezePanes(sheet, 2),
    ]
    chart_top = len(guidance_rows) + 2
    if tiers_n:
        ops.append(Chart(
            sheet, "Hours by tier", "column", "Hours needed and allocated by tier",
            categories=Area(2, 1, tiers_n, 1),
            series=(Area(1, 6, tiers_n + 1, 1), Area(1, 7, tiers_n + 1, 1)),
            anchor=Area(chart_top, GUIDANCE_COL, 15, 1), y_title="Hours a month",
        ))
    if members_n:
        ops.append(Chart(
            sheet, "Member load", "bar", "Load by member (hours assigned / available)",
            categories=Area(member_top + 1, 1, members_n, 1),
            series=(Area(member_top, 6, members_n + 1, 1),),
            anchor=Area(chart_top + 16, GUIDANCE_COL, 15, 1), percent_axis=True,
        ))
    return ops
