"""policymatch.extract, round 6: a 分别 list whose subjects carry an alternative in （）, and a
second benefit for a subset of the first's firms (其中…另行奖励)."""

from __future__ import annotations

import pytest
from extract_trees import fields as _fields
from extract_trees import leaves as _leaves
from extract_trees import run as _run

from policymatch.models import Clause, EnterpriseProfile, Outcome
from policymatch.rules import evaluate

_ZIPPED = "一、对当年新认定为省级未来工厂、省级智能工厂（数字化车间）的企业，分别给予100万元、50万元奖励。\n"


def _firm(*new: str) -> EnterpriseProfile:
    return EnterpriseProfile(name="甲", region="青溪县", new_qualifications=list(new))


def test_a_zipped_subject_with_a_parenthesised_alternative_is_that_subject_alone() -> None:
    big, small = _run(_ZIPPED).policy.clauses
    assert (big.benefit.amount, small.benefit.amount) == (1_000_000, 500_000)
    assert _fields(big.conditions) == {("", "new_qualifications", "has", "省级未来工厂")}
    assert _fields(small.conditions) == {("any/", "new_qualifications", "has", "省级智能工厂"),
                                         ("any/", "new_qualifications", "has", "省级数字化车间")}


@pytest.mark.parametrize(("held", "big", "small"), [
    (("省级未来工厂",), Outcome.MET, Outcome.UNMET),
    (("省级数字化车间",), Outcome.UNMET, Outcome.MET),
    (("省级智能工厂",), Outcome.UNMET, Outcome.MET),
])
def test_a_firm_gets_only_the_amount_of_the_title_it_holds(held: tuple[str, ...], big: Outcome,
                                                            small: Outcome) -> None:
    c_big, c_small = _run(_ZIPPED).policy.clauses
    firm = _firm(*held)
    assert evaluate(c_big.conditions, firm).outcome is big
    assert evaluate(c_small.conditions, firm).outcome is small


@pytest.mark.parametrize("order", ["省级智能工厂（数字化车间）、省级未来工厂",
                                   "省级未来工厂、省级智能工厂（数字化车间）"])
def test_without_fenbie_the_list_and_its_alternative_are_any_of_three(order: str) -> None:
    (c,) = _run(f"一、对当年新认定为{order}的企业，给予10万元奖励。\n").policy.clauses
    assert {(ctx, v) for ctx, _, _, v in _fields(c.conditions)} == {
        ("any/", "省级未来工厂"), ("any/", "省级智能工厂"), ("any/", "省级数字化车间")}
    assert {f for _, f, _, _ in _fields(c.conditions)} == {"new_qualifications"}


def test_a_subset_award_needs_the_first_recognition_too() -> None:
    first, extra = _run("一、对当年新认定为省级工业设计中心的企业，给予一次性奖励30万元，"
                        "其中当年有产品获得中国优秀工业设计奖的，另行奖励20万元。\n").policy.clauses
    assert (first.benefit.amount, extra.benefit.amount) == (300_000, 200_000)
    assert _fields(extra.conditions) == {("", "new_qualifications", "has", "省级工业设计中心"),
                                         ("", "new_qualifications", "has", "中国优秀工业设计奖")}
    prize_only = _firm("中国优秀工业设计奖")
    assert evaluate(extra.conditions, prize_only).outcome is not Outcome.MET  # never eligible
    assert evaluate(extra.conditions, _firm("中国优秀工业设计奖", "省级工业设计中心")).outcome is Outcome.MET


def test_a_subset_award_keeps_the_first_threshold() -> None:
    _, extra = _run("一、对年营业收入达到1亿元以上的企业，给予10万元奖励，其中当年新认定为省级企业技术中心的，"
                    "另行奖励5万元。\n").policy.clauses
    assert ("", "revenue", ">=", 100_000_000) in _fields(extra.conditions)


def test_a_promotion_after_a_semicolon_stays_the_higher_title_alone() -> None:
    _, extra = _run("一、对新认定的省级专精特新中小企业，给予10万元奖励；被评为国家级专精特新“小巨人”企业的，"
                    "另行奖励30万元。\n").policy.clauses
    assert {v for _, _, _, v in _fields(extra.conditions)} == {"国家级专精特新小巨人"}


def test_a_measure_named_after_de_is_the_words_after_it_never_a_cut_word() -> None:
    (c,) = _run("一、对建筑业企业在本县纳统的年度建筑业总产值首次突破10亿元、30亿元的，"
                "分别给予20万元、50万元奖励。\n").policy.clauses
    assert c.benefit.field == "extra.建筑业总产值"
    assert {f for _, f, _, _ in _fields(c.conditions)} >= {"extra.建筑业总产值", "previous.extra.建筑业总产值"}


