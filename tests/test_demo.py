"""The whole job as a new user runs it: demo, request, send, consolidate from the CLI."""

from __future__ import annotations

import email
import shutil
from email import policy
from pathlib import Path

import openpyxl
import pytest

from koshtorys.cli import main


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    # exit 1: everything is made, and the Kreminna sample reports its passport's totals
    # differing from its activity table (two program_total_mismatch errors, by design)
    assert main(["demo", "--outdir", str(out)]) == 1
    return out


def test_demo_makes_every_artefact(demo: Path) -> None:
    book = demo / "institutions" / "kreminna_2026.xlsx"
    assert book.exists()
    docs = demo / "documents" / "kreminna"
    requests = sorted(docs.glob("request_2026_*.xlsx"))
    assert requests, "no request workbook"
    if shutil.which("soffice"):
        assert sorted(docs.glob("request_2026_*.pdf"))
    drafts = sorted((demo / "drafts" / "kreminna").glob("*.eml"))
    assert len(drafts) == len(requests)
    msg = email.message_from_bytes(drafts[0].read_bytes(), policy=policy.default)
    assert msg["X-Unsent"] == "1" and "2026" in msg["Subject"]
    names = [p.get_filename() for p in msg.walk() if p.get_filename()]
    assert any(n.endswith(".xlsx") for n in names)
    # the ceiling of the Pervomaiskyi sample gives an additional request; Kropyvnytskyi's
    assert (demo / "documents" / "pervomaiskyi" / "request3_2026_0813104.xlsx").is_file()
    assert (demo / "documents" / "kropyvnytskyi" / "request_2026_0813121.xlsx").is_file()
    wb = openpyxl.load_workbook(demo / "consolidated.xlsx")
    tables = {t for ws in wb.worksheets for t in ws.tables}
    assert {"tblConsVariance", "tblConsFunding", "tblConsCostByKekv", "tblConsFiles"} <= tables


def test_request_one_program_and_unknown_program(demo: Path, tmp_path: Path) -> None:
    book = demo / "institutions" / "kreminna_2026.xlsx"
    # exit 1: made, with the book's error checks (the sample's program_total_mismatch)
    assert main(["request", str(book), "--kpkvk", "0813104", "--outdir", str(tmp_path)]) == 1
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["request_2026_0813104.xlsx"]
    assert main(["request", str(book), "--kpkvk", "0819999", "--outdir",
                 str(tmp_path / "x")]) == 2


def test_send_without_mail_settings_is_exit_two_and_keeps_files(demo: Path,
                                                                tmp_path: Path) -> None:
    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo / "institutions" / "kreminna_2026.xlsx", book)
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        if "tblSettings" in ws.tables:
            for row in ws[ws.tables["tblSettings"].ref][1:]:
                if row[0].value == "smtp_host":
                    row[1].value = None
    wb.save(book)
    out = tmp_path / "req"
    assert main(["request", str(book), "--outdir", str(out)]) == 1  # the sample's checks
    before = sorted(p.name for p in out.iterdir())
    assert main(["send", str(book), "--outdir", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == before


def test_consolidate_lists_unreadable_files(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    shutil.copytree(demo / "institutions", folder)
    (folder / "broken.xlsx").write_text("not a workbook")
    out = tmp_path / "cons.xlsx"
    assert main(["consolidate", str(folder), "--out", str(out)]) == 1
    wb = openpyxl.load_workbook(out)
    ws = next(ws for ws in wb.worksheets if "tblConsFiles" in ws.tables)
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "broken.xlsx" in text


def _set_setting(book: Path, key: str, value: object) -> None:
    wb = openpyxl.load_workbook(book)
    for ws in wb.worksheets:
        if "tblSettings" in ws.tables:
            for row in ws[ws.tables["tblSettings"].ref][1:]:
                if row[0].value == key:
                    row[1].value = value
    wb.save(book)


def test_request_and_send_without_plan_year_do_nothing(demo: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture) -> None:
    # the plan year names the files and heads the form: never guess it
    book = tmp_path / "b.xlsx"
    shutil.copyfile(demo / "institutions" / "kreminna_2026.xlsx", book)
    _set_setting(book, "plan_year", None)
    out = tmp_path / "req"
    assert main(["request", str(book), "--outdir", str(out)]) == 2
    assert "plan_year" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
    assert main(["send", str(book), "--outdir", str(out), "--draft", str(tmp_path / "d")]) == 2
    assert not (tmp_path / "d").exists() or not any((tmp_path / "d").iterdir())


def test_request_program_code_typed_without_its_leading_zero(demo: Path,
                                                             tmp_path: Path) -> None:
    book = demo / "institutions" / "kreminna_2026.xlsx"
    assert main(["request", str(book), "--kpkvk", "813104", "--outdir", str(tmp_path)]) == 1
    assert [p.name for p in tmp_path.glob("*.xlsx")] == ["request_2026_0813104.xlsx"]


def test_request_with_one_file_open_in_excel_writes_none(demo: Path, tmp_path: Path) -> None:
    # exit 2 means nothing done: no request is rewritten when another is locked
    book = demo / "institutions" / "kreminna_2026.xlsx"
    out = tmp_path / "req"
    out.mkdir()
    (out / "~$request_2026_0813121.xlsx").write_bytes(b"owner")
    assert main(["request", str(book), "--outdir", str(out)]) == 2
    assert sorted(p.name for p in out.iterdir()) == ["~$request_2026_0813121.xlsx"]


def test_consolidate_into_a_folder_not_yet_made(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "зведення" / "2026" / "усі.xlsx"
    assert main(["consolidate", str(demo / "institutions"), "--out", str(out)]) == 0
    assert out.is_file()


@pytest.mark.parametrize("command", ["request", "demo"])
def test_outdir_that_is_a_file_is_a_plain_error(demo: Path, tmp_path: Path, command: str,
                                               capsys: pytest.CaptureFixture) -> None:
    taken = tmp_path / "taken"
    taken.write_text("a file, not a folder")
    args = ([command, str(demo / "institutions" / "kreminna_2026.xlsx")]
            if command == "request" else [command])
    assert main([*args, "--outdir", str(taken)]) == 2
    err = capsys.readouterr().err
    assert "taken" in err and "internal error" not in err
    assert taken.read_text() == "a file, not a folder"


def test_send_drafts_only_this_institutions_requests(demo: Path, tmp_path: Path) -> None:
    """Two institutions' requests in one folder: each workbook sends only its own."""
    out = tmp_path / "shared"
    kreminna = demo / "institutions" / "kreminna_2026.xlsx"
    other = demo / "institutions" / "pervomaiskyi_2026.xlsx"
    # the other institution first: where both have a program, Kreminna's file replaces it
    assert main(["request", str(other), "--outdir", str(out)]) == 0
    assert main(["request", str(kreminna), "--outdir", str(out)]) == 1  # its own checks
    docs = demo / "documents" / "kreminna"
    assert len(list(out.glob("request_*.xlsx"))) > len(list(docs.glob("request_*.xlsx")))
    mine = {p.name for p in docs.glob("request_*.xlsx")}
    assert main(["send", str(kreminna), "--outdir", str(out), "--draft",
                 str(tmp_path / "drafts")]) == 0
    drafts = {p.stem + ".xlsx" for p in (tmp_path / "drafts").glob("*.eml")}
    assert drafts == mine
