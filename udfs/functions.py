"""Worksheet functions: table ranges in (as Excel passes them), a dynamic array out.

Each table argument is a 2-D list whose first row is the header row, e.g.
``=KOSHT.UNIT_COSTS(tblServices[#All], tblStaff[#All], tblTime[#All],
tblCosts[#All], tblSettings[#All])``. The arguments become
:class:`~koshtorys.core.book.RawTable` values and go through
:func:`koshtorys.parts.compute`, the very code the ribbon and the command line
run, so the numbers are the same as a refresh.

The result's header row speaks the language of the first argument's headers:
Ukrainian headers in, Ukrainian headers out; English headers (the column keys)
in, column keys out. Blank results are ``None``.

A function never raises: a malformed argument (not a 2-D range, a missing
column, no data rows) or an input error that a refresh would report in
``tblChecks`` gives a one-cell result ``#KOSHT! <message>``.

The decorators only attach metadata (pass-throughs off Windows). The module
attribute ``__xlwings_func_namespace__`` names the ``KOSHT`` namespace for
xlwings runtimes that read it (xlwings Lite / Server); the classic add-in gets
the same prefix from its VBA module ``KOSHT`` (see ``koshtorys.addin.vba.build``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import repeat
from typing import Any

import xlwings as xw

__all__ = ["unit_costs", "variance", "funding", "index_amount", "kekv_name", "kpkvk_name",
           "ERROR_PREFIX", "FUNCTIONS"]

__xlwings_func_namespace__ = "KOSHT"

ERROR_PREFIX = "#KOSHT!"
CATEGORY = "Koshtorys"
Grid = list[list[Any]]

class _ArgError(Exception):
    """A malformed argument: becomes the function's error value."""


def _say(code: str, lang: str, **params: object) -> str:
    from koshtorys.core.messages import text

    return text(f"fn_{code}", lang, **params)


def _error(message: str) -> Grid:
    return [[f"{ERROR_PREFIX} {message}"]]


def _language(value: object, table_name: str) -> str:
    """``uk`` when the header row matches more Ukrainian headers than column keys."""
    from koshtorys.core import schema

    if not isinstance(value, list) or not value or not isinstance(value[0], list):
        return "uk"
    uk, en = schema.header_votes(schema.table(table_name), value[0])
    return "en" if en > uk else "uk"


def _table(arg: str, value: object, table_name: str, lang: str, need_rows: bool) -> Any:
    """The argument as a RawTable, or :class:`_ArgError` saying what is wrong with it."""
    from koshtorys.core import schema
    from koshtorys.core.book import raw_from_rows
    from koshtorys.core.schema import match_columns

    # each check one C-level pass over the rows: a range of thousands is the common case
    if not isinstance(value, list) or not value or not all(map(isinstance, value, repeat(list))):
        raise _ArgError(_say("not_2d", lang, arg=arg))
    if len(set(map(len, value))) != 1:
        raise _ArgError(_say("ragged", lang, arg=arg))
    raw = raw_from_rows(table_name, value[:1], sheet=arg)  # the header row only
    t = schema.table(table_name)
    found = match_columns(t, raw.headers)
    missing = [c.header(lang) for c in t.columns if c.required and c.key not in found]
    if missing:
        raise _ArgError(_say("no_column", lang, arg=arg, columns=", ".join(missing)))
    width = len(raw.headers)  # a row of only None and "" is no row (C-level counts; a
    # truthy first cell — the common row — is neither, so it is kept without counting).
    # The range's own row lists are kept, not copied: nothing downstream changes them.
    raw.rows = [r for r in value[1:] if r[0] or r.count(None) + r.count("") < width] \
        if width else []
    if need_rows and not raw.rows:
        raise _ArgError(_say("no_rows", lang, arg=arg))
    return raw


def _run(part: str, args: list[tuple[str, object, str, bool]], settings: object) -> Grid:
    """Shared body of the table functions: check arguments, compute the part, shape the
    result. Rows with input errors are left out as a refresh leaves them out, and a last
    row says how many errors there are and names the first."""
    lang = "uk"
    try:
        lang = _language(args[0][1], args[0][2])
        from koshtorys import parts
        from koshtorys.convert import shown_labels
        from koshtorys.core import schema
        from koshtorys.core.book import frame_rows
        from koshtorys.core.checks import ordered

        tables = {name: _table(arg, value, name, lang, need)
                  for arg, value, name, need in args}
        if settings is not None:
            tables["tblSettings"] = _table("settings", settings, "tblSettings", lang, False)
        output = parts.PARTS[part].function_output
        result = parts.compute(tables, only=part, lang=lang, ties=False)
        t = schema.table(output)
        df = result.outputs.get(output)
        rows = frame_rows(df, t.column_keys, shown_labels(output, lang)) \
            if df is not None else []
        grid: Grid = [t.headers(lang)] + rows
        errors = [c for c in ordered(result.checks) if c.severity == "error"]
        if errors:
            note = _say("input_errors", lang, count=len(errors), first=errors[0].message(lang))
            grid.append([f"{ERROR_PREFIX} {note}"] + [None] * (len(t.columns) - 1))
        return grid
    except _ArgError as exc:
        return _error(str(exc))
    except Exception as exc:  # a worksheet function must return a value, never raise
        return _error(_say("internal", lang, error=f"{type(exc).__name__}: {exc}"))


