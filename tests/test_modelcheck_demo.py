"""The worked example, once it carries history: the model checks find what it was built with.

The demo's quarters carry a simulated `Sourced pipeline` that two of its four factors predict
(the two it weights most). Until the demo has archived quarters with that column, this skips.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import xl_prioritize
from tests.builders import digest
from xl_prioritize.cli import cli
from xl_prioritize.modelcheck.quarters import load
from xl_prioritize.modelcheck.sensitivity import sensitivity
from xl_prioritize.modelcheck.validate import validate


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    result = CliRunner().invoke(cli, ["demo", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_validation_finds_the_two_predictive_factors_and_weights_toward_them(demo: Path) -> None:
    data = load(demo)
    if data.outcome is None or len(data.quarters) < 2:
        pytest.skip("the demo has no archived quarters with an Outcome yet")
    result = validate(data)
    ranked = sorted(result.factors, key=lambda f: f.rho, reverse=True)
    predictive, other = ranked[:2], ranked[2:]
    assert all(f.low > 0.3 for f in predictive)
    assert all(f.low < 0 < f.high for f in other)  # no evidence either way
    assert min(f.suggested for f in predictive) > max(f.suggested for f in other)
    assert {f.name for f in predictive} == {f.name for f in sorted(
        data.inputs.factors, key=lambda f: f.weight, reverse=True)[:2]}
    assert result.backtests and not result.notes


def test_sensitivity_and_read_on_the_demo(demo: Path) -> None:
    before = digest(demo)
    data = load(demo, outcomes=False)
    result = sensitivity(data.inputs, draws=2000)
    assert 0 < len(result.unstable) < len(data.inputs.roster) // 4
    assert result.rank_correlation.mean() > 0.9
    frames = xl_prioritize.read(demo)
    assert len(frames.roster) == len(data.inputs.roster)
    assert list(frames.capacity["Tier"])[:3] == data.inputs.tier_names
    assert digest(demo) == before
