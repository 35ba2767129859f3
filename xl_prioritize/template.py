"""The blank template (and any workbook content, such as the demo) written with XlsxWriter.

The template is what a partnerships lead e-mails to partner managers, so it is laid out to be
filled in: pale input cells with drop-downs and checks, grey calculated columns, a note on every
header, frozen headers. It holds only features that survive an openpyxl load-and-save (no shapes,
images, charts or Excel-2010 extensions), because a re-score rewrites the file with openpyxl.

The output is deterministic: the same content gives a byte-identical file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from openpyxl.utils import get_column_letter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .hours import HOURS_FORMAT
from .workbook import contract as c

__all__ = [
    "DEFAULT_CONTENT",
    "FactorSpec",
    "MemberSpec",
    "TierSpec",
    "WorkbookContent",
    "write_workbook",
]


@dataclass(frozen=True)
class FactorSpec:
    name: str
    weight: float
    description: str
    scoring_guide: str


@dataclass(frozen=True)
class TierSpec:
    name: str
    size: float | None
    service_level: str
    hours: float
    hours_per_tier: float | None = None
    """The tier's group program, e.g. a monthly session for all its partners; None: blank."""


@dataclass(frozen=True)
class MemberSpec:
    name: str
    hours: float
    focus_tiers: str = ""


@dataclass(frozen=True)
class WorkbookContent:
    quarter: str | None
    tier_method: str  # "count" | "percent" | "threshold"
    factors: tuple[FactorSpec, ...]
    tiers: tuple[TierSpec, ...]
    team: tuple[MemberSpec, ...]
    partners: tuple[dict[str, object], ...] = ()  # Roster header -> value (input columns only)
    extra_columns: tuple[str, ...] = ()
    """The user's own Roster columns, after Override reason: never read by a re-score."""
    outcome: str | None = None
    examples: bool = False
    """True when the factors and tiers are examples to start from: the sheets then say so."""
    """Settings `Outcome`: the Roster column holding each partner's result for the quarter."""
    scale_min: float = 1
    scale_max: float = 5
    missing_scores: str = "error"
    tier_buffer: float = 0
    tier_within: str | None = None


# --- Default content -------------------------------------------------------------------------

DEFAULT_FACTORS: tuple[FactorSpec, ...] = (
    FactorSpec(
        "Customer overlap", 35,
        "Share of our target accounts the partner already serves. The strongest predictor of "
        "partner-sourced pipeline: shared accounts are where co-selling starts.",
        "1 = almost none of our target accounts (under 5%)\n"
        "2 = a few (5–10%)\n"
        "3 = some (10–20%)\n"
        "4 = many (20–35%)\n"
        "5 = most of our target accounts (over 35%)",
    ),
    FactorSpec(
        "Sales engagement", 30,
        "How actively their sellers co-sell with ours: joint calls, shared opportunities and "
        "referrals over the last two quarters.",
        "1 = no contact between the sales teams\n"
        "2 = occasional, ad hoc contact\n"
        "3 = regular contact and a few shared opportunities\n"
        "4 = active co-selling on several open opportunities\n"
        "5 = joint account plans and shared pipeline reviews",
    ),
    FactorSpec(
        "Solution fit", 20,
        "How well the partner's offering and skills complement our product: do their "
        "customers need what we sell, and can they implement and support it?",
        "1 = no fit: different buyers or use cases\n"
        "2 = weak: adjacent, rarely bought together\n"
        "3 = partial: fits some of their offerings\n"
        "4 = strong: complements their core offering\n"
        "5 = essential: their offering is built around ours",
    ),
    FactorSpec(
        "Market reach", 15,
        "Size and relevance of the partner's presence in our target markets: customers, "
        "sellers and regions.",
        "1 = very small or outside our target markets\n"
        "2 = a local niche\n"
        "3 = regional presence in our segments\n"
        "4 = national presence or a leading niche player\n"
        "5 = multi-country presence with a large customer base",
    ),
)

TIER_1_SERVICE = "Strategic: biweekly co-sell cadence, joint account plans, quarterly business review"
TIER_2_SERVICE = "Growth: monthly pipeline review and enablement"
TIER_3_SERVICE = "Self-serve: partner portal, newsletter, on-demand training"

DEFAULT_TIERS: tuple[TierSpec, ...] = (
    TierSpec("Tier 1", 0.15, TIER_1_SERVICE, 6),
    TierSpec("Tier 2", 0.30, TIER_2_SERVICE, 2),
    TierSpec("Tier 3", None, TIER_3_SERVICE, 0),
)

DEFAULT_CONTENT = WorkbookContent(
    quarter=None,
    tier_method=c.DEFAULT_TIER_METHOD,
    factors=DEFAULT_FACTORS,
    tiers=DEFAULT_TIERS,
    team=(),
    examples=True,
)
"""The blank template: example factors and tiers (the sheets say they are examples), no people,
no partners."""

