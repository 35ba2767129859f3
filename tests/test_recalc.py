"""The Score formula, recalculated by LibreOffice, equals the Score Python computed (1e-9)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.builders import build_workbook
from tests.test_rescore_file import SCORES, messy_workbook
from xl_prioritize.rescore import rescore_file

Recalc = Callable[[Path], Path]

ROWS: list[list[Any]] = [  # Partner ID, Partner, manager, CO, SE, SF, MR
    ["P1", "Alpha", None, None, 5, 5, 5],
    ["P2", "Beta", None, 3, 3, 3, 3],
    ["P3", "Gamma", None, 5, None, None, 5],
    ["P4", "Delta", None, 2.5, 4, 1, 5],
    ["P5", "Epsilon", None, 4, 4, 4, 4],
    ["P6", "Zeta", None, None, None, None, None],
]
FULL_ROWS = [r for r in ROWS if None not in r[3:]]


def recalculated_scores(recalc: Recalc, path: Path) -> list[Any]:
    """The Roster's Score column, one value per data row, as LibreOffice computes it."""
    ws = openpyxl.load_workbook(recalc(path), data_only=True)["Roster"]
    header = [c.value for c in ws[1]]
    col = header.index("Score") + 1
    return [ws.cell(row=r, column=col).value for r in range(2, ws.max_row + 1)
            if ws.cell(row=r, column=1).value is not None]


def assert_same_scores(recalculated: list[Any], python: list[float]) -> None:
    assert len(recalculated) == len(python)
    for got, want in zip(recalculated, python, strict=True):
        if math.isnan(want):
            assert got in (None, ""), got
        else:
            assert isinstance(got, (int, float)), got
            assert abs(got - want) <= 1e-9, (got, want)


@pytest.mark.parametrize("policy", ["error", "lowest", "exclude"])
def test_recalculated_score_equals_python(tmp_path: Path, recalc: Recalc, policy: str) -> None:
    rows = FULL_ROWS if policy == "error" else ROWS
    path = build_workbook(tmp_path / f"{policy}.xlsx", roster_rows=rows,
                          settings={"Quarter": "2026-Q4", "Tier method": "count",
                                    "Missing scores": policy})
    outcome = rescore_file(path, run_by="tester")
    python = outcome.results.score.tolist()
    assert_same_scores(recalculated_scores(recalc, path), python)
    # and Python's numbers are the hand-worked ones (weights 35/30/20/15, scale 1–5)
    by_hand = {
        # P2 → 50; P4 (87.5 + 120 + 20 + 75)/100 = 3.025 → 50.625; P5 → 75
        "error": [50.0, 50.625, 75.0],
        # P1 (35·1+150+100+75)/100 = 3.6 → 65; P3 (175+30+20+75) = 3.0 → 50; P6 → 0
        "lowest": [65.0, 50.0, 50.0, 50.625, 75.0, 0.0],
        "exclude": [math.nan, 50.0, math.nan, 50.625, 75.0, math.nan],
    }[policy]
    assert python == pytest.approx(by_hand, nan_ok=True)


def test_excluded_partner_score_is_blank(tmp_path: Path, recalc: Recalc) -> None:
    path = build_workbook(tmp_path / "exclude.xlsx", roster_rows=ROWS,
                          settings={"Quarter": "2026-Q4", "Tier method": "count",
                                    "Missing scores": "exclude"})
    rescore_file(path, run_by="tester")
    recalculated = recalculated_scores(recalc, path)
    assert [recalculated[i] in (None, "") for i in range(len(ROWS))] == [
        True, False, True, False, False, True]


def test_messy_roster_and_fractional_weights(tmp_path: Path, recalc: Recalc) -> None:
    path = messy_workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    for row, weight in zip(range(2, 6), (0.35, 0.30, 0.20, 0.15), strict=True):
        wb["Factors"].cell(row=row, column=2).value = weight
    wb.save(path)
    outcome = rescore_file(path, run_by="tester")
    python = outcome.results.score.tolist()
    assert python == pytest.approx([SCORES[pid] for pid in outcome.inputs.roster.ids])
    ws = openpyxl.load_workbook(recalc(path), data_only=True)["Roster"]
    header = [c.value for c in ws[1]]
    col = header.index("Score") + 1
    got = [ws.cell(row=r, column=col).value for r in range(2, 2 + len(python))]
    assert_same_scores(got, python)


def test_custom_scale(tmp_path: Path, recalc: Recalc) -> None:
    # scale 0–10: P1 (35·10 + 30·0 + 20·5 + 15·7.5)/100 = 5.625 → 56.25; P2 all 10 → 100
    rows = [["P1", "Alpha", None, 10, 0, 5, 7.5], ["P2", "Beta", None, 10, 10, 10, 10]]
    path = build_workbook(tmp_path / "scale.xlsx", roster_rows=rows,
                          settings={"Quarter": "2026-Q4", "Tier method": "count",
                                    "Scale min": 0, "Scale max": 10})
    outcome = rescore_file(path, run_by="tester")
    assert outcome.results.score.tolist() == pytest.approx([56.25, 100.0])
    assert_same_scores(recalculated_scores(recalc, path), outcome.results.score.tolist())
