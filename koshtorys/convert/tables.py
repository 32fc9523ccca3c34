"""One raw table to a typed DataFrame, column by column, collecting a check per bad cell.

Column-wise: a number column whose cells are already numbers is checked as one numpy
array (bounds, whole numbers, finiteness) and only the other cells — text, dates,
errors — go through :func:`~koshtorys.convert.cells.read_cell` one by one; a text, code
or enumeration column reads each distinct value once. A row with an error is left out
of the frame; its id is remembered so a reference to it can say so.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from koshtorys.core import classifiers, schema
from koshtorys.core.book import RawTable, column_letter
from koshtorys.core.checks import Check, percent_params
from koshtorys.core.limits import MAX_CELL_TEXT
from koshtorys.core.money import MAX_AMOUNT

from .cells import CONTROL_CHARS, Unreadable, check_range, is_blank, read_cell, without_controls

__all__ = ["Locator", "convert_table", "empty_frame"]

_NUMERIC = ("number", "money", "share", "int", "year")


@dataclass
class Locator:
    """Where each table's columns are, so any check can name its cell."""

    places: dict[str, tuple[str, int, dict[str, int]]] = field(default_factory=dict)
    """table → (sheet, first column, key → table column index)."""

    def where(self, table: str, row: int | None, column: str | None) -> str:
        place = self.places.get(table)
        if place is None:
            return table
        sheet, first_col, cols = place
        if row is None:
            return sheet
        if column is None or column not in cols:
            return f"{sheet}!{row}:{row}"
        return f"{sheet}!{column_letter(first_col + cols[column])}{row}"

    def fill(self, checks: list[Check]) -> list[Check]:
        """Checks with their ``where`` parameter set from table/row/column."""
        out = []
        for c in checks:
            if "where" in c.params:
                out.append(c)
            else:
                params = dict(c.params)
                params["where"] = self.where(c.table, c.row, c.column)
                out.append(Check(c.severity, c.table, c.row, c.column, c.code, params))
        return out


def _blank_mask(values: list[object] | np.ndarray) -> np.ndarray:
    return np.fromiter(map(is_blank, values), dtype=bool, count=len(values))


_ALL_NUMBERS = ("floating", "integer", "mixed-integer-float")
"""The kinds :func:`infer_dtype` gives a column of numbers and blanks (``skipna``)."""


@dataclass
class _Cells:
    """One table column's raw cells as an object array, with what a single C-level pass
    over them tells: the kind pandas infers (``floating``/``integer``…: only numbers and
    blanks; ``string``: only texts and blanks), the blank mask and, for a code or
    enumeration column of texts, each distinct text once (``codes`` into ``uniques``;
    -1 = None/NaN). The cell-wise readers are kept for the mixed columns."""

    values: np.ndarray
    kind: str
    blank: np.ndarray
    codes: np.ndarray | None = None
    uniques: np.ndarray | None = None
    blank_u: np.ndarray | None = None
    texts: np.ndarray | None = None
    """A plain text column's cells read row by row (stripped, blank → None); set instead
    of ``codes``/``uniques``: mostly distinct texts gain nothing from reading each once."""
    long: np.ndarray | None = None
    """Which of ``texts`` are longer than :data:`MAX_CELL_TEXT`."""
    read: np.ndarray | None = None
    """Each of ``uniques`` as read (then one more: blank), set by :func:`_fast_texts`: a
    value, ``None`` (blank) or the :class:`Unreadable` it raised."""
    numbers: np.ndarray | None = None
    """A column of numbers and blanks cast to float once (blank → NaN): its blank mask
    is where it is NaN, and :func:`_fast_numbers` checks it as it is."""

    @classmethod
    def of(cls, values: np.ndarray, plain_text: bool = False) -> _Cells:
        kind = infer_dtype(values, skipna=True)
        if kind in _ALL_NUMBERS:
            try:
                x = values.astype(float)  # None/NaN → NaN
            except (TypeError, OverflowError):  # pd.NA, or an int past any float:
                return cls(values, "mixed", _blank_mask(values))  # read cell by cell
            return cls(values, kind, np.isnan(x), numbers=x)
        if kind == "empty":  # a month not yet reported, a column left blank: None, NaN
            # or pd.NA only, each blank as is_blank counts it
            return cls(values, kind, np.ones(len(values), dtype=bool))
        if kind == "string" and plain_text:
            return cls._texts(values, kind)
        if kind == "string":
            codes, uniques = pd.factorize(values)
            blank_u = np.fromiter(map(len, map(str.strip, uniques)), dtype=np.int64,
                                  count=len(uniques)) == 0  # C-level: every unique is a str
            blank = np.append(blank_u, True)[codes]  # code -1: the appended True
            return cls(values, kind, blank, codes, np.asarray(uniques, dtype=object), blank_u)
        return cls(values, kind, _blank_mask(values))

    @classmethod
    def _texts(cls, values: np.ndarray, kind: str) -> _Cells:
        """Only texts and blanks, read as a plain text column reads them: stripped. Each
        step is one C-level pass; the masks are built only when there is a blank text or
        a text that is too long."""
        n = len(values)
        codes: np.ndarray | None = None
        try:
            stripped = list(map(str.strip, values))  # texts only: the common column
            texts = np.empty(n, dtype=object)
            texts[:] = stripped
            blank = np.zeros(n, dtype=bool)
        except TypeError:  # None/NaN among them: each distinct text stripped once
            codes, uniques = pd.factorize(values)  # None/NaN: -1
            stripped = list(map(str.strip, uniques))
            read = np.empty(len(stripped) + 1, dtype=object)  # the last: None/NaN
            read[:-1] = stripped
            texts = read[codes]
            blank = codes < 0
        if "" in stripped:
            blank |= texts == ""
            texts[blank] = None
        long = np.zeros(n, dtype=bool)
        if max(map(len, stripped), default=0) > MAX_CELL_TEXT:
            over = np.fromiter(map(len, stripped), dtype=np.int64,
                               count=len(stripped)) > MAX_CELL_TEXT
            long = over if codes is None else np.append(over, False)[codes]
        return cls(values, kind, blank, texts=texts, long=long)


