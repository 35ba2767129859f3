"""Capacity follows the ranking: who serves each partner and who carries each group program.

The counts come from the exact solver (`staffing.py`); this module picks the partners: within a
tier the best-ranked are served, each member takes their own partners first (best-ranked first),
then partners they served last quarter, then the rest in rank order, members in Team order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..model import CapacityPlan, CapacityRow, Member, MemberLoad, Tier
from ..problems import Code, Problem
from . import levers
from .names import UNASSIGNED, normalize_header
from .staffing import Staffed, Staffing, solve


class Assignment(NamedTuple):
    """The staffing problem, how it was staffed, and the member of each partner."""

    problem: Staffing
    staffed: Staffed
    assigned_to: list[str | None]
    """Member name, `Unassigned`, or None where the partner's tier costs no hours."""
    member_of: list[int | None]
    """Team index of each partner's member (None when not assigned)."""


def service_order(ranks: np.ndarray) -> list[int]:
    """Rows best Rank first; rows without a rank (overridden unscored partners) after, in order."""
    big = np.iinfo(np.int64).max
    keys = np.where(np.asarray(ranks) > 0, ranks, big)
    return np.argsort(keys, kind="stable").tolist()


def staffing_problem(
    rows_by_tier: list[list[int]], managers: Sequence[str | None], tiers: Sequence[Tier],
    team: Sequence[Member],
) -> Staffing:
    by_name = {normalize_header(m.name): j for j, m in enumerate(team)}
    serves = tuple(tuple(m.serves(t.name) for t in tiers) for m in team)
    member_of = {name: by_name.get(normalize_header(name)) for name in set(managers) if name}

    def manager(row: int, t: int) -> int | None:
        j = member_of.get(managers[row]) if managers[row] else None
        return j if j is not None and serves[j][t] else None

    return Staffing(
        partner_hours=tuple(t.hours for t in tiers),
        program_hours=tuple(t.hours_per_tier for t in tiers),
        partners=tuple(len(rows) for rows in rows_by_tier),
        capacity=tuple(m.hours for m in team),
        serves=serves,
        managed=tuple(tuple(manager(r, t) for r in rows) for t, rows in enumerate(rows_by_tier)),
    )


def assign(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
    previous: Sequence[str | None] | None = None,
) -> Assignment:
    """The contract's plan. `previous` holds each row's Assigned to last quarter, if known."""
    position = {t.name: i for i, t in enumerate(tiers)}
    rows_by_tier: list[list[int]] = [[] for _ in tiers]
    for row in service_order(ranks):
        if tiers_of_rows[row] in position:
            rows_by_tier[position[tiers_of_rows[row]]].append(row)
    problem = staffing_problem(rows_by_tier, managers, tiers, team)
    staffed = solve(problem)
    by_name = {normalize_header(m.name): j for j, m in enumerate(team)}
    assigned: list[str | None] = [None] * len(tiers_of_rows)
    member_of: list[int | None] = [None] * len(tiers_of_rows)
    for t, rows in enumerate(rows_by_tier):
        if not problem.costs_hours(t):
            continue
        served = rows[:staffed.served[t]]
        left = [staffed.counts[j][t] for j in range(len(team))]
        for row, j in zip(served, problem.managed[t], strict=False):  # own partners first
            if j is not None and left[j] > 0:
                member_of[row], left[j] = j, left[j] - 1
        for row in served:  # then whom they served last quarter
            before = by_name.get(normalize_header(previous[row])) if previous and previous[row] else None
            if member_of[row] is None and before is not None and left[before] > 0:
                member_of[row], left[before] = before, left[before] - 1
        for row in served:
            if member_of[row] is None:
                j = next(j for j, n in enumerate(left) if n > 0)
                member_of[row], left[j] = j, left[j] - 1
        for row in rows:
            j = member_of[row]
            assigned[row] = team[j].name if j is not None else UNASSIGNED
    return Assignment(problem, staffed, assigned, member_of)


def plan_capacity(
    tiers_of_rows: Sequence[str],
    ranks: np.ndarray,
    managers: Sequence[str | None],
    tiers: Sequence[Tier],
    team: Sequence[Member],
    previous: Sequence[str | None] | None = None,
) -> CapacityPlan:
    done = assign(tiers_of_rows, ranks, managers, tiers, team, previous)
    problem, staffed = done.problem, done.staffed
    rows: list[CapacityRow] = []
    for t, tier in enumerate(tiers):
        partners = problem.partners[t]
        program = tier.hours_per_tier if partners else 0.0
        carrier = staffed.carried_by[t]
        served = staffed.served[t] if problem.costs_hours(t) else 0
        rows.append(CapacityRow(
            tier=tier.name,
            partners=partners,
            hours_per_partner=tier.hours,
            hours_needed=partners * tier.hours + program,
            hours_allocated=served * tier.hours + (program if carrier is not None else 0.0),
            hours_per_tier=tier.hours_per_tier,
            program_by=team[carrier].name if carrier is not None else None,
            served=served,
        ))
    loads = [
        MemberLoad(
            member=member, partners=done.member_of.count(j), hours=staffed.hours_of(problem, j),
            programs=tuple(tiers[t].name for t, by in enumerate(staffed.carried_by) if by == j),
        )
        for j, member in enumerate(team)
    ]
    warnings = [
        Problem(Code.PROGRAM_UNCARRIED, tier.where or tier.name,
                f"nobody can carry tier {tier.name!r}'s group program of "
                f"{levers.hours(tier.hours_per_tier)} a month; expected a member who serves it "
                "with the hours left for it")
        for t, tier in enumerate(tiers)
        if problem.has_program(t) and staffed.carried_by[t] is None
    ]
    plan = CapacityPlan(assigned_to=done.assigned_to, tiers=rows, members=loads, warnings=warnings)
    plan.guidance = levers.guidance(plan, problem, staffed, tiers, team)
    return plan
