"""``koshtorys refresh`` and ``koshtorys check`` (buttons Оновити, Вартість послуг,
Виконання, Фінансування, Перевірка): read the book once, compute, write once."""

from __future__ import annotations

from koshtorys import parts
from koshtorys.convert import present
from koshtorys.core.book import Book
from koshtorys.core.checks import checks_frame, ordered

from .outcome import Outcome, Progress

__all__ = ["refresh", "check", "report_checks"]


def report_checks(out: Outcome, limit: int) -> None:
    """The checks' count and the first ``limit`` of them (root causes first)."""
    out.say("checks_count", errors=len(out.errors), warnings=len(out.warnings))
    for c in out.checks[:limit]:
        out.say("check_line", severity=c.severity_label(out.lang), message=c.message(out.lang))
    if len(out.checks) > limit:
        out.say("checks_more", count=len(out.checks) - limit)


def _write(book: Book, result: parts.JobResult, lang: str, checks_only: bool) -> None:
    # the converted inputs are not written: let them go before the write, which needs
    # the old sheet of each table in memory (at ×16 this lowers the peak by ~65 MB)
    result.inputs = None
    frames = {} if checks_only else {n: present(df, n, lang) for n, df in result.outputs.items()}
    frames["tblChecks"] = present(checks_frame(result.checks, lang), "tblChecks", lang)
    book.write_tables(frames, lang)  # type: ignore[arg-type]
    book.save()


def refresh(book: Book, only: str | None = None, progress: Progress | None = None) -> Outcome:
    """Every output table (or those of the part ``only``), and tblChecks."""
    lang = book.language()
    result = parts.evaluate(book, only, progress)
    (progress or (lambda _s: None))("write")
    _write(book, result, lang, checks_only=False)
    out = Outcome(lang, result.exit_code, checks=ordered(result.checks),
                  outputs=result.outputs)
    out.say("refreshed", path=book.name, only=f" ({only})" if only else "")
    for name, df in result.outputs.items():
        out.say("table_rows", table=name, rows=len(df))
    report_checks(out, limit=12)
    return out


def check(book: Book, progress: Progress | None = None) -> Outcome:
    """Validate everything (the engine's own checks included); write only tblChecks."""
    lang = book.language()
    result = parts.evaluate(book, None, progress)
    _write(book, result, lang, checks_only=True)
    out = Outcome(lang, result.exit_code, checks=ordered(result.checks))
    out.say("checked", path=book.name)
    report_checks(out, limit=50)
    return out
