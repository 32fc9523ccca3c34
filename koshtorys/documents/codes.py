"""The codes and names that head every document of the budget cycle (items 1–3).

The budget request (Форма 20__-2 and -3) and the program passport open alike: the main
spending unit with its departmental code printed as seven digits (``08`` → ``0800000``)
and its ЄДРПОУ, the responsible performer with its program-level code (the first three
digits of the КПКВК followed by zeros: ``0810000``) and its ЄДРПОУ, then the program's
КПКВКМБ / ТПКВКМБ / КФКВК, its name and the hromada budget's code. The functional code
(КФКВК) follows from the ТПКВКМБ through shipped data (``koshtorys/data/kfkvk.csv``,
order 793 as the open budget portal keeps it).

>>> kfkvk("0813104"), kfkvk("3105"), kfkvk("0819999")
('1020', '1010', None)
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from importlib import resources

from koshtorys.core import classifiers
from koshtorys.core.settings import Settings

__all__ = ["ProgramCodes", "program_codes", "kfkvk"]


@functools.cache
def _kfkvk_table() -> dict[str, str]:
    text = resources.files("koshtorys").joinpath("data", "kfkvk.csv").read_text(
        encoding="utf-8")
    return {r["tpkvk"].strip(): r["kfkvk"].strip() for r in csv.DictReader(text.splitlines())
            if r.get("tpkvk") and r.get("kfkvk")}


def kfkvk(code: object) -> str | None:
    """The functional code (КФКВК) of a 7-digit КПКВК or a 4-digit ТПКВКМБ; ``None`` when
    the shipped table does not know it."""
    text = str(code).strip() if code is not None else ""
    tail = text[-4:] if len(text) in (4, 7) and text.isdigit() else ""
    return _kfkvk_table().get(tail) if tail else None


@dataclass(frozen=True)
class ProgramCodes:
    """Items 1–3 of a document's header, every field already as printed."""

    grk: str
    """Main spending unit's name (``grk``, else the institution)."""
    grk_code: str
    """Seven digits: ``grk_code`` (else the КПКВК's first two) followed by zeros."""
    grk_edrpou: str
    """The main spending unit's ЄДРПОУ (``grk_edrpou``; the institution's when it is its
    own main spending unit)."""
    performer: str
    performer_code: str
    """The first three digits of the КПКВК followed by four zeros."""
    edrpou: str
    kpkvk: str
    tpkvk: str
    kfkvk: str
    """Blank when the shipped table does not know the ТПКВКМБ."""
    program_name: str
    budget_code: str


def program_codes(settings: Settings, kpkvk: str, program_name: str | None = None
                  ) -> ProgramCodes:
    """The header of ``kpkvk``'s documents from the settings.

    >>> from koshtorys.core.settings import Settings
    >>> s = Settings(institution="ЦНСП", edrpou="43217655", grk="УСЗН", grk_code="08",
    ...              grk_edrpou="03192849", budget_code="12517000000", plan_year=2026)
    >>> c = program_codes(s, "0813104")
    >>> c.grk_code, c.performer_code, c.tpkvk, c.kfkvk
    ('0800000', '0810000', '3104', '1020')
    """
    own = not str(settings.grk or "").strip()
    grk_code = str(settings.grk_code or "").strip() or kpkvk[:2]
    return ProgramCodes(
        grk=settings.head,
        grk_code=grk_code.zfill(2) + "00000",
        grk_edrpou=str(settings.grk_edrpou or "") or (str(settings.edrpou or "") if own
                                                      else ""),
        performer=str(settings.institution or ""),
        performer_code=kpkvk[:3] + "0000",
        edrpou=str(settings.edrpou or ""),
        kpkvk=kpkvk,
        tpkvk=kpkvk[3:],
        kfkvk=kfkvk(kpkvk) or "",
        program_name=program_name or classifiers.kpkvk_name(kpkvk) or "",
        budget_code=str(settings.budget_code or ""),
    )
