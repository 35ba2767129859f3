"""The package-part writer, part by part: what it writes whole is schema-valid, what it patches keeps
every byte it does not own, and it yields the same cells as the openpyxl adapter for the same plan."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from python_calamine import CalamineWorkbook

from tests.builders import build_workbook
from xl_prioritize.adapters.files import FileWorkbook
from xl_prioritize.adapters.package import PackageWorkbook
from xl_prioritize.ooxml import cellxml
from xl_prioritize.ooxml.package import Package
from xl_prioritize.ooxml.patch import patch_sheet
from xl_prioritize.ooxml.sheet import SheetModel
from xl_prioritize.ooxml.styles import Look, Styles
from xl_prioritize.ooxml.workbook_part import WorkbookPart
from xl_prioritize.rescore import rescore_file
from xl_prioritize.workbook.cells import Formula
from xl_prioritize.workbook.ops import (
    Area,
    AutoFilter,
    Chart,
    ClearSheet,
    ColumnWidths,
    ConditionalFormat,
    DataValidationList,
    DefineName,
    EnsureSheet,
    FreezePanes,
    HideColumns,
    PageSetup,
    Plan,
    ProtectSheet,
    Style,
    WriteBlock,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "shared" / "ooxml-schemas"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROWS = [["P1", "Alpha", None, 5, 4, 3, 2], ["P2", "Beta", "Ana", 3, 3, 3, 3],
        ["P3", "Gamma", None, 1, 1, 1, 1]]


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def schema_errors(xsd: etree.XMLSchema, xml: bytes) -> set[str]:
    xsd.validate(etree.fromstring(xml))
    return {re.sub(r"line \d+", "", e.message) for e in xsd.error_log}


# cells -------------------------------------------------------------------------------------------

def test_text_xml_cannot_hold_is_escaped_as_ooxml_does() -> None:
    assert cellxml.escape_text("a\x01b") == "a_x0001_b"
    assert cellxml.escape_text("_x0041_ & <b>") == "_x005F_x0041_ &amp; &lt;b&gt;"
    assert cellxml.escape_text("\ufffe") == "_xFFFE_"


def test_text_is_inline_text_even_when_it_looks_like_a_formula() -> None:
    assert cellxml.cell("A1", "=1+1", 0) == '<c r="A1" t="inlineStr"><is><t>=1+1</t></is></c>'
    assert "<f>" not in cellxml.cell("A1", "=SUM(A2:A3)", 3)


@pytest.mark.parametrize(("value", "expected"), [
    (Formula("=A1*2", 71.25), '<c r="B1"><f>A1*2</f><v>71.25</v></c>'),
    (Formula('=IF(A1,"x","")', ""), '<c r="B1" t="str"><f>IF(A1,"x","")</f><v></v></c>'),
    (Formula("=A1>1", True), '<c r="B1" t="b"><f>A1&gt;1</f><v>1</v></c>'),
    (Formula("=1/0", "#DIV/0!"), '<c r="B1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
    (Formula("=A1"), '<c r="B1"><f>A1</f></c>'),
])
def test_a_formula_carries_its_cached_value(value: Formula, expected: str) -> None:
    assert cellxml.cell("B1", value, 0) == expected


def test_dates_are_excel_day_numbers() -> None:
    assert cellxml.serial(dt.datetime(2026, 1, 5, 12)) == 46027.5
    assert cellxml.serial(dt.date(1900, 1, 1)) == 1
    assert cellxml.serial(dt.date(1904, 1, 2), date1904=True) == 1


# package -----------------------------------------------------------------------------------------

def _small_book() -> io.BytesIO:
    wb = openpyxl.Workbook()
    wb.active["A1"] = "x" * 5000
    wb.create_sheet("Other")["B2"] = 2
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    return data


def test_untouched_entries_are_copied_with_their_compressed_bytes() -> None:
    source = _small_book()
    package = Package(source)
    package.write("xl/new.xml", b"<x/>")
    out = io.BytesIO()
    package.save(out)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(out) as after:
        assert after.testzip() is None
        for info in before.infolist():
            copied = after.getinfo(info.filename)
            assert (copied.CRC, copied.compress_size, copied.compress_type) == \
                (info.CRC, info.compress_size, info.compress_type)
            assert after.read(info) == before.read(info)
        assert after.read("xl/new.xml") == b"<x/>"


def test_a_large_part_waits_deflated_and_is_saved_as_written() -> None:
    package = Package(_small_book())
    big = b"<x>" + b"<c r='A1'><v>1</v></c>" * 100_000 + b"</x>"
    package.write("xl/big.xml", big)
    assert package.read("xl/big.xml") == big
    out = io.BytesIO()
    package.save(out)
    with zipfile.ZipFile(out) as after:
        assert after.testzip() is None and after.read("xl/big.xml") == big


def test_relationships_resolve_and_new_ones_get_free_ids() -> None:
    package = Package(_small_book())
    rels = package.rels("xl/workbook.xml")
    targets = {rels.resolve(r) for r in rels.items}
    assert "xl/worksheets/sheet1.xml" in targets
    rid = rels.add("t", "xl/worksheets/sheet9.xml")
    assert rid not in {r.id for r in rels.items[:-1]}
    assert rels.items[-1].target == "worksheets/sheet9.xml"


def test_a_new_sheet_keeps_local_names_active_tab_and_app_titles_on_their_sheets() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "One"
    wb.create_sheet("Two").print_title_rows = "1:1"
    wb.active = 1
    data = io.BytesIO()
    wb.save(data)
    data.seek(0)
    package = Package(data)
    book = WorkbookPart(package)
    book.add_sheet("New", after="One")
    xml = book.xml().decode()
    assert book.names() == ["One", "New", "Two"]
    assert 'localSheetId="2"' in xml and 'activeTab="2"' in xml
    app = book.update_app_titles(EXCEL_APP)  # as Excel lists sheets and names
    assert app is not None
    assert re.findall(rb"<vt:lpstr>([^<]*)</vt:lpstr>", app) == [
        b"Worksheets", b"Named Ranges", b"One", b"New", b"Two", b"Two!Print_Titles"]
    assert re.findall(rb"<vt:i4>(\d+)</vt:i4>", app) == [b"3", b"1"]
    assert b'<vt:vector size="4" baseType="lpstr">' in app


EXCEL_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxml'
    b'formats.org/officeDocument/2006/docPropsVTypes"><HeadingPairs><vt:vector size="4" baseType='
    b'"variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>2</vt:'
    b'i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr></vt:variant><vt:variant><vt:i4'
    b'>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="3" baseType'
    b'="lpstr"><vt:lpstr>One</vt:lpstr><vt:lpstr>Two</vt:lpstr><vt:lpstr>Two!Print_Titles</vt:lpstr>'
    b'</vt:vector></TitlesOfParts></Properties>')


# styles ------------------------------------------------------------------------------------------

def test_styles_only_grow_and_alike_looks_share_one_index(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "b.xlsx", roster_rows=ROWS)
    xml = parts(path)["xl/styles.xml"]
    styles = Styles(xml)
    before = {name: [etree.tostring(c, method="c14n") for c in styles.root.find(MAIN + name)]
              for name in ("fonts", "fills", "cellXfs")}
    bold = styles.restyle(0, Look(bold=True, fill="D9D9D9"))
    assert styles.restyle(0, Look(bold=True, fill="D9D9D9")) == bold
    assert styles.restyle(bold, Look(bold=True)) == bold
    number = styles.restyle(bold, Look(number_format="0.0"))
    assert styles.number_format(number) == "0.0" and number != bold
    after = etree.fromstring(styles.xml())
    for name, old in before.items():
        new = [etree.tostring(c, method="c14n") for c in after.find(MAIN + name)]
        assert new[:len(old)] == old and len(new) > len(old)
        assert after.find(MAIN + name).get("count") == str(len(new))


# the whole writer --------------------------------------------------------------------------------

def _plan() -> Plan:
    """Every operation, on the Roster (patched) and on a sheet the tool owns (written whole)."""
    odd = "=1+1"
    return [
        WriteBlock("Roster", 1, 8, (("Score", "Tier"),)),
        WriteBlock("Roster", 2, 8, ((Formula("=D2*2", 10.0), odd), (Formula("=D3*2", 6.0), "b\tc"),
                                    (Formula('=IF(D4>1,D4,"")', ""), "TRUE"))),
        Style("Roster", Area(1, 8, 1, 2), bold=True, fill="D9D9D9"),
        Style("Roster", Area(2, 8, 3), number_format="0.0"),
        Style("Roster", Area(3, 9), italic=True, font_color="C65911"),
        ColumnWidths("Roster", ((8, 12.5),)),
        HideColumns("Roster", (10,)),
        ConditionalFormat("Roster", Area(2, 8, 3), "$H2>5", fill="FFC7CE", bold=True),
        DataValidationList("Roster", Area(2, 9, 3), "Tiers!$A$2:$A$4"),
        AutoFilter("Roster", Area(1, 1, 4, 9)),
        FreezePanes("Roster", 2, 3),
        EnsureSheet("Board", after="Roster"),
        ClearSheet("Board"),
        WriteBlock("Board", 1, 1, (("Tier", "Hours"), ("Tier 1", 6), ("Tier 2", 2.5),
                                   ("When", dt.datetime(2026, 11, 2, 9, 30)))),
        Style("Board", Area(1, 1, 1, 2), bold=True),
        ColumnWidths("Board", ((1, 20), (2, 10))),
        FreezePanes("Board", 2),
        PageSetup("Board", repeat_rows=1),
        ProtectSheet("Board", allow_filter=True, allow_format_columns=True),
        AutoFilter("Board", Area(1, 1, 3, 2)),
        DataValidationList("Board", Area(2, 1, 2), "Tiers!$A$2:$A$4"),
        ConditionalFormat("Board", Area(2, 2, 2), "$B2>3", font_color="9C0006"),
        Chart("Board", "Hours", "column", "Hours by tier", categories=Area(2, 1, 2, 1),
              series=(Area(1, 2, 3, 1),), anchor=Area(6, 4, 10, 5), y_title="Hours"),
        EnsureSheet("Machine", hidden=True),
        WriteBlock("Machine", 1, 1, (("[1, 2]",),)),
        DefineName("ScaleMin", "1"),
        DefineName("Secret", "Board!$A$1", hidden=True),
    ]


def _apply_both(tmp_path: Path) -> tuple[Path, Path, Path]:
    original = build_workbook(tmp_path / "original.xlsx", roster_rows=ROWS)
    by_parts, by_openpyxl = tmp_path / "parts.xlsx", tmp_path / "openpyxl.xlsx"
    shutil.copy(original, by_parts)
    shutil.copy(original, by_openpyxl)
    for path, adapter in ((by_parts, PackageWorkbook), (by_openpyxl, FileWorkbook)):
        book = adapter(path)
        book.apply(_plan())
        book.save()
        book.close()
    return original, by_parts, by_openpyxl


def _look(cell: openpyxl.cell.Cell) -> tuple[object, ...]:
    color = cell.font.color.rgb if cell.font.color is not None else None
    fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
    return (cell.number_format, bool(cell.font.b), bool(cell.font.i),
            color[-6:] if isinstance(color, str) else None, fill[-6:] if fill else None)


def _sheet_summary(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    return {
        "cells": {c.coordinate: (c.value, _look(c)) for row in ws.iter_rows() for c in row
                  if c.value is not None},
        "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth and not v.hidden},
        "hidden": sorted(k for k, v in ws.column_dimensions.items() if v.hidden),
        "freeze": ws.freeze_panes,
        "protected": (ws.protection.sheet, ws.protection.autoFilter, ws.protection.formatColumns),
        "filter": ws.auto_filter.ref,
        "validations": sorted((str(dv.sqref), dv.formula1) for dv in ws.data_validations.dataValidation),
        "rules": sorted((str(cf.sqref), r.formula[0], r.dxf.fill.bgColor.rgb[-6:] if r.dxf.fill else None,
                         r.dxf.font.color.rgb[-6:] if r.dxf.font and r.dxf.font.color else None)
                        for cf in ws.conditional_formatting for r in cf.rules),
        "state": ws.sheet_state,
        "titles": ws.print_title_rows,
        "landscape": ws.page_setup.orientation,
        "charts": len(ws._charts),
    }


def test_both_file_adapters_yield_the_same_workbook_for_the_same_plan(tmp_path: Path) -> None:
    _, by_parts, by_openpyxl = _apply_both(tmp_path)
    ours, theirs = openpyxl.load_workbook(by_parts), openpyxl.load_workbook(by_openpyxl)
    assert ours.sheetnames == theirs.sheetnames == \
        ["Settings", "Factors", "Tiers", "Team", "Roster", "Board", "Machine"]
    for name in ours.sheetnames:
        assert _sheet_summary(ours[name]) == _sheet_summary(theirs[name]), name
    names = {k: (v.attr_text, bool(v.hidden)) for k, v in ours.defined_names.items()}
    assert names == {k: (v.attr_text, bool(v.hidden)) for k, v in theirs.defined_names.items()}
    assert names["Secret"] == ("Board!$A$1", True)
    assert ours["Roster"]["I2"].value == "=1+1" and ours["Roster"]["I2"].data_type == "s"
    assert ours["Roster"]["I3"].value == "b\tc" and ours["Roster"]["I4"].value == "TRUE"


def test_characters_xml_cannot_hold_come_back_as_written(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "c.xlsx", roster_rows=ROWS)
    book = PackageWorkbook(path)
    book.apply([WriteBlock("Roster", 2, 9, (("b\x01c",), ("_x0041_",), (" lead",)))])
    book.save()
    book.close()
    again = PackageWorkbook(path)
    assert [r[8] for r in again.read_grid("Roster")[1:4]] == ["b\x01c", "_x0041_", " lead"]
    again.close()
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Roster").to_python()
    assert [r[8] for r in calamine[1:4]] == ["b\x01c", "_x0041_", " lead"]


def test_a_patched_sheet_keeps_every_other_cell_byte_for_byte(tmp_path: Path) -> None:
    original, by_parts, _ = _apply_both(tmp_path)
    before, after = parts(original), parts(by_parts)
    roster = "xl/worksheets/sheet5.xml"
    old_cells = re.findall(rb'<c r="([A-G]\d+)".*?(?:/>|</c>)', before[roster])
    new_cells = re.findall(rb'<c r="([A-G]\d+)".*?(?:/>|</c>)', after[roster])
    old_xml = {m.group(0) for m in re.finditer(rb'<c r="[A-G]\d+"[^>]*?(?:/>|>.*?</c>)', before[roster])}
    new_xml = {m.group(0) for m in re.finditer(rb'<c r="[A-G]\d+"[^>]*?(?:/>|>.*?</c>)', after[roster])}
    assert old_cells == new_cells and old_xml == new_xml
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/theme/theme1.xml",
                 "docProps/core.xml"):
        assert after[name] == before[name]


def test_cached_values_are_what_readers_without_excel_see(tmp_path: Path) -> None:
    _, by_parts, _ = _apply_both(tmp_path)
    roster = CalamineWorkbook.from_path(str(by_parts)).get_sheet_by_name("Roster").to_python()
    assert [r[7] for r in roster[1:4]] == [10.0, 6.0, ""]
    calc = re.search(rb"<calcPr[^>]*>", parts(by_parts)["xl/workbook.xml"])
    assert calc is not None and b'fullCalcOnLoad="1"' in calc[0]


def test_parts_written_whole_are_schema_valid(tmp_path: Path) -> None:
    _, by_parts, _ = _apply_both(tmp_path)
    written = parts(by_parts)
    sml = schema("sml.xsd")
    for part in ("xl/worksheets/sheet6.xml", "xl/worksheets/sheet7.xml"):
        assert schema_errors(sml, written[part]) == set(), part
    charts = [n for n in written if n.startswith("xl/charts/chart")]
    drawings = [n for n in written if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
    assert len(charts) == len(drawings) == 1
    assert schema_errors(schema("dml-chart.xsd"), written[charts[0]]) == set()
    assert schema_errors(schema("dml-spreadsheetDrawing.xsd"), written[drawings[0]]) == set()


def test_patched_parts_gain_no_schema_error(tmp_path: Path) -> None:
    original, by_parts, _ = _apply_both(tmp_path)
    before, after = parts(original), parts(by_parts)
    sml = schema("sml.xsd")
    for part in ("xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet5.xml"):
        assert schema_errors(sml, after[part]) <= schema_errors(sml, before[part]), part


def test_a_rescored_file_rescores_again_with_cached_values_everywhere(tmp_path: Path) -> None:
    """A Partner name that is a formula: its cached value survives, so the second run reads it."""
    path = build_workbook(tmp_path / "f.xlsx", roster_rows=ROWS)
    wb = openpyxl.load_workbook(path)
    wb["Roster"]["B2"] = '="Al"&"pha"'
    wb.save(path)
    with zipfile.ZipFile(path) as z:  # as a spreadsheet would leave it: the formula with its value
        files = {n: z.read(n) for n in z.namelist()}
    files["xl/worksheets/sheet5.xml"] = files["xl/worksheets/sheet5.xml"].replace(
        b'<c r="B2"><f>"Al"&amp;"pha"</f><v></v></c>',
        b'<c r="B2" t="str"><f>"Al"&amp;"pha"</f><v>Alpha</v></c>')
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    first = rescore_file(path, run_by="t")
    second = rescore_file(path, run_by="t")
    assert first.results.score.tolist() == second.results.score.tolist()
    roster = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Roster").to_python()
    assert roster[1][1] == "Alpha"
    assert [r[7] for r in roster[1:4]] == pytest.approx(list(first.results.score))


def test_a_real_rescore_writes_schema_valid_sheets_charts_and_drawings(tmp_path: Path) -> None:
    """Two quarters, so Capacity, Compare, Log, the snapshot and an archive are all written whole."""
    path = build_workbook(tmp_path / "q.xlsx", roster_rows=ROWS)
    original = parts(path)
    rescore_file(path, run_by="t")
    wb = openpyxl.load_workbook(path)
    wb["Settings"]["B2"] = "2027-Q1"
    wb.save(path)
    rescore_file(path, run_by="t")
    written = parts(path)
    book = WorkbookPart(Package(path))
    assert {"Capacity", "Compare", "Log", "Results snapshot", "Archive 2026-Q4"} <= set(book.names())
    sml = schema("sml.xsd")
    for name in ("Capacity", "Compare", "Log", "Results snapshot", "Archive 2026-Q4"):
        part = book.part_of(name)
        assert part is not None
        assert schema_errors(sml, written[part]) == set(), name
    charts = [n for n in written if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    drawings = [n for n in written if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
    assert len(charts) == 3 and len(drawings) == 2  # two on Capacity, one on Compare, never more
    for chart in charts:
        assert schema_errors(schema("dml-chart.xsd"), written[chart]) == set(), chart
    for drawing in drawings:
        assert schema_errors(schema("dml-spreadsheetDrawing.xsd"), written[drawing]) == set()
    assert schema_errors(sml, written["xl/workbook.xml"]) <= schema_errors(sml, original["xl/workbook.xml"])


def test_parts_a_valid_package_may_lack_are_created_when_needed(tmp_path: Path) -> None:
    """No styles.xml, no shared strings, no calcPr, no docProps: the re-score adds what it needs."""
    from tests.support.corpus import input_rows, sheet_xml

    rows = input_rows(12)
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(rows, start=1))
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/s{i}.xml" ContentType="application/vnd.'
                      'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, 6)) + "</Types>").encode(),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>").encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/s{i}.xml"/>'
                      for i in range(1, 6)) + "</Relationships>").encode(),
        **{f"xl/worksheets/s{i}.xml": sheet_xml(grid) for i, grid in enumerate(rows.values(), start=1)},
    }
    path = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    outcome = rescore_file(path, run_by="t")
    after = parts(path)
    assert after["xl/styles.xml"].startswith(b"<?xml")
    assert b"styles" in after["xl/_rels/workbook.xml.rels"]
    assert b'PartName="/xl/styles.xml"' in after["[Content_Types].xml"]
    assert b'fullCalcOnLoad="1"' in after["xl/workbook.xml"]
    assert schema_errors(schema("sml.xsd"), after["xl/styles.xml"]) == set()
    roster = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Roster").to_python()
    assert [r[7] for r in roster[1:13]] == pytest.approx(list(outcome.results.score))
    assert openpyxl.load_workbook(path)["Roster"]["H1"].font.b


def test_a_new_rule_takes_the_priority_after_the_sheets_rules_not_after_text_in_a_cell() -> None:
    """Priorities are counted in the sheet's rules (here the user's 3), never in a cell whose text
    reads `priority="99"`: the new rule is 4."""
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN[1:-1]}">'
           '<sheetData><row r="2"><c r="A2" t="inlineStr"><is><t>priority="99"</t></is></c></row>'
           '</sheetData><conditionalFormatting sqref="A2:A9"><cfRule type="cellIs" dxfId="0" '
           'priority="3" operator="greaterThan"><formula>1</formula></cfRule></conditionalFormatting>'
           "</worksheet>").encode()
    model = SheetModel("Roster", whole=False)
    model.conditional.append((ConditionalFormat("Roster", Area(2, 4, 8, 1), "$D2>1"), 0))
    patched = patch_sheet(xml, model, Styles(None)).xml
    rules = etree.fromstring(patched).findall(f"{MAIN}conditionalFormatting/{MAIN}cfRule")
    assert [(r.get("type"), r.get("priority")) for r in rules] == [("cellIs", "3"), ("expression", "4")]
    assert b'<t>priority="99"</t>' in patched
