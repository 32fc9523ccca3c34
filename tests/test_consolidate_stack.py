"""The batched, de-duplicated conversion of consolidation reads every cell exactly as the
conversion stage reads the whole table at once (the reference is convert_table itself)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.bulk import stack as stack_module
from koshtorys.bulk.stack import Stack
from koshtorys.convert import Locator, convert_table
from koshtorys.core import schema
from koshtorys.core.book import RawTable

T = schema.table("tblCostByKekv")
KPKVK = ["0813104", 813104, 813104.0, "813121", "Разом", "", None, True, 1.0, "08x3104"]
KEKV = ["2111", 2111, 2111.0, "2120", "9999", "", None, False, "abc"]
FUND = ["general", "загальний", "Спеціальний", "S", "", None, "other", 1.0, True]
AMOUNT = [0.0, 12.5, "1 234,50", "22%", "", None, True, dt.date(2025, 5, 1), float("nan"),
          1e13, -3.25, "x"]

row = st.tuples(st.sampled_from(KPKVK), st.sampled_from(KEKV), st.sampled_from(FUND),
                st.sampled_from(AMOUNT))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    return a == b and type(a) is type(b)


@settings(max_examples=200, deadline=None)
@given(files=st.lists(st.lists(row, max_size=12), min_size=1, max_size=6),
       batch=st.sampled_from([1, 3, 50_000]))
def test_stacked_rows_are_read_as_the_conversion_stage_reads_them(
        files: list[list[tuple[object, ...]]], batch: int) -> None:
    old = stack_module.BATCH_ROWS
    stack_module.BATCH_ROWS = batch  # also across batch boundaries
    try:
        s = Stack(T)
        for no, rows in enumerate(files):
            s.add(RawTable(T.name, "S", ["kpkvk", "kekv", "fund", "amount"],
                           [list(r) for r in rows], header_row=3), no)
        got = s.frame(T, {})
    finally:
        stack_module.BATCH_ROWS = old
    every = [list(r) for rows in files for r in rows]
    ref, checks = convert_table(RawTable(T.name, "S", T.column_keys, every, header_row=3), T,
                                Locator())
    assert len(got) == len(ref)
    for k in T.column_keys:
        assert all(_same(a, b) for a, b in zip(got[k].tolist(), ref[k].tolist(), strict=True)), k
    # every error of the reference is reported for its file, at its worksheet row
    errors = {(c.row, c.code) for c in checks if c.severity == "error"}
    starts = np.cumsum([0] + [len(r) for r in files])
    mine = {(c.row, c.code) for _no, c in s.checks if c.severity == "error"}
    for row_no, code in errors:  # the reference's rows count from 4 (header at 3)
        i = row_no - 4
        f = int(np.searchsorted(starts, i, side="right")) - 1
        assert (i - int(starts[f]) + 4, code) in mine
