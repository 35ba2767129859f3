"""Quarter over quarter: previous tier, movement and the comparison with the latest archive."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..model import ArchivedQuarter
from ..workbook.contract import COMPARE_HEADERS, UNSCORED, normalize_header

CHANGE_DECIMALS = 9


def tier_position(name: str | None, tier_names: Sequence[str]) -> int | None:
    """0 for the best tier; Unscored after every tier; None for a name no tier has now."""
    if name is None:
        return None
    wanted = normalize_header(name)
    for i, tier in enumerate(tier_names):
        if normalize_header(tier) == wanted:
            return i
    if wanted == normalize_header(UNSCORED):
        return len(tier_names)
    return None


def previous_tiers(
    partner_ids: Sequence[str], latest: ArchivedQuarter | None
) -> list[str | None]:
    if latest is None:
        return [None] * len(partner_ids)
    where = latest.by_id()
    return [latest.tiers[where[pid]] if pid in where else None for pid in partner_ids]


def movement(previous: str | None, current: str, tier_names: Sequence[str], known: bool) -> str:
    """`new` when the partner was not in the archive; otherwise up, down or same."""
    if not known:
        return "new"
    before = tier_position(previous, tier_names)
    now = tier_position(current, tier_names)
    if normalize_header(previous) == normalize_header(current):
        return "same"
    worst = len(tier_names) + 1
    before = worst if before is None else before
    now = worst if now is None else now
    if now == before:
        return "same"
    return "up" if now < before else "down"


def movements(
    partner_ids: Sequence[str],
    tiers: Sequence[str],
    latest: ArchivedQuarter | None,
    tier_names: Sequence[str],
) -> tuple[list[str | None], list[str]]:
    previous = previous_tiers(partner_ids, latest)
    known = set(latest.partner_ids) if latest else set()
    moves = [
        movement(p, t, tier_names, pid in known)
        for pid, p, t in zip(partner_ids, previous, tiers, strict=True)
    ]
    return previous, moves


def compare_table(
    partner_ids: Sequence[str],
    names: Sequence[object],
    scores: np.ndarray,
    tiers: Sequence[str],
    moves: Sequence[str],
    latest: ArchivedQuarter | None,
    tier_names: Sequence[str],
) -> pd.DataFrame:
    """The Compare sheet's table, biggest movers first, partners that left included."""
    where = latest.by_id() if latest else {}
    rows = []
    for pid, name, score, tier, move in zip(partner_ids, names, scores, tiers, moves, strict=True):
        i = where.get(pid)
        prev_score = latest.scores[i] if latest is not None and i is not None else None
        prev_tier = latest.tiers[i] if latest is not None and i is not None else None
        now = None if np.isnan(score) else float(score)
        rows.append((pid, name, prev_score, now, prev_tier, tier, move))
    if latest is not None:
        current = set(partner_ids)
        for i, pid in enumerate(latest.partner_ids):
            if pid not in current:
                rows.append((pid, latest.names[i], latest.scores[i], None, latest.tiers[i],
                             None, "left"))
    frame = pd.DataFrame(rows, columns=["id", "name", "prev", "score", "prev_tier", "tier", "move"])
    frame["change"] = [_change(p, s) for s, p in zip(frame["score"], frame["prev"], strict=True)]
    frame["_steps"] = [
        _steps(p, t, tier_names) for p, t in zip(frame["prev_tier"], frame["tier"], strict=True)
    ]
    frame["_kind"] = frame["move"].map({"up": 0, "down": 0, "same": 1, "new": 2, "left": 3})
    frame["_abs_change"] = [abs(c) if c is not None else -1.0 for c in frame["change"]]
    frame = frame.sort_values(
        ["_kind", "_steps", "_abs_change", "id"], ascending=[True, False, False, True],
        kind="stable",
    )
    table = frame[["id", "name", "prev", "score", "change", "prev_tier", "tier", "move"]]
    table.columns = list(COMPARE_HEADERS)
    return table.reset_index(drop=True)


def _change(previous: object, current: object) -> float | None:
    """Score change, rounded so float noise in equal scores reads as no change."""
    if not isinstance(previous, (int, float)) or not isinstance(current, (int, float)):
        return None
    if np.isnan(previous) or np.isnan(current):
        return None
    return round(float(current) - float(previous), CHANGE_DECIMALS) + 0.0


def _steps(previous: object, current: object, tier_names: Sequence[str]) -> int:
    a = tier_position(previous if isinstance(previous, str) else None, tier_names)
    b = tier_position(current if isinstance(current, str) else None, tier_names)
    return abs(a - b) if a is not None and b is not None else 0


def transition_matrix(
    compare: pd.DataFrame, tier_names: Sequence[str]
) -> tuple[list[str], list[str], list[list[int]]]:
    """Counts of partners by last quarter's tier (rows, then `new`) and this quarter's (then `left`)."""
    labels = [*tier_names, UNSCORED]
    rows = [*labels, "new"]
    cols = [*labels, "left"]
    counts = [[0] * len(cols) for _ in rows]
    for prev, tier, move in zip(compare["Previous tier"], compare["Tier"], compare["Movement"],
                                strict=True):
        r = rows.index("new") if move == "new" else _label_index(prev, labels)
        c = cols.index("left") if move == "left" else _label_index(tier, labels)
        if r is not None and c is not None:
            counts[r][c] += 1
    return rows, cols, counts


def _label_index(name: object, labels: Sequence[str]) -> int | None:
    wanted = normalize_header(name)
    for i, label in enumerate(labels):
        if normalize_header(label) == wanted:
            return i
    return None


def climbers(
    partner_ids: Sequence[str],
    names: Sequence[object],
    moves: Sequence[str],
    compare: pd.DataFrame,
    history: Sequence[ArchivedQuarter],
    tier_names: Sequence[str],
    top: int = 10,
) -> list[tuple[str, object, str]]:
    """Partners that rose two quarters in a row, then those whose score rose most."""
    found: list[tuple[str, object, str]] = []
    if len(history) >= 2:
        older, latest = history[-2], history[-1]
        _previous, earlier_moves = movements(latest.partner_ids, latest.tiers, older, tier_names)
        rose_before = {pid for pid, m in zip(latest.partner_ids, earlier_moves, strict=True)
                       if m == "up"}
        for pid, name, move in zip(partner_ids, names, moves, strict=True):
            if move == "up" and pid in rose_before:
                found.append((pid, name, "rose a tier two quarters in a row"))
    seen = {pid for pid, _, _ in found}
    risers = compare[compare["Change"].apply(lambda c: c is not None and c > 0)]
    risers = risers.sort_values("Change", ascending=False, kind="stable")
    for pid, name, change in zip(risers["Partner ID"], risers["Partner"], risers["Change"],
                                 strict=True):
        if len(found) >= top:
            break
        if pid not in seen:
            found.append((pid, name, f"score up {change:.1f} points"))
    return found


def tier_sizes_by_quarter(
    history: Sequence[ArchivedQuarter], quarter: str, tiers: Sequence[str],
    tier_names: Sequence[str],
) -> tuple[list[str], list[list[int]]]:
    """One row per quarter (archives oldest first, then the current one): partners per tier."""
    labels = list(tier_names)
    quarters = [h.quarter for h in history] + [quarter]
    table = []
    for tier_list in [h.tiers for h in history] + [list(tiers)]:
        counts = [0] * len(labels)
        for t in tier_list:
            i = _label_index(t, labels)
            if i is not None:
                counts[i] += 1
        table.append(counts)
    return quarters, table
