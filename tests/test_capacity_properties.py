"""Properties of the pure capacity assignment (core/capacity.py), over generated teams and rosters."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_prioritize.core.capacity import (
    EPSILON,
    assign,
    fitting_hours,
    hours_left_for,
    partners_served,
    plan_capacity,
)
from xl_prioritize.model import Member, Tier
from xl_prioritize.workbook.contract import UNASSIGNED

HOURS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.5])


@st.composite
def scenarios(draw: st.DrawFn, contiguous: bool = False) -> dict:
    tiers = [Tier(f"T{k}", None, f"S{k}", draw(HOURS)) for k in range(draw(st.integers(1, 4)))]
    names = [t.name for t in tiers]
    team = [
        Member(f"M{j}", float(draw(st.integers(0, 40))),
               tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))))
        for j in range(draw(st.integers(0, 5)))
    ]
    n = draw(st.integers(0, 60))
    ranks = np.array(draw(st.permutations(list(range(1, n + 1)))), dtype=np.int64)
    if contiguous:
        cuts = sorted(draw(st.lists(st.integers(0, n), min_size=len(tiers) - 1,
                                    max_size=len(tiers) - 1)))
        tier_of_rank = [sum(r > c for c in cuts) for r in range(n)]
        rows = [names[tier_of_rank[r - 1]] for r in ranks]
    else:
        unranked = draw(st.lists(st.integers(0, max(n - 1, 0)), max_size=3)) if n else []
        ranks[unranked] = 0  # overridden unscored partners: no rank, still in a tier
        rows = [draw(st.sampled_from(names)) for _ in range(n)]
    managers = [draw(st.sampled_from([None, "Stranger", *(m.name for m in team)]))
                for _ in range(n)]
    return {"rows": rows, "ranks": ranks, "managers": managers, "tiers": tiers, "team": team}


def run(s: dict):
    return assign(s["rows"], s["ranks"], s["managers"], s["tiers"], s["team"])


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_nobody_over_their_hours_and_each_partner_served_whole(s: dict) -> None:
    done = run(s)
    hours = {t.name: t.hours for t in s["tiers"]}
    by_name = {m.name: m for m in s["team"]}
    given_to = dict.fromkeys(by_name, 0.0)
    for row, who in enumerate(done.assigned_to):
        need = hours[s["rows"][row]]
        if need == 0:
            assert who is None  # tiers without hours: blank
        elif who != UNASSIGNED:
            assert by_name[who].serves(s["rows"][row])
            given_to[who] += need  # the whole of the partner's hours, to one member
    for member in s["team"]:
        assert given_to[member.name] <= member.hours + 1e-6
    plan = plan_capacity(s["rows"], s["ranks"], s["managers"], s["tiers"], s["team"])
    for load in plan.members:
        assert load.hours == given_to[load.member.name]
        assert load.load is None or load.load <= 1 + 1e-9
    for row in plan.tiers:
        assert row.hours_allocated <= row.hours_needed + 1e-9
        served = sum(1 for r, t in enumerate(s["rows"])
                     if t == row.tier and done.assigned_to[r] not in (None, UNASSIGNED))
        assert row.hours_allocated == served * row.hours_per_partner


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_a_better_ranked_partner_is_never_passed_over_within_its_tier(s: dict) -> None:
    done = run(s)
    position = {row: n for n, row in enumerate(done.order)}
    for tier in s["tiers"]:
        rows = sorted((r for r, t in enumerate(s["rows"]) if t == tier.name and tier.hours > 0),
                      key=position.__getitem__)
        first_unassigned = next((n for n, r in enumerate(rows)
                                 if done.assigned_to[r] == UNASSIGNED), len(rows))
        assert all(done.assigned_to[r] == UNASSIGNED for r in rows[first_unassigned:])


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_the_partner_manager_is_passed_over_only_when_short_of_hours(s: dict) -> None:
    done = run(s)
    hours = {t.name: t.hours for t in s["tiers"]}
    members = {m.name: i for i, m in enumerate(s["team"])}
    for row, who in enumerate(done.assigned_to):
        manager = s["managers"][row]
        if who in (None, UNASSIGNED) or manager not in members or who == manager:
            continue
        member = s["team"][members[manager]]
        if member.serves(s["rows"][row]):
            # hours only ever go down, so too few then means too few at the end
            assert member.hours - done.spent[members[manager]] < hours[s["rows"][row]]


@settings(max_examples=300, deadline=None)
@given(scenarios(contiguous=True))
def test_guidance_numbers_are_exact_when_tiers_follow_the_rank(s: dict) -> None:
    """With tiers in rank order (no overrides), the hours left for a tier serve exactly the
    partners the sheet shows, and the suggested hours per partner serve them all."""
    done = run(s)
    hours = {t.name: t.hours for t in s["tiers"]}
    for k, tier in enumerate(s["tiers"]):
        rows = [r for r, t in enumerate(s["rows"]) if t == tier.name]
        if tier.hours <= 0 or not rows:
            continue
        left = hours_left_for(tier.name, done, s["rows"], hours, s["team"])
        served = sum(1 for r in rows if done.assigned_to[r] != UNASSIGNED)
        assert served == min(len(rows), partners_served(list(left.values()), tier.hours))
        fit = fitting_hours(list(left.values()), len(rows))
        if fit <= EPSILON:
            continue
        cheaper = [*s["tiers"][:k], replace(tier, hours=fit), *s["tiers"][k + 1:]]
        again = assign(s["rows"], s["ranks"], s["managers"], cheaper, s["team"])
        assert all(again.assigned_to[r] != UNASSIGNED for r in rows)
        slightly_more = fit * (1 + 1e-6)
        assert partners_served(list(left.values()), slightly_more) < len(rows)
