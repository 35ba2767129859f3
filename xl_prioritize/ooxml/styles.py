"""styles.xml, append-only: a wanted look on top of a cell's style becomes an `s=` index. Existing
number formats, fonts, fills, borders, cellXfs and dxfs keep their positions; new ones go after."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from lxml import etree

from .numformats import BUILTIN_FORMATS, is_date_format
from .package import insert_in_order, parse, serialize

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_Q = f"{{{NS}}}"
ORDER = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
         "tableStyles", "colors", "extLst")
FIRST_CUSTOM_FORMAT = 164
MINIMAL = (
    f'<styleSheet xmlns="{NS}">'
    '<fonts count="1"><font><sz val="11"/><color theme="1"/><name val="Calibri"/>'
    '<family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
).encode()


@dataclass(frozen=True)
class Look:
    """What a plan's Style asks of a cell; None leaves a property as it is."""

    number_format: str | None = None
    bold: bool | None = None
    italic: bool | None = None
    fill: str | None = None
    font_color: str | None = None
    """Hex RGB; "" is the automatic colour."""
    wrap: bool | None = None


def _key(el: etree._Element) -> tuple[object, ...]:
    """Two elements alike in tag, attributes and children, whatever their namespace prefixes."""
    return (el.tag, tuple(sorted(el.attrib.items())), tuple(_key(c) for c in el
                                                            if isinstance(c.tag, str)))


def _argb(rgb: str) -> str:
    return ("FF" + rgb.upper()) if len(rgb) == 6 else rgb.upper()


class Styles:
    def __init__(self, xml: bytes | None) -> None:
        self.created = xml is None
        self.root = parse(xml or MINIMAL)
        self.changed = self.created
        self._cache: dict[tuple[int, Look], int] = {}
        self._index: dict[str, dict[tuple[object, ...], int]] = {}
        formats = self._container("numFmts", create=False)
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        if formats is not None:
            for el in formats.iter(f"{_Q}numFmt"):
                self.formats[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        self._format_ids = {code: i for i, code in sorted(self.formats.items(), reverse=True)}
        self._xfs = self._children("cellXfs")

    # containers ------------------------------------------------------------------------------
    def _container(self, name: str, create: bool = True) -> etree._Element | None:
        found = self.root.find(_Q + name)
        if found is not None or not create:
            return found
        el = etree.Element(_Q + name, count="0")
        insert_in_order(self.root, el, ORDER)
        return el

    def _children(self, name: str) -> list[etree._Element]:
        box = self._container(name, create=False)
        return [] if box is None else [c for c in box if isinstance(c.tag, str)]

    def _find_or_add(self, name: str, element: etree._Element) -> int:
        """The index of an element alike in the container, appending it when there is none."""
        box = self._container(name)
        assert box is not None
        index = self._index.get(name)
        if index is None:
            index = {}
            for i, child in enumerate(c for c in box if isinstance(c.tag, str)):
                index.setdefault(_key(child), i)
            self._index[name] = index
        key = _key(element)
        if key in index:
            return index[key]
        box.append(element)
        position = sum(1 for c in box if isinstance(c.tag, str)) - 1
        box.set("count", str(position + 1))
        index[key] = position
        self.changed = True
        if name == "cellXfs":
            self._xfs.append(element)
        return position

    # looks -----------------------------------------------------------------------------------
    def format_id(self, code: str) -> int:
        if code in self._format_ids:
            return self._format_ids[code]
        new = max([FIRST_CUSTOM_FORMAT - 1, *self.formats]) + 1
        box = self._container("numFmts")
        assert box is not None
        etree.SubElement(box, _Q + "numFmt", numFmtId=str(new), formatCode=code)
        box.set("count", str(len(box)))
        self.formats[new] = code
        self._format_ids[code] = new
        self.changed = True
        return new

    def number_format(self, s: int) -> str:
        xf = self._xf(s)
        return self.formats.get(int(xf.get("numFmtId", "0")), "General") if xf is not None \
            else "General"

    def is_date(self, s: int) -> bool:
        return is_date_format(self.number_format(s))

    def _xf(self, s: int) -> etree._Element | None:
        if 0 <= s < len(self._xfs):
            return self._xfs[s]
        return self._xfs[0] if self._xfs else None

    def restyle(self, s: int, look: Look) -> int:
        """The `s=` index of style `s` with `look` applied (added once, then reused)."""
        cached = self._cache.get((s, look))
        if cached is not None:
            return cached
        base = self._xf(s)
        xf = deepcopy(base) if base is not None else etree.Element(
            _Q + "xf", numFmtId="0", fontId="0", fillId="0", borderId="0", xfId="0")
        if look.number_format is not None:
            xf.set("numFmtId", str(self.format_id(look.number_format)))
            xf.set("applyNumberFormat", "1")
        if look.bold is not None or look.italic is not None or look.font_color is not None:
            xf.set("fontId", str(self._font(int(xf.get("fontId", "0")), look)))
            xf.set("applyFont", "1")
        if look.fill:
            fill = etree.Element(_Q + "fill")
            pattern = etree.SubElement(fill, _Q + "patternFill", patternType="solid")
            etree.SubElement(pattern, _Q + "fgColor", rgb=_argb(look.fill))
            etree.SubElement(pattern, _Q + "bgColor", indexed="64")
            xf.set("fillId", str(self._find_or_add("fills", fill)))
            xf.set("applyFill", "1")
        if look.wrap is not None:
            alignment = xf.find(_Q + "alignment")
            if alignment is None:
                alignment = etree.Element(_Q + "alignment")
                xf.insert(0, alignment)
            if look.wrap:
                alignment.set("wrapText", "1")
            else:
                alignment.attrib.pop("wrapText", None)
            xf.set("applyAlignment", "1")
        result = self._find_or_add("cellXfs", xf)
        self._cache[(s, look)] = result
        return result

    def _font(self, font_id: int, look: Look) -> int:
        fonts = self._children("fonts")
        font = deepcopy(fonts[font_id]) if font_id < len(fonts) else etree.Element(_Q + "font")
        for flag, name in ((look.italic, "i"), (look.bold, "b")):
            if flag is None:
                continue
            for old in font.findall(_Q + name):
                font.remove(old)
            if flag:
                font.insert(0, etree.Element(_Q + name))
        if look.font_color is not None:
            old_colors = font.findall(_Q + "color")
            at = font.index(old_colors[0]) if old_colors else len(font)
            for old in old_colors:
                font.remove(old)
            if look.font_color:
                name = font.find(_Q + "name")
                at = font.index(name) if name is not None and not old_colors else at
                font.insert(at, etree.Element(_Q + "color", rgb=_argb(look.font_color)))
        for child in list(font):
            child.tail = None
        font.text = None
        return self._find_or_add("fonts", font)

    def dxf(self, fill: str | None, font_color: str | None, bold: bool | None) -> int:
        """A differential format for a conditional format rule."""
        dxf = etree.Element(_Q + "dxf")
        if bold is not None or font_color:
            font = etree.SubElement(dxf, _Q + "font")
            if bold is not None:
                etree.SubElement(font, _Q + "b", **({} if bold else {"val": "0"}))
            if font_color:
                etree.SubElement(font, _Q + "color", rgb=_argb(font_color))
        if fill:
            pattern = etree.SubElement(etree.SubElement(dxf, _Q + "fill"), _Q + "patternFill")
            etree.SubElement(pattern, _Q + "bgColor", rgb=_argb(fill))
        return self._find_or_add("dxfs", dxf)

    def xml(self) -> bytes:
        return serialize(self.root)
