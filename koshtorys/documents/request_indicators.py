"""Section 8 of the request: performance indicators over the five year columns.

* затрат — the program's expenditure (section 6), posts (Σ fte), services run;
* продукту — recipients and volume of each service: the execution year from
  ``actual_units`` / ``actual_recipients`` (what was delivered), the plan year and both
  forecast years from the plan (the forecasts keep the plan year's volume: only the
  amounts grow by index_rate); the звіт year's volumes are not in the workbook;
* ефективності — the service's part of the program's expenditure (section 7) per unit
  (in a year for which every service of the program has its volume, so the tie below
  holds wherever the figures are printed) and per recipient;
* якості — the change of recipients and of volume against the column before, where both
  are known; shown when the plan year's change is known (the execution year's actual
  volumes are in tblServices), never as a row of zeros of the forecast years alone.

The tie: for each year, Σ over services of (per-unit figure × units) equals the section-6
total to the hryvnia. A per-unit figure is printed with the fewest decimals (at least
two) for which its product with the units is within half a hryvnia ÷ the number of
services of the attributed amount (:func:`tied_per_unit`), so every product rounds to
its service's part and the sum to the total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pandas as pd

from koshtorys.core.money import from_units

from .request_model import FUNDS, YEAR_KEYS, Indicator
from .units import count_unit, per_one

if TYPE_CHECKING:
    from .request_model import RequestDoc

__all__ = ["indicators", "tied_per_unit"]

_MAX_DECIMALS = 12


def _exact(value: float) -> Fraction:
    return Fraction(Decimal(repr(float(value))))


def tied_per_unit(amount: int, digits: int, units: float, services: int = 1
                  ) -> tuple[Decimal, int]:
    """The per-unit figure of ``amount`` (units of 10**-digits) over ``units``, and its
    decimals: the fewest (≥ 2) for which figure × units is within
    ½ × 10**-digits ÷ ``services`` of the amount.

    >>> tied_per_unit(673024, 0, 7400)
    (Decimal('90.9492'), 4)
    >>> tied_per_unit(249744, 0, 2064)
    (Decimal('121.00'), 2)
    """
    target = Fraction(amount, 10**digits)
    u = _exact(units)
    limit = Fraction(1, 2 * max(services, 1) * 10**digits)
    exact = target / u
    for d in range(2, _MAX_DECIMALS + 1):
        scaled = exact * 10**d
        whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
        figure = Fraction(whole, 10**d)
        if abs(figure * u - target) < limit or d == _MAX_DECIMALS:
            return Decimal(whole).scaleb(-d), d
    raise AssertionError("unreachable")


def _dec(x: float | None, places: int) -> Decimal | None:
    if x is None:
        return None
    return Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _num(v: object) -> float | None:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if x != x else x


def _places(x: float | None) -> int:
    """Decimals a count shows: none for whole numbers, else up to 2."""
    return 0 if x is None or float(x).is_integer() else 2


def indicators(doc: RequestDoc, services: pd.DataFrame) -> list[Indicator]:
    """Section 8 of ``doc`` (whose sections 6, 7 and 9 are already made)."""
    d = doc.digits
    years = {c.key: c.year for c in doc.columns}
    out: list[Indicator] = []

    def add(group: str, name: str, unit: str, source: str,
            values: dict[str, Decimal | None], decimals: dict[str, int], measure: str,
            service_id: str | None = None) -> None:
        n = {"затрат": 1, "продукту": 2, "ефективності": 3, "якості": 4}[group]
        count = sum(1 for i in out if i.group == group)
        out.append(Indicator(group, f"{n}.{count + 1}", name, unit, source, values,
                             decimals, measure, service_id))

    total = {k: sum(doc.totals.units.get((k, f), 0) for f in FUNDS) for k in YEAR_KEYS}
    add("затрат", "Обсяг видатків на виконання бюджетної програми", "грн",
        "кошторис; розділ 6 запиту",
        {k: Decimal(from_units(v, d)).quantize(Decimal(1).scaleb(-d)) for k, v in total.items()},
        dict.fromkeys(YEAR_KEYS, d), "expenditure")
    add("затрат", "Кількість штатних одиниць", "од.", "штатний розпис на плановий рік",
        {k: _dec(v, 2) for k, v in doc.posts.items()}, dict.fromkeys(YEAR_KEYS, 2), "posts")
    if len(services):
        add("затрат", "Кількість видів соціальних послуг", "од.", "перелік послуг установи",
            {k: (Decimal(len(services)) if k in ("plan", "forecast1", "forecast2") else None)
             for k in YEAR_KEYS}, dict.fromkeys(YEAR_KEYS, 0), "services")
    rows = services.to_dict("records") if len(services) else []
    volume: dict[str, dict[str, dict[str, float | None]]] = {}
    for sv in rows:
        sid = str(sv["service_id"])
        vol = {}
        for what, planned, actual in (("units", "planned_units", "actual_units"),
                                      ("recipients", "planned_recipients",
                                       "actual_recipients")):
            p, a = _num(sv.get(planned)), _num(sv.get(actual))
            vol[what] = {"report": None, "approved": a, "plan": p, "forecast1": p,
                         "forecast2": p}
        volume[sid] = vol
    ex = years["approved"]
    for sv in rows:
        sid, name, unit = str(sv["service_id"]), str(sv["name"]), sv["unit"]
        v = volume[sid]
        for what, label, shown_unit in (("recipients", "кількість отримувачів", "осіб"),
                                        ("units", "обсяг надання", count_unit(unit))):
            known = [k for k in YEAR_KEYS if v[what][k] is not None]
            source = "; ".join(part for part in (
                f"звіт установи за {ex} рік" if "approved" in known else "",
                "план надання послуг" if "plan" in known else "") if part)
            add("продукту", f"{name}: {label}", shown_unit, source or "—",
                {k: _dec(x, _places(x)) for k, x in v[what].items()},
                {k: _places(x) for k, x in v[what].items()}, what, sid)
    # ефективності: the service's share of the program's expenditure per unit, per recipient
    per_service = {dr.service_id: dr for dr in doc.directions if dr.service_id}
    counts = {k: sum(1 for sv in rows if (volume[str(sv["service_id"])]["units"][k] or 0) > 0)
              for k in YEAR_KEYS}
    for sv in rows:
        sid, name, unit = str(sv["service_id"]), str(sv["name"]), sv["unit"]
        dr = per_service.get(sid)
        if dr is None:
            continue
        part = {k: sum(dr.units.get((k, f), 0) for f in FUNDS) for k in YEAR_KEYS}
        vals: dict[str, Decimal | None] = {}
        places: dict[str, int] = {}
        for k in YEAR_KEYS:
            u = volume[sid]["units"][k]
            if u and u > 0 and counts[k] == len(rows):  # a year every service has volumes
                vals[k], places[k] = tied_per_unit(part[k], d, u, counts[k])
            else:
                vals[k], places[k] = None, 2
        add("ефективності", f"{name}: середні витрати {per_one(unit)}", "грн",
            "розрахунок: розділ 7 ÷ обсяг надання", vals, places, "per_unit", sid)
        per_r: dict[str, Decimal | None] = {}
        for k in YEAR_KEYS:
            r = volume[sid]["recipients"][k]
            per_r[k] = _dec(from_units(part[k], d) / r, 2) if r and r > 0 else None
        if any(x is not None for x in per_r.values()):
            add("ефективності", f"{name}: середні витрати на одного отримувача", "грн",
                "розрахунок: розділ 7 ÷ кількість отримувачів", per_r,
                dict.fromkeys(YEAR_KEYS, 2), "per_recipient", sid)
    for sv in rows:
        sid, name = str(sv["service_id"]), str(sv["name"])
        for what, label in (("recipients", "кількості отримувачів"),
                            ("units", "обсягу надання")):
            series = volume[sid][what]
            change: dict[str, Decimal | None] = {}
            for prev, cur in zip(YEAR_KEYS, YEAR_KEYS[1:], strict=False):
                a, b = series[prev], series[cur]
                change[cur] = _dec((b / a - 1) * 100, 1) if a and b is not None else None
            change["report"] = None
            if change["plan"] is not None:  # known only with the execution year's actuals
                add("якості", f"{name}: зміна {label} порівняно з попереднім роком", "%",
                    "розрахунок", change, dict.fromkeys(YEAR_KEYS, 1),
                    f"{what}_change", sid)
    return out
