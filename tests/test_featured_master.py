"""A master with a table, drop-downs, sparklines, a data bar, a note, a text box, a picture and a button
on the Roster itself, and a dashboard chart over it: a re-score keeps all of it, byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.corpus import parts
from support.featured import featured_master
from support.package_checks import (
    assert_roster_inputs_unchanged,
    assert_untouched,
    cached_scores,
    output_columns,
    owned_parts,
    sheet_elements,
    sheet_part,
)

from xl_prioritize.rescore import rescore_file

pytest.importorskip("xl_prioritize.adapters.package", reason="the package-part writer is not built yet")

KEPT_ON_ROSTER = ("tableParts", "drawing", "legacyDrawing", "extLst", "dataValidations")


def test_a_rescore_keeps_what_the_lead_keeps_on_the_roster(tmp_path: Path) -> None:
    path = featured_master(tmp_path / "master.xlsx")
    roster = sheet_part(path, "Roster")
    before = parts(path)
    owned = owned_parts(path, roster)
    kept = sheet_elements(before[roster], KEPT_ON_ROSTER)
    assert all(kept[name] for name in KEPT_ON_ROSTER), "the fixture lacks a feature it should carry"
    for _ in range(2):
        outcome = rescore_file(path)
        after = parts(path)
        assert_untouched(before, after, owned)
        assert sheet_elements(after[roster], KEPT_ON_ROSTER) == kept
        assert_roster_inputs_unchanged(before[roster], after[roster], set(output_columns(path).values()))
    cached = cached_scores(path)
    for pid, score in zip(outcome.inputs.roster.ids, outcome.results.score, strict=True):
        assert cached[pid] == pytest.approx(float(score), abs=1e-9)


def test_libreoffice_opens_the_rescored_master_and_computes_the_same_scores(
    tmp_path: Path, recalc
) -> None:
    path = featured_master(tmp_path / "master.xlsx")
    outcome = rescore_file(path)
    recalculated = recalc(path)
    scores = cached_scores(recalculated)
    for pid, score in zip(outcome.inputs.roster.ids, outcome.results.score, strict=True):
        assert scores[pid] == pytest.approx(float(score), abs=1e-9)
