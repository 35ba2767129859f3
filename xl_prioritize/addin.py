"""The Excel ribbon add-in: a `Partners` tab whose `Re-score` button runs `xl_prioritize.main()`.

Built from the installed xlwings' `quickstart_addin_ribbon.xlam`. Its VBA (`xl/vbaProject.bin`) is
copied byte for byte; its ribbon button calls `RibbonMyAddin.RunMain`, which runs
`RunPython "import <file name>; <file name>.main()"`: naming the file `xl_prioritize.xlam` makes
that `import xl_prioritize; xl_prioritize.main()`.

The VBA's `PROJECT_NAME` is `myaddin`, so its `GetConfig` reads a sheet named `myaddin.conf` in the
active workbook, then in the add-in itself. The quickstart ships that sheet disabled as
`_myaddin.conf`; the build enables it and writes the interpreter that built the add-in into it
(`Interpreter_Win` or `Interpreter_Mac`). Nothing else in the file changes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import xlwings
from lxml import etree

from .ooxml.safety import safe_fromstring

ADDIN_NAME = "xl_prioritize.xlam"
ENTRY_MODULE = "xl_prioritize"
VBA_PART = "xl/vbaProject.bin"
RIBBON_REL_TYPES = (
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
)
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

TAB_LABEL = "Partners"
GROUP_LABEL = "Prioritization"
BUTTON_LABEL = "Re-score"
BUTTON_ICON = "CalculateNow"
"""The built-in `Calculate Now` icon of Excel's Formulas tab."""

RIBBON_TEMPLATE = """<customUI xmlns="{ns}">
  <ribbon>
    <tabs>
      <tab id="xlPrioritizeTab" label="{tab}">
        <group id="xlPrioritizeGroup" label="{group}">
          <button id="xlPrioritizeRescore" label="{button}" size="large" imageMso="{icon}"
                  onAction="{action}"
                  screentip="Re-score partners"
                  supertip="Score, rank and tier every partner, plan the team's hours, log the run." />
        </group>
      </tab>
    </tabs>
  </ribbon>
</customUI>
"""

Echo = Callable[[str], None]
MIN_PYTHON = (3, 11)
MIN_XLWINGS = (0, 37, 5)
"""The oldest xlwings whose API the live adapter uses (`Range.data_validation`,
`conditional_formats`, `Chart.value_axis`: 0.37.5); pyproject.toml requires the same."""
SYNCED_FOLDERS = re.compile(r"OneDrive|SharePoint|Library/CloudStorage", re.IGNORECASE)


class AddinError(ValueError):
    """An add-in that would not run where it is meant to: the message says what to do."""


def module_name(addin_file: str) -> str:
    """The module the add-in's VBA imports: its file name up to the last dot (RibbonMyAddin.RunMain:
    `Left(ThisWorkbook.Name, InStrRev(ThisWorkbook.Name, ".") - 1)`)."""
    return addin_file.rsplit(".", 1)[0]


def renamed_message(addin_file: str) -> str | None:
    """Why an add-in file named `addin_file` cannot run the button, and the fix; None when it can."""
    module = module_name(addin_file)
    if module == ENTRY_MODULE:
        return None
    return (f"The add-in file is named '{addin_file}', so its button runs 'import {module}', which "
            f"Python cannot do (a browser or a copy renamed it). Rename the file to '{ADDIN_NAME}' "
            "(quit Excel first), or run `xl-prioritize addin install` again.")


def space_message(interpreter: str) -> str | None:
    """On macOS xlwings' AppleScript (`xlwings-<version>.applescript`, `VbaHandler`) starts
    `PythonInterpreter & " -B -u ..."` unquoted: a path with a space runs the wrong program."""
    if " " not in interpreter:
        return None
    return (f"The Python path '{interpreter}' has a space, and on macOS xlwings starts the "
            "interpreter without quoting its path, so the button would fail. Make an environment "
            "in a folder without spaces (e.g. `python3 -m venv ~/xl-prioritize`), or link one: "
            "`ln -s \"<path with space>/python\" ~/.xl-prioritize-python`, then "
            "`xl-prioritize addin install --python ~/.xl-prioritize-python`.")


def quickstart_addin() -> Path:
    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def ribbon_part(archive: zipfile.ZipFile) -> str:
    """The part name of the ribbon XML, as the package's root relationships name it."""
    rels = safe_fromstring(archive.read("_rels/.rels"))
    for rel in rels.iter(f"{{{REL_NS}}}Relationship"):
        if rel.get("Type") in RIBBON_REL_TYPES:
            return rel.get("Target", "").lstrip("/")
    raise ValueError("the quickstart add-in has no ribbon part")


