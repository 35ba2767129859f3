"""The ribbon add-in: built from xlwings' quickstart add-in, its VBA untouched, its ribbon ours."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from click.testing import CliRunner

from xl_prioritize.addin import (
    ADDIN_NAME,
    CUSTOMUI_NS,
    AddinError,
    addin_checks,
    build_addin,
    check_addin,
    install_addin,
    module_name,
    quickstart_addin,
    renamed_message,
    renamed_note,
    startup_folder,
)
from xl_prioritize.cli import cli

NS = {"ui": CUSTOMUI_NS}
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
WIN_PYTHON = r"C:\Users\ana\venv\Scripts\python.exe"


def conf_sheet(path: Path) -> dict[str, str | None]:
    """Column A -> column B of the add-in's config sheet, read from its XML (openpyxl refuses
    an add-in's content type)."""
    with zipfile.ZipFile(path) as archive:
        strings = ["".join(si.itertext()) for si in
                   ET.fromstring(archive.read("xl/sharedStrings.xml")).iter(f"{MAIN}si")]
        sheet = ET.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    conf: dict[str, str | None] = {}
    for row in sheet.iter(f"{MAIN}row"):
        cells = {c.get("r", "")[0]: c for c in row.iter(f"{MAIN}c")}
        key = cells.get("A")
        if key is None or key.get("t") != "s":
            continue
        value = cells.get("B")
        text = "".join(value.itertext()) if value is not None else None
        conf[strings[int(key.findtext(f"{MAIN}v"))]] = text
    return conf


def test_the_vba_project_is_xlwings_own_byte_for_byte(tmp_path: Path) -> None:
    path = build_addin(tmp_path, platform="win32", interpreter=WIN_PYTHON)
    assert path.name == ADDIN_NAME == "xl_prioritize.xlam"
    with zipfile.ZipFile(path) as built, zipfile.ZipFile(quickstart_addin()) as original:
        assert built.read("xl/vbaProject.bin") == original.read("xl/vbaProject.bin")
        assert built.namelist() == original.namelist()
        changed = [n for n in original.namelist() if built.read(n) != original.read(n)]
    assert sorted(changed) == ["customUI/customUI.xml", "xl/workbook.xml",
                               "xl/worksheets/sheet1.xml"]


def test_the_ribbon_has_the_button_and_keeps_the_original_action(tmp_path: Path) -> None:
    with zipfile.ZipFile(quickstart_addin()) as original:
        old = ET.fromstring(original.read("customUI/customUI.xml"))
    action = old.find(".//ui:button", NS).get("onAction")
    assert action == "RibbonMyAddin.RunMain"

    with zipfile.ZipFile(build_addin(tmp_path, platform="win32", interpreter=WIN_PYTHON)) as built:
        root = ET.fromstring(built.read("customUI/customUI.xml"))
    tab = root.find("./ui:ribbon/ui:tabs/ui:tab", NS)
    group = tab.find("ui:group", NS)
    buttons = group.findall("ui:button", NS)
    assert (tab.get("label"), group.get("label")) == ("Partners", "Prioritization")
    assert len(buttons) == 1
    button = buttons[0]
    assert button.get("label") == "Re-score"
    assert button.get("size") == "large"
    assert button.get("imageMso") == "CalculateNow"
    assert button.get("onAction") == action


def test_the_vba_runs_main_of_the_module_named_like_the_file() -> None:
    # RibbonMyAddin.RunMain, as the quickstart's VBA has it (read with oletools):
    #   mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))
    #   RunPython "import " & mymodule & ";" & mymodule & ".main()"
    # The VBA stream is compressed; its module names and the config keys stay readable.
    with zipfile.ZipFile(quickstart_addin()) as original:
        vba = original.read("xl/vbaProject.bin")
    assert b"RibbonMyAddin" in vba
    module = ADDIN_NAME.rsplit(".", 1)[0]
    assert f"import {module};{module}.main()" == "import xl_prioritize;xl_prioritize.main()"
    import xl_prioritize

    assert callable(xl_prioritize.main)


def test_the_config_sheet_points_at_the_python_that_built_it(tmp_path: Path) -> None:
    path = build_addin(tmp_path, platform="win32", interpreter=WIN_PYTHON)
    with zipfile.ZipFile(path) as built:
        book = ET.fromstring(built.read("xl/workbook.xml"))
    assert [s.get("name") for s in book.iter(f"{MAIN}sheet")] == ["myaddin.conf"]
    conf = conf_sheet(path)
    assert conf["Interpreter_Win"] == WIN_PYTHON
    assert conf["Interpreter_Mac"] is None
    assert conf["PYTHONPATH"] is None


def test_on_macos_the_mac_key_is_set(tmp_path: Path) -> None:
    path = build_addin(tmp_path, platform="darwin", interpreter="/Users/ana/venv/bin/python")
    conf = conf_sheet(path)
    assert conf["Interpreter_Mac"] == "/Users/ana/venv/bin/python"
    assert conf["Interpreter_Win"] is None


