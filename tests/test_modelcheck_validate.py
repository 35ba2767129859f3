"""Factor validation on constructed histories whose answer is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from scipy.stats import spearmanr

from tests.model_builders import OUTCOME, history_workbook
from xl_prioritize.modelcheck.quarters import load
from xl_prioritize.modelcheck.validate import MIN_PAIRS, validate
from xl_prioritize.modelcheck.words import validation_notes
from xl_prioritize.problems import Code, InputErrors


def test_the_factor_equal_to_the_outcome_gets_the_highest_correlation_and_the_largest_weight(
    tmp_path: Path,
) -> None:
    result = validate(load(history_workbook(tmp_path / "h.xlsx")))
    by_name = {f.name: f for f in result.factors}
    fit = by_name["Fit"]
    assert fit.rho == max(f.rho for f in result.factors) and fit.rho > 0.9
    assert fit.suggested == max(f.suggested for f in result.factors)
    assert fit.suggested > 0.8 * sum(f.suggested for f in result.factors)
    assert sum(f.suggested for f in result.factors) == pytest.approx(100)  # the weights' own total
    assert fit.low <= fit.rho <= fit.high
    assert all(f.pairs == 120 for f in result.factors)  # 60 partners × 2 pairs of quarters
    assert [b.label for b in result.backtests] == ["2026-Q2 → 2026-Q3", "2026-Q3 → 2026-Q4"]
    assert not any(b.in_sample for b in result.backtests)
    for b in result.backtests:  # weights toward the predictive factor put more outcome in Tier 1
        assert b.top_size == 10 and b.suggested_share > b.current_share


def test_a_single_pair_of_quarters_is_plain_spearman_and_says_it_fits_in_sample(
    tmp_path: Path,
) -> None:
    path = history_workbook(tmp_path / "h.xlsx", quarters=("2026-Q3", "2026-Q4"))
    data = load(path)
    result = validate(data)
    before, after = data.quarters
    expected = spearmanr(before.scores[:, 1], after.outcome).statistic
    assert result.factors[1].rho == pytest.approx(expected)
    assert [b.in_sample for b in result.backtests] == [True]
    notes = " ".join(validation_notes(result))
    assert "Only one pair of quarters" in notes and "flatter" not in notes


def test_fewer_than_30_pairs_are_called_noise(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx", partners=12, quarters=("2026-Q2", "2026-Q3",
                                                                        "2026-Q4"))
    result = validate(load(path))
    assert all(f.pairs == 24 < MIN_PAIRS for f in result.factors)
    assert sum("fewer than 30" in n for n in result.notes) == 4


def test_no_history_says_so_plainly(tmp_path: Path) -> None:
    result = validate(load(history_workbook(tmp_path / "h.xlsx", quarters=("2026-Q4",))))
    assert not result.enough
    assert all(f.rho is None and f.suggested is None for f in result.factors)
    assert validation_notes(result)[0].startswith("Not enough history")


def test_an_outcome_that_predicts_nothing_suggests_no_weights(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx",
                            outcome=lambda s, rng: -s.sum(axis=1) * 1000.0 + 1e5)
    result = validate(load(path))
    assert all(f.rho < 0 for f in result.factors)
    assert all(f.suggested is None for f in result.factors)
    assert any("no weights to suggest" in n for n in result.notes)


def test_bad_outcome_cells_are_every_one_named(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(path)
    book["Roster"]["G3"] = "lots"
    book["Roster"]["G4"] = -5
    book["Archive 2026-Q3"]["G2"] = "n/a"
    book.save(path)
    with pytest.raises(InputErrors) as raised:
        load(path)
    found = {(p.code, p.where) for p in raised.value.problems}
    assert found == {(Code.NOT_A_NUMBER, "Roster!G3"), (Code.OUT_OF_RANGE, "Roster!G4"),
                     (Code.NOT_A_NUMBER, "'Archive 2026-Q3'!G2")}


def test_an_outcome_column_that_is_not_on_the_roster_is_an_error(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    with pytest.raises(InputErrors) as raised:
        load(path, "Revenue")
    assert raised.value.codes == [Code.UNKNOWN_COLUMN]
    assert raised.value.problems[0].where == "--outcome"


def test_the_settings_outcome_is_read_and_the_option_wins(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    assert load(path).outcome == OUTCOME
    book = openpyxl.load_workbook(path)
    book["Roster"]["H1"] = "Other"
    book.save(path)
    assert load(path, " other ").outcome == "Other"


def test_an_archive_without_the_outcome_column_is_not_paired(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(path)
    book["Archive 2026-Q3"]["G1"] = "Something else"
    book.save(path)
    result = validate(load(path))
    assert [p.label for p in result.pairs] == ["2026-Q3 → 2026-Q4"]
    assert any("Archive 2026-Q3" in n and "cannot be paired" in n for n in result.notes)


def test_a_fixed_seed_gives_the_same_interval(tmp_path: Path) -> None:
    data = load(history_workbook(tmp_path / "h.xlsx", outcome=lambda s, rng: rng.uniform(0, 1, len(s))))
    first, again, other = validate(data, seed=1), validate(data, seed=1), validate(data, seed=2)
    assert [(f.low, f.high) for f in first.factors] == [(f.low, f.high) for f in again.factors]
    assert [(f.low, f.high) for f in first.factors] != [(f.low, f.high) for f in other.factors]
    assert np.isfinite([f.rho for f in first.factors]).all()


def test_a_quarter_with_no_outcome_recorded_yet_is_not_paired_and_says_so(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(path)
    for row in range(2, 62):
        book["Roster"].cell(row, 7).value = None
    book.save(path)
    result = validate(load(path))
    assert [p.label for p in result.pairs if p.rows.size] == ["2026-Q2 → 2026-Q3"]
    assert any("No 'Sourced pipeline' is recorded in Roster (2026-Q4) yet" in n for n in result.notes)
    assert any("Only one pair of quarters" in n for n in result.notes)
