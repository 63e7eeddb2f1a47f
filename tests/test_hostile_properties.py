"""Property and fuzz tests across the public API (issue 6, item 3).

* random, mostly hostile profile dicts never crash ``load_profile`` or ``Matcher.match``: they
  give a valid profile whose report round-trips through JSON, or a ``ProfileError``;
* random bytes as a profile, random text as a policy file: only our documented errors;
* random condition trees, benefits, clauses and policies, hostile numbers included: refused with
  a located message, or lossless through JSON (and YAML for policies);
* extraction of arbitrary text (and bytes read as a document) ends within 2 s, raising only
  ``ExtractionError``;
* the vectorised batch path equals ``match()`` row by row on hostile table cells (NaN, None, "",
  inf, 1e30, full-width and traditional text). tests/test_batch.py checks the same equality on
  profiles at the corpus's thresholds and generated populations, and ``certify`` against
  ``profile_from_row`` on random cells; this adds matching of hostile cells end to end.

Each property's ``max_examples`` is in its ``@settings``; CI runs them derandomised (conftest).
"""

from __future__ import annotations

import math
import time
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from policymatch import (
    EnterpriseProfile,
    Matcher,
    MatchReport,
    Policy,
    PolicyFileError,
    ProfileError,
    load_policies,
    load_profile,
)
from policymatch.corpus import parse_yaml, policy_to_yaml
from policymatch.fields import PROFILE_FIELDS
from policymatch.models import Benefit, Clause, Condition
from policymatch.profile import profile_from_row
from policymatch.validation import format_validation_error

DAY = date(2026, 6, 30)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


@pytest.fixture(scope="module")
def bundled(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies())


# -- hostile values ----------------------------------------------------------------------------
_NUMBERS = st.one_of(
    st.integers(-10**6, 10**7), st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0, 1e13, 1e13 + 1, 1e30, -0.0]))
_MONEY_TEXT = st.sampled_from([
    "1.2亿", "３５００万", "3,500万", "1,2,3", "-1", "1e30", "NaN", "inf", "五百万", "五百万亿", "二十万亿",
    "￥120万", "120万美元", "  ", "", "1.2億", "9" * 70, "十万八千", "0.0000001元"])
_TEXT = st.one_of(st.text(max_size=30), st.sampled_from([
    "嵊州市", "長樂區", "测试县", "国高新", "國家高新技術企業", "专精特新", "小巨人", "集成灶", "新能源汽車",
    "C3841", "ｃ３８４１", "Z99", "91330683MA2JK3L5XH", "91330683MA2JK3L5XA", "2023-06-01",
    "２０２３-０６-０１", "2023-02-30", "1899-01-01", "是", "否", "true", "１２０", "甲\ud800", "\x00",
    "字" * 201, "\u3000"]))
_SCALAR = st.one_of(st.none(), st.booleans(), _NUMBERS, _MONEY_TEXT, _TEXT, st.dates())
_VALUE = st.one_of(_SCALAR, st.lists(_SCALAR, max_size=4),
                   st.dictionaries(st.text(max_size=8), _SCALAR, max_size=3))
