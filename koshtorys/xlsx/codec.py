"""Raw deflate for the zip adapter: ISA-L (python-isal) when it is installed, else zlib.

Both read and write the same raw deflate streams (RFC 1951), so a file written with one
is read by the other, by Excel and by every zip tool. ISA-L is Intel's assembly
implementation: on the parts a ×16 refresh rewrites it deflates at its level 1 in
0.06 s against zlib's 0.45 s at level 1, for 12.95 against 13.75 MB, and inflates 2–3×
faster (docs/speed.md, "speed7"); like zlib it releases the GIL while it works, so the
deflate thread keeps running beside the thread that makes text. ISA-L has levels 0–3
only: a level above 3 (the benchmark's level-6 comparison) is zlib's.
"""

from __future__ import annotations

import zlib
from typing import Any, Protocol

try:  # a wheel for every platform koshtorys runs on; zlib is the fallback, not an error
    from isal import isal_zlib as _fast
except ImportError:  # pragma: no cover - exercised where python-isal is absent
    _fast = None

__all__ = ["ENGINE", "ERRORS", "compressobj", "decompressobj", "decompress", "crc32"]

ENGINE = "isal" if _fast is not None else "zlib"
"""Which library deflates and inflates (for the benchmark and the docs)."""

ERRORS: tuple[type[BaseException], ...] = (zlib.error,) + (
    (_fast.error,) if _fast is not None and _fast.error is not zlib.error else ())
"""What a damaged deflate stream raises."""


class Compressor(Protocol):
    def compress(self, data: Any, /) -> bytes: ...
    def flush(self, mode: int = ..., /) -> bytes: ...


class Decompressor(Protocol):
    unconsumed_tail: bytes
    eof: bool

    def decompress(self, data: Any, /, max_length: int = ...) -> bytes: ...


def compressobj(level: int) -> Compressor:
    """A raw deflate compressor at ``level`` (ISA-L for 0–3, zlib above)."""
    if _fast is not None and level <= 3:
        return _fast.compressobj(level, _fast.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


def decompressobj() -> Decompressor:
    """A raw deflate decompressor that can stop at a given output length."""
    return (_fast or zlib).decompressobj(-15)


def decompress(data: bytes) -> bytes:
    """A whole raw deflate stream inflated."""
    return (_fast or zlib).decompress(data, -15)


def crc32(data: Any, value: int = 0) -> int:
    """CRC-32 as zip stores it (ISA-L's is faster and gives the same value)."""
    return (_fast or zlib).crc32(data, value)
