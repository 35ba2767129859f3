"""One way to show hours, in the sheets and in the terminal: at least one decimal, at most two
(6.0, 0.75, 0.5, 108.0), as Excel's `0.0#` shows them."""

from __future__ import annotations

HOURS_FORMAT = "0.0#"
"""Excel's number format for hours (the Capacity sheet uses the same)."""


def hours_text(hours: float) -> str:
    """Hours as the sheets show them, for the terminal."""
    text = f"{hours:.2f}"
    return text[:-1] if text.endswith("0") else text
