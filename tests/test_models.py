"""models: condition and benefit validation, policies, policy sets, results and their schema."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from policymatch.errors import PolicymatchError, UnknownClauseError
from policymatch.models import (
    AllOf,
    AnyOf,
    Benefit,
    Clause,
    Condition,
    FieldTest,
    FixedBenefit,
    InterestBenefit,
    Match,
    MatchReport,
    Not,
    Policy,
    PolicySet,
    RentBenefit,
    Status,
    Tier,
    TiersBenefit,
)

CONDITION = TypeAdapter(Condition)
BENEFIT = TypeAdapter(Benefit)


def clause(cid: str = "c1", **kw: Any) -> Clause:
    fields: dict[str, Any] = {"id": cid, "title": "条款", "text": "条文。",
                              "benefit": {"kind": "fixed", "amount": "10万"}}
    fields.update(kw)
    return Clause.model_validate(fields)


def policy(pid: str = "p1", clauses: tuple[Clause, ...] | None = None, **kw: Any) -> Policy:
    return Policy.model_validate({"id": pid, "title": "政策",
                                  "clauses": (clause(),) if clauses is None else clauses,
                                  **kw})


# -- conditions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"field": "revenue", "op": ">=", "value": "1亿"}, 1e8),
        ({"field": "revenue", "op": "<", "value": 5_000_000}, 5e6),
        ({"field": "employees", "op": ">=", "value": 20}, 20.0),
        ({"field": "employees", "op": "in", "value": [1, 2]}, [1.0, 2.0]),
        ({"field": "revenue_growth", "op": ">", "value": 0.1}, 0.1),
        ({"field": "is_above_scale", "op": "==", "value": True}, True),
        ({"field": "region", "op": "in", "value": ["嵊州市", "新昌县"]}, ["嵊州市", "新昌县"]),
        ({"field": "qualifications", "op": "has", "value": "国高新"}, "国家高新技术企业"),
        ({"field": "qualifications", "op": "not_has", "value": ["国高新", "小巨人"]},
         ["国家高新技术企业", "国家级专精特新小巨人"]),
        ({"field": "industry", "op": "==", "value": "集成灶"}, "厨具电器"),
        ({"field": "scale_class", "op": "in", "value": ["小型", "微型"]}, ["小型", "微型"]),
        ({"field": "industry_section", "op": "==", "value": "C"}, "C"),
        ({"field": "talents.phd", "op": ">=", "value": 1}, 1.0),
        ({"field": "age_years", "op": "<", "value": 3}, 3.0),
        ({"field": "extra.亩均评价", "op": "in", "value": ["A", "B"]}, ["A", "B"]),
        ({"field": "extra.出口增长", "op": ">=", "value": 0.2}, 0.2),
    ],
)
def test_leaf_values_are_normalised(data: dict[str, Any], expected: Any) -> None:
    leaf = CONDITION.validate_python(data)
    assert isinstance(leaf, FieldTest)
    assert leaf.value == expected


BAD_LEAVES = [
    ({"field": "revenu", "op": ">=", "value": 1}, "unknown field 'revenu'"),
    ({"field": "extra.", "op": "==", "value": "a"}, "unknown field 'extra.'"),
    ({"field": "revenue", "op": ">=", "value": "很多"}, "revenue: cannot read '很多' as money"),
    ({"field": "revenue", "op": "has", "value": "x"}, "op 'has' does not apply to revenue"),
    ({"field": "revenue", "op": "in", "value": [1]}, "op 'in' does not apply to revenue"),
    ({"field": "revenue", "op": ">=", "value": [1, 2]}, "compares with one number, got a list"),
    ({"field": "revenue", "op": "==", "value": True}, "yes/no value"),
    ({"field": "employees", "op": ">=", "value": "3"}, "employees compares with numbers"),
    ({"field": "employees", "op": ">=", "value": True}, "employees compares with numbers"),
    ({"field": "employees", "op": ">=", "value": float("nan")}, "compares with numbers"),
    ({"field": "employees", "op": "in", "value": 3}, "op 'in' needs a list value"),
    ({"field": "is_above_scale", "op": "==", "value": "true"}, "is yes/no"),
    ({"field": "is_above_scale", "op": ">=", "value": 1}, "op '>=' does not apply"),
    ({"field": "region", "op": "==", "value": 3}, "region compares with text"),
    ({"field": "region", "op": ">=", "value": "a"}, "op '>=' does not apply to region"),
    ({"field": "qualifications", "op": "==", "value": "国高新"}, "op '==' does not apply"),
    ({"field": "scale_class", "op": "==", "value": "小微"}, "scale_class is one of 大型"),
    ({"field": "industry_section", "op": "==", "value": "制造业"}, "industry_section is one of"),
    ({"field": "extra.x", "op": ">=", "value": "a"}, "op '>=' on extra.x needs a number"),
    ({"field": "revenue", "op": "~", "value": 1}, "Input should be '>='"),
    ({"field": "revenue", "op": ">=", "value": 1, "note": "x"}, "Extra inputs are not permitted"),
    ({"kind": "all", "of": []}, "at least 1 item"),
    ({"kind": "xor", "of": []}, "Input tag 'xor'"),
    ({"of": []}, "Unable to extract tag"),
]


@pytest.mark.parametrize(("data", "message"), BAD_LEAVES, ids=[m[:30] for _, m in BAD_LEAVES])
def test_bad_conditions_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CONDITION.validate_python(data)


def test_condition_tree_parses_with_or_without_kind_on_leaves() -> None:
    tree = CONDITION.validate_python({"kind": "all", "of": [
        {"field": "revenue", "op": ">=", "value": "1亿"},
        {"kind": "any", "of": [{"kind": "field", "field": "is_above_scale", "op": "==",
                                "value": True},
                               {"kind": "not", "of": {"field": "credit_clean", "op": "==",
                                                      "value": False}}]},
    ]})
    assert isinstance(tree, AllOf)
    assert isinstance(tree.of[1], AnyOf)
    assert isinstance(tree.of[1].of[1], Not)
    assert CONDITION.validate_python(CONDITION.dump_python(tree, mode="json")) == tree


def test_conditions_are_frozen_and_json_safe() -> None:
    leaf = FieldTest(field="revenue", op=">=", value="1亿")
    with pytest.raises(ValidationError, match="frozen"):
        leaf.op = "<"  # type: ignore[misc]
    assert json.loads(leaf.model_dump_json()) == {"kind": "field", "field": "revenue", "op": ">=",
                                                  "value": 1e8, "label": None}


# -- benefits --------------------------------------------------------------------------------------
BAD_BENEFITS = [
    ({"kind": "fixed", "amount": "-1"}, "negative"),
    ({"kind": "fixed"}, "Field required"),
    ({"kind": "bonus", "amount": 1}, "Input tag 'bonus'"),
    ({"kind": "tiers", "field": "revenue", "tiers": []}, "at least 1 item"),
    ({"kind": "tiers", "field": "revenue", "tiers": [{"at": "1亿", "amount": "10万", "rate": 0.1}]},
     "exactly one"),
    ({"kind": "tiers", "field": "revenue", "tiers": [{"at": "1亿"}]}, "exactly one"),
    ({"kind": "tiers", "field": "revenue",
      "tiers": [{"at": "5亿", "amount": "30万"}, {"at": "1亿", "amount": "10万"}]},
     r"increasing order of 'at', got \[500000000.0, 100000000.0\]"),
    ({"kind": "tiers", "field": "revenue",
      "tiers": [{"at": "1亿", "amount": "10万"}, {"at": "1亿", "amount": "20万"}]},
     "increasing order"),
    ({"kind": "tiers", "field": "revenue", "tiers": [{"at": "1亿", "amount": "30万"}],
      "cap": "20万"}, "cap 200000 is below the tier amount 300000"),
    ({"kind": "tiers", "field": "revenue", "tiers": [{"at": -1, "amount": 1}]}, "greater than"),
    ({"kind": "tiers", "field": "revenu", "tiers": [{"at": 1, "amount": 1}]},
     "unknown base field 'revenu'"),
    ({"kind": "tiers", "field": "is_above_scale", "tiers": [{"at": 1, "amount": 1}]},
     "base field 'is_above_scale' is bool, not a number"),
    ({"kind": "ratio", "field": "region", "rate": 0.1}, "base field 'region' is text"),
    ({"kind": "per_unit", "field": "qualifications", "rate": 1000}, "is set, not a number"),
    ({"kind": "ratio", "field": "equipment_investment", "rate": 1.5}, "less than or equal to 1"),
    ({"kind": "ratio", "field": "equipment_investment", "rate": 0}, "greater than 0"),
    ({"kind": "ratio", "field": "equipment_investment", "rate": 0.1, "cap": "10万",
      "floor": "20万"}, "cap 100000 is below floor 200000"),
    ({"kind": "per_unit", "field": "talents.phd", "rate": 3000, "cap": 1000},
     r"below the amount for one unit \(3000\)"),
    ({"kind": "per_unit", "field": "talents.phd", "rate": 3000, "period": "week"}, "'once'"),
    ({"kind": "per_unit", "field": "talents.phd", "rate": 3000, "duration": 0}, "greater than"),
    ({"kind": "per_unit", "field": "talents.phd", "rate": 3000, "max_units": 0}, "greater than"),
    ({"kind": "interest", "base_rate": 0.5, "share": 0.5}, "less than or equal to 0.2"),
    ({"kind": "interest", "base_rate": 0.03, "share": 0.5, "years": 31}, "less than or equal"),
    ({"kind": "rent", "rate": 10, "cap": 5}, "below the amount for one m² month"),
    ({"kind": "rent", "rate": 10, "max_area": 0}, "greater than 0"),
    ({"kind": "in_kind", "description": ""}, "at least 1 character"),
    ({"kind": "fixed", "amount": 1, "cap": 2}, "Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("data", "message"), BAD_BENEFITS, ids=[m[:30] for _, m in BAD_BENEFITS])
def test_bad_benefits_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        BENEFIT.validate_python(data)


def test_benefit_defaults_and_money_text() -> None:
    b = BENEFIT.validate_python({"kind": "interest", "base_rate": 0.0345, "share": 0.5,
                                 "cap": "50万"})
    assert isinstance(b, InterestBenefit)
    assert (b.field, b.years, b.cap) == ("loan_amount", 1.0, 5e5)
    r = BENEFIT.validate_python({"kind": "rent", "rate": "10元"})
    assert isinstance(r, RentBenefit) and (r.field, r.months, r.rate) == ("office_area_sqm", 12, 10)
    t = BENEFIT.validate_python({"kind": "tiers", "field": "revenue",
                                 "tiers": [{"at": "1亿", "amount": "10万"}, {"at": 5e8, "rate": 0.01}]})
    assert isinstance(t, TiersBenefit)
    assert t.tiers == (Tier(at=1e8, amount=1e5), Tier(at=5e8, rate=0.01))
    assert BENEFIT.validate_python({"kind": "fixed", "amount": "最高20万".removeprefix("最高"),
                                    "up_to": True}) == FixedBenefit(amount=2e5, up_to=True)


# -- clauses and policies ------------------------------------------------------------------------
def test_clause_defaults() -> None:
    c = clause()
    assert c.mode.value == "依申请" and c.category == "奖补"
    assert c.conditions is None and c.cases == () and c.exclusive_group is None


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"id": "坏 id"}, "String should match pattern"),
        ({"id": "-lead"}, "String should match pattern"),
        ({"title": ""}, "at least 1 character"),
        ({"text": "字" * 5001}, "at most 5000 characters"),
        ({"mode": "自动"}, "免申即享"),
        ({"category": "其他"}, "'奖补'"),
        ({"cases": [{"profile": {}, "expect": "maybe"}]}, "'eligible'"),
        ({"cases": [{"profile": {}, "expect": "eligible", "amount": "很多"}]}, "cannot read"),
        ({"benefit": None}, "benefit"),
        ({"colour": "red"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_clauses_are_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        clause(**kw)


def test_policy_dates_and_tier() -> None:
    p = policy(valid_from="2025-01-01", valid_to="2025-12-31", tier=9)
    assert p.tier == "9"
    assert p.active_on(date(2025, 6, 1))
    assert p.active_on(date(2025, 1, 1)) and p.active_on(date(2025, 12, 31))
    assert not p.active_on(date(2024, 12, 31)) and not p.active_on(date(2026, 1, 1))
    assert policy().active_on(date(1999, 1, 1))  # open-ended


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"valid_from": "2025-01-01", "valid_to": "2024-12-31"},
         "valid_to 2024-12-31 is before valid_from 2025-01-01"),
        ({"clauses": (clause("a"), clause("a"))}, "clause id 'a' appears twice in policy 'p1'"),
        ({"clauses": ()}, "at least 1 item"),
        ({"tier": "10"}, "'1', '9' or 'X'"),
        ({"tier": True}, "'1', '9' or 'X'"),
        ({"valid_from": "明年"}, "valid_from"),
    ],
)
def test_bad_policies_are_refused(kw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        policy(**kw)


# -- policy sets ---------------------------------------------------------------------------------
def test_policy_set_lookup_and_iteration(mini_set: PolicySet) -> None:
    assert len(mini_set) == 8
    ids = [c.id for _, c in mini_set.items()]
    assert ids[0] == "mini-gx" and ids[-1] == "mini-service"
    p, c = mini_set.clause("mini-equip")
    assert (p.id, c.title) == ("mini", "设备投资补助")


def test_unknown_clause_is_a_key_error_with_a_clean_message(mini_set: PolicySet) -> None:
    with pytest.raises(UnknownClauseError, match="no clause 'NO-SUCH-ID'") as info:
        mini_set.clause("NO-SUCH-ID")
    assert isinstance(info.value, KeyError) and isinstance(info.value, PolicymatchError)
    assert str(info.value) == "no clause 'NO-SUCH-ID'; `policymatch list` shows the ids"


def test_policy_set_refuses_duplicate_ids() -> None:
    with pytest.raises(ValidationError, match="policy id 'p1' is used twice"):
        PolicySet(policies=(policy("p1"), policy("p1", clauses=(clause("c2"),))))
    with pytest.raises(ValidationError, match="clause id 'c1' is in both 'p1' and 'p2'"):
        PolicySet(policies=(policy("p1"), policy("p2")))


def test_fingerprint_follows_content(mini_policy: Policy) -> None:
    a = PolicySet(policies=(mini_policy,))
    b = PolicySet(policies=(Policy.model_validate(mini_policy.model_dump()),))
    assert a.fingerprint() == b.fingerprint()
    c = PolicySet(policies=(mini_policy.model_copy(update={"title": "改过的标题"}),))
    assert c.fingerprint() != a.fingerprint()
    assert len(a.fingerprint()) == 64


def test_policy_json_schema_is_generated_from_the_models() -> None:
    schema = Policy.model_json_schema()
    assert schema["additionalProperties"] is False
    assert {"id", "title", "clauses"} <= set(schema["required"])
    defs = schema["$defs"]
    assert {"Clause", "FieldTest", "AllOf", "AnyOf", "Not", "TiersBenefit", "Tier"} <= set(defs)
    assert set(defs["FieldTest"]["properties"]["op"]["enum"]) == {
        ">=", ">", "<=", "<", "==", "!=", "in", "not_in", "has", "not_has"}
    json.dumps(schema, ensure_ascii=False)  # serialisable as is


# -- results ---------------------------------------------------------------------------------------
def _match(cid: str, status: Status, amount: float | None = None) -> Match:
    return Match(policy_id="p", policy_title="政策", clause_id=cid, clause_title="条",
                 text="条文", status=status, amount=amount)


def test_match_report_views_and_json() -> None:
    report = MatchReport(enterprise="甲", as_of=date(2025, 6, 1), matches=(
        _match("a", Status.ELIGIBLE, 1e5), _match("b", Status.POSSIBLE),
        _match("c", Status.INELIGIBLE)))
    assert [m.clause_id for m in report.eligible] == ["a"]
    assert [m.clause_id for m in report.possible] == ["b"]
    data = json.loads(report.to_json())
    assert data["as_of"] == "2025-06-01"
    assert [m["status"] for m in data["matches"]] == ["eligible", "possible", "ineligible"]
    assert "甲" in report.to_json()  # Chinese kept readable
    assert MatchReport.model_validate_json(report.to_json()) == report


def test_match_report_to_dataframe() -> None:
    pd = pytest.importorskip("pandas")
    report = MatchReport(enterprise="甲", as_of=date(2025, 6, 1),
                         matches=(_match("a", Status.ELIGIBLE, 1e5),))
    df = report.to_dataframe()
    assert isinstance(df, pd.DataFrame)
    assert list(df["clause_id"]) == ["a"] and list(df["status"]) == ["eligible"]
    assert df.loc[0, "amount"] == 1e5
    empty = MatchReport(enterprise="乙", as_of=date(2025, 6, 1)).to_dataframe()
    assert len(empty) == 0 and "clause_id" in empty.columns
