"""Request workbooks written (Форма 20__-2, and 20__-3 when a ceiling is exceeded) and
read back for ``send`` and the finance department.

Each workbook has the form sheet «Запит» (printed) and the hidden sheet «Дані» (never
printed) with two machine-readable tables:

* ``tblRequest`` — kpkvk, kekv, fund (``general`` / ``special``), year (the plan year
  and both forecast years), amount, form (2 or 3): the file's own form's lines;
* ``tblRequestInfo`` — key, value: institution, edrpou, hromada, grk, grk_edrpou,
  budget_code, kpkvk, kpkvk_name, kfkvk, plan_year, execution_year, rounding, form,
  ceiling_general, ceiling_special (the plan year's ceilings; blank when none),
  expenditure_general, expenditure_special (the plan year's full expenditure, both
  forms together).

:func:`read_summary` turns a file back into a
:class:`~koshtorys.documents.request.RequestSummary`.
"""

from __future__ import annotations

from pathlib import Path
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.money import from_units, to_units

from .fileset import write_all
from .request3_layout import write_form3
from .request_layout import write_form2
from .request_model import FUNDS, REQUEST_COLUMNS, RequestDoc, RequestSummary
from .sheetkit import add_excel_table, machine_sheet, money_format

__all__ = ["write_request", "write_request3", "write_requests", "request_workbooks",
           "read_summary", "add_excel_table", "DATA_SHEET", "FORM_SHEET"]

FORM_SHEET, DATA_SHEET = "Запит", "Дані"


def _info(doc: RequestDoc, form: int) -> list[tuple[str, object]]:
    s, c, d = doc.settings, doc.codes, doc.digits

    def money(units: int | None) -> float | None:
        return None if units is None else from_units(units, d)

    return [
        ("institution", s.institution), ("edrpou", s.edrpou), ("hromada", s.hromada),
        ("grk", c.grk), ("grk_edrpou", c.grk_edrpou), ("budget_code", c.budget_code),
        ("kpkvk", doc.kpkvk), ("kpkvk_name", doc.kpkvk_name or ""), ("kfkvk", c.kfkvk),
        ("plan_year", s.plan_year), ("execution_year", s.exec_year), ("rounding", d),
        ("form", form),
        ("ceiling_general", money(doc.ceilings.get(("general", "plan")))),
        ("ceiling_special", money(doc.ceilings.get(("special", "plan")))),
        ("expenditure_general", money(doc.expenditure.get(("plan", "general"), 0))),
        ("expenditure_special", money(doc.expenditure.get(("plan", "special"), 0))),
    ]


def _data_sheet(ws: Worksheet, doc: RequestDoc, form: int) -> None:
    table = doc.table if form == 2 else doc.additional.table  # type: ignore[union-attr]
    rows = [[r.kpkvk, r.kekv, r.fund, int(r.year), float(r.amount), int(r.form)]
            for r in table.itertuples(index=False)]
    add_excel_table(ws, "tblRequest", REQUEST_COLUMNS, rows,
                    formats={4: money_format(doc.digits)}, widths=(11, 8, 10, 8, 16, 7))
    info = _info(doc, form)
    add_excel_table(ws, "tblRequestInfo", ("key", "value"), info, left=9, widths=(20, 60))
    for (cell,) in ws.iter_rows(min_row=2, max_row=len(info) + 1, min_col=10, max_col=10):
        cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
    machine_sheet(ws)


