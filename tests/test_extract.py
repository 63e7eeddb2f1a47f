"""policymatch.extract: raw policy text → draft Policy (structure, conditions, benefits, rules),
source spans, bad input, and bounded time on adversarial text.

cli.py has no ``extract`` command yet, so these tests exercise the library functions the CLI
will call: read_document, extract_policy and ExtractionResult.to_yaml / to_json.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policymatch.corpus import load_policies
from policymatch.errors import ExtractionError, PolicymatchError
from policymatch.extract import (
    MAX_DOCUMENT_BYTES,
    REVIEW_BELOW,
    ExtractionResult,
    extract_policy,
    read_document,
)
from policymatch.models import ApplicationMode, Clause, EnterpriseProfile, Outcome, Policy
from policymatch.rules import evaluate

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "extraction"


# -- helpers ----------------------------------------------------------------------------------
def extract(body: str, head: str = "青溪县测试政策\n") -> ExtractionResult:
    return extract_policy(head + body, policy_id="t")


def one(item: str) -> Clause:
    """The single clause extracted from one numbered item."""
    clauses = extract("（一）" + item).policy.clauses
    assert len(clauses) == 1, [c.text for c in clauses]
    return clauses[0]


def leaves(cond: Any, ctx: str = "") -> set[tuple[Any, ...]]:
    """A condition tree as a set of (context, field, op, value)."""
    if cond is None:
        return set()
    if cond.kind == "field":
        value = tuple(cond.value) if isinstance(cond.value, (list, tuple)) else cond.value
        return {(ctx, cond.field, cond.op, value)}
    if cond.kind == "unstructured":
        return {(ctx, "unstructured", cond.text)}
    if cond.kind == "not":
        return leaves(cond.of, ctx + "not/")
    sub = ctx + "any/" if cond.kind == "any" else ctx
    return set().union(*(leaves(c, sub) for c in cond.of))


def plain(cond: Any) -> set[tuple[Any, ...]]:
    return {leaf[1:] for leaf in leaves(cond) if leaf[0] == ""}


def benefit(c: Clause, *keys: str) -> tuple[Any, ...]:
    """Some values of a clause's benefit, by key (tiers as (at, amount or rate) pairs)."""
    data = c.benefit.model_dump()
    data["tiers"] = [(t["at"], t["amount"] if t["amount"] is not None else t["rate"])
                     for t in data.get("tiers", ())]
    return tuple(data.get(k) for k in keys)


# -- document structure -----------------------------------------------------------------------
NOTICE = """嵊州市人民政府办公室关于印发《嵊州市测试产业扶持政策》的通知
嵊政办发〔2024〕9号

各乡镇人民政府、街道办事处：
　　现将《嵊州市测试产业扶持政策》印发给你们，请认真贯彻执行。

嵊州市人民政府办公室
2024年2月1日

嵊州市测试产业扶持政策

一、适用范围
本政策适用于在本市注册登记的工业企业。
二、扶持措施
（一）对新认定的国家高新技术企业，给予20万元奖励。（责任单位：市科技局）
三、附则
本政策执行期限为2024年1月1日至2025年12月31日。
"""


def test_header_title_number_issuer_dates_and_region() -> None:
    r = extract_policy(NOTICE)
    p = r.policy
    assert p.title == "嵊州市测试产业扶持政策"
    assert p.doc_number == "嵊政办发〔2024〕9号"
    assert p.issuer == "嵊州市人民政府办公室"
    assert p.region == "嵊州市"
    assert (p.valid_from, p.valid_to) == (date(2024, 1, 1), date(2025, 12, 31))
    assert r.fields["issued"].value == "2024-02-01"
    assert p.id.startswith("draft-") and [c.id for c in p.clauses] == [f"{p.id}-1"]


def test_meta_sections_are_not_clauses_and_scope_goes_to_policy_conditions() -> None:
    p = extract_policy(NOTICE).policy
    assert len(p.clauses) == 1
    assert plain(p.conditions) == {("region", "==", "嵊州市"),
                                   ("industry_section", "in", ("B", "C", "D"))}
    assert plain(p.clauses[0].conditions) == {("new_qualifications", "has", "国家高新技术企业")}


def test_numbering_levels_give_each_clause_its_place() -> None:
    doc = ("一、支持创新\n（一）研发投入。\n1.对新认定的国家高新技术企业，给予20万元奖励。\n"
           "2.研发平台。\n（1）对新认定的省级企业技术中心，给予30万元奖励。\n"
           "①对新认定的市级企业技术中心，给予10万元奖励。\n")
    clauses = extract(doc).policy.clauses
    assert [c.source for c in clauses] == ["一（一）1", "一（一）2（1）", "一（一）2（1）1"]
    assert [benefit(c, "amount") for c in clauses] == [(200000,), (300000,), (100000,)]
    assert clauses[0].title == "研发投入"


def test_articles_and_chapters_with_meta_chapters_skipped() -> None:
    doc = ("第一章　总　则\n第一条　为支持人才发展，制定本政策。\n第二章　人才支持\n"
           "第二条　安家补贴。对新引进的全职博士研究生，按每人10万元给予一次性安家补贴。\n"
           "第三章　附　则\n第三条　本政策自2024年1月1日起施行。\n")
    p = extract(doc).policy
    assert [c.source for c in p.clauses] == ["第二章第二条"]
    assert p.clauses[0].title == "安家补贴"
    assert p.valid_from == date(2024, 1, 1)


def test_items_run_together_on_one_line_are_split() -> None:
    doc = "（一）对新认定的国家高新技术企业，给予20万元奖励。（二）对首次认定的科技型中小企业，给予2万元奖励。"
    assert [c.source for c in extract(doc).policy.clauses] == ["（一）", "（二）"]


