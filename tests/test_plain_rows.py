"""Plain rows made a column at a time by slices (rowtext.Rewrite.plain_rows) are exactly
the rows made cell by cell: every cell as ooxml.cell_xml writes it, a row without
cells left out."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from koshtorys.core.book import column_letter
from koshtorys.xlsx.ooxml import cell_xml
from koshtorys.xlsx.rowtext import Numbers, Rewrite
from koshtorys.xlsx.sheetmodel import Geometry

TOP = 7


def _cell(letter: str, r: int, v: object, style: int) -> str:
    """One cell as the writer makes it, independently of its column fast paths."""
    if isinstance(v, float) and not math.isfinite(v):
        v = None
    if type(v) is float:  # a column writes a float as repr gives it (0.0, 1e+16)
        s = f' s="{style}"' if style else ""
        return f'<c r="{letter}{r}"{s}><v>{v!r}</v></c>'
    return cell_xml(f"{letter}{r}", v, style) or (
        f'<c r="{letter}{r}" s="{style}"/>' if style else "")


texts = st.one_of(st.sampled_from(["0813121", "Оплата праці", " x ", "a\nb", "<&>\"'",
                                   "=SUM(A1)", ""]), st.text(max_size=8))


def column(n: int) -> st.SearchStrategy[object]:
    return st.one_of(
        hnp.arrays(np.float64, n, elements=st.floats(-1e12, 1e12)).map(Numbers),
        hnp.arrays(np.float64, n).map(Numbers),  # NaN and infinities: some rows blank
        hnp.arrays(np.int64, n, elements=st.integers(-10**12, 10**12)).map(Numbers),
        st.lists(texts, min_size=n, max_size=n),
        st.lists(st.one_of(texts, st.none()), min_size=n, max_size=n),
        st.lists(st.floats(allow_nan=True), min_size=n, max_size=n),
        st.lists(st.integers(-10**6, 10**6), min_size=n, max_size=n),
        st.lists(st.one_of(texts, st.none(), st.floats(), st.booleans()), min_size=n,
                 max_size=n),
    )


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, dict[int, object], dict[int, int]]:
    n = draw(st.integers(1, 30))
    cols = draw(st.lists(st.integers(1, 30), min_size=1, max_size=5, unique=True))
    values = {c: draw(column(n)) for c in cols}
    styles = {c: draw(st.sampled_from([0, 3])) for c in cols}
    return n, values, styles


@settings(max_examples=300, deadline=None)
@given(tables(), st.data())
def test_plain_rows_are_the_rows_made_cell_by_cell(table: tuple, data: st.DataObject) -> None:
    n, values, styles = table
    lo = data.draw(st.integers(TOP, TOP + n - 1))
    hi = data.draw(st.integers(lo, TOP + n - 1))
    g = Geometry(TOP, TOP + n - 1, TOP + n - 1, TOP + n - 1, TOP + n - 1, 1, 30, 0)
    job = Rewrite(g, None, {}, values, styles, {}, {}, styles,  # type: ignore[arg-type]
                  {c: column_letter(c) for c in range(1, 31)}, [], False, False, "")
    rows = []
    for r in range(lo, hi + 1):
        body = "".join(_cell(column_letter(c), r, list(values[c])[r - TOP], styles[c])
                       for c in sorted(values))
        if body:
            rows.append(f'<row r="{r}">{body}</row>')
    got = job.plain_rows(lo, hi)
    if got is not None:
        assert got == "".join(rows)
    # it applies whenever some column has a value making a cell in every row of the span
    # (a blank number, even in a styled column, leaves that column to column_xml)
    def filled(v: object, style: int) -> bool:
        return not (isinstance(v, float) and not math.isfinite(v)) and bool(_cell("A", 1, v, style))

    every = any(all(filled(list(values[c])[r - TOP], styles[c]) for r in range(lo, hi + 1))
                for c in values)
    simple = all(isinstance(v, Numbers) or {type(x) for x in v} <= {str, type(None)}
                 or {type(x) for x in v} in ({float}, {int}) for v in values.values())
    if every and simple:
        assert got is not None
