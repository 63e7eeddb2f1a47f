"""Cells checked whole columns at a time read exactly as the profile model reads them one by one.

Two properties on generated cells, bad ones included: the date column alone equals the cell
check and ``EnterpriseProfile`` (same accepted days, the rest left to the cell check), and a
whole table chunk read by ``validate`` (CSV text cells through the column path, the rest one by
one) accepts the rows ``profile_from_row`` accepts, with the same values, and refuses the others
with the reason ``profile_from_row`` gives.
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from policymatch.batch.certify import _SLOW, _established, certify
from policymatch.batch.chunk import Chunk
from policymatch.batch.columnar import date_column
from policymatch.batch.columns import profile_value
from policymatch.batch.run import _reason, validate
from policymatch.errors import ProfileError
from policymatch.profile import profile_from_row

ISO_SHAPED = st.tuples(st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")
DAYS = st.dates(min_value=date(1850, 1, 1), max_value=date(2150, 12, 31)).map(date.isoformat)
DATE_CELLS = st.one_of(
    DAYS, ISO_SHAPED, st.just(""), st.just(" "),
    st.sampled_from(["2020-02-29", "2019-02-29", "1900-01-01", "2100-12-31", "1899-12-31",
                     "2101-01-01", "2000-02-29", "1900-02-29", "2020-13-01", "2020-00-10",
                     "2020-01-00", "2020-04-31", " 2020-01-01", "2020-01-01 ", "2020-01-01\n",
                     "２０２０-01-01", "2020/01/01", "20200101", "2020", "2020年3月", "2020-1-5",
                     "2020-01-01T00:00", "abc", "٢٠٢٠-01-01"]),
    st.text(max_size=12),
)


def _model_day(cell: str) -> float | None:
    """The ordinal the profile model stores for an ``established`` cell, None when it refuses."""
    try:
        profile = profile_from_row({"name": "甲", "established": cell})
    except ProfileError:
        return None
    got = profile_value(profile, "established")
    return math.nan if got is None else float(got)


@settings(max_examples=400)
@given(st.lists(DATE_CELLS, min_size=1, max_size=12))
def test_date_column_equals_the_cell_check_and_the_model(cells: list[str]) -> None:
    done, values = date_column(cells)
    for cell, decided, value in zip(cells, done.tolist(), values.tolist(), strict=True):
        check = _established(cell)
        if decided and cell:  # a day the column path reads: the cell check and the model agree
            assert check is not _SLOW and float(check) == value, cell
            assert _model_day(cell) == value, cell
        elif not decided:  # left to the cell check, which says what it always said
            assert math.isnan(value)
        if check is not _SLOW and cell.strip():  # every day the cell check reads, the column reads
            assert decided and value == date.fromisoformat(cell).toordinal(), cell


@settings(max_examples=150)
@given(st.lists(DATE_CELLS, min_size=1, max_size=8))
def test_certified_dates_equal_the_model(cells: list[str]) -> None:
    ok, values = certify({"name": ["甲"] * len(cells), "established": cells}, len(cells),
                         {"established"}, text_cells=True)
    for cell, accepted, value in zip(cells, ok.tolist(), values["established"].tolist(),
                                     strict=True):
        want = _model_day(cell)
        if accepted:  # certified: the model accepts it with the same day (NaN: a gap)
            assert want is not None, cell
            assert (math.isnan(want) and math.isnan(value)) or want == value, cell
        if want is None:  # the model refuses it: never certified
            assert not accepted, cell


TEXT = st.one_of(st.just(""), st.just("  "), st.text(max_size=6),
                 st.sampled_from(["嵊州市", " 嵊州市", "集成灶", "国高新、小巨人", "高新技术企业;专精特新中小企业",
                                  "C3841", "c3841", "Z9999", "91330683MA2JK3L5XH", "91330683MA2JK3L5XA",
                                  "是", "否", "true", "0", "2", "12", "007", "1.5", "-3", "1e3",
                                  "3500万", "1.2亿", "1517.02万", "五百万", "9" * 70, "1,200"]))
ROW = st.fixed_dictionaries({
    "name": st.one_of(st.just("某某有限公司"), TEXT),
    "credit_code": TEXT,
    "region": TEXT,
    "industry": TEXT,
    "industry_code": TEXT,
    "established": DATE_CELLS,
    "employees": TEXT,
    "revenue": TEXT,
    "revenue_growth": TEXT,
    "qualifications": TEXT,
    "new_qualifications": TEXT,
    "is_above_scale": TEXT,
    "talents.phd": TEXT,
    "extra.上规年数": TEXT,
})
PATHS = {"age_years", "revenue", "employees", "qualifications", "is_above_scale", "talents.phd",
         "extra.上规年数", "industry_section", "region", "revenue_growth"}


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=10))
def test_validate_accepts_and_refuses_as_profile_from_row(rows: list[dict[str, str]]) -> None:
    columns = {k: [r[k] for r in rows] for k in rows[0]}
    numbers = list(range(1, len(rows) + 1))
    kept, values, bad = validate(Chunk(numbers, columns, text_cells=True), PATHS)
    position = {row: i for i, row in enumerate(kept)}
    for number, row in zip(numbers, rows, strict=True):
        try:
            profile = profile_from_row(row, name=f"row {number}")
        except ProfileError as exc:
            assert number not in position, row
            assert bad[number] == _reason(exc, number)
            continue
        assert number in position and number not in bad, row
        i = position[number]
        for key, got in values.items():
            want = profile_value(profile, key)
            got = got[i]
            if isinstance(got, np.floating):
                want = math.nan if want is None else float(want)
                assert (math.isnan(got) and math.isnan(want)) or got == want, (key, row)
            else:  # a blank text cell is kept as it was given: a gap, as None is
                got = None if isinstance(got, str) and not got.strip() else got
                assert got == want and type(got) is type(want), (key, row)
