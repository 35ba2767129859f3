"""The staffing solver against brute force: no plan beats its plan in the contract's order."""

from __future__ import annotations

from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xl_prioritize.core import staffing
from xl_prioritize.core.staffing import EPSILON, Staffing, solve


@st.composite
def problems(draw: st.DrawFn) -> Staffing:
    tiers = draw(st.integers(1, 3))
    members = draw(st.integers(0, 3))
    partners = tuple(draw(st.integers(0, 4)) for _ in range(tiers))
    hours = tuple(draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0, 2.5])) for _ in range(tiers))
    programs = tuple(draw(st.sampled_from([0.0, 0.0, 1.0, 4.0])) for _ in range(tiers))
    team_hours = st.sampled_from([0.0, 1.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.5, 9.0])
    capacity = tuple(draw(team_hours) for _ in range(members))
    serves = tuple(tuple(draw(st.booleans()) for _ in range(tiers)) for _ in range(members))
    managed = tuple(tuple(draw(st.sampled_from([None, *range(members)])) for _ in range(n))
                    for n in partners)
    managed = tuple(tuple(m if m is not None and serves[m][t] else None for m in row)
                    for t, row in enumerate(managed))
    return Staffing(hours, programs, partners, capacity, serves, managed)


def every_plan(p: Staffing):
    """Every feasible (counts, carriers): each member within hours and Focus tiers."""
    tiers, members = len(p.partners), len(p.capacity)
    per_member = []
    for j in range(members):
        options = []
        ranges = [range(p.partners[t] + 1) if p.serves[j][t] and p.partner_hours[t] > 0 else range(1)
                  for t in range(tiers)]
        for counts in product(*ranges):  # a member's own hours bound what it can take
            if sum(p.partner_hours[t] * n for t, n in enumerate(counts)) <= p.capacity[j] + EPSILON:
                options.append(counts)
        per_member.append(options)
    carriers = [[None, *(j for j in range(members) if p.serves[j][t])] if p.has_program(t) else [None]
                for t in range(tiers)]
    for carried in product(*carriers):
        for counts in product(*per_member):
            if any(sum(row[t] for row in counts) > p.partners[t] for t in range(tiers)):
                continue
            hours = [sum(p.partner_hours[t] * n for t, n in enumerate(counts[j]))
                     + sum(p.program_hours[t] for t, by in enumerate(carried) if by == j)
                     for j in range(members)]
            if all(h <= p.capacity[j] + EPSILON for j, h in enumerate(hours)):
                yield counts, carried


def key(p: Staffing, counts, carried) -> tuple[int, ...]:
    """The contract's order: per tier (program carried, partners served), then own managers.
    Given the counts, a member serves their own partners first, so the own count of a tier is
    the sum over members of min(count, own partners among the best-ranked served)."""
    out: list[int] = []
    for t in range(len(p.partners)):
        out += [int(carried[t] is not None), sum(row[t] for row in counts)]
    served = [sum(row[t] for row in counts) for t in range(len(p.partners))]
    out.append(sum(min(counts[j][t], p.own(j, t, served[t]))
                   for j in range(len(counts)) for t in range(len(p.partners))))
    return tuple(out)


@pytest.fixture(params=["dynamic program", "integer program"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both exact engines: the dynamic program, and scipy's milp it hands large teams to (the
    setting holds for every generated example, so a fixture per test is right)."""
    if request.param == "integer program":
        monkeypatch.setattr(staffing, "WORK_LIMIT", -1)
    return request.param


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(p=problems())
def test_no_feasible_plan_beats_the_solver(engine: str, p: Staffing) -> None:
    done = solve(p)
    tiers = len(p.partners)
    counts = [list(row) for row in done.counts]
    for j, row in enumerate(counts):  # its own plan is feasible
        assert all(n == 0 or p.serves[j][t] for t, n in enumerate(row))
        assert done.hours_of(p, j) <= p.capacity[j] + EPSILON
    for t in range(tiers):
        assert sum(row[t] for row in counts) == done.served[t] <= p.partners[t]
        assert done.carried_by[t] is None or (p.has_program(t) and p.serves[done.carried_by[t]][t])
    mine = key(p, counts, done.carried_by)
    assert mine[-1] == done.own
    best = max(key(p, c, y) for c, y in every_plan(p))
    assert mine == best
