"""The typed reading of one cell: a number, a code, an enumeration, a text, a month.

Everything that reads what a person typed goes through here — refresh, import,
consolidation, the worksheet functions — so "1 234,50" is a number everywhere, a date
is never money anywhere, and a code keeps its zeros in every table. A value that
cannot be read raises :class:`Unreadable` with the reason code of the check it
becomes.

>>> read_number("1 234,50"), read_number(7)
(1234.5, 7.0)
>>> import datetime as dt
>>> try:
...     read_number(dt.date(2025, 5, 1))
... except Unreadable as e:
...     e.code, str(e.params["number"])
('date_in_amount', '45778')
"""

from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from decimal import Decimal

from pandas import NA

from koshtorys.core import classifiers, schema
from koshtorys.core.book import UNCALCULATED, CellError
from koshtorys.core.limits import MAX_CELL_TEXT
from koshtorys.core.money import MAX_AMOUNT

__all__ = ["Unreadable", "is_blank", "read_number", "read_cell", "read_month", "excel_serial",
           "NUMBER_KINDS", "DATES", "fmt_number", "CONTROL_CHARS", "without_controls"]

NUMBER_KINDS = ("number", "money", "share", "int", "year")
DATES = (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)
_NUM_TEXT = re.compile(r"^[+-]?\d+([.,]\d+)?$")
_GROUPED = re.compile(r"^([+-]?)([1-9]\d{0,2})[.,](\d{3})$")
""""64,500", "1.250": a separator and three digits may group thousands as well as start
a fraction, and the two readings differ a thousandfold."""
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""The characters an XML part cannot hold (tab, line feed and carriage return it can).
Excel keeps them as ``_x000B_``; they come with text pasted from Word (its manual line
break, page break, non-breaking and optional hyphens, table cell marks), and a document
cell cannot take one (openpyxl refuses the whole workbook)."""
_CONTROL_AS = {"\x0b": "\n", "\x0c": "\n", "\x1e": "-"}
"""What the control characters that mean something become: Word's manual line break and
page break a new line, its non-breaking hyphen a hyphen; every other one is dropped."""
_TYPED = str.maketrans({" ": None, "\u00a0": None, "\u202f": None, "\u2009": None,
                        "\u2212": "-"})
"""Spaces that group thousands (plain, no-break, narrow and thin, as Word and PDFs give
them) go; the minus sign U+2212 of typeset text is a minus."""
_HRYVNIAS = re.compile(r"^₴|(грн\.?|₴|uah)$", re.IGNORECASE)
"""The currency written with an amount (``1 200 грн``, ``₴1200``): amounts are hryvnias."""
_EPOCH = _dt.datetime(1899, 12, 30)
_TRUE = ("true", "1", "так", "yes", "1.0", "істина")
_FALSE = ("false", "0", "ні", "no", "0.0", "хибність")


class Unreadable(Exception):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def is_blank(v: object) -> bool:
    """None, an empty or all-space text, NaN, or pandas' NA (as pd.isna counts it)."""
    if v is None:
        return True
    if type(v) is str:
        return not v.strip()
    if type(v) is float:
        return v != v
    return v is NA


def fmt_number(x: float) -> Decimal | str:
    """A number as a check shows it: every digit it has (``1234567.89``, never
    ``1.23457e+06``), with the reader's decimal sign when the message is rendered; from
    10¹⁵ on, and a number that is not finite, as Python writes it.

    >>> fmt_number(1234567.89), fmt_number(45778.0), fmt_number(float("inf"))
    (Decimal('1234567.89'), Decimal('45778'), 'inf')
    """
    if not math.isfinite(x) or abs(x) >= 1e15:
        return str(x)
    d = Decimal(repr(float(x))).normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def excel_serial(v: object) -> float:
    """The number Excel stores for a date or time (days since 1899-12-30)."""
    if isinstance(v, _dt.datetime):
        return (v - _EPOCH).total_seconds() / 86400
    if isinstance(v, _dt.date):
        return float((v - _EPOCH.date()).days)
    if isinstance(v, _dt.time):
        return (v.hour * 3600 + v.minute * 60 + v.second + v.microsecond / 1e6) / 86400
    if isinstance(v, _dt.timedelta):
        return v.total_seconds() / 86400
    raise TypeError(v)


