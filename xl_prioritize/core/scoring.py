"""Score and rank: the two numbers every partner gets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

TIE_DECIMALS = 9
"""Scores equal to this many decimals are ties: float noise must not decide a rank."""


def floats_or_none(values: np.ndarray | Sequence[float]) -> list[float | None]:
    """The values as Python floats, None where NaN (unscored, blank); tested one by one only when
    some value is NaN."""
    found = np.asarray(values, dtype=float)
    listed = found.tolist()
    if np.isnan(found).any():
        return [None if v != v else v for v in listed]  # v != v: NaN
    return listed


def effective_scores(matrix: np.ndarray, scale_min: float, missing: str) -> np.ndarray:
    """The factor scores the weighted sum uses: blanks count as Scale min under `lowest`."""
    if missing == "lowest":
        return np.where(np.isnan(matrix), scale_min, matrix)
    return matrix


def score(
    matrix: np.ndarray, weights: Sequence[float], scale_min: float, scale_max: float, missing: str
) -> np.ndarray:
    """`100 × (Σ wᵢ·sᵢ / Σ wᵢ − min) / (max − min)` per row; NaN where a blank leaves it unscored."""
    w = np.asarray(weights, dtype=float)
    filled = effective_scores(matrix, scale_min, missing)
    with np.errstate(invalid="ignore"):
        weighted = (filled * w).sum(axis=1) / w.sum()
    result = 100.0 * (weighted - scale_min) / (scale_max - scale_min)
    if matrix.shape[1]:
        result[np.isnan(filled).any(axis=1)] = np.nan
    return result


def tie_keys(scores: np.ndarray) -> np.ndarray:
    """Scores rounded to TIE_DECIMALS as decimals are rounded (Python's `round`, exact on the
    stored binary value); numpy's `round` scales by 10⁹ first and can land the other side of a
    half, so two scores the contract calls tied could compare unequal."""
    distinct, where = np.unique(np.asarray(scores, dtype=float), return_inverse=True)
    rounded = np.array([round(s, TIE_DECIMALS) for s in distinct.tolist()], dtype=float)
    return rounded[where]  # a roster repeats few distinct scores: each is rounded once


def tie_break_order(weights: Sequence[float]) -> list[int]:
    """Factor indexes in tie-break order: largest weight first, equal weights in Factors order."""
    return sorted(range(len(weights)), key=lambda i: (-weights[i], i))


def rank(
    scores: np.ndarray, matrix: np.ndarray, weights: Sequence[float], partner_ids: Sequence[str]
) -> np.ndarray:
    """1 is best and ranks are unique; 0 for unscored rows.

    Order: Score descending, then factor scores in tie-break order (higher first), then Partner ID
    ascending as text. `matrix` holds the effective factor scores.
    """
    ranks = np.zeros(len(scores), dtype=np.int64)
    scored = np.flatnonzero(~np.isnan(scores))
    if scored.size == 0:
        return ranks
    ids = np.asarray([partner_ids[i] for i in scored], dtype=str)
    keys: list[np.ndarray] = [ids]
    for factor in reversed(tie_break_order(weights)):
        keys.append(-matrix[scored, factor])
    keys.append(-tie_keys(scores[scored]))
    order = np.lexsort(keys)
    ranks[scored[order]] = np.arange(1, scored.size + 1)
    return ranks
