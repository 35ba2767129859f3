"""The fast reader gives exactly what the lxml reader gives (same values, same Python types, same
refusals), and hands the lxml reader every part outside its grammar."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support.corpus import add_input_sheets, excel_made_files
from support.ooxml_parts import sheet_parts
from test_ooxml_read import _made_by_us

from xl_prioritize.ooxml import fastread
from xl_prioritize.ooxml.fastread import Unusual, read_shared_strings_fast, read_sheet_fast
from xl_prioritize.ooxml.read import (
    _text_of,
    date_style_indexes,
    read_shared_strings,
    read_shared_strings_lxml,
    read_sheet,
    read_sheet_lxml,
)
from xl_prioritize.problems import Code, UnreadableWorkbook
from xl_prioritize.workbook.cells import Formula

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = f'xmlns="{MAIN}"'
ROOT = Path(__file__).resolve().parents[1]
EXCEL_MADE = excel_made_files()
OUTSIDE_MAIN_NAMESPACE = {"poi-sample-beta.xlsx"}
"""Workbooks whose sheets are in another namespace: the lxml reader reads them (as empty)."""


def same(a: object, b: object) -> bool:
    """Equal and of the same type, all the way down (7 and 7.0 differ, so do a date and a datetime)."""
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Formula):
        return isinstance(b, Formula) and a.text == b.text and same(a.value, b.value)
    return type(a) is type(b) and a == b


def outcome(read: object) -> object:
    """A reader's grid, or what it raised (type, reason codes, message)."""
    try:
        return read()  # type: ignore[operator]
    except UnreadableWorkbook as error:
        return ("refused", error.codes, error.line)
    except Exception as error:  # the lxml reader's own failure is the behaviour
        return ("raised", type(error), str(error))


def fast_or_unusual(xml: bytes, shared: list[str], styles: frozenset[int], date1904: bool) -> object:
    """The fast reader's grid, or `Unusual` when it leaves the part to the lxml reader."""
    try:
        return read_sheet_fast(io.BytesIO(xml), shared, styles, date1904, "xl/worksheets/sheet1.xml")
    except Exception:  # read_sheet hands the part to the lxml reader
        return Unusual


def _check_workbook(path: Path) -> tuple[int, int]:
    """Every worksheet read both ways: (sheets, sheets the fast path read itself)."""
    parts, date1904 = sheet_parts(path)
    sheets = fast = 0
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        shared_xml = package.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else b""
        shared = read_shared_strings_lxml(shared_xml) if shared_xml else []
        assert same(read_shared_strings(shared_xml), shared) if shared_xml else True, path.name
        styles = date_style_indexes(package.read("xl/styles.xml") if "xl/styles.xml" in names else None)
        for name, part in parts.items():
            if "worksheets/" not in part or part not in names:
                continue
            xml = package.read(part)
            sheets += 1
            expected = outcome(lambda: read_sheet_lxml(xml, shared, styles, date1904))  # noqa: B023
            found = fast_or_unusual(xml, shared, styles, date1904)
            if found is not Unusual:
                fast += 1
                assert same(found, expected), f"{path.name}!{name}: the fast reader differs"
            chosen = outcome(lambda: read_sheet(package.open(part), shared, styles, date1904))  # noqa: B023
            assert same(chosen, expected) if isinstance(expected, list) else chosen == expected, \
                f"{path.name}!{name}"
    return sheets, fast


@pytest.mark.skipif(not EXCEL_MADE, reason="the Excel-made corpus is not beside the repository")
@pytest.mark.parametrize("source", EXCEL_MADE, ids=[p.name for p in EXCEL_MADE])
def test_every_sheet_of_excel_made_workbooks_and_their_masters_reads_the_same(source: Path,
                                                                               tmp_path: Path) -> None:
    sheets, fast = _check_workbook(source)
    assert sheets > 0
    if source.name in OUTSIDE_MAIN_NAMESPACE:  # no master can be made of it either
        assert fast == 0
        return
    assert fast == sheets, f"{source.name}: {sheets - fast} sheets left the fast path"
    master = add_input_sheets(source, tmp_path / source.name).path
    assert _check_workbook(master) == (sheets + 5, sheets + 5)


