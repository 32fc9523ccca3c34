"""``koshtorys import-actuals``: a report's months into the workbook's ``tblActuals``.

Only the month cells the report brings change; every other cell of the table —
formulas, other months, extra user columns, even rows with errors — stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from koshtorys.convert import convert_inputs
from koshtorys.core import classifiers, schema
from koshtorys.core.book import Book, RawTable
from koshtorys.core.errors import TableMissing
from koshtorys.core.schema import match_columns
from koshtorys.readers.report import ReportRows, merge_actuals, read_report

__all__ = ["ImportResult", "plan_import", "import_into", "import_actuals"]


class UpdatableBook(Book, Protocol):
    """A book that can also change single cells of an input table (file or live)."""

    def update_table(self, name: str, cells: dict[tuple[int, str], float],
                     new_rows: list[dict[str, object]]) -> None: ...


@dataclass
class ImportResult:
    """What an import changed."""

    cells: dict[tuple[int, str], float] = field(default_factory=dict)
    """(data row index, month key) → new value, for existing rows."""
    new_rows: list[dict[str, object]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    months: list[int] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.skipped else 0

    def summary(self) -> str:
        lines = [f"imported months {', '.join(str(m) for m in self.months) or '—'}: "
                 f"{len(self.cells)} cells updated, {len(self.new_rows)} rows added"]
        lines += [f"  skipped {s}" for s in self.skipped[:20]]
        return "\n".join(lines)


def plan_import(raw_actuals: RawTable, report: ReportRows) -> ImportResult:
    """The cell changes that put ``report`` into the raw ``tblActuals``."""
    t = schema.table("tblActuals")
    cols = match_columns(t, raw_actuals.headers)
    missing = [k for k in ("kpkvk", "kekv", *schema.MONTHS) if k not in cols]
    if missing:
        raise TableMissing(f"tblActuals has no column {', '.join(missing)}")

    keys: list[tuple[str | None, str | None, str]] = []
    values: list[dict[str, object]] = []
    for row in raw_actuals.rows:
        def cell(k: str, row=row) -> object:
            return row[cols[k]] if k in cols and cols[k] < len(row) else None
        fund = schema.enum_value("fund", cell("fund") or "general") or str(cell("fund"))
        keys.append((classifiers.code("kpkvk", cell("kpkvk")),
                     classifiers.code("kekv", cell("kekv")), fund))
        values.append({m: (cell(m) if isinstance(cell(m), int | float) else None)
                       for m in schema.MONTHS})
    current = pd.DataFrame(
        [{"kpkvk": k[0], "kekv": k[1], "fund": k[2], **v} for k, v in zip(keys, values,
                                                                         strict=True)],
        columns=["kpkvk", "kekv", "fund", *schema.MONTHS],
    )
    merged = merge_actuals(current, report)
    result = ImportResult(skipped=list(report.skipped),
                          months=sorted({int(m) for m in report.rows["month"]}))
    brought = {schema.MONTHS[m - 1] for m in result.months}
    touched = set(zip(report.rows["kpkvk"], report.rows["kekv"], report.rows["fund"],
                      strict=True))
    for i, row in merged.iterrows():
        key = (row["kpkvk"], row["kekv"], row["fund"])
        if key not in touched:
            continue
        if i < len(current):
            for m in brought:
                v = row[m]
                if pd.notna(v) and v != current.at[i, m]:
                    result.cells[(int(i), m)] = float(v)
        else:
            result.new_rows.append({k: (None if pd.isna(row[k]) else row[k])
                                    for k in ["kpkvk", "kekv", "fund", *schema.MONTHS]})
    return result


def import_into(book: UpdatableBook, report_path: Path) -> ImportResult:
    """Read ``report_path`` into ``book``'s ``tblActuals`` (the file or the live workbook);
    the months of the execution year it brings replace those months."""
    raw = book.read_tables(["tblSettings", "tblActuals"])
    if "tblActuals" not in raw:
        raise TableMissing("the workbook has no table tblActuals")
    settings = convert_inputs(raw, ["tblSettings"]).settings
    report = read_report(report_path, year=settings.exec_year)
    result = plan_import(raw["tblActuals"], report)
    book.update_table("tblActuals", result.cells, result.new_rows)
    return result


def import_actuals(path: Path, report_path: Path) -> ImportResult:
    """``koshtorys import-actuals``: :func:`import_into` the workbook file, saved atomically."""
    from koshtorys.xlsx import FileBook

    book = FileBook.open(path)
    result = import_into(book, report_path)
    book.save()
    return result
