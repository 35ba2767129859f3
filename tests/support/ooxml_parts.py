"""Finding a package's worksheet parts by hand, for tests that read parts directly."""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path

from lxml import etree

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def sheet_parts(path: Path) -> tuple[dict[str, str], bool]:
    """Worksheet name -> part name, and whether the workbook counts dates from 1904."""
    with zipfile.ZipFile(path) as package:
        workbook = etree.fromstring(package.read("xl/workbook.xml"))
        rels = etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    date1904 = any(p.get("date1904") in ("1", "true") for p in workbook.iter("{*}workbookPr"))
    parts: dict[str, str] = {}
    for sheet in workbook.iter("{*}sheet"):
        target = targets[sheet.get(f"{{{REL}}}id")]
        part = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        parts[sheet.get("name")] = part
    return parts, date1904
