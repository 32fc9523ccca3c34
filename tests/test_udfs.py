"""Worksheet functions: called as Excel calls them (2-D lists with the header row)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import koshtorys.udfs as udfs
from koshtorys.commands import refresh as commands_refresh
from koshtorys.core import schema
from koshtorys.core.book import MemoryBook, frame_rows
from koshtorys.samples import sample_frames
from koshtorys.udfs import funding, index_amount, kekv_name, kpkvk_name, unit_costs, variance

MONTHS = list(schema.MONTHS)


def grid(name: str, df: pd.DataFrame, lang: str = "uk") -> list[list[object]]:
    """``df`` as Excel passes a table range: header row, then values (numbers as float)."""
    t = schema.table(name)
    rows = frame_rows(df, list(df.columns))
    as_excel = [[float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in r]
                for r in rows]
    return [[t.column(k).header(lang) for k in df.columns]] + as_excel  # type: ignore[arg-type]


def is_error(result: object) -> bool:
    return (isinstance(result, list) and len(result) == 1 and len(result[0]) == 1
            and isinstance(result[0][0], str) and result[0][0].startswith("#KOSHT! "))


# --- one small case worked by hand from the SPEC's formulas ------------------------------

SERVICES = [["service_id", "name", "unit", "planned_units", "planned_recipients", "kpkvk"],
            ["S1", "Догляд вдома", "година", 1000.0, 10.0, "0813104"]]
STAFF = [["position_id", "title", "category", "fte", "monthly_pay", "months", "kpkvk"],
         ["P1", "Соціальний робітник", "direct", 1.0, 10000.0, 12.0, "0813104"]]
TIME = [["position_id", "service_id", "share"], ["P1", "S1", 1.0]]
COSTS = [["kekv", "description", "amount", "service_id", "kpkvk", "fund"],
         ["2210", "матеріали", 5000.0, "S1", "0813104", "general"],
         ["2273", "електроенергія", 3000.0, None, "0813104", "general"]]
SETTINGS = [["key", "value"], ["plan_year", 2026.0], ["esv_rate", 0.22], ["min_wage", 8647.0],
            ["hours_per_fte", 1992.0], ["indirect_base", "direct_labor"], ["vat_rate", 0.0]]


def test_unit_costs_by_hand() -> None:
    header, row = unit_costs(SERVICES, STAFF, TIME, COSTS, SETTINGS)
    assert header == schema.table("tblUnitCosts").column_keys  # English in, keys out
    got = dict(zip(header, row, strict=True))
    payroll = 1 * 10000 * 12
    labor = payroll + payroll * 0.22  # 146 400
    total = labor + 5000 + 3000  # the one service carries the whole shared pool
    assert got["service_id"] == "S1" and got["hours"] == pytest.approx(1992)
    assert got["direct_labor"] == pytest.approx(labor)
    assert got["direct_other"] == pytest.approx(5000)
    assert got["indirect"] == pytest.approx(3000)
    assert got["total_cost"] == pytest.approx(total)
    assert got["unit_cost"] == pytest.approx(total / 1000)
    assert got["cost_per_recipient"] == pytest.approx(total / 10)
    assert got["cost_per_hour"] == pytest.approx(total / 1992, abs=0.005)
    assert got["unit_tariff"] == pytest.approx(total / 1000)


def test_variance_by_hand() -> None:
    plan = [["kpkvk", "kekv", "fund", *MONTHS], ["0813104", "2111", "general"] + [1000.0] * 12]
    actual = [["kpkvk", "kekv", "fund", *MONTHS],
              ["0813104", "2111", "general", 900.0, 950.0, 1000.0] + [None] * 9]
    header, *rows = variance(plan, actual, SETTINGS)
    assert header == schema.table("tblVariance").column_keys
    assert len(rows) == 1  # as_of = first quarter: rows go up to it
    got = dict(zip(header, rows[0], strict=True))
    assert got["quarter"] == 1 and got["kpkvk"] == "0813104" and got["kekv"] == "2111"
    assert got["plan"] == pytest.approx(3000) and got["actual"] == pytest.approx(2850)
    assert got["variance"] == pytest.approx(-150)
    assert got["exec_pct"] == pytest.approx(0.95)
    assert got["annual_plan"] == pytest.approx(12000)
    assert got["exec_pct_annual"] == pytest.approx(2850 / 12000)
    assert got["forecast"] == pytest.approx(12000 * 2850 / 3000)
    assert got["flag"] == "ok"  # 0.95 ≥ under_threshold 0.9


def test_funding_by_hand() -> None:
    needs = [["activity_id", "name", "kpkvk", "base_year", "base_amount", "index_rate",
              "first_year", "last_year"],
             ["A1", "Центр", "0813104", 2026.0, 100000.0, 0.1, 2026.0, 2027.0]]
    sources = [["activity_id", "source", "rule", "value", "currency", "first_year", "last_year"],
               ["A1", "state", "fixed", 30000.0, "UAH", 2026.0, 2027.0]]
    header, *rows = funding(needs, sources, SETTINGS)
    assert header == schema.table("tblFundingSplit").column_keys
    got = [dict(zip(header, r, strict=True)) for r in rows]
    assert [(g["year"], g["need"], g["state"], g["local"], g["gap"]) for g in got] == [
        (2026, 100000.0, 30000.0, 70000.0, 0.0),  # local takes the remainder
        (2027, 110000.0, 30000.0, 80000.0, 0.0),  # need indexed by 10 %
    ]


# --- the same numbers as a refresh of the sample --------------------------------------


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_same_numbers_as_refresh(lang: str) -> None:
    frames = sample_frames()
    mem = MemoryBook.from_frames(frames, lang)  # type: ignore[arg-type]
    commands_refresh.refresh(mem)
    s = grid("tblSettings", frames["tblSettings"], lang)
    cases = [
        ("tblUnitCosts", unit_costs(grid("tblServices", frames["tblServices"], lang),
                                    grid("tblStaff", frames["tblStaff"], lang),
                                    grid("tblTime", frames["tblTime"], lang),
                                    grid("tblCosts", frames["tblCosts"], lang), s)),
        ("tblVariance", variance(grid("tblPlan", frames["tblPlan"], lang),
                                 grid("tblActuals", frames["tblActuals"], lang), s)),
        ("tblFundingSplit", funding(grid("tblNeeds", frames["tblNeeds"], lang),
                                    grid("tblSources", frames["tblSources"], lang), s)),
    ]
    for name, result in cases:
        t = schema.table(name)
        assert not is_error(result), result
        assert result[0] == t.headers(lang)  # type: ignore[arg-type]
        assert result[1:] == frame_rows(mem.written[name], t.column_keys), name
        assert len(result) > 1


def test_settings_are_optional() -> None:
    result = unit_costs(SERVICES, STAFF, TIME, COSTS)
    assert not is_error(result) and result[1][0] == "S1"


# --- bad arguments give an error value, never an exception ------------------------------


@pytest.mark.parametrize("bad", [None, "tblServices", 42.0, [], [[]], ["service_id", "name"],
                                 [["service_id", "name"], ["S1"]]])
def test_malformed_argument_is_an_error_value(bad: object) -> None:
    result = unit_costs(bad, STAFF, TIME, COSTS)  # type: ignore[arg-type]
    assert is_error(result), result
    assert "services" in result[0][0]


def test_missing_column_and_no_rows_are_named() -> None:
    no_unit = [r[:2] + r[3:] for r in SERVICES]
    assert "unit" in unit_costs(no_unit, STAFF, TIME, COSTS)[0][0]
    assert "no data rows" in unit_costs(SERVICES[:1], STAFF, TIME, COSTS)[0][0]
    uk_header_only = [schema.table("tblServices").headers("uk")]
    message = unit_costs(uk_header_only, STAFF, TIME, COSTS)[0][0]
    assert "немає жодного рядка" in message  # Ukrainian headers: Ukrainian message
    # An empty optional table is fine: an institution with no other costs.
    header, row = unit_costs(SERVICES, STAFF, TIME, COSTS[:1], SETTINGS)
    assert dict(zip(header, row, strict=True))["total_cost"] == pytest.approx(146400)


def test_input_error_points_into_the_argument() -> None:
    bad = [SERVICES[0], ["S1", "Догляд", "година", "багато", 10.0, "0813104"]]
    result = unit_costs(bad, STAFF, TIME, COSTS, SETTINGS)
    assert len(result) == 2 and result[0][0] == "service_id"  # the header, no rows to show
    note = result[-1][0]
    assert note.startswith("#KOSHT! ") and "services!D2" in note  # row 2, column D
    assert result[-1][1:] == [None] * (len(result[0]) - 1)


cells = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True),
                  st.text(max_size=8), st.integers(-10**6, 10**6))
junk = st.one_of(cells, st.lists(cells, max_size=4),
                 st.lists(st.lists(cells, max_size=4), max_size=4))


@settings(max_examples=60, deadline=None)
@given(a=junk, b=junk, c=junk)
def test_any_junk_gives_a_value_not_an_exception(a: object, b: object, c: object) -> None:
    for result in (unit_costs(a, STAFF, b, COSTS, c),  # type: ignore[arg-type]
                   variance(a, b, c),  # type: ignore[arg-type]
                   funding(a, b, c)):  # type: ignore[arg-type]
        assert isinstance(result, list) and all(isinstance(r, list) for r in result)
    for value in (index_amount(a, b, c), kekv_name(a), kpkvk_name(a)):  # type: ignore[arg-type]
        assert isinstance(value, str | float)


# --- helpers ------------------------------------------------------------------------------


def test_index_amount() -> None:
    assert index_amount(100000.0, 0.1, 2.0) == pytest.approx(100000 * 1.1 * 1.1)
    assert index_amount(1000.0, 0.0, 5.0) == pytest.approx(1000.0)
    assert index_amount("1 000,50", "0", 1) == pytest.approx(1000.5)
    assert str(index_amount("багато", 0.1, 1)).startswith("#KOSHT! ")
    assert str(index_amount(100.0, None, 1)).startswith("#KOSHT! ")


def test_code_names() -> None:
    assert kekv_name(2111.0) == "Заробітна плата"  # a number cell, as Excel passes it
    assert kekv_name("2111") == "Заробітна плата"
    assert "соціальними послугами за місцем проживання" in kpkvk_name("0813104")
    assert kpkvk_name(813104.0) == kpkvk_name("0813104")  # the zero a number cell lost
    assert kekv_name("9999").startswith("#KOSHT! ")
    assert kpkvk_name(None).startswith("#KOSHT! ")


def test_namespace_and_exports() -> None:
    assert udfs.functions.__xlwings_func_namespace__ == "KOSHT"
    assert [f.__name__ for f in udfs.FUNCTIONS] == [
        "unit_costs", "variance", "funding", "index_amount", "kekv_name", "kpkvk_name"]


def test_import_does_no_work() -> None:
    code = ("import sys, koshtorys.udfs; "
            "print(sorted(m for m in sys.modules if m.startswith('koshtorys.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['koshtorys.udfs', 'koshtorys.udfs.functions']"


def test_index_amount_rounds_half_away_from_zero_like_every_amount() -> None:
    # 0.125 is exact in binary: Python's round() would give 0.12 (half to even)
    assert index_amount(0.125, 0, 0) == 0.13
    assert index_amount(-0.125, 0, 0) == -0.13


def test_a_bad_row_does_not_blank_the_good_rows() -> None:
    # two activities; the second one's first year is text: it alone is left out
    needs = [["activity_id", "name", "kpkvk", "base_year", "base_amount", "index_rate",
              "first_year", "last_year"],
             ["A1", "Догляд", "0813104", 2026, 1000.0, 0.0, 2026, 2026],
             ["A2", "Навчання", "0813104", 2026, 500.0, 0.0, "двадцять", 2026]]
    sources = [["activity_id", "source", "rule", "value", "currency", "first_year",
                "last_year"],
               ["A1", "state", "share", 0.25, "UAH", 2026, 2026]]
    header, *rows, note = funding(needs, sources, SETTINGS)
    assert header[:3] == ["activity_id", "year", "need"]
    assert [(r[0], r[2], r[header.index("state")], r[header.index("local")]) for r in rows] \
        == [("A1", 1000.0, 250.0, 750.0)]  # 25 % state, the rest local
    assert note[0].startswith("#KOSHT! ") and "1" in note[0] and "needs!G3" in note[0]
    assert note[1:] == [None] * (len(header) - 1)


def test_a_row_of_only_blanks_is_no_row_but_a_zero_or_false_first_cell_is() -> None:
    clean = unit_costs(SERVICES, STAFF, TIME, COSTS, SETTINGS)
    blank_rows = [[None, None, None], ["", None, ""], [None, "", None]]
    assert unit_costs(SERVICES, STAFF, TIME + blank_rows, COSTS, SETTINGS) == clean
    for first in (0.0, False):  # falsy, yet neither None nor "": a row with an error
        *_, note = unit_costs(SERVICES, STAFF, TIME + [[first, None, None]], COSTS, SETTINGS)
        assert note[0].startswith("#KOSHT! ") and "time!" in note[0]


def test_a_ukrainian_range_gets_ukrainian_values() -> None:
    t = schema.table("tblPlan")
    plan = [t.headers("uk"), ["0813104", "2210", "загальний", *([100.0] * 12)]]
    actual = [t.headers("uk"), ["0813104", "2210", "загальний", *([50.0] * 3), *[None] * 9]]
    header, *rows = variance(plan, actual, SETTINGS)
    row = dict(zip(header, rows[0], strict=True))
    assert row["Фонд"] == "загальний" and row["Ознака"] == "недовиконання"
