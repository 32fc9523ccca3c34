"""The tariff calculation: every figure equals the SPEC's arithmetic (done here again with
Fractions) and tblUnitCosts to the kopiyka; print-ready; bad input refused."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cycle_docs import (
    HAS_RENDER,
    SETTINGS,
    assert_printed,
    frame,
    half_up,
    kop,
    largest_remainder,
    machine_table,
    no_formulas_no_macros,
    render,
    settings_frame,
    workbook,
)
from fixtures_xlsx import sample_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshtorys import parts
from koshtorys.cli import main
from koshtorys.commands.tariff import tariff_inputs
from koshtorys.core.book import MemoryBook
from koshtorys.documents.tariff import build_tariff

ODD_NAME = "=1+1 Інформування"  # a user's text that looks like a formula
STAFF = [  # position, category, fte, monthly pay, months
    ("P1", "Соціальний робітник", "direct", 3.0, 10400.5, 12),
    ("P2", "Фахівець із соціальної роботи", "direct", 1.5, 16200.0, 11),
    ("P3", "Практичний психолог", "direct", 1.0, 8000.0, 10),  # below the minimum wage
    ("P4", "Директор", "indirect", 1.0, 25000.0, 12),
    ("P5", "Бухгалтер", "indirect", 0.5, 18000.0, 12),
]
TIME = [("P1", "S1", "0.9"), ("P1", "S3", "0.04"), ("P2", "S2", "0.35"), ("P2", "S3", "0.45"),
        ("P2", "S1", "0.2"), ("P3", "S2", "0.333")]
SERVICES = [("S1", "Догляд вдома", "година", 5000, 40), ("S2", "Консультування",
            "консультація", 1200, 600), ("S3", ODD_NAME, "звернення", 300, 0)]
COSTS = [("2210", "Витратні матеріали", 30000.0, "S1"), ("2240", "Проїзд", 12000.0, "S1"),
         ("2800", "Судовий збір", 1500.0, "S2"), ("2273", "Електроенергія", 96000.0, None),
         ("2240", "Зв'язок", 54000.0, None)]
VAT = F("0.2")
HOURS_PER_FTE = 2088


def frames(base: str = "direct_labor") -> dict[str, pd.DataFrame]:
    return {
        "tblSettings": settings_frame(SETTINGS | {"vat_rate": 0.2, "indirect_base": base,
                                                  "institution": "=SUM(A1) Терцентр"}),
        "tblServices": frame([{"service_id": s, "name": n, "unit": u, "planned_units": float(q),
                               "planned_recipients": float(r), "kpkvk": "0813104"}
                              for s, n, u, q, r in SERVICES]),
        "tblStaff": frame([{"position_id": p, "title": t, "category": c, "fte": fte,
                            "monthly_pay": pay, "months": m, "kpkvk": "0813104"}
                           for p, t, c, fte, pay, m in STAFF]),
        "tblTime": frame([{"position_id": p, "service_id": s, "share": float(sh)}
                          for p, s, sh in TIME]),
        "tblCosts": frame([{"kekv": k, "description": d, "amount": a, "service_id": s,
                            "kpkvk": "0813104", "fund": "general"} for k, d, a, s in COSTS]),
    }


def expected(base: str = "direct_labor") -> dict[str, dict[str, object]]:
    """The SPEC's unit costs, by hand: kopiykas and Fractions, never the code under test."""
    ids = sorted(s for s, *_ in SERVICES)
    out: dict[str, dict[str, object]] = {s: {"zpev": {}, "wages": {}, "esv": {}} for s in ids}
    pool = 0
    hours = {s: F(0) for s in ids}
    for p, _t, cat, fte, pay, months in STAFF:
        payroll = half_up(F(str(fte)) * F(str(max(pay, 8647.0))) * months * 100)
        labor = payroll + half_up(payroll * F("0.22"))
        shares = {s: F(sh) for q, s, sh in TIME if q == p} if cat == "direct" else {}
        order = sorted(shares)
        weights = [shares[s] for s in order] + [1 - sum(shares.values())]
        parts_l = largest_remainder(labor, weights)
        parts_w = largest_remainder(payroll, weights)
        for s, part, wage in zip(order, parts_l, parts_w, strict=False):
            out[s]["zpev"][p] = part
            out[s]["wages"][p] = wage
            out[s]["esv"][p] = part - wage
            hours[s] += F(str(fte)) * HOURS_PER_FTE * F(months, 12) * shares[s]
        pool += parts_l[-1]
    other = {s: sum(kop(a) for _k, _d, a, sv in COSTS if sv == s) for s in ids}
    pool += sum(kop(a) for _k, _d, a, sv in COSTS if sv is None)
    labor_of = {s: sum(out[s]["zpev"].values()) for s in ids}
    weight = {"direct_labor": lambda s: F(labor_of[s]), "hours": lambda s: hours[s],
              "direct_cost": lambda s: F(labor_of[s] + other[s])}[base]
    indirect = dict(zip(ids, largest_remainder(pool, [weight(s) for s in ids]), strict=True))
    units = {s: q for s, _n, _u, q, _r in SERVICES}
    recipients = {s: r for s, _n, _u, _q, r in SERVICES}
    for s in ids:
        total = labor_of[s] + other[s] + indirect[s]
        unit = F(total, 100) / units[s]
        out[s].update(
            direct_labor=labor_of[s], direct_other=other[s], pool=pool, indirect=indirect[s],
            total=total, unit_cost=half_up(unit * 100), unit_tariff=half_up(unit * (1 + VAT) * 100),
            vat=half_up(total * VAT), per_recipient=half_up(F(total, recipients[s]))
            if recipients[s] else None, per_hour=half_up(F(total) / hours[s]),
            hours=hours[s], base_service=weight(s), base_total=sum(weight(x) for x in ids))
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("tariff")
    book = workbook(d / "терцентр.xlsx", frames())
    assert main(["tariff", str(book), "--outdir", str(d / "out")]) == 0
    return {p.stem.rsplit("_", 1)[1]: p for p in (d / "out").glob("tariff_2026_*.xlsx")} | {
        "book": book}