_GOOD = {  # plausible values, so that most examples are valid profiles and reach match()
    "region": st.sampled_from(["嵊州市", "嵊州", "長樂區", "新昌县", " 嵊州市 "]),
    "town": st.sampled_from(["三江街道", "經濟開發區", ""]), "park": st.sampled_from(["高新园区", ""]),
    "industry": st.sampled_from(["集成灶", "新能源汽車", "领带", "某新产业"]),
    "industry_code": st.sampled_from(["C3841", "ｃ３８４１", "F5123", "3841", ""]),
    "credit_code": st.sampled_from(["91330683MA2JK3L5XH", "９１３３０６８３ｍａ２ｊｋ３ｌ５ｘｈ", ""]),
    "id": st.sampled_from(["E1", "", "企业-2"]),
    "revenue": st.one_of(st.sampled_from(["1.2亿", "３５００万", "3,500万", "五百万", "1.2億"]),
                         st.floats(0, 2e9)), "tax_paid": st.floats(0, 1e8),
    "rd_expense": st.floats(0, 1e8), "equipment_investment": st.sampled_from(["500万", "2,300万", 0]),
    "fixed_asset_investment": st.floats(0, 1e9), "export_value": st.floats(0, 1e9),
    "loan_amount": st.sampled_from(["3000万", 0, 1e6]),
    "revenue_growth": st.floats(-1, 100), "office_area_sqm": st.floats(0, 1e4),
    "employees": st.one_of(st.integers(0, 3000), st.just("１２０")),
    "established": st.dates(date(1950, 1, 1), date(2026, 6, 1)),
    "qualifications": st.lists(st.sampled_from(["国高新", "國高新", "专精特新", "小巨人", "科小",
                                                "亩均效益A类", "某县自定义荣誉"]), max_size=4),
    "new_qualifications": st.lists(st.sampled_from(["国家高新技术企业", "專精特新", "雄鹰企业"]),
                                   max_size=2),
    "description": st.sampled_from(["数控机床研发制造", "新能源汽車零部件", "茶叶种植加工", "直播电商",
                                    "", "字" * 30]),
    "is_above_scale": st.booleans(), "credit_clean": st.booleans(),
    "safety_incident_free": st.booleans(),
    "talents": st.fixed_dictionaries({}, optional={"phd": st.integers(0, 5),
                                                   "master": st.one_of(st.integers(-1, 5), _VALUE)}),
    "extra": st.dictionaries(st.sampled_from(["亩均评价", "上规年数", "购房", "保费"]),
                             st.one_of(st.integers(0, 5), st.sampled_from(["A", "B"]), _NUMBERS),
                             max_size=2),
    "digital_investment": st.sampled_from(["150万", 0, 2e6]), "cloud_expense": st.floats(0, 1e6),
    "land_area_mu": st.one_of(st.floats(0, 500), st.just("３０")), "equipment_units": st.integers(0, 200),
}
_FIELDS = [f for f, spec in PROFILE_FIELDS.items() if not spec.derived and "." not in f]