EXAMPLE_NOTE = "The rows here are examples to start from: edit, replace or delete them."


# --- Layout constants ------------------------------------------------------------------------

START = "Start"
"""The explanation sheet; not part of the contract (a re-score never reads it)."""
SETTINGS_MEANING = "What it means"
"""Settings column C: text for people, never read."""

SHEET_ORDER = (START, c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM, c.ROSTER)
ROSTER_LEAD = (c.PARTNER_ID, c.PARTNER, c.SEGMENT, c.PARTNER_MANAGER)
ROSTER_TAIL = (c.TIER_OVERRIDE, c.OVERRIDE_REASON)
MIN_ROSTER_ROWS = 500
EXTRA_ROSTER_ROWS = 200
CREATED = dt.datetime(2026, 1, 1, 0, 0, 0)
AUTHOR = "xl-prioritize"

INPUT_FILL = "#FFF7D6"
INPUT_BORDER = "#D9C89A"
INPUT_HEADER = "#1F4E78"
OUTPUT_FILL = "#F2F2F2"
OUTPUT_BORDER = "#D0D0D0"
OUTPUT_HEADER = "#7F7F7F"
TIER_FILLS = ("#C6EFCE", "#DDEBF7", "#EDEDED", "#FCE4D6", "#E4DFEC")
UP_FILL, UP_FONT = "#C6EFCE", "#006100"
DOWN_FILL, DOWN_FONT = "#FFC7CE", "#9C0006"
NEW_FILL, NEW_FONT = "#DDEBF7", "#1F4E78"
WARN_FILL, WARN_FONT = "#FFEB9C", "#9C5700"
OVERRIDE_FONT = "#C65911"
"""The re-score marks an overridden Tier cell italic in this colour (workbook/plan.py)."""

OUTPUT_NOTE = "Calculated. Written by Re-score — do not type here."
OUTPUT_NOTES: dict[str, str] = {
    c.SCORE: "0–100: 100 × (weighted average score − Scale min) / (Scale max − Scale min). "
             "A formula: click the cell to see how it was computed.",
    c.RANK: "1 is best, unique. Ties go to the higher score on the heaviest factor, then to "
            "the lower Partner ID.",
    c.TIER_OUT: "The partner's tier from its rank (or score, for the threshold method), after "
                "any Tier override. Unscored when scores are missing and Missing scores is "
                "exclude.",
    c.SERVICE_LEVEL: "What a partner in this tier gets, from the Tiers sheet.",
    c.PREVIOUS_TIER: "The partner's tier in the latest archived quarter.",
    c.MOVEMENT: "up, down, same or new, against the previous quarter.",
    c.ASSIGNED_TO: "The team member who serves this partner: hours go to the best-ranked "
                   "partners first. Unassigned when the hours ran out; blank for tiers with "
                   "no hours.",
}
OUTPUT_WIDTHS: dict[str, float] = {
    c.SCORE: 8, c.RANK: 7, c.TIER_OUT: 10, c.SERVICE_LEVEL: 44, c.PREVIOUS_TIER: 11,
    c.MOVEMENT: 11, c.ASSIGNED_TO: 17,
}

SETTING_NOTES: dict[str, str] = {
    c.QUARTER: "The quarter these scores are for, as YYYY-Qn (e.g. 2026-Q4). Change it at the "
               "start of a new quarter: the next re-score archives last quarter's results first.",
    c.SCALE_MIN: "Lowest factor score.",
    c.SCALE_MAX: "Highest factor score; must be greater than Scale min.",
    c.TIER_METHOD: "How the Size column on Tiers is read. count: number of partners. percent: "
                   "share of scored partners. threshold: the lowest Score (0–100) that enters "
                   "the tier.",
    c.MISSING_SCORES: "What a blank factor score means. error: stop and list the blanks. lowest: "
                      "count it as Scale min. exclude: leave the partner unscored.",
    c.TIER_BUFFER: "Score points a partner must clear beyond a tier boundary before it changes "
                   "tier from last quarter. 0 = no buffer.",
    c.TIER_WITHIN: "Blank: tiers are cut over the whole roster. A Roster column header (e.g. "
                   "Segment): count and percent tiers are cut within each group, so like is "
                   "compared with like.",
    c.OUTCOME: "Optional: a Roster column header (e.g. Sourced pipeline) holding each partner's "
             "result for the quarter. Read only by the model checks, never by a re-score.",
}

LIST_ROWS_FACTORS = 10
LIST_ROWS_TIERS = 10
LIST_ROWS_TEAM = 30


def _num(value: float) -> str:
    return f"{value:g}"


def _sheet_ref(sheet: str, col: int, row: int) -> str:
    """`=Settings!$B$3` from a 0-based column and a 1-based row."""
    return f"={c.quote_sheet(sheet)}!${get_column_letter(col + 1)}${row}"


