"""What a re-score needs from a workbook, whatever holds it: a file or a live Excel."""

from __future__ import annotations

from typing import Protocol

from ..workbook.cells import Grid
from ..workbook.ops import Plan


class WorkbookAdapter(Protocol):
    def sheet_names(self) -> list[str]:
        """Every sheet's name, in workbook order."""
        ...

    def read_grid(self, sheet: str) -> Grid:
        """The sheet's used range from A1 as rows of plain values; formulas as `=...` text
        where the holder keeps them (files) or their values (live Excel)."""
        ...

    def read_values(self, sheet: str) -> Grid:
        """Like `read_grid`, with every formula replaced by its last calculated value."""
        ...

    def apply(self, plan: Plan) -> None:
        """Carry out the plan, in order."""
        ...
