"""`xl-prioritize audit`: each finding kind, made by editing a re-scored workbook as a person would
(with openpyxl, then again after a LibreOffice open-and-save), and a clean workbook audits clean."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from support.libreoffice import _write_profile

from xl_prioritize import audit as audit_module
from xl_prioritize.audit import Finding, Report, audit_file
from xl_prioritize.cli import cli
from xl_prioritize.demo import demo_content
from xl_prioritize.rescore import rescore_file
from xl_prioritize.template import write_workbook

NOW = dt.datetime(2026, 12, 1, 9, 0, 0)
ARCHIVE = "Archive 2026-Q4"
# The demo's Roster: A..K inputs, L Score, M Rank, N Tier, O Service level, P Previous tier,
# Q Movement, R Assigned to, S the hidden Score when tiered.


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo re-scored in 2026-Q4, then in 2027-Q1: an archive and two Log rows."""
    path = tmp_path_factory.mktemp("base") / "demo.xlsx"
    write_workbook(path, demo_content())
    rescore_file(path, run_by="lead", now=NOW)
    wb = openpyxl.load_workbook(path)
    wb["Settings"]["B2"] = "2027-Q1"
    wb.save(path)
    rescore_file(path, run_by="lead", now=NOW + dt.timedelta(days=90))
    return path


def found(report: Report) -> set[tuple[str, str]]:
    return {(f.code.value, f.where) for f in report.findings}


def other_tier(value: str) -> str:
    return "Tier 1" if value != "Tier 1" else "Tier 3"


def edit_tier(wb: Any) -> None:
    wb["Roster"]["N7"] = other_tier(wb["Roster"]["N7"].value)


def edit_factor(wb: Any) -> None:
    ws = wb["Roster"]
    ws["F9"] = 5 if ws["F9"].value != 5 else 1


def edit_weight(wb: Any) -> None:
    wb["Factors"]["B2"] = wb["Factors"]["B2"].value + 10


def edit_archive(wb: Any) -> None:
    ws = wb[ARCHIVE]
    ws["N3"] = other_tier(ws["N3"].value)


def sort_log_newest_first(wb: Any) -> None:
    ws = wb["Log"]
    rows = [[c.value for c in ws[r]] for r in (2, 3)]
    for r, values in zip((2, 3), reversed(rows), strict=True):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col).value = value


def add_log_row(wb: Any) -> None:
    ws = wb["Log"]
    ws.append([NOW + dt.timedelta(days=100), "2027-Q1", "someone", "File", 140, None, "x", "y"])


# name -> (edit, exact findings expected, or None when checked by `extra`)
EDITS: dict[str, tuple[Callable[[Any], None], set[tuple[str, str]]]] = {
    "score typed over": (lambda wb: wb["Roster"].__setitem__("L5", 42.0),
                         {("score-not-formula", "Roster!L5")}),
    "score formula edited": (lambda wb: wb["Roster"].__setitem__("L6", "=E6*20"),
                             {("score-formula-edited", "Roster!L6")}),
    "tier edited": (edit_tier, {("output-differs", "Roster!N7")}),
    "tier cleared": (lambda wb: wb["Roster"].__setitem__("N11", None),
                     {("output-differs", "Roster!N11")}),
    "rank edited": (lambda wb: wb["Roster"].__setitem__("M8", 999),
                    {("output-differs", "Roster!M8")}),
    "service level edited": (lambda wb: wb["Roster"].__setitem__("O3", "Gold"),
                             {("output-differs", "Roster!O3")}),
    "assigned to edited": (lambda wb: wb["Roster"].__setitem__("R2", "Nobody"),
                           {("output-differs", "Roster!R2")}),
    "archive edited": (edit_archive, {("archive-changed", f"'{ARCHIVE}'!A1:S141")}),
    "log row edited": (lambda wb: wb["Log"].__setitem__("C2", "someone else"),
                       {("log-edited", "Log!A2:H2")}),
    "log row added by hand": (add_log_row, {("log-edited", "Log!A4:H4")}),
    "log row deleted": (lambda wb: wb["Log"].delete_rows(3), {("log-edited", "Log!A3:H3")}),
    "log sorted newest first": (sort_log_newest_first, {
        ("log-edited", "Log!A2:H2"), ("log-edited", "Log!A3:H3"),
        ("log-out-of-order", "Log!A3"), ("log-out-of-order", "Log!B3")}),
}


