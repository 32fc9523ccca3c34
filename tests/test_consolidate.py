"""Consolidation of several institutions' workbooks, end to end on real files.

Workbooks are written with openpyxl (headers in either language, columns in another
order, a user's own column, Ukrainian enumeration values), consolidated by the command,
and the result read back with openpyxl, calamine and DuckDB. Expectations are computed
by hand from the rows put in.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.table import Table

from koshtorys.cli import main
from koshtorys.commands import consolidate as command
from koshtorys.commands.consolidate import consolidate_folder
from koshtorys.core import schema
from koshtorys.core.errors import KoshtorysError

VAR_KEYS = schema.table("tblVarianceSummary").column_keys
LABEL_UK = {"general": "загальний", "special": "спеціальний", "under": "недовиконання",
            "over": "перевиконання", "ok": "норма"}


def _var(kpkvk: object, plan: float, actual: float, flag: str = "under") -> dict[str, object]:
    return dict.fromkeys(VAR_KEYS) | {"kpkvk": kpkvk, "quarter": 2, "plan": plan,
                                      "actual": actual, "variance": actual - plan,
                                      "flag": flag}


class Formula(str):
    """A cell that is to hold a formula (openpyxl stores it with no calculated value)."""


def _add_table(ws: object, name: str, heads: list[str], rows: list[list[object]],
               top: int = 1) -> None:
    for j, h in enumerate(heads, start=1):
        ws.cell(top, j, h)  # type: ignore[attr-defined]
    for i, row in enumerate(rows, start=top + 1):
        for j, v in enumerate(row, start=1):
            cell = ws.cell(i, j, v)  # type: ignore[attr-defined]
            if isinstance(v, str) and v.startswith("=") and not isinstance(v, Formula):
                cell.data_type = "s"  # a text, as a user's typed name is
    last = top + max(len(rows), 1)
    ref = f"A{top}:{chr(ord('A') + len(heads) - 1)}{last}"
    ws.add_table(Table(displayName=name, ref=ref))  # type: ignore[attr-defined]


def program_book(path: Path, lang: str, settings: dict[str, object] | None,
                 tables: dict[str, list[dict]]) -> Path:
    """A workbook holding the given output tables, headers in ``lang``; enumeration values
    as that language's workbook writes them."""
    wb = Workbook()
    wb.remove(wb.active)
    if settings is not None:
        ws = wb.create_sheet(schema.sheet_name("tblSettings", lang))  # type: ignore[arg-type]
        _add_table(ws, "tblSettings", schema.table("tblSettings").headers(lang),  # type: ignore[arg-type]
                   [[k, v] for k, v in settings.items()], top=3)
    for name, rows in tables.items():
        t = schema.table(name)
        ws = wb.create_sheet(t.sheet(lang))  # type: ignore[arg-type]
        keys = list(reversed(t.column_keys))  # another order than the schema's
        heads = [t.column(k).header(lang) for k in keys] + ["Примітка"]  # type: ignore[arg-type]
        body = [[(LABEL_UK.get(r.get(k), r.get(k)) if lang == "uk" else r.get(k))
                 for k in keys] + ["моя примітка"] for r in rows]
        _add_table(ws, name, heads, body, top=3)
    wb.save(path)
    return path


