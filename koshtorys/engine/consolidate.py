"""Many institutions' tables as one set of tables: frames in, frames out.

Pure: the command reads each file, the conversion stage types the stacked cells, and
this module only declares the consolidated tables and computes what is new in them —
funding summed per year across institutions, and the finance department's view of the
received budget requests against the ceilings it set. It opens no file.

The consolidated program tables are the output tables flagged ``consolidate`` in the
schema, each with the institution's name, ЄДРПОУ and file in front.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from koshtorys.core import schema
from koshtorys.core.money import from_units, to_units_array

__all__ = ["ID_COLUMNS", "PROGRAM_TABLES", "SOURCE_OF", "REQUEST", "REQUEST_INFO",
           "INFO_FIELDS", "CONS_REQUESTS", "CONS_CEILINGS", "CONS_FUNDING_TOTALS",
           "CONS_FILES", "TABLES", "table", "funding_totals", "against_ceilings",
           "consolidate"]

C = schema.Column
MONEY = schema.MONEY

ID_COLUMNS: tuple[schema.Column, ...] = (
    C("institution", "Установа", "text", width=50),
    C("edrpou", "ЄДРПОУ", "code", width=10),
    C("source_file", "Файл", "text", width=26),
)
"""In front of every consolidated row: whose it is and which file it came from."""


def _consolidated(t: schema.Table) -> schema.Table:
    return schema.Table(t.consolidate, t.sheet_uk, t.sheet_en, ID_COLUMNS + t.columns,
                        "output", t.title_uk, t.title_en)


PROGRAM_TABLES: tuple[schema.Table, ...] = tuple(
    _consolidated(t) for t in schema.OUTPUT_TABLES if t.consolidate)
"""tblConsVariance, tblConsFunding, tblConsCostByKekv … (one per flagged output table)."""
SOURCE_OF: dict[str, schema.Table] = {
    t.consolidate: t for t in schema.OUTPUT_TABLES if t.consolidate}
"""Consolidated table name → the program workbook's table it stacks."""

_CODES = (C("kpkvk", "КПКВК", "code", required=True, width=11),
          C("kekv", "КЕКВ", "code", required=True, width=8),
          C("fund", "Фонд", "enum", enum="fund", default="general", width=12))

REQUEST = schema.Table(
    "tblRequest", "Дані", "Data",
    _CODES + (C("year", "Рік", "year", required=True, width=8),
              C("amount", "Сума", "money", required=True, fmt=MONEY),
              C("form", "Форма", "int", default=2, min=2, max=3, width=7)),
    "output", "Бюджетний запит (машиночитна таблиця)", "Budget request (machine table)")
"""The machine-readable table of a request file (SPEC: the request's «Дані» sheet)."""
REQUEST_INFO = schema.Table(
    "tblRequestInfo", "Дані", "Data",
    (C("key", "key", "text", required=True), C("value", "value", "text")),
    "output", "Що і чиє", "What and whose", keys=("key",))
INFO_FIELDS: tuple[schema.Column, ...] = (
    C("institution", "Установа", "text"), C("edrpou", "ЄДРПОУ", "code"),
    C("kpkvk", "КПКВК", "code"), C("kpkvk_name", "Назва програми", "text"),
    C("plan_year", "Плановий рік", "year"), C("form", "Форма", "int", min=2, max=3),
    C("rounding", "Округлення", "int", min=0, max=2),
    C("ceiling_general", "Граничний обсяг (загальний фонд)", "money", min=0),
    C("ceiling_special", "Граничний обсяг (спеціальний фонд)", "money", min=0),
)
"""The keys of tblRequestInfo consolidation reads, each with its kind."""

CONS_REQUESTS = schema.Table(
    "tblConsRequests", "Запити", "Requests",
    ID_COLUMNS + _CODES[:2] + (
        C("fund", "Фонд", "enum", enum="fund", width=12),
        C("year", "Рік", "year", width=8), C("form", "Форма", "int", width=7),
        C("amount", "Сума", "money", fmt=MONEY)),
    "output", "Бюджетні запити установ", "Budget requests received")
