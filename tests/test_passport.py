"""The passport and its execution report: the passport's figures are the request's
plan-year column; the report's planned figures are the execution year's passport (tblPlan),
its actuals tblActuals and the services' actual_*; deviations in UAH and %; a bordered
column for the explanations; print-ready; bad input refused."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cycle_docs import (
    HAS_RENDER,
    assert_printed,
    half_up,
    largest_remainder,
    machine_table,
    no_formulas_no_macros,
    orphan_headings,
    render,
    workbook,
)

from koshtorys.cli import main
from koshtorys.core import schema
from koshtorys.samples import VARIANTS, sample_frames

MONTHS = list(schema.MONTHS)


def _table(path: Path, name: str) -> list[list[object]]:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if name in ws.tables:
            return [[c.value for c in r] for r in ws[ws.tables[name].ref]]
    raise AssertionError(name)


def _frame(path: Path, name: str) -> pd.DataFrame:
    rows = _table(path, name)
    t = schema.table(name)
    keys = {t.column(k).header("uk"): k for k in t.column_keys}
    return pd.DataFrame(rows[1:], columns=[keys.get(h, h) for h in rows[0]])


def _with_actual_units(variant: str) -> dict[str, pd.DataFrame]:
    f = sample_frames(variant)
    s = f["tblServices"].copy()
    s["actual_units"] = [float(int(u * 0.9)) for u in s["planned_units"]]
    s["actual_recipients"] = [float(int(r) + 3) for r in s["planned_recipients"]]
    f["tblServices"] = s
    return f


@pytest.fixture(scope="module", params=VARIANTS)
def made(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, object]:
    variant = request.param
    d = tmp_path_factory.mktemp(variant)
    frames = _with_actual_units(variant)
    book = workbook(d / f"{variant}.xlsx", frames)
    out = d / "docs"
    assert main(["request", str(book), "--outdir", str(out)]) in (0, 1)
    assert main(["passport", str(book), "--outdir", str(out)]) in (0, 1)
    assert main(["passport", str(book), "--report", "--outdir", str(out)]) in (0, 1)
    refreshed = d / "refreshed.xlsx"
    refreshed.write_bytes(book.read_bytes())
    assert main(["refresh", str(refreshed)]) in (0, 1)
    return {"frames": frames, "out": out, "book": book, "refreshed": refreshed,
            "year": int(frames["tblSettings"].set_index("key").loc["plan_year", "value"])}


def _programs(made: dict[str, object]) -> list[str]:
    return sorted(p.stem.rsplit("_", 1)[1] for p in made["out"].glob("request_*.xlsx"))


def _request_plan(made: dict[str, object], kpkvk: str) -> dict[str, int]:
    rows = _table(made["out"] / f"request_{made['year']}_{kpkvk}.xlsx", "tblRequest")[1:]
    by = {"general": 0, "special": 0}
    for _k, _e, fund, year, amount, *_ in rows:
        if year == made["year"]:
            by[fund] += int(amount)
    return by | {"total": by["general"] + by["special"]}


def _services_of(made: dict[str, object], kpkvk: str) -> pd.DataFrame:
    s = made["frames"]["tblServices"]
    return s[s["kpkvk"].astype(str) == kpkvk]


def _unit_costs(made: dict[str, object]) -> pd.DataFrame:
    return _frame(made["refreshed"], "tblUnitCosts").set_index("service_id")


def test_passport_figures_equal_the_request_plan_year_column(made: dict[str, object]) -> None:
    uc = _unit_costs(made)
    programs = _programs(made)
    assert programs and sorted(p.stem.rsplit("_", 1)[1] for p in
                               made["out"].glob("passport_2*.xlsx")) == programs
    for kpkvk in programs:
        want = _request_plan(made, kpkvk)
        t = machine_table(made["out"] / f"passport_{made['year']}_{kpkvk}.xlsx", "tblPassport")
        assert {f: t[("allocation", f)] for f in want} == want
        assert t[("indicators", "expenditure")] == want["total"]
        services = _services_of(made, kpkvk)
        weights = [F(str(uc.loc[s, "total_cost"])) for s in services["service_id"]]
        for fund in ("general", "special"):  # directions: the request's attribution
            parts = largest_remainder(want[fund], weights)
            for sid, part in zip(services["service_id"], parts, strict=True):
                assert t[("directions", f"{sid}:{fund}")] == part
        total_of = dict(zip(services["service_id"], [
            sum(p) for p in zip(*(largest_remainder(want[f], weights)
                                  for f in ("general", "special")), strict=True)],
            strict=True))
        for r in services.to_dict("records"):
            sid = r["service_id"]
            assert t[("indicators", f"units:{sid}")] == r["planned_units"]
            assert t[("indicators", f"recipients:{sid}")] == r["planned_recipients"]
            # per unit: the direction's amount over the volume, printed so that × units
            # gives the amount back to the hryvnia (section 7 ÷ обсяг, the request's tie)
            per_unit = F(str(t[("indicators", f"per_unit:{sid}")]))
            assert abs(per_unit * F(str(r["planned_units"])) - total_of[sid]) < F(1, 2)
            if r["planned_recipients"]:
                assert t[("indicators", f"per_recipient:{sid}")] == pytest.approx(
                    half_up(F(total_of[sid]) / F(str(r["planned_recipients"])) * 100) / 100)


def test_local_programs_are_the_funding_split_of_the_plan_year(made: dict[str, object]
                                                                ) -> None:
    split = _frame(made["refreshed"], "tblFundingSplit")
    needs = made["frames"]["tblNeeds"]
    for kpkvk in _programs(made):
        ids = set(needs.loc[needs["kpkvk"].astype(str) == kpkvk, "activity_id"].astype(str))
        mine = split[split["activity_id"].astype(str).isin(ids)
                     & (split["year"].astype(int) == made["year"])]
        t = machine_table(made["out"] / f"passport_{made['year']}_{kpkvk}.xlsx", "tblPassport")
        for source in schema.SOURCES:
            want = sum(F(str(v)) for v in mine[source])
            got = t.get(("programs", f"total:{source}"), 0)
            assert F(str(got)) == want, (kpkvk, source)


def test_report_planned_is_the_plan_and_actual_the_cash(made: dict[str, object]) -> None:
    f = made["frames"]
    exec_year = made["year"] - 1
    uc = _unit_costs(made)
    reports = sorted(made["out"].glob(f"passport_report_{exec_year}_*.xlsx"))
    assert reports
    for path in reports:
        kpkvk = path.stem.rsplit("_", 1)[1]
        t = machine_table(path, "tblPassportReport")
        plan = f["tblPlan"][f["tblPlan"]["kpkvk"].astype(str) == kpkvk]
        cash = f["tblActuals"][f["tblActuals"]["kpkvk"].astype(str) == kpkvk]
        want: dict[str, dict[str, int]] = {}
        for key, rows in (("planned", plan), ("actual", cash)):
            by = {fund: half_up(sum(F(str(v)) for m in MONTHS for v in
                                    rows.loc[rows["fund"] == fund, m] if pd.notna(v)))
                  for fund in ("general", "special")}
            want[key] = by | {"total": by["general"] + by["special"]}
        for fund in ("general", "special", "total"):
            planned, actual = want["planned"][fund], want["actual"][fund]
            assert t[("expenditure", f"planned:{fund}")] == planned
            assert t[("expenditure", f"actual:{fund}")] == actual
            assert t[("expenditure", f"deviation:{fund}")] == actual - planned
            pct = t[("expenditure", f"deviation_pct:{fund}")]
            if planned:
                assert pct == pytest.approx(half_up(F(actual - planned) * 1000 / planned) / 10)
            else:
                assert pct is None
        services = _services_of(made, kpkvk)
        weights = [F(str(uc.loc[s, "total_cost"])) for s in services["service_id"]]
        for key in ("planned", "actual"):  # directions split like the passport's
            for fund in ("general", "special"):
                parts = largest_remainder(want[key][fund], weights)
                for sid, part in zip(services["service_id"], parts, strict=True):
                    assert t[("directions", f"{sid}:{key}:{fund}")] == part
        for r in services.to_dict("records"):
            sid = r["service_id"]
            assert t[("indicators", f"units:{sid}:planned")] == r["planned_units"]
            assert t[("indicators", f"units:{sid}:actual")] == r["actual_units"]
            assert t[("indicators", f"units:{sid}:deviation")] == \
                r["actual_units"] - r["planned_units"]
            dev = F(str(r["actual_units"])) - F(str(r["planned_units"]))
            assert t[("indicators", f"units:{sid}:deviation_pct")] == pytest.approx(
                half_up(dev * 1000 / F(str(r["planned_units"]))) / 10)
            assert t[("indicators", f"recipients:{sid}:actual")] == r["actual_recipients"]
            for key, units in (("planned", r["planned_units"]), ("actual", r["actual_units"])):
                money = sum(F(t[("directions", f"{sid}:{key}:{f}")])
                            for f in ("general", "special"))
                assert t[("indicators", f"per_unit:{sid}:{key}")] == pytest.approx(
                    half_up(money / F(str(units)) * 100) / 100)


def test_report_planned_equals_the_execution_years_passport(made: dict[str, object]) -> None:
    """The planned columns are the request's «затверджено» column: its КЕКВ lines."""
    exec_year = made["year"] - 1
    for path in made["out"].glob(f"passport_report_{exec_year}_*.xlsx"):
        kpkvk = path.stem.rsplit("_", 1)[1]
        t = machine_table(path, "tblPassportReport")
        plan = made["frames"]["tblPlan"]
        plan = plan[plan["kpkvk"].astype(str) == kpkvk]
        total = 0
        for kekv in sorted(set(plan["kekv"].astype(str))):
            exact = sum(F(str(v)) for m in MONTHS for v in plan.loc[plan["kekv"] == kekv, m]
                        if pd.notna(v))
            got = t[("kekv", f"{kekv}:planned:total")]
            assert abs(got - exact) < 1  # rounded against the column's total
            total += got
        assert total == t[("expenditure", "planned:total")]


