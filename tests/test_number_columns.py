"""A number column reaches the sheet writer as its array (rowtext.Numbers), made Python
numbers a slice at a time; what the writer sees must be exactly ``Series.tolist()``."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from koshtorys.xlsx.rowtext import CHUNK, Numbers, kept


@settings(max_examples=60, deadline=None)
@given(a=st.one_of(hnp.arrays(np.float64, st.integers(0, 2 * CHUNK + 3)),
                   hnp.arrays(np.int64, st.integers(0, 50)),
                   hnp.arrays(np.bool_, st.integers(0, 50))),
       cut=st.tuples(st.integers(-5, 3000), st.integers(-5, 3000)))
def test_an_array_column_gives_what_tolist_gives(a: np.ndarray, cut: tuple[int, int]) -> None:
    """The writer's view of a number column is Series.tolist() (Python floats, ints,
    bools; NaN kept), only made a slice at a time."""
    whole = a.tolist()
    col = Numbers(a)
    assert len(col) == len(whole)
    assert list(col) == whole or np.isnan(a).any()  # NaN != NaN: compared by repr below
    assert [repr(v) for v in col] == [repr(v) for v in whole]
    lo, hi = cut
    part = col[lo:hi]
    assert [(type(v), repr(v)) for v in part] == [(type(v), repr(v)) for v in whole[lo:hi]]
    if whole:
        assert repr(col[len(whole) // 2]) == repr(whole[len(whole) // 2])
    assert kept(col) == set()
