"""The record of what was sent (``tblSubmissions``) and what changed since.

Pure where it can be: the log is read from a :class:`~koshtorys.core.book.RawTable`,
the comparison works on plain mappings, the timestamp on a given datetime. Only
:func:`read_request_file` and :func:`save_copies` touch files.

The content of the last request sent stays recoverable without the mail server: a copy
of every file sent is kept in ``<outdir>/sent/<sent_at>/``, and the log names it (its
``sent_at`` and ``file``) and its SHA-256, so the copy can be found and verified.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from koshtorys.convert.cells import Unreadable, is_blank, read_number
from koshtorys.core import classifiers, schema
from koshtorys.core.book import Book, RawTable
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import atomic_path, ensure_folder
from koshtorys.core.money import from_units, to_units

__all__ = [
    "LOG",
    "SENT_DIR",
    "STAMP_FORMAT",
    "Submission",
    "RequestFile",
    "Change",
    "read_log",
    "last_sent",
    "stamp",
    "stamp_time",
    "copy_path",
    "request_lines",
    "read_request_file",
    "compare",
    "save_copies",
    "log_rows",
    "append_log",
]

LOG = "tblSubmissions"
SENT_DIR = "sent"
STAMP_FORMAT = "%Y%m%dT%H%M%S%z"
"""ISO 8601 basic format, local time with its offset: ``20260514T101530+0300``. It has no
colon, so it is also a folder name on Windows, and it sorts by time within one offset."""

Key = tuple[str, str]
"""(kekv, fund) of one request line."""


@dataclass(frozen=True)
class Submission:
    """One row of ``tblSubmissions`` (values as codes, whatever the workbook's language)."""

    sent_at: str
    kpkvk: str
    form: int
    file: str
    sha256: str
    total: float | None
    mail_to: str
    status: str
    """``sent``, ``draft`` or ``failed``."""


def _text(v: object) -> str:
    if is_blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_log(raw: RawTable | None) -> tuple[list[Submission], int]:
    """The rows of ``tblSubmissions`` in the order they were appended, and how many rows
    could not be read (a row edited by hand into nonsense is left out, never guessed).

    Blank rows (the template's empty first row) are neither.
    """
    if raw is None:
        return [], 0
    cols = schema.match_columns(schema.table(LOG), raw.headers)
    out: list[Submission] = []
    bad = 0
    for row in raw.rows:
        if all(is_blank(v) for v in row):
            continue

        def get(key: str, row: list[object] = row) -> object:
            j = cols.get(key)
            return row[j] if j is not None and j < len(row) else None

        kpkvk = classifiers.code("kpkvk", get("kpkvk"))
        status = schema.enum_value("status", get("status")) if not is_blank(
            get("status")) else None
        try:
            form = int(read_number(get("form"))) if not is_blank(get("form")) else 2
            total = None if is_blank(get("total")) else read_number(get("total"))
        except Unreadable:
            form, total = 0, None
        sent_at = _text(get("sent_at"))
        if kpkvk is None or status is None or form not in (2, 3) or not sent_at:
            bad += 1
            continue
        out.append(Submission(sent_at, kpkvk, form, _text(get("file")),
                              _text(get("sha256")).lower(), total, _text(get("mail_to")),
                              status))
    return out, bad


def last_sent(log: Sequence[Submission], kpkvk: str, form: int) -> Submission | None:
    """The last row with status ``sent`` for this program and form (drafts were not sent:
    nobody knows whether, or as what, they left Outlook)."""
    for s in reversed(log):
        if s.kpkvk == kpkvk and s.form == form and s.status == "sent":
            return s
    return None


def stamp(now: _dt.datetime) -> str:
    """``sent_at`` of a send started at ``now`` (an aware datetime: local time with offset).

    >>> tz = _dt.timezone(_dt.timedelta(hours=3))
    >>> stamp(_dt.datetime(2026, 5, 14, 10, 15, 30, 999, tzinfo=tz))
    '20260514T101530+0300'
    """
    if now.tzinfo is None:
        raise ValueError("sent_at needs a time with its offset")
    return now.strftime(STAMP_FORMAT)


def stamp_time(sent_at: str) -> _dt.datetime | None:
    """The time a ``sent_at`` names; ``None`` when it is not one.

    >>> stamp_time("20260514T101530+0300").isoformat()
    '2026-05-14T10:15:30+03:00'
    """
    try:
        return _dt.datetime.strptime(sent_at, STAMP_FORMAT)
    except ValueError:
        return None


def copy_path(outdir: Path, s: Submission) -> Path:
    """Where the copy of a sent file is kept: ``<outdir>/sent/<sent_at>/<file>``."""
    return Path(outdir) / SENT_DIR / s.sent_at / Path(s.file).name


# --------------------------------------------------------------------------- requests

@dataclass(frozen=True)
class RequestFile:
    """A request workbook as ``send`` needs it: what it is, its plan-year lines, its bytes'
    digest."""

    path: Path
    kpkvk: str
    form: int
    plan_year: int
    institution: str
    kpkvk_name: str | None
    rounding: int
    lines: dict[Key, int]
    """Plan-year amounts of the form's own lines, in kopiykas, by (kekv, fund)."""
    sha256: str

    @property
    def total(self) -> float:
        """The plan-year total of the form's own lines (UAH)."""
        return from_units(sum(self.lines.values()), 2)

    def fund_total(self, fund: str) -> float:
        return from_units(sum(v for (_k, f), v in self.lines.items() if f == fund), 2)


def _info(info: RawTable | None) -> dict[str, object]:
    if info is None:
        return {}
    cols = schema.match_columns(schema.table("tblSettings"), info.headers)
    k, v = cols.get("key", 0), cols.get("value", 1)
    return {str(r[k]).strip(): r[v] for r in info.rows
            if len(r) > max(k, v) and not is_blank(r[k])}


def _form_of(name: str) -> int:
    return 3 if name.startswith("request3_") else 2


def request_lines(req: RawTable, info: RawTable | None, file_name: str = "",
                  ) -> tuple[dict[str, object], int, dict[Key, int]]:
    """(tblRequestInfo as a dict, form, plan-year lines in kopiykas) of one request.

    The form is tblRequestInfo's ``form``, else the ``form`` column of tblRequest, else the
    file name (``request3_`` is Форма 20__-3). Only the rows of that form count, so a file
    that holds both forms' lines still gives its own. A line that cannot be read is an
    error: a comparison on misread amounts would be worse than none.
    """
    meta = _info(info)
    heads = [schema.normalize_header(h) for h in req.headers]
    need = ("kpkvk", "kekv", "fund", "year", "amount")
    if any(k not in heads for k in need):
        raise KoshtorysError("send_bad_request", file=file_name or req.sheet,
                             error="tblRequest: " + ", ".join(k for k in need if k not in heads))
    at = {k: heads.index(k) for k in (*need, "form") if k in heads}
    try:
        plan_year = int(read_number(meta.get("plan_year")))
    except (Unreadable, TypeError, ValueError):
        raise KoshtorysError("send_bad_request", file=file_name,
                             error="tblRequestInfo: plan_year") from None
    form_cells = {int(read_number(r[at["form"]])) for r in req.rows
                  if "form" in at and not is_blank(r[at["form"]])}
    if not is_blank(meta.get("form")):
        form = int(read_number(meta["form"]))
    elif len(form_cells) == 1:
        form = form_cells.pop()
    else:
        form = _form_of(file_name)
    lines: dict[Key, int] = {}
    for i, r in enumerate(req.rows):
        if all(is_blank(v) for v in r):
            continue
        try:
            if int(read_number(r[at["year"]])) != plan_year:
                continue
            if "form" in at and not is_blank(r[at["form"]]) and \
                    int(read_number(r[at["form"]])) != form:
                continue
            kekv = classifiers.code("kekv", r[at["kekv"]])
            fund = schema.enum_value("fund", r[at["fund"]])
            amount = 0.0 if is_blank(r[at["amount"]]) else read_number(r[at["amount"]])
        except Unreadable as exc:
            raise KoshtorysError("send_bad_request", file=file_name,
                                 error=f"tblRequest, {req.cell(i, 0)}: {exc.code}") from None
        if kekv is None or fund is None:
            raise KoshtorysError("send_bad_request", file=file_name,
                                 error=f"tblRequest, {req.cell(i, 0)}")
        lines[(kekv, fund)] = lines.get((kekv, fund), 0) + to_units(amount, 2)
    return meta, form, lines


def read_request_file(path: Path, data: bytes | None = None) -> RequestFile:
    """Read a request workbook (``data``: its bytes when already read, so the digest is of
    exactly what is attached)."""
    from koshtorys.xlsx import FileBook

    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise KoshtorysError("send_bad_request", file=path.name,
                                 error=exc.strerror or str(exc)) from exc
    book = FileBook.open(path, check_lock=False)
    tables = book.read_tables(["tblRequest", "tblRequestInfo"])
    if "tblRequest" not in tables:
        raise KoshtorysError("send_bad_request", file=path.name, error="tblRequest")
    meta, form, lines = request_lines(tables["tblRequest"], tables.get("tblRequestInfo"),
                                      path.name)
    kpkvk = classifiers.code("kpkvk", meta.get("kpkvk")) or ""
    if not kpkvk:
        codes = {k for k in (classifiers.code("kpkvk", r[0]) for r in tables["tblRequest"].rows
                             if r) if k}
        kpkvk = codes.pop() if len(codes) == 1 else ""
    if not kpkvk:
        raise KoshtorysError("send_bad_request", file=path.name, error="kpkvk")
    try:
        rounding = int(read_number(meta.get("rounding"))) if not is_blank(
            meta.get("rounding")) else 0
    except Unreadable:
        rounding = 0
    name = meta.get("kpkvk_name")
    return RequestFile(path, kpkvk, form, int(read_number(meta["plan_year"])),
                       _text(meta.get("institution")), _text(name) or None, rounding, lines,
                       hashlib.sha256(data).hexdigest())


# --------------------------------------------------------------------------- comparison

@dataclass(frozen=True)
class Change:
    """One line that moved more than the threshold, appeared or vanished (kopiykas)."""

    kekv: str
    fund: str
    old: int
    new: int

    @property
    def kind(self) -> str:
        """``appeared``, ``vanished`` or ``moved``."""
        if not self.old:
            return "appeared"
        if not self.new:
            return "vanished"
        return "moved"

    @property
    def share(self) -> Fraction | None:
        """(new − old) / old; ``None`` for a line that appeared."""
        return Fraction(self.new - self.old, self.old) if self.old else None


def compare(old: Mapping[Key, int], new: Mapping[Key, int], threshold: float) -> list[Change]:
    """The lines of ``new`` that moved by more than ``threshold`` of their amount in
    ``old``, appeared (absent or zero before) or vanished (absent or zero now), in КЕКВ
    order. Exactly at the threshold is not "more than" (decimal arithmetic: 0.2 is 1/5).

    >>> compare({("2111", "general"): 100_00, ("2240", "general"): 50_00},
    ...         {("2111", "general"): 120_00, ("2210", "general"): 7_00}, 0.2)
    ... # doctest: +NORMALIZE_WHITESPACE
    [Change(kekv='2210', fund='general', old=0, new=700),
     Change(kekv='2240', fund='general', old=5000, new=0)]
    """
    limit = Fraction(str(threshold))
    out = []
    for key in sorted(set(old) | set(new), key=lambda k: (k[0], k[1] != "general", k[1])):
        a, b = old.get(key, 0), new.get(key, 0)
        if a == b:
            continue
        if not a or not b or Fraction(abs(b - a), abs(a)) > limit:
            out.append(Change(key[0], key[1], a, b))
    return out


# --------------------------------------------------------------------------- files

def save_copies(folder: Path, files: Iterable[tuple[str, bytes]]) -> list[Path]:
    """Write each (name, bytes) into ``folder`` (made if needed), atomically."""
    folder = ensure_folder(Path(folder))
    out = []
    for name, data in files:
        target = folder / Path(name).name
        with atomic_path(target) as tmp:
            tmp.write_bytes(data)
        out.append(target)
    return out


def log_rows(sent_at: str, entries: Iterable[tuple[RequestFile, str, str]],
             ) -> list[dict[str, object]]:
    """Rows for ``tblSubmissions`` (values as codes) from (request, mail_to, status)."""
    return [{"sent_at": sent_at, "kpkvk": r.kpkvk, "form": r.form, "file": r.path.name,
             "sha256": r.sha256, "total": r.total, "mail_to": to, "status": status}
            for r, to, status in entries]


def append_log(book: Book, rows: Sequence[Mapping[str, object]], lang: schema.Lang) -> str:
    """Append ``rows`` (values as codes) to the book's ``tblSubmissions``; says how.

    The log is only ever appended to (``Book.update_table`` with new rows: the rows
    already there, other columns and every other part of the workbook stay as they
    were). Its very first rows are the exception, as there is nothing to rewrite yet:
    a workbook made before the log existed gets the table on a new sheet, and the
    template's one blank row is filled — both through ``Book.write_tables``, which
    creates a missing table and touches nothing else. Returns ``created``, ``filled``
    or ``appended``.
    """
    import pandas as pd

    from koshtorys.convert import present

    if not rows:
        return "appended"
    keys = schema.table(LOG).column_keys
    shown = present(pd.DataFrame([{k: r.get(k) for k in keys} for r in rows], columns=keys),
                    LOG, lang)
    raw = book.read_tables([LOG]).get(LOG)
    if raw is None or all(all(is_blank(v) for v in r) for r in raw.rows):
        book.write_tables({LOG: shown}, lang)
        return "created" if raw is None else "filled"
    book.update_table(LOG, {}, [{k: _plain(v) for k, v in r.items()}
                                for r in shown.to_dict("records")])
    return "appended"


def _plain(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    return v.item() if hasattr(v, "item") else v
