"""The workbook as an OPC package: zip entries, relationships, content types, staged edits.

The whole file is read into memory once (compressed), so a later save can replace it
on disk safely. The zip directory is checked against :mod:`koshtorys.core.limits`
before anything is inflated (:mod:`.zipcheck`). Small parts are inflated once and
kept; large ones (the sheets) are inflated when asked for and not kept, so memory
follows the part at hand, not the workbook. Edits are staged per part — as content, or
for a rewritten sheet as an entry already deflated by :class:`~.zipwrite.PartWriter` —
and written by :meth:`Package.write`.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO
from urllib.parse import unquote

from lxml import etree

from koshtorys.core.errors import WorkbookError

from . import codec, zipcheck, zipwrite
from .errors import damaged
from .ooxml import CT_NS, PKG_REL_NS, BadXml, parse_xml, to_bytes

__all__ = ["Package", "Rel", "load_bytes", "ZIP_ERRORS"]

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_CACHED_BYTES = 1024 * 1024
"""Parts up to this size are inflated once and kept (relationships, workbook, styles,
tables, charts); larger ones are inflated on each read and not kept."""
_CT = "[Content_Types].xml"

ZIP_ERRORS = (zipfile.BadZipFile, *codec.ERRORS, OSError, EOFError, ValueError,
              NotImplementedError)
"""What the zip module raises for a damaged or unsupported entry."""


_State = tuple[dict[str, bytes], dict[str, zipwrite.Entry], list[str], set[str]]
"""Staged content, staged entries, new parts, dropped parts (see Package.snapshot)."""


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
        raise WorkbookError("no_such_file", path=path)
    if path.is_dir():
        raise WorkbookError("is_a_folder", path=path)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookError("cannot_read", name=path.name,
                            reason=exc.strerror or str(exc)) from exc


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
                raise WorkbookError("password_protected", name=label)
            raise WorkbookError("old_xls", name=label)
        zipcheck.check_entry_count(data, label)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self._infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, struct.error) as exc:
            raise WorkbookError("not_a_workbook", name=label) from exc
        if any(i.flag_bits & 0x1 for i in self._infos):
            raise WorkbookError("encrypted", name=label)
        self._data = data
        self._by_lower = {i.filename.lower(): i for i in self._infos}
        zipcheck.check_sizes(self._infos, label)
        self._staged: dict[str, bytes] = {}
        self._entries: dict[str, zipwrite.Entry | zipwrite.Pending] = {}
        self._new: list[str] = []
        self._dropped: set[str] = set()
        self._cache: dict[str, bytes] = {}
        self._rels: dict[str, list[Rel]] = {}
        self._ct: etree._Element | None = None
        self.main = self._main_part()

    # ------------------------------------------------------------------ reading
    def _main_part(self) -> str:
        office = [r for r in self.rels("") if r.is_("officeDocument") and not r.external]
        if not self.has(_CT):
            if not office and not any(n.startswith("xl/") for n in self._by_lower):
                raise WorkbookError("not_a_workbook", name=self.label)
            raise damaged(self.label, f"{_CT} is missing")
        for rel in office:
            if not self.has(rel.target):
                continue
            ctype = self.content_type(rel.target)
            if ".binary." in ctype:
                raise WorkbookError("binary_xlsb", name=self.label)
            if ctype and "spreadsheetml" not in ctype and "ms-excel" not in ctype:
                raise WorkbookError("not_a_workbook_type", name=self.label, type=ctype)
            return self.name_of(rel.target) or rel.target
        if not office and not any(n.startswith("xl/") for n in self._by_lower):
            raise WorkbookError("not_a_workbook", name=self.label)
        if not office:
            raise damaged(self.label, "_rels/.rels names no workbook part")
        raise damaged(self.label, f"the workbook part {office[0].target} is missing")

    def name_of(self, part: str) -> str | None:
        """The stored name of ``part`` (part names are case-insensitive)."""
        if part in self._staged or part in self._entries:
            return part
        info = self._by_lower.get(part.lower())
        return info.filename if info and info.filename not in self._dropped else None

    def has(self, part: str) -> bool:
        return self.name_of(part) is not None

    def info(self, part: str) -> zipfile.ZipInfo | None:
        """The original zip entry of ``part``, if it was in the file."""
        name = self.name_of(part)
        info = self._by_lower.get(name.lower()) if name else None
        return info if info is not None and info.filename == name else None

    def size(self, part: str) -> int:
        """Uncompressed size of ``part`` (0 when absent)."""
        name = self.name_of(part)
        if name is None:
            return 0
        if name in self._staged:
            return len(self._staged[name])
        if name in self._entries:
            return self._entries[name].file_size
        info = self._by_lower[name.lower()]
        return info.file_size

    def read(self, part: str) -> bytes:
        """The part's current content (staged edits included)."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        if name in self._staged:
            return self._staged[name]
        if name in self._entries:
            return self._inflate(self._entry(name))
        return self._original(name)

    def _original(self, name: str) -> bytes:
        """The content ``name`` had in the file (inflated; small parts are kept)."""
        data = self._cache.get(name)
        if data is None:
            try:
                with self._open(name) as f:
                    data = f.read()
            except ZIP_ERRORS as exc:
                raise damaged(self.label, f"part {name} cannot be inflated ({exc})") from exc
            if len(data) <= _CACHED_BYTES:
                self._cache[name] = data
        return data

    def read_buffer(self, part: str) -> bytes | bytearray:
        """Like :meth:`read`, but a large original part is inflated piece by piece into
        one buffer of its declared size: no transient second copy (zlib's own output
        buffer would double the peak for a sheet of 50 MB)."""
        name = self.name_of(part)
        info = self.info(name) if name else None
        if name is None or info is None or name in self._staged or name in self._entries \
                or name in self._cache or info.file_size <= _CACHED_BYTES:
            return self.read(part)
        buf = bytearray(info.file_size)
        view = memoryview(buf)
        pos = 0
        for piece in self.chunks(name):
            if pos + len(piece) > len(buf):
                raise damaged(self.label, f"part {name} inflates past its declared size")
            view[pos:pos + len(piece)] = piece
            pos += len(piece)
        view.release()
        if pos != len(buf):
            raise damaged(self.label, f"part {name} is shorter than its declared size")
        return buf

    def xml(self, part: str) -> etree._Element:
        """The part parsed; :class:`~.errors.DamagedWorkbook` when it is not XML."""
        try:
            return parse_xml(self.read(part))
        except BadXml as exc:
            raise damaged(self.label, f"part {self.name_of(part) or part}: {exc}") from exc

    def stream(self, part: str) -> IO[bytes]:
        """A file object over the part, for streaming parsers."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        if name in self._staged or name in self._entries or name in self._cache:
            return io.BytesIO(self.read(name))
        try:
            return self._open(name)
        except ZIP_ERRORS as exc:
            raise damaged(self.label, f"part {name} cannot be inflated ({exc})") from exc

    def _open(self, name: str) -> IO[bytes]:
        """The original entry ``name`` inflated as it is read (:class:`_Inflating`); an
        entry of another method goes through :mod:`zipfile`."""
        info = self._by_lower[name.lower()]
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return self._zip.open(info)
        return _Inflating(zipwrite.raw_entry(self._data, info))

    def chunks(self, part: str, size: int = 1 << 20) -> Iterator[bytes]:
        """The part's content in pieces of about ``size`` bytes, inflated as they go."""
        with self.stream(part) as f:
            while True:
                try:
                    piece = f.read(size)
                except ZIP_ERRORS as exc:
                    raise damaged(self.label, f"part {part} cannot be inflated ({exc})") \
                        from exc
                if not piece:
                    return
                yield piece

    def rels(self, part: str) -> list[Rel]:
        """Relationships of ``part`` (``""`` = the package), parsed once."""
        name = rels_name(part)
        found = self._rels.get(name)
        if found is not None:
            return found
        out: list[Rel] = []
        if self.has(name):
            for r in self.xml(name).iter(f"{{{PKG_REL_NS}}}Relationship"):
                ext = r.get("TargetMode") == "External"
                tgt = r.get("Target", "")
                if not tgt:
                    continue
                out.append(Rel(r.get("Id", ""), r.get("Type", ""),
                               tgt if ext else resolve(part, tgt), ext))
        self._rels[name] = out
        return out

    def _types(self) -> etree._Element:
        if self._ct is None:
            self._ct = self.xml(_CT)
        return self._ct

    def overrides(self) -> dict[str, str]:
        """Part name (lower case, no leading slash) → content type, from the Overrides."""
        return {o.get("PartName", "").lstrip("/").lower(): o.get("ContentType", "")
                for o in self._types().iter(f"{{{CT_NS}}}Override")}

    def content_type(self, part: str) -> str:
        root = self._types()
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
    def _touched(self, name: str) -> None:
        self._rels.pop(name, None)
        if name == _CT:
            self._ct = None

    def put(self, part: str, data: bytes) -> None:
        """Stage new content for an existing part (dropped again if it is unchanged)."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        self._touched(name)
        self._entries.pop(name, None)
        if name in self._new:
            self._staged[name] = data
            return
        self._staged.pop(name, None)
        if self._original(name) != data:
            self._staged[name] = data

    def writer(self, part: str, old: bytes | bytearray) -> zipwrite.PartWriter:
        """A writer of ``part``'s new content, compared with ``old`` (its current content)
        as it comes; give what it finishes with to :meth:`put_entry`."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        return zipwrite.PartWriter(name, old, self.info(name))

    def put_entry(self, part: str, entry: zipwrite.Entry | zipwrite.Pending | None) -> None:
        """Stage a deflated entry for an existing part; None: the part is as it was.

        A :class:`~.zipwrite.Pending` entry of a part not edited before is staged as it
        is: its writer compared it with the original and it differs. Otherwise it is
        waited for, to see whether the part is back to its original content."""
        name = self.name_of(part)
        if name is None:
            raise KeyError(part)
        edited = name in self._staged or name in self._entries or name in self._new
        self._touched(name)
        if entry is None:
            return
        if isinstance(entry, zipwrite.Pending):
            if not edited:
                self._entries[name] = entry
                return
            entry = entry.entry()
        info = self.info(name)
        if info is not None and entry.crc == info.CRC and entry.file_size == info.file_size \
                and self._inflate(entry) == self._original(name):
            self._staged.pop(name, None)  # back to the original content: nothing to write
            self._entries.pop(name, None)
            return
        if name in self._new:  # a part made in this session stays new: keep it as content
            self._staged[name] = self._inflate(entry)
            return
        self._staged.pop(name, None)
        self._entries[name] = entry

    def _entry(self, name: str) -> zipwrite.Entry:
        """The staged entry of ``name``, waiting for its deflate if it is still pending."""
        e = self._entries[name]
        if isinstance(e, zipwrite.Pending):
            e = self._entries[name] = e.entry()
        return e

    @staticmethod
    def _inflate(e: zipwrite.Entry) -> bytes:
        return e.data if e.compress_type == zipfile.ZIP_STORED else codec.decompress(e.data)

    def add(self, part: str, data: bytes, content_type: str | None) -> None:
        """Stage a new part; ``content_type`` adds an Override for it."""
        if self.has(part):
            raise ValueError(f"part exists: {part}")
        self._new.append(part)
        self._staged[part] = data
        self._touched(part)
        if content_type:
            root = parse_xml(self.read(_CT))
            etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + part,
                             ContentType=content_type)
            self.put(_CT, to_bytes(root))

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
        root = parse_xml(self.read(_CT))
        for o in list(root.iter(f"{{{CT_NS}}}Override")):
            if o.get("PartName", "").lower() == "/" + name.lower():
                root.remove(o)
        self.put(_CT, to_bytes(root))
        for gone in (name, self.name_of(rels_name(name))):
            if gone is None:
                continue
            self._staged.pop(gone, None)
            self._entries.pop(gone, None)
            self._touched(gone)
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

    def snapshot(self) -> _State:
        """The staged state, to go back to with :meth:`restore`."""
        return dict(self._staged), dict(self._entries), list(self._new), set(self._dropped)

    def restore(self, state: _State) -> None:
        self._staged, self._entries = dict(state[0]), dict(state[1])
        self._new, self._dropped = list(state[2]), set(state[3])
        self._rels.clear()
        self._ct = None

    @property
    def original(self) -> bytes:
        """The archive as read from disk."""
        return self._data

    @property
    def changed(self) -> bool:
        return bool(self._staged or self._entries or self._dropped)

    def changed_parts(self) -> set[str]:
        return set(self._staged) | set(self._entries) | self._dropped

    # ------------------------------------------------------------------ writing
    def entries(self) -> Iterator[zipwrite.Entry]:
        """Archive entries of the new file: originals in order (raw copies when unchanged),
        then new parts."""
        for info in self._infos:
            if info.filename in self._dropped:
                continue
            if info.filename in self._entries:
                yield self._entry(info.filename)
            elif info.filename in self._staged:
                yield zipwrite.new_entry(info.filename, self._staged[info.filename], info)
            else:
                yield zipwrite.raw_entry(self._data, info)
        for part in self._new:
            yield zipwrite.new_entry(part, self._staged[part])

    def write(self, fp: BinaryIO) -> None:
        zipwrite.write_zip(fp, self.entries(), self._zip.comment)


