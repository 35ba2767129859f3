"""What a collection did, for people: printed, and as a separate report file (.csv or .xlsx).

The report never goes into the master: per Partner manager, returned or not, cells changed,
conflicts and proposals; then the partners still unscored. Text from workbooks is escaped for the
terminal, neutralised in CSV cells and written with `write_string` in .xlsx, so `=1+1` stays text.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import xlsxwriter
from rich.console import Console
from rich.table import Table

from .collect import CollectOutcome
from .problems import describe
from .untrusted import console_text, write_csv
from .workbook.cells import is_blank

__all__ = ["REPORT_SUFFIXES", "print_outcome", "report_tables", "write_report"]

REPORT_SUFFIXES = (".csv", ".xlsx")
UNASSIGNED = "(no Partner manager)"


def _show(value: object) -> str:
    return "blank" if is_blank(value) else describe(value).strip("'")


def _manager(name: str | None) -> str:
    return name if name else UNASSIGNED


Table_ = tuple[str, list[str], list[list[object]]]


def report_tables(outcome: CollectOutcome) -> list[Table_]:
    """(title, header, rows) of each part of the report."""
    managers = [[_manager(m.manager), m.partners, "yes" if m.returned else "no",
                 ", ".join(m.returned), m.quarter, m.changed, m.conflicts, m.proposals]
                for m in outcome.managers]
    changes = [[ch.cell, ch.partner_id, ch.factor, _show(ch.old), ch.new, ch.source]
               for ch in outcome.changes]
    conflicts = [[k.partner_id, k.partner, k.factor, _show(k.sent), k.returned, _show(k.master),
                  k.source, k.cell, k.taken or "unsettled"] for k in outcome.conflicts]
    proposals = [[p.partner_id, p.partner, p.tier, p.reason, p.manager, p.master_tier or "",
                  p.source, "taken" if outcome.take_overrides and outcome.written else "proposed"]
                 for p in outcome.proposals]
    unscored = [[u.partner_id, u.partner, _manager(u.manager), ", ".join(u.missing)]
                for u in outcome.unscored]
    return [
        ("Managers", ["Partner manager", "Partners", "Returned", "Files", "Quarter",
                      "Cells changed", "Conflicts", "Proposals"], managers),
        ("Changes", ["Cell", "Partner ID", "Factor", "Old", "New", "From"], changes),
        ("Conflicts", ["Partner ID", "Partner", "Factor", "Sent", "Returned", "Master",
                       "Return cell", "Master cell", "Settled"], conflicts),
        ("Proposals", ["Partner ID", "Partner", "Proposed tier", "Reason", "Proposed by",
                       "Master's override", "From", "Status"], proposals),
        ("Unscored", ["Partner ID", "Partner", "Partner manager", "Missing scores"], unscored),
    ]


def write_report(outcome: CollectOutcome, path: Path | str) -> Path:
    """Write the report to `path` (.csv or .xlsx); never to the master itself."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ValueError(f"{path.name}: a report is .csv or .xlsx")
    if path.exists() and os.path.realpath(path) == os.path.realpath(outcome.master):
        raise ValueError(f"{path.name} is the master; the report goes to a file of its own")
    tables = report_tables(outcome)
    if suffix == ".csv":
        title, header, first = tables[0]
        rows: list[Sequence[object]] = list(first)
        for title, header_, body in tables[1:]:
            rows += [[], [title], header_, *body]
        write_csv(path, header, rows)
        return path
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    bold = wb.add_format({"bold": True, "bg_color": "#D9D9D9"})
    for title, header, body in tables:
        ws = wb.add_worksheet(title)
        for col, text in enumerate(header):
            ws.write_string(0, col, text, bold)
            ws.set_column(col, col, max(12, min(40, len(text) + 4)))
        for r, line in enumerate(body, start=1):
            for col, value in enumerate(line):
                if value is None:
                    continue
                if isinstance(value, int | float) and not isinstance(value, bool):
                    ws.write_number(r, col, value)
                else:
                    ws.write_string(r, col, str(value))
        ws.freeze_panes(1, 0)
    wb.close()
    return path


