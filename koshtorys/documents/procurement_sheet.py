"""The procurement justification laid out: A4 portrait, numbered bordered fields, two
small tables (the allocation, the expected value), signatures, and ``tblProcurement`` on
a hidden sheet. Values only."""

from __future__ import annotations

from pathlib import Path

from koshtorys.core.messages import format_money
from koshtorys.core.money import from_units

from .formsheet import (
    Cell,
    Form,
    decimal_format,
    money_format,
    write_form,
)
from .procurement import ProcurementDoc
from .tariff import TABLE_COLUMNS
from .tariff_sheet import signatures

__all__ = ["write_procurement"]

_W = (5, 27, 13, 13, 13, 14)
_LAST = len(_W)
_UAH = money_format(0)


def write_procurement(doc: ProcurementDoc, path: Path) -> Path:
    """Write ``doc`` as ``procurement_<plan_year>_<service_id>.xlsx`` in folder ``path``
    (or as the file ``path``), atomically; returns the file."""
    s = doc.settings
    info = [
        ("institution", s.institution), ("edrpou", s.edrpou), ("service_id", doc.service_id),
        ("service_name", doc.name), ("unit", doc.unit), ("kpkvk", doc.kpkvk),
        ("kekv", doc.kekv), ("dk021", doc.dk_class.code), ("dk021_detail", doc.dk_detail.code),
        ("plan_year", doc.plan_year), ("tariff_file", doc.tariff_file)]
    return write_form(
        path, doc.file_name, "Обґрунтування",
        lambda ws: _Layout(Form(ws, _W), doc).write(),
        ("tblProcurement", TABLE_COLUMNS, doc.table.values.tolist(), (10, 22, 8, 16)),
        ("tblProcurementInfo", info), f"Обґрунтування закупівлі {doc.plan_year}, {doc.service_id}")


def _money(x: float) -> str:
    return format_money(float(x), "uk", digits=0)


