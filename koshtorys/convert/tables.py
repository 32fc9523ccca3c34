"""One raw table to a typed DataFrame, column by column, collecting a check per bad cell.

Column-wise: a number column whose cells are already numbers is checked as one numpy
array (bounds, whole numbers, finiteness) and only the other cells — text, dates,
errors — go through :func:`~koshtorys.convert.cells.read_cell` one by one; a text, code
or enumeration column reads each distinct value once. A row with an error is left out
of the frame; its id is remembered so a reference to it can say so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from koshtorys.core import classifiers, schema
from koshtorys.core.book import RawTable, column_letter
from koshtorys.core.checks import Check
from koshtorys.core.money import MAX_AMOUNT

from .cells import Unreadable, check_range, read_cell

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


def _blank_mask(values: list[object]) -> np.ndarray:
    return np.fromiter(
        (v is None or (type(v) is str and not v.strip()) or (type(v) is float and v != v)
         for v in values), dtype=bool, count=len(values))


def _numbers(col: schema.Column, values: list[object], blank: np.ndarray
             ) -> tuple[np.ndarray, dict[int, Unreadable]]:
    """A numeric column: plain numbers checked as one array, the rest cell by cell."""
    n = len(values)
    out = np.full(n, np.nan)
    bad: dict[int, Unreadable] = {}
    plain = np.fromiter((type(v) is int or type(v) is float for v in values), dtype=bool,
                        count=n) & ~blank
    idx = np.flatnonzero(plain)
    if len(idx):
        x = np.fromiter((values[i] for i in idx), dtype=float, count=len(idx))
        ok = np.isfinite(x) & (np.abs(x) <= MAX_AMOUNT)
        if col.kind in ("int", "year"):
            ok &= x == np.floor(x)
            if col.kind == "year":
                ok &= (x >= 2000) & (x <= 2100)
        if col.min is not None:
            ok &= (x > col.min) if col.min_exclusive else (x >= col.min)
        if col.max is not None:
            ok &= x <= col.max
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


def _typed(t: schema.Table, data: dict[str, object], index: list[int]) -> pd.DataFrame:
    cols: dict[str, pd.Series] = {}
    ix = pd.Index(index, dtype="int64")
    for c in t.columns:
        v = data[c.key]
        if c.kind in ("number", "money", "share"):
            cols[c.key] = pd.Series(np.asarray(v, dtype=float), index=ix, dtype="float64")
        elif c.kind in ("int", "year"):
            arr = np.asarray(v, dtype=float)
            if c.required or c.default is not None:
                cols[c.key] = pd.Series(arr.astype("int64"), index=ix)
            else:  # an optional whole number: blank stays blank
                cols[c.key] = pd.Series([None if x != x else int(x) for x in arr], index=ix,
                                        dtype=object)
        else:
            cols[c.key] = pd.Series(v, index=ix, dtype=object)
    return pd.DataFrame(cols, index=ix, columns=t.column_keys)


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
    rows = raw.rows
    grid = {k: [r[j] if j < len(r) else None for r in rows] for k, j in cols.items()}
    blanks = {k: _blank_mask(v) for k, v in grid.items()}
    empty = np.logical_and.reduce(list(blanks.values())) if blanks else np.ones(n, bool)
    keep = np.flatnonzero(~empty)
    values: dict[str, object] = {}
    problems: list[tuple[int, int, str, str, dict[str, object], str]] = []
    for order, c in enumerate(t.columns):
        if c.key not in cols:
            values[c.key] = [c.default] * len(keep)
            continue
        raw_col = [grid[c.key][i] for i in keep]
        blank = blanks[c.key][keep]
        if c.kind in _NUMERIC:
            col_vals, bad = _numbers(c, raw_col, blank)
            if c.default is not None:
                col_vals = np.where(blank, float(c.default), col_vals)  # type: ignore[arg-type]
        else:
            col_vals, bad = _memoized(c, raw_col, blank)
            if c.default is not None:
                col_vals = [c.default if b else v for v, b in zip(col_vals, blank, strict=True)]
        for i, exc in bad.items():
            problems.append((i, order, "error", exc.code, exc.params, c.key))
        if c.required:
            for i in np.flatnonzero(blank):
                problems.append((int(i), order, "error", "blank_required",
                                 {"header": c.header("uk")}, c.key))
        if c.kind == "code" and c.key in ("kekv", "kpkvk"):
            problems += _classifier_problems(c.key, col_vals, bad, order)
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
    index = [raw.sheet_row(int(keep[i])) for i in good]
    data = {k: (v[good] if isinstance(v, np.ndarray) else [v[i] for i in good])
            for k, v in values.items()}
    df = _typed(t, data, index)
    df.attrs["invalid_ids"] = _invalid_ids(t, values, failed, raw, keep)
    return df, checks


def _classifier_problems(key: str, col_vals: list[object], bad: dict[int, Unreadable],
                         order: int) -> list[tuple[int, int, str, str, dict[str, object], str]]:
    """A КЕКВ that reads but is no usable item (error); a КПКВК whose program part the
    shipped classifier does not know (warning)."""
    out = []
    seen: dict[object, bool] = {}
    for i, v in enumerate(col_vals):
        if v is None or i in bad:
            continue
        if v not in seen:
            seen[v] = classifiers.is_kekv(v) if key == "kekv" else \
                classifiers.kpkvk_name(str(v)) is not None
        if seen[v]:
            continue
        if key == "kekv":
            out.append((i, order, "error", "bad_kekv", {"value": v}, key))
        else:
            out.append((i, order, "warning", "unknown_tpkvk",
                        {"value": v, "tail": str(v)[-4:]}, key))
    return out


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

