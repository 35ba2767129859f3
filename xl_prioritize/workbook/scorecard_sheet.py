"""The Scorecard sheet: pick a partner, see its Score taken apart, in plain Excel formulas.

Everything is INDEX/MATCH and SUMPRODUCT over the Roster, so it works without Python and in
LibreOffice 7.4. Each formula carries, as its cached value, what the core computed for the partner
selected when the re-score ran (`core/explain.py` computes the same figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from ..core.explain import Explanation, explain, find_partner
from ..model import Inputs, Results
from . import contract as c
from .cells import Formula, as_text
from .columns import get_column_letter
from .formulas import weight_names
from .ops import (
    Area,
    CellValue,
    ClearSheet,
    ColumnWidths,
    DataValidationList,
    EnsureSheet,
    Plan,
    Style,
    WriteBlock,
    header_style,
)
from .parse import Parsed
from .staleness import stale_count_formula

PICK_ROW = 3
ROW_OFFSET = 5
"""B5: the partner's position in the Roster's ranges (1 = row 2)."""
ID_ROW = 6
SCORE_ROW = 7
TIER_ROW = 9
ABOVE_ROW = 12
BOUNDARY_ROW = 13
MISSING_ROW = 14
ONE_STEP_ROW = 15
STALE_ROW = 16
CHANGED_ROW = 17
FACTOR_HEADER_ROW = 19
FACTOR_HEADERS = ("Factor", "Score", "Weight", "Share of weight", "Contribution (points)",
                  "Score +1 step", "Gain (points)", "Closes the gap")
TIER_TABLE_COL = 11
"""Column K: the tiers as last re-scored, for the lookups."""
NOT_FOUND = "not on the Roster"
NOT_IN = "not in that quarter"
NO_STEP = "none: no single +1 step closes it"
AT_BOUNDARY = "none needed: at the boundary already"
TOP = "(top tier)"
ARCHIVE_COLUMNS = "$A:$ZZ"
"""Where an archive's Partner ID, Tier and Score columns are looked up, by header."""


class RosterRanges(NamedTuple):
    """Where the Scorecard's formulas find the Roster's columns (rows 2 to `last_row`)."""

    sheet: str
    last_row: int
    columns: dict[str, int]
    """1-based column of Partner ID, Partner, each output and `Score when tiered`."""
    factor_columns: list[int]
    override_column: int | None
    group_column: int | None

    def range(self, col: int) -> str:
        letter = get_column_letter(col)
        return f"{c.quote_sheet(self.sheet)}!${letter}$2:${letter}${self.last_row}"

    def of(self, name: str) -> str:
        return self.range(self.columns[name])


def _at(ranges: RosterRanges, name: str) -> str:
    return f"INDEX({ranges.of(name)},$B${ROW_OFFSET})"


def _blank(value: object) -> CellValue:
    return "" if value is None else value  # type: ignore[return-value]


def selected_partner(inputs: Inputs, results: Results, previous: object) -> int | None:
    """Keep the partner picked before (by Partner ID or name) while it is on the Roster, else
    show the top-ranked one."""
    text = as_text(previous)
    kept = find_partner(inputs, text) if text is not None else None
    if kept is not None:
        return kept
    if not len(inputs.roster):
        return None
    ranked = [i for i, r in enumerate(results.rank) if r == 1]
    return ranked[0] if ranked else 0


