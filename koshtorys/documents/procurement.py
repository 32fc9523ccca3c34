"""The justification of a Prozorro purchase of one service, as data (Cabinet resolution
No. 710 of 11.10.2016, clause 4¹: technical and quality characteristics, the size of the
budget allocation, the expected value).

The expected value is the cost method: the service's tariff from its calculation
(:mod:`.tariff`) × the volume bought, in whole hryvnias. The allocation it fits in is
the plan-year amount of the program under КЕКВ 2240 (purchased services) exactly as
the budget request prints it (:func:`koshtorys.documents.request.build_requests`).
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources

import pandas as pd

from koshtorys.core import classifiers
from koshtorys.core.checks import Check
from koshtorys.core.money import from_units
from koshtorys.core.settings import Settings

from .formsheet import blank
from .request import RequestInputs, build_requests
from .tariff import TABLE_COLUMNS, TariffDoc

__all__ = ["PURCHASE_KEKV", "DkCode", "dk_codes", "ProcurementDoc", "build_procurement",
           "procurement_file_name", "expected_value"]

PURCHASE_KEKV = "2240"
"""Оплата послуг (крім комунальних): the article a purchased service is paid from."""


@dataclass(frozen=True)
class DkCode:
    """A code of the single procurement vocabulary ДК 021:2015."""

    code: str
    name: str


@functools.cache
def _dk_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("koshtorys").joinpath("data", "dk021.csv").read_text("utf-8")
    return tuple(csv.DictReader(text.splitlines()))


def dk_codes(name: str, unit: str) -> tuple[DkCode, DkCode]:
    """The class code of the purchase (the subject is set at class level) and the detail
    code that suits the service: *with* accommodation when its unit or name says so
    (ліжко-день, стаціонарний …), else *without* (``koshtorys/data/dk021.csv``).

    >>> [c.code for c in dk_codes("Соціальна профілактика", "людино-година")]
    ['85310000-5', '85312000-9']
    >>> dk_codes("Догляд стаціонарний", "ліжко-день")[1].code
    '85311000-2'
    """
    rows = _dk_rows()
    cls = next(r for r in rows if r["role"] == "class")
    text = f"{name} {unit}".casefold()
    detail = next((r for r in rows if r["role"] == "detail" and r["match"]
                   and any(m and m.casefold() in text for m in r["match"].split("|"))),
                  next(r for r in rows if r["role"] == "detail" and not r["match"]))
    return DkCode(cls["code"], cls["name_uk"]), DkCode(detail["code"], detail["name_uk"])


def procurement_file_name(plan_year: int, service_id: str) -> str:
    """``procurement_2026_SP01.xlsx``."""
    from koshtorys.core.fileio import name_part

    return f"procurement_{plan_year}_{name_part(service_id)}.xlsx"


def expected_value(unit_tariff_kop: int, units: float) -> int:
    """Tariff (kopiykas) × volume in whole hryvnias, half away from zero.

    >>> expected_value(12100, 2064), expected_value(83333, 3)
    (249744, 2500)
    """
    exact = Decimal(unit_tariff_kop) * Decimal(repr(float(units))) / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class ProcurementDoc:
    """The content of one justification; the tariff in kopiykas, the rest in hryvnias."""

    settings: Settings
    service_id: str
    name: str
    unit: str
    kpkvk: str
    kpkvk_name: str
    units: float
    recipients: float
    unit_tariff: int
    expected: int
    dk_class: DkCode
    dk_detail: DkCode
    allocation: dict[str, float]
    """general, special, total: the program's plan-year amount under КЕКВ 2240."""
    program_total: float
    """The program's whole plan-year expenditure."""
    tariff_file: str
    kekv: str = PURCHASE_KEKV
    table: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def plan_year(self) -> int:
        return self.settings.plan_year

    @property
    def file_name(self) -> str:
        return procurement_file_name(self.plan_year, self.service_id)

    @property
    def kekv_name(self) -> str:
        return classifiers.kekv_name(self.kekv) or ""


def _program_of(tariff: TariffDoc, cost_by_kekv: pd.DataFrame) -> str:
    """The service's КПКВК; the only program of the institution when it has none."""
    if tariff.kpkvk:
        return tariff.kpkvk
    codes = {str(k) for k in cost_by_kekv.get("kpkvk", []) if not blank(k)}
    return codes.pop() if len(codes) == 1 else ""


def _allocation(settings: Settings, cost_by_kekv: pd.DataFrame, kpkvk: str, kekv: str
                ) -> tuple[dict[str, float], float]:
    """The plan-year amounts the request prints for ``kpkvk``: under ``kekv`` by fund, and
    the program's total."""
    zero = {"general": 0.0, "special": 0.0, "total": 0.0}
    if not kpkvk or cost_by_kekv.empty:
        return zero, 0.0
    docs = build_requests(RequestInputs(settings, cost_by_kekv=cost_by_kekv))
    doc = next((d for d in docs if d.kpkvk == kpkvk), None)
    if doc is None:
        return zero, 0.0
    row = next((r for r in doc.rows if r.kekv == kekv), None)
    alloc = {f: (row.amount("plan", f) if row else 0.0) for f in zero}
    return alloc, doc.totals.amount("plan", "total")


def build_procurement(tariff: TariffDoc, cost_by_kekv: pd.DataFrame,
                      units: float | None = None) -> tuple[ProcurementDoc, list[Check]]:
    """The justification of buying ``units`` (default: the planned volume) of the service
    of ``tariff``, and the warnings when the allocation does not cover it."""
    s = tariff.settings
    volume = float(units) if units is not None else tariff.units
    kpkvk = _program_of(tariff, cost_by_kekv)
    alloc, program_total = _allocation(s, cost_by_kekv, kpkvk, PURCHASE_KEKV)
    dk_class, dk_detail = dk_codes(tariff.name, tariff.unit)
    doc = ProcurementDoc(
        s, tariff.service_id, tariff.name, tariff.unit, kpkvk,
        classifiers.kpkvk_name(kpkvk) or "" if kpkvk else "", volume, tariff.recipients,
        tariff.unit_tariff, expected_value(tariff.unit_tariff, volume), dk_class, dk_detail,
        alloc, program_total, tariff.file_name,
    )
    doc.table = _table(doc)
    params = {"kpkvk": kpkvk or "—", "year": s.plan_year, "kekv": PURCHASE_KEKV,
              "value": tariff.service_id, "expected": float(doc.expected),
              "allocation": float(alloc["total"])}
    checks: list[Check] = []
    if alloc["total"] <= 0:
        checks.append(Check("warning", "tblCostByKekv", None, None,
                            "procurement_no_allocation", params))
    elif doc.expected > alloc["total"]:
        checks.append(Check("warning", "tblCostByKekv", None, None,
                            "procurement_over_allocation", params))
    return doc, checks


def _table(d: ProcurementDoc) -> pd.DataFrame:
    """``tblProcurement``: section, item, year, amount."""
    y = d.plan_year
    rows = [("subject", "units", y, d.units), ("subject", "recipients", y, d.recipients),
            ("expected", "unit_tariff", y, from_units(d.unit_tariff)),
            ("expected", "units", y, d.units),
            ("expected", "expected_value", y, float(d.expected))]
    rows += [("allocation", f"kekv_{d.kekv}:{f}", y, d.allocation[f])
             for f in ("general", "special", "total")]
    rows.append(("allocation", "program:total", y, d.program_total))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))
