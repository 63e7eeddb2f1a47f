"""Condition phrases of a clause (who, where, which honours, which thresholds) → leaves.

Private, used by :mod:`policymatch.extract` and :mod:`policymatch.extract.drafts`. Text is normalised
and spans are offset by ``base`` as described in :mod:`policymatch.extract.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from ..aliases import alias_table
from ..models import AllOf, AnyOf, Condition, FieldTest, Not, Unstructured
from .numbers import NUM, Qty, number, quantities

#: ``Leaf.field`` of words kept as an unstructured condition (``value`` holds the words).
UNSTRUCTURED = "unstructured"


# -- lexicons ---------------------------------------------------------------------------------
def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _table(spec: str) -> dict[str, str]:
    """``field: word word …`` lines → {word: field}."""
    out: dict[str, str] = {}
    key = ""
    for line in spec.strip().splitlines():
        if line.startswith(" "):  # an indented line continues the previous field's words
            words = line
        else:
            key, _, words = line.partition(":")
        out.update(dict.fromkeys(words.split(), key.strip()))
    return out


METRICS = _table("""
rd_ratio: 研发费用占营业收入比例 研发投入占营业收入比例 研发费用占营业收入 研发投入占比 研发强度
    占营业收入比例 占营业收入的比例 占销售收入比例 占销售收入的比例
digital_investment: 信息化和数字化投入 信息化、数字化投入 数字化和信息化投入 信息化投入 数字化投入
    数字化改造投入 信息化建设投入
cloud_expense: 上云费用 云服务费用 上云支出 购买云服务费用
land_area_mu: 用地面积 占地面积 土地面积
equipment_units: 工业机器人 机器人 数控机床 设备台数 台数
extra.亩均税收: 亩均税收 亩均税收贡献
extra.亩均增加值: 亩均增加值
extra.网络零售额: 网络零售额 网上零售额 网络销售额
extra.软件业务收入: 软件业务收入
revenue_growth: 营业收入增长率 营业收入同比增长 营业收入增长 营收增长 营收增速
revenue: 主营业务收入 营业收入 销售收入 营收 零售额 销售额 营业额
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
                 "fixed_asset_investment", "export_value", "loan_amount", "digital_investment",
                 "cloud_expense"}
METRIC_RE = re.compile(_alt(list(METRICS)))
_COUNT_RE = re.compile(_alt([*METRICS, *_TALENTS]))
_TALENT_RE = re.compile(_alt(list(_TALENTS)))
_SECTIONS = {"批发和零售": ["F"], "批发零售": ["F"], "住宿和餐饮": ["H"], "住宿餐饮": ["H"],
             "制造业": ["C"], "工业企业": ["B", "C", "D"]}
_SECTION_RE = re.compile(_alt(list(_SECTIONS)))
_NEW = re.compile(r"新认定|新评定|首次被?认定|首次获评|首次入选|首次列入|首次获得|首次通过|当年被?认定|当年获评"
                  r"|当年评为|当年新|当年获得|当年入选|当年列入|新获批|新获评|新获得|新评为|新列入|新入选"
                  r"|新晋|新通过|新获|首次(?=[\u4e00-\u9fff]{0,2}(?:认定|评为|获|入选|列入|通过|上市|挂牌))")
_HELD = re.compile(r"已认定|已获|已取得|已被|属于|有效期内|持有|现有")
_VERB = re.compile(r"认定为|认定的|评定为|评为|获评|入选|列入|获批|获得|通过|创建|授予")
_SUFFIX = (r"(?:企业|中心|工厂|车间|工作站|平台|基地|示范社|农场|称号|机构|认证|冠军|小巨人|计划|品牌"
           r"|园区|园|研究院|实验室|工程|装备|产品|景区|民宿|项目|奖)")
