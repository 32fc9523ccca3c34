"""The tariff calculation laid out: A4 landscape, bordered tables, signatures, and
``tblTariff`` on a hidden sheet. Values only, no formulas, no macros."""

from __future__ import annotations

from pathlib import Path

from koshtorys.core import classifiers
from koshtorys.core.money import from_units

from .formsheet import (
    Cell,
    Form,
    decimal_format,
    money_format,
    write_form,
)
from .tariff import BASE_NAMES, TABLE_COLUMNS, TariffDoc

__all__ = ["write_tariff", "signatures", "approval"]

_W = (5, 36, 9, 11, 7, 13, 9, 12, 11, 13)
_LAST = len(_W)
_KOP = money_format(2)
_GROUP = {"ptrp": "ПТРП", "ipv": "ІПВ"}


def _uah(kop: int | None) -> float | None:
    return None if kop is None else from_units(kop)


def approval(form: Form, left: int, right: int, lines: tuple[str, ...]) -> None:
    """The ЗАТВЕРДЖЕНО / ПОГОДЖЕНО corner block, one row per line."""
    for i, text in enumerate(lines):
        form.row([Cell(left, text, to=right, style="bold" if i == 0 else "text")])


def signatures(form: Form, who: tuple[str, ...], last: int, date: bool = True) -> None:
    """Signature lines kept on one page: role, (підпис), (Власне ім'я ПРІЗВИЩЕ)."""
    rows: list[list[Cell]] = [[Cell(1, None)]]
    mid = max(last // 2, 3)
    for role in who:
        rows.append([Cell(1, role, to=mid - 1, style="bold"),
                     Cell(mid, "______________", to=mid + 1, style="center"),
                     Cell(mid + 2, "______________________________", to=last,
                          style="center")])
        rows.append([Cell(mid, "(підпис)", to=mid + 1, style="smallc"),
                     Cell(mid + 2, "(Власне ім'я ПРІЗВИЩЕ)", to=last, style="smallc")])
    if date:
        rows.append([Cell(1, "«____» ______________ 20___ р.", to=mid - 1)])
    form.block(rows)


def write_tariff(doc: TariffDoc, path: Path) -> Path:
    """Write ``doc`` as ``tariff_<plan_year>_<service_id>.xlsx`` in folder ``path`` (or as
    the file ``path``), atomically; returns the file."""
    s = doc.settings
    info = [
        ("institution", s.institution), ("edrpou", s.edrpou), ("service_id", doc.service_id),
        ("service_name", doc.name), ("unit", doc.unit), ("kpkvk", doc.kpkvk),
        ("plan_year", doc.plan_year), ("indirect_base", doc.base),
        ("vat_rate", float(s.vat_rate)), ("esv_rate", float(s.esv_rate))]
    return write_form(
        path, doc.file_name, "Тариф",
        lambda ws: _Layout(Form(ws, _W, landscape=True), doc).write(),
        ("tblTariff", TABLE_COLUMNS, doc.table.values.tolist(), (10, 26, 8, 16)),
        ("tblTariffInfo", info), f"Розрахунок тарифу {doc.plan_year}, {doc.service_id}")


class _Layout:
    def __init__(self, form: Form, doc: TariffDoc) -> None:
        self.f, self.d = form, doc

    def line(self, label: str, value: object, fmt: str = _KOP, bold: bool = False,
             to: int = _LAST - 1) -> list[Cell]:
        return [Cell(1, label, to=to, style="bold" if bold else "text", box=True),
                Cell(to + 1, value, to=_LAST, style="numb" if bold else "num", fmt=fmt,
                     box=True)]

    def write(self) -> None:
        f, d, s = self.f, self.d, self.d.settings
        approval(f, 7, _LAST, ("ЗАТВЕРДЖЕНО", "наказом (рішенням) ____________________",
                               "від «___» ____________ 20___ р. № _____"))
        f.gap()
        f.row([Cell(1, "РОЗРАХУНОК", to=_LAST, style="title")])
        f.row([Cell(1, f"вартості та тарифу соціальної послуги «{d.name}» на {d.plan_year} "
                    "рік", to=_LAST, style="subtitle")])
        f.gap()
        program = d.kpkvk + (f" «{classifiers.kpkvk_name(d.kpkvk)}»"
                             if classifiers.kpkvk_name(d.kpkvk) else "")
        facts = (
            ("Надавач соціальної послуги", f"{s.institution}, код за ЄДРПОУ {s.edrpou}"
             + (f"; {s.hromada}" if s.hromada else "")),
            ("Бюджетна програма (КПКВКМБ)", program or "—"),
            ("Одиниця виміру послуги", f"{d.unit} (код послуги {d.service_id})"),
            ("Плановий обсяг на рік", f"{_count(d.units)} ({d.unit}); отримувачів — "
             f"{_count(d.recipients)} осіб; робочий час працівників на послузі — "
             f"{_count(d.hours, 2)} год"),
            ("Підстава і структура розрахунку",
             "Методичні рекомендації розрахунку вартості соціальних послуг (наказ "
             "Мінсоцполітики від 07.12.2015 № 1186); Порядок регулювання тарифів на "
             "соціальні послуги (постанова КМУ від 01.06.2020 № 428): ВП = ПВ + ЧАВ + ПДВ, "
             "де ПВ = ЗПЄВ + ПТРП + ІПВ — прямі витрати (оплата праці з ЄСВ працівників, "
             "які надають послугу; придбання товарів, робіт і послуг; інші прямі витрати), "
             "ЧАВ — частка адміністративних витрат, ПДВ — податок на додану вартість."),
        )
        for label, text in facts:
            f.row([Cell(1, label, to=3, style="bold"), Cell(4, text, to=_LAST)])
        self._zpev()
        self._other()
        self._admin()
        self._totals()
        self._units()
        signatures(f, ("Керівник установи", "Головний бухгалтер (економіст)"), _LAST)
        f.finish()

    def _zpev(self) -> None:
        d, rate = self.d, float(self.d.settings.esv_rate)
        heads = ("№ з/п", "Посада", "Штатних одиниць", "Оплата на ставку, грн на місяць",
                 "Місяців", "Фонд оплати праці посади, грн", "Частка часу на послузі, %",
                 "Заробітна плата на послузі, грн", f"ЄСВ {rate:.0%}, грн".replace(".", ","),
                 "ЗПЄВ, грн")
        head = [[Cell(j, h, style="head", box=True) for j, h in enumerate(heads, start=1)],
                [Cell(j, j, style="colno", box=True) for j in range(1, _LAST + 1)]]
        body: list[list[Cell]] = []
        for i, p in enumerate(d.posts, start=1):
            title = p.title + (" (оплата до мінімальної заробітної плати)" if p.topped_up
                               else "")
            body.append([Cell(1, i, style="center", box=True), Cell(2, title, box=True),
                         Cell(3, p.fte, style="num", fmt=decimal_format(2), box=True),
                         Cell(4, p.pay, style="num", fmt=_KOP, box=True),
                         Cell(5, p.months, style="num", fmt="0", box=True),
                         Cell(6, from_units(p.post_payroll), style="num", fmt=_KOP, box=True),
                         Cell(7, p.share * 100, style="num", fmt=decimal_format(2), box=True),
                         Cell(8, from_units(p.wages), style="num", fmt=_KOP, box=True),
                         Cell(9, from_units(p.esv), style="num", fmt=_KOP, box=True),
                         Cell(10, from_units(p.zpev), style="num", fmt=_KOP, box=True)])
        if not body:
            body.append([Cell(1, "—", style="center", box=True),
                         Cell(2, "працівників установи з робочим часом на цій послузі немає",
                              to=9, box=True), Cell(10, 0.0, style="num", fmt=_KOP, box=True)])
        body.append([Cell(1, "Разом ЗПЄВ", to=7, style="bold", box=True),
                     Cell(8, from_units(sum(p.wages for p in d.posts)), style="numb",
                          fmt=_KOP, box=True),
                     Cell(9, from_units(sum(p.esv for p in d.posts)), style="numb", fmt=_KOP,
                          box=True),
                     Cell(10, from_units(d.zpev), style="numb", fmt=_KOP, box=True)])
        lead = [[Cell(1, None)], [Cell(1, "1. Прямі витрати на оплату праці з нарахуваннями "
                                       "(ЗПЄВ): частка кожної посади за часом на послузі",
                                       to=_LAST, style="bold")]]
        self.f.table(head, body, lead=lead)

    def _other(self) -> None:
        d = self.d
        head = [[Cell(1, "КЕКВ", style="head", box=True),
                 Cell(2, "Найменування та зміст витрат", to=7, style="head", box=True),
                 Cell(8, "Група", to=9, style="head", box=True),
                 Cell(10, "Сума, грн", style="head", box=True)]]
        body = [[Cell(1, c.kekv, style="center", box=True),
                 Cell(2, c.name + (f": {c.description}" if c.description else ""), to=7,
                      box=True),
                 Cell(8, _GROUP[c.group], to=9, style="center", box=True),
                 Cell(10, from_units(c.amount), style="num", fmt=_KOP, box=True)]
                for c in d.other]
        if not body:
            body.append([Cell(1, "—", style="center", box=True),
                         Cell(2, "інших прямих витрат на послугу немає", to=9,
                              box=True), Cell(10, 0.0, style="num", fmt=_KOP, box=True)])
        body.append(self.line("Разом ПТРП — придбання товарів, робіт і послуг",
                              _uah(d.group_total("ptrp")), bold=True))
        body.append(self.line("Разом ІПВ — інші прямі витрати", _uah(d.group_total("ipv")),
                              bold=True))
        body.append(self.line("Прямі витрати ПВ = ЗПЄВ + ПТРП + ІПВ", _uah(d.direct),
                              bold=True))
        lead = [[Cell(1, None)], [Cell(1, "2. Інші прямі витрати на послугу за кодами "
                                       "економічної класифікації видатків (КЕКВ)",
                                       to=_LAST, style="bold")]]
        self.f.table(head, body, lead=lead, keep_last=3)

    def _admin(self) -> None:
        d = self.d
        head = [[Cell(1, "№ з/п", style="head", box=True),
                 Cell(2, "Адміністративні витрати установи (усі послуги)", to=9,
                      style="head", box=True),
                 Cell(10, "Сума, грн", style="head", box=True)]]
        body = [[Cell(1, i, style="center", box=True),
                 Cell(2, (f"Оплата праці з ЄСВ: {p.name}" if p.kind == "labor"
                          else f"КЕКВ {p.key} {p.name}"), to=9, box=True),
                 Cell(10, from_units(p.amount), style="num", fmt=_KOP, box=True)]
                for i, p in enumerate(d.pool, start=1)]
        body.append(self.line("Разом адміністративні витрати установи", _uah(d.pool_total),
                              bold=True))
        hours = d.base == "hours"
        base_fmt = decimal_format(2) if hours else _KOP
        body.append(self.line(f"База розподілу ({BASE_NAMES[d.base]}): цієї послуги",
                              d.base_service, fmt=base_fmt))
        body.append(self.line("База розподілу: усіх послуг установи", d.base_total,
                              fmt=base_fmt))
        body.append(self.line("Частка послуги в базі розподілу, %", d.share * 100,
                              fmt=decimal_format(4)))
        body.append(self.line("ЧАВ — частка адміністративних витрат, віднесена на послугу "
                              "(розподіл до копійки за найбільшим залишком)",
                              _uah(d.indirect), bold=True))
        lead = [[Cell(1, None)], [Cell(1, "3. Частка адміністративних витрат (ЧАВ)",
                                       to=_LAST, style="bold")]]
        self.f.table(head, body, lead=lead, keep_last=5)

    def _totals(self) -> None:
        d = self.d
        vat = float(d.settings.vat_rate)
        body = [self.line("Прямі витрати (ПВ)", _uah(d.direct)),
                self.line("Частка адміністративних витрат (ЧАВ)", _uah(d.indirect)),
                self.line("Вартість послуги без ПДВ (ПВ + ЧАВ)", _uah(d.total_cost),
                          bold=True),
                self.line(f"ПДВ ({vat:.0%})".replace(".", ","), _uah(d.vat)),
                self.line("Вартість послуги ВП = ПВ + ЧАВ + ПДВ", _uah(d.total_cost + d.vat),
                          bold=True)]
        lead = [[Cell(1, None)], [Cell(1, "4. Вартість послуги на рік, грн", to=_LAST,
                                       style="bold")]]
        self.f.table([], body, lead=lead, keep_last=len(body) - 1)

    def _units(self) -> None:
        d = self.d
        per = f"грн за одиницю ({d.unit})"
        body = [self.line(f"Плановий обсяг, одиниць ({d.unit})", d.units,
                          fmt=decimal_format(0 if float(d.units).is_integer() else 2)),
                self.line(f"Вартість одиниці послуги без ПДВ, {per}", _uah(d.unit_cost)),
                self.line(f"ПДВ на одиницю, {per}", _uah(d.vat_unit)),
                self.line(f"Тариф за одиницю послуги (з ПДВ), {per}", _uah(d.unit_tariff),
                          bold=True),
                self.line("Планова кількість отримувачів, осіб", d.recipients,
                          fmt=decimal_format(0)),
                self.line("Вартість послуги на одного отримувача, грн",
                          _uah(d.cost_per_recipient) if d.cost_per_recipient is not None
                          else "—"),
                self.line("Робочий час працівників на послузі, годин", d.hours,
                          fmt=decimal_format(2)),
                self.line("Вартість однієї години роботи, грн",
                          _uah(d.cost_per_hour) if d.cost_per_hour is not None else "—")]
        lead = [[Cell(1, None)], [Cell(1, "5. Вартість і тариф одиниці послуги", to=_LAST,
                                       style="bold")]]
        self.f.table([], body, lead=lead, keep_last=len(body) - 1)


def _count(x: float, places: int = 0) -> str:
    """A count as the text of a sentence: 1 234 or 1 234,5."""
    if float(x).is_integer() and places == 0:
        return f"{int(x):,}".replace(",", "\u00a0")
    return f"{x:,.2f}".replace(",", "\u00a0").replace(".", ",")
