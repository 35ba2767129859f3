"""What a file is, before anything parses it: a workbook this tool reads (.xlsx, .xlsm), or an input
error that says what the file is and what to do with it."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path
from typing import NoReturn

from ..problems import Code, UnreadableWorkbook
from .safety import check_package

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
XLS_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SCAN_CHUNK = 1024 * 1024
SAVE_AS = "open it in Excel and save it as .xlsx"


def identify(path: Path | str) -> None:
    """Refuse (UnreadableWorkbook, exit 2) anything that is not a readable, safe .xlsx/.xlsm."""
    path = Path(path)
    try:
        with path.open("rb") as stream:
            head = stream.read(8)
    except IsADirectoryError:
        _refuse(path, Code.UNREADABLE, "is a folder, not a workbook file")
    except OSError as error:
        _refuse(path, Code.UNREADABLE, f"cannot be opened ({error.strerror}); check the path "
                "and that you may read it")
    if not head:
        _refuse(path, Code.UNREADABLE, "is empty (0 bytes), not a workbook; save the "
                "workbook from Excel again, or make one with `xl-prioritize template`")
    if head == OLE_MAGIC:
        _ole(path)
    if head[:4] in ZIP_MAGICS:
        _package(path)
        return
    _refuse(path, Code.UNREADABLE, _not_a_package(path))


def _ole(path: Path) -> NoReturn:
    """An OLE compound file: a password-protected workbook, an Excel 97-2003 .xls, or other."""
    if _contains(path, ENCRYPTED_STREAM):
        _refuse(path, Code.ENCRYPTED, "is password-protected (encrypted); open it in Excel, remove "
                "the password (File > Info > Protect Workbook > Encrypt with Password) and save it")
    if any(_contains(path, name) for name in XLS_STREAMS):
        _refuse(path, Code.UNREADABLE, f"is an Excel 97-2003 .xls file; {SAVE_AS}")
    _refuse(path, Code.UNREADABLE, "is an old Office document (OLE), not an Excel workbook; "
            f"if it is a spreadsheet, {SAVE_AS}")


def _contains(path: Path, needle: bytes) -> bool:
    """Whether the bytes occur anywhere in the file, read a chunk at a time."""
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(SCAN_CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _package(path: Path) -> None:
    try:
        package = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        _refuse(path, Code.UNREADABLE, "is damaged or truncated (an incomplete download or "
                "copy?); get the file again, or open it in Excel to repair it and save it")
    with package:
        names = set(package.namelist())
        if "mimetype" in names and package.read("mimetype").strip() == ODS_MIMETYPE:
            _refuse(path, Code.UNREADABLE, "is an OpenDocument spreadsheet (.ods); open it in "
                    "Excel or LibreOffice and save it as an Excel workbook (.xlsx)")
        if "xl/workbook.bin" in names:
            _refuse(path, Code.UNREADABLE, f"is an Excel binary workbook (.xlsb); {SAVE_AS}")
        if "[Content_Types].xml" not in names:
            _refuse(path, Code.UNREADABLE, "is a zip archive, not an Excel workbook (it has no "
                    f"[Content_Types].xml); if it holds a workbook, unzip it first, or {SAVE_AS}")
        if "xl/workbook.xml" not in names:
            kind = ("a Word document" if "word/document.xml" in names else
                    "a PowerPoint presentation" if "ppt/presentation.xml" in names else
                    "an Office package without a workbook")
            _refuse(path, Code.UNREADABLE, f"is {kind} (it has no xl/workbook.xml), not an Excel "
                    "workbook; give the .xlsx workbook instead")
        check_package(package, path.name)


def _not_a_package(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(4096)
    start = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower()
    if start.startswith((b"<html", b"<!doctype html", b"<?xml", b"<table")):
        return ("is a web page or XML file saved with an Excel name, not a workbook; "
                f"{SAVE_AS} (File > Save As > Excel Workbook)")
    if _looks_like_text(head):
        return ("is a text file (CSV or similar) renamed as a workbook; " + SAVE_AS +
                " (File > Save As > Excel Workbook)")
    return "is not an Excel workbook (.xlsx or .xlsm); give a workbook saved from Excel or the template"


def _looks_like_text(head: bytes) -> bool:
    encodings = ["utf-16"] if head[:2] in (b"\xff\xfe", b"\xfe\xff") else ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            text = codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if printable >= 0.95 * max(len(text), 1):
            return True
    return False


def _refuse(path: Path, code: Code, message: str) -> NoReturn:
    error = UnreadableWorkbook(code, path.name, message)
    error.source = str(path)
    raise error
