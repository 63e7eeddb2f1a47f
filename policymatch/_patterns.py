"""Sentence patterns behind :mod:`policymatch.extract`: quantities, dates, conditions, benefits.

Private. Text here is already normalised by the extractor (character-wise NFKC, so full-width
digits and punctuation are ASCII ``( ) , ; : %``, and simplified Chinese). Functions take an
offset ``base`` so that the spans they return are positions in the whole normalised document.

No regular expression nests quantifiers over overlapping classes and every open repetition is
bounded, so matching time stays linear in the input (no catastrophic backtracking).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from .aliases import alias_table
from .models import AllOf, AnyOf, Condition, FieldTest, Not
from .units import MAX_MONEY, parse_money

#: 1-year loan prime rate (3.0% since May 2025), assumed when a 贴息 clause names no rate.
DEFAULT_LPR = 0.03

# -- quantities -------------------------------------------------------------------------------
_CN = "零〇一二两三四五六七八九十百千"
_NUM = (rf"\d{{1,15}}(?:,\d{{3}}){{0,4}}(?:\.\d{{1,6}})?"
        rf"|[{_CN}]{{1,8}}(?:万[{_CN}]{{1,8}})?(?:点[零〇一二三四五六七八九]{{1,4}})?")
_UNIT = (r"千万元|百万元|千万|百万|亿元|万元|千元|(?:元|亿|万)(?!美元|美金|港元|港币|欧元|日元)"
         r"|个百分点|%|平方米|m2|亩|人次|人|名|个月|周岁|年|台|套|项")
_QTY_RE = re.compile(rf"百分之(?P<pn>{_NUM})|(?P<n>{_NUM})\s{{0,2}}(?P<u>{_UNIT})?")
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


# -- lexicons ---------------------------------------------------------------------------------
def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _table(spec: str) -> dict[str, str]:
    """``field: word word …`` lines → {word: field}."""
    out: dict[str, str] = {}
    for line in spec.strip().splitlines():
        key, _, words = line.partition(":")
        out.update(dict.fromkeys(words.split(), key.strip()))
    return out


_METRICS = _table("""
rd_ratio: 研发费用占营业收入比例 研发投入占营业收入比例 研发费用占营业收入 研发投入占比 研发强度
revenue_growth: 营业收入增长率 营业收入同比增长 营业收入增长 营收增长 营收增速
revenue: 主营业务收入 营业收入 销售收入 营收 网络零售额 零售额 销售额 营业额
tax_paid: 实缴税金 实缴税收 入库税收 纳税额 税收 纳税
rd_expense: 研究开发费用 研发费用 研发投入 研发经费
equipment_investment: 生产性设备投资 设备和软件投资 软硬件投资 设备投资 设备投入 设备购置
fixed_asset_investment: 固定资产投资 项目总投资 总投资 项目投资 投资额
export_value: 出口交货值 出口额 自营出口 出口
loan_amount: 贷款
employees: 从业人员 从业人数 职工人数 员工 职工 用工
office_area_sqm: 建筑面积 租用面积 办公面积 经营面积 面积
""")
_TALENTS = _table("""
talents.postdoc: 博士后
talents.phd: 博士研究生 博士
talents.master: 硕士研究生 硕士
talents.bachelor_fresh: 应届高校毕业生 应届毕业生
talents.bachelor: 本科毕业生 本科生 本科
talents.high_skilled: 高级技师 技师 高技能人才
talents.leading_talent: 领军人才
talents.new_hires: 新招用 新增就业 新吸纳
""")
_MONEY_FIELDS = {"revenue", "tax_paid", "rd_expense", "equipment_investment",
                 "fixed_asset_investment", "export_value", "loan_amount"}
_PERSONS = {"talents.phd", "talents.master", "talents.bachelor", "talents.bachelor_fresh",
            "talents.postdoc", "talents.high_skilled"}
_METRIC_RE = re.compile(_alt(list(_METRICS)))
_COUNT_RE = re.compile(_alt([*_METRICS, *_TALENTS]))
_TALENT_RE = re.compile(_alt(list(_TALENTS)))
_SECTIONS = {"批发和零售": ["G"], "批发零售": ["G"], "住宿和餐饮": ["H"], "住宿餐饮": ["H"],
             "制造业": ["C"], "工业企业": ["B", "C", "D"]}
_SECTION_RE = re.compile(_alt(list(_SECTIONS)))
_NEW = re.compile(r"新认定|新评定|首次被?认定|首次获评|首次入选|首次列入|首次获得|首次通过|当年被?认定|当年获评"
                  r"|当年评为|当年新|新获批|新获评|新获得|新评为|新列入|新入选|新晋|新通过|新获|首次")
_HELD = re.compile(r"已认定|已获|已取得|已被|属于|有效期内|持有|现有")
_VERB = re.compile(r"认定为|认定的|评定为|评为|获评|入选|列入|获批|获得|通过|创建|授予")
_SUFFIX = (r"(?:企业|中心|工厂|车间|工作站|平台|基地|示范社|农场|称号|机构|认证|冠军|小巨人|计划|品牌"
           r"|园区|研究院|实验室|工程|装备|产品|景区|民宿|项目)")
_NAME = re.compile(rf"[^,;。、的或和及]{{2,24}}?{_SUFFIX}”?(?=[,;。、的或和及]|$)")
_HONOUR = re.compile(r"认定为|评定为|评为|获评|入选|列入|获批设立|获批|获得|授予|认定")
_LEVELS = r"国家级|国家|省级|省|市级|市|县级|县"
_LEVEL_LIST = re.compile(rf"(?:{_LEVELS})(?:、(?:{_LEVELS})){{1,4}}(?=[^、,;。的]{{2,20}}?{_SUFFIX})")
_CAP_WORD = re.compile(r"(?:最高|不超过|上限为?|封顶|最多|累计不超过|总额不超过)[^,;。\d]{0,6}$")
_BOUNDARY = re.compile(r"[,;:。且或]")
_OP_BEFORE = ((re.compile(r"(?:突破|达到|达|不低于|不少于|满|≥)\s?$"), ">="),
              (re.compile(r"(?:超过|超|高于|大于|多于)\s?$"), ">"),
              (re.compile(r"(?:不超过|不高于|不大于|≤)\s?$"), "<="),
              (re.compile(r"(?:低于|不足|少于|不满|未满|小于)\s?$"), "<"))
_OP_AFTER = ((re.compile(r"^\s?(?:\(含\)以上|及以上|以上\(含\))"), ">=", 0.95),
             (re.compile(r"^\s?(?:以上\(不含\)|\(不含\)以上)"), ">", 0.95),
             (re.compile(r"^\s?(?:\(含\)以下|及以下|以下\(含\)|以内)"), "<=", 0.9),
             (re.compile(r"^\s?以下"), "<", 0.7), (re.compile(r"^\s?以上"), ">=", 0.9))
_FACTS = ((re.compile(r"安全(?:生产)?(?:责任)?事故"), "safety_incident_free", "==", True),
          (re.compile(r"严重失信|失信(?:被执行人|主体|联合惩戒)"), "credit_clean", "==", True),
          (re.compile(r"亩均[^,;。]{0,10}?D类"), "qualifications", "not_has", "亩均效益D类"))
_STOP = re.compile(r"经营|用于|银行|资金|日后|月|对|的|企业|公司|单位|当年|上年度|上一年度|年度|当期|每年|年"
                   r"|经|在|于|且|并|或者|或|其|等|及|和|与|以上|以下|含|被|已|为|首次|新|给予|达到|超过"
                   r"|突破|项目|产品|主体|之一|工业|我县|本县|我市|本市|我区|本区|全县|实施|完成|符合|条件"
                   r"|相关|认定|规定|标准")
_STRIP_CHARS = "“”\"'‘’「」()[] "


def _strip(text: str) -> str:
    return "".join(ch for ch in text if ch not in _STRIP_CHARS)


@lru_cache(maxsize=1)
def _qual_lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for canon, aliases in alias_table().qualifications.items():
        for name in (canon, *aliases):
            if len(_strip(name)) > 2:  # 科小, 高企, 金宿 … are too short to find safely in prose
                names.setdefault(_strip(name), canon)
    return re.compile(_alt(list(names))), names


@lru_cache(maxsize=1)
def _industry_lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {n: canon for canon, aliases in alias_table().industries.items()
             for n in (canon, *aliases)}
    return re.compile(rf"(?:{_alt(list(names))})(?=企业|经营主体|主体|行业|类企业|统计)"), names


# -- conditions -------------------------------------------------------------------------------
@dataclass
class Leaf:
    """One ``field op value`` found in the text, with its evidence span and confidence."""

    field: str
    op: str
    value: Any
    start: int
    end: int
    conf: float = 0.9
    role: str = "subject"  # subject | threshold | exclusion
    note: str | None = None
    negate: bool = False
    alt: int | None = None  # leaves sharing an ``alt`` id are alternatives (或)
    label: str = ""


@dataclass
class CondParse:
    """The conditions of one clause's condition part."""

    leaves: list[Leaf] = field(default_factory=list)
    subjects: list[Leaf] = field(default_factory=list)  # a parallel list, zipped by 分别
    ladder: list[Qty] = field(default_factory=list)  # listed thresholds, for tiers
    ladder_field: str | None = None
    notes: list[str] = field(default_factory=list)
    has_subject: bool = False
    firm: bool = False  # the subject is the enterprise (…的企业), not a person
    residual: str = ""

    @property
    def last_field(self) -> str | None:
        return next((lf.field for lf in reversed(self.leaves) if lf.role == "threshold"), None)