def _sheet_range(sheet: str, col: int, first_row: int, last_row: int) -> str:
    letter = get_column_letter(col + 1)
    return f"={c.quote_sheet(sheet)}!${letter}${first_row}:${letter}${last_row}"


def setting_row(name: str) -> int:
    """1-based Settings row of a known setting, as the template lays them out."""
    return c.KNOWN_SETTINGS.index(name) + 2


def roster_headers(content: WorkbookContent) -> list[str]:
    """The Roster's header row as the template writes it: inputs, then outputs."""
    return [*ROSTER_LEAD, *(f.name for f in content.factors), *ROSTER_TAIL,
            *content.extra_columns, *c.OUTPUT_COLUMNS]


# --- Styles ----------------------------------------------------------------------------------


class Styles:
    """Every cell format the workbook uses, made once."""

    def __init__(self, wb: Workbook) -> None:
        base: dict[str, Any] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        self.wb = wb
        self.base = base
        header = {**base, "bold": True, "font_color": "#FFFFFF", "text_wrap": True,
                  "valign": "vcenter", "border": 1}
        self.in_header = wb.add_format({**header, "bg_color": INPUT_HEADER,
                                        "border_color": INPUT_HEADER})
        self.out_header = wb.add_format({**header, "bg_color": OUTPUT_HEADER, "italic": True,
                                         "border_color": OUTPUT_HEADER})
        self.note_header = wb.add_format({**header, "bg_color": "#A6A6A6",
                                          "border_color": "#A6A6A6"})
        self.key = wb.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "border": 1,
                                  "border_color": OUTPUT_BORDER})
        self.note = wb.add_format({**base, "font_color": "#595959", "text_wrap": True})
        self.title = wb.add_format({**base, "bold": True, "font_size": 18,
                                    "font_color": INPUT_HEADER, "valign": "vcenter"})
        self.subtitle = wb.add_format({**base, "italic": True, "font_color": "#595959"})
        self.heading = wb.add_format({**base, "bold": True, "font_size": 13,
                                      "font_color": INPUT_HEADER, "bottom": 1,
                                      "bottom_color": INPUT_HEADER})
        self.text = wb.add_format({**base, "text_wrap": True})
        self.step = wb.add_format({**base, "bold": True, "align": "right"})
        self.code = wb.add_format({**base, "font_name": "Consolas", "bg_color": "#F2F2F2"})
        self.overridden = wb.add_format({**base, "bg_color": OUTPUT_FILL, "border": 1,
                                         "border_color": OUTPUT_BORDER, "italic": True,
                                         "font_color": OVERRIDE_FONT})
        self._inputs: dict[tuple[str, bool, str], Format] = {}
        self._outputs: dict[str, Format] = {}

    def input(self, num_format: str = "General", wrap: bool = False, align: str = "") -> Format:
        key = (num_format, wrap, align)
        if key not in self._inputs:
            props: dict[str, Any] = {**self.base, "bg_color": INPUT_FILL, "border": 1,
                                     "border_color": INPUT_BORDER, "num_format": num_format,
                                     "text_wrap": wrap}
            if align:
                props["align"] = align
            self._inputs[key] = self.wb.add_format(props)
        return self._inputs[key]

    def output(self, num_format: str = "General") -> Format:
        if num_format not in self._outputs:
            self._outputs[num_format] = self.wb.add_format(
                {**self.base, "bg_color": OUTPUT_FILL, "border": 1, "border_color": OUTPUT_BORDER,
                 "num_format": num_format, "font_color": "#404040"})
        return self._outputs[num_format]

    def highlight(self, fill: str, font: str | None = None, italic: bool = False) -> Format:
        props: dict[str, Any] = {"bg_color": fill}
        if font:
            props["font_color"] = font
        if italic:
            props["italic"] = True
        return self.wb.add_format(props)


# --- Writing helpers -------------------------------------------------------------------------


