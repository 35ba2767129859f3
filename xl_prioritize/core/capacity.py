"""Capacity follows the ranking: who serves each partner, and where the hours run out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import CapacityPlan, CapacityRow, Member, MemberLoad, Tier
from ..workbook.contract import UNASSIGNED, normalize_header

EPSILON = 1e-9
GUIDE_STEP = 0.01
"""Hours per partner in the guidance are rounded down to this step, so the number still fits."""


@dataclass(frozen=True)
class Assignment:
    assigned_to: list[str | None]
    """Member name, `Unassigned`, or None where the partner's tier costs no hours."""
    member_of: list[int | None]
    """Team index of each partner's member (None when not assigned)."""
    order: list[int]
    """Rows in the order they were served."""
    spent: list[float]
    """Hours each member was given, Team order."""


def service_order(ranks: np.ndarray) -> list[int]:
    """Rows best Rank first; rows without a rank (overridden unscored partners) after, in order."""
    big = np.iinfo(np.int64).max
    keys = np.where(np.asarray(ranks) > 0, ranks, big)
    return [int(i) for i in np.argsort(keys, kind="stable")]


def assign(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
) -> Assignment:
    """One partner at a time, best Rank first: the Partner manager when eligible, otherwise the
    eligible member with the most hours left (ties: Team order). Served in full or not at all."""
    hours_of = {t.name: t.hours for t in tiers}
    by_name = {normalize_header(m.name): i for i, m in enumerate(team)}
    spent = [0.0] * len(team)
    assigned: list[str | None] = [None] * len(tiers_of_rows)
    member_of: list[int | None] = [None] * len(tiers_of_rows)
    order = service_order(ranks)
    for row in order:
        tier = tiers_of_rows[row]
        need = hours_of.get(tier, 0.0)
        if need <= 0:
            continue
        left = [m.hours - spent[i] for i, m in enumerate(team)]
        eligible = [i for i, m in enumerate(team) if m.serves(tier) and left[i] + EPSILON >= need]
        if not eligible:
            assigned[row] = UNASSIGNED
            continue
        chosen = by_name.get(normalize_header(managers[row])) if managers[row] else None
        if chosen not in eligible:
            chosen = max(eligible, key=lambda i: (round(left[i], 6), -i))
        spent[chosen] += need
        assigned[row] = team[chosen].name
        member_of[row] = chosen
    return Assignment(assigned, member_of, order, spent)


def plan_capacity(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
) -> CapacityPlan:
    done = assign(tiers_of_rows, ranks, managers, tiers, team)
    rows: list[CapacityRow] = []
    for tier in tiers:
        members = [i for i, t in enumerate(tiers_of_rows) if t == tier.name]
        served = sum(1 for i in members if done.member_of[i] is not None)
        rows.append(CapacityRow(
            tier=tier.name,
            partners=len(members),
            hours_per_partner=tier.hours,
            hours_needed=len(members) * tier.hours,
            hours_allocated=served * tier.hours,
        ))
    loads = [
        MemberLoad(member=member, partners=done.member_of.count(i), hours=done.spent[i])
        for i, member in enumerate(team)
    ]
    plan = CapacityPlan(assigned_to=done.assigned_to, tiers=rows, members=loads)
    plan.guidance = guidance(plan, done, tiers_of_rows, tiers, team)
    return plan


def hours_left_for(
    tier: str, done: Assignment, tiers_of_rows: Sequence[str], hours_of: dict[str, float],
    team: Sequence[Member],
) -> dict[int, float]:
    """Hours each member who may serve `tier` had for it: their hours less what better-ranked
    partners of other tiers took (those served before the tier's last partner)."""
    position = {row: n for n, row in enumerate(done.order)}
    rows = [r for r, t in enumerate(tiers_of_rows) if t == tier]
    last = max((position[r] for r in rows), default=-1)
    left = {i: m.hours for i, m in enumerate(team) if m.serves(tier)}
    for row in done.order[:last]:
        member = done.member_of[row]
        if member in left and tiers_of_rows[row] != tier:
            left[member] -= hours_of.get(tiers_of_rows[row], 0.0)
    return {i: max(h, 0.0) for i, h in left.items()}


