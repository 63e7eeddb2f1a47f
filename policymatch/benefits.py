"""Amounts in 元 from a benefit and a profile, with the formula that produced them.

This module computes; it never decides eligibility. A base field the profile does not know gives
an :class:`Estimate` with ``amount=None`` and the field in ``missing``; the ceiling, where the
benefit has one, is still reported as ``upper`` so a service worker sees what is at stake.
"""

from __future__ import annotations

from datetime import date

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

__all__ = ["compute", "max_amount"]

_PERIOD = {"once": "", "month": "月", "year": "年"}


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
    base = _base(benefit, profile, as_of)
    spec = field_spec(benefit.field)
    assert spec is not None
    label = spec.label
    if base is None:
        top = max_amount(benefit)
        hint = f"（最高 {format_money(top)}）" if top is not None else ""
        return _estimate(None, f"需提供{label}才能测算{hint}", missing=(benefit.field,))
    shown = format_value(base, spec)
    if isinstance(benefit, TiersBenefit):
        return _tiers(benefit, base, label, shown)
    if isinstance(benefit, RatioBenefit):
        raw = base * benefit.rate
        formula = f"{label} {shown} × {_pct(benefit.rate)} = {format_money(raw)}"
        return _bounded(raw, formula, benefit.cap, benefit.floor)
    if isinstance(benefit, PerUnitBenefit):
        units = min(base, benefit.max_units) if benefit.max_units is not None else base
        periods = benefit.duration if benefit.period != "once" else 1
        raw = units * benefit.rate * periods
        per = f"{format_money(benefit.rate)}/{benefit.unit}"
        if benefit.period != "once":
            count = "个月" if benefit.period == "month" else "年"  # 36个月, 2年 (never 2个年)
            per += f"·{_PERIOD[benefit.period]} × {periods}{count}"
        capped_units = "（按上限）" if units != base else ""
        formula = f"{label} {format_value(units, spec)}{capped_units} × {per} = {format_money(raw)}"
        return _bounded(raw, formula, benefit.cap, None)
    if isinstance(benefit, InterestBenefit):
        raw = base * benefit.base_rate * benefit.share * benefit.years
        formula = (f"{label} {shown} × 基准利率 {_pct(benefit.base_rate)} × {_pct(benefit.share)}"
                   f" × {benefit.years:g}年 = {format_money(raw)}")
        return _bounded(raw, formula, benefit.cap, None)
    assert isinstance(benefit, RentBenefit)
    area = min(base, benefit.max_area) if benefit.max_area is not None else base
    raw = area * benefit.rate * benefit.months
    capped = "（按上限）" if area != base else ""
    formula = (f"{label} {format_value(area, spec)}{capped} × {benefit.rate:g}元/平方米·月 × "
               f"{benefit.months}个月 = {format_money(raw)}")
    return _bounded(raw, formula, benefit.cap, None)


def _estimate(amount: float | None, formula: str, *, missing: tuple[str, ...] = (),
              is_upper_bound: bool = False) -> Estimate:
    return trusted(Estimate, {"amount": amount, "formula": formula, "missing": missing,
                              "is_upper_bound": is_upper_bound})


def _base(benefit: Benefit, profile: EnterpriseProfile, as_of: date | None) -> float | None:
    value = profile.get(benefit.field, as_of)  # type: ignore[union-attr]
    if value is None or isinstance(value, bool):
        return None
    if not isinstance(value, (int, float)):
        from .errors import ProfileError

        raise ProfileError(f"{benefit.field}: a benefit is computed from it, so it must be a "  # type: ignore[union-attr]
                           f"number, got {value!r}")
    return float(value)


def _tiers(benefit: TiersBenefit, base: float, label: str, shown: str) -> Estimate:
    reached = [t for t in benefit.tiers if base >= t.at]
    if not reached:
        first = benefit.tiers[0]
        return _estimate(0.0, f"{label} {shown}，未达到最低档 {_at(benefit, first.at)}")
    tier = reached[-1]
    if tier.amount is not None:
        raw = tier.amount
        formula = f"{label} {shown}，达到 {_at(benefit, tier.at)} 档，给予 {format_money(raw)}"
    else:
        assert tier.rate is not None
        raw = base * tier.rate
        formula = (f"{label} {shown}，达到 {_at(benefit, tier.at)} 档，按 {_pct(tier.rate)} = "
                   f"{format_money(raw)}")
    return _bounded(raw, formula, benefit.cap, None)


def _at(benefit: TiersBenefit, at: float) -> str:
    spec = field_spec(benefit.field)
    assert spec is not None
    return format_value(at, spec)


def _bounded(raw: float, formula: str, cap: float | None, floor: float | None) -> Estimate:
    amount = raw
    if cap is not None and amount > cap:
        amount = cap
        formula += f"，封顶 {format_money(cap)}"
    if floor is not None and amount < floor:
        amount = floor
        formula += f"，保底 {format_money(floor)}"
    return _estimate(round(amount, 2), formula)


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
