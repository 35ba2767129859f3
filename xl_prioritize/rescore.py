"""One re-score, whatever holds the workbook: read grids, validate, compute, plan, apply."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import getpass
import itertools
from collections.abc import Callable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path

from .adapters.atomic import refuse_if_open, workbook_lock
from .adapters.base import WorkbookAdapter
from .core.compute import compute
from .model import Inputs, Results
from .problems import InputErrors, Problem, UnreadableWorkbook
from .workbook import contract as c
from .workbook.cells import Formula, Grid, with_values
from .workbook.ops import Plan
from .workbook.ownership import defined_names, name_problems, read_ownership, record_op
from .workbook.parse import Parsed, find_sheet, parse_log, parse_workbook
from .workbook.plan import RunInfo, Seen, build_plan, name_ops
from .workbook.scorecard_sheet import PICK_ROW
from .workbook.snapshot import decode_rows
from .workbook.staleness import Changes, changes_since_last_run

Progress = Callable[[str], None]


@dataclass
class Outcome:
    """What a successful re-score did, for the summary a person reads."""

    quarter: str
    partners: int
    tier_counts: dict[str, int]
    warnings: list[Problem]
    archived: str | None
    guidance: list[str]
    inputs: Inputs
    results: Results
    plan: Plan = field(repr=False)
    changes: Changes | None = None
    """Partners whose own inputs changed since the last re-score, and how many of them moved."""


def current_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def has_input_formulas(grid: Grid, skip_columns: AbstractSet[int] = frozenset()) -> bool:
    """Whether a cell outside `skip_columns` holds a formula: the kinds of value the grid holds are
    collected without a Python call per cell."""
    cells = itertools.chain.from_iterable(grid)
    if skip_columns:
        width = max(map(len, grid), default=0)
        kept = [i not in skip_columns for i in range(width)]
        cells = itertools.chain.from_iterable(map(itertools.compress, grid, itertools.repeat(kept)))
    return any(issubclass(kind, Formula) for kind in set(map(type, cells)))


class LazyGrids(Mapping[str, Grid]):
    """Grids by key, each read from its sheet the first time it is asked for."""

    def __init__(self, sheets: dict[str, str], read_grid: Callable[[str], Grid]) -> None:
        self._sheets = sheets
        self._read = read_grid
        self._grids: dict[str, Grid] = {}

    def __getitem__(self, key: str) -> Grid:
        if key not in self._grids:
            self._grids[key] = self._read(self._sheets[key])
        return self._grids[key]

    def __contains__(self, key: object) -> bool:  # without reading the sheet
        return key in self._sheets

    def __iter__(self) -> Iterator[str]:
        return iter(self._sheets)

    def __len__(self) -> int:
        return len(self._sheets)


def read_workbook(book: WorkbookAdapter) -> tuple[Parsed, Grid]:
    """Read and validate every sheet a re-score uses; raises InputErrors, having written nothing.

    A partner manager's distributed copy is refused whole (`manager-copy`): re-scoring one
    manager's partners on their own means nothing."""
    names = book.sheet_names()
    copy_sheet = find_sheet(names, c.SENT)
    if copy_sheet is not None:
        from .workbook.sent import is_record, manager_copy_problem  # only for a manager's copy

        if is_record(record := book.read_grid(copy_sheet)):
            raise InputErrors([manager_copy_problem(record, copy_sheet)])
    read: dict[str, Grid] = {}
    for name in (*c.INPUT_SHEETS, c.LOG):
        actual = find_sheet(names, name)
        if actual is not None:
            read[name] = book.read_grid(actual)
    for name, grid in list(read.items()):
        skip: set[int] = set()
        if name == c.ROSTER and grid:
            skip = set(c.find_columns(grid[0], c.OUTPUT_COLUMNS).values())
        if name != c.LOG and has_input_formulas(grid, skip):
            read[name] = with_values(grid, book.read_values(find_sheet(names, name)))  # type: ignore[arg-type]
    # archives and the snapshot are read only when used: earlier archives make the history, the
    # snapshot is archived only when the Quarter has moved on
    archives = LazyGrids({q: n for n in names if (q := c.quarter_of_archive(n))}, book.read_grid)

    def last_results() -> Grid | None:
        snapshot_sheet = find_sheet(names, c.SNAPSHOT)
        snapshot: Grid | None = None
        if snapshot_sheet is not None:
            snapshot = decode_rows(book.read_grid(snapshot_sheet)) or None
        if snapshot is None and parse_log(read.get(c.LOG))[2] is not None and c.ROSTER in read:
            snapshot = book.read_values(find_sheet(names, c.ROSTER))  # type: ignore[arg-type]
        return snapshot

    parsed = parse_workbook(names, read, archives, last_results)
    return parsed, read[c.ROSTER]


