"""Cells made column by column for a span of rows are the cells made cell by cell: the same
markup for every value, edge values included, the same styles added in the same order, the same
rows and dimension of a whole sheet and of a patched Roster."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from xl_prioritize.ooxml import cellxml
from xl_prioritize.ooxml.patch import patch_sheet
from xl_prioritize.ooxml.sheet import CellWriter, NewRows, Restyler, SheetModel, SheetWriter, write_sheet
from xl_prioritize.ooxml.styles import Look, Styles
from xl_prioritize.workbook.cells import Formula
from xl_prioritize.workbook.ops import Area

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

FLOATS = [0.0, -0.0, 1.5, -2.25, 1e15, -1e15, 1e16, 123456789012345.0, 999999999999999.9, 0.1,
          1e-5, 2.5e-300, 1 / 3, 63.74999999999999, math.nan, math.inf, -math.inf]
TEXTS = ["plain", "two words", " lead", "trail ", "a&b", "<x>", "1 > 0", "_x0041_", "a_", "xb",
         "é漢字", "tab\there", "line\nbreak", "\x01ctl", "", "\ufffe", "=not a formula", "  "]
FORMULAS = [Formula("=A1*2", 1.5), Formula("=SUM(A1:A3)", 2.0), Formula("=B1", -0.0),
            Formula("=B1", 3), Formula("=B1", math.nan), Formula("=B1", "text"), Formula("=B1", None),
            Formula("=B1", True), Formula('=A1&"<>"', "a<>"), Formula("=A1_x0041_", 1.0),
            Formula("=B1", 1e16), Formula("=B1", "#N/A"), Formula("= B1 ", 2)]
OTHERS = [True, False, 3, -7, 10**20, dt.date(2024, 1, 2), dt.datetime(2024, 1, 2, 3, 4, 5),
          dt.time(6, 30), dt.timedelta(hours=30), np.float64(2.5), np.int64(4)]
POOLS = [FLOATS, TEXTS, FORMULAS, OTHERS, [1, 2, 3, 40], ["Tier 1", "Tier 2"], [0.5, 25.0],
         [Formula("=C2+1", 2.5), Formula("=C3+1", 7.0)], FLOATS + TEXTS + FORMULAS + OTHERS]


@st.composite
def columns(draw: st.DrawFn, fewest: int = 0) -> list[list[object]]:
    """Columns of one kind of value each (as a plan writes them), with None gaps and edge
    values drawn in now and then."""
    height = draw(st.integers(1, 12))
    made = []
    for _ in range(draw(st.integers(fewest, 5))):
        pool = draw(st.sampled_from(POOLS))
        value = st.sampled_from(pool)
        if draw(st.booleans()):
            value = st.one_of(st.none(), value)
        made.append(draw(st.lists(value, min_size=height, max_size=height)))
    return made


def _writer(model: SheetModel, styles: Styles | None = None) -> CellWriter:
    return CellWriter(Restyler(model, styles or Styles(None)), date1904=False)


def _banded_model() -> SheetModel:
    """Looks as a re-score sets them: a header row (no band) and two tall looks that end apart,
    so rows fall in three bands."""
    model = SheetModel("S", whole=True)
    model.looks.append((Area(1, 1, 1, 12), Look(bold=True)))
    model.looks.append((Area(2, 2, 20, 1), Look(number_format="0.0")))
    model.looks.append((Area(2, 4, 30, 2), Look(fill="FFEEAA")))
    return model


@settings(deadline=None, max_examples=200)
@given(columns(fewest=1), st.integers(2, 40))
def test_a_span_made_column_by_column_is_its_rows_made_cell_by_cell(cols: list[list[object]],
                                                                     first: int) -> None:
    model = _banded_model()
    height = len(cols[0])
    lines = tuple(tuple(col[i] for col in cols) for i in range(height))
    cell_by_cell = _writer(model)
    expected = [cell_by_cell.new_cells(r, enumerate(line, 2)) for r, line in enumerate(lines, first)]
    by_column = _writer(model)
    by_column.heads = dict(cell_by_cell.heads)  # the start tags, made in the order rows made them
    band = by_column.restyler.band(first)
    stop = min(first + height, by_column.restyler.band_end(first))
    span = [(2 + i, [line[i] for line in lines[:stop - first]]) for i in range(len(cols))]
    assert by_column.known_rows(band, span, stop - first) == stop - first
    rows, lasts = by_column.span_cells(first, stop, span)
    assert list(zip(rows, lasts, strict=True)) == expected[:stop - first]


@settings(deadline=None, max_examples=150)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(1, 8), columns()), min_size=1, max_size=4))
def test_a_whole_sheet_is_the_sheet_made_row_by_row(writes: list) -> None:
    """Blocks side by side, overlapping, ragged, over band edges; dates that add a format."""
    model = _banded_model()
    for row, col, cols in writes:
        height = len(cols[0]) if cols else 1
        model.write(row, col, tuple(tuple(c[i] for c in cols[:1 + (i % max(len(cols), 1))])
                                    for i in range(height)))
    fast_styles, slow_styles = Styles(None), Styles(None)
    fast = write_sheet(model, fast_styles)
    assert fast == _row_by_row(model, slow_styles)
    assert fast_styles.xml() == slow_styles.xml()


def _row_by_row(model: SheetModel, styles: Styles) -> bytes:
    """`write_sheet` with every row's cells made by `CellWriter.new_cells`."""
    sheet = SheetWriter(model, styles)
    writer = _writer(model, styles)
    rows, max_row, max_col = ["<sheetData>"], 0, 0
    for r, line in model.row_cells():
        cells, last = writer.new_cells(r, line)
        if cells:
            rows.append(f'<row r="{r}">{cells}</row>')
            max_row, max_col = r, max(max_col, last)
    rows.append("</sheetData>")
    sheet.max_row, sheet.max_col = max_row, max_col
    return sheet.head() + "".join(rows).encode() + sheet.tail()


