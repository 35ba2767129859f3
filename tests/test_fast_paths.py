"""The re-score's column-wise fast paths give what the cell-by-cell definitions give, and a
re-score reads the archives and the snapshot only when it uses them."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from tests.builders import build_workbook
from xl_prioritize.adapters.package import PackageWorkbook
from xl_prioritize.core.history import MOVE_ORDER, CompareRow, compare_table, tier_position
from xl_prioritize.core.scoring import TIE_DECIMALS, tie_keys
from xl_prioritize.model import ArchivedQuarter
from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import has_input_formulas, read_workbook, rescore_file
from xl_prioritize.workbook import contract as c
from xl_prioritize.workbook.cells import (
    Formula,
    Uncalculated,
    as_number,
    as_numbers,
    as_text,
    as_texts,
    column,
)
from xl_prioritize.workbook.snapshot import _encode, encode_rows
from xl_prioritize.workbook.widths import column_length, shown_length

AWKWARD = ["x, y", "a]\x00[b", "a]\x01[b", "\x01", "], [", "\x00", "tab\there", "Émile \"q\"",
           "  padded  ", "", "   ", "١٢", "🙂"]


def test_encode_rows_is_one_json_text_a_row_whatever_the_text_holds() -> None:
    rng = random.Random(3)
    values = [*AWKWARD, None, 0, -0.0, 1.5, 1e300, 7, True, False, float("nan"),
              dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4, 5), dt.time(6, 7),
              dt.timedelta(days=1, hours=6), Uncalculated("=A1"), np.float64(2.25), np.int64(4)]
    grid = [[], [None], *[[rng.choice(values) for _ in range(rng.randint(0, 9))] for _ in range(300)],
            ("a", "tuple", "row"), []]
    one_row_at_a_time = json.JSONEncoder(ensure_ascii=False, default=_encode).encode
    assert encode_rows(grid) == tuple((one_row_at_a_time(list(row)),) for row in grid)
    assert encode_rows([]) == ()
    for one in ([], ["x"], [None, 1.5, "a]\x01[b"]):
        assert encode_rows([one]) == ((one_row_at_a_time(one),),)


def test_text_and_number_columns_read_as_cell_by_cell() -> None:
    values = [*AWKWARD, None, 3, 3.0, 2.5, True, False, float("inf"), float("-inf"), float("nan"),
              dt.date(2026, 1, 1), Uncalculated("=B2"), np.float64(1.25), 10**3]
    assert as_texts(values) == [as_text(v) for v in values]
    numbers = as_numbers(values)
    expected = [as_number(v) for v in values]
    assert [None if math.isnan(n) else n for n in numbers.tolist()] == expected


def test_a_column_of_rows_of_any_length() -> None:
    lines = [("a", "b", "c"), ("d",), (), ["e", "f"]]
    assert column(lines, 1) == ["b", None, None, "f"]
    assert column(lines, 0) == ["a", "d", None, "e"]
    assert column([("a", "b"), ("c", "d")], 1) == ["b", "d"]


def test_input_formulas_are_found_outside_the_skipped_columns_only() -> None:
    score = Formula("=1+1", 2)
    grid = [["Partner ID", "Score"], ["P1", score], ["P2"], ["P3", None, None, "=text, not a formula"]]
    assert not has_input_formulas(grid, {1})
    assert has_input_formulas(grid)
    assert has_input_formulas([*grid, ["P4", score, Formula("=A5", "P4")]], {1})
    assert not has_input_formulas([])


@pytest.mark.parametrize("seed", range(5))
def test_tie_keys_round_as_python_rounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores = np.concatenate([rng.uniform(0, 100, 500), np.round(rng.uniform(0, 100, 500), 10),
                             [np.nan, 12.3456789125, 0.1 + 0.2, 100.0, 0.0]])
    rng.shuffle(scores)
    expected = np.array([round(float(s), TIE_DECIMALS) for s in scores])
    assert np.array_equal(tie_keys(scores), expected, equal_nan=True)


def _compare_key(tier_names: list[str]):  # the sort key, row by row, as the contract reads
    def key(row: CompareRow) -> tuple[int, int, float, str]:
        a = tier_position(row.previous_tier if isinstance(row.previous_tier, str) else None,
                          tier_names)
        b = tier_position(row.tier if isinstance(row.tier, str) else None, tier_names)
        steps = abs(a - b) if a is not None and b is not None else 0
        change = abs(row.change) if row.change is not None else -1.0
        return (MOVE_ORDER[row.movement], -steps, -change, row.partner_id)
    return key


@pytest.mark.parametrize("seed", range(8))
def test_the_compare_table_is_sorted_biggest_move_first(seed: int) -> None:
    rng = random.Random(seed)
    tiers = ["Gold", "Silver", "Bronze"]
    ids = list(dict.fromkeys(f"P{rng.randint(0, 300):03d}" for _ in range(200)))
    scores = np.array([rng.choice([np.nan, rng.randint(0, 10) * 10.0, rng.random() * 100])
                       for _ in ids])
    current = [rng.choice([*tiers, "Unscored", " gold"]) for _ in ids]
    moves = [rng.choice(["up", "down", "same", "new"]) for _ in ids]
    archived = [f"P{rng.randint(0, 300):03d}" for _ in range(150)] + ["P001", "P001"]
    latest = ArchivedQuarter("2026-Q1", archived, [None] * len(archived),
                             [rng.choice([None, rng.randint(0, 10) * 10.0]) for _ in archived],
                             [None] * len(archived),
                             [rng.choice([*tiers, None, "Retired"]) for _ in archived])
    rows = compare_table(ids, [f"N{i}" for i in range(len(ids))], scores, current, moves, latest,
                         tiers)
    assert rows == sorted(rows, key=_compare_key(tiers))
    assert {r.movement for r in rows} >= {"left", "new", "up"}


class CountingBook(PackageWorkbook):
    """The package adapter, remembering which sheets a re-score read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.read: list[str] = []

    def read_grid(self, sheet: str):  # type: ignore[no-untyped-def]
        self.read.append(sheet)
        return super().read_grid(sheet)