@st.composite
def profile_dicts(draw: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if draw(st.integers(0, 19)):  # a profile without a name now and then
        data["name"] = draw(_SCALAR) if draw(st.integers(0, 5)) == 0 else "甲企业"
    for field in draw(st.lists(st.sampled_from([*_FIELDS, "talents", "extra"]), max_size=8, unique=True)):
        if field == "name":
            continue
        hostile = draw(st.integers(0, 5)) == 0  # one field in six gets anything at all
        data[field] = draw(_VALUE if hostile else _GOOD[field])
    if draw(st.integers(0, 9)) == 0:
        data[draw(st.text(min_size=1, max_size=10))] = draw(_SCALAR)  # an unknown field
    return data


@settings(max_examples=200, suppress_health_check=SLOW)
@given(profile_dicts(), st.booleans())
def test_random_profiles_match_or_raise_profile_error_only(bundled: Matcher, data: dict[str, Any],
                                                           include_ineligible: bool) -> None:
    try:
        profile = load_profile(data)
    except ProfileError as exc:
        first = str(exc).splitlines()[0]
        assert first.startswith("profile: ") and len(first) < 400
        event("profile refused")
        return
    assert EnterpriseProfile.model_validate_json(profile.model_dump_json()) == profile
    try:
        report = bundled.match(profile, as_of=DAY, include_ineligible=include_ineligible)
    except ProfileError as exc:  # a fact of the wrong kind for a condition (extra.x = "A" vs >= 3)
        assert "extra." in str(exc)
        event("match refused")
        return
    event("matched")
    assert isinstance(report, MatchReport)
    text = report.to_json()
    assert MatchReport.model_validate_json(text) == report
    assert math.isfinite(report.total_amount) and report.total_amount >= 0
    for m in report.matches:
        assert m.amount is None or (math.isfinite(m.amount) and 0 <= m.amount <= 1e13)
    # a dict goes through the same door
    assert bundled.match(data, as_of=DAY, include_ineligible=include_ineligible) == report


@settings(max_examples=200, suppress_health_check=SLOW)
@given(st.one_of(st.binary(max_size=300),
                 st.lists(st.sampled_from([b"{", b"}", b"[", b"]", b'"name"', b'"revenue"', b":",
                                           b",", b"1e400", b"NaN", b"-Infinity", b'"\\ud800"',
                                           b'"\xe7\x94\xb2"', b"\xef\xbb\xbf", b"\xff", b"null",
                                           b"9" * 40]), max_size=60).map(b"".join)))
def test_random_bytes_as_a_profile_give_profile_error_only(content: bytes) -> None:
    try:
        profile = load_profile(content)
    except ProfileError as exc:
        assert str(exc).startswith("profile")
        return
    assert isinstance(profile, EnterpriseProfile)


_YAML_PIECES = st.sampled_from([
    "id: x\n", "title: t\n", "clauses:\n", "  - ", "{", "}", "[", "]", ": ", ", ", "&a ", "*a ",
    "!!python/object/apply:os.system ", "!!binary ", "!!timestamp ", "!!set ", "? ", "<<: ",
    "2025-02-30", "0000-01-01", ".nan", ".inf", "9" * 30, "'", '"', "\\ud800", "\t", "\n", "  ",
    "---\n", "...\n", "%YAML 1.1\n", "#", "|\n", ">\n", "field: revenue", "op: '>='", "value: 1亿",
    "kind: all", "of: ", "benefit: {kind: fixed, amount: 1}", "text: b", "id: c", "title: a",
])


@settings(max_examples=200, suppress_health_check=SLOW)
@given(st.lists(_YAML_PIECES, max_size=40).map("".join))
def test_random_yaml_gives_policy_file_error_only(tmp_path_factory: pytest.TempPathFactory,
                                                  text: str) -> None:
    path = tmp_path_factory.mktemp("yaml") / "p.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        policies = load_policies(path)
    except PolicyFileError as exc:
        assert exc.problems and all(p.startswith(f"{path}") for p in exc.problems)
        return
    for policy in policies.policies:  # whatever loads, round-trips
        assert Policy.model_validate_json(policy.model_dump_json()) == policy


# -- models: refused with a location, or lossless ------------------------------------------------
_OPS = [">=", ">", "<=", "<", "==", "!=", "in", "not_in", "has", "not_has", "=>", ""]
_LEAF_FIELDS = [*PROFILE_FIELDS, "extra.亩均评价", "extra.上规年数", "revnue", "extra.", "__class__"]
_LEAF_VALUES = st.one_of(_SCALAR, st.lists(st.one_of(st.booleans(), _NUMBERS, _TEXT), max_size=3))
_LEAVES = st.fixed_dictionaries({"field": st.sampled_from(_LEAF_FIELDS), "op": st.sampled_from(_OPS),
                                 "value": _LEAF_VALUES},
                                optional={"kind": st.sampled_from(["field", "all", "leaf"]),
                                          "label": st.one_of(st.none(), _TEXT)})
_TREES = st.recursive(_LEAVES, lambda kids: st.one_of(
    st.fixed_dictionaries({"kind": st.sampled_from(["all", "any"]),
                           "of": st.lists(kids, max_size=3)}),
    st.fixed_dictionaries({"kind": st.just("not"), "of": kids})), max_leaves=6)
_CONDITION: TypeAdapter[Any] = TypeAdapter(Condition)
_BENEFIT: TypeAdapter[Any] = TypeAdapter(Benefit)


def _refused_with_location(exc: ValidationError, raw: Any) -> None:
    lines = format_validation_error(exc, "p.yaml", raw)
    assert lines and all(line.startswith("p.yaml: ") and len(line) < 600 for line in lines)


@settings(max_examples=200, suppress_health_check=SLOW)
@given(_TREES)
def test_random_condition_trees_are_refused_or_lossless(raw: Any) -> None:
    try:
        condition = _CONDITION.validate_python(raw)
    except ValidationError as exc:
        _refused_with_location(exc, raw)
        return
    assert _CONDITION.validate_json(_CONDITION.dump_json(condition)) == condition


_RATES = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.1, 0.5, 1, 0]))
_BENEFITS = st.one_of(
    st.fixed_dictionaries({"kind": st.just("fixed"), "amount": st.one_of(_NUMBERS, _MONEY_TEXT)},
                          optional={"up_to": st.booleans()}),
    st.fixed_dictionaries({"kind": st.just("tiers"), "field": st.sampled_from(_LEAF_FIELDS),
                           "tiers": st.lists(st.fixed_dictionaries(
                               {"at": st.one_of(_NUMBERS, _MONEY_TEXT)},
                               optional={"amount": st.one_of(_NUMBERS, _MONEY_TEXT), "rate": _RATES}),
                               max_size=3)}, optional={"cap": _NUMBERS}),
    st.fixed_dictionaries({"kind": st.just("ratio"), "field": st.sampled_from(_LEAF_FIELDS),
                           "rate": _RATES}, optional={"cap": _NUMBERS, "floor": _NUMBERS}),
    st.fixed_dictionaries({"kind": st.just("per_unit"), "field": st.sampled_from(_LEAF_FIELDS),
                           "rate": st.one_of(_NUMBERS, _MONEY_TEXT)},
                          optional={"duration": _NUMBERS, "max_units": _NUMBERS, "cap": _NUMBERS,
                                    "period": st.sampled_from(["once", "month", "week"])}),
    st.fixed_dictionaries({"kind": st.just("interest"), "base_rate": _RATES, "share": _RATES},
                          optional={"years": _NUMBERS, "cap": _NUMBERS}),
    st.fixed_dictionaries({"kind": st.just("rent"), "rate": _NUMBERS},
                          optional={"months": _NUMBERS, "max_area": _NUMBERS}),
    st.fixed_dictionaries({"kind": st.sampled_from(["in_kind", "cash"]), "description": _TEXT}),
)


