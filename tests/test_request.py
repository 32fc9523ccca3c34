"""Budget requests: content ties to its totals, files are print-ready, no macros."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


def _inputs(rounding: int = 0, index_rate: float = 0.1) -> RequestInputs:
    s = Settings(institution="Територіальний центр соціального обслуговування",
                 edrpou="01234567", hromada="Кремінська міська громада", plan_year=2026,
                 index_rate=index_rate, rounding=rounding)
    cost = pd.DataFrame(
        [
            (A, "2111", "general", 1000.40),
            (A, "2120", "general", 220.10),
            (A, "2240", "special", 500.45),
            (A, "2273", "general", 99.99),
            (B, "2111", "general", 2000.00),
            (B, "2730", "special", 300.00),
        ],
        columns=schema.table("tblCostByKekv").column_keys,
    )
    plan = pd.DataFrame(
        [
            {"kpkvk": A, "kekv": "2111", "fund": "general", **_months((300, 300, 300, 300))},
            {"kpkvk": A, "kekv": "2240", "fund": "special", **_months((60, 60, 60, 60))},
            {"kpkvk": B, "kekv": "2111", "fund": "general", **_months((450, 450, 450, 450))},
        ]
    )
    var_cols = schema.table("tblVariance").column_keys
    variance = pd.DataFrame(
        [
            # quarter 1 then 2 for A/2111: the latest quarter's forecast counts
            dict.fromkeys(var_cols) | {"kpkvk": A, "kekv": "2111", "fund": "general",
                                       "quarter": 1, "forecast": 1100.0},
            dict.fromkeys(var_cols) | {"kpkvk": A, "kekv": "2111", "fund": "general",
                                       "quarter": 2, "forecast": 1150.0},
            dict.fromkeys(var_cols) | {"kpkvk": A, "kekv": "2240", "fund": "special",
                                       "quarter": 2, "forecast": 200.0},
        ],
        columns=var_cols,
    )
    services = pd.DataFrame(
        [
            ("S1", "Догляд вдома", "година", 5000.0, 40.0, A),
            ("S2", "Денний догляд", "відвідування", 1200.0, 25.0, A),
            ("S3", "Соціальна профілактика", "отримувач-місяць", 600.0, 50.0, B),
        ],
        columns=schema.table("tblServices").column_keys[:6],
    )
    staff = pd.DataFrame(
        [
            ("P1", "Соціальний робітник", "direct", 4.0, 9000.0, 12, A),
            ("P2", "Директор", "indirect", 1.0, 15000.0, 12, A),
            ("P3", "Фахівець із соціальної роботи", "direct", 0.5, 10000.0, 12, A),
            ("P4", "Психолог", "direct", 2.0, 11000.0, 12, B),
        ],
        columns=schema.table("tblStaff").column_keys,
    )
    uc_cols = schema.table("tblUnitCosts").column_keys
    unit_costs = pd.DataFrame(
        [
            dict.fromkeys(uc_cols) | {"service_id": "S1", "unit_cost": 70.71,
                                      "cost_per_recipient": 8838.75},
            dict.fromkeys(uc_cols) | {"service_id": "S2", "unit_cost": 99.0,
                                      "cost_per_recipient": None},
            dict.fromkeys(uc_cols) | {"service_id": "S3", "unit_cost": 500.0,
                                      "cost_per_recipient": 6000.0},
        ],
        columns=uc_cols,
    )
    needs = pd.DataFrame(
        [
            ("N1", "Придбання автомобіля", A, 2026, 1000.0, 0.0, 2026, 2027),
            ("N2", "Навчання персоналу", B, 2026, 500.0, 0.0, 2026, 2026),
        ],
        columns=schema.table("tblNeeds").column_keys,
    )
    split = pd.DataFrame(
        [
            ("N1", 2026, 1000.0, 600.0, 0.0, 0.0, 300.0, 0.0, 100.0),
            ("N1", 2027, 1000.0, 1000.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            ("N2", 2026, 500.0, 0.0, 500.0, 0.0, 0.0, 0.0, 0.0),
        ],
        columns=schema.table("tblFundingSplit").column_keys,
    )
    return RequestInputs(s, cost_by_kekv=cost, unit_costs=unit_costs, services=services,
                         staff=staff, plan=plan, variance=variance, funding_split=split,
                         needs=needs)


def _doc(docs, code):  # type: ignore[no-untyped-def]
    return next(d for d in docs if d.kpkvk == code)


def test_one_request_per_program_with_hand_computed_amounts() -> None:
    docs = build_requests(_inputs())
    assert [d.kpkvk for d in docs] == [A, B]
    a = _doc(docs, A)
    row = {r.kekv: r for r in a.rows}
    assert list(row) == ["2111", "2120", "2240", "2273"]
    # execution year: approved = Σ months of tblPlan; expected = latest quarter's forecast
    assert row["2111"].amount("approved", "general") == 1200
    assert row["2111"].amount("expected", "general") == 1150
    assert row["2240"].amount("approved", "special") == 240
    assert row["2240"].amount("expected", "special") == 200
    # plan year, whole hryvnias: 1000.40 + 220.10 + 99.99 = 1320.49 → 1320 in total;
    # parts 1000.40, 220.10, 99.99 → floors 1000, 220, 99 (=1319), the largest remainder
    # (0.99 of 2273) gets the missing hryvnia
    assert row["2111"].amount("plan", "general") == 1000
    assert row["2120"].amount("plan", "general") == 220
    assert row["2273"].amount("plan", "general") == 100
    assert row["2240"].amount("plan", "special") == 500
    assert a.totals.amount("plan", "general") == 1320
    assert a.totals.amount("plan", "total") == 1820
    # forecast years from the printed plan figures × 1.1^k, rounded
    # 2111: 1100, 1210; 2120: 242, 266.2; 2273: 110, 121; 2240: 550, 605
    assert row["2111"].amount("forecast1", "general") == 1100
    assert row["2120"].amount("forecast2", "general") == 266
    assert row["2273"].amount("forecast2", "general") == 121
    assert row["2240"].amount("forecast2", "special") == 605
    assert a.totals.amount("forecast1", "total") == 1100 + 242 + 110 + 550
    assert a.totals.amount("forecast2", "total") == 1210 + 266 + 121 + 605
    b = _doc(docs, B)
    # B has a plan but no variance rows: expected = approved
    assert b.totals.amount("approved", "total") == 1800
    assert b.totals.amount("expected", "total") == 1800
    assert not b.expected_known and a.expected_known


def test_kekv_names_and_program_name_come_from_the_classifiers() -> None:
    a = _doc(build_requests(_inputs()), A)
    assert {r.kekv: r.name for r in a.rows}["2111"] == "Заробітна плата"
    assert a.kpkvk_name  # 3104 is a social-protection program


def test_indicators_per_program() -> None:
    a = _doc(build_requests(_inputs()), A)
    ind = {(i.group, i.name): i for i in a.indicators}
    assert ind[("затрат", "Кількість штатних одиниць")].value == 5.5  # 4 + 1 + 0.5
    assert ind[("затрат", "Кількість соціальних послуг")].value == 2
    assert ind[("продукту", "Догляд вдома: кількість отримувачів")].value == 40
    assert ind[("продукту", "Денний догляд: обсяг надання")].unit == "відвідування"
    assert ind[("ефективності", "Догляд вдома: вартість одиниці послуги")].value == 70.71
    assert ("ефективності", "Денний догляд: середні витрати на одного отримувача") not in ind
    # quality: 1820 planned vs 1440 approved → +26.4 %; expected 1350 / 1440 → 93.8 %
    quality = [i for i in a.indicators if i.group == "якості"]
    assert [q.value for q in quality] == [26.4, 93.8]
    assert all(i.source and i.unit for i in a.indicators)
    assert [i.number for i in a.indicators if i.group == "затрат"] == ["1.1", "1.2", "1.3"]
    # B's staff and services are not A's
    assert not any("профілактика" in i.name for i in a.indicators)



def test_no_costing_gives_no_change_against_last_year() -> None:
    # a workbook with plan and actuals only: the plan year is unknown, not a 100 % cut
    inputs = _inputs()
    inputs.cost_by_kekv = None
    a = _doc(build_requests(inputs), A)
    quality = {i.name: i.value for i in a.indicators if i.group == "якості"}
    assert not any(name.startswith("Зміна обсягу") for name in quality)
    # expected execution is still known: 1150 + 200 of 1200 + 240 approved → 93.8 %
    assert list(quality.values()) == [93.8]

def test_funding_by_source_for_the_programs_activities() -> None:
    docs = build_requests(_inputs())
    fa = _doc(docs, A).funding
    assert fa["year"].tolist() == [2026, 2027]
    assert fa[["need", "local", "donor", "gap"]].iloc[0].tolist() == [1000, 600, 300, 100]
    fb = _doc(docs, B).funding
    assert fb["state"].tolist() == [500]


def test_one_program_only_and_unknown_program() -> None:
    docs = build_requests(_inputs(), kpkvk=B)
    assert [d.kpkvk for d in docs] == [B]
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
    posts = next(i for i in doc.indicators if i.name == "Кількість штатних одиниць")
    assert posts.value == 7.5  # every post, as there is one program


def test_tblrequest_rows_tie_to_the_printed_totals() -> None:
    for rounding in (0, 2):
        for doc in build_requests(_inputs(rounding=rounding, index_rate=0.037)):
            t = doc.table
            assert t.columns.tolist() == ["kpkvk", "kekv", "fund", "year", "amount"]
            assert set(t["year"]) <= {2026, 2027, 2028}
            for col in doc.columns[2:]:
                for fund in ("general", "special"):
                    got = t[(t["year"] == col.year) & (t["fund"] == fund)]["amount"].sum()
                    assert round(got, 2) == doc.totals.amount(col.key, fund)
                    rows = sum(r.amount(col.key, fund) for r in doc.rows)
                    assert round(rows, 2) == doc.totals.amount(col.key, fund)
            if rounding == 0:
                assert all(float(x).is_integer() for x in t["amount"])


@given(
    amounts=st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1,
                     max_size=8),
    rate=st.floats(min_value=-0.2, max_value=0.5),
    rounding=st.sampled_from([0, 2]),
)
@settings(max_examples=60, deadline=None)
def test_rows_always_tie_to_totals(amounts: list[float], rate: float, rounding: int) -> None:
    codes = ["2111", "2120", "2210", "2240", "2250", "2271", "2273", "2800"]
    cost = pd.DataFrame({"kpkvk": A, "kekv": codes[: len(amounts)],
                         "fund": [("general", "special")[i % 2] for i in range(len(amounts))],
                         "amount": amounts})
    s = Settings(plan_year=2026, index_rate=rate, rounding=rounding)
    docs = build_requests(RequestInputs(s, cost_by_kekv=cost))
    for doc in docs:
        for col in doc.columns:
            for fund in ("general", "special", "total"):
                rows = sum(round(r.amount(col.key, fund) * 100) for r in doc.rows)
                assert rows == round(doc.totals.amount(col.key, fund) * 100)
        for i, fund in enumerate(("general", "special")):
            exact = sum(amounts[i::2])  # each fund's total is its exact sum, rounded
            assert abs(doc.totals.amount("plan", fund) - exact) <= 0.5 * 10**-rounding + 1e-6


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("requests")
    return [write_request(d, out) for d in build_requests(_inputs())]


def test_workbook_per_program_with_its_file_name(written: list[Path]) -> None:
    assert [p.name for p in written] == [request_file_name(2026, A), request_file_name(2026, B)]
    assert written[0].name == "request_2026_0813104.xlsx"
    assert all(p.stat().st_size > 0 for p in written)
    assert not list(written[0].parent.glob(".~kosht-*"))  # no temporary left


def test_workbook_table_ties_and_print_setup(written: list[Path]) -> None:
    wb = load_workbook(written[0])
    ws = wb["Дані"]
    ref = ws.tables["tblRequest"].ref
    rows = [[c.value for c in r] for r in ws[ref]]
    assert rows[0] == ["kpkvk", "kekv", "fund", "year", "amount"]
    data = rows[1:]
    assert all(r[0] == A and isinstance(r[1], str) for r in data)
    by = {}
    for _k, _e, fund, year, amount in data:
        by[(year, fund)] = by.get((year, fund), 0) + amount
    assert by[(2026, "general")] == 1320 and by[(2026, "special")] == 500
    # the totals printed on the form sheet carry the same numbers
    form = wb["Запит"]
    totals = [[c.value for c in r] for r in form.iter_rows() if r[1].value == "Усього"]
    assert [1200, 240, 1440, 1150, 200, 1350, 1320, 500, 1820] in [t[2:11] for t in totals]
    assert [1452, 550, 2002, 1597, 605, 2202] in [t[2:8] for t in totals]
    for ws in (form, wb["Дані"]):
        assert ws.page_setup.paperSize in (9, "9")
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.print_title_rows
    assert form.print_title_rows == "$1:$2"
    text = " ".join(str(c.value) for r in form.iter_rows() for c in r if c.value)
    assert "Керівник установи" in text and "Керівник фінансової служби" in text
    assert "01234567" in text


def test_no_macros(written: list[Path]) -> None:
    for p in written:
        names = zipfile.ZipFile(p).namelist()
        assert not any("vbaProject" in n for n in names)
        assert p.suffix == ".xlsx"


def test_summary_reads_back(written: list[Path]) -> None:
    s = read_summary(written[0])
    assert (s.plan_year, s.kpkvk, s.rounding) == (2026, A, 0)
    assert s.totals == {"general": 1320, "special": 500, "total": 1820}
    assert s.institution.startswith("Територіальний центр")
    assert s == _doc(build_requests(_inputs()), A).summary()


def test_write_to_a_file_path(tmp_path: Path) -> None:
    doc = build_requests(_inputs())[0]
    target = tmp_path / "my.xlsx"
    assert write_request(doc, target) == target and target.is_file()


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or poppler not installed")
def test_pdf_and_png_are_not_blank(written: list[Path], tmp_path: Path) -> None:
    from PIL import Image

    from koshtorys.documents.pdf import to_pdf

    pdf = to_pdf(written[0], tmp_path)
    assert pdf.name == "request_2026_0813104.pdf" and pdf.stat().st_size > 1000
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")],
                   check=True, capture_output=True, timeout=60)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    img = Image.open(pages[0]).convert("L")
    lo, _hi = img.getextrema()
    assert lo < 128  # something dark was printed
    assert img.width > img.height  # the form sheet is landscape


def test_pdf_failure_is_one_line_and_stale_pdf_not_taken(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from koshtorys.documents import pdf

    # a stand-in soffice that, like the real one on failure, exits 0 and writes nothing
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice_path", lambda: str(fake))
    src = tmp_path / "request_2026_0813104.xlsx"
    src.write_bytes(b"not a workbook")
    stale = tmp_path / "out" / "request_2026_0813104.pdf"
    stale.parent.mkdir()
    stale.write_bytes(b"%PDF old")
    with pytest.raises(KoshtorysError) as err:
        pdf.to_pdf(src, stale.parent)
    assert "could not be loaded" in str(err.value) and "\n" not in str(err.value)
    assert stale.read_bytes() == b"%PDF old"
    assert [p.name for p in stale.parent.iterdir()] == [stale.name]  # no temporary left
    with pytest.raises(KoshtorysError):
        pdf.to_pdf(tmp_path / "missing.xlsx", tmp_path)
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(KoshtorysError, match="LibreOffice"):
        pdf.to_pdf(src, tmp_path)


def test_pdf_batches_keep_same_named_files_apart() -> None:
    from koshtorys.documents.pdf import _batches

    a, b, c = Path("/x/r.xlsx"), Path("/y/r.xlsx"), Path("/x/s.xlsx")
    assert _batches([a, b, c]) == [[a, c], [b]]
