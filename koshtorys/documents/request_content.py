"""The sections of a budget request computed from the inputs (pure; no layout).

Every amount is an integer in units of 10**-rounding (hryvnias for 0) from the moment it
is rounded, so sums are exact: a column's lines are rounded against their rounded total
(largest remainder), the program's expenditure of each year and fund is attributed to
its services by :func:`koshtorys.core.money.allocate`, and a ceiling splits lines in
integers (:mod:`.ceilings`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandas as pd

from koshtorys.core import classifiers, schema
from koshtorys.core.checks import THOUSANDS, Check
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.money import allocate, from_units, round_parts, to_units, to_units_array
from koshtorys.core.settings import Settings

from .ceilings import PROTECTED, split_to_ceiling
from .codes import program_codes
from .request_indicators import indicators, tied_per_unit
from .request_model import (
    FUNDS,
    REQUEST_COLUMNS,
    YEAR_KEYS,
    AdditionalRequest,
    AmountColumn,
    Direction,
    ExcessLine,
    KekvRow,
    ProgramTexts,
    RequestDoc,
    RequestInputs,
)
from .units import per_one

__all__ = ["build", "columns_of", "attribute", "tied_per_unit"]

Units = dict[tuple[str, str], int]
"""(column key, fund) → amount in units."""
_FUNDING_COLS = ("need", *schema.SOURCES, "gap")


def columns_of(s: Settings) -> tuple[AmountColumn, ...]:
    py = s.plan_year
    return (
        AmountColumn("report", py - 2, f"{py - 2} рік (звіт)"),
        AmountColumn("approved", s.exec_year, f"{s.exec_year} рік (затверджено)"),
        AmountColumn("plan", py, f"{py} рік (проєкт)"),
        AmountColumn("forecast1", py + 1, f"{py + 1} рік (прогноз)"),
        AmountColumn("forecast2", py + 2, f"{py + 2} рік (прогноз)"),
    )


# --------------------------------------------------------------------------- frames

def _frame(df: pd.DataFrame | None, table: str) -> pd.DataFrame:
    return pd.DataFrame(columns=schema.table(table).column_keys) if df is None else df


def _blank(v: object) -> bool:
    if isinstance(v, str):
        return not v.strip()
    try:
        return bool(pd.isna(v))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _splitter(df: pd.DataFrame, single: bool) -> Callable[[str], pd.DataFrame]:
    """Rows of a КПКВК (blank-coded rows too when the institution has one program),
    the frame grouped once."""
    if df.empty or "kpkvk" not in df.columns:
        return lambda _code: df
    col = df["kpkvk"].astype(object)
    if single:
        return lambda code: df[((col == code) | col.map(_blank)).to_numpy(dtype=bool)]
    pos = df.groupby(col, sort=False, dropna=True).indices
    return lambda code: df.iloc[pos[code]] if code in pos else df.iloc[:0]


def _sum_by(df: pd.DataFrame, value: pd.Series) -> dict[tuple[str, str], float]:
    """(kekv, fund) → Σ value."""
    out: dict[tuple[str, str], float] = {}
    for kekv, fund, v in zip(df["kekv"], df["fund"], value, strict=True):
        if _blank(kekv):
            continue
        key = (str(kekv), fund if fund in FUNDS else "general")
        out[key] = out.get(key, 0.0) + (0.0 if _blank(v) else float(v))
    return out


def _programs(inputs: RequestInputs) -> list[str]:
    codes: set[str] = set()
    for df, name in ((inputs.cost_by_kekv, "tblCostByKekv"), (inputs.plan, "tblPlan")):
        f = _frame(df, name)
        if len(f):
            rows = f[f["kekv"].map(lambda k: not _blank(k))]
            codes |= {str(k) for k in rows["kpkvk"] if not _blank(k)}
    return sorted(codes)


# --------------------------------------------------------------------------- amounts

def _round_lines(exact: dict[str, float], digits: int) -> dict[str, int]:
    """Lines rounded against their rounded total (largest remainder), as units."""
    keys = list(exact)
    if not keys:
        return {}
    parts = round_parts([exact[k] for k in keys], sum(exact.values()), digits)
    return {k: to_units(v, digits) for k, v in zip(keys, parts, strict=True)}


def _expenditure(exact: dict[str, dict[tuple[str, str], float]], codes: list[str],
                 digits: int, index_rate: float) -> dict[str, Units]:
    """kekv → (column, fund) → units, every column and fund rounded as a whole; the
    forecasts from the rounded plan-year figures × (1 + index_rate)^k."""
    out: dict[str, Units] = {c: {} for c in codes}
    for col in YEAR_KEYS:
        for fund in FUNDS:
            if col.startswith("forecast"):
                k = int(col[-1])
                base = {c: from_units(out[c].get(("plan", fund), 0), digits)
                        * (1 + index_rate) ** k for c in codes}
            else:
                base = {c: exact[col].get((c, fund), 0.0) for c in codes}
            for c, u in _round_lines(base, digits).items():
                out[c][(col, fund)] = u
    return out




def _apply_ceilings(full: dict[str, Units], ceilings: dict[tuple[str, str], int],
                    columns: tuple[AmountColumn, ...], kpkvk: str, digits: int
                    ) -> tuple[dict[str, Units], list[ExcessLine], list[Check]]:
    """Форма 20__-2's lines within each ceiling, the excess lines and the warnings."""
    within = {c: dict(v) for c, v in full.items()}
    excess: list[ExcessLine] = []
    checks: list[Check] = []
    year_of = {c.key: c.year for c in columns}
    for (fund, col), ceiling in sorted(ceilings.items()):
        lines = {c: full[c].get((col, fund), 0) for c in full}
        total = sum(lines.values())
        if total <= ceiling:
            continue
        where = (kpkvk, year_of[col], fund, digits)
        if 0 < ceiling and THOUSANDS[0] <= total / ceiling <= THOUSANDS[1]:
            checks.append(_ceiling_warning("ceiling_in_thousands", where, ceiling=ceiling,
                                           total=total))
        kept, over = split_to_ceiling(lines, ceiling)
        protected = sum(v for c, v in lines.items() if c in PROTECTED)
        if protected > ceiling:
            checks.append(_ceiling_warning("ceiling_below_protected", where, ceiling=ceiling,
                                           protected=protected))
        for c in sorted(full):
            within[c][(col, fund)] = kept[c]
            if over[c]:
                excess.append(ExcessLine(c, classifiers.kekv_name(c), fund, col,
                                         year_of[col], lines[c], kept[c], over[c]))
    return within, excess, checks