def test_department_closes_its_item_or_every_item_since_the_last_department_line() -> None:
    doc = ("一、科技\n（一）对新认定的国家高新技术企业，给予20万元奖励。（责任单位：县科技局）\n"
           "（二）对首次认定的科技型中小企业，给予2万元奖励。\n"
           "（三）对新认定的省级企业研究院，给予50万元奖励。\n（责任单位：县经信局、县科技局）\n"
           "二、人才\n（一）对新引进的全职博士研究生，按每人10万元给予安家补贴。\n"
           "（牵头单位：县人力社保局；配合单位：县财政局）\n")
    assert [c.department for c in extract(doc).policy.clauses] == [
        "县科技局", "县经信局、县科技局", "县经信局、县科技局", "县人力社保局"]


def test_benefits_separated_by_semicolons_become_clauses_with_their_own_text() -> None:
    p = extract("（一）鼓励上市。对在境内外证券交易所首发上市的企业，给予一次性奖励300万元；"
                "对在新三板挂牌的企业，给予50万元奖励。").policy
    assert [benefit(c, "amount") for c in p.clauses] == [(3_000_000,), (500_000,)]
    assert p.clauses[0].text == "对在境内外证券交易所首发上市的企业，给予一次性奖励300万元；"
    assert plain(p.clauses[1].conditions) == {("new_qualifications", "has", "新三板挂牌")}
    assert [c.title for c in p.clauses] == ["鼓励上市（1）", "鼓励上市（2）"]


@pytest.mark.parametrize("item", [
    "企业职工技能培训、稳岗返还等政策按省、市有关规定执行。",
    "强化要素保障。对重大制造业项目，在用地指标、能耗指标等方面予以优先保障。",
])
def test_items_without_a_quantified_benefit_stay_informational(item: str) -> None:
    c = one(item)
    assert c.benefit.kind == "in_kind" and c.category == "权益"
    assert "万元" not in c.benefit.model_dump_json()


def test_an_elided_subject_and_measure_are_taken_from_the_previous_sentence() -> None:
    p = extract("（一）对在本县注册的电子商务企业，年网络零售额达到2000万元（含）以上的，给予10万元奖励；"
                "达到5000万元以上的，给予20万元奖励。", head="青溪县电商政策\n").policy
    assert plain(p.clauses[1].conditions) == {
        ("region", "==", "青溪县"), ("industry", "==", "电子商务"), ("extra.网络零售额", ">=", 50_000_000)}


# -- conditions -------------------------------------------------------------------------------
@pytest.mark.parametrize(("cond", "expected"), [
    ("对新认定的国家高新技术企业", ("new_qualifications", "has", "国家高新技术企业")),
    ("对首次认定的科技型中小企业", ("new_qualifications", "has", "科技型中小企业")),
    ("对当年评为省级隐形冠军的企业", ("new_qualifications", "has", "省隐形冠军")),
    ("对有效期内的高新技术企业", ("qualifications", "has", "国家高新技术企业")),
    ("对国家级专精特新“小巨人”企业", ("qualifications", "has", "国家级专精特新小巨人")),
    ("对年营业收入2000万元以上的企业", ("revenue", ">=", 20_000_000)),
    ("对上年度纳税超过500万元的企业", ("tax_paid", ">", 5_000_000)),
    ("对固定资产投资不低于1亿元的项目", ("fixed_asset_investment", ">=", 100_000_000)),
    ("对研发费用达到300万元的企业", ("rd_expense", ">=", 3_000_000)),
    ("对从业人员50人以下的企业", ("employees", "<", 50)),
    ("对从业人员50人（含）以下的企业", ("employees", "<=", 50)),
    ("对出口额1000万元（含）以上的企业", ("export_value", ">=", 10_000_000)),
    ("对出口额1000万元以上（不含）的企业", ("export_value", ">", 10_000_000)),
    ("对经营面积500平方米以上的企业", ("office_area_sqm", ">=", 500)),
    ("对营业收入首次突破1亿元的企业", ("revenue", ">=", 100_000_000)),
    ("对研发费用占营业收入比例达到3%以上的企业", ("rd_ratio", ">=", 0.03)),
    ("对营业收入同比增长百分之二十以上的企业", ("revenue_growth", ">=", 0.2)),
    ("对入驻青溪县人才创业园的企业", ("park", "==", "青溪县人才创业园")),
    ("对在嵊州市注册登记的企业", ("region", "==", "嵊州市")),
    ("对在本县注册登记的企业", ("region", "==", "青溪县")),
    ("对集成灶企业", ("industry", "==", "厨具电器")),
    ("对制造业企业", ("industry_section", "==", "C")),
    ("对规上工业企业", ("is_above_scale", "==", True)),
    ("对尚未纳入规模以上统计的小微企业", ("is_above_scale", "==", False)),
    ("对成立不满三年的企业", ("age_years", "<", 3)),
    ("对成立5年以上的企业", ("age_years", ">=", 5)),
    ("对新引进博士2名以上的企业", ("talents.phd", ">=", 2)),
    ("对未发生较大及以上安全生产事故的企业", ("safety_incident_free", "==", True)),
    ("对无严重失信行为的企业", ("credit_clean", "==", True)),
])
def test_condition_patterns(cond: str, expected: tuple[Any, ...]) -> None:
    assert expected in plain(one(cond + "，给予10万元奖励。").conditions)


def test_a_range_gives_a_lower_and_an_upper_bound() -> None:
    assert plain(one("对营业收入500万元至2000万元的企业，给予5万元奖励。").conditions) == {
        ("revenue", ">=", 5_000_000), ("revenue", "<", 20_000_000)}


def test_or_makes_alternatives() -> None:
    c = one("对营业收入超过1亿元或纳税超过500万元的企业，给予10万元奖励。")
    assert leaves(c.conditions) == {("any/", "revenue", ">", 1e8), ("any/", "tax_paid", ">", 5e6)}


