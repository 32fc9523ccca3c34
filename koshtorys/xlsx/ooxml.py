"""Small helpers for SpreadsheetML: cell references, text escapes, XML parsing and writing.

Namespaces are taken from each part's root element instead of being hard-coded, so the
same code reads transitional and strict OOXML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import date, datetime, time

import numpy as np
from lxml import etree

from koshtorys.core.limits import MAX_CELL_TEXT

__all__ = [
    "BadXml",
    "PKG_REL_NS",
    "CT_NS",
    "XML_NS",
    "parse_xml",
    "check_prolog",
    "to_bytes",
    "root_ns",
    "col_index",
    "split_ref",
    "parse_range",
    "format_range",
    "cell_ref",
    "decode_text",
    "encode_text",
    "cell_xml",
    "column_xml",
    "dense_cells",
    "serialize",
    "prefix_map",
    "attrs_xml",
    "escape",
    "quoteattr",
]


def escape(data: str, entities: dict[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` escaped (and each key of ``entities`` by its value), as
    :func:`xml.sax.saxutils.escape` does; that module imports ``urllib.request`` (http,
    ssl, email: ~20 ms of every command's start)."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for k, v in (entities or {}).items():
        data = data.replace(k, v)
    return data


def quoteattr(data: str) -> str:
    """An attribute value in quotes, as :func:`xml.sax.saxutils.quoteattr` makes it."""
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' in data:
        if "'" in data:
            return '"' + data.replace('"', "&quot;") + '"'
        return "'" + data + "'"
    return '"' + data + '"'

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False, resolve_entities=False,
                          no_network=True, load_dtd=False)

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)$")
_COLS: dict[str, int] = {}


class BadXml(ValueError):
    """A part that is not well-formed XML, or declares a DTD (which Office files never
    hold: the package rules forbid it, and it is how entity-expansion bombs work)."""


def check_doctype(tree: etree._ElementTree) -> None:
    """Refuse a document that declares a DTD (:class:`BadXml`)."""
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None:
        raise BadXml("it declares a DTD (<!DOCTYPE …>), which Office files never hold")


_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def check_prolog(head: bytes) -> None:
    """Refuse a DTD in the first bytes of a part that is streamed, before the parser reads
    it: libxml2 2.14 stops inside such a DTD (its entities' "amplification factor")
    before the document's doctype can be looked at, and says so in its own words."""
    first = _FIRST_ELEMENT.search(head)
    if b"<!DOCTYPE" in (head if first is None else head[:first.start()]):
        raise BadXml("it declares a DTD (<!DOCTYPE …>), which Office files never hold")


def parse_xml(data: bytes) -> etree._Element:
    """Parse a part; entities are never resolved and a DTD is refused (parts come from
    untrusted files). :class:`BadXml` says what is wrong."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadXml(f"not well-formed XML ({exc.msg})") from exc
    check_doctype(root.getroottree())
    return root


def to_bytes(root: etree._Element, standalone: bool | None = True) -> bytes:
    """Serialize a part the way Office writes it: UTF-8 with an XML declaration."""
    decl = '<?xml version="1.0" encoding="UTF-8"'
    if standalone is not None:
        decl += ' standalone="yes"' if standalone else ' standalone="no"'
    body = etree.tostring(root.getroottree(), xml_declaration=False, encoding="UTF-8")
    return (decl + "?>\n").encode() + body


def root_ns(root: etree._Element) -> str:
    """The namespace of ``root`` (SpreadsheetML main in transitional or strict form)."""
    return etree.QName(root).namespace or ""


def col_index(letters: str) -> int:
    """Column letters to a 1-based index: ``"AB"`` → 28."""
    n = _COLS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _COLS[letters] = n
    return n


def split_ref(ref: str) -> tuple[int, int]:
    """``"B12"`` → (row 12, column 2)."""
    m = _REF.match(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), col_index(m.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int]:
    """``"B3:D10"`` → (first row, first column, last row, last column)."""
    a, colon, b = ref.partition(":")
    r1, c1 = split_ref(a)
    r2, c2 = split_ref(b) if colon else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def cell_ref(row: int, col: int) -> str:
    from koshtorys.core.book import column_letter

    return f"{column_letter(col)}{row}"


def format_range(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def decode_text(s: str) -> str:
    """Undo Excel's ``_xHHHH_`` escapes (line breaks in headers, control characters)."""
    if "_x" not in s:
        return s
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), s)


