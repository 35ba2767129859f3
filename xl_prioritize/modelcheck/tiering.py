"""The re-score's score, rank and tier under many weight vectors at once.

Rows are draws: `weights` is (D, F), results are (D, n). Each draw gives exactly what
`core.compute` gives for those weights (the contract's Score, Rank with its tie-breaks, Tier with
`Tier within`, the buffer and overrides); tests hold the two to each other. Scoring itself is
`core.scoring`'s; only the per-draw loops are replaced by array operations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..core import scoring, tiers
from ..core.history import tier_position
from ..model import Inputs, Tier

CELLS = 2_000_000
"""Draws × partners handled at once: each working array stays near 16 MB, whatever the roster."""


def chunk_size(partners: int) -> int:
    return max(1, min(1000, CELLS // max(partners, 1)))


@dataclass(frozen=True)
class Drawn:
    """One row per draw, one column per partner (draw-major: each draw's sort runs over
    contiguous memory)."""

    score: np.ndarray
    """(D, n), NaN for unscored partners."""
    rank: np.ndarray
    """(D, n), 1..m for the m scored partners, 0 for unscored."""
    tier: np.ndarray
    """(D, n) tier index after buffer and overrides; -1 for unscored partners without override."""


@dataclass(frozen=True)
class Setup:
    """What stays fixed while the weights move: the roster's scores, tiers, previous tiers."""

    matrix: np.ndarray
    """Effective factor scores (n, F): blanks as Scale min under `lowest`."""
    ids: list[str]
    tiers: list[Tier]
    method: str
    scale_min: float
    scale_max: float
    groups: list[object] | None = None
    previous: np.ndarray | None = None
    """Previous tier index per partner, -1 when unknown (for the buffer)."""
    buffer: float = 0.0
    overrides: np.ndarray | None = None
    """Override tier index per partner, -1 for none."""


def setup_from_inputs(inputs: Inputs) -> Setup:
    """The current roster as a re-score would see it."""
    settings, roster = inputs.settings, inputs.roster
    names = inputs.tier_names
    latest = inputs.history[-1] if inputs.history else None
    previous = np.full(len(roster), -1, dtype=np.int64)
    if latest is not None and settings.tier_buffer > 0:
        from ..core.history import previous_tiers

        for i, prior in enumerate(previous_tiers(roster.ids, latest)):
            position = tier_position(prior, names)
            if position is not None and position < len(names):
                previous[i] = position
    overrides = np.asarray([names.index(o) if o is not None else -1 for o in roster.overrides],
                           dtype=np.int64)
    return Setup(
        matrix=scoring.effective_scores(roster.scores, settings.scale_min, settings.missing_scores),
        ids=list(roster.ids), tiers=list(inputs.tiers), method=settings.tier_method,
        scale_min=settings.scale_min, scale_max=settings.scale_max,
        groups=roster.groups if settings.tier_method != "threshold" else None,
        previous=previous, buffer=settings.tier_buffer, overrides=overrides,
    )


