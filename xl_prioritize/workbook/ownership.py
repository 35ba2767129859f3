"""What in a workbook belongs to the re-score, so that nothing of the user's is overwritten.

The re-score records the sheets and defined names it made in one hidden defined name,
`_xlp_owned`, whose value is a text constant: `"sheet:Capacity/sheet:Compare/name:Weights/..."`
(`/` cannot occur in a sheet or defined name; literals longer than Excel's 255 characters are
joined with `&`). A sheet named Capacity, Compare, Log or Results snapshot, or a defined name the
Score formula uses (ScaleMin, ScaleMax, Weights, Weight_<factor>), is the re-score's when it is
recorded there, or when it is one a re-score made before the record existed (adopted, then
recorded):
- a sheet whose row 1 begins with the contract's header row for it, or which holds no values at all
  (nothing of the user's to lose); the snapshot sheet when its rows decode as a snapshot;
- a name that refers to the very cells (or constant) this re-score would point it at.
Anything else of those names is the user's and stops the run (exit 2): `not-owned-sheet`,
`name-taken`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..problems import Code, Problem, describe
from . import contract as c
from .cells import Grid, is_blank
from .ops import DefineName, EnsureSheet, Plan
from .parse import find_sheet
from .snapshot import decode_rows

RECORD_NAME = "_xlp_owned"
SEPARATOR = "/"
MAX_LITERAL = 255

@dataclass(frozen=True)
class OwnedSheet:
    """A sheet the re-score writes, and the row 1 that makes one it did not record its own."""

    header: tuple[str, ...]
    """The contract's header row, quoted in the message."""
    begins: int
    """How many of its first headers row 1 must begin with (fewer than all where earlier versions
    wrote other columns after them)."""
    subset: bool = False
    """Instead: row 1's headers are any of the contract's, in any order (hand-made Logs)."""

    def adopts(self, first_row: Sequence[object]) -> bool:
        found = [c.normalize_header(v) for v in first_row]
        wanted = [c.normalize_header(h) for h in self.header]
        if self.subset:
            filled = [v for v in found if v]
            return bool(filled) and set(filled) <= set(wanted) and wanted[1] in filled
        return found[:self.begins] == wanted[:self.begins]


OWNED_SHEETS: dict[str, OwnedSheet] = {
    c.CAPACITY: OwnedSheet(c.CAPACITY_TIER_HEADERS, begins=3),
    c.COMPARE: OwnedSheet(c.COMPARE_HEADERS, begins=len(c.COMPARE_HEADERS)),
    c.LOG: OwnedSheet(c.LOG_HEADERS, begins=len(c.LOG_HEADERS), subset=True),
    c.SCORECARD: OwnedSheet((c.SCORECARD_TITLE,), begins=1),
}
"""Sheets a re-score writes, by the row 1 that makes one adoptable. Modules that add a sheet
(Scorecard, Model) register it here."""

_LITERAL = re.compile(r'"((?:[^"]|"")*)"')


@dataclass(frozen=True)
class Ownership:
    """The sheets and names a re-score owns, from the workbook's record of them."""

    sheets: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list, compare=False)

    def owns_sheet(self, sheet: str) -> bool:
        return sheet.casefold() in {s.casefold() for s in self.sheets}

    def owns_name(self, name: str) -> bool:
        return name.casefold() in {n.casefold() for n in self.names}


def parse_record(refers_to: str | None) -> Ownership:
    """The record from the name's value: `"sheet:A/name:B"`, possibly `"..."&"..."`."""
    if not refers_to:
        return Ownership()
    text = "".join(m[1].replace('""', '"') for m in _LITERAL.finditer(refers_to))
    sheets, names = [], []
    for item in filter(None, text.split(SEPARATOR)):
        kind, _, name = item.partition(":")
        (sheets if kind == "sheet" else names if kind == "name" else []).append(name)
    return Ownership(tuple(sheets), tuple(names))


def record_text(sheets: Sequence[str], names: Sequence[str]) -> str:
    """The record as a defined name's value: text literals of at most 255 characters, joined."""
    items = [f"sheet:{s}" for s in sheets] + [f"name:{n}" for n in names]
    text = SEPARATOR.join(items).replace('"', '""')
    return "&".join(f'"{chunk}"' for chunk in _chunks(text))


def _chunks(text: str) -> list[str]:
    """Pieces of at most 255 characters that never split a doubled quote."""
    chunks, current = [], ""
    i = 0
    while i < len(text):
        piece = text[i:i + 2] if text.startswith('""', i) else text[i]
        if len(current) + len(piece) > MAX_LITERAL:
            chunks.append(current)
            current = ""
        current += piece
        i += len(piece)
    return [*chunks, current]


