"""Problems found in the inputs, collected (never raised) into ``tblChecks``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from .messages import render

__all__ = ["Check", "checks_frame", "has_errors", "ordered", "percent_params", "rounded",
           "ROOT_CAUSES", "THOUSANDS"]

ROOT_CAUSES = frozenset({"missing_table", "missing_table_range", "missing_table_renamed",
                         "broken_table", "missing_column"})
"""Reason codes that cause others: shown before everything else."""


@dataclass(frozen=True)
class Check:
    """One problem, pointing at a cell where it has one."""

    severity: str
    """``error`` (the row is left out of the results) or ``warning``."""
    table: str
    """Table name, e.g. ``tblStaff``; blank for problems of the whole job."""
    row: int | None
    """Worksheet row number as Excel shows it."""
    column: str | None
    """Column key (language-neutral)."""
    code: str
    """Reason code (:class:`koshtorys.core.messages.Reason`), written to tblChecks.code."""
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str = "uk") -> str:
        return render(self.code, lang, self.params)

    def severity_label(self, lang: str = "uk") -> str:
        """``помилка`` / ``попередження`` in Ukrainian, the code in English."""
        from .schema import enum_label

        return str(enum_label("severity", self.severity, lang))  # type: ignore[arg-type]


THOUSANDS = (500.0, 2000.0)
"""Two amounts that should be alike (cash and plan, history and plan, expenditure and its
ceiling) this many times apart: one of them was typed in thousands of hryvnias — a real
over- or under-spending of 500× is not a budget."""


def rounded(x: float, places: int = 1) -> Decimal:
    """A ratio or share as a check shows it: ``places`` decimals, no trailing zeros."""
    return Decimal(str(round(float(x), places))).normalize()


def percent_params(x: float) -> dict[str, object]:
    """The fields of a check about a rate or share typed in percent (7 → 700 %): the value
    as typed and its percent, exact (a Decimal is shown with its own digits)."""
    typed = Decimal(repr(float(x)))
    return {"value": typed.normalize(), "percent": (typed * 100).normalize()}


def has_errors(checks: Iterable[Check]) -> bool:
    return any(c.severity == "error" for c in checks)


def ordered(checks: Iterable[Check]) -> list[Check]:
    """Root causes first — missing tables and columns, then the settings' problems — then
    the other errors, then warnings; otherwise in the order found."""
    def rank(c: Check) -> tuple[int, int]:
        root = 0 if c.code in ROOT_CAUSES else 1 if c.table == "tblSettings" else 2
        return (root if c.severity == "error" or root == 0 else 2,
                0 if c.severity == "error" else 1)

    return sorted(checks, key=rank)


def checks_frame(checks: Iterable[Check], lang: str = "uk") -> pd.DataFrame:
    """The ``tblChecks`` output (codes as values), in :func:`ordered` order."""
    rows = [
        {
            "severity": c.severity,
            "code": str(c.code),
            "table": c.table,
            "row": c.row,
            "column": c.column,
            "message": c.message(lang),
        }
        for c in ordered(checks)
    ]
    return pd.DataFrame(rows, columns=["severity", "code", "table", "row", "column", "message"])
