"""The framework's worked example: 140 partners over three quarters, the last one re-scored live.

Tier method `count`: Tier 1 = 18, Tier 2 = 40, Tier 3 the rest (82). Three members serve Tier 1
only and their hours carry all 18 at 6 h each (40 / 40 / 36 h); the fourth serves Tiers 2 and 3 and
runs Tier 2's monthly group rhythm (hours for the tier plus a little per partner); Tier 3 is
self-serve. Two earlier quarters are re-scored and archived first, so Movement, Compare, the
transition matrix and `history` have something to show. Each quarter's Roster carries a simulated
`Sourced pipeline` (Settings `Outcome`): Customer overlap and Sales engagement predict the next
quarter's pipeline, Solution fit and Market reach do not. Everything is seeded: the same on every
call.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from .template import (
    DEFAULT_FACTORS,
    ROSTER_LEAD,
    ROSTER_TAIL,
    TIER_1_SERVICE,
    TIER_3_SERVICE,
    MemberSpec,
    TierSpec,
    WorkbookContent,
    setting_row,
    write_workbook,
)
from .workbook import contract as c

__all__ = ["OUTCOME_COLUMN", "QUARTERS", "demo_content", "demo_quarters", "write_demo"]

SEED = 20264
PARTNER_COUNT = 140
QUARTERS = ("2026-Q2", "2026-Q3", "2026-Q4")
RUN_AT = {"2026-Q2": dt.datetime(2026, 6, 26, 16, 5), "2026-Q3": dt.datetime(2026, 9, 25, 15, 40)}
RUN_BY = "Partnerships lead"
OUTCOME_COLUMN = "Sourced pipeline"
PREDICTIVE = ("Customer overlap", "Sales engagement")
"""The two factors whose scores drive the next quarter's pipeline; the other two do not."""

TIER_2_SERVICE = ("Growth: monthly group pipeline clinic and enablement session, "
                  "plus a short follow-up per partner")
DEMO_TIERS: tuple[TierSpec, ...] = (
    TierSpec("Tier 1", 18, TIER_1_SERVICE, 6),
    TierSpec("Tier 2", 40, TIER_2_SERVICE, 0.75, 8),
    TierSpec("Tier 3", None, TIER_3_SERVICE, 0),
)

# Tier 1: 18 × 6 h = 108 h, carried whole by three members of 40 / 40 / 36 h (six partners each).
# Tier 2: an 8-hour monthly group session plus 0.75 h per partner = 38 h, carried by Sam's 40 h.
DEMO_TEAM: tuple[MemberSpec, ...] = (
    MemberSpec("Maya Chen", 40, "Tier 1"),
    MemberSpec("Jonas Berg", 40, "Tier 1"),
    MemberSpec("Priya Natarajan", 36, "Tier 1"),
    MemberSpec("Sam Okafor", 40, "Tier 2, Tier 3"),
)

# Partners that join or leave, so Movement shows `new` and Compare shows `left`.
JOINED = {"2026-Q3": range(135, 138), "2026-Q4": range(138, 141)}
LEAVER = 141
"""In the roster in Q2 and Q3, gone in Q4."""

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

OVERRIDE_DOWN = ("Being acquired; joint investment paused until the new owner's partner "
                 "strategy is known")
OVERRIDE_UP = "New global alliance signed in Q3; executive sponsor asked for a joint account plan"


@dataclass(frozen=True)
class _Partner:
    number: int
    name: str
    segment: str
    manager: str
    sales: list[float]
    """The drive behind Customer overlap and Sales engagement, one value a quarter (Q1 first)."""
    fit: list[float]
    """The drive behind Solution fit and Market reach, independent of `sales`."""
    noise: list[float]

    @property
    def partner_id(self) -> str:
        return f"P-{self.number:04d}"


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


def _clip(raw: float) -> int:
    return max(1, min(5, round(raw)))


def _partners() -> list[_Partner]:
    rng = random.Random(SEED)
    names: set[str] = set()
    partners = []
    managers = [m.name for m in DEMO_TEAM]
    for n in [*range(1, PARTNER_COUNT + 1), LEAVER]:
        segment = rng.choices([s[0] for s in SEGMENTS], [s[1] for s in SEGMENTS])[0]
        suffixes = next(s[2] for s in SEGMENTS if s[0] == segment)
        name = _company_name(rng, suffixes)
        while name in names:
            name = _company_name(rng, suffixes)
        names.add(name)
        sales, fit = [rng.gauss(0, 1)], [rng.gauss(0, 1)]
        for _ in QUARTERS:  # a quarter's drift: partners rise and fall
            sales.append(sales[-1] + rng.gauss(0, 0.45))
            fit.append(fit[-1] + rng.gauss(0, 0.45))
        noise = [rng.gauss(0, 1) for _ in range(4 * 4 + 4)]
        partners.append(_Partner(n, name, segment, rng.choice(managers), sales, fit, noise))
    return partners