def _money(table: dict[tuple[str, str], object], section: str, item: str) -> int:
    return kop(str(table[(section, item)]))


@pytest.mark.parametrize("sid", ["S1", "S2", "S3"])
def test_every_figure_is_the_specs_arithmetic(made: dict[str, Path], sid: str) -> None:
    want = expected()[sid]
    t = machine_table(made[sid], "tblTariff")
    for p, part in want["zpev"].items():  # each post's ЗПЄВ: its share on the service
        assert _money(t, "zpev", f"zpev:{p}") == part
        assert _money(t, "zpev", f"wages:{p}") == want["wages"][p]
        assert _money(t, "zpev", f"esv:{p}") == want["esv"][p]
    assert {i for s, i in t if s == "zpev" and i.startswith("zpev:")} == \
        {f"zpev:{p}" for p in want["zpev"]}
    assert _money(t, "zpev", "zpev") == want["direct_labor"]
    assert _money(t, "direct", "ptrp") + _money(t, "direct", "ipv") == want["direct_other"]
    assert _money(t, "direct", "direct") == want["direct_labor"] + want["direct_other"]
    assert _money(t, "admin", "pool") == want["pool"]
    assert _money(t, "admin", "indirect") == want["indirect"]
    assert F(str(t[("admin", "base_service")])) == pytest.approx(want["base_service"] / 100)
    assert _money(t, "total", "total_cost") == want["total"]
    assert _money(t, "total", "vat") == want["vat"]
    assert _money(t, "total", "total_with_vat") == want["total"] + want["vat"]
    assert _money(t, "unit", "unit_cost") == want["unit_cost"]
    assert _money(t, "unit", "unit_tariff") == want["unit_tariff"]
    assert _money(t, "unit", "vat_per_unit") == want["unit_tariff"] - want["unit_cost"]
    assert _money(t, "unit", "cost_per_hour") == want["per_hour"]
    if want["per_recipient"] is None:
        assert t[("unit", "cost_per_recipient")] is None
    else:
        assert _money(t, "unit", "cost_per_recipient") == want["per_recipient"]


