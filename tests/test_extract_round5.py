"""policymatch.extract, round 5: listed exclusions on one line, ratio bases by the measure the
text names, per-unit awards, money paid to a person, banded ratios across ；, and review notes
on the extractor's own doubts (what, where, what to check)."""

from __future__ import annotations

from typing import Any

import pytest
from extract_trees import fields as _fields
from extract_trees import leaves as _leaves
from extract_trees import one as _one
from extract_trees import run as _run

from policymatch.models import EnterpriseProfile, Outcome
from policymatch.rules import evaluate


def _words(node: Any) -> list[tuple[str, str]]:
    return [(ctx, leaf.text) for ctx, leaf in _leaves(node) if leaf.kind == "unstructured"]


# -- exclusions listed on the line that announces them -----------------------------------------
_LISTED = ("第{n}条 有下列情形之一的企业，不得享受本政策：（一）被列入严重失信主体名单的；"
           "（二）当年发生较大及以上安全生产事故的；（三）当年发生较大及以上生态环境事件的。\n")


@pytest.mark.parametrize("under_annex", [True, False])
def test_exclusions_listed_inline_bind_the_document_and_are_never_clauses(under_annex: bool) -> None:
    body = ("第一条 本政策适用于在青溪县注册登记的企业。\n"
            "第二条 对企业新认定为高新技术企业的，给予10万元奖励。\n"
            + ("第三章 附则\n" if under_annex else "") + _LISTED.format(n="三"))
    policy = _run(body).policy
    assert len(policy.clauses) == 1  # the listed exclusions grant nothing
    have = _fields(policy.conditions)
    assert {("", "credit_clean", "==", True), ("", "safety_incident_free", "==", True)} <= have
    assert ("not/", "当年发生较大及以上生态环境事件") in _words(policy.conditions)
    firm = EnterpriseProfile(name="甲", region="青溪县", credit_clean=False)
    assert evaluate(policy.conditions, firm).outcome is Outcome.UNMET


# -- a ratio's base is the measure the text names --------------------------------------------
@pytest.mark.parametrize(("sentence", "field"), [
    ("对企业新建检验检测实验室并通过CNAS认可的，按实验室设备投资额的20%给予补助。", "extra.实验室设备投资额"),
    ("对企业研发费用较上年增长20%以上的，按研发费用增量部分的10%给予补助。", "extra.研发费用增量"),
    ("对当年新认定为省首版次软件产品的，按该产品首年销售额的20%给予奖励。", "extra.产品首年销售额"),
    ("对企业年设备投资额达到500万元以上的，按项目设备投资额的10%给予补助。", "equipment_investment"),
    ("对企业上年度研发费用达到100万元以上的，按其上年度研发费用的5%给予奖励。", "rd_expense"),
    ("对企业购买云服务的，按当年上云费用的30%给予补助。", "cloud_expense"),
])
def test_a_ratio_base_is_the_measure_named_not_a_broader_field(sentence: str, field: str) -> None:
    c = _one("一、" + sentence + "\n")
    assert c.benefit.kind == "ratio" and c.benefit.field == field


def test_a_ratio_with_no_named_base_says_it_was_read_from_the_nearby_condition() -> None:
    c = _one("一、对企业年信息化投入达到50万元以上的，按20%给予补助。\n")
    assert c.benefit.field == "digital_investment"
    assert c.review and "未写明基数" in c.review and "原文位置" in c.review


# -- money paid to a person --------------------------------------------------------------------
def test_money_the_text_pays_to_the_person_has_recipient_person() -> None:
    r = _run("一、对企业新引进的全职博士研究生，给予每人30万元安家补贴；全职硕士研究生每人10万元。"
             "安家补贴直接发放给人才本人。\n"
             "二、对新引进的博士研究生在本县首次购买商品住房的，按房价款的10%给予购房补贴。\n"
             "三、对企业新引进的全职博士研究生，按每人10万元给予一次性安家补贴。\n")
    recipients = [c.benefit.recipient for c in r.policy.clauses]
    assert recipients == ["个人", "个人", "个人", "企业"]  # only where the text says so


# -- a subset of people is a count of its own -----------------------------------------------------
def test_staff_newly_qualified_and_local_hires_are_their_own_counts() -> None:
    a, b = _run("一、对企业职工新取得高级技师、技师职业资格的，分别给予每人3000元、2000元技能提升补贴。\n"
                ).policy.clauses
    assert {x[1] for x in _fields(a.conditions)} == {"extra.职工新取得高级技师人数"}
    assert {x[1] for x in _fields(b.conditions)} == {"extra.职工新取得技师人数"}
    assert (a.benefit.field, b.benefit.field) == ("extra.职工新取得高级技师人数", "extra.职工新取得技师人数")
    c = _one("一、对企业当年新招用本县户籍劳动者并缴纳社会保险满6个月的，按每人1000元给予补贴。\n")
    assert ("", "extra.新招用本县户籍劳动者人数", ">=", 1.0) in _fields(c.conditions)
    assert c.benefit.field == "extra.新招用本县户籍劳动者人数"
    assert any("社会保险" in w for _, w in _words(c.conditions))  # the rest is still kept


