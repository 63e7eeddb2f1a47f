"""How values are written for people: a condition's value, an amount in 万元, money in a sentence.

The leaf every view and explanation formats through, so a value reads the same in a reason, a
table and a notebook. Money itself is formatted by :func:`~policymatch.units.format_money`.
"""

from __future__ import annotations

from typing import Any

from .fields import FieldKind, FieldSpec
from .profile import AgeSpan
from .units import format_money

__all__ = ["by_recipient", "format_value", "money_in_words", "money_words", "wan"]


def format_value(value: Any, spec: FieldSpec) -> str:
    """Render a field value for a reason: money in 万元, ratios in %, yes/no, lists with 、."""
    if value is None:
        return "未知"
    if isinstance(value, AgeSpan):
        return f"{value.youngest:.1f}～{value.oldest:.1f}{spec.unit}"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(format_value(v, spec) for v in value) or "无"
    if isinstance(value, (int, float)):
        if spec.kind is FieldKind.MONEY:
            return format_money(float(value))
        if spec.kind is FieldKind.RATIO:
            return f"{value * 100:.4g}%"
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
        return f"{number}{spec.unit}"
    return str(value)


def wan(amount: float) -> str:
    """An amount of 元 as a number of 万元 for a table column: ``2_350_000 -> '235'``.

    Examples
    --------
    >>> wan(2_350_000), wan(8_000), wan(123_456_789)
    ('235', '0.8', '12,345.68')
    """
    return f"{amount / 1e4:,.2f}".rstrip("0").rstrip(".")


def money_in_words(amount: float) -> str:
    """Money in a sentence's words: "235 万元", "1.2 亿元", "8,000 元".

    Examples
    --------
    >>> money_in_words(2_350_000), money_in_words(8_000)
    ('235 万元', '8,000 元')
    """
    text = format_money(amount)
    return f"{text[:-2]} {text[-2:]}" if text.endswith(("万元", "亿元")) else f"{text[:-1]} 元"


_RECIPIENT_ORDER = {"企业": 0, "项目": 1, "机构": 2, "个人": 3}
_RECIPIENT_WORDS = {"企业": "企业预计", "项目": "项目资金", "机构": "其他机构", "个人": "个人（人才、员工本人领取）"}


def by_recipient(item: tuple[str, float]) -> int:
    """Sort key of a ``(recipient, amount)`` pair: the firm first, then projects, other
    organisations and persons."""
    return _RECIPIENT_ORDER.get(item[0], 9)


def money_words(paid: dict[str, float], upper: dict[str, bool]) -> str:
    """"预计 235 万元" for the firm alone; "企业预计 235 万元，个人（…）另计 216 万元" when others are paid."""
    if set(paid) == {"企业"}:
        return f"预计{'最高 ' if upper['企业'] else ' '}{money_in_words(paid['企业'])}"
    parts = []
    for who, amount in sorted(paid.items(), key=by_recipient):
        words = _RECIPIENT_WORDS.get(who, who)
        if who != "企业":
            words += "另计"
        parts.append(f"{words}{'最高 ' if upper[who] else ' '}{money_in_words(amount)}")
    return "，".join(parts)
