"""``koshtorys consolidate DIR --out PATH``: every workbook and request in a folder as one.

A program workbook (it has tblSettings) gives its output tables flagged for
consolidation; a received budget request (tblRequest and tblRequestInfo, Форма -2 or
-3) gives its lines. Files are read one at a time and only their needed cells are kept,
so memory follows the consolidated tables, never the folder. The stacked cells go
through the conversion stage once per table (column-wise), the engine adds the totals
and the ceilings, and the output is written by suffix: ``.xlsx`` (refused past a
worksheet's rows) or ``.parquet`` (a folder of one Parquet file per table).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from koshtorys.bulk.read import TableFile, columns_of
from koshtorys.bulk.stack import Stack
from koshtorys.convert import Unreadable, is_blank, read_cell, valid_edrpou
from koshtorys.core import schema
from koshtorys.core.book import RawTable
from koshtorys.core.checks import Check
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.core.limits import EXCEL_ROWS
from koshtorys.core.messages import text
from koshtorys.engine import consolidate as engine

from .outcome import Outcome

__all__ = ["consolidate_folder", "workbooks_in", "OUTPUT_KINDS"]

OUTPUT_KINDS = (".xlsx", ".parquet")
"""What ``--out`` may end with."""
ROWS_SAID = 3
"""Rows left out that a file's message names; the rest are counted."""


def workbooks_in(folder: Path, exclude: Path | None = None) -> list[Path]:
    """The .xlsx/.xlsm files of ``folder`` (not lock or temporary files, not the output)."""
    out = []
    skip = exclude.resolve() if exclude is not None else None
    for p in sorted(Path(folder).iterdir()):
        if p.suffix.lower() not in (".xlsx", ".xlsm") or p.name.startswith(("~$", ".")):
            continue
        if not p.is_file() or (skip is not None and p.name == skip.name
                               and p.resolve() == skip):
            continue
        out.append(p)
    return out


_WHO = tuple(s for s in schema.SETTINGS if s.key in ("institution", "edrpou", "plan_year"))


def _without_totals(t: schema.Table, raw: RawTable) -> list[int] | None:
    """The rows of ``raw`` but an institution's own total rows, or None for all: totals
    are left to queries, so a sum over the consolidated rows never counts one twice."""
    if "kpkvk" not in t.column_keys:
        return None
    kp = columns_of(t, tuple(raw.headers)).get("kpkvk")
    if kp is None:
        return None
    n = len(raw.rows)  # refresh writes them last
    while n and kp < len(raw.rows[n - 1]) and _total_label(raw.rows[n - 1][kp]):
        n -= 1
    return None if n == len(raw.rows) else list(range(n))


def _filled(raw: RawTable) -> bool:
    """Whether ``raw`` has a row with any value (a new table keeps one blank row)."""
    return any(not all(map(is_blank, r)) for r in raw.rows)


def _total_label(v: object) -> bool:
    """An institution's own total row (КПКВК «Разом»/«Total»): text with no digit."""
    return isinstance(v, str) and bool(v.strip()) and not any(ch.isdigit() for ch in v)


@dataclass
class _File:
    file: str
    kind: str = ""
    institution: str | None = None
    edrpou: str | None = None
    status: str = "ok"
    messages: list[Callable[[str], str]] = field(default_factory=list)
    """Each problem said in a language: the run's is known once every file is read."""

    def problem(self, status: str, message: Callable[[str], str]) -> None:
        rank = {"ok": 0, "skipped": 1, "warning": 2, "error": 3}
        if rank[status] > rank[self.status]:
            self.status = status
        self.messages.append(message)

    def reason(self, lang: str) -> str:
        return "; ".join(say(lang) for say in self.messages)

    def refused(self, exc: KoshtorysError) -> Callable[[str], str]:
        """The first line of a refusal without the file's name, which the list shows."""
        def say(lang: str) -> str:
            line = exc.message(lang).splitlines()[0]
            for name in (self.file, str(exc.params.get("path", ""))):
                if name and line.startswith(name):
                    return line[len(name):].lstrip(" —:")
            return line
        return say