def original_action(ribbon_xml: bytes) -> str:
    """The `onAction` of the quickstart's one button: the VBA macro that runs the module."""
    root = safe_fromstring(ribbon_xml)
    for button in root.iter(f"{{{CUSTOMUI_NS}}}button"):
        action = button.get("onAction")
        if action:
            return action
    raise ValueError("the quickstart ribbon has no button with an onAction")


def ribbon_xml(action: str) -> bytes:
    text = RIBBON_TEMPLATE.format(ns=CUSTOMUI_NS, tab=TAB_LABEL, group=GROUP_LABEL,
                                  button=BUTTON_LABEL, icon=BUTTON_ICON, action=action)
    return text.encode("utf-8")


def interpreter_key(platform: str) -> str | None:
    """The `myaddin.conf` key xlwings' VBA reads for this platform's interpreter."""
    if platform.startswith("win"):
        return "Interpreter_Win"
    if platform == "darwin":
        return "Interpreter_Mac"
    return None


def _conf_sheet(archive: zipfile.ZipFile) -> tuple[str, str]:
    """(sheet name, worksheet part) of the quickstart's config sheet, `_myaddin.conf`."""
    book = safe_fromstring(archive.read("xl/workbook.xml"))
    rels = safe_fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{{{REL_NS}}}Relationship")}
    for sheet in book.iter(f"{{{MAIN_NS}}}sheet"):
        name = sheet.get("name", "")
        if name.endswith(".conf"):
            target = targets[sheet.get(f"{{{OFFICE_REL_NS}}}id")]
            return name, "xl/" + target.lstrip("/").removeprefix("xl/")
    raise ValueError("the quickstart add-in has no .conf sheet")


def _enable_conf_sheet(workbook_xml: bytes, name: str) -> bytes:
    book = safe_fromstring(workbook_xml)
    for sheet in book.iter(f"{{{MAIN_NS}}}sheet"):
        if sheet.get("name") == name:
            sheet.set("name", name.lstrip("_"))
    return etree.tostring(book, xml_declaration=True, encoding="UTF-8", standalone=True)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    root = safe_fromstring(archive.read("xl/sharedStrings.xml"))
    return ["".join(si.itertext()) for si in root.iter(f"{{{MAIN_NS}}}si")]


def _set_conf_value(sheet_xml: bytes, strings: list[str], key: str, value: str) -> bytes:
    """Write `value` in column B beside the column-A cell that holds `key` (as an inline string)."""
    root = safe_fromstring(sheet_xml)
    ns = {"m": MAIN_NS}
    for row in root.iterfind(".//m:sheetData/m:row", ns):
        cells = row.findall("m:c", ns)
        key_cell = next((c for c in cells if c.get("r", "").startswith("A")), None)
        if key_cell is None or key_cell.get("t") != "s":
            continue
        if strings[int(key_cell.findtext("m:v", namespaces=ns))].casefold() != key.casefold():
            continue
        number = row.get("r")
        for old in [c for c in cells if c.get("r") == f"B{number}"]:
            row.remove(old)
        cell = etree.SubElement(row, f"{{{MAIN_NS}}}c", r=f"B{number}", t="inlineStr")
        etree.SubElement(etree.SubElement(cell, f"{{{MAIN_NS}}}is"), f"{{{MAIN_NS}}}t").text = value
        row.set("spans", "1:2")
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    raise ValueError(f"the add-in's config sheet has no {key} row")


def build_addin(
    directory: Path | str = ".",
    *,
    interpreter: str | None = None,
    platform: str = sys.platform,
    source: Path | None = None,
) -> Path:
    """Write `xl_prioritize.xlam` into `directory`, pointed at `interpreter` (this Python).

    Raises AddinError when the add-in would not run: built for a system without Excel, for
    another system without its interpreter (this Python's path means nothing there), or for
    macOS with a path holding a space."""
    key = interpreter_key(platform)
    if key is None:
        raise AddinError(f"Excel does not run on {platform}: build for win32 or darwin")
    if interpreter is None and interpreter_key(sys.platform) != key:
        raise AddinError(f"Building on {sys.platform} for {platform}: give the interpreter the "
                         "button is to run on that computer with --python (e.g. "
                         + (r"C:\Users\ana\xl-prioritize\Scripts\python.exe" if key == "Interpreter_Win"
                            else "/Users/ana/xl-prioritize/bin/python") + ")")
    python = interpreter or sys.executable
    if platform == "darwin" and (problem := space_message(python)):
        raise AddinError(problem)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / ADDIN_NAME
    with zipfile.ZipFile(source or quickstart_addin()) as zin:
        part = ribbon_part(zin)
        replaced = {part: ribbon_xml(original_action(zin.read(part)))}
        conf_name, conf_part = _conf_sheet(zin)
        replaced["xl/workbook.xml"] = _enable_conf_sheet(zin.read("xl/workbook.xml"), conf_name)
        replaced[conf_part] = _set_conf_value(zin.read(conf_part), _shared_strings(zin), key,
                                              python)
        temp = target.with_name(f".~{target.name}")
        with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                data = replaced.get(info.filename, zin.read(info.filename))
                zout.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    temp.replace(target)
    return target