def _ceiling_warning(code: str, where: tuple[str, int, str, int], **amounts: int) -> Check:
    """A warning about one ceiling (КПКВК, year, fund), its amounts in units of ``digits``."""
    kpkvk, year, fund, digits = where
    return Check("warning", "tblCeilings", None, "amount", code, {
        "kpkvk": kpkvk, "year": year, "fund": fund,  # the code: each language names it
        **{k: from_units(v, digits) for k, v in amounts.items()}})


def _ceilings(df: pd.DataFrame, kpkvk: str, columns: tuple[AmountColumn, ...],
              digits: int) -> dict[tuple[str, str], int]:
    """(fund, column key) → ceiling of the plan and forecast years."""
    key_of = {c.year: c.key for c in columns if c.key in ("plan", "forecast1", "forecast2")}
    out: dict[tuple[str, str], int] = {}
    if df.empty:
        return out
    for code, fund, year, amount in zip(df["kpkvk"], df["fund"], df["year"], df["amount"],
                                        strict=True):
        col = key_of.get(int(year)) if not _blank(year) else None
        if code == kpkvk and col and not _blank(amount):
            key = (fund if fund in FUNDS else "general", col)
            out[key] = out.get(key, 0) + to_units(float(amount), digits)
    return out


def _rows(lines: dict[str, Units], digits: int) -> tuple[list[KekvRow], KekvRow]:
    rows = [KekvRow(c, classifiers.kekv_name(c), u, digits)
            for c, u in sorted(lines.items()) if any(u.values())]
    totals: Units = {}
    for r in rows:
        for k, v in r.units.items():
            totals[k] = totals.get(k, 0) + v
    return rows, KekvRow(None, "Усього", totals, digits)


def _table(kpkvk: str, rows: list[tuple[str, str, int, int]], digits: int, form: int
           ) -> pd.DataFrame:
    """``tblRequest``: (kekv, fund, year, units) → rows with amounts."""
    return pd.DataFrame([(kpkvk, k, f, y, from_units(u, digits), form)
                         for k, f, y, u in rows if u], columns=list(REQUEST_COLUMNS))


# --------------------------------------------------------------------------- directions

def attribute(total: int, weights: list[float]) -> list[int]:
    """``total`` over services by weight (largest remainder); equal shares when no
    service has a weight."""
    if not weights:
        return []
    if sum(w for w in weights if w > 0) <= 0:
        weights = [1.0] * len(weights)
    return allocate(total, [max(w, 0.0) for w in weights])