def read_seen(book: WorkbookAdapter) -> Seen:
    """The Scorecard's pick: what the plan keeps of the sheet it rewrites."""
    names = book.sheet_names()
    scorecard = find_sheet(names, c.SCORECARD)
    pick = None
    if scorecard is not None:
        grid = book.read_grid(scorecard)
        line = grid[PICK_ROW - 1] if len(grid) >= PICK_ROW else []
        pick = line[1] if len(line) > 1 else None
    return Seen(pick)


def rescore_book(
    book: WorkbookAdapter, info: RunInfo, progress: Progress | None = None
) -> Outcome:
    """Re-score a workbook through any adapter. Nothing is written unless every input is valid."""
    step = progress or (lambda _: None)
    step("Reading and checking the inputs")
    names = defined_names(book)
    owned = read_ownership(book.sheet_names(), names, book.read_grid)
    try:
        parsed, roster_grid = read_workbook(book)
    except UnreadableWorkbook:
        raise
    except InputErrors as errors:
        raise InputErrors([*errors.problems, *owned.problems], errors.source) from None
    problems = [*owned.problems, *name_problems(names, owned, name_ops(parsed))]
    if problems:
        raise InputErrors(problems)
    step("Scoring, ranking and tiering")
    results = compute(parsed.inputs)
    plan = build_plan(parsed, results, roster_grid, info, read_seen(book))
    plan.append(record_op(owned, plan))
    changes = changes_since_last_run(parsed, roster_grid, results)
    del roster_grid  # not held while the file is written, the run's largest step
    step("Writing results")
    book.apply(plan)
    inputs = parsed.inputs
    return Outcome(
        quarter=inputs.settings.quarter,
        partners=len(inputs.roster),
        tier_counts=results.tier_counts(inputs.tier_names),
        warnings=[*inputs.warnings, *results.warnings],
        archived=c.archive_sheet_name(parsed.archive[0]) if parsed.archive else None,
        guidance=results.capacity.guidance,
        inputs=inputs,
        results=results,
        plan=plan,
        changes=changes,
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for one run, then as it was: a re-score makes a few hundred
    thousand small objects and no cycles that matter, and the collector's passes over them cost
    ~30 ms of a 5,000-partner run (peak memory the same, measured to 50,000)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rescore_file(
    path: Path | str,
    *,
    mode: str = "File",
    run_by: str | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Re-score a workbook file in place, atomically. Raises InputErrors (file untouched) or
    WorkbookBusy when Excel has the file open."""
    with collector_paused():
        return _rescore_file(Path(path), mode, run_by, now, progress)


def _rescore_file(path: Path, mode: str, run_by: str | None, now: dt.datetime | None,
                  progress: Progress | None) -> Outcome:
    from .adapters.package import PackageWorkbook
    from .ooxml.identify import identify  # lxml: not on the button's path either

    refuse_if_open(path)
    identify(path)
    step = progress or (lambda _: None)
    with workbook_lock(path):
        step(f"Opening {path.name}")
        book = PackageWorkbook(path)
        try:
            info = RunInfo(now or dt.datetime.now(), run_by or current_user(), mode)
            outcome = rescore_book(book, info, progress)
            step(f"Saving {path.name}")
            book.save()
        finally:
            book.close()
    return outcome
