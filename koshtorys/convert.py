"""From raw tables to typed DataFrames, collecting every problem as a check.

This is the one stage between the adapters (which read cells) and the engine
(which computes over clean DataFrames). It finds columns by header in either
language, reads each cell by its column's kind, applies defaults, and checks
ranges, enumerations, codes, ids and cross-table references. A row with an
error is left out of the engine's input; the rest still get results.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core.book import UNCALCULATED, CellError, RawTable, column_letter
from koshtorys.core.checks import Check
from koshtorys.core.money import MAX_AMOUNT
from koshtorys.core.schema import match_columns
from koshtorys.core.settings import Settings

from .core import classifiers, schema

__all__ = ["Inputs", "Locator", "convert_inputs"]

_NUM_TEXT = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass
class Locator:
    """Where each table's columns are, so any check can name its cell."""

    places: dict[str, tuple[str, int, dict[str, int]]] = field(default_factory=dict)
    """table → (sheet, first column, key → table column index)."""

    def where(self, table: str, row: int | None, column: str | None) -> str:
        place = self.places.get(table)
        if place is None:
            return table
        sheet, first_col, cols = place
        if row is None:
            return sheet
        if column is None or column not in cols:
            return f"{sheet}!{row}:{row}"
        return f"{sheet}!{column_letter(first_col + cols[column])}{row}"

    def fill(self, checks: list[Check]) -> list[Check]:
        """Checks with their ``where`` parameter set from table/row/column."""
        out = []
        for c in checks:
            if "where" in c.params:
                out.append(c)
            else:
                params = dict(c.params)
                params["where"] = self.where(c.table, c.row, c.column)
                out.append(Check(c.severity, c.table, c.row, c.column, c.code, params))
        return out


@dataclass
class Inputs:
    """Typed input tables (valid rows only), settings, and what was wrong."""

    frames: dict[str, pd.DataFrame]
    settings: Settings
    checks: list[Check]
    locator: Locator
    missing: set[str] = field(default_factory=set)


class _Bad(Exception):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def _is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    if isinstance(v, float):
        return math.isnan(v)
    return False


def _number(v: object) -> float:
    if isinstance(v, bool):
        raise _Bad("not_number", value=v)
    if isinstance(v, int | float):
        if isinstance(v, float) and math.isnan(v):
            raise _Bad("not_number", value=v)
        return float(v)
    if isinstance(v, str):
        s = v.strip().replace("\u00a0", "").replace(" ", "")
        if _NUM_TEXT.match(s):
            return float(s.replace(",", "."))
        if s.endswith("%") and _NUM_TEXT.match(s[:-1]):  # "22%" typed as text
            return float(s[:-1].replace(",", ".")) / 100
    raise _Bad("not_number", value=v)


def _convert(col: schema.Column, v: object) -> object:
    """One cell's value as ``col``'s kind; raises :class:`_Bad`."""
    if isinstance(v, CellError):
        raise _Bad("error_value", value=v.code)
    kind = col.kind
    if kind == "text":
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, _dt.datetime | _dt.date):
            return v.isoformat()[:10]
        return str(v).strip()
    if kind == "code":
        if col.key not in classifiers.CODE_WIDTH:
            return str(v).strip()
        code = classifiers.code(col.key, v)
        if code is None:
            raise _Bad(f"bad_{col.key}", value=v)
        return code
    if kind == "enum":
        found = schema.enum_value(col.enum or col.key, v)
        if found is None:
            raise _Bad("bad_enum", value=v, allowed=", ".join(schema.ENUMS[col.enum or col.key]))
        return found
    if kind == "bool":
        if isinstance(v, bool):
            return v
        text = str(v).strip().casefold()
        if text in ("true", "1", "так", "yes", "1.0"):
            return True
        if text in ("false", "0", "ні", "no", "0.0"):
            return False
        raise _Bad("bad_bool", value=v)
    x = _number(v)
    if kind in ("int", "year"):
        if not x.is_integer():
            raise _Bad("not_integer", value=v)
        if kind == "year" and not 2000 <= x <= 2100:
            raise _Bad("bad_year", value=v)
        x = int(x)
    if col.min is not None:
        if col.min_exclusive and x <= col.min:
            raise _Bad("not_positive", value=_fmt(x))
        if x < col.min:
            raise _Bad("below_min", value=_fmt(x), min=_fmt(col.min))
    if col.max is not None and x > col.max:
        raise _Bad("above_max", value=_fmt(x), max=_fmt(col.max))
    if not math.isfinite(x) or abs(x) > MAX_AMOUNT:
        raise _Bad("too_large", value=_fmt(x), max=_fmt(MAX_AMOUNT))
    return x


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else str(x)


