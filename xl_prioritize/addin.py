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
import shutil
import sys
import zipfile
from collections.abc import Callable
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
    """Write `xl_prioritize.xlam` into `directory`, pointed at `interpreter` (this Python)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / ADDIN_NAME
    key = interpreter_key(platform)
    python = interpreter or sys.executable
    with zipfile.ZipFile(source or quickstart_addin()) as zin:
        part = ribbon_part(zin)
        replaced = {part: ribbon_xml(original_action(zin.read(part)))}
        conf_name, conf_part = _conf_sheet(zin)
        replaced["xl/workbook.xml"] = _enable_conf_sheet(zin.read("xl/workbook.xml"), conf_name)
        if key is not None:
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
                  appdata: str | None = None) -> int:
    """Build the add-in into Excel's startup folder; 0 on success, 1 where Excel cannot run."""
    folder = startup_folder(platform, home, appdata)
    if folder is None:
        echo(f"Excel does not run on this system ({platform}), so there is no add-in to install.\n"
             "Re-score a workbook file from the command line instead:\n"
             "    xl-prioritize rescore FILE")
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    try:
        path = build_addin(folder, platform=platform)
    except PermissionError:
        echo(f"Could not write {folder / ADDIN_NAME}: Excel has it open. Quit Excel and try again.")
        return 1
    echo(f"Installed the add-in: {path}")
    echo(f"Its Re-score button runs {ENTRY_MODULE}.main() with {sys.executable}")
    if platform == "darwin":
        script = Path(xlwings.__file__).parent / f"xlwings-{xlwings.__version__}.applescript"
        scripts = applescript_folder(home)
        scripts.mkdir(parents=True, exist_ok=True)
        shutil.copy(script, scripts)
        echo(f"Enabled RunPython (as `xlwings runpython install` does): {scripts / script.name}")
    echo(f"Restart Excel: the '{TAB_LABEL}' tab holds the '{BUTTON_LABEL}' button.")
    return 0