def test_other_direct_costs_by_kekv_and_the_pool_by_item(made: dict[str, Path]) -> None:
    t = machine_table(made["S1"], "tblTariff")
    assert t[("direct", "ptrp:2210")] == 30000 and t[("direct", "ptrp:2240")] == 12000
    assert t[("direct", "ipv")] == 0
    t2 = machine_table(made["S2"], "tblTariff")
    assert t2[("direct", "ipv:2800")] == 1500 and t2[("direct", "ptrp")] == 0
    pool = {i: v for (s, i), v in t.items() if s == "admin" and i.startswith("pool_")}
    assert pool["pool_cost:2273"] == 96000 and pool["pool_cost:2240"] == 54000
    assert {"pool_labor:P4", "pool_labor:P5", "pool_labor:P1", "pool_labor:P3"} <= set(pool)
    assert "pool_labor:P2" not in pool  # P2 works all its time on services
    assert sum(kop(str(v)) for v in pool.values()) == _money(t, "admin", "pool")


def test_figures_equal_the_refreshed_unit_costs(made: dict[str, Path], tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    book.write_bytes(made["book"].read_bytes())
    assert main(["refresh", str(book)]) == 0
    wb = openpyxl.load_workbook(book)
    ws = next(w for w in wb.worksheets if "tblUnitCosts" in w.tables)
    rows = [[c.value for c in r] for r in ws[ws.tables["tblUnitCosts"].ref]]
    uc = pd.DataFrame(rows[1:], columns=rows[0])
    cols = {"Код послуги": "service_id", "Прямі витрати на оплату праці з ЄСВ": "direct_labor",
            "Інші прямі витрати": "direct_other", "Непрямі (адміністративні) витрати": "indirect",
            "Повна вартість": "total_cost", "Вартість одиниці": "unit_cost",
            "Вартість на отримувача": "cost_per_recipient", "Вартість години": "cost_per_hour",
            "Тариф за одиницю (з ПДВ)": "unit_tariff"}
    uc = uc.rename(columns=cols)
    items = {"direct_labor": ("zpev", "zpev"), "direct_other": None,
             "indirect": ("admin", "indirect"), "total_cost": ("total", "total_cost"),
             "unit_cost": ("unit", "unit_cost"), "cost_per_recipient": ("unit",
                                                                        "cost_per_recipient"),
             "cost_per_hour": ("unit", "cost_per_hour"), "unit_tariff": ("unit", "unit_tariff")}
    for r in uc.to_dict("records"):
        t = machine_table(made[r["service_id"]], "tblTariff")
        for col, key in items.items():
            if pd.isna(r[col]):
                assert t[key] is None
                continue
            got = (_money(t, "direct", "ptrp") + _money(t, "direct", "ipv")) if key is None \
                else _money(t, *key)
            assert got == kop(str(r[col])), (r["service_id"], col)


@pytest.mark.parametrize("base", ["hours", "direct_cost"])
def test_the_allocation_base_is_shown_and_used(tmp_path: Path, base: str) -> None:
    book = workbook(tmp_path / "b.xlsx", frames(base))
    assert main(["tariff", str(book), "--service", "S2", "--outdir", str(tmp_path)]) == 0
    t = machine_table(tmp_path / "tariff_2026_S2.xlsx", "tblTariff")
    want = expected(base)["S2"]
    assert _money(t, "admin", "indirect") == want["indirect"]
    scale = 1 if base == "hours" else 100  # hours as they are; money in hryvnias
    assert float(t[("admin", "base_total")]) == pytest.approx(float(want["base_total"]) / scale)
    assert float(t[("admin", "share")]) == pytest.approx(
        float(want["base_service"] / want["base_total"]), abs=1e-8)


def test_user_text_is_text_and_the_file_holds_values(made: dict[str, Path]) -> None:
    for sid in ("S1", "S2", "S3"):
        no_formulas_no_macros(made[sid])
    ws = openpyxl.load_workbook(made["S3"]).worksheets[0]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(ODD_NAME in v for v in texts)
    assert any(v.startswith("=SUM(A1) Терцентр") for v in texts)
    wb = openpyxl.load_workbook(made["S3"])
    info = wb["Дані"]
    cells = [c for row in info.iter_rows() for c in row if c.value == ODD_NAME]
    assert cells and all(c.data_type == "s" for c in cells)


def test_posts_topped_up_to_the_minimum_wage_say_so(made: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(made["S2"]).worksheets[0]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert any("Практичний психолог (оплата до мінімальної заробітної плати)" in t
               for t in texts)
    assert 8647.0 in [c.value for row in ws.iter_rows() for c in row]


def test_unknown_service_is_one_line(made: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tariff", str(made["book"]), "--service", "S9", "--outdir",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "S9" in err and "S1, S2, S3" in err and "\n" not in err
    assert not (tmp_path / "o").exists()


def test_a_service_whose_row_has_errors_is_a_check_at_its_cell(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    f = frames()
    f["tblServices"].loc[1, "planned_units"] = None  # S2 has no units
    book = workbook(tmp_path / "b.xlsx", f)
    out = tmp_path / "o"
    assert main(["tariff", str(book), "--service", "S2", "--outdir", str(out)]) == 1
    said = capsys.readouterr().out
    assert "S2" in said and "Послуги!" in said
    assert not list(out.glob("*.xlsx")) if out.exists() else True
    assert main(["tariff", str(book), "--outdir", str(out)]) == 1  # the others still made
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["tariff_2026_S1.xlsx",
                                                          "tariff_2026_S3.xlsx"]


def test_one_file_open_in_excel_stops_them_all(made: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "~$tariff_2026_S2.xlsx").write_bytes(b"owner")
    assert main(["tariff", str(made["book"]), "--outdir", str(tmp_path)]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["~$tariff_2026_S2.xlsx"]


def test_no_costing_tables_is_exit_two(tmp_path: Path) -> None:
    f = frames()
    del f["tblTime"]
    book = workbook(tmp_path / "b.xlsx", f)
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        if "tblTime" in ws.tables:
            del ws.tables["tblTime"]
    wb.save(book)
    assert main(["tariff", str(book), "--outdir", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(not HAS_RENDER, reason="LibreOffice or poppler not installed")
def test_every_page_prints(made: dict[str, Path], tmp_path: Path) -> None:
    pages, text = render(made["S1"], tmp_path)
    assert_printed(pages, text, landscape=True)
    assert "РОЗРАХУНОК" in text and "ВП = ПВ + ЧАВ + ПДВ" in text
    assert "Керівник установи" in text  # the signatures are printed
    assert "41 111 096,40" not in text  # amounts are the kopiyka-rounded ones
    tariff = machine_table(made["S1"], "tblTariff")[("unit", "unit_tariff")]
    assert f"{tariff:,.2f}".replace(",", "\u00a0").replace(".", ",") in text.replace(" ", "\u00a0")


# --- property: the tariff's parts always add up to the engine's figures -------------------

shares = st.lists(st.integers(0, 100), min_size=3, max_size=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(["direct", "indirect"]), st.integers(1, 40),
                          st.integers(500_000, 4_000_000), st.integers(1, 12), shares),
                min_size=1, max_size=6),
       st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10**7)), max_size=5),
       st.sampled_from(["direct_labor", "direct_cost", "hours"]))
def test_parts_add_up_to_the_engine(posts: list[tuple[str, int, int, int, list[int]]],
                                    costs: list[tuple[int, int]], base: str) -> None:
    f = frames(base)
    # fte in halves and pay in any kopiykas: a payroll may fall on an exact half kopiyka
    # (7,5 × 16 384,37 × 9 = 1 105 944,975), which must round up as the typed figures say
    f["tblStaff"] = frame([{"position_id": f"Q{i}", "title": f"Посада {i}", "category": c,
                            "fte": q / 2, "monthly_pay": pay / 100, "months": m,
                            "kpkvk": "0813104"} for i, (c, q, pay, m, _s) in enumerate(posts)])
    f["tblTime"] = frame([{"position_id": f"Q{i}", "service_id": s, "share": w / 300}
                          for i, (*_x, ws) in enumerate(posts) for s, w in zip(
                              ("S1", "S2", "S3"), ws, strict=True) if w])
    f["tblCosts"] = frame([{"kekv": "2210", "description": "x", "amount": a / 100,
                            "service_id": None if s == 0 else f"S{s}", "kpkvk": "0813104",
                            "fund": "general"} for s, a in costs])
    result = parts.compute(MemoryBook.from_frames(f, "uk").tables, only="costing")
    inputs = tariff_inputs(result)
    uc = result.outputs["tblUnitCosts"].set_index("service_id")
    docs = [build_tariff(inputs, s) for s in ("S1", "S2", "S3")]
    labor = {}
    for d in docs:
        assert d.zpev == kop(str(uc.loc[d.service_id, "direct_labor"]))
        assert d.direct == d.zpev + kop(str(uc.loc[d.service_id, "direct_other"]))
        assert d.direct + d.indirect == d.total_cost == kop(str(uc.loc[d.service_id,
                                                                       "total_cost"]))
        assert d.vat_unit + d.unit_cost == d.unit_tariff
        for p in d.posts:
            assert p.wages + p.esv == p.zpev and p.esv >= 0
            labor.setdefault(p.position_id, 0)
            labor[p.position_id] += p.zpev
            assert abs(p.zpev - F(p.post_payroll) * F("1.22") * F(p.share)) < 2
    pool = docs[0].pool_total
    assert all(d.pool_total == pool for d in docs)
    if any(d.base_service for d in docs):
        assert sum(d.indirect for d in docs) == pool
    for p in docs[0].pool:
        if p.kind == "labor":
            labor[p.key] = labor.get(p.key, 0) + p.amount
    for pid, total in labor.items():  # every post's labor, on services and in the pool
        row = f["tblStaff"][f["tblStaff"]["position_id"] == pid].iloc[0]
        payroll = half_up(F(str(row["fte"])) * F(str(max(row["monthly_pay"], 8647.0)))
                          * int(row["months"]) * 100)
        assert total == payroll + half_up(payroll * F("0.22"))


def test_a_service_that_costs_nothing_gets_no_tariff_and_no_price(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A service with no time, no costs and (by direct labor) no share of the pool: the
    warning service_no_cost at refresh; no tariff of 0 UAH and no procurement price."""
    f = frames()
    f["tblServices"] = frame([*f["tblServices"].to_dict("records"), {
        "service_id": "S4", "name": "Соціальне таксі", "unit": "поїздка",
        "planned_units": 300.0, "planned_recipients": 30.0, "kpkvk": "0813104"}])
    book = workbook(tmp_path / "k.xlsx", f)
    assert main(["refresh", str(book)]) == 0  # a warning only
    assert "«S4» не має жодних витрат" in capsys.readouterr().out
    out = tmp_path / "out"
    assert main(["tariff", str(book), "--outdir", str(out)]) == 1
    said = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [
        "tariff_2026_S1.xlsx", "tariff_2026_S2.xlsx", "tariff_2026_S3.xlsx"]
    assert "послуга S4 коштує 0 грн" in said and "розрахунок тарифу" in said
    # the book itself has no error: no "the workbook has 1 error, check shows it" (it
    # would not: the refusal is this command's, said above)
    assert "у книзі помилок" not in said
    assert main(["procurement", str(book), "--service", "S4", "--outdir", str(out)]) == 1
    assert "обґрунтування закупівлі для неї не сформовано" in capsys.readouterr().out
    assert not list(out.glob("procurement_*"))


def test_a_service_id_no_file_name_can_hold_stays_in_the_folder(tmp_path: Path) -> None:
    """«U/01» and «../../U02» as service ids: the tariffs were written as
    tariff_2026_U/01.xlsx (a folder that does not exist: nothing written, exit 2) or
    outside the folder asked for. Now each is one file in it, named reversibly."""

    path, wb = sample_book(tmp_path)
    renamed = {"U01": "U/01", "U02": "../../U02", "U03": "U_01"}
    for ws, col in ((wb["Послуги"], 0), (wb["Час"], 1), (wb["Видатки"], 3)):
        for row in ws.iter_rows(min_row=4):
            if row[col].value in renamed:
                row[col].value = renamed[row[col].value]
    wb.save(path)
    out = tmp_path / "deep" / "out"
    assert main(["tariff", str(path), "--outdir", str(out)]) == 0
    made = sorted(p.name for p in out.iterdir())
    assert {"tariff_2026_U%2F01.xlsx", "tariff_2026_%2E.%2F..%2FU02.xlsx",
            "tariff_2026_U_01.xlsx"} <= set(made)
    assert sorted(p.name for p in tmp_path.rglob("*.xlsx") if p.parent != out) == ["k.xlsx"]
    assert main(["procurement", str(path), "--service", "U/01", "--outdir", str(out)]) == 0
    assert (out / "procurement_2026_U%2F01.xlsx").is_file()