class _Layout:
    def __init__(self, form: Form, doc: ProcurementDoc) -> None:
        self.f, self.d = form, doc

    def field(self, no: str, label: str, text: object) -> None:
        self.f.row([Cell(1, no, style="center", box=True),
                    Cell(2, label, style="bold", box=True),
                    Cell(3, text, to=_LAST, box=True)])

    def write(self) -> None:
        f, d, s = self.f, self.d, self.d.settings
        f.row([Cell(1, "ОБҐРУНТУВАННЯ", to=_LAST, style="title")])
        f.row([Cell(1, "технічних та якісних характеристик предмета закупівлі, розміру "
                    "бюджетного призначення, очікуваної вартості предмета закупівлі",
                    to=_LAST, style="subtitle")])
        f.row([Cell(1, "(відповідно до пункту 4¹ постанови Кабінету Міністрів України від "
                    "11 жовтня 2016 р. № 710 «Про ефективне використання державних коштів»)",
                    to=_LAST, style="smallc")])
        f.gap()
        self.field("1", "Замовник", f"{s.institution}; код за ЄДРПОУ {s.edrpou}"
                   + (f"; {s.hromada}" if s.hromada else ""))
        self.field("2", "Назва предмета закупівлі із зазначенням коду за Єдиним "
                   "закупівельним словником", f"«{d.name}» — ДК 021:2015: {d.dk_class.code} "
                   f"«{d.dk_class.name}» ({d.dk_detail.code} «{d.dk_detail.name}»)")
        self.field("3", "Вид процедури закупівлі", "")
        self.field("4", "Ідентифікатор закупівлі", "UA-____-__-__-______-_ (після "
                   "оприлюднення оголошення)")
        recipients = (f"; кількість отримувачів — {_count(d.recipients)} осіб"
                      if d.recipients else "")
        self.field("5", "Обґрунтування технічних та якісних характеристик предмета "
                   "закупівлі", f"Соціальна послуга «{d.name}» надається відповідно до Закону "
                   "України «Про соціальні послуги» та державного стандарту цієї послуги. "
                   f"Одиниця виміру — {d.unit}; обсяг закупівлі на {d.plan_year} рік — "
                   f"{_count(d.units)}{recipients}. Додаткові вимоги до надавача та якості "
                   "послуги — у тендерній документації.")
        program = f"КПКВКМБ {d.kpkvk}" + (f" «{d.kpkvk_name}»" if d.kpkvk_name else "")
        share = (f"; очікувана вартість становить "
                 f"{d.expected / d.allocation['total'] * 100:.1f}".replace(".", ",")
                 + " % цієї суми" if d.allocation["total"] else "")
        self.field("6", "Обґрунтування розміру бюджетного призначення",
                   f"Видатки на закупівлю передбачено за {program if d.kpkvk else 'програмою'}"
                   f", КЕКВ {d.kekv} «{d.kekv_name}»: на {d.plan_year} рік "
                   f"{_money(d.allocation['total'])} грн (проєкт бюджетного запиту){share}.")
        self._allocation_table()
        self.field("7", "Обґрунтування очікуваної вартості предмета закупівлі",
                   "Очікувану вартість визначено розрахунком за тарифом послуги, обчисленим "
                   "за Методичними рекомендаціями розрахунку вартості соціальних послуг "
                   "(наказ Мінсоцполітики від 07.12.2015 № 1186) і Порядком регулювання "
                   "тарифів на соціальні послуги (постанова КМУ від 01.06.2020 № 428), з "
                   "урахуванням Примірної методики визначення очікуваної вартості предмета "
                   "закупівлі (наказ Мінекономіки від 18.02.2020 № 275): тариф × обсяг, у "
                   f"цілих гривнях. Розрахунок тарифу — файл {d.tariff_file}.")
        self._value_table()
        self.field("", "Порівняння з ринковими цінами або цінами попередніх закупівель", "")
        signatures(f, ("Керівник установи", "Уповноважена особа з публічних закупівель"),
                   _LAST)
        f.finish()

    def _allocation_table(self) -> None:
        d = self.d
        heads = ("", "Бюджетна програма, КЕКВ", "Загальний фонд, грн", "Спеціальний фонд, грн",
                 "Усього, грн", "Очікувана вартість, грн")
        head = [[Cell(j, h, style="head", box=True) for j, h in enumerate(heads, start=1)
                 if j > 1]]
        body = [[Cell(2, f"{d.kpkvk or '—'} / {d.kekv}", style="center", box=True),
                 Cell(3, d.allocation["general"], style="num", fmt=_UAH, box=True),
                 Cell(4, d.allocation["special"], style="num", fmt=_UAH, box=True),
                 Cell(5, d.allocation["total"], style="num", fmt=_UAH, box=True),
                 Cell(6, d.expected, style="num", fmt=_UAH, box=True)]]
        self.f.table(head, body, lead=[[Cell(1, None)]])
        self.f.gap()

    def _value_table(self) -> None:
        d = self.d
        heads = ("Тариф за одиницю (з ПДВ), грн", f"Обсяг, {d.unit}",
                 "Тариф × обсяг, грн", "Очікувана вартість, грн")
        head = [[Cell(j, h, style="head", box=True) for j, h in enumerate(heads, start=3)]]
        body = [[Cell(2, d.name, box=True),
                 Cell(3, from_units(d.unit_tariff), style="num", fmt=money_format(2), box=True),
                 Cell(4, d.units, style="num",
                      fmt=decimal_format(0 if float(d.units).is_integer() else 2), box=True),
                 Cell(5, from_units(d.unit_tariff) * d.units, style="num",
                      fmt=money_format(2), box=True),
                 Cell(6, d.expected, style="numb", fmt=_UAH, box=True)]]
        self.f.table(head, body, lead=[[Cell(1, None)]])
        self.f.gap()


def _count(x: float) -> str:
    if float(x).is_integer():
        return f"{int(x):,}".replace(",", "\u00a0")
    return f"{x:,.2f}".replace(",", "\u00a0").replace(".", ",")
