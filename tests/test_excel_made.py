"""A re-score and a collect on workbooks Excel made: every part the tool does not own stays byte-identical.

Each of the Excel-saved workbooks in shared/excel-made/ becomes a master by adding the five input
sheets at the part level (tests/support/corpus.py), then is re-scored twice and collected into.
"""

from __future__ import annotations

import math
import shutil
import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
import pandas as pd
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook
from support.corpus import MAIN_NS, Master, add_input_sheets, excel_made_files, parts

from xl_prioritize.collect import collect_returns
from xl_prioritize.rescore import rescore_file

pytest.importorskip("xl_prioritize.adapters.package", reason="the package-part writer is not built yet")

FILES = excel_made_files()
OUTPUT_HEADERS = ("Score", "Rank", "Tier", "Service level", "Previous tier", "Movement", "Assigned to")
STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")


def _master(src: Path, tmp_path: Path) -> Master:
    try:
        return add_input_sheets(src, tmp_path / src.name)
    except ValueError as error:  # e.g. a pre-release Excel 2007 beta file with another namespace
        pytest.skip(f"not a master a user could make: {error}")


def _book_parts(path: Path) -> tuple[str, str, dict[str, str]]:
    """(workbook part, its rels part, relationship type suffix -> target part) of a package."""
    with zipfile.ZipFile(path) as zf:
        root_rels = etree.fromstring(zf.read("_rels/.rels"))
        book = next(r.get("Target").lstrip("/") for r in root_rels
                    if r.get("Type").endswith("/officeDocument"))
        directory = PurePosixPath(book).parent
        rels_part = str(directory / "_rels" / (PurePosixPath(book).name + ".rels"))
        rels = etree.fromstring(zf.read(rels_part))
        targets = {r.get("Type").rsplit("/", 1)[-1]: str(directory / r.get("Target")) for r in rels
                   if r.get("TargetMode") != "External"}
    return book, rels_part, targets


def owned_parts(master: Master) -> set[str]:
    book, rels_part, targets = _book_parts(master.path)
    return {"[Content_Types].xml", book, rels_part, "docProps/app.xml", master.sheet_parts["Roster"],
            *(targets[t] for t in ("styles", "sharedStrings", "calcChain") if t in targets)}


def assert_untouched(before: dict[str, bytes], after: dict[str, bytes], owned: set[str]) -> None:
    changed = [name for name, data in before.items() if name not in owned and after.get(name) != data]
    assert not changed, f"parts the tool does not own changed or vanished: {changed}"
    removed = [name for name in owned if name in before and name not in after
               and not name.endswith("calcChain.xml")]
    assert not removed, f"owned parts removed: {removed}"


def _children(xml: bytes, name: str) -> list[bytes]:
    root = etree.fromstring(xml)
    found = root.find(f"{{{MAIN_NS}}}{name}")
    return [] if found is None else [etree.tostring(child, method="c14n") for child in found]


def assert_styles_only_grew(before: bytes, after: bytes) -> None:
    for name in STYLE_LISTS:
        old, new = _children(before, name), _children(after, name)
        assert new[:len(old)] == old, f"styles.xml <{name}> was reordered or changed, not appended to"


def assert_strings_only_grew(before: bytes | None, after: bytes | None) -> None:
    if before is None:
        return
    assert after is not None, "the shared strings part vanished"
    old = [etree.tostring(si, method="c14n") for si in etree.fromstring(before)]
    new = [etree.tostring(si, method="c14n") for si in etree.fromstring(after)]
    assert new[:len(old)] == old, "shared strings were reordered or changed, not appended to"


def _cells(xml: bytes) -> dict[str, bytes]:
    root = etree.fromstring(xml)
    return {c.get("r"): etree.tostring(c, method="c14n") for c in root.iter(f"{{{MAIN_NS}}}c")}


def _column_of(ref: str) -> str:
    return ref.rstrip("0123456789")


def assert_roster_inputs_unchanged(before: bytes, after: bytes, output_columns: set[str]) -> None:
    old, new = _cells(before), _cells(after)
    for ref, xml in old.items():
        if _column_of(ref) not in output_columns:
            assert new.get(ref) == xml, f"Roster!{ref} is an input cell and changed"
    extra = [ref for ref in new if ref not in old and _column_of(ref) not in output_columns]
    assert not extra, f"cells written outside the output columns: {extra[:5]}"


def output_columns(path: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Roster"]
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    return {c.value: c.column_letter for c in header if c.value in OUTPUT_HEADERS}


def cached_scores(path: Path) -> dict[str, float | None]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Roster").to_python()
    header = list(rows[0])
    pid, score = header.index("Partner ID"), header.index("Score")
    return {str(r[pid]): (None if r[score] in ("", None) else float(r[score])) for r in rows[1:] if r[pid]}


@pytest.mark.parametrize("src", FILES, ids=[f.name for f in FILES])
def test_rescore_twice_keeps_every_part_it_does_not_own(src: Path, tmp_path: Path) -> None:
    master = _master(src, tmp_path)
    before = parts(master.path)
    owned = owned_parts(master)
    _, _, targets = _book_parts(master.path)
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
    assert_untouched(before, after, owned_parts(master))
    assert_roster_inputs_unchanged(
        before[master.sheet_parts["Roster"]], after[master.sheet_parts["Roster"]],
        set(output_columns(master.path).values()) | {"D"},
    )
