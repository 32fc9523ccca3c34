"""The words the tables use: languages, column kinds, the enumeration codes and how a
Ukrainian workbook spells them. Declared here once; :mod:`koshtorys.core.schema`
re-exports every name, so callers keep one place to look things up."""

from __future__ import annotations

from typing import Literal

__all__ = ["Lang", "Kind", "SOURCES", "ENUMS", "ENUM_LABELS_UK", "ENUM_ALIASES",
           "enum_value", "enum_label", "bool_label"]

Lang = Literal["uk", "en"]

#: Column kinds. ``code`` is text made of digits whose leading zeros matter.
Kind = Literal["text", "code", "number", "money", "int", "year", "share", "enum", "bool"]

SOURCES: tuple[str, ...] = ("local", "state", "oblast", "donor", "other")
"""Funding sources, in the order of every table and form: ``donor`` is international
technical assistance and grants (МТД), ``other`` every other lawful source (own
revenues of the special fund, charity, sponsors); they are never merged."""

#: Allowed values of each enumeration (stored as these codes in every language).
ENUMS: dict[str, tuple[str, ...]] = {
    "category": ("direct", "indirect"),
    "fund": ("general", "special"),
    "source": SOURCES,
    "rule": ("fixed", "share", "remainder"),
    "currency": ("UAH", "EUR", "USD"),
    "indirect_base": ("direct_labor", "direct_cost", "hours"),
    "severity": ("error", "warning"),
    "flag": ("unplanned", "over", "under", "ok"),
    "status": ("sent", "draft", "failed"),
}

#: How a Ukrainian workbook spells the values the product writes (and offers in its
#: drop-down lists); each is also read back as its code. Codes not listed here are
#: written as they are in both languages (UAH, EUR, direct_labor …).
ENUM_LABELS_UK: dict[str, dict[str, str]] = {
    "category": {"direct": "прямі", "indirect": "непрямі"},
    "fund": {"general": "загальний", "special": "спеціальний"},
    "source": {"local": "місцевий", "state": "державний", "oblast": "обласний",
               "donor": "МТД", "other": "інші"},
    "rule": {"fixed": "фіксована", "share": "частка", "remainder": "залишок"},
    "severity": {"error": "помилка", "warning": "попередження"},
    "flag": {"unplanned": "незаплановано", "over": "перевиконання", "under": "недовиконання",
             "ok": "норма"},
    "status": {"sent": "надіслано", "draft": "чернетка", "failed": "не надіслано"},
}

#: Ukrainian spellings a user may type instead of the code (lower-case).
ENUM_ALIASES: dict[str, dict[str, str]] = {
    "category": {"прямі": "direct", "прямий": "direct", "непрямі": "indirect",
                 "непрямий": "indirect", "адміністративні": "indirect"},
    "fund": {"загальний": "general", "спеціальний": "special", "зф": "general",
             "сф": "special", "c": "general", "s": "special",  # C/S: treasury reports
             "загальний фонд": "general", "спеціальний фонд": "special",
             "спецфонд": "special", "general fund": "general", "special fund": "special"},
    "source": {"місцевий": "local", "бюджет тг": "local", "бюджет громади": "local",
               "місцевий бюджет": "local", "державний": "state", "державний бюджет": "state",
               "обласний": "oblast", "обласний бюджет": "oblast", "донор": "donor", "мтд": "donor",
               "донори": "donor", "інші": "other", "інші джерела": "other"},
    "rule": {"фіксована": "fixed", "частка": "share", "залишок": "remainder"},
    "currency": {"грн": "UAH", "uah": "UAH", "eur": "EUR", "євро": "EUR",
                 "usd": "USD", "дол": "USD"},
}


def enum_value(enum: str, value: object) -> str | None:
    """The code of ``enum`` that ``value`` spells (the code itself in any case, or a
    Ukrainian alias); ``None`` when it spells none.

    >>> enum_value("fund", "Загальний"), enum_value("fund", "S"), enum_value("fund", "T")
    ('general', 'special', None)
    """
    text = " ".join(str(value).split()).casefold()  # "загальний\xa0 фонд" too
    for code in ENUMS[enum]:
        if text == code.casefold():
            return code
    for code, label in ENUM_LABELS_UK.get(enum, {}).items():
        if text == label.casefold():
            return code
    return ENUM_ALIASES.get(enum, {}).get(text)


def enum_label(enum: str, code: object, lang: Lang) -> object:
    """How ``lang`` spells the value ``code`` of ``enum`` (the code itself in English or
    when it has no Ukrainian label).

    >>> enum_label("flag", "under", "uk"), enum_label("flag", "under", "en")
    ('недовиконання', 'under')
    """
    if lang != "uk" or not isinstance(code, str):
        return code
    return ENUM_LABELS_UK.get(enum, {}).get(code, code)


_BOOL_LABELS = {"uk": ("так", "ні"), "en": ("true", "false")}


def bool_label(value: object, lang: Lang) -> object:
    """How ``lang`` writes a yes/no setting (``так``/``ні``, ``true``/``false``); any
    other value is returned as it is.

    >>> bool_label(True, "uk"), bool_label(False, "en")
    ('так', 'false')
    """
    if isinstance(value, bool):
        return _BOOL_LABELS[lang][0 if value else 1]
    return value
