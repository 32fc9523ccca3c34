"""import-actuals --portal against a real HTTP server on the loopback interface.

The server (http.server in a thread) plays the open budget portal: it answers
``/api/public/localBudgetData`` with a file the test builds in the portal's export format
(tests/portal_export.py) — or fails the ways a real service fails. No other network.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from fake_xlwings import FakeBook
from portal_export import export_rows, export_text, kop
from test_import_actuals import actuals, monthly_input, table

from koshtorys.addin import macros
from koshtorys.cli import main
from koshtorys.readers import portal
from koshtorys.samples import sample_frames
from koshtorys.xlsx import FileBook

Answer = Callable[[http.server.BaseHTTPRequestHandler, dict[str, str]], None]


@dataclass
class Portal:
    """The loopback server, what it was asked, and how it answers."""

    url: str
    answer: Answer
    asked: list[dict[str, str]] = field(default_factory=list)


def send(h: http.server.BaseHTTPRequestHandler, status: int, body: bytes,
         ctype: str = "text/csv; charset=windows-1251", **headers: str) -> None:
    h.send_response(status)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()
    h.wfile.write(body)


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that gave up (the timeout case) breaks the pipe of a late answer; the
    default handler prints that traceback to stderr from its thread, where it lands in
    whichever later test is capturing. A closed connection is expected here; anything
    else is still printed."""

    def handle_error(self, request: object, client_address: object) -> None:
        import sys
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Portal]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    state: dict[str, Portal] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            query["path"] = parts.path
            state["p"].asked.append(query)
            if parts.path != "/api/public/localBudgetData":
                send(self, 404, b"<html>not found</html>", "text/html")
                return
            state["p"].answer(self, query)

        def log_message(self, *args: object) -> None:
            pass

    httpd = _QuietServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["p"] = Portal(f"http://127.0.0.1:{httpd.server_address[1]}", lambda h, q: None)
    try:
        yield state["p"]
    finally:
        httpd.shutdown()
        httpd.server_close()


def hromada_export(year: int, code: str, months: range = range(1, 5)) -> bytes:
    """A hromada's export (every spending unit's programs), UTF-8 bytes; besides the
    program rows with COD_CONS_EK 0, a line per month with no economic code at all."""
    rows = export_rows(monthly_input(), year, code, months=months)
    rows += [[*r[:7], "", "", *r[9:]] for r in rows if r[3] == "3121" and r[7] == "0"
             and r[1] == "C"]
    return export_text(rows).encode()


def strict(by_year: dict[int, bytes], codes: dict[int, str]) -> Answer:
    """A portal that knows each year's budget code by its length, and nothing else."""
    def answer(h: http.server.BaseHTTPRequestHandler, q: dict[str, str]) -> None:
        year = int(q.get("year", "0"))
        if (q.get("budgetItem"), q.get("classificationType"), q.get("period")) != (
                "EXPENSES", "PROGRAM", "MONTH") or codes.get(year) != q.get("budgetCode"):
            send(h, 400, b'{"error": "bad request"}', "application/json")
            return
        send(h, 200, by_year[year])
    return answer


def workbook(tmp_path: Path, portal_url: str, code: str | None = "2550100000",
             lang: str = "uk", history: bool = True) -> Path:
    """The kreminna sample with budget_code (``None``: blank) and portal_url set (through
    the file adapter, so the file is what a user would have); ``history=False`` leaves out
    its cash history of earlier years."""
    path = tmp_path / f"k_{lang}.xlsx"
    if history:
        assert main(["new", str(path), "--lang", lang, "--sample"]) == 0
    else:
        from koshtorys.samples import sample_frames
        from koshtorys.xlsx.template import build_workbook

        frames = sample_frames("kreminna")
        frames.pop("tblHistory")
        build_workbook(path, lang, frames)  # type: ignore[arg-type]
    book = FileBook.open(path)
    rows = book.read_tables(["tblSettings"])["tblSettings"].rows
    at = {r[0]: i for i, r in enumerate(rows)}
    cells = {(at["portal_url"], "value"): portal_url + "/",
             (at["budget_code"], "value"): code}
    book.update_table("tblSettings", cells, [])
    book.save()
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["import-actuals", *args])
    got = capsys.readouterr()
    return code, got.out, got.err


# ------------------------------------------------------------------------- it works


