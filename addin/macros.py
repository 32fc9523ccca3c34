"""The ribbon buttons: one function per button, each calling the command the CLI calls.

Excel calls them through the add-in's VBA (``RunPython "import
koshtorys.addin.macros as m; m.refresh()"``). Each takes the workbook that clicked
(``xw.Book.caller()``; tests pass a fake), wraps it in
:class:`~koshtorys.addin.live.LiveBook`, runs one command of :mod:`koshtorys.commands`
on it — the live workbook itself, never a saved copy reopened — shows the step in the
status bar, and never lets an exception reach xlwings' traceback window: a
:class:`KoshtorysError` becomes its own message, anything else a short message with the
traceback written to the user's own log. Each returns the command's exit status.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from koshtorys.commands.outcome import Outcome
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.messages import TEXTS, text

from .live import LiveBook

__all__ = ["refresh", "costing", "execution", "funding", "check", "request", "send",
           "new_template", "import_actuals", "LOG_NAME", "log_path"]

LOG_NAME = "koshtorys-addin.log"
TITLE = "Кошторис"


def log_path() -> Path:
    """The add-in's log, in the user's own folder (never a shared temporary file)."""
    base = os.environ.get("LOCALAPPDATA") or os.environ.get("XDG_STATE_HOME")
    folder = Path(base) / "koshtorys" if base else Path.home() / ".local" / "state" / "koshtorys"
    return folder / LOG_NAME


class _Ui:
    """Status bar and message boxes of one button click."""

    def __init__(self, live: LiveBook) -> None:
        self.live = live
        self.app = live.book.app
        self.lang = "uk"

    def progress(self, step: str) -> None:
        """Show a command's step (``read``, ``costing`` …) in the status bar."""
        key = f"step_{step}"
        shown = text(key, self.lang) if key in TEXTS else step
        self.live.status(f"{TITLE}: {shown}")

    def tell(self, message: str, critical: bool = False) -> None:
        self.app.alert(message, title=TITLE, mode="critical" if critical else "info")

    def ask(self, message: str) -> bool:
        return self.app.alert(message, title=TITLE, buttons="yes_no", mode="info") == "yes"

    def say(self, key: str, critical: bool = False, **params: object) -> None:
        self.tell(text(key, self.lang, **params), critical)


def _log(action: str) -> Path | None:
    """Append the current traceback to the log; its path, or ``None`` if unwritable."""
    path = log_path()
    stamp = _dt.datetime.now().isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {stamp} {action}\n{traceback.format_exc()}\n")
    except OSError:
        return None
    return path


def _caller(book: Any) -> Any:
    if book is not None:
        return book
    import xlwings as xw

    return xw.Book.caller()


def _run(action: str, book: Any, work: Callable[[LiveBook, _Ui], int]) -> int:
    """Run one button's ``work``; every failure becomes a message box and exit status 2."""
    live = LiveBook(_caller(book))
    ui = _Ui(live)
    app = live.book.app
    try:
        ui.lang = live.language()
        app.screen_updating = False
        ui.progress(action)
        return work(live, ui)
    except KoshtorysError as exc:
        app.screen_updating = True
        ui.tell(exc.message(ui.lang), critical=True)
        return 2
    except Exception as exc:  # a bug: one readable line, the traceback in the log
        app.screen_updating = True
        log = _log(action)
        ui.say("btn_internal", critical=True, error=f"{type(exc).__name__}: {exc}",
               log=log or "—")
        return 2
    finally:
        app.screen_updating = True
        live.status(False)


def _checks_sheet(lang: str) -> str:
    from koshtorys.core import schema

    return schema.table("tblChecks").sheet(lang)  # type: ignore[arg-type]


def _report(out: Outcome, ui: _Ui, checked: bool = False) -> int:
    counts = {"errors": len(out.errors), "warnings": len(out.warnings),
              "sheet": _checks_sheet(ui.lang)}
    if checked:
        ui.say("btn_checked", **counts)
    elif out.errors:
        ui.say("btn_done_errors", **counts)
    return out.exit_code


def _refresh(book: Any, only: str | None) -> int:
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.refresh import refresh as run

        return _report(run(live, only=only, progress=ui.progress), ui)

    return _run(only or "refresh", book, work)


def refresh(book: Any = None) -> int:
    """Оновити: every output table."""
    return _refresh(book, None)


def costing(book: Any = None) -> int:
    """Вартість послуг: tblUnitCosts and tblCostByKekv."""
    return _refresh(book, "costing")


def execution(book: Any = None) -> int:
    """Виконання: tblVariance, tblVarianceSummary, tblQuarterTotals."""
    return _refresh(book, "execution")


def funding(book: Any = None) -> int:
    """Фінансування: tblFundingSplit and tblFundingSummary."""
    return _refresh(book, "funding")


def check(book: Any = None) -> int:
    """Перевірка: validate everything, write only tblChecks."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.refresh import check as run

        return _report(run(live, progress=ui.progress), ui, checked=True)

    return _run("check", book, work)


def _documents_folder(live: LiveBook, outdir: Path | None, name: str = "requests") -> Path:
    """Where a button writes documents: ``outdir``, else a folder beside the workbook."""
    if outdir is not None:
        return Path(outdir)
    folder = live.folder
    if folder is None:
        raise KoshtorysError("btn_unsaved")
    return folder / name


def documents_done(out: Outcome, ui: _Ui, outdir: Path) -> int:
    """The message after a document button: where the files are, and whether the inputs
    had errors."""
    note = text("btn_input_errors", ui.lang) if out.exit_code else ""
    ui.say("btn_documents_done", outdir=outdir, errors=note)
    return out.exit_code


def request(book: Any = None, outdir: Path | None = None) -> int:
    """Бюджетний запит: the requests of the open workbook, beside it (folder ``requests``)."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.request import request as run

        target = _documents_folder(live, outdir)
        return documents_done(run(live, target, progress=ui.progress), ui, target)

    return _run("request", book, work)