_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


class _Inflating(io.RawIOBase):
    """An entry's content read piece by piece, inflated by :mod:`.codec` as it goes;
    like :mod:`zipfile`'s reader it never gives more than the declared size and checks
    the size and the CRC at the end (:class:`zipfile.BadZipFile` otherwise). The
    compressed bytes are fed :data:`_FEED` at a time, so what the inflater keeps of
    its input between reads stays small."""

    _FEED = 256 << 10

    def __init__(self, entry: zipwrite.Entry) -> None:
        self._entry = entry
        self._data = memoryview(entry.data)
        self._pos = 0
        self._d = None if entry.compress_type == zipfile.ZIP_STORED else codec.decompressobj()
        self._tail: bytes = b""
        self._left = entry.file_size
        self._crc = 0
        self._checked = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = self._left if size is None or size < 0 else min(size, self._left)
        if self._d is None:
            piece = bytes(self._data[self._pos:self._pos + want])
            self._pos += len(piece)
        else:
            pieces: list[bytes] = []
            got = 0
            while got < want:
                if self._tail:
                    src: bytes | memoryview = self._tail
                else:  # all fed: b"" still gives what the inflater holds back
                    src = self._data[self._pos:self._pos + self._FEED]
                    self._pos += len(src)
                out = self._d.decompress(src, want - got)
                self._tail = self._d.unconsumed_tail
                pieces.append(out)
                got += len(out)
                if self._d.eof or not (out or src):
                    break
            piece = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self._left -= len(piece)
        self._crc = codec.crc32(piece, self._crc)
        if len(piece) < want or self._left == 0:
            self._end()
        return piece

    def readinto(self, b: Any) -> int:
        piece = self.read(len(b))
        b[:len(piece)] = piece
        return len(piece)

    def _end(self) -> None:
        """At the declared size, or where the stream ends first: sizes and CRC agree
        (checked once: a read after the end gives b"")."""
        if self._checked:
            return
        name = self._entry.name
        if self._left > 0:
            raise zipfile.BadZipFile(f"{name} ends before its declared size")
        rest = self._tail or self._data[self._pos:]
        if self._d is None and len(rest):
            raise zipfile.BadZipFile(f"{name} is longer than its declared size")
        if self._d is not None and not self._d.eof and len(rest) \
                and self._d.decompress(rest, 1):
            raise zipfile.BadZipFile(f"{name} inflates past its declared size")
        if self._crc != self._entry.crc & 0xFFFFFFFF:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
        self._checked = True


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
