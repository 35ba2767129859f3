"""Capacity follows the score: the seed's example worked out by hand, the sheet, charts, validation.

The example: 140 partners, tiers of 18 / 40 / the rest by count at 6 h / 2 h / 0 h a partner, a
team of three focused on Tier 1 (Ana 40 h, Ben 30 h, Cleo 24 h) and Dev (60 h) serving any tier.
Partner P001 is best, P140 worst: every factor of partner i scores 5 - (i - 1) // 28, and equal
scores fall back to Partner ID order. The Roster rows are shuffled so the order of service can
only come from the Rank. P001-P005 have Ben as Partner manager, P010 Dev, P020 Cleo (who may not
serve Tier 2) and P030 someone not on the team.

Worked by hand, one partner at a time (hours left: Ana 40, Ben 30, Cleo 24, Dev 60):
  P001-P005  manager Ben                                   -> Ben 0
  P006-P009  most hours left: Dev 60, 54, 48, 42          -> Dev 36
  P010       manager Dev (Ana's 40 h would otherwise win) -> Dev 30
  P011, P012 Ana 40, 34                                   -> Ana 28
  P013       Dev 30                                       -> Dev 24
  P014       Ana 28                                       -> Ana 22
  P015       Cleo 24 = Dev 24, Cleo first on the Team     -> Cleo 18
  P016       Dev 24                                       -> Dev 18
  P017       Ana 22                                       -> Ana 16
  P018       Cleo 18 = Dev 18, Cleo first                 -> Cleo 12
Tier 1 is covered: 18 x 6 = 108 h (Ben 5 partners 30 h, Dev 7 42 h, Ana 4 24 h, Cleo 2 12 h).
Tier 2 (P019-P058) only Dev may serve; his 18 h left take P019-P027 (P020's manager Cleo may not
serve Tier 2), 9 x 2 = 18 h of 80 h, and P028-P058 are Unassigned. Tier 3 costs no hours: blank.
Guidance: Tier 2 needs 40 partners served from Dev's 18 h: at most 18 / 40 = 0.45 h a partner.
Unused: Ana 16 h and Cleo 12 h, 28 h, neither of whom may serve Tier 2.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import build_workbook, digest, table
from rich.console import Console

from xl_prioritize.core.capacity import fitting_hours, partners_served
from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import rescore_file
from xl_prioritize.summary import print_summary
from xl_prioritize.workbook.contract import CAPACITY_MEMBER_HEADERS, CAPACITY_TIER_HEADERS

FACTORS = [("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20),
           ("Market reach", 15)]
TIERS = [("Tier 1", 18, "Biweekly co-sell cadence", 6),
         ("Tier 2", 40, "Monthly pipeline review", 2),
         ("Tier 3", None, "Self-serve portal", 0)]
TEAM = [("Ana", 40, "Tier 1"), ("Ben", 30, "Tier 1"), ("Cleo", 24, "Tier 1"), ("Dev", 60, None)]
MANAGERS = {**{i: "Ben" for i in range(1, 6)}, 10: "Dev", 20: "Cleo", 30: "Zoe"}


def seed_rows() -> list[tuple[object, ...]]:
    rows = []
    for n in range(140):
        i = (n * 37) % 140 + 1  # a fixed shuffle of 1..140
        score = 5 - (i - 1) // 28
        rows.append((f"P{i:03d}", f"Partner {i}", MANAGERS.get(i), score, score, score, score))
    return rows


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    return build_workbook(tmp_path / "seed.xlsx", factors=FACTORS, tiers=TIERS, team=TEAM,
                          roster_rows=seed_rows())


def assigned(path: Path) -> dict[str, object]:
    return {row["Partner ID"]: row["Assigned to"] for row in table(path, "Roster")}


def test_seed_assignment_follows_rank_manager_then_most_hours_left(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    got = assigned(seed)
    expected = {
        **{f"P{i:03d}": "Ben" for i in (1, 2, 3, 4, 5)},
        **{f"P{i:03d}": "Dev" for i in (6, 7, 8, 9, 10, 13, 16)},
        **{f"P{i:03d}": "Ana" for i in (11, 12, 14, 17)},
        **{f"P{i:03d}": "Cleo" for i in (15, 18)},
        **{f"P{i:03d}": "Dev" for i in range(19, 28)},
        **{f"P{i:03d}": "Unassigned" for i in range(28, 59)},
        **{f"P{i:03d}": None for i in range(59, 141)},
    }
    assert got == expected


def test_seed_capacity_sheet_by_hand(seed: Path) -> None:
    outcome = rescore_file(seed, run_by="test")
    rows = [tuple(r) for r in openpyxl.load_workbook(seed)["Capacity"].iter_rows(
        min_row=1, max_row=11, max_col=6, values_only=True)]
    assert rows[0] == CAPACITY_TIER_HEADERS
    assert rows[1] == ("Tier 1", 18, 6, 108, 108, 1)
    assert rows[2] == ("Tier 2", 40, 2, 80, 18, pytest.approx(0.225))
    assert rows[3] == ("Tier 3", 82, 0, 0, 0, None)
    assert rows[4] == ("Total", 140, None, 188, 126, pytest.approx(126 / 188))
    assert rows[5] == (None,) * 6
    assert rows[6] == CAPACITY_MEMBER_HEADERS
    assert rows[7] == ("Ana", 40, "Tier 1", 4, 24, pytest.approx(0.6))
    assert rows[8] == ("Ben", 30, "Tier 1", 5, 30, 1)
    assert rows[9] == ("Cleo", 24, "Tier 1", 2, 12, pytest.approx(0.5))
    assert rows[10] == ("Dev", 60, None, 16, 60, 1)

    tier2, unused = outcome.guidance
    assert tier2.startswith("Tier 2 is short: 40 partners × 2 h = 80 h needed, 18 h allocated "
                            "(62 h short).")
    assert "have 18 h for it (Dev 18 h of 60 h)" in tier2
    assert "serves 9 of its 40 partners" in tier2
    assert "plan at most 0.45 h per partner" in tier2
    assert unused == ("Unused hours: 28 h a month (Ana 16 h, Cleo 12 h). "
                      "Tier 2 cannot use them: Ana and Cleo may not serve it.")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    shown = [sheet.cell(r, 8).value for r in range(1, 20)]
    assert shown[0] == "What the hours say"
    lines = shown[1:shown.index(None)]
    assert [line.startswith("• ") for line in lines].count(True) == 2, lines
    assert " ".join(line[2:].strip() for line in lines) == f"{tier2} {unused}"


def test_capacity_figures_are_values_not_formulas(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    for row in sheet.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith("=") for v in row)


def test_no_member_is_loaded_over_100_percent(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    loads = {sheet.cell(r, 1).value: sheet.cell(r, 6).value for r in range(8, 12)}
    assert loads == {"Ana": pytest.approx(0.6), "Ben": 1, "Cleo": pytest.approx(0.5), "Dev": 1}
    assert max(loads.values()) <= 1


def _capacity_drawing(path: Path) -> tuple[list[str], str]:
    """Chart parts in the file, and the drawing XML the Capacity sheet refers to."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet [^>]*name="Capacity"[^>]*r:id="(rId\d+)"', workbook)
        assert rid is not None
        target = re.search(rf'Id="{rid[1]}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels) or \
            re.search(rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid[1]}"', rels)
        assert target is not None
        sheet_xml = target[1].split("/")[-1]
        sheet_rels = z.read(f"xl/worksheets/_rels/{sheet_xml}.rels").decode()
        drawing = re.findall(r'Target="[./]*(?:xl/)?drawings/(drawing\d+\.xml)"', sheet_rels)
        assert len(drawing) == 1
        drawing_rels = z.read(f"xl/drawings/_rels/{drawing[0]}.rels").decode()
        charts = re.findall(r'Target="[./]*(?:xl/)?charts/(chart\d+\.xml)"', drawing_rels)
        return [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)], \
            z.read(f"xl/drawings/{drawing[0]}").decode() + "".join(
                z.read(f"xl/charts/{c}").decode() for c in charts) + f"<!--{len(charts)}-->"


