"""Do the factors predict the outcome? Each quarter's factor scores against the next quarter's
outcome: Spearman per factor with a bootstrap interval, suggested weights, and a backtest.

Ranks are taken within each pair of quarters (a quarter when every partner's pipeline grew is no
evidence for any factor) and pooled; with one pair of quarters this is plain Spearman.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

from ..core import scoring
from .quarters import ModelData, Quarter
from .tiering import Setup, draw_tiers

MIN_PAIRS = 30
"""Below this many partner pairs a correlation is mostly noise: said so, beside the number."""
BOOTSTRAP_DRAWS = 2000
SEED = 20261
INTERVAL = 0.95
CELLS = 2_000_000
"""Resamples × pairs handled at once."""


@dataclass(frozen=True)
class Paired:
    """One pair of quarters: factor scores of `before`, outcome of the quarter after it."""

    before: Quarter
    after: str
    rows: np.ndarray
    """Rows of `before` whose partner has a known outcome in `after`."""
    outcome: np.ndarray

    @property
    def label(self) -> str:
        return f"{self.before.quarter} → {self.after}"


@dataclass(frozen=True)
class FactorCheck:
    name: str
    weight: float
    rho: float | None
    pairs: int
    low: float | None
    high: float | None
    suggested: float | None


@dataclass(frozen=True)
class Backtest:
    label: str
    top_tier: str
    top_size: int
    current_share: float | None
    suggested_share: float | None
    in_sample: bool
    """True when the suggested weights were fitted on the very quarters they are tested on."""


@dataclass
class Validation:
    outcome: str | None
    quarters: list[str]
    pairs: list[Paired]
    factors: list[FactorCheck]
    backtests: list[Backtest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Plain warnings: too few pairs, one pair of quarters, columns missing from archives."""

    @property
    def enough(self) -> bool:
        return any(p.rows.size for p in self.pairs)


def pair_quarters(quarters: list[Quarter], outcome: str | None, notes: list[str]) -> list[Paired]:
    paired: list[Paired] = []
    for before, after in pairwise(quarters):
        if after.outcome is None:
            notes.append(f"{after.sheet} ({after.quarter}) has no {outcome!r} column: "
                         f"{before.quarter} cannot be paired with it.")
            continue
        if np.isnan(after.outcome).all():
            notes.append(f"No {outcome!r} is recorded in {after.sheet} ({after.quarter}) yet: "
                         f"{before.quarter} is not paired.")
        known = {pid: after.outcome[i] for i, pid in enumerate(after.ids)
                 if not np.isnan(after.outcome[i])}
        rows = np.asarray([i for i, pid in enumerate(before.ids) if pid in known], dtype=np.int64)
        if before.missing_factors:
            notes.append(f"{before.sheet} has no column for {', '.join(before.missing_factors)}: "
                         f"{before.quarter} says nothing about "
                         f"{'it' if len(before.missing_factors) == 1 else 'them'}.")
        paired.append(Paired(before, after.quarter, rows,
                             np.asarray([known[before.ids[i]] for i in rows], dtype=float)))
    return paired


def centred_ranks(values: np.ndarray, groups: list[int]) -> np.ndarray:
    """Percentile ranks (ties averaged) within each group of consecutive columns, centred on 0.

    `values` is (n,) or (B, n); `groups` gives each group's column count, in order."""
    from scipy.stats import rankdata

    values = np.atleast_2d(values)
    parts, start = [], 0
    for size in groups:
        block = values[:, start:start + size]
        ranks = (rankdata(block, axis=1) - 0.5) / size
        parts.append(ranks - ranks.mean(axis=1, keepdims=True))
        start += size
    return np.concatenate(parts, axis=1) if parts else np.empty((values.shape[0], 0))


def correlation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise Pearson of centred arrays; NaN where either side does not vary."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (x * y).sum(axis=1) / np.sqrt((x * x).sum(axis=1) * (y * y).sum(axis=1))


