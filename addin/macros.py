"""The ribbon buttons: one function per button, each the same job the command line runs.

Excel calls them through the add-in's VBA (``RunPython "import
koshtorys.addin.macros as m; m.refresh()"``). Each takes the workbook that
clicked (``xw.Book.caller()``; tests pass a fake), wraps it in
:class:`~koshtorys.addin.live.LiveBook`, runs the job, and never lets an
exception reach xlwings' traceback window: a :class:`KoshtorysError` becomes
its own one-line message, anything else a short message with the traceback
written to ``koshtorys-addin.log`` in the temporary folder. Each returns the
command line's exit status (0 done, 1 done with error checks, 2 nothing done).
"""

from __future__ import annotations

import datetime as _dt
import importlib
import inspect
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from koshtorys.core.errors import KoshtorysError

from .live import LiveBook

__all__ = ["refresh", "costing", "execution", "funding", "check", "request", "send",
           "new_template", "import_actuals", "LOG_NAME"]

LOG_NAME = "koshtorys-addin.log"
TITLE = "Кошторис"

_TEXT: dict[str, tuple[str, str]] = {
    "refresh": ("оновлення…", "refreshing…"),
    "check": ("перевірка…", "checking…"),
    "request": ("бюджетні запити…", "budget requests…"),
    "send": ("надсилання…", "sending…"),
    "new_template": ("новий шаблон…", "new template…"),
    "import_actuals": ("імпорт виконання…", "importing actuals…"),
    "read": ("читання таблиць…", "reading tables…"),
    "write": ("запис результатів…", "writing results…"),
    "costing": ("вартість послуг…", "unit costs…"),
    "execution": ("виконання бюджету…", "budget execution…"),
    "funding": ("фінансування…", "funding…"),
    "done_errors": ("Готово, але у вхідних даних є помилки: {errors} (попереджень: "
                    "{warnings}). Рядки з помилками не враховано — див. таблицю перевірки "
                    "на аркуші «{sheet}».",
                    "Done, but the inputs have {errors} errors ({warnings} warnings). Rows "
                    "with errors were left out — see the checks on sheet '{sheet}'."),
    "checked": ("Перевірено: помилок {errors}, попереджень {warnings}. Див. аркуш «{sheet}».",
                "Checked: {errors} errors, {warnings} warnings. See sheet '{sheet}'."),
    "unsaved": ("Спершу збережіть книгу (Файл → Зберегти як): бюджетні запити формуються з "
                "файлу.", "Save the workbook first (File → Save As): requests are made from "
                "the file."),
    "cloud": ("Книга відкрита з OneDrive/SharePoint ({name}): збережіть її копію на диску "
              "(Файл → Зберегти як) і повторіть.", "The workbook is opened from "
              "OneDrive/SharePoint ({name}): save a copy on disk (File → Save As) and retry."),
    "missing_feature": ("Ця дія недоступна в цій версії koshtorys ({module}).",
                        "This action is not available in this version of koshtorys "
                        "({module})."),
    "requests_done": ("Бюджетні запити збережено в папці:\n{outdir}{errors}",
                      "Budget requests saved in:\n{outdir}{errors}"),
    "sent": ("Запити надіслано ({outdir}).", "Requests sent ({outdir})."),
    "drafts": ("SMTP не налаштовано: чернетки листів (.eml) збережено в папці\n{draft}\n"
               "Відкрийте їх в Outlook і надішліть.",
               "SMTP is not set up: the drafts (.eml) are in\n{draft}\nOpen them in Outlook "
               "and send."),
    "send_failed": ("Не всі листи надіслано; файли запитів збережено в {outdir}.",
                    "Not every message was sent; the request files are in {outdir}."),
    "no_dialog": ("Вибір файлу доступний лише в Excel для Windows. На macOS виконайте в "
                  "терміналі: koshtorys {command}",
                  "Choosing a file needs Excel for Windows. On macOS run in a terminal: "
                  "koshtorys {command}"),
    "replace": ("Файл {path} уже існує. Замінити його?", "{path} exists. Replace it?"),
    "imported": ("Імпорт завершено.\n{summary}\nНатисніть «Виконання», щоб оновити аналіз.",
                 "Import finished.\n{summary}\nClick 'Виконання' to update the analysis."),
    "internal": ("Внутрішня помилка koshtorys ({error}). Подробиці — у файлі "
                 "{log}", "Internal error in koshtorys ({error}). "
                 "Details in {log}"),
}


