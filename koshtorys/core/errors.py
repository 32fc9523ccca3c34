"""Exceptions of koshtorys.

::

    KoshtorysError              root: the CLI turns it into one line and exit 2
    ├── WorkbookError           not a workbook, unreadable, locked, not writable
    │   ├── TableMissing        a required table is not in the workbook
    │   ├── DamagedWorkbook     a part is missing, not well-formed XML, or contradicts another
    │   └── WorkbookTooLarge    a part, the whole or a table's range breaks a limit of
    │                           koshtorys.core.limits (zip bombs, absurd ranges)
    ├── SettingsError           a setting the job cannot do without is unusable
    ├── MailError               sending mail failed before anything was sent
    └── FetchError              the open budget portal could not be read

An error carries a key of :data:`koshtorys.core.messages.TEXTS` and its parameters, and
says itself in either language (:meth:`KoshtorysError.message`); ``str()`` gives the
language it was raised for (Ukrainian unless told). A plain sentence instead of a key is
said as it is.
"""

from __future__ import annotations

__all__ = ["KoshtorysError", "WorkbookError", "TableMissing", "DamagedWorkbook",
           "WorkbookTooLarge", "SettingsError", "MailError", "FetchError"]


class KoshtorysError(Exception):
    """Anything koshtorys reports to the user as one clear line."""

    lang: str = "uk"
    """The language ``str()`` speaks (the command sets it from the workbook)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str | None = None) -> str:
        """The line in ``lang`` (default: :attr:`lang`)."""
        from .messages import TEXTS, text

        lang = lang or self.lang
        if self.key in TEXTS:
            return text(self.key, lang, **self.params)
        return self.key

    def __str__(self) -> str:
        return self.message()


class WorkbookError(KoshtorysError):
    """The workbook cannot be read or written."""


class TableMissing(WorkbookError):
    """A table the job needs is not in the workbook."""


class DamagedWorkbook(WorkbookError):
    """The workbook's zip or one of its XML parts is broken."""


class WorkbookTooLarge(WorkbookError):
    """The workbook (or a part, or a table's range) is beyond a resource limit."""


class SettingsError(KoshtorysError):
    """A setting the job cannot do without is missing or unusable."""


class MailError(KoshtorysError):
    """Mail could not be sent at all (no server, bad settings)."""


class FetchError(KoshtorysError):
    """The open budget portal refused, failed, timed out or answered nonsense."""