@pytest.fixture
def books(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    program_book(folder / "a_tcso.xlsx", "uk",
                 {"institution": "ТЦСО Кремінна", "edrpou": "12345678", "plan_year": 2026}, {
        "tblVarianceSummary": [_var("0813104", 300.0, 250.0), _var("Разом", 300.0, 250.0)],
        "tblFundingSummary": [
            {"year": 2026, "need": 1000.10, "local": 600.05, "state": 0, "oblast": 0,
             "donor": 300.0, "other": 0, "gap": 100.05},
            {"year": 2027, "need": 500.0, "local": 500.0, "state": 0, "oblast": 0,
             "donor": 0, "other": 0, "gap": 0},
            {"year": "NPV", "need": 1400.0, "local": 1000.0, "state": 0, "oblast": 0,
             "donor": 300.0, "other": 0, "gap": 100.0},
        ],
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 1000.10},
                          {"kpkvk": "0813104", "kekv": "2120", "fund": "special",
                           "amount": 0.20}],
    })
    program_book(folder / "b_csss.xlsx", "en",
                 {"institution": "ЦСС Первомайський", "plan_year": 2026}, {
        # the code lost its leading zero (a number cell): it comes back as text
        "tblVarianceSummary": [_var(813121, 100.0, 120.0, "over"),
                               _var("Total", 100.0, 120.0, "over")],
        "tblFundingSummary": [
            {"year": "2026", "need": 2000.0, "local": 1000.0, "state": 500.20, "oblast": 0,
             "donor": 0, "other": 0, "gap": 499.80},
        ],
        "tblCostByKekv": [{"kpkvk": 813121, "kekv": 2111, "fund": "general", "amount": 50.5},
                          {"kpkvk": "0813121", "kekv": "2730", "fund": "special",
                           "amount": 7.25}],
    })
    program_book(folder / "c_partial.xlsx", "uk", None, {
        "tblCostByKekv": [{"kpkvk": "0813105", "kekv": "2240", "fund": "general",
                           "amount": 10.0}],
    })
    (folder / "d_corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    return folder


def _rows(path: Path, table: str) -> list[list[object]]:
    wb = load_workbook(path)
    for ws in wb.worksheets:
        if table in ws.tables:
            return [[c.value for c in r] for r in ws[ws.tables[table].ref]]
    raise AssertionError(f"no {table}")


def test_parquet_rows_carry_whose_they_are(books: Path, tmp_path: Path) -> None:
    out = consolidate_folder(books, tmp_path / "c.parquet")
    assert out.exit_code == 1  # c has no funding/variance, d is not a workbook
    v = pq.read_table(tmp_path / "c.parquet" / "tblConsVariance.parquet").to_pylist()
    # each institution's own total row is left out: sums over the rows stay right
    assert [(r["institution"], r["source_file"], r["kpkvk"], r["flag"]) for r in v] == [
        ("ТЦСО Кремінна", "a_tcso.xlsx", "0813104", "under"),
        ("ЦСС Первомайський", "b_csss.xlsx", "0813121", "over")]
    assert [r["variance"] for r in v] == [Decimal("-50.00"), Decimal("20.00")]
    assert v[0]["edrpou"] == "12345678" and v[1]["edrpou"] is None
    k = pq.read_table(tmp_path / "c.parquet" / "tblConsCostByKekv.parquet").to_pylist()
    assert [(r["kpkvk"], r["kekv"], r["fund"], r["amount"]) for r in k] == [
        ("0813104", "2111", "general", Decimal("1000.10")),
        ("0813104", "2120", "special", Decimal("0.20")),
        ("0813121", "2111", "general", Decimal("50.50")),
        ("0813121", "2730", "special", Decimal("7.25")),
        ("0813105", "2240", "general", Decimal("10.00"))]
    # a workbook without tblSettings is named after its file
    assert k[-1]["institution"] == "c_partial"


def test_files_are_listed_and_none_stops_the_others(books: Path, tmp_path: Path) -> None:
    out = consolidate_folder(books, tmp_path / "c.parquet", "en")
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    assert [(f["file"], f["kind"], f["status"]) for f in files] == [
        ("a_tcso.xlsx", "program", "ok"), ("b_csss.xlsx", "program", "ok"),
        ("c_partial.xlsx", "program", "warning"), ("d_corrupt.xlsx", None, "error")]
    assert "tblFundingSummary" in files[2]["message"]
    assert "d_corrupt.xlsx" in out.lines[-1] and "\n" not in files[3]["message"]
    assert out.lines[0] == f"consolidated 3 of 4 workbooks into {tmp_path / 'c.parquet'}"


def test_funding_totals_per_year_exact(books: Path, tmp_path: Path) -> None:
    consolidate_folder(books, tmp_path / "c.parquet")
    t = pq.read_table(tmp_path / "c.parquet" / "tblConsFundingTotals.parquet").to_pylist()
    # by hand: 2026 = a + b; 2027 = a only; the NPV rows are not summed
    assert [r["year"] for r in t] == [2026, 2027]
    assert t[0]["need"] == Decimal("3000.10") and t[0]["local"] == Decimal("1600.05")
    assert t[0]["state"] == Decimal("500.20") and t[0]["gap"] == Decimal("599.85")
    assert t[1]["need"] == Decimal("500.00")
    for r in t:
        sources = sum(r[s] for s in (*schema.SOURCES, "gap"))
        assert sources == r["need"]
    funding = pq.read_table(tmp_path / "c.parquet" / "tblConsFunding.parquet").to_pylist()
    assert [r["year"] for r in funding] == ["2026", "2027", "NPV", "2026"]


def test_duckdb_queries_the_dataset_as_it_is(books: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    consolidate_folder(books, tmp_path / "c.parquet")
    path = tmp_path / "c.parquet" / "tblConsCostByKekv.parquet"
    rows = duckdb.sql(f"SELECT fund, SUM(amount) AS total, typeof(SUM(amount)) FROM "
                      f"'{path}' GROUP BY fund ORDER BY fund").fetchall()
    # exact kopiykas: 1000.10 + 50.50 + 10.00 and 0.20 + 7.25
    assert rows == [("general", Decimal("1060.60"), "DECIMAL(38,2)"),
                    ("special", Decimal("7.45"), "DECIMAL(38,2)")]


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_written_workbook(books: Path, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "cons.xlsx"
    assert consolidate_folder(books, out, lang).exit_code == 1
    wb = load_workbook(out)
    tables = {t for ws in wb.worksheets for t in ws.tables}
    assert tables == {"tblConsVariance", "tblConsFunding", "tblConsCostByKekv",
                      "tblConsFundingTotals", "tblConsRequests", "tblConsCeilings",
                      "tblConsFiles"}
    kekv = _rows(out, "tblConsCostByKekv")
    assert kekv[0][:4] == (["Установа", "ЄДРПОУ", "Файл", "КПКВК"] if lang == "uk"
                           else ["institution", "edrpou", "source_file", "kpkvk"])
    assert [r[3] for r in kekv[1:]] == ["0813104", "0813104", "0813121", "0813121",
                                        "0813105"]
    funds = [r[5] for r in kekv[1:]]
    assert funds == ([LABEL_UK[f] for f in ("general", "special", "general", "special",
                                            "general")] if lang == "uk" else
                     ["general", "special", "general", "special", "general"])
    assert [r[6] for r in kekv[1:]] == [1000.1, 0.2, 50.5, 7.25, 10]
    files = _rows(out, "tblConsFiles")[1:]
    assert [r[4] for r in files] == (["враховано", "враховано", "із застереженням",
                                      "не враховано"] if lang == "uk"
                                     else ["ok", "ok", "warning", "error"])


def test_a_formula_as_a_name_is_written_as_text(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    evil = '=HYPERLINK("http://127.0.0.1/x","click")'
    program_book(folder / "a.xlsx", "uk", {"institution": evil}, {
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 1.0}]})
    out = tmp_path / "cons.xlsx"
    consolidate_folder(folder, out)
    wb = load_workbook(out)
    ws = next(ws for ws in wb.worksheets if "tblConsCostByKekv" in ws.tables)
    assert ws["A2"].value == evil and ws["A2"].data_type == "s"
    with zipfile.ZipFile(out) as z:
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in z.namelist()
                       if n.startswith("xl/worksheets/"))


def test_a_date_in_an_amount_is_not_read_as_money(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    program_book(folder / "a.xlsx", "en", {"institution": "A"}, {"tblCostByKekv": [
        {"kpkvk": "0813104", "kekv": "2111", "fund": "general", "amount": 5.0},
        {"kpkvk": "0813104", "kekv": "2120", "fund": "general",
         "amount": dt.datetime(2025, 5, 1)}]})
    out = consolidate_folder(folder, tmp_path / "c.parquet", "en")
    assert out.exit_code == 1
    k = pq.read_table(tmp_path / "c.parquet" / "tblConsCostByKekv.parquet").to_pylist()
    assert [r["kekv"] for r in k] == ["2111"]
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    assert files[0]["status"] == "warning" and "45778" in files[0]["message"]
    assert "CostByKekv!5:5" in files[0]["message"]  # the row it came from


def test_a_formula_without_a_value_goes_to_the_careful_reader(tmp_path: Path) -> None:
    # openpyxl stores formulas with no calculated value: calamine would see a blank
    folder = tmp_path / "in"
    folder.mkdir()
    program_book(folder / "a.xlsx", "en", {"institution": "A"}, {"tblCostByKekv": [
        {"kpkvk": "0813104", "kekv": "2111", "fund": "general", "amount": 5.0},
        {"kpkvk": "0813104", "kekv": "2120", "fund": "general", "amount": Formula("=1+1")}]})
    out = consolidate_folder(folder, tmp_path / "c.parquet", "en")
    assert out.exit_code == 1
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    k = pq.read_table(tmp_path / "c.parquet" / "tblConsCostByKekv.parquet").to_pylist()
    assert [r["kekv"] for r in k] == ["2111"]  # never a blank amount taken as nothing
    assert "CostByKekv!5:5" in files[0]["message"] and "formula" in files[0]["message"]


def test_a_zip_bomb_is_refused_before_it_inflates(books: Path, tmp_path: Path) -> None:
    bomb = books / "e_bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (8 * 2**20))  # ratio ≈ 1000
    consolidate_folder(books, tmp_path / "c.parquet", "en")
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    bad = next(f for f in files if f["file"] == "e_bomb.xlsx")
    assert bad["status"] == "error" and "past the limit" in bad["message"]


def test_a_file_that_is_neither_is_skipped_not_failed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    program_book(folder / "a.xlsx", "en", {"institution": "A"}, {
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 5.0}],
        "tblVarianceSummary": [_var("0813104", 1, 1)],
        "tblFundingSummary": [{"year": 2026, "need": 1, "local": 1}]})
    wb = Workbook()
    wb.active.append(["Паспорт бюджетної програми"])
    wb.save(folder / "passport_2026_0813104.xlsx")
    out = consolidate_folder(folder, tmp_path / "c.xlsx", "en")
    assert out.exit_code == 0
    assert any("passport_2026_0813104.xlsx" in line and "neither" in line
               for line in out.lines)


