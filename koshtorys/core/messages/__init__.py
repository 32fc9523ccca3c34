"""Every user-facing text, in Ukrainian and English: the one place for each message.

* :class:`Reason` — the reason codes of the checks (``tblChecks.code``) and
  :data:`MESSAGES`, their two templates; ``{where}`` is the cell (``Штат!E7``).
* :data:`TEXTS` — every other line the product says: the command line, the ribbon
  buttons, the worksheet functions, the one-line refusals.

Templates use ``str.format`` fields; a missing field shows as «?» instead of failing.
"""

from __future__ import annotations

import functools
from decimal import Decimal

__all__ = ["Reason", "MESSAGES", "TEXTS", "render", "text", "format_money"]


from .checks import MESSAGES, Reason
from .lines import TEXTS


def render(code: str, lang: str, params: dict[str, object]) -> str:
    """The check message for reason ``code`` in ``lang`` with ``params`` filled in; amounts
    (floats) as :func:`format_money` writes them, exact numbers (Decimal) with their own
    digits and the language's decimal sign."""
    uk, en = MESSAGES[code]
    template = uk if lang == "uk" else en
    shown = {"note": ""} | {k: _shown(v, lang) for k, v in params.items()}
    _name_part(shown, lang)
    _header_part(shown, lang)
    return template.format_map(_Params(shown))


def text(key: str, lang: str, **params: object) -> str:
    """The line ``key`` of :data:`TEXTS` in ``lang`` with ``params`` filled in.

    >>> text("refreshed", "en", path="a.xlsx", only="")
    'refreshed a.xlsx'
    """
    uk, en = TEXTS[key]
    shown = {k: _shown(v, lang) for k, v in params.items()}
    _name_part(shown, lang)
    return (uk if lang == "uk" else en).format_map(_Params(shown))


def _shown(v: object, lang: str) -> object:
    """A float is an amount (two decimals); a Decimal a number as typed ("1,125")."""
    if type(v) is float:
        return format_money(v, lang)
    if isinstance(v, Decimal):  # Ukrainian: «1 000», «1,125»
        if lang == "uk":
            return f"{v:,f}".replace(",", "\u00a0").replace(".", ",")
        return f"{v:f}"
    return v


def _name_part(shown: dict[str, object], lang: str) -> None:
    """A part (``costing``), a funding source (``other``), a document (``tariff``) or an
    added sentence (``note``, filled from the same params) named by its code is said in
    the reader's language."""
    fund = shown.get("fund")
    if fund in ("general", "special"):  # a fund named by its code: the reader's word
        from koshtorys.core import schema

        shown["fund"] = schema.enum_label("fund", fund, lang)  # type: ignore[arg-type]
    for key in ("part", "source", "document", "note"):
        code = shown.get(key)
        if isinstance(code, str) and f"{key}_{code}" in TEXTS:
            uk, en = TEXTS[f"{key}_{code}"]
            shown[key] = (uk if lang == "uk" else en).format_map(_Params(shown))


def _header_part(shown: dict[str, object], lang: str) -> None:
    """A column named by its Ukrainian header (``header``, several joined by `` / ``) is
    named in English by its key — the English template's header — so an English message
    never asks for a Ukrainian column. Each Ukrainian header is one key in the schema."""
    header = shown.get("header")
    if lang == "uk" or not isinstance(header, str):
        return
    keys = _keys_of_headers()
    shown["header"] = " / ".join(keys.get(h, h) for h in header.split(" / "))


@functools.cache
def _keys_of_headers() -> dict[str, str]:
    from koshtorys.core import schema  # on first use: the messages stay a leaf package

    return {c.header("uk"): c.key for t in schema.TABLES for c in t.columns}


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
