"""The same lexicographic staffing optimum as an integer program, for teams too large for the
dynamic program (many tiers with hours, each with many partners served).

scipy's `milp` (HiGHS) solves each stage to optimality (no gap); a stage's optimum is kept as a
constraint on the next. scipy is imported only here and only when needed: it costs about half a
second, which the usual workbook never pays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .staffing import EPSILON, Staffed, Staffing, most

HOURS_SCALE = 1000.0
"""Hours rows are written in thousandths of an hour: HiGHS accepts a row up to 1e-7 over, which
is then 1e-10 h, inside the contract's 1e-9."""


class Model:
    """Variables: x[j, t] partners of tier t member j serves, y[j, t] whether j carries tier t's
    program, o[j, t] own partners among x[j, t] (the last stage only)."""

    def __init__(self, problem: Staffing, own: Sequence[Sequence[int]] | None = None) -> None:
        self.problem = problem
        members, tiers = len(problem.capacity), len(problem.partners)
        self.x = {(j, t): None for j in range(members) for t in range(tiers)
                  if problem.serves[j][t] and problem.costs_hours(t)}
        self.y = {(j, t): None for j in range(members) for t in range(tiers)
                  if problem.serves[j][t] and problem.has_program(t)}
        self.o = {key: None for key in self.x} if own is not None else {}
        names = [("x", k) for k in self.x] + [("y", k) for k in self.y] + [("o", k) for k in self.o]
        self.index = {name: i for i, name in enumerate(names)}
        size = len(names)
        self.upper = np.zeros(size)
        self.integral = np.ones(size)
        for (j, t) in self.x:
            fit = max(most(problem.capacity[j], problem.partner_hours[t]), 0)
            self.upper[self.index["x", (j, t)]] = min(problem.partners[t], fit)
        for key in self.y:
            self.upper[self.index["y", key]] = 1
        for (j, t) in self.o:
            self.upper[self.index["o", (j, t)]] = own[j][t] if own is not None else 0
            self.integral[self.index["o", (j, t)]] = 0
        self.rows: list[np.ndarray] = []
        self.low: list[float] = []
        self.high: list[float] = []
        for j in range(members):
            row = self.row({("x", (j, t)): problem.partner_hours[t] for t in range(tiers)}
                           | {("y", (j, t)): problem.program_hours[t] for t in range(tiers)})
            self.add(row * HOURS_SCALE, -np.inf, (problem.capacity[j] + EPSILON) * HOURS_SCALE)
        for t in range(tiers):
            self.add(self.total("x", t), -np.inf, problem.partners[t])
            self.add(self.total("y", t), -np.inf, 1)
        for key in self.o:
            self.add(self.row({("o", key): 1, ("x", key): -1}), -np.inf, 0)

    def row(self, coefs: dict[tuple[str, tuple[int, int]], float]) -> np.ndarray:
        row = np.zeros(len(self.index))
        for name, value in coefs.items():
            if name in self.index:
                row[self.index[name]] = value
        return row

    def total(self, kind: str, t: int) -> np.ndarray:
        return self.row({(kind, (j, t)): 1 for j in range(len(self.problem.capacity))})

    def add(self, row: np.ndarray, low: float, high: float) -> None:
        self.rows.append(row)
        self.low.append(low)
        self.high.append(high)

    def best(self, objective: np.ndarray) -> tuple[float, np.ndarray]:
        from scipy.optimize import Bounds, LinearConstraint, milp

        if not self.index:
            return 0.0, np.zeros(0)
        result = milp(-objective, integrality=self.integral,
                      bounds=Bounds(np.zeros(len(self.upper)), self.upper),
                      constraints=LinearConstraint(np.array(self.rows), self.low, self.high),
                      options={"mip_rel_gap": 0.0})
        if result.x is None:  # pragma: no cover - the empty plan is always feasible
            raise RuntimeError(f"the staffing program found no plan: {result.message}")
        values = np.where(self.integral > 0, np.round(result.x), result.x)
        return float(objective @ values), values

    def settle(self, t: int, served: int | None, carried: bool | None) -> tuple[int, bool]:
        """Tier t at its best (or at the given figures), kept as a constraint from then on."""
        problem = self.problem
        if problem.has_program(t) and any(k[1] == t for k in self.y):
            if carried is None:
                carried = self.best(self.total("y", t))[0] > 0.5
            self.add(self.total("y", t), float(carried), 1)
        if problem.costs_hours(t) and any(k[1] == t for k in self.x):
            if served is None:
                served = round(self.best(self.total("x", t))[0])
            self.add(self.total("x", t), served, problem.partners[t])
        return served or 0, bool(carried)


def best_of_tier(
    problem: Staffing, t: int, served: Sequence[int], carried: Sequence[bool]
) -> tuple[int, bool]:
    model = Model(problem)
    for u in range(t):
        model.settle(u, served[u], carried[u])
    return model.settle(t, None, None)


def solve(problem: Staffing) -> Staffed:
    tiers, members = len(problem.partners), len(problem.capacity)
    model = Model(problem)
    settled = [model.settle(t, None, None) for t in range(tiers)]
    served = [s for s, _ in settled]
    own = [[problem.own(j, t, served[t]) for t in range(tiers)] for j in range(members)]
    final = Model(problem, own)
    for t, (s, c) in enumerate(settled):
        final.settle(t, s, c)
    value, values = final.best(final.row({("o", k): 1 for k in final.o}))
    counts = [[int(values[final.index["x", (j, t)]]) if (j, t) in final.x else 0 for t in range(tiers)]
              for j in range(members)]
    carried_by: list[int | None] = [None] * tiers
    for (j, t) in final.y:
        if values[final.index["y", (j, t)]] > 0.5:
            carried_by[t] = j
    staffed = Staffed(tuple(served), tuple(carried_by), tuple(tuple(row) for row in counts), round(value))
    for j in range(members):
        if staffed.hours_of(problem, j) > problem.capacity[j] + EPSILON:  # pragma: no cover
            raise RuntimeError(f"the staffing program overran member {j}'s hours")
    return staffed
