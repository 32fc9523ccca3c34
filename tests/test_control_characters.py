"""Text pasted from Word brings control characters (its manual line break is U+000B,
Excel keeps it as ``_x000B_``). No XML part may hold one, so before this every document
command stopped with an internal error (openpyxl's IllegalCharacterError) on such a
cell. Now the text is read without them — a line break as a new line — and the warning
``control_characters`` says so at the cell; every document is made and is valid XML.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from fixtures_xlsx import sample_book
from hypothesis import given
from hypothesis import strategies as st
from test_validation import SERVICES, tables

from koshtorys import parts
from koshtorys.cli import main
from koshtorys.convert.cells import without_controls

# XML 1.0 allows tab, LF, CR and everything from U+0020: the rest below it is illegal
ILLEGAL = {chr(c) for c in range(0x20)} - {"\t", "\n", "\r"}


@given(st.text(alphabet=st.characters(max_codepoint=0x4FF), max_size=60))
def test_no_control_character_is_left_and_every_other_one_is_kept(text: str) -> None:
    clean, count = without_controls(text)
    assert not ILLEGAL & set(clean)
    assert count == sum(ch in ILLEGAL for ch in text)
    # what is neither a control, a line break, a hyphen nor a space comes through in
    # order (a text cell loses the spaces at its ends)
    def core(s: str) -> str:
        return "".join(ch for ch in s
                       if ch not in ILLEGAL and ch not in "\n-" and not ch.isspace())
    assert core(clean) == core(text)


def test_words_line_break_is_a_new_line_and_its_hyphen_a_hyphen() -> None:
    assert without_controls("Догляд\x0bвдома") == ("Догляд\nвдома", 1)
    assert without_controls("соціально\x1eпобутові\x07") == ("соціально-побутові", 2)
    assert without_controls("пере\x1fдача") == ("передача", 1)
    assert without_controls("без змін") == ("без змін", 0)


def test_a_service_name_with_a_control_character_is_read_with_a_warning() -> None:
    services = [SERVICES[0], ["S1", "Догляд\x0bвдома", "година", 100, 10, "0813104"],
                SERVICES[2]]
    r = parts.compute(tables(tblServices=services), only="costing")
    (c,) = [c for c in r.checks if c.code == "control_characters"]
    assert (c.severity, c.table, c.row, c.column) == ("warning", "tblServices", 4, "name")
    assert "кількість: 1" in c.message("uk") and "count: 1" in c.message("en")
    units = r.outputs["tblUnitCosts"].set_index("service_id")
    assert units.loc["S1", "name"] == "Догляд\nвдома"  # the row is computed


def _xml_texts(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist()
                       if n.endswith((".xml", ".rels")))


def test_every_document_is_made_from_text_pasted_from_word(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path, wb = sample_book(tmp_path)
    services, programs, settings = wb["Послуги"], wb["Програми"], wb["Налаштування"]
    assert services["A4"].value == "U01" and services["B3"].value == "Назва послуги"
    services["B4"] = "Догляд_x000B_вдома"  # as Excel stores U+000B
    assert programs["A3"].value == "КПКВК" and programs["A4"].value == "0813104"
    programs["C4"] = programs["C4"].value + "_x000B_Друга лінія_x0007_."
    (row,) = [r for r in settings.iter_rows(min_row=1) if r[0].value == "institution"]
    row[1].value = row[1].value + "_x0007_"
    where = f"Налаштування!{row[1].coordinate}"
    wb.save(path)
    assert "_x000B_" in _xml_texts(path)  # the file holds the escape, as Excel's would

    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    for cell in ("Послуги!B4", "Програми!C4", where):
        assert f"{cell}: текст містить невидимі керівні символи" in out

    docs = tmp_path / "docs"
    for command in (["tariff"], ["passport"], ["request"],
                    ["procurement", "--service", "U01"]):
        assert main([*command, str(path), "--outdir", str(docs)]) in (0, 1), command
        assert "внутрішня помилка" not in capsys.readouterr().err
    made = sorted(p.name for p in docs.glob("*.xlsx"))
    assert {"tariff_2026_U01.xlsx", "passport_2026_0813104.xlsx",
            "request_2026_0813104.xlsx", "procurement_2026_U01.xlsx"} <= set(made)
    for name in made:
        xml = _xml_texts(docs / name)
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]|_x00(0[0-8BCEF]|1[0-9A-F])_", xml), name
    tariff = openpyxl.load_workbook(docs / "tariff_2026_U01.xlsx").active
    assert any("Догляд\nвдома" in str(c.value) for r in tariff.iter_rows() for c in r)
