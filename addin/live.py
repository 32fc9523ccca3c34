"""The :class:`~koshtorys.core.book.Book` protocol over a workbook open in Excel (xlwings).

Every table moves in one call: a table is read with one ``.value`` of its whole
range and written with one ``.value =`` of its data body (cell-by-cell writes
are ~100× slower through COM, xlwings #860). Where the tables are is found once,
by walking each sheet's ``.tables``. Nothing here imports xlwings: the adapter
only uses the objects it is given, so tests drive it with a small fake.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from koshtorys.core import schema
from koshtorys.core.book import CellError, Lang, RawTable, frame_rows
from koshtorys.core.errors import TableMissing

__all__ = ["LiveBook", "excel_value", "EXCEL_ERRORS"]

#: Error values Excel shows in cells (read as text with ``err_to_str=True``).
EXCEL_ERRORS = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
    "#PYTHON!",
})
# Text Excel would turn into a number, date, time, percentage or formula when written.
_COERCED = re.compile(r"^[\s\d.,:/%eE+-]+$")


TEXT_FORMAT = "@"
_TEXT_KINDS = ("text", "code", "enum")
_KNOWN = frozenset(t.name for t in schema.TABLES)


def excel_value(v: object) -> object:
    """A value for a cell in General format: text that Excel would reinterpret
    ("0813104", "=x", "1/2") gets the apostrophe prefix, so it stays text.

    Text columns are formatted as Text (``@``) instead and get their strings as they
    are: in a Text cell Excel keeps an apostrophe as part of the value.

    >>> excel_value("=SUM(A1)"), excel_value("0813104"), excel_value(12.5)
    ("'=SUM(A1)", "'0813104", 12.5)
    """
    if isinstance(v, str) and v and (v[0] in "=+-@'" or _COERCED.match(v)):
        return "'" + v
    return v


def _read_value(v: object) -> object:
    if isinstance(v, str) and v in EXCEL_ERRORS:
        return CellError(v)
    return v


def _runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted positions as (first, last) runs of consecutive numbers.

    >>> _runs([5, 1, 2, 3, 7, 8])
    [(1, 3), (5, 5), (7, 8)]
    """
    runs: list[tuple[int, int]] = []
    for p in sorted(positions):
        if runs and p == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], p)
        else:
            runs.append((p, p))
    return runs


