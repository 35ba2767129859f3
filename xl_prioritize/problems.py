"""Problems found in a workbook's inputs: each names its cell, what is there and what is accepted."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Code(StrEnum):
    """Reason codes: tests and callers branch on these, people read the message."""

    MISSING_SHEET = "missing-sheet"
    MISSING_COLUMN = "missing-column"
    DUPLICATE_COLUMN = "duplicate-column"
    BLANK_KEY = "blank-key"
    DUPLICATE_KEY = "duplicate-key"
    NOT_A_NUMBER = "not-a-number"
    OUT_OF_RANGE = "out-of-range"
    NOT_WHOLE = "not-whole"
    BAD_CHOICE = "bad-choice"
    BAD_QUARTER = "bad-quarter"
    QUARTER_BACKWARDS = "quarter-backwards"
    REQUIRED = "required"
    SCALE_ORDER = "scale-order"
    NO_FACTORS = "no-factors"
    FACTOR_NOT_IN_ROSTER = "factor-not-in-roster"
    RESERVED_NAME = "reserved-name"
    NO_TIERS = "no-tiers"
    SIZE_BLANK = "size-blank"
    PERCENT_OVER_100 = "percent-over-100"
    THRESHOLD_NOT_FALLING = "threshold-not-falling"
    UNKNOWN_COLUMN = "unknown-column"
    UNKNOWN_TIER = "unknown-tier"
    REASON_REQUIRED = "reason-required"
    MISSING_SCORE = "missing-score"
    FORMULA_ERROR = "formula-error"
    # warnings
    UNKNOWN_SETTING = "unknown-setting"
    FACTOR_COUNT = "factor-count"
    UNDIFFERENTIATED_TIERS = "undifferentiated-tiers"
    NO_SERVICE_LEVEL = "no-service-level"
    TIER_WITHOUT_MEMBER = "tier-without-member"
    NO_TEAM_HOURS = "no-team-hours"
    NO_TEAM_SHEET = "no-team-sheet"
    OVERRIDE = "override"
    ARCHIVE_EXISTS = "archive-exists"
    HOURS_SHORT = "hours-short"
    PROGRAM_UNCARRIED = "program-uncarried"
    OUTCOME_NOT_IN_ROSTER = "outcome-not-in-roster"
    NO_PARTNERS = "no-partners"
    # collecting partner managers' returns
    CONFLICT = "conflicting-returns"
    UNREADABLE = "unreadable-file"
    UNKNOWN_PARTNER = "unknown-partner"
    NO_CHANGE = "no-change"
    SAME_FILE = "same-file"
    # the file itself
    ENCRYPTED = "encrypted"
    UNSAFE_PACKAGE = "unsafe-package"
    MALFORMED_PART = "malformed-part"
    READ_ONLY = "read-only"
    # what the tool owns in a workbook
    NOT_OWNED_SHEET = "not-owned-sheet"
    NAME_TAKEN = "name-taken"
    # distributed copies
    MANAGER_COPY = "manager-copy"
    SENT_RECORD = "sent-record-changed"
    OTHER_QUARTER = "other-quarter"
    CHANGED_IN_BOTH = "changed-in-both"
    NOT_DISTRIBUTED = "not-distributed"
    OTHER_MASTER = "other-master"


@dataclass(frozen=True)
class Problem:
    """One input problem: what is wrong, where, and what would be accepted."""

    code: Code
    where: str
    """The cell or range as Excel names it, e.g. `Roster!F17` or `Tiers!1:1`."""
    message: str
    """What is there and what would be accepted."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class InputErrors(Exception):
    """The workbook's inputs are wrong; nothing was written. Holds every problem found."""

    def __init__(self, problems: list[Problem], source: str = "the workbook") -> None:
        self.problems = problems
        self.source = source
        count = len(problems)
        lines = "\n".join(f"  {p}" for p in problems)
        noun = "error" if count == 1 else "errors"
        super().__init__(f"{source}: {count} input {noun}; nothing was written.\n{lines}")

    @property
    def codes(self) -> list[Code]:
        return [p.code for p in self.problems]


class UnreadableWorkbook(InputErrors):
    """The file is not a workbook the tool can read, or not safely: one line says what it is and
    what to do. Nothing was written. The message reads on from the file's name ("is an Excel
    97-2003 .xls file; ...")."""

    def __init__(self, code: Code, where: str, message: str) -> None:
        super().__init__([Problem(code, where, message)])

    @property
    def line(self) -> str:
        problem = self.problems[0]
        return f"{self.source} {problem.message}"

    def __str__(self) -> str:
        return self.line


class WorkbookBusy(Exception):
    """The file is open in Excel (its `~$` lock file sits beside it)."""


def describe(value: object) -> str:
    """A cell's value as a message quotes it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "blank"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


class RunFailed(Exception):
    """The run could not finish for a reason outside the inputs (disk full, no permission): the
    workbook was left as it was."""