def test_workbooks_this_project_writes_read_the_same_on_the_fast_path(tmp_path: Path) -> None:
    for path in _made_by_us(tmp_path):
        sheets, fast = _check_workbook(path)
        assert sheets == fast > 0, path.name


def _sheet(rows: str, extra: str = "", root: str = NS, prefix: str = "") -> bytes:
    p = prefix
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {root}><{p}sheetData>'
            f"{rows}</{p}sheetData>{extra}</{p}worksheet>").encode()


SHARED = ["zero", "one"]
STYLES = date_style_indexes(f'<styleSheet {NS}><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/>'
                            f'<xf numFmtId="46"/></cellXfs></styleSheet>'.encode())


def _read_both(xml: bytes, date1904: bool = False) -> tuple[object, object, object]:
    """(the fast reader's grid or Unusual, what `read_sheet` gives, what the lxml reader gives)."""
    fast = fast_or_unusual(xml, SHARED, STYLES, date1904)
    chosen = outcome(lambda: read_sheet(xml, SHARED, STYLES, date1904, "xl/worksheets/sheet1.xml"))
    expected = outcome(lambda: read_sheet_lxml(xml, SHARED, STYLES, date1904, "xl/worksheets/sheet1.xml"))
    return fast, chosen, expected


READ_FAST = {
    "prefix x:": _sheet('<x:row r="1"><x:c r="A1" t="s"><x:v>1</x:v></x:c><x:c r="B1"><x:v>2.5</x:v></x:c>'
                        '</x:row>', root=f'xmlns:x="{MAIN}"', prefix="x:"),
    "entity references": _sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</t></is></c>'
        '<c r="B1" t="str"><f>"a"&amp;"&lt;"</f><v>a&lt;</v></c><c r="C1" t="e"><v>#N/A</v></c></row>'),
    "_x000D_ escapes": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b_x005F_x0041_</t></is></c>'
                              '<c r="B1" t="str"><f>"x"</f><v>c_x0009_d</v></c></row>'),
    "shared formulas": _sheet(
        '<row r="1"><c r="A1"><f t="shared" ref="A1:A3" si="0">B1*2</f><v>2</v></c>'
        '<c r="B1"><f t="shared" ref="B1:B2" si="1">$C1+D$1</f><v>1</v></c></row>'
        '<row r="2"><c r="A2"><f t="shared" si="0"/><v>4</v></c>'
        '<c r="B2"><f t="shared" si="1"/><v>5</v></c></row>'
        '<row r="3"><c r="A3"><f t="shared" si="0"/><v>6</v></c>'
        '<c r="B3"><f t="dataTable" ref="B3" dt2D="0" dtr="0" r1="C1"/><v>7</v></c>'
        '<c r="C3"><f t="array" ref="C3:C4">SUM(A1:A2*B1:B2)</f><v>9</v></c></row>'),
    "dates": _sheet('<row r="1"><c r="A1" s="1"><v>45000.5</v></c><c r="B1" s="1"><v>0.25</v></c>'
                    '<c r="C1" s="2"><v>1.5</v></c><c r="D1" s="1"><v>30</v></c><c r="E1" s="1"><v>-1</v></c>'
                    '<c r="F1" s="1"><v>1e300</v></c><c r="G1" t="d"><v>2026-01-02T03:04:05</v></c></row>'),
    "pretty-printed, no references, gaps": _sheet(
        '\n  <row>\n    <c>\n      <v>1</v>\n    </c>\n    <c t="b"><v>0</v></c>\n  </row>\n'
        '  <row r="4" spans="1:3" customHeight="1" ht="20"><c r="C4" s="0"><v>3</v></c><c/>'
        '<c r="E4"/></row>\n'
        '  <row r="6"/>\n  <row r="2"><c r="B2"><v>-0</v></c><c r="A2" t="inlineStr"><is/></c></row>\n'
        '  <row r="7"><c r="B7" t="inlineStr"><is><t xml:space="preserve"> sp </t></is></c>'
        '<c r="C7" t="inlineStr"></c><c r="D7" t="inlineStr"><v>ignored</v></c></row>\n'),
    "references without letters": _sheet('<row r="1"><c r="C1"><v>1</v></c><c r="5"><v>2</v></c>'
                                         '<c r="7"><v>3</v></c><c t="s" r="A1"><v>0</v></c></row>'),
    "merged cells": _sheet('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c>'
                           '<c r="C1"><v>3</v></c></row><row r="2"><c r="A2"><v>4</v></c>'
                           '<c r="B2"><v>5</v></c></row>',
                           '<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="$C$1:$C$2"/>'
                           '</mergeCells>'),
    "line ends": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb\rc&#13;d</t></is></c></row>'),
    "empty sheetData": (f'<worksheet {NS}><dimension ref="A1"/><sheetData/>'
                        '<mergeCells><mergeCell ref="A1:B2"/></mergeCells></worksheet>').encode(),
    "unicode": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>Zoë ☃ 𝄞 日本</t></is></c></row>'),
}


