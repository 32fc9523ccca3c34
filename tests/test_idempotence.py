"""Refreshing twice changes nothing, for any inputs (hypothesis, real files)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshtorys.commands import refresh as commands_refresh
from koshtorys.core import schema
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.template import build_workbook

money = st.decimals(min_value=0, max_value=500_000, places=2).map(float)


@st.composite
def institution(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    n_serv = draw(st.integers(1, 4))
    n_post = draw(st.integers(1, 5))
    services = pd.DataFrame({
        "service_id": [f"S{i}" for i in range(n_serv)],
        "name": [f"Послуга {i}" for i in range(n_serv)],
        "unit": "година",
        "planned_units": [draw(st.integers(1, 10_000)) for _ in range(n_serv)],
        "planned_recipients": [draw(st.integers(0, 300)) for _ in range(n_serv)],
        "kpkvk": "0813104",
    })
    staff = pd.DataFrame({
        "position_id": [f"P{i}" for i in range(n_post)],
        "title": [f"Посада {i}" for i in range(n_post)],
        "category": [draw(st.sampled_from(["direct", "indirect"])) for _ in range(n_post)],
        "fte": [draw(st.sampled_from([0.25, 0.5, 1.0, 2.0])) for _ in range(n_post)],
        "monthly_pay": [draw(st.integers(5_000, 40_000)) for _ in range(n_post)],
        "months": [draw(st.integers(1, 12)) for _ in range(n_post)],
        "kpkvk": "0813104",
    })
    time_rows = [(f"P{p}", f"S{draw(st.integers(0, n_serv - 1))}",
                  draw(st.sampled_from([0.1, 0.25, 0.5])))
                 for p in range(n_post) if draw(st.booleans())]
    time = pd.DataFrame(time_rows, columns=["position_id", "service_id", "share"])
    time = time.drop_duplicates(["position_id", "service_id"])
    costs = pd.DataFrame({
        "kekv": ["2210", "2273", "2240"],
        "description": ["a", "b", "c"],
        "amount": [draw(money) for _ in range(3)],
        "service_id": [draw(st.sampled_from([None, "S0"])) for _ in range(3)],
        "kpkvk": "0813104",
        "fund": "general",
    })
    months = list(schema.MONTHS)
    plan = pd.DataFrame([["0813104", "2111", "general", *[draw(money) for _ in months]]],
                        columns=["kpkvk", "kekv", "fund", *months])
    actual = plan.copy()
    actual[months] = [[draw(money) if m < draw(st.integers(1, 12)) else None
                       for m in range(12)]]
    settings_ = pd.DataFrame([("plan_year", 2026), ("min_wage", 8647)],
                             columns=["key", "value"])
    return {"tblSettings": settings_, "tblServices": services, "tblStaff": staff,
            "tblTime": time, "tblCosts": costs, "tblPlan": plan, "tblActuals": actual}


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frames=institution())
def test_refresh_twice_is_byte_identical(frames: dict[str, pd.DataFrame]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "b.xlsx"
        build_workbook(path, lang="en", sample=frames)
        book = FileBook.open(path)
        first = commands_refresh.refresh(book)
        book.save()
        once = path.read_bytes()
        book = FileBook.open(path)
        commands_refresh.refresh(book)
        book.save()
        assert path.read_bytes() == once
        # and what the file holds is what was computed
        raw = FileBook.open(path).read_tables(["tblUnitCosts"])["tblUnitCosts"]
        got = [r[raw.headers.index("total_cost")] for r in raw.rows]
        want = list(first.outputs["tblUnitCosts"]["total_cost"])
        assert [round(x, 2) for x in got] == [round(x, 2) for x in want]
