"""A source-only VBA project (``vbaProject.bin``) written per MS-OVBA.

Excel keeps two forms of each module: the source text (compressed) and a
version-dependent compiled cache (p-code, ``_VBA_PROJECT``). MS-OVBA says a
writer MUST NOT write the cache: ``_VBA_PROJECT`` is the 7-byte header with
version 0xFFFF and every module's source starts at offset 0, so Excel compiles
the project from source when it opens the file. xlwings' own
``quickstart_addin_ribbon.xlam`` ships its ``xlwings`` module in this form.

Pieces: :func:`compress` (MS-OVBA 2.4.1), :func:`encrypt` / :func:`decrypt`
(the "data encryption" of the PROJECT stream's CMG/DPB/GC values, 2.4.3),
:func:`vba_project_bin` (the ``dir``, ``PROJECT``, ``PROJECTwm`` and module
streams in a compound file).
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from typing import Literal

from .cfb import write_cfb

__all__ = ["Module", "compress", "encrypt", "decrypt", "vba_project_bin", "CODEPAGE"]

CODEPAGE = 1252
"""Code page of module source and names: keep VBA source ASCII."""
_ENCODING = "cp1252"
_CHUNK = 4096
#: The Microsoft Office object library (defines IRibbonControl), as Excel records it.
_OFFICE_LIBID = (
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files (x86)\Common Files"
    r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library"
)
#: Host extender line Excel writes in every PROJECT stream.
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_UNPROTECTED = b"\0\0\0\0"  # CMG: ProjectProtectionState with no flag set
_NO_PASSWORD = b"\0"  # DPB: no password
_VISIBLE = b"\xff"  # GC: the project is visible


@dataclass(frozen=True)
class Module:
    """One VBA module: name, kind and source text (with its ``Attribute`` lines)."""

    name: str
    kind: Literal["standard", "class", "document"]
    source: str


# --- MS-OVBA 2.4.1: compression -------------------------------------------------------


def _copy_token_help(pos_in_chunk: int) -> tuple[int, int]:
    """(bit count of the offset, maximum length) at this position of a chunk."""
    bits = max((pos_in_chunk - 1).bit_length(), 4)
    return bits, (0xFFFF >> bits) + 3


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = 0, 0
            if pos + 3 <= n:
                bits, max_len = _copy_token_help(pos)
                limit = min(max_len, n - pos)
                for cand in reversed(heads.get(chunk[pos:pos + 3], [])[-64:]):
                    length = 3
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                step = best_len
            else:
                out.append(chunk[pos])
                step = 1
            for p in range(pos, min(pos + step, n - 2)):
                heads.setdefault(chunk[p:p + 3], []).append(p)
            pos += step
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """``data`` as an MS-OVBA CompressedContainer."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start:start + _CHUNK]
        packed = _compress_chunk(chunk)
        if len(packed) > _CHUNK and len(chunk) == _CHUNK:
            out += struct.pack("<H", (_CHUNK + 2 - 3) | 0x3000) + chunk  # raw chunk
            continue
        if len(packed) > _CHUNK:
            raise ValueError("incompressible tail chunk")
        out += struct.pack("<H", (len(packed) + 2 - 3) | 0x3000 | 0x8000) + packed
    return bytes(out)


# --- MS-OVBA 2.4.3: data encryption of CMG / DPB / GC ----------------------------------


def _proj_key(project_id: str) -> int:
    return sum(project_id.encode(_ENCODING)) & 0xFF


