"""The execution report laid out: A4 landscape, planned against actual with deviations
in UAH and %, a bordered column for the explanation of each deviation, signatures, and
``tblPassportReport`` on a hidden sheet. Values only, no macros."""

from __future__ import annotations

from pathlib import Path

from .formsheet import (
    Cell,
    Form,
    decimal_format,
    money_format,
    write_form,
)
from .passport_report import MONTH_NAMES, ReportDoc, ReportLine
from .passport_sheet import codes_block, numbered_item, text_item
from .tariff import TABLE_COLUMNS
from .tariff_sheet import signatures

__all__ = ["write_report"]

_W = (4.5, 30, 10.5, 10.5, 10.5, 10.5, 10.5, 10.5, 11, 7, 24)
_LAST = len(_W)
_PCT = decimal_format(1)
_FUNDS = ("general", "special", "total")


def write_report(doc: ReportDoc, path: Path) -> Path:
    """Write ``doc`` as ``passport_report_<execution_year>_<kpkvk>.xlsx`` in folder
    ``path`` (or as the file ``path``), atomically; returns the file."""
    s = doc.settings
    info = [
        ("institution", s.institution), ("edrpou", s.edrpou), ("kpkvk", doc.kpkvk),
        ("execution_year", doc.year), ("as_of_month", doc.as_of_month),
        ("rounding", s.rounding)]
    return write_form(
        path, doc.file_name, "Звіт",
        lambda ws: _Layout(Form(ws, _W, landscape=True), doc).write(),
        ("tblPassportReport", TABLE_COLUMNS, doc.table.values.tolist(), (12, 34, 8, 16)),
        ("tblPassportReportInfo", info),
        f"Звіт про виконання паспорта {doc.year}, КПКВК {doc.kpkvk}")


