"""Why the file adapter refuses a workbook, beyond "cannot be read"::

    WorkbookError (koshtorys.core.errors)
    ├── DamagedWorkbook     a part is missing, is not well-formed XML, or contradicts another
    └── WorkbookTooLarge    a part, the whole or a table's range breaks a limit of
                            :mod:`koshtorys.core.limits` (zip bombs, absurd ranges)

Both are :class:`~koshtorys.core.errors.KoshtorysError`: the command line prints their
one line and exits 2.
"""

from __future__ import annotations

from koshtorys.core.errors import WorkbookError

__all__ = ["DamagedWorkbook", "WorkbookTooLarge", "damaged", "too_large"]


class DamagedWorkbook(WorkbookError):
    """The workbook's zip or one of its XML parts is broken."""


class WorkbookTooLarge(WorkbookError):
    """The workbook (or a part, or a table's range) is beyond a resource limit."""


def damaged(label: str, detail: str) -> DamagedWorkbook:
    """``<file>: damaged workbook: <detail>``."""
    return DamagedWorkbook(f"{label}: damaged workbook: {detail}")


def too_large(label: str, detail: str) -> WorkbookTooLarge:
    """``<file>: workbook too large: <detail>``."""
    return WorkbookTooLarge(f"{label}: workbook too large: {detail}")