def encrypt(data: bytes, project_id: str, seed: int) -> str:
    """``data`` encrypted as MS-OVBA 2.4.3.2 says, as the hex text the PROJECT stream holds."""
    version, key = 2, _proj_key(project_id)
    out = bytearray([seed, seed ^ version, seed ^ key])
    unenc1, enc1, enc2 = key, seed ^ key, seed ^ version
    plain = b"\0" * ((seed & 6) // 2) + struct.pack("<I", len(data)) + data
    for byte in plain:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """The data behind a CMG/DPB/GC value (2.4.3.3)."""
    raw = bytes.fromhex(text)
    seed, version_enc, key_enc = raw[:3]
    if seed ^ version_enc != 2:
        raise ValueError("not an MS-OVBA encrypted value")
    unenc1, enc1, enc2 = seed ^ key_enc, key_enc, version_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    skip = (seed & 6) // 2
    (length,) = struct.unpack_from("<I", plain, skip)
    return bytes(plain[skip + 4: skip + 4 + length])


# --- the dir stream (2.3.4.2) ---------------------------------------------------------


def _rec(rid: int, body: bytes) -> bytes:
    return struct.pack("<HI", rid, len(body)) + body


def _text_rec(rid: int, rid_unicode: int, text: str) -> bytes:
    return _rec(rid, text.encode(_ENCODING)) + _rec(rid_unicode, text.encode("utf-16-le"))


def _dir_stream(name: str, modules: list[Module]) -> bytes:
    d = bytearray()
    d += _rec(0x01, struct.pack("<I", 1))  # SYSKIND: Win32 (Excel recompiles for Win64/Mac)
    d += _rec(0x02, struct.pack("<I", 0x409))  # LCID
    d += _rec(0x14, struct.pack("<I", 0x409))  # LCIDINVOKE
    d += _rec(0x03, struct.pack("<H", CODEPAGE))
    d += _rec(0x04, name.encode(_ENCODING))
    d += _text_rec(0x05, 0x40, "")  # doc string
    d += _text_rec(0x06, 0x3D, "")  # help file paths (both empty)
    d += _rec(0x07, struct.pack("<I", 0))  # help context
    d += _rec(0x08, struct.pack("<I", 0))  # lib flags
    d += struct.pack("<HIIH", 0x09, 4, 1, 0)  # version 1.0 (Reserved = 4, major, minor)
    d += _text_rec(0x0C, 0x3C, "")  # conditional compilation constants
    # References: the Office library (IRibbonControl). VBA and Excel are implicit.
    d += _text_rec(0x16, 0x3E, "Office")
    libid = _OFFICE_LIBID.encode(_ENCODING)
    d += _rec(0x0D, struct.pack("<I", len(libid)) + libid + struct.pack("<IH", 0, 0))
    d += _rec(0x0F, struct.pack("<H", len(modules)))
    d += _rec(0x13, struct.pack("<H", 0xFFFF))  # project cookie
    for m in modules:
        d += _rec(0x19, m.name.encode(_ENCODING))
        d += _rec(0x47, m.name.encode("utf-16-le"))
        d += _text_rec(0x1A, 0x32, m.name)  # stream name
        d += _text_rec(0x1C, 0x48, "")  # doc string
        d += _rec(0x31, struct.pack("<I", 0))  # source at offset 0: no p-code cache
        d += _rec(0x1E, struct.pack("<I", 0))  # help context
        d += _rec(0x2C, struct.pack("<H", 0xFFFF))  # cookie
        d += _rec(0x21 if m.kind == "standard" else 0x22, b"")
        d += _rec(0x2B, b"")  # module terminator
    d += _rec(0x10, b"")  # dir terminator
    return bytes(d)


def _project_stream(project_id: str, name: str, modules: list[Module], seed: int) -> bytes:
    kinds = {"document": "Document={}/&H00000000", "standard": "Module={}", "class": "Class={}"}
    lines = [f'ID="{project_id}"']
    lines += [kinds[m.kind].format(m.name) for m in modules]
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(_UNPROTECTED, project_id, seed)}"',
        f'DPB="{encrypt(_NO_PASSWORD, project_id, (seed + 1) & 0xFF)}"',
        f'GC="{encrypt(_VISIBLE, project_id, (seed + 2) & 0xFF)}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(_ENCODING)


def _project_wm(modules: list[Module]) -> bytes:
    out = bytearray()
    for m in modules:
        out += m.name.encode(_ENCODING) + b"\0" + m.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


def _crlf(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\r\n")


def vba_project_bin(name: str, modules: list[Module], seed: int = 0x5D) -> bytes:
    """The ``xl/vbaProject.bin`` of a project called ``name`` holding ``modules``.

    Deterministic: the project id derives from ``name`` and the module names, so the
    same sources build the same bytes.
    """
    for m in modules:
        m.source.encode("ascii")  # VBA source must survive any code page: ASCII only
        if not m.source.startswith(f'Attribute VB_Name = "{m.name}"'):
            raise ValueError(f"module {m.name}: source must start with its VB_Name attribute")
    ns = uuid.UUID("6f1c2b0e-6a53-4d0b-9a55-6b6f73687472")
    project_id = "{" + str(uuid.uuid5(ns, name + "|" + "|".join(m.name for m in modules)))
    project_id = project_id.upper() + "}"
    streams = {
        "PROJECT": _project_stream(project_id, name, modules, seed),
        "PROJECTwm": _project_wm(modules),
        "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000100"),
        "VBA/dir": compress(_dir_stream(name, modules)),
    }
    for m in modules:
        streams[f"VBA/{m.name}"] = compress(_crlf(m.source).encode(_ENCODING))
    return write_cfb(streams)
