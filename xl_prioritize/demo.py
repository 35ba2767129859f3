"""The framework's worked example: a deterministic roster of 140 partners for one quarter.

Tier method `count` with Tier 1 = 18 and Tier 2 = 40 partners; three of the four team members
focus on Tier 1 and have enough hours for it, the fourth serves any tier and runs short on
Tier 2, which shows where the team's hours run out.
"""

from __future__ import annotations

import random

from .template import (
    DEFAULT_FACTORS,
    TIER_1_SERVICE,
    TIER_2_SERVICE,
    TIER_3_SERVICE,
    MemberSpec,
    TierSpec,
    WorkbookContent,
)
from .workbook import contract as c

__all__ = ["demo_content"]

SEED = 20264
PARTNER_COUNT = 140
QUARTER = "2026-Q4"

DEMO_TIERS: tuple[TierSpec, ...] = (
    TierSpec("Tier 1", 18, TIER_1_SERVICE, 6),
    TierSpec("Tier 2", 40, TIER_2_SERVICE, 2),
    TierSpec("Tier 3", None, TIER_3_SERVICE, 0),
)

# Tier 1 needs 18 × 6 = 108 h: the three focus members hold 112 h, which in whole 6-hour slots
# serve 17 partners; the generalist takes the rest. Tier 2 needs about 80 h and only the
# generalist serves it, with what Tier 1 left: it runs short (about 40% covered), while the
# focus members' spare hours stay idle.
DEMO_TEAM: tuple[MemberSpec, ...] = (
    MemberSpec("Maya Chen", 40, "Tier 1"),
    MemberSpec("Jonas Berg", 40, "Tier 1"),
    MemberSpec("Priya Natarajan", 32, "Tier 1"),
    MemberSpec("Sam Okafor", 64, ""),
)

SEGMENTS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Reseller", 0.35, ("IT", "Distribution", "Direct", "Supply", "Technologies", "Solutions")),
    ("Systems integrator", 0.30, ("Consulting", "Integration", "Partners", "Advisory",
                                  "Digital", "Group")),
    ("Technology", 0.20, ("Labs", "Software", "Cloud", "Analytics", "Networks", "Data")),
    ("Referral", 0.15, ("Ventures", "Associates", "Advisors", "Collective", "& Co", "Network")),
)

WORDS = (
    "North", "Blue", "Summit", "Cedar", "Harbor", "Granite", "Silver", "Maple", "Beacon",
    "Iron", "Pine", "River", "Atlas", "Crest", "Falcon", "Meridian", "Orchard", "Pioneer",
    "Quarry", "Redwood", "Sterling", "Tidal", "Vista", "Willow", "Bright", "Clear", "Keystone",
)
ENDINGS = ("point", "gate", "field", "bridge", "stone", "wave", "line", "way", "view", "path",
           "ridge", "well")
ONSETS = ("Ve", "Tra", "Lu", "Ca", "No", "Ze", "Ori", "Qua", "Sy", "Ax", "Bel", "Dra", "Fen",
          "Kor", "Mi", "Pra", "Ro", "Sol", "Ta", "Vi")
CODAS = ("lora", "nex", "mio", "dant", "vara", "ris", "tica", "lyx", "nova", "sto",
         "ven", "tek", "ria", "bis")


def _company_name(rng: random.Random, suffixes: tuple[str, ...]) -> str:
    """`Cedargate Consulting`, `Harbor Crest Labs` or `Velora IT`."""
    style = rng.random()
    first, second = rng.sample(WORDS, 2)
    if style < 0.3:
        stem = first + rng.choice(ENDINGS)
    elif style < 0.5:
        stem = f"{first} {second}"
    else:
        stem = rng.choice(ONSETS) + rng.choice(CODAS)
    return f"{stem} {rng.choice(suffixes)}"


def _score(rng: random.Random, quality: float, strength: float) -> int:
    """An integer 1–5 around the partner's quality, factor by factor a little different."""
    raw = 3 + 1.1 * quality + strength + rng.gauss(0, 0.75)
    return max(1, min(5, round(raw)))


def demo_content() -> WorkbookContent:
    """The worked example, identical on every call."""
    rng = random.Random(SEED)
    segment_names = [s[0] for s in SEGMENTS]
    segment_weights = [s[1] for s in SEGMENTS]
    suffixes = {s[0]: s[2] for s in SEGMENTS}
    # How each segment tends to do on each factor (Customer overlap, Sales engagement,
    # Solution fit, Market reach): resellers reach far, integrators engage, and so on.
    leaning = {
        "Reseller": (0.2, 0.0, -0.2, 0.4),
        "Systems integrator": (0.1, 0.3, 0.2, -0.1),
        "Technology": (-0.2, -0.2, 0.5, 0.0),
        "Referral": (-0.1, -0.3, -0.3, -0.2),
    }
    managers = [m.name for m in DEMO_TEAM]
    names: set[str] = set()
    partners: list[dict[str, object]] = []
    averages: list[float] = []
    weights = [f.weight for f in DEFAULT_FACTORS]
    for n in range(1, PARTNER_COUNT + 1):
        segment = rng.choices(segment_names, segment_weights)[0]
        name = _company_name(rng, suffixes[segment])
        while name in names:
            name = _company_name(rng, suffixes[segment])
        names.add(name)
        quality = rng.gauss(0, 1)
        partner: dict[str, object] = {
            c.PARTNER_ID: f"P-{n:04d}",
            c.PARTNER: name,
            c.SEGMENT: segment,
            c.PARTNER_MANAGER: rng.choice(managers),
        }
        scores = [_score(rng, quality, lean) for lean in leaning[segment]]
        for factor, score in zip(DEFAULT_FACTORS, scores, strict=True):
            partner[factor.name] = score
        partners.append(partner)
        averages.append(sum(w * s for w, s in zip(weights, scores, strict=True)) / sum(weights))

    # Two judgement calls a partnership lead might make, on partners chosen by their weighted
    # average score: a strong partner held back and a mid-table partner promoted.
    order = sorted(range(len(partners)), key=lambda i: (-averages[i], i))
    held_back, promoted = partners[order[4]], partners[order[25]]
    held_back[c.TIER_OVERRIDE] = "Tier 3"
    held_back[c.OVERRIDE_REASON] = ("Being acquired; joint investment paused until the new "
                                    "owner's partner strategy is known")
    promoted[c.TIER_OVERRIDE] = "Tier 1"
    promoted[c.OVERRIDE_REASON] = ("New global alliance signed in Q3; executive sponsor asked "
                                   "for a joint account plan")

    return WorkbookContent(
        quarter=QUARTER,
        tier_method="count",
        factors=DEFAULT_FACTORS,
        tiers=DEMO_TIERS,
        team=DEMO_TEAM,
        partners=tuple(partners),
    )