def defined_names(book: object) -> dict[str, str]:
    """The workbook-level defined names and what they refer to (no leading `=`), where the
    adapter can tell; empty where it cannot."""
    reader: Callable[[], Mapping[str, str]] | None = getattr(book, "defined_names", None)
    return dict(reader()) if reader is not None else {}


def read_ownership(sheet_names: list[str], names: Mapping[str, str],
                   read_grid: Callable[[str], Grid],
                   sheets: Mapping[str, OwnedSheet] | None = None) -> Ownership:
    """The record, and a problem for each sheet of an owned name that is the user's. Only the
    sheets not recorded are read. `sheets`: the ones a writer other than the re-score writes
    (the Model sheet), instead of the re-score's."""
    record = parse_record(_lookup(names, RECORD_NAME))
    problems: list[Problem] = []
    for contract_name, owned in (OWNED_SHEETS if sheets is None else sheets).items():
        actual = find_sheet(sheet_names, contract_name)
        if actual is None or record.owns_sheet(actual):
            continue
        grid = read_grid(actual)
        if not (_empty(grid) or owned.adopts(list(grid[0]) if grid else [])):
            problems.append(_not_owned(actual, contract_name, grid, owned.header))
    snapshot = find_sheet(sheet_names, c.SNAPSHOT) if sheets is None else None
    if snapshot is not None and not record.owns_sheet(snapshot):
        grid = read_grid(snapshot)
        if not (_empty(grid) or decode_rows(grid)):
            problems.append(Problem(
                Code.NOT_OWNED_SHEET, c.row_ref(snapshot, 1),
                f"is a sheet named {snapshot} that xl-prioritize did not make (it keeps its own "
                "hidden copy of the results under that name); rename your sheet and run again"))
    return Ownership(record.sheets, record.names, problems)


def name_problems(names: Mapping[str, str], record: Ownership, planned: Plan) -> list[Problem]:
    """A name the plan defines that the workbook already has, for something else, is the user's."""
    problems = []
    for op in planned:
        if not isinstance(op, DefineName) or op.name == RECORD_NAME or record.owns_name(op.name):
            continue
        spelled = next((k for k in names if k.casefold() == op.name.casefold()), None)
        existing = names[spelled] if spelled is not None else None
        if spelled is not None and existing is not None and not _same_target(existing, op.refers_to):
            problems.append(Problem(
                Code.NAME_TAKEN, f"name {spelled}",
                f"is a defined name of the workbook's own (it refers to {existing}); the Score "
                f"formula needs {op.name} to refer to {op.refers_to}: rename yours (Formulas > "
                "Name Manager) and run again"))
    return problems


def record_op(before: Ownership, plan: Plan) -> DefineName:
    """The record after this plan: what was recorded, and every sheet and name the plan makes."""
    sheets = list(before.sheets)
    names = list(before.names)
    for op in plan:
        if isinstance(op, EnsureSheet) and not any(s.casefold() == op.sheet.casefold() for s in sheets):
            sheets.append(op.sheet)
        if (isinstance(op, DefineName) and op.name != RECORD_NAME
                and not any(n.casefold() == op.name.casefold() for n in names)):
            names.append(op.name)
    return DefineName(RECORD_NAME, record_text(sorted(sheets, key=str.casefold),
                                               sorted(names, key=str.casefold)), hidden=True)


def _empty(grid: Grid) -> bool:
    return all(is_blank(v) for line in grid for v in line)


def _not_owned(actual: str, contract_name: str, grid: Grid, header: tuple[str, ...]) -> Problem:
    found = [describe(v) for v in (grid[0] if grid else [])][:len(header)]
    return Problem(
        Code.NOT_OWNED_SHEET, c.row_ref(actual, 1),
        f"is a sheet named {actual} that xl-prioritize did not make (row 1 holds {', '.join(found)}; "
        f"a {contract_name} sheet the re-score writes begins {', '.join(header)}); the re-score "
        "would overwrite it, so nothing was written: rename your sheet and run again")


def _lookup(names: Mapping[str, str], wanted: str) -> str | None:
    folded = wanted.casefold()
    return next((v for k, v in names.items() if k.casefold() == folded), None)


def _normal(refers_to: str) -> str:
    return refers_to.lstrip("=").replace("$", "").replace("'", "").replace(" ", "").casefold()


def _same_target(existing: str, planned: str) -> bool:
    return _normal(existing) == _normal(planned)