def request_workbooks(doc: RequestDoc) -> list[tuple[str, Workbook]]:
    """The workbooks of ``doc``: (file name, workbook) for Форма 20__-2 and, when the
    expenditure exceeds a ceiling, Форма 20__-3."""
    out = []
    for form, name, draw in ((2, doc.file_name, write_form2), (3, doc.file_name3,
                                                                write_form3)):
        if form == 3 and doc.additional is None:
            continue
        wb = Workbook()
        ws = wb.active
        ws.title = FORM_SHEET
        draw(ws, doc)
        _data_sheet(wb.create_sheet(DATA_SHEET), doc, form)
        wb.active = 0
        kind = "індивідуальний" if form == 2 else "додатковий"
        wb.properties.title = (f"Бюджетний запит на {doc.plan_year}–{doc.plan_year + 2} роки "
                               f"({kind}, Форма {doc.plan_year}-{form}), КПКВК {doc.kpkvk}")
        wb.properties.creator = "koshtorys"
        out.append((name, wb))
    return out


def write_requests(docs: list[RequestDoc], outdir: Path) -> list[Path]:
    """Every file of ``docs`` into ``outdir``, all or nothing
    (:func:`~koshtorys.documents.fileset.write_all`)."""
    items = [(Path(outdir) / name, wb.save) for doc in docs
             for name, wb in request_workbooks(doc)]
    return write_all(items)


def write_request(doc: RequestDoc, path: Path) -> Path:
    """Write ``doc``'s Форма 20__-2, atomically; ``path`` is a folder (the file is then
    named :func:`~koshtorys.documents.request.request_file_name`) or the file itself."""
    path = Path(path)
    target = path / doc.file_name if path.is_dir() else path
    (_name, wb), *_rest = request_workbooks(doc)
    return write_all([(target, wb.save)])[0]


def write_request3(doc: RequestDoc, path: Path) -> Path:
    """Write ``doc``'s Форма 20__-3 (``doc.additional`` must be set)."""
    path = Path(path)
    target = path / doc.file_name3 if path.is_dir() else path
    books = dict(request_workbooks(doc))
    if doc.file_name3 not in books:
        raise KoshtorysError("no_request3", kpkvk=doc.kpkvk)
    return write_all([(target, books[doc.file_name3].save)])[0]


def read_summary(path: Path) -> RequestSummary:
    """The :class:`RequestSummary` of a written request file (either form)."""
    try:
        wb = load_workbook(Path(path), read_only=False)
        ws = next(w for w in wb.worksheets if "tblRequest" in w.tables)
        req, info = ws.tables["tblRequest"], ws.tables["tblRequestInfo"]
    except (OSError, KeyError, ValueError, StopIteration, BadZipFile,
            InvalidFileException) as exc:
        raise KoshtorysError("not_a_request", name=Path(path).name, error=str(exc)) from exc

    def values(ref: str) -> list[list[object]]:
        return [[c.value for c in row] for row in ws[ref]]

    meta = {str(k): v for k, v in values(info.ref)[1:] if k is not None}
    plan_year = int(meta.get("plan_year") or 0)  # type: ignore[call-overload]
    digits = int(meta.get("rounding") or 0)  # type: ignore[call-overload]
    head, *rows = values(req.ref)
    col = {str(h): i for i, h in enumerate(head)}
    units = {f: 0 for f in FUNDS}
    lines: dict[tuple[str, str], float] = {}
    for row in rows:
        kekv, fund, year, amount = (row[col[k]] for k in ("kekv", "fund", "year", "amount"))
        if year is None or int(year) != plan_year or fund not in units or not amount:  # type: ignore[call-overload]
            continue
        units[str(fund)] += to_units(float(amount), digits)  # type: ignore[arg-type]
        key = (str(kekv), str(fund))
        lines[key] = from_units(to_units(lines.get(key, 0.0) + float(amount), digits),  # type: ignore[arg-type]
                                digits)
    totals = {f: from_units(u, digits) for f, u in units.items()}
    totals["total"] = from_units(sum(units.values()), digits)
    return RequestSummary(plan_year, str(meta.get("kpkvk") or ""),
                          str(meta.get("kpkvk_name") or "") or None,
                          str(meta.get("institution") or ""), digits, totals,
                          int(meta.get("form") or 2),  # type: ignore[call-overload]
                          lines, str(meta.get("edrpou") or ""))
