"""A shared formula whose master cell the re-score rewrites: the cells that shared it outside the
written cells get the formula in full (translated to their place, cached value kept); every
other cell stays as it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.builders import build_workbook
from tests.test_rescore_file import MESSY_HEADER, messy_rows
from xl_prioritize.ooxml.patch import patch_sheet
from xl_prioritize.ooxml.sheet import SheetModel
from xl_prioritize.ooxml.styles import Styles
from xl_prioritize.rescore import rescore_file
from xl_prioritize.workbook.cells import Formula

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _sheet(rows: str, prefix: str = "") -> bytes:
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{NS}"' if prefix else f'xmlns="{NS}"'
    body = rows.replace("<c ", f"<{p}c ").replace("</c>", f"</{p}c>").replace("<f", f"<{p}f") \
        .replace("</f>", f"</{p}f>").replace("<v>", f"<{p}v>").replace("</v>", f"</{p}v>") \
        .replace("<row ", f"<{p}row ").replace("</row>", f"</{p}row>")
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
            f"<{p}sheetData>{body}</{p}sheetData></{p}worksheet>").encode()


def _model() -> SheetModel:
    """The plan writes D and E of rows 2-3."""
    model = SheetModel("Roster", whole=False)
    model.write(2, 4, ((Formula("=A2*10", 10.0), 1), (Formula("=A3*10", 20.0), 2)))
    return model


ROWS = ('<row r="2"><c r="A2"><v>1</v></c>'
        '<c r="D2"><f t="shared" ref="D2:G3" si="0">A2&amp;"&lt;"</f><v>1&lt;</v></c>'
        '<c r="E2"><f t="shared" si="0"/><v>x</v></c>'
        '<c r="G2" s="1"><f t="shared" si="0" ca="1"/><v>7</v></c>'
        '<c r="H2"><f t="shared" ref="H2:H3" si="1">A2+1</f><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="D3"><f t="shared" si="0"/><v>2&lt;</v></c>'
        '<c r="F3"><f t="shared" si="0"></f><v>9</v></c><c r="H3"><f t="shared" si="1"/><v>3</v></c>'
        "</row>")


@pytest.mark.parametrize("prefix", ["", "x"])
def test_cells_sharing_a_rewritten_master_get_its_formula_translated_to_their_place(prefix: str) -> None:
    patched = patch_sheet(_sheet(ROWS, prefix), _model(), Styles(None)).xml.decode()
    p = f"{prefix}:" if prefix else ""
    cell = {m[1]: m[0] for m in re.finditer(rf'<{p}c r="([A-Z]+[0-9]+)".*?</{p}c>', patched)}
    assert cell["G2"] == f'<{p}c r="G2" s="1"><{p}f ca="1">D2&amp;"&lt;"</{p}f><{p}v>7</{p}v></{p}c>'
    assert cell["F3"] == f'<{p}c r="F3"><{p}f>C3&amp;"&lt;"</{p}f><{p}v>9</{p}v></{p}c>'
    # the written cells hold the plan's values; the group whose master stays is left alone
    assert f"<{p}f>A2*10</{p}f>" in cell["D2"] and f"<{p}v>1</{p}v>" in cell["E2"]
    assert cell["H2"].endswith(f'si="1">A2+1</{p}f><{p}v>2</{p}v></{p}c>')
    assert cell["H3"] == f'<{p}c r="H3"><{p}f t="shared" si="1"/><{p}v>3</{p}v></{p}c>'
    assert 'si="0"' not in patched


def test_a_group_the_plan_rewrites_whole_changes_no_other_cell() -> None:
    rows = ('<row r="2"><c r="D2"><f t="shared" ref="D2:E3" si="0">A2</f><v>1</v></c>'
            '<c r="E2"><f t="shared" si="0"/><v>1</v></c><c r="F2"><f t="shared" si="4"/><v>5</v></c>'
            '</row><row r="3"><c r="D3"><f t="shared" si="0"/><v>1</v></c></row>')
    patched = patch_sheet(_sheet(rows), _model(), Styles(None)).xml.decode()
    assert '<c r="F2"><f t="shared" si="4"/><v>5</v></c>' in patched
    assert 'si="0"' not in patched


def test_a_rescore_writes_out_a_user_cell_that_shared_the_score_formula(tmp_path: Path) -> None:
    """The Score of the first partner was filled right into the user's column R."""
    path = build_workbook(tmp_path / "shared.xlsx", roster_header=MESSY_HEADER, roster_rows=messy_rows())
    rescore_file(path)
    edited = tmp_path / "edited.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(edited, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if b"<t>Score when tiered</t>" in data:
                data = data.replace(b'<c r="J2" s="3"><f>',
                                    b'<c r="J2" s="3"><f t="shared" ref="J2:R2" si="0">')
                data = re.sub(rb'(<c r="Q2"[^>]*>.*?</c>)</row>',
                              rb'\1<c r="R2"><f t="shared" si="0"/><v>7</v></c></row>', data, count=1)
            out.writestr(item, data)
    rescore_file(edited)
    roster = openpyxl.load_workbook(edited)["Roster"]
    assert roster["R2"].value == ("=100*((Weight_Customer_overlap*M2+Weight_Sales_engagement*J2"
                                  "+Weight_Solution_fit*O2+Weight_Market_reach*N2)/SUM(Weights)-ScaleMin)"
                                  "/(ScaleMax-ScaleMin)")
    assert openpyxl.load_workbook(edited, data_only=True)["Roster"]["R2"].value == 7
