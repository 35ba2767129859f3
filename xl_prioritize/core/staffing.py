"""The exact staffing plan: how many partners of each tier each member serves and who carries each
group program, by the contract's order of what matters.

Every partner of a tier costs the same hours, so a plan is a small integer program over counts:
`x[j][t]` partners of tier t served by member j, and who carries each tier's group program. The
contract ranks plans lexicographically: tier by tier in Tiers order, (program carried, partners
served); then partners served by their own Partner manager. Each stage is solved exactly by a
dynamic program over the members, whose state is how many partners of the tiers already settled
are served so far (at least so many, capped at their optimum) and which programs are carried; the
settled optimum is read as a constraint on the final state, so the split of earlier tiers among
members is re-optimised for every later tier.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from itertools import product
from typing import NamedTuple

import numpy as np

EPSILON = 1e-9
"""Hours are compared to this."""
NEG = -(1 << 40)
"""The value of a state no plan reaches."""
WORK_LIMIT = 50_000_000
"""State updates one dynamic program may take; beyond it the integer program (staffing_milp)
solves the stage, exact as well but with scipy's import to pay."""


@dataclass(frozen=True)
class Staffing:
    """What the solver sees: tiers in Tiers order, members in Team order."""

    partner_hours: tuple[float, ...]
    """Hours one partner of each tier costs."""
    program_hours: tuple[float, ...]
    """Hours each tier's group program costs (0: no program)."""
    partners: tuple[int, ...]
    """Partners in each tier."""
    capacity: tuple[float, ...]
    """Each member's hours a month."""
    serves: tuple[tuple[bool, ...], ...]
    """`serves[j][t]`: member j may serve tier t."""
    managed: tuple[tuple[int | None, ...], ...] = ()
    """Per tier, each partner's Partner manager as a member index (None: not a member who may
    serve the tier), in service order (best-ranked first). Empty: nobody has a manager."""

    def costs_hours(self, tier: int) -> bool:
        return self.partner_hours[tier] > 0 and self.partners[tier] > 0

    def has_program(self, tier: int) -> bool:
        return self.program_hours[tier] > 0 and self.partners[tier] > 0

    def own(self, member: int, tier: int, served: int) -> int:
        """Partners among the tier's first `served` whose manager is this member."""
        if not self.managed:
            return 0
        return sum(1 for m in self.managed[tier][:served] if m == member)

    def widened(self, member: int, tier: int) -> Staffing:
        """The same team with one member's Focus tiers widened to include `tier`."""
        serves = [list(s) for s in self.serves]
        serves[member][tier] = True
        return replace(self, serves=tuple(tuple(s) for s in serves))


class Staffed(NamedTuple):
    """How many partners of each tier each member serves, and who carries each program."""

    served: tuple[int, ...]
    """Partners served per tier: the best-ranked ones."""
    carried_by: tuple[int | None, ...]
    """The member carrying each tier's group program (None: no program, or nobody can)."""
    counts: tuple[tuple[int, ...], ...]
    """`counts[j][t]`: partners of tier t member j serves."""
    own: int = 0
    """Partners served by their own Partner manager."""

    def hours_of(self, problem: Staffing, member: int) -> float:
        return sum(problem.partner_hours[t] * n for t, n in enumerate(self.counts[member])) + sum(
            problem.program_hours[t] for t, by in enumerate(self.carried_by) if by == member)


def fits(count_hours: float, capacity: float) -> bool:
    return count_hours <= capacity + EPSILON


def most(hours_left: float, hours_each: float) -> int:
    """Whole partners of `hours_each` that fit in `hours_left`."""
    if hours_left < -EPSILON:
        return -1
    n = math.floor((hours_left + EPSILON) / hours_each)
    while n > 0 and not fits(n * hours_each, hours_left):
        n -= 1
    return max(n, 0)


class _Stage(NamedTuple):
    """One dynamic program: the count dimensions of its state, the programs it tracks, and the
    tier whose count is its value (the last dimension is filled greedily when `value` is None)."""

    counts: tuple[int, ...]
    caps: tuple[int, ...]
    programs: tuple[int, ...]
    value: int | None
    own: tuple[tuple[int, ...], ...] = ()
    """Per member, per count dimension: own partners among the served (the greedy stage only)."""


Choice = tuple[tuple[int, ...], tuple[int, ...], int]