_MEMO_KINDS = ("text", "code", "enum", "bool")
_PLAIN = (str, int, float, bool)


def _where(raw: RawTable, i: int, cols: dict[str, int], key: str) -> str:
    """The cell a check points at (worked out only when there is a check)."""
    return raw.cell(i, cols[key]) if key in cols else raw.sheet


def _convert_checked(c: schema.Column, v: object) -> tuple[object, _Bad | None, str | None]:
    """(value, why it cannot be read, ``bad_kekv``/``unknown_tpkvk`` for a code that
    reads but is not in the classifier)."""
    try:
        value = _convert(c, v)
    except _Bad as bad:
        return None, bad, None
    if c.kind == "code" and c.key == "kekv" and not classifiers.is_kekv(value):
        return value, None, "bad_kekv"
    if c.kind == "code" and c.key == "kpkvk" and classifiers.kpkvk_name(str(value)) is None:
        return value, None, "unknown_tpkvk"
    return value, None, None


def _convert_table(
    raw: RawTable, t: schema.Table, locator: Locator
) -> tuple[pd.DataFrame, list[Check]]:
    cols = match_columns(t, raw.headers)
    locator.places[t.name] = (raw.sheet, raw.first_col, cols)
    checks: list[Check] = []
    missing_required = [c for c in t.columns if c.required and c.key not in cols]
    for c in missing_required:
        checks.append(Check("error", t.name, raw.header_row, None, "column_missing",
                            {"where": raw.sheet, "value": t.name, "header": c.uk}))
    records: list[dict[str, object]] = []
    index: list[int] = []
    if missing_required:
        return _frame(t, records, index), checks
    memo: dict[tuple[str, type, object], tuple[object, _Bad | None, str | None]] = {}
    invalid: dict[object, int] = {}
    """id → worksheet row of rows left out for an error (so references to them say so)"""
    for i, row in enumerate(raw.rows):
        cells = {k: (row[j] if j < len(row) else None) for k, j in cols.items()}
        if all(_is_blank(v) for v in cells.values()):
            continue
        sheet_row = raw.sheet_row(i)
        rec: dict[str, object] = {}
        ok = True
        for c in t.columns:
            v = cells.get(c.key)
            if v is UNCALCULATED:
                checks.append(Check("error", t.name, sheet_row, c.key, "no_formula_value",
                                    {"where": _where(raw, i, cols, c.key)}))
                ok = False
                continue
            if _is_blank(v):
                if c.required:
                    checks.append(Check("error", t.name, sheet_row, c.key, "blank_required",
                                        {"where": _where(raw, i, cols, c.key),
                                         "header": c.header("uk")}))
                    ok = False
                rec[c.key] = c.default
                continue
            # texts and codes repeat down a column: each distinct value is read once
            key = (c.key, type(v), v)
            cached = c.kind in _MEMO_KINDS and type(v) in _PLAIN
            hit = memo.get(key) if cached else None
            if hit is None:
                hit = _convert_checked(c, v)
                if cached:
                    memo[key] = hit
            value, bad, problem = hit
            if bad is not None:
                checks.append(Check("error", t.name, sheet_row, c.key, bad.code,
                                    {"where": _where(raw, i, cols, c.key), **bad.params}))
                ok = False
                continue
            rec[c.key] = value
            if problem == "bad_kekv":
                checks.append(Check("error", t.name, sheet_row, c.key, "bad_kekv",
                                    {"where": _where(raw, i, cols, c.key), "value": value}))
                ok = False
            elif problem == "unknown_tpkvk":
                code = str(value)
                checks.append(Check("warning", t.name, sheet_row, c.key, "unknown_tpkvk",
                                    {"where": _where(raw, i, cols, c.key), "value": code,
                                     "tail": code[-4:]}))
        if ok:
            records.append(rec)
            index.append(sheet_row)
        elif len(t.keys) == 1 and isinstance(rec.get(t.keys[0]), str):
            invalid.setdefault(rec[t.keys[0]], sheet_row)
    df = _frame(t, records, index)
    df.attrs["invalid_ids"] = invalid
    return df, checks


