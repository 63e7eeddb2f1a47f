"""match() and match_many() agree on policies nobody wrote by hand.

The batch path is derived from the same rules and benefits as :meth:`Matcher.match`; the bundled
corpus alone cannot show it, because a new county's file can combine operators, fields, benefit
kinds and 就高不重复 groups the corpus never does. Here hypothesis draws whole policy sets — random
condition trees over every kind of field, every benefit kind, exclusivity groups, document-wide
conditions — and profiles at and around their thresholds, and requires the two paths to give the
same status, amount, counted flag, missing facts, score and recipient for every pair.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from policymatch import EnterpriseProfile, Matcher
from policymatch.errors import PolicymatchError
from policymatch.models import FieldTest, Policy, PolicySet

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from test_batch import DAY, assert_same, expected, rows_of

# -- what conditions may read, and values around the thresholds drawn ---------------------------
MONEY = ["revenue", "tax_paid", "export_value", "equipment_investment", "previous.tax_paid"]
COUNTS = ["employees", "talents.phd", "office_area_sqm"]
RATIOS = ["revenue_growth", "rd_ratio"]
FLAGS = ["is_above_scale", "credit_clean"]
TEXTS = {"region": ["嵊州市", "新昌县", "测试县"], "industry": ["集成灶", "领带", "电子商务"],
         "scale_class": ["大型", "中型", "小型", "微型"], "industry_section": ["C", "F", "I"]}
QUALS = ["国家高新技术企业", "省专精特新中小企业", "国家级专精特新小巨人", "省级企业技术中心"]
EXTRA_NUM, EXTRA_TEXT = "extra.亩均税收", "extra.亩均评价"
MONEY_AT = [0.0, 1e6, 5e6, 2e7, 1e8]
COUNT_AT = [0.0, 1.0, 3.0, 20.0, 300.0]
RATIO_AT = [0.0, 0.03, 0.1, 0.5]
AGE_AT = [0.0, 1.0, 2.0, 3.0, 10.0]
TEXTS_FOR_INDEX = ["对当年新认定的企业给予一次性奖励", "按设备投资额给予补助，最高不超过封顶金额",
                   "新引进全职博士发放生活补贴", "技改项目贷款给予贴息", "初创企业房租补助",
                   "出口额首次突破给予奖励", "规上工业企业研发投入补助", "亩均效益评价A类企业奖励"]

NUMERIC_OPS = st.sampled_from([">=", ">", "<=", "<", "==", "!="])


def _num_leaf(field: str, at: list[float]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda op, v: {"field": field, "op": op, "value": v}, NUMERIC_OPS, st.sampled_from(at))


def leaves() -> st.SearchStrategy[dict[str, Any]]:
    options = [_num_leaf(f, MONEY_AT) for f in MONEY]
    options += [_num_leaf(f, COUNT_AT) for f in COUNTS]
    options += [_num_leaf(f, RATIO_AT) for f in RATIOS]
    options.append(_num_leaf("age_years", AGE_AT))
    options.append(_num_leaf(EXTRA_NUM, MONEY_AT))
    options.append(st.builds(lambda op, xs: {"field": "employees", "op": op, "value": xs},
                             st.sampled_from(["in", "not_in"]),
                             st.lists(st.sampled_from(COUNT_AT), min_size=1, max_size=3)))
    options += [st.builds(lambda f, op, v: {"field": f, "op": op, "value": v}, st.just(f),
                          st.sampled_from(["==", "!="]), st.booleans()) for f in FLAGS]
    for field, pool in TEXTS.items():
        options.append(st.builds(lambda op, v, f=field: {"field": f, "op": op, "value": v},
                                 st.sampled_from(["==", "!="]), st.sampled_from(pool)))
        options.append(st.builds(lambda op, xs, f=field: {"field": f, "op": op, "value": xs},
                                 st.sampled_from(["in", "not_in"]),
                                 st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True)))
    options.append(st.builds(lambda f, op, v: {"field": f, "op": op, "value": v},
                             st.sampled_from(["qualifications", "new_qualifications"]),
                             st.sampled_from(["has", "not_has"]),
                             st.one_of(st.sampled_from(QUALS),
                                       st.lists(st.sampled_from(QUALS), min_size=1, max_size=2, unique=True))))
    options.append(st.builds(lambda op, v: {"field": EXTRA_TEXT, "op": op, "value": v},
                             st.sampled_from(["==", "!="]), st.sampled_from(["A", "B", "D"])))
    return st.one_of(options)


def conditions() -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaves(),
        lambda kids: st.one_of(
            st.builds(lambda xs: {"kind": "all", "of": xs}, st.lists(kids, min_size=1, max_size=3)),
            st.builds(lambda xs: {"kind": "any", "of": xs}, st.lists(kids, min_size=1, max_size=3)),
            st.builds(lambda x: {"kind": "not", "of": x}, kids)),
        max_leaves=6)


def _cap(amounts: list[float]) -> st.SearchStrategy[float | None]:
    return st.one_of(st.none(), st.sampled_from([max(amounts) * k for k in (1, 2)] or [1e6]))


@st.composite
def benefits(draw: Any) -> dict[str, Any]:
    kind = draw(st.sampled_from(["fixed", "tiers", "ratio", "per_unit", "interest", "rent", "in_kind"]))
    recipient = draw(st.sampled_from(["企业", "企业", "个人", "机构"]))
    out: dict[str, Any]
    if kind == "fixed":
        out = {"kind": "fixed", "amount": draw(st.sampled_from([1e4, 2e5, 5e5])), "up_to": draw(st.booleans())}
    elif kind == "tiers":
        ats = sorted(draw(st.lists(st.sampled_from(MONEY_AT), min_size=1, max_size=3, unique=True)))
        if draw(st.booleans()):
            tiers = [{"at": a, "amount": 1e4 * (i + 1)} for i, a in enumerate(ats)]
            cap = draw(_cap([t["amount"] for t in tiers]))
        else:
            tiers = [{"at": a, "rate": draw(st.sampled_from([0.01, 0.05, 0.1]))} for a in ats]
            cap = draw(st.one_of(st.none(), st.sampled_from([1e5, 1e6])))
        out = {"kind": "tiers", "field": draw(st.sampled_from([*MONEY[:4], EXTRA_NUM])), "tiers": tiers, "cap": cap}
    elif kind == "ratio":
        floor = draw(st.one_of(st.none(), st.just(1e4)))
        cap = draw(st.one_of(st.none(), st.sampled_from([2e4, 1e6])))
        out = {"kind": "ratio", "field": draw(st.sampled_from([*MONEY, "rd_ratio"])),
               "rate": draw(st.sampled_from([0.05, 0.1, 0.3])), "cap": cap, "floor": floor}
    elif kind == "per_unit":
        rate = draw(st.sampled_from([500.0, 3000.0, 2e4]))
        out = {"kind": "per_unit", "field": draw(st.sampled_from(["talents.phd", "employees", "office_area_sqm"])),
               "rate": rate, "period": draw(st.sampled_from(["once", "month", "year"])),
               "duration": draw(st.sampled_from([1, 12, 36])),
               "max_units": draw(st.one_of(st.none(), st.sampled_from([2.0, 50.0]))),
               "cap": draw(st.one_of(st.none(), st.sampled_from([rate, rate * 10])))}
    elif kind == "interest":
        out = {"kind": "interest", "base_rate": 0.0345, "share": draw(st.sampled_from([0.5, 1.0])),
               "years": draw(st.sampled_from([1.0, 2.0])), "cap": draw(st.one_of(st.none(), st.just(5e5)))}
    elif kind == "rent":
        out = {"kind": "rent", "rate": draw(st.sampled_from([8.0, 10.0])), "months": draw(st.sampled_from([1, 12])),
               "max_area": draw(st.one_of(st.none(), st.just(200.0))),
               "cap": draw(st.one_of(st.none(), st.just(1e4)))}
    else:
        out = {"kind": "in_kind", "description": "要素保障"}
    out["recipient"] = recipient
    return out


# built once: a strategy is validated when first drawn from, and a fresh one each draw costs
CONDITIONS = st.one_of(st.none(), conditions())
BENEFITS = benefits()


@st.composite
def policy_sets(draw: Any) -> PolicySet:
    n = draw(st.integers(1, 6))
    clauses = []
    for i in range(n):
        clauses.append({
            "id": f"c{i}", "title": f"条款{i}", "text": draw(st.sampled_from(TEXTS_FOR_INDEX)) + f"（第{i}项）",
            "conditions": draw(CONDITIONS),
            "benefit": draw(BENEFITS),
            "exclusive_group": draw(st.sampled_from([None, None, "g1", "g2"])),
        })
    raw = {"id": "rand", "title": "随机政策", "valid_from": "2025-01-01", "valid_to": "2025-12-31",
           "conditions": draw(CONDITIONS), "clauses": clauses}
    try:
        return PolicySet(policies=(Policy.model_validate(raw),))
    except ValidationError:
        assume(False)
        raise  # unreachable


def thresholds(policy_set: PolicySet) -> dict[str, list[Any]]:
    """Every value a leaf of the set compares with, by field (what profiles are drawn around)."""
    out: dict[str, list[Any]] = {}

    def walk(node: Any) -> None:
        if node is None:
            return
        if isinstance(node, FieldTest):
            values = node.value if isinstance(node.value, list) else [node.value]
            out.setdefault(node.field, []).extend(values)
        else:
            for child in node.of if isinstance(node.of, tuple) else (node.of,):
                walk(child)

    for policy, clause in policy_set.items():
        walk(policy.conditions)
        walk(clause.conditions)
    return out


def _around(values: list[Any], fallback: list[float]) -> tuple[float, ...]:
    """A tuple, so that hypothesis reuses one strategy per pool instead of validating anew."""
    nums = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    step = [x + d for x in nums for d in (-1.0, 1.0, -0.01, 0.01)]
    return tuple(sorted({max(0.0, x) for x in [*nums, *nums, *step, *fallback]}))


@st.composite
def profiles(draw: Any, at: dict[str, list[Any]]) -> dict[str, Any]:
    """A profile whose facts sit on, just off and far from the thresholds in ``at``."""
    data: dict[str, Any] = {"name": "甲企业"}

    def maybe(pool: Any) -> Any:
        return draw(st.one_of(st.none(), pool, pool))

    for f in ("revenue", "tax_paid", "export_value", "equipment_investment", "rd_expense", "loan_amount"):
        data[f] = maybe(st.sampled_from(_around(at.get(f, []), MONEY_AT)))
    data["employees"] = maybe(st.sampled_from(tuple(int(x) for x in _around(at.get("employees", []), COUNT_AT)
                                                    if float(x).is_integer())))
    data["office_area_sqm"] = maybe(st.sampled_from(_around(at.get("office_area_sqm", []), [250.0])))
    data["revenue_growth"] = maybe(st.sampled_from(_around(at.get("revenue_growth", []), RATIO_AT)))
    for f in FLAGS:
        data[f] = maybe(st.booleans())
    for f in ("region", "industry"):
        data[f] = maybe(st.sampled_from(TEXTS[f]))
    data["industry_code"] = maybe(st.sampled_from(["C3841", "F5123", "I6513"]))
    for f in ("qualifications", "new_qualifications"):
        data[f] = maybe(st.lists(st.sampled_from(QUALS), max_size=2, unique=True))
    years = maybe(st.sampled_from(_around(at.get("age_years", []), AGE_AT)))
    if years is not None:
        data["established"] = (DAY - timedelta(days=round(years * 365.25) + draw(st.integers(-1, 1)))).isoformat()
    phd = maybe(st.sampled_from(tuple(int(x) for x in _around(at.get("talents.phd", []), COUNT_AT)
                                      if float(x).is_integer())))
    if phd is not None:
        data["talents"] = {"phd": phd}
    if "rd_ratio" in at and data.get("revenue"):
        ratio = draw(st.sampled_from(_around(at["rd_ratio"], RATIO_AT)))
        data["rd_expense"] = ratio * data["revenue"]
    prev = maybe(st.sampled_from(_around(at.get("previous.tax_paid", []), MONEY_AT)))
    if prev is not None:
        data["previous"] = {"tax_paid": prev}
    extra: dict[str, Any] = {}
    if (v := maybe(st.sampled_from(_around(at.get(EXTRA_NUM, []), MONEY_AT)))) is not None:
        extra[EXTRA_NUM[6:]] = v
    if (v := maybe(st.sampled_from(["A", "B", "D"]))) is not None:
        extra[EXTRA_TEXT[6:]] = v
    data["extra"] = extra
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.slow
def test_match_many_equals_match_on_random_policies_and_profiles(tokenizer: Any) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.filter_too_much])
    @given(policy_sets(), st.data())
    def check(policy_set: PolicySet, data: Any) -> None:
        raws = data.draw(st.lists(profiles(thresholds(policy_set)), min_size=1, max_size=8))
        try:
            matcher = Matcher(tokenizer=tokenizer).fit(policy_set)
        except PolicymatchError:
            assume(False)
        people = []
        for k, raw in enumerate(raws):
            try:
                people.append(EnterpriseProfile.model_validate({**raw, "id": f"P{k}"}))
            except (ValidationError, ValueError):
                continue
        assume(people)
        want, refused = expected(matcher, people)
        rejects: list[tuple[int, str]] = []
        got = matcher.match_many(people, as_of=DAY, rejects=rejects, chunk_size=3)
        assert {r for r, _ in rejects} == refused
        assert_same(rows_of(got), want)

    check()


def test_the_property_can_fail() -> None:
    """The oracle notices a wrong amount: assert_same is not a rubber stamp."""
    row = ("P0", "甲企业", "c0", "eligible", 0.5, 100.0, True, "", "企业")
    assert_same([row], [row])
    with pytest.raises(AssertionError):
        assert_same([row], [(*row[:5], 200.0, *row[6:])])
    with pytest.raises(AssertionError):
        assert_same([row], [(*row[:3], "possible", *row[4:])])
    assert date(2025, 6, 30) == DAY
