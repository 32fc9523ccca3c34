"""Budget requests: hand-computed amounts, the header codes, the files (print set-up, the
machine sheet, no macros) and reading them back."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from koshtorys.core import schema
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.settings import Settings
from koshtorys.documents.request import RequestInputs, build_requests, request_file_name
from koshtorys.documents.request_sheet import read_summary, write_request

A, B = "0813104", "0813121"


def _months(annual_by_quarter: tuple[float, float, float, float]) -> dict[str, float]:
    """Twelve months, each quarter's amount spread evenly over its three months."""
    out = {}
    for q, amount in enumerate(annual_by_quarter):
        for m in range(3):
            out[schema.MONTHS[3 * q + m]] = amount / 3
    return out


def _inputs(rounding: int = 0, index_rate: float = 0.1, **settings: object) -> RequestInputs:
    s = Settings(**{"institution": "Територіальний центр соціального обслуговування",
                    "edrpou": "43217655", "hromada": "Кремінська міська громада",
                    "plan_year": 2026, "index_rate": index_rate, "rounding": rounding,
                    "budget_code": "12517000000", **settings})
    cost = pd.DataFrame(
        [(A, "2111", "general", 1000.40), (A, "2120", "general", 220.10),
         (A, "2240", "special", 500.45), (A, "2273", "general", 99.99),
         (B, "2111", "general", 2000.00), (B, "2730", "special", 300.00)],
        columns=schema.table("tblCostByKekv").column_keys)
    plan = pd.DataFrame([
        {"kpkvk": A, "kekv": "2111", "fund": "general", **_months((300, 300, 300, 300))},
        {"kpkvk": A, "kekv": "2240", "fund": "special", **_months((60, 60, 60, 60))},
        {"kpkvk": B, "kekv": "2111", "fund": "general", **_months((450, 450, 450, 450))},
    ])
    history = pd.DataFrame(
        [(A, "2111", "general", 2024, 900.0), (A, "2120", "general", 2024, 198.0),
         (A, "2111", "general", 2023, 7777.0)],  # 2023 is not the звіт year
        columns=schema.table("tblHistory").column_keys)
    services = pd.DataFrame(
        [("S1", "Догляд вдома", "година", 5000.0, 40.0, A, 4800.0, 38.0),
         ("S2", "Денний догляд", "відвідування", 1200.0, 25.0, A, 1000.0, 25.0),
         ("S3", "Соціальна профілактика", "захід", 600.0, 50.0, B, None, None)],
        columns=schema.table("tblServices").column_keys)
    staff = pd.DataFrame(
        [("P1", "Соціальний робітник", "direct", 4.0, 9000.0, 12, A),
         ("P2", "Директор", "indirect", 1.0, 15000.0, 12, A),
         ("P3", "Фахівець", "direct", 0.5, 10000.0, 12, A),
         ("P4", "Психолог", "direct", 2.0, 11000.0, 12, B)],
        columns=schema.table("tblStaff").column_keys)
    uc_cols = schema.table("tblUnitCosts").column_keys
    unit_costs = pd.DataFrame(
        [dict.fromkeys(uc_cols) | {"service_id": "S1", "total_cost": 3000.0},
         dict.fromkeys(uc_cols) | {"service_id": "S2", "total_cost": 1000.0},
         dict.fromkeys(uc_cols) | {"service_id": "S3", "total_cost": 500.0}],
        columns=uc_cols)
    needs = pd.DataFrame(
        [("N1", "Придбання автомобіля", A, 2026, 1000.0, 0.0, 2026, 2027),
         ("N2", "Навчання персоналу", B, 2026, 500.0, 0.0, 2026, 2026)],
        columns=schema.table("tblNeeds").column_keys)
    split = pd.DataFrame(
        [("N1", 2026, 1000.0, 600.0, 0.0, 0.0, 300.0, 0.0, 100.0),
         ("N1", 2027, 1000.0, 1000.0, 0.0, 0.0, 0.0, 0.0, 0.0),
         ("N2", 2026, 500.0, 0.0, 500.0, 0.0, 0.0, 0.0, 0.0)],
        columns=schema.table("tblFundingSplit").column_keys)
    programs = pd.DataFrame([(A, "", "Мета A", "1. Перше\n2. Друге", "Закон", "Напрями")],
                            columns=schema.table("tblPrograms").column_keys)
    return RequestInputs(s, cost_by_kekv=cost, unit_costs=unit_costs, services=services,
                         staff=staff, plan=plan, funding_split=split, needs=needs,
                         programs=programs, history=history)


def _doc(docs, code):  # type: ignore[no-untyped-def]
    return next(d for d in docs if d.kpkvk == code)