def _frame(t: schema.Table, records: list[dict[str, object]], index: list[int]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=t.column_keys,
                                   index=pd.Index(index, dtype="int64"))
    for c in t.columns:
        if c.kind in ("number", "money", "share"):
            df[c.key] = pd.to_numeric(df[c.key], errors="coerce").astype("float64")
        elif c.kind in ("int", "year") and (c.required or c.default is not None):
            df[c.key] = df[c.key].astype("int64")
        elif c.kind in ("text", "code", "enum"):
            df[c.key] = df[c.key].astype(object)
    return df


def _settings(raw: RawTable | None, locator: Locator) -> tuple[Settings, list[Check]]:
    checks: list[Check] = []
    values: dict[str, object] = {}
    if raw is None:
        return Settings(), checks
    t = schema.table("tblSettings")
    cols = match_columns(t, raw.headers)
    locator.places[t.name] = (raw.sheet, raw.first_col, cols)
    absent = [c for c in t.columns if c.key not in cols]
    if absent:
        for c in absent:
            checks.append(Check("error", t.name, raw.header_row, None, "column_missing",
                                {"where": raw.sheet, "value": t.name, "header": c.uk}))
        return Settings(), checks
    known = {s.key.casefold(): s for s in schema.SETTINGS}
    seen: dict[str, int] = {}
    for i, row in enumerate(raw.rows):
        key = row[cols["key"]] if cols["key"] < len(row) else None
        v = row[cols["value"]] if cols["value"] < len(row) else None
        if _is_blank(key):
            continue
        where = raw.cell(i, cols["value"])
        s = known.get(str(key).strip().casefold())
        if s is None:
            checks.append(Check("warning", t.name, raw.sheet_row(i), "key", "setting_unknown",
                                {"where": raw.cell(i, cols["key"]), "value": key}))
            continue
        if s.key in seen:
            checks.append(Check("warning", t.name, raw.sheet_row(i), "key", "setting_twice",
                                {"where": raw.cell(i, cols["key"]), "value": s.key,
                                 "first": seen[s.key]}))
        seen[s.key] = raw.sheet_row(i)
        if v is UNCALCULATED:
            checks.append(Check("error", t.name, raw.sheet_row(i), "value", "no_formula_value",
                                {"where": where}))
            continue
        if _is_blank(v):
            continue
        col = schema.Column(s.key, s.uk, s.kind, enum=s.enum, min=s.min, max=s.max)
        try:
            values[s.key] = _convert(col, v)
        except _Bad as bad:
            checks.append(Check("error", t.name, raw.sheet_row(i), "value", bad.code,
                                {"where": where, **bad.params}))
    if "plan_year" not in values:
        checks.append(Check("error", t.name, None, "value", "setting_missing",
                            {"where": raw.sheet, "key": "plan_year"}))
    return Settings.from_values(values), checks


def _duplicates(df: pd.DataFrame, table: str, key: str) -> tuple[pd.DataFrame, list[Check]]:
    checks: list[Check] = []
    if df.empty:
        return df, checks
    dup = df[key].duplicated(keep="first")
    if dup.any():
        first = {v: r for r, v in zip(df.index[~dup], df[key][~dup], strict=True)}
        for r, v in zip(df.index[dup], df[key][dup], strict=True):
            checks.append(Check("error", table, int(r), key, "duplicate_id",
                                {"value": v, "first": first.get(v)}))
        df = df[~dup]
    return df, checks


def _unknown(df: pd.DataFrame, table: str, key: str, target: pd.DataFrame,
             other: str) -> tuple[pd.DataFrame, list[Check]]:
    """Rows whose ``key`` (when not blank) is not an id of ``target``: error, dropped.
    An id whose own row has an error is named as such, not as unknown."""
    if df.empty:
        return df, []
    known = set(target[key])  # the referencing column has the target's id column name
    invalid: dict[object, int] = target.attrs.get("invalid_ids", {})
    col = df[key]
    bad = col.notna() & (col.astype(str) != "") & ~col.isin(known)
    checks = [
        Check("error", table, int(r), key, "refers_invalid",
              {"value": v, "other": other, "first": invalid[v]}) if v in invalid else
        Check("error", table, int(r), key, "unknown_id", {"value": v, "other": other})
        for r, v in zip(df.index[bad], col[bad], strict=True)
    ]
    return df[~bad], checks


