"""Writing a value into an openpyxl cell so that text stays text.

openpyxl stores a ``str`` that starts with ``=`` as a formula. A user's text (an
institution's name, a service, a description) must never become one in a file the
product writes: such text is stored as a string cell. Text that Excel would read as
a formula when a user retypes it or a CSV is opened (``+``, ``-``, ``@``, a tab)
is stored as a string too — which openpyxl already does for those — and is never
turned into a formula by this module.

>>> from openpyxl import Workbook
>>> ws = Workbook().active
>>> put_value(ws["A1"], '=HYPERLINK("http://x","click")').data_type
's'
>>> put_value(ws["A2"], 12.5).value
12.5
"""

from __future__ import annotations

from openpyxl.cell.cell import Cell, MergedCell

__all__ = ["put_value", "FORMULA_START"]

FORMULA_START = ("=", "+", "-", "@", "\t")
"""First characters that make a spreadsheet read text as a formula."""


def put_value(cell: Cell | MergedCell, value: object) -> Cell | MergedCell:
    """Set ``cell`` to ``value``; a text is always a string cell, never a formula."""
    cell.value = value  # type: ignore[assignment]
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell
