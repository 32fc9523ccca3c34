"""A small deterministic zip writer.

Unchanged parts are copied as their original compressed bytes (never recompressed), so
a part nobody touched is the same byte string in the new file, and the same input
always gives the same output (each entry keeps its original date and attributes).

A rewritten part is deflated at :data:`DEFLATE_LEVEL`; :class:`PartWriter` takes its new
content piece by piece, compares it with the old content as it comes and deflates only
from the first difference on, so a large rewritten sheet is never held uncompressed and
an unchanged one costs no deflate.
"""

from __future__ import annotations

import struct
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from koshtorys.core.errors import WorkbookError

from . import codec

__all__ = ["DEFLATE_LEVEL", "Entry", "Pending", "deflating", "PartWriter", "raw_entry",
           "new_entry", "write_zip"]

DEFLATE_LEVEL = 1
"""Deflate level of every part koshtorys writes (:mod:`.codec`: ISA-L's levels 0–3,
zlib's above). Measured on the benchmark's rewritten sheets (docs/xlsx-adapter.md,
docs/speed.md "speed7"): ISA-L at level 1 deflates them ~15× faster than zlib at
level 6, for parts 17 % larger (zlib at level 1: ~2.3× faster, 24 % larger). Parts
nobody changed keep their original bytes, whatever level made them."""

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
        raise WorkbookError("zip_entry_damaged", part=info.filename)
    start = info.header_offset + _LOCAL.size + head[10] + head[11]
    data = archive[start : start + info.compress_size]
    if len(data) != info.compress_size:
        raise WorkbookError("zip_entry_damaged", part=info.filename)
    return Entry(
        info.filename, data, info.CRC, info.file_size, info.compress_type,
        info.date_time, info.flag_bits & 0x0006,
        (info.create_system << 8) | info.create_version,
        info.internal_attr, info.external_attr,
    )


def new_entry(
    name: str, content: bytes, like: zipfile.ZipInfo | None = None,
    level: int | None = None,
) -> Entry:
    """An entry holding ``content``; dates and attributes follow ``like`` when given."""
    method = zipfile.ZIP_STORED if like and like.compress_type == zipfile.ZIP_STORED \
        else zipfile.ZIP_DEFLATED
    if method == zipfile.ZIP_DEFLATED:
        comp = codec.compressobj(DEFLATE_LEVEL if level is None else level)
        data = comp.compress(content) + comp.flush()
    else:
        data = content
    return _entry(name, data, codec.crc32(content), len(content), method, like)


def _entry(name: str, data: bytes, crc: int, size: int, method: int,
           like: zipfile.ZipInfo | None) -> Entry:
    if like is None:
        return Entry(name, data, crc, size, method, _FIXED_DATE)
    return Entry(
        name, data, crc, size, method, like.date_time, 0,
        (like.create_system << 8) | like.create_version, like.internal_attr,
        like.external_attr,
    )


_POOL: ThreadPoolExecutor | None = None
_BATCH = 256 << 10
"""Bytes handed to the deflate thread at once. The codec gives up the GIL while it deflates
but takes it back for every output block, waiting up to a switch interval each time
(hence :func:`deflating`). Measured: with the default 5 ms interval, 200 KB pieces
gained nothing; at 0.5 ms, 256 KB batches deflate even a ×1 table's part (≤ 3 MB) beside
the making of its text — write ×1 0.097 → 0.090 s, ×16 ~1.3 → ~1.2 s — and 128 KB
gained no more."""
_PENDING = 2
"""Batches waiting for the deflate thread at most: memory stays a few batches."""


