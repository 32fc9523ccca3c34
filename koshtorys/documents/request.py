"""The budget request (бюджетний запит) of one КПКВК, as content: numbers, texts, ties.

:func:`build_requests` is pure: the engine's output frames and a few input frames in,
one :class:`RequestDoc` per program out (amounts rounded so that every row ties to its
total, every section to the others). :mod:`.request_sheet` lays them out; the classes live
in :mod:`.request_model`, the computation in :mod:`.request_content` and
:mod:`.request_indicators`.

Layout. Minfin order No. 604 of 25.11.2024 keeps three forms; this is the individual one
(Форма 20__-2) and, when a ceiling is below the expenditure, the additional one
(Форма 20__-3). Order 604's appendix could not be read: items 1–3 follow the published
Форма 2025-2, sections 4–13 the 648 edition (see docs/request.md).

The ties (each test recomputes them): sections 5, 6 and 7 give the same total for every
year and section 10 the same plan-year total when the funding need equals the
expenditure (else refresh warns: need_differs_from_costs); for each year with volumes,
Σ over the program's services of (expenditure per unit × units) equals the section-6
total to the hryvnia — the program's expenditure attributed to its services in
proportion to their total_cost (largest remainder), and each per-unit figure printed
with as many decimals as it takes for its product to give the attributed amount.
"""

from __future__ import annotations

from .request_content import build
from .request_model import (
    FUNDS,
    REQUEST_COLUMNS,
    YEAR_KEYS,
    AdditionalRequest,
    AmountColumn,
    Direction,
    ExcessLine,
    Indicator,
    KekvRow,
    ProgramTexts,
    RequestDoc,
    RequestInputs,
    RequestSummary,
    request3_file_name,
    request_file_name,
)

__all__ = [
    "FUNDS", "YEAR_KEYS", "REQUEST_COLUMNS", "RequestInputs", "AmountColumn", "KekvRow",
    "Direction", "Indicator", "ExcessLine", "AdditionalRequest", "RequestSummary",
    "RequestDoc", "ProgramTexts", "build_requests", "request_file_name",
    "request3_file_name",
]


def build_requests(inputs: RequestInputs, *, kpkvk: str | None = None) -> list[RequestDoc]:
    """One :class:`RequestDoc` per КПКВК (or only ``kpkvk``).

    The programs are the КПКВК with amounts in tblCostByKekv or tblPlan. Rows with a
    blank КПКВК count for the program only when there is exactly one.

    >>> from koshtorys.core.settings import Settings
    >>> import pandas as pd
    >>> s = Settings(plan_year=2026, index_rate=0.1)
    >>> cost = pd.DataFrame({"kpkvk": ["0813104"], "kekv": ["2111"], "fund": ["general"],
    ...                      "amount": [1000.0]})
    >>> [d] = build_requests(RequestInputs(s, cost_by_kekv=cost))
    >>> d.file_name, d.totals.amount("forecast2", "total"), d.additional is None
    ('request_2026_0813104.xlsx', 1210.0, True)
    """
    return build(inputs, kpkvk)