class _Marks:
    """Which characters of a text some leaf already explains."""

    def __init__(self, cp: CondParse, text: str, base: int) -> None:
        self.cp, self.base, self.taken = cp, base, bytearray(len(text))

    def add(self, leaf: Leaf, s: int, e: int) -> None:
        key = (leaf.field, leaf.op, repr(leaf.value), leaf.negate)
        if all((lf.field, lf.op, repr(lf.value), lf.negate) != key for lf in self.cp.leaves):
            self.cp.leaves.append(leaf)
        self.take(s, e)

    def take(self, s: int, e: int) -> None:
        self.taken[s:e] = b"\x01" * (e - s)

    def free(self, s: int, e: int) -> bool:
        return not any(self.taken[s:e])

    def leaf(self, m: re.Match[str], fld: str, op: str, value: Any, conf: float = 0.9,
             group: int = 0, **kw: Any) -> None:
        s, e = m.span(group)
        self.add(Leaf(fld, op, value, self.base + s, self.base + e, conf, **kw), s, e)


def parse_conditions(text: str, base: int, *, region: str | None,
                     prev_field: str | None = None, scope_only: bool = False) -> CondParse:
    """Find the conditions stated in ``text`` (the words before the benefit).

    ``scope_only`` keeps only who/where facts (region, industry, scale, safety, credit), as in
    a document's 适用范围 or 附则 sentence.
    """
    cp = CondParse()
    mk = _Marks(cp, text, base)
    m: re.Match[str] | None
    for m in re.finditer(r"的?除外", text):  # "…(的)除外": the chunk before it is negated
        s = max(text.rfind(c, 0, m.start()) for c in ",;。(") + 1
        inner = parse_conditions(text[s:m.start()], base + s, region=region).leaves
        if not inner and re.fullmatch(r"[\u4e00-\u9fff]{2,10}(?:企业|单位|公司|机构)", text[s:m.start()]):
            name = f"extra.{text[s:m.start()]}"
            inner = [Leaf(name, "==", True, base + s, base + m.end(), 0.5,
                          note=f"“{text[s:m.end()]}”记为 not {name}，请核对")]
        for lf in inner:  # a fact like 安全事故 is already read as "must not have happened"
            lf.negate, lf.role = lf.role != "exclusion", "exclusion"
            mk.add(lf, lf.start - base, lf.end - base)
        mk.take(s, m.end())
    for rx, fld, op, value in _FACTS:
        if (m := rx.search(text)) and mk.free(*m.span()):
            mk.leaf(m, fld, op, value, role="exclusion")
    for m in re.finditer(r"(尚未纳入|未纳入|尚未|未|非)?(?:规模以上|规上|限额以上|限上)", text):
        mk.leaf(m, "is_above_scale", "==", not m.group(1))
    for m in _SECTION_RE.finditer(text):
        if mk.free(*m.span()) and not (m.group() == "工业企业" and m.start() and mk.taken[m.start() - 1]):
            codes = _SECTIONS[m.group()]
            mk.leaf(m, "industry_section", "in" if len(codes) > 1 else "==",
                    codes if len(codes) > 1 else codes[0], 0.8)
    m = re.search(r"在(本县|本市|本区|我县|我市|我区|全县|本地|[\u4e00-\u9fff]{2,8}?[县市区])"
                  r"(?:行政区域|辖区|域)?内?(?:注册登记|登记注册|注册|依法登记|登记|设立|落户|创办)"
                  r"|^[\s,]*(?:对|凡)(本县|我县|县内|县域内|本市|我市|市内|本区|我区|区内)"
                  r"(?=[\u4e00-\u9fff]{0,6}(?:企业|单位|主体))", text)
    here = m and (m.group(1) or m.group(2))
    if m and here and (here[0] not in "本我全县市区" or region):
        mk.leaf(m, "region", "==", region if here[0] in "本我全县市区" else here)
    elif here:
        cp.notes.append(f"“{here}”指哪个县（市、区）未能确定，注册地条件未写入")
    if not scope_only:
        _qualifications(text, mk)
        m = re.search(r"(?:入驻|位于|落户|租用|进驻)([^,;。、的]{2,20}?(?:产业园|创业园|科创园|工业园"
                      r"|开发区|园区|孵化器|小微企业园|电商园|基地))", text)
        if m and mk.free(*m.span(1)):
            mk.leaf(m, "park", "==", m.group(1), 0.8, group=1)
            mk.take(*m.span())
    pattern, names = _industry_lexicon()
    for m in pattern.finditer(text):
        if mk.free(*m.span()):
            mk.leaf(m, "industry", "==", names[m.group()], 0.8, label=m.group())
    if scope_only:
        return cp
    m = re.search(rf"(?:注册成立|成立|注册|设立|创办)(?:时间)?(不满|未满|不足|不超过|少于|满)?({_NUM})"
                  r"\s?(?:周年|年)(以内|以下|以上|内)?", text)
    if m and (num := number(m.group(2))) is not None:
        word, tail = m.group(1) or "", m.group(3) or ""
        op = "<" if word in ("不满", "未满", "不足", "少于") or tail == "以下" else "<=" if (
            word == "不超过" or tail in ("以内", "内")) else ">="
        mk.leaf(m, "age_years", op, float(num))
    for m in _TALENT_RE.finditer(text):
        if mk.free(*m.span()):
            mk.leaf(m, _TALENTS[m.group()], ">=", 1.0, 0.85, label=m.group())
    _thresholds(text, mk, prev_field)
    talents = [lf for lf in cp.leaves if lf.field.startswith("talents.") and lf.role == "subject"]
    for lf in talents:  # "新引进博士2名以上" is a count: drop the implied ">= 1"
        if any(o.field == lf.field and o.role == "threshold" for o in cp.leaves):
            cp.leaves.remove(lf)
    if len(talents) >= 2 and not cp.subjects:
        cp.subjects = [lf for lf in talents if lf in cp.leaves]
    _alternatives(text, base, cp)
    cp.firm = bool(re.search(r"(?:企业|单位|公司|机构|主体)\s?[,:]?\s?$", text))
    cp.has_subject = bool(re.match(r"[\s,]*(?:对|凡)", text)) or any(
        lf.role == "subject" for lf in cp.leaves)
    rest = "".join(" " if mk.taken[i] else ch for i, ch in enumerate(text))
    rest = _STOP.sub(" ", re.sub(r"[^\u4e00-\u9fff]", " ", rest))
    cp.residual = re.sub(r"\s+", " ", rest).strip()
    return cp