def _t(key: str, lang: str, **params: object) -> str:
    uk, en = _TEXT[key]
    return (uk if lang == "uk" else en).format(**params)


class _Ui:
    """Status bar and message boxes of one button click."""

    def __init__(self, live: LiveBook) -> None:
        self.live = live
        self.app = live.book.app
        self.lang = "uk"

    def progress(self, step: str) -> None:
        """Show a job's step (``read``, ``costing`` … or any text) in the status bar."""
        text = _t(step, self.lang) if step in _TEXT and "{" not in _TEXT[step][0] else step
        self.live.status(f"{TITLE}: {text}")

    def tell(self, text: str, critical: bool = False) -> None:
        self.app.alert(text, title=TITLE, mode="critical" if critical else "info")

    def ask(self, text: str) -> bool:
        return self.app.alert(text, title=TITLE, buttons="yes_no", mode="info") == "yes"


def _log(action: str) -> Path:
    """Append the current traceback to the log in the temporary folder; return its path."""
    log = Path(tempfile.gettempdir()) / LOG_NAME
    stamp = _dt.datetime.now().isoformat(timespec="seconds")
    with log.open("a", encoding="utf-8") as f:
        f.write(f"--- {stamp} {action}\n{traceback.format_exc()}\n")
    return log


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
        ui.tell(str(exc), critical=True)
        return 2
    except Exception as exc:  # a bug: one readable line, the traceback in the log
        app.screen_updating = True
        log = _log(action)
        ui.tell(_t("internal", ui.lang, error=f"{type(exc).__name__}: {exc}", log=log),
                critical=True)
        return 2
    finally:
        app.screen_updating = True
        live.status(False)


def _report(result: Any, ui: _Ui, checked: bool = False) -> int:
    from koshtorys.core import schema

    errors = sum(c.severity == "error" for c in result.checks)
    warnings = len(result.checks) - errors
    sheet = schema.table("tblChecks").sheet(ui.lang)  # type: ignore[arg-type]
    if checked:
        ui.tell(_t("checked", ui.lang, errors=errors, warnings=warnings, sheet=sheet))
    elif errors:
        ui.tell(_t("done_errors", ui.lang, errors=errors, warnings=warnings, sheet=sheet))
    return int(result.exit_code)


def _refresh(book: Any, only: str | None) -> int:
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys import parts

        return _report(parts.refresh(live, only=only, progress=ui.progress), ui)

    return _run(only or "refresh", book, work)


def refresh(book: Any = None) -> int:
    """Оновити: every output table."""
    return _refresh(book, None)


def costing(book: Any = None) -> int:
    """Вартість послуг: tblUnitCosts and tblCostByKekv."""
    return _refresh(book, "costing")


def execution(book: Any = None) -> int:
    """Виконання: tblVariance and tblVarianceSummary."""
    return _refresh(book, "execution")


def funding(book: Any = None) -> int:
    """Фінансування: tblFundingSplit and tblFundingSummary."""
    return _refresh(book, "funding")


def check(book: Any = None) -> int:
    """Перевірка: validate everything, write only tblChecks."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys import parts

        return _report(parts.check(live, progress=ui.progress), ui, checked=True)

    return _run("check", book, work)


def _function(module: str, name: str, lang: str) -> Callable[..., Any]:
    """``module.name``, imported now; a readable error when this build lacks it."""
    try:
        return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
    except (ImportError, AttributeError) as exc:
        raise KoshtorysError(_t("missing_feature", lang, module=f"{module}.{name}")) from exc


def _call(fn: Callable[..., Any], *args: Any, say: Callable[[str], None], **kwargs: Any) -> Any:
    """Call ``fn``, passing ``say`` only when it takes one."""
    if "say" in inspect.signature(fn).parameters:
        kwargs["say"] = say
    return fn(*args, **kwargs)


def _saved_path(live: LiveBook, lang: str) -> Path:
    """The workbook's file, saved now; error when it was never saved."""
    name = str(live.book.fullname)
    if "://" in name:
        raise KoshtorysError(_t("cloud", lang, name=name))
    full = Path(name)
    if not full.is_absolute() or not full.suffix:
        raise KoshtorysError(_t("unsaved", lang))
    live.book.save()
    return full


