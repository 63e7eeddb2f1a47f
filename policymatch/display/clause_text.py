"""A clause as a person reads it: its conditions in plain Chinese, the benefit formula, its source.

Used by ``policymatch show``. Everything is read from the clause's data (no profile): the
conditions say what is required, the formula how the amount is computed.
"""

from __future__ import annotations

import re
from typing import Any

from ..fields import EXTRA_FACTS, FieldKind, FieldSpec, field_spec
from ..models import (
    AllOf,
    AnyOf,
    Clause,
    FieldTest,
    FixedBenefit,
    InKindBenefit,
    InterestBenefit,
    Not,
    PerUnitBenefit,
    Policy,
    RatioBenefit,
    RentBenefit,
    TiersBenefit,
)
from ..rules import format_value
from ..units import format_money

__all__ = ["benefit_text", "clause_text", "condition_lines", "leaf_text"]

_NUMERIC_WORDS = {">=": "达到", ">": "超过", "<=": "不超过", "<": "低于"}
_PERIODS = {"month": "每月", "year": "每年"}


def _spec(field: str) -> FieldSpec:
    """The field's spec; an ``extra.`` key the bundled corpus describes gets its unit."""
    plain = field.removeprefix("previous.")
    key = plain.removeprefix("extra.")
    if plain.startswith("extra.") and key in EXTRA_FACTS:
        unit = EXTRA_FACTS[key][1]
        label = (field_spec(field) or FieldSpec(key, FieldKind.ANY)).label or key
        return FieldSpec(label, FieldKind.MONEY if unit == "元" else FieldKind.NUMBER,
                         "" if unit == "元" else unit)
    return field_spec(field) or FieldSpec(field, FieldKind.ANY)


def leaf_text(node: FieldTest) -> str:
    """One test in words: ``设备投资额达到 500万元``, ``未列入严重失信主体名单``.

    Examples
    --------
    >>> leaf_text(FieldTest(field="revenue", op=">=", value="2000万"))
    '上年度营业收入达到 2,000万元'
    >>> leaf_text(FieldTest(field="credit_clean", op="==", value=True))
    '未列入严重失信主体名单'
    """
    spec = _spec(node.field)
    label = node.label or spec.label or node.field.removeprefix("extra.")
    value = node.value
    values = value if isinstance(value, list) else [value]
    shown = [format_value(v, spec) for v in values]
    if node.op == ">" and value == 0:
        return f"有{label}（大于 0）"
    if node.op in _NUMERIC_WORDS:
        return f"{label}{_NUMERIC_WORDS[node.op]} {shown[0]}"
    if isinstance(value, bool) and node.op in ("==", "!="):
        return label if value == (node.op == "==") else f"不符合“{label}”"
    if node.op == "==":
        return f"{label}为 {shown[0]}"
    if node.op == "!=":
        return f"{label}不是 {shown[0]}"
    if node.op == "in":
        return f"{label}为 {'、'.join(shown)}" + (" 之一" if len(shown) > 1 else "")
    if node.op == "not_in":
        return f"{label}不是 {'、'.join(shown)}"
    if node.op == "has":
        return f"{label}包含 {'、'.join(shown)}" + (" 之一" if len(shown) > 1 else "")
    return f"{label}不含 {'、'.join(shown)}"  # not_has: none of them


def condition_lines(node: Any, indent: int = 1) -> list[str]:
    """A condition tree as indented lines, one test a line; groups say "全部" or "任一"."""
    pad = "  " * indent
    if isinstance(node, FieldTest):
        return [f"{pad}· {leaf_text(node)}"]
    if isinstance(node, AllOf):
        first = _first_crossing(node)
        if first:
            return [f"{pad}· {first}"]
        if indent == 1:  # the top level already says "须全部满足"
            return [line for child in node.of for line in condition_lines(child, indent)]
        return [f"{pad}· 同时满足：",
                *(line for child in node.of for line in condition_lines(child, indent + 1))]
    if isinstance(node, AnyOf):
        return [f"{pad}· 满足其中任一：",
                *(line for child in node.of for line in condition_lines(child, indent + 1))]
    if isinstance(node, Not):
        return [f"{pad}· 不得属于以下情形：", *condition_lines(node.of, indent + 1)]
    # a kind this view does not know yet: say what it holds rather than drop it
    text = getattr(node, "text", None) or str(node)
    return [f"{pad}· （需人工判断）{text}"]


def _first_crossing(node: AllOf) -> str:
    """``F >= t`` with ``previous.F < t`` read as one milestone: ``…首次达到 10亿元``."""
    if len(node.of) != 2 or not all(isinstance(c, FieldTest) for c in node.of):
        return ""
    now, before = node.of
    assert isinstance(now, FieldTest) and isinstance(before, FieldTest)
    if not (now.op == ">=" and before.op == "<" and before.field == f"previous.{now.field}"
            and now.value == before.value):
        return ""
    spec = _spec(now.field)
    label = now.label or spec.label or now.field.removeprefix("extra.")
    shown = format_value(now.value, spec)
    return f"{label}首次达到 {shown}（前一年度低于 {shown}）"


