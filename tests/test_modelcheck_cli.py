"""The model check commands: read-only unless --write; preview equals a re-score of the change;
the Model sheet; errors exit 2."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import digest, table
from tests.model_builders import history_workbook
from xl_prioritize.cli import cli
from xl_prioritize.core.compute import compute
from xl_prioritize.modelcheck.preview import BadChange, preview
from xl_prioritize.modelcheck.quarters import load
from xl_prioritize.modelcheck.sheet import MODEL

WIDE = {"COLUMNS": "250"}
COMMANDS = [
    ["validate-factors"],
    ["validate-factors", "--outcome", "Sourced pipeline"],
    ["sensitivity", "--draws", "300"],
    ["preview", "--weight", "Fit=60", "--size", "Tier 1=12", "--hours", "Tier 2=1.5"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_command_changes_the_file_without_write(tmp_path: Path, args: list[str]) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    before = digest(path)
    result = CliRunner().invoke(cli, [args[0], str(path), *args[1:]], env=WIDE)
    assert result.exit_code == 0, result.output
    assert digest(path) == before
    assert not list(tmp_path.glob(".~xlp-*"))


@pytest.mark.parametrize("command", ["validate-factors", "sensitivity"])
def test_write_adds_the_model_sheet_and_leaves_every_other_sheet_as_it_was(
    tmp_path: Path, command: str
) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    original = openpyxl.load_workbook(path)
    sheets = {name: table(path, name) for name in original.sheetnames}
    args = [command, str(path), "--write"] + (["--draws", "300"] if command == "sensitivity" else [])
    for _ in range(2):  # a second --write replaces the sheet, never duplicates it
        result = CliRunner().invoke(cli, args, env=WIDE)
        assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == [*original.sheetnames, MODEL]
    assert {name: table(path, name) for name in original.sheetnames} == sheets
    model = [row for row in book[MODEL].iter_rows(values_only=True)]
    column_a = [row[0] for row in model]
    assert column_a[0] == "Factor validation" and "Tier stability" in column_a
    header = column_a.index("Factor")
    assert [row[0] for row in model[header + 1:header + 5]] == ["Fit", "Reach", "Noise A", "Noise B"]
    fit = model[header + 1]
    assert fit[4] == max(row[4] for row in model[header + 1:header + 5])  # Spearman column
    assert len(book[MODEL]._charts) == 2


def test_preview_equals_a_rescore_with_the_change_made(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    inputs = load(path, outcomes=False).inputs
    shown = preview(inputs, ("fit = 60",), (" tier 1=12",), ("Tier 2=1.5",))
    assert shown.changes == ["Weight of Fit 25 → 60", "Size of Tier 1 10 → 12",
                             "Hours per partner of Tier 2 2 → 1.5"]
    book = openpyxl.load_workbook(path)
    book["Factors"]["B2"] = 60
    book["Tiers"]["B2"] = 12
    book["Tiers"]["D3"] = 1.5
    book.save(path)
    changed = compute(load(path, outcomes=False).inputs)
    assert shown.after.tier == changed.tier
    assert [r.coverage for r in shown.after.capacity.tiers] == [r.coverage for r in changed.capacity.tiers]
    assert shown.before.tier == compute(inputs).tier
    assert shown.moved == [i for i, (a, b) in enumerate(zip(shown.before.tier, changed.tier, strict=True))
                           if a != b]
    assert shown.moved  # the change does move someone


def test_preview_names_every_bad_change(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    inputs = load(path, outcomes=False).inputs
    with pytest.raises(BadChange) as raised:
        preview(inputs, ("Fit=0", "Revenue=3", "Reach=lots"), ("Tier 1=2.5", "Tier 9=3"), ("Tier 2=-1",))
    problems = raised.value.problems
    assert len(problems) == 6
    assert any("'Revenue' is not a factor" in p for p in problems)
    assert any("'Tier 9' is not a tier" in p for p in problems)
    result = CliRunner().invoke(cli, ["preview", str(path), "--weight", "Fit", "--hours", "=3",
                                      "--size", "Tier 9=1"], env=WIDE)
    assert result.exit_code == 2
    assert result.output.count("expected NAME=VALUE") == 2 and "'Tier 9' is not a tier" in result.output


def test_a_percent_size_over_100_is_refused(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx", settings={"Quarter": "2026-Q4",
                                                           "Tier method": "percent"},
                            tiers=[("Tier 1", 0.2, "A", 6), ("Tier 2", 0.3, "B", 2),
                                   ("Tier 3", None, "C", 0)])
    with pytest.raises(BadChange) as raised:
        preview(load(path, outcomes=False).inputs, sizes=("Tier 2=90%",))
    assert "110%" in raised.value.problems[0]


def test_input_errors_exit_2_and_write_nothing(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(path)
    book["Roster"]["C2"] = "high"
    book["Roster"]["G3"] = "n/a"
    book.save(path)
    before = digest(path)
    result = CliRunner().invoke(cli, ["validate-factors", str(path), "--write"], env=WIDE)
    assert result.exit_code == 2
    assert "Roster!C2" in result.output
    assert digest(path) == before


def test_the_commands_print_what_a_lead_acts_on(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    out = CliRunner().invoke(cli, ["validate-factors", str(path)], env=WIDE).output
    assert "Backtest" in out and "Tiers are not archived" in out and "never applied" in out
    out = CliRunner().invoke(cli, ["sensitivity", str(path), "--draws", "300"], env=WIDE).output
    assert "±20%" in out and "exp(0.2·Z)" in out and "seed 20262" in out
    out = CliRunner().invoke(cli, ["preview", str(path), "--weight", "Fit=60"], env=WIDE).output
    assert "would change tier" in out and "nothing written" in out and "Team load" in out


def test_partner_names_are_printed_as_text_not_markup(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    book = openpyxl.load_workbook(path)
    for row in range(2, 62):
        book["Roster"].cell(row, 2).value = "[red]Evil\u202e[/red]"
    book.save(path)
    out = CliRunner().invoke(cli, ["preview", str(path), "--weight", "Fit=90", "--weight",
                                   "Reach=1"], env=WIDE).output
    assert "would change tier" in out
    assert "[red]Evil[/red]" in out and "\u202e" not in out


def test_the_model_sheet_opens_in_libreoffice_and_survives_a_rescore(
    tmp_path: Path, recalc  # type: ignore[no-untyped-def]
) -> None:
    from xl_prioritize.rescore import rescore_file

    path = history_workbook(tmp_path / "h.xlsx")
    result = CliRunner().invoke(cli, ["sensitivity", str(path), "--draws", "300", "--write"], env=WIDE)
    assert result.exit_code == 0, result.output
    written = table(path, MODEL)
    rescore_file(path)
    assert table(path, MODEL) == written
    opened = openpyxl.load_workbook(recalc(path), data_only=True)
    assert MODEL in opened.sheetnames
    column_a = [row[0] for row in opened[MODEL].iter_rows(values_only=True)]
    assert column_a[0] == "Factor validation" and "Fit" in column_a


def test_write_keeps_the_charts_of_other_sheets(tmp_path: Path) -> None:
    import zipfile

    from xl_prioritize.rescore import rescore_file

    path = history_workbook(tmp_path / "h.xlsx")
    rescore_file(path)
    charts = sorted(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/"))
    assert charts  # the Capacity sheet's
    result = CliRunner().invoke(cli, ["sensitivity", str(path), "--draws", "300", "--write"], env=WIDE)
    assert result.exit_code == 0, result.output
    after = sorted(n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/"))
    assert len(after) == len(charts) + 2


def test_write_is_refused_while_excel_has_the_file_open_reading_is_not(tmp_path: Path) -> None:
    path = history_workbook(tmp_path / "h.xlsx")
    (tmp_path / "~$h.xlsx").write_bytes(b"owner")
    before = digest(path)
    refused = CliRunner().invoke(cli, ["sensitivity", str(path), "--draws", "300", "--write"], env=WIDE)
    assert refused.exit_code == 3 and "open in Excel" in refused.output
    assert digest(path) == before
    read = CliRunner().invoke(cli, ["validate-factors", str(path)], env=WIDE)
    assert read.exit_code == 0, read.output


def test_a_long_list_of_partners_changing_tier_fits_one_cell() -> None:
    from xl_prioritize.modelcheck.sheet import LISTED, which

    ids = [f"P-{i:05d}-{'x' * 60}" for i in range(5000)]
    text = which(ids, [(i, "Tier 2") for i in range(5000)])
    assert text is not None and len(text) < 32_767
    assert text.endswith(f"and {5000 - LISTED} more") and text.startswith("P-00000")
    assert which(ids, []) is None


def test_the_sensitivity_options_default_to_the_documented_draws() -> None:
    from xl_prioritize.modelcheck import sensitivity as sens

    defaults = {p.name: p.default for p in cli.commands["sensitivity"].params if p.name != "file"}
    assert defaults == {"draws": sens.DRAWS, "spread": sens.SPREAD, "seed": sens.SEED,
                        "stability": sens.STABILITY, "write": False}