def _shown_date(v: object) -> str:
    if isinstance(v, _dt.datetime):
        return v.strftime("%d.%m.%Y %H:%M") if v.time() != _dt.time() else v.strftime("%d.%m.%Y")
    if isinstance(v, _dt.date):
        return v.strftime("%d.%m.%Y")
    if isinstance(v, _dt.time):
        return v.strftime("%H:%M")
    return str(v)


def _date_in_amount(v: object) -> Unreadable:
    return Unreadable("date_in_amount", value=_shown_date(v),
                      number=fmt_number(round(excel_serial(v), 6)))


def read_number(v: object) -> float:
    """A number from a number, or from text as people type it (``1 234,50``, ``22%``,
    ``1 200 грн``, ``−5``);
    a date, a time, a boolean, NaN, a text that may group thousands (``64,500``:
    ``ambiguous_number``) or any other text raises :class:`Unreadable`."""
    t = type(v)
    if t is float or t is int:
        try:
            x = float(v)  # type: ignore[arg-type]
        except OverflowError:  # a whole number past any float (~1.8e308)
            raise Unreadable("too_large", value=f"{str(v)[:12]}…",
                             max=fmt_number(MAX_AMOUNT)) from None
        if x != x:
            raise Unreadable("not_a_number", value=v)
        return x
    if isinstance(v, bool):
        raise Unreadable("not_a_number", value=v)
    if isinstance(v, numbers.Real):  # numpy scalars (np.int64 is no int subclass)
        return read_number(float(v))
    if isinstance(v, DATES):
        raise _date_in_amount(v)
    if isinstance(v, CellError):
        raise Unreadable("error_value", value=v.code)
    if isinstance(v, str):
        s = v.translate(_TYPED).strip()
        s = _HRYVNIAS.sub("", s)
        if _NUM_TEXT.match(s):
            grouped = _GROUPED.match(s)
            if grouped:
                sign, whole, part = grouped.groups()
                raise Unreadable("ambiguous_number", value=str(v)[:60],
                                 decimal=Decimal(f"{sign}{whole}.{part}").normalize(),
                                 thousands=f"{sign}{whole}{part}")
            return float(s.replace(",", "."))
        if s.endswith("%") and _NUM_TEXT.match(s[:-1]):  # "22%" typed as text
            return float(s[:-1].replace(",", ".")) / 100
    raise Unreadable("not_a_number", value=str(v)[:60])


def check_range(col: schema.Column | schema.Setting, x: float) -> float | int:
    """``x`` checked against the column's kind and bounds (int/year made whole)."""
    kind = col.kind
    if not math.isfinite(x) or abs(x) > MAX_AMOUNT:
        raise Unreadable("too_large", value=fmt_number(x), max=fmt_number(MAX_AMOUNT))
    if kind in ("int", "year"):
        if not x.is_integer():
            raise Unreadable("not_integer", value=fmt_number(x))
        if kind == "year" and not 2000 <= x <= 2100:
            raise Unreadable("bad_year", value=fmt_number(x))
        x = int(x)
    lo = col.min
    if lo is not None:
        if getattr(col, "min_exclusive", False) and x <= lo:
            raise Unreadable("not_positive", value=fmt_number(x))
        if x < lo:
            raise Unreadable("below_min", value=fmt_number(x), min=fmt_number(lo))
    if col.max is not None and x > col.max:
        raise Unreadable("above_max", value=fmt_number(x), max=fmt_number(col.max))
    return x


def read_text(v: object) -> str:
    """A text cell: whole numbers without ``.0``, dates as ISO dates; at most
    :data:`~koshtorys.core.limits.MAX_CELL_TEXT` characters."""
    if type(v) is str:
        text = v.strip()
    elif isinstance(v, float) and v.is_integer():
        text = str(int(v))
    elif isinstance(v, _dt.datetime | _dt.date):
        text = v.isoformat()[:10]
    else:
        text = str(v).strip()
    if len(text) > MAX_CELL_TEXT:
        raise Unreadable("text_too_long", max=MAX_CELL_TEXT)
    return text


