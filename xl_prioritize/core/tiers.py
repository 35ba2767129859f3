"""Cut the ranking into tiers: by count, by percent or by score threshold; buffer and overrides."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ..model import Tier
from .names import UNSCORED
from .scoring import TIE_DECIMALS

EPSILON = 1e-9


def percent_share(size: float) -> float:
    """A percent Size as a fraction: 0.15 stays, 15 (percent points) becomes 0.15."""
    return size / 100.0 if size > 1 else size


def rank_cuts(n: int, tiers: Sequence[Tier], method: str) -> list[int]:
    """For `count`/`percent`: the last position (1-based, within the n ranked) of each tier."""
    ends: list[int] = []
    cumulative = 0.0
    for i, tier in enumerate(tiers):
        if i == len(tiers) - 1:
            ends.append(n)
            break
        size = tier.size or 0.0
        if method == "count":
            cumulative += size
            end = int(cumulative)
        else:
            cumulative += percent_share(size)
            end = math.floor(n * cumulative + 0.5 + EPSILON)
        ends.append(min(n, end))
    return ends


def tier_index_by_position(n: int, tiers: Sequence[Tier], method: str) -> np.ndarray:
    """Tier index for positions 1..n (returned 0-based by position)."""
    ends = rank_cuts(n, tiers, method)
    positions = np.arange(1, n + 1)
    return np.searchsorted(np.asarray(ends), positions, side="left")


def tier_index_by_threshold(scores: np.ndarray, tiers: Sequence[Tier]) -> np.ndarray:
    """Tier index of each score: the first tier whose threshold it reaches, else the last tier.

    Scores are compared as the contract compares them, rounded to 9 decimals: float noise such as
    99.99999999999999 for a partner scoring 5 on every factor reaches a threshold of 100."""
    result = np.full(scores.shape, len(tiers) - 1, dtype=np.int64)
    assigned = np.zeros(scores.shape, dtype=bool)
    keys = np.round(scores, TIE_DECIMALS)  # vectorised: draws × partners arrays come here too
    for i, tier in enumerate(tiers[:-1]):
        if tier.size is None:
            continue
        hit = ~assigned & (keys >= tier.size)
        result[hit] = i
        assigned |= hit
    return result


def group_members(groups: Sequence[object] | None, n: int) -> list[np.ndarray]:
    """Row indexes per `Tier within` group (one group of everyone when tiers are roster-wide)."""
    if groups is None:
        return [np.arange(n)]
    by_value: dict[object, list[int]] = {}
    for i, value in enumerate(groups):
        by_value.setdefault(value, []).append(i)
    return [np.asarray(rows) for rows in by_value.values()]


def computed_tier_index(
    scores: np.ndarray,
    ranks: np.ndarray,
    tiers: Sequence[Tier],
    method: str,
    groups: Sequence[object] | None,
) -> np.ndarray:
    """Tier index per row before buffer and overrides; -1 for unscored rows."""
    result = np.full(len(scores), -1, dtype=np.int64)
    scored = ~np.isnan(scores)
    if method == "threshold":
        result[scored] = tier_index_by_threshold(scores[scored], tiers)
        return result
    for rows in group_members(groups, len(scores)):
        rows = rows[scored[rows]]
        ordered = rows[np.argsort(ranks[rows], kind="stable")]
        result[ordered] = tier_index_by_position(len(ordered), tiers, method)
    return result


def boundaries(
    scores: np.ndarray, index: np.ndarray, rows: np.ndarray, tiers: Sequence[Tier], method: str
) -> np.ndarray:
    """Score boundary between tier j and j+1, for j in 0..T-2, over the given rows.

    `threshold`: tier j's threshold. `count`/`percent`: the midpoint of the lowest score at or above
    the cut and the highest score below it; ±inf where one side is empty.
    """
    count = len(tiers) - 1
    if method == "threshold":
        return np.asarray([t.size if t.size is not None else -np.inf for t in tiers[:-1]], float)
    result = np.empty(count)
    s, k = scores[rows], index[rows]
    for j in range(count):
        above, below = s[k <= j], s[k > j]
        if above.size == 0:
            result[j] = np.inf
        elif below.size == 0:
            result[j] = -np.inf
        else:
            result[j] = (above.min() + below.max()) / 2.0
    return result


def apply_buffer(
    scores: np.ndarray,
    index: np.ndarray,
    previous: Sequence[int | None],
    tiers: Sequence[Tier],
    method: str,
    groups: Sequence[object] | None,
    buffer: float,
) -> np.ndarray:
    """Keep each partner's previous tier unless its score clears that tier's boundaries by > b."""
    if buffer <= 0 or len(tiers) < 2:
        return index
    result = index.copy()
    for rows in group_members(groups, len(scores)):
        scored_rows = rows[index[rows] >= 0]
        bounds = boundaries(scores, index, scored_rows, tiers, method)
        for i in scored_rows:
            p = previous[i]
            if p is None:
                continue
            upper = bounds[p - 1] if p > 0 else np.inf
            lower = bounds[p] if p < len(tiers) - 1 else -np.inf
            if not (scores[i] > upper + buffer or scores[i] < lower - buffer):
                result[i] = p
    return result


def tier_names(index: np.ndarray, tiers: Sequence[Tier]) -> list[str]:
    names = [t.name for t in tiers]
    return [names[i] if i >= 0 else UNSCORED for i in np.asarray(index).tolist()]
