"""What the ribbon buttons and the command line do, over any :class:`~koshtorys.core.book.Book`.

``compute`` is pure (raw tables in, output frames and checks out); ``refresh`` and
``check`` read the book once, compute, and write the output tables in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from koshtorys.core.book import Book, RawTable
from koshtorys.core.checks import Check, checks_frame, has_errors
from koshtorys.core.errors import TableMissing
from koshtorys.core.settings import Settings

from .convert import Inputs, convert_inputs

__all__ = ["PARTS", "JobResult", "compute", "evaluate", "refresh", "check", "input_tables_for"]

Progress = Callable[[str], None]

#: Each part of a refresh: the input tables it needs (the first ones are essential
#: to it) and the output tables it writes.
PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "costing": (("tblServices", "tblStaff"), ("tblTime", "tblCosts"),
                ("tblUnitCosts", "tblCostByKekv")),
    "execution": (("tblPlan", "tblActuals"), (),
                  ("tblVariance", "tblVarianceSummary", "tblQuarterTotals")),
    "funding": (("tblNeeds", "tblSources"), (), ("tblFundingSplit", "tblFundingSummary")),
}

_TOTAL = {"uk": "Разом", "en": "Total"}


@dataclass
class JobResult:
    """Output frames (columns = schema keys), the checks, and the exit status."""

    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    settings: Settings = field(default_factory=Settings)
    inputs: Inputs | None = None
    parts: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if has_errors(self.checks) else 0


def input_tables_for(parts: tuple[str, ...]) -> list[str]:
    names = ["tblSettings"]
    for p in parts:
        essential, optional, _ = PARTS[p]
        names += [n for n in essential + optional if n not in names]
    return names


def compute(
    tables: Mapping[str, RawTable],
    only: str | None = None,
    lang: str = "en",
    progress: Progress | None = None,
    strict: bool = False,
) -> JobResult:
    """Every result the SPEC defines from raw tables; nothing is read or written.

    ``strict`` (used by refresh and check on a workbook) raises
    :class:`TableMissing` when ``tblSettings`` or a part's essential table is absent
    and the part was asked for with ``only``.
    """
    say = progress or (lambda _m: None)
    parts = (only,) if only else tuple(PARTS)
    if strict and "tblSettings" not in tables:
        raise TableMissing("the workbook has no table tblSettings: is it a koshtorys workbook? "
                           "(koshtorys new PATH creates one)")
    inputs = convert_inputs(tables, input_tables_for(parts))
    settings = inputs.settings
    checks: list[Check] = list(inputs.checks)
    outputs: dict[str, pd.DataFrame] = {}
    done: list[str] = []
    for part in parts:
        essential, _, _ = PARTS[part]
        absent = [n for n in essential if n in inputs.missing]
        if absent:
            if strict and only:
                raise TableMissing(f"the workbook has no table {', '.join(absent)}")
            checks += [Check("warning", n, None, None, "table_missing", {"value": n, "where": n})
                       for n in absent]
            continue
        say(part)
        f = inputs.frames
        if part == "costing":
            from koshtorys.engine.costing import compute_costs

            r = compute_costs(f["tblServices"], f["tblStaff"], f["tblTime"], f["tblCosts"],
                              settings)
            outputs["tblUnitCosts"], outputs["tblCostByKekv"] = r.unit_costs, r.cost_by_kekv
            checks += r.checks
        elif part == "execution":
            from koshtorys.engine.execution import compute_variance

            v = compute_variance(f["tblPlan"], f["tblActuals"],
                                 under_threshold=settings.under_threshold,
                                 total_label=_TOTAL.get(lang, "Total"))
            outputs["tblVariance"], outputs["tblVarianceSummary"] = v.variance, v.summary
            outputs["tblQuarterTotals"] = v.quarters
            checks += v.checks
        else:
            from koshtorys.engine.funding import compute_funding

            fr = compute_funding(f["tblNeeds"], f["tblSources"], settings)
            summary = fr.summary.copy()
            summary.attrs["chart_rows"] = fr.chart_rows
            outputs["tblFundingSplit"], outputs["tblFundingSummary"] = fr.split, summary
            checks += fr.checks
        done.append(part)
    if strict and not done and not only:
        raise TableMissing("the workbook has none of the input tables (tblServices, tblPlan, "
                           "tblNeeds …)")
    checks = inputs.locator.fill(checks)
    return JobResult(outputs, checks, settings, inputs, tuple(done))


def _write(book: Book, result: JobResult, lang: str, checks_only: bool) -> None:
    frames = {} if checks_only else dict(result.outputs)
    frames["tblChecks"] = checks_frame(result.checks, lang)
    book.write_tables(frames, lang)  # type: ignore[arg-type]


def evaluate(book: Book, only: str | None = None,
             progress: Progress | None = None) -> JobResult:
    """Read the input tables the job needs, once, and compute; nothing is written."""
    (progress or (lambda _m: None))("read")
    parts = (only,) if only else tuple(PARTS)
    tables = book.read_tables(input_tables_for(parts))
    return compute(tables, only, book.language(), progress, strict=True)


def refresh(book: Book, only: str | None = None, progress: Progress | None = None) -> JobResult:
    """Read the book once, compute (all parts or ``only`` one), write outputs once."""
    result = evaluate(book, only, progress)
    (progress or (lambda _m: None))("write")
    _write(book, result, book.language(), checks_only=False)
    return result


def check(book: Book, progress: Progress | None = None) -> JobResult:
    """Validate everything (the engine's own checks included); write only tblChecks."""
    result = evaluate(book, None, progress)
    _write(book, result, book.language(), checks_only=True)
    return result
