"""Problems found in the inputs, collected (never raised) into ``tblChecks``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from .messages import render

__all__ = ["Check", "checks_frame", "has_errors"]


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
    """Reason code, a key of :data:`koshtorys.core.messages.MESSAGES`."""
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str = "uk") -> str:
        return render(self.code, lang, self.params)


def has_errors(checks: Iterable[Check]) -> bool:
    return any(c.severity == "error" for c in checks)


def checks_frame(checks: Iterable[Check], lang: str = "uk") -> pd.DataFrame:
    """The ``tblChecks`` output: errors first, then by table and row."""
    rows = [
        {
            "severity": c.severity,
            "table": c.table,
            "row": c.row,
            "column": c.column,
            "message": c.message(lang),
        }
        for c in checks
    ]
    df = pd.DataFrame(rows, columns=["severity", "table", "row", "column", "message"])
    if len(df):
        df["_o"] = (df["severity"] != "error").astype(int)
        df = df.sort_values(["_o"], kind="stable").drop(columns="_o").reset_index(drop=True)
    return df
