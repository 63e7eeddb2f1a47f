"""Amounts in 元 from a benefit and a profile, with the formula that produced them.

This module computes; it never decides eligibility. A base field the profile does not know gives
an :class:`Estimate` with ``amount=None`` and the field in ``missing``; the ceiling, where the
benefit has one, is still reported as ``upper`` so a service worker sees what is at stake.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from .errors import ProfileError
from .fields import field_spec
from .models import (
    Benefit,
    Estimate,
    FixedBenefit,
    InKindBenefit,
    InterestBenefit,
    PerUnitBenefit,
    RatioBenefit,
    RentBenefit,
    TiersBenefit,
    trusted,
)
from .profile import EnterpriseProfile
from .rules import format_value
from .units import format_money

__all__ = ["SCALAR", "Ops", "amount_for", "amount_of", "array_ops", "base_value", "compute",
           "fixed_amount", "group_winner", "group_winners", "max_amount"]

_PERIOD = {"once": "", "month": "月", "year": "年"}


# -- the one definition of every amount ---------------------------------------------------------
@dataclass(frozen=True)
class Ops:
    """The few operations an amount formula uses, for one number or for a whole column.

    Each formula below is written once against these; :data:`SCALAR` evaluates it for one
    profile (:func:`compute`), :func:`array_ops` for float64 columns (the batch path, NaN = unknown).
    """

    where: Callable[[Any, Any, Any], Any]
    minimum: Callable[[Any, Any], Any]
    round2: Callable[[Any], Any]


def _array_ops() -> Ops:
    import numpy as np

    def round2(x: Any) -> Any:  # Python's round(v, 2) element by element
        y = np.round(x, 2)
        t = x * 100.0
        with np.errstate(invalid="ignore"):
            near = np.abs(t - np.floor(t) - 0.5) <= 1e-7 + np.abs(t) * 1e-15
        for i in np.flatnonzero(near):
            y[i] = round(float(x[i]), 2)
        return y

    return Ops(np.where, np.minimum, round2)


SCALAR = Ops(lambda c, a, b: a if c else b, min, lambda x: round(x, 2))


@cache
def array_ops() -> Ops:
    """The :class:`Ops` of float64 columns (built on first use: importing loads no numpy)."""
    return _array_ops()


def _units(benefit: Benefit, base: Any, ops: Ops) -> Any:
    """The base a formula multiplies: the units or area, held to the benefit's maximum."""
    limit = benefit.max_units if isinstance(benefit, PerUnitBenefit) else (
        benefit.max_area if isinstance(benefit, RentBenefit) else None)
    return base if limit is None else ops.minimum(base, limit)


def _factors(benefit: Benefit) -> tuple[float, ...]:
    """What the base is multiplied by, left to right (the order fixes the rounding)."""
    if isinstance(benefit, RatioBenefit):
        return (benefit.rate,)
    if isinstance(benefit, PerUnitBenefit):
        return (benefit.rate, benefit.duration if benefit.period != "once" else 1)
    if isinstance(benefit, InterestBenefit):
        return (benefit.base_rate, benefit.share, benefit.years)
    assert isinstance(benefit, RentBenefit)
    return (benefit.rate, benefit.months)


def _raw(benefit: Benefit, base: Any, ops: Ops) -> Any:
    raw = _units(benefit, base, ops)
    for factor in _factors(benefit):
        raw = raw * factor
    return raw


def _limit(raw: Any, cap: float | None, floor: float | None, ops: Ops) -> Any:
    amount = raw
    if cap is not None:
        amount = ops.where(amount > cap, cap, amount)
    if floor is not None:
        amount = ops.where(amount < floor, floor, amount)
    return ops.round2(amount)


def amount_of(benefit: Benefit, base: Any, ops: Ops) -> Any:
    """The amount a known ``base`` earns under a formula benefit (tiers, ratio, per unit,
    interest, rent), with caps, floors and rounding to the fen; ``ops`` says whether ``base`` is
    one number or a column. Fixed and in-kind benefits have no base."""
    if isinstance(benefit, TiersBenefit):
        amount: Any = 0.0
        reached: Any = False
        for tier in benefit.tiers:  # the last tier reached pays
            hit = base >= tier.at
            value = tier.amount if tier.amount is not None else base * float(tier.rate or 0.0)
            amount = ops.where(hit, value, amount)
            reached = reached | hit
        return ops.where(reached, _limit(amount, benefit.cap, None, ops), 0.0)
    floor = benefit.floor if isinstance(benefit, RatioBenefit) else None
    return _limit(_raw(benefit, base, ops), benefit.cap, floor, ops)  # type: ignore[union-attr]


