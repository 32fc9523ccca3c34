"""The passport laid out in the items of order 836's form (edition of order 1209): A4
landscape, bordered tables with numbered columns, the approval and agreement blocks,
and ``tblPassport`` on a hidden sheet. Values only, no macros."""

from __future__ import annotations

from pathlib import Path

from koshtorys.core.messages import format_money

from .codes import ProgramCodes
from .formsheet import (
    Cell,
    Form,
    decimal_format,
    money_format,
    write_form,
)
from .passport import SOURCES, PassportDoc
from .tariff import TABLE_COLUMNS
from .tariff_sheet import approval, signatures

__all__ = ["write_passport", "WIDTHS", "codes_block", "text_item", "numbered_item",
           "agreement"]

WIDTHS = (5, 38, 12.5, 12.5, 12.5, 12.5, 12.5, 12.5)
LAST = len(WIDTHS)
_ORDER = ("Наказ Міністерства фінансів України 26 серпня 2014 року № 836 (у редакції наказу "
          "Міністерства фінансів України від 29 грудня 2018 року № 1209)")
_SOURCE_NAMES = {"local": "Бюджет громади", "state": "Державний бюджет",
                 "oblast": "Обласний бюджет", "donor": "Донори (МТД)", "other": "Інші джерела"}
_GROUPS = ("затрат", "продукту", "ефективності", "якості")


def codes_block(form: Form, c: ProgramCodes, last: int = LAST) -> None:
    """Items 1–3: main spending unit, responsible performer, the program and its codes
    (on a form of ``last`` columns, eight or more), as the request prints them."""
    rows = (
        ("1.", c.grk_code, c.grk, c.grk_edrpou,
         ("(код Програмної класифікації видатків та кредитування місцевого бюджету)",
          "(найменування головного розпорядника коштів місцевого бюджету)", "(код за ЄДРПОУ)")),
        ("2.", c.performer_code, c.performer, c.edrpou,
         ("(код Програмної класифікації видатків та кредитування місцевого бюджету)",
          "(найменування відповідального виконавця)", "(код за ЄДРПОУ)")),
    )
    for no, code, who, edrpou, captions in rows:
        form.row([Cell(1, no, style="bold"), Cell(2, code, style="center"),
                  Cell(3, who, to=last - 2), Cell(last - 1, edrpou, to=last, style="center")])
        form.row([Cell(2, captions[0], style="smallc"),
                  Cell(3, captions[1], to=last - 2, style="smallc"),
                  Cell(last - 1, captions[2], to=last, style="smallc")])
    form.row([Cell(1, "3.", style="bold"), Cell(2, c.kpkvk, style="center"),
              Cell(3, c.tpkvk, style="center"), Cell(4, c.kfkvk or "____", style="center"),
              Cell(5, c.program_name, to=last - 1), Cell(last, c.budget_code, style="center")])
    form.row([Cell(2, "(код Програмної класифікації видатків та кредитування місцевого "
                   "бюджету)", style="smallc"),
              Cell(3, "(код Типової програмної класифікації видатків та кредитування "
                   "місцевого бюджету)", style="smallc"),
              Cell(4, "(код Функціональної класифікації видатків та кредитування бюджету)",
                   style="smallc"),
              Cell(5, "(найменування бюджетної програми згідно з Типовою програмною "
                   "класифікацією видатків та кредитування місцевого бюджету)", to=last - 1,
                   style="smallc"),
              Cell(last, "(код бюджету)", style="smallc")])


def text_item(form: Form, title: str, text: str, height: float = 30.0,
              last: int = LAST) -> None:
    """A numbered item holding a text; a tall bordered blank when the text is unknown."""
    form.gap(4)
    heading, box = [Cell(1, title, to=last, style="bold")], [Cell(1, text, to=last, box=True)]
    form.keep([heading, box] if text else [heading], extra=0.0 if text else height)
    form.row(heading)  # never alone at the foot of a page: it moves with its text
    form.row(box, height=None if text else height)


def numbered_item(form: Form, title: str, caption: str, items: tuple[str, ...],
                  last: int = LAST) -> None:
    """A numbered item holding a table № з/п · text (one blank row when none)."""
    head = [[Cell(1, "№ з/п", style="head", box=True),
             Cell(2, caption, to=last, style="head", box=True)]]
    body = [[Cell(1, i, style="center", box=True), Cell(2, t, to=last, box=True)]
            for i, t in enumerate(items, start=1)] or \
        [[Cell(1, None, box=True), Cell(2, None, to=last, box=True)]]
    form.table(head, body, lead=[[Cell(1, None)], [Cell(1, title, to=last, style="bold")]])


