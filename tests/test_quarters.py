"""A simulated year: four quarters of re-scores, partners joining and leaving, scores drifting.

Expected values come from a small reference model in this file (the contract's Score formula, Rank
order and count tiers of 2 / 3 / the rest), never from the package's own code. People type next
quarter's scores before they move the Quarter setting on: each archive must still hold the Roster
as it stood after that quarter's last re-score.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from tests.builders import DEFAULT_FACTORS, DEFAULT_TIERS, build_workbook, digest, table
from xl_prioritize.cli import cli
from xl_prioritize.problems import Code, InputErrors
from xl_prioritize.rescore import rescore_file

FACTOR_NAMES = [f for f, _ in DEFAULT_FACTORS]
WEIGHTS = [w for _, w in DEFAULT_FACTORS]
TIER_NAMES = [t[0] for t in DEFAULT_TIERS]
HEADER = ["Partner ID", "Partner", "Partner manager", *FACTOR_NAMES, "Tier override",
          "Override reason"]
QUARTERS = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
Scores = tuple[int, int, int, int]

# Partner ID -> factor scores, per quarter. P03 leaves after Q1 and comes back in Q4, P09 joins in
# Q2, P05 leaves and P10 joins in Q3, P02 leaves in Q4. P06 climbs Tier 3 -> 2 -> 1.
YEAR: dict[str, dict[str, Scores]] = {
    "2026-Q1": {
        "P01": (5, 4, 4, 3), "P02": (4, 4, 3, 3), "P03": (3, 5, 2, 4), "P04": (3, 3, 3, 3),
        "P05": (2, 3, 4, 5), "P06": (2, 2, 2, 2), "P07": (1, 2, 3, 4), "P08": (4, 2, 5, 1),
    },
    "2026-Q2": {
        "P01": (5, 4, 4, 3), "P02": (3, 3, 3, 3), "P04": (3, 3, 3, 3), "P05": (2, 3, 4, 5),
        "P06": (4, 3, 3, 3), "P07": (2, 2, 3, 4), "P08": (4, 2, 5, 1), "P09": (5, 5, 4, 4),
    },
    "2026-Q3": {
        "P01": (5, 4, 4, 3), "P02": (3, 3, 3, 3), "P04": (3, 3, 3, 3), "P06": (5, 5, 5, 4),
        "P07": (2, 2, 3, 4), "P08": (4, 2, 5, 1), "P09": (5, 5, 4, 4), "P10": (2, 4, 4, 2),
    },
    "2026-Q4": {
        "P01": (5, 4, 4, 3), "P03": (3, 5, 2, 4), "P04": (3, 3, 3, 3), "P06": (5, 5, 5, 4),
        "P07": (4, 4, 4, 4), "P08": (4, 2, 5, 1), "P09": (5, 5, 4, 4), "P10": (2, 4, 4, 2),
    },
}
Q2_FIRST_P07: Scores = (1, 2, 3, 4)
"""P07's Q2 scores at the first of two Q2 re-scores; the archive must hold the second."""
OVERRIDES = {"2026-Q3": {"P04": ("Tier 1", "Executive sponsor signed")}}


# --- The reference model ------------------------------------------------------------------------

def ref_score(s: Scores) -> float:
    return 100 * (sum(w * x for w, x in zip(WEIGHTS, s, strict=True)) / sum(WEIGHTS) - 1) / 4


