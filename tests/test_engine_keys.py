"""Rows grouped by a key of several columns (engine.keys.key_groups): one group per
distinct key, numbered in the tables' sort order, checked against plain Python."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from koshtorys.engine.keys import key_groups

PART = st.one_of(st.sampled_from(["0813104", "0813105", "2111", "", "general"]), st.none())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(PART, PART, PART), max_size=30))
def test_groups_are_the_distinct_keys_in_sorted_order(rows: list[tuple]) -> None:
    columns = [np.array([r[j] for r in rows], dtype=object) for j in range(3)]
    group, first = key_groups(columns)
    # each part ascending, a blank part after every value
    order = sorted(set(rows), key=lambda k: tuple((x is None, x or "") for x in k))
    assert [rows[i] for i in first] == order
    assert [order[g] for g in group.tolist()] == rows
    assert all(first[g] <= i for i, g in enumerate(group.tolist()))  # first is the first
