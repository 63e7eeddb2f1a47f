"""Quantities at the edge: money strings to 元, 元 to readable text, codes that carry a checksum.

Money is stored in 元 everywhere inside the library. People type "1.2亿", "3500万元", "3,500万",
"１２０万" or "五百万"; :func:`parse_money` turns each into a float of 元 and refuses what it
cannot read instead of guessing.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

__all__ = [
    "MAX_MONEY",
    "as_day",
    "credit_code_check_char",
    "format_money",
    "industry_section",
    "parse_date",
    "parse_money",
    "period_end",
    "validate_credit_code",
    "years_between",
]

#: Largest amount accepted anywhere (10 万亿元). Larger values are typos or unit mistakes.
MAX_MONEY = 1e13

_UNITS = {"元": 1.0, "块": 1.0, "千": 1e3, "千元": 1e3, "万": 1e4, "万元": 1e4,
          "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8, "亿元": 1e8}
_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
_GROUPED_RE = re.compile(r"^[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9,])")
_MONEY_RE = re.compile(
    r"^(?P<num>[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)\s*(?P<unit>十万|百万|千万|千元|万元|亿元|千|万|亿|元|块)?$"
)


def parse_money(value: object, *, field: str = "amount") -> float | None:
    """Return ``value`` as a float of 元, or ``None`` when it is ``None`` or blank.

    Parameters
    ----------
    value : int, float, str or None
        A number (already in 元) or a human string: ``"1.2亿"``, ``"3500万元"``, ``"3,500万"``,
        ``"￥120万"``, ``"五百万元"``, ``"1,200,000元"``.
    field : str
        Name used in error messages.

    Raises
    ------
    ValueError
        For text that is not an amount, negative, NaN, infinite or above :data:`MAX_MONEY`.

    Examples
    --------
    >>> parse_money("1.2亿")
    120000000.0
    >>> parse_money("3,500万")
    35000000.0
    >>> parse_money("五百万元")
    5000000.0
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is a yes/no value, not an amount of money")
    amount: float | None
    if isinstance(value, (int, float)):
        try:
            amount = float(value)
        except OverflowError:  # an int beyond any float (10**400)
            raise ValueError(f"{field}: an integer of more than 300 digits is more than 10万亿元; "
                             "check the unit (元, 万元 or 亿元)") from None
    elif isinstance(value, str):
        amount = _parse_money_text(value, field)
        if amount is None:
            return None
    else:
        raise ValueError(f"{field}: expected a number or text like '3500万元', got {type(value).__name__}")
    if math.isnan(amount) or math.isinf(amount):
        raise ValueError(f"{field}: {value!r} is not a finite amount")
    if amount < 0:
        raise ValueError(f"{field}: {value!r} is negative; amounts of money must be >= 0")
    if amount > MAX_MONEY:
        raise ValueError(
            f"{field}: {value!r} is more than 10万亿元; check the unit (元, 万元 or 亿元)"
        )
    return amount + 0.0  # -0.0 becomes 0.0


def _parse_money_text(raw: str, field: str) -> float | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    if len(text) > 64:
        raise ValueError(f"{field}: text of {len(raw)} characters is too long to be an amount")
    text = text.replace("萬", "万").replace("億", "亿").replace("圓", "元")
    text = re.sub(r"^(人民币|RMB|CNY|¥|￥)\s*", "", text, flags=re.IGNORECASE)
    text = re.sub(r"(人民币|RMB|CNY)$", "", text, flags=re.IGNORECASE).strip()
    if "," in text and not _GROUPED_RE.match(text):
        raise ValueError(
            f"{field}: cannot read {raw!r} as money; commas must separate groups of three "
            "digits, as in '1,200,000元' or '3,500万'"
        )
    # Spaces may stand around a unit ("100 万元") but never inside a number ("5 0万").
    text = re.sub(r"(?<![0-9])\s+|\s+(?![0-9])", "", text)
    text = text.replace(",", "").lower()
    if text.startswith("-"):
        raise ValueError(f"{field}: {raw!r} is negative; amounts of money must be >= 0")
    m = _MONEY_RE.match(text)
    if m:
        return float(m.group("num")) * _UNITS.get(m.group("unit") or "元", 1.0)
    if text and all(ch in _CN_DIGITS or ch.isdigit() or ch in ".元" for ch in text):
        return _parse_chinese_amount(text, raw, field)
    raise ValueError(
        f"{field}: cannot read {raw!r} as money; write a number of 元 or text like "
        "'3500万元', '1.2亿', '120万'"
    )


