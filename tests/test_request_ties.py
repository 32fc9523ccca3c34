"""Every figure of a request ties to another: sections 5, 6, 7 (and 10) give one total,
and Σ (per-unit figure × units) over a program's services equals its section-6 total of
each year to the hryvnia. The expectations are computed here from the inputs (Fraction,
Decimal, the SPEC's formulas) and from the written workbooks, not taken from the code.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from koshtorys import parts
from koshtorys.commands.request import request_inputs
from koshtorys.core.book import MemoryBook
from koshtorys.documents.request import build_requests
from koshtorys.documents.request_sheet import write_requests
from koshtorys.samples import VARIANTS, sample_frames

YEARS = ("report", "approved", "plan", "forecast1", "forecast2")


def _docs(frames: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    result = parts.evaluate(MemoryBook.from_frames(frames))
    return result, build_requests(request_inputs(result))


def _hryvnias(x: Fraction | Decimal) -> int:
    """``x`` rounded to whole units, half away from zero (x ≥ 0 here)."""
    d = x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator)
    return int(d.quantize(Decimal(1), ROUND_HALF_UP))


def _check_ties(doc, frames: dict[str, pd.DataFrame], unit_costs: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    digits = doc.digits
    scale = 10**digits
    total = {k: round(doc.totals.amount(k, "total") * scale) for k in YEARS}
    # section 6: lines add up to the totals row
    for k in YEARS:
        assert sum(round(r.amount(k, "total") * scale) for r in doc.rows) == total[k]
    # section 7: the directions add up to section 6, each its proportional share ± 1
    services = frames["tblServices"]
    mine = services[services["kpkvk"] == doc.kpkvk] if services["kpkvk"].nunique() > 1 \
        else services
    for k in YEARS:
        for fund in ("general", "special", "total"):
            got = sum(round(d.amount(k, fund) * scale) for d in doc.directions)
            assert got == round(doc.totals.amount(k, fund) * scale), (k, fund)
    weight = {str(s): Fraction(str(t)) for s, t in zip(unit_costs["service_id"],
                                                       unit_costs["total_cost"], strict=True)}
    ids = [str(s) for s in mine["service_id"]]
    wsum = sum(weight.get(i, Fraction(0)) for i in ids)
    if ids and wsum > 0:  # each fund's column is attributed on its own
        for fund in ("general", "special"):
            whole = round(doc.totals.amount("plan", fund) * scale)
            for d in doc.directions:
                exact = Fraction(whole) * weight.get(d.service_id, 0) / wsum
                assert abs(round(d.amount("plan", fund) * scale) - exact) < 1
    # section 8: Σ per-unit × units = section 6 of each year where every service has it
    per_unit = {i.service_id: i for i in doc.indicators if i.measure == "per_unit"}
    units_of = {i.service_id: i for i in doc.indicators if i.measure == "units"}
    for k in YEARS:
        figures = [(per_unit[s].values.get(k), units_of[s].values.get(k)) for s in ids
                   if s in per_unit]
        if not figures or any(f is None or u is None for f, u in figures):
            continue
        products = [Decimal(f) * Decimal(u) for f, u in figures]
        assert _hryvnias(sum(products) * scale) == total[k], (doc.kpkvk, k)
        parts_ = {d.service_id: round(d.amount(k, "total") * scale) for d in doc.directions}
        for (s, (f, u)) in zip([s for s in ids if s in per_unit], figures, strict=True):
            assert _hryvnias(Decimal(f) * Decimal(u) * scale) == parts_[s]


@pytest.mark.parametrize("variant", VARIANTS)
def test_samples_tie_in_every_section(variant: str) -> None:
    frames = sample_frames(variant)
    result, docs = _docs(frames)
    assert docs
    costs = result.outputs["tblCostByKekv"]
    for doc in docs:
        _check_ties(doc, frames, result.outputs["tblUnitCosts"])
        # section 6's plan year is the program's tblCostByKekv, rounded once
        spent = Fraction(0)
        for a in costs[costs["kpkvk"] == doc.kpkvk]["amount"]:
            spent += Fraction(str(a))
        full = round(sum(doc.expenditure.get(("plan", f), 0) for f in ("general", "special")))
        assert full == _hryvnias(spent)
        # section 10: the program's activities need exactly what section 6 spends
        plan_need = doc.funding[doc.funding["year"] == doc.plan_year]["need"].sum()
        assert plan_need == full, doc.kpkvk
        if doc.additional is None:
            assert doc.totals.amount("plan", "total") == full


def _sheet_totals(path: Path) -> list[list[float]]:
    """The amounts of every «УСЬОГО» row of the printed form, as laid out."""
    ws = load_workbook(path)["Запит"]
    out = []
    for row in ws.iter_rows():
        if row[1].value == "УСЬОГО":
            out.append([c.value for c in row[2:11] if isinstance(c.value, int | float)])
    return out


@pytest.mark.parametrize("variant", VARIANTS)
def test_written_sections_five_six_seven_agree(variant: str, tmp_path: Path) -> None:
    frames = sample_frames(variant)
    _result, docs = _docs(frames)
    files = write_requests(docs, tmp_path)
    for doc in docs:
        rows = _sheet_totals(tmp_path / doc.file_name)
        three = [r for r in rows if len(r) == 9]
        two = [r for r in rows if len(r) == 6]
        assert len(three) == 3 and len(two) == 3  # 5.1, 6.1, 7.1 and 5.2, 6.3, 7.2
        assert three[0] == three[1] == three[2] and two[0] == two[1] == two[2]
        assert three[0][8] == doc.totals.amount("plan", "total")
        ws = load_workbook(tmp_path / doc.file_name)["Запит"]
        need = [r[2].value for r in ws.iter_rows()
                if r[1].value == f"Разом за {doc.plan_year} рік"]
        if doc.additional is None:
            assert need == [three[0][8]]  # section 10's plan year
    assert all(p.exists() for p in files)


# --------------------------------------------------------------------------- generated

_UNITS = ("година", "відвідування", "консультація", "ліжко-день", "кейс")


@st.composite
def workbooks(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """A small institution: one or two programs, 1–4 services each, staff and costs."""
    base = sample_frames("kropyvnytskyi")
    programs = draw(st.lists(st.sampled_from(["0813104", "0813121", "0813105"]),
                             min_size=1, max_size=2, unique=True))
    services, staff, time, costs = [], [], [], []
    n = 0
    for code in programs:
        for _ in range(draw(st.integers(1, 4))):
            n += 1
            sid = f"S{n}"
            units = draw(st.one_of(st.integers(1, 90_000).map(float),
                                   st.decimals(min_value="0.5", max_value="5000", places=1)
                                   .map(float)))
            actual = draw(st.one_of(st.none(), st.integers(1, 90_000).map(float)))
            services.append((sid, f"Послуга {n}", draw(st.sampled_from(_UNITS)), units,
                             float(draw(st.integers(0, 3000))), code, actual,
                             None if actual is None else 10.0))
            pid = f"P{n}"
            staff.append((pid, "Фахівець", "direct",
                          float(draw(st.sampled_from([0.5, 1, 2, 3.5]))),
                          float(draw(st.integers(8647, 40000))), 12, code))
            time.append((pid, sid, float(draw(st.sampled_from([0.3, 0.6, 1.0])))))
            costs.append(("2210", "Матеріали", float(draw(st.integers(0, 500_000))), sid,
                          code, "general"))
        costs.append(("2240", "Послуги", float(draw(st.integers(0, 2_000_000))) + 0.37, None,
                      code, draw(st.sampled_from(["general", "special"]))))
    staff.append(("D1", "Директор", "indirect", 1.0, 25000.0, 12, programs[0]))
    cols = {t: list(base[t].columns) for t in ("tblServices", "tblStaff", "tblTime",
                                               "tblCosts")}
    settings = base["tblSettings"].copy()
    settings.loc[settings["key"] == "index_rate", "value"] = draw(
        st.sampled_from([0.0, 0.05, 0.1234]))
    return {"tblSettings": settings,
            "tblServices": pd.DataFrame(services, columns=cols["tblServices"]),
            "tblStaff": pd.DataFrame(staff, columns=cols["tblStaff"]),
            "tblTime": pd.DataFrame(time, columns=cols["tblTime"]),
            "tblCosts": pd.DataFrame(costs, columns=cols["tblCosts"]),
            "tblPlan": base["tblPlan"], "tblActuals": base["tblActuals"]}


@given(frames=workbooks())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_generated_workbooks_tie(frames: dict[str, pd.DataFrame]) -> None:
    result, docs = _docs(frames)
    staff = frames["tblStaff"]
    costs = frames["tblCosts"]
    for doc in docs:
        _check_ties(doc, frames, result.outputs["tblUnitCosts"])
        # the plan year from the SPEC's formulas: payroll × (1 + ЄСВ) + costs of the program
        labor = sum(Fraction(str(f)) * Fraction(str(p)) * 12 * Fraction("1.22")
                    for f, p, code in zip(staff["fte"], staff["monthly_pay"], staff["kpkvk"],
                                          strict=True) if code == doc.kpkvk)
        other = {fund: sum(Fraction(str(a)) for a, code, f in zip(
            costs["amount"], costs["kpkvk"], costs["fund"], strict=True)
            if code == doc.kpkvk and f == fund) for fund in ("general", "special")}
        # each fund's column is rounded as a whole (payroll is general fund)
        assert doc.totals.amount("plan", "general") == _hryvnias(labor + other["general"])
        assert doc.totals.amount("plan", "special") == _hryvnias(Fraction(other["special"]))
