"""rules: three-valued (Kleene) evaluation, reasons in plain Chinese, gaps and changes."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from policymatch import EnterpriseProfile, ProfileError
from policymatch.fields import PROFILE_FIELDS
from policymatch.models import AllOf, AnyOf, Condition, FieldTest, Not, Outcome
from policymatch.rules import combine, evaluate, fields_of, format_value, leaf_outcome, push_not

CONDITION = TypeAdapter(Condition)
DAY = date(2025, 6, 1)
MET, UNMET, UNKNOWN = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN


def cond(data: dict[str, Any]) -> Condition:
    return CONDITION.validate_python(data)


def run(data: dict[str, Any], **profile: Any) -> Any:
    return evaluate(cond(data), EnterpriseProfile(name="甲", **profile), as_of=DAY)


# -- Kleene truth tables -------------------------------------------------------------------------
KLEENE_AND = {
    (MET, MET): MET, (MET, UNKNOWN): UNKNOWN, (MET, UNMET): UNMET,
    (UNKNOWN, MET): UNKNOWN, (UNKNOWN, UNKNOWN): UNKNOWN, (UNKNOWN, UNMET): UNMET,
    (UNMET, MET): UNMET, (UNMET, UNKNOWN): UNMET, (UNMET, UNMET): UNMET,
}
KLEENE_OR = {
    (MET, MET): MET, (MET, UNKNOWN): MET, (MET, UNMET): MET,
    (UNKNOWN, MET): MET, (UNKNOWN, UNKNOWN): UNKNOWN, (UNKNOWN, UNMET): UNKNOWN,
    (UNMET, MET): MET, (UNMET, UNKNOWN): UNKNOWN, (UNMET, UNMET): UNMET,
}
KLEENE_NOT = {MET: UNMET, UNMET: MET, UNKNOWN: UNKNOWN}


@pytest.mark.parametrize(("pair", "expected"), list(KLEENE_AND.items()))
def test_combine_and_truth_table(pair: tuple[Outcome, Outcome], expected: Outcome) -> None:
    assert combine(list(pair), any_of=False) is expected


@pytest.mark.parametrize(("pair", "expected"), list(KLEENE_OR.items()))
def test_combine_or_truth_table(pair: tuple[Outcome, Outcome], expected: Outcome) -> None:
    assert combine(list(pair), any_of=True) is expected


# One leaf per truth value, for a profile with revenue 9,000万 and tax_paid unknown.
LEAF = {
    MET: {"field": "revenue", "op": ">=", "value": "5000万"},
    UNMET: {"field": "revenue", "op": ">=", "value": "1亿"},
    UNKNOWN: {"field": "tax_paid", "op": ">=", "value": "100万"},
}


@pytest.mark.parametrize(("pair", "expected"), list(KLEENE_AND.items()))
def test_all_of_follows_the_truth_table(pair: tuple[Outcome, Outcome], expected: Outcome) -> None:
    ev = run({"kind": "all", "of": [LEAF[pair[0]], LEAF[pair[1]]]}, revenue="9000万")
    assert ev.outcome is expected


@pytest.mark.parametrize(("pair", "expected"), list(KLEENE_OR.items()))
def test_any_of_follows_the_truth_table(pair: tuple[Outcome, Outcome], expected: Outcome) -> None:
    ev = run({"kind": "any", "of": [LEAF[pair[0]], LEAF[pair[1]]]}, revenue="9000万")
    assert ev.outcome is expected


@pytest.mark.parametrize(("inner", "expected"), list(KLEENE_NOT.items()))
def test_not_follows_the_truth_table(inner: Outcome, expected: Outcome) -> None:
    assert run({"kind": "not", "of": LEAF[inner]}, revenue="9000万").outcome is expected


def test_no_condition_is_met() -> None:
    ev = evaluate(None, EnterpriseProfile(name="甲"))
    assert (ev.outcome, ev.reasons, ev.missing, ev.changes) == (MET, (), (), ())


# -- leaves ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("op", "actual", "expected", "outcome"),
    [
        (">=", 10, 10, MET), (">=", 9, 10, UNMET), (">", 10, 10, UNMET), (">", 11, 10, MET),
        ("<=", 10, 10, MET), ("<=", 11, 10, UNMET), ("<", 10, 10, UNMET), ("<", 9, 10, MET),
        ("==", 10, 10.0, MET), ("!=", 10, 10.0, UNMET), ("==", "A", "A", MET), ("!=", "A", "B", MET),
        ("==", True, True, MET), ("==", False, True, UNMET), ("!=", False, True, MET),
        ("==", 1, True, UNMET),  # a number is not a yes
        ("in", "B", ["A", "B"], MET), ("in", "C", ["A", "B"], UNMET),
        ("not_in", "C", ["A", "B"], MET), ("not_in", "A", ["A", "B"], UNMET),
        ("has", ("x", "y"), "x", MET), ("has", ("x", "y"), ["z", "y"], MET),
        ("has", ("x",), ["z"], UNMET), ("has", (), "x", UNMET),
        ("not_has", ("x", "y"), ["z"], MET), ("not_has", ("x", "y"), ["z", "y"], UNMET),
        ("not_has", (), "x", MET),
        ("has", "x", "x", MET),  # a single value held (extra.<key> = "x")
    ],
)
def test_leaf_outcome(op: str, actual: Any, expected: Any, outcome: Outcome) -> None:
    assert leaf_outcome(op, actual, expected) is outcome


@pytest.mark.parametrize("op", [">=", ">", "<=", "<", "==", "!=", "in", "not_in", "has", "not_has"])
def test_a_missing_value_is_unknown_for_every_operator(op: str) -> None:
    expected = ["a"] if op in ("in", "not_in") else 1
    assert leaf_outcome(op, None, expected) is UNKNOWN


def test_places_match_with_or_without_their_suffix() -> None:
    assert run({"field": "region", "op": "==", "value": "嵊州市"}, region="嵊州").outcome is MET
    assert run({"field": "region", "op": "in", "value": ["新昌县", "嵊州"]},
               region="嵊州市").outcome is MET
    assert run({"field": "region", "op": "==", "value": "嵊州市"}, region="新昌县").outcome is UNMET


def test_derived_fields_are_evaluated() -> None:
    facts = {"industry_code": "C3841", "employees": 500, "revenue": "1500万",
             "rd_expense": "60万", "established": "2023-01-01"}
    assert run({"field": "scale_class", "op": "in", "value": ["小型", "微型"]}, **facts).outcome is MET
    assert run({"field": "industry_section", "op": "==", "value": "C"}, **facts).outcome is MET
    assert run({"field": "rd_ratio", "op": ">=", "value": 0.04}, **facts).outcome is MET
    assert run({"field": "age_years", "op": "<", "value": 3}, **facts).outcome is MET
    assert run({"field": "age_years", "op": "<", "value": 3}).outcome is UNKNOWN


def test_as_of_decides_age() -> None:
    leaf = cond({"field": "age_years", "op": "<", "value": 3})
    p = EnterpriseProfile(name="甲", established="2022-06-01")
    assert evaluate(leaf, p, as_of=date(2025, 5, 31)).outcome is MET
    assert evaluate(leaf, p, as_of=date(2025, 6, 2)).outcome is UNMET


def test_a_text_value_compared_with_a_number_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match=r"extra\.出口增长: the policy compares it with the "
                                           r"number 0\.2 but the profile holds '高'; give a number"):
        run({"field": "extra.出口增长", "op": ">=", "value": 0.2}, extra={"出口增长": "高"})


# -- reasons ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("condition", "facts", "text"),
    [
        ({"field": "revenue", "op": ">=", "value": "1亿"}, {"revenue": "9000万"},
         "上年度营业收入 9,000万元，未达到 1亿元（差 1,000万元）"),
        ({"field": "revenue", "op": ">=", "value": "1亿"}, {"revenue": "1.2亿"},
         "上年度营业收入 1.2亿元，达到 1亿元"),
        ({"field": "revenue", "op": ">", "value": "1亿"}, {"revenue": "1亿"},
         "上年度营业收入 1亿元，未超过 1亿元"),
        ({"field": "revenue", "op": "<", "value": "2000万"}, {"revenue": "3000万"},
         "上年度营业收入 3,000万元，达到或超过上限 2,000万元（差 1,000万元）"),
        ({"field": "revenue", "op": ">=", "value": "1亿"}, {},
         "上年度营业收入未知（要求达到 1亿元）"),
        ({"field": "employees", "op": ">=", "value": 50}, {"employees": 42},
         "从业人数 42人，未达到 50人（差 8人）"),
        ({"field": "rd_ratio", "op": ">=", "value": 0.03}, {"rd_expense": "200万", "revenue": "1亿"},
         "研发费用占营业收入比例 2%，未达到 3%（差 1%）"),
        ({"field": "office_area_sqm", "op": ">=", "value": 1000}, {"office_area_sqm": 800.5},
         "经营（办公）面积 800.50平方米，未达到 1,000平方米（差 199.50平方米）"),
        ({"field": "qualifications", "op": "has", "value": ["国高新", "专精特新"]},
         {"qualifications": ["省科技型中小企业"]}, "已获资质荣誉中没有 国家高新技术企业或省专精特新中小企业"),
        ({"field": "qualifications", "op": "has", "value": ["国高新", "专精特新"]},
         {"qualifications": ["国高新"]}, "已获资质荣誉包含 国家高新技术企业"),
        ({"field": "qualifications", "op": "not_has", "value": "亩均效益D类"},
         {"qualifications": ["亩均效益D类"]}, "已获资质荣誉含有 亩均效益D类，不符合要求"),
        ({"field": "qualifications", "op": "not_has", "value": "亩均效益D类"},
         {"qualifications": []}, "已获资质荣誉不含 亩均效益D类"),
        ({"field": "region", "op": "==", "value": "嵊州市"}, {"region": "新昌县"},
         "注册地：新昌县，要求为 嵊州市"),
        ({"field": "region", "op": "in", "value": ["嵊州市", "新昌县"]}, {"region": "诸暨市"},
         "注册地：诸暨市，要求属于 嵊州市、新昌县"),
        ({"field": "is_above_scale", "op": "==", "value": True}, {"is_above_scale": False},
         "规模以上企业：否，要求为 是"),
        ({"field": "credit_clean", "op": "==", "value": True}, {"credit_clean": True},
         "未列入严重失信主体名单：是（符合）"),
        ({"field": "revenue", "op": ">=", "value": "1亿", "label": "主营业务收入"},
         {"revenue": "9000万"}, "主营业务收入 9,000万元，未达到 1亿元（差 1,000万元）"),
        # a negated leaf is phrased positively
        ({"kind": "not", "of": {"field": "revenue", "op": ">=", "value": "1亿"}},
         {"revenue": "2亿"}, "上年度营业收入 2亿元，达到或超过上限 1亿元（差 1亿元）"),
    ],
)
def test_reason_text(condition: dict[str, Any], facts: dict[str, Any], text: str) -> None:
    ev = run(condition, **facts)
    assert [r.text for r in ev.reasons] == [text]


def test_reason_records_values_and_gap() -> None:
    (reason,) = run({"field": "revenue", "op": ">=", "value": "1亿"}, revenue="9000万").reasons
    assert (reason.field, reason.op, reason.expected, reason.actual) == ("revenue", ">=", 1e8, 9e7)
    assert reason.outcome is UNMET and reason.gap == 1e7
    (held,) = run({"field": "qualifications", "op": "has", "value": "国高新"},
                  qualifications=["国高新"]).reasons
    assert held.actual == ["国家高新技术企业"]  # JSON-friendly list, not a tuple


def test_every_leaf_gives_a_reason_in_tree_order() -> None:
    ev = run({"kind": "all", "of": [LEAF[MET], {"kind": "any", "of": [LEAF[UNKNOWN], LEAF[UNMET]]}]},
             revenue="9000万")
    assert [r.outcome for r in ev.reasons] == [MET, UNKNOWN, UNMET]
    assert ev.outcome is UNKNOWN and ev.missing == ("tax_paid",)


# -- changes for near misses ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("condition", "facts", "texts"),
    [
        ({"field": "revenue", "op": ">=", "value": "1亿"}, {"revenue": "9000万"},
         ["上年度营业收入再增加 1,000万元即可达到 1亿元 门槛"]),
        ({"field": "revenue", "op": ">", "value": "1亿"}, {"revenue": "9000万"},
         ["上年度营业收入再增加 超过 1,000万元即可超过 1亿元 门槛"]),
        ({"field": "employees", "op": ">=", "value": 50}, {"employees": 42},
         ["从业人数再增加 8人即可达到 50人 门槛"]),
        ({"field": "talents.phd", "op": ">=", "value": 2}, {"talents": {"phd": 1}},
         ["新引进全职博士再增加 1人即可达到 2人 门槛"]),
        ({"field": "qualifications", "op": "has", "value": ["国高新", "专精特新"]},
         {"qualifications": []}, ["取得国家高新技术企业或省专精特新中小企业后可满足该条件"]),
        # AND: every unmet part needs its change
        ({"kind": "all", "of": [{"field": "revenue", "op": ">=", "value": "1亿"},
                                {"field": "employees", "op": ">=", "value": 50}]},
         {"revenue": "9000万", "employees": 42},
         ["上年度营业收入再增加 1,000万元即可达到 1亿元 门槛", "从业人数再增加 8人即可达到 50人 门槛"]),
        # OR: the smallest set of changes that works
        ({"kind": "any", "of": [{"kind": "all", "of": [
            {"field": "revenue", "op": ">=", "value": "1亿"},
            {"field": "employees", "op": ">=", "value": 50}]},
            {"field": "tax_paid", "op": ">=", "value": "500万"}]},
         {"revenue": "9000万", "employees": 42, "tax_paid": "400万"},
         ["上年度纳税额再增加 100万元即可达到 500万元 门槛"]),
        # OR with a part no change can fix: the other part's change
        ({"kind": "any", "of": [{"field": "region", "op": "==", "value": "嵊州市"},
                                {"field": "revenue", "op": ">=", "value": "1亿"}]},
         {"region": "新昌县", "revenue": "9000万"},
         ["上年度营业收入再增加 1,000万元即可达到 1亿元 门槛"]),
    ],
)
def test_changes_for_near_misses(condition: dict[str, Any], facts: dict[str, Any],
                                 texts: list[str]) -> None:
    ev = run(condition, **facts)
    assert ev.outcome is UNMET
    assert ev.changes is not None
    assert [c.text for c in ev.changes] == texts


def test_change_records_current_needed_and_delta() -> None:
    (change,) = run({"field": "revenue", "op": ">=", "value": "1亿"}, revenue="9000万").changes
    assert (change.field, change.current, change.needed, change.delta) == ("revenue", 9e7, 1e8, 1e7)


@pytest.mark.parametrize(
    ("condition", "facts"),
    [
        ({"field": "region", "op": "==", "value": "嵊州市"}, {"region": "新昌县"}),
        ({"field": "revenue", "op": "<", "value": "2000万"}, {"revenue": "3000万"}),
        ({"field": "age_years", "op": "<", "value": 3}, {"established": "2015-01-01"}),
        ({"field": "scale_class", "op": "==", "value": "微型"},
         {"industry_code": "C3841", "employees": 500, "revenue": "3亿"}),
        ({"field": "qualifications", "op": "not_has", "value": "亩均效益D类"},
         {"qualifications": ["亩均效益D类"]}),
        ({"kind": "all", "of": [{"field": "region", "op": "==", "value": "嵊州市"},
                                {"field": "revenue", "op": ">=", "value": "1亿"}]},
         {"region": "新昌县", "revenue": "9000万"}),
    ],
)
def test_no_change_is_offered_when_none_is_realistic(condition: dict[str, Any],
                                                     facts: dict[str, Any]) -> None:
    ev = run(condition, **facts)
    assert ev.outcome is UNMET and ev.changes is None


def test_met_and_unknown_carry_no_changes() -> None:
    assert run(LEAF[MET], revenue="9000万").changes == ()
    unknown = run(LEAF[UNKNOWN], revenue="9000万")
    assert unknown.changes == () and unknown.missing == ("tax_paid",)


# -- helpers --------------------------------------------------------------------------------------
def test_fields_of_lists_each_field_once_in_tree_order() -> None:
    tree = cond({"kind": "all", "of": [
        {"field": "revenue", "op": ">=", "value": 1},
        {"kind": "not", "of": {"field": "region", "op": "==", "value": "x"}},
        {"kind": "any", "of": [{"field": "revenue", "op": "<", "value": 9},
                               {"field": "talents.phd", "op": ">=", "value": 1}]}]})
    assert fields_of(tree) == ["revenue", "region", "talents.phd"]
    assert fields_of(None) == []


@pytest.mark.parametrize(
    ("value", "field", "text"),
    [(None, "revenue", "未知"), (True, "is_above_scale", "是"), (False, "is_above_scale", "否"),
     (2.35e6, "revenue", "235万元"), (0.125, "revenue_growth", "12.5%"), (42, "employees", "42人"),
     (1234.5, "office_area_sqm", "1,234.50平方米"), (["国家高新技术企业", "省专精特新中小企业"],
                                                 "qualifications", "国家高新技术企业、省专精特新中小企业"),
     ((), "qualifications", "无"), ("嵊州市", "region", "嵊州市")],
)
def test_format_value(value: Any, field: str, text: str) -> None:
    assert format_value(value, PROFILE_FIELDS[field]) == text


# -- properties over random trees and partly known profiles ---------------------------------------
QUALS = ["国家高新技术企业", "省专精特新中小企业", "省级企业研究院"]
REGIONS = ["嵊州市", "新昌县", "诸暨市"]
AMOUNTS = [0.0, 5e6, 1e7, 1e8, 2e8]
HEADS = [0, 10, 50, 300]
FIELDS = ["revenue", "employees", "is_above_scale", "qualifications", "region", "extra.评级"]

_leaves = st.one_of(
    st.builds(FieldTest, field=st.just("revenue"),
              op=st.sampled_from([">=", ">", "<=", "<", "==", "!="]), value=st.sampled_from(AMOUNTS)),
    st.builds(FieldTest, field=st.just("employees"),
              op=st.sampled_from([">=", ">", "<=", "<", "==", "!="]),
              value=st.sampled_from(HEADS).map(float)),
    st.builds(FieldTest, field=st.just("employees"), op=st.sampled_from(["in", "not_in"]),
              value=st.lists(st.sampled_from(HEADS).map(float), min_size=1, max_size=3)),
    st.builds(FieldTest, field=st.just("is_above_scale"), op=st.sampled_from(["==", "!="]),
              value=st.booleans()),
    st.builds(FieldTest, field=st.just("qualifications"), op=st.sampled_from(["has", "not_has"]),
              value=st.one_of(st.sampled_from(QUALS),
                              st.lists(st.sampled_from(QUALS), min_size=1, max_size=2))),
    st.builds(FieldTest, field=st.just("region"), op=st.sampled_from(["==", "!="]),
              value=st.sampled_from(REGIONS)),
    st.builds(FieldTest, field=st.just("region"), op=st.sampled_from(["in", "not_in"]),
              value=st.lists(st.sampled_from(REGIONS), min_size=1, max_size=2)),
    st.builds(FieldTest, field=st.just("extra.评级"), op=st.sampled_from(["==", "!="]),
              value=st.sampled_from(["A", "B", "C"])),
    st.builds(FieldTest, field=st.just("extra.评级"), op=st.sampled_from(["in", "not_in"]),
              value=st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=2)),
)


def _branches(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
    parts = st.lists(children, min_size=1, max_size=3).map(tuple)
    return st.one_of(parts.map(lambda of: AllOf(of=of)), parts.map(lambda of: AnyOf(of=of)),
                     children.map(lambda c: Not(of=c)))


trees = st.recursive(_leaves, _branches, max_leaves=10)

_KNOWN = {
    "revenue": st.sampled_from(AMOUNTS),
    "employees": st.sampled_from(HEADS),
    "is_above_scale": st.booleans(),
    "qualifications": st.lists(st.sampled_from(QUALS), unique=True, max_size=3),
    "region": st.sampled_from(REGIONS),
    "extra.评级": st.sampled_from(["A", "B", "C"]),
}


@st.composite
def facts(draw: st.DrawFn, *, all_known: bool = False) -> dict[str, Any]:
    """Values for the six fields; each one missing (absent) unless ``all_known``."""
    out: dict[str, Any] = {}
    for name, values in _KNOWN.items():
        if all_known or draw(st.booleans()):
            out[name] = draw(values)
    return out


def profile_of(values: dict[str, Any]) -> EnterpriseProfile:
    data = {k: v for k, v in values.items() if not k.startswith("extra.")}
    extra = {k[6:]: v for k, v in values.items() if k.startswith("extra.")}
    return EnterpriseProfile(name="甲", extra=extra, **data)


def outcome(c: Condition, values: dict[str, Any]) -> Outcome:
    return evaluate(c, profile_of(values), as_of=DAY).outcome


def oracle(c: Condition, values: dict[str, Any]) -> Outcome:
    """An independent Kleene evaluator over the small field set above."""
    if isinstance(c, Not):
        return KLEENE_NOT[oracle(c.of, values)]
    if isinstance(c, (AllOf, AnyOf)):
        table = KLEENE_AND if isinstance(c, AllOf) else KLEENE_OR
        result = oracle(c.of[0], values)
        for child in c.of[1:]:
            result = table[(result, oracle(child, values))]
        return result
    assert isinstance(c, FieldTest)
    if c.field not in values:
        return UNKNOWN
    a, v = values[c.field], c.value
    ok = {
        ">=": lambda: a >= v, ">": lambda: a > v, "<=": lambda: a <= v, "<": lambda: a < v,
        "==": lambda: a == v, "!=": lambda: a != v,
        "in": lambda: a in v, "not_in": lambda: a not in v,
        "has": lambda: bool(set(a) & set(v if isinstance(v, list) else [v])),
        "not_has": lambda: not set(a) & set(v if isinstance(v, list) else [v]),
    }[c.op]()
    return MET if ok else UNMET


@settings(max_examples=200)
@given(trees, facts())
def test_evaluation_matches_an_independent_kleene_oracle(c: Condition, values: dict[str, Any]) -> None:
    assert outcome(c, values) is oracle(c, values)


@given(trees, facts())
def test_double_negation(c: Condition, values: dict[str, Any]) -> None:
    assert outcome(Not(of=Not(of=c)), values) is outcome(c, values)


@given(trees, trees, facts())
def test_de_morgan(a: Condition, b: Condition, values: dict[str, Any]) -> None:
    assert (outcome(Not(of=AllOf(of=(a, b))), values)
            is outcome(AnyOf(of=(Not(of=a), Not(of=b))), values))
    assert (outcome(Not(of=AnyOf(of=(a, b))), values)
            is outcome(AllOf(of=(Not(of=a), Not(of=b))), values))


@given(trees, facts())
def test_push_not_is_negation(c: Condition, values: dict[str, Any]) -> None:
    assert outcome(push_not(c), values) is KLEENE_NOT[outcome(c, values)]


@given(_leaves, facts())
def test_a_leaf_on_a_missing_field_is_unknown(leaf: FieldTest, values: dict[str, Any]) -> None:
    values.pop(leaf.field, None)
    ev = evaluate(leaf, profile_of(values), as_of=DAY)
    assert ev.outcome is UNKNOWN
    assert ev.missing == (leaf.field,)


@given(trees, facts(all_known=True))
def test_a_tree_with_every_field_known_is_never_unknown(c: Condition,
                                                        values: dict[str, Any]) -> None:
    ev = evaluate(c, profile_of(values), as_of=DAY)
    assert ev.outcome is not UNKNOWN
    assert ev.missing == ()


@given(trees, facts(), facts(all_known=True))
def test_learning_more_never_overturns_a_verdict(c: Condition, partial: dict[str, Any],
                                                 completion: dict[str, Any]) -> None:
    before = outcome(c, partial)
    assume(before is not UNKNOWN)
    assert outcome(c, {**completion, **partial}) is before


@given(trees, facts())
def test_missing_fields_explain_unknown(c: Condition, values: dict[str, Any]) -> None:
    ev = evaluate(c, profile_of(values), as_of=DAY)
    if ev.outcome is UNKNOWN:
        assert ev.missing
        assert set(ev.missing) <= set(fields_of(c)) - set(values)
        assert len(set(ev.missing)) == len(ev.missing)
    else:
        assert ev.missing == ()
    assert len(ev.reasons) == _count_leaves(c)


def _count_leaves(c: Condition) -> int:
    if isinstance(c, FieldTest):
        return 1
    if isinstance(c, Not):
        return _count_leaves(c.of)
    return sum(_count_leaves(child) for child in c.of)


@given(trees, facts())
def test_unmet_only_carries_changes(c: Condition, values: dict[str, Any]) -> None:
    ev = evaluate(c, profile_of(values), as_of=DAY)
    if ev.outcome is not UNMET:
        assert ev.changes == ()
    elif ev.changes is not None:
        assert all(change.field in FIELDS for change in ev.changes)


@pytest.mark.parametrize(("condition", "facts", "want"), [
    # a name the alias table does not know may be another spelling of the one tested
    ({"field": "qualifications", "op": "has", "value": "国高新"}, {"qualifications": ["绿色工厂"]},
     "unknown"),
    ({"field": "qualifications", "op": "not_has", "value": "亩均效益D类"},
     {"qualifications": ["亩均D档"]}, "unknown"),
    ({"field": "qualifications", "op": "has", "value": "国高新"},
     {"qualifications": ["绿色工厂", "国高新"]}, "met"),  # listed: decided
    ({"field": "qualifications", "op": "not_has", "value": "国高新"},
     {"qualifications": ["绿色工厂", "国高新"]}, "unmet"),
    ({"field": "qualifications", "op": "has", "value": "国高新"}, {"qualifications": ["科小"]},
     "unmet"),  # every name known: absent means absent
    ({"field": "new_qualifications", "op": "has", "value": "专精特新"},
     {"new_qualifications": ["专精特新示范企业"]}, "unknown"),
    ({"field": "industry", "op": "==", "value": "领带服装"}, {"industry": "纺织品"}, "unknown"),
    ({"field": "industry", "op": "not_in", "value": ["领带服装"]}, {"industry": "纺织品"}, "unknown"),
    ({"field": "industry", "op": "==", "value": "领带服装"}, {"industry": "集成灶"}, "unmet"),
])
def test_unrecognised_names_leave_tests_unknown(condition: dict[str, Any], facts: dict[str, Any],
                                                want: str) -> None:
    ev = evaluate(FieldTest.model_validate(condition), EnterpriseProfile(name="甲", **facts),
                  as_of=DAY)
    assert ev.outcome.value == want
    if want == "unknown":
        assert ev.missing == (condition["field"],)
        assert "未识别的名称" in ev.reasons[0].text


def test_the_planned_first_pass_gives_evaluates_outcome_on_every_clause():
    """The matcher's first pass (plan + outcome_runner) agrees with evaluate, tree by tree."""
    from pathlib import Path

    from policymatch import load_policies, load_profile
    from policymatch.rules import outcome_runner, plan, plan_leaves, planned_evaluation, without_not

    examples = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))
    trees = [t for p, c in load_policies().items() for t in (p.conditions, c.conditions)]
    seen = set()
    for path in examples:
        profile = load_profile(path)
        day = DAY.replace(year=2026)
        run, memo = outcome_runner(profile, day, {}), {}
        for tree in trees:
            full = evaluate(without_not(tree), profile, as_of=day, changes=False)
            want = full.outcome
            assert run(plan(without_not(tree))) is want
            assert run(plan(tree)) is want  # a tree with not is planned as its pushed form
            leaves = plan_leaves(plan(without_not(tree)))
            assert planned_evaluation(leaves, want, profile, day, memo) == full
            seen.add(want)
    assert seen == set(Outcome)
