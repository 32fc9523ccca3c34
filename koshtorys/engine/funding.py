"""Multi-year funding plans: each activity's need per year, split by source.

Pure engine code: ``tblNeeds`` and ``tblSources`` as DataFrames (index = the
worksheet row) and :class:`~koshtorys.core.settings.Settings` in, ``tblFundingSplit``
and ``tblFundingSummary`` out. Needs are indexed with numpy-financial's ``fv``;
every split row is rounded with :func:`koshtorys.core.money.round_rows` (``round_parts``
for all rows at once), so the sources plus the gap equal the rounded need exactly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy_financial as npf
import pandas as pd

from koshtorys.core import schema
from koshtorys.core.checks import Check
from koshtorys.core.money import MAX_AMOUNT, round_rows
from koshtorys.core.settings import Settings

__all__ = ["FundingResult", "compute_funding"]

_SOURCES = list(schema.SOURCES)
_LOCAL = _SOURCES.index("local")
_MONEY = ["need", *_SOURCES, "gap"]
_SPLIT_COLS = schema.table("tblFundingSplit").column_keys
_SUMMARY_COLS = schema.table("tblFundingSummary").column_keys


@dataclass(frozen=True)
class FundingResult:
    """What :func:`compute_funding` returns."""

    split: pd.DataFrame
    """``tblFundingSplit``: one row per activity and year."""
    summary: pd.DataFrame
    """``tblFundingSummary``: one row per year, then the ``NPV`` row."""
    chart_rows: int
    """How many year rows ``summary`` has (the NPV row is not charted)."""
    checks: list[Check] = field(default_factory=list)


@dataclass
class _Needs:
    """The needs expanded to one entry per (activity, year)."""

    activity: list[str] = field(default_factory=list)
    year: list[int] = field(default_factory=list)
    need: np.ndarray = field(default_factory=lambda: np.zeros(0))
    pos: dict[tuple[str, int], int] = field(default_factory=dict)
    order: dict[str, int] = field(default_factory=dict)
    """Rank of each activity by first appearance in ``tblNeeds``."""
    last: dict[str, int] = field(default_factory=dict)
    """The last year with a need, per activity."""


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v))


def _rows(frame: pd.DataFrame, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    """(worksheet row, *values of ``cols``) per row, in worksheet order; fast and plain."""
    return frame.reindex(columns=cols).sort_index(kind="stable").itertuples(name=None)


def _nan_last(x: float) -> float:
    """Sort key that ranks NaN above every number (an undefined need is the worst)."""
    return np.inf if np.isnan(x) else x


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def _expand_needs(needs: pd.DataFrame, settings: Settings, checks: list[Check]) -> _Needs:
    """One entry per activity and year; a row whose years overlap an earlier row is skipped."""
    out = _Needs()
    covered: dict[str, dict[int, int]] = defaultdict(dict)
    activity: list[str] = []
    year: list[int] = []
    rows: list[int] = []
    amounts: list[float] = []
    rates: list[float] = []
    periods: list[int] = []
    cols = ["activity_id", "base_year", "base_amount", "index_rate", "first_year", "last_year"]
    for row, aid, base_year, base_amount, index_rate, first, last in _rows(needs, cols):
        aid = str(aid)
        years = range(int(first), int(last) + 1)
        clash = [covered[aid][y] for y in years if y in covered[aid]]
        if clash:
            checks.append(Check("error", "tblNeeds", int(row), "first_year", "years_overlap",
                                {"value": aid, "first": min(clash)}))
            continue
        rate = settings.index_rate if _blank(index_rate) else float(index_rate)
        for y in years:
            covered[aid][y] = int(row)
            activity.append(aid)
            year.append(y)
            rows.append(int(row))
            amounts.append(float(base_amount))
            rates.append(rate)
            periods.append(y - int(base_year))
    n = len(activity)
    need = np.zeros(0)
    if n:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            # fv divides by a zero rate; a wild rate overflows (caught just below)
            need = npf.fv(np.asarray(rates), np.asarray(periods), 0, -np.asarray(amounts))
        need = np.asarray(need, dtype=float).reshape(n)
    keep = np.isfinite(need) & (np.abs(need) <= MAX_AMOUNT)
    worst: dict[int, float] = {}
    for i in np.flatnonzero(~keep):
        worst[rows[i]] = max(worst.get(rows[i], 0.0), abs(float(need[i])), key=_nan_last)
    for row, value in sorted(worst.items()):
        checks.append(Check("error", "tblNeeds", row, "index_rate", "too_large",
                            {"value": f"{value:g}", "max": f"{MAX_AMOUNT:g}"}))
    for i in np.flatnonzero(keep):
        aid, y = activity[i], year[i]
        out.order.setdefault(aid, len(out.order))
        out.last[aid] = max(out.last.get(aid, y), y)
        out.activity.append(aid)
        out.year.append(y)
    out.need = need[keep]
    out.pos = {(a, y): i for i, (a, y) in enumerate(zip(out.activity, out.year, strict=True))}
    return out


def _apply_sources(
    sources: pd.DataFrame, nd: _Needs, settings: Settings, checks: list[Check]
) -> tuple[np.ndarray, np.ndarray]:
    """Amount per (need entry, source) and the first source row of each entry (-1: none)."""
    n = len(nd.need)
    amounts = np.zeros((n, len(_SOURCES)))
    first_row = np.full(n, -1, dtype=np.int64)
    has_local = np.zeros(n, dtype=bool)
    remainders: dict[int, list[tuple[int, int]]] = defaultdict(list)

    cols = ["activity_id", "source", "rule", "value", "currency", "first_year", "last_year"]
    for row, aid, src, rule, value, currency, first, last in _rows(sources, cols):
        aid = str(aid)
        if aid not in nd.order or src not in _SOURCES:
            continue  # unknown activities are the validator's to report
        value = 0.0 if _blank(value) else float(value)
        if rule == "fixed":
            currency = "UAH" if _blank(currency) else str(currency)
            fx = settings.fx(currency)
            if fx is None:
                checks.append(Check("error", "tblSources", int(row), "currency", "fx_missing",
                                    {"currency": currency}))
                continue
            value *= fx
        years = range(int(first), int(last) + 1)
        hits = [(y, nd.pos.get((aid, y))) for y in years]
        idle = [y for y, i in hits if i is None]
        if idle:
            after = min(idle) > nd.last[aid]
            checks.append(Check("warning", "tblSources", int(row),
                                "last_year" if after else "first_year", "no_need_years",
                                {"value": aid, "years": _years_text(idle)}))
        idx = np.asarray([i for _, i in hits if i is not None], dtype=np.int64)
        if len(idx) == 0:
            continue
        add = (np.full(len(idx), value) if rule == "fixed"
               else value * nd.need[idx] if rule == "share" else None)
        if add is not None and np.abs(add).max() > MAX_AMOUNT:
            checks.append(Check("error", "tblSources", int(row), "value", "too_large",
                                {"value": f"{np.abs(add).max():g}", "max": f"{MAX_AMOUNT:g}"}))
            continue
        k = _SOURCES.index(src)
        unset = first_row[idx] < 0
        first_row[idx[unset]] = int(row)
        if src == "local":
            has_local[idx] = True
        if add is not None:
            amounts[idx, k] += add
        elif rule == "remainder":
            for i in idx:
                remainders[int(i)].append((int(row), k))

    target = np.where(has_local, -1, _LOCAL)
    for i, named in remainders.items():
        target[i] = named[0][1] if len(named) == 1 else -1
    _two_remainders(remainders, nd, checks)
    filled = amounts.sum(axis=1)
    rest = np.maximum(nd.need - filled, 0.0)
    has_target = target >= 0
    amounts[np.flatnonzero(has_target), target[has_target]] += rest[has_target]
    return amounts, first_row


def _two_remainders(
    remainders: dict[int, list[tuple[int, int]]], nd: _Needs, checks: list[Check]
) -> None:
    """One error per extra remainder row, listing the years it clashes in."""
    clashes: dict[int, list[int]] = defaultdict(list)
    activity: dict[int, str] = {}
    for i, named in remainders.items():
        rows = sorted({row for row, _ in named})
        for row in rows[1:]:
            clashes[row].append(nd.year[i])
            activity[row] = nd.activity[i]
    for row in sorted(clashes):
        checks.append(Check("error", "tblSources", row, "rule", "two_remainders",
                            {"value": activity[row], "year": _years_text(sorted(clashes[row]))}))


def _summary(split: pd.DataFrame, rate: float, digits: int) -> pd.DataFrame:
    """Sums per year (exact at ``digits``) and the NPV row, first year = year 0."""
    if split.empty:
        return pd.DataFrame(columns=_SUMMARY_COLS)
    by_year = split.groupby("year", sort=True)[_MONEY].sum().round(digits)
    span = range(int(by_year.index.min()), int(by_year.index.max()) + 1)
    series = by_year.reindex(span, fill_value=0.0)
    npv = {c: round(float(npf.npv(rate, series[c].to_numpy())), digits) for c in _MONEY}
    rows = [[int(y), *(float(v) for v in vals)] for y, vals in by_year.iterrows()]
    rows.append(["NPV", *(npv[c] for c in _MONEY)])
    out = pd.DataFrame(rows, columns=_SUMMARY_COLS)
    out["year"] = out["year"].astype(object)
    return out


def compute_funding(
    needs: pd.DataFrame, sources: pd.DataFrame, settings: Settings
) -> FundingResult:
    """Each activity's indexed need per year, split by source, with the gap and NPV.

    >>> needs = pd.DataFrame(
    ...     {"activity_id": ["A1"], "name": ["Day care"], "kpkvk": ["0813104"],
    ...      "base_year": [2025], "base_amount": [100_000.0], "index_rate": [0.05],
    ...      "first_year": [2026], "last_year": [2027]}, index=[5])
    >>> sources = pd.DataFrame(
    ...     {"activity_id": ["A1"], "source": ["donor"], "rule": ["fixed"], "value": [1000.0],
    ...      "currency": ["EUR"], "first_year": [2026], "last_year": [2027]}, index=[5])
    >>> r = compute_funding(needs, sources, Settings(fx_EUR=45.0))
    >>> r.split[["year", "need", "local", "donor", "gap"]].to_numpy().tolist()
    [[2026.0, 105000.0, 60000.0, 45000.0, 0.0], [2027.0, 110250.0, 65250.0, 45000.0, 0.0]]
    >>> list(r.summary["year"]), r.chart_rows
    ([2026, 2027, 'NPV'], 2)
    """
    checks: list[Check] = []
    digits = int(settings.rounding)
    nd = _expand_needs(needs, settings, checks)
    amounts, first_row = _apply_sources(sources, nd, settings, checks)
    gap = nd.need - amounts.sum(axis=1)

    n = len(nd.need)
    money = np.zeros((n, len(_MONEY)))
    if n:
        # the need rounded half away from zero (a one-part split), then each row's
        # sources and gap rounded so they add up to it
        money[:, 0] = round_rows(nd.need[:, None], nd.need, digits)[:, 0]
        money[:, 1:] = round_rows(np.column_stack([amounts, gap]), nd.need, digits)

    for i in np.flatnonzero(money[:, -1] < 0):
        need_r, gap_r = money[i, 0], money[i, -1]
        checks.append(Check(
            "error", "tblSources", int(first_row[i]) if first_row[i] >= 0 else None, None,
            "over_promised",
            {"value": nd.activity[i], "year": nd.year[i],
             "promised": round(float(need_r - gap_r), digits), "need": float(need_r),
             "excess": round(float(-gap_r), digits)},
        ))

    split = pd.DataFrame(money, columns=_MONEY)
    split.insert(0, "year", np.asarray(nd.year, dtype=np.int64))
    split.insert(0, "activity_id", pd.Series(nd.activity, dtype=object))
    rank = np.asarray([nd.order[a] for a in nd.activity], dtype=np.int64)
    order = np.lexsort((split["year"].to_numpy(), rank)) if n else np.zeros(0, dtype=np.int64)
    split = split.iloc[order].reset_index(drop=True)[_SPLIT_COLS]

    summary = _summary(split, settings.discount_rate, digits)
    chart_rows = max(len(summary) - 1, 0)
    return FundingResult(split, summary, chart_rows, checks)
