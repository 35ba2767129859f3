"""Plain typed data passed between the layers: parsed inputs and computed results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .problems import Problem

if TYPE_CHECKING:
    from .core.history import CompareRow


@dataclass(frozen=True)
class Settings:
    """The Settings sheet, defaults filled in."""

    quarter: str
    scale_min: float = 1.0
    scale_max: float = 5.0
    tier_method: str = "percent"
    missing_scores: str = "error"
    tier_buffer: float = 0.0
    tier_within: str | None = None
    """The Roster header named by `Tier within`, as the Roster spells it."""
    outcome: str | None = None
    """The Roster header named by `Outcome`, as the Roster spells it; a re-score never reads it."""


@dataclass(frozen=True)
class Factor:
    """One row of the Factors sheet."""

    name: str
    """As the Factors sheet spells it."""
    weight: float


@dataclass(frozen=True)
class Tier:
    """One row of the Tiers sheet, best tier first."""

    name: str
    size: float | None
    service_level: str
    hours: float
    """Hours one partner of the tier costs a month."""
    hours_per_tier: float = 0.0
    """Hours the tier's group program costs a month, whatever its size (0: no program)."""
    where: str = ""
    """The tier's Hours per tier cell (`Tiers!E3`), for messages."""


@dataclass(frozen=True)
class Member:
    """One row of the Team sheet."""

    name: str
    hours: float
    focus_tiers: tuple[str, ...] = ()
    """Canonical tier names this person serves; empty means any tier."""

    def serves(self, tier: str) -> bool:
        return not self.focus_tiers or tier in self.focus_tiers


@dataclass
class Roster:
    """One row per partner, in sheet order.

    `scores` has one column per factor (Factors order), NaN where blank; `override` holds a canonical
    tier name or None; `group` holds the `Tier within` value (None when tiers are cut roster-wide).
    """

    ids: list[str]
    names: list[object]
    managers: list[str | None]
    scores: np.ndarray
    overrides: list[str | None]
    override_reasons: list[str | None]
    groups: list[object] | None = None
    override_cells: list[str] | None = None
    """Where each partner's Tier override stands (`Roster!K7`), for messages."""
    id_values: list[object] | None = None
    """Each Partner ID as its cell holds it (the number 7, the text `007`); `ids` are its text."""

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ArchivedQuarter:
    """What one `Archive YYYY-Qn` sheet says of each partner."""

    quarter: str
    partner_ids: list[str]
    names: list[object]
    scores: list[float | None]
    ranks: list[int | None]
    tiers: list[str | None]
    id_values: list[object] = field(default_factory=list)
    """Each Partner ID as the archive's cell holds it; `partner_ids` are its text."""
    assigned_to: list[str | None] = field(default_factory=list)
    """Each partner's Assigned to that quarter (empty when the archive has no such column)."""

    def by_id(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.partner_ids)}


@dataclass
class Inputs:
    """Everything a re-score reads, validated."""

    settings: Settings
    factors: list[Factor]
    tiers: list[Tier]
    team: list[Member]
    roster: Roster
    history: list[ArchivedQuarter] = field(default_factory=list)
    """Archived quarters before the current one, oldest first."""
    warnings: list[Problem] = field(default_factory=list)

    @property
    def tier_names(self) -> list[str]:
        return [t.name for t in self.tiers]


@dataclass
class CapacityRow:
    """One tier's line of the Capacity sheet: the hours it needs and gets."""

    tier: str
    partners: int
    hours_per_partner: float
    hours_needed: float
    """Partners × hours per partner, plus the hours per tier when the tier has partners."""
    hours_allocated: float
    """Hours of the served partners, plus the group program's when it is carried."""
    hours_per_tier: float = 0.0
    program_by: str | None = None
    """The member carrying the tier's group program; None when it has none or nobody can."""
    served: int = 0
    """Partners served (0 for a tier whose partners cost no hours)."""

    @property
    def has_program(self) -> bool:
        return self.hours_per_tier > 0 and self.partners > 0

    @property
    def coverage(self) -> float | None:
        return self.hours_allocated / self.hours_needed if self.hours_needed else None


@dataclass
class MemberLoad:
    """One member's line of the Capacity sheet: partners and hours assigned."""

    member: Member
    partners: int
    hours: float
    """Hours assigned, group programs included."""
    programs: tuple[str, ...] = ()
    """Tiers whose group program this member carries."""

    @property
    def load(self) -> float | None:
        return self.hours / self.member.hours if self.member.hours else None


@dataclass
class CapacityPlan:
    """Who serves which partner, and what the team's hours cover."""

    assigned_to: list[str | None]
    tiers: list[CapacityRow]
    members: list[MemberLoad]
    guidance: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    """A group program nobody can carry."""


@dataclass
class Results:
    """Everything a re-score computes, row-aligned with `Inputs.roster`."""

    score: np.ndarray
    """0–100, NaN for unscored partners."""
    rank: np.ndarray
    """1..N for scored partners, 0 for unscored."""
    computed_tier: list[str]
    tier: list[str]
    service_level: list[str | None]
    previous_tier: list[str | None]
    movement: list[str]
    capacity: CapacityPlan
    compare: list[CompareRow]
    warnings: list[Problem] = field(default_factory=list)

    def tier_counts(self, tier_names: list[str]) -> dict[str, int]:
        counts = dict.fromkeys(tier_names, 0)
        for tier in self.tier:
            counts[tier] = counts.get(tier, 0) + 1
        return counts
