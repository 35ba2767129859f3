"""The Score formula: what a person sees when they click a Score cell."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from . import contract as c
from .columns import get_column_letter


def weight_names(factors: Sequence[str]) -> list[str]:
    """One defined name per factor weight, e.g. `Weight_Customer_overlap`, unique and valid."""
    names: list[str] = []
    used: set[str] = set()
    for factor in factors:
        stem = re.sub(r"[^A-Za-z0-9]+", "_", factor).strip("_") or "factor"
        name = f"{c.WEIGHT_NAME_PREFIX}{stem}"
        candidate, n = name, 2
        while candidate.casefold() in used:
            candidate, n = f"{name}_{n}", n + 1
        used.add(candidate.casefold())
        names.append(candidate)
    return names


def score_formula(row: int | str, factor_cols: Sequence[int], names: Sequence[str], missing: str) -> str:
    """`=100*((Σ Weight_f*cell)/SUM(Weights)-ScaleMin)/(ScaleMax-ScaleMin)` for one Roster row.

    `lowest` reads a blank factor cell (empty or only spaces: anything but a number, since any other
    text is an input error) as ScaleMin; `exclude` leaves the Score empty ("") when any
    factor cell is blank. Factor columns are 1-based.
    """
    cells = [f"{get_column_letter(col)}{row}" for col in factor_cols]
    if missing == "lowest":
        terms = [f"{n}*IF(ISNUMBER({ref}),{ref},{c.NAME_SCALE_MIN})"
                 for n, ref in zip(names, cells, strict=True)]
    else:
        terms = [f"{n}*{ref}" for n, ref in zip(names, cells, strict=True)]
    body = (f"100*(({'+'.join(terms)})/SUM({c.NAME_WEIGHTS})-{c.NAME_SCALE_MIN})"
            f"/({c.NAME_SCALE_MAX}-{c.NAME_SCALE_MIN})")
    if missing == "exclude":
        return f'=IF(COUNT({",".join(cells)})<{len(cells)},"",{body})'
    return f"={body}"


ROW_MARK = "\x00"
"""Stands for the row number in a formula built once for every row (no name or letter holds it)."""


def score_formula_for_rows(factor_cols: Sequence[int], names: Sequence[str],
                           missing: str) -> Callable[[int], str]:
    """`score_formula` of any row: the text is built once and the row number joined in."""
    parts = score_formula(ROW_MARK, factor_cols, names, missing).split(ROW_MARK)
    return lambda row: str(row).join(parts)


def absolute(sheet: str, row: int, col: int) -> str:
    return f"{c.quote_sheet(sheet)}!${get_column_letter(col)}${row}"


def absolute_range(sheet: str, row1: int, col1: int, row2: int, col2: int) -> str:
    return (f"{c.quote_sheet(sheet)}!${get_column_letter(col1)}${row1}:"
            f"${get_column_letter(col2)}${row2}")