def test_libreoffice_opens_the_add_in(tmp_path: Path, soffice: str) -> None:
    path = build_addin(tmp_path, platform="win32", interpreter=WIN_PYTHON)
    out = tmp_path / "out"
    # LibreOffice does not recognise .xlam by itself: name the macro-enabled OOXML filter.
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "xlsx", "--outdir", str(out),
         str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr
    converted = out / "xl_prioritize.xlsx"
    assert converted.exists(), done.stdout + done.stderr
    ws = openpyxl.load_workbook(converted).worksheets[0]
    assert ws.title == "myaddin.conf"
    assert ws["A1"].value == "Interpreter_Win" and ws["B1"].value == WIN_PYTHON


def test_build_command_writes_the_add_in(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["addin", "build", str(tmp_path / "dist"), "--for", "windows",
                                      "--python", WIN_PYTHON])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / ADDIN_NAME).exists()
    assert f"Wrote {tmp_path / 'dist' / ADDIN_NAME}" in result.output
    assert conf_sheet(tmp_path / "dist" / ADDIN_NAME)["Interpreter_Win"] == WIN_PYTHON


def test_building_for_another_system_asks_for_its_python(tmp_path: Path) -> None:
    target = "darwin" if sys.platform.startswith("win") else "win32"
    with pytest.raises(AddinError, match=r"give the interpreter .* with --python"):
        build_addin(tmp_path, platform=target)
    result = CliRunner().invoke(cli, ["addin", "build", str(tmp_path), "--for",
                                      "macos" if target == "darwin" else "windows"])
    assert result.exit_code == 2 and "--python" in result.output
    assert not (tmp_path / ADDIN_NAME).exists()
    with pytest.raises(AddinError, match="Excel does not run on linux"):
        build_addin(tmp_path, platform="linux", interpreter="/usr/bin/python3")


def test_a_macos_python_path_with_a_space_is_refused_with_the_way_out(tmp_path: Path) -> None:
    spaced = "/Users/ana/My Projects/venv/bin/python"
    with pytest.raises(AddinError, match="has a space") as error:
        build_addin(tmp_path, platform="darwin", interpreter=spaced)
    assert "ln -s" in str(error.value) and "--python" in str(error.value)
    lines: list[str] = []
    assert install_addin(lines.append, platform="darwin", home=tmp_path, interpreter=spaced) == 1
    assert lines[0].startswith("Not installed: The Python path '/Users/ana/My Projects/")
    build_addin(tmp_path, platform="win32", interpreter=r"C:\Program Files\Python311\python.exe")


def test_a_renamed_add_in_is_named_with_the_fix() -> None:
    assert module_name("xl_prioritize (1).xlam") == "xl_prioritize (1)"
    assert renamed_message(ADDIN_NAME) is None
    message = renamed_message("xl_prioritize (1).xlam")
    assert message is not None
    assert "import xl_prioritize (1)" in message and f"Rename the file to '{ADDIN_NAME}'" in message


def test_install_warns_of_a_renamed_copy_excel_would_also_load(tmp_path: Path) -> None:
    appdata = str(tmp_path / "AppData")
    folder = startup_folder("win32", appdata=appdata)
    assert folder is not None
    folder.mkdir(parents=True)
    (folder / "xl_prioritize (1).xlam").write_bytes(b"")
    lines: list[str] = []
    assert install_addin(lines.append, platform="win32", appdata=appdata) == 0
    assert lines[0].startswith("Warning: The add-in file is named 'xl_prioritize (1).xlam'")
    note = renamed_note("win32", appdata=appdata)  # what the button's message box adds
    assert note is not None and note.startswith("Excel also loads 'xl_prioritize (1).xlam' from ")
    (folder / "xl_prioritize (1).xlam").unlink()
    assert renamed_note("win32", appdata=appdata) is None


# --- addin check ------------------------------------------------------------------------------

def _ok_python(command: list[str]) -> subprocess.CompletedProcess[str]:
    assert command[1:3] == ["-c", "import xl_prioritize, xlwings; print(xlwings.__version__)"]
    return subprocess.CompletedProcess(command, 0, stdout=xlwings.__version__ + "\n", stderr="")


