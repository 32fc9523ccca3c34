"""The КЕКВ / ТПКВКМБ classifiers and code normalisation."""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from koshtorys.core import classifiers
from koshtorys.core.classifiers import is_kekv, kekv_name, kpkvk_name, normalize_code


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        (813104, 7, "0813104"),
        ("0813104", 7, "0813104"),
        ("813104", 7, "0813104"),
        (" 0813104 ", 7, "0813104"),
        (813104.0, 7, "0813104"),
        (2111.0, 4, "2111"),
        ("2111.0", 4, "2111"),
        (2111, 4, "2111"),
        (np.int64(2273), 4, "2273"),
        (np.float64(2120.0), 4, "2120"),
        ("00000000", 8, "00000000"),
        (12345, 8, "00012345"),
        (0, 4, "0000"),
        (2111.5, 4, None),
        (-2111, 4, None),
        ("-2111", 4, None),
        ("21 11", 4, None),
        ("2111a", 4, None),
        ("", 4, None),
        (None, 4, None),
        (True, 4, None),
        (float("nan"), 4, None),
        (12345678, 7, None),
        ("08131040", 7, None),
        ([2111], 4, None),
    ],
)
def test_normalize_code(value: object, width: int, expected: str | None) -> None:
    assert normalize_code(value, width) == expected


def test_kekv_names_of_common_items() -> None:
    assert kekv_name("2111") == "Заробітна плата"
    assert kekv_name(2120) == "Нарахування на оплату праці"
    assert kekv_name("2273") == "Оплата електроенергії"
    assert kekv_name(2210.0) == "Предмети, матеріали, обладнання та інвентар"
    assert kekv_name("2240") == "Оплата послуг (крім комунальних)"
    assert kekv_name("2282") == ("Окремі заходи по реалізації державних (регіональних) програм, "
                                 "не віднесені до заходів розвитку")
    assert kekv_name("2800") == "Інші поточні видатки"
    assert kekv_name("9000") == "Нерозподілені видатки"
    assert kekv_name("2219") is None
    assert kekv_name("x") is None


# Every item FACTS.md lists, with a word its official name must contain.
FACTS_KEKV = {
    "2111": "Заробітна", "2120": "Нарахування", "2210": "Предмети", "2220": "Медикаменти",
    "2230": "Продукти", "2240": "послуг", "2250": "відрядження", "2260": "спеціального",
    "2271": "теплопостачання", "2272": "водопостачання", "2273": "електроенергії",
    "2274": "газу", "2275": "енергоносіїв", "2276": "енергосервісу", "2281": "розвитку",
    "2282": "не віднесені", "2610": "Субсидії", "2620": "органам", "2710": "пенсій",
    "2720": "Стипендії", "2730": "населенню", "2800": "Інші поточні", "3110": "обладнання",
    "3121": "житла", "3122": "інших об'єктів", "3131": "житлового", "3132": "інших об'єктів",
    "3142": "Реконструкція", "3160": "землі", "3210": "підприємствам", "3240": "населенню",
    "9000": "Нерозподілені",
}
GROUPS = ["2000", "2100", "2110", "2200", "2270", "2280", "2600", "2700", "3000", "3100",
          "3120", "3130", "3140", "3200"]


@pytest.mark.parametrize(("code", "word"), sorted(FACTS_KEKV.items()))
def test_every_facts_item_is_a_usable_kekv(code: str, word: str) -> None:
    name = kekv_name(code)
    assert name is not None and word in name
    assert is_kekv(code)


@pytest.mark.parametrize("code", GROUPS)
def test_groups_have_names_but_are_not_usable_items(code: str) -> None:
    assert kekv_name(code)
    assert not is_kekv(code)


def test_group_3150_and_the_rest() -> None:
    assert kekv_name("3150") == "Створення державних запасів і резервів"
    assert is_kekv(3150)  # no sub-items: a usable code
    assert kekv_name("2270") == "Оплата комунальних послуг та енергоносіїв"
    assert not is_kekv("22")
    assert not is_kekv(None)
    assert is_kekv(2111.0)


def test_kpkvk_names_by_program_part() -> None:
    home = kpkvk_name("0813104")
    assert home is not None and home.startswith(
        "Забезпечення соціальними послугами за місцем проживання громадян")
    assert kpkvk_name(813104) == home  # leading zero lost by Excel
    assert kpkvk_name("3104") == home  # a ТПКВКМБ alone
    assert kpkvk_name(3104) == home
    # the current names of the classifier (order 793 as the open budget portal keeps it,
    # version 38+ in force from 2026; see docs/request.md)
    assert kpkvk_name("0813121").startswith(
        "Здійснення соціальної роботи та надання соціальних послуг центрами соціальних служб")
    assert kpkvk_name("0813105") == ("Надання реабілітаційних послуг особам з інвалідністю "
                                     "та дітям з інвалідністю")
    assert kpkvk_name("0813242") == ("Інші заходи та заклади у сфері соціального захисту і "
                                     "соціального забезпечення")
    assert kpkvk_name("0819999") is None
    assert kpkvk_name("abc") is None
    assert kpkvk_name(None) is None


@pytest.mark.parametrize("code", ["3102", "3104", "3105", "3121", "3124", "3140", "3160",
                                  "3192", "3241", "3242", "3243", "3244"])
def test_every_facts_program_has_a_name(code: str) -> None:
    assert kpkvk_name(code)
    assert kpkvk_name("081" + code) == kpkvk_name(code)


@pytest.mark.parametrize(("name", "width"), [("kekv.csv", 4), ("tpkvk.csv", 4)])
def test_data_files_are_clean(name: str, width: int) -> None:
    text = resources.files("koshtorys").joinpath("data", name).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    assert all(len(c) == width and c.isdigit() for c in codes)
    assert all(r["name_uk"].strip() == r["name_uk"] and r["name_uk"] for r in rows)
    assert codes == sorted(codes)


def test_loaded_once() -> None:
    assert classifiers.kekv_codes() is classifiers.kekv_codes()
    assert classifiers.tpkvk_codes() is classifiers.tpkvk_codes()


def test_pick_program_by_four_digits_only_when_one_program_ends_in_them() -> None:
    from koshtorys.core.classifiers import pick_program

    two = ["0813104", "0713104"]  # two main spending units' programs of one ТПКВКМБ
    assert pick_program("3104", two) == "3104"  # names neither: refused by the caller
    assert pick_program("0713104", two) == "0713104"
    assert pick_program(713104, two) == "0713104"
    assert pick_program(" 3104 ", ["0813104", "0813102"]) == "0813104"
    assert pick_program("0813105", ["0813104"]) == "0813105"
