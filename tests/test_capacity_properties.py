"""Properties of the capacity plan (core/capacity.py) over generated teams and rosters.

The exactness of the counts is proven against brute force in test_staffing.py; here the partners:
who is served, by whom, and that the Roster's row order changes nothing.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_prioritize.core.capacity import assign, plan_capacity, service_order
from xl_prioritize.core.names import UNASSIGNED
from xl_prioritize.model import Member, Tier

HOURS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.5])


@st.composite
def scenarios(draw: st.DrawFn, ranked: bool = False) -> dict:
    tiers = [Tier(f"T{k}", None, f"S{k}", draw(HOURS), draw(st.sampled_from([0.0, 0.0, 4.0, 10.0])))
             for k in range(draw(st.integers(1, 4)))]
    names = [t.name for t in tiers]
    team = [
        Member(f"M{j}", float(draw(st.integers(0, 40))),
               tuple(draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))))
        for j in range(draw(st.integers(0, 5)))
    ]
    n = draw(st.integers(0, 60))
    ranks = np.array(draw(st.permutations(list(range(1, n + 1)))), dtype=np.int64)
    if n and not ranked:
        unranked = draw(st.lists(st.integers(0, n - 1), max_size=3))
        ranks[unranked] = 0  # overridden unscored partners: no rank, still in a tier
    rows = [draw(st.sampled_from(names)) for _ in range(n)]
    managers = [draw(st.sampled_from([None, "Stranger", *(m.name.lower() for m in team)]))
                for _ in range(n)]
    return {"rows": rows, "ranks": ranks, "managers": managers, "tiers": tiers, "team": team}


def run(s: dict):
    return assign(s["rows"], s["ranks"], s["managers"], s["tiers"], s["team"])


@settings(max_examples=120, deadline=None)
@given(scenarios())
def test_nobody_over_their_hours_nor_outside_their_focus_and_each_partner_served_whole(s: dict) -> None:
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
    plan = plan_capacity(s["rows"], s["ranks"], s["managers"], s["tiers"], s["team"])
    for row in plan.tiers:
        if row.program_by is not None:
            assert by_name[row.program_by].serves(row.tier) and row.partners > 0
            given_to[row.program_by] += row.hours_per_tier
    for member in s["team"]:
        assert given_to[member.name] <= member.hours + 1e-9
    for load in plan.members:
        assert abs(load.hours - given_to[load.member.name]) < 1e-9
        assert load.load is None or load.load <= 1 + 1e-9
    for row in plan.tiers:
        assert row.hours_allocated <= row.hours_needed + 1e-9
        served = sum(1 for r, t in enumerate(s["rows"])
                     if t == row.tier and done.assigned_to[r] not in (None, UNASSIGNED))
        program = row.hours_per_tier if row.program_by is not None else 0.0
        assert abs(row.hours_allocated - served * row.hours_per_partner - program) < 1e-9


@settings(max_examples=120, deadline=None)
@given(scenarios())
def test_within_a_tier_the_best_ranked_are_served(s: dict) -> None:
    done = run(s)
    order = service_order(s["ranks"])
    for tier in s["tiers"]:
        if tier.hours <= 0:
            continue
        rows = [r for r in order if s["rows"][r] == tier.name]
        served = [done.assigned_to[r] != UNASSIGNED for r in rows]
        assert served == sorted(served, reverse=True)  # served ones first, then Unassigned


@settings(max_examples=120, deadline=None)
@given(scenarios())
def test_a_member_gets_their_own_partners_before_others(s: dict) -> None:
    """Given the counts, a member who serves a partner of another manager (or none) while one of
    their own in the same tier goes to someone else would be swapping for nothing."""
    done = run(s)
    names = {m.name.lower(): m.name for m in s["team"]}
    for r, who in enumerate(done.assigned_to):
        mine = names.get(s["managers"][r] or "")
        if who in (None, UNASSIGNED) or mine is None or who == mine:
            continue
        tier = s["rows"][r]
        swappable = [q for q, other in enumerate(done.assigned_to) if other == mine
                     and s["rows"][q] == tier and names.get(s["managers"][q] or "") != mine]
        assert not swappable


@settings(max_examples=100, deadline=None)
@given(scenarios(ranked=True), st.randoms(use_true_random=False))
def test_the_same_plan_whatever_the_roster_row_order(s: dict, rnd) -> None:
    plan = plan_capacity(s["rows"], s["ranks"], s["managers"], s["tiers"], s["team"])
    by_rank = {int(rank): who for rank, who in zip(s["ranks"], plan.assigned_to, strict=True)}
    order = list(range(len(s["rows"])))
    rnd.shuffle(order)
    shuffled = plan_capacity([s["rows"][i] for i in order], s["ranks"][order],
                             [s["managers"][i] for i in order], s["tiers"], s["team"])
    assert {int(rank): who for rank, who in zip(s["ranks"][order], shuffled.assigned_to,
                                                strict=True)} == by_rank
    assert shuffled.tiers == plan.tiers
    assert [(m.partners, m.hours, m.programs) for m in shuffled.members] == \
        [(m.partners, m.hours, m.programs) for m in plan.members]
    assert shuffled.guidance == plan.guidance


def test_last_quarters_member_keeps_a_partner_the_counts_leave_open() -> None:
    """Two members serving any tier with 6 h each; four partners of 3 h, nobody's manager. Any
    split of two and two is optimal; last quarter P3 and P4 were Ana's, so she keeps them."""
    tiers = [Tier("T1", None, "a", 3.0)]
    team = [Member("Ana", 6.0), Member("Ben", 6.0)]
    ranks = np.array([1, 2, 3, 4])
    plain = assign(["T1"] * 4, ranks, [None] * 4, tiers, team)
    assert plain.assigned_to == ["Ana", "Ana", "Ben", "Ben"]
    kept = assign(["T1"] * 4, ranks, [None] * 4, tiers, team, previous=[None, "Ben", " ana", "ANA"])
    assert kept.assigned_to == ["Ben", "Ben", "Ana", "Ana"]
