"""Requests printed by LibreOffice as a person receives them: the pages planned (no page
LibreOffice had to add, the machine sheet not printed), no totals row alone at the top of
a page, amounts grouped the Ukrainian way; and PDF printing failing cleanly."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from koshtorys import parts
from koshtorys.commands.request import request_inputs
from koshtorys.core.book import MemoryBook
from koshtorys.core.errors import KoshtorysError
from koshtorys.documents.request import build_requests
from koshtorys.documents.request_sheet import write_requests
from koshtorys.samples import VARIANTS, sample_frames

needs_lo = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext")
                              is None, reason="LibreOffice or poppler not installed")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Path, Path]]:
    from koshtorys.documents.pdf import to_pdfs

    out = tmp_path_factory.mktemp("printed")
    pairs: list[tuple[Path, Path]] = []
    for v in VARIANTS:  # a folder each: two institutions may run the same КПКВК
        result = parts.evaluate(MemoryBook.from_frames(sample_frames(v), "uk"))
        folder = out / v
        folder.mkdir()
        files = write_requests(build_requests(request_inputs(result)), folder)
        pairs += zip(files, to_pdfs(files, folder), strict=True)
    return pairs


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True, timeout=60).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


@needs_lo
def test_pages_are_the_planned_ones_and_the_machine_sheet_is_not_printed(
        printed: list[tuple[Path, Path]]) -> None:
    for xlsx, pdf in printed:
        wb = load_workbook(xlsx)
        assert wb["Дані"].sheet_state == "hidden"
        planned = len(wb["Запит"].row_breaks.brk) + 1
        pages = _pages(pdf)
        assert len(pages) == planned, xlsx.name  # LibreOffice added no break of its own
        text = "\f".join(pages)
        assert "tblRequest" not in text and "general" not in text


@needs_lo
def test_no_totals_row_alone_at_the_top_of_a_page(printed: list[tuple[Path, Path]]) -> None:
    for xlsx, pdf in printed:
        for n, page in enumerate(_pages(pdf)[1:], start=2):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            body = lines[2:]  # under the repeated title rows
            assert body, (xlsx.name, n)
            assert not re.match(r"^(УСЬОГО|Разом за)", body[0]), (xlsx.name, n, body[0])
            title = lines[0]
            assert title.startswith("БЮДЖЕТНИЙ ЗАПИТ"), (xlsx.name, n)


@needs_lo
def test_amounts_print_with_ukrainian_digit_grouping(printed: list[tuple[Path, Path]]) -> None:
    by_name = {x.parent.name + "/" + x.name: p for x, p in printed}
    text = "\n".join(_pages(by_name["kreminna/request_2026_0813121.xlsx"]))
    grouped = text.replace("\u00a0", " ")
    assert "10 284 887" in grouped and "10,284,887" not in text
    prevention = "\n".join(_pages(by_name["kropyvnytskyi/request_2026_0813121.xlsx"]))
    assert "121,00" in prevention  # the per-unit figure of 249 744 ÷ 2 064
    assert "Форма 2026-3" in "\n".join(_pages(by_name[
        "pervomaiskyi/request3_2026_0813104.xlsx"]))


@needs_lo
def test_first_page_is_a_landscape_picture_with_ink(printed: list[tuple[Path, Path]],
                                                    tmp_path: Path) -> None:
    from PIL import Image

    pdf = printed[0][1]
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True, timeout=60)
    img = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert img.getextrema()[0] < 128 and img.width > img.height


def test_pdf_failure_is_one_line_and_stale_pdf_not_taken(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from koshtorys.documents import pdf

    # a stand-in soffice that, like the real one on failure, exits 0 and writes nothing
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\necho 'Error: source file could not be loaded' >&2\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "soffice_path", lambda: str(fake))
    src = tmp_path / "request_2026_0813104.xlsx"
    src.write_bytes(b"not a workbook")
    stale = tmp_path / "out" / "request_2026_0813104.pdf"
    stale.parent.mkdir()
    stale.write_bytes(b"%PDF old")
    with pytest.raises(KoshtorysError) as err:
        pdf.to_pdf(src, stale.parent)
    assert "could not be loaded" in str(err.value) and "\n" not in str(err.value)
    assert stale.read_bytes() == b"%PDF old"
    assert [p.name for p in stale.parent.iterdir()] == [stale.name]  # no temporary left
    with pytest.raises(KoshtorysError):
        pdf.to_pdf(tmp_path / "missing.xlsx", tmp_path)
    monkeypatch.setattr(pdf, "soffice_path", lambda: None)
    with pytest.raises(KoshtorysError, match="LibreOffice"):
        pdf.to_pdf(src, tmp_path)


def test_pdf_batches_keep_same_named_files_apart() -> None:
    from koshtorys.documents.pdf import _batches

    a, b, c = Path("/x/r.xlsx"), Path("/y/r.xlsx"), Path("/x/s.xlsx")
    assert _batches([a, b, c]) == [[a, c], [b]]


@needs_lo
def test_no_heading_is_left_at_the_foot_of_a_page(printed: list[tuple[Path, Path]],
                                                  tmp_path: Path) -> None:
    from cycle_docs import orphan_headings

    for xlsx, pdf in printed:
        stem = f"{xlsx.parent.name}_{pdf.stem}"
        shutil.copyfile(pdf, tmp_path / f"{stem}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(tmp_path / f"{stem}.pdf"),
                        str(tmp_path / stem)], check=True, capture_output=True, timeout=120)
        pages = sorted(tmp_path.glob(f"{stem}-*.png"),
                       key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        assert orphan_headings(pages) == [], xlsx.name