@pytest.mark.parametrize("xml", READ_FAST.values(), ids=READ_FAST.keys())
def test_the_fast_path_reads_these_itself_as_the_lxml_reader_does(xml: bytes) -> None:
    fast, chosen, expected = _read_both(xml)
    assert fast is not Unusual
    assert same(fast, expected) and same(chosen, expected)


def test_the_cases_read_what_openpyxl_would() -> None:
    grid = read_sheet(READ_FAST["shared formulas"], [], frozenset())
    assert [r[0] for r in grid] == [Formula("=B1*2", 2), Formula("=B2*2", 4), Formula("=B3*2", 6)]
    assert grid[1][1] == Formula("=$C2+D$1", 5) and grid[2][1] == Formula("=TABLE(C1)", 7)
    dates = read_sheet(READ_FAST["dates"], [], STYLES)[0]
    assert dates[:4] == [dt.datetime(2023, 3, 15, 12), dt.time(6), dt.timedelta(hours=36),
                         dt.datetime(1900, 1, 30)]
    assert dates[5] == "#VALUE!" and dates[6] == dt.datetime(2026, 1, 2, 3, 4, 5)
    assert read_sheet(READ_FAST["dates"], [], STYLES, date1904=True)[0][0] == dt.datetime(2027, 3, 16, 12)
    assert read_sheet(READ_FAST["merged cells"], [], frozenset()) == [[1, None, 3], [None, None]]
    assert read_sheet(READ_FAST["line ends"], [], frozenset()) == [["a\nb\nc\rd"]]


FALL_BACK = {
    "CDATA": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<b>]]></t></is></c></row>'),
    "comment": _sheet('<row r="1"><!-- note --><c r="A1"><v>1</v></c></row>'),
    "comment in text": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a<!-- x -->b</t></is></c></row>'),
    "processing instruction": _sheet('<row r="1"><?mso x?><c r="A1"><v>1</v></c></row>'),
    "single quotes": _sheet("<row r='1'><c r='A1' t='s'><v>0</v></c></row>"),
    "single quotes on a cell": _sheet("<row r=\"1\"><c r=\"A1\" t='s'><v>0</v></c></row>"),
    "rich inline text": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><r><t>ri</t></r><r><rPr><b/></rPr>'
                               '<t>ch</t></r><rPh sb="0" eb="1"><t>x</t></rPh></is></c></row>'),
    "namespace declared in the data": _sheet('<row r="1"><c r="A1" xmlns:y="urn:y" y:z="1"><v>1</v></c>'
                                             '</row>'),
    "strict namespace": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                               root='xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"'),
    "other children": _sheet('<row r="1"><c r="A1"><v>1</v><extLst/></c></row>'),
    "no sheetData": f'<chartsheet {NS}><sheetPr/></chartsheet>'.encode(),
    "UTF-16": '<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="x"/>'.encode("utf-16"),
    "Latin-1": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>caf\xe9</t></is></c></row>').replace(
        b"UTF-8", b"ISO-8859-1").replace("é".encode(), b"\xe9"),
    "XML 1.1": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c></row>').replace(
        b'version="1.0"', b'version="1.1"'),
    "undeclared attribute prefix": _sheet('<row r="1"><c r="A1" q:x="1"><v>1</v></c></row>'),
    "undeclared prefix around the data": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>', "<q:ext/>"),
    "a character XML forbids": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a\x01b</t></is></c></row>'),
    "a reference to one": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c></row>'),
    "an undefined entity": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>a&nbsp;b</t></is></c></row>'),
    "a repeated attribute": _sheet('<row r="1"><c r="A1" s="1" s="2"><v>1</v></c></row>'),
    "unclosed row": _sheet('<row r="1"><c r="A1"><v>1</v></c>'),
    "a DOCTYPE": b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "x">]>' + _sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>').split(b"?>", 1)[1],
    "not a number": _sheet('<row r="1"><c r="A1"><v>abc</v></c></row>'),
    "a shared string out of range": _sheet('<row r="1"><c r="A1" t="s"><v>9</v></c></row>'),
    "a bad column": _sheet('<row r="1"><c r="AAAA1"><v>1</v></c></row>'),
    "a row after sheetData": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                    '<row r="2"><c r="A2"><v>2</v></c></row>'),
    "row zero": _sheet('<row r="0"><c r="A1"><v>1</v></c></row>'),
}


