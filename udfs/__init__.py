"""Worksheet functions (``KOSHT.UNIT_COSTS`` …); the code is in :mod:`koshtorys.udfs.functions`.

The add-in's VBA wrappers call ``koshtorys.udfs.<name>`` through xlwings, so every
function listed in ``__all__`` must stay importable from here.
"""

from .functions import (
    ERROR_PREFIX,
    FUNCTIONS,
    funding,
    index_amount,
    kekv_name,
    kpkvk_name,
    unit_costs,
    variance,
)

__all__ = ["unit_costs", "variance", "funding", "index_amount", "kekv_name", "kpkvk_name",
           "ERROR_PREFIX", "FUNCTIONS"]
