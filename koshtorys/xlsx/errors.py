"""Why the file adapter refuses a workbook, beyond "cannot be read"::

    WorkbookError (koshtorys.core.errors)
    ├── DamagedWorkbook     a part is missing, is not well-formed XML, or contradicts another
    └── WorkbookTooLarge    a part, the whole or a table's range breaks a limit of
                            :mod:`koshtorys.core.limits` (zip bombs, absurd ranges)

Both live in :mod:`koshtorys.core.errors`; the command line prints their one line and
exits 2.
"""

from __future__ import annotations

from koshtorys.core.errors import DamagedWorkbook, WorkbookTooLarge

__all__ = ["DamagedWorkbook", "WorkbookTooLarge", "damaged", "too_large"]


def damaged(label: str, detail: str) -> DamagedWorkbook:
    """``<file>: damaged workbook: <detail>`` (the detail names the part, as it is)."""
    return DamagedWorkbook("damaged_workbook", name=label, detail=detail)


def too_large(label: str, detail: str) -> WorkbookTooLarge:
    """``<file>: workbook too large: <detail>``."""
    return WorkbookTooLarge("workbook_too_large", name=label, detail=detail)
