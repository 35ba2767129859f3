"""workbook.xml: the sheets (name, part, order, state), defined names and calcPr; and the sheet
titles docProps/app.xml lists."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from .package import DOC_REL, Package, insert_in_order, parse, serialize

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = f"{{{NS}}}"
_R_ID = f"{{{DOC_REL}}}id"
OFFICE_DOCUMENT = f"{DOC_REL}/officeDocument"
WORKSHEET_REL = f"{DOC_REL}/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# CT_Workbook's children, in the schema's order: a new child goes before the first later one
ORDER = ("fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
         "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
         "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
         "fileRecoveryPr", "webPublishObjects", "extLst")
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"


@dataclass
class SheetEntry:
    """One sheet the workbook part lists."""

    name: str
    part: str | None
    """None for a sheet whose relationship points outside the package (never a worksheet)."""
    element: etree._Element
    worksheet: bool


def main_part(package: Package) -> str:
    found = package.targets("", "/officeDocument")
    return found[0] if found else "xl/workbook.xml"


class WorkbookPart:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.part = main_part(package)
        self.root = parse(package.read(self.part))
        self.rels = package.rels(self.part)
        self.changed = False
        self.added: list[str] = []
        self.sheets: list[SheetEntry] = []
        box = self.root.find(_Q + "sheets")
        for el in box if box is not None else ():
            if el.tag != _Q + "sheet":
                continue
            rel = self.rels.by_id(el.get(_R_ID, ""))
            part = self.rels.resolve(rel) if rel is not None and not rel.external else None
            self.sheets.append(SheetEntry(el.get("name", ""), part, el,
                                          rel is not None and rel.type.endswith("/worksheet")))

    # reading ---------------------------------------------------------------------------------
    @property
    def date1904(self) -> bool:
        pr = self.root.find(_Q + "workbookPr")
        return pr is not None and pr.get("date1904", "0").lower() in ("1", "true")

    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def entry(self, name: str) -> SheetEntry:
        return next(s for s in self.sheets if s.name == name)

    def defined_names(self) -> dict[str, str]:
        """Workbook-level names and what they refer to (no leading `=`)."""
        box = self.root.find(_Q + "definedNames")
        return {el.get("name", ""): (el.text or "").lstrip("=") for el in
                (box if box is not None else ())
                if el.tag == _Q + "definedName" and el.get("localSheetId") is None}

    def part_of(self, name: str) -> str | None:
        return self.entry(name).part

    def related_part(self, type_suffix: str) -> str | None:
        found = self.package.targets(self.part, type_suffix)
        return found[0] if found else None

    # sheets ----------------------------------------------------------------------------------
    def _child(self, name: str) -> etree._Element:
        found = self.root.find(_Q + name)
        if found is not None:
            return found
        el = etree.Element(_Q + name)
        insert_in_order(self.root, el, ORDER)
        return el

    def add_sheet(self, name: str, after: str | None, hidden: bool = False) -> str:
        """A new worksheet entry right after `after` (at the end when None or absent); returns
        its new part's name."""
        part = self.package.unique_name("xl/worksheets/sheet{}.xml")
        rid = self.rels.add(WORKSHEET_REL, part)
        self.package.add_override(part, WORKSHEET_TYPE)
        ids = [int(s.element.get("sheetId", "0")) for s in self.sheets]
        el = etree.Element(_Q + "sheet", name=name, sheetId=str(max(ids, default=0) + 1))
        if hidden:
            el.set("state", "hidden")
        el.set(_R_ID, rid)
        names = self.names()
        index = names.index(after) + 1 if after in names else len(names)
        box = self._child("sheets")
        if index < len(self.sheets):
            self.sheets[index].element.addprevious(el)
        else:
            box.append(el)
        self.sheets.insert(index, SheetEntry(name, part, el, True))
        self._shift_sheet_indexes(index)
        self.added.append(name)
        self.changed = True
        return part

    def _shift_sheet_indexes(self, index: int) -> None:
        """Sheet positions stored elsewhere (local names, the active and first tab) that stand at
        or after a new sheet move one on, so each keeps meaning the same sheet."""
        names = self.root.find(_Q + "definedNames")
        for el in names if names is not None else ():
            local = el.get("localSheetId")
            if local is not None and local.isdigit() and int(local) >= index:
                el.set("localSheetId", str(int(local) + 1))
        views = self.root.find(_Q + "bookViews")
        for view in views if views is not None else ():
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is not None and value.isdigit() and int(value) >= index:
                    view.set(attr, str(int(value) + 1))

    def hide(self, name: str) -> None:
        entry = self.entry(name)
        if entry.element.get("state") not in ("hidden", "veryHidden"):
            entry.element.set("state", "hidden")
            self.changed = True

    def index(self, name: str) -> int:
        return self.names().index(name)

    def active_index(self) -> int:
        views = self.root.find(_Q + "bookViews")
        view = views.find(_Q + "workbookView") if views is not None else None
        tab = view.get("activeTab", "0") if view is not None else "0"
        return int(tab) if tab.isdigit() else 0

    # names and calculation -------------------------------------------------------------------
    def define_name(self, name: str, refers_to: str, hidden: bool = False,
                    local_sheet: str | None = None) -> None:
        """Set a defined name (a workbook's or one sheet's), replacing one of the same spelling."""
        box = self._child("definedNames")
        local = None if local_sheet is None else str(self.index(local_sheet))
        for el in box:
            if el.tag == _Q + "definedName" and el.get("name", "").lower() == name.lower() \
                    and el.get("localSheetId") == local:
                target = el
                break
        else:
            target = etree.SubElement(box, _Q + "definedName", name=name)
            if local is not None:
                target.set("localSheetId", local)
        target.text = refers_to
        if hidden:
            target.set("hidden", "1")
        else:
            target.attrib.pop("hidden", None)
        self.changed = True

    def full_calc_on_load(self) -> None:
        calc = self._child("calcPr")
        if calc.get("fullCalcOnLoad") not in ("1", "true"):
            calc.set("fullCalcOnLoad", "1")
        self.changed = True

    def xml(self) -> bytes:
        return serialize(self.root)

    # docProps/app.xml ------------------------------------------------------------------------
    def update_app_titles(self, app_xml: bytes) -> bytes | None:
        """app.xml with the new worksheets listed among the sheet titles, in workbook order;
        None when it lists no sheet titles to keep up to date."""
        if not self.added:
            return None
        root = parse(app_xml)
        ns = root.nsmap.get(None, "")
        q = f"{{{ns}}}" if ns else ""
        pairs, titles = root.find(q + "HeadingPairs"), root.find(q + "TitlesOfParts")
        if pairs is None or titles is None:
            return None
        vector_pairs = pairs.find(f"{{{VT}}}vector")
        vector_titles = titles.find(f"{{{VT}}}vector")
        if vector_pairs is None or vector_titles is None:
            return None
        variants = list(vector_pairs)
        counts: list[etree._Element] = []
        for variant in variants[1::2]:
            count = next(iter(variant.iter(f"{{{VT}}}i4")), None)
            if count is None:
                return None
            counts.append(count)
        items = list(vector_titles)
        worksheets = set(s.name for s in self.sheets if s.worksheet)
        start = 0
        for count in counts:
            n = int(count.text or 0)
            group = [el.text for el in items[start:start + n]]
            if n and all(t in worksheets for t in group):
                listed = set(group) | set(self.added)
                ordered = [s.name for s in self.sheets if s.name in listed]
                for el in items[start:start + n]:
                    vector_titles.remove(el)
                anchor = items[start + n] if start + n < len(items) else None
                for title in ordered:
                    el = etree.Element(f"{{{VT}}}lpstr")
                    el.text = title
                    if anchor is not None:
                        anchor.addprevious(el)
                    else:
                        vector_titles.append(el)
                count.text = str(len(ordered))
                vector_titles.set("size", str(len(vector_titles)))
                return serialize(root)
            start += n
        return None