@xw.func(category=CATEGORY)
@xw.arg("services", ndim=2, doc="tblServices with its header row, e.g. tblServices[#All]")
@xw.arg("staff", ndim=2, doc="tblStaff with its header row")
@xw.arg("time", ndim=2, doc="tblTime with its header row")
@xw.arg("costs", ndim=2, doc="tblCosts with its header row")
@xw.arg("settings", ndim=2, doc="tblSettings with its header row (optional)")
def unit_costs(services: Grid, staff: Grid, time: Grid, costs: Grid,
               settings: Grid | None = None) -> Grid:
    """Unit cost of each social service: the columns of tblUnitCosts."""
    return _run("costing", [
        ("services", services, "tblServices", True),
        ("staff", staff, "tblStaff", True),
        ("time", time, "tblTime", False),
        ("costs", costs, "tblCosts", False),
    ], settings)


@xw.func(category=CATEGORY)
@xw.arg("plan", ndim=2, doc="tblPlan with its header row")
@xw.arg("actual", ndim=2, doc="tblActuals with its header row")
@xw.arg("settings", ndim=2, doc="tblSettings with its header row (optional)")
def variance(plan: Grid, actual: Grid, settings: Grid | None = None) -> Grid:
    """Quarterly budget execution, plan against cash expenditure: the columns of tblVariance."""
    return _run("execution", [
        ("plan", plan, "tblPlan", True),
        ("actual", actual, "tblActuals", False),
    ], settings)


@xw.func(category=CATEGORY)
@xw.arg("needs", ndim=2, doc="tblNeeds with its header row")
@xw.arg("sources", ndim=2, doc="tblSources with its header row")
@xw.arg("settings", ndim=2, doc="tblSettings with its header row (optional)")
def funding(needs: Grid, sources: Grid, settings: Grid | None = None) -> Grid:
    """Funding of each activity and year by source: the columns of tblFundingSplit."""
    return _run("funding", [
        ("needs", needs, "tblNeeds", True),
        ("sources", sources, "tblSources", False),
    ], settings)


def _number(arg: str, value: object) -> float:
    """A scalar argument read as any number cell is read (``1 234,5`` included)."""
    from koshtorys.convert import Unreadable, read_number

    try:
        x = read_number(value)
    except Unreadable:
        raise _ArgError(_say("not_number", "uk", arg=arg, value=value)) from None
    if math.isnan(x) or math.isinf(x):
        raise _ArgError(_say("not_number", "uk", arg=arg, value=value))
    return x


@xw.func(category=CATEGORY)
def index_amount(amount: float, rate: float, years: float) -> float | str:
    """``amount`` grown by ``rate`` a year for ``years`` years (numpy-financial fv), to
    kopiyka; a bad argument gives an error value.

    >>> index_amount(1000, 0.07, 2), index_amount("1 000,5", 0, 1)
    (1144.9, 1000.5)
    >>> index_amount("багато", 0.1, 1).startswith("#KOSHT!")
    True
    """
    try:
        import numpy as np
        import numpy_financial as npf

        args = (_number("rate", rate), _number("years", years), 0, -_number("amount", amount))
        with np.errstate(all="ignore"):
            value = float(npf.fv(*args))
        if not math.isfinite(value):
            raise _ArgError(_say("not_number", "uk", arg="amount", value=value))
        from koshtorys.core.money import from_units, to_units

        return from_units(to_units(value))  # half away from zero, as every amount
    except _ArgError as exc:
        return f"{ERROR_PREFIX} {exc}"
    except Exception as exc:  # a worksheet function must return a value, never raise
        return f"{ERROR_PREFIX} {_say('internal', 'uk', error=f'{type(exc).__name__}: {exc}')}"


def _code_name(kind: str, width: int, code: object,
               lookup: Callable[[object], str | None]) -> str:
    from koshtorys.core import classifiers

    try:
        normalized = classifiers.normalize_code(code, width)
        name = lookup(normalized) if normalized else None
    except Exception as exc:  # a worksheet function must return a value, never raise
        return f"{ERROR_PREFIX} {_say('internal', 'uk', error=f'{type(exc).__name__}: {exc}')}"
    if name is None:
        shown = "" if code is None else code
        return f"{ERROR_PREFIX} {_say('unknown_code', 'uk', kind=kind, value=shown)}"
    return name


@xw.func(category=CATEGORY)
def kekv_name(code: object) -> str:
    """Name of an economic classification code (КЕКВ), e.g. 2111 → «Заробітна плата»."""
    from koshtorys.core import classifiers

    return _code_name("КЕКВ", 4, code, classifiers.kekv_name)


@xw.func(category=CATEGORY)
def kpkvk_name(code: object) -> str:
    """Name of a program code (КПКВК МБ, 7 digits), from its ТПКВКМБ part."""
    from koshtorys.core import classifiers

    return _code_name("КПКВК", 7, code, classifiers.kpkvk_name)


#: Every worksheet function, in the order the add-in lists them.
FUNCTIONS: tuple[Callable[..., Any], ...] = (unit_costs, variance, funding, index_amount,
                                             kekv_name, kpkvk_name)
