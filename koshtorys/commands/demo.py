"""``koshtorys demo``: the whole job on the bundled samples, as a new user sees it.

For each sample it builds the workbook, refreshes it, writes its documents (and PDFs
when LibreOffice is installed) and the .eml drafts instead of sending; then it
consolidates the institutions. Every step is a command the CLI and the ribbon run too;
the demo only calls them in order and adds up what they say.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from koshtorys.core.fileio import ensure_folder
from koshtorys.core.messages import format_money
from koshtorys.samples import VARIANTS
from koshtorys.xlsx import FileBook

from .consolidate import consolidate_folder
from .new import new
from .outcome import Outcome
from .passport import passport
from .procurement import procurement
from .refresh import refresh
from .request import request
from .send import send
from .tariff import tariff

__all__ = ["demo", "DOCUMENT_STEPS"]

Say = Callable[[str], None]

DocumentStep = Callable[[FileBook, Path, bool], Outcome]
def _purchase(book: FileBook, outdir: Path, pdf: bool) -> Outcome:
    """The justification of the purchase the seeds tell of: social prevention, bought
    through Prozorro as the Kropyvnytskyi centre bought it (else the first service)."""
    from koshtorys import parts

    result = parts.evaluate(book, only="costing")
    uc = result.outputs.get("tblUnitCosts")
    ids = [] if uc is None else [str(i) for i in uc["service_id"]]
    names = [] if uc is None else [str(n).casefold() for n in uc["name"]]
    bought = next((i for i, n in zip(ids, names, strict=True) if "профілакт" in n),
                  ids[0] if ids else "")
    return procurement(book, outdir, service=bought, pdf=pdf)


DOCUMENT_STEPS: list[tuple[str, DocumentStep]] = [
    ("demo_requests", lambda book, outdir, pdf: request(book, outdir, pdf=pdf)),
    ("demo_passports", lambda book, outdir, pdf: passport(book, outdir, pdf=pdf)),
    ("demo_passport_reports",
     lambda book, outdir, pdf: passport(book, outdir, pdf=pdf, report=True)),
    ("demo_tariffs", lambda book, outdir, pdf: tariff(book, outdir, pdf=pdf)),
    ("demo_procurement", _purchase),
]
"""The documents the demo writes for each institution, in order (a document module adds
its own step here)."""


def _sample_year(variant: str) -> int:
    from koshtorys.samples import sample_frames

    s = sample_frames(variant)["tblSettings"]
    return int(s.loc[s["key"] == "plan_year", "value"].iloc[0])


def demo(outdir: Path, *, echo: Say | None = None, lang: str = "uk") -> Outcome:
    """Run every step into ``outdir``; the exit status is the worst of the steps."""
    from koshtorys.documents.pdf import soffice_path

    out = Outcome(lang, echo=echo)
    outdir = Path(outdir)
    inst = ensure_folder(outdir / "institutions")
    pdf = soffice_path() is not None
    started = time.perf_counter()
    for variant in VARIANTS:
        path = inst / f"{variant}_{_sample_year(variant)}.xlsx"
        out.say("demo_sample", path=path)
        made = new(path, lang=lang, sample=variant, force=True)
        out.worst(made.exit_code)
        book = FileBook.open(path)
        done = refresh(book)
        out.worst(done.exit_code)
        _summary(out, done)
        docs = outdir / "documents" / variant
        for key, step in DOCUMENT_STEPS:
            out.say(key)
            made = step(FileBook.open(path), docs, pdf)
            out.worst(made.exit_code)
            out.files += made.files
            for line in made.lines:
                out.add("      " + line)
        sent = send(FileBook.open(path), docs, draft=outdir / "drafts" / variant)
        out.worst(sent.exit_code)
        out.say("demo_drafts", count=sum(1 for f in sent.files if f.suffix == ".eml"),
                path=outdir / "drafts" / variant)
    cons = outdir / "consolidated.xlsx"
    made = consolidate_folder(inst, cons, lang)
    out.worst(made.exit_code)
    for line in made.lines:
        out.add("   " + line)
    out.say("demo_done", seconds=f"{time.perf_counter() - started:.1f}", outdir=outdir,
            inst=inst, cons=cons)
    return out


def _summary(out: Outcome, done: Outcome) -> None:
    uc = done.outputs.get("tblUnitCosts")
    if uc is not None and len(uc):
        out.say("demo_costs", services=len(uc),
                total=format_money(float(uc["total_cost"].sum()), out.lang))
    vs = done.outputs.get("tblVarianceSummary")
    if vs is not None and len(vs):
        tot = vs.iloc[-1]
        out.say("demo_execution", month=int(tot["as_of_month"]),
                pct=format_money(float(tot["exec_pct_ytd"]) * 100, out.lang, 1))
    fs = done.outputs.get("tblFundingSummary")
    if fs is not None and len(fs):
        years = fs[fs["year"] != "NPV"]
        first, last = int(years["year"].astype(int).min()), int(years["year"].astype(int).max())
        out.say("demo_funding", years=str(first) if first == last else f"{first}–{last}",
                need=format_money(float(years["need"].sum()), out.lang),
                gap=format_money(float(years["gap"].sum()), out.lang))
    out.say("demo_checks", errors=len(done.errors), warnings=len(done.warnings))
    for c in done.errors[:3]:  # what the user should look at first
        out.add(f"      {c.message(out.lang)}")