def base_value(path: str, value: Any) -> float | None:
    """A profile value as the base of an amount: ``None`` when unknown (a yes/no is no base);
    any other value that is not a number is a :class:`~policymatch.errors.ProfileError`."""
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        raise ProfileError(f"{path}: a benefit is computed from it, so it must be a "
                           f"number, got {value!r}")
    return float(value)


def group_winners(amount: Any, score: Any, eligible: Any) -> Any:
    """就高不重复 for one exclusivity group, over arrays of shape ``(rows, members)`` with the
    members in clause-id order: per row the position of the member that counts, -1 where none
    is eligible. It is the eligible member with the highest amount (unknown counts as 0), then
    the higher relevance, then the smaller clause id. The one rule of both the one-enterprise
    and the batch path."""
    import numpy as np

    n, k = amount.shape
    best = np.full(n, -1, dtype=np.int64)
    best_amount = np.full(n, -np.inf)
    best_score = np.full(n, -np.inf)
    for j in range(k):
        a = np.where(np.isnan(amount[:, j]), 0.0, amount[:, j])
        s = score[:, j]
        better = eligible[:, j] & ((a > best_amount) | ((a == best_amount) & (s > best_score)))
        best = np.where(better, j, best)
        best_amount = np.where(better, a, best_amount)
        best_score = np.where(better, s, best_score)
    return best


def group_winner(members: Iterable[tuple[float | None, float, bool]]) -> int:
    """:func:`group_winners` for one enterprise: ``members`` are ``(amount, score, eligible)``
    in clause-id order (amount ``None`` when unknown); the position of the member that counts,
    -1 when none is eligible. The same rule in plain floats (a test holds the two equal)."""
    best, best_amount, best_score = -1, -math.inf, -math.inf
    for j, (amount, score, eligible) in enumerate(members):
        a = 0.0 if amount is None or amount != amount else amount  # unknown (or NaN) counts as 0
        if eligible and (a > best_amount or (a == best_amount and score > best_score)):
            best, best_amount, best_score = j, a, score
    return best


def compute(benefit: Benefit, profile: EnterpriseProfile, *, as_of: date | None = None) -> Estimate:
    """Return the amount ``profile`` would receive from ``benefit``.

    Examples
    --------
    >>> from policymatch.models import RatioBenefit
    >>> p = EnterpriseProfile(name="甲", equipment_investment="2300万")
    >>> est = compute(RatioBenefit(field="equipment_investment", rate=0.1, cap="200万"), p)
    >>> est.amount, est.formula
    (2000000.0, '设备投资额 2,300万元 × 10% = 230万元，封顶 200万元')
    """
    if isinstance(benefit, FixedBenefit):
        word = "最高 " if benefit.up_to else ""
        return _estimate(benefit.amount, f"{word}{format_money(benefit.amount)}",
                         is_upper_bound=benefit.up_to)
    if isinstance(benefit, InKindBenefit):
        return _estimate(None, benefit.description)
    amount, missing, _ = amount_for(benefit, profile, as_of=as_of)
    spec = field_spec(benefit.field)
    assert spec is not None
    label = spec.label
    if amount is None:
        top = max_amount(benefit)
        hint = f"（最高 {format_money(top)}）" if top is not None else ""
        return _estimate(None, f"需提供{label}才能测算{hint}", missing=missing)
    base = _base(benefit, profile, as_of)
    assert base is not None
    shown = format_value(base, spec)
    if isinstance(benefit, TiersBenefit):
        return _tiers(benefit, base, label, shown, amount)
    raw = _raw(benefit, base, SCALAR)
    if isinstance(benefit, RatioBenefit):
        formula = f"{label} {shown} × {_pct(benefit.rate)} = {format_money(raw)}"
        return _bounded(amount, raw, formula, benefit.cap, benefit.floor)
    if isinstance(benefit, PerUnitBenefit):
        units = _units(benefit, base, SCALAR)
        periods = _factors(benefit)[1]
        per = f"{format_money(benefit.rate)}/{benefit.unit}"
        if benefit.period != "once":
            count = "个月" if benefit.period == "month" else "年"  # 36个月, 2年 (never 2个年)
            per += f"·{_PERIOD[benefit.period]} × {periods}{count}"
        capped_units = "（按上限）" if units != base else ""
        formula = f"{label} {format_value(units, spec)}{capped_units} × {per} = {format_money(raw)}"
        return _bounded(amount, raw, formula, benefit.cap, None)
    if isinstance(benefit, InterestBenefit):
        formula = (f"{label} {shown} × 基准利率 {_pct(benefit.base_rate)} × {_pct(benefit.share)}"
                   f" × {benefit.years:g}年 = {format_money(raw)}")
        return _bounded(amount, raw, formula, benefit.cap, None)
    assert isinstance(benefit, RentBenefit)
    area = _units(benefit, base, SCALAR)
    capped = "（按上限）" if area != base else ""
    formula = (f"{label} {format_value(area, spec)}{capped} × {benefit.rate:g}元/平方米·月 × "
               f"{benefit.months}个月 = {format_money(raw)}")
    return _bounded(amount, raw, formula, benefit.cap, None)


