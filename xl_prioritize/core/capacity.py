"""Capacity follows the ranking: who serves each partner, and where the hours run out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..model import CapacityPlan, CapacityRow, Member, MemberLoad, Tier
from ..workbook.contract import UNASSIGNED, normalize_header

EPSILON = 1e-9


def service_order(ranks: np.ndarray) -> list[int]:
    """Rows best Rank first; rows without a rank (overridden unscored partners) after, in order."""
    ranked = [int(i) for i in np.argsort(np.where(ranks > 0, ranks, np.iinfo(np.int64).max),
                                         kind="stable")]
    return ranked


def assign(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
) -> tuple[list[str | None], list[float]]:
    """Assigned member (or `Unassigned`; None where the tier costs no hours) and hours left each."""
    hours_of = {t.name: t.hours for t in tiers}
    by_name = {normalize_header(m.name): i for i, m in enumerate(team)}
    left = [m.hours for m in team]
    assigned: list[str | None] = [None] * len(tiers_of_rows)
    for row in service_order(ranks):
        tier = tiers_of_rows[row]
        need = hours_of.get(tier, 0.0)
        if need <= 0:
            continue
        eligible = [
            i for i, m in enumerate(team) if m.serves(tier) and left[i] + EPSILON >= need
        ]
        if not eligible:
            assigned[row] = UNASSIGNED
            continue
        manager = by_name.get(normalize_header(managers[row])) if managers[row] else None
        if manager is not None and manager in eligible:
            chosen = manager
        else:
            chosen = max(eligible, key=lambda i: (left[i], -i))
        left[chosen] -= need
        assigned[row] = team[chosen].name
    return assigned, left


def plan_capacity(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
) -> CapacityPlan:
    assigned, left = assign(tiers_of_rows, ranks, managers, tiers, team)
    rows: list[CapacityRow] = []
    for tier in tiers:
        members = [i for i, t in enumerate(tiers_of_rows) if t == tier.name]
        served = sum(1 for i in members if assigned[i] not in (None, UNASSIGNED))
        rows.append(CapacityRow(
            tier=tier.name,
            partners=len(members),
            hours_per_partner=tier.hours,
            hours_needed=len(members) * tier.hours,
            hours_allocated=served * tier.hours,
        ))
    loads = []
    for i, member in enumerate(team):
        mine = [a for a in assigned if a == member.name]
        loads.append(MemberLoad(member=member, partners=len(mine), hours=member.hours - left[i]))
    plan = CapacityPlan(assigned_to=assigned, tiers=rows, members=loads)
    plan.guidance = guidance(plan, tiers_of_rows, tiers, team)
    return plan


def guidance(
    plan: CapacityPlan, tiers_of_rows: Sequence[str], tiers: Sequence[Tier], team: Sequence[Member]
) -> list[str]:
    """Plain words for the lead: which tiers run short, by how much, and who has hours left."""
    lines: list[str] = []
    for row in plan.tiers:
        if row.hours_needed <= row.hours_allocated + EPSILON:
            continue
        served = round(row.hours_allocated / row.hours_per_partner) if row.hours_per_partner else 0
        short = row.hours_needed - row.hours_allocated
        pool = sum(m.hours for m in team if m.serves(row.tier))
        fitting = pool / row.partners if row.partners else 0.0
        lines.append(
            f"{row.tier}: short by {short:g} h a month. The hours serve {served} of its "
            f"{row.partners} partners; serving all of them would take at most "
            f"{fitting:.1f} h per partner from the {pool:g} h of the members who may serve it, "
            f"or {short:g} more hours."
        )
    spare = [(m.member.name, m.member.hours - m.hours) for m in plan.members]
    unused = [(name, h) for name, h in spare if h > EPSILON]
    if unused:
        listed = ", ".join(f"{name} {h:g} h" for name, h in unused)
        lines.append(f"Unused hours: {sum(h for _, h in unused):g} h a month ({listed}).")
    return lines
