"""Table-driven tests of the pure core: Score, Rank and tier cutting, worked out by hand."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from xl_prioritize.core import scoring, tiers
from xl_prioritize.core.compute import compute
from xl_prioritize.model import Factor, Inputs, Member, Roster, Settings, Tier

NAN = float("nan")


def make_tiers(sizes: list[float | None]) -> list[Tier]:
    return [Tier(f"Tier {i + 1}", size, f"Service {i + 1}", 0.0) for i, size in enumerate(sizes)]


def scores_of(rows: list[list[float]], weights: list[float], low: float = 1, high: float = 5,
              missing: str = "error") -> list[float]:
    return scoring.score(np.array(rows, dtype=float), weights, low, high, missing).tolist()


# --- Score --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("rows", "weights", "low", "high", "expected"),
    [
        # (35·5 + 30·4 + 20·3 + 15·2) / 100 = 3.85 → 100·(3.85 − 1)/4 = 71.25
        ([[5, 4, 3, 2]], [35, 30, 20, 15], 1, 5, [71.25]),
        ([[5, 4, 3, 2]], [0.35, 0.30, 0.20, 0.15], 1, 5, [71.25]),
        ([[5, 4, 3, 2]], [7, 6, 4, 3], 1, 5, [71.25]),
        ([[1, 1, 1, 1], [5, 5, 5, 5], [3, 3, 3, 3]], [35, 30, 20, 15], 1, 5, [0.0, 100.0, 50.0]),
        # scale 0–10: (5 + 10)/2 = 7.5 → 75
        ([[5, 10]], [1, 1], 0, 10, [75.0]),
        # scale 1–3, weights 1 and 3: (1·3 + 3·2)/4 = 2.25 → 100·1.25/2 = 62.5
        ([[3, 2]], [1, 3], 1, 3, [62.5]),
        # fractional factor scores are fine: (2.5 + 4.5)/2 = 3.5 → 62.5
        ([[2.5, 4.5]], [1, 1], 1, 5, [62.5]),
    ],
)
def test_score_formula(rows, weights, low, high, expected) -> None:
    assert scores_of(rows, weights, low, high) == pytest.approx(expected, abs=1e-12)


def test_weights_are_relative() -> None:
    rows = [[5, 4, 3, 2], [1, 2, 5, 4], [2, 2, 2, 5]]
    a = scores_of(rows, [35, 30, 20, 15])
    b = scores_of(rows, [0.35, 0.30, 0.20, 0.15])
    assert a == pytest.approx(b, abs=1e-12)
    # by hand: row 2 = (35 + 60 + 100 + 60)/100 = 2.55 → 38.75; row 3 = (70+60+40+75)/100 = 2.45 → 36.25
    assert a[1:] == pytest.approx([38.75, 36.25], abs=1e-12)


def test_lowest_counts_a_blank_as_scale_min() -> None:
    # weights 1, 1, 2; blank → 1: (1 + 5 + 2·3)/4 = 3 → 50
    assert scores_of([[NAN, 5, 3]], [1, 1, 2], missing="lowest") == pytest.approx([50.0])
    # scale 2–6, blank → 2: (2 + 6)/2 = 4 → 100·2/4 = 50
    assert scores_of([[NAN, 6]], [1, 1], 2, 6, missing="lowest") == pytest.approx([50.0])


def test_exclude_leaves_a_blank_row_unscored() -> None:
    result = scores_of([[NAN, 5, 3], [5, 5, 5]], [1, 1, 2], missing="exclude")
    assert np.isnan(result[0])
    assert result[1] == pytest.approx(100.0)


def test_effective_scores_only_fill_under_lowest() -> None:
    matrix = np.array([[NAN, 2.0]])
    assert scoring.effective_scores(matrix, 1.0, "lowest").tolist() == [[1.0, 2.0]]
    assert np.isnan(scoring.effective_scores(matrix, 1.0, "exclude")[0, 0])


# --- Rank ---------------------------------------------------------------------------------------

def ranks_of(rows: list[list[float]], weights: list[float], ids: list[str], low: float = 1,
             high: float = 5, missing: str = "error") -> list[int]:
    matrix = np.array(rows, dtype=float)
    s = scoring.score(matrix, weights, low, high, missing)
    effective = scoring.effective_scores(matrix, low, missing)
    return scoring.rank(s, effective, weights, ids).tolist()


RANK_CASES = [
    pytest.param([[1, 1, 1], [5, 5, 5], [3, 3, 3]], [1, 1, 1], ["a", "b", "c"], [3, 1, 2],
                 id="score-descending"),
    # Weights 20/35/30/15 (scale 0–5). Both rows weigh 170 in total; A is higher on the
    # 35-weight factor (2nd column), B on the 1st and 3rd: A wins although B leads in Factors order.
    pytest.param([[1, 3, 1, 1], [2, 2, 2, 0]], [20, 35, 30, 15], ["Z", "A"], [1, 2],
                 id="largest-weight-first"),
    # Weights 10/30/20: (3,1,1) = 30+30+20 = 80 and (1,1,2) = 10+30+40 = 80. The 30-weight factor
    # ties at 1, then the 20-weight factor decides: 2 > 1, although the first factor says 3 > 1.
    pytest.param([[3, 1, 1], [1, 1, 2]], [10, 30, 20], ["A", "B"], [2, 1],
                 id="second-largest-weight-next"),
    # Equal weights: Factors order. (1,2,3) and (2,3,1) both sum 6; first factor 2 > 1 wins
    # (the last factor would pick the other).
    pytest.param([[1, 2, 3], [2, 3, 1]], [10, 10, 10], ["A", "B"], [2, 1],
                 id="equal-weights-in-factors-order"),
    # Weights 10/10/40: (1,4,2) = 10+40+80 = 130 and (4,1,2) = 130. The 40-weight factor (last in
    # Factors order) ties at 2, then the equal weights go in Factors order: first factor 4 > 1.
    pytest.param([[1, 4, 2], [4, 1, 2]], [10, 10, 40], ["A", "B"], [2, 1],
                 id="equal-weights-after-largest"),
    # Full ties: Partner ID ascending as text, so "10" < "2" < "9".
    pytest.param([[3, 3], [3, 3], [3, 3]], [1, 1], ["9", "10", "2"], [3, 1, 2],
                 id="partner-id-as-text"),
    pytest.param([[3, 3], [3, 3], [3, 3]], [1, 1], ["b", "B", "a"], [3, 1, 2],
                 id="partner-id-text-order"),
]


@pytest.mark.parametrize(("rows", "weights", "ids", "expected"), RANK_CASES)
def test_rank_order_and_ties(rows, weights, ids, expected) -> None:
    low = 0 if weights == [20, 35, 30, 15] else 1
    assert ranks_of(rows, weights, ids, low=low) == expected


def test_float_noise_does_not_decide_a_tie() -> None:
    # Weights .35/.30/.20/.15: (2,2,1,1) and (1,1,2,4) both weigh exactly 1.65, but floating point
    # makes the first 16.249999… and the second 16.250000…4. The tie is broken by the 35% factor
    # (2 > 1), so (2,2,1,1) ranks first even though its Partner ID sorts last.
    rows = [[1, 1, 2, 4], [2, 2, 1, 1]]
    assert ranks_of(rows, [0.35, 0.30, 0.20, 0.15], ["A", "B"]) == [2, 1]


def test_scores_equal_to_9_decimals_tie_even_where_numpy_rounding_differs() -> None:
    # 56.1663717895 is stored a hair below the half, so rounded to 9 decimals it is 56.166371789,
    # equal to B's score: a tie, broken by the heavier factor (A's 1 < B's 5). numpy's round
    # (scale by 1e9, round half to even) makes it 56.16637179 and would rank A first by Score.
    a, b = 56.1663717895, 56.166371789
    assert round(a, 9) == round(b, 9) and float(np.round(a, 9)) != float(np.round(b, 9))
    ranks = scoring.rank(np.array([a, b]), np.array([[1.0, 5.0], [5.0, 1.0]]), [2, 1], ["A", "B"])
    assert ranks.tolist() == [2, 1]
    # a thousandth of the ninth decimal apart is still a tie; a whole ninth decimal is not
    assert scoring.rank(np.array([50.0, 50.000000000001]), np.array([[5.0], [1.0]]), [1],
                        ["A", "B"]).tolist() == [1, 2]
    assert scoring.rank(np.array([50.0, 50.000000001]), np.array([[5.0], [1.0]]), [1],
                        ["A", "B"]).tolist() == [2, 1]


def test_ranks_are_unique_and_blank_for_unscored() -> None:
    rows = [[NAN, 3], [3, 3], [3, 3], [5, NAN], [1, 1]]
    assert ranks_of(rows, [1, 1], ["p1", "p2", "p3", "p4", "p5"], missing="exclude") == [0, 1, 2, 0, 3]


def test_lowest_blanks_take_part_in_tie_breaks_as_scale_min() -> None:
    # weights 2, 1. X = (blank→1, 5) = 7; Y = (3, 1) = 7; the heavier factor: 3 > 1 → Y first.
    assert ranks_of([[NAN, 5], [3, 1]], [2, 1], ["X", "Y"], missing="lowest") == [2, 1]


# --- Tier cutting -------------------------------------------------------------------------------

def cut(sizes: list[float | None], n: int, method: str) -> list[int]:
    """Partners per tier when n partners ranked 1..n (scores falling) are cut."""
    s = np.linspace(100, 0, n) if n > 1 else np.array([50.0] * n)
    index = tiers.computed_tier_index(s, np.arange(1, n + 1), make_tiers(sizes), method, None)
    counts = Counter(index.tolist())
    # tiers must be contiguous in rank order
    assert index.tolist() == sorted(index.tolist())
    return [counts.get(k, 0) for k in range(len(sizes))]


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ([2, 3, None], 10, [2, 3, 5]),
        ([2, 3, None], 5, [2, 3, 0]),
        ([5, 10, None], 8, [5, 3, 0]),          # asks more than exist: lower tiers get fewer
        ([20, 3, None], 8, [8, 0, 0]),
        ([2, 2, 2], 10, [2, 2, 6]),             # last tier with a Size takes the remainder
        ([2, 2, 2], 3, [2, 1, 0]),
        ([0, 3, None], 5, [0, 3, 2]),
        ([4], 6, [6]),                          # a single tier holds everyone
        ([2, 3, None], 0, [0, 0, 0]),
    ],
)
def test_count_tiers(sizes, n, expected) -> None:
    assert cut(sizes, n, "count") == expected


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        # ends at floor(10·0.15 + .5) = 2 and floor(10·0.5 + .5) = 5
        ([0.15, 0.35, None], 10, [2, 3, 5]),
        ([15, 35, None], 10, [2, 3, 5]),        # 15 read as 15%
        ([15, 0.35, None], 10, [2, 3, 5]),
        # cumulative, not per tier: floor(2.5+.5)=3, floor(5+.5)=5 (per-tier rounding would give 3,3)
        ([0.25, 0.25, None], 10, [3, 2, 5]),
        # n = 7: floor(1.4+.5)=1, floor(3.5+.5)=4
        ([0.2, 0.3, None], 7, [1, 3, 3]),
        # halves round up: 10 × 0.35 = 3.5 → 4 even though 0.35 is 0.34999… in binary
        ([0.35, None], 10, [4, 6]),
        # n = 5: floor(0.5+.5)=1, then cumulative 0.1+0.2 (0.30000000000000004): floor(1.5+.5)=2
        ([0.1, 0.2, None], 5, [1, 1, 3]),
        ([0.2, 0.3, 0.1], 10, [2, 3, 5]),       # last tier with a Size takes the rest
        ([0.6, 0.4], 10, [6, 4]),
        ([1, None], 4, [4, 0]),                 # 1 is 100% (a fraction), not 1 percent point
        ([0, 0.5, None], 4, [0, 2, 2]),
        ([0.15, 0.35, None], 1, [0, 1, 0]),     # floor(.15+.5)=0, floor(.5+.5)=1
    ],
)
def test_percent_tiers(sizes, n, expected) -> None:
    assert cut(sizes, n, "percent") == expected


def test_percent_share_reads_points_above_one() -> None:
    assert tiers.percent_share(0.15) == 0.15
    assert tiers.percent_share(15) == pytest.approx(0.15)
    assert tiers.percent_share(1) == 1


@pytest.mark.parametrize(
    ("sizes", "scores", "expected"),
    [
        ([70, 40, None], [90, 70, 69.99, 40, 39.5, 0], [0, 0, 1, 1, 2, 2]),
        ([70, 40, 20], [90, 30, 10], [0, 2, 2]),       # below every threshold: the last tier
        ([100, 0], [100, 99.9, 0], [0, 1, 1]),
        ([50], [10, 90], [0, 0]),                      # a single tier
    ],
)
def test_threshold_tiers(sizes, scores, expected) -> None:
    s = np.array(scores, dtype=float)
    ranks = np.argsort(np.argsort(-s, kind="stable"), kind="stable") + 1
    assert tiers.computed_tier_index(s, ranks, make_tiers(sizes), "threshold", None).tolist() == expected


def test_unscored_rows_get_no_tier() -> None:
    s = np.array([80.0, NAN, 20.0])
    index = tiers.computed_tier_index(s, np.array([1, 0, 2]), make_tiers([1, None]), "count", None)
    assert index.tolist() == [0, -1, 1]
    assert tiers.tier_names(index, make_tiers([1, None])) == ["Tier 1", "Unscored", "Tier 2"]


def test_tier_within_cuts_count_inside_each_group() -> None:
    # roster-wide ranks 1..7; groups a: ranks 1,3,4,6 ; b: ranks 2,5,7. Count 1 / 2 / rest.
    groups = ["a", "b", "a", "a", "b", "a", "b"]
    s = np.array([90, 80, 70, 60, 50, 40, 30], dtype=float)
    index = tiers.computed_tier_index(s, np.arange(1, 8), make_tiers([1, 2, None]), "count", groups)
    assert index.tolist() == [0, 0, 1, 1, 1, 2, 1]


def test_tier_within_cuts_percent_inside_each_group() -> None:
    # group a has 4 partners: 25% → floor(1+.5)=1, 75% → 3; group b has 2: floor(.5+.5)=1, floor(1.5+.5)=2
    groups = ["a", "a", "b", "a", "b", "a"]
    s = np.array([90, 80, 70, 60, 50, 40], dtype=float)
    index = tiers.computed_tier_index(s, np.arange(1, 7), make_tiers([0.25, 0.5, None]), "percent",
                                      groups)
    assert index.tolist() == [0, 1, 0, 1, 1, 2]


# --- Through compute(): policies, percentages and Tier within together ---------------------------

def inputs_for(rows: list[list[float]], *, method: str, sizes: list[float | None],
               missing: str = "error", groups: list[object] | None = None,
               ids: list[str] | None = None, weights: tuple[float, ...] = (35, 30, 20, 15)) -> Inputs:
    n = len(rows)
    ids = ids or [f"P{i + 1:02d}" for i in range(n)]
    roster = Roster(ids=ids, names=list(ids), managers=[None] * n,
                    scores=np.array(rows, dtype=float), overrides=[None] * n,
                    override_reasons=[None] * n, groups=groups)
    return Inputs(
        settings=Settings(quarter="2026-Q4", tier_method=method, missing_scores=missing,
                          tier_within="Segment" if groups is not None else None),
        factors=[Factor(f"F{i}", w) for i, w in enumerate(weights)],
        tiers=make_tiers(sizes),
        team=[Member("Ana", 100.0)],
        roster=roster,
    )


def test_exclude_is_not_counted_in_percentages() -> None:
    # 11 partners, one with a blank: N = 10 scored, 50% → 5 in Tier 1 (with N = 11 it would be 6).
    rows = [[5 - (i % 5), 4, 3, 2] for i in range(10)] + [[NAN, 5, 5, 5]]
    results = compute(inputs_for(rows, method="percent", sizes=[0.5, None], missing="exclude"))
    assert Counter(results.tier) == {"Tier 1": 5, "Tier 2": 5, "Unscored": 1}
    assert results.tier[10] == "Unscored"
    assert np.isnan(results.score[10]) and results.rank[10] == 0
    assert sorted(results.rank[:10].tolist()) == list(range(1, 11))


def test_lowest_ranks_the_blank_partner() -> None:
    rows = [[NAN, 5, 5, 5], [3, 3, 3, 3], [1, 1, 1, 1]]
    results = compute(inputs_for(rows, method="count", sizes=[1, None], missing="lowest"))
    # (35·1 + 30·5 + 20·5 + 15·5)/100 = 3.6 → 65
    assert results.score.tolist() == pytest.approx([65.0, 50.0, 0.0])
    assert results.rank.tolist() == [1, 2, 3]
    assert results.tier == ["Tier 1", "Tier 2", "Tier 2"]


def test_tier_within_keeps_rank_roster_wide() -> None:
    rows = [[5, 5, 5, 5], [4, 4, 4, 4], [3, 3, 3, 3], [2, 2, 2, 2], [1, 1, 1, 1]]
    groups = ["smb", "ent", "ent", "smb", "ent"]
    results = compute(inputs_for(rows, method="count", sizes=[1, None], groups=groups))
    assert results.rank.tolist() == [1, 2, 3, 4, 5]
    # best of smb (rank 1) and best of ent (rank 2) each lead their group
    assert results.tier == ["Tier 1", "Tier 1", "Tier 2", "Tier 2", "Tier 2"]


def test_threshold_ignores_tier_within() -> None:
    rows = [[5, 5, 5, 5], [4, 4, 4, 4], [3, 3, 3, 3]]
    results = compute(inputs_for(rows, method="threshold", sizes=[60, None], groups=["a", "b", "b"]))
    # scores 100, 75, 50
    assert results.tier == ["Tier 1", "Tier 1", "Tier 2"]


def test_a_score_equal_to_a_threshold_to_9_decimals_reaches_it() -> None:
    from xl_prioritize.core.tiers import tier_index_by_threshold
    from xl_prioritize.model import Tier

    levels = [Tier("Tier 1", 100.0, "", 0.0), Tier("Tier 2", 60.0, "", 0.0), Tier("Tier 3", None, "", 0.0)]
    noisy = np.array([99.99999999999999, 59.9999999999, 59.99999999, np.nan])
    assert tier_index_by_threshold(noisy, levels)[:3].tolist() == [0, 1, 2]
