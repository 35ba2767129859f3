"""Checks that a re-score edited only what it owns in a package: parts, styles, strings, cells."""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import openpyxl
from lxml import etree
from python_calamine import CalamineWorkbook

from .corpus import MAIN_NS

OUTPUT_HEADERS = ("Score", "Rank", "Tier", "Service level", "Previous tier", "Movement", "Assigned to",
                  "Score when tiered")
"""The contract's outputs and the hidden owned column after them (docs/contract-readings.md)."""
STYLE_LISTS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs")


def book_parts(path: Path) -> tuple[str, str, dict[str, str]]:
    """(workbook part, its rels part, relationship type suffix -> target part) of a package."""
    with zipfile.ZipFile(path) as zf:
        root_rels = etree.fromstring(zf.read("_rels/.rels"))
        book = next(r.get("Target").lstrip("/") for r in root_rels
                    if r.get("Type").endswith("/officeDocument"))
        directory = PurePosixPath(book).parent
        rels_part = str(directory / "_rels" / (PurePosixPath(book).name + ".rels"))
        rels = etree.fromstring(zf.read(rels_part))
        targets = {r.get("Type").rsplit("/", 1)[-1]: _resolve(directory, r.get("Target")) for r in rels
                   if r.get("TargetMode") != "External"}
    return book, rels_part, targets


def _resolve(directory: PurePosixPath, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else str(directory / target)


def owned_parts(path: Path, roster_part: str) -> set[str]:
    book, rels_part, targets = book_parts(path)
    return {"[Content_Types].xml", book, rels_part, "docProps/app.xml", roster_part,
            *(targets[t] for t in ("styles", "sharedStrings", "calcChain") if t in targets)}


def assert_untouched(before: dict[str, bytes], after: dict[str, bytes], owned: set[str]) -> None:
    changed = [name for name, data in before.items() if name not in owned and after.get(name) != data]
    assert not changed, f"parts the tool does not own changed or vanished: {changed}"
    removed = [name for name in owned if name in before and name not in after
               and not name.endswith("calcChain.xml")]
    assert not removed, f"owned parts removed: {removed}"


def _children(xml: bytes, name: str) -> list[bytes]:
    root = etree.fromstring(xml)
    found = root.find(f"{{{MAIN_NS}}}{name}")
    return [] if found is None else [etree.tostring(child, method="c14n") for child in found]


def assert_styles_only_grew(before: bytes, after: bytes) -> None:
    for name in STYLE_LISTS:
        old, new = _children(before, name), _children(after, name)
        assert new[:len(old)] == old, f"styles.xml <{name}> was reordered or changed, not appended to"


def assert_strings_only_grew(before: bytes | None, after: bytes | None) -> None:
    if before is None:
        return
    assert after is not None, "the shared strings part vanished"
    old = [etree.tostring(si, method="c14n") for si in etree.fromstring(before)]
    new = [etree.tostring(si, method="c14n") for si in etree.fromstring(after)]
    assert new[:len(old)] == old, "shared strings were reordered or changed, not appended to"


def _cells(xml: bytes) -> dict[str, bytes]:
    root = etree.fromstring(xml)
    return {c.get("r"): etree.tostring(c, method="c14n") for c in root.iter(f"{{{MAIN_NS}}}c")}


def _column_of(ref: str) -> str:
    return ref.rstrip("0123456789")


def assert_roster_inputs_unchanged(before: bytes, after: bytes, output_columns: set[str]) -> None:
    old, new = _cells(before), _cells(after)
    for ref, xml in old.items():
        if _column_of(ref) not in output_columns:
            assert new.get(ref) == xml, f"Roster!{ref} is an input cell and changed"
    extra = [ref for ref in new if ref not in old and _column_of(ref) not in output_columns]
    assert not extra, f"cells written outside the output columns: {extra[:5]}"


def output_columns(path: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Roster"]
    header = next(sheet.iter_rows(min_row=1, max_row=1))
    return {c.value: c.column_letter for c in header if c.value in OUTPUT_HEADERS}


def cached_scores(path: Path) -> dict[str, float | None]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Roster").to_python()
    header = list(rows[0])
    pid, score = header.index("Partner ID"), header.index("Score")
    return {str(r[pid]): (None if r[score] in ("", None) else float(r[score])) for r in rows[1:] if r[pid]}


def sheet_part(path: Path, sheet: str) -> str:
    """The part name of a sheet, found through workbook.xml and its relationships."""
    book, rels_part, _ = book_parts(path)
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read(book))
        rels = {r.get("Id"): r.get("Target") for r in etree.fromstring(zf.read(rels_part))}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for entry in root.iter(f"{{{MAIN_NS}}}sheet"):
        if entry.get("name") == sheet:
            target = rels[entry.get(rid)]
            return _resolve(PurePosixPath(book).parent, target)
    raise KeyError(sheet)


def sheet_elements(xml: bytes, names: tuple[str, ...]) -> dict[str, list[bytes]]:
    """The sheet's elements of these local names (c14n), e.g. tableParts, extLst, drawing."""
    root = etree.fromstring(xml)
    return {n: [etree.tostring(e, method="c14n") for e in root.findall(f"{{{MAIN_NS}}}{n}")] for n in names}