@settings(max_examples=200, suppress_health_check=SLOW)
@given(_BENEFITS)
def test_random_benefits_are_refused_or_lossless(raw: Any) -> None:
    try:
        benefit = _BENEFIT.validate_python(raw)
    except ValidationError as exc:
        _refused_with_location(exc, raw)
        return
    assert _BENEFIT.validate_json(_BENEFIT.dump_json(benefit)) == benefit


_IDS = st.one_of(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,12}", fullmatch=True), _TEXT)
_CLAUSES = st.fixed_dictionaries(
    {"id": _IDS, "title": _TEXT, "text": _TEXT, "benefit": _BENEFITS},
    optional={"conditions": _TREES, "exclusive_group": _TEXT, "tags": st.lists(_TEXT, max_size=2),
              "mode": st.sampled_from(["免申即享", "依申请", "自动"]),
              "cases": st.lists(st.fixed_dictionaries({"profile": st.dictionaries(
                  st.sampled_from(["revenue", "region", "established"]), _SCALAR, max_size=2),
                  "expect": st.sampled_from(["eligible", "possible", "maybe"])}), max_size=1)})
_POLICIES = st.fixed_dictionaries(
    {"id": _IDS, "title": _TEXT, "clauses": st.lists(_CLAUSES, max_size=3)},
    optional={"valid_from": st.one_of(st.dates(), _TEXT), "valid_to": st.dates(),
              "tier": st.sampled_from(["1", "9", "X", 9, "10"]), "conditions": _TREES})


@settings(max_examples=150, suppress_health_check=SLOW)
@given(_CLAUSES)
def test_random_clauses_are_refused_or_lossless(raw: dict[str, Any]) -> None:
    try:
        clause = Clause.model_validate(raw)
    except ValidationError as exc:
        _refused_with_location(exc, raw)
        return
    assert Clause.model_validate_json(clause.model_dump_json()) == clause


@settings(max_examples=100, suppress_health_check=SLOW)
@given(_POLICIES)
def test_random_policies_are_refused_or_lossless_through_json_and_yaml(raw: dict[str, Any]) -> None:
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        _refused_with_location(exc, raw)
        return
    assert Policy.model_validate_json(policy.model_dump_json()) == policy
    assert Policy.model_validate(parse_yaml(policy_to_yaml(policy), "p.yaml")) == policy


# -- extraction ----------------------------------------------------------------------------------
_DOC_TEXT = st.one_of(
    st.text(max_size=2000),
    st.text(st.characters(codec="utf-8", exclude_categories=()), max_size=500),
    st.lists(st.one_of(st.text(max_size=5), st.sampled_from([
        "第一条", "第二章", "一、", "（一）", "(1)", "①", "1.", "给予", "万元", "最高", "不超过", "%", "每人",
        "對新認定的國家高新技術企業", "２０萬元", "（责任单位：县科技局）", "自2025年1月1日起施行", "\n",
        "、", "，", "。", "就高不重复", "免申即享", "9" * 40, "\x00"])), max_size=200).map("".join))


