"""Workbooks built by hand with openpyxl, the way a person following the contract would."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

DEFAULT_FACTORS: list[tuple[str, float]] = [
    ("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20), ("Market reach", 15),
]
DEFAULT_TIERS: list[tuple[str, Any, str, float]] = [
    ("Tier 1", 2, "Biweekly co-sell cadence", 6),
    ("Tier 2", 3, "Monthly pipeline review", 2),
    ("Tier 3", None, "Self-serve portal", 0),
]
DEFAULT_TEAM: list[tuple[str, float, str | None]] = [("Ana", 20, None), ("Ben", 10, None)]


def build_workbook(
    path: Path,
    *,
    settings: dict[str, Any] | None = None,
    factors: Sequence[tuple[str, Any]] = DEFAULT_FACTORS,
    tiers: Sequence[tuple[Any, ...]] = DEFAULT_TIERS,
    team: Sequence[tuple[Any, ...]] | None = DEFAULT_TEAM,
    roster_header: Sequence[str] | None = None,
    roster_rows: Sequence[Sequence[Any]] = (),
    factors_header: Sequence[str] = ("Factor", "Weight"),
    tiers_header: Sequence[str] = ("Tier", "Size", "Service level", "Hours per partner per month"),
    team_header: Sequence[str] = ("Member", "Hours per month", "Focus tiers"),
) -> Path:
    """Write a workbook with the five input sheets. Settings default to Quarter 2026-Q4, method count.

    `roster_header` defaults to Partner ID, Partner, Partner manager and one column per factor.
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Settings"
    ws.append(["Setting", "Value"])
    for key, value in (settings if settings is not None
                       else {"Quarter": "2026-Q4", "Tier method": "count"}).items():
        ws.append([key, value])
    sheet = wb.create_sheet("Factors")
    sheet.append(list(factors_header))
    for row in factors:
        sheet.append(list(row))
    sheet = wb.create_sheet("Tiers")
    sheet.append(list(tiers_header))
    for row in tiers:
        sheet.append(list(row))
    if team is not None:
        sheet = wb.create_sheet("Team")
        sheet.append(list(team_header))
        for row in team:
            sheet.append(list(row))
    sheet = wb.create_sheet("Roster")
    header = list(roster_header) if roster_header is not None else [
        "Partner ID", "Partner", "Partner manager", *[f[0] for f in factors]]
    sheet.append(header)
    for row in roster_rows:
        sheet.append(list(row))
    wb.save(path)
    return path


def sheet_rows(path: Path, sheet: str, *, data_only: bool = False) -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path, data_only=data_only)
    return [tuple(r) for r in wb[sheet].iter_rows(values_only=True)]


def table(path: Path, sheet: str, *, data_only: bool = False) -> list[dict[str, Any]]:
    """Rows of a sheet as dicts keyed by the header row, skipping rows that are entirely blank."""
    rows = sheet_rows(path, sheet, data_only=data_only)
    header = [h for h in rows[0]]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