class _Run:
    """One consolidation: the stacks, the request infos and the files' fate."""

    def __init__(self, lang: str | None, fallback: str) -> None:
        self.chosen, self.fallback = lang, fallback
        self.votes = [0, 0]  # headers named in Ukrainian, in English
        self.stacks = {t.name: Stack(engine.SOURCE_OF[t.name]) for t in engine.PROGRAM_TABLES}
        self.requests = Stack(engine.REQUEST)
        self.info: list[dict[str, object]] = []
        self.seen: dict[tuple[object, ...], str] = {}
        self.books: dict[tuple[object, ...], list[tuple[str, set[str]]]] = {}
        """(institution, plan year) → the program workbooks counted and their КПКВК."""
        self.files: list[_File] = []
        self.wanted = [schema.table("tblSettings"), *engine.SOURCE_OF.values()]

    @property
    def lang(self) -> str:
        """The language asked for, else the one most of the files' headers speak."""
        if self.chosen:
            return self.chosen
        uk, en = self.votes
        return self.fallback if uk == en else "uk" if uk > en else "en"

    def vote(self, t: schema.Table, raw: RawTable) -> None:
        uk, en = schema.header_votes(t, raw.headers)
        self.votes[0] += uk
        self.votes[1] += en

    @staticmethod
    def say(key: str, **params: object) -> Callable[[str], str]:
        return lambda lang: text(key, lang, **params)

    def read(self, path: Path) -> None:
        f = _File(path.name)
        self.files.append(f)
        try:
            book = TableFile(path)
            if any(book.has(t) for t in self.wanted):
                f.kind = "program"
                self._program(book, f, len(self.files) - 1)
            elif book.has(engine.REQUEST):
                f.kind = "request"
                self._request(book, f, len(self.files) - 1)
            else:
                book.close()
                f.problem("skipped", self.say("cons_not_ours"))
        except KoshtorysError as exc:
            f.problem("error", f.refused(exc))

    def _program(self, book: TableFile, f: _File, no: int) -> None:
        raws = book.read(self.wanted)
        for t in self.wanted:
            if t.name in raws:
                self.vote(t, raws[t.name])
        who = self._settings(raws["tblSettings"], f) if "tblSettings" in raws else {}
        f.institution = str(who.get("institution") or Path(f.file).stem)
        f.edrpou = who.get("edrpou")  # type: ignore[assignment]
        outputs = [raws[s.source.name] for s in self.stacks.values() if s.source.name in raws]
        if outputs and not any(_filled(raw) for raw in outputs):  # never refreshed
            f.problem("error", self.say("cons_not_refreshed"))
            return
        same = self._same_book(f, who.get("plan_year"), outputs)
        if same is not None:  # a copy of a workbook already counted ("a (1).xlsx")
            f.problem("error", self.say("cons_duplicate_book", other=same))
            return
        missing = []
        for stack in self.stacks.values():
            source = stack.source.name
            raw = raws.get(source)
            if raw is None:
                missing.append(source)
            elif not stack.add(raw, no, _without_totals(stack.source, raw)):
                f.problem("warning", self.say("cons_no_columns", table=source))
        if len(missing) == len(engine.PROGRAM_TABLES):
            f.problem("error", self.say("cons_no_outputs"))
        elif missing:
            f.problem("warning", self.say("cons_missing", tables=", ".join(missing)))

    def _same_book(self, f: _File, year: object, outputs: list[RawTable]) -> str | None:
        """The file already counted for the same institution, plan year and a program of
        this one, if any: counting both would double the institution's figures."""
        programs: set[str] = set()
        for raw in outputs:
            j = columns_of(self._source(raw.name), tuple(raw.headers)).get("kpkvk")
            if j is not None:  # each distinct cell once: a book has a few programs
                values = {r[j] for r in raw.rows if j < len(r)}  # cells are hashable
                programs.update(str(v).strip().zfill(7) for v in values
                                if not is_blank(v) and not _total_label(v))
        who = ("book", f.edrpou or f.institution, year)
        earlier = self.books.setdefault(who, [])
        for other, theirs in earlier:
            if programs & theirs or not (programs or theirs):
                return other
        earlier.append((f.file, programs))
        return None

    def _source(self, name: str) -> schema.Table:
        return next(s.source for s in self.stacks.values() if s.source.name == name)

    def _settings(self, raw: RawTable, f: _File) -> dict[str, object]:
        """The institution and its ЄДРПОУ from tblSettings, read as settings are read."""
        cols = columns_of(schema.table("tblSettings"), tuple(raw.headers))
        k, v = cols.get("key"), cols.get("value")
        found: dict[str, object] = {}
        if k is None or v is None:
            return found
        values = {str(r[k]).strip(): r[v] for r in raw.rows if max(k, v) < len(r)}
        for s in _WHO:
            cell = values.get(s.key)
            if is_blank(cell):
                continue
            try:
                found[s.key] = read_cell(s, cell)
            except Unreadable as exc:
                f.problem("warning", self.say("cons_bad_info", key=s.key, value=str(cell)[:60],
                                              code=exc.code))
        if found.get("edrpou") and not valid_edrpou(str(found["edrpou"])):
            f.problem("warning", self.say("cons_bad_info", key="edrpou",
                                          value=found["edrpou"], code="invalid_edrpou"))
        return found

    def _request(self, book: TableFile, f: _File, no: int) -> None:
        raws = book.read([engine.REQUEST, engine.REQUEST_INFO])
        info_raw = raws.get(engine.REQUEST_INFO.name)
        if info_raw is None:
            raise KoshtorysError("cons_no_info", table=engine.REQUEST_INFO.name)
        values = {str(r[0]).strip(): r[1] for r in info_raw.rows
                  if len(r) > 1 and not is_blank(r[0])}
        info: dict[str, object] = {"source_file": f.file}
        for col in engine.INFO_FIELDS:
            v = values.get(col.key)
            try:
                info[col.key] = None if is_blank(v) else read_cell(col, v)
            except Unreadable as exc:
                info[col.key] = None
                f.problem("warning", self.say("cons_bad_info", key=col.key,
                                              value=str(v)[:60], code=exc.code))
        if info["form"] is None:  # an older request: the form from its file name
            info["form"] = 3 if f.file.lower().startswith("request3_") else 2
        f.institution = str(info["institution"] or Path(f.file).stem)
        f.edrpou = info["edrpou"]  # type: ignore[assignment]
        info["institution"] = f.institution
        key = (f.edrpou or f.institution, info["kpkvk"], info["plan_year"], info["form"])
        if key in self.seen:  # the same request twice (a copy, a resent version)
            raise KoshtorysError("cons_duplicate", other=self.seen[key])
        self.seen[key] = f.file
        self.info.append(info)
        raw = raws[engine.REQUEST.name]
        self.vote(engine.REQUEST, raw)
        cols = columns_of(engine.REQUEST, tuple(raw.headers))
        if "form" not in cols:  # the form column came later: the file's own form
            raw = RawTable(raw.name, raw.sheet, [*raw.headers, "form"],
                           [[*r, info["form"]] for r in raw.rows], raw.header_row,
                           raw.first_col, raw.row_numbers)
        if not self.requests.add(raw, no):
            f.problem("error", self.say("cons_no_columns", table=engine.REQUEST.name))

    def frames(self) -> dict[str, pd.DataFrame]:
        ids = {"institution": np.array([f.institution for f in self.files], dtype=object),
               "edrpou": np.array([f.edrpou for f in self.files], dtype=object),
               "source_file": np.array([f.file for f in self.files], dtype=object)}
        typed = {}
        stacks = [*self.stacks.items(), (engine.CONS_REQUESTS.name, self.requests)]
        for name, stack in stacks:
            typed[name] = stack.frame(engine.table(name), ids)
            left_out: dict[int, list[Check]] = {}
            for no, c in stack.checks:
                if c.severity == "error":
                    left_out.setdefault(no, []).append(c)
            for no, found in left_out.items():  # the first few, and how many more
                found.sort(key=lambda c: c.row or 0)
                for c in found[:ROWS_SAID]:
                    self.files[no].problem("warning", lambda lang, c=c: text(
                        "cons_row_left_out", lang, message=c.message(lang)))
                if len(found) > ROWS_SAID:
                    self.files[no].problem("warning", self.say(
                        "cons_rows_more", count=len(found) - ROWS_SAID))
        info = pd.DataFrame.from_records(self.info, columns=[
            "source_file", *(c.key for c in engine.INFO_FIELDS)])
        files = pd.DataFrame.from_records(
            [(f.file, f.kind or None, f.institution, f.edrpou, f.status, f.reason(self.lang))
             for f in self.files], columns=engine.CONS_FILES.column_keys)
        return engine.consolidate(typed, info, files)


