"""Consolidation of several institutions' workbooks (Ukrainian and English headers)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.errors import WorkbookError
from koshtorys.documents.request_sheet import add_excel_table
from koshtorys.engine.consolidate import TABLES_READ, consolidate, write_consolidation

VAR_KEYS = schema.table("tblVarianceSummary").column_keys


def _var(kpkvk: object, plan: float, actual: float) -> dict[str, object]:
    return dict.fromkeys(VAR_KEYS) | {"kpkvk": kpkvk, "quarter": 2, "plan": plan,
                                      "actual": actual, "variance": actual - plan}


def _book(path: Path, lang: str, institution: str | None, tables: dict[str, list[dict]]) -> Path:
    """A workbook holding the given output tables, headers in ``lang``."""
    wb = Workbook()
    wb.remove(wb.active)
    if institution is not None:
        ws = wb.create_sheet(schema.sheet_name("tblSettings", lang))  # type: ignore[arg-type]
        add_excel_table(ws, "tblSettings", schema.table("tblSettings").headers(lang),  # type: ignore[arg-type]
                        [["institution", institution], ["plan_year", 2026]])
    for name, rows in tables.items():
        t = schema.table(name)
        ws = wb.create_sheet(t.sheet(lang))  # type: ignore[arg-type]
        # columns in a different order than the schema, plus a user's own column
        keys = list(reversed(t.column_keys))
        heads = [t.column(k).header(lang) for k in keys] + ["Примітка"]  # type: ignore[arg-type]
        add_excel_table(ws, name, heads, [[r.get(k) for k in keys] + ["x"] for r in rows])
    wb.save(path)
    return path


def read_with_openpyxl(path: Path) -> dict[str, RawTable]:
    """A stand-in for the file adapter: tables by name, library errors wrapped."""
    try:
        wb = load_workbook(path, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise WorkbookError(f"{path.name}: not a readable workbook ({exc})") from exc
    out = {}
    for ws in wb.worksheets:
        for t in ws.tables.values():
            name = t.name
            if name in TABLES_READ:
                cells = [[c.value for c in row] for row in ws[t.ref]]
                out[name] = RawTable(name, ws.title, [str(h) for h in cells[0]], cells[1:])
    return out


@pytest.fixture
def books(tmp_path: Path) -> list[Path]:
    a = _book(tmp_path / "a_tcso.xlsx", "uk", "ТЦСО Кремінна", {
        "tblVarianceSummary": [_var("0813104", 300.0, 250.0), _var("Разом", 300.0, 250.0)],
        "tblFundingSummary": [
            {"year": 2026, "need": 1000.10, "local": 600.05, "state": 0, "oblast": 0,
             "donor": 300.0, "gap": 100.05},
            {"year": 2027, "need": 500.0, "local": 500.0, "state": 0, "oblast": 0,
             "donor": 0, "gap": 0},
            {"year": "NPV", "need": 1400.0, "local": 1000.0, "state": 0, "oblast": 0,
             "donor": 300.0, "gap": 100.0},
        ],
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 1000.0}],
    })
    b = _book(tmp_path / "b_csss.xlsx", "en", "ЦСС Первомайський", {
        # the code lost its leading zero (a number cell): it comes back as text
        "tblVarianceSummary": [_var(813121, 100.0, 120.0), _var("Total", 100.0, 120.0)],
        "tblFundingSummary": [
            {"year": "2026", "need": 2000.0, "local": 1000.0, "state": 500.20, "oblast": 0,
             "donor": 0, "gap": 499.80},
        ],
        "tblCostByKekv": [{"kpkvk": 813121, "kekv": 2111, "fund": "general", "amount": 50.5},
                          {"kpkvk": "0813121", "kekv": "2730", "fund": "special",
                           "amount": 7.25}],
    })
    c = _book(tmp_path / "c_partial.xlsx", "uk", None, {
        "tblCostByKekv": [{"kpkvk": "0813105", "kekv": "2240", "fund": "general",
                           "amount": 10.0}],
    })
    bad = tmp_path / "d_corrupt.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    return [a, b, c, bad]


def test_rows_carry_institution_and_file(books: list[Path]) -> None:
    c = consolidate(books, read_with_openpyxl)
    v = c.variance
    assert v["institution"].tolist() == ["ТЦСО Кремінна"] * 2 + ["ЦСС Первомайський"] * 2
    assert v["source_file"].tolist() == ["a_tcso.xlsx"] * 2 + ["b_csss.xlsx"] * 2
    assert v["kpkvk"].tolist() == ["0813104", "Разом", "0813121", "Total"]
    assert v["variance"].tolist() == [-50.0, -50.0, 20.0, 20.0]
    k = c.cost_by_kekv
    assert k["kpkvk"].tolist() == ["0813104", "0813121", "0813121", "0813105"]
    assert k["kekv"].tolist() == ["2111", "2111", "2730", "2240"]
    # a workbook without tblSettings is named after its file
    assert k["institution"].tolist()[-1] == "c_partial"


def test_corrupt_and_partial_files_are_listed_not_fatal(books: list[Path]) -> None:
    c = consolidate(books, read_with_openpyxl)
    status = {f.file: f.status for f in c.files}
    assert status == {"a_tcso.xlsx": "ok", "b_csss.xlsx": "ok", "c_partial.xlsx": "warning",
                      "d_corrupt.xlsx": "error"}
    assert [p.file for p in c.problems] == ["c_partial.xlsx", "d_corrupt.xlsx"]
    assert "tblFundingSummary" in c.problems[0].message
    assert c.problems[1].message and "\n" not in c.problems[1].message


def test_funding_totals_across_institutions_tie(books: list[Path]) -> None:
    c = consolidate(books, read_with_openpyxl)
    t = c.funding_totals.set_index("year")
    assert t.index.tolist() == [2026, 2027]  # the NPV row is not summed
    assert t.loc[2026].tolist() == [3000.10, 1600.05, 500.20, 0.0, 300.0, 0.0, 599.85]
    assert t.loc[2027].tolist() == [500.0, 500.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    per_inst = c.funding[c.funding["year"] == 2026]
    for col in ("need", "local", "state", "oblast", "donor", "gap"):
        assert round(per_inst[col].sum(), 2) == t.loc[2026, col]
    # sources plus gap still equal the need in the totals
    for y in t.index:
        row = t.loc[y]
        assert round(row[["local", "state", "oblast", "donor", "gap"]].sum(), 2) == row["need"]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_written_workbook(books: list[Path], tmp_path: Path, lang: str) -> None:
    c = consolidate(books, read_with_openpyxl)
    out = write_consolidation(c, tmp_path / "cons.xlsx", lang=lang)  # type: ignore[arg-type]
    wb = load_workbook(out)
    tables = {t.name: (ws, t) for ws in wb.worksheets for t in ws.tables.values()}
    assert set(tables) == {"tblConsVariance", "tblConsFunding", "tblConsCostByKekv",
                           "tblConsFiles"}

    def rows(name: str) -> list[list[object]]:
        ws, t = tables[name]
        return [[cell.value for cell in r] for r in ws[t.ref]]

    fund = rows("tblConsFunding")
    head = fund[0]
    assert head[:3] == (["Установа", "Файл", "Рік"] if lang == "uk"
                        else ["institution", "source_file", "year"])
    total = "Усього" if lang == "uk" else "Total"
    totals = [r for r in fund[1:] if r[0] == total]
    assert [r[2] for r in totals] == [2026, 2027]
    need_2026 = sum(r[3] for r in fund[1:] if r[0] != total and r[2] == 2026)
    assert round(need_2026, 2) == totals[0][3] == 3000.10
    files = rows("tblConsFiles")[1:]
    assert [r[2] for r in files] == ["ok", "ok", "warning", "error"]
    kekv = rows("tblConsCostByKekv")[1:]
    assert [r[2] for r in kekv] == ["0813104", "0813121", "0813121", "0813105"]


def test_no_files_gives_empty_tables(tmp_path: Path) -> None:
    c = consolidate([], read_with_openpyxl)
    assert c.variance.empty and c.funding_totals.empty and c.files == []
    out = write_consolidation(c, tmp_path / "empty.xlsx")
    assert {n for ws in load_workbook(out).worksheets for n in ws.tables} == {
        "tblConsVariance", "tblConsFunding", "tblConsCostByKekv", "tblConsFiles"}


def test_with_the_file_adapter_when_present(books: list[Path]) -> None:
    try:
        from koshtorys.xlsx import FileBook
    except ImportError:
        pytest.skip("the file adapter is not there yet")

    def read(path: Path) -> dict[str, RawTable]:
        return FileBook.open(path).read_tables(TABLES_READ)

    c = consolidate(books, read)
    assert [f.status for f in c.files] == ["ok", "ok", "warning", "error"]
    assert c.funding_totals.set_index("year").loc[2026, "need"] == 3000.10
