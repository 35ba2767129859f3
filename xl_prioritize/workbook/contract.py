"""The workbook contract in code: sheet names, headers, settings and how headers are matched.

Every other module takes its names from here, so the contract has one home
(docs/workbook-contract.md is its prose twin).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# The core's words, re-exported: the workbook side takes every name from here.
from ..core.names import UNASSIGNED as UNASSIGNED
from ..core.names import UNSCORED as UNSCORED
from ..core.names import normalize_header as normalize_header
from .columns import get_column_letter

SETTINGS = "Settings"
FACTORS = "Factors"
TIERS = "Tiers"
TEAM = "Team"
ROSTER = "Roster"
CAPACITY = "Capacity"
COMPARE = "Compare"
LOG = "Log"
ARCHIVE_PREFIX = "Archive "
SNAPSHOT = "Results snapshot"
"""Hidden sheet holding the Roster as it stood after the last re-score: the next archive's source."""
SCORECARD = "Scorecard"
"""One partner's Score, factor by factor, in formulas: owned whole by the re-score."""
SCORECARD_TITLE = "Scorecard: one partner's Score, factor by factor"
"""Its A1, by which a Scorecard a re-score made is told from a user's sheet of that name."""
START = "Start"
"""The template's explanation sheet; a re-score owns only its stale-score line there."""
SENT = "Sent (do not edit)"
"""Hidden sheet of a partner manager's distributed copy: what it was sent with (`sent.py`)."""

INPUT_SHEETS = (SETTINGS, FACTORS, TIERS, TEAM, ROSTER)

# Settings: key in column A, value in column B.
SETTING_HEADER = "Setting"
VALUE_HEADER = "Value"
QUARTER = "Quarter"
SCALE_MIN = "Scale min"
SCALE_MAX = "Scale max"
TIER_METHOD = "Tier method"
MISSING_SCORES = "Missing scores"
TIER_BUFFER = "Tier buffer"
TIER_WITHIN = "Tier within"
OUTCOME = "Outcome"
KNOWN_SETTINGS = (QUARTER, SCALE_MIN, SCALE_MAX, TIER_METHOD, MISSING_SCORES, TIER_BUFFER, TIER_WITHIN,
                  OUTCOME)

TIER_METHODS = ("count", "percent", "threshold")
MISSING_POLICIES = ("error", "lowest", "exclude")
DEFAULT_SCALE_MIN = 1.0
DEFAULT_SCALE_MAX = 5.0
DEFAULT_TIER_METHOD = "percent"
DEFAULT_MISSING = "error"
DEFAULT_BUFFER = 0.0

# Factors
FACTOR = "Factor"
WEIGHT = "Weight"
DESCRIPTION = "Description"
SCORING_GUIDE = "Scoring guide"

# Tiers
TIER = "Tier"
SIZE = "Size"
SERVICE_LEVEL = "Service level"
HOURS_PER_PARTNER = "Hours per partner per month"
HOURS_PER_TIER = "Hours per tier per month"

# Team
MEMBER = "Member"
HOURS_PER_MONTH = "Hours per month"
FOCUS_TIERS = "Focus tiers"

# Roster inputs
PARTNER_ID = "Partner ID"
PARTNER = "Partner"
SEGMENT = "Segment"
PARTNER_MANAGER = "Partner manager"
TIER_OVERRIDE = "Tier override"
OVERRIDE_REASON = "Override reason"

# Roster outputs, in the contract's order
SCORE = "Score"
RANK = "Rank"
TIER_OUT = "Tier"
PREVIOUS_TIER = "Previous tier"
MOVEMENT = "Movement"
ASSIGNED_TO = "Assigned to"
OUTPUT_COLUMNS = (SCORE, RANK, TIER_OUT, SERVICE_LEVEL, PREVIOUS_TIER, MOVEMENT, ASSIGNED_TO)
TIERED_ON = "Score when tiered"
"""Hidden owned Roster column after the outputs: the Score the tiers were cut on, as a value."""

MOVEMENTS = ("up", "down", "same", "new", "left")

# Capacity
CAPACITY_TIER_HEADERS = (
    "Tier", "Partners", "Hours per partner", "Hours per tier", "Group program by", "Hours needed",
    "Hours allocated", "Coverage",
)
CAPACITY_MEMBER_HEADERS = (
    "Member", "Hours available", "Focus tiers", "Partners assigned", "Hours assigned", "Load",
)
TOTAL = "Total"

# Compare
COMPARE_HEADERS = (
    "Partner ID", "Partner", "Previous score", "Score", "Change", "Previous tier", "Tier",
    "Movement",
)

# Log
LOG_HEADERS = (
    "Run at", "Quarter", "Run by", "Mode", "Partners", "Warnings", "Weights", "Input fingerprint",
)

# Defined names written by a re-score (the Score formula reads through them).
NAME_SCALE_MIN = "ScaleMin"
NAME_SCALE_MAX = "ScaleMax"
NAME_WEIGHTS = "Weights"
WEIGHT_NAME_PREFIX = "Weight_"
FINGERPRINT_NAME_PREFIX = "xlpFingerprint_"
"""Hidden names recording what an archive or a Log row held when a re-score wrote it."""

QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


def find_columns(header_row: Sequence[object], names: Iterable[str]) -> dict[str, int]:
    """0-based column index of each name found in the header row (first occurrence wins)."""
    index: dict[str, int] = {}
    for i, cell in enumerate(header_row):
        index.setdefault(normalize_header(cell), i)
    return {name: index[normalize_header(name)] for name in names if normalize_header(name) in index}


def quote_sheet(sheet: str) -> str:
    """A sheet name as Excel writes it inside a reference."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet):
        return sheet
    return "'" + sheet.replace("'", "''") + "'"


def cell_ref(sheet: str, row: int, col: int) -> str:
    """`Roster!F17` from a 1-based row and column."""
    return f"{quote_sheet(sheet)}!{get_column_letter(col)}{row}"


def cell_refs(sheet: str, rows: Iterable[int], col: int) -> list[str]:
    """`cell_ref` of one column at many rows."""
    column = f"{quote_sheet(sheet)}!{get_column_letter(col)}"
    return [f"{column}{row}" for row in rows]


def row_ref(sheet: str, row: int) -> str:
    """`Tiers!1:1`, the whole of one row."""
    return f"{quote_sheet(sheet)}!{row}:{row}"


def archive_sheet_name(quarter: str) -> str:
    return f"{ARCHIVE_PREFIX}{quarter}"


def quarter_of_archive(sheet: str) -> str | None:
    """The quarter an `Archive YYYY-Qn` sheet holds, or None for any other sheet."""
    if not sheet.startswith(ARCHIVE_PREFIX):
        return None
    quarter = sheet[len(ARCHIVE_PREFIX):].strip()
    return quarter if QUARTER_PATTERN.match(quarter) else None


def quarter_key(quarter: str) -> tuple[int, int]:
    match = QUARTER_PATTERN.match(quarter)
    if match is None:
        raise ValueError(f"not a quarter: {quarter!r}")
    return int(match.group(1)), int(match.group(2))