def header_block(ranges: RosterRanges, e: Explanation, inputs: Inputs) -> list[tuple[int, str,
                                                                                    Formula]]:
    ids, names = ranges.of(c.PARTNER_ID), ranges.of(c.PARTNER)
    tiers = f"$K$4:$K${3 + len(inputs.tiers)}"
    sizes = f"$L$4:$L${3 + len(inputs.tiers)}"
    position = f"IFERROR(MATCH($B${PICK_ROW},{ids},0),MATCH($B${PICK_ROW},{names},0))"
    rows: list[tuple[int, str, Formula]] = [
        (4, c.PARTNER, Formula(f'=IFERROR(INDEX({names},$B${ROW_OFFSET}),"{NOT_FOUND}")',
                               _blank(e.name))),
        (ROW_OFFSET, "Position in the Roster", Formula(f"={position}", None)),
        (ID_ROW, c.PARTNER_ID, Formula(f"={_at(ranges, c.PARTNER_ID)}", e.partner_id)),
        (SCORE_ROW, c.SCORE, Formula(f"={_at(ranges, c.SCORE)}", _blank(e.score))),
        (8, c.RANK, Formula(f'=IF(ISNUMBER({_at(ranges, c.RANK)}),{_at(ranges, c.RANK)},"")',
                            _blank(e.rank))),
        (TIER_ROW, c.TIER_OUT, Formula(f"={_at(ranges, c.TIER_OUT)}", e.tier)),
        (10, c.SERVICE_LEVEL, Formula(f'={_at(ranges, c.SERVICE_LEVEL)}&""',
                                      _blank(e.service_level))),
        (11, "Served by", Formula(f'={_at(ranges, c.ASSIGNED_TO)}&""', _blank(e.assigned_to))),
    ]
    tier = f"$B${TIER_ROW}"
    rows.append((ABOVE_ROW, "Tier above", Formula(
        f'=IFERROR(IF(MATCH({tier},{tiers},0)=1,"{TOP}",INDEX({tiers},MATCH({tier},{tiers},0)-1)),"")',
        e.tier_above or (TOP if _is_top(inputs, e) else ""))))
    rows.append((BOUNDARY_ROW, "Boundary Score of the tier above",
                 Formula(boundary_formula(ranges, inputs, tiers, sizes), _blank(e.boundary))))
    rows.append((MISSING_ROW, "Points missing", Formula(
        f'=IF(AND(ISNUMBER($B${BOUNDARY_ROW}),ISNUMBER($B${SCORE_ROW})),'
        f'MAX(0,$B${BOUNDARY_ROW}-$B${SCORE_ROW}),"")', _blank(e.missing))))
    first = FACTOR_HEADER_ROW + 1
    last = FACTOR_HEADER_ROW + len(inputs.factors)
    gains, factor_names = f"$G${first}:$G${last}", f"$A${first}:$A${last}"
    one_step = e.one_step if e.one_step else (
        "" if e.missing is None else AT_BOUNDARY if e.missing == 0 else NO_STEP)
    rows.append((ONE_STEP_ROW, "One step up on this factor closes the gap", Formula(
        f'=IF(ISNUMBER($B${MISSING_ROW}),IF($B${MISSING_ROW}=0,"{AT_BOUNDARY}",'
        f'IF(MAX({gains})>=$B${MISSING_ROW}-1E-9,INDEX({factor_names},MATCH(MAX({gains}),{gains},0)),'
        f'"{NO_STEP}")),"")', one_step)))
    rows.append((STALE_ROW, "Partners whose Score changed since the last re-score", Formula(
        stale_count_formula(ranges.sheet, ranges.columns[c.SCORE], ranges.columns[c.TIERED_ON],
                            ranges.last_row), 0)))
    rows.append((CHANGED_ROW, "This partner's Score changed since then", Formula(
        f'=IF({_at(ranges, c.SCORE)}<>{_at(ranges, c.TIERED_ON)},"yes","no")', "no")))
    return rows


def _is_top(inputs: Inputs, e: Explanation) -> bool:
    return bool(inputs.tiers) and c.normalize_header(e.tier) == c.normalize_header(
        inputs.tiers[0].name)


