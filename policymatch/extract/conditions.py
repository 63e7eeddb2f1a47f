"""Condition phrases of a clause (who, where, which honours, which thresholds) → leaves.

Private, used by :mod:`policymatch.extract.policy` and :mod:`policymatch.extract.drafts`. Text is normalised
and spans are offset by ``base`` as described in :mod:`policymatch.extract.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..aliases import alias_table
from .measures import SCALES as _SCALES
from .measures import SECTIONS as _SECTIONS
from .measures import TALENT_RE, TALENTS, alternation, measure
from .numbers import NUM, Qty, number, quantities
from .subsets import narrowed

#: ``Leaf.field`` of words kept as an unstructured condition (``value`` holds the words).
UNSTRUCTURED = "unstructured"


# -- lexicons ---------------------------------------------------------------------------------
_SECTION_RE = re.compile(alternation(list(_SECTIONS)))
_NEW = re.compile(r"新认定|新评定|首次被?认定|首次获评|首次入选|首次列入|首次获得|首次通过|当年被?认定|当年获评"
                  r"|当年评为|当年新|当年获得|当年入选|当年列入|新获批|新获评|新获得|新评为|新列入|新入选"
                  r"|新晋|新通过|新获|当年通过|首次(?=[\u4e00-\u9fff]{0,2}(?:认定|评为|获|入选|列入|通过|上市|挂牌))")
_HELD = re.compile(r"已认定|已获|已取得|已被|属于|有效期内|持有|现有")
_VERB = re.compile(r"认定为|认定的|评定为|评为|获评|入选|列入|获批|获得|通过|创建|授予")
_SUFFIX = (r"(?:企业|中心|工厂|车间|工作站|平台|基地|示范社|农场|称号|机构|认证|冠军|小巨人|计划|品牌"
           r"|园区|园|研究院|实验室|工程|装备|产品|景区|民宿|饭店|酒店|宾馆|项目|奖项|奖|杯|集聚区|示范区|商标"
           r"|名牌)")
_NAME = re.compile(rf"[^,;。、的或和及]{{2,24}}?{_SUFFIX}”?(?=[,;。、的或和及]|认定|称号|资格|$)")
_HONOUR = re.compile(r"认定为|评定为|评为|获评|入选|列入|获批设立|获批|获得|授予|认定")
_LEVELS = r"国际|国家级|国家|省级|省|市级|市|县级|县|[一二三四五六七八九]星级?"
_LEVEL_LIST = re.compile(rf"(?:{_LEVELS})(?:、(?:{_LEVELS})){{1,4}}(?=[^、,;。的]{{2,20}}?{_SUFFIX})")
_AWARDED = re.compile(r"(?<=,)\s?(?:并|同时|予以)?(?:授予|培育为|列为|列入|确定为|命名为|认定为)"
                      r"[^,;。]{2,30}?(?=,|;|。|并|$)")
_BOUNDARY = re.compile(r"[,;:。且或]")
_OP_BEFORE = ((re.compile(r"(?:突破|达到|达|不低于|不少于|满|≥)\s?$"), ">="),
              (re.compile(r"(?:超过|超|高于|大于|多于)\s?$"), ">"),
              (re.compile(r"(?:不超过|不高于|不大于|≤)\s?$"), "<="),
              (re.compile(r"(?:低于|不足|少于|不满|未满|小于)\s?$"), "<"))
_OP_AFTER = ((re.compile(r"^\s?(?:\(含\)以上|及以上|以上\(含\))"), ">=", 0.95),
             (re.compile(r"^\s?(?:以上\(不含\)|\(不含\)以上)"), ">", 0.95),
             (re.compile(r"^\s?(?:\(含\)以下|及以下|以下\(含\)|以内)"), "<=", 0.9),
             (re.compile(r"^\s?以下"), "<", 0.7), (re.compile(r"^\s?以上"), ">=", 0.9))
_FACTS = ((re.compile(r"(?<!质量)(?<!食品)(?<!产品)(?<!交通)(?<!消防)"  # a production-safety incident
                      r"安全(?:生产)?(?:责任)?事故"), "safety_incident_free", "==", True),
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
    return re.compile(alternation(list(names))), names


@lru_cache(maxsize=1)
def _industry_lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    names = {n: canon for canon, aliases in alias_table().industries.items()
             for n in (canon, *aliases)}
    return re.compile(rf"(?:{alternation(list(names))})(?=企业|经营主体|主体|行业|类企业|统计)"), names


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
    subject_alts: dict[int, list[Leaf]] = field(default_factory=dict)  # more names of subject i
    ladder: list[Qty] = field(default_factory=list)  # listed thresholds, for tiers
    ladder_field: str | None = None
    notes: list[str] = field(default_factory=list)
    has_subject: bool = False
    firm: bool = False  # the subject is the enterprise (…的企业), not a person
    residual: str = ""

    def set_subjects(self, subjects: list[Leaf], alts: dict[int, list[Leaf]] | None = None) -> None:
        """The listed subjects, each with the alternatives named for it (none by default)."""
        self.subjects, self.subject_alts = subjects, alts or {}

    @property
    def subject_pool(self) -> list[Leaf]:
        """Every leaf of the subject list: the subjects and the alternatives named in （）."""
        return self.subjects + [lf for i in sorted(self.subject_alts) for lf in self.subject_alts[i]]

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
        if inner:  # "存在质量安全事故的除外": what the read fact leaves over is said, not dropped
            taken = bytearray(len(text))
            for lf in inner:
                taken[lf.start - base:lf.end - base] = b"\x01" * (lf.end - lf.start)
            rest = "".join(ch for i, ch in enumerate(text[s:m.start()], s) if not taken[i])
            rest = re.sub(r"发生|存在|出现|受到|有|过|较大|重大|及", "", _STOP.sub("", _FILLER.sub(
                "", re.sub(r"[^\u4e00-\u9fff]", "", rest))))
            if len(rest) >= 2 and not inner[0].note:
                cp.notes.append(f"“{text[s:m.end()]}”只读出一部分（{'、'.join(lf.field for lf in inner)}），"
                                f"“{rest}”未写入，请核对这一排除条件{at(base + s, base + m.end())}")
        mk.take(s, m.end())
    for m in _AWARDED.finditer(text):  # "对…的企业，授予“X”称号，并给予…": X is what the clause
        if re.search(r"(?:的|企业|单位|项目|主体|人才|个人)\s?$", text[:m.start()].rstrip(",")) \
                and not re.search(r"的\s?$", m.group()):  # "…，认定为X的，给予": a condition
            mk.take(*m.span())  # awards, not a condition the firm must meet already
    for rx, fld, op, value in _FACTS:
        if (m := rx.search(text)) and mk.free(*m.span()):
            mk.leaf(m, fld, op, value, role="exclusion")
    for m in re.finditer(r"(尚未纳入|未纳入|尚未|未|非)?(?:规模以上|规上|限额以上|限上)(工业)?", text):
        mk.leaf(m, "is_above_scale", "==", not m.group(1))
        if m.group(2) and not m.group(1):  # 规上工业: above scale *and* industrial (B–D), the
            mk.leaf(m, "industry_section", "in", ["B", "C", "D"], 0.8, group=2)  # narrower reading
    named = [] if scope_only else [x.span() for x in _qual_lexicon()[0].finditer(text)]
    for m in _SCALE_RE.finditer(text):  # 小微企业 is scale_class in (小型, 微型); not 科技型中小企业
        if mk.free(*m.span(1)):
            classes = _SCALES[m.group(1)]
            mk.leaf(m, "scale_class", "in" if len(classes) > 1 else "==",
                    classes if len(classes) > 1 else classes[0], 0.85, group=1)
    for m in _SECTION_RE.finditer(text):
        if any(a <= m.start() and m.end() <= b for a, b in named):
            continue  # 制造业 inside 国家级制造业单项冠军: part of an honour's name
        if mk.free(*m.span()) and not (m.group() == "工业企业" and m.start() and mk.taken[m.start() - 1]):
            codes = _SECTIONS[m.group()]
            mk.leaf(m, "industry_section", "in" if len(codes) > 1 else "==",
                    codes if len(codes) > 1 else codes[0], 0.8)
    m = re.search(r"在(本县|本市|本区|我县|我市|我区|全县|本地|[\u4e00-\u9fff]{2,8}?[县市区])"
                  r"(?:行政区域|辖区|域)?内?新?(?:注册登记|登记注册|注册|依法登记|登记|设立|落户|创办)"
                  r"|^[\s,]*(?:对|凡)(本县|我县|县内|县域内|本市|我市|市内|本区|我区|区内)"
                  r"(?=[\u4e00-\u9fff]{0,6}(?:企业|单位|主体))", text)
    here = m and (m.group(1) or m.group(2))
    if m and here and (here[0] not in "本我全县市区" or region):
        mk.leaf(m, "region", "==", region if here[0] in "本我全县市区" else here)
    elif here:
        cp.notes.append(f"“{here}”指哪个县（市、区）未能确定，注册地条件未写入")
    if not scope_only:
        for m in _MJ_CLASS.finditer(text):  # "上年度亩均效益综合评价为A类的": a class the firm holds
            if mk.free(*m.span()):
                mk.leaf(m, "qualifications", "has", f"亩均效益{m.group(1)}类", 0.85)
        _qualifications(text, mk)
        m = re.search(r"(?:入驻|位于|落户|租用|进驻)([^,;。、的]{2,20}?(?:产业园|创业园|科创园|工业园"
                      r"|开发区|园区|孵化器|小微企业园|电商园|基地))", text)
        if m and mk.free(*m.span(1)) and not re.search(r"以上|以下|等", m.group(1)):
            mk.leaf(m, "park", "==", m.group(1), 0.8, group=1)  # 县级以上…园 names no one park
            mk.take(*m.span())
    pattern, names = _industry_lexicon()
    for m in pattern.finditer(text):
        if re.search(r"企业\s?(?:和|或|、|及|以及)\s?$", text[:m.start()]):
            mk.take(*m.span())  # "企业和农业经营主体": an alternative to any firm, no restriction
        elif mk.free(*m.span()):
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
    for m in TALENT_RE.finditer(text):
        if mk.free(*m.span()):
            mk.leaf(m, TALENTS[m.group()], ">=", 1.0, 0.85, label=m.group())
    _thresholds(text, mk, prev_field)
    for m in re.finditer(r"(?:达到|达|超过|在)?(\d{1,4})\s?家(?:\(含\))?以上", text):
        if mk.free(*m.span()):  # "毕业企业达到5家以上", "新开设连锁门店3家以上": a count of its own
            cut = max(text.rfind(c, 0, m.start()) for c in ",;。的") + 1
            window = text[cut:m.start()]
            firms = [x.end() for x in re.finditer("企业", window) if x.end() < len(window)]
            noun = re.sub(r"^(?:对|凡)?(?:当年|年度)?", "", window[firms[-1] if firms else 0:])[-12:]
            name = f"extra.{noun or '数量'}(家)"
            a = m.start() - len(noun)
            mk.add(Leaf(name, ">=", float(m.group(1)), base + a, base + m.end(), 0.6,
                        role="threshold"), a, m.end())
            who = re.match(r"(?:对|凡)?((?:[\u4e00-\u9fff]{2,10})企业)", window)
            if firms and who and mk.free(cut + who.start(1), cut + who.end(1)):  # "对餐饮企业…":
                w0, w1 = cut + who.start(1), cut + who.end(1)  # the kind of firm is kept as words
                mk.add(Leaf(UNSTRUCTURED, "?", who.group(1), base + w0, base + w1, 0.5,
                            "requirement"), w0, w1)
    talents = [lf for lf in cp.leaves if lf.field.startswith("talents.") and lf.role == "subject"]
    for lf in [t for t in talents if t.field == "talents.new_hires"]:  # 新招用应届高校毕业生: the
        if any(o is not lf and 0 <= o.start - lf.end <= 2 for o in talents):  # kind says who
            cp.leaves.remove(lf)
            talents.remove(lf)
    for lf in talents:  # "新引进博士2名以上" is a count: drop the implied ">= 1"
        if any(o.field == lf.field and o.role == "threshold" for o in cp.leaves):
            cp.leaves.remove(lf)
    narrowed(text, mk, talents, Leaf)
    if talents and talents[0].field.startswith("talents.") and (m := re.search(
            r"(?:职工|员工|在职人员)[^,;。]{0,6}?(?:取得|获得|考取|晋升)"
            r"|机构为[^,;。]{0,10}?(?:企业|单位)引进", text)):
        cp.notes.append(f"“{m.group()}”：{talents[0].field} 是企业新引进的人数，这里说的可能不是"
                        f"同一件事（职工取得资格、机构代为引才），请核对条件与计量字段"
                        f"{at(base + m.start(), base + m.end())}")
    if len(talents) >= 2 and not cp.subjects:
        cp.set_subjects([lf for lf in talents if lf in cp.leaves])
    _alternatives(text, base, cp)
    for q in quantities(text, base):  # a quantity of the condition part that no leaf reads
        if q.kind in ("money", "pct", "count", "area", "mu") and mk.free(q.start - base, q.end - base):
            cp.notes.append(f"条件中的数量“{text[q.start - base:q.end - base]}”未读成任何条件，"
                            f"请核对门槛是否漏读{at(q.start, q.end)}")
    cp.firm = bool(re.search(r"(?:企业|单位|公司|机构|主体)\s?[,:]?\s?$", text))
    cp.has_subject = bool(re.match(r"[\s,]*(?:对|凡)", text)) or any(
        lf.role == "subject" for lf in cp.leaves)
    rest = "".join(" " if mk.taken[i] else ch for i, ch in enumerate(text))
    rest = _STOP.sub(" ", re.sub(r"[^\u4e00-\u9fff]", " ", rest))
    cp.residual = re.sub(r"\s+", " ", rest).strip()
    if keep_words:
        _keep_unexplained(text, mk)
        for lf in [x for x in cp.leaves if x.field == UNSTRUCTURED]:  # words that run into a
            nxt = next((t for t in cp.leaves if t.role == "threshold" and 0 <= t.start - lf.end <= 12
                        and not re.search(r"[,;。]", text[lf.end - base:t.start - base])), None) \
                if re.search(r"购置|购买|投入使用|安装", str(lf.value)) else None
            if nxt is not None:  # counted thing: a requirement, or only what the threshold counts?
                cp.notes.append(f"“{lf.value}”紧接门槛 {nxt.field}，可能只是说明所计的对象，"
                                f"已按原文保留为条件，请核对{at(lf.start, nxt.end)}")
        _keep_beneficiary(text, mk)
        _keep_kind(text, mk)
        if (m := _ARRIVAL.search(text)) and not any(  # "对新引进的数字经济企业": that the firm newly
                lf.field == UNSTRUCTURED and lf.start < base + m.end() and lf.end > base + m.start()
                for lf in cp.leaves):  # came is a requirement no field holds: words, never filler
            cp.leaves.append(Leaf(UNSTRUCTURED, "?", m.group(), base + m.start(), base + m.end(), 0.5))
    return cp


def _keep_kind(text: str, mk: _Marks) -> None:
    """"…的商贸企业": a kind of firm no field expresses is still a condition, kept as words."""
    m = re.search(r"的([\u4e00-\u9fff]{2,8}?(?:企业|主体|单位|机构))\s?[,:]?\s?$", text)
    if m is None:
        return
    a = m.start(1)
    while a < m.end(1) and mk.taken[a]:  # "…的制造业总部企业": what 制造业 leaves over
        a += 1
    if m.end(1) - a - 2 not in range(2, 5) or not mk.free(a, m.end(1)) or any(
            lf.start < mk.base + m.end(1) and lf.end > mk.base + a for lf in mk.cp.leaves):
        return
    kind = text[a:m.end(1)]
    head = re.sub(r"(?:企业|主体|单位|机构)$", "", kind)
    if _STOP.sub("", _FILLER.sub("", head)) == head and not re.search(
            r"各类|相关|有关|其他|上述|以上|入驻|新引进|引进", head):
        mk.cp.leaves.append(Leaf(UNSTRUCTURED, "?", kind, mk.base + a, mk.base + m.end(1),
                                 0.5, "requirement"))


def _keep_beneficiary(text: str, mk: _Marks) -> None:
    """"对企业用于技术改造的银行贷款，按…": a clause that names whom or what it is for is never
    unconditional; when nothing of its 对… phrase was read, the phrase is kept as words."""
    m = re.search(r"(?:^|[,;:。])\s*(?:对|凡)([^,;:。]{2,60})", text)
    if m is None:
        return
    a = m.start(1)
    if any(lf.start < mk.base + m.end(1) and lf.end > mk.base + m.start(1) for lf in mk.cp.leaves):
        a = m.end(1)  # "对工业企业技术改造项目贷款": what the read leaves leave over at the end
        while a > m.start(1) and not mk.taken[a - 1]:
            a -= 1
        tail = text[a:m.end(1)]
        if a == m.start(1) or not (re.search(r"贷款|融资|租金|用房|费用|保费", tail) and re.search(
                r"用于|新增|项目|技改|技术改造|购置|建设", tail)):  # what the money is for
            return
    words = re.sub(r"(?:的|等)+\s?$", "", text[a:m.end(1)]).strip()
    if len(_STOP.sub("", re.sub(r"[^\u4e00-\u9fff]", "", words))) >= 2:
        at = a + text[a:m.end(1)].find(words)
        mk.cp.leaves.append(Leaf(UNSTRUCTURED, "?", words, mk.base + at, mk.base + at + len(words),
                                 0.5, "requirement"))


_FILLER = re.compile(r"本(?:政策|细则|办法|意见|措施|规定)|国民经济行业分类|国民经济行业|行业分类"
                     r"|适用于|适用|所称|是指|指的是|行政区域|辖区|区域"
                     r"|依法注册|依法登记|依法设立|注册登记|登记注册|注册|登记|相应|分别|按照|按|给予|其中|以及|以上|以下|同时"
                     r"|纳入|入统|统计|工业|服务业|批发零售业|住宿餐饮业|行业|境内外|证券交易所|交易所"
                     r"|新引进|引进|全职|全日制|认定为|评定为|评为|获评|入选|列入|获批|获得|取得|创建"
                     r"|授予|设立|新认定|新获|实施|完成|技术改造项目|技改项目|技术改造|技改|年度|每年"
                     r"|县级|市级|省级|国家级|称号|资格|荣誉|一次性|有效期内|持有|已获|现有|属于")
_OF_IT = r"\((产品|项目|品牌)\)"  # "单项冠军企业（产品）": the title, or the same title of its product
_JOIN = re.compile(rf"\s?(?:示范)?(?:企业)?\s?(?:{_OF_IT})?\s?\)?\s?(?:、|或|和|及|以及|\()?\s?")
_ARRIVAL = re.compile(r"(?:新引进|新引入|新招引|引进落户|新落户|新迁入|新入驻|从[^,;。]{1,8}?迁入)的?"
                      r"[^,;。]{0,14}?(?:企业|项目|总部|机构)")
_MJ_CLASS = re.compile(r"(?:上年度|上一年度|年度)?亩均(?:效益)?(?:综合)?(?:评价)?(?:结果)?"
                       r"(?:为|被?评为|评定为)?([ABC])类")
_SCALE_RE = re.compile(r"(?<![型新科技特精专])(中小微|小型微型|大中型|小微|中小|小型|微型|中型|大型)"
                       r"(?=企业|商户|市场主体|主体)(?!企业园|企业创业园|企业成长|企业上规)")
#: Scope requirements short enough to fall under the four-character rule (经营 is a stop word),
#: still conditions: 正常经营, 依法纳税, 独立核算 …
_REQ_WORDS = re.compile(r"正常(?:生产)?经营|生产经营正常|依法(?:纳税|经营)|守法经营|诚信经营|合法经营"
                        r"|持续经营|独立(?:法人|核算)")
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
        free = [i for i, ch in enumerate(rest) if ch != " "]
        if len(free) >= 4 or (free and _REQ_WORDS.search(chunk)):
            a, b = s + free[0], s + free[-1] + 1  # from the first to the last unexplained word
            while a > s and re.match(r"[\u4e00-\u9fff0-9A-Za-z]", text[a - 1]) and not (
                    taken is not None and taken[a - 1]) and text[a - 1] not in "对凡在的、并且及与和":
                a -= 1
            while b < e and re.match(r"[\u4e00-\u9fff]", text[b]) and not (
                    taken is not None and taken[b]) and text[b] not in "的、":
                b += 1
            out.append((a, b))
    return out


def at(s: int, e: int) -> str:
    """A span marker in a review note (offsets in the working text); the extractor writes it
    as the place in the original document."""
    return f"⟦{s}:{e}⟧"


_HONOUR_WORDS = re.compile(r"(?:评为|获评|认定为|评定为|入选|列入|获批|授予|获得)"
                           r"(?![^,;。]{0,8}(?:贷款|资金|融资|补助|补贴|奖励|订单|投资))[^,;。后]{2,}")


def _keep_unexplained(text: str, mk: _Marks) -> None:
    """Words of the condition part no leaf explains become unstructured leaves (kept, unknown).
    Words that name an honour the lexicon could not read ("新评为三星级…") say so in a note:
    the clause may be meant as a qualification test."""
    for s, e in unexplained(text, mk.taken):
        words = text[s:e].strip()
        if words and not any(lf.field == UNSTRUCTURED and lf.value == words for lf in mk.cp.leaves):
            mk.cp.leaves.append(Leaf(UNSTRUCTURED, "?", words, mk.base + s, mk.base + e, 0.5,
                                     "requirement"))
            nxt = next((lf for lf in mk.cp.leaves if lf.field.endswith("qualifications")
                        and 0 <= lf.start - (mk.base + e) <= 1), None)
            if nxt is not None and re.search(r"(?:获得|取得|荣获|获评|评为|认定为)$", words):
                mk.cp.notes.append(f"“{words}”与其后的“{nxt.label or nxt.value}”是同一短语，只读出了"
                                   f"后半；请核对前半是否另有要求{at(mk.base + s, nxt.end)}")
            elif _HONOUR_WORDS.search(words):
                mk.cp.notes.append(f"“{words}”像是资质或荣誉，名称未能识别，已按原文保留为条件；"
                                   f"请核对是否应为 new_qualifications / qualifications"
                                   f"{at(mk.base + s, mk.base + e)}")


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
                name = re.sub(r"奖项$", "奖", _strip(lvl + tail.group()))
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
                name = re.sub(r"奖项$", "奖", re.sub(r"(?<=.{4})称号$", "", name))
                keep_found(n.start(), n.end(), names.get(name, name), 0.7)
                first = first or name
            if text[n.end():n.end() + 1] not in ("、", "或", "和", "及"):
                break
            pos = n.end() + 1
            if re.match(r"(?:新|当年|首次|已)?(?:通过|获得|取得|认定|评为|获评|入选|列入|获批|创建|授予)",
                        text[pos:]):
                break  # "…、通过质量管理体系认证": a requirement of its own, not one more name
    found = [f for f in found if not re.search(r"(?:入驻|进驻|入园)[^,;。]{0,6}$", text[:f[0]])]
    groups: list[list[tuple[int, int, str, float]]] = []  # (入驻…小微企业园: a place, not a title)
    for item in sorted(f for f in found if mk.free(f[0], f[1])):
        gap = text[groups[-1][-1][1]:item[0]] if groups else "x"
        if _JOIN.fullmatch(gap):  # 智能工厂（数字化车间）, 单项冠军企业（产品）、…: one list
            groups[-1].append(item)
        else:
            groups.append([item])
    for group in groups:
        s0, s1 = group[0][0], group[-1][1]
        head = text[max(0, max(text.rfind(c, 0, s0) for c in ",;。") + 1, s0 - 16):s0]
        prize = all(re.search(r"奖|杯$", name) for _, _, name, _ in group)
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
        heads: list[Leaf] = []  # one per listed subject; a name in （） is its alternative
        alts: dict[int, list[Leaf]] = {}
        for k, (s, e, name, c) in enumerate(group):
            paren = k > 0 and re.fullmatch(r"\s?\(\s?", text[group[k - 1][1]:s]) is not None
            if all(lf.value != name for lf in leaves):
                note = f"资质名称“{name}”不在别名表中，请核对" if c < 0.7 else None
                leaves.append(Leaf(fld, "has", name, mk.base + s, mk.base + e, min(conf, c),
                                   note=note, label=name))
                mk.add(leaves[-1], s, e)
                if paren and heads:  # 省级智能工厂（数字化车间）: one subject, either name
                    alts.setdefault(len(heads) - 1, []).append(leaves[-1])
                else:
                    heads.append(leaves[-1])
                if of_it := re.match(rf"\s?(?:示范)?(?:企业)?\s?{_OF_IT}", text[e:]):  # 单项冠军企业（产品）:
                    alts.setdefault(len(heads) - 1, []).append(Leaf(  # the firm's title or its product's
                        fld, "has", name + of_it.group(1), mk.base + s, mk.base + e + of_it.end(),
                        min(conf, c), label=name + of_it.group(1)))
                    mk.take(e, e + of_it.end())
                if after := re.match(r"\)?级?(?:评定|认定|认证|称号)", text[e:]):
                    mk.take(e, e + after.end())  # "…AA级评定": part of the name read
                if verb := re.search(r"(?:^|[,;:。对凡]|企业|单位)\s?((?:当年|新|首次|已)?(?:通过|获得|取得|荣获)"
                                     r"|(?:通过)?(?:评价|评估)?入库的)\s?$", text[:s]):
                    mk.take(verb.start(1), s)  # the verb says held or newly: read as the field
        if len(leaves) >= 2:
            mk.cp.set_subjects(heads, alts)


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
        near = cp.last_field  # "营业收入达到1亿元且增长10%": a share of the measure just read
        fld, conf, note, at = measure(q, text[cut:s], near if q.kind == "pct" and near else prev_field)
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
    cands = sorted((lf for lf in cp.leaves if lf.role != "exclusion" and lf not in cp.subject_pool),
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