def _plain_text(col: schema.Column) -> bool:
    """A column whose cell reads as its stripped text (at most MAX_CELL_TEXT long)."""
    return col.kind == "text" or (col.kind == "code" and col.key not in classifiers.CODE_WIDTH)


def _object_array(values: object, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out[:] = values
    return out


def _columns(rows: list[list[object]], cols: dict[str, int]) -> dict[str, np.ndarray]:
    """The table columns ``cols`` of ``rows`` as object arrays (a short row: blanks)."""
    n = len(rows)
    width = max(cols.values(), default=-1) + 1
    if n and min(map(len, rows)) >= width:
        flipped = list(zip(*rows, strict=False))  # one C-level transpose
        # fromiter of objects (numpy ≥ 1.23, as pandas 2 on Python 3.11 requires) fills
        # the array without the sequence checks of a slice assignment
        return {k: np.fromiter(flipped[j], dtype=object, count=n) for k, j in cols.items()}
    return {k: _object_array([r[j] if j < len(r) else None for r in rows], n)
            for k, j in cols.items()}



def _in_bounds(col: schema.Column, x: np.ndarray) -> np.ndarray:
    """Which numbers of ``x`` the column accepts: finite, within the amount guard, whole
    for int and year (2000–2100), within the column's min and max."""
    ok = np.isfinite(x) & (np.abs(x) <= MAX_AMOUNT)
    if col.kind in ("int", "year"):
        ok &= x == np.floor(x)
        if col.kind == "year":
            ok &= (x >= 2000) & (x <= 2100)
    if col.min is not None:
        ok &= (x > col.min) if col.min_exclusive else (x >= col.min)
    if col.max is not None:
        ok &= x <= col.max
    return ok

def _fast_numbers(col: schema.Column, cells: _Cells, keep: np.ndarray
                  ) -> tuple[np.ndarray, dict[int, Unreadable]]:
    """A column of numbers and blanks only: read and checked as one float array."""
    assert cells.numbers is not None
    x = cells.numbers[keep]
    blank = cells.blank[keep]
    with np.errstate(invalid="ignore"):
        ok = ~blank & _in_bounds(col, x)
    bad: dict[int, Unreadable] = {}
    for i in np.flatnonzero(~ok & ~blank):  # the rare bad one: the cell-wise reader says why
        try:
            check_range(col, float(x[i]))
        except Unreadable as exc:
            bad[int(i)] = exc
    out = np.where(ok, x, np.nan)
    return out, bad


def _fast_texts(col: schema.Column, cells: _Cells, keep: np.ndarray
                ) -> tuple[np.ndarray, dict[int, Unreadable]]:
    """A column of texts and blanks only: a plain text column as :meth:`_Cells.of` read
    it, row by row; a code or enumeration column each distinct text read once."""
    if cells.texts is not None and cells.long is not None:
        out = cells.texts[keep]
        wrong = np.flatnonzero(cells.long[keep])
        bad = {int(i): Unreadable("text_too_long", max=MAX_CELL_TEXT) for i in wrong}
        out[wrong] = None
        return out, bad
    assert cells.codes is not None and cells.uniques is not None
    read = np.empty(len(cells.uniques) + 1, dtype=object)  # the last: None/NaN (blank)
    failed = np.zeros(len(read), dtype=bool)
    for u, v in enumerate(cells.uniques):
        if cells.blank_u[u]:  # type: ignore[index]
            continue  # blank: never read
        try:
            read[u] = read_cell(col, v)
        except Unreadable as exc:
            read[u] = exc
            failed[u] = True
    cells.read = read
    codes = cells.codes[keep]
    blank = cells.blank[keep]
    out = read[codes]
    out[blank] = None
    wrong = np.flatnonzero(failed[codes] & ~blank)
    bad = {int(i): out[i] for i in wrong}
    out[wrong] = None
    return out, bad


_HUGE = 10**300
"""A whole number at least this large is read cell by cell: it may overflow a float."""


def _numbers(col: schema.Column, values: list[object], blank: np.ndarray
             ) -> tuple[np.ndarray, dict[int, Unreadable]]:
    """A numeric column: plain numbers checked as one array, the rest cell by cell."""
    n = len(values)
    out = np.full(n, np.nan)
    bad: dict[int, Unreadable] = {}
    plain = np.fromiter((type(v) is float or (type(v) is int and -_HUGE < v < _HUGE)
                         for v in values), dtype=bool, count=n) & ~blank  # no overflow
    idx = np.flatnonzero(plain)
    if len(idx):
        x = np.fromiter((values[i] for i in idx), dtype=float, count=len(idx))
        ok = _in_bounds(col, x)
        out[idx[ok]] = x[ok]
        for i in idx[~ok]:  # the rare bad one: the cell-wise reader says why
            try:
                check_range(col, float(values[i]))  # type: ignore[arg-type]
            except Unreadable as exc:
                bad[int(i)] = exc
    for i in np.flatnonzero(~plain & ~blank):
        try:
            out[i] = float(read_cell(col, values[i]))  # type: ignore[arg-type]
        except Unreadable as exc:
            bad[int(i)] = exc
    return out, bad


def _memoized(col: schema.Column, values: list[object], blank: np.ndarray
              ) -> tuple[list[object], dict[int, Unreadable]]:
    """A text, code, enumeration or yes/no column: each distinct value read once."""
    out: list[object] = [None] * len(values)
    bad: dict[int, Unreadable] = {}
    memo: dict[tuple[type, object], object] = {}
    for i, v in enumerate(values):
        if blank[i]:
            continue
        key = (type(v), v) if isinstance(v, str | int | float | bool) else None
        hit = memo.get(key, memo) if key is not None else memo
        if hit is memo:
            try:
                hit = read_cell(col, v)
            except Unreadable as exc:
                hit = exc
            if key is not None:
                memo[key] = hit
        if isinstance(hit, Unreadable):
            bad[i] = hit
        else:
            out[i] = hit
    return out, bad


def empty_frame(t: schema.Table) -> pd.DataFrame:
    """``t``'s frame with no rows (the engine's columns and dtypes)."""
    return _typed(t, {c.key: [] for c in t.columns}, [])


def _typed(t: schema.Table, data: dict[str, object], index: list[int] | np.ndarray
           ) -> pd.DataFrame:
    arrays: list[np.ndarray] = []
    for c in t.columns:
        v = data[c.key]
        if c.kind in ("number", "money", "share"):
            arrays.append(np.asarray(v, dtype=float))
        elif c.kind in ("int", "year"):
            arr = np.asarray(v, dtype=float)
            if c.required or c.default is not None:
                arrays.append(arr.astype("int64"))
            else:  # an optional whole number: blank stays blank
                arrays.append(_object_array([None if x != x else int(x) for x in arr],
                                            len(arr)))
        else:
            arrays.append(np.asarray(v, dtype=object))
    rows = np.asarray(index, dtype=np.int64)  # a fresh array: the index may hold it as is
    return typed_frame(arrays, t.column_keys, pd.Index(rows, copy=False))


def typed_frame(arrays: list[np.ndarray], keys: list[str], index: pd.Index) -> pd.DataFrame:
    """A frame of ``arrays`` (float64, int64 or object, each as long as ``index``) as
    they are, built in one step: ``DataFrame`` from a dict would turn an object array of
    texts into pandas' string dtype unless each were first wrapped in an object
    ``Series`` — a Series per column and a re-check of each was most of what building
    the frame cost. The same frame as ``pd.DataFrame({k: pd.Series(a, index=index,
    dtype=a.dtype)}, index=index, columns=keys)`` (a test compares them)."""
    build = getattr(pd.DataFrame, "_from_arrays", None)  # private: pandas 2.x and 3.x
    if build is None:  # a pandas without it: the public way, slower, the same frame
        return pd.DataFrame({k: pd.Series(a, index=index, dtype=a.dtype)
                             for k, a in zip(keys, arrays, strict=True)},
                            index=index, columns=keys)
    return build(arrays, columns=_column_index(tuple(keys)), index=index,
                 verify_integrity=False)


@functools.lru_cache(maxsize=256)
def _column_index(keys: tuple[str, ...]) -> pd.Index:
    """One column Index per table layout, shared by its frames (an Index is immutable;
    making it anew — pandas' string dtype — was a third of building a small frame)."""
    return pd.Index(keys)


def convert_table(raw: RawTable, t: schema.Table, locator: Locator
                  ) -> tuple[pd.DataFrame, list[Check]]:
    """The valid rows of ``raw`` as ``t``'s typed frame (index = worksheet row), and a
    check for every bad cell (row by row, in column order)."""
    cols = schema.match_columns(t, raw.headers)
    locator.places[t.name] = (raw.sheet, raw.first_col, cols)
    missing = [c for c in t.columns if c.required and c.key not in cols]
    if missing:
        checks = [Check("error", t.name, raw.header_row, None, "missing_column",
                        {"where": raw.sheet, "value": t.name, "header": c.header("uk")})
                  for c in missing]
        return empty_frame(t), checks
    n = len(raw.rows)
    cells = {k: _Cells.of(v, _plain_text(t.column(k)))
             for k, v in _columns(raw.rows, cols).items()}
    empty = np.logical_and.reduce([c.blank for c in cells.values()]) if cells \
        else np.ones(n, bool)
    keep = np.flatnonzero(~empty)
    values: dict[str, object] = {}
    problems: list[tuple[int, int, str, str, dict[str, object], str]] = []
    for order, c in enumerate(t.columns):
        if c.key not in cols:
            values[c.key] = _object_array(c.default, len(keep))  # a scalar: every cell
            continue
        cell = cells[c.key]
        blank = cell.blank[keep]
        col_vals: object
        if c.kind in _NUMERIC:
            if cell.kind == "empty":  # every kept cell blank: nothing to read or check
                col_vals, bad = np.full(len(keep), np.nan), {}
            elif cell.kind in _ALL_NUMBERS:
                col_vals, bad = _fast_numbers(c, cell, keep)
            else:
                col_vals, bad = _numbers(c, list(cell.values[keep]), blank)
            if c.default is not None:
                col_vals = np.where(blank, float(c.default), col_vals)  # type: ignore[arg-type]
        else:
            if cell.kind == "empty":
                col_vals, bad = _object_array(None, len(keep)), {}
            elif cell.kind == "string":
                col_vals, bad = _fast_texts(c, cell, keep)
            else:
                col_vals, bad = _memoized(c, list(cell.values[keep]), blank)
                col_vals = _object_array(col_vals, len(keep))
            if c.default is not None:
                col_vals[blank] = c.default  # type: ignore[index]
            if _plain_text(c):
                problems += _control_problems(col_vals, order, c.key)  # type: ignore[arg-type]
        for i, exc in bad.items():
            problems.append((i, order, "error", exc.code, exc.params, c.key))
        if c.percent_from is not None:  # read as typed, but 7 is most likely 7 %
            for i in np.flatnonzero(np.asarray(col_vals, dtype=float) >= c.percent_from):
                problems.append((int(i), order, "warning", "percent_as_number",
                                 percent_params(col_vals[i]), c.key))  # type: ignore[index]
        if c.required:
            for i in np.flatnonzero(blank):
                problems.append((int(i), order, "error", "blank_required",
                                 {"header": c.header("uk")}, c.key))
        if c.kind == "code" and c.key in ("kekv", "kpkvk"):
            problems += _classifier_problems(c.key, col_vals, bad, order,  # type: ignore[arg-type]
                                             cell, keep)
        values[c.key] = col_vals
    checks: list[Check] = []
    failed = np.zeros(len(keep), dtype=bool)
    for i, _order, severity, code, params, key in sorted(problems, key=lambda p: p[:2]):
        sheet_row = raw.sheet_row(int(keep[i]))
        where = raw.cell(int(keep[i]), cols[key]) if key in cols else raw.sheet
        checks.append(Check(severity, t.name, sheet_row, key, code, {"where": where, **params}))
        if severity == "error":
            failed[i] = True
    good = np.flatnonzero(~failed)
    rows_at = np.asarray(raw.row_numbers, dtype=np.int64) if raw.row_numbers is not None \
        else np.arange(raw.header_row + 1, raw.header_row + 1 + n, dtype=np.int64)
    index = rows_at[keep[good]]
    data = values if len(good) == len(keep) else {  # nothing left out: no copies
        k: v[good] for k, v in values.items()}  # type: ignore[index]
    df = _typed(t, data, index)
    invalid = _invalid_ids(t, values, failed, raw, keep)
    if invalid:  # only then: pandas deep-copies a frame's attrs into every frame made from it
        df.attrs["invalid_ids"] = invalid
    return df, checks


def _control_problems(col_vals: np.ndarray, order: int, key: str
                      ) -> list[tuple[int, int, str, str, dict[str, object], str]]:
    """A text holding control characters (pasted from Word) is read without them, and a
    warning says so at its cell: no document could hold it. One search over the column's
    texts joined finds whether there is any."""
    texts = [v for v in col_vals.tolist() if type(v) is str]
    if not CONTROL_CHARS.search("".join(texts)):
        return []
    out = []
    for i, v in enumerate(col_vals.tolist()):
        if type(v) is str:
            col_vals[i], count = without_controls(v)
            if count:
                out.append((i, order, "warning", "control_characters", {"count": count}, key))
    return out


def _classifier_problems(key: str, col_vals: np.ndarray, bad: dict[int, Unreadable],
                         order: int, cell: _Cells, keep: np.ndarray
                         ) -> list[tuple[int, int, str, str, dict[str, object], str]]:
    """A КЕКВ that reads but is no usable item (error); a КПКВК whose program part the
    shipped classifier does not know (warning). Each distinct code is looked up once:
    the distinct texts :func:`_fast_texts` read, else those of ``col_vals``."""
    if cell.read is not None and cell.codes is not None:
        codes = cell.codes[keep]  # a blank or unreadable cell reads as no code: known
        known = np.fromiter((type(v) is not str or _known_code(key, v) for v in cell.read),
                            dtype=bool, count=len(cell.read))  # the last: -1 (None)
    else:
        codes, uniques = pd.factorize(col_vals)  # None: -1
        known = np.append(np.fromiter((_known_code(key, v) for v in uniques), dtype=bool,
                                      count=len(uniques)), True)
    wrong = ~known[codes]
    out = []
    for i in np.flatnonzero(wrong):
        if int(i) in bad:
            continue
        v = col_vals[i]
        if key == "kekv":
            out.append((int(i), order, "error", "bad_kekv", {"value": v}, key))
        else:
            out.append((int(i), order, "warning", "unknown_tpkvk",
                        {"value": v, "tail": str(v)[-4:]}, key))
    return out


@functools.lru_cache(maxsize=4096, typed=True)
def _known_code(key: str, code: object) -> bool:
    """A read КЕКВ that is a usable item, a read КПКВК whose program part the classifier
    knows. The classifiers are read once a process, so is the answer for each code: a
    worksheet function recalculated again and again looks each code up once."""
    if key == "kekv":
        return classifiers.is_kekv(code)
    return classifiers.kpkvk_name(str(code)) is not None


def _invalid_ids(t: schema.Table, values: dict[str, object], failed: np.ndarray,
                 raw: RawTable, keep: np.ndarray) -> dict[object, int]:
    """id → worksheet row of the rows left out for an error (single-key tables)."""
    if len(t.keys) != 1 or not failed.any():
        return {}
    ids = values[t.keys[0]]
    out: dict[object, int] = {}
    for i in np.flatnonzero(failed):
        v = ids[i]  # type: ignore[index]
        if isinstance(v, str):
            out.setdefault(v, raw.sheet_row(int(keep[i])))
    return out

