"""A small stand-in for an xlwings Book open in Excel, recording every ``.value`` read and write.

Only what :mod:`koshtorys.addin.live` and :mod:`koshtorys.addin.macros` use is
modelled. Cells behave like Excel's where it matters to the adapter: text that
looks like a number is stored as a number unless it carries the apostrophe
prefix, error cells read as ``None`` unless ``err_to_str=True``, a table's
range follows ``resize``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_NUMERIC = re.compile(r"^\s*[+-]?\d+([.,]\d+)?\s*$")


@dataclass(frozen=True)
class FakeError:
    """An Excel error value in a cell (``#DIV/0!`` …)."""

    code: str


def _store(v: Any, fmt: str | None = None) -> Any:
    """What Excel keeps when a value is written into a cell of number format ``fmt``:
    a Text (``@``) cell keeps a string as it is, apostrophe included; otherwise the
    apostrophe prefix is dropped and number-like text becomes a number."""
    if isinstance(v, str) and fmt == "@":
        return v or None
    if isinstance(v, str):
        if v.startswith("'"):
            return v[1:]
        if _NUMERIC.match(v):
            return float(v.replace(",", "."))
        if v == "":
            return None
    return v


@dataclass
class Access:
    """One recorded ``.value`` / ``.formula`` access."""

    kind: str  # "read", "write", "formula_read", "formula_write", "clear"
    sheet: str
    top: int
    left: int
    bottom: int
    right: int


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int,
                 options: dict[str, Any] | None = None) -> None:
        self.sheet, self.top, self.left = sheet, top, left
        self.bottom, self.right = bottom, right
        self._options = options or {}

    # geometry
    @property
    def row(self) -> int:
        return self.top

    @property
    def column(self) -> int:
        return self.left

    @property
    def shape(self) -> tuple[int, int]:
        return (self.bottom - self.top + 1, self.right - self.left + 1)

    def options(self, **options: Any) -> FakeRange:
        return FakeRange(self.sheet, self.top, self.left, self.bottom, self.right, options)

    def _record(self, kind: str) -> None:
        self.sheet.book.log.append(Access(kind, self.sheet.name, self.top, self.left,
                                          self.bottom, self.right))

    def _cells(self) -> list[list[tuple[int, int]]]:
        return [[(r, c) for c in range(self.left, self.right + 1)]
                for r in range(self.top, self.bottom + 1)]

    # values
    @property
    def value(self) -> Any:
        self._record("read")
        err_to_str = self._options.get("err_to_str", False)

        def get(rc: tuple[int, int]) -> Any:
            v = self.sheet.cells.get(rc)
            if isinstance(v, FakeError):
                return v.code if err_to_str else None
            return v

        grid = [[get(rc) for rc in row] for row in self._cells()]
        if self._options.get("ndim") == 2:
            return grid
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        if len(grid) == 1:
            return grid[0]
        return grid

    @value.setter
    def value(self, data: Any) -> None:
        self._record("write")
        grid = data if isinstance(data, list) and data and isinstance(data[0], list) else [data]
        assert len(grid) == self.shape[0] and all(len(r) == self.shape[1] for r in grid), (
            f"block {len(grid)}x{len(grid[0])} written into a {self.shape} range")
        for row, cells in zip(grid, self._cells(), strict=True):
            for v, rc in zip(row, cells, strict=True):
                self.sheet.set(rc, _store(v, self.sheet.formats.get(rc)))

    @property
    def formula(self) -> Any:
        self._record("formula_read")
        grid = tuple(tuple(self.sheet.formulas.get(rc, self.sheet.cells.get(rc)) for rc in row)
                     for row in self._cells())
        if len(grid) == 1 and len(grid[0]) == 1:
            return grid[0][0]
        return grid

    @formula.setter
    def formula(self, data: Any) -> None:
        self._record("formula_write")
        grid = data if isinstance(data, list | tuple) and isinstance(data[0], list | tuple) \
            else [[data]]
        for row, cells in zip(grid, self._cells(), strict=True):
            for v, rc in zip(row, cells, strict=True):
                if isinstance(v, str) and v.startswith("="):
                    self.sheet.formulas[rc] = v  # cached value kept, as if recalculated later
                else:
                    self.sheet.formulas.pop(rc, None)
                    self.sheet.cells[rc] = _store(v, self.sheet.formats.get(rc))

    def clear_contents(self) -> None:
        self._record("clear")
        for row in self._cells():
            for rc in row:
                self.sheet.set(rc, None)

    @property
    def number_format(self) -> str:
        return self.sheet.formats.get((self.top, self.left), "General")

    @number_format.setter
    def number_format(self, fmt: str) -> None:
        self._record("format")
        for row in self._cells():
            for rc in row:
                self.sheet.formats[rc] = fmt


class FakeColumn:
    def __init__(self, name: str) -> None:
        self.name = name


