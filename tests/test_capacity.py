"""Capacity follows the score: the seed's example worked out by hand, the sheet, charts, validation.

The example: 140 partners, tiers of 18 / 40 / the rest by count at 6 h / 2 h / 0 h a partner, a
team of three focused on Tier 1 (Ana 40 h, Ben 30 h, Cleo 24 h) and Dev (60 h) serving any tier.
Partner P001 is best, P140 worst: every factor of partner i scores 5 - (i - 1) // 28, and equal
scores fall back to Partner ID order. The Roster rows are shuffled so the order of service can
only come from the Rank. P001-P005 have Ben as Partner manager, P010 Dev, P020 Cleo (who may not
serve Tier 2) and P030 someone not on the team.

Worked by hand under the contract's order (Tier 1 first, then Tier 2, then own managers):
  Tier 1 needs 18 partners at 6 h. Those who serve only Tier 1 hold whole partners: Ana 6 (36 of
  40 h), Ben 5 (30 h), Cleo 4 (24 h) = 15, so Dev must take 3 (18 h); all 18 are served.
  Tier 2: only Dev may serve it; his 42 h left serve 21 at 2 h: P019-P039, P040-P058 Unassigned.
  Any other split of Tier 1 leaves Dev fewer hours, so this one is forced.
  Own managers: Ben takes his P001-P005, Dev takes P010 among his three; the rest go in rank order
  to members in Team order: Ana P006-P009, P011, P012; Cleo P013-P016; Dev P017, P018.
  Tier 3 costs no hours: blank.
Guidance: 19 Unassigned need 38 h; Ana's 4 h left would serve 2 more were Tier 2 in her Focus
tiers; at 42 / 40 = 1.05 h per partner Dev would serve all 40.
The old rule (manager first, then most hours left) gave Dev 7 of Tier 1 and served 9 of Tier 2.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import build_workbook, digest, table
from rich.console import Console

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
TIERS_HEADER = ("Tier", "Size", "Service level", "Hours per partner per month",
                "Hours per tier per month")


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


def test_seed_assignment_serves_the_most_partners_best_tiers_first(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    got = assigned(seed)
    expected = {
        **{f"P{i:03d}": "Ben" for i in (1, 2, 3, 4, 5)},
        **{f"P{i:03d}": "Ana" for i in (6, 7, 8, 9, 11, 12)},
        **{f"P{i:03d}": "Cleo" for i in (13, 14, 15, 16)},
        **{f"P{i:03d}": "Dev" for i in (10, 17, 18)},
        **{f"P{i:03d}": "Dev" for i in range(19, 40)},
        **{f"P{i:03d}": "Unassigned" for i in range(40, 59)},
        **{f"P{i:03d}": None for i in range(59, 141)},
    }
    assert got == expected


def test_seed_capacity_sheet_by_hand(seed: Path) -> None:
    outcome = rescore_file(seed, run_by="test")
    rows = [tuple(r) for r in openpyxl.load_workbook(seed)["Capacity"].iter_rows(
        min_row=1, max_row=11, max_col=8, values_only=True)]
    assert rows[0] == CAPACITY_TIER_HEADERS == (
        "Tier", "Partners", "Hours per partner", "Hours per tier", "Group program by",
        "Hours needed", "Hours allocated", "Coverage")
    assert rows[1] == ("Tier 1", 18, 6, 0, None, 108, 108, 1)
    assert rows[2] == ("Tier 2", 40, 2, 0, None, 80, 42, pytest.approx(42 / 80))
    assert rows[3] == ("Tier 3", 82, 0, 0, None, 0, 0, None)
    assert rows[4] == ("Total", 140, None, None, None, 188, 150, pytest.approx(150 / 188))
    assert rows[5] == (None,) * 8
    assert rows[6][:6] == CAPACITY_MEMBER_HEADERS == (
        "Member", "Hours available", "Focus tiers", "Partners assigned", "Hours assigned", "Load")
    assert rows[7][:6] == ("Ana", 40, "Tier 1", 6, 36, pytest.approx(0.9))
    assert rows[8][:6] == ("Ben", 30, "Tier 1", 5, 30, 1)
    assert rows[9][:6] == ("Cleo", 24, "Tier 1", 4, 24, 1)
    assert rows[10][:6] == ("Dev", 60, None, 24, 60, 1)

    tier2, unused = outcome.guidance
    assert tier2 == ("Tier 2 is short: 21 of its 40 partners are served, 19 Unassigned. "
                     "The 19 Unassigned need 38 h a month (2 h each). "
                     "With Tier 2 in Ana's Focus tiers, 2 more would be served. "
                     "At 1.05 h per partner, all 40 would be served.")
    assert unused == ("Unused hours: 4 h a month (Ana 4 h). "
                      "Tier 2 cannot use them: Ana may not serve it.")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    shown = [sheet.cell(r, 10).value for r in range(1, 20)]
    assert shown[0] == "What the hours say"
    lines = shown[1:shown.index(None)]
    assert [line.startswith("• ") for line in lines].count(True) == 2, lines
    assert " ".join(line[2:].strip() for line in lines) == f"{tier2} {unused}"
    assert max(len(line) for line in lines) <= 100


def test_the_demo_story_the_old_rule_lost(tmp_path: Path) -> None:
    """Tier 1: P01-P18 at 6 h; Tier 2: P19-P58 at 2 h. Maya 40, Jonas 40, Priya 36 serve Tier 1
    only; Sam 24 serves any tier and manages P01-P04. The old rule gave Sam his four (24 h) and
    left Tier 2 with nobody: 0 of 40, while the three Tier 1 people kept 32 h idle. Now the three
    carry Tier 1 in whole partners (6 + 6 + 6 = 18) and Sam's 24 h serve 12 of Tier 2: one Tier 1
    partner of his own would cost him 3 of Tier 2, so he keeps none. Maya and Jonas keep 4 h each,
    2 partners of Tier 2 each were it in their Focus tiers."""
    rows = [(f"P{i:02d}", f"Partner {i}", "Sam" if i <= 4 else None, *(5 - i // 20,) * 4)
            for i in range(1, 71)]
    path = build_workbook(
        tmp_path / "story.xlsx", factors=FACTORS, roster_rows=rows[::-1],
        tiers=[("Tier 1", 18, "a", 6), ("Tier 2", 40, "b", 2), ("Tier 3", None, "c", 0)],
        team=[("Maya", 40, "Tier 1"), ("Jonas", 40, "Tier 1"), ("Priya", 36, "Tier 1"),
              ("Sam", 24, None)])
    outcome = rescore_file(path, run_by="test")
    got = assigned(path)
    tier1 = [got[f"P{i:02d}"] for i in range(1, 19)]
    assert {m: tier1.count(m) for m in set(tier1)} == {"Maya": 6, "Jonas": 6, "Priya": 6}
    assert [got[f"P{i:02d}"] for i in range(19, 31)] == ["Sam"] * 12
    assert [got[f"P{i:02d}"] for i in range(31, 59)] == ["Unassigned"] * 28
    assert [(r.tier, r.served) for r in outcome.results.capacity.tiers] == [
        ("Tier 1", 18), ("Tier 2", 12), ("Tier 3", 0)]
    tier2 = outcome.guidance[0]
    assert tier2 == ("Tier 2 is short: 12 of its 40 partners are served, 28 Unassigned. "
                     "The 28 Unassigned need 56 h a month (2 h each). "
                     "With Tier 2 in Maya's Focus tiers, 2 more would be served. "
                     "With Tier 2 in Jonas's Focus tiers, 2 more would be served. "
                     "With Tier 2 in all their Focus tiers, 4 more would be served. "
                     "At 0.6 h per partner, all 40 would be served.")  # Sam's 24 h / 40


def test_group_program_is_carried_and_counted(tmp_path: Path) -> None:
    """Tier 2 runs a monthly group session of 10 h plus 1 h a partner. Tier 1: P01, P02 at 6 h.
    Ana (20 h, any tier) and Ben (12 h, Tier 2). Tier 1 takes 12 h of Ana's (Ben may not serve it),
    leaving her 8 h: less than the program, so Ben carries it (10 h) and serves 2 partners; Ana
    serves 8 more of Tier 2. Tier 2: 10 of 12 served."""
    rows = [(f"P{i:02d}", f"Partner {i}", None, *(5 - i // 10,) * 4) for i in range(1, 15)]
    path = build_workbook(
        tmp_path / "program.xlsx", factors=FACTORS, roster_rows=rows, tiers_header=TIERS_HEADER,
        tiers=[("Tier 1", 2, "a", 6, None), ("Tier 2", 12, "b", 1, 10), ("Tier 3", None, "c", 0, 0)],
        team=[("Ana", 20, None), ("Ben", 12, "Tier 2")])
    outcome = rescore_file(path, run_by="test")
    cap = openpyxl.load_workbook(path)["Capacity"]
    tiers = [tuple(r) for r in cap.iter_rows(min_row=2, max_row=5, max_col=8, values_only=True)]
    assert tiers[0] == ("Tier 1", 2, 6, 0, None, 12, 12, 1)
    assert tiers[1] == ("Tier 2", 12, 1, 10, "Ben", 22, 20, pytest.approx(20 / 22))
    assert tiers[2] == ("Tier 3", 0, 0, 0, None, 0, 0, None)
    assert tiers[3] == ("Total", 14, None, None, None, 34, 32, pytest.approx(32 / 34))
    members = [tuple(r) for r in cap.iter_rows(min_row=8, max_row=9, max_col=6, values_only=True)]
    assert members == [("Ana", 20, None, 10, 20, 1), ("Ben", 12, "Tier 2", 2, 12, 1)]
    got = assigned(path)
    assert [got[f"P{i:02d}"] for i in range(3, 15)].count("Unassigned") == 2
    assert got["P13"] == got["P14"] == "Unassigned"  # the worst-ranked go without
    assert not [w for w in outcome.warnings if w.code == Code.PROGRAM_UNCARRIED]


def test_a_program_nobody_can_carry_is_a_warning_and_named(tmp_path: Path) -> None:
    """Tier 2's program costs 30 h; Ana (20 h) is the only one serving Tier 2. Ben (40 h, Tier 1
    only) has 28 h left after P01, P02: not enough either, were Tier 2 in his Focus tiers. Cleo
    (35 h, Tier 3) could carry it were Tier 2 in hers. Tier 2's 3 partners at 1 h go to Ana."""
    rows = [(f"P{i:02d}", f"Partner {i}", None, *(5 - i // 10,) * 4) for i in range(1, 8)]
    path = build_workbook(
        tmp_path / "uncarried.xlsx", factors=FACTORS, roster_rows=rows, tiers_header=TIERS_HEADER,
        tiers=[("Tier 1", 2, "a", 6, None), ("Tier 2", 3, "b", 1, 30), ("Tier 3", None, "c", 0)],
        team=[("Ana", 20, "Tier 2"), ("Ben", 40, "Tier 1"), ("Cleo", 35, "Tier 3")])
    outcome = rescore_file(path, run_by="test")
    warned = [w for w in outcome.warnings if w.code == Code.PROGRAM_UNCARRIED]
    assert [w.where for w in warned] == ["Tiers!E3"]
    program = outcome.guidance[0]
    assert program == ("Tier 2's group program (30 h a month) has nobody to carry it. "
                       "With Tier 2 in Cleo's Focus tiers, it would be carried.")
    cap = openpyxl.load_workbook(path)["Capacity"]
    assert [cap.cell(3, col).value for col in (4, 5, 6, 7)] == [30, None, 33, 3]


def test_hours_per_tier_must_be_a_number_at_least_zero(tmp_path: Path) -> None:
    rows = [(f"P{i}", f"Partner {i}", None, 5, 4, 3, 2) for i in range(1, 8)]
    path = build_workbook(
        tmp_path / "bad.xlsx", factors=FACTORS, roster_rows=rows, tiers_header=TIERS_HEADER,
        tiers=[("Tier 1", 2, "a", 6, -1), ("Tier 2", 3, "b", 2, "weekly"), ("Tier 3", None, "c", 0)])
    before = digest(path)
    with pytest.raises(InputErrors) as raised:
        rescore_file(path, run_by="test")
    assert digest(path) == before
    assert [(p.code, p.where) for p in raised.value.problems] == [
        (Code.OUT_OF_RANGE, "Tiers!E2"), (Code.NOT_A_NUMBER, "Tiers!E3")]
    assert "group program" in raised.value.problems[0].message


def test_capacity_figures_are_values_not_formulas(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    for row in sheet.iter_rows(values_only=True):
        assert not any(isinstance(v, str) and v.startswith("=") for v in row)


def test_no_member_is_loaded_over_100_percent(seed: Path) -> None:
    rescore_file(seed, run_by="test")
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    loads = {sheet.cell(r, 1).value: sheet.cell(r, 6).value for r in range(8, 12)}
    assert loads == {"Ana": pytest.approx(0.9), "Ben": 1, "Cleo": 1, "Dev": 1}
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
    # The charts start one blank row below the guidance in column J, 15 rows tall and one (wide)
    # column across, the second 16 rows below the first.
    sheet = openpyxl.load_workbook(seed)["Capacity"]
    guidance_rows = next(r for r in range(1, 50) if sheet.cell(r, 10).value is None) - 1
    top = guidance_rows + 1  # 0-based row of the first chart's top
    anchors = re.findall(r"<(?:xdr:)?from><(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?"
                         r"<(?:xdr:)?row>(\d+)</(?:xdr:)?row>.*?<(?:xdr:)?to>"
                         r"<(?:xdr:)?col>(\d+)</(?:xdr:)?col>.*?<(?:xdr:)?row>(\d+)<", drawing)
    assert guidance_rows == 7, "header, Tier 2 in four sentences, unused hours in two"
    assert anchors == [("9", str(top), "10", str(top + 15)), ("9", str(top + 16), "10", str(top + 31))]
    assert "Hours needed and allocated by tier" in drawing
    assert "Load by member" in drawing
    # Needed and allocated per tier (not the Total row), titled by their headers; Load per member.
    assert re.findall(r"<(?:c:)?f>([^<]*)</", drawing) == [
        "'Capacity'!F1", "'Capacity'!$A$2:$A$4", "'Capacity'!$F$2:$F$4",
        "'Capacity'!G1", "'Capacity'!$A$2:$A$4", "'Capacity'!$G$2:$G$4",
        "'Capacity'!F7", "'Capacity'!$A$8:$A$11", "'Capacity'!$F$8:$F$11",
    ]
    # Every chart part in the file belongs to some drawing; none is a left-over duplicate.
    with zipfile.ZipFile(seed) as z:
        referenced = "".join(z.read(n).decode() for n in z.namelist()
                             if n.startswith("xl/drawings/_rels/"))
    assert all(p.split("/")[-1] in referenced for p in parts)


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
    assert "  • Tier 2 is short: 21 of its 40 partners are served, 19 Unassigned." in text
    assert "  • Unused hours: 4 h a month (Ana 4 h)." in text
    dev = next(line for line in text.splitlines() if "Dev" in line and "│" in line)
    assert [cell.strip() for cell in dev.split("│")[1:-1]] == ["Dev", "60.0", "24", "60.0", "100%"]


def test_guidance_when_every_partner_is_served(tmp_path: Path) -> None:
    # Default tiers: P1, P2 at 6 h and P3-P5 at 2 h = 18 h; Ana 20 h and Ben 10 h serve any tier.
    path = build_workbook(tmp_path / "ok.xlsx", factors=FACTORS, roster_rows=ROWS)
    outcome = rescore_file(path, run_by="test")
    assert outcome.guidance[0] == "Every partner in a tier with hours is served."
    assert outcome.guidance[1].startswith("Unused hours: 12 h a month (")


def test_last_quarters_member_keeps_the_partner_when_plans_tie(tmp_path: Path) -> None:
    """Zed and Amy (6 h each) serve two partners of 3 h each, whatever the split. In 2026-Q3, Team
    order gives Zed P1 and P2. In 2026-Q4 the Team lists Amy first: Team order alone would hand
    her P1 and P2, but the archive says Zed served them, so he keeps them."""
    rows = [(f"P{i}", f"Partner {i}", None, *(6 - i,) * 4) for i in range(1, 5)]
    tiers = [("T1", None, "Weekly", 3)]
    path = build_workbook(tmp_path / "q.xlsx", factors=FACTORS, roster_rows=rows, tiers=tiers,
                          team=[("Zed", 6, None), ("Amy", 6, None)],
                          settings={"Quarter": "2026-Q3", "Tier method": "count"})
    rescore_file(path, run_by="test")
    assert assigned(path) == {"P1": "Zed", "P2": "Zed", "P3": "Amy", "P4": "Amy"}
    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"] = "2026-Q4"
    book["Team"]["A2"], book["Team"]["A3"] = "Amy", "Zed"
    book.save(path)
    outcome = rescore_file(path, run_by="test")
    assert outcome.archived == "Archive 2026-Q3"
    assert assigned(path) == {"P1": "Zed", "P2": "Zed", "P3": "Amy", "P4": "Amy"}
