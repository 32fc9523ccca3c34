"""The submission log and the comparison with the last request sent, without a server."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koshtorys.core.book import MemoryBook, RawTable
from koshtorys.documents.submissions import (
    Change,
    Submission,
    append_log,
    compare,
    last_sent,
    read_log,
    request_lines,
    stamp,
    stamp_time,
)

UK_HEADERS = ["Час", "КПКВК", "Форма", "Файл", "SHA-256", "Разом, грн", "Кому", "Стан"]


def _row(at: str, kpkvk: object, form: object, status: str, sha: str = "aa") -> list[object]:
    return [at, kpkvk, form, f"request_2026_{kpkvk}.xlsx", sha, 100.0, "f@h.ua", status]


def test_stamp_is_iso_local_time_and_a_windows_folder_name() -> None:
    kyiv = dt.timezone(dt.timedelta(hours=3))
    s = stamp(dt.datetime(2026, 10, 1, 9, 5, 7, tzinfo=kyiv))
    assert s == "20261001T090507+0300"
    assert not set(s) & set('<>:"/\\|?*') and not s.endswith((" ", "."))
    assert dt.datetime.fromisoformat(s) == dt.datetime(2026, 10, 1, 9, 5, 7, tzinfo=kyiv)
    assert stamp_time(s) == dt.datetime(2026, 10, 1, 9, 5, 7, tzinfo=kyiv)
    assert stamp_time("вчора") is None
    with pytest.raises(ValueError):
        stamp(dt.datetime(2026, 10, 1))  # a time without its offset is not a local time


def test_log_read_in_ukrainian_with_codes_as_excel_left_them() -> None:
    raw = RawTable("tblSubmissions", "Надіслано", UK_HEADERS, [
        [None] * 8,  # the template's blank row
        _row("20260901T100000+0300", 813104, 2, "надіслано", "AB"),  # zeros lost, upper hex
        _row("20260902T100000+0300", "0813104", 2.0, "чернетка"),
        _row("20260903T100000+0300", "0813104", 3, "не надіслано"),
        _row("20260904T100000+0300", "x", 2, "надіслано"),  # typed over by hand
        _row("20260905T100000+0300", "0813104", 2, "може"),
    ])
    log, bad = read_log(raw)
    assert bad == 2
    assert [(s.kpkvk, s.form, s.status) for s in log] == [
        ("0813104", 2, "sent"), ("0813104", 2, "draft"), ("0813104", 3, "failed")]
    assert log[0].sha256 == "ab"


def test_last_sent_skips_drafts_and_failures_and_other_forms() -> None:
    def sub(n: int, form: int, status: str) -> Submission:
        return Submission(f"2026090{n}T100000+0300", "0813104", form, "f.xlsx", str(n), 1.0,
                          "", status)

    log = [sub(1, 2, "sent"), sub(2, 3, "sent"), sub(3, 2, "draft"), sub(4, 2, "failed")]
    assert last_sent(log, "0813104", 2) == log[0]
    assert last_sent(log, "0813104", 3) == log[1]
    assert last_sent(log, "0813105", 2) is None


def test_request_lines_keep_the_forms_own_plan_year_lines() -> None:
    req = RawTable("tblRequest", "Дані", ["kpkvk", "kekv", "fund", "year", "amount", "form"], [
        ["0813104", "2111", "general", 2026, 1000, 2],
        ["0813104", "2111", "general", 2026, 300.5, 3],
        ["0813104", 2210.0, "special", 2026, "1 200,25", 3],
        ["0813104", "2210", "special", 2027, 9999, 3],  # a forecast year
    ])
    info = RawTable("tblRequestInfo", "Дані", ["key", "value"],
                    [["plan_year", 2026], ["kpkvk", "0813104"]])
    meta, form, lines = request_lines(req, info, "request3_2026_0813104.xlsx")
    assert form == 3 and meta["kpkvk"] == "0813104"
    assert lines == {("2111", "general"): 30050, ("2210", "special"): 120025}
    _, form2, lines2 = request_lines(req, RawTable("i", "Дані", ["key", "value"], [
        ["plan_year", 2026], ["form", 2]]))
    assert form2 == 2 and lines2 == {("2111", "general"): 100000}


def test_request_without_a_form_column_is_form_two_by_its_name() -> None:
    req = RawTable("tblRequest", "Дані", ["kpkvk", "kekv", "fund", "year", "amount"],
                   [["0813104", "2111", "general", 2026, 5]])
    info = RawTable("tblRequestInfo", "Дані", ["key", "value"], [["plan_year", 2026]])
    assert request_lines(req, info, "request_2026_0813104.xlsx")[1] == 2
    assert request_lines(req, info, "request3_2026_0813104.xlsx")[1] == 3


def test_compare_by_hand() -> None:
    old = {("2111", "general"): 100_000_00, ("2120", "general"): 22_000_00,
           ("2240", "general"): 50_000_00, ("2210", "special"): 10_000_00}
    new = {("2111", "general"): 130_000_00,   # +30 %: over 20 %
           ("2120", "general"): 26_400_00,    # +20 % exactly: not over
           ("2210", "special"): 7_999_99,     # −20.0001 %: over
           ("2273", "general"): 1_00}         # new
    got = compare(old, new, 0.2)
    assert got == [Change("2111", "general", 100_000_00, 130_000_00),
                   Change("2210", "special", 10_000_00, 7_999_99),
                   Change("2240", "general", 50_000_00, 0),
                   Change("2273", "general", 0, 1_00)]
    assert [c.kind for c in got] == ["moved", "moved", "vanished", "appeared"]
    assert compare(old, old, 0.2) == [] and compare(old, new, 100) == [got[2], got[3]]


keys = st.tuples(st.sampled_from(["2111", "2120", "2210", "2240", "2273", "2800"]),
                 st.sampled_from(["general", "special"]))
books = st.dictionaries(keys, st.integers(min_value=0, max_value=10**13), max_size=8)


@given(books, books, st.sampled_from(["0", "0.05", "0.2", "0.333", "1", "2.5"]))
def test_compare_lists_exactly_the_lines_over_the_threshold(old: dict, new: dict,
                                                            threshold: str) -> None:
    limit = Decimal(threshold)
    expected = set()
    for key in set(old) | set(new):
        a, b = old.get(key, 0), new.get(key, 0)
        if (a == 0) != (b == 0) or (a and abs(Decimal(b - a)) > limit * a):
            expected.add((key, a, b))
    got = compare(old, new, float(threshold))
    assert {((c.kekv, c.fund), c.old, c.new) for c in got} == expected
    assert len(got) == len(expected)


def _memory_log(rows: list[list[object]] | None) -> MemoryBook:
    tables = {} if rows is None else {"tblSubmissions": RawTable(
        "tblSubmissions", "Надіслано", list(UK_HEADERS), rows)}
    return MemoryBook(tables, lang="uk")


ROW = {"sent_at": "20260901T100000+0300", "kpkvk": "0813104", "form": 2,
       "file": "request_2026_0813104.xlsx", "sha256": "ab" * 32, "total": 12.5,
       "mail_to": "f@h.ua", "status": "failed"}


def test_append_creates_fills_then_appends_in_the_books_language() -> None:
    book = _memory_log(None)
    assert append_log(book, [ROW], "uk") == "created"
    assert book.written["tblSubmissions"]["status"].tolist() == ["не надіслано"]
    book = _memory_log([[None] * 8])
    assert append_log(book, [ROW], "uk") == "filled"
    kept = _row("20260801T100000+0300", "0813104", 2, "надіслано")
    book = _memory_log([list(kept)])
    assert append_log(book, [ROW, ROW | {"status": "draft"}], "uk") == "appended"
    rows = book.tables["tblSubmissions"].rows
    assert rows[0] == kept and [r[7] for r in rows[1:]] == ["не надіслано", "чернетка"]
    assert rows[1][:7] == [ROW[k] for k in ("sent_at", "kpkvk", "form", "file", "sha256",
                                            "total", "mail_to")]
    assert re.fullmatch(r"\d{8}T\d{6}[+-]\d{4}", str(rows[1][0]))


def test_an_english_workbook_keeps_the_codes() -> None:
    book = MemoryBook({}, lang="en")
    append_log(book, [ROW, ROW | {"status": "sent"}, ROW | {"status": "draft"}], "en")
    assert book.written["tblSubmissions"]["status"].tolist() == ["failed", "sent", "draft"]