class FakeTable:
    def __init__(self, sheet: FakeSheet, name: str, top: int, left: int, bottom: int,
                 right: int) -> None:
        self.sheet, self.name = sheet, name
        self.top, self.left, self.bottom, self.right = top, left, bottom, right
        self.show_headers = True
        self.show_totals = False
        self.empty = False
        """Only the insert row, as Excel keeps an empty table: no data body."""

    @property
    def range(self) -> FakeRange:
        return FakeRange(self.sheet, self.top, self.left, self.bottom, self.right)

    @property
    def header_row_range(self) -> FakeRange | None:
        if not self.show_headers:
            return None
        return FakeRange(self.sheet, self.top, self.left, self.top, self.right)

    @property
    def data_body_range(self) -> FakeRange | None:
        first = self.top + (1 if self.show_headers else 0)
        last = self.bottom - (1 if self.show_totals else 0)
        if self.empty or last < first:
            return None
        return FakeRange(self.sheet, first, self.left, last, self.right)

    @property
    def columns(self) -> list[FakeColumn]:
        return [FakeColumn(str(self.sheet.cells.get((self.top, c))))
                for c in range(self.left, self.right + 1)]

    def resize(self, rng: FakeRange) -> None:
        assert (rng.top, rng.left) == (self.top, self.left), "the header must stay in place"
        self.sheet.book.resizes.append((self.name, rng.shape))
        self.bottom, self.right = rng.bottom, rng.right
        self.empty = False


class FakeTables:
    def __init__(self, sheet: FakeSheet) -> None:
        self.sheet = sheet
        self._tables: list[FakeTable] = []

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._tables))

    def __len__(self) -> int:
        return len(self._tables)

    def __getitem__(self, name: str) -> FakeTable:
        for t in self._tables:
            if t.name.casefold() == name.casefold():
                return t
        raise KeyError(name)

    def add(self, source: FakeRange, name: str | None = None, **_: Any) -> FakeTable:
        t = FakeTable(self.sheet, name or f"Table{len(self._tables) + 1}", source.top,
                      source.left, source.bottom, source.right)
        self._tables.append(t)
        return t


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = FakeTables(self)

    def set(self, rc: tuple[int, int], v: Any) -> None:
        self.formulas.pop(rc, None)
        if v is None:
            self.cells.pop(rc, None)
        else:
            self.cells[rc] = v

    def range(self, a: tuple[int, int], b: tuple[int, int] | None = None) -> FakeRange:
        b = b or a
        return FakeRange(self, a[0], a[1], b[0], b[1])

    def activate(self) -> None:
        self.book.sheets.active = self

    def put_table(self, name: str, headers: list[str], rows: list[list[Any]], top: int = 1,
                  left: int = 1) -> FakeTable:
        """Set up a table as a user would have typed it (nothing is recorded)."""
        for j, h in enumerate(headers):
            self.cells[(top, left + j)] = h
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is not None:
                    self.cells[(top + i, left + j)] = v
        bottom = top + max(len(rows), 1)
        table = self.tables.add(FakeRange(self, top, left, bottom, left + len(headers) - 1),
                                name)
        table.empty = not rows
        return table

    def block(self, top: int, left: int, bottom: int, right: int) -> list[list[Any]]:
        return [[self.cells.get((r, c)) for c in range(left, right + 1)]
                for r in range(top, bottom + 1)]


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self._sheets: list[FakeSheet] = []
        self.active: FakeSheet | None = None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        for s in self._sheets:
            if s.name == key:
                return s
        raise KeyError(key)

    def add(self, name: str | None = None, before: Any = None, after: Any = None) -> FakeSheet:
        name = name or f"Sheet{len(self._sheets) + 1}"
        assert all(s.name.casefold() != name.casefold() for s in self._sheets), name
        assert len(name) <= 31 and not set(name) & set("[]:*?/\\"), name
        s = FakeSheet(self.book, name)
        index = self._sheets.index(after) + 1 if after is not None else len(self._sheets)
        self._sheets.insert(index, s)
        self.active = s
        return s


@dataclass
class FakeBooks:
    opened: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        self.opened.append(path)


class FakeApp:
    def __init__(self) -> None:
        self.status_history: list[str | bool] = []
        self.alerts: list[dict[str, Any]] = []
        self.answer = "yes"
        self.screen_updating = True
        self.books = FakeBooks()

    @property
    def status_bar(self) -> str | bool:
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.status_history.append(value)

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok",
              mode: str | None = None, callback: str | None = None) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "buttons": buttons, "mode": mode})
        return self.answer if buttons != "ok" else "ok"


class FakeBook:
    def __init__(self, fullname: str = "Book1") -> None:
        self.app = FakeApp()
        self.sheets = FakeSheets(self)
        self.fullname = fullname
        self.log: list[Access] = []
        self.resizes: list[tuple[str, tuple[int, int]]] = []
        self.saves = 0

    @property
    def name(self) -> str:
        return self.fullname.replace("\\", "/").rsplit("/", 1)[-1]

    def save(self) -> None:
        self.saves += 1

    def sheet(self, name: str) -> FakeSheet:
        """The sheet named ``name``, added when missing (test set-up)."""
        for s in self.sheets:
            if s.name == name:
                return s
        s = self.sheets.add(name)
        return s

    def table(self, name: str) -> FakeTable:
        for s in self.sheets:
            for t in s.tables:
                if t.name == name:
                    return t
        raise KeyError(name)

    def accesses(self, kind: str) -> list[Access]:
        return [a for a in self.log if a.kind == kind]

    def accesses_of(self, name: str, kind: str) -> list[Access]:
        """Accesses of ``kind`` whose range lies inside table ``name``'s current range."""
        t = self.table(name)
        return [a for a in self.accesses(kind) if a.sheet == t.sheet.name
                and t.top <= a.top and a.bottom <= max(t.bottom, a.bottom)
                and t.left <= a.left and a.right <= t.right]

    def table_values(self, name: str) -> tuple[list[Any], list[list[Any]]]:
        """(headers, data rows) of a table as stored now."""
        t = self.table(name)
        grid = t.sheet.block(t.top, t.left, t.bottom, t.right)
        return grid[0], grid[1:]