def agreement(form: Form) -> None:
    """The signatures: head of the main spending unit; ПОГОДЖЕНО by the finance body."""
    signatures(form, ("Керівник установи — головного розпорядника бюджетних коштів",),
               LAST, date=False)
    rows = [[Cell(1, "ПОГОДЖЕНО:", to=3, style="bold")],
            [Cell(1, "______________________________________________", to=3)],
            [Cell(1, "(найменування місцевого фінансового органу)", to=3, style="small")]]
    form.block(rows)
    signatures(form, ("Керівник місцевого фінансового органу",), LAST, date=False)
    form.block([[Cell(1, "Дата погодження: «____» ______________ 20___ р.", to=3)],
                [Cell(1, "М. П.", to=3)]])


def write_passport(doc: PassportDoc, path: Path) -> Path:
    """Write ``doc`` as ``passport_<year>_<kpkvk>.xlsx`` in folder ``path`` (or as the file
    ``path``), atomically; returns the file."""
    s = doc.settings
    info = [
        ("institution", s.institution), ("edrpou", s.edrpou), ("kpkvk", doc.kpkvk),
        ("kpkvk_name", doc.kpkvk_name or ""), ("year", doc.year),
        ("plan_year", s.plan_year), ("rounding", s.rounding)]
    return write_form(
        path, doc.file_name, "Паспорт",
        lambda ws: _Layout(Form(ws, WIDTHS, landscape=True), doc).write(),
        ("tblPassport", TABLE_COLUMNS, doc.table.values.tolist(), (12, 26, 8, 16)),
        ("tblPassportInfo", info), f"Паспорт бюджетної програми {doc.year}, КПКВК {doc.kpkvk}")


def _words(x: float, digits: int) -> str:
    return format_money(float(x), "uk", digits=digits)


