"""What `xl-prioritize audit` prints: every finding with its cell, then what could not be checked."""

from __future__ import annotations

from rich.console import Console

from .audit import Report
from .untrusted import console_text


def print_report(report: Report, console: Console, source: str) -> None:
    count = len(report.findings)
    if count:
        noun = "finding" if count == 1 else "findings"
        console.print(f"[yellow]{console_text(source)}: {count} {noun} "
                      f"({report.partners} partners checked)[/yellow]", highlight=False)
        for item in report.findings:
            console.print(f"  {console_text(item)}  [dim]\\[{item.code}][/dim]", highlight=False)
    else:
        console.print(f"[green]{console_text(source)}: clean[/green] ({report.partners} partners "
                      "checked: Score formulas, outputs, stale scores, archives, Log)",
                      highlight=False)
    for note in report.notes:
        console.print(f"  [dim]Note: {console_text(note)}[/dim]", highlight=False)
