"""Checks across tables: ids unique, references known, a post's shares at most 1, years in
order, plan lines unique, payrolls within reason. Frames are updated in place (bad rows
dropped), so the engine only ever sees rows it can trust."""

from __future__ import annotations

import re
from collections.abc import Collection
from decimal import Decimal

import numpy as np
import pandas as pd

from koshtorys.core import schema
from koshtorys.core.checks import THOUSANDS, Check, rounded
from koshtorys.core.money import MAX_AMOUNT
from koshtorys.core.settings import Settings

from .cells import fmt_number

__all__ = ["cross_checks", "payroll_limit", "document_years", "restored_cash",
           "costs_look_monthly"]


def _duplicates(df: pd.DataFrame, table: str, key: str) -> tuple[pd.DataFrame, list[Check]]:
    if df.empty:
        return df, []
    dup = df[key].duplicated(keep="first")
    if not dup.any():
        return df, []
    first = {v: r for r, v in zip(df.index[~dup], df[key][~dup], strict=True)}
    checks = [Check("error", table, int(r), key, "duplicate_id",
                    {"value": v, "first": first.get(v)})
              for r, v in zip(df.index[dup], df[key][dup], strict=True)]
    return df[~dup], checks


def _unknown(df: pd.DataFrame, table: str, key: str, target: pd.DataFrame,
             other: str) -> tuple[pd.DataFrame, list[Check]]:
    """Rows whose ``key`` (when not blank) is not an id of ``target``: error, dropped.
    An id whose own row has an error is named as such, not as unknown."""
    if df.empty:
        return df, []
    col = df[key]
    # the referencing column has the target's id column name; ids are texts, so the
    # hash-table lookup of isin is the set membership it replaces
    unknown = ~col.isin(target[key]).to_numpy()
    if not unknown.any():
        return df, []  # every id known: the frame as it is
    values = col.to_numpy(dtype=object)  # the column is object: no copy
    bad = unknown & ~pd.isna(values) & (values != "")  # a blank refers to nothing
    if not bad.any():
        return df, []
    invalid: dict[object, int] = target.attrs.get("invalid_ids", {})
    like = _look_alikes(target[key])
    checks = [
        Check("error", table, int(r), key, "refers_invalid",
              {"value": v, "other": other, "first": invalid[v]}) if v in invalid else
        Check("error", table, int(r), key, "unknown_id", {"value": v, "other": other} | (
            {"note": "like", "like": like[_id_shape(v)]} if _id_shape(v) in like else {}))
        for r, v in zip(df.index[bad], values[bad], strict=True)
    ]
    return df[~bad], checks


def _id_shape(v: object) -> str:
    """An id as typed carelessly: case, spaces and the zeros that lead a number dropped
    ("u 02", "U2" and "U02" alike)."""
    text = "".join(str(v).split()).casefold()
    return re.sub(r"(?<!\d)0+(?=\d)", "", text)


def _look_alikes(ids: pd.Series) -> dict[str, str]:
    """Shape → the one id of ``ids`` with that shape (shapes two ids share: none)."""
    out: dict[str, str] = {}
    twice: set[str] = set()
    for v in ids.dropna().unique().tolist():
        shape = _id_shape(v)
        if shape in out and out[shape] != v:
            twice.add(shape)
        out[shape] = v
    return {k: v for k, v in out.items() if k not in twice}


_SHARES_LIMIT = 1 + 1e-9
"""A post's shares may add up to this much."""


def _may_exceed_one(tm: pd.DataFrame) -> bool:
    """Whether some post's shares may add up to more than :data:`_SHARES_LIMIT`: a plain
    sum per post (``bincount``) widened by a bound on the rounding error of any running
    sum of the post's shares — the plain one and the compensated one of ``groupby`` are
    each within (n − 1)·2⁻⁵³·Σ|share| of the exact sum. Only when one may be over are
    the exact totals needed; a blank post or a share that is not finite asks for them."""
    codes, _ = pd.factorize(tm["position_id"])
    x = tm["share"].to_numpy(dtype=float)
    if (codes < 0).any() or not np.isfinite(x).all():
        return True
    plain = np.bincount(codes, weights=x)
    slack = (np.bincount(codes) + 2) * np.bincount(codes, weights=np.abs(x)) * 2.5e-16
    return bool((plain + slack > _SHARES_LIMIT).any())


