"""A zip's directory checked against :mod:`koshtorys.core.limits` before anything in it
is inflated: the entry count (from the end record, before the zip module builds its
directory), each entry's declared size and deflate ratio, and the total.

Declared sizes can be trusted as bounds: the zip module never inflates an entry past
its declared size, and a size that lies low shows up as a CRC error (a damaged part).
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Sequence

from koshtorys.core import limits

from .errors import too_large

__all__ = ["check_entry_count", "check_sizes"]


def _declared_entries(data: bytes) -> int | None:
    """The entry count of the zip's end record (zip64 included), read before the zip
    module builds its directory; None when the record is not found."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    count = struct.unpack_from("<H", data, at + 10)[0]
    loc = at - 20
    if count == 0xFFFF and loc >= 0 and data[loc:loc + 4] == b"PK\x06\x07":
        off = struct.unpack_from("<Q", data, loc + 8)[0]
        if off + 56 <= len(data) and data[off:off + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", data, off + 32)[0]
    return count


def check_entry_count(data: bytes, label: str) -> None:
    """Refuse an archive whose end record declares more than MAX_ENTRIES entries."""
    declared = _declared_entries(data)
    if declared is not None and declared > limits.MAX_ENTRIES:
        raise too_large(label, f"{declared:,} zip entries (at most {limits.MAX_ENTRIES:,})")


def check_sizes(infos: Sequence[zipfile.ZipInfo], label: str) -> None:
    """Refuse a zip bomb from its directory, before anything is inflated."""
    total = 0
    for i in infos:
        total += i.file_size
        if i.file_size > limits.MAX_PART_BYTES:
            raise too_large(label, f"part {i.filename} inflates to "
                            f"{i.file_size / 2**20:,.0f} MiB (at most "
                            f"{limits.MAX_PART_BYTES / 2**20:,.0f} MiB)")
        if i.file_size > limits.RATIO_FLOOR_BYTES and \
                i.file_size > limits.MAX_RATIO * max(i.compress_size, 1):
            raise too_large(label, f"part {i.filename} inflates "
                            f"{i.file_size / max(i.compress_size, 1):,.0f} times (at most "
                            f"{limits.MAX_RATIO} times): a zip bomb?")
    if total > limits.MAX_TOTAL_BYTES:
        raise too_large(label, f"its parts inflate to {total / 2**20:,.0f} MiB (at most "
                        f"{limits.MAX_TOTAL_BYTES / 2**20:,.0f} MiB)")
