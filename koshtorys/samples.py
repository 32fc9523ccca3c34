"""The bundled sample: two institutions built from the program documents in the seeds.

``koshtorys new --sample`` and ``koshtorys demo`` fill the workbook with
:func:`sample_frames`. Variant ``"kreminna"`` is the Kreminna 2026 social-services
program (its one year, its activities and sources as published); ``"pervomaiskyi"``
is a second institution for consolidation, shaped by the Pervomaiskyi 2021–2027
strategy (its years × sources table has no amounts, so the amounts are ours).

Where the numbers come from:

=============================  ===========================================  ===========
What                           Value                                        Source
=============================  ===========================================  ===========
Kreminna program total         11 699 527 UAH = local 10 599 527 + other    seed 003
                               1 100 000 (passport, item 10)
Kreminna activities (needs)    1.2 coordination centres 9 552 128;          seed 003,
                               1.3 equipment 50 250; 1.4 transport          section 6
                               760 633; 4.1 veterans' specialist 236 516
                               (local); 3.5 trainings 500 000; 3.7 grant
                               programs 500 000; 3.10 warming points
                               100 000 (other sources → ``donor``)
Kreminna institution           КУ «КМЦНСПКР «Добро», 20 workers, the ten    seed 003
                               services it provides
Pervomaiskyi institution       tercentre staff: 9.5 administrative, 10      seed 002,
                               service, 36 social workers, 1 social-work    section 3.2
                               specialist, 1 social worker, 0.5 family
                               doctor, 6 junior medical staff
Pervomaiskyi activities        task names, their years (2026–2027 stage)    seed 002,
                               and the sources each may use (ТГ, state,     section 7.1
                               oblast, МТД / attracted funds)
Social prevention for          249 744 UAH in 2026 (Kropyvnytskyi           seed 000
probation clients              advocacy case), reused as a Pervomaiskyi
                               activity
Minimum wage 2026              8 647 UAH/month                              FACTS.md
Pay, posts' time shares,       illustrative: plausible 2026 levels;         ours
service volumes, other costs   Kreminna's costs are tuned so the
                               institution's total (staff with ЄСВ + other
                               costs) equals its local funding 10 599 527
Execution 2025 (plan, cash)    illustrative: КЕКВ 2111/2120/2210/2240/      ours
                               2273/2800, actuals January–September, with
                               under-execution (2210, 2240), one
                               over-execution (2273) and one unplanned
                               special-fund line
Pervomaiskyi amounts, index    illustrative                                 ours
rates, EUR grant, fx rates
ЄДРПОУ, e-mail addresses       placeholders ("00000000", example.org)       ours
=============================  ===========================================  ===========

What the costing gives: the Pervomaiskyi home-care hour costs about 110 UAH in full
(direct labour about 67 UAH), near the published ≈ 70 UAH of 2024 once 2026 wages and
the administrative share are added. Kreminna's full costs are about twice its direct
costs: a relocated institution whose four centres' premises, energy and transport
form a large administrative pool.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from koshtorys.core.money import allocate, from_units, to_units

from .core import schema

__all__ = ["sample_frames", "VARIANTS"]

VARIANTS: tuple[str, ...] = ("kreminna", "pervomaiskyi")

_DOBRO = ("Комунальна установа «Кременський міський центр надання соціальних послуг "
          "та комплексної реабілітації «Добро»")
_TERCENTRE = ("Комунальна установа «Територіальний центр соціального обслуговування "
              "(надання соціальних послуг)» Первомайської міської ради")

# Month weights of a plan row: equal months, or the heating season for energy.
_PROFILES: dict[str, tuple[float, ...]] = {
    "flat": (1,) * 12,
    "heating": (40, 38, 32, 25, 20, 18, 18, 18, 20, 27, 34, 40),
    "payroll": (1, 1, 1, 1, 1, 1.08, 1.08, 1, 1, 1, 1, 1.12),
}


def _frame(table: str, rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows in the schema's column order as a DataFrame with the schema keys."""
    keys = schema.table(table).column_keys
    return pd.DataFrame([list(r) for r in rows], columns=keys)


def _settings(values: dict[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"key": list(values), "value": pd.Series(list(values.values()),
                                                                 dtype=object)})


