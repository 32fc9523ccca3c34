"""``koshtorys procurement`` (button Обґрунтування закупівлі): the justification of buying
one service through Prozorro, ``procurement_<plan_year>_<service_id>.xlsx``.

The tariff is computed afresh by the costing part (as ``koshtorys tariff`` computes it)
and the allocation is the plan-year amount the budget request prints.
"""

from __future__ import annotations

import math
from pathlib import Path

from koshtorys.core.book import Book
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.core.messages import format_money
from koshtorys.documents.procurement import build_procurement
from koshtorys.documents.procurement_sheet import write_procurement
from koshtorys.documents.tariff import build_tariff

from .outcome import Outcome, Progress
from .tariff import SAID_BY_TARIFF, costed, finish_documents, pick_services, tariff_inputs

__all__ = ["procurement"]


def _volume(units: float | str | None) -> float | None:
    """``--units`` read as a cell is read: ``1 200`` and ``1200,5`` are numbers, ``1,200``
    (1.2 or 1 200?) is refused with both readings."""
    if units is None:
        return None
    from koshtorys.convert import Unreadable, read_number

    try:
        v = read_number(units)
    except Unreadable as exc:
        if exc.code == "ambiguous_number":
            raise KoshtorysError("ambiguous_units", value=units, **{
                k: exc.params[k] for k in ("decimal", "thousands")}) from None
        v = math.nan
    if not math.isfinite(v) or v <= 0:
        raise KoshtorysError("bad_units", value=units)
    return v


def procurement(book: Book, outdir: Path, *, service: str, units: float | str | None = None,
                pdf: bool = False, progress: Progress | None = None) -> Outcome:
    """Write the justification of buying ``units`` (default: its planned volume) of
    ``service``."""
    step = progress or (lambda _s: None)
    volume = _volume(units)  # a bad --units is refused before anything is read
    result, out = costed(book, progress)
    before = len(out.checks)
    ids = pick_services(result, service, "procurement", out)
    if ids:
        step("procurement")
        tariff = build_tariff(tariff_inputs(result), ids[0])
        doc, checks = build_procurement(tariff, result.outputs["tblCostByKekv"], volume)
        out.checks += checks
        outdir = ensure_folder(Path(outdir))
        ensure_not_locked(outdir / doc.file_name)
        out.files.append(write_procurement(doc, outdir))
        out.outputs["tblProcurement"] = doc.table
        out.say("wrote_procurement", file=out.files[0],
                expected=format_money(float(doc.expected), out.lang, digits=0),
                units=format_money(doc.units, out.lang,
                                   digits=0 if float(doc.units).is_integer() else 2),
                tariff=format_money(doc.unit_tariff / 100, out.lang))
        out.repeat(SAID_BY_TARIFF, before, ids[:1])
    return finish_documents(out, before, outdir, pdf, step)
