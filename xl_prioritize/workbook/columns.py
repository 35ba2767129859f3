"""Column letters without a workbook library: the button's import path loads none."""

from __future__ import annotations


def get_column_letter(index: int) -> str:
    """1 -> A, 27 -> AA, 16384 -> XFD (as openpyxl.utils.get_column_letter)."""
    if not 1 <= index <= 16384:
        raise ValueError(f"no column {index}: Excel has columns 1 to 16384")
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
