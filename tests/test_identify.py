"""A file that is not a workbook is refused with one line that says what it is: exit 2, no trace."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import build_workbook, digest
from click.testing import CliRunner

from xl_prioritize.cli import cli
from xl_prioritize.collect import collect_returns
from xl_prioritize.ooxml.identify import identify
from xl_prioritize.problems import Code, InputErrors, UnreadableWorkbook

DATA = Path(__file__).parent / "data" / "not-workbooks"
WIDE = {"COLUMNS": "200"}
EXCEL_MADE = Path("/work/shared/excel-made")


def _workbook(folder: Path) -> Path:
    return build_workbook(folder / "real.xlsx", roster_rows=[("P1", "Acme", "Ana", 5, 4, 3, 2)])


def _rezip(source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes] | None]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            changed = change(info.filename, old.read(info))
            if changed is not None:
                new.writestr(changed[0], changed[1])
    return target


def _not_a_zip(folder: Path) -> Path:
    path = folder / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    return path


def _truncated(folder: Path) -> Path:
    data = _workbook(folder).read_bytes()
    path = folder / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def _fixture(name: str) -> Callable[[Path], Path]:
    def copy(folder: Path) -> Path:
        return Path(shutil.copy(DATA / name, folder / f"given-{name}"))
    return copy


def _csv(folder: Path) -> Path:
    path = folder / "export.xlsx"
    path.write_text("Partner ID;Partner;Präferenz\nP1;Acme;5\n", encoding="utf-8")
    return path


def _xlsb(folder: Path) -> Path:
    return _rezip(_workbook(folder), folder / "binary.xlsx",
                  lambda name, data: ("xl/workbook.bin", b"\x83\x01\x00") if name == "xl/workbook.xml"
                  else (name, data))


def _no_content_types(folder: Path) -> Path:
    return _rezip(_workbook(folder), folder / "no-types.xlsx",
                  lambda name, data: None if name == "[Content_Types].xml" else (name, data))


def _no_workbook_part(folder: Path) -> Path:
    return _rezip(_workbook(folder), folder / "no-workbook.xlsx",
                  lambda name, data: None if name == "xl/workbook.xml" else (name, data))


def _malformed_sheet(folder: Path) -> Path:
    return _rezip(_workbook(folder), folder / "malformed.xlsx",
                  lambda name, data: (name, data.replace(b"</sheetData>", b""))
                  if name.startswith("xl/worksheets/") else (name, data))


def _bad_crc(folder: Path) -> Path:
    """Intact zip directory, one sheet's compressed bytes flipped: found only when it is read."""
    path = _rezip(_workbook(folder), folder / "bad-crc.xlsx", lambda name, data: (name, data))
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet5.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for i in range(start + 5, start + info.compress_size - 5):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    return path


KINDS: dict[str, tuple[Callable[[Path], Path], Code, str]] = {
    "not a zip": (_not_a_zip, Code.UNREADABLE, "is not an Excel workbook"),
    "truncated zip": (_truncated, Code.UNREADABLE, "is damaged or truncated"),
    "password-protected": (_fixture("password.xlsx"), Code.ENCRYPTED, "is password-protected"),
    "xls": (_fixture("old.xls"), Code.UNREADABLE,
            "is an Excel 97-2003 .xls file; open it in Excel and save it as .xlsx"),
    "xlsb": (_xlsb, Code.UNREADABLE, "is an Excel binary workbook (.xlsb)"),
    "ods": (_fixture("calc.ods"), Code.UNREADABLE, "is an OpenDocument spreadsheet (.ods)"),
    "csv renamed": (_csv, Code.UNREADABLE, "is a text file (CSV or similar) renamed"),
    "no content types": (_no_content_types, Code.UNREADABLE, "has no [Content_Types].xml"),
    "no workbook part": (_no_workbook_part, Code.UNREADABLE, "has no xl/workbook.xml"),
    "malformed sheet XML": (_malformed_sheet, Code.MALFORMED_PART, "has malformed XML"),
    "damaged zip entry": (_bad_crc, Code.UNREADABLE, "is damaged"),
}
FOUND_WHEN_READING = ("malformed sheet XML", "damaged zip entry")


@pytest.mark.parametrize("kind", [k for k in KINDS if k not in FOUND_WHEN_READING])
def test_identify_names_what_the_file_is(kind: str, tmp_path: Path) -> None:
    make, code, words = KINDS[kind]
    path = make(tmp_path)
    with pytest.raises(UnreadableWorkbook) as raised:
        identify(path)
    assert raised.value.codes == [code]
    assert words in raised.value.line and raised.value.line.startswith(str(path))


def test_identify_accepts_workbooks(tmp_path: Path) -> None:
    for path in (_workbook(tmp_path), *sorted(EXCEL_MADE.glob("*.xls[xm]"))):
        identify(path)  # raises on refusal

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "rescore": lambda path, folder: ["rescore", str(path)],
    "collect": lambda path, folder: ["collect", str(path), str(_workbook(folder))],
    "distribute": lambda path, folder: ["distribute", str(path), str(folder / "out")],
    "history": lambda path, folder: ["history", str(path)],
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_command_refuses_with_one_line_and_exit_2(kind: str, command: str, tmp_path: Path) -> None:
    make, _, words = KINDS[kind]
    path = make(tmp_path)
    before = digest(path)
    result = CliRunner().invoke(cli, COMMANDS[command](path, tmp_path), env=WIDE)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, KeyError | ValueError)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert path.name in lines[0] and words in lines[0]
    assert digest(path) == before


def test_a_return_that_is_no_workbook_is_listed_with_the_other_problems(tmp_path: Path) -> None:
    master = _workbook(tmp_path)
    before = digest(master)
    old = _fixture("old.xls")(tmp_path)
    locked = _fixture("password.xlsx")(tmp_path)
    with pytest.raises(InputErrors) as raised:
        collect_returns(master, [old, locked])
    assert [(p.code, p.where) for p in raised.value.problems] == [
        (Code.UNREADABLE, old.name), (Code.ENCRYPTED, locked.name)]
    assert "save it as .xlsx" in raised.value.problems[0].message
    assert digest(master) == before


def test_damage_past_the_prolog_is_found_when_reading(tmp_path: Path) -> None:
    rows = [(f"P{i}", f"Partner {i}", "Ana", i % 5 + 1, 4, 3, 2) for i in range(3000)]
    path = build_workbook(tmp_path / "big.xlsx", roster_rows=rows)
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet5.xml")
        assert info.file_size > 4 * 64 * 1024
    data = bytearray(path.read_bytes())
    end = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size
    for i in range(end - 200, end - 20):
        data[i] ^= 0x55
    path.write_bytes(bytes(data))
    identify(path)  # the directory and every prolog are fine
    for args in (["rescore", str(path)], ["distribute", str(path), str(tmp_path / "out")]):
        result = CliRunner().invoke(cli, args, env=WIDE)
        assert result.exit_code == 2, result.output
        assert len(result.output.strip().splitlines()) == 1 and "is damaged" in result.output
