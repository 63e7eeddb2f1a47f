"""Measures: the words that name a quantity (营业收入, 亩均税收 …) and the profile field each
one lands on, or an ``extra.<noun>`` key named after it.

Private, used by :mod:`policymatch.extract.conditions` and :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re

from .numbers import Qty


def alternation(words: list[str]) -> str:
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
TALENTS = _table("""
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
METRIC_RE = re.compile(alternation(list(METRICS)))
_COUNT_RE = re.compile(alternation([*METRICS, *TALENTS]))
TALENT_RE = re.compile(alternation(list(TALENTS)))


def measure(q: Qty, window: str, prev_field: str | None) -> tuple[str, float, str | None, int]:
    """The profile field a quantity measures, its confidence, a review note, the word's start."""
    metric = last_match(_COUNT_RE if q.kind == "count" else METRIC_RE, window)
    word = metric.group() if metric else ""
    fld = METRICS.get(word) or TALENTS.get(word, "")
    at = metric.start() if metric else len(window)
    if fld == "employees" and q.kind == "count" and re.search(r"(?:新招用|新吸纳|新增|招用)\s?$", window[:at]):
        fld = "talents.new_hires"  # "新招用员工10人以上": the new hires, not the whole staff
        at = max(0, window.rfind("新", 0, at) if "新" in window[:at] else window.rfind("招用", 0, at))
    qual = re.search(r"([\u4e00-\u9fff]{2,4})$", PLAIN_QUALIFIER.sub(" ", window[:at])) \
        if metric and q.kind == "money" else None
    if qual and fld in _MONEY_FIELDS:
        # "直播销售额", "技改设备投资": a narrower measure than the profile field; the broad
        # field would grant more than the text, so the measure keeps its own name
        return f"extra.{qual.group(1)}{word}", 0.6, None, at - len(qual.group(1))
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
    if q.kind == "pct" and word and re.search(r"增长|增幅|增速", window[at:]):  # 研发费用增长20%
        return f"extra.{word}增长率", 0.6, f"指标“{word}增长”未对应到画像字段，已记为 extra.{word}增长率", at
    if q.kind == "pct" and not word and prev_field == "revenue" and re.search(
            r"(?:^|且|并|同比)\s?(?:增长|增幅|增速)(?:达到|超过|达)?\s?$", window):
        return "revenue_growth", 0.75, None, at  # "营业收入达到1亿元且增长10%以上": its growth
    if not word and prev_field and q.kind == "money":
        return prev_field, 0.75, None, at
    noun = word or noun_before(window)
    if noun and not word and (k := window.rfind(noun)) >= 0:
        at = k  # the words naming the measure are read with it, not left over
    name = f"extra.{noun or '指标'}" + {"mu": "(亩)", "pct": "比例", "count": "人数",
                                       "area": "(平方米)"}.get(q.kind, "")
    return name, 0.5, f"指标“{noun or window[-8:]}”未对应到画像字段，已记为 {name}", at


#: Words before a measure that do not narrow it (time, scope, the firm itself).
PLAIN_QUALIFIER = re.compile(r"年|度|当期|全年|新增|实际|累计|首次|企业|公司|其|单位|主体|项目|对|的|在|达到"
                              r"|超过|突破|且|并|或|和|及|以上|以下|万元|亿元|比例|占|同比|主营|实缴|入库|自营"
                              r"|缴纳|完成|实现|生产性|固定资产|设备|新购置|购置|用于|技术改造|技改|银行|获得|取得|发生|上|本|我县"
                              r"|本县|全县|县内")


def last_match(rx: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = list(rx.finditer(text))
    return found[-1] if found else None


def noun_before(window: str) -> str:
    """The few characters naming a measure just before its number ("年产值达到" → "产值")."""
    m = re.search(r"([\u4e00-\u9fff]{2,10}?)(?:首次)?(?:达到|突破|超过|不低于|不少于|达|超|在|为)?\s?$",
                  window)
    if m is None:
        return ""
    noun = m.group(1).rsplit("的", 1)[-1]  # "…纳统的年度建筑业总产值": the words after 的, never
    noun = noun if len(noun) >= 2 else m.group(1)  # a cut word ("统的年度…")
    return re.sub(r"^(?:对|企业|单位|年度|上年度|当年|年|其|新建|新增)+", "", noun)[:12]


#: Sections of GB/T 4754-2017 (门类) by the words a document names them with.
SECTIONS: dict[str, list[str]] = {
    "批发和零售": ["F"], "批发零售": ["F"], "住宿和餐饮": ["H"], "住宿餐饮": ["H"], "制造业": ["C"],
    "工业企业": ["B", "C", "D"], "采矿业": ["B"],
    "电力、热力、燃气及水生产和供应业": ["D"], "电力热力燃气及水生产和供应业": ["D"],
    # the 门类 by their full names, as a 附则 defines a kind of firm
    "农、林、牧、渔业": ["A"], "交通运输、仓储和邮政业": ["G"], "交通运输仓储和邮政业": ["G"],
    "信息传输、软件和信息技术服务业": ["I"], "信息传输软件和信息技术服务业": ["I"],
    "租赁和商务服务业": ["L"], "科学研究和技术服务业": ["M"],
    "水利、环境和公共设施管理业": ["N"], "居民服务、修理和其他服务业": ["O"],
    "卫生和社会工作": ["Q"], "文化、体育和娱乐业": ["R"]}


#: Size words of GB/T firm classes: a firm of one of these classes, not a title the firm holds.
SCALES: dict[str, list[str]] = {
    "中小微": ["中型", "小型", "微型"], "小微": ["小型", "微型"], "中小": ["中型", "小型"],
    "小型微型": ["小型", "微型"], "小型": ["小型"], "微型": ["微型"], "中型": ["中型"],
    "大中型": ["大型", "中型"], "大型": ["大型"]}
