"""Quarter over quarter: previous tier, movement and the comparison with the latest archive."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Literal, NamedTuple

import numpy as np

from ..model import ArchivedQuarter
from .names import UNSCORED, normalize_header
from .scoring import floats_or_none

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


def position_lookup(tier_names: Sequence[str]) -> Callable[[str | None], int | None]:
    """`tier_position` for one list of tiers, remembered per name: a roster repeats a few names."""
    known: dict[str | None, int | None] = {}

    def position(name: str | None) -> int | None:
        if name not in known:
            known[name] = tier_position(name, tier_names)
        return known[name]

    return position


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
    seen: dict[tuple[str | None, str, bool], str] = {}  # a few tiers make a few distinct moves

    def move(p: str | None, t: str, was_known: bool) -> str:
        key = (p, t, was_known)
        if key not in seen:
            seen[key] = movement(p, t, tier_names, was_known)
        return seen[key]

    moves = [move(p, t, pid in known) for pid, p, t in zip(partner_ids, previous, tiers, strict=True)]
    return previous, moves


class CompareRow(NamedTuple):
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
        return tuple(self)


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
    now_scores = floats_or_none(scores)
    rows: list[CompareRow] = []
    for pid, name, now, tier, move in zip(partner_ids, names, now_scores, tiers, moves, strict=True):
        i = where.get(pid)
        if i is None:
            rows.append(CompareRow(pid, name, None, now, None, None, tier, move))
        else:
            prev_score = latest.scores[i]  # type: ignore[union-attr]
            rows.append(CompareRow(pid, name, prev_score, now, _change(prev_score, now),
                                   latest.tiers[i], tier, move))  # type: ignore[union-attr]
    if latest is not None:
        current = set(partner_ids)
        for i, pid in enumerate(latest.partner_ids):
            if pid not in current:
                rows.append(CompareRow(pid, latest.names[i], latest.scores[i], None, None,
                                       latest.tiers[i], None, "left"))
    return biggest_move_first(rows, tier_names)


def biggest_move_first(rows: list[CompareRow], tier_names: Sequence[str]) -> list[CompareRow]:
    """Movers first (most tiers moved, then largest change), then same, new and left; each by
    Partner ID as text. A stable sort, so rows equal in all of that keep their order."""
    position = position_lookup(tier_names)
    steps_of: dict[tuple[object, object], int] = {}

    def steps(previous: object, current: object) -> int:
        if (previous, current) not in steps_of:
            a = position(previous if isinstance(previous, str) else None)
            b = position(current if isinstance(current, str) else None)
            steps_of[previous, current] = abs(a - b) if a is not None and b is not None else 0
        return steps_of[previous, current]

    order = np.lexsort((
        np.array([row.partner_id for row in rows], dtype=str),
        np.array([-abs(row.change) if row.change is not None else 1.0 for row in rows]),
        np.array([-steps(row.previous_tier, row.tier) for row in rows], dtype=np.int64),
        np.array([MOVE_ORDER[row.movement] for row in rows], dtype=np.int64),
    )) if rows else []
    return [rows[i] for i in np.asarray(order, dtype=np.int64).tolist()]


def _change(previous: object, current: object) -> float | None:
    """Score change, rounded so float noise in equal scores reads as no change."""
    if not isinstance(previous, (int, float)) or not isinstance(current, (int, float)):
        return None
    if np.isnan(previous) or np.isnan(current):
        return None
    return round(float(current) - float(previous), CHANGE_DECIMALS) + 0.0


def transition_matrix(
    compare: Sequence[CompareRow], tier_names: Sequence[str]
) -> tuple[list[str], list[str], list[list[int]]]:
    """Counts of partners by last quarter's tier (rows, then `new`) and this quarter's (then `left`)."""
    labels = [*tier_names, UNSCORED]
    rows = [*labels, "new"]
    cols = [*labels, "left"]
    counts = [[0] * len(cols) for _ in rows]
    index = label_lookup(labels)
    pairs = Counter((row.previous_tier, row.tier, row.movement) for row in compare)
    for (prev, tier, move), n in pairs.items():
        r = rows.index("new") if move == "new" else index(prev)
        c = cols.index("left") if move == "left" else index(tier)
        if r is not None and c is not None:
            counts[r][c] += n
    return rows, cols, counts


def label_lookup(labels: Sequence[str]) -> Callable[[object], int | None]:
    """`_label_index` for one list of labels, remembered per name."""
    known: dict[object, int | None] = {}

    def index(name: object) -> int | None:
        if name not in known:
            known[name] = _label_index(name, labels)
        return known[name]

    return index


def _label_index(name: object, labels: Sequence[str]) -> int | None:
    wanted = normalize_header(name)
    for i, label in enumerate(labels):
        if normalize_header(label) == wanted:
            return i
    return None


def movers(
    direction: Literal["up", "down"],
    partner_ids: Sequence[str],
    names: Sequence[object],
    moves: Sequence[str],
    compare: Sequence[CompareRow],
    history: Sequence[ArchivedQuarter],
    tier_names: Sequence[str],
    top: int = 10,
) -> list[tuple[str, object, str]]:
    """Partners that rose (`up`) or fell (`down`) two quarters in a row, then those whose score
    rose or fell most."""
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
    # the first rows of the sorted movers are all that can be taken: nsmallest is sorted()[:n]
    biggest = heapq.nsmallest(
        top + len(seen), (row for row in compare if row.change is not None and sign * row.change > 0),
        key=lambda row: (-sign * row.change, row.partner_id))  # type: ignore[operator]
    for row in biggest:
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
    index = label_lookup(labels)
    for tier_list in [h.tiers for h in history] + [list(tiers)]:
        counts = [0] * len(labels)
        for t, n in Counter(tier_list).items():
            i = index(t)
            if i is not None:
                counts[i] += n
        table.append(counts)
    return quarters, table
