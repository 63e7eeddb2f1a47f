"""The names a condition or benefit may test, with their Chinese labels, kinds and units.

A condition naming a field that is neither here nor an ``extra.<key>`` is refused when the policy
file loads, so a typo never turns into a clause that silently matches nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["PREVIOUS_FIELDS", "PROFILE_FIELDS", "FieldKind", "FieldSpec", "field_spec"]


class FieldKind(str, Enum):
    """What kind of value a field holds; decides which operators make sense."""

    NUMBER = "number"
    MONEY = "money"
    RATIO = "ratio"
    BOOL = "bool"
    TEXT = "text"
    SET = "set"
    ANY = "any"  # an ``extra.`` key: its kind follows from the values used with it


@dataclass(frozen=True)
class FieldSpec:
    """A field's label for reasons, its kind, its unit and how a service worker asks for it."""

    label: str
    kind: FieldKind
    unit: str = ""
    question: str = ""
    derived: bool = False


_N, _M, _R, _B, _T, _S = (FieldKind.NUMBER, FieldKind.MONEY, FieldKind.RATIO, FieldKind.BOOL,
                          FieldKind.TEXT, FieldKind.SET)

PROFILE_FIELDS: dict[str, FieldSpec] = {
    "name": FieldSpec("企业名称", _T, question="企业全称是什么？"),
    "credit_code": FieldSpec("统一社会信用代码", _T, question="统一社会信用代码是多少？"),
    "region": FieldSpec("注册地", _T, question="企业在哪个县（市、区）注册登记？"),
    "town": FieldSpec("所在乡镇（街道）", _T, question="企业位于哪个乡镇（街道）？"),
    "park": FieldSpec("所在园区", _T, question="企业是否位于园区内？是哪个园区？"),
    "industry": FieldSpec("所属产业", _T, question="企业属于哪个产业或产业集群？"),
    "industry_code": FieldSpec("国民经济行业代码", _T, question="企业的国民经济行业代码（GB/T 4754）是什么？"),
    "industry_section": FieldSpec("行业门类", _T, question="企业的国民经济行业代码是什么？", derived=True),
    "description": FieldSpec("经营范围", _T, question="企业主要做什么产品或业务？"),
    "age_years": FieldSpec("成立年限", _N, "年", "企业是哪一年成立的？", derived=True),
    "employees": FieldSpec("从业人数", _N, "人", "企业现有从业人员多少人？"),
    "revenue": FieldSpec("上年度营业收入", _M, question="上年度营业收入是多少？"),
    "tax_paid": FieldSpec("上年度纳税额", _M, question="上年度实缴税收是多少？"),
    "rd_expense": FieldSpec("上年度研发费用", _M, question="上年度研发费用是多少？"),
    "equipment_investment": FieldSpec("设备投资额", _M, question="当年生产性设备投资额是多少？"),
    "fixed_asset_investment": FieldSpec("固定资产投资额", _M, question="当年固定资产投资额是多少？"),
    "export_value": FieldSpec("上年度出口额", _M, question="上年度出口额是多少？"),
    "loan_amount": FieldSpec("贷款金额", _M, question="企业当前有多少银行贷款？"),
    "revenue_growth": FieldSpec("营业收入增长率", _R, question="上年度营业收入比前年增长了多少？"),
    "rd_ratio": FieldSpec("研发费用占营业收入比例", _R,
                          question="上年度研发费用和营业收入各是多少？", derived=True),
    "office_area_sqm": FieldSpec("经营（办公）面积", _N, "平方米", "企业租用或自有的经营面积有多少平方米？"),
    "qualifications": FieldSpec("已获资质荣誉", _S, question="企业目前持有哪些资质或荣誉？"),
    "new_qualifications": FieldSpec("当年新获资质荣誉", _S, question="今年新认定了哪些资质或荣誉？"),
    "is_above_scale": FieldSpec("规模以上企业", _B, question="企业是否已纳入规模以上（限额以上）统计？"),
    "safety_incident_free": FieldSpec("当年未发生较大及以上安全事故", _B,
                                      question="近一年是否发生过较大及以上安全生产事故？"),
    "credit_clean": FieldSpec("未列入严重失信主体名单", _B, question="企业是否被列入严重失信主体名单？"),
    "scale_class": FieldSpec("企业规模（大/中/小/微）", _T,
                             question="企业的从业人数、营业收入和行业代码是多少？", derived=True),
    "talents.phd": FieldSpec("新引进全职博士", _N, "人", "今年新引进全职博士几人？"),
    "talents.master": FieldSpec("新引进全职硕士", _N, "人", "今年新引进全职硕士几人？"),
    "talents.bachelor": FieldSpec("新引进全日制本科生", _N, "人", "今年新引进全日制本科生几人？"),
    "talents.bachelor_fresh": FieldSpec("新引进应届高校毕业生", _N, "人", "今年新招应届高校毕业生几人？"),
    "talents.postdoc": FieldSpec("在站博士后", _N, "人", "目前有几名在站博士后？"),
    "talents.leading_talent": FieldSpec("引进领军人才", _N, "人", "今年引进了几名省级以上领军人才？"),
    "talents.high_skilled": FieldSpec("新引进高技能人才", _N, "人", "今年新引进技师、高级技师等高技能人才几人？"),
    "talents.new_hires": FieldSpec("新招用员工", _N, "人", "今年新招用并缴纳社保的员工有多少人？"),
    # quantities real clauses keep asking for (added together; keep this block last)
    "digital_investment": FieldSpec("信息化和数字化投入", _M,
                                    question="当年信息化、数字化投入（软件购置、信息技术开发等）是多少？"),
    "cloud_expense": FieldSpec("上云费用", _M, question="当年购买云服务（上云）的费用是多少？"),
    "land_area_mu": FieldSpec("用地面积", _N, "亩", "企业用地面积有多少亩？"),
    "equipment_units": FieldSpec("新购置设备台数", _N, "台", "当年新购置设备（机器人等）多少台（套）？"),
}