def _parse_chinese_amount(text: str, raw: str, field: str) -> float:
    import cn2an  # imported on first use: it costs ~0.2 s

    body = text[:-1] if text.endswith("元") else text
    try:
        value = cn2an.cn2an(body, "smart")
    except (ValueError, KeyError, IndexError, TypeError):  # its messages are internal ("(1e7)")
        raise ValueError(
            f"{field}: cannot read {raw!r} as money; write a number of 元 or text like "
            "'3500万元', '1.2亿', '3.5亿', '五百万元'") from None
    return float(value)


def format_money(amount: float | None) -> str:
    """Render 元 the way a county document does: ``"235万元"``, ``"1.2亿元"``, ``"8,000元"``.

    Examples
    --------
    >>> format_money(2_350_000)
    '235万元'
    >>> format_money(120_000_000)
    '1.2亿元'
    >>> format_money(8000)
    '8,000元'
    >>> format_money(None)
    '未知'
    """
    if amount is None:
        return "未知"
    if abs(amount) >= 1e8:
        return f"{_trim(amount / 1e8)}亿元"
    if abs(amount) >= 1e4:
        return f"{_trim(amount / 1e4)}万元"
    return f"{amount:,.0f}元" if float(amount).is_integer() else f"{amount:,.2f}元"


def _trim(x: float) -> str:
    text = f"{x:,.2f}".rstrip("0").rstrip(".")
    return text


