"""The checks' reason codes and their messages (Ukrainian, English)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Reason", "MESSAGES"]


class Reason(StrEnum):
    """Every reason code a check can carry: ``tblChecks.code``, the same in both
    languages, so a user or a script can filter on it."""

    NOT_A_NUMBER = "not_a_number"
    NOT_INTEGER = "not_integer"
    BLANK_REQUIRED = "blank_required"
    BELOW_MIN = "below_min"
    NOT_POSITIVE = "not_positive"
    ABOVE_MAX = "above_max"
    TOO_LARGE = "too_large"
    BAD_ENUM = "bad_enum"
    BAD_BOOL = "bad_bool"
    BAD_YEAR = "bad_year"
    BAD_KEKV = "bad_kekv"
    BAD_KPKVK = "bad_kpkvk"
    UNKNOWN_TPKVK = "unknown_tpkvk"
    INVALID_EDRPOU = "invalid_edrpou"
    DUPLICATE_ID = "duplicate_id"
    DUPLICATE_KEY = "duplicate_key"
    UNKNOWN_ID = "unknown_id"
    REFERS_INVALID = "refers_invalid"
    SHARES_OVER_ONE = "shares_over_one"
    YEARS_ORDER = "years_order"
    YEARS_OVERLAP = "years_overlap"
    NO_FORMULA_VALUE = "no_formula_value"
    ERROR_VALUE = "error_value"
    BELOW_MIN_WAGE = "below_min_wage"
    PAY_LOOKS_ANNUAL = "pay_looks_annual"
    DIRECT_POST_NO_TIME = "direct_post_no_time"
    SERVICE_NO_COST = "service_no_cost"
    POOL_UNALLOCATED = "pool_unallocated"
    NO_SERVICES = "no_services"
    TWO_REMAINDERS = "two_remainders"
    OVER_PROMISED = "over_promised"
    FX_MISSING = "fx_missing"
    SETTING_MISSING = "setting_missing"
    SETTING_UNKNOWN = "setting_unknown"
    SETTING_TWICE = "setting_twice"
    NO_ACTUALS = "no_actuals"
    ACTUALS_LOOK_CUMULATIVE = "actuals_look_cumulative"
    PLAN_LOOKS_CUMULATIVE = "plan_looks_cumulative"
    PLAN_IN_THOUSANDS = "plan_in_thousands"
    CASH_RESTORED = "cash_restored"
    COST_LOOKS_MONTHLY = "cost_looks_monthly"
    HISTORY_IN_THOUSANDS = "history_in_thousands"
    UNITS_LOOK_MONTHLY = "units_look_monthly"
    UNITS_ARE_RECIPIENTS = "units_are_recipients"
    ACTUALS_IN_THOUSANDS = "actuals_in_thousands"
    MISSING_TABLE = "missing_table"
    MISSING_COLUMN = "missing_column"
    DATE_IN_AMOUNT = "date_in_amount"
    AMBIGUOUS_NUMBER = "ambiguous_number"
    PERCENT_AS_NUMBER = "percent_as_number"
    UNUSUAL_SETTING = "unusual_setting"
    SOURCE_SHARE_OVER_ONE = "source_share_over_one"
    TEXT_TOO_LONG = "text_too_long"
    CONTROL_CHARACTERS = "control_characters"
    MISSING_TABLE_RANGE = "missing_table_range"
    HISTORY_YEAR_UNUSED = "history_year_unused"
    HISTORY_NO_REPORT_YEAR = "history_no_report_year"
    CEILING_YEAR_UNUSED = "ceiling_year_unused"
    CEILING_PROGRAM_UNKNOWN = "ceiling_program_unknown"
    PROGRAM_TEXTS_MISSING = "program_texts_missing"
    NO_PROGRAM = "no_program"
    PROGRAM_TEXTS_UNKNOWN = "program_texts_unknown"
    MISSING_TABLE_RENAMED = "missing_table_renamed"
    BROKEN_TABLE = "broken_table"
    INVALID_BUDGET_CODE = "invalid_budget_code"
    INVALID_GRK_CODE = "invalid_grk_code"
    EXECUTION_NOT_BEFORE_PLAN = "execution_not_before_plan"
    PLAN_YEAR_FAR = "plan_year_far"
    MIN_WAGE_UNKNOWN = "min_wage_unknown"
    PROGRAM_TOTAL_MISMATCH = "program_total_mismatch"
    NEED_DIFFERS_FROM_COSTS = "need_differs_from_costs"
    DOCUMENT_NOT_MADE = "document_not_made"
    NO_NEED_YEARS = "no_need_years"
    # --- budget requests (requests branch)
    DOCUMENT_SETTING_MISSING = "document_setting_missing"
    CEILING_BELOW_PROTECTED = "ceiling_below_protected"
    CEILING_IN_THOUSANDS = "ceiling_in_thousands"
    # --- documents of the cycle (passport, report, tariff, procurement)
    SERVICE_ROW_INVALID = "service_row_invalid"
    SERVICE_COSTS_NOTHING = "service_costs_nothing"
    REPORT_NO_ACTUALS = "report_no_actuals"
    REPORT_PARTIAL_YEAR = "report_partial_year"
    ACTUAL_MISSING = "actual_missing"
    PROCUREMENT_NO_ALLOCATION = "procurement_no_allocation"
    PROCUREMENT_OVER_ALLOCATION = "procurement_over_allocation"


MESSAGES: dict[str, tuple[str, str]] = {
    "not_a_number": (
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
        "{where}: «{value}» — код КПКВК має складатися з 7 цифр: код головного "
        "розпорядника (2), виконавця (1) і програми за ТПКВКМБ (4), напр. 0813104.",
        "{where}: '{value}' is not a 7-digit program code (КПКВК): the main spending unit's "
        "code (2 digits), the executor's (1) and the program's ТПКВКМБ (4), e.g. 0813104.",
    ),
    "unknown_tpkvk": (
        "{where}: «{value}» — програмна частина коду ({tail}) відсутня в класифікаторі "
        "ТПКВКМБ соціального захисту; перевірте код.",
        "{where}: '{value}' — its program part ({tail}) is not in the social-protection "
        "classifier (ТПКВКМБ); check the code.",
    ),
    "invalid_edrpou": (
        "{where}: «{value}» — недійсний код ЄДРПОУ: потрібні 8 цифр із правильною контрольною "
        "цифрою (заглушка на кшталт 00000000 не приймається).",
        "{where}: '{value}' is not a valid ЄДРПОУ code: 8 digits with a correct control digit "
        "(a placeholder such as 00000000 is refused).",
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
        "{where}: «{value}» відсутній у таблиці {other}.{note}",
        "{where}: '{value}' is not in {other}.{note}",
    ),
    "refers_invalid": (
        "{where}: «{value}» є в таблиці {other} (рядок {first}), але той рядок має помилку — "
        "виправте його, і цей рядок теж врахується.",
        "{where}: '{value}' is in {other} (row {first}), but that row has an error — fix it "
        "and this row counts again.",
    ),
    "shares_over_one": (
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
    "service_no_cost": (
        "{where}: послуга «{value}» не має жодних витрат — ні часу працівників (tblTime), ні "
        "видатків (tblCosts), а непрямі розподіляються за базою {base} — тож її вартість "
        "0 грн. Додайте її витрати або приберіть послугу.",
        "{where}: the service '{value}' has no cost at all (no staff time in tblTime, no "
        "costs in tblCosts, and the indirect costs are spread by {base}), so it costs 0 UAH. "
        "Add its costs or remove the service.",
    ),
    "direct_post_no_time": (
        "{where}: пряма посада «{value}» не має врахованих часток часу в tblTime (рядків "
        "немає або їх не враховано через помилки) — її оплату праці {amount} грн віднесено "
        "до непрямих витрат. Якщо посада працює на послуги, додайте або виправте її рядки "
        "в tblTime.",
        "{where}: the direct post '{value}' has no time shares counted in tblTime (none, or "
        "left out for errors): its labor {amount} UAH is counted as indirect. If the post "
        "works on services, add or mend its rows in tblTime.",
    ),
    "pay_looks_annual": (
        "{where}: {value} грн на ставку за місяць — це {times} мінімальних зарплат. Якщо це "
        "річна сума, введіть місячну ({monthly} грн); розраховано як введено.",
        "{where}: {value} UAH per post a month is {times} minimum wages. If it is a year's "
        "pay, type the month's ({monthly} UAH); computed as typed.",
    ),
    "below_min_wage": (
        "{where}: оплата {value} грн на ставку менша за мінімальну заробітну плату "
        "{min_wage} грн; розраховано з доплатою до мінімальної.{note}",
        "{where}: pay {value} UAH per post is below the minimum wage {min_wage} UAH; "
        "costed at the minimum wage.{note}",
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
    "missing_table": (
        "Таблиці {value} немає в книзі — {part}: не розраховано.",
        "The table {value} is not in the workbook — {part}: not computed.",
    ),
    "missing_column": (
        "У таблиці {value} немає стовпця «{header}».",
        "The table {value} has no column '{header}'.",
    ),
    "date_in_amount": (
        "{where}: «{value}» — дата або час у клітинці суми, кількості чи частки; Excel "
        "зберігає дату як число ({number}), тому її не прочитано як суму. Введіть число.",
        "{where}: '{value}' is a date or time in an amount, count, share or rate cell; Excel "
        "stores it as the number {number}, so it was not read as an amount. Type a number.",
    ),
    "units_look_monthly": (
        "{where}: послуга {value}: {units} год на рік — лише {share} % годин, які їй віддають "
        "працівники ({hours} год): чи не введено кількість за місяць? Вартість одиниці й тариф "
        "тоді завеликі в стільки ж разів; розраховано як введено.",
        "{where}: service {value}: {units} hours a year is only {share} % of the hours its "
        "staff give it ({hours} h): was a month's number typed? The cost of a unit and the "
        "tariff are then as many times too high; computed as typed.",
    ),
    "units_are_recipients": (
        "{where}: послуга {value} рахується в отримувачо-місяцях, а планова кількість "
        "одиниць ({units}) дорівнює кількості отримувачів: чи не введено отримувачів замість "
        "отримувачо-місяців (отримувачі × місяці)? Розраховано як введено.",
        "{where}: service {value} is counted in recipient-months, yet its planned units "
        "({units}) equal its recipients: were recipients typed instead of recipient-months "
        "(recipients × months)? Computed as typed.",
    ),
    "history_in_thousands": (
        "Касові видатки {year} року в tblHistory ({cash} грн) — лише {share} % річного плану "
        "{exec_year} року ({plan} грн): чи не введено звіт у тисячах гривень? Колонка «звіт» "
        "бюджетного запиту друкує їх як введено.",
        "Cash expenditure of {year} in tblHistory ({cash} UAH) is only {share} % of the "
        "annual plan of {exec_year} ({plan} UAH): was the report typed in thousands of "
        "hryvnias? The budget request's «звіт» column prints it as typed.",
    ),
    "cost_looks_monthly": (
        "{where}: КЕКВ {kekv} програми {kpkvk} на плановий рік — {cost} грн, лише {share} % "
        "річного плану року виконання ({plan} грн): чи не введено суму за місяць? «Сума на "
        "рік» — річна; розраховано як введено.",
        "{where}: КЕКВ {kekv} of program {kpkvk} for the plan year is {cost} UAH, only "
        "{share} % of the execution year's annual plan ({plan} UAH): was a month's amount "
        "typed? The amount is the year's; computed as typed.",
    ),
    "cash_restored": (
        "{where}: касові видатки {month}-го місяця від'ємні ({value} грн) — відновлено "
        "(повернено) кошти попередніх місяців? Враховано як введено; якщо мінус поставлено "
        "помилково, виправте клітинку.",
        "{where}: month {month}'s cash expenditure is negative ({value} UAH) — money of "
        "earlier months restored (returned)? Counted as typed; if the minus is a slip, "
        "correct the cell.",
    ),
    "plan_in_thousands": (
        "Касові видатки за {months} міс. ({actual} грн) у {times} разів більші за план на ці "
        "місяці ({plan} грн): чи не введено план у тисячах гривень, а касові — у гривнях? "
        "Тоді позначки «перевиконання» в аналізі хибні; проаналізовано як введено.",
        "Cash expenditure for {months} month(s) ({actual} UAH) is {times} times the plan for "
        "those months ({plan} UAH): was the plan typed in thousands of hryvnias and the cash "
        "in hryvnias? Then the analysis' \"over\" flags are wrong; analysed as typed.",
    ),
    "actuals_in_thousands": (
        "Касові видатки за {months} міс. ({actual} грн) — лише {share} % плану на ці місяці "
        "({plan} грн): чи не введено їх у тисячах гривень, а план — у гривнях? Тоді позначки "
        "«недовиконання» в аналізі хибні; проаналізовано як введено.",
        "Cash expenditure for {months} month(s) ({actual} UAH) is only {share} % of the plan "
        "for those months ({plan} UAH): was it typed in thousands of hryvnias and the plan in "
        "hryvnias? Then the analysis' \"under\" flags are wrong; analysed as typed.",
    ),
    "plan_looks_cumulative": (
        "{where}: план не меншає від місяця до місяця, а план {month}-го місяця ({plan} грн) "
        "майже дорівнює касовим видаткам із січня до нього ({actual} грн) — схоже, план "
        "введено наростаючим підсумком. tblPlan приймає план кожного місяця окремо "
        "(помісячний розпис); проаналізовано як введено.",
        "{where}: the plan never falls from month to month, and month {month}'s plan "
        "({plan} UAH) is about the cash from January to it ({actual} UAH): the plan looks "
        "typed as totals from the start of the year. tblPlan takes each month's own plan "
        "(the monthly allocation); analysed as typed.",
    ),
    "actuals_look_cumulative": (
        "{where}: касові видатки не меншають від місяця до місяця, а останній місяць "
        "({actual} грн) майже дорівнює плану з січня до нього ({plan} грн) — схоже, "
        "введено суми наростаючим підсумком, як у звіті казначейства. tblActuals приймає "
        "видатки кожного місяця окремо; звіт перетворює команда import-actuals.",
        "{where}: the cash never falls from month to month and the last month ({actual} "
        "UAH) is about the plan from January to it ({plan} UAH): these look like totals from "
        "the start of the year, as the treasury's report gives them. tblActuals takes each "
        "month's own cash; import-actuals converts a report.",
    ),
    "ambiguous_number": (
        "{where}: «{value}» — неоднозначне число: {decimal} чи {thousands}? Три цифри після "
        "коми чи крапки можуть бути й тисячами. Введіть {thousands}, якщо це тисячі, або "
        "{decimal}, якщо це дріб (дріб із трьома знаками після коми вводьте числом, не "
        "текстом).",
        "{where}: '{value}' is ambiguous: {decimal} or {thousands}? Three digits after a comma "
        "or a point may be thousands. Type {thousands} if it is thousands, or {decimal} if it "
        "is a fraction (a fraction with three decimals: type it as a number, not as text).",
    ),
    "percent_as_number": (
        "{where}: {value} прочитано як {percent} %. Якщо мали на увазі {value} %, введіть "
        "{value}% або частку (0,07 = 7 %).",
        "{where}: {value} is read as {percent} %. If you meant {value} %, type {value}% or "
        "a fraction (0.07 = 7 %).",
    ),
    "unusual_setting": (
        "{where}: {key} = {value} — поза звичним діапазоном {low}–{high}; чи не в інших "
        "одиницях (години місяця замість року, річна сума замість місячної, курс навпаки)? "
        "Розраховано як введено.",
        "{where}: {key} = {value} is outside its usual range {low}–{high}; is it in other "
        "units (a month's hours for a year's, a year's amount for a month's, the rate "
        "inverted)? Computed as typed.",
    ),
    "source_share_over_one": (
        "{where}: частка {value} — це {percent} % потреби, а джерело не може дати більше за "
        "неї. Якщо мали на увазі {value} %, введіть {value}% або частку (0,3 = 30 %); рядок "
        "не враховано.",
        "{where}: a share of {value} is {percent} % of the need, and a source cannot give "
        "more than it. If you meant {value} %, type {value}% or a fraction (0.3 = 30 %); the "
        "row is left out.",
    ),
    "control_characters": (
        "{where}: текст містить невидимі керівні символи (кількість: {count}), як буває з "
        "текстом, вставленим із Word: розрив рядка прочитано як новий рядок, решту "
        "пропущено — жоден документ не може їх містити. Щоб попередження зникло, наберіть "
        "текст у клітинці наново.",
        "{where}: the text holds invisible control characters (count: {count}), as text "
        "pasted from Word does: a line break is read as a new line, the rest are left out "
        "(no document can hold them). Retype the text in the cell to clear this warning.",
    ),
    "text_too_long": (
        "{where}: текст довший за {max} символів (межа клітинки Excel) — скоротіть його.",
        "{where}: the text is longer than {max} characters (Excel's cell limit); shorten it.",
    ),
    "missing_table_range": (
        "Таблиці {value} немає в книзі, але на аркуші «{sheet}» є її заголовки як звичайний "
        "діапазон (мабуть, після «Перетворити на діапазон»): виділіть діапазон і вставте "
        "таблицю (Ctrl+T) з назвою {value}.",
        "The table {value} is not in the workbook, but sheet '{sheet}' holds its headers as a "
        "plain range (after 'Convert to Range'?): select it, insert a table (Ctrl+T) and "
        "name it {value}.",
    ),
    "history_year_unused": (
        "{where}: касові видатки за {year} рік у tblHistory ніде не використовуються: "
        "tblHistory — для минулих років (запит на {plan_year} рік друкує звіт за {report} "
        "рік), касові видатки року виконання — у tblActuals. Чи не помилка в році?",
        "{where}: the cash of {year} in tblHistory is used by nothing: tblHistory is for "
        "years gone (the request for {plan_year} prints the report of {report}), the "
        "execution year's cash goes to tblActuals. Is the year mistyped?",
    ),
    "history_no_report_year": (
        "У tblHistory немає касових видатків за {report} рік: графа «звіт» запиту на "
        "{plan_year} рік буде порожня. Додайте їх (import-actuals бере й звіт за минулий "
        "рік) або перевірте плановий рік у налаштуваннях.",
        "tblHistory has no cash expenditure of {report}: the request for {plan_year} will "
        "print an empty report column. Add it (import-actuals takes a past year's report "
        "too) or check the plan year in the settings.",
    ),
    "ceiling_year_unused": (
        "{where}: граничний обсяг на {year} рік ніде не застосовується: запит на {plan_year} "
        "рік бере граничні обсяги на {plan_year}–{last} роки. Чи не помилка в році?",
        "{where}: the ceiling for {year} is applied nowhere: the request for {plan_year} "
        "takes the ceilings of {plan_year}–{last}. Is the year mistyped?",
    ),
    "ceiling_program_unknown": (
        "{where}: граничний обсяг для КПКВК {value}, а видатків за цією програмою в книзі "
        "немає (є: {known}) — його ніде не застосовано. Чи не помилка в коді?",
        "{where}: a ceiling for КПКВК {value}, but the workbook spends nothing on that "
        "program (it has: {known}); it is applied nowhere. Is the code mistyped?",
    ),
    "no_program": (
        "{where}: не вказано КПКВК, а послуги книги належать до кількох програм ({known}) "
        "— ці {amount} грн не ввійдуть у жоден бюджетний запит. Вкажіть КПКВК.",
        "{where}: no КПКВК, and the workbook's services belong to several programs "
        "({known}): these {amount} UAH go into no budget request. Give the КПКВК.",
    ),
    "program_texts_missing": (
        "КПКВК {kpkvk}: у tblPrograms не заповнено «{header}» — ці розділи запиту й паспорта "
        "надруковано порожніми. Заповніть рядок програми в tblPrograms.",
        "КПКВК {kpkvk}: tblPrograms has no '{header}': those sections of the request and "
        "the passport are printed empty. Fill in the program's row of tblPrograms.",
    ),
    "program_texts_unknown": (
        "{where}: тексти програми КПКВК {value}, а видатків за цією програмою в книзі "
        "немає (є: {known}) — їх не надруковано в жодному документі. Чи не помилка в коді?",
        "{where}: texts of КПКВК {value}, but the workbook spends nothing on that program "
        "(it has: {known}); no document prints them. Is the code mistyped?",
    ),
    "missing_table_renamed": (
        "Таблиці {value} немає в книзі, але на аркуші «{sheet}» є таблиця «{other}» з її "
        "заголовками: перейменуйте її на {value} (вкладка «Конструктор таблиць» → «Ім'я "
        "таблиці»).",
        "The table {value} is not in the workbook, but sheet '{sheet}' has a table '{other}' "
        "with its headers: rename it {value} (Table Design → Table Name).",
    ),
    "broken_table": (
        "Таблиця {value} на аркуші «{sheet}» пошкоджена ({reason}) — її не прочитано, "
        "{part}: не розраховано. Видаліть таблицю й вставте її знову (Ctrl+T).",
        "The table {value} on sheet '{sheet}' is damaged ({reason}) — it was not read, "
        "{part}: not computed. Delete the table and insert it again (Ctrl+T).",
    ),
    "invalid_budget_code": (
        "{where}: «{value}» — код бюджету має складатися з 10 або 11 цифр.",
        "{where}: '{value}' is not a budget code of 10 or 11 digits.",
    ),
    "invalid_grk_code": (
        "{where}: «{value}» — код головного розпорядника за ТВКВКМБ має складатися з 2 цифр.",
        "{where}: '{value}' is not a 2-digit departmental code (ТВКВКМБ).",
    ),
    "execution_not_before_plan": (
        "{where}: рік виконання {execution_year} має бути раніше планового року {plan_year}.",
        "{where}: the execution year {execution_year} must be before the plan year "
        "{plan_year}.",
    ),
    "plan_year_far": (
        "{where}: плановий рік {plan_year} більш ніж на 5 років від поточного {today}; "
        "перевірте рік.",
        "{where}: the plan year {plan_year} is more than 5 years from this year {today}; "
        "check it.",
    ),
    "min_wage_unknown": (
        "Мінімальна заробітна плата на {plan_year} рік невідома цій версії (відомі роки: "
        "{known}): задайте min_wage у налаштуваннях.",
        "The minimum wage for {plan_year} is not known to this release (known years: "
        "{known}): set min_wage in the settings.",
    ),
    "program_total_mismatch": (
        "{where}: {year} рік, {source}: програма передбачає {declared} грн, а заходи "
        "програми дають {computed} грн; різниця {difference} грн.",
        "{where}: {year}, {source}: the program declares {declared} UAH, its activities give "
        "{computed} UAH; the difference is {difference} UAH.",
    ),
    "need_differs_from_costs": (
        "КПКВК {kpkvk}, {year} рік: потреба заходів {need} грн, а видатки програми за КЕКВ "
        "{costs} грн; різниця {difference} грн — запит не може просити одну суму в розділі 6 "
        "і показувати іншу в розділі 10.",
        "КПКВК {kpkvk}, {year}: the activities need {need} UAH, the program's expenditure by "
        "КЕКВ is {costs} UAH; the difference is {difference} UAH — a request cannot ask for "
        "one sum in section 6 and show another in section 10.",
    ),
    "document_not_made": (
        "{document} для КПКВК {kpkvk} не сформовано: {reason}",
        "{document} for КПКВК {kpkvk} was not made: {reason}",
    ),
    "no_need_years": (
        "{where}: джерело для заходу «{value}» на роки без потреби ({years}).",
        "{where}: a source of activity '{value}' covers years with no need ({years}).",
    ),
    # --- budget requests (requests branch)
    "document_setting_missing": (
        "{where}: не задано «{key}» ({what}) — {document} без нього не складається; "
        "заповніть налаштування.",
        "{where}: '{key}' ({what}) is not set — no {document} is made without it; fill in "
        "the setting.",
    ),
    "ceiling_in_thousands": (
        "КПКВК {kpkvk}, {year} рік, {fund}: граничний обсяг {ceiling} грн — близько тисячної "
        "частки видатків ({total} грн); чи не введено його в тисячах гривень? tblCeilings "
        "приймає гривні (10 200 тис. грн = 10200000).",
        "КПКВК {kpkvk}, {year}, {fund}: the ceiling of {ceiling} UAH is about a thousandth of "
        "the expenditure ({total} UAH); was it typed in thousands of hryvnias? tblCeilings "
        "takes hryvnias (10 200 thousand = 10200000).",
    ),
    "ceiling_below_protected": (
        "КПКВК {kpkvk}, {year} рік, {fund}: граничний обсяг {ceiling} грн менший за захищені "
        "видатки (оплата праці, нарахування, комунальні послуги …) {protected} грн — "
        "частину захищених видатків перенесено до додаткового запиту; перевірте граничний "
        "обсяг.",
        "КПКВК {kpkvk}, {year}, {fund}: the ceiling of {ceiling} UAH is below the protected "
        "expenditure (pay, charges on pay, utilities …) of {protected} UAH — part of it went "
        "to the additional request; check the ceiling.",
    ),
    # --- documents of the cycle (passport, report, tariff, procurement)
    "service_costs_nothing": (
        "{where}: послуга {value} коштує 0 грн (у неї немає жодних витрат) — {document} для "
        "неї не сформовано.",
        "{where}: the service {value} costs 0 UAH (it has no cost at all) — no {document} "
        "was made for it.",
    ),
    "service_row_invalid": (
        "{where}: рядок послуги {value} має помилки (див. інші перевірки) — {document} для "
        "неї не сформовано.",
        "{where}: the row of service {value} has errors (see the other checks) — no "
        "{document} was made for it.",
    ),
    "report_no_actuals": (
        "{where}: для КПКВК {kpkvk} немає касових видатків {year} року — звіт про виконання "
        "паспорта не сформовано (імпортуйте виконання: koshtorys import-actuals).",
        "{where}: КПКВК {kpkvk} has no cash expenditure for {year} — the passport report was "
        "not made (import it: koshtorys import-actuals).",
    ),
    "report_partial_year": (
        "{where}: касові видатки КПКВК {kpkvk} є лише по {month}-й місяць {year} року — звіт "
        "порівнює річні призначення з виконанням за {month} міс.",
        "{where}: cash expenditure of КПКВК {kpkvk} runs only to month {month} of {year} — "
        "the report compares the annual allocation with the cash of its first {month} "
        "month(s).",
    ),
    "actual_missing": (
        "{where}: не заповнено «{header}» послуги {value} — фактичний показник у звіті про "
        "виконання паспорта залишено порожнім.",
        "{where}: '{header}' of service {value} is blank — the actual indicator of the "
        "passport report is left blank.",
    ),
    "procurement_no_allocation": (
        "КПКВК {kpkvk}: на {year} рік немає видатків за КЕКВ {kekv} — закупівля послуги "
        "{value} на {expected} грн не має бюджетного призначення.",
        "КПКВК {kpkvk}: no expenditure under КЕКВ {kekv} in {year} — the purchase of service "
        "{value} for {expected} UAH has no allocation.",
    ),
    "procurement_over_allocation": (
        "КПКВК {kpkvk}: очікувана вартість закупівлі послуги {value} ({expected} грн) більша "
        "за видатки {year} року за КЕКВ {kekv} ({allocation} грн).",
        "КПКВК {kpkvk}: the expected value of service {value} ({expected} UAH) exceeds the "
        "{year} expenditure under КЕКВ {kekv} ({allocation} UAH).",
    ),
}

# every member has its message, and every message its member
assert set(MESSAGES) == {r.value for r in Reason}