def _time(frames: dict[str, pd.DataFrame], present: set[str]) -> list[Check]:
    """tblTime: shares of one post add up to at most 1 — counted over every row of the
    post, those naming an unknown or broken service included (they are the post's time
    too); then rows of unknown posts or services go."""
    tm = frames["tblTime"]
    checks: list[Check] = []
    if "tblStaff" in present:
        tm, c = _unknown(tm, "tblTime", "position_id", frames["tblStaff"], "tblStaff")
        checks += c
    over = pd.Index([])
    if not tm.empty and _may_exceed_one(tm):
        totals = tm.groupby("position_id", sort=False)["share"].sum()
        over = totals[totals > _SHARES_LIMIT]
        for pos, total in over.items():
            rows = tm.index[tm["position_id"] == pos]
            checks.append(Check("error", "tblTime", int(rows[-1]), "share", "shares_over_one",
                                {"value": pos, "total": Decimal(f"{total:.4g}")}))
        over = over.index
    if "tblServices" in present:
        tm, c = _unknown(tm, "tblTime", "service_id", frames["tblServices"], "tblServices")
        checks += c
    frames["tblTime"] = tm[~tm["position_id"].isin(over)] if len(over) else tm
    return checks


def _one_kind(values: list[object]) -> bool:
    """Every value a text, or every value a whole number (no blank among them)."""
    kinds = set(map(type, values))
    return len(kinds) == 1 and kinds <= {str, int}


def _duplicate_keys(df: pd.DataFrame, table: str, keys: tuple[str, ...]) -> list[Check]:
    """A warning per row whose ``keys`` repeat an earlier row's, naming that row. The keys
    are compared as texts (blank = ""), joined by ``|``; plain lists and a dict: pandas'
    string columns cost more to build and hash than the rows they compare."""
    columns = [df[k].tolist() for k in keys]
    if all(_one_kind(c) for c in columns) and len(set(zip(*columns, strict=True))) == len(df):
        return []  # all distinct (texts or whole numbers only, as they read: equal as
        # values exactly when equal as texts), the usual case: no key text is made
    texts = [["" if v is None or v != v else str(v) for v in c] for c in columns]
    first: dict[str, int] = {}
    out: list[Check] = []
    for row, key in zip(df.index.tolist(), map("|".join, zip(*texts, strict=True)),
                        strict=True):
        seen = first.setdefault(key, row)
        if seen != row:  # worksheet rows are unique: another row had this key first
            out.append(Check("warning", table, int(row), keys[1], "duplicate_key",
                             {"first": int(seen)}))
    return out


def cross_checks(frames: dict[str, pd.DataFrame],
                 missing: Collection[str] = ()) -> list[Check]:
    """Ids, references, share sums and year ranges across tables (frames are updated).
    A reference into a ``missing`` table is not checked: that table's own error says it
    all, not one "unknown id" per row that names it."""
    present = {n for n in frames if n not in missing}
    checks: list[Check] = []
    for table, key in (("tblServices", "service_id"), ("tblStaff", "position_id"),
                       ("tblPrograms", "kpkvk")):
        if table in frames:
            frames[table], c = _duplicates(frames[table], table, key)
            checks += c
    if "tblTime" in frames:
        checks += _time(frames, present)
    if "tblCosts" in frames and "tblServices" in present:
        frames["tblCosts"], c = _unknown(frames["tblCosts"], "tblCosts", "service_id",
                                         frames["tblServices"], "tblServices")
        checks += c
    for name in ("tblNeeds", "tblSources"):
        df = frames.get(name)
        if df is not None and not df.empty:
            first, last = df["first_year"].to_numpy(), df["last_year"].to_numpy()
            bad = first > last
            if bad.any():  # otherwise the frame as it is: no copy
                checks += [Check("error", name, int(r), "last_year", "years_order",
                                 {"first": int(a), "last": int(b)})
                           for r, a, b in zip(df.index[bad], first[bad], last[bad],
                                              strict=True)]
                frames[name] = df[~bad]
    if "tblSources" in frames and "tblNeeds" in present:
        frames["tblSources"], c = _unknown(frames["tblSources"], "tblSources", "activity_id",
                                           frames["tblNeeds"], "tblNeeds")
        checks += c
    for name, keys in (("tblPlan", ("kpkvk", "kekv", "fund")),
                       ("tblActuals", ("kpkvk", "kekv", "fund")),
                       ("tblHistory", ("kpkvk", "kekv", "fund", "year")),
                       ("tblCeilings", ("kpkvk", "fund", "year")),
                       ("tblProgramTotals", ("year", "source"))):
        df = frames.get(name)
        if df is None or df.empty:
            continue
        checks += _duplicate_keys(df, name, keys)
    return checks


