"""Форма 20__-2 laid out on a sheet: items 1–3, sections 4–13, signatures.

Items 1–3 follow the published Форма 2025-2 (codes in columns with their captions under
them); sections 4–13 the 648 edition's numbering and columns (order 604's appendix could
not be read). One grid of eleven columns serves every table: a code or number, a name,
then nine amount columns (three years × загальний / спеціальний / разом).
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.worksheet.worksheet import Worksheet

from koshtorys.core.money import from_units

from .request_model import FUNDS, AmountColumn, RequestDoc
from .sheetkit import Cell, Sheet, decimal_format, money_format

__all__ = ["write_form2", "header_items", "signatures", "signature_rows", "WIDTHS", "LAST"]

WIDTHS = (10.5, 28.5, *([10.5] * 9))
LAST = len(WIDTHS)
_FUND_HEAD = ("загальний фонд", "спеціальний фонд", "разом")
_SOURCES = (("need", "Потреба"), ("local", "Бюджет громади"), ("state", "Державний бюджет"),
            ("oblast", "Обласний бюджет"), ("donor", "МТД (донори)"),
            ("other", "Інші джерела"), ("gap", "Не забезпечено (+) / понад потребу (−)"))


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".replace(".", ",") + " %"


def header_items(sheet: Sheet, doc: RequestDoc) -> None:
    """Items 1–3: the main spending unit, the responsible performer, the program."""
    c = doc.codes
    value, cap = "value", "caption"
    sheet.block([
        [Cell(1, "1.", style="heading"), Cell(2, c.grk_code, style=value),
         Cell(3, c.grk, to=9, style=value), Cell(10, c.grk_edrpou, to=LAST, style=value)],
        [Cell(2, "(код Типової відомчої класифікації видатків та кредитування місцевого "
                 "бюджету)", style=cap),
         Cell(3, "(найменування головного розпорядника коштів місцевого бюджету)", to=9,
              style=cap), Cell(10, "(код за ЄДРПОУ)", to=LAST, style=cap)],
        [Cell(1, "2.", style="heading"), Cell(2, c.performer_code, style=value),
         Cell(3, c.performer, to=9, style=value), Cell(10, c.edrpou, to=LAST, style=value)],
        [Cell(2, "(код Програмної класифікації видатків та кредитування місцевого бюджету)",
              style=cap),
         Cell(3, "(найменування відповідального виконавця)", to=9, style=cap),
         Cell(10, "(код за ЄДРПОУ)", to=LAST, style=cap)],
        [Cell(1, "3.", style="heading"), Cell(2, c.kpkvk, style=value),
         Cell(3, c.tpkvk, style=value), Cell(4, c.kfkvk, style=value),
         Cell(5, c.program_name, to=9, style=value),
         Cell(10, c.budget_code, to=LAST, style=value)],
        [Cell(2, "(код Програмної класифікації видатків та кредитування місцевого бюджету)",
              style=cap),
         Cell(3, "(код Типової програмної класифікації видатків та кредитування місцевого "
                 "бюджету)", style=cap),
         Cell(4, "(код Функціональної класифікації видатків та кредитування бюджету)",
              style=cap),
         Cell(5, "(найменування бюджетної програми згідно з Типовою програмною класифікацією "
                 "видатків та кредитування місцевого бюджету)", to=9, style=cap),
         Cell(10, "(код бюджету)", to=LAST, style=cap)],
    ])


def signatures(sheet: Sheet) -> None:
    """The two signatures of the form, kept on one page."""
    sheet.block(signature_rows())


def signature_rows() -> list[list[Cell]]:
    """The rows of the signatures (to keep with the last section)."""
    rows: list[list[Cell]] = [[Cell(1, None)]]
    for who in ("Керівник установи", "Керівник фінансової служби"):
        rows.append([Cell(1, who, to=2, style="subheading"),
                     Cell(4, "____________________", to=5, style="sign"),
                     Cell(7, "______________________________", to=10, style="sign")])
        rows.append([Cell(4, "(підпис)", to=5, style="caption"),
                     Cell(7, "(Власне ім'я ПРІЗВИЩЕ)", to=10, style="caption")])
    rows.append([Cell(1, "«____» ______________ 20___ р.", to=3)])
    return rows


def _heading(text: str, style: str = "heading") -> list[Cell]:
    return [Cell(1, text, to=LAST, style=style)]


def _year_head(first: str, second: str, columns: Sequence[AmountColumn],
               ) -> list[list[Cell]]:
    top = [Cell(1, first, style="head", down=1), Cell(2, second, style="head", down=1)]
    sub: list[Cell] = []
    for i, ac in enumerate(columns):
        c0 = 3 + 3 * i
        top.append(Cell(c0, ac.label, to=c0 + 2, style="head"))
        sub += [Cell(c0 + j, t, style="head") for j, t in enumerate(_FUND_HEAD)]
    numbers = [Cell(j, j, style="number") for j in range(1, 3 + 3 * len(columns))]
    return [top, sub, numbers]


def _amount_cells(units: dict[tuple[str, str], int], columns: Sequence[AmountColumn],
                  digits: int, bold: bool) -> list[Cell]:
    style = "money_bold" if bold else "money"
    out = []
    for i, ac in enumerate(columns):
        vals = [units.get((ac.key, f), 0) for f in FUNDS]
        for j, u in enumerate((*vals, sum(vals))):
            out.append(Cell(3 + 3 * i + j, from_units(u, digits), style=style,
                            fmt=money_format(digits)))
    return out


class _Form2:
    """The sections of one Форма 20__-2, in order."""

    def __init__(self, sheet: Sheet, doc: RequestDoc) -> None:
        self.sheet, self.doc, self.d = sheet, doc, doc.digits
        self.first3 = doc.columns[:3]
        self.forecast = doc.columns[3:]
        py = doc.plan_year
        self.span3 = f"{self.first3[0].year}–{self.first3[2].year}"
        self.span2 = f"{self.forecast[0].year}–{self.forecast[1].year}"
        self.py = py

    def write(self) -> None:
        s, doc = self.sheet, self.doc
        py = self.py
        s.row([Cell(1, f"БЮДЖЕТНИЙ ЗАПИТ НА {py}–{py + 2} РОКИ індивідуальний "
                       f"(Форма {py}-2)", to=LAST, style="title")])
        s.row([Cell(1, f"{doc.codes.performer} · КПКВКМБ {doc.kpkvk} · суми в гривнях",
                    to=LAST, style="subtitle")])
        s.gap()
        header_items(s, doc)
        self.goal()
        self.receipts()
        self.expenditures()
        self.directions()
        self.indicators()
        self.staff()
        self.local_programs()
        self.blank_sections()  # section 13 ends with the signatures

    # 4 ----------------------------------------------------------------------------
    def goal(self) -> None:
        s, t = self.sheet, self.doc.texts
        s.gap()
        tasks = [line.strip() for line in t.tasks.split("\n") if line.strip()]
        rows = [[Cell(1, str(i), style="box_center"),
                 Cell(2, _strip_number(line), to=LAST, style="box")]
                for i, line in enumerate(tasks, start=1)] or [
            [Cell(1, None, style="blank"), Cell(2, None, to=LAST, style="blank")]
            for _ in range(2)]
        s.block([_heading(f"4. Мета та завдання бюджетної програми на {self.py}–"
                          f"{self.py + 2} роки"),
                 _heading("4.1. Мета бюджетної програми", "subheading"),
                 [Cell(1, t.goal or None, to=LAST, style="box" if t.goal else "write")]])
        s.table([[Cell(1, "№ з/п", style="head"), Cell(2, "Завдання", to=LAST,
                                                        style="head")]], rows,
                lead=[_heading("4.2. Завдання бюджетної програми", "subheading")])
        s.block([_heading("4.3. Підстави реалізації бюджетної програми", "subheading"),
                 [Cell(1, t.legal_basis or None, to=LAST,
                       style="box" if t.legal_basis else "write")]])

    # 5 ----------------------------------------------------------------------------
    def receipts(self) -> None:
        s = self.sheet
        s.gap()
        lead = [_heading("5. Надходження для виконання бюджетної програми")]
        for title, cols in ((f"5.1. Надходження для виконання бюджетної програми у "
                             f"{self.span3} роках", self.first3),
                            (f"5.2. Надходження для виконання бюджетної програми у "
                             f"{self.span2} роках (прогноз)", self.forecast)):
            body = []
            t = self.doc.totals.units
            for fund, name in (("general", "Надходження із загального фонду бюджету"),
                               ("special", "Надходження із спеціального фонду бюджету")):
                units = {k: v for k, v in t.items() if k[1] == fund}
                cells = [Cell(1, "Х", style="box_center"), Cell(2, name, style="box")]
                cells += _amount_cells(units, cols, self.d, False)
                body.append(cells)
            body.append([Cell(1, None, style="box_center"), Cell(2, "УСЬОГО", style="box_bold"),
                         *_amount_cells(t, cols, self.d, True)])
            s.table(_year_head("Код", "Найменування", cols), body,
                    lead=[*lead, _heading(title, "subheading")])
            lead = []

    # 6 ----------------------------------------------------------------------------
    def _kekv_table(self, title: str, cols: Sequence[AmountColumn], lead: list[list[Cell]]
                    ) -> None:
        body = [[Cell(1, r.kekv, style="box_center"), Cell(2, r.name, style="box"),
                 *_amount_cells(r.units, cols, self.d, False)] for r in self.doc.rows]
        body.append([Cell(1, None, style="box_center"), Cell(2, "УСЬОГО", style="box_bold"),
                     *_amount_cells(self.doc.totals.units, cols, self.d, True)])
        self.sheet.table(_year_head("Код Економічної класифікації видатків бюджету",
                                    "Найменування", cols), body,
                         lead=[*lead, _heading(title, "subheading")])

    def expenditures(self) -> None:
        s = self.sheet
        s.gap()
        self._kekv_table(f"6.1. Видатки за кодами Економічної класифікації видатків бюджету "
                         f"у {self.span3} роках", self.first3,
                         [_heading("6. Видатки / надання кредитів за кодами Економічної "
                                   "класифікації видатків / Класифікації кредитування "
                                   "бюджету")])
        s.row([Cell(1, f"6.2. Надання кредитів за кодами Класифікації кредитування бюджету у "
                       f"{self.span3} роках: бюджетна програма кредитів не передбачає.",
                    to=LAST, style="note")])
        rate = f"{self.doc.settings.index_rate * 100:.1f}".replace(".", ",")
        self._kekv_table(f"6.3. Видатки за кодами Економічної класифікації видатків бюджету "
                         f"на {self.span2} роки (прогноз; суми {self.py} року з індексом "
                         f"{rate} % на рік)", self.forecast, [])
        s.row([Cell(1, f"6.4. Надання кредитів на {self.span2} роки: не передбачається.",
                    to=LAST, style="note")])

    # 7 ----------------------------------------------------------------------------
    def directions(self) -> None:
        s, doc = self.sheet, self.doc
        s.gap()
        lead = [_heading("7. Видатки / надання кредитів за напрямами використання бюджетних "
                         "коштів")]
        if doc.texts.directions:
            lead.append([Cell(1, "Напрями використання бюджетних коштів: "
                                 + doc.texts.directions, to=LAST, style="note")])
        for title, cols in ((f"7.1. Видатки за напрямами використання бюджетних коштів у "
                             f"{self.span3} роках", self.first3),
                            (f"7.2. Видатки за напрямами використання бюджетних коштів на "
                             f"{self.span2} роки (прогноз)", self.forecast)):
            body = []
            for dr in doc.directions:
                name = dr.name if dr.share is None or len(doc.directions) == 1 else \
                    f"{dr.name} ({_pct(dr.share)} видатків {self.py} року)"
                body.append([Cell(1, dr.number, style="box_center"),
                             Cell(2, name, style="box"),
                             *_amount_cells(dr.units, cols, self.d, False)])
            body.append([Cell(1, None, style="box_center"),
                         Cell(2, "УСЬОГО", style="box_bold"),
                         *_amount_cells(doc.totals.units, cols, self.d, True)])
            s.table(_year_head("№ з/п", "Напрями використання бюджетних коштів", cols), body,
                    lead=[*lead, _heading(title, "subheading")])
            lead = []

    # 8 ----------------------------------------------------------------------------
    def indicators(self) -> None:
        s, doc = self.sheet, self.doc
        s.gap()
        head = [[Cell(1, "№ з/п", style="head"), Cell(2, "Показники", to=3, style="head"),
                 Cell(4, "Одиниця виміру", style="head"),
                 Cell(5, "Джерело інформації", to=6, style="head"),
                 *[Cell(7 + i, c.label, style="head") for i, c in enumerate(doc.columns)]],
                [Cell(j, n, style="number", to={2: 3, 5: 6}.get(j))
                 for n, j in enumerate((1, 2, 4, 5, 7, 8, 9, 10, 11), start=1)]]
        body: list[list[Cell]] = []
        groups = {"затрат": "1", "продукту": "2", "ефективності": "3", "якості": "4"}
        for group, number in groups.items():
            items = [i for i in doc.indicators if i.group == group]
            if not items:
                continue
            body.append([Cell(1, number, style="box_center"),
                         Cell(2, group, to=LAST, style="box_bold")])
            for ind in items:
                cells = [Cell(1, ind.number, style="box_center"),
                         Cell(2, ind.name, to=3, style="box"),
                         Cell(4, ind.unit, style="box_small"),
                         Cell(5, ind.source, to=6, style="box")]
                for i, c in enumerate(doc.columns):
                    v = ind.values.get(c.key)
                    cells.append(Cell(7 + i, None if v is None else float(v), style="money",
                                      fmt=decimal_format(ind.decimals.get(c.key, 0))))
                body.append(cells)
        s.table(head, body, keep_last=1,
                lead=[_heading("8. Результативні показники бюджетної програми")])

    # 9 ----------------------------------------------------------------------------
    def staff(self) -> None:
        s, doc = self.sheet, self.doc
        s.gap()
        pay = {k: v for k, v in next((r.units for r in doc.rows if r.kekv == "2111"),
                                     {}).items()}
        lead = [_heading("9. Структура видатків на оплату праці")]
        for title, cols in ((f"9.1. Видатки на оплату праці у {self.span3} роках",
                             self.first3),
                            (f"9.2. Видатки на оплату праці на {self.span2} роки (прогноз)",
                             self.forecast)):
            top = [Cell(1, "Найменування", to=2, style="head", down=1)]
            sub, row = [], [Cell(1, "Оплата праці (КЕКВ 2111), усього", to=2, style="box")]
            for i, ac in enumerate(cols):
                c0 = 3 + 2 * i
                top.append(Cell(c0, ac.label, to=c0 + 1, style="head"))
                sub += [Cell(c0, "загальний фонд", style="head"),
                        Cell(c0 + 1, "спеціальний фонд", style="head")]
                for j, f in enumerate(FUNDS):
                    row.append(Cell(c0 + j, from_units(pay.get((ac.key, f), 0), self.d),
                                    style="money", fmt=money_format(self.d)))
            s.table([top, sub], [row], lead=[*lead, _heading(title, "subheading")])
            lead = []
        top = [Cell(1, "Категорії працівників", to=2, style="head"),
               *[Cell(3 + i, c.label, style="head") for i, c in enumerate(doc.columns)]]
        row = [Cell(1, "Усього штатних одиниць (загальний фонд)", to=2, style="box")]
        for i, c in enumerate(doc.columns):
            v = doc.posts.get(c.key)
            row.append(Cell(3 + i, v, style="money", fmt=decimal_format(2)))
        s.table([top], [row], lead=[_heading(
            f"9.3. Чисельність зайнятих у бюджетних установах у {doc.columns[0].year}–"
            f"{doc.columns[-1].year} роках", "subheading")])

    # 10 ---------------------------------------------------------------------------
    def local_programs(self) -> None:
        s, doc = self.sheet, self.doc
        s.gap()
        lead = [_heading("10. Місцеві / регіональні програми, які виконуються в межах "
                         "бюджетної програми (заходи за джерелами фінансування)")]
        rows = doc.funding_rows
        if rows.empty:
            s.block([*lead, [Cell(1, "Заходи місцевих програм у межах бюджетної програми не "
                                     "заплановано.", to=LAST, style="note")]])
            return
        head = [[Cell(1, "Рік", style="head"), Cell(2, "Захід місцевої програми", style="head"),
                 *[Cell(3 + j, t, style="head") for j, (_k, t) in enumerate(_SOURCES)]]]
        body: list[list[Cell]] = []
        fmt = money_format(self.d)
        for year, group in rows.groupby("year", sort=True):
            for r in group.itertuples(index=False):
                body.append([Cell(1, int(year), style="box_center"),
                             Cell(2, f"{r.activity_id}. {r.name}".strip(". "), style="box"),
                             *[Cell(3 + j, float(getattr(r, k)), style="money", fmt=fmt)
                               for j, (k, _t) in enumerate(_SOURCES)]])
            tot = doc.funding[doc.funding["year"] == year].iloc[0]
            body.append([Cell(1, int(year), style="box_center"),
                         Cell(2, f"Разом за {int(year)} рік", style="box_bold"),
                         *[Cell(3 + j, float(tot[k]), style="money_bold", fmt=fmt)
                           for j, (k, _t) in enumerate(_SOURCES)]])
        s.table(head, body, lead=lead)
        if doc.additional is not None:
            s.row([Cell(1, "Видатки понад граничний обсяг включено до додаткового запиту "
                           f"(Форма {self.py}-3); розділи 5–9 цієї форми — у межах "
                           "граничного обсягу.", to=LAST, style="note")])

    # 11–13 ------------------------------------------------------------------------
    def blank_sections(self) -> None:
        s, cols = self.sheet, self.doc.columns
        years = [Cell(4 + i, c.label, style="head") for i, c in enumerate(cols)]
        s.gap()
        s.table([[Cell(1, "Найменування об'єкта", to=2, style="head"),
                  Cell(3, "Загальна вартість об'єкта", style="head"), *years,
                  Cell(9, "Рівень будівельної готовності об'єкта на кінець бюджетного "
                          "періоду, %", to=LAST, style="head")]],
                [_blank_row((1, 2), 3, 4, 5, 6, 7, 8, (9, LAST)) for _ in range(2)],
                lead=[_heading(f"11. Об'єкти, які виконуються в межах бюджетної програми за "
                               f"рахунок коштів бюджету розвитку у {cols[0].year}–"
                               f"{cols[-1].year} роках")])
        s.gap()
        ex, rep = self.doc.settings.exec_year, cols[0].year
        debt_head = [[Cell(1, "Код Економічної класифікації видатків бюджету", style="head"),
                      Cell(2, "Найменування", style="head"),
                      Cell(3, "Затверджено з урахуванням змін", style="head"),
                      Cell(4, "Касові видатки", style="head"),
                      Cell(5, "Кредиторська заборгованість на початок року", style="head"),
                      Cell(6, "Кредиторська заборгованість на кінець року", style="head"),
                      Cell(7, "Зміна кредиторської заборгованості (6 − 5)", style="head"),
                      Cell(8, "Погашено за рахунок коштів загального фонду", style="head"),
                      Cell(9, "Погашено за рахунок коштів спеціального фонду", to=LAST,
                           style="head")]]
        blank = [_blank_row(1, 2, 3, 4, 5, 6, 7, 8, (9, LAST)) for _ in range(2)]
        s.table(debt_head, blank, lead=[
            _heading(f"12. Аналіз управління бюджетними зобов'язаннями та пропозиції щодо "
                     f"упорядкування бюджетних зобов'язань у {ex} році"),
            _heading(f"12.1. Кредиторська заборгованість місцевого бюджету у {rep} році",
                     "subheading")])
        s.table(debt_head, blank, lead=[_heading(
            f"12.2. Кредиторська заборгованість місцевого бюджету у {ex} році (очікувана)",
            "subheading")])
        s.table([[Cell(1, "Код Економічної класифікації видатків бюджету", style="head"),
                  Cell(2, "Найменування", style="head"),
                  Cell(3, f"Дебіторська заборгованість на 01.01.{rep}", style="head"),
                  Cell(4, f"Очікувана дебіторська заборгованість на 01.01.{ex + 1}",
                       style="head"),
                  Cell(5, "Причини виникнення заборгованості", to=8, style="head"),
                  Cell(9, "Вжиті заходи щодо погашення заборгованості", to=LAST,
                       style="head")]],
                [_blank_row(1, 2, 3, 4, (5, 8), (9, LAST)) for _ in range(2)],
                lead=[_heading(f"12.3. Дебіторська заборгованість у {rep}–{ex} роках",
                               "subheading")])
        s.block([_heading("12.4. Аналіз управління бюджетними зобов'язаннями та пропозиції "
                          "щодо упорядкування бюджетних зобов'язань", "subheading"),
                 [Cell(1, None, to=LAST, style="write")]])
        s.gap()
        s.block([_heading(f"13. Підстави та обґрунтування видатків спеціального фонду на "
                          f"{self.py}–{self.py + 2} роки за рахунок надходжень до спеціального "
                          f"фонду, аналіз результатів, досягнутих внаслідок використання коштів "
                          f"спеціального фонду бюджету у {ex} році, та очікувані результати у "
                          f"{self.py} році"),
                 [Cell(1, None, to=LAST, style="write")], *signature_rows()])


def _blank_row(*spans: int | tuple[int, int]) -> list[Cell]:
    """A bordered empty row with cells at ``spans`` (a column or a (first, last) pair),
    tall enough to write in by hand."""
    out = []
    for sp in spans:
        first, last = (sp, sp) if isinstance(sp, int) else sp
        out.append(Cell(first, None, to=last if last > first else None, style="blank"))
    return out


def _strip_number(line: str) -> str:
    """``1. Текст`` → ``Текст`` (the table numbers the tasks itself)."""
    head, _, rest = line.partition(" ")
    return rest.strip() if head.rstrip(".").isdigit() and rest.strip() else line


def write_form2(ws: Worksheet, doc: RequestDoc) -> Sheet:
    """Lay out ``doc`` as Форма 20__-2 on ``ws``; returns the planned sheet."""
    sheet = Sheet(ws, WIDTHS, landscape=True, title_rows=2)
    _Form2(sheet, doc).write()
    sheet.finish()
    return sheet