def _choices(problem: Staffing, j: int, stage: _Stage) -> Iterator[Choice]:
    """Member j's choices: (counts per state dimension, programs carried, value gained).

    Dimensions the member may not serve stay 0. Choices another choice beats are left out: one
    more partner of a state dimension that costs nothing of the value (or of the last, greedy
    dimension) is never worse, since a state means "at least so many".
    """
    serves = problem.serves[j]
    capacity = problem.capacity[j]
    hours = problem.partner_hours
    dims = stage.counts
    greedy_last = stage.value is None and bool(dims)
    free = dims[:-1] if greedy_last else dims

    def greedy(used: float) -> int:
        """The count the value (or the last dimension) gets from the hours left."""
        if greedy_last:
            last = dims[-1]
            return min(stage.caps[-1], most(capacity - used, hours[last])) if serves[last] else 0
        t = stage.value
        if t is None or not serves[t] or not problem.costs_hours(t):
            return 0
        return min(problem.partners[t], most(capacity - used, hours[t]))

    for carried in product((0, 1), repeat=len(stage.programs)):
        if any(y and not serves[t] for y, t in zip(carried, stage.programs, strict=True)):
            continue
        cost = sum(problem.program_hours[t] for y, t in zip(carried, stage.programs, strict=True) if y)
        if not fits(cost, capacity):
            continue
        tops = [min(cap, most(capacity - cost, hours[t])) if serves[t] else 0
                for t, cap in zip(free, stage.caps, strict=False)]
        for counts in product(*(range(top + 1) for top in tops)):
            used = cost + sum(hours[t] * n for t, n in zip(free, counts, strict=True))
            if not fits(used, capacity):
                continue
            n = greedy(used)
            if any(b < top and fits(used + hours[t], capacity) and greedy(used + hours[t]) == n
                   for b, top, t in zip(counts, tops, free, strict=True)):
                continue
            if greedy_last:
                full = (*counts, n)
                yield full, carried, sum(min(b, a) for b, a in zip(full, stage.own[j], strict=True))
            else:
                yield counts, carried, n


def _work(problem: Staffing, stage: _Stage) -> int:
    """An upper bound on the state updates `_run` makes: states times members' choices."""
    states = math.prod(cap + 1 for cap in stage.caps) * 2 ** len(stage.programs)
    free = stage.caps[:-1] if stage.value is None else stage.caps
    choices = 0
    for j, capacity in enumerate(problem.capacity):
        serves = problem.serves[j]
        tops = [min(cap, most(capacity, problem.partner_hours[t])) + 1 if serves[t] else 1
                for t, cap in zip(stage.counts, free, strict=False)]
        choices += math.prod(tops) * 2 ** sum(1 for t in stage.programs if serves[t])
    return states * choices


def _run(problem: Staffing, stage: _Stage) -> list[np.ndarray]:
    """The value of every state after each member in turn (index 0: nobody yet).

    A state means "at least so many served": its value never rises with the counts. A choice
    moves every state up by its counts (a plain slice); states below the counts are then filled
    from above by a running maximum, which is the value of reaching at least that much.
    """
    dims = len(stage.caps)
    shape = tuple(cap + 1 for cap in stage.caps) + (2,) * len(stage.programs)
    start = np.full(shape, NEG, dtype=np.int64)
    start[(0,) * len(shape)] = 0
    tables = [start]
    for j in range(len(problem.capacity)):
        old, new = tables[-1], np.full(shape, NEG, dtype=np.int64)
        for counts, carried, gain in _choices(problem, j, stage):
            target = tuple(slice(b, None) for b in counts) + tuple(
                slice(1, 2) if y else slice(None) for y in carried)
            source = tuple(slice(None, cap + 1 - b) for cap, b in zip(stage.caps, counts, strict=True)) \
                + tuple(slice(0, 1) if y else slice(None) for y in carried)
            new[target] = np.maximum(new[target], old[source] + gain)
        for axis in range(dims):
            flipped = np.flip(new, axis)
            np.maximum.accumulate(flipped, axis=axis, out=flipped)
        tables.append(new)
    return tables


def _goal(stage: _Stage, last_program: int | None = None) -> tuple[int, ...]:
    flags = [1] * len(stage.programs)
    if last_program is not None and flags:
        flags[-1] = last_program
    return (*stage.caps, *flags)


