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
from koshtorys.core.checks import Check, percent_params
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
    return v is None or (isinstance(v, float) and v != v)  # NaN: the only float ≠ itself


def _in_order(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The columns ``cols`` of ``frame`` (absent ones blank), rows in worksheet order."""
    return frame.reindex(columns=cols).sort_index(kind="stable")


def _rows(frame: pd.DataFrame, cols: list[str]) -> Iterator[tuple[Any, ...]]:
    """(worksheet row, *values of ``cols``) per row, in worksheet order; fast and plain."""
    return _in_order(frame, cols).itertuples(name=None)


def _nan_last(x: float) -> float:
    """Sort key that ranks NaN above every number (an undefined need is the worst)."""
    return np.inf if np.isnan(x) else x


def _years_text(years: list[int]) -> str:
    return ", ".join(str(y) for y in years)


def _ints(values: list[Any]) -> np.ndarray:
    return np.asarray([int(v) for v in values], dtype=np.int64)


def _accepted_rows(aid: list[str], first: np.ndarray, last: np.ndarray, rows: np.ndarray,
                   checks: list[Check]) -> np.ndarray:
    """Which need rows are kept: a row whose years overlap an earlier kept row of its
    activity is skipped with ``years_overlap``. Rows in worksheet order."""
    covered: dict[str, dict[int, int]] = defaultdict(dict)
    kept = np.ones(len(aid), dtype=bool)
    for j, a in enumerate(aid):
        years = range(int(first[j]), int(last[j]) + 1)
        mine = covered[a]
        clash = [mine[y] for y in years if y in mine]
        if clash:
            checks.append(Check("error", "tblNeeds", int(rows[j]), "first_year",
                                "years_overlap", {"value": a, "first": min(clash)}))
            kept[j] = False
            continue
        for y in years:
            mine[y] = int(rows[j])
    return kept


def _years_of(first: np.ndarray, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's years expanded: (row position, year) per (row, year), rows in order."""
    count = np.maximum(last - first + 1, 0)
    rep = np.repeat(np.arange(len(first)), count)
    start = np.repeat(np.cumsum(count) - count, count)
    return rep, first[rep] + (np.arange(len(rep)) - start)


def _expand_needs(needs: pd.DataFrame, settings: Settings, checks: list[Check]) -> _Needs:
    """One entry per activity and year; a row whose years overlap an earlier row is
    skipped. The rows are expanded a column at a time; the year-by-year walk that finds
    overlaps runs only when some (activity, year) comes twice."""
    out = _Needs()
    cols = ["activity_id", "base_year", "base_amount", "index_rate", "first_year", "last_year"]
    df = _in_order(needs, cols)
    rows = np.asarray(df.index, dtype=np.int64)
    aid = [str(a) for a in df["activity_id"].tolist()]
    first, last = _ints(df["first_year"].tolist()), _ints(df["last_year"].tolist())
    rep, year = _years_of(first, last)
    if len({(aid[j], y) for j, y in zip(rep.tolist(), year.tolist(), strict=True)}) \
            < len(rep):  # some activity's year is named twice
        kept = _accepted_rows(aid, first, last, rows, checks)
        rep, year = rep[kept[rep]], year[kept[rep]]
    rates = np.asarray([settings.index_rate if _blank(v) else float(v)
                        for v in df["index_rate"].tolist()], dtype=float)
    amounts = np.asarray([float(v) for v in df["base_amount"].tolist()], dtype=float)
    periods = year - _ints(df["base_year"].tolist())[rep]
    n = len(rep)
    need = np.zeros(0)
    if n:
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            # fv divides by a zero rate; a wild rate overflows (caught just below)
            need = npf.fv(rates[rep], periods, 0, -amounts[rep])
        need = np.asarray(need, dtype=float).reshape(n)
    keep = np.isfinite(need) & (np.abs(need) <= MAX_AMOUNT)
    worst: dict[int, float] = {}
    for i in np.flatnonzero(~keep):
        r = int(rows[rep[i]])
        worst[r] = max(worst.get(r, 0.0), abs(float(need[i])), key=_nan_last)
    for r, value in sorted(worst.items()):
        checks.append(Check("error", "tblNeeds", r, "index_rate", "too_large",
                            {"value": f"{value:g}", "max": f"{MAX_AMOUNT:g}"}))
    out.activity = [aid[j] for j in rep[keep].tolist()]
    out.year = year[keep].tolist()
    for a, y in zip(out.activity, out.year, strict=True):
        out.order.setdefault(a, len(out.order))
        if out.last.get(a, y) <= y:
            out.last[a] = y
    out.need = need[keep]
    out.pos = {(a, y): i for i, (a, y) in enumerate(zip(out.activity, out.year, strict=True))}
    return out


def _apply_sources(
    sources: pd.DataFrame, nd: _Needs, settings: Settings, checks: list[Check]
) -> tuple[np.ndarray, np.ndarray]:
    """Amount per (need entry, source) and the first source row of each entry (-1: none).

    Rows are taken in worksheet order: each row's checks, then the (entry, source,
    amount) it adds, gathered over all rows and added in that order in one step (the
    same sums, to the last bit, as adding row by row)."""
    n = len(nd.need)
    amounts = np.zeros((n, len(_SOURCES)))
    first_row = np.full(n, -1, dtype=np.int64)
    has_local = np.zeros(n, dtype=bool)
    remainders: dict[int, list[tuple[int, int]]] = defaultdict(list)
    need = nd.need.tolist()
    at: list[int] = []  # entry of each (row, year) that adds an amount
    part: list[int] = []  # its source column
    add: list[float] = []  # the amount
    hit_rows: list[int] = []  # (row, entry) of every row that names an entry
    hit_at: list[int] = []
    local_at: list[int] = []
    fx_of: dict[str, float | None] = {}

    cols = ["activity_id", "source", "rule", "value", "currency", "first_year", "last_year"]
    for row, aid, src, rule, value, currency, first, last in _rows(sources, cols):
        aid = str(aid)
        if aid not in nd.order or src not in _SOURCES:
            continue  # unknown activities are the validator's to report
        value = 0.0 if _blank(value) else float(value)
        if rule == "share" and value > 1:  # 30 typed for 30 %: not 3 000 % of the need
            checks.append(Check("error", "tblSources", int(row), "value",
                                "source_share_over_one", percent_params(value)))
            continue
        if rule == "fixed":
            currency = "UAH" if _blank(currency) else str(currency)
            if currency not in fx_of:
                fx_of[currency] = settings.fx(currency)
            fx = fx_of[currency]
            if fx is None:
                checks.append(Check("error", "tblSources", int(row), "currency", "fx_missing",
                                    {"currency": currency}))
                continue
            value *= fx
        hits = [(y, nd.pos.get((aid, y))) for y in range(int(first), int(last) + 1)]
        idle = [y for y, i in hits if i is None]
        if idle:
            after = min(idle) > nd.last[aid]
            checks.append(Check("warning", "tblSources", int(row),
                                "last_year" if after else "first_year", "no_need_years",
                                {"value": aid, "years": _years_text(idle)}))
        idx = [i for _, i in hits if i is not None]
        if not idx:
            continue
        adds = ([value] * len(idx) if rule == "fixed"
                else [value * need[i] for i in idx] if rule == "share" else None)
        largest = max(map(abs, adds)) if adds is not None else 0.0
        if largest > MAX_AMOUNT:
            checks.append(Check("error", "tblSources", int(row), "value", "too_large",
                                {"value": f"{largest:g}", "max": f"{MAX_AMOUNT:g}"}))
            continue
        k = _SOURCES.index(src)
        hit_rows += [int(row)] * len(idx)
        hit_at += idx
        if src == "local":
            local_at += idx
        if adds is not None:
            at += idx
            part += [k] * len(idx)
            add += adds
        elif rule == "remainder":
            for i in idx:
                remainders[i].append((int(row), k))

    if hit_at:  # the first row naming an entry: rows come in worksheet order
        first_row[:] = np.iinfo(np.int64).max
        np.minimum.at(first_row, np.asarray(hit_at), np.asarray(hit_rows, dtype=np.int64))
        first_row[first_row == np.iinfo(np.int64).max] = -1
    has_local[np.asarray(local_at, dtype=np.int64)] = True
    np.add.at(amounts, (np.asarray(at, dtype=np.int64), np.asarray(part, dtype=np.int64)),
              np.asarray(add, dtype=float))
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