def print_outcome(outcome: CollectOutcome, console: Console) -> None:
    """The changes, conflicts settled, proposals, each return, each manager, then warnings."""
    name = outcome.master.name
    count = len(outcome.changes)
    cells = "cell" if count == 1 else "cells"
    if outcome.dry_run:
        title = f"{name}: dry run, {count} {cells} would change; nothing was written"
    elif outcome.written:
        title = f"{name}: {count} {cells} changed"
    else:
        title = f"{name}: nothing to change; the file was not written"
    if outcome.changes:
        table = Table(title=console_text(title), title_justify="left")
        for header, justify in (("Cell", "left"), ("Partner ID", "left"), ("Factor", "left"),
                                ("Old", "right"), ("New", "right"), ("From", "left")):
            table.add_column(header, justify=justify)  # type: ignore[arg-type]
        for ch in outcome.changes:
            table.add_row(*(console_text(v) for v in (ch.cell, ch.partner_id, ch.factor,
                                                      _show(ch.old), _show(ch.new), ch.source)))
        console.print(table)
    else:
        console.print(console_text(title), highlight=False)
    if outcome.conflicts:
        table = Table(title=f"{len(outcome.conflicts)} conflict(s): changed in the master and in "
                            "a return since it was sent", title_justify="left")
        for header in ("Partner ID", "Factor", "Sent", "Returned", "Master", "Return cell",
                       "Master cell", "Kept"):
            table.add_column(header)
        for k in outcome.conflicts:
            kept = {"theirs": "returned", "ours": "master"}.get(k.taken or "", "")
            table.add_row(*(console_text(v) for v in (
                k.partner_id, k.factor, _show(k.sent), _show(k.returned), _show(k.master),
                k.source, k.cell, kept)))
        console.print(table)
    if outcome.proposals:
        taken = outcome.take_overrides and (outcome.written or outcome.dry_run)
        verb = "would be written" if outcome.dry_run and taken else \
            "written to the master" if taken else "not written: pass --take-overrides to take them"
        table = Table(title=f"{len(outcome.proposals)} Tier override proposal(s), {verb}",
                      title_justify="left")
        for header in ("Partner ID", "Partner", "Proposed tier", "Reason", "Proposed by", "Now"):
            table.add_column(header)
        for p in outcome.proposals:
            table.add_row(*(console_text(v) for v in (p.partner_id, p.partner, p.tier, p.reason,
                                                      p.manager, p.master_tier or "none")))
        console.print(table)
    for s in outcome.returns:
        line = (f"  {s.name}: {s.partners} partner(s), {s.scores} score(s), "
                f"{s.changed} change(s)")
        if s.distributed:
            line += f", {s.unchanged} as sent (left alone)"
            if s.kept:
                line += f", of which {s.kept} newer in the master (kept)"
        if s.unknown:
            line += f", {s.unknown} unknown Partner ID(s) skipped"
        console.print(console_text(line), highlight=False)
    missing = [m for m in outcome.managers if not m.returned and m.partners]
    if missing:
        console.print(console_text("Not returned: " + ", ".join(
            f"{_manager(m.manager)} ({m.partners} partner(s))" for m in missing)),
            highlight=False)
    if outcome.unscored:
        shown = ", ".join(u.partner_id for u in outcome.unscored[:10])
        more = f" and {len(outcome.unscored) - 10} more" if len(outcome.unscored) > 10 else ""
        console.print(console_text(f"Still unscored: {len(outcome.unscored)} partner(s): "
                                   f"{shown}{more}"), highlight=False)
    if outcome.warnings:
        console.print(f"[yellow]{len(outcome.warnings)} warning(s):[/yellow]")
        for warning in outcome.warnings:
            console.print(f"  {console_text(str(warning))}", highlight=False)
