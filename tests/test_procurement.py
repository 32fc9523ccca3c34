"""The procurement justification: expected value = tariff × volume in whole hryvnias
(249 744 UAH for the Kropyvnytskyi purchase), the allocation the request prints, the
ДК 021:2015 codes as Prozorro spells them, print-ready, bad input refused."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
import pytest
from cycle_docs import (
    HAS_RENDER,
    assert_printed,
    machine_table,
    no_formulas_no_macros,
    purchase_frames,
    render,
    workbook,
)

from koshtorys.cli import main
from koshtorys.samples import VARIANTS, sample_frames

# ДК 021:2015 as ProzorroUKR/standards (classifiers/dk021_uk.json) spells the codes
DK_CLASS = ("85310000-5", "Послуги з надання соціальної допомоги")
DK_WITHOUT = ("85312000-9", "Послуги з надання соціальної допомоги без забезпечення проживання")
DK_WITH = ("85311000-2", "Послуги з надання соціальної допомоги із забезпеченням проживання")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbook(tmp_path_factory.mktemp("buy") / "кцсс.xlsx", purchase_frames())


def _text(path: Path) -> str:
    ws = openpyxl.load_workbook(path).worksheets[0]
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def test_expected_value_is_tariff_times_volume(book: Path, tmp_path: Path) -> None:
    assert main(["procurement", str(book), "--service", "SP01", "--outdir", str(tmp_path)]) == 0
    path = tmp_path / "procurement_2026_SP01.xlsx"
    t = machine_table(path, "tblProcurement")
    # 175 680 labor + 24 000 materials + 50 064 premises over 2 064 person-hours
    assert t[("expected", "unit_tariff")] == 121.0
    assert t[("expected", "units")] == 2064
    assert t[("expected", "expected_value")] == 249744
    text = _text(path)
    assert "249744" in text.replace("\u00a0", "").replace(" ", "") or 249744 in [
        c.value for row in openpyxl.load_workbook(path).worksheets[0].iter_rows() for c in row]
    no_formulas_no_macros(path)


@pytest.mark.parametrize("units", ["1000", "333.5", "7"])
def test_another_volume_rounds_to_whole_hryvnias(book: Path, tmp_path: Path, units: str) -> None:
    assert main(["procurement", str(book), "--service", "SP01", "--units", units,
                 "--outdir", str(tmp_path)]) == 0
    t = machine_table(tmp_path / "procurement_2026_SP01.xlsx", "tblProcurement")
    want = (Decimal("121.00") * Decimal(units)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert t[("expected", "expected_value")] == int(want)


def test_allocation_is_what_the_request_prints(book: Path, tmp_path: Path) -> None:
    assert main(["request", str(book), "--outdir", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / "request_2026_0813121.xlsx")
    ws = wb["Дані"]
    rows = [[c.value for c in r] for r in ws[ws.tables["tblRequest"].ref]][1:]
    kekv_2240 = sum(r[4] for r in rows if r[1] == "2240" and r[3] == 2026)
    program = sum(r[4] for r in rows if r[3] == 2026)
    assert main(["procurement", str(book), "--service", "SP01", "--outdir", str(tmp_path)]) == 0
    t = machine_table(tmp_path / "procurement_2026_SP01.xlsx", "tblProcurement")
    assert t[("allocation", "kekv_2240:total")] == kekv_2240 == 50064
    assert t[("allocation", "program:total")] == program == 249744


def test_the_codes_printed_are_prozorros(book: Path, tmp_path: Path) -> None:
    assert main(["procurement", str(book), "--service", "SP01", "--outdir", str(tmp_path)]) == 0
    text = _text(tmp_path / "procurement_2026_SP01.xlsx")
    for code, name in (DK_CLASS, DK_WITHOUT):
        assert f"{code} «{name}»" in text
    assert DK_WITH[0] not in text
    assert "КЕКВ 2240 «Оплата послуг (крім комунальних)»" in text
    assert "КПКВКМБ 0813121" in text


def test_residential_care_takes_the_code_with_accommodation(tmp_path: Path) -> None:
    f = purchase_frames()
    f["tblServices"].loc[0, "unit"] = "ліжко-день"
    f["tblServices"].loc[0, "name"] = "Догляд стаціонарний"
    b = workbook(tmp_path / "b.xlsx", f)
    assert main(["procurement", str(b), "--service", "SP01", "--outdir", str(tmp_path)]) == 0
    text = _text(tmp_path / "procurement_2026_SP01.xlsx")
    assert f"{DK_WITH[0]} «{DK_WITH[1]}»" in text and DK_CLASS[0] in text


def test_a_purchase_beyond_its_allocation_is_a_warning(book: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert main(["procurement", str(book), "--service", "SP01", "--units", "10000",
                 "--outdir", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "1 210 000" in said.replace("\u00a0", " ") and "50 064" in said.replace("\u00a0", " ")


@pytest.mark.parametrize("units", ["0", "-5", "abc", "nan"])
def test_bad_volume_is_one_line_and_nothing_written(book: Path, tmp_path: Path, units: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["procurement", str(book), "--service", "SP01", f"--units={units}",
                 "--outdir", str(tmp_path / "o")]) == 2
    assert "--units" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("units,want", [("1 200", 1200), ("1\u00a0200", 1200), ("1200,5", 1200.5)])
def test_a_volume_is_read_as_a_cell_is(book: Path, tmp_path: Path, units: str,
                                       want: float) -> None:
    assert main(["procurement", str(book), "--service", "SP01", f"--units={units}",
                 "--outdir", str(tmp_path)]) == 0
    t = machine_table(tmp_path / "procurement_2026_SP01.xlsx", "tblProcurement")
    assert t[("expected", "units")] == want


def test_a_volume_of_1_200_written_with_a_comma_is_asked_not_read_as_1_2(
        book: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """float("1,200".replace(",", ".")) bought 1.2 hours where 1 200 were meant."""
    assert main(["procurement", str(book), "--service", "SP01", "--units=1,200",
                 "--outdir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "1.2 or 1200?" in err or "1,2 чи 1200?" in err
    assert not (tmp_path / "o").exists()


def test_unknown_service_and_missing_service(book: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["procurement", str(book), "--service", "X", "--outdir", str(tmp_path)]) == 2
    assert "X" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["procurement", str(book), "--outdir", str(tmp_path)])
    assert exc.value.code == 2
    assert not list(tmp_path.glob("*.xlsx"))


def test_service_with_no_units_is_a_check_at_the_cell(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    f = purchase_frames()
    f["tblServices"].loc[0, "planned_units"] = None
    b = workbook(tmp_path / "b.xlsx", f)
    assert main(["procurement", str(b), "--service", "SP01", "--outdir", str(tmp_path)]) == 1
    said = capsys.readouterr().out
    assert "Послуги!" in said and "SP01" in said
    assert not list(tmp_path.glob("procurement_*.xlsx"))


@pytest.mark.skipif("kropyvnytskyi" not in VARIANTS, reason="the sample is not bundled yet")
def test_the_kropyvnytskyi_sample_gives_249_744(tmp_path: Path) -> None:
    b = tmp_path / "k.xlsx"
    assert main(["new", str(b), "--sample", "kropyvnytskyi"]) == 0
    wb = openpyxl.load_workbook(b)
    ws = next(w for w in wb.worksheets if "tblServices" in w.tables)
    rows = [[c.value for c in r] for r in ws[ws.tables["tblServices"].ref]][1:]
    sid = next(r[0] for r in rows if "профілакт" in str(r[1]).lower())
    assert main(["procurement", str(b), "--service", sid, "--outdir", str(tmp_path)]) == 0
    t = machine_table(tmp_path / f"procurement_2026_{sid}.xlsx", "tblProcurement")
    assert t[("expected", "expected_value")] == 249744
    tariff = Decimal(str(t[("expected", "unit_tariff")]))
    assert (tariff * Decimal(str(t[("expected", "units")]))).quantize(Decimal(1)) == 249744


@pytest.mark.skipif(not HAS_RENDER, reason="LibreOffice or poppler not installed")
def test_every_page_prints(book: Path, tmp_path: Path) -> None:
    assert main(["procurement", str(book), "--service", "SP01", "--outdir", str(tmp_path)]) == 0
    pages, text = render(tmp_path / "procurement_2026_SP01.xlsx", tmp_path)
    assert_printed(pages, text, landscape=False)
    assert len(pages) == 1
    flat = " ".join(text.split())
    assert "249 744" in flat.replace("\u00a0", " ") and "ОБҐРУНТУВАННЯ" in flat
    assert "Уповноважена особа" in flat and "Керівник установи" in flat


def test_every_document_kind_is_valid_ooxml(tmp_path: Path) -> None:
    """The checker of test_ooxml_validity and the independent openxml-audit, on all four."""
    from test_ooxml_validity import violations

    book = workbook(tmp_path / "k.xlsx", sample_frames("kreminna"))
    out = tmp_path / "docs"
    for argv in (["passport"], ["passport", "--report"], ["tariff", "--service", "S01"],
                 ["procurement", "--service", "S04"]):
        assert main([argv[0], str(book), *argv[1:], "--outdir", str(out)]) in (0, 1)
    made = sorted(out.glob("*.xlsx"))
    assert {p.name.split("_20")[0] for p in made} == {"passport", "passport_report", "tariff",
                                                      "procurement"}
    try:
        from test_ooxml_audit import findings
    except pytest.skip.Exception:  # openxml-audit not installed
        findings = None
    for p in made:
        assert violations(p) == [], p.name
        if findings is not None:
            assert findings(p) == [], p.name
