"""首次突破 milestones, 晋级差额 and whose money it is: the claims a service worker relies on."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.cli import main
from policymatch.errors import ProfileError
from policymatch.models import Status, TiersBenefit
from policymatch.rules import fields_of

DAY = date(2026, 6, 1)
BASE: dict[str, Any] = {"name": "甲", "region": "嵊州市", "credit_clean": True, "safety_incident_free": True}


@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies())


def verdict(matcher: Matcher, clause_id: str, **facts: Any) -> tuple[Status, float | None]:
    report = matcher.match(EnterpriseProfile(**{**BASE, **facts}), as_of=DAY, include_ineligible=True)
    m = next(m for m in report.matches if m.clause_id == clause_id)
    return m.status, m.amount


# -- 首次突破: only a crossing the previous year had not made pays ---------------------------------
def test_a_long_time_exporter_is_not_paid_the_first_crossing_award_again(matcher: Matcher) -> None:
    status, _ = verdict(matcher, "sz9-open-ck", export_value="2.5亿", previous={"export_value": "2亿"})
    assert status is Status.INELIGIBLE


def test_a_first_crossing_pays_and_a_higher_tier_pays_the_new_tier(matcher: Matcher) -> None:
    assert verdict(matcher, "sz9-open-ck", export_value="1.2亿",
                   previous={"export_value": "8000万"}) == (Status.ELIGIBLE, 100_000)
    # 以后年度跨越更高档次的，按新档次标准兑现
    assert verdict(matcher, "sz9-open-ck", export_value="3.1亿",
                   previous={"export_value": "1.5亿"}) == (Status.ELIGIBLE, 200_000)


def test_unknown_previous_year_is_possible_with_the_question_that_settles_it(matcher: Matcher) -> None:
    report = matcher.match(EnterpriseProfile(**BASE, tax_paid="1500万"), as_of=DAY)
    m = next(m for m in report.matches if m.clause_id == "sz1-tax")
    assert m.status is Status.POSSIBLE
    assert "previous.tax_paid" in m.missing
    question = next(q for q in report.questions if q.field == "previous.tax_paid")
    assert "sz1-tax" in question.clause_ids and "上上年度" in question.question


def test_below_the_first_tier_is_ineligible_whatever_the_history(matcher: Matcher) -> None:
    assert verdict(matcher, "sz1-tax", tax_paid="900万")[0] is Status.INELIGIBLE


def test_an_earlier_peak_given_as_the_previous_figure_blocks_a_repeat(matcher: Matcher) -> None:
    # revenue fell back and rose again: the earlier peak stands in for the previous year
    status, _ = verdict(matcher, "sz9-mfg-rj", qualifications=["软件企业"], revenue="2500万",
                        previous={"revenue": "2600万"})
    assert status is Status.INELIGIBLE


def test_every_first_crossing_ladder_in_the_corpus_reads_the_previous_year() -> None:
    ladders = [(p, c) for p, c in load_policies().items()
               if isinstance(c.benefit, TiersBenefit) and ("首次突破" in c.text or "首次达到" in c.text)]
    assert len(ladders) >= 6
    for _, clause in ladders:
        assert f"previous.{clause.benefit.field}" in fields_of(clause.conditions), clause.id


def test_no_advice_to_lower_last_years_figure(matcher: Matcher) -> None:
    report = matcher.match(EnterpriseProfile(**BASE, export_value="2.5亿", previous={"export_value": "2亿"}),
                           as_of=DAY, include_ineligible=True)
    m = next(m for m in report.matches if m.clause_id == "sz9-open-ck")
    assert all(not c.field.startswith("previous.") for c in m.changes)


def test_previous_year_figures_from_flags_rows_and_json(tmp_path: Any, capsys: Any) -> None:
    code = main(["match", "--name", "甲", "--region", "嵊州市", "--set", "export_value=1.2亿",
                 "--set", "previous.export_value=8000万", "--set", "credit_clean=true",
                 "--set", "safety_incident_free=true", "--format", "json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    m = next(m for m in report["matches"] if m["clause_id"] == "sz9-open-ck")
    assert m["status"] == "eligible" and m["amount"] == 100_000
    p = EnterpriseProfile(name="乙", previous={"extra.建筑业产值": "9亿", "tax_paid": "800万"})
    assert p.get("previous.extra.建筑业产值") == 9e8 and p.get("previous.tax_paid") == 8e6
    assert p.get("previous.revenue") is None


@pytest.mark.parametrize("bad", [{"revenue": "-1"}, {"employees": True}, {"extra": {"x": "abc"}},
                                 {"profit": 1}, {"extra.x": 1, "extra": {"x": 2}}])
def test_bad_previous_year_values_are_refused(bad: dict[str, Any]) -> None:
    from policymatch.profile import load_profile

    with pytest.raises(ProfileError, match="previous"):
        load_profile({"name": "甲", "previous": bad})


# -- 晋级差额: a firm already paid for the lower tier gets the difference -----------------------------
@pytest.mark.parametrize(("full", "diff", "low", "high", "full_amount", "diff_amount"), [
    ("sz9-con-tj", "sz9-con-tjcj", "一级资质建筑企业", "特级资质建筑企业", 1_000_000, 800_000),
    ("sz9-tal-bshgj", "sz9-tal-bshgjcj", "省级博士后工作站", "国家级博士后科研工作站", 500_000, 300_000),
    ("sz9-mfg-lh3", "sz9-mfg-lh3cj", "两化融合贯标AA", "两化融合贯标AAA", 300_000, 100_000),
])
def test_promotion_pays_the_difference_over_the_tier_already_paid(
        matcher: Matcher, full: str, diff: str, low: str, high: str, full_amount: int, diff_amount: int) -> None:
    promoted = {"qualifications": [low], "new_qualifications": [high]}
    assert verdict(matcher, full, **promoted)[0] is Status.INELIGIBLE
    assert verdict(matcher, diff, **promoted) == (Status.ELIGIBLE, diff_amount)
    fresh = {"qualifications": [], "new_qualifications": [high]}
    assert verdict(matcher, full, **fresh) == (Status.ELIGIBLE, full_amount)
    assert verdict(matcher, diff, **fresh)[0] is Status.INELIGIBLE
    unknown = {"new_qualifications": [high]}  # what it held before is not known
    assert verdict(matcher, full, **unknown)[0] is Status.POSSIBLE
    assert verdict(matcher, diff, **unknown)[0] is Status.POSSIBLE


# -- whose money: a talent's allowance is not the firm's -------------------------------------------
def test_money_paid_to_people_is_not_counted_as_the_firms(matcher: Matcher) -> None:
    profile = EnterpriseProfile(**BASE, talents={"bachelor": 10}, extra={"企业性质": "民营企业"})
    report = matcher.match(profile, as_of=DAY)
    personal = [m for m in report.eligible if m.recipient == "个人" and m.counted and m.amount]
    assert personal, "the bachelor allowances are eligible here"
    firm = sum(m.amount or 0 for m in report.eligible if m.counted and m.recipient == "企业")
    assert report.total_amount == pytest.approx(firm)
    assert report.amounts_by_recipient["个人"] == pytest.approx(sum(m.amount or 0 for m in personal))
    assert "个人" in report.summary
    assert all("·个人" in m.amount_text() for m in personal)


def test_the_bundled_talent_allowances_say_they_go_to_people() -> None:
    for _, clause in load_policies().items():
        if "本人" in clause.text or "生活补贴" in clause.title or "租房补贴" in clause.title \
                or "购房补贴" in clause.title:
            assert clause.benefit.recipient == "个人", clause.id


def test_battery_plant_total_excludes_graduates_rent(matcher: Matcher) -> None:
    from pathlib import Path

    from policymatch.profile import load_profile

    root = Path(__file__).resolve().parent.parent
    report = matcher.match(load_profile(root / "examples" / "battery_plant.json"), as_of=DAY)
    rent = next(m for m in report.eligible if m.clause_id == "szx-aj-zf-bachelor")
    assert rent.recipient == "个人" and rent.amount
    everything = sum(m.amount or 0 for m in report.eligible if m.counted)
    assert report.total_amount == pytest.approx(everything - sum(report.amounts_by_recipient.get(k, 0)
                                                                 for k in ("个人", "项目", "机构")))
    assert report.total_amount < everything
