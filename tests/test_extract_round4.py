"""policymatch.extract, incomplete never permissive: scope words, traditional script read like
simplified, clauses that name a beneficiary never unconditional, alternatives, scale classes,
definitions and exclusions in 附则, awarded titles, 分别 lists over levels and review notes."""

from __future__ import annotations

from typing import Any

from extract_trees import HEAD as _HEAD
from extract_trees import fields as _fields
from extract_trees import leaves as _leaves
from extract_trees import one as _one
from extract_trees import run as _run

from policymatch.extract import extract_policy


def _words(node: Any) -> list[str]:
    return [leaf.text for _, leaf in _leaves(node) if leaf.kind == "unstructured"]


# -- scope words and traditional script -------------------------------------------------------
SCOPE = "本措施适用于在青溪县注册登记并正常经营的企业。\n一、对企业在站博士后，按每人每年5万元给予日常经费资助。\n"


def test_a_short_scope_requirement_is_kept_as_words() -> None:
    policy = _run(SCOPE).policy
    assert any("正常经营" in w for w in _words(policy.conditions))
    assert ("", "region", "==", "青溪县") in _fields(policy.conditions)


def test_traditional_script_reads_like_simplified_and_keeps_its_own_words() -> None:
    trad = "本措施適用於在青溪縣註冊登記並正常經營的企業。\n一、對企業在站博士後，按每人每年5萬元給予日常經費資助。\n"
    simp, tr = _run(SCOPE).policy, _run(trad).policy
    assert _fields(simp.conditions) == _fields(tr.conditions)
    assert any("正常經營" in w for w in _words(tr.conditions))  # the page's own words for display
    assert [_fields(c.conditions) for c in simp.clauses] == [_fields(c.conditions) for c in tr.clauses]
    assert [c.benefit.model_dump() for c in simp.clauses] == [c.benefit.model_dump() for c in tr.clauses]


def test_an_in_kind_item_naming_its_beneficiary_is_never_unconditional() -> None:
    clause = _one("一、企业引进的高层次人才，其子女就读义务教育阶段学校的，由教育部门按有关规定优先安排。\n")
    assert clause.benefit.kind == "in_kind"
    assert clause.conditions is not None
    assert any("子女就读" in w for w in _words(clause.conditions))


# -- scale classes ----------------------------------------------------------------------------
def test_small_and_micro_firms_are_scale_classes_not_titles() -> None:
    c = _one("一、对小微企业当年新购置数控机床5台以上的，按每台2000元给予补助。\n")
    assert ("", "scale_class", "in", ("小型", "微型")) in _fields(c.conditions)
    policy = _run("本措施适用于在青溪县注册登记的中小微企业。\n一、对企业参加展会的，按展位费的50%给予补助。\n").policy
    assert ("", "scale_class", "in", ("中型", "小型", "微型")) in _fields(policy.conditions)


def test_a_named_small_firm_title_is_not_a_scale_class() -> None:
    c = _one("一、对新认定的省科技型中小企业，给予2万元奖励。\n")
    assert all(f[1] != "scale_class" for f in _fields(c.conditions))


# -- 附则: definitions and exclusions -----------------------------------------------------------
_RULES = ("一、对工业企业当年新购置工业机器人10台以上的，按每台5000元给予补助。\n"
          "二、附则\n本政策所称工业企业，是指国民经济行业分类中属于采矿业，制造业，电力、热力、燃气及水生产和供应业的企业。"
          "有下列情形之一的企业，不得享受本政策：被列入严重失信主体名单的；当年发生较大及以上安全生产事故的；"
          "当年发生较大及以上突发环境事件的。\n")


def test_a_definition_binds_every_section_it_lists_as_alternatives() -> None:
    policy = _run(_RULES).policy
    (c,) = policy.clauses
    fields = _fields(c.conditions)
    assert ("", "industry_section", "in", ("B", "C", "D")) in fields
    assert ("", "industry_section", "==", "C") not in fields
    assert not [w for w in _words(c.conditions) if "行业分类" in w]


def test_listed_exclusions_after_a_colon_are_each_kept() -> None:
    doc = _run(_RULES).policy.conditions
    fields = _fields(doc)
    assert ("", "credit_clean", "==", True) in fields
    assert ("", "safety_incident_free", "==", True) in fields
    negated = [leaf.text for ctx, leaf in _leaves(doc) if ctx.startswith("not/")
               and leaf.kind == "unstructured"]
    assert any("突发环境事件" in w for w in negated)


