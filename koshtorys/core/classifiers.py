"""Budget classifiers as data: КЕКВ and ТПКВКМБ codes with their Ukrainian names.

The lists live in ``koshtorys/data/kekv.csv`` and ``koshtorys/data/tpkvk.csv``
(``code,name_uk``) so a finance officer can read and correct them without touching
code. They are read once, on first use.

>>> kekv_name("2111")
'Заробітна плата'
>>> normalize_code(813104, 7)
'0813104'
"""

from __future__ import annotations

import csv
import functools
import math
import re
from collections.abc import Iterable
from importlib import resources
from numbers import Integral, Real

__all__ = ["CODE_WIDTH", "code", "kekv_name", "is_kekv", "kpkvk_name", "normalize_code",
           "pick_program",
           "kekv_codes", "tpkvk_codes"]

_DIGITS = re.compile(r"^\d+(?:\.0*)?$")


def _load(name: str) -> dict[str, str]:
    text = resources.files("koshtorys").joinpath("data", name).read_text(encoding="utf-8")
    return {row["code"].strip(): row["name_uk"].strip()
            for row in csv.DictReader(text.splitlines()) if row.get("code")}


@functools.cache
def kekv_codes() -> dict[str, str]:
    """Every КЕКВ code (groups and items) → its official Ukrainian name."""
    return _load("kekv.csv")


@functools.cache
def tpkvk_codes() -> dict[str, str]:
    """ТПКВКМБ codes (4 digits) → official Ukrainian name."""
    return _load("tpkvk.csv")


@functools.cache
def _kekv_leaves() -> frozenset[str]:
    """Codes that no other code refines: the ones a plan or an estimate uses."""
    codes = kekv_codes()
    groups = set()
    for c in codes:
        stem = c.rstrip("0")
        if len(stem) < 4 and any(d != c and d.startswith(stem) for d in codes):
            groups.add(c)
    return frozenset(set(codes) - groups)


#: Digits of each budget code; the one place these widths are written down.
CODE_WIDTH: dict[str, int] = {"kpkvk": 7, "kekv": 4, "edrpou": 8}


def code(key: str, value: object) -> str | None:
    """``value`` as the code named ``key`` (``kpkvk``, ``kekv``, ``edrpou``), zeros restored.

    A КПКВК begins with its main spending unit's code, 01–99, so Excel drops at most one
    zero: 3104 (a ТПКВКМБ typed for the КПКВК) is no КПКВК, never 0003104.

    >>> code("kpkvk", 813104), code("kpkvk", 3104)
    ('0813104', None)
    """
    found = normalize_code(value, CODE_WIDTH[key])
    if key == "kpkvk" and found is not None and found.startswith("00"):
        return None
    return found


def pick_program(value: object, programs: Iterable[str]) -> str:
    """The one of ``programs`` (КПКВК) that ``value`` names: the code itself (zeros
    restored), or a ТПКВКМБ (up to 4 digits) that exactly one program ends in — what a
    user types for ``--kpkvk``. Otherwise ``value`` as typed, which names none.

    >>> pick_program("3104", ["0813102", "0813104"]), pick_program(813102, ["0813102"])
    ('0813104', '0813102')
    """
    typed = str(value).strip()
    full = code("kpkvk", value)
    known = list(programs)
    if full in known:
        return full
    tail = normalize_code(value, 4)
    ending = [p for p in known if tail and p.endswith(tail)]
    return ending[0] if len(ending) == 1 else full or typed


def normalize_code(value: object, width: int) -> str | None:
    """A budget code as text of ``width`` digits, leading zeros restored.

    Excel often turns "0813104" into the number 813104; this gives the text back.
    Anything that is not a whole non-negative number of at most ``width`` digits
    gives ``None``.

    >>> normalize_code("0813104", 7), normalize_code(2111.0, 4), normalize_code("x", 4)
    ('0813104', '2111', None)
    """
    if type(value) is str and len(value) == width and value.isascii() and value.isdigit():
        return value  # the common cell, a code typed in full: what the steps below give
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        n = int(value)
        text = str(n) if n >= 0 else ""
    elif isinstance(value, Real):
        x = float(value)
        if math.isnan(x) or math.isinf(x) or x < 0 or not x.is_integer():
            return None
        text = str(int(x))
    elif isinstance(value, str):
        s = value.strip().replace("\u00a0", "")
        if not _DIGITS.match(s):
            return None
        text = s.split(".")[0]
    else:
        return None
    if not text or len(text) > width:
        return None
    return text.zfill(width)


def kekv_name(code: object) -> str | None:
    """Official name of a КЕКВ code (group or item), ``None`` when unknown."""
    c = normalize_code(code, CODE_WIDTH["kekv"])
    return kekv_codes().get(c) if c else None


def is_kekv(code: object) -> bool:
    """True for a КЕКВ item usable in plans and estimates (not a group such as 2200)."""
    c = normalize_code(code, CODE_WIDTH["kekv"])
    return c is not None and c in _kekv_leaves()


def kpkvk_name(code: object) -> str | None:
    """Name of a budget program: a 7-digit КПКВК МБ by its last four digits (ТПКВКМБ),
    or a 4-digit ТПКВКМБ itself; ``None`` when unknown.

    >>> kpkvk_name("0813104").startswith("Забезпечення соціальними послугами")
    True
    """
    if isinstance(code, str) and len(code.strip()) == 4:
        c = normalize_code(code, 4)  # a ТПКВКМБ itself
    elif isinstance(code, int | float) and not isinstance(code, bool) and 0 <= code < 10_000:
        c = normalize_code(code, 4)
    else:
        c = normalize_code(code, CODE_WIDTH["kpkvk"])
        c = c[-4:] if c else None
    return tpkvk_codes().get(c) if c else None
