"""Enterprises as columns for the batch path: what conditions and benefits read.

:class:`Columns` holds one chunk of validated enterprises: numeric fields as ``float64`` with
``NaN`` for unknown, the rest as object arrays with ``None``; derived fields (firm age, R&D ratio,
门类, 大中小微) are computed on first use, each once per distinct input. Raw table cells become
validated values in :mod:`policymatch.batch.certify`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from ..fields import FieldKind, field_spec
from ..profile import EnterpriseProfile, previous_value, scale_class
from ..units import industry_section, period_end, years_between

__all__ = ["Columns", "is_numeric", "profile_value", "stored_fields", "value_key"]

Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]
Bools = npt.NDArray[np.bool_]

_NUMERIC = {FieldKind.NUMBER, FieldKind.MONEY, FieldKind.RATIO, FieldKind.BOOL}
# the stored attributes a derived field is computed from
_SOURCES = {"age_years": ("established", "established_precision"), "rd_ratio": ("rd_expense", "revenue"),
            "industry_section": ("industry_code",),
            "scale_class": ("industry_code", "employees", "revenue")}


def is_numeric(path: str) -> bool:
    """Whether a field path is held as float64 (numbers, money, ratios, yes/no)."""
    if path == "established":
        return True
    spec = field_spec(path)
    return spec is not None and spec.kind in _NUMERIC


def stored_fields(paths: Iterable[str]) -> set[str]:
    """The profile attributes (``established`` for ``age_years``, …) that ``paths`` read."""
    out: set[str] = set()
    for path in paths:
        out.update(_SOURCES.get(path, (path,)))
    return out


def profile_value(p: EnterpriseProfile, name: str) -> Any:
    """The stored attribute ``name`` of a profile (``established`` as a day ordinal)."""
    if name == "established":
        return None if p.established is None else p.established.toordinal()
    if name == "established_precision":  # None: the day is known
        return None if p.established is None else p.established_precision
    if name.startswith("talents."):
        return None if p.talents is None else getattr(p.talents, name[len("talents."):])
    if name.startswith("extra."):
        return p.extra.get(name[len("extra."):])
    if name.startswith("previous."):
        return previous_value(p.previous, name)
    return getattr(p, name)


def value_key(v: Any) -> Any:
    """A hashable key that keeps 1, 1.0 and True apart (the scalar rules tell them apart)."""
    if type(v) in (str, tuple):
        return v
    if isinstance(v, list):
        return ("list", tuple(v))
    return (type(v).__name__, v)


class Columns:
    """One block of enterprises as columns: what conditions and benefits read.

    Numeric fields (numbers, money, ratios, yes/no) are ``float64`` with ``NaN`` for unknown; yes/no
    is 1.0/0.0. ``established`` is kept as a day ordinal. Text, set and ``extra.`` fields are object
    arrays with ``None`` for unknown. Derived fields are computed on first use.
    """

    def __init__(self, data: dict[str, np.ndarray], n: int, as_of: date) -> None:
        self.n = n
        self.as_of = as_of
        self._data = data
        self._derived: dict[str, np.ndarray] = {}
        self._factors: dict[str, tuple[npt.NDArray[np.int64], list[Any]]] = {}
        self._keys: dict[str, list[Any]] = {}

    @classmethod
    def from_values(cls, values: dict[str, Any], n: int, as_of: date) -> Columns:
        """Columns from validated values (``None``/NaN = unknown), a list or array per attribute."""
        data: dict[str, np.ndarray] = {}
        for name, column in values.items():
            data[name] = (np.array(column, dtype=np.float64) if is_numeric(name)
                          else np.fromiter(column, dtype=object, count=n))
        return cls(data, n, as_of)

    def _stored(self, name: str) -> np.ndarray:
        try:
            return self._data[name]
        except KeyError:
            raise KeyError(f"column {name!r} was not extracted for this batch") from None

    def numeric(self, path: str) -> Floats:
        """A numeric field (stored or derived) as float64, NaN where unknown."""
        if path == "age_years":  # the oldest age the founding date allows (see age_bounds)
            return self.age_bounds()[1]
        if path == "rd_ratio":
            def ratio() -> Floats:
                rd, revenue = self._stored("rd_expense"), self._stored("revenue")
                ok = ~np.isnan(rd) & ~np.isnan(revenue) & (revenue != 0)
                out = np.full(self.n, np.nan)
                np.divide(rd, revenue, out=out, where=ok)
                return out
            return self._cached(path, ratio)
        return self._stored(path)

    def age_bounds(self) -> tuple[Floats, Floats]:
        """The youngest and oldest firm age on ``as_of``, as ``EnterpriseProfile.age_span``
        (equal where the founding day is known; NaN = unknown)."""
        got = self._derived.get("age_bounds")
        if got is None:
            got = self._derived["age_bounds"] = _ages(
                self._stored("established"), self._stored("established_precision"), self.as_of)
        return got[0], got[1]

    def objects(self, path: str) -> Objects:
        """A text, set or ``extra.`` field as an object array, None where unknown."""
        if path == "industry_section":
            return self._cached(path, lambda: _per_unique(self._stored("industry_code"),
                                                          industry_section))
        if path == "scale_class":
            return self._cached(path, self._scale_classes)
        return self._stored(path)

    def _scale_classes(self) -> Objects:
        """:func:`~policymatch.profile.scale.scale_class` of every row, called once per distinct industry
        code and position of employees and revenue among the standard's bounds: the class can
        only change where a value crosses a bound."""
        from ..profile import SIZE_ROWS

        codes, emp, rev = (self._stored(k) for k in _SOURCES["scale_class"])
        staff = np.array(sorted({b for x, _, _ in SIZE_ROWS.values() if x for b in x}), dtype=float)
        sales = np.array(sorted({b for _, y, _ in SIZE_ROWS.values() if y for b in y}), dtype=float)
        code_of, _ = _factorize(codes, one_kind=True)
        with np.errstate(invalid="ignore"):
            e_at = np.where(np.isnan(emp), -1, np.searchsorted(staff, emp, side="right"))
            revenue = rev / 1e4  # as scale_class compares it, in 万元
            r_at = np.where(np.isnan(rev), -1, np.searchsorted(sales, revenue, side="right"))
        key = ((code_of + 1) * (len(staff) + 2) + e_at + 1) * (len(sales) + 2) + r_at + 1
        import pandas as pd

        groups, firsts = pd.factorize(key)
        first_row = np.full(len(firsts), -1, dtype=np.int64)
        first_row[groups[::-1]] = np.arange(self.n)[::-1]  # the first row of each group
        per = np.empty(len(firsts), dtype=object)
        for g, i in enumerate(first_row.tolist()):
            e, r = emp[i], rev[i]
            per[g] = scale_class(codes[i], None if e != e else int(e), None if r != r else float(r))
        return per[groups]

    def missing(self, path: str) -> Bools:
        """Where the field is unknown."""
        if is_numeric(path):
            return np.isnan(self.numeric(path))
        return self.factorized(path)[0] < 0

    def factorized(self, path: str) -> tuple[npt.NDArray[np.int64], list[Any]]:
        """Codes (-1 = unknown) into the distinct values of an object field."""
        got = self._factors.get(path)
        if got is None:  # a validated text field holds str, a set field tuples; extra.* may mix
            spec = field_spec(path)
            one_kind = spec is not None and spec.kind in (FieldKind.TEXT, FieldKind.SET)
            got = self._factors[path] = _factorize(self.objects(path), one_kind=one_kind)
        return got

    def value_keys(self, path: str) -> list[Any]:
        """:func:`value_key` of each distinct value of :meth:`factorized` (None: unhashable)."""
        got = self._keys.get(path)
        if got is None:
            got = self._keys[path] = [_hashable(value_key(v)) for v in self.factorized(path)[1]]
        return got

    def _cached(self, path: str, build: Callable[[], np.ndarray]) -> Any:
        got = self._derived.get(path)
        if got is None:
            got = self._derived[path] = build()
        return got


def _factorize(values: Objects, *, one_kind: bool = False) -> tuple[npt.NDArray[np.int64], list[Any]]:
    """Codes (-1 for None) and distinct values; ``one_kind`` promises every value is a ``str`` (or
    every one a tuple), where hashing in C is exact. Mixed values keep 1, 1.0 and True apart."""
    if one_kind:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes.astype(np.int64, copy=False), list(uniques)
    items = values.tolist()
    index: dict[Any, int] = {}
    uniques_list: list[Any] = []
    out = np.empty(len(items), dtype=np.int64)
    for i, v in enumerate(items):
        if v is None:
            out[i] = -1
            continue
        key = value_key(v)
        k = index.get(key)
        if k is None:
            k = index[key] = len(uniques_list)
            uniques_list.append(v)
        out[i] = k
    return out, uniques_list


def _hashable(key: Any) -> Any:
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _per_unique(values: Objects, fn: Callable[[Any], Any]) -> Objects:
    cache: dict[Any, Any] = {}
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values.tolist()):
        if v is not None:
            if v not in cache:
                cache[v] = fn(v)
            out[i] = cache[v]
    return out


def _ages(ordinals: np.ndarray, precisions: np.ndarray, as_of: date) -> np.ndarray:
    """Rows youngest and oldest of :meth:`EnterpriseProfile.age_span` for day ordinals (NaN =
    unknown) and precisions (None = the day), computed once per distinct pair."""
    out = np.full((2, len(ordinals)), np.nan)
    known = ~np.isnan(ordinals)
    if not known.any():
        return out
    partial = np.fromiter((p is not None for p in precisions.tolist()), dtype=bool,
                          count=len(ordinals))
    days, inverse = np.unique(ordinals[known & ~partial], return_inverse=True)
    ages = np.array([years_between(date.fromordinal(int(d)), as_of) for d in days])
    at = np.flatnonzero(known & ~partial)
    out[0, at] = out[1, at] = ages[inverse]
    cache: dict[tuple[float, str], tuple[float, float]] = {}
    for i in np.flatnonzero(known & partial).tolist():
        key = (float(ordinals[i]), precisions[i])
        pair = cache.get(key)
        if pair is None:
            start = date.fromordinal(int(key[0]))
            last = min(period_end(start, key[1]), as_of)
            pair = cache[key] = (years_between(last, as_of), years_between(start, as_of))
        out[0, i], out[1, i] = pair
    return out


