"""Cut a run of rows out of a worksheet's XML text without parsing the whole sheet.

An output table may have tens of thousands of rows that a refresh replaces anyway;
parsing them only to throw them away would cost more than writing the new ones. The
cut is made on the text, row by row (rows are ordered and never nested); anything
unexpected (a row without its number, rows out of order) returns None and the caller
parses the sheet instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["RawRow", "Cut", "cut_rows", "strip_attrs"]

_SHEET_DATA = re.compile(rb"<((?:[\w.-]+:)?)sheetData\b([^>]*?)(/?)>")
_ROW_NUMBER = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d+)["']""")
_ROOT = re.compile(rb"<(?![?!])[\w.:-]+\b([^>]*)>")
_XMLNS = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*("[^"]*"|'[^']*')""")


@dataclass(frozen=True)
class RawRow:
    """One ``<row>`` as text."""

    r: int
    attrs: bytes
    """The start tag's attribute text, leading spaces included."""
    body: bytes
    """Everything between the start and end tags (empty for ``<row …/>``)."""
    raw: bytes
    """The whole element."""


@dataclass(frozen=True)
class Cut:
    """A sheet with rows taken out and a marker where they were."""

    skeleton: bytes
    rows: list[RawRow]
    decls: bytes
    """The root element's namespace declarations, for parsing a row on its own."""
    prefix: bytes
    """Prefix of the main namespace with its colon (usually empty)."""


def cut_rows(data: bytes, first: int, last: int, marker: bytes) -> Cut | None:
    """Take rows ``first``…``last`` out of sheet XML ``data``, leaving ``marker``."""
    m = _SHEET_DATA.search(data)
    root = _ROOT.search(data)
    if m is None or root is None:
        return None
    decls = b"".join(x.group(0) for x in _XMLNS.finditer(root.group(1)))
    p = m.group(1)
    if m.group(3):  # <sheetData/>
        skeleton = (data[:m.start()] + b"<" + p + b"sheetData" + m.group(2) + b">" + marker
                    + b"</" + p + b"sheetData>" + data[m.end():])
        return Cut(skeleton, [], decls, p)
    end = data.find(b"</" + p + b"sheetData>", m.end())
    if end < 0:
        return None
    row_re = re.compile(b"<" + re.escape(p) + rb"row\b([^>]*?)(/?)>")
    end_tag = b"</" + p + b"row>"
    pos, prev = m.end(), 0
    start = stop = None
    rows: list[RawRow] = []
    while True:
        rm = row_re.search(data, pos, end)
        if rm is None:
            break
        num = _ROW_NUMBER.search(rm.group(1))
        if num is None:
            return None
        r = int(num.group(1))
        if r <= prev:
            return None
        prev = r
        if rm.group(2):
            row_end, body = rm.end(), b""
        else:
            close = data.find(end_tag, rm.end(), end)
            if close < 0:
                return None
            row_end, body = close + len(end_tag), data[rm.end():close]
        if r > last:
            break
        if r >= first:
            if start is None:
                start = rm.start()
            stop = row_end
            rows.append(RawRow(r, rm.group(1), body, data[rm.start():row_end]))
        pos = row_end
    if start is None or stop is None:
        at = rm.start() if rm is not None else end
        start = stop = at
    return Cut(data[:start] + marker + data[stop:], rows, decls, p)


@functools.lru_cache(maxsize=16)
def _attr_pattern(names: frozenset[str]) -> re.Pattern[bytes]:
    alt = b"|".join(re.escape(n.encode()) for n in sorted(names))
    return re.compile(rb"""\s+(?:""" + alt + rb""")\s*=\s*("[^"]*"|'[^']*')""")


def strip_attrs(attrs: bytes, names: set[str]) -> str:
    """Attribute text without the (unprefixed) attributes in ``names``."""
    if not attrs.strip():
        return ""
    return _attr_pattern(frozenset(names)).sub(b"", b" " + attrs.strip()).decode("utf-8")
