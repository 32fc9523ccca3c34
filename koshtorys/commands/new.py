"""``koshtorys new`` (button Новий шаблон): a new program workbook, empty or a sample."""

from __future__ import annotations

from pathlib import Path

from koshtorys.core.errors import KoshtorysError
from koshtorys.samples import sample_frames
from koshtorys.xlsx.template import build_workbook

from .outcome import Outcome

__all__ = ["new"]


def new(path: Path, *, lang: str = "uk", sample: str | None = None,
        force: bool = False) -> Outcome:
    """Create the workbook at ``path`` (``.xlsx``); ``sample`` names a bundled sample."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise KoshtorysError("new_needs_xlsx", name=path.name)
    if path.exists() and not force:
        raise KoshtorysError("exists", path=path)
    build_workbook(path, lang=lang, sample=sample_frames(sample) if sample else None)  # type: ignore[arg-type]
    out = Outcome(lang, files=[path])
    out.say("created_sample" if sample else "created", path=path, sample=sample or "")
    return out
