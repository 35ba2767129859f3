"""One cell as SpreadsheetML markup: values typed as the plan means them, text escaped as OOXML
escapes it, formulas with their cached values."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import numbers
import operator
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..workbook.cells import Formula

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_LOOKS_ESCAPED = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)
ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                    "#GETTING_DATA", "#SPILL!", "#CALC!"})


def escape_text(text: str) -> str:
    """Text for an element's content: `&<>` as entities; a literal `_xHHHH_` keeps its meaning by
    escaping its underscore (`_x005F_`), and characters XML cannot hold become `_xHHHH_`."""
    if _plain(text):
        return text
    if "_x" in text:
        text = _LOOKS_ESCAPED.sub(r"_x005F_\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _NOT_XML.search(text):
        text = _NOT_XML.sub(lambda m: f"_x{ord(m[0]):04X}_", text)
    return text


def _plain(text: str) -> bool:
    """Text that escapes to itself: no `&<>`, no `_x`, nothing XML cannot hold (which is never
    printable; tabs and line breaks take the slow path too)."""
    return "&" not in text and "<" not in text and ">" not in text and "_x" not in text \
        and text.isprintable()


def plain_text(text: str) -> bool:
    """Cell text written as it is: nothing to escape and no space to preserve (`_plain`, inlined:
    it runs for every text cell)."""
    return "&" not in text and "<" not in text and ">" not in text and "_x" not in text \
        and text.isprintable() and text == text.strip()


def all_plain(texts: Iterable[str]) -> bool:
    """`_plain` of every text, tested once on them joined: a `_x` formed where two meet only
    sends them the slow way."""
    return _plain("".join(texts))


def all_plain_text(texts: Sequence[str]) -> bool:
    """`plain_text` of every text, at C speed (str.strip returns a text it leaves alone)."""
    return all_plain(texts) and all(map(operator.is_, texts, map(str.strip, texts)))


def escape_attr(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return _NOT_XML.sub("", text)


@lru_cache(maxsize=4096)
def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


def serial(value: dt.date | dt.datetime | dt.time | dt.timedelta, date1904: bool = False) -> float:
    """A date or time as Excel's day number (the 1900 system counts from 1899-12-30)."""
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second
                + value.microsecond / 1e6) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - (_EPOCH_1904 if date1904 else _EPOCH_1900)
    days = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    if not date1904 and days < 61:  # before Excel's phantom 1900-02-29
        days -= 1
    return days


def date_format(value: object) -> str | None:
    """The number format a date or time written into a General cell gets (as openpyxl does)."""
    if isinstance(value, dt.datetime):
        return "yyyy-mm-dd h:mm:ss"
    if isinstance(value, dt.date):
        return "yyyy-mm-dd"
    if isinstance(value, dt.time):
        return "h:mm:ss"
    if isinstance(value, dt.timedelta):
        return "[hh]:mm:ss"
    return None


def _float_text(value: float) -> str | None:
    if value.is_integer():
        return str(int(value)) if -1e15 < value < 1e15 else f"{value:.16g}"
    return f"{value:.16g}" if math.isfinite(value) else None


def float_texts(values: Iterable[float]) -> list[str] | None:
    """`_float_text` of every float, None when one is NaN or infinite: `.16g` writes an integer
    below 1e15 as `str(int(value))` does, but for -0.0. Each value is written once (a score
    column holds a few hundred values, and writing one costs as much as 10 lookups)."""
    distinct = set(values)
    if not all(map(math.isfinite, distinct)):
        return None
    texts = dict(zip(distinct, map(format, distinct, itertools.repeat(".16g")), strict=True))
    if 0.0 in texts:  # or -0.0, which is equal: either one is "0"
        texts[0.0] = "0"
    return list(map(texts.__getitem__, values))


def number(value: float | int) -> str | None:
    """A number as `<v>` holds it; None for what a cell cannot hold (NaN, infinities)."""
    kind = type(value)
    if kind is float:
        return _float_text(value)
    if kind is int:
        return str(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    value = float(value)
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.16g}"  # as openpyxl writes it: both file adapters store the same number


def _text(text: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f"<is><t{space}>{escape_text(text)}</t></is>"


def _cached(value: object, date1904: bool) -> tuple[str, str]:
    """(type attribute, `<v>` element) of a formula's cached value."""
    kind = type(value)
    if kind is float:
        text = _float_text(value)
        return ("", f"<v>{text}</v>") if text is not None else (' t="e"', "<v>#NUM!</v>")
    if kind is int:
        return "", f"<v>{value}</v>"
    if value is None:
        return "", ""
    if isinstance(value, bool):
        return ' t="b"', f"<v>{int(value)}</v>"
    if isinstance(value, str):
        if value in ERRORS:
            return ' t="e"', f"<v>{value}</v>"
        return ' t="str"', f"<v>{escape_text(value)}</v>"
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return "", f"<v>{number(serial(value, date1904))}</v>"
    if isinstance(value, numbers.Real):
        text = number(value)
        return ("", f"<v>{text}</v>") if text is not None else (' t="e"', "<v>#NUM!</v>")
    return ' t="str"', f"<v>{escape_text(str(value))}</v>"


def cell(reference: str, value: object, style: int, date1904: bool = False) -> str:
    """`<c>` for a plan value: every `str` is text (inline), only a `Formula` is a formula."""
    s = f' s="{style}"' if style else ""
    return f'<c r="{reference}"{s}{after_style(value, date1904)}'


def after_style(value: object, date1904: bool = False) -> str:
    """A cell's markup after its `r=` and `s=`: its type, its value and its end."""
    kind = type(value)
    if kind is str:
        if plain_text(value):
            return f' t="inlineStr"><is><t>{value}</t></is></c>'
        return f' t="inlineStr">{_text(value)}</c>'
    if kind is int:
        return f"><v>{value}</v></c>"
    if kind is float:
        text = _float_text(value)
        return f"><v>{text}</v></c>" if text is not None else "/>"
    if value is None:
        return "/>"
    if isinstance(value, Formula):
        t, v = _cached(value.value, date1904)
        return f"{t}><f>{escape_text(value.text[1:])}</f>{v}</c>"
    if isinstance(value, str):
        return f' t="inlineStr">{_text(value)}</c>'
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return f"><v>{number(serial(value, date1904))}</v></c>"
    if isinstance(value, numbers.Real):
        text = number(value)
        return f"><v>{text}</v></c>" if text is not None else "/>"
    return f' t="inlineStr">{_text(str(value))}</c>'