def test_a_column_whose_first_value_comes_late_adds_its_style_when_its_row_does() -> None:
    """A datetime in C4, then a date in B5, ask for new styles: a span made column by column
    (which would make B's before C's) ends before each, and its row is made cell by cell, so
    styles are added in the order rows add them."""
    model = SheetModel("S", whole=True)
    lines = [(1.0, None), (1.0, None), (2.0, dt.datetime(2024, 1, 1, 12)), (dt.date(2024, 1, 1), None),
             (3.0, None), (4.0, dt.datetime(2024, 1, 2))]
    model.write(2, 2, tuple(lines))
    fast_styles, slow_styles = Styles(None), Styles(None)
    assert write_sheet(model, fast_styles) == _row_by_row(model, slow_styles)
    assert fast_styles.xml() == slow_styles.xml()
    writer = _writer(model)
    rows = NewRows(model, writer)
    spans = []
    for r, line in model.row_cells():
        if rows.get(r) is None:  # a start tag not made yet: this row's cells make it
            writer.new_cells(r, line)
            spans.append(r)
        elif rows.first == r:
            spans.append((rows.first, rows.stop))
    assert spans == [2, (3, 4), 4, 5, (6, 8)]


def test_plain_text_and_float_texts_tested_together_agree_with_each_one_tested() -> None:
    for texts in (TEXTS, ["a", "b c"], ["a_", "xb"], [""], []):
        assert cellxml.all_plain_text(texts) <= all(map(cellxml.plain_text, texts))
        if not any("_" in t for t in texts):
            assert cellxml.all_plain_text(texts) == all(map(cellxml.plain_text, texts))
    finite = [f for f in FLOATS if math.isfinite(f)]
    assert cellxml.float_texts(finite) == [cellxml._float_text(f) for f in finite]
    assert cellxml.float_texts([1.0, math.nan]) is None
    assert cellxml.float_texts([-0.0, 0.0]) == ["0", "0"]


def _roster(rows: int, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    body = "".join(f'<{p}row r="{r}"><{p}c r="A{r}"><{p}v>{r}</{p}v></{p}c></{p}row>'
                   for r in range(1, rows + 1))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f'<{p}dimension ref="A1:A{rows}"/><{p}sheetData>{body}</{p}sheetData></{p}worksheet>').encode()


def test_a_first_rescore_of_a_roster_appends_what_cell_by_cell_appends(monkeypatch) -> None:
    model = SheetModel("Roster", whole=False)
    model.write(1, 3, (("Score", "Tier", "Note"),))
    model.write(2, 3, tuple((Formula(f"=A{r}*2", r * 2.0), f"Tier {r % 3}", None if r % 4 else " x")
                            for r in range(2, 40)))
    model.write(2, 6, tuple((float(r) if r % 7 else math.nan,) for r in range(2, 40)))
    model.looks.append((Area(1, 3, 1, 4), Look(bold=True)))
    model.looks.append((Area(2, 3, 25, 1), Look(number_format="0.0")))
    for prefix in ("", "x"):
        xml = _roster(45, prefix)
        fast_styles, slow_styles = Styles(None), Styles(None)
        fast = patch_sheet(xml, model, fast_styles).xml
        with monkeypatch.context() as patch:
            patch.setattr(NewRows, "get", lambda self, row: None)
            slow = patch_sheet(xml, model, slow_styles).xml
        assert fast == slow
        assert fast_styles.xml() == slow_styles.xml()
        assert f'<{prefix + ":" if prefix else ""}dimension ref="A1:F45"/>'.encode() in fast


def test_rows_a_block_leaves_empty_are_spans_without_cells() -> None:
    """Not tried again row by row: each try would look a span ahead."""
    model = SheetModel("S", whole=True)
    model.write(2, 1, ((1.0,), *[()] * 3000, (2.0,)))
    writer = _writer(model)
    writer.new_cells(2, [(1, 1.0)])
    _, stop, over, side_by_side = next(model.runs())
    rows, lasts = writer.column_span(3, stop, over, side_by_side)
    assert len(rows) == CellWriter.SPAN and not any(rows) and not any(lasts)
    assert write_sheet(model, Styles(None)) == _row_by_row(model, Styles(None))


@settings(deadline=None, max_examples=100)
@given(st.lists(st.tuples(st.integers(1, 30), st.integers(2, 8), columns(fewest=1)), min_size=1,
                max_size=3))
def test_a_patched_roster_is_the_roster_patched_row_by_row(writes: list) -> None:
    model = _banded_model()
    model.whole = False
    for row, col, cols in writes:
        model.write(row, col, tuple(tuple(c[i] for c in cols) for i in range(len(cols[0]))))
    xml = _roster(20)
    fast_styles, slow_styles = Styles(None), Styles(None)
    fast = patch_sheet(xml, model, fast_styles).xml
    original = NewRows.get
    NewRows.get = lambda self, row: None
    try:
        slow = patch_sheet(xml, model, slow_styles).xml
    finally:
        NewRows.get = original
    assert fast == slow
    assert fast_styles.xml() == slow_styles.xml()