def benefit_text(benefit: Any) -> str:
    """The amount formula in words, e.g. ``设备投资额 × 8%，最高 1,000万元``.

    Examples
    --------
    >>> benefit_text(RatioBenefit(field="equipment_investment", rate=0.08, cap="1000万"))
    '设备投资额 × 8%，最高 1,000万元'
    """
    if isinstance(benefit, FixedBenefit):
        return ("最高 " if benefit.up_to else "一次性给予 ") + format_money(benefit.amount)
    if isinstance(benefit, InKindBenefit):
        return f"非资金支持：{benefit.description}"
    spec = _spec(benefit.field)
    label = spec.label or benefit.field.removeprefix("extra.")
    cap = f"，最高 {format_money(benefit.cap)}" if benefit.cap is not None else ""
    if isinstance(benefit, TiersBenefit):
        steps = []
        for tier in benefit.tiers:
            pays = (f"给予 {format_money(tier.amount)}" if tier.amount is not None
                    else f"按{label}的 {_pct(tier.rate or 0.0)}")
            steps.append(f"达到 {format_value(tier.at, spec)} {pays}")
        return f"按{label}分档，取达到的最高一档：" + "；".join(steps) + cap
    if isinstance(benefit, RatioBenefit):
        floor = f"，最低 {format_money(benefit.floor)}" if benefit.floor is not None else ""
        return f"{label} × {_pct(benefit.rate)}{floor}{cap}"
    if isinstance(benefit, PerUnitBenefit):
        period = _PERIODS.get(benefit.period, "")
        text = f"按{label}，每{benefit.unit}{period} {format_money(benefit.rate)}"
        if benefit.period != "once":
            text += f"，共 {benefit.duration} {'个月' if benefit.period == 'month' else '年'}"
        if benefit.max_units is not None:
            text += f"，最多按 {benefit.max_units:g}{benefit.unit}计"
        return text + cap
    if isinstance(benefit, InterestBenefit):
        return (f"{label} × 基准利率 {_pct(benefit.base_rate)} × 贴息比例 {_pct(benefit.share)}"
                f" × {benefit.years:g} 年{cap}")
    if isinstance(benefit, RentBenefit):
        area = f"，面积最多按 {benefit.max_area:g} 平方米计" if benefit.max_area is not None else ""
        return f"{label} × {benefit.rate:g} 元/平方米·月 × {benefit.months} 个月{area}{cap}"
    return str(benefit)  # pragma: no cover - a benefit kind this view does not know


def _pct(rate: float) -> str:
    return f"{rate * 100:.4g}%"


def _for_people(text: str) -> bool:
    """Whether a clause's source note is written for people (Chinese, e.g. ``嵊政办〔2025〕9号第三条``)
    rather than a maintainer's note on how the clause was modelled (Latin letters, codes)."""
    return bool(re.search(r"[\u4e00-\u9fff]", text)) and not re.search(r"[A-Za-z]", text)


def source_text(policy: Policy) -> str:
    """Where the clause comes from: issuer, title, 文号 and validity, in words."""
    parts = [f"{policy.issuer}发布的" if policy.issuer else "", f"《{policy.title}》"]
    if policy.doc_number:
        parts.append(f"（{policy.doc_number}）")
    text = "".join(parts)
    if policy.valid_from or policy.valid_to:
        start = policy.valid_from.isoformat() if policy.valid_from else "发布之日"
        end = policy.valid_to.isoformat() if policy.valid_to else "另行通知"
        text += f"，有效期 {start} 至 {end}"
    return text


def clause_text(policy: Policy, clause: Clause) -> str:
    """The whole clause for ``policymatch show``: text, conditions, formula, who and where from."""
    from ..benefits import max_amount

    lines = [f"{clause.id}  {clause.title}", f"依据：{source_text(policy)}", f"条文：{clause.text}"]
    own = condition_lines(clause.conditions) if clause.conditions is not None else []
    shared = condition_lines(policy.conditions) if policy.conditions is not None else []
    if own or shared:
        lines.append("条件（须全部满足）：")
        lines += own
        if shared:
            lines.append("  本政策各条款共同的条件：")
            lines += ["  " + line for line in shared]
    else:
        lines.append("条件：无（符合政策适用范围即可）")
    lines.append(f"金额：{benefit_text(clause.benefit)}")
    recipient = getattr(clause.benefit, "recipient", None)
    if recipient:
        lines.append(f"领取对象：{getattr(recipient, 'value', recipient)}")
    top = max_amount(clause.benefit)
    lines.append(f"最高金额：{format_money(top) if top is not None else '不设上限或非资金类'}")
    lines.append(f"类别：{clause.category}    方式：{clause.mode.value}    "
                 f"责任单位：{clause.department or '未注明'}")
    if clause.exclusive_group:
        lines.append(f"就高不重复：与同组（{clause.exclusive_group}）条款只享受金额最高的一项")
    if clause.materials:
        lines.append("申报材料：" + "；".join(clause.materials))
    if clause.source and _for_people(clause.source):
        lines.append(f"出处：{clause.source}")
    if clause.review:
        lines.append(f"待审核：{clause.review}")
    if policy.illustrative or policy.notice:
        lines.append("说明：" + (policy.notice or "本文件是示例模型，不是官方政策原文。"))
    return "\n".join(lines)
