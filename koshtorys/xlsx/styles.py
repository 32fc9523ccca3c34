"""Cell formats (``cellXfs``) found or added, so every number gets its column's format.

Lookups are exact and deterministic: a second refresh finds the formats the first one
added, and styles.xml is only rewritten when a format is really missing.
"""

from __future__ import annotations

import copy

from lxml import etree

from .ooxml import parse_xml, root_ns, to_bytes
from .package import Package

__all__ = ["Styles"]

_BUILTIN = {
    "General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
    "0.00E+00": 11, "@": 49,
}

_MINIMAL = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    b'<fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    b'</cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"'
    b' xfId="0"/></cellXfs></styleSheet>'
)


def _key(el: etree._Element) -> bytes:
    return etree.tostring(el, method="c14n", exclusive=True)


class Styles:
    """The workbook's styles part, with find-or-add of number-formatted cell formats."""

    def __init__(self, pkg: Package, part: str | None) -> None:
        self.pkg = pkg
        self.part = part
        self.root = pkg.xml(part) if part else parse_xml(_MINIMAL)
        self.ns = root_ns(self.root)
        self.changed = False
        xfs = self.root.find(self._t("cellXfs"))
        if xfs is None:
            raise ValueError("styles part without cellXfs")
        self.xfs = xfs
        self._keys: dict[bytes, int] = {}
        for i, xf in enumerate(self.xfs.iterchildren(self._t("xf"))):
            self._keys.setdefault(_key(xf), i)
        self._xf_list = list(self.xfs.iterchildren(self._t("xf")))
        self._fmt_cache: dict[str, int] = {}

    def _t(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def _num_fmts(self, create: bool) -> etree._Element | None:
        nf = self.root.find(self._t("numFmts"))
        if nf is None and create:
            nf = etree.Element(self._t("numFmts"))
            self.root.insert(0, nf)
        return nf

    def format_id(self, code: str) -> int:
        """The numFmtId of ``code``: built-in, existing custom, or a new custom one."""
        if code in self._fmt_cache:
            return self._fmt_cache[code]
        fid = _BUILTIN.get(code)
        if fid is None:
            nf = self._num_fmts(create=False)
            found = [] if nf is None else [
                int(n.get("numFmtId", "0")) for n in nf.iterchildren(self._t("numFmt"))
                if n.get("formatCode") == code
            ]
            if found:
                fid = min(found)
            else:
                nf = self._num_fmts(create=True)
                assert nf is not None
                ids = [int(n.get("numFmtId", "0")) for n in nf.iterchildren(self._t("numFmt"))]
                fid = max([163, *ids]) + 1
                etree.SubElement(nf, self._t("numFmt"), numFmtId=str(fid), formatCode=code)
                nf.set("count", str(len(ids) + 1))
                self.changed = True
        self._fmt_cache[code] = fid
        return fid

    def with_format(self, base: int, code: str | None) -> int:
        """Index of a cell format like ``base`` but showing numbers as ``code``."""
        if base >= len(self._xf_list) or base < 0:
            base = 0
        if code is None:
            return base
        fid = self.format_id(code)
        base_xf = self._xf_list[base]
        if base_xf.get("numFmtId") == str(fid) and base_xf.get("applyNumberFormat") != "0":
            return base
        new = copy.deepcopy(base_xf)
        new.set("numFmtId", str(fid))
        new.set("applyNumberFormat", "1")
        key = _key(new)
        if key in self._keys:
            return self._keys[key]
        xf = etree.SubElement(self.xfs, self._t("xf"))
        for k, v in new.attrib.items():
            xf.set(k, v)
        for ch in new:
            xf.append(ch)
        index = len(self._xf_list)
        self._xf_list.append(xf)
        self._keys[_key(xf)] = index
        self.xfs.set("count", str(len(self._xf_list)))
        self.changed = True
        return index

    def save(self) -> None:
        """Stage styles.xml if a format was added."""
        if self.changed and self.part:
            self.pkg.put(self.part, to_bytes(self.root))
            self.changed = False
