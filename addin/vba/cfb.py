"""A minimal writer of Compound File Binary files (MS-CFB), the container of ``vbaProject.bin``.

Python has readers (``olefile``, ``compoundfiles``) but no writer on PyPI that can
create a file from scratch, and a VBA project is small: version 3 (512-byte
sectors), streams under 4 096 bytes in the mini stream, no DIFAT sectors
(enough for files up to ~7 MB). Directory siblings form a valid red-black tree
(balanced, the incomplete last level red), ordered as MS-CFB 2.6.4 requires.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

__all__ = ["write_cfb"]

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _order(name: str) -> tuple[int, str]:
    """MS-CFB sibling order: shorter names first, then by upper-cased characters."""
    return (len(name), name.upper())


def _tree(children: list[_Entry]) -> int:
    """Link ``children`` as a balanced red-black tree; return the root's id."""
    nodes = sorted(children, key=lambda e: _order(e.name))
    full_levels = int(math.floor(math.log2(len(nodes) + 1))) if nodes else 0

    def build(lo: int, hi: int, depth: int) -> int:
        if lo > hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = nodes[mid]
        node.color = _RED if depth >= full_levels else _BLACK
        node.left = build(lo, mid - 1, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.sid

    return build(0, len(nodes) - 1, 0)


def _chain(fat: list[int], start: int, count: int) -> None:
    for i in range(count):
        fat[start + i] = start + i + 1 if i < count - 1 else ENDOFCHAIN


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _dir_entry(e: _Entry | None, size: int = 0) -> bytes:
    if e is None:
        return (b"\0" * 64 + struct.pack("<HBB3I", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
                + b"\0" * 36 + struct.pack("<IQ", 0, 0))
    name = e.name.encode("utf-16-le")
    if len(name) > 62:
        raise ValueError(f"CFB name too long: {e.name}")
    return (name.ljust(64, b"\0")
            + struct.pack("<HBB3I", len(name) + 2, e.kind, e.color, e.left, e.right, e.child)
            + b"\0" * 16  # CLSID
            + struct.pack("<I", 0)  # state bits
            + b"\0" * 16  # creation and modification times
            + struct.pack("<IQ", e.start, size))


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams`` (paths like ``"VBA/dir"``; storages implied)."""
    root = _Entry("Root Entry", 5)
    entries = [root]
    storages = {"": root}
    for path, data in streams.items():
        parts = path.split("/")
        parent = root
        for i, part in enumerate(parts[:-1]):
            key = "/".join(parts[: i + 1])
            if key not in storages:
                storages[key] = _Entry(part, 1)
                parent.children.append(storages[key])
                entries.append(storages[key])
            parent = storages[key]
        stream = _Entry(parts[-1], 2, bytes(data))
        parent.children.append(stream)
        entries.append(stream)
    for sid, e in enumerate(entries):
        e.sid = sid
    for e in entries:
        if e.kind in (1, 5):
            e.child = _tree(e.children)
    root.color = _BLACK

    # Small streams go to the mini stream, the rest to regular sectors.
    mini, minifat, big = bytearray(), [], []
    for e in entries:
        if e.kind != 2 or not e.data:
            continue
        if len(e.data) < MINI_CUTOFF:
            e.start = len(mini) // MINI_SECTOR
            count = -(-len(e.data) // MINI_SECTOR)
            minifat.extend([0] * count)
            _chain(minifat, e.start, count)
            mini += _pad(e.data, MINI_SECTOR)
        else:
            big.append(e)

    n_dir = -(-len(entries) // (SECTOR // 128))
    n_minifat = -(-len(minifat) * 4 // SECTOR)
    n_mini = -(-len(mini) // SECTOR)
    n_big = [-(-len(e.data) // SECTOR) for e in big]
    n_other = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (SECTOR // 4) < n_fat + n_other:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for this writer (no DIFAT sectors)")

    fat = [FREESECT] * (n_fat * (SECTOR // 4))
    for i in range(n_fat):
        fat[i] = FATSECT
    pos = n_fat
    dir_start = pos
    _chain(fat, pos, n_dir)
    pos += n_dir
    minifat_start = pos if n_minifat else ENDOFCHAIN
    _chain(fat, pos, n_minifat)
    pos += n_minifat
    root.start = pos if n_mini else ENDOFCHAIN
    _chain(fat, pos, n_mini)
    pos += n_mini
    for e, n in zip(big, n_big, strict=True):
        e.start = pos
        _chain(fat, pos, n)
        pos += n

    header = bytearray(_SIGNATURE + b"\0" * 16)
    header += struct.pack("<5H6s", 0x3E, 3, 0xFFFE, 9, 6, b"\0" * 6)
    header += struct.pack("<9I", 0, n_fat, dir_start, 0, MINI_CUTOFF, minifat_start,
                          n_minifat, ENDOFCHAIN, 0)
    header += struct.pack("<109I", *(list(range(n_fat)) + [FREESECT] * (109 - n_fat)))

    directory = b"".join(
        _dir_entry(e, len(mini) if e.kind == 5 else len(e.data) if e.kind == 2 else 0)
        for e in entries
    )
    directory += _dir_entry(None) * (n_dir * 4 - len(entries))
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", FREESECT) * (n_minifat * 128 - len(minifat))
    body = [struct.pack(f"<{len(fat)}I", *fat), directory, minifat_bytes, _pad(bytes(mini), SECTOR)]
    body += [_pad(e.data, SECTOR) for e in big]
    out = bytes(header) + b"".join(body)
    assert len(out) == SECTOR * (1 + pos), "sector accounting"
    return out
