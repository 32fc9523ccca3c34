"""The part writer's threaded deflate gives a valid stream of exactly the pieces given.

Expectations come from the standard library: zlib inflates the entry back, crc32 of the
joined pieces is the entry's CRC, and a zip written with the entry opens in zipfile.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.xlsx import zipwrite


def _inflate(data: bytes) -> bytes:
    return zlib.decompressobj(-15).decompress(data)


pieces_st = st.lists(st.binary(min_size=0, max_size=300), min_size=0, max_size=40)


@settings(max_examples=60, deadline=None)
@given(old=st.binary(max_size=500), pieces=pieces_st, batch=st.integers(1, 700))
def test_pieces_come_back_in_order_whatever_the_batch(old: bytes, pieces: list[bytes],
                                                      batch: int) -> None:
    saved = zipwrite._BATCH
    zipwrite._BATCH = batch  # small batches: many hand-offs to the deflate thread
    try:
        w = zipwrite.PartWriter("xl/worksheets/sheet1.xml", old, None)
        with zipwrite.deflating():
            for p in pieces:
                w.write(p)
        entry = w.finish()
    finally:
        zipwrite._BATCH = saved
    new = b"".join(pieces)
    if new == old:
        assert entry is None
        return
    assert entry is not None
    assert _inflate(entry.data) == new
    assert entry.crc == zlib.crc32(new)
    assert entry.file_size == len(new)


@settings(max_examples=60, deadline=None)
@given(parts=st.lists(st.tuples(st.binary(max_size=300), pieces_st), min_size=1, max_size=6),
       batch=st.integers(1, 700))
def test_parts_left_deflating_come_out_as_written(parts: list[tuple[bytes, list[bytes]]],
                                                  batch: int) -> None:
    """Several parts written one after another, each left deflating (finish_later) while
    the next is written: each pending entry, asked for at the end, is its own pieces."""
    saved = zipwrite._BATCH
    zipwrite._BATCH = batch
    try:
        got = []
        with zipwrite.deflating():
            for k, (old, pieces) in enumerate(parts):
                w = zipwrite.PartWriter(f"xl/worksheets/sheet{k}.xml", old, None)
                for p in pieces:
                    w.write(p)
                got.append(w.finish_later())
    finally:
        zipwrite._BATCH = saved
    for (old, pieces), entry in zip(parts, got, strict=True):
        new = b"".join(pieces)
        if new == old:
            assert entry is None
            continue
        assert isinstance(entry, zipwrite.Pending)
        assert entry.file_size == len(new)  # known before the deflate has finished
        e = entry.entry()
        assert (_inflate(e.data), e.crc, e.file_size) == (new, zlib.crc32(new), len(new))


def test_a_large_part_is_a_zip_member_zipfile_reads() -> None:
    text = b"".join(b'<row r="%d"><c r="A%d"><v>%d.25</v></c></row>' % (i, i, i * 7)
                    for i in range(1, 200_000))  # ~9 MB: several batches
    w = zipwrite.PartWriter("xl/worksheets/sheet1.xml", b"<old/>", None)
    for k in range(0, len(text), 65_536):
        w.write(text[k:k + 65_536])
    entry = w.finish()
    assert entry is not None
    buf = io.BytesIO()
    zipwrite.write_zip(buf, [entry])
    with zipfile.ZipFile(buf) as z:
        assert z.testzip() is None
        assert z.read("xl/worksheets/sheet1.xml") == text


def test_the_switch_interval_is_given_back() -> None:
    import sys

    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), zipwrite.deflating():
        assert sys.getswitchinterval() <= 0.0005
        raise RuntimeError
    assert sys.getswitchinterval() == before


@pytest.fixture
def broken_deflate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every batch fails on the deflate thread; a batch is one byte."""
    monkeypatch.setattr(zipwrite, "_BATCH", 1)

    def broken(self: object, pieces: list[bytes]) -> None:
        raise zlib.error("simulated")

    monkeypatch.setattr(zipwrite._Deflate, "_step", broken)


@pytest.mark.usefixtures("broken_deflate")
def test_an_error_in_the_deflate_thread_reaches_the_writer() -> None:
    w = zipwrite.PartWriter("x", b"", None)
    with pytest.raises(zlib.error):
        for _ in range(5):
            w.write(b"abc")
        w.finish()



@pytest.mark.usefixtures("broken_deflate")
def test_an_error_in_the_deflate_thread_reaches_a_pending_entry() -> None:
    w = zipwrite.PartWriter("x", b"", None)
    w.write(b"abc")
    pending = w.finish_later()
    assert isinstance(pending, zipwrite.Pending)
    with pytest.raises(zlib.error):
        pending.entry()