# -- kinds of firm a 附则 defines by the sections of GB/T 4754 ------------------------------------
_ANNEX = ("第三章 附则\n第九条 本政策所称工业企业，是指国民经济行业分类中属于采矿业，制造业，电力、热力、燃气及水"
          "生产和供应业的企业；所称服务业企业，是指国民经济行业分类中属于交通运输、仓储和邮政业，信息传输、软件和"
          "信息技术服务业，租赁和商务服务业，科学研究和技术服务业的企业。\n")
_FRAME = "第一条 本政策适用于在青溪县注册登记的工业企业和服务业企业。\n第二章 服务业\n{body}" + _ANNEX


def _service(body: str) -> list[Clause]:
    return list(_run(_FRAME.format(body=body)).policy.clauses)


def _code(section: str) -> str:
    return {"C": "3311", "G": "5411", "I": "6510", "E": "4710", "K": "7010"}[section]


def test_a_defined_kind_of_firm_is_its_sections_not_the_lexicon_word() -> None:
    (c,) = _service("第二条 对服务业企业当年新认定为省级服务业领军企业的，给予一次性奖励30万元。\n")
    assert _fields(c.conditions) == {("", "industry_section", "in", ("G", "I", "L", "M")),
                                     ("", "new_qualifications", "has", "省级服务业领军企业")}


@pytest.mark.parametrize(("section", "outcome"), [
    ("C", Outcome.MET), ("G", Outcome.MET), ("E", Outcome.UNMET), ("K", Outcome.UNMET)])
def test_a_scope_naming_two_defined_kinds_admits_either(section: str, outcome: Outcome) -> None:
    body = "第二条 对服务业企业当年新认定为省级服务业领军企业的，给予一次性奖励30万元。\n"
    policy = _run(_FRAME.format(body=body)).policy
    assert {(ctx, v) for ctx, f, _, v in _fields(policy.conditions) if f == "industry_section"} == {
        ("any/", ("B", "C", "D")), ("any/", ("G", "I", "L", "M"))}
    firm = EnterpriseProfile(name="甲", region="青溪县", industry_code=_code(section))
    assert evaluate(policy.conditions, firm).outcome is outcome


def test_a_later_sentence_of_the_item_keeps_the_kind_of_firm() -> None:
    _, second = _service("第二条 对服务业企业当年新认定为省级服务业领军企业的，给予一次性奖励30万元；"
                             "新认定为市级服务业领军企业的，给予一次性奖励10万元。\n")
    assert ("", "industry_section", "in", ("G", "I", "L", "M")) in _fields(second.conditions)
    maker = EnterpriseProfile(name="甲", region="青溪县", industry_code=_code("C"),
                              new_qualifications=["市级服务业领军企业"])
    assert evaluate(second.conditions, maker).outcome is Outcome.UNMET


def test_the_defined_kind_said_as_a_statistics_word_is_the_definition_too() -> None:
    (c,) = _service("第二条 对当年首次纳入规模以上服务业统计的企业，给予一次性奖励8万元。\n")
    assert _fields(c.conditions) == {("", "is_above_scale", "==", True),
                                     ("", "industry_section", "in", ("G", "I", "L", "M"))}


def test_a_growth_said_after_the_revenue_is_revenue_growth() -> None:
    (c,) = _run("一、对企业上年度营业收入达到1亿元以上且增长10%以上的，给予10万元奖励。\n").policy.clauses
    assert ("", "revenue_growth", ">=", 0.1) in _fields(c.conditions)


@pytest.mark.parametrize("who", ["新引进的数字经济企业", "新落户的软件企业", "从县外新迁入本县的企业"])
def test_that_a_firm_newly_came_is_never_dropped(who: str) -> None:
    (c,) = _run(f"一、对{who}，当年实缴税收达到500万元以上的，给予一次性落户奖励100万元。\n").policy.clauses
    words = [leaf.text for _, leaf in _leaves(c.conditions) if leaf.kind == "unstructured"]
    assert any(("引进" in w or "落户" in w or "迁入" in w) for w in words), words
    rich = EnterpriseProfile(name="甲", region="青溪县", tax_paid=9e6, industry="软件和信息服务",
                             qualifications=["软件企业"])
    assert evaluate(c.conditions, rich).outcome is not Outcome.MET  # possible at best


def test_a_title_or_its_products_title_in_a_zipped_list_is_either_for_that_amount_alone() -> None:
    clauses = _run("一、对当年新认定为省级隐形冠军企业、省级制造业单项冠军企业（产品）、国家级制造业单项冠军示范企业"
                   "（产品）的，分别给予30万元、50万元、200万元奖励。\n").policy.clauses
    assert [c.benefit.amount for c in clauses] == [300_000, 500_000, 2_000_000]
    assert [_fields(c.conditions) for c in clauses] == [
        {("", "new_qualifications", "has", "省隐形冠军")},
        {("any/", "new_qualifications", "has", "省级制造业单项冠军"),
         ("any/", "new_qualifications", "has", "省级制造业单项冠军产品")},
        {("any/", "new_qualifications", "has", "国家级制造业单项冠军"),
         ("any/", "new_qualifications", "has", "国家级制造业单项冠军产品")}]