def edited(base: Path, folder: Path, name: str, edit: Callable[[Any], None]) -> Path:
    path = folder / (name.replace(" ", "-") + ".xlsx")
    shutil.copy(base, path)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def libreoffice_round_trip(paths: list[Path], out_dir: Path) -> list[Path]:
    """Open and save each file in LibreOffice (recalculating), in one soffice run."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) not installed")
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        _write_profile(Path(profile))
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                        "--convert-to", "xlsx", "--outdir", str(out_dir), *map(str, paths)],
                       check=True, capture_output=True, timeout=600)
    return [out_dir / p.name for p in paths]


def test_the_rescored_demo_audits_clean(base: Path) -> None:
    report = audit_file(base)
    assert report.findings == [] and report.partners == 140
    assert report.notes == []     # everything was checkable: fingerprints and hidden column exist


@pytest.mark.parametrize("name", sorted(EDITS))
def test_each_edit_gives_exactly_its_finding(base: Path, tmp_path: Path, name: str) -> None:
    edit, expected = EDITS[name]
    assert found(audit_file(edited(base, tmp_path, name, edit))) == expected


def test_a_factor_edited_after_the_rescore_is_a_stale_score(base: Path, tmp_path: Path) -> None:
    report = audit_file(edited(base, tmp_path, "factor", edit_factor))
    assert found(report) == {("stale-score", "Roster!L9")}
    # the ranks it shifts are not findings of their own: the tiers were cut on other numbers
    assert any("inputs differ" in note for note in report.notes)
    assert any("will change at the next re-score" in note for note in report.notes)


def test_a_stale_score_does_not_hide_a_tier_edited_by_hand(base: Path, tmp_path: Path) -> None:
    def both(wb: Any) -> None:
        edit_factor(wb)
        edit_tier(wb)

    report = audit_file(edited(base, tmp_path, "both", both))
    assert found(report) == {("stale-score", "Roster!L9"), ("output-differs", "Roster!N7")}


def test_an_override_typed_after_the_rescore_outdates_its_tier(base: Path, tmp_path: Path) -> None:
    def override(wb: Any) -> None:
        ws = wb["Roster"]
        ws["I12"], ws["J12"] = other_tier(ws["N12"].value), "signed a joint plan"

    report = audit_file(edited(base, tmp_path, "override", override))
    assert ("output-differs", "Roster!N12") in found(report)
    assert set(report.codes) == {Finding.OUTPUT_DIFFERS}
    assert all("an input changed since the last re-score" in f.message for f in report.findings)


def test_a_weight_edited_makes_every_changed_score_stale(base: Path, tmp_path: Path) -> None:
    report = audit_file(edited(base, tmp_path, "weight", edit_weight))
    stale = [f for f in report.findings if f.code is Finding.STALE_SCORE]
    assert len(stale) > 100
    assert all(f.where.startswith("Roster!L") for f in stale)


COMBINED = ("score typed over", "score formula edited", "tier edited", "tier cleared",
            "rank edited", "service level edited", "assigned to edited", "archive edited",
            "log row edited")
"""Edits that touch different cells, made together in one workbook for the LibreOffice run."""
ALONE = ("log row added by hand", "log row deleted", "log sorted newest first")


def test_the_same_findings_after_a_libreoffice_open_and_save(base: Path, tmp_path: Path) -> None:
    folder = tmp_path / "edited"
    folder.mkdir()

    def combined(wb: Any) -> None:
        for name in COMBINED:
            EDITS[name][0](wb)

    sources = {name: edited(base, folder, name, EDITS[name][0]) for name in ALONE}
    sources["combined"] = edited(base, folder, "combined", combined)
    sources["factor"] = edited(base, folder, "factor", edit_factor)
    sources["clean"] = edited(base, folder, "clean", lambda wb: None)
    saved = dict(zip(sources, libreoffice_round_trip(list(sources.values()), tmp_path / "lo"),
                     strict=True))
    assert audit_file(saved["clean"]).findings == []
    for name in ALONE:
        assert found(audit_file(saved[name])) == EDITS[name][1], name
    union = set().union(*(EDITS[name][1] for name in COMBINED))
    assert found(audit_file(sources["combined"])) == union
    assert found(audit_file(saved["combined"])) == union
    assert found(audit_file(saved["factor"])) == {("stale-score", "Roster!L9")}


def test_exit_status_clean_findings_unreadable_and_failed(base: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    clean = runner.invoke(cli, ["audit", str(base)])
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output
    typed = edited(base, tmp_path, "typed", EDITS["score typed over"][0])
    result = runner.invoke(cli, ["audit", str(typed)])
    assert result.exit_code == 1
    assert "Roster!L5" in result.output and "score-not-formula" in result.output
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(b"not a workbook")
    assert runner.invoke(cli, ["audit", str(garbage)]).exit_code == 2
    broken = edited(base, tmp_path, "broken", lambda wb: wb["Settings"].__setitem__("B2", "Q1"))
    result = runner.invoke(cli, ["audit", str(broken)])
    assert result.exit_code == 2 and "Settings!B2" in result.output

    def fail(path: Path) -> Report:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit_module, "audit_file", fail)
    result = runner.invoke(cli, ["audit", str(base)])
    assert result.exit_code == 4 and "disk on fire" in result.output


def test_audit_changes_nothing(base: Path, tmp_path: Path) -> None:
    path = edited(base, tmp_path, "typed", EDITS["tier edited"][0])
    before = path.read_bytes()
    CliRunner().invoke(cli, ["audit", str(path)])
    assert path.read_bytes() == before
