"""Print workbooks to PDF with LibreOffice, headless.

Each call uses its own throw-away LibreOffice profile, so conversions can run
side by side and never touch the user's settings. ``soffice`` exits 0 even when
it converted nothing, so success is judged by the output file alone: it is made
in a private folder and moved next to the others only when it exists and is not
empty (a stale PDF from an earlier run is never mistaken for a new one).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from koshtorys.core.errors import KoshtorysError
from koshtorys.core.fileio import ensure_folder

__all__ = ["soffice_path", "to_pdf", "to_pdfs"]

_CANDIDATES = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)


def soffice_path() -> str | None:
    """The LibreOffice executable, or ``None`` when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((c for c in _CANDIDATES if Path(c).is_file()), None)


def to_pdf(xlsx_path: Path, outdir: Path, *, timeout: float = 120) -> Path:
    """Print one workbook to ``outdir/<name>.pdf`` (all its sheets, as laid out)."""
    return to_pdfs([xlsx_path], outdir, timeout=timeout)[0]


def to_pdfs(paths: Sequence[Path], outdir: Path, *, timeout: float = 120) -> list[Path]:
    """Print several workbooks, one LibreOffice start per batch (starting it costs
    more than converting). Returns the PDFs in the order of ``paths``.

    Raises :class:`KoshtorysError` (one line) when LibreOffice is missing, times out
    or does not produce a file; PDFs made before the failure stay.
    """
    soffice = soffice_path()
    if soffice is None:
        raise KoshtorysError("soffice_missing")
    outdir = Path(outdir)
    ensure_folder(outdir)
    inputs = [Path(p).resolve() for p in paths]
    for p in inputs:
        if not p.is_file():
            raise KoshtorysError("print_no_file", name=p.name)
    done: dict[Path, Path] = {}
    for batch in _batches(inputs):
        done.update(_convert(soffice, batch, outdir, timeout * len(batch)))
    return [done[p] for p in inputs]


def _batches(paths: list[Path]) -> list[list[Path]]:
    """Split so that no two files of one batch share a name (their PDFs would clash)."""
    batches: list[list[Path]] = []
    for p in dict.fromkeys(paths):
        for b in batches:
            if all(q.stem != p.stem for q in b):
                b.append(p)
                break
        else:
            batches.append([p])
    return batches


def _convert(soffice: str, batch: list[Path], outdir: Path, timeout: float) -> dict[Path, Path]:
    with tempfile.TemporaryDirectory(prefix="koshtorys-lo-") as profile, \
            tempfile.TemporaryDirectory(prefix=".~kosht-pdf-", dir=outdir) as work:
        cmd = [soffice, "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={Path(profile).as_uri()}",
               "--convert-to", "pdf", "--outdir", work, *map(str, batch)]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired as exc:
            raise KoshtorysError("soffice_timeout", name=batch[0].name,
                                 seconds=f"{timeout:.0f}") from exc
        except OSError as exc:
            raise KoshtorysError("soffice_start", soffice=soffice, error=str(exc)) from exc
        out: dict[Path, Path] = {}
        for p in batch:
            made = Path(work) / (p.stem + ".pdf")
            if not made.is_file() or made.stat().st_size == 0:
                detail = (run.stderr or run.stdout or "").strip().splitlines()
                why = detail[-1] if detail else f"exit status {run.returncode}"
                raise KoshtorysError("soffice_no_pdf", name=p.name, why=why)
            target = outdir / made.name
            os.replace(made, target)
            with contextlib.suppress(OSError):
                os.chmod(target, 0o644)
            out[p] = target
        return out