def _qualifications(text: str, mk: _Marks) -> None:
    pattern, names = _qual_lexicon()
    keep = [i for i, ch in enumerate(text) if ch not in _STRIP_CHARS]
    view = "".join(text[i] for i in keep)
    found: list[tuple[int, int, str, float]] = []
    used = bytearray(len(text))

    def clash(s: int, e: int) -> bool:
        return any(used[s:e])

    def keep_found(s: int, e: int, name: str, conf: float) -> None:
        found.append((s, e, name, conf))
        used[s:e] = b"\x01" * (e - s)

    for m in _LEVEL_LIST.finditer(text):  # 国家级、省级农民合作社示范社
        if tail := _NAME.match(text, m.end()):
            for lvl in m.group().split("、"):
                name = _strip(lvl + tail.group())
                keep_found(m.start(), tail.end(), names.get(name, name),
                           0.85 if name in names else 0.6)
    for m in pattern.finditer(view):
        s, e = keep[m.start()], keep[m.end() - 1] + 1
        if not clash(s, e):
            keep_found(s, e, names[m.group()], 0.9)
    for m in re.finditer(r"(?:首发|成功|首次公开发行股票并)上市|交易所[^,;。]{0,6}?上市", text):
        keep_found(m.start(), m.end(), "上市公司", 0.8)
    for m in _HONOUR.finditer(text):
        pos = m.end()
        while (n := _NAME.match(text, pos)) is not None:  # a name, then maybe 、 another one
            if not clash(*n.span()):
                quoted = re.search(r"“([^”]{2,20})”", n.group())
                name = quoted.group(1) if quoted and re.match(r"[县市省]?“", n.group()) \
                    else _strip(n.group())
                keep_found(n.start(), n.end(), name, 0.6)
            if text[n.end():n.end() + 1] not in ("、", "或", "和", "及"):
                break
            pos = n.end() + 1
    groups: list[list[tuple[int, int, str, float]]] = []
    for item in sorted(f for f in found if mk.free(f[0], f[1])):
        gap = text[groups[-1][-1][1]:item[0]] if groups else "x"
        if re.fullmatch(r"\s?(?:、|或|和|及|以及)?\s?", gap):
            groups[-1].append(item)
        else:
            groups.append([item])
    for group in groups:
        s0, s1 = group[0][0], group[-1][1]
        head = text[max(0, max(text.rfind(c, 0, s0) for c in ",;。") + 1, s0 - 16):s0]
        fld, conf = ("new_qualifications", 0.9) if _NEW.search(head) else (
            ("qualifications", 0.85) if _HELD.search(head) else ("new_qualifications", 0.7)
            if _VERB.search(head) or re.search(r"(?:挂牌|上市)$", text[s0:s1])
            or re.match(r"\s?(?:挂牌|上市)", text[s1:s1 + 5]) else ("qualifications", 0.75))
        leaves: list[Leaf] = []
        for s, e, name, c in group:
            if all(lf.value != name for lf in leaves):
                note = f"资质名称“{name}”不在别名表中，请核对" if c < 0.7 else None
                leaves.append(Leaf(fld, "has", name, mk.base + s, mk.base + e, min(conf, c),
                                   note=note, label=name))
                mk.add(leaves[-1], s, e)
        if len(leaves) >= 2:
            mk.cp.subjects = leaves


