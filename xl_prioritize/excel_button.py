"""The Re-score button: re-score the workbook that called, exactly as `xl-prioritize rescore` does
a file, and tell the person what happened in one message box.

`rescore_live(book)` holds the logic and returns the message; `main()` only finds the calling book
and shows the message, so tests drive `rescore_live` with a fake book.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from dataclasses import dataclass, field
from typing import Any

from .adapters.excel import ExcelWorkbook
from .problems import InputErrors
from .rescore import Outcome, Progress, current_user, rescore_book
from .workbook import contract as c
from .workbook.cells import as_text
from .workbook.parse import find_sheet
from .workbook.plan import RunInfo
from .workbook.staleness import changes_line

MODE = "Excel"
TITLE = "xl-prioritize"
SHOWN_PROBLEMS = 20
TOLERANCE = 1e-9


@dataclass
class ButtonResult:
    ok: bool
    message: str
    outcome: Outcome | None = None
    mismatches: list[str] = field(default_factory=list)

    @property
    def mode(self) -> str:
        """The message box's icon, as `App.alert` names it."""
        return "info" if self.ok else "critical"


def error_message(error: InputErrors, source: str) -> str:
    """The command line's words: the count, then one line a problem (the first twenty)."""
    problems = error.problems
    count = len(problems)
    noun = "error" if count == 1 else "errors"
    lines = [f"{source}: {count} input {noun}; nothing was written.", ""]
    lines += [str(p) for p in problems[:SHOWN_PROBLEMS]]
    if count > SHOWN_PROBLEMS:
        lines.append(f"... and {count - SHOWN_PROBLEMS} more.")
    return "\n".join(lines)


def success_message(outcome: Outcome, source: str, notes: list[str]) -> str:
    lines = [f"{source}: {outcome.quarter}, {outcome.partners} partners re-scored."]
    lines += [f"{tier}: {n}" for tier, n in outcome.tier_counts.items() if n or tier != c.UNSCORED]
    if outcome.archived:
        lines.append(f"Archived last quarter's results to '{outcome.archived}'.")
    lines += outcome.guidance
    if outcome.warnings:
        lines.append(f"{len(outcome.warnings)} warning(s): see the Log sheet.")
    if outcome.changes is not None:
        lines.append(changes_line(outcome.changes))
    lines += notes
    return "\n".join(lines)


def score_mismatches(adapter: ExcelWorkbook, outcome: Outcome) -> list[str]:
    """Excel's Score cells against Python's scores: one read of the Roster after the write."""
    adapter.refresh()
    roster = find_sheet(adapter.sheet_names(), c.ROSTER)
    grid = adapter.read_values(roster) if roster else []
    if not grid:
        return ["the Roster could not be read back"]
    columns = c.find_columns(grid[0], (c.PARTNER_ID, c.SCORE))
    if len(columns) < 2:
        return ["the Roster's Score column could not be found after writing"]
    key, col = columns[c.PARTNER_ID], columns[c.SCORE]
    rows = [(r + 1, line) for r, line in enumerate(grid[1:], start=1)
            if key < len(line) and as_text(line[key]) is not None]
    expected = outcome.results.score
    if len(rows) != len(expected):
        return [f"the Roster holds {len(rows)} partners after writing, Python scored {len(expected)}"]
    found: list[str] = []
    for (row, line), want in zip(rows, expected, strict=True):
        got = line[col] if col < len(line) else None
        blank = got is None or got == ""
        if math.isnan(want):
            ok = blank
        else:
            ok = isinstance(got, int | float) and not isinstance(got, bool) and \
                abs(float(got) - float(want)) <= TOLERANCE
        if not ok:
            found.append(f"{c.cell_ref(roster, row, col + 1)}: Excel shows {got!r}, "
                         f"Python computed {None if math.isnan(want) else float(want)!r}")
    return found


def _recalculate(book: Any) -> None:
    """Make sure the Score formulas are calculated, also when the user calculates by hand."""
    app = book.app
    if app.calculation != "automatic":
        app.calculate()


def rescore_live(
    book: Any,
    *,
    now: dt.datetime | None = None,
    run_by: str | None = None,
    platform: str = sys.platform,
    progress: Progress | None = None,
) -> ButtonResult:
    """Re-score an open workbook; never raises. Nothing is written unless every input is valid."""
    adapter = ExcelWorkbook(book, platform=platform)
    source = "this workbook"
    try:
        source = book.name
        info = RunInfo(now or dt.datetime.now(), run_by or current_user(), MODE)
        outcome = rescore_book(adapter, info, progress)
    except InputErrors as error:
        return ButtonResult(False, error_message(error, source))
    except Exception as error:
        if adapter.writes_started:
            state = ("The workbook may be partly re-scored: close it without saving to keep "
                     "the last saved version, then try again.")
        else:
            state = "Nothing was written."
        return ButtonResult(False, f"The re-score of {source} failed: "
                                   f"{type(error).__name__}: {error}\n\n{state}")
    try:
        _recalculate(book)
        mismatches = score_mismatches(adapter, outcome)
    except Exception as error:
        mismatches = [f"Excel's scores could not be read back: {type(error).__name__}: {error}"]
    message = success_message(outcome, source, adapter.notes)
    if mismatches:
        shown = mismatches[:SHOWN_PROBLEMS]
        more = len(mismatches) - len(shown)
        message += ("\n\nExcel's Score cells do not match Python's scores "
                    f"({len(mismatches)} cells):\n" + "\n".join(shown) +
                    (f"\n... and {more} more." if more else ""))
        return ButtonResult(False, message, outcome, mismatches)
    return ButtonResult(True, message, outcome)


def main() -> None:  # pragma: no cover - needs Excel
    import xlwings as xw

    try:
        book = xw.Book.caller()
    except Exception as error:
        xw.apps.active.alert(f"Could not find the workbook that called: {error}", title=TITLE,
                             mode="critical")
        return
    result = rescore_live(book)
    message = result.message
    try:
        from .addin import renamed_note

        note = renamed_note()
    except Exception:
        note = None
    if note:
        message += "\n\n" + note
    book.app.alert(message, title=TITLE, mode=result.mode)
