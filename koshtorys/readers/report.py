"""Cash expenditure reports → rows for ``tblActuals`` and ``tblHistory``.

Two report shapes are read, from a file or from the portal's answer (:mod:`.portal`):

* the open budget portal's expenditure export (semicolon-separated; REP_PERIOD
  ``MM.YYYY`` or ``YYYY-MM``, FUND_TYP C/S/T, COD_CONS_MB_PK, COD_CONS_EK, FAKT_AMT
  cumulative from January);
* a plain table with kpkvk, kekv, fund, month (1–12 or YYYY-MM), amount (CSV or XLSX,
  English or Ukrainian headers), amounts by month.

Every cell is read by the one conversion stage (:mod:`koshtorys.convert`); a line that
cannot be taken is a :class:`Skip` with its reason, never a guess:

* ``total_fund`` — FUND_TYP T, the sum of C and S (already counted);
* ``other_program`` — a 4-digit ТПКВКМБ that none of the workbook's programs ends in
  (another spending unit's program in a hromada's export);
* ``no_kekv`` — no economic code, or 0: the program's total line;
* ``group`` — a group КЕКВ (2000, 2100, 2110, 2200, 2270, 2280 …) whose detail lines are
  in the same report, program, fund and month, or whose amount is 0: it repeats them;
* ``group_alone`` — a group КЕКВ with an amount and no detail line: not an item a plan
  uses (:func:`koshtorys.core.classifiers.is_kekv`), so not imported, and said;
* ``bad_fund``, ``bad_month``, ``bad_program``, ``bad_kekv``, ``bad_amount`` (not a finite
  number: text, NaN, inf, a date, beyond the largest amount), ``ambiguous_amount`` (a
  text such as ``820,000``: 820 or 820 000?), ``later_year`` (a year after
  execution_year).

Amounts are kept in kopiykas (integers) so cumulative differences and year totals are
exact.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from koshtorys.convert import Unreadable, is_blank, read_cell, read_month
from koshtorys.core import classifiers, schema
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.limits import MAX_REPORT_BYTES
from koshtorys.core.money import to_units

__all__ = ["Skip", "ReportRows", "SKIP_REASONS", "PROBLEMS", "PORTAL_COLUMNS", "load_report",
           "parse_csv", "decode_text", "read_report", "report_kind", "rows_from_table",
           "merge_actuals", "year_totals", "match_program"]

SKIP_REASONS = ("total_fund", "other_program", "no_kekv", "group", "group_alone", "bad_fund",
                "bad_month", "bad_program", "bad_kekv", "bad_amount", "ambiguous_amount",
                "later_year")
"""Why a line was left out, in the order the output lists them."""

PROBLEMS = frozenset({"group_alone", "bad_fund", "bad_month", "bad_program", "bad_kekv",
                      "bad_amount", "ambiguous_amount", "later_year"})
"""Reasons that mean money of the report was not imported (exit 1); the others are the
report's own structure (totals, other programs, group rows repeating their details)."""

PORTAL_COLUMNS = ("REP_PERIOD", "COD_CONS_MB_PK", "COD_CONS_EK", "FAKT_AMT")
"""The columns a portal export cannot do without."""

_PLAIN = {
    "kpkvk": ("kpkvk", "кпквк", "кпквк мб", "код програми"),
    "kekv": ("kekv", "кекв", "код кекв"),
    "fund": ("fund", "фонд"),
    "month": ("month", "місяць", "період"),
    "amount": ("amount", "сума", "касові видатки"),
}
_ACTUALS = schema.table("tblActuals")
_AMOUNT = schema.Column("amount", "Сума", "money")
"""An amount of a report: any finite number up to the largest amount (a monthly
difference may be negative: a refund)."""
_ROW_COLS = ["kpkvk", "kekv", "fund", "year", "month", "kop", "amount", "cumulative"]