def startup_folder(platform: str = sys.platform, home: Path | None = None,
                   appdata: str | None = None) -> Path | None:
    """Where Excel opens add-ins at start, as `xlwings addin install` finds it; None without Excel."""
    home = home or Path.home()
    if platform.startswith("win"):
        base = appdata or os.environ.get("APPDATA") or str(home / "AppData" / "Roaming")
        return Path(base) / "Microsoft" / "Excel" / "XLSTART"
    if platform == "darwin":
        return (home / "Library" / "Group Containers" / "UBF8T346G9.Office" /
                "User Content.localized" / "Startup.localized" / "Excel")
    return None


def applescript_folder(home: Path | None = None) -> Path:
    """Where macOS Excel looks for the AppleScript that RunPython calls (`xlwings runpython install`)."""
    return (home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel"


def install_addin(echo: Echo, *, platform: str = sys.platform, home: Path | None = None,
                  appdata: str | None = None, interpreter: str | None = None) -> int:
    """Build the add-in into Excel's startup folder; 0 on success, 1 where it could not be done."""
    folder = startup_folder(platform, home, appdata)
    if folder is None:
        echo(f"Excel does not run on this system ({platform}), so there is no add-in to install.\n"
             "Re-score a workbook file from the command line instead:\n"
             "    xl-prioritize rescore FILE")
        return 1
    python = interpreter or sys.executable
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = build_addin(folder, platform=platform, interpreter=python)
    except PermissionError:
        echo(f"Could not write {folder / ADDIN_NAME}: Excel has it open. Quit Excel and try again.")
        return 1
    except AddinError as error:
        echo(f"Not installed: {error}")
        return 1
    for other in renamed_copies(folder):
        echo(f"Warning: {renamed_message(other.name)} Delete {other} so Excel does not load it.")
    echo(f"Installed the add-in: {path}")
    echo(f"Its Re-score button runs {ENTRY_MODULE}.main() with {python}")
    if platform == "darwin":
        script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
        scripts = applescript_folder(home)
        scripts.mkdir(parents=True, exist_ok=True)
        shutil.copy(script, scripts)
        echo(f"Enabled RunPython (as `xlwings runpython install` does): {scripts / script.name}")
    echo(f"Restart Excel: the '{TAB_LABEL}' tab holds the '{BUTTON_LABEL}' button.")
    return 0


def renamed_copies(folder: Path) -> list[Path]:
    """Copies of the add-in in `folder` under another name (`xl_prioritize (1).xlam`)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.xlam")
                  if p.name != ADDIN_NAME and p.name.casefold().startswith(ENTRY_MODULE.casefold()))


def renamed_note(platform: str = sys.platform, home: Path | None = None,
                 appdata: str | None = None) -> str | None:
    """For the button's message box: renamed copies of the add-in Excel also loads, whose buttons
    fail (`import xl_prioritize (1)`), and what to do."""
    folder = startup_folder(platform, home, appdata)
    copies = renamed_copies(folder) if folder is not None else []
    if not copies:
        return None
    names = ", ".join(f"'{p.name}'" for p in copies)
    return (f"Excel also loads {names} from {folder}: its Re-score button cannot run (the file's name "
            f"is not '{ADDIN_NAME}'). Quit Excel and delete it; this add-in is the one to keep.")


def read_interpreter(addin: Path, platform: str) -> str | None:
    """The interpreter written into an add-in's config sheet for `platform`."""
    key = interpreter_key(platform)
    if key is None:
        return None
    ns = {"m": MAIN_NS}
    with zipfile.ZipFile(addin) as archive:
        _, part = _conf_sheet(archive)
        strings = _shared_strings(archive)
        sheet = etree.fromstring(archive.read(part))
    for row in sheet.iterfind(".//m:sheetData/m:row", ns):
        cells = {c.get("r", "")[:1]: c for c in row.findall("m:c", ns)}
        name = cells.get("A")
        if name is None or name.get("t") != "s":
            continue
        if strings[int(name.findtext("m:v", namespaces=ns))].casefold() == key.casefold():
            value = cells.get("B")
            text = "".join(value.itertext()).strip() if value is not None else ""
            return text or None
    return None


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    fix: str = ""

    def line(self) -> str:
        text = f"{'ok  ' if self.ok else 'FAIL'}  {self.what}"
        return text + (f"\n      -> {self.fix}" if self.fix else "")


Runner = Callable[[list[str]], "subprocess.CompletedProcess[str]"]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def addin_checks(*, platform: str = sys.platform, home: Path | None = None,
                 appdata: str | None = None, workbook: Path | None = None,
                 run: Runner = _run) -> list[Check]:
    """What the Re-score button needs on this computer, one check each."""
    checks: list[Check] = []
    here = ".".join(map(str, sys.version_info[:3]))
    checks.append(Check(sys.version_info[:2] >= MIN_PYTHON, f"Python {here}",
                        "" if sys.version_info[:2] >= MIN_PYTHON else "install Python 3.11 or newer"))
    need = ".".join(map(str, MIN_XLWINGS))
    good = _version(xlwings.__version__) >= MIN_XLWINGS
    checks.append(Check(good, f"xlwings {xlwings.__version__} (needs {need} or newer)",
                        "" if good else f"pip install 'xlwings>={need}'"))
    folder = startup_folder(platform, home, appdata)
    if folder is None:
        checks.append(Check(False, f"Excel does not run on {platform}",
                            "use `xl-prioritize rescore FILE`, or check on the computer with Excel"))
        return checks
    addin = folder / ADDIN_NAME
    checks.append(Check(addin.exists(), f"add-in at {addin}",
                        "" if addin.exists() else "quit Excel, run `xl-prioritize addin install`"))
    for other in renamed_copies(folder):
        checks.append(Check(False, f"renamed copy {other}", renamed_message(other.name) or ""))
    if addin.exists():
        checks.append(_interpreter_check(addin, platform, run))
    if platform == "darwin":
        script = applescript_folder(home) / f"xlwings-{xlwings.__version__}.applescript"
        checks.append(Check(script.exists(), f"xlwings' AppleScript at {script}",
                            "" if script.exists() else "run `xlwings runpython install`, restart Excel"))
    else:
        checks.append(Check(True, "'Trust access to the VBA project object model' is not needed: "
                                  "the button only runs the add-in's own macro"))
    if workbook is not None:
        synced = SYNCED_FOLDERS.search(str(workbook)) is not None
        checks.append(Check(True, f"workbook {workbook}" + (
            " is in a synced folder (OneDrive/SharePoint): the button finds it by name and works; "
            "see docs/excel-button.md if xlwings cannot resolve its path" if synced else "")))
    return checks


def _interpreter_check(addin: Path, platform: str, run: Runner) -> Check:
    python = read_interpreter(addin, platform)
    if python is None:
        return Check(False, "the add-in names no Python", "run `xl-prioritize addin install` here")
    if platform == "darwin" and (problem := space_message(python)):
        return Check(False, f"Python {python}", problem)
    try:
        done = run([python, "-c", "import xl_prioritize, xlwings; print(xlwings.__version__)"])
    except (OSError, subprocess.SubprocessError) as error:
        return Check(False, f"Python {python} does not start: {error}",
                     "activate the environment with xl-prioritize, run `xl-prioritize addin install`")
    if done.returncode != 0:
        last = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        return Check(False, f"Python {python} cannot import xl_prioritize: {last[0]}",
                     "pip install xl-prioritize into that environment, or reinstall the add-in from "
                     "the environment that has it")
    return Check(True, f"Python {python} imports xl_prioritize (xlwings {done.stdout.strip()})")


def check_addin(echo: Echo, **options: object) -> int:
    """Print each check; 0 when all hold, 1 otherwise."""
    checks = addin_checks(**options)  # type: ignore[arg-type]
    for check in checks:
        echo(check.line())
    failed = sum(not c.ok for c in checks)
    echo("All set: open a workbook, find the Partners tab, click Re-score." if not failed
         else f"{failed} check(s) failed: fix them, then run `xl-prioritize addin check` again.")
    return 0 if not failed else 1