# -- awarded titles ---------------------------------------------------------------------------
def test_a_title_awarded_to_a_held_class_is_the_benefit_not_a_precondition() -> None:
    c = _one("一、对上年度亩均效益综合评价为A类的规上工业企业，授予“青溪县亩均效益领跑企业”称号，"
             "并给予一次性奖励20万元。\n")
    fields = _fields(c.conditions)
    assert ("", "qualifications", "has", "亩均效益A类") in fields
    assert not [f for f in fields if "领跑" in str(f[3])]
    assert c.benefit.kind == "fixed" and c.benefit.amount == 200_000


# -- alternatives and 分别 lists over levels -----------------------------------------------------
def test_members_in_parentheses_and_joined_by_dunhao_are_alternatives() -> None:
    c = _one("一、对当年新认定为省级智能工厂（数字化车间）的企业，给予一次性奖励30万元。\n")
    assert _fields(c.conditions) == {("any/", "new_qualifications", "has", "省级智能工厂"),
                                     ("any/", "new_qualifications", "has", "省级数字化车间")}
    c = _one("一、对新评为省隐形冠军企业、省级制造业单项冠军企业的，给予一次性奖励50万元。\n")
    assert {f[0] for f in _fields(c.conditions)} == {"any/"} and len(_fields(c.conditions)) == 2


def test_a_fenbie_list_over_levels_gives_one_award_per_level() -> None:
    clauses = _run("一、对企业产品当年获得县级、市级、省级、国家级、国际工业设计奖项的，"
                   "分别给予2万元、5万元、10万元、30万元、50万元奖励。\n").policy.clauses
    assert [(_fields(c.conditions), c.benefit.amount) for c in clauses] == [
        ({("", "new_qualifications", "has", f"{lvl}工业设计奖")}, amt * 10_000)
        for lvl, amt in (("县级", 2), ("市级", 5), ("省级", 10), ("国家级", 30), ("国际", 50))]


def test_a_requirement_after_the_benefit_keeps_its_own_place() -> None:
    text = "一、对获得市级数字化车间认定的企业，在享受市级奖励的基础上，按市级奖励额的50%给予配套奖励。\n"
    result = _run(text)
    (c,) = result.policy.clauses
    (words,) = [w for w in _words(c.conditions) if "基础上" in w]
    (fc,) = [f for k, f in result.clauses[0].fields.items() if k.startswith("condition.unstructured")
             and "基础上" in f.source_text]
    assert (_HEAD + text)[fc.span[0]:fc.span[1]] == words


def test_a_second_award_with_unread_words_is_not_granted_on_the_first_condition() -> None:
    clauses = _run("一、对当年通过两化融合管理体系AA级评定的企业，给予一次性奖励20万元，"
                   "评定为AAA级的，另行奖励20万元。\n").policy.clauses
    assert len(clauses) == 2
    assert any("AAA" in w for w in _words(clauses[1].conditions))
    assert clauses[1].review and "AAA" in clauses[1].review
    assert clauses[0].review is None


# -- held against newly, exclusions after the benefit, talents ------------------------------------
def test_a_held_honour_excluded_after_the_benefit_is_a_not_condition() -> None:
    c = _one("一、对当年新认定为市级企业技术中心的企业，给予10万元奖励；已获得省级企业技术中心认定的，不再重复奖励。\n")
    fields = _fields(c.conditions)
    assert ("", "new_qualifications", "has", "市级企业技术中心") in fields
    assert ("not/", "qualifications", "has", "省级企业技术中心") in fields


def test_a_held_honour_entered_in_a_register_is_read_without_leftover_words() -> None:
    c = _one("一、对通过评价入库的省科技型中小企业，给予一次性奖励1万元。\n")
    assert _fields(c.conditions) == {("", "qualifications", "has", "省科技型中小企业")}
    assert not _words(c.conditions)


def test_newly_hired_graduates_are_one_kind_of_talent_not_alternatives() -> None:
    c = _one("一、对企业当年新招用应届高校毕业生并签订1年以上劳动合同的，按每人5000元给予一次性就业补贴。\n")
    assert ("", "talents.bachelor_fresh", ">=", 1.0) in _fields(c.conditions)
    assert all(f[0] == "" for f in _fields(c.conditions))


# -- review notes: where the extractor is unsure, and only there --------------------------------
def test_staff_qualifications_and_agency_recruits_are_noted() -> None:
    staff = _run("一、对企业职工新取得高级技师、技师职业资格的，分别给予每人3000元、2000元技能提升补贴。\n")
    # read since as counts of their own (extra.职工新取得…人数), not the firm's new recruits
    assert [c.benefit.field for c in staff.policy.clauses] == ["extra.职工新取得高级技师人数",
                                                                "extra.职工新取得技师人数"]
    agency = _one("一、对人力资源服务机构为本县企业引进全职硕士以上人才的，按每人2000元给予引才奖励。\n")
    assert agency.review and "机构为" in agency.review
    plain = _one("一、对企业新引进全职硕士研究生的，按每人2000元给予生活补贴。\n")
    assert plain.review is None


