"""Black-box acceptance tests against SPEC.md, as an outside suite would run them.

Only the public surface is used: the ``koshtorys`` command in a subprocess, and
openpyxl to write the inputs and read the outputs (tables found by name, columns
by header). Expected numbers are worked out here from the SPEC's formulas; the
Ukrainian headers are taken from ``koshtorys.core.schema`` only to locate columns.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from koshtorys.core import schema

# --- The SPEC's tables and column keys, spelled as the SPEC writes them -------------

SPEC_COLUMNS: dict[str, list[str]] = {
    "tblSettings": ["key", "value"],
    "tblServices": ["service_id", "name", "unit", "planned_units", "planned_recipients",
                    "kpkvk", "actual_units", "actual_recipients"],
    "tblStaff": ["position_id", "title", "category", "fte", "monthly_pay", "months", "kpkvk"],
    "tblTime": ["position_id", "service_id", "share"],
    "tblCosts": ["kekv", "description", "amount", "service_id", "kpkvk", "fund"],
    "tblPlan": ["kpkvk", "kekv", "fund"] + [f"m{m:02d}" for m in range(1, 13)],
    "tblActuals": ["kpkvk", "kekv", "fund"] + [f"m{m:02d}" for m in range(1, 13)],
    "tblNeeds": ["activity_id", "name", "kpkvk", "base_year", "base_amount", "index_rate",
                 "first_year", "last_year"],
    "tblSources": ["activity_id", "source", "rule", "value", "currency", "first_year",
                   "last_year"],
    "tblUnitCosts": ["service_id", "name", "unit", "planned_units", "planned_recipients",
                     "hours", "direct_labor", "direct_other", "indirect", "total_cost",
                     "unit_cost", "cost_per_recipient", "cost_per_hour", "unit_tariff"],
    "tblCostByKekv": ["kpkvk", "kekv", "fund", "amount"],
    "tblVariance": ["kpkvk", "kekv", "fund", "quarter", "plan", "actual", "variance",
                    "exec_pct", "plan_ytd", "actual_ytd", "exec_pct_ytd", "annual_plan",
                    "exec_pct_annual", "forecast", "flag"],
    "tblFundingSplit": ["activity_id", "year", "need", "local", "state", "oblast", "donor",
                        "other", "gap"],
    "tblFundingSummary": ["year", "need", "local", "state", "oblast", "donor", "other", "gap"],
    "tblChecks": ["severity", "code", "table", "row", "column", "message"],
    "tblProgramTotals": ["year", "source", "amount"],
    "tblPrograms": ["kpkvk", "name", "goal", "tasks", "legal_basis", "directions"],
    "tblHistory": ["kpkvk", "kekv", "fund", "year", "amount"],
    "tblCeilings": ["kpkvk", "fund", "year", "amount"],
    "tblSubmissions": ["sent_at", "kpkvk", "form", "file", "sha256", "total", "mail_to",
                       "status"],
}
SPEC_COLUMNS["tblVarianceSummary"] = SPEC_COLUMNS["tblVariance"] + ["as_of_month"]

# How a Ukrainian workbook writes the values the product writes (SPEC, "The program
# workbook"): read back as the SPEC's codes for comparison.
SPEC_UK_VALUES = {"загальний": "general", "спеціальний": "special", "помилка": "error",
                  "попередження": "warning", "норма": "ok", "недовиконання": "under",
                  "перевиконання": "over", "незаплановано": "unplanned"}

OUTPUTS = ("tblUnitCosts", "tblCostByKekv", "tblVariance", "tblVarianceSummary",
           "tblFundingSplit", "tblFundingSummary", "tblChecks")
PART_OUTPUTS = {"costing": ("tblUnitCosts", "tblCostByKekv"),
                "execution": ("tblVariance", "tblVarianceSummary"),
                "funding": ("tblFundingSplit", "tblFundingSummary")}

# --- Helpers: the command, and tables by name / columns by header -------------------


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "koshtorys.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def find(wb: openpyxl.Workbook, name: str):  # noqa: ANN201 - (worksheet, table)
    for ws in wb.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise KeyError(name)


def header_map(name: str, lang: str) -> dict[str, str]:
    """Header text → column key for ``lang`` (en headers are the SPEC's keys)."""
    if lang == "en":
        return {k: k for k in SPEC_COLUMNS[name]}
    t = schema.table(name)
    return dict(zip(t.headers("uk"), t.column_keys, strict=True))


def read(path: Path, name: str, lang: str = "en") -> list[dict[str, object]]:
    """Non-empty rows of table ``name`` as dicts keyed by column key."""
    ws, t = find(openpyxl.load_workbook(path), name)
    cells = ws[t.ref]
    names = header_map(name, lang)
    keys = [names.get(c.value, c.value) for c in cells[0]]

    def value(v: object) -> object:
        return SPEC_UK_VALUES.get(v, v) if lang == "uk" and isinstance(v, str) else v

    return [dict(zip(keys, [value(c.value) for c in r], strict=True)) for r in cells[1:]
            if any(c.value not in (None, "") for c in r)]


def fill(path: Path, lang: str, data: dict[str, list[dict[str, object]]],
         settings: dict[str, object]) -> dict[tuple[str, int], int]:
    """Write input rows (from each table's first data row, extending its ref) and
    settings values; return the worksheet row of each (table, data index)."""
    wb = openpyxl.load_workbook(path)
    where: dict[tuple[str, int], int] = {}
    ws, t = find(wb, "tblSettings")
    for row in ws[t.ref][1:]:
        if row[0].value in settings:
            row[1].value = settings[row[0].value]
    for name, rows in data.items():
        ws, t = find(wb, name)
        cells = ws[t.ref]
        col_of = {header_map(name, lang).get(c.value, c.value): c.column for c in cells[0]}
        top, first_col, last_col = cells[0][0].row, cells[0][0].column, cells[0][-1].column
        for i, values in enumerate(rows):
            for key, value in values.items():
                if key not in col_of:  # a user's extra column, added right of the table
                    last_col += 1
                    col_of[key] = last_col
                    ws.cell(top, last_col, key)
                ws.cell(top + 1 + i, col_of[key], value)
            where[(name, i)] = top + 1 + i
        ref = (f"{get_column_letter(first_col)}{top}:"
               f"{get_column_letter(last_col)}{top + max(len(rows), 1)}")
        t.ref = ref
        if t.autoFilter is not None:
            t.autoFilter.ref = ref
        if len(t.tableColumns) < last_col - first_col + 1:
            t.tableColumns = []
            t._initialise_columns()
            for c, tc in zip(ws[ref][0], t.tableColumns, strict=True):
                tc.name = str(c.value)
    wb.save(path)
    return where


def give_cached_value(path: Path, formula: str, value: float) -> None:
    """Store ``value`` as the last calculated value of ``formula`` (as Excel would)."""
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    old, new = f"<f>{formula}</f><v></v>".encode(), f"<f>{formula}</f><v>{value}</v>".encode()
    assert sum(data.count(old) for data in parts.values()) == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts.items():
            z.writestr(info, data.replace(old, new))


def snapshot(path: Path) -> dict[str, dict[str, object]]:
    """Every sheet's cell values and formulas."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.coordinate: c.value for r in ws.iter_rows() for c in r
                       if c.value is not None} for ws in wb.worksheets}


def sheets_of(path: Path, names: tuple[str, ...]) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {find(wb, n)[0].title for n in names}


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Integer split of ``total`` in proportion to ``weights`` (no ties in our data)."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: exact[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def near(got: object, want: float | None, tol: float = 0.005) -> bool:
    if want is None:
        return got in (None, "")
    return isinstance(got, (int, float)) and abs(got - want) <= tol


# --- The inputs (kpkvk and kekv typed as numbers: leading zeros must come back) -----

KPKVK, KPKVK2 = 813104, 813105
SETTINGS = {"plan_year": 2026, "esv_rate": 0.22, "min_wage": 8000, "hours_per_fte": 2000,
            "vat_rate": 0, "under_threshold": 0.9, "fx_EUR": 45, "fx_USD": 40, "discount_rate": 0.1,
            "rounding": 0}
SERVICES = [
    {"service_id": "S1", "name": "Home care", "unit": "година", "planned_units": 1000,
     "planned_recipients": 10, "kpkvk": KPKVK, "note": "user column"},
    {"service_id": "S2", "name": "Day care", "unit": "відвідування", "planned_units": 500,
     "planned_recipients": 0, "kpkvk": KPKVK, "note": "kept"},
]
STAFF = [  # position, category, fte, monthly_pay, months
    ("P1", "direct", 1, 10000, 12), ("P2", "direct", 2, 7000, 6),  # P2 below min_wage
    ("P3", "indirect", 0.5, 20000, 12),
]
TIME = [("P1", "S1", 0.5), ("P1", "S2", 0.25), ("P2", "S1", 1.0)]
COSTS = [  # kekv, amount, service_id, fund
    (2210, 10000, "S1", "general"), (2240, 5000, "S2", "general"),
    (2273, 24000, None, "general"), (2210, 1000, None, "special"),
]
M = [f"m{m:02d}" for m in range(1, 13)]
PLAN = [(KPKVK, 2111, "general", [100] * 12), (KPKVK, 2240, "general", [50] * 12),
        (KPKVK2, 2273, "general", [0] * 6 + [100] * 6)]
ACTUALS = [(KPKVK, 2111, "general", [80] * 3 + [100] * 3),
           (KPKVK, 2240, "general", [200]), (KPKVK2, 2210, "special", [0, 30])]
NEEDS = [("A1", 2025, 100000, 0.04, 2026, 2028), ("A2", 2026, 1000, 0, 2026, 2026),
         ("A3", 2026, 50000, 0, 2026, 2027)]
SOURCES = [  # activity, source, rule, value, currency, first, last
    ("A1", "donor", "fixed", 1000, "EUR", 2026, 2027),
    ("A1", "state", "share", 0.1, None, 2026, 2028),  # rows of one source add up
    ("A1", "state", "share", 0.2, None, 2026, 2028),
    ("A2", "state", "share", 0.3335, None, 2026, 2026),
    ("A2", "oblast", "share", 0.3336, None, 2026, 2026),
    ("A2", "donor", "share", 0.3327, None, 2026, 2026),
    ("A3", "local", "fixed", 20000, None, 2026, 2027),
    ("A3", "donor", "remainder", None, None, 2026, 2026),
    ("A3", "oblast", "fixed", 100, "USD", 2027, 2027),
]


def inputs(extra_sources: list[tuple] | None = None) -> dict[str, list[dict[str, object]]]:
    return {
        "tblServices": SERVICES,
        "tblStaff": [dict(position_id=p, title=f"Post {p}", category=c, fte=f, monthly_pay=m,
                          months=n, kpkvk=KPKVK) for p, c, f, m, n in STAFF],
        # an empty row inside a table is skipped, not an error
        "tblTime": [dict(position_id=p, service_id=s, share=x) for p, s, x in TIME[:1]] + [{}]
        + [dict(position_id=p, service_id=s, share=x) for p, s, x in TIME[1:]],
        "tblCosts": [dict(kekv=k, description=f"cost {k}", amount=a, service_id=s, kpkvk=KPKVK,
                          fund=f) for k, a, s, f in COSTS],
        "tblPlan": [dict(kpkvk=p, kekv=k, fund=f, **dict(zip(M, v, strict=True)))
                    for p, k, f, v in PLAN],
        "tblActuals": [dict(kpkvk=p, kekv=k, fund=f, **dict(zip(M, v, strict=False)))
                       for p, k, f, v in ACTUALS],
        "tblNeeds": [dict(activity_id=a, name=f"activity {a}", kpkvk=KPKVK, base_year=b,
                          base_amount=x, index_rate=r, first_year=f, last_year=la)
                     for a, b, x, r, f, la in NEEDS],
        "tblSources": [dict(activity_id=a, source=s, rule=r, value=v, currency=c,
                            first_year=f, last_year=la)
                       for a, s, r, v, c, f, la in SOURCES + (extra_sources or [])],
    }


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("templates")
    out = {}
    for lang in ("en", "uk"):
        out[lang] = d / f"new_{lang}.xlsx"
        args = ["new", out[lang]] + (["--lang", "en"] if lang == "en" else [])
        assert run(*args).returncode == 0
    return out


def build(templates: dict[str, Path], folder: Path, lang: str = "en",
          settings: dict[str, object] | None = None, **kw: object) -> tuple[Path, dict]:
    path = folder / f"book_{lang}.xlsx"
    shutil.copy(templates[lang], path)
    where = fill(path, lang, inputs(**kw), {**SETTINGS, **(settings or {})})
    return path, where


@pytest.fixture(scope="module", params=["en", "uk"])
def refreshed(request: pytest.FixtureRequest, templates: dict[str, Path],
              tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict, object]:
    lang = request.param
    path, where = build(templates, tmp_path_factory.mktemp(f"book_{lang}"), lang)
    return lang, path, where, run("refresh", path)


# --- 1. The template -----------------------------------------------------------------


def test_new_english_template_has_the_spec_tables_and_defaults(templates: dict) -> None:
    wb = openpyxl.load_workbook(templates["en"])
    for name, keys in SPEC_COLUMNS.items():
        ws, t = find(wb, name)
        assert [c.value for c in ws[t.ref][0]] == keys, name
    ws, t = find(wb, "tblSettings")
    values = {r[0].value: r[1].value for r in ws[t.ref][1:]}
    for key, want in {"esv_rate": 0.22, "indirect_base": "direct_labor", "vat_rate": 0,
                      "under_threshold": 0.9, "index_rate": 0, "rounding": 0,
                      "smtp_port": 587}.items():
        assert values[key] == want, key
    assert str(values["smtp_starttls"]).lower() == "true"
    assert not {"smtp_password", "password"} & set(values)


def test_new_ukrainian_template_is_the_default(templates: dict) -> None:
    wb = openpyxl.load_workbook(templates["uk"])
    for name in SPEC_COLUMNS:
        ws, t = find(wb, name)
        heads = [c.value for c in ws[t.ref][0]]
        assert heads == schema.table(name).headers("uk"), name
        assert heads != SPEC_COLUMNS[name], name
        assert any("\u0400" <= ch <= "\u04ff" for ch in ws.title), ws.title


# --- 2. The computations, in both languages -------------------------------------------


def expected_unit_costs(base: str, vat: float) -> dict[str, dict[str, float | None]]:
    """tblUnitCosts worked out from the SPEC, in kopiykas where money is split."""
    mw, esv, hpf = SETTINGS["min_wage"], Fraction("0.22"), SETTINGS["hours_per_fte"]
    dl = {"S1": 0, "S2": 0}
    hours = {"S1": Fraction(0), "S2": Fraction(0)}
    pool = 0
    for p, cat, fte, pay, months in STAFF:
        payroll = Fraction(str(fte)) * max(pay, mw) * months * 100
        labor = int(payroll + payroll * esv)
        shares = {s: Fraction(str(x)) for q, s, x in TIME if q == p} if cat == "direct" else {}
        rest = 1 - sum(shares.values())
        parts = largest_remainder(labor, [*shares.values(), rest])
        for (s, x), part in zip(shares.items(), parts, strict=False):
            dl[s] += part
            hours[s] += Fraction(str(fte)) * hpf * Fraction(months, 12) * x
        pool += parts[-1]
    do = {s: sum(a * 100 for _, a, sid, _ in COSTS if sid == s) for s in dl}
    pool += sum(a * 100 for _, a, sid, _ in COSTS if sid is None)
    weight = {"direct_labor": dl, "hours": hours,
              "direct_cost": {s: dl[s] + do[s] for s in dl}}[base]
    ind = dict(zip(dl, largest_remainder(pool, [Fraction(weight[s]) for s in dl]),
                   strict=True))
    out = {}
    for svc in SERVICES:
        s = svc["service_id"]
        total = (dl[s] + do[s] + ind[s]) / 100
        unit = total / svc["planned_units"]
        out[s] = {"service_id": s, "name": svc["name"], "unit": svc["unit"],
                  "planned_units": svc["planned_units"],
                  "planned_recipients": svc["planned_recipients"], "hours": float(hours[s]),
                  "direct_labor": dl[s] / 100, "direct_other": do[s] / 100,
                  "indirect": ind[s] / 100, "total_cost": total, "unit_cost": unit,
                  "cost_per_recipient": (total / svc["planned_recipients"]
                                         if svc["planned_recipients"] else None),
                  "cost_per_hour": total / float(hours[s]) if hours[s] else None,
                  "unit_tariff": unit * (1 + vat)}
    return out


def assert_unit_costs(rows: list[dict], base: str, vat: float) -> None:
    want = expected_unit_costs(base, vat)
    assert [r["service_id"] for r in rows] == list(want)
    for r in rows:
        w = want[r["service_id"]]
        for key in SPEC_COLUMNS["tblUnitCosts"]:
            if isinstance(w[key], str):
                assert r[key] == w[key], (key, r[key], w[key])
            else:
                assert near(r[key], w[key], 0.001 if key != "hours" else 1e-6), \
                    (base, r["service_id"], key, r[key], w[key])
    # Σ total_cost equals the institution's total (all labor + all costs) exactly
    labor = sum(round(f * max(p, 8000) * n * 1.22, 2) for _, _, f, p, n in STAFF)
    assert round(sum(r["total_cost"] for r in rows), 2) == round(
        labor + sum(a for _, a, _, _ in COSTS), 2)


def test_refresh_exit_zero_with_a_min_wage_warning(refreshed: tuple) -> None:
    lang, path, where, proc = refreshed
    assert proc.returncode == 0, proc.stderr
    checks = read(path, "tblChecks", lang)
    assert all(c["severity"] in ("warning", "попередження") for c in checks), checks
    hit = [c for c in checks if c["table"] == "tblStaff" and c["row"] == where[("tblStaff", 1)]]
    assert hit and "8000" in hit[0]["message"].replace(" ", "").replace("\u00a0", "")
    assert hit[0]["column"] in ("monthly_pay", schema.header("tblStaff", "monthly_pay", lang))


def test_unit_costs_default_base_direct_labor(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    assert_unit_costs(read(path, "tblUnitCosts", lang), "direct_labor", 0.0)


@pytest.mark.parametrize(("base", "vat"), [("direct_cost", 0.2), ("hours", 0.07)])
def test_unit_costs_other_bases_and_vat(templates: dict, tmp_path: Path, base: str,
                                        vat: float) -> None:
    path, _ = build(templates, tmp_path, settings={"indirect_base": base, "vat_rate": vat})
    assert run("refresh", path, "--only", "costing").returncode == 0
    assert_unit_costs(read(path, "tblUnitCosts"), base, vat)


def test_cost_by_kekv_keeps_leading_zeros(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    rows = read(path, "tblCostByKekv", lang)
    got = {(r["kpkvk"], r["kekv"], r["fund"]): r["amount"] for r in rows}
    payroll = sum(f * max(p, 8000) * n for _, _, f, p, n in STAFF)  # 336 000
    want = {("0813104", "2111", "general"): payroll,
            ("0813104", "2120", "general"): payroll * 0.22,
            ("0813104", "2210", "general"): 10000, ("0813104", "2210", "special"): 1000,
            ("0813104", "2240", "general"): 5000, ("0813104", "2273", "general"): 24000}
    assert set(got) == set(want)
    assert all(near(got[k], v) for k, v in want.items()), got


def variance_row(plan: list[float], actual: list[float], q: int, thr: float = 0.9) -> dict:
    """One tblVariance row worked out from the SPEC's formulas."""
    plan, actual = plan + [0] * (12 - len(plan)), actual + [0] * (12 - len(actual))
    p, a = sum(plan[3 * q - 3: 3 * q]), sum(actual[3 * q - 3: 3 * q])
    py, ay, annual = sum(plan[: 3 * q]), sum(actual[: 3 * q]), sum(plan)
    ey = ay / py if py else None
    flag = ("unplanned" if py == 0 and ay > 0 else "over" if ay > py
            else "under" if py > 0 and ey < thr else "ok")
    return {"quarter": q, "plan": p, "actual": a, "variance": a - p,
            "exec_pct": a / p if p else None, "plan_ytd": py, "actual_ytd": ay,
            "exec_pct_ytd": ey, "annual_plan": annual,
            "exec_pct_annual": ay / annual if annual else None,
            "forecast": annual * ay / py if py > 0 else ay + (annual - py), "flag": flag}


def assert_row(got: dict, want: dict) -> None:
    for k, v in want.items():
        if isinstance(v, str) or k == "quarter":
            assert got[k] == v, (k, got)
        else:
            assert near(got[k], v, 1e-4 if "pct" in k else 0.005), (k, got[k], v)


def test_variance_up_to_as_of_with_all_four_flags(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    rows = read(path, "tblVariance", lang)
    got = {(r["kpkvk"], r["kekv"], r["fund"], r["quarter"]): r for r in rows}
    keys = [(p, k, f) for p, k, f, _ in PLAN] + [(p, k, f) for p, k, f, _ in ACTUALS]
    keys = list(dict.fromkeys(keys))
    as_of = 2  # the last quarter with any actual
    assert len(rows) == len(keys) * as_of
    flags = set()
    for p, k, f in keys:
        plan = next((v for *key, v in PLAN if key == [p, k, f]), [])
        actual = next((v for *key, v in ACTUALS if key == [p, k, f]), [])
        for q in range(1, as_of + 1):
            want = variance_row(plan, actual, q)
            assert_row(got[(f"0{p}", str(k), f, q)], want)
            flags.add(want["flag"])
    assert flags == {"unplanned", "over", "under", "ok"}


def test_variance_summary_per_program_and_total_at_as_of(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    rows = read(path, "tblVarianceSummary", lang)
    assert len(rows) == 3 and all(r["quarter"] == 2 for r in rows)

    def added(rows_in: list, program: int | None) -> list[float]:
        vs = [v + [0] * (12 - len(v)) for p, _, _, v in rows_in if program in (None, p)]
        return [sum(x) for x in zip(*vs, strict=True)]

    for got, program in zip(rows, (KPKVK, KPKVK2, None), strict=True):
        if program is not None:
            assert got["kpkvk"] == f"0{program}"
        assert_row(got, variance_row(added(PLAN, program), added(ACTUALS, program), 2))


# Funding worked out by hand: A1 indexed 4 %/year from 2025, EUR 1000 × 45, state 10+20 %,
# local takes the remainder (no local row); A2 three shares rounded by largest
# remainder (naive rounding gives 1001); A3 named remainder in 2026, none in 2027.
SPLIT = {  # (activity, year): need, local, state, oblast, donor, gap
    ("A1", 2026): (104000, 27800, 31200, 0, 45000, 0),
    ("A1", 2027): (108160, 30712, 32448, 0, 45000, 0),
    ("A1", 2028): (112486, 78740, 33746, 0, 0, 0),  # 112 486.40: 33 745.92 + 78 740.48
    ("A2", 2026): (1000, 0, 333, 334, 333, 0),  # 333.5, 333.6, 332.7 (+ 0.2 local)
    ("A3", 2026): (50000, 20000, 0, 0, 30000, 0),
    ("A3", 2027): (50000, 20000, 0, 4000, 0, 26000),  # USD 100 × 40; no remainder
}
MONEY = ["need", "local", "state", "oblast", "donor", "gap"]


def test_funding_split(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    rows = read(path, "tblFundingSplit", lang)
    got = {(r["activity_id"], int(r["year"])): [r[k] for k in MONEY] for r in rows}
    assert got == {k: list(v) for k, v in SPLIT.items()}


def test_funding_summary_and_npv(refreshed: tuple) -> None:
    lang, path, _, _ = refreshed
    rows = read(path, "tblFundingSummary", lang)
    years = [2026, 2027, 2028]
    assert [int(r["year"]) for r in rows[:-1]] == years
    sums = {y: [sum(v[i] for (_, yy), v in SPLIT.items() if yy == y) for i in range(6)]
            for y in years}
    for r in rows[:-1]:
        assert [r[k] for k in MONEY] == sums[int(r["year"])]
    npv = rows[-1]
    assert "npv" in str(npv["year"]).lower() or "чтв" in str(npv["year"]).lower()
    for i, k in enumerate(MONEY):  # first year is year 0
        want = sum(sums[y][i] / 1.1 ** (y - 2026) for y in years)
        assert abs(npv[k] - want) <= 0.5 + 1e-6, (k, npv[k], want)


# --- 3. Exit codes -----------------------------------------------------------------------


def test_error_checks_exit_one_and_the_rest_is_computed(templates: dict, tmp_path: Path) -> None:
    over = [("A2", "local", "fixed", 500, None, 2026, 2026),  # 333+334+333+500 > 1000
            ("A3", "state", "remainder", None, None, 2026, 2026)]  # a second remainder
    path, where = build(templates, tmp_path, extra_sources=over)
    wb = openpyxl.load_workbook(path)
    ws, t = find(wb, "tblCosts")
    ws.cell(where[("tblCosts", 2)], 3, "=24000")  # a formula with no calculated value
    wb.save(path)
    assert run("check", path).returncode == 1
    assert not read(path, "tblUnitCosts")  # check writes only tblChecks
    proc = run("refresh", path)
    assert proc.returncode == 1, proc.stderr
    errors = [c for c in read(path, "tblChecks") if c["severity"] == "error"]
    assert {c["table"] for c in errors} >= {"tblSources", "tblCosts"}
    assert any(c["row"] == where[("tblCosts", 2)] for c in errors if c["table"] == "tblCosts")
    assert any(c["row"] == where[("tblSources", len(SOURCES) + 1)] for c in errors)
    split = {(r["activity_id"], r["year"]): r for r in read(path, "tblFundingSplit")}
    assert split[("A2", 2026)]["gap"] < 0 and split[("A1", 2026)]["need"] == 104000
    assert len(read(path, "tblUnitCosts")) == 2 and read(path, "tblVariance")


def assert_exit_two(proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


EXIT_TWO = {  # case: the commands that must do nothing
    "not_a_workbook": ("refresh", "check"), "zip_not_a_workbook": ("refresh",),
    "no_settings": ("refresh", "check"), "no_services_only_costing": ("refresh",),
    "excel_lock": ("refresh", "check"), "lo_lock": ("refresh",),
}


@pytest.mark.parametrize("case", list(EXIT_TWO))
def test_nothing_done_exit_two(templates: dict, tmp_path: Path, case: str) -> None:
    path = tmp_path / "book.xlsx"
    shutil.copy(templates["en"], path)
    if case == "not_a_workbook":
        path.write_text("this is not a workbook\n")
    elif case == "zip_not_a_workbook":
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
    elif case in ("no_settings", "no_services_only_costing"):
        name = "tblSettings" if case == "no_settings" else "tblServices"
        wb = openpyxl.load_workbook(path)
        del find(wb, name)[0].tables[name]
        wb.save(path)
    else:
        lock = "~$book.xlsx" if case == "excel_lock" else ".~lock.book.xlsx#"
        (tmp_path / lock).write_text("owner")
    before = path.read_bytes()
    for command in EXIT_TWO[case]:
        extra = ["--only", "costing"] if case == "no_services_only_costing" else []
        assert_exit_two(run(command, path, *extra))
    assert path.read_bytes() == before


# --- 4. What refresh writes, and what it leaves -----------------------------------------


def changed_sheets(before: dict, after: dict) -> set[str]:
    assert set(before) == set(after)
    return {s for s in before if before[s] != after[s]}


@pytest.mark.parametrize("part", list(PART_OUTPUTS))
def test_only_one_part(templates: dict, tmp_path: Path, part: str) -> None:
    path, _ = build(templates, tmp_path)
    before = snapshot(path)
    assert run("refresh", path, "--only", part).returncode == 0
    allowed = sheets_of(path, PART_OUTPUTS[part] + ("tblChecks",))
    assert changed_sheets(before, snapshot(path)) <= allowed
    for other, names in PART_OUTPUTS.items():
        for name in names:
            assert bool(read(path, name)) == (other == part), (part, name)


def test_check_writes_only_tblchecks(templates: dict, tmp_path: Path) -> None:
    path, _ = build(templates, tmp_path)
    before = snapshot(path)
    assert run("check", path).returncode == 0
    assert changed_sheets(before, snapshot(path)) <= sheets_of(path, ("tblChecks",))
    assert read(path, "tblChecks")  # the min-wage warning


def test_refresh_keeps_inputs_and_is_idempotent(templates: dict, tmp_path: Path) -> None:
    path, where = build(templates, tmp_path)
    wb = openpyxl.load_workbook(path)
    notes = wb.create_sheet("Notes")
    notes["A1"], notes["B1"], notes["B2"] = "my notes", "=SUM(1,2)", "=Services!A4"
    ws, _ = find(wb, "tblCosts")
    cell = ws.cell(where[("tblCosts", 2)], 3)  # amount 24 000 as a calculated formula
    cell.value = "=12000*2"
    wb.save(path)
    give_cached_value(path, "12000*2", 24000)
    before = snapshot(path)
    assert run("refresh", path).returncode == 0
    outputs = sheets_of(path, OUTPUTS)
    after = snapshot(path)
    assert changed_sheets(before, after) <= outputs
    assert_unit_costs(read(path, "tblUnitCosts"), "direct_labor", 0.0)
    cached = openpyxl.load_workbook(path, data_only=True)[ws.title][cell.coordinate].value
    assert cached == 24000
    assert [r["note"] for r in read(path, "tblServices")] == ["user column", "kept"]
    once = path.read_bytes()
    assert run("refresh", path).returncode == 0
    assert snapshot(path) == after
    assert path.read_bytes() == once
