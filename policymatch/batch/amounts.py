"""Benefit amounts over columns for the batch path: :func:`policymatch.benefits.amount_of` on a
chunk's base column, with the base read as :func:`policymatch.benefits.base_value` reads it."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..benefits import amount_of, array_ops, base_value
from ..errors import ProfileError
from ..fields import FieldKind, field_spec
from ..models import Benefit, FixedBenefit, InKindBenefit
from .columns import Columns

__all__ = ["amount_at"]

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_NUMERIC = {FieldKind.NUMBER, FieldKind.MONEY, FieldKind.RATIO, FieldKind.BOOL}


# -- compiled benefits ------------------------------------------------------------------------
def _base(path: str, cols: Columns, at: npt.NDArray[np.int64], errors: dict[int, str]) -> Floats:
    """The benefit's base at rows ``at``, NaN where :func:`policymatch.benefits.base_value` has
    none; a value it refuses gives each of its rows that reason."""
    spec = field_spec(path)
    assert spec is not None
    if spec.kind is FieldKind.BOOL:
        return np.full(len(at), np.nan)  # a yes/no value is no base for an amount
    if spec.kind in _NUMERIC:
        return cols.numeric(path)[at]
    codes, uniques = cols.factorized(path)
    per = np.full(len(uniques) + 1, np.nan)
    for k, value in enumerate(uniques):
        try:
            got = base_value(path, value)
        except ProfileError as exc:
            for r in at[codes[at] == k].tolist():
                errors.setdefault(r, str(exc))
            continue
        if got is not None:
            per[k] = got
    return per[codes[at]]


def amount_at(benefit: Benefit, cols: Columns, at: npt.NDArray[np.int64],
            errors: dict[int, str]) -> tuple[Floats, Bools | None]:
    """Amounts at rows ``at`` (NaN = unknown) and where the base is unknown:
    :func:`policymatch.benefits.amount_of` over the base column."""
    n = len(at)
    if isinstance(benefit, FixedBenefit):
        return np.full(n, benefit.amount), None
    if isinstance(benefit, InKindBenefit):
        return np.full(n, np.nan), None
    base = _base(benefit.field, cols, at, errors)
    unknown = np.isnan(base)
    amount = np.asarray(amount_of(benefit, base, array_ops()), dtype=np.float64)
    if amount.shape != (n,):
        amount = np.broadcast_to(amount, (n,))
    amount = amount.copy()
    amount[unknown] = np.nan
    return amount, unknown
