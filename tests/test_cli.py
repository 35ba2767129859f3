"""The command line: help with examples, documented commands, exit codes and the demo."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.builders import build_workbook, digest, table
from xl_prioritize.cli import cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
WIDE = {"COLUMNS": "250"}
ROWS = [["P1", "Alpha", "Ana", 5, 4, 3, 2], ["P2", "Beta", None, 3, 3, 3, 3],
        ["P3", "Gamma", None, 1, 2, 1, 2], ["P4", "Delta", None, 4, 4, 4, 4]]


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += leaf_commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


COMMANDS = leaf_commands(cli)


def test_the_commands_are_found() -> None:
    assert {"rescore", "template", "demo"} <= {path[-1] for path in COMMANDS}


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    assert f"xl-prioritize {' '.join(path)}" in result.output


@pytest.mark.skipif(not README.exists(), reason="README not written yet")
@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_is_documented_in_the_readme(path: tuple[str, ...]) -> None:
    text = README.read_text(encoding="utf-8")
    if len(path) == 1:
        assert f"xl-prioritize {path[0]}" in text
    else:
        # a subcommand: named on a README line that names its group's command
        group = f"xl-prioritize {' '.join(path[:-1])}"
        lines = [line for line in text.splitlines() if group in line]
        assert any(re.search(rf"\b{re.escape(path[-1])}\b", line.split(group, 1)[1]) for line in lines)


# --- rescore: exit codes ----------------------------------------------------------------------

def test_rescore_exit_0_prints_the_tier_summary(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "book.xlsx", roster_rows=ROWS)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert "2026-Q4" in result.output and "4 partners" in result.output
    # scores 71.25, 50, 11.25, 75 → count tiers 2 / 3 / rest: Tier 1 holds P4 and P1, Tier 2 the rest
    assert {r["Partner ID"]: r["Tier"] for r in table(path, "Roster")} == {
        "P1": "Tier 1", "P2": "Tier 2", "P3": "Tier 2", "P4": "Tier 1"}
    assert re.search(r"Tier 1\s*│\s*2\s*│", result.output)
    assert re.search(r"Tier 2\s*│\s*2\s*│", result.output)
    assert len(table(path, "Log")) == 1


def test_rescore_exit_2_on_input_errors(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "book.xlsx",
                          roster_rows=[*ROWS, ["P5", "Eps", None, 3, "n/a", 3, 3]])
    before = digest(path)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 2
    assert "Roster!E6" in result.output and "'n/a'" in result.output
    assert digest(path) == before


@pytest.mark.parametrize("lock_name", ["~$book-2026.xlsx", "~$ok-2026.xlsx"])
def test_rescore_exit_3_when_excel_has_the_file_open(tmp_path: Path, lock_name: str) -> None:
    path = build_workbook(tmp_path / "book-2026.xlsx", roster_rows=ROWS)
    (tmp_path / lock_name).write_bytes(b"\x05owner")
    before = digest(path)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 3, result.output
    assert "open in Excel" in result.output
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, lock_name])


def test_rescore_a_lock_file_of_another_workbook_does_not_refuse(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "book.xlsx", roster_rows=ROWS)
    (tmp_path / "~$other.xlsx").write_bytes(b"\x05owner")
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output


# --- demo -------------------------------------------------------------------------------------

def test_demo_writes_a_workbook_and_prints_the_tier_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], env=WIDE)
    assert result.exit_code == 0, result.output
    path = tmp_path / "xl-prioritize-demo.xlsx"
    assert path.exists()
    roster = table(path, "Roster")
    assert len(roster) == 140
    counts = Counter(r["Tier"] for r in roster)
    assert sum(counts.values()) == 140
    assert "140 partners" in result.output
    for tier, count in counts.items():
        assert re.search(rf"{re.escape(tier)}\s*│\s*{count}\s*│", result.output), (tier, count)
    assert counts == {"Tier 1": 18, "Tier 2": 40, "Tier 3": 82}
    assert [r["Quarter"] for r in table(path, "Log")] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert "Archived last quarter's results to 'Archive 2026-Q3'" in result.output
    assert "Moved up (" in result.output and "Moved down (" in result.output
    shown = README.read_text(encoding="utf-8").split("It prints:\n\n```\n", 1)[1].split("\n```")[0]
    assert result.output.rstrip("\n") == shown, "README shows another output than the demo prints"


def test_demo_to_a_named_path(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    result = CliRunner().invoke(cli, ["demo", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert {r["Tier"] for r in table(path, "Roster")} >= {"Tier 1", "Tier 2", "Tier 3"}
