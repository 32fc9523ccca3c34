"""The button Надіслати on the open workbook (the fake xlwings book), over a real SMTP
server on loopback: tblSubmissions grows in the live workbook through LiveBook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from fake_xlwings import FakeBook
from smtp_loopback import Collector, start
from test_live_adapter import fake_workbook

from koshtorys.addin import macros
from koshtorys.core import schema
from koshtorys.documents import pdf as pdf_module
from koshtorys.samples import sample_frames

HEADERS_UK = schema.table("tblSubmissions").headers("uk")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Collector, int]]:
    monkeypatch.setattr(pdf_module, "soffice_path", lambda: None)
    h = Collector()
    ctl = start(h)
    yield h, ctl.port
    ctl.stop()


def frames(port: int) -> dict[str, pd.DataFrame]:
    f = sample_frames()
    values = {"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": "ні",
              "smtp_user": None, "mail_to": "fin@hromada.ua", "mail_from": "tc@hromada.ua"}
    s = f["tblSettings"].copy()
    s["value"] = [values.get(k, v) for k, v in zip(s["key"], s["value"], strict=True)]
    f["tblSettings"] = s
    # the sample's deliberate mismatch of passport totals (an error check) left out: the
    # program totals as its activities give them
    f["tblProgramTotals"] = f["tblProgramTotals"].assign(amount=[10_699_527.0, 1_000_000.0])
    return f


def rows(book: FakeBook) -> list[list[object]]:
    heads, data = book.table_values("tblSubmissions")
    assert heads == HEADERS_UK
    return [r for r in data if any(v is not None for v in r)]


def programs() -> list[str]:
    return sorted({str(k) for k in sample_frames()["tblServices"]["kpkvk"]})


def raise_line(request: Path, share: float) -> tuple[str, int, int]:
    """Raise the first plan-year line of a request by ``share`` (as an edit by hand would)."""
    wb = openpyxl.load_workbook(request)
    ws = wb["Дані"]
    info = {r[0].value: r[1].value for r in ws[ws.tables["tblRequestInfo"].ref][1:]}
    grid = list(ws[ws.tables["tblRequest"].ref])
    heads = [c.value for c in grid[0]]
    line = next(r for r in grid[1:] if r[heads.index("year")].value == info["plan_year"])
    old = line[heads.index("amount")].value
    line[heads.index("amount")].value = round(old * (1 + share))
    wb.save(request)
    return str(line[heads.index("kekv")].value), old, round(old * (1 + share))


def test_button_sends_and_creates_the_log_in_the_open_workbook(
        server: tuple[Collector, int], tmp_path: Path) -> None:
    h, port = server
    book = fake_workbook(frames(port), fullname=str(tmp_path / "k.xlsx"))
    assert macros.send(book) == 0
    assert len(h.messages) == len(programs())
    got = rows(book)
    assert [r[1] for r in got] == programs()  # codes stay text: zeros kept
    assert [r[7] for r in got] == ["надіслано"] * len(got)
    assert all(r[2] == 2 and r[6] == "fin@hromada.ua" for r in got)
    sheet = book.table("tblSubmissions").sheet
    assert sheet.name == "Надіслано" and book.saves == 0 and not (tmp_path / "k.xlsx").exists()
    assert (tmp_path / "requests" / "sent" / str(got[0][0])).is_dir()
    done = book.app.alerts[-1]["prompt"]
    assert "Надсилання завершено" in done and "збережіть книгу" in done  # the log needs saving
    assert len(book.app.alerts) == 1
    # a second click: nothing new, nothing sent, nothing appended
    assert macros.send(book) == 0
    assert len(h.messages) == len(programs()) and rows(book) == got
    assert "нового для надсилання немає" in book.app.alerts[-1]["prompt"]
    assert "збережіть книгу" not in book.app.alerts[-1]["prompt"]


def test_button_asks_before_a_large_change_and_appends(
        server: tuple[Collector, int], tmp_path: Path) -> None:
    h, port = server
    book = fake_workbook(frames(port), fullname=str(tmp_path / "k.xlsx"))
    assert macros.send(book) == 0
    first = rows(book)
    n = len(first)
    request = tmp_path / "requests" / f"request_2026_{programs()[0]}.xlsx"
    kekv, old, new = raise_line(request, 0.3)
    book.app.answer = "no"
    book.log.clear()
    assert macros.send(book) == 0
    ask = next(a for a in book.app.alerts if a["buttons"] == "yes_no")
    assert f"КЕКВ {kekv}" in ask["prompt"] and "(+30,0 %)" in ask["prompt"]
    old_s, new_s = (f"{x:,}".replace(",", "\u00a0") for x in (old, new))
    assert f"було {old_s} грн, стало {new_s} грн" in ask["prompt"]
    assert len(h.messages) == n and rows(book) == first  # said no: nothing went
    assert "скасовано" in book.app.alerts[-1]["prompt"]
    book.app.answer = "yes"
    book.log.clear()
    assert macros.send(book) == 0
    assert len(h.messages) == n + 1 and f"було {old_s} грн" in h.messages[-1].get_body(
        ("plain",)).get_content()
    got = rows(book)
    assert got[:n] == first and len(got) == n + 1 and got[n][1] == programs()[0]
    # appended: the table grew by one row, only the new row was written
    t = book.table("tblSubmissions")
    assert book.resizes[-1] == ("tblSubmissions", (n + 2, len(HEADERS_UK)))
    writes = [a for a in book.accesses("write") if a.sheet == t.sheet.name]
    assert writes and all(a.top == t.top + n + 1 for a in writes)


def test_button_fills_the_templates_empty_log(server: tuple[Collector, int],
                                             tmp_path: Path) -> None:
    h, port = server
    book = fake_workbook(frames(port), fullname=str(tmp_path / "k.xlsx"))
    sheet = book.sheet("Надіслано")
    sheet.put_table("tblSubmissions", HEADERS_UK, [], top=3, left=1)  # as `koshtorys new`
    book.log.clear()
    assert macros.send(book) == 0
    t = book.table("tblSubmissions")
    assert t.sheet is sheet and (t.top, t.left) == (3, 1)
    _, data = book.table_values("tblSubmissions")
    assert len(data) == len(programs()) and all(r[7] == "надіслано" for r in data)


def test_button_when_the_server_is_down_says_nothing_went(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          ) -> None:
    from smtp_loopback import free_port

    monkeypatch.setattr(pdf_module, "soffice_path", lambda: None)
    book = fake_workbook(frames(free_port()), fullname=str(tmp_path / "k.xlsx"))
    assert macros.send(book) == 2
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "НЕ надіслано" in alert["prompt"]
    assert [r[7] for r in rows(book)] == ["не надіслано"] * len(programs())
    assert sorted(p.name for p in (tmp_path / "requests").glob("request_*.xlsx")) == [
        f"request_2026_{k}.xlsx" for k in programs()]
