"""``koshtorys request``: the budget request workbooks (and PDFs) of one program workbook.

The numbers are computed afresh from the workbook's inputs, exactly as a refresh
would, so a request never carries stale results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from koshtorys import parts
from koshtorys.core.checks import Check
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder, ensure_not_locked
from koshtorys.documents.request import RequestInputs, build_requests
from koshtorys.documents.request_sheet import write_request
from koshtorys.parts import JobResult

__all__ = ["RequestsMade", "compute_book", "make_requests", "require_plan_year",
]

Say = Callable[[str], None]


@dataclass
class RequestsMade:
    """The request files written, their PDFs, and the computation behind them."""

    files: list[Path] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)
    result: JobResult | None = None
    pdf_problem: str | None = None

    @property
    def exit_code(self) -> int:
        if self.pdf_problem:
            return 1
        return self.result.exit_code if self.result else 0


def compute_book(path: Path) -> JobResult:
    """Every result of the workbook at ``path``, computed in memory (nothing written)."""
    from koshtorys.xlsx import FileBook

    return parts.evaluate(FileBook.open(path, check_lock=False))


def require_plan_year(checks: list[Check], name: str) -> None:
    """Raise when tblSettings has no usable plan_year: it names the request files and
    heads the form, so a default year would make requests for the wrong year."""
    if any(c.code == "setting_missing" and c.params.get("key") == "plan_year" for c in checks):
        raise KoshtorysError(f"{name}: plan_year is not set in tblSettings (the budget "
                             "requests are made for it)")


def request_inputs(result: JobResult) -> RequestInputs:
    f = result.inputs.frames if result.inputs else {}
    out = result.outputs
    return RequestInputs(
        settings=result.settings,
        cost_by_kekv=out.get("tblCostByKekv"),
        unit_costs=out.get("tblUnitCosts"),
        services=f.get("tblServices"),
        staff=f.get("tblStaff"),
        plan=f.get("tblPlan"),
        variance=out.get("tblVariance"),
        funding_split=out.get("tblFundingSplit"),
        needs=f.get("tblNeeds"),
    )


def make_requests(path: Path, outdir: Path, *, kpkvk: str | None = None, pdf: bool = False,
                  say: Say = print) -> RequestsMade:
    """Write ``request_<plan_year>_<kpkvk>.xlsx`` per program into ``outdir``."""
    result = compute_book(Path(path))
    require_plan_year(result.checks, Path(path).name)
    docs = build_requests(request_inputs(result), kpkvk=kpkvk)
    if not docs:
        raise KoshtorysError(f"{Path(path).name}: no program has amounts to request "
                             "(tblCostByKekv, tblPlan and tblVariance are empty)")
    outdir = ensure_folder(Path(outdir))
    for doc in docs:  # a request open in Excel stops them all, before any is rewritten
        ensure_not_locked(outdir / doc.file_name)
    made = RequestsMade(result=result)
    for doc in docs:
        made.files.append(write_request(doc, outdir))
    say(f"wrote {len(made.files)} request(s) into {outdir}")
    errors = [c for c in result.checks if c.severity == "error"]
    if errors:
        say(f"  note: the workbook has {len(errors)} error check(s); rows with errors are "
            "left out (koshtorys check shows them)")
    if pdf:
        from koshtorys.documents.pdf import soffice_path, to_pdfs

        if soffice_path() is None:
            made.pdf_problem = "LibreOffice (soffice) is not installed: no PDF was made"
            say(f"  {made.pdf_problem}")
        else:
            say("  printing PDFs with LibreOffice …")
            try:
                made.pdfs = to_pdfs(made.files, outdir)
            except KoshtorysError as exc:
                made.pdf_problem = str(exc)
                say(f"  PDF failed: {exc}")
            else:
                say(f"  wrote {len(made.pdfs)} PDF(s)")
    return made
