"""units: money strings to 元, 元 to text, the credit-code check digit, industry 门类."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policymatch.units import (
    MAX_MONEY,
    credit_code_check_char,
    format_money,
    industry_section,
    parse_money,
    validate_credit_code,
)

# -- parse_money ---------------------------------------------------------------------------------
MONEY_FORMS = [
    ("1.2亿", 120_000_000),
    ("3500万元", 35_000_000),
    ("3,500万", 35_000_000),
    ("１２０万", 1_200_000),           # full-width digits
    ("五百万元", 5_000_000),
    ("￥120万", 1_200_000),
    ("¥ 3,500万", 35_000_000),
    ("100 万元", 1_000_000),
    ("0.5万元", 5_000),
    ("1,200,000元", 1_200_000),
    ("人民币3000万元", 30_000_000),
    ("120万人民币", 1_200_000),
    ("RMB 120万", 1_200_000),
    ("两千万", 20_000_000),
    ("1e7", 10_000_000),
    ("3,500.5万元", 35_005_000),
    ("8千元", 8_000),
    ("壹佰万元", 1_000_000),
    ("十万", 100_000),
    ("1.5亿元", 150_000_000),
    ("1.2億", 120_000_000),           # traditional 億
    ("3500萬元", 35_000_000),
    ("１，２００万元", 12_000_000),    # full-width comma
    ("三千五百万元", 35_000_000),
    ("5块", 5),
    ("12000000", 12_000_000),
    ("  3500万元  ", 35_000_000),
    (12_000_000, 12_000_000),
    (1.5e6, 1_500_000),
    (0, 0),
    ("0", 0),
]


@pytest.mark.parametrize(("text", "yuan"), MONEY_FORMS, ids=[repr(t) for t, _ in MONEY_FORMS])
def test_parse_money_reads_common_forms(text: object, yuan: float) -> None:
    got = parse_money(text)
    assert isinstance(got, float)
    assert got == pytest.approx(yuan, rel=1e-12)


@pytest.mark.parametrize("blank", [None, "", "   ", "\u3000"])
def test_parse_money_blank_is_missing_not_zero(blank: object) -> None:
    assert parse_money(blank) is None


BAD_MONEY = [
    ("-5万", "negative"),
    ("－5万", "negative"),          # full-width minus
    (-1, "negative"),
    ("abc", "cannot read 'abc' as money"),
    ("1e30", "more than 10万亿元"),
    ("1e13万", "more than 10万亿元"),
    (MAX_MONEY * 1.5, "more than 10万亿元"),
    ("1e309", "not a finite amount"),
    (float("nan"), "not a finite amount"),
    (float("inf"), "not a finite amount"),
    (float("-inf"), "not a finite amount"),
    (True, "yes/no value"),
    (False, "yes/no value"),
    ("万元", "cannot read '万元' as money"),
    ("元", "cannot read '元' as money"),
    ("x" * 100, "text of 100 characters is too long"),
    ("1" * 100, "text of 100 characters is too long"),
    ("1,2,3万", "commas must separate groups of three digits"),
    ("1,00万", "commas must separate groups of three digits"),
    ("5 0万", "cannot read '5 0万' as money"),
    ("约100万", "cannot read"),
    ("100万以上", "cannot read"),
    ("100-200万", "cannot read"),
    ("1.2.3万", "cannot read"),
    ("nan", "cannot read"),
    ("inf", "cannot read"),
    ([1], "got list"),
    (b"100", "got bytes"),
]


@pytest.mark.parametrize(("value", "message"), BAD_MONEY, ids=[repr(v)[:30] for v, _ in BAD_MONEY])
def test_parse_money_refuses_what_it_cannot_read(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_money(value)


def test_parse_money_error_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"^revenue: cannot read '很多' as money"):
        parse_money("很多", field="revenue")


def test_parse_money_limit_is_inclusive() -> None:
    assert parse_money(MAX_MONEY) == MAX_MONEY
    assert parse_money("10万亿") == MAX_MONEY  # 十万亿 read by cn2an


def test_parse_money_negative_zero_is_zero() -> None:
    got = parse_money(-0.0)
    assert got == 0.0 and math.copysign(1.0, got) == 1.0  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_money_grouped_digits_equal_plain(n: int) -> None:
    assert parse_money(f"{n:,}元") == parse_money(str(n)) == float(n)


@given(st.integers(min_value=0, max_value=10**8), st.sampled_from(["万", "万元"]))
def test_parse_money_wan_scales_by_ten_thousand(n: int, unit: str) -> None:
    assert parse_money(f"{n}{unit}") == float(n) * 1e4


# -- format_money --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("yuan", "text"),
    [
        (None, "未知"),
        (0, "0元"),
        (8_000, "8,000元"),
        (9_999, "9,999元"),
        (0.5, "0.50元"),
        (10_000, "1万元"),
        (2_350_000, "235万元"),
        (35_005_000, "3,500.5万元"),
        (12_345.6, "1.23万元"),
        (100_000_000, "1亿元"),
        (120_000_000, "1.2亿元"),
    ],
)
def test_format_money(yuan: float | None, text: str) -> None:
    assert format_money(yuan) == text


@given(st.integers(min_value=0, max_value=10**12))
def test_format_money_reads_back_within_rounding(n: int) -> None:
    # Shown with at most two decimals of its unit, so the round trip is exact to that precision.
    back = parse_money(format_money(n))
    assert back is not None
    unit = 1e8 if n >= 1e8 else 1e4 if n >= 1e4 else 1
    assert abs(back - n) <= 0.005 * unit + 1e-6


# -- 统一社会信用代码 --------------------------------------------------------------------------
VALID_CODES = ["91330683MA2JK3L5XH", "92330683MA2P7Q8R49", "93330624MA2AB12C3C",
               "91330681123456788L"]
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("code", VALID_CODES)
def test_known_good_codes_validate(code: str) -> None:
    assert validate_credit_code(code) == code
    assert credit_code_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", VALID_CODES)
def test_code_is_normalised(code: str) -> None:
    assert validate_credit_code(f"  {code.lower()} ") == code
    full_width = unicodedata.normalize("NFKC", code).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    assert validate_credit_code(full_width) == code


def test_check_weights_are_powers_of_three_mod_31() -> None:
    # S = sum(value * 3^i mod 31); check = (31 - S mod 31) mod 31, mapped back to the charset.
    code = VALID_CODES[0]
    total = sum(CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(code[:17]))
    assert CHARSET[(31 - total % 31) % 31] == code[17]


def test_check_char_zero_maps_to_digit_zero() -> None:
    # Find a 17-character body whose sum is a multiple of 31: its check character is '0'.
    body = "9133068300000000"
    for ch in CHARSET:
        if credit_code_check_char(body + ch) == "0":
            assert validate_credit_code(body + ch + "0")
            return
    pytest.fail("no body with check character 0 found")  # pragma: no cover


def _substitutions(code: str) -> list[str]:
    out = []
    alphabet = CHARSET + "IOSVZ-_ *"
    for i, orig in enumerate(code):
        for ch in alphabet:
            if ch != orig:
                out.append(code[:i] + ch + code[i + 1:])
    return out


@pytest.mark.parametrize("code", VALID_CODES)
def test_every_single_substitution_is_rejected_exhaustively(code: str) -> None:
    wrong = _substitutions(code)
    assert len(wrong) == 18 * 39
    for bad in wrong:
        with pytest.raises(ValueError, match="统一社会信用代码"):
            validate_credit_code(bad)


@given(st.sampled_from(VALID_CODES), st.integers(min_value=0, max_value=17), st.characters())
def test_any_single_substitution_is_rejected(code: str, pos: int, ch: str) -> None:
    # A character that normalises to the same one (lower case, full width) is the same code.
    if unicodedata.normalize("NFKC", ch).upper() == code[pos]:
        assert validate_credit_code(code[:pos] + ch + code[pos + 1:]) == code
        return
    with pytest.raises(ValueError, match="统一社会信用代码"):
        validate_credit_code(code[:pos] + ch + code[pos + 1:])


@given(st.text(alphabet=CHARSET, min_size=17, max_size=17))
def test_appending_the_check_char_always_validates_when_shape_is_right(body: str) -> None:
    code = body + credit_code_check_char(body)
    if body[2:8].isdigit():
        assert validate_credit_code(code) == code
    else:
        with pytest.raises(ValueError, match="characters 3-8 are digits"):
            validate_credit_code(code)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91330683MA2JK3L5X", "must have 18 characters.*has 17"),
        ("91330683MA2JK3L5XHH", "must have 18 characters.*has 19"),
        ("", "has 0"),
        ("91330683MA2JK3L5XI", "outside the standard set"),
        ("9133O683MA2JK3L5XH", "outside the standard set"),  # letter O among the region digits
        ("91330683MA2JK3L5XJ", r"should be 'H', not 'J'"),
    ],
)
def test_bad_codes_name_the_problem(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_credit_code(code)


# -- GB/T 4754 门类 --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "section"),
    [("C3841", "C"), ("3841", "C"), ("c3841", "C"), ("13", "C"), ("43", "C"), ("0511", "A"),
     ("06", "B"), ("44", "D"), ("4700", "E"), ("F5123", "F"), ("5211", "F"), ("59", "G"),
     ("H62", "H"), ("6510", "I"), ("66", "J"), ("7010", "K"), ("71", "L"), ("7320", "M"),
     ("79", "N"), ("80", "O"), ("83", "P"), ("84", "Q"), ("90", "R"), ("96", "S"), ("97", "T"),
     (None, None)],
)
def test_industry_section(code: str | None, section: str | None) -> None:
    assert industry_section(code) == section


@pytest.mark.parametrize(
    ("code", "message"),
    [("C99", "大类 99 does not exist"), ("00", "大类 00 does not exist"),
     ("F3841", "belongs to 门类 C, not F"), ("制造业", "not a GB/T 4754-2017 code"),
     ("C38411", "not a GB/T 4754-2017 code"), ("Z38", "not a GB/T 4754-2017 code"),
     ("3", "not a GB/T 4754-2017 code")],
)
def test_industry_section_errors(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        industry_section(code)


# -- dates ------------------------------------------------------------------------------------
def test_parse_date_forms_and_precision() -> None:
    from datetime import date, datetime

    from policymatch.units import parse_date, period_end

    assert parse_date("2019") == (date(2019, 1, 1), "year")
    assert parse_date("2019.3") == (date(2019, 3, 1), "month")
    assert parse_date("201903") == (date(2019, 3, 1), "month")
    assert parse_date("2019年3月5号") == (date(2019, 3, 5), "day")
    assert parse_date(datetime(2019, 3, 5, 12)) == (date(2019, 3, 5), "day")
    assert parse_date("  ") is None and parse_date(None) is None
    assert period_end(date(2020, 2, 1), "month") == date(2020, 2, 29)
    assert period_end(date(2019, 12, 1), "month") == date(2019, 12, 31)
    assert period_end(date(2019, 1, 1), "year") == date(2019, 12, 31)
    for bad in (0, 20190305, "2019-3-5-1", "March 2019", "2019-00"):
        with pytest.raises(ValueError, match="established"):
            parse_date(bad, field="established")


def test_as_day_takes_dates_and_iso_text_only() -> None:
    from datetime import date, datetime

    from policymatch.errors import ProfileError
    from policymatch.units import as_day

    assert as_day("2025-01-01") == as_day(datetime(2025, 1, 1, 9)) == date(2025, 1, 1)
    assert as_day(None) is None
    for bad in (20250101, "2025/01/01", "tomorrow", [2025, 1, 1]):
        with pytest.raises(ProfileError, match=r"as_of: expected a date or text 'YYYY-MM-DD'"):
            as_day(bad)


def test_match_takes_as_of_as_text(tmp_path: object) -> None:
    from policymatch import EnterpriseProfile, Matcher, load_policies
    from policymatch.errors import ProfileError

    matcher = Matcher(index_cache=None).fit(load_policies())
    p = EnterpriseProfile(name="甲", region="嵊州市")
    assert matcher.match(p, as_of="2025-01-01").as_of.isoformat() == "2025-01-01"
    with pytest.raises(ProfileError, match="as_of"):
        matcher.match(p, as_of=20250101)  # type: ignore[arg-type]
    with pytest.raises(ProfileError, match="established: 2025-03-01 is after the day of judgement"):
        matcher.match(EnterpriseProfile(name="甲", established="2025年3月"), as_of="2025-01-01")
