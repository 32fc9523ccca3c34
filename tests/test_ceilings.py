"""Ceilings: Форма 20__-2 filled up to the ceiling exactly, the rest by КЕКВ in Форма
20__-3, the two adding up to the expenditure; protected lines kept first; without a
ceiling nothing changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from fixtures_xlsx import sample_book
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from koshtorys.core import schema
from koshtorys.core.settings import Settings
from koshtorys.documents.ceilings import split_to_ceiling, tier
from koshtorys.documents.request import RequestInputs, build_requests
from koshtorys.documents.request_sheet import read_summary, write_requests

KEKV = ["2111", "2120", "2210", "2230", "2240", "2273", "2282", "2730", "2800", "3110", "3132"]
P = "0813104"

# the order of the research notes: protected, other current, capital
PROTECTED = {"2111", "2120", "2230", "2273", "2730"}


@given(lines=st.dictionaries(st.sampled_from(KEKV), st.integers(0, 10**9), min_size=1),
       ceiling=st.integers(0, 3 * 10**9))
@settings(max_examples=300, deadline=None)
def test_split_fills_the_ceiling_exactly_in_the_protected_first_order(
        lines: dict[str, int], ceiling: int) -> None:
    within, excess = split_to_ceiling(lines, ceiling)
    assert all(within[k] + excess[k] == v for k, v in lines.items())
    assert all(within[k] >= 0 and excess[k] >= 0 for k in lines)
    assert sum(within.values()) == min(ceiling, sum(lines.values()))
    # no line is cut while a line that comes later in the order keeps money
    order = sorted(lines, key=lambda k: (0 if k in PROTECTED else 2 if k[0] == "3" else 1, k))
    cut = [k for k in order if excess[k]]
    if cut:
        first = order.index(cut[0])
        assert all(within[k] == 0 for k in order[first + 1:])
        assert all(excess[k] == 0 for k in order[:first])


def test_tiers_are_the_documented_ones() -> None:
    assert [tier(k) for k in ("2111", "2120", "2220", "2230", "2274", "2276", "2620", "2730")] \
        == [1] * 8
    assert [tier(k) for k in ("2210", "2240", "2250", "2282", "2800")] == [2] * 5
    assert [tier(k) for k in ("3110", "3132", "3210")] == [3] * 3


def _inputs(amounts: dict[tuple[str, str], float], ceilings: list[tuple[str, int, float]],
            rounding: int = 0, index_rate: float = 0.0) -> RequestInputs:
    s = Settings(institution="ЦНСП", edrpou="43217655", plan_year=2026, rounding=rounding,
                 index_rate=index_rate, budget_code="12517000000")
    cost = pd.DataFrame([(P, k, f, a) for (k, f), a in amounts.items()],
                        columns=schema.table("tblCostByKekv").column_keys)
    ceil = pd.DataFrame([(P, f, y, a) for f, y, a in ceilings],
                        columns=schema.table("tblCeilings").column_keys)
    return RequestInputs(s, cost_by_kekv=cost, ceilings=ceil)


def test_without_a_ceiling_nothing_changes() -> None:
    amounts = {("2111", "general"): 700.0, ("2240", "general"): 300.0}
    plain = build_requests(_inputs(amounts, []))[0]
    above = build_requests(_inputs(amounts, [("general", 2026, 5000.0)]))[0]
    assert plain.additional is None and above.additional is None
    assert plain.table.equals(above.table)
    assert above.totals.amount("plan", "total") == 1000


def test_above_the_ceiling_the_two_forms_add_up(tmp_path: Path) -> None:
    amounts = {("2111", "general"): 700.0, ("2120", "general"): 154.0,
               ("2240", "general"): 300.0, ("3110", "general"): 250.0,
               ("2210", "special"): 80.0}
    [doc] = build_requests(_inputs(amounts, [("general", 2026, 1000.0)]))
    # within 1000: 2111 700 + 2120 154 (protected) + 146 of 2240; 2240's 154 and 3110's
    # 250 go to the additional request; the special fund has no ceiling
    row = {r.kekv: r for r in doc.rows}
    assert row["2240"].amount("plan", "general") == 146
    # 3110 leaves the plan year; the forecast years have no ceiling of their own
    assert row["3110"].amount("plan", "general") == 0
    assert row["3110"].amount("forecast1", "general") == 250
    assert doc.totals.amount("plan", "general") == 1000
    assert doc.totals.amount("plan", "special") == 80
    add = doc.additional
    assert add is not None
    assert {(e.kekv, e.column): e.excess for e in add.lines} == {("2240", "plan"): 154,
                                                                 ("3110", "plan"): 250}
    files = write_requests([doc], tmp_path)
    assert [p.name for p in files] == ["request_2026_0813104.xlsx",
                                       "request3_2026_0813104.xlsx"]
    two, three = read_summary(files[0]), read_summary(files[1])
    assert (two.form, three.form) == (2, 3)
    assert two.totals["general"] == 1000 and three.totals["general"] == 404
    for key, amount in amounts.items():
        assert two.lines.get(key, 0) + three.lines.get(key, 0) == amount
    data = load_workbook(files[1])["Дані"]
    info = {r[0].value: r[1].value for r in data[data.tables["tblRequestInfo"].ref]}
    assert (info["form"], info["ceiling_general"], info["ceiling_special"]) == (3, 1000, None)
    form3 = load_workbook(files[1])["Запит"]
    text = " ".join(str(c.value) for r in form3.iter_rows() for c in r if c.value)
    assert "Форма 2026-3" in text and "Обґрунтування необхідності додаткових коштів" in text
    assert "Наслідки" in text


@given(amounts=st.dictionaries(st.tuples(st.sampled_from(KEKV),
                                         st.sampled_from(["general", "special"])),
                               st.decimals(min_value=0, max_value=10**7, places=2),
                               min_size=1, max_size=10),
       share=st.floats(min_value=0, max_value=1.2), rounding=st.sampled_from([0, 2]),
       forecast=st.booleans())
@settings(max_examples=80, deadline=None)
def test_forms_two_and_three_add_up_to_the_expenditure(amounts, share, rounding,  # type: ignore[no-untyped-def]
                                                       forecast) -> None:
    exact = {k: float(v) for k, v in amounts.items()}
    plain = build_requests(_inputs(exact, [], rounding, 0.07))[0]
    scale = 10**rounding
    general = round(plain.totals.amount("plan", "general") * scale)
    ceiling = int(general * share) / scale
    ceilings = [("general", 2026, ceiling)] + ([("general", 2027, ceiling)] if forecast else [])
    [doc] = build_requests(_inputs(exact, ceilings, rounding, 0.07))
    excess = {(e.kekv, e.fund, e.column): e.excess for e in (
        doc.additional.lines if doc.additional else [])}
    for r in plain.rows:
        for col in ("plan", "forecast1"):
            for fund in ("general", "special"):
                mine = next((x for x in doc.rows if x.kekv == r.kekv), None)
                two = round((mine.amount(col, fund) if mine else 0) * scale)
                assert two + excess.get((r.kekv, fund, col), 0) == round(
                    r.amount(col, fund) * scale)
    if general > round(ceiling * scale):
        assert round(doc.totals.amount("plan", "general") * scale) == round(ceiling * scale)
        assert doc.additional is not None
    else:
        assert doc.additional is None or all(e.column != "plan" for e in doc.additional.lines)
    assert set(doc.table["form"]) <= {2}
    if doc.additional is not None:
        assert set(doc.additional.table["form"]) == {3}


def test_a_ceiling_typed_in_thousands_is_asked_about() -> None:
    """10 200 000 of expenditure against a ceiling of 10 200 (тис. грн typed as гривні):
    the request is still made as typed, with the warning ceiling_in_thousands."""
    amounts = {("2111", "general"): 8_000_000.0, ("2240", "general"): 2_200_000.0}
    [doc] = build_requests(_inputs(amounts, [("general", 2026, 10_200.0)]))
    found = [c for c in doc.checks if c.code == "ceiling_in_thousands"]
    assert [(c.severity, c.table, c.params["ceiling"], c.params["total"]) for c in found] == [
        ("warning", "tblCeilings", 10_200, 10_200_000)]
    assert "тисячах гривень" in found[0].message("uk")
    assert doc.totals.amount("plan", "general") == 10_200  # computed as typed
    # a real cut (a fifth above the ceiling) and a ceiling met are not asked about
    for ceiling in (8_500_000.0, 10_200_000.0):
        [doc] = build_requests(_inputs(amounts, [("general", 2026, ceiling)]))
        assert not [c for c in doc.checks if c.code == "ceiling_in_thousands"]


def test_a_ceiling_below_the_protected_lines_is_said() -> None:
    amounts = {("2111", "general"): 700.0, ("2240", "general"): 300.0}
    [doc] = build_requests(_inputs(amounts, [("general", 2026, 500.0)]))
    said = [c for c in doc.checks if c.code != "program_texts_missing"]  # no texts here
    assert [(c.code, c.params["ceiling"], c.params["protected"]) for c in said] == [
        ("ceiling_below_protected", 500, 700)]
    # the fund in the reader's language (it was «загальний» in English too)
    assert said[0].message("en").startswith("КПКВК 0813104, 2026, general: the ceiling")
    assert said[0].message("uk").startswith("КПКВК 0813104, 2026 рік, загальний: граничний")


def test_a_ceiling_of_another_year_is_said_by_check_and_by_request(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The ceiling typed for 2025 in a 2026 request was ignored without a word: the
    request went out whole in form -2, above the ceiling the finance department set."""
    from koshtorys.cli import main

    path, wb = sample_book(tmp_path)
    ws = wb["Граничні обсяги"]
    assert [c.value for c in ws[3]][:4] == ["КПКВК", "Фонд", "Рік", "Граничний обсяг"]
    assert (ws["A4"].value, ws["C4"].value) == ("0813104", 2026)
    ws["C4"] = 2025
    ws["C5"] = 2028  # the second forecast year: applied, not said
    wb.save(path)
    assert main(["check", str(path)]) == 0
    said = ("Граничні обсяги!C4: граничний обсяг на 2025 рік ніде не застосовується: запит "
            "на 2026 рік бере граничні обсяги на 2026–2028 роки")
    out = capsys.readouterr().out
    assert said in out and "C5" not in out
    assert main(["request", str(path), "--outdir", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert said in out
    assert not (tmp_path / "o" / "request3_2026_0813104.xlsx").exists()  # as typed


def test_a_ceiling_of_a_program_the_book_does_not_spend_on_is_said(
        tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from koshtorys.cli import main

    path, wb = sample_book(tmp_path)
    wb["Граничні обсяги"]["A4"] = "0813105"  # for 0813104
    wb.save(path)
    assert main(["request", str(path), "--outdir", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert ("Граничні обсяги!A4: граничний обсяг для КПКВК 0813105, а видатків за цією "
            "програмою в книзі немає (є: 0813102, 0813104)") in out
