"""A master workbook with what a lead keeps beside the inputs, on the Roster itself too.

Made with XlsxWriter for what the Excel-made corpus lacks: the Roster formatted as an Excel table, a
Tier override drop-down listing `Tiers!$A$2:$A$4`, sparklines, a data bar, a note, a text box, a
picture and a form button on the Roster, and a dashboard sheet with a chart over the Roster.
"""

from __future__ import annotations

import base64
import random
from pathlib import Path

import xlsxwriter

FACTORS = (("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20), ("Market reach", 15))
TIERS = (("Tier 1", 3, "Biweekly co-sell cadence", 6), ("Tier 2", 5, "Monthly pipeline review", 2),
         ("Tier 3", None, "Self-serve portal", 0))
TEAM = (("Ana", 30, "Tier 1"), ("Ben", 20, None))
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
ROSTER_HEADER = ("Partner ID", "Partner", "Partner manager", *(f for f, _ in FACTORS),
                 "Tier override", "Override reason", "Pipeline trend", "Notes")


def featured_master(path: Path, partners: int = 24, seed: int = 3) -> Path:
    rng = random.Random(seed)
    picture = path.with_suffix(".png")
    picture.write_bytes(PNG_1X1)
    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})

    settings = book.add_worksheet("Settings")
    for r, row in enumerate((("Setting", "Value"), ("Quarter", "2026-Q4"), ("Tier method", "count"))):
        settings.write_row(r, 0, row)
    factors = book.add_worksheet("Factors")
    factors.write_row(0, 0, ("Factor", "Weight"), bold)
    for r, row in enumerate(FACTORS, start=1):
        factors.write_row(r, 0, row)
    tiers = book.add_worksheet("Tiers")
    tiers.write_row(0, 0, ("Tier", "Size", "Service level", "Hours per partner per month"), bold)
    for r, row in enumerate(TIERS, start=1):
        tiers.write_row(r, 0, row)
    team = book.add_worksheet("Team")
    team.write_row(0, 0, ("Member", "Hours per month", "Focus tiers"), bold)
    for r, row in enumerate(TEAM, start=1):
        team.write_row(r, 0, row)

    roster = book.add_worksheet("Roster")
    rows = []
    for i in range(1, partners + 1):
        scores = [rng.randint(1, 5) for _ in FACTORS]
        rows.append([f"P-{i:03d}", f"Partner {i}", TEAM[i % 2][0], *scores, None, None,
                     None, "note" if i % 5 == 0 else None])
    rows[1][7], rows[1][8] = "Tier 1", "Signed a global alliance"
    last = partners  # 0-based last data row
    roster.add_table(0, 0, last, len(ROSTER_HEADER) - 1, {
        "name": "PartnerTable", "style": "Table Style Light 9",
        "columns": [{"header": h} for h in ROSTER_HEADER], "data": rows,
    })
    roster.data_validation(1, 7, last, 7, {"validate": "list", "source": "=Tiers!$A$2:$A$4"})
    roster.conditional_format(1, 3, last, 3, {"type": "data_bar", "bar_color": "#63BE7B",
                                               "data_bar_2010": True})
    for r in range(1, last + 1):
        roster.add_sparkline(r, 9, {"range": f"Roster!D{r + 1}:G{r + 1}"})
    roster.write_comment(1, 1, "Key account: check with Ana before changing anything.")
    roster.insert_textbox(2, 12, "Q4 notes: two alliances signed", {"width": 220, "height": 60})
    roster.insert_image(8, 12, str(picture))
    roster.insert_button(14, 12, {"macro": "my_macro", "caption": "My macro"})

    dashboard = book.add_worksheet("Dashboard")
    chart = book.add_chart({"type": "column"})
    chart.add_series({"name": "Customer overlap", "categories": f"=Roster!$A$2:$A${last + 1}",
                      "values": f"=Roster!$D$2:$D${last + 1}"})
    dashboard.insert_chart(1, 1, chart)
    dashboard.write_string(0, 0, "=HYPERLINK(\"http://evil.example\",\"text, not a formula\")")
    book.close()
    picture.unlink()
    return path
