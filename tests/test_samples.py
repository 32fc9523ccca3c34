"""The bundled samples: settings a finance department accepts, the seeds' figures, and the
checks refresh reports on them."""

from __future__ import annotations

from fractions import Fraction

import pytest
from stdnum.ua import edrpou

from koshtorys import parts
from koshtorys.core.book import MemoryBook
from koshtorys.samples import VARIANTS, sample_frames


def _settings(variant: str) -> dict[str, object]:
    s = sample_frames(variant)["tblSettings"]
    return dict(zip(s["key"], s["value"], strict=True))


def test_the_three_samples() -> None:
    assert VARIANTS == ("kreminna", "pervomaiskyi", "kropyvnytskyi")


@pytest.mark.parametrize("variant", VARIANTS)
def test_settings_are_complete_and_valid(variant: str) -> None:
    s = _settings(variant)
    for key in ("edrpou", "grk_edrpou"):
        code = str(s[key])
        assert len(code) == 8 and edrpou.is_valid(code) and len(set(code)) > 1, key
    assert str(s["budget_code"]).isdigit() and len(str(s["budget_code"])) == 11
    assert s["grk"] and s["grk"] != s["institution"] and str(s["grk_code"]) == "08"
    assert int(s["execution_year"]) < int(s["plan_year"])  # type: ignore[call-overload]


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_program_has_its_texts(variant: str) -> None:
    f = sample_frames(variant)
    programs = set(f["tblCosts"]["kpkvk"]) | set(f["tblStaff"]["kpkvk"])
    texts = f["tblPrograms"].set_index("kpkvk")
    assert programs <= set(texts.index)
    for code in programs:
        for key in ("goal", "tasks", "legal_basis", "directions"):
            assert str(texts.at[code, key]).strip(), (code, key)


def _refresh(variant: str) -> parts.JobResult:
    return parts.evaluate(MemoryBook.from_frames(sample_frames(variant), "uk"))


def test_kreminna_reports_its_passport_against_its_activity_table() -> None:
    result = _refresh("kreminna")
    errors = [c for c in result.checks if c.severity == "error"]
    assert [c.code for c in errors] == ["program_total_mismatch"] * 2
    local, other = (c.message("uk").replace("\xa0", " ") for c in errors)
    # the passport's 10 599 527 against 10 699 527 of the activities (3.10 as printed)
    assert "10 599 527,00" in local and "10 699 527,00" in local and "100 000,00" in local
    assert "1 100 000,00" in other and "1 000 000,00" in other and "-100 000,00" in other
    assert not [c for c in result.checks if c.severity == "warning"]
    split = result.outputs["tblFundingSplit"]
    assert split["need"].sum() == 11_699_527
    assert split["other"].sum() == 1_000_000 and split["donor"].sum() == 0


@pytest.mark.parametrize("variant", ["pervomaiskyi", "kropyvnytskyi"])
def test_other_samples_have_no_checks(variant: str) -> None:
    assert _refresh(variant).checks == []


@pytest.mark.parametrize("variant", VARIANTS)
def test_needs_sit_on_the_programs_whose_costs_they_fund(variant: str) -> None:
    """Per program, the plan year's need equals staff with ЄСВ plus costs, computed here
    from the inputs by the SPEC's formulas."""
    f = sample_frames(variant)
    s = _settings(variant)
    esv = Fraction(str(s["esv_rate"]))
    py = int(s["plan_year"])  # type: ignore[call-overload]
    spend: dict[str, Fraction] = {}
    for r in f["tblStaff"].itertuples():
        pay = max(Fraction(str(r.monthly_pay)), Fraction(str(s["min_wage"])))
        spend[r.kpkvk] = spend.get(r.kpkvk, 0) + Fraction(str(r.fte)) * pay * int(r.months) \
            * (1 + esv)
    for r in f["tblCosts"].itertuples():
        spend[r.kpkvk] = spend.get(r.kpkvk, 0) + Fraction(str(r.amount))
    need: dict[str, Fraction] = {}
    for r in f["tblNeeds"].itertuples():
        if r.first_year <= py <= r.last_year:
            need[r.kpkvk] = need.get(r.kpkvk, 0) + Fraction(str(r.base_amount)) * (
                1 + Fraction(str(r.index_rate))) ** (py - int(r.base_year))
    assert need == spend


def test_kropyvnytskyi_social_prevention_is_249744() -> None:
    f = sample_frames("kropyvnytskyi")
    sp = f["tblServices"].set_index("service_id").loc["SP01"]
    assert sp["unit"] == "людино-година"
    assert (sp["planned_units"], sp["planned_recipients"]) == (2064, 258)  # 258 × 8 h
    result = _refresh("kropyvnytskyi")
    uc = result.outputs["tblUnitCosts"].set_index("service_id").loc["SP01"]
    assert uc["unit_tariff"] == 121.00 and uc["total_cost"] == 249_744
    assert round(uc["unit_tariff"] * sp["planned_units"], 2) == 249_744
    purchase = f["tblCosts"][f["tblCosts"]["service_id"] == "SP01"]
    assert purchase[["kekv", "amount"]].values.tolist() == [["2240", 249_744.0]]
