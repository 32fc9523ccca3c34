"""``koshtorys new`` (button Новий шаблон): a new program workbook, empty or a sample."""

from __future__ import annotations

from pathlib import Path

from koshtorys.core.errors import KoshtorysError
from koshtorys.samples import sample_frames
from koshtorys.xlsx.template import build_workbook

from .outcome import Outcome

__all__ = ["new"]


def new(path: Path, *, lang: str = "uk", sample: str | None = None,
        force: bool = False, plan_year: int | None = None) -> Outcome:
    """Create the workbook at ``path`` (``.xlsx``); ``sample`` names a bundled sample;
    an empty workbook's plan year is ``plan_year`` (default: next calendar year)."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise KoshtorysError("new_needs_xlsx", name=path.name)
    if path.exists() and not force:
        raise KoshtorysError("exists", path=path)
    build_workbook(path, lang=lang,  # type: ignore[arg-type]
                   sample=sample_frames(sample) if sample else None, plan_year=plan_year)
    out = Outcome(lang, files=[path])
    out.say("created_sample" if sample else "created", path=path, sample=sample or "")
    return out