@dataclass(frozen=True)
class Skip:
    """A report line left out."""

    line: int
    """The line of the file (the header is line 1)."""
    reason: str
    """One of :data:`SKIP_REASONS`."""


@dataclass
class ReportRows:
    """What a report brings: one row per kpkvk, kekv, fund, year, month."""

    rows: pd.DataFrame
    """Columns kpkvk, kekv, fund, year, month (1–12), kop (the amount in kopiykas, as the
    report gives it: year-to-date when cumulative), amount (the same in UAH), cumulative
    (bool)."""
    lines: int = 0
    """Lines of the report that hold anything."""
    skipped: list[Skip] = field(default_factory=list)
    matched: dict[str, str] = field(default_factory=dict)
    """ТПКВКМБ of the report → the workbook's КПКВК it was taken for."""

    @property
    def taken(self) -> int:
        return self.lines - len(self.skipped)

    def counts(self) -> dict[str, int]:
        """Skipped lines by reason, in the order of :data:`SKIP_REASONS`."""
        got = Counter(s.reason for s in self.skipped)
        return {r: got[r] for r in SKIP_REASONS if got[r]}

    @property
    def problems(self) -> bool:
        """Whether a line holding money was left out for being unreadable."""
        return any(s.reason in PROBLEMS for s in self.skipped)


# ------------------------------------------------------------------------- reading text

