"""Whole columns of cells checked at once, for :mod:`policymatch.batch.certify`.

Text cells go through Arrow's C++ kernels (regular expressions, and its correctly rounded
text → float64 parsing), numbers and ISO dates through numpy. Each function returns, per cell,
whether the verdict is certain here (a valid value, or a gap) and the value; every other cell is
left to the cell-by-cell check, so a function here only ever decides cells that check would
accept with the same value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import INVISIBLE_RANGES
from ..units import MAX_MONEY, parse_money

__all__ = ["ARROW_NUMBER", "PY_SPACE", "arrow_column", "date_column", "numpy_column"]

# every character str.strip() removes (str.isspace); a test checks the list against Python's
PY_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
             "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_EDGE_SPACE = "^[{0}]|[{0}]$".format("".join(f"\\x{{{ord(c):x}}}" for c in PY_SPACE))
_EDGE_SPACE += "|[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in INVISIBLE_RANGES) + "]"
ARROW_NUMBER = {"money": r"^[0-9]+(\.[0-9]+)?$", "int": r"^[0-9]+$", "real": r"^-?[0-9]+(\.[0-9]+)?$"}
_CC_ORDER = np.full(256, -1, dtype=np.int64)
for _k, _ch in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY"):
    _CC_ORDER[ord(_ch)] = _k
_CC_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28))
_CC_RE = r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"


def arrow_column(how: str, cells: list[Any], bounds: tuple[float, float, int]
                 ) -> tuple[np.ndarray, Any]:
    """``(done, values)`` of a column of text cells (or None for gaps) checked whole: numbers of
    ``how`` (``money``, ``int``, ``real``) within ``bounds``, a credit code, or tidy free text."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells, type=pa.string())
    blank = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    if how in ARROW_NUMBER:
        lo, hi, _ = bounds
        plain = pc.fill_null(pc.and_(pc.match_substring_regex(arr, ARROW_NUMBER[how]),
                                     pc.less_equal(pc.utf8_length(arr),
                                                   64 if how == "money" else 15)), False)
        numbers = pc.cast(pc.if_else(plain, arr, "0"), pa.float64()).to_numpy(zero_copy_only=False)
        if how == "money":
            lo, hi = 0.0, MAX_MONEY
        fits = plain.to_numpy(zero_copy_only=False) & (numbers >= lo) & (numbers <= hi)
        values = np.where(fits, numbers, np.nan)
        if how == "money":
            _money_units(arr, fits, values)
        return blank | fits, values
    if how == "credit":
        shaped = pc.fill_null(pc.match_substring_regex(arr, _CC_RE), False)
        shaped = shaped.to_numpy(zero_copy_only=False)
        codes = np.array([c if ok else "0" * 18 for c, ok in zip(cells, shaped, strict=True)],
                         dtype="S18").view(np.uint8).reshape(-1, 18)
        digits = _CC_ORDER[codes]
        check = (31 - (digits[:, :17] @ _CC_WEIGHTS) % 31) % 31
        fits = shaped & (digits[:, 17] == check)
        return blank | fits, cells
    longest = bounds[2]
    edges = pc.fill_null(pc.match_substring_regex(arr, _EDGE_SPACE), True)
    short = pc.fill_null(pc.less_equal(pc.utf8_length(arr), longest), False)
    fits = pc.and_(pc.invert(edges), short).to_numpy(zero_copy_only=False)
    return blank | fits, cells


_MONEY_UNIT = r"^([0-9]+(?:\.[0-9]+)?)(十万|百万|千万|千元|万元|亿元|千|万|亿|元|块)$"
_unit_factors: dict[str, float] = {}


def _money_units(arr: Any, fits: np.ndarray, values: np.ndarray) -> None:
    """Cells like ``1517.02万``: a plain number and a unit, read as :func:`parse_money` reads them
    (the number as a float, times the unit's factor); ``fits`` and ``values`` are updated."""
    import pyarrow as pa
    import pyarrow.compute as pc

    shaped = pc.fill_null(pc.and_(pc.match_substring_regex(arr, _MONEY_UNIT),
                                  pc.less_equal(pc.utf8_length(arr), 64)), False)
    at = np.flatnonzero(shaped.to_numpy(zero_copy_only=False))
    if not len(at):
        return
    parts = pc.extract_regex(arr.take(pa.array(at)), r"^(?P<num>[0-9.]+)(?P<unit>.+)$")
    numbers = pc.cast(parts.field("num"), pa.float64()).to_numpy(zero_copy_only=False)
    units = parts.field("unit").to_pylist()
    for unit in set(units) - _unit_factors.keys():
        _unit_factors[unit] = float(parse_money("1" + unit, field="amount") or 0.0)
    amounts = numbers * np.array([_unit_factors[u] for u in units])
    ok = amounts <= MAX_MONEY
    fits[at[ok]] = True
    values[at[ok]] = amounts[ok] + 0.0


def numpy_column(how: str, cells: list[Any], bounds: tuple[float, float, int]
                 ) -> tuple[np.ndarray, Any] | None:
    """``(done, values)`` of a column of Python numbers (NaN for gaps) within ``bounds``."""
    try:
        numbers = np.array(cells, dtype=np.float64)
    except (OverflowError, TypeError, ValueError):
        return None
    lo, hi, _ = bounds
    if how == "money":
        lo, hi = 0.0, MAX_MONEY
    blank = np.isnan(numbers)
    with np.errstate(invalid="ignore"):
        fits = np.isfinite(numbers) & (numbers >= lo) & (numbers <= hi)
        if how == "int":
            fits &= numbers == np.floor(numbers)
            if any(type(v) is int and abs(v) > 2**53 for v in cells):
                return None
    return blank | fits, np.where(fits, numbers, np.nan)


_ISO_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DAYS_BEFORE = np.array([0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334], dtype=np.int64)
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def date_column(cells: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """``(done, values)`` of a column of text dates (or None for gaps): a day written
    ``YYYY-MM-DD`` that exists and falls in 1900–2100 is its proleptic Gregorian ordinal
    (:meth:`datetime.date.toordinal`), as ``date.fromisoformat`` reads it; NaN elsewhere."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells, type=pa.string())
    blank = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    values = np.full(len(cells), np.nan)
    shaped = pc.fill_null(pc.match_substring_regex(arr, _ISO_DAY), False)
    at = np.flatnonzero(shaped.to_numpy(zero_copy_only=False))
    if not len(at):
        return blank, values
    text = "".join([cells[i] for i in at.tolist()]).encode("ascii")  # ten ASCII characters each
    digits = np.frombuffer(text, dtype=np.uint8).reshape(-1, 10).astype(np.int64) - 48
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    good_month = (month >= 1) & (month <= 12)
    month = np.where(good_month, month, 0)
    longest = _MONTH_DAYS[month] + (leap & (month == 2))
    fits = good_month & (day >= 1) & (day <= longest) & (year >= 1900) & (year <= 2100)
    before = year - 1
    ordinal = (365 * before + before // 4 - before // 100 + before // 400
               + _DAYS_BEFORE[month] + (leap & (month > 2)) + day)
    values[at[fits]] = ordinal[fits]
    done = blank.copy()
    done[at[fits]] = True
    return done, values
