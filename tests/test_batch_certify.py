"""Money cells with a unit (``1517.02万``) read column by column equal the cell-by-cell reading."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from policymatch.batch.certify import _SLOW, _money, certify

UNITS = ["", "元", "块", "千", "千元", "万", "万元", "十万", "百万", "千万", "亿", "亿元", "萬", "e3万",
         " 万", "万 ", "圆"]
NUMBER = st.one_of(st.integers(0, 10**15).map(str),
                   st.tuples(st.integers(0, 10**9), st.integers(0, 10**6)).map(
                       lambda t: f"{t[0]}.{t[1]}"),
                   st.sampled_from(["0", "00012", "1.", ".5", "１２", "1,200", "9" * 70, "-3"]))


def _column(cells: list[Any]) -> tuple[list[bool], list[float]]:
    ok, values = certify({"name": ["甲"] * len(cells), "revenue": cells}, len(cells), {"revenue"},
                         text_cells=True)
    return ok.tolist(), values["revenue"].tolist()


def _one_by_one(cells: list[Any]) -> tuple[list[bool], list[float]]:
    got = [_money(c) for c in cells]
    return ([g is not _SLOW for g in got],
            [math.nan if g is _SLOW or g is None else g for g in got])


@settings(max_examples=300)
@given(st.lists(st.tuples(NUMBER, st.sampled_from(UNITS)).map("".join), min_size=1, max_size=8))
def test_money_with_units_column_by_column(cells: list[str]) -> None:
    ok, values = _column(cells)
    want_ok, want = _one_by_one(cells)
    assert ok == want_ok
    assert np.array_equal(np.array(values), np.array(want), equal_nan=True)


def test_money_with_units_examples() -> None:
    cells = ["1517.02万", "12万元", "3亿", "0.5千元", "99999万", "1000000000000万", "12.万", "1e3万"]
    ok, values = _column(cells)
    assert ok == [True, True, True, True, True, False, False, True]
    assert values[:5] == [15170200.0, 120000.0, 300000000.0, 500.0, 999990000.0]
