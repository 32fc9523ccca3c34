"""The open budget portal's public API: one GET for a year's expenditure by program.

``<portal_url>/api/public/localBudgetData?budgetCode=…&budgetItem=EXPENSES&
classificationType=PROGRAM&period=MONTH&year=…`` answers the same semicolon-separated
export a user downloads by hand, so its text goes through the same reader
(:mod:`.report`). The standard library's ``urllib`` serves: one request, no session, no
authentication (the API is public), proxies from the environment as every tool honours
them. Every way the answer can fail — refused, HTTP error, no connection, too slow, an
HTML page, empty, too big, not the export — is one :class:`FetchError` line; nothing is
written before the answer is read whole and parsed.

Budget codes grew from 10 to 11 digits in 2023 (``1356300000`` → ``13563000000``: a ``0``
appended). :func:`budget_code_for_year` asks the portal with the length of the year
asked: a 10-digit code gets its ``0`` for 2023 and later; an 11-digit code that ends in
``0`` loses it for the years before.
"""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException

import pandas as pd

from koshtorys import __version__
from koshtorys.core.errors import FetchError, KoshtorysError
from koshtorys.core.limits import MAX_REPORT_BYTES

from .report import PORTAL_COLUMNS, decode_text, parse_csv

__all__ = ["PortalAnswer", "fetch_expenses", "budget_code_for_year", "expenses_url",
           "TIMEOUT", "DEADLINE", "LONG_CODES_FROM"]

TIMEOUT = 30.0
"""Seconds the portal may stay silent (connecting, or between two parts of the answer)."""
DEADLINE = 180.0
"""Seconds the whole answer may take."""
LONG_CODES_FROM = 2023
"""The first year of 11-digit budget codes."""
_PATH = "/api/public/localBudgetData"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class PortalAnswer:
    """The portal's export for one budget and year, read."""

    url: str
    code: str
    """The budget code asked (the length of its year)."""
    year: int
    table: pd.DataFrame
    """The export's lines as text cells (the reader's input)."""
    size: int
    """Bytes received."""


def budget_code_for_year(code: str, year: int) -> str:
    """The budget code as the portal knows it for ``year`` (see the module doc).

    >>> budget_code_for_year("1356300000", 2025), budget_code_for_year("13563000000", 2022)
    ('13563000000', '1356300000')
    >>> budget_code_for_year("13563000000", 2025), budget_code_for_year("1356300000", 2021)
    ('13563000000', '1356300000')
    """
    text = str(code).strip().replace(" ", "")
    if not re.fullmatch(r"\d{10,11}", text):
        raise FetchError("portal_bad_code", code=str(code)[:40])
    if year >= LONG_CODES_FROM and len(text) == 10:
        return text + "0"
    if year < LONG_CODES_FROM and len(text) == 11 and text.endswith("0"):
        return text[:-1]
    return text


def expenses_url(base: str, code: str, year: int) -> str:
    """The API address of a year's expenditure by program and month."""
    parts = urllib.parse.urlsplit(str(base).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("portal_bad_url", url=str(base)[:200])
    query = urllib.parse.urlencode({"budgetCode": code, "budgetItem": "EXPENSES",
                                    "classificationType": "PROGRAM", "period": "MONTH",
                                    "year": year})
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc,
                                    parts.path.rstrip("/") + _PATH, query, ""))


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url


def _read(answer: object, url: str, deadline: float,
          progress: Callable[[int], None] | None) -> bytes:
    """The body, bounded in size and time."""
    chunks: list[bytes] = []
    size = shown = 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("portal_timeout", host=_host(url), seconds=f"{DEADLINE:g}")
        chunk = answer.read(_CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_REPORT_BYTES:
            raise FetchError("portal_too_big", url=url, mb=MAX_REPORT_BYTES >> 20)
        chunks.append(chunk)
        if progress is not None and size - shown >= 4 * _CHUNK:
            shown = size
            progress(size)


def _inflate(body: bytes, encoding: str, url: str) -> bytes:
    """A gzip or deflate body inflated, never past the size limit."""
    if encoding not in ("gzip", "deflate", "x-gzip"):
        return body
    try:
        d = zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
        out = d.decompress(body, MAX_REPORT_BYTES + 1)
    except zlib.error:
        raise FetchError("portal_malformed", url=url, detail="gzip") from None
    if len(out) > MAX_REPORT_BYTES or d.unconsumed_tail:
        raise FetchError("portal_too_big", url=url, mb=MAX_REPORT_BYTES >> 20)
    return out


def _get(url: str, timeout: float, deadline: float,
         progress: Callable[[int], None] | None) -> tuple[bytes, str, str | None]:
    """(body, content type, declared charset) of a GET, or one :class:`FetchError`."""
    request = urllib.request.Request(url, headers={
        "Accept": "text/csv, text/plain;q=0.9, */*;q=0.1",
        "User-Agent": f"koshtorys/{__version__} (+open budget import)"})
    host = _host(url)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = _read(answer, url, deadline, progress)
            headers = answer.headers
            ctype = headers.get_content_type() or ""
            charset = headers.get_content_charset()
            encoding = (headers.get("Content-Encoding") or "").strip().lower()
    except urllib.error.HTTPError as exc:
        raise FetchError("portal_http", status=exc.code, reason=exc.reason or "",
                         url=url) from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise FetchError("portal_timeout", host=host, seconds=f"{timeout:g}") from None
        raise FetchError("portal_unreachable", host=host, reason=str(exc.reason)[:200]) \
            from None
    except TimeoutError:
        raise FetchError("portal_timeout", host=host, seconds=f"{timeout:g}") from None
    except (HTTPException, OSError, ValueError) as exc:
        raise FetchError("portal_unreachable", host=host,
                         reason=f"{type(exc).__name__}: {exc}"[:200]) from None
    return _inflate(body, encoding, url), ctype, charset


def fetch_expenses(base: str, code: str, year: int, *, timeout: float | None = None,
                   progress: Callable[[int], None] | None = None) -> PortalAnswer:
    """The year's expenditure by program, economic code and month for budget ``code``.

    ``progress`` is told the bytes received so far while the answer arrives.
    """
    asked = budget_code_for_year(code, year)
    url = expenses_url(base, asked, year)
    wait = TIMEOUT if timeout is None else timeout
    body, ctype, charset = _get(url, wait, time.monotonic() + DEADLINE, progress)
    head = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if not head:
        raise FetchError("portal_empty", url=url)
    if "html" in ctype or head.startswith((b"<!doctype", b"<html", b"<?xml", b"<")):
        raise FetchError("portal_html", url=url)
    if head.startswith((b"{", b"[")):
        raise FetchError("portal_malformed", url=url, detail="JSON")
    try:
        text = decode_text(body, charset)
    except KoshtorysError:
        raise FetchError("portal_malformed", url=url, detail="UTF-8 / windows-1251") from None
    table = parse_csv(text, url, sep=";", error=FetchError)
    upper = {str(c).strip().upper() for c in table.columns}
    missing = [c for c in PORTAL_COLUMNS if c not in upper]
    if missing:
        raise FetchError("portal_columns", url=url, columns=", ".join(missing))
    return PortalAnswer(url, asked, year, table, len(body))