def test_an_xlsm_out_is_refused_with_one_line(books: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    assert main(["consolidate", str(books), "--out", str(tmp_path / "x.xlsm")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ".xlsm" in err[0] and ".xlsx" in err[0]
    assert not (tmp_path / "x.xlsm").exists()
    assert main(["consolidate", str(books), "--out", str(tmp_path / "x.csv")]) == 2


def test_more_rows_than_a_sheet_is_refused_naming_the_limit_and_parquet(
        books: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "EXCEL_ROWS", 4)  # a worksheet of 4 rows: 3 below a header
    with pytest.raises(KoshtorysError) as exc:
        consolidate_folder(books, tmp_path / "c.xlsx", "en")
    line = exc.value.message("en")
    assert "tblConsCostByKekv" in line and "4 rows" in line and "c.parquet" in line
    assert "\n" not in line and not (tmp_path / "c.xlsx").exists()
    assert consolidate_folder(books, tmp_path / "c.parquet").exit_code == 1  # still fine


def test_nothing_to_do_is_exit_two(tmp_path: Path) -> None:
    assert main(["consolidate", str(tmp_path / "none"), "--out",
                 str(tmp_path / "c.xlsx")]) == 2
    (tmp_path / "empty").mkdir()
    assert main(["consolidate", str(tmp_path / "empty"), "--out",
                 str(tmp_path / "c.xlsx")]) == 2


def test_the_parquet_folder_is_replaced_whole(books: Path, tmp_path: Path) -> None:
    target = tmp_path / "c.parquet"
    target.mkdir()
    (target / "stale.parquet").write_bytes(b"old")
    consolidate_folder(books, target)
    assert sorted(p.name for p in target.iterdir()) == sorted(
        f"{t}.parquet" for t in ("tblConsVariance", "tblConsFunding", "tblConsCostByKekv",
                                 "tblConsFundingTotals", "tblConsRequests",
                                 "tblConsCeilings", "tblConsFiles"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".~kosht")]


@pytest.mark.parametrize("lang, not_ours, broken", [
    ("en", "is not an Excel workbook", "damaged"), ("uk", "не книга Excel", "пошкоджена")])
def test_a_file_that_is_no_zip_is_not_a_workbook_and_a_cut_zip_is_damaged(
        tmp_path: Path, lang: str, not_ours: str, broken: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    program_book(folder / "a.xlsx", "en", {"institution": "A"}, {
        "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                           "amount": 5.0}]})
    (folder / "notes.xlsx").write_text("minutes of the meeting", encoding="utf-8")
    (folder / "empty.xlsx").write_bytes(b"")
    (folder / "cut.xlsx").write_bytes((folder / "a.xlsx").read_bytes()[:2000])
    out = consolidate_folder(folder, tmp_path / "c.parquet", lang)
    assert out.exit_code == 1
    said = {name: [line for line in out.lines if f"{name} —" in line]
            for name in ("notes.xlsx", "empty.xlsx", "cut.xlsx")}
    assert all(len(lines) == 1 for lines in said.values()), out.lines
    assert not_ours in said["notes.xlsx"][0] and not_ours in said["empty.xlsx"][0]
    assert broken in said["cut.xlsx"][0] and not_ours not in said["cut.xlsx"][0]


@pytest.mark.parametrize("lang, said", [("en", "consolidated 2 of 3"),
                                        ("uk", "зведено книг: 2 з 3")])
def test_the_consolidation_speaks_the_language_of_its_books(
        tmp_path: Path, lang: str, said: str, capsys: pytest.CaptureFixture) -> None:
    """With no --lang the lines and the output speak what most books' headers speak, not
    the machine's locale (Windows sets none); a refusal does not repeat the file name."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b"):
        program_book(folder / f"{name}.xlsx", lang, {"institution": name.upper()}, {
            "tblCostByKekv": [{"kpkvk": "0813104", "kekv": "2111", "fund": "general",
                               "amount": 5.0}]})
    (folder / "notes.xlsx").write_text("minutes of the meeting", encoding="utf-8")
    out = tmp_path / "c.xlsx"
    other = "uk" if lang == "en" else "en"
    assert main(["consolidate", str(folder), "--out", str(out)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(said)
    (notes,) = [line for line in lines if "notes.xlsx" in line]
    assert notes.count("notes.xlsx") == 1, notes
    heads = _rows(out, "tblConsCostByKekv")[0][:3]
    assert heads == (["Установа", "ЄДРПОУ", "Файл"] if lang == "uk"
                     else ["institution", "edrpou", "source_file"])
    # asked for, the other language wins
    assert main(["consolidate", str(folder), "--out", str(out), "--lang", other]) == 1
    assert capsys.readouterr().out.splitlines()[0].startswith(
        "зведено книг" if other == "uk" else "consolidated")


def _one(kpkvk: str, amount: float, year: int = 2026) -> dict[str, list[dict]]:
    return {"tblVarianceSummary": [_var(kpkvk, 300.0, 250.0)],
            "tblFundingSummary": [{"year": year, "need": amount, "local": amount, "state": 0,
                                   "oblast": 0, "donor": 0, "other": 0, "gap": 0}],
            "tblCostByKekv": [{"kpkvk": kpkvk, "kekv": "2111", "fund": "general",
                               "amount": amount}]}


def test_a_copy_of_a_workbook_is_not_counted_twice(tmp_path: Path) -> None:
    """"tcso (1).xlsx" beside "tcso.xlsx" (downloaded twice): the same institution, year
    and program would double the institution in every total."""
    folder = tmp_path / "in"
    folder.mkdir()
    who = {"institution": "ТЦСО", "edrpou": "12345678", "plan_year": 2026}
    program_book(folder / "tcso.xlsx", "uk", who, _one("0813104", 1000.0))
    program_book(folder / "tcso_copy.xlsx", "uk", who, _one("0813104", 1000.0))
    # the same institution's other program, and next year's workbook: both its own
    program_book(folder / "tcso_other.xlsx", "uk", who, _one("0813102", 20.0))
    program_book(folder / "tcso_2027.xlsx", "uk", who | {"plan_year": 2027},
                 _one("0813104", 300.0, 2027))
    out = consolidate_folder(folder, tmp_path / "c.parquet", "en")
    assert out.exit_code == 1
    files = pq.read_table(tmp_path / "c.parquet" / "tblConsFiles.parquet").to_pylist()
    assert [(f["file"], f["status"]) for f in files] == [
        ("tcso.xlsx", "ok"), ("tcso_2027.xlsx", "ok"), ("tcso_copy.xlsx", "error"),
        ("tcso_other.xlsx", "ok")]
    assert "the same institution, year and program as tcso.xlsx" in files[2]["message"]
    k = pq.read_table(tmp_path / "c.parquet" / "tblConsCostByKekv.parquet").to_pylist()
    assert sum(r["amount"] for r in k) == Decimal("1320.00")  # 1 000 + 20 + 300, once each
    t = pq.read_table(tmp_path / "c.parquet" / "tblConsFundingTotals.parquet").to_pylist()
    assert [(r["year"], r["need"]) for r in t] == [(2026, Decimal("1020.00")),
                                                   (2027, Decimal("300.00"))]


def test_a_workbook_never_refreshed_is_said_not_counted(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    """A new workbook's output tables hold one blank row: it used to be listed as counted
    ("враховано") while adding nothing to any total."""
    from koshtorys.samples import sample_frames
    from koshtorys.xlsx.template import build_workbook

    folder = tmp_path / "in"
    folder.mkdir()
    build_workbook(folder / "new.xlsx", "uk", sample_frames("pervomaiskyi"))
    program_book(folder / "done.xlsx", "uk", {"institution": "ТЦСО", "plan_year": 2026},
                 _one("0813104", 10.0))
    assert main(["consolidate", str(folder), "--out", str(tmp_path / "c.xlsx")]) == 1
    out = capsys.readouterr().out
    assert "зведено книг: 1 з 2" in out
    assert "new.xlsx — вихідні таблиці порожні (книгу не оновлено)" in out
    files = _rows(tmp_path / "c.xlsx", "tblConsFiles")
    assert [(r[0], r[4]) for r in files[1:]] == [("done.xlsx", "враховано"),
                                                 ("new.xlsx", "не враховано")]
