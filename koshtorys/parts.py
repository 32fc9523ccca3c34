"""The parts of a refresh, declared as data, and the one runner over them.

A part names the input tables it needs (without the first ones it cannot run), the
ones it also reads, the output tables it writes and the engine call that makes them.
The job runner, the command line's ``--only`` choices, the worksheet functions and
consolidation all read :data:`PARTS`: a new output table is the schema plus the engine
plus one entry here.

:func:`compute` is pure (raw tables in, typed output frames and checks out);
:func:`evaluate` reads a :class:`~koshtorys.core.book.Book` once and computes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.convert import Inputs, convert_inputs
from koshtorys.core.book import Book, RawTable
from koshtorys.core.checks import Check, has_errors
from koshtorys.core.errors import TableMissing
from koshtorys.core.settings import Settings

__all__ = ["Part", "PARTS", "JobResult", "compute", "evaluate", "input_tables_for",
           "Progress", "TIES", "DOCUMENT_TABLES", "require_settings"]

Progress = Callable[[str], None]
Frames = Mapping[str, pd.DataFrame]
PartRun = Callable[[Frames, Settings, str], tuple[dict[str, pd.DataFrame], list[Check]]]

_TOTAL = {"uk": "Разом", "en": "Total"}


@dataclass(frozen=True)
class Part:
    """One part of a refresh."""

    name: str
    """``costing``, ``execution``, ``funding``: the ``--only`` choice and progress step."""
    needs: tuple[str, ...]
    """Input tables without which the part is not computed (a missing one is an error:
    results are never made from partial inputs)."""
    reads: tuple[str, ...]
    """Optional input tables it reads when they are there (SPEC: "optional")."""
    writes: tuple[str, ...]
    """Output tables it makes."""
    run: PartRun
    """The engine call: typed frames, settings, language → outputs and checks."""
    function_output: str
    """The output table its worksheet function returns."""


def _costing(f: Frames, s: Settings, lang: str) -> tuple[dict[str, pd.DataFrame], list[Check]]:
    from koshtorys.engine.costing import compute_costs

    r = compute_costs(f["tblServices"], f["tblStaff"], f["tblTime"], f["tblCosts"], s)
    return {"tblUnitCosts": r.unit_costs, "tblCostByKekv": r.cost_by_kekv}, r.checks


def _execution(f: Frames, s: Settings, lang: str) -> tuple[dict[str, pd.DataFrame], list[Check]]:
    from koshtorys.engine.execution import compute_variance

    v = compute_variance(f["tblPlan"], f["tblActuals"], under_threshold=s.under_threshold,
                         total_label=_TOTAL.get(lang, "Total"))
    return ({"tblVariance": v.variance, "tblVarianceSummary": v.summary,
             "tblQuarterTotals": v.quarters}, v.checks)


def _funding(f: Frames, s: Settings, lang: str) -> tuple[dict[str, pd.DataFrame], list[Check]]:
    from koshtorys.engine.funding import compute_funding

    r = compute_funding(f["tblNeeds"], f["tblSources"], s)
    summary = r.summary.copy()
    summary.attrs["chart_rows"] = r.chart_rows
    return {"tblFundingSplit": r.split, "tblFundingSummary": summary}, r.checks


PARTS: dict[str, Part] = {p.name: p for p in (
    Part("costing", ("tblServices", "tblStaff", "tblTime", "tblCosts"), (),
         ("tblUnitCosts", "tblCostByKekv"), _costing, "tblUnitCosts"),
    Part("execution", ("tblPlan", "tblActuals"), (),
         ("tblVariance", "tblVarianceSummary", "tblQuarterTotals"), _execution, "tblVariance"),
    Part("funding", ("tblNeeds", "tblSources"), ("tblProgramTotals",),
         ("tblFundingSplit", "tblFundingSummary"), _funding, "tblFundingSplit"),
)}
"""Every part, in the order a refresh runs them."""

Tie = Callable[[Mapping[str, pd.DataFrame], Inputs], list[Check]]


def _need_vs_costs(outputs: Mapping[str, pd.DataFrame], inputs: Inputs) -> list[Check]:
    from koshtorys.engine.ties import need_differs_from_costs

    if "tblFundingSplit" not in outputs or "tblCostByKekv" not in outputs:
        return []  # the costing or the funding was not computed: nothing to compare
    s = inputs.settings
    return need_differs_from_costs(outputs["tblFundingSplit"], inputs.frames["tblNeeds"],
                                   outputs["tblCostByKekv"], s.plan_year, int(s.rounding))


def _program_totals(outputs: Mapping[str, pd.DataFrame], inputs: Inputs) -> list[Check]:
    from koshtorys.engine.ties import program_total_mismatch

    totals = inputs.frames.get("tblProgramTotals")
    if "tblFundingSplit" not in outputs or totals is None:
        return []
    return program_total_mismatch(outputs["tblFundingSplit"], totals,
                                  int(inputs.settings.rounding))


TIES: list[Tie] = [_need_vs_costs, _program_totals]
"""Checks across parts, run after the parts on their outputs: e.g. a program's funding
need against its expenditure. Each tie looks for the outputs it compares and says
nothing when a part that makes them was not computed. A document module adds its own."""

DOCUMENT_TABLES: list[str] = ["tblPrograms", "tblHistory", "tblCeilings"]
"""Optional input tables no part computes from but the documents print (program texts,
earlier years, ceilings): read and checked with every full evaluation, so ``check``
reports their bad cells and a request needs no second reading of the book."""


@dataclass
class JobResult:
    """Output frames (columns = schema keys, values = codes), the checks, the settings."""

    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    inputs: Inputs | None = None
    parts: tuple[str, ...] = ()
    """The parts that were computed."""
    skipped: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Parts not computed → the tables they lacked."""

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.checks) else 0


