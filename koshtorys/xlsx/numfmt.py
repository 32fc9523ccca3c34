"""Which cell formats show a number as a date or a time, and the value that number means.

Excel stores a date as a number of days (45 778 is 1 May 2025) and only the cell's
number format says it is a date. A reader that ignores the format reads "01.05.2025"
as 45 778 UAH; this module lets both readers return a date instead, so the conversion
stage can say "a date in an amount cell".

A format is a date/time format when it is one of the built-in date/time formats
(numFmtId 14–22, 45–47) or when the first section of its code holds a date or time
token — ``d``, ``m``, ``y``, ``h``, ``s`` or ``AM/PM``/``A/P`` — outside quoted text
(``"…"``), brackets (``[Red]``, ``[$-422]``) and escaped characters (``\\x``, ``_x``,
``*x``). An elapsed-time format (``[h]:mm``, ``[mm]:ss``, ``[s]``; built-in 46) is a
duration. These are the rules python-calamine applies, so the fast and the XML reader
agree.

The value follows the number as python-calamine gives it, to the millisecond: a duration
is a :class:`~datetime.timedelta`; a number below 1 (no day, or before the epoch) is the
:class:`~datetime.time` of day it shows; otherwise the serial counts days from the epoch
(1900 or 1904 date system; before serial 60 from 31 December 1899, so that Excel's 29
February 1900, which never was, reads as 28 February) and a result at midnight is a
:class:`~datetime.date`, anything else a :class:`~datetime.datetime`. A number no date
can hold (after 9999) stays a number.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from typing import Literal

__all__ = ["DateKind", "format_kind", "builtin_kind", "serial_value", "is_temporal"]

DateKind = Literal["datetime", "duration"]

_BUILTIN: dict[int, DateKind] = {i: "datetime" for i in (*range(14, 23), 45, 47)}
_BUILTIN[46] = "duration"
_DATE_TOKENS = set("dmyhsDMYHS")
_ELAPSED = set("hmsHMS")


def builtin_kind(fmt_id: int) -> DateKind | None:
    """The kind of a built-in number format (no code in styles.xml)."""
    return _BUILTIN.get(fmt_id)


def format_kind(code: str) -> DateKind | None:
    """``"datetime"``, ``"duration"`` or None (a number format) for a format code.

    >>> format_kind("dd.mm.yyyy"), format_kind("[h]:mm"), format_kind('#,##0 "дн"')
    ('datetime', 'duration', None)
    """
    escaped = quoted = ampm = elapsed = False
    depth = 0
    prev = " "
    for ch in code:
        if escaped:
            escaped = False
        elif ch in "\\_*":  # the next character is a literal (escape, width, fill)
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == ";":  # only the first section: dates are positive numbers
            return None
        elif ch == "[":
            depth += 1
        elif ch == "]":
            if depth == 1 and elapsed:
                return "duration"
            depth = max(depth - 1, 0)
        elif depth == 0 and ampm and ch in "pmPM/":
            return "datetime"
        elif depth == 0 and not ampm and ch in "aA":
            ampm = True
        elif depth == 0 and not ampm and ch in _DATE_TOKENS:
            return "datetime"
        elif not (elapsed and ch.lower() == prev.lower()):
            # [h], [mm], [ss]: one letter repeated right after the bracket
            elapsed = prev == "[" and ch in _ELAPSED
        prev = ch
    return None


_DAY_MS = 86_400_000
_EPOCH_1900 = datetime(1899, 12, 30)
_EPOCH_1904 = datetime(1904, 1, 1)


def _round(x: float) -> int:
    """Half away from zero, as Rust's ``f64::round``."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def serial_value(v: float, kind: DateKind, date1904: bool = False) -> object:
    """The date, time, datetime or timedelta that serial number ``v`` shows as (to the
    millisecond); ``v`` itself when no date can hold it."""
    try:
        if kind == "duration":
            return timedelta(milliseconds=_round(v * _DAY_MS))
        if v < 1:  # no day (or before the epoch): the time of day it shows
            ms = _round((v % 1) * _DAY_MS) % _DAY_MS
            return (datetime.min + timedelta(milliseconds=ms)).time()
        if date1904:
            epoch = _EPOCH_1904
        else:  # serials before 1 March 1900 count from 31 December 1899 (Excel's leap bug)
            epoch = _EPOCH_1900 if v >= 60 else _EPOCH_1900 + timedelta(days=1)
        days = math.floor(v)
        # the time of day is rounded on its own and never carries into the next day
        when = epoch + timedelta(days=days, milliseconds=_round((v - days) * _DAY_MS) % _DAY_MS)
    except (OverflowError, ValueError):
        return v
    if when.time() == time():
        return when.date()
    return when


def is_temporal(v: object) -> bool:
    """True for the values :func:`serial_value` gives."""
    return isinstance(v, date | time | timedelta)
