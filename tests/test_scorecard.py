"""The Scorecard sheet, recalculated by LibreOffice for several picked partners, against the core.

Each workbook gets one copy of the Scorecard per partner checked (the formulas read only their own
sheet's pick cell), so one LibreOffice run recalculates them all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support.libreoffice import Recalc

from xl_prioritize.adapters.files import FileWorkbook
from xl_prioritize.core.compute import compute
from xl_prioritize.core.explain import Explanation, explain
from xl_prioritize.demo import demo_content
from xl_prioritize.model import Inputs, Results
from xl_prioritize.rescore import read_workbook, rescore_file
from xl_prioritize.template import TierSpec, write_workbook
from xl_prioritize.workbook import scorecard_sheet as sc

NOW = dt.datetime(2026, 12, 1, 9, 0, 0)


def core_of(path: Path) -> tuple[Inputs, Results]:
    book = FileWorkbook(path)
    try:
        parsed, _ = read_workbook(book)
    finally:
        book.close()
    return parsed.inputs, compute(parsed.inputs)


def picks(inputs: Inputs, results: Results) -> dict[str, int]:
    """Top, a partner just below a boundary (smallest gap), the bottom, an override, unscored."""
    scored = [i for i in range(len(inputs.roster)) if not math.isnan(results.score[i])]
    chosen = {
        "top": min(scored, key=lambda i: results.rank[i]),
        "bottom": max(scored, key=lambda i: results.rank[i]),
    }
    gaps = [(explain(inputs, results, i).missing, i) for i in scored]
    chosen["boundary"] = min((g, i) for g, i in gaps if g)[1]
    overridden = [i for i, o in enumerate(inputs.roster.overrides) if o is not None]
    if overridden:
        chosen["override"] = overridden[0]
    unscored = [i for i in range(len(inputs.roster)) if math.isnan(results.score[i])]
    if unscored:
        chosen["unscored"] = unscored[0]
    return chosen


def with_copies(path: Path, chosen: dict[str, int], inputs: Inputs) -> Path:
    wb = openpyxl.load_workbook(path)
    for label, i in chosen.items():
        copy = wb.copy_worksheet(wb["Scorecard"])
        copy.title = f"Card {label}"
        copy.cell(row=sc.PICK_ROW, column=2).value = inputs.roster.ids[i]
    out = path.with_name(path.stem + "-cards.xlsx")
    wb.save(out)
    return out


def blank(value: Any) -> Any:
    return None if value == "" else value


def check_card(ws: Any, e: Explanation, inputs: Inputs) -> None:
    """Every figure the Scorecard shows, against the core's explanation."""
    def at(row: int, col: int = 2) -> Any:
        return ws.cell(row=row, column=col).value

    def same(got: Any, want: Any, what: str) -> None:
        if isinstance(want, float) and want is not None:
            assert got == pytest.approx(want, abs=1e-9), what
        else:
            assert blank(got) == blank(want), what

    same(at(4), e.name, "Partner")
    same(at(sc.ID_ROW), e.partner_id, "Partner ID")
    same(at(sc.SCORE_ROW), e.score, "Score")
    same(at(8), e.rank, "Rank")
    same(at(sc.TIER_ROW), e.tier, "Tier")
    same(at(10), e.service_level, "Service level")
    same(at(11), e.assigned_to, "Served by")
    top = e.tier_above is None and e.tier == inputs.tiers[0].name
    same(at(sc.ABOVE_ROW), e.tier_above or (sc.TOP if top else None), "Tier above")
    same(at(sc.BOUNDARY_ROW), e.boundary, "Boundary")
    same(at(sc.MISSING_ROW), e.missing, "Points missing")
    if e.missing is None:
        same(at(sc.ONE_STEP_ROW), None, "One step")
    elif e.missing == 0:
        same(at(sc.ONE_STEP_ROW), sc.AT_BOUNDARY, "One step")
    else:
        same(at(sc.ONE_STEP_ROW), e.one_step or sc.NO_STEP, "One step")
    assert at(sc.STALE_ROW) == 0 and at(sc.CHANGED_ROW) == "no"
    contributions = []
    for k, line in enumerate(e.factors):
        row = sc.FACTOR_HEADER_ROW + 1 + k
        same(at(row, 1), line.name, "Factor")
        same(at(row, 2), line.score, f"{line.name} score")
        same(at(row, 3), line.weight, f"{line.name} weight")
        same(at(row, 4), line.share, f"{line.name} share")
        same(at(row, 5), line.contribution, f"{line.name} contribution")
        same(at(row, 6), line.stepped, f"{line.name} +1 step")
        same(at(row, 7), line.gain, f"{line.name} gain")
        closes = None if e.missing is None or line.gain is None else (
            "yes" if line.gain >= e.missing - 1e-9 else "no")
        same(at(row, 8), closes, f"{line.name} closes")
        contributions.append(at(row, 5))
    total_row = sc.FACTOR_HEADER_ROW + 1 + len(e.factors)
    if e.score is not None:
        assert at(total_row, 5) == pytest.approx(e.score, abs=1e-9)   # they add up to the Score
        assert sum(contributions) == pytest.approx(e.score, abs=1e-9)
    history = {quarter: (tier, score) for quarter, tier, score in e.history}
    row = total_row + 3
    while at(row, 1) and str(at(row, 1)).startswith("20"):
        tier, score = history[at(row, 1)]
        same(at(row, 2), tier if tier is not None else sc.NOT_IN, f"{at(row, 1)} tier")
        same(at(row, 3), score if tier is not None else sc.NOT_IN, f"{at(row, 1)} score")
        row += 1
    assert row - (total_row + 3) == len(e.history)


