"""The one conversion stage: raw cells in, typed DataFrames and every input check out —
and, on the way back, typed frames to the values a workbook shows.

Between the adapters (which read cells) and the engine (which computes over clean
DataFrames) nothing else interprets a cell. It finds columns by header in either
language, reads each cell by its column's kind (:mod:`.cells`, column-wise in
:mod:`.tables`), checks settings (:mod:`.settings`) and references across tables
(:mod:`.references`). A row with an error is left out of the engine's input; the rest
still get results.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core import schema, years
from koshtorys.core.book import RawTable
from koshtorys.core.checks import Check
from koshtorys.core.settings import Settings

from .cells import Unreadable, is_blank, read_cell, read_month, read_number
from .references import (
    costs_look_monthly,
    cross_checks,
    document_years,
    payroll_limit,
    restored_cash,
)
from .settings import convert_settings, valid_edrpou
from .tables import Locator, convert_table, empty_frame

__all__ = ["Inputs", "Locator", "convert_inputs", "convert_table", "present", "shown_labels",
           "Unreadable", "is_blank", "read_cell", "read_number", "read_month",
           "valid_edrpou", "empty_frame"]


@dataclass
class Inputs:
    """Typed input tables (valid rows only), settings, and what was wrong."""

    frames: dict[str, pd.DataFrame]
    settings: Settings
    checks: list[Check]
    locator: Locator
    missing: set[str] = field(default_factory=set)
    """Tables asked for that the workbook does not have."""
    setting_rows: dict[str, int] = field(default_factory=dict)
    """Worksheet row of each setting's value."""
    hints: dict[str, str] = field(default_factory=dict)
    """Missing table → why: ``renamed:<sheet>:<table>`` (another table holds its headers),
    ``range:<sheet>`` (its header survives as a plain range) or
    ``broken:<sheet>:<reason>`` (its table part cannot be used)."""

    def missing_checks(self, skipped: Mapping[str, tuple[str, ...]], asked: bool
                       ) -> list[Check]:
        """A ``missing_table`` check per table a part could not do without: an error (the
        part was not computed, nothing of it written from partial inputs)."""
        out: list[Check] = []
        for part, tables in skipped.items():
            for name in tables:
                hint = self.hints.get(name, "")
                kind, _, rest = hint.partition(":")
                if kind == "renamed":
                    sheet, _, other = rest.partition(":")
                    out.append(Check("error", name, None, None, "missing_table_renamed",
                                     {"value": name, "sheet": sheet, "other": other,
                                      "where": sheet}))
                elif kind == "range":
                    out.append(Check("error", name, None, None, "missing_table_range",
                                     {"value": name, "sheet": rest, "where": rest}))
                elif kind == "broken":
                    sheet, _, reason = rest.partition(":")
                    out.append(Check("error", name, None, None, "broken_table",
                                     {"value": name, "sheet": sheet, "reason": reason,
                                      "part": part, "where": sheet or name}))
                else:
                    out.append(Check("error", name, None, None, "missing_table",
                                     {"value": name, "part": part, "where": name}))
        return out


def convert_inputs(raw: Mapping[str, RawTable], names: list[str] | None = None, *,
                   hints: Mapping[str, str] | None = None,
                   today: _dt.date | None = None) -> Inputs:
    """Typed inputs from raw tables: the engine's only entry point from a workbook.

    Tables of ``names`` (default: every input table) that are absent are recorded in
    :attr:`Inputs.missing` and given as empty frames; ``hints`` names, for a missing
    table, the sheet where its header survives as a plain range.
    """
    wanted = names or [t.name for t in schema.INPUT_TABLES]
    locator = Locator()
    read = convert_settings(raw.get("tblSettings"), locator, today)
    checks = list(read.checks)
    frames: dict[str, pd.DataFrame] = {}
    missing: set[str] = set()
    for name in wanted:
        if name == "tblSettings":
            if name not in raw:
                missing.add(name)
            continue
        t = schema.table(name)
        if name in raw:
            frames[name], c = convert_table(raw[name], t, locator)
            checks += c
        else:
            missing.add(name)
            frames[name] = empty_frame(t)
    settings = read.settings
    staff = frames.get("tblStaff")
    if settings.min_wage is None and staff is not None and len(staff):
        known = ", ".join(str(y) for y in years.known_min_wage_years())
        checks.append(Check("error", "tblSettings", read.rows.get("min_wage"), "value",
                            "min_wage_unknown", {"plan_year": settings.plan_year,
                                                 "known": known}))
    checks += payroll_limit(frames, settings)
    checks += restored_cash(frames)
    checks += costs_look_monthly(frames)
    checks += cross_checks(frames, missing)
    checks += document_years(frames, settings)
    return Inputs(frames, settings, checks, locator, missing, read.rows, dict(hints or {}))


def shown_labels(table: str, lang: str) -> dict[str, dict[str, str]]:
    """Column key → code → label, for the enumeration columns ``table`` shows in words
    in a ``lang`` workbook (Ukrainian: загальний, недовиконання …); nothing for English."""
    if lang != "uk":
        return {}
    return {c.key: schema.ENUM_LABELS_UK[c.enum] for c in schema.table(table).columns
            if c.kind == "enum" and c.enum and c.enum in schema.ENUM_LABELS_UK}


def present(df: pd.DataFrame, table: str, lang: str) -> pd.DataFrame:
    """``df`` (values = codes) as ``table`` shows it in a ``lang`` workbook: enumeration
    columns in Ukrainian for a Ukrainian workbook (загальний, недовиконання …)."""
    if lang != "uk" or df.empty:
        return df
    out = df
    for key, labels in shown_labels(table, lang).items():
        if key in df.columns:
            if out is df:
                out = df.copy()
            values = df[key].to_numpy(dtype=object)
            shown = {v: labels.get(v, v) if isinstance(v, str) else v for v in set(values)}
            out[key] = pd.Series([shown[v] for v in values.tolist()], index=df.index,
                                   dtype=object)  # each distinct code looked up once
    return out