def optimum(problem: Staffing, upto: int | None = None) -> tuple[list[int], list[bool]]:
    """Partners served and programs carried per tier, lexicographically best in Tiers order
    (tiers after `upto` are left at 0)."""
    tiers = len(problem.partners)
    served, carried = [0] * tiers, [False] * tiers
    for t in range(tiers if upto is None else upto + 1):
        served[t], carried[t] = best_of_tier(problem, t, served, carried)
    return served, carried


def best_of_tier(
    problem: Staffing, t: int, served: Sequence[int], carried: Sequence[bool]
) -> tuple[int, bool]:
    """Tier t's (partners served, program carried) at its best, the better tiers held at theirs
    (`served` and `carried` for tiers before t; later entries are not read)."""
    program, partners = problem.has_program(t), problem.costs_hours(t)
    if not (program or partners) or not any(problem.serves[j][t] for j in range(len(problem.capacity))):
        return 0, False
    counts = tuple(u for u in range(t) if problem.costs_hours(u) and served[u] > 0)
    programs = tuple(u for u in range(t) if carried[u]) + ((t,) if program else ())
    stage = _Stage(counts, tuple(served[u] for u in counts), programs, t)
    if _work(problem, stage) > WORK_LIMIT:
        from . import staffing_milp

        return staffing_milp.best_of_tier(problem, t, served, carried)
    final = _run(problem, stage)[-1]
    has = bool(program and final[_goal(stage, 1)] > NEG // 2)
    value = int(final[_goal(stage, int(has) if program else None)])
    return (min(problem.partners[t], value) if partners and value > NEG // 2 else 0), has


def solve(problem: Staffing) -> Staffed:
    """The plan: the lexicographic optimum, then as many partners as possible with their own
    Partner manager; remaining ties go the same way every time (earlier choices in Team order)."""
    served, carried = optimum(problem)
    members, tiers = len(problem.capacity), len(problem.partners)
    counts_dims = tuple(t for t in range(tiers) if problem.costs_hours(t) and served[t] > 0)
    own_of = tuple(tuple(problem.own(j, t, served[t]) for t in counts_dims) for j in range(members))
    stage = _Stage(counts_dims, tuple(served[t] for t in counts_dims),
                   tuple(t for t in range(tiers) if carried[t]), None, own_of)
    if _work(problem, stage) > WORK_LIMIT:
        from . import staffing_milp

        return staffing_milp.solve(problem)
    tables = _run(problem, stage)
    state = _goal(stage)
    own = int(tables[-1][state])
    counts = [[0] * tiers for _ in range(members)]
    carried_by: list[int | None] = [None] * tiers
    for j in range(members - 1, -1, -1):
        for b, y, gain in _choices(problem, j, stage):
            before = _before(state, b, y, len(stage.caps))
            if before is not None and tables[j][before] + gain == tables[j + 1][state]:
                break
        else:  # pragma: no cover - the value came from some choice
            raise AssertionError("no choice explains the optimum")
        for t, n in zip(counts_dims, b, strict=False):
            counts[j][t] = n
        for t, flag in zip(stage.programs, y, strict=True):
            if flag:
                carried_by[t] = j
        state = before
    trimmed = _trim(problem, served, counts)
    return Staffed(tuple(served), tuple(carried_by), tuple(tuple(row) for row in trimmed), own)


def _before(state: tuple[int, ...], counts: Sequence[int], carried: Sequence[int],
            dims: int) -> tuple[int, ...] | None:
    """The state a member's choice came from, or None when the choice cannot lead here."""
    before = [max(s - b, 0) for s, b in zip(state[:dims], counts, strict=False)]
    for flag, y in zip(state[dims:], carried, strict=True):
        if y and flag != 1:
            return None
        before.append(0 if y else flag)
    return tuple(before)


def _trim(problem: Staffing, served: Sequence[int], counts: list[list[int]]) -> list[list[int]]:
    """Counts adding up to exactly the partners served: a member who could take more than the
    tier has gives up first partners that are not their own (last member first)."""
    for t, total in enumerate(served):
        extra = sum(row[t] for row in counts) - total
        for j in range(len(counts) - 1, -1, -1):
            if extra <= 0:
                break
            spare = counts[j][t] - min(counts[j][t], problem.own(j, t, total))
            cut = min(spare, extra)
            counts[j][t] -= cut
            extra -= cut
        for j in range(len(counts) - 1, -1, -1):
            cut = min(counts[j][t], max(extra, 0))
            counts[j][t] -= cut
            extra -= cut
    return counts
