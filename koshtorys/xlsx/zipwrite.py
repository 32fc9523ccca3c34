"""A small deterministic zip writer.

Unchanged parts are copied as their original compressed bytes (never recompressed), so
a part nobody touched is the same byte string in the new file, and the same input
always gives the same output (each entry keeps its original date and attributes).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from koshtorys.core.errors import WorkbookError

__all__ = ["Entry", "raw_entry", "new_entry", "write_zip"]

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_MAX32 = 0xFFFFFFFF
_FIXED_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Entry:
    """One archive member, already compressed."""

    name: str
    data: bytes
    """Compressed bytes as stored in the archive."""
    crc: int
    file_size: int
    compress_type: int
    date_time: tuple[int, int, int, int, int, int]
    flags: int = 0
    made_by: int = 20
    internal_attr: int = 0
    external_attr: int = 0


def raw_entry(archive: bytes, info: zipfile.ZipInfo) -> Entry:
    """``info``'s member of ``archive`` with its compressed bytes, for copying as is."""
    head = _LOCAL.unpack_from(archive, info.header_offset)
    if head[0] != b"PK\x03\x04":
        raise WorkbookError(f"damaged zip entry {info.filename}")
    start = info.header_offset + _LOCAL.size + head[10] + head[11]
    data = archive[start : start + info.compress_size]
    if len(data) != info.compress_size:
        raise WorkbookError(f"damaged zip entry {info.filename}")
    return Entry(
        info.filename, data, info.CRC, info.file_size, info.compress_type,
        info.date_time, info.flag_bits & 0x0006,
        (info.create_system << 8) | info.create_version,
        info.internal_attr, info.external_attr,
    )


def new_entry(
    name: str, content: bytes, like: zipfile.ZipInfo | None = None, level: int = 6
) -> Entry:
    """An entry holding ``content``; dates and attributes follow ``like`` when given."""
    method = zipfile.ZIP_STORED if like and like.compress_type == zipfile.ZIP_STORED \
        else zipfile.ZIP_DEFLATED
    if method == zipfile.ZIP_DEFLATED:
        comp = zlib.compressobj(level, zlib.DEFLATED, -15)
        data = comp.compress(content) + comp.flush()
    else:
        data = content
    if like is None:
        return Entry(name, data, zlib.crc32(content), len(content), method, _FIXED_DATE)
    return Entry(
        name, data, zlib.crc32(content), len(content), method, like.date_time, 0,
        (like.create_system << 8) | like.create_version, like.internal_attr,
        like.external_attr,
    )


def _dos(dt: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = dt
    if y < 1980:
        y, mo, d, h, mi, s = _FIXED_DATE
    return (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d


def write_zip(fp: BinaryIO, entries: Iterable[Entry], comment: bytes = b"") -> None:
    """Write ``entries`` in order as a complete archive to ``fp``."""
    central: list[bytes] = []
    offset = 0
    for e in entries:
        if max(len(e.data), e.file_size, offset) > _MAX32:
            raise WorkbookError("workbook too large (over 4 GB)")
        name = e.name.encode("utf-8")
        flags = e.flags | (0x800 if not e.name.isascii() else 0)
        t, d = _dos(e.date_time)
        crc = e.crc & _MAX32
        fp.write(_LOCAL.pack(b"PK\x03\x04", 20, 0, flags, e.compress_type, t, d, crc,
                             len(e.data), e.file_size, len(name), 0))
        fp.write(name)
        fp.write(e.data)
        central.append(
            _CENTRAL.pack(b"PK\x01\x02", e.made_by & 0xFF, e.made_by >> 8, 20, 0, flags,
                          e.compress_type, t, d, crc, len(e.data), e.file_size, len(name),
                          0, 0, 0, e.internal_attr, e.external_attr, offset) + name
        )
        offset += _LOCAL.size + len(name) + len(e.data)
    size = sum(len(c) for c in central)
    if len(central) > 0xFFFF or offset > _MAX32:
        raise WorkbookError("workbook too large for a zip archive without zip64")
    for c in central:
        fp.write(c)
    fp.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, offset,
                       len(comment)))
    fp.write(comment)
