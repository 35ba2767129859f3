"""A re-score and a collect on workbooks Excel made: every part the tool does not own stays byte-identical.

Each of the Excel-saved workbooks in shared/excel-made/ becomes a master by adding the five input
sheets at the part level (tests/support/corpus.py), then is re-scored twice and collected into.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.corpus import Master, add_input_sheets, excel_made_files, parts
from support.package_checks import (
    OUTPUT_HEADERS,
    assert_roster_inputs_unchanged,
    assert_strings_only_grew,
    assert_styles_only_grew,
    assert_untouched,
    book_parts,
    cached_scores,
    output_columns,
    owned_parts,
)

from xl_prioritize.collect import collect_returns
from xl_prioritize.rescore import rescore_file

pytest.importorskip("xl_prioritize.adapters.package", reason="the package-part writer is not built yet")

FILES = excel_made_files()


def _master(src: Path, tmp_path: Path) -> Master:
    try:
        return add_input_sheets(src, tmp_path / src.name)
    except ValueError as error:  # e.g. a pre-release Excel 2007 beta file with another namespace
        pytest.skip(f"not a master a user could make: {error}")


@pytest.mark.parametrize("src", FILES, ids=[f.name for f in FILES])
def test_rescore_twice_keeps_every_part_it_does_not_own(src: Path, tmp_path: Path) -> None:
    master = _master(src, tmp_path)
    before = parts(master.path)
    owned = owned_parts(master.path, master.sheet_parts["Roster"])
    _, _, targets = book_parts(master.path)
    for run in (1, 2):
        outcome = rescore_file(master.path)
        after = parts(master.path)
        assert_untouched(before, after, owned)
        if "styles" in targets:
            assert_styles_only_grew(before[targets["styles"]], after[targets["styles"]])
        strings = targets.get("sharedStrings")
        assert_strings_only_grew(before.get(strings or ""), after.get(strings or ""))
        columns = output_columns(master.path)
        assert set(columns) == set(OUTPUT_HEADERS), f"run {run}: output headers {sorted(columns)}"
        roster = master.sheet_parts["Roster"]
        assert_roster_inputs_unchanged(before[roster], after[roster], set(columns.values()))

        cached = cached_scores(master.path)
        ids = outcome.inputs.roster.ids
        for pid, computed in zip(ids, outcome.results.score, strict=True):
            if math.isnan(computed):
                assert cached[pid] is None
            else:
                assert cached[pid] == pytest.approx(float(computed), abs=1e-9), pid
    frame = pd.read_excel(master.path, sheet_name="Roster")
    assert frame["Score"].notna().all(), "pandas sees blank Scores: no cached values were written"


@pytest.mark.parametrize("src", FILES[::9], ids=[f.name for f in FILES[::9]])
def test_collect_keeps_every_part_it_does_not_own(src: Path, tmp_path: Path) -> None:
    master = _master(src, tmp_path)
    rescore_file(master.path)
    before = parts(master.path)
    returned = tmp_path / "return.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Roster"
    sheet.append(["Partner ID", "Customer overlap"])
    sheet.append(["P-0001", 1 if openpyxl.load_workbook(master.path)["Roster"]["D2"].value != 1 else 2])
    book.save(returned)
    shutil.copy(master.path, tmp_path / "copy.xlsx")
    outcome = collect_returns(master.path, [returned])
    assert outcome.changes, "the return's score was not taken"
    after = parts(master.path)
    assert_untouched(before, after, owned_parts(master.path, master.sheet_parts["Roster"]))
    assert_roster_inputs_unchanged(
        before[master.sheet_parts["Roster"]], after[master.sheet_parts["Roster"]],
        set(output_columns(master.path).values()) | {"D"},
    )
