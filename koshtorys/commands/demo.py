"""``koshtorys demo``: the whole job on the bundled sample, as a new user sees it.

Builds the Kreminna sample workbook, refreshes it, writes the budget requests
(and PDFs when LibreOffice is installed), writes .eml drafts instead of sending,
and consolidates it with a second, illustrative institution.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from koshtorys import parts
from koshtorys.core.fileio import ensure_folder
from koshtorys.documents.pdf import soffice_path
from koshtorys.samples import sample_frames
from koshtorys.xlsx import FileBook
from koshtorys.xlsx.template import build_workbook

from .consolidate import consolidate_dir
from .request import make_requests
from .send import send

__all__ = ["run_demo"]

Say = Callable[[str], None]


def _uah(x: float) -> str:
    """12345.5 → '12 345.50' (thin grouping, as Ukrainian documents write it)."""
    return f"{x:,.2f}".replace(",", "\u202f")


def _step(say: Say, n: int, text: str) -> float:
    say(f"[{n}/6] {text} …")
    return time.perf_counter()


def run_demo(outdir: Path, *, say: Say = print) -> int:
    """Run every step into ``outdir``; the exit status is the worst of the steps."""
    outdir = Path(outdir)
    inst = outdir / "institutions"
    ensure_folder(inst)
    main = inst / "kreminna_2026.xlsx"
    second = inst / "pervomaiskyi_2026.xlsx"
    status = 0

    t = _step(say, 1, f"building the sample workbook {main}")
    build_workbook(main, lang="uk", sample=sample_frames("kreminna"))
    say(f"      done in {time.perf_counter() - t:.1f} s")

    t = _step(say, 2, "refreshing it (unit costs, execution, funding)")
    book = FileBook.open(main)
    result = parts.refresh(book)
    book.save()
    status = max(status, result.exit_code)
    uc = result.outputs.get("tblUnitCosts")
    if uc is not None and len(uc):
        say(f"      {len(uc)} services, institution total {_uah(uc['total_cost'].sum())} UAH")
    vs = result.outputs.get("tblVarianceSummary")
    if vs is not None and len(vs):
        tot = vs.iloc[-1]
        say(f"      execution to Q{int(tot['quarter'])}: {tot['exec_pct_ytd']:.1%} of the "
            f"period plan, flag {tot['flag']}")
    fs = result.outputs.get("tblFundingSummary")
    if fs is not None and len(fs):
        years = fs[fs["year"] != "NPV"]
        say(f"      funding {int(years['year'].astype(int).min())}–"
            f"{int(years['year'].astype(int).max())}: need {_uah(years['need'].sum())}, "
            f"gap {_uah(years['gap'].sum())} UAH")
    errors = [c for c in result.checks if c.severity == "error"]
    say(f"      {len(errors)} error check(s), "
        f"{len(result.checks) - len(errors)} warning(s) in tblChecks")

    pdf = soffice_path() is not None
    t = _step(say, 3, "writing budget requests" + (" and PDFs" if pdf else
                                                   " (no LibreOffice: no PDFs)"))
    requests = outdir / "requests"
    made = make_requests(main, requests, pdf=pdf, say=lambda m: say("      " + m))
    status = max(status, made.exit_code)
    say(f"      done in {time.perf_counter() - t:.1f} s")

    _step(say, 4, "writing .eml drafts for the finance department")
    status = max(status, send(main, requests, draft=outdir / "drafts",
                              say=lambda m: say("      " + m)))

    t = _step(say, 5, "a second institution (illustrative) for the consolidation")
    build_workbook(second, lang="uk", sample=sample_frames("pervomaiskyi"))
    book2 = FileBook.open(second)
    status = max(status, parts.refresh(book2).exit_code)
    book2.save()

    _step(say, 6, "consolidating both institutions")
    cons = outdir / "consolidated.xlsx"
    status = max(status, consolidate_dir(inst, cons, say=lambda m: say("      " + m)))

    say("")
    say(f"Open {main} in Excel or LibreOffice; requests are in {requests}, drafts in "
        f"{outdir / 'drafts'}, the consolidation is {cons}.")
    return status