class LiveBook:
    """An open workbook (an ``xlwings.Book``) seen as a :class:`koshtorys.core.book.Book`."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._places: dict[str, tuple[Any, Any]] | None = None
        self._raw: dict[str, RawTable] = {}
        self._lang: Lang | None = None

    # --- where the tables are -----------------------------------------------------------

    def _locate(self) -> dict[str, tuple[Any, Any]]:
        """Table name (case-folded) → (sheet, table), walking every sheet's tables once."""
        if self._places is None:
            self._places = {}
            for sheet in self.book.sheets:
                for table in sheet.tables:
                    self._places.setdefault(str(table.name).casefold(), (sheet, table))
        return self._places

    def _find(self, name: str) -> tuple[Any, Any] | None:
        return self._locate().get(name.casefold())

    @property
    def name(self) -> str:
        """The workbook's name as Excel shows it."""
        return str(self.book.name)

    @property
    def folder(self) -> Path | None:
        """The folder of the workbook's file; ``None`` before it was first saved or when it
        lives in OneDrive/SharePoint (a URL, not a folder)."""
        full = str(self.book.fullname)
        if "://" in full:
            return None
        path = Path(full)
        return path.parent if path.is_absolute() and path.suffix else None

    def save(self) -> None:
        """Nothing to do: the user saves the workbook in Excel when they choose."""

    def status(self, text: str | bool) -> None:
        """Show ``text`` in Excel's status bar (``False`` gives it back to Excel)."""
        self.book.app.status_bar = text

    # --- reading ------------------------------------------------------------------------

    def _read(self, name: str, sheet: Any, table: Any) -> RawTable:
        rng = table.range
        values = rng.options(ndim=2, err_to_str=True).value  # the one read of this table
        grid = [list(r) for r in (values or [])]
        first_row, first_col = rng.row, rng.column
        if table.show_headers:
            headers = ["" if h is None else str(h) for h in (grid[0] if grid else [])]
            body, header_row = grid[1:], first_row
        else:
            headers = [str(c.name) for c in table.columns]
            body, header_row = grid, first_row - 1
        if table.show_totals and body:
            body = body[:-1]
        rows = [[_read_value(v) for v in r] for r in body]
        return RawTable(name, str(sheet.name), headers, rows, header_row=header_row,
                        first_col=first_col)

    def read_tables(self, names: Iterable[str]) -> dict[str, RawTable]:
        """The named tables that exist, each read once (and kept for this session)."""
        out: dict[str, RawTable] = {}
        for name in names:
            if name not in self._raw:
                place = self._find(name)
                if place is None:
                    continue
                self._raw[name] = self._read(name, *place)
            out[name] = self._raw[name]
        return out

    def table_headers(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Every table of the workbook, ours or not: name → (sheet, header texts), each
        header row read once. Asked only when a table of ours is missing: a renamed one
        (``Таблиця1``) is found by its headers."""
        out: dict[str, tuple[str, tuple[str, ...]]] = {}
        for sheet, table in self._locate().values():
            head = table.header_row_range
            values = head.value if head is not None else None
            cells = values if isinstance(values, list) else [values]
            out[str(table.name)] = (str(sheet.name),
                                    tuple("" if v is None else str(v) for v in cells))
        return out

    def language(self) -> Lang:
        """``uk`` or ``en`` by the headers of the tables read (``tblSettings`` is read,
        once, when nothing has been yet); Ukrainian when nothing tells."""
        if self._lang is None:
            raws = list(self._raw.values()) or list(self.read_tables(["tblSettings"]).values())
            votes = [schema.header_votes(schema.table(r.name), r.headers) for r in raws
                     if r.name in _KNOWN]
            uk, en = sum(v[0] for v in votes), sum(v[1] for v in votes)
            self._lang = "en" if en > uk else "uk"
        return self._lang

    # --- writing ------------------------------------------------------------------------

    def write_tables(self, frames: Mapping[str, pd.DataFrame], lang: Lang) -> None:
        """Replace each output table's data with ``frames[name]`` (columns = keys): one
        ``.value =`` per table; a missing table gets a new sheet."""
        for i, (name, df) in enumerate(frames.items(), start=1):
            self.status(f"Кошторис: запис {name} ({i}/{len(frames)})…")
            place = self._find(name)
            if place is None:
                self._create(name, df, lang)
            else:
                self._replace(name, df, lang, *place)

    @staticmethod
    def _keys(name: str, df: pd.DataFrame) -> list[str]:
        return schema.table(name).column_keys if name in _KNOWN else [str(c) for c in df.columns]

    @staticmethod
    def _text_keys(name: str) -> set[str]:
        """Columns written as Text (``@``): codes keep their zeros, nothing is parsed."""
        if name not in _KNOWN:
            return set()
        return {c.key for c in schema.table(name).columns if c.kind in _TEXT_KINDS}

    def _write_block(self, sheet: Any, top: int, left: int, keys: list[str],
                     rows: list[list[object]], text: set[str]) -> None:
        """``rows`` (values in the order of ``keys``) into the block at (top, left): Text
        format on the text columns first, then one ``.value =``."""
        bottom, width = top + len(rows) - 1, len(keys)
        for a, b in _runs(j for j, k in enumerate(keys) if k in text):
            sheet.range((top, left + a), (bottom, left + b)).number_format = TEXT_FORMAT
        sheet.range((top, left), (bottom, left + width - 1)).value = [
            [v if keys[j] in text else excel_value(v) for j, v in enumerate(r)] for r in rows]

    @staticmethod
    def _headers(name: str, keys: list[str], lang: Lang) -> list[str]:
        if name not in _KNOWN:
            return keys
        t = schema.table(name)
        return [t.column(k).header(lang) for k in keys]

    def _replace(self, name: str, df: pd.DataFrame, lang: Lang, sheet: Any, table: Any) -> None:
        from koshtorys.core.schema import match_columns

        keys = self._keys(name, df)
        header = table.header_row_range
        if header is None:
            raise TableMissing("header_row_hidden", table=name, sheet=sheet.name)
        heads = [("" if h is None else str(h)) for h in header.options(ndim=2).value[0]]
        top, left = header.row, header.column
        if name in _KNOWN:
            found = match_columns(schema.table(name), heads)
        else:
            found = {k: heads.index(k) for k in keys if k in heads}
        body = table.data_body_range
        old = body.shape[0] if body is not None else 0
        rows = frame_rows(df, keys)
        new = max(len(rows), 1)
        width = len(heads)
        write_headers = not found
        if write_headers:  # none of its columns is recognisable: rewrite it whole
            found = {k: j for j, k in enumerate(keys)}
            width = len(keys)
        table.resize(sheet.range((top, left), (top + new, left + width - 1)))
        height = max(new, old)
        column_of = {pos: keys.index(k) for k, pos in found.items()}
        runs = _runs(column_of)
        text = self._text_keys(name)
        for a, b in runs:
            run_keys = [keys[column_of[p]] for p in range(a, b + 1)]
            block = [[rows[r][column_of[p]] if r < len(rows) else None
                      for p in range(a, b + 1)] for r in range(height)]
            first = top + 1
            if write_headers:
                block = [self._headers(name, keys, lang)[a:b + 1]] + block
                first = top
            self._write_block(sheet, first, left + a, run_keys, block, text)
        covered = sum(b - a + 1 for a, b in runs)
        if old > new and covered < width:  # rows left below the table in user columns
            sheet.range((top + new + 1, left), (top + old, left + width - 1)).clear_contents()

    def _create(self, name: str, df: pd.DataFrame, lang: Lang) -> Any:
        keys = self._keys(name, df)
        from koshtorys.xlsx.package import unique_sheet_name

        base = schema.table(name).sheet(lang) if name in _KNOWN else name
        title = unique_sheet_name(base, [str(s.name) for s in self.book.sheets])
        active = self.book.sheets.active
        sheet = self.book.sheets.add(name=title, after=self.book.sheets[-1])
        rows = frame_rows(df, keys) or [[None] * len(keys)]
        grid = [self._headers(name, keys, lang)] + rows
        self._write_block(sheet, 1, 1, keys, grid, self._text_keys(name))  # the one write
        rng = sheet.range((1, 1), (len(grid), len(keys)))
        table = sheet.tables.add(source=rng, name=name)
        if name in _KNOWN:
            for j, col in enumerate(schema.table(name).columns, start=1):
                if col.fmt:
                    sheet.range((2, j), (len(grid), j)).number_format = col.fmt
        active.activate()
        self._locate()[name.casefold()] = (sheet, table)
        return table

    # --- changing some cells of an input table (import of actuals) ----------------------

    def update_table(self, name: str, cells: Mapping[tuple[int, str], float],
                     new_rows: list[dict[str, object]]) -> None:
        """Set ``cells`` ((data row index, column key) → value) and append ``new_rows``.

        Formulas elsewhere in the touched columns survive: the touched block is read
        and written back as formulas (one read, one write); new rows are one more write.
        """
        from koshtorys.core.schema import match_columns

        place = self._find(name)
        if place is None:
            raise TableMissing("no_table_here", table=name)
        sheet, table = place
        raw = self.read_tables([name])[name]
        cols = match_columns(schema.table(name), raw.headers)
        top, left = raw.header_row, raw.first_col
        n_rows = len(raw.rows)
        touched = sorted({cols[k] for _, k in cells if k in cols})
        if cells and touched and n_rows:
            a, b = touched[0], touched[-1]
            rng = sheet.range((top + 1, left + a), (top + n_rows, left + b))
            formulas = rng.formula
            if n_rows == 1 and a == b:
                formulas = [[formulas]]
            elif not isinstance(formulas[0], list | tuple):
                formulas = [formulas] if n_rows == 1 else [[f] for f in formulas]
            grid = [list(r) for r in formulas]
            for (i, key), value in cells.items():
                if key in cols and 0 <= i < n_rows:
                    grid[i][cols[key] - a] = value
            rng.formula = grid
        if new_rows:
            width = len(raw.headers)
            table.resize(sheet.range((top, left), (top + n_rows + len(new_rows),
                                                   left + width - 1)))
            positions = {cols[k]: k for k in cols}
            text = self._text_keys(name)
            for a, b in _runs(p for p, k in positions.items()
                              if any(k in row for row in new_rows)):
                run_keys = [positions.get(p, "") for p in range(a, b + 1)]
                block = [[row.get(k) for k in run_keys] for row in new_rows]
                self._write_block(sheet, top + n_rows + 1, left + a, run_keys, block, text)
        self._raw.pop(name, None)
