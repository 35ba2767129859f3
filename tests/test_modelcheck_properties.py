"""For any roster and any weights, the model checks' many-draws tiering is the re-score's."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_prioritize.core.compute import compute
from xl_prioritize.model import ArchivedQuarter, Factor, Inputs, Roster, Settings, Tier
from xl_prioritize.modelcheck.tiering import draw_tiers, setup_from_inputs

TIER_NAMES = ["Tier 1", "Tier 2", "Tier 3"]


@st.composite
def inputs(draw: st.DrawFn) -> tuple[Inputs, np.ndarray]:
    n = draw(st.integers(1, 25))
    k = draw(st.integers(1, 5))
    method = draw(st.sampled_from(["count", "percent", "threshold"]))
    missing = draw(st.sampled_from(["error", "lowest", "exclude"]))
    cell = st.integers(1, 5).map(float)
    if missing != "error":
        cell = st.one_of(cell, st.just(float("nan")))
    matrix = np.array(draw(st.lists(st.lists(cell, min_size=k, max_size=k), min_size=n, max_size=n)))
    ids = draw(st.lists(st.text("0123456789AB", min_size=1, max_size=3), min_size=n, max_size=n,
                        unique=True))
    if method == "count":
        sizes = [float(draw(st.integers(0, 10))), float(draw(st.integers(0, 10)))]
    elif method == "percent":
        first = draw(st.sampled_from([0.0, 0.1, 0.15, 0.25, 0.5]))
        sizes = [first, draw(st.sampled_from([0.0, 0.2, 0.3, 0.5 - first / 2]))]
    else:
        high = float(draw(st.integers(30, 100)))
        sizes = [high, float(draw(st.integers(0, int(high) - 1)))]
    tiers = [Tier(TIER_NAMES[0], sizes[0], "A", 2), Tier(TIER_NAMES[1], sizes[1], "B", 1),
             Tier(TIER_NAMES[2], None, "C", 0)]
    groups = draw(st.one_of(st.none(), st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n)))
    overrides = draw(st.lists(st.one_of(st.none(), st.none(), st.sampled_from(TIER_NAMES)),
                              min_size=n, max_size=n))
    previous = draw(st.lists(st.one_of(st.none(), st.sampled_from(TIER_NAMES)), min_size=n,
                             max_size=n))
    buffer = draw(st.sampled_from([0.0, 0.0, 2.5, 10.0]))
    roster = Roster(ids=ids, names=[None] * n, managers=[None] * n, scores=matrix,
                    overrides=overrides, override_reasons=[("why" if o else None) for o in overrides],
                    groups=groups if method != "threshold" else None)
    archived = ArchivedQuarter("2026-Q3", ids, [None] * n, [None] * n, [None] * n, previous)
    settings_ = Settings("2026-Q4", tier_method=method, missing_scores=missing, tier_buffer=buffer,
                         tier_within="Segment" if groups is not None else None)
    factors = [Factor(f"F{i}", 1.0) for i in range(k)]
    weights = np.array(draw(st.lists(st.lists(
        st.sampled_from([0.5, 1.0, 2.0, 3.0, 15.0, 20.0, 35.0]), min_size=k, max_size=k),
        min_size=1, max_size=4)))
    return Inputs(settings_, factors, tiers, [], roster, [archived]), weights


@settings(max_examples=100, deadline=None)
@given(inputs())
def test_every_draw_tiers_ranks_and_scores_as_compute_does(case: tuple[Inputs, np.ndarray]) -> None:
    base, weights = case
    drawn = draw_tiers(setup_from_inputs(base), weights)
    for d, w in enumerate(weights):
        factors = [dataclasses.replace(f, weight=float(x)) for f, x in zip(base.factors, w, strict=True)]
        expected = compute(dataclasses.replace(base, factors=factors))
        names = [TIER_NAMES[i] if i >= 0 else "Unscored" for i in drawn.tier[d]]
        assert names == expected.tier
        assert np.array_equal(drawn.rank[d], expected.rank)
        assert np.allclose(drawn.score[d], expected.score, equal_nan=True)