def _comment(ws: Worksheet, row: int, col: int, text: str, wide: bool = False) -> None:
    lines = sum(1 + len(line) // 42 for line in text.split("\n"))
    ws.write_comment(row, col, text, {
        "author": AUTHOR,
        "x_scale": 2.2 if wide else 1.6,
        "y_scale": max(1.0, min(5.0, lines / 4)),
    })


def _header(ws: Worksheet, col: int, text: str, fmt: Format, note: str,
            width: float, wide_note: bool = False) -> None:
    ws.write_string(0, col, text, fmt)
    ws.set_column(col, col, width)
    _comment(ws, 0, col, note, wide_note)


def _cell(ws: Worksheet, row: int, col: int, value: object, fmt: Format) -> None:
    """Write one value (None: a formatted blank); text is never turned into numbers or links."""
    if value is None or (isinstance(value, str) and value == ""):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _number_dv(ws: Worksheet, first: int, col: int, last: int, *, criteria: str,
               value: object, title: str, message: str, error: str,
               maximum: object = None) -> None:
    options: dict[str, Any] = {
        "validate": "decimal", "criteria": criteria, "input_title": title[:32],
        "input_message": message[:255], "error_title": "Not accepted",
        "error_message": error[:255], "error_type": "stop",
    }
    if maximum is None:
        options["value"] = value
    else:
        options["minimum"] = value
        options["maximum"] = maximum
    ws.data_validation(first, col, last, col, options)


def _example_note(ws: Worksheet, st: Styles, col: int, examples: bool) -> None:
    """Beside a table of example rows, one blank column away: a column of the user's, never read."""
    if not examples:
        return
    _header(ws, col, EXAMPLE_NOTE, st.note_header,
            "Not part of the table: a note for people, never read by a re-score. It stands in the "
            "header row so that deleting every example row leaves nothing behind.", 30)


def _size_format(method: str) -> str:
    return "0%" if method == "percent" else "0"


# --- Sheets ----------------------------------------------------------------------------------


def _write_start(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.hide_gridlines(2)
    ws.set_tab_color(INPUT_HEADER)
    ws.set_column(0, 0, 4)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 90)
    lo, hi = _num(content.scale_min), _num(content.scale_max)
    ws.set_row(0, 30)
    ws.write_string(0, 1, "Partner prioritization", st.title)
    ws.write_string(1, 1, "Spend the team's hours on the partners most likely to bring "
                          "pipeline — and see where the hours run out.", st.subtitle)

    ws.write_string(3, 1, "How it works", st.heading)
    ws.write_blank(3, 2, None, st.heading)
    steps = (
        (c.FACTORS, "Pick 3–5 factors that predict partner-sourced pipeline and weight them. "
                    "Weights are relative: 35/30/20/15 and 0.35/0.30/0.20/0.15 are the same "
                    "model."),
        (c.ROSTER, f"Score every partner from {lo} to {hi} on each factor. The scoring guide is "
                   f"on the {c.FACTORS} sheet and in each factor header's note."),
        (c.TIERS, "Each tier has a named service level and the team hours one partner of that "
                  "tier costs per month, plus any group program's hours for the whole tier. A "
                  "tier without its own service is just a label."),
        (c.TEAM, "List each person's hours for partner work. Hours go to the top tiers first, "
                 "best-ranked partner first, so you can see where they run out."),
        (c.SETTINGS, "Re-score every quarter: set the Quarter, update the scores, re-score. "
                     "Last quarter's results are archived and Movement shows who moved."),
    )
    row = 4
    for n, (sheet, text) in enumerate(steps, start=1):
        ws.write_string(row, 0, f"{n}.", st.step)
        ws.write_string(row, 1, sheet, st.text)
        ws.write_string(row, 2, text, st.text)
        ws.set_row(row, 31)
        row += 1

    row += 1
    ws.write_string(row, 1, "How to re-score", st.heading)
    ws.write_blank(row, 2, None, st.heading)
    row += 1
    ws.write_string(row, 1, "In Excel", st.text)
    ws.write_string(row, 2, "Click the Re-score button.", st.text)
    row += 1
    ws.write_string(row, 1, "From a terminal", st.text)
    ws.write_string(row, 2, "xl-prioritize rescore FILE", st.code)
    row += 1
    ws.write_string(row, 2, "Both do exactly the same thing. A re-score never changes a cell you "
                            "typed, and writes nothing while any input is in error: it lists "
                            "every problem with its cell, e.g. Roster!F17.", st.text)
    ws.set_row(row, 31)
    row += 2

    ws.write_string(row, 1, "Legend", st.heading)
    ws.write_blank(row, 2, None, st.heading)
    row += 1
    ws.write_string(row, 1, "Input header", st.in_header)
    ws.write_string(row, 2, "A column you fill in.", st.text)
    row += 1
    ws.write_string(row, 1, "input cell", st.input())
    ws.write_string(row, 2, "Type here. Drop-downs and checks keep values valid.", st.text)
    row += 1
    ws.write_string(row, 1, "Output header", st.out_header)
    ws.write_string(row, 2, "A calculated column, written by Re-score.", st.text)
    row += 1
    ws.write_string(row, 1, "output cell", st.output())
    ws.write_string(row, 2, "Calculated — do not type here: the next re-score overwrites it.",
                    st.text)
    row += 1
    ws.write_string(row, 1, "Tier 1", st.overridden)
    ws.write_string(row, 2, "An overridden tier (italic, orange): the Roster's Tier override "
                            "replaced the computed tier. The Override reason says why, and the "
                            "Log lists every override with each re-score.", st.text)
    ws.set_row(row, 31)
    row += 1
    ws.write_string(row, 1, "Archive YYYY-Qn", st.output())
    ws.write_string(row, 2, "Last quarter's Roster, kept as it stood and protected: filter it "
                            "with the header drop-downs and widen its columns. To sort it, copy "
                            "its cells to a sheet of your own (Ctrl+A, Ctrl+C, then paste).",
                    st.text)
    ws.set_row(row, 31)
    row += 1
    ws.write_string(row, 2, "Hover over any column header for a note on what it holds.", st.note)


def _write_settings(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.set_tab_color("#BF9000")
    ws.freeze_panes(1, 0)
    _header(ws, 0, c.SETTING_HEADER, st.in_header,
            "The setting's name; do not change it.", 16)
    _header(ws, 1, c.VALUE_HEADER, st.in_header, "The value of the setting: type or pick it.", 14)
    _header(ws, 2, SETTINGS_MEANING, st.note_header,
            "What each setting does; for people only, never read.", 95)
    values: dict[str, object] = {
        c.QUARTER: content.quarter,
        c.SCALE_MIN: content.scale_min,
        c.SCALE_MAX: content.scale_max,
        c.TIER_METHOD: content.tier_method,
        c.MISSING_SCORES: content.missing_scores,
        c.TIER_BUFFER: content.tier_buffer,
        c.TIER_WITHIN: content.tier_within,
        c.OUTCOME: content.outcome,
    }
    formats = {c.QUARTER: st.input("@"), c.TIER_BUFFER: st.input("0.0")}
    for name in c.KNOWN_SETTINGS:
        row = setting_row(name) - 1
        note = SETTING_NOTES.get(name, "")
        ws.write_string(row, 0, name, st.key)
        _cell(ws, row, 1, values.get(name), formats.get(name, st.input()))
        ws.write_string(row, 2, note, st.note)
        ws.set_row(row, 30 if len(note) > 100 else None)

    def at(name: str) -> int:
        return setting_row(name) - 1

    q = f"B{setting_row(c.QUARTER)}"
    ws.data_validation(at(c.QUARTER), 1, at(c.QUARTER), 1, {
        "validate": "custom",
        "value": f'=AND(LEN({q})=7,EXACT(MID({q},5,2),"-Q"),ISNUMBER(VALUE(LEFT({q},4))),'
                 f'ISNUMBER(FIND(RIGHT({q},1),"1234")))',
        "input_title": c.QUARTER, "input_message": "YYYY-Qn, e.g. 2026-Q4",
        "error_title": "Not a quarter",
        "error_message": "Type the quarter as YYYY-Qn, e.g. 2026-Q4.",
    })
    _number_dv(ws, at(c.SCALE_MIN), 1, at(c.SCALE_MIN), criteria="between", value=-1_000_000_000,
               maximum=1_000_000_000, title=c.SCALE_MIN, message="Lowest factor score, e.g. 1.",
               error="Scale min must be a number, e.g. 1.")
    _number_dv(ws, at(c.SCALE_MAX), 1, at(c.SCALE_MAX), criteria=">",
               value=f"=$B${setting_row(c.SCALE_MIN)}", title=c.SCALE_MAX,
               message="Highest factor score, e.g. 5; greater than Scale min.",
               error="Scale max must be a number greater than Scale min.")
    for name, options in ((c.TIER_METHOD, c.TIER_METHODS),
                          (c.MISSING_SCORES, c.MISSING_POLICIES)):
        ws.data_validation(at(name), 1, at(name), 1, {
            "validate": "list", "source": list(options), "input_title": name,
            "input_message": "Pick one: " + ", ".join(options) + ".",
            "error_title": "Not a choice",
            "error_message": f"{name} must be one of: " + ", ".join(options) + ".",
        })
    _number_dv(ws, at(c.TIER_BUFFER), 1, at(c.TIER_BUFFER), criteria=">=", value=0,
               title=c.TIER_BUFFER, message="Score points, 0 or more (0 = no buffer).",
               error="Tier buffer must be a number of score points, 0 or more.")
    ws.data_validation(at(c.TIER_WITHIN), 1, at(c.TIER_WITHIN), 1, {
        "validate": "list", "source": [c.SEGMENT, c.PARTNER_MANAGER],
        "input_title": c.TIER_WITHIN,
        "input_message": "Blank for the whole roster, or a Roster column header, e.g. Segment.",
        "error_type": "information", "error_title": c.TIER_WITHIN,
        "error_message": "This must be a Roster column header, or blank.",
    })


def _write_factors(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.set_tab_color("#BF9000")
    ws.freeze_panes(1, 0)
    lo, hi = _num(content.scale_min), _num(content.scale_max)
    _header(ws, 0, c.FACTOR, st.in_header,
            "The factor's name. It must match the header of one Roster column exactly, where "
            "each partner gets its score.", 20)
    _header(ws, 1, c.WEIGHT, st.in_header,
            "How much the factor counts, a number above 0. Weights are relative: 35/30/20/15 and "
            "0.35/0.30/0.20/0.15 are the same model. Weight most the factors that best predict "
            "partner-sourced pipeline.", 9)
    _header(ws, 2, c.DESCRIPTION, st.in_header,
            "What the factor measures and why it matters; for the people who score.", 55)
    _header(ws, 3, c.SCORING_GUIDE, st.in_header,
            f"What each score from {lo} to {hi} means, so that every partner manager scores "
            f"alike.", 55)
    _example_note(ws, st, 5, bool(content.factors) and content.examples)
    rows = max(LIST_ROWS_FACTORS, len(content.factors) + 3)
    for i in range(rows):
        f = content.factors[i] if i < len(content.factors) else None
        r = i + 1
        _cell(ws, r, 0, f.name if f else None, st.input())
        _cell(ws, r, 1, f.weight if f else None, st.input("0", align="center"))
        _cell(ws, r, 2, f.description if f else None, st.input(wrap=True))
        _cell(ws, r, 3, f.scoring_guide if f else None, st.input(wrap=True))
        if f is not None:
            lines = max(f.scoring_guide.count("\n") + 1, len(f.description) // 50 + 1)
            ws.set_row(r, 15 * lines + 3)
    _number_dv(ws, 1, 1, rows, criteria=">", value=0, title=c.WEIGHT,
               message="A number above 0; weights count relative to their sum.",
               error="A weight must be a number above 0.")
    ws.data_validation(1, 0, rows, 0, {
        "validate": "any", "input_title": c.FACTOR,
        "input_message": "Must match a Roster column header exactly. 3–5 factors work best.",
    })


def _write_tiers(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.set_tab_color("#BF9000")
    ws.freeze_panes(1, 0)
    size_note = {
        "count": "Number of partners in this tier (a whole number).",
        "percent": "Share of scored partners in this tier, e.g. 15%.",
        "threshold": "The lowest Score (0–100) that enters this tier; falling from tier to tier.",
    }.get(content.tier_method, "How many partners this tier holds; see Tier method on Settings.")
    _header(ws, 0, c.TIER, st.in_header,
            "The tier's name, best tier first, e.g. Tier 1. Names must be unique.", 12)
    _header(ws, 1, c.SIZE, st.in_header,
            f"Read as the Tier method on Settings says (now {content.tier_method}). {size_note} "
            "The last tier's Size may be blank: it takes the rest.", 9)
    _header(ws, 2, c.SERVICE_LEVEL, st.in_header,
            "What a partner in this tier gets, e.g. a biweekly co-sell cadence. Give every tier "
            "its own service: a tier without one is just a label.", 70)
    _header(ws, 3, c.HOURS_PER_PARTNER, st.in_header,
            "Team hours one partner of this tier costs per month, 0 or more. Hours go to the "
            "top tiers first.", 14)
    _header(ws, 4, c.HOURS_PER_TIER, st.in_header,
            "Optional, 0 or more (blank = 0): the hours the tier's group program costs each "
            "month whatever its size, e.g. one monthly session for all its partners. One member "
            "who serves the tier carries it.", 14)
    ws.set_row(0, 47)
    _example_note(ws, st, 6, bool(content.tiers) and content.examples)
    rows = max(LIST_ROWS_TIERS, len(content.tiers) + 3)
    size_fmt = st.input(_size_format(content.tier_method), align="center")
    for i in range(rows):
        t = content.tiers[i] if i < len(content.tiers) else None
        r = i + 1
        _cell(ws, r, 0, t.name if t else None, st.input())
        _cell(ws, r, 1, t.size if t else None, size_fmt)
        _cell(ws, r, 2, t.service_level if t else None, st.input(wrap=True))
        _cell(ws, r, 3, t.hours if t else None, st.input(HOURS_FORMAT, align="center"))
        _cell(ws, r, 4, t.hours_per_tier if t else None, st.input(HOURS_FORMAT, align="center"))
    _number_dv(ws, 1, 4, rows, criteria=">=", value=0, title="Hours per tier",
               message="Hours of the tier's group program per month, 0 or more; blank = 0.",
               error="Hours must be a number, 0 or more.")
    _number_dv(ws, 1, 1, rows, criteria=">=", value=0, title=c.SIZE,
               message=size_note + " Blank on the last tier: the rest.",
               error="Size must be a number, 0 or more.")
    _number_dv(ws, 1, 3, rows, criteria=">=", value=0, title="Hours per partner",
               message="Team hours per partner per month, 0 or more.",
               error="Hours must be a number, 0 or more.")


def _write_team(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.set_tab_color("#BF9000")
    ws.freeze_panes(1, 0)
    _header(ws, 0, c.MEMBER, st.in_header,
            "A person who serves partners. Names must be unique; use the same name as in the "
            "Roster's Partner manager column.", 22)
    _header(ws, 1, c.HOURS_PER_MONTH, st.in_header,
            "Hours this person has for partner work each month, 0 or more.", 11)
    _header(ws, 2, c.FOCUS_TIERS, st.in_header,
            "Optional: the tiers this person serves, comma-separated (e.g. Tier 1, Tier 2). "
            "Blank means any tier.", 24)
    ws.set_row(0, 32)
    rows = max(LIST_ROWS_TEAM, len(content.team) + 10)
    for i in range(rows):
        m = content.team[i] if i < len(content.team) else None
        r = i + 1
        _cell(ws, r, 0, m.name if m else None, st.input())
        _cell(ws, r, 1, m.hours if m else None, st.input(HOURS_FORMAT, align="center"))
        _cell(ws, r, 2, m.focus_tiers if m else None, st.input())
    _number_dv(ws, 1, 1, rows, criteria=">=", value=0, title=c.HOURS_PER_MONTH,
               message="Hours for partner work per month, 0 or more.",
               error="Hours must be a number, 0 or more.")
    ws.data_validation(1, 2, rows, 2, {
        "validate": "any", "input_title": c.FOCUS_TIERS,
        "input_message": "Tier names from the Tiers sheet, comma-separated. Blank: any tier.",
    })


def _write_roster(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
    ws.set_tab_color("#BF9000")
    ws.freeze_panes(1, 2)
    lo, hi = _num(content.scale_min), _num(content.scale_max)
    headers = roster_headers(content)
    col = {h: i for i, h in reversed(list(enumerate(headers)))}
    n_inputs = len(ROSTER_LEAD) + len(content.factors) + len(ROSTER_TAIL) + len(content.extra_columns)
    factor_cols = list(range(len(ROSTER_LEAD), len(ROSTER_LEAD) + len(content.factors)))
    override_col, reason_col = col[c.TIER_OVERRIDE], col[c.OVERRIDE_REASON]
    out_col = {name: n_inputs + i for i, name in enumerate(c.OUTPUT_COLUMNS)}
    last = max(MIN_ROSTER_ROWS, len(content.partners) + EXTRA_ROSTER_ROWS)  # 0-based last row

    lead_notes = {
        c.PARTNER_ID: "The partner's identity across quarters: unique, never reused "
                      "(e.g. P-0001). Required: a row counts when it has a Partner ID.",
        c.PARTNER: "The partner's name, for display.",
        c.SEGMENT: "Optional: the kind of partner, e.g. Reseller or Systems integrator. Tiers "
                   "can be cut within each segment (Tier within on Settings).",
        c.PARTNER_MANAGER: "Optional: who manages this partner; pick a Team member. Capacity "
                           "assigns the partner to this person when they serve its tier and "
                           "have hours left.",
    }
    widths = {c.PARTNER_ID: 10, c.PARTNER: 28, c.SEGMENT: 18, c.PARTNER_MANAGER: 18}
    for name in ROSTER_LEAD:
        _header(ws, col[name], name, st.in_header, lead_notes[name], widths[name])
    for j, f in zip(factor_cols, content.factors, strict=True):
        _header(ws, j, f.name, st.in_header,
                f"{f.description}\n\nScore {lo}–{hi}:\n{f.scoring_guide}", 12, wide_note=True)
    _header(ws, override_col, c.TIER_OVERRIDE, st.in_header,
            "Optional: a tier name that replaces the computed tier. A reason is then required.",
            12)
    _header(ws, reason_col, c.OVERRIDE_REASON, st.in_header,
            "Required when Tier override is set: why this partner gets another tier than its "
            "score gives.", 36)
    for name in content.extra_columns:
        note = ("Your own column: never read by a re-score." if name != content.outcome else
                f"Each partner's result for the quarter (Settings {c.OUTCOME}): read only by the "
                "model checks, never by a re-score.")
        _header(ws, col[name], name, st.in_header, note, max(12, len(name) + 3))
    for name in c.OUTPUT_COLUMNS:
        _header(ws, out_col[name], name, st.out_header,
                f"{OUTPUT_NOTE}\n\n{OUTPUT_NOTES[name]}", OUTPUT_WIDTHS[name])
    ws.set_row(0, 32)

    text, center = st.input(), st.input(align="center")
    input_formats = [text] * len(ROSTER_LEAD) + [center] * len(content.factors) + [text, text] \
        + [st.input("#,##0") if name == content.outcome else text for name in content.extra_columns]
    output_formats = [st.output(fmt) for fmt in ("0.0", "0", "General", "General", "General",
                                                 "General", "General")]
    input_names = headers[:n_inputs]
    for r in range(1, last + 1):
        partner = content.partners[r - 1] if r - 1 < len(content.partners) else {}
        for j, name in enumerate(input_names):
            _cell(ws, r, j, partner.get(name), input_formats[j])
        for k, fmt in enumerate(output_formats):
            ws.write_blank(r, n_inputs + k, None, fmt)

    # Data validation
    scale_lo = _sheet_ref(c.SETTINGS, 1, setting_row(c.SCALE_MIN))
    scale_hi = _sheet_ref(c.SETTINGS, 1, setting_row(c.SCALE_MAX))
    for j, f in zip(factor_cols, content.factors, strict=True):
        _number_dv(ws, 1, j, last, criteria="between", value=scale_lo, maximum=scale_hi,
                   title=f.name, message=f"Score {lo}–{hi}. The scoring guide is in the "
                                         f"header's note and on the {c.FACTORS} sheet.",
                   error=f"A score must be a number from Scale min to Scale max "
                         f"({lo}–{hi}, on {c.SETTINGS}).")
    tier_rows = max(LIST_ROWS_TIERS, len(content.tiers) + 3) + 1
    ws.data_validation(1, override_col, last, override_col, {
        "validate": "list", "source": _sheet_range(c.TIERS, 0, 2, tier_rows),
        "input_title": c.TIER_OVERRIDE,
        "input_message": "Optional: pick a tier from the Tiers sheet, and give a reason.",
        "error_title": "Not a tier",
        "error_message": "Pick a tier name from the Tiers sheet, or leave blank.",
    })
    team_rows = max(LIST_ROWS_TEAM, len(content.team) + 10) + 1
    ws.data_validation(1, col[c.PARTNER_MANAGER], last, col[c.PARTNER_MANAGER], {
        "validate": "list", "source": _sheet_range(c.TEAM, 0, 2, team_rows),
        "input_title": c.PARTNER_MANAGER, "input_message": "Pick a member of the Team sheet.",
        "error_type": "information", "error_title": c.PARTNER_MANAGER,
        "error_message": "This name is not on the Team sheet. Keep it anyway?",
    })

    # Conditional formatting
    def letter(j: int) -> str:
        return get_column_letter(j + 1)

    score = out_col[c.SCORE]
    ws.conditional_format(1, score, last, score, {
        "type": "3_color_scale", "min_color": "#F8696B", "mid_color": "#FFEB84",
        "max_color": "#63BE7B",
    })
    tier = out_col[c.TIER_OUT]
    t = letter(tier)
    tiers_sheet = c.quote_sheet(c.TIERS)
    for k in range(min(max(3, len(content.tiers)), len(TIER_FILLS))):
        ws.conditional_format(1, tier, last, tier, {
            "type": "formula",
            "criteria": f'=AND(${t}2<>"",${t}2={tiers_sheet}!$A${k + 2})',
            "format": st.highlight(TIER_FILLS[k]),
        })
    ws.conditional_format(1, tier, last, tier, {
        "type": "cell", "criteria": "==", "value": f'"{c.UNSCORED}"',
        "format": st.highlight("#FFFFFF", "#808080", italic=True),
    })
    move = out_col[c.MOVEMENT]
    for value, fill, font in (("up", UP_FILL, UP_FONT), ("down", DOWN_FILL, DOWN_FONT),
                              ("new", NEW_FILL, NEW_FONT)):
        ws.conditional_format(1, move, last, move, {
            "type": "cell", "criteria": "==", "value": f'"{value}"',
            "format": st.highlight(fill, font),
        })
    assigned = out_col[c.ASSIGNED_TO]
    ws.conditional_format(1, assigned, last, assigned, {
        "type": "cell", "criteria": "==", "value": f'"{c.UNASSIGNED}"',
        "format": st.highlight(WARN_FILL, WARN_FONT),
    })
    o, why = letter(override_col), letter(reason_col)
    ws.conditional_format(1, reason_col, last, reason_col, {
        "type": "formula", "criteria": f'=AND(${o}2<>"",TRIM(${why}2)="")',
        "format": st.highlight(WARN_FILL, WARN_FONT),
    })


StartWriter = Callable[[Worksheet, Styles, WorkbookContent], None]
"""Writes the Start sheet (the template's own by default)."""
ExtraSheets = Callable[[Workbook, Styles], None]
"""Adds sheets after the Roster, e.g. the record a distributed copy keeps."""


def write_workbook(path: Path, content: WorkbookContent = DEFAULT_CONTENT, *,
                   start: StartWriter | None = None, extra: ExtraSheets | None = None) -> Path:
    """Write a workbook holding `content` to `path` (byte-identical for the same content)."""
    path = Path(path)
    wb = xlsxwriter.Workbook(str(path), {
        "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
    })
    wb.set_properties({
        "title": "Partner prioritization",
        "subject": "Rank partners, cut service tiers and plan the team's hours",
        "author": AUTHOR,
        "comments": "Created by xl-prioritize",
        "created": CREATED,
    })
    st = Styles(wb)
    sheets: dict[str, Worksheet] = {name: wb.add_worksheet(name) for name in SHEET_ORDER}
    (start or _write_start)(sheets[START], st, content)
    _write_settings(sheets[c.SETTINGS], st, content)
    _write_factors(sheets[c.FACTORS], st, content)
    _write_tiers(sheets[c.TIERS], st, content)
    _write_team(sheets[c.TEAM], st, content)
    _write_roster(sheets[c.ROSTER], st, content)
    for sheet in sheets.values():
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
    if extra is not None:
        extra(wb, st)
    sheets[START].activate()
    wb.close()
    return path
