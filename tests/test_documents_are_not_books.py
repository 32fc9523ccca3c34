"""A file koshtorys made — a request received by mail, a tariff, a passport report, the
consolidation — given to a command that takes a program workbook: one line saying what
the file is, exit 2, the file untouched (before, "is it a koshtorys workbook?")."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_xlsx import sample_book

from koshtorys.cli import main

WHAT = {  # file-name prefix → what the line must call it, Ukrainian or English
    "request_": ("бюджетний запит", "budget request"),
    "tariff_": ("розрахунок тарифу", "tariff calculation"),
    "passport_report_": ("звіт про виконання паспорта", "passport report"),
    "procurement_": ("обґрунтування закупівлі", "procurement justification"),
    "cons": ("зведення книг установ", "consolidation of institutions' workbooks"),
}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("made")
    book, _ = sample_book(tmp)
    assert main(["refresh", str(book)]) == 0
    out = tmp / "docs"
    assert main(["request", str(book), "--outdir", str(out)]) in (0, 1)
    assert main(["tariff", str(book), "--service", "U01", "--outdir", str(out)]) in (0, 1)
    assert main(["passport", str(book), "--report", "--outdir", str(out)]) in (0, 1)
    assert main(["procurement", str(book), "--service", "U05", "--outdir", str(out)]) in (0, 1)
    books = tmp / "books"
    books.mkdir()
    book.rename(books / "k.xlsx")
    assert main(["consolidate", str(books), "--out", str(tmp / "cons.xlsx")]) in (0, 1)
    files = sorted(out.glob("*.xlsx")) + [tmp / "cons.xlsx"]
    return {prefix: next(f for f in files if f.name.startswith(prefix)) for prefix in WHAT}


@pytest.mark.parametrize("prefix", list(WHAT))
@pytest.mark.parametrize("command", [
    ["check"], ["refresh"], ["request", "--outdir", "{tmp}/o"], ["tariff", "--outdir", "{tmp}/o"],
    ["passport", "--outdir", "{tmp}/o"], ["send", "--outdir", "{tmp}/o", "--draft", "{tmp}/d"],
    ["import-actuals", "{report}"],
])
def test_a_document_given_as_a_workbook_is_named(
        made: dict[str, Path], prefix: str, command: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = made[prefix]
    before = path.read_bytes()
    report = tmp_path / "r.csv"
    report.write_text("kpkvk;kekv;fund;month;amount\n0813104;2111;general;3;1\n",
                      encoding="utf-8")
    args = [a.format(tmp=tmp_path, report=report) for a in command]
    capsys.readouterr()
    code = main([args[0], str(path), *args[1:]])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert any(word in err for word in WHAT[prefix]), err
    assert path.read_bytes() == before
    assert not (tmp_path / "o").exists() and not (tmp_path / "d").exists()


@pytest.mark.parametrize("button", ["refresh", "check", "request", "passport", "tariff"])
def test_a_button_pressed_in_a_received_request_says_what_it_is(tmp_path: Path,
                                                                button: str) -> None:
    """The request a finance officer received, opened in Excel, a ribbon button pressed:
    the same line in the message box, nothing written to the open workbook."""
    from fake_xlwings import FakeBook

    from koshtorys.addin import macros

    book = FakeBook(str(tmp_path / "request_2026_0813104.xlsx"))
    book.sheet("Дані").put_table("tblRequest", ["kpkvk", "kekv", "fund", "year", "amount",
                                                "form"],
                                 [["0813104", "2111", "general", 2026, 1000, 2]])
    book.log.clear()
    assert getattr(macros, button)(book) == 2
    assert "бюджетний запит" in book.app.alerts[-1]["prompt"]
    assert not book.accesses("write") and book.saves == 0