def request(book: Any = None, outdir: Path | None = None) -> int:
    """Бюджетний запит: save the workbook, write the requests beside it (folder ``requests``)."""
    def work(live: LiveBook, ui: _Ui) -> int:
        path = _saved_path(live, ui.lang)
        target = Path(outdir) if outdir else path.parent / "requests"
        make = _function("koshtorys.commands.request", "make_requests", ui.lang)
        made = _call(make, path, target, kpkvk=None, pdf=False, say=ui.progress)
        code = int(getattr(made, "exit_code", made or 0))
        note = "" if code == 0 else "\n" + ("Є помилки у вхідних даних: див. таблицю перевірки."
                                            if ui.lang == "uk" else
                                            "The inputs have errors: see the checks.")
        ui.tell(_t("requests_done", ui.lang, outdir=target, errors=note))
        return code

    return _run("request", book, work)


def send(book: Any = None, outdir: Path | None = None, draft: Path | None = None) -> int:
    """Надіслати: email the requests; without SMTP settings, write .eml drafts instead."""
    def work(live: LiveBook, ui: _Ui) -> int:
        from koshtorys.convert import convert_inputs
        from koshtorys.documents.mail import can_mail

        path = _saved_path(live, ui.lang)
        target = Path(outdir) if outdir else path.parent / "requests"
        settings = convert_inputs(live.read_tables(["tblSettings"]), ["tblSettings"]).settings
        # the same rule as `koshtorys send`: mail when it can, drafts otherwise
        drafts = Path(draft) if draft else (None if can_mail(settings) else target / "drafts")
        send_fn = _function("koshtorys.commands.send", "send", ui.lang)
        code = int(_call(send_fn, path, target, draft=drafts, say=ui.progress) or 0)
        if code != 0:
            ui.tell(_t("send_failed", ui.lang, outdir=target), critical=True)
        elif drafts is not None:
            ui.tell(_t("drafts", ui.lang, draft=drafts))
        else:
            ui.tell(_t("sent", ui.lang, outdir=target))
        return code

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
        year = _dt.date.today().year + 1
        target = Path(path) if path else None
        if target is None:
            try:
                target = _ask_path(live.book.app, True, f"koshtorys_{year}.xlsx",
                                   "Excel (*.xlsx),*.xlsx")
            except _NoDialog:
                folder = Path(str(live.book.fullname)).parent
                if not folder.is_absolute():
                    folder = Path.home()
                target = folder / f"koshtorys_{year}.xlsx"
                n = 2
                while target.exists():
                    target, n = folder / f"koshtorys_{year}_{n}.xlsx", n + 1
        if target is None:
            return 0
        if target.exists() and not ui.ask(_t("replace", ui.lang, path=target)):
            return 0
        build = _function("koshtorys.xlsx.template", "build_workbook", ui.lang)
        build(target, lang=lang or ui.lang)
        live.book.app.books.open(str(target))
        return 0

    return _run("new_template", book, work)


def import_actuals(book: Any = None, report: Path | None = None) -> int:
    """Імпорт виконання: a treasury / open budget report into tblActuals of this workbook."""
    def work(live: LiveBook, ui: _Ui) -> int:
        chosen = Path(report) if report else None
        if chosen is None:
            try:
                chosen = _ask_path(live.book.app, False, "",
                                   "CSV, Excel (*.csv;*.xlsx;*.xls),*.csv;*.xlsx;*.xls")
            except _NoDialog:
                raise KoshtorysError(_t("no_dialog", ui.lang,
                                        command="import-actuals BOOK REPORT")) from None
        if chosen is None:
            return 0
        from koshtorys.commands.import_actuals import import_into

        result = import_into(live, chosen)
        ui.tell(_t("imported", ui.lang, summary=result.summary()))
        return result.exit_code

    return _run("import_actuals", book, work)
