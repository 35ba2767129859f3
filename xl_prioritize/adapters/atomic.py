"""Saving a workbook so that no fault loses it: one run at a time per workbook, a temporary file
beside it that replaces it whole, and the file's mode, link and folder left as they were.

- `workbook_lock(path)`: held from reading to saving, so two runs cannot lose an update. An
  exclusive `fcntl` lock on `.~lock-xlp.<name>` beside the workbook; a second run waits
  `LOCK_WAIT` seconds, then is refused (exit 3) naming the lock. A read-only workbook is refused
  (exit 2) here, before anything is read: the mode bits are checked, since root may replace any file.
- `atomic_replace(path)`: yields a temporary path (`.~xlp-<name>.*`) in the same folder; on success
  it takes the workbook's mode and replaces the workbook (through a symlink: the link stays and its
  target is replaced). On any failure or SIGTERM the temporary file is removed and the workbook
  is untouched; a full disk or a refused write is `RunFailed` (exit 4). Temporary files that a
  killed run left behind are removed by the next run that holds the lock.
- `refuse_if_open(path)`: refuses (exit 3) a workbook Excel has open, by the `~$` owner file Excel
  leaves beside it. Here rather than in the openpyxl adapter, so a package re-score loads no openpyxl.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ..problems import Code, RunFailed, UnreadableWorkbook, WorkbookBusy

LOCK_WAIT = 2.0
"""Seconds a second run waits for the first before it is refused."""
LOCK_PREFIX = ".~lock-xlp."
TEMP_PREFIX = ".~xlp-"
EXIT_ON_SIGTERM = 128 + signal.SIGTERM


def target_of(path: Path | str) -> Path:
    """The file a save replaces: a symlink's target, so the link itself stays."""
    return Path(os.path.realpath(path))


def lock_path(path: Path | str) -> Path:
    target = target_of(path)
    return target.with_name(LOCK_PREFIX + target.name)


def refuse_read_only(path: Path | str) -> None:
    target = target_of(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        refusal = UnreadableWorkbook(
            Code.READ_ONLY, Path(path).name,
            "is read-only, so it was not re-written; make it writable (clear Read-only in its "
            "properties, or `chmod u+w`) and run again")
        refusal.source = str(path)
        raise refusal


@contextlib.contextmanager
def workbook_lock(path: Path | str, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the workbook's lock for the whole run; refuses read-only files and lost updates."""
    refuse_read_only(path)
    lock = lock_path(path)
    with _terminate_by_exception():  # SIGTERM while reading or computing removes the lock file too
        handle = _acquire(lock, wait, Path(path))
        try:
            _remove_stale_temps(target_of(path), os.fstat(handle).st_mtime)
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lock)
            os.close(handle)


def _acquire(lock: Path, wait: float, shown: Path) -> int:
    deadline = time.monotonic() + wait
    while True:
        handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(handle)
            if time.monotonic() >= deadline:
                raise WorkbookBusy(
                    f"{shown} is being written by another xl-prioritize run (it holds {lock.name} "
                    "beside the file); wait for it to finish and run again") from None
            time.sleep(0.1)
            continue
        try:
            same = os.fstat(handle).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a lock file the previous holder unlinked while we waited for it
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
            return handle
        os.close(handle)


def _remove_stale_temps(target: Path, since: float) -> None:
    """Temporary files of this workbook from runs that were killed before they could clean up:
    we hold the lock, so no live run owns one older than our lock."""
    for temp in target.parent.glob(f"{TEMP_PREFIX}{target.name}.*"):
        with contextlib.suppress(OSError):
            if temp.stat().st_mtime <= since:
                temp.unlink()


class Terminated(SystemExit):
    """SIGTERM arrived during a save: unwinds like an exception so the temporary file is removed."""


@contextlib.contextmanager
def _terminate_by_exception() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(EXIT_ON_SIGTERM)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def atomic_replace(path: Path | str) -> Iterator[Path]:
    """`with atomic_replace(path) as temp: write(temp)`: the workbook is replaced whole or not at all."""
    target = target_of(path)
    refuse_read_only(path)
    with _terminate_by_exception():
        handle, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", suffix=target.suffix,
                                        dir=target.parent)
        os.close(handle)
        temp = Path(name)
        try:
            yield temp
            with contextlib.suppress(FileNotFoundError):
                shutil.copymode(target, temp)
            os.replace(temp, target)
        except OSError as error:
            raise _failed(Path(path), error) from None
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()


def _failed(path: Path, error: OSError) -> RunFailed:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "writing beside it is not permitted"
    else:
        why = error.strerror or str(error)
    return RunFailed(f"{path} was not written: {why} ({error.strerror or error}); the file is as it "
                     "was. Fix that and run again")


def lock_files(path: Path) -> list[Path]:
    """The `~$` owner files Excel leaves beside a workbook it has open."""
    candidates = {path.with_name("~$" + path.name), path.with_name("~$" + path.name[2:])}
    return sorted(p for p in candidates if p.exists())


def refuse_if_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        raise WorkbookBusy(
            f"{path} is open in Excel ({locks[0].name} sits beside it); close it in Excel, "
            "or use the Re-score button there"
        )
