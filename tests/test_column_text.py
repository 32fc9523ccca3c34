"""A column's cells made at once (ooxml.column_xml, with its fast paths for money and
text columns) are the cells made one by one (ooxml.cell_xml), a blank in a styled
column being an empty styled cell and in an unstyled one no cell at all."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.xlsx.ooxml import cell_xml, column_xml

texts = st.one_of(st.sampled_from(["", " ", "0813121", "Оплата праці", " x ", "a\nb",
                                   "<&>\"'", "=SUM(A1)", "x" * 40_000]),
                  st.text(max_size=12))
values = st.one_of(texts, st.none(),
                   st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                   st.booleans())


def one_by_one(letter: str, vals: list[object], style: int, first: int) -> list[str]:
    out = []
    for r, v in enumerate(vals, first):
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        if type(v) is float:  # a column writes a float as repr gives it (0.0, 1e+16)
            s = f' s="{style}"' if style else ""
            out.append(f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>')
            continue
        cell = cell_xml(f"{letter}{r}", v, style)
        out.append(cell or (f'<c r="{letter}{r}" s="{style}"/>' if style else ""))
    return out


@settings(max_examples=200, deadline=None)
@given(vals=st.one_of(st.lists(texts, max_size=30),
                      st.lists(st.one_of(texts, st.none()), max_size=30),
                      st.lists(st.floats(allow_nan=True), max_size=30),
                      st.lists(st.integers(-10**16, 10**16), max_size=30),
                      st.lists(values, max_size=30)),
       style=st.sampled_from([0, 3]), first=st.integers(1, 1_048_000))
def test_a_column_is_its_cells(vals: list[object], style: int, first: int) -> None:
    assert column_xml("AB", vals, style, first) == one_by_one("AB", vals, style, first)
