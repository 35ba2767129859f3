"""The few lines a person reads after a re-score: partners per tier, hours, warnings."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .model import CapacityPlan
from .problems import InputErrors
from .rescore import Outcome


def print_summary(outcome: Outcome, console: Console, source: str) -> None:
    inputs, plan = outcome.inputs, outcome.results.capacity
    service = {t.name: t.service_level for t in inputs.tiers}
    table = Table(title=f"{source}: {outcome.quarter}, {outcome.partners} partners re-scored",
                  title_justify="left")
    for header, justify in (("Tier", "left"), ("Partners", "right"), ("Service level", "left"),
                            ("Hours needed", "right"), ("Allocated", "right"),
                            ("Coverage", "right")):
        wide = header == "Service level"
        shortest = max([len(header), *(len(t) for t in outcome.tier_counts)]) \
            if header == "Tier" else len(header)
        table.add_column(header, justify=justify, no_wrap=True,  # type: ignore[arg-type]
                         overflow="ellipsis", max_width=34 if wide else None,
                         min_width=None if wide else shortest)
    for row in plan.tiers:
        coverage = f"{row.coverage:.0%}" if row.coverage is not None else "–"
        table.add_row(row.tier, str(row.partners), service.get(row.tier, ""),
                      f"{row.hours_needed:g}", f"{row.hours_allocated:g}", coverage)
    unscored = outcome.tier_counts.get("Unscored", 0)
    if unscored:
        table.add_row("Unscored", str(unscored), "", "", "", "")
    console.print(table)
    if outcome.archived:
        console.print(f"Archived last quarter's results to '{outcome.archived}'.")
    if plan.members:
        console.print(member_table(plan))
    if outcome.guidance:
        console.print("[bold]What the hours say[/bold]")
    for line in outcome.guidance:
        console.print(f"  • {escape(line)}", highlight=False, emoji=False)
    if outcome.warnings:
        console.print(f"[yellow]{len(outcome.warnings)} warning(s):[/yellow]")
        for warning in outcome.warnings:
            console.print(f"  {escape(str(warning))}", highlight=False)


def member_table(plan: CapacityPlan) -> Table:
    table = Table(title="Team load", title_justify="left")
    for header, justify in (("Member", "left"), ("Hours", "right"), ("Partners", "right"),
                            ("Assigned", "right"), ("Load", "right")):
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    for load in plan.members:
        share = f"{load.load:.0%}" if load.load is not None else "–"
        table.add_row(escape(load.member.name), f"{load.member.hours:g}", str(load.partners),
                      f"{load.hours:g}", share)
    return table


def print_errors(error: InputErrors, console: Console) -> None:
    count = len(error.problems)
    noun = "error" if count == 1 else "errors"
    console.print(f"[red]{error.source}: {count} input {noun}; nothing was written.[/red]",
                  highlight=False)
    for problem in error.problems:
        console.print(f"  {escape(str(problem))}  [dim]\\[{problem.code}][/dim]", highlight=False)
