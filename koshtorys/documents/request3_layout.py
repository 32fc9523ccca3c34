"""Форма 20__-3 (додатковий бюджетний запит) laid out on a sheet.

The 648 edition's additional request (order 604's could not be read): items 1–3 as in
Форма 20__-2, the additional expenditure by КЕКВ for the plan year and for the forecast
years (the expenditure, the part within the ceiling, the additional need), with bordered
columns for the justification and for the consequences if the money is not given, to
be filled by hand; the change of the indicators; the two signatures.
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core import schema
from koshtorys.core.money import from_units

from .request_layout import LAST, WIDTHS, header_items, signatures
from .request_model import ExcessLine, RequestDoc
from .sheetkit import Cell, Sheet, decimal_format, money_format

__all__ = ["write_form3"]


def _heading(text: str, style: str = "heading") -> list[Cell]:
    return [Cell(1, text, to=LAST, style=style)]


def _excess_table(sheet: Sheet, doc: RequestDoc, lines: list[ExcessLine], title: str
                  ) -> None:
    d, fmt = doc.digits, money_format(doc.digits)
    head = [[Cell(1, "Код Економічної класифікації видатків бюджету", style="head"),
             Cell(2, "Найменування", style="head"), Cell(3, "Фонд", style="head"),
             Cell(4, "Рік", style="head"),
             Cell(5, "Обсяг видатків (потреба)", style="head"),
             Cell(6, "У межах граничного обсягу (Форма -2)", style="head"),
             Cell(7, "Додаткова потреба", style="head"),
             Cell(8, "Обґрунтування необхідності додаткових коштів", to=9, style="head"),
             Cell(10, "Наслідки, якщо додаткові кошти не будуть передбачені, та "
                      "альтернативні заходи", to=LAST, style="head")],
            [Cell(j, n, style="number", to={8: 9, 10: LAST}.get(j))
             for n, j in enumerate((1, 2, 3, 4, 5, 6, 7, 8, 10), start=1)]]
    body = []
    for e in lines:
        body.append([Cell(1, e.kekv, style="box_center"), Cell(2, e.name, style="box"),
                     Cell(3, str(schema.enum_label("fund", e.fund, "uk")),
                          style="box_center"),
                     Cell(4, e.year, style="box_center"),
                     Cell(5, from_units(e.need, d), style="money", fmt=fmt),
                     Cell(6, from_units(e.within, d), style="money", fmt=fmt),
                     Cell(7, from_units(e.excess, d), style="money", fmt=fmt),
                     Cell(8, None, to=9, style="blank"), Cell(10, None, to=LAST, style="blank")])
    for year in sorted({e.year for e in lines}):
        of = [e for e in lines if e.year == year]
        body.append([Cell(1, None, style="box_center"),
                     Cell(2, f"УСЬОГО за {year} рік", to=4, style="box_bold"),
                     *[Cell(5 + j, from_units(sum(getattr(e, k) for e in of), d),
                            style="money_bold", fmt=fmt)
                       for j, k in enumerate(("need", "within", "excess"))],
                     Cell(8, None, to=9, style="box"), Cell(10, None, to=LAST, style="box")])
    sheet.table(head, body, lead=[_heading(title)])


def write_form3(ws: Worksheet, doc: RequestDoc) -> Sheet:
    """Lay out ``doc``'s additional request on ``ws``; ``doc.additional`` must be set."""
    add = doc.additional
    assert add is not None
    s = Sheet(ws, WIDTHS, landscape=True, title_rows=2)
    py, d = doc.plan_year, doc.digits
    s.row([Cell(1, f"БЮДЖЕТНИЙ ЗАПИТ НА {py}–{py + 2} РОКИ додатковий (Форма {py}-3)",
                to=LAST, style="title")])
    s.row([Cell(1, f"{doc.codes.performer} · КПКВКМБ {doc.kpkvk} · суми в гривнях",
                to=LAST, style="subtitle")])
    s.gap()
    header_items(s, doc)
    s.gap()
    limits = "; ".join(
        f"{doc.column(col).year} рік, {schema.enum_label('fund', fund, 'uk')} фонд — "
        f"{_money(amount, d)} грн" for (fund, col), amount in sorted(
            add.ceilings.items(), key=lambda kv: (doc.column(kv[0][1]).year, kv[0][0])))
    s.row([Cell(1, f"Граничні обсяги, доведені фінансовим органом: {limits}. Видатки в "
                   f"межах граничних обсягів — у Формі {py}-2; понад них — у цій формі. "
                   "Першими в межах граничного обсягу залишено захищені видатки (оплата "
                   "праці, нарахування, медикаменти, харчування, комунальні послуги), далі "
                   "інші поточні, останніми — капітальні.", to=LAST, style="note")])
    plan = [e for e in add.lines if e.column == "plan"]
    later = [e for e in add.lines if e.column != "plan"]
    if plan:
        _excess_table(s, doc, plan, f"4. Додаткові видатки на {py} рік за кодами Економічної "
                                    "класифікації видатків бюджету")
    else:
        s.row(_heading(f"4. Додаткових видатків на {py} рік не заявлено."))
    s.gap()
    if later:
        _excess_table(s, doc, later, f"5. Додаткові видатки на {py + 1}–{py + 2} роки "
                                     "(прогноз) за кодами Економічної класифікації видатків")
    else:
        s.block([_heading(f"5. Додаткові видатки на {py + 1}–{py + 2} роки (прогноз)"),
                 [Cell(1, "Індикативні прогнозні показники на прогнозні роки не перевищено "
                          "(або не доведено).", to=LAST, style="note")]])
    s.gap()
    head = [[Cell(1, "Показники", to=2, style="head"), Cell(3, "Одиниця виміру", style="head"),
             Cell(4, "Джерело інформації", to=6, style="head"),
             Cell(7, f"{py} рік: у межах граничного обсягу", to=8, style="head"),
             Cell(9, f"{py} рік: з урахуванням додаткових коштів", to=LAST, style="head")]]
    body = [[Cell(1, name, to=2, style="box"), Cell(3, unit, style="box_center"),
             Cell(4, source, to=6, style="box"),
             Cell(7, None if a is None else float(a), to=8, style="money",
                  fmt=decimal_format(places)),
             Cell(9, None if b is None else float(b), to=LAST, style="money",
                  fmt=decimal_format(places))]
            for name, unit, source, a, b, places in add.indicators]
    s.table(head, body, keep_last=1, lead=[_heading(
        "6. Зміна результативних показників бюджетної програми у разі передбачення "
        "додаткових коштів")])
    s.gap()
    s.block([_heading("7. Наслідки у разі, якщо додаткові кошти не будуть передбачені, та "
                      "альтернативні заходи, яких необхідно вжити для забезпечення виконання "
                      "бюджетної програми"),
             [Cell(1, None, to=LAST, style="write")]])
    signatures(s)
    s.finish()
    return s


def _money(units: int, digits: int) -> str:
    from koshtorys.core.messages import format_money

    return format_money(from_units(units, digits), "uk", digits)