class _Layout:
    def __init__(self, form: Form, doc: PassportDoc) -> None:
        self.f, self.d = form, doc
        self.money = money_format(doc.settings.rounding)

    def write(self) -> None:
        f, d, s = self.f, self.d, self.d.settings
        f.row([Cell(6, _ORDER, to=LAST, style="small")])
        f.gap()
        approval(f, 6, LAST, ("ЗАТВЕРДЖЕНО", "Наказ / розпорядчий документ", d.codes.grk,
                              "від «___» ____________ 20___ р. № _____"))
        f.gap()
        f.row([Cell(1, "ПАСПОРТ", to=LAST, style="title")])
        f.row([Cell(1, f"бюджетної програми місцевого бюджету на {d.year} рік", to=LAST,
                    style="subtitle")])
        f.gap()
        codes_block(f, d.codes)
        a, digits = d.allocation, s.rounding
        total, general, special = (_words(a[k], digits) for k in ("total", "general",
                                                                 "special"))
        text_item(f, "4. Обсяг бюджетних призначень / бюджетних асигнувань",
                  f"Обсяг бюджетних призначень / бюджетних асигнувань — {total} гривень, у "
                  f"тому числі загального фонду — {general} гривень та спеціального фонду — "
                  f"{special} гривень.")
        text_item(f, "5. Підстави для виконання бюджетної програми", d.legal_basis, 45)
        numbered_item(f, "6. Цілі державної політики, на досягнення яких спрямована "
                      "реалізація бюджетної програми", "Ціль державної політики", ())
        text_item(f, "7. Мета бюджетної програми", d.goal)
        numbered_item(f, "8. Завдання бюджетної програми", "Завдання", d.tasks)
        self._directions()
        self._programs()
        self._indicators()
        agreement(f)
        f.finish()

    def _fund_head(self, caption: str) -> list[list[Cell]]:
        return [[Cell(1, "№ з/п", style="head", box=True),
                 Cell(2, caption, to=5, style="head", box=True),
                 Cell(6, "Загальний фонд", style="head", box=True),
                 Cell(7, "Спеціальний фонд", style="head", box=True),
                 Cell(8, "Усього", style="head", box=True)],
                [Cell(1, 1, style="colno", box=True), Cell(2, 2, to=5, style="colno", box=True),
                 *[Cell(j, j - 3, style="colno", box=True) for j in (6, 7, 8)]]]

    def _money_cells(self, amounts: dict[str, float], bold: bool = False) -> list[Cell]:
        st = "numb" if bold else "num"
        return [Cell(6 + j, amounts[f], style=st, fmt=self.money, box=True)
                for j, f in enumerate(("general", "special", "total"))]

    def _directions(self) -> None:
        d = self.d
        body = [[Cell(1, i, style="center", box=True), Cell(2, dr.name, to=5, box=True),
                 *self._money_cells(dr.amounts)]
                for i, dr in enumerate(d.directions, start=1)]
        body.append([Cell(1, None, box=True), Cell(2, "Усього", to=5, style="bold", box=True),
                     *self._money_cells(d.allocation, bold=True)])
        lead = [[Cell(1, None)], [Cell(1, "9. Напрями використання бюджетних коштів",
                                       to=LAST, style="bold")],
                [Cell(LAST, "гривень", style="right")]]
        self.f.table(self._fund_head("Напрями використання бюджетних коштів"), body,
                     lead=lead)

    def _programs(self) -> None:
        d = self.d
        head = [[Cell(1, "№ з/п", style="head", box=True),
                 Cell(2, "Найменування місцевої / регіональної програми (заходу)",
                      style="head", box=True),
                 *[Cell(3 + j, _SOURCE_NAMES[src], style="head", box=True)
                   for j, src in enumerate(SOURCES)],
                 Cell(LAST, "Усього", style="head", box=True)]]
        body = [[Cell(1, i, style="center", box=True), Cell(2, p.name, box=True),
                 *[Cell(3 + j, p.sources[k], style="num", fmt=self.money, box=True)
                   for j, k in enumerate((*SOURCES, "total"))]]
                for i, p in enumerate(d.programs, start=1)]
        if body:
            body.append([Cell(1, None, box=True), Cell(2, "Усього", style="bold", box=True),
                         *[Cell(3 + j, d.program_total(k), style="numb", fmt=self.money,
                                box=True) for j, k in enumerate((*SOURCES, "total"))]])
        else:
            body.append([Cell(1, None, box=True), Cell(2, None, box=True),
                         *[Cell(3 + j, None, box=True) for j in range(len(SOURCES) + 1)]])
        lead = [[Cell(1, None)],
                [Cell(1, "10. Перелік місцевих / регіональних програм, що виконуються у "
                      "складі бюджетної програми (фінансування заходів за джерелами)",
                      to=LAST, style="bold")],
                [Cell(LAST, "гривень", style="right")]]
        self.f.table(head, body, lead=lead)

    def _indicators(self) -> None:
        d = self.d
        head = [[Cell(1, "№ з/п", style="head", box=True),
                 Cell(2, "Показники", style="head", box=True),
                 Cell(3, "Одиниця виміру", style="head", box=True),
                 Cell(4, "Джерело інформації", to=5, style="head", box=True),
                 Cell(6, "Загальний фонд", style="head", box=True),
                 Cell(7, "Спеціальний фонд", style="head", box=True),
                 Cell(8, "Усього", style="head", box=True)]]
        general_only = not d.allocation["special"]
        body: list[list[Cell]] = []
        groups: list[int] = []
        for g, group in enumerate(_GROUPS, start=1):
            items = [i for _k, i in d.indicators if i.group == group]
            if not items:
                continue
            groups.append(len(body))
            body.append([Cell(1, g, style="bold", box=True),
                         Cell(2, group, to=LAST, style="bold", box=True)])
            for ind in items:
                places = ind.decimals.get(d.column, 0)
                fmt = money_format(places) if ind.unit.startswith("грн") else \
                    decimal_format(places)
                value = ind.value(d.column)
                body.append([Cell(1, ind.number, style="center", box=True),
                             Cell(2, ind.name, box=True),
                             Cell(3, ind.unit, style="center", box=True),
                             Cell(4, ind.source, to=5, box=True),
                             Cell(6, value if general_only else None, style="num",
                                  fmt=fmt, box=True),
                             Cell(7, None, box=True),
                             Cell(8, value, style="num", fmt=fmt, box=True)])
        if not body:
            body.append([Cell(1, None, box=True), Cell(2, None, to=LAST, box=True)])
        lead = [[Cell(1, None)], [Cell(1, "11. Результативні показники бюджетної програми",
                                       to=LAST, style="bold")]]
        self.f.table(head, body, lead=lead, headings=groups)


