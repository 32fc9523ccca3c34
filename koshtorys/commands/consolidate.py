"""``koshtorys consolidate``: every institution's workbook in a folder into one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from koshtorys.core.book import RawTable
from koshtorys.core.fileio import ensure_folder
from koshtorys.engine.consolidate import TABLES_READ, consolidate, write_consolidation

__all__ = ["consolidate_dir", "workbooks_in"]

Say = Callable[[str], None]


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


def consolidate_dir(folder: Path, out: Path, *, say: Say = print) -> int:
    """Consolidate ``folder``'s workbooks into ``out``; 1 when some could not be read."""
    from koshtorys.core.errors import KoshtorysError

    if not Path(folder).is_dir():
        raise KoshtorysError(f"{folder} is not a folder")
    paths = workbooks_in(Path(folder), Path(out))
    if not paths:
        raise KoshtorysError(f"no .xlsx workbooks in {folder}")
    c = consolidate(paths, _read)
    ensure_folder(Path(out).parent)
    write_consolidation(c, Path(out))
    say(f"consolidated {len(paths) - len(c.problems)} of {len(paths)} workbooks into {out}")
    for p in c.problems:
        say(f"  not included: {p.file} — {p.message}")
    return 1 if c.problems else 0