class _Layout:
    def __init__(self, form: Form, doc: ReportDoc) -> None:
        self.f, self.d = form, doc
        self.money = money_format(doc.settings.rounding)

    def write(self) -> None:
        f, d = self.f, self.d
        f.row([Cell(7, "Наказ Міністерства фінансів України 26 серпня 2014 року № 836 (у "
                    "редакції наказу Міністерства фінансів України від 01 листопада 2022 року "
                    "№ 359)", to=_LAST, style="small")])
        f.gap()
        f.row([Cell(1, "ЗВІТ", to=_LAST, style="title")])
        f.row([Cell(1, f"про виконання паспорта бюджетної програми місцевого бюджету за "
                    f"{d.year} рік", to=_LAST, style="subtitle")])
        if 0 < d.as_of_month < 12:
            f.row([Cell(1, f"Касові видатки — за січень–{MONTH_NAMES[d.as_of_month - 1]} "
                        f"{d.year} року (останній місяць з даними в таблиці касових видатків)",
                        to=_LAST, style="smallc")])
        f.gap()
        codes_block(f, d.passport.codes, _LAST)
        numbered_item(f, "4. Цілі державної політики, на досягнення яких спрямована "
                      "реалізація бюджетної програми", "Ціль державної політики", (), _LAST)
        text_item(f, "5. Мета бюджетної програми", d.passport.goal, last=_LAST)
        numbered_item(f, "6. Завдання бюджетної програми", "Завдання", d.passport.tasks, _LAST)
        self._lines("7. Видатки (надані кредити з бюджету) та напрями використання бюджетних "
                    "коштів за бюджетною програмою", "Напрями використання бюджетних коштів",
                    d.directions, numbered=True)
        self._lines("7.1. Видатки за кодами економічної класифікації видатків бюджету",
                    "Код і найменування КЕКВ", d.kekv, numbered=False)
        self._explain("Пояснення щодо причин відхилення касових видатків від обсягу, "
                      "затвердженого паспортом")
        text_item(f, "8. Видатки на реалізацію місцевих / регіональних програм, які "
                  "виконуються в межах бюджетної програми", "", 30, _LAST)
        self._indicators()
        text_item(f, "10. Узагальнений висновок про виконання бюджетної програми",
                  "", 60, _LAST)
        signatures(f, ("Керівник установи — головного розпорядника бюджетних коштів",
                       "Керівник фінансової служби (головний бухгалтер)"), _LAST)
        f.finish()

    def _head(self, caption: str) -> list[list[Cell]]:
        top = [Cell(1, "№ з/п", style="head", box=True), Cell(2, caption, style="head",
                                                              box=True),
               Cell(3, "Затверджено у паспорті бюджетної програми", to=5, style="head",
                    box=True),
               Cell(6, "Касові видатки (надані кредити з бюджету)", to=8, style="head",
                    box=True),
               Cell(9, "Відхилення (касові − затверджено)", to=10, style="head", box=True),
               Cell(11, "Пояснення щодо причин відхилення", style="head", box=True)]
        funds = [Cell(1, None, box=True), Cell(2, None, box=True)]
        for c0 in (3, 6):
            funds += [Cell(c0, "загальний фонд", style="head", box=True),
                      Cell(c0 + 1, "спеціальний фонд", style="head", box=True),
                      Cell(c0 + 2, "усього", style="head", box=True)]
        funds += [Cell(9, "грн", style="head", box=True), Cell(10, "%", style="head", box=True),
                  Cell(11, None, box=True)]
        numbers = [Cell(j, j, style="colno", box=True) for j in range(1, _LAST + 1)]
        return [top, funds, numbers]

    def _row(self, no: object, name: str, ln: ReportLine, bold: bool = False) -> list[Cell]:
        st = "numb" if bold else "num"
        cells = [Cell(1, no, style="center", box=True),
                 Cell(2, name, style="bold" if bold else "text", box=True)]
        cells += [Cell(3 + j, ln.planned[f], style=st, fmt=self.money, box=True)
                  for j, f in enumerate(_FUNDS)]
        cells += [Cell(6 + j, ln.actual[f], style=st, fmt=self.money, box=True)
                  for j, f in enumerate(_FUNDS)]
        pct = ln.pct("total")
        cells += [Cell(9, ln.deviation("total"), style=st, fmt=self.money, box=True),
                  Cell(10, pct if pct is not None else "—", style=st, fmt=_PCT, box=True),
                  Cell(11, None, box=True)]
        return cells

    def _lines(self, title: str, caption: str, lines: list[ReportLine], numbered: bool) -> None:
        body = [self._row(i if numbered else ln.key, ln.name if numbered else ln.name, ln)
                for i, ln in enumerate(lines, start=1)]
        body.append(self._row(None, "Усього", self.d.total, bold=True))
        lead = [[Cell(1, None)], [Cell(1, title, to=_LAST, style="bold")],
                [Cell(_LAST, "гривень", style="right")]]
        self.f.table(self._head(caption), body, lead=lead)

    def _explain(self, caption: str) -> None:
        self.f.gap(4)
        self.f.row([Cell(1, caption, to=_LAST, style="small")])
        self.f.row([Cell(1, None, to=_LAST, box=True)], height=30)

    def _indicators(self) -> None:
        head = [[Cell(1, "№ з/п", style="head", box=True),
                 Cell(2, "Показники", style="head", box=True),
                 Cell(3, "Одиниця виміру", style="head", box=True),
                 Cell(4, "Джерело інформації", to=6, style="head", box=True),
                 Cell(7, "Затверджено у паспорті", style="head", box=True),
                 Cell(8, "Фактично", style="head", box=True),
                 Cell(9, "Відхилення", style="head", box=True),
                 Cell(10, "%", style="head", box=True),
                 Cell(11, "Пояснення щодо причин розбіжностей", style="head", box=True)]]
        body: list[list[Cell]] = []
        groups: list[int] = []
        for g, group in enumerate(("затрат", "продукту", "ефективності", "якості"), start=1):
            items = [i for i in self.d.indicators if i.group == group]
            if not items:
                continue
            groups.append(len(body))
            body.append([Cell(1, g, style="bold", box=True),
                         Cell(2, group, to=_LAST, style="bold", box=True)])
            for ind in items:
                fmt = money_format(ind.places) if ind.unit.startswith("грн") else \
                    decimal_format(ind.places)
                pct = ind.pct
                body.append([
                    Cell(1, ind.number, style="center", box=True), Cell(2, ind.name, box=True),
                    Cell(3, ind.unit, style="center", box=True),
                    Cell(4, ind.source, to=6, box=True),
                    Cell(7, ind.planned, style="num", fmt=fmt, box=True),
                    Cell(8, ind.actual if ind.actual is not None else "—", style="num",
                         fmt=fmt, box=True),
                    Cell(9, ind.deviation if ind.deviation is not None else "—", style="num",
                         fmt=fmt, box=True),
                    Cell(10, pct if pct is not None else "—", style="num", fmt=_PCT, box=True),
                    Cell(11, None, box=True)])
        lead = [[Cell(1, None)], [Cell(1, "9. Результативні показники бюджетної програми та "
                                       "аналіз їх виконання", to=_LAST, style="bold")]]
        self.f.table(head, body, lead=lead, headings=groups)
