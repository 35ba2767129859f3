"""Words the core shares with the workbook: the labels it writes and how names are compared."""

from __future__ import annotations

from functools import lru_cache

UNSCORED = "Unscored"
UNASSIGNED = "Unassigned"


@lru_cache(maxsize=4096)
def normalize_header(text: object) -> str:
    """How headers and keys are compared: case-folded, outer spaces dropped, inner runs folded."""
    if text is None:
        return ""
    return " ".join(str(text).split()).casefold()
