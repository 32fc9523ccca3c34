"""The workbook file as a :class:`koshtorys.core.book.Book`.

Reading streams only the sheets that hold the requested tables. Writing never loads the
workbook into a spreadsheet model: it edits the few parts that hold output tables
(their sheets, table parts, charts plotting them, styles when a number format is
missing, workbook.xml's calcPr) and copies every other zip entry as it was.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from koshtorys.core import schema
from koshtorys.core.book import RawTable, cell_value, frame_columns
from koshtorys.core.errors import TableMissing, WorkbookError
from koshtorys.core.fileio import atomic_path, ensure_not_locked

from . import charts, wbxml, zipwrite
from .errors import damaged
from .index import BrokenTable, TableInfo, WorkbookIndex
from .newsheet import add_table_sheet
from .package import Package, load_bytes
from .reader import (
    FastValues,
    Grid,
    SharedStrings,
    date_styles,
    first_rows,
    plain_sheet,
    read_regions,
)
from .rowtext import Numbers
from .sheetwrite import KEEP, ColumnData, rewrite_table
from .styles import Styles

__all__ = ["FileBook"]


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _column_values(df: pd.DataFrame, key: str, n: int) -> Sequence[object]:
    """A frame column as cell values. A column of numbers is taken as it is, NaN
    included (the writer leaves a non-finite number blank): no pass over its values
    in Python; other columns as :func:`~koshtorys.core.book.frame_columns` makes them."""
    if key not in df.columns:
        return [None] * n
    s = df[key]
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "fiub":  # not Int64 and the like:
        return Numbers(s.to_numpy())  # their blank is pd.NA
    return frame_columns(df, [key])[0]


class FileBook:
    """An .xlsx/.xlsm workbook on disk; changes are staged until :meth:`save`."""

    fast_read: bool = True
    """Read sheets of plain values (no formulas, no errors) with python-calamine."""

    def __init__(self, path: Path, pkg: Package) -> None:
        self.path = path
        self._package: Package | None = pkg
        self._stamp = _stamp(path)
        self._index: WorkbookIndex | None = None

    @property
    def _pkg(self) -> Package:
        """The package; after a save it is read again from disk only if it is used."""
        if self._package is None:
            self._package = Package(load_bytes(self.path), self.path.name)
        return self._package

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, check_lock: bool = True) -> FileBook:
        """Open ``path``; :class:`WorkbookError` when it is missing, locked, encrypted or
        not a workbook."""
        p = Path(path)
        if check_lock:
            ensure_not_locked(p)
        return cls(p, Package(load_bytes(p), p.name))

    @property
    def name(self) -> str:
        """The file's name, for messages."""
        return self.path.name

    @property
    def folder(self) -> Path:
        """The folder the workbook is in."""
        return self.path.resolve().parent

    # ------------------------------------------------------------------ reading
    @property
    def index(self) -> WorkbookIndex:
        if self._index is None:
            try:
                self._index = WorkbookIndex(self._pkg)
            except (ValueError, KeyError) as exc:
                raise damaged(self.path.name, str(exc)) from exc
        return self._index

    @property
    def broken_tables(self) -> list[BrokenTable]:
        """Tables that exist as parts but cannot be used (their range cannot be read, their
        sheet is missing …), each with its name and the reason. :meth:`read_tables` leaves
        them out like missing tables; :meth:`write_tables` refuses to write one."""
        return list(self.index.broken_tables)

    @property
    def changed(self) -> bool:
        """True when changes are staged and not yet saved."""
        return self._pkg.changed

    def table_names(self) -> set[str]:
        """Names of all tables in the workbook, as spelled in it."""
        return {t.name for t in self.index.tables.values()}

    def sheet_names(self) -> list[str]:
        return self.index.sheet_names()

    def _shared_strings(self) -> SharedStrings:
        part = next((r.target for r in self._pkg.rels(self._pkg.main)
                     if r.is_("sharedStrings") and self._pkg.has(r.target)), None)
        return SharedStrings(self._pkg, self._pkg.name_of(part) if part else None)

    def _date_styles(self) -> dict[int, str]:
        part = next((r.target for r in self._pkg.rels(self._pkg.main)
                     if r.is_("styles") and self._pkg.has(r.target)), None)
        return date_styles(self._pkg, self._pkg.name_of(part) if part else None)

    def read_tables(self, names: Iterable[str]) -> dict[str, RawTable]:
        """The named tables that exist (found by name in any sheet), each read once.

        A table's rows run from its first data row to its last row holding a value
        (trailing empty rows are left out; ``row_numbers`` gives each row's sheet row).
        A number shown as a date or time arrives as a date, time, datetime or timedelta
        (see :mod:`.numfmt`). Broken tables (:attr:`broken_tables`) are left out.
        """
        found: dict[str, TableInfo] = {}
        for n in names:
            t = self.index.table(n)
            if t is not None:
                found[n] = t
        by_sheet: dict[str, list[str]] = {}
        for n, t in found.items():
            by_sheet.setdefault(t.sheet_part, []).append(n)
        sst = self._shared_strings()
        dates = self._date_styles() if by_sheet else {}
        changed = self._pkg.changed_parts()
        fast = FastValues(self._pkg.original) if self.fast_read else None
        grids: dict[str, list[Grid]] = {}
        waiting: list[str] = []  # plain sheets being parsed on calamine's threads

        def take(part: str) -> None:
            t0 = found[by_sheet[part][0]]
            got = fast.regions(t0.sheet, regions(part)) if fast is not None else None
            grids[part] = got if got is not None else slow(part)

        def regions(part: str) -> list[tuple[int, int, int, int]]:
            return [(t.top, t.first_col, t.data_end, t.last_col)
                    for t in (found[n] for n in by_sheet[part])]

        def slow(part: str) -> list[Grid]:
            return read_regions(self._pkg, part, regions(part), sst, dates,
                                self.index.date1904)

        try:
            for part in by_sheet:
                # a sheet is scanned (plain_sheet) while the one before is parsed
                if fast is not None and part not in changed and plain_sheet(self._pkg, part):
                    fast.start(found[by_sheet[part][0]].sheet)
                    waiting.append(part)
                    if len(waiting) > fast.WORKERS:
                        take(waiting.pop(0))
                else:
                    grids[part] = slow(part)
            for part in waiting:
                take(part)
        finally:
            if fast is not None:
                fast.close()
        out: dict[str, RawTable] = {}
        for part, tnames in by_sheet.items():
            for n, grid in zip(tnames, grids[part], strict=True):
                t = found[n]
                width = t.last_col - t.first_col + 1
                headers = list(t.columns[:width]) + [""] * (width - len(t.columns))
                out[n] = RawTable(n, t.sheet, headers, grid, header_row=t.header_row,
                                  first_col=t.first_col,
                                  row_numbers=list(range(t.top, t.top + len(grid))))
        return out

    def table_headers(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Every table of the file, ours or not: name → (sheet, column names). A table of
        ours renamed (``Таблиця1``) is found by its headers."""
        return {t.name: (t.sheet, t.columns) for t in self.index.tables.values()}

    def plain_range_headers(self, sheet_names: Sequence[str], rows: int = 5
                            ) -> dict[str, list[tuple[int, list[str]]]]:
        """The first ``rows`` rows holding a value on each named sheet, as (row number,
        cell texts from column A): enough to see whether a sheet still holds a missing
        table's header as a plain range (after Excel's Convert to Range). Each sheet is
        read only up to those rows; sheets that do not exist are left out."""
        sst = self._shared_strings()
        parts = {s.name.lower(): s for s in self.index.sheets if s.part is not None}
        out: dict[str, list[tuple[int, list[str]]]] = {}
        for name in sheet_names:
            sheet = parts.get(name.lower())
            if sheet is not None and sheet.part is not None:
                out[name] = first_rows(self._pkg, sheet.part, sst, rows)
        return out

    def language(self) -> schema.Lang:
        """``uk`` or ``en``, from the headers of tblSettings, else of any known table,
        else from the sheet names."""
        order = ["tblSettings"] + [t.name for t in schema.TABLES if t.name != "tblSettings"]
        for name in order:
            info = self.index.table(name)
            if info is None:
                continue
            uk, en = schema.header_votes(schema.table(name), list(info.columns))
            if uk != en:
                return "uk" if uk > en else "en"
        uk_sheets = {schema.normalize_header(t.sheet_uk) for t in schema.TABLES}
        if any(schema.normalize_header(s) in uk_sheets for s in self.sheet_names()):
            return "uk"
        return "en"

    # ------------------------------------------------------------------ writing
    def _styles(self) -> Styles:
        part = next((r.target for r in self._pkg.rels(self._pkg.main)
                     if r.is_("styles") and self._pkg.has(r.target)), None)
        if part is None:
            raise damaged(self.path.name, "the workbook has no styles part")
        try:
            return Styles(self._pkg, self._pkg.name_of(part))
        except ValueError as exc:
            raise damaged(self.path.name, f"styles: {exc}") from exc

    def write_tables(self, frames: Mapping[str, pd.DataFrame], lang: schema.Lang) -> None:
        """Stage the new data of each output table; :meth:`save` writes the file.

        All or nothing: when one table cannot be written (say, it would grow over the
        user's cells), no change at all is staged.
        """
        if not frames:
            return
        for name in frames:
            broken = self.index.broken(name) if self.index.table(name) is None else None
            if broken is not None:  # a second table of that name would make Excel repair
                raise damaged(self.path.name, f"table {broken.name} cannot be written: "
                              f"{broken.reason}")
        state = self._pkg.snapshot()
        try:
            with zipwrite.deflating():
                self._write_tables(frames, lang)
        except BaseException:
            self._pkg.restore(state)
            self._index = None
            raise

    def _write_tables(self, frames: Mapping[str, pd.DataFrame], lang: schema.Lang) -> None:
        styles = self._styles()
        chart_parts = charts.chart_parts(self._pkg)
        for name, df in frames.items():
            tdef = schema.table(name)
            info = self.index.table(name)
            n = len(df)
            chart_rows = min(int(df.attrs.get("chart_rows", n)), n)
            if info is None:
                cols = frame_columns(df, tdef.column_keys)
                add_table_sheet(self._pkg, self.index, tdef, lang, cols, n, styles)
                self._index = None  # a new sheet and table: read the workbook's map again
            else:
                columns = self._columns(info, tdef, df)
                others = [t for t in self.index.tables.values()
                          if t.sheet_part == info.sheet_part and t.part != info.part]
                new_ref = rewrite_table(self._pkg, info, columns, n, styles, others,
                                        self._pkg.xml(info.part))
                charts.update_charts(self._pkg, info, {c.col: c.values for c in columns},
                                     chart_rows, chart_parts)
                # only this table's extent changed: no need to parse every part again
                self.index.tables[name.lower()] = dataclasses.replace(info, ref=new_ref)
        styles.save()
        self._after_cell_edits()

    def _after_cell_edits(self) -> None:
        """Excel recalculates on open, and finds no stale calcChain: it repairs a workbook
        whose chain names a cell that no longer holds a formula (rows cut from a table),
        while without the part it silently rebuilds the chain."""
        try:
            calc = wbxml.ensure_full_calc(self._pkg.read(self._pkg.main))
        except ValueError as exc:  # BadXml included
            raise damaged(self.path.name, f"{self._pkg.main}: {exc}") from exc
        self._pkg.put(self._pkg.main, calc)
        for rel in self._pkg.rels(self._pkg.main):
            if rel.is_("calcChain") and not rel.external:
                self._pkg.drop(self._pkg.main, rel.target)

    def update_table(self, name: str, cells: Mapping[tuple[int, str], object],
                     new_rows: Sequence[Mapping[str, object]]) -> None:
        """Set some cells of an input table and append rows; everything else in it (other
        values, formulas, the user's columns) stays as it is.

        ``cells`` maps (data row index as read, column key) to the new value; ``new_rows``
        hold values by column key. Staged like :meth:`write_tables`, all or nothing.
        """
        info = self.index.table(name)
        if info is None:
            raise TableMissing("no_table", book=self.path.name, table=name)
        tdef = schema.table(name)
        n_old = info.data_end - info.top + 1
        n_new = len(new_rows)
        edits: dict[str, dict[int, object]] = {}
        for (i, key), value in cells.items():
            if 0 <= i < n_old:
                edits.setdefault(key, {})[i] = value
        columns = []
        for ws_col, col in self._mapped(info, tdef):
            values: list[object] = [KEEP] * n_old + [cell_value(r.get(col.key)) for r in new_rows]
            for i, value in edits.get(col.key, {}).items():
                values[i] = cell_value(value)
            columns.append(ColumnData(ws_col, values, col.fmt))
        if not edits and not n_new:
            return
        state = self._pkg.snapshot()
        try:
            styles = self._styles()
            others = [t for t in self.index.tables.values()
                      if t.sheet_part == info.sheet_part and t.part != info.part]
            rewrite_table(self._pkg, info, columns, n_old + n_new, styles, others)
            charts.update_charts(self._pkg, info, {}, n_old + n_new,
                                 charts.chart_parts(self._pkg))
            styles.save()
            self._after_cell_edits()
        except BaseException:
            self._pkg.restore(state)
            raise
        finally:
            self._index = None

    @staticmethod
    def _mapped(info: TableInfo, tdef: schema.Table) -> list[tuple[int, schema.Column]]:
        """(worksheet column, schema column) of the table's columns that hold schema keys,
        found by header in either language; the user's own columns are left out."""
        found = schema.match_columns(tdef, list(info.columns))
        return sorted((info.first_col + j, tdef.column(key)) for key, j in found.items())

    @classmethod
    def _columns(cls, info: TableInfo, tdef: schema.Table, df: pd.DataFrame) -> list[ColumnData]:
        """New values of the table's schema columns from ``df`` (columns = keys)."""
        mapped = cls._mapped(info, tdef)
        return [ColumnData(ws_col, _column_values(df, col.key, len(df)), col.fmt)
                for ws_col, col in mapped]

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the workbook atomically to ``path`` (default: where it was opened)."""
        target = Path(path) if path is not None else self.path
        same = target.resolve() == self.path.resolve()
        if same and (self._package is None or not self._pkg.changed):
            return target
        ensure_not_locked(target)
        if same and _stamp(target) != self._stamp:
            raise WorkbookError("changed_on_disk", name=target.name)
        with atomic_path(target) as tmp, open(tmp, "wb") as fp:
            self._pkg.write(fp)
            fp.flush()
            os.fsync(fp.fileno())
        self.path = target
        self._package = None  # read again from disk only if this book is used again
        self._stamp = _stamp(target)
        self._index = None
        return target
