"""``tblSettings`` read and checked: every key typed, codes validated, years consistent.

Settings are checked, not trusted (SPEC): an ЄДРПОУ must have a valid control digit
(python-stdnum's implementation of the official algorithm) and a placeholder such as
00000000 is refused; the execution year must be before the plan year; a plan year
more than five years from today is a warning. Every check points at the value's cell.
"""

from __future__ import annotations

import datetime as _dt
import re

from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.checks import Check, percent_params
from koshtorys.core.settings import Settings

from .cells import Unreadable, is_blank, read_cell, without_controls
from .tables import Locator

__all__ = ["convert_settings", "valid_edrpou", "SettingsRead"]

FAR_YEARS = 5
"""A plan year further than this from today is a warning."""


def valid_edrpou(code: str) -> bool:
    """An 8-digit ЄДРПОУ with a valid control digit that is not a placeholder.

    >>> valid_edrpou("32855961"), valid_edrpou("00000000"), valid_edrpou("32855962")
    (True, False, False)
    """
    from stdnum.ua import edrpou

    if len(set(code)) == 1:  # 00000000, 11111111 …: a placeholder, never a code
        return False
    return bool(edrpou.is_valid(code))


def _budget_code(v: object) -> str:
    text = str(int(v)) if isinstance(v, int | float) and not isinstance(v, bool) \
        and float(v).is_integer() else str(v).strip().replace(" ", "")
    if not re.fullmatch(r"\d{10,11}", text):
        raise Unreadable("invalid_budget_code", value=str(v)[:40])
    return text


def _grk_code(v: object) -> str:
    text = str(int(v)) if isinstance(v, int | float) and not isinstance(v, bool) \
        and float(v).is_integer() else str(v).strip()
    if re.fullmatch(r"\d{7}", text) and text.endswith("00000"):  # 0800000 → 08
        text = text[:2]
    if not re.fullmatch(r"\d{1,2}", text):
        raise Unreadable("invalid_grk_code", value=str(v)[:40])
    return text.zfill(2)


def _read_setting(s: schema.Setting, v: object) -> object:
    if s.code == "budget_code":
        return _budget_code(v)
    if s.code == "grk_code":
        return _grk_code(v)
    value = read_cell(s, v)
    if s.code == "edrpou" and not valid_edrpou(str(value)):
        raise Unreadable("invalid_edrpou", value=str(v)[:40])
    return value


class SettingsRead:
    """The typed settings, where each key stands, and what was wrong."""

    def __init__(self, settings: Settings, rows: dict[str, int], checks: list[Check]) -> None:
        self.settings = settings
        self.rows = rows
        """key → worksheet row of its value (for checks found later)."""
        self.checks = checks


def convert_settings(raw: RawTable | None, locator: Locator,
                     today: _dt.date | None = None) -> SettingsRead:
    """Read ``tblSettings`` (``None``: the table is absent → the defaults)."""
    if raw is None:
        return SettingsRead(Settings(), {}, [])
    t = schema.table("tblSettings")
    cols = schema.match_columns(t, raw.headers)
    locator.places[t.name] = (raw.sheet, raw.first_col, cols)
    absent = [c for c in t.columns if c.key not in cols]
    if absent:
        return SettingsRead(Settings(), {}, [
            Check("error", t.name, raw.header_row, None, "missing_column",
                  {"where": raw.sheet, "value": t.name, "header": c.uk}) for c in absent])
    checks: list[Check] = []
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    known = {s.key.casefold(): s for s in schema.SETTINGS}
    kj, vj = cols["key"], cols["value"]
    for i, row in enumerate(raw.rows):
        key = row[kj] if kj < len(row) else None
        v = row[vj] if vj < len(row) else None
        if is_blank(key):
            continue
        r = raw.sheet_row(i)
        s = known.get(str(key).strip().casefold())
        if s is None:
            checks.append(Check("warning", t.name, r, "key", "setting_unknown",
                                {"where": raw.cell(i, kj), "value": str(key)[:60]}))
            continue
        if s.key in rows:
            checks.append(Check("warning", t.name, r, "key", "setting_twice",
                                {"where": raw.cell(i, kj), "value": s.key,
                                 "first": rows[s.key]}))
        rows[s.key] = r
        values.pop(s.key, None)
        if is_blank(v):
            continue
        try:
            values[s.key] = _read_setting(s, v)
        except Unreadable as bad:
            checks.append(Check("error", t.name, r, "value", bad.code,
                                {"where": raw.cell(i, vj), **bad.params}))
            continue
        if isinstance(values[s.key], str):
            values[s.key], count = without_controls(values[s.key])  # type: ignore[arg-type]
            if count:
                checks.append(Check("warning", t.name, r, "value", "control_characters",
                                    {"where": raw.cell(i, vj), "count": count}))
        if s.percent_from is not None and values[s.key] >= s.percent_from:  # type: ignore[operator]
            checks.append(Check("warning", t.name, r, "value", "percent_as_number",
                                {"where": raw.cell(i, vj), **percent_params(values[s.key])}))
        if s.usual is not None and not s.usual[0] <= values[s.key] <= s.usual[1]:  # type: ignore[operator]
            checks.append(Check("warning", t.name, r, "value", "unusual_setting", {
                "where": raw.cell(i, vj), "key": s.key,
                "value": percent_params(values[s.key])["value"],  # as typed
                "low": s.usual[0], "high": s.usual[1]}))
    checks += _years(values, rows, raw, today or _dt.date.today())
    return SettingsRead(Settings.from_values(values), rows, checks)


def _years(values: dict[str, object], rows: dict[str, int], raw: RawTable,
           today: _dt.date) -> list[Check]:
    t = "tblSettings"
    out: list[Check] = []
    plan = values.get("plan_year")
    if plan is None:
        out.append(Check("error", t, rows.get("plan_year"), "value", "setting_missing",
                         {"where": raw.sheet, "key": "plan_year"}))
        return out
    ex = values.get("execution_year")
    if ex is not None and int(ex) >= int(plan):  # type: ignore[call-overload]
        out.append(Check("error", t, rows.get("execution_year"), "value",
                         "execution_not_before_plan",
                         {"execution_year": ex, "plan_year": plan}))
        values.pop("execution_year")  # the year before the plan year stands in
    if abs(int(plan) - today.year) > FAR_YEARS:  # type: ignore[call-overload]
        out.append(Check("warning", t, rows.get("plan_year"), "value", "plan_year_far",
                         {"plan_year": plan, "today": today.year}))
    return out
