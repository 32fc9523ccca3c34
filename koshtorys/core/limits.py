"""Resource limits on what koshtorys reads and writes: one place, no settings.

A workbook is a zip of XML parts, and a hostile or broken one can claim anything: a
part that inflates to gigabytes from a few kilobytes (a zip bomb), a table whose range
covers a whole sheet in a file of a few cells, a cell of a million characters. The file
adapter checks these limits from the zip directory and the table parts *before* it
inflates or allocates anything, and refuses a workbook that breaks one with one line
("workbook too large: …"), which the command line turns into exit status 2.

The limits are far above what a program workbook of a hromada holds (the benchmark's
largest workbook, 16 times the size of a large institution, has 134 MB of XML, its
largest part 51 MB) and far below what would exhaust a desktop's memory.
"""

from __future__ import annotations

__all__ = [
    "MAX_PART_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_RATIO",
    "MAX_ENTRIES",
    "RATIO_FLOOR_BYTES",
    "TABLE_CELLS_ALLOWANCE",
    "TABLE_CELLS_PER_SHEET_BYTE",
    "MAX_CELL_TEXT",
    "EXCEL_ROWS",
    "EXCEL_COLUMNS",
    "MAX_REPORT_BYTES",
]

MAX_PART_BYTES = 512 * 1024 * 1024
"""Largest uncompressed size of one zip entry (512 MiB): a worksheet of some five million
filled cells. A part is read whole into memory when it is parsed or rewritten, so this
bounds the memory one part can take."""

MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
"""Largest uncompressed size of all entries together (2 GiB)."""

MAX_RATIO = 200
"""Largest ratio of uncompressed to compressed size of one entry. Spreadsheet XML
deflates 5–15 times (measured: the benchmark's sheets 6–12, a sheet of 100 000 empty
styled rows 12); a zip bomb deflates about 1 000 times. Applied to entries above
:data:`RATIO_FLOOR_BYTES` only."""

MAX_ENTRIES = 65_535
"""Most zip entries a workbook may have (what a zip without zip64 can hold; a program
workbook has a few dozen). Checked from the end record, before the directory is read."""

RATIO_FLOOR_BYTES = 1024 * 1024
"""Entries smaller than this (1 MiB uncompressed) are never refused for their ratio: a
tiny part cannot exhaust anything, and a blank one legitimately deflates very well."""

TABLE_CELLS_ALLOWANCE = 1_000_000
"""A table may span this many cells (header and totals included) whatever its sheet
holds: an empty input table prepared for a few thousand rows is normal."""

TABLE_CELLS_PER_SHEET_BYTE = 1
"""Beyond the allowance, a table may span at most this many cells per byte of its
sheet's XML. A real cell takes at least ten bytes (``<c r="A1"/>``), so a table range
more than about ten times the cells its sheet can hold — ``A3:XFD1048576`` in a file of
a few cells — is refused before any row is read."""

MAX_CELL_TEXT = 32_767
"""Excel's limit on the characters of one cell. Longer text is read as it is (the
conversion stage reports it) and written cut to this length (Excel would repair it)."""

EXCEL_ROWS = 1_048_576
"""Rows of a worksheet."""

EXCEL_COLUMNS = 16_384
"""Columns of a worksheet (A … XFD)."""

MAX_REPORT_BYTES = 256 << 20
"""Bytes of one expenditure report (file or portal answer, after decompression): a large
city's year by program, economic code and month is tens of megabytes."""