def document_years(frames: dict[str, pd.DataFrame], settings: Settings) -> list[Check]:
    """Rows of tblHistory, tblCeilings and tblPrograms the documents cannot use — a year
    they do not print, a КПКВК the book spends nothing on (each row is still read as
    typed): said, since the request would print without them."""
    if settings.plan_year is None:
        return []
    plan = int(settings.plan_year)
    programs: set[str] = set()
    if any(len(frames.get(n, ())) for n in ("tblCeilings", "tblPrograms")):
        for name in ("tblPlan", "tblCosts", "tblStaff", "tblServices"):
            df = frames.get(name)
            if df is not None and "kpkvk" in df.columns:
                programs.update(v for v in df["kpkvk"].unique().tolist()
                                if isinstance(v, str) and v)
    return _history_years(frames.get("tblHistory"), plan) + \
        _history_in_thousands(frames.get("tblHistory"), frames.get("tblPlan"), plan,
                              int(settings.exec_year or plan - 1)) + \
        _ceiling_years(frames.get("tblCeilings"), plan, programs) + \
        _unknown_programs(frames.get("tblPrograms"), programs, "tblPrograms",
                          "program_texts_unknown")


def _history_years(df: pd.DataFrame | None, plan: int) -> list[Check]:
    """tblHistory holds the cash of years gone; the request prints one of them, the year
    before the execution year (plan year − 2). A row of the execution year or later is
    used by nothing (that year's cash is tblActuals'), and a table without the report
    year leaves the request's «звіт» column empty: both are said."""
    if df is None or df.empty:
        return []
    report = plan - 2
    years = df["year"].to_numpy(dtype=float)
    late = years > report
    checks = [Check("warning", "tblHistory", int(r), "year", "history_year_unused",
                    {"year": int(y), "report": report, "plan_year": plan})
              for r, y in zip(df.index[late], years[late], strict=True)]
    if not (years == report).any():
        checks.append(Check("warning", "tblHistory", None, None, "history_no_report_year",
                            {"report": report, "plan_year": plan}))
    return checks


def _history_in_thousands(history: pd.DataFrame | None, plan_df: pd.DataFrame | None,
                          plan: int, exec_year: int) -> list[Check]:
    """The report year's cash in tblHistory 1/2 000–1/500 of the execution year's annual
    plan (a year's report in тис. грн typed beside a plan in гривні): the request's «звіт»
    column would print it a thousandfold small, so it is said once."""
    if history is None or plan_df is None or history.empty or plan_df.empty:
        return []
    report = plan - 2
    cash = float(history["amount"].to_numpy(dtype=float)[
        history["year"].to_numpy(dtype=float) == report].sum())
    months = [m for m in schema.MONTHS if m in plan_df.columns]
    planned = float(np.nansum(plan_df[months].to_numpy(dtype=float)))
    low, high = THOUSANDS
    if cash <= 0 or not low <= planned / cash <= high:
        return []
    share = rounded(100 * cash / planned, 3)
    return [Check("warning", "tblHistory", None, None, "history_in_thousands",
                  {"year": report, "cash": cash, "plan": planned, "exec_year": exec_year,
                   "share": share})]


def _ceiling_years(df: pd.DataFrame | None, plan: int, programs: set[str]) -> list[Check]:
    """The request applies the ceilings of the plan year and the two forecast years to
    the programs the book spends on; a ceiling of another year (2025 typed for 2026) or
    of another КПКВК would leave the request without its ceiling."""
    if df is None or df.empty:
        return []
    years = df["year"].to_numpy(dtype=float)
    off = (years < plan) | (years > plan + 2)
    out = [Check("warning", "tblCeilings", int(r), "year", "ceiling_year_unused",
                 {"year": int(y), "plan_year": plan, "last": plan + 2})
           for r, y in zip(df.index[off], years[off], strict=True)]
    out += _unknown_programs(df, programs, "tblCeilings", "ceiling_program_unknown")
    return sorted(out, key=lambda c: c.row or 0)


def _unknown_programs(df: pd.DataFrame | None, programs: set[str], table: str, code: str
                      ) -> list[Check]:
    """A warning at each КПКВК of ``df`` the book spends nothing on (none when the book
    spends on no program yet: a new workbook)."""
    if df is None or df.empty or not programs:
        return []
    known = ", ".join(sorted(programs))
    return [Check("warning", table, int(r), "kpkvk", code, {"value": k, "known": known})
            for r, k in zip(df.index, df["kpkvk"].tolist(), strict=True)
            if isinstance(k, str) and k not in programs]


