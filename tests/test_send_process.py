"""``koshtorys send`` as a process: a real SMTP server on loopback (STARTTLS and login
required), real workbooks and requests, the log in tblSubmissions, the ``sent/`` copies,
change warnings after an edit, identical resends, failures that lose nothing."""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book
from smtp_loopback import PASSWORD, USER, Collector, free_port, make_cert, start_tls_auth

from koshtorys.cli import main
from koshtorys.core import schema
from koshtorys.documents import pdf as pdf_module
from koshtorys.xlsx import FileBook

PROGRAMS = ["0813104", "0813105", "0813121"]
LOG_KEYS = ["sent_at", "kpkvk", "form", "file", "sha256", "total", "mail_to", "status"]
STAMP = re.compile(r"^\d{8}T\d{6}[+-]\d{4}$")
NB = "\u00a0"
REAL_SOFFICE = pdf_module.soffice_path


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    pytest.importorskip("cryptography")
    return make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("base") / "kreminna.xlsx"
    assert main(["new", str(path), "--sample", "kreminna"]) == 0
    # the sample's passport totals disagree with its activities on purpose (an error check);
    # sending is tested on a workbook without error checks: the totals as the activities give
    book = FileBook.open(path)
    book.update_table("tblProgramTotals", {(0, "amount"): 10_699_527, (1, "amount"): 1_000_000},
                      [])
    book.save()
    return path


