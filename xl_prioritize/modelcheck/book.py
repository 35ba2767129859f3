"""The workbook file the model checks read and, on `--write`, write the Model sheet into."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Protocol

from ..adapters.base import WorkbookAdapter
from ..adapters.files import FileWorkbook
from ..ooxml.identify import identify


class FileBook(WorkbookAdapter, Protocol):
    path: Path

    def save(self) -> None: ...

    def close(self) -> None: ...


def open_book(path: Path | str) -> FileBook:
    """The part writer (`adapters.package`: only the parts it owns are rewritten, everything else
    kept byte for byte) where this install has it, else the openpyxl file adapter. A file that
    is no workbook (or not a safe one) is refused first, in one line."""
    identify(path)
    try:
        package = importlib.import_module("xl_prioritize.adapters.package")
    except ModuleNotFoundError:
        return FileWorkbook(Path(path))
    return package.PackageWorkbook(Path(path))  # type: ignore[no-any-return]
