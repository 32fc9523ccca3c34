"""Exceptions of koshtorys.

::

    KoshtorysError              root: the CLI turns it into one line and exit 2
    ├── WorkbookError           not a workbook, unreadable, locked, not writable
    │   └── TableMissing        a required table is not in the workbook
    ├── SettingsError           a setting the job cannot do without is unusable
    └── MailError               sending mail failed before anything was sent
"""

from __future__ import annotations

__all__ = ["KoshtorysError", "WorkbookError", "TableMissing", "SettingsError", "MailError"]


class KoshtorysError(Exception):
    """Anything koshtorys reports to the user as one clear line."""


class WorkbookError(KoshtorysError):
    """The workbook cannot be read or written."""


class TableMissing(WorkbookError):
    """A table the job needs is not in the workbook."""


class SettingsError(KoshtorysError):
    """A setting the job cannot do without is missing or unusable."""


class MailError(KoshtorysError):
    """Mail could not be sent at all (no server, bad settings)."""