def _scores(partner: _Partner, step: int) -> dict[str, int]:
    """Factor scores in quarter `step` (0 = the quarter before the first one shown)."""
    e = partner.noise[4 * step: 4 * step + 4]
    s, f = partner.sales[step], partner.fit[step]
    values = (_clip(3 + 1.1 * s + 0.45 * e[0]), _clip(3 + 1.0 * s + 0.5 * e[1]),
              _clip(3 + 1.1 * f + 0.45 * e[2]), _clip(3 + 1.0 * f + 0.5 * e[3]))
    return {factor.name: v for factor, v in zip(DEFAULT_FACTORS, values, strict=True)}


def _pipeline(partner: _Partner, step: int) -> int:
    """Sourced pipeline (in thousands) in quarter `step`, driven by the two predictive factors'
    scores one quarter earlier."""
    before = _scores(partner, step - 1)
    drive = sum(before[name] for name in PREDICTIVE) - 6
    return round(40 * math.exp(0.32 * drive + 0.55 * partner.noise[16 + step]))


def _present(number: int, quarter: str) -> bool:
    if number == LEAVER:
        return quarter != QUARTERS[-1]
    joined = next((q for q, numbers in JOINED.items() if number in numbers), None)
    return joined is None or QUARTERS.index(quarter) >= QUARTERS.index(joined)


def _rank_order(rows: list[dict[str, object]]) -> list[int]:
    """Row indexes best first, as a re-score ranks them (score, then factors by weight, then ID)."""
    factors = sorted(DEFAULT_FACTORS, key=lambda f: -f.weight)
    total = sum(f.weight for f in factors)

    def key(i: int) -> tuple[object, ...]:
        row = rows[i]
        score = round(sum(f.weight * float(row[f.name]) for f in factors) / total, 9)  # type: ignore[arg-type]
        return (-score, *(-float(row[f.name]) for f in factors), str(row[c.PARTNER_ID]))  # type: ignore[arg-type]

    return sorted(range(len(rows)), key=key)


def demo_quarters() -> list[WorkbookContent]:
    """The worked example's inputs quarter by quarter, oldest first; the last is the one shown."""
    partners = _partners()
    contents = []
    for step, quarter in enumerate(QUARTERS, start=1):
        rows: list[dict[str, object]] = []
        for p in partners:
            if not _present(p.number, quarter):
                continue
            rows.append({
                c.PARTNER_ID: p.partner_id, c.PARTNER: p.name, c.SEGMENT: p.segment,
                c.PARTNER_MANAGER: p.manager, **_scores(p, step),
                OUTCOME_COLUMN: _pipeline(p, step),
            })
        rows.sort(key=lambda row: str(row[c.PARTNER_ID]))
        if quarter == QUARTERS[-1]:
            # Two judgement calls across the same boundary, so the tiers stay 18 / 40 / 82:
            # a Tier 1 partner held back to Tier 2, a Tier 2 partner promoted to Tier 1.
            order = _rank_order(rows)
            held_back, promoted = rows[order[11]], rows[order[24]]
            held_back[c.TIER_OVERRIDE], held_back[c.OVERRIDE_REASON] = "Tier 2", OVERRIDE_DOWN
            promoted[c.TIER_OVERRIDE], promoted[c.OVERRIDE_REASON] = "Tier 1", OVERRIDE_UP
        contents.append(WorkbookContent(
            quarter=quarter, tier_method="count", factors=DEFAULT_FACTORS, tiers=DEMO_TIERS,
            team=DEMO_TEAM, partners=tuple(rows), extra_columns=(OUTCOME_COLUMN,),
            outcome=OUTCOME_COLUMN,
        ))
    return contents


def demo_content() -> WorkbookContent:
    """The worked example as it stands in its last quarter, identical on every call."""
    return demo_quarters()[-1]


def write_demo(path: Path) -> Path:
    """Write the worked example to `path` with its two earlier quarters re-scored and archived;
    the last quarter's inputs are typed in, ready for the re-score a person watches."""
    from .rescore import rescore_file

    first, *later = demo_quarters()
    write_workbook(path, first)
    for quarter, content in zip(QUARTERS, later, strict=False):
        rescore_file(path, run_by=RUN_BY, now=RUN_AT[quarter])
        type_quarter(path, content)
    return path


def type_quarter(path: Path, content: WorkbookContent) -> None:
    """What a lead types at a new quarter: the Quarter, and the Roster's inputs row by row."""
    book = openpyxl.load_workbook(path)
    book[c.SETTINGS].cell(setting_row(c.QUARTER), 2).value = content.quarter
    ws = book[c.ROSTER]
    header = [cell.value for cell in ws[1]]
    inputs = [*ROSTER_LEAD, *(f.name for f in content.factors), *ROSTER_TAIL,
              *content.extra_columns]
    columns = {name: header.index(name) + 1 for name in inputs}
    for r in range(2, max(ws.max_row, len(content.partners) + 1) + 1):
        partner = content.partners[r - 2] if r - 2 < len(content.partners) else {}
        for name, col in columns.items():
            ws.cell(r, col).value = partner.get(name)
    book.save(path)
