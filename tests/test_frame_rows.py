"""frame_rows: a frame as the plain cell values a worksheet function returns.

The expectation is made cell by cell, the slow obvious way (``iloc``, then NaN/NA/None
to None, numpy scalars to Python, a labelled column's code to its label), and compared
value and type: Excel must get a Python float, int, bool, str or None, never a numpy
scalar, and never a different value because its neighbours in the column differ.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.convert import shown_labels
from koshtorys.core.book import frame_rows

_LABELS = {"fund": {"general": "загальний", "special": "спеціальний"}}

_floats = st.floats(allow_nan=True, allow_infinity=False, width=64)
_texts = st.one_of(st.none(), st.sampled_from(["general", "special", "other", "", "Ї"]))
_mixed = st.one_of(st.none(), _floats, st.text(max_size=3), st.integers(-5, 5),
                   st.builds(np.float64, _floats))


def _expected(df: pd.DataFrame, keys: list[str],
              labels: dict[str, dict[str, str]]) -> list[list[object]]:
    rows = []
    for i in range(len(df)):
        row: list[object] = []
        for k in keys:
            if k not in df.columns:
                row.append(None)
                continue
            v = df[k].iloc[i]
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                v = None
            elif hasattr(v, "item"):
                v = v.item()
            if isinstance(v, str) and k in labels:
                v = labels[k].get(v, v)
            row.append(v)
        rows.append(row)
    return rows


@st.composite
def _frames(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(0, 30))
    return pd.DataFrame({
        "amount": pd.Series(draw(st.lists(_floats, min_size=n, max_size=n)), dtype=float),
        "count": pd.Series(draw(st.lists(st.integers(-10**12, 10**12), min_size=n,
                                         max_size=n)), dtype="int64"),
        "flag": pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        "fund": pd.Series(draw(st.lists(_texts, min_size=n, max_size=n)), dtype="str"),
        "name": pd.Series(draw(st.lists(_texts, min_size=n, max_size=n)), dtype=object),
        "mixed": pd.Series(draw(st.lists(_mixed, min_size=n, max_size=n)), dtype=object),
    })


@settings(max_examples=300, deadline=None)
@given(df=_frames(), labelled=st.booleans(),
       keys=st.permutations(["amount", "count", "flag", "fund", "name", "mixed", "absent"]))
def test_rows_are_the_cells_one_by_one(df: pd.DataFrame, labelled: bool,
                                       keys: list[str]) -> None:
    labels = _LABELS if labelled else {}
    got = frame_rows(df, keys, labels)
    want = _expected(df, keys, labels)
    assert got == want
    for g_row, w_row in zip(got, want, strict=True):
        assert [type(v) for v in g_row] == [type(v) for v in w_row]


def test_the_schema_labels_are_the_ones_a_ukrainian_book_shows() -> None:
    labels = shown_labels("tblVariance", "uk")
    assert labels["fund"]["general"] == "загальний"
    assert shown_labels("tblVariance", "en") == {}
    df = pd.DataFrame({"fund": pd.Series(["special", None], dtype="str")})
    assert frame_rows(df, ["fund"], labels) == [["спеціальний"], [None]]