def test_report_has_a_bordered_column_for_each_explanation(made: dict[str, object]) -> None:
    exec_year = made["year"] - 1
    path = sorted(made["out"].glob(f"passport_report_{exec_year}_*.xlsx"))[0]
    ws = openpyxl.load_workbook(path).worksheets[0]
    heads = [c for row in ws.iter_rows() for c in row
             if c.value == "Пояснення щодо причин відхилення"]
    assert heads
    col = heads[0].column
    t = machine_table(path, "tblPassportReport")
    names = {i.split(":")[0] for s, i in t if s == "directions"}
    rows = [c.row for row in ws.iter_rows() for c in row
            if c.column == 2 and c.value in set(_services_of(
                made, path.stem.rsplit("_", 1)[1])["name"])]
    assert len(rows) >= len(names)
    for r in rows:
        cell = ws.cell(r, col)
        assert cell.value is None and cell.border.left.style == "thin"


def test_documents_hold_values_and_hide_their_tables(made: dict[str, object]) -> None:
    for path in made["out"].glob("passport_*.xlsx"):
        no_formulas_no_macros(path)


def test_program_texts_are_printed_as_text(tmp_path: Path) -> None:
    f = sample_frames("pervomaiskyi")
    f["tblPrograms"] = pd.DataFrame([{
        "kpkvk": "0813104", "name": None, "goal": "=Підвищення якості соціальних послуг",
        "tasks": "Надання послуги догляду вдома; Надання послуги соціальної адаптації",
        "legal_basis": "Закон України «Про соціальні послуги»", "directions": None}]
    ).astype(object)
    book = workbook(tmp_path / "b.xlsx", f)
    assert main(["passport", str(book), "--kpkvk", "0813104", "--outdir", str(tmp_path)]) == 0
    ws = openpyxl.load_workbook(tmp_path / "passport_2026_0813104.xlsx").worksheets[0]
    cells = {c.value: c for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["=Підвищення якості соціальних послуг"].data_type == "s"
    assert "Надання послуги догляду вдома" in cells
    assert "Надання послуги соціальної адаптації" in cells
    assert "Закон України «Про соціальні послуги»" in cells


def _book_without(tmp_path: Path, edit) -> Path:  # noqa: ANN001
    f = sample_frames("kreminna")
    edit(f)
    return workbook(tmp_path / "b.xlsx", f)


def test_no_actuals_at_all_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    def empty(f: dict[str, pd.DataFrame]) -> None:
        f["tblActuals"] = f["tblActuals"].iloc[:0]

    book = _book_without(tmp_path, empty)
    assert main(["passport", str(book), "--report", "--outdir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert "tblActuals" in err and "2025" in err and "\n" not in err
    assert not (tmp_path / "o").exists()


def test_a_program_without_actuals_is_a_check_and_no_file(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    def drop(f: dict[str, pd.DataFrame]) -> None:
        a = f["tblActuals"]
        f["tblActuals"] = a[a["kpkvk"] != "0813104"]

    book = _book_without(tmp_path, drop)
    out = tmp_path / "o"
    assert main(["passport", str(book), "--report", "--outdir", str(out)]) == 1
    assert "0813104" in capsys.readouterr().out
    assert [p.name for p in out.glob("*.xlsx")] == ["passport_report_2025_0813121.xlsx"]
    assert main(["passport", str(book), "--report", "--kpkvk", "0813104", "--outdir",
                 str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_unknown_program_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    book = workbook(tmp_path / "b.xlsx", sample_frames("pervomaiskyi"))
    for extra in ([], ["--report"]):
        assert main(["passport", str(book), "--kpkvk", "0819999", *extra, "--outdir",
                     str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err
        assert "0819999" in err and "0813102" in err and "0813104" in err
    assert not (tmp_path / "o").exists()
    assert main(["passport", str(book), "--kpkvk", "813102", "--outdir", str(tmp_path)]) == 0
    assert [p.name for p in tmp_path.glob("passport_*.xlsx")] == ["passport_2026_0813102.xlsx"]


def test_blank_actual_indicators_are_warnings_at_their_cells(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    frames = sample_frames("pervomaiskyi")
    services = frames["tblServices"]
    services.loc[services["service_id"] == "U02", ["actual_units", "actual_recipients"]] = None
    book = workbook(tmp_path / "b.xlsx", frames)
    assert main(["passport", str(book), "--report", "--kpkvk", "0813102", "--outdir",
                 str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "Послуги!G5" in said and "U02" in said  # U02 is the fifth row of the sheet
    t = machine_table(tmp_path / "passport_report_2025_0813102.xlsx", "tblPassportReport")
    assert t[("indicators", "units:U02:actual")] is None


@pytest.mark.skipif(not HAS_RENDER, reason="LibreOffice or poppler not installed")
def test_every_page_prints(made: dict[str, object], tmp_path: Path) -> None:
    passport = sorted(made["out"].glob("passport_2*.xlsx"))[0]
    pages, text = render(passport, tmp_path)
    assert_printed(pages, text, landscape=True)
    flat = " ".join(text.split())
    assert "ПАСПОРТ" in flat and "ПОГОДЖЕНО" in flat and "Результативні показники" in flat
    report = sorted(made["out"].glob("passport_report_*.xlsx"))[0]
    pages, text = render(report, tmp_path)
    assert_printed(pages, text, landscape=True)
    flat = " ".join(text.split())
    assert "ЗВІТ" in flat and "Пояснення щодо причин" in flat


@pytest.mark.skipif(not HAS_RENDER, reason="LibreOffice or poppler not installed")
def test_no_heading_is_left_at_the_foot_of_a_page(tmp_path: Path) -> None:
    # the Pervomaiskyi report of 0813102 once printed «10. Узагальнений висновок…» as the
    # last line of page 2 and its box on page 3
    book = workbook(tmp_path / "b.xlsx", sample_frames("pervomaiskyi"))
    assert main(["passport", str(book), "--report", "--kpkvk", "0813102", "--outdir",
                 str(tmp_path)]) == 0
    pages, text = render(tmp_path / "passport_report_2025_0813102.xlsx", tmp_path)
    assert len(pages) >= 2 and "Узагальнений висновок" in text
    assert orphan_headings(pages) == []
