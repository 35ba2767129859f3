"""The `Model` sheet, owned whole: factor validation and tier stability as tables and two charts.

Either command's `--write` rewrites the whole sheet with both checks as they stand, so the two
halves never describe different workbooks."""

from __future__ import annotations

from ..model import Inputs
from ..workbook.ops import (
    Area,
    Chart,
    ClearSheet,
    ColumnWidths,
    EnsureSheet,
    Plan,
    Style,
    WriteBlock,
    header_style,
)
from .sensitivity import Sensitivity
from .validate import Validation
from .words import backtest_words, draw_words, validation_notes

MODEL = "Model"
CHART_COL = 11
Rows = list[tuple[object, ...]]


class SheetWriter:
    """Blocks written top to bottom, one blank row apart, remembering where each table stands."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.row = 1
        self.ops: Plan = []

    def title(self, text: str, note: str | None = None) -> None:
        self.ops.append(WriteBlock(self.sheet, self.row, 1, ((text, note),)))
        self.ops.append(Style(self.sheet, Area(self.row, 1), bold=True))
        self.row += 1

    def lines(self, texts: list[str]) -> None:
        if texts:
            self.ops.append(WriteBlock(self.sheet, self.row, 1, tuple((t,) for t in texts)))
            self.row += len(texts)

    def table(self, header: tuple[str, ...], rows: Rows, formats: dict[int, str]) -> int:
        """Write a table; returns its header row. `formats` maps 1-based columns to formats."""
        top = self.row
        self.ops.append(WriteBlock(self.sheet, top, 1, (header, *rows)))
        self.ops.append(header_style(self.sheet, Area(top, 1, 1, len(header))))
        for col, fmt in formats.items():
            if rows:
                self.ops.append(Style(self.sheet, Area(top + 1, col, len(rows), 1),
                                      number_format=fmt))
        self.row += len(rows) + 1
        return top

    def gap(self) -> None:
        self.row += 1


LISTED = 40
"""Partners named in one cell before `and N more`: a cell holds at most 32,767 characters."""


def which(ids: list[str], changed: list[tuple[int, str]]) -> str | None:
    text = ", ".join(f"{ids[i]} → {tier}" for i, tier in changed[:LISTED])
    if len(changed) > LISTED:
        text += f", and {len(changed) - LISTED} more"
    return text or None


def model_ops(inputs: Inputs, validation: Validation, stability: Sensitivity,
              sheet: str = MODEL) -> Plan:
    out = SheetWriter(sheet)
    out.title("Factor validation", f"Outcome: {validation.outcome or 'none named'}; quarters: "
              + (", ".join(validation.quarters) or "none"))
    total = sum(f.weight for f in inputs.factors) or 1.0
    factor_rows: Rows = [
        (f.name, f.weight, f.weight / total, f.suggested, f.rho, f.low, f.high, f.pairs)
        for f in validation.factors
    ]
    factor_top = out.table(
        ("Factor", "Weight", "Weight share", "Suggested weight", "Spearman", "Interval low",
         "Interval high", "Pairs"), factor_rows,
        {2: "0.0", 3: "0%", 4: "0.0", 5: "0.00", 6: "0.00", 7: "0.00"})
    out.lines(validation_notes(validation))
    if validation.backtests:
        out.gap()
        out.title("Backtest", backtest_words(validation))
        out.table(("Quarters", "Top tier", "Partners in it", "Share held, current weights",
                   "Share held, suggested weights", "Suggested fitted on"),
                  [(b.label, b.top_tier, b.top_size, b.current_share, b.suggested_share,
                    "the same quarters" if b.in_sample else "the other quarters")
                   for b in validation.backtests], {4: "0%", 5: "0%"})
    out.gap()
    out.title("Tier stability", draw_words(stability))
    tiers = stability.tier_stability()
    tier_top = out.table(
        ("Tier", "Partners", "Mean chance of staying", f"Below {stability.stability:.0%}"),
        [(name, n, mean, below) for name, n, mean, below in tiers], {3: "0%"})
    out.gap()
    out.title("Each weight ±20%, one at a time")
    ids = inputs.roster.id_values or inputs.roster.ids
    out.table(("Factor", "Change", "Weight", "Partners changing tier", "Which"),
              [(m.factor, m.change, m.weight, len(m.changed), which(inputs.roster.ids, m.changed))
               for m in stability.moves], {2: "+0%;-0%", 3: "0.0"})
    out.gap()
    out.title("Partners, least stable first")
    order = sorted((i for i, p in enumerate(stability.probability) if p == p),
                   key=lambda i: (stability.probability[i], i))
    partner_rows: Rows = []
    for i in order:
        other, share = stability.likeliest_other(i)
        partner_rows.append((ids[i], inputs.roster.names[i], stability.current[i],
                             float(stability.probability[i]), other, share if other else None,
                             "override" if stability.overridden[i] else None))
    out.table(("Partner ID", "Partner", "Tier", "Chance of staying", "Likeliest other tier",
               "Its chance", "Note"), partner_rows, {4: "0%", 6: "0%"})

    ops: Plan = [EnsureSheet(sheet), ClearSheet(sheet), *out.ops,
                 ColumnWidths(sheet, ((1, 24), (2, 22), (3, 16), (4, 18), (5, 22), (6, 16),
                                      (7, 16), (8, 10)))]
    factors_n = len(validation.factors)
    if factors_n:
        ops.append(Chart(
            sheet, "Correlation beside weight", "column",
            "Spearman with the next quarter's outcome, beside each factor's weight share",
            categories=Area(factor_top + 1, 1, factors_n, 1),
            series=(Area(factor_top, 5, factors_n + 1, 1), Area(factor_top, 3, factors_n + 1, 1)),
            anchor=Area(1, CHART_COL, 16, 9),
        ))
    if tiers:
        ops.append(Chart(
            sheet, "Tier stability", "bar", "Mean chance of staying in the current tier",
            categories=Area(tier_top + 1, 1, len(tiers), 1),
            series=(Area(tier_top, 3, len(tiers) + 1, 1),),
            anchor=Area(18, CHART_COL, 16, 9), percent_axis=True,
        ))
    return ops
