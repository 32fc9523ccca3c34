"""The ribbon buttons of the cycle's documents, on a fake xlwings Book: the same commands
as the CLI, on the live workbook (never saved, never reopened), one read per table, the
service of the active row or a choice."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from cycle_docs import machine_table, workbook
from fake_xlwings import FakeBook, FakeRange
from test_live_adapter import fake_workbook

from koshtorys.addin import macros
from koshtorys.cli import main
from koshtorys.core import schema
from koshtorys.samples import sample_frames


class _Api:
    """Excel's COM object as far as the input box goes."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def InputBox(self, prompt: str, title: str, default: str) -> object:  # noqa: N802
        self.prompts.append(prompt)
        return self.answer


def live_book(tmp_path: Path, select: tuple[str, int] | None = None) -> FakeBook:
    """The Kreminna sample open in a fake Excel, saved in ``tmp_path``; ``select``: the
    (table, data row index) the user clicked."""
    book = fake_workbook(sample_frames(), fullname=str(tmp_path / "кошторис.xlsx"))
    book.selection = None  # type: ignore[attr-defined]
    if select is not None:
        t = book.table(select[0])
        row = t.top + 1 + select[1]
        book.selection = FakeRange(t.sheet, row, t.left + 1, row, t.left + 1)  # type: ignore
    book.log.clear()
    return book


def _reads_once(book: FakeBook) -> None:
    reads: dict[str, int] = {}
    for name in [t.name for t in schema.INPUT_TABLES]:
        try:
            reads[name] = len(book.accesses_of(name, "read"))
        except KeyError:
            continue
    assert reads and all(n <= 1 for n in reads.values()), reads
    assert not book.accesses("write") and book.saves == 0


def test_passport_button_writes_beside_the_workbook(tmp_path: Path) -> None:
    book = live_book(tmp_path)
    file_book = workbook(tmp_path / "same.xlsx", sample_frames())
    code = main(["passport", str(file_book), "--outdir", str(tmp_path / "cli")])
    assert code in (0, 1)  # Kreminna's deliberate program_total_mismatch is an error
    assert macros.passport(book) == code
    made = sorted(p.name for p in (tmp_path / "documents").glob("passport_*.xlsx"))
    programs = sorted({str(k) for k in sample_frames()["tblServices"]["kpkvk"]})
    assert made == [f"passport_2026_{k}.xlsx" for k in programs]
    assert str(tmp_path / "documents") in book.app.alerts[-1]["prompt"]
    _reads_once(book)
    assert not (tmp_path / "кошторис.xlsx").exists()  # read from Excel, not from a file
    assert book.app.status_history[-1] is False and book.app.screen_updating is True


def test_report_button_is_the_cli_report(tmp_path: Path) -> None:
    book = live_book(tmp_path)
    file_book = workbook(tmp_path / "same.xlsx", sample_frames())
    code = main(["passport", str(file_book), "--report", "--outdir", str(tmp_path / "cli")])
    assert macros.passport_report(book) == code
    made = sorted((tmp_path / "documents").glob("passport_report_2025_*.xlsx"))
    assert made
    _reads_once(book)
    for p in made:
        assert machine_table(p, "tblPassportReport") == \
            machine_table(tmp_path / "cli" / p.name, "tblPassportReport")


@pytest.mark.parametrize("table,index,sid", [("tblServices", 1, "S02"),
                                             ("tblUnitCosts", None, None),
                                             ("tblTime", 0, "S02")])
def test_tariff_button_takes_the_service_of_the_active_row(tmp_path: Path, table: str,
                                                         index: int | None, sid: str | None
                                                         ) -> None:
    if index is None:  # an output table: refresh fills it first, as the user would
        book = live_book(tmp_path)
        assert macros.costing(book) == 0
        rows = book.table_values("tblUnitCosts")[1]
        index, sid = 3, rows[3][0]
        t = book.table(table)
        row = t.top + 1 + index
        book.selection = FakeRange(t.sheet, row, t.left, row, t.left)  # type: ignore
    else:
        book = live_book(tmp_path, (table, index))
    assert macros.tariff(book) == 0
    assert [p.name for p in (tmp_path / "documents").glob("*.xlsx")] == \
        [f"tariff_2026_{sid}.xlsx"]


def test_tariff_button_without_a_service_row_makes_every_tariff(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")  # no input box through xlwings there
    book = live_book(tmp_path, ("tblStaff", 0))  # a row, but not of a service
    assert macros.tariff(book) == 0
    ids = sorted(sample_frames()["tblServices"]["service_id"])
    assert sorted(p.name for p in (tmp_path / "documents").glob("*.xlsx")) == \
        [f"tariff_2026_{s}.xlsx" for s in ids]
    _reads_once(book)


def test_tariff_button_equals_the_cli(tmp_path: Path) -> None:
    book = live_book(tmp_path, ("tblServices", 0))
    assert macros.tariff(book) == 0
    file_book = workbook(tmp_path / "same.xlsx", sample_frames())
    assert main(["tariff", str(file_book), "--service", "S01", "--outdir",
                 str(tmp_path / "cli")]) == 0
    assert machine_table(tmp_path / "documents" / "tariff_2026_S01.xlsx", "tblTariff") == \
        machine_table(tmp_path / "cli" / "tariff_2026_S01.xlsx", "tblTariff")


def test_procurement_button_on_the_active_row(tmp_path: Path) -> None:
    book = live_book(tmp_path, ("tblServices", 3))  # S04, social prevention
    assert macros.procurement(book) == 0
    t = machine_table(tmp_path / "documents" / "procurement_2026_S04.xlsx", "tblProcurement")
    assert t[("expected", "units")] == 190
    _reads_once(book)


def test_procurement_button_without_a_row_asks_to_select_one(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    book = live_book(tmp_path)
    assert macros.procurement(book) == 2
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "Обґрунтування закупівлі" in alert["prompt"]
    assert not (tmp_path / "documents").exists()


@pytest.mark.parametrize("answer,made", [("S03", ["procurement_2026_S03.xlsx"]),
                                         (False, []), ("", [])])
def test_procurement_button_offers_a_choice_on_windows(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       answer: Any, made: list[str]) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    book = live_book(tmp_path)
    api = _Api(answer)
    book.app.api = api  # type: ignore[attr-defined]
    assert macros.procurement(book) == 0
    assert "S01" in api.prompts[0] and "S09" in api.prompts[0]
    found = sorted(p.name for p in (tmp_path / "documents").glob("*.xlsx")) \
        if (tmp_path / "documents").exists() else []
    assert found == made


def test_tariff_choice_blank_means_every_service(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    book = live_book(tmp_path)
    book.app.api = _Api("")  # type: ignore[attr-defined]
    assert macros.tariff(book) == 0
    assert len(list((tmp_path / "documents").glob("tariff_*.xlsx"))) == 9


def test_an_unknown_chosen_service_is_a_message(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    book = live_book(tmp_path)
    book.app.api = _Api("S77")  # type: ignore[attr-defined]
    assert macros.tariff(book) == 2
    assert "S77" in book.app.alerts[-1]["prompt"]
    assert not list((tmp_path / "documents").glob("*.xlsx")) \
        if (tmp_path / "documents").exists() else True


def test_buttons_need_a_saved_workbook(tmp_path: Path) -> None:
    for button in (macros.passport, macros.passport_report, macros.tariff,
                   macros.procurement):
        book = fake_workbook(sample_frames(), fullname="Книга1")
        assert button(book) == 2
        assert "збережіть" in book.app.alerts[-1]["prompt"].lower()
