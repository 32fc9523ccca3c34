"""The live-workbook adapter and the ribbon macros, driven through a fake xlwings book."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from fake_xlwings import FakeBook, FakeError

from koshtorys import parts
from koshtorys.addin import macros
from koshtorys.addin.live import LiveBook, excel_value
from koshtorys.commands import refresh as commands_refresh
from koshtorys.core import schema
from koshtorys.core.book import CellError, MemoryBook, frame_rows
from koshtorys.samples import sample_frames

INPUTS = [t.name for t in schema.INPUT_TABLES]


def fake_workbook(frames: dict[str, pd.DataFrame], lang: str = "uk",
                  origin: tuple[int, int] = (3, 2), outputs: bool = True,
                  fullname: str = "Book1") -> FakeBook:
    """A book laid out like the template: each table on its sheet, the first header at
    ``origin``, tables sharing a sheet side by side."""
    book = FakeBook(fullname)
    right: dict[str, int] = {}

    def put(name: str, headers: list[str], rows: list[list[object]]) -> None:
        sheet = book.sheet(schema.table(name).sheet(lang))  # type: ignore[arg-type]
        left = right.get(sheet.name, origin[1])
        sheet.put_table(name, headers, rows, origin[0], left)
        right[sheet.name] = left + len(headers) + 1

    for name, df in frames.items():
        t = schema.table(name)
        put(name, [t.column(k).header(lang) for k in df.columns],  # type: ignore[arg-type]
            frame_rows(df, list(df.columns)))
    if outputs:
        for t in schema.OUTPUT_TABLES:
            put(t.name, t.headers(lang), [])  # type: ignore[arg-type]
    book.log.clear()
    return book


def expected_outputs(frames: dict[str, pd.DataFrame], lang: str = "uk",
                     only: str | None = None) -> tuple[dict[str, pd.DataFrame], int]:
    mem = MemoryBook.from_frames(frames, lang)  # type: ignore[arg-type]
    result = commands_refresh.refresh(mem, only=only)
    return mem.written, result.exit_code


def table_rows(book: FakeBook, name: str) -> list[list[object]]:
    _, rows = book.table_values(name)
    return [r for r in rows if any(v is not None for v in r)]


def scaled_frames(n: int) -> dict[str, pd.DataFrame]:
    """The sample with ``n`` rows in tblServices, tblTime, tblPlan and tblActuals (without
    its tblProgramTotals: the sample's deliberate mismatch names cells whose place
    depends on where the fake workbook puts its tables, which is not what is tested)."""
    f = sample_frames()
    del f["tblProgramTotals"]
    f["tblServices"] = pd.DataFrame({
        "service_id": [f"S{i}" for i in range(n)], "name": [f"Послуга {i}" for i in range(n)],
        "unit": "година", "planned_units": [100.0 + i for i in range(n)],
        "planned_recipients": 5.0, "kpkvk": "0813104"})
    posts = f["tblStaff"].loc[f["tblStaff"]["category"] == "direct", "position_id"].tolist()
    direct, others = posts[0], posts[1:]
    f["tblTime"] = pd.DataFrame({  # every direct post has time (else a check whose place
        # depends on the fake workbook's layout): the first on every service
        "position_id": [direct] * n + others,
        "service_id": [f"S{i}" for i in range(n)] + ["S0"] * len(others),
        "share": [0.8 / n] * n + [0.5] * len(others)})
    f["tblCosts"] = f["tblCosts"].assign(service_id=None)
    months = {m: [1000.0 + i for i in range(n)] for m in schema.MONTHS}
    # distinct keys: 990 КПКВК (a main spending unit's code is 01–99: 0103104 … 9993104)
    # × two funds × two КЕКВ
    keys = {"kpkvk": [f"{10 + i % 990:03d}3104" for i in range(n)],
            "kekv": ["2111" if i < 1980 else "2120" for i in range(n)],
            "fund": ["general" if (i // 990) % 2 == 0 else "special" for i in range(n)]}
    f["tblPlan"] = pd.DataFrame({**keys, **months})
    actual = {m: (v if m <= "m06" else [None] * n) for m, v in months.items()}
    f["tblActuals"] = pd.DataFrame({**keys, **actual})
    return f


# --- reading ------------------------------------------------------------------------------


def test_read_builds_raw_tables_pointing_at_cells() -> None:
    frames = sample_frames()
    book = fake_workbook(frames, origin=(3, 2))
    live = LiveBook(book)
    raw = live.read_tables(["tblStaff", "tblNoSuchTable"])
    assert list(raw) == ["tblStaff"]
    staff = raw["tblStaff"]
    assert staff.sheet == "Штат" and staff.header_row == 3 and staff.first_col == 2
    assert staff.headers == schema.table("tblStaff").headers("uk")
    assert len(staff.rows) == len(frames["tblStaff"])
    assert staff.cell(0, 4) == "Штат!F4"  # first data row, fifth column (monthly_pay)
    assert len(book.accesses("read")) == 1


def test_language_reads_settings_once_and_reuses_it() -> None:
    book = fake_workbook(sample_frames(), lang="en")
    live = LiveBook(book)
    assert live.language() == "en"
    live.read_tables(["tblSettings", "tblServices"])
    assert len(book.accesses_of("tblSettings", "read")) == 1
    assert LiveBook(fake_workbook(sample_frames(), lang="uk")).language() == "uk"
    assert LiveBook(FakeBook()).language() == "uk"  # nothing tells: Ukrainian


def test_error_cells_become_checks_at_their_address() -> None:
    book = fake_workbook(sample_frames(), origin=(3, 2))
    staff = book.table("tblStaff")
    staff.sheet.cells[(5, 6)] = FakeError("#DIV/0!")  # second post's monthly_pay (F5)
    live = LiveBook(book)
    assert live.read_tables(["tblStaff"])["tblStaff"].rows[1][4] == CellError("#DIV/0!")
    result = commands_refresh.check(live)
    where = [c.message("uk") for c in result.checks if c.table == "tblStaff" and c.row == 5]
    assert where and "Штат!F5" in where[0]


# --- refresh: one read per input table, one write per output table ------------------------


@pytest.mark.parametrize(("n", "lang"), [(10, "en"), (2000, "uk")])
def test_refresh_reads_each_input_once_and_writes_each_output_once(n: int, lang: str) -> None:
    frames = scaled_frames(n)
    book = fake_workbook(frames, lang=lang)
    live = LiveBook(book)
    result = commands_refresh.refresh(live)
    expected, code = expected_outputs(frames, lang)
    assert result.exit_code == code
    assert set(expected) >= {"tblUnitCosts", "tblVariance", "tblFundingSplit", "tblChecks"}

    for name in frames:  # each input table: exactly one read, of its whole range
        t = book.table(name)
        reads = book.accesses_of(name, "read")
        assert [(a.top, a.left, a.bottom, a.right) for a in reads] == [
            (t.top, t.left, t.bottom, t.right)], name
    for name in expected:  # each output table: its header row read, one write of its body
        t = book.table(name)
        header_reads = [a for a in book.accesses_of(name, "read") if a.top == a.bottom == t.top]
        assert len(header_reads) == 1, name
        assert len(book.accesses_of(name, "write")) == 1, name
    assert len(book.accesses("read")) == len(frames) + len(expected)
    assert len(book.accesses("write")) == len(expected)
    assert not book.accesses("clear")

    for name, df in expected.items():
        keys = schema.table(name).column_keys
        assert table_rows(book, name) == frame_rows(df, keys), name
    assert len(table_rows(book, "tblVariance")) > 0


def test_written_values_keep_codes_and_blanks() -> None:
    frames = sample_frames()
    book = fake_workbook(frames)
    commands_refresh.refresh(LiveBook(book))
    by_kekv = table_rows(book, "tblCostByKekv")
    assert by_kekv and all(isinstance(r[0], str) and len(r[0]) == 7 for r in by_kekv)
    assert any(r[0].startswith("0") for r in by_kekv)  # "0813104", not 813104.0
    assert all(isinstance(r[1], str) and len(r[1]) == 4 for r in by_kekv)
    for rows in (table_rows(book, n) for n in ("tblUnitCosts", "tblVariance")):
        assert not any(isinstance(v, float) and v != v for r in rows for v in r)  # no NaN


def test_codes_in_text_formatted_cells_get_no_apostrophe() -> None:
    """The template formats code columns as Text: there an apostrophe would stay visible."""
    frames = sample_frames()
    book = fake_workbook(frames, origin=(1, 1))
    sheet = book.table("tblCostByKekv").sheet
    for r in range(2, 60):
        sheet.formats[(r, 1)] = "@"  # kpkvk, as the template prepares it
    commands_refresh.refresh(LiveBook(book))
    rows = table_rows(book, "tblCostByKekv")
    assert rows and all(r[0] == r[0].strip("'") and len(r[0]) == 7 for r in rows)
    assert all(sheet.formats.get((r, 2)) == "@" for r in range(2, 2 + len(rows)))  # kekv too


def test_table_shrinks_and_leftover_rows_are_cleared() -> None:
    frames = sample_frames()
    book = fake_workbook(frames, origin=(1, 1))
    variance = book.table("tblVariance")
    junk = [["x"] * 15 for _ in range(400)]
    variance.sheet.put_table("old", ["h"] * 15, junk)  # the junk cells, then drop that table
    variance.sheet.tables._tables.pop()
    variance.bottom = 401
    variance.empty = False
    book.log.clear()
    commands_refresh.refresh(LiveBook(book))
    expected, _ = expected_outputs(frames)
    n = len(expected["tblVariance"])
    assert variance.bottom == 1 + n
    below = variance.sheet.block(n + 2, 1, 401, 15)
    assert all(v is None for row in below for v in row)
    assert len(book.accesses_of("tblVariance", "write")) == 1


def test_missing_output_table_gets_a_new_sheet() -> None:
    frames = sample_frames()
    book = fake_workbook(frames, outputs=False)
    book.sheet("Вартість послуг")  # the sheet name is taken, the table is not there
    active = book.sheets.active
    commands_refresh.refresh(LiveBook(book))
    unit = book.table("tblUnitCosts")
    assert unit.sheet.name == "Вартість послуг (2)"
    headers, _ = book.table_values("tblUnitCosts")
    assert headers == schema.table("tblUnitCosts").headers("uk")
    assert book.table("tblChecks").sheet.name == "Перевірка"
    assert len(book.accesses_of("tblUnitCosts", "write")) == 1
    assert unit.sheet.formats[(2, 7)] == schema.table("tblUnitCosts").column("direct_labor").fmt
    assert book.sheets.active is active  # the user's sheet stays in front
    expected, _ = expected_outputs(frames)
    assert table_rows(book, "tblUnitCosts") == frame_rows(
        expected["tblUnitCosts"], schema.table("tblUnitCosts").column_keys)


def test_user_column_inside_an_output_table_is_kept() -> None:
    frames = sample_frames()
    book = fake_workbook(frames, outputs=False, origin=(1, 1))
    t = schema.table("tblUnitCosts")
    headers = t.headers("uk")
    headers = headers[:3] + ["Примітка"] + headers[3:]
    notes = [[None] * 3 + [f"нотатка {i}"] + [None] * 14 for i in range(30)]
    book.sheet(t.sheet("uk")).put_table("tblUnitCosts", headers, notes)
    book.log.clear()
    commands_refresh.refresh(LiveBook(book))
    _, rows = book.table_values("tblUnitCosts")
    expected, _ = expected_outputs(frames)
    want = frame_rows(expected["tblUnitCosts"], t.column_keys)
    assert [r[:3] + r[4:] for r in rows] == want
    assert [r[3] for r in rows] == [f"нотатка {i}" for i in range(len(want))]
    assert len(book.accesses_of("tblUnitCosts", "write")) == 2  # around the user column
    sheet = book.table("tblUnitCosts").sheet
    assert all(sheet.cells.get((r, c)) is None for r in range(len(want) + 2, 32)
               for c in range(1, 19))  # leftover rows cleared, notes included


def test_excel_value_protects_text_excel_would_reinterpret() -> None:
    assert excel_value("0813104") == "'0813104"
    assert excel_value("2111") == "'2111"
    assert excel_value("=SUM(A1)") == "'=SUM(A1)"
    assert excel_value("1/2") == "'1/2"
    assert excel_value("Догляд вдома") == "Догляд вдома"
    assert excel_value(12.5) == 12.5 and excel_value(None) is None and excel_value("") == ""


def test_update_table_keeps_formulas_and_appends_rows() -> None:
    frames = sample_frames()
    book = fake_workbook(frames, origin=(1, 1))
    actuals = book.table("tblActuals")
    sheet = actuals.sheet
    sheet.formulas[(2, 5)] = "=1+1"  # row 1 (first data row), m02
    live = LiveBook(book)
    live.read_tables(["tblActuals"])
    book.log.clear()
    before_rows = actuals.bottom - actuals.top
    live.update_table("tblActuals", {(0, "m01"): 111.0, (1, "m03"): 333.0},
                      [{"kpkvk": "0813104", "kekv": "2800", "fund": "general", "m01": 5.0}])
    assert sheet.cells[(2, 4)] == 111.0 and sheet.cells[(3, 6)] == 333.0
    assert sheet.formulas[(2, 5)] == "=1+1"
    assert actuals.bottom - actuals.top == before_rows + 1
    new = sheet.block(actuals.bottom, 1, actuals.bottom, 4)[0]
    assert new == ["0813104", "2800", "general", 5.0]
    assert len(book.accesses("formula_read")) == 1 and len(book.accesses("formula_write")) == 1
    assert len(book.accesses("write")) == 1


# --- the ribbon macros ------------------------------------------------------------------


def test_refresh_macro_writes_and_gives_the_status_bar_back() -> None:
    frames = sample_frames()
    book = fake_workbook(frames)
    expected, code = expected_outputs(frames)
    assert macros.refresh(book) == code
    assert table_rows(book, "tblUnitCosts") == frame_rows(
        expected["tblUnitCosts"], schema.table("tblUnitCosts").column_keys)
    texts = [s for s in book.app.status_history if isinstance(s, str)]
    assert any("Кошторис" in s for s in texts)
    assert book.app.status_history[-1] is False
    assert book.app.screen_updating is True
    assert bool(book.app.alerts) == (code == 1)


def test_part_macros_write_only_their_tables() -> None:
    outputs = {t.name for t in schema.OUTPUT_TABLES}
    for fn, main in ((macros.costing, "tblUnitCosts"), (macros.execution, "tblVariance"),
                     (macros.funding, "tblFundingSplit")):
        tables = set(parts.PARTS[fn.__name__].writes) & outputs
        assert main in tables
        book = fake_workbook(sample_frames())
        fn(book)
        written = {name for name in outputs if book.accesses_of(name, "write")}
        assert written == tables | {"tblChecks"}, fn.__name__


def test_check_macro_writes_only_checks_and_says_so() -> None:
    book = fake_workbook(sample_frames())
    macros.check(book)
    written = {t.name for t in schema.OUTPUT_TABLES if book.accesses_of(t.name, "write")}
    assert written == {"tblChecks"}
    assert len(book.app.alerts) == 1 and "Перевірка" in book.app.alerts[0]["prompt"]


def test_a_renamed_table_is_named_in_excel_too() -> None:
    """The user renamed tblStaff «Таблиця1» in Excel: the check names it, not 'missing'."""
    book = fake_workbook(sample_frames())
    staff = next(t for s in book.sheets for t in s.tables if t.name == "tblStaff")
    staff.name = "Таблиця1"
    result = parts.evaluate(LiveBook(book))
    errors = [c for c in result.checks if c.severity == "error"
              and c.code != "program_total_mismatch"]  # the Kreminna sample's own
    assert [(c.code, c.params["other"], c.params["sheet"]) for c in errors] == [
        ("missing_table_renamed", "Таблиця1", "Штат")]


def test_macro_shows_a_missing_table_as_one_message() -> None:
    frames = {k: v for k, v in sample_frames().items() if k != "tblSettings"}
    book = fake_workbook(frames)
    assert macros.refresh(book) == 2
    [alert] = book.app.alerts
    assert alert["mode"] == "critical" and "tblSettings" in alert["prompt"]
    assert "Traceback" not in alert["prompt"]
    assert not book.accesses("write")
    assert book.app.status_history[-1] is False


def test_macro_turns_a_bug_into_a_message_and_a_log(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    def broken(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(commands_refresh, "refresh", broken)
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    book = fake_workbook(sample_frames())
    assert macros.refresh(book) == 2
    [alert] = book.app.alerts
    assert "ZeroDivisionError: boom" in alert["prompt"] and "\n  File" not in alert["prompt"]
    log = tmp_path / "koshtorys" / macros.LOG_NAME
    assert str(log) in alert["prompt"]
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert book.app.screen_updating is True and book.app.status_history[-1] is False


def test_request_needs_a_saved_workbook() -> None:
    book = fake_workbook(sample_frames(), fullname="Книга1")
    assert macros.request(book) == 2
    assert "збережіть" in book.app.alerts[0]["prompt"].lower()


def test_request_runs_on_the_live_workbook_without_saving_it(tmp_path: Path) -> None:
    path = tmp_path / "кошторис.xlsx"  # never written: the tables are read from Excel
    book = fake_workbook(sample_frames(), fullname=str(path))
    assert macros.request(book) in (0, 1)
    made = sorted(p.name for p in (tmp_path / "requests").glob("request_*.xlsx"))
    programs = sorted({str(k) for k in sample_frames()["tblServices"]["kpkvk"]})
    assert made == [f"request_2026_{k}.xlsx" for k in programs]
    assert book.saves == 0 and not path.exists()
    assert str(tmp_path / "requests") in book.app.alerts[0]["prompt"]


@pytest.mark.parametrize("missing", ["smtp_host", "mail_to"])
def test_send_without_smtp_writes_drafts(tmp_path: Path, missing: str) -> None:
    # a sample without error checks: with them the button's message is about the checks
    frames = sample_frames("kropyvnytskyi")
    settings = frames["tblSettings"]
    frames["tblSettings"] = settings[settings["key"] != missing]
    book = fake_workbook(frames, fullname=str(tmp_path / "k.xlsx"))
    assert macros.send(book) in (0, 1)
    drafts = sorted((tmp_path / "requests" / "drafts").glob("*.eml"))
    assert len(drafts) == len(set(frames["tblServices"]["kpkvk"]))
    assert ".eml" in book.app.alerts[-1]["prompt"] and book.saves == 0


def test_new_template_builds_and_opens_the_workbook(tmp_path: Path) -> None:
    book = fake_workbook(sample_frames())
    target = tmp_path / "новий.xlsx"
    assert macros.new_template(book, path=target) == 0
    assert target.exists() and book.app.books.opened == [str(target)]
    before = target.stat().st_mtime_ns
    book.app.answer = "no"  # "replace it?" → no
    assert macros.new_template(book, path=target) == 0
    assert target.stat().st_mtime_ns == before and len(book.app.books.opened) == 1


def test_import_actuals_updates_only_the_months_of_the_report(tmp_path: Path) -> None:
    frames = sample_frames()
    actuals = frames["tblActuals"]
    book = fake_workbook(frames, origin=(1, 1))
    first = actuals.iloc[0]
    report = tmp_path / "report.csv"
    report.write_text("kpkvk;kekv;fund;month;amount\n"
                      f"{first['kpkvk']};{first['kekv']};{first['fund']};10;777.5\n",
                      encoding="utf-8")
    sheet = book.table("tblActuals").sheet
    m10 = 3 + schema.MONTHS.index("m10") + 1
    sheet.formulas[(2, 4)] = "=100+1"  # January of the first row is a formula
    book.log.clear()
    assert macros.import_actuals(book, report=report) == 0
    assert sheet.cells[(2, m10)] == 777.5
    assert sheet.formulas[(2, 4)] == "=100+1"
    assert "Імпорт" in book.app.alerts[0]["prompt"]
