"""Deterministic large inputs for the benchmarks (and for scale tests).

``institution_frames(scale)`` gives every input table of one institution; scale 1.0
is the size the speed targets are set for: 120 services, 600 posts, 3 000 cost
lines, 60 programs × 25 КЕКВ of plan and actuals, 300 activities over 7 years.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from koshtorys.core import schema

__all__ = ["institution_frames", "SIZES"]

KEKV = ["2111", "2120", "2210", "2220", "2230", "2240", "2250", "2271", "2272", "2273",
        "2274", "2275", "2282", "2610", "2620", "2710", "2720", "2730", "2800", "3110",
        "3122", "3132", "3142", "3160", "3210"]
TAILS = ["3102", "3104", "3105", "3121", "3124", "3140", "3160", "3192", "3241", "3242",
         "3243", "3244"]

#: (services, posts, cost lines, programs, activities) at scale 1.0
SIZES = {"services": 120, "posts": 600, "costs": 3000, "programs": 60, "activities": 300}


def institution_frames(scale: float = 1.0, seed: int = 7, name: str = "Установа") -> dict[
        str, pd.DataFrame]:
    """Every input table of one large institution, as DataFrames with schema keys."""
    rng = np.random.default_rng(seed)
    n_serv = max(2, int(SIZES["services"] * scale))
    n_post = max(2, int(SIZES["posts"] * scale))
    n_cost = max(2, int(SIZES["costs"] * scale))
    n_prog = max(1, int(SIZES["programs"] * scale))
    n_act = max(1, int(SIZES["activities"] * scale))
    programs = [f"{(8 + i // len(TAILS)) % 100:02d}1{TAILS[i % len(TAILS)]}"
                for i in range(n_prog)]
    settings = pd.DataFrame(
        [("institution", name), ("edrpou", "12345678"), ("hromada", "Громада"),
         ("plan_year", 2026), ("execution_year", 2025), ("min_wage", 8647),
         ("hours_per_fte", 1992), ("index_rate", 0.08), ("discount_rate", 0.12),
         ("fx_EUR", 48.5), ("fx_USD", 41.7)], columns=["key", "value"])
    services = pd.DataFrame({
        "service_id": [f"S{i:03d}" for i in range(n_serv)],
        "name": [f"Послуга {i}" for i in range(n_serv)],
        "unit": rng.choice(["година", "відвідування", "отримувач-місяць", "ліжко-день"], n_serv),
        "planned_units": rng.integers(100, 20000, n_serv),
        "planned_recipients": rng.integers(0, 500, n_serv),
        "kpkvk": [programs[i % n_prog] for i in range(n_serv)],
    })
    direct = rng.random(n_post) < 0.75
    staff = pd.DataFrame({
        "position_id": [f"P{i:04d}" for i in range(n_post)],
        "title": [f"Посада {i}" for i in range(n_post)],
        "category": np.where(direct, "direct", "indirect"),
        "fte": rng.choice([0.25, 0.5, 0.75, 1.0, 1.0, 1.0, 2.0], n_post),
        "monthly_pay": rng.integers(8000, 30000, n_post).astype(float),
        "months": rng.choice([12, 12, 12, 6, 9], n_post),
        "kpkvk": [programs[i % n_prog] for i in range(n_post)],
    })
    time_rows = []
    for i in np.flatnonzero(direct):
        k = int(rng.integers(1, 4))
        serv = rng.choice(n_serv, k, replace=False)
        shares = rng.dirichlet(np.ones(k)) * rng.uniform(0.7, 1.0)
        for s, sh in zip(serv, shares, strict=True):
            time_rows.append((f"P{i:04d}", f"S{s:03d}", round(float(sh), 4) - 0.0001))
    time = pd.DataFrame(time_rows, columns=["position_id", "service_id", "share"])
    time["share"] = time["share"].clip(lower=0)
    with_service = rng.random(n_cost) < 0.6
    costs = pd.DataFrame({
        "kekv": rng.choice(KEKV[2:19], n_cost),
        "description": [f"Видаток {i}" for i in range(n_cost)],
        "amount": np.round(rng.uniform(100, 200000, n_cost), 2),
        "service_id": [f"S{int(rng.integers(n_serv)):03d}" if w else None
                       for w in with_service],
        "kpkvk": [programs[i % n_prog] for i in range(n_cost)],
        "fund": rng.choice(["general", "general", "general", "special"], n_cost),
    })
    keys = [(p, k, "general") for p in programs for k in KEKV]
    plan_m = np.round(rng.uniform(1000, 100000, (len(keys), 12)), 2)
    act_m = np.round(plan_m * rng.uniform(0.6, 1.15, plan_m.shape), 2)
    act_m[:, 9:] = np.nan  # actuals through September
    base = pd.DataFrame(keys, columns=["kpkvk", "kekv", "fund"])
    plan = pd.concat([base, pd.DataFrame(plan_m, columns=list(schema.MONTHS))], axis=1)
    actual = pd.concat([base, pd.DataFrame(act_m, columns=list(schema.MONTHS))], axis=1)
    needs = pd.DataFrame({
        "activity_id": [f"A{i:03d}" for i in range(n_act)],
        "name": [f"Захід {i}" for i in range(n_act)],
        "kpkvk": [programs[i % n_prog] for i in range(n_act)],
        "base_year": 2025,
        "base_amount": np.round(rng.uniform(10000, 5_000_000, n_act), 2),
        "index_rate": np.where(rng.random(n_act) < 0.5, np.nan, 0.07),
        "first_year": 2025,
        "last_year": 2031,
    })
    src_rows = []
    for i in range(n_act):
        a = f"A{i:03d}"
        src_rows.append((a, "state", "share", 0.2, "UAH", 2025, 2031))
        if i % 3 == 0:
            src_rows.append((a, "donor", "fixed", 20000.0, "EUR", 2026, 2028))
        if i % 4 == 0:
            src_rows.append((a, "oblast", "fixed", 50000.0, "UAH", 2025, 2027))
    sources = pd.DataFrame(src_rows, columns=["activity_id", "source", "rule", "value",
                                              "currency", "first_year", "last_year"])
    return {"tblSettings": settings, "tblServices": services, "tblStaff": staff,
            "tblTime": time, "tblCosts": costs, "tblPlan": plan, "tblActuals": actual,
            "tblNeeds": needs, "tblSources": sources}