def _rescored(tmp_path: Path, quarter: str) -> Path:
    path = build_workbook(tmp_path / "book.xlsx", settings={"Quarter": quarter, "Tier method": "count"},
                          roster_rows=[(f"P{i}", f"Partner {i}", None, 1 + i % 5, 2, 3, 1 + (i * 7) % 5)
                                       for i in range(1, 9)])
    rescore_file(path, run_by="test", now=dt.datetime(2026, 11, 2, 9, 0))
    return path


def _set_quarter(path: Path, quarter: str) -> None:
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["Settings"]["B2"] = quarter
    book.save(path)


def test_the_snapshot_is_read_only_when_the_quarter_moved_on(tmp_path: Path) -> None:
    path = _rescored(tmp_path, "2026-Q3")
    book = CountingBook(path)
    parsed, _ = read_workbook(book)
    assert c.SNAPSHOT not in book.read and parsed.archive is None
    book.close()

    _set_quarter(path, "2026-Q4")
    book = CountingBook(path)
    parsed, _ = read_workbook(book)
    book.close()
    assert c.SNAPSHOT in book.read
    assert parsed.archive is not None and parsed.archive[0] == "2026-Q3"
    assert [q.quarter for q in parsed.inputs.history] == ["2026-Q3"]


def test_only_archives_before_the_quarter_are_read(tmp_path: Path) -> None:
    path = _rescored(tmp_path, "2026-Q3")
    _set_quarter(path, "2026-Q4")
    rescore_file(path, run_by="test", now=dt.datetime(2026, 11, 2, 9, 0))  # archives 2026-Q3
    _set_quarter(path, "2026-Q3")  # back to the archived quarter: refused, and its archive not read
    book = CountingBook(path)
    with pytest.raises(InputErrors) as refused:
        read_workbook(book)
    book.close()
    assert [p.code for p in refused.value.problems] == [Code.QUARTER_BACKWARDS]
    assert "Archive 2026-Q3" not in book.read

    _set_quarter(path, "2027-Q1")
    book = CountingBook(path)
    parsed, _ = read_workbook(book)
    book.close()
    assert "Archive 2026-Q3" in book.read and c.SNAPSHOT in book.read
    assert [q.quarter for q in parsed.inputs.history] == ["2026-Q3", "2026-Q4"]
    assert parsed.layout.archives == ["2026-Q3", "2026-Q4"]


def _column_length_kind_by_kind(values: list[object], decimals: int | None) -> int:
    """`column_length` as it filtered every column (the reference for its whole-column path)."""
    kinds = set(map(type, values))
    texts = [v for v in values if type(v) is str] if str in kinds else []
    numbers = [v for v in values if type(v) is int or type(v) is float] if kinds & {int, float} else []
    others = [v for v in values if v is not None and type(v) not in (str, int, float)]
    longest = max(map(len, texts), default=0)
    if numbers:
        longest = max(longest, shown_length(max(numbers), decimals), shown_length(min(numbers), decimals))
    return max([longest, *(shown_length(v, decimals) for v in others[:50])])


@pytest.mark.parametrize("seed", range(6))
def test_column_widths_see_a_column_of_one_kind_whole(seed: int) -> None:
    rng = random.Random(seed)
    kinds = [["abc", "a longer text", ""], [3, -120, 0], [2.5, -0.125, 1e-7, 12345.678],
             [None], [dt.date(2026, 1, 2), True, np.float64(3.5)]]
    for _ in range(40):
        chosen = rng.sample(kinds, rng.randint(1, 3))
        values = [rng.choice(rng.choice(chosen)) for _ in range(rng.randint(0, 30))]
        for decimals in (None, 1):
            assert column_length(values, decimals) == _column_length_kind_by_kind(values, decimals)
            assert column_length(tuple(values), decimals) == _column_length_kind_by_kind(values, decimals)


def test_a_compare_column_shows_nan_blank_whatever_else_it_holds() -> None:
    from xl_prioritize.workbook.compare_sheet import _cell, _cells

    for values in (["a", None, 3], [None, None], [], ["a", float("nan")], [np.float64("nan"), 2.5],
                   [1, np.float64(2.0), None], [True, "b"]):
        assert _cells(list(values)) == [_cell(v) for v in values]


def test_floats_or_none_tests_each_value_only_when_some_is_nan() -> None:
    from xl_prioritize.core.scoring import floats_or_none

    for values in ([], [1.0, -0.0, 87.5], [np.nan], [2.5, np.nan, 3.0], [np.inf, 1e300, 5e-324]):
        expected = [None if math.isnan(v) else v for v in values]
        assert floats_or_none(np.array(values, dtype=float)) == expected
        assert floats_or_none(values) == expected
        assert all(type(v) is float for v in floats_or_none(values) if v is not None)


def test_a_column_of_only_numbers_and_blanks_reads_as_cell_by_cell() -> None:
    for values in ([], [None], [3, 2.5, None, 10**20, 2**53 + 1, -0.0, float("inf"), float("-inf")],
                   [float("nan"), 7], [1, 2, 3]):
        numbers = as_numbers(values)
        assert numbers.dtype == float and numbers.shape == (len(values),)
        assert [None if math.isnan(n) else n for n in numbers.tolist()] == [as_number(v) for v in values]