# -- 统一社会信用代码 (GB 32100-2015) -----------------------------------------------------
_CC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def credit_code_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a code.

    Examples
    --------
    >>> credit_code_check_char("91330683MA2JK3L5X")
    'H'
    """
    total = sum(_CC_CHARSET.index(ch) * w for ch, w in zip(first17, _CC_WEIGHTS, strict=False))
    return _CC_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(code: str) -> str:
    """Return ``code`` upper-cased if it is a valid 统一社会信用代码, else raise ``ValueError``.

    Examples
    --------
    >>> validate_credit_code("91330683ma2jk3l5xh")
    '91330683MA2JK3L5XH'
    """
    text = unicodedata.normalize("NFKC", code).strip().upper()
    if len(text) != 18:
        shown = repr(code) if len(code) <= 40 else "the text given"
        raise ValueError(f"统一社会信用代码 must have 18 characters, {shown} has {len(text):,}")
    if not _CC_RE.match(text):
        raise ValueError(
            f"统一社会信用代码 {code!r} has characters outside the standard set "
            "(digits and capital letters except I, O, S, V, Z; characters 3-8 are digits)"
        )
    expected = credit_code_check_char(text[:17])
    if text[17] != expected:
        raise ValueError(
            f"统一社会信用代码 {code!r} fails its check digit: the 18th character should be "
            f"{expected!r}, not {text[17]!r}; re-copy the code from the business licence"
        )
    return text


# -- GB/T 4754-2017 门类 from a code ---------------------------------------------------------
_SECTIONS = (
    ("A", 1, 5), ("B", 6, 12), ("C", 13, 43), ("D", 44, 46), ("E", 47, 50), ("F", 51, 52),
    ("G", 53, 60), ("H", 61, 62), ("I", 63, 65), ("J", 66, 69), ("K", 70, 70), ("L", 71, 72),
    ("M", 73, 75), ("N", 76, 79), ("O", 80, 82), ("P", 83, 83), ("Q", 84, 85), ("R", 86, 90),
    ("S", 91, 96), ("T", 97, 97),
)
_INDUSTRY_CODE_RE = re.compile(r"^([A-T])?([0-9]{2})([0-9]{0,2})$")


def industry_section(code: str | None) -> str | None:
    """Return the 门类 letter (A–T) of a GB/T 4754-2017 code such as ``"C3841"`` or ``"3841"``.

    Examples
    --------
    >>> industry_section("3841")
    'C'
    >>> industry_section("F5123")
    'F'
    """
    if code is None:
        return None
    m = _INDUSTRY_CODE_RE.match(code.strip().upper())
    if not m:
        raise ValueError(
            f"industry_code {code!r} is not a GB/T 4754-2017 code; write a letter and 2-4 digits "
            "like 'C3841' or just the digits '3841'"
        )
    major = int(m.group(2))
    for letter, lo, hi in _SECTIONS:
        if lo <= major <= hi:
            if m.group(1) and m.group(1) != letter:
                raise ValueError(
                    f"industry_code {code!r}: 大类 {major:02d} belongs to 门类 {letter}, "
                    f"not {m.group(1)}"
                )
            return letter
    raise ValueError(f"industry_code {code!r}: 大类 {major:02d} does not exist (01-97)")


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one: the anniversary is 28 February
        return day.replace(year=day.year + years, day=28)


def years_between(start: date, end: date) -> float:
    """Calendar years from ``start`` to ``end``: whole anniversaries plus the elapsed share of
    the current year, so an anniversary is exactly a whole number ("成立满2年" on the day).

    Examples
    --------
    >>> years_between(date(2024, 6, 30), date(2026, 6, 30))
    2.0
    >>> round(years_between(date(2024, 6, 30), date(2026, 6, 29)), 4)
    1.9973
    """
    if end < start:
        return -years_between(end, start)
    whole = end.year - start.year - ((end.month, end.day) < (start.month, start.day))
    last = _shift_years(start, whole)
    if last.year >= 9999:  # no anniversary after 9999: share of an average year
        return whole + (end - last).days / 365.2425
    following = _shift_years(start, whole + 1)
    return whole + (end - last).days / (following - last).days


# -- dates people write ---------------------------------------------------------------------
_DATE_FORMS = (
    (re.compile(r"^(\d{4})(?:年)?$"), "year"),
    (re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:月)?$"), "month"),
    (re.compile(r"^(\d{4})(\d{2})$"), "month"),
    (re.compile(r"^(\d{4})(?:[-/.]|年)(\d{1,2})(?:[-/.]|月)(\d{1,2})(?:日|号)?$"), "day"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "day"),
)
_DATE_EXAMPLES = ("YYYY-MM-DD such as 2019-03-05 (or 2019/03/05, 20190305, 2019年3月5日; a month "
                  "or year alone: 2019年3月, 2019)")
_ZERO_TIME = re.compile(r"[T ]00:00(?::00(?:\.0+)?)?$")


def parse_date(value: object, *, field: str = "date") -> tuple[date, str] | None:
    """Read a date as people write it: ``(first day, precision)``, or ``None`` when blank.

    A year or a month alone is a range of days, so the precision (``"day"``, ``"month"`` or
    ``"year"``) says which: ``"2019"`` is any day of 2019, and ``date(2019, 1, 1)`` only its
    first. Numbers are not dates (``0`` is not 1970, ``2019`` may be a count): write them as
    text.

    Raises
    ------
    ValueError
        For numbers, yes/no values and text that is not one of the forms below, naming
        ``field`` and the forms it accepts.

    Examples
    --------
    >>> parse_date("2019年3月")
    (datetime.date(2019, 3, 1), 'month')
    >>> parse_date("20190305")
    (datetime.date(2019, 3, 5), 'day')
    >>> parse_date("2019")
    (datetime.date(2019, 1, 1), 'year')
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date(), "day"
    if isinstance(value, date):
        return value, "day"
    if isinstance(value, bool):
        raise ValueError(f"{field}: {value!r} is a yes/no value, not a date; write the date as "
                         f"{_DATE_EXAMPLES}")
    if isinstance(value, (int, float)):
        raise ValueError(
            f"{field}: {value!r} is a number, not a date; write the date as text: "
            f"{_DATE_EXAMPLES}")
    if not isinstance(value, str):
        raise ValueError(f"{field}: expected a date, got {type(value).__name__}; write the "
                         f"date as {_DATE_EXAMPLES}")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return None
    if len(text) > 40:
        raise ValueError(f"{field}: text of {len(value):,} characters is too long to be a date")
    text = _ZERO_TIME.sub("", text).replace(" ", "")
    for pattern, precision in _DATE_FORMS:
        m = pattern.match(text)
        if m is None:
            continue
        year, month, day = (int(g) for g in (*m.groups(), "1", "1")[:3])
        try:
            return date(year, month, day), precision
        except ValueError as exc:
            raise ValueError(f"{field}: {value!r} is not a day of the calendar ({exc}); "
                             f"write the date as {_DATE_EXAMPLES}") from None
    raise ValueError(f"{field}: cannot read {value!r} as a date; write the date as "
                     f"{_DATE_EXAMPLES}")


def period_end(start: date, precision: str) -> date:
    """The last day of the period a date of ``precision`` stands for.

    Examples
    --------
    >>> period_end(date(2019, 2, 1), "month")
    datetime.date(2019, 2, 28)
    """
    if precision == "year":
        return date(start.year, 12, 31)
    if precision == "month":
        following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    return start


def as_day(value: object, *, field: str = "as_of") -> date | None:
    """A day of judgement: a ``date`` (a ``datetime`` gives its day), an ISO text
    ``"2025-01-01"`` or ``None`` (today, decided by the caller).

    Raises
    ------
    ProfileError
        For anything else, naming ``field`` and the form to use.

    Examples
    --------
    >>> as_day("2025-01-01")
    datetime.date(2025, 1, 1)
    """
    from .errors import ProfileError

    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(unicodedata.normalize("NFKC", value).strip())
        except ValueError:
            pass
    raise ProfileError(f"{field}: expected a date or text 'YYYY-MM-DD' such as '2025-01-01', "
                       f"got {value!r}")
