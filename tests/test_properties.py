"""Properties of the pure core that hold for any roster, checked with hypothesis."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_prioritize.core import scoring, tiers
from xl_prioritize.model import Tier

SCALE = (1, 5)


@st.composite
def rosters(draw: st.DrawFn, *, blanks: bool = False) -> tuple[np.ndarray, list[float], list[str]]:
    """A factor-score matrix (NaN for blanks), positive weights and unique Partner IDs."""
    n = draw(st.integers(1, 30))
    k = draw(st.integers(1, 6))
    cell = st.integers(*SCALE).map(float)
    if blanks:
        cell = st.one_of(cell, st.just(float("nan")))
    matrix = np.array(draw(st.lists(st.lists(cell, min_size=k, max_size=k), min_size=n, max_size=n)))
    weights = draw(st.lists(st.sampled_from([0.05, 0.15, 0.2, 0.3, 0.35, 1, 2, 15, 20, 35]),
                            min_size=k, max_size=k))
    ids = draw(st.lists(st.text("0123456789ABZab", min_size=1, max_size=4), min_size=n,
                        max_size=n, unique=True))
    return matrix, weights, ids


def score_and_rank(matrix: np.ndarray, weights: list[float], ids: list[str],
                   missing: str = "error") -> tuple[np.ndarray, np.ndarray]:
    s = scoring.score(matrix, weights, *SCALE, missing)
    effective = scoring.effective_scores(matrix, SCALE[0], missing)
    return s, scoring.rank(s, effective, weights, ids)


@given(rosters(blanks=True), st.sampled_from(["lowest", "exclude"]))
def test_ranks_are_a_permutation_of_the_scored(data, missing) -> None:
    matrix, weights, ids = data
    s, r = score_and_rank(matrix, weights, ids, missing)
    scored = ~np.isnan(s)
    assert sorted(r[scored].tolist()) == list(range(1, int(scored.sum()) + 1))
    assert (r[~scored] == 0).all()
    if missing == "lowest":
        assert scored.all()


@given(rosters())
def test_rank_follows_score(data) -> None:
    matrix, weights, ids = data
    s, r = score_and_rank(matrix, weights, ids)
    order = np.argsort(r)
    # by rank, scores never rise (beyond float noise)
    assert all(s[order[i]] >= s[order[i + 1]] - 1e-9 for i in range(len(order) - 1))


@given(rosters(blanks=True), st.sampled_from(["lowest", "exclude"]))
def test_score_stays_within_0_and_100(data, missing) -> None:
    matrix, weights, ids = data
    s, _ = score_and_rank(matrix, weights, ids, missing)
    finite = s[~np.isnan(s)]
    assert ((finite >= -1e-9) & (finite <= 100 + 1e-9)).all()


@given(rosters(blanks=True), st.data())
def test_raising_a_factor_score_never_lowers_score_or_rank(data, draw) -> None:
    matrix, weights, ids = data
    n, k = matrix.shape
    i = draw.draw(st.integers(0, n - 1))
    j = draw.draw(st.integers(0, k - 1))
    old = matrix[i, j]
    start = SCALE[0] if np.isnan(old) else int(old)
    raised = matrix.copy()
    raised[i, j] = draw.draw(st.integers(start, SCALE[1]))
    s0, r0 = score_and_rank(matrix, weights, ids, "lowest")
    s1, r1 = score_and_rank(raised, weights, ids, "lowest")
    assert s1[i] >= s0[i] - 1e-9
    assert r1[i] <= r0[i]


def expected_rank_sizes(n: int, sizes: list[int | None], method: str) -> list[int]:
    """Partners per tier, worked out independently with exact fractions."""
    ends: list[int] = []
    cumulative = Fraction(0)
    for t, size in enumerate(sizes):
        if t == len(sizes) - 1:
            ends.append(n)
            break
        if method == "count":
            cumulative += size or 0
            ends.append(min(n, int(cumulative)))
        else:
            cumulative += Fraction(size or 0, 100)
            ends.append(min(n, math.floor(n * cumulative + Fraction(1, 2))))
    result, previous = [], 0
    for end in ends:
        result.append(max(0, end - previous))
        previous = max(previous, end)
    return result


@st.composite
def tier_sizes(draw: st.DrawFn, method: str) -> list[int | None]:
    t = draw(st.integers(1, 5))
    if method == "count":
        sizes: list[int | None] = draw(st.lists(st.integers(0, 15), min_size=t, max_size=t))
    else:
        # whole percent points that add up to at most 100
        points = draw(st.lists(st.integers(0, 100), min_size=t, max_size=t))
        total, sizes = 0, []
        for p in points:
            p = min(p, 100 - total)
            total += p
            sizes.append(p)
    if draw(st.booleans()):
        sizes[-1] = None
    return sizes


def as_tiers(sizes: list[float | None]) -> list[Tier]:
    return [Tier(f"T{i}", s, f"S{i}", 0.0) for i, s in enumerate(sizes)]


@settings(max_examples=200)
@given(st.sampled_from(["count", "percent"]), st.data(), st.integers(0, 40))
def test_tier_sizes_follow_the_method(method, data, n) -> None:
    sizes = data.draw(tier_sizes(method))
    # percent Sizes typed as fractions (0.15) or as points (15) mean the same; only points above 1
    # can be typed as points, since a typed 1 is 100%
    as_points = data.draw(st.booleans())
    typed: list[float | None] = list(sizes)
    if method == "percent":
        typed = [None if s is None else (s if as_points and s > 1 else s / 100) for s in sizes]
    scores = np.linspace(100, 0, n)
    index = tiers.computed_tier_index(scores, np.arange(1, n + 1), as_tiers(typed), method, None)
    counts = Counter(index.tolist())
    assert [counts.get(t, 0) for t in range(len(sizes))] == expected_rank_sizes(n, sizes, method)
    assert index.tolist() == sorted(index.tolist())


@given(
    st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True),
    st.lists(st.floats(0, 100, allow_nan=False), min_size=0, max_size=30),
)
def test_threshold_tiers_follow_scores(thresholds, scores) -> None:
    sizes: list[float | None] = [*sorted(thresholds, reverse=True), None]
    s = np.array(scores, dtype=float)
    ranks = np.argsort(np.argsort(-s, kind="stable"), kind="stable") + 1
    index = tiers.computed_tier_index(s, ranks, as_tiers(sizes), "threshold", None)
    for score, t in zip(scores, index.tolist(), strict=True):
        # the contract compares Scores to 9 decimals: 99.99999999999999 reaches a threshold of 100
        expected = next((i for i, th in enumerate(sizes[:-1]) if round(score, 9) >= th), len(sizes) - 1)
        assert t == expected


@given(rosters(), st.lists(st.sampled_from(["a", "b", "c"]), min_size=30, max_size=30), st.data())
def test_tier_within_sizes_follow_the_method_in_each_group(data, labels, draw) -> None:
    matrix, weights, ids = data
    n = len(ids)
    groups = labels[:n]
    sizes = draw.draw(tier_sizes("count"))
    s, r = score_and_rank(matrix, weights, ids)
    index = tiers.computed_tier_index(s, r, as_tiers(sizes), "count", groups)
    for g in set(groups):
        rows = [i for i in range(n) if groups[i] == g]
        counts = Counter(index[rows].tolist())
        assert [counts.get(t, 0) for t in range(len(sizes))] == expected_rank_sizes(
            len(rows), sizes, "count")
        # inside a group, a better rank never sits in a worse tier
        by_rank = sorted(rows, key=lambda i: r[i])
        assert [index[i] for i in by_rank] == sorted(index[i] for i in by_rank)