def payroll_limit(frames: dict[str, pd.DataFrame], settings: Settings) -> list[Check]:
    """Posts whose year's payroll (pay topped up to the minimum wage) is beyond
    :data:`MAX_AMOUNT`: each cell may be plausible, their product is a typo."""
    staff = frames.get("tblStaff")
    if staff is None or staff.empty:
        return []
    lowest = float(settings.min_wage or 0.0)
    pay = np.maximum(staff["monthly_pay"].to_numpy(), lowest)  # clip(lower=…): no NaN here
    payroll = staff["fte"].to_numpy() * pay * staff["months"].to_numpy()
    bad = payroll > MAX_AMOUNT
    if not bad.any():
        return []
    frames["tblStaff"] = staff[~bad]
    return [Check("error", "tblStaff", int(r), "fte", "too_large",
                  {"value": fmt_number(float(v)), "max": fmt_number(MAX_AMOUNT)})
            for r, v in zip(staff.index[bad], payroll[bad], strict=True)]


def restored_cash(frames: dict[str, pd.DataFrame]) -> list[Check]:
    """A warning at each tblActuals row's first negative month: cash restored (money of
    earlier months returned, as treasury reports show it) is taken as typed, and said,
    since a minus typed by mistake looks the same."""
    actuals = frames.get("tblActuals")
    if actuals is None or actuals.empty:
        return []
    months = [m for m in schema.MONTHS if m in actuals.columns]
    cash = actuals[months].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        negative = cash < 0
    rows = np.flatnonzero(negative.any(axis=1))
    first = negative[rows].argmax(axis=1)
    return [Check("warning", "tblActuals", int(actuals.index[r]), months[m], "cash_restored",
                  {"value": float(cash[r, m]), "month": m + 1})
            for r, m in zip(rows.tolist(), first.tolist(), strict=True)]


_PAYROLL = ("2111", "2120")

MONTHLY = (9.0, 14.0)
"""A year's cost this many times smaller than the same line's annual plan of the year
before reads as a month's amount typed for the year (12× less, give or take a year's
change); a line that really falls tenfold is rare enough to ask about."""


def costs_look_monthly(frames: dict[str, pd.DataFrame]) -> list[Check]:
    """A warning at the first tblCosts row of each (kpkvk, kekv, fund) whose plan-year sum
    is 1/14–1/9 of that line's annual plan in tblPlan (execution year): tblCosts takes
    the year's amount, and a month's typed there makes the request's проєкт a twelfth."""
    costs, plan = frames.get("tblCosts"), frames.get("tblPlan")
    if costs is None or plan is None or costs.empty or plan.empty:
        return []
    keys = ["kpkvk", "kekv", "fund"]
    # pay and ЄСВ come from tblStaff: a tblCosts line there is a supplement (a bonus of
    # one month's pay is a twelfth of the payroll by design), not the line itself
    keep = (costs["kpkvk"].notna() & ~costs["kekv"].isin(_PAYROLL)).to_numpy()
    if not keep.any():
        return []
    months = [m for m in schema.MONTHS if m in plan.columns]
    n = int(keep.sum())
    key = np.zeros(n + len(plan), dtype=np.int64)  # one integer per (kpkvk, kekv, fund)
    for k in keys:  # both tables' codes in one code space, joined column by column
        codes, uniques = pd.factorize(pd.concat([costs[k][keep], plan[k]], ignore_index=True))
        key = key * (len(uniques) + 1) + (codes + 1)
    lines, at, inverse = np.unique(key[:n], return_index=True, return_inverse=True)
    amount = np.bincount(inverse, weights=costs["amount"].to_numpy(dtype=float)[keep],
                         minlength=len(lines))
    pos = np.searchsorted(lines, key[n:])  # each plan row's cost line, if it has one
    pos[pos == len(lines)] = 0
    has = lines[pos] == key[n:]
    total = np.bincount(pos[has], weights=np.nan_to_num(
        plan[months].to_numpy(dtype=float)).sum(axis=1)[has], minlength=len(lines))
    low, high = MONTHLY
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = total / amount
    hits = np.flatnonzero((amount > 0) & (ratio >= low) & (ratio <= high))
    taken = np.flatnonzero(keep)[at[hits]]  # each line's first cost row, by position
    index = costs.index.to_numpy()
    kpkvk, kekv = costs["kpkvk"].tolist(), costs["kekv"].tolist()
    found = []
    for h, t in zip(hits.tolist(), taken.tolist(), strict=True):
        share = rounded(100 * amount[h] / total[h])
        found.append(Check("warning", "tblCosts", int(index[t]), "amount",
                           "cost_looks_monthly",
                           {"kpkvk": kpkvk[t], "kekv": kekv[t],
                            "cost": float(amount[h]), "plan": float(total[h]),
                            "share": share}))
    return sorted(found, key=lambda c: c.row or 0)