def draw_tiers(setup: Setup, weights: np.ndarray) -> Drawn:
    """Score, rank and tier of every partner under each row of `weights`, in chunks of draws."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    step = chunk_size(len(setup.ids))
    parts = [_draw(setup, weights[start:start + step]) for start in range(0, len(weights), step)]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        empty = np.empty((0, len(setup.ids)))
        return Drawn(empty, empty.astype(np.int32), empty.astype(np.int16))
    return Drawn(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("score", "rank", "tier")))


def _draw(setup: Setup, weights: np.ndarray) -> Drawn:
    n, draws = len(setup.ids), len(weights)
    matrix = setup.matrix
    scored = ~np.isnan(matrix).any(axis=1) if matrix.shape[1] else np.zeros(n, bool)
    rows = np.flatnonzero(scored)
    score = np.full((draws, n), np.nan)
    score[:, rows] = 100.0 * ((weights @ matrix[rows].T) / weights.sum(axis=1)[:, None]
                              - setup.scale_min) / (setup.scale_max - setup.scale_min)
    each = np.arange(draws)[:, None]
    rank = np.zeros((draws, n), dtype=np.int32)
    order = ranked_rows(score, matrix, setup.ids, weights, rows)
    rank[each, order] = np.arange(1, len(rows) + 1, dtype=np.int32)
    index = np.full((draws, n), -1, dtype=np.int16)
    if setup.method == "threshold":
        index[:, rows] = tiers.tier_index_by_threshold(score[:, rows], setup.tiers)
    else:
        for members in tiers.group_members(setup.groups, n):
            members = members[scored[members]]
            if members.size == 0:
                continue
            within = order if members.size == rows.size else ranked_rows(
                score, matrix, setup.ids, weights, members)
            index[each, within] = tiers.tier_index_by_position(len(members), setup.tiers,
                                                               setup.method)
    if setup.buffer > 0 and len(setup.tiers) > 1 and setup.previous is not None:
        index = _buffered(setup, score, index)
    if setup.overrides is not None:
        overridden = np.flatnonzero(setup.overrides >= 0)
        index[:, overridden] = setup.overrides[overridden]
    return Drawn(score, rank, index)


def ranked_rows(
    score: np.ndarray, matrix: np.ndarray, ids: Sequence[str], weights: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """(D, len(rows)): for each draw, `rows` best first, as `core.scoring.rank` orders them.

    Draws that share a tie-break order (factors by weight) share one base ordering of the rows
    by that tie-break and Partner ID; a stable sort by Score then keeps it among equal Scores.
    """
    draws = len(weights)
    result = np.empty((draws, len(rows)), dtype=np.int64)
    if rows.size == 0:
        return result
    by_order: dict[tuple[int, ...], list[int]] = {}
    # `scoring.tie_break_order` for every draw: largest weight first, equal weights in order
    for d, key in enumerate(map(tuple, np.argsort(-weights, axis=1, kind="stable").tolist())):
        by_order.setdefault(key, []).append(d)
    ids_text = np.asarray([ids[i] for i in rows], dtype=str)
    for order, members in by_order.items():
        keys: list[np.ndarray] = [ids_text]
        keys += [-matrix[rows, factor] for factor in reversed(order)]
        base = rows[np.lexsort(keys)]
        chosen = np.asarray(members)
        rounded = -np.round(score[np.ix_(chosen, base)], scoring.TIE_DECIMALS)
        result[chosen] = base[np.argsort(rounded, axis=1, kind="stable")]
    return result


def _buffered(setup: Setup, score: np.ndarray, index: np.ndarray) -> np.ndarray:
    """`core.tiers.apply_buffer`, draw by draw at once."""
    assert setup.previous is not None
    result = index.copy()
    count = len(setup.tiers) - 1
    groups = setup.groups if setup.method != "threshold" else None
    for members in tiers.group_members(groups, len(setup.ids)):
        members = members[(index[:, members] >= 0).all(axis=0)]
        known = members[setup.previous[members] >= 0]
        if known.size == 0:
            continue
        s, k = score[:, members], index[:, members]
        bounds = np.empty((count + 2, score.shape[0]))
        bounds[0], bounds[-1] = np.inf, -np.inf
        for j in range(count):
            if setup.method == "threshold":
                size = setup.tiers[j].size
                bounds[j + 1] = size if size is not None else -np.inf
                continue
            above = np.where(k <= j, s, np.inf).min(axis=1)
            below = np.where(k > j, s, -np.inf).max(axis=1)
            bounds[j + 1] = np.where(np.isinf(above), np.inf,
                                     np.where(np.isinf(below), -np.inf, (above + below) / 2.0))
        p = setup.previous[known]
        upper, lower = bounds[p].T, bounds[p + 1].T
        moves = (score[:, known] > upper + setup.buffer) | (score[:, known] < lower - setup.buffer)
        result[:, known] = np.where(moves, index[:, known], p[None, :])
    return result
