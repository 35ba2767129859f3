"""Plain words for the lead: which tiers run short, by how much, and what would close the gap.

Every number a lever names comes from solving the plan again with that one thing changed, so a
lever the guidance offers is one the re-score would honour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..model import CapacityPlan, CapacityRow, Member, Tier
from .staffing import EPSILON, Staffed, Staffing, best_of_tier

GUIDE_STEP = 0.01
"""Hours per partner in the guidance are rounded down to this step, so the number still fits."""


def hours(value: float) -> str:
    return f"{round(value, 2):g} h"


def names(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def guidance(
    plan: CapacityPlan, problem: Staffing, staffed: Staffed, tiers: Sequence[Tier],
    team: Sequence[Member],
) -> list[str]:
    """One paragraph per short tier, then unused hours; each sentence a line on the sheet."""
    lines: list[str] = []
    short: list[CapacityRow] = []
    for t, row in enumerate(plan.tiers):
        if problem.has_program(t) and staffed.carried_by[t] is None:
            lines.append(program_paragraph(problem, staffed, t, tiers, team))
        if problem.costs_hours(t) and staffed.served[t] < row.partners:
            short.append(row)
            lines.append(short_paragraph(problem, staffed, t, row, team))
    if not lines and any(row.hours_needed > 0 for row in plan.tiers):
        lines.append("Every partner in a tier with hours is served.")
    unused = [(m.member, m.member.hours - m.hours) for m in plan.members]
    unused = [(member, h) for member, h in unused if h > EPSILON]
    if unused:
        listed = ", ".join(f"{member.name} {hours(h)}" for member, h in unused)
        line = f"Unused hours: {hours(sum(h for _, h in unused))} a month ({listed})."
        for row in short:
            line += " " + unused_reason(row, unused)
        lines.append(line)
    return lines


def redo(problem: Staffing, t: int, staffed: Staffed) -> tuple[int, bool]:
    """Tier t's best with one thing changed: the better tiers cannot depend on tier t's hours nor
    on who may serve it, so they keep the plan's optimum."""
    return best_of_tier(problem, t, staffed.served, [by is not None for by in staffed.carried_by])


def program_paragraph(
    problem: Staffing, staffed: Staffed, t: int, tiers: Sequence[Tier], team: Sequence[Member]
) -> str:
    tier = tiers[t]
    text = (f"{tier.name}'s group program ({hours(tier.hours_per_tier)} a month) has nobody to "
            "carry it.")
    if not any(problem.serves[j][t] for j in range(len(team))):
        return text + f" No member serves {tier.name}."
    wideners = [team[j].name for j in range(len(team)) if not problem.serves[j][t]
                and redo(problem.widened(j, t), t, staffed)[1]]
    if len(wideners) == 1:
        return text + f" With {tier.name} in {wideners[0]}'s Focus tiers, it would be carried."
    if wideners:
        either = ", ".join(wideners[:-1]) + " or " + wideners[-1]
        return text + f" With {tier.name} in the Focus tiers of {either}, it would be carried."
    return text + f" No member who serves {tier.name} has {hours(tier.hours_per_tier)} left for it."


def short_paragraph(
    problem: Staffing, staffed: Staffed, t: int, row: CapacityRow, team: Sequence[Member]
) -> str:
    unserved = row.partners - staffed.served[t]
    sentences = [
        f"{row.tier} is short: {staffed.served[t]} of its {row.partners} partners are served, "
        f"{unserved} Unassigned.",
        f"The {unserved} Unassigned need {hours(unserved * row.hours_per_partner)} a month "
        f"({hours(row.hours_per_partner)} each).",
    ]
    if not any(problem.serves[j][t] and problem.capacity[j] > 0 for j in range(len(team))):
        sentences.append(f"No member with hours serves {row.tier}.")
    gains = {j: redo(problem.widened(j, t), t, staffed)[0] - staffed.served[t]
             for j in range(len(team)) if not problem.serves[j][t] and problem.capacity[j] > 0}
    for j, more in gains.items():
        if more > 0:
            sentences.append(f"With {row.tier} in {team[j].name}'s Focus tiers, {more} more would "
                             "be served.")
    helpers = [j for j, more in gains.items() if more > 0]
    if len(helpers) > 1:
        wide = problem
        for j in helpers:
            wide = wide.widened(j, t)
        more = redo(wide, t, staffed)[0] - staffed.served[t]
        sentences.append(f"With {row.tier} in all their Focus tiers, {more} more would be served.")
    fit = fitting_hours(problem, staffed, t)
    if fit is not None:
        sentences.append(f"At {hours(fit)} per partner, all {row.partners} would be served.")
    return " ".join(sentences)


def fitting_hours(problem: Staffing, staffed: Staffed, t: int) -> float | None:
    """Hours per partner (rounded down to GUIDE_STEP, below the tier's) at which every partner of
    tier t is served: what the members who serve it have left after the better tiers, split in
    whole partners; checked by solving tier t again at that figure. None when none is found."""
    left = []
    for j in range(len(problem.capacity)):
        if not problem.serves[j][t]:
            continue
        spent = sum(problem.partner_hours[u] * staffed.counts[j][u] for u in range(t)) + sum(
            problem.program_hours[u] for u, by in enumerate(staffed.carried_by[:t + 1]) if by == j)
        left.append(problem.capacity[j] - spent)
    fit = math.floor(largest_fit(left, problem.partners[t]) / GUIDE_STEP + EPSILON) * GUIDE_STEP
    if not GUIDE_STEP - EPSILON <= fit < problem.partner_hours[t] - EPSILON:
        return None
    hours_each = list(problem.partner_hours)
    hours_each[t] = fit
    served, _ = redo(replace(problem, partner_hours=tuple(hours_each)), t, staffed)
    return fit if served >= problem.partners[t] else None


def partners_served(left: Sequence[float], hours_each: float) -> int:
    """How many partners of `hours_each` fit in these members' hours, each served in full."""
    return sum(math.floor(h / hours_each + EPSILON) for h in left if h > 0) if hours_each > 0 else 0


def largest_fit(left: Sequence[float], partners: int) -> float:
    """The most hours per partner that still serves all `partners` from these members' hours.

    Fewer hours per partner serve more partners, so the answer is the largest candidate
    `h / k` (a member's hours split k ways) that serves them all; 0 when none does.
    """
    if partners <= 0:
        return math.inf
    candidates = sorted({h / k for h in left if h > EPSILON for k in range(1, partners + 1)})
    low, high = 0, len(candidates)
    while low < high:  # the largest candidate that serves everyone; smaller ones serve more
        mid = (low + high) // 2
        if partners_served(left, candidates[mid]) >= partners:
            low = mid + 1
        else:
            high = mid
    return candidates[low - 1] if low else 0.0


def unused_reason(row: CapacityRow, unused: list[tuple[Member, float]]) -> str:
    """Why hours left over did not go to a short tier: focus elsewhere, or too few to serve one."""
    barred = [m.name for m, _ in unused if not m.serves(row.tier)]
    too_few = [m.name for m, _ in unused if m.serves(row.tier)]
    reasons = []
    if barred:
        reasons.append(f"{names(barred)} may not serve it")
    if too_few:
        reasons.append(f"{names(too_few)} {'has' if len(too_few) == 1 else 'have'} less than "
                       f"one partner's {hours(row.hours_per_partner)} left")
    return f"{row.tier} cannot use them: {'; '.join(reasons)}."