@pytest.mark.parametrize("xml", FALL_BACK.values(), ids=FALL_BACK.keys())
def test_outside_the_grammar_the_lxml_reader_reads_the_part(xml: bytes) -> None:
    fast, chosen, expected = _read_both(xml)
    assert fast is Unusual
    assert same(chosen, expected) if isinstance(expected, list) else chosen == expected


def test_refusals_are_the_lxml_readers_own() -> None:
    cases = {"a DOCTYPE": Code.UNSAFE_PACKAGE, "a character XML forbids": Code.MALFORMED_PART,
             "an undefined entity": Code.MALFORMED_PART, "undeclared attribute prefix": Code.MALFORMED_PART,
             "unclosed row": Code.MALFORMED_PART}
    for case, code in cases.items():
        kind, codes, line = _read_both(FALL_BACK[case])[1]  # type: ignore[misc]
        assert kind == "refused" and codes == [code], case
        assert "xl/worksheets/sheet1.xml" in line


def test_a_sheet_bigger_than_a_chunk_is_read_across_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>P&amp;{r} ☃</t></is></c>'
                   f'<c r="B{r}"><f>A{r}&amp;"x"</f><v>{r}.5</v></c></row>' for r in range(1, 300))
    xml = _sheet(rows, '<mergeCells><mergeCell ref="A1:B2"/></mergeCells>')
    expected = read_sheet_lxml(xml, [], frozenset())
    for size in (7, 64, 1000):
        monkeypatch.setattr(fastread, "CHUNK", size)
        assert same(read_sheet_fast(io.BytesIO(xml), [], frozenset(), False, "p"), expected), size


