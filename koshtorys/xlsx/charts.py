"""Charts that plot an output table follow its new rows, caches included.

A series range that starts at the table's first data row is stretched (or shrunk) to
the rows written, and its number or text cache is refilled so the chart is right even
before Excel recalculates. Charts that do not plot the table are left byte-identical.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from lxml import etree

from koshtorys.core.book import column_letter

from .index import TableInfo
from .ooxml import col_index, escape, to_bytes
from .package import Package

__all__ = ["chart_parts", "update_charts"]

_CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_REF = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$"
)


def chart_parts(pkg: Package) -> list[str]:
    """Names of the chart parts, from the content types."""
    out = []
    for part, ctype in pkg.overrides().items():
        if ctype == _CHART_CT:
            name = pkg.name_of(part)
            if name:
                out.append(name)
    return out


def _num(v: object) -> str | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    if isinstance(v, float):
        if v != v or v in (float("inf"), float("-inf")):
            return None
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and v - v != 0.0):  # blank, NaN, infinite
        return None
    n = _num(v)
    return n if n is not None else str(v)


def _refill(ref_el: etree._Element, f_el: etree._Element, values: Sequence[object],
            count: int) -> None:
    """Rebuild the cache next to ``f_el`` with ``count`` points from ``values``."""
    ns = etree.QName(ref_el).namespace
    local = etree.QName(ref_el).localname
    cache_name = {"numRef": "numCache", "strRef": "strCache"}.get(local)
    if cache_name is None:
        return
    cache = ref_el.find(f"{{{ns}}}{cache_name}")
    if cache is None:
        cache = etree.Element(f"{{{ns}}}{cache_name}")
        f_el.addnext(cache)
    fmt = cache.find(f"{{{ns}}}formatCode")
    for ch in list(cache):
        if ch is not fmt and etree.QName(ch).localname in ("ptCount", "pt"):
            cache.remove(ch)
    if cache_name == "numCache" and fmt is None:
        fmt = etree.SubElement(cache, f"{{{ns}}}formatCode")
        fmt.text = "General"
    conv = _num if cache_name == "numCache" else _text
    at = list(cache).index(fmt) + 1 if fmt is not None else 0
    new = [etree.Element(f"{{{ns}}}ptCount", val=str(count))]
    for i, v in enumerate(values[:count]):
        s = conv(v)
        if s is None:
            continue
        pt = etree.Element(f"{{{ns}}}pt", idx=str(i))
        etree.SubElement(pt, f"{{{ns}}}v").text = s
        new.append(pt)
    for k, el in enumerate(new):
        cache.insert(at + k, el)


def _text_categories(ref_el: etree._Element, values: Sequence[object]) -> None:
    """Categories that are text need a text reference (Excel writes strRef for them)."""
    q = etree.QName(ref_el)
    holder = ref_el.getparent()
    if q.localname != "numRef" or holder is None or \
            etree.QName(holder).localname not in ("cat", "xVal"):
        return
    if not any(isinstance(v, str) for v in values):
        return
    ref_el.tag = f"{{{q.namespace}}}strRef"
    for ch in list(ref_el):
        if etree.QName(ch).localname == "numCache":
            ref_el.remove(ch)


def update_charts(
    pkg: Package,
    table: TableInfo,
    values: Mapping[int, Sequence[object]],
    chart_rows: int,
    parts: Sequence[str],
) -> None:
    """Point series that plot ``table``'s data at its first ``chart_rows`` rows.

    ``table`` is the table as it was before writing (its first data row is what series
    are matched on); ``values`` maps worksheet columns to the values written.
    """
    needle = escape(table.sheet.replace("'", "''")).encode("utf-8")
    count = max(chart_rows, 1)
    top = table.top
    for part in parts:
        data = pkg.read(part)
        if needle not in data:
            continue
        root = pkg.xml(part)
        changed = False
        for f_el in root.iter("{*}f"):
            parent = f_el.getparent()
            if parent is None or etree.QName(parent).localname not in (
                    "numRef", "strRef", "multiLvlStrRef"):
                continue
            m = _REF.match((f_el.text or "").strip())
            if m is None:
                continue
            sheet = m.group(1).replace("''", "'") if m.group(1) else m.group(2)
            if sheet.lower() != table.sheet.lower():
                continue
            c1 = col_index(m.group(3))
            r1 = int(m.group(4))
            c2 = col_index(m.group(5)) if m.group(5) else c1
            if r1 != top or not (table.first_col <= c1 <= c2 <= table.last_col):
                continue
            token = f"'{m.group(1)}'" if m.group(1) else m.group(2)
            new = (f"{token}!${column_letter(c1)}${top}:${column_letter(c2)}"
                   f"${top + count - 1}")
            if f_el.text != new:
                f_el.text = new
            if c1 == c2 and c1 in values:
                vals = list(values[c1])[:chart_rows]
                _text_categories(parent, vals)
                _refill(parent, f_el, vals, count)
            changed = True
        if changed:
            pkg.put(part, to_bytes(root))
