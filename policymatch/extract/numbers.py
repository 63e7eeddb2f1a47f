"""Quantities and dates in policy text, for :mod:`policymatch.extract`.

Private. Text here is already normalised by the extractor (character-wise NFKC, so full-width
digits and punctuation are ASCII ``( ) , ; : %``, and simplified Chinese). Functions take an
offset ``base`` so that the spans they return are positions in the whole normalised document.

No regular expression nests quantifiers over overlapping classes and every open repetition is
bounded, so matching time stays linear in the input (no catastrophic backtracking); the same
holds in :mod:`policymatch.extract.conditions` and :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from ..units import MAX_MONEY, parse_money

# -- quantities -------------------------------------------------------------------------------
_CN = "零〇一二两三四五六七八九十百千"
NUM = (rf"\d{{1,15}}(?:,\d{{3}}){{0,4}}(?:\.\d{{1,6}})?"
        rf"|[{_CN}]{{1,8}}(?:万[{_CN}]{{1,8}})?(?:点[零〇一二三四五六七八九]{{1,4}})?")
_UNIT = (r"千万元|百万元|千万|百万|亿元|万元|千元|(?:元|亿|万)(?!美元|美金|港元|港币|欧元|日元)"
         r"|个百分点|%|平方米|m2|亩|人次|人|名|个月|周岁|年|台|套|项")
_QTY_RE = re.compile(rf"百分之(?P<pn>{NUM})|(?P<n>{NUM})\s{{0,2}}(?P<u>{_UNIT})?")
_KIND = {"%": "pct", "个百分点": "pp", "平方米": "area", "m2": "area", "亩": "mu", "人次": "count",
         "人": "count", "名": "count", "个月": "month", "周岁": "year", "年": "year", "台": "unit",
         "套": "unit", "项": "unit"}


@dataclass
class Qty:
    """A number with its unit; ``value`` is in 元 for money and a fraction for percentages."""

    start: int
    end: int
    value: float
    unit: str
    kind: str  # money | pct | pp | area | mu | count | unit | year | month | num
    raw: str = ""


def number(raw: str) -> Decimal | None:
    """Arabic or Chinese numerals (cn2an) as a Decimal, ``None`` if unreadable."""
    raw = raw.replace(",", "").replace(" ", "")
    if raw[:1].isdigit():
        try:
            return Decimal(raw)
        except InvalidOperation:
            return None
    import cn2an  # ~0.2 s on first use

    try:
        return Decimal(str(cn2an.cn2an(raw, "smart")))
    except (ValueError, KeyError, IndexError, TypeError, InvalidOperation):
        return None


def _value(raw: str, unit: str, kind: str) -> float | None:
    num = number(raw)
    if num is None or kind != "money":
        return None if num is None else float(num / 100) if kind == "pct" else float(num)
    try:
        value = parse_money(raw.replace(" ", "") + unit, field="amount")
    except ValueError:
        return None
    return value if value is not None and value <= MAX_MONEY else None


def quantities(text: str, base: int = 0) -> list[Qty]:
    """Every quantity in ``text``; a bare number in a list takes the unit written after the list."""
    out: list[Qty] = []
    for m in _QTY_RE.finditer(text):
        raw, unit = (m.group("pn"), "%") if m.group("pn") else (m.group("n"), m.group("u") or "")
        if not unit and not raw[:1].isdigit():
            continue  # a character like 一 in 一次性, not a quantity
        kind = _KIND.get(unit, "money" if unit else "num")
        value = _value(raw, unit, kind)
        if value is not None:
            out.append(Qty(base + m.start(), base + m.end(), value, unit, kind, raw))
    for i in range(len(out) - 2, -1, -1):  # "10、20、50万元": the list shares the last unit
        q, nxt = out[i], out[i + 1]
        if q.kind == "num" and nxt.kind != "num" and text[q.end - base:nxt.start - base].strip() == "、":
            value = _value(q.raw, nxt.unit, nxt.kind)
            if value is not None:
                out[i] = Qty(q.start, q.end, value, nxt.unit, nxt.kind, q.raw)
    return out


# -- dates ------------------------------------------------------------------------------------
DATE = (r"(\d{4}|[〇零一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,3})月"
        r"(?:(\d{1,2}|[一二三四五六七八九十]{1,3})日)?")


def cn_int(text: str) -> int:
    """A small whole number written in digits or Chinese numerals; 0 when unreadable."""
    digits = re.sub(r"[^0-9一二三四五六七八九十百零〇两]", "", text)
    num = number(digits) if digits else None
    return int(num) if num is not None else 0


def to_date(m: re.Match[str], *, end_of_month: bool = False) -> date | None:
    """The date of a :data:`DATE` match; a month without a day is its first or last day."""
    year = "".join(ch if ch.isdigit() else str(cn_int(ch)) for ch in m.group(1))
    try:
        month = date(int(year), cn_int(m.group(2)), 1)
        if m.group(3):
            return month.replace(day=cn_int(m.group(3)))
    except ValueError:
        return None
    nxt = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return nxt - timedelta(days=1) if end_of_month else month


def validity(text: str, issued: date | None) -> dict[str, tuple[date | None, int, int]]:
    """valid_from / valid_to stated in a sentence (``None`` date: 自印发之日起 without a date)."""
    found: dict[str, tuple[date | None, int, int]] = {}
    rng = rf"(?:至|到|—|-|~){DATE}"
    m = re.search(rf"(?:执行期限|有效期|实施期限|执行期|施行期限|试行期)限?(?:为|是|自)?{DATE}起?{rng}", text)
    if m:
        second = re.search(DATE, text[m.start(4):m.end()])
        found["valid_from"] = (to_date(m), m.start(), m.end())
        found["valid_to"] = (to_date(second, end_of_month=True) if second else None, m.start(),
                             m.end())
    m = re.search(rf"自{DATE}起?(?:施行|实施|执行|试行|生效)", text)
    if m:
        found.setdefault("valid_from", (to_date(m), m.start(), m.end()))
    m = re.search(r"自(?:印发|发布|公布|颁布)之日起(?:施行|实施|执行|试行|生效)", text)
    if m:
        found.setdefault("valid_from", (issued, m.start(), m.end()))
    m = re.search(rf"(?:有效期|执行期|实施期|有效期限)限?(?:至|到|截至){DATE}|至{DATE}止", text)
    if m:
        d = re.search(DATE, m.group())
        found.setdefault("valid_to", (to_date(d, end_of_month=True) if d else None, m.start(),
                                      m.end()))
    m = re.search(r"有效期(?:为|暂定)?([0-9一二三四五六七八九十两]{1,3})年", text)
    start = found.get("valid_from", (None, 0, 0))[0]
    if m and start and "valid_to" not in found:
        years = cn_int(m.group(1))
        end = date(start.year + years, start.month, min(start.day, 28 if start.month == 2 else 30)) \
            if (start.month, start.day) == (2, 29) else start.replace(year=start.year + years)
        found["valid_to"] = (end - timedelta(days=1), m.start(), m.end())
    return found