def _measure(q: Qty, window: str, prev_field: str | None) -> tuple[str, float, str | None, int]:
    """The profile field a quantity measures, its confidence, a review note, the word's start."""
    metric = _last(_COUNT_RE if q.kind == "count" else _METRIC_RE, window)
    word = metric.group() if metric else ""
    fld = _METRICS.get(word) or _TALENTS.get(word, "")
    at = metric.start() if metric else len(window)
    if ((q.kind == "money" and fld in _MONEY_FIELDS)
            or (q.kind == "pct" and fld in ("rd_ratio", "revenue_growth"))
            or (q.kind == "count" and (fld == "employees" or fld.startswith("talents.")))
            or (q.kind == "area" and fld == "office_area_sqm")):
        return fld, 0.9, None, at
    if q.kind == "pct" and fld == "revenue" and re.search(r"增长|增幅|增速", window):
        return "revenue_growth", 0.8, None, at
    if not word and prev_field and q.kind == "money":
        return prev_field, 0.75, None, at
    noun = word or noun_before(window)
    name = f"extra.{noun or '指标'}" + {"mu": "(亩)", "pct": "比例", "count": "人数",
                                       "area": "(平方米)"}.get(q.kind, "")
    return name, 0.5, f"指标“{noun or window[-8:]}”未对应到画像字段，已记为 {name}", at


