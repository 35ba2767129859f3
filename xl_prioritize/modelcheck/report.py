"""What the model checks print: tables and plain sentences, user text escaped."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..untrusted import console_text as t
from .preview import Preview
from .sensitivity import Sensitivity
from .validate import Validation
from .words import backtest_words, draw_words, validation_notes

SHOWN = 25
"""Rows of a long list printed before `and N more`."""


def _pct(value: float | None) -> str:
    return "–" if value is None or value != value else f"{value:.0%}"


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "–" if value is None or value != value else format(value, fmt)


def _table(title: str, columns: list[tuple[str, str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for header, justify in columns:
        table.add_column(header, justify=justify)  # type: ignore[arg-type]
    return table


def _bullets(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(f"  • {t(line)}", highlight=False)


def print_validation(v: Validation, console: Console, source: str) -> None:
    title = f"{t(source)}: do the factors predict next quarter's {t(v.outcome or 'outcome')}?"
    table = _table(title, [("Factor", "left"), ("Weight", "right"), ("Suggested", "right"),
                           ("Spearman", "right"), ("95% interval", "right"), ("Pairs", "right")])
    for f in v.factors:
        interval = "–" if f.low is None else f"{f.low:.2f} to {f.high:.2f}"
        table.add_row(t(f.name), f"{f.weight:g}", _num(f.suggested, ".1f"), _num(f.rho),
                      interval, str(f.pairs))
    console.print(table)
    _bullets(console, validation_notes(v))
    if v.backtests:
        console.print("[bold]Backtest[/bold]")
        for b in v.backtests:
            console.print(
                f"  {t(b.label)}: {t(b.top_tier)} ({b.top_size} partners) held "
                f"{_pct(b.current_share)} of the next quarter's {t(v.outcome)} under the current "
                f"weights, {_pct(b.suggested_share)} under the suggested ones.", highlight=False)
        console.print(f"  {t(backtest_words(v))}", highlight=False)


def print_sensitivity(s: Sensitivity, ids: list[str], names: list[object], console: Console,
                      source: str) -> None:
    table = _table(f"{t(source)}: each weight ±20%, one at a time",
                   [("Factor", "left"), ("Change", "right"), ("Weight", "right"),
                    ("Change tier", "right"), ("Which", "left")])
    for m in s.moves:
        which = ", ".join(f"{ids[i]} → {tier}" for i, tier in m.changed[:8])
        if len(m.changed) > 8:
            which += f", and {len(m.changed) - 8} more"
        table.add_row(t(m.factor), f"{m.change:+.0%}", f"{m.weight:g}", str(len(m.changed)),
                      t(which) or "–")
    console.print(table)
    console.print(t(draw_words(s)), highlight=False)
    tiers = _table("Chance of staying in the current tier",
                   [("Tier", "left"), ("Partners", "right"), ("Mean chance", "right"),
                    (f"Below {s.stability:.0%}", "right")])
    for name, n, mean, below in s.tier_stability():
        tiers.add_row(t(name), str(n), _pct(mean), str(below))
    console.print(tiers)
    unstable = s.unstable
    if not unstable:
        console.print(f"Every partner lands in its current tier in at least {s.stability:.0%} of "
                      "the draws.")
        return
    listed = _table(f"{len(unstable)} partners below {s.stability:.0%}: staff these tiers with care",
                    [("Partner ID", "left"), ("Partner", "left"), ("Tier", "left"),
                     ("Chance", "right"), ("Else most often", "left")])
    for i in unstable[:SHOWN]:
        other, share = s.likeliest_other(i)
        listed.add_row(t(ids[i]), t(names[i] if names[i] is not None else ""), t(s.current[i]),
                       _pct(float(s.probability[i])),
                       f"{t(other)} ({share:.0%})" if other else "–")
    console.print(listed)
    if len(unstable) > SHOWN:
        console.print(f"  and {len(unstable) - SHOWN} more (--write lists every partner in the "
                      "Model sheet).")


def print_preview(p: Preview, console: Console, source: str) -> None:
    console.print(f"[bold]{t(source)}: preview, nothing written[/bold]")
    _bullets(console, p.changes or ["No change given: this is the workbook as it stands."])
    table = _table("Tiers and capacity, now → with the change",
                   [("Tier", "left"), ("Partners", "right"), ("Hours needed", "right"),
                    ("Allocated", "right"), ("Coverage", "right"), ("Change", "right")])
    for now, then in zip(p.before.capacity.tiers, p.after.capacity.tiers, strict=True):
        change = "–"
        if now.coverage is not None and then.coverage is not None:
            change = f"{(then.coverage - now.coverage) * 100:+.0f} pts"
        table.add_row(t(now.tier), f"{now.partners} → {then.partners}",
                      f"{now.hours_needed:g} → {then.hours_needed:g}",
                      f"{now.hours_allocated:g} → {then.hours_allocated:g}",
                      f"{_pct(now.coverage)} → {_pct(then.coverage)}", change)
    console.print(table)
    if p.after.capacity.members:
        team = _table("Team load, now → with the change",
                      [("Member", "left"), ("Hours", "right"), ("Partners", "right"),
                       ("Hours assigned", "right"), ("Load", "right")])
        for now_load, then_load in zip(p.before.capacity.members, p.after.capacity.members,
                                       strict=True):
            team.add_row(t(now_load.member.name), f"{now_load.member.hours:g}",
                         f"{now_load.partners} → {then_load.partners}",
                         f"{now_load.hours:g} → {then_load.hours:g}",
                         f"{_pct(now_load.load)} → {_pct(then_load.load)}")
        console.print(team)
    moved = p.moved
    roster = p.inputs_before.roster
    if not moved:
        console.print("No partner would change tier.")
    else:
        listed = _table(f"{len(moved)} partners would change tier",
                        [("Partner ID", "left"), ("Partner", "left"), ("Score", "right"),
                         ("Rank", "right"), ("Tier", "left")])
        order = sorted(moved, key=lambda i: (int(p.after.rank[i]) or 10**9, i))
        for i in order[:SHOWN * 2]:
            listed.add_row(
                t(roster.ids[i]), t(roster.names[i] if roster.names[i] is not None else ""),
                f"{_num(float(p.before.score[i]), '.1f')} → {_num(float(p.after.score[i]), '.1f')}",
                f"{int(p.before.rank[i]) or '–'} → {int(p.after.rank[i]) or '–'}",
                f"{t(p.before.tier[i])} → {t(p.after.tier[i])}")
        console.print(listed)
        if len(order) > SHOWN * 2:
            console.print(f"  and {len(order) - SHOWN * 2} more.")
    if p.after.capacity.guidance:
        console.print("[bold]What the hours would say[/bold]")
        _bullets(console, p.after.capacity.guidance)
