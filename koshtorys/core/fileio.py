"""Atomic file writes (a temporary file beside the target, then one rename) and file
names made from what a user typed."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import KoshtorysError, WorkbookError

__all__ = ["atomic_path", "lock_file_of", "ensure_not_locked", "ensure_folder", "sweep_stale",
           "TEMP_PREFIX", "name_part"]

_UNSAFE = frozenset('<>:"/\\|?*%')
"""Characters no Windows file name may hold (and ``%``, which escapes them)."""


def name_part(text: str) -> str:
    """``text`` (a service id) as a piece of a file name on any system: a character a
    file name cannot hold, a control character and a space or dot at either end become
    ``%XX`` (UTF-8). Ids stay as they are in the usual case, and two ids never share a
    name (``U/01`` → ``U%2F01``, ``U_01`` stays): a document cannot land elsewhere or
    replace another's.

    >>> name_part("SP01"), name_part("U/01"), name_part("../x"), name_part("Д 1")
    ('SP01', 'U%2F01', '%2E.%2Fx', 'Д 1')
    """
    last = len(text) - 1
    out = []
    for i, ch in enumerate(text):
        edge = (i == 0 or i == last) and ch in " ."
        if ch in _UNSAFE or ord(ch) < 32 or edge:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def lock_file_of(path: Path) -> Path:
    """The owner file Excel and LibreOffice keep beside a workbook they have open."""
    return path.with_name("~$" + path.name)


def ensure_not_locked(path: Path) -> None:
    """Raise :class:`WorkbookError` when Excel or LibreOffice holds ``path`` open."""
    for lock in (lock_file_of(path), path.with_name(".~lock." + path.name + "#")):
        if lock.exists():
            raise WorkbookError("locked", name=path.name, lock=lock.name)


TEMP_PREFIX = ".~kosht-"
"""Temporary files beside their target: ``.~kosht-<pid>-<random><suffix>``."""
STALE_AFTER = 24 * 3600
"""A temporary file whose process is unknown is left alone this long (seconds)."""


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, AttributeError, ValueError):
        return True  # somebody else's live process, or a system that cannot tell
    return True


def sweep_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove the temporary files that killed runs left in ``folder``: those whose
    process is gone, or older than :data:`STALE_AFTER`; return what was removed."""
    import time

    now = time.time() if now is None else now
    removed = []
    try:
        found = [p for p in Path(folder).iterdir() if p.name.startswith(TEMP_PREFIX)]
    except OSError:
        return removed
    for p in found:
        pid_text = p.name[len(TEMP_PREFIX):].split("-", 1)[0]
        try:
            gone = (not _alive(int(pid_text))) if pid_text.isdigit() else \
                now - p.stat().st_mtime > STALE_AFTER
        except OSError:
            continue
        if gone:
            with contextlib.suppress(OSError):
                p.unlink()
                removed.append(p)
    return removed


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; on success rename it over ``target``.

    On any failure the temporary file is removed and ``target`` is left as it was; what
    killed runs left behind in the folder is swept first.
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    sweep_stale(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=target.suffix,
                                   dir=folder)
    except OSError as exc:
        raise WorkbookError("cannot_write_in", folder=folder, reason=exc.strerror) from exc
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
        raise WorkbookError("cannot_write", name=target.name,
                            reason=exc.strerror or str(exc)) from exc
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
        raise KoshtorysError("cannot_create_folder", folder=folder,
                             reason=exc.strerror or str(exc)) from exc
    return folder
