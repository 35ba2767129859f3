"""LibreOffice recalculates the formulas openpyxl writes (with no cached values) to Python's values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from support.libreoffice import Recalc, recalculate

WEIGHTS: list[float] = [35, 30, 20, 15]
SCALE_MIN = 1
# (A, B, C, D) per data row; C blank on row 2, D blank on row 4.
ROWS: list[tuple[float, float, float | None, float | None]] = [
    (2, 3, None, 4),
    (2.5, 4, 5, 4),
    (7, 1, 3, None),
]


def _build(path: Path) -> Path:
    wb = openpyxl.Workbook()
    data = wb.active
    assert data is not None
    data.title = "Data"
    settings = wb.create_sheet("Settings")
    settings["A3"], settings["B3"] = "Scale min", SCALE_MIN
    for i, weight in enumerate(WEIGHTS, start=5):
        settings.cell(row=i, column=2, value=weight)

    wb.defined_names["ScaleMin"] = DefinedName("ScaleMin", attr_text="Settings!$B$3")
    wb.defined_names["Weights"] = DefinedName("Weights", attr_text="Settings!$B$5:$B$8")
    wb.defined_names["One"] = DefinedName("One", attr_text="1")
    wb.defined_names["Half"] = DefinedName("Half", attr_text="0.5")

    data.append(["A", "B", "C", "D", "Arith", "CorMin", "SumCD", "WeightSum", "OnePlus", "HalfOf"])
    for r, (a, b, c, d) in enumerate(ROWS, start=2):
        data.append([
            a, b, c, d,
            f"=A{r}+B{r}*2-A{r}/B{r}",
            f'=IF(C{r}="",ScaleMin,C{r})',
            f'=IF(COUNT(C{r},D{r})<2,"",C{r}+D{r})',
            f"=SUM(Weights)/B{r}",
            f"=One+A{r}",
            f"=Half*B{r}",
        ])
    wb.save(path)
    return path


def test_formulas_recalculate_to_python_values(recalc: Recalc, tmp_path: Path) -> None:
    out = recalc(_build(tmp_path / "formulas.xlsx"))
    ws = openpyxl.load_workbook(out, data_only=True)["Data"]

    for r, (a, b, c, d) in enumerate(ROWS, start=2):
        got = [ws.cell(row=r, column=col).value for col in range(5, 11)]
        expected_sum = None if c is None or d is None else c + d  # the "" result reads back as None
        assert got[0] == pytest.approx(a + b * 2 - a / b, rel=1e-12)
        assert got[1] == (SCALE_MIN if c is None else c)
        assert got[2] == expected_sum
        assert got[3] == pytest.approx(sum(WEIGHTS) / b, rel=1e-12)
        assert got[4] == 1 + a  # defined name with a constant value (attr_text="1")
        assert got[5] == pytest.approx(0.5 * b, rel=1e-12)

    # The IF(...,"",...) cell is a formula string result, empty: LibreOffice writes <c t="str"><v></v>,
    # which openpyxl reads as None, indistinguishable from a blank cell.
    assert ws["G2"].value is None
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert re.search(r'<c r="G2"[^>]*t="str"[^>]*><f[^>]*>[^<]*</f><v></v></c>', sheet)

    # The defined names survive the round trip, the constants still constants.
    names = openpyxl.load_workbook(out).defined_names
    assert {n: names[n].attr_text for n in ("ScaleMin", "Weights", "One", "Half")} == {
        "ScaleMin": "Settings!$B$3", "Weights": "Settings!$B$5:$B$8", "One": "1", "Half": "0.5",
    }


def test_stale_cached_values_are_recalculated(recalc: Recalc, tmp_path: Path) -> None:
    """LibreOffice's default ("never recalculate" xlsx) would keep a cached value; the harness must not."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"], ws["B1"] = 21, "=A1*2"
    src = tmp_path / "stale.xlsx"
    wb.save(src)
    patched = tmp_path / "patched" / "stale.xlsx"
    patched.parent.mkdir()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                body, n = re.subn(rb"(<f>A1\*2</f>)<v\s*/?>(</v>)?", rb"\1<v>999</v>", body)
                assert n == 1
            zout.writestr(item, body)

    assert openpyxl.load_workbook(patched, data_only=True).active["B1"].value == 999
    assert openpyxl.load_workbook(recalc(patched), data_only=True).active["B1"].value == 42


def test_repeated_calls_and_errors(soffice: str, tmp_path: Path) -> None:
    src = _build(tmp_path / "again.xlsx")
    first = recalculate(src, tmp_path / "one")
    second = recalculate(src, tmp_path / "two")
    assert first != second and first.is_file() and second.is_file()
    with pytest.raises(ValueError, match="out_dir"):
        recalculate(src, tmp_path)
    with pytest.raises(FileNotFoundError):
        recalculate(tmp_path / "missing.xlsx", tmp_path / "three")