def test_a_stream_that_cannot_seek_is_replayed_to_the_lxml_reader() -> None:
    class OneWay(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
            chunk = self.data.read(min(len(buffer), 10))
            buffer[:len(chunk)] = chunk
            return len(chunk)

    xml = FALL_BACK["comment"]
    expected = read_sheet_lxml(xml, [], frozenset())
    assert read_sheet(io.BufferedReader(OneWay(xml)), [], frozenset()) == expected == [[1]]


SHARED_STRINGS = {
    "plain": f'<sst {NS} count="3"><si><t>a</t></si><si><t xml:space="preserve"> b </t></si><si><t/></si>'
             f"<si/><si><t></t></si></sst>",
    "rich and phonetic": f"<sst {NS}><si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r>"
                         f'<rPh sb="0" eb="1"><t>x</t></rPh><phoneticPr fontId="1"/></si></sst>',
    "references and escapes": f"<sst {NS}><si><t>&amp;&lt;&#65;_x000D_ _x005F_x0041_</t></si></sst>",
    "prefix": f'<x:sst xmlns:x="{MAIN}"><x:si><x:t>a</x:t></x:si>'
              "<x:si><x:r><x:t>b</x:t></x:r></x:si></x:sst>",
    "pretty-printed": f"<sst {NS}>\n  <si>\n    <t>a</t>\n  </si>\n</sst>",
}
SHARED_FALL_BACK = {
    "CDATA": f"<sst {NS}><si><t><![CDATA[<x>]]></t></si></sst>",
    "comment": f"<sst {NS}><si><t>a<!-- c -->b</t></si></sst>",
    "empty": f"<sst {NS}/>",
    "other namespace": '<sst xmlns="urn:other"><si><t>a</t></si></sst>',
}


@pytest.mark.parametrize("xml", SHARED_STRINGS.values(), ids=SHARED_STRINGS.keys())
def test_shared_strings_read_fast_as_lxml_reads_them(xml: str) -> None:
    data = xml.encode()
    assert read_shared_strings_fast(data, _text_of) == read_shared_strings_lxml(data)
    assert read_shared_strings(io.BytesIO(data)) == read_shared_strings_lxml(data)


@pytest.mark.parametrize("xml", SHARED_FALL_BACK.values(), ids=SHARED_FALL_BACK.keys())
def test_other_shared_strings_go_to_lxml(xml: str) -> None:
    data = xml.encode()
    with pytest.raises(Unusual):
        read_shared_strings_fast(data, _text_of)
    assert read_shared_strings(data) == read_shared_strings_lxml(data)


def test_reading_a_plain_sheet_never_imports_openpyxl() -> None:
    sheet = READ_FAST["dates"].replace(b'<c r="G1" t="d"><v>2026-01-02T03:04:05</v></c>', b"")
    sst = f"<sst {NS}><si><t>a</t></si></sst>".encode()
    styles = (f'<styleSheet {NS}><numFmts><numFmt numFmtId="164" formatCode="d/m/yyyy"/></numFmts>'
              f'<cellXfs><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>').encode()
    probe = (
        "import sys\n"
        "from xl_prioritize.ooxml.read import read_sheet, read_shared_strings, date_style_indexes\n"
        f"grid = read_sheet({sheet!r}, read_shared_strings({sst!r}), date_style_indexes({styles!r}))\n"
        "assert grid[0][0].year == 2023, grid\n"
        "print('openpyxl' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          check=True, timeout=60)
    assert done.stdout.strip() == "False"


def _random_sheet(rng: random.Random) -> bytes:
    """A sheet in and around the fast grammar: any cell type, formulas of every kind, missing or
    shuffled references, gaps, whitespace, references and escapes, a prefix, merged cells."""
    p = rng.choice(["", "", "x:"])
    texts = ["a", " sp ", "&amp;&lt;&gt;", "&#65;&#x263A;", "_x000D_", "_x005F_x0041_", "é☃", "", "a\r\nb",
             "=1"]
    numbers = ["1", "-2", "3.5", "1e3", "1E-2", "0", "007", "45000.25", "0.5", "60", "", " 4 "]
    rows, r = [], 0
    for _ in range(rng.randint(0, 6)):
        r += rng.choice([1, 1, 2, 0])
        row_attributes = [f'r="{max(r, 1)}"'] * (rng.random() < 0.9) + ['spans="1:4"'] * (rng.random() < 0.3)
        cells = []
        for c in rng.sample(range(6), rng.randint(0, 5)):
            kind = rng.choice(["n", "n", "s", "inlineStr", "str", "b", "e", None])
            attrs = [f'r="{"ABCDEF"[c]}{max(r, 1)}"'] * (rng.random() < 0.9)
            attrs += [f's="{rng.randint(0, 3)}"'] * (rng.random() < 0.3) + [f't="{kind or "n"}"'] * bool(kind)
            if rng.random() < 0.2:
                rng.shuffle(attrs)
            body = ""
            if rng.random() < 0.2:
                kinds = ["", ' t="shared" si="0"', ' t="shared" si="0" ref="A1:C9"', ' t="array" ref="A1"']
                text = rng.choice(["A1+1", "SUM($A1:B$2)", '"a"&amp;"b"', ""])
                body += f"<{p}f{rng.choice(kinds)}>{text}</{p}f>" if text else f"<{p}f{rng.choice(kinds)}/>"
            if kind == "inlineStr" and rng.random() < 0.8:
                space = rng.choice(["", ' xml:space="preserve"'])
                body += f"<{p}is><{p}t{space}>{rng.choice(texts)}</{p}t></{p}is>"
            elif rng.random() < 0.9:
                choices = numbers if kind in ("n", None) else ["0", "1"] if kind in ("s", "b") else texts
                value = rng.choice(choices)
                body += f"<{p}v>{value}</{p}v>"
            space = rng.choice(["", "", "\n  "])
            start = f"<{p}c{''.join(' ' + a for a in attrs)}"
            whole = f"{start}>{space}{body}{space}</{p}c>"
            cells.append(f"{start}/>" if not body and rng.random() < 0.5 else whole)
        start = f"<{p}row{''.join(' ' + a for a in row_attributes)}"
        whole = f"{start}>{''.join(cells)}</{p}row>"
        rows.append(f"{start}/>" if not cells and rng.random() < 0.5 else whole)
    declaration = f'xmlns:{p[:-1]}="{MAIN}"' if p else NS
    merges = f'<{p}mergeCells><{p}mergeCell ref="A1:B2"/></{p}mergeCells>' * (rng.random() < 0.3)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}worksheet {declaration}><{p}sheetData>'
            f'{"".join(rows)}</{p}sheetData>{merges}</{p}worksheet>').encode()


