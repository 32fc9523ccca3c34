"""The text searches that let a refresh cut the old rows out of a sheet without parsing
them give the answers of the plain searches they replace."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.xlsx.rowcut import _has_markup_declaration


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(b"<!a"[x % 3] for x in b)),
       st.integers(0, 45), st.integers(0, 45))
def test_markup_declaration_search_is_find(data: bytes, start: int, stop: int) -> None:
    """The rows' text is refused for a comment or CDATA exactly when ``<!`` lies inside
    the searched span (a ``<`` just before the span does not count)."""
    assert _has_markup_declaration(data, start, stop) == (data.find(b"<!", start, stop) >= 0)
