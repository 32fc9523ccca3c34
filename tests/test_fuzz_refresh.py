"""Fuzzed input tables through a real refresh of a real file (issue 9's guard kept for
good): whatever a user types — numbers as text, dates, NaN, inf, huge values, error
values, formulas without cached values, text that starts with = + - @ — the refresh
exits 0 or 1, never with a traceback, leaves every input cell byte-identical, and when it
exits 0 the money adds up to the kopiyka."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koshtorys.cli import main
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.template import build_workbook

WEIRD = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(-10**16, 10**16),
    st.sampled_from(["1 234,50", "22%", "nan", "inf", "-inf", "1e400", "=1+2", "+380",
                     "-5", "@user", "\tx", "10.000,00", "", "   ", "#DIV/0!", "0813104"]),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
    st.times(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.just("=SUM(A1:A3)"),  # a formula: written without a cached value
)
NUMBER = st.one_of(st.integers(0, 40_000), st.floats(0, 40_000, allow_nan=False).map(
    lambda x: round(x, 2)))


def _kop(x: Decimal) -> Decimal:
    return (x * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _put(ws: openpyxl.worksheet.worksheet.Worksheet, ref: str, value: object) -> None:
    cell = ws[ref]
    cell.value = value
    if isinstance(value, str) and value.startswith("=") and value != "=SUM(A1:A3)":
        cell.data_type = "s"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(pay=st.one_of(NUMBER, WEIRD), fte=st.one_of(NUMBER.map(lambda x: x / 10_000), WEIRD),
       amount=st.one_of(NUMBER, WEIRD), share=st.one_of(st.floats(0, 1), WEIRD),
       name=st.one_of(st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20),
                      WEIRD.filter(lambda v: isinstance(v, str))))
def test_fuzzed_inputs_never_break_refresh(tmp_path_factory, pay: object, fte: object,
                                           amount: object, share: object,
                                           name: object) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "f.xlsx"
    path.write_bytes(_template(tmp_path_factory))
    wb = openpyxl.load_workbook(path)
    _put(wb["Services"], "A4", "S1"), _put(wb["Services"], "B4", name or "x")
    _put(wb["Services"], "C4", "година"), _put(wb["Services"], "D4", 1000)
    _put(wb["Services"], "F4", "0813104")
    staff = wb["Staff"]
    for ref, v in (("A4", "P1"), ("B4", "Соцпрацівник"), ("C4", "direct"), ("D4", fte),
                   ("E4", pay), ("F4", 12)):
        _put(staff, ref, v)
    for ref, v in (("A4", "P1"), ("B4", "S1"), ("C4", share)):
        _put(wb["Time"], ref, v)
    for ref, v in (("A4", "2210"), ("B4", "Матеріали"), ("C4", amount), ("F4", "general")):
        _put(wb["Costs"], ref, v)
    wb.save(path)
    inputs = INPUT_SHEETS
    parts = [s.part for s in FileBook.open(path).index.sheets if s.name in inputs]
    assert len(parts) == len(inputs)
    with zipfile.ZipFile(path) as z:
        inputs_before = {p: z.read(p) for p in parts}
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        code = main(["refresh", str(path)])
    assert code in (0, 1), err.getvalue()
    assert "Traceback" not in err.getvalue() + out.getvalue()
    with zipfile.ZipFile(path) as z:
        for part, data in inputs_before.items():  # every input cell byte-identical
            assert z.read(part) == data, part
    if code == 0:
        _money_adds_up(path, fte, pay, amount)


_TEMPLATE: list[bytes] = []


def _template(factory) -> bytes:  # noqa: ANN001
    """The English template, built once for every example."""
    if not _TEMPLATE:
        path = factory.mktemp("template") / "t.xlsx"
        build_workbook(path, "en", plan_year=2026)
        _TEMPLATE.append(path.read_bytes())
    return _TEMPLATE[0]


INPUT_SHEETS = {"Settings", "Services", "Staff", "Time", "Costs", "Plan", "Actuals",
                "Needs", "Sources"}


def _number(v: object) -> Decimal:
    """What the SPEC reads from a number cell that gave no error: a number, or text
    that spells one («1 234,50», «22%»)."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return Decimal(0)
    if isinstance(v, str):
        t = v.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        return Decimal(t[:-1]) / 100 if t.endswith("%") else Decimal(t)
    return Decimal(str(v))


def _money_adds_up(path: Path, fte: object, pay: object, amount: object) -> None:
    """Exit 0: every input was read; Σ total_cost = payroll + ЄСВ + costs to the kopiyka,
    computed here with Decimal from the SPEC's formulas."""
    wb = openpyxl.load_workbook(path)
    ws = wb["UnitCosts"]
    t = ws.tables["tblUnitCosts"]
    rows = list(ws[t.ref])
    head = [c.value for c in rows[0]]
    total = sum(Decimal(str(r[head.index("total_cost")].value or 0)) for r in rows[1:])
    d = _number
    wage = max(d(pay), Decimal(8647)) if d(fte) > 0 else d(pay)
    payroll = _kop(d(fte) * wage * 12)
    esv = (payroll * Decimal("0.22")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    costs = _kop(d(amount))
    assert _kop(total) == payroll + esv + costs