@settings(max_examples=100, suppress_health_check=SLOW)
@given(_DOC_TEXT)
def test_extraction_of_arbitrary_text_ends_quickly_with_a_policy_or_extraction_error(text: str) -> None:
    extract = pytest.importorskip("policymatch.extract")
    start = time.perf_counter()
    try:
        result = extract.extract_policy(text)
    except extract.ExtractionError:
        result = None
    assert time.perf_counter() - start < 2.0
    if result is not None:
        assert Policy.model_validate_json(result.policy.model_dump_json()) == result.policy


@settings(max_examples=60, suppress_health_check=SLOW)
@given(st.binary(max_size=400), st.sampled_from([".txt", ".docx", ".doc", ".md", ""]))
def test_reading_arbitrary_bytes_as_a_document_gives_text_or_extraction_error(
        tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str) -> None:
    extract = pytest.importorskip("policymatch.extract")
    path = tmp_path_factory.mktemp("doc") / f"d{suffix}"
    path.write_bytes(content)
    try:
        assert isinstance(extract.read_document(path), str)
    except extract.ExtractionError as exc:
        assert str(path) in str(exc)


# -- vectorised batch == match() one by one, on hostile cells --------------------------------------
_CELLS = {
    "revenue": st.one_of(st.none(), st.just(math.nan), st.just(""), st.just(math.inf), st.just(1e30),
                         st.floats(0, 2e9), st.sampled_from(["１．２亿", "3500万", "很多", "-1"])),
    "employees": st.one_of(st.none(), st.just(math.nan), st.integers(0, 3000), st.just("１２０"),
                           st.just(12.5), st.just(-3)),
    "region": st.one_of(st.none(), st.just(""), st.sampled_from(["嵊州市", "嵊州", "長樂區", " 嵊州市 "])),
    "qualifications": st.one_of(st.none(), st.just(math.nan), st.sampled_from(
        ["国高新", "國高新、專精特新", "小巨人,科小", "", "某县自定义荣誉"])),
    "established": st.one_of(st.none(), st.just(""), st.dates(date(1890, 1, 1), date(2030, 1, 1)),
                             st.sampled_from(["2023-02-30", "2020-05-01"])),
    "credit_clean": st.one_of(st.none(), st.booleans(), st.sampled_from(["是", "否", "也许"])),
    "description": st.one_of(st.none(), st.sampled_from(["数控机床", "新能源汽車零部件", "", "茶叶"])),
    "talents.phd": st.one_of(st.none(), st.just(math.nan), st.integers(-1, 4), st.just(math.inf)),
    "extra.亩均评价": st.one_of(st.none(), st.sampled_from(["A", "B", "", 3])),
    "extra.保费": st.one_of(st.none(), st.just(math.nan), st.sampled_from(
        [5, 1e13, 1e13 + 2, 1e30, -1e14, 10**400, "18万", "x" * 1001])),
}


@pytest.mark.parametrize("chunk_size", [1, 7])
def test_batch_equals_match_on_hostile_cells(bundled: Matcher, chunk_size: int) -> None:
    pd = pytest.importorskip("pandas")
    if not hasattr(bundled, "match_many"):
        pytest.skip("Matcher.match_many is not available")
    order = {c.id: k for k, (_, c) in enumerate(bundled.pairs_)}

    @settings(max_examples=30, suppress_health_check=SLOW)
    @given(st.lists(st.fixed_dictionaries({"name": st.just("甲"), **_CELLS}), min_size=1,
                    max_size=8))
    def check(rows: list[dict[str, Any]]) -> None:
        frame = pd.DataFrame(rows)
        want: list[tuple[Any, ...]] = []
        refused: set[int] = set()
        for number, row in enumerate(frame.to_dict("records"), start=1):
            try:
                report = bundled.match(profile_from_row(row), as_of=DAY)
            except ProfileError:
                refused.add(number)
                continue
            for m in sorted(report.matches, key=lambda m: order[m.clause_id]):
                want.append((str(number), m.clause_id, m.status.value,
                             None if m.amount is None else round(m.amount, 2), m.counted))
        rejects: list[tuple[int, str]] = []
        table = bundled.match_many(frame, as_of=DAY, chunk_size=chunk_size, rejects=rejects)
        assert {r for r, _ in rejects} == refused
        assert all(reason.strip() for _, reason in rejects)
        got = [(str(r.enterprise_id), r.clause_id, r.status,
                None if r.amount is None or r.amount != r.amount else round(float(r.amount), 2),
                bool(r.counted)) for r in table.astype(object).itertuples(index=False)]
        assert got == want

    check()
