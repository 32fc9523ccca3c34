"""``koshtorys consolidate``: every institution's workbook in a folder into one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from koshtorys.core.book import RawTable
from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder
from koshtorys.engine.consolidate import TABLES_READ, consolidate, write_consolidation

from .outcome import Outcome

__all__ = ["consolidate_folder", "workbooks_in"]


def workbooks_in(folder: Path, exclude: Path | None = None) -> list[Path]:
    """The program workbooks of ``folder``: .xlsx/.xlsm, not lock, temp or request files."""
    out = []
    for p in sorted(folder.iterdir()):
        if p.suffix.lower() not in (".xlsx", ".xlsm") or p.name.startswith(("~$", ".")):
            continue
        if p.name.startswith("request_") or (exclude and p.resolve() == exclude.resolve()):
            continue
        out.append(p)
    return out


def _read(path: Path) -> Mapping[str, RawTable]:
    from koshtorys.xlsx import FileBook

    return FileBook.open(path, check_lock=False).read_tables(TABLES_READ)


def consolidate_folder(folder: Path, out_path: Path, lang: str = "uk") -> Outcome:
    """Consolidate ``folder``'s workbooks into ``out_path``; exit 1 when some could not be
    read (they are listed)."""
    if not Path(folder).is_dir():
        raise KoshtorysError("not_a_folder", path=folder)
    paths = workbooks_in(Path(folder), Path(out_path))
    if not paths:
        raise KoshtorysError("no_workbooks", path=folder)
    c = consolidate(paths, _read)
    ensure_folder(Path(out_path).parent)
    write_consolidation(c, Path(out_path))
    out = Outcome(lang, 1 if c.problems else 0, files=[Path(out_path)])
    out.say("consolidated", done=len(paths) - len(c.problems), total=len(paths), path=out_path)
    for p in c.problems:
        out.say("not_included", file=p.file, reason=p.message)
    return out
