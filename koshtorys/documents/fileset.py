"""A set of document files written all or nothing.

A command that writes several files (a request per program, its additional request) must
never leave some of them new and some old without saying so: on a full disk it used to
write 2 of 3 files and then say "nothing done". :func:`write_all` writes every file to a
temporary file beside its target first; only when all of them are complete are they
renamed into place (a rename needs no space). A failure while writing removes the
temporaries and raises :class:`~koshtorys.core.errors.WorkbookError`: nothing was done.
A failure while renaming (rare: a target locked by another program) raises
:class:`PartlyWritten`, which names exactly the files already in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from koshtorys.core.errors import KoshtorysError, WorkbookError
from koshtorys.core.fileio import ensure_not_locked

__all__ = ["write_all", "PartlyWritten"]

try:  # openpyxl streams its XML through lxml, which reports a full disk its own way
    from lxml.etree import SerialisationError as _LxmlWriteError
except ImportError:  # pragma: no cover - lxml is a dependency
    _LxmlWriteError = OSError  # type: ignore[assignment,misc]

_WRITE_ERRORS: tuple[type[BaseException], ...] = (OSError, _LxmlWriteError)
"""What a failing disk raises while a file is saved (ENOSPC, EFBIG …)."""

Save = Callable[[Path], None]
"""Writes one complete file at the path it is given."""


class PartlyWritten(KoshtorysError):
    """Some files of a set are in place, the others are not (see :attr:`written`)."""

    def __init__(self, written: list[Path], failed: Path, error: str) -> None:
        super().__init__(f"cannot write {failed.name}: {error}")
        self.written, self.failed, self.error = written, failed, error


def write_all(items: Sequence[tuple[Path, Save]]) -> list[Path]:
    """Write every ``(target, save)`` of ``items``, all or nothing; returns the targets."""
    for target, _save in items:
        ensure_not_locked(Path(target))
    temps: list[tuple[Path, Path]] = []
    try:
        for target, save in items:
            target = Path(target)
            try:
                fd, tmp = tempfile.mkstemp(prefix=".~kosht-", suffix=target.suffix,
                                           dir=target.parent)
                os.close(fd)
            except OSError as exc:
                raise WorkbookError("cannot_write_in", folder=target.parent,
                                    reason=exc.strerror or str(exc)) from exc
            temps.append((Path(tmp), target))
            try:
                save(Path(tmp))
            except _WRITE_ERRORS as exc:
                why = getattr(exc, "strerror", None) or str(exc)
                raise WorkbookError("cannot_write", name=target.name, reason=why) from exc
    except BaseException:
        for tmp, _target in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
    written: list[Path] = []
    for i, (tmp, target) in enumerate(temps):
        try:
            with contextlib.suppress(OSError):
                os.chmod(tmp, (os.stat(target).st_mode & 0o777) if target.exists() else 0o644)
            os.replace(tmp, target)
        except OSError as exc:
            for rest, _t in temps[i:]:
                with contextlib.suppress(OSError):
                    rest.unlink()
            raise PartlyWritten(written, target, str(exc.strerror or exc)) from exc
        written.append(target)
    return written
