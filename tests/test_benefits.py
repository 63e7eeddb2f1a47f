"""benefits: amounts in 元 for every kind of benefit, with the formula, caps, floors and gaps."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from policymatch import EnterpriseProfile, ProfileError
from policymatch.benefits import compute, max_amount
from policymatch.models import Benefit, PolicySet

BENEFIT = TypeAdapter(Benefit)

MILESTONES = {"kind": "tiers", "field": "revenue", "tiers": [
    {"at": "1亿", "amount": "10万"}, {"at": "5亿", "amount": "30万"}, {"at": "10亿", "amount": "50万"}]}
BANDS = {"kind": "tiers", "field": "revenue", "cap": "150万", "tiers": [
    {"at": "2000万", "rate": 0.01}, {"at": "1亿", "rate": 0.02}]}
EQUIPMENT = {"kind": "ratio", "field": "equipment_investment", "rate": 0.1, "cap": "200万",
             "floor": "20万"}
PHD = {"kind": "per_unit", "field": "talents.phd", "rate": 3000, "period": "month", "duration": 36}
GRADUATES = {"kind": "per_unit", "field": "talents.bachelor_fresh", "rate": "1万", "max_units": 10,
             "cap": "8万"}
HIRES = {"kind": "per_unit", "field": "talents.new_hires", "rate": 1000, "period": "year",
         "duration": 2, "max_units": 5}
LOAN = {"kind": "interest", "base_rate": 0.0345, "share": 0.5, "years": 2, "cap": "50万"}
RENT = {"kind": "rent", "rate": 10, "months": 12, "max_area": 200}


def estimate(benefit: dict[str, Any], **facts: Any) -> Any:
    return compute(BENEFIT.validate_python(benefit), EnterpriseProfile(name="甲", **facts))


@pytest.mark.parametrize(
    ("benefit", "facts", "amount", "formula"),
    [
        ({"kind": "fixed", "amount": "20万"}, {}, 200_000, "20万元"),
        # milestone ladder: the highest tier reached pays
        (MILESTONES, {"revenue": "9000万"}, 0, "上年度营业收入 9,000万元，未达到最低档 1亿元"),
        (MILESTONES, {"revenue": "1亿"}, 100_000, "上年度营业收入 1亿元，达到 1亿元 档，给予 10万元"),
        (MILESTONES, {"revenue": "6亿"}, 300_000, "上年度营业收入 6亿元，达到 5亿元 档，给予 30万元"),
        (MILESTONES, {"revenue": "20亿"}, 500_000,
         "上年度营业收入 20亿元，达到 10亿元 档，给予 50万元"),
        # banded rate with a cap
        (BANDS, {"revenue": "5000万"}, 500_000,
         "上年度营业收入 5,000万元，达到 2,000万元 档，按 1% = 50万元"),
        (BANDS, {"revenue": "2亿"}, 1_500_000,
         "上年度营业收入 2亿元，达到 1亿元 档，按 2% = 400万元，封顶 150万元"),
        # ratio with cap and floor
        (EQUIPMENT, {"equipment_investment": "2300万"}, 2_000_000,
         "设备投资额 2,300万元 × 10% = 230万元，封顶 200万元"),
        (EQUIPMENT, {"equipment_investment": "1000万"}, 1_000_000, "设备投资额 1,000万元 × 10% = 100万元"),
        (EQUIPMENT, {"equipment_investment": "100万"}, 200_000,
         "设备投资额 100万元 × 10% = 10万元，保底 20万元"),
        # per unit: months, a unit ceiling, a cap, years
        (PHD, {"talents": {"phd": 2}}, 216_000,
         "新引进全职博士 2人 × 3,000元/人·月 × 36个月 = 21.6万元"),
        (GRADUATES, {"talents": {"bachelor_fresh": 12}}, 80_000,
         "新引进应届高校毕业生 10人（按上限） × 1万元/人 = 10万元，封顶 8万元"),
        (GRADUATES, {"talents": {"bachelor_fresh": 5}}, 50_000, "新引进应届高校毕业生 5人 × 1万元/人 = 5万元"),
        (HIRES, {"talents": {"new_hires": 12}}, 10_000,
         "新招用员工 5人（按上限） × 1,000元/人·年 × 2年 = 1万元"),
        (PHD, {"talents": {"phd": 0}}, 0, "新引进全职博士 0人 × 3,000元/人·月 × 36个月 = 0元"),
        # interest subsidy
        (LOAN, {"loan_amount": "3000万"}, 500_000,
         "贷款金额 3,000万元 × 基准利率 3.45% × 50% × 2年 = 103.5万元，封顶 50万元"),
        (LOAN, {"loan_amount": "1000万"}, 345_000,
         "贷款金额 1,000万元 × 基准利率 3.45% × 50% × 2年 = 34.5万元"),
        # rent: area ceiling and cap
        (RENT, {"office_area_sqm": 500}, 24_000,
         "经营（办公）面积 200平方米（按上限） × 10元/平方米·月 × 12个月 = 2.4万元"),
        (RENT, {"office_area_sqm": 150}, 18_000,
         "经营（办公）面积 150平方米 × 10元/平方米·月 × 12个月 = 1.8万元"),
        ({"kind": "rent", "rate": 10, "cap": "1万"}, {"office_area_sqm": 500}, 10_000,
         "经营（办公）面积 500平方米 × 10元/平方米·月 × 12个月 = 6万元，封顶 1万元"),
        # a base from extra.<key>
        ({"kind": "ratio", "field": "extra.出口额", "rate": 0.05, "cap": "10万"},
         {"extra": {"出口额": 1_000_000}}, 50_000, "出口额 1,000,000 × 5% = 5万元"),
    ],
)
def test_amounts_and_formulas(benefit: dict[str, Any], facts: dict[str, Any], amount: float,
                              formula: str) -> None:
    est = estimate(benefit, **facts)
    assert est.amount == pytest.approx(amount)
    assert est.formula == formula
    assert est.missing == ()
    assert est.is_upper_bound is False


def test_up_to_marks_a_ceiling() -> None:
    est = estimate({"kind": "fixed", "amount": "50万", "up_to": True})
    assert (est.amount, est.formula, est.is_upper_bound) == (500_000, "最高 50万元", True)


def test_in_kind_has_no_amount() -> None:
    est = estimate({"kind": "in_kind", "description": "优先保障用地、用能指标"})
    assert (est.amount, est.formula, est.missing) == (None, "优先保障用地、用能指标", ())


@pytest.mark.parametrize(
    ("benefit", "field", "formula"),
    [
        (MILESTONES, "revenue", "需提供上年度营业收入才能测算（最高 50万元）"),
        (BANDS, "revenue", "需提供上年度营业收入才能测算（最高 150万元）"),
        (EQUIPMENT, "equipment_investment", "需提供设备投资额才能测算（最高 200万元）"),
        ({"kind": "ratio", "field": "equipment_investment", "rate": 0.1}, "equipment_investment",
         "需提供设备投资额才能测算"),
        (PHD, "talents.phd", "需提供新引进全职博士才能测算"),
        (GRADUATES, "talents.bachelor_fresh", "需提供新引进应届高校毕业生才能测算（最高 8万元）"),
        (LOAN, "loan_amount", "需提供贷款金额才能测算（最高 50万元）"),
        (RENT, "office_area_sqm", "需提供经营（办公）面积才能测算（最高 2.4万元）"),
        ({"kind": "ratio", "field": "extra.出口额", "rate": 0.05}, "extra.出口额", "需提供出口额才能测算"),
    ],
)
def test_a_missing_base_gives_no_amount_and_names_the_field(benefit: dict[str, Any], field: str,
                                                            formula: str) -> None:
    est = estimate(benefit)
    assert est.amount is None  # never 0: the amount is unknown
    assert est.missing == (field,)
    assert est.formula == formula


def test_a_base_that_is_not_a_number_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match=r"extra\.出口额: a benefit is computed from it, so it "
                                           r"must be a number, got '很多'"):
        estimate({"kind": "ratio", "field": "extra.出口额", "rate": 0.05}, extra={"出口额": "很多"})


def test_amounts_are_rounded_to_fen() -> None:
    est = estimate({"kind": "ratio", "field": "revenue", "rate": 0.003}, revenue=1234.5678)
    assert est.amount == 3.7


@pytest.mark.parametrize(
    ("benefit", "top"),
    [
        ({"kind": "fixed", "amount": "20万"}, 200_000),
        (MILESTONES, 500_000),
        ({**MILESTONES, "cap": "60万"}, 500_000),
        (BANDS, 1_500_000),
        ({"kind": "tiers", "field": "revenue", "tiers": [{"at": 1, "rate": 0.1}]}, None),
        (EQUIPMENT, 2_000_000),
        ({"kind": "ratio", "field": "revenue", "rate": 0.1}, None),
        (PHD, None),
        (GRADUATES, 80_000),
        (HIRES, 10_000),
        (LOAN, 500_000),
        ({"kind": "interest", "base_rate": 0.03, "share": 1}, None),
        (RENT, 24_000),
        ({"kind": "rent", "rate": 10, "cap": "1万"}, 10_000),
        ({"kind": "rent", "rate": 10}, None),
        ({"kind": "in_kind", "description": "优先保障"}, None),
    ],
)
def test_max_amount(benefit: dict[str, Any], top: float | None) -> None:
    assert max_amount(BENEFIT.validate_python(benefit)) == top


BOUNDED = [MILESTONES, BANDS, EQUIPMENT, GRADUATES, HIRES, LOAN, RENT]


@given(st.sampled_from(BOUNDED), st.integers(0, 10**10), st.integers(0, 10**4))
def test_no_amount_exceeds_the_ceiling(benefit: dict[str, Any], money: int, heads: int) -> None:
    facts = {"revenue": money, "equipment_investment": money, "loan_amount": money,
             "office_area_sqm": heads, "talents": {"bachelor_fresh": heads, "new_hires": heads}}
    est = estimate(benefit, **facts)
    top = max_amount(BENEFIT.validate_python(benefit))
    assert est.amount is not None and top is not None
    assert 0 <= est.amount <= top + 0.01


@given(st.integers(0, 10**10), st.integers(0, 10**10))
def test_more_base_never_pays_less(a: int, b: int) -> None:
    for benefit in (MILESTONES, BANDS, EQUIPMENT):
        low = estimate(benefit, revenue=min(a, b), equipment_investment=min(a, b)).amount
        high = estimate(benefit, revenue=max(a, b), equipment_investment=max(a, b)).amount
        assert low is not None and high is not None and low <= high


def test_every_mini_clause_computes(mini_set: PolicySet, maker_profile: EnterpriseProfile) -> None:
    amounts = {c.id: compute(c.benefit, maker_profile).amount for _, c in mini_set.items()}
    assert amounts == {
        "mini-gx": 200_000, "mini-xjr": 500_000, "mini-sales": 100_000,
        "mini-equip": 2_000_000, "mini-phd": 216_000, "mini-loan": 500_000,
        "mini-rent": 24_000, "mini-service": None,
    }
