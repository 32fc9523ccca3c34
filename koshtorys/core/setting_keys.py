"""The keys of ``tblSettings``: kind, default, bounds and the prompt each shows in the
template. :class:`koshtorys.core.settings.Settings` is generated from this list, and
:mod:`koshtorys.core.schema` re-exports it."""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import Kind

__all__ = ["Setting", "SETTINGS"]


@dataclass(frozen=True)
class Setting:
    """One key of ``tblSettings``."""

    key: str
    kind: Kind
    default: object
    """The value of a blank or absent key; ``None`` = none, or one that depends on the
    plan year (min_wage, hours_per_fte: :mod:`koshtorys.core.years`)."""
    uk: str
    """What the key means, shown as the cell's input prompt (Ukrainian template)."""
    en: str = ""
    """The same for the English template."""
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    percent_from: float | None = None
    """A rate from this value up is read, with a warning (a percent typed as a number)."""
    usual: tuple[float, float] | None = None
    """Where a value of this key lies (inclusive); one outside is read, with a warning:
    most likely typed in other units (a month's hours for a year's, a year's wage)."""
    code: str | None = None
    """For ``kind='code'``: which code it is (``edrpou``, ``budget_code``, ``grk_code``)."""


S = Setting
SETTINGS: tuple[Setting, ...] = (
    S("institution", "text", "", "Назва установи (розпорядника)",
      "Name of the institution (spending unit)"),
    S("edrpou", "code", "", "Код ЄДРПОУ установи (8 цифр)",
      "ЄДРПОУ code of the institution (8 digits)", code="edrpou"),
    S("hromada", "text", "", "Територіальна громада", "Territorial community (hromada)"),
    S("plan_year", "year", None, "Плановий рік", "Plan year"),
    S("execution_year", "year", None, "Рік виконання (типово плановий − 1)",
      "Execution year (default: plan year − 1)"),
    S("esv_rate", "number", 0.22, "Ставка ЄСВ", "Social contribution rate (ЄСВ)", min=0, max=1,
      usual=(0.08, 0.23)),  # 22 %, 8,41 % for workers with disabilities: 0,022 is a slip
    S("min_wage", "money", None,
      "Мінімальна заробітна плата на місяць (порожньо = за законом про бюджет на плановий рік)",
      "Monthly minimum wage (blank = the state budget law's for the plan year)", min=0,
      usual=(1000, 50000)),
    S("hours_per_fte", "number", None,
      "Річний фонд робочого часу однієї ставки, год (порожньо = за календарем планового року)",
      "Annual working hours of one full-time post (blank = the plan year's calendar)", min=0,
      usual=(1000, 2400)),
    S("indirect_base", "enum", "direct_labor",
      "База розподілу непрямих витрат: direct_labor | direct_cost | hours",
      "Base for spreading indirect costs: direct_labor | direct_cost | hours",
      enum="indirect_base"),
    S("vat_rate", "number", 0.0, "Ставка ПДВ (0 для неплатників)", "VAT rate (0 if not a payer)",
      min=0, max=1),
    S("under_threshold", "number", 0.9, "Поріг недовиконання", "Under-execution threshold",
      min=0, max=10, percent_from=2),
    S("index_rate", "number", 0.0, "Річний індекс зростання для прогнозних років",
      "Yearly growth for the forecast years", min=-1, max=10, percent_from=1),
    S("discount_rate", "number", 0.0, "Ставка дисконтування для NPV", "Discount rate for NPV",
      min=-0.99, max=10, percent_from=1),
    S("fx_EUR", "number", None, "Курс EUR, грн за 1 євро", "UAH per EUR", min=0,
      usual=(10, 200)),
    S("fx_USD", "number", None, "Курс USD, грн за 1 долар", "UAH per USD", min=0,
      usual=(10, 200)),
    S("rounding", "int", 0, "Знаків після коми в запитах і фінансуванні (0 = гривні)",
      "Decimals in requests and funding (0 = whole hryvnias)", min=0, max=2),
    S("mail_to", "text", "", "Кому надсилати запити (фінансове управління)",
      "Where requests are mailed (finance department)"),
    S("mail_from", "text", "", "Від кого", "Sender address"),
    S("smtp_host", "text", "", "SMTP-сервер", "SMTP server"),
    S("smtp_port", "int", 587, "Порт SMTP", "SMTP port", min=1, max=65535),
    S("smtp_starttls", "bool", True, "STARTTLS (так/ні)", "STARTTLS (true/false)"),
    S("smtp_user", "text", "", "Користувач SMTP (пароль — лише у KOSHTORYS_SMTP_PASSWORD)",
      "SMTP user (the password only in KOSHTORYS_SMTP_PASSWORD)"),
    S("grk", "text", "", "Головний розпорядник коштів (порожньо = установа)",
      "Main spending unit (blank = the institution)"),
    S("grk_code", "code", "", "Код головного розпорядника за ТВКВКМБ (2 цифри, напр. 08)",
      "Main spending unit's departmental code, ТВКВКМБ (2 digits, e.g. 08)", code="grk_code"),
    S("grk_edrpou", "code", "", "Код ЄДРПОУ головного розпорядника (8 цифр)",
      "ЄДРПОУ code of the main spending unit (8 digits)", code="edrpou"),
    S("budget_code", "code", "", "Код бюджету громади (10 або 11 цифр, як у казначействі)",
      "The hromada budget's code (10 or 11 digits, as the treasury writes it)",
      code="budget_code"),
    S("portal_url", "text", "https://api.openbudget.gov.ua",
      "Адреса API порталу «Відкритий бюджет»", "Base of the open budget portal's API"),
    S("change_threshold", "number", 0.2,
      "Поріг зміни рядка запиту порівняно з надісланим (0,2 = 20%)",
      "Share a request line may move against the last one sent before a warning",
      min=0, max=100, percent_from=2),
)
