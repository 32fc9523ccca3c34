"""``tblSettings`` as a typed value, its fields made from :data:`koshtorys.core.schema.SETTINGS`.

The schema is the one place a setting is declared (key, kind, default, prompts); this
module only turns that list into a frozen dataclass and resolves the defaults that
depend on the plan year (minimum wage, working time) from shipped data.

>>> s = Settings(plan_year=2026)
>>> s.min_wage, s.hours_per_fte, s.exec_year, s.esv_rate
(8647.0, 2088.0, 2025, 0.22)
>>> Settings(plan_year=2031).min_wage is None   # no law fixed it: the user must set it
True
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any

from . import schema, years

__all__ = ["Settings", "YEAR_DEFAULTS"]

_TYPES: dict[str, Any] = {"text": str, "code": str, "enum": str, "bool": bool, "int": int,
                          "year": "int | None", "number": "float | None",
                          "money": "float | None"}

YEAR_DEFAULTS: dict[str, Any] = {"min_wage": years.min_wage,
                                 "hours_per_fte": years.working_hours}
"""Settings whose blank value comes from the plan year (function of the year)."""


class _SettingsBase:
    """Behaviour shared by every :class:`Settings` value."""

    plan_year: int
    execution_year: int | None
    fx_EUR: float | None
    fx_USD: float | None

    def __post_init__(self) -> None:
        if self.plan_year is None:  # a placeholder year so the rest still computes
            object.__setattr__(self, "plan_year", _dt.date.today().year + 1)
        for key, of_year in YEAR_DEFAULTS.items():
            if getattr(self, key) is None:
                object.__setattr__(self, key, of_year(self.plan_year))

    @property
    def exec_year(self) -> int:
        """The execution year: as set, else the year before the plan year."""
        return self.execution_year if self.execution_year is not None else self.plan_year - 1

    @property
    def head(self) -> str:
        """The main spending unit (головний розпорядник): ``grk``, else the institution."""
        return getattr(self, "grk", "") or getattr(self, "institution", "")

    def fx(self, currency: str) -> float | None:
        """UAH per unit of ``currency`` (1 for UAH, ``None`` when not set)."""
        if currency == "UAH":
            return 1.0
        return {"EUR": self.fx_EUR, "USD": self.fx_USD}.get(currency)

    @classmethod
    def from_values(cls, values: dict[str, object]) -> Settings:
        """Settings from already-typed values; keys that are not fields are ignored,
        ``None`` keeps the default."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in values.items() if k in names and v is not None})


def _field(s: schema.Setting) -> tuple[str, Any, Any]:
    return s.key, _TYPES[s.kind], dataclasses.field(default=s.default)


Settings = dataclasses.make_dataclass(
    "Settings", [_field(s) for s in schema.SETTINGS], bases=(_SettingsBase,), frozen=True,
)
Settings.__module__ = __name__
Settings.__doc__ = ("Everything the engine, the documents and the adapters take from "
                    "tblSettings: one field per key of schema.SETTINGS.")
