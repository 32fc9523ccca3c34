"""The ``koshtorys`` command line: the same jobs as the ribbon, without Excel.

Exit status: 0 done; 1 done, but with error checks (see tblChecks); 2 nothing
done, with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from koshtorys.core.errors import KoshtorysError

from . import __version__

__all__ = ["main"]


def _say(text: str) -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # the reader went away (`… | head`): the work is done, only the printing stops
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _summary(result, lang: str = "uk", limit: int = 12,  # type: ignore[no-untyped-def]
             written: bool = True) -> None:
    if written:
        for name, df in result.outputs.items():
            _say(f"  {name}: {len(df)} rows")
    errors = [c for c in result.checks if c.severity == "error"]
    warnings = [c for c in result.checks if c.severity == "warning"]
    _say(f"  tblChecks: {len(errors)} errors, {len(warnings)} warnings")
    for c in (errors + warnings)[:limit]:
        _say(f"    {c.severity}: {c.message(lang)}")
    if len(errors) + len(warnings) > limit:
        _say(f"    … {len(errors) + len(warnings) - limit} more in tblChecks")


def cmd_new(a: argparse.Namespace) -> int:
    from koshtorys.xlsx.template import build_workbook

    from .samples import sample_frames

    path = Path(a.path)
    if path.suffix.lower() != ".xlsx":
        raise KoshtorysError(f"{path.name}: koshtorys new makes an .xlsx workbook (an .xlsm "
                             "needs Excel to add its macros: save it as .xlsm there)")
    if path.exists() and not a.force:
        raise KoshtorysError(f"{path} already exists (use --force to replace it)")
    build_workbook(path, lang=a.lang, sample=sample_frames() if a.sample else None)
    _say(f"created {path} ({'Ukrainian' if a.lang == 'uk' else 'English'}"
         f"{', with the sample' if a.sample else ''})")
    return 0


def _open(path: str):  # type: ignore[no-untyped-def]
    from .xlsx import FileBook

    return FileBook.open(Path(path))


def cmd_refresh(a: argparse.Namespace) -> int:
    from . import parts

    book = _open(a.path)
    result = parts.refresh(book, only=a.only)
    book.save()
    _say(f"refreshed {a.path}" + (f" ({a.only})" if a.only else ""))
    _summary(result, book.language())
    return result.exit_code


def cmd_check(a: argparse.Namespace) -> int:
    from . import parts

    book = _open(a.path)
    result = parts.check(book)
    book.save()
    _say(f"checked {a.path}")
    _summary(result, book.language(), limit=50, written=False)
    return result.exit_code


def cmd_import_actuals(a: argparse.Namespace) -> int:
    from koshtorys.commands.import_actuals import import_actuals

    added = import_actuals(Path(a.path), Path(a.report))
    _say(added.summary())
    return added.exit_code


def cmd_request(a: argparse.Namespace) -> int:
    from koshtorys.commands.request import make_requests

    made = make_requests(Path(a.path), Path(a.outdir), kpkvk=a.kpkvk, pdf=a.pdf, say=_say)
    return made.exit_code


def cmd_send(a: argparse.Namespace) -> int:
    from koshtorys.commands.send import send

    return send(Path(a.path), Path(a.outdir), draft=Path(a.draft) if a.draft else None,
                say=_say)


def cmd_consolidate(a: argparse.Namespace) -> int:
    from koshtorys.commands.consolidate import consolidate_dir

    return consolidate_dir(Path(a.dir), Path(a.out), say=_say)


def cmd_addin(a: argparse.Namespace) -> int:
    from koshtorys.addin.vba.build import build_addin, install_addin

    if a.action == "build":
        for p in build_addin(Path(a.outdir)):
            _say(f"built {p}")
    else:
        _say(f"installed {install_addin()}")
    return 0


def cmd_demo(a: argparse.Namespace) -> int:
    from koshtorys.commands.demo import run_demo

    return run_demo(Path(a.outdir), say=_say)


def _parser() -> argparse.ArgumentParser:
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
    s.add_argument("--sample", action="store_true", help="fill it with the bundled sample")
    s.add_argument("--force", action="store_true", help="replace an existing file")

    s = add("refresh", cmd_refresh, "compute every output table of the workbook")
    s.add_argument("path")
    s.add_argument("--only", choices=["costing", "execution", "funding"])

    s = add("check", cmd_check, "validate the inputs; write only tblChecks")
    s.add_argument("path")

    s = add("import-actuals", cmd_import_actuals,
            "read a treasury/open budget report into tblActuals")
    s.add_argument("path")
    s.add_argument("report")

    s = add("request", cmd_request, "write the budget request workbook(s)")
    s.add_argument("path")
    s.add_argument("--kpkvk")
    s.add_argument("--outdir", default=".")
    s.add_argument("--pdf", action="store_true", help="also print each request to PDF")

    s = add("send", cmd_send, "email the requests to the finance department")
    s.add_argument("path")
    s.add_argument("--outdir", required=True, help="where the requests are (or will be) made")
    s.add_argument("--draft", help="write .eml drafts into this folder instead of sending")

    s = add("consolidate", cmd_consolidate, "many institutions' workbooks into one")
    s.add_argument("dir")
    s.add_argument("--out", required=True)

    s = add("addin", cmd_addin, "build or install the Excel add-in")
    s.add_argument("action", choices=["build", "install"])
    s.add_argument("--outdir", default="dist/addin")

    s = add("demo", cmd_demo, "the whole job on the bundled sample")
    s.add_argument("--outdir", default="koshtorys-demo")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.fn(args))
    except KoshtorysError as exc:
        print(f"koshtorys: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("koshtorys: interrupted; a workbook is either fully written or untouched",
              file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: one line for the user, the trace in a log file
        log = Path(tempfile.gettempdir()) / "koshtorys-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        print(f"koshtorys: internal error ({type(exc).__name__}: {exc}); workbooks are only "
              f"ever replaced whole, never half-written; details in {log}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