def input_tables_for(parts: tuple[str, ...]) -> list[str]:
    """``tblSettings`` and every input table the ``parts`` read, in part order."""
    names = ["tblSettings"]
    for p in parts:
        names += [n for n in PARTS[p].needs + PARTS[p].reads if n not in names]
    return names


def _documents(only: str | None) -> list[str]:
    """The documents' tables, for a full evaluation (not for one part)."""
    return [] if only else list(DOCUMENT_TABLES)


def compute(
    tables: Mapping[str, RawTable],
    only: str | None = None,
    lang: str = "en",
    progress: Progress | None = None,
    strict: bool = False,
    ties: bool = True,
    hints: Mapping[str, str] | None = None,
) -> JobResult:
    """Every result the SPEC defines from raw tables; nothing is read or written.

    A part whose needed table is absent is not computed: a ``missing_table`` check names
    the table (an error), and
    none of its outputs is made from partial inputs. ``strict`` (refresh and check on a
    workbook) raises :class:`TableMissing` when there is no ``tblSettings``, when the
    part asked for with ``only`` cannot run, or when no part can.
    """
    say = progress or (lambda _m: None)
    parts = (only,) if only else tuple(PARTS)
    if strict and "tblSettings" not in tables:
        raise TableMissing("no_settings_table")
    inputs = convert_inputs(tables, input_tables_for(parts) + _documents(only), hints=hints)
    checks: list[Check] = list(inputs.checks)
    outputs: dict[str, pd.DataFrame] = {}
    done: list[str] = []
    skipped: dict[str, tuple[str, ...]] = {}
    for name in parts:
        part = PARTS[name]
        absent = tuple(n for n in part.needs if n in inputs.missing)
        if absent:
            skipped[name] = absent
            if strict and only:
                raise TableMissing("part_needs_table", part=name, table=", ".join(absent))
            continue
        say(name)
        made, found = part.run(inputs.frames, inputs.settings, lang)
        outputs.update(made)
        checks += found
        done.append(name)
    if strict and not done and not only:
        raise TableMissing("no_input_tables")
    checks = inputs.missing_checks(skipped, asked=bool(only)) + checks
    if ties:
        for tie in TIES:
            checks += tie(outputs, inputs)
    checks = inputs.locator.fill(checks)
    return JobResult(outputs, checks, inputs.settings, inputs, tuple(done), skipped)


