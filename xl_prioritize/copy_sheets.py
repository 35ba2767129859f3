"""The two sheets that make a template a partner manager's copy: its Start sheet and its record.

Written with XlsxWriter into the workbook `template.write_workbook` is writing. Every piece of user
text goes through `write_string`, so a partner or manager named `=1+1` stays text.
"""

from __future__ import annotations

from collections.abc import Callable

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from .template import INPUT_HEADER, Styles, WorkbookContent, roster_headers
from .workbook import contract as c
from .workbook.sent import SENT_SHEET, SentRecord, record_grid


def start_writer(record: SentRecord, file_name: str) -> Callable[[Worksheet, Styles, WorkbookContent],
                                                                   None]:
    """The Start sheet of a copy: whose it is, which quarter, what to fill in, by when, how back."""

    def write(ws: Worksheet, st: Styles, content: WorkbookContent) -> None:
        ws.hide_gridlines(2)
        ws.set_tab_color(INPUT_HEADER)
        ws.set_column(0, 0, 4)
        ws.set_column(1, 1, 24)
        ws.set_column(2, 2, 96)
        ws.set_row(0, 30)
        who = record.manager or "unassigned partners"
        ws.write_string(0, 1, f"Partner scores: {who}", st.title)
        ws.write_string(1, 1, f"{record.whose().capitalize()} of {record.master}, for "
                              f"{record.quarter}. Made {record.sent_at}.", st.subtitle)
        lo, hi = f"{content.scale_min:g}", f"{content.scale_max:g}"
        factors = ", ".join(f.name for f in content.factors)
        due = (f"Please send it back by {record.due}." if record.due
               else "Please send it back as soon as you have scored your partners.")
        rows = (
            ("Whose copy", f"{record.whose().capitalize()}: the {len(record.ids)} partner(s) on "
                           f"the {c.ROSTER} sheet, from the master {record.master}."),
            ("Quarter", f"{record.quarter}. Scores you give count for this quarter."),
            ("What to fill in", f"On the {c.ROSTER} sheet, score each partner from {lo} to {hi} "
                                f"on {factors}. The scoring guide is on the {c.FACTORS} sheet and "
                                "in each factor header's note. The scores already there are the "
                                "master's: change only those you know better, leave the others."),
            ("Tier changes", f"To propose another tier for a partner, pick it in {c.TIER_OVERRIDE} "
                             f"and say why in {c.OVERRIDE_REASON}. The lead decides; a proposal "
                             "without a reason is sent back."),
            ("By when", due),
            ("How to return it", f"Save this file as it is (keep the name {file_name} and the "
                                 ".xlsx format) and send it back to the lead, who collects every "
                                 "copy into the master in one step."),
            ("Not here", "There is nothing to re-score in this copy: scores, ranks, tiers and the "
                         "team plan are worked out for all partners together, in the master. "
                         f"{c.SETTINGS}, {c.FACTORS}, {c.TIERS} and {c.TEAM} are the master's, "
                         "for reference."),
        )
        row = 3
        for label, text in rows:
            ws.write_string(row, 1, label, st.step)
            ws.write_string(row, 2, text, st.text)
            ws.set_row(row, 15 * (1 + len(text) // 95) + 3)
            row += 1

    return write


def record_writer(record: SentRecord, content: WorkbookContent) -> Callable[[Workbook, Styles],
                                                                            None]:
    """The hidden, protected sheet holding what the copy was sent with; the Roster's output
    columns hidden, since a copy is never re-scored."""

    def write(wb: Workbook, st: Styles) -> None:
        roster = wb.get_worksheet_by_name(c.ROSTER)
        headers = roster_headers(content)
        first = headers.index(c.OUTPUT_COLUMNS[0])
        roster.set_column(first, first + len(c.OUTPUT_COLUMNS) - 1, None, None, {"hidden": True})
        ws = wb.add_worksheet(SENT_SHEET)
        for r, line in enumerate(record_grid(record)):
            for col, value in enumerate(line):
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int | float):
                    ws.write_string(r, col, str(value))
                else:
                    ws.write_number(r, col, value)
        ws.set_column(0, 0, 18)
        ws.protect()
        ws.very_hidden()

    return write
