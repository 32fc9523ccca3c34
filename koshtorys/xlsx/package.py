"""The workbook as an OPC package: zip entries, relationships, content types, staged edits.

The whole file is read into memory once, so a later save can replace it on disk
safely; edits are staged per part and written by :meth:`Package.write`.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO
from urllib.parse import unquote

from lxml import etree

from koshtorys.core.errors import WorkbookError

from . import zipwrite
from .ooxml import CT_NS, PKG_REL_NS, parse_xml, to_bytes

__all__ = ["Package", "Rel", "load_bytes"]

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Rel:
    """One relationship of a part."""

    id: str
    type: str
    target: str
    """Part name the target resolves to (no leading slash), or the raw external URL."""
    external: bool = False

    def is_(self, kind: str) -> bool:
        """True when the relationship type ends with ``/kind`` (transitional or strict)."""
        return self.type.rsplit("/", 1)[-1] == kind


def load_bytes(path: Path) -> bytes:
    """The file's bytes, or :class:`WorkbookError` with one clear line."""
    if not path.exists():
        raise WorkbookError(f"{path}: no such file")
    if path.is_dir():
        raise WorkbookError(f"{path}: is a folder, not a workbook")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookError(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def rels_name(part: str) -> str:
    """The relationships part of ``part`` (``""`` for the package itself)."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source: str, target: str) -> str:
    """Resolve a relationship target relative to its source part."""
    target = unquote(target)
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relative(source: str, part: str) -> str:
    """``part`` as a target written in ``source``'s relationships."""
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class Package:
    """An .xlsx/.xlsm read into memory, with staged changes."""

    def __init__(self, data: bytes, label: str = "workbook") -> None:
        self.label = label
        if data[:8] == _CFB_MAGIC:
            if _ENCRYPTED in data:
                raise WorkbookError(f"{label} is password-protected (encrypted); remove the "
                                    "password in Excel and try again")
            raise WorkbookError(f"{label} is an old Excel 97-2003 (.xls) file; save it as "
                                ".xlsx and try again")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise WorkbookError(f"{label} is not an Excel workbook (.xlsx or .xlsm)") from exc
        if any(i.flag_bits & 0x1 for i in self._infos):
            raise WorkbookError(f"{label} is encrypted; remove the password and try again")
        self._data = data
        self._by_lower = {i.filename.lower(): i for i in self._infos}
        self._staged: dict[str, bytes] = {}
        self._new: list[str] = []
        self._dropped: set[str] = set()
        self._cache: dict[str, bytes] = {}
        self.main = self._main_part()

    # ------------------------------------------------------------------ reading
    def _main_part(self) -> str:
        for rel in self.rels(""):
            if rel.is_("officeDocument") and not rel.external and self.has(rel.target):
                ctype = self.content_type(rel.target)
                if ".binary." in ctype:
                    raise WorkbookError(f"{self.label} is a binary (.xlsb) workbook; save it "
                                        "as .xlsx and try again")
                return self.name_of(rel.target) or rel.target
        raise WorkbookError(f"{self.label} is not an Excel workbook (no workbook part)")

    def name_of(self, part: str) -> str | None:
        """The stored name of ``part`` (part names are case-insensitive)."""
        if part in self._staged:
            return part
        info = self._by_lower.get(part.lower())
        return info.filename if info and info.filename not in self._dropped else None

    def has(self, part: str) -> bool:
        return self.name_of(part) is not None

    def read(self, part: str) -> bytes:
        """The part's current content (staged edits included)."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        if name in self._staged:
            return self._staged[name]
        data = self._cache.get(name)
        if data is None:
            try:
                data = self._zip.read(name)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
                raise WorkbookError(f"{self.label}: damaged part {name}") from exc
            self._cache[name] = data
        return data

    def stream(self, part: str) -> IO[bytes]:
        """A file object over the part, for streaming parsers."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        if name in self._staged or name in self._cache:
            return io.BytesIO(self.read(name))
        return self._zip.open(name)

    def rels(self, part: str) -> list[Rel]:
        """Relationships of ``part`` (``""`` = the package)."""
        name = rels_name(part)
        if not self.has(name):
            return []
        root = parse_xml(self.read(name))
        out = []
        for r in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
            ext = r.get("TargetMode") == "External"
            tgt = r.get("Target", "")
            out.append(Rel(r.get("Id", ""), r.get("Type", ""),
                           tgt if ext else resolve(part, tgt), ext))
        return out

    def content_type(self, part: str) -> str:
        root = parse_xml(self.read("[Content_Types].xml"))
        want = "/" + part.lower()
        for o in root.iter(f"{{{CT_NS}}}Override"):
            if o.get("PartName", "").lower() == want:
                return o.get("ContentType", "")
        ext = part.rsplit(".", 1)[-1].lower()
        for d in root.iter(f"{{{CT_NS}}}Default"):
            if d.get("Extension", "").lower() == ext:
                return d.get("ContentType", "")
        return ""

    # ------------------------------------------------------------------ staging
    def put(self, part: str, data: bytes) -> None:
        """Stage new content for an existing part (dropped again if it is unchanged)."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        if name in self._new:
            self._staged[name] = data
            return
        self._staged.pop(name, None)
        if self.read(name) != data:
            self._staged[name] = data

    def add(self, part: str, data: bytes, content_type: str | None) -> None:
        """Stage a new part; ``content_type`` adds an Override for it."""
        if self.has(part):
            raise ValueError(f"part exists: {part}")
        self._new.append(part)
        self._staged[part] = data
        if content_type:
            root = parse_xml(self.read("[Content_Types].xml"))
            etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + part,
                             ContentType=content_type)
            self.put("[Content_Types].xml", to_bytes(root))

    def add_rel(self, source: str, rel_type: str, target_part: str) -> str:
        """Add a relationship from ``source`` to ``target_part``; returns its new id."""
        name = rels_name(source)
        if self.has(name):
            root = parse_xml(self.read(name))
        else:
            root = etree.Element(f"{{{PKG_REL_NS}}}Relationships", nsmap={None: PKG_REL_NS})
        used = {r.get("Id") for r in root}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(root, f"{{{PKG_REL_NS}}}Relationship", Id=rid, Type=rel_type,
                         Target=relative(source, target_part))
        data = to_bytes(root)
        if self.has(name):
            self.put(name, data)
        else:
            self.add(name, data, None)
        return rid

    def drop(self, source: str, part: str) -> None:
        """Stage the removal of ``part`` with its relationships from ``source``, its own
        relationships and its content-type Override (no dangling reference is left)."""
        name = self.name_of(part)
        if name is None:
            return
        rels = rels_name(source)
        if self.has(rels):
            root = parse_xml(self.read(rels))
            for r in list(root):
                if r.get("TargetMode") != "External" and \
                        resolve(source, r.get("Target", "")).lower() == name.lower():
                    root.remove(r)
            self.put(rels, to_bytes(root))
        root = parse_xml(self.read("[Content_Types].xml"))
        for o in list(root.iter(f"{{{CT_NS}}}Override")):
            if o.get("PartName", "").lower() == "/" + name.lower():
                root.remove(o)
        self.put("[Content_Types].xml", to_bytes(root))
        for gone in (name, self.name_of(rels_name(name))):
            if gone is None:
                continue
            self._staged.pop(gone, None)
            if gone in self._new:
                self._new.remove(gone)
            else:
                self._dropped.add(gone)

    def unique_part(self, pattern: str) -> str:
        """The first free part name ``pattern % n`` for n = 1, 2, …"""
        n = 1
        while self.has(pattern % n):
            n += 1
        return pattern % n

    def snapshot(self) -> tuple[dict[str, bytes], list[str], set[str]]:
        """The staged state, to go back to with :meth:`restore`."""
        return dict(self._staged), list(self._new), set(self._dropped)

    def restore(self, state: tuple[dict[str, bytes], list[str], set[str]]) -> None:
        self._staged, self._new, self._dropped = dict(state[0]), list(state[1]), set(state[2])

    @property
    def original(self) -> bytes:
        """The archive as read from disk."""
        return self._data

    @property
    def changed(self) -> bool:
        return bool(self._staged or self._dropped)

    def changed_parts(self) -> set[str]:
        return set(self._staged) | self._dropped

    # ------------------------------------------------------------------ writing
    def entries(self) -> Iterator[zipwrite.Entry]:
        """Archive entries of the new file: originals in order (raw copies when unchanged),
        then new parts."""
        for info in self._infos:
            if info.filename in self._dropped:
                continue
            if info.filename in self._staged:
                yield zipwrite.new_entry(info.filename, self._staged[info.filename], info)
            else:
                yield zipwrite.raw_entry(self._data, info)
        for part in self._new:
            yield zipwrite.new_entry(part, self._staged[part])

    def write(self, fp: BinaryIO) -> None:
        zipwrite.write_zip(fp, self.entries(), self._zip.comment)


_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def clean_sheet_name(name: str) -> str:
    """A legal sheet name: no ``[]:*?/\\``, at most 31 characters."""
    return _SHEET_NAME_BAD.sub("_", name).strip("'")[:31] or "Sheet"


def unique_sheet_name(wanted: str, taken: Sequence[str]) -> str:
    """``wanted`` made legal and different from every name in ``taken`` (case-blind)."""
    base = clean_sheet_name(wanted)
    lower = {t.lower() for t in taken}
    name, n = base, 2
    while name.lower() in lower:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    return name