def encode_text(s: str) -> str:
    """Escape characters XML cannot hold the way Excel does (``_xHHHH_``)."""
    if not _NEEDS_ESCAPE.search(s):
        return s
    return _NEEDS_ESCAPE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", s)


_EPOCH = datetime(1899, 12, 30)


def _number(v: float | int) -> str | None:
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if math.isnan(v) or math.isinf(v):
        return None
    if v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v)


def cut_text(text: str) -> str:
    """``text`` cut to Excel's limit of :data:`~koshtorys.core.limits.MAX_CELL_TEXT`
    characters (UTF-16 units, as Excel counts them); Excel repairs a longer cell."""
    if len(text) <= MAX_CELL_TEXT // 2:
        return text
    units = len(text.encode("utf-16-le")) // 2
    while units > MAX_CELL_TEXT:
        text = text[: len(text) - (units - MAX_CELL_TEXT + 1) // 2]
        units = len(text.encode("utf-16-le")) // 2
    return text


def _text_tail(text: str, s: str) -> str:
    """The part of an inline-string cell after its reference (``""`` for no text)."""
    text = encode_text(cut_text(text))
    if text == "":
        return ""
    space = ' xml:space="preserve"' if text != text.strip() or "\n" in text else ""
    return f'{s} t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def cell_xml(ref: str, value: object, style: int) -> str:
    """One ``<c>`` element as text: numbers as ``<v>``, text as an inline string.

    Returns ``""`` for a blank value (no cell is written).
    """
    s = f' s="{style}"' if style else ""
    if value is None:
        return ""
    if hasattr(value, "dtype") and hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        num = _number(value)
        return "" if num is None else f'<c r="{ref}"{s}><v>{num}</v></c>'
    if isinstance(value, datetime | date):
        if not isinstance(value, datetime):
            value = datetime.combine(value, time())
        days = (value.replace(tzinfo=None) - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}"{s}><v>{_number(days)}</v></c>'
    tail = _text_tail(str(value), s)
    return f'<c r="{ref}"{tail}' if tail else ""


def column_xml(letter: str, values: Sequence[object], style: int, first_row: int) -> list[str]:
    """The ``<c>`` elements of one column as text, one per row (``""`` for a blank)."""
    head = f'<c r="{letter}'
    kinds = set(map(type, values))
    dense = _dense(values, style, kinds)
    if dense is not None:  # the common case: every row has a cell
        if len(dense) == 1:
            return [f"{head}{r}{x}" for r, x in enumerate(dense[0], first_row)]
        pre, texts, post = dense
        return [f"{head}{r}{pre}{x}{post}" for r, x in enumerate(texts, first_row)]
    s = f' s="{style}"' if style else ""
    # a blank keeps its column's format as an empty styled cell, so the next refresh
    # finds the same format (refresh is idempotent) and a later value shows right
    blank = f'"{s}/>' if style else ""
    if kinds == {float}:  # a money column with blank (non-finite) numbers
        return [f'{head}{r}"{s}><v>{v!r}</v></c>' if v - v == 0.0
                else f"{head}{r}{blank}" if blank else "" for r, v in enumerate(values, first_row)]
    if kinds <= _TEXTISH:  # texts and blanks in an unstyled column: a blank is no cell
        after = _text_after(values, s, "")
        return [f"{head}{r}{x}" if (x := after[v]) else ""
                for r, v in enumerate(values, first_row)]
    out: list[str] = []
    append = out.append
    tails: dict[str, str] = {}  # text → what follows the reference (codes repeat)
    r = first_row - 1
    for v in values:
        r += 1
        tv = type(v)
        if tv is float:  # written as in the all-float case: a cell never depends on others
            if v - v != 0.0:  # NaN, infinities: blank
                append(f"{head}{r}{blank}" if blank else "")
            else:
                append(f'{head}{r}"{s}><v>{v!r}</v></c>')
        elif tv is str:
            tail = tails.get(v)
            if tail is None:
                tail = tails[v] = _text_tail(v, s)
            if tail:
                append(f'{head}{r}"{tail}')
            else:
                append(f"{head}{r}{blank}" if blank else "")
        elif v is None:
            append(f"{head}{r}{blank}" if blank else "")
        elif tv is int:
            append(f'{head}{r}"{s}><v>{v}</v></c>')
        else:
            cell = cell_xml(f"{letter}{r}", v, style)
            append(cell if cell or not blank else f"{head}{r}{blank}")
    return out


_TEXTISH = {str, type(None)}


def _text_after(values: Sequence[object], s: str, blank: str) -> dict[object, str]:
    """Each distinct value of a column of texts and blanks → its cell's text after the
    row number (``blank`` for no text)."""
    after: dict[object, str] = {}
    for v in set(values):
        tail = _text_tail(v, s) if v is not None else ""  # type: ignore[arg-type]
        after[v] = f'"{tail}' if tail else blank
    return after


def dense_cells(values: Sequence[object] | np.ndarray, style: int) -> list[str | list[str]] | None:
    """The cells of a column in which every row has a cell, as the text that follows
    ``<c r="`` + letter + row number: constant pieces and one list with a text per row,
    made by C-level maps (``repr`` of each float, ``str`` of each int, a lookup of each
    text) rather than a formatted string per cell; :func:`column_xml` joins them with
    the row numbers. None when some row has no cell (a blank in an unstyled column) or
    the column holds anything else (dates, booleans, a blank number: those are made
    cell by cell)."""
    if isinstance(values, np.ndarray):
        s = f' s="{style}"' if style else ""
        if values.dtype.kind == "f" and np.isfinite(values).all():
            return [f'"{s}><v>', list(map(repr, values.tolist())), "</v></c>"]
        if values.dtype.kind in "iu":
            return [f'"{s}><v>', list(map(str, values.tolist())), "</v></c>"]
        return None
    return _dense(values, style, set(map(type, values)))


def _dense(values: Sequence[object], style: int, kinds: set[type]
           ) -> list[str | list[str]] | None:
    """:func:`dense_cells` of a list whose value types are ``kinds``."""
    s = f' s="{style}"' if style else ""
    if kinds == {float} and all(map(math.isfinite, values)):  # type: ignore[arg-type]
        return [f'"{s}><v>', list(map(repr, values)), "</v></c>"]
    if kinds == {int}:
        return [f'"{s}><v>', list(map(str, values)), "</v></c>"]
    if kinds and kinds <= _TEXTISH:
        after = _text_after(values, s, f'"{s}/>' if style else "")
        if "" in after.values():
            return None
        return [list(map(after.__getitem__, values))]
    return None


def _qname(tag: str, prefixes: dict[str, str | None]) -> str:
    if tag[0] != "{":
        return tag
    uri, local = tag[1:].split("}", 1)
    if uri == XML_NS:
        return "xml:" + local
    p = prefixes[uri]  # KeyError: a namespace the root does not declare
    return local if p is None else f"{p}:{local}"


_ATTR_ESC = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_TEXT_ESC = {"\r": "&#13;"}


def attrs_xml(el: etree._Element, prefixes: dict[str, str | None], skip: set[str]) -> str:
    """``el``'s attributes as text (leading spaces included), leaving out ``skip``."""
    return "".join(f' {_qname(k, prefixes)}="{escape(v, _ATTR_ESC)}"'
                   for k, v in el.attrib.items() if k not in skip)


def serialize(el: etree._Element, prefixes: dict[str, str | None]) -> str:
    """Serialize ``el`` without namespace declarations, using the document's prefixes.

    ``prefixes`` maps namespace URI → prefix (``None`` for the default namespace) as
    declared on the part's root, so the text can be spliced back into that part.
    """
    tag = _qname(el.tag, prefixes)
    parts = ["<", tag, attrs_xml(el, prefixes, set())]
    children = list(el)
    if el.text is None and not children:
        parts.append("/>")
        return "".join(parts)
    parts.append(">")
    if el.text:
        parts.append(escape(el.text, _TEXT_ESC))
    for ch in children:
        if isinstance(ch.tag, str):
            parts.append(serialize(ch, prefixes))
        if ch.tail:
            parts.append(escape(ch.tail, _TEXT_ESC))
    parts.append(f"</{tag}>")
    return "".join(parts)


def prefix_map(root: etree._Element) -> dict[str, str | None]:
    """Namespace URI → prefix as declared on ``root``."""
    return {uri: p for p, uri in root.nsmap.items()}
