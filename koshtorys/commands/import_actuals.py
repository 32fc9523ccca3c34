"""``koshtorys import-actuals``: a report's months into the workbook's ``tblActuals``.

Only the month cells the report brings change; every other cell of the table —
formulas, other months, extra user columns, even rows with errors — stays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from koshtorys.convert import convert_inputs
from koshtorys.core import classifiers, schema
from koshtorys.core.book import Book, RawTable
from koshtorys.core.errors import TableMissing
from koshtorys.core.schema import match_columns
from koshtorys.readers.report import ReportRows, merge_actuals, read_report

from .outcome import Outcome, Progress

__all__ = ["ImportResult", "plan_import", "import_actuals"]


UpdatableBook = Book


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



def plan_import(raw_actuals: RawTable, report: ReportRows) -> ImportResult:
    """The cell changes that put ``report`` into the raw ``tblActuals``."""
    t = schema.table("tblActuals")
    cols = match_columns(t, raw_actuals.headers)
    missing = [k for k in ("kpkvk", "kekv", *schema.MONTHS) if k not in cols]
    if missing:
        raise TableMissing("no_columns", table="tblActuals", columns=", ".join(missing))

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


def import_actuals(book: UpdatableBook, report_path: Path,
                   progress: Progress | None = None) -> Outcome:
    """Read ``report_path`` into ``book``'s ``tblActuals`` (the file or the live workbook):
    the months of the execution year it brings replace those months; saved at once."""
    lang = book.language()
    (progress or (lambda _s: None))("read")
    raw = book.read_tables(["tblSettings", "tblActuals"])
    if "tblActuals" not in raw:
        raise TableMissing("no_table", table="tblActuals", book=book.name)
    settings = convert_inputs(raw, ["tblSettings"]).settings
    report = read_report(report_path, year=settings.exec_year)
    result = plan_import(raw["tblActuals"], report)
    (progress or (lambda _s: None))("write")
    book.update_table("tblActuals", result.cells, result.new_rows)
    book.save()
    out = Outcome(lang, result.exit_code)
    out.say("imported", months=", ".join(str(m) for m in result.months) or "—",
            cells=len(result.cells), rows=len(result.new_rows))
    for line in result.skipped[:20]:
        out.say("import_skipped", line=line)
    return out
