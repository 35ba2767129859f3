"""How robust is each partner's tier to the weights?

One at a time, each weight moves ±20% and the partners that change tier are listed. Then the
weights are drawn at random around the current ones, all at once: each weight is multiplied by
`exp(spread × Z)`, Z standard normal, independently per factor and draw (a log-normal draw: with
spread 0.2 about two draws in three move a weight by less than ±20%, and no weight goes negative).
The draws are seeded, so the same seed gives the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import Inputs
from .tiering import chunk_size, draw_tiers, setup_from_inputs

STEP = 0.20
DRAWS = 10_000
SPREAD = 0.20
SEED = 20262
STABILITY = 0.90


@dataclass(frozen=True)
class Move:
    factor: str
    change: float
    """+0.2 or -0.2: the weight times 1.2 or 0.8."""
    weight: float
    changed: list[tuple[int, str]]
    """Rows that change tier, with the tier they would take."""


@dataclass
class Sensitivity:
    tier_names: list[str]
    current: list[str]
    """Each partner's tier now, as a re-score computes it."""
    moves: list[Move]
    draws: int
    spread: float
    seed: int
    stability: float
    probability: np.ndarray
    """(n,) chance of landing in the current tier; NaN for unscored partners."""
    shares: np.ndarray
    """(n, T) share of draws landing in each tier."""
    overridden: np.ndarray
    """(n,) bool: a Tier override fixes the tier whatever the weights."""
    rank_correlation: np.ndarray
    """Spearman between each draw's ranking and the actual one."""

    @property
    def unstable(self) -> list[int]:
        """Rows below the stability, least stable first (overridden partners never are)."""
        rows = [i for i, p in enumerate(self.probability)
                if not np.isnan(p) and p < self.stability and not self.overridden[i]]
        return sorted(rows, key=lambda i: (self.probability[i], i))

    def likeliest_other(self, row: int) -> tuple[str | None, float]:
        """The tier other than the current one the partner lands in most often, and how often."""
        shares = self.shares[row].copy()
        if self.current[row] in self.tier_names:
            shares[self.tier_names.index(self.current[row])] = -1
        best = int(np.argmax(shares)) if shares.size else -1
        return (self.tier_names[best], float(shares[best])) if best >= 0 and shares[best] > 0 \
            else (None, 0.0)

    def tier_stability(self) -> list[tuple[str, int, float | None, int]]:
        """Per tier: partners now, their mean chance of staying, how many are below the stability."""
        unstable = set(self.unstable)
        rows = []
        for name in self.tier_names:
            members = [i for i, t in enumerate(self.current) if t == name]
            mean = float(np.mean(self.probability[members])) if members else None
            rows.append((name, len(members), mean, sum(1 for i in members if i in unstable)))
        return rows


def random_weights(weights: np.ndarray, draws: int, spread: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return weights * np.exp(spread * rng.standard_normal((draws, len(weights))))


def spearman_to_actual(ranks: np.ndarray, actual: np.ndarray) -> np.ndarray:
    """Per draw (row of `ranks`), Spearman of the drawn ranks of scored partners with the actual
    ranks (both permutations of 1..m, so the exact formula holds)."""
    scored = np.flatnonzero(actual > 0)
    m = scored.size
    if m < 2:
        return np.full(ranks.shape[0], np.nan)
    d = (ranks[:, scored] - actual[scored]).astype(float)
    return 1 - 6 * np.einsum("ij,ij->i", d, d) / (m * (m * m - 1))


def sensitivity(
    inputs: Inputs, *, draws: int = DRAWS, spread: float = SPREAD, seed: int = SEED,
    stability: float = STABILITY, step: float = STEP,
) -> Sensitivity:
    setup = setup_from_inputs(inputs)
    names = inputs.tier_names
    weights = np.asarray([f.weight for f in inputs.factors], dtype=float)
    now = draw_tiers(setup, weights[None])
    current_index = now.tier[0].astype(np.int64)
    current = [names[i] if i >= 0 else "Unscored" for i in current_index]

    one_at_a_time = []
    for f in range(len(weights)):
        for change in (step, -step):
            moved = weights.copy()
            moved[f] *= 1 + change
            one_at_a_time.append((f, change, moved))
    moves: list[Move] = []
    if one_at_a_time:
        moved_tiers = draw_tiers(setup, np.asarray([w for _, _, w in one_at_a_time])).tier
        for d, (f, change, moved) in enumerate(one_at_a_time):
            rows = np.flatnonzero(moved_tiers[d] != current_index)
            moves.append(Move(inputs.factors[f].name, change, float(moved[f]),
                              [(int(i), names[moved_tiers[d, i]]) for i in rows]))

    counts = np.zeros((len(current), len(names)))
    correlations: list[np.ndarray] = []
    drawn_weights = random_weights(weights, draws, spread, seed)
    step = chunk_size(len(current))
    for start in range(0, draws, step):  # tallied chunk by chunk: memory stays flat in draws
        drawn = draw_tiers(setup, drawn_weights[start:start + step])
        counts += np.stack([(drawn.tier == t).sum(axis=0) for t in range(len(names))], axis=1)
        correlations.append(spearman_to_actual(drawn.rank, now.rank[0]))
    shares = counts / draws if draws else counts
    probability = np.full(len(current), np.nan)
    placed = current_index >= 0
    probability[placed] = shares[placed, current_index[placed]]
    overridden = setup.overrides >= 0 if setup.overrides is not None else np.zeros(len(current), bool)
    return Sensitivity(
        tier_names=names, current=current, moves=moves, draws=draws, spread=spread, seed=seed,
        stability=stability, probability=probability, shares=shares, overridden=overridden,
        rank_correlation=np.concatenate(correlations) if correlations else np.empty(0),
    )
