"""xl-prioritize: a defensible partner ranking, tiers with real service levels, a capacity plan."""

from __future__ import annotations

__all__ = ["history", "main", "read", "rescore_file"]


def rescore_file(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See `xl_prioritize.rescore.rescore_file`."""
    from .rescore import rescore_file as run

    return run(*args, **kwargs)


def main() -> None:
    """The Excel button's entry point: re-score the workbook that called it."""
    from .excel_button import main as run

    run()


def read(path):  # type: ignore[no-untyped-def]
    """The workbook's tables as pandas DataFrames: see `xl_prioritize.frames.read`."""
    from .frames import read as run

    return run(path)


def history(path):  # type: ignore[no-untyped-def]
    """One long DataFrame, partner × quarter: see `xl_prioritize.frames.history`."""
    from .frames import history as run

    return run(path)
