"""Workbooks with history for the model checks: archives written by hand, as the contract allows
(`Archive YYYY-Qn`, a values-only copy of the Roster), and a current Roster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl

from tests.builders import build_workbook

FACTORS: list[tuple[str, float]] = [("Fit", 25), ("Reach", 25), ("Noise A", 25), ("Noise B", 25)]
TIERS: list[tuple[Any, ...]] = [
    ("Tier 1", 10, "Biweekly co-sell cadence", 6),
    ("Tier 2", 20, "Monthly pipeline review", 2),
    ("Tier 3", None, "Self-serve portal", 0),
]
OUTCOME = "Sourced pipeline"
Outcome = Callable[[np.ndarray, np.random.Generator], np.ndarray]
"""Next quarter's outcome from this quarter's factor scores (n, F)."""


def fit_predicts(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The outcome is the first factor's score, spread out: `Fit` equals the outcome in rank."""
    return scores[:, 0] * 100_000 + rng.uniform(0, 1000, len(scores))


def history_workbook(
    path: Path,
    *,
    partners: int = 60,
    quarters: Sequence[str] = ("2026-Q2", "2026-Q3", "2026-Q4"),
    outcome: Outcome = fit_predicts,
    factors: Sequence[tuple[str, float]] = FACTORS,
    tiers: Sequence[tuple[Any, ...]] = TIERS,
    seed: int = 7,
    settings: dict[str, Any] | None = None,
) -> Path:
    """Archives for every quarter but the last, the last as the current Roster (not re-scored).

    Each quarter's scores are drawn afresh; the outcome recorded with a quarter is `outcome` of
    the previous quarter's scores (the first quarter's outcome is blank: not known)."""
    rng = np.random.default_rng(seed)
    names = [f for f, _ in factors]
    ids = [f"P-{i:03d}" for i in range(1, partners + 1)]
    scores = [rng.integers(1, 6, size=(partners, len(names))).astype(float) for _ in quarters]
    outcomes: list[np.ndarray | None] = [None] + [outcome(s, rng) for s in scores[:-1]]
    header = ["Partner ID", "Partner", *names, OUTCOME]

    def rows(q: int) -> list[list[Any]]:
        out = outcomes[q]
        return [[pid, f"Partner {pid}", *scores[q][i].tolist(),
                 None if out is None else float(out[i])] for i, pid in enumerate(ids)]

    build_workbook(
        path,
        settings=settings or {"Quarter": quarters[-1], "Tier method": "count", "Outcome": OUTCOME},
        factors=list(factors), tiers=list(tiers), roster_header=header, roster_rows=rows(len(quarters) - 1),
    )
    book = openpyxl.load_workbook(path)
    for q, quarter in enumerate(quarters[:-1]):
        sheet = book.create_sheet(f"Archive {quarter}")
        sheet.append(header)
        for line in rows(q):
            sheet.append(line)
    book.save(path)
    return path