def _last(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(rx.finditer(text))
    return found[-1] if found else None


def noun_before(window: str) -> str:
    """The few characters naming a measure just before its number ("年产值达到" → "产值")."""
    m = re.search(r"([\u4e00-\u9fff]{2,10}?)(?:首次)?(?:达到|突破|超过|不低于|不少于|达|超|在|为)?\s?$",
                  window)
    return re.sub(r"^(?:对|年度|上年度|当年|年|其|新建|新增)+", "", m.group(1))[:12] if m else ""


def _thresholds(text: str, mk: _Marks, prev_field: str | None) -> None:
    cp, base = mk.cp, mk.base
    qs = [q for q in quantities(text, base) if q.kind in ("money", "pct", "count", "area", "mu")
          and mk.free(q.start - base, q.end - base) and text[max(0, q.start - base - 1)] != "第"]
    skip: set[int] = set()
    for i, q in enumerate(qs):
        s, e = q.start - base, q.end - base
        prev = qs[i - 1] if i else None
        if i in skip:
            continue
        if prev is not None and prev.kind == q.kind and text[prev.end - base:s].strip() == "、":
            if cp.ladder and cp.ladder[-1] is prev:  # a listed threshold: a tier, not a leaf
                cp.ladder.append(q)
            mk.take(s, e)
            continue
        cut = max((m.end() for m in _BOUNDARY.finditer(text, max(0, s - 30), s)), default=max(0, s - 30))
        fld, conf, note, at = _measure(q, text[cut:s], prev_field)
        op, c2 = _comparator(text[cut + at:s][-8:], text[e:e + 8])
        leaf = Leaf(fld, op, q.value, base + cut + at, q.end, min(conf, c2), "threshold", note)
        rng = re.match(r"\s?(?:\(含\))?\s?(?:至|到|-|—|~)\s?", text[e:e + 6])
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if rng and nxt and nxt.start - base == e + rng.end():  # "100万元至500万元"
            leaf.op = ">" if "不含" in text[e:e + 6] else ">="
            upper = "<=" if "(含)" in text[nxt.end - base:nxt.end - base + 4] else "<"
            mk.add(Leaf(fld, upper, nxt.value, nxt.start, nxt.end, leaf.conf, "threshold"),
                   nxt.start - base, nxt.end - base)
            skip.add(i + 1)
        elif nxt and nxt.kind == q.kind and text[e:nxt.start - base].strip() == "、":
            cp.ladder, cp.ladder_field = [q], fld
        mk.add(leaf, cut + at, e)


def _comparator(before: str, after: str) -> tuple[str, float]:
    for rx, op, conf in _OP_AFTER:
        if rx.search(after):
            strict = op == ">=" and re.search(r"超过|超|高于|大于", before[-4:])
            return (">" if strict else op), conf
    for rx, op in _OP_BEFORE:
        if rx.search(before):
            return op, 0.9
    return ">=", 0.55


def _alternatives(text: str, base: int, cp: CondParse) -> None:
    """``A 或 B``: the leaf just before and the leaf just after 或 become alternatives."""
    cands = sorted((lf for lf in cp.leaves if lf.role != "exclusion" and lf not in cp.subjects),
                   key=lambda lf: lf.start)
    for gid, m in enumerate(re.finditer(r"或者?|之一", text)):
        p = base + m.start()
        if m.group() == "之一":
            group = [lf for lf in cands if lf.role == "threshold"]
        else:
            left = [lf for lf in cands if lf.end <= p and not re.search(
                r"[;。]", text[lf.end - base:m.start()])]
            right = [lf for lf in cands if lf.start > p]
            group = [left[-1], right[0]] if left and right else []
        if len(group) >= 2:
            ids = {lf.alt for lf in group if lf.alt is not None}
            for lf in cp.leaves:
                if lf in group or lf.alt in ids:
                    lf.alt = min(ids, default=gid)


def build_condition(leaves: list[Leaf], notes: list[str]) -> Condition | None:
    """Leaves → one condition tree: AND of plain leaves, OR groups (或) and a NOT of exclusions."""
    plain: list[Condition] = []
    alts: dict[int, list[Condition]] = {}
    negs: list[Condition] = []
    seen: set[str] = set()
    for lf in leaves:
        try:
            ft = FieldTest(field=lf.field, op=lf.op, value=lf.value)
        except ValidationError as exc:
            notes.append(f"条件 {lf.field} {lf.op} {lf.value!r} 无法写入：{exc.errors()[0]['msg']}")
            continue
        key = f"{lf.negate}{lf.alt}{ft.model_dump_json()}"
        if key not in seen:
            seen.add(key)
            (negs if lf.negate else alts.setdefault(lf.alt, []) if lf.alt is not None
             else plain).append(ft)
    parts = plain + [AnyOf(of=tuple(g)) if len(g) > 1 else g[0] for g in alts.values()]
    if negs:
        parts.append(Not(of=AllOf(of=tuple(negs)) if len(negs) > 1 else negs[0]))
    return None if not parts else parts[0] if len(parts) == 1 else AllOf(of=tuple(parts))


# -- benefits ---------------------------------------------------------------------------------
_VERB_RE = re.compile(r"给予|予以|奖励|补助|补贴|资助|奖补|贴息|发放|补偿")
_PER_RE = re.compile(r"每(?:[\u4e00-\u9fff]{0,6}?)(?:\d{1,4}|一)?\s?(人次|人|名|平方米|m2|亩|台|套|项)"
                     r"|元\s?/\s?(人次|人|名|平方米|m2|亩|台|套|项)")
_AWARD = re.compile(r"(?:补助|奖励|给予|补贴|资助|奖补)\s?$")
_STEP = re.compile(r"每(?:同比)?(?:增加|增长|新增|多)")


def benefit_start(text: str) -> int | None:
    """Where the benefit words begin in a segment, or ``None`` if it grants nothing countable."""
    for v in _VERB_RE.finditer(text):
        cut = max(text.rfind(c, 0, v.start()) for c in ",;:") + 1
        pre = text[cut:v.start()]
        b = v.start() if re.search(r"对|凡", pre) else cut
        if b == v.start() and (k := pre.find("按")) >= 0 and not re.search(r"对|凡", pre[k:]):
            b = cut + k
        prev_cut = max(text.rfind(c, 0, max(0, cut - 1)) for c in ",;:") + 1
        if b == cut and _STEP.search(text[prev_cut:cut]):
            b = prev_cut  # "每增加1000万元，奖励10万元"
        part = text[b:]
        if "贴息" in part or "利息" in part or any(q.kind in ("money", "pct")
                                                  for q in quantities(part)):
            return b
    return None


def only_limits(text: str) -> bool:
    """A sentence that only bounds the previous award ("单个企业最高不超过50万元")."""
    money = [q for q in quantities(text) if q.kind in ("money", "pct")]
    return bool(money) and not re.match(r"\s*(?:对|凡)", text) and all(
        _CAP_WORD.search(text[max(0, q.start - 14):q.start]) for q in money)


@dataclass
class BenefitDraft:
    """One benefit read from a benefit part, before model validation."""

    data: dict[str, Any]
    fields: dict[str, tuple[Any, int, int, float]] = field(default_factory=dict)
    subject: int | None = None  # index into CondParse.subjects
    notes: list[str] = field(default_factory=list)

    def put(self, key: str, q: Qty | None, value: Any = None, conf: float = 0.95) -> None:
        if q is not None:
            self.data[key] = q.value if value is None else value
            self.fields[f"benefit.{key}"] = (self.data[key], q.start, q.end, conf)


def parse_benefits(text: str, base: int, cp: CondParse) -> list[BenefitDraft]:
    """Read the benefit(s) of a benefit part; several for a 分别 list zipped with subjects."""
    qs = quantities(text, base)
    resp = bool(re.search(r"分别|依次|相应", text))
    mains: list[Qty] = []
    caps: list[Qty] = []
    pcts: list[Qty] = []
    durs: list[Qty] = []
    limits: list[Qty] = []
    floor: Qty | None = None
    for i, q in enumerate(qs):
        s, e = q.start - base, q.end - base
        before, after = text[max(0, s - 14):s], text[e:e + 4]
        capped = bool(_CAP_WORD.search(before)) or (before.endswith("以") and after[:2] == "为限")
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if q.kind == "money" and before.endswith("不足") and nxt and nxt.kind == "money" and \
                re.fullmatch(r"的?,?按", text[e:nxt.start - base]):
            floor = nxt  # "不足2万元的按2万元兑现"
        elif q is not floor and q.kind in ("money", "pct"):
            (pcts if q.kind == "pct" else caps if capped else mains).append(q)
        elif q.kind in ("year", "month") and q.value < 100 and before[-1:] != "第" and after[:1] != "期":
            durs.append(q)
        elif capped and q.kind in ("area", "unit", "mu", "count"):
            limits.append(q)
    durs.sort(key=lambda q: not re.search(r"期|最长|连续|为期|补贴|发放|享受|补助",
                                          text[max(0, q.start - base - 6):q.start - base]))
    per = _PER_RE.search(text)
    cap = caps[-1] if caps and (mains or pcts or per) else None
    if re.search(r"贴息|利息", text):
        d = BenefitDraft({"kind": "interest", "base_rate": DEFAULT_LPR, "share": 1.0})
        d.fields["benefit.kind"] = ("interest", base, base + len(text), 0.9)
        d.fields["benefit.base_rate"] = (DEFAULT_LPR, base, base + len(text), 0.4)
        d.put("share", pcts[0] if pcts else None)
        d.notes += [] if pcts or "全额" in text else ["贴息比例未写明，按全额贴息记录"]
        d.notes.append(f"基准利率未写明，按 LPR {DEFAULT_LPR:.1%} 测算")
        if durs:
            d.put("years", durs[0], durs[0].value / (12 if durs[0].kind == "month" else 1))
        d.put("cap", cap)
        return [d]
    if (bands := _bands(text, base, qs, cp)) is not None:
        bands.put("cap", cap)
        return [bands]
    if (steps := _increments(text, base, qs, caps)) is not None:
        return [steps]
    persons = any(lf.field in _PERSONS for lf in cp.leaves) and not cp.firm and not any(
        lf.field.endswith("qualifications") for lf in cp.leaves)
    if per or (persons and mains and not pcts):
        return _per_unit(text, base, cp, per, mains or caps[:1], cap if mains else None, durs,
                         limits, resp)
    if pcts := [q for q in pcts if not re.search(r"利率|LPR", text[:q.start - base])]:
        if cp.ladder and resp and len(pcts) == len(cp.ladder) and cp.ladder_field:
            d = BenefitDraft({"kind": "tiers", "field": cp.ladder_field, "tiers": [
                {"at": t.value, "rate": p.value} for t, p in zip(cp.ladder, pcts, strict=True)]})
        else:
            fld, conf = _ratio_base(text[:pcts[0].start - base], cp)
            d = BenefitDraft({"kind": "ratio", "field": fld})
            d.fields["benefit.field"] = (fld, pcts[0].start, pcts[0].end, conf)
            d.notes += [f"补助基数未对应到画像字段，已记为 {fld}"] if conf < 0.7 else []
            d.put("rate", pcts[0])
            d.put("floor", floor)
        d.put("cap", cap)
        return [d]
    if not mains and caps:  # "给予最高50万元补助": the ceiling is the award
        mains, cap = caps[:1], None
    if not mains:
        return []
    if cp.ladder and resp and len(mains) == len(cp.ladder) and cp.ladder_field:
        d = BenefitDraft({"kind": "tiers", "field": cp.ladder_field, "tiers": [
            {"at": t.value, "amount": a.value} for t, a in zip(cp.ladder, mains, strict=True)]})
        d.fields["benefit.tiers"] = (d.data["tiers"], cp.ladder[0].start, mains[-1].end, 0.9)
        d.put("cap", cap)
        return [d]
    n_sub = len(cp.subjects)
    if resp and n_sub >= 2 and len(mains) in (1, n_sub):
        picks = [mains[0]] * n_sub if len(mains) == 1 else mains
    else:
        picks = mains[:max(1, min(len(mains), n_sub))] if resp else mains[:1]
    drafts = []
    for i, q in enumerate(picks):
        up_to = bool(_CAP_WORD.search(text[max(0, q.start - base - 14):q.start - base]))
        d = BenefitDraft({"kind": "fixed", "up_to": up_to})
        d.put("amount", q, conf=0.95 if len(picks) == len(mains) else 0.5)
        d.subject = i if n_sub >= 2 and len(picks) == n_sub else None
        if resp and len(mains) > 1 and len(mains) != max(n_sub, 1):
            d.notes.append(f"分别列举的对象（{n_sub}个）与金额（{len(mains)}个）数量不一致")
        drafts.append(d)
    return drafts


def _per_unit(text: str, base: int, cp: CondParse, per: re.Match[str] | None, rates: list[Qty],
              cap: Qty | None, durs: list[Qty], limits: list[Qty], resp: bool) -> list[BenefitDraft]:
    unit = (per.group(1) or per.group(2)) if per else "人"
    unit = {"m2": "平方米", "名": "人"}.get(unit, unit)
    if per and not per.group(2):
        rates = [q for q in rates if q.start >= base + per.start()] or rates
    near = text[:rates[0].end - base + 6] if rates else text  # not "每年最高…" after the rate
    period = "month" if re.search(r"每月|/月|按月", near) else "year" if re.search(
        r"每年|/年|按年", near) else "once"
    n = durs[0].value * (12 if durs[0].kind == "year" and period == "month" else 1) if durs else 0
    drafts = []
    for i, q in enumerate(rates if resp else rates[:1]):
        if unit == "平方米" and period == "month" and re.search(r"租金|房租|租房|租赁|用房|厂房", text):
            d = BenefitDraft({"kind": "rent"})
            d.put("months", durs[0] if durs else None, int(n))
            d.notes += [] if durs else ["补贴期限未写明，按12个月记录"]
            d.put("max_area", limits[0] if limits else None)
        else:
            d = BenefitDraft({"kind": "per_unit", "unit": unit, "period": period,
                              "field": _unit_field(unit, cp, i, text)})
            if period != "once" and n:
                d.put("duration", durs[0], int(n))
            d.put("max_units", limits[0] if limits else None)
        d.put("rate", q)
        d.put("cap", cap)
        d.subject = i if resp and len(cp.subjects) == len(rates) else None
        d.fields["benefit.kind"] = (d.data["kind"], q.start, q.end, 0.9 if per else 0.75)
        drafts.append(d)
    return drafts


def _bands(text: str, base: int, qs: list[Qty], cp: CondParse) -> BenefitDraft | None:
    """"10万元以上不足20万元的补助15%，20万元以上的补助25%": a banded ladder."""
    bands: list[tuple[Qty, Qty]] = []
    for chunk in re.finditer(r"[^,;:。]+", text):
        inside = [q for q in qs if chunk.start() <= q.start - base < chunk.end()
                  and q.kind in ("money", "pct")]
        award = next((q for q in inside if _AWARD.search(text[chunk.start():q.start - base])), None)
        ats = [q for q in inside if award and q.start < award.start]
        if award and ats:
            bands.append((ats[0], award))
    if len(bands) < 2 or len({a.kind for _, a in bands}) > 1 or any(
            b[0].value <= a[0].value for a, b in pairwise(bands)):
        return None
    first = bands[0][0]
    window = text[:first.start - base][-30:]
    fld, conf, note, _ = _measure(first, window, cp.last_field)
    key = "rate" if bands[0][1].kind == "pct" else "amount"
    d = BenefitDraft({"kind": "tiers", "field": fld,
                      "tiers": [{"at": a.value, key: b.value} for a, b in bands]})
    d.fields["benefit.tiers"] = (d.data["tiers"], first.start, bands[-1][1].end, min(conf, 0.85))
    d.notes += [note] if note else []
    return d


def _increments(text: str, base: int, qs: list[Qty], caps: list[Qty]) -> BenefitDraft | None:
    """"每增加1000万元，奖励10万元，最高50万元": a ladder of equal steps up to the cap."""
    m = _STEP.search(text)
    steps = [q for q in qs if m and q.kind == "money" and q.start - base >= m.end()]
    if not m or len(steps) < 2 or steps[0].start - base != m.end() or not caps:
        return None
    step, award, cap = steps[0], steps[1], caps[-1]
    n = min(int(cap.value // award.value), 20) if award.value else 0
    metric = _last(_METRIC_RE, text[:m.start()])
    name = f"extra.{metric.group() if metric else noun_before(text[:m.start()]) or '指标'}增量"
    d = BenefitDraft({"kind": "tiers", "field": name, "tiers": [
        {"at": step.value * k, "amount": award.value * k} for k in range(1, n + 1)]})
    d.fields["benefit.tiers"] = (d.data["tiers"], step.start, cap.end, 0.6)
    d.notes.append(f"按增量计奖（每{step.value:g}元奖{award.value:g}元），已展开为{n}档，基数记为 {name}")
    return d if n >= 1 else None


def _unit_field(unit: str, cp: CondParse, i: int, text: str) -> str:
    if unit == "人":
        if cp.subjects and all(s.field.startswith("talents.") for s in cp.subjects):
            return cp.subjects[min(i, len(cp.subjects) - 1)].field
        talents = [lf.field for lf in cp.leaves if lf.field.startswith("talents.")]
        return talents[0] if talents else "talents.new_hires" if re.search(
            r"新招用|新增就业|吸纳", text) else "employees"
    if unit == "平方米":
        return "office_area_sqm"
    return next((lf.field for lf in cp.leaves if lf.field.startswith("extra.") and unit in lf.field),
                f"extra.数量({unit})")


def _ratio_base(before: str, cp: CondParse) -> tuple[str, float]:
    m = re.search(r"按(?:照)?(?:其)?([^,;。按]{1,24}?)的\s?$", before)
    if not m:
        return (cp.last_field, 0.7) if cp.last_field else ("extra.基数", 0.4)
    if hit := _METRIC_RE.search(m.group(1)):
        return _METRICS[hit.group()], 0.9
    noun = re.sub(r"^(?:上年度|当年|年度|新增)+|(?:额|总额|金额)$", "",
                  re.sub(r"实际|缴纳|支付|发生", "", m.group(1)))
    return f"extra.{noun[:16] or '基数'}", 0.5


# -- one numbered item → clause drafts -----------------------------------------------------------
_RULE = re.compile(r"就高|从高|不重复|不得重复|不可同时|不同时享受|差额")
_EXCLUSIVE = re.compile(r"就高|从高|不重复|不得重复|不可同时|不同时享受")
_MODE = re.compile(r"免申即享|快申快享|依申请")
_MODIFIER = re.compile(r"最高|不超过|上限|封顶|最长|期限|连续|面积|单个|累计|其中|分年|比例发放")
_SELF = re.compile(r"\s*本(?:政策|办法|意见|细则|措施|规定|通知)")


@dataclass
class Draft:
    """One clause drafted from an item: its sentences, conditions and benefit."""

    spans: list[tuple[int, int]]
    leaves: list[Leaf]
    benefit: dict[str, Any]
    bfields: dict[str, tuple[Any, int, int, float]]
    notes: list[str]
    label: str = ""
    residual: str = ""
    ladder: bool = False  # one of a parallel list of honours of one family
    exclusive: bool = False  # the item says 就高 / 不重复 and has several clauses


def segments(work: str, s: int, e: int) -> list[tuple[int, int]]:
    """Sentences of ``work[s:e]`` split at top-level 。 and ；, each keeping its terminator."""
    out, depth, start = [], 0, s
    for i in range(s, e):
        ch = work[i]
        depth = depth + 1 if ch in "(《“[" else max(0, depth - 1) if ch in ")》”]" else (
            0 if ch == "\n" else depth)
        if (ch in "。;" and depth == 0) or i == e - 1:
            a, b = start, i + 1
            while a < b and work[a].isspace():
                a += 1
            while b > a and work[b - 1].isspace():
                b -= 1
            if a < b:
                out.append((a, b))
            start = i + 1
    return out


def split_item(work: str, s: int, e: int, *, region: str | None,
               inherited: list[Leaf]) -> list[Draft]:
    """Clauses of one item: one per benefit (``；``), per 分别 subject, or one in-kind clause."""
    segs = segments(work, s, e)
    groups: list[tuple[list[tuple[int, int]], int]] = []
    rules: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []
    for a, b in segs:
        bs = benefit_start(work[a:b])
        if bs is not None and not (groups and only_limits(work[a:b])):
            groups.append(([*pending, (a, b)], a + bs))
            pending = []
        elif bs is not None or (groups and not _RULE.search(work[a:b]) and _MODIFIER.search(work[a:b])):
            groups[-1][0].append((a, b))
        else:
            (rules if _RULE.search(work[a:b]) or _MODE.search(work[a:b]) else pending).append((a, b))
    if pending and groups:
        groups[-1][0].extend(pending)
    if not groups:
        if not segs or _SELF.match(work[segs[0][0]:segs[0][1]]):
            return []
        a, b = segs[0][0], segs[-1][1]
        lead = re.match(r"\s*(?:对|凡)[^,;。]{1,80}?的[^,;。]{0,20}?,", work[a:b])
        cp = parse_conditions(lead.group() if lead else "", a, region=region)
        leaves = [lf for lf in cp.leaves if lf not in cp.subjects] + _subject_leaves(cp, None)
        return [Draft(segs, leaves + _copy(inherited, cp), {"kind": "in_kind"},
                      {"benefit.kind": ("in_kind", a, b, 0.85)}, list(cp.notes))]
    drafts: list[Draft] = []
    prev: CondParse | None = None
    for spans, bstart in groups:
        a, end = spans[0][0], spans[-1][1]
        cp = parse_conditions(work[a:bstart], a, region=region,
                              prev_field=prev.last_field if prev else None)
        if prev is not None and not cp.leaves:  # "；再给予5万元": the same conditions again
            cp.leaves = _copy(prev.leaves, cp)
        elif prev is not None and not cp.has_subject:  # "；达到5000万元以上的，…": same subject
            cp.leaves += [lf for lf in _copy(prev.leaves, cp) if lf.role != "threshold"]
        for x in re.finditer(r"[^,;。]{2,40}?除外", work[bstart:end]):  # "…，国有企业除外"
            xs = bstart + x.start()
            cp.leaves += [lf for lf in parse_conditions(x.group(), xs, region=region).leaves
                          if lf.role == "exclusion"]
        own = cp.leaves + _copy(inherited, cp)
        names = [str(x.value) for x in cp.subjects if x.field.endswith("qualifications")]
        for bd in parse_benefits(work[bstart:end], bstart, cp):
            subj = cp.subjects[bd.subject] if bd.subject is not None else None
            leaves = [lf for lf in own if lf not in cp.subjects] + _subject_leaves(cp, subj)
            drafts.append(Draft(spans, sorted(leaves, key=lambda lf: lf.start), bd.data, bd.fields,
                                cp.notes + bd.notes, subj.label if subj else "", cp.residual,
                                ladder=subj is not None and _family(names)))
        prev = cp
    exclusive = len(drafts) >= 2 and any(_EXCLUSIVE.search(work[a:b]) for a, b in rules)
    top_up = "差额" in work[s:e]
    for d in drafts:
        d.spans = sorted(set(d.spans + rules[:5]))
        d.exclusive = exclusive
        d.notes += ["含晋级差额（补差）规定，金额未按差额结构化"] if top_up else []
    return drafts


def _family(names: list[str]) -> bool:
    """Honours of one family: different levels (国家/省/市/县) or one shared head noun."""
    if len(names) < 2:
        return False
    levels = {m.group() if (m := re.search(r"国家|省|市|县", n)) else "" for n in names}
    common = 0
    while common < min(map(len, names)) and len({n[-1 - common] for n in names}) == 1:
        common += 1
    return len(levels) >= 2 or common >= 4


def _copy(leaves: list[Leaf], cp: CondParse) -> list[Leaf]:
    have = {(lf.field, lf.op) for lf in cp.leaves}
    return [Leaf(lf.field, lf.op, lf.value, lf.start, lf.end, round(lf.conf * 0.9, 3), lf.role,
                 lf.note, lf.negate, lf.alt, lf.label)
            for lf in leaves if (lf.field, lf.op) not in have and lf not in cp.subjects]


def _subject_leaves(cp: CondParse, chosen: Leaf | None) -> list[Leaf]:
    """The subject of one clause: the zipped one, or the whole list as alternatives."""
    subs = cp.subjects
    if chosen is not None or not subs:
        return [chosen] if chosen is not None else []
    if subs[0].field.endswith("qualifications"):
        return [Leaf(subs[0].field, "has", [x.value for x in subs], subs[0].start, subs[-1].end,
                     min(x.conf for x in subs), label=subs[0].label)]
    return [Leaf(x.field, x.op, x.value, x.start, x.end, x.conf, alt=999) for x in subs]