@pytest.mark.parametrize(("item", "expected"), [
    ("对营业收入超过1亿元的企业（国有企业除外），给予10万元奖励。",
     ("not/", "extra.国有企业", "==", True)),
    ("对营业收入超过1亿元的企业，给予10万元奖励，当年发生安全生产事故的除外。",
     ("", "safety_incident_free", "==", True)),
    ("对营业收入超过1亿元的企业，给予10万元奖励，亩均效益评价为D类的企业除外。",
     ("", "qualifications", "not_has", "亩均效益D类")),
    ("对营业收入超过1亿元的企业（已享受上市奖励的首发上市企业除外），给予10万元奖励。",
     ("not/", "new_qualifications", "has", "上市公司")),
])
def test_exclusions(item: str, expected: tuple[Any, ...]) -> None:
    c = one(item)
    flipped = ("" if expected[0] else "not/", *expected[1:])
    assert expected in leaves(c.conditions) and flipped not in leaves(c.conditions)
    assert ("", "revenue", ">", 1e8) in leaves(c.conditions)


def test_document_wide_conditions_from_the_preamble_and_the_closing_articles() -> None:
    doc = ("青溪县制造业政策\n为推动发展，制定本政策。本政策适用于在青溪县注册登记的工业企业。\n"
           "一、扶持\n（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
           "二、附则\n（一）当年发生较大及以上安全生产事故、被列入严重失信主体名单的企业，不得享受本政策。\n")
    p = extract_policy(doc).policy
    assert plain(p.conditions) == {
        ("region", "==", "青溪县"), ("industry_section", "in", ("B", "C", "D")),
        ("safety_incident_free", "==", True), ("credit_clean", "==", True)}
    assert plain(p.clauses[0].conditions) == {("new_qualifications", "has", "国家高新技术企业")}


def test_a_parallel_list_is_zipped_with_its_amounts() -> None:
    p = extract("（一）对当年新认定的国家级专精特新“小巨人”企业、省级专精特新中小企业、创新型中小企业，"
                "分别给予50万元、20万元、5万元奖励。").policy
    got = [(plain(c.conditions), benefit(c, "amount")) for c in p.clauses]
    assert got == [({("new_qualifications", "has", "国家级专精特新小巨人")}, (500_000,)),
                   ({("new_qualifications", "has", "省专精特新中小企业")}, (200_000,)),
                   ({("new_qualifications", "has", "创新型中小企业")}, (50_000,))]


def test_level_list_names_expand() -> None:
    p = extract("（一）对新评为国家级、省级农民合作社示范社的，分别奖励10万元、5万元。").policy
    assert [plain(c.conditions) for c in p.clauses] == [
        {("new_qualifications", "has", "国家级农民合作社示范社")},
        {("new_qualifications", "has", "省级农民合作社示范社")}]


# -- benefits ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("award", "amount"), [
    ("给予一次性奖励10万元", 100_000),
    ("给予一次性奖励１０万元", 100_000),
    ("给予 100 万元奖励", 1_000_000),
    ("奖励五十万元", 500_000),
    ("给予一百二十万元奖励", 1_200_000),
    ("给予1.5亿元奖励", 150_000_000),
    ("奖励8000元", 8000),
    ("奖励1,000万元", 10_000_000),
])
def test_fixed_amounts_in_every_written_form(award: str, amount: float) -> None:
    c = one(f"对新认定的国家高新技术企业，{award}。")
    assert benefit(c, "kind", "amount", "up_to") == ("fixed", amount, False)


def test_a_ceiling_alone_is_an_up_to_award() -> None:
    c = one("对入选领军人才计划的创业项目，给予最高300万元项目资助。")
    assert benefit(c, "kind", "amount", "up_to") == ("fixed", 3_000_000, True)


@pytest.mark.parametrize("awards", ["分别给予 10万元、20万元、50万元、100万元",
                                    "依次给予10、20、50、100万元"])
def test_milestone_tiers(awards: str) -> None:
    c = one(f"对年营业收入首次突破 1000万元、2000万元、5000万元、1亿元的企业，{awards}的一次性奖励。")
    assert benefit(c, "kind", "field", "tiers") == (
        "tiers", "revenue", [(1e7, 1e5), (2e7, 2e5), (5e7, 5e5), (1e8, 1e6)])
    tiers = [(1e7, 1e5), (2e7, 2e5), (5e7, 5e5), (1e8, 1e6)]
    assert leaves(c.conditions) == {(ctx, f, op, t) for t, _ in tiers for ctx, f, op in (
        ("any/", "revenue", ">="), ("any/", "previous.revenue", "<"))}  # 首次: last year not


def test_first_time_milestones_read_last_years_figure() -> None:
    p = EnterpriseProfile(name="甲", revenue="6000万", previous={"revenue": "4000万"})
    again = EnterpriseProfile(name="乙", revenue="6000万", previous={"revenue": "5500万"})
    unknown = EnterpriseProfile(name="丙", revenue="6000万")
    c = one("对年营业收入首次突破1000万元、5000万元的企业，分别给予10万元、50万元奖励。")
    assert evaluate(c.conditions, p).outcome is Outcome.MET
    assert evaluate(c.conditions, again).outcome is Outcome.UNMET  # both tiers reached before
    assert evaluate(c.conditions, unknown).outcome is Outcome.UNKNOWN  # never eligible
    single = one("对年出口额首次超过1亿元的企业，给予30万元奖励。")
    assert plain(single.conditions) == {("export_value", ">", 1e8), ("previous.export_value", "<=", 1e8)}
    no_field = one("对设备投资首次达到500万元的企业，给予5万元奖励。")
    assert ("equipment_investment", ">=", 5e6) in plain(no_field.conditions)
    assert any(x[0] == "unstructured" for x in plain(no_field.conditions))
    assert no_field.review is not None and "首次达到" in no_field.review


@pytest.mark.parametrize(("text", "rate"), [("按设备投资额的10%给予补助", 0.1),
                                            ("按照设备投资额的百分之十五给予补助", 0.15)])
