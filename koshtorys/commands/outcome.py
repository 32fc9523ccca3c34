"""What every command returns: one :class:`Outcome`, whoever called it.

The command line prints its lines and exits with its code; a ribbon button shows its
lines in a message box; the demo adds them up. Nothing is printed by a command itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from koshtorys.core.checks import Check
from koshtorys.core.messages import text

__all__ = ["Outcome", "Progress", "DONE", "DONE_WITH_ERRORS", "NOTHING_DONE"]

Progress = Callable[[str], None]
"""Told each step's name as it starts (``read``, ``costing`` …): the status bar."""

DONE, DONE_WITH_ERRORS, NOTHING_DONE = 0, 1, 2
"""The exit codes of the SPEC: done; done but with error checks; nothing done."""


@dataclass
class Outcome:
    """The result of one command."""

    lang: str = "uk"
    """The language of :attr:`lines` (the workbook's)."""
    exit_code: int = DONE
    lines: list[str] = field(default_factory=list)
    """What to tell the user, in order, already in :attr:`lang`."""
    files: list[Path] = field(default_factory=list)
    """Files the command wrote (documents, drafts, copies)."""
    checks: list[Check] = field(default_factory=list)
    """The problems found, as tblChecks holds them."""
    outputs: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Tables computed (keys as columns, codes as values)."""
    echo: Callable[[str], None] | None = None
    """Also show each line the moment it is said (the demo's running commentary)."""

    def say(self, key: str, **params: object) -> None:
        """Add the line :data:`~koshtorys.core.messages.TEXTS` ``[key]`` in :attr:`lang`."""
        self.add(text(key, self.lang, **params))

    def add(self, line: str) -> None:
        self.lines.append(line)
        if self.echo is not None:
            self.echo(line)

    def repeat(self, codes: frozenset[str], upto: int | None = None,
               services: list[str] | None = None) -> None:
        """Say again the workbook's checks of ``codes`` (the first ``upto`` checks: the
        book's own, before the command added any): a document command repeats those that
        concern what it prints, for a user who runs only that command; ``services``
        narrows them to the checks of those services."""
        for c in self.checks[:upto]:
            if c.code in codes and (services is None or c.params.get("value") in services):
                self.add("  " + c.message(self.lang))

    def worst(self, code: int) -> None:
        """Raise the exit code to ``code`` if it is worse."""
        self.exit_code = max(self.exit_code, code)

    @property
    def errors(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "error"]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.severity == "warning"]
