"""Tiers under many weights at once agree with a re-score; stable and unstable boundaries."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

from tests.builders import build_workbook
from xl_prioritize.core.compute import compute
from xl_prioritize.modelcheck.quarters import load
from xl_prioritize.modelcheck.sensitivity import random_weights, sensitivity
from xl_prioritize.modelcheck.tiering import draw_tiers, setup_from_inputs
from xl_prioritize.rescore import rescore_file

FACTORS = [("F1", 50), ("F2", 50)]
TIERS: list[tuple[Any, ...]] = [("Tier 1", 2, "Cadence", 4), ("Tier 2", None, "Portal", 0)]


def two_factor_book(path: Path, rows: list[list[Any]]) -> Path:
    return build_workbook(path, factors=FACTORS, tiers=TIERS, roster_rows=rows)


def test_a_boundary_with_a_wide_gap_is_stable(tmp_path: Path) -> None:
    rows = [["A", "a", None, 5, 5], ["B", "b", None, 5, 4], ["C", "c", None, 1, 2],
            ["D", "d", None, 2, 1]]
    result = sensitivity(load(two_factor_book(tmp_path / "b.xlsx", rows), outcomes=False).inputs,
                         draws=2000)
    assert result.current == ["Tier 1", "Tier 1", "Tier 2", "Tier 2"]
    assert (result.probability == 1).all()
    assert result.unstable == []
    assert all(not m.changed for m in result.moves)
    assert [m.change for m in result.moves] == [0.2, -0.2, 0.2, -0.2]


def test_a_boundary_at_a_near_tie_is_not(tmp_path: Path) -> None:
    # B (5, 1) and C (1, 5) tie at equal weights; B wins the tie on F1 (equal weights: Factors order)
    rows = [["A", "a", None, 5, 5], ["B", "b", None, 5, 1], ["C", "c", None, 1, 5],
            ["D", "d", None, 1, 1]]
    result = sensitivity(load(two_factor_book(tmp_path / "b.xlsx", rows), outcomes=False).inputs,
                         draws=4000, stability=0.9)
    assert result.current == ["Tier 1", "Tier 1", "Tier 2", "Tier 2"]
    assert result.probability[0] == 1 and result.probability[3] == 1
    assert 0.4 < result.probability[1] < 0.6 and 0.4 < result.probability[2] < 0.6
    assert sorted(result.unstable) == [1, 2]
    assert result.likeliest_other(1)[0] == "Tier 2" and result.likeliest_other(2)[0] == "Tier 1"
    moves = {(m.factor, m.change): m.changed for m in result.moves}
    assert moves[("F2", 0.2)] == [(1, "Tier 2"), (2, "Tier 1")]
    assert moves[("F1", 0.2)] == [] and moves[("F2", -0.2)] == []
    assert moves[("F1", -0.2)] == [(1, "Tier 2"), (2, "Tier 1")]
    assert result.rank_correlation.min() < 1 <= result.rank_correlation.max() + 1e-12


def test_a_fixed_seed_reproduces_the_draws(tmp_path: Path) -> None:
    rows = [["A", "a", None, 5, 5], ["B", "b", None, 5, 1], ["C", "c", None, 1, 5],
            ["D", "d", None, 1, 1]]
    inputs = load(two_factor_book(tmp_path / "b.xlsx", rows), outcomes=False).inputs
    first, again = sensitivity(inputs, draws=500, seed=3), sensitivity(inputs, draws=500, seed=3)
    other = sensitivity(inputs, draws=500, seed=4)
    assert np.array_equal(first.probability, again.probability)
    assert np.array_equal(first.rank_correlation, again.rank_correlation)
    assert not np.array_equal(first.probability, other.probability)
    weights = np.array([50.0, 50.0])
    assert np.array_equal(random_weights(weights, 10, 0.2, 9), random_weights(weights, 10, 0.2, 9))
    assert (random_weights(weights, 1000, 0.2, 9) > 0).all()


def roster_rows(n: int, seed: int) -> list[list[Any]]:
    rng = np.random.default_rng(seed)
    segments = ["Reseller", "Referral", "Technology"]
    return [[f"P{i:02d}", f"Partner {i}", None, segments[i % 3],
             *rng.integers(1, 6, 4).tolist()] for i in range(n)]


SETTINGS = [
    {"Tier method": "count"},
    {"Tier method": "percent"},
    {"Tier method": "threshold"},
    {"Tier method": "percent", "Tier within": "Segment"},
    {"Tier method": "count", "Missing scores": "exclude"},
    {"Tier method": "count", "Tier buffer": 5},
    {"Tier method": "percent", "Tier buffer": 3, "Tier within": "Segment"},
    {"Tier method": "threshold", "Tier buffer": 4},
]
SIZES = {"count": (8, 12), "percent": (0.2, 0.3), "threshold": (70, 45)}


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_drawn_tiers_equal_a_rescore_for_the_same_weights(tmp_path: Path,
                                                          settings: dict[str, Any]) -> None:
    """Last quarter re-scored and archived, this quarter's scores changed: the buffer has
    previous tiers to keep. Then every weight vector tried gives exactly compute()'s tiers."""
    sizes = SIZES[settings["Tier method"]]
    tiers = [("Tier 1", sizes[0], "Cadence", 6), ("Tier 2", sizes[1], "Review", 2),
             ("Tier 3", None, "Portal", 0)]
    factors = [("A", 35), ("B", 30), ("C", 20), ("D", 15)]
    rows = [[*line, None, None] for line in roster_rows(40, 1)]
    path = build_workbook(tmp_path / "t.xlsx", settings={"Quarter": "2026-Q3", **settings},
                          factors=factors, tiers=tiers,
                          roster_header=["Partner ID", "Partner", "Partner manager", "Segment",
                                         "A", "B", "C", "D", "Tier override", "Override reason"],
                          roster_rows=rows)
    rescore_file(path)
    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"] = "2026-Q4"
    for r, line in enumerate(roster_rows(40, 2), start=2):
        for col in range(5, 9):
            book["Roster"].cell(r, col).value = line[col - 1]
    book["Roster"]["I5"] = "Tier 1"  # an override with its reason
    book["Roster"]["J5"] = "Signed a joint plan"
    if settings.get("Missing scores") == "exclude":
        book["Roster"]["F9"] = None  # a blank score: unscored
    book.save(path)
    inputs = load(path, outcomes=False).inputs
    setup = setup_from_inputs(inputs)
    base = np.array([f.weight for f in inputs.factors])
    weights = np.vstack([base, random_weights(base, 30, 0.4, 5), [20, 20, 20, 20], [1, 1, 5, 5]])
    drawn = draw_tiers(setup, weights)
    now = compute(inputs)
    if settings.get("Tier buffer"):  # the buffer keeps someone where the cut alone would move them
        assert any(a != b for i, (a, b) in enumerate(zip(now.computed_tier, now.tier, strict=True))
                   if i != 3)
    if settings.get("Missing scores"):
        assert now.tier[7] == "Unscored"
    for d, w in enumerate(weights):
        factors_d = [dataclasses.replace(f, weight=float(x)) for f, x in zip(inputs.factors, w,
                                                                            strict=True)]
        expected = compute(dataclasses.replace(inputs, factors=factors_d))
        got = [inputs.tier_names[i] if i >= 0 else "Unscored" for i in drawn.tier[d]]
        assert got == expected.tier, f"draw {d}: weights {w}"
        assert np.array_equal(drawn.rank[d], expected.rank)
        assert np.allclose(drawn.score[d], expected.score, equal_nan=True)
