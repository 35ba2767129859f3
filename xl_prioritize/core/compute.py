"""One re-score over plain data: inputs in, results out. No workbook, no I/O."""

from __future__ import annotations

import numpy as np

from ..model import ArchivedQuarter, Inputs, Results
from ..problems import Code, Problem
from . import capacity, history, scoring, tiers


def compute(inputs: Inputs, scores: np.ndarray | None = None) -> Results:
    """`scores`, when given, replace the Scores the factors give (NaN = unscored): the audit asks
    what the outputs are for the Scores the tiers were last cut on."""
    settings, roster = inputs.settings, inputs.roster
    weights = [f.weight for f in inputs.factors]
    tier_names = inputs.tier_names
    latest = inputs.history[-1] if inputs.history else None

    score = scoring.score(
        roster.scores, weights, settings.scale_min, settings.scale_max, settings.missing_scores
    ) if scores is None else np.asarray(scores, dtype=float)
    effective = scoring.effective_scores(roster.scores, settings.scale_min, settings.missing_scores)
    rank = scoring.rank(score, effective, weights, roster.ids)

    cut_groups = roster.groups if settings.tier_method != "threshold" else None
    index = tiers.computed_tier_index(score, rank, inputs.tiers, settings.tier_method, cut_groups)
    computed = tiers.tier_names(index, inputs.tiers)

    prior = history.previous_tiers(roster.ids, latest)
    position = history.position_lookup(tier_names)
    prior_index = [_known_index(position(p), tier_names) for p in prior]
    buffered = tiers.apply_buffer(
        score, index, prior_index, inputs.tiers, settings.tier_method, cut_groups,
        settings.tier_buffer,
    )
    final = tiers.tier_names(buffered, inputs.tiers)
    warnings: list[Problem] = []
    for i, override in enumerate(roster.overrides):
        if override is not None:
            warnings.append(Problem(
                Code.OVERRIDE, roster.override_cells[i] if roster.override_cells else roster.ids[i],
                f"partner {roster.ids[i]} overridden to {override} (computed {final[i]}): "
                f"{roster.override_reasons[i]}",
            ))
            final[i] = override

    service = {t.name: t.service_level for t in inputs.tiers}
    previous, moves = history.movements(roster.ids, final, latest, tier_names)
    plan = capacity.plan_capacity(final, rank, roster.managers, inputs.tiers, inputs.team,
                                  previous_assigned(roster.ids, latest))
    warnings += plan.warnings
    compare = history.compare_table(
        roster.ids, roster.names, score, final, moves, latest, tier_names
    )
    return Results(
        score=score,
        rank=rank,
        computed_tier=computed,
        tier=final,
        service_level=[service.get(t) for t in final],
        previous_tier=previous,
        movement=moves,
        capacity=plan,
        compare=compare,
        warnings=warnings,
    )


def previous_assigned(ids: list[str], latest: ArchivedQuarter | None) -> list[str | None] | None:
    """Each partner's Assigned to in the latest archive, when the archive has that column."""
    if latest is None or not latest.assigned_to:
        return None
    before = dict(zip(latest.partner_ids, latest.assigned_to, strict=True))
    return [before.get(pid) for pid in ids]


def _known_index(position: int | None, tier_names: list[str]) -> int | None:
    return position if position is not None and position < len(tier_names) else None
