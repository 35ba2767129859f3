"""The sentences the terminal and the Model sheet share, so both say the same thing."""

from __future__ import annotations

import numpy as np

from .sensitivity import Sensitivity
from .validate import MIN_PAIRS, Validation


def validation_notes(v: Validation) -> list[str]:
    lines: list[str] = []
    if v.outcome is None:
        lines.append("No outcome named: set the Settings key 'Outcome' to the Roster column holding "
                     "each partner's result for the quarter (e.g. 'Sourced pipeline'), or pass "
                     "--outcome COLUMN.")
    elif not v.enough:
        lines.append(
            f"Not enough history: validation pairs each quarter's factor scores with the next "
            f"quarter's {v.outcome!r}, and this workbook holds {len(v.quarters)} quarter"
            f"{'' if len(v.quarters) == 1 else 's'} ({', '.join(v.quarters)}) with no such pair. "
            f"Re-score every quarter (the archives keep its scores) and record {v.outcome!r} for "
            f"each partner; every new quarter adds a pair, and {MIN_PAIRS} or more partners over "
            "several pairs of quarters make the numbers worth reading.")
    lines += v.notes
    if v.enough and any(f.suggested is not None for f in v.factors):
        lines.append("Suggested weights are never applied: type them into the Factors sheet if "
                     "you agree with them.")
    return lines


def backtest_words(v: Validation) -> str:
    top = v.backtests[0].top_tier if v.backtests else "the top tier"
    text = (f"Share of the next quarter's {v.outcome!r} held by the partners {top} took. Tiers are "
            "not archived: every past quarter is cut with today's Tiers sheet.")
    if any(b.in_sample for b in v.backtests):
        text += (" Only one pair of quarters: the suggested weights were fitted on the very "
                 "quarters they are tested on, so they flatter themselves.")
    else:
        text += " The suggested weights are fitted without the quarters they are tested on."
    return text


def draw_words(s: Sensitivity) -> str:
    text = (f"{s.draws:,} random weight draws: each weight × exp({s.spread:g}·Z), Z standard "
            f"normal, independently (seed {s.seed}).")
    corr = s.rank_correlation[~np.isnan(s.rank_correlation)]
    if corr.size:
        text += (f" Rank correlation of the drawn rankings with the actual one: mean "
                 f"{corr.mean():.3f}, 5th percentile {np.percentile(corr, 5):.3f}.")
    return text
