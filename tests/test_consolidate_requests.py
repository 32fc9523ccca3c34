"""The finance department's side: received budget requests against the ceilings.

Request files are made two ways: with openpyxl exactly as SPEC describes them (a sheet
«Дані» with tblRequest and tblRequestInfo, Форма -2 and -3, ceilings in the info), and by
``koshtorys request`` itself from the two bundled sample institutions. Expected figures
are added up by hand (or with Decimal in the property test), never by the code tested.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table
from stdnum.ua import edrpou as edrpou_code

from koshtorys.cli import main
from koshtorys.commands.consolidate import consolidate_folder
from koshtorys.engine.consolidate import against_ceilings

A_CODE = "12345678"
B_CODE = "3100001" + edrpou_code.calc_check_digit("3100001")


def request_file(path: Path, info: dict[str, object],
                 lines: list[tuple[object, ...]], with_form: bool = True) -> Path:
    """A request workbook as SPEC has it: sheet «Дані», tblRequest and tblRequestInfo."""
    wb = Workbook()
    wb.active.title = "Запит"
    wb.active["A1"] = "Бюджетний запит (друкована форма)"
    ws = wb.create_sheet("Дані")
    heads = ["kpkvk", "kekv", "fund", "year", "amount"] + (["form"] if with_form else [])
    ws.append(heads)
    for line in lines:
        ws.append(list(line[:len(heads)]))
    ws.add_table(Table(displayName="tblRequest",
                       ref=f"A1:{'F' if with_form else 'E'}{max(len(lines), 1) + 1}"))
    ws["H1"], ws["I1"] = "key", "value"
    for i, (k, v) in enumerate(info.items(), start=2):
        ws.cell(i, 8, k)
        ws.cell(i, 9, v).data_type = "s" if isinstance(v, str) else ws.cell(i, 9).data_type
    ws.add_table(Table(displayName="tblRequestInfo", ref=f"H1:I{len(info) + 1}"))
    wb.save(path)
    return path


@pytest.fixture
def received(tmp_path: Path) -> Path:
    folder = tmp_path / "received"
    folder.mkdir()
    a = {"institution": "ТЦСО Кремінна", "edrpou": A_CODE, "kpkvk": "0813104",
         "kpkvk_name": "Територіальні центри", "plan_year": 2026, "execution_year": 2025,
         "rounding": 2, "ceiling_general": 1000}
    request_file(folder / "request_2026_0813104.xlsx", a | {"form": 2}, [
        ("0813104", "2111", "general", 2026, 600.00, 2),
        ("0813104", "2120", "general", 2026, 132.00, 2),
        ("0813104", "2240", "general", 2026, 268.00, 2),
        ("0813104", "2111", "general", 2027, 650.00, 2)])  # a forecast year: not the ceiling's
    request_file(folder / "request3_2026_0813104.xlsx", a | {"form": 3}, [
        ("0813104", "2240", "general", 2026, 150.50, 3),
        ("0813104", "2210", "спеціальний", 2026, 40.00, 3)])
    b = {"institution": "ЦСС Первомайський", "edrpou": B_CODE, "kpkvk": 813121,
         "plan_year": 2026, "rounding": 2, "ceiling_general": 500, "ceiling_special": 100}
    # an older request: no form column nor key (the file name says Форма -2)
    request_file(folder / "b_request_2026_0813121.xlsx", b, [
        ("0813121", 2111, "загальний", 2026, 450.00),
        ("0813121", 2730, "special", 2026, 120.25)], with_form=False)
    request_file(folder / "b_request_2026_0813105.xlsx",
                 {"institution": "ЦСС Первомайський", "edrpou": B_CODE, "kpkvk": "0813105",
                  "plan_year": 2026, "form": 2},
                 [("0813105", "2240", "general", 2026, 10.00, 2)])
    return folder


def _ceilings(path: Path) -> list[dict[str, object]]:
    return pq.read_table(path / "tblConsCeilings.parquet").to_pylist()


def test_requests_against_the_ceilings(received: Path, tmp_path: Path) -> None:
    out = consolidate_folder(received, tmp_path / "c.parquet", "en")
    assert out.exit_code == 0
    rows = [(r["institution"], r["kpkvk"], r["fund"], r["year"], r["requested"],
             r["additional"], r["total"], r["ceiling"], r["excess"])
            for r in _ceilings(tmp_path / "c.parquet")]
    d = Decimal
    assert rows == [
        # form 2 fills the ceiling (600 + 132 + 268 = 1000); form 3 asks 150.50 more
        ("ТЦСО Кремінна", "0813104", "general", 2026, d("1000.00"), d("150.50"),
         d("1150.50"), d("1000.00"), d("150.50")),
        # no special ceiling was set: nothing to exceed
        ("ТЦСО Кремінна", "0813104", "special", 2026, d("0.00"), d("40.00"), d("40.00"),
         None, None),
        ("ЦСС Первомайський", "0813105", "general", 2026, d("10.00"), d("0.00"), d("10.00"),
         None, None),
        ("ЦСС Первомайський", "0813121", "general", 2026, d("450.00"), d("0.00"),
         d("450.00"), d("500.00"), d("0.00")),
        # within form 2, but over the ceiling: requested − ceiling
        ("ЦСС Первомайський", "0813121", "special", 2026, d("120.25"), d("0.00"),
         d("120.25"), d("100.00"), d("20.25")),
    ]
    names = {r["kpkvk"]: r["kpkvk_name"] for r in _ceilings(tmp_path / "c.parquet")}
    assert names["0813104"] == "Територіальні центри"


def test_every_request_line_by_institution_kpkvk_kekv_fund_form(received: Path,
                                                                tmp_path: Path) -> None:
    consolidate_folder(received, tmp_path / "c.parquet")
    lines = pq.read_table(tmp_path / "c.parquet" / "tblConsRequests.parquet").to_pylist()
    assert len(lines) == 9
    key = [(r["edrpou"], r["kpkvk"], r["kekv"], r["fund"], r["year"], r["form"], r["amount"])
           for r in lines if r["source_file"] == "b_request_2026_0813121.xlsx"]
    assert key == [(B_CODE, "0813121", "2111", "general", 2026, 2, Decimal("450.00")),
                   (B_CODE, "0813121", "2730", "special", 2026, 2, Decimal("120.25"))]
    forms = {(r["source_file"], r["form"]) for r in lines}
    assert ("request3_2026_0813104.xlsx", 3) in forms


def test_the_workbook_shows_the_ceilings_in_ukrainian(received: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.xlsx"
    consolidate_folder(received, out, "uk")
    wb = load_workbook(out)
    ws = next(ws for ws in wb.worksheets if "tblConsCeilings" in ws.tables)
    rows = [[c.value for c in r] for r in ws[ws.tables["tblConsCeilings"].ref]]
    assert rows[0][:6] == ["Установа", "ЄДРПОУ", "КПКВК", "Назва програми", "Фонд", "Рік"]
    assert rows[1][4] == "загальний" and rows[2][4] == "спеціальний"
    assert rows[1][6:] == [1000, 150.5, 1150.5, 1000, 150.5]
    assert rows[2][9] is None and rows[2][10] is None  # no ceiling: blank, not zero


def test_the_same_request_twice_is_counted_once(received: Path, tmp_path: Path) -> None:
    shutil.copyfile(received / "request_2026_0813104.xlsx",
                    received / "request_2026_0813104 (1).xlsx")
    out = consolidate_folder(received, tmp_path / "c.parquet", "en")
    assert out.exit_code == 1
    assert any("request_2026_0813104 (1).xlsx" in line and "twice" in line
               for line in out.lines)
    general = _ceilings(tmp_path / "c.parquet")[0]
    assert general["requested"] == Decimal("1000.00")


def test_programs_and_requests_in_one_folder(received: Path, tmp_path: Path) -> None:
    from tests.test_consolidate import program_book

    program_book(received / "a_program.xlsx", "uk", {"institution": "ТЦСО Кремінна"}, {
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 1.0}]})
    out = consolidate_folder(received, tmp_path / "c.parquet", "en")
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    kinds = {f["file"]: f["kind"] for f in files}
    assert kinds["a_program.xlsx"] == "program"
    assert kinds["request3_2026_0813104.xlsx"] == "request"
    assert out.exit_code == 1  # the program workbook lacks two of its output tables


def _plan_year_sums(path: Path) -> tuple[str, dict[tuple[str, str], Decimal]]:
    """Σ amount of the plan year by (КПКВК, fund), read straight from the file."""
    wb = load_workbook(path)
    ws = wb["Дані"]
    req = [[c.value for c in r] for r in ws[ws.tables["tblRequest"].ref]]
    info = {r[0].value: r[1].value for r in ws[ws.tables["tblRequestInfo"].ref][1:]}
    heads = req[0]
    out: dict[tuple[str, str], Decimal] = {}
    for r in req[1:]:
        row = dict(zip(heads, r, strict=False))
        if int(row["year"]) == int(info["plan_year"]):
            k = (str(row["kpkvk"]), str(row["fund"]))
            out[k] = out.get(k, Decimal(0)) + Decimal(str(row["amount"]))
    return str(info["institution"]), out


def test_requests_made_by_koshtorys_for_two_institutions(tmp_path: Path) -> None:
    received = tmp_path / "received"
    received.mkdir()
    for variant in ("kreminna", "pervomaiskyi"):
        book = tmp_path / f"{variant}.xlsx"
        assert main(["new", str(book), "--sample", variant]) == 0
        assert main(["refresh", str(book)]) in (0, 1)
        made = tmp_path / variant
        assert main(["request", str(book), "--outdir", str(made)]) in (0, 1)  # the samples' checks
        assert list(made.glob("request*.xlsx"))
        for f in made.glob("request*.xlsx"):  # as the mail client saves them
            shutil.copyfile(f, received / f"{variant}_{f.name}")
    assert main(["consolidate", str(received), "--out", str(tmp_path / "c.parquet")]) == 0
    expected: dict[tuple[str, str, str], Decimal] = {}
    for f in sorted(received.iterdir()):
        institution, sums = _plan_year_sums(f)
        for (kpkvk, fund), v in sums.items():  # Форма -2 and -3 of a program add up
            key = (institution, kpkvk, fund)
            expected[key] = expected.get(key, Decimal(0)) + v
    rows = _ceilings(tmp_path / "c.parquet")
    got = {(r["institution"], r["kpkvk"], r["fund"]): r["total"] for r in rows}
    assert len({k[0] for k in got}) == 2
    assert got == expected
    # against the figures each request states itself (tblRequestInfo, as the request
    # command wrote them): the expenditure, the ceiling, and so the excess
    stated = {}
    for f in sorted(received.iterdir()):
        ws = load_workbook(f)["Дані"]
        info = {r[0].value: r[1].value for r in ws[ws.tables["tblRequestInfo"].ref][1:]}
        if info.get("ceiling_general") is not None:
            stated[str(info["kpkvk"])] = (Decimal(str(info["expenditure_general"])),
                                          Decimal(str(info["ceiling_general"])))
    assert stated  # the Pervomaiskyi sample has ceilings, and a Форма -3 above one
    assert any(f.name.startswith("pervomaiskyi_request3_") for f in received.iterdir())
    for r in rows:
        if r["fund"] == "general" and r["kpkvk"] in stated and r["ceiling"] is not None:
            spent, ceiling = stated[r["kpkvk"]]
            assert (r["total"], r["ceiling"]) == (spent, ceiling)
            assert r["excess"] == max(spent - ceiling, Decimal(0))
            assert r["requested"] == min(spent, ceiling)  # Форма -2 fills the ceiling


# ------------------------------------------------------------------ money invariants

line = st.tuples(st.sampled_from(["general", "special"]), st.sampled_from([2, 3]),
                 st.integers(0, 10**11))
maybe_ceiling = st.one_of(st.none(), st.integers(0, 10**12))


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(line, max_size=25), general=maybe_ceiling, special=maybe_ceiling)
def test_ceiling_arithmetic_is_exact(lines: list[tuple[str, int, int]], general: int | None,
                                     special: int | None) -> None:
    """Amounts in kopiykas: requested = Σ form 2, additional = Σ form 3, the ceiling as
    given, excess = max(total − ceiling, 0), all to the kopiyka."""
    kop = Decimal("0.01")
    requests = pd.DataFrame({
        "institution": "X", "edrpou": A_CODE, "source_file": [f"f{form}" for _f, form, _u in
                                                               lines],
        "kpkvk": "0813104", "kekv": "2111", "fund": [f for f, _form, _u in lines],
        "year": 2026, "form": [form for _f, form, _u in lines],
        "amount": [float(Decimal(u) * kop) for *_, u in lines]},
        columns=["institution", "edrpou", "source_file", "kpkvk", "kekv", "fund", "year",
                 "form", "amount"])
    ceiling = {"general": general, "special": special}
    info = pd.DataFrame([
        {"source_file": f"f{form}", "institution": "X", "edrpou": A_CODE, "kpkvk": "0813104",
         "kpkvk_name": None, "plan_year": 2026, "form": form,
         **{f"ceiling_{f}": None if c is None else float(Decimal(c) * kop)
            for f, c in ceiling.items()}} for form in (2, 3)])
    out = against_ceilings(requests, info)
    funds = {f for f, *_ in lines} | {f for f, c in ceiling.items() if c is not None}
    assert sorted(out["fund"]) == sorted(funds)
    for r in out.itertuples():
        two = sum(u for f, form, u in lines if f == r.fund and form == 2)
        three = sum(u for f, form, u in lines if f == r.fund and form == 3)
        assert Decimal(str(r.requested)) == Decimal(two) * kop
        assert Decimal(str(r.additional)) == Decimal(three) * kop
        assert Decimal(str(r.total)) == Decimal(two + three) * kop
        c = ceiling[r.fund]
        if c is None:
            assert r.ceiling is None and r.excess is None
        else:
            assert Decimal(str(r.ceiling)) == Decimal(c) * kop
            assert Decimal(str(r.excess)) == max(Decimal(two + three - c), Decimal(0)) * kop


def test_a_line_without_its_codes_or_its_amount_is_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "received"
    folder.mkdir()
    request_file(folder / "request_2026_0813104.xlsx",
                 {"institution": "A", "edrpou": A_CODE, "kpkvk": "0813104",
                  "plan_year": 2026, "form": 2},
                 [("0813104", "2111", "general", 2026, 5.00, 2),
                  (None, None, None, 2026, 7.00, 2),        # an amount of nothing
                  ("0813104", "2120", "general", None, None, None)])  # codes, no amount
    out = consolidate_folder(folder, tmp_path / "c.parquet", "en")
    assert out.exit_code == 1
    lines = pq.read_table(tmp_path / "c.parquet" / "tblConsRequests.parquet").to_pylist()
    assert [(r["kekv"], r["amount"]) for r in lines] == [("2111", Decimal("5.00"))]
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    assert "Дані!3:3" in files[0]["message"] and "Дані!4:4" in files[0]["message"]
