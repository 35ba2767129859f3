"""The command line: thin commands over the library."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape

from .problems import InputErrors, RunFailed, UnreadableWorkbook, WorkbookBusy
from .untrusted import console_text

EXIT_FINDINGS = 1
EXIT_INPUT_ERRORS = 2
EXIT_BUSY = 3
EXIT_FAILED = 4

Refusal = InputErrors | WorkbookBusy | RunFailed
REFUSALS = (InputErrors, WorkbookBusy, RunFailed)

err = Console(stderr=True, soft_wrap=True, emoji=False, highlight=False)


def _console() -> Console:
    return Console(soft_wrap=True, emoji=False, highlight=False)


def refused(error: Refusal, source: Path) -> int:
    """Say why nothing was written, on stderr, and give the exit status for it."""
    from .summary import print_errors

    if isinstance(error, UnreadableWorkbook):
        if error.source == "the workbook":
            error.source = str(source)
        err.print(f"[red]Refused:[/red] {console_text(error.line)}", highlight=False)
        return EXIT_INPUT_ERRORS
    if isinstance(error, InputErrors):
        error.source = str(source)
        print_errors(error, err)
        return EXIT_INPUT_ERRORS
    if isinstance(error, RunFailed):
        err.print(f"[red]Could not finish:[/red] {console_text(str(error))}", highlight=False)
        return EXIT_FAILED
    err.print(f"[red]Refused:[/red] {escape(str(error))}", highlight=False)
    return EXIT_BUSY


def run_rescore(path: Path, console: Console) -> int:
    from .rescore import rescore_file
    from .summary import print_summary

    try:
        with err.status(f"Re-scoring {path.name}") as status:
            outcome = rescore_file(path, progress=lambda step: status.update(step))
    except REFUSALS as error:
        return refused(error, path)
    print_summary(outcome, console, path.name)
    return 0


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xl-prioritize")
def cli() -> None:
    """Rank partners, cut service tiers and plan the team's hours from an Excel workbook.

    \b
    Start here:
        xl-prioritize demo              # a worked example, re-scored
        xl-prioritize template my.xlsx  # a blank workbook to fill in
        xl-prioritize rescore my.xlsx   # score, rank, tier and plan it
    """


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def rescore(file: Path) -> None:
    """Re-score FILE in place: scores, ranks, tiers, capacity, compare and log.

    Reads the Settings, Factors, Tiers, Team and Roster sheets and writes the
    output columns and sheets the workbook contract names. On any input error
    nothing is written: every faulty cell is listed and the exit status is 2.
    Refuses (exit 3) while Excel has the file open.

    \b
    Example:
        xl-prioritize rescore partners.xlsx
    """
    sys.exit(run_rescore(file, _console()))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("partner_id", required=False)
def history(file: Path, partner_id: str | None) -> None:
    """Quarter by quarter from FILE's archives and current results, read-only.

    With PARTNER_ID: that partner's score, rank and tier in each quarter.
    Without: how many partners each tier held in each quarter.

    \b
    Examples:
        xl-prioritize history partners.xlsx P-017
        xl-prioritize history partners.xlsx
    """
    from .history_report import print_partner_history, print_tier_sizes

    console = _console()
    try:
        if partner_id is None:
            print_tier_sizes(file, console)
        else:
            print_partner_history(file, partner_id, console)
    except LookupError as missing:
        err.print(f"[red]{escape(file.name)}:[/red] {escape(str(missing))}", highlight=False,
                  emoji=False)
        sys.exit(1)
    except REFUSALS as error:
        sys.exit(refused(error, file))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("partner_id")
def explain(file: Path, partner_id: str) -> None:
    """Take one partner's Score apart, read-only: the Scorecard sheet in the terminal.

    Each factor's score, weight, share of weight and points; the tier above,
    its boundary Score and the points missing; the smallest single-factor
    change that would close the gap (or "none within the scale"); the
    partners just above and below; the partner's tier in each archived
    quarter. PARTNER_ID may also be the partner's name. Exit 2 when the
    inputs cannot be read, 1 when no such partner.

    \b
    Example:
        xl-prioritize explain partners.xlsx P-0017
    """
    from .explain_report import explain_file, print_explanation
    from .problems import InputErrors

    try:
        explanation = explain_file(file, partner_id)
    except InputErrors as error:
        sys.exit(refused(error, file))
    except LookupError as missing:
        err.print(f"[red]{escape(file.name)}:[/red] {escape(str(missing))}", highlight=False)
        sys.exit(1)
    print_explanation(explanation, _console())


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def audit(file: Path) -> None:
    """Check FILE's integrity, cell by cell; changes nothing.

    Finds Score cells that are not the formula a re-score writes, Rank, Tier,
    Service level or Assigned to that differ from what the current inputs
    give, stale scores (inputs edited since the tiers were cut), archives
    changed since they were made and Log rows edited or out of order. Exit 0
    clean, 1 findings, 2 unreadable input, 4 could not run.

    \b
    Example:
        xl-prioritize audit partners.xlsx
    """
    from zipfile import BadZipFile

    from openpyxl.utils.exceptions import InvalidFileException

    from .audit import audit_file
    from .audit_report import print_report
    from .problems import InputErrors

    try:
        report = audit_file(file)
    except InputErrors as error:
        sys.exit(refused(error, file))
    except (OSError, BadZipFile, InvalidFileException, KeyError) as unreadable:
        err.print(f"[red]{escape(file.name)}: not a readable workbook:[/red] "
                  f"{escape(str(unreadable))}", highlight=False)
        sys.exit(EXIT_INPUT_ERRORS)
    except Exception as error:
        err.print(f"[red]{escape(file.name)}: the audit could not run:[/red] "
                  f"{escape(type(error).__name__)}: {escape(str(error))}", highlight=False)
        sys.exit(EXIT_FAILED)
    print_report(report, _console(), file.name)
    sys.exit(EXIT_FINDINGS if report.findings else 0)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def template(path: Path, force: bool) -> None:
    """Write the blank template to PATH: a new master workbook to set up from scratch.

    It holds example factors and tiers (those sheets say they are examples) and
    no people, partners or quarter: set the Quarter, list your Team and your
    Roster, adjust the factors and tiers, then re-score it.

    To have partner managers score their own partners, use `distribute`
    instead: it writes one workbook per manager from your filled-in master,
    with its factors, tiers and team and only that manager's partners already
    in, and `collect` brings their scores back.

    \b
    Example:
        xl-prioritize template partners-2026-Q4.xlsx
    """
    from .template import write_workbook

    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it")
    write_workbook(path)
    click.echo(f"Wrote the template to {path}. Fill in Settings!B2 (Quarter), the Team and the "
               f"Roster, then run: xl-prioritize rescore {path}")


def _report(outcome: object, path: Path) -> bool:
    """Write the collection report; False (said on stderr) when the file cannot be written."""
    from .collect_report import write_report

    try:
        write_report(outcome, path)  # type: ignore[arg-type]
    except OSError as error:
        err.print(f"[red]The report could not be written:[/red] {escape(str(error))}",
                  highlight=False)
        return False
    return True


@cli.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("returns", nargs=-1, required=True, metavar="RETURN...",
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="List the changes; write nothing.")
@click.option("--take-theirs", is_flag=True,
              help="Where a score changed both in MASTER and in a return, take the return's.")
@click.option("--keep-ours", is_flag=True,
              help="Where a score changed both in MASTER and in a return, keep MASTER's.")
@click.option("--accept-quarter", "accept_quarters", multiple=True, metavar="Q",
              help="Collect returns sent for quarter Q (e.g. 2026-Q4) although MASTER is in "
                   "another; only their changed scores count. Repeatable.")
@click.option("--take-overrides", is_flag=True,
              help="Write the Tier override proposals (with their reasons) into MASTER.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Also write the collection report to FILE (.csv or .xlsx).")
@click.option("--rescore", "then_rescore", is_flag=True,
              help="Re-score MASTER after collecting.")
def collect(master: Path, returns: tuple[Path, ...], dry_run: bool, take_theirs: bool,
            keep_ours: bool, accept_quarters: tuple[str, ...], take_overrides: bool,
            report_path: Path | None, then_rescore: bool) -> None:
    """Collect partner managers' returns into MASTER: what they changed goes to its Roster.

    Each RETURN is a copy `distribute` wrote (or any workbook with a Roster
    sheet). A copy remembers what it was sent with, so only the scores the
    manager changed count: a score left as sent never reverts one the lead
    changed since. A score changed both in MASTER and in the return is a
    conflict, listed with the three values and both cells, and nothing is
    written until --take-theirs or --keep-ours settles it; two returns changing
    one score differently stop the collection whatever the options. A copy
    sent for another quarter than MASTER's is refused unless --accept-quarter.
    A workbook that is no distributed copy counts every filled score as
    changed (with a warning). Tier overrides are proposals, listed and written
    only with --take-overrides; one without an Override reason is an error.
    Only factor-score (and taken override) cells of MASTER's Roster are
    written; on any error nothing is, every problem is listed and the exit
    status is 2. Refuses (exit 3) while Excel has MASTER open.

    \b
    Example:
        xl-prioritize collect partners.xlsx outbox/*.xlsx --dry-run --report collected.csv
        xl-prioritize collect partners.xlsx late.xlsx --accept-quarter 2026-Q4 --keep-ours
        xl-prioritize collect partners.xlsx outbox/*.xlsx --take-overrides --rescore
    """
    from .collect import UnsettledConflicts, collect_returns
    from .collect_report import REPORT_SUFFIXES, print_outcome
    from .workbook.contract import QUARTER_PATTERN

    if take_theirs and keep_ours:
        raise click.UsageError("--take-theirs and --keep-ours settle conflicts opposite ways; "
                               "give one")
    if report_path is not None:
        if report_path.suffix.lower() not in REPORT_SUFFIXES:
            raise click.UsageError(f"--report {report_path.name}: give a .csv or .xlsx file")
        if report_path.exists() and report_path.resolve() == master.resolve():
            raise click.UsageError("--report names MASTER; the report goes to a file of its own")
        if not report_path.resolve().parent.is_dir():
            raise click.UsageError(f"--report {report_path}: its folder does not exist")
    for quarter in accept_quarters:
        if not QUARTER_PATTERN.match(quarter):
            raise click.UsageError(f"--accept-quarter {quarter}: give a quarter as YYYY-Qn, "
                                   "e.g. 2026-Q4")
    console = _console()
    try:
        outcome = collect_returns(master, returns, dry_run=dry_run, take_theirs=take_theirs,
                                  keep_ours=keep_ours, accept_quarters=accept_quarters,
                                  take_overrides=take_overrides)
    except UnsettledConflicts as conflicts:
        status = refused(conflicts, master)
        if report_path is not None and _report(conflicts.outcome, report_path):
            err.print(f"The conflicts are in the report: {escape(str(report_path))}",
                      highlight=False)
        sys.exit(status)
    except REFUSALS as error:
        sys.exit(refused(error, master))
    print_outcome(outcome, console)
    if report_path is not None:
        if not _report(outcome, report_path):
            sys.exit(EXIT_FAILED)
        console.print(f"Report written to {escape(str(report_path))}", highlight=False)
    if then_rescore:
        if dry_run:
            console.print("Dry run: not re-scored.")
        else:
            sys.exit(run_rescore(master, console))


@cli.command()
@click.argument("master", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("outdir", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files in OUTDIR that exist.")
@click.option("--due", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="The date the copies are to come back by, on each copy's Start sheet.")
@click.option("--status", is_flag=True,
              help="Write nothing: say, per distributed copy in OUTDIR, whether it differs "
                   "from what was sent and how many cells changed.")
def distribute(master: Path, outdir: Path | None, force: bool, due: dt.datetime | None,
               status: bool) -> None:
    """Write one workbook per partner manager from MASTER, ready to send out.

    Each holds MASTER's Settings, Factors (with descriptions and scoring
    guides), Tiers and Team, and a Roster of only that manager's partners with
    their current factor scores and Tier overrides; partners with a blank
    Partner manager go to one "unassigned" file. Each copy remembers what it
    was sent with (in a hidden sheet), and its Start sheet says whose copy it
    is, for which quarter, what to fill in, by when (--due) and how to return
    it; a copy cannot be re-scored. Files are named "<MASTER stem> -
    <manager>.xlsx" and written to OUTDIR (default: beside MASTER); existing
    files are refused unless --force. MASTER is only read: on any input error
    nothing is written, every faulty cell is listed and the exit status is 2.
    Blank factor scores are no error here: filling them in is what the files
    are for. Bring the returned files back with `xl-prioritize collect`.

    \b
    Example:
        xl-prioritize distribute partners.xlsx outbox --due 2026-12-15
        xl-prioritize distribute partners.xlsx outbox --status
        xl-prioritize collect partners.xlsx outbox/*.xlsx --dry-run
    """
    from .distribute import distribute as distribute_master
    from .distribute import distribution_status, print_distributed, print_status

    if status:
        if due is not None or force:
            raise click.UsageError("--status writes nothing; it takes no --due or --force")
        try:
            found = distribution_status(master, outdir)
        except InputErrors as error:
            sys.exit(refused(error, master))
        print_status(master, outdir or master.parent, found, _console())
        return
    try:
        written = distribute_master(master, outdir, force=force,
                                    due=due.date() if due is not None else None)
    except REFUSALS as error:
        sys.exit(refused(error, master))
    except FileExistsError as exists:
        raise click.ClickException(f"{exists}; pass --force to overwrite") from exists
    print_distributed(master, written, _console())


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path),
                default="xl-prioritize-demo.xlsx")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def demo(path: Path, force: bool) -> None:
    """Write the framework's worked example to PATH and re-score it.

    140 partners, four factors weighted toward the two that best predict
    pipeline, tiers of 18 / 40 / 82, a team of four: three serve Tier 1
    only, one runs Tier 2's monthly group rhythm; Tier 3 is self-serve.
    Two earlier quarters (2026-Q2, 2026-Q3) are re-scored and archived
    first, so Movement, Compare and `history` have something to show.

    \b
    Example:
        xl-prioritize demo              # writes xl-prioritize-demo.xlsx
        xl-prioritize demo example.xlsx --force
    """
    from .demo import write_demo

    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite it")
    console = _console()
    with err.status("Writing the worked example's two earlier quarters"):
        write_demo(path)
    console.print(f"Wrote {console_text(path)}: the worked example.", highlight=False)
    console.print("2026-Q2 and 2026-Q3 are re-scored and archived; now 2026-Q4 is re-scored.",
                  highlight=False)
    sys.exit(run_rescore(path, console))


@cli.command("validate-factors")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--outcome", metavar="COLUMN",
              help="The Roster column holding each partner's outcome (default: Settings 'Outcome').")
@click.option("--write", is_flag=True,
              help="Also write the Model sheet: both checks' tables and charts (the other check "
                   "with its defaults).")
def validate_factors(file: Path, outcome: str | None, write: bool) -> None:
    """Do FILE's factors predict the outcome? Read-only unless --write.

    Pairs each partner's factor scores in a quarter (its archive) with its
    outcome in the following quarter (the next archive, or the Roster), then
    gives per factor the Spearman rank correlation, the pairs it rests on and
    a 95% bootstrap interval; non-negative weights that would have ranked
    partners closer to their outcomes (never applied); and a backtest: the
    share of the next quarter's outcome the top tier held under the current
    and the suggested weights. Says plainly when there is too little history.

    \b
    Examples:
        xl-prioritize validate-factors partners.xlsx
        xl-prioritize validate-factors partners.xlsx --outcome "Sourced pipeline" --write
    """
    from .modelcheck.run import validate_file

    try:
        validate_file(file, _console(), outcome=outcome, write=write)
    except REFUSALS as error:
        sys.exit(refused(error, file))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--draws", default=10_000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Random weight draws.")
@click.option("--spread", default=0.2, show_default=True, type=click.FloatRange(0, 2),
              help="Each weight is multiplied by exp(spread × Z), Z standard normal.")
@click.option("--seed", default=20262, show_default=True, type=int,
              help="The random seed: the same seed gives the same draws.")
@click.option("--stability", default=0.9, show_default=True, type=click.FloatRange(0, 1),
              help="List partners whose chance of staying in their tier is below this.")
@click.option("--write", is_flag=True,
              help="Also write the Model sheet: both checks' tables and charts (the other check "
                   "with its defaults).")
def sensitivity(file: Path, draws: int, spread: float, seed: int, stability: float,
                write: bool) -> None:
    """How robust is each partner's tier to FILE's weights? Read-only unless --write.

    Moves each weight ±20% one at a time and lists the partners that change
    tier; then draws the weights at random around the current ones and gives
    each partner its chance of landing in its current tier, the partners
    below --stability, and the rank correlation of the drawn rankings with
    the actual one.

    \b
    Examples:
        xl-prioritize sensitivity partners.xlsx
        xl-prioritize sensitivity partners.xlsx --draws 20000 --seed 7 --stability 0.8 --write
    """
    from .modelcheck.run import sensitivity_file

    try:
        sensitivity_file(file, _console(), write=write, draws=draws, spread=spread, seed=seed,
                         stability=stability)
    except REFUSALS as error:
        sys.exit(refused(error, file))


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--weight", "weights", multiple=True, metavar="FACTOR=WEIGHT",
              help="A factor's weight, e.g. \"ICP overlap=40\". Repeatable.")
@click.option("--size", "sizes", multiple=True, metavar="TIER=SIZE",
              help="A tier's Size as the Tier method reads it, e.g. \"Tier 1=20\". Repeatable.")
@click.option("--hours", "hours", multiple=True, metavar="TIER=HOURS",
              help="A tier's hours per partner per month, e.g. \"Tier 2=1.5\". Repeatable.")
def preview(file: Path, weights: tuple[str, ...], sizes: tuple[str, ...],
            hours: tuple[str, ...]) -> None:
    """What a change to FILE's weights, tier sizes or hours would do. Nothing is written.

    Shows the tiers and the capacity plan as they would come out, the partners
    that would change tier and the coverage change per tier, computed exactly
    as a re-score would.

    \b
    Example:
        xl-prioritize preview partners.xlsx --weight "ICP overlap=40" --size "Tier 1=20" --hours "Tier 2=1.5"
    """
    from .modelcheck.preview import BadChange
    from .modelcheck.run import preview_file

    try:
        preview_file(file, _console(), weights=weights, sizes=sizes, hours=hours)
    except REFUSALS as error:
        sys.exit(refused(error, file))
    except BadChange as bad:
        for problem in bad.problems:
            err.print(f"[red]Not previewed:[/red] {escape(problem)}", highlight=False)
        sys.exit(EXIT_INPUT_ERRORS)


@cli.group()
def addin() -> None:
    """The Excel add-in: a Partners tab whose Re-score button re-scores the open workbook."""


PLATFORM_NAMES = {"windows": "win32", "macos": "darwin"}


@addin.command("build")
@click.argument("directory", required=False, default=".",
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--for", "target", type=click.Choice(sorted(PLATFORM_NAMES)), default=None,
              help="The system the add-in is for (default: this one).")
@click.option("--python", "python", default=None, metavar="PATH",
              help="The Python the button runs there (default: this one; required for another system).")
def addin_build(directory: Path, target: str | None, python: str | None) -> None:
    """Write xl_prioritize.xlam into DIRECTORY (default: here), pointed at this Python.

    \b
    Example:
        xl-prioritize addin build dist
        xl-prioritize addin build dist --for windows --python "C:\\venv\\Scripts\\python.exe"
    """
    from .addin import AddinError, build_addin

    platform = PLATFORM_NAMES[target] if target else sys.platform
    try:
        path = build_addin(directory, platform=platform, interpreter=python)
    except AddinError as error:
        raise click.UsageError(str(error)) from None
    click.echo(f"Wrote {path}")


@addin.command("install")
@click.option("--python", "python", default=None, metavar="PATH",
              help="The Python the button runs (default: this one).")
def addin_install(python: str | None) -> None:
    """Put the add-in where Excel opens it at start (Windows XLSTART, macOS Startup/Excel).

    \b
    Example:
        xl-prioritize addin install
    """
    from .addin import install_addin

    sys.exit(install_addin(click.echo, interpreter=python))


@addin.command("check")
@click.argument("workbook", required=False, type=click.Path(dir_okay=False, path_type=Path))
def addin_check(workbook: Path | None) -> None:
    """Check what the Re-score button needs on this computer, one line each with the fix.

    Exit status 0 when everything holds, 1 otherwise.

    \b
    Example:
        xl-prioritize addin check
        xl-prioritize addin check partners.xlsx
    """
    from .addin import check_addin

    sys.exit(check_addin(click.echo, workbook=workbook))


def main() -> None:  # pragma: no cover - console entry
    cli()
