"""Recalculate xlsx workbooks in headless LibreOffice, so tests can read formula results.

openpyxl writes formulas without cached values. LibreOffice's shipped default for xlsx is "never
recalculate on load": it then computes only cells that lack a cached value and keeps any cached value
it finds, stale or not. So each call runs soffice with a throw-away user profile whose configuration
sets the OOXML (and ODF) recalculation mode to "always", and converts the file to xlsx in `out_dir`;
the converted file carries the recalculated values, read with
`openpyxl.load_workbook(path, data_only=True)`. A formula returning "" is written as an empty string
result (`<c t="str"><v></v></c>`), which openpyxl reads back as None.

One call takes about 1.5 s on a small file once the LibreOffice binaries are in the page cache (the
first call on a cold machine can take ~10 s); reusing one profile per process measured no faster.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

DEFAULT_TIMEOUT_S: float = 180.0

Recalc = Callable[[Path], Path]
"""The `recalc` fixture: source xlsx -> recalculated copy."""

# 0 = always recalculate, 1 = never, 2 = prompt (ScRecalcOptions).
_REGISTRY_MODIFICATIONS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" \
oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice is missing, failed, timed out or produced no output."""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH (`soffice`, else `libreoffice`), or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _write_profile(profile_dir: Path) -> None:
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY_MODIFICATIONS, encoding="utf-8")


def recalculate(src: Path, out_dir: Path, *, timeout: float = DEFAULT_TIMEOUT_S,
                fmt: str = "xlsx") -> Path:
    """Convert `src` (xlsx) with headless LibreOffice into `out_dir`, every formula recalculated.

    Returns the path of the converted file (`out_dir / src.name`); `fmt="pdf"` prints it instead.
    `out_dir` must not be `src`'s own folder, since the output keeps the file name. Each call uses
    its own fresh user profile, so calls are independent and safe to repeat (or run in parallel)
    within one session.
    """
    exe = soffice_path()
    if exe is None:
        raise LibreOfficeError("LibreOffice (soffice) not found on PATH")
    src = Path(src).resolve()
    out_dir = Path(out_dir).resolve()
    if not src.is_file():
        raise FileNotFoundError(src)
    if out_dir == src.parent:
        raise ValueError(f"out_dir must differ from the source folder, or soffice overwrites {src}")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = out_dir / f"{src.stem}.{fmt}"
    result.unlink(missing_ok=True)

    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        profile_dir = Path(profile)
        _write_profile(profile_dir)
        cmd = [
            exe,
            f"-env:UserInstallation={profile_dir.as_uri()}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nodefault",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(out_dir),
            str(src),
        ]
        # A session of its own, so a timeout can kill the whole tree (soffice -> oosplash -> soffice.bin).
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
        )
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            _, stderr = proc.communicate()
            raise LibreOfficeError(
                f"soffice timed out after {timeout:g} s converting {src}:\nstderr: {stderr.strip()}"
            ) from None

    if proc.returncode != 0 or not result.is_file():
        raise LibreOfficeError(
            f"soffice failed converting {src} (exit {proc.returncode}, output "
            f"{'present' if result.is_file() else 'missing'}):\n"
            f"stdout: {stdout.strip()}\nstderr: {stderr.strip()}"
        )
    return result
