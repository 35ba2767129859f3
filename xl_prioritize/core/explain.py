"""One partner's Score taken apart: what each factor contributes, how far the tier above is, and
the smallest single-factor change that would close the gap. Pure: the Scorecard sheet's formulas
and `xl-prioritize explain` both show these numbers."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..model import Inputs, Results
from .scoring import tie_break_order


def normalize_header(text: object) -> str:
    """Names compare as the contract's headers do: case and outer or repeated spaces ignored."""
    return "" if text is None else " ".join(str(text).split()).casefold()


CLOSE = 1e-9
"""A gain closes the gap when it reaches the points missing to this tolerance."""


class FactorLine(NamedTuple):
    """One factor's part in a partner's Score."""

    name: str
    score: float | None
    """The score the Score uses (Scale min for a blank under `lowest`), None when blank."""
    weight: float
    share: float
    """Weight / sum of weights."""
    contribution: float | None
    """Points of the Score this factor carries: 100 × share × (score − min) / (max − min)."""
    stepped: float | None
    """The score one step up, capped at Scale max."""
    gain: float | None
    """Points the Score gains from that step."""


class Neighbour(NamedTuple):
    """A partner ranked next to the one explained."""

    partner_id: str
    name: object
    score: float
    rank: int
    tier: str


class Change(NamedTuple):
    """Raise one factor from `before` to `after` (whole steps, capped at Scale max)."""

    factor: str
    before: float
    after: float
    gain: float


class Explanation(NamedTuple):
    """One partner's Score, rank and tier taken apart, and what would lift it a tier."""

    partner_id: str
    name: object
    score: float | None
    rank: int | None
    tier: str
    service_level: str | None
    assigned_to: str | None
    factors: list[FactorLine]
    tier_above: str | None
    """None in the top tier and for a tier not on the Tiers sheet (`Unscored`)."""
    boundary: float | None
    """Lowest Score in the tier above (`count`, `percent`; within the group under Tier within;
    overridden partners aside), or its threshold (`threshold`); buffer ignored."""
    missing: float | None
    """Points from the Score to the boundary, 0 when already there."""
    one_step: str | None
    """The factor whose one-step rise gains most, when that closes the gap."""
    smallest: Change | None
    """The fewest whole steps on one factor that close the gap (ties: heavier factor)."""
    above: Neighbour | None
    below: Neighbour | None
    history: list[tuple[str, str | None, float | None]]
    """(quarter, tier, score) in each archived quarter, oldest first."""


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def factor_lines(inputs: Inputs, i: int) -> list[FactorLine]:
    settings = inputs.settings
    lo, hi = settings.scale_min, settings.scale_max
    total = sum(f.weight for f in inputs.factors)
    lines = []
    for k, factor in enumerate(inputs.factors):
        raw = _number(inputs.roster.scores[i, k])
        score = lo if raw is None and settings.missing_scores == "lowest" else raw
        share = factor.weight / total
        if score is None:
            lines.append(FactorLine(factor.name, None, factor.weight, share, None, None, None))
            continue
        stepped = min(score + 1, hi)
        lines.append(FactorLine(factor.name, score, factor.weight, share,
                                100 * share * (score - lo) / (hi - lo), stepped,
                                100 * share * (stepped - score) / (hi - lo)))
    return lines


def tier_above(inputs: Inputs, tier: str) -> str | None:
    names = [normalize_header(n) for n in inputs.tier_names]
    key = normalize_header(tier)
    if key not in names:
        return None
    position = names.index(key)
    return inputs.tier_names[position - 1] if position > 0 else None


def boundary(inputs: Inputs, results: Results, i: int, above: str) -> float | None:
    settings = inputs.settings
    if settings.tier_method == "threshold":
        size = next(t.size for t in inputs.tiers if t.name == above)
        return float(size) if size is not None else None
    groups = inputs.roster.groups
    members = [
        float(results.score[j]) for j in range(len(inputs.roster))
        if results.tier[j] == above and inputs.roster.overrides[j] is None
        and not math.isnan(results.score[j]) and (groups is None or groups[j] == groups[i])
    ]
    return min(members) if members else None


def smallest_change(inputs: Inputs, lines: list[FactorLine], missing: float) -> Change | None:
    lo, hi = inputs.settings.scale_min, inputs.settings.scale_max
    best: tuple[float, int, Change] | None = None
    order = tie_break_order([line.weight for line in lines])
    for place, k in enumerate(order):
        line = lines[k]
        if line.score is None:
            continue
        steps = math.ceil(max(missing - CLOSE, 0) * (hi - lo) / (100 * line.share))
        after = min(line.score + max(steps, 1), hi)
        gain = 100 * line.share * (after - line.score) / (hi - lo)
        if gain < missing - CLOSE:
            continue
        if best is None or (after - line.score, place) < best[:2]:
            best = (after - line.score, place, Change(line.name, line.score, after, gain))
    return best[2] if best else None


def neighbour(inputs: Inputs, results: Results, rank: int) -> Neighbour | None:
    hits = np.flatnonzero(results.rank == rank)
    if rank < 1 or hits.size == 0:
        return None
    j = int(hits[0])
    return Neighbour(inputs.roster.ids[j], inputs.roster.names[j], float(results.score[j]), rank,
                     results.tier[j])


def explain(inputs: Inputs, results: Results, i: int) -> Explanation:
    roster = inputs.roster
    score = _number(results.score[i])
    rank = int(results.rank[i]) or None
    lines = factor_lines(inputs, i)
    above = tier_above(inputs, results.tier[i])
    bound = boundary(inputs, results, i, above) if above is not None else None
    missing = max(0.0, bound - score) if bound is not None and score is not None else None
    one_step = smallest = None
    if missing:
        gains = [(line.gain, -k) for k, line in enumerate(lines) if line.gain is not None]
        if gains and max(gains)[0] >= missing - CLOSE:
            one_step = lines[-max(gains)[1]].name
        smallest = smallest_change(inputs, lines, missing)
    history = []
    for quarter in inputs.history:
        at = quarter.by_id().get(roster.ids[i])
        history.append((quarter.quarter, quarter.tiers[at] if at is not None else None,
                        quarter.scores[at] if at is not None else None))
    return Explanation(
        partner_id=roster.ids[i], name=roster.names[i], score=score, rank=rank,
        tier=results.tier[i], service_level=results.service_level[i],
        assigned_to=results.capacity.assigned_to[i], factors=lines, tier_above=above,
        boundary=bound, missing=missing, one_step=one_step, smallest=smallest,
        above=neighbour(inputs, results, rank - 1) if rank else None,
        below=neighbour(inputs, results, rank + 1) if rank else None, history=history,
    )


def find_partner(inputs: Inputs, wanted: str) -> int | None:
    """Row of the partner with this Partner ID, else with this name (as headers match)."""
    ids = inputs.roster.ids
    if wanted in ids:
        return ids.index(wanted)
    key = normalize_header(wanted)
    for i, name in enumerate(inputs.roster.names):
        if normalize_header(name) == key or normalize_header(ids[i]) == key:
            return i
    return None