def _relabel(values: pd.Series, label: object) -> pd.Series:
    """``label`` of each value, computed once per distinct value; blanks stay blank."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    shown = np.empty(len(uniques) + 1, dtype=object)
    shown[:-1] = [label(u) for u in uniques]  # type: ignore[operator]
    shown[-1] = None
    return pd.Series(shown[codes], index=values.index, dtype=object)


def _shown(t: schema.Table, df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``df`` as a ``lang`` workbook shows it: enumeration values in Ukrainian for a
    Ukrainian one, the files' kind and status in words."""
    out = df.copy(deep=False)
    for c in t.columns:
        if c.kind == "enum" and c.enum and lang == "uk":
            out[c.key] = _relabel(out[c.key], functools.partial(schema.enum_label, c.enum,
                                                                lang="uk"))
    if t is engine.CONS_FILES:
        for key in ("kind", "status"):
            out[key] = _relabel(out[key], lambda v, key=key: text(f"cons_{key}_{v}", lang)
                                if isinstance(v, str) and v else None)
    return out


def _fits_sheet(run: _Run, out_path: Path) -> None:
    """Refuse an .xlsx whose table would pass a worksheet's rows (the header is one)."""
    stacks = [*run.stacks.items(), (engine.CONS_REQUESTS.name, run.requests)]
    for name, stack in stacks:
        if stack.count > EXCEL_ROWS - 1:
            raise KoshtorysError("cons_too_many_rows", table=name, rows=stack.count,
                                 limit=EXCEL_ROWS, path=out_path.with_suffix(".parquet").name)


