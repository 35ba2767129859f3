"""The worked example tells its story: 18 / 40 / 82, a team that covers Tier 1 whole, Tier 2's
group rhythm, two archived quarters, and a pipeline that two of the four factors predict."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from tests.builders import table
from xl_prioritize.demo import OUTCOME_COLUMN, PREDICTIVE, QUARTERS, demo_quarters
from xl_prioritize.rescore import Outcome
from xl_prioritize.template import setting_row
from xl_prioritize.workbook import contract as c

FACTORS = ("Customer overlap", "Sales engagement", "Solution fit", "Market reach")
TIER_1_ONLY = ("Maya Chen", "Jonas Berg", "Priya Natarajan")


@pytest.fixture(scope="module")
def demo(rescored_demo: tuple[Path, Outcome]) -> tuple[Path, Outcome]:
    return rescored_demo


def test_the_final_tiers_are_18_40_82(demo: tuple[Path, Outcome]) -> None:
    path, outcome = demo
    counts = Counter(r["Tier"] for r in table(path, "Roster"))
    assert counts == {"Tier 1": 18, "Tier 2": 40, "Tier 3": 82}
    assert outcome.tier_counts["Tier 1"] == 18 and outcome.partners == 140


def test_two_overrides_cross_the_same_boundary_one_each_way(demo: tuple[Path, Outcome]) -> None:
    path, _ = demo
    overridden = [r for r in table(path, "Roster") if r["Tier override"]]
    assert sorted(r["Tier override"] for r in overridden) == ["Tier 1", "Tier 2"]
    assert all(r["Override reason"] for r in overridden)
    by_id = {r["Partner ID"]: r for r in overridden}
    ranks = {r["Tier override"]: r["Rank"] for r in by_id.values()}
    assert ranks["Tier 2"] <= 18 < ranks["Tier 1"] <= 58  # held back from 1, promoted from 2


def test_three_tier_1_members_carry_all_18(demo: tuple[Path, Outcome]) -> None:
    path, _ = demo
    roster = table(path, "Roster")
    tier_1 = Counter(r["Assigned to"] for r in roster if r["Tier"] == "Tier 1")
    assert tier_1 == {name: 6 for name in TIER_1_ONLY}
    team = {r["Member"]: r for r in table(path, "Team")}
    for name in TIER_1_ONLY:
        assert team[name]["Focus tiers"] == "Tier 1"
    assert team["Sam Okafor"]["Focus tiers"] == "Tier 2, Tier 3"
    tier_2 = Counter(r["Assigned to"] for r in roster if r["Tier"] == "Tier 2")
    assert tier_2 == {"Sam Okafor": 40}
    capacity = {r["Tier"]: r for r in table(path, "Capacity") if r.get("Tier")}
    assert capacity["Tier 1"]["Coverage"] == pytest.approx(1.0)


def test_tier_2_is_a_group_rhythm_and_tier_3_is_self_serve(demo: tuple[Path, Outcome]) -> None:
    path, _ = demo
    tiers = {r["Tier"]: r for r in table(path, "Tiers")}
    assert tiers["Tier 2"]["Hours per tier per month"] == 8
    assert 0 < tiers["Tier 2"]["Hours per partner per month"] < 1
    assert tiers["Tier 3"]["Hours per partner per month"] == 0
    service = tiers["Tier 3"]["Service level"]
    assert service.startswith("Self-serve") and "quarterly" not in service.lower()
    team_hours = {r["Member"]: r["Hours per month"] for r in table(path, "Team")}
    group = tiers["Tier 2"]["Hours per tier per month"] + 40 * tiers["Tier 2"][
        "Hours per partner per month"]
    assert group <= team_hours["Sam Okafor"]
    assert sum(team_hours[m] // 6 for m in TIER_1_ONLY) == 18


def test_two_earlier_quarters_are_archived_with_movement(demo: tuple[Path, Outcome]) -> None:
    path, outcome = demo
    names = openpyxl.load_workbook(path).sheetnames
    assert {f"Archive {q}" for q in QUARTERS[:2]} <= set(names)
    moves = Counter(outcome.results.movement)
    assert moves["up"] > 0 and moves["down"] > 0 and moves["same"] > 0 and moves["new"] == 3
    compare_moves = Counter(r["Movement"] for r in table(path, "Compare"))
    assert compare_moves["left"] == 1
    log = table(path, "Log")
    assert [r["Quarter"] for r in log] == list(QUARTERS)


def _log_pipeline_by_id(rows: list[dict[str, Any]]) -> dict[str, float]:
    return {r[c.PARTNER_ID]: math.log(r[OUTCOME_COLUMN]) for r in rows if r[OUTCOME_COLUMN]}


def test_two_factors_predict_next_quarters_pipeline_and_two_do_not(
    demo: tuple[Path, Outcome]
) -> None:
    path, _ = demo
    settings = openpyxl.load_workbook(path)[c.SETTINGS]
    assert settings.cell(setting_row(c.OUTCOME), 1).value == c.OUTCOME
    assert settings.cell(setting_row(c.OUTCOME), 2).value == OUTCOME_COLUMN
    sheets = [f"Archive {q}" for q in QUARTERS[:2]] + ["Roster"]
    quarters = [table(path, name) for name in sheets]
    for earlier, later in itertools.pairwise(quarters):
        nxt = _log_pipeline_by_id(later)
        both = [r for r in earlier if r[c.PARTNER_ID] in nxt]
        assert len(both) >= 130
        outcome = np.array([nxt[r[c.PARTNER_ID]] for r in both])
        for factor in FACTORS:
            scores = np.array([float(r[factor]) for r in both])
            r = np.corrcoef(scores, outcome)[0, 1]
            if factor in PREDICTIVE:
                assert r > 0.5, (factor, r)
            else:
                assert abs(r) < 0.2, (factor, r)


def test_the_demo_inputs_are_the_same_on_every_call() -> None:
    assert demo_quarters() == demo_quarters()
