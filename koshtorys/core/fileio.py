"""Atomic file writes: a temporary file beside the target, then one rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import KoshtorysError, WorkbookError

__all__ = ["atomic_path", "lock_file_of", "ensure_not_locked", "ensure_folder"]


def lock_file_of(path: Path) -> Path:
    """The owner file Excel and LibreOffice keep beside a workbook they have open."""
    return path.with_name("~$" + path.name)


def ensure_not_locked(path: Path) -> None:
    """Raise :class:`WorkbookError` when Excel or LibreOffice holds ``path`` open."""
    for lock in (lock_file_of(path), path.with_name(".~lock." + path.name + "#")):
        if lock.exists():
            raise WorkbookError("locked", name=path.name, lock=lock.name)


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success rename it over ``target``.

    On any failure the temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".~kosht-", suffix=target.suffix, dir=folder)
    except OSError as exc:
        raise WorkbookError(f"cannot write in {folder}: {exc.strerror}") from exc
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_path, os.stat(target).st_mode & 0o777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise WorkbookError(f"cannot write {target.name}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        raise


def ensure_folder(folder: Path) -> Path:
    """Make ``folder`` (and its parents); a plain :class:`KoshtorysError` when it cannot be,
    e.g. a file of that name is in the way."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KoshtorysError(f"cannot create the folder {folder}: "
                             f"{exc.strerror or exc}") from exc
    return folder