def decode_text(raw: bytes, declared: str | None = None, name: str = "") -> str:
    """The text of a report: UTF-8 first (the portal sends UTF-8 even under a
    windows-1251 header), else what the answer declared, else windows-1251."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for enc in (declared, "cp1251"):
        if not enc:
            continue
        try:
            return raw.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
    raise KoshtorysError("report_encoding", name=name)


def parse_csv(text: str, name: str, *, sep: str | None = None,
              error: type[KoshtorysError] = KoshtorysError) -> pd.DataFrame:
    """A CSV text as a table of text cells (separator ``sep``, else ; , or tab as found);
    ``error`` is raised, with one clear line, for an empty or malformed text."""
    if not text.strip():
        raise error("report_empty", name=name)
    if sep is None:
        try:
            sep = csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
        except csv.Error:
            sep = ";"
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           skip_blank_lines=False)
    except pd.errors.EmptyDataError:
        raise error("report_empty", name=name) from None
    except pd.errors.ParserError as exc:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if found:
            want, line, got = found.groups()
            raise error("report_ragged", name=name, line=line, want=want, got=got) from None
        raise error("report_malformed", name=name) from None


def load_report(path: Path) -> pd.DataFrame:
    """A report file as a table of cells: CSV (UTF-8 or windows-1251) or XLSX."""
    path = Path(path)
    if not path.is_file():
        raise KoshtorysError("report_missing", path=path)
    size = path.stat().st_size
    if size > MAX_REPORT_BYTES:
        raise KoshtorysError("report_too_big", name=path.name, mb=MAX_REPORT_BYTES >> 20)
    if size == 0:
        raise KoshtorysError("report_empty", name=path.name)
    raw = path.read_bytes()
    kind = report_kind(raw, path.suffix)
    if kind == "sheet":
        try:
            return pd.read_excel(io.BytesIO(raw), dtype=object, engine="calamine")
        except Exception as exc:  # calamine raises its own error types
            raise KoshtorysError("report_unreadable", name=path.name,
                                 error=type(exc).__name__) from exc
    if kind == "pdf":
        raise KoshtorysError("report_pdf", name=path.name)
    if kind == "word":
        raise KoshtorysError("report_word", name=path.name)
    if kind == "binary":
        raise KoshtorysError("report_binary", name=path.name)
    return parse_csv(decode_text(raw, name=path.name), path.name)


_SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def report_kind(raw: bytes, suffix: str = "") -> str:
    """What a report file is, by its first bytes rather than its name (a portal XLSX
    saved as .csv is still read; a PDF of the treasury report is named as such):
    ``sheet`` (an Excel or OpenDocument workbook: calamine reads it), ``text`` (a CSV),
    or what it is instead — ``pdf``, ``word``, ``binary``.

    >>> report_kind(b"%PDF-1.7 ..."), report_kind("kpkvk;kekv".encode()), report_kind(bytes([0, 1]))
    ('pdf', 'text', 'binary')
    """
    if raw.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return "sheet" if suffix.lower() in _SHEET_SUFFIXES else "binary"
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names or (
                "content.xml" in names and "mimetype" in names):
            return "sheet"
        return "word" if "word/document.xml" in names else "binary"
    if raw.startswith(b"\xd0\xcf\x11\xe0"):  # OLE: an .xls (or a .doc: calamine says so)
        return "sheet"
    if raw[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF"):  # not a copy of it all
        return "pdf"
    if b"\0" in raw[:4096]:  # no CSV holds a NUL byte: an image, an archive, a program
        return "binary"
    return "text"


def read_report(path: Path, year: int, *, programs: Collection[str] = (),
                exec_year: int | None = None) -> ReportRows:
    """The rows of the report file ``path`` (see :func:`rows_from_table`)."""
    return rows_from_table(load_report(path), Path(path).name, year=year, programs=programs,
                           exec_year=exec_year)


# ------------------------------------------------------------------------- one line

def match_program(value: object, by_tpkvk: Mapping[str, list[str]]) -> str:
    """The workbook's КПКВК of a report's program code; raises :class:`Unreadable`
    (``bad_program`` / ``other_program``), or :class:`KoshtorysError` when the code fits
    two of the workbook's programs.

    Up to 4 digits is a ТПКВКМБ (the portal's COD_CONS_MB_PK, 0160 perhaps read as 160):
    it is the workbook program ending in those four digits — never padded to 7. Five to
    seven digits is a КПКВК itself (zeros restored: Excel drops them).

    >>> match_program("3121", {"3121": ["0813121"]}), match_program(813104, {})
    ('0813121', '0813104')
    """
    text = _digits(value)
    full = classifiers.normalize_code(value, 7)
    if full is None or not text:
        raise Unreadable("bad_program")
    if len(text) > 4:
        return full
    tpkvk = full[-4:]
    found = by_tpkvk.get(tpkvk, [])
    if not found:
        raise Unreadable("other_program")
    if len(found) > 1:
        raise KoshtorysError("report_program_ambiguous", code=tpkvk,
                             programs=", ".join(found))
    return found[0]


def _digits(value: object) -> str:
    """The digits of a code as the report wrote them (a number without its lost zeros)."""
    if isinstance(value, str):
        return value.strip().replace("\u00a0", "").split(".")[0]
    text = classifiers.normalize_code(value, 7) or ""
    return text.lstrip("0") or ("0" if text else "")


def _is_full_code(value: object) -> bool:
    return len(_digits(value)) > 4


def _period(value: object, year: int) -> tuple[int, int]:
    """(year, month) of a line: the year the period names, else ``year``."""
    if is_blank(value):
        raise Unreadable("bad_month")
    try:
        return year, read_month(value, year)
    except Unreadable as exc:
        if exc.code != "other_year":
            raise
        return int(exc.params["year"]), read_month(value)  # type: ignore[call-overload]


def _kekv(value: object) -> str:
    if is_blank(value) or (classifiers.normalize_code(value, 4) or "x") == "0000":
        raise Unreadable("no_kekv")
    try:
        return str(read_cell(_ACTUALS.column("kekv"), value))
    except Unreadable:
        raise Unreadable("bad_kekv") from None


def _fund(value: object) -> str:
    if is_blank(value):
        return "general"
    try:
        return str(read_cell(_ACTUALS.column("fund"), value))
    except Unreadable:
        raise Unreadable("bad_fund") from None


def _kop(value: object) -> int:
    try:
        if is_blank(value):
            raise Unreadable("not_a_number")
        return to_units(float(read_cell(_AMOUNT, value)))  # type: ignore[arg-type]
    except Unreadable as exc:
        raise Unreadable("ambiguous_amount" if exc.code == "ambiguous_number"
                         else "bad_amount") from None


def _is_group(kekv: str) -> bool:
    return kekv in classifiers.kekv_codes() and not classifiers.is_kekv(kekv)


# ------------------------------------------------------------------------- the table

def _columns(df: pd.DataFrame, name: str, error: type[KoshtorysError]
             ) -> tuple[dict[str, object], bool]:
    """The report's column of each key, and whether it is a portal export."""
    upper = {str(c).strip().upper(): c for c in df.columns}
    if "FAKT_AMT" in upper and "COD_CONS_EK" in upper:
        missing = [c for c in PORTAL_COLUMNS if c not in upper]
        if missing:
            raise error("report_portal_columns", name=name, columns=", ".join(missing))
        return {"kpkvk": upper["COD_CONS_MB_PK"], "kekv": upper["COD_CONS_EK"],
                "fund": upper.get("FUND_TYP"), "month": upper["REP_PERIOD"],
                "amount": upper["FAKT_AMT"]}, True
    found: dict[str, object] = {}
    for key, names in _PLAIN.items():
        for c in df.columns:
            if str(c).strip().casefold() in names:
                found[key] = c
                break
    need = {"kpkvk", "kekv", "month", "amount"} - set(found)
    if need:
        raise error("report_not_a_report", name=name, columns=", ".join(sorted(need)))
    found.setdefault("fund", None)
    return found, False


def rows_from_table(df: pd.DataFrame, name: str, *, year: int, programs: Collection[str] = (),
                    exec_year: int | None = None,
                    error: type[KoshtorysError] = KoshtorysError) -> ReportRows:
    """What a report table brings, line by line (see the module doc for the skips).

    ``year`` is the year of a line whose period names none; ``programs`` the workbook's
    КПКВК (a ТПКВКМБ is matched to them); a line after ``exec_year`` is skipped.
    """
    cols, cumulative = _columns(df, name, error)
    by_tpkvk: dict[str, list[str]] = defaultdict(list)
    for p in sorted(set(programs)):
        by_tpkvk[p[-4:]].append(p)
    values = {k: (df[c].tolist() if c is not None else [None] * len(df))
              for k, c in cols.items()}
    grid = df.to_numpy(dtype=object)
    skipped: list[Skip] = []
    matched: dict[str, str] = {}
    lines = 0
    cands: list[tuple[int, str, str, str, int, int, object]] = []
    for i in range(len(df)):
        if all(is_blank(v) for v in grid[i]):
            continue
        lines += 1
        line = i + 2
        cells = {k: v[i] for k, v in values.items()}
        try:  # the report's structure first (totals, other programs), then what is unreadable
            if not is_blank(cells["fund"]) and str(cells["fund"]).strip().upper() == "T":
                raise Unreadable("total_fund")
            kpkvk = match_program(cells["kpkvk"], by_tpkvk)
            kekv = _kekv(cells["kekv"])
            fund = _fund(cells["fund"])
            y, month = _period(cells["month"], year)
            if exec_year is not None and y > exec_year:
                raise Unreadable("later_year")
        except Unreadable as exc:
            skipped.append(Skip(line, exc.code))
            continue
        cands.append((line, kpkvk, kekv, fund, y, month, cells["amount"]))
        if by_tpkvk.get(kpkvk[-4:]) == [kpkvk] and not _is_full_code(cells["kpkvk"]):
            matched[kpkvk[-4:]] = kpkvk

    present: dict[tuple[str, str, int, int], set[str]] = defaultdict(set)
    for _, kp, ke, fund, y, m, _ in cands:
        present[(kp, fund, y, m)].add(ke)
    out: list[tuple[str, str, str, int, int, int, bool]] = []
    for line, kp, ke, fund, y, m, amount in cands:
        group = _is_group(ke)
        if group:
            stem = ke.rstrip("0")
            if any(c != ke and c.startswith(stem) for c in present[(kp, fund, y, m)]):
                skipped.append(Skip(line, "group"))
                continue
        try:
            kop = _kop(amount)
        except Unreadable as exc:
            skipped.append(Skip(line, exc.code))
            continue
        if group:
            skipped.append(Skip(line, "group" if kop == 0 else "group_alone"))
            continue
        out.append((kp, ke, fund, y, m, kop, cumulative))
    rows = pd.DataFrame(out, columns=[c for c in _ROW_COLS if c != "amount"])
    if not rows.empty:
        rows = rows.groupby(["kpkvk", "kekv", "fund", "year", "month", "cumulative"],
                            as_index=False, sort=True)["kop"].sum()
    rows["amount"] = rows["kop"] / 100
    rows = rows.reindex(columns=_ROW_COLS)
    skipped.sort(key=lambda s: s.line)
    return ReportRows(rows, lines, skipped, dict(sorted(matched.items())))


# ------------------------------------------------------------------------- into the tables

def merge_actuals(actuals: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``actuals`` (tblActuals columns) with the months ``rows`` bring replaced.

    Cumulative amounts become monthly: this month − the cumulative total of the months
    before it (the report's months where it brings them, else the table's as it stands).
    Existing rows keep their order; new keys are appended. Computed in kopiykas.
    """
    months = list(schema.MONTHS)
    out = actuals.copy().reset_index(drop=True)
    for m in months:
        out[m] = pd.to_numeric(out[m], errors="coerce")
    pos = {k: i for i, k in enumerate(zip(out["kpkvk"], out["kekv"], out["fund"],
                                          strict=True))}
    ordered = rows.sort_values(["kpkvk", "kekv", "fund", "month"])
    for (kp, ke, fund), grp in ordered.groupby(["kpkvk", "kekv", "fund"], sort=False):
        key = (kp, ke, fund)
        if key not in pos:
            new = {c: None for c in out.columns}
            new.update({"kpkvk": kp, "kekv": ke, "fund": fund})
            out = pd.concat([out, pd.DataFrame([new])], ignore_index=True)
            pos[key] = len(out) - 1
        i = pos[key]
        brought: dict[int, int] = {}
        for m, kop, cum in zip(grp["month"], grp["kop"], grp["cumulative"], strict=True):
            m = int(m)
            if cum:
                before = sum(brought[k] if k in brought else _table_kop(out.at[i, months[k - 1]])
                             for k in range(1, m))
                brought[m] = int(kop) - before
            else:
                brought[m] = int(kop)
        for m, kop in brought.items():
            out.at[i, months[m - 1]] = kop / 100
    return out


def _table_kop(v: object) -> int:
    return 0 if v is None or pd.isna(v) else to_units(float(v))  # type: ignore[arg-type]


def year_totals(rows: pd.DataFrame) -> pd.DataFrame:
    """Each key's total for each year of ``rows``: the last month's cumulative amount, or
    the sum of the months. Columns kpkvk, kekv, fund, year, amount, last_month (the last
    month the key appears in)."""
    cols = ["kpkvk", "kekv", "fund", "year", "amount", "last_month"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    out = []
    for (kp, ke, fund, y), grp in rows.groupby(["kpkvk", "kekv", "fund", "year"], sort=True):
        grp = grp.sort_values("month")
        kop = int(grp["kop"].iloc[-1]) if bool(grp["cumulative"].iloc[0]) \
            else int(grp["kop"].sum())
        out.append((kp, ke, fund, int(y), kop / 100, int(grp["month"].iloc[-1])))
    return pd.DataFrame(out, columns=cols)
