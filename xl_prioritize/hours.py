"""One way to show hours, in the sheets and in the terminal: one decimal (6.0, 0.5, 108.0)."""

from __future__ import annotations

HOURS_FORMAT = "0.0"
"""Excel's number format for hours."""


def hours_text(hours: float) -> str:
    """Hours as the sheets show them, for the terminal and plain-word guidance."""
    return f"{hours:.1f}"
