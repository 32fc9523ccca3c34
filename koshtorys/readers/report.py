"""Cash expenditure reports into ``tblActuals``.

Two report shapes are read:

* the open budget portal's expenditure export (semicolon-separated; REP_PERIOD,
  FUND_TYP C/S/T, COD_CONS_MB_PK, COD_CONS_EK, FAKT_AMT cumulative from January);
* a plain table with kpkvk, kekv, fund, month (1–12 or YYYY-MM), amount (CSV or XLSX,
  English or Ukrainian headers).

The months a report brings replace those months in ``tblActuals``; every other
month and row is left as it was.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from koshtorys.core import classifiers, schema
from koshtorys.core.errors import KoshtorysError

__all__ = ["ReportRows", "read_report", "merge_actuals"]

_PLAIN = {
    "kpkvk": ("kpkvk", "кпквк", "кпквк мб", "код програми"),
    "kekv": ("kekv", "кекв", "код кекв"),
    "fund": ("fund", "фонд"),
    "month": ("month", "місяць", "період"),
    "amount": ("amount", "сума", "касові видатки"),
}


@dataclass
class ReportRows:
    """Monthly actuals from a report: one row per kpkvk, kekv, fund, month."""

    rows: pd.DataFrame
    """Columns kpkvk, kekv, fund, month (1–12), amount, cumulative (bool)."""
    skipped: list[str]
    """Lines left out, with the reason (year, total fund, unreadable)."""


def _month(value: object, year: int | None) -> tuple[int | None, str | None]:
    """Month number from 3, '2025-03', '2025-03-31', '31.03.2025', '03.2025'."""
    text = str(value).strip()
    if re.fullmatch(r"\d{1,2}(\.0)?", text):
        m = int(float(text))
        return (m, None) if 1 <= m <= 12 else (None, "month")
    for pat, yi, mi in ((r"(\d{4})-(\d{1,2})(-\d{1,2})?.*", 1, 2),
                        (r"\d{1,2}\.(\d{1,2})\.(\d{4}).*", 2, 1),
                        (r"(\d{1,2})\.(\d{4})", 2, 1)):
        mt = re.fullmatch(pat, text)
        if mt:
            y, m = int(mt.group(yi)), int(mt.group(mi))
            if year is not None and y != year:
                return None, "year"
            return (m, None) if 1 <= m <= 12 else (None, "month")
    return None, "month"


def _amount(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _read_any(path: Path) -> pd.DataFrame:
    """The report as text cells: CSV (; or , separated, UTF-8 or cp1251) or XLSX."""
    if not path.exists():
        raise KoshtorysError(f"no such report: {path}")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        try:
            return pd.read_excel(path, dtype=object, engine="calamine")
        except Exception as exc:  # calamine raises its own error types
            raise KoshtorysError(f"cannot read {path.name}: {exc}") from exc
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1251"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise KoshtorysError(f"cannot read {path.name}: unknown text encoding")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ";"
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _records(df: pd.DataFrame) -> list[tuple[int, dict[object, object]]]:
    """(report line, cells) of each line that is not blank; a blank cell (empty text,
    NaN from a spreadsheet) is None."""
    out = []
    for i, r in enumerate(df.to_dict("records"), start=2):
        cells = {k: (None if v is None or (isinstance(v, float) and math.isnan(v))
                     or (isinstance(v, str) and not v.strip()) else v) for k, v in r.items()}
        if any(v is not None for v in cells.values()):
            out.append((i, cells))
    return out


def read_report(path: Path, year: int | None = None) -> ReportRows:
    """Monthly actuals from a portal export or a plain table (see module doc)."""
    df = _read_any(Path(path))
    cols = {str(c).strip().upper(): c for c in df.columns}
    skipped: list[str] = []
    out: list[dict[str, object]] = []
    if "FAKT_AMT" in cols and "COD_CONS_EK" in cols:
        if "REP_PERIOD" not in cols:
            raise KoshtorysError(f"{Path(path).name}: a portal export needs the column "
                                 "REP_PERIOD (the month of each line)")
        for i, r in _records(df):
            fund = schema.enum_value("fund", r[cols["FUND_TYP"]]) if "FUND_TYP" in cols \
                else "general"
            if fund is None:
                continue  # T = total of both funds (C + S): would count twice
            m, why = _month(r[cols["REP_PERIOD"]], year)
            kp = classifiers.code("kpkvk", r.get(cols.get("COD_CONS_MB_PK", ""), ""))
            ke = classifiers.code("kekv", r[cols["COD_CONS_EK"]])
            amt = _amount(r[cols["FAKT_AMT"]])
            if m is None or kp is None or ke is None or amt is None:
                skipped.append(f"line {i}: {why or 'unreadable code or amount'}")
                continue
            out.append({"kpkvk": kp, "kekv": ke, "fund": fund, "month": m, "amount": amt,
                        "cumulative": True})
    else:
        found = {}
        for key, names in _PLAIN.items():
            for c in df.columns:
                if str(c).strip().casefold() in names:
                    found[key] = c
                    break
        need = {"kpkvk", "kekv", "month", "amount"} - set(found)
        if need:
            raise KoshtorysError(
                f"{Path(path).name}: not a portal export (FAKT_AMT, COD_CONS_EK …) nor a table "
                f"with kpkvk, kekv, fund, month, amount (missing: {', '.join(sorted(need))})")
        for i, r in _records(df):
            m, why = _month(r[found["month"]], year)
            kp = classifiers.code("kpkvk", r[found["kpkvk"]])
            ke = classifiers.code("kekv", r[found["kekv"]])
            amt = _amount(r[found["amount"]])
            fund_text = r.get(found.get("fund", ""), "") or "general"
            fund = schema.enum_value("fund", fund_text)
            if fund is None:
                skipped.append(f"line {i}: fund '{fund_text}'")
                continue
            if m is None or kp is None or ke is None or amt is None:
                skipped.append(f"line {i}: {why or 'unreadable code or amount'}")
                continue
            out.append({"kpkvk": kp, "kekv": ke, "fund": fund, "month": m, "amount": amt,
                        "cumulative": False})
    rows = pd.DataFrame(out, columns=["kpkvk", "kekv", "fund", "month", "amount", "cumulative"])
    if not rows.empty:
        rows = rows.groupby(["kpkvk", "kekv", "fund", "month", "cumulative"], as_index=False,
                            sort=True)["amount"].sum()
    return ReportRows(rows, skipped)


def merge_actuals(actuals: pd.DataFrame, report: ReportRows) -> pd.DataFrame:
    """``actuals`` (tblActuals columns) with the report's months replaced.

    Cumulative amounts become monthly: this month − the cumulative total of the
    months before it (taken from the report where it brings them, else from the
    table as it stands). Existing rows keep their order; new keys are appended.
    """
    months = list(schema.MONTHS)
    out = actuals.copy().reset_index(drop=True)
    for m in months:
        out[m] = pd.to_numeric(out[m], errors="coerce")
    keys = list(zip(out["kpkvk"], out["kekv"], out["fund"], strict=True))
    pos = {k: i for i, k in enumerate(keys)}
    rows = report.rows.sort_values(["kpkvk", "kekv", "fund", "month"])
    for (kp, ke, fund), grp in rows.groupby(["kpkvk", "kekv", "fund"], sort=False):
        key = (kp, ke, fund)
        if key not in pos:
            new = {c: None for c in out.columns}
            new.update({"kpkvk": kp, "kekv": ke, "fund": fund})
            out = pd.concat([out, pd.DataFrame([new])], ignore_index=True)
            pos[key] = len(out) - 1
        i = pos[key]
        brought: dict[int, float] = {}
        for m, amt, cum in zip(grp["month"], grp["amount"], grp["cumulative"], strict=True):
            if cum:
                before = sum(
                    brought.get(k, 0.0) if k in brought else float(
                        0 if pd.isna(out.at[i, months[k - 1]]) else out.at[i, months[k - 1]])
                    for k in range(1, int(m))
                )
                brought[int(m)] = round(float(amt) - before, 2)
            else:
                brought[int(m)] = round(float(amt), 2)
        for m, amt in brought.items():
            out.at[i, months[m - 1]] = amt
    return out