def test_a_count_of_firms_or_stores_is_read_and_paid_per_unit_keeping_the_firm_kind() -> None:
    c = _one("一、对餐饮企业新开设连锁门店3家以上的，按每家门店2万元给予奖励，最高10万元。\n")
    assert ("", "extra.新开设连锁门店(家)", ">=", 3.0) in _fields(c.conditions)
    assert ("", "餐饮企业") in _words(c.conditions)  # not dropped
    assert c.benefit.kind == "per_unit" and c.benefit.field == "extra.新开设连锁门店(家)"
    cap = _one("一、对企业参加境外展会的，按展位费的50%给予补助，每家企业每年最高5万元。\n")
    assert cap.benefit.kind == "ratio"  # 每家企业 caps a firm, it is not a unit


# -- review notes on the extractor's own doubts -------------------------------------------------
@pytest.mark.parametrize(("sentence", "says"), [
    ("对企业实施节能改造项目，经验收合格且年节能量达到500吨标准煤以上的，给予10万元补助。", "500吨标准煤以上"),
    ("对规上工业企业当年新通过知识产权管理体系认证的，给予一次性奖励3万元。", "名称未能识别"),
    ("对当年新入选省级以上领军人才计划的企业人才，给予每人20万元奖励。", "没有可计数的对象"),
])
def test_a_doubt_gets_a_note_saying_what_and_where(sentence: str, says: str) -> None:
    c = _one("一、" + sentence + "\n")
    assert c.review and says in c.review and "原文位置" in c.review


def test_no_note_on_a_contract_term_kept_as_words() -> None:
    c = _one("一、对企业新引进并签订3年以上劳动合同的全职博士研究生，给予每人10万元安家补贴。\n")
    assert c.review is None


def test_two_required_values_of_one_field_are_noted_as_impossible() -> None:
    from policymatch.extract.conditions import Leaf
    from policymatch.extract.policy import _doubts

    both = [Leaf("industry_section", "==", "F", 0, 2), Leaf("industry_section", "==", "H", 3, 5)]
    assert any("不可能同时满足" in n for n in _doubts(both))
    assert _doubts([Leaf("industry_section", "==", "F", 0, 2)]) == []


# -- a banded ratio across ； is one clause --------------------------------------------------------
def test_a_banded_ratio_split_at_a_semicolon_is_one_ladder() -> None:
    c = _one("一、对工业企业新增生产性设备投资额达到500万元以上的，按设备投资额的8%给予补助；达到3000万元以上的，"
             "按设备投资额的10%给予补助，单个企业最高不超过600万元。\n")
    assert c.benefit.kind == "tiers" and c.benefit.field == "equipment_investment"
    assert [(t.at, t.rate) for t in c.benefit.tiers] == [(5e6, 0.08), (3e7, 0.1)]
    assert c.benefit.cap == 6e6
    assert ("", "equipment_investment", ">=", 5e6) in _fields(c.conditions)


def test_two_ratios_on_different_measures_stay_two_clauses() -> None:
    r = _run("一、对企业研发费用达到100万元以上的，按研发费用的5%给予补助；对企业设备投资额达到3000万元以上的，"
             "按设备投资额的10%给予补助。\n")
    assert [c.benefit.kind for c in r.policy.clauses] == ["ratio", "ratio"]


def test_a_requirement_said_after_the_second_band_binds_the_ladder() -> None:
    c = _one("一、对工业企业技术改造项目，设备投资额达到300万元以上的，按设备投资额的8%给予补助；设备投资额达到"
             "2000万元以上的，按设备投资额的10%给予补助，单个项目最高不超过500万元。项目须经竣工验收合格。\n")
    assert c.benefit.kind == "tiers" and c.benefit.cap == 5e6
    assert any("竣工验收合格" in w for _, w in _words(c.conditions))


def test_a_count_of_new_hires_is_new_hires_not_the_whole_staff() -> None:
    c = _one("一、对小微企业当年新招用员工10人以上并签订1年以上劳动合同的，按每人1000元给予补贴。\n")
    assert ("", "talents.new_hires", ">=", 10.0) in _fields(c.conditions)
    assert not any(f[1] == "employees" for f in _fields(c.conditions))
    staff = _one("一、对企业员工人数达到100人以上的，给予5万元奖励。\n")
    assert ("", "employees", ">=", 100.0) in _fields(staff.conditions)