_NAME = re.compile(rf"[^,;。、的或和及]{{2,24}}?{_SUFFIX}”?(?=[,;。、的或和及]|认定|称号|资格|$)")
_HONOUR = re.compile(r"认定为|评定为|评为|获评|入选|列入|获批设立|获批|获得|授予|认定")
_LEVELS = r"国家级|国家|省级|省|市级|市|县级|县|[一二三四五六七八九]星级?"
_LEVEL_LIST = re.compile(rf"(?:{_LEVELS})(?:、(?:{_LEVELS})){{1,4}}(?=[^、,;。的]{{2,20}}?{_SUFFIX})")
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
                     prev_field: str | None = None, scope_only: bool = False,
                     keep_words: bool = True) -> CondParse:
    """Find the conditions stated in ``text`` (the words before the benefit).

    ``scope_only`` keeps only who/where facts (region, industry, scale, safety, credit), as in
    a document's 适用范围 or 附则 sentence. ``keep_words`` keeps words no leaf explains as
    unstructured leaves (not for a heading such as "（一）支持企业加大研发投入。").
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
        if keep_words:
            _keep_unexplained(text, mk)
        return cp
    m = re.search(rf"(?:注册成立|成立|注册|设立|创办)(?:时间)?(不满|未满|不足|不超过|少于|满)?({NUM})"
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
    if keep_words:
        _keep_unexplained(text, mk)
    return cp


_FILLER = re.compile(r"本(?:政策|细则|办法|意见|措施|规定)|适用于|适用|所称|是指|指的是|行政区域|辖区|区域"
                     r"|依法注册|依法登记|依法设立|注册登记|登记注册|注册|登记|相应|分别|按照|按|给予|其中|以及|以上|以下|同时"
                     r"|纳入|入统|统计|工业|服务业|批发零售业|住宿餐饮业|行业|境内外|证券交易所|交易所"
                     r"|新引进|引进|全职|全日制|认定为|评定为|评为|获评|入选|列入|获批|获得|取得|创建"
                     r"|授予|设立|新认定|新获|实施|完成|技术改造项目|技改项目|技术改造|技改|年度|每年"
                     r"|县级|市级|省级|国家级|称号|资格|荣誉|一次性|有效期内|持有|已获|现有|属于")
_LEAD = re.compile(r"(?:^|[,;:。])\s*(?:对|凡)")
_ASIDE = re.compile(r"\((?:含|包括|包含|不含|下同|以下简称)[^()]*\)")


def unexplained(text: str, taken: bytearray | None = None) -> list[tuple[int, int]]:
    """Chunks of a condition part (between , ; : 。) holding words no leaf explains.

    A chunk counts when at least four Chinese characters of it are neither explained by a
    leaf nor filler (对, 的, 企业, 当年, 本政策, 适用于 …); a parenthesis that only says what a
    quantity includes (含…、包括…) is not a requirement.
    """
    out = []
    lead = _LEAD.search(text)
    for m in re.finditer(r"[^,;:。]+", text):
        s, e = m.span()
        if lead and e <= lead.start():
            continue  # a heading or preamble before "对…": not a condition
        chars = [" " if (taken is not None and taken[i]) else text[i] for i in range(s, e)]
        chunk = _ASIDE.sub(lambda x: " " * len(x.group()), "".join(chars))
        rest = _STOP.sub(lambda x: " " * len(x.group()), _FILLER.sub(
            lambda x: " " * len(x.group()), re.sub(r"[^\u4e00-\u9fff]", " ", chunk)))
        if len(rest.replace(" ", "")) >= 4:
            free = [i for i, ch in enumerate(rest) if ch != " "]
            a, b = s + free[0], s + free[-1] + 1  # from the first to the last unexplained word
            while a > s and re.match(r"[\u4e00-\u9fff0-9]", text[a - 1]) and not (
                    taken is not None and taken[a - 1]) and text[a - 1] not in "对凡在的、":
                a -= 1
            while b < e and re.match(r"[\u4e00-\u9fff]", text[b]) and not (
                    taken is not None and taken[b]) and text[b] not in "的、":
                b += 1
            out.append((a, b))
    return out


def _keep_unexplained(text: str, mk: _Marks) -> None:
    """Words of the condition part no leaf explains become unstructured leaves (kept, unknown)."""
    for s, e in unexplained(text, mk.taken):
        words = text[s:e].strip()
        if words and not any(lf.field == UNSTRUCTURED and lf.value == words for lf in mk.cp.leaves):
            mk.cp.leaves.append(Leaf(UNSTRUCTURED, "?", words, mk.base + s, mk.base + e, 0.5,
                                     "requirement"))


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
            at = m.start()
            for lvl in m.group().split("、"):  # each level at its own place, so order is kept
                name = _strip(lvl + tail.group())
                keep_found(at, tail.end(), names.get(name, name), 0.85 if name in names else 0.7)
                at += len(lvl) + 1
    for m in pattern.finditer(view):
        s, e = keep[m.start()], keep[m.end() - 1] + 1
        if not clash(s, e):
            keep_found(s, e, names[m.group()], 0.9)
    for m in re.finditer(r"(?:首发|成功|首次公开发行股票并)上市|交易所[^,;。]{0,6}?上市", text):
        keep_found(m.start(), m.end(), "上市公司", 0.8)
    for m in _HONOUR.finditer(text):
        pos, first = m.end(), ""
        while (n := _NAME.match(text, pos)) is not None:  # a name, then maybe 、 another one
            if not clash(*n.span()):
                quoted = re.search(r"“([^”]{2,20})”", n.group())
                name = quoted.group(1) if quoted and re.match(r"[县市省]?“", n.group()) \
                    else _strip(n.group())
                if first and len(name) <= 4 < len(first) and first[-2:] == name[-2:]:
                    name = first[:len(first) - len(name)] + name  # 县长质量奖一等奖、二等奖
                keep_found(n.start(), n.end(), names.get(name, name), 0.7)
                first = first or name
            if text[n.end():n.end() + 1] not in ("、", "或", "和", "及"):
                break
            pos = n.end() + 1
            if re.match(r"(?:新|当年|首次|已)?(?:通过|获得|取得|认定|评为|获评|入选|列入|获批|创建|授予)",
                        text[pos:]):
                break  # "…、通过质量管理体系认证": a requirement of its own, not one more name
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
        prize = all("奖" in name for _, _, name, _ in group)
        fld, conf = ("new_qualifications", 0.9) if _NEW.search(head) else (
            # "对获得…奖的": a prize is won in a year, and the award is for winning it. Read as
            # newly won, the narrower reading, so a firm that won it years ago is not granted.
            ("new_qualifications", 0.75) if prize and re.search(r"(?:获得|取得|荣获)[^,;。]{0,12}$", head)
            else
            ("qualifications", 0.85) if _HELD.search(head) else ("qualifications", 0.75)
            if re.search(r"(?:获得|取得|通过)[^,;。]{0,12}$", head) else ("new_qualifications", 0.7)
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


def measure(q: Qty, window: str, prev_field: str | None) -> tuple[str, float, str | None, int]:
    """The profile field a quantity measures, its confidence, a review note, the word's start."""
    metric = last_match(_COUNT_RE if q.kind == "count" else METRIC_RE, window)
    word = metric.group() if metric else ""
    fld = METRICS.get(word) or _TALENTS.get(word, "")
    at = metric.start() if metric else len(window)
    if fld.startswith("extra.") and q.kind in ("money", "num", "pct"):
        return fld, 0.8, None, at  # a named measure with no profile field (亩均税收 …)
    if ((q.kind == "money" and fld in _MONEY_FIELDS)
            or (q.kind == "mu" and fld == "land_area_mu")
            or (q.kind == "unit" and fld == "equipment_units")
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


def last_match(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(rx.finditer(text))
    return found[-1] if found else None


def noun_before(window: str) -> str:
    """The few characters naming a measure just before its number ("年产值达到" → "产值")."""
    m = re.search(r"([\u4e00-\u9fff]{2,10}?)(?:首次)?(?:达到|突破|超过|不低于|不少于|达|超|在|为)?\s?$",
                  window)
    return re.sub(r"^(?:对|年度|上年度|当年|年|其|新建|新增)+", "", m.group(1))[:12] if m else ""


def _thresholds(text: str, mk: _Marks, prev_field: str | None) -> None:
    cp, base = mk.cp, mk.base
    kinds = ("money", "pct", "count", "area", "mu") + (("unit",) if re.search(r"台|套", text) else ())
    qs = [q for q in quantities(text, base) if q.kind in kinds
          and mk.free(q.start - base, q.end - base) and text[max(0, q.start - base - 1)] != "第"]
    skip: set[int] = set()
    firsts: list[Leaf] = []
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
        fld, conf, note, at = measure(q, text[cut:s], prev_field)
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
        if leaf.op in (">=", ">") and re.search(r"首次\s?(?:突破|达到|达|超过|超|迈上|跨上)\s?$",
                                               text[cut + at:s]):
            leaf.op = "first" + leaf.op  # a milestone: this year at or over it, last year not
            firsts.append(leaf)
        mk.add(leaf, cut + at, e)
    for leaf in firsts:  # a 首次突破 ladder: every listed threshold is a milestone
        if cp.ladder and cp.ladder_field == leaf.field and cp.ladder[0].value == leaf.value:
            leaf.value = [t.value for t in cp.ladder]


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


def _milestone(lf: Leaf, notes: list[str], source: Any) -> Condition:
    """首次突破 T1、T2…: any tier reached this year that the previous year had not reached."""
    op = lf.op[len("first"):]
    below = "<" if op == ">=" else "<="
    tiers = lf.value if isinstance(lf.value, list) else [lf.value]
    try:
        parts: list[Condition] = [AllOf(of=(FieldTest(field=lf.field, op=op, value=t),
                                            FieldTest(field=f"previous.{lf.field}", op=below,
                                                      value=t))) for t in tiers]
    except ValidationError:  # no previous-year figure for this measure: keep the words
        words = source.orig(lf.start, lf.end).strip() if source is not None else str(lf.value)
        notes.append(f"“{words}”是首次达到的条件，上一年度数值没有对应字段，请核对")
        lowest = FieldTest(field=lf.field, op=op, value=min(tiers))
        return AllOf(of=(lowest, Unstructured(text=f"上一年度未达到：{words}"[:500])))
    return parts[0] if len(parts) == 1 else AnyOf(of=tuple(parts))


def build_condition(leaves: list[Leaf], notes: list[str],
                    source: Any = None) -> Condition | None:
    """Leaves → one condition tree: AND of plain leaves, OR groups (或) and a NOT of exclusions.

    Unstructured leaves are required words (``all``), whatever their ``alt``; with ``source``
    (an object with ``orig(s, e)`` and ``span(s, e)``) they keep the original words and span.
    A leaf that cannot be a valid field test is kept as unstructured words, never dropped.
    """
    plain: list[Condition] = []
    alts: dict[int, list[Condition]] = {}
    negs: list[Condition] = []
    seen: set[str] = set()
    for lf in leaves:
        if lf.field == UNSTRUCTURED:
            words = source.orig(lf.start, lf.end).strip() if source is not None else ""
            if len(words) != len(str(lf.value)):  # composed words ("主导制定" + "地方标准")
                words = str(lf.value)
            node = Unstructured(text=words[:500], span=source.span(lf.start, lf.end)
                                if source is not None else None)
            if (key := f"u{lf.negate}{node.text}") not in seen:
                seen.add(key)
                (negs if lf.negate else plain).append(node)
            continue
        if lf.op.startswith("first"):
            tree = _milestone(lf, notes, source)
            if (key := f"m{lf.negate}{lf.alt}{tree.model_dump_json()}") not in seen:
                seen.add(key)
                (negs if lf.negate else alts.setdefault(lf.alt, []) if lf.alt is not None
                 else plain).append(tree)
            continue
        try:
            ft = FieldTest(field=lf.field, op=lf.op, value=lf.value)
        except ValidationError as exc:
            notes.append(f"条件 {lf.field} {lf.op} {lf.value!r} 无法写入：{exc.errors()[0]['msg']}，"
                         "已按原文保留为待核对条件")
            words = (source.orig(lf.start, lf.end).strip() if source is not None else "") or \
                f"{lf.field} {lf.op} {lf.value}"
            plain.append(Unstructured(text=words[:500], span=source.span(lf.start, lf.end)
                                      if source is not None else None))
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
