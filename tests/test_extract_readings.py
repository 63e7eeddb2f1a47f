"""Readings of the extractor that keep a draft incomplete rather than permissive.

Awarded titles, a second benefit in one sentence, exclusion sentences, 就高 stated per section,
"规上企业或…", review notes that fire on doubts only (with the place in the text), and the
no-silent-drop property: every condition phrase of a generated clause sentence is either read
onto its field or kept as words, and no firm is eligible for a clause that keeps words.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policymatch.aliases import alias_table
from policymatch.extract import ExtractionResult, extract_policy
from policymatch.extract.conditions import Leaf
from policymatch.extract.condtree import build_condition
from policymatch.models import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    EnterpriseProfile,
    FieldTest,
    Not,
    Outcome,
    Unstructured,
)
from policymatch.rules import evaluate

HEAD = "青溪县人民政府关于印发青溪县测试政策的通知\n"


def extract(body: str) -> ExtractionResult:
    return extract_policy(HEAD + body, policy_id="t")


def walk(cond: Condition | None, ctx: str = "") -> list[tuple[str, Any]]:
    """Every leaf of a tree with its path ("" / "any/" / "not/" …)."""
    if cond is None:
        return []
    if isinstance(cond, (FieldTest, Unstructured)):
        return [(ctx, cond)]
    if isinstance(cond, Not):
        return walk(cond.of, ctx + "not/")
    sub = ctx + "any/" if isinstance(cond, AnyOf) else ctx
    return [x for c in cond.of for x in walk(c, sub)]


def field_tests(c: Clause | None, cond: Condition | None = None) -> set[tuple[str, str, str, Any]]:
    tree = c.conditions if c is not None else cond
    return {(p, x.field, x.op, tuple(x.value) if isinstance(x.value, list) else x.value)
            for p, x in walk(tree) if isinstance(x, FieldTest)}


def words_of(c: Clause | None, cond: Condition | None = None) -> list[tuple[str, str]]:
    tree = c.conditions if c is not None else cond
    return [(p, x.text) for p, x in walk(tree) if isinstance(x, Unstructured)]


# -- what a clause awards is not what it asks ---------------------------------------------------
def test_an_awarded_title_is_the_benefit_not_a_precondition() -> None:
    r = extract("（一）对年营业收入首次突破5亿元的企业，授予“青溪县功勋企业”称号，并给予30万元奖励。\n"
                "（二）对亩均税收达到50万元的企业，培育为县级“雄鹰”企业，给予10万元奖励。\n"
                "（三）对当年被授予“青溪县工业十强企业”称号的企业，给予20万元奖励。")
    first, second, third = r.policy.clauses
    assert not any(f.endswith("qualifications") for _, f, _, _ in field_tests(first))
    assert ("", "revenue", ">=", 5e8) in field_tests(first) and first.benefit.amount == 300_000
    assert {f for _, f, _, _ in field_tests(second)} == {"extra.亩均税收"}
    # a title already held is asked for: it is a precondition there
    assert ("", "new_qualifications", "has", "青溪县工业十强企业") in field_tests(third)


def test_a_title_phrase_that_is_the_condition_stays_one() -> None:
    r = extract("（一）对注册在本县的企业，认定为国家高新技术企业的，给予20万元奖励。")
    assert ("", "new_qualifications", "has", "国家高新技术企业") in field_tests(r.policy.clauses[0])


def test_a_second_benefit_in_the_same_sentence_is_its_own_clause() -> None:
    r = extract("（一）对新认定的省级专精特新中小企业，给予10万元奖励；被评为国家级专精特新“小巨人”企业"
                "的，另行奖励30万元。\n"
                "（二）对新评为AAA级旅游景区的，给予50万元奖励，同时评为省级夜间文旅消费集聚区的，另行"
                "给予20万元奖励。")
    got = [(c.benefit.amount, field_tests(c)) for c in r.policy.clauses]
    assert [a for a, _ in got] == [100_000, 300_000, 500_000, 200_000]
    assert ("", "new_qualifications", "has", "国家级专精特新小巨人") in got[1][1]
    assert ("", "new_qualifications", "has", "省专精特新中小企业") not in got[1][1]
    # 同时: the second award asks for its own honour, and (同时) the first one too
    assert any("集聚区" in str(v) for _, _, _, v in got[3][1])
    assert ("", "new_qualifications", "has", "AAA级旅游景区") in got[3][1]


def test_a_continuing_award_keeps_the_conditions_it_does_not_restate() -> None:
    r = extract("（一）对首次纳入规模以上工业统计的企业，给予10万元奖励；次年继续在规上统计库的，"
                "再奖励5万元。")
    first, again = r.policy.clauses
    both = {("", "is_above_scale", "==", True), ("", "industry_section", "in", ("B", "C", "D"))}
    assert both <= field_tests(first) and both <= field_tests(again)  # 规上工业: the narrower reading
    assert any("次年继续在规上统计库" in w for _, w in words_of(again))


# -- exclusions -----------------------------------------------------------------------------------
def test_exclusion_sentences_become_not_of_their_words_never_dropped() -> None:
    r = extract("一、支持企业发展\n（一）对新认定的国家高新技术企业，给予20万元奖励，存在环保违法行为的除外。\n"
                "二、附则\n（一）有下列情形之一的，不享受本政策：\n1.近三年内被列入经营异常名录的；\n"
                "2.拖欠职工工资的。\n（二）企业因违法违规被处罚的，不享受本政策。\n"
                "（三）弄虚作假骗取补贴的，一经查实，追回已发放资金。")
    doc = words_of(None, r.policy.conditions)
    assert {w for p, w in doc if p.startswith("not/")} >= {"近三年内被列入经营异常名录", "拖欠职工工资",
                                                           "企业因违法违规被处罚"}
    assert not any("骗取" in w for _, w in doc)  # a sanction, not a condition of eligibility
    clause = r.policy.clauses[0]
    assert ("not/", "存在环保违法行为") in words_of(clause)
    firm = EnterpriseProfile(name="甲", region="青溪县", new_qualifications=["国家高新技术企业"])
    assert evaluate(r.policy.conditions, firm).outcome is Outcome.UNKNOWN  # possible, never met
    assert evaluate(clause.conditions, firm).outcome is Outcome.UNKNOWN


def test_a_region_restated_as_an_exclusion_adds_nothing() -> None:
    r = extract("一、适用范围\n本政策适用于在青溪县注册登记的企业。其他县（市、区）的企业不适用本政策。\n"
                "二、（一）对新认定的国家高新技术企业，给予20万元奖励。")
    assert words_of(None, r.policy.conditions) == []


def test_each_exclusion_excludes_on_its_own() -> None:
    excluded = [Leaf("is_above_scale", "==", True, 0, 4, negate=True),
                Leaf("credit_clean", "==", False, 5, 9, negate=True)]
    tree = build_condition(excluded, [])
    assert isinstance(tree, Not) and isinstance(tree.of, AnyOf)
    big = EnterpriseProfile(name="甲", is_above_scale=True, credit_clean=True)
    assert evaluate(tree, big).outcome is Outcome.UNMET  # one is enough to exclude


def test_a_document_level_duty_is_a_condition_of_every_clause() -> None:
    r = extract("一、（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
                "二、附则\n享受本政策的企业，须承诺三年内不迁离本县。")
    assert ("", "承诺三年内不迁离本县") in words_of(None, r.policy.conditions)


# -- 就高 per section, 规上企业或 --------------------------------------------------------------------
def test_jiugao_stated_for_a_section_groups_that_sections_clauses() -> None:
    r = extract("一、支持企业上规模\n"
                "（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
                "（二）对新认定的省级企业技术中心，给予10万元奖励。\n"
                "同一企业同一事项按就高原则享受，不重复支持。\n"
                "二、支持创新\n"
                "（三）对新认定的省级企业研究院，给予30万元奖励。\n"
                "（四）对新认定的省级工业设计中心，给予10万元奖励。\n"
                "三、支持品牌\n"
                "（五）对新认定的省级绿色工厂，给予10万元奖励。\n"
                "（六）对新认定的省级未来工厂，给予50万元奖励。\n"
                "（七）本部分第（五）（六）项按就高原则执行。")
    groups = [c.exclusive_group for c in r.policy.clauses]
    assert len(groups) == 6  # the rule-only item is no clause
    assert groups[0] is not None and groups[0] == groups[1]
    assert groups[2] is None and groups[3] is None
    assert groups[4] is not None and groups[4] == groups[5] != groups[0]


def test_guishang_or_groups_as_written() -> None:
    r = extract("（一）对规上企业或当年纳税额达到300万元以上的企业，当年新增设备投资1000万元以上的，"
                "按设备投资额的10%给予补助，最高200万元。")
    got = field_tests(r.policy.clauses[0])
    assert {("any/", "is_above_scale", "==", True), ("any/", "tax_paid", ">=", 3e6)} <= got
    assert ("", "equipment_investment", ">=", 1e7) in got  # not an alternative: required
    small = EnterpriseProfile(name="甲", is_above_scale=False, tax_paid="500万",
                              equipment_investment="2000万")
    assert evaluate(r.policy.clauses[0].conditions, small).outcome is Outcome.MET


# -- review notes: on doubts only, saying what and where --------------------------------------
def test_a_clean_clause_gets_no_note_and_an_unsure_one_names_the_place() -> None:
    body = ("（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
            "（二）对新评为三星级、四星级、五星级绿色饭店的企业，分别给予3万元、5万元、10万元、20万元奖励。\n"
            "（三）对新认定的省级企业技术中心，给予30万元奖励。")
    text = HEAD + body
    r = extract_policy(text, policy_id="t")
    notes = [c.review for c in r.policy.clauses]
    assert notes[0] is None and notes[-1] is None
    unsure = [n for n in notes[1:-1] if n]
    assert unsure, notes  # the list and its amounts do not line up
    for note in unsure:
        a, b = (int(x) for x in re.search(r"原文位置 (\d+)–(\d+)", note).groups())
        assert 0 <= a < b <= len(text) and re.search(r"万元|星级", text[a:b])
    # one doubt, one note: the amount no clause uses is not copied onto every clause of the item
    assert sum("未用于任何条款" in n for n in unsure) <= 1


def test_an_unread_condition_quantity_and_unnamed_honour_words_are_noted() -> None:
    r = extract("（一）对获评省级“放心消费”示范单位的企业，给予5万元奖励。")
    (c,) = r.policy.clauses
    assert c.review is None or "原文位置" in c.review
    r = extract("（一）对承建工程获得中国建设工程鲁班奖的企业，给予50万元奖励。")
    (c,) = r.policy.clauses
    assert c.review is not None and "承建工程获得" in c.review and "原文位置" in c.review


def test_conventions_are_warnings_not_review_notes() -> None:
    r = extract("（一）对企业技术改造贷款，按贷款市场报价利率（LPR）的50%给予贴息，最高50万元。\n"
                "（二）对年产值达到5000万元的企业，给予10万元奖励。")
    assert [c.review for c in r.policy.clauses] == [None, None]
    assert any("LPR" in w for w in r.warnings) and any("extra.产值" in w for w in r.warnings)


# -- no silent drop: a property over generated clause sentences ---------------------------------
_QUALS = sorted(n for n in alias_table().qualifications
                if len(n) > 3 and not re.search(r"^(?:规上|限上)|奖|杯", n))
_MEASURES = {"年营业收入": "revenue", "上年度纳税额": "tax_paid", "研发费用": "rd_expense",
             "固定资产投资": "fixed_asset_investment", "出口交货值": "export_value",
             "设备投资": "equipment_investment"}
_REQUIREMENTS = ["设有专职安全员", "建立健全财务管理制度", "参加县级行业协会", "按期报送统计报表"]
_COMPARE = {"达到{}万元以上": ">=", "不低于{}万元": ">=", "首次突破{}万元": "first", "超过{}万元": ">"}

part = st.one_of(
    st.tuples(st.just("qual"), st.sampled_from(["新认定为", "当年获评", "已获得"]), st.sampled_from(_QUALS)),
    st.tuples(st.just("threshold"), st.sampled_from(sorted(_MEASURES)), st.sampled_from(sorted(_COMPARE)),
              st.integers(1, 90).map(lambda n: n * 100)),
    st.tuples(st.just("requirement"), st.sampled_from(_REQUIREMENTS)),
)


def _phrase(p: tuple[Any, ...]) -> str:
    if p[0] == "qual":
        return p[1] + p[2]
    if p[0] == "threshold":
        return p[1] + p[2].format(p[3])
    return str(p[1])


def _read(p: tuple[Any, ...], c: Clause) -> bool:
    """The phrase is a leaf on its field, or words of an unstructured leaf."""
    words = [w for _, w in words_of(c)]
    if any(_phrase(p) in w or (p[0] == "requirement" and p[1] in w) for w in words):
        return True
    tests = [(f, op, v) for _, f, op, v in field_tests(c)]
    if p[0] == "qual":
        return any(f.endswith("qualifications") and (v == p[2] or (isinstance(v, tuple) and p[2] in v))
                   for f, _, v in tests)
    if p[0] == "threshold":
        fld, op, value = _MEASURES[p[1]], _COMPARE[p[2]], p[3] * 10_000
        want = ">=" if op == "first" else op
        return (fld, want, value) in tests or (fld, want, float(value)) in tests
    return False


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(parts=st.lists(part, min_size=1, max_size=3, unique_by=lambda p: p[:2]),
       joiner=st.sampled_from(["，", "且", "并"]), subject=st.sampled_from(["企业", "工业企业"]),
       amount=st.integers(1, 99), seed=st.integers(0, 2**16))
def test_no_phrase_is_silently_dropped_and_words_are_never_eligible(
        parts: list[tuple[Any, ...]], joiner: str, subject: str, amount: int, seed: int) -> None:
    sentence = f"（一）对{joiner.join(_phrase(p) for p in parts)}的{subject}，给予{amount}万元奖励。"
    r = extract_policy(HEAD + sentence, policy_id="g")
    clauses = r.policy.clauses
    assert clauses, sentence
    for c in clauses:
        assert c.conditions is not None, sentence  # it names whom it is for: never unconditional
        for p in parts:
            assert _read(p, c), (sentence, _phrase(p), c.conditions)
    # a firm that has every honour and every figure well over the thresholds, last year under
    firm = EnterpriseProfile(
        name="甲", region="青溪县",
        qualifications=[p[2] for p in parts if p[0] == "qual"],
        new_qualifications=[p[2] for p in parts if p[0] == "qual"],
        **{f: 10**12 + seed for f in _MEASURES.values()},
        previous={"revenue": 1, "tax_paid": 1, "rd_expense": 1, "export_value": 1})
    for c in clauses:
        kept = bool(words_of(c)) or bool(words_of(None, r.policy.conditions))
        both = AllOf(of=tuple(x for x in (r.policy.conditions, c.conditions) if x is not None))
        out = evaluate(both, firm).outcome
        if kept:
            assert out is not Outcome.MET, (sentence, c.conditions)


# -- 分别 over grades and short listed names; named quantities -----------------------------------
def test_a_list_of_grades_is_one_clause_per_grade() -> None:
    r = extract("（一）对通过两化融合管理体系2级、3级、4级评定的企业，分别给予5万元、10万元、20万元奖励。")
    got = [(c.benefit.amount, field_tests(c), words_of(c)) for c in r.policy.clauses]
    assert got == [(50_000, {("", "qualifications", "has", "两化融合管理体系2级")}, []),
                   (100_000, {("", "qualifications", "has", "两化融合管理体系3级")}, []),
                   (200_000, {("", "qualifications", "has", "两化融合管理体系4级")}, [])]
    assert all(c.review is None for c in r.policy.clauses)


@pytest.mark.parametrize(("sentence", "names"), [
    ("（一）对当年首次通过数据管理能力成熟度（DCMM）2级、3级评估的企业，分别给予5万元、10万元奖励。",
     ["数据管理能力成熟度2级", "数据管理能力成熟度3级"]),
    ("（一）对新获评智能制造能力成熟度三级、四级的企业，分别给予10万元、20万元奖励。",
     ["智能制造能力成熟度三级", "智能制造能力成熟度四级"]),
])
def test_a_newly_passed_grade_is_a_new_qualification_named_by_the_assessment(
        sentence: str, names: list[str]) -> None:
    got = [field_tests(c) for c in extract(sentence).policy.clauses]
    assert got == [{("", "new_qualifications", "has", n)} for n in names]


def test_grades_of_a_phrase_that_is_not_a_name_stay_words() -> None:
    r = extract("（一）对企业开展的智能化改造项目通过验收评为2星级、3星级的，分别给予5万元、10万元奖励。")
    assert all(words_of(c) and not field_tests(c) for c in r.policy.clauses)


def test_short_listed_names_from_the_alias_table_are_each_a_qualification() -> None:
    r = extract("（一）对新获评白金宿、金宿、银宿等级民宿的，分别给予10万元、5万元、3万元奖励。")
    got = [(c.benefit.amount, field_tests(c)) for c in r.policy.clauses]
    assert got == [(100_000, {("", "new_qualifications", "has", "白金宿级民宿")}),
                   (50_000, {("", "new_qualifications", "has", "金宿级民宿")}),
                   (30_000, {("", "new_qualifications", "has", "银宿级民宿")})]
    assert all(c.review is None for c in r.policy.clauses)  # read, so nothing left to doubt


def test_a_narrower_measure_keeps_its_own_name() -> None:
    r = extract("（一）对年直播销售额超过1000万元的企业，给予5万元奖励。\n"
                "（二）对企业年度研发费用增长20%以上的，给予10万元奖励。\n"
                "（三）对企业当年年工业总产值超过10亿元的，给予50万元奖励。")
    fields = [{f for _, f, _, _ in field_tests(c)} for c in r.policy.clauses]
    assert fields[0] == {"extra.直播销售额"}  # not revenue: that would grant more than the text
    assert fields[1] == {"extra.研发费用增长率"}
    assert fields[2] and all(not f.startswith("extra.企业") for f in fields[2])


def test_an_in_kind_item_naming_whom_it_serves_is_not_unconditional() -> None:
    r = extract("（一）重大文旅项目用地、用能指标予以优先保障。")
    (c,) = r.policy.clauses
    assert c.benefit.kind == "in_kind" and any("重大文旅项目" in w for _, w in words_of(c))
