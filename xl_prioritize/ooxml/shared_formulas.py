"""Shared formulas whose master cell a re-score rewrites.

Excel stores a formula filled across cells once, in the group's first cell (the master: `<f
t="shared" ref="J2:R2" si="0">…</f>`); the others hold only `<f t="shared" si="0"/>`. When the
master stands in an output column the re-score writes, the cells of the group outside the owned
cells would be left pointing at a formula that is gone, and Excel would repair the file. Those
cells get their formula written out in full instead, as Excel itself does when a master is
overwritten; their cached values stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .cellxml import column_index, escape_text
from .fastread import Unusual, decoded

_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f(\s[^>]*)>([^<]*)</(?:[A-Za-z_][\w.-]*:)?f>")
_ATTRIBUTE = re.compile(rb'([A-Za-z_:][\w.:-]*)\s*=\s*"([^"]*)"')
_RANGE = re.compile(r"([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?")


class OrphanedShares:
    """The shared formulas of one sheet whose master is rewritten, by group index (`si`)."""

    def __init__(self, prefix: bytes, written: Callable[[], tuple[set[int], int]]) -> None:
        """`written`: every column the re-score writes on the sheet and the last row it writes,
        worked out only when a shared master is met."""
        self.orphans: dict[bytes, tuple[str, str]] = {}
        """si -> (the master's formula text with its `=`, the master's reference)."""
        self._written = written
        self._written_cells: tuple[set[int], int] | None = None
        p = re.escape(prefix)
        self._dependent = re.compile(rb'(<' + p + rb'c r="([A-Z]{1,3}[0-9]+)"[^>]*>\s*)<' + p
                                     + rb"f(\s[^>]*?)\s*(?:/>|>\s*</" + p + rb"f>)")
        self._open, self._close = b"<" + prefix + b"f", b"</" + prefix + b"f>"

    def note(self, content: bytes, reference: str) -> None:
        """The content of a cell the re-score rewrites: remembered when it is the master of a
        group that reaches beyond the cells the re-score writes."""
        if b'"shared"' not in content:
            return
        found = _FORMULA.search(content)
        if found is None:
            return
        attributes = dict(_ATTRIBUTE.findall(found[1]))
        group = _RANGE.fullmatch(attributes.get(b"ref", b"").decode())
        if attributes.get(b"t") != b"shared" or group is None or b"si" not in attributes:
            return
        first, last = column_index(group[1]), column_index(group[3] or group[1])
        last_row = int(group[4] or group[2])
        if self._written_cells is None:
            self._written_cells = self._written()
        owned_columns, last_owned_row = self._written_cells
        if all(c in owned_columns for c in range(first, last + 1)) and last_row <= last_owned_row:
            return  # every cell of the group is rewritten too
        try:
            text = "=" + decoded(found[2].decode())
        except Unusual:
            return
        self.orphans[attributes[b"si"]] = (text, reference)

    def written_out(self, piece: bytes) -> bytes:
        """`piece` of the sheet's XML with every cell of an orphaned group holding its own formula."""
        return self._dependent.sub(self._one, piece) if self.orphans else piece

    def _one(self, match: re.Match[bytes]) -> bytes:
        attributes = dict(_ATTRIBUTE.findall(match[3]))
        master = self.orphans.get(attributes.get(b"si", b""))
        if master is None or attributes.get(b"t") != b"shared" or b"ref" in attributes:
            return match[0]
        from openpyxl.formula.translate import Translator  # only for a workbook that needs it

        text = Translator(master[0], origin=master[1]).translate_formula(match[2].decode())
        kept = b"".join(b' %s="%s"' % item for item in attributes.items() if item[0] not in (b"t", b"si"))
        return match[1] + self._open + kept + b">" + escape_text(text[1:]).encode() + self._close