def partners_served(left: Sequence[float], hours: float) -> int:
    """How many partners of `hours` each fit in these members' hours, each served in full."""
    return sum(math.floor(h / hours + EPSILON) for h in left) if hours > 0 else 0


def fitting_hours(left: Sequence[float], partners: int) -> float:
    """The most hours per partner that still serves all `partners` from these members' hours.

    Fewer hours per partner serve more partners, so the answer is the largest candidate
    `h / k` (a member's hours split k ways) that serves them all.
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


def round_down(hours: float, step: float = GUIDE_STEP) -> float:
    return math.floor(hours / step + EPSILON) * step


def guidance(
    plan: CapacityPlan, done: Assignment, tiers_of_rows: Sequence[str], tiers: Sequence[Tier],
    team: Sequence[Member],
) -> list[str]:
    """Plain words for the lead: which tiers run short, by how much, and who has hours left."""
    hours_of = {t.name: t.hours for t in tiers}
    short = [row for row in plan.tiers if row.hours_needed > row.hours_allocated + EPSILON]
    lines = [
        short_tier_line(row, hours_left_for(row.tier, done, tiers_of_rows, hours_of, team), team)
        for row in short
    ]
    if not short and any(row.hours_needed > 0 for row in plan.tiers):
        lines.append("Every partner in a tier with hours is served.")
    unused = [(m.member, m.member.hours - m.hours) for m in plan.members]
    unused = [(member, h) for member, h in unused if h > EPSILON]
    if unused:
        listed = ", ".join(f"{member.name} {_h(h)}" for member, h in unused)
        line = f"Unused hours: {_h(sum(h for _, h in unused))} a month ({listed})."
        for row in short:
            line += " " + unused_reason(row, unused)
        lines.append(line)
    return lines


def short_tier_line(row: CapacityRow, left: dict[int, float], team: Sequence[Member]) -> str:
    served = round(row.hours_allocated / row.hours_per_partner)
    text = (
        f"{row.tier} is short: {row.partners} partners × {_h(row.hours_per_partner)} = "
        f"{_h(row.hours_needed)} needed, {_h(row.hours_allocated)} allocated "
        f"({_h(row.hours_needed - row.hours_allocated)} short)."
    )
    if not left:
        return f"{text} No member may serve it: its partners are Unassigned."
    pool = sum(left.values())
    taken = any(left[i] < team[i].hours - EPSILON for i in left)
    listed = ", ".join(
        f"{team[i].name} {_h(h)}" + (f" of {_h(team[i].hours)}" if taken else "")
        for i, h in left.items()
    )
    text += (
        f" {'After better-ranked partners, the' if taken else 'The'} members who may serve it "
        f"have {_h(pool)} for it ({listed}); as one member serves a partner in full, that serves "
        f"{served} of its {row.partners} partners."
    )
    fit = round_down(fitting_hours(list(left.values()), row.partners))
    if GUIDE_STEP - EPSILON <= fit < row.hours_per_partner - EPSILON:
        text += f" To serve all {row.partners}, plan at most {_h(fit)} per partner."
    return text


def unused_reason(row: CapacityRow, unused: list[tuple[Member, float]]) -> str:
    """Why hours left over did not go to a short tier: focus elsewhere, or too few to serve one."""
    barred = [m.name for m, _ in unused if not m.serves(row.tier)]
    too_few = [m.name for m, _ in unused if m.serves(row.tier)]
    reasons = []
    if barred:
        reasons.append(f"{_names(barred)} may not serve it")
    if too_few:
        reasons.append(f"{_names(too_few)} {'has' if len(too_few) == 1 else 'have'} less than "
                       f"one partner's {_h(row.hours_per_partner)} left")
    return f"{row.tier} cannot use them: {'; '.join(reasons)}."


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _h(hours: float) -> str:
    return f"{round(hours, 2):g} h"