def _broken_python(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(command, 1, stdout="",
                                       stderr="ModuleNotFoundError: No module named 'xl_prioritize'\n")


def test_check_passes_on_a_windows_machine_with_everything_in_place(tmp_path: Path) -> None:
    appdata = str(tmp_path / "AppData")
    assert install_addin(lambda _: None, platform="win32", appdata=appdata, interpreter=WIN_PYTHON) == 0
    lines: list[str] = []
    assert check_addin(lines.append, platform="win32", appdata=appdata, run=_ok_python) == 0
    text = "\n".join(lines)
    assert "FAIL" not in text
    assert f"Python {WIN_PYTHON} imports xl_prioritize" in text
    assert "'Trust access to the VBA project object model' is not needed" in text
    assert lines[-1].startswith("All set")


def test_check_names_each_failure_with_what_to_do(tmp_path: Path) -> None:
    appdata = str(tmp_path / "AppData")
    lines: list[str] = []
    assert check_addin(lines.append, platform="win32", appdata=appdata, run=_ok_python) == 1
    assert any(line.startswith("FAIL  add-in at") for line in lines)
    assert "run `xl-prioritize addin install`" in "\n".join(lines)

    install_addin(lambda _: None, platform="win32", appdata=appdata, interpreter=WIN_PYTHON)
    lines.clear()
    assert check_addin(lines.append, platform="win32", appdata=appdata, run=_broken_python) == 1
    text = "\n".join(lines)
    assert f"FAIL  Python {WIN_PYTHON} cannot import xl_prioritize: ModuleNotFoundError" in text


def test_check_on_macos_wants_the_applescript_and_no_space(tmp_path: Path) -> None:
    assert install_addin(lambda _: None, platform="darwin", home=tmp_path,
                         interpreter="/Users/ana/venv/bin/python") == 0
    checks = addin_checks(platform="darwin", home=tmp_path, run=_ok_python)
    assert all(c.ok for c in checks), [c.line() for c in checks]
    script = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel" / \
        f"xlwings-{xlwings.__version__}.applescript"
    script.unlink()
    failed = [c for c in addin_checks(platform="darwin", home=tmp_path, run=_ok_python) if not c.ok]
    assert [c.fix for c in failed] == ["run `xlwings runpython install`, restart Excel"]


def test_check_flags_renamed_copies_and_notes_synced_folders(tmp_path: Path) -> None:
    appdata = str(tmp_path / "AppData")
    install_addin(lambda _: None, platform="win32", appdata=appdata, interpreter=WIN_PYTHON)
    folder = startup_folder("win32", appdata=appdata)
    assert folder is not None
    (folder / "xl_prioritize (1).xlam").write_bytes(b"")
    book = Path("C:/Users/ana/OneDrive - Acme/partners.xlsx")
    checks = addin_checks(platform="win32", appdata=appdata, run=_ok_python, workbook=book)
    failed = [c for c in checks if not c.ok]
    assert len(failed) == 1 and "renamed copy" in failed[0].what
    assert "Rename the file to 'xl_prioritize.xlam'" in failed[0].fix
    assert any("synced folder (OneDrive/SharePoint)" in c.what for c in checks if c.ok)


def test_check_command_on_a_system_without_excel() -> None:
    result = CliRunner().invoke(cli, ["addin", "check"])
    if sys.platform.startswith("linux"):
        assert result.exit_code == 1
        assert "FAIL  Excel does not run on linux" in result.output
    assert "xlwings " + xlwings.__version__ in result.output


def test_install_on_linux_points_to_the_command_line() -> None:
    lines: list[str] = []
    assert install_addin(lines.append, platform="linux") == 1
    assert "Excel does not run on this system (linux)" in lines[0]
    assert "xl-prioritize rescore FILE" in lines[0]


def test_install_on_windows_puts_it_in_xlstart(tmp_path: Path) -> None:
    lines: list[str] = []
    appdata = str(tmp_path / "AppData" / "Roaming")
    assert install_addin(lines.append, platform="win32", appdata=appdata) == 0
    target = Path(appdata) / "Microsoft" / "Excel" / "XLSTART" / ADDIN_NAME
    assert target.exists()
    assert lines[0] == f"Installed the add-in: {target}"


def test_install_on_macos_also_enables_runpython(tmp_path: Path) -> None:
    lines: list[str] = []
    assert install_addin(lines.append, platform="darwin", home=tmp_path) == 0
    folder = startup_folder("darwin", home=tmp_path)
    assert folder is not None and (folder / ADDIN_NAME).exists()
    assert str(folder).endswith("UBF8T346G9.Office/User Content.localized/Startup.localized/Excel")
    scripts = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert [p.name for p in scripts.iterdir()] == [f"xlwings-{xlwings.__version__}.applescript"]
    assert any("Enabled RunPython" in line for line in lines)


def test_the_required_xlwings_is_the_one_the_adapter_uses_and_check_asks_for() -> None:
    import tomllib

    from xl_prioritize.addin import MIN_XLWINGS

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    [spec] = [d for d in project["project"]["dependencies"] if d.startswith("xlwings")]
    assert spec == "xlwings>=" + ".".join(map(str, MIN_XLWINGS))
    # Range.data_validation, Range.conditional_formats and Chart.value_axis arrived in 0.37.5
    source = (Path(xlwings.__file__).parent / "main.py").read_text()
    for member in ("def data_validation(self)", "def conditional_formats(self)", "def value_axis(self)"):
        after = source[source.index(member):]
        assert "versionadded} 0.37.5" in after[:after.index("def ", 10)], member
