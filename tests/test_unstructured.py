"""The unstructured condition leaf: words kept as written, always unknown, never eligible."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from policymatch import EnterpriseProfile, Matcher
from policymatch.corpus import load_policies
from policymatch.explain import outcome_only
from policymatch.matcher import assess
from policymatch.models import (
    UNSTRUCTURED_PREFIX,
    AllOf,
    AnyOf,
    Clause,
    Condition,
    FieldTest,
    FixedBenefit,
    Not,
    Outcome,
    Policy,
    PolicySet,
    Unstructured,
)
from policymatch.rules import evaluate, fields_of, push_not

DAY = date(2025, 6, 30)
WORDS = "具有独立法人资格且近三年未受到行政处罚"
_COND: TypeAdapter[Condition] = TypeAdapter(Condition)


def test_loads_from_yaml_shape_with_span_and_label() -> None:
    node = _COND.validate_python({"kind": "unstructured", "text": WORDS, "span": [3, 21]})
    assert isinstance(node, Unstructured)
    assert node.span == (3, 21)
    assert node.label == UNSTRUCTURED_PREFIX + WORDS
    assert Unstructured(text="甲;乙").label == "需人工核对：甲；乙"  # ";" separates missing labels
    assert len(Unstructured(text="字" * 300).label) <= len(UNSTRUCTURED_PREFIX) + 80


@pytest.mark.parametrize("bad, match", [
    ({"kind": "unstructured", "text": ""}, "at least 1 character"),
    ({"kind": "unstructured", "text": "   "}, "blank"),
    ({"kind": "unstructured", "text": "x", "span": [5, 2]}, "start <= end"),
    ({"kind": "unstructured", "text": "x", "extra": 1}, "Extra inputs"),
])
def test_bad_unstructured_leaves_are_refused(bad: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        _COND.validate_python(bad)


@pytest.mark.parametrize("profile", [
    EnterpriseProfile(name="空"),
    EnterpriseProfile(name="全", revenue="5亿", region="嵊州市", qualifications=["国家高新技术企业"],
                      credit_clean=True, is_above_scale=True),
])
def test_always_unknown_with_the_words_as_missing(profile: EnterpriseProfile) -> None:
    node = Unstructured(text=WORDS)
    ev = evaluate(node, profile, as_of=DAY)
    assert ev.outcome is Outcome.UNKNOWN
    assert ev.missing == (node.label,)
    assert ev.reasons[0].text.startswith("需人工核对：" + WORDS)
    assert ev.reasons[0].outcome is Outcome.UNKNOWN
    assert evaluate(Not(of=node), profile, as_of=DAY).outcome is Outcome.UNKNOWN
    assert push_not(node) == node
    assert fields_of(AllOf(of=(node, FieldTest(field="revenue", op=">=", value=1)))) == ["revenue"]


def test_kleene_logic_around_an_unstructured_leaf() -> None:
    p = EnterpriseProfile(name="甲", revenue="1亿")
    met, unmet = (FieldTest(field="revenue", op=">=", value=v) for v in ("1000万", "9亿"))
    u = Unstructured(text=WORDS)
    assert evaluate(AllOf(of=(met, u)), p).outcome is Outcome.UNKNOWN
    assert evaluate(AllOf(of=(unmet, u)), p).outcome is Outcome.UNMET
    assert evaluate(AnyOf(of=(met, u)), p).outcome is Outcome.MET
    assert evaluate(AnyOf(of=(unmet, u)), p).outcome is Outcome.UNKNOWN
    run = outcome_only(p, DAY, {})
    for tree in (AllOf(of=(met, u)), AllOf(of=(unmet, u)), AnyOf(of=(met, u)), Not(of=u)):
        assert run(tree) is evaluate(tree, p, as_of=DAY).outcome


def _policy(conditions: Condition | None, own: list[Condition | None]) -> Policy:
    clauses = tuple(Clause(id=f"u-{i}", title=f"条款{i}", text=f"第{i}条原文", conditions=c,
                           benefit=FixedBenefit(amount=10_000 * i), exclusive_group="g" if i < 3
                           else None) for i, c in enumerate(own, 1))
    return Policy(id="u", title="测试政策", region="测试县", conditions=conditions, clauses=clauses)


def _mixed_policy() -> Policy:
    u1, u2 = Unstructured(text=WORDS, span=(0, 5)), Unstructured(text="在本县缴纳社保满12个月")
    revenue = FieldTest(field="revenue", op=">=", value="2000万")
    return _policy(AllOf(of=(FieldTest(field="region", op="==", value="测试县"),
                             Unstructured(text="所称企业须为工业企业"))),
                   [u1, AllOf(of=(revenue, u2)), AnyOf(of=(revenue, u1)), Not(of=u2), None])


def test_matcher_never_eligible_and_asks_what_to_check(tokenizer: Any) -> None:
    policy = _mixed_policy()
    m = Matcher(tokenizer=tokenizer).fit(PolicySet(policies=(policy,)))
    firm = EnterpriseProfile(name="甲", region="测试县", revenue="3000万")
    report = m.match(firm, as_of=DAY)
    by_id = {x.clause_id: x for x in report.matches}
    assert all(x.status.value == "possible" for x in report.matches)  # the policy's own words
    assert by_id["u-1"].missing == (Unstructured(text=WORDS).label, "需人工核对：所称企业须为工业企业")
    assert by_id["u-1"].note().startswith("缺：需人工核对：")
    asked = {q.field: q.question for q in report.questions}
    assert asked[Unstructured(text=WORDS).label].startswith("需人工核对：" + WORDS + "。")
    assert report.total_amount == 0
    for clause in policy.clauses:  # assess() and match() agree
        assert assess(policy, clause, firm, as_of=DAY).status is by_id[clause.id].status


def _new_fields_policy() -> Policy:
    from policymatch.models import PerUnitBenefit, RatioBenefit

    land = FieldTest(field="land_area_mu", op=">=", value=30)
    return Policy(id="nf", title="新字段政策", clauses=(
        Clause(id="nf-1", title="数字化", text="信息化投入", benefit=RatioBenefit(
            field="digital_investment", rate=0.15, cap=1_000_000),
            conditions=FieldTest(field="digital_investment", op=">=", value="100万")),
        Clause(id="nf-2", title="上云", text="上云", benefit=RatioBenefit(field="cloud_expense", rate=0.3),
               conditions=AllOf(of=(FieldTest(field="cloud_expense", op=">", value=0),
                                    Unstructured(text="企业购买云服务")))),
        Clause(id="nf-3", title="亩均", text="每亩", conditions=land, benefit=PerUnitBenefit(
            field="land_area_mu", rate=10_000, unit="亩", cap=500_000)),
        Clause(id="nf-4", title="机器人", text="每台", benefit=PerUnitBenefit(
            field="equipment_units", rate=10_000, unit="台"),
            conditions=FieldTest(field="equipment_units", op=">=", value=10)),
    ))


def test_batch_equals_match_with_unstructured_leaves(tokenizer: Any) -> None:
    pytest.importorskip("pandas")
    policy = _mixed_policy().model_copy(update={"conditions": None})
    bundled = load_policies()
    m = Matcher(tokenizer=tokenizer).fit(PolicySet(policies=(*bundled.policies, policy,
                                                             _new_fields_policy())))
    firms = [EnterpriseProfile(name=f"企业{i}", id=f"P{i}", region=r, revenue=v, **more)
             for i, (r, v, more) in enumerate([
                 ("测试县", "3000万", {"digital_investment": "150万", "land_area_mu": 42.5}),
                 ("测试县", "100万", {"cloud_expense": "8万", "equipment_units": 12}),
                 (None, None, {}),
                 ("嵊州市", "5亿", {"land_area_mu": 10, "equipment_units": 3,
                                  "digital_investment": "20万"})])]
    table = m.match_many(firms, as_of=DAY)
    got = {(r.enterprise_id, r.clause_id): r for r in table.astype(object).itertuples(index=False)}
    n = 0
    for firm in firms:
        for x in m.match(firm, as_of=DAY).matches:
            if x.status.value == "ineligible":
                continue
            row = got[(firm.id, x.clause_id)]
            assert row.status == x.status.value, x.clause_id
            assert row.missing == ";".join(x.missing), x.clause_id
            assert bool(row.counted) == x.counted
            amount = None if isinstance(row.amount, float) and math.isnan(row.amount) else row.amount
            assert amount == x.amount
            n += 1
    assert n == len(table)
    mine = table[table.clause_id.isin(["u-1", "u-2", "u-4"])]  # the words are required there
    assert set(mine.status) == {"possible"}
    assert any(UNSTRUCTURED_PREFIX in s for s in mine.missing)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(["u", "met", "unmet", "unknown"]), min_size=1, max_size=5),
       st.booleans(), st.booleans())
def test_no_tree_with_a_required_unstructured_leaf_is_met(parts: list[str], wrap_any: bool,
                                                          negate: bool) -> None:
    p = EnterpriseProfile(name="甲", revenue="1亿")
    leaf = {"u": Unstructured(text=WORDS), "met": FieldTest(field="revenue", op=">=", value=1),
            "unmet": FieldTest(field="revenue", op=">=", value="9亿"),
            "unknown": FieldTest(field="tax_paid", op=">=", value=1)}
    kids = tuple(leaf[k] for k in parts)
    tree: Condition = AllOf(of=kids)
    if negate:
        tree = Not(of=tree)
    if wrap_any:
        tree = AnyOf(of=(tree,))
    out = evaluate(tree, p, as_of=DAY).outcome
    if "u" in parts and not negate:
        assert out is not Outcome.MET  # an AND needing the words is at best unknown
    if "u" in parts and out is Outcome.UNKNOWN:
        assert any(f.startswith(UNSTRUCTURED_PREFIX) for f in evaluate(tree, p, as_of=DAY).missing)