def _directions(services: pd.DataFrame, weights: dict[str, float], totals: Units,
                digits: int, fallback: str) -> list[Direction]:
    ids = [str(s) for s in services["service_id"]] if len(services) else []
    names = [str(n) for n in services["name"]] if len(services) else []
    if not ids:
        return [Direction(1, None, fallback, dict(totals), digits, 1.0)]
    w = [float(weights.get(i, 0.0)) for i in ids]
    per: list[Units] = [{} for _ in ids]
    for key, total in totals.items():
        for i, part in enumerate(attribute(total, w)):
            per[i][key] = part
    plan = sum(totals.get(("plan", f), 0) for f in FUNDS)
    out = []
    for i, (sid, name) in enumerate(zip(ids, names, strict=True)):
        mine = sum(per[i].get(("plan", f), 0) for f in FUNDS)
        out.append(Direction(i + 1, sid, name, per[i], digits,
                             mine / plan if plan else None))
    return out


# --------------------------------------------------------------------------- funding

def _funding(needs: pd.DataFrame, split: pd.DataFrame, digits: int
             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Section 10: the program's activities by year (totals, and activity by activity)."""
    ids = [str(a) for a in needs["activity_id"]] if len(needs) else []
    names = dict(zip(ids, (str(n) if not _blank(n) else "" for n in needs["name"]),
                     strict=True)) if ids else {}
    rows = split[split["activity_id"].astype(str).isin(set(ids)).to_numpy(dtype=bool)] \
        if len(split) else split
    cols = ["year", *_FUNDING_COLS]
    if rows.empty:
        return pd.DataFrame(columns=cols), pd.DataFrame(columns=["activity_id", "name", *cols])
    detail = rows.assign(year=rows["year"].astype(int),
                         activity_id=rows["activity_id"].astype(str))
    detail = detail.assign(name=detail["activity_id"].map(names).fillna(""))
    money = to_units_array(detail[list(_FUNDING_COLS)].to_numpy(dtype=float), digits)
    detail[list(_FUNDING_COLS)] = money / 10**digits
    detail = detail.sort_values(["year"], kind="stable")[["activity_id", "name", *cols]]
    by_year = detail.groupby("year", sort=True)[list(_FUNDING_COLS)].sum()
    by_year = pd.DataFrame(to_units_array(by_year.to_numpy(), digits) / 10**digits,
                           index=by_year.index, columns=by_year.columns).reset_index()
    return by_year[cols], detail.reset_index(drop=True)


TEXTS_PRINTED = ("goal", "tasks", "legal_basis")
"""tblPrograms' texts the request and the passport print in sections of their own."""


def texts_missing(texts: ProgramTexts, kpkvk: str) -> list[Check]:
    """A warning naming the program texts the documents would print empty (no tblPrograms
    row for the КПКВК, or blank cells): the form's goal, tasks and basis sections."""
    from koshtorys.core import schema

    t = schema.table("tblPrograms")
    blank = [t.column(k).header("uk") for k in TEXTS_PRINTED if not getattr(texts, k)]
    if not blank:
        return []
    return [Check("warning", "tblPrograms", None, None, "program_texts_missing",
                  {"kpkvk": kpkvk, "header": " / ".join(blank)})]


def _texts(programs: pd.DataFrame, kpkvk: str) -> ProgramTexts:
    if programs.empty:
        return ProgramTexts()
    hit = programs[programs["kpkvk"].astype(object) == kpkvk]
    if hit.empty:
        return ProgramTexts()
    r = hit.iloc[0]

    def text(key: str) -> str:
        v = r.get(key)
        return "" if _blank(v) else str(v).strip()

    return ProgramTexts(text("name"), text("goal"), text("tasks"), text("legal_basis"),
                        text("directions"))


# --------------------------------------------------------------------------- build

def build(inputs: RequestInputs, kpkvk: str | None) -> list[RequestDoc]:
    """The documents of :func:`~koshtorys.documents.request.build_requests`."""
    s = inputs.settings
    digits = int(s.rounding)
    programs = _programs(inputs)
    single = len(programs) == 1
    if kpkvk is not None:
        kpkvk = classifiers.pick_program(kpkvk, programs)  # 813104, or 3104, typed
        if kpkvk not in programs:
            raise KoshtorysError("unknown_program", kpkvk=kpkvk,
                                 known=", ".join(programs) or "—")
        programs = [kpkvk]
    columns = columns_of(s)
    plan_all = _frame(inputs.plan, "tblPlan")
    months = [m for m in schema.MONTHS if m in plan_all.columns]
    if len(plan_all):
        plan_all = plan_all.assign(_annual=plan_all[months].apply(
            pd.to_numeric, errors="coerce").fillna(0).sum(axis=1))
    history = _frame(inputs.history, "tblHistory")
    history = history[history["year"].map(
        lambda y: not _blank(y) and int(y) == s.plan_year - 2).to_numpy(dtype=bool)] \
        if len(history) else history
    of = {name: _splitter(df, single) for name, df in (
        ("plan", plan_all), ("history", history),
        ("cost", _frame(inputs.cost_by_kekv, "tblCostByKekv")),
        ("staff", _frame(inputs.staff, "tblStaff")),
        ("services", _frame(inputs.services, "tblServices")),
        ("needs", _frame(inputs.needs, "tblNeeds")))}
    unit_costs = _frame(inputs.unit_costs, "tblUnitCosts")
    weights = {str(i): (0.0 if _blank(t) else float(t))
               for i, t in zip(unit_costs["service_id"], unit_costs["total_cost"],
                               strict=True)}
    split = _frame(inputs.funding_split, "tblFundingSplit")
    texts = _frame(inputs.programs, "tblPrograms")
    ceilings = _frame(inputs.ceilings, "tblCeilings")
    docs = []
    for code in programs:
        plan, hist, cost = of["plan"](code), of["history"](code), of["cost"](code)
        exact = {"report": _sum_by(hist, hist["amount"]) if len(hist) else {},
                 "approved": _sum_by(plan, plan["_annual"]) if len(plan) else {},
                 "plan": _sum_by(cost, cost["amount"]) if len(cost) else {}}
        codes = sorted({k for per in exact.values() for (k, _f) in per})
        full = _expenditure(exact, codes, digits, s.index_rate)
        limits = _ceilings(ceilings, code, columns, digits)
        lines, excess, checks = _apply_ceilings(full, limits, columns, code, digits)
        rows, totals = _rows(lines, digits)
        expenditure: Units = {}
        for u in full.values():
            for k, v in u.items():
                expenditure[k] = expenditure.get(k, 0) + v
        texts_of = _texts(texts, code)
        checks += texts_missing(texts_of, code)
        services = of["services"](code)
        directions = _directions(services, weights, totals.units, digits,
                                 texts_of.directions or "Видатки на виконання бюджетної "
                                 "програми")
        staff = of["staff"](code)
        fte = float(pd.to_numeric(staff["fte"], errors="coerce").fillna(0).sum()) \
            if len(staff) else 0.0
        posts = {k: (round(fte, 2) if k in ("plan", "forecast1", "forecast2") and len(staff)
                     else None) for k in YEAR_KEYS}
        funding, funding_rows = _funding(of["needs"](code), split, digits)
        year_of = {c.key: c.year for c in columns}
        table = _table(code, [(r.kekv, f, year_of[col], r.units.get((col, f), 0))
                              for col in ("plan", "forecast1", "forecast2")
                              for r in rows for f in FUNDS], digits, 2)  # type: ignore[misc]
        doc = RequestDoc(
            s, code, classifiers.kpkvk_name(code),
            program_codes(s, code, texts_of.name or None), texts_of, columns, rows, totals,
            directions, [], posts, funding, funding_rows, table, expenditure, limits,
            None, checks)
        doc.indicators = indicators(doc, services)
        if excess:
            doc.additional = _additional(doc, excess, services, weights)
        docs.append(doc)
    return docs


def _additional(doc: RequestDoc, excess: list[ExcessLine], services: pd.DataFrame,
                weights: dict[str, float]) -> AdditionalRequest:
    """Форма 20__-3 of ``doc``: the excess lines, their table and the change of the
    plan-year indicators if the additional money is given."""
    table = _table(doc.kpkvk, [(e.kekv, e.fund, e.year, e.excess) for e in excess],
                   doc.digits, 3)
    within = sum(doc.totals.units.get(("plan", f), 0) for f in FUNDS)
    full = sum(doc.expenditure.get(("plan", f), 0) for f in FUNDS)
    d = doc.digits
    changes: list[tuple[str, str, str, Decimal | None, Decimal | None, int]] = [
        ("Обсяг видатків на виконання бюджетної програми", "грн", "розділ 6 / Форма -3",
         Decimal(from_units(within, d)), Decimal(from_units(full, d)), d)]
    ids = [str(i) for i in services["service_id"]] if len(services) else []
    w = [float(weights.get(i, 0.0)) for i in ids]
    parts_in, parts_full = attribute(within, w), attribute(full, w)
    n = sum(1 for u in services["planned_units"] if not _blank(u) and float(u) > 0) \
        if len(services) else 0
    for i, (_sid, name, unit, units) in enumerate(zip(
            ids, services["name"], services["unit"], services["planned_units"],
            strict=True)):
        if _blank(units) or float(units) <= 0:
            continue
        a, da = tied_per_unit(parts_in[i], d, float(units), n)
        b, db = tied_per_unit(parts_full[i], d, float(units), n)
        changes.append((f"{name}: середні витрати {per_one(unit)}", "грн",
                        "розрахунок: розділ 7 ÷ обсяг надання", a, b, max(da, db)))
    return AdditionalRequest(excess, dict(doc.ceilings), changes, table)

