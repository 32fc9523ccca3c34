"""The text searches that let a refresh read and cut sheets without parsing
them give the answers of the plain searches they replace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.xlsx.rowcut import find_rare


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"<!a"[x % 3] for x in b)),
       st.integers(0, 45), st.integers(0, 45))
def test_markup_declaration_search_is_find(data: bytes, start: int, stop: int) -> None:
    """The rows' text is refused for a comment or CDATA exactly when ``<!`` lies inside
    the searched span (a ``<`` just before the span does not count)."""
    assert (find_rare(data, b"<!", 1, start, stop) >= 0) == (data.find(b"<!", start, stop) >= 0)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"f>='<"[x % 5] for x in b)),
       st.sampled_from([(b"f>", 0), (b"='", 1), (b"</f", 2), (b"f", 0)]), st.integers(0, 45),
       st.one_of(st.none(), st.integers(0, 45)))
def test_find_by_a_rare_byte_is_find(data: bytes, needle: tuple[bytes, int], at: int,
                                     stop: int | None) -> None:
    """The plain-sheet scan's search by a rare byte finds what bytes.find finds."""
    text, rare = needle
    assert find_rare(data, text, rare, at) == data.find(text, at)
    if stop is not None:
        assert find_rare(data, text, rare, at, stop) == data.find(text, at, stop)


def _sheet(rows: list[bytes]) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b"<sheetData>" + b"".join(rows) + b"</sheetData></worksheet>")


@given(st.lists(st.sampled_from(["numbered", "unnumbered", "spans first"]), min_size=1,
                max_size=8))
def test_a_row_without_its_number_first_is_not_cut_by_text(kinds: list[str]) -> None:
    """The fast cut takes only rows whose tag starts with their number; any other row
    tag in the span sends the sheet to the row-by-row cut (None here)."""
    from koshtorys.xlsx.rowcut import cut_span

    rows = []
    for r, kind in enumerate(kinds, 2):
        tag = {"numbered": f'<row r="{r}">', "unnumbered": "<row>",
               "spans first": f'<row spans="1:2" r="{r}">'}[kind]
        rows.append(tag.encode() + f'<c r="A{r}"><v>1</v></c></row>'.encode())
    span = cut_span(_sheet([b'<row r="1"><c r="A1"><v>0</v></c></row>', *rows]), 2,
                    len(kinds) + 1, b"<?m?>")
    assert (span is not None) == all(k == "numbered" for k in kinds)
    if span is not None:
        assert span.numbers == list(range(2, len(kinds) + 2))