def test_ratio_with_cap(text: str, rate: float) -> None:
    c = one(f"对完成技术改造的企业，{text}，最高不超过200万元。")
    assert benefit(c, "kind", "field", "rate", "cap") == ("ratio", "equipment_investment", rate, 2e6)


def test_ratio_floor() -> None:
    c = one("对规上企业，按研发费用的5%给予补助，补助额不足2万元的按2万元兑现，最高不超过50万元。")
    assert benefit(c, "rate", "floor", "cap") == (0.05, 20_000, 500_000)


def test_banded_ratios() -> None:
    c = one("对企业数字化改造投入，按投入额分档补助：10万元以上不足20万元的补助15%，"
            "20万元以上的补助25%；同一企业最高100万元。")
    assert benefit(c, "kind", "cap", "tiers") == ("tiers", 1e6, [(1e5, 0.15), (2e5, 0.25)])


def test_per_increment_award_becomes_equal_steps_up_to_the_cap() -> None:
    c = one("对限上商贸企业，网络零售额比上年每增加1000万元，奖励10万元，同一企业每年最高30万元。")
    assert benefit(c, "tiers") == ([(1e7, 1e5), (2e7, 2e5), (3e7, 3e5)],)
    assert c.review is not None


def test_per_person_per_month_for_three_years_zipped_by_degree() -> None:
    p = extract("（一）对新引进的全职博士研究生、硕士研究生，分别按每人每月3000元、1500元的标准"
                "发放生活补贴，最长发放三年。").policy
    assert [benefit(c, "field", "rate", "period", "duration") for c in p.clauses] == [
        ("talents.phd", 3000, "month", 36), ("talents.master", 1500, "month", 36)]
    assert plain(p.clauses[0].conditions) == {("talents.phd", ">=", 1)}


def test_per_new_hire_with_a_yearly_cap_is_not_a_yearly_period() -> None:
    c = one("对新招用本县户籍劳动力的企业，按每新招用1人给予1000元补助，单个企业每年最高不超过10万元。")
    assert benefit(c, "kind", "field", "rate", "period", "cap") == (
        "per_unit", "extra.新招用本县户籍劳动力人数", 1000, "once", 100_000)  # a subset: its own count


def test_rent_per_square_metre_per_month() -> None:
    c = one("对入驻科创园的企业，按每平方米每月15元给予房租补助，补助面积不超过500平方米，补助期限三年。")
    assert benefit(c, "kind", "rate", "months", "max_area") == ("rent", 15, 36, 500)


def test_interest_subsidy_names_the_assumed_reference_rate_in_the_warnings() -> None:
    r = extract("（一）对企业技术改造贷款，按贷款市场报价利率（LPR）的50%给予贴息，贴息期限最长不超过"
                "2年，单个企业年度贴息总额最高不超过50万元。")
    c = r.policy.clauses[0]
    assert benefit(c, "kind", "share", "years", "cap") == ("interest", 0.5, 2, 500_000)
    # a stated convention, not a doubt about the text: the warnings name it and the clause
    assert c.review is None and any(w.startswith(c.id) and "LPR" in w for w in r.warnings)


def test_foreign_currency_is_not_read_as_yuan() -> None:
    c = one("对实际到位外资达到500万美元的外资企业，给予表彰。")
    assert c.benefit.kind == "in_kind"
    assert c.conditions is not None and c.conditions.kind == "unstructured"  # kept, not read
    assert "500万美元" in c.conditions.text


# -- exclusivity, validity, application mode --------------------------------------------------------
def test_item_level_exclusivity_groups_the_items_clauses() -> None:
    p = extract("（一）对新认定的国家企业技术中心、省级企业技术中心，分别给予100万元、30万元奖励；"
                "同一企业按就高原则奖励，不重复享受。\n（二）对新认定的国家高新技术企业，给予20万元奖励。").policy
    groups = [c.exclusive_group for c in p.clauses]
    assert groups[0] == groups[1] is not None and groups[2] is None


@pytest.mark.parametrize(("names", "grouped"), [("国家5A级旅游景区、国家4A级旅游景区", True),
                                                ("国家级绿色工厂、省级绿色工厂", True),
                                                ("绿色食品认证、有机产品认证", False)])
def test_document_wide_exclusivity_groups_honour_ladders(names: str, grouped: bool) -> None:
    doc = (f"一、扶持\n（一）对新获得{names}的，分别给予20万元、10万元奖励。\n"
           "二、附则\n同一企业同一事项符合多项条款的，按照就高不重复原则执行。\n")
    groups = {c.exclusive_group for c in extract(doc).policy.clauses}
    assert (len(groups) == 1 and None not in groups) is grouped


@pytest.mark.parametrize(("sentence", "dates"), [
    ("本政策执行期限为2024年1月1日至2025年12月31日。", (date(2024, 1, 1), date(2025, 12, 31))),
    ("本政策自2024年5月1日起施行，有效期至2026年12月。", (date(2024, 5, 1), date(2026, 12, 31))),
    ("本政策自印发之日起施行，有效期三年。", (date(2024, 6, 20), date(2027, 6, 19))),
    ("本政策自二〇二四年七月一日起施行，至2025年6月30日止。", (date(2024, 7, 1), date(2025, 6, 30))),
])
def test_validity_dates(sentence: str, dates: tuple[date, date]) -> None:
    doc = (f"某县政策\n2024年6月20日\n一、扶持\n（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
           f"二、附则\n{sentence}\n")
    p = extract_policy(doc).policy
    assert (p.valid_from, p.valid_to) == dates


def test_mode_stated_in_the_item() -> None:
    p = extract("（一）对新认定的国家高新技术企业，给予20万元奖励。本条实行“免申即享”。\n"
                "（二）对首次认定的科技型中小企业，给予2万元奖励。").policy
    assert [c.mode for c in p.clauses] == [ApplicationMode.AUTO, ApplicationMode.APPLY]


