"""``koshtorys workbooks``: the files of ``workbooks/``, as ``koshtorys new`` makes them.

The repository ships them so a user can open a template or a sample without Python:
the empty templates ``koshtorys_uk.xlsx`` and ``koshtorys_en.xlsx`` and one sample per
institution of the seeds, ``<name>_<plan_year>.xlsx``. A test rebuilds them and compares.
"""

from __future__ import annotations

from pathlib import Path

from koshtorys.core.fileio import ensure_folder
from koshtorys.samples import VARIANTS, sample_frames

from .new import new
from .outcome import Outcome

__all__ = ["build_workbooks", "workbook_names"]


def workbook_names() -> dict[str, tuple[str, str | None]]:
    """File name → (language, sample or ``None``) of every file in ``workbooks/``."""
    names: dict[str, tuple[str, str | None]] = {"koshtorys_uk.xlsx": ("uk", None),
                                                "koshtorys_en.xlsx": ("en", None)}
    for v in VARIANTS:
        s = sample_frames(v)["tblSettings"]
        year = int(s.loc[s["key"] == "plan_year", "value"].iloc[0])
        names[f"{v}_{year}.xlsx"] = ("uk", v)
    return names


def build_workbooks(folder: Path, lang: str = "uk", plan_year: int | None = None) -> Outcome:
    """Write every file of :func:`workbook_names` into ``folder`` (the empty templates
    with ``plan_year``, default next year)."""
    folder = ensure_folder(Path(folder))
    out = Outcome(lang)
    for name, (wb_lang, sample) in workbook_names().items():
        made = new(folder / name, lang=wb_lang, sample=sample, force=True, plan_year=plan_year)
        out.files += made.files
        out.say("created", path=folder / name, sample=sample or "")
    return out
