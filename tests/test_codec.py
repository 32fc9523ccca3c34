"""The deflate codec and the package's own inflating reader.

What is written with the codec (ISA-L) must be read by the standard library's zipfile
and zlib, byte for byte; what zlib wrote must come back whole through the package's
piecewise reader, whatever the read sizes; and a lying entry (wrong CRC, wrong size)
must be refused as zipfile refuses it.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.core.errors import DamagedWorkbook
from koshtorys.xlsx import codec, zipwrite
from koshtorys.xlsx.package import Package

_SKELETON = {  # the least a package needs: content types, the root rels, a workbook part
    "[Content_Types].xml":
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    "_rels/.rels":
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml":
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
}

# texts like sheet XML (repetitive, so deflate finds long matches) and noise
_xmlish = st.lists(st.sampled_from([b'<c r="A1" s="3"><v>12.5</v></c>', b"<row r=\"7\">",
                                    b"</row>", "Ї".encode() * 40, b"x" * 3000]),
                   max_size=400).map(b"".join)
_content = st.one_of(_xmlish, st.binary(max_size=20000))


def _zip(members: dict[str, tuple[bytes, int]]) -> bytes:
    """An archive written by the standard library: name → (content, method)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in _SKELETON.items():
            z.writestr(name, data)
        for name, (data, method) in members.items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buf.getvalue()


@settings(max_examples=150, deadline=None)
@given(data=_content, level=st.integers(0, 9))
def test_codec_output_is_plain_deflate(data: bytes, level: int) -> None:
    c = codec.compressobj(level)
    packed = c.compress(data) + c.flush()
    assert zlib.decompress(packed, -15) == data  # the standard library reads it
    assert codec.decompress(packed) == data
    assert codec.crc32(data) == zlib.crc32(data)


@settings(max_examples=150, deadline=None)
@given(data=_content, method=st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]),
       sizes=st.lists(st.integers(1, 70000), min_size=1, max_size=30))
def test_piecewise_reads_give_the_whole_part(data: bytes, method: int,
                                             sizes: list[int]) -> None:
    pkg = Package(_zip({"xl/a.bin": (data, method)}))
    with pkg.stream("xl/a.bin") as f:
        got = []
        for n in sizes * (1 + len(data) // max(sum(sizes), 1)):
            piece = f.read(n)
            assert len(piece) <= n
            got.append(piece)
        got.append(f.read())
    assert b"".join(got) == data
    assert b"".join(pkg.chunks("xl/a.bin", 4096)) == data


def _lie(archive: bytes, name: str, crc: int | None = None, size: int | None = None) -> bytes:
    """``archive`` with the central directory entry of ``name`` declaring another CRC
    or size (the local header too, so only our own checks can notice)."""
    out = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    for at, field in ((info.header_offset, 14), (archive.rfind(b"PK\x01\x02"), 16)):
        if crc is not None:
            out[at + field:at + field + 4] = crc.to_bytes(4, "little")
        if size is not None:
            out[at + field + 8:at + field + 12] = size.to_bytes(4, "little")
    return bytes(out)


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("lie", ["crc", "shorter", "longer"])
def test_an_entry_that_lies_about_itself_is_refused(method: int, lie: str) -> None:
    data = b"<row>" * 5000
    good = _zip({"xl/a.bin": (data, method)})
    bad = _lie(good, "xl/a.bin", crc=zlib.crc32(data) ^ 1) if lie == "crc" else \
        _lie(good, "xl/a.bin", size=len(data) + (-10 if lie == "shorter" else 10))
    pkg = Package(bad)
    with pytest.raises(DamagedWorkbook):
        pkg.read("xl/a.bin")
    with pytest.raises(DamagedWorkbook):
        b"".join(pkg.chunks("xl/a.bin", 1000))


def test_written_entries_are_read_by_zipfile() -> None:
    """Entries deflated by the codec, in an archive from write_zip, pass zipfile's own
    CRC check and give back the content."""
    contents = {f"xl/p{i}.xml": b"<c><v>%d</v></c>" % i * (200 * i + 1) for i in range(6)}
    entries = [zipwrite.new_entry(n, c) for n, c in contents.items()]
    buf = io.BytesIO()
    zipwrite.write_zip(buf, entries)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert z.testzip() is None
        assert {n: z.read(n) for n in z.namelist()} == contents


def test_without_isal_zlib_does_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where python-isal cannot be installed, zlib writes and reads the same content."""
    data = b'<c r="B2"><v>3.25</v></c>' * 4000
    fast = zipwrite.new_entry("xl/a.xml", data)
    monkeypatch.setattr(codec, "_fast", None)
    slow = zipwrite.new_entry("xl/a.xml", data)
    assert slow.data == zlib.compress(data, 1, -15)  # zlib's own bytes at level 1
    for e in (fast, slow):
        assert codec.decompress(e.data) == data
        assert Package._inflate(e) == data
        assert (e.crc, e.file_size) == (zlib.crc32(data), len(data))