def test_a_ratio_ladder_split_at_a_semicolon_is_one_ladder() -> None:
    clauses = _run("一、对工业企业技术改造项目，设备投资额达到300万元以上的，按设备投资额的8%给予补助；"
                   "设备投资额达到2000万元以上的，按设备投资额的10%给予补助。\n").policy.clauses
    # read since as the bands of one ladder (tests/test_extract_round5.py), no longer noted twice
    assert len(clauses) == 1 and clauses[0].benefit.kind == "tiers"
    single = _run("一、对企业设备投资额达到300万元以上的，按设备投资额的8%给予补助。\n").policy.clauses
    assert all(c.review is None for c in single)


# -- elliptical second benefits, places, loans ------------------------------------------------------
def test_an_elliptical_second_benefit_is_a_clause_bound_by_the_sentence_requirements() -> None:
    clauses = _run("一、对企业新引进并签订3年以上劳动合同的全职博士研究生，给予每人每月3000元生活补贴，最长36个月；"
                   "硕士研究生每人每月1500元，最长24个月。\n").policy.clauses
    assert [c.benefit.rate for c in clauses] == [3000, 1500]
    assert ("", "talents.master", ">=", 1.0) in _fields(clauses[1].conditions)
    assert any("劳动合同" in w for w in _words(clauses[1].conditions))
    assert all(c.review is None for c in clauses)


def test_moving_into_a_park_of_some_level_is_not_a_title() -> None:
    c = _one("一、对小微企业首次入驻县级以上小微企业园的，按实际租用面积每平方米每月8元给予租金补贴。\n")
    fields = _fields(c.conditions)
    assert not [f for f in fields if f[1].endswith("qualifications") or f[1] == "park"]
    assert any("小微企业园" in w for w in _words(c.conditions))


def test_a_loan_for_a_purpose_keeps_the_purpose_and_a_plain_loan_does_not() -> None:
    c = _one("一、对工业企业技术改造项目贷款，按贷款额的2%给予贴息。\n")
    assert any("技术改造项目贷款" in w for w in _words(c.conditions))
    c = _one("一、对本县工业企业获得的银行贷款，按贷款额的2%给予贴息。\n")
    assert not _words(c.conditions)


def test_an_unread_exclusion_after_the_benefit_is_kept_as_not_of_its_words() -> None:
    c = _one("一、对当年新认定为市级企业技术中心的企业，给予10万元奖励；曾受到行政处罚的，不再重复奖励。\n")
    negated = [leaf.text for ctx, leaf in _leaves(c.conditions) if ctx.startswith("not/")
               and leaf.kind == "unstructured"]
    assert any("行政处罚" in w for w in negated)
    assert c.review and "排除条件" in c.review


def test_words_about_acquiring_the_counted_equipment_are_noted() -> None:
    c = _one("一、对企业当年新购置并投入使用的工业机器人、数控机床等智能设备5台以上的，按每台8000元给予补助。\n")
    assert ("", "equipment_units", ">=", 5.0) in _fields(c.conditions)
    assert c.review and "equipment_units" in c.review
    c = _one("一、对企业租用商贸综合体经营用房面积达到500平方米以上的，按每平方米每月5元给予租金补贴。\n")
    assert c.review is None or "紧接门槛" not in c.review


def test_scope_words_inside_an_aside_neither_crash_nor_vanish() -> None:
    # "(含依法纳税)" is blanked as an aside; the short-scope-word rule once indexed an empty list
    c = _one("一、对企业(含依法纳税)的，给予10万元奖励。\n")
    assert any("依法纳税" in w for w in _words(c.conditions))


def test_a_scale_definition_drops_only_the_words_that_say_scale() -> None:
    """附则 "所称规上工业企业是指…": the 2000万元 / 规模以上统计 criterion is what is_above_scale says;
    a requirement beside it (安全生产无事故、正常经营) stays a condition, never dropped."""
    head = ("青溪县工业企业扶持政策\n一、对规上工业企业当年研发费用达到500万元的，给予10万元奖励。\n"
            "二、附则\n本政策所称规上工业企业是指")
    plain = extract_policy(head + "年主营业务收入2000万元及以上、纳入规模以上工业统计的工业企业。\n")
    assert not _words(plain.policy.clauses[0].conditions)
    more = extract_policy(head + "年主营业务收入2000万元以上、纳入规模以上工业统计且安全生产无事故、"
                                 "正常经营的工业企业。\n")
    assert any("正常经营" in w for w in _words(more.policy.clauses[0].conditions))