def test_fetches_the_year_and_takes_only_the_workbooks_programs(
        tmp_path: Path, server: Portal, capsys: pytest.CaptureFixture[str]) -> None:
    """A 10-digit budget code in the settings is asked with 11 digits for 2025; the UTF-8
    answer under a windows-1251 header is read as UTF-8; only 3121 is the workbook's."""
    server.answer = strict({2025: hromada_export(2025, "25501000000")}, {2025: "25501000000"})
    book = workbook(tmp_path, server.url)
    before = actuals(book)
    code, out, err = cli(capsys, str(book), "--portal")
    assert (code, err) == (0, "")
    assert [{k: v for k, v in q.items() if k != "path"} for q in server.asked] == [
        {"budgetCode": "25501000000", "budgetItem": "EXPENSES",
         "classificationType": "PROGRAM", "period": "MONTH", "year": "2025"}]
    assert "код бюджету 2550100000 запитано як 25501000000" in out
    assert "ТПКВКМБ 3121 → КПКВК 0813121 (сума порталу — за всю громаду" in out
    after = actuals(book)
    fund = {"C": "general", "S": "special"}
    for (prog, kekv, f), amounts in monthly_input().items():
        key = ("081" + prog, kekv, fund[f])
        if prog != "3121":
            assert key not in after
            continue
        assert [round(after[key][m] * 100) for m in range(4)] == [amounts.get(m, 0)
                                                                  for m in range(1, 5)]
        if key in before:
            assert after[key][4:] == before[key][4:]  # May–December as they were
    # program totals: 8 with COD_CONS_EK 0 (4 months × 2 funds), 4 without any code
    assert "без економічного коду (підсумки програм): 12" in out


def test_an_earlier_year_goes_to_history_with_a_10_digit_code(
        tmp_path: Path, server: Portal, capsys: pytest.CaptureFixture[str]) -> None:
    """--year 2022 with an 11-digit code asks the 10-digit one (years before 2023)."""
    server.answer = strict({2022: hromada_export(2022, "2550100000", range(1, 13))},
                           {2022: "2550100000"})
    book = workbook(tmp_path, server.url, code="25501000000", history=False)
    before_actuals = actuals(book)
    code, out, err = cli(capsys, str(book), "--portal", "--year", "2022")
    assert (code, err) == (0, "")
    assert server.asked[0]["budgetCode"] == "2550100000"
    assert "tblHistory, 2022 рік" in out and "лише до" not in out
    assert actuals(book) == before_actuals
    fund = {"C": "загальний", "S": "спеціальний"}
    want = {("0813121", k, fund[f], 2022): sum(a.values()) / 100
            for (p, k, f), a in monthly_input().items() if p == "3121"}
    got = {(r["kpkvk"], r["kekv"], r["fund"], r["year"]): r["amount"]
           for r in table(book, "tblHistory") if r["kpkvk"]}
    assert got == pytest.approx(want)