CONS_CEILINGS = schema.Table(
    "tblConsCeilings", "Граничні обсяги", "Ceilings",
    ID_COLUMNS[:2] + (
        C("kpkvk", "КПКВК", "code", width=11), C("kpkvk_name", "Назва програми", "text",
                                                 width=40),
        C("fund", "Фонд", "enum", enum="fund", width=12), C("year", "Рік", "year", width=8),
        C("requested", "У межах граничного обсягу (форма 2)", "money", fmt=MONEY),
        C("additional", "Додаткова потреба (форма 3)", "money", fmt=MONEY),
        C("total", "Разом запитано", "money", fmt=MONEY),
        C("ceiling", "Граничний обсяг", "money", fmt=MONEY),
        C("excess", "Понад граничний обсяг", "money", fmt=MONEY)),
    "output", "Запити проти граничних обсягів", "Requests against the ceilings")
CONS_FUNDING_TOTALS = schema.Table(
    "tblConsFundingTotals", "Фінансування (усього)", "FundingTotals",
    (C("year", "Рік", "year", width=8),)
    + tuple(c for c in schema.table("tblFundingSummary").columns if c.kind == "money"),
    "output", "Фінансування всіх установ за роками", "Funding of all institutions by year")
CONS_FILES = schema.Table(
    "tblConsFiles", "Файли", "Files",
    (C("file", "Файл", "text", width=30), C("kind", "Вид", "text", width=14),
     C("institution", "Установа", "text", width=50), C("edrpou", "ЄДРПОУ", "code", width=10),
     C("status", "Стан", "text", width=12), C("message", "Повідомлення", "text", width=90)),
    "output", "Прочитані файли", "Files read")

TABLES: tuple[schema.Table, ...] = (*PROGRAM_TABLES, CONS_FUNDING_TOTALS, CONS_REQUESTS,
                                    CONS_CEILINGS, CONS_FILES)
"""Every table of the consolidation, in the order they are written."""
_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> schema.Table:
    """The consolidated table ``name`` (e.g. ``tblConsCeilings``)."""
    return _BY_NAME[name]


def _empty(t: schema.Table) -> pd.DataFrame:
    return pd.DataFrame({k: pd.Series(dtype=object) for k in t.column_keys})


def _units(s: pd.Series) -> np.ndarray:
    """Money to whole kopiykas (a blank is 0)."""
    return to_units_array(pd.to_numeric(s, errors="coerce").fillna(0.0).to_numpy(float))


def funding_totals(funding: pd.DataFrame) -> pd.DataFrame:
    """tblConsFundingTotals: Σ per year across institutions, exact to the kopiyka. The
    NPV rows are left out: each institution may discount at its own rate."""
    t = CONS_FUNDING_TOTALS
    money = [k for k in t.column_keys if k != "year"]
    if funding.empty:
        return _empty(t)
    years = funding["year"].map(lambda y: int(y) if str(y).strip().isdigit() else None)
    rows = funding[years.notna()]
    if rows.empty:
        return _empty(t)
    units = pd.DataFrame({c: _units(rows[c]) for c in money}, index=rows.index)
    units["year"] = years[rows.index].astype(int)
    sums = units.groupby("year", sort=True).sum()
    out = pd.DataFrame({"year": sums.index.to_numpy()})
    for c in money:
        out[c] = [from_units(int(u)) for u in sums[c]]
    return out[t.column_keys]