def send(book: Any = None, outdir: Path | None = None, draft: Path | None = None,
         force: bool = False) -> int:
    """Надіслати: email the requests; without SMTP settings, write .eml drafts instead.

    The same command as ``koshtorys send`` on the open workbook: tblSubmissions gets its
    rows in Excel (the user saves the workbook), large changes against the last request
    sent are shown and must be confirmed before anything goes."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.send import book_settings
        from koshtorys.commands.send import send as run
        from koshtorys.documents.mail import can_mail

        target = _documents_folder(live, outdir)
        # the same rule as `koshtorys send`: mail when it can, drafts otherwise
        drafts = Path(draft) if draft else (None if can_mail(book_settings(live))
                                            else target / "drafts")

        def confirm(changes: list[str]) -> bool:
            return ui.ask(text("btn_send_confirm", ui.lang, changes="\n".join(changes)))

        out = run(live, target, draft=drafts, force=force, progress=ui.progress,
                  confirm=confirm)
        summary = "\n".join(out.lines)
        log = out.outputs.get("tblSubmissions")
        failed = log is not None and bool((log["status"] == "failed").any())
        # the log lives in the open workbook: say (in the same box) that it needs saving
        note = ("\n\n" + text("btn_send_save", ui.lang, table="tblSubmissions")
                if log is not None and not log.empty else "")
        if failed or out.exit_code == 2:
            ui.tell(text("btn_send_partly", ui.lang, outdir=target, summary=summary) + note,
                    critical=True)
        elif drafts is not None:
            ui.tell(text("btn_drafts", ui.lang, draft=drafts) + note)
        else:
            ui.tell(text("btn_send_done", ui.lang, summary=summary) + note)
        return out.exit_code

    return _run("send", book, work)


class _NoDialog(Exception):
    """Excel offers no file dialog through xlwings here (only on Windows, via COM)."""


def _ask_path(app: Any, save: bool, initial: str, filter_: str) -> Path | None:
    """A file chosen in Excel's own dialog (Windows); None when cancelled."""
    if not sys.platform.startswith("win"):
        raise _NoDialog
    api = app.api
    chosen = (api.GetSaveAsFilename(initial, filter_) if save
              else api.GetOpenFilename(filter_))
    if not chosen or chosen is False:
        return None
    return Path(str(chosen))


def new_template(book: Any = None, path: Path | None = None, lang: str | None = None) -> int:
    """Новий шаблон: create an empty program workbook and open it."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.new import new

        year = _dt.date.today().year + 1
        target = Path(path) if path else None
        if target is None:
            try:
                target = _ask_path(live.book.app, True, f"koshtorys_{year}.xlsx",
                                   "Excel (*.xlsx),*.xlsx")
            except _NoDialog:
                folder = live.folder or Path.home()
                target = folder / f"koshtorys_{year}.xlsx"
                n = 2
                while target.exists():
                    target, n = folder / f"koshtorys_{year}_{n}.xlsx", n + 1
        if target is None:
            return 0
        if target.exists() and not ui.ask(text("btn_replace", ui.lang, path=target)):
            return 0
        out = new(target, lang=lang or ui.lang, force=True)
        live.book.app.books.open(str(target))
        return out.exit_code

    return _run("new_template", book, work)


def _portal_offer(live: LiveBook) -> tuple[str, int] | None:
    """(budget_code, execution_year) from the workbook's settings when the portal can be
    asked, else ``None``."""
    from koshtorys.commands.send import book_settings

    settings = book_settings(live)
    code = str(settings.budget_code or "")
    return (code, settings.exec_year) if code else None


def import_actuals(book: Any = None, report: Path | None = None,
                   portal: str | None = None, year: int | None = None) -> int:
    """Імпорт виконання: cash expenditure into tblActuals (an earlier year: tblHistory) —
    fetched from the open budget portal for the settings' budget_code, or read from a
    report file chosen in Excel's dialog.

    With a budget_code set, the button asks first: «Так» fetches from the portal (this
    works wherever Excel runs, macOS included), «Ні» opens the file dialog (Windows).
    ``report`` or ``portal`` (a code; ``""`` = the settings') skip the question.
    """
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.commands.import_actuals import import_actuals as run

        chosen = Path(report) if report else None
        code = portal
        if chosen is None and code is None:
            offer = _portal_offer(live)
            if offer is not None:
                answer = live.book.app.alert(
                    text("btn_portal_or_file", ui.lang, code=offer[0], year=offer[1]),
                    title=TITLE, buttons="yes_no_cancel", mode="info")
                if answer == "cancel":
                    return 0
                if answer == "yes":
                    code = ""
            if code is None:
                try:
                    chosen = _ask_path(live.book.app, False, "",
                                       "CSV, Excel (*.csv;*.xlsx;*.xls),*.csv;*.xlsx;*.xls")
                except _NoDialog:
                    key = "btn_no_dialog" if offer is not None else "btn_no_dialog_portal"
                    raise KoshtorysError(key, command="import-actuals BOOK REPORT") from None
                if chosen is None:
                    return 0
        out = run(live, chosen, portal=code, year=year, progress=ui.progress)
        ui.say("btn_imported", summary="\n".join(out.lines))
        return out.exit_code

    return _run("import_actuals", book, work)