def test_budget_code_given_on_the_command_line(tmp_path: Path, server: Portal,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    server.answer = strict({2025: hromada_export(2025, "13563000000")}, {2025: "13563000000"})
    book = workbook(tmp_path, server.url, code=None)
    code, out, _ = cli(capsys, str(book), "--portal", "13563000000")
    assert code == 0 and server.asked[0]["budgetCode"] == "13563000000"
    assert "запитано як" not in out


def test_windows_1251_bytes_and_gzip_are_read_too(tmp_path: Path, server: Portal,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    body = export_text(export_rows({("3121", "2111", "C"): {1: kop("100,50")}}, 2025,
                                   "25501000000", months=range(1, 2))).encode("cp1251")
    server.answer = lambda h, q: send(h, 200, gzip.compress(body), Content_Encoding="gzip")
    book = workbook(tmp_path, server.url)
    code, _, err = cli(capsys, str(book), "--portal")
    assert (code, err) == (0, "")
    assert actuals(book)[("0813121", "2111", "general")][0] == 100.5


# ------------------------------------------------------------------------- it fails cleanly


def _slow(h: http.server.BaseHTTPRequestHandler, q: dict[str, str]) -> None:
    time.sleep(3)
    send(h, 200, b"REP_PERIOD;FUND_TYP\n")


FAILURES: dict[str, tuple[Answer, str]] = {
    "http500": (lambda h, q: send(h, 500, b"oops", "text/plain"), "HTTP 500"),
    "http403": (lambda h, q: send(h, 403, b"<html>forbidden</html>", "text/html"), "HTTP 403"),
    "timeout": (_slow, "не відповів за 0.5 с"),
    "html": (lambda h, q: send(h, 200, b"\n<!DOCTYPE html><html><body>Technical works"
                               b"</body></html>", "text/html; charset=utf-8"), "вебсторінку"),
    "html_as_csv": (lambda h, q: send(h, 200, b"<html><body>502</body></html>"), "вебсторінку"),
    "empty": (lambda h, q: send(h, 200, b""), "порожню відповідь"),
    "blank": (lambda h, q: send(h, 200, b"\r\n \r\n"), "порожню відповідь"),
    "ragged": (lambda h, q: send(h, 200, hromada_export(2025, "25501000000") +
                                 b"04.2025;C;1;2;3\n04.2025;C;1;2;3;4;5;6;7;8;9;0;1;2;3;4;5;6;7;"
                                 b"8;9;0;1;2;3\n"), "полів 25 замість 21"),
    "not_the_export": (lambda h, q: send(h, 200, b"a;b;c\n1;2;3\n"), "немає стовпців"),
    "json": (lambda h, q: send(h, 200, b'{"data": []}', "application/json"), "JSON"),
    "header_only": (lambda h, q: send(h, 200, hromada_export(2025, "x", range(0))),
                    "не має даних"),
    "bad_gzip": (lambda h, q: send(h, 200, b"not gzip", Content_Encoding="gzip"), "gzip"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_fetch_is_one_line_exit_2_and_changes_nothing(
        tmp_path: Path, server: Portal, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    monkeypatch.setattr(portal, "TIMEOUT", 0.5)
    server.answer, said = FAILURES[case]
    book = workbook(tmp_path, server.url)
    before = book.read_bytes()
    code, out, err = cli(capsys, str(book), "--portal")
    assert code == 2
    assert err.startswith("koshtorys: ") and err.count("\n") == 1, err
    assert said in err, err
    assert "Traceback" not in err and "внутрішня" not in err
    assert "з порталу отримано" not in out
    assert book.read_bytes() == before


def test_a_refused_connection(tmp_path: Path, server: Portal,
                              capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    book = workbook(tmp_path, f"http://127.0.0.1:{port}")
    before = book.read_bytes()
    code, out, err = cli(capsys, str(book), "--portal")
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert f"портал 127.0.0.1:{port} недоступний" in err
    assert book.read_bytes() == before


@pytest.mark.parametrize(("settings", "args", "said"), [
    ({"code": None}, [], "budget_code"),
    ({"code": "12345"}, [], "10 або 11 цифр"),
    ({}, ["--year", "2026"], "після року виконання 2025"),
    ({"url": "file:///etc"}, [], "не адреса http(s)"),
])
def test_refused_before_asking(tmp_path: Path, server: Portal,
                               capsys: pytest.CaptureFixture[str], settings: dict,
                               args: list[str], said: str) -> None:
    book = workbook(tmp_path, settings.get("url", server.url),
                    code=settings.get("code", "2550100000"))
    before = book.read_bytes()
    code, out, err = cli(capsys, str(book), "--portal", *args)
    assert (code, out) == (2, "") and said in err and err.count("\n") == 1
    assert server.asked == [] and book.read_bytes() == before


# ------------------------------------------------------------------------- the button


def live_book(portal_url: str, code: str = "2550100000") -> FakeBook:
    """The kreminna sample open in (fake) Excel, with budget_code and portal_url set."""
    from test_live_adapter import fake_workbook

    frames = sample_frames()
    extra = pd.DataFrame([["budget_code", code], ["portal_url", portal_url]],
                         columns=["key", "value"])
    frames["tblSettings"] = pd.concat([frames["tblSettings"], extra], ignore_index=True)
    return fake_workbook(frames, origin=(1, 1))


def test_button_fetches_from_the_portal_with_progress(tmp_path: Path, server: Portal) -> None:
    server.answer = strict({2025: hromada_export(2025, "25501000000")}, {2025: "25501000000"})
    book = live_book(server.url)
    book.app.answer = "yes"  # «Так» — from the portal
    assert macros.import_actuals(book) == 0
    question, done = book.app.alerts
    assert "2550100000" in question["prompt"] and question["buttons"] == "yes_no_cancel"
    assert "Імпорт завершено" in done["prompt"] and "рядків у звіті" in done["prompt"]
    assert any("з порталу" in str(s) for s in book.app.status_history)
    assert book.app.status_history[-1] is False  # the status bar is given back
    assert server.asked and server.asked[0]["budgetCode"] == "25501000000"


def test_button_without_a_file_dialog_still_offers_the_portal(tmp_path: Path,
                                                              server: Portal) -> None:
    book = live_book(server.url)
    book.app.answer = "no"  # «Ні» — a file: no dialog on Linux
    assert macros.import_actuals(book) == 2
    assert "koshtorys import-actuals" in book.app.alerts[-1]["prompt"]
    book.app.answer = "cancel"
    n = len(book.app.alerts)
    assert macros.import_actuals(book) == 0 and len(book.app.alerts) == n + 1
    assert server.asked == []


def test_button_shows_a_failed_fetch_as_one_message(tmp_path: Path, server: Portal) -> None:
    server.answer = lambda h, q: send(h, 503, b"busy", "text/plain")
    book = live_book(server.url)
    book.app.answer = "yes"
    assert macros.import_actuals(book) == 2
    last = book.app.alerts[-1]
    assert last["mode"] == "critical" and "HTTP 503" in last["prompt"]


def test_button_fills_history_in_the_live_workbook(tmp_path: Path) -> None:
    """A report of an earlier year, through the live workbook's update_table."""
    from koshtorys.addin.live import LiveBook

    report = tmp_path / "2024.csv"
    report.write_bytes(hromada_export(2024, "2550100000", range(1, 13)))
    from test_live_adapter import fake_workbook

    frames = sample_frames()
    frames["tblHistory"] = pd.DataFrame(columns=["kpkvk", "kekv", "fund", "year", "amount"])
    book = fake_workbook(frames, origin=(1, 1))
    assert macros.import_actuals(book, report=report) == 0
    raw = LiveBook(book).read_tables(["tblHistory"])["tblHistory"]
    got = {(r[0], r[1], r[2], r[3]): r[4] for r in raw.rows if r[0] is not None}
    fund = {"C": "загальний", "S": "спеціальний"}
    want = {("0813121", k, fund[f], 2024): sum(a.values()) / 100
            for (p, k, f), a in monthly_input().items() if p == "3121"}
    assert got == pytest.approx(want)
