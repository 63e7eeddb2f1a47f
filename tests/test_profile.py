"""EnterpriseProfile: validation at the edge, missing is None, derived values, round trips."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from policymatch import EnterpriseProfile, ProfileError
from policymatch.profile import MAX_TEXT_CHARS, Talents
from policymatch.profile.scale import scale_class


def test_only_the_name_is_required() -> None:
    p = EnterpriseProfile(name="甲")
    for field in EnterpriseProfile.model_fields:
        if field not in ("name", "extra"):
            assert getattr(p, field) is None, field
    assert p.extra == {}
    with pytest.raises(ProfileError, match="name"):
        EnterpriseProfile()  # type: ignore[call-arg]


def test_money_fields_accept_human_text() -> None:
    p = EnterpriseProfile(name="甲", revenue="1.2亿", tax_paid="900万元", rd_expense=3_000_000,
                          equipment_investment="￥2,300万", loan_amount="五百万元")
    assert (p.revenue, p.tax_paid, p.rd_expense) == (1.2e8, 9e6, 3e6)
    assert (p.equipment_investment, p.loan_amount) == (2.3e7, 5e6)


def test_zero_is_a_known_value_not_missing() -> None:
    p = EnterpriseProfile(name="甲", revenue=0, employees=0, qualifications=[])
    assert p.revenue == 0.0 and p.employees == 0 and p.qualifications == ()
    assert p.rd_ratio is None  # no ratio of a zero revenue


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"revenu": 1}, r"(?s)revenu(\n|: ).*Extra inputs are not permitted"),
        ({"revenue": "很多"}, "cannot read '很多' as money"),
        ({"revenue": -1}, "negative"),
        ({"revenue": True}, "yes/no value"),
        ({"employees": -3}, "greater than or equal to 0"),
        ({"employees": 1.5}, "fractional part"),
        ({"employees": True}, "yes/no value"),
        ({"revenue_growth": False}, "yes/no value"),
        ({"revenue_growth": float("nan")}, "revenue_growth"),
        ({"revenue_growth": -1.5}, "greater than or equal to -1"),
        ({"office_area_sqm": float("inf")}, "office_area_sqm"),
        ({"credit_code": "91330683MA2JK3L5XJ"}, "check digit.*should be 'H'"),
        ({"credit_code": 12345}, "must be text of 18 characters"),
        ({"industry_code": "F3841"}, "belongs to 门类 C"),
        ({"industry_code": "制造业"}, "not a GB/T 4754-2017 code"),
        ({"established": "1899-12-31"}, "outside 1900-2100"),
        ({"established": "去年"}, "established"),
        ({"qualifications": 5}, "expected a list of qualification names"),
        ({"qualifications": ["国高新", 3]}, "qualification names are text, got 3"),
        ({"talents": {"phd": -1}}, "talents.phd"),
        ({"talents": {"phd": True}}, "yes/no value, not a head count"),
        ({"talents": {"dr": 1}}, r"(?s)talents\.dr(\n|: ).*Extra inputs"),
        ({"extra": {"a": float("nan")}}, "extra.a must be a finite number"),
        ({"extra": {"k" * 65: 1}}, "must be 1-64 characters"),
        ({"extra": {"a": "x" * 1001}}, "extra.a is longer than 1000 characters"),
        ({"extra": {"a": {"b": 1}}}, "extra.a"),
        ({"description": "字" * (MAX_TEXT_CHARS + 1)}, "description"),
        ({"name": "   "}, "at least 1 character"),
    ],
)
def test_bad_values_are_refused_with_the_field_named(fields: dict[str, Any], message: str) -> None:
    fields = {"name": "甲", **fields}
    with pytest.raises(ProfileError, match=message):  # the documented error, not pydantic's
        EnterpriseProfile(**fields)
    with pytest.raises(ValidationError, match=message):  # model_validate stays pydantic's
        EnterpriseProfile.model_validate(fields)


def test_validation_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        EnterpriseProfile(name="甲", revenue="abc")


def test_blank_text_is_missing() -> None:
    p = EnterpriseProfile(name=" 甲 ", region="  ", town="", industry=" ", industry_code="",
                          credit_code="   ", description="\n", id="")
    assert p.name == "甲"
    assert all(v is None for v in (p.region, p.town, p.industry, p.industry_code, p.credit_code,
                                   p.description, p.id))


def test_codes_are_normalised() -> None:
    p = EnterpriseProfile(name="甲", credit_code="91330683ma2jk3l5xh", industry_code="c3841")
    assert p.credit_code == "91330683MA2JK3L5XH"
    assert p.industry_code == "C3841"
    assert EnterpriseProfile(name="甲", industry_code=3841).industry_code == "3841"


def test_names_are_canonicalised_through_the_alias_table() -> None:
    p = EnterpriseProfile(name="甲", industry="集成灶", qualifications="国高新，高新技术企业、专精特新")
    assert p.industry == "厨具电器"
    assert p.qualifications == ("国家高新技术企业", "省专精特新中小企业")  # de-duplicated, order kept


def test_unknown_names_are_kept_as_written() -> None:
    p = EnterpriseProfile(name="甲", qualifications=["某县自定义荣誉"], industry="新型产业X")
    assert p.qualifications == ("某县自定义荣誉",)
    assert p.industry == "新型产业X"


def test_new_qualifications_are_also_held() -> None:
    p = EnterpriseProfile(name="甲", qualifications=["专精特新"], new_qualifications=["国高新"])
    assert p.qualifications == ("省专精特新中小企业", "国家高新技术企业")
    # Held-list unknown: it stays unknown rather than pretending the new ones are all of it.
    q = EnterpriseProfile(name="甲", new_qualifications=["国高新"])
    assert q.qualifications is None


def test_profile_is_frozen() -> None:
    p = EnterpriseProfile(name="甲", revenue=1)
    with pytest.raises(ValidationError, match="frozen"):
        p.revenue = 2  # type: ignore[misc]


def test_get_reads_every_kind_of_path() -> None:
    p = EnterpriseProfile(name="甲", revenue="1亿", talents=Talents(phd=2),
                          established=date(2020, 1, 1), extra={"亩均评价": "A"})
    assert p.get("revenue") == 1e8
    assert p.get("talents.phd") == 2
    assert p.get("talents.master") is None
    assert p.get("extra.亩均评价") == "A"
    assert p.get("extra.没有") is None
    assert p.get("age_years", date(2025, 1, 1)) == pytest.approx(5.0, abs=0.01)
    assert EnterpriseProfile(name="乙").get("talents.phd") is None
    assert EnterpriseProfile(name="乙").get("age_years", date(2025, 1, 1)) is None


def test_rd_ratio() -> None:
    assert EnterpriseProfile(name="甲", rd_expense="300万", revenue="1亿").rd_ratio == 0.03
    assert EnterpriseProfile(name="甲", rd_expense="300万").rd_ratio is None
    assert EnterpriseProfile(name="甲", revenue="1亿").rd_ratio is None


def test_industry_section_property() -> None:
    assert EnterpriseProfile(name="甲", industry_code="3841").industry_section == "C"
    assert EnterpriseProfile(name="甲").industry_section is None


# -- 大中小微 (统计上大中小微型企业划分办法 2017) --------------------------------------------------
SCALE_CASES = [
    # the worked examples: industrial 中型 needs 2000<=Y<40000 万元 AND 300<=X<1000
    ("C3841", 500, "1.5亿", "中型"),
    ("C3841", 500, "1500万", "小型"),    # revenue fails the medium bound: one class down
    ("C3841", 15, "5亿", "微型"),        # one indicator below the small bound: micro
    ("C3841", 15, None, "微型"),         # ...whatever the revenue
    ("C3841", 1000, "4亿", "大型"),
    ("C3841", 1000, "3.9999亿", "中型"),
    ("C3841", 999, "5亿", "中型"),
    ("C3841", 300, "2000万", "中型"),
    ("C3841", 20, "300万", "小型"),
    ("C3841", 19, "300万", "微型"),
    ("C3841", 20, "299万", "微型"),
    ("0610", 300, "2000万", "中型"),      # 采矿 is 工业 too
    ("4411", 1000, "4亿", "大型"),        # 电力 is 工业 too
    ("A0111", None, "2亿", "大型"),       # 农林牧渔: revenue only
    ("A0111", None, "49万", "微型"),
    ("F5123", 20, "5000万", "中型"),      # 批发
    ("F5123", 4, "5亿", "微型"),
    ("F5211", 50, "500万", "中型"),       # 零售
    ("F5211", 300, "2亿", "大型"),
    ("5411", 300, "3000万", "中型"),      # 交通运输
    ("5920", 100, "1000万", "中型"),      # 仓储
    ("6010", 300, "2000万", "中型"),      # 邮政
    ("H6110", 100, "2000万", "中型"),     # 住宿
    ("H6210", 9, "1亿", "微型"),          # 餐饮
    ("I6311", 2000, "10亿", "大型"),      # 信息传输
    ("I6510", 100, "1000万", "中型"),     # 软件和信息技术服务
    ("I6510", 10, "49万", "微型"),
    ("K7010", None, "99万", "微型"),      # 房地产开发经营: Y (and assets)
    ("K7010", None, "5亿", None),         # depends on assets, which a profile lacks
    ("K7020", 1000, "5000万", "大型"),    # 物业管理
    ("E4700", None, "299万", "微型"),     # 建筑业: Y (and assets)
    ("E4700", None, "1亿", None),
    ("L7211", 9, None, "微型"),           # 租赁和商务服务: X (and assets)
    ("L7211", 200, None, None),
    ("M7320", 300, None, "大型"),         # 其他未列明行业: X only
    ("M7320", 99, None, "小型"),
    ("C3841", 500, None, None),           # revenue unknown and could decide it
    ("C3841", None, "5亿", None),
    (None, 500, "1.5亿", None),           # no industry: no row to read
]


@pytest.mark.parametrize(("code", "employees", "revenue", "expected"), SCALE_CASES)
def test_scale_class(code: str | None, employees: int | None, revenue: str | None,
                     expected: str | None) -> None:
    p = EnterpriseProfile(name="甲", industry_code=code, employees=employees, revenue=revenue)
    assert p.scale_class == expected
    assert scale_class(p.industry_code, employees, p.revenue) == expected


@given(st.integers(0, 5000), st.integers(0, 10**10), st.integers(0, 5000), st.integers(0, 10**10))
def test_scale_class_is_monotonic_in_size(x1: int, y1: int, x2: int, y2: int) -> None:
    # A firm at least as large on every indicator is never in a smaller class.
    order = {"微型": 0, "小型": 1, "中型": 2, "大型": 3}
    lo = scale_class("C3841", min(x1, x2), float(min(y1, y2)))
    hi = scale_class("C3841", max(x1, x2), float(max(y1, y2)))
    assert lo is not None and hi is not None
    assert order[lo] <= order[hi]


# -- round trips ---------------------------------------------------------------------------------
_money = st.one_of(st.none(), st.integers(0, 10**12).map(float),
                   st.floats(0, 1e12, allow_nan=False, allow_infinity=False))
_text = st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Cc", "Z")),
                                     min_size=1, max_size=20))
_quals = st.one_of(st.none(), st.lists(st.sampled_from(
    ["国高新", "国家高新技术企业", "专精特新", "小巨人", "省级企业研究院", "某县荣誉"]), max_size=4))
_extra = st.dictionaries(
    st.sampled_from(["亩均评价", "出口额增长", "是否上市", "产品"]),
    st.one_of(st.booleans(), st.integers(-10**6, 10**6),
              st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), st.text(max_size=10),
              st.lists(st.text(max_size=5), max_size=3)),
    max_size=3)

profiles = st.builds(
    EnterpriseProfile,
    name=st.text(st.characters(whitelist_categories=("Lo", "Lu", "Nd")), min_size=1, max_size=30),
    credit_code=st.one_of(st.none(), st.sampled_from(
        ["91330683MA2JK3L5XH", "92330683MA2P7Q8R49", "91330681123456788L"])),
    region=_text, town=_text, industry=_text, description=_text,
    industry_code=st.one_of(st.none(), st.sampled_from(["C3841", "3841", "F5123", "I6510"])),
    established=st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31))),
    employees=st.one_of(st.none(), st.integers(0, 5_000_000)),
    revenue=_money, tax_paid=_money, rd_expense=_money, equipment_investment=_money,
    revenue_growth=st.one_of(st.none(), st.floats(-1, 100, allow_nan=False)),
    office_area_sqm=st.one_of(st.none(), st.floats(0, 1e8, allow_nan=False)),
    qualifications=_quals, new_qualifications=_quals,
    is_above_scale=st.one_of(st.none(), st.booleans()),
    credit_clean=st.one_of(st.none(), st.booleans()),
    talents=st.one_of(st.none(), st.builds(Talents, phd=st.one_of(st.none(), st.integers(0, 50)),
                                           new_hires=st.one_of(st.none(), st.integers(0, 9999)))),
    extra=_extra,
)


@given(profiles)
def test_profile_json_round_trip(p: EnterpriseProfile) -> None:
    back = EnterpriseProfile.model_validate_json(p.model_dump_json())
    assert back == p


@given(profiles)
def test_profile_dict_round_trip_is_idempotent(p: EnterpriseProfile) -> None:
    # Canonicalisation (aliases, codes, money) applied twice changes nothing.
    again = EnterpriseProfile.model_validate(p.model_dump())
    assert again == p
    assert again.scale_class == p.scale_class


def test_profile_json_schema_lists_the_fields() -> None:
    schema = EnterpriseProfile.model_json_schema()
    assert schema["required"] == ["name"]
    assert schema["additionalProperties"] is False
    for field in ("credit_code", "revenue", "qualifications", "talents", "extra"):
        assert field in schema["properties"]


# -- founding dates as people write them --------------------------------------------------------
@pytest.mark.parametrize(("text", "day", "precision"), [
    ("2019", date(2019, 1, 1), "year"), ("2019年", date(2019, 1, 1), "year"),
    ("2019年3月", date(2019, 3, 1), "month"), ("2019-03", date(2019, 3, 1), "month"),
    ("2019/03/05", date(2019, 3, 5), None), ("20190305", date(2019, 3, 5), None),
    ("2019-03-05", date(2019, 3, 5), None), ("2019年3月5日", date(2019, 3, 5), None),
    ("２０１９-０３-０５", date(2019, 3, 5), None), ("2019-03-05T00:00:00", date(2019, 3, 5), None),
])
def test_founding_dates_people_write(text: str, day: date, precision: str | None) -> None:
    p = EnterpriseProfile(name="甲", established=text)
    assert (p.established, p.established_precision) == (day, precision)
    again = EnterpriseProfile.model_validate(p.model_dump(exclude_defaults=True))
    assert again == p  # the dumped form (first day + precision) reads back the same


@pytest.mark.parametrize("value", [0, 2019, 20190305, 1.5, True, "0", "去年", "2019-13", "2019-02-30"])
def test_numbers_and_nonsense_are_not_dates(value: Any) -> None:
    with pytest.raises(ProfileError, match=r"established: .*write the date as"):
        EnterpriseProfile(name="甲", established=value)


def test_a_year_alone_is_a_range_of_ages() -> None:
    p = EnterpriseProfile(name="甲", established="2022")
    span = p.age_span(date(2025, 6, 1))
    assert span is not None and round(span.youngest, 2) == 2.42 and round(span.oldest, 2) == 3.41
    assert p.age_years(date(2025, 6, 1)) is None  # no single age: never a guessed 1 January
    exact = EnterpriseProfile(name="甲", established="2022-01-01")
    age = exact.age_years(date(2025, 6, 1))
    assert age is not None and exact.age_span(date(2025, 6, 1)) == (age, age)
    # the year of the day of judgement runs past it: the range ends on that day
    assert EnterpriseProfile(name="甲", established="2025").age_span(date(2025, 6, 1))[0] == 0.0


def test_precision_must_fit_the_date() -> None:
    with pytest.raises(ProfileError, match="not the first day of its year"):
        EnterpriseProfile(name="甲", established="2019-03-05", established_precision="year")
    with pytest.raises(ProfileError, match="known to the month"):
        EnterpriseProfile(name="甲", established="2019-03", established_precision="year")


def test_construction_raises_the_documented_error() -> None:
    with pytest.raises(ProfileError, match=r"revenue: '-1' is negative") as info:
        EnterpriseProfile(name="x", revenue="-1")
    assert isinstance(info.value, ValueError) and not isinstance(info.value, ValidationError)


# -- one reading of text, wherever it comes from --------------------------------------------------
@pytest.mark.parametrize(("text", "names"), [
    ("省科技型中小企业;国家高新技术企业", ("省科技型中小企业", "国家高新技术企业")),
    ("国高新；科小", ("国家高新技术企业", "科技型中小企业")),
    ("国高新，科小,小巨人", ("国家高新技术企业", "科技型中小企业", "国家级专精特新小巨人")),
    ("国高新、科小\n小巨人", ("国家高新技术企业", "科技型中小企业", "国家级专精特新小巨人")),
    (["国高新;科小"], ("国家高新技术企业", "科技型中小企业")),
    ("无", ()), (["无"], ()), ("none", ()), ([], ()), ("", None), ("  ", None),
])
def test_qualification_lists_split_on_the_separators_people_use(text: Any, names: Any) -> None:
    assert EnterpriseProfile(name="甲", qualifications=text).qualifications == names


def test_holds_none_cannot_stand_beside_names() -> None:
    with pytest.raises(ProfileError, match="holds none"):
        EnterpriseProfile(name="甲", qualifications="无、国高新")


@pytest.mark.parametrize(("text", "value"), [
    ("18万", 180_000.0), ("18万元", 180_000.0), ("1.2亿", 1.2e8), ("12", 12), ("0", 0),
    ("0.5", 0.5), ("-3", -3), ("是", True), ("否", False), ("TRUE", True), ("007", "007"),
    ("国有企业", "国有企业"), ("万达集团", "万达集团"),
])
def test_extra_text_means_the_same_everywhere(text: str, value: Any) -> None:
    from policymatch.profile import load_profile, profile_from_row

    sources = [EnterpriseProfile(name="甲", extra={"k": text}),
               load_profile(json.dumps({"name": "甲", "extra": {"k": text}}).encode()),
               profile_from_row({"name": "甲", "extra.k": text})]
    for p in sources:
        got = p.extra["k"]
        assert got == value and type(got) is type(value), (text, got)


def test_yes_no_words_and_numbers_in_text_fields() -> None:
    p = EnterpriseProfile(name="甲", is_above_scale="是", credit_clean="否", id=7, region=330683)
    assert (p.is_above_scale, p.credit_clean, p.id, p.region) == (True, False, "7", "330683")
    with pytest.raises(ProfileError, match=r"extra\.k must be a finite number"):
        EnterpriseProfile(name="甲", extra={"k": "1e400"})


@pytest.mark.parametrize(("written", "count"), [("120人", 120), ("1,200", 1200), ("1,200名", 1200),
                                                ("１２０人", 120), (" 35 ", 35)])
def test_head_counts_as_people_write_them(written: str, count: int) -> None:
    p = EnterpriseProfile(name="甲", employees=written, talents={"phd": written})
    assert p.employees == count and p.talents is not None and p.talents.phd == count


@pytest.mark.parametrize("guess", ["约120", "120左右", "一百二十", "1,20", "120人以上"])
def test_a_guessed_or_unreadable_head_count_is_refused(guess: str) -> None:
    with pytest.raises(ProfileError, match="employees"):
        EnterpriseProfile(name="甲", employees=guess)
