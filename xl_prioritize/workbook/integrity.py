"""Fingerprints of what a re-score wrote once and must never change: archives and Log rows.

Each is recorded as a hidden workbook-level name (`xlpFingerprint_…`) holding a short hash of the
content as written, so `xl-prioritize audit` can tell later whether a person changed it. Names are
only ever added: a re-score never re-hashes what is already there, so an edit cannot be laundered.
The hash reads values the way any spreadsheet round trip keeps them: numbers to 9 decimals (a
LibreOffice save keeps 15 significant digits), date-times to the second, blank and "" alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence

from . import contract as c
from .cells import Formula, is_blank
from .ops import DefineName

DIGITS = 16


def normal(value: object) -> object:
    """A cell's value as the fingerprint sees it."""
    if isinstance(value, Formula):
        value = value.value
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, dt.datetime):
        return (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, numbers.Real):
        return f"{round(float(value), 9):.9f}"
    return str(value)


def trimmed(rows: Iterable[Sequence[object]]) -> list[list[object]]:
    """Rows of normalised values without trailing blanks, and without trailing blank rows."""
    out: list[list[object]] = []
    for row in rows:
        line = [normal(v) for v in row]
        while line and line[-1] is None:
            line.pop()
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


def digest(payload: object) -> str:
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:DIGITS]


def grid_fingerprint(rows: Iterable[Sequence[object]]) -> str:
    return digest(trimmed(rows))


def log_row_fingerprint(values: Mapping[str, object]) -> str:
    """One Log row by header, so the columns may stand in any order."""
    return digest([[name, normal(values.get(name))] for name in c.LOG_HEADERS])


def name_for(label: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "_", label).strip("_")
    return f"{c.FINGERPRINT_NAME_PREFIX}{stem}"


def archive_name(sheet: str) -> str:
    return name_for(sheet)


LOG_ROW_STEM = "Log_row_"


def log_name(row: int) -> str:
    return f"{c.FINGERPRINT_NAME_PREFIX}{LOG_ROW_STEM}{row}"


def log_rows(names: Mapping[str, str | None]) -> dict[int, str | None]:
    """Log row -> the fingerprint recorded for it, from the workbook's names."""
    pattern = re.compile(re.escape(c.FINGERPRINT_NAME_PREFIX + LOG_ROW_STEM) + r"(\d+)")
    return {int(m.group(1)): recorded(value) for name, value in names.items()
            if (m := pattern.fullmatch(name))}


def record(name: str, fingerprint: str) -> DefineName:
    return DefineName(name, f'"{fingerprint}"', hidden=True)


def recorded(refers_to: str | None) -> str | None:
    """The fingerprint a name holds (`"ab12…"`), None when it holds anything else."""
    if refers_to is None:
        return None
    match = re.fullmatch(r'=?"([0-9a-f]+)"', refers_to.strip())
    return match.group(1) if match else None
