"""The one small protocol every workbook adapter implements.

Only adapters know about Excel. The file adapter (:mod:`koshtorys.xlsx`), the
live-workbook adapter (:mod:`koshtorys.addin.live`) and the in-memory
:class:`MemoryBook` used by tests and worksheet functions all read tables as
:class:`RawTable` and write output tables from DataFrames whose columns are
the schema's column keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from . import schema

__all__ = [
    "RawTable",
    "CellError",
    "UNCALCULATED",
    "Book",
    "MemoryBook",
    "column_letter",
    "frame_rows",
    "frame_columns",
    "series_values",
    "cell_value",
    "raw_from_rows",
]

Lang = Literal["uk", "en"]


class _Uncalculated:
    """A formula cell that carries no calculated value."""

    _instance: _Uncalculated | None = None

    def __new__(cls) -> _Uncalculated:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNCALCULATED"


UNCALCULATED = _Uncalculated()


@dataclass(frozen=True)
class CellError:
    """An Excel error value such as ``#DIV/0!`` read from a cell."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass
class RawTable:
    """A table as read from a workbook: header row and values, nothing interpreted."""

    name: str
    sheet: str
    headers: list[str]
    rows: list[list[object]]
    """Data rows; a value is str, int, float, bool, datetime, None, :class:`CellError`
    or :data:`UNCALCULATED`."""
    header_row: int = 1
    """Worksheet row number of the header row."""
    first_col: int = 1
    """1-based worksheet column of the first table column."""
    row_numbers: list[int] | None = None
    """Worksheet row of each data row; default: consecutive below the header."""

    def sheet_row(self, i: int) -> int:
        if self.row_numbers is not None:
            return self.row_numbers[i]
        return self.header_row + 1 + i

    def cell(self, i: int, j: int) -> str:
        """A1 address (with sheet) of data row ``i``, table column ``j``."""
        return f"{self.sheet}!{column_letter(self.first_col + j)}{self.sheet_row(i)}"


class Book(Protocol):
    """Read input tables and write output tables of one workbook: the file
    (:class:`koshtorys.xlsx.FileBook`), the workbook open in Excel
    (:class:`koshtorys.addin.live.LiveBook`) or one in memory (:class:`MemoryBook`)."""

    @property
    def name(self) -> str:
        """The workbook's file name, for messages."""
        ...

    @property
    def folder(self) -> Path | None:
        """Where the workbook lives (documents go beside it by default); ``None`` when it
        was never saved."""
        ...

    def read_tables(self, names: Iterable[str]) -> dict[str, RawTable]:
        """The named tables that exist, each read once. Missing ones are left out."""
        ...

    def write_tables(self, frames: Mapping[str, pd.DataFrame], lang: Lang) -> None:
        """Replace the data of each output table by ``frames[name]`` (columns = keys)."""
        ...

    def update_table(self, name: str, cells: Mapping[tuple[int, str], object],
                     new_rows: Sequence[Mapping[str, object]]) -> None:
        """Set some cells of a table ((data row index, column key) → value) and append
        ``new_rows``; everything else in it stays."""
        ...

    def language(self) -> Lang:
        """The workbook's language, as its headers show."""
        ...

    def save(self) -> None:
        """Make what was written last: the file is replaced atomically; a workbook open in
        Excel or held in memory has nothing to do."""
        ...


def column_letter(n: int) -> str:
    """1 → A, 27 → AA.

    >>> column_letter(28)
    'AB'
    """
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def cell_value(v: object) -> object:
    """A DataFrame value as a plain cell value (NaN/NA/NaT → None, numpy → Python)."""
    if v is None:
        return None
    try:
        if pd.isna(v):  # type: ignore[arg-type]
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(v, "item"):
        return v.item()  # type: ignore[union-attr]
    return v


def series_values(s: pd.Series) -> list[object]:
    """A column as plain Python values, blanks (NaN, NA, NaT) as None — vectorised: this
    runs for every cell an adapter writes."""
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiub":  # plain numpy numbers
        a = s.to_numpy()
        values, blank = a.tolist(), pd.isna(a)  # on the array: no Series built for it
        if not blank.any():
            return values
        return [None if m else v for v, m in zip(values, blank.tolist(), strict=True)]
    values, missing = s.tolist(), s.isna().tolist()
    if s.dtype == object:  # object columns may still hold numpy scalars
        return [None if m else (v.item() if hasattr(v, "item") else v)
                for v, m in zip(values, missing, strict=True)]
    return [None if m else v for v, m in zip(values, missing, strict=True)]


def frame_columns(df: pd.DataFrame, keys: Sequence[str]) -> list[list[object]]:
    """The columns ``keys`` of ``df`` as plain values; a key the frame lacks is blank."""
    return [series_values(df[k]) if k in df.columns else [None] * len(df) for k in keys]