def _cross_checks(frames: dict[str, pd.DataFrame]) -> list[Check]:
    """Ids, references, share sums and year ranges across tables (frames are updated)."""
    checks: list[Check] = []
    if "tblServices" in frames:
        frames["tblServices"], c = _duplicates(frames["tblServices"], "tblServices",
                                               "service_id")
        checks += c
    if "tblStaff" in frames:
        frames["tblStaff"], c = _duplicates(frames["tblStaff"], "tblStaff", "position_id")
        checks += c
    if "tblTime" in frames:
        tm = frames["tblTime"]
        if "tblStaff" in frames:
            tm, c = _unknown(tm, "tblTime", "position_id", frames["tblStaff"], "tblStaff")
            checks += c
        if "tblServices" in frames:
            tm, c = _unknown(tm, "tblTime", "service_id", frames["tblServices"], "tblServices")
            checks += c
        if not tm.empty:
            totals = tm.groupby("position_id", sort=False)["share"].sum()
            over = totals[totals > 1 + 1e-9]
            for pos, total in over.items():
                rows = tm.index[tm["position_id"] == pos]
                checks.append(Check("error", "tblTime", int(rows[-1]), "share", "share_sum",
                                    {"value": pos, "total": f"{total:.4g}"}))
            tm = tm[~tm["position_id"].isin(over.index)]
        frames["tblTime"] = tm
    if "tblCosts" in frames and "tblServices" in frames:
        frames["tblCosts"], c = _unknown(frames["tblCosts"], "tblCosts", "service_id",
                                         frames["tblServices"], "tblServices")
        checks += c
    for name in ("tblNeeds", "tblSources"):
        df = frames.get(name)
        if df is not None and not df.empty:
            bad = df["first_year"] > df["last_year"]
            for r in df.index[bad]:
                checks.append(Check("error", name, int(r), "last_year", "years_order",
                                    {"first": int(df.at[r, "first_year"]),
                                     "last": int(df.at[r, "last_year"])}))
            frames[name] = df[~bad]
    if "tblSources" in frames and "tblNeeds" in frames:
        frames["tblSources"], c = _unknown(frames["tblSources"], "tblSources", "activity_id",
                                           frames["tblNeeds"], "tblNeeds")
        checks += c
    for name in ("tblPlan", "tblActuals"):
        df = frames.get(name)
        if df is not None and not df.empty:
            key = df["kpkvk"].astype(str) + "|" + df["kekv"].astype(str) + "|" + df["fund"]
            dup = key.duplicated(keep="first")
            first = dict(zip(key[~dup], df.index[~dup], strict=True))
            for r, k in zip(df.index[dup], key[dup], strict=True):
                checks.append(Check("warning", name, int(r), "kekv", "duplicate_key",
                                    {"first": int(first[k])}))
    return checks


def _payroll_limit(frames: dict[str, pd.DataFrame], settings: Settings) -> list[Check]:
    """Posts whose year's payroll (pay topped up to the minimum wage) is beyond
    :data:`MAX_AMOUNT`: each cell may be plausible, their product is a typo."""
    staff = frames.get("tblStaff")
    if staff is None or staff.empty:
        return []
    pay = staff["monthly_pay"].clip(lower=float(settings.min_wage or 0.0))
    payroll = staff["fte"] * pay * staff["months"]
    bad = payroll > MAX_AMOUNT
    frames["tblStaff"] = staff[~bad]
    return [Check("error", "tblStaff", int(r), "fte", "too_large",
                  {"value": _fmt(float(v)), "max": _fmt(MAX_AMOUNT)})
            for r, v in zip(staff.index[bad], payroll[bad], strict=True)]


def convert_inputs(raw: Mapping[str, RawTable], names: list[str] | None = None) -> Inputs:
    """Typed inputs from raw tables: the engine's only entry point from a workbook.

    Tables of ``names`` (default: every input table) that are absent are recorded
    in :attr:`Inputs.missing` and given as empty frames.
    """
    wanted = names or [t.name for t in schema.INPUT_TABLES]
    locator = Locator()
    settings, checks = _settings(raw.get("tblSettings"), locator)
    frames: dict[str, pd.DataFrame] = {}
    missing: set[str] = set()
    for name in wanted:
        if name == "tblSettings":
            if name not in raw:
                missing.add(name)
            continue
        t = schema.table(name)
        if name in raw:
            frames[name], c = _convert_table(raw[name], t, locator)
            checks += c
        else:
            missing.add(name)
            frames[name] = _frame(t, [], [])
    checks += _payroll_limit(frames, settings)
    checks += _cross_checks(frames)
    return Inputs(frames, settings, checks, locator, missing)
