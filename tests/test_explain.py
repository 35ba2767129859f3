"""`core/explain.py` on small hand-made rosters, and `xl-prioritize explain` on a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
from builders import build_workbook
from click.testing import CliRunner

from xl_prioritize.cli import cli
from xl_prioritize.core.compute import compute
from xl_prioritize.core.explain import explain, find_partner
from xl_prioritize.model import Factor, Inputs, Roster, Settings, Tier

TIERS = [Tier("Gold", 1, "g", 0), Tier("Silver", 1, "s", 0), Tier("Bronze", None, "b", 0)]


def inputs_of(rows: list[list[float]], *, method: str = "count", tiers: list[Tier] = TIERS,
              overrides: list[str | None] | None = None, groups: list[str] | None = None,
              weights: tuple[float, ...] = (60, 40)) -> Inputs:
    ids = [f"P{i + 1}" for i in range(len(rows))]
    roster = Roster(ids, ids, [None] * len(rows), np.asarray(rows, dtype=float),
                    overrides or [None] * len(rows), ["why" if o else None for o in
                                                      overrides or [None] * len(rows)], groups)
    factors = [Factor(f"F{k + 1}", w) for k, w in enumerate(weights)]
    return Inputs(Settings("2026-Q4", tier_method=method), factors, tiers, [], roster)


def test_contributions_add_up_to_the_score_and_the_gap_to_the_tier_above() -> None:
    inputs = inputs_of([[5, 5], [2, 5], [2, 2]])
    results = compute(inputs)
    e = explain(inputs, results, 1)          # P2: 100*(0.6*2+0.4*5-1)/4 = 55, Silver
    assert e.score == pytest.approx(55.0)
    assert [f.contribution for f in e.factors] == pytest.approx([15.0, 40.0])
    assert sum(f.contribution for f in e.factors) == pytest.approx(e.score)
    assert [f.share for f in e.factors] == pytest.approx([0.6, 0.4])
    assert e.tier == "Silver" and e.tier_above == "Gold"
    assert e.boundary == pytest.approx(100.0) and e.missing == pytest.approx(45.0)
    assert [f.stepped for f in e.factors] == [3, 5]          # F2 is capped at Scale max
    assert [f.gain for f in e.factors] == pytest.approx([15.0, 0.0])
    assert e.one_step is None                 # no single +1 step closes 45 points
    assert e.smallest is not None
    assert (e.smallest.factor, e.smallest.before, e.smallest.after) == ("F1", 2, 5)
    assert e.smallest.gain == pytest.approx(45.0)
    assert e.above is not None and e.above.partner_id == "P1"
    assert e.below is not None and e.below.partner_id == "P3"


def test_a_step_is_capped_at_scale_max_and_none_within_the_scale() -> None:
    inputs = inputs_of([[5, 5], [5, 1], [1, 1]])
    results = compute(inputs)
    e = explain(inputs, results, 1)           # P2 = 60: F1 already at 5, F2 1 -> 5 gives 40
    assert e.factors[0].stepped == 5 and e.factors[0].gain == 0
    assert e.missing == pytest.approx(40.0)
    assert e.smallest is not None and (e.smallest.factor, e.smallest.after) == ("F2", 5)
    assert explain(inputs, results, 0).tier_above is None     # Gold is the top tier
    far = inputs_of([[5, 5], [1, 1], [1, 1]], tiers=[Tier("Gold", 1, "g", 0),
                                                     Tier("Rest", None, "r", 0)])
    e = explain(far, compute(far), 2)
    assert e.missing == pytest.approx(100.0)
    assert e.smallest is None and e.one_step is None          # none within the scale


def test_the_boundary_is_a_threshold_for_the_threshold_method() -> None:
    tiers = [Tier("Gold", 80, "g", 0), Tier("Silver", 50, "s", 0), Tier("Bronze", None, "b", 0)]
    inputs = inputs_of([[5, 5], [4, 3], [2, 2]], method="threshold", tiers=tiers)
    e = explain(inputs, compute(inputs), 1)
    assert (e.tier, e.tier_above, e.boundary) == ("Silver", "Gold", 80.0)
    assert e.missing == pytest.approx(15.0)
    assert e.one_step == "F1"                 # +15 from one step of F1: exactly enough
    assert e.smallest is not None and e.smallest.factor == "F1"


def test_overridden_partners_set_no_boundary_and_groups_have_their_own() -> None:
    inputs = inputs_of([[5, 5], [1, 1], [4, 4], [3, 3]], overrides=[None, "Gold", None, None])
    results = compute(inputs)
    assert results.tier[1] == "Gold"
    e = explain(inputs, results, 2)           # Silver; Gold holds P1 (100) and overridden P2 (0)
    assert e.boundary == pytest.approx(100.0)
    grouped = inputs_of([[5, 5], [4, 4], [2, 2], [1, 1]], groups=["a", "a", "b", "b"])
    results = compute(grouped)
    assert explain(grouped, results, 3).boundary == pytest.approx(25.0)   # Gold of group b: P3


def test_find_partner_by_id_or_name() -> None:
    inputs = inputs_of([[5, 5], [4, 3]])
    assert find_partner(inputs, "P2") == 1
    assert find_partner(inputs, " p1 ") == 0
    assert find_partner(inputs, "P9") is None


def test_explain_command(tmp_path: Path) -> None:
    rows = [["P1", "Alpha", None, 5, 5, 5, 5], ["P2", "Beta", None, 4, 3, 3, 4],
            ["P3", "Gamma", None, 1, 2, 1, 2], ["P4", "Delta", None, 3, 3, 3, 3]]
    path = build_workbook(tmp_path / "x.xlsx", roster_rows=rows)
    runner = CliRunner()
    result = runner.invoke(cli, ["explain", str(path), "P4"])
    assert result.exit_code == 0, result.output
    assert "P4 Delta: Score 50.0, #3, Tier 2" in result.output
    assert "Customer overlap" in result.output and "Total" in result.output
    assert "Just above: #2 P2 Beta" in result.output
    assert "Just below: #4 P3 Gamma" in result.output
    missing = runner.invoke(cli, ["explain", str(path), "P9"])
    assert missing.exit_code == 1 and "P9" in missing.output
    # the command wrote nothing: the Roster still has no output column
    assert "Score" not in [c.value for c in openpyxl.load_workbook(path)["Roster"][1]]
