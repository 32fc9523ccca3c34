"""Many institutions' program workbooks into one summary workbook.

The reader is passed in (``read(path) -> {table name: RawTable}``, the file
adapter in the command line, a fake in tests), so this module never opens a file
itself except to write the result. A file that cannot be read, or lacks the
tables, is listed with its reason; it never stops the others.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from koshtorys.convert import convert_inputs
from koshtorys.core import schema
from koshtorys.core.book import RawTable, frame_columns
from koshtorys.core.classifiers import CODE_WIDTH, code
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import atomic_path, ensure_not_locked
from koshtorys.core.money import from_units, to_units
from koshtorys.core.schema import match_columns
from koshtorys.xlsx.tablebook import TableSheet, write_table_book

__all__ = ["TABLES_READ", "FileStatus", "Consolidation", "consolidate", "write_consolidation"]

Reader = Callable[[Path], Mapping[str, RawTable]]

TABLES_READ: tuple[str, ...] = ("tblSettings", "tblVarianceSummary", "tblFundingSummary",
                                "tblCostByKekv")
"""What :func:`consolidate` needs from each workbook (pass it to the file adapter)."""
_OUTPUTS = {"variance": "tblVarianceSummary", "funding": "tblFundingSummary",
            "cost_by_kekv": "tblCostByKekv"}
_EXTRA = (("institution", "Установа"), ("source_file", "Файл"))
_FILES = (("file", "Файл"), ("institution", "Установа"), ("status", "Стан"),
          ("message", "Повідомлення"))
_TOTAL = {"uk": "Усього", "en": "Total"}
_PLAIN = (str, int, float, bool, type(None))


@dataclass(frozen=True)
class FileStatus:
    """One input file: ``ok``, ``warning`` (some tables missing) or ``error`` (skipped)."""

    file: str
    institution: str | None
    status: Literal["ok", "warning", "error"]
    message: str = ""


@dataclass
class Consolidation:
    """Rows of every institution, each with ``institution`` and ``source_file``."""

    variance: pd.DataFrame
    """tblVarianceSummary rows (per program, and each institution's total)."""
    funding: pd.DataFrame
    """tblFundingSummary rows (years and the NPV row) of each institution."""
    funding_totals: pd.DataFrame
    """Per year across institutions: year, need, local, state, oblast, donor, gap."""
    cost_by_kekv: pd.DataFrame
    files: list[FileStatus] = field(default_factory=list)

    @property
    def problems(self) -> list[FileStatus]:
        """Files that were skipped or incomplete."""
        return [f for f in self.files if f.status != "ok"]


def _value(col: schema.Column, v: object) -> object:
    """A cell as the column's kind; what cannot be read becomes blank."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if col.kind in ("money", "number", "share", "int"):
        if isinstance(v, bool):
            return None
        if isinstance(v, int | float):
            x = float(v)
        else:
            try:
                x = float(str(v).strip().replace("\u00a0", "").replace(" ", "")
                          .replace(",", "."))
            except ValueError:
                return None
        if math.isnan(x):
            return None
        return int(x) if col.kind == "int" and x.is_integer() else x
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = str(v).strip()
    if col.kind == "code" and col.key in CODE_WIDTH:
        return code(col.key, text) or text
    if col.key == "year" and text.isdigit():
        return int(text)
    return text


def _frame(raw: RawTable, name: str) -> pd.DataFrame:
    """The table's rows with schema keys as columns (absent columns blank)."""
    t = schema.table(name)
    cols = match_columns(t, raw.headers)
    if not cols:
        raise KoshtorysError(f"{name} has none of its columns")
    n = len(raw.rows)
    columns = []
    for c in t.columns:
        j = cols.get(c.key)
        if j is None:
            columns.append([None] * n)
            continue
        # codes, funds and years repeat down a column: each distinct cell is read once
        memo: dict[tuple[type, object], object] = {}
        values = []
        for row in raw.rows:
            v = row[j] if j < len(row) else None
            key = (type(v), v)
            if type(v) in _PLAIN:
                if key not in memo:
                    memo[key] = _value(c, v)
                values.append(memo[key])
            else:
                values.append(_value(c, v))
        columns.append(values)
    records = [r for r in zip(*columns, strict=True) if any(v is not None for v in r)]
    return pd.DataFrame.from_records(records, columns=t.column_keys)


def _institution(raw: RawTable | None) -> str | None:
    """The institution named in ``tblSettings`` (read as everywhere else)."""
    if raw is None:
        return None
    return convert_inputs({"tblSettings": raw}, ["tblSettings"]).settings.institution or None


def _empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=["institution", "source_file", *schema.table(name).column_keys])


