"""Master workbooks made from Excel-saved files: the five input sheets added at the part level.

`add_input_sheets(src, dst)` writes `dst`, a copy of `src` with new worksheet parts for Settings,
Factors, Tiers, Team and Roster: their relationships, content-type overrides and `<sheet>` entries are
added; every other part of `src` is copied byte for byte. What a user could have made by adding five
sheets in Excel, without Excel re-saving (and so changing) everything else.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape

from lxml import etree

EXCEL_MADE = Path(__file__).resolve().parents[3] / "shared" / "excel-made"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORKSHEET_REL = REL_NS + "/worksheet"
OFFICE_DOCUMENT_REL = REL_NS + "/officeDocument"
WORKSHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"

FACTORS = (("Customer overlap", 35), ("Sales engagement", 30), ("Solution fit", 20), ("Market reach", 15))
TIERS = (("Tier 1", 4, "Biweekly co-sell cadence", 6), ("Tier 2", 8, "Monthly pipeline review", 2),
         ("Tier 3", None, "Self-serve portal", 0))
TEAM = (("Ana", 30, "Tier 1"), ("Ben", 20, None))


@dataclass(frozen=True)
class Master:
    path: Path
    sheet_parts: dict[str, str]
    """Input sheet name -> its part name inside the zip (`xl/worksheets/xlp_roster.xml`)."""
    partners: int


def excel_made_files() -> list[Path]:
    return sorted(p for p in EXCEL_MADE.glob("*.xls[xm]"))


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_xml(rows: Sequence[Sequence[object]]) -> bytes:
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row, start=1))
        lines.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
            f'<sheetData>{"".join(lines)}</sheetData></worksheet>').encode()


def input_rows(partners: int, seed: int = 7, quarter: str = "2026-Q4") -> dict[str, list[list[object]]]:
    rng = random.Random(seed)
    roster: list[list[object]] = [["Partner ID", "Partner", "Partner manager", *[f for f, _ in FACTORS]]]
    for i in range(1, partners + 1):
        manager = TEAM[i % len(TEAM)][0] if i % 3 else None
        roster.append([f"P-{i:04d}", f"Partner {i}", manager, *[rng.randint(1, 5) for _ in FACTORS]])
    return {
        "Settings": [["Setting", "Value"], ["Quarter", quarter], ["Tier method", "count"]],
        "Factors": [["Factor", "Weight"], *[list(f) for f in FACTORS]],
        "Tiers": [["Tier", "Size", "Service level", "Hours per partner per month"],
                  *[list(t) for t in TIERS]],
        "Team": [["Member", "Hours per month", "Focus tiers"], *[list(m) for m in TEAM]],
        "Roster": roster,
    }


def _workbook_part(zf: zipfile.ZipFile) -> str:
    rels = etree.fromstring(zf.read("_rels/.rels"))
    for rel in rels:
        if rel.get("Type") == OFFICE_DOCUMENT_REL:
            return rel.get("Target").lstrip("/")
    raise ValueError("no officeDocument relationship")


def _rels_name(part: str) -> str:
    p = PurePosixPath(part)
    return str(p.parent / "_rels" / (p.name + ".rels"))


def add_input_sheets(src: Path, dst: Path, *, partners: int = 30, seed: int = 7) -> Master:
    """Write `dst`: `src` plus the five input sheets, appended after its own sheets."""
    with zipfile.ZipFile(src) as zf:
        names = zf.namelist()
        book_part = _workbook_part(zf)
        book_dir = PurePosixPath(book_part).parent
        book = etree.fromstring(zf.read(book_part))
        rels_part = _rels_name(book_part)
        rels = etree.fromstring(zf.read(rels_part))
        types = etree.fromstring(zf.read("[Content_Types].xml"))
        sheets = book.find(f"{{{MAIN_NS}}}sheets")
        if sheets is None:
            raise ValueError(f"{src.name}: no <sheets> in {book_part}")
        existing = {s.get("name", "").casefold() for s in sheets}
        rows = input_rows(partners, seed)
        clash = [n for n in rows if n.casefold() in existing]
        if clash:
            raise ValueError(f"{src.name} already has sheets {clash}")
        next_id = max((int(s.get("sheetId", "0")) for s in sheets), default=0) + 1
        rel_ids = {r.get("Id") for r in rels}
        new_parts: dict[str, bytes] = {}
        sheet_parts: dict[str, str] = {}
        for name, grid in rows.items():
            part = str(book_dir / "worksheets" / f"xlp_{name.lower()}.xml")
            assert part not in names
            n = 1
            while f"rIdXlp{n}" in rel_ids:
                n += 1
            rid = f"rIdXlp{n}"
            rel_ids.add(rid)
            etree.SubElement(rels, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=WORKSHEET_REL,
                             Target=f"worksheets/xlp_{name.lower()}.xml")
            etree.SubElement(types, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=WORKSHEET_CT)
            entry = etree.SubElement(sheets, f"{{{MAIN_NS}}}sheet", name=name, sheetId=str(next_id))
            entry.set(f"{{{REL_NS}}}id", rid)
            next_id += 1
            new_parts[part] = sheet_xml(grid)
            sheet_parts[name] = part
        changed = {
            book_part: etree.tostring(book, xml_declaration=True, encoding="UTF-8", standalone=True),
            rels_part: etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True),
            "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8",
                                                  standalone=True),
        }
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                data = changed.get(info.filename, zf.read(info.filename))
                out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
            for part, data in new_parts.items():
                out.writestr(part, data)
    return Master(dst, sheet_parts, partners)


def parts(path: Path) -> dict[str, bytes]:
    """Every part of a package, uncompressed, by name."""
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info.filename) for info in zf.infolist() if not info.is_dir()}