def against_ceilings(requests: pd.DataFrame, info: pd.DataFrame) -> pd.DataFrame:
    """tblConsCeilings: per institution, КПКВК and fund of the plan year, what was asked
    within the ceiling (form 2), in addition (form 3), the ceiling and the excess.

    ``info`` has one row per request file (source_file, institution, edrpou, kpkvk,
    kpkvk_name, plan_year, ceiling_general, ceiling_special). The excess is
    total − ceiling where the total passes the ceiling (that is Σ form 3 when form 2
    fills the ceiling exactly, as SPEC has it), 0 within it, blank without a ceiling.
    """
    t = CONS_CEILINGS
    if info.empty:
        return _empty(t)
    plan_year = dict(zip(info["source_file"], info["plan_year"], strict=True))
    req = requests.loc[np.array([plan_year.get(f) is not None and y == plan_year.get(f)
                                 for f, y in zip(requests["source_file"], requests["year"],
                                                 strict=True)], dtype=bool)]
    key = ["edrpou", "kpkvk", "fund"]
    lines: dict[tuple[object, ...], dict[str, int]] = {}
    for (edrpou, kpkvk, fund, form), units in zip(
            zip(req["edrpou"], req["kpkvk"], req["fund"], req["form"], strict=True),
            _units(req["amount"]), strict=True):
        slot = lines.setdefault((edrpou, kpkvk, fund), {"requested": 0, "additional": 0})
        slot["additional" if form == 3 else "requested"] += int(units)
    about: dict[tuple[object, object], dict[str, object]] = {}
    ceilings: dict[tuple[object, ...], int] = {}
    # form 2 files first: their ceiling and names win over an additional request's
    for r in info.sort_values("form", kind="stable", na_position="first").itertuples():
        prog = (r.edrpou, r.kpkvk)
        about.setdefault(prog, {"institution": r.institution, "kpkvk_name": r.kpkvk_name,
                                "year": r.plan_year})
        for fund in schema.ENUMS["fund"]:
            v = getattr(r, f"ceiling_{fund}")
            if v is not None and v == v:
                ceilings.setdefault((*prog, fund), int(_units(pd.Series([v]))[0]))
                lines.setdefault((*prog, fund), {"requested": 0, "additional": 0})
    rows = []
    for k in sorted(lines, key=lambda k: tuple(str(x) for x in k)):
        edrpou, kpkvk, fund = k
        slot, ceiling = lines[k], ceilings.get(k)
        total = slot["requested"] + slot["additional"]
        meta = about.get((edrpou, kpkvk), {})
        rows.append({
            "institution": meta.get("institution"), "edrpou": edrpou, "kpkvk": kpkvk,
            "kpkvk_name": meta.get("kpkvk_name"), "fund": fund, "year": meta.get("year"),
            "requested": from_units(slot["requested"]),
            "additional": from_units(slot["additional"]), "total": from_units(total),
            "ceiling": None if ceiling is None else from_units(ceiling),
            "excess": None if ceiling is None else from_units(max(total - ceiling, 0))})
    out = pd.DataFrame.from_records(rows, columns=t.column_keys)
    for c in ("ceiling", "excess"):  # blank without a ceiling, never NaN taken for a sum
        out[c] = pd.Series([v for v in out[c]], dtype=object).where(out[c].notna(), None)
    return out.sort_values(["institution", *key], kind="stable", key=lambda s: s.astype(str)
                           ).reset_index(drop=True)


def consolidate(frames: Mapping[str, pd.DataFrame], request_info: pd.DataFrame,
                files: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every consolidated table from the stacked, typed ones (by consolidated name):
    the stacked tables as they are, the funding totals and the ceilings added."""
    out: dict[str, pd.DataFrame] = {}
    for t in PROGRAM_TABLES:
        out[t.name] = frames.get(t.name, _empty(t))
    funding = next((n for n, s in SOURCE_OF.items() if s.name == "tblFundingSummary"), None)
    out[CONS_FUNDING_TOTALS.name] = funding_totals(out[funding]) if funding else \
        _empty(CONS_FUNDING_TOTALS)
    requests = frames.get(CONS_REQUESTS.name, _empty(CONS_REQUESTS))
    out[CONS_REQUESTS.name] = requests
    out[CONS_CEILINGS.name] = against_ceilings(requests, request_info)
    out[CONS_FILES.name] = files
    return out
