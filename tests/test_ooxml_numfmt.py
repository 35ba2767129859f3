"""`ooxml.numfmt` decides as openpyxl 3.1.5 does, without importing it."""

from __future__ import annotations

import re
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.styles import numbers
from openpyxl.utils import cell, datetime
from support.corpus import excel_made_files

from xl_prioritize.ooxml import numfmt


def _corpus_format_codes() -> set[str]:
    codes: set[str] = set()
    for path in excel_made_files():
        with zipfile.ZipFile(path) as package:
            if "xl/styles.xml" in package.namelist():
                text = package.read("xl/styles.xml").decode("utf-8", "replace")
                codes.update(re.findall(r'formatCode="([^"]*)"', text))
    return codes


FORMATS = sorted(set(numbers.BUILTIN_FORMATS.values()) | _corpus_format_codes() | {
    "[h]:mm", "[mm]:ss.00", "[s]", '"day" 0', "[Red]0.00", "[$-409]d mmm yyyy", "0_m", r"0\d",
    "yyyy;@", "General;[h]:mm", "[hh]:mm:ss", "#,##0 \"hours\"", "",
})


def test_builtin_formats_are_openpyxls() -> None:
    assert numfmt.BUILTIN_FORMATS == numbers.BUILTIN_FORMATS


@pytest.mark.parametrize("code", FORMATS)
def test_date_and_duration_formats_are_told_apart_as_openpyxl_does(code: str) -> None:
    assert numfmt.is_date_format(code) == numbers.is_date_format(code)
    assert numfmt.is_timedelta_format(code) == numbers.is_timedelta_format(code)


def test_no_format_is_no_date() -> None:
    assert not numfmt.is_date_format(None) and not numfmt.is_timedelta_format(None)


SERIALS = st.one_of(st.integers(-100_000, 3_000_000), st.floats(-1e6, 3e6, allow_nan=False),
                    st.sampled_from([0, 0.5, 1, 59, 60, 60.5, 61, 0.99999999, 1e-9, 2958465.99999]))


@given(SERIALS, st.booleans(), st.booleans())
def test_serials_become_what_openpyxl_makes_of_them(value: float, mac: bool, elapsed: bool) -> None:
    epoch = datetime.MAC_EPOCH if mac else datetime.WINDOWS_EPOCH
    ours = numfmt.MAC_EPOCH if mac else numfmt.WINDOWS_EPOCH
    try:
        expected: object = datetime.from_excel(value, epoch, timedelta=elapsed)
    except (OverflowError, ValueError) as error:
        expected = type(error)
    try:
        found: object = numfmt.from_excel(value, ours, timedelta=elapsed)
    except (OverflowError, ValueError) as error:
        found = type(error)
    assert found == expected and type(found) is type(expected)


def test_columns_and_ranges_are_openpyxls() -> None:
    for index in (*range(1, 800), 18277, 18278):
        letters = cell.get_column_letter(index)
        assert numfmt.column_letter(index) == letters
        assert numfmt.column_index(letters) == index == numfmt.column_index(letters.lower())
    for bad in ("AAAA", "", "A1", "É"):
        with pytest.raises(ValueError):
            numfmt.column_index(bad)
    for index in (0, 18279):
        with pytest.raises(ValueError):
            numfmt.column_letter(index)
    for ref in ("A1:B2", "B2:A1", "$A$1:$C$9", "a1:b2", "A1:XFD1048576", "A1", "A:C", "3:5", "A0:B1"):
        assert numfmt.range_boundaries(ref) == cell.range_boundaries(ref), ref
    with pytest.raises(ValueError):
        numfmt.range_boundaries("A1:B")