def _monthly(annual: float, profile: str) -> list[float]:
    """An annual amount spread over the months by ``profile``, exact to the kopiyka."""
    return [from_units(u) for u in allocate(to_units(annual), _PROFILES[profile])]


def _execution(
    plan: Sequence[tuple[str, str, str, float, str]],
    ratios: dict[tuple[str, str, str], Sequence[float]],
    extra_actuals: Sequence[tuple[str, str, str, Sequence[float | None]]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plan rows from annual amounts; actual = plan × that month's ratio (through
    September); plus actual rows that have no plan at all."""
    plan_rows, actual_rows = [], []
    for kpkvk, kekv, fund, annual, profile in plan:
        months = _monthly(annual, profile)
        plan_rows.append([kpkvk, kekv, fund, *months])
        r = ratios[(kpkvk, kekv, fund)]
        actual = [round(m * x, 2) for m, x in zip(months, r, strict=False)]
        actual_rows.append([kpkvk, kekv, fund, *actual, *([None] * (12 - len(actual)))])
    for kpkvk, kekv, fund, months in extra_actuals:
        actual_rows.append([kpkvk, kekv, fund, *months, *([None] * (12 - len(months)))])
    return _frame("tblPlan", plan_rows), _frame("tblActuals", actual_rows)


# --------------------------------------------------------------------------- Kreminna

def _kreminna() -> dict[str, pd.DataFrame]:
    settings = _settings({
        "institution": _DOBRO,
        "edrpou": "00000000",
        "hromada": "Кремінська міська територіальна громада",
        "plan_year": 2026,
        "execution_year": 2025,
        "esv_rate": 0.22,
        "min_wage": 8647.0,
        "hours_per_fte": 1992.0,
        "indirect_base": "direct_labor",
        "vat_rate": 0.0,
        "under_threshold": 0.9,
        "index_rate": 0.07,
        "discount_rate": 0.1,
        "fx_EUR": 48.5,
        "fx_USD": 41.8,
        "rounding": 0,
        "mail_to": "finupr@example.org",
        "mail_from": "dobro@example.org",
        "smtp_host": "smtp.example.org",
        "smtp_port": 587,
        "smtp_starttls": "true",
        "smtp_user": "dobro@example.org",
    })
    c121, c104, c105 = "0813121", "0813104", "0813105"
    services = _frame("tblServices", [
        ("S01", "Догляд вдома", "година", 7400, 42, c104),
        ("S02", "Консультування", "консультація", 4200, 2100, c121),
        ("S03", "Представництво інтересів", "випадок", 260, 210, c121),
        ("S04", "Соціальна профілактика", "захід", 190, 1600, c121),
        ("S05", "Екстрене (кризове) втручання, консультативний кризовий телефон",
         "звернення", 1200, 640, c121),
        ("S06", "Соціальна адаптація (ВПО, ветерани війни та їхні родини)",
         "отримувач-місяць", 720, 140, c121),
        ("S07", "Натуральна допомога", "набір", 5200, 2600, c121),
        ("S08", "Комплексна реабілітація", "година", 3300, 64, c105),
        ("S09", "Інформування", "звернення", 9000, 6500, c121),
    ])
    staff = _frame("tblStaff", [
        ("P01", "Директор", "indirect", 1, 26500, 12, c121),
        ("P02", "Головний бухгалтер", "indirect", 1, 22000, 12, c121),
        ("P03", "Бухгалтер (публічні закупівлі)", "indirect", 1, 16500, 12, c121),
        ("P04", "Завідувач відділення соціальної роботи", "direct", 1, 19500, 12, c121),
        ("P05", "Фахівець із соціальної роботи", "direct", 5, 16200, 12, c121),
        ("P06", "Практичний психолог", "direct", 2, 16800, 12, c121),
        ("P07", "Соціальний робітник", "direct", 4, 10400, 12, c104),
        ("P08", "Фахівець з фізичної реабілітації", "direct", 2, 17200, 12, c105),
        ("P09", "Юрисконсульт", "direct", 1, 15800, 12, c121),
        ("P10", "Фахівець із супроводу ветеранів війни та демобілізованих осіб", "direct",
         1, 16155.50, 12, c121),
        ("P11", "Водій", "indirect", 1, 12000, 12, c121),
    ])
    time = _frame("tblTime", [
        ("P04", "S02", 0.2), ("P04", "S05", 0.2), ("P04", "S06", 0.2),
        ("P05", "S02", 0.25), ("P05", "S04", 0.25), ("P05", "S05", 0.15),
        ("P05", "S06", 0.15), ("P05", "S07", 0.1), ("P05", "S09", 0.1),
        ("P06", "S02", 0.4), ("P06", "S05", 0.4), ("P06", "S06", 0.2),
        ("P07", "S01", 0.95), ("P07", "S07", 0.05),
        ("P08", "S08", 1.0),
        ("P09", "S03", 0.8), ("P09", "S09", 0.2),
        ("P10", "S06", 0.7), ("P10", "S02", 0.3),
    ])
    g = "general"
    costs = _frame("tblCosts", [
        ("2240", "Оренда приміщень 4-х Координаційних центрів допомоги ВПО "
         "(Рівне, Дніпро, Київ, Андрушівка)", 948504.48, None, c121, g),
        ("2271", "Теплопостачання приміщень", 612000, None, c121, g),
        ("2272", "Водопостачання та водовідведення", 58800, None, c121, g),
        ("2273", "Електроенергія", 396000, None, c121, g),
        ("2240", "Зв'язок, інтернет, програмне забезпечення", 186000, None, c121, g),
        ("2210", "Пально-мастильні матеріали для службового автомобіля (захід 1.4)",
         420000, None, c121, g),
        ("2240", "Технічне обслуговування, ремонт і страхування автомобіля (захід 1.4)",
         182000, None, c121, g),
        ("2210", "Продуктові та гігієнічні набори для натуральної допомоги ВПО", 2400000,
         "S07", c121, g),
        ("2210", "Витратні матеріали для догляду вдома", 64000, "S01", c104, g),
        ("2210", "Реабілітаційне обладнання та витратні матеріали", 238000, "S08", c105, g),
        ("2210", "Оргтехніка та меблі для Координаційних центрів (захід 1.3)", 50250, None,
         c121, g),
        ("2250", "Відрядження працівників до Координаційних центрів", 96000, None, c121, g),
        ("2240", "Супервізія та підвищення кваліфікації персоналу", 72000, None, c121, g),
        ("2282", "Заходи для ветеранів війни та їхніх родин (тренінги, групи підтримки)",
         145000, "S06", c121, g),
        ("2800", "Судовий збір, інші поточні видатки", 12000, None, c121, g),
        ("2240", "Друк інформаційних матеріалів про соціальні послуги", 48000, "S09", c121, g),
    ])
    plan, actuals = _execution(
        [
            (c121, "2111", g, 2736000, "payroll"),
            (c121, "2120", g, 601920, "payroll"),
            (c121, "2210", g, 540000, "flat"),
            (c121, "2240", g, 2400000, "flat"),
            (c121, "2273", g, 330000, "heating"),
            (c121, "2800", g, 12000, "flat"),
            (c104, "2111", g, 460800, "payroll"),
            (c104, "2120", g, 101376, "payroll"),
        ],
        {
            (c121, "2111", g): (0.96, 0.97, 0.99, 0.99, 1.0, 1.01, 1.0, 1.0, 0.98),
            (c121, "2120", g): (0.96, 0.97, 0.99, 0.99, 1.0, 1.01, 1.0, 1.0, 0.98),
            (c121, "2210", g): (0.27, 0.63, 0.71, 0.4, 0.89, 0.5, 0.44, 0.79, 0.61),
            (c121, "2240", g): (0.88, 0.9, 0.95, 0.84, 0.86, 0.79, 0.86, 0.83, 0.82),
            (c121, "2273", g): (1.17, 1.16, 1.18, 1.13, 1.13, 1.13, 1.21, 1.27, 1.19),
            (c121, "2800", g): (0.0, 0.0, 3.0, 0.0, 0.0, 3.0, 0.0, 0.0, 3.0),
            (c104, "2111", g): (0.95, 0.96, 0.97, 0.98, 0.97, 0.98, 0.96, 0.97, 0.97),
            (c104, "2120", g): (0.95, 0.96, 0.97, 0.98, 0.97, 0.98, 0.96, 0.97, 0.97),
        },
        # charitable receipts of the special fund spent on food kits: no plan row
        [(c121, "2210", "special", (None, None, None, None, None, 64800.0, None, 22500.0))],
    )
    needs = _frame("tblNeeds", [
        ("KR-1.2", "Утримання 4-х Координаційних центрів допомоги ВПО з Луганської області "
         "на базі КУ «КМЦНСПКР «Добро»", c121, 2026, 9552128, 0.0, 2026, 2026),
        ("KR-1.3", "Розширення та укріплення матеріально-технічного забезпечення "
         "Координаційних центрів та КУ «КМЦНСПКР «Добро»", c121, 2026, 50250, 0.0, 2026,
         2026),
        ("KR-1.4", "Забезпечення надання транспортних послуг (утримання автомобіля, "
         "перевезення гуманітарної допомоги, доставка соціальних послуг)", c121, 2026,
         760633, 0.0, 2026, 2026),
        ("KR-4.1", "Забезпечення діяльності фахівця із супроводу ветеранів війни та "
         "демобілізованих осіб", c121, 2026, 236516, 0.0, 2026, 2026),
        ("KR-3.5", "Тренінги, навчальні бесіди, групи взаємопідтримки для отримувачів "
         "соціальних та реабілітаційних послуг", c121, 2026, 500000, 0.0, 2026, 2026),
        ("KR-3.7", "Участь у державних програмах, міжнародних проєктах, грантових програмах "
         "соціального спрямування", c121, 2026, 500000, 0.0, 2026, 2026),
        ("KR-3.10", "Забезпечення діяльності Пунктів обігріву та Пунктів незламності на базі "
         "Координаційних центрів", c121, 2026, 100000, 0.0, 2026, 2026),
    ])
    sources = _frame("tblSources", [
        ("KR-1.2", "local", "remainder", None, "UAH", 2026, 2026),
        ("KR-1.3", "local", "remainder", None, "UAH", 2026, 2026),
        ("KR-1.4", "local", "remainder", None, "UAH", 2026, 2026),
        ("KR-4.1", "local", "remainder", None, "UAH", 2026, 2026),
        ("KR-3.5", "donor", "fixed", 500000, "UAH", 2026, 2026),
        ("KR-3.7", "donor", "fixed", 500000, "UAH", 2026, 2026),
        ("KR-3.10", "donor", "share", 1.0, "UAH", 2026, 2026),
    ])
    return {
        "tblSettings": settings, "tblServices": services, "tblStaff": staff,
        "tblTime": time, "tblCosts": costs, "tblPlan": plan, "tblActuals": actuals,
        "tblNeeds": needs, "tblSources": sources,
    }


# ----------------------------------------------------------------------- Pervomaiskyi

def _pervomaiskyi() -> dict[str, pd.DataFrame]:
    settings = _settings({
        "institution": _TERCENTRE,
        "edrpou": "00000000",
        "hromada": "Первомайська міська територіальна громада",
        "plan_year": 2026,
        "execution_year": 2025,
        "esv_rate": 0.22,
        "min_wage": 8647.0,
        "hours_per_fte": 1992.0,
        "indirect_base": "direct_labor",
        "vat_rate": 0.0,
        "under_threshold": 0.9,
        "index_rate": 0.07,
        "discount_rate": 0.1,
        "fx_EUR": 48.5,
        "fx_USD": 41.8,
        "rounding": 0,
        "mail_to": "finupr@example.org",
        "mail_from": "tercentr@example.org",
        "smtp_host": "smtp.example.org",
        "smtp_port": 587,
        "smtp_starttls": "true",
        "smtp_user": "tercentr@example.org",
    })
    c104, c102 = "0813104", "0813102"
    services = _frame("tblServices", [
        ("U01", "Догляд вдома", "година", 64500, 520, c104),
        ("U02", "Догляд стаціонарний (відділення тимчасового проживання)", "ліжко-день",
         8200, 28, c102),
        ("U03", "Соціальна адаптація", "отримувач-місяць", 600, 80, c104),
        ("U04", "Натуральна допомога (перукарські, швацькі послуги, прокат технічних "
         "засобів реабілітації)", "послуга", 3000, 900, c104),
        ("U05", "Соціальна профілактика", "захід", 120, 900, c104),
        ("U06", "Представництво інтересів", "випадок", 150, 120, c104),
        ("U07", "Консультування", "консультація", 1800, 1100, c104),
    ])
    staff = _frame("tblStaff", [
        ("T01", "Директор", "indirect", 1, 27000, 12, c104),
        ("T02", "Адміністративний персонал (бухгалтерія, кадри, завідувачі відділень)",
         "indirect", 8.5, 16500, 12, c104),
        ("T03", "Обслуговуючий персонал (водій, робітник, прибиральник)", "indirect", 4, 9200,
         12, c104),
        ("T04", "Соціальний робітник", "direct", 36, 8900, 12, c104),
        ("T05", "Фахівець із соціальної роботи", "direct", 1, 15600, 12, c104),
        ("T06", "Соціальний працівник", "direct", 1, 13200, 12, c104),
        ("T07", "Сімейний лікар", "direct", 0.5, 22000, 12, c102),
        ("T08", "Молодший медичний персонал (стаціонарне відділення)", "direct", 6, 10200,
         12, c102),
        ("T09", "Обслуговуючий персонал стаціонарного відділення (кухар, пральник, "
         "прибиральник)", "direct", 6, 9200, 12, c102),
    ])
    time = _frame("tblTime", [
        ("T04", "U01", 0.92), ("T04", "U04", 0.08),
        ("T05", "U03", 0.3), ("T05", "U05", 0.3), ("T05", "U06", 0.2), ("T05", "U07", 0.2),
        ("T06", "U03", 0.3), ("T06", "U06", 0.3), ("T06", "U07", 0.4),
        ("T07", "U02", 1.0),
        ("T08", "U02", 1.0),
        ("T09", "U02", 1.0),
    ])
    g = "general"
    costs = _frame("tblCosts", [
        ("2230", "Продукти харчування (стаціонарне відділення)", 820000, "U02", c102, g),
        ("2220", "Медикаменти та перев'язувальні матеріали", 160000, "U02", c102, g),
        ("2210", "Спецодяг, миючі та дезінфекційні засоби", 140000, None, c104, g),
        ("2271", "Теплопостачання стаціонарного відділення", 640000, "U02", c102, g),
        ("2271", "Теплопостачання адміністративних приміщень", 340000, None, c104, g),
        ("2272", "Водопостачання та водовідведення", 72000, None, c104, g),
        ("2273", "Електроенергія", 410000, None, c104, g),
        ("2240", "Зв'язок, вивезення відходів, обслуговування приміщень", 260000, None, c104,
         g),
        ("2210", "Матеріали для натуральної допомоги", 95000, "U04", c104, g),
        ("2240", "Проїзд соціальних робітників до отримувачів", 180000, "U01", c104, g),
        ("2800", "Податки, збори та інші поточні видатки", 18000, None, c104, g),
    ])
    plan, actuals = _execution(
        [
            (c104, "2111", g, 6080000, "payroll"),
            (c104, "2120", g, 1337600, "payroll"),
            (c104, "2210", g, 210000, "flat"),
            (c104, "2240", g, 420000, "flat"),
            (c104, "2273", g, 380000, "heating"),
            (c104, "2800", g, 18000, "flat"),
            (c102, "2111", g, 830000, "payroll"),
            (c102, "2120", g, 182600, "payroll"),
            (c102, "2230", g, 760000, "flat"),
        ],
        {
            (c104, "2111", g): (0.97, 0.98, 0.99, 0.99, 0.98, 1.0, 0.99, 0.99, 0.98),
            (c104, "2120", g): (0.97, 0.98, 0.99, 0.99, 0.98, 1.0, 0.99, 0.99, 0.98),
            (c104, "2210", g): (0.8, 0.95, 0.9, 1.0, 0.92, 0.88, 0.95, 0.9, 0.93),
            (c104, "2240", g): (0.62, 0.7, 0.74, 0.68, 0.75, 0.72, 0.7, 0.66, 0.71),
            (c104, "2273", g): (0.98, 1.0, 0.96, 0.94, 0.97, 1.0, 0.95, 0.96, 0.99),
            (c104, "2800", g): (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
            (c102, "2111", g): (0.99, 0.99, 1.0, 1.0, 1.0, 1.0, 0.99, 1.0, 1.0),
            (c102, "2120", g): (0.99, 0.99, 1.0, 1.0, 1.0, 1.0, 0.99, 1.0, 1.0),
            (c102, "2230", g): (1.06, 1.1, 1.08, 1.05, 1.09, 1.12, 1.07, 1.08, 1.1),
        },
        [(c104, "2250", g, (None, None, None, 6400.0, None, None, None, None, 3200.0))],
    )
    needs = _frame("tblNeeds", [
        ("PV-1.0", "Розвиток соціальних послуг для дорослого населення: облаштування "
         "відділення денного перебування", c104, 2026, 640000, 0.0, 2026, 2027),
        ("PV-1.1.4", "Навчання працівників соціальної сфери роботі з особами похилого віку "
         "та особами з інвалідністю", c104, 2026, 96000, 0.07, 2026, 2027),
        ("PV-1.3.1", "Професійний паліативний догляд за місцем проживання", c104, 2026,
         420000, 0.07, 2026, 2027),
        ("PV-2.2.1", "Розвиток сімейних форм виховання: послуга патронату над дитиною", c104,
         2026, 310000, 0.05, 2026, 2027),
        ("PV-2.3.1", "Послуга раннього втручання", c104, 2026, 540000, 0.07, 2026, 2027),
        ("PV-2.3.3", "Консультування сімей щодо раннього розвитку дитини з ризиком "
         "інвалідності", c104, 2026, 75000, 0.07, 2026, 2027),
        ("PV-2.3.5", "Денний догляд для дітей з інвалідністю", c104, 2026, 380000, 0.07,
         2026, 2027),
        ("PV-2.3.6", "Тимчасовий відпочинок для батьків дітей з інвалідністю (5 сімей)", c104,
         2026, 70000, 0.0, 2026, 2026),
        ("PV-2.3.6", "Тимчасовий відпочинок для батьків дітей з інвалідністю (7 сімей)", c104,
         2027, 104860, 0.0, 2027, 2027),
        ("PV-SP", "Соціальна профілактика для осіб у складних життєвих обставинах, які "
         "перебувають на обліку органу пробації (закупівля послуги)", c104, 2026, 249744,
         0.07, 2026, 2027),
    ])
    sources = _frame("tblSources", [
        ("PV-1.0", "oblast", "share", 0.4, "UAH", 2026, 2027),
        ("PV-1.0", "state", "fixed", 120000, "UAH", 2026, 2026),
        ("PV-1.0", "local", "remainder", None, "UAH", 2026, 2027),
        ("PV-1.1.4", "donor", "fixed", 1200, "EUR", 2026, 2027),
        ("PV-1.1.4", "local", "remainder", None, "UAH", 2026, 2027),
        ("PV-2.2.1", "state", "share", 0.6, "UAH", 2026, 2027),
        ("PV-2.3.3", "donor", "share", 0.5, "UAH", 2026, 2027),
        ("PV-2.3.5", "donor", "fixed", 100000, "UAH", 2026, 2026),
        ("PV-2.3.6", "donor", "share", 0.3, "UAH", 2026, 2027),
        ("PV-SP", "local", "remainder", None, "UAH", 2026, 2027),
    ])
    return {
        "tblSettings": settings, "tblServices": services, "tblStaff": staff,
        "tblTime": time, "tblCosts": costs, "tblPlan": plan, "tblActuals": actuals,
        "tblNeeds": needs, "tblSources": sources,
    }


def sample_frames(variant: str = "kreminna") -> dict[str, pd.DataFrame]:
    """Every input table of the bundled sample, as DataFrames with the schema keys.

    ``tblSettings`` holds key/value rows. ``variant`` is one of :data:`VARIANTS`.

    >>> int(sample_frames()["tblNeeds"]["base_amount"].sum())
    11699527
    """
    builders = {"kreminna": _kreminna, "pervomaiskyi": _pervomaiskyi}
    if variant not in builders:
        raise ValueError(f"unknown sample {variant!r}; choose one of {', '.join(VARIANTS)}")
    return builders[variant]()
