"""``tblSettings`` as a typed value, with the SPEC's defaults."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, fields

from . import schema

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Everything the engine and the adapters take from ``tblSettings``."""

    institution: str = ""
    edrpou: str = ""
    hromada: str = ""
    plan_year: int = _dt.date.today().year + 1
    execution_year: int | None = None
    """Defaults to ``plan_year - 1``; see :attr:`exec_year`."""
    esv_rate: float = 0.22
    min_wage: float = 8647.0
    hours_per_fte: float = 1992.0
    indirect_base: str = "direct_labor"
    vat_rate: float = 0.0
    under_threshold: float = 0.9
    index_rate: float = 0.0
    discount_rate: float = 0.0
    fx_EUR: float | None = None
    fx_USD: float | None = None
    rounding: int = 0
    mail_to: str = ""
    mail_from: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_user: str = ""

    @property
    def exec_year(self) -> int:
        """The execution year: as set, else the year before the plan year."""
        return self.execution_year if self.execution_year is not None else self.plan_year - 1

    def fx(self, currency: str) -> float | None:
        """UAH per unit of ``currency`` (1 for UAH, ``None`` when not set)."""
        if currency == "UAH":
            return 1.0
        return {"EUR": self.fx_EUR, "USD": self.fx_USD}.get(currency)

    @classmethod
    def from_values(cls, values: dict[str, object]) -> Settings:
        """Settings from already-typed values; keys that are not fields are ignored,
        ``None`` keeps the default."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names and v is not None})


# The schema lists the same keys; keep them in step.
assert {s.key for s in schema.SETTINGS} == {f.name for f in fields(Settings)}