@pytest.mark.parametrize(("rule", "modes"), [
    ("本政策所列奖励实行“免申即享”。", ["免申即享", "免申即享", "免申即享"]),
    ("本政策第一条第（二）项实行“免申即享”，其余事项依申请兑现。", ["依申请", "免申即享", "依申请"]),
    ("本政策第二条所列奖励实行“免申即享”。", ["依申请", "依申请", "免申即享"]),
    ("除注明“免申即享”的事项外，其余事项均依申请兑现。", ["依申请", "依申请", "依申请"]),
])
def test_mode_stated_for_the_whole_document(rule: str, modes: list[str]) -> None:
    doc = ("一、科技\n（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
           "（二）对首次认定的科技型中小企业，给予2万元奖励。\n"
           "二、人才\n（一）对新引进的全职博士研究生，按每人10万元给予安家补贴。\n"
           f"三、附则\n{rule}\n")
    assert [c.mode.value for c in extract(doc).policy.clauses] == modes


# -- spans, confidence and output ---------------------------------------------------------------
def test_traditional_text_is_read_and_spans_point_into_the_original() -> None:
    raw = "某縣政策\n（一）對首次認定的國家高新技術企業，給予一次性獎勵２０萬元。（責任單位：縣科技局）"
    r = extract_policy(raw)
    c, info = r.policy.clauses[0], r.clauses[0]
    assert plain(c.conditions) == {("new_qualifications", "has", "国家高新技术企业")}
    assert benefit(c, "amount") == (200_000,) and c.department == "县科技局"
    amount = info.fields["benefit.amount"]
    assert amount.source_text == "２０萬元" == raw[slice(*amount.span)]
    assert c.text.startswith("對首次認定")


def test_spans_stay_right_after_characters_that_nfkc_expands() -> None:
    raw = "某县政策\n（一）对租用面积100㎡以上、获得⑩项专利的企业，给予一次性奖励10万元。"
    r = extract_policy(raw)
    amount = r.clauses[0].fields["benefit.amount"]
    assert amount.source_text == "10万元" == raw[slice(*amount.span)]


def test_uncertain_values_are_flagged_not_silently_kept() -> None:
    r = extract("（一）对年产值达到5000万元的企业，给予10万元奖励。")
    c, info = r.policy.clauses[0], r.clauses[0]
    assert plain(c.conditions) == {("extra.产值", ">=", 5e7)}
    # a measure with no profile field keeps its own name (unknown for every firm that does not
    # state it): a low confidence and a warning naming the clause, not a review note
    assert info.confidence < REVIEW_BELOW and c.review is None
    assert any(w.startswith(c.id) and "extra.产值" in w for w in r.warnings)
    clean = extract("（一）对新认定的国家高新技术企业，给予20万元奖励。")
    assert clean.policy.clauses[0].review is None and clean.clauses[0].confidence >= REVIEW_BELOW


def test_yaml_and_json_drafts_load_as_policy_files(tmp_path: Path) -> None:
    r = extract("（一）对年产值达到5000万元的企业，给予10万元奖励。\n"
                "（二）对新认定的国家高新技术企业，给予20万元奖励。")
    text = r.to_yaml()
    assert text.startswith("# Machine-extracted draft") and "review:" in text
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "j" / "d.json").parent.mkdir()
    (tmp_path / "j" / "d.json").write_text(r.to_json(), encoding="utf-8")
    assert load_policies(tmp_path / "d.yaml").policies[0] == r.policy
    assert load_policies(tmp_path / "j").policies[0] == r.policy
    detail = json.loads(r.to_json(details=True))
    assert detail["clauses"][0]["fields"]["benefit.amount"]["value"] == 100_000


def test_policy_id_and_source_are_used() -> None:
    r = extract_policy("某县政策\n（一）对新认定的国家高新技术企业，给予20万元奖励。", policy_id="sx-2024.9",
                       source="sx.txt")
    assert r.policy.id == "sx-2024.9" and r.policy.clauses[0].id == "sx-2024.9-1"
    assert r.policy.source == "sx.txt"


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("", "empty"), ("   \n\t ", "empty"),
    ("关于做好春节期间安全生产工作的通知\n各单位要高度重视，切实落实责任。", "no clause found"),
    ("abc\x00def", "binary"),
])
def test_bad_text(text: str, message: str) -> None:
    with pytest.raises(ExtractionError, match=message) as info:
        extract_policy(text)
    assert isinstance(info.value, (ValueError, PolicymatchError))


