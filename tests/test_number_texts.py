"""Numbers typed as text are never read a thousandfold wrong, and a percent typed as a
whole number is not taken as a rate of hundreds of percent without a word.

"64,500" in a text cell is 64.5 to a Ukrainian reader and 64 500 to anyone who groups
thousands with a comma (or a point); money never has three decimals. Such a text is the
error ``ambiguous_number`` and its row is left out, as any unreadable cell's row is.
An index rate of 7 (meant as 7 %) reads as 700 % a year: read as typed, with the warning
``percent_as_number``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book
from hypothesis import given
from hypothesis import strategies as st
from test_validation import COSTS, SERVICES, errors, tables

from koshtorys import parts
from koshtorys.cli import main
from koshtorys.convert import Unreadable, read_number

SIGNS = st.sampled_from(["", "-", "+"])
SEPARATORS = st.sampled_from([",", "."])


@given(sign=SIGNS, whole=st.integers(1, 999), part=st.integers(0, 999), sep=SEPARATORS)
def test_a_separator_and_three_digits_is_ambiguous(sign: str, whole: int, part: int,
                                                   sep: str) -> None:
    typed = f"{sign}{whole}{sep}{part:03d}"
    with pytest.raises(Unreadable) as info:
        read_number(f" {typed} ")
    assert info.value.code == "ambiguous_number"
    minus = "-" if sign == "-" else ""
    assert info.value.params["thousands"] == f"{sign}{whole * 1000 + part}"
    assert Decimal(info.value.params["decimal"]) == Decimal(f"{minus}{whole}.{part:03d}")


@given(sign=SIGNS, whole=st.integers(0, 10**7), digits=st.sampled_from([1, 2, 4, 5]),
       part=st.integers(0, 99_999), sep=SEPARATORS)
def test_other_decimals_read_as_typed(sign: str, whole: int, digits: int, part: int,
                                      sep: str) -> None:
    fraction = f"{part % 10**digits:0{digits}d}"
    typed = f"{sign}{whole}{sep}{fraction}"
    expected = float(Decimal(f"{'-' if sign == '-' else ''}{whole}.{fraction}"))
    assert read_number(typed) == expected


@given(whole=st.integers(1000, 10**7), part=st.integers(0, 999), sep=SEPARATORS)
def test_three_decimals_after_four_digits_or_a_zero_are_fractions(whole: int, part: int,
                                                                  sep: str) -> None:
    """Nobody groups "1234,500" or "0,125" as thousands."""
    assert read_number(f"{whole}{sep}{part:03d}") == float(Decimal(f"{whole}.{part:03d}"))
    assert read_number(f"0{sep}{part:03d}") == float(Decimal(f"0.{part:03d}"))


@pytest.mark.parametrize("typed,value", [
    ("1 200 грн", 1200.0), ("1\u00a0200,50 грн.", 1200.5), ("₴1200", 1200.0),
    ("1 200,00 ₴", 1200.0), ("5 UAH", 5.0), ("\u22121 200", -1200.0),  # typeset minus
    ("1\u2009200", 1200.0), ("12,5%", 0.125)])
def test_amounts_read_as_written_in_documents(typed: str, value: float) -> None:
    """Copied from a letter or a PDF: the currency, a thin space, the minus sign U+2212."""
    assert read_number(typed) == value


@pytest.mark.parametrize("typed,code", [("12 EUR", "not_a_number"), ("грн", "not_a_number"),
                                        ("1,200 грн", "ambiguous_number"),
                                        ("12 грн 50 коп", "not_a_number")])
def test_other_currencies_and_words_are_not_hryvnias(typed: str, code: str) -> None:
    with pytest.raises(Unreadable) as info:
        read_number(typed)
    assert info.value.code == code


def test_space_grouped_thousands_are_not_ambiguous() -> None:
    assert read_number("64 500") == 64500.0
    assert read_number("1 234,500") == 1234.5
    assert read_number("1\u00a0820,000") == 1820.0


def test_an_ambiguous_amount_is_an_error_at_its_cell_and_its_row_is_left_out() -> None:
    costs = [COSTS[0], ["2240", "Оренда", "12,000", None, "0813104", "general"], COSTS[2]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    (c,) = errors(r, "tblCosts")
    assert (c.code, c.row, c.column) == ("ambiguous_number", 4, "amount")
    uk, en = c.message("uk"), c.message("en")
    assert "Costs!C4" in uk and "12 чи 12000" in uk
    assert "12 or 12000" in en
    # neither 12 nor 12 000: only the electricity row (6 000) is among the costs
    by_kekv = r.outputs["tblCostByKekv"]
    assert by_kekv.query("kekv == '2240'").empty


def test_an_ambiguous_count_is_not_a_unit_cost_a_thousand_times_off() -> None:
    services = [SERVICES[0], ["S1", "Догляд вдома", "година", "1,000", 10, "0813104"],
                SERVICES[2]]
    r = parts.compute(tables(tblServices=services), only="costing")
    assert [(c.code, c.row, c.column) for c in errors(r, "tblServices")] == [
        ("ambiguous_number", 4, "planned_units")]
    assert "S1" not in set(r.outputs["tblUnitCosts"]["service_id"])


NEEDS_HEAD = ["activity_id", "base_year", "base_amount", "index_rate", "first_year",
              "last_year"]


@pytest.mark.parametrize("rate,warned", [(7, True), (1, True), (10, True), (0.07, False),
                                         (0.99, False), (-0.5, False)])
def test_an_index_rate_of_whole_percents_is_read_with_a_warning(rate: float,
                                                                warned: bool) -> None:
    needs = [NEEDS_HEAD, ["A1", 2026, 1000, rate, 2026, 2027]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=[["activity_id", "source", "rule"]]),
                      only="funding")
    found = [c for c in r.checks if c.code == "percent_as_number"]
    assert [(c.severity, c.table, c.row, c.column) for c in found] == (
        [("warning", "tblNeeds", 4, "index_rate")] if warned else [])
    split = r.outputs["tblFundingSplit"].set_index("year")
    assert split.loc[2027, "need"] == pytest.approx(1000 * (1 + rate))  # read as typed
    if warned:
        percent = int(Decimal(str(rate)) * 100)  # whole here: 100, 700, 1 000
        assert f"{percent:,} %".replace(",", "\u00a0") in found[0].message("uk")
        assert f"type {rate}%" in found[0].message("en")


@pytest.mark.parametrize("key,value,warned", [
    ("index_rate", 7, True), ("index_rate", 0.07, False),
    ("discount_rate", 10, True), ("discount_rate", 0.1, False),
    ("under_threshold", 9, True), ("under_threshold", 1, False),
    ("change_threshold", 20, True), ("change_threshold", 0.2, False),
    ("esv_rate", 0.22, False),
])
def test_a_rate_setting_of_whole_percents_is_read_with_a_warning(key: str, value: float,
                                                                 warned: bool) -> None:
    settings = [["key", "value"], ["plan_year", 2026], [key, value]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    found = [(c.severity, c.table, c.row, c.column) for c in r.checks
             if c.code == "percent_as_number"]
    assert found == ([("warning", "tblSettings", 5, "value")] if warned else [])


def test_the_command_line_says_which_cell_is_ambiguous(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    path, wb = sample_book(tmp_path)
    ws = wb["Послуги"]
    assert ws["A4"].value == "U01" and ws["D3"].value == "Планова кількість одиниць"
    ws["D4"] = "64,500"
    wb.save(path)
    assert main(["refresh", str(path)]) == 1
    out = capsys.readouterr().out
    assert "Послуги!D4: «64,500» — неоднозначне число: 64,5 чи 64500?" in out
    checks = openpyxl.load_workbook(path)["Перевірка"]
    rows = [r for r in checks.iter_rows(min_row=4, values_only=True) if r[1] == "ambiguous_number"]
    assert len(rows) == 1 and rows[0][0] in ("помилка", "error")
    units = openpyxl.load_workbook(path)["Вартість послуг"]
    assert "U01" not in {r[0] for r in units.iter_rows(min_row=4, values_only=True)}


@pytest.mark.parametrize("share,refused", [(30, True), (1.5, True), (1, False), (0.3, False)])
def test_a_source_share_over_one_is_an_error_naming_the_percent(share: float,
                                                                refused: bool) -> None:
    """A donor's share of 30 (meant 30 %) was 'over promised by 29 000': now the row's own
    error says 3 000 %, and the row is left out (the remainder takes the need)."""
    needs = [["activity_id", "base_year", "base_amount", "first_year", "last_year"],
             ["A1", 2026, 1000, 2026, 2026]]
    sources = [["activity_id", "source", "rule", "value", "first_year", "last_year"],
               ["A1", "donor", "share", share, 2026, 2026],
               ["A1", "local", "remainder", None, 2026, 2026]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=sources), only="funding")
    got = [(c.code, c.row, c.column) for c in errors(r)]
    split = r.outputs["tblFundingSplit"].iloc[0]
    if refused:
        assert got == [("source_share_over_one", 4, "value")]
        percent = f"{int(Decimal(str(share)) * 100):,}".replace(",", "\u00a0")
        assert f"{percent} %" in errors(r)[0].message("uk")
        assert (split["donor"], split["local"], split["gap"]) == (0, 1000, 0)
    else:
        assert got == []
        assert (split["donor"], split["local"]) == (1000 * share, 1000 * (1 - share))


@pytest.mark.parametrize("key,value,warned", [
    ("hours_per_fte", 166, True), ("hours_per_fte", 2088, False), ("hours_per_fte", 1000, False),
    ("fx_EUR", 0.0206, True), ("fx_EUR", 48.5, False), ("fx_USD", 4180, True),
    ("min_wage", 103_764, True), ("min_wage", 8647, False),
    ("esv_rate", 0.022, True), ("esv_rate", 0.0841, False), ("esv_rate", 0.22, False),
])
def test_a_setting_outside_its_usual_range_is_read_with_a_warning(key: str, value: float,
                                                                  warned: bool) -> None:
    """A month's working hours (166) for the year's, an inverted rate, a year's minimum
    wage: each multiplies costs by 12 or 2 000 without a word, so each is said."""
    settings = [["key", "value"], ["plan_year", 2026], [key, value]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    found = [c for c in r.checks if c.code == "unusual_setting"]
    assert [(c.severity, c.row, c.column) for c in found] == (
        [("warning", 5, "value")] if warned else [])
    assert getattr(r.settings, key) == value  # computed as typed
    if warned:
        shown = f"{Decimal(str(value)).normalize():f}"
        assert f"{key} = {shown}" in found[0].message("en")


LOCAL = [["activity_id", "source", "rule", "value", "first_year", "last_year"],
         ["A1", "local", "remainder", None, 2026, 2027]]


@pytest.mark.parametrize("typed", ["2026 рік", "2026 р.", "2026р", " 2026 РОКУ ", "2026 year"])
def test_a_year_written_with_its_word_is_the_year(typed: str) -> None:
    """«2026 рік» in plan_year, «2027 р.» in a need's first year: the number is the year."""
    next_year = typed.replace("2026", "2027")
    settings = [["key", "value"], ["plan_year", typed]]
    needs = [NEEDS_HEAD, ["A1", typed, 1000, 0.1, typed, next_year]]
    r = parts.compute(tables(tblSettings=settings, tblNeeds=needs,
                             tblSources=LOCAL), only="funding")
    assert r.settings.plan_year == 2026
    assert [c.code for c in r.checks if c.severity == "error"] == []
    split = r.outputs["tblFundingSplit"].set_index("year")
    assert split.loc[2027, "need"] == pytest.approx(1100)


@pytest.mark.parametrize("typed", ["2026 рік 5", "рік 2026", "2026 грн", "₴2026", "20 26 р."])
def test_other_text_in_a_year_cell_is_still_an_error(typed: str) -> None:
    """An amount's currency makes a year cell an amount: only money cells may say грн."""
    settings = [["key", "value"], ["plan_year", 2026]]
    needs = [NEEDS_HEAD, ["A1", 2026, "1 000 грн", 0.1, typed, 2027]]  # money may say грн
    r = parts.compute(tables(tblSettings=settings, tblNeeds=needs,
                             tblSources=LOCAL), only="funding")
    assert [(c.severity, c.row, c.column) for c in r.checks if c.table == "tblNeeds"] == [
        ("error", 4, "first_year")]


def test_a_rate_in_hryvnias_may_name_the_hryvnia() -> None:
    """UAH per euro is hryvnias: «48,5 грн» is the rate, as «1 200 грн» is an amount."""
    settings = [["key", "value"], ["plan_year", 2026], ["fx_EUR", "48,5 грн"]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    assert r.settings.fx_EUR == 48.5
    assert [c for c in r.checks if c.table == "tblSettings"] == []
