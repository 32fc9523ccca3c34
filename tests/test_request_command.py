"""``koshtorys request`` end to end: refused without the settings a request is signed
with, all or nothing on a disk that fails, and what it says."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book

from koshtorys.cli import main
from koshtorys.commands.request import request
from koshtorys.core.book import MemoryBook
from koshtorys.samples import sample_frames


def _book(**settings: object) -> MemoryBook:
    frames = sample_frames("kropyvnytskyi")
    s = frames["tblSettings"].copy()
    for key, value in settings.items():
        if key in set(s["key"]):
            s.loc[s["key"] == key, "value"] = value
        else:
            s.loc[len(s)] = [key, value]
    frames["tblSettings"] = s
    return MemoryBook.from_frames(frames, "uk")


@pytest.mark.parametrize(("key", "value", "code"), [
    ("budget_code", None, "document_setting_missing"),
    ("institution", None, "document_setting_missing"),
    ("institution", "…", "document_setting_missing"),
    ("edrpou", None, "document_setting_missing"),
    ("edrpou", "123", "invalid_edrpou"),
    ("edrpou", "00000000", "invalid_edrpou"),
    ("budget_code", "12345", "invalid_budget_code"),
    ("grk_edrpou", None, "document_setting_missing"),  # a grk is named: its code is needed
])
def test_no_request_without_the_settings_it_is_signed_with(tmp_path: Path, key: str,
                                                          value: object, code: str) -> None:
    out = request(_book(**{key: value}), tmp_path / "out")
    assert out.exit_code == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    hit = [c for c in out.checks if c.code == code]
    assert hit and hit[0].severity == "error" and hit[0].table == "tblSettings"
    assert hit[0].column == "value" and hit[0].row  # the setting's own cell
    assert any(c.code == "document_not_made" and c.params["kpkvk"] == "0813121"
               for c in out.checks)
    assert any("0813121" in line for line in out.lines)


def test_own_main_spending_unit_needs_no_second_code(tmp_path: Path) -> None:
    out = request(_book(grk=None, grk_edrpou=None), tmp_path)
    assert out.exit_code == 0 and [p.name for p in out.files] == ["request_2026_0813121.xlsx"]


@pytest.fixture(scope="module")
def kreminna(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("k") / "kreminna.xlsx"
    assert main(["new", str(p), "--sample", "kreminna"]) == 0
    return p


def _run_limited(book: Path, outdir: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """``koshtorys request`` in a process that may not write a file past ``limit`` bytes:
    the operating system refuses the write as a full disk would (EFBIG)."""
    code = ("import resource, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))\n"
            "from koshtorys.cli import main\n"
            f"sys.exit(main(['request', {str(book)!r}, '--outdir', {str(outdir)!r}]))\n")
    env = {**os.environ, "KOSHTORYS_LANG": "en", "HOME": str(outdir.parent)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=env, check=False)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_failing_disk_writes_nothing(kreminna: Path, tmp_path: Path) -> None:
    out = tmp_path / "req"
    out.mkdir()
    (out / "request_2026_0813104.xlsx").write_bytes(b"last year's file")
    # a limit under which the two small programs' files are written (to temporaries) and
    # the large third one fails; found by trying, as the sizes follow the layout
    for limit in range(60_000, 600_000, 20_000):
        run = _run_limited(kreminna, out, limit)
        if run.returncode != 2 or "0813121" in run.stderr:
            break
    assert run.returncode == 2, run.stderr
    # the workbook is Ukrainian, so is its refusal (KOSHTORYS_LANG speaks before a book does)
    assert "не вдається записати request_2026_0813121.xlsx" in run.stderr
    assert "internal error" not in run.stderr and "внутрішня помилка" not in run.stderr
    assert sorted(p.name for p in out.iterdir()) == ["request_2026_0813104.xlsx"]
    assert (out / "request_2026_0813104.xlsx").read_bytes() == b"last year's file"


def test_a_file_that_cannot_be_replaced_is_named(kreminna: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "req"
    (out / "request_2026_0813121.xlsx").mkdir(parents=True)  # a folder in the way
    assert main(["request", str(kreminna), "--outdir", str(out)]) == 1
    said = capsys.readouterr().out
    names = sorted(p.name for p in out.iterdir() if p.is_file())
    assert names == ["request_2026_0813104.xlsx", "request_2026_0813105.xlsx"]
    assert all(n in said for n in names) and "request_2026_0813121.xlsx" in said
    assert not list(out.glob(".~kosht-*"))
    wb = openpyxl.load_workbook(out / names[0])
    assert "tblRequest" in wb["Дані"].tables


def test_ceiling_gives_the_additional_request(tmp_path: Path) -> None:
    frames = sample_frames("pervomaiskyi")
    out = request(MemoryBook.from_frames(frames, "uk"), tmp_path)
    assert out.exit_code == 0
    assert sorted(p.name for p in out.files) == [
        "request3_2026_0813104.xlsx", "request_2026_0813102.xlsx", "request_2026_0813104.xlsx"]
    assert any("request3_2026_0813104.xlsx" in line and "570 580" in line.replace("\xa0", " ")
               for line in out.lines)


@pytest.mark.parametrize("typed", ["3104", "813104", "0813104"])
def test_a_program_is_picked_by_its_code_or_its_four_program_digits(
        tmp_path: Path, typed: str, capsys: pytest.CaptureFixture) -> None:
    """Pervomaiskyi has 0813102 and 0813104: 3104 (the ТПКВКМБ people say) names one."""
    from koshtorys.xlsx.template import build_workbook

    book = tmp_path / "k.xlsx"
    build_workbook(book, "uk", sample_frames("pervomaiskyi"))
    out = tmp_path / "out"
    assert main(["request", str(book), "--kpkvk", typed, "--outdir", str(out)]) == 0
    assert sorted(p.name for p in out.glob("request_*")) == ["request_2026_0813104.xlsx"]
    assert main(["passport", str(book), "--kpkvk", typed, "--outdir", str(out)]) == 0
    assert [p.name for p in out.glob("passport_*")] == ["passport_2026_0813104.xlsx"]
    assert main(["request", str(book), "--kpkvk", "3105", "--outdir", str(out)]) == 2
    assert "КПКВК 3105 не має сум у книзі (є: 0813102, 0813104)" in capsys.readouterr().err


def test_a_program_without_its_texts_is_said_by_request_and_passport(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """tblPrograms' row typed with the wrong КПКВК: the request and the passport went out
    with empty goal, tasks and basis sections, exit 0 and not a word (rendered and seen)."""


    path, wb = sample_book(tmp_path)
    ws = wb["Програми"]
    assert ws["A4"].value == "0813104" and ws["C3"].value == "Мета"
    ws["A4"] = "0813105"
    ws["E5"] = None  # 0813102 keeps its goal and tasks, loses its basis
    wb.save(path)
    assert main(["check", str(path)]) == 0
    assert ("Програми!A4: тексти програми КПКВК 0813105, а видатків за цією програмою в "
            "книзі немає (є: 0813102, 0813104)") in capsys.readouterr().out
    for command in (["request"], ["passport"], ["passport", "--report"]):
        assert main([*command, str(path), "--outdir", str(tmp_path / "o")]) == 0
        out = capsys.readouterr().out
        assert ("КПКВК 0813104: у tblPrograms не заповнено «Мета / Завдання / Підстави» — ці "
                "розділи запиту й паспорта надруковано порожніми") in out, command
        assert "КПКВК 0813102: у tblPrograms не заповнено «Підстави»" in out, command