def amount_for(benefit: Benefit, profile: EnterpriseProfile, *,
               as_of: date | None = None) -> tuple[float | None, tuple[str, ...], bool]:
    """:func:`compute` without the formula text: ``(amount, missing, is_upper_bound)``, the
    same three values its :class:`Estimate` holds (the matcher's first pass writes no text)."""
    known = fixed_amount(benefit)
    if known is not None:
        return known
    base = _base(benefit, profile, as_of)
    if base is None:
        return None, (benefit.field,), False  # type: ignore[union-attr]
    return float(amount_of(benefit, base, SCALAR)), (), False


def fixed_amount(benefit: Benefit) -> tuple[float | None, tuple[str, ...], bool] | None:
    """:func:`amount_for` of a benefit that reads no fact of the profile (fixed, in kind), the
    same for every enterprise; ``None`` for a formula."""
    if isinstance(benefit, FixedBenefit):
        return benefit.amount, (), benefit.up_to
    if isinstance(benefit, InKindBenefit):
        return None, (), False
    return None


def _estimate(amount: float | None, formula: str, *, missing: tuple[str, ...] = (),
              is_upper_bound: bool = False) -> Estimate:
    return trusted(Estimate, {"amount": amount, "formula": formula, "missing": missing,
                              "is_upper_bound": is_upper_bound})


def _base(benefit: Benefit, profile: EnterpriseProfile, as_of: date | None) -> float | None:
    path = benefit.field  # type: ignore[union-attr]
    return base_value(path, profile.get(path, as_of))


def _tiers(benefit: TiersBenefit, base: float, label: str, shown: str, amount: float) -> Estimate:
    """The formula text of a tiered benefit; the amount is :func:`amount_of`'s."""
    reached = [t for t in benefit.tiers if base >= t.at]
    if not reached:
        first = benefit.tiers[0]
        return _estimate(amount, f"{label} {shown}，未达到最低档 {_at(benefit, first.at)}")
    tier = reached[-1]
    if tier.amount is not None:
        raw = tier.amount
        formula = f"{label} {shown}，达到 {_at(benefit, tier.at)} 档，给予 {format_money(raw)}"
    else:
        assert tier.rate is not None
        raw = base * tier.rate
        formula = (f"{label} {shown}，达到 {_at(benefit, tier.at)} 档，按 {_pct(tier.rate)} = "
                   f"{format_money(raw)}")
    return _bounded(amount, raw, formula, benefit.cap, None)


def _at(benefit: TiersBenefit, at: float) -> str:
    spec = field_spec(benefit.field)
    assert spec is not None
    return format_value(at, spec)


def _bounded(amount: float, raw: float, formula: str, cap: float | None,
             floor: float | None) -> Estimate:
    """The estimate of ``amount`` (from :func:`amount_of`), its formula saying which bound held."""
    held = raw
    if cap is not None and held > cap:
        held = cap
        formula += f"，封顶 {format_money(cap)}"
    if floor is not None and held < floor:
        formula += f"，保底 {format_money(floor)}"
    return _estimate(amount, formula)


def _pct(rate: float) -> str:
    return f"{rate * 100:.4g}%"


def max_amount(benefit: Benefit) -> float | None:
    """The most a benefit can pay anyone, or ``None`` when it has no ceiling.

    Examples
    --------
    >>> from policymatch.models import RatioBenefit
    >>> max_amount(RatioBenefit(field="equipment_investment", rate=0.1, cap="200万"))
    2000000.0
    """
    if isinstance(benefit, FixedBenefit):
        return benefit.amount
    if isinstance(benefit, InKindBenefit):
        return None
    if isinstance(benefit, TiersBenefit):
        if all(t.amount is not None for t in benefit.tiers):
            top = max(t.amount for t in benefit.tiers if t.amount is not None)
            return min(top, benefit.cap) if benefit.cap is not None else top
        return benefit.cap
    if isinstance(benefit, PerUnitBenefit):
        if benefit.cap is not None:
            return benefit.cap
        if benefit.max_units is not None:
            periods = benefit.duration if benefit.period != "once" else 1
            return benefit.max_units * benefit.rate * periods
        return None
    if isinstance(benefit, RentBenefit):
        if benefit.cap is not None:
            return benefit.cap
        if benefit.max_area is not None:
            return benefit.max_area * benefit.rate * benefit.months
        return None
    return benefit.cap
