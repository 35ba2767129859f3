"""Hostile packages are refused before anything is parsed, within a memory bound: zip bombs by the
size caps, entity bombs by refusing any DOCTYPE."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from builders import build_workbook, digest

from xl_prioritize.ooxml import safety
from xl_prioritize.ooxml.read import read_shared_strings, read_sheet
from xl_prioritize.ooxml.safety import check_package, safe_fromstring
from xl_prioritize.problems import Code, UnreadableWorkbook

ROOT = Path(__file__).resolve().parents[1]
MEMORY_BOUND_MIB = 150
"""Peak resident memory allowed for a refusing run, the interpreter and its imports included."""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
""" + b"".join(
    f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
    for i in range(1, 10)) + b"""]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def _replace_part(source: Path, target: Path, part: str, data: bytes, level: int = 6) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            body = data if info.filename == part else old.read(info)
            new.writestr(info.filename, body, zipfile.ZIP_DEFLATED, compresslevel=level)
    return target


def _workbook(folder: Path) -> Path:
    return build_workbook(folder / "real.xlsx", roster_rows=[("P1", "Acme", "Ana", 5, 4, 3, 2)])


def _roster_part(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return sorted(n for n in package.namelist() if n.startswith("xl/worksheets/sheet"))[-1]


def _refusing_run(path: Path) -> tuple[int, str, float]:
    """`xl-prioritize rescore PATH` in a fresh process: exit status, stderr, peak memory (MiB)."""
    probe = (
        "import json, resource, sys\n"
        "from click.testing import CliRunner\n"
        "from xl_prioritize.cli import cli\n"
        "result = CliRunner().invoke(cli, ['rescore', sys.argv[1]], env={'COLUMNS': '200'})\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "try:\n"  # the high-water mark of this process's own memory, not one inherited at exec
        "    status = open('/proc/self/status').read().split('VmHWM:')[1]\n"
        "    peak = int(status.split()[0]) / 1024\n"
        "except (OSError, IndexError):\n"
        "    pass\n"
        "print(json.dumps([result.exit_code, result.output, peak]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True,
                          cwd=ROOT, check=True, timeout=120)
    status, output, peak = json.loads(done.stdout.strip().splitlines()[-1])
    return status, output, peak


def test_a_zip_bomb_part_is_refused_by_its_ratio_within_the_memory_bound(tmp_path: Path) -> None:
    source = _workbook(tmp_path)
    part = _roster_part(source)
    bomb = _replace_part(source, tmp_path / "bomb.xlsx", part, b"<" + b" " * (300 * 1024**2), level=9)
    assert bomb.stat().st_size < 2 * 1024**2
    before = digest(bomb)
    status, output, peak = _refusing_run(bomb)
    assert status == 2
    assert f"has a part {part} that expands" in output and "zip bomb" in output
    assert peak < MEMORY_BOUND_MIB, f"peak {peak:.0f} MiB"
    assert digest(bomb) == before
    with zipfile.ZipFile(bomb) as package, pytest.raises(UnreadableWorkbook) as raised:
        check_package(package)
    assert raised.value.codes == [Code.UNSAFE_PACKAGE] and raised.value.problems[0].where == part


def test_a_package_declaring_more_than_the_total_cap_is_refused_before_reading(tmp_path: Path) -> None:
    """The central directory says a part is 3 GiB: refused on that alone, nothing inflated."""
    source = _workbook(tmp_path)
    part = _roster_part(source)
    data = bytearray(source.read_bytes())
    name = part.encode()
    entry = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    assert data[entry + 46:entry + 46 + len(name)] == name
    struct.pack_into("<I", data, entry + 24, 3 * 1024**3)  # uncompressed size
    struct.pack_into("<I", data, entry + 20, 3 * 1024**3 // 100)  # compressed size, ratio 100:1
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(bytes(data))
    with zipfile.ZipFile(lying) as package, pytest.raises(UnreadableWorkbook) as raised:
        check_package(package)
    assert raised.value.codes == [Code.UNSAFE_PACKAGE]
    assert "more than 2 GiB" in raised.value.line


def test_many_parts_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "MAX_PARTS", 5)
    with zipfile.ZipFile(_workbook(tmp_path)) as package, pytest.raises(UnreadableWorkbook) as raised:
        check_package(package)
    assert raised.value.codes == [Code.UNSAFE_PACKAGE]


def test_a_billion_laughs_part_is_refused_within_the_memory_bound(tmp_path: Path) -> None:
    source = _workbook(tmp_path)
    part = _roster_part(source)
    laughs = _replace_part(source, tmp_path / "laughs.xlsx", part, LAUGHS)
    status, output, peak = _refusing_run(laughs)
    assert status == 2
    assert f"has a DOCTYPE in {part}" in output
    assert peak < MEMORY_BOUND_MIB, f"peak {peak:.0f} MiB"


def test_the_reader_refuses_a_doctype_itself_and_never_expands_entities() -> None:
    for parse in (lambda: read_sheet(LAUGHS, [], frozenset(), part="xl/worksheets/sheet9.xml"),
                  lambda: safe_fromstring(LAUGHS, "xl/worksheets/sheet9.xml")):
        with pytest.raises(UnreadableWorkbook) as raised:
            parse()
        assert raised.value.codes == [Code.UNSAFE_PACKAGE]
        assert raised.value.problems[0].where == "xl/worksheets/sheet9.xml"
    external = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<si><t>&x;</t></si></sst>')
    with pytest.raises(UnreadableWorkbook) as raised:
        read_shared_strings(external)
    assert raised.value.codes == [Code.UNSAFE_PACKAGE]


def test_a_doctype_behind_a_long_comment_is_still_found_before_parsing(tmp_path: Path) -> None:
    source = _workbook(tmp_path)
    hidden = b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + LAUGHS.split(b"?>", 1)[1]
    path = _replace_part(source, tmp_path / "hidden.xlsx", "xl/styles.xml", hidden)
    with zipfile.ZipFile(path) as package, pytest.raises(UnreadableWorkbook) as raised:
        check_package(package)
    assert raised.value.problems[0].where == "xl/styles.xml"


def test_real_workbooks_pass_the_checks() -> None:
    corpus = sorted(Path("/work/shared/excel-made").glob("*.xls[xm]"))
    for path in corpus:
        with zipfile.ZipFile(path) as package:
            check_package(package, path.name)
