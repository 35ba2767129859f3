"""xl-prioritize: a defensible partner ranking, tiers with real service levels, a capacity plan."""

from __future__ import annotations

__all__ = ["main", "rescore_file"]


def rescore_file(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See `xl_prioritize.rescore.rescore_file`."""
    from .rescore import rescore_file as run

    return run(*args, **kwargs)


def main() -> None:
    """The Excel button's entry point: re-score the workbook that called it."""
    from .excel_button import main as run

    run()
