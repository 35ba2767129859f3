"""The three model checks over a workbook file: read, check, print, and write the Model sheet
only when asked."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from rich.console import Console

from ..adapters.atomic import workbook_lock
from ..adapters.files import refuse_if_open
from ..problems import InputErrors
from ..workbook.ownership import OwnedSheet, defined_names, read_ownership, record_op
from . import sensitivity as sens
from .book import FileBook, open_book
from .quarters import ModelData, load, load_book
from .sheet import MODEL, model_ops
from .validate import Validation, validate

MODEL_SHEET = {MODEL: OwnedSheet(("Factor validation",), begins=1)}
"""The Model sheet is the model checks' when recorded, or when it begins as they write it."""


def _write_model(book: FileBook, data: ModelData, validation: Validation,
                 stability: sens.Sensitivity) -> None:
    refuse_if_open(book.path)
    plan = model_ops(data.inputs, validation, stability)
    owned = read_ownership(book.sheet_names(), defined_names(book), book.read_grid, MODEL_SHEET)
    if owned.problems:
        raise InputErrors(owned.problems)
    book.apply([*plan, record_op(owned, plan)])
    book.save()


def _locked(path: Path, write: bool) -> AbstractContextManager[None]:
    """Held from reading to saving when the Model sheet is written: no other run's update is lost."""
    return workbook_lock(path) if write else nullcontext()


def validate_file(path: Path, console: Console, *, outcome: str | None = None,
                  write: bool = False) -> Validation:
    from .report import print_validation

    with _locked(path, write):
        book = open_book(path)
        try:
            data = load_book(book, outcome)
            result = validate(data)
            print_validation(result, console, path.name)
            if write:
                _write_model(book, data, result, sens.sensitivity(data.inputs))
                console.print(f"Wrote the Model sheet of {path.name}.")
        finally:
            book.close()
    return result


def sensitivity_file(path: Path, console: Console, *, write: bool = False,
                     draws: int = sens.DRAWS, spread: float = sens.SPREAD, seed: int = sens.SEED,
                     stability: float = sens.STABILITY) -> sens.Sensitivity:
    from .report import print_sensitivity

    with _locked(path, write):
        book = open_book(path)
        try:
            data = load_book(book, outcomes=write)
            result = sens.sensitivity(data.inputs, draws=draws, spread=spread, seed=seed,
                                      stability=stability)
            roster = data.inputs.roster
            print_sensitivity(result, roster.ids, roster.names, console, path.name)
            if write:
                _write_model(book, data, validate(data), result)
                console.print(f"Wrote the Model sheet of {path.name}.")
        finally:
            book.close()
    return result


def preview_file(path: Path, console: Console, *, weights: tuple[str, ...] = (),
                 sizes: tuple[str, ...] = (), hours: tuple[str, ...] = ()) -> None:
    from .preview import preview
    from .report import print_preview

    data = load(path, outcomes=False)
    print_preview(preview(data.inputs, weights, sizes, hours), console, path.name)