def _freeze(t: schema.Table) -> str:
    """The first scrolling cell: the header row and the columns saying whose stay put."""
    ids = {c.key for c in engine.ID_COLUMNS}
    lead = next((i for i, c in enumerate(t.columns) if c.key not in ids), 0)
    return f"{chr(ord('A') + max(lead, 1))}2"


def _refuse_kind(out_path: Path) -> None:
    suffix = out_path.suffix.lower()
    if suffix == ".xlsm":
        raise KoshtorysError("cons_no_xlsm", path=out_path.name)
    if suffix not in OUTPUT_KINDS:
        raise KoshtorysError("cons_out_kind", path=out_path.name)


def consolidate_folder(folder: Path, out_path: Path, lang: str | None = None,
                       fallback: str = "uk") -> Outcome:
    """Consolidate ``folder`` into ``out_path``; exit 1 when some files could not be read
    (each is listed, none stops the others), 2 when nothing was done. The output and the
    lines speak ``lang``; ``None``: the language most of the files' headers speak
    (``fallback`` when they do not tell)."""
    folder, out_path = Path(folder), Path(out_path)
    _refuse_kind(out_path)
    if not folder.is_dir():
        raise KoshtorysError("not_a_folder", path=folder)
    paths = workbooks_in(folder, out_path)
    if not paths:
        raise KoshtorysError("no_workbooks", path=folder)
    sheet = out_path.suffix.lower() == ".xlsx"
    if sheet:
        ensure_not_locked(out_path)
    run = _Run(lang, fallback)
    for p in paths:
        run.read(p)
        if sheet:  # refused as soon as it is known, not after reading a nation's files
            _fits_sheet(run, out_path)
    tables = run.frames()
    lang = run.lang
    files = run.files
    del run  # its batches are in ``tables`` now
    ensure_folder(out_path.parent)
    if out_path.suffix.lower() == ".parquet":
        from koshtorys.bulk.parquet import write_dataset

        write_dataset(out_path, [(t, tables[t.name]) for t in engine.TABLES])
    else:
        from koshtorys.bulk.tablebook import table_sheet, write_table_book
        from koshtorys.core.fileio import atomic_path

        sheets = [table_sheet(t, tables[t.name], lang, _freeze(t),  # type: ignore[arg-type]
                              functools.partial(_shown, t, lang=lang)) for t in engine.TABLES]
        with atomic_path(out_path) as tmp:
            write_table_book(tmp, sheets)
    problems = [f for f in files if f.status in ("warning", "error")]
    out = Outcome(lang, 1 if problems else 0, files=[out_path])
    done = sum(f.status in ("ok", "warning") for f in files)
    out.say("consolidated", done=done, total=len(paths), path=out_path)
    for f in files:
        if f.status != "ok":
            out.say("not_included" if f.status in ("error", "skipped") else "included_with",
                    file=f.file, reason=f.reason(lang))
    return out