def test_bad_arguments() -> None:
    with pytest.raises(ExtractionError, match="policy_id"):
        extract_policy("（一）给予10万元奖励。", policy_id="坏 id")
    with pytest.raises(ExtractionError, match="expected text"):
        extract_policy(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ExtractionError, match="limit"):
        extract_policy("（一）给予10万元奖励。" + "啊" * (MAX_DOCUMENT_BYTES // 3))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"", None),
    ("bin.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("gbk.txt", "对新认定的企业给予10万元".encode("gbk"), "not UTF-8"),
    ("old.doc", b"\xd0\xcf\x11\xe0", "not read"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
])
def test_bad_files(tmp_path: Path, name: str, content: bytes, message: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    if message is None:  # an empty file reads as "" and extraction says why it stops
        with pytest.raises(ExtractionError, match="empty"):
            extract_policy(read_document(path))
        return
    with pytest.raises(ExtractionError, match=message):
        read_document(path)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: no 50 MB written to disk
    with pytest.raises(ExtractionError, match="over the 5,000,000-byte limit"):
        read_document(big)
    with pytest.raises(ExtractionError, match="no such file"):
        read_document(tmp_path / "missing.txt")


def test_docx_paragraphs_and_tables_are_read(tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_paragraph("青溪县测试政策")
    d.add_paragraph("（一）对新认定的国家高新技术企业，给予20万元奖励。")
    d.add_table(rows=1, cols=1).cell(0, 0).text = "（二）对首次认定的科技型中小企业，给予2万元奖励。"
    d.save(str(tmp_path / "p.docx"))
    p = extract_policy(read_document(tmp_path / "p.docx")).policy
    assert [benefit(c, "amount") for c in p.clauses] == [(200_000,), (20_000,)]


def test_docx_without_python_docx_names_the_extra(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p.docx").write_bytes(b"PK")
    monkeypatch.setitem(sys.modules, "docx", None)  # import docx now raises ImportError
    with pytest.raises(ExtractionError, match=r"pip install 'policymatch\[docx\]'"):
        read_document(tmp_path / "p.docx")


# -- bounded time on adversarial text ---------------------------------------------------------------
_ALPHABET = st.sampled_from(list("0123456789１２一二三十百千万亿元、，；。：（）()【】“”%以上下含不超过"
                                 "达到首次突破对的给予奖励补助每人月年平方米或除外就高免申即享责任单位第条章\n 　"))


@settings(max_examples=60)
@given(st.lists(st.one_of(_ALPHABET, st.sampled_from(["万元", "（一）", "1.", "首次突破", "分别给予",
                                                      "1000万元、", "99999999999", "的除外"])),
                max_size=1500).map("".join))
def test_arbitrary_text_terminates_quickly_and_any_draft_validates(text: str) -> None:
    start = time.perf_counter()
    try:
        r = extract_policy(text)
    except ExtractionError:
        r = None
    assert time.perf_counter() - start < 2.0
    if r is not None:
        assert Policy.model_validate_json(r.to_json()) == r.policy


@pytest.mark.parametrize("text", [
    "（一）给予" + "1" * 60_000 + "万元",
    "（一）对" + "、" * 60_000 + "给予10万元",
    "（一）" + "（" * 30_000 + "给予10万元",
    "（一）对营业收入首次突破" + "1000万元、" * 5_000 + "的，分别给予" + "10万元、" * 5_000,
    "（一）对获评" + "某某企业、" * 5_000 + "的，分别给予" + "1万元、" * 5_000,
    "（一）对新认定的企业给予10万元；本条实行免申即享；" * 2_000,
    "（一）" + "对首次认定，在本县注册的或除外以上1亿元、" * 5_000,
], ids=["digits", "commas", "brackets", "ladder", "honours", "sentences", "keywords"])
def test_long_pathological_inputs_finish_in_bounded_time(text: str) -> None:
    start = time.perf_counter()
    try:
        extract_policy(text)
    except ExtractionError:
        pass
    assert time.perf_counter() - start < 6.0


# -- the benchmark documents ----------------------------------------------------------------------
@pytest.mark.parametrize("doc", sorted(BENCH.glob("**/documents/*.txt")), ids=lambda p: p.name)
def test_benchmark_documents_extract_to_files_that_validate(doc: Path, tmp_path: Path) -> None:
    r = extract_policy(read_document(doc), source=doc.name)
    out = tmp_path / f"{doc.stem}.yaml"
    out.write_text(r.to_yaml(), encoding="utf-8")
    assert load_policies(out).policies[0] == r.policy
    assert len(r.policy.clauses) >= 5


@pytest.mark.slow
def test_benchmark_figures_meet_the_targets() -> None:
    spec = importlib.util.spec_from_file_location("bench_evaluate", BENCH / "evaluate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures = module.evaluate(BENCH, verbose=False)
    assert figures["benefit clauses found"] == 1.0
    assert figures["condition F1"] >= 0.9
    assert figures["amount accuracy"] >= 0.95


# -- an extracted draft may be incomplete, never permissive ---------------------------------------
_UNREADABLE = ["具有独立法人资格", "财务制度健全", "近三年无环保违法记录", "项目已通过竣工验收",
               "拥有自主知识产权", "产品市场占有率居全国前列", "承诺十年内不迁离", "通过质量管理体系认证"]
_READABLE = [("年营业收入达到2000万元以上", ("revenue", ">=", 2e7)),
             ("新认定为国家高新技术企业", ("new_qualifications", "has", "国家高新技术企业")),
             ("纳入规模以上统计", ("is_above_scale", "==", True))]


def _unstructured_words(cond: Any) -> list[str]:
    return [x[2] for x in leaves(cond) if x[1] == "unstructured"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_UNREADABLE), min_size=0, max_size=3, unique=True),
       st.lists(st.sampled_from(range(len(_READABLE))), min_size=0, max_size=2, unique=True),
       st.integers(1, 99), st.sampled_from(["、", "且", "并"]))
def test_no_condition_phrase_is_silently_dropped(words: list[str], known: list[int], amount: int,
                                                 joint: str) -> None:
    phrases = [_READABLE[k][0] for k in known] + words
    if not phrases:
        phrases = ["在本县注册"]
    c = one(f"对{joint.join(phrases)}的企业，给予{amount}万元奖励。")
    found = _unstructured_words(c.conditions)
    names = [str(x[3]) for x in leaves(c.conditions) if x[1].endswith("qualifications")]
    for w in words:  # kept as written in an unstructured leaf, or read as an honour of its own
        assert any(w in u for u in found) or any(n in w for n in names), (w, found, names)
    assert all(not isinstance(x[3], tuple) for x in leaves(c.conditions)
               if x[1].endswith("qualifications")), "separate requirements are not alternatives"
    for k in known:  # structured
        assert _READABLE[k][1] in {x[1:] for x in leaves(c.conditions)}
    if words:  # and then no firm is eligible, whatever it says about itself
        firm = EnterpriseProfile(name="甲", region="青溪县", revenue="5亿", is_above_scale=True,
                                 qualifications=["国家高新技术企业"],
                                 new_qualifications=["国家高新技术企业"])
        assert evaluate(c.conditions, firm).outcome is not Outcome.MET


def test_requirements_around_the_benefit_are_kept() -> None:
    c = one("对引进高层次人才团队的企业，经评审认定后给予最高200万元资助。项目须通过中期考核。")
    found = _unstructured_words(c.conditions)
    assert any("经评审认定后" in w for w in found)
    assert any("中期考核" in w for w in found)
    assert any("高层次人才团队" in w for w in found)


def test_scope_words_and_a_missing_region_are_document_conditions() -> None:
    r = extract_policy("南山县支持企业发展若干政策\n本政策适用于在南山县注册登记、依法纳税且具有独立法人资格的企业。\n"
                       "（一）对新认定的国家高新技术企业，给予20万元奖励。")
    doc = leaves(r.policy.conditions)
    assert ("", "region", "==", "南山县") in doc
    assert any("依法纳税" in w for w in _unstructured_words(r.policy.conditions))
    no_scope = extract_policy("丰溪县数字经济若干措施\n一、对新认定的国家高新技术企业，给予20万元奖励。")
    assert leaves(no_scope.policy.conditions) == {("", "region", "==", "丰溪县")}
    nowhere = extract_policy("关于支持企业发展的若干措施\n一、对新认定的国家高新技术企业，给予20万元奖励。")
    assert _unstructured_words(nowhere.policy.conditions) == ["适用地区（县、市、区）未能从文件中识别"]
    firm = EnterpriseProfile(name="甲", region="嵊州市", new_qualifications=["国家高新技术企业"],
                             qualifications=["国家高新技术企业"])
    assert evaluate(nowhere.policy.conditions, firm).outcome is Outcome.UNKNOWN


@pytest.mark.parametrize(("issuer", "title", "region"), [
    ("临江市越川区人民政府办公室", "越川区贯彻落实临江市若干意见实施细则", "越川区"),
    ("嵊州市人民政府", "2024年嵊州市工业经济政策", "嵊州市"),
    ("", "2025年度嵊州市“4173”先进制造业强市建设专项政策", "嵊州市"),
    ("浙江省新昌县人民政府", "新昌县制造业政策", "新昌县"),
])
def test_region_is_the_documents_own_most_specific_place(issuer: str, title: str, region: str) -> None:
    from policymatch.extract.frame import _region

    assert _region(issuer, title) == region


def test_document_frame_from_a_copied_web_page() -> None:
    page = ("丰溪县人民政府门户网站\n首页 > 政务公开 > 政策文件\n字号：[ 大 中 小 ]　打印本页　关闭窗口\n"
            "关于印发丰溪县加快数字经济发展若干措施的通知\n丰政办〔2024〕21号\n"
            "丰溪县人民政府办公室\n2024年9月10日\n"
            "丰溪县加快数字经济发展若干措施\n　　根据《浙江省数字经济促进条例》（浙政发〔2023〕9号），制定本措施。\n"
            "一、对新认定的国家高新技术企业，给予20万元奖励。\n上一篇：某某通知\nPage 8 -\n")
    p = extract_policy(page).policy
    assert p.title == "丰溪县加快数字经济发展若干措施"
    assert p.doc_number == "丰政办〔2024〕21号"
    assert p.region == "丰溪县" and p.issuer == "丰溪县人民政府办公室"
    assert len(p.clauses) == 1


def test_two_years_of_one_title_get_different_ids() -> None:
    body = "\n本政策自{}年1月1日起施行。\n（一）对新认定的国家高新技术企业，给予20万元奖励。"
    a = extract_policy("青溪县科技政策" + body.format(2024)).policy.id
    b = extract_policy("青溪县科技政策" + body.format(2025)).policy.id
    assert a != b


def test_an_annex_definition_binds_the_clauses_using_the_term() -> None:
    r = extract_policy("南山县工业政策\n一、支持技改\n（一）对工业企业当年设备投资额达到500万元以上的，"
                       "按设备投资额的10%给予补助。\n二、附则\n（一）本政策所称工业企业，是指纳入规模以上工业统计的企业。")
    c = r.policy.clauses[0]
    assert ("is_above_scale", "==", True) in plain(c.conditions)
    assert ("equipment_investment", ">=", 5e6) in plain(c.conditions)


def test_five_subjects_of_one_fenbie_list_are_five_clauses() -> None:
    r = extract("（一）对当年获得中国质量奖、中国质量奖提名奖、浙江省政府质量奖、浙江省政府质量奖提名奖、"
                "市政府质量奖的企业，分别给予200万元、100万元、100万元、50万元、30万元奖励。")
    got = [(next(iter(plain(c.conditions)))[2], c.benefit.amount) for c in r.policy.clauses]
    assert got == [("中国质量奖", 2e6), ("中国质量奖提名奖", 1e6), ("浙江省政府质量奖", 1e6),
                   ("浙江省政府质量奖提名奖", 5e5), ("市政府质量奖", 3e5)]


@pytest.mark.parametrize(("item", "names"), [
    ("对当年获评县级、市级、省级、国家级绿色工厂的企业，分别给予5万元、10万元、30万元、80万元奖励。",
     ["县级绿色工厂", "市级绿色工厂", "省级绿色工厂", "国家级绿色工厂"]),
    ("对新评为三星级、四星级、五星级小微企业园的，分别给予20万元、40万元、60万元奖励。",
     ["三星级小微企业园", "四星级小微企业园", "五星级小微企业园"]),
    ("对当年获得县科学技术进步奖一等奖、二等奖、三等奖的项目，分别给予10万元、5万元、3万元奖励。",
     ["县科学技术进步奖一等奖", "县科学技术进步奖二等奖", "县科学技术进步奖三等奖"]),
])
def test_fenbie_lists_over_levels_stars_and_grades_keep_their_order(item: str, names: list[str]) -> None:
    clauses = extract("（一）" + item).policy.clauses
    assert [next(iter(plain(c.conditions)))[2] for c in clauses] == names
    assert all(next(iter(plain(c.conditions)))[0] == "new_qualifications" for c in clauses)


def test_fenbie_over_subjects_no_lexicon_knows_zips_unstructured_subjects() -> None:
    clauses = extract("（一）对主导制定国际标准、国家标准、行业标准的企业，分别给予每项50万元、30万元、"
                      "10万元奖励。").policy.clauses
    assert [_unstructured_words(c.conditions) for c in clauses] == [
        ["主导制定国际标准"], ["主导制定国家标准"], ["主导制定行业标准"]]
    assert [c.benefit.rate for c in clauses] == [5e5, 3e5, 1e5]


@pytest.mark.parametrize(("item", "field"), [
    ("对企业当年信息化和数字化投入达到100万元以上的，按实际投入的15%给予补助。", "digital_investment"),
    ("对企业当年上云费用达到5万元以上的，按上云费用的40%给予补助。", "cloud_expense"),
])
def test_quantities_land_on_named_fields_and_the_base_is_the_same_key(item: str, field: str) -> None:
    c = one(item)
    assert c.benefit.field == field
    assert any(x[0] == field for x in plain(c.conditions))


def test_per_acre_and_per_unit_quantities_use_the_new_fields() -> None:
    c = one("对企业用地面积在30亩以上、亩均税收达到20万元的，给予每亩1万元奖励，单个企业最高50万元。")
    assert {("land_area_mu", ">=", 30.0), ("extra.亩均税收", ">=", 2e5)} <= plain(c.conditions)
    assert (c.benefit.kind, c.benefit.field) == ("per_unit", "land_area_mu")
    robots = one("对企业当年新购置工业机器人10台以上的，按每台1万元给予补助，最高不超过100万元。")
    assert ("equipment_units", ">=", 10.0) in plain(robots.conditions)
    assert robots.benefit.field == "equipment_units"


def test_held_and_new_honours() -> None:
    assert plain(one("对获得市级数字化车间认定的企业，给予5万元奖励。").conditions) == {
        ("qualifications", "has", "市级数字化车间")}
    assert plain(one("对当年获得市级数字化车间认定的企业，给予5万元奖励。").conditions) == {
        ("new_qualifications", "has", "市级数字化车间")}
    soft = one("对年软件业务收入首次达到1000万元的软件企业，给予20万元奖励。")
    assert ("qualifications", "has", "软件企业") in plain(soft.conditions)  # 首次 is the revenue's


def test_review_notes_say_what_and_where_and_are_not_on_every_clause() -> None:
    r = extract("（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
                "（二）对年营业收入5000万元的企业，给予10万元奖励。\n"
                "（三）对当年新认定的省级企业技术中心，给予30万元奖励。")
    notes = [c.review for c in r.policy.clauses]
    assert notes[0] is None and notes[2] is None
    # no comparator (达到/以上) stated: ">=" is a guess; the note says what, and where
    assert notes[1] is not None and "5000万元" in notes[1]
    a, b = (int(x) for x in re.search(r"原文位置 (\d+)–(\d+)", notes[1]).groups())
    assert "5000万元" in r.policy.clauses[1].text and a < b


def test_an_item_after_an_inline_department_and_a_clause_before_the_first_item() -> None:
    r = extract("对新引进的博士，给予每人5万元安家补贴。\n"
                "（一）对新认定的国家高新技术企业，给予10万元奖励。（责任单位：县科技局）（二）对新认定的"
                "省级企业技术中心，给予5万元奖励。（责任单位：县经信局）")
    got = [(c.source, c.department, c.benefit.kind) for c in r.policy.clauses]
    assert got == [(None, None, "per_unit"), ("（一）", "县科技局", "fixed"), ("（二）", "县经信局", "fixed")]


def test_a_rate_on_the_loan_is_not_a_share_of_an_interest_rate() -> None:
    c = one("对企业技术改造贷款，按贷款额的1.5%给予贴息，最高50万元。")
    assert benefit(c, "kind", "base_rate", "share", "cap") == ("interest", 0.015, 1.0, 500_000)
    assert c.review is None or "LPR" not in c.review


# -- readings that never over-grant ---------------------------------------------------------------
_HEAD = "嵊州市人民政府办公室关于印发嵊州市促进质量提升若干政策的通知\n"


def test_a_prize_after_bare_huode_is_newly_won() -> None:
    result = extract_policy(_HEAD + "一、对获得县长质量奖的企业，给予30万元奖励。（责任单位：市市场监管局）\n")
    (clause,) = result.policy.clauses
    leaves = [c for c in _leaves(clause.conditions) if getattr(c, "field", "").endswith("qualifications")]
    assert [leaf.field for leaf in leaves] == ["new_qualifications"]


def test_a_per_item_award_is_paid_per_item() -> None:
    result = extract_policy(_HEAD + "一、对新获得“浙江制造”品字标认证的企业，每个产品给予10万元奖励。\n")
    (clause,) = result.policy.clauses
    assert clause.benefit.kind == "per_unit" and clause.benefit.rate == 100_000
    assert clause.benefit.field.startswith("extra.") and clause.benefit.unit == "个"


def test_an_award_on_top_of_another_keeps_that_requirement() -> None:
    result = extract_policy(_HEAD + "一、对获得市级数字化车间认定的企业，在按市级政策给予奖励的基础上，"
                            "再给予1:1配套奖励。（责任单位：市经信局）\n")
    (clause,) = result.policy.clauses
    words = [c.text for c in _leaves(clause.conditions) if c.kind == "unstructured"]
    assert any("基础上" in w for w in words)
    assert clause.review and "配套" in clause.review


def _leaves(node: Any) -> list[Any]:
    if node is None:
        return []
    if node.kind in ("field", "unstructured"):
        return [node]
    kids = node.of if isinstance(node.of, tuple) else (node.of,)
    return [leaf for kid in kids for leaf in _leaves(kid)]
