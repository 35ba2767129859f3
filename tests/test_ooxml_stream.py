"""The writer's fast paths against their plain meaning: parts deflated in segments inflate to the
whole part, rows assembled from the plan's blocks are the cells the plan wrote, and a Roster row
patched by byte search gets the same cells as one patched by matching every cell."""

from __future__ import annotations

import re
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import numbers

from xl_prioritize.ooxml import numformats
from xl_prioritize.ooxml.package import Deflated, Segment, crc32_combine
from xl_prioritize.ooxml.patch import patch_part, patch_sheet
from xl_prioritize.ooxml.sheet import SheetModel, write_sheet, write_sheet_part
from xl_prioritize.ooxml.styles import Look, Styles
from xl_prioritize.workbook.cells import Formula
from xl_prioritize.workbook.ops import Area

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"

pieces = st.lists(st.binary(max_size=3000), max_size=6)


@settings(deadline=None)
@given(st.binary(max_size=2000), st.binary(max_size=2000))
def test_crc_of_two_runs_combines_to_the_crc_of_both(a: bytes, b: bytes) -> None:
    assert crc32_combine(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


@settings(deadline=None)
@given(st.lists(pieces, min_size=1, max_size=4))
def test_segments_deflated_apart_inflate_to_the_whole_part(segments: list[list[bytes]]) -> None:
    part = Deflated.join([Segment.of(iter(p)) for p in segments])
    whole = b"".join(b"".join(p) for p in segments)
    assert part.inflate() == whole
    assert (part.size, part.crc) == (len(whole), zlib.crc32(whole))


values = st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=3), st.floats(allow_nan=False))
blocks = st.lists(st.tuples(st.integers(1, 9), st.integers(1, 5),
                            st.lists(st.lists(values, max_size=3).map(tuple), max_size=4).map(tuple)),
                  max_size=6)


@settings(deadline=None)
@given(blocks)
def test_rows_are_the_cells_the_plan_wrote_the_later_write_winning(writes: list) -> None:
    model = SheetModel("S", whole=True)
    expected: dict[int, dict[int, object]] = {}
    for row, col, lines in writes:
        model.write(row, col, lines)
        for r, line in enumerate(lines, start=row):
            for c, value in enumerate(line, start=col):
                expected.setdefault(r, {})[c] = value
    rows = list(model.rows())
    assert rows == sorted(expected.items())
    assert all(list(line) == sorted(line) for _, line in rows)  # columns ascend: no sort needed
    assert [(r, list(cells)) for r, cells in model.row_cells()] == [(r, list(line.items()))
                                                                    for r, line in rows]
    for r in range(11):
        for c in range(9):
            assert model.value(r, c) == expected.get(r, {}).get(c)


def _roster(rows: list[str], prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    body = "".join(rows)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f'<{p}dimension ref="A1:C4"/><{p}sheetData>{body}</{p}sheetData></{p}worksheet>').encode()


def _model() -> SheetModel:
    """A re-score's Roster edits: values in D..G of rows 2-4, G left empty, a look over D."""
    model = SheetModel("Roster", whole=False)
    model.write(2, 4, tuple((Formula(f"=B{r}*2", r * 2.5), r, f"Tier {r}", None) for r in (2, 3, 4)))
    model.looks.append((Area(2, 4, 20, 1), Look(number_format="0.0")))
    return model


def _cells(xml: bytes) -> list[bytes]:
    return re.findall(rb"<(?:x:)?c [^>]*?(?:/>|>.*?</(?:x:)?c>)", xml)


def _rescored_row(r: int, between: str = "", formula_in_e: bool = False) -> str:
    e = f"<f>A{r}</f><v>1</v>" if formula_in_e else "<v>9</v>"
    cells = [f'<c r="A{r}" t="inlineStr"><is><t>P{r}</t></is></c>', f'<c r="B{r}"><v>{r}</v></c>',
             f'<c r="D{r}" s="1"><f>B{r}*2</f><v>0</v></c>', f'<c r="E{r}">{e}</c>',
             f'<c r="F{r}" t="inlineStr"><is><t>old</t></is></c>', f'<c r="G{r}" s="1"/>',
             f'<c r="H{r}"><v>7</v></c>']
    return f'<row r="{r}">' + between.join(cells) + "</row>"


