"""The one-pass sheet reader gives what openpyxl gives, on Excel-made workbooks and on ours."""

from __future__ import annotations

import datetime as dt
import io
import warnings
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from builders import build_workbook
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from support.ooxml_parts import sheet_parts

from xl_prioritize.demo import demo_content
from xl_prioritize.ooxml.read import (
    date_style_indexes,
    read_shared_strings,
    read_sheet,
    unescape,
    values_of,
)
from xl_prioritize.problems import Code, UnreadableWorkbook
from xl_prioritize.rescore import rescore_file
from xl_prioritize.template import write_workbook
from xl_prioritize.workbook.cells import Formula

EXCEL_MADE = Path(__file__).resolve().parents[2] / "shared" / "excel-made"
if not EXCEL_MADE.is_dir():
    EXCEL_MADE = Path("/work/shared/excel-made")
CORPUS = sorted(p for p in EXCEL_MADE.glob("*.xls[xm]")) if EXCEL_MADE.is_dir() else []

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _oracle(value: object) -> object:
    """openpyxl's value as the reader types it: formulas as `Formula`, strings unescaped (openpyxl
    leaves `_xHHHH_` escapes in the text)."""
    if isinstance(value, ArrayFormula):
        return Formula(value.text)
    if isinstance(value, DataTableFormula):
        inputs = ",".join(x for x in (value.r1, value.r2) if x)
        return Formula(f"=TABLE({inputs})")
    if isinstance(value, str):
        return unescape(value)
    return value


def _trimmed(grid: list[list[object]]) -> list[list[object]]:
    rows = [list(r) for r in grid]
    for r in rows:
        while r and r[-1] is None:
            r.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _read_all(path: Path) -> dict[str, list[list[object]]]:
    parts, date1904 = sheet_parts(path)
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        shared = (read_shared_strings(package.read("xl/sharedStrings.xml"))
                  if "xl/sharedStrings.xml" in names else [])
        styles = date_style_indexes(package.read("xl/styles.xml") if "xl/styles.xml" in names else None)
        return {name: read_sheet(package.open(part), shared, styles, date1904)
                for name, part in parts.items() if "worksheets/" in part}


def _made_by_us(folder: Path) -> list[Path]:
    template = write_workbook(folder / "template.xlsx")
    demo = write_workbook(folder / "demo.xlsx", demo_content())
    rescore_file(demo)
    rescore_file(demo)
    hand = build_workbook(folder / "hand.xlsx", roster_rows=[
        ("P-1", "Acme _x000D_ Ltd", "Ana", 5, 4, 3, 2), ("P-2", "Beta & <Co>", "Ben", 1, 2, 3, 4),
    ])
    rescore_file(hand)
    streamed = folder / "streamed.xlsx"  # constant_memory: inline strings, rows as they are written
    book = xlsxwriter.Workbook(str(streamed), {"constant_memory": True})
    sheet = book.add_worksheet("Roster")
    when = book.add_format({"num_format": "d mmm yyyy hh:mm"})
    sheet.write_row(0, 0, ["Partner ID", "Since", "Score", "Flag", "Note"])
    for r in range(1, 40):
        sheet.write_string(r, 0, f"P-{r}")
        sheet.write_datetime(r, 1, dt.datetime(2026, 1, 1) + dt.timedelta(hours=7 * r), when)
        sheet.write_formula(r, 2, f"=ROW()*{r}/7", None, r * (r + 1) / 7)
        sheet.write_boolean(r, 3, r % 2 == 0)
        sheet.write_string(r, 4, "tab\there _x0041_ ☃")
    book.close()
    return [template, demo, hand, streamed]