def frame_rows(df: pd.DataFrame, keys: Sequence[str],
               labels: Mapping[str, Mapping[str, str]] | None = None) -> list[list[object]]:
    """Rows of ``df`` in the order of ``keys`` as plain Python cell values; a text of a
    column in ``labels`` is shown as its label there (an enumeration's code as the
    Ukrainian word). Built as one object array filled a column at a time and turned into
    lists in C: no Python step per row (a worksheet function returns ~70 000 cells)."""
    if not keys:
        return []
    out = np.empty((len(df), len(keys)), dtype=object)  # None where a key is absent
    for j, k in enumerate(keys):
        if k not in df.columns:
            continue
        s = df[k]
        shown = labels.get(k) if labels else None
        if shown is None and isinstance(s.dtype, np.dtype) and s.dtype.kind in "iub":
            out[:, j] = s.to_numpy()  # each boxed as the Python int or bool tolist gives
            continue
        if shown is None and isinstance(s.dtype, np.dtype) and s.dtype.kind == "f":
            a = s.to_numpy()
            out[:, j] = a  # Python floats
            blank = np.isnan(a)
            if blank.any():
                out[blank, j] = None
            continue
        if isinstance(s.dtype, pd.StringDtype):  # texts only: each distinct one once
            codes, uniques = pd.factorize(s)  # a blank: -1
            texts = np.empty(len(uniques) + 1, dtype=object)  # the last: None
            texts[:-1] = uniques.tolist() if shown is None else [
                shown.get(v, v) for v in uniques.tolist()]
            out[:, j] = texts[codes]
            continue
        values: list[object] = series_values(s)
        if shown is not None:
            values = [shown.get(v, v) if isinstance(v, str) else v for v in values]
        out[:, j] = _as_column(values)
    return out.tolist()


def _as_column(values: list[object]) -> np.ndarray:
    """``values`` (cell values: scalars, texts, None) as a 1-D object array."""
    col = np.empty(len(values), dtype=object)
    col[:] = values
    return col


def raw_from_rows(name: str, values: list[list[object]], sheet: str = "") -> RawTable:
    """A :class:`RawTable` from a header row followed by data rows (as Excel passes a
    range)."""
    if not values:
        return RawTable(name, sheet or name, [], [])
    headers = ["" if h is None else str(h) for h in values[0]]
    return RawTable(name, sheet or name, headers, [list(r) for r in values[1:]])


@dataclass
class MemoryBook:
    """A workbook held in memory: tests and worksheet functions use it."""

    tables: dict[str, RawTable] = field(default_factory=dict)
    lang: Lang = "en"
    written: dict[str, pd.DataFrame] = field(default_factory=dict)
    reads: int = 0
    writes: int = 0
    name: str = "memory"
    folder: Path | None = None

    @classmethod
    def from_frames(cls, frames: Mapping[str, pd.DataFrame], lang: Lang = "en") -> MemoryBook:
        """A book whose tables hold ``frames`` (columns = keys) with ``lang`` headers."""
        tables = {}
        for name, df in frames.items():
            t = schema.table(name)
            keys = [c for c in df.columns]
            headers = [t.column(k).header(lang) if k in t.column_keys else k for k in keys]
            tables[name] = RawTable(name, t.sheet(lang), headers, frame_rows(df, keys))
        return cls(tables, lang)

    def read_tables(self, names: Iterable[str]) -> dict[str, RawTable]:
        self.reads += 1
        return {n: self.tables[n] for n in names if n in self.tables}

    def write_tables(self, frames: Mapping[str, pd.DataFrame], lang: Lang) -> None:
        self.writes += 1
        for name, df in frames.items():
            self.written[name] = df.copy()

    def update_table(self, name: str, cells: Mapping[tuple[int, str], object],
                     new_rows: Sequence[Mapping[str, object]]) -> None:
        raw = self.tables.get(name)
        if raw is None:
            from .errors import TableMissing

            raise TableMissing("no_table", table=name, book=self.name)
        t = schema.table(name)
        cols = schema.match_columns(t, raw.headers)
        self.writes += 1
        for (i, key), value in cells.items():
            if key in cols and 0 <= i < len(raw.rows):
                row = raw.rows[i]
                row.extend([None] * (cols[key] + 1 - len(row)))
                row[cols[key]] = value
        for new in new_rows:
            row = [None] * len(raw.headers)
            for key, j in cols.items():
                row[j] = new.get(key)
            raw.rows.append(row)

    def language(self) -> Lang:
        return self.lang

    def save(self) -> None:
        """Nothing to do: the book lives in memory."""