def factor_values(pairs: list[Paired], factor: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per pair of quarters, the factor scores and outcomes where both are known."""
    xs, ys = [], []
    for p in pairs:
        x = p.before.scores[p.rows, factor]
        known = ~np.isnan(x)
        if known.sum() >= 2:
            xs.append(x[known])
            ys.append(p.outcome[known])
    return xs, ys


def spearman(xs: list[np.ndarray], ys: list[np.ndarray], rng: np.random.Generator,
             draws: int = BOOTSTRAP_DRAWS) -> tuple[float | None, float | None, float | None]:
    """Pooled within-pair Spearman and its percentile bootstrap interval (partners resampled
    within each pair of quarters)."""
    if not xs:
        return None, None, None
    sizes = [len(x) for x in xs]
    rho = float(correlation(centred_ranks(np.concatenate(xs), sizes),
                            centred_ranks(np.concatenate(ys), sizes))[0])
    step = max(1, min(draws, CELLS // sum(sizes)))
    parts = []
    for start in range(0, draws, step):  # in chunks: memory stays flat however many pairs
        picks = [rng.integers(0, n, size=(min(step, draws - start), n)) for n in sizes]
        bx = np.concatenate([x[i] for x, i in zip(xs, picks, strict=True)], axis=1)
        by = np.concatenate([y[i] for y, i in zip(ys, picks, strict=True)], axis=1)
        parts.append(correlation(centred_ranks(bx, sizes), centred_ranks(by, sizes)))
    boot = np.concatenate(parts)
    boot = boot[~np.isnan(boot)]
    if np.isnan(rho):
        return None, None, None
    if boot.size == 0:
        return rho, None, None
    tail = (1 - INTERVAL) / 2 * 100
    low, high = np.percentile(boot, [tail, 100 - tail])
    return rho, float(low), float(high)


def fit_weights(pairs: list[Paired], total: float) -> np.ndarray | None:
    """Non-negative weights on rank-transformed scores that best rank partners by outcome
    (least squares on within-pair centred ranks), scaled to sum to `total`; None when no factor
    helps or no partner has every score."""
    from scipy.optimize import nnls

    xs, ys, sizes = [], [], []
    for p in pairs:
        x = p.before.scores[p.rows]
        complete = ~np.isnan(x).any(axis=1)
        if complete.sum() >= 2:
            xs.append(x[complete])
            ys.append(p.outcome[complete])
            sizes.append(int(complete.sum()))
    if not xs:
        return None
    factors = xs[0].shape[1]
    design = np.column_stack([centred_ranks(np.concatenate([x[:, f] for x in xs]), sizes)[0]
                              for f in range(factors)])
    target = centred_ranks(np.concatenate(ys), sizes)[0]
    coef, _ = nnls(design, target)
    if coef.sum() <= 1e-12:
        return None
    return coef / coef.sum() * total


def top_tier_share(data: ModelData, pair: Paired, weights: np.ndarray) -> tuple[float | None, int]:
    """Share of the next quarter's outcome held by the partners the top tier took, tiering
    `pair.before` with today's Tiers under each weight vector; and the top tier's size."""
    inputs = data.inputs
    settings = inputs.settings
    before = pair.before
    setup = Setup(
        matrix=scoring.effective_scores(before.scores, settings.scale_min, settings.missing_scores),
        ids=before.ids, tiers=inputs.tiers, method=settings.tier_method,
        scale_min=settings.scale_min, scale_max=settings.scale_max,
        groups=before.groups if settings.tier_method != "threshold" else None,
    )
    tier = draw_tiers(setup, weights[None]).tier[0]
    total = pair.outcome.sum()
    held = pair.outcome[tier[pair.rows] == 0].sum()
    return (float(held / total) if total > 0 else None), int((tier == 0).sum())


def validate(data: ModelData, *, seed: int = SEED) -> Validation:
    inputs = data.inputs
    notes: list[str] = []
    quarters = [q.quarter for q in data.quarters]
    pairs = pair_quarters(data.quarters, data.outcome, notes) if data.outcome else []
    result = Validation(data.outcome, quarters, pairs, [], notes=notes)
    current = np.asarray([f.weight for f in inputs.factors], dtype=float)
    if not result.enough:
        result.factors = [FactorCheck(f.name, f.weight, None, 0, None, None, None)
                          for f in inputs.factors]
        return result
    rng = np.random.default_rng(seed)
    suggested = fit_weights(pairs, current.sum())
    for f, factor in enumerate(inputs.factors):
        xs, ys = factor_values(pairs, f)
        rho, low, high = spearman(xs, ys, rng)
        count = sum(len(x) for x in xs)
        result.factors.append(FactorCheck(factor.name, factor.weight, rho, count, low, high,
                                          float(suggested[f]) if suggested is not None else None))
        if count < MIN_PAIRS:
            notes.append(f"{factor.name} rests on {count} partner pairs, fewer than {MIN_PAIRS}: "
                         "its correlation is mostly noise.")
    used = [p for p in pairs if p.rows.size]
    if len(used) == 1:
        notes.append(f"Only one pair of quarters ({used[0].label}): one quarter's luck can make or "
                     "break a factor. Read these as a first hint, not a verdict.")
    if suggested is None:
        notes.append("No factor ranks partners closer to their outcome than chance: "
                     "no weights to suggest.")
    result.backtests = backtests(data, used, current)
    return result


def backtests(data: ModelData, pairs: list[Paired], current: np.ndarray) -> list[Backtest]:
    top = data.inputs.tiers[0].name if data.inputs.tiers else ""
    lines: list[Backtest] = []
    for i, pair in enumerate(pairs):
        others = [p for j, p in enumerate(pairs) if j != i] or [pair]
        fitted = fit_weights(others, current.sum())
        share, size = top_tier_share(data, pair, current)
        suggested = top_tier_share(data, pair, fitted)[0] if fitted is not None else None
        lines.append(Backtest(pair.label, top, size, share, suggested, in_sample=len(pairs) == 1))
    return lines
