"""The names a condition or benefit may test, with their Chinese labels, kinds and units.

A condition naming a field that is neither here nor an ``extra.<key>`` is refused when the policy
file loads, so a typo never turns into a clause that silently matches nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

__all__ = ["CLI_FLAGS", "DERIVED_FROM", "EXTRA_FACTS", "INPUT_FIELDS", "PREVIOUS_FIELDS", "PROFILE_FIELDS",
           "Ask", "FieldKind", "FieldSpec", "ask_for", "field_spec"]


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


# -- asking for a missing fact ----------------------------------------------------------------
# Everything below serves the questions of a report: which facts a derived field needs, how a
# service worker asks for a fact in plain Chinese and how the answer is given (the flag of
# ``policymatch match`` and the JSON key of a profile, with the unit).

#: The facts a derived field is computed from; a question asks for the missing ones only.
DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "age_years": ("established",),
    "industry_section": ("industry_code",),
    "rd_ratio": ("rd_expense", "revenue"),
    "scale_class": ("industry_code", "employees", "revenue"),
}

#: Profile inputs that no condition names directly (a condition tests what is derived from them).
INPUT_FIELDS: dict[str, FieldSpec] = {
    "established": FieldSpec("成立日期", _T, question="企业的成立日期（营业执照上的日期）是哪一天？"),
}

#: path -> (flag of ``policymatch match``, an example value as the CLI takes it); a path that is
#: not here is given with ``--set PATH=VALUE``.
CLI_FLAGS: dict[str, tuple[str, str]] = {
    "name": ("--name", "某某有限公司"),
    "region": ("--region", "嵊州市"),
    "town": ("--town", "三界镇"),
    "park": ("--park", "电子商务产业园"),
    "industry": ("--industry", "厨具电器"),
    "industry_code": ("--industry-code", "C3841"),
    "description": ("--description", "集成灶研发制造"),
    "established": ("--established", "2019-03-05"),
    "employees": ("--employees", "120"),
    "revenue": ("--revenue", "1.2亿"),
    "tax_paid": ("--tax-paid", "500万"),
    "rd_expense": ("--rd-expense", "350万"),
    "equipment_investment": ("--equipment-investment", "800万"),
    "fixed_asset_investment": ("--fixed-asset-investment", "5000万"),
    "export_value": ("--export-value", "2000万"),
    "loan_amount": ("--loan-amount", "1000万"),
    "office_area_sqm": ("--office-area-sqm", "500"),
    "revenue_growth": ("--revenue-growth", "0.12"),
    "qualifications": ("--qualification", "国家高新技术企业"),
    "new_qualifications": ("--new-qualification", "省专精特新中小企业"),
    "is_above_scale": ("--above-scale", "是"),
    "credit_clean": ("--credit-clean", "是"),
    "safety_incident_free": ("--safety-incident-free", "是"),
    "talents.phd": ("--phd", "2"),
    "talents.master": ("--master", "3"),
    "talents.bachelor": ("--bachelor", "5"),
    "talents.bachelor_fresh": ("--bachelor-fresh", "5"),
    "talents.postdoc": ("--postdoc", "1"),
    "talents.leading_talent": ("--leading-talent", "1"),
    "talents.high_skilled": ("--high-skilled", "2"),
    "talents.new_hires": ("--new-hires", "20"),
}

# yes/no facts whose flags are a pair rather than one flag taking 是/否
_BOOL_CLI = {"is_above_scale": "--above-scale 或 --not-above-scale"}

# which answer is 是 (true) for the yes/no facts, whose questions ask about the bad case
_BOOL_ANSWERS = {
    "credit_clean": "未列入名单：是 / true；已列入：否 / false",
    "safety_incident_free": "未发生：是 / true；发生过：否 / false",
    "is_above_scale": "已纳入规上（限上）统计：--above-scale / true；未纳入：--not-above-scale / false",
}

# extra.<key> facts of the bundled corpus: (question, unit, example value). A key of one's own
# policies that is not here is asked in a generic form built from how its conditions use it.
EXTRA_FACTS: dict[str, tuple[str, str, float | str | bool]] = {
    "上规年数": ("自首次纳入规上统计起，企业已连续在规几个年度（含当年）？", "年", 3),
    "稻麦复种面积": ("全年稻麦复种面积有多少亩？", "亩", 120),
    "茶园改造面积": ("当年完成提质改造的连片茶园有多少亩？", "亩", 50),
    "网络零售额": ("上年度网络零售额是多少？", "元", 12_000_000),
    "网络零售增量": ("网络零售额比上年增加了多少？", "元", 10_000_000),
    "建筑业产值": ("上年度在本市纳统的建筑业总产值是多少？", "元", 1_200_000_000),
    "上市阶段": ("企业当年达到了哪个上市节点（1 完成股改，2 申报获受理，3 成功上市）？", "", 1),
    "募投本地投资额": ("首发募集资金在本市实际投资了多少？", "元", 50_000_000),
    "注册地迁入": ("企业是否在当年由市外迁入本市注册？", "", True),
    "贷款期限": ("这笔技术改造贷款的期限是几年？", "年", 3),
    "数字化投入": ("当年信息化软硬件、网络建设和云服务一共投入了多少？", "元", 300_000),
    "首台套销售额": ("经认定的首台（套）产品销售价格合计是多少？", "元", 8_000_000),
    "首台套保险保费": ("当年首台（套）重大技术装备综合险实缴保费是多少？", "元", 200_000),
    "首批次保险保费": ("当年新材料首批次应用保险实缴保费是多少？", "元", 200_000),
    "主导标准数": ("当年作为第一起草单位正式发布了几项国家标准或行业标准？", "项", 1),
    "洁净厂房面积": ("新建并经认定的千级洁净厂房有多少平方米？", "平方米", 2000),
    "出口信用保险保费": ("当年实缴的短期出口信用保险保费是多少？", "元", 180_000),
    "实到外资": ("当年实际到位外资多少万美元？", "万美元", 600),
    "入驻企业数": ("基地集聚了多少家直播电商企业？", "家", 10),
    "直播间数": ("基地建成投用了多少间直播间？", "间", 20),
    "企业性质": ("企业是什么性质：国有企业、集体企业、民营企业还是外资企业？", "", "民营企业"),
    "高企认定类型": ("今年通过的高新技术企业认定是首次认定还是重新认定？", "", "首次认定"),
    "过夜游客人次": ("全年组织来本市并在本市住宿的外地游客有多少人次？", "人次", 800),
    "智能设备台数": ("当年新购置并联网运行的智能化生产设备有几台？", "台", 5),
    "本地配套销售额": ("上年度向本市链主企业的配套销售额是多少？", "元", 60_000_000),
    "介绍就业人数": ("这次为本市企业引进并已参保的员工有多少人？", "人", 10),
    "首次购房博士人数": ("当年在本市首次购房自住的新引进博士有几人？", "人", 1),
    "首次购房硕士人数": ("当年在本市首次购房自住的新引进硕士有几人？", "人", 1),
    "首次购房本科人数": ("当年在本市首次购房自住的新引进本科人才有几人？", "人", 1),
}


@dataclass(frozen=True)
class Ask:
    """How to ask for one fact and how the answer is given.

    ``flag`` is the ``policymatch match`` option with an example value, ``json`` the same fact as
    a profile's JSON, ``unit`` the unit of the answer ("" when it has none).
    """

    field: str
    question: str
    flag: str
    json: str
    unit: str

    def how(self) -> str:
        """The way to answer in one line, e.g. ``--rd-expense 350万 或 JSON "rd_expense": "350万"（元）``."""
        unit = f"（单位：{self.unit}）" if self.unit else ""
        return f"命令行 {self.flag}，或 JSON {self.json}{unit}"


def _unit(spec: FieldSpec) -> str:
    if spec.kind is FieldKind.MONEY:
        return "元"
    if spec.kind is FieldKind.RATIO:
        return "小数，0.12 表示 12%"
    return spec.unit


def _json_value(kind: FieldKind, example: object) -> str:
    import json

    value: object = example
    if kind is FieldKind.BOOL:
        value = True
    elif kind is FieldKind.SET:
        value = [example]
    elif kind in (FieldKind.NUMBER, FieldKind.RATIO) and isinstance(example, str):
        value = float(example) if "." in example else int(example)
    return json.dumps(value, ensure_ascii=False)


def _json_entry(path: str, value: str) -> str:
    """``talents.phd`` → ``"talents": {"phd": 2}``; after ``extra.`` the rest is one key."""
    head, _, rest = path.partition(".")
    if not rest:
        return f'"{head}": {value}'
    inner = f'"{rest}": {value}' if head == "extra" else _json_entry(rest, value)
    return f'"{head}": {{{inner}}}'


_EXAMPLES = {FieldKind.MONEY: "500万", FieldKind.NUMBER: "1", FieldKind.RATIO: "0.1"}


def _example(path: str, spec: FieldSpec) -> str:
    """An example value for a fact without a flag of its own (``previous.revenue`` takes the
    example of ``revenue``)."""
    base = path.split(".", 1)[1] if "." in path else path
    if base in CLI_FLAGS:
        return CLI_FLAGS[base][1]
    return _EXAMPLES.get(spec.kind, "…")


def ask_for(path: str, *, kind_hint: FieldKind | None = None,
            examples: tuple[object, ...] = ()) -> Ask:
    """The question for one *input* fact (not a derived one, see :data:`DERIVED_FROM`).

    ``kind_hint`` and ``examples`` describe an ``extra.<key>`` the bundled corpus does not know,
    from how a condition uses it (a yes/no test, a number, one of some texts).

    Examples
    --------
    >>> a = ask_for("rd_expense")
    >>> a.question, a.flag, a.json
    ('上年度研发费用是多少？', '--rd-expense 350万', '"rd_expense": "350万"')
    >>> ask_for("credit_clean").flag
    '--credit-clean 是/否'
    >>> ask_for("extra.贷款期限").flag
    '--set extra.贷款期限=3'
    """
    if path.startswith("extra."):
        return _ask_extra(path, kind_hint, examples)
    if path.startswith("previous.extra."):  # last year's value of an extra fact: same unit
        this_year = _ask_extra(path[len("previous."):], kind_hint, examples)
        prev = field_spec(path)
        return Ask(path, prev.question if prev and prev.question else this_year.question,
                   this_year.flag.replace("--set extra.", "--set previous.extra.", 1),
                   f'"previous": {{{this_year.json}}}', this_year.unit)
    spec = PROFILE_FIELDS.get(path) or INPUT_FIELDS.get(path) or field_spec(path)
    if spec is None:  # not a profile fact (nothing to type): a person has to check it
        return Ask(path, f"“{path}”无法从企业信息判断，是否满足？（需人工核实）", "", "", "")
    flag, example = CLI_FLAGS.get(path, (f"--set {path}=", _example(path, spec)))
    sep = "" if flag.endswith("=") else " "
    unit = _unit(spec)
    if spec.kind is FieldKind.BOOL:
        cli = _BOOL_CLI.get(path, f"{flag}{sep}是/否")
        json_value = "true/false"
        unit = _BOOL_ANSWERS.get(path, f"“{spec.label}”属实：是 / true；否则：否 / false")
    else:
        cli = f"{flag}{sep}{example}"
        json_value = _json_value(spec.kind, example)
    if spec.kind is FieldKind.SET:
        cli += "（可重复）"
        unit = "一项也没有时 JSON 写 []"
    question = spec.question or f"{spec.label or path}是多少？"
    return Ask(path, question, cli, _json_entry(path, json_value), unit)


def _ask_extra(path: str, kind_hint: FieldKind | None, examples: tuple[object, ...]) -> Ask:
    import json

    key = path[len("extra."):]
    known = EXTRA_FACTS.get(key)
    example: float | str | bool
    if known is not None:
        question, unit, example = known
    elif kind_hint is FieldKind.BOOL:
        question, unit, example = f"企业是否符合“{key}”？", "", True
    elif kind_hint is FieldKind.TEXT:
        shown = "、".join(str(e) for e in examples[:4])
        question = f"企业的“{key}”是什么？" + (f"（如 {shown}）" if shown else "")
        unit, example = "", str(examples[0]) if examples else "…"
    else:
        question, unit, example = f"企业的“{key}”是多少？", "", 1
    if isinstance(example, bool):
        return Ask(path, question, f"--set {path}=是/否", _json_entry(path, "true/false"), unit)
    if isinstance(example, (int, float)) and unit == "元":
        cli_value = _wan_text(float(example))
    else:
        cli_value = str(example)
    return Ask(path, question, f"--set {path}={cli_value}",
               _json_entry(path, json.dumps(example, ensure_ascii=False)), unit)


def _wan_text(amount: float) -> str:
    """An example amount as people write it on the command line: 180000 → ``18万``."""
    if amount >= 1e8 and amount % 1e6 == 0:
        return f"{amount / 1e8:g}亿"
    if amount >= 1e4 and amount % 100 == 0:
        return f"{amount / 1e4:g}万"
    return f"{amount:g}"
