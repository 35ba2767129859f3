"""What `xl-prioritize explain` prints: the Scorecard's breakdown in the terminal."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from .core.compute import compute
from .core.explain import Explanation, Neighbour, explain, find_partner
from .untrusted import console_text


def explain_file(path: Path | str, partner: str) -> Explanation:
    """Read a workbook (nothing written) and explain one partner, by Partner ID or name.
    Raises InputErrors for unreadable inputs, LookupError for an unknown partner."""
    from .adapters.files import FileWorkbook
    from .ooxml.identify import identify
    from .rescore import read_workbook

    identify(Path(path))
    book = FileWorkbook(Path(path))
    try:
        parsed, _ = read_workbook(book)
    finally:
        book.close()
    inputs = parsed.inputs
    i = find_partner(inputs, partner)
    if i is None:
        raise LookupError(f"no partner with Partner ID or name {partner!r} on the Roster")
    return explain(inputs, compute(inputs), i)


def _num(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _neighbour(label: str, n: Neighbour | None) -> str:
    if n is None:
        return f"{label}: none"
    return (f"{label}: #{n.rank} {console_text(n.partner_id)} {console_text(n.name)} "
            f"({n.score:.1f}, {console_text(n.tier)})")


def print_explanation(e: Explanation, console: Console) -> None:
    rank = f"#{e.rank}" if e.rank else "no rank"
    console.print(f"[bold]{console_text(e.partner_id)} {console_text(e.name)}[/bold]: Score "
                  f"{_num(e.score)}, {rank}, {console_text(e.tier)}", highlight=False)
    if e.service_level:
        console.print(f"  Service level: {console_text(e.service_level)}", highlight=False)
    console.print(f"  Served by: {console_text(e.assigned_to or '–')}", highlight=False)
    table = Table(title="Factor by factor", title_justify="left")
    for header in ("Factor", "Score", "Weight", "Share", "Points", "+1 step", "Gain"):
        table.add_column(header, justify="left" if header == "Factor" else "right")
    for line in e.factors:
        table.add_row(console_text(line.name), _num(line.score, 2).rstrip("0").rstrip("."),
                      f"{line.weight:g}", f"{line.share:.1%}", _num(line.contribution, 2),
                      _num(line.stepped, 2).rstrip("0").rstrip("."), _num(line.gain, 2))
    total = sum(line.contribution or 0 for line in e.factors)
    table.add_row("Total", "", "", "100%", _num(total if e.score is not None else None, 2), "", "")
    console.print(table)
    if e.tier_above is None:
        console.print("  Tier above: none (top tier or unscored)")
    else:
        console.print(f"  Tier above: {console_text(e.tier_above)}, boundary Score "
                      f"{_num(e.boundary, 2)}; points missing {_num(e.missing, 2)}",
                      highlight=False)
        if e.missing:
            if e.smallest is None:
                console.print("  To move up: none within the scale (no single factor closes it)")
            else:
                s = e.smallest
                console.print(f"  To move up: {console_text(s.factor)} from {s.before:g} to "
                              f"{s.after:g} (+{s.gain:.2f} points)", highlight=False)
    console.print("  " + _neighbour("Just above", e.above), highlight=False)
    console.print("  " + _neighbour("Just below", e.below), highlight=False)
    for quarter, tier, score in e.history:
        shown = f"{console_text(tier or '–')}, {_num(score)}" if tier or score is not None \
            else "not on the roster"
        console.print(f"  {quarter}: {shown}", highlight=False)