_ANY = FieldSpec("", FieldKind.ANY)


def field_spec(path: str) -> FieldSpec | None:
    """Return the spec of a profile field path, ``extra.<key>`` included; ``None`` if unknown.

    Examples
    --------
    >>> field_spec("revenue").label
    '上年度营业收入'
    >>> field_spec("extra.亩均评价").kind
    <FieldKind.ANY: 'any'>
    >>> field_spec("revenu") is None
    True
    """
    if path.startswith("extra."):
        key = path[len("extra."):]
        if not key.strip():
            return None
        return FieldSpec(key, FieldKind.ANY, question=f"{key}是多少？")
    if path.startswith("previous."):
        return _previous_spec(path[len("previous."):])
    return PROFILE_FIELDS.get(path)


#: The fields whose previous-year value a profile can carry (``previous.<field>``).
PREVIOUS_FIELDS = ("revenue", "tax_paid", "export_value", "rd_expense", "employees")
_PEAK = "（此前曾达到更高档次的，填此前最高值）"


def _previous_spec(name: str) -> FieldSpec | None:
    """``previous.revenue`` → 上上年度营业收入; ``previous.extra.建筑业产值`` → 前一年度建筑业产值."""
    if name.startswith("extra."):
        key = name[len("extra."):]
        if not key.strip():
            return None
        return FieldSpec(f"前一年度{key}", FieldKind.NUMBER,
                         question=f"前一年度的{key}是多少？{_PEAK}")
    if name not in PREVIOUS_FIELDS:
        return None
    spec = PROFILE_FIELDS[name]
    label = ("上上年度" + spec.label[3:]) if spec.label.startswith("上年度") else f"上一年度{spec.label}"
    return FieldSpec(label, spec.kind, spec.unit, question=f"{label}是多少？{_PEAK}")
