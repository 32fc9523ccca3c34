"""Text-level edits of workbook.xml, so everything else in it stays byte-identical."""

from __future__ import annotations

import re

from lxml import etree

from .ooxml import parse_xml, quoteattr

__all__ = ["ensure_full_calc", "add_sheet_entry"]

# CT_Workbook children that come before calcPr, last first.
_BEFORE_CALC = ("definedNames", "externalReferences", "functionGroups", "sheets")


def _prefix(data: bytes) -> str:
    root = parse_xml(data)
    return f"{root.prefix}:" if root.prefix else ""


def _end_of(text: str, tag: str) -> int | None:
    """Index just after the element ``tag`` (closing or self-closing), if present."""
    close = text.rfind(f"</{tag}>")
    if close >= 0:
        return close + len(f"</{tag}>")
    m = re.search(rf"<{re.escape(tag)}\b[^>]*/>", text)
    return m.end() if m else None


def ensure_full_calc(data: bytes) -> bytes:
    """workbook.xml with ``<calcPr fullCalcOnLoad="1">``: Excel recalculates on open."""
    text = data.decode("utf-8")
    p = _prefix(data)
    m = re.search(rf"<{re.escape(p)}calcPr\b([^>]*?)(/?)>", text)
    if m:
        attrs = m.group(1)
        if re.search(r'\sfullCalcOnLoad\s*=\s*["\'](1|true)["\']', attrs):
            return data
        if re.search(r"\sfullCalcOnLoad\s*=", attrs):
            attrs = re.sub(r'\sfullCalcOnLoad\s*=\s*("[^"]*"|\'[^\']*\')',
                           ' fullCalcOnLoad="1"', attrs)
        else:
            attrs += ' fullCalcOnLoad="1"'
        text = f"{text[:m.start()]}<{p}calcPr{attrs}{m.group(2)}>{text[m.end():]}"
        return text.encode("utf-8")
    for tag in _BEFORE_CALC:
        at = _end_of(text, p + tag)
        if at is not None:
            text = f'{text[:at]}<{p}calcPr fullCalcOnLoad="1"/>{text[at:]}'
            return text.encode("utf-8")
    raise ValueError("workbook.xml without <sheets>")


def add_sheet_entry(data: bytes, name: str, sheet_id: int, rid: str) -> bytes:
    """workbook.xml with one more ``<sheet>`` at the end of ``<sheets>``."""
    root = parse_xml(data)
    p = f"{root.prefix}:" if root.prefix else ""
    rel_prefix = next((k for k, v in root.nsmap.items()
                       if k and v.endswith("/relationships")), None)
    text = data.decode("utf-8")
    if rel_prefix is None:
        rel_ns = etree.QName(root).namespace or ""
        rel_ns = ("http://purl.oclc.org/ooxml/officeDocument/relationships"
                  if "purl.oclc.org" in rel_ns else
                  "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
        attr = f'xmlns:r="{rel_ns}" r:id="{rid}"'
    else:
        attr = f'{rel_prefix}:id="{rid}"'
    entry = f'<{p}sheet name={quoteattr(name)} sheetId="{sheet_id}" {attr}/>'
    close = text.rfind(f"</{p}sheets>")
    if close < 0:
        raise ValueError("workbook.xml without <sheets>")
    return (text[:close] + entry + text[close:]).encode("utf-8")
