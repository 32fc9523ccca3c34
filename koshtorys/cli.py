"""The ``koshtorys`` command line: the same commands as the ribbon, without Excel.

Each subcommand opens what it works on, calls one function of
:mod:`koshtorys.commands`, prints the lines of the :class:`Outcome` it returns and
exits with its code: 0 done; 1 done, but with error checks (see tblChecks); 2 nothing
done, with one line on stderr.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .core.errors import KoshtorysError

__all__ = ["main", "ERROR_LOG"]

ERROR_LOG = "koshtorys-error.log"
_state: dict[str, str] = {}
"""The language the user is spoken to in, once a workbook told it."""


def _lang() -> str:
    """The workbook's language once known; before that the environment's (Ukrainian for a
    ``uk`` locale), else the system's (Windows sets no LANG: ``Ukrainian_Ukraine``), else
    English."""
    if "lang" in _state:
        return _state["lang"]
    env = os.environ.get("KOSHTORYS_LANG") or os.environ.get("LC_ALL") or \
        os.environ.get("LC_MESSAGES") or os.environ.get("LANG") or ""
    if not env:
        import locale

        env = locale.getlocale()[0] or ""
    return "uk" if env.lower().startswith(("uk", "ua")) else "en"


def _say(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # the reader went away (`… | head`): the work is done, only the printing stops
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _open(path: str, check_lock: bool = True) -> Any:
    from .xlsx import FileBook

    book = FileBook.open(Path(path), check_lock=check_lock)
    _state["lang"] = book.language()
    return book


def _done(out: Any) -> int:
    for line in out.lines:
        _say(line)
    return int(out.exit_code)


def cmd_new(a: argparse.Namespace) -> int:
    from .commands.new import new

    _state["lang"] = a.lang
    return _done(new(Path(a.path), lang=a.lang, sample=a.sample, force=a.force))


def cmd_refresh(a: argparse.Namespace) -> int:
    from .commands.refresh import refresh

    return _done(refresh(_open(a.path), only=a.only))


def cmd_check(a: argparse.Namespace) -> int:
    from .commands.refresh import check

    return _done(check(_open(a.path)))


def cmd_import_actuals(a: argparse.Namespace) -> int:
    from .commands.import_actuals import import_actuals

    book = _open(a.path)
    if a.portal is None and a.report is None:
        raise KoshtorysError("import_file_or_portal")
    return _done(import_actuals(book, Path(a.report) if a.report else None, portal=a.portal,
                                year=a.year))


def cmd_request(a: argparse.Namespace) -> int:
    from .commands.request import request

    return _done(request(_open(a.path, check_lock=False), Path(a.outdir), kpkvk=a.kpkvk,
                         pdf=a.pdf))


def cmd_passport(a: argparse.Namespace) -> int:
    from .commands.passport import passport

    return _done(passport(_open(a.path, check_lock=False), Path(a.outdir), kpkvk=a.kpkvk,
                          pdf=a.pdf, report=a.report))


def cmd_tariff(a: argparse.Namespace) -> int:
    from .commands.tariff import tariff

    return _done(tariff(_open(a.path, check_lock=False), Path(a.outdir), service=a.service,
                        pdf=a.pdf))


def cmd_procurement(a: argparse.Namespace) -> int:
    from .commands.procurement import procurement

    return _done(procurement(_open(a.path, check_lock=False), Path(a.outdir),
                             service=a.service, units=a.units, pdf=a.pdf))


def cmd_send(a: argparse.Namespace) -> int:
    from .commands.send import send

    # send writes its log into the workbook: one open in Excel is refused before anything
    # goes (the button Надіслати sends from the open workbook itself)
    return _done(send(_open(a.path), Path(a.outdir), draft=Path(a.draft) if a.draft else None,
                      force=a.force))


def cmd_consolidate(a: argparse.Namespace) -> int:
    from .commands.consolidate import consolidate_folder

    return _done(consolidate_folder(Path(a.dir), Path(a.out), a.lang, fallback=_lang()))


def cmd_addin(a: argparse.Namespace) -> int:
    from .commands.addin import addin

    return _done(addin(a.action, Path(a.outdir), _lang()))


def cmd_demo(a: argparse.Namespace) -> int:
    from .commands.demo import demo

    _state["lang"] = a.lang
    out = demo(Path(a.outdir), echo=_say, lang=a.lang)
    return int(out.exit_code)


def cmd_workbooks(a: argparse.Namespace) -> int:
    from .commands.workbooks import build_workbooks

    return _done(build_workbooks(Path(a.dir), _lang()))


def _parser() -> argparse.ArgumentParser:
    from .parts import PARTS
    from .samples import VARIANTS

    p = argparse.ArgumentParser(
        prog="koshtorys",
        description="Costing of social services, budget execution, funding plans and budget "
        "requests for a hromada's program workbook.",
    )
    p.add_argument("--version", action="version", version=f"koshtorys {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, fn: Callable[[argparse.Namespace], int], help: str):  # noqa: A002
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(fn=fn)
        return sp

    s = add("new", cmd_new, "create a program workbook")
    s.add_argument("path")
    s.add_argument("--lang", choices=["uk", "en"], default="uk")
    s.add_argument("--sample", nargs="?", const=VARIANTS[0], choices=VARIANTS,
                   help="fill it with a bundled sample (default: %(const)s)")
    s.add_argument("--force", action="store_true", help="replace an existing file")

    s = add("refresh", cmd_refresh, "compute every output table of the workbook")
    s.add_argument("path")
    s.add_argument("--only", choices=list(PARTS))

    s = add("check", cmd_check, "validate the inputs; write only tblChecks")
    s.add_argument("path")

    s = add("import-actuals", cmd_import_actuals,
            "read a treasury/open budget report into tblActuals (an earlier year: tblHistory)")
    s.add_argument("path")
    s.add_argument("report", nargs="?", help="the report file (CSV or XLSX); not with --portal")
    s.add_argument("--portal", nargs="?", const="", metavar="BUDGET_CODE",
                   help="fetch the report from the open budget portal (portal_url) for this "
                   "budget code (default: budget_code of tblSettings)")
    s.add_argument("--year", type=int, help="with --portal: the year (default: execution_year)")

    s = add("request", cmd_request, "write the budget request workbook(s)")
    s.add_argument("path")
    s.add_argument("--kpkvk")
    s.add_argument("--outdir", default=".")
    s.add_argument("--pdf", action="store_true", help="also print each request to PDF")

    s = add("passport", cmd_passport, "write the budget program passport(s) or, with "
            "--report, the report(s) on their execution")
    s.add_argument("path")
    s.add_argument("--kpkvk")
    s.add_argument("--outdir", default=".")
    s.add_argument("--pdf", action="store_true", help="also print each document to PDF")
    s.add_argument("--report", action="store_true",
                   help="the report on the passport's execution (execution_year) instead")

    s = add("tariff", cmd_tariff, "write the cost and tariff calculation of each service")
    s.add_argument("path")
    s.add_argument("--service", help="only this service_id")
    s.add_argument("--outdir", default=".")
    s.add_argument("--pdf", action="store_true", help="also print each calculation to PDF")

    s = add("procurement", cmd_procurement,
            "write the justification of a Prozorro purchase of one service")
    s.add_argument("path")
    s.add_argument("--service", required=True, help="the service_id bought")
    s.add_argument("--units", help="volume bought (default: the service's planned_units)")
    s.add_argument("--outdir", default=".")
    s.add_argument("--pdf", action="store_true", help="also print it to PDF")

    s = add("send", cmd_send, "email the requests to the finance department")
    s.add_argument("path")
    s.add_argument("--outdir", required=True, help="where the requests are (or will be) made")
    s.add_argument("--draft", help="write .eml drafts into this folder instead of sending")
    s.add_argument("--force", action="store_true",
                   help="send a request even when it is identical to the last one sent")

    s = add("consolidate", cmd_consolidate,
            "many institutions' workbooks and received budget requests into one")
    s.add_argument("dir", help="the folder of program workbooks and request files")
    s.add_argument("--out", required=True,
                   help="PATH.xlsx, or PATH.parquet (a folder of one Parquet file per table, "
                        "for more rows than a worksheet holds)")
    s.add_argument("--lang", choices=["uk", "en"],
                   help="the output's language (default: the one most of the files speak)")

    s = add("addin", cmd_addin, "build or install the Excel add-in")
    s.add_argument("action", choices=["build", "install"])
    s.add_argument("--outdir", default="dist/addin")

    s = add("demo", cmd_demo, "the whole job on the bundled samples")
    s.add_argument("--outdir", default="koshtorys-demo")
    s.add_argument("--lang", choices=["uk", "en"], default="uk",
                   help="the workbooks' (and the demo's) language; the samples are Ukrainian "
                   "institutions, so Ukrainian by default")

    s = add("workbooks", cmd_workbooks, "rebuild the templates and samples of workbooks/")
    s.add_argument("dir", nargs="?", default="workbooks")
    return p


def _log_path() -> Path:
    """The error log: in the user's own state folder, never a shared temporary file."""
    base = os.environ.get("XDG_STATE_HOME") or os.environ.get("LOCALAPPDATA")
    folder = Path(base) / "koshtorys" if base else Path.home() / ".local" / "state" / "koshtorys"
    return folder / ERROR_LOG


def _log(trace: str) -> Path | None:
    """Append ``trace`` to the error log (readable by its owner only); ``None`` when even
    that cannot be written."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    for path in (_log_path(), Path(tempfile.gettempdir()) / f"koshtorys-{user}" / ERROR_LOG):
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(f"--- {_dt.datetime.now().isoformat(timespec='seconds')}\n{trace}\n")
            return path
        except OSError:
            continue
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    from .core.messages import text

    args = _parser().parse_args(argv)
    _state.clear()  # a call in a process that ran others (tests, a script) starts anew
    try:
        return int(args.fn(args))
    except KoshtorysError as exc:
        print(f"koshtorys: {exc.message(_lang())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"koshtorys: {text('interrupted', _lang())}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line for the user, the trace in the log
        log = _log(traceback.format_exc())
        line = text("internal", _lang(), error=f"{type(exc).__name__}: {exc}", log=log or "—")
        print(f"koshtorys: {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