def _pool() -> ThreadPoolExecutor:
    """One worker thread for deflating: deflate and crc32 release the GIL, so a sheet is
    deflated on the second core while the next rows' text is made on the first."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="koshtorys-deflate")
    return _POOL


@contextmanager
def deflating() -> Iterator[None]:
    """While rows are made and deflated on two threads: Python's switch interval at
    0.5 ms instead of 5 ms, so the deflate thread, taking the GIL back for each output
    block, does not wait 5 ms each time for the thread that makes text."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, 0.0005))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class _Deflate:
    """Deflate and CRC of a stream of pieces, in order, on the deflate thread.

    Pieces are gathered into batches of :data:`_BATCH` bytes; the one worker takes the
    batches first in, first out, so the order (and the CRC) is kept, and
    :meth:`close_later` ends the stream after the last. The bytes are the same as
    deflating the stream in one call.
    """

    def __init__(self, level: int) -> None:
        self._comp = codec.compressobj(level)
        self._out: list[bytes] = []
        self._batch: list[bytes | memoryview] = []
        self._batched = 0
        self._pending: list[Future[None]] = []
        self.crc = 0
        self.size = 0

    def _step(self, pieces: list[bytes | memoryview]) -> None:
        data = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        self.crc = codec.crc32(data, self.crc)
        self._out.append(self._comp.compress(data))

    def _submit(self) -> None:
        if len(self._pending) >= _PENDING:
            self._pending.pop(0).result()  # an error in the worker surfaces here
        self._pending.append(_pool().submit(self._step, self._batch))
        self._batch, self._batched = [], 0

    def feed(self, piece: bytes | memoryview) -> None:
        self.size += len(piece)
        self._batch.append(piece)
        self._batched += len(piece)
        if self._batched >= _BATCH:
            self._submit()

    def close_later(self, done: Callable[[bytes], Entry]) -> Future[Entry]:
        """End the stream without waiting: the deflate thread finishes it after the
        batches before it (one worker: first in, first out) and gives the compressed
        bytes to ``done``; the future holds what ``done`` makes."""
        if self._batch:
            self._submit()
        pending, self._pending = self._pending, []
        return _pool().submit(lambda: done(self._finished(pending)))

    def _finished(self, pending: list[Future[None]]) -> bytes:
        for f in pending:  # done already (they ran first); an error in one surfaces here
            f.result()
        self._out.append(self._comp.flush())
        return b"".join(self._out)


class Pending:
    """A rewritten part still being deflated on the deflate thread: its size is known
    now, its entry when :meth:`entry` is asked for, so the writer goes on to the next
    table meanwhile (at ×1 the writer waited ~14 ms for the ends of eight sheets)."""

    def __init__(self, file_size: int, future: Future[Entry]) -> None:
        self.file_size = file_size
        self._future = future

    def entry(self) -> Entry:
        return self._future.result()


class PartWriter:
    """The new content of an existing part, given piece by piece.

    Pieces are compared with the old content as they come; nothing is deflated while
    they match, and from the first difference on the old prefix and every later piece
    are deflated (the old content is at hand, so no piece is kept). :meth:`finish`
    gives the new entry, or None when the content is the same as before.
    """

    def __init__(self, name: str, old: bytes | bytearray, like: zipfile.ZipInfo | None,
                 level: int | None = None) -> None:
        self.name = name
        self._old = old
        self._like = like
        self._level = DEFLATE_LEVEL if level is None else level
        self._stored = like is not None and like.compress_type == zipfile.ZIP_STORED
        self._pos = 0
        self._deflate: _Deflate | None = None
        self._raw: list[bytes] = []  # a stored (uncompressed) entry stays stored

    def _diverge(self) -> None:
        head = memoryview(self._old)[: self._pos]
        if self._stored:
            self._raw.append(bytes(head))
            self._deflate = _Deflate(0)  # unused: marks the divergence
        else:
            self._deflate = _Deflate(self._level)
            self._deflate.feed(head)

    def write(self, piece: bytes) -> None:
        if self._deflate is None:
            if self._old.startswith(piece, self._pos):
                self._pos += len(piece)
                return
            self._diverge()
        assert self._deflate is not None
        if self._stored:
            self._raw.append(piece)
        else:
            self._deflate.feed(piece)
        self._pos += len(piece)

    def finish(self) -> Entry | None:
        """The new entry, or None when nothing changed."""
        entry = self.finish_later()
        return entry.entry() if isinstance(entry, Pending) else entry

    def finish_later(self) -> Entry | Pending | None:
        """The new entry, or None when nothing changed; a deflated part comes back
        :class:`Pending`: what is left of its deflate runs on while the caller goes on."""
        if self._deflate is None:
            if self._pos == len(self._old):
                return None
            self._diverge()  # the new content is a prefix of the old
        if self._stored:
            content = b"".join(self._raw)
            return _entry(self.name, content, codec.crc32(content), len(content),
                          zipfile.ZIP_STORED, self._like)
        d, name, like = self._deflate, self.name, self._like
        assert d is not None
        # the closure holds neither this writer nor its old content (a sheet of 50 MB
        # at ×16 must not live on while the next table is written)
        return Pending(d.size, d.close_later(
            lambda data: _entry(name, data, d.crc & _MAX32, d.size, zipfile.ZIP_DEFLATED,
                                like)))

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
            raise WorkbookError("over_4gb")
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
        raise WorkbookError("no_zip64")
    for c in central:
        fp.write(c)
    fp.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), size, offset,
                       len(comment)))
    fp.write(comment)