@pytest.fixture
def trusted(cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """The client trusts the test certificate the way any program does (SSL_CERT_FILE)
    and finds its password where users put it; no LibreOffice unless a test asks."""
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))
    monkeypatch.setenv("KOSHTORYS_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setattr(pdf_module, "soffice_path", lambda: None)


@pytest.fixture
def server(cert: tuple[Path, Path], trusted: None) -> Iterator[tuple[Collector, int]]:
    h = Collector()
    ctl = start_tls_auth(h, cert)
    yield h, ctl.port
    ctl.stop()


def set_settings(path: Path, **values: object) -> None:
    """Change tblSettings values through the product's own cell edit (the file stays a
    koshtorys file, not an openpyxl re-save)."""
    book = FileBook.open(path)
    raw = book.read_tables(["tblSettings"])["tblSettings"]
    cols = schema.match_columns(schema.table("tblSettings"), raw.headers)
    rows = {str(r[cols["key"]]): i for i, r in enumerate(raw.rows)}
    book.update_table("tblSettings", {(rows[k], "value"): v for k, v in values.items()}, [])
    book.save()


def workbook(tmp_path: Path, base: Path, port: int, **more: object) -> Path:
    path = tmp_path / "kreminna.xlsx"
    shutil.copyfile(base, path)
    set_settings(path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls="так",
                 smtp_user=USER, mail_to="fin@hromada.ua", **more)
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def log_parts(p: dict[str, bytes]) -> set[str]:
    """The table part of tblSubmissions and the sheet that holds it."""
    table = next(n for n, b in p.items() if n.startswith("xl/tables/")
                 and b'name="tblSubmissions"' in b)
    rels = next(n for n, b in p.items() if n.startswith("xl/worksheets/_rels/")
                and table.rsplit("/", 1)[1].encode() in b)
    return {table, "xl/worksheets/" + rels.rsplit("/", 1)[1].removesuffix(".rels")}


def log(path: Path) -> list[dict[str, object]]:
    """tblSubmissions read with openpyxl (not the product's reader), blank rows left out."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if "tblSubmissions" in ws.tables:
            grid = [[c.value for c in row] for row in ws[ws.tables["tblSubmissions"].ref]]
            heads = [schema.match_columns(schema.table("tblSubmissions"), [h]) for h in grid[0]]
            keys = [next(iter(h)) for h in heads]
            return [dict(zip(keys, r, strict=True)) for r in grid[1:]
                    if any(v is not None for v in r)]
    raise AssertionError("no tblSubmissions")


def plan_total(request: Path) -> float:
    """Σ of the plan-year lines of a request's tblRequest, read with openpyxl."""
    wb = openpyxl.load_workbook(request)
    ws = wb["Дані"]
    info = {r[0].value: r[1].value for r in ws[ws.tables["tblRequestInfo"].ref][1:]}
    rows = [[c.value for c in r] for r in ws[ws.tables["tblRequest"].ref]]
    at = {h: j for j, h in enumerate(rows[0])}
    return float(sum(r[at["amount"]] for r in rows[1:] if r[at["year"]] == info["plan_year"]))


def body(msg: email.message.EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def attachment(msg: email.message.EmailMessage, suffix: str = ".xlsx") -> bytes:
    return next(a.get_content() for a in msg.iter_attachments()
                if a.get_filename().endswith(suffix))


def edit_costs(path: Path) -> None:
    """What a user does in Excel: heating of 0813121 up by 30 %, its 'other current
    expenditure' (2800) row deleted, a food line (2230) added."""
    wb = openpyxl.load_workbook(path)
    ws = next(ws for ws in wb.worksheets if "tblCosts" in ws.tables)
    t = ws.tables["tblCosts"]
    cells = list(ws[t.ref])
    heads = [c.value for c in cells[0]]
    kekv, amount, kpkvk = (heads.index(h) for h in ("КЕКВ", "Сума на рік", "КПКВК"))
    rows = [[c.value for c in r] for r in cells[1:] if any(c.value for c in r)]
    for r in rows:
        if r[kekv] == "2271" and r[kpkvk] == "0813121":
            r[amount] = 612000 * 1.3
    rows = [r for r in rows if not (r[kekv] == "2800" and r[kpkvk] == "0813121")]
    rows.append(["2230", "Продукти харчування для гуртків", 30000, None, "0813121",
                 "загальний"])
    top = cells[0][0].row
    for i in range(len(cells) - 1 + 1):
        for j in range(len(heads)):
            ws.cell(top + 1 + i, cells[0][0].column + j).value = None
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            ws.cell(top + 1 + i, cells[0][0].column + j).value = v
    first, last = t.ref.split(":")
    t.ref = first + ":" + re.sub(r"\d+$", str(top + len(rows)), last)
    t.autoFilter.ref = t.ref
    wb.save(path)


def sent_folder(out: Path, row: dict[str, object]) -> Path:
    return out / "sent" / str(row["sent_at"])


# --------------------------------------------------------------------------- tests

def test_first_send_records_every_message_and_keeps_copies(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    out = tmp_path / "requests"
    printing = REAL_SOFFICE() is not None
    if printing:  # LibreOffice is here: the PDF goes too, and so does its copy
        monkeypatch.setattr(pdf_module, "soffice_path", REAL_SOFFICE)
    before = parts(book)
    t0 = dt.datetime.now().astimezone().replace(microsecond=0)
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    t1 = dt.datetime.now().astimezone()
    assert len(h.messages) == 3
    rows = log(book)
    assert [r["kpkvk"] for r in rows] == PROGRAMS
    for r, msg in zip(rows, h.messages, strict=True):
        request = out / f"request_2026_{r['kpkvk']}.xlsx"
        data = request.read_bytes()
        assert r["file"] == request.name and r["form"] == 2 and r["status"] == "надіслано"
        assert r["sha256"] == hashlib.sha256(data).hexdigest()
        assert attachment(msg) == data  # the digest is of what went
        assert r["total"] == plan_total(request)
        assert r["mail_to"] == "fin@hromada.ua"
        assert STAMP.match(str(r["sent_at"]))
        assert t0 <= dt.datetime.fromisoformat(str(r["sent_at"])) <= t1
        copy = sent_folder(out, r) / request.name
        assert copy.read_bytes() == data
        if printing:
            assert (sent_folder(out, r) / f"{request.stem}.pdf").read_bytes() == \
                attachment(msg, ".pdf")
    assert len({r["sent_at"] for r in rows}) == 1
    # nothing else in the workbook changed: every other part byte for byte
    after = parts(book)
    assert set(after) == set(before)
    assert {n for n in before if before[n] != after[n]} == log_parts(before)


def test_second_send_after_an_edit_lists_the_changes(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    out = tmp_path / "requests"
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    first = log(book)
    edit_costs(book)
    assert main(["request", str(book), "--kpkvk", "0813121", "--outdir", str(out)]) in (0, 1)
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    said = capsys.readouterr().out
    when = dt.datetime.fromisoformat(str(first[0]["sent_at"])).strftime("%d.%m.%Y %H:%M")
    expected = [
        f"  КЕКВ 2230 «Продукти харчування», загальний фонд: новий рядок, 30{NB}000 грн",
        f"  КЕКВ 2271 «Оплата теплопостачання», загальний фонд: було 612{NB}000 грн, "
        f"стало 795{NB}600 грн (+30,0 %)",
        f"  КЕКВ 2800 «Інші поточні видатки», загальний фонд: рядок вилучено (було "
        f"12{NB}000 грн)",
    ]
    lines = said.splitlines()
    header = lines.index(f"request_2026_0813121.xlsx: порівняно з надісланим {when} рядків, "
                         "що змінилися більш як на 20 %, з'явилися чи зникли: 3")
    assert lines[header + 1:header + 4] == expected
    for k in ("0813104", "0813105"):  # untouched: not sent again
        assert f"request_2026_{k}.xlsx: такий самий, як надісланий {when}" in said
    assert len(h.messages) == 4
    text = body(h.messages[-1])
    assert "КПКВК 0813121" in h.messages[-1]["Subject"]
    assert (f"Зміни порівняно з запитом, надісланим {when} (рядки, що змінилися більш як на "
            "20 %, нові та вилучені):\n" + "\n".join(expected)) in text
    rows = log(book)
    assert rows[:3] == first and len(rows) == 4 and rows[3]["kpkvk"] == "0813121"
    assert rows[3]["total"] == plan_total(out / "request_2026_0813121.xlsx")
    assert rows[3]["total"] == first[2]["total"] + 612000 * 0.3 + 30000 - 12000


def test_identical_resend_is_skipped_then_forced(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    out = tmp_path / "requests"
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.count("не надсилається ще раз (--force надішле)") == 3
    assert said.splitlines()[-1] == "нового для надсилання немає"
    assert len(h.messages) == 3 and len(log(book)) == 3
    assert main(["send", str(book), "--outdir", str(out), "--force"]) == 0
    assert len(h.messages) == 6
    rows = log(book)
    assert [r["status"] for r in rows] == ["надіслано"] * 6
    assert [r["sha256"] for r in rows[3:]] == [r["sha256"] for r in rows[:3]]
    assert rows[3]["sent_at"] != rows[0]["sent_at"]
    assert sorted(p.name for p in sent_folder(out, rows[3]).iterdir()) == [
        f"request_2026_{k}.xlsx" for k in PROGRAMS]
    assert "Надсилаємо повторно, без змін" in body(h.messages[-1])


def test_refused_mid_batch_records_failed_and_loses_nothing(
        cert: tuple[Path, Path], trusted: None, base: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    h = Collector(reject=(2,))
    ctl = start_tls_auth(h, cert)
    try:
        book = workbook(tmp_path, base, ctl.port)
        out = tmp_path / "requests"
        assert main(["request", str(book), "--outdir", str(out)]) == 0
        files = {p.name: p.read_bytes() for p in out.glob("request_*.xlsx")}
        capsys.readouterr()
        assert main(["send", str(book), "--outdir", str(out)]) == 1
        said = capsys.readouterr().out
        rows = log(book)
        assert [r["status"] for r in rows] == ["надіслано", "не надіслано", "надіслано"]
        assert "НЕ надіслано: request_2026_0813105.xlsx — сервер не прийняв лист: 554" in said
        assert {p.name: p.read_bytes() for p in out.glob("request_*.xlsx")} == files
        kept = sorted(p.name for p in sent_folder(out, rows[0]).iterdir())
        assert kept == ["request_2026_0813104.xlsx", "request_2026_0813121.xlsx"]
        # the next send sends what did not go, and only that
        assert main(["send", str(book), "--outdir", str(out)]) == 0
        rows = log(book)
        assert [(r["kpkvk"], r["status"]) for r in rows[3:]] == [("0813105", "надіслано")]
        assert [m["Subject"].split("КПКВК ")[1][:7] for m in h.messages] == [
            "0813104", "0813121", "0813105"]
    finally:
        ctl.stop()


def test_server_down_records_failed_and_exits_two(
        trusted: None, base: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    book = workbook(tmp_path, base, free_port())  # nobody listens there
    out = tmp_path / "requests"
    assert main(["request", str(book), "--outdir", str(out)]) == 0
    files = {p.name: p.read_bytes() for p in out.glob("request_*.xlsx")}
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 2
    said = capsys.readouterr().out
    assert said.count("НЕ надіслано:") == 3 and "нічого не надіслано" in said
    assert [r["status"] for r in log(book)] == ["не надіслано"] * 3
    assert {p.name: p.read_bytes() for p in out.glob("request_*.xlsx")} == files
    assert not any((out / "sent").rglob("*.xlsx"))


def test_refused_login_is_said_at_once_and_exits_two(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    h, port = server
    monkeypatch.setenv("KOSHTORYS_SMTP_PASSWORD", "невірний")
    book = workbook(tmp_path, base, port)
    assert main(["send", str(book), "--outdir", str(tmp_path / "r")]) == 2
    said = capsys.readouterr().out
    assert f"127.0.0.1:{port} відхилив вхід користувача {USER}: 535" in said
    assert "невірний" not in said and h.messages == []
    assert [r["status"] for r in log(book)] == ["не надіслано"] * 3


def test_workbook_made_before_the_log_gets_the_table(
        server: tuple[Collector, int], base: Path, tmp_path: Path) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    wb = openpyxl.load_workbook(book)  # an older workbook: no sheet Надіслано
    del wb["Надіслано"]
    wb.save(book)
    before = parts(book)
    assert main(["send", str(book), "--outdir", str(tmp_path / "r")]) == 0
    after = parts(book)
    rows = log(book)
    assert [r["status"] for r in rows] == ["надіслано"] * 3 and len(h.messages) == 3
    added = set(after) - set(before)
    assert set(before) <= set(after) and added == log_parts(after) | {
        next(n for n in added if n.startswith("xl/worksheets/_rels/"))}
    changed = {n for n in before if before[n] != after[n]}
    # the new sheet is declared (content types, workbook, its relationships); Excel
    # recalculates on open; nothing else changed
    assert changed <= {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "xl/styles.xml"}


def _as_form_three(src: Path, dst: Path, scale: float) -> None:
    """A Форма 20__-3 with the request command's machine tables: tblRequestInfo's form
    and tblRequest's form column say 3, the amounts are its own."""
    wb = openpyxl.load_workbook(src)
    ws = wb["Дані"]
    for row in ws[ws.tables["tblRequestInfo"].ref][1:]:
        if row[0].value == "form":
            row[1].value = 3
    cells = list(ws[ws.tables["tblRequest"].ref])
    heads = [c.value for c in cells[0]]
    for r in cells[1:]:
        r[heads.index("form")].value = 3
        r[heads.index("amount")].value = round(r[heads.index("amount")].value * scale)
    wb.save(dst)


def test_form_three_is_its_own_request(server: tuple[Collector, int], base: Path,
                                       tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    out = tmp_path / "requests"
    assert main(["request", str(book), "--outdir", str(out)]) == 0
    form3 = out / "request3_2026_0813121.xlsx"
    _as_form_three(out / "request_2026_0813121.xlsx", form3, 0.25)
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    rows = log(book)
    assert [(r["kpkvk"], r["form"]) for r in rows] == [
        ("0813104", 2), ("0813105", 2), ("0813121", 2), ("0813121", 3)]
    assert rows[3]["file"] == form3.name and rows[3]["total"] == plan_total(form3)
    assert rows[3]["sha256"] == hashlib.sha256(form3.read_bytes()).hexdigest()
    assert "додатковий, форма 2026-3" in h.messages[3]["Subject"]
    # the additional request moves; it is compared with the last Форма 20__-3, not -2
    wb = openpyxl.load_workbook(form3)
    ws = wb["Дані"]
    grid = list(ws[ws.tables["tblRequest"].ref])
    heads = [c.value for c in grid[0]]
    line = next(r for r in grid[1:] if r[heads.index("kekv")].value == "2271"
                and r[heads.index("year")].value == 2026)
    old = line[heads.index("amount")].value
    line[heads.index("amount")].value = old * 2
    wb.save(form3)
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.count("такий самий, як надісланий") == 3
    money = f"{old:,}".replace(",", NB)
    double = f"{old * 2:,}".replace(",", NB)
    assert (f"  КЕКВ 2271 «Оплата теплопостачання», загальний фонд: було {money} грн, "
            f"стало {double} грн (+100,0 %)") in said.splitlines()
    assert [(r["form"], r["status"]) for r in log(book)[4:]] == [(3, "надіслано")]


def test_drafts_are_logged_not_copied_and_not_taken_as_sent(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    h, port = server
    # an official name on two lines (Alt+Enter): drafts and mail both go
    book = workbook(tmp_path, base, port, institution="Комунальна установа «Добро»\n"
                                                      "м. Кремінна")
    out = tmp_path / "requests"
    assert main(["send", str(book), "--outdir", str(out), "--draft", str(tmp_path / "d")]) == 0
    assert [r["status"] for r in log(book)] == ["чернетка"] * 3
    assert not (out / "sent").exists() and len(list((tmp_path / "d").glob("*.eml"))) == 3
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.count("раніше не надсилався") == 3 and len(h.messages) == 3
    assert h.messages[0]["Subject"].endswith("— Комунальна установа «Добро» м. Кремінна")
    assert [r["status"] for r in log(book)] == ["чернетка"] * 3 + ["надіслано"] * 3


def test_lost_copy_means_no_comparison_said_so(
        server: tuple[Collector, int], base: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    out = tmp_path / "requests"
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    first = log(book)
    shutil.rmtree(out / "sent")
    edit_costs(book)
    assert main(["request", str(book), "--kpkvk", "0813121", "--outdir", str(out)]) in (0, 1)
    capsys.readouterr()
    assert main(["send", str(book), "--outdir", str(out)]) == 0
    said = capsys.readouterr().out
    copy = out / "sent" / str(first[2]["sent_at"]) / "request_2026_0813121.xlsx"
    assert "порівняти з надісланим" in said and f"копії {copy} немає" in said
    assert len(h.messages) == 4 and "Зміни порівняно" not in body(h.messages[-1])


def test_workbook_open_in_excel_sends_nothing(
        server: tuple[Collector, int], base: Path, tmp_path: Path) -> None:
    h, port = server
    book = workbook(tmp_path, base, port)
    (tmp_path / f"~${book.name}").write_bytes(b"owner")
    before = book.read_bytes()
    assert main(["send", str(book), "--outdir", str(tmp_path / "r")]) == 2
    assert h.messages == [] and book.read_bytes() == before


def test_workbook_saved_by_another_program_keeps_its_other_parts(
        server: tuple[Collector, int], base: Path, tmp_path: Path) -> None:
    """A workbook LibreOffice saved: the log's sheet and table change; the styles part
    gains the log's number formats and workbook.xml asks Excel to recalculate on open
    (the file adapter does both on every cell edit); every other part stays as it was."""
    import subprocess

    soffice = REAL_SOFFICE()
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    h, port = server
    made = workbook(tmp_path, base, port)
    lo = tmp_path / "lo"
    subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/prof",
                    "--convert-to", "xlsx", "--outdir", str(lo), str(made)],
                   check=True, capture_output=True, timeout=180)
    book = lo / made.name
    assert book.is_file()
    before = parts(book)
    assert main(["send", str(book), "--outdir", str(tmp_path / "r")]) == 0
    after = parts(book)
    assert len(log(book)) == 3 and set(after) == set(before)
    changed = {n for n in before if before[n] != after[n]}
    assert changed - {"xl/styles.xml", "xl/workbook.xml"} == log_parts(before)
    if "xl/workbook.xml" in changed:  # only the calculation flag
        assert re.sub(rb'\s*fullCalcOnLoad="1"', b"", after["xl/workbook.xml"]) == \
            before["xl/workbook.xml"]


def test_workbooks_after_send_pass_the_independent_validator(
        server: tuple[Collector, int], base: Path, tmp_path: Path) -> None:
    """The log appended (template workbook) and the log created (older workbook): what
    send writes into a workbook is valid OOXML (openxml-audit, as every file)."""
    pytest.importorskip("openxml_audit")
    from test_ooxml_audit import findings

    h, port = server
    appended = workbook(tmp_path, base, port)
    out = tmp_path / "r"
    assert main(["send", str(appended), "--outdir", str(out)]) == 0
    assert main(["send", str(appended), "--outdir", str(out), "--force"]) == 0
    assert len(log(appended)) == 6 and findings(appended) == []
    created = tmp_path / "old" / "kreminna.xlsx"
    created.parent.mkdir()
    shutil.copyfile(appended, created)
    wb = openpyxl.load_workbook(created)
    del wb["Надіслано"]
    wb.save(created)
    assert main(["send", str(created), "--outdir", str(tmp_path / "r2")]) == 0
    assert len(log(created)) == 3 and findings(created) == []


def test_a_request_made_before_the_book_changed_is_said_before_it_goes(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """request, then a cost line raised by 1 000 in the workbook, then send: the file in
    the folder still holds the old figures, and nothing said so."""

    path, _wb = sample_book(tmp_path)
    out = tmp_path / "requests"
    assert main(["request", str(path), "--outdir", str(out)]) == 0
    form3 = out / "request3_2026_0813104.xlsx"
    ws = openpyxl.load_workbook(form3)["Дані"]
    cells = list(ws[ws.tables["tblRequest"].ref])
    heads = [c.value for c in cells[0]]
    old = sum(r[heads.index("amount")].value for r in cells[1:]
              if r[heads.index("year")].value == 2026)
    wb = openpyxl.load_workbook(path)
    costs = wb["Видатки"]
    assert (costs["A6"].value, costs["E6"].value) == ("2210", "0813104")
    costs["C6"] = costs["C6"].value + 1000  # above the ceiling already: all of it to form 3
    wb.save(path)
    capsys.readouterr()
    assert main(["send", str(path), "--outdir", str(out), "--draft", str(tmp_path / "d")]) == 0
    said = [line for line in capsys.readouterr().out.splitlines() if "не збігаються" in line]
    # form 2 keeps its total (the ceiling) with its lines refilled; form 3 grows by 1 000
    assert [line.split(" рядків")[0] for line in said] == [
        "увага: у request_2026_0813104.xlsx", "увага: у request3_2026_0813104.xlsx"]
    shown = [f"{x:,}".replace(",", "\u00a0") for x in (old, old + 1000)]
    assert f"разом {shown[0]} і {shown[1]} грн" in said[1]
    assert len(list((tmp_path / "d").glob("*.eml"))) == 3  # sent as they are, all three