def _assert_same_as_openpyxl(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = openpyxl.load_workbook(path)
        values = openpyxl.load_workbook(path, data_only=True)
    grids = _read_all(path)
    for ws in formulas.worksheets:
        grid = grids[ws.title]
        expected = [[Formula(c.value) if c.data_type == "f" and isinstance(c.value, str) else _oracle(c.value)
                     for c in row] for row in ws.iter_rows()]
        as_text = [[Formula(v.text) if isinstance(v, Formula) else v for v in line] for line in grid]
        assert _trimmed(as_text) == _trimmed(expected), f"{path.name}!{ws.title}: formulas"
        cached = [[_oracle(v) for v in row] for row in values[ws.title].iter_rows(values_only=True)]
        assert _trimmed(values_of(grid)) == _trimmed(cached), f"{path.name}!{ws.title}: values"


@pytest.mark.skipif(not CORPUS, reason="the Excel-made corpus is not beside the repository")
@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_excel_made_workbooks_read_as_openpyxl_reads_them(path: Path) -> None:
    _assert_same_as_openpyxl(path)


def test_workbooks_this_project_makes_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    for path in _made_by_us(tmp_path):
        _assert_same_as_openpyxl(path)


def _sheet(rows: str, extra: str = "") -> bytes:
    return f'<worksheet {NS}><sheetData>{rows}</sheetData>{extra}</worksheet>'.encode()


def test_types_of_every_cell_kind() -> None:
    styles = date_style_indexes(f'''<styleSheet {NS}><numFmts count="2">
        <numFmt numFmtId="164" formatCode="[h]:mm"/><numFmt numFmtId="165" formatCode="&quot;day&quot; 0"/>
        </numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>
        <xf numFmtId="165"/><xf numFmtId="21"/></cellXfs></styleSheet>'''.encode())
    assert styles == {1, 2, 4} and styles.durations == {2}
    shared = read_shared_strings(f'''<sst {NS}><si><t>plain</t></si>
        <si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r><rPh><t>ignored</t></rPh></si>
        <si><t>a_x000D_b _x005F_x0041_</t></si></sst>'''.encode())
    assert shared == ["plain", "rich", "a\rb _x0041_"]
    grid = read_sheet(_sheet(
        '<row r="1"><c r="A1"><v>7</v></c><c r="B1"><v>7.0</v></c><c r="C1"><v>2.5E1</v></c>'
        '<c r="D1" t="s"><v>1</v></c><c r="E1" t="inlineStr"><is><t>inline</t></is></c>'
        '<c r="F1" t="b"><v>1</v></c><c r="G1" t="e"><v>#N/A</v></c></row>'
        '<row r="3"><c r="B3" s="1"><v>46000</v></c><c r="C3" s="4"><v>0.75</v></c>'
        '<c r="D3" s="2"><v>1.5</v></c><c r="E3" s="3"><v>3</v></c>'
        '<c r="F3" t="str"><f>"x"&amp;"y"</f><v>xy</v></c><c r="G3"><f>1/0</f></c></row>'), shared, styles)
    assert grid[0] == [7, 7.0, 25.0, "rich", "inline", True, "#N/A"]
    assert isinstance(grid[0][0], int) and isinstance(grid[0][1], float)
    assert grid[1] == []
    assert grid[2] == [None, dt.datetime(2025, 12, 9), dt.time(18, 0), dt.timedelta(hours=36), 3,
                       Formula('="x"&"y"', "xy"), Formula("=1/0", None)]


def test_dates_in_1904_workbooks() -> None:
    styles = date_style_indexes(f'<styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/>'
                                f'</cellXfs></styleSheet>'.encode())
    sheet = _sheet('<row r="1"><c r="A1" s="1"><v>1.5</v></c></row>')
    assert read_sheet(sheet, [], styles, date1904=True) == [[dt.datetime(1904, 1, 2, 12)]]


def test_shared_formulas_are_expanded_per_cell_and_array_formulas_keep_their_text() -> None:
    grid = read_sheet(_sheet(
        '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>4</v></c>'
        '<c r="B2"><f t="array" ref="B2:B3">SUM(C1:C2*D1:D2)</f><v>9</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"/><v>6</v></c></row>'), [], frozenset())
    assert [r[0] for r in grid] == [Formula("=B1*2", 2), Formula("=B2*2", 4), Formula("=B3*2", 6)]
    assert grid[1][1] == Formula("=SUM(C1:C2*D1:D2)", 9)
    assert values_of(grid) == [[2], [4, 9], [6]]


def test_cells_without_references_follow_on_and_merged_cells_read_blank() -> None:
    grid = read_sheet(_sheet('<row><c><v>1</v></c><c><v>2</v></c></row><row><c r="C2"><v>3</v></c>'
                             '<c><v>4</v></c></row>',
                             '<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'),
                      [], frozenset())
    assert grid == [[1, None], [None, None, 3, 4]]


def test_malformed_sheet_xml_is_an_input_error_naming_the_part() -> None:
    with pytest.raises(UnreadableWorkbook) as raised:
        read_sheet(b'<worksheet><sheetData><row><c><v>1</v></row>', [], frozenset(),
                   part="xl/worksheets/sheet2.xml")
    assert raised.value.codes == [Code.MALFORMED_PART]
    assert raised.value.problems[0].where == "xl/worksheets/sheet2.xml"


def test_a_file_object_is_read_as_bytes_are() -> None:
    xml = _sheet('<row r="2"><c r="B2"><v>5</v></c></row>')
    assert read_sheet(io.BytesIO(xml), [], frozenset()) == read_sheet(xml, [], frozenset()) == [[], [None, 5]]


def test_a_zip_entry_that_fails_while_streaming_is_an_input_error() -> None:
    class Damaged(io.RawIOBase):
        def __init__(self) -> None:
            self.reads = 0

        def read(self, size: int = -1) -> bytes:
            self.reads += 1
            if self.reads > 1:
                raise zlib.error("Error -3 while decompressing data: invalid code lengths set")
            return _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')[:-30]

    with pytest.raises(UnreadableWorkbook) as raised:
        read_sheet(Damaged(), [], frozenset(), part="xl/worksheets/sheet1.xml")
    assert raised.value.codes == [Code.UNREADABLE]
    assert "is damaged (xl/worksheets/sheet1.xml)" in raised.value.line