def run_cards(path: Path, recalc: Recalc) -> dict[str, int]:
    inputs, results = core_of(path)
    chosen = picks(inputs, results)
    done = openpyxl.load_workbook(recalc(with_copies(path, chosen, inputs)), data_only=True)
    for label, i in chosen.items():
        check_card(done[f"Card {label}"], explain(inputs, results, i), inputs)
    return chosen


def test_demo_over_two_quarters_count_method_with_overrides_and_an_archive(
        tmp_path: Path, recalc: Recalc) -> None:
    path = write_workbook(tmp_path / "demo.xlsx", demo_content())
    rescore_file(path, run_by="t", now=NOW)
    wb = openpyxl.load_workbook(path)
    wb["Settings"]["B2"] = "2027-Q1"
    wb["Roster"]["E3"] = 1 if wb["Roster"]["E3"].value != 1 else 5
    wb.save(path)
    rescore_file(path, run_by="t", now=NOW + dt.timedelta(days=90))
    chosen = run_cards(path, recalc)
    assert set(chosen) == {"top", "bottom", "boundary", "override"}


def test_percent_tiers_within_segments_with_unscored_partners(tmp_path: Path,
                                                              recalc: Recalc) -> None:
    content = demo_content()
    partners = [dict(p) for p in content.partners]
    for p in partners[5:8]:
        p["Sales engagement"] = None
    content = dataclasses.replace(
        content, tier_method="percent", missing_scores="exclude", tier_within="Segment",
        tiers=tuple(dataclasses.replace(t, size=s)
                    for t, s in zip(content.tiers, (0.15, 0.35, None), strict=True)),
        partners=tuple(partners))
    path = write_workbook(tmp_path / "within.xlsx", content)
    rescore_file(path, run_by="t", now=NOW)
    chosen = run_cards(path, recalc)
    assert "unscored" in chosen


def test_threshold_tiers_with_blanks_as_lowest(tmp_path: Path, recalc: Recalc) -> None:
    content = demo_content()
    partners = [dict(p) for p in content.partners]
    partners[9]["Market reach"] = None
    tiers = (TierSpec("Tier 1", 75, "a", 6), TierSpec("Tier 2", 50, "b", 2),
             TierSpec("Tier 3", None, "c", 0))
    content = dataclasses.replace(content, tier_method="threshold", missing_scores="lowest",
                                  tiers=tiers, partners=tuple(partners))
    path = write_workbook(tmp_path / "threshold.xlsx", content)
    rescore_file(path, run_by="t", now=NOW)
    inputs, results = core_of(path)
    assert explain(inputs, results, 9).factors[3].score == inputs.settings.scale_min
    run_cards(path, recalc)


def test_a_users_own_scorecard_sheet_is_never_overwritten(tmp_path: Path) -> None:
    from builders import build_workbook

    from xl_prioritize.problems import Code, InputErrors

    rows = [["P1", "Alpha", None, 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3]]
    path = build_workbook(tmp_path / "mine.xlsx", roster_rows=rows)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Scorecard")["A1"] = "My own notes"
    wb.save(path)
    with pytest.raises(InputErrors) as refused:
        rescore_file(path, run_by="t", now=NOW)
    assert Code.NOT_OWNED_SHEET in refused.value.codes
    assert openpyxl.load_workbook(path)["Scorecard"]["A1"].value == "My own notes"
    other = build_workbook(tmp_path / "ours.xlsx", roster_rows=rows)
    rescore_file(other, run_by="t", now=NOW)
    rescore_file(other, run_by="t", now=NOW + dt.timedelta(hours=1))   # its own: rewritten
    assert openpyxl.load_workbook(other)["Scorecard"]["B3"].value == "P1"
