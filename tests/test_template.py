"""The template generator, the committed template and the demo content."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xl_prioritize.demo import demo_content
from xl_prioritize.template import (
    DEFAULT_CONTENT,
    EXAMPLE_NOTE,
    WorkbookContent,
    write_workbook,
)
from xl_prioritize.workbook import contract as c

REPO = Path(__file__).resolve().parent.parent
COMMITTED = REPO / "workbook_template.xlsx"
SHEETS = ["Start", c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM, c.ROSTER]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _header(ws: Worksheet) -> list[object]:
    return [cell.value for cell in ws[1] if cell.value is not None]


def _roster_inputs(content: WorkbookContent) -> list[str]:
    return [c.PARTNER_ID, c.PARTNER, c.SEGMENT, c.PARTNER_MANAGER,
            *(f.name for f in content.factors), c.TIER_OVERRIDE, c.OVERRIDE_REASON]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("template") / "workbook_template.xlsx")


@pytest.fixture(scope="module")
def book(fresh: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(fresh)


# --- (1) the committed template is what the generator writes ---------------------------------


def test_committed_template_matches_generator(fresh: Path) -> None:
    assert COMMITTED.exists(), "workbook_template.xlsx is missing at the repository root"
    committed, generated = _parts(COMMITTED), _parts(fresh)
    assert list(committed) == list(generated), (
        "the parts of workbook_template.xlsx differ from a fresh write_workbook(); regenerate it"
    )
    for name, data in generated.items():
        assert committed[name] == data, (
            f"part {name} of workbook_template.xlsx differs from a fresh write_workbook(); "
            "regenerate it"
        )


def test_output_is_deterministic(tmp_path: Path) -> None:
    first = write_workbook(tmp_path / "a.xlsx", demo_content())
    second = write_workbook(tmp_path / "b.xlsx", demo_content())
    assert first.read_bytes() == second.read_bytes()


# --- (2) structure --------------------------------------------------------------------------


def test_sheet_names_and_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS


def test_headers(book: openpyxl.Workbook) -> None:
    assert _header(book[c.SETTINGS])[:2] == [c.SETTING_HEADER, c.VALUE_HEADER]
    assert _header(book[c.FACTORS]) == [c.FACTOR, c.WEIGHT, c.DESCRIPTION, c.SCORING_GUIDE,
                                        EXAMPLE_NOTE]
    assert _header(book[c.TIERS]) == [c.TIER, c.SIZE, c.SERVICE_LEVEL, c.HOURS_PER_PARTNER,
                                      c.HOURS_PER_TIER, EXAMPLE_NOTE]
    assert _header(book[c.TEAM]) == [c.MEMBER, c.HOURS_PER_MONTH, c.FOCUS_TIERS]
    assert _header(book[c.ROSTER]) == [*_roster_inputs(DEFAULT_CONTENT), *c.OUTPUT_COLUMNS]


def test_settings_rows_and_defaults(book: openpyxl.Workbook) -> None:
    ws = book[c.SETTINGS]
    keys = [ws.cell(row, 1).value for row in range(2, 2 + len(c.KNOWN_SETTINGS))]
    assert keys == list(c.KNOWN_SETTINGS)
    values = {ws.cell(row, 1).value: ws.cell(row, 2).value for row in range(2, 9)}
    assert values[c.QUARTER] is None
    assert values[c.TIER_METHOD] == "percent"
    assert values[c.MISSING_SCORES] == "error"


def test_template_content(book: openpyxl.Workbook) -> None:
    factors = book[c.FACTORS]
    assert [(factors.cell(r, 1).value, factors.cell(r, 2).value) for r in range(2, 6)] == [
        ("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20),
        ("Market reach", 15),
    ]
    tiers = book[c.TIERS]
    assert [tiers.cell(r, 2).value for r in range(2, 5)] == [0.15, 0.30, None]
    assert tiers.cell(2, 2).number_format == "0%"
    assert [tiers.cell(r, 4).value for r in range(2, 5)] == [6, 2, 0]
    roster = book[c.ROSTER]
    assert all(cell.value is None for row in roster.iter_rows(min_row=2) for cell in row)
    assert roster.max_row >= 501


def test_the_blank_template_has_no_people_and_no_partners(book: openpyxl.Workbook) -> None:
    team = book[c.TEAM]
    assert all(cell.value is None for row in team.iter_rows(min_row=2) for cell in row)
    assert book[c.SETTINGS]["B2"].value is None  # no quarter either
    # example rows stand only on sheets that say, in their header row, that they are examples
    for name in (c.FACTORS, c.TIERS):
        assert EXAMPLE_NOTE in _header(book[name])
    for name in (c.SETTINGS, c.TEAM, c.ROSTER):
        assert EXAMPLE_NOTE not in _header(book[name])


def test_workbooks_with_content_carry_no_example_note(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "demo.xlsx", demo_content()))
    for name in (c.FACTORS, c.TIERS):
        assert EXAMPLE_NOTE not in _header(wb[name])


def _validations(ws: Worksheet) -> list[tuple[set[str], str, str]]:
    """(cells, type, formula1) of each data validation; cells as `E2`-style coordinates."""
    found = []
    for dv in ws.data_validations.dataValidation:
        cells = {f"{ref.split(':')[0]}" for ref in str(dv.sqref).split()}
        found.append((cells, dv.type, str(dv.formula1)))
    return found


def test_data_validations(book: openpyxl.Workbook) -> None:
    roster = book[c.ROSTER]
    header = [cell.value for cell in roster[1]]
    dvs = _validations(roster)
    for factor in DEFAULT_CONTENT.factors:
        letter = get_column_letter(header.index(factor.name) + 1)
        matching = [d for d in dvs if f"{letter}2" in d[0]]
        assert matching, f"no data validation on factor column {factor.name}"
        assert matching[0][1] == "decimal"
        assert "Settings!$B$3" in matching[0][2]
    override = get_column_letter(header.index(c.TIER_OVERRIDE) + 1)
    assert any(f"{override}2" in d[0] and d[1] == "list" and "Tiers!" in d[2] for d in dvs)

    settings = _validations(book[c.SETTINGS])
    lists = {next(iter(d[0])): d[2] for d in settings if d[1] == "list"}
    assert lists["B5"] == '"' + ",".join(c.TIER_METHODS) + '"'
    assert lists["B6"] == '"' + ",".join(c.MISSING_POLICIES) + '"'
    weights = _validations(book[c.FACTORS])
    assert any("B2" in d[0] and d[1] == "decimal" for d in weights)


def test_conditional_formatting(book: openpyxl.Workbook) -> None:
    roster = book[c.ROSTER]
    header = [cell.value for cell in roster[1]]

    def column(name: str) -> str:
        return get_column_letter(len(_roster_inputs(DEFAULT_CONTENT))
                                 + c.OUTPUT_COLUMNS.index(name) + 1)

    assert header[column_index_from_string(column(c.SCORE)) - 1] == c.SCORE
    rules = {str(cf.sqref): list(cf.rules) for cf in roster.conditional_formatting}
    score = rules[f"{column(c.SCORE)}2:{column(c.SCORE)}501"]
    assert any(r.type == "colorScale" for r in score)
    tier = rules[f"{column(c.TIER_OUT)}2:{column(c.TIER_OUT)}501"]
    formulas = " ".join(f for r in tier for f in r.formula)
    for row in (2, 3, 4):
        assert f"Tiers!$A${row}" in formulas
    assert f"{column(c.MOVEMENT)}2:{column(c.MOVEMENT)}501" in rules


def test_header_comments(book: openpyxl.Workbook) -> None:
    for name in (c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM, c.ROSTER):
        ws = book[name]
        for cell in ws[1]:
            if cell.value is not None:
                assert cell.comment is not None, f"{name}!{cell.coordinate} has no note"
    roster = book[c.ROSTER]
    first_output = len(_roster_inputs(DEFAULT_CONTENT)) + 1
    outputs = [cell for cell in roster[1] if cell.column >= first_output]
    assert [cell.value for cell in outputs] == list(c.OUTPUT_COLUMNS)
    for cell in outputs:
        assert cell.comment is not None
        assert "do not type here" in cell.comment.text


def test_freeze_panes(book: openpyxl.Workbook) -> None:
    assert book[c.ROSTER].freeze_panes == "C2"
    for name in (c.SETTINGS, c.FACTORS, c.TIERS, c.TEAM):
        assert book[name].freeze_panes == "A2"


def test_survives_openpyxl_round_trip(fresh: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(fresh)
    wb.save(tmp_path / "again.xlsx")
    again = openpyxl.load_workbook(tmp_path / "again.xlsx")
    assert again.sheetnames == SHEETS
    assert len(again[c.ROSTER].data_validations.dataValidation) == len(
        wb[c.ROSTER].data_validations.dataValidation)
    assert again[c.ROSTER]["A1"].comment is not None


# --- (3) demo content -----------------------------------------------------------------------


def test_demo_content() -> None:
    demo = demo_content()
    assert demo == demo_content()
    assert demo.quarter == "2026-Q4"
    assert demo.tier_method == "count"
    assert [t.size for t in demo.tiers] == [18, 40, None]
    assert len(demo.partners) == 140
    ids = [p[c.PARTNER_ID] for p in demo.partners]
    assert len(set(ids)) == 140
    assert ids[0] == "P-0001"
    assert len({p[c.PARTNER] for p in demo.partners}) == 140
    members = {m.name for m in demo.team}
    for partner in demo.partners:
        assert partner[c.PARTNER_MANAGER] in members
        for factor in demo.factors:
            score = partner[factor.name]
            assert isinstance(score, int)
            assert 1 <= score <= 5
        if partner.get(c.TIER_OVERRIDE):
            assert partner[c.TIER_OVERRIDE] in {t.name for t in demo.tiers}
            assert partner.get(c.OVERRIDE_REASON)
    focus = [m.focus_tiers for m in demo.team]
    assert sorted(focus) == ["Tier 1", "Tier 1", "Tier 1", "Tier 2, Tier 3"]
    assert [t.hours_per_tier for t in demo.tiers] == [None, 8, None]


def test_demo_workbook(tmp_path: Path) -> None:
    demo = demo_content()
    wb = openpyxl.load_workbook(write_workbook(tmp_path / "demo.xlsx", demo))
    settings = wb[c.SETTINGS]
    assert settings["B2"].value == "2026-Q4"
    assert settings["B5"].value == "count"
    roster = wb[c.ROSTER]
    assert [cell.value for cell in roster[2]][:2] == [
        demo.partners[0][c.PARTNER_ID], demo.partners[0][c.PARTNER]]
    assert roster.cell(141, 1).value == "P-0140"
    assert roster.cell(142, 1).value is None
    assert wb[c.TIERS]["B2"].number_format == "0"
