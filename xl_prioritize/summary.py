"""The few lines a person reads after a re-score: partners per tier, hours, warnings."""

from __future__ import annotations

import math
import textwrap

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .hours import hours_text
from .model import CapacityPlan
from .problems import InputErrors
from .rescore import Outcome
from .untrusted import console_text, terminal_text
from .workbook import contract as c
from .workbook.staleness import changes_line

WIDTH = 80
"""The summary fits an 80-column terminal."""
MOVERS_SHOWN = 10


def print_summary(outcome: Outcome, console: Console, source: str) -> None:
    inputs, plan = outcome.inputs, outcome.results.capacity
    console.print(tier_table(outcome, source))
    for row in plan.tiers:
        if row.has_program:
            who = row.program_by or "nobody: no member who serves it has the hours"
            _print_wrapped(console, f"Group program of {row.tier}: {hours_text(row.hours_per_tier)} h "
                                    f"a month, carried by {who}.", "")
    if outcome.archived:
        console.print(f"Archived last quarter's results to '{console_text(outcome.archived)}'.",
                      highlight=False)
    if outcome.changes is not None:
        _print_wrapped(console, changes_line(outcome.changes), "")
    if plan.members:
        console.print(member_table(plan))
    if outcome.guidance:
        console.print("[bold]What the hours say[/bold]")
    for line in outcome.guidance:
        _print_wrapped(console, line, "  • ")
    if outcome.warnings:
        console.print(f"[yellow]{len(outcome.warnings)} warning(s):[/yellow]")
        for warning in outcome.warnings:
            _print_wrapped(console, str(warning), "  ")
    for line in tier_changes(outcome, bool(inputs.history)):
        console.print(line, highlight=False, emoji=False)


def tier_table(outcome: Outcome, source: str) -> Table:
    inputs, plan = outcome.inputs, outcome.results.capacity
    service = {t.name: t.service_level for t in inputs.tiers}
    rows = [(row.tier, str(row.partners), service.get(row.tier, ""), hours_text(row.hours_needed),
             hours_text(row.hours_allocated),
             f"{row.coverage:.0%}" if row.coverage is not None else "–") for row in plan.tiers]
    unscored = outcome.tier_counts.get(c.UNSCORED, 0)
    if unscored:
        rows.append((c.UNSCORED, str(unscored), "", "", "", ""))
    headers = ("Tier", "Partners", "Service level", "Hours needed", "Allocated", "Coverage")
    widths = [max([len(h), *(len(r[j]) for r in rows)]) for j, h in enumerate(headers)]
    # every column keeps its width but Service level, which takes what is left of 80 columns
    rest = WIDTH - (sum(widths) - widths[2]) - (3 * len(headers) + 1)
    table = Table(title=console_text(f"{source}: {outcome.quarter}, {outcome.partners} partners "
                                     "re-scored"), title_justify="left")
    for j, header in enumerate(headers):
        wide = j == 2
        table.add_column(header, justify="left" if j in (0, 2) else "right", no_wrap=True,
                         overflow="ellipsis", max_width=max(rest, 10) if wide else None,
                         min_width=None if wide else widths[j])
    for row in rows:
        table.add_row(*(console_text(v) for v in row))
    return table


def member_table(plan: CapacityPlan) -> Table:
    table = Table(title="Team load", title_justify="left")
    for header, justify in (("Member", "left"), ("Hours", "right"), ("Partners", "right"),
                            ("Assigned", "right"), ("Load", "right")):
        table.add_column(header, justify=justify, no_wrap=True,  # type: ignore[arg-type]
                         overflow="ellipsis", max_width=30 if header == "Member" else None)
    for load in plan.members:
        share = f"{load.load:.0%}" if load.load is not None else "–"
        table.add_row(console_text(load.member.name), hours_text(load.member.hours),
                      str(load.partners), hours_text(load.hours), share)
    return table


def tier_changes(outcome: Outcome, archived: bool) -> list[str]:
    """Who changed tier this run: up, then down, best rank first, at most ten each."""
    if not archived:
        return ["No earlier quarter is archived: every partner is new."]
    results, roster = outcome.results, outcome.inputs.roster
    lines: list[str] = []
    for move, label in (("up", "Moved up"), ("down", "Moved down")):
        who = [i for i, m in enumerate(results.movement) if m == move]
        who.sort(key=lambda i: (results.rank[i] if results.rank[i] > 0 else math.inf, i))
        if not who:
            continue
        lines.append(f"[bold]{label} ({len(who)})[/bold]")
        for i in who[:MOVERS_SHOWN]:
            lines.append(_mover_line(int(results.rank[i]), roster.ids[i], roster.names[i],
                                     results.previous_tier[i], results.tier[i]))
        if len(who) > MOVERS_SHOWN:
            lines.append(f"    … and {len(who) - MOVERS_SHOWN} more (the Compare sheet lists all)")
    return lines or ["No partner changed tier this run."]


def _mover_line(rank: int, partner_id: str, name: object, before: object, after: object) -> str:
    """`  #12  P-0046  Tamio Cloud …  Tier 3 → Tier 1`, cut to fit 80 columns."""
    lead = f"  {'#' + str(rank) if rank > 0 else '–':>4}  {terminal_text(partner_id)[:12]:<8}  "
    change = f"{terminal_text(before or '–')[:14]} → {terminal_text(after)[:14]}"
    room = WIDTH - len(lead) - len(change) - 2
    shown = terminal_text(name or "")
    if len(shown) > room:
        shown = shown[: max(room - 1, 0)] + "…"
    return console_text(f"{lead}{shown:<{room}}  {change}")


def _print_wrapped(console: Console, text: str, bullet: str) -> None:
    indent = " " * len(bullet)
    for line in textwrap.wrap(terminal_text(text), WIDTH - len(bullet)) or [""]:
        console.print(console_text(bullet + line), highlight=False, emoji=False)
        bullet = indent


def print_errors(error: InputErrors, console: Console) -> None:
    count = len(error.problems)
    noun = "error" if count == 1 else "errors"
    console.print(f"[red]{error.source}: {count} input {noun}; nothing was written.[/red]",
                  highlight=False)
    for problem in error.problems:
        console.print(f"  {escape(str(problem))}  [dim]\\[{problem.code}][/dim]", highlight=False)