def test_one_request_per_program_with_hand_computed_amounts() -> None:
    docs = build_requests(_inputs())
    assert [d.kpkvk for d in docs] == [A, B]
    a = _doc(docs, A)
    row = {r.kekv: r for r in a.rows}
    assert list(row) == ["2111", "2120", "2240", "2273"]
    assert [c.label for c in a.columns] == [
        "2024 рік (звіт)", "2025 рік (затверджено)", "2026 рік (проєкт)",
        "2027 рік (прогноз)", "2028 рік (прогноз)"]
    # звіт: tblHistory of plan_year − 2 only; затверджено: Σ months of tblPlan
    assert row["2111"].amount("report", "general") == 900
    assert row["2120"].amount("report", "general") == 198
    assert row["2111"].amount("approved", "general") == 1200
    assert row["2240"].amount("approved", "special") == 240
    # plan year, whole hryvnias: 1000.40 + 220.10 + 99.99 = 1320.49 → 1320; floors 1000,
    # 220, 99 (= 1319): the largest remainder (0.99 of 2273) gets the missing hryvnia
    assert row["2111"].amount("plan", "general") == 1000
    assert row["2120"].amount("plan", "general") == 220
    assert row["2273"].amount("plan", "general") == 100
    assert row["2240"].amount("plan", "special") == 500
    assert a.totals.amount("plan", "total") == 1820
    # forecasts from the printed plan figures × 1.1^k: 2111 1100, 1210; 2120 242, 266.2;
    # 2273 110, 121; 2240 550, 605
    assert row["2120"].amount("forecast2", "general") == 266
    assert a.totals.amount("forecast1", "total") == 1100 + 242 + 110 + 550
    assert a.totals.amount("forecast2", "total") == 1210 + 266 + 121 + 605
    assert _doc(docs, B).totals.amount("approved", "total") == 1800


def test_header_codes_from_settings_and_shipped_data() -> None:
    a = _doc(build_requests(_inputs(grk="УСЗН", grk_code="08", grk_edrpou="03192849")), A)
    c = a.codes
    assert (c.grk, c.grk_code, c.grk_edrpou) == ("УСЗН", "0800000", "03192849")
    assert (c.performer_code, c.edrpou) == ("0810000", "43217655")
    assert (c.kpkvk, c.tpkvk, c.kfkvk, c.budget_code) == (A, "3104", "1020", "12517000000")
    assert _doc(build_requests(_inputs()), B).codes.kfkvk == "1040"
    # no grk: the institution is its own main spending unit, with its own ЄДРПОУ
    own = _doc(build_requests(_inputs()), A).codes
    assert (own.grk, own.grk_edrpou) == ("Територіальний центр соціального обслуговування",
                                         "43217655")


def test_directions_and_indicators_per_program() -> None:
    a = _doc(build_requests(_inputs()), A)
    # 1820 of the plan year over S1 : S2 = 3000 : 1000 → 1365 and 455
    assert [(d.service_id, d.amount("plan", "total")) for d in a.directions] == [
        ("S1", 1365.0), ("S2", 455.0)]
    ind = {(i.measure, i.service_id): i for i in a.indicators}
    assert ind[("posts", None)].value("plan") == 5.5  # 4 + 1 + 0.5
    assert ind[("posts", None)].value("report") is None  # not in the workbook
    assert ind[("recipients", "S1")].value("approved") == 38  # actual_recipients
    assert ind[("units", "S2")].unit == "відвідувань"
    # 1365 / 5000 = 0.273: with two decimals 0.27 × 5000 = 1350 (15 off), so three
    per = ind[("per_unit", "S1")]
    assert (str(per.values["plan"]), per.decimals["plan"]) == ("0.273", 3)
    # S2: 455 / 1200 = 0.37916…; 0.379 × 1200 = 454.8 is 0.2 off, within ½ ÷ 2 services
    assert str(ind[("per_unit", "S2")].values["plan"]) == "0.379"
    assert "на одну годину" in per.name and per.unit == "грн"
    # якості: recipients 38 → 40 in the plan year: +5.3 %
    assert ind[("recipients_change", "S1")].value("plan") == 5.3
    assert not any("профілактика" in i.name for i in a.indicators)  # B's service


def test_funding_by_source_for_the_programs_activities() -> None:
    docs = build_requests(_inputs())
    fa = _doc(docs, A).funding
    assert fa["year"].tolist() == [2026, 2027]
    assert fa[["need", "local", "donor", "gap"]].iloc[0].tolist() == [1000, 600, 300, 100]
    assert _doc(docs, B).funding["state"].tolist() == [500]
    rows = _doc(docs, A).funding_rows
    assert rows["name"].tolist() == ["Придбання автомобіля", "Придбання автомобіля"]


def test_one_program_only_and_unknown_program() -> None:
    assert [d.kpkvk for d in build_requests(_inputs(), kpkvk=B)] == [B]
    assert [d.kpkvk for d in build_requests(_inputs(), kpkvk="813121")] == [B]
    with pytest.raises(KoshtorysError):
        build_requests(_inputs(), kpkvk="0819999")


