"""Every document command on a workbook a user has broken: never a traceback.

A few cells of the Pervomaiskyi sample are set to what people paste or mistype (texts in
amounts, dates, text that starts like a formula, Word's control characters, 40 000
characters, wrong codes, ids in other case); each document command then ends with exit
0, 1 or 2 and its own words — never "internal error". Seeded, so a failure replays.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from fixtures_xlsx import sample_book

from koshtorys.cli import main

JUNK = [None, "", " ", "abc", "=1+1", "+38", "-", "0", 0, -5, 1e20, 3.5, "1,200", "12 грн",
        dt.date(2026, 1, 5), "U01", "u01", "0813104", "3104", "2111", "загальний", "special",
        "Догляд_x000B_вдома", "x" * 40_000, 2025, 2030, "50%", 7, True]
SHEETS = ["Послуги", "Штат", "Час", "Видатки", "План", "Факт", "Потреби", "Джерела",
          "Програми", "Історія", "Граничні обсяги", "Налаштування"]
TEXTS = ["=1+1", "+38", "-", "@x", "Догляд_x000B_вдома", "Мета_x0007_", "x" * 40_000, "  "]
PRINTED = [("Послуги", "B4"), ("Послуги", "C5"), ("Програми", "C4"), ("Програми", "D5"),
           ("Програми", "E4"), ("Налаштування", "B4")]
"""Text cells the documents print: one of them always gets a pasted or mistyped text."""
COMMANDS = [["check"], ["request"], ["passport"], ["passport", "--report"], ["tariff"],
            ["procurement", "--service", "U01"]]


@pytest.mark.parametrize("seed", range(8))
def test_document_commands_on_a_broken_workbook_speak_not_crash(
        tmp_path: Path, seed: int, capsys: pytest.CaptureFixture) -> None:
    rnd = random.Random(seed)
    path, wb = sample_book(tmp_path)
    sheet, cell = rnd.choice(PRINTED)
    wb[sheet][cell] = rnd.choice(TEXTS)
    edits = [(sheet, cell, repr(wb[sheet][cell].value)[:20])]
    for _ in range(rnd.randint(1, 5)):
        ws = wb[rnd.choice(SHEETS)]
        row, col = rnd.randint(4, min(ws.max_row, 20)), rnd.randint(1, min(ws.max_column, 15))
        value = rnd.choice(JUNK)
        ws.cell(row, col).value = value
        edits.append((ws.title, ws.cell(row, col).coordinate, repr(value)[:20]))
    wb.save(path)
    for command in COMMANDS:
        extra = [] if command == ["check"] else ["--outdir", str(tmp_path / "out")]
        code = main([command[0], str(path), *command[1:], *extra])
        err = capsys.readouterr().err
        assert code in (0, 1, 2), (command, edits)
        assert "внутрішня помилка" not in err and "internal error" not in err, (command, edits)
