"""Parsing untrusted packages: XML without entities, DTDs or network, and zip bombs refused before
any part is parsed.

Limits (stated in docs/contract-readings.md too):
- the package's parts together may expand to at most `MAX_TOTAL` bytes (2 GiB);
- a part larger than `RATIO_FLOOR` (1 MiB) may expand at most `MAX_RATIO` (200) times its
  compressed size; real sheets, even 50,000 rows of repeated styles, stay well under 100:1;
- at most `MAX_PARTS` parts.
The sizes checked are those the zip's central directory declares; Python's zipfile never yields
more than the declared size of a part (a part that lies fails its CRC), so the caps bound what any
reader of the package can be made to inflate.
Any DOCTYPE in a part is refused: OOXML parts never carry one, and it is where entity bombs
(billion laughs) and external entities live.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from lxml import etree

from ..problems import Code, UnreadableWorkbook

MAX_TOTAL = 2 * 1024**3
MAX_RATIO = 200
RATIO_FLOOR = 1024**2
MAX_PARTS = 20_000
PROLOG_LIMIT = 64 * 1024
"""How far into a part its prolog (declaration, comments, DOCTYPE) is searched for a DOCTYPE."""

_XML_SUFFIXES = (".xml", ".rels", ".vml")

Source = bytes | IO[bytes]


def safe_xml_parser() -> etree.XMLParser:
    """The one parser for whole XML parts: no entity expansion, no DTD loading, no network, no
    huge trees."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=False)


def refuse_dtd(tree: etree._ElementTree, part: str) -> None:
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _dtd_refused(part)


def safe_fromstring(xml: bytes, part: str = "an XML part") -> etree._Element:
    """Parse a whole part with the safe parser; malformed XML and any DOCTYPE are input errors."""
    try:
        root = etree.fromstring(xml, safe_xml_parser())
    except etree.XMLSyntaxError as error:
        if has_doctype(xml[:PROLOG_LIMIT]):
            raise _dtd_refused(part) from None
        raise malformed(part, error) from None
    refuse_dtd(root.getroottree(), part)
    return root


def safe_iterparse(source: Source, part: str = "an XML part", *, events: tuple[str, ...] = ("end",),
                   tag: str | tuple[str, ...] | None = None) -> Iterator[tuple[str, etree._Element]]:
    """lxml `iterparse` with the safe settings; refuses a DOCTYPE at the first event and turns
    malformed XML into an input error naming the part."""
    stream = _Recording(_as_stream(source))
    parser = etree.iterparse(stream, events=events, tag=tag, resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    checked = False
    try:
        for event, element in parser:
            if not checked:
                refuse_dtd(element.getroottree(), part)
                checked = True
            yield event, element
        if not checked and parser.root is not None:
            refuse_dtd(parser.root.getroottree(), part)
    except etree.XMLSyntaxError as error:
        if has_doctype(stream.head):  # libxml2 stops an entity bomb itself, as a syntax error
            raise _dtd_refused(part) from None
        raise malformed(part, error) from None
    except DAMAGED as error:  # the zip entry itself fails its CRC or ends early
        raise damaged(part, error) from None


class _Recording:
    """A stream that keeps its first bytes, where a prolog's DOCTYPE would be."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.head = b""

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        if len(self.head) < PROLOG_LIMIT:
            self.head += data[:PROLOG_LIMIT - len(self.head)]
        return data


def check_package(package: zipfile.ZipFile, name: str = "the file") -> None:
    """Refuse a zip bomb or a part with a DOCTYPE before any part is parsed."""
    infos = package.infolist()
    if len(infos) > MAX_PARTS:
        raise UnreadableWorkbook(Code.UNSAFE_PACKAGE, name,
                                 f"has {len(infos):,} parts (at most {MAX_PARTS:,} accepted); "
                                 "it is not a workbook this tool will open")
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_TOTAL:
            raise UnreadableWorkbook(
                Code.UNSAFE_PACKAGE, info.filename,
                f"expands to more than {MAX_TOTAL // 1024**3} GiB (at part {info.filename}); "
                "it is not a workbook this tool will open")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise UnreadableWorkbook(
                Code.UNSAFE_PACKAGE, info.filename,
                f"has a part {info.filename} that expands {ratio:,.0f} times its compressed size "
                f"(at most {MAX_RATIO}:1 accepted); it looks like a zip bomb, not a workbook")
    for info in infos:
        if not info.filename.lower().endswith(_XML_SUFFIXES):
            continue
        try:
            doctype = _prolog_has_doctype(package, info)
        except DAMAGED as error:
            raise damaged(info.filename, error) from None
        if doctype:
            raise _dtd_refused(info.filename)


def _prolog_has_doctype(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Only the part's prolog is read."""
    with package.open(info) as stream:
        return has_doctype(stream.read(PROLOG_LIMIT))


def has_doctype(head: bytes) -> bool:
    """Whether a DOCTYPE comes before the root element in these first bytes of a part."""
    position = 0
    while True:
        start = head.find(b"<", position)
        if start < 0 or start + 1 >= len(head):
            return False
        following = head[start + 1:start + 2]
        if following == b"?":
            end = head.find(b"?>", start)
        elif head.startswith(b"<!--", start):
            end = head.find(b"-->", start)
        elif following == b"!":
            return head[start:start + 9].upper() == b"<!DOCTYPE"
        else:
            return False  # the root element: no DOCTYPE can follow
        if end < 0:
            return False
        position = end + 2


DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)
"""What reading a damaged zip entry raises."""


def _refused(code: Code, part: str, message: str, source: object) -> UnreadableWorkbook:
    refused = UnreadableWorkbook(code, part, message)
    if source is not None:
        refused.source = str(source)
    return refused


def _names_the_file(part: str, source: object) -> bool:
    return source is not None and str(part) == getattr(source, "name", None)


def damaged(part: str, error: Exception, source: object = None) -> UnreadableWorkbook:
    """A zip entry that does not inflate to what the package says (bad CRC, cut short)."""
    where = "" if _names_the_file(part, source) else f" ({part})"
    return _refused(Code.UNREADABLE, part, f"is damaged{where}: {error}; get the file again, or open it "
                    "in Excel to repair it and save it", source)


def malformed(part: str, error: Exception, source: object = None) -> UnreadableWorkbook:
    """A part that is not well-formed XML; `part` is the file's name when the part is unknown."""
    where = "" if _names_the_file(part, source) else f" in {part}"
    return _refused(Code.MALFORMED_PART, part, f"has malformed XML{where} ({error}); open it in Excel, "
                    "which repairs what it can, and save it", source)


def _dtd_refused(part: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        Code.UNSAFE_PACKAGE, part,
        f"has a DOCTYPE in {part} (entity declarations are never read: workbooks made by "
        "spreadsheets carry none); it is not a workbook this tool will open")


def _as_stream(source: Source) -> IO[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    return source
