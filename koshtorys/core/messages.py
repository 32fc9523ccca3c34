"""Every user-facing text of the checks, in Ukrainian and English.

One place for each message: a reason code maps to its two templates. Templates
use ``str.format`` fields; ``{where}`` is the cell (``Штат!E7``) when known.
"""

from __future__ import annotations

__all__ = ["MESSAGES", "render", "format_money"]

MESSAGES: dict[str, tuple[str, str]] = {
    "not_number": (
        "{where}: «{value}» — не число; очікується сума або кількість.",
        "{where}: '{value}' is not a number.",
    ),
    "not_integer": (
        "{where}: «{value}» — має бути ціле число.",
        "{where}: '{value}' must be a whole number.",
    ),
    "blank_required": (
        "{where}: порожня клітинка «{header}» — заповніть її.",
        "{where}: '{header}' is blank and required.",
    ),
    "below_min": (
        "{where}: {value} — менше допустимого ({min}).",
        "{where}: {value} is below the allowed minimum ({min}).",
    ),
    "not_positive": (
        "{where}: {value} — має бути більше нуля.",
        "{where}: {value} must be greater than zero.",
    ),
    "above_max": (
        "{where}: {value} — більше допустимого ({max}).",
        "{where}: {value} is above the allowed maximum ({max}).",
    ),
    "too_large": (
        "{where}: {value} — завелике число (більше {max}); перевірте, чи не зайві нулі.",
        "{where}: {value} is too large (above {max}); check for extra zeros.",
    ),
    "bad_enum": (
        "{where}: «{value}» — невідоме значення; допустимі: {allowed}.",
        "{where}: '{value}' is not one of: {allowed}.",
    ),
    "bad_bool": (
        "{where}: «{value}» — очікується true або false.",
        "{where}: '{value}' must be true or false.",
    ),
    "bad_year": (
        "{where}: «{value}» — не схоже на рік (2000–2100).",
        "{where}: '{value}' is not a year between 2000 and 2100.",
    ),
    "bad_kekv": (
        "{where}: «{value}» — невідомий код КЕКВ (4 цифри з класифікатора).",
        "{where}: '{value}' is not a known economic code (КЕКВ, 4 digits).",
    ),
    "bad_kpkvk": (
        "{where}: «{value}» — код КПКВК має складатися з 7 цифр.",
        "{where}: '{value}' is not a 7-digit program code (КПКВК).",
    ),
    "unknown_tpkvk": (
        "{where}: «{value}» — програмна частина коду ({tail}) відсутня в класифікаторі "
        "ТПКВКМБ соціального захисту; перевірте код.",
        "{where}: '{value}' — its program part ({tail}) is not in the social-protection "
        "classifier (ТПКВКМБ); check the code.",
    ),
    "bad_edrpou": (
        "{where}: «{value}» — код ЄДРПОУ має складатися з 8 цифр.",
        "{where}: '{value}' is not an 8-digit ЄДРПОУ code.",
    ),
    "duplicate_id": (
        "{where}: «{value}» повторюється (уже є в рядку {first}).",
        "{where}: '{value}' is a duplicate (first in row {first}).",
    ),
    "duplicate_key": (
        "{where}: рядок з тими самими КПКВК/КЕКВ/фондом уже є (рядок {first}); суми додано.",
        "{where}: same program/economic code/fund as row {first}; the amounts were added.",
    ),
    "unknown_id": (
        "{where}: «{value}» відсутній у таблиці {other}.",
        "{where}: '{value}' is not in {other}.",
    ),
    "refers_invalid": (
        "{where}: «{value}» є в таблиці {other} (рядок {first}), але той рядок має помилку — "
        "виправте його, і цей рядок теж врахується.",
        "{where}: '{value}' is in {other} (row {first}), but that row has an error — fix it "
        "and this row counts again.",
    ),
    "share_sum": (
        "{where}: частки часу посади «{value}» у сумі {total} — більше 1 (100%).",
        "{where}: the time shares of post '{value}' add up to {total}, more than 1.",
    ),
    "years_order": (
        "{where}: рік початку {first} пізніше року завершення {last}.",
        "{where}: first year {first} is after last year {last}.",
    ),
    "years_overlap": (
        "{where}: роки заходу «{value}» перетинаються з рядком {first}.",
        "{where}: the years of activity '{value}' overlap row {first}.",
    ),
    "no_formula_value": (
        "{where}: формула без обчисленого значення — відкрийте й збережіть книгу в Excel "
        "або LibreOffice, щоб її перерахувати.",
        "{where}: a formula with no calculated value — open and save the workbook in Excel "
        "or LibreOffice to recalculate it.",
    ),
    "error_value": (
        "{where}: клітинка містить помилку {value}.",
        "{where}: the cell holds the error {value}.",
    ),
    "min_wage": (
        "{where}: оплата {value} грн на ставку менша за мінімальну заробітну плату "
        "{min_wage} грн; розраховано з доплатою до мінімальної.",
        "{where}: pay {value} UAH per post is below the minimum wage {min_wage} UAH; "
        "costed at the minimum wage.",
    ),
    "pool_unallocated": (
        "Непрямі витрати {amount} грн не розподілено: база розподілу «{base}» дорівнює нулю "
        "для всіх послуг.",
        "Indirect costs of {amount} UAH were not allocated: the base '{base}' is zero for "
        "every service.",
    ),
    "no_services": (
        "Немає жодної послуги в таблиці послуг — вартість не розраховано.",
        "There are no services — unit costs were not computed.",
    ),
    "two_remainders": (
        "{where}: захід «{value}» у {year} році має два джерела з правилом remainder.",
        "{where}: activity '{value}' has two remainder sources in {year}.",
    ),
    "over_promised": (
        "Захід «{value}», {year} рік: джерела ({promised} грн) перевищують потребу "
        "({need} грн) на {excess} грн.",
        "Activity '{value}', {year}: the sources ({promised} UAH) exceed the need "
        "({need} UAH) by {excess} UAH.",
    ),
    "fx_missing": (
        "{where}: не задано курс {currency} (налаштування fx_{currency}).",
        "{where}: no exchange rate for {currency} (setting fx_{currency}).",
    ),
    "setting_missing": (
        "Налаштування «{key}» не задано.",
        "The setting '{key}' is not set.",
    ),
    "setting_unknown": (
        "{where}: невідомий параметр «{value}» — його проігноровано.",
        "{where}: unknown setting '{value}' — ignored.",
    ),
    "setting_twice": (
        "{where}: параметр «{value}» уже задано в рядку {first}; діє це, нижче значення.",
        "{where}: the setting '{value}' is already set in row {first}; this later value wins.",
    ),
    "no_actuals": (
        "Касових видатків ще немає — аналіз виконання не побудовано.",
        "No cash expenditure yet — no execution analysis.",
    ),
    "table_missing": (
        "Таблиці {value} немає в книзі — цю частину не розраховано.",
        "The table {value} is not in the workbook — this part was not computed.",
    ),
    "column_missing": (
        "У таблиці {value} немає стовпця «{header}».",
        "The table {value} has no column '{header}'.",
    ),
    "no_need_years": (
        "{where}: джерело для заходу «{value}» на роки без потреби ({years}).",
        "{where}: a source of activity '{value}' covers years with no need ({years}).",
    ),
}


def render(code: str, lang: str, params: dict[str, object]) -> str:
    """The message for ``code`` in ``lang`` with ``params`` filled in."""
    uk, en = MESSAGES[code]
    template = uk if lang == "uk" else en
    shown = {k: format_money(v, lang) if type(v) is float else v for k, v in params.items()}
    return template.format_map(_Params(shown))


def format_money(x: float, lang: str = "uk", digits: int = 2) -> str:
    """An amount as people read it: «7 000,50» in Ukrainian (no-break space between
    thousands, decimal comma), "7000.50" in English.

    >>> format_money(1234567.5), format_money(1234567.5, "en"), format_money(12.0, digits=0)
    ('1\xa0234\xa0567,50', '1234567.50', '12')
    """
    if x != x or x in (float("inf"), float("-inf")):
        return str(x)
    if lang == "uk":
        return f"{x:,.{digits}f}".replace(",", "\u00a0").replace(".", ",")
    return f"{x:.{digits}f}"


class _Params(dict):  # type: ignore[type-arg]
    """Format parameters where a missing one shows as «?» instead of failing."""

    def __missing__(self, key: str) -> str:
        return "?"
