"""Every class of bad input becomes a check pointing at its cell; valid rows still count."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys import parts
from koshtorys.core.book import UNCALCULATED, CellError, RawTable

SETTINGS = [["key", "value"], ["plan_year", 2026], ["min_wage", 8000], ["hours_per_fte", 2000]]
SERVICES = [
    ["service_id", "name", "unit", "planned_units", "planned_recipients", "kpkvk"],
    ["S1", "Догляд вдома", "година", 1000, 10, "0813104"],
    ["S2", "Консультування", "відвідування", 500, 50, 813104],
]
STAFF = [
    ["position_id", "title", "category", "fte", "monthly_pay", "months", "kpkvk"],
    ["P1", "Соціальний робітник", "direct", 2, 10000, 12, "0813104"],
    ["P2", "Директор", "indirect", 1, 20000, 12, "0813104"],
]
TIME = [["position_id", "service_id", "share"], ["P1", "S1", 0.6], ["P1", "S2", 0.4]]
COSTS = [
    ["kekv", "description", "amount", "service_id", "kpkvk", "fund"],
    ["2210", "Матеріали", 12000, "S1", "0813104", "general"],
    ["2273", "Електроенергія", 6000, None, "0813104", "general"],
]


def raw(name: str, rows: list[list[object]], header_row: int = 3) -> RawTable:
    return RawTable(name, name.removeprefix("tbl"), [str(h) for h in rows[0]],
                    [list(r) for r in rows[1:]], header_row=header_row, first_col=1)


def tables(**over: list[list[object]]) -> dict[str, RawTable]:
    base = {"tblSettings": SETTINGS, "tblServices": SERVICES, "tblStaff": STAFF,
            "tblTime": TIME, "tblCosts": COSTS}
    base.update(over)
    return {k: raw(k, v) for k, v in base.items()}


def errors(result: parts.JobResult, table: str | None = None) -> list:
    return [c for c in result.checks if c.severity == "error"
            and (table is None or c.table == table)]


def test_clean_inputs_have_no_errors_and_codes_keep_zeros() -> None:
    r = parts.compute(tables(), only="costing")
    assert errors(r) == []
    # the service typed as the number 813104 still belongs to program "0813104"
    assert set(r.inputs.frames["tblServices"]["kpkvk"]) == {"0813104"}
    assert r.exit_code == 0


def test_text_in_number_cell_points_at_the_cell() -> None:
    staff = [STAFF[0], ["P1", "Соціальний робітник", "direct", 2, "десять тисяч", 12, None],
             STAFF[2]]
    r = parts.compute(tables(tblStaff=staff), only="costing")
    (c,) = errors(r, "tblStaff")
    assert (c.row, c.column) == (4, "monthly_pay")  # header on row 3 → first data row 4
    assert "Staff!E4" in c.message("uk") and "десять тисяч" in c.message("uk")
    assert r.exit_code == 1
    # the valid post is still costed
    assert len(r.outputs["tblUnitCosts"]) == 2


@pytest.mark.parametrize(
    ("table", "rows", "column"),
    [
        ("tblServices", [SERVICES[0], ["S1", "x", "година", 0, 1, None]], "planned_units"),
        ("tblServices", [SERVICES[0], ["S1", "x", "година", -5, 1, None]], "planned_units"),
        ("tblStaff", [STAFF[0], ["P1", "x", "direct", -1, 9000, 12, None]], "fte"),
        ("tblStaff", [STAFF[0], ["P1", "x", "direct", 1, 9000, 13, None]], "months"),
        ("tblStaff", [STAFF[0], ["P1", "x", "direct", 1, 9000, 0, None]], "months"),
        ("tblStaff", [STAFF[0], ["P1", "x", "прямий-ні", 1, 9000, 12, None]], "category"),
        ("tblTime", [TIME[0], ["P1", "S1", 1.5]], "share"),
        ("tblTime", [TIME[0], ["P1", "S1", -0.1]], "share"),
        ("tblCosts", [COSTS[0], ["2219", "x", 10, None, None, "general"]], "kekv"),
        ("tblCosts", [COSTS[0], ["22", "x", 10, None, None, "general"]], "kekv"),
        ("tblCosts", [COSTS[0], ["2210", "x", 10, None, "81A310", "general"]], "kpkvk"),
        ("tblCosts", [COSTS[0], ["2210", "x", 10, None, None, "третій"]], "fund"),
        ("tblCosts", [COSTS[0], ["2210", "x", -10, None, None, "general"]], "amount"),
    ],
)
def test_bad_values_are_errors_at_their_cell(table: str, rows: list, column: str) -> None:
    r = parts.compute(tables(**{table: rows}), only="costing")
    found = [(c.table, c.row, c.column) for c in errors(r)]
    assert (table, 4, column) in found


def test_shares_above_one_for_a_post() -> None:
    time = [TIME[0], ["P1", "S1", 0.7], ["P1", "S2", 0.5]]
    r = parts.compute(tables(tblTime=time), only="costing")
    (c,) = errors(r, "tblTime")
    assert c.column == "share" and "1.2" in c.message("en")


def test_unknown_and_duplicate_ids() -> None:
    services = SERVICES + [["S1", "Дубль", "година", 10, 1, None]]
    time = TIME + [["P9", "S1", 0.1], ["P1", "S9", 0.0]]
    costs = COSTS + [["2210", "x", 5, "S7", None, "general"]]
    r = parts.compute(tables(tblServices=services, tblTime=time, tblCosts=costs),
                     only="costing")
    codes = {(c.table, c.column, c.code) for c in errors(r)}
    assert ("tblServices", "service_id", "duplicate_id") in codes
    assert ("tblTime", "position_id", "unknown_id") in codes
    assert ("tblTime", "service_id", "unknown_id") in codes
    assert ("tblCosts", "service_id", "unknown_id") in codes


@pytest.mark.parametrize("typed,like", [("s1", "S1"), ("S 2", "S2"), ("S01", "S1"),
                                        ("s02", "S2"), ("S3", None), ("S10", None),
                                        ("1S", None)])
def test_an_unknown_id_names_the_one_it_looks_like(typed: str, like: str | None) -> None:
    """«u02» for U02, «U1» for U01: case, spaces and leading zeros are how an id is mistyped;
    the error stays an error (an id is never guessed) and says which one it resembles."""
    costs = [COSTS[0], ["2210", "x", 5, typed, None, "general"]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    (c,) = errors(r, "tblCosts")
    assert (c.code, c.row, c.column) == ("unknown_id", 4, "service_id")
    uk, en = c.message("uk"), c.message("en")
    assert uk.startswith(f"Costs!D4: «{typed}» відсутній у таблиці tblServices.")
    if like is None:
        assert uk.endswith("tblServices.") and en.endswith("tblServices.")
    else:
        assert uk.endswith(f" Можливо, «{like}»?") and en.endswith(f" Did you mean '{like}'?")


def test_two_ids_alike_are_not_suggested() -> None:
    services = SERVICES + [["s1", "Інша", "година", 10, 1, None]]  # S1 and s1 both ids
    costs = [COSTS[0], ["2210", "x", 5, "S01", None, "general"]]
    r = parts.compute(tables(tblServices=services, tblCosts=costs), only="costing")
    (c,) = errors(r, "tblCosts")
    assert c.code == "unknown_id" and c.message("en").endswith("is not in tblServices.")


def test_formula_without_value_and_error_cells() -> None:
    costs = [COSTS[0], ["2210", "x", UNCALCULATED, None, None, "general"],
             ["2240", "y", CellError("#DIV/0!"), None, None, "general"]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    got = {(c.row, c.code) for c in errors(r, "tblCosts")}
    assert got == {(4, "no_formula_value"), (5, "error_value")}


def test_blank_rows_are_skipped_and_headers_match_either_language() -> None:
    services_uk = [["Код послуги", "Назва послуги", "Одиниця", "Планова кількість одиниць",
                    "Планова кількість отримувачів", "КПКВК"],
                   ["S1", "Догляд", "година", 100, 0, None], [None] * 6,
                   ["S2", "Інше", "година", 100, 0, None]]
    r = parts.compute(tables(tblServices=services_uk), only="costing")
    assert list(r.inputs.frames["tblServices"]["service_id"]) == ["S1", "S2"]
    assert list(r.inputs.frames["tblServices"].index) == [4, 6]


def test_missing_required_column_is_an_error() -> None:
    staff = [[h for h in STAFF[0] if h != "monthly_pay"]] + [
        [v for h, v in zip(STAFF[0], row, strict=True) if h != "monthly_pay"] for row in STAFF[1:]]
    r = parts.compute(tables(tblStaff=staff), only="costing")
    assert any(c.code == "missing_column" and c.table == "tblStaff" for c in errors(r))


def test_funding_bad_inputs() -> None:
    needs = [["activity_id", "name", "kpkvk", "base_year", "base_amount", "index_rate",
              "first_year", "last_year"],
             ["A1", "Захід", "0813104", 2026, 1000, 0, 2026, 2026],
             ["A2", "Захід 2", "0813104", 2026, 1000, 0, 2027, 2026]]
    sources = [["activity_id", "source", "rule", "value", "currency", "first_year",
                "last_year"],
               ["A1", "local", "remainder", None, "UAH", 2026, 2026],
               ["A1", "state", "remainder", None, "UAH", 2026, 2026],
               ["A9", "donor", "fixed", 10, "UAH", 2026, 2026],
               ["A1", "donor", "fixed", 10, "GBP", 2026, 2026]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=sources), only="funding")
    codes = {(c.table, c.code) for c in errors(r)}
    assert ("tblNeeds", "years_order") in codes
    assert ("tblSources", "unknown_id") in codes
    assert ("tblSources", "bad_enum") in codes
    assert ("tblSources", "two_remainders") in codes


def test_promised_beyond_need_is_an_error() -> None:
    needs = [["activity_id", "base_year", "base_amount", "first_year", "last_year"],
             ["A1", 2026, 1000, 2026, 2026]]
    sources = [["activity_id", "source", "rule", "value", "first_year", "last_year"],
               ["A1", "donor", "fixed", 1500, 2026, 2026]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=sources), only="funding")
    assert any(c.code == "over_promised" for c in errors(r))
    split = r.outputs["tblFundingSplit"]
    assert split.loc[0, "gap"] == -500


def test_settings_errors() -> None:
    settings = [["key", "value"], ["plan_year", "двадцять"], ["esv_rate", 22],
                ["indirect_base", "area"], ["no_such_key", 1]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    got = {(c.severity, c.code) for c in r.checks if c.table == "tblSettings"}
    assert ("error", "not_a_number") in got
    assert ("error", "above_max") in got
    assert ("error", "bad_enum") in got
    assert ("warning", "setting_unknown") in got
    assert ("error", "setting_missing") in got  # plan_year unusable


def test_missing_settings_table_is_exit_2_material() -> None:
    from koshtorys.core.errors import TableMissing

    t = tables()
    del t["tblSettings"]
    with pytest.raises(TableMissing):
        parts.compute(t, strict=True)


def test_settings_table_without_key_or_value_column_is_an_error() -> None:
    """Renamed headers must not silently give the default settings (plan year and all)."""
    settings = [["Назва", "Що"], ["plan_year", 2026], ["esv_rate", 0.3]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    got = {(c.code, c.params.get("header")) for c in errors(r, "tblSettings")}
    assert ("missing_column", "Параметр") in got
    assert ("missing_column", "Значення") in got
    assert r.exit_code == 1


@pytest.mark.parametrize(
    ("table", "rows", "column"),
    [
        ("tblStaff", [STAFF[0], ["P1", "x", "direct", 1, 1e300, 12, None]], "monthly_pay"),
        ("tblCosts", [COSTS[0], ["2210", "x", 1e30, None, None, "general"]], "amount"),
        ("tblServices", [SERVICES[0], ["S1", "x", "година", 1e20, 1, None]], "planned_units"),
        ("tblCosts", [COSTS[0], ["2210", "x", "1e400", None, None, "general"]], "amount"),
    ],
)
def test_absurdly_large_numbers_are_errors(table: str, rows: list, column: str) -> None:
    """Beyond 10^12 UAH kopiyka sums overflow: the cell is an error, not garbage totals."""
    r = parts.compute(tables(**{table: rows}), only="costing")
    bad = [c for c in errors(r, table) if c.column == column]
    assert bad and bad[0].row == 4
    costs = r.outputs["tblCostByKekv"]["amount"]
    assert (costs >= 0).all() and (costs < 1e13).all()


def test_payroll_beyond_the_limit_is_an_error() -> None:
    """Each cell is plausible on its own, the product is not: 10^7 posts × 10^6 UAH × 12."""
    staff = [STAFF[0], ["P1", "x", "direct", 1e7, 1e6, 12, None], STAFF[2]]
    r = parts.compute(tables(tblStaff=staff), only="costing")
    (c,) = errors(r, "tblStaff")
    assert (c.row, c.code) == (4, "too_large")
    # only the director (indirect: 20 000 × 12 = 240 000, ЄСВ 22 % = 52 800) and the
    # two cost rows (12 000 + 6 000) are costed
    assert r.outputs["tblCostByKekv"]["amount"].sum() == 240000 + 52800 + 12000 + 6000


def test_need_growing_beyond_the_limit_is_an_error() -> None:
    needs = [["activity_id", "base_year", "base_amount", "index_rate", "first_year",
              "last_year"],
             ["A1", 2026, 1000, 10, 2026, 2046],  # 1000 × 11^20 ≈ 6.7e23
             ["A2", 2026, 1000, 0, 2026, 2026]]
    sources = [["activity_id", "source", "rule", "value", "first_year", "last_year"],
               ["A1", "state", "share", 0.5, 2026, 2046]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=sources), only="funding")
    got = [(c.table, c.row, c.code) for c in errors(r)]
    assert ("tblNeeds", 4, "too_large") in got
    split = r.outputs["tblFundingSplit"]
    # 1000 × 11^8 ≈ 2.1e11 (2034) is within the 1e12 limit; 1000 × 11^9 ≈ 2.4e12 (2035) not
    assert list(zip(split["activity_id"], split["year"], strict=True)) == [
        *[("A1", y) for y in range(2026, 2035)], ("A2", 2026)]
    assert split["need"].tolist() == [1000.0 * 11**k for k in range(9)] + [1000.0]


def test_source_beyond_the_limit_is_an_error() -> None:
    """10^9 EUR at 10^4 UAH per euro: each cell plausible, the amount 10^13 UAH is not."""
    settings = SETTINGS + [["fx_EUR", 10000]]
    needs = [["activity_id", "base_year", "base_amount", "first_year", "last_year"],
             ["A1", 2026, 1000, 2026, 2026]]
    sources = [["activity_id", "source", "rule", "value", "currency", "first_year",
                "last_year"],
               ["A1", "donor", "fixed", 1e9, "EUR", 2026, 2026],
               ["A1", "state", "fixed", 400, "UAH", 2026, 2026]]
    r = parts.compute(tables(tblSettings=settings, tblNeeds=needs, tblSources=sources),
                     only="funding")
    assert [(c.row, c.column, c.code) for c in errors(r)] == [(4, "value", "too_large")]
    split = r.outputs["tblFundingSplit"]
    assert split.loc[0, ["need", "state", "donor", "local", "gap"]].tolist() == [
        1000, 400, 0, 600, 0]


def test_setting_given_twice_warns_and_percent_text_is_read() -> None:
    settings = SETTINGS + [["esv_rate", "8,41%"], ["min_wage", 9000]]
    r = parts.compute(tables(tblSettings=settings), only="costing")
    twice = [c for c in r.checks if c.code == "setting_twice"]
    assert [(c.severity, c.row) for c in twice] == [("warning", 8)]  # header row 3 → 4..8
    assert r.settings.esv_rate == pytest.approx(0.0841)
    assert r.settings.min_wage == 9000


def test_negative_index_below_minus_one_is_an_error() -> None:
    needs = [["activity_id", "base_year", "base_amount", "index_rate", "first_year",
              "last_year"], ["A1", 2026, 1000, -1.5, 2026, 2027]]
    r = parts.compute(tables(tblNeeds=needs, tblSources=[["activity_id", "source", "rule",
                                                          "first_year", "last_year"]]),
                     only="funding")
    assert [(c.table, c.column, c.code) for c in errors(r)] == [
        ("tblNeeds", "index_rate", "below_min")]


def test_reference_to_a_row_with_an_error_says_so() -> None:
    services = [SERVICES[0], ["S1", "Догляд", "година", 0, 10, None], SERVICES[2]]
    r = parts.compute(tables(tblServices=services), only="costing")
    got = {(c.table, c.row, c.code) for c in errors(r)}
    assert ("tblServices", 4, "not_positive") in got
    # TIME row 4 (P1 → S1) and COSTS row 4 (2210 → S1) point at the row with the error
    assert ("tblTime", 4, "refers_invalid") in got
    assert ("tblCosts", 4, "refers_invalid") in got
    msg = next(c for c in errors(r) if c.code == "refers_invalid").message("en")
    assert "row 4" in msg and "S1" in msg


def test_a_plan_line_given_again_warns_at_the_repeat_naming_the_first() -> None:
    """tblPlan's key is (КПКВК, КЕКВ, fund): a code typed as a number is the same code, a
    blank fund is the general fund, another fund is another line."""
    head = ["kpkvk", "kekv", "fund", "m01"]
    plan = [head,
            ["0813104", "2210", "general", 100],   # row 4
            ["0813104", "2210", "special", 100],   # row 5: another fund
            [813104, 2210.0, "general", 50],        # row 6: repeats row 4
            ["0813104", "2273", None, 10],          # row 7
            ["0813104", "2273", "general", 10],     # row 8: blank fund = general, row 7
            ["0813104", "2210", "general", 1]]      # row 9: row 4 again
    actuals = [head, ["0813104", "2210", "general", 90]]
    r = parts.compute(tables(tblPlan=plan, tblActuals=actuals), only="execution")
    got = [(c.row, c.column, c.params["first"]) for c in r.checks
           if c.table == "tblPlan" and c.code == "duplicate_key"]
    assert got == [(6, "kekv", 4), (8, "kekv", 7), (9, "kekv", 4)]
    assert all(c.severity == "warning" for c in r.checks if c.code == "duplicate_key")
    assert not [c for c in r.checks if c.table == "tblActuals" and c.code == "duplicate_key"]


@pytest.mark.parametrize("kekv_2273", ["2273", 2273.0])  # a column of texts; one mixed
def test_a_kekv_group_is_an_error_and_an_unknown_program_part_a_warning(kekv_2273) -> None:
    """kekv.csv lists 2200 as the group over 2210…2275 (not an item a cost may use);
    tpkvk.csv has no program part 9999. A repeated bad code is reported at each row."""
    costs = [COSTS[0],
             ["2200", "Товари", 100, "S1", "0813104", "general"],       # row 4: group
             [kekv_2273, "Світло", 200, None, "0819999", "general"],     # row 5: 9999
             ["2210", "Папір", 300, None, " 0813104 ", "general"],       # row 6: clean
             ["2200", "Товари", 50, None, "0819999", "general"]]        # row 7: both
    r = parts.compute(tables(tblCosts=costs), only="costing")
    got = sorted((c.row, c.column, c.severity, c.code) for c in r.checks
                 if c.code in ("bad_kekv", "unknown_tpkvk"))
    assert got == [(4, "kekv", "error", "bad_kekv"),
                   (5, "kpkvk", "warning", "unknown_tpkvk"),
                   (7, "kekv", "error", "bad_kekv"),
                   (7, "kpkvk", "warning", "unknown_tpkvk")]
    tails = {c.params["tail"] for c in r.checks if c.code == "unknown_tpkvk"}
    assert tails == {"9999"}
    # the rows with an error are left out of the costs; the warned row stays
    assert sorted(r.inputs.frames["tblCosts"].index) == [5, 6]


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["0813104", "0813105", None]),
                               st.sampled_from(["2210", "2273", "2210 ", None, float("nan")]),
                               st.sampled_from([2026, 2027])), max_size=25),
       as_text=st.booleans())
def test_repeated_keys_are_found_as_texts(rows: list[tuple[object, object, int]],
                                          as_text: bool) -> None:
    """Each row whose key texts (blank = "") an earlier row had is named once, with the
    earliest such row; whatever mix of texts, blanks and numbers the key holds."""
    from koshtorys.convert.references import _duplicate_keys

    index = list(range(4, 4 + len(rows)))
    df = pd.DataFrame({"a": pd.Series([r[0] for r in rows], index=index, dtype=object),
                       "b": pd.Series([r[1] for r in rows], index=index, dtype=object),
                       "c": pd.Series([str(r[2]) if as_text else r[2] for r in rows],
                                      index=index, dtype=object)})
    want = []
    for i, r in enumerate(rows):
        text = tuple("" if v is None or v != v else str(v) for v in r)
        for j in range(i):
            if tuple("" if v is None or v != v else str(v) for v in rows[j]) == text:
                want.append((index[i], index[j]))
                break
    got = [(c.row, c.params["first"]) for c in _duplicate_keys(df, "tblHistory", ("a", "b", "c"))]
    assert got == want


def test_an_english_message_names_the_english_header() -> None:
    # the English template's headers are the column keys: an English message that asks
    # for a column asks for it by that name, a Ukrainian one by the Ukrainian header
    staff = [[h for h in STAFF[0] if h != "monthly_pay"]] + [
        [v for h, v in zip(STAFF[0], row, strict=True) if h != "monthly_pay"] for row in STAFF[1:]]
    services = [list(SERVICES[0]), ["S1", None, "година", 100, 0, "0813104"],
                *SERVICES[2:]]
    r = parts.compute(tables(tblStaff=staff, tblServices=services), only="costing")
    missing = next(c for c in errors(r) if c.code == "missing_column")
    blank = next(c for c in errors(r) if c.code == "blank_required")
    assert "'monthly_pay'" in missing.message("en")
    assert "«Місячний фонд оплати на ставку»" in missing.message("uk")
    assert "'name'" in blank.message("en") and "«Назва послуги»" in blank.message("uk")


@pytest.mark.parametrize(("typed", "fund"), [
    ("загальний фонд", "general"), ("Спеціальний фонд", "special"), ("спецфонд", "special"),
    ("загальний\u00a0 фонд", "general"), ("General fund", "general"), ("СФ", "special"),
])
def test_a_fund_is_read_as_a_finance_officer_writes_it(typed: str, fund: str) -> None:
    costs = [COSTS[0], ["2240", "Оренда", 1000, None, "0813104", typed]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    assert errors(r, "tblCosts") == []
    row = r.outputs["tblCostByKekv"].query("kekv == '2240'")
    assert list(row["fund"]) == [fund] and list(row["amount"]) == [1000]


@pytest.mark.parametrize(("typed", "read"), [
    ("3104", None), (3104, None), ("13104", None), ("0003104", None),  # ГРК 00: none such
    (813104, "0813104"), ("813104", "0813104"), (113104.0, "0113104"), ("0813104", "0813104"),
])
def test_a_program_code_lost_only_the_zero_excel_drops(typed: object, read: str | None) -> None:
    """A main spending unit's code is 01–99: a КПКВК lost at most one leading zero. 3104 is
    the ТПКВКМБ typed for the КПКВК — an error, not the program 0003104 of no one."""
    costs = [COSTS[0], ["2240", "Оренда", 1000, None, typed, "general"]]
    r = parts.compute(tables(tblCosts=costs), only="costing")
    bad = [(c.code, c.row, c.column) for c in errors(r, "tblCosts")]
    kb = r.outputs["tblCostByKekv"].query("kekv == '2240'")
    if read is None:
        assert bad == [("bad_kpkvk", 4, "kpkvk")] and kb.empty
        assert "0813104" in errors(r, "tblCosts")[0].message("uk")
    else:
        assert bad == [] and list(kb["kpkvk"]) == [read]


def test_a_number_in_a_message_keeps_every_digit_and_the_decimal_comma() -> None:
    """-1 234 567,5 was shown as «-1.23457e+06»: neither the figure typed nor Ukrainian."""
    staff = [STAFF[0], ["P1", "Соц", "direct", 1, -1234567.5, 12, "0813104"], STAFF[2]]
    time = [TIME[0]]
    r = parts.compute(tables(tblStaff=staff, tblTime=time), only="costing")
    (c,) = errors(r, "tblStaff")
    assert c.code == "below_min"
    assert c.message("uk") == "Staff!E4: -1\u00a0234\u00a0567,5 — менше допустимого (0)."
    assert c.message("en") == "Staff!E4: -1234567.5 is below the allowed minimum (0)."
