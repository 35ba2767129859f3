"""Saving survives faults: modes and links kept, read-only refused, one run at a time, temporary
files removed on SIGTERM and after a killed run, a full disk leaves the original intact."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from builders import build_workbook, digest
from click.testing import CliRunner

from xl_prioritize.adapters.atomic import TEMP_PREFIX, atomic_replace, lock_path, workbook_lock
from xl_prioritize.cli import cli
from xl_prioritize.problems import Code, RunFailed, UnreadableWorkbook, WorkbookBusy

ROOT = Path(__file__).resolve().parents[1]
WIDE = {"COLUMNS": "200"}


def _workbook(folder: Path) -> Path:
    return build_workbook(folder / "partners.xlsx", roster_rows=[
        ("P1", "Acme", "Ana", 5, 4, 3, 2), ("P2", "Beta", "Ben", 1, 2, 3, 4)])


def _temps(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{TEMP_PREFIX}*"))


def _scored(path: Path) -> bool:
    header = next(openpyxl.load_workbook(path, read_only=True)["Roster"].iter_rows(values_only=True))
    return "Score" in header


def test_a_rescore_keeps_the_files_mode(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    path.chmod(0o640)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert _scored(path) and (path.stat().st_mode & 0o777) == 0o640
    assert _temps(tmp_path) == [] and not lock_path(path).exists()


def test_a_symlinked_workbook_is_updated_through_the_link(tmp_path: Path) -> None:
    real = _workbook(tmp_path)
    (tmp_path / "links").mkdir()
    link = tmp_path / "links" / "master.xlsx"
    link.symlink_to(real)
    result = CliRunner().invoke(cli, ["rescore", str(link)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and link.resolve() == real
    assert _scored(real)
    assert list((tmp_path / "links").iterdir()) == [link]


def test_a_read_only_workbook_is_refused_with_exit_2(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    path.chmod(0o444)
    before = digest(path)
    (tmp_path / "returns").mkdir()
    a_return = _workbook(tmp_path / "returns")
    for args in (["rescore", str(path)], ["collect", str(path), str(a_return)]):
        result = CliRunner().invoke(cli, args, env=WIDE)
        assert result.exit_code == 2, result.output
        assert "is read-only" in result.output and len(result.output.strip().splitlines()) == 1
    assert digest(path) == before
    with pytest.raises(UnreadableWorkbook) as raised, workbook_lock(path):
        pass
    assert raised.value.codes == [Code.READ_ONLY]


def test_a_second_run_waits_then_exits_3_naming_the_lock(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from xl_prioritize.adapters.atomic import workbook_lock\n"
         "with workbook_lock(sys.argv[1]):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(30)\n", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = digest(path)
        result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
        assert result.exit_code == 3, result.output
        assert lock_path(path).name in result.output and "another xl-prioritize run" in result.output
        assert digest(path) == before
    finally:
        holder.kill()
        holder.wait()
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)  # a killed holder's lock frees
    assert result.exit_code == 0, result.output


def test_runs_one_after_another_lose_no_update(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    with workbook_lock(path), pytest.raises(WorkbookBusy), workbook_lock(path, wait=0.2):
        pass
    with workbook_lock(path):
        pass
    assert not lock_path(path).exists()


def test_sigterm_during_a_save_removes_the_temporary_file(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    before = digest(path)
    run = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from xl_prioritize.adapters.atomic import atomic_replace\n"
         "with atomic_replace(sys.argv[1]) as temp:\n"
         "    temp.write_bytes(b'half a workbook')\n"
         "    print(temp, flush=True)\n"
         "    time.sleep(30)\n", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    temp = Path(run.stdout.readline().strip())
    assert temp.exists() and temp.parent == tmp_path
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=20) == 128 + signal.SIGTERM
    assert not temp.exists() and _temps(tmp_path) == []
    assert digest(path) == before


def test_sigterm_while_holding_the_lock_removes_the_lock_file(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\n"
         "from xl_prioritize.adapters.atomic import workbook_lock\n"
         "with workbook_lock(sys.argv[1]):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(30)\n", str(path)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None and run.stdout.readline().strip() == "held"
    assert lock_path(path).exists()
    run.send_signal(signal.SIGTERM)
    assert run.wait(timeout=20) == 128 + signal.SIGTERM
    assert not lock_path(path).exists()


def test_a_killed_runs_temporary_file_is_removed_by_the_next_run(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    stale = tmp_path / f"{TEMP_PREFIX}{path.name}.k1ll3d.xlsx"
    stale.write_bytes(b"left by a run killed with SIGKILL")
    old = time.time() - 60
    os.utime(stale, (old, old))
    other = tmp_path / f"{TEMP_PREFIX}someone-else.xlsx.x.xlsx"  # another workbook's: not ours
    other.write_bytes(b"")
    os.utime(other, (old, old))
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 0, result.output
    assert not stale.exists() and other.exists()


def test_a_full_disk_is_one_line_exit_4_and_the_original_is_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _workbook(tmp_path)
    before = digest(path)
    write = zipfile.ZipFile.writestr
    calls = []

    def full_disk(self: zipfile.ZipFile, *args: object, **kwargs: object) -> None:
        calls.append(args[0])
        if len(calls) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "writestr", full_disk)
    result = CliRunner().invoke(cli, ["rescore", str(path)], env=WIDE)
    assert result.exit_code == 4, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "the disk is full" in lines[0] and "as it was" in lines[0]
    assert digest(path) == before
    assert _temps(tmp_path) == [] and not lock_path(path).exists()


def test_atomic_replace_turns_any_os_error_into_run_failed(tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    before = digest(path)
    with pytest.raises(RunFailed, match="not permitted"), atomic_replace(path) as temp:
        temp.write_bytes(b"x")
        raise PermissionError(errno.EACCES, "Permission denied")
    assert digest(path) == before and _temps(tmp_path) == []


def test_demo_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    path.write_bytes(b"mine")
    result = CliRunner().invoke(cli, ["demo", str(path)], env=WIDE)
    assert result.exit_code != 0 and "--force" in result.output
    assert path.read_bytes() == b"mine"
    result = CliRunner().invoke(cli, ["demo", str(path), "--force"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert _scored(path)
