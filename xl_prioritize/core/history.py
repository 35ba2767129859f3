"""Quarter over quarter: previous tier, movement and the comparison with the latest archive."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..model import ArchivedQuarter
from .names import UNSCORED, normalize_header

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


@dataclass(frozen=True)
class CompareRow:
    """One line of the Compare sheet's table, in the contract's column order."""

    partner_id: str
    partner: object
    previous_score: float | None
    score: float | None
    change: float | None
    previous_tier: str | None
    tier: str | None
    movement: str

    def cells(self) -> tuple[object, ...]:
        return (self.partner_id, self.partner, self.previous_score, self.score, self.change,
                self.previous_tier, self.tier, self.movement)


MOVE_ORDER = {"up": 0, "down": 0, "same": 1, "new": 2, "left": 3}


def compare_table(
    partner_ids: Sequence[str],
    names: Sequence[object],
    scores: np.ndarray,
    tiers: Sequence[str],
    moves: Sequence[str],
    latest: ArchivedQuarter | None,
    tier_names: Sequence[str],
) -> list[CompareRow]:
    """The Compare sheet's table, biggest movers first, partners that left included."""
    where = latest.by_id() if latest else {}
    rows: list[CompareRow] = []
    for pid, name, score, tier, move in zip(partner_ids, names, scores, tiers, moves, strict=True):
        i = where.get(pid)
        prev_score = latest.scores[i] if latest is not None and i is not None else None
        prev_tier = latest.tiers[i] if latest is not None and i is not None else None
        now = None if np.isnan(score) else float(score)
        rows.append(CompareRow(pid, name, prev_score, now, _change(prev_score, now), prev_tier,
                               tier, move))
    if latest is not None:
        current = set(partner_ids)
        for i, pid in enumerate(latest.partner_ids):
            if pid not in current:
                rows.append(CompareRow(pid, latest.names[i], latest.scores[i], None, None,
                                       latest.tiers[i], None, "left"))

    def biggest_move_first(row: CompareRow) -> tuple[int, int, float, str]:
        change = abs(row.change) if row.change is not None else -1.0
        steps = _steps(row.previous_tier, row.tier, tier_names)
        return (MOVE_ORDER[row.movement], -steps, -change, row.partner_id)

    return sorted(rows, key=biggest_move_first)


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
    compare: Sequence[CompareRow], tier_names: Sequence[str]
) -> tuple[list[str], list[str], list[list[int]]]:
    """Counts of partners by last quarter's tier (rows, then `new`) and this quarter's (then `left`)."""
    labels = [*tier_names, UNSCORED]
    rows = [*labels, "new"]
    cols = [*labels, "left"]
    counts = [[0] * len(cols) for _ in rows]
    for row in compare:
        prev, tier, move = row.previous_tier, row.tier, row.movement
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
    compare: Sequence[CompareRow],
    history: Sequence[ArchivedQuarter],
    tier_names: Sequence[str],
    top: int = 10,
) -> list[tuple[str, object, str]]:
    """Partners that rose two quarters in a row, then those whose score rose most."""
    return _movers(partner_ids, names, moves, compare, history, tier_names, top, "up")


def fallers(
    partner_ids: Sequence[str],
    names: Sequence[object],
    moves: Sequence[str],
    compare: Sequence[CompareRow],
    history: Sequence[ArchivedQuarter],
    tier_names: Sequence[str],
    top: int = 10,
) -> list[tuple[str, object, str]]:
    """Partners that fell two quarters in a row, then those whose score fell most."""
    return _movers(partner_ids, names, moves, compare, history, tier_names, top, "down")


def _movers(
    partner_ids: Sequence[str],
    names: Sequence[object],
    moves: Sequence[str],
    compare: Sequence[CompareRow],
    history: Sequence[ArchivedQuarter],
    tier_names: Sequence[str],
    top: int,
    direction: str,
) -> list[tuple[str, object, str]]:
    verb = "rose" if direction == "up" else "fell"
    found: list[tuple[str, object, str]] = []
    if len(history) >= 2:
        older, latest = history[-2], history[-1]
        _previous, earlier_moves = movements(latest.partner_ids, latest.tiers, older, tier_names)
        moved_before = {pid for pid, m in zip(latest.partner_ids, earlier_moves, strict=True)
                        if m == direction}
        for pid, name, move in zip(partner_ids, names, moves, strict=True):
            if move == direction and pid in moved_before and len(found) < top:
                found.append((pid, name, f"{verb} a tier two quarters in a row"))
    seen = {pid for pid, _, _ in found}
    sign = 1 if direction == "up" else -1
    movers = sorted((row for row in compare if row.change is not None and sign * row.change > 0),
                    key=lambda row: (-sign * row.change, row.partner_id))  # type: ignore[operator]
    for row in movers:
        if len(found) >= top:
            break
        if row.partner_id not in seen:
            found.append((row.partner_id, row.partner,
                          f"score {direction} {abs(row.change):.1f} points"))  # type: ignore[arg-type]
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
