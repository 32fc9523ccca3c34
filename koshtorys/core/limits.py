"""Hard limits of what the product reads and writes, in one place (no setting changes them).

Beyond these a file or a value is refused with one clear line instead of exhausting
memory or time, or producing a file Excel would repair.
"""

from __future__ import annotations

__all__ = ["MAX_TEXT", "MAX_ROWS"]

MAX_TEXT = 32_767
"""Characters one cell holds in Excel; a longer text is a check, never written."""

MAX_ROWS = 1_048_576
"""Rows of one worksheet in Excel."""

# --- reports (import-actuals: a file or the open budget portal's answer)
__all__ += ["MAX_REPORT_BYTES"]

MAX_REPORT_BYTES = 256 << 20
"""Bytes of one expenditure report (file or portal answer, after decompression): a large
city's year by program, economic code and month is tens of megabytes."""
