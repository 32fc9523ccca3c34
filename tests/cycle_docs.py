"""Shared by the tests of the cycle's documents (passport, report, tariff, procurement):
workbooks built from frames, the machine tables read back, pages rendered, and the
SPEC's arithmetic done independently with Fractions."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from fractions import Fraction
from pathlib import Path

import openpyxl
import pandas as pd

from koshtorys.xlsx.template import build_workbook

HAS_RENDER = shutil.which("soffice") is not None and shutil.which("pdftoppm") is not None


def half_up(x: Fraction) -> int:
    """Round half away from zero to an integer."""
    n = abs(x)
    whole = int(n)
    if n - whole >= Fraction(1, 2):
        whole += 1
    return whole if x >= 0 else -whole


def kop(x: float | str | Fraction) -> int:
    """Hryvnias to kopiykas, half away from zero."""
    return half_up(Fraction(str(x)) * 100 if not isinstance(x, Fraction) else x * 100)


def largest_remainder(total: int, weights: list[Fraction]) -> list[int]:
    """Split ``total`` by ``weights``: floors, then the units left to the largest
    remainders, ties to the earlier part (the SPEC's rule, written out again)."""
    s = sum(weights)
    if s <= 0:
        return [0] * len(weights)
    exact = [total * w / s for w in weights]
    floors = [int(e // 1) for e in exact]
    left = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def settings_frame(values: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"key": list(values), "value": pd.Series(list(values.values()),
                                                                  dtype=object)})


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows).astype(object)


def workbook(path: Path, frames: dict[str, pd.DataFrame]) -> Path:
    """A real program workbook (the template) holding ``frames``."""
    build_workbook(path, lang="uk", sample=frames)
    return path


SETTINGS = {"institution": "Кропивницький міський центр соціальних служб",
            "edrpou": "43217655", "budget_code": "11201100000",
            "hromada": "Кропивницька міська територіальна громада",
            "plan_year": 2026, "execution_year": 2025, "esv_rate": 0.22, "min_wage": 8647.0,
            "indirect_base": "direct_labor", "vat_rate": 0.0, "rounding": 0}


def purchase_frames() -> dict[str, pd.DataFrame]:
    """One service bought through Prozorro, costed so that 2 064 person-hours cost
    249 744 UAH: labor 12 000 × 12 × 1.22 = 175 680, materials 24 000, premises 50 064."""
    return {
        "tblSettings": settings_frame(SETTINGS),
        "tblServices": frame([{"service_id": "SP01", "name": "Соціальна профілактика осіб у "
                               "складних життєвих обставинах (клієнти пробації)",
                               "unit": "людино-година", "planned_units": 2064.0,
                               "planned_recipients": 258.0, "kpkvk": "0813121"}]),
        "tblStaff": frame([{"position_id": "P1", "title": "Фахівець із соціальної роботи",
                            "category": "direct", "fte": 1.0, "monthly_pay": 12000.0,
                            "months": 12, "kpkvk": "0813121"}]),
        "tblTime": frame([{"position_id": "P1", "service_id": "SP01", "share": 1.0}]),
        "tblCosts": frame([
            {"kekv": "2210", "description": "Матеріали для групових занять", "amount": 24000.0,
             "service_id": "SP01", "kpkvk": "0813121", "fund": "general"},
            {"kekv": "2240", "description": "Оренда приміщення", "amount": 50064.0,
             "service_id": None, "kpkvk": "0813121", "fund": "general"}]),
    }


def machine_table(path: Path, name: str) -> dict[tuple[str, str], object]:
    """(section, item) → amount of the machine table ``name`` of a document."""
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        if name in ws.tables:
            rows = [[c.value for c in r] for r in ws[ws.tables[name].ref]]
            head = rows[0]
            assert head == ["section", "item", "year", "amount"], head
            return {(r[0], r[1]): r[3] for r in rows[1:] if r[0] is not None}
    raise AssertionError(f"{path.name} has no table {name}")


def no_formulas_no_macros(path: Path) -> None:
    """Documents hold values: no formula cell, no VBA part; the machine sheet is hidden."""
    assert not any("vbaProject" in n for n in zipfile.ZipFile(path).namelist())
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate} holds a formula"
    data = [ws for ws in wb.worksheets if ws.tables]
    assert data and all(ws.sheet_state == "hidden" for ws in data)
    assert wb.worksheets[0].sheet_state == "visible" and not wb.worksheets[0].tables


def render(path: Path, outdir: Path) -> tuple[list[Path], str]:
    """The PDF's pages as PNGs (70 dpi) and the PDF's text."""
    from koshtorys.documents.pdf import to_pdf

    pdf = to_pdf(path, outdir)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(outdir / pdf.stem)],
                   check=True, capture_output=True, timeout=120)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, timeout=60, text=True).stdout
    return sorted(outdir.glob(f"{pdf.stem}*.png")), text


def assert_printed(pages: list[Path], text: str, landscape: bool) -> None:
    """Every page has ink, the orientation is the form's, the machine table is not
    printed, no cell overflowed into ###."""
    from PIL import Image

    assert pages
    for p in pages:
        img = Image.open(p).convert("L")
        assert img.getextrema()[0] < 128, p.name
        assert (img.width > img.height) == landscape, p.name
    assert "section" not in text and "tblTariff" not in text and "###" not in text
    assert orphan_headings(pages) == []


def orphan_headings(pages: list[Path]) -> list[str]:
    """Numbered section headings («10. Узагальнений висновок…») printed at the foot of a
    page with nothing of theirs under them: the heading is the page's last text and no
    ink (a table's or a box's border) lies between it and the page number. Word positions
    from ``pdftotext -bbox``, ink from the page images ``render`` made."""
    from PIL import Image

    pdf = pages[0].with_name(pages[0].stem.rsplit("-", 1)[0] + ".pdf")
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True,
                          capture_output=True, timeout=60, text=True).stdout
    found = []
    for png, page in zip(pages[:-1], html.split("<page ")[1:-1], strict=False):
        height = float(re.search(r'height="([\d.]+)"', page).group(1))  # type: ignore[union-attr]
        words = [(float(y0), float(y1), w) for y0, y1, w in
                 re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', page)]
        footer = [w for w in words if re.fullmatch(r"\d+\s*/\s*\d+|/|\d+", w[2])
                  and w[0] > height * 0.9]
        body = [w for w in words if w not in footer]
        if not body:
            continue
        last_y = max(w[0] for w in body)
        line = " ".join(w[2] for w in body if w[0] > last_y - 2)
        if not re.match(r"\d+(\.\d+)*\.\s+\w", line) or re.search(r":\s+\w", line):
            continue  # not a heading, or one that states its content («6.4. …: не передбачається.»)
        img = Image.open(png).convert("L")
        k = img.height / height
        top = int((max(w[1] for w in body if w[0] > last_y - 2) + 3) * k)
        bottom = int((min((w[0] for w in footer), default=height * 0.95) - 3) * k)
        ink = any(img.getpixel((x, y)) < 128 for y in range(top, max(bottom, top))
                  for x in range(img.width))
        if not ink:
            found.append(line)
    return found