def ref_quarter(quarter: str, previous: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    partners = YEAR[quarter]
    order = sorted(partners, key=lambda p: (-round(ref_score(partners[p]), 9),
                                            *(-x for x in partners[p]), p))
    result: dict[str, dict[str, Any]] = {}
    for rank, pid in enumerate(order, start=1):
        tier = "Tier 1" if rank <= 2 else "Tier 2" if rank <= 5 else "Tier 3"
        tier = OVERRIDES.get(quarter, {}).get(pid, (tier,))[0]
        before = previous.get(pid) if previous else None
        prev_tier = before["Tier"] if before else None
        if before is None:
            move = "new"
        elif prev_tier == tier:
            move = "same"
        else:
            move = "up" if TIER_NAMES.index(tier) < TIER_NAMES.index(prev_tier) else "down"
        result[pid] = {"Score": ref_score(partners[pid]), "Rank": rank, "Tier": tier,
                       "Previous tier": prev_tier, "Movement": move}
    return result


def reference_year() -> dict[str, dict[str, dict[str, Any]]]:
    ref: dict[str, dict[str, dict[str, Any]]] = {}
    previous = None
    for quarter in QUARTERS:
        ref[quarter] = previous = ref_quarter(quarter, previous)
    return ref


REF = reference_year()


def test_the_reference_model_agrees_with_hand_worked_values() -> None:
    # Q1: P08 and P05 tie at 53.75 ((140+60+100+15)/100 = 3.15); P08's Customer overlap 4 > 2.
    assert REF["2026-Q1"]["P08"]["Score"] == pytest.approx(53.75)
    assert (REF["2026-Q1"]["P08"]["Rank"], REF["2026-Q1"]["P05"]["Rank"]) == (4, 5)
    assert REF["2026-Q2"]["P02"]["Movement"] == "down"   # Tier 1 -> Tier 3
    assert [REF[q]["P06"]["Tier"] for q in QUARTERS[:3]] == ["Tier 3", "Tier 2", "Tier 1"]
    assert REF["2026-Q3"]["P04"]["Tier"] == "Tier 1"     # overridden
    assert REF["2026-Q4"]["P03"]["Movement"] == "new"    # back, but not in the Q3 archive


# --- Driving the workbook the way a person does ---------------------------------------------------

def roster_rows(quarter: str, scores: dict[str, Scores] | None = None) -> list[list[Any]]:
    scores = scores or YEAR[quarter]
    rows = []
    for pid, s in scores.items():
        override, reason = OVERRIDES.get(quarter, {}).get(pid, (None, None))
        rows.append([pid, f"Partner {pid[1:]}", None, *s, override, reason])
    return rows


def type_roster(path: Path, rows: list[list[Any]]) -> None:
    """Overwrite the Roster's input cells (columns A–I), blanking rows no longer used."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    for r in range(2, max(ws.max_row, len(rows) + 1) + 1):
        line = rows[r - 2] if r - 2 < len(rows) else [None] * len(HEADER)
        for col, value in enumerate(line, start=1):
            ws.cell(r, col).value = value
    wb.save(path)


def set_setting(path: Path, name: str, value: Any) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["Settings"]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 1).value == name:
            ws.cell(r, 2).value = value
    wb.save(path)


def compare_table(path: Path) -> list[tuple[Any, ...]]:
    rows = openpyxl.load_workbook(path)["Compare"].iter_rows(min_col=1, max_col=8,
                                                            values_only=True)
    found = []
    for row in list(rows)[1:]:
        if row[0] is None:
            break
        found.append(row)
    return found


def side_block(path: Path, title: str, width: int) -> list[tuple[Any, ...]]:
    """Rows under the cell right of the table (from column J) holding `title`, the title row
    included, to a blank."""
    ws = openpyxl.load_workbook(path)["Compare"]
    at = next((cell.row, cell.column) for row in ws.iter_rows(min_col=10) for cell in row
              if cell.value == title)
    rows = list(ws.iter_rows(min_row=at[0], min_col=at[1], max_col=at[1] + width - 1,
                             values_only=True))
    block = []
    for row in rows:
        if row[0] is None:
            break
        block.append(row)
    return block


def no_formulas(path: Path, sheet: str) -> bool:
    ws = openpyxl.load_workbook(path)[sheet]
    return not any(isinstance(v, str) and v.startswith("=")
                   for row in ws.iter_rows(values_only=True) for v in row)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the year once; record what each step left behind."""
    path = tmp_path_factory.mktemp("year") / "partners.xlsx"
    build_workbook(path, settings={"Quarter": "2026-Q1", "Tier method": "count"},
                   roster_header=HEADER, roster_rows=roster_rows("2026-Q1"))
    runs = 0
    record: dict[str, Any] = {"path": path, "roster_end": {}, "archive_at_creation": {},
                              "compare": {}, "matrix": {}, "climbers": {}, "trend": {},
                              "outcomes": {}, "refused": {}}

    def rescore(quarter: str) -> None:
        nonlocal runs
        record["outcomes"][quarter] = rescore_file(path, run_by="tester")
        runs += 1

    rescore("2026-Q1")
    record["roster_end"]["2026-Q1"] = table(path, "Roster")
    record["sheets_q1"] = openpyxl.load_workbook(path).sheetnames

    for n, quarter in enumerate(QUARTERS[1:], start=1):
        last = QUARTERS[n - 1]
        if quarter == "2026-Q2":
            type_roster(path, roster_rows(quarter, {**YEAR[quarter], "P07": Q2_FIRST_P07}))
        else:
            type_roster(path, roster_rows(quarter))  # typed before the Quarter moves on
        set_setting(path, "Quarter", quarter)
        if quarter == "2026-Q3":  # a typo first: refused, file untouched, nothing archived
            wb = openpyxl.load_workbook(path)
            wb["Roster"]["D9"] = "high"
            wb.save(path)
            before = digest(path)
            with pytest.raises(InputErrors) as refused:
                rescore_file(path, run_by="tester")
            record["refused"]["typo"] = (refused.value, before, digest(path),
                                         openpyxl.load_workbook(path).sheetnames)
            type_roster(path, roster_rows(quarter))
        rescore(quarter)
        archive = f"Archive {last}"
        record["archive_at_creation"][last] = table(path, archive)
        if quarter == "2026-Q2":  # a correction mid-quarter, re-scored again
            record["sheets_q2_first"] = openpyxl.load_workbook(path).sheetnames
            type_roster(path, roster_rows(quarter))
            rescore(quarter)
            record["archive_q1_after_second_q2_run"] = table(path, archive)
        record["roster_end"][quarter] = table(path, "Roster")
        record["compare"][quarter] = compare_table(path)
        record["matrix"][quarter] = side_block(path, "Last quarter \\ This quarter", 6)
        record["climbers"][quarter] = side_block(path, "Climbers", 3)
        record["trend"][quarter] = side_block(path, "Quarter", 4)
    record["runs"] = runs
    return record


# --- Archives ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("quarter", QUARTERS[:3])
def test_each_archive_holds_the_roster_as_it_stood_after_the_quarters_last_rescore(
    year: dict[str, Any], quarter: str
) -> None:
    path = year["path"]
    archived = table(path, f"Archive {quarter}")
    roster = year["roster_end"][quarter]
    assert len(archived) == len(roster) == len(YEAR[quarter])
    for got, held in zip(archived, roster, strict=True):
        assert got.keys() == held.keys()  # same columns, same order
        assert str(held["Score"]).startswith("=")
        pid = got["Partner ID"]
        assert got["Score"] == pytest.approx(REF[quarter][pid]["Score"], abs=1e-9)
        assert {k: v for k, v in got.items() if k != "Score"} == \
            {k: v for k, v in held.items() if k != "Score"}
        for key in ("Rank", "Tier", "Previous tier", "Movement"):
            assert got[key] == REF[quarter][pid][key], (quarter, pid, key)
        assert tuple(got[f] for f in FACTOR_NAMES) == YEAR[quarter][pid]
    assert no_formulas(path, f"Archive {quarter}")


def test_the_q2_archive_holds_the_second_q2_rescore_not_the_first(year: dict[str, Any]) -> None:
    archived = {r["Partner ID"]: r for r in table(year["path"], "Archive 2026-Q2")}
    assert tuple(archived["P07"][f] for f in FACTOR_NAMES) == YEAR["2026-Q2"]["P07"]
    assert archived["P07"]["Score"] == pytest.approx(37.5)  # (70 + 60 + 60 + 60)/100 = 2.5


def test_archives_are_never_rewritten(year: dict[str, Any]) -> None:
    for quarter, at_creation in year["archive_at_creation"].items():
        assert table(year["path"], f"Archive {quarter}") == at_creation
    assert year["archive_q1_after_second_q2_run"] == year["archive_at_creation"]["2026-Q1"]


def test_rescoring_the_same_quarter_again_makes_no_second_archive(year: dict[str, Any]) -> None:
    assert not any(n.startswith("Archive") for n in year["sheets_q1"])
    assert [n for n in year["sheets_q2_first"] if n.startswith("Archive")] == ["Archive 2026-Q1"]
    outcomes = year["outcomes"]
    assert outcomes["2026-Q2"].archived is None  # the second Q2 run
    assert outcomes["2026-Q3"].archived == "Archive 2026-Q2"


def test_archives_stand_after_the_working_sheets_newest_first_and_protected(
    year: dict[str, Any],
) -> None:
    wb = openpyxl.load_workbook(year["path"])
    names = wb.sheetnames
    archives = [n for n in names if n.startswith("Archive ")]
    assert archives == ["Archive 2026-Q3", "Archive 2026-Q2", "Archive 2026-Q1"]
    working = ["Settings", "Factors", "Tiers", "Team", "Roster", "Scorecard", "Capacity",
               "Compare", "Log"]
    assert names.index(archives[0]) > max(names.index(n) for n in working)
    assert names.index(archives[-1]) - names.index(archives[0]) == 2
    for name in archives:
        assert wb[name].protection.sheet
        assert not wb[name].protection.password
    visible = [n for n in names if wb[n].sheet_state == "visible"]
    assert visible == [*working, *archives]


def test_a_failed_rescore_leaves_the_file_byte_identical(year: dict[str, Any]) -> None:
    error, before, after, sheets = year["refused"]["typo"]
    assert before == after
    assert [p.where for p in error.problems] == ["Roster!D9"]
    assert "Archive 2026-Q2" not in sheets


# --- Previous tier, Movement, Log -----------------------------------------------------------------

@pytest.mark.parametrize("quarter", QUARTERS)
def test_roster_previous_tier_and_movement(year: dict[str, Any], quarter: str) -> None:
    for row in year["roster_end"][quarter]:
        expected = REF[quarter][row["Partner ID"]]
        got = {k: row[k] for k in ("Rank", "Tier", "Previous tier", "Movement")}
        assert got == {k: expected[k] for k in got}, row["Partner ID"]


def test_the_log_holds_one_row_per_successful_run(year: dict[str, Any]) -> None:
    log = table(year["path"], "Log")
    assert len(log) == year["runs"] == 5
    assert [r["Quarter"] for r in log] == ["2026-Q1", "2026-Q2", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [r["Partners"] for r in log] == [8, 8, 8, 8, 8]
    assert "overridden to Tier 1" in log[3]["Warnings"]
    assert "Executive sponsor signed" in log[3]["Warnings"]


def test_going_back_a_quarter_is_refused_naming_the_cell(tmp_path: Path,
                                                          year: dict[str, Any]) -> None:
    path = tmp_path / "back.xlsx"
    path.write_bytes(year["path"].read_bytes())
    set_setting(path, "Quarter", "2026-Q3")
    before = digest(path)
    with pytest.raises(InputErrors) as refused:
        rescore_file(path, run_by="tester")
    assert refused.value.codes == [Code.QUARTER_BACKWARDS]
    problem = refused.value.problems[0]
    assert problem.where == "Settings!B2"
    assert "2026-Q3" in problem.message and "2026-Q4" in problem.message
    assert digest(path) == before
    result = CliRunner().invoke(cli, ["rescore", str(path)])
    assert result.exit_code == 2
    assert "Settings!B2" in result.output
    assert digest(path) == before


# --- Compare ----------------------------------------------------------------------------------------

KIND = {"up": 0, "down": 0, "same": 1, "new": 2, "left": 3}


def expected_compare(quarter: str) -> list[tuple[Any, ...]]:
    now = REF[quarter]
    before = REF[QUARTERS[QUARTERS.index(quarter) - 1]]
    rows = []
    for pid, r in now.items():
        prev = before.get(pid)
        prev_score = prev["Score"] if prev else None
        change = round(r["Score"] - prev_score, 9) if prev else None
        rows.append((pid, f"Partner {pid[1:]}", prev_score, r["Score"], change,
                     r["Previous tier"], r["Tier"], r["Movement"]))
    for pid, prev in before.items():
        if pid not in now:
            rows.append((pid, f"Partner {pid[1:]}", prev["Score"], None, None, prev["Tier"], None,
                         "left"))

    def order(row: tuple[Any, ...]) -> tuple[Any, ...]:
        steps = (abs(TIER_NAMES.index(row[5]) - TIER_NAMES.index(row[6]))
                 if row[7] in ("up", "down") else 0)
        return (KIND[row[7]], -steps, -(abs(row[4]) if row[4] is not None else -1), row[0])

    return sorted(rows, key=order)


@pytest.mark.parametrize("quarter", QUARTERS[1:])
def test_compare_rows_biggest_movers_first(year: dict[str, Any], quarter: str) -> None:
    got = year["compare"][quarter]
    expected = expected_compare(quarter)
    assert [r[0] for r in got] == [r[0] for r in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[:2] == e[:2] and g[5:] == e[5:]
        for a, b in zip(g[2:5], e[2:5], strict=True):
            assert (a is None and b is None) or a == pytest.approx(b, abs=1e-9)


def test_compare_q2_by_hand(year: dict[str, Any]) -> None:
    got = year["compare"]["2026-Q2"]
    # P02 fell two tiers, then P06 rose one (score +33.75); P03 left last.
    assert [r[0] for r in got[:2]] == ["P02", "P06"]
    assert got[1][4] == pytest.approx(58.75 - 25)
    assert got[-1][0] == "P03" and got[-1][7] == "left" and got[-1][3] is None
    assert [r[7] for r in got].count("new") == 1


@pytest.mark.parametrize("quarter", QUARTERS[1:])
def test_transition_matrix_counts(year: dict[str, Any], quarter: str) -> None:
    block = year["matrix"][quarter]
    header, *lines = block
    cols = [*TIER_NAMES, "Unscored", "left"]
    assert list(header[1:]) == cols
    assert [line[0] for line in lines] == [*TIER_NAMES, "Unscored", "new"]
    expected = {(r, c): 0 for r in [*TIER_NAMES, "Unscored", "new"] for c in cols}
    for row in expected_compare(quarter):
        r = "new" if row[7] == "new" else row[5]
        c = "left" if row[7] == "left" else row[6]
        expected[r, c] += 1
    got = {(line[0], c): line[1 + i] for line in lines for i, c in enumerate(cols)}
    assert got == expected


def test_transition_matrix_q3_by_hand(year: dict[str, Any]) -> None:
    lines = {line[0]: line[1:] for line in year["matrix"]["2026-Q3"][1:]}
    # From Q2's tiers: Tier 1 P09 P01 -> P09 stays, P01 to Tier 2; Tier 2 P06 P08 P05 -> P06 up,
    # P08 stays, P05 left; Tier 3 P02 P04 P07 -> P02 up to 2, P04 overridden to 1, P07 stays.
    assert lines["Tier 1"] == (1, 1, 0, 0, 0)
    assert lines["Tier 2"] == (1, 1, 0, 0, 1)
    assert lines["Tier 3"] == (1, 1, 1, 0, 0)
    assert lines["new"] == (0, 0, 1, 0, 0)


def test_climbers(year: dict[str, Any]) -> None:
    q3 = year["climbers"]["2026-Q3"]
    assert q3[1] == ("Partner ID", "Partner", "Why")
    assert q3[2][:2] == ("P06", "Partner 06")
    assert "two quarters in a row" in q3[2][2]
    q4 = year["climbers"]["2026-Q4"]
    # Nobody rose twice running into Q4; P07's score rose most: 75 − 37.5.
    assert q4[2][:2] == ("P07", "Partner 07")
    assert "37.5" in q4[2][2]


def test_tier_sizes_by_quarter_and_chart(year: dict[str, Any]) -> None:
    header, *lines = year["trend"]["2026-Q4"]
    assert list(header) == ["Quarter", *TIER_NAMES]
    expected = [(q, *(sum(1 for r in REF[q].values() if r["Tier"] == t) for t in TIER_NAMES))
                for q in QUARTERS]
    assert lines == expected
    assert expected[2] == ("2026-Q3", 3, 3, 2)  # the override makes Tier 1 three strong
    with zipfile.ZipFile(year["path"]) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    on_compare = [xml for xml in charts if "'Compare'!" in xml]
    assert len(on_compare) == 1
    assert on_compare[0].count("<ser>") == len(TIER_NAMES)
    ws = openpyxl.load_workbook(year["path"])["Compare"]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 10).value == "Quarter")
    first, last = header_row + 1, header_row + len(QUARTERS)
    assert f"'Compare'!$J${first}:$J${last}" in on_compare[0]


# --- Workbooks built by hand ----------------------------------------------------------------------

HAND_HEADER = ["Partner ID", "Partner", "Partner manager", *FACTOR_NAMES, "Score", "Rank", "Tier"]
HAND_ROWS = [["P1", "One", None, 5, 5, 5, 5, 100, 1, "Tier 1"],
             ["P2", "Two", None, 1, 1, 1, 1, 0, 2, "Tier 1"],
             ["P3", "Three", None, 3, 3, 3, 3, 50, 3, "Tier 3"]]


def hand_built(tmp_path: Path, log_quarter: str | None, archive: str | None = None) -> Path:
    path = build_workbook(tmp_path / "hand.xlsx",
                          settings={"Quarter": "2026-Q4", "Tier method": "count"},
                          roster_header=HAND_HEADER, roster_rows=HAND_ROWS)
    wb = openpyxl.load_workbook(path)
    if log_quarter is not None:
        log = wb.create_sheet("Log")
        log.append(["Run at", "Quarter"])
        log.append([None, log_quarter])
    if archive is not None:
        ws = wb.create_sheet(archive)
        ws.append(["Partner ID", "Partner", "Score", "Tier"])
        ws.append(["P1", "One", 80, "Tier 2"])
        ws.append(["P3", "Three", 90, "Tier 1"])
    wb.save(path)
    return path


def test_without_a_snapshot_the_roster_as_typed_is_archived(tmp_path: Path) -> None:
    path = hand_built(tmp_path, "2026-Q3")
    outcome = rescore_file(path, run_by="tester")
    assert outcome.archived == "Archive 2026-Q3"
    archived = table(path, "Archive 2026-Q3")
    assert [(r["Partner ID"], r["Score"], r["Rank"], r["Tier"]) for r in archived] == [
        ("P1", 100, 1, "Tier 1"), ("P2", 0, 2, "Tier 1"), ("P3", 50, 3, "Tier 3")]
    # Now: P1 100, P3 50, P2 0 -> Tier 1 P1 P3, Tier 2 P2.
    got = {r["Partner ID"]: (r["Tier"], r["Previous tier"], r["Movement"])
           for r in table(path, "Roster")}
    assert got == {"P1": ("Tier 1", "Tier 1", "same"), "P2": ("Tier 2", "Tier 1", "down"),
                   "P3": ("Tier 1", "Tier 3", "up")}


def test_an_archive_typed_by_hand_gives_the_previous_tier(tmp_path: Path) -> None:
    path = hand_built(tmp_path, None, archive="Archive 2026-Q2")
    before = table(path, "Archive 2026-Q2")
    rescore_file(path, run_by="tester")
    got = {r["Partner ID"]: (r["Previous tier"], r["Movement"]) for r in table(path, "Roster")}
    assert got == {"P1": ("Tier 2", "up"), "P2": (None, "new"), "P3": ("Tier 1", "same")}
    assert table(path, "Archive 2026-Q2") == before
    rows = {r[0]: r for r in compare_table(path)}
    assert rows["P3"][2:5] == (90, 50, -40)


def test_an_existing_archive_of_the_results_quarter_is_kept_and_warned(tmp_path: Path) -> None:
    path = hand_built(tmp_path, "2026-Q3", archive="Archive 2026-Q3")
    before = table(path, "Archive 2026-Q3")
    outcome = rescore_file(path, run_by="tester")
    assert outcome.archived is None
    assert table(path, "Archive 2026-Q3") == before
    assert Code.ARCHIVE_EXISTS in [w.code for w in outcome.warnings]
    assert "Archive 2026-Q3" in table(path, "Log")[-1]["Warnings"]