def test_random_sheets_read_the_same_both_ways() -> None:
    rng = random.Random(20261129)
    fast = 0
    for _ in range(400):
        xml = _random_sheet(rng)
        for date1904 in (False, True):
            found, chosen, expected = _read_both(xml, date1904)
            assert same(chosen, expected) if isinstance(expected, list) else chosen == expected, xml
            if found is not Unusual:
                fast += 1
                assert same(found, expected), xml
    assert fast > 600  # most of them on the fast path


def test_a_character_reference_is_checked_against_xml_chars_by_comparisons() -> None:
    """`is_xml_character` is XML 1.0's Char production, the class the fast path once matched."""
    char_class = re.compile("[\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    differ = [code for code in range(0x110000)
              if fastread.is_xml_character(code) != bool(char_class.fullmatch(chr(code)))]
    assert differ == []
    assert fastread.decoded("&#9;&#xD7FF;&#xE000;&#xFFFD;&#x10000;&#x10FFFF;") == \
        "\t\ud7ff\ue000\ufffd\U00010000\U0010ffff"
    for reference in ("&#0;", "&#x1F;", "&#xD800;", "&#xDFFF;", "&#xFFFE;", "&#xFFFF;"):
        with pytest.raises(Unusual):
            fastread.decoded(reference)
    with pytest.raises(ValueError):  # past Unicode, as before
        fastread.decoded("&#x110000;")


def test_columns_are_numbered_as_met_from_a_to_zzz() -> None:
    letters = [chr(c) for c in range(65, 91)]
    two = [a + b for a in letters for b in letters]
    names = [*letters, *two, *[a + b for a in letters for b in two]]
    fastread._COLUMNS.clear()
    xml = _sheet('<row r="1"><c r="ZZZ1"><v>3</v></c><c r="A1"><v>1</v></c><c r="AB1"><v>2</v></c>'
                 '<c r="XFD1" t="inlineStr"><is> <t>x</t></is></c></row>')
    grid = read_sheet_fast(io.BytesIO(xml), [], frozenset(), False, "xl/worksheets/sheet1.xml")
    assert [(k, v) for k, v in enumerate(grid[0], 1) if v is not None] == [(1, 1), (28, 2), (16384, "x"),
                                                                           (18278, 3)]
    assert set(fastread._COLUMNS) == {"A", "AB", "XFD", "ZZZ"}
    assert [fastread.column_number(name) for name in names] == list(range(1, len(names) + 1))


def test_the_expressions_of_unusual_cells_are_compiled_only_when_one_comes() -> None:
    scan = fastread.SheetScan([], frozenset(), False, "", {"xml": fastread.XML_NS})
    scan.scan('<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>')
    assert "cell_parts" not in vars(scan) and "content" not in vars(scan)
    scan.scan('<row r="2"><c r="A2" s="0"/><c r="B2"> <v>2</v> </c></row>')
    assert "cell_parts" in vars(scan) and "content" in vars(scan)
    assert scan.grid == [[1, "b"], [None, 2]]
