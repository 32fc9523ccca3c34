"""The program workbook's tables, declared once as data.

Every other module (validation, both workbook adapters, the template builder,
the command line, the worksheet functions) reads these definitions instead of
spelling table names, column keys or headers itself.

A column has a language-neutral ``key`` (the SPEC's column key, also the English
header) and a Ukrainian header. The engine finds columns by header in either
language, case- and space-insensitively, in any order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .setting_keys import SETTINGS, Setting
from .vocabulary import (
    ENUM_ALIASES,
    ENUM_LABELS_UK,
    ENUMS,
    SOURCES,
    Kind,
    Lang,
    bool_label,
    enum_label,
    enum_value,
)

__all__ = [
    "Column",
    "Table",
    "Setting",
    "TABLES",
    "INPUT_TABLES",
    "OUTPUT_TABLES",
    "LOG_TABLES",
    "ENUM_LABELS_UK",
    "enum_label",
    "bool_label",
    "SETTINGS",
    "ENUMS",
    "ENUM_ALIASES",
    "MONTHS",
    "SOURCES",
    "table",
    "header",
    "sheet_name",
    "normalize_header",
    "enum_value",
    "header_votes",
    "match_columns",
]

MONTHS: tuple[str, ...] = tuple(f"m{m:02d}" for m in range(1, 13))
@dataclass(frozen=True)
class Column:
    """One column of a table."""

    key: str
    """Language-neutral key; the English header."""
    uk: str
    """Ukrainian header."""
    kind: Kind = "text"
    """How cell values are read and checked."""
    required: bool = False
    """A blank cell is an error (otherwise the default applies)."""
    default: object = None
    """Value used for a blank cell."""
    enum: str | None = None
    """Name of the enumeration in ``ENUMS`` for ``kind='enum'``; on an output column, the
    enumeration whose Ukrainian labels a Ukrainian workbook shows."""
    min: float | None = None
    """Smallest allowed value (inclusive unless ``min_exclusive``)."""
    min_exclusive: bool = False
    max: float | None = None
    """Largest allowed value (inclusive)."""
    percent_from: float | None = None
    """A rate from this value up is read, with a warning: most likely a percent typed as
    a whole number (7 for 7 %)."""
    fmt: str | None = None
    """Excel number format for the column."""
    width: float = 14
    """Column width in the template."""

    def header(self, lang: Lang) -> str:
        return self.uk if lang == "uk" else self.key


@dataclass(frozen=True)
class Table:
    """One Excel table (ListObject) of the program workbook."""

    name: str
    sheet_uk: str
    sheet_en: str
    columns: tuple[Column, ...]
    role: Literal["input", "output", "log"]
    """``input`` (read, never changed by refresh), ``output`` (rewritten by refresh) or
    ``log`` (appended by a command, never rewritten: tblSubmissions)."""
    title_uk: str = ""
    title_en: str = ""
    required: bool = False
    """Refresh cannot run without it (exit 2 when missing)."""
    keys: tuple[str, ...] = field(default=())
    consolidate: str = ""
    """The consolidation's table of this output's rows from many workbooks ("" = none)."""

    def sheet(self, lang: Lang) -> str:
        return self.sheet_uk if lang == "uk" else self.sheet_en

    def title(self, lang: Lang) -> str:
        return self.title_uk if lang == "uk" else self.title_en

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self.columns]

    def headers(self, lang: Lang) -> list[str]:
        return [c.header(lang) for c in self.columns]


MONEY = "#,##0.00"
WHOLE = "#,##0"
PCT = "0.0%"
RATE = "0.00%"
HOURS = "#,##0.0"

C = Column


def _months(lowest: float | None = 0) -> tuple[Column, ...]:
    uk = ("січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру")
    return tuple(
        C(k, f"{k} {name}", "money", min=lowest, default=None, fmt=MONEY, width=12)
        for k, name in zip(MONTHS, uk, strict=True)
    )


_EXEC_KEY = (
    C("kpkvk", "КПКВК", "code", required=True, width=11),
    C("kekv", "КЕКВ", "code", required=True, width=8),
    C("fund", "Фонд", "enum", enum="fund", default="general", width=10),
)

_VARIANCE_COLS = (
    C("kpkvk", "КПКВК", "code", width=11),
    C("kekv", "КЕКВ", "code", width=8),
    C("fund", "Фонд", "enum", enum="fund", width=10),
    C("quarter", "Квартал", "int", width=9),
    C("plan", "План кварталу", "money", fmt=MONEY),
    C("actual", "Касові видатки кварталу", "money", fmt=MONEY),
    C("variance", "Відхилення", "money", fmt=MONEY),
    C("exec_pct", "Виконання, %", "number", fmt=PCT, width=11),
    C("plan_ytd", "План з початку року", "money", fmt=MONEY),
    C("actual_ytd", "Касові з початку року", "money", fmt=MONEY),
    C("exec_pct_ytd", "Виконання з початку року, %", "number", fmt=PCT, width=11),
    C("annual_plan", "Річний план", "money", fmt=MONEY),
    C("exec_pct_annual", "Виконання річного плану, %", "number", fmt=PCT, width=11),
    C("forecast", "Прогноз на рік", "money", fmt=MONEY),
    C("flag", "Ознака", "enum", enum="flag", width=14),
)

_FUNDING_MONEY = tuple(
    C(k, uk, "money", fmt=MONEY)
    for k, uk in (
        ("need", "Потреба"),
        ("local", "Бюджет громади"),
        ("state", "Державний бюджет"),
        ("oblast", "Обласний бюджет"),
        ("donor", "Донори (МТД)"),
        ("other", "Інші джерела"),
        ("gap", "Дефіцит (+) / надлишок (−)"),
    )
)

TABLES: tuple[Table, ...] = (
    Table(
        "tblSettings", "Налаштування", "Settings",
        (
            C("key", "Параметр", "text", required=True, width=22),
            C("value", "Значення", "text", width=40),
        ),
        "input", "Налаштування", "Settings", required=True,
        keys=("key",),
    ),
    Table(
        "tblServices", "Послуги", "Services",
        (
            C("service_id", "Код послуги", "text", required=True, width=12),
            C("name", "Назва послуги", "text", required=True, width=40),
            C("unit", "Одиниця", "text", required=True, width=16),
            C("planned_units", "Планова кількість одиниць", "number", required=True,
              min=0, min_exclusive=True, fmt=WHOLE),
            C("planned_recipients", "Планова кількість отримувачів", "number", default=0,
              min=0, fmt=WHOLE),
            C("kpkvk", "КПКВК", "code", width=11),
            C("actual_units", "Фактична кількість одиниць", "number", min=0, fmt=WHOLE),
            C("actual_recipients", "Фактична кількість отримувачів", "number", min=0,
              fmt=WHOLE),
        ),
        "input", "Соціальні послуги", "Services", keys=("service_id",),
    ),
    Table(
        "tblStaff", "Штат", "Staff",
        (
            C("position_id", "Код посади", "text", required=True, width=12),
            C("title", "Посада", "text", required=True, width=34),
            C("category", "Категорія (direct/indirect)", "enum", enum="category",
              required=True, width=12),
            C("fte", "Штатні одиниці", "number", required=True, min=0, fmt="0.00", width=10),
            C("monthly_pay", "Місячний фонд оплати на ставку", "money", required=True, min=0,
              fmt=MONEY),
            C("months", "Місяців", "int", default=12, min=1, max=12, width=9),
            C("kpkvk", "КПКВК", "code", width=11),
        ),
        "input", "Штатний розпис", "Staff", keys=("position_id",),
    ),
    Table(
        "tblTime", "Час", "Time",
        (
            C("position_id", "Код посади", "text", required=True, width=12),
            C("service_id", "Код послуги", "text", required=True, width=12),
            C("share", "Частка робочого часу", "share", required=True, min=0, max=1, fmt=PCT,
              width=12),
        ),
        "input", "Розподіл робочого часу", "Time allocation",
        keys=("position_id", "service_id"),
    ),
    Table(
        "tblCosts", "Видатки", "Costs",
        (
            C("kekv", "КЕКВ", "code", required=True, width=8),
            C("description", "Опис", "text", width=40),
            C("amount", "Сума на рік", "money", required=True, min=0, fmt=MONEY),
            C("service_id", "Код послуги (порожньо = спільні)", "text", width=14),
            C("kpkvk", "КПКВК", "code", width=11),
            C("fund", "Фонд", "enum", enum="fund", default="general", width=10),
        ),
        "input", "Інші видатки", "Other costs",
    ),
    Table(
        "tblPlan", "План", "Plan", _EXEC_KEY + _months(), "input",
        "Помісячний розпис асигнувань", "Monthly plan", keys=("kpkvk", "kekv", "fund"),
    ),
    Table(
        # a month's cash may be negative: expenditure restored (returned) in that month
        "tblActuals", "Факт", "Actuals", _EXEC_KEY + _months(lowest=None), "input",
        "Касові видатки", "Cash expenditure", keys=("kpkvk", "kekv", "fund"),
    ),
    Table(
        "tblNeeds", "Потреби", "Needs",
        (
            C("activity_id", "Код заходу", "text", required=True, width=10),
            C("name", "Захід", "text", width=44),
            C("kpkvk", "КПКВК", "code", width=11),
            C("base_year", "Базовий рік", "year", required=True, width=10),
            C("base_amount", "Сума в базовому році", "money", required=True, min=0, fmt=MONEY),
            C("index_rate", "Індекс зростання", "number", min=-1, max=10, percent_from=1,
              fmt=RATE, width=10),
            C("first_year", "З року", "year", required=True, width=9),
            C("last_year", "По рік", "year", required=True, width=9),
        ),
        "input", "Потреба у фінансуванні заходів", "Funding needs",
    ),
    Table(
        "tblSources", "Джерела", "Sources",
        (
            C("activity_id", "Код заходу", "text", required=True, width=10),
            C("source", "Джерело", "enum", enum="source", required=True, width=10),
            C("rule", "Правило", "enum", enum="rule", required=True, width=11),
            C("value", "Значення", "number", min=0, fmt="#,##0.00##", width=14),
            C("currency", "Валюта", "enum", enum="currency", default="UAH", width=8),
            C("first_year", "З року", "year", required=True, width=9),
            C("last_year", "По рік", "year", required=True, width=9),
        ),
        "input", "Джерела фінансування", "Funding sources",
    ),
    Table(
        "tblProgramTotals", "Програма (підсумки)", "ProgramTotals",
        (
            C("year", "Рік", "year", required=True, width=8),
            C("source", "Джерело", "enum", enum="source", required=True, width=12),
            C("amount", "Сума за паспортом програми", "money", required=True, min=0,
              fmt=MONEY),
        ),
        "input", "Обсяги фінансування за паспортом місцевої програми",
        "Totals declared by the local program", keys=("year", "source"),
    ),
    Table(
        "tblPrograms", "Програми", "Programs",
        (
            C("kpkvk", "КПКВК", "code", required=True, width=11),
            C("name", "Назва бюджетної програми", "text", width=40),
            C("goal", "Мета", "text", width=40),
            C("tasks", "Завдання", "text", width=40),
            C("legal_basis", "Підстави", "text", width=40),
            C("directions", "Напрями використання коштів", "text", width=40),
        ),
        "input", "Тексти бюджетних програм", "Budget program texts", keys=("kpkvk",),
    ),
    Table(
        "tblHistory", "Історія", "EarlierYears",
        (
            C("kpkvk", "КПКВК", "code", required=True, width=11),
            C("kekv", "КЕКВ", "code", required=True, width=8),
            C("fund", "Фонд", "enum", enum="fund", default="general", width=12),
            C("year", "Рік", "year", required=True, width=8),
            C("amount", "Касові видатки за рік", "money", required=True, min=0, fmt=MONEY),
        ),
        "input", "Касові видатки попередніх років", "Cash expenditure of earlier years",
        keys=("kpkvk", "kekv", "fund", "year"),
    ),
    Table(
        "tblCeilings", "Граничні обсяги", "Ceilings",
        (
            C("kpkvk", "КПКВК", "code", required=True, width=11),
            C("fund", "Фонд", "enum", enum="fund", default="general", width=12),
            C("year", "Рік", "year", required=True, width=8),
            C("amount", "Граничний обсяг", "money", required=True, min=0, fmt=MONEY),
        ),
        "input", "Граничні обсяги видатків", "Expenditure ceilings",
        keys=("kpkvk", "fund", "year"),
    ),
    Table(
        "tblUnitCosts", "Вартість послуг", "UnitCosts",
        (
            C("service_id", "Код послуги", "text", width=12),
            C("name", "Назва послуги", "text", width=36),
            C("unit", "Одиниця", "text", width=14),
            C("planned_units", "Планова кількість одиниць", "number", fmt=WHOLE),
            C("planned_recipients", "Планова кількість отримувачів", "number", fmt=WHOLE),
            C("hours", "Години", "number", fmt=HOURS),
            C("direct_labor", "Прямі витрати на оплату праці з ЄСВ", "money", fmt=MONEY),
            C("direct_other", "Інші прямі витрати", "money", fmt=MONEY),
            C("indirect", "Непрямі (адміністративні) витрати", "money", fmt=MONEY),
            C("total_cost", "Повна вартість", "money", fmt=MONEY),
            C("unit_cost", "Вартість одиниці", "money", fmt=MONEY),
            C("cost_per_recipient", "Вартість на отримувача", "money", fmt=MONEY),
            C("cost_per_hour", "Вартість години", "money", fmt=MONEY),
            C("unit_tariff", "Тариф за одиницю (з ПДВ)", "money", fmt=MONEY),
        ),
        "output", "Вартість соціальних послуг", "Unit costs",
    ),
    Table(
        "tblCostByKekv", "Видатки за КЕКВ", "CostByKekv",
        (
            C("kpkvk", "КПКВК", "code", width=11),
            C("kekv", "КЕКВ", "code", width=8),
            C("fund", "Фонд", "enum", enum="fund", width=12),
            C("amount", "Сума", "money", fmt=MONEY),
        ),
        "output", "Видатки установи за КЕКВ", "Costs by economic code",
        consolidate="tblConsCostByKekv",
    ),
    Table(
        "tblVariance", "Виконання", "Variance", _VARIANCE_COLS, "output",
        "Аналіз виконання за кварталами", "Quarterly execution",
    ),
    Table(
        "tblVarianceSummary", "Виконання (підсумок)", "VarianceSummary",
        _VARIANCE_COLS + (C("as_of_month", "Останній місяць з даними", "int", width=10),),
        "output", "Виконання за програмами", "Execution by program",
        consolidate="tblConsVariance",
    ),
    Table(
        "tblQuarterTotals", "Виконання (підсумок)", "VarianceSummary",
        (
            C("quarter", "Квартал", "int", width=9),
            C("plan", "План", "money", fmt=MONEY),
            C("actual", "Касові видатки", "money", fmt=MONEY),
        ),
        "output", "План і касові видатки за кварталами", "Plan vs actual by quarter",
    ),
    Table(
        "tblFundingSplit", "Фінансування", "FundingSplit",
        (
            C("activity_id", "Код заходу", "text", width=10),
            C("year", "Рік", "int", width=8),
        ) + _FUNDING_MONEY,
        "output", "Фінансування заходів за джерелами", "Funding by activity",
    ),
    Table(
        "tblFundingSummary", "Фінансування (підсумок)", "FundingSummary",
        (C("year", "Рік", "text", width=8),) + _FUNDING_MONEY,
        "output", "Фінансування за роками та джерелами", "Funding by year and source",
        consolidate="tblConsFunding",
    ),
    Table(
        "tblChecks", "Перевірка", "Checks",
        (
            C("severity", "Рівень", "enum", enum="severity", width=13),
            C("code", "Код причини", "text", width=22),
            C("table", "Таблиця", "text", width=16),
            C("row", "Рядок", "int", width=8),
            C("column", "Стовпець", "text", width=18),
            C("message", "Повідомлення", "text", width=100),
        ),
        "output", "Перевірка вхідних даних", "Input checks",
    ),
    Table(
        "tblSubmissions", "Надіслано", "Submissions",
        (
            C("sent_at", "Час", "text", width=23),
            C("kpkvk", "КПКВК", "code", width=11),
            C("form", "Форма", "int", width=7),
            C("file", "Файл", "text", width=34),
            C("sha256", "SHA-256", "text", width=20),
            C("total", "Разом, грн", "money", fmt=MONEY),
            C("mail_to", "Кому", "text", width=28),
            C("status", "Стан", "enum", enum="status", width=14),
        ),
        "log", "Надіслані бюджетні запити", "Requests sent",
    ),
)

_BY_NAME = {t.name: t for t in TABLES}
INPUT_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.role == "input")
OUTPUT_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.role == "output")
LOG_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.role == "log")


def header_votes(t: Table, headers: list[str]) -> tuple[int, int]:
    """How many of ``t``'s columns ``headers`` name in Ukrainian and in English: the
    workbook's language is the one with more.

    >>> header_votes(table("tblTime"), ["Код посади", "service_id", "Частка робочого часу"])
    (2, 1)
    """
    heads = {normalize_header(h) for h in headers}
    return (sum(normalize_header(c.uk) in heads for c in t.columns),
            sum(normalize_header(c.key) in heads for c in t.columns))


def normalize_header(text: object) -> str:
    """Header text as compared: case-folded, whitespace collapsed."""
    return " ".join(str(text or "").split()).casefold()


def match_columns(t: Table, headers: list[str]) -> dict[str, int]:
    """Column key → position in ``headers``, by Ukrainian or English header.

    >>> match_columns(table("tblTime"), ["Частка робочого часу", "position_id", "x"])
    {'share': 0, 'position_id': 1}
    """
    wanted: dict[str, str] = {}
    for c in t.columns:
        wanted.setdefault(normalize_header(c.key), c.key)
        wanted.setdefault(normalize_header(c.uk), c.key)
    found: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = wanted.get(normalize_header(h))
        if key is not None and key not in found:
            found[key] = i
    return found


def table(name: str) -> Table:
    """The table definition named ``name`` (e.g. ``"tblStaff"``)."""
    return _BY_NAME[name]


def header(table_name: str, key: str, lang: Lang) -> str:
    return table(table_name).column(key).header(lang)


def sheet_name(table_name: str, lang: Lang) -> str:
    return table(table_name).sheet(lang)
