"""A re-score keeps every part of the template: validation, formatting, notes, panes, print setup."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from xl_prioritize.demo import demo_content
from xl_prioritize.rescore import rescore_file
from xl_prioritize.template import START, write_workbook
from xl_prioritize.workbook import contract as c

TEMPLATE_SHEETS = (START, c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM, c.ROSTER)
ROOT = Path(__file__).resolve().parent.parent


def features(ws: Worksheet) -> dict[str, Any]:
    """What a person relies on in a sheet, as openpyxl reads it."""
    return {
        "validations": sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.formula2, dv.operator)
            for dv in ws.data_validations.dataValidation
        ),
        "conditional": sorted(
            (str(rng.sqref), rule.type, tuple(rule.formula or ()))
            for rng in ws.conditional_formatting for rule in rng.rules
        ),
        "comments": sorted(
            (cell.coordinate, cell.comment.text)
            for row in ws.iter_rows() for cell in row if cell.comment is not None
        ),
        "freeze": ws.freeze_panes,
        "widths": {k: round(v.width, 2) for k, v in ws.column_dimensions.items() if v.width},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "landscape": ws.page_setup.orientation,
        "fit": (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight, ws.sheet_properties.pageSetUpPr),
        "print_titles": ws.print_title_rows,
    }


SHARED_STRINGS = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def part_kinds(path: Path) -> set[str]:
    """The content types a workbook's parts declare: a renamed part still counts, a dropped one not.

    Shared strings are left out: openpyxl stores text inline in each cell instead, and the cells'
    values are compared one by one.
    """
    with zipfile.ZipFile(path) as archive:
        types = archive.read("[Content_Types].xml").decode()
        names = set(archive.namelist())
    declared = set(re.findall(r'ContentType="([^"]+)"', types)) - {SHARED_STRINGS}
    extensions = {name.rsplit(".", 1)[-1] for name in names}
    defaults = dict(re.findall(r'Default Extension="([^"]+)" ContentType="([^"]+)"', types))
    return {t for t in declared if t not in defaults.values()} | {
        defaults[e] for e in extensions if e in defaults}


def input_cells(ws: Worksheet, last_input_col: int) -> dict[str, Any]:
    return {
        cell.coordinate: (cell.value, cell.number_format, cell.fill.fgColor.rgb, cell.font.b)
        for row in ws.iter_rows(max_col=last_input_col) for cell in row
    }


def without_staleness(found: dict[str, Any], ws: Worksheet) -> dict[str, Any]:
    """The Roster's features less the two a re-score adds for staleness (docs/contract-readings.md):
    the hidden Score when tiered column and one highlight rule on the Score column."""
    header = [cell.value for cell in ws[1]]
    letter = openpyxl.utils.get_column_letter(header.index(c.TIERED_ON) + 1)
    assert ws.column_dimensions[letter].hidden
    rules = [r for r in found["conditional"] if r[2] and f"<>${letter}2" in r[2][0]]
    assert len(rules) == 1
    return {**found, "conditional": [r for r in found["conditional"] if r not in rules],
            "widths": {k: v for k, v in found["widths"].items() if k != letter}}


def test_rescoring_the_filled_template_drops_no_part(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "filled.xlsx", demo_content())
    before = openpyxl.load_workbook(path)
    kinds_before = part_kinds(path)
    roster_inputs = len(c.find_columns([x.value for x in before[c.ROSTER][1]], c.OUTPUT_COLUMNS))
    assert roster_inputs == len(c.OUTPUT_COLUMNS), "the template carries the output headers"
    last_input = min(c.find_columns([x.value for x in before[c.ROSTER][1]], c.OUTPUT_COLUMNS).values())

    rescore_file(path)

    after = openpyxl.load_workbook(path)
    for name in TEMPLATE_SHEETS:
        found = features(after[name])
        if name == c.ROSTER:
            found = without_staleness(found, after[name])
        assert found == features(before[name]), f"{name} lost a feature"
    for name in (c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM):
        assert input_cells(after[name], 10) == input_cells(before[name], 10), name
    assert input_cells(after[c.ROSTER], last_input) == input_cells(before[c.ROSTER], last_input)
    assert dict(before.defined_names).keys() <= dict(after.defined_names).keys()
    missing = kinds_before - part_kinds(path)
    assert not missing, f"parts dropped by the re-score: {sorted(missing)}"


def test_the_template_itself_carries_what_people_rely_on() -> None:
    book = openpyxl.load_workbook(ROOT / "workbook_template.xlsx")
    roster = features(book[c.ROSTER])
    assert roster["validations"], "factor scores are validated against the scale"
    assert roster["conditional"], "scores and tiers are coloured"
    assert roster["comments"], "headers explain their columns"
    assert roster["freeze"] is not None
    assert features(book[c.SETTINGS])["validations"], "Settings choices are drop-downs"
