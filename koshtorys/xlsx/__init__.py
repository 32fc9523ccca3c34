"""The workbook file adapter: read and write the program workbook's tables in place.

Refresh must change nothing outside its output tables, so this adapter never loads a
workbook into a spreadsheet model (a load/save round trip drops cached formula values
and Excel extensions). It reads the .xlsx/.xlsm as a zip of XML parts, rewrites only
the parts that hold output tables and copies every other entry byte for byte::

    book = FileBook.open("program.xlsx")
    raw = book.read_tables(["tblSettings", "tblStaff"])
    book.write_tables({"tblUnitCosts": frame}, book.language())
    book.save()   # atomic: temporary file beside it, then one rename
"""

from __future__ import annotations

from .filebook import FileBook

__all__ = ["FileBook"]