def boundary_formula(ranges: RosterRanges, inputs: Inputs, tiers: str, sizes: str) -> str:
    above = f"$B${ABOVE_ROW}"
    if inputs.settings.tier_method == "threshold":
        return f'=IFERROR(INDEX({sizes},MATCH({above},{tiers},0)),"")'
    terms = [f"({ranges.of(c.TIER_OUT)}={above})"]
    if ranges.override_column is not None:
        terms.append(f'({ranges.range(ranges.override_column)}="")')
    if ranges.group_column is not None:
        group = ranges.range(ranges.group_column)
        terms.append(f"(TRIM({group})=TRIM(INDEX({group},$B${ROW_OFFSET})))")
    members = "*".join(terms)
    tiered = ranges.of(c.TIERED_ON)
    return (f'=IF(OR({above}="",{above}="{TOP}"),"",IF(SUMPRODUCT({members})=0,"",'
            f"100-SUMPRODUCT(MAX({members}*(100-{tiered})))))")


def factor_rows(inputs: Inputs, ranges: RosterRanges, e: Explanation) -> list[tuple[CellValue, ...]]:
    names = weight_names([f.name for f in inputs.factors])
    policy = inputs.settings.missing_scores
    fallback = c.NAME_SCALE_MIN if policy == "lowest" else '""'
    span = "(ScaleMax-ScaleMin)"
    rows: list[tuple[CellValue, ...]] = []
    for k, (line, name, col) in enumerate(zip(e.factors, names, ranges.factor_columns,
                                              strict=True)):
        r = FACTOR_HEADER_ROW + 1 + k
        cell = f"INDEX({ranges.range(col)},$B${ROW_OFFSET})"
        closes = "" if e.missing is None or line.gain is None else (
            "yes" if line.gain >= e.missing - 1e-9 else "no")
        rows.append((
            line.name,
            Formula(f"=IF(ISNUMBER({cell}),{cell},{fallback})", _blank(line.score)),
            Formula(f"={name}", line.weight),
            Formula(f"=C{r}/SUM({c.NAME_WEIGHTS})", line.share),
            Formula(f'=IF(ISNUMBER(B{r}),100*D{r}*(B{r}-ScaleMin)/{span},"")',
                    _blank(line.contribution)),
            Formula(f'=IF(ISNUMBER(B{r}),MIN(B{r}+1,ScaleMax),"")', _blank(line.stepped)),
            Formula(f'=IF(ISNUMBER(B{r}),100*D{r}*(F{r}-B{r})/{span},"")', _blank(line.gain)),
            Formula(f'=IF(AND(ISNUMBER(G{r}),ISNUMBER($B${MISSING_ROW})),'
                    f'IF(G{r}>=$B${MISSING_ROW}-1E-9,"yes","no"),"")', closes),
        ))
    first, last = FACTOR_HEADER_ROW + 1, FACTOR_HEADER_ROW + len(e.factors)
    total = sum(line.contribution or 0.0 for line in e.factors)
    rows.append((
        "Total", None,
        Formula(f"=SUM(C{first}:C{last})", sum(line.weight for line in e.factors)),
        Formula(f"=SUM(D{first}:D{last})", 1.0),
        Formula(f'=IF(ISNUMBER($B${SCORE_ROW}),SUM(E{first}:E{last}),"")',
                total if e.score is not None else ""),
        None, None, None,
    ))
    return rows


def archive_rows(sheets: Sequence[str], e: Explanation) -> list[tuple[CellValue, ...]]:
    """One row per archived quarter, newest first: the partner's Tier and Score there."""
    known = {quarter: (tier, score) for quarter, tier, score in e.history}
    rows: list[tuple[CellValue, ...]] = []
    for sheet in sheets:
        quarter = c.quarter_of_archive(sheet) or sheet
        tier, score = known.get(quarter, (None, None))
        present = quarter in known and (tier is not None or score is not None)
        rows.append((quarter,
                     Formula(_archive_lookup(sheet, c.TIER_OUT), tier or "" if present else NOT_IN),
                     Formula(_archive_lookup(sheet, c.SCORE),
                             (score if score is not None else "") if present else NOT_IN)))
    return rows


def _archive_lookup(sheet: str, header: str) -> str:
    """The partner's cell under `header` in an archive, "" when blank, NOT_IN when absent."""
    ref = c.quote_sheet(sheet)
    area = f"{ref}!{ARCHIVE_COLUMNS}"
    key = f'MATCH("{c.PARTNER_ID}",{ref}!$1:$1,0)'
    row = f"MATCH($B${ID_ROW},INDEX({area},0,{key}),0)"
    found = f'INDEX({area},{row},MATCH("{header}",{ref}!$1:$1,0))'
    return f'=IFERROR(IF({found}&""="","",{found}),"{NOT_IN}")'


def scorecard_ops(parsed: Parsed, results: Results, ranges: RosterRanges, sheet: str, after: str,
                  previous: object, archives: Sequence[str]) -> Plan:
    inputs = parsed.inputs
    i = selected_partner(inputs, results, previous)
    if i is None or not inputs.factors:
        return []
    e = explain(inputs, results, i)
    pick = inputs.roster.id_values[i] if inputs.roster.id_values else e.partner_id
    cells: dict[tuple[int, int], CellValue] = {
        (1, 1): c.SCORECARD_TITLE,
        (PICK_ROW, 1): "Partner ID (pick) or name", (PICK_ROW, 2): pick,
        (PICK_ROW, 3): "Pick a partner: every figure below is a formula over the Roster.",
    }
    for row, label, formula in header_block(ranges, e, inputs):
        cells[(row, 1)], cells[(row, 2)] = label, formula
    rows = factor_rows(inputs, ranges, e)
    for col, header in enumerate(FACTOR_HEADERS, start=1):
        cells[(FACTOR_HEADER_ROW, col)] = header
    body = Area(FACTOR_HEADER_ROW + 1, 1, len(rows), len(FACTOR_HEADERS))
    history_row = body.last_row + 2
    history = archive_rows(archives, e) if archives else [("no archived quarter yet",)]
    for r, line in enumerate([*rows, (), ("Archived quarter", c.TIER_OUT, c.SCORE), *history],
                             start=body.row):
        for col, value in enumerate(line, start=1):
            cells[(r, col)] = value
    tier_rows = [("Tiers as last re-scored", "Size"), *((t.name, t.size) for t in inputs.tiers)]
    for r, (name, size) in enumerate(tier_rows, start=3):
        cells[(r, TIER_TABLE_COL)], cells[(r, TIER_TABLE_COL + 1)] = name, size
    height = max(r for r, _ in cells)
    width = TIER_TABLE_COL + 1
    block = tuple(tuple(cells.get((r, col)) for col in range(1, width + 1))
                  for r in range(1, height + 1))
    ops: Plan = [EnsureSheet(sheet, after=after), ClearSheet(sheet), WriteBlock(sheet, 1, 1, block),
                 Style(sheet, Area(1, 1), bold=True),
                 DataValidationList(sheet, Area(PICK_ROW, 2), ranges.of(c.PARTNER_ID))]
    for area in (Area(PICK_ROW, 1, 1, 2), Area(FACTOR_HEADER_ROW, 1, 1, len(FACTOR_HEADERS)),
                 Area(history_row, 1, 1, 3), Area(3, TIER_TABLE_COL, 1, 2)):
        ops.append(header_style(sheet, area))
    for area in (Area(SCORE_ROW, 2), Area(BOUNDARY_ROW, 2, MISSING_ROW - BOUNDARY_ROW + 1)):
        ops.append(Style(sheet, area, number_format="0.0"))
    ops.append(Style(sheet, Area(body.row, 4, body.rows), number_format="0.0%"))
    for col in (5, 7):
        ops.append(Style(sheet, Area(body.row, col, body.rows), number_format="0.00"))
    ops.append(Style(sheet, Area(body.last_row, 1, 1, len(FACTOR_HEADERS)), bold=True))
    ops.append(ColumnWidths(sheet, ((1, 46), (2, 22), (5, 20), (TIER_TABLE_COL, 24))))
    return ops