def consolidate(paths: Iterable[Path], read: Reader) -> Consolidation:
    """Read every workbook with ``read`` and stack its output tables.

    Rows keep their values as the institution's refresh wrote them; funding is also
    summed per year across institutions (the NPV rows are not summed: each
    institution may discount differently).
    """
    parts: dict[str, list[pd.DataFrame]] = {k: [] for k in _OUTPUTS}
    files: list[FileStatus] = []
    for path in map(Path, paths):
        try:
            tables = read(path)
            institution = _institution(tables.get("tblSettings")) or path.stem
            frames, missing = {}, []
            for key, name in _OUTPUTS.items():
                if name in tables:
                    frames[key] = _frame(tables[name], name)
                else:
                    missing.append(name)
        except (KoshtorysError, OSError) as exc:
            files.append(FileStatus(path.name, None, "error", str(exc).splitlines()[0]
                                    if str(exc) else type(exc).__name__))
            continue
        if not frames:
            files.append(FileStatus(path.name, institution, "error",
                                    "no output tables (run koshtorys refresh first?)"))
            continue
        for key, df in frames.items():
            df.insert(0, "source_file", path.name)
            df.insert(0, "institution", institution)
            parts[key].append(df)
        files.append(FileStatus(path.name, institution, "warning" if missing else "ok",
                                f"missing: {', '.join(missing)}" if missing else ""))
    stacked = {
        key: (pd.concat(dfs, ignore_index=True) if dfs else _empty(_OUTPUTS[key]))
        for key, dfs in parts.items()
    }
    return Consolidation(stacked["variance"], stacked["funding"],
                         _funding_totals(stacked["funding"]), stacked["cost_by_kekv"], files)


def _funding_totals(funding: pd.DataFrame) -> pd.DataFrame:
    """Σ per year across institutions, exact to the kopiyka."""
    money = [c for c in schema.table("tblFundingSummary").column_keys if c != "year"]
    years = funding[funding["year"].map(lambda y: isinstance(y, numbers.Integral))] \
        if len(funding) else funding
    rows = []
    for year in sorted(set(years["year"])):
        sel = years[years["year"] == year]
        rows.append({"year": year, **{
            c: from_units(sum(to_units(float(v)) for v in sel[c] if v is not None
                              and not (isinstance(v, float) and math.isnan(v))))
            for c in money}})
    return pd.DataFrame.from_records(rows, columns=["year", *money])


def write_consolidation(c: Consolidation, out_path: Path,
                        lang: Literal["uk", "en"] = "uk") -> Path:
    """One workbook with tblConsVariance, tblConsFunding (each institution's rows, then
    the totals), tblConsCostByKekv and tblConsFiles; written atomically."""
    out_path = Path(out_path)
    ensure_not_locked(out_path)
    total = _TOTAL[lang]
    funding = c.funding
    if len(c.funding_totals):
        tot = c.funding_totals.copy()
        tot.insert(0, "source_file", None)
        tot.insert(0, "institution", total)
        funding = pd.concat([funding, tot], ignore_index=True) if len(funding) else tot
    sheets = (
        ("tblConsVariance", "Виконання", "Variance", "tblVarianceSummary", c.variance),
        ("tblConsFunding", "Фінансування", "Funding", "tblFundingSummary", funding),
        ("tblConsCostByKekv", "Видатки за КЕКВ", "CostByKekv", "tblCostByKekv",
         c.cost_by_kekv),
    )
    out: list[TableSheet] = []
    for name, uk, en, source, df in sheets:
        t = schema.table(source)
        out.append(TableSheet(
            uk if lang == "uk" else en, name,
            [h if lang == "uk" else k for k, h in _EXTRA] + t.headers(lang),
            frame_columns(df, ["institution", "source_file", *t.column_keys]),
            formats=[None, None, *(col.fmt for col in t.columns)],
            widths=[36, 24, *(col.width for col in t.columns)], freeze="C2"))
    files = [[f.file, f.institution, f.status, f.message] for f in c.files]
    out.append(TableSheet("Файли" if lang == "uk" else "Files", "tblConsFiles",
                          [h if lang == "uk" else k for k, h in _FILES],
                          [list(col) for col in zip(*files, strict=True)] if files
                          else [[] for _ in _FILES], widths=(30, 36, 10, 80)))
    with atomic_path(out_path) as tmp:
        write_table_book(tmp, out)
    return out_path