def table_hints(book: Book, missing: list[str]) -> dict[str, str]:
    """Why each of the ``missing`` tables is not there, when the book can tell: another
    table (not one of ours) holds its headers — renamed, or made anew with Ctrl+T as
    «Таблиця1» —, the sheet still holds its header as a plain range (Excel's Convert to
    Range), or its table part is broken. A book tells what it can: a file all three
    (``table_headers``, ``plain_range_headers``, ``broken_tables``), the live workbook
    ``table_headers``; a book in memory nothing."""
    from koshtorys.core import schema

    out: dict[str, str] = {}
    if not missing:
        return out
    broken = {b.name.lower(): b for b in getattr(book, "broken_tables", ())}
    look = getattr(book, "plain_range_headers", None)
    ours = {t.name.lower() for t in schema.TABLES}
    others = {n: v for n, v in getattr(book, "table_headers", dict)().items()
              if n.lower() not in ours}
    for name in missing:
        if name.lower() in broken:
            b = broken[name.lower()]
            out[name] = f"broken:{b.sheet or ''}:{b.reason}"
            continue
        t = schema.table(name)
        wanted = {schema.normalize_header(h) for c in t.columns for h in (c.uk, c.key)}
        enough = max(2, len(t.columns) // 2)
        alike = sorted((sum(schema.normalize_header(x) in wanted for x in cols), other, sheet)
                       for other, (sheet, cols) in others.items())
        if alike and alike[-1][0] >= enough:  # the table renamed, or made anew by Ctrl+T
            out[name] = f"renamed:{alike[-1][2]}:{alike[-1][1]}"
            continue
        if look is None:
            continue
        for sheet, rows in look([t.sheet_uk, t.sheet_en]).items():
            for _row, texts in rows:
                found = sum(schema.normalize_header(x) in wanted for x in texts if x)
                if found >= enough:
                    out[name] = f"range:{sheet}"
    return out


_MADE_BY_US = {"tblrequest": "request", "tblpassport": "passport",
               "tblpassportreport": "report", "tbltariff": "tariff",
               "tblprocurement": "procurement", "tblconsfiles": "consolidation"}
"""The machine-readable table of each file koshtorys makes → the document it is."""


def require_settings(book: Book, tables: Mapping[str, RawTable]) -> None:
    """Refuse a book without ``tblSettings``, saying what it is when koshtorys made it (a
    request or an other document received by mail, the consolidation): those are
    outputs, the commands take the institution's workbook they were made from."""
    if "tblSettings" in tables:
        return
    held = getattr(book, "table_headers", dict)()
    made = [_MADE_BY_US[n.lower()] for n in held if n.lower() in _MADE_BY_US]
    if made:
        raise TableMissing("settings_in_document", document=made[0])
    raise TableMissing("no_settings_table")


def evaluate(book: Book, only: str | None = None,
             progress: Progress | None = None) -> JobResult:
    """Read the input tables the job needs, once, and compute; nothing is written."""
    (progress or (lambda _m: None))("read")
    parts = (only,) if only else tuple(PARTS)
    names = input_tables_for(parts) + _documents(only)
    tables = book.read_tables(names)
    require_settings(book, tables)
    needed = {"tblSettings", *(n for p in parts for n in PARTS[p].needs)}
    # only a table whose absence is an error needs a why (optional ones are not said)
    hints = table_hints(book, [n for n in names if n not in tables and n in needed])
    return compute(tables, only, book.language(), progress, strict=True, hints=hints)
