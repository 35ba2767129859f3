"""Shared fixtures: the LibreOffice recalculation harness (see tests/support/libreoffice.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from support.libreoffice import Recalc, recalculate, soffice_path

# Under CI the property tests run the same examples every time, with no per-example deadline: a
# loaded CI machine must not turn a slow example into a failure, nor a new random draw into a
# surprise at landing time. Locally they keep exploring.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

SOFFICE_MISSING = "LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui"


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of the LibreOffice executable; skips locally, fails under CI (CI=true), when it is absent."""
    path = soffice_path()
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{SOFFICE_MISSING} (required under CI)")
        pytest.skip(SOFFICE_MISSING)
    return path


@pytest.fixture
def recalc(soffice: str, tmp_path: Path) -> Recalc:
    """`recalc(src)` -> path of `src` recalculated by LibreOffice, in a fresh folder under tmp_path.

    Read the result with `openpyxl.load_workbook(path, data_only=True)`.
    """
    counter = 0

    def _recalc(src: Path) -> Path:
        nonlocal counter
        counter += 1
        return recalculate(src, tmp_path / f"recalculated-{counter}")

    return _recalc


@pytest.fixture(scope="session")
def rescored_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """The worked example with its three quarters re-scored: (path, the last re-score's Outcome).
    Shared, so read it; copy it before changing anything."""
    from xl_prioritize.demo import write_demo
    from xl_prioritize.rescore import rescore_file

    path = write_demo(tmp_path_factory.mktemp("demo") / "demo.xlsx")
    return path, rescore_file(path, run_by="tester")