def test_a_rescored_row_found_by_byte_search_gets_the_cells_matching_every_cell_gives() -> None:
    tight = _roster([_rescored_row(r) for r in (2, 3, 4)])
    spaced = _roster([_rescored_row(r, between="\n  ") for r in (2, 3, 4)])
    fast, slow = (patch_sheet(xml, _model(), Styles(None)) for xml in (tight, spaced))
    assert _cells(fast.xml) == _cells(slow.xml)
    assert b'<c r="G2" s="1"/>' in fast.xml  # an owned cell the plan empties keeps its style
    assert b'<c r="H2"><v>7</v></c>' in fast.xml  # a cell right of the owned ones is copied
    assert b'<c r="E3"><v>3</v></c>' in fast.xml
    assert not fast.dropped_formula and not slow.dropped_formula


def test_a_value_over_a_formula_is_reported_on_either_path() -> None:
    for between in ("", " "):
        xml = _roster([_rescored_row(r, between, formula_in_e=r == 3) for r in (2, 3, 4)])
        assert patch_sheet(xml, _model(), Styles(None)).dropped_formula


def test_first_rescore_rows_and_rows_without_the_first_owned_cell_get_the_same_cells() -> None:
    first = _roster([f'<row r="{r}"><c r="A{r}"><v>1</v></c></row>' for r in (2, 3, 4)])
    missing_d = _roster([_rescored_row(r).replace(f'<c r="D{r}" s="1"><f>B{r}*2</f><v>0</v></c>', "")
                         for r in (2, 3, 4)])
    patched = patch_sheet(first, _model(), Styles(None)).xml
    assert _cells(patched)[1:4] == [b'<c r="D2" s="1"><f>B2*2</f><v>5</v></c>',
                                    b'<c r="E2"><v>2</v></c>',
                                    b'<c r="F2" t="inlineStr"><is><t>Tier 2</t></is></c>']
    again = patch_sheet(missing_d, _model(), Styles(None)).xml
    assert b'<c r="D2" s="1"><f>B2*2</f><v>5</v></c><c r="E2"><v>2</v></c>' in again


def test_a_prefixed_sheet_is_patched_in_its_prefix() -> None:
    xml = _roster([_rescored_row(r) for r in (2, 3, 4)]).replace(b"<c ", b"<x:c ")
    xml = re.sub(rb"<(/?)(c|row|sheetData|worksheet|dimension|f|v|is|t)\b", rb"<\1x:\2", xml)
    xml = xml.replace(f'xmlns="{NS}"'.encode(), f'xmlns:x="{NS}"'.encode())
    plain = patch_sheet(_roster([_rescored_row(r) for r in (2, 3, 4)]), _model(), Styles(None)).xml
    prefixed = patch_sheet(xml, _model(), Styles(None)).xml
    assert [c.replace(b"x:", b"") for c in _cells(prefixed)] == _cells(plain)


def test_streamed_parts_are_the_parts_written_whole() -> None:
    xml = _roster([_rescored_row(r) for r in (2, 3, 4)])
    part, dropped = patch_part(xml, _model(), Styles(None))
    assert part.inflate() == patch_sheet(xml, _model(), Styles(None)).xml and not dropped
    whole = _model()
    whole.whole = True
    assert write_sheet_part(whole, Styles(None)).inflate() == write_sheet(whole, Styles(None))


@settings(deadline=None)
@given(st.one_of(st.sampled_from(["yyyy-mm-dd", "[h]:mm:ss", '"day" 0', "[Red]0.0", "0_m", "\\d0",
                                  "[$-409]mmm", "0;[h]", "General", "@", '0.0"h"', "[mm]:ss"]),
                 st.text(alphabet='dmhys0#.,;"[]_\\-$@ HMYSD', max_size=12)))
def test_date_formats_are_decided_as_openpyxl_decides(fmt: str) -> None:
    assert numformats.is_date_format(fmt) == numbers.is_date_format(fmt)
    assert numformats.BUILTIN_FORMATS == numbers.BUILTIN_FORMATS
