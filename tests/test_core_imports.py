"""The core computes on plain data: no module in xl_prioritize/core imports the workbook side or a
spreadsheet library, directly or through what it imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parent.parent / "xl_prioritize" / "core"
FORBIDDEN = ("xl_prioritize.workbook", "xl_prioritize.adapters", "openpyxl", "xlwings", "xlsxwriter",
             "lxml", "python_calamine")


def imported(path: Path) -> set[str]:
    """Absolute names of the modules a core file imports (relative imports resolved)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ["xl_prioritize", "core"][: max(0, 2 - (node.level - 1))] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names |= {f"{module}.{alias.name}" for alias in node.names}
    return names


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_no_core_module_imports_the_workbook_side(path: Path) -> None:
    bad = sorted(n for n in imported(path) if n.casefold().startswith(tuple(
        f.casefold() for f in FORBIDDEN)))
    assert not bad, f"{path.name} imports {bad}"


def test_importing_the_whole_core_loads_no_spreadsheet_library() -> None:
    modules = ", ".join(f"xl_prioritize.core.{p.stem}" for p in sorted(CORE.glob("*.py"))
                        if p.stem != "__init__")
    code = (f"import sys, importlib\nfor m in '{modules}'.split(', '): importlib.import_module(m)\n"
            "print('\\n'.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=CORE.parent.parent).stdout.split()
    assert [m for m in loaded if m.casefold().startswith(tuple(f.casefold() for f in FORBIDDEN))] == []


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from ..workbook.contract import UNSCORED\nimport openpyxl\n", encoding="utf-8")
    assert {"xl_prioritize.workbook.contract", "openpyxl"} <= imported(sample)