def without_controls(text: str) -> tuple[str, int]:
    """``text`` without :data:`CONTROL_CHARS` (those that mean a line break or a hyphen
    become one) and how many there were.

    >>> without_controls("Догляд\x0bвдома\x07")
    ('Догляд\\nвдома', 2)
    """
    found = CONTROL_CHARS.findall(text)
    if not found:
        return text, 0
    clean = CONTROL_CHARS.sub(lambda m: _CONTROL_AS.get(m.group(), ""), text)
    return clean.strip(), len(found)


def read_cell(col: schema.Column | schema.Setting, v: object) -> object:
    """One non-blank cell's value as ``col``'s kind; raises :class:`Unreadable`.

    Codes named in :data:`koshtorys.core.classifiers.CODE_WIDTH` get their zeros back.
    """
    if v is UNCALCULATED:
        raise Unreadable("no_formula_value")
    if isinstance(v, CellError):
        raise Unreadable("error_value", value=v.code)
    kind = col.kind
    if kind == "text":
        return read_text(v)
    if kind == "code":
        key = getattr(col, "code", None) or col.key
        if key not in classifiers.CODE_WIDTH:
            return read_text(v)
        code = classifiers.code(key, v)
        if code is None:
            raise Unreadable(f"bad_{key}" if key != "edrpou" else "invalid_edrpou",
                             value=str(v)[:60])
        return code
    if kind == "enum":
        enum = col.enum or col.key
        found = schema.enum_value(enum, v)
        if found is None:
            raise Unreadable("bad_enum", value=str(v)[:60], allowed=", ".join(
                str(schema.enum_label(enum, c, "uk")) for c in schema.ENUMS[enum]))
        return found
    if kind == "bool":
        if isinstance(v, bool):
            return v
        text = str(v).strip().casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise Unreadable("bad_bool", value=str(v)[:60])
    if isinstance(v, str) and kind in ("int", "year", "share") and _HRYVNIAS.search(v.strip()):
        raise Unreadable("not_a_number", value=v[:60])  # an amount in a year, count, share
    if kind == "year" and isinstance(v, str):  # «2026 рік», «2027 р.» as people write them
        said = _YEAR_SAID.match(v)
        if said:
            v = said.group(1)
    return check_range(col, read_number(v))


_YEAR_SAID = re.compile(r"^\s*(\d{4})\s*(?:р\.?|рік|року|рр\.?|year)\s*$", re.IGNORECASE)
"""A year followed by the word for it: the number is the year (any other text is not)."""


def read_month(value: object, year: int | None = None) -> int:
    """A month number from 3, ``2025-03``, ``2025-03-31``, ``31.03.2025``, ``03.2025`` or a
    date; raises :class:`Unreadable` (``bad_month``, or ``other_year`` when the text names
    a year other than ``year``).

    >>> read_month("03.2025", 2025), read_month("2025-11"), read_month(4.0)
    (3, 11, 4)
    """
    if isinstance(value, _dt.date):
        y, m = value.year, value.month
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d{1,2}(\.0)?", text):
            m, y = int(float(text)), None
        else:
            for pat, yi, mi in ((r"(\d{4})-(\d{1,2})(-\d{1,2})?.*", 1, 2),
                                (r"\d{1,2}\.(\d{1,2})\.(\d{4}).*", 2, 1),
                                (r"(\d{1,2})\.(\d{4})", 2, 1)):
                mt = re.fullmatch(pat, text)
                if mt:
                    y, m = int(mt.group(yi)), int(mt.group(mi))
                    break
            else:
                raise Unreadable("bad_month", value=text[:60])
    if year is not None and y is not None and y != year:
        raise Unreadable("other_year", value=str(value)[:60], year=y)
    if not 1 <= m <= 12:
        raise Unreadable("bad_month", value=str(value)[:60])
    return m
