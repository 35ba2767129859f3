"""The hidden snapshot holds a Roster grid and gives it back unchanged, dates included."""

from __future__ import annotations

import datetime as dt

import numpy as np

from xl_prioritize.workbook.snapshot import decode_rows, encode_rows


def test_a_grid_round_trips_through_one_cell_a_row() -> None:
    grid = [
        ["Partner ID", "Partner", "Joined", "Score", "Rank", "Notes"],
        ["007", "Zeta", dt.date(2025, 3, 1), 62.5, 3, None],
        [7, "Émile & Co", dt.datetime(2026, 1, 2, 3, 4, 5), np.float64(41.25), np.int64(9), True],
        ["P-3", "Noon", dt.time(12, 0), None, None, "x, \"quoted\""],
    ]
    encoded = encode_rows(grid)
    assert all(len(row) == 1 and isinstance(row[0], str) for row in encoded)
    assert decode_rows(encoded) == [
        ["Partner ID", "Partner", "Joined", "Score", "Rank", "Notes"],
        ["007", "Zeta", dt.date(2025, 3, 1), 62.5, 3, None],
        [7, "Émile & Co", dt.datetime(2026, 1, 2, 3, 4, 5), 41.25, 9, True],
        ["P-3", "Noon", dt.time(12, 0), None, None, "x, \"quoted\""],
    ]


def test_cells_that_are_not_snapshot_rows_are_skipped() -> None:
    assert decode_rows([["not json"], [None], [], ['{"a": 1}'], ['[1, "b"]']]) == [[1, "b"]]
