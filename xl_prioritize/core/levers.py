"""Plain words for the lead: which tiers run short, by how much, and what would close the gap.

Every number a lever names comes from solving the plan again with that one thing changed, so a
lever the guidance offers is one the re-score would honour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..model import CapacityPlan, CapacityRow, Member, Tier
from .staffing import EPSILON, Staffed, Staffing, optimum

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
            lines.append(program_paragraph(problem, t, tiers, team))
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


def program_paragraph(problem: Staffing, t: int, tiers: Sequence[Tier], team: Sequence[Member]) -> str:
    tier = tiers[t]
    text = (f"{tier.name}'s group program ({hours(tier.hours_per_tier)} a month) has nobody to "
            "carry it.")
    if not any(problem.serves[j][t] for j in range(len(team))):
        return text + f" No member serves {tier.name}."
    wideners = [team[j].name for j in range(len(team)) if not problem.serves[j][t]
                and optimum(problem.widened(j, t), upto=t)[1][t]]
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
    gains = {j: optimum(problem.widened(j, t), upto=t)[0][t] - staffed.served[t]
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
        more = optimum(wide, upto=t)[0][t] - staffed.served[t]
        sentences.append(f"With {row.tier} in all their Focus tiers, {more} more would be served.")
    fit = fitting_hours(problem, t)
    if fit is not None:
        sentences.append(f"At {hours(fit)} per partner, all {row.partners} would be served.")
    return " ".join(sentences)


def fitting_hours(problem: Staffing, t: int) -> float | None:
    """The most hours per partner (a multiple of GUIDE_STEP, below the tier's) at which every
    partner of tier t is served, better tiers keeping their optimum; None when even the
    smallest step does not serve them all."""
    top = math.ceil(problem.partner_hours[t] / GUIDE_STEP - EPSILON) - 1

    def serves_all(steps: int) -> bool:
        hours_each = list(problem.partner_hours)
        hours_each[t] = steps * GUIDE_STEP
        served, _ = optimum(replace(problem, partner_hours=tuple(hours_each)), upto=t)
        return served[t] >= problem.partners[t]

    if top < 1 or not serves_all(1):
        return None
    low, high = 1, top  # serves_all(low) holds
    while low < high:
        mid = (low + high + 1) // 2
        if serves_all(mid):
            low = mid
        else:
            high = mid - 1
    return low * GUIDE_STEP


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