def test_blank_program_codes_belong_to_the_only_program() -> None:
    inputs = _inputs()
    inputs.cost_by_kekv = inputs.cost_by_kekv[inputs.cost_by_kekv["kpkvk"] == A]
    inputs.plan = inputs.plan[inputs.plan["kpkvk"] == A]
    staff = inputs.staff.copy()
    staff["kpkvk"] = None
    inputs.staff = staff
    [doc] = build_requests(inputs)
    assert doc.posts["plan"] == 7.5  # every post, as there is one program


def test_tblrequest_rows_tie_to_the_printed_totals() -> None:
    for rounding in (0, 2):
        for doc in build_requests(_inputs(rounding=rounding, index_rate=0.037)):
            t = doc.table
            assert t.columns.tolist() == ["kpkvk", "kekv", "fund", "year", "amount", "form"]
            assert set(t["form"]) == {2} and set(t["fund"]) <= {"general", "special"}
            assert set(t["year"]) <= {2026, 2027, 2028}
            for col in doc.columns[2:]:
                for fund in ("general", "special"):
                    got = t[(t["year"] == col.year) & (t["fund"] == fund)]["amount"].sum()
                    assert round(got, 2) == doc.totals.amount(col.key, fund)
            if rounding == 0:
                assert all(float(x).is_integer() for x in t["amount"])


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("requests")
    return [write_request(d, out) for d in build_requests(_inputs())]


def test_workbook_per_program_with_its_file_name(written: list[Path]) -> None:
    assert [p.name for p in written] == [request_file_name(2026, A), request_file_name(2026, B)]
    assert written[0].name == "request_2026_0813104.xlsx"
    assert not list(written[0].parent.glob(".~kosht-*"))  # no temporary left


def test_machine_tables_and_print_setup(written: list[Path]) -> None:
    wb = load_workbook(written[0])
    data = wb["Дані"]
    assert data.sheet_state == "hidden"  # never printed
    ref = data.tables["tblRequest"].ref
    rows = [[c.value for c in r] for r in data[ref]]
    assert rows[0] == ["kpkvk", "kekv", "fund", "year", "amount", "form"]
    by: dict[tuple[int, str], float] = {}
    for _k, kekv, fund, year, amount, form in rows[1:]:
        assert isinstance(kekv, str) and form == 2
        by[(year, fund)] = by.get((year, fund), 0) + amount
    assert by[(2026, "general")] == 1320 and by[(2026, "special")] == 500
    info = {k: v for k, v in ([c.value for c in r] for r in data[data.tables[
        "tblRequestInfo"].ref]) if k != "key"}
    for key in ("institution", "edrpou", "kpkvk", "kpkvk_name", "plan_year",
                "execution_year", "rounding", "form", "ceiling_general", "ceiling_special"):
        assert key in info
    assert (info["form"], info["kpkvk"], info["edrpou"]) == (2, A, "43217655")
    assert info["ceiling_general"] is None and info["ceiling_special"] is None
    form = wb["Запит"]
    assert form.page_setup.paperSize in (9, "9") and form.page_setup.orientation == "landscape"
    assert form.print_title_rows == "$1:$2"
    assert 10 <= int(form.page_setup.scale) <= 100
    assert form.print_area
    amounts = [c for r in form.iter_rows() for c in r if isinstance(c.value, float | int)
               and c.number_format.startswith("[$-422]#,##0")]
    assert amounts  # Ukrainian digit grouping
    text = " ".join(str(c.value) for r in form.iter_rows() for c in r if c.value)
    assert "Керівник установи" in text and "Керівник фінансової служби" in text
    for section in ("4.1. Мета", "5.1. Надходження", "6.1. Видатки", "7.1. Видатки",
                    "8. Результативні", "9.3. Чисельність", "10. Місцеві", "11. Об'єкти",
                    "12.1. Кредиторська", "13. Підстави"):
        assert section in text, section
    assert "Мета A" in text and "Перше" in text


def test_no_macros(written: list[Path]) -> None:
    for p in written:
        assert not any("vbaProject" in n for n in zipfile.ZipFile(p).namelist())


def test_summary_reads_back(written: list[Path]) -> None:
    s = read_summary(written[0])
    assert (s.plan_year, s.kpkvk, s.rounding, s.form) == (2026, A, 0, 2)
    assert s.totals == {"general": 1320, "special": 500, "total": 1820}
    assert s.lines[("2111", "general")] == 1000 and s.lines[("2240", "special")] == 500
    assert s.institution.startswith("Територіальний центр") and s.edrpou == "43217655"
    assert s == _doc(build_requests(_inputs()), A).summary()


def test_read_summary_refuses_other_files(tmp_path: Path) -> None:
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(KoshtorysError):
        read_summary(bad)


def test_write_to_a_file_path(tmp_path: Path) -> None:
    doc = build_requests(_inputs())[0]
    target = tmp_path / "my.xlsx"
    assert write_request(doc, target) == target and target.is_file()