def test_two_charts_after_two_rescores_anchored_where_planned(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    rescore_file(seed, run_by="test")
    parts, drawing = _capacity_drawing(seed)
    assert drawing.endswith("<!--2-->")  # the Capacity drawing refers to exactly two charts
    assert drawing.count("<c:chartSpace") + drawing.count("<chartSpace") == 2
    # The charts start one blank row below the guidance in column H, 15 rows tall and one (wide)
    # column across, the second 16 rows below the first.
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    guidance_rows = next(r for r in range(1, 50) if sheet.cell(r, 8).value is None) - 1
    top = guidance_rows + 1  # 0-based row of the first chart's top
    anchors = re.findall(r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?"
                         r"<(?:xdr:)?row>(\d+)</(?:xdr:)?row>.*?<(?:xdr:)?to>"
                         r"<(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?<(?:xdr:)?row>(\d+)<", drawing)
    assert guidance_rows == 6, "header, Tier 2 in three sentences, unused hours in two"
    assert anchors == [("7", str(top), "8", str(top + 15)), ("7", str(top + 16), "8", str(top + 31))]
    assert "Hours needed and allocated by tier" in drawing
    assert "Load by member" in drawing
    # Needed and allocated per tier (not the Total row), titled by their headers; Load per member.
    assert re.findall(r"<(?:c:)?f>([^<]*)</", drawing) == [
        "'Capacity'!D1", "'Capacity'!$A$2:$A$4", "'Capacity'!$D$2:$D$4",
        "'Capacity'!E1", "'Capacity'!$A$2:$A$4", "'Capacity'!$E$2:$E$4",
        "'Capacity'!F7", "'Capacity'!$A$8:$A$11", "'Capacity'!$F$8:$F$11",
    ]
    # Every chart part in the file belongs to some drawing; none is a left-over duplicate.
    with zipfile.ZipFile(seed) as z:
        referenced = "".join(z.read(n).decode() for n in z.namelist()
                             if n.startswith("xl/drawings/_rels/"))
    assert all(p.split("/")[-1] in referenced for p in parts)


def test_guidance_when_hours_are_whole_partners(tmp_path: Path) -> None:
    """Equal scores, so P01..P12 rank in ID order: Tier 1 is P01-P05 (6 h), Tier 2 P06-P10 (2 h).
    Ana 20 h (Tier 1 only) and Ben 10 h: P01 Ana (14 left), P02 Ana (8), P03 Ben (4), P04 Ana (2),
    P05 nobody. 30 h would cover 30 h of need, but partners are served whole: 4 of 5. At 5 h a
    partner Ana takes 4 and Ben 2, so all 5 fit. Ben's 4 h left take P06 and P07: at most
    4 / 5 = 0.8 h would serve all five of Tier 2."""
    rows = [(f"P{i:02d}", f"Partner {i}", None, 3, 3, 3, 3) for i in range(1, 13)]
    path = build_workbook(
        tmp_path / "small.xlsx", factors=FACTORS, roster_rows=rows,
        tiers=[("Tier 1", 5, "a", 6), ("Tier 2", 5, "b", 2), ("Tier 3", None, "c", 0)],
        team=[("Ana", 20, "Tier 1"), ("Ben", 10, None)])
    outcome = rescore_file(path, run_by="test")
    tier1, tier2, unused = outcome.guidance
    assert tier1 == (
        "Tier 1 is short: 5 partners × 6 h = 30 h needed, 24 h allocated (6 h short). The members "
        "who may serve it have 30 h for it (Ana 20 h, Ben 10 h); as one member serves a partner "
        "in full, that serves 4 of its 5 partners. To serve all 5, plan at most 5 h per partner.")
    assert "(Ben 4 h of 10 h)" in tier2 and "serves 2 of its 5 partners" in tier2
    assert "plan at most 0.8 h per partner" in tier2
    assert unused == ("Unused hours: 2 h a month (Ana 2 h). Tier 1 cannot use them: Ana has "
                      "less than one partner's 6 h left. Tier 2 cannot use them: Ana may not "
                      "serve it.")


def test_fitting_hours_counts_whole_partners() -> None:
    # Three members with 7.5 h and four partners: 22.5 / 4 = 5.625 h would serve only three
    # (one each); 3.75 h serves two each.
    assert fitting_hours([7.5, 7.5, 7.5], 4) == 3.75
    assert partners_served([7.5, 7.5, 7.5], 5.625) == 3
    assert fitting_hours([20, 10], 5) == 5
    assert fitting_hours([18], 40) == 0.45
    assert fitting_hours([0, 0], 3) == 0


# --- validation -------------------------------------------------------------------------------

ROWS = [(f"P{i}", f"Partner {i}", None, 5, 4, 3, 2) for i in range(1, 8)]


def errors_of(tmp_path: Path, team: list[tuple[object, ...]]) -> list[tuple[str, str]]:
    path = build_workbook(tmp_path / "bad.xlsx", factors=FACTORS, team=team, roster_rows=ROWS)
    before = digest(path)
    with pytest.raises(InputErrors) as raised:
        rescore_file(path, run_by="test")
    assert digest(path) == before
    return [(p.code, p.where) for p in raised.value.problems]


def test_focus_tier_naming_no_tier_is_an_error(tmp_path: Path) -> None:
    team = [("Ana", 20, "Tier 1"), ("Ben", 10, "tier 2, Gold")]
    assert errors_of(tmp_path, team) == [(Code.UNKNOWN_TIER, "Team!C3")]


def test_negative_or_non_numeric_hours_are_errors(tmp_path: Path) -> None:
    team = [("Ana", -5, None), ("Ben", "ten", None), ("Cy", 10, None)]
    assert errors_of(tmp_path, team) == [(Code.OUT_OF_RANGE, "Team!B2"),
                                         (Code.NOT_A_NUMBER, "Team!B3")]


def test_duplicate_member_is_an_error(tmp_path: Path) -> None:
    team = [("Ana", 20, None), ("Ben", 10, None), (" ana ", 5, None)]
    assert errors_of(tmp_path, team) == [(Code.DUPLICATE_KEY, "Team!A4")]


def warnings_of(tmp_path: Path, team: list[tuple[object, ...]]) -> list[tuple[str, str]]:
    path = build_workbook(tmp_path / "warn.xlsx", factors=FACTORS, team=team, roster_rows=ROWS)
    outcome = rescore_file(path, run_by="test")
    return [(w.code, w.where) for w in outcome.warnings
            if w.code in (Code.TIER_WITHOUT_MEMBER, Code.NO_TEAM_HOURS)]


def test_tier_with_hours_and_no_member_to_serve_it_is_a_warning(tmp_path: Path) -> None:
    # Tier 2 costs 2 h a partner; Ben may serve it but has no hours.
    team = [("Ana", 20, "Tier 1"), ("Ben", 0, "Tier 2")]
    assert warnings_of(tmp_path, team) == [(Code.TIER_WITHOUT_MEMBER, "Team!C2:C3")]
    assert assigned(tmp_path / "warn.xlsx")["P3"] == "Unassigned"


def test_team_without_hours_is_a_warning(tmp_path: Path) -> None:
    team = [("Ana", 0, None), ("Ben", None, None)]
    assert warnings_of(tmp_path, team) == [(Code.NO_TEAM_HOURS, "Team!B2:B3")]
    assert set(assigned(tmp_path / "warn.xlsx").values()) == {"Unassigned", None}


def test_summary_prints_team_load_and_guidance(seed: Path) -> None:
    outcome = rescore_file(seed, run_by="test")
    console = Console(record=True, width=400)
    print_summary(outcome, console, "seed.xlsx")
    text = console.export_text()
    assert "What the hours say" in text
    assert "  • Tier 2 is short: 40 partners × 2 h = 80 h needed, 18 h allocated (62 h short)." \
        in text
    assert "  • Unused hours: 28 h a month (Ana 16 h, Cleo 12 h)." in text
    dev = next(line for line in text.splitlines() if "Dev" in line and "│" in line)
    assert [cell.strip() for cell in dev.split("│")[1:-1]] == ["Dev", "60", "16", "60", "100%"]


def test_guidance_when_every_partner_is_served(tmp_path: Path) -> None:
    # Default tiers: P1, P2 at 6 h and P3-P5 at 2 h = 18 h; Ana 20 h and Ben 10 h serve any tier.
    # P1 Ana (14 left), P2 Ana (8), P3 Ben (10 > 8; 8 left), P4 Ana (8 = 8, Team order; 6),
    # P5 Ben (6): 6 h each unused.
    path = build_workbook(tmp_path / "ok.xlsx", factors=FACTORS, roster_rows=ROWS)
    outcome = rescore_file(path, run_by="test")
    assert outcome.guidance == ["Every partner in a tier with hours is served.",
                                "Unused hours: 12 h a month (Ana 6 h, Ben 6 h)."]
