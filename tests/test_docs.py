"""The project's copy of the contract is the shared one, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "workbook-contract.md"


@pytest.mark.skipif(not SHARED.exists(), reason="no shared/ folder beside this checkout")
def test_docs_hold_the_current_contract() -> None:
    ours = (ROOT / "docs" / "workbook-contract.md").read_text(encoding="utf-8")
    assert ours == SHARED.read_text(encoding="utf-8"), (
        "docs/workbook-contract.md differs from shared/workbook-contract.md: copy the shared one"
    )


def test_readme_links_resolve() -> None:
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"
