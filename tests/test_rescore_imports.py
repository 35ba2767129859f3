"""`xl-prioritize rescore FILE` loads no openpyxl: the package-part path reads and writes the file
itself, and importing openpyxl alone costs about 0.17 s of every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.builders import build_workbook

ROOT = Path(__file__).resolve().parent.parent


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code` with this checkout's package."""
    done = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return set(done.stdout.split())


def test_the_package_adapter_does_not_load_the_openpyxl_adapter() -> None:
    loaded = loaded_after("import xl_prioritize.adapters.package\n"
                          "from xl_prioritize.rescore import rescore_file")
    assert "xl_prioritize.adapters.package" in loaded
    assert "xl_prioritize.adapters.files" not in loaded


def test_refuse_if_open_is_still_importable_from_the_file_adapter() -> None:
    from xl_prioritize.adapters import atomic, files

    assert files.refuse_if_open is atomic.refuse_if_open


def test_a_plain_file_rescore_never_imports_openpyxl(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "book.xlsx", roster_rows=[
        ("P1", "Alpha", "Ana", 5, 4, 3, 2), ("P2", "Beta", None, 3, 3, 3, 3),
        ("P3", "Gamma", None, 2, 5, 5, 5), ("P4", "Delta", None, 1, 1, 1, 1),
    ])
    loaded = loaded_after(f"from xl_prioritize.rescore import rescore_file\n"
                          f"rescore_file({str(path)!r}, run_by='test')")
    assert "xl_prioritize.adapters.package" in loaded  # the file was re-scored by the package path
    assert sorted(m for m in loaded if m.split(".")[0] == "openpyxl") == []
    assert "xl_prioritize.workbook.sent" not in loaded  # read only in a partner manager's copy
